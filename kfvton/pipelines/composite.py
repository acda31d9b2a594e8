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
       them (a garment smaller than the old one, or shorter sleeves), they are filled from their surroundings,
       at 1/`FILL_SCALE` resolution (upsampled; the paint mask's edges stay full-res):
       - background or body: per pixel, whichever seed is nearer: background blocks (label 0) or body blocks
         (arms, neck, face, lower body; plus, with a pose in `keypoints`, its neck-shoulder-elbow-wrist bones drawn
         `BONE_WIDTH` shoulder widths thick and the shoulder-hip quadrilateral), soft over `FILL_EDGE_PX`. So a
         loose old top gives way to the background beside the body, and to skin at the shoulders, under removed
         sleeves and between a short new hem and the trousers.
       - background colour: that of the nearest background block, lightly blurred.
       - skin colour: the person's skin model (median of the arm, neck and face pixels whose chromaticity matches
         the face's, `_skin_like`: VITON-HD parses label long sleeves as arms and turtlenecks as neck; the neutral
         (0.80, 0.64, 0.54) when < 50 such pixels), pulled within ~`FILL_SOFT_PX` of visible skin towards its local
         colour (no seam at the arm or neck), times the old clothes' low-passed luminance (+-`SHADING`), so folds
         and shadows carry over but not prints or lace.
       Only a parse map tells where old clothes are, so without one nothing is painted. Still a fill, not
       generative inpainting: bare arms and skin are smooth.
    4. alpha and the paint mask are feathered with a Gaussian blur of `feather_px` (soft edges; alpha only inwards,
       blur x alpha, so no garment-photo background shows outside the garment's outline; paint only outwards,
       max(paint, blur), so no fringe of old clothes is left), then
       out = person * (1 - paint) + fill * paint, out = out * (1 - alpha) + garment * alpha.
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

__all__ = [
    "Composite",
    "composite_garment",
    "NEUTRAL_SKIN",
    "TORSO_LANDMARKS",
    "CompositeLabels",
    "UPPER_LABELS",
    "LOWER_LABELS",
    "DRESS_LABELS",
]

#: Fill colour (RGB, [0, 1]) when no skin is visible in the parse map.
NEUTRAL_SKIN: tuple[float, float, float] = (0.80, 0.64, 0.54)
#: Arms stay in front of the garment only inside this fraction of the torso polygon's width: an arm hanging at
#: the body's side is under the sleeve and the torso's side seam; one crossing the chest or belly is in front.
ARMS_FRONT_WIDTH = 0.7
#: How much of the old clothes' shading the fill keeps (relative luminance change at two standard deviations).
SHADING = 0.25
#: The fill is computed at 1/FILL_SCALE of the resolution and upsampled (the paint mask's edges stay full-res).
FILL_SCALE = 4
#: Width (full-res pixels) of the soft change from skin to background in the fill.
FILL_EDGE_PX = 6.0
#: Reach (full-res pixels) of the pull of the skin fill towards the colour of the visible skin next to it.
FILL_SOFT_PX = 12.0
#: Thickness of the pose's bones in the fill's body prior, in shoulder widths (about an upper arm's width).
BONE_WIDTH = 0.22
#: Arm / neck pixels count as skin when their chromaticity (rgb / sum) is within this of the face's, per channel.
SKIN_TOLERANCE = 0.04
_SKIN_LABELS = (*VITONHD_ARMS, 10, 13)
#: Outline of the garment's torso, in order around it (wearer's right side first).
TORSO_LANDMARKS = (
    "collar_right", "shoulder_right", "armpit_right", "hem_right", "hem_center", "hem_left",
    "armpit_left", "shoulder_left", "collar_left", "collar_center",
)  # fmt: skip


_LEG_BONES = ((9, 10), (10, 11), (12, 13), (13, 14))


