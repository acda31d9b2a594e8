"""composite_garment keeps each arm behind its own new sleeve (`sleeves`, from `warp_by_parts`) on a synthetic
person at 512 rows (issue 12, fit): an arm freed under an old short sleeve no longer cuts a straight notch into a
new, longer sleeve with a slanted cuff; the other arm's forearm may still lie in front of a sleeve."""

from __future__ import annotations

import torch

from kfvton.keypoints.pairs import KeypointPairs
from kfvton.keypoints.pose import Pose
from kfvton.pipelines.composite import composite_garment
from tests._synthetic_pose import synthetic_pairs

H, W = 512, 384
WALL, FACE, OLD = 0.92, (0.88, 0.68, 0.58), (0.95, 0.95, 0.95)
JOINTS = {0: (192, 60), 1: (192, 112), 2: (92, 120), 3: (68, 280), 4: (64, 450), 5: (292, 120), 6: (316, 280),
          7: (320, 450), 9: (140, 400), 12: (244, 400)}  # fmt: skip
TARGETS = {"collar_left": (220, 100), "collar_right": (164, 100), "shoulder_left": (260, 110),
           "shoulder_right": (124, 110), "armpit_left": (280, 200), "armpit_right": (104, 200),
           "hem_left": (280, 456), "hem_center": (192, 456), "hem_right": (104, 456),
           "sleeve_right_outer": (40, 236), "sleeve_right_inner": (88, 250),
           "sleeve_left_outer": (344, 236), "sleeve_left_inner": (296, 250)}  # fmt: skip
#: The new sleeves' slanted cuffs: the outer corner at row 236, the inner one at 280 (the lowest sleeve target,
#: 250, is where the arms' "below the sleeves" rule starts).
CUFF_OUTER, CUFF_INNER = 236, 280


def _paint(image: torch.Tensor, rows: slice, cols: slice, colour: tuple[float, float, float]) -> None:
    image[0, :, rows, cols] = torch.tensor(colour)[:, None, None]


def scene() -> tuple[torch.Tensor, torch.Tensor]:
    """A wall, a face, an old white T-shirt with short sleeves (to row 200) and bare arms under them (labels 14,
    15, 28 px wide about x 64 / 320, rows 200-450). Returns (person (1, 3, H, W), parse (1, H, W))."""
    person = torch.full((1, 3, H, W), WALL)
    parse = torch.zeros(1, H, W, dtype=torch.long)
    _paint(person, slice(20, 100), slice(152, 232), FACE)
    parse[0, 20:100, 152:232] = 13
    _paint(person, slice(100, 460), slice(112, 272), OLD)
    parse[0, 100:460, 112:272] = 5
    for x, label in ((64, 14), (320, 15)):
        _paint(person, slice(110, 200), slice(x - 24, x + 24), OLD)
        parse[0, 110:200, x - 24 : x + 24] = 5
        _paint(person, slice(200, 450), slice(x - 14, x + 14), FACE)
        parse[0, 200:450, x - 14 : x + 14] = label
    return person, parse


def pairs() -> KeypointPairs:
    return synthetic_pairs(JOINTS, TARGETS, (H, W))


