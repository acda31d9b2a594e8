"""`KeypointPairs`: garment landmarks and where each lands on the person; the input of every TPS warp.

The classical path makes them from the garment contour and the person's pose; the learned path from the keypoint
detector (K groups of N points); the keypoint editor changes them. All three share this one type.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
from torch import Tensor

from .._checks import check_shape
from .pose import Pose

__all__ = ["KeypointPairs"]


@dataclass(frozen=True)
class KeypointPairs:
    """Corresponding points on the garment image and on the person image.

    Attributes:
        garment_px: (B, N, 3) float (x_px, y_px, confidence) in the garment image's pixel frame.
        person_px: (B, N, 3) float (x_px, y_px, confidence) in the person image's pixel frame.
        names: N point names ("collar_left", ... or "g3_k07" for learned group 3, point 7).
        garment_hw: (H, W) of the garment image.
        person_hw: (H, W) of the person image.
        groups: K; the N points are K groups of N // K (group-major). 1 for the classical landmarks.
        origin: "classical", "learned" or "edited".
        pose: the person pose the targets were placed from, if any.

    A pair takes part in a warp only where both confidences are > 0.
    """

    garment_px: Tensor
    person_px: Tensor
    names: tuple[str, ...]
    garment_hw: tuple[int, int]
    person_hw: tuple[int, int]
    groups: int = 1
    origin: str = "classical"
    pose: Pose | None = None

    def __post_init__(self) -> None:
        check_shape(self.garment_px, "keypoints.garment_px", ("B", len(self.names), 3))
        check_shape(self.person_px, "keypoints.person_px", (self.garment_px.shape[0], len(self.names), 3))
        if self.groups < 1 or len(self.names) % self.groups:
            raise ValueError(f"keypoints.groups: {self.groups} does not divide the {len(self.names)} points")

    @property
    def batch_size(self) -> int:
        return int(self.garment_px.shape[0])

    @property
    def valid(self) -> Tensor:
        """(B, N) bool: pairs with both points present."""
        return (self.garment_px[..., 2] > 0) & (self.person_px[..., 2] > 0)

    def to(self, device: torch.device | str | None = None) -> KeypointPairs:
        return replace(
            self,
            garment_px=self.garment_px.to(device),
            person_px=self.person_px.to(device),
            pose=None if self.pose is None else self.pose.to(device),
        )
