"""The inputs the KF-VTON networks read, built from what a user has: person, garment, garment mask, pose, parse.

Everything here works at the network's working size (256x192 by default): the person photo, its parse and pose are
resized first, then the clothing-agnostic person, the agnostic parse, the rendered pose and the garment on the grey
canvas are made at that size. `build_network_inputs` builds the complete set; each piece is also a function of its
own (the ComfyUI input-builder nodes call them one by one). The label layouts the networks read
(`PARSE14_CLASSES`, `PARSE7_CLASSES`) are in `parse_labels`, the pose rendering in `keypoints.draw`.

Convention:
    Image tensors handed to the networks are in [-1, 1] (`x * 2 - 1` of the library's [0, 1] images); the grey of
    the agnostic region and of the garment canvas is 128/255 in [0, 1] (VITON-HD's "gray"), 1/255 in [-1, 1].
    Pixel coordinates put pixel centres at integers (`kfvton.geometry.grid`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np
import torch
from torch import Tensor

from .._checks import broadcast_batch, check_image, check_same_batch, check_shape
from ..geometry.grid import px_to_norm, resize_labels, resize_to
from ..geometry.warp import sample_grid
from ..keypoints.draw import render_pose
from ..keypoints.pose import Pose, joint_index
from .parse_labels import (
    KFVTON_UPPER_CLOTHES,
    LIP_LABELS,
    PARSE7_CLASSES,
    PARSE14_CLASSES,
    VITONHD_HEAD,
    VITONHD_LOWER_BODY,
    VITONHD_NECK,
    VITONHD_UPPER_CLOTHES,
    check_label_map,
    lip_to_parse14,
    one_hot,
    parse14_to_parse7,
)

__all__ = [
    "GREY",
    "DEFAULT_SIZE_HW",
    "NetworkInputs",
    "ResizedPerson",
    "AgnosticRegion",
    "GarmentCanvas",
    "build_network_inputs",
    "agnostic_region",
    "NETWORK_CATEGORIES",
    "garment_as_upper",
    "LEG_BAND",
    "parse_agnostic",
    "image_agnostic",
    "garment_on_grey",
    "resize_person",
    "to_network_range",
    "from_network_range",
]

log = logging.getLogger("kfvton")

#: Fill value of the removed region and of the garment canvas, [0, 1] range (128 / 255 as in VITON-HD).
GREY: float = 128.0 / 255.0
#: The networks' training resolution (H, W).
DEFAULT_SIZE_HW: tuple[int, int] = (256, 192)

_NECK = VITONHD_NECK[0]
#: Garment categories of the network inputs: which clothes the garment replaces.
NETWORK_CATEGORIES: tuple[str, ...] = ("upper", "lower", "dress")
_LEGS = ((16, ("left_hip", "left_knee", "left_ankle")), (17, ("right_hip", "right_knee", "right_ankle")))
_ARMS = ((14, ("left_shoulder", "left_elbow", "left_wrist")), (15, ("right_shoulder", "right_elbow", "right_wrist")))


@dataclass(frozen=True)
class NetworkInputs:
    """Every tensor the KF-VTON networks (and their training) read, at one working size.

    Attributes:
        person: (B, 3, H, W) float in [-1, 1], the person photo resized (the training target).
        agnostic: (B, 3, H, W) float in [-1, 1], the person with upper clothes, arms and neck greyed out.
        parse14: (B, 14, H, W) float one-hot, the full person parse in `PARSE14_CLASSES`.
        parse_agnostic14: (B, 14, H, W) float one-hot, the agnostic parse in `PARSE14_CLASSES`.
        parse7: (B, 7, H, W) float one-hot, the full person parse in `PARSE7_CLASSES` (training's gen_parse).
        parse_agnostic7: (B, 7, H, W) float one-hot, the agnostic parse in `PARSE7_CLASSES`.
        pose_image: (B, 3, H, W) float in [-1, 1], the OpenPose-style skeleton on black (-1).
        garment: (B, 3, H, W) float in [-1, 1], the garment fitted into the person's upper-body box on grey.
        garment_mask: (B, 1, H, W) float in [0, 1], where `garment` shows the garment.
        person_clothes_mask: (B, 1, H, W) float {0, 1}, the person's upper-clothes region (class "upper").
        pose: the person pose in the working frame (pixels of `size_hw`).
        size_hw: (H, W) working size.
    """

    person: Tensor
    agnostic: Tensor
    parse14: Tensor
    parse_agnostic14: Tensor
    parse7: Tensor
    parse_agnostic7: Tensor
    pose_image: Tensor
    garment: Tensor
    garment_mask: Tensor
    person_clothes_mask: Tensor
    pose: Pose
    size_hw: tuple[int, int]

    @property
    def batch_size(self) -> int:
        return int(self.person.shape[0])

    @property
    def seg_condition(self) -> Tensor:
        """(B, 13, H, W): agnostic image, 7-class agnostic parse, pose image -- the seg generator's person input."""
        return torch.cat((self.agnostic, self.parse_agnostic7, self.pose_image), dim=1)

    def to(self, device: torch.device | str | None = None, dtype: torch.dtype | None = None) -> NetworkInputs:
        """Move every tensor (float tensors also cast to `dtype` when given)."""
        moved = {
            name: getattr(self, name).to(device=device, dtype=dtype)
            for name in (
                "person", "agnostic", "parse14", "parse_agnostic14", "parse7", "parse_agnostic7", "pose_image",
                "garment", "garment_mask", "person_clothes_mask",
            )
        }  # fmt: skip
        return NetworkInputs(**moved, pose=self.pose.to(device), size_hw=self.size_hw)


def to_network_range(image: Tensor) -> Tensor:
    """[0, 1] -> [-1, 1]."""
    return image * 2.0 - 1.0


def from_network_range(image: Tensor) -> Tensor:
    """[-1, 1] -> [0, 1], clamped."""
    return ((image + 1.0) * 0.5).clamp(0.0, 1.0)


# ----------------------------------------------------------------------------------------------------- resizing


@dataclass(frozen=True)
class ResizedPerson:
    """A person photo with its parse and pose at the working size (H, W).

    Attributes:
        person: (B, 3, H, W) float in [0, 1].
        parse: (B, H, W) int64 LIP-20 labels.
        pose: the pose in (H, W) pixels.
    """

    person: Tensor
    parse: Tensor
    pose: Pose


def resize_person(person: Tensor, parse: Tensor, pose: Pose, size_hw: tuple[int, int]) -> ResizedPerson:
    """Resize a person photo, its parse and pose to `size_hw` (a stretch when the aspect ratios differ).

    Args:
        person: (B, 3, H0, W0) float in [0, 1].
        parse: (B, H0, W0) int64 LIP-20 labels, same size as `person`.
        pose: pose in the frame of `person` (its `canvas_hw` should be (H0, W0); it is rescaled from there).

    Returns:
        `ResizedPerson`: the photo antialiased-bilinear, the parse nearest, the pose rescaled.
    """
    h, w = size_hw
    if person.shape[-2:] != parse.shape[-2:]:
        raise ValueError(f"parse: expected the person's size {tuple(person.shape[-2:])}, got {tuple(parse.shape[-2:])}")
    h0, w0 = person.shape[-2:]
    if abs(h0 / w0 - h / w) > 0.02 * h / w:
        log.warning("person %dx%d is stretched to the working size %dx%d (aspect ratios differ)", h0, w0, h, w)
    if (h0, w0) != (h, w):
        person = resize_to(person, (h, w)).clamp(0, 1)
        parse = resize_labels(parse, (h, w))
    return ResizedPerson(person, parse, pose.rescaled((h, w)))


# -------------------------------------------------------------------------------------------------------- agnostic


def garment_as_upper(parse: Tensor, category: str | tuple[str, ...]) -> Tensor:
    """The parse map as the networks read it for a garment category: the clothes the garment replaces carry the
    networks' garment class (LIP upper clothes, 5), the rest is kept.

    "upper": unchanged. "lower": pants and skirt (9, 12) -> 5, the person's top (5, 7) -> dress (6, which the
    networks read as "bottom": pasted from the person unchanged). "dress": dress, coat, pants and skirt (6, 7, 9,
    12) -> 5 (a dress replaces the top and the bottom).

    Args:
        parse: (B, H, W) int64 LIP-20 labels.
        category: one of `NETWORK_CATEGORIES`, or one per batch item.

    Returns:
        (B, H, W) int64 LIP-20 labels.
    """
    cats = _categories(category, parse.shape[0])
    out = parse.clone()
    for i, cat in enumerate(cats):
        p = parse[i]
        if cat == "lower":
            top = torch.isin(p, torch.tensor((5, 7), device=p.device))
            bottom = torch.isin(p, torch.tensor((9, 12), device=p.device))
            out[i] = torch.where(top, torch.full_like(p, 6), torch.where(bottom, torch.full_like(p, 5), p))
        elif cat == "dress":
            worn = torch.isin(p, torch.tensor((6, 7, 9, 12), device=p.device))
            out[i] = torch.where(worn, torch.full_like(p, 5), p)
    return out


def _categories(category: str | tuple[str, ...] | list[str], batch: int) -> tuple[str, ...]:
    cats = (category,) * batch if isinstance(category, str) else tuple(category)
    if len(cats) != batch:
        raise ValueError(f"category: expected one category or {batch} (one per batch item), got {len(cats)}")
    for c in cats:
        if c not in NETWORK_CATEGORIES:
            raise ValueError(f"category: expected one of {', '.join(NETWORK_CATEGORIES)}, got {c!r}")
    return cats


def _leg_bands(joints: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """Leg bands (hip -> knee -> ankle) and the hip box, (H, W) uint8 {0, 1}, `LEG_BAND` hip widths thick."""
    h, w = hw
    legs = np.zeros((h, w), np.uint8)
    rh, lh = _xy(joints, "right_hip"), _xy(joints, "left_hip")
    span = float(np.linalg.norm(lh - rh)) if rh is not None and lh is not None else 0.12 * w
    band = max(1, round(LEG_BAND * max(span, 0.03 * w)))
    _draw_limbs(legs, joints, _LEGS, band)
    if rh is not None and lh is not None:
        # the seat: the hips' band, up to a third of the torso above the hips
        up = np.array([0.0, -0.35 * span])
        poly = np.array([_subpixel(rh + up), _subpixel(lh + up), _subpixel(lh), _subpixel(rh)], np.int32)
        cv2.fillPoly(legs, [poly], 1, shift=4)
        cv2.line(legs, _subpixel(rh), _subpixel(lh), 1, thickness=band, shift=4)
    return legs


#: Leg bands of the lower-body agnostic, x the hip-joint distance.
LEG_BAND = 0.9


#: cv2 draws integers; 4 fractional bits (shift=4) keep sub-pixel positions.
_SUBPIXEL = 16


def _subpixel(p: np.ndarray) -> tuple[int, int]:
    return round(float(p[0]) * _SUBPIXEL), round(float(p[1]) * _SUBPIXEL)


def _draw_limbs(
    canvas: np.ndarray, joints: np.ndarray, limbs: tuple[tuple[str, tuple[str, ...]], ...], band: int
) -> list[list[np.ndarray | None]]:
    """Draw each limb's joint chain (bones between present joints, `band` px thick) into the (H, W) uint8 `canvas`;
    returns the chains' joint positions (None where absent)."""
    chains = []
    for _, names in limbs:
        chain = [_xy(joints, n) for n in names]
        for a, b in zip(chain[:-1], chain[1:], strict=True):
            if a is not None and b is not None:
                cv2.line(canvas, _subpixel(a), _subpixel(b), 1, thickness=band, lineType=cv2.LINE_8, shift=4)
        chains.append(chain)
    return chains


def _xy(joints: np.ndarray, name: str) -> np.ndarray | None:
    j = joints[joint_index(name)]
    return j[:2] if j[2] > 0 else None


def _body_geometry(joints: np.ndarray, hw: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Arm band and torso/neck masks (H, W) uint8 {0, 1} drawn from one person's joints (in hw pixels)."""
    h, w = hw
    arms = np.zeros((h, w), np.uint8)
    torso = np.zeros((h, w), np.uint8)
    rs, ls = _xy(joints, "right_shoulder"), _xy(joints, "left_shoulder")
    # Widths scale with the shoulder span, as the VITON-HD agnostic does; without both shoulders, with the image.
    span = float(np.linalg.norm(ls - rs)) if rs is not None and ls is not None else 0.25 * w
    span = max(span, 0.05 * w)
    band = max(1, round(0.6 * span))  # arm band width
    for chain in _draw_limbs(arms, joints, _ARMS, band):
        for p in chain:
            if p is not None:
                cv2.circle(arms, _subpixel(p), round(band / 2 * _SUBPIXEL), 1, thickness=-1, shift=4)
    rh, lh = _xy(joints, "right_hip"), _xy(joints, "left_hip")
    if rs is not None and ls is not None:
        cv2.line(torso, _subpixel(rs), _subpixel(ls), 1, thickness=band, shift=4)
        if rh is not None and lh is not None:
            # hips moved apart/together to the shoulder span, so the torso box follows the shoulders' width
            mid, half = (rh + lh) / 2, (lh - rh) / max(float(np.linalg.norm(lh - rh)), 1e-6) * span / 2
            rh2, lh2 = mid - half, mid + half
            poly = np.array([_subpixel(rs), _subpixel(ls), _subpixel(lh2), _subpixel(rh2)], np.int32)
            cv2.fillPoly(torso, [poly], 1, shift=4)
            for a, b in ((rs, rh2), (ls, lh2)):
                cv2.line(torso, _subpixel(a), _subpixel(b), 1, thickness=max(1, round(0.35 * span)), shift=4)
    neck = _xy(joints, "neck")
    if neck is not None:
        cv2.circle(torso, _subpixel(neck), round(0.3 * span * _SUBPIXEL), 1, thickness=-1, shift=4)
    return arms, torso


@dataclass(frozen=True)
class AgnosticRegion:
    """What the clothing-agnostic person hides, at the parse's size.

    Attributes:
        image_region: (B, 1, H, W) float {0, 1}: arm bands, torso and neck drawn from the pose, plus every
            upper-clothes/neck pixel, minus head and lower body (greyed out in the agnostic image).
        parse_region: (B, 1, H, W) float {0, 1}: upper clothes and neck, and the arms inside the arm bands (set to
            background in the agnostic parse; hands beyond the wrists stay).
    """

    image_region: Tensor
    parse_region: Tensor


def agnostic_region(parse: Tensor, pose: Pose, *, category: str | tuple[str, ...] = "upper") -> AgnosticRegion:
    """The regions the agnostic person hides, drawn from the pose and the parse at the parse's size.

    Args:
        parse: (B, H, W) int64 LIP-20 labels.
        pose: the pose in the parse's pixel frame (`canvas_hw` == (H, W)), batch B or 1.
        category: "upper" (tops: as VITON-HD), "lower" (the old pants / skirt and the legs' bands from hips to
            ankles, plus the seat, are hidden; head, top, arms and shoes stay) or "dress" (both); or one per item.

    Returns:
        `AgnosticRegion`.
    """
    check_label_map(parse, "parse", len(LIP_LABELS))
    b, h, w = parse.shape
    if tuple(pose.canvas_hw) != (h, w):
        raise ValueError(f"pose: expected canvas_hw {(h, w)} (the parse's size), got {tuple(pose.canvas_hw)}")
    batch = check_same_batch({"parse": b, "pose": pose.batch_size})
    joints = broadcast_batch(pose.joints, batch, "pose").detach().float().cpu().numpy()
    parse = broadcast_batch(parse, batch, "parse")
    drawn = [_body_geometry(joints[i], (h, w)) for i in range(batch)]
    arms = torch.from_numpy(np.stack([a for a, _ in drawn])).to(parse.device, torch.bool)
    torso = torch.from_numpy(np.stack([t for _, t in drawn])).to(parse.device, torch.bool)

    def isin(ids: tuple[int, ...]) -> Tensor:
        return torch.isin(parse, torch.tensor(ids, device=parse.device))

    upper = isin(VITONHD_UPPER_CLOTHES + (_NECK,))
    arm_px = isin(tuple(label for label, _ in _ARMS))
    keep = isin(VITONHD_HEAD + VITONHD_LOWER_BODY)
    image_region = (arms | torso | upper) & ~keep
    parse_region = upper | (arm_px & arms)
    cats = _categories(category, batch)
    if any(c != "upper" for c in cats):
        legs = torch.from_numpy(np.stack([_leg_bands(joints[i], (h, w)) for i in range(batch)]))
        legs = legs.to(parse.device, torch.bool)
        bottom = isin((9, 12))
        leg_px = isin(tuple(label for label, _ in _LEGS))
        shoes_head = isin(VITONHD_HEAD + (18, 19))
        lower_img = (legs | bottom) & ~shoes_head & ~isin((5, 7, 14, 15))
        lower_parse = bottom | (leg_px & legs)
        for i, cat in enumerate(cats):
            if cat == "lower":
                image_region[i] = lower_img[i]
                parse_region[i] = lower_parse[i]
            elif cat == "dress":
                image_region[i] = ((arms[i] | torso[i] | upper[i] | legs[i] | bottom[i]) & ~shoes_head[i]) | isin((6,))[
                    i
                ]
                parse_region[i] = upper[i] | (arm_px[i] & arms[i]) | lower_parse[i] | isin((6,))[i]
    return AgnosticRegion(image_region[:, None].float(), parse_region[:, None].float())


def parse_agnostic(parse: Tensor, pose: Pose, *, category: str | tuple[str, ...] = "upper") -> Tensor:
    """The clothing-agnostic parse: (B, H, W) int64 LIP-20 labels with `agnostic_region`'s parse region set to 0
    (`category` as there)."""
    region = agnostic_region(parse, pose, category=category).parse_region
    parse = broadcast_batch(parse, region.shape[0], "parse")
    return torch.where(region[:, 0] > 0, torch.zeros_like(parse), parse)


def image_agnostic(person: Tensor, parse: Tensor, pose: Pose, *, category: str | tuple[str, ...] = "upper") -> Tensor:
    """The clothing-agnostic person: (B, 3, H, W) in [0, 1], `agnostic_region`'s image region filled with `GREY`.

    Args:
        person: (B, 3, H, W) float in [0, 1]; parse (B, H, W) LIP-20 labels and pose at the same size.
        category: as in `agnostic_region`.
    """
    check_image(person, "person")
    if person.shape[-2:] != parse.shape[-2:]:
        raise ValueError(f"parse: expected the person's size {tuple(person.shape[-2:])}, got {tuple(parse.shape[-2:])}")
    region = agnostic_region(parse, pose, category=category).image_region
    batch = check_same_batch({"person": person.shape[0], "parse/pose": region.shape[0]})
    person = broadcast_batch(person, batch, "person")
    region = broadcast_batch(region, batch, "parse").to(person.dtype)
    return person * (1 - region) + GREY * region


# --------------------------------------------------------------------------------------------------------- garment


def _bbox(mask: Tensor) -> Tensor | None:
    """(H, W) bool -> (x0, y0, x1, y1) float pixel bounds of the set pixels, or None when empty."""
    ys, xs = torch.nonzero(mask, as_tuple=True)
    if ys.numel() == 0:
        return None
    return torch.stack((xs.min(), ys.min(), xs.max(), ys.max())).float()


@dataclass(frozen=True)
class GarmentCanvas:
    """The garment on the grey canvas at the working size (H, W).

    Attributes:
        image: (B, 3, H, W) float in [0, 1], `GREY` outside the garment.
        mask: (B, 1, H, W) float in [0, 1], where the image shows the garment.
    """

    image: Tensor
    mask: Tensor


def garment_on_grey(
    garment: Tensor,
    garment_mask: Tensor,
    *,
    size_hw: tuple[int, int] = DEFAULT_SIZE_HW,
    person_parse: Tensor | None = None,
) -> GarmentCanvas:
    """The garment masked onto the grey canvas, fitted into the person's upper-clothes box at the working size.

    As in KF-VTON's data, the garment's bounding box is scaled (aspect kept) until it covers the box of the
    person's upper clothes / coat in both directions' limiting one and centred on it; pixels outside the garment
    mask are `GREY`. Without a parse, or where the person shows no upper clothes, the garment box is fitted
    into the middle of the canvas at 70% of its height instead (logged).

    Args:
        garment: (B, 3, Hg, Wg) float in [0, 1].
        garment_mask: (B, 1, Hg, Wg) float in [0, 1], 1 = garment.
        size_hw: working size (H, W).
        person_parse: (B, H, W) int64 LIP-20 labels at the working size, or None.

    Returns:
        `GarmentCanvas`.
    """
    check_image(garment, "garment")
    check_shape(garment_mask, "garment_mask", ("B", 1, *garment.shape[-2:]))
    h, w = size_hw
    batches = {"garment": garment.shape[0], "garment_mask": garment_mask.shape[0]}
    if person_parse is not None:
        check_label_map(person_parse, "person_parse", len(LIP_LABELS))
        if tuple(person_parse.shape[-2:]) != (h, w):
            raise ValueError(f"person_parse: expected size {(h, w)}, got {tuple(person_parse.shape[-2:])}")
        batches["person_parse"] = person_parse.shape[0]
    batch = check_same_batch(batches)
    garment = broadcast_batch(garment, batch, "garment")
    garment_mask = broadcast_batch(garment_mask, batch, "garment_mask").to(garment.dtype)

    # Pre-shrink large garments with antialiasing so the bilinear fit below does not alias.
    hg, wg = garment.shape[-2:]
    shrink = min(hg / h, wg / w)
    if shrink > 1.5:
        size = (max(1, round(hg / shrink)), max(1, round(wg / shrink)))
        garment, garment_mask = resize_to(garment, size), resize_to(garment_mask, size)
        hg, wg = size
    affines = []
    for i in range(batch):
        src = _bbox(garment_mask[i, 0] > 0.5)
        if src is None:
            raise ValueError(f"garment_mask: item {i} is empty (no pixel above 0.5); a garment mask is needed")
        dst = (
            None
            if person_parse is None
            else _bbox(torch.isin(person_parse[i], torch.tensor(KFVTON_UPPER_CLOTHES, device=person_parse.device)))
        )
        if dst is None:
            log.warning("garment_on_grey: item %d has no person upper clothes to fit into; centring the garment", i)
            gh = 0.7 * h
            dst = torch.tensor([w / 2 - gh * 0.4, h * 0.5 - gh / 2, w / 2 + gh * 0.4, h * 0.5 + gh / 2])
        src_wh = (src[2:] - src[:2]).clamp(min=1.0)
        dst_wh = (dst[2:] - dst[:2]).clamp(min=1.0)
        # KF-VTON's rule: match the height when the garment box is relatively wider than the target box, else width
        scale = dst_wh[1] / src_wh[1] if src_wh[0] / src_wh[1] > dst_wh[0] / dst_wh[1] else dst_wh[0] / src_wh[0]
        src_c, dst_c = (src[:2] + src[2:]) / 2, (dst[:2] + dst[2:]) / 2
        affines.append((scale, src_c, dst_c))
    # Backward map per output pixel centre p (working px): q = src_c + (p - dst_c) / scale (garment px).
    ys = torch.arange(h, dtype=garment.dtype, device=garment.device)
    xs = torch.arange(w, dtype=garment.dtype, device=garment.device)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    grids = []
    for scale, src_c, dst_c in affines:
        qx = float(src_c[0]) + (gx - float(dst_c[0])) / float(scale)
        qy = float(src_c[1]) + (gy - float(dst_c[1])) / float(scale)
        grids.append(px_to_norm(torch.stack((qx, qy), dim=-1), (hg, wg), align_corners=False))
    grid = torch.stack(grids)
    fg = sample_grid(torch.cat((garment * garment_mask, garment_mask), 1), grid, align_corners=False, name="garment")
    mask = fg[:, 3:].clamp(0, 1)
    image = (fg[:, :3] + GREY * (1 - mask)).clamp(0, 1)
    return GarmentCanvas(image, mask)


# ------------------------------------------------------------------------------------------------------- everything


def build_network_inputs(
    person: Tensor,
    garment: Tensor,
    garment_mask: Tensor,
    pose: Pose,
    parse: Tensor,
    *,
    size_hw: tuple[int, int] = DEFAULT_SIZE_HW,
    align_garment: bool = True,
    category: str | tuple[str, ...] = "upper",
) -> NetworkInputs:
    """Build every network input from the user's photos, at the working size.

    Args:
        person: (B, 3, H0, W0) float in [0, 1], the person photo.
        garment: (B or 1, 3, Hg, Wg) float in [0, 1], the garment photo (front view, as worn).
        garment_mask: (B or 1, 1, Hg, Wg) float in [0, 1], 1 = garment.
        pose: the person's BODY_25 pose in the frame of `person` (canvas_hw (H0, W0)), batch B or 1.
        parse: (B or 1, H0, W0) int64 LIP-20 labels of the person (VITON-HD: 10 = neck).
        size_hw: working size (H, W); 256x192 for the released networks, (512, 384), (1024, 768) also work.
        align_garment: fit the garment into the person's upper-clothes box (KF-VTON's data does); False only
            resizes the garment canvas to the working size.
        category: the garment's category, one or one per item (`NETWORK_CATEGORIES`): "upper" as KF-VTON;
            "lower" / "dress" hide the clothes that garment replaces in the agnostic inputs
            (`agnostic_region`) and give those clothes the networks' garment class in the parse maps and the
            garment canvas's box (`garment_as_upper`), so the unchanged networks learn lower garments and dresses.

    Returns:
        `NetworkInputs`, float32 tensors on `person`'s device.
    """
    check_image(person, "person")
    check_image(garment, "garment")
    check_shape(garment_mask, "garment_mask", ("B", 1, *garment.shape[-2:]))
    check_label_map(parse, "parse", len(LIP_LABELS))
    if not isinstance(pose, Pose):
        raise TypeError(f"pose: expected a Pose, got {type(pose).__name__}")
    h, w = size_hw
    if h < 16 or w < 16 or h % 16 or w % 16:
        raise ValueError(f"size_hw: expected a multiple of 16 in both directions (e.g. 256x192), got {h}x{w}")
    batch = check_same_batch(
        {
            "person": person.shape[0],
            "garment": garment.shape[0],
            "garment_mask": garment_mask.shape[0],
            "pose": pose.batch_size,
            "parse": parse.shape[0],
        }
    )
    if tuple(pose.canvas_hw) != tuple(person.shape[-2:]):
        raise ValueError(
            f"pose: expected canvas_hw {tuple(person.shape[-2:])} (the person's size), got {tuple(pose.canvas_hw)}"
        )
    device = person.device
    person = broadcast_batch(person.float(), batch, "person")
    parse = broadcast_batch(parse.to(device), batch, "parse")
    pose = Pose(broadcast_batch(pose.joints.to(device).float(), batch, "pose"), pose.canvas_hw)

    resized = resize_person(person, parse, pose, size_hw)
    person, parse, pose = resized.person, resized.parse, resized.pose
    agn_parse = garment_as_upper(parse_agnostic(parse, pose, category=category), category)
    agnostic = image_agnostic(person, parse, pose, category=category)
    parse = garment_as_upper(parse, category)
    parse14, agn14 = lip_to_parse14(parse), lip_to_parse14(agn_parse)
    parse7, agn7 = parse14_to_parse7(parse14), parse14_to_parse7(agn14)
    if align_garment:
        fitted = garment_on_grey(
            garment.to(device).float(), garment_mask.to(device).float(), size_hw=size_hw, person_parse=parse
        )
        garment_img, mask = fitted.image, fitted.mask
    else:
        g = broadcast_batch(garment.to(device).float(), batch, "garment")
        m = broadcast_batch(garment_mask.to(device).float(), batch, "garment_mask")
        canvas = g * m + GREY * (1 - m)
        garment_img, mask = resize_to(canvas, size_hw), resize_to(m, size_hw)
    garment_img = broadcast_batch(garment_img, batch, "garment")
    mask = broadcast_batch(mask, batch, "garment_mask")
    return NetworkInputs(
        person=to_network_range(person),
        agnostic=to_network_range(agnostic),
        parse14=one_hot(parse14, len(PARSE14_CLASSES)),
        parse_agnostic14=one_hot(agn14, len(PARSE14_CLASSES)),
        parse7=one_hot(parse7, len(PARSE7_CLASSES)),
        parse_agnostic7=one_hot(agn7, len(PARSE7_CLASSES)),
        pose_image=to_network_range(render_pose(pose, size_hw).to(device)),
        garment=to_network_range(garment_img).contiguous(),
        garment_mask=mask.contiguous(),
        person_clothes_mask=(parse7 == 2)[:, None].float(),
        pose=pose,
        size_hw=(h, w),
    )
