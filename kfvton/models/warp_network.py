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
from torch import Tensor, nn

from .._checks import check_shape
from ..geometry.grid import ALIGN_CORNERS_WARP, resize_to, upsample_grid
from ..geometry.warp import sample_grid
from .dense_motion import DenseMotionConfig, DenseMotionNetwork
from .keypoint_detector import KeypointDetector, KeypointDetectorConfig, KeypointDetectorOutput
from .registry import register_model
from .spade_generator import SpadeGenerator, SpadeGeneratorConfig

__all__ = ["WarpNetworkConfig", "WarpNetworkOutput", "WarpMotion", "WarpNetwork", "warp_garment"]


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


class WarpMotion(NamedTuple):
    """The motion part of the warp network: keypoints -> K TPS -> blended flow + occlusion, at the working size.

    kp_source, kp_ref: (B, P, 2) garment and mask keypoints, normalised (x, y) (align_corners=True).
    grid: (B, H, W, 2) sampling grid into the garment (read with align_corners=False, `warp_garment`).
    occlusion: (B, 1, H, W) in (0, 1).
    deformation: (B, h, w, 2) the dense motion's grid at its own size.
    contribution: (B, K, h, w) per-pixel softmax weights of the K TPS grids.
    """

    kp_source: Tensor
    kp_ref: Tensor
    grid: Tensor
    occlusion: Tensor
    deformation: Tensor
    contribution: Tensor


def warp_garment(garment: Tensor, grid: Tensor, occlusion: Tensor | None = None) -> Tensor:
    """The model's garment sampling: grid_sample(garment, grid) (bilinear, border padding, align_corners=False --
    `ALIGN_CORNERS_WARP`, the authors' choice), computed in the grid's precision, times `occlusion` when given.

    Args:
        garment: (B, C, H, W) any range (the garment in [-1, 1], or its mask).
        grid: (B, H', W', 2) normalised (x, y).
        occlusion: (B, 1, H', W') in (0, 1), or None.

    Returns:
        (B, C, H', W') in the dtype of `garment`.
    """
    out = sample_grid(garment, grid, align_corners=ALIGN_CORNERS_WARP, padding_mode="border", promote=True)
    if occlusion is not None:
        out = out * occlusion.to(garment.dtype)
    return out


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
        motion = self.motion(garment, garment_mask)
        warped = warp_garment(garment, motion.grid, motion.occlusion)
        tryon = self.generate(agnostic, pose, warped, parse)
        return WarpNetworkOutput(
            tryon, warped, motion.kp_source, motion.kp_ref, motion.grid, motion.occlusion, motion.deformation
        )

    def _motion_size(self, garment: Tensor, garment_mask: Tensor) -> tuple[Tensor, Tensor]:
        """Garment and 3-channel mask resized to `config.motion_hw`, the size the detector and dense motion run at."""
        hw, aa = self.config.motion_hw, self.config.antialias
        return resize_to(garment, hw, antialias=aa), resize_to(garment_mask.expand(-1, 3, -1, -1), hw, antialias=aa)

    def detect(self, garment: Tensor, garment_mask: Tensor) -> KeypointDetectorOutput:
        """The keypoint detector at `config.motion_hw`.

        Args:
            garment: (B, 3, H, W) in [-1, 1]; garment_mask: (B, 1 or 3, H, W) in {0, 1}; any H, W.

        Returns:
            `KeypointDetectorOutput`: (B, P, 2) garment and mask keypoints, normalised (x, y) (align_corners=True).
        """
        return self.kp_detector(*self._motion_size(garment, garment_mask))

    def motion(
        self, garment: Tensor, garment_mask: Tensor, *, keypoints: tuple[Tensor, Tensor] | None = None
    ) -> WarpMotion:
        """The learned motion chain, the one code path of `forward`, the learned pipeline and training: resize to
        `config.motion_hw` -> keypoint detector -> dense motion -> grid upsampled to the working size.

        Args:
            garment: (B, 3, H, W) in [-1, 1]; garment_mask: (B, 1 or 3, H, W) in {0, 1}; (H, W) = working size.
            keypoints: (source, ref), each (B, P, 2) normalised (x, y), to use instead of the detector's (e.g.
                edited ones); None runs the detector.

        Returns:
            `WarpMotion` at (H, W).
        """
        size_hw = tuple(garment.shape[-2:])
        garment_m, mask_m = self._motion_size(garment, garment_mask)
        if keypoints is None:
            kp = self.kp_detector(garment_m, mask_m)
            keypoints = (kp.source_kp, kp.ref_kp)
        source, ref = keypoints
        dense = self.dense_motion(garment_m, mask_m, source, ref, output_hw=size_hw)
        grid = upsample_grid(dense.deformation, size_hw)
        return WarpMotion(source, ref, grid, dense.occlusion_map, dense.deformation, dense.contribution_maps)

    def generate(self, agnostic: Tensor, pose: Tensor, warped: Tensor, parse: Tensor) -> Tensor:
        """The SPADE generator on (agnostic, pose image, warped garment), each (B, 3, H, W) in [-1, 1], and the
        (B, 7, h, w) parse scores; returns the (B, 3, H, W) try-on in [-1, 1]."""
        return self.generator(torch.cat((agnostic, pose, warped), dim=1), parse)


register_model("kfvton_warp_256", WarpNetworkConfig(), "KF-VTON warp network (keypoints, dense motion, generator)")(
    WarpNetwork
)
