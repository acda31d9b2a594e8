"""Garment masks: from a product photo on a plain background, from an alpha channel, or given explicitly.

Classical preprocessing (OpenCV, not differentiable): the background colour is modelled from the image border
(its median, or a quadratic surface for shaded backdrops), every pixel's colour distance to it is thresholded low
(so white-on-white garments survive; on a flawless backdrop, pale patches a level off it are reclaimed:
`_reclaim_pale`), holes that are not flat background are filled, the largest connected component is kept, and
finally the outline is placed where the distance reaches half of the local garment contrast, which puts the edge
mid-way through the JPEG blur.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np
import torch
from torch import Tensor

from .._arrays import (
    above_half,
    channel_sum,
    channels_last,
    every_masked,
    mask_box,
    nonzero_yx,
    per_channel,
    to_uint8_hwc,
)
from .._checks import check_image, check_mask, check_same_batch, check_shape
from .mask_ops import largest_component

__all__ = [
    "GarmentMask",
    "garment_mask_from_image",
    "garment_mask_from_alpha",
    "prepare_garment_mask",
    "drop_loose_parts",
    "drop_inner_back",
    "clean_garment_rim",
    "drop_backdrop_shade",
]

_LOG = logging.getLogger("kfvton")

MASK_METHODS = ("explicit", "alpha", "computed")
_MIN_FRACTION = 0.01  # a garment covers at least 1 % of the image ...
_MAX_FRACTION = 0.97  # ... and leaves some background
#: Backdrop noise (colour distance around its smooth model, 0-255, on the blurred image) from which it is textured
#: and GrabCut helps the threshold (studio and plain backdrops 0-2, grain and woven lines 11-15, mottles 25-70).
TEXTURED_NOISE = 20.0


@dataclass(frozen=True)
class GarmentMask:
    """A validated garment mask and where it came from.

    Attributes:
        mask: (B, 1, H, W) float in {0, 1}, 1 on the garment; same device as the garment, float32 unless the
            garment is float64.
        method: "explicit" (the caller's mask), "alpha" (the garment's alpha channel) or "computed"
            (`garment_mask_from_image`).
        dropped: per batch item, the share of the computed mask dropped as loose parts (ties, belts, hanging
            straps: `drop_loose_parts`); empty for given masks.
        inner_back: per batch item, the share of the computed mask dropped as the garment's inner back fabric seen
            through the neckline or between straps (`drop_inner_back`); empty for given masks.
    """

    mask: Tensor
    method: str
    dropped: tuple[float, ...] = ()
    inner_back: tuple[float, ...] = ()

    def describe(self) -> str:
        """The method, plus the loose parts and inner back fabric dropped, for logs and node outputs."""
        parts = [f"item {i}: {100 * d:.1f} %" for i, d in enumerate(self.dropped) if d > 0]
        backs = [f"item {i}: {100 * d:.1f} %" for i, d in enumerate(self.inner_back) if d > 0]
        text = self.method + (f"; loose parts (ties, belts, straps) dropped: {', '.join(parts)}" if parts else "")
        return text + (f"; inner back fabric (seen through the neckline) dropped: {', '.join(backs)}" if backs else "")


def _fill_holes(fg: np.ndarray, flat_bg: np.ndarray, max_flat_fraction: float) -> np.ndarray:
    """Fill the holes of `fg` (uint8 0/1) unless they are real gaps (e.g. between a hanging sleeve and the body).

    A hole is a real gap when it is mostly flat background and either tall and narrow (bounding box height > 3 x
    its width: a hanging sleeve's gap runs down along the body) or large (>= 3 % of the garment); compact or wide
    flat holes are prints in the background colour (a white stripe of a striped top), shine or lace and get filled.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats((fg == 0).astype(np.uint8), connectivity=4)
    if n <= 1:
        return fg
    h, w = fg.shape
    touches = np.zeros(n, dtype=bool)
    for edge in (labels[0], labels[-1], labels[:, 0], labels[:, -1]):
        touches[np.unique(edge)] = True
    flat_count = np.bincount(labels.ravel(), weights=flat_bg.ravel().astype(np.float64), minlength=n)
    area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    flat = flat_count / np.maximum(area, 1.0) >= max_flat_fraction
    bw = stats[:, cv2.CC_STAT_WIDTH].astype(np.float64)
    bh = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    runs_down = bh > 3.0 * bw
    gap = flat & ((area >= 0.03 * float(fg.sum())) | runs_down)
    fill = ~touches & ~gap
    fill[0] = False  # label 0 of the inverted image is a foreground pixel run, never a hole
    out = fg.copy()
    out[fill[labels]] = 1
    return out


def _robust_spread(r: np.ndarray) -> tuple[float, float]:
    """Median and MAD-based sigma of residuals."""
    med = float(np.median(r))
    return med, 1.4826 * float(np.median(np.abs(r - med)))


def _quadratic_terms(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=-1)


def _background(img: np.ndarray, width: int) -> tuple[np.ndarray, float]:
    """Background colour model from the image border: a constant or, for shaded backdrops, a quadratic surface.

    Returns the background ((3,) or (H, W, 3) float32) and the noise level of the border around it (colour
    distance, 0-255 units: median + 3 sigma). Border pixels far from the background (a garment touching the
    edge) are rejected before fitting.
    """
    h, w = img.shape[:2]
    band = np.zeros((h, w), dtype=bool)
    band[:width] = band[-width:] = True
    band[:, :width] = band[:, -width:] = True
    ys, xs = nonzero_yx(band)
    pix = img[ys, xs].astype(np.float64)
    const = np.median(pix, axis=0)
    r = np.linalg.norm(pix - const, axis=1)
    med, sigma = _robust_spread(r)
    keep = r <= max(med + 4.0 * sigma, 3.0)
    xn, yn = xs / max(w - 1, 1) * 2.0 - 1.0, ys / max(h - 1, 1) * 2.0 - 1.0
    terms = _quadratic_terms(xn, yn)
    for _ in range(2):
        coef, *_ = np.linalg.lstsq(terms[keep], pix[keep], rcond=None)  # (6, 3)
        r = np.linalg.norm(pix - terms @ coef, axis=1)
        med, sigma = _robust_spread(r[keep])
        keep = r <= max(med + 4.0 * sigma, 3.0)
    noise = med + 3.0 * sigma
    # Evaluate the surface on a coarse grid; a flat backdrop (VITON-HD studio grey) stays a constant.
    gy, gx = np.meshgrid(np.linspace(-1.0, 1.0, 9), np.linspace(-1.0, 1.0, 9), indexing="ij")
    coarse = _quadratic_terms(gx, gy) @ coef  # (9, 9, 3)
    if float(np.ptp(coarse, axis=(0, 1)).max()) < 1.5:
        return np.median(pix[keep], axis=0).astype(np.float32), noise
    small = _quadratic_terms(*np.meshgrid(np.linspace(-1, 1, max(2, w // 8)), np.linspace(-1, 1, max(2, h // 8))))
    surface = (small @ coef).astype(np.float32)
    return cv2.resize(surface, (w, h), interpolation=cv2.INTER_LINEAR), noise


def _grabcut(img: np.ndarray, fg: np.ndarray) -> np.ndarray:
    """(H, W) uint8 {0, 1}: GrabCut's garment on a textured backdrop, started from the thresholded `fg` (uint8 0/1:
    outside its convex hull, grown by 3 %, is sure backdrop, inside probable garment) or, when that found almost
    nothing, from the whole image but a border band. Runs at most 512 px on the long side (about a second); the
    RNG is seeded."""
    h, w = img.shape[:2]
    scale = min(1.0, 512.0 / max(h, w))
    small = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    seed = cv2.resize(fg, small.shape[1::-1], interpolation=cv2.INTER_NEAREST)
    sh, sw = small.shape[:2]
    init = np.full((sh, sw), cv2.GC_PR_BGD, np.uint8)
    grow = max(3, int(0.03 * min(sh, sw))) | 1
    if seed.sum() >= _MIN_FRACTION * seed.size:
        hull = np.zeros_like(seed)
        cv2.fillPoly(hull, [cv2.convexHull(cv2.findNonZero(seed))], 1)
        hull = cv2.dilate(hull, np.ones((grow, grow), np.uint8))
        init[hull == 0] = cv2.GC_BGD
        init[hull > 0] = cv2.GC_PR_FGD  # all of the hull: pale parts the threshold missed must not train the backdrop
    else:
        init[:] = cv2.GC_PR_FGD
        init[:grow] = init[-grow:] = cv2.GC_BGD
        init[:, :grow] = init[:, -grow:] = cv2.GC_BGD
    cv2.setRNGSeed(0)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), init, None, bgd, fgd, 4, cv2.GC_INIT_WITH_MASK)
    cut = ((init == cv2.GC_FGD) | (init == cv2.GC_PR_FGD)).astype(np.uint8)
    return cv2.resize(cut, (w, h), interpolation=cv2.INTER_NEAREST)


def _threshold(dist: np.ndarray, low: float, k: int, above: np.ndarray | None = None) -> np.ndarray:
    """(H, W) uint8 {0, 1}: the largest blob of `dist` > `low` (or of `above` (H, W) bool, when given), opened with
    a `k` px disc (specks) and closed."""
    fg = (dist > low if above is None else above).astype(np.uint8)
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1)))
    return largest_component(fg)


