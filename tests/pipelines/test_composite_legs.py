"""The legs repainted under a shorter dress or lower garment (issue 13): they continue the visible legs below the
new hem (`_leg_segments`: their width and centre, not the pose's bones alone) and decide skin or wall below the
hips with a crisp outline (`_below_hips_legs`), not blobs grown from the nearest skin."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kfvton.keypoints.pairs import KeypointPairs
from kfvton.keypoints.pose import Pose
from kfvton.pipelines.composite import LEG_WIDTHS, _below_hips_legs, _leg_segments

H, W = 1024, 768
#: BODY_25: shoulders 2 / 5 (160 px apart), hips 9 / 12, knees 10 / 13, ankles 11 / 14
JOINTS = {2: (304, 200), 5: (464, 200), 9: (340, 480), 12: (428, 480), 10: (340, 700), 13: (428, 700),
          11: (340, 920), 14: (428, 920)}  # fmt: skip
SW = 160.0


def pairs() -> KeypointPairs:
    joints = torch.zeros(1, 25, 3)
    for k, (x, y) in JOINTS.items():
        joints[0, k] = torch.tensor([float(x), float(y), 1.0])
    return KeypointPairs(torch.zeros(1, 1, 3), torch.zeros(1, 1, 3), ("x",), (H, W), (H, W), pose=Pose(joints, (H, W)))


def visible_calves(shift: int, width: int) -> np.ndarray:
    """(H, W) bool: both calves `width` px wide, centred `shift` px right of their bones, from row 800 to 900."""
    legs = np.zeros((H, W), bool)
    for x in (340, 428):
        legs[800:900, x + shift - width // 2 : x + shift + width // 2] = True
    return legs


def test_calves_take_the_visible_legs_centre_and_width_and_the_thighs_follow() -> None:
    legs = _leg_segments(visible_calves(shift=12, width=64), pairs(), 0)
    assert legs is not None and len(legs.segments) == 4
    assert abs(legs.hips_y - 480) < 1e-6
    by_top = {round(float(pa[1])): (pa, pb, ra, rb) for pa, pb, ra, rb in legs.segments if pa[0] < 384}
    thigh, calf = by_top[480], by_top[700]
    # the calf: shifted onto the visible skin (bones point down: the normal points to -x, so a shift right reads <0)
    assert abs(float(calf[0][0]) - 352) < 3 and abs(float(calf[1][0]) - 352) < 3
    # wider than the prior (64 px over ~0.26 sw of the prior at rows 800-900), within the scale's cap
    prior_mid = 0.5 * (LEG_WIDTHS[(10, 11)][0] + LEG_WIDTHS[(10, 11)][1]) * SW
    assert 2 * 0.5 * (calf[2] + calf[3]) > prior_mid
    # the thigh: from the pose's hip down to the calf's shifted knee, scaled alike
    assert abs(float(thigh[0][0]) - 340) < 1e-6 and abs(float(thigh[1][0]) - 352) < 3
    scale = calf[2] / (0.5 * LEG_WIDTHS[(10, 11)][0] * SW)
    assert thigh[2] / (0.5 * LEG_WIDTHS[(9, 10)][0] * SW) == pytest.approx(scale)


def test_without_visible_legs_the_prior_on_the_bones() -> None:
    legs = _leg_segments(np.zeros((H, W), bool), pairs(), 0)
    assert legs is not None
    for pa, pb, ra, rb in legs.segments:
        assert float(pa[0]) in (340.0, 428.0) and float(pb[0]) == float(pa[0])
        assert (ra, rb) in {(0.5 * a * SW, 0.5 * b * SW) for a, b in LEG_WIDTHS.values()}


def test_below_the_hips_skin_inside_the_legs_wall_between_and_beside_them() -> None:
    legs = _leg_segments(visible_calves(shift=0, width=56), pairs(), 0)
    assert legs is not None
    weight = np.full((H // 2, W // 2), 0.25, np.float32)  # (at 1/2: WEIGHT_SCALE; a crop at the origin)
    out = _below_hips_legs(weight, np.zeros_like(weight, bool), legs, (0, 0), 1.0)
    small = lambda x, y: float(out[y // 2, x // 2])  # noqa: E731
    assert small(340, 850) < 0.05 and small(428, 850) < 0.05  # calves: skin
    assert small(384, 850) > 0.95  # between the calves: wall
    assert small(250, 850) > 0.95 and small(520, 850) > 0.95  # beside them: wall
    assert small(340, 560) < 0.05  # a thigh
    assert small(250, 300) == 0.25  # above the hips: as it was
