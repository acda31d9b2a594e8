"""SPADE normalisation and residual block of the KF-VTON generator ("spectralaliasinstance": spectral-norm convs,
parameter-free InstanceNorm, SimAM on the block output)."""

from __future__ import annotations

import torch
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

    def forward(self, x: Tensor, seg: Tensor, seg_hidden: Tensor | None = None) -> Tensor:
        """x (B, in, H, W), seg (B, label, H, W) at x's size -> (B, out, H, W).

        `seg_hidden` = relu(conv_shared_2(seg)) when the caller computed it (SPADEResBlock does, for its three
        norms in one convolution).
        """
        # Convolutions may run in low precision (autocast); the normalisation and modulation run in float32 at
        # least (`work`), and the result has x's dtype.
        work = torch.promote_types(x.dtype, torch.float32)
        y = self.conv2d(x)
        normalized = F.instance_norm(y.to(work), eps=1e-5)
        a = F.relu(self.conv_shared(y))
        t = F.relu(self.conv_shared_2(seg)) if seg_hidden is None else seg_hidden
        # Convolutions sharing an input run as one (same maths, one pass over the input). The "1 +" terms are
        # folded into the biases, so the modulation is three fused multiply-adds:
        #   1 + gamma = gamma0 (1 + g_gamma) + (1 + b_gamma),  beta = beta0 (1 + g_beta) + b_beta.
        gamma0, beta0 = _fused_conv(a, (self.conv_gamma, self.conv_beta))
        one_g_gamma, one_b_gamma, one_g_beta, b_beta = _fused_conv(
            t,
            (self.gamma_seg_gamma, self.beta_seg_gamma, self.gamma_seg_beta, self.beta_seg_beta),
            bias_offsets=(1.0, 1.0, 1.0, 0.0),
        )
        one_plus_gamma = torch.addcmul(one_b_gamma.to(work), gamma0, one_g_gamma)
        beta = torch.addcmul(b_beta.to(work), beta0, one_g_beta)
        return F.leaky_relu_(torch.addcmul(beta, normalized, one_plus_gamma), _SLOPE).to(x.dtype)


def _fused_conv(
    x: Tensor, convs: tuple[nn.Conv2d, ...], *, bias_offsets: tuple[float, ...] | None = None
) -> tuple[Tensor, ...]:
    """The outputs of several same-shaped 3x3 convs of `x`, computed as one convolution.

    `bias_offsets[i]` is added to conv i's bias (a constant added to its output, for free).
    """
    weight = torch.cat([c.weight for c in convs])
    if bias_offsets is None:
        bias = torch.cat([c.bias for c in convs])
    else:
        bias = torch.cat([c.bias + offset for c, offset in zip(convs, bias_offsets, strict=True)])
    return F.conv2d(x, weight, bias, padding=1).chunk(len(convs), dim=1)


class SPADEResBlock(nn.Module):
    """SimAM(shortcut + conv_1(lrelu(norm_1(conv_0(lrelu(norm_0(x, seg))), seg)))).

    The shortcut is conv_s(norm_s(x, seg)) when in_channels != out_channels, else x. conv_0/1/s are spectrally
    normalised; norm_* end in a LeakyReLU, so each branch applies LeakyReLU(0.2) twice (authors' design, kept).

    Args:
        in_channels, out_channels: block widths; label_channels: seg channels (7); hidden: SPADENorm width.
    """

    def __init__(self, in_channels: int, out_channels: int, label_channels: int = 7, hidden: int = 128) -> None:
        super().__init__()
        mid = min(in_channels, out_channels)
        self.learned_shortcut = in_channels != out_channels
        self.norm_0 = SPADENorm(in_channels, mid, label_channels, hidden)
        self.conv_0 = SpectralNormConv2d(mid, mid, 3, padding=1)
        self.norm_1 = SPADENorm(mid, out_channels, label_channels, hidden)
        self.conv_1 = SpectralNormConv2d(out_channels, out_channels, 3, padding=1)
        if self.learned_shortcut:
            self.norm_s = SPADENorm(in_channels, out_channels, label_channels, hidden)
            self.conv_s = SpectralNormConv2d(out_channels, out_channels, 1, bias=False)
        self.simam = SimAM()

    def forward(self, x: Tensor, seg: Tensor) -> Tensor:
        """x (B, in, H, W), seg (B, label, h, w) any size (nearest-resized to H x W) -> (B, out, H, W)."""
        seg = F.interpolate(seg, size=x.shape[-2:], mode="nearest")
        norms = (self.norm_0, self.norm_1, self.norm_s) if self.learned_shortcut else (self.norm_0, self.norm_1)
        t = [F.relu(h) for h in _fused_conv(seg, tuple(n.conv_shared_2 for n in norms))]  # one conv for all norms
        shortcut = self.conv_s(self.norm_s(x, seg, t[2])) if self.learned_shortcut else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, seg, t[0]), _SLOPE))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, seg, t[1]), _SLOPE))
        work = torch.promote_types(x.dtype, torch.float32)
        return self.simam(shortcut.to(work) + dx.to(work)).to(x.dtype)
