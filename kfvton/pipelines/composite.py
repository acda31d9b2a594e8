"""Paste a warped garment onto the person: soft alpha, body parts kept in front, old clothes painted over.

What `composite_garment` does, in order:
    1. alpha = the warped garment mask.
    2. With a parse map (LIP-20 / VITON-HD labels): alpha is cut where the head and hair (hat, hair, sunglasses,
       face) and the lower body (pants, skirt, legs, shoes, socks) are, so they stay in front of the garment; the
       arms (labels 14, 15) are kept in front only inside the middle `ARMS_FRONT_WIDTH` of the garment's torso
       (the polygon of the collar, shoulder, armpit and hem targets, when `keypoints` are given), so an arm
       crossing the body stays in front while sleeves and side seams still cover arms hanging at the sides. Without a parse map nothing is kept in front (the
       garment has no pixels above its collar anyway).
    3. Old clothes: where the parse map says upper clothes (labels 5, 6, 7) and the new garment does not cover
       them (a garment smaller than the old one, or shorter sleeves), they are painted with a flat skin tone: the
       median colour of the person's visible arms, neck and face pixels (labels 14, 15, 10, 13), or a neutral
       skin-ish (0.80, 0.64, 0.54) when none is visible, modulated by the old clothes' own luminance (+-`SHADING`)
       so folds and shadows carry over. Only a parse map tells where old clothes are, so without one nothing is
       painted. This is a fill, not inpainting: arms under removed sleeves look smooth and flat-coloured.
    4. alpha and the paint mask are feathered with a Gaussian blur of `feather_px` (soft edges; alpha only inwards,
       blur x alpha, so no garment-photo background shows outside the garment's outline; paint only outwards,
       max(paint, blur), so no fringe of old clothes is left), then
       out = person * (1 - paint) + skin * paint, out = out * (1 - alpha) + garment * alpha.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .._checks import broadcast_batch, check_same_batch, check_shape
from ..keypoints.pairs import KeypointPairs
from ..preprocess.parse_labels import VITONHD_ARMS, VITONHD_HEAD, VITONHD_LOWER_BODY, VITONHD_UPPER_CLOTHES

__all__ = ["Composite", "composite_garment", "NEUTRAL_SKIN", "TORSO_LANDMARKS"]

#: Fill colour (RGB, [0, 1]) when no skin is visible in the parse map.
NEUTRAL_SKIN: tuple[float, float, float] = (0.80, 0.64, 0.54)
#: Arms stay in front of the garment only inside this fraction of the torso polygon's width: an arm hanging at
#: the body's side is under the sleeve and the torso's side seam; one crossing the chest or belly is in front.
ARMS_FRONT_WIDTH = 0.7
#: How much of the old clothes' shading the fill keeps (relative luminance change at two standard deviations).
SHADING = 0.25
_SKIN_LABELS = (*VITONHD_ARMS, 10, 13)
#: Outline of the garment's torso, in order around it (wearer's right side first).
TORSO_LANDMARKS = (
    "collar_right", "shoulder_right", "armpit_right", "hem_right", "hem_center", "hem_left",
    "armpit_left", "shoulder_left", "collar_left", "collar_center",
)  # fmt: skip


@dataclass(frozen=True)
class Composite:
    """Result of `composite_garment`.

    Attributes:
        image: (B, 3, H, W) float [0, 1], the person wearing the garment.
        alpha: (B, 1, H, W) float [0, 1], the feathered garment alpha that was used.
        painted: (B, 1, H, W) float [0, 1] where old clothes were painted with `skin`, or None without a parse.
        skin: (B, 3) the fill colour per item, or None without a parse.
    """

    image: Tensor
    alpha: Tensor
    painted: Tensor | None = None
    skin: Tensor | None = None


def composite_garment(
    person: Tensor,
    warped_garment: Tensor,
    warped_mask: Tensor,
    *,
    parse: Tensor | None = None,
    keypoints: KeypointPairs | None = None,
    feather_px: float = 1.5,
) -> Composite:
    """Blend a warped garment into the person image (rules in the module docstring).

    Args:
        person: (B or 1, 3, H, W) float [0, 1].
        warped_garment: (B or 1, 3, H, W) float [0, 1], the garment in the person frame.
        warped_mask: (B or 1, 1, H, W) float [0, 1].
        parse: optional (B or 1, H, W) int64 LIP-20 / VITON-HD labels of the person.
        keypoints: optional pairs whose person targets outline the garment torso (for the arms rule).
        feather_px: Gaussian sigma of the soft edge, pixels; 0 for hard edges.
    """
    check_shape(person, "person", ("B", 3, "H", "W"))
    h, w = person.shape[-2:]
    check_shape(warped_garment, "warped_garment", ("B", 3, h, w))
    check_shape(warped_mask, "warped_mask", ("B", 1, h, w))
    batches = {
        "person": person.shape[0],
        "warped_garment": warped_garment.shape[0],
        "warped_mask": warped_mask.shape[0],
    }
    if parse is not None:
        check_shape(parse, "parse", ("B", h, w))
        batches["parse"] = parse.shape[0]
    b = check_same_batch(batches)
    if feather_px < 0:
        raise ValueError(f"feather_px: expected >= 0, got {feather_px}")
    person = broadcast_batch(person, b, "person")
    garment = broadcast_batch(warped_garment, b, "warped_garment").to(person.dtype)
    alpha = broadcast_batch(warped_mask, b, "warped_mask").to(person.dtype).clamp(0, 1)

    painted = skin = None
    if parse is not None:
        codes = _codes(broadcast_batch(parse, b, "parse").to(person.device))
        keep = (codes & _FRONT) > 0
        arms = (codes & _ARM) > 0
        if keypoints is not None:
            arms = arms & _torso_polygon(keypoints, b, (h, w), person.device)
        keep = (keep | arms).unsqueeze(1)
        alpha = alpha.masked_fill(keep, 0.0)
        old = ((codes & _OLD) > 0).unsqueeze(1)
        skin = _skin_colour(person, (codes & _SKIN) > 0)
        paint = (old & (alpha <= 0.5)).to(person.dtype)
        paint = torch.maximum(paint, _feather(paint, feather_px))  # soft outwards only: no old-clothes fringe
        fill = skin[:, :, None, None] * _shading(person, old)
        person = torch.lerp(person, fill, paint)
        painted = paint
    alpha = _feather(alpha, feather_px) * alpha  # soft inwards only: no background from outside the garment
    image = torch.lerp(person, garment, alpha)
    return Composite(image=image, alpha=alpha, painted=painted, skin=skin)


_FRONT, _ARM, _OLD, _SKIN = 1, 2, 4, 8


def _codes(labels: Tensor) -> Tensor:
    """(B, H, W) labels -> uint8 bit codes (front, arm, old clothes, skin) with one table lookup."""
    lut = torch.zeros(256, dtype=torch.uint8, device=labels.device)
    for values, bit in (
        ((*VITONHD_HEAD, *VITONHD_LOWER_BODY), _FRONT),
        (VITONHD_ARMS, _ARM),
        (VITONHD_UPPER_CLOTHES, _OLD),
        (_SKIN_LABELS, _SKIN),
    ):
        lut[list(values)] |= bit
    return lut[labels.clamp(0, 255).long()]


def _shading(person: Tensor, region: Tensor) -> Tensor:
    """(B, 1, H, W) factor in [1 - SHADING, 1 + SHADING / 2]: the old clothes' luminance relative to its mean over
    `region`, so the flat fill keeps the folds and shadows of what it covers."""
    luma = (0.299 * person[:, 0:1] + 0.587 * person[:, 1:2] + 0.114 * person[:, 2:3]).detach()
    weight = region.to(luma.dtype)
    mean = (luma * weight).sum((2, 3), keepdim=True) / weight.sum((2, 3), keepdim=True).clamp_min(1.0)
    spread = (
        ((luma - mean) * weight).square().sum((2, 3), keepdim=True) / weight.sum((2, 3), keepdim=True).clamp_min(1.0)
    ).sqrt()
    return (1 + SHADING * (luma - mean) / (2 * spread + 0.05)).clamp(1 - SHADING, 1 + SHADING / 2)


def _skin_colour(person: Tensor, skin: Tensor) -> Tensor:
    """(B, 3) median colour of the skin pixels (every 4th row and column), `NEUTRAL_SKIN` when < 50 of them."""
    out = []
    for i in range(person.shape[0]):
        px = person[i, :, ::4, ::4].flatten(1)[:, skin[i, ::4, ::4].flatten()]
        if px.shape[1] >= 50:
            out.append(px.median(dim=1).values)
        else:
            out.append(torch.tensor(NEUTRAL_SKIN, device=person.device, dtype=person.dtype))
    return torch.stack(out)


def _torso_polygon(keypoints: KeypointPairs, b: int, size_hw: tuple[int, int], device: torch.device) -> Tensor:
    """(B, H, W) bool: inside the polygon of the present torso targets, narrowed across the body to
    `ARMS_FRONT_WIDTH` of its width about its middle (all True where fewer than 3 targets exist)."""
    h, w = size_hw
    idx = [keypoints.names.index(n) for n in TORSO_LANDMARKS if n in keypoints.names]
    person = keypoints.person_px.detach().cpu().double()
    out = np.zeros((b, h, w), np.uint8)
    for i in range(b):
        pts = person[i if person.shape[0] > 1 else 0, idx]
        pts = pts[pts[:, 2] > 0, :2].numpy()
        if len(pts) < 3:
            out[i] = 1
            continue
        middle = 0.5 * (pts[:, 0].min() + pts[:, 0].max())
        pts[:, 0] = middle + ARMS_FRONT_WIDTH * (pts[:, 0] - middle)
        cv2.fillPoly(out[i], [np.round(pts).astype(np.int32)], 1)
    return torch.from_numpy(out).to(device=device, dtype=torch.bool)


def _feather(mask: Tensor, sigma: float) -> Tensor:
    """Blur a (B, 1, H, W) mask with repeated 3x3 box filters, ~ a Gaussian of `sigma` (each pass adds a variance
    of 2/3 px^2); differentiable, and much faster on CPU than a Gaussian convolution. Identity for sigma 0."""
    passes = round(1.5 * sigma * sigma)
    for _ in range(passes):
        mask = F.avg_pool2d(mask, 3, stride=1, padding=1, count_include_pad=False)
    return mask
