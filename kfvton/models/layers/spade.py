"""SPADE normalisation and residual block of the KF-VTON generator ("spectralaliasinstance": spectral-norm convs,
parameter-free InstanceNorm, SimAM on the block output)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from .simam import SimAM
from .spectral_norm import SpectralNormConv2d

__all__ = ["SPADENorm", "SPADEResBlock"]

_SLOPE = 0.2


class SPADENorm(nn.Module):
    """Conv, InstanceNorm, then a modulation predicted from the conv output and from the segmentation.

    y = conv2d(x); a = relu(conv_shared(y)); t = relu(conv_shared_2(seg));
    gamma = conv_gamma(a) (1 + gamma_seg_gamma(t)) + beta_seg_gamma(t);
    beta = conv_beta(a) (1 + gamma_seg_beta(t)) + beta_seg_beta(t);
    out = leaky_relu(IN(y) (1 + gamma) + beta, 0.2).

    Args:
        in_channels: channels of x; out_channels: channels of y and of the output.
        label_channels: channels of seg (7); hidden: width of the shared convs (128).
    """

    def __init__(self, in_channels: int, out_channels: int, label_channels: int = 7, hidden: int = 128) -> None:
        super().__init__()

        def conv(cin: int, cout: int) -> nn.Conv2d:
            return nn.Conv2d(cin, cout, 3, padding=1)

        self.conv2d = conv(in_channels, out_channels)
        self.conv_shared = conv(out_channels, hidden)
        self.conv_gamma = conv(hidden, out_channels)
        self.conv_beta = conv(hidden, out_channels)
        self.conv_shared_2 = conv(label_channels, hidden)
        self.gamma_seg_gamma = conv(hidden, out_channels)
        self.beta_seg_gamma = conv(hidden, out_channels)
        self.gamma_seg_beta = conv(hidden, out_channels)
        self.beta_seg_beta = conv(hidden, out_channels)

    def forward(self, x: Tensor, seg: Tensor) -> Tensor:
        """x (B, in, H, W), seg (B, label, H, W) at x's size -> (B, out, H, W)."""
        y = self.conv2d(x)
        normalized = F.instance_norm(y, eps=1e-5)
        a = F.relu(self.conv_shared(y))
        t = F.relu(self.conv_shared_2(seg))
        gamma = self.conv_gamma(a) * (1 + self.gamma_seg_gamma(t)) + self.beta_seg_gamma(t)
        beta = self.conv_beta(a) * (1 + self.gamma_seg_beta(t)) + self.beta_seg_beta(t)
        return F.leaky_relu(normalized * (1 + gamma) + beta, _SLOPE)


class SPADEResBlock(nn.Module):
    """SimAM(shortcut + conv_1(lrelu(norm_1(conv_0(lrelu(norm_0(x, seg))), seg)))).

    The shortcut is conv_s(norm_s(x, seg)) when in_channels != out_channels, else x. conv_0/1/s are spectrally
    normalised; norm_* end in a LeakyReLU, so each branch applies LeakyReLU(0.2) twice (authors' design, kept).

    Args:
        in_channels, out_channels: block widths; label_channels: seg channels (7).
    """

    def __init__(self, in_channels: int, out_channels: int, label_channels: int = 7) -> None:
        super().__init__()
        mid = min(in_channels, out_channels)
        self.learned_shortcut = in_channels != out_channels
        self.norm_0 = SPADENorm(in_channels, mid, label_channels)
        self.conv_0 = SpectralNormConv2d(mid, mid, 3, padding=1)
        self.norm_1 = SPADENorm(mid, out_channels, label_channels)
        self.conv_1 = SpectralNormConv2d(out_channels, out_channels, 3, padding=1)
        if self.learned_shortcut:
            self.norm_s = SPADENorm(in_channels, out_channels, label_channels)
            self.conv_s = SpectralNormConv2d(out_channels, out_channels, 1, bias=False)
        self.simam = SimAM()

    def forward(self, x: Tensor, seg: Tensor) -> Tensor:
        """x (B, in, H, W), seg (B, label, h, w) any size (nearest-resized to H x W) -> (B, out, H, W)."""
        seg = F.interpolate(seg, size=x.shape[-2:], mode="nearest")
        shortcut = self.conv_s(self.norm_s(x, seg)) if self.learned_shortcut else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, seg), _SLOPE))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, seg), _SLOPE))
        return self.simam(shortcut + dx)
