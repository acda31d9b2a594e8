"""KF-VTON training losses: multi-scale L1 + VGG perceptual + style, keypoint equivariance under random TPS,
segmentation cross-entropy, hinge GAN with feature matching, and the TPS-dropout schedule.

Images are (B, 3, H, W) float in [0, 1] unless stated; keypoints (B, N, 2) normalised (x, y) in [-1, 1] with
`ALIGN_CORNERS_TPS` (see `kfvton.geometry.grid`).

The VGG19 features come from torchvision's `vgg19` when torchvision is installed, else from the same layer stack built
here (identical parameter names `features.<i>.weight`, so torchvision's `vgg19-dcbb9e9d.pth` loads into either). The
weights file is configured by path and never downloaded. Without weights, `Vgg19Features` refuses to build unless
`allow_random=True` (tests); a config that wants no perceptual/style term must say so with weight 0 -- there is no
silent zero.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._checks import check_shape
from ..geometry.grid import ALIGN_CORNERS_TPS
from ..geometry.tps import TpsParams, tps_solve, tps_transform_points, tps_warp_image

__all__ = [
    "PerceptualUnavailableError",
    "Vgg19Features",
    "VggLoss",
    "gram_matrix",
    "multiscale_l1",
    "random_tps",
    "equivariance_loss",
    "warp_for_equivariance",
    "segmentation_ce",
    "hinge_d_loss",
    "hinge_g_loss",
    "feature_matching_loss",
    "tps_dropout_probability",
]

log = logging.getLogger("kfvton")

#: torchvision vgg19 `features` indices whose outputs we use: relu1_1, relu2_1, relu3_1, relu4_1, relu5_1.
VGG_LAYERS: tuple[int, ...] = (1, 6, 11, 20, 29)
#: per-layer weights of the perceptual term (pix2pixHD / CP-VTON convention).
VGG_LAYER_WEIGHTS: tuple[float, ...] = (1 / 32, 1 / 16, 1 / 8, 1 / 4, 1.0)
_VGG19_CFG = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M")
_IMAGENET_MEAN = (0.485, 0.456, 0.406)
_IMAGENET_STD = (0.229, 0.224, 0.225)


class PerceptualUnavailableError(RuntimeError):
    """The VGG19 perceptual/style term was asked for but cannot be built (no weights file)."""


def _vgg19_features_stack() -> nn.Sequential:
    """torchvision's vgg19 `features` (same indices and parameter names), or our identical copy without it."""
    try:
        from torchvision.models import vgg19  # optional dependency
    except ImportError:
        layers: list[nn.Module] = []
        ch = 3
        for v in _VGG19_CFG:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(ch, int(v), 3, padding=1), nn.ReLU(inplace=False)]
                ch = int(v)
        return nn.Sequential(*layers)
    return vgg19(weights=None).features


def _load_vgg_state(path: Path) -> dict[str, Tensor]:
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        sd = load_file(str(path))
    else:
        sd = torch.load(str(path), map_location="cpu", weights_only=True)
        if not isinstance(sd, dict):
            raise ValueError(f"vgg_weights: {path} does not hold a state dict")
    out = {k[len("features.") :]: v for k, v in sd.items() if k.startswith("features.")}
    if not out:
        raise ValueError(f"vgg_weights: {path} has no 'features.*' keys (expected torchvision's vgg19 state dict)")
    return out


