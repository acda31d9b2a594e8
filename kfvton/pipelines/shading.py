"""The person's light and folds, read from the clothes they wear, as a gain for what is drawn over them: the new
garment (`composite_garment`'s step 4, `light_and_folds` for the lower-body / dress try-on) and the repainted skin
(with `limb_shading`'s round shading of a limb).

Light and folds (`clothes_shading`): the old clothes' log-luminance at low and middle frequencies, relative to its
median, after a median filter (thin stripes and lettering go) and without the pixels whose chromaticity or
luminance is far from the garment's own, that lie on strong colour edges or in fine texture (prints, logos,
seams, lace, knits, `SHADE_TEXTURE`: filled in from around them), clamped to a gain in [exp(-SHADE_RANGE[0]), exp(SHADE_RANGE[1])] and faded out
outside the old clothes. The new garment and the repainted skin are multiplied by it, so the person's own
light and folds carry over but not the old garment's colour, print or edges.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
from torch import Tensor

from .push_pull import mask_box, push_pull

__all__ = ["light_and_folds", "clothes_shading", "limb_shading", "shading_box", "SHADE_SCALE"]

#: Light and folds (and a limb's round shading) are computed at 1/SHADE_SCALE of the resolution; `shading_box` is
#: on that grid (the repaint's 1/WEIGHT_SCALE grid must divide it).
SHADE_SCALE = 4
#: Light and folds: log-gain limits (darker, brighter) and the strength applied to the old clothes' log-luminance.
SHADE_RANGE = (0.45, 0.2)
SHADE_STRENGTH = 0.85
#: Old-clothes pixels whose chromaticity differs by this (per channel of rgb / sum) from the garment's median, or
#: whose log-luminance differs by this from its median, are print, not light: left out of the shading.
SHADE_CHROMA = 0.05
SHADE_OUTLIER = 0.7
#: ... or whose neighbourhood is textured (mean |log-luminance - its 5x5 median| at 1/SHADE_SCALE over this; plain
#: tops' folds stay under ~0.1 at their 90th percentile on the VITON-HD samples, lace reaches 0.3): lace, knits.
SHADE_TEXTURE = 0.12
#: Repainted skin is shaded as a cylinder (`limb_shading`): up to LIMB_SHADE darker at its border with the
#: background, over the limb's half-width (at most LIMB_RADIUS_PX at 1024 rows).
LIMB_SHADE = 0.3
LIMB_RADIUS_PX = 36.0


def light_and_folds(person: Tensor, clothes: Tensor) -> Tensor:
    """The person's light and folds (module docstring) read from the clothes they wear, as a gain for a
    garment drawn over them: what `composite_garment` multiplies the garment by, without the rest of it.

    Args:
        person: (B or 1, 3, H, W) float [0, 1].
        clothes: (B, H, W) bool, the clothes to read the light from.

    Returns:
        (B, 1, H, W) gain > 0, dtype and device of `person`; 1 outside the box of `clothes` (`shading_box`).
    """
    b, (h, w) = clothes.shape[0], clothes.shape[-2:]
    unit = h / 1024.0
    img_all = person.detach().float().permute(0, 2, 3, 1).cpu().numpy()
    clothes_np = clothes.cpu().numpy()
    gain = np.ones((b, h, w), np.float32)
    for i in range(b):
        if clothes_np[i].any():
            crop = shading_box(clothes_np[i])
            gain[i][crop] = clothes_shading(img_all[i if img_all.shape[0] > 1 else 0][crop], clothes_np[i][crop], unit)
    return torch.from_numpy(gain).unsqueeze(1).to(device=person.device, dtype=person.dtype)


def shading_box(old: np.ndarray) -> tuple[slice, slice]:
    """(rows, cols) box of the old clothes `old` (H, W) bool grown by 8 % of the height, on the 1/`SHADE_SCALE` grid
    of the pose prior and the shading at both ends (mirror-symmetric): where the composite's repaint and
    `light_and_folds` work."""
    h, w = old.shape
    y0, y1, x0, x1 = mask_box(old, round(0.08 * h))
    y0, x0 = y0 - y0 % SHADE_SCALE, x0 - x0 % SHADE_SCALE
    y1, x1 = min(h, y1 + (-y1) % SHADE_SCALE), min(w, x1 + (-x1) % SHADE_SCALE)
    return slice(y0, y1), slice(x0, x1)


def clothes_shading(img: np.ndarray, old: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) float32 light-and-folds gain (module docstring) from the old clothes `old` (H, W) bool in `img`
    (H, W, 3) float32 [0, 1]; `unit` = rows / 1024."""
    h, w = old.shape
    if old.sum() < 64:
        return np.ones((h, w), np.float32)
    hs, ws = -(-h // SHADE_SCALE), -(-w // SHADE_SCALE)
    small = cv2.resize(img, (ws, hs), interpolation=cv2.INTER_AREA)
    region = cv2.resize(old.astype(np.float32), (ws, hs), interpolation=cv2.INTER_AREA) > 0.99
    region = cv2.erode(region.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0  # not the outline's mixed pixels
    if region.sum() < 16:
        return np.ones((h, w), np.float32)
    luma = small @ np.array([0.299, 0.587, 0.114], np.float32)
    raw_l = np.log(luma + 0.04).astype(np.float32)
    log_l = cv2.medianBlur(raw_l, 5)  # thin stripes and lettering go
    # lace, knit patterns, small prints: what the median takes away, averaged nearby (folds are smooth)
    texture = cv2.GaussianBlur(np.abs(raw_l - log_l), (0, 0), 2.0)
    total = small.sum(-1, keepdims=True) + 1e-3
    chroma = small / total
    ref_chroma = np.median(chroma[region], axis=0)
    ref_level = float(np.median(log_l[region]))
    # prints, logos and seams: another chromaticity, far another luminance, or on a strong colour edge
    edges = np.zeros((hs, ws), np.float32)
    for ch in range(3):
        blurred = cv2.GaussianBlur(small[..., ch], (0, 0), 0.8)
        edges = np.maximum(edges, np.hypot(cv2.Sobel(blurred, cv2.CV_32F, 1, 0), cv2.Sobel(blurred, cv2.CV_32F, 0, 1)))
    edge_limit = 0.6  # Sobel of the coarse image; a 0..1 step gives ~2
    odd = (
        (np.abs(chroma - ref_chroma).max(-1) >= SHADE_CHROMA)
        | (np.abs(log_l - ref_level) >= SHADE_OUTLIER)
        | (edges > edge_limit)
        | (texture > SHADE_TEXTURE)
    )
    d = 2 * max(1, round(2 * unit)) + 1  # and their blurred borders: 8 pixels at 1024 rows
    ok = region & (cv2.dilate(odd.astype(np.uint8), np.ones((d, d), np.uint8)) == 0)
    if ok.sum() < 16:
        return np.ones((h, w), np.float32)
    wt = ok.astype(np.float32)
    sigma = 1.0
    num = cv2.GaussianBlur(log_l * wt, (0, 0), sigma)
    den = cv2.GaussianBlur(wt, (0, 0), sigma)
    shade = np.where(den > 0.2, num / np.maximum(den, 1e-6), 0.0) - ref_level
    known = den > 0.2
    shade = push_pull(np.repeat(shade[..., None], 3, -1).astype(np.float32), known)[..., 0]
    # fade out away from the old clothes (a garment longer than the old one gets no invented folds)
    dist = cv2.distanceTransform((~region).astype(np.uint8), cv2.DIST_L2, 3)
    fade = np.exp(-dist / (12.0 * unit * 4 / SHADE_SCALE))
    log_gain = np.clip(SHADE_STRENGTH * shade, -SHADE_RANGE[0], SHADE_RANGE[1]) * fade
    gain = np.exp(log_gain).astype(np.float32)
    return cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR)


def limb_shading(skin: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) float32 gain in [1 - LIMB_SHADE, 1] for repainted skin `skin` (H, W) bool: a limb seen side-on is a
    cylinder, lit most along its axis and darker towards both edges (Lambert: the normal's facing component
    sqrt(1 - (1 - d / r)^2) at distance d from the edge, r the limb's local half-width, at most `LIMB_RADIUS_PX`
    at 1024 rows: a torso darkens over that band along its outline only)."""
    to_edge = cv2.distanceTransform(skin.astype(np.uint8), cv2.DIST_L2, 3)
    h, w = skin.shape
    hs, ws = -(-h // SHADE_SCALE), -(-w // SHADE_SCALE)
    radius_px = LIMB_RADIUS_PX * unit
    small = cv2.resize(to_edge, (ws, hs), interpolation=cv2.INTER_AREA)
    k = 2 * max(1, round(radius_px / SHADE_SCALE)) + 1
    local = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))  # the half-width nearby
    local = cv2.resize(np.minimum(local, radius_px), (w, h), interpolation=cv2.INTER_LINEAR)
    x = np.clip(to_edge / np.maximum(local, 1.0), 0.0, 1.0)
    facing = np.sqrt(np.clip(1.0 - (1.0 - x) ** 2, 0.0, 1.0))
    return (1.0 - LIMB_SHADE * (1.0 - facing)).astype(np.float32)
