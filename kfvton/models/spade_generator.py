"""KF-VTON try-on generator: a SPADE decoder conditioned on the 7-class parse, fed with the input at 4 scales.

Input x = cat(agnostic person 3, pose image 3, warped garment 3) in [-1, 1]; seg = the 7-class parse (one-hot or
L2-normalised scores). The input is nearest-subsampled by 8, 4, 2, 1; the coarsest feeds the head block, each finer
one is concatenated to the upsampled features before the next SPADE block. Fully convolutional: H and W must be
divisible by 8 (by 2^num_up in general); 256 x 192 is the trained size.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._checks import check_shape
from .layers.spade import SPADEResBlock
from .registry import register_model

__all__ = ["SpadeGeneratorConfig", "SpadeGenerator"]


@dataclass(frozen=True)
class SpadeGeneratorConfig:
    """Args:
    input_nc: channels of x (9); label_nc: channels of seg (7).
    ngf: base width (32): blocks are 8 ngf (head) -> 4 ngf -> 2 ngf -> ngf.
    side_nc: channels of the side convs on the finer input scales (16).
    spade_hidden: width of the SPADENorm shared convs (128).
    autocast_fp32_blocks: under `torch.autocast`, this many leading blocks (head, ups.0, ...) still run in
        float32 (errors made at the coarse scales are amplified by every later block). 0: all in bf16, mean abs
        error of the [0, 1] image ~0.002 (reference weights, 256x192); 2: ~0.001 for ~20% more time.
    """

    input_nc: int = 9
    label_nc: int = 7
    ngf: int = 32
    side_nc: int = 16
    spade_hidden: int = 128
    autocast_fp32_blocks: int = 0


class SpadeGenerator(nn.Module):
    """SPADE generator: (x, seg) -> image in [-1, 1]."""

    def __init__(self, config: SpadeGeneratorConfig | None = None) -> None:
        super().__init__()
        self.config = cfg = config or SpadeGeneratorConfig()
        widths = (8 * cfg.ngf, 4 * cfg.ngf, 2 * cfg.ngf, cfg.ngf)
        self.inputs = nn.ModuleList(
            nn.Conv2d(cfg.input_nc, widths[0] if i == 0 else cfg.side_nc, 3, padding=1) for i in range(4)
        )
        self.head = SPADEResBlock(widths[0], widths[0], cfg.label_nc, cfg.spade_hidden)
        self.ups = nn.ModuleList(
            SPADEResBlock(widths[i] + cfg.side_nc, widths[i + 1], cfg.label_nc, cfg.spade_hidden) for i in range(3)
        )
        self.conv_img = nn.Conv2d(cfg.ngf, 3, 3, padding=1)

    def forward(self, x: Tensor, seg: Tensor) -> Tensor:
        """Generate the try-on image.

        Args:
            x: (B, input_nc, H, W) in [-1, 1]; H, W divisible by 8.
            seg: (B, label_nc, h, w) parse scores, any size (nearest-resized per block).

        Returns:
            (B, 3, H, W) in [-1, 1].
        """
        cfg = self.config
        check_shape(x, "x", ("B", cfg.input_nc, "H", "W"))
        check_shape(seg, "seg", (x.shape[0], cfg.label_nc, "h", "w"))
        h, w = x.shape[-2:]
        if h % 8 or w % 8:
            raise ValueError(f"x: expected H and W divisible by 8, got {h}x{w}")
        # Legacy-nearest downsampling by 2^k keeps pixels (2^k i, 2^k j): a strided slice.
        scales = [x[..., :: 2**k, :: 2**k] for k in (3, 2, 1, 0)]
        out = self._block(0, self.inputs[0](scales[0]), seg)
        for i in range(len(self.ups)):
            out = F.interpolate(out, scale_factor=2.0, mode="nearest")
            out = self._block(i + 1, torch.cat((out, self.inputs[i + 1](scales[i + 1])), dim=1), seg)
        return torch.tanh(self.conv_img(F.leaky_relu(out, 0.2)).to(x.dtype))

    def _block(self, index: int, x: Tensor, seg: Tensor) -> Tensor:
        block = self.head if index == 0 else self.ups[index - 1]
        device = x.device.type
        if index >= self.config.autocast_fp32_blocks or not torch.is_autocast_enabled(device):
            return block(x, seg)
        dtype = block.conv_1.weight_orig.dtype
        with torch.autocast(device, enabled=False):
            return block(x.to(dtype), seg.to(dtype))


register_model("kfvton_spade_generator_256", SpadeGeneratorConfig(), "KF-VTON SPADE try-on generator")(SpadeGenerator)
