"""Keypoint pairs for the synthetic persons of the composite tests: OpenPose BODY_25 joints and garment targets
given as pixel positions, every one visible."""

from __future__ import annotations

import torch

from kfvton.keypoints.pairs import KeypointPairs
from kfvton.keypoints.pose import Pose


def synthetic_pairs(
    joints_xy: dict[int, tuple[float, float]], targets: dict[str, tuple[float, float]], hw: tuple[int, int]
) -> KeypointPairs:
    """One item's pairs on an image of `hw` (H, W): the joints `joints_xy` (BODY_25 index -> x, y; the others
    absent) as its pose, the `targets` (name -> x, y) as both garment and person points (the composite reads the
    person's)."""
    joints = torch.zeros(1, 25, 3)
    for k, (x, y) in joints_xy.items():
        joints[0, k] = torch.tensor([x, y, 1.0])
    names = tuple(targets)
    person_px = torch.tensor([[[*targets[n], 1.0] for n in names]])
    return KeypointPairs(person_px.clone(), person_px, names, hw, hw, pose=Pose(joints, hw))