@dataclass(frozen=True)
class CompositeLabels:
    """Which parse labels (LIP-20 / VITON-HD ids) play which part in `composite_garment`, per garment category.

    Attributes:
        front: kept in front of the garment everywhere.
        arms: kept in front only inside the garment's torso polygon (when the pairs name its torso landmarks).
        old: the clothes the garment replaces: painted over where the garment does not cover them.
        skin: skin samples (the fill's skin colour) and skin seeds.
        lower: body seeds of the fill besides `skin` (legs, socks, shoes).
        bones: BODY_25 joint pairs drawn as body seeds of the fill (`BONE_WIDTH` shoulder widths thick).
    """

    front: tuple[int, ...]
    arms: tuple[int, ...]
    old: tuple[int, ...]
    skin: tuple[int, ...]
    lower: tuple[int, ...]
    bones: tuple[tuple[int, int], ...]


_OUTFIT_FRONT = (3, 11, 10)  # glove, scarf, neck
#: Upper garments (the default): head and lower body in front, arms by the torso rule, old tops painted.
UPPER_LABELS = CompositeLabels(
    front=(*VITONHD_HEAD, *VITONHD_LOWER_BODY),
    arms=VITONHD_ARMS,
    old=VITONHD_UPPER_CLOTHES,
    skin=_SKIN_LABELS,
    lower=VITONHD_LOWER_BODY,
    bones=((1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (6, 7)),
)
#: Trousers, shorts, skirts: head, shoes, the top (over the waistband; `tuck` relabels it) and arms/hands in
#: front; old trousers and skirts painted: legs in skin tone along the leg bones, background between the legs.
LOWER_LABELS = CompositeLabels(
    front=(*VITONHD_HEAD, *_OUTFIT_FRONT, 5, 6, 7, 18, 19),
    arms=VITONHD_ARMS,
    old=(9, 12),
    skin=(*VITONHD_ARMS, 10, 13, 16, 17),
    lower=(8, 16, 17, 18, 19),
    bones=(*UPPER_LABELS.bones, *_LEG_BONES),
)
#: Dresses: head and shoes in front, arms by the torso rule; every old top, dress, trousers and skirt painted.
DRESS_LABELS = CompositeLabels(
    front=(*VITONHD_HEAD, *_OUTFIT_FRONT, 18, 19),
    arms=VITONHD_ARMS,
    old=(5, 6, 7, 9, 12),
    skin=(*VITONHD_ARMS, 10, 13, 16, 17),
    lower=(8, 16, 17, 18, 19),
    bones=(*UPPER_LABELS.bones, *_LEG_BONES),
)


@dataclass(frozen=True)
class Composite:
    """Result of `composite_garment`.

    Attributes:
        image: (B, 3, H, W) float [0, 1], the person wearing the garment.
        alpha: (B, 1, H, W) float [0, 1], the feathered garment alpha that was used.
        painted: (B, 1, H, W) float [0, 1] where old clothes were painted with `skin`, or None without a parse.
        skin: (B, 3) the person's skin colour (the fill's skin model) per item, or None without a parse.
        background: (B, 1, H, W) float [0, 1], how much of the fill is background (the rest is skin), or None
            without a parse.
    """

    image: Tensor
    alpha: Tensor
    painted: Tensor | None = None
    skin: Tensor | None = None
    background: Tensor | None = None


def composite_garment(
    person: Tensor,
    warped_garment: Tensor,
    warped_mask: Tensor,
    *,
    parse: Tensor | None = None,
    keypoints: KeypointPairs | None = None,
    feather_px: float = 1.5,
    labels: CompositeLabels | None = None,
) -> Composite:
    """Blend a warped garment into the person image (rules in the module docstring).

    Args:
        person: (B or 1, 3, H, W) float [0, 1].
        warped_garment: (B or 1, 3, H, W) float [0, 1], the garment in the person frame.
        warped_mask: (B or 1, 1, H, W) float [0, 1].
        parse: optional (B or 1, H, W) int64 LIP-20 / VITON-HD labels of the person.
        keypoints: optional pairs whose person targets outline the garment torso (for the arms rule).
        feather_px: Gaussian sigma of the soft edge, pixels; 0 for hard edges.
        labels: which labels are kept in front / replaced / skin, per garment category (`UPPER_LABELS`,
            `LOWER_LABELS`, `DRESS_LABELS`); None = `UPPER_LABELS` (the rules above).
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

    painted = skin = background = None
    table = UPPER_LABELS if labels is None else labels
    if parse is not None:
        codes = _codes(broadcast_batch(parse, b, "parse").to(person.device), table)
        keep = (codes & _FRONT) > 0
        arms = (codes & _ARM) > 0
        if keypoints is not None:
            arms = arms & _torso_polygon(keypoints, b, (h, w), person.device)
        keep = (keep | arms).unsqueeze(1)
        alpha = alpha.masked_fill(keep, 0.0)
        old = ((codes & _OLD) > 0).unsqueeze(1)
        skin = _skin_colour(person, codes)
        paint = (old & (alpha <= 0.5)).to(person.dtype)
        paint = torch.maximum(paint, _feather_fixed(paint, feather_px))  # soft outwards only: no old-clothes fringe
        fill, background = _fill(person, codes, skin, keypoints, table.bones)
        person = torch.lerp(person, fill, paint)
        painted = paint
    alpha = _feather(alpha, feather_px) * alpha  # soft inwards only: no background from outside the garment
    image = torch.lerp(person, garment, alpha)
    return Composite(image=image, alpha=alpha, painted=painted, skin=skin, background=background)


_FRONT, _ARM, _OLD, _SKIN, _BACKGROUND, _LOWER, _FACE = 1, 2, 4, 8, 16, 32, 64
#: BODY_25 joints whose segments (neck - shoulder - elbow - wrist, both sides) are body seeds of the fill: an arm
#: under a removed sleeve, or a shoulder under a removed wider top, is skin along its bone even where the old clothes
#: also touched the background.
_BONES = ((1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (6, 7))


def _codes(labels: Tensor, table: CompositeLabels) -> Tensor:
    """(B, H, W) labels -> uint8 bit codes (front, arm, old clothes, skin, background, lower body, face) with one
    table lookup."""
    lut = torch.zeros(256, dtype=torch.uint8, device=labels.device)
    for values, bit in (
        (table.front, _FRONT),
        (table.arms, _ARM),
        (table.old, _OLD),
        (table.skin, _SKIN),
        ((0,), _BACKGROUND),
        (table.lower, _LOWER),
        ((13,), _FACE),
    ):
        lut[list(values)] |= bit
    return lut[labels.clamp(0, 255).long()]


def _fill(
    person: Tensor, codes: Tensor, skin: Tensor, keypoints: KeypointPairs | None, bones: tuple[tuple[int, int], ...]
) -> tuple[Tensor, Tensor]:
    """The colour that replaces uncovered old clothes, computed at 1/`FILL_SCALE` resolution and upsampled.

    Returns (fill (B, 3, H, W), background (B, 1, H, W) in [0, 1], the weight of the background colour in it).
    Per pixel: background weight from which seed is nearer (background blocks vs. body blocks: arms, neck, face,
    lower body, plus the pose's body prior `_body_prior`), soft over `FILL_EDGE_PX`; background colour = the nearest background
    block's colour, blurred; skin colour = `skin` with the old clothes' low-passed shading (+-`SHADING`), pulled
    towards the nearest skin-coloured block's own colour close to it (within ~`FILL_SOFT_PX`).
    """
    b, _, h, w = person.shape
    hs, ws = -(-h // FILL_SCALE), -(-w // FILL_SCALE)
    small = F.interpolate(person.detach().float(), size=(hs, ws), mode="area").cpu().numpy().transpose(0, 2, 3, 1)
    # per 4x4 block: the label bits all its pixels share (bit 128: any body label), and those any pixel has
    codes_np = codes.cpu().numpy()
    codes_np = codes_np | (((codes_np & (_SKIN | _ARM | _LOWER)) > 0).astype(np.uint8) << 7)
    codes_np = np.pad(codes_np, ((0, 0), (0, hs * FILL_SCALE - h), (0, ws * FILL_SCALE - w)), mode="edge")
    every, some = codes_np[:, ::FILL_SCALE, ::FILL_SCALE].copy(), codes_np[:, ::FILL_SCALE, ::FILL_SCALE].copy()
    for dy in range(FILL_SCALE):
        for dx in range(FILL_SCALE):
            every &= codes_np[:, dy::FILL_SCALE, dx::FILL_SCALE]
            some |= codes_np[:, dy::FILL_SCALE, dx::FILL_SCALE]
    skin_np = skin.detach().float().cpu().numpy()
    soft = FILL_SOFT_PX / FILL_SCALE
    fills, weights = [], []
    for i in range(b):
        img = np.ascontiguousarray(small[i])
        bg_seed = (every[i] & _BACKGROUND) > 0
        body = ((every[i] & 128) > 0).astype(np.uint8)
        prior = _body_prior(keypoints, i, (h, w), FILL_SCALE, bones)
        if prior is not None:
            body |= prior
        d_bg, bg_colour = _nearest(img, bg_seed)
        d_body, _ = _nearest(img, body > 0, colour=False)
        if np.isinf(d_bg).all():
            weight = np.zeros((hs, ws), np.float32)
        else:
            weight = np.clip(0.5 + (np.minimum(d_body, 1e4) - d_bg) * (FILL_SCALE / (2 * FILL_EDGE_PX)), 0.0, 1.0)
            weight = cv2.GaussianBlur(weight.astype(np.float32), (0, 0), 1.0)  # a smooth contour, not a Voronoi one
        # skin: the person's own skin model, shaded like the old clothes (low-passed: folds, not prints or lace),
        # and near visible skin its local colour, so the fill meets the arm or neck without a seam
        skin_px = ((every[i] & _SKIN) > 0) & _skin_like(img, skin_np[i])
        d_skin, skin_local = _nearest(img, skin_px)
        near = np.exp(-d_skin / soft)[..., None]
        shade = _shading_small(img, (some[i] & _OLD) > 0)[..., None]
        skin_fill = (skin_np[i] * (1 - near) + skin_local * near) * shade
        fill = np.clip(skin_fill * (1 - weight[..., None]) + bg_colour * weight[..., None], 0, 1).astype(np.float32)
        fills.append(cv2.resize(fill, (w, h), interpolation=cv2.INTER_LINEAR))
        weights.append(cv2.resize(weight, (w, h), interpolation=cv2.INTER_LINEAR))
    fill = torch.from_numpy(np.stack(fills)).permute(0, 3, 1, 2).to(device=person.device, dtype=person.dtype)
    weight = torch.from_numpy(np.stack(weights)).unsqueeze(1).to(device=person.device, dtype=person.dtype)
    return fill, weight


def _nearest(img: np.ndarray, seed: np.ndarray, colour: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Distance (pixels) to the nearest `seed` pixel and (with `colour`) that pixel's colour, lightly blurred (a
    Voronoi fill has streaks); inf distance and zeros where there is no seed."""
    if not seed.any():
        return np.full(seed.shape, np.inf, np.float32), np.zeros_like(img)
    if not colour:
        return cv2.distanceTransform((~seed).astype(np.uint8), cv2.DIST_L2, 5), None
    dist, labels = cv2.distanceTransformWithLabels(
        (~seed).astype(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    ys, xs = np.nonzero(seed)
    table = np.zeros((int(labels.max()) + 1, 3), np.float32)
    table[labels[ys, xs]] = img[ys, xs]
    colour = cv2.GaussianBlur(table[labels], (0, 0), 1.5)
    return dist, colour


def _shading_small(img: np.ndarray, region: np.ndarray) -> np.ndarray:
    """(h, w) factor in [1 - SHADING, 1 + SHADING / 2]: the old clothes' low-passed luminance relative to its mean
    over `region` (5x5 median, then Gaussian sigma 1.5), so the fill keeps the folds and shadows of what it covers,
    not its print or logo."""
    luma = cv2.medianBlur(np.ascontiguousarray(img @ np.array([0.299, 0.587, 0.114], np.float32)), 5)  # no logos
    luma = cv2.GaussianBlur(luma, (0, 0), 1.5)
    if not region.any():
        return np.ones_like(luma)
    values = luma[region]
    mean, spread = values.mean(), values.std()
    return np.clip(1 + SHADING * (luma - mean) / (2 * spread + 0.05), 1 - SHADING, 1 + SHADING / 2)


def _body_prior(
    keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int], scale: int, bones: tuple[tuple[int, int], ...]
) -> np.ndarray | None:
    """(h / scale, w / scale) uint8 mask of where the pose of batch item `i` says the body is: the `_BONES` segments
    drawn `BONE_WIDTH` shoulder widths thick, and the shoulder-hip quadrilateral; None without a pose."""
    if keypoints is None or keypoints.pose is None:
        return None
    pose = keypoints.pose
    joints = pose.joints[i if pose.joints.shape[0] > 1 else 0].detach().cpu().double().numpy()
    xy = joints[:, :2] * np.array([size_hw[1] / pose.canvas_hw[1], size_hw[0] / pose.canvas_hw[0]]) / scale
    ok = joints[:, 2] > 0
    out = np.zeros((-(-size_hw[0] // scale), -(-size_hw[1] // scale)), np.uint8)
    width = np.linalg.norm(xy[2] - xy[5]) if ok[2] and ok[5] else 0.0
    thick = max(1, round(BONE_WIDTH * width))
    for a, c in bones:
        if ok[a] and ok[c]:
            cv2.line(out, tuple(np.round(xy[a]).astype(int)), tuple(np.round(xy[c]).astype(int)), 1, thick)
    if ok[[2, 5, 12, 9]].all():  # right shoulder, left shoulder, left hip, right hip
        cv2.fillPoly(out, [np.round(xy[[2, 5, 12, 9]]).astype(np.int32)], 1)
    return out


def _skin_colour(person: Tensor, codes: Tensor) -> Tensor:
    """(B, 3) median colour of the visible skin (every 4th row and column): arms, neck and face pixels `_skin_like`
    the face's median (VITON-HD parses label long sleeves as arms and turtlenecks as neck), all of them when < 50
    face pixels; `NEUTRAL_SKIN` when < 50 remain."""
    out = []
    sub = codes[:, ::4, ::4].cpu().numpy()
    img = person[:, :, ::4, ::4].detach().float().cpu().numpy().transpose(0, 2, 3, 1)
    for i in range(person.shape[0]):
        px = img[i][(sub[i] & _SKIN) > 0]
        face = img[i][(sub[i] & _FACE) > 0]
        if len(face) >= 50 and len(px) > 0:
            px = px[_skin_like(px, np.median(face, axis=0))]
        out.append(np.median(px, axis=0) if len(px) >= 50 else np.array(NEUTRAL_SKIN))
    return torch.from_numpy(np.stack(out)).to(device=person.device, dtype=person.dtype)


def _skin_like(px: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """(...,) bool: colours (..., 3) with the chromaticity of `ref` (rgb / sum within `SKIN_TOLERANCE`) and a
    luminance within 0.6 .. 1.4 times its own: skin in light or shadow, not a sleeve or a turtleneck."""
    total = px.sum(axis=-1, keepdims=True) + 1e-3
    ref_total = float(ref.sum()) + 1e-3
    chroma = np.abs(px / total - ref / ref_total).max(axis=-1) < SKIN_TOLERANCE
    ratio = total[..., 0] / ref_total
    return chroma & (ratio > 0.6) & (ratio < 1.4)


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


def _feather_fixed(mask: Tensor, sigma: float) -> Tensor:
    """`_feather` for a mask that needs no gradient (the paint mask), with OpenCV's box filter (several times
    faster on CPU; borders replicate instead of averaging fewer pixels, which no paint touches in practice)."""
    passes = round(1.5 * sigma * sigma)
    if passes == 0:
        return mask
    out = mask.detach().float().cpu().numpy().copy()
    for i in range(out.shape[0]):
        for _ in range(passes):
            out[i, 0] = cv2.blur(out[i, 0], (3, 3), borderType=cv2.BORDER_REPLICATE)
    return torch.from_numpy(out).to(device=mask.device, dtype=mask.dtype)


def _feather(mask: Tensor, sigma: float) -> Tensor:
    """Blur a (B, 1, H, W) mask with repeated 3x3 box filters, ~ a Gaussian of `sigma` (each pass adds a variance
    of 2/3 px^2); differentiable, and much faster on CPU than a Gaussian convolution. Identity for sigma 0."""
    passes = round(1.5 * sigma * sigma)
    for _ in range(passes):
        mask = F.avg_pool2d(mask, 3, stride=1, padding=1, count_include_pad=False)
    return mask
