"""`Warp`: a dense backward warp from a garment image into a person's frame, however it was made."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import Tensor

from .._checks import check_shape

if TYPE_CHECKING:
    from .tps import TpsParams

__all__ = ["Warp", "apply_warp", "sample_grid"]


@dataclass(frozen=True)
class Warp:
    """A sampling grid that pulls garment pixels into the person frame.

    Attributes:
        grid: (B, H, W, 2) normalised garment (x, y) for every person pixel, `grid_sample` layout.
        align_corners: frame convention of `grid` (see `kfvton.geometry.grid`).
        kind: "tps" (classical or learned keypoints) or "flow" (dense-motion network).
        tps: the spline(s) behind a "tps" warp, batch dims (B,) or (B, K); None for a flow.
        occlusion: (B, 1, H, W) in [0, 1], 1 = garment visible; None when the method has none.
    """

    grid: Tensor
    align_corners: bool
    kind: str = "tps"
    tps: TpsParams | None = None
    occlusion: Tensor | None = None

    def __post_init__(self) -> None:
        check_shape(self.grid, "warp.grid", ("B", "H", "W", 2))
        if self.occlusion is not None:
            check_shape(self.occlusion, "warp.occlusion", (self.grid.shape[0], 1, *self.grid.shape[1:3]))

    @property
    def size_hw(self) -> tuple[int, int]:
        return int(self.grid.shape[1]), int(self.grid.shape[2])

    def to(self, device: torch.device | str | None = None, dtype: torch.dtype | None = None) -> Warp:
        return replace(
            self,
            grid=self.grid.to(device=device, dtype=dtype),
            tps=None if self.tps is None else self.tps.to(device, dtype),
            occlusion=None if self.occlusion is None else self.occlusion.to(device=device, dtype=dtype),
        )


def sample_grid(
    image: Tensor,
    grid: Tensor,
    *,
    align_corners: bool,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    promote: bool = False,
    name: str = "image",
) -> Tensor:
    """Sample `image` at the normalised locations of `grid`: the one `grid_sample` call every warp goes through.

    Args:
        image: (B or 1, C, H_in, W_in) float.
        grid: (B or 1, H, W, 2) normalised (x, y) in the frame `align_corners` names (see `kfvton.geometry.grid`).
        align_corners: frame convention of `grid`; each caller names its constant.
        mode, padding_mode: as in `torch.nn.functional.grid_sample`.
        promote: sample in the wider of the two dtypes (e.g. a bf16 garment through a float32 grid) and cast back
            to `image`'s dtype; False samples in `image`'s dtype.
        name: the argument name errors use.

    Returns:
        (B, C, H, W) in the dtype of `image`; a batch of 1 broadcasts against the other.
    """
    check_shape(image, name, ("B", "C", "H", "W"))
    check_shape(grid, "grid", ("B", "H", "W", 2))
    work = torch.promote_types(image.dtype, grid.dtype) if promote else image.dtype
    src, grid = image.to(work), grid.to(device=image.device, dtype=work)
    if src.shape[0] != grid.shape[0]:
        if src.shape[0] == 1:
            src = src.expand(grid.shape[0], *src.shape[1:])
        elif grid.shape[0] == 1:
            grid = grid.expand(src.shape[0], *grid.shape[1:])
        else:
            raise ValueError(f"{name}: batch {src.shape[0]} does not match warp batch {grid.shape[0]}")
    out = F.grid_sample(src, grid, mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    return out.to(image.dtype)


def apply_warp(image: Tensor, warp: Warp, *, padding_mode: str = "zeros", mode: str = "bilinear") -> Tensor:
    """Sample `image` (B or 1, C, H_g, W_g) through `warp`, giving (B, C, H, W) in the person frame.

    The occlusion map is not applied here: callers multiply by `warp.occlusion` where the method calls for it.
    """
    return sample_grid(image, warp.grid, align_corners=warp.align_corners, mode=mode, padding_mode=padding_mode)
