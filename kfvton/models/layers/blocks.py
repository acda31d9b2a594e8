"""Residual blocks of the segmentation generator (conv + InstanceNorm, no affine)."""

from __future__ import annotations

from typing import Literal

import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["SegResBlock"]


class SegResBlock(nn.Module):
    """r = scale(x); out = relu(r + IN(conv_b(relu(IN(conv_a(r)))))).

    scale is, by `mode`: "down" a 3x3 stride-2 conv; "up" bilinear x2 (align_corners=False) of a 1x1 conv;
    "same" a 1x1 conv. All convs carry a bias; IN is InstanceNorm without affine, eps 1e-5.

    Args:
        in_channels, out_channels: widths; mode: "down" | "up" | "same".
    """

    def __init__(self, in_channels: int, out_channels: int, mode: Literal["down", "up", "same"]) -> None:
        super().__init__()
        if mode not in ("down", "up", "same"):
            raise ValueError(f"mode: expected 'down', 'up' or 'same', got {mode!r}")
        self.mode = mode
        if mode == "down":
            self.scale = nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1)
        else:
            self.scale = nn.Conv2d(in_channels, out_channels, 1)
        self.conv_a = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.conv_b = nn.Conv2d(out_channels, out_channels, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        """(B, in, H, W) -> (B, out, H', W'), H' = ceil(H/2), 2H or H by mode."""
        # Under autocast the convolutions run in bf16 and so does everything between them: InstanceNorm
        # accumulates its statistics in float32 whatever its input, and a float32 result would only be rounded
        # back to bf16 by the next convolution. The block output keeps the convolutions' dtype.
        r = self.scale(x)
        if self.mode == "up":
            # The authors upsample, then apply the 1x1 conv. Both are linear and bilinear weights sum to 1 (bias
            # kept), so conv-then-upsample is the same map at a quarter of the conv's work and the upsample's traffic
            # on out_channels (<= in_channels) instead of in_channels.
            r = F.interpolate(r, scale_factor=2.0, mode="bilinear", align_corners=False)
        dx = F.relu(F.instance_norm(self.conv_a(r), eps=1e-5))
        dx = F.instance_norm(self.conv_b(dx), eps=1e-5)
        return F.relu(r + dx)
