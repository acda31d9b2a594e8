"""Input validation shared by every public boundary (style rule R4).

Each helper raises before any heavy work, with a message naming the argument, what was expected and what arrived.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

__all__ = ["check_shape", "check_same_batch", "check_finite", "check_image", "check_mask", "broadcast_batch"]


def check_shape(x: object, name: str, shape: Sequence[int | str]) -> None:
    """Raise unless `x` is a Tensor matching `shape` (str = free dim, int = fixed dim).

    A leading "..." entry allows any number of leading dims.
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(x).__name__}")
    shape = tuple(shape)
    if shape and shape[0] == "...":
        tail = shape[1:]
        dims = tuple(x.shape[x.ndim - len(tail) :]) if x.ndim >= len(tail) else None
        ok = dims is not None and all(not isinstance(s, int) or d == s for d, s in zip(dims, tail, strict=True))
    else:
        ok = x.ndim == len(shape) and all(not isinstance(s, int) or d == s for d, s in zip(x.shape, shape, strict=True))
    if not ok:
        raise ValueError(f"{name}: expected shape ({', '.join(map(str, shape))}), got {tuple(x.shape)}")


def check_finite(x: Tensor, name: str) -> None:
    """Raise if `x` holds NaN or infinite values."""
    if not torch.isfinite(x).all():
        raise ValueError(f"{name}: expected finite values, got NaN or inf")


def check_image(x: object, name: str, *, layout: str = "BCHW", channels: Sequence[int] = (3,)) -> None:
    """Raise unless `x` is a float image tensor with one of `channels` channels, values in [0, 1].

    Args:
        layout: "BCHW" (library) or "BHWC" (ComfyUI IMAGE).
    """
    check_shape(x, name, ("B", "C", "H", "W") if layout == "BCHW" else ("B", "H", "W", "C"))
    assert isinstance(x, Tensor)
    c = x.shape[1] if layout == "BCHW" else x.shape[-1]
    if c not in channels:
        raise ValueError(
            f"{name}: expected {' or '.join(map(str, channels))} channels ({layout}), got {c} (shape {tuple(x.shape)})"
        )
    if not x.is_floating_point():
        raise TypeError(f"{name}: expected a float image with values in [0, 1], got dtype {x.dtype}")
    if x.numel() == 0:
        raise ValueError(f"{name}: got an empty image of shape {tuple(x.shape)}")


def check_mask(x: object, name: str) -> None:
    """Raise unless `x` is a float mask (B, H, W) with values in [0, 1]."""
    check_shape(x, name, ("B", "H", "W"))
    assert isinstance(x, Tensor)
    if not x.is_floating_point():
        raise TypeError(f"{name}: expected a float mask with values in [0, 1], got dtype {x.dtype}")


def check_same_batch(batches: dict[str, int]) -> int:
    """Return the common batch size of named inputs where batch 1 broadcasts (rule R10); raise naming both on mismatch.

    Args:
        batches: input name -> its batch size.
    """
    target = 1
    owner = ""
    for name, b in batches.items():
        if b == 1:
            continue
        if target == 1:
            target, owner = b, name
        elif b != target:
            raise ValueError(
                f"batch size mismatch: {owner} has {target} items but {name} has {b}; "
                "use equal batch sizes or a batch of 1 to broadcast"
            )
    return target


def broadcast_batch(x: Tensor, batch: int, name: str) -> Tensor:
    """Expand a batch-1 tensor to `batch` along dim 0 (no copy); pass through tensors already that size."""
    if x.shape[0] == batch:
        return x
    if x.shape[0] == 1:
        return x.expand(batch, *x.shape[1:])
    raise ValueError(f"{name}: batch of {x.shape[0]} cannot broadcast to {batch}")
