"""Coordinate frames: pixel <-> normalised conversions and sampling grids.

Convention:
    Pixel coordinates `(x_px, y_px)` put the centre of pixel (row i, column j) at (j, i), as OpenPose does.
    Normalised coordinates `(x, y)` lie in [-1, 1], x along the width, y along the height, as `grid_sample` reads them.
    With `align_corners=True`, -1 and +1 are the centres of the corner pixels: x = 2 x_px / (W - 1) - 1.
    With `align_corners=False`, -1 and +1 are the outer edges of the corner pixels: x = (2 x_px + 1) / W - 1.

KF-VTON samples with both; every call site names which through these constants.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = [
    "ALIGN_CORNERS_TPS",
    "ALIGN_CORNERS_WARP",
    "coordinate_grid",
    "px_to_norm",
    "norm_to_px",
]

#: The TPS grids, keypoints and dense motion of KF-VTON, and our classical warp, use align_corners=True.
ALIGN_CORNERS_TPS: bool = True
#: The WarpNetwork's final `grid_sample` of the garment uses torch's default align_corners=False (authors' code).
ALIGN_CORNERS_WARP: bool = False


def coordinate_grid(
    height: int,
    width: int,
    *,
    align_corners: bool,
    device: torch.device | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """Normalised (x, y) coordinates of every pixel centre.

    Returns:
        (H, W, 2) grid; `[..., 0]` is x (column), `[..., 1]` is y (row), in `grid_sample` layout.
    """
    if height < 1 or width < 1:
        raise ValueError(f"coordinate_grid: expected a positive size, got {height}x{width}")
    ys = _axis(height, align_corners, device, dtype)
    xs = _axis(width, align_corners, device, dtype)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack((gx, gy), dim=-1)


def _axis(n: int, align_corners: bool, device: torch.device | None, dtype: torch.dtype) -> Tensor:
    idx = torch.arange(n, device=device, dtype=dtype)
    if align_corners:
        return 2.0 * idx / max(n - 1, 1) - 1.0
    return (2.0 * idx + 1.0) / n - 1.0


def px_to_norm(points_px: Tensor, size_hw: tuple[int, int], *, align_corners: bool) -> Tensor:
    """Map pixel (x, y) to normalised (x, y).

    Args:
        points_px: (..., 2) pixel coordinates (x, y); extra trailing columns are not allowed.
        size_hw: (H, W) of the image the pixels belong to.
    """
    h, w = size_hw
    scale, offset = _frame(w, h, align_corners, points_px)
    return points_px * scale + offset


def norm_to_px(points_norm: Tensor, size_hw: tuple[int, int], *, align_corners: bool) -> Tensor:
    """Inverse of `px_to_norm`: (..., 2) normalised (x, y) -> pixel (x, y)."""
    h, w = size_hw
    scale, offset = _frame(w, h, align_corners, points_norm)
    return (points_norm - offset) / scale


def _frame(w: int, h: int, align_corners: bool, like: Tensor) -> tuple[Tensor, Tensor]:
    if align_corners:
        scale = [2.0 / max(w - 1, 1), 2.0 / max(h - 1, 1)]
        offset = [-1.0, -1.0]
    else:
        scale = [2.0 / w, 2.0 / h]
        offset = [1.0 / w - 1.0, 1.0 / h - 1.0]
    return (
        torch.tensor(scale, device=like.device, dtype=like.dtype),
        torch.tensor(offset, device=like.device, dtype=like.dtype),
    )
