"""Tensor layout conversions between ComfyUI (IMAGE (B, H, W, C), MASK (B, H, W)) and the library (B, C, H, W).

The ComfyUI -> library direction is where node inputs enter the library, so it also checks them (finite, float,
values in [0, 1], the socket's name in the message) and hands the library float32 whatever float dtype arrived
(fp16 / bf16 images give NaN in the solves; float64 stays).
"""

from __future__ import annotations

from torch import Tensor

from .._checks import check_image, check_mask, check_shape, working_float

__all__ = ["bhwc_to_bchw", "bchw_to_bhwc", "mask_to_b1hw", "b1hw_to_mask"]


def bhwc_to_bchw(image: Tensor, name: str = "image") -> Tensor:
    """IMAGE (B, H, W, C) float [0, 1], C in 1, 3, 4 -> (B, C, H, W) contiguous, float32 (float64 stays).

    Raises:
        ValueError / TypeError naming `name`: another shape, an integer dtype, NaN or inf, values outside [0, 1]
        (e.g. 0..255).
    """
    check_image(image, name, layout="BHWC", channels=(1, 3, 4))
    return working_float(image.permute(0, 3, 1, 2)).contiguous()


def bchw_to_bhwc(image: Tensor, name: str = "image") -> Tensor:
    """(B, C, H, W) -> (B, H, W, C), contiguous."""
    check_shape(image, name, ("B", "C", "H", "W"))
    return image.permute(0, 2, 3, 1).contiguous()


def mask_to_b1hw(mask: Tensor, name: str = "mask") -> Tensor:
    """ComfyUI MASK (B, H, W) float [0, 1], or a single (H, W) mask, -> (B, 1, H, W) float32 (float64 stays).

    Raises:
        ValueError / TypeError naming `name`: another shape, an integer dtype, NaN or inf, values outside [0, 1].
    """
    if isinstance(mask, Tensor) and mask.ndim == 2:
        mask = mask.unsqueeze(0)
    check_mask(mask, name)
    return working_float(mask).unsqueeze(1)


def b1hw_to_mask(mask: Tensor, name: str = "mask") -> Tensor:
    """(B, 1, H, W) -> ComfyUI MASK (B, H, W)."""
    check_shape(mask, name, ("B", 1, "H", "W"))
    return mask[:, 0]
