"""Bilinear co-attention with gating (COSNet style), shared by the keypoint detector and the segmentation generator.

For feature maps E, Q (B, C, H, W) flattened to n = H W positions, A[i, j] = (W_e e_i) . q_j. Each map attends to
the other one: E_att[:, i] = sum_j softmax_j(A[i, :]) q_j and Q_att[:, j] = sum_i softmax_i(A[:, j]) e_i. That is
attention with scale 1, so it runs through `scaled_dot_product_attention` (no n x n matrix in memory on fused
backends, identical maths). Each attended map is gated by sigmoid(gate(.)) and fused with its own map by a 3x3 conv.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["CoAttention", "CoAttentionOutput", "KeypointCoAttention"]


class CoAttentionOutput(NamedTuple):
    """Per-position outputs for the two inputs, (B, C_out, H, W) each."""

    e: Tensor
    q: Tensor


def _attend(query: Tensor, key: Tensor, value: Tensor) -> Tensor:
    """softmax(query key^T) value over the key positions; (B, n, C) each -> (B, n, C)."""
    return F.scaled_dot_product_attention(query, key, value, scale=1.0)


class CoAttention(nn.Module):
    """The co-attention of the segmentation generator: returns the two fused maps (no norm, no activation).

    Args:
        channels: C of both inputs; the fused outputs have C channels too.
    """

    def __init__(self, channels: int = 256) -> None:
        super().__init__()
        self.bilinear = nn.Linear(channels, channels, bias=False)
        self.gate = nn.Conv2d(channels, 1, kernel_size=1, bias=False)
        self.fuse_e = nn.Conv2d(2 * channels, channels, kernel_size=3, padding=1, bias=False)
        self.fuse_q = nn.Conv2d(2 * channels, channels, kernel_size=3, padding=1, bias=False)

    def attend(self, e: Tensor, q: Tensor) -> tuple[Tensor, Tensor]:
        """Gated attended maps (E_att g_E, Q_att g_Q), each (B, C, H, W), for E, Q (B, C, H, W).

        Under autocast this still runs in float32: the attention logits are sums over C products, large enough
        that bf16 rounding visibly changes the softmax, and the maps are small (coarse levels only).
        """
        device = e.device.type
        if torch.is_autocast_enabled(device):
            dtype = self.bilinear.weight.dtype
            with torch.autocast(device, enabled=False):
                return self._attend_maps(e.to(dtype), q.to(dtype))
        return self._attend_maps(e, q)

    def _attend_maps(self, e: Tensor, q: Tensor) -> tuple[Tensor, Tensor]:
        b, c, h, w = e.shape
        e_seq = e.flatten(2).transpose(1, 2)  # (B, n, C)
        q_seq = q.flatten(2).transpose(1, 2)
        e_proj = self.bilinear(e_seq)  # rows W_e e_i
        e_att = _attend(e_proj, q_seq, q_seq)  # at E positions
        q_att = _attend(q_seq, e_proj, e_seq)  # at Q positions
        e_att = e_att.transpose(1, 2).reshape(b, c, h, w)
        q_att = q_att.transpose(1, 2).reshape(b, c, h, w)
        e_att = e_att * torch.sigmoid(self.gate(e_att))
        q_att = q_att * torch.sigmoid(self.gate(q_att))
        return e_att, q_att

    def forward(self, e: Tensor, q: Tensor) -> CoAttentionOutput:
        """E, Q (B, C, H, W) -> fused (B, C, H, W) at E positions and at Q positions."""
        e_att, q_att = self.attend(e, q)
        return CoAttentionOutput(self.fuse_e(torch.cat((e_att, e), 1)), self.fuse_q(torch.cat((q_att, q), 1)))


class KeypointCoAttention(CoAttention):
    """The keypoint detector's co-attention: fused maps -> BN -> ReLU -> 1x1 classifier -> sigmoid.

    Args:
        channels: C of both inputs.
        num_outputs: classifier channels (the detector's keypoint count).
    """

    def __init__(self, channels: int = 256, num_outputs: int = 96) -> None:
        super().__init__(channels)
        self.norm_e = nn.BatchNorm2d(channels)
        self.norm_q = nn.BatchNorm2d(channels)
        self.classifier_e = nn.Conv2d(channels, num_outputs, kernel_size=1)
        self.classifier_q = nn.Conv2d(channels, num_outputs, kernel_size=1)

    def forward(self, e: Tensor, q: Tensor) -> CoAttentionOutput:
        """E, Q (B, C, H, W) -> per-position scores in (0, 1), (B, num_outputs, H, W) each."""
        fused = super().forward(e, q)
        x_e = torch.sigmoid(self.classifier_e(F.relu(self.norm_e(fused.e))))
        x_q = torch.sigmoid(self.classifier_q(F.relu(self.norm_q(fused.q))))
        return CoAttentionOutput(x_e, x_q)
