"""Keypoint overlays: drawing changes pixels where the points are, keeps shapes, skips missing points."""

from __future__ import annotations

import pytest
import torch

from kfvton.keypoints.draw import draw_correspondences, draw_keypoints, draw_pose
from kfvton.keypoints.pairs import KeypointPairs
from kfvton.keypoints.pose import Pose, joint_index


def _pairs(batch: int = 1) -> KeypointPairs:
    garment = torch.tensor([[[10.0, 10.0, 1.0], [30.0, 40.0, 1.0], [50.0, 20.0, 0.0]]]).expand(batch, -1, -1)
    person = torch.tensor([[[20.0, 30.0, 1.0], [60.0, 90.0, 1.0], [70.0, 10.0, 1.0]]]).expand(batch, -1, -1)
    return KeypointPairs(garment.clone(), person.clone(), ("a", "b", "c"), (60, 60), (120, 90))


class TestDraw:
    def test_person_side(self):
        image = torch.zeros(2, 3, 120, 90)
        out = draw_keypoints(image, _pairs(2))
        assert out.shape == image.shape and out.dtype == image.dtype
        assert float(out[0, :, 30, 20].sum()) > 0.5  # drawn at the target
        assert float(out[0, :, 10, 70].sum()) == 0.0  # pair "c" is missing on the garment side: not drawn
        assert float(image.abs().sum()) == 0.0  # input untouched

    def test_garment_side_rescaled(self):
        out = draw_keypoints(torch.zeros(1, 3, 120, 120), _pairs(), side="garment")  # garment drawn at 2x
        assert float(out[0, :, 20, 20].sum()) > 0.5

    def test_pose(self):
        joints = torch.zeros(1, 25, 3)
        joints[0, joint_index("neck")] = torch.tensor([45.0, 20.0, 1.0])
        joints[0, joint_index("right_shoulder")] = torch.tensor([25.0, 25.0, 1.0])
        out = draw_pose(torch.zeros(1, 3, 120, 90), Pose(joints, (120, 90)))
        assert float(out[0, :, 22, 35].sum()) > 0  # on the neck-shoulder limb
        assert float(out[0, :, 100, 10].sum()) == 0

    def test_correspondences(self):
        out = draw_correspondences(torch.ones(1, 3, 60, 60), torch.zeros(1, 3, 120, 90), _pairs(), labels=True)
        assert out.shape == (1, 3, 120, 120 + 90)

    def test_errors(self):
        with pytest.raises(TypeError, match="keypoints"):
            draw_keypoints(torch.zeros(1, 3, 8, 8), [1, 2])
        with pytest.raises(ValueError, match="side"):
            draw_keypoints(torch.zeros(1, 3, 8, 8), _pairs(), side="both")
        with pytest.raises(ValueError, match="image"):
            draw_keypoints(torch.zeros(1, 8, 8), _pairs())