#: A studio sweep's horizon, where the wall bends into the floor, shades the backdrop in a band across the photo a few
#: levels darker than the quadratic surface (`_background`) can follow: the low threshold took that band beside a
#: garment's sides for garment (unseen ootd_048554_1, a white tee on a light-grey sweep: grey flaps 10-18 levels off
#: the fit from the photo's edges to its hips, warped onto the jeans as pale blotches). Pixels over the threshold
#: that are the backdrop's own colour a shade darker (darker, their chromaticity within SHADE_CHROMA of the
#: backdrop's, within SHADE_MAX of it, 0-255 colour distance) and joined to the photo's edge through such pixels are
#: backdrop: a garment lies inside the frame, and a white or coloured one is not a darker shade of a grey backdrop
#: (that tee: 3 % lighter and bluer, chromaticity 0.014 off; the band 4-5 % darker, 0.003 off).
SHADE_MAX = 25.0
SHADE_CHROMA = 0.008


def _chroma_off(px: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """(...) float32: the sum over RGB of the differences of chromaticity (each channel over the three's sum) of `px`
    (..., 3) and `colour` (3,) or (..., 3), any scale, both the same: 0 for a lighter or darker shade of it."""
    px, colour = px.astype(np.float32), np.asarray(colour, np.float32)
    mine = px / np.maximum(px.sum(-1, keepdims=True), 1e-6)
    theirs = colour / np.maximum(colour.sum(-1, keepdims=True), 1e-6)
    return np.abs(mine - theirs).sum(-1)


def _border_shading(blurred: np.ndarray, bg: np.ndarray, dist: np.ndarray, above: np.ndarray) -> np.ndarray:
    """(H, W) bool: the pixels of `above` (H, W) bool, over the threshold, that are a darker shade of the backdrop
    `bg` (H, W, 3) float32 (`SHADE_MAX`, `SHADE_CHROMA`) joined to the photo's edge through such pixels.
    `blurred`: (H, W, 3) uint8 RGB, the blurred photo; `dist`: (H, W) float32, its colour distance to `bg`."""
    img = blurred.astype(np.float32)
    darker = img.sum(-1) < bg.sum(-1)
    shade = (above & darker & (_chroma_off(img, bg) < SHADE_CHROMA) & (dist < SHADE_MAX)).astype(np.uint8)
    edge = np.zeros_like(shade)
    edge[0], edge[-1], edge[:, 0], edge[:, -1] = shade[0], shade[-1], shade[:, 0], shade[:, -1]
    if not edge.any():
        return np.zeros(shade.shape, bool)
    count, labels = cv2.connectedComponents(shade, connectivity=8)
    joined = np.zeros(count, bool)
    joined[np.unique(labels[edge > 0])] = True
    joined[0] = False
    return joined[labels]


#: A white garment on a flawless (synthetic, noise ~0) white backdrop: wide patches of it lie within the low threshold
#: (its lit side sits at the backdrop's 246 level, only its weave and creases a level or two off), the outline
#: breaks there and the patches read as background joined to the outside (the Minnie tee's shoulders and sides:
#: holes that `_fill_holes` cannot fill). Where the backdrop's noise stays under PALE_NOISE, pixels beyond PALE_LOW
#: (0-255, blurred) seal those patches; they are kept only deeper than PALE_DEPTH (share of the image's short side)
#: inside the sealed outline, so the JPEG ring that such a low threshold puts around every garment stays out.
#: Tuned on OOTDiffusion/IDM-VTON product photos on 246 grey; VITON-HD cloth (noise 0, mask IoU .993) unchanged.
PALE_NOISE = 1.0
PALE_LOW = 1.0
PALE_DEPTH = 0.02
#: ... and only where the garment around a patch is pale itself (median distance under PALE_AROUND): the JPEG ring of
#: a dark or coloured garment reaches past PALE_LOW across the backdrop gaps beside its sleeves (VITON-HD 02783).
PALE_AROUND = 20.0


def _pale_patches(new: np.ndarray, dist: np.ndarray, fg: np.ndarray, d: int) -> np.ndarray:
    """(H, W) uint8 {0, 1}: the components of `new` (uint8 0/1) that the garment `fg` (uint8 0/1) around them, within
    `d` px, shows as pale (median `dist` under `PALE_AROUND`)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(new, connectivity=8)
    h, w = new.shape
    grow = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * d + 3, 2 * d + 3))
    out = np.zeros_like(new)
    for i in range(1, count):
        x, y, bw, bh = stats[i, :4]
        x0, y0, x1, y1 = max(x - d - 1, 0), max(y - d - 1, 0), min(x + bw + d + 1, w), min(y + bh + d + 1, h)
        comp = (labels[y0:y1, x0:x1] == i).astype(np.uint8)
        around = (cv2.dilate(comp, grow) > 0) & (fg[y0:y1, x0:x1] > 0)
        if around.any() and float(np.median(dist[y0:y1, x0:x1][around])) < PALE_AROUND:
            out[y0:y1, x0:x1] |= comp
    return out


def _blur_size(img: np.ndarray) -> int:
    """The Gaussian blur's size the colour distances are read after, for `img` (H, W, ...): 5 px, 3 px under 400."""
    return 5 if min(img.shape[:2]) >= 400 else 3


def _colour_distance(img: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """(H, W) float32 each pixel's colour distance from `img` (H, W, 3) uint8 to the backdrop `bg` ((3,) or
    (H, W, 3) float32), 0-255 units. Per channel plane: the same values as `img.astype(np.float32) - bg` and its
    magnitude, whose broadcast against the 3-long last axis ran a 3-long inner loop per pixel (~6 ms at 1024 x 768,
    twice per computed mask)."""
    planes = cv2.split(img)
    if bg.ndim == 1:
        off = [p.astype(np.float32) - bg[c] for c, p in enumerate(planes)]
    else:
        off = [p.astype(np.float32) - bg[..., c] for c, p in enumerate(planes)]
    return cv2.magnitude(cv2.magnitude(off[0], off[1]), off[2])


def _grain(img: np.ndarray, bg: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """(h, w) float32 at `size` (w, h): each pixel's colour distance to the backdrop `bg` ((3,) or (H, W, 3)) of
    `img` (H, W, 3 uint8), blurred and averaged over the pixels each output pixel covers (0-255 units). A
    fabric of the backdrop's mean colour still has its weave's grain, which the distance of the blurred image
    averages out; a flawless backdrop has none. (`cv2.magnitude`: `np.linalg.norm` cost 40 ms at 1024 x 768.)"""
    blur = _blur_size(img)
    grain = cv2.GaussianBlur(_colour_distance(img, bg), (blur, blur), 0)
    return cv2.resize(grain, size, interpolation=cv2.INTER_AREA)


def _reclaim_pale(
    dist: np.ndarray, img: np.ndarray, bg: np.ndarray, fg: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """`fg` (uint8 0/1) plus the pale garment patches its threshold missed, see `PALE_LOW`.

    Args:
        dist: (H, W) float32 colour distance of the blurred image to the backdrop (0-255 units).
        img: (H, W, 3) uint8 RGB, the photo, and bg its backdrop ((3,) or (H, W, 3) float32): the garment's
            outline is sealed on their `_grain`.
        fg: (H, W) uint8 {0, 1}, the thresholded garment.
        k: the mask's morphology size in pixels.

    Returns:
        ((H, W) uint8 {0, 1}, a superset of `fg`; (H, W) uint8 {0, 1}, the sealed outline's inside: the garment's
        grain and `fg`, closed and its holes filled).
    """
    # at half resolution (the patches are wide; the sealing, hole filling and depth cost 100 ms at 1024 x 768)
    h, w = fg.shape
    half = (max(1, w // 2), max(1, h // 2))
    dist_s = cv2.resize(dist, half, interpolation=cv2.INTER_AREA)
    grain_s = _grain(img, bg, half)
    fg_s = (cv2.resize(fg.astype(np.float32), half, interpolation=cv2.INTER_AREA) > 0.5).astype(np.uint8)
    k_s = max(1, k // 2)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k_s + 1, 2 * k_s + 1))
    sealed = cv2.morphologyEx(((grain_s > PALE_LOW) | (fg_s > 0)).astype(np.uint8), cv2.MORPH_CLOSE, disc)
    sealed = _fill_holes(largest_component(sealed), grain_s <= PALE_LOW, max_flat_fraction=0.6)
    d = max(1, round(PALE_DEPTH * min(fg_s.shape)))
    # erosion and dilation by d as distance thresholds: a disc of 2 d + 1 px is slow
    new = ((cv2.distanceTransform(sealed, cv2.DIST_L2, 5) > d) & (fg_s == 0)).astype(np.uint8)
    new = _pale_patches(new, dist_s, fg_s, d)
    # (a linear upsampling cut at half: a smooth outline, not 2 px steps)
    sealed_full = (cv2.resize(sealed.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR) > 0.5).astype(np.uint8)
    if not new.any():
        return fg, sealed_full
    # the new patches reach out to the sealed outline (their own edge), not the ring around the rest of the garment
    grown = (cv2.distanceTransform(1 - new, cv2.DIST_L2, 5) <= d) & (sealed > 0)
    grown = cv2.resize(grown.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR) > 0.5
    return fg | grown.astype(np.uint8), sealed_full


#: A card under the garment (`_card`): the thresholded region fills at least CARD_FILL of its rotated bounding
#: rectangle, and at least CARD_FLAT of the pixels along the inside of that rectangle's edge lie within the card's
#: own noise (median + 3 sigma, at least CARD_NOISE_MIN, 0-255 units) of their median colour.
CARD_FILL = 0.95
CARD_FLAT = 0.6
CARD_NOISE_MIN = 3.0


def _card(blurred: np.ndarray, fg: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, float] | None:
    """A card laid under the garment (a light-grey or off-white sheet on the shop's white backdrop), or None.

    Shops photograph garments on a card whose colour is a few levels off the backdrop's; the low threshold takes
    the whole card for garment (a grey block). The card is told by its shape and its flatness: the thresholded
    region `fg` (uint8 0/1) is a rectangle (`CARD_FILL`) whose rim is one flat colour (`CARD_FLAT`); a garment's
    outline is not a rectangle, and a rectangular garment (a folded sweater) has shading and texture on its rim.

    Args:
        blurred: (H, W, 3) uint8 RGB, the blurred image.
        fg: (H, W) uint8 {0, 1}, the region thresholded against the backdrop.
        k: the mask's morphology size in pixels.

    Returns:
        (the card's rectangle grown by 2 `k` (H, W) bool, its colour (3,) float32 RGB 0-255, its noise (0-255
        colour distance)), or None.
    """
    contours, _ = cv2.findContours(fg, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    rect = cv2.minAreaRect(outline)
    if cv2.contourArea(outline) < CARD_FILL * max(rect[1][0] * rect[1][1], 1.0):
        return None
    box = np.zeros(fg.shape, np.uint8)
    cv2.fillPoly(box, [np.round(cv2.boxPoints(rect)).astype(np.int32)], 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
    inner = cv2.erode(box, disc)
    rim = (inner > 0) & (cv2.erode(inner, disc, iterations=2) == 0)  # a band just inside the card's edge
    if rim.sum() < 100:
        return None
    pixels = blurred[rim].astype(np.float64)
    colour = np.median(pixels, axis=0)
    r = np.linalg.norm(pixels - colour, axis=1)
    med, sigma = _robust_spread(r)
    noise = max(med + 3.0 * sigma, CARD_NOISE_MIN)
    if np.mean(r <= noise) < CARD_FLAT:
        return None
    return cv2.dilate(box, disc, iterations=2) > 0, colour.astype(np.float32), noise


#: Under EDGE_CONTRAST_MIN of local garment contrast (0-255 colour distance, blurred) the outline's half-contrast
#: level lies within the fabric's grain: the refinement followed it pixel by pixel and frayed a white tee's
#: sleeves and hem on the 246 backdrop; there the thresholded outline (opened and closed) stays.
EDGE_CONTRAST_MIN = 12.0

#: JPEG ringing: on a flawless backdrop the low threshold takes in a faint ring, levels 3-10 off the backdrop and
#: up to ~8 px (a JPEG block) wide, that follows a garment's edge outside it; wider than the refinement band, it
#: stayed on as pale jagged flecks along the outline (IDM-VTON / OOTDiffusion product photos on 246 grey: the
#: sleeves of a sheer blouse, a black tee's cuffs). Beyond that band the outline is peeled pixel by pixel from the
#: outside, up to RING_DEPTH of the image's short side, while a pixel stays under RING_SHARE of the local garment
#: contrast (ringing grows with the edge's contrast: ~10 on a 130 edge) and under RING_MAX (0-255 colour distance,
#: blurred): white trim on the 246 backdrop (~15) and the white stripes at a pale garment's sides (contrast ~30,
#: VITON-HD 06429) stay.
RING_DEPTH = 0.012
RING_SHARE = 0.1
RING_MAX = 12.0


def _peel_ring(fg: np.ndarray, dist: np.ndarray, contrast: np.ndarray, steps: int) -> None:
    """Peel `fg` (H, W) uint8 {0, 1} in place from its outline inwards, at most `steps` px: outline pixels whose
    `dist` (H, W) float32 is under `RING_SHARE` of `contrast` (H, W, the local garment contrast) and under `RING_MAX`
    go. The colour test runs on the band within `steps` of the outline only, the peeling on uint8 OpenCV images
    (float tests over the whole box cost tens of ms)."""
    band = cv2.subtract(fg, cv2.erode(fg, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * steps + 1,) * 2)))
    ys, xs = nonzero_yx(band)
    ring = np.zeros_like(fg)
    ring[ys, xs] = dist[ys, xs] < np.minimum(RING_SHARE * contrast[ys, xs], RING_MAX)
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    for _ in range(steps):
        drop = cv2.bitwise_and(cv2.subtract(fg, cv2.erode(fg, cross)), ring)
        if not cv2.countNonZero(drop):
            return
        cv2.subtract(fg, drop, dst=fg)


#: `_faint_notches`: notches narrower than NOTCH_SHARE of the image's short side.
NOTCH_SHARE = 0.05


def _faint_notches(fg: np.ndarray, sealed: np.ndarray, faint: np.ndarray, size: int) -> np.ndarray:
    """(H, W) uint8 {0, 1}: the notches of `fg` (H, W uint8 0/1) narrower than `NOTCH_SHARE` of `size` that lie inside
    `sealed` (H, W uint8 0/1, `_reclaim_pale`'s outline on the garment's grain) where the edge is `faint` (H, W bool).

    Along a faint edge (a white tee's hem a level or three off the backdrop) the threshold cuts the fabric where its
    colour wanders across it: notches, the hem frayed in the try-on. The grain's outline runs past them; taken
    whole it brings the JPEG ring along the garment's edge (a halo), taken only in the notches it does not.
    """
    r = max(1.0, NOTCH_SHARE * size / 2.0)
    # (the closing by a disc of radius r as two distance thresholds: a 39 px ellipse's closing cost 35 ms)
    grown = (cv2.distanceTransform(1 - fg, cv2.DIST_L2, 5) <= r).astype(np.uint8)
    closed = (cv2.distanceTransform(grown, cv2.DIST_L2, 5) > r).astype(np.uint8)
    return closed & sealed & faint.astype(np.uint8)


def _mask_one(img: np.ndarray, *, threshold: float | None, border_touch_max: float, index: int) -> np.ndarray:
    h, w = img.shape[:2]
    size = min(h, w)
    blur = _blur_size(img)
    blurred = cv2.GaussianBlur(img, (blur, blur), 0)
    # The backdrop and its noise are measured on the image as blurred for the distances below: a grainy backdrop
    # (paper, linen) is much calmer there, so the threshold does not swallow pale garments.
    bg, noise = _background(blurred, max(1, size // 256))
    dist = _colour_distance(blurred, bg)
    if threshold is None:
        # Low on purpose: white garments on white differ by a few levels; the noise floor guards textured
        # backgrounds, the half-contrast refinement below puts the outline back where it belongs.
        low = max(3.0, noise + 1.0)
    else:
        low = float(threshold) * 255.0
    k = max(1, round(size / 256)) | 1  # 3 px at 768 wide, 1 px at 192: gaps between sleeve and body stay open
    above = dist > low
    if np.ndim(bg) == 3 and threshold is None:  # a shaded backdrop: its shading the surface missed is not garment
        above &= ~_border_shading(blurred, bg, dist, above)
    fg = _threshold(dist, low, k, above)
    card = _card(blurred, fg, k)
    if card is not None:
        # the garment lies on a card: within it, the distance is taken to the card's colour (the nearer of the two
        # backdrops: the card's edge blends into the shop's white)
        zone, colour, card_noise = card
        card_dist = np.linalg.norm(blurred.astype(np.float32) - colour, axis=-1)
        on_card = np.where(zone, np.minimum(dist, card_dist), dist).astype(np.float32)
        card_low = max(low, card_noise + 1.0) if threshold is None else low
        cut = _threshold(on_card, card_low, k)
        if cut.mean() >= _MIN_FRACTION:  # else the "card" was a flat rectangular garment: kept as it was
            _LOG.info("garment[%d]: laid on a card of colour %s, taken as backdrop", index, colour.round().tolist())
            fg, dist, low, noise = cut, on_card, card_low, max(noise, card_noise)
    pale, sealed = np.zeros_like(fg), np.zeros_like(fg)
    if threshold is None and noise < PALE_NOISE:
        before = int(fg.sum())
        reclaimed, sealed = _reclaim_pale(dist, img, bg, fg, k)
        pale = reclaimed - fg
        fg = reclaimed
        if fg.sum() > before:
            _LOG.info(
                "garment[%d]: %.1f %% of the mask reclaimed as pale patches", index, 100 * (1 - before / fg.sum())
            )
    if noise >= TEXTURED_NOISE:
        # A mottled or patterned backdrop: its noise sets the threshold so high that pale parts of the garment are
        # lost; colour models of garment and backdrop (GrabCut) bring them back.
        fg = largest_component(fg | _grabcut(img, fg))
    if fg.sum() == 0:
        raise ValueError(
            f"garment[{index}]: no garment could be separated from the background (colour "
            f"{np.asarray(bg).reshape(-1, 3).mean(axis=0).round().tolist()}); "
            "pass an explicit mask or an image with alpha"
        )
    # The rest works on the garment's bounding box plus a margin (hole filling, outline refinement).
    margin = 4 * k + 8
    bx, by, bw, bh = cv2.boundingRect(fg)
    x0, y0 = max(bx - margin, 0), max(by - margin, 0)
    x1, y1 = min(bx + bw + margin, w), min(by + bh + margin, h)
    full = fg
    fg, dist = np.ascontiguousarray(fg[y0:y1, x0:x1]), np.ascontiguousarray(dist[y0:y1, x0:x1])
    pale, sealed = pale[y0:y1, x0:x1], sealed[y0:y1, x0:x1]
    h, w = fg.shape
    flat_bg = dist <= max(2.0, noise)
    fg = _fill_holes(fg, flat_bg, max_flat_fraction=0.6)

    # Refine the outline: in a band around it keep pixels whose distance reaches half the local garment contrast.
    band_k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
    inner = cv2.erode(fg, band_k)
    band = (fg > 0) & (inner == 0)
    # Local contrast = mean distance over the nearby garment interior, computed at 1/4 resolution (it is smooth).
    small = (max(1, w // 4), max(1, h // 4))
    inner_s = cv2.resize(inner.astype(np.float32), small, interpolation=cv2.INTER_AREA)
    dist_s = cv2.resize(dist * inner, small, interpolation=cv2.INTER_AREA)
    num = cv2.GaussianBlur(dist_s, (0, 0), k)
    den = cv2.GaussianBlur(inner_s, (0, 0), k)
    num = cv2.resize(num, (w, h), interpolation=cv2.INTER_LINEAR)
    den = cv2.resize(den, (w, h), interpolation=cv2.INTER_LINEAR)
    contrast = num / np.maximum(den, 1e-3)
    drop = band & (den > 1e-3) & (dist < 0.5 * contrast) & (contrast >= EDGE_CONTRAST_MIN)
    fg[drop] = 0
    _peel_ring(fg, dist, contrast, max(1, round(RING_DEPTH * size)))  # (no interior near: contrast ~0)
    fg |= pale  # the pale patches' outline lies on their grain: their colour is the backdrop's, there is no contrast
    faint = (den > 1e-3) & (contrast < EDGE_CONTRAST_MIN)
    if sealed.any() and (faint & band).any():  # (a garment with no faint edge has no notches to fill)
        fg |= _faint_notches(fg, sealed, faint, size)
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    full[:] = 0
    full[y0:y1, x0:x1] = largest_component(fg)
    fg = full

    frac = fg.mean()
    edge = np.concatenate([fg[0], fg[-1], fg[:, 0], fg[:, -1]])
    if frac < _MIN_FRACTION:
        raise ValueError(
            f"garment[{index}]: the separated garment covers only {100 * frac:.2f} % of the image (expected >= "
            f"{100 * _MIN_FRACTION:.0f} %); is the image blank or uniform? pass an explicit mask"
        )
    if edge.mean() > border_touch_max:
        raise ValueError(
            f"garment[{index}]: the separated region touches {100 * edge.mean():.0f} % of the image border "
            f"(expected <= {100 * border_touch_max:.0f} %); the garment must lie on a plain background with a "
            "margin, or pass an explicit mask"
        )
    return fg


def _drop_loose_one(fg: np.ndarray, width_share: float) -> np.ndarray:
    """`fg` (uint8 0/1) without thin parts hanging off the body below the shoulders or out to the sides.

    Works in the garment's box grown by the disc's width: the opening, the grow-back and the components reach no
    further (outside it all is 0), so the result is the whole frame's; a full-frame opening by a disc ~6 % of the
    garment wide was most of this step's cost."""
    x, y, gw, gh = cv2.boundingRect(fg)
    if gw == 0:
        return fg
    d = max(3, int(round(width_share * gw)) | 1)
    y0, y1, x0, x1 = max(0, y - d), min(fg.shape[0], y + gh + d), max(0, x - d), min(fg.shape[1], x + gw + d)
    out = np.zeros_like(fg)
    out[y0:y1, x0:x1] = _drop_loose_in_box(np.ascontiguousarray(fg[y0:y1, x0:x1]), d)
    return out


def _drop_loose_in_box(fg: np.ndarray, d: int) -> np.ndarray:
    """`_drop_loose_one` over the whole of `fg` (uint8 0/1), thin = narrower than a `d` px disc."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))
    body = largest_component(cv2.morphologyEx(fg, cv2.MORPH_OPEN, kernel))
    if body.sum() == 0:
        return fg
    _, top, _, height = cv2.boundingRect(body)
    # thin parts: what the opening removed, grown back a little so the body keeps its own edge pixels
    thin = (fg > 0) & (cv2.dilate(body, kernel) == 0)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(thin.astype(np.uint8), connectivity=8)
    out = fg.copy()
    for i in range(1, n):
        area = stats[i, cv2.CC_STAT_AREA]
        cy = centroids[i][1]
        bottom = stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT]
        straps = cy < top + 0.2 * height and bottom < top + 0.35 * height  # shoulder straps, ribbons on top
        if straps or area < 0.002 * fg.sum():
            continue
        out[labels == i] = 0
    return largest_component(out)


def drop_loose_parts(mask: Tensor, *, width_share: float = 0.06) -> tuple[Tensor, tuple[float, ...]]:
    """Remove ties, belts and straps that hang off a garment's body from its mask, so they never get warped
    away from the body (a wrap top's tie thrown across the face). Thin parts (narrower than `width_share` of the
    garment width) are dropped unless they sit on top of the body (shoulder straps stay).

    Args:
        mask: (B, 1, H, W) float in {0, 1}.
        width_share: parts narrower than this share of the garment's width are loose.

    Returns:
        (the cleaned mask (B, 1, H, W), the share of each item's mask dropped).
    """
    check_shape(mask, "mask", ("B", 1, "H", "W"))
    out, shares = [], []
    for i in range(mask.shape[0]):
        fg = (mask[i, 0].detach().cpu().numpy() > 0.5).astype(np.uint8)
        kept = _drop_loose_one(fg, width_share)
        out.append(kept)
        shares.append(float(1.0 - kept.sum() / max(int(fg.sum()), 1)))
    cleaned = torch.from_numpy(np.stack(out)[:, None].astype(np.float32)).to(mask.device, mask.dtype)
    return cleaned, tuple(shares)


#: `drop_inner_back`: a region thinner than BAND_SHARE of the garment's width is a collar band, piping or a V-neck's
#: trim, never the inside of the back (tuned on VITON-HD V-necks and a cardigan's 3.5 %-wide trim; panels >= 10 %).
BAND_SHARE = 0.06
#: `_split_trim`: a found piece of which less than this share is panel (survives the opening) is a trim; the
#: cardigan's green V trim (CatVTON, unseen) keeps 18 %, VITON-HD V-neck insides 79-97 % (11791_00, 01430_00).
TRIM_PANEL = 0.4


def _inner_back_one(img: np.ndarray, fg: np.ndarray) -> np.ndarray:
    """(H, W) bool: the inner back fabric of garment `fg` (uint8 0/1) in `img` (H, W, 3 uint8), see
    `drop_inner_back`; all False when none is found. Found in the garment's box grown by more than the reach of
    `_inner_back_in_box`'s ring around a panel (the same panels: its rules read only the garment and that ring;
    the colour distances over the whole frame were most of its cost)."""
    out = np.zeros(fg.shape, bool)
    ys, xs = nonzero_yx(fg)
    if len(ys) < 400:
        return out
    reach = 2 * max(3, int(0.01 * float(xs.max() - xs.min() + 1)) | 1) + 2  # the ring's 2 k + 1 square, and more
    y0, y1 = max(0, int(ys.min()) - reach), min(fg.shape[0], int(ys.max()) + reach + 1)
    x0, x1 = max(0, int(xs.min()) - reach), min(fg.shape[1], int(xs.max()) + reach + 1)
    box = np.s_[y0:y1, x0:x1]
    out[box] = _inner_back_in_box(np.ascontiguousarray(img[box]), np.ascontiguousarray(fg[box]))
    return out


def _inner_back_in_box(img: np.ndarray, fg: np.ndarray) -> np.ndarray:
    """`_inner_back_one` over the whole of `img`, `fg`."""
    none = np.zeros(fg.shape, bool)
    ys, xs = nonzero_yx(fg)
    if len(ys) < 400:
        return none
    y0, y1, x0, x1 = ys.min(), ys.max(), xs.min(), xs.max()
    gh, gw = float(y1 - y0 + 1), float(x1 - x0 + 1)
    lab = cv2.cvtColor(img, cv2.COLOR_RGB2LAB)  # (uint8: taken as float32 only where read, the same values)
    yy, xx = np.arange(fg.shape[0])[:, None], np.arange(fg.shape[1])[None, :]  # (broadcast, not two full grids)
    cx = float(np.median(xs[ys < y0 + 0.3 * gh]))
    front_zone = (fg > 0) & (yy > y0 + 0.45 * gh) & (yy < y0 + 0.75 * gh) & (np.abs(xx - cx) < 0.2 * gw)
    if front_zone.sum() < 100:
        return none
    front = lab[front_zone].astype(np.float32)
    mean = np.median(front, axis=0)
    spread = np.maximum(1.4826 * np.median(np.abs(front - mean), axis=0), (6.0, 3.0, 3.0))
    k = max(3, int(0.01 * gw) | 1)
    # the colour distance is read in the zone's rows and its panels' rings (k more) only
    rows = min(fg.shape[0], int(np.ceil(y0 + 0.4 * gh)) + k + 1)
    far = np.zeros(fg.shape, bool)
    # (per channel: the same sums as the broadcast against the 3-long last axis and its `sum(-1)`, 4x as fast)
    lab_rows = lab[:rows].astype(np.float32)
    z2 = [((lab_rows[..., c] - mean[c]) / spread[c]) ** 2 for c in range(3)]
    far[:rows] = np.sqrt(z2[0] + z2[1] + z2[2]) > 4.0
    dark = far.copy()
    dark[:rows] |= _in_shadow(lab_rows, front, mean, spread)
    box = (int(y0), gh, gw, cx, k)
    out = _inside_pieces(fg, far, box, min_share=0.003, deep_u=False)
    return out | _inside_pieces(fg, dark, box, min_share=SHADOW_PANEL, deep_u=True)


def _inside_pieces(
    fg: np.ndarray, far: np.ndarray, box: tuple[int, float, float, float, int], *, min_share: float, deep_u: bool
) -> np.ndarray:
    """(H, W) bool: the pieces of `far` (H, W bool: unlike the front) in the top 40 % of garment `fg` (uint8 0/1)
    that are an inside back: `min_share`..0.2 of the garment's area, at the top centre, thicker than a band,
    meeting the background only along their top and resting on the front's fabric below. `box`: (top row,
    height, width, centre column, k: the opening's and ring's size); `deep_u`: the top edge may be a deep U."""
    y0, gh, gw, cx, k = box
    n = int(np.count_nonzero(fg))
    yy = np.arange(fg.shape[0])[:, None]
    zone = (fg > 0) & far & (yy < y0 + 0.4 * gh)
    zone = cv2.morphologyEx(zone.astype(np.uint8), cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(zone, connectivity=8)
    out = np.zeros(fg.shape, bool)
    ring_k = np.ones((2 * k + 1, 2 * k + 1), np.uint8)
    for i in range(1, count):
        area = stats[i, cv2.CC_STAT_AREA]
        if not min_share * n <= area <= 0.2 * n:
            continue
        if abs(centroids[i][0] - cx) > 0.15 * gw:  # at the top centre only
            continue
        comp = labels == i
        thick = 2.0 * float(cv2.distanceTransform(comp.astype(np.uint8), cv2.DIST_L2, 3).max())
        if thick < BAND_SHARE * gw:  # a collar band or piping, not a panel seen between straps
            continue
        ring = (cv2.dilate(comp.astype(np.uint8), ring_k) > 0) & ~comp
        outside = ring & (fg == 0)
        along_top = np.broadcast_to(yy < stats[i, cv2.CC_STAT_TOP] + 0.35 * stats[i, cv2.CC_STAT_HEIGHT], comp.shape)
        if deep_u:  # a scoop back's top edge: the background lies over it, not only in its top rows
            along_top = along_top | _over(comp, 2 * k + 1)
        if outside.sum() < k or np.mean(along_top[outside]) < 0.8:
            continue  # it must meet the background only along its top (the back's edge), not at the sides
        below = ring & (yy > centroids[i][1])
        if below.sum() == 0 or np.mean((fg > 0)[below] & ~far[below]) < 0.5:
            continue  # and sit on the front's fabric (the front neckline) below
        out |= comp
    return out


#: `_in_shadow`: the front's own fabric in the shadow of the inside lies this many of its lightness spreads
#: (the robust spread of the half of the front nearest its median colour, at least 6) below the front's lightness.
SHADOW_DEPTH = 4.0
#: Pieces over this share of the garment's area are back panels (of a scoop or between straps; the Reebok crop
#: top's 12 %): they are also found in shadow (`_in_shadow`) and with a deep U for a top edge (`_over`). Smaller
#: ones follow the colour and top-rows rules only: a shirt's or jacket's back collar between its collar points
#: (Dress Code 000000_1, 000004_1: 1-2 %) is in shadow and U-topped too, and stands behind the neck when worn.
SHADOW_PANEL = 0.05


def _in_shadow(lab: np.ndarray, front: np.ndarray, mean: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels of `lab` (H, W, 3 float Lab) of the front's hue but darker than its fabric, like the
    front's fabric in shadow (the inside of the back seen through a neckline). `front` (N, 3) are the front zone's
    Lab pixels, `mean` their median, `spread` their robust spread. A big print in the front zone (the Reebok crop
    top's logo) widens `spread` until a grey inside under a white front is no longer far from it; the fabric's own
    lightness spread, from the half of the zone nearest the median, is not widened by it."""
    near = np.sqrt(((front - mean) ** 2).sum(-1))
    fabric = front[near <= np.median(near)]
    depth = SHADOW_DEPTH * max(6.0, 1.4826 * float(np.median(np.abs(fabric[:, 0] - mean[0]))))
    z2 = [((lab[..., c] - mean[c]) / spread[c]) ** 2 for c in (1, 2)]  # (per channel, as `_inner_back_in_box`)
    hue = np.sqrt(z2[0] + z2[1]) <= 4.0
    return (lab[..., 0] < mean[0] - depth) & hue


def _over(piece: np.ndarray, reach: int) -> np.ndarray:
    """(H, W) bool: the pixels with some of `piece` (H, W bool) in their column at most `reach` rows below them.
    Background there lies along the piece's top edge even where that edge curves up at its ends: a scoop back's U
    (the Reebok crop top's) reaches below the top 35 % of the piece's height."""
    out = piece.copy()
    for d in range(1, reach + 1):
        out[:-d] |= piece[d:]
    return out


def _split_trim(inner: np.ndarray, fg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(drop, trim), each (H, W) bool: the pieces of `inner` (H, W bool, `_inner_back_one`'s find in garment `fg`)
    to drop, and those that are a trim and stay garment.

    A V-neck's contrasting trim is far from the front's colour like an inside in shadow, and is found alone when the
    inside is the front's own colour (a cardigan's green V around its grey inside): cut out, the V became a ragged
    hole wider than the garment's. A piece of which less than `TRIM_PANEL` survives an opening by a disc
    `BAND_SHARE` of the garment's width across is mostly band: a trim, kept whole; the inside it frames, cut off
    from the garment by it, is dropped (`drop_inner_back`). A trim found as one piece with a shadowed inside goes
    with it, as before.
    """
    drop, trim = np.zeros(inner.shape, bool), np.zeros(inner.shape, bool)
    xs = np.nonzero(fg)[1]
    if not inner.any() or len(xs) == 0:
        return drop, trim
    d = max(3, int(round(BAND_SHARE * float(xs.max() - xs.min() + 1))) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))
    count, labels = cv2.connectedComponents(inner.astype(np.uint8), connectivity=8)
    for i in range(1, count):
        comp = labels == i
        panel = comp & (cv2.morphologyEx(comp.astype(np.uint8), cv2.MORPH_OPEN, disc) > 0)
        if panel.sum() < TRIM_PANEL * comp.sum():
            trim |= comp
        else:  # a panel goes whole: its tapering ends along a crew neck are the inside too (VITON-HD 01430_00)
            drop |= comp
    return drop, trim


#: `_trim_shadow`: a trim's pixels over this robust (MAD) Lab distance from its median colour are not the trim (set on
#: the unseen CatVTON cardigan: its dark shadow line inside the green V trim goes, the trim's own knit stays).
TRIM_OFF_COLOUR = 5.0


def _trim_shadow(img: np.ndarray, trim: np.ndarray, dropped: np.ndarray, fg: np.ndarray) -> np.ndarray:
    """(H, W) bool: the pieces of `trim` (H, W bool) unlike its colour in `img` (H, W, 3 uint8) that touch what was
    `dropped` (H, W bool, the inside the trim framed), off garment `fg`'s (uint8 0/1) outline: the inside's shadow
    along the trim, found with it because it is dark like an inside, not the trim's colour. Kept, it was a dark line
    inside the worn V."""
    out = np.zeros(trim.shape, bool)
    if trim.sum() < 20 or not dropped.any():
        return out
    lab = cv2.cvtColor(img, cv2.COLOR_RGB2LAB).astype(np.float32)
    px = lab[trim]
    mid = np.median(px, axis=0)
    spread = np.maximum(1.4826 * np.median(np.abs(px - mid), axis=0), (4.0, 2.0, 2.0))
    off = np.zeros(trim.shape, bool)
    off[trim] = np.sqrt((((px - mid) / spread) ** 2).sum(-1)) > TRIM_OFF_COLOUR
    # not at the garment's outline: a notch there read as a shoulder (`detect_garment_landmarks`)
    off &= cv2.erode(fg.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    count, labels = cv2.connectedComponents(off.astype(np.uint8), connectivity=8)
    near = cv2.dilate(dropped.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    touching = np.unique(labels[near & off])
    return np.isin(labels, touching[touching > 0])


def drop_inner_back(garment: Tensor, mask: Tensor) -> tuple[Tensor, tuple[float, ...]]:
    """Remove the garment's inner back fabric seen through a neckline or between a camisole's straps from a
    computed mask, so it is never pasted over the wearer's skin (the grey blocks between straps). It is a panel
    at the top centre of the garment, unlike the front's fabric in colour (the inside, in shadow, or a lining),
    meeting the background only along its top edge and resting on the front's neckline below; collar bands and
    piping (thinner than 6 % of the garment's width) and anything at the sides stay.

    Args:
        garment: (B, 3, H, W) float RGB in [0, 1].
        mask: (B, 1, H, W) float in {0, 1}, the computed garment mask.

    Returns:
        (the mask without the inner back (B, 1, H, W), the share of each item's mask dropped).
    """
    check_image(garment, "garment")
    check_shape(mask, "mask", (garment.shape[0], 1, *garment.shape[-2:]))
    out, shares = [], []
    for i in range(mask.shape[0]):
        fg = (mask[i, 0].detach().cpu().numpy() > 0.5).astype(np.uint8)
        img = to_uint8_hwc(garment[i])
        drop, trim = _split_trim(_inner_back_one(img, fg), fg)
        kept = fg.copy()
        if drop.any() or trim.any():
            kept[drop | trim] = 0
            kept = largest_component(kept)  # what the found pieces cut off (the inside a trim frames) goes too
            kept[trim & ~_trim_shadow(img, trim, (fg > 0) & (kept == 0) & ~trim, fg)] = 1
            kept = largest_component(kept)
        out.append(kept)
        shares.append(float(1.0 - kept.sum() / max(int(fg.sum()), 1)))
    cleaned = torch.from_numpy(np.stack(out)[:, None].astype(np.float32)).to(mask.device, mask.dtype)
    return cleaned, tuple(shares)


def garment_mask_from_image(
    garment: Tensor, *, threshold: float | None = None, border_touch_max: float = 0.5
) -> Tensor:
    """Segment a garment photographed on a plain background (product photo).

    Args:
        garment: (B, 3, H, W) float RGB in [0, 1].
        threshold: colour distance (RGB Euclidean, in [0, 1] units) above which a pixel is garment before
            refinement; None picks it from the border noise (at least 3/255).
        border_touch_max: the largest fraction of the image border the garment may cover.

    Returns:
        (B, 1, H, W) float32 in {0, 1} on the garment's device, 1 on the garment (one connected piece).

    Raises:
        ValueError naming `garment` when nothing can be separated (blank or uniform image), when the result
        is tiny, or when it touches most of the border (no plain background).
    """
    check_image(garment, "garment")
    if threshold is not None and not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold: expected a value in (0, 1) or None, got {threshold}")
    masks = [
        _mask_one(to_uint8_hwc(garment[i]), threshold=threshold, border_touch_max=border_touch_max, index=i)
        for i in range(garment.shape[0])
    ]
    out = torch.from_numpy(np.stack(masks)[:, None].astype(np.float32))
    return out.to(garment.device)


def garment_mask_from_alpha(alpha: Tensor, *, threshold: float = 0.5) -> Tensor:
    """Binarise an alpha channel into a garment mask.

    Args:
        alpha: (B, 1, H, W) float in [0, 1] (an (B, H, W) alpha is accepted too).
        threshold: alpha above this is garment.

    Returns:
        (B, 1, H, W) float in {0, 1}, dtype and device of `alpha` (float32 for non-float input).
    """
    if isinstance(alpha, Tensor) and alpha.ndim == 3:
        alpha = alpha.unsqueeze(1)
    check_shape(alpha, "alpha", ("B", 1, "H", "W"))
    dtype = alpha.dtype if alpha.is_floating_point() else torch.float32
    mask = (alpha > threshold).to(dtype)
    _check_coverage(mask, "alpha")
    return mask


def _check_coverage(mask: Tensor, name: str) -> None:
    frac = mask.flatten(1).float().mean(dim=1)
    for i, f in enumerate(frac.tolist()):
        if f < _MIN_FRACTION:
            raise ValueError(
                f"{name}[{i}]: the garment mask is empty or tiny ({100 * f:.2f} % of the image, expected >= "
                f"{100 * _MIN_FRACTION:.0f} %)"
            )
        if f > _MAX_FRACTION:
            raise ValueError(
                f"{name}[{i}]: the garment mask covers {100 * f:.1f} % of the image (expected <= "
                f"{100 * _MAX_FRACTION:.0f} %); an all-garment mask has no outline to find landmarks on"
            )


def prepare_garment_mask(
    garment: Tensor,
    mask: Tensor | None = None,
    alpha: Tensor | None = None,
    *,
    mask_name: str = "mask",
    alpha_name: str = "alpha",
) -> GarmentMask:
    """The garment mask to use: an explicit `mask` first, else `alpha`, else one computed from the image.

    Args:
        garment: (B, 3, H, W) float RGB in [0, 1].
        mask: optional (B, 1, H, W) or (B, H, W) float in [0, 1]; binarised at 0.5. Batch 1 broadcasts (R10).
        alpha: optional (B, 1, H, W) or (B, H, W) alpha of the garment image; binarised at 0.5.
        mask_name, alpha_name: the inputs' names in error messages (a node's socket names).

    Returns:
        GarmentMask with mask (B, 1, H, W) float in {0, 1} on the garment's device and the method used.

    Raises:
        ValueError naming the input when shapes disagree or a mask is empty or covers ~everything.
    """
    check_image(garment, "garment")
    b, _, h, w = garment.shape
    dtype = garment.dtype if garment.dtype == torch.float64 else torch.float32
    for method, name, m in (("explicit", mask_name, mask), ("alpha", alpha_name, alpha)):
        if m is None:
            continue
        if isinstance(m, Tensor) and m.ndim == 3:
            m = m.unsqueeze(1)
        check_mask(m, name, ("B", 1, h, w))  # a NaN mask would read as empty
        batch = check_same_batch({"garment": b, name: m.shape[0]})
        binary = (m > 0.5).to(device=garment.device, dtype=dtype)
        _check_coverage(binary, name)
        if batch != b:
            raise ValueError(f"garment: batch of {b} cannot broadcast to {name}'s batch of {batch}")
        binary = binary.expand(b, 1, h, w).contiguous()
        _LOG.debug("garment mask: using the %s mask", method)
        return GarmentMask(binary, method)
    computed = garment_mask_from_image(garment).to(dtype)
    computed, dropped = drop_loose_parts(computed)
    for i, share in enumerate(dropped):
        if share > 0:
            _LOG.info("garment[%d]: %.1f %% of the mask dropped as loose parts (ties, belts, straps)", i, 100 * share)
    computed, inner = drop_inner_back(garment, computed)
    for i, share in enumerate(inner):
        if share > 0:
            _LOG.info("garment[%d]: %.1f %% of the mask dropped as inner back fabric", i, 100 * share)
    _check_coverage(computed, "garment")
    return GarmentMask(computed, "computed", dropped, inner)


#: `clean_garment_rim`: the band inside the mask's outline that is checked, pixels at 1024 rows (the outline lies
#: mid-way through the photo's JPEG blur: a pixel or two of garment blended with the backdrop stay inside it) ...
RIM_PX = 3.0
#: ... whose pixels less than RIM_SHARE of the way from the backdrop's colour to the nearest inner garment pixel's
#: take that pixel's colour, where the two differ by at least RIM_CONTRAST (sum of |RGB| differences).
RIM_SHARE = 0.85
RIM_CONTRAST = 0.15
#: A studio photo's soft drop shadow, a pale grey seam the mask takes in, runs deeper than `RIM_PX`: pixels up to
#: SHADOW_PX inside the outline (at 1024 rows) less than SHADOW_SHARE of the way from the backdrop to the garment's
#: local mean colour (over the mask SHADOW_PX deep and more, so a black-and-white print's mean, not the white petal
#: next to them) take the nearest such deep pixel's colour. Dress Code 020720 (a black daisy print with a 4-5 px
#: shadow under its cuffs): the rim rule kept the shadow, its nearest inner pixels being shadow too, and the
#: dress's warped sleeves ended in white bands. The stricter share keeps mid-tone edge details.
SHADOW_PX = 6.0
SHADOW_SHARE = 0.5
#: A shadow deeper than that (a hem's drop shadow on a white backdrop, 8 px at 1024 rows: unseen ootd_050181_1) had
#: its inner part, the core's, kept and copied outwards: a pale line along the warped hem. A piece of pale pixels (by
#: the same test) that comes to the outline and ends within SHADOW_DEEP_PX of it takes the nearest colour of the
#: garment's pixels that are not pale (2 px inside them: not the edge's blend, which takes it too); a piece running
#: deeper, a pale part of the garment's own (a white collar, a print running to the edge), is left to the rules above.
SHADOW_DEEP_PX = 12.0
#: ... and whose pixels are a shade of the backdrop (chromaticity within SHADOW_CHROMA of its, `_chroma_off`): a light
#: motif of a print cut by the outline is not (VITON-HD 02783's light-blue motifs: 0.14 off white; that hem's shadow
#: 0.004, its blend with the navy 0.013).
SHADOW_CHROMA = 0.02
#: ... and that is somewhere at least SHADOW_DARK (0-1, mean of RGB) darker than the backdrop: the white edge of a
#: white-and-yellow striped top (VITON-HD 06429), as light as the backdrop, took its yellow stripes' colour.
SHADOW_DARK = 0.08


def clean_garment_rim(garment: Tensor, mask: Tensor) -> Tensor:
    """The garment photo with its rim's backdrop blend taken out: pixels within `RIM_PX` inside the mask's outline
    that are nearer the backdrop (the median colour just outside the mask) than `RIM_SHARE` of the way to the nearest
    pixel inside that band take that pixel's colour (a red knit on white left white flecks along its warped sleeve
    edges and cuffs, where the try-on keeps the edge hard). A rim colour of the garment's own (piping, a dark hem
    on a light garment) is farther from the backdrop than the inside and is kept. A studio drop shadow, deeper than
    the rim, takes the nearest deeper garment pixel's colour too (`SHADOW_PX`, `SHADOW_SHARE`).

    The backdrop within `RIM_PX` outside the outline then takes the colours of the garment pixels next to it:
    a warp samples bilinearly (and blurs against aliasing first), so a garment pixel that lands half a pixel from
    its outline mixes in the backdrop next to it. Where that outline lands inside the try-on, a sleeve's edge
    over the torso or the collar's top, it showed as a pale line (VITON-HD 00891 x 01260: the sleeve's underside
    outlined in white over the red knit). The mask, not these pixels, still decides where the garment is.

    Args:
        garment: (B, 3, H, W) float [0, 1].
        mask: (B or 1, 1, H, W) float [0, 1], binarised at 0.5.

    Returns:
        (B, 3, H, W) like `garment`; the input itself when nothing changes (an empty mask).
    """
    check_image(garment, "garment")
    b, _, h, w = garment.shape
    check_shape(mask, "mask", ("B", 1, h, w))
    r = max(1, round(RIM_PX * h / 1024.0))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    d = max(r + 1, round(SHADOW_PX * h / 1024.0))
    deep_disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * d + 1, 2 * d + 1))
    ring_k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (4 * r + 5, 4 * r + 5))
    deep_px = max(float(d + 1), SHADOW_DEEP_PX * h / 1024.0)
    out = garment
    masks = (mask > 0.5)[:, 0].cpu().numpy()
    for i in range(b):
        inside = masks[i if masks.shape[0] > 1 else 0].astype(np.uint8)
        bleed = (cv2.dilate(inside, np.ones((2 * r + 1, 2 * r + 1), np.uint8)) > 0) & (inside == 0)  # diagonals too
        if not inside.any() or not bleed.any():
            continue
        planes = garment[i].detach().float().cpu().numpy()  # (3, H, W)
        # (on the mask's box grown past every window the rules use, the backdrop ring's and the shadow's mean: off
        # it only the backdrop lies, the same pixels change as over the whole photo; copied channels last and
        # contiguous once: each strided pass over a channels-last view paid for that again)
        y0, y1, x0, x1 = mask_box(inside > 0, ring_k.shape[0] + 2 * deep_disc.shape[0] + 2)
        boxed = channels_last(planes[:, y0:y1, x0:x1])
        ry, rx, own = _clean_rim(boxed, inside[y0:y1, x0:x1], disc, ring_k, deep_disc, deep_px)
        ry, rx = ry + y0, rx + x0
        # each backdrop pixel the mean of the (cleaned) garment pixels in a window that reaches the outline
        by, bx = nonzero_yx(bleed)
        y0, y1, x0, x1 = by.min(), by.max() + 1, bx.min(), bx.max() + 1  # (the rim lies inside this box)
        sub = channels_last(planes[:, y0:y1, x0:x1])  # (a copy: `planes` may be a view of the caller's tensor)
        sub[ry - y0, rx - x0] = own
        k = inside[y0:y1, x0:x1].astype(np.float32)
        num = cv2.blur(sub * per_channel(k), (2 * r + 3, 2 * r + 3))
        den = cv2.blur(k, (2 * r + 3, 2 * r + 3))
        near = num[by - y0, bx - x0] / np.maximum(den[by - y0, bx - x0], 1e-6)[:, None]
        ys, xs = np.concatenate((ry, by)), np.concatenate((rx, bx))
        if out is garment:
            out = garment.clone()
        fix = torch.from_numpy(np.concatenate((own, near))).to(device=garment.device, dtype=garment.dtype).T
        out[i, :, torch.from_numpy(ys), torch.from_numpy(xs)] = fix
    return out


def _clean_rim(
    img: np.ndarray,
    inside: np.ndarray,
    disc: np.ndarray,
    ring_k: np.ndarray,
    deep_disc: np.ndarray,
    deep_px: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`clean_garment_rim`'s rim and shadow rules on one photo `img` (H, W, 3) float32 with mask `inside` (H, W)
    uint8 {0, 1}; `disc`, `ring_k` and `deep_disc` the rim's, the backdrop ring's and the shadow band's structuring
    elements, `deep_px` the deepest shadow's depth in pixels (`SHADOW_DEEP_PX`). Returns the rows (n,) and columns
    (n,) of the pixels that change and their new colours (n, 3) (n = 0: none)."""
    none = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 3), np.float32))
    inner = cv2.erode(inside, disc)
    rim = (inside > 0) & (inner == 0)
    ring = (cv2.dilate(inside, ring_k) > 0) & (inside == 0)
    if not inner.any() or not rim.any() or ring.sum() < 50:
        return none
    backdrop = np.median(every_masked(img, ring, 1), axis=0)  # (`img[ring]`, 3x faster)
    ry, rx = nonzero_yx(rim)
    iy, ix = _nearest_pixels(inner, ry, rx)
    own = img[iy, ix]
    blend = _nearer_backdrop(img[ry, rx], backdrop, own, RIM_SHARE)
    ry, rx, own = ry[blend], rx[blend], own[blend]
    shadow = _shadow_band(img, inside, deep_disc, backdrop, deep_px)
    if shadow is None:
        return ry, rx, own.astype(np.float32)
    # the shadow rule's colour where both apply: the rim rule's nearest inner pixel may be shadow itself
    sy, sx, scol = shadow
    taken = np.zeros(inside.shape, bool)
    taken[sy, sx] = True
    rest = ~taken[ry, rx]
    ys, xs = np.concatenate((sy, ry[rest])), np.concatenate((sx, rx[rest]))
    return ys, xs, np.concatenate((scol, own[rest])).astype(np.float32)


def _shadow_band(
    img: np.ndarray, inside: np.ndarray, deep_disc: np.ndarray, backdrop: np.ndarray, deep_px: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """`clean_garment_rim`'s drop-shadow rules: the pixels of the mask's outer band (`inside` (H, W) uint8 {0, 1}
    less its core, `inside` eroded by `deep_disc`: `SHADOW_PX` deep) less than `SHADOW_SHARE` of the way from
    `backdrop` (3,) to the core's local mean colour, with the nearest core pixel's colours; and the deep shadows
    (`SHADOW_DEEP_PX`, `deep_px` pixels), with the nearest colours of the garment's pixels that are not pale. Rows,
    columns and colours; None when there is no core."""
    core = cv2.erode(inside, deep_disc)
    band = (inside > 0) & (core == 0)
    if not core.any() or not band.any():
        return None
    size = 2 * deep_disc.shape[0] + 1  # a window a few print motifs wide
    weight = core.astype(np.float32)
    num, den = cv2.blur(img * per_channel(weight), (size, size)), cv2.blur(weight, (size, size))
    # (the band and the core's pixels down to a little past a deep shadow: their nearest core pixel, its local mean)
    depth = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    zone = band | ((depth > 0) & (depth <= deep_px + 2.0))
    zy, zx = nonzero_yx(zone)
    cy, cx = _nearest_pixels(core, zy, zx)
    local = num[cy, cx] / np.maximum(den[cy, cx], 1e-6)[:, None]  # (the mean at those pixels only)
    pale = _nearer_backdrop(img[zy, zx], backdrop, local, SHADOW_SHARE)
    in_band = band[zy, zx]
    pale_band = pale & in_band
    by, bx, bcol = zy[pale_band], zx[pale_band], img[cy[pale_band], cx[pale_band]]
    # the deep shadows: pale pixels that are a shade of the backdrop within `deep_px` of the outline, farther than
    # that from any such pixel deeper (a pale part of the garment's own: a white collar, a print running to the
    # edge), joined to the outline through such pixels (a pale button near the edge stays). (Pieces reaching deeper
    # left out whole: a hem's shadow joined the white print at the side along the outline's pale ring.)
    at = depth[zy, zx]
    shade = pale.copy()
    shade[pale] = _chroma_off(img[zy[pale], zx[pale]], backdrop) < SHADOW_CHROMA  # (a print's motif is no shade)
    shallow = shade & (at <= deep_px)
    if not (shallow & ~in_band).any():  # (none deeper than the band: the band rule has it all)
        return by, bx, bcol
    deeper = np.zeros(inside.shape, np.uint8)
    deeper[zy[shade & (at > deep_px)], zx[shade & (at > deep_px)]] = 1
    if deeper.any():
        shallow &= cv2.distanceTransform(1 - deeper, cv2.DIST_L2, 3)[zy, zx] > deep_px
    pieces = np.zeros(inside.shape, np.uint8)
    pieces[zy[shallow], zx[shallow]] = 1
    count, labels = cv2.connectedComponents(pieces, connectivity=8)
    iy, ix = zy[shallow], zx[shallow]
    piece = labels[iy, ix]
    shadow = np.zeros(count, bool)
    shadow[piece[at[shallow] <= 1.5]] = True
    dark = np.zeros(count, bool)  # (a shadow darkens the backdrop: a white part of a pale garment is as light)
    dark[piece[img[iy, ix].mean(-1) < float(np.mean(backdrop)) - SHADOW_DARK]] = True
    shadow &= dark
    shadow[0] = False
    taken = shadow[piece]
    if not taken.any():
        return by, bx, bcol
    # their colour: the nearest garment pixel's that is not pale, 2 px inside those (the edge's blend with the
    # shadow, mid-grey, copied over it was a grey line along the hem); the outline's ring and that blend beside a
    # shadow take it too
    # (on the shadows' box grown past the deepest of them: a hem's is a thin strip; over the mask's, 8 ms)
    taken_map = np.zeros(inside.shape, np.uint8)
    taken_map[iy[taken], ix[taken]] = 1
    y0, y1, x0, x1 = mask_box(taken_map > 0, round(2 * deep_px) + 6)
    pale_map = np.zeros(inside.shape, np.uint8)
    pale_map[zy[pale], zx[pale]] = 1
    solid = cv2.erode(cv2.subtract(inside[y0:y1, x0:x1], pale_map[y0:y1, x0:x1]), np.ones((5, 5), np.uint8))
    if not solid.any():
        return by, bx, bcol
    box = taken_map[y0:y1, x0:x1]  # (a view: the ring and the blend join the shadows in `taken_map` too)
    box |= cv2.dilate(box, np.ones((5, 5), np.uint8)) & inside[y0:y1, x0:x1] & (solid == 0)
    sy, sx = nonzero_yx(box)
    ny, nx = _nearest_pixels(solid, sy, sx)
    sy, sx, ny, nx = sy + y0, sx + x0, ny + y0, nx + x0
    rest = taken_map[by, bx] == 0
    return (
        np.concatenate((sy, by[rest])),
        np.concatenate((sx, bx[rest])),
        np.concatenate((img[ny, nx], bcol[rest])),
    )


def _nearest_pixels(region: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows (n,), columns (n,)) of the pixel of `region` (H, W) uint8 {0, 1} nearest each of the n pixels at `ys`,
    `xs` (from their flat indices: a 2D nonzero over the whole region took twice as long)."""
    _, nearest = cv2.distanceTransformWithLabels(1 - region, cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL)
    return np.divmod(np.flatnonzero(region)[nearest[ys, xs] - 1], region.shape[1])


def _nearer_backdrop(px: np.ndarray, backdrop: np.ndarray, colour: np.ndarray, share: float) -> np.ndarray:
    """(n,) bool: the pixels `px` (n, 3) less than `share` of the way from `backdrop` (3,) to their garment
    `colour` (n, 3), projected on that line, where the two differ by at least `RIM_CONTRAST` (a garment of the
    backdrop's colour has no rim to clean)."""
    span = colour - backdrop
    # (`channel_sum`: NumPy's sums over the 3-long last axis, as fast whole-array additions)
    along = channel_sum((px - backdrop) * span) / np.maximum(channel_sum(span * span), 1e-6)
    return (along < share) & (channel_sum(np.abs(span)) >= RIM_CONTRAST)


#: `drop_backdrop_shade`: a flat-lay lower garment casts a shadow on the backdrop, a neutral grey a shade of it: into
#: the narrow gap between its legs (unseen ootd_051946_1, pink jeans on white: 213-246 grey, 30-75 off the backdrop
#: where the legs are 130-170 off) and along its sides (a ramp ~8 px wide, 16-48 off). The threshold takes it in:
#: the gap's top closed and the crotch was found ~90 px low (at 1024 rows), the try-on pasting the grey wedge as a
#: white slit under the crotch, and the sides' ramp, recoloured by `clean_garment_rim` from the nearest fabric row
#: by row, came out as streaks along the legs' outer edges. Below the top tenth of the garment (SHADE_BELOW: the
#: waistband's inside stays), pixels darker than the backdrop, their chromaticity within SHADE_NEUTRAL of its
#: (`_chroma_off`: the pink is 0.14 off, its blend with the grey 0.02-0.04) and their distance to it under
#: SHADE_SHARE of the garment's median, joined to the backdrop through such pixels, are backdrop. Only on a garment of
#: a colour of its own, less than SHADE_OWN of it a neutral shade: grey, black or white fabric is a shade of the
#: backdrop too (unseen ootd_051517_1, black flowers on a cream ground: 0.015 off, 10-20 off the white backdrop,
#: the whole ground was cut away), and keeps its mask as it was.
SHADE_NEUTRAL = 0.02
SHADE_SHARE = 0.6
SHADE_OWN = 0.1
SHADE_BELOW = 0.1
SHADE_FLAT = 8.0  # ... or, lighter or darker, within this of the backdrop (0-255): the backdrop itself, closed in
# the gap's top (camouflage 051515: a white wedge 60 px tall, a level or two lighter than the ring's median)
SHADE_MARGIN = 8  # px of backdrop around the garment's box (the ring the backdrop's colour is read in)
SHADE_SAMPLE = 20000  # the garment's colours read on about this many of its pixels


def drop_backdrop_shade(garment: Tensor, mask: Tensor) -> Tensor:
    """`mask` without the shadow a flat-lay lower garment casts on its backdrop (`SHADE_NEUTRAL`, `SHADE_SHARE`).

    Args:
        garment: (B, 3, H, W) float RGB [0, 1].
        mask: (B or 1, 1, H, W) float {0, 1}, 1 on the garment (trousers, shorts, a skirt).

    Returns:
        (B, 1, H, W) float {0, 1}, dtype and device of `mask`: a subset of it (one connected piece).
    """
    out = mask.expand(garment.shape[0], -1, -1, -1).clone()
    for i in range(out.shape[0]):
        fg = above_half(out[i, 0])
        if not fg.any():
            continue
        # (on the garment's box: the whole photo's blur, distances and labelling cost ~5x as much)
        y0, y1, x0, x1 = mask_box(fg, SHADE_MARGIN)
        box = fg[y0:y1, x0:x1]
        cut = _backdrop_shade(to_uint8_hwc(garment[i, :, y0:y1, x0:x1]), box)
        if cut.any():
            kept = np.zeros_like(fg)
            kept[y0:y1, x0:x1] = largest_component(box & ~cut)
            out[i, 0] = torch.from_numpy(kept.astype(np.float32)).to(out)
    return out


def _backdrop_shade(img: np.ndarray, fg: np.ndarray) -> np.ndarray:
    """(h, w) bool: the pixels of `fg` (h, w bool, the garment with a margin of backdrop around it) that are the
    backdrop's shade joined to the backdrop in `img` (h, w, 3 uint8 RGB); see `drop_backdrop_shade`."""
    blur = _blur_size(img)
    blurred = cv2.GaussianBlur(img, (blur, blur), 0)
    square = np.ones((7, 7), np.uint8)
    u8 = fg.astype(np.uint8)
    ring = (cv2.dilate(u8, square) > 0) & ~fg
    inside = cv2.erode(u8, square) > 0
    if not ring.any() or not inside.any():
        return np.zeros_like(fg)
    step = max(1, int(np.count_nonzero(inside)) // SHADE_SAMPLE)
    bg = np.median(every_masked(blurred, ring, max(1, step // 8)), axis=0).astype(np.float32)
    sample = every_masked(blurred, inside, step).astype(np.float32)
    if float(np.mean(_chroma_off(sample, bg) < SHADE_NEUTRAL)) >= SHADE_OWN:  # (grey, black, white: its own)
        return np.zeros_like(fg)
    share = SHADE_SHARE * float(np.median(np.linalg.norm(sample - bg, axis=-1)))
    dist = _colour_distance(blurred, bg)
    shade = fg & (dist < share) & ((channel_sum(blurred.astype(np.float32)) < bg.sum()) | (dist < SHADE_FLAT))
    ys, xs = nonzero_yx(shade)  # (the chromaticity only there: over the whole box it cost ~30 ms)
    shade[ys, xs] = _chroma_off(blurred[ys, xs], bg) < SHADE_NEUTRAL
    rows = np.nonzero(fg.any(1))[0]
    shade[: rows[0] + max(1, round(SHADE_BELOW * (rows[-1] - rows[0] + 1)))] = False
    count, labels = cv2.connectedComponents((shade | ~fg).astype(np.uint8), connectivity=4)
    joined = np.zeros(count, bool)
    joined[np.unique(labels[~fg])] = True
    joined[0] = False
    return joined[labels] & shade