def garment() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A red top: torso (columns 112-272, rows 100-456) and sleeves 56 px wide about each arm from row 110 down to a
    cuff slanted from CUFF_OUTER (outer side) to CUFF_INNER (inner side). Returns (image, mask, sleeves (1, 2, H,
    W) bool: right, left)."""
    mask = torch.zeros(1, 1, H, W)
    mask[..., 100:456, 112:272] = 1
    sleeves = torch.zeros(1, 2, H, W, dtype=torch.bool)
    rows = torch.arange(H)[:, None]
    for k, (x, sign) in enumerate(((64, -1), (320, 1))):
        cols = torch.arange(W)[None]
        across = ((cols - x) * sign + 28).clamp(0, 56) / 56  # 1 at the outer side, 0 at the inner side
        cuff = CUFF_INNER + (CUFF_OUTER - CUFF_INNER) * across
        sleeves[0, k] = (rows >= 110) & (rows < cuff) & ((cols - x).abs() < 28)
    mask[:, 0][sleeves.any(1)] = 1
    image = torch.tensor([0.8, 0.2, 0.15])[None, :, None, None].expand(1, 3, H, W).clone()
    return image, mask, sleeves


def test_freed_arm_stays_behind_a_longer_new_sleeve():
    person, parse = scene()
    image, mask, sleeves = garment()
    # the cuff's inner half under the lowest sleeve target (rows 254-262), over the bare arm
    cuff = (slice(None), 0, slice(254, 262), slice(72, 78))
    old = composite_garment(person, image, mask, parse=parse, keypoints=pairs())
    assert float(old.alpha[cuff].max()) < 0.1  # without the sleeves the arm cut a notch into the cuff
    out = composite_garment(person, image, mask, parse=parse, keypoints=pairs(), sleeves=sleeves)
    assert float(out.alpha[cuff].min()) > 0.9
    left_cuff = (slice(None), 0, slice(254, 262), slice(306, 312))
    assert float(out.alpha[left_cuff].min()) > 0.9
    # the arm under the cuff is still in front below it, and the torso's side is unchanged
    assert float(out.alpha[0, 0, 280:300, 58:70].max()) < 0.1
    torch.testing.assert_close(out.alpha[..., 300:450, 120:264], old.alpha[..., 300:450, 120:264])


def test_other_arms_forearm_stays_in_front_of_a_sleeve():
    person, parse = scene()
    # the left forearm crosses the body to the right sleeve's cuff: elbow at (250, 300), wrist at (80, 258)
    pose = pairs()
    joints = pose.pose.joints.clone()
    joints[0, 6] = torch.tensor([250.0, 300.0, 1.0])
    joints[0, 7] = torch.tensor([80.0, 258.0, 1.0])
    crossed = KeypointPairs(pose.garment_px, pose.person_px, pose.names, (H, W), (H, W), pose=Pose(joints, (H, W)))
    _paint(person, slice(252, 266), slice(74, 140), FACE)
    parse[0, 252:266, 74:140] = 15  # the left hand and wrist over the right cuff
    image, mask, sleeves = garment()
    out = composite_garment(person, image, mask, parse=parse, keypoints=crossed, sleeves=sleeves)
    assert float(out.alpha[0, 0, 256:262, 80:88].max()) < 0.1  # the hand in front of the right cuff
    assert float(out.alpha[0, 0, 238:248, 60:72].min()) > 0.9  # the cuff above it is still the garment


def test_sleeves_shape_is_checked():
    person, parse = scene()
    image, mask, sleeves = garment()
    import pytest

    with pytest.raises(ValueError, match="sleeves"):
        composite_garment(person, image, mask, parse=parse, keypoints=pairs(), sleeves=sleeves[:, :1])


def test_grown_band_beside_a_stripe_takes_the_garments_main_colour():
    """The fit grows the garment over freed old clothes beside it; a white stripe running along a red sleeve's edge
    (VITON-HD paired 00008's three stripes) made that band a pale pink blur of the two: now it is the red."""
    person, parse = scene()
    # the old top reaches 12 px past the new garment's left side (columns 100-112), beside the body
    _paint(person, slice(220, 440), slice(100, 112), OLD)
    parse[0, 220:440, 100:112] = 5
    mask = torch.zeros(1, 1, H, W)
    mask[..., 100:456, 112:272] = 1
    image = torch.tensor([0.8, 0.2, 0.15])[None, :, None, None].expand(1, 3, H, W).clone()
    image[0, :, :, 126:140] = 0.97  # a white stripe 14 px inside the garment's edge
    out = composite_garment(person, image, mask, parse=parse, keypoints=pairs(), shading=False)
    band = out.image[0, :, 260:400, 105:110]
    assert float(out.alpha[0, 0, 260:400, 103:110].min()) > 0.9  # grown over the old clothes
    assert float((band[0] - band[1]).mean()) > 0.45, band.mean((1, 2))  # red, not pink (R - G 0.6 vs ~0.3)


def test_grown_band_beside_a_two_tone_print_continues_the_print():
    """A navy print with light-blue motifs (VITON-HD 02783 on 00891): the band grown over the old top beside it, and
    the garment's own rim next to it, were the print's flat mean, a smeared blue-grey strip along the sleeve; now
    both show the print's two tones."""
    person, parse = scene()
    _paint(person, slice(220, 440), slice(100, 112), OLD)
    parse[0, 220:440, 100:112] = 5
    mask = torch.zeros(1, 1, H, W)
    mask[..., 100:456, 112:272] = 1
    navy, light = torch.tensor([0.12, 0.14, 0.3]), torch.tensor([0.65, 0.75, 0.95])
    image = navy[None, :, None, None].expand(1, 3, H, W).clone()
    rows, cols = torch.meshgrid(torch.arange(H), torch.arange(W), indexing="ij")
    motifs = ((rows // 10 + cols // 10) % 2 == 0) & (cols >= 112)  # 10 px checks, half of them light
    image[0, :, motifs] = light[:, None]
    out = composite_garment(person, image, mask, parse=parse, keypoints=pairs(), shading=False)
    assert float(out.alpha[0, 0, 260:400, 103:110].min()) > 0.9  # grown over the old clothes
    for cols_ in (slice(102, 110), slice(112, 117)):  # the band, the garment's rim
        lum = out.image[0, :, 260:400, cols_].mean(0)
        dark, bright = float((lum < 0.3).float().mean()), float((lum > 0.6).float().mean())
        assert dark > 0.25 and bright > 0.25, (cols_, dark, bright)  # both tones, not a mid-grey mean


def test_grown_band_beside_a_colour_block_takes_that_blocks_colour():
    """A polo in two colour blocks, a light-blue yoke over a navy body: the fit's band grows mostly beside the yoke
    (the old top wider at the shoulders) and a little beside the navy hem. One main colour for the whole band, the
    yoke's, filled the navy hem's side light blue (unseen ootd_model_6 x idm_09163_00: pale strips and flecks along
    the hem); each piece of the band now takes the colour of the garment beside it."""
    person, parse = scene()
    for rows, cols in ((slice(150, 290), slice(100, 112)), (slice(150, 290), slice(272, 284)),
                       (slice(410, 430), slice(100, 112))):  # fmt: skip
        _paint(person, rows, cols, OLD)
        parse[0, rows, cols] = 5
    mask = torch.zeros(1, 1, H, W)
    mask[..., 100:456, 112:272] = 1
    navy, light = torch.tensor([0.12, 0.12, 0.22]), torch.tensor([0.75, 0.85, 0.93])
    image = navy[None, :, None, None].expand(1, 3, H, W).clone()
    image[0, :, :300] = light[:, None, None]
    out = composite_garment(person, image, mask, parse=parse, keypoints=pairs(), shading=False)
    assert float(out.alpha[0, 0, 240:280, 103:110].min()) > 0.9  # grown beside the yoke ...
    assert float(out.alpha[0, 0, 418:423, 103:110].min()) > 0.9  # ... and beside the navy hem
    assert float(out.image[0, :, 240:280, 103:110].mean()) > 0.7  # light blue there
    hem_side = out.image[0, :, 418:423, 103:116]  # the band and the garment's rim next to it
    assert float(hem_side.mean(0).max()) < 0.3, hem_side.mean((1, 2))  # navy, no light-blue pixel
