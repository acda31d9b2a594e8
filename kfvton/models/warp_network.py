"""KF-VTON warp network: keypoint detector -> dense motion -> garment warp with occlusion -> SPADE generator.

Resolution: the detector and the dense motion run at `config.motion_hw` (their trained 256 x 192); at another
working size the garment and its mask are resized to it for them, the blended grid is upsampled straight to the
working size (bilinear, align_corners=True, as the authors upsample 128x96 -> 256x192) and the occlusion map is
produced at the working size. The garment is then sampled at full resolution (bilinear, border padding,
align_corners=False -- the authors' choice, `ALIGN_CORNERS_WARP`) and the generator runs at the working size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._checks import check_shape
from ..geometry.grid import ALIGN_CORNERS_TPS, ALIGN_CORNERS_WARP
from .dense_motion import DenseMotionConfig, DenseMotionNetwork
from .keypoint_detector import KeypointDetector, KeypointDetectorConfig, resize_to
from .registry import register_model
from .spade_generator import SpadeGenerator, SpadeGeneratorConfig

__all__ = ["WarpNetworkConfig", "WarpNetworkOutput", "WarpNetwork", "upsample_grid", "warp_garment"]


@dataclass(frozen=True)
class WarpNetworkConfig:
    """Args:
    kp_detector, dense_motion, generator: the sub-network configs.
    motion_hw: (H, W) the detector and dense motion run at (their trained size).
    antialias: low-pass when resizing the garment down to `motion_hw`.
    """

    kp_detector: KeypointDetectorConfig = field(default_factory=KeypointDetectorConfig)
    dense_motion: DenseMotionConfig = field(default_factory=DenseMotionConfig)
    generator: SpadeGeneratorConfig = field(default_factory=SpadeGeneratorConfig)
    motion_hw: tuple[int, int] = (256, 192)
    antialias: bool = True


class WarpNetworkOutput(NamedTuple):
    """tryon: (B, 3, H, W) in [-1, 1]. warped: (B, 3, H, W) warped garment times occlusion, [-1, 1].
    kp_source, kp_ref: (B, P, 2) garment and mask keypoints, normalised (x, y) (align_corners=True).
    grid: (B, H, W, 2) sampling grid into the garment (read with align_corners=False).
    occlusion: (B, 1, H, W) in (0, 1).
    deformation: (B, h, w, 2) the dense motion's grid at its working size.
    """

    tryon: Tensor
    warped: Tensor
    kp_source: Tensor
    kp_ref: Tensor
    grid: Tensor
    occlusion: Tensor
    deformation: Tensor


def upsample_grid(grid: Tensor, size_hw: tuple[int, int]) -> Tensor:
    """Resize a (B, h, w, 2) sampling grid to (B, H, W, 2) (bilinear, align_corners=True); values unchanged."""
    if tuple(grid.shape[1:3]) == tuple(size_hw):
        return grid
    up = F.interpolate(grid.permute(0, 3, 1, 2), size=size_hw, mode="bilinear", align_corners=ALIGN_CORNERS_TPS)
    return up.permute(0, 2, 3, 1)


def warp_garment(garment: Tensor, grid: Tensor) -> Tensor:
    """grid_sample(garment, grid), bilinear, border padding, align_corners=False; computed in the grid's precision.

    Args:
        garment: (B, C, H, W); grid: (B, H', W', 2) normalised (x, y).

    Returns:
        (B, C, H', W') in the dtype of `garment`.
    """
    work = torch.promote_types(garment.dtype, grid.dtype)
    out = F.grid_sample(
        garment.to(work), grid.to(work), mode="bilinear", padding_mode="border", align_corners=ALIGN_CORNERS_WARP
    )
    return out.to(garment.dtype)


class WarpNetwork(nn.Module):
    """The learned KF-VTON try-on: garment + mask + person inputs + parse -> try-on image."""

    def __init__(self, config: WarpNetworkConfig | None = None) -> None:
        super().__init__()
        self.config = cfg = config or WarpNetworkConfig()
        self.kp_detector = KeypointDetector(cfg.kp_detector)
        self.dense_motion = DenseMotionNetwork(cfg.dense_motion)
        self.generator = SpadeGenerator(cfg.generator)

    def forward(
        self, garment: Tensor, garment_mask: Tensor, agnostic: Tensor, pose: Tensor, parse: Tensor
    ) -> WarpNetworkOutput:
        """Warp the garment and generate the try-on.

        Args:
            garment: (B, 3, H, W) garment image in [-1, 1] (the authors' `image_input`).
            garment_mask: (B, 1 or 3, H, W) garment mask in {0, 1} (`ref_input`).
            agnostic: (B, 3, H, W) clothing-agnostic person in [-1, 1].
            pose: (B, 3, H, W) rendered pose image in [-1, 1].
            parse: (B, 7, h, w) parse scores (one-hot or L2-normalised seg output), any size.
            H, W: divisible by 8; the motion part runs at `config.motion_hw`.

        Returns:
            `WarpNetworkOutput`.
        """
        check_shape(garment, "garment", ("B", 3, "H", "W"))
        b, _, h, w = garment.shape
        check_shape(garment_mask, "garment_mask", (b, "C", h, w))
        if garment_mask.shape[1] not in (1, 3):
            raise ValueError(f"garment_mask: expected 1 or 3 channels, got {garment_mask.shape[1]}")
        check_shape(agnostic, "agnostic", (b, 3, h, w))
        check_shape(pose, "pose", (b, 3, h, w))
        check_shape(parse, "parse", (b, self.config.generator.label_nc, "h", "w"))
        mask3 = garment_mask.expand(-1, 3, -1, -1)
        motion_hw = self.config.motion_hw
        garment_m = resize_to(garment, motion_hw, antialias=self.config.antialias)
        mask_m = resize_to(mask3, motion_hw, antialias=self.config.antialias)
        kp = self.kp_detector(garment_m, mask_m)
        motion = self.dense_motion(garment_m, mask_m, kp.source_kp, kp.ref_kp, output_hw=(h, w))
        grid = upsample_grid(motion.deformation, (h, w))
        warped = warp_garment(garment, grid) * motion.occlusion_map.to(garment.dtype)
        tryon = self.generator(torch.cat((agnostic, pose, warped), dim=1), parse)
        return WarpNetworkOutput(tryon, warped, kp.source_kp, kp.ref_kp, grid, motion.occlusion_map, motion.deformation)


register_model("kfvton_warp_256", WarpNetworkConfig(), "KF-VTON warp network (keypoints, dense motion, generator)")(
    WarpNetwork
)
