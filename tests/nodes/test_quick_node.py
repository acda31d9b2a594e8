"""KF-VTON Quick Try-On called as ComfyUI calls it (run() on CPU)."""

from __future__ import annotations

import pytest
import torch
from comfyui_kfvton.kfvton.keypoints import estimate as estimate_module
from comfyui_kfvton.kfvton.keypoints.formats import pose_to_pose_keypoint
from comfyui_kfvton.nodes.pipelines import KfvtonQuickTryOn
from comfyui_kfvton.nodes.types import ParseMap

from .conftest import PERSON_HW, make_garment, make_parse, make_person, make_pose


def test_pose_keypoint_and_parse_are_used():
    image, garment_mask, refine, report = KfvtonQuickTryOn().run(
        make_person(), make_garment(), pose_keypoint=pose_to_pose_keypoint(make_pose()), parse=ParseMap(make_parse())
    )
    assert image.shape == (1, *PERSON_HW, 3) and garment_mask.shape == refine.shape == (1, *PERSON_HW)
    assert "pose: given (list)" in report and "regions: given parse map" in report
    assert float(garment_mask.sum()) > 0 and float(refine.sum()) > 0


def test_batch_of_persons_one_garment():
    dark = make_person(1)
    dark[dark > 0.8] = 0.5  # the same figure on a darker background
    persons = torch.cat((make_person(1), dark))
    image, garment_mask, refine, _ = KfvtonQuickTryOn().run(persons, make_garment(1), pose=make_pose(2))
    assert image.shape[0] == garment_mask.shape[0] == refine.shape[0] == 2
    for i in range(2):  # each item is that person's own try-on, not item 0's
        alone, _, _, _ = KfvtonQuickTryOn().run(persons[i : i + 1], make_garment(1), pose=make_pose(1))
        assert float((image[i : i + 1] - alone).abs().mean()) < 1e-3
    corner = (slice(0, 4), slice(0, 4))
    assert float(image[0][corner].mean()) > 0.8 and float(image[1][corner].mean()) < 0.6


def test_without_pose_or_estimator_names_what_is_missing(monkeypatch):
    monkeypatch.setattr(estimate_module, "mediapipe_version", lambda: None)
    with pytest.raises(FileNotFoundError, match="no pose estimator available"):
        KfvtonQuickTryOn().run(make_person(), make_garment())


def _report_line(report: str, key: str) -> str:
    return next(line for line in report.splitlines() if line.startswith(f"{key}: "))


def test_category_and_tuck_widgets_reach_the_tryon():
    node, person, garment, pose = KfvtonQuickTryOn(), make_person(), make_garment(), make_pose()
    parse = ParseMap(make_parse())
    default = node.run(person, garment, pose=pose, parse=parse)  # as a workflow saved before the widgets loads
    assert _report_line(default[3], "category") == "category: upper (given)"
    assert _report_line(default[3], "tuck").startswith("tuck: out (auto: read from the photo")
    tucked = node.run(person, garment, pose=pose, parse=parse, category="auto", tuck="in")
    assert _report_line(tucked[3], "category").startswith("category: upper (auto: ")
    assert _report_line(tucked[3], "tuck").startswith("tuck: in (given")
    # the widget reaches the placement: "in" takes the hem into the trousers (cut at their waistband), "out" lays it
    # over them (a regular top's hem reaches the waistband when it lies just below the hips: on this figure the two
    # differ along the hem only, a mean of 0.005; the same widget value twice differs by 0)
    over = node.run(person, garment, pose=pose, parse=parse, tuck="out")
    assert _report_line(over[3], "tuck").startswith("tuck: out (given")
    assert float((tucked[0] - over[0]).abs().mean()) > 0.002


def test_tuck_fallback_without_regions_is_named():
    _, _, _, report = KfvtonQuickTryOn().run(make_person(), make_garment(), pose=make_pose(), estimate_regions=False)
    assert "fallback 'out'" in _report_line(report, "tuck")


def test_bad_category_names_the_widget():
    with pytest.raises(ValueError, match="category: expected one of upper, lower, dress or 'auto', got 'top'"):
        KfvtonQuickTryOn().run(make_person(), make_garment(), pose=make_pose(), category="top")


