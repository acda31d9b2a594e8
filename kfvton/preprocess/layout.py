"""Tensor layout conversions between ComfyUI (IMAGE (B, H, W, C), MASK (B, H, W)) and the library (B, C, H, W)."""

from __future__ import annotations

from torch import Tensor

from .._checks import check_shape

__all__ = ["bhwc_to_bchw", "bchw_to_bhwc", "mask_to_b1hw", "b1hw_to_mask"]


def bhwc_to_bchw(image: Tensor, name: str = "image") -> Tensor:
    """(B, H, W, C) -> (B, C, H, W), contiguous."""
    check_shape(image, name, ("B", "H", "W", "C"))
    return image.permute(0, 3, 1, 2).contiguous()


def bchw_to_bhwc(image: Tensor, name: str = "image") -> Tensor:
    """(B, C, H, W) -> (B, H, W, C), contiguous."""
    check_shape(image, name, ("B", "C", "H", "W"))
    return image.permute(0, 2, 3, 1).contiguous()


def mask_to_b1hw(mask: Tensor, name: str = "mask") -> Tensor:
    """ComfyUI MASK (B, H, W), or a single (H, W) mask, -> (B, 1, H, W)."""
    if isinstance(mask, Tensor) and mask.ndim == 2:
        mask = mask.unsqueeze(0)
    check_shape(mask, name, ("B", "H", "W"))
    return mask.unsqueeze(1)


def b1hw_to_mask(mask: Tensor, name: str = "mask") -> Tensor:
    """(B, 1, H, W) -> ComfyUI MASK (B, H, W)."""
    check_shape(mask, name, ("B", 1, "H", "W"))
    return mask[:, 0]
