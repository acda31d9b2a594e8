"""`Pose`: the one person-keypoint representation inside the library (style rule R11).

Joints follow OpenPose BODY_25 order, the richest of the formats we read, so every conversion into it is
lossless; COCO-17, COCO-18 (OpenPose-18), MediaPipe and DWPose map in and out in `kfvton.keypoints.formats`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from .._checks import check_shape

__all__ = ["BODY25_JOINTS", "PRESENT_THRESHOLD", "Pose", "joint_index"]

BODY25_JOINTS: tuple[str, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow", "left_wrist",
    "mid_hip", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
    "left_big_toe", "left_small_toe", "left_heel", "right_big_toe", "right_small_toe", "right_heel",
)  # fmt: skip
_INDEX = {name: i for i, name in enumerate(BODY25_JOINTS)}
#: A joint counts as detected when its confidence is above this: weaker detections are noise the placement, region
#: and validation steps all treat as missing (the one threshold they share).
PRESENT_THRESHOLD = 0.05


def joint_index(name: str) -> int:
    """BODY_25 index of a joint name (e.g. "left_shoulder"); raises with the valid names."""
    try:
        return _INDEX[name]
    except KeyError:
        raise KeyError(f"unknown joint {name!r}; expected one of {', '.join(BODY25_JOINTS)}") from None


@dataclass(frozen=True)
class Pose:
    """Person keypoints for a batch of images.

    Attributes:
        joints: (B, 25, 3) float, (x_px, y_px, confidence) in BODY_25 order; pixel coordinates in the frame of
            `canvas_hw`; confidence 0 marks a missing joint (its x, y are meaningless, never (0, 0) by intent).
        canvas_hw: (H, W) of the image the pixels refer to.
    """

    joints: Tensor
    canvas_hw: tuple[int, int]

    def __post_init__(self) -> None:
        check_shape(self.joints, "pose.joints", ("B", len(BODY25_JOINTS), 3))
        h, w = self.canvas_hw
        if h < 1 or w < 1:
            raise ValueError(f"pose.canvas_hw: expected a positive (H, W), got {self.canvas_hw}")

    @property
    def batch_size(self) -> int:
        return int(self.joints.shape[0])

    def joint(self, name: str) -> Tensor:
        """(B, 3) one joint's (x_px, y_px, confidence)."""
        return self.joints[:, joint_index(name)]

    def present(self, name: str, threshold: float = PRESENT_THRESHOLD) -> Tensor:
        """(B,) bool, whether the joint was detected with confidence above `threshold`."""
        return self.joint(name)[:, 2] > threshold

    def rescaled(self, canvas_hw: tuple[int, int]) -> Pose:
        """The same pose in a resized image's pixel frame (pixel centres map to pixel centres)."""
        h0, w0 = self.canvas_hw
        h1, w1 = canvas_hw
        scale = torch.tensor([w1 / w0, h1 / h0], dtype=self.joints.dtype, device=self.joints.device)
        xy = (self.joints[..., :2] + 0.5) * scale - 0.5
        return Pose(torch.cat((xy, self.joints[..., 2:]), dim=-1), (h1, w1))

    def select(self, index: int) -> Pose:
        return Pose(self.joints[index : index + 1], self.canvas_hw)

    def to(self, device: torch.device | str | None = None) -> Pose:
        return Pose(self.joints.to(device), self.canvas_hw)
