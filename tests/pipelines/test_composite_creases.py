"""composite_garment does not carry the deep crease between an old sleeve and the old top's torso onto the middle of
a wider new sleeve (issue 12.2, `_sleeve_creases`: the gain keeps `SLEEVE_CREASE_FLOOR` there), on a synthetic person
at 512 rows; without a new sleeve there the crease's shadow is still read."""

from __future__ import annotations

import torch

from kfvton.keypoints.pairs import KeypointPairs
from kfvton.pipelines.composite import SLEEVE_CREASE_FLOOR, composite_garment
from tests._synthetic_pose import synthetic_pairs

H, W = 512, 384
WALL, FACE, OLD, CREASE = 0.92, (0.88, 0.68, 0.58), 0.5, 0.3
JOINTS = {0: (192, 60), 1: (192, 112), 2: (124, 120), 3: (84, 280), 4: (80, 450), 5: (260, 120), 6: (300, 280),
          7: (304, 450), 9: (150, 400), 12: (234, 400)}  # fmt: skip
TARGETS = {"collar_left": (220, 100), "collar_right": (164, 100), "shoulder_left": (264, 110),
           "shoulder_right": (120, 110), "armpit_left": (272, 200), "armpit_right": (112, 200),
           "hem_left": (272, 456), "hem_center": (192, 456), "hem_right": (112, 456),
           "sleeve_right_outer": (44, 440), "sleeve_right_inner": (120, 440),
           "sleeve_left_outer": (340, 440), "sleeve_left_inner": (264, 440)}  # fmt: skip
#: the dark crease between the old right sleeve and the torso: columns about x 112, rows 200-440
CREASE_X, CREASE_ROWS = 112, slice(200, 440)


def scene() -> tuple[torch.Tensor, torch.Tensor]:
    """A wall, a face, an old grey long-sleeved top (torso columns 112-272, sleeves 40 px wide beside it to row
    440) with a soft dark crease where the right sleeve meets the torso. Returns (person (1, 3, H, W), parse)."""
    person = torch.full((1, 3, H, W), WALL)
    parse = torch.zeros(1, H, W, dtype=torch.long)
    person[0, :, 20:100, 152:232] = torch.tensor(FACE)[:, None, None]
    parse[0, 20:100, 152:232] = 13
    person[0, :, 100:460, 72:312] = OLD
    parse[0, 100:460, 72:312] = 5
    cols = torch.arange(W, dtype=torch.float32)
    dip = (OLD - CREASE) * torch.exp(-0.5 * ((cols - CREASE_X) / 3.0) ** 2)  # a soft valley ~8 px wide
    person[0, :, CREASE_ROWS, 72:312] -= dip[72:312]
    return person, parse


def pairs() -> KeypointPairs:
    return synthetic_pairs(JOINTS, TARGETS, (H, W))


def garment() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A pink top over the old one, its right sleeve 80 px wide (columns 52-132: the old crease mid-sleeve).
    Returns (image, mask, sleeves (1, 2, H, W) bool: right, left)."""
    mask = torch.zeros(1, 1, H, W)
    mask[..., 100:456, 72:312] = 1
    sleeves = torch.zeros(1, 2, H, W, dtype=torch.bool)
    sleeves[0, 0, 110:440, 52:132] = True
    sleeves[0, 1, 110:440, 272:312] = True
    mask[:, 0][sleeves.any(1)] = 1
    image = torch.tensor([0.95, 0.7, 0.6])[None, :, None, None].expand(1, 3, H, W).clone()
    return image, mask, sleeves


def test_old_crease_not_carried_mid_sleeve():
    person, parse = scene()
    image, mask, sleeves = garment()
    at = (0, 0, slice(260, 400), slice(CREASE_X - 2, CREASE_X + 3))
    plain = composite_garment(person, image, mask, parse=parse, keypoints=pairs())
    # the crease is read as a deep shadow
    assert plain.shading is not None and float(plain.shading[at].min()) < SLEEVE_CREASE_FLOOR - 0.1
    out = composite_garment(person, image, mask, parse=parse, keypoints=pairs(), sleeves=sleeves)
    assert out.shading is not None and float(out.shading[at].min()) > SLEEVE_CREASE_FLOOR - 0.01
    # the rest of the new sleeve and torso keep their light: no other change away from the crease
    away = (0, 0, slice(260, 400), slice(150, 250))
    assert torch.allclose(out.shading[away], plain.shading[away], atol=0.02)
