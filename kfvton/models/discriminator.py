"""Multi-scale PatchGAN discriminator (pix2pixHD / SPADE style) for KF-VTON's adversarial and feature-matching losses.

Each scale is an N-layer PatchGAN with spectral-normalised convolutions and parameter-free instance norm; scale s
sees the input average-pooled s times. `forward` returns, per scale, every intermediate feature map plus the final
patch logits, so the trainer can compute the hinge loss on the last entry and feature matching on the others.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils import spectral_norm

from .._checks import check_shape

__all__ = ["DiscriminatorConfig", "PatchDiscriminator", "MultiScaleDiscriminator"]


@dataclass(frozen=True)
class DiscriminatorConfig:
    """Hyper-parameters of `MultiScaleDiscriminator`.

    Attributes:
        in_channels: channels of the input (condition channels + 3 image channels).
        base_channels: channels of the first layer (64 in pix2pixHD).
        n_layers: strided layers per scale (3 gives a 70x70 receptive field at full scale).
        n_scales: number of discriminators at 1, 1/2, 1/4, ... resolution.
    """

    in_channels: int = 3
    base_channels: int = 64
    n_layers: int = 3
    n_scales: int = 2

    def __post_init__(self) -> None:
        for key, value in asdict(self).items():
            if value < 1:
                raise ValueError(f"discriminator.{key}: expected >= 1, got {value}")


class PatchDiscriminator(nn.Module):
    """One PatchGAN: (B, C_in, H, W) -> list of feature maps, the last one (B, 1, H', W') patch logits."""

    def __init__(self, in_channels: int, base_channels: int = 64, n_layers: int = 3) -> None:
        super().__init__()
        layers: list[nn.Module] = [
            nn.Sequential(nn.Conv2d(in_channels, base_channels, 4, 2, 2), nn.LeakyReLU(0.2, inplace=False))
        ]
        ch = base_channels
        for i in range(1, n_layers + 1):
            out = min(ch * 2, 512)
            stride = 2 if i < n_layers else 1
            layers.append(
                nn.Sequential(
                    spectral_norm(nn.Conv2d(ch, out, 4, stride, 2, bias=False)),
                    nn.InstanceNorm2d(out, affine=False),
                    nn.LeakyReLU(0.2, inplace=False),
                )
            )
            ch = out
        layers.append(nn.Sequential(nn.Conv2d(ch, 1, 4, 1, 2)))
        self.layers = nn.ModuleList(layers)

    def forward(self, x: Tensor) -> list[Tensor]:
        feats = []
        for layer in self.layers:
            x = layer(x)
            feats.append(x)
        return feats


class MultiScaleDiscriminator(nn.Module):
    """`n_scales` PatchGANs on successively 2x average-pooled inputs.

    forward(x): x (B, in_channels, H, W) float in [-1, 1] (condition and image concatenated along C);
    returns a list over scales of lists of feature maps; `out[s][-1]` are scale s's patch logits.
    """

    def __init__(self, config: DiscriminatorConfig | None = None) -> None:
        super().__init__()
        self.config = config or DiscriminatorConfig()
        c = self.config
        self.scales = nn.ModuleList(
            PatchDiscriminator(c.in_channels, c.base_channels, c.n_layers) for _ in range(c.n_scales)
        )

    def forward(self, x: Tensor) -> list[list[Tensor]]:
        check_shape(x, "discriminator input", ("B", self.config.in_channels, "H", "W"))
        outs = []
        for i, disc in enumerate(self.scales):
            if i:
                x = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
            outs.append(disc(x))
        return outs
