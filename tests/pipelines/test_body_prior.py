"""body_prior's torso: round shoulders (issue 12.3), not the square corner that filled an old T-shirt's shoulder
block with repainted skin."""

from __future__ import annotations

import cv2
import numpy as np

from kfvton.pipelines.body_prior import (
    LIMB_WIDTHS,
    NECK_WIDTH,
    TORSO_NECK,
    TORSO_SHOULDER,
    shoulder_arc,
    shoulder_reach,
    torso_outline,
)

SW = 200.0
#: BODY_25 joints of an upright person, shoulders SW apart: neck, shoulders, elbows hanging, hips.
JOINTS = {1: (300, 200), 2: (200, 200), 3: (190, 360), 5: (400, 200), 6: (410, 360), 9: (240, 520), 12: (360, 520)}


def _joints() -> tuple[np.ndarray, np.ndarray]:
    xy, ok = np.zeros((25, 2)), np.zeros(25, bool)
    for k, p in JOINTS.items():
        xy[k], ok[k] = p, True
    return xy, ok


def _inside(outline: np.ndarray, point: tuple[float, float]) -> bool:
    return cv2.pointPolygonTest(outline.astype(np.float32), point, False) > 0


class TestRoundShoulders:
    def test_corner_outside_round_inside(self):
        outline = torso_outline(*_joints(), SW)
        assert outline is not None
        for x, out in ((200, -1), (400, 1)):
            # the old square corner (0.15 out, 0.15 up) is wall; over the joint and out at its level is body
            assert not _inside(outline, (x + out * 0.15 * SW, 200 - 0.15 * SW))
            assert _inside(outline, (x, 200 - 0.9 * TORSO_SHOULDER[1] * SW))
            assert _inside(outline, (x + out * 0.9 * TORSO_SHOULDER[0] * SW, 201))
            # round: halfway out, the top is lower than over the joint, but not as low as a cut corner
            half = (x + out * 0.5 * TORSO_SHOULDER[0] * SW, 200 - 0.8 * TORSO_SHOULDER[1] * SW)
            assert _inside(outline, half)

    def test_shoulders_slope_down_from_the_neck(self):
        """The line from the neck's base to each shoulder's top falls: a third of the way in from the shoulder the
        outline's top lies between the shoulder's and the neck base's heights, not above both (the neck joint at the
        shoulders' midpoint, as MediaPipe's: the old convex line reached 0.21 shoulder widths up there, over the
        neck base's 0.2, and the unseen idm_00121's freed shoulders under a bustier read as one flat line)."""
        outline = torso_outline(*_joints(), SW)
        assert outline is not None
        neck_up, top_up = TORSO_NECK * SW, TORSO_SHOULDER[1] * SW
        x_neck = 300 - 0.5 * NECK_WIDTH * SW
        for side in (-1, 1):
            x = 300 + side * (300 - (200 + (x_neck - 200) / 3))  # a third of the way from the shoulder to the neck
            up = top_up + (neck_up - top_up) / 3
            assert _inside(outline, (x, 200 - up + 2)) and not _inside(outline, (x, 200 - up - 2))
            assert neck_up - top_up >= 0.1 * SW  # ~20 degrees over ~0.3 shoulder widths across

    def test_arc_runs_from_the_top_out_and_down(self):
        arc = shoulder_arc(np.array([200.0, 200.0]), np.array([-1.0, 0.0]), np.array([0.0, 1.0]), SW)
        assert np.allclose(arc[0], (200, 200 - TORSO_SHOULDER[1] * SW))
        assert np.allclose(arc[-1], (200 - TORSO_SHOULDER[0] * SW, 200))  # out (left) at the joint's level
        assert np.all(np.diff(arc[:, 1]) > 0) and np.all(np.diff(arc[:, 0]) < 0)  # out and down all the way

    def test_a_slim_upper_arm_narrows_its_shoulder(self):
        """The shoulder's round reaches out in proportion to its upper arm at the joint: the right arm at half the
        prior's width reaches half as far (a wider round stood out of a slim arm as a square corner of skin where an
        old T-shirt's shoulder was); the left, at the prior's width, and arms wider than it, keep `TORSO_SHOULDER`."""
        half = LIMB_WIDTHS[(2, 3)][0] / 2
        widths = {**LIMB_WIDTHS, (2, 3): (half, half), (5, 6): (0.3, 0.25)}
        right, left = shoulder_reach(widths)
        assert np.isclose(right, TORSO_SHOULDER[0] / 2) and left == TORSO_SHOULDER[0]
        assert shoulder_reach(None) == (TORSO_SHOULDER[0], TORSO_SHOULDER[0])
        outline = torso_outline(*_joints(), SW, reach=(right, left))
        assert outline is not None
        out_at = 0.75 * TORSO_SHOULDER[0] * SW
        assert not _inside(outline, (200 - out_at, 201)) and _inside(outline, (400 + out_at, 201))
