"""The U-Net ("hourglass") of the dense motion network: conv-BN-ReLU-avgpool down, nearest-conv-BN-ReLU up."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["DownBlock", "UpBlock", "Hourglass"]


class DownBlock(nn.Module):
    """conv3x3 -> BN -> ReLU -> avgpool 2: (B, C_in, H, W) -> (B, C_out, H/2, W/2)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.norm = nn.BatchNorm2d(out_channels)

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(F.relu(self.norm(self.conv(x))), 2)


class UpBlock(nn.Module):
    """nearest x2 -> conv3x3 -> BN -> ReLU: (B, C_in, H, W) -> (B, C_out, 2H, 2W)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.norm = nn.BatchNorm2d(out_channels)

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(self.norm(self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))))


class Hourglass(nn.Module):
    """Encoder of `num_blocks` DownBlocks, decoder of UpBlocks each followed by concatenation with the skip.

    Channels of down block i: in_features (i = 0) or min(max_features, expansion 2^i) -> min(max, expansion 2^(i+1)).

    Args:
        in_features: input channels.
        expansion: base width (64).
        num_blocks: depth (4); H and W must be divisible by 2^num_blocks.
        max_features: channel cap (256).
    """

    def __init__(self, in_features: int, expansion: int = 64, num_blocks: int = 4, max_features: int = 256) -> None:
        super().__init__()

        def width(i: int) -> int:
            return min(max_features, expansion * 2**i)

        self.down = nn.ModuleList(
            DownBlock(in_features if i == 0 else width(i), width(i + 1)) for i in range(num_blocks)
        )
        self.up = nn.ModuleList(
            UpBlock((1 if i == num_blocks - 1 else 2) * width(i + 1), width(i)) for i in reversed(range(num_blocks))
        )
        self.out_channels = expansion + in_features

    def forward_all(self, x: Tensor) -> list[Tensor]:
        """Every decoder level after its concatenation, coarsest first; the last is (B, out_channels, H, W)."""
        skips = [x]
        for block in self.down:
            skips.append(block(skips[-1]))
        out = skips.pop()
        levels = []
        for block in self.up:
            out = torch.cat((block(out), skips.pop()), dim=1)
            levels.append(out)
        return levels

    def forward(self, x: Tensor) -> Tensor:
        """(B, in_features, H, W) -> (B, expansion + in_features, H, W)."""
        return self.forward_all(x)[-1]
