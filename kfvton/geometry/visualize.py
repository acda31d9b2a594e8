"""Pictures of a warp: garment grid lines pulled into the person frame, folds, occlusion, flow colours.

Used by the KF-VTON Warp Inspector node; plain tensors in and out, so scripts and notebooks can use them too.

Convention:
    A `Warp` grid gives, for every person pixel, the normalised garment (x, y) in [-1, 1] to sample. A grid line of
    the garment frame (x = const or y = const) is drawn where that coordinate crosses the constant: its distance in
    person pixels is the coordinate's distance to the line divided by the coordinate's gradient, so lines stay one
    pixel wide however the warp stretches them. A fold is where the warp's Jacobian determinant is negative (the
    garment is mirrored there, so it overlaps itself).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from .._checks import check_image
from .grid import coordinate_grid
from .warp import Warp

__all__ = ["draw_warp_overlay", "warp_stats", "flow_to_color", "warp_jacobian_det"]

_LINE_RGB = (0.1, 1.0, 0.35)
_FOLD_RGB = (1.0, 0.1, 0.1)
_OCCLUSION_RGB = (0.15, 0.35, 1.0)


def _grid_bchw(warp: Warp, size_hw: tuple[int, int], like: Tensor) -> Tensor:
    """(B, 2, H, W) garment coordinates of the warp, resampled to `size_hw` when the warp has another size."""
    grid = warp.grid.to(device=like.device, dtype=like.dtype).permute(0, 3, 1, 2)
    if tuple(grid.shape[-2:]) != tuple(size_hw):
        grid = F.interpolate(grid, size=size_hw, mode="bilinear", align_corners=True)
    return grid


def _gradients(field: Tensor) -> tuple[Tensor, Tensor]:
    """Central differences along x and y (per pixel, edges replicated) of a (B, C, H, W) field."""
    padded = F.pad(field, (1, 1, 1, 1), mode="replicate")
    dx = (padded[..., 1:-1, 2:] - padded[..., 1:-1, :-2]) / 2.0
    dy = (padded[..., 2:, 1:-1] - padded[..., :-2, 1:-1]) / 2.0
    return dx, dy


def warp_jacobian_det(warp: Warp) -> Tensor:
    """(B, 1, H, W) determinant of d(garment x, y)/d(person pixel x, y), normalised units per pixel; < 0 = fold."""
    grid = warp.grid.permute(0, 3, 1, 2)
    dx, dy = _gradients(grid)
    return (dx[:, 0:1] * dy[:, 1:2] - dx[:, 1:2] * dy[:, 0:1]).to(warp.grid.dtype)


def draw_warp_overlay(
    person: Tensor,
    warp: Warp,
    *,
    lines: int = 16,
    line_width: float = 1.0,
    show_occlusion: bool = True,
) -> Tensor:
    """Draw the garment grid, folds and occlusion of `warp` over `person`.

    Args:
        person: (B or 1, 3, H, W) float image in [0, 1], the person frame of the warp (any size: the warp grid is
            resampled to it).
        warp: `Warp` (tps or flow) with batch B or 1.
        lines: grid lines across the garment per axis, >= 1.
        line_width: half-width of the lines in person pixels, > 0.
        show_occlusion: tint blue where `warp.occlusion` < 1 (garment hidden); ignored when the warp has none.
    Returns:
        (B, 3, H, W) float in [0, 1], on `person`'s device and dtype.
    """
    check_image(person, "person")
    if lines < 1:
        raise ValueError(f"lines: expected >= 1, got {lines}")
    if line_width <= 0:
        raise ValueError(f"line_width: expected > 0, got {line_width}")
    b_p, b_w = person.shape[0], warp.grid.shape[0]
    if b_p != b_w and 1 not in (b_p, b_w):
        raise ValueError(f"person: batch {b_p} does not match warp batch {b_w}")
    size_hw = (int(person.shape[2]), int(person.shape[3]))
    grid = _grid_bchw(warp, size_hw, person)
    batch = max(b_p, b_w)
    person = person.expand(batch, -1, -1, -1)
    grid = grid.expand(batch, -1, -1, -1)

    coords = (grid + 1.0) * (lines / 2.0)  # garment grid lines at integer values 0..lines
    dx, dy = _gradients(coords)
    slope = torch.sqrt(dx * dx + dy * dy).clamp_min(1e-6)
    distance_px = (coords - coords.round()).abs() / slope
    line = (1.0 - distance_px / line_width).clamp(0.0, 1.0).amax(dim=1, keepdim=True)
    inside = (grid.abs() <= 1.0).all(dim=1, keepdim=True).to(person.dtype)
    line = line * inside

    gdx, gdy = _gradients(grid)
    det = gdx[:, 0:1] * gdy[:, 1:2] - gdx[:, 1:2] * gdy[:, 0:1]
    fold = (det < 0).to(person.dtype) * inside

    out = person
    if show_occlusion and warp.occlusion is not None:
        occ = warp.occlusion.to(device=person.device, dtype=person.dtype)
        if tuple(occ.shape[-2:]) != size_hw:
            occ = F.interpolate(occ, size=size_hw, mode="bilinear", align_corners=False)
        out = _blend(out, _OCCLUSION_RGB, 0.55 * (1.0 - occ.expand(batch, -1, -1, -1).clamp(0, 1)) * inside)
    out = _blend(out, _FOLD_RGB, 0.5 * fold)
    out = _blend(out, _LINE_RGB, 0.9 * line)
    return out.clamp(0.0, 1.0)


def _blend(image: Tensor, rgb: tuple[float, float, float], alpha: Tensor) -> Tensor:
    colour = torch.tensor(rgb, device=image.device, dtype=image.dtype).view(1, 3, 1, 1)
    return image * (1.0 - alpha) + colour * alpha


def warp_stats(warp: Warp) -> dict:
    """Numbers that summarise a warp for the user (JSON-ready).

    Returns:
        {"kind", "size": [H, W], "batch", "inside": fraction of person pixels that sample inside the garment,
         "fold": fraction of those where the warp folds (Jacobian determinant < 0),
         "occluded": mean occlusion (1 - visibility) inside the garment, or None without an occlusion map}
    """
    grid = warp.grid.detach().float().permute(0, 3, 1, 2)
    inside = (grid.abs() <= 1.0).all(dim=1, keepdim=True)
    det = warp_jacobian_det(warp).detach().float()
    n_inside = int(inside.sum())
    fold = float(((det < 0) & inside).sum()) / n_inside if n_inside else 0.0
    occluded = None
    if warp.occlusion is not None and n_inside:
        occ = warp.occlusion.detach().float()
        occluded = float(((1.0 - occ) * inside).sum()) / n_inside
    return {
        "kind": warp.kind,
        "size": list(warp.size_hw),
        "batch": int(grid.shape[0]),
        "inside": n_inside / inside.numel(),
        "fold": fold,
        "occluded": occluded,
    }


def flow_to_color(warp: Warp, *, max_motion: float | None = None) -> Tensor:
    """Colour-code the warp's displacement (garment sample point minus the pixel's own position).

    Hue is the direction, saturation the length relative to `max_motion` (normalised units; default the largest
    displacement in each image), white = no motion.

    Returns:
        (B, 3, H, W) float in [0, 1], on the warp's device, dtype float32 at least.
    """
    grid = warp.grid.detach()
    dtype = torch.promote_types(grid.dtype, torch.float32)
    h, w = warp.size_hw
    identity = coordinate_grid(h, w, align_corners=warp.align_corners, device=grid.device, dtype=dtype)
    motion = (grid.to(dtype) - identity).permute(0, 3, 1, 2)  # (B, 2, H, W)
    length = motion.norm(dim=1, keepdim=True)
    if max_motion is None:
        scale = length.flatten(1).amax(dim=1).clamp_min(1e-8).view(-1, 1, 1, 1)
    else:
        if max_motion <= 0:
            raise ValueError(f"max_motion: expected > 0, got {max_motion}")
        scale = torch.tensor(max_motion, device=grid.device, dtype=dtype)
    saturation = (length / scale).clamp(0.0, 1.0)
    hue = (torch.atan2(motion[:, 1:2], motion[:, 0:1]) / (2 * math.pi)) % 1.0
    return _hsv_to_rgb(hue, saturation, torch.ones_like(hue))


def _hsv_to_rgb(h: Tensor, s: Tensor, v: Tensor) -> Tensor:
    k = torch.tensor([5.0, 3.0, 1.0], device=h.device, dtype=h.dtype).view(1, 3, 1, 1)
    t = (k + h * 6.0) % 6.0
    return v - v * s * torch.clamp(torch.minimum(t, 4.0 - t), 0.0, 1.0)
