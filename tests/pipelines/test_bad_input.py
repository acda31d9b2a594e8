"""Bad input to the two-photo try-on (issue 11): each gets a clear message naming the input, never a mangled image,
through the library (`quick_tryon`) and the CLI (`python -m kfvton tryon`); the Quick Try-On node's path is in
tests/nodes/test_quick_node.py.

Real-ish inputs: a blank photo (no person), two sample persons side by side, a sample person cut at the chest, a
sample person photo given as the garment (a person wearing a top) and a blank garment photo. Needs the embedded
MediaPipe (the README's set-up) and the VITON-HD samples; skipped without them.
"""

from __future__ import annotations

import re

import pytest
import torch

from kfvton.cli import main
from kfvton.pipelines.quick import quick_tryon
from kfvton.preprocess.garment_checks import check_garment_photo
from kfvton.preprocess.io import load_image, save_image


@pytest.fixture(scope="module")
def photos(vitonhd_dir):
    mp = pytest.importorskip("mediapipe")
    if not hasattr(mp, "solutions"):
        pytest.skip(f"mediapipe {mp.__version__} ships no bundled models")
    if not (vitonhd_dir / "image" / "00891_00.jpg").is_file():
        pytest.skip("VITON-HD samples missing")
    person = load_image(vitonhd_dir / "image" / "00891_00.jpg")
    other = load_image(vitonhd_dir / "image" / "03615_00.jpg")
    return {
        "person": person,
        "other": other,
        "garment": load_image(vitonhd_dir / "cloth" / "01260_00.jpg"),
        "blank": torch.full((1, 3, 512, 384), 0.8),
        "two": torch.cat((person, other), dim=-1),
        "chest": person[..., :430, :],
    }


#: What each bad input gets, for the person slot: the input's name is put before it.
NO_PERSON = r"no person found in batch item 0 .*expected a photo of one person"
TWO_PEOPLE = "batch item 0 shows 2 faces; expected a photo of one person"
CUT_OFF = "batch item 0 is cut off above the hips"
WORN = "batch item 0 is a photo of a person wearing the garment .*expected the garment alone"


def test_no_person(photos):
    with pytest.raises(ValueError, match="person: " + NO_PERSON):
        quick_tryon(photos["blank"], photos["garment"])


def test_several_people(photos):
    with pytest.raises(ValueError, match="person: " + TWO_PEOPLE):
        quick_tryon(photos["two"], photos["garment"])


def test_person_cut_off_at_the_chest(photos):
    result = quick_tryon(photos["chest"], photos["garment"])
    assert any("person: " + CUT_OFF in w for w in result.warnings), result.warnings
    assert result.image.shape == (1, 3, 430, 768)


def test_garment_photo_of_a_person_is_refused(photos):
    with pytest.raises(ValueError, match="garment: " + WORN):
        quick_tryon(photos["person"], photos["other"])
    # with a garment mask the user says what the garment is: the photo is used (no refusal)
    mask = torch.zeros(1, 1, *photos["other"].shape[-2:])
    mask[..., 300:700, 200:560] = 1
    assert quick_tryon(photos["person"], photos["other"], garment_mask=mask).image.shape == photos["person"].shape
    flat = quick_tryon(photos["person"], photos["garment"])
    assert not any("flat garment" in w for w in flat.warnings)


def test_every_sample_garment_passes_and_every_sample_person_is_refused(vitonhd_dir, photos):
    """No false refusal on the flat sample garments; each sample person photo is refused as a garment."""
    for path in sorted((vitonhd_dir / "cloth").glob("*.jpg")):
        assert check_garment_photo(load_image(path)) == (), path.name
    for path in sorted((vitonhd_dir / "image").glob("*.jpg")):
        with pytest.raises(ValueError, match=WORN):
            check_garment_photo(load_image(path))


def test_model_shots_without_a_face_are_refused(samples_dir, photos):
    """Dress Code's person photos crop the face at the mouth: refused by the legs under the garment (issue 13);
    the flat Dress Code garments of every category (trousers and dresses too) pass."""
    persons = sorted(samples_dir.glob("dresscode/*/images/*_0.jpg"))
    if not persons:
        pytest.skip("Dress Code samples missing")
    for path in persons:
        with pytest.raises(ValueError, match="garment: " + WORN.replace(".*", r"\(shoulders, hips and knees.*")):
            check_garment_photo(load_image(path), name="garment")
    for path in sorted(samples_dir.glob("dresscode/*/images/*_1.jpg")):
        assert check_garment_photo(load_image(path)) == (), path.name


@pytest.fixture(scope="module")
def files(photos, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    for key in ("blank", "two", "chest", "person", "garment"):
        save_image(photos[key], folder / f"{key}.png")
    save_image(torch.full((1, 3, 512, 384), 0.95), folder / "blank_garment.png")
    return folder


@pytest.mark.parametrize(
    ("person", "garment", "expected"),
    [
        ("blank", "garment", "--person: " + NO_PERSON),
        ("two", "garment", "--person: " + TWO_PEOPLE),
        ("person", "person", "--garment: " + WORN),
        ("person", "blank_garment", "--garment: batch item.* are a single flat colour"),
    ],
)
def test_cli_refuses_with_the_input_named(files, capsys, person, garment, expected):
    out = files / f"out_{person}_{garment}.png"
    code = main(["tryon", "--person", str(files / f"{person}.png"), "--garment", str(files / f"{garment}.png"),
                 "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code != 0 and not out.exists()
    assert re.search(expected, err), err


def test_cli_warns_for_a_person_cut_at_the_chest(files, capsys):
    out = files / "out_chest.png"
    code = main(["tryon", "--person", str(files / "chest.png"), "--garment", str(files / "garment.png"),
                 "--out", str(out)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0 and out.is_file() and "warning: --person: " + CUT_OFF in printed


def test_blank_garment_is_refused_before_the_pose():
    """A single-colour garment photo is named before any estimate: with no pose and no estimator the message is
    still about the garment, not a missing pose model."""
    person = torch.rand(1, 3, 256, 192)
    with pytest.raises(ValueError, match=r"^garment: batch item\(s\) \[0\] are a single flat colour"):
        quick_tryon(person, torch.full((1, 3, 256, 192), 0.95), use_mediapipe=False, pose_dirs=[])
