"""A dense garment -> person warp from keypoint pairs: one thin-plate spline per image (or K per image).

Convention:
    The warp is backward: for every person pixel it gives the garment location to sample. So the spline is fitted
    from the person-frame targets (`pairs.person_px`, the TPS control points) to the garment-frame landmarks
    (`pairs.garment_px`), both converted from pixels to the normalised frame of their own image with
    `align_corners` (default `ALIGN_CORNERS_TPS`).
    Missing pairs (either confidence 0) stay in the batched solve with a regulariser of `MISSING_REG` on their
    diagonal entry, which removes them from the fit to ~1e-6 while every batch item keeps the same N: one solve.
    With `groups` K > 1 (the learned path: K groups of N // K points, group-major), a (B, K) batch of splines is
    solved and the K dense grids are averaged with equal weights (KF-VTON's keypoint groups each describe the whole
    garment; equal weights need no extra network and keep every group's contribution visible in `warp.tps`).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .._checks import check_shape
from ..keypoints.pairs import KeypointPairs
from .grid import ALIGN_CORNERS_TPS, px_to_norm
from .tps import TpsParams, tps_grid, tps_solve, tps_transform_points
from .warp import Warp

__all__ = ["MISSING_REG", "warp_from_pairs", "WarpedGarment", "warp_garment"]

#: Diagonal regulariser given to missing pairs: large enough to drop them from the fit, small enough to stay
#: well conditioned in the float64 solve.
MISSING_REG: float = 1e6
#: Default smoothing of valid pairs (normalised frame): tiny, so landmarks land within a fraction of a pixel at
#: 1024x768, but it keeps nearly coincident landmarks from producing huge kernel weights (folds).
DEFAULT_REG: float = 1e-3


def warp_from_pairs(
    pairs: KeypointPairs,
    *,
    reg: float = DEFAULT_REG,
    align_corners: bool = ALIGN_CORNERS_TPS,
    grid_step: int = 1,
) -> Warp:
    """Fit the TPS(s) of `pairs` and evaluate the dense backward sampling grid over the person frame.

    Args:
        pairs: B items of N pairs in pixels (`KeypointPairs`); `pairs.groups` = K splines per item.
        reg: >= 0 smoothing of the valid pairs (see `tps_solve`); 0 interpolates exactly.
        align_corners: pixel <-> normalised convention of both frames and of the output grid.
        grid_step: evaluate the spline every `grid_step` pixels and upsample the grid bilinearly (1 = exact at
            every pixel; 2-4 lose well under a tenth of a pixel for these smooth splines and run 4-16x faster).

    Returns:
        `Warp` of kind "tps": grid (B, H_p, W_p, 2) normalised garment (x, y), `tps` batch dims (B,) for K = 1 or
        (B, K) otherwise, in the dtype of the pairs (float32 at least).

    Raises:
        ValueError: naming `keypoints` and the batch item (and group) when fewer than 3 valid pairs remain, or
            when the valid person targets are (nearly) collinear.
    """
    if not isinstance(pairs, KeypointPairs):
        raise TypeError(f"keypoints: expected KeypointPairs, got {type(pairs).__name__}")
    if reg < 0:
        raise ValueError(f"reg: expected >= 0, got {reg}")
    if grid_step < 1:
        raise ValueError(f"grid_step: expected >= 1, got {grid_step}")
    b, n = pairs.batch_size, len(pairs.names)
    k = pairs.groups
    dtype = pairs.person_px.dtype if pairs.person_px.dtype == torch.float64 else torch.float32
    person = pairs.person_px.to(dtype).reshape(b, k, n // k, 3)
    garment = pairs.garment_px.to(dtype).reshape(b, k, n // k, 3)
    valid = (person[..., 2] > 0) & (garment[..., 2] > 0)
    _check_enough(person[..., :2].detach(), valid, pairs.person_hw)

    src = px_to_norm(person[..., :2], pairs.person_hw, align_corners=align_corners)
    dst = px_to_norm(garment[..., :2], pairs.garment_hw, align_corners=align_corners)
    zero = torch.zeros_like(src)
    src = torch.where(valid[..., None], src, zero)
    dst = torch.where(valid[..., None], dst, zero)
    reg_points = torch.where(
        valid, torch.full_like(valid, reg, dtype=dtype), torch.full_like(valid, MISSING_REG, dtype=dtype)
    )
    params = tps_solve(src, dst, reg=reg_points)

    grid = _dense_grid(params, pairs.person_hw, align_corners, grid_step)  # (B, K, H, W, 2)
    grid = grid.mean(dim=1)
    if k == 1:
        params = TpsParams(params.control[:, 0], params.kernel[:, 0], params.affine[:, 0])
    return Warp(grid=grid, align_corners=align_corners, kind="tps", tps=params)


def _check_enough(person_xy: Tensor, valid: Tensor, person_hw: tuple[int, int]) -> None:
    counts = valid.sum(-1)
    b, k = counts.shape
    for i in range(b):
        for g in range(k):
            where = f"batch item {i}" + (f", group {g}" if k > 1 else "")
            c = int(counts[i, g])
            if c < 3:
                raise ValueError(
                    f"keypoints: a TPS warp needs at least 3 valid pairs (both confidences > 0), {where} has {c}"
                )
            pts = person_xy[i, g][valid[i, g]].double()
            centred = pts - pts.mean(0)
            # smallest singular value of the point cloud, in pixels: ~0 means all targets on one line
            spread = torch.linalg.svdvals(centred)[-1] / max(c, 1) ** 0.5
            if float(spread) < 1e-3 * max(person_hw):
                raise ValueError(
                    f"keypoints: the valid person targets of {where} are collinear; a TPS needs a 2-D spread"
                )


def _dense_grid(params: TpsParams, size_hw: tuple[int, int], align_corners: bool, step: int) -> Tensor:
    h, w = size_hw
    if step == 1:
        return tps_grid(params, size_hw, align_corners=align_corners)
    # Evaluate on a lattice spanning the first to the last pixel centre, then upsample with align_corners=True:
    # output pixel i then sits at lattice coordinate i (hc - 1) / (h - 1), so upsampling is exact at the nodes.
    hc, wc = max((h - 1) // step + 2, 2), max((w - 1) // step + 2, 2)
    like = params.control
    ys = torch.linspace(0, h - 1, hc, device=like.device, dtype=like.dtype)
    xs = torch.linspace(0, w - 1, wc, device=like.device, dtype=like.dtype)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    lattice = px_to_norm(torch.stack((gx, gy), -1).reshape(-1, 2), size_hw, align_corners=align_corners)
    coarse = tps_transform_points(lattice.expand(*params.batch_shape, -1, 2), params)
    batch = params.batch_shape
    flat = coarse.reshape(-1, hc, wc, 2).permute(0, 3, 1, 2)
    up = F.interpolate(flat, size=(h, w), mode="bilinear", align_corners=True)
    return up.permute(0, 2, 3, 1).reshape(*batch, h, w, 2)


class WarpedGarment(NamedTuple):
    """The garment and its mask pulled into the person frame.

    Attributes:
        image: (B, 3, H_p, W_p) float [0, 1], zero outside the garment's image.
        mask: (B, 1, H_p, W_p) float [0, 1].
    """

    image: Tensor
    mask: Tensor


def warp_garment(garment: Tensor, mask: Tensor, warp: Warp) -> WarpedGarment:
    """Sample a garment image and its mask through `warp` (one `grid_sample` for both).

    Args:
        garment: (B or 1, 3, H_g, W_g) float [0, 1].
        mask: (B or 1, 1, H_g, W_g) float [0, 1], same H_g, W_g.
        warp: grid (B or 1, H_p, W_p, 2).
    """
    check_shape(garment, "garment", ("B", 3, "H", "W"))
    check_shape(mask, "garment_mask", ("B", 1, garment.shape[2], garment.shape[3]))
    if mask.shape[0] != garment.shape[0]:
        mask = mask.expand(garment.shape[0], -1, -1, -1) if mask.shape[0] == 1 else mask
        garment = garment.expand(mask.shape[0], -1, -1, -1) if garment.shape[0] == 1 else garment
    if mask.shape[0] != garment.shape[0]:
        raise ValueError(f"garment_mask: batch {mask.shape[0]} does not match garment batch {garment.shape[0]}")
    both = torch.cat((garment, mask.to(garment.dtype)), dim=1)
    grid = warp.grid.to(device=both.device, dtype=both.dtype)
    if both.shape[0] != grid.shape[0]:
        if both.shape[0] == 1:
            both = both.expand(grid.shape[0], -1, -1, -1)
        elif grid.shape[0] == 1:
            grid = grid.expand(both.shape[0], -1, -1, -1)
        else:
            raise ValueError(f"garment: batch {both.shape[0]} does not match warp batch {grid.shape[0]}")
    out = F.grid_sample(both, grid, mode="bilinear", padding_mode="zeros", align_corners=warp.align_corners)
    return WarpedGarment(image=out[:, :3], mask=out[:, 3:])
