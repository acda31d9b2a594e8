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
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    "ALIGN_CORNERS_TPS",
    "ALIGN_CORNERS_WARP",
    "coordinate_grid",
    "px_to_norm",
    "norm_to_px",
    "resize_to",
    "resize_labels",
    "upsample_grid",
    "parse_size_hw",
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


def resize_to(x: Tensor, size_hw: tuple[int, int], *, antialias: bool = True) -> Tensor:
    """Bilinear resize of an image batch to `size_hw` (align_corners=False, the image convention).

    Args:
        x: (B, C, H, W) float, any range.
        size_hw: (H', W') target size.
        antialias: low-pass first when shrinking (ignored when growing).

    Returns:
        (B, C, H', W'); `x` itself when it is already that size.
    """
    if tuple(x.shape[-2:]) == tuple(size_hw):
        return x
    down = x.shape[-2] > size_hw[0] or x.shape[-1] > size_hw[1]
    return F.interpolate(x, size=size_hw, mode="bilinear", align_corners=False, antialias=antialias and down)


def upsample_grid(grid: Tensor, size_hw: tuple[int, int]) -> Tensor:
    """Resize a sampling grid to another output size; the normalised values it holds are unchanged.

    Args:
        grid: (B, h, w, 2) normalised (x, y) sampling grid.
        size_hw: (H, W) target size.

    Returns:
        (B, H, W, 2), bilinear over grid cells with align_corners=True (`ALIGN_CORNERS_TPS`, as the authors upsample
        the dense motion's 128x96 grid to 256x192); `grid` itself when it is already that size.
    """
    if tuple(grid.shape[1:3]) == tuple(size_hw):
        return grid
    up = F.interpolate(grid.permute(0, 3, 1, 2), size=size_hw, mode="bilinear", align_corners=ALIGN_CORNERS_TPS)
    return up.permute(0, 2, 3, 1)


def resize_labels(labels: Tensor, size_hw: tuple[int, int]) -> Tensor:
    """Nearest-neighbour resize of label maps (torch's legacy "nearest": source index floor(dst * in / out)).

    Args:
        labels: (B, H, W) int64 label map, or (B, C, H, W) float one-hot maps / masks.
        size_hw: (H', W') target size.

    Returns:
        (B, H', W') int64 or (B, C, H', W') of `labels`' dtype; `labels` itself when it is already that size.
    """
    if tuple(labels.shape[-2:]) == tuple(size_hw):
        return labels
    if labels.ndim == 3:
        return F.interpolate(labels[:, None].float(), size=size_hw, mode="nearest")[:, 0].round().long()
    return F.interpolate(labels, size=size_hw, mode="nearest")


def parse_size_hw(text: str, *, name: str = "size") -> tuple[int, int]:
    """A size written "HxW" ("512x384", any case) -> (H, W).

    Raises:
        ValueError: naming `name`, unless `text` is two positive integers joined by "x".
    """
    try:
        h, w = (int(v) for v in str(text).lower().split("x"))
    except ValueError:
        raise ValueError(f"{name}: expected HxW such as 256x192, got {text!r}") from None
    if h < 1 or w < 1:
        raise ValueError(f"{name}: expected a positive HxW such as 256x192, got {text!r}")
    return h, w
