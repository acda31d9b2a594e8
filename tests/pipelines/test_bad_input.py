"""Bad input to the two-photo try-on (issue 11): each gets a clear message naming the input, never a mangled image.

Needs the embedded MediaPipe (the README's set-up) and the VITON-HD samples; skipped without them.
"""

from __future__ import annotations

import pytest
import torch

from kfvton.pipelines.quick import quick_tryon
from kfvton.preprocess.io import load_image


@pytest.fixture(scope="module")
def photos(vitonhd_dir):
    mp = pytest.importorskip("mediapipe")
    if not hasattr(mp, "solutions"):
        pytest.skip(f"mediapipe {mp.__version__} ships no bundled models")
    if not (vitonhd_dir / "image" / "00891_00.jpg").is_file():
        pytest.skip("VITON-HD samples missing")
    return {
        "person": load_image(vitonhd_dir / "image" / "00891_00.jpg"),
        "other": load_image(vitonhd_dir / "image" / "03615_00.jpg"),
        "garment": load_image(vitonhd_dir / "cloth" / "01260_00.jpg"),
    }


def test_no_person(photos):
    with pytest.raises(ValueError, match=r"person: no person found in batch item 0 .*expected a photo of one person"):
        quick_tryon(torch.full((1, 3, 512, 384), 0.8), photos["garment"])


def test_several_people(photos):
    two = torch.cat((photos["person"], photos["other"]), dim=-1)
    with pytest.raises(ValueError, match="person: batch item 0 shows 2 faces; expected a photo of one person"):
        quick_tryon(two, photos["garment"])


def test_person_cut_off_at_the_chest(photos):
    result = quick_tryon(photos["person"][..., :430, :], photos["garment"])
    assert any("person: batch item 0 is cut off above the hips" in w for w in result.warnings), result.warnings
    assert result.image.shape == (1, 3, 430, 768)


def test_garment_photo_of_a_person(photos):
    result = quick_tryon(photos["person"], photos["other"])
    assert any("garment: batch item 0 does not look like a flat garment photo" in w for w in result.warnings)
    flat = quick_tryon(photos["person"], photos["garment"])
    assert not any("flat garment" in w for w in flat.warnings)
