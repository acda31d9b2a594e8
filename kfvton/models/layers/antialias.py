"""Anti-aliased downsampling (Gaussian blur, then keep every k-th pixel), as the dense motion network uses it."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["AntiAliasDownsample", "gaussian_kernel"]


def gaussian_kernel(scale: float, *, dtype: torch.dtype = torch.float32) -> Tensor:
    """The authors' blur for a downscale by `scale`: sigma = (1/scale - 1)/2, size 2 round(4 sigma) + 1, sum 1.

    Returns:
        (K, K) kernel, centred at index K // 2.
    """
    sigma = (1.0 / scale - 1.0) / 2.0
    size = 2 * round(sigma * 4) + 1
    ax = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    g1 = torch.exp(-(ax**2) / (2 * sigma**2))
    kernel = g1[:, None] * g1[None, :]
    return (kernel / kernel.sum()).to(dtype)


class AntiAliasDownsample(nn.Module):
    """Depthwise Gaussian blur (zero padding) then legacy-nearest downsampling by `scale` = 1 / stride.

    Nearest resampling by an integer factor keeps pixels (s i, s j), so the blur is evaluated only there (a strided
    convolution): the same numbers as blur-then-`interpolate(scale_factor=scale)`, with 1/s^2 of the work.

    Args:
        channels: number of channels, each blurred on its own.
        scale: downscale factor; 1 / scale must be an integer (KF-VTON uses 0.5).
    """

    def __init__(self, channels: int, scale: float = 0.5) -> None:
        super().__init__()
        stride = round(1.0 / scale)
        if scale <= 0 or scale > 1 or abs(stride * scale - 1.0) > 1e-9:
            raise ValueError(f"scale: expected 1 / an integer in (0, 1], got {scale}")
        self.channels = channels
        self.stride = stride
        kernel = gaussian_kernel(scale)
        self.register_buffer("kernel", kernel.expand(channels, 1, *kernel.shape).clone(), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, H, W) -> (B, C, H // s, W // s)."""
        if self.stride == 1:
            return x
        h, w = x.shape[-2] // self.stride, x.shape[-1] // self.stride
        pad = self.kernel.shape[-1] // 2
        out = F.conv2d(x, self.kernel.to(x.dtype), padding=pad, stride=self.stride, groups=self.channels)
        return out[..., :h, :w]
