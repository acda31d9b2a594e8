"""The authors' SPADE generator as the reference README (section 4) describes it, for held-out parity.

Written from ../shared/reference/kfvton256/README.md, not from our module: plain functional torch over the
authors' state-dict keys, in whatever dtype its inputs have, with the modulation in the README's unfused form
(gamma = gamma0 (1 + gsg) + bsg, beta = beta0 (1 + gsb) + bsb, out = lrelu(n (1 + gamma) + beta)). Run in float64
it is the exact answer both the authors' float32 module and ours approximate; `random_authors_weights` draws a
state dict the way the reference vectors were made (manifest `weight_init`), for any seed.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

_SLOPE = 0.2


def _conv(sd: dict[str, Tensor], key: str, x: Tensor) -> Tensor:
    weight = sd[f"{key}.weight"]
    return F.conv2d(x, weight, sd.get(f"{key}.bias"), padding=weight.shape[-1] // 2)


def _sn_conv(sd: dict[str, Tensor], key: str, x: Tensor) -> Tensor:
    """Spectral norm in eval mode: W = weight_orig / u.(W_mat v), the stored u and v, no power iteration."""
    orig, u, v = sd[f"{key}.weight_orig"], sd[f"{key}.weight_u"], sd[f"{key}.weight_v"]
    sigma = torch.dot(u, orig.reshape(orig.shape[0], -1) @ v)
    return F.conv2d(x, orig / sigma, sd.get(f"{key}.bias"), padding=orig.shape[-1] // 2)


def _spade_norm(sd: dict[str, Tensor], key: str, x: Tensor, seg: Tensor) -> Tensor:
    y = _conv(sd, f"{key}.conv2d", x)
    n = F.instance_norm(y, eps=1e-5)
    a = F.relu(_conv(sd, f"{key}.conv_shared.0", y))
    gamma0, beta0 = _conv(sd, f"{key}.conv_gamma", a), _conv(sd, f"{key}.conv_beta", a)
    t = F.relu(_conv(sd, f"{key}.conv_shared_2.0", seg))
    gamma = gamma0 * (1 + _conv(sd, f"{key}.gamma_seg_gamma", t)) + _conv(sd, f"{key}.beta_seg_gamma", t)
    beta = beta0 * (1 + _conv(sd, f"{key}.gamma_seg_beta", t)) + _conv(sd, f"{key}.beta_seg_beta", t)
    return F.leaky_relu(n * (1 + gamma) + beta, _SLOPE)


def _simam(x: Tensor, lam: float = 1e-4) -> Tensor:
    n = x.shape[2] * x.shape[3] - 1
    d = (x - x.mean(dim=(2, 3), keepdim=True)).square()
    y = d / (4 * (d.sum(dim=(2, 3), keepdim=True) / n + lam)) + 0.5
    return x * torch.sigmoid(y)


def _res_block(sd: dict[str, Tensor], key: str, x: Tensor, seg: Tensor) -> Tensor:
    seg = F.interpolate(seg, size=x.shape[-2:], mode="nearest")
    dx = _sn_conv(sd, f"{key}.conv_0", F.leaky_relu(_spade_norm(sd, f"{key}.norm_0", x, seg), _SLOPE))
    dx = _sn_conv(sd, f"{key}.conv_1", F.leaky_relu(_spade_norm(sd, f"{key}.norm_1", dx, seg), _SLOPE))
    shortcut = (
        _sn_conv(sd, f"{key}.conv_s", _spade_norm(sd, f"{key}.norm_s", x, seg))
        if f"{key}.conv_s.weight_orig" in sd
        else x
    )
    return _simam(shortcut + dx)


def reference_spade_generator(sd: dict[str, Tensor], x: Tensor, seg: Tensor) -> Tensor:
    """README section 4. sd: the authors' keys, tensors in the dtype to compute in; x (B, 9, H, W), seg (B, 7, H, W)."""
    h, w = x.shape[-2:]
    scales = [F.interpolate(x, size=(h >> (3 - i), w >> (3 - i)), mode="nearest") for i in range(4)]
    out = _res_block(sd, "head_0", _conv(sd, "conv_0", scales[0]), seg)
    for i, block in enumerate(("up_0", "up_1", "up_2"), start=1):
        up = F.interpolate(out, scale_factor=2, mode="nearest")
        out = _res_block(sd, block, torch.cat((up, _conv(sd, f"conv_{i}", scales[i])), dim=1), seg)
    return torch.tanh(_conv(sd, "conv_img", F.leaky_relu(out, _SLOPE)))


def random_authors_weights(shapes: dict[str, list[int]], seed: int) -> dict[str, Tensor]:
    """A float32 state dict in the authors' layout drawn as the reference vectors' weights were (manifest
    `weight_init`): conv weights int8 codes uniform in [-M, M] times a power of two, std ~ 1/sqrt(fan_in); 1-D
    parameters N(0, 0.05); spectral-norm u, v from 100 power iterations on the weight.

    Args:
        shapes: key -> shape, e.g. the manifest's `files["spade_generator.weights.safetensors"]["tensors"]`.
    """
    gen = torch.Generator().manual_seed(seed)
    sd: dict[str, Tensor] = {}
    for key, shape in sorted(shapes.items()):
        if key.endswith(("weight_u", "weight_v")):
            continue
        if len(shape) >= 2:
            std = 1 / math.sqrt(math.prod(shape[1:]))
            scale = 2.0 ** math.floor(math.log2(math.sqrt(3) * std / 100))
            m = round(math.sqrt(3) * std / scale)
            sd[key] = torch.randint(-m, m + 1, shape, generator=gen).float() * scale
        else:
            sd[key] = torch.randn(shape, generator=gen) * 0.05
    for key in [k for k in shapes if k.endswith("weight_orig")]:
        stem = key.removesuffix("_orig")
        mat = sd[key].double().reshape(shapes[key][0], -1)
        u = F.normalize(torch.randn(mat.shape[0], generator=gen, dtype=torch.float64), dim=0)
        for _ in range(100):
            v = F.normalize(mat.T @ u, dim=0)
            u = F.normalize(mat @ v, dim=0)
        sd[f"{stem}_u"], sd[f"{stem}_v"] = u.float(), v.float()
    return sd


def random_inputs(batch: int, size_hw: tuple[int, int], seed: int) -> tuple[Tensor, Tensor]:
    """x (B, 9, H, W) values k/64 in [-1, 1] and a one-hot seg (B, 7, H, W), as the reference inputs are stored."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randint(-64, 65, (batch, 9, *size_hw), generator=gen).float() / 64
    labels = torch.randint(0, 7, (batch, *size_hw), generator=gen)
    return x, F.one_hot(labels, 7).permute(0, 3, 1, 2).float()
