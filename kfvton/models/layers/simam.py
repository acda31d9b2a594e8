"""SimAM: parameter-free spatial attention (Yang et al., ICML 2021), as the KF-VTON generator uses it."""

from __future__ import annotations

import torch
from torch import Tensor, nn

__all__ = ["SimAM"]


class SimAM(nn.Module):
    """out = x * sigmoid(d / (4 (sum(d) / (H W - 1) + lam)) + 0.5), d = (x - mean_hw(x))^2, per sample and channel.

    Args:
        lam: the energy regulariser lambda (authors: 1e-4).
    """

    def __init__(self, lam: float = 1e-4) -> None:
        super().__init__()
        self.lam = lam

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, H, W) -> (B, C, H, W)."""
        n = x.shape[-2] * x.shape[-1] - 1
        d = (x - x.mean(dim=(-2, -1), keepdim=True)).square()
        y = d / (4 * (d.sum(dim=(-2, -1), keepdim=True) / n + self.lam)) + 0.5
        return x * torch.sigmoid(y)
