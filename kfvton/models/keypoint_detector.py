"""KF-VTON keypoint detector: a shared ResNet-18 trunk on the garment and its mask, co-attention, a Linear head.

It predicts `num_tps` groups of `num_kp` keypoints on the garment image (`source_kp`) and the matching ones on the
mask (`ref_kp`), normalised (x, y) in (-1, 1) with align_corners=True (`kfvton.geometry.grid.ALIGN_CORNERS_TPS`).
The Linear head fixes the feature map size, so inputs of another size are resized to `config.native_hw` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
from torch import Tensor, nn

from .._checks import check_shape
from ..geometry.grid import resize_to
from .layers.coattention import KeypointCoAttention
from .layers.resnet_encoder import ResNet18Trunk
from .registry import register_model

__all__ = ["KeypointDetectorConfig", "KeypointDetectorOutput", "KeypointDetector"]


@dataclass(frozen=True)
class KeypointDetectorConfig:
    """Args:
    num_tps: keypoint groups (one TPS each); num_kp: keypoints per group.
    in_channels: image channels (3); the mask is given with 1 or `in_channels` channels.
    widths: trunk widths of layer1..layer3 (ResNet-18: 64, 128, 256).
    native_hw: (H, W) the Linear head was trained for; other inputs are resized to it.
    antialias: low-pass when resizing down to `native_hw` (False keeps the ONNX graph to plain bilinear).
    autocast_fp32: under `torch.autocast` still run in float32 (the detector is ~3% of the try-on's work, and
        bf16 moves keypoints by ~0.2 px, which the warp and the generator then amplify).
    """

    num_tps: int = 8
    num_kp: int = 12
    in_channels: int = 3
    widths: tuple[int, int, int] = (64, 128, 256)
    native_hw: tuple[int, int] = (256, 192)
    antialias: bool = True
    autocast_fp32: bool = True

    @property
    def num_points(self) -> int:
        return self.num_tps * self.num_kp


class KeypointDetectorOutput(NamedTuple):
    """source_kp: (B, P, 2) keypoints on the garment; ref_kp: (B, P, 2) on the mask; (x, y) in (-1, 1),
    P = num_tps num_kp, point p belongs to group p // num_kp."""

    source_kp: Tensor
    ref_kp: Tensor


def _trunk_size(n: int) -> int:
    """Spatial size after conv7/2 p3, maxpool3/2 p1 and two 3x3/2 p1 convs."""
    n = (n - 1) // 2 + 1
    for _ in range(3):
        n = (n - 1) // 2 + 1
    return n


class KeypointDetector(nn.Module):
    """Garment keypoints and mask keypoints from one shared encoder and a co-attention between them."""

    def __init__(self, config: KeypointDetectorConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or KeypointDetectorConfig()
        self.encoder = ResNet18Trunk(config.in_channels, config.widths)
        self.coattention = KeypointCoAttention(config.widths[2], config.num_points)
        h, w = config.native_hw
        self.head = nn.Linear(config.num_points * _trunk_size(h) * _trunk_size(w), 2 * config.num_points)

    def forward(self, image: Tensor, mask: Tensor) -> KeypointDetectorOutput:
        """Detect keypoints.

        Args:
            image: (B, C, H, W) garment in [-1, 1], any size (resized to `config.native_hw`).
            mask: (B, 1 or C, H, W) garment mask in {0, 1}, same size as `image`.

        Returns:
            `KeypointDetectorOutput`, (B, P, 2) each, normalised (x, y) (align_corners=True frame).
        """
        c = self.config.in_channels
        check_shape(image, "image", ("B", c, "H", "W"))
        check_shape(mask, "mask", (image.shape[0], "C", image.shape[2], image.shape[3]))
        if mask.shape[1] not in (1, c):
            raise ValueError(f"mask: expected 1 or {c} channels, got {mask.shape[1]}")
        device = image.device.type
        if self.config.autocast_fp32 and torch.is_autocast_enabled(device):
            dtype = self.head.weight.dtype
            with torch.autocast(device, enabled=False):
                return self._detect(image.to(dtype), mask.to(dtype))
        return self._detect(image, mask)

    def _detect(self, image: Tensor, mask: Tensor) -> KeypointDetectorOutput:
        c = self.config.in_channels
        b = image.shape[0]
        both = torch.cat((image, mask.expand(-1, c, -1, -1)), dim=0)
        features = self.encoder(resize_to(both, self.config.native_hw, antialias=self.config.antialias))
        scores = self.coattention(features[:b], features[b:])
        source_kp = torch.sigmoid(self.head(scores.e.flatten(1))) * 2 - 1
        ref_kp = torch.sigmoid(self.head(scores.q.flatten(1))) * 2 - 1
        return KeypointDetectorOutput(source_kp.view(b, -1, 2), ref_kp.view(b, -1, 2))


register_model("kfvton_kp_detector_256", KeypointDetectorConfig(), "KF-VTON keypoint detector, 256x192")(
    KeypointDetector
)