@pytest.mark.parametrize(
    ("folder", "ident", "seen"), [("lower_body", "013564", "lower"), ("dresses", "020716", "dress")]
)
def test_category_auto_on_dresscode_photos(samples_dir, folder, ident, seen):
    from comfyui_kfvton.kfvton.keypoints.formats import pose_from_json_file
    from comfyui_kfvton.kfvton.preprocess.io import load_image
    from comfyui_kfvton.kfvton.preprocess.parse_labels import read_parse_labels

    base = samples_dir / "dresscode" / folder
    if not (base / "images" / f"{ident}_0.jpg").is_file():
        pytest.skip("no Dress Code samples")
    person = load_image(base / "images" / f"{ident}_0.jpg").permute(0, 2, 3, 1)
    garment = load_image(base / "images" / f"{ident}_1.jpg").permute(0, 2, 3, 1)
    pose = pose_from_json_file(base / "keypoints" / f"{ident}_2.json", (1024, 768))
    parse = ParseMap(read_parse_labels(base / "label_maps" / f"{ident}_4.png").parse)
    image, garment_mask, refine, report = KfvtonQuickTryOn().run(
        person, garment, pose=pose, parse=parse, category="auto"
    )
    assert _report_line(report, "category").startswith(f"category: {seen} (auto: ")
    tuck = _report_line(report, "tuck")
    assert tuck.startswith("tuck: - (a dress") if seen == "dress" else "(auto: read from the photo" in tuck
    # shorts start at the hips (the photos show the person from the shoulders down), a dress reaches the knees
    rows = garment_mask[0].sum(1).nonzero().flatten()
    # (013564's waistband is hidden under her hanging top, whose hem is at row 440 and the shorts' first visible
    # row 397: placed halfway up to the waist prior since round 5, the shorts start at 384; a dress spans 752 rows)
    assert int(rows.min()) > 350 if seen == "lower" else int(rows.max() - rows.min()) > 500
    changed = (image - person).abs().sum(-1)[0]
    assert float(changed[garment_mask[0] > 0.5].mean()) > 0.1  # measured 0.46 (shorts), 0.25 (dress)
    assert float(refine.max()) == pytest.approx(1.0, abs=0.05)


@pytest.fixture(scope="module")
def bad_photos(samples_dir):
    """Bad input for the node (issue 11): a blank photo, two sample persons side by side, one cut at the chest,
    a sample person photo as the garment; (B, H, W, C) as ComfyUI gives them."""
    mp = pytest.importorskip("mediapipe")
    if not hasattr(mp, "solutions"):
        pytest.skip(f"mediapipe {mp.__version__} ships no bundled models")
    from comfyui_kfvton.kfvton.preprocess.io import load_image

    folder = samples_dir / "vitonhd" / "test"
    if not (folder / "image" / "00891_00.jpg").is_file():
        pytest.skip("VITON-HD samples missing")
    person = load_image(folder / "image" / "00891_00.jpg")
    other = load_image(folder / "image" / "03615_00.jpg")
    photos = {
        "person": person,
        "other": other,
        "garment": load_image(folder / "cloth" / "01260_00.jpg"),
        "blank": torch.full((1, 3, 512, 384), 0.8),
        "two": torch.cat((person, other), dim=-1),
        "chest": person[..., :430, :],
    }
    return {k: v.permute(0, 2, 3, 1).contiguous() for k, v in photos.items()}


@pytest.mark.parametrize(
    ("person", "garment", "expected"),
    [
        ("blank", "garment", r"person: no person found in batch item 0 .*expected a photo of one person"),
        ("two", "garment", "person: batch item 0 shows 2 faces; expected a photo of one person"),
        ("person", "other", "garment: batch item 0 is a photo of a person wearing the garment"),
    ],
)
def test_bad_photos_are_refused_with_the_input_named(bad_photos, person, garment, expected):
    with pytest.raises(ValueError, match=expected):
        KfvtonQuickTryOn().run(bad_photos[person], bad_photos[garment])


def test_person_cut_at_the_chest_is_reported(bad_photos):
    image, _, _, report = KfvtonQuickTryOn().run(bad_photos["chest"], bad_photos["garment"])
    assert image.shape == (1, 430, 768, 3) and "person: batch item 0 is cut off above the hips" in report


def test_classical_node_refuses_a_person_as_the_garment(samples_dir, bad_photos):
    """The Classical Try-On node checks a garment photo whose mask it computes (issue 13), before the regions and
    the warp; with a garment mask the user says what the garment is and nothing is refused."""
    from comfyui_kfvton.kfvton.keypoints.formats import pose_from_json_file
    from comfyui_kfvton.nodes.pipelines import KfvtonClassicalTryOn

    person, other = bad_photos["person"], bad_photos["other"]
    pose = pose_from_json_file(
        samples_dir / "vitonhd" / "test" / "openpose-json" / "00891_00_keypoints.json", (1024, 768)
    )
    with pytest.raises(ValueError, match="garment: batch item 0 is a photo of a person wearing the garment"):
        KfvtonClassicalTryOn().run(person, other, pose, estimate_regions=False)
    mask = torch.zeros(1, *other.shape[1:3])
    mask[:, 300:700, 200:560] = 1
    image = KfvtonClassicalTryOn().run(person, other, pose, garment_mask=mask, estimate_regions=False)[0]
    assert image.shape == person.shape


def test_garment_mask_node_refuses_a_person_photo(bad_photos):
    """KF-VTON Garment Mask computing the mask of a person photo refuses it (the mask would be the whole person)."""
    from comfyui_kfvton.nodes.inputs import KfvtonGarmentMask

    with pytest.raises(ValueError, match="garment: batch item 0 is a photo of a person wearing the garment"):
        KfvtonGarmentMask().run(bad_photos["other"])
    _, method, warnings = KfvtonGarmentMask().run(bad_photos["garment"])
    assert method == "computed" and "flat garment" not in warnings
