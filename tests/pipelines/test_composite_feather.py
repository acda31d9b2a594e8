"""composite's feather (`_feather`): OpenCV's box filter on the CPU gives the pooled blur's result away from the
image border, keeps shape and dtype, and the pooled path still carries a gradient."""

from __future__ import annotations

import torch

from kfvton.pipelines.composite import _feather


def test_box_filter_matches_the_pooling_inside_the_image():
    torch.manual_seed(0)
    mask = (torch.rand(3, 1, 64, 48) > 0.5).float()
    fast = _feather(mask, 1.5)  # no gradient needed: OpenCV
    pooled = _feather(mask.clone().requires_grad_(True), 1.5).detach()  # differentiable: pooling
    assert fast.shape == mask.shape and fast.dtype == mask.dtype
    assert float((fast - pooled).abs()[..., 3:-3, 3:-3].max()) < 1e-5
    assert float((fast - mask).abs().max()) > 0.3  # it does blur


def test_pooled_feather_keeps_the_gradient_and_sigma_zero_is_identity():
    mask = torch.zeros(1, 1, 16, 16, dtype=torch.float64, requires_grad=True)
    _feather(mask, 1.0).sum().backward()
    assert mask.grad is not None and float(mask.grad.abs().sum()) > 0
    plain = torch.rand(1, 1, 8, 8)
    assert torch.equal(_feather(plain, 0.0), plain)
