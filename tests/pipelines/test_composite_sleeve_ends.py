"""composite_garment at a short sleeve's end on a synthetic person at 512 rows (issue 12, two photos): the torso's side
does not grow over the arm below the cuff, and with tilted shoulders each sleeve's own end decides where its arm
comes out in front of the garment."""

from __future__ import annotations

import torch

from kfvton.keypoints.pairs import KeypointPairs
from kfvton.pipelines.composite import composite_garment
from tests._synthetic_pose import synthetic_pairs

H, W = 512, 384
WALL, SKIN, OLD = 0.92, (0.80, 0.60, 0.50), (0.30, 0.45, 0.85)
RED = (0.8, 0.2, 0.15)


def _paint(image: torch.Tensor, rows: slice, cols: slice, colour: tuple[float, float, float]) -> None:
    image[0, :, rows, cols] = torch.tensor(colour)[:, None, None]


def _pairs(joints_xy: dict[int, tuple[float, float]], targets: dict[str, tuple[float, float]]) -> KeypointPairs:
    return synthetic_pairs(joints_xy, targets, (H, W))


def _garment(mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.tensor(RED)[None, :, None, None].expand(1, 3, H, W).clone(), mask


def _long_sleeved_old_top() -> tuple[torch.Tensor, torch.Tensor]:
    """(person (1, 3, H, W), parse (1, H, W)): a face over an old blue top whose long wide sleeves hide the arms
    to the wrists (no arm labels, as an estimated parse map has them)."""
    person = torch.full((1, 3, H, W), WALL)
    parse = torch.zeros(1, H, W, dtype=torch.long)
    _paint(person, slice(20, 100), slice(152, 232), SKIN)
    parse[0, 20:100, 152:232] = 13
    _paint(person, slice(100, 460), slice(36, 348), OLD)  # torso and both long sleeves, arm to wrist
    parse[0, 100:460, 36:348] = 5
    return person, parse


def test_torso_side_does_not_grow_over_the_arm_below_the_cuff():
    """An old blue top with long wide sleeves (the arms hidden, no arm labels, as an estimated parse map has them);
    a new red T-shirt whose short sleeves end at row 200. Just below the cuff the torso's side grew sideways over the
    hidden arm (IDM 00035 in a black tee: a dark blob off the side seam and a notch of wall beside it)."""
    person, parse = _long_sleeved_old_top()
    joints = {0: (192, 60), 1: (192, 112), 2: (92, 120), 3: (76, 300), 4: (72, 450), 5: (292, 120), 6: (308, 300),
              7: (312, 450), 9: (140, 400), 12: (244, 400)}  # fmt: skip
    targets = {"collar_left": (220, 100), "collar_right": (164, 100), "shoulder_left": (260, 110),
               "shoulder_right": (124, 110), "armpit_left": (272, 180), "armpit_right": (112, 180),
               "hem_left": (272, 456), "hem_center": (192, 456), "hem_right": (112, 456),
               "sleeve_right_outer": (40, 196), "sleeve_right_inner": (100, 200),
               "sleeve_left_outer": (344, 196), "sleeve_left_inner": (284, 200)}  # fmt: skip
    mask = torch.zeros(1, 1, H, W)
    mask[..., 100:456, 112:272] = 1  # the torso
    mask[..., 110:200, 40:112] = 1  # the short sleeves, ending at row 200
    mask[..., 110:200, 272:344] = 1
    image, mask = _garment(mask)
    out = composite_garment(person, image, mask, parse=parse, keypoints=_pairs(joints, targets), shading=False)
    # the rows just below the cuff, beside the torso's side over the arm: repainted (skin), not the garment grown
    for cols in (slice(96, 106), slice(278, 288)):
        assert float(out.alpha[0, 0, 204:214, cols].max()) < 0.5, cols
    # the garment is still grown over the old clothes beside the sleeve above the cuff (unchanged rule)
    assert float(out.alpha[0, 0, 150:190, 60:100].min()) > 0.9


def test_higher_sleeves_arm_comes_out_under_its_own_end():
    """Tilted shoulders: the left sleeve ends at row 170, the right one at 250. The left arm hangs over the torso's
    side; between rows 170 and 250 it is below its own sleeve and stays in front of the garment's torso (the lowest
    end of both sleeves kept it under the garment: OOTD 09597, a sleeve cut straight down along the arm)."""
    person = torch.full((1, 3, H, W), WALL)
    parse = torch.zeros(1, H, W, dtype=torch.long)
    _paint(person, slice(20, 100), slice(152, 232), SKIN)
    parse[0, 20:100, 152:232] = 13
    _paint(person, slice(100, 460), slice(112, 272), OLD)
    parse[0, 100:460, 112:272] = 5
    _paint(person, slice(110, 450), slice(48, 80), SKIN)  # the right arm, beside the torso
    parse[0, 110:450, 48:80] = 14
    _paint(person, slice(110, 450), slice(256, 286), SKIN)  # the left arm, over the torso's side
    parse[0, 110:450, 256:286] = 15
    joints = {0: (192, 60), 1: (192, 112), 2: (92, 140), 3: (66, 300), 4: (64, 450), 5: (276, 100), 6: (272, 300),
              7: (272, 450), 9: (140, 400), 12: (244, 400)}  # fmt: skip
    targets = {"collar_left": (220, 100), "collar_right": (164, 100), "shoulder_left": (268, 96),
               "shoulder_right": (124, 130), "armpit_left": (266, 150), "armpit_right": (112, 220),
               "hem_left": (272, 456), "hem_center": (192, 456), "hem_right": (112, 456),
               "sleeve_right_outer": (36, 240), "sleeve_right_inner": (84, 250),
               "sleeve_left_outer": (300, 160), "sleeve_left_inner": (250, 170)}  # fmt: skip
    mask = torch.zeros(1, 1, H, W)
    mask[..., 100:456, 112:276] = 1  # the torso, its side over the left arm
    image, mask = _garment(mask)
    out = composite_garment(person, image, mask, parse=parse, keypoints=_pairs(joints, targets), shading=False)
    assert float(out.alpha[0, 0, 190:240, 262:272].max()) < 0.1  # the left arm in front below its sleeve
    assert float(out.alpha[0, 0, 190:240, 140:240].min()) > 0.9  # the torso is still the garment


def test_torso_side_does_not_grow_over_the_arm_under_a_slanted_sleeve_end():
    """Sleeves whose ends slant up from the outer tip (row 200) to the armpit (row 160), over an old blue top with
    long sleeves hiding the arms. Between the armpit and the cuff the torso's side grew sideways over the hidden arm
    under the sleeve: a lump of garment hung beside the arm, a stepped cuff (VITON-HD 07445 with 06802)."""
    person, parse = _long_sleeved_old_top()
    joints = {0: (192, 60), 1: (192, 112), 2: (100, 120), 3: (90, 300), 4: (86, 450), 5: (284, 120), 6: (294, 300),
              7: (298, 450), 9: (140, 400), 12: (244, 400)}  # fmt: skip
    targets = {"collar_left": (220, 100), "collar_right": (164, 100), "shoulder_left": (260, 110),
               "shoulder_right": (124, 110), "armpit_left": (272, 160), "armpit_right": (112, 160),
               "hem_left": (272, 456), "hem_center": (192, 456), "hem_right": (112, 456),
               "sleeve_right_outer": (40, 200), "sleeve_right_inner": (84, 200),
               "sleeve_left_outer": (344, 200), "sleeve_left_inner": (300, 200)}  # fmt: skip
    yy, xx = torch.meshgrid(torch.arange(H), torch.arange(W), indexing="ij")
    right = (xx >= 40) & (xx < 112) & (yy >= 110) & (yy < 200 - (xx - 40) * 40 / 72)
    left = (xx >= 272) & (xx < 344) & (yy >= 110) & (yy < 200 - (344 - xx) * 40 / 72)
    mask = torch.zeros(1, 1, H, W)
    mask[..., 100:456, 112:272] = 1  # the torso
    mask[0, 0][right | left] = 1
    image, mask = _garment(mask)
    out = composite_garment(person, image, mask, parse=parse, keypoints=_pairs(joints, targets), shading=False)
    # beside the torso's side under each sleeve's end, over the hidden arm: repainted, not the garment grown
    for cols in (slice(100, 110), slice(274, 284)):
        assert float(out.alpha[0, 0, 172:198, cols].max()) < 0.5, cols
    assert float(out.alpha[0, 0, 172:198, 116:268].min()) > 0.9  # the torso is still the garment
    assert float(out.alpha[0, 0, 150:180, 44:60].min()) > 0.9  # and the sleeves' outer tips
