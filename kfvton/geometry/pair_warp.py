"""A dense backward warp from point pairs: one thin-plate spline per image (or K per image). Pure geometry: points
in, `Warp` out; what the points mean (garment landmarks, learned keypoints) is decided above this module.

Convention:
    The warp is backward: for every output (person) pixel it gives the input (garment) location to sample. So the
    spline is fitted from the output-frame points (`person_px`, the TPS control points) to the input-frame points
    (`garment_px`), both converted from pixels to the normalised frame of their own image with `align_corners`
    (default `ALIGN_CORNERS_TPS`).
    Missing pairs (either confidence 0) stay in the batched solve with a regulariser of `MISSING_REG` on their
    diagonal entry, which removes them from the fit to ~1e-6 while every batch item keeps the same N: one solve.
    With `groups` K > 1 (the learned path: K groups of N // K points, group-major), a (B, K) batch of splines is
    solved and the K dense grids are averaged with equal weights (KF-VTON's keypoint groups each describe the whole
    garment; equal weights need no extra network and keep every group's contribution visible in `warp.tps`).
"""

from __future__ import annotations

import torch
from torch import Tensor

from .._checks import check_shape
from .grid import ALIGN_CORNERS_TPS, px_to_norm
from .tps import TpsParams, tps_grid, tps_solve
from .warp import Warp

__all__ = ["MISSING_REG", "DEFAULT_REG", "warp_from_points", "solve_valid_pairs", "check_point_spread"]

#: Diagonal regulariser given to missing pairs: large enough to drop them from the fit, small enough to stay
#: well conditioned in the float64 solve.
MISSING_REG: float = 1e6
#: Default smoothing of valid pairs (normalised frame): tiny, so landmarks land within a fraction of a pixel at
#: 1024x768, but it keeps nearly coincident landmarks from producing huge kernel weights (folds).
DEFAULT_REG: float = 1e-3


def warp_from_points(
    person_px: Tensor,
    garment_px: Tensor,
    *,
    person_hw: tuple[int, int],
    garment_hw: tuple[int, int],
    groups: int = 1,
    reg: float = DEFAULT_REG,
    align_corners: bool = ALIGN_CORNERS_TPS,
    grid_step: int = 1,
) -> Warp:
    """Fit the TPS(s) of the pairs and evaluate the dense backward sampling grid over the person frame.

    Args:
        person_px: (B, N, 3) output-frame points (x_px, y_px, confidence), confidence 0 = missing.
        garment_px: (B, N, 3) the matching input-frame points, same layout.
        person_hw, garment_hw: (H, W) of the two frames.
        groups: K splines per item (N divisible by K, group-major).
        reg: >= 0 smoothing of the valid pairs (see `tps_solve`); 0 interpolates exactly.
        align_corners: pixel <-> normalised convention of both frames and of the output grid.
        grid_step: lattice step of the dense grid (`tps_grid`'s `step`; 1 = exact at every pixel).

    Returns:
        `Warp` of kind "tps": grid (B, H_p, W_p, 2) normalised garment (x, y), `tps` batch dims (B,) for K = 1 or
        (B, K) otherwise, in the dtype of the points (float32 at least).

    Raises:
        ValueError: naming `keypoints` and the batch item (and group) when fewer than 3 valid pairs remain, or
            when the valid person targets are (nearly) collinear.
    """
    check_shape(person_px, "keypoints.person_px", ("B", "N", 3))
    check_shape(garment_px, "keypoints.garment_px", (person_px.shape[0], person_px.shape[1], 3))
    if reg < 0:
        raise ValueError(f"reg: expected >= 0, got {reg}")
    if grid_step < 1:
        raise ValueError(f"grid_step: expected >= 1, got {grid_step}")
    b, n = person_px.shape[:2]
    k = groups
    if k < 1 or n % k:
        raise ValueError(f"groups: expected a divisor of the {n} points, got {k}")
    dtype = person_px.dtype if person_px.dtype == torch.float64 else torch.float32
    person = person_px.to(dtype).reshape(b, k, n // k, 3)
    garment = garment_px.to(dtype).reshape(b, k, n // k, 3)
    valid = (person[..., 2] > 0) & (garment[..., 2] > 0)
    check_point_spread(person[..., :2].detach(), valid, person_hw)
    params = solve_valid_pairs(
        person[..., :2], garment[..., :2], valid, person_hw, garment_hw, reg=reg, align_corners=align_corners
    )
    grid = tps_grid(params, person_hw, align_corners=align_corners, step=grid_step)  # (B, K, H, W, 2)
    grid = grid.mean(dim=1)
    if k == 1:
        params = TpsParams(params.control[:, 0], params.kernel[:, 0], params.affine[:, 0])
    return Warp(grid=grid, align_corners=align_corners, kind="tps", tps=params)


def solve_valid_pairs(
    person_xy: Tensor,
    garment_xy: Tensor,
    valid: Tensor,
    person_hw: tuple[int, int],
    garment_hw: tuple[int, int],
    *,
    reg: float,
    align_corners: bool = ALIGN_CORNERS_TPS,
) -> TpsParams:
    """One batched TPS solve (person -> garment, normalised) in which invalid pairs get `MISSING_REG`.

    Args:
        person_xy, garment_xy: (..., N, 2) pixels (x, y) of each frame.
        valid: (..., N) bool.
        reg: >= 0 smoothing of the valid pairs.

    Returns:
        `TpsParams` with batch dims (...), control points in the person's normalised frame.
    """
    src = px_to_norm(person_xy, person_hw, align_corners=align_corners)
    dst = px_to_norm(garment_xy, garment_hw, align_corners=align_corners)
    zero = torch.zeros_like(src)
    src = torch.where(valid[..., None], src, zero)
    dst = torch.where(valid[..., None], dst, zero)
    reg_points = torch.where(valid, torch.full_like(src[..., 0], reg), torch.full_like(src[..., 0], MISSING_REG))
    return tps_solve(src, dst, reg=reg_points)


def check_point_spread(person_xy: Tensor, valid: Tensor, person_hw: tuple[int, int]) -> None:
    """Raise (naming `keypoints`) unless every (item, group) has >= 3 valid points with a 2-D spread.

    Args:
        person_xy: (B, K, N, 2) pixels; valid: (B, K, N) bool.
    """
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