class Vgg19Features(nn.Module):
    """Frozen VGG19 activations at relu1_1 ... relu5_1.

    Args:
        weights_path: torchvision vgg19 state dict (`.pth`, read with `weights_only=True`, or `.safetensors`);
            only the `features.*` keys are used.
        allow_random: build with random weights when `weights_path` is None (unit tests only; logged).

    forward(x): x (B, 3, H, W) float in [0, 1] -> list of 5 feature maps.
    """

    def __init__(self, weights_path: str | os.PathLike | None = None, *, allow_random: bool = False) -> None:
        super().__init__()
        stack = _vgg19_features_stack()
        self.features = stack[: VGG_LAYERS[-1] + 1]
        if weights_path is not None:
            path = Path(weights_path)
            if not path.is_file():
                raise FileNotFoundError(f"vgg_weights: file not found: {path}")
            self.features.load_state_dict(
                {k: v for k, v in _load_vgg_state(path).items() if int(k.split(".")[0]) <= VGG_LAYERS[-1]},
                strict=True,
            )
        elif allow_random:
            log.warning("kfvton losses: VGG19 with RANDOM weights (allow_random=True); perceptual values are not real")
        else:
            raise PerceptualUnavailableError(
                "the perceptual/style loss needs VGG19 weights: set loss.vgg_weights to torchvision's "
                "vgg19-dcbb9e9d.pth (or a .safetensors of it), or disable the term explicitly with "
                "loss.perceptual = 0 and loss.style = 0"
            )
        self.requires_grad_(False)
        self.eval()
        self.register_buffer("mean", torch.tensor(_IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(_IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def train(self, mode: bool = True) -> Vgg19Features:  # always frozen, always eval
        return super().train(False)

    def forward(self, x: Tensor) -> list[Tensor]:
        check_shape(x, "vgg input", ("B", 3, "H", "W"))
        x = (x - self.mean.to(x.dtype)) / self.std.to(x.dtype)
        out = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in VGG_LAYERS:
                out.append(x)
        return out


def gram_matrix(features: Tensor) -> Tensor:
    """(B, C, H, W) -> (B, C, C) Gram matrix normalised by C * H * W."""
    b, c, h, w = features.shape
    f = features.reshape(b, c, h * w)
    return f @ f.transpose(1, 2) / (c * h * w)


class VggLoss(nn.Module):
    """Perceptual (weighted L1 of VGG activations) and style (L1 of their Gram matrices) losses.

    forward(pred, target) -> (perceptual, style), both scalar tensors; images (B, 3, H, W) in [0, 1].
    """

    def __init__(self, vgg: Vgg19Features, layer_weights: Sequence[float] = VGG_LAYER_WEIGHTS) -> None:
        super().__init__()
        if len(layer_weights) != len(VGG_LAYERS):
            raise ValueError(f"layer_weights: expected {len(VGG_LAYERS)} values, got {len(layer_weights)}")
        self.vgg = vgg
        self.layer_weights = tuple(float(w) for w in layer_weights)

    def forward(self, pred: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
        if pred.shape != target.shape:
            raise ValueError(f"target: expected the shape of pred {tuple(pred.shape)}, got {tuple(target.shape)}")
        fp = self.vgg(pred)
        with torch.no_grad():
            ft = self.vgg(target)
        perceptual = sum(w * F.l1_loss(a, b) for w, a, b in zip(self.layer_weights, fp, ft, strict=True))
        style = sum(F.l1_loss(gram_matrix(a), gram_matrix(b)) for a, b in zip(fp, ft, strict=True))
        return perceptual, style


def multiscale_l1(pred: Tensor, target: Tensor, *, scales: int = 3, mask: Tensor | None = None) -> Tensor:
    """Mean over `scales` of the L1 between `pred` and `target` average-pooled by 1, 2, 4, ...

    Args:
        pred, target: (B, C, H, W) same shape.
        mask: optional (B, 1, H, W) weights; the L1 is averaged over the masked pixels only.
    """
    if pred.shape != target.shape:
        raise ValueError(f"target: expected the shape of pred {tuple(pred.shape)}, got {tuple(target.shape)}")
    if scales < 1:
        raise ValueError(f"scales: expected >= 1, got {scales}")
    total = pred.new_zeros(())
    for s in range(scales):
        if s:
            pred, target = F.avg_pool2d(pred, 2), F.avg_pool2d(target, 2)
            mask = None if mask is None else F.avg_pool2d(mask, 2)
        diff = (pred - target).abs()
        if mask is None:
            total = total + diff.mean()
        else:
            total = total + (diff * mask).sum() / (mask.sum() * pred.shape[1]).clamp_min(1.0)
    return total / scales


def random_tps(
    batch: int,
    *,
    sigma_affine: float = 0.05,
    sigma_tps: float = 0.005,
    points: int = 5,
    generator: torch.Generator | None = None,
    device: torch.device | None = None,
    dtype: torch.dtype = torch.float32,
) -> TpsParams:
    """A random smooth deformation for the equivariance loss (First-Order-Motion style).

    A `points` x `points` control grid in [-1, 1] moves by an affine perturbation (std `sigma_affine`) plus
    independent jitter (std `sigma_tps`); the TPS maps the transformed frame back onto the original one.

    Returns:
        `TpsParams` of batch (batch,), mapping normalised (x, y) in the transformed image to the original image.
    """
    g = torch.linspace(-1, 1, points, dtype=torch.float64)
    gy, gx = torch.meshgrid(g, g, indexing="ij")
    src = torch.stack((gx, gy), -1).reshape(1, -1, 2).expand(batch, -1, -1)
    noise_affine = torch.randn(batch, 2, 3, generator=generator, dtype=torch.float64) * sigma_affine
    affine = noise_affine + torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=torch.float64)
    dst = src @ affine[:, :, :2].transpose(1, 2) + affine[:, :, 2].unsqueeze(1)
    dst = dst + torch.randn(dst.shape, generator=generator, dtype=torch.float64) * sigma_tps
    return tps_solve(src.to(device=device, dtype=dtype), dst.to(device=device, dtype=dtype))


def equivariance_loss(kp_original: Tensor, kp_transformed: Tensor, tps: TpsParams) -> Tensor:
    """L1 between keypoints found on an image and those found on its TPS-warped copy, mapped back.

    The warped copy is `tps_warp_image(image, tps)`: its pixel z shows the original at tps(z). A detector that is
    equivariant finds `kp_original == tps(kp_transformed)`.

    Args:
        kp_original: (B, N, 2) keypoints detected on the image, normalised (x, y).
        kp_transformed: (B, N, 2) keypoints detected on `tps_warp_image(image, tps)`.
        tps: batch (B,), from `random_tps`.
    """
    check_shape(kp_original, "kp_original", ("B", "N", 2))
    check_shape(kp_transformed, "kp_transformed", tuple(kp_original.shape))
    return (kp_original - tps_transform_points(kp_transformed, tps)).abs().mean()


def warp_for_equivariance(image: Tensor, tps: TpsParams) -> Tensor:
    """The transformed copy of `image` (B, C, H, W) that `equivariance_loss` expects (border padding)."""
    return tps_warp_image(image, tps, align_corners=ALIGN_CORNERS_TPS, padding_mode="border")


def segmentation_ce(logits: Tensor, target: Tensor, *, class_weights: Sequence[float] | None = None) -> Tensor:
    """Pixel-wise cross-entropy.

    Args:
        logits: (B, C, H, W) unnormalised class scores.
        target: (B, H, W) int64 labels in [0, C).
        class_weights: optional C weights.
    """
    check_shape(logits, "logits", ("B", "C", "H", "W"))
    check_shape(target, "target", (logits.shape[0], logits.shape[2], logits.shape[3]))
    if target.dtype != torch.int64:
        raise TypeError(f"target: expected int64 labels, got {target.dtype}")
    c = logits.shape[1]
    if target.numel() and (int(target.min()) < 0 or int(target.max()) >= c):
        raise ValueError(f"target: labels must lie in [0, {c}), got [{int(target.min())}, {int(target.max())}]")
    weight = None
    if class_weights is not None:
        if len(class_weights) != c:
            raise ValueError(f"class_weights: expected {c} values, got {len(class_weights)}")
        weight = torch.tensor(class_weights, device=logits.device, dtype=logits.dtype)
    return F.cross_entropy(logits, target, weight=weight)


def hinge_d_loss(real_logits: Sequence[Tensor], fake_logits: Sequence[Tensor]) -> Tensor:
    """Discriminator hinge loss, mean over scales: E[relu(1 - D(real))] + E[relu(1 + D(fake))]."""
    if len(real_logits) != len(fake_logits) or not real_logits:
        raise ValueError(f"hinge_d_loss: got {len(real_logits)} real and {len(fake_logits)} fake scales")
    total = sum(F.relu(1 - r).mean() + F.relu(1 + f).mean() for r, f in zip(real_logits, fake_logits, strict=True))
    return total / len(real_logits)


def hinge_g_loss(fake_logits: Sequence[Tensor]) -> Tensor:
    """Generator hinge loss, mean over scales: -E[D(fake)]."""
    if not fake_logits:
        raise ValueError("hinge_g_loss: got no scales")
    return sum(-f.mean() for f in fake_logits) / len(fake_logits)


def feature_matching_loss(real_feats: Sequence[Sequence[Tensor]], fake_feats: Sequence[Sequence[Tensor]]) -> Tensor:
    """L1 between discriminator features of real (detached) and fake inputs, all layers but the logits.

    Args:
        real_feats, fake_feats: per scale, the feature list of `MultiScaleDiscriminator.forward`.
    """
    if len(real_feats) != len(fake_feats) or not real_feats:
        raise ValueError(f"feature_matching_loss: got {len(real_feats)} real and {len(fake_feats)} fake scales")
    total, count = None, 0
    for rs, fs in zip(real_feats, fake_feats, strict=True):
        for r, f in zip(rs[:-1], fs[:-1], strict=True):
            term = F.l1_loss(f, r.detach())
            total = term if total is None else total + term
            count += 1
    if total is None:
        raise ValueError("feature_matching_loss: the discriminator returned no intermediate features")
    return total / count


def tps_dropout_probability(
    epoch: float, *, start_p: float = 0.1, max_p: float = 0.3, inc_epochs: float = 10, stop_epoch: float = 35
) -> float:
    """Probability of dropping a TPS group's contribution at `epoch` (Thin-Plate-Spline Motion Model schedule).

    Rises linearly from `start_p` by `max_p` per `inc_epochs` epochs, capped at `max_p`; 0 from `stop_epoch` on,
    so late training uses every keypoint group. `epoch` may be fractional (step / steps_per_epoch).
    """
    if not 0 <= start_p <= max_p <= 1:
        raise ValueError(f"tps dropout: expected 0 <= start_p <= max_p <= 1, got {start_p}, {max_p}")
    if inc_epochs <= 0:
        raise ValueError(f"tps dropout: inc_epochs must be > 0, got {inc_epochs}")
    if epoch >= stop_epoch:
        return 0.0
    return min(epoch / inc_epochs * max_p + start_p, max_p)
