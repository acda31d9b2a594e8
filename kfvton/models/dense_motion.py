"""KF-VTON dense motion network: K thin-plate splines from keypoint pairs, blended per pixel by an hourglass.

From the garment (`source_image`), its mask (`ref_input`) and the two keypoint sets of the detector, it fits one TPS
per keypoint group (mask keypoints -> garment keypoints, `kfvton.geometry.tps`, float64 solve), warps both images
with each, and lets an hourglass predict per-pixel softmax weights over the K grids and an occlusion map.
Everything runs at `scale` (0.5) of the input size; the occlusion map is returned at the requested output size.

Convention: grids and keypoints are normalised (x, y) with align_corners=True (`ALIGN_CORNERS_TPS`); a grid maps
a location of the output (mask/person) frame to the location to sample in the garment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._checks import check_shape
from ..geometry.grid import ALIGN_CORNERS_TPS, coordinate_grid
from ..geometry.tps import tps_grid, tps_solve
from .layers.antialias import AntiAliasDownsample
from .layers.hourglass import Hourglass
from .registry import register_model

__all__ = ["DenseMotionConfig", "DenseMotionOutput", "DenseMotionNetwork"]


@dataclass(frozen=True)
class DenseMotionConfig:
    """Args:
    num_tps, num_kp: keypoint groups and keypoints per group (8 x 12).
    num_channels: channels of each of the two images (3).
    expansion, num_blocks, max_features: hourglass width, depth and channel cap (64, 4, 256).
    scale: working resolution relative to the input (0.5; 1 / scale an integer).
    kp_variance: variance of the keypoint Gaussians (0.01, normalised units).
    tps_reg: TPS regulariser, added to the whole diagonal as the authors do (0.01).
    """

    num_tps: int = 8
    num_kp: int = 12
    num_channels: int = 3
    expansion: int = 64
    num_blocks: int = 4
    max_features: int = 256
    scale: float = 0.5
    kp_variance: float = 0.01
    tps_reg: float = 0.01


class DenseMotionOutput(NamedTuple):
    """deformation: (B, h, w, 2) blended sampling grid at the working size (h, w) = scale (H, W).
    occlusion_map: (B, 1, H_out, W_out) in (0, 1).
    contribution_maps: (B, K, h, w) softmax weights over the K TPS grids.
    sparse_motion: (B, K, h, w, 2) the K TPS grids.
    """

    deformation: Tensor
    occlusion_map: Tensor
    contribution_maps: Tensor
    sparse_motion: Tensor


def _no_autocast(device: torch.device):
    return torch.autocast(device_type=device.type, enabled=False)


class DenseMotionNetwork(nn.Module):
    """TPS grids from keypoint pairs, blended by a predicted per-pixel softmax, plus an occlusion map."""

    def __init__(self, config: DenseMotionConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or DenseMotionConfig()
        points = config.num_tps * config.num_kp
        in_features = points + config.num_tps * 2 * config.num_channels
        self.downsample = AntiAliasDownsample(2 * config.num_channels, config.scale)
        self.hourglass = Hourglass(in_features, config.expansion, config.num_blocks, config.max_features)
        self.contribution = nn.Conv2d(self.hourglass.out_channels, config.num_tps, 7, padding=3)
        self.occlusion = nn.Conv2d(self.hourglass.out_channels, 1, 7, padding=3)

    def heatmaps(self, kp_source: Tensor, kp_driving: Tensor, size_hw: tuple[int, int]) -> Tensor:
        """G(kp_driving) - G(kp_source) on the size_hw grid, (B, P, h, w); G(p)(z) = exp(-|z - p|^2 / (2 var))."""
        grid = coordinate_grid(
            *size_hw, align_corners=ALIGN_CORNERS_TPS, device=kp_source.device, dtype=kp_source.dtype
        )
        xs, ys = grid[:1, :, 0], grid[:, :1, 1]  # (1, w) and (h, 1)

        def gaussian(kp: Tensor) -> Tensor:
            # exp(-(dx^2 + dy^2) / 2var) = exp(-dx^2 / 2var) exp(-dy^2 / 2var): two 1-D profiles and one product
            # instead of a (B, P, h, w, 2) difference tensor.
            gx = torch.exp(-0.5 * (xs - kp[:, :, None, None, 0]).square() / self.config.kp_variance)
            gy = torch.exp(-0.5 * (ys - kp[:, :, None, None, 1]).square() / self.config.kp_variance)
            return gx * gy

        return gaussian(kp_driving) - gaussian(kp_source)

    def sparse_motion(self, kp_source: Tensor, kp_driving: Tensor, size_hw: tuple[int, int]) -> Tensor:
        """One TPS per group fitted from `kp_driving` to `kp_source`, evaluated on size_hw: (B, K, h, w, 2)."""
        b = kp_source.shape[0]
        shape = (b, self.config.num_tps, self.config.num_kp, 2)
        params = tps_solve(
            kp_driving.reshape(shape), kp_source.reshape(shape), reg=self.config.tps_reg, reg_affine=True
        )
        return tps_grid(params, size_hw, align_corners=ALIGN_CORNERS_TPS)

    @staticmethod
    def deform_images(images: Tensor, sparse_motion: Tensor) -> Tensor:
        """Each image warped by each grid (bilinear, zeros padding, align_corners=True).

        Args:
            images: (B, C, h, w); sparse_motion: (B, K, h', w', 2).

        Returns:
            (B, K, C, h', w').
        """
        b, k, h, w, _ = sparse_motion.shape
        c = images.shape[1]
        out = F.grid_sample(
            images.unsqueeze(1).expand(-1, k, -1, -1, -1).reshape(b * k, c, *images.shape[-2:]),
            sparse_motion.reshape(b * k, h, w, 2),
            mode="bilinear",
            padding_mode="zeros",
            align_corners=ALIGN_CORNERS_TPS,
        )
        return out.reshape(b, k, c, h, w)

    def forward(
        self,
        source_image: Tensor,
        ref_input: Tensor,
        kp_source: Tensor,
        kp_driving: Tensor,
        output_hw: tuple[int, int] | None = None,
    ) -> DenseMotionOutput:
        """Predict the dense motion.

        Args:
            source_image: (B, C, H, W) garment in [-1, 1]; H, W divisible by 2^num_blocks / scale (256 x 192).
            ref_input: (B, C, H, W) garment mask in {0, 1} (C channels) -- the frame the grids are defined on.
            kp_source: (B, P, 2) garment keypoints; kp_driving: (B, P, 2) mask keypoints; normalised (x, y).
            output_hw: size of the returned occlusion map (default (H, W)).

        Returns:
            `DenseMotionOutput`. The TPS part (solve, grids, blend) runs in float32 at least, also under autocast.
        """
        cfg = self.config
        p = cfg.num_tps * cfg.num_kp
        check_shape(source_image, "source_image", ("B", cfg.num_channels, "H", "W"))
        check_shape(ref_input, "ref_input", tuple(source_image.shape))
        check_shape(kp_source, "kp_source", (source_image.shape[0], p, 2))
        check_shape(kp_driving, "kp_driving", (source_image.shape[0], p, 2))
        output_hw = tuple(output_hw or source_image.shape[-2:])
        images = self.downsample(torch.cat((source_image, ref_input), dim=1))  # (B, 2C, h, w)
        h, w = images.shape[-2:]
        geo_dtype = torch.promote_types(kp_source.dtype, torch.float32)
        with _no_autocast(source_image.device):
            kp_s, kp_d = kp_source.to(geo_dtype), kp_driving.to(geo_dtype)
            heatmaps = self.heatmaps(kp_s, kp_d, (h, w))
            sparse = self.sparse_motion(kp_s, kp_d, (h, w))  # (B, K, h, w, 2)
            deformed = self.deform_images(images.to(geo_dtype), sparse)
        features = torch.cat((heatmaps, deformed.flatten(1, 2)), dim=1).to(images.dtype)
        prediction = self.hourglass(features)
        contribution = torch.softmax(self.contribution(prediction), dim=1)
        with _no_autocast(source_image.device):
            deformation = (contribution.to(geo_dtype).unsqueeze(-1) * sparse).sum(dim=1)
        occlusion = torch.sigmoid(self.occlusion(prediction))
        occlusion = F.interpolate(occlusion, size=output_hw, mode="bilinear", align_corners=True)
        return DenseMotionOutput(deformation, occlusion, contribution, sparse)


register_model("kfvton_dense_motion_256", DenseMotionConfig(), "KF-VTON dense motion network, 256x192")(
    DenseMotionNetwork
)
