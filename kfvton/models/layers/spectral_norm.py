"""Spectrally normalised convolution with the authors' state-dict layout (`weight_orig`, `weight_u`, `weight_v`).

Eval mode uses the stored vectors as they are: W = weight_orig / (u . (W_mat v)), W_mat = weight_orig reshaped to
(out, -1), no power iteration (what `torch.nn.utils.spectral_norm` does in eval mode). Training mode first runs one
power iteration and updates `weight_u` / `weight_v` in place, as torch does.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["SpectralNormConv2d"]

_EPS = 1e-12  # torch.nn.utils.spectral_norm default
_INIT_ITERATIONS = 15


class SpectralNormConv2d(nn.Module):
    """`nn.Conv2d` whose weight is divided by its largest singular value (estimated by power iteration).

    Args:
        in_channels, out_channels, kernel_size, padding, bias: as `nn.Conv2d` (stride 1).
        power_iterations: iterations per training-mode forward (torch's default 1).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        *,
        padding: int = 0,
        bias: bool = True,
        power_iterations: int = 1,
    ) -> None:
        super().__init__()
        self.padding = padding
        self.power_iterations = power_iterations
        self.weight_orig = nn.Parameter(torch.empty(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        nn.init.kaiming_uniform_(self.weight_orig, a=5**0.5)
        u = F.normalize(torch.randn(out_channels), dim=0, eps=_EPS)
        v = torch.empty(in_channels * kernel_size * kernel_size)
        # Start u, v near the top singular vectors (torch.nn.utils.parametrizations.spectral_norm does the same
        # 15 iterations): with raw random vectors sigma = u . (W v) is a tiny random number, and an untrained
        # network's eval-mode activations grow by orders of magnitude per block.
        with torch.no_grad():
            _power_iteration(self.weight_orig.flatten(1), u, v, _INIT_ITERATIONS)
        self.register_buffer("weight_u", u)
        self.register_buffer("weight_v", v)

    def normalized_weight(self) -> Tensor:
        """The conv weight W = weight_orig / sigma, (out, in, k, k); updates u, v first in training mode."""
        w_mat = self.weight_orig.flatten(1)
        u, v = self.weight_u, self.weight_v
        if self.training and self.power_iterations > 0:
            with torch.no_grad():
                _power_iteration(w_mat, u, v, self.power_iterations)
            u, v = u.clone(), v.clone()
        sigma = torch.dot(u.to(w_mat.dtype), w_mat.mv(v.to(w_mat.dtype)))
        return self.weight_orig / sigma

    def forward(self, x: Tensor) -> Tensor:
        """(B, in, H, W) -> (B, out, H, W)."""
        return F.conv2d(x, self.normalized_weight(), self.bias, padding=self.padding)

    def extra_repr(self) -> str:
        out_c, in_c, k, _ = self.weight_orig.shape
        return f"{in_c}, {out_c}, kernel_size={k}, padding={self.padding}, bias={self.bias is not None}"


def _power_iteration(w_mat: Tensor, u: Tensor, v: Tensor, iterations: int) -> None:
    """`iterations` steps of v = normalize(W^T u), u = normalize(W v), written into u (out,) and v (in k k,)."""
    for _ in range(iterations):
        F.normalize(w_mat.t().mv(u), dim=0, eps=_EPS, out=v)
        F.normalize(w_mat.mv(v), dim=0, eps=_EPS, out=u)
