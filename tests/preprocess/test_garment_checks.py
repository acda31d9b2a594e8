"""garment_warnings and garment_photo_warnings: photos that still give a picture, but likely a poor one, are named
(issue 15, warnings)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kfvton.preprocess.garment_checks import garment_photo_warnings, garment_warnings, standing_legs, upright_person
from kfvton.preprocess.garment_mask import prepare_garment_mask
from kfvton.preprocess.io import load_image


def _garment(h: int = 200, w: int = 150, box: tuple[int, int, int, int] | None = None, background=None):
    """A red block on `background` (default plain white); box = (y0, y1, x0, x1)."""
    y0, y1, x0, x1 = box or (20, h - 20, 25, w - 25)
    img = torch.ones(1, 3, h, w) if background is None else background.clone()
    mask = torch.zeros(1, 1, h, w)
    mask[..., y0:y1, x0:x1] = 1
    img = img * (1 - mask) + torch.tensor([0.8, 0.1, 0.1])[None, :, None, None] * mask
    return img, mask


def test_plain_garment_no_warning():
    img, mask = _garment()
    assert garment_warnings(img, mask) == []


def test_shaded_backdrop_no_warning():
    ys = torch.linspace(0, 1, 200)[:, None].expand(200, 150)
    backdrop = (0.95 - 0.3 * ys)[None, None].expand(1, 3, -1, -1)  # a studio gradient, 0.95 to 0.65
    img, mask = _garment(background=backdrop)
    assert garment_warnings(img, mask) == []


def test_tiny_garment():
    img, mask = _garment(48, 40, box=(4, 44, 4, 36))
    (warning,) = garment_warnings(img, mask)
    assert warning.startswith("garment: the garment is only 32x40 pixels (W x H)") and "64 px" in warning


def test_extreme_aspect():
    img, mask = _garment(1000, 300, box=(50, 950, 100, 200))
    (warning,) = garment_warnings(img, mask, method="explicit")
    assert "garment: the garment is 100x900 pixels (W x H), an aspect of 1:9.0" in warning


def test_patterned_background_only_for_computed_masks():
    yy, xx = torch.meshgrid(torch.arange(200), torch.arange(150), indexing="ij")
    checker = (((yy // 10) + (xx // 10)) % 2).float()[None, None].expand(1, 3, -1, -1)
    img, mask = _garment(background=0.2 + 0.7 * checker)
    (warning,) = garment_warnings(img, mask, method="computed")
    assert "garment: the background is patterned or cluttered" in warning
    assert garment_warnings(img, mask, method="explicit") == []


def test_batch_items_named():
    small, small_mask = _garment(48, 40, box=(4, 44, 4, 36))
    img = torch.cat((torch.ones(1, 3, 48, 40), small))
    mask = torch.cat((small_mask, small_mask))
    warnings = garment_warnings(img, mask, method="explicit")
    assert [w.split(":")[0] for w in warnings] == ["garment[0]", "garment[1]"]


def test_garment_samples_no_false_warning(vitonhd_dir):

    for path in sorted((vitonhd_dir / "cloth").glob("*.jpg"))[:6]:
        img = load_image(path)
        mask = prepare_garment_mask(img)
        assert garment_warnings(img, mask.mask, method=mask.method) == [], path.name


def test_bad_mask_shape():
    img, _ = _garment()
    with pytest.raises(ValueError, match="mask: expected shape"):
        garment_warnings(img, torch.zeros(1, 1, 10, 10))


def test_photo_of_a_person_is_reported(vitonhd_dir):
    """A person wearing the garment (the sample person photo) is reported; flat sample garments are not."""
    mp = pytest.importorskip("mediapipe")
    if not hasattr(mp, "solutions"):
        pytest.skip("mediapipe without bundled models")
    person = load_image(vitonhd_dir / "image" / "00891_00.jpg")
    warnings = garment_photo_warnings(person, name="--garment")
    assert len(warnings) == 1 and "--garment: batch item 0 does not look like a flat garment photo" in warnings[0]
    for path in sorted((vitonhd_dir / "cloth").glob("*.jpg")):
        assert garment_photo_warnings(load_image(path)) == (), path.name


def test_cut_warnings_name_each_item():
    from kfvton.keypoints.garment_landmarks import GarmentLandmarks
    from kfvton.preprocess.garment_checks import garment_cut_warnings

    lm = GarmentLandmarks(
        torch.zeros(3, 14, 3), (64, 48), ("short", "none", "long"), ("regular", "strappy", "open front")
    )
    notes = garment_cut_warnings(lm)
    assert len(notes) == 2
    assert notes[0].startswith("garment[1]: strappy cut read from its outline") and "on the shoulders" in notes[0]
    assert notes[1].startswith("garment[2]: open front cut") and "as if closed" in notes[1]
    assert garment_cut_warnings(lm.select(1), name="--garment")[0].startswith("--garment: strappy cut")
    assert garment_cut_warnings(GarmentLandmarks(torch.zeros(1, 14, 3), (64, 48), ("none",))) == ()


def _marks(nose, shoulders, hips, knees=((0, 0), (0, 0))):
    """(33, 2) MediaPipe landmarks with the nose (0), shoulders (11, 12), hips (23, 24) and knees (25, 26) set,
    (x, y) pixels."""
    marks = np.zeros((33, 2))
    marks[0], (marks[11], marks[12]), (marks[23], marks[24]), (marks[25], marks[26]) = nose, shoulders, hips, knees
    return marks


def test_upright_person_standing_passes():
    # a person wearing the top: nose, then shoulders 260 px apart, then hips; the face 130 px wide
    person = _marks((380, 170), ((510, 330), (250, 340)), ((440, 710), (300, 700)))
    assert upright_person(person, 130.0)


@pytest.mark.parametrize(
    "marks, face_width",
    [
        # a face printed on a T-shirt: the pose model puts "shoulders" beside the printed nose, "hips" at the collar
        (_marks((411, 485), ((457, 452), (410, 437)), ((468, 244), (433, 251))), 115.0),
        # shoulders below the nose and above the hips, but narrower than the face around that nose (a print)
        (_marks((400, 300), ((430, 360), (370, 360)), ((425, 600), (375, 600))), 115.0),
        # hips level with the shoulders: no torso below them
        (_marks((400, 100), ((520, 300), (280, 300)), ((480, 320), (320, 320))), 115.0),
    ],
)
def test_upright_person_refuses_printed_and_flat_layouts(marks, face_width):
    assert not upright_person(marks, face_width)


def test_standing_legs_found_without_a_face():
    # a Dress Code model shot cut at the mouth: shoulders 200 px apart, hips 320 px lower, knees 240 px below them
    person = _marks((400, 0), ((500, 130), (300, 130)), ((460, 450), (340, 450)), ((470, 690), (330, 700)))
    assert standing_legs(person)


@pytest.mark.parametrize(
    "marks",
    [
        # knees level with the hips: no legs below the garment
        _marks((400, 0), ((500, 130), (300, 130)), ((460, 450), (340, 450)), ((470, 480), (330, 480))),
        # the pose fitted to a printed face (OOTDiffusion 03032_00): "hips" above the "shoulders"
        _marks((411, 485), ((457, 452), (410, 437)), ((468, 244), (433, 251)), ((470, 300), (430, 300))),
        # one knee up at the hips (a sleeve's end taken for a knee)
        _marks((400, 0), ((500, 130), (300, 130)), ((460, 450), (340, 450)), ((470, 690), (330, 460))),
    ],
)
def test_standing_legs_refuses_flat_layouts(marks):
    assert not standing_legs(marks)
