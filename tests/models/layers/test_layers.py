"""Shared layers against straightforward formulations of the same maths."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from kfvton.models.layers.antialias import AntiAliasDownsample, gaussian_kernel
from kfvton.models.layers.coattention import CoAttention
from kfvton.models.layers.simam import SimAM
from kfvton.models.layers.spectral_norm import SpectralNormConv2d
from tests.conftest import REFERENCE_DIR


class TestSpectralNormConv2d:
    def _pair(self) -> tuple[SpectralNormConv2d, torch.nn.Conv2d]:
        torch.manual_seed(0)
        ours = SpectralNormConv2d(4, 6, 3, padding=1)
        theirs = torch.nn.utils.spectral_norm(torch.nn.Conv2d(4, 6, 3, padding=1))
        theirs.load_state_dict(ours.state_dict())  # same key layout: weight_orig, weight_u, weight_v, bias
        return ours, theirs

    def test_eval_uses_stored_vectors(self) -> None:
        ours, theirs = self._pair()
        ours.eval(), theirs.eval()
        x = torch.randn(2, 4, 8, 8)
        u = ours.weight_u.clone()
        torch.testing.assert_close(ours(x), theirs(x))
        assert torch.equal(ours.weight_u, u)
        sigma = u @ ours.weight_orig.flatten(1) @ ours.weight_v
        torch.testing.assert_close(ours.normalized_weight(), ours.weight_orig / sigma)

    def test_training_power_iteration_matches_torch(self) -> None:
        ours, theirs = self._pair()
        x = torch.randn(2, 4, 8, 8)
        for _ in range(3):
            torch.testing.assert_close(ours(x), theirs(x))
        torch.testing.assert_close(ours.weight_u, theirs.weight_u)
        torch.testing.assert_close(ours.weight_v, theirs.weight_v)

    def test_fresh_layer_is_normalised_in_eval(self) -> None:
        """A new layer's stored u, v already give sigma ~ the top singular value (not a tiny random dot product)."""
        torch.manual_seed(1)
        layer = SpectralNormConv2d(32, 16, 3, padding=1).eval()
        top = torch.linalg.matrix_norm(layer.normalized_weight().flatten(1), ord=2)
        assert 0.99 < top.item() < 1.05

    def test_gradient_flows_to_weight(self) -> None:
        ours, _ = self._pair()
        ours(torch.randn(1, 4, 5, 5)).sum().backward()
        assert ours.weight_orig.grad is not None and ours.weight_orig.grad.abs().sum() > 0


class TestAntiAliasDownsample:
    @pytest.mark.parametrize("hw", [(16, 12), (15, 11)])
    def test_equals_blur_then_nearest(self, hw: tuple[int, int]) -> None:
        x = torch.randn(2, 6, *hw)
        kernel = gaussian_kernel(0.5).expand(6, 1, 5, 5)
        blurred = F.conv2d(x, kernel, padding=2, groups=6)
        want = F.interpolate(blurred, scale_factor=0.5, mode="nearest")
        torch.testing.assert_close(AntiAliasDownsample(6, 0.5)(x), want)

    def test_kernel_matches_reference_buffer(self) -> None:
        path = REFERENCE_DIR / "dense_motion.weights.safetensors"
        if not path.is_file():
            pytest.skip(f"reference vectors not found at {REFERENCE_DIR}")
        from safetensors import safe_open

        with safe_open(str(path), "pt") as f:
            stored = f.get_tensor("down.weight")
        torch.testing.assert_close(gaussian_kernel(0.5).expand_as(stored), stored, atol=1e-7, rtol=0)

    def test_bad_scale(self) -> None:
        with pytest.raises(ValueError, match="scale"):
            AntiAliasDownsample(3, 0.3)


def test_simam_formula() -> None:
    x = torch.randn(2, 3, 5, 4, dtype=torch.float64)
    n = 5 * 4 - 1
    mu = x.mean(dim=(2, 3), keepdim=True)
    d = (x - mu) ** 2
    y = d / (4 * (d.sum(dim=(2, 3), keepdim=True) / n + 1e-4)) + 0.5
    torch.testing.assert_close(SimAM()(x), x * torch.sigmoid(y))


def test_coattention_equals_explicit_softmax() -> None:
    torch.manual_seed(0)
    att = CoAttention(8).double()
    e, q = torch.randn(2, 8, 4, 3, dtype=torch.float64), torch.randn(2, 8, 4, 3, dtype=torch.float64)
    ef, qf = e.flatten(2), q.flatten(2)  # (B, C, n)
    a = att.bilinear(ef.transpose(1, 2)) @ qf  # A[i, j] = (W e_i) . q_j
    q_att = ef @ torch.softmax(a, dim=1)  # at Q positions
    e_att = qf @ torch.softmax(a.transpose(1, 2), dim=1)  # at E positions
    e_att, q_att = e_att.view_as(e), q_att.view_as(q)
    e_att = e_att * torch.sigmoid(att.gate(e_att))
    q_att = q_att * torch.sigmoid(att.gate(q_att))
    out = att(e, q)
    torch.testing.assert_close(out.e, att.fuse_e(torch.cat((e_att, e), 1)))
    torch.testing.assert_close(out.q, att.fuse_q(torch.cat((q_att, q), 1)))
