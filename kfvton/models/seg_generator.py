"""KF-VTON segmentation generator: predicts the 7-class try-on parse from the person and the garment.

Two encoders of 5 stride-2 residual blocks (person: agnostic 3 + parse one-hot 7 + pose image 3; garment 3),
co-attention between them at the three coarsest levels, and an upsampling decoder with skips. Test phase: the
output is the ReLU of the last block (>= 0; the pipeline L2-normalises it over channels). Fully convolutional:
H and W must be divisible by 32.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._checks import check_shape
from .layers.blocks import SegResBlock
from .layers.coattention import CoAttention
from .registry import register_model

__all__ = ["SegGeneratorConfig", "SegGenerator"]


@dataclass(frozen=True)
class SegGeneratorConfig:
    """Args:
    pose_nc: person-side input channels (13); cloth_nc: garment channels (3); output_nc: parse classes (7).
    ngf: base width (64); encoder widths ngf, 2, 4, 4, 4 ngf.
    train_sigmoid: apply the training-phase sigmoid to the output (False: the test-phase output).
    """

    pose_nc: int = 13
    cloth_nc: int = 3
    output_nc: int = 7
    ngf: int = 64
    train_sigmoid: bool = False


def _up2(x: Tensor) -> Tensor:
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)


class SegGenerator(nn.Module):
    """Two-stream encoder with co-attention and a skip decoder: (cloth, pose) -> parse scores."""

    def __init__(self, config: SegGeneratorConfig | None = None) -> None:
        super().__init__()
        self.config = cfg = config or SegGeneratorConfig()
        n = cfg.ngf
        widths = (n, 2 * n, 4 * n, 4 * n, 4 * n)

        def encoder(in_nc: int) -> nn.ModuleList:
            chans = (in_nc, *widths)
            return nn.ModuleList(SegResBlock(chans[i], chans[i + 1], "down") for i in range(5))

        self.pose_encoder = encoder(cfg.pose_nc)
        self.cloth_encoder = encoder(cfg.cloth_nc)
        self.coattention = CoAttention(4 * n)
        # Lateral 1x1 convs on the attended streams, level 1 then level 2.
        self.lateral_pose = nn.ModuleList((nn.Conv2d(4 * n, 4 * n, 1), nn.Conv2d(4 * n, 2 * n, 1)))
        self.lateral_cloth = nn.ModuleList((nn.Conv2d(4 * n, 4 * n, 1), nn.Conv2d(4 * n, 2 * n, 1)))
        self.decoder = nn.ModuleList(
            (
                SegResBlock(8 * n, 4 * n, "up"),
                SegResBlock(12 * n, 4 * n, "up"),
                SegResBlock(8 * n, 4 * n, "up"),
                SegResBlock(8 * n, 2 * n, "up"),
                SegResBlock(4 * n, n, "up"),
            )
        )
        self.out_layer = SegResBlock(n + cfg.pose_nc + cfg.cloth_nc, cfg.output_nc, "same")

    def forward(self, cloth: Tensor, pose: Tensor) -> Tensor:
        """Predict the parse.

        Args:
            cloth: (B, cloth_nc, H, W) masked garment in [-1, 1]; H, W divisible by 32.
            pose: (B, pose_nc, H, W) cat(agnostic image [-1, 1], 7-class one-hot parse, pose image [-1, 1]).

        Returns:
            (B, output_nc, H, W) scores >= 0 (in (0, 1) with `train_sigmoid`).
        """
        cfg = self.config
        check_shape(cloth, "cloth", ("B", cfg.cloth_nc, "H", "W"))
        check_shape(pose, "pose", (cloth.shape[0], cfg.pose_nc, cloth.shape[2], cloth.shape[3]))
        h, w = cloth.shape[-2:]
        if h % 32 or w % 32:
            raise ValueError(f"cloth: expected H and W divisible by 32, got {h}x{w}")
        p_feats, c_feats = [], []
        p, c = pose, cloth
        for p_block, c_block in zip(self.pose_encoder, self.cloth_encoder, strict=True):
            p, c = p_block(p), c_block(c)
            p_feats.append(p)
            c_feats.append(c)
        t_p, t_c = self.coattention(p_feats[4], c_feats[4])
        feat = self.decoder[0](torch.cat((t_p, t_c), 1))
        for level, i in ((1, 3), (2, 2)):
            a_p, a_c = self.coattention(p_feats[i], c_feats[i])
            t_p = self.lateral_pose[level - 1](_up2(t_p) + a_p)
            t_c = self.lateral_cloth[level - 1](_up2(t_c) + a_c)
            feat = self.decoder[level](torch.cat((t_p, t_c, feat), 1))
        feat = self.decoder[3](torch.cat((p_feats[1], c_feats[1], feat), 1))
        feat = self.decoder[4](torch.cat((p_feats[0], c_feats[0], feat), 1))
        out = self.out_layer(torch.cat((feat, cloth, pose), 1))
        return torch.sigmoid(out) if cfg.train_sigmoid else out


register_model("kfvton_seg_256", SegGeneratorConfig(), "KF-VTON segmentation generator (7-class parse)")(SegGenerator)
