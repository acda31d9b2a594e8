"""`KeypointPairs`: garment landmarks and where each lands on the person; the input of every TPS warp.

The classical path makes them from the garment contour and the person's pose; the learned path from the keypoint
detector (K groups of N points); the keypoint editor changes them. All three share this one type.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from .._checks import check_shape
from .pose import Pose

if TYPE_CHECKING:  # (placement imports this module)
    from .placement import SidePairs

__all__ = ["KeypointPairs", "PersonFit"]


@dataclass(frozen=True)
class PersonFit:
    """What the classical placement read off the person besides the targets
    (`kfvton.pipelines.classical.place_upper_garment`), so that a warp and a composite made later from its pairs
    (the staged nodes) fit the garment as `classical_tryon` does in one call.

    Attributes:
        garment_mask: (B, 1, H_g, W_g) float [0, 1], the garment mask the targets were placed by and the warp uses
            (`GarmentLandmarks.fit_mask`: the inside of the back cut out).
        torso_extra: the side-seam and shoulder-top pairs on the body's outline, None without a parse map.
        collared: (B,) bool, a shirt's collar that closes at the neck (`place_front_neckline`).
        parse: (B, H, W) int64 labels the targets were placed by (an old dress's skirt kept as a skirt), or None.
        tuck: per item "in" / "out" (`resolve_tuck`: from the parse map, "out" without one).
    """

    garment_mask: Tensor
    torso_extra: SidePairs | None
    collared: Tensor
    parse: Tensor | None = None
    tuck: tuple[str, ...] = ()

    def to(self, device: torch.device | str | None = None) -> PersonFit:
        extra = self.torso_extra
        if extra is not None:
            extra = replace(extra, garment_px=extra.garment_px.to(device), person_px=extra.person_px.to(device))
        return replace(
            self,
            garment_mask=self.garment_mask.to(device),
            torso_extra=extra,
            collared=self.collared.to(device),
            parse=None if self.parse is None else self.parse.to(device),
        )


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
        fit: what the classical placement read off the person for the warp and the composite (`PersonFit`); None
            for other origins and hand-made pairs.

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
    fit: PersonFit | None = None

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
            fit=None if self.fit is None else self.fit.to(device),
        )
