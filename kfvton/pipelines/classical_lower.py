"""The classical try-on's steps for lower-body garments and dresses (called by `classical_tryon`).

    category "lower": `detect_lower_landmarks` -> `place_lower_landmarks` -> `warp_lower_garment` (seat + one
        spline per leg, or one flaring spline for skirts) -> `composite_garment` with `LOWER_LABELS`;
    category "dress": `detect_dress_landmarks` -> `place_dress_landmarks` -> `warp_lower_garment` (bodice and
        sleeves as a top, skirt flaring from the hips) -> `composite_garment` with `DRESS_LABELS`.
Tuck (lower garments; the person's top against the new waistband): "out" keeps the top's parse pixels in front
(over the waistband), "in" lets the garment cover the top below the new waist line (the top is tucked), "auto"
is "out" when the old top reaches more than `TUCK_REACH` waist widths below the new waist line, else "in".
When the parse map's top reaches below the knees (estimated regions label whole light outfits as the top), its
pixels more than `TOP_BELOW_HIPS` waist widths below the hip joints are taken as legs, and so is "neck" below
the hip joints: covered where the garment is, kept elsewhere. Whatever the tuck, the top never hides the legs of
trousers or shorts: its pixels below the crotch target are taken as legs too. Old pants / skirt pixels in a piece
reaching far from the legs (`_bags_apart`: a bag the estimated regions took for clothes) become background, so a bag
is kept, not repainted.
An old dress counts as a top above the new waist line and as the old lower garment below it (replaced).
Category "auto" is decided from the garment mask (`classify_garment`) and reported.
Bound (with a parse map or estimated regions): the warped mask is cut to where a garment on this person can
be, `person_bound`: the person (every label but background) grown by `BOUND_GROW` of the image height; for
skirts and dresses also, row by row, the span between the body's outermost pixels (arms and hands excluded),
widened by `SIL_LOOSE` hip widths on each side (the flare the placement allows), and whole rows where two legs
in trousers show apart (no old skirt or dress to follow: the new one keeps its flare). A spline pushed past the
silhouette (a flat-lay corner, a strap taken for a sleeve) is cut there rather than painted over the
background.
Skirts and dresses: the background between the legs (and beside them where two legs in trousers show apart) under
the warped garment counts as the old lower garment for
the composite (covered, not cut as garment over the background: no trouser legs).
Light without a parse map (`LIGHT_WITHOUT_PARSE`): the person's light and folds under the warped garment itself
(the composite's shading, with the garment's own area as the old clothes) are carried onto it; nothing is kept in
front or repainted.
Feet (`feet_mask`, with or without a parse map): nothing of the garment below each ankle joint (+
`FEET_BELOW_ANKLE` hip widths) on that foot's side: shoes and feet stay in front.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ..geometry.warp import Warp
from ..keypoints.garment_landmarks_lower import (
    CategoryLandmarks,
    classify_garment,
    detect_dress_landmarks,
    detect_lower_landmarks,
)
from ..keypoints.pairs import KeypointPairs
from ..keypoints.placement_lower import SIL_LOOSE, place_dress_landmarks, place_lower_landmarks
from ..keypoints.pose import PRESENT_THRESHOLD, Pose
from ..preprocess.parse_labels import KFVTON_UPPER_CLOTHES
from .composite import DRESS_LABELS, LOWER_LABELS, Composite, composite_garment, light_and_folds
from .garment_warp import warp_garment
from .lower_warp import warp_lower_garment

__all__ = [
    "TUCKS",
    "TUCK_REACH",
    "BOUND_GROW",
    "CategoryChoice",
    "resolve_category",
    "LowerTryOn",
    "person_bound",
    "feet_mask",
    "FEET_BELOW_ANKLE",
    "tryon_lower_or_dress",
]

TUCKS: tuple[str, ...] = ("auto", "in", "out")
TUCK_REACH = 0.25
TOP_BELOW_HIPS = 0.25  # a "top" reaching below the knees: its pixels this many waist widths below the hip joints
# are taken as legs
LIGHT_WITHOUT_PARSE = True  # module docstring
BAG_FAR, BAG_NEAR = 1.2, 0.7  # `_bags_apart`: waist widths from the legs
BOUND_GROW = 0.008  # the person grown by this fraction of the image height bounds the warped garment
FEET_BELOW_ANKLE = 0.2  # feet: below the ankle joint + this many hip widths
_ARMS = (14, 15)


@dataclass(frozen=True)
class CategoryChoice:
    """The category used and how it was chosen.

    Attributes:
        category: "upper", "lower" or "dress".
        how: "given" or "auto".
        reason: what the garment photo looks like (`classify_garment`'s reason for item 0).
    """

    category: str
    how: str
    reason: str

    def describe(self) -> str:
        return f"{self.category} ({self.how}: {self.reason})" if self.how == "auto" else self.category


def resolve_category(category: str, mask: Tensor) -> CategoryChoice:
    """ "auto" -> the category the garment mask looks like (one for the whole batch); others are checked against
    the photo (`check_category`: a lower garment given as "upper" or the reverse raises, naming both)."""
    from ..keypoints.garment_landmarks_lower import check_category

    if category == "auto":
        seen = classify_garment(mask)
        if len(set(seen.categories)) > 1:
            raise ValueError(
                f"category: 'auto' found different categories in the garment batch {seen.categories}; "
                "try them on separately or pass the category"
            )
        return CategoryChoice(seen.categories[0], "auto", seen.reasons[0])
    seen = check_category(category, mask)
    return CategoryChoice(category, "given", seen.reasons[0])


@dataclass(frozen=True)
class LowerTryOn:
    """Pieces of a lower-body / dress try-on (see `ClassicalTryOn`)."""

    composite: Composite
    warped_image: Tensor
    warped_mask: Tensor
    keypoints: KeypointPairs
    warp: Warp
    landmarks: CategoryLandmarks
    tuck: str


def _tucked_parse(parse: Tensor, pairs: KeypointPairs, tuck: str) -> tuple[Tensor, str]:
    """The parse map the composite sees, and the tuck used: "in" relabels the top below the new waist as pants."""
    wl, wr = pairs.names.index("waist_left"), pairs.names.index("waist_right")
    p = pairs.person_px.detach().to(parse.device)
    waist_y = ((p[:, wl, 1] + p[:, wr, 1]) / 2).reshape(-1, 1, 1)
    hw = (p[:, wl, :2] - p[:, wr, :2]).norm(dim=-1).reshape(-1, 1, 1)
    rows = torch.arange(parse.shape[-2], device=parse.device).reshape(1, -1, 1)
    # an old dress: its bodice is the top (in front over the waistband), its skirt the old lower garment (replaced)
    parse = torch.where((parse == 6) & (rows > waist_y), torch.full_like(parse, 9), parse)
    parse = torch.where(parse == 6, torch.full_like(parse, 5), parse)
    # the top worn over or under the new lower garment: upper clothes and coat
    top = torch.isin(parse, torch.tensor(KFVTON_UPPER_CLOTHES, device=parse.device))
    if tuck == "auto":
        reach = top & (rows > waist_y + TUCK_REACH * hw)
        tuck = "out" if bool(reach.flatten(1).float().sum(1).gt(0.002 * parse[0].numel()).any()) else "in"
    # a "top" reaching far below the hips is a mislabelled leg or old lower garment (estimated regions): neither
    # in front nor painted below the new waistband
    if pairs.pose is not None:  # only when the "top" reaches below the knees: a coat or cardigan does not
        joints = pairs.pose.rescaled(pairs.person_hw).joints.to(parse.device)
        knee_y = joints[:, [10, 13], 1].mean(-1).reshape(-1, 1, 1)
        hips_y = joints[:, [9, 12], 1].mean(-1).reshape(-1, 1, 1)
        legs = (top & (rows > knee_y)).flatten(1).any(1).reshape(-1, 1, 1)
        parse = torch.where(legs & top & (rows > hips_y + TOP_BELOW_HIPS * hw), torch.full_like(parse, 16), parse)
        # "neck" below the hip joints is skin of the legs mislabelled (estimated regions): not kept in front
        parse = torch.where((parse == 10) & (rows > hips_y), torch.full_like(parse, 16), parse)
        parse = _bags_apart(parse, joints, hw.reshape(-1))
    if "crotch" in pairs.names:  # the top covers the waistband, never the legs of trousers and shorts
        c = pairs.names.index("crotch")
        crotch_y = p[:, c, 1].reshape(-1, 1, 1)
        below = (p[:, c, 2] > 0).reshape(-1, 1, 1) & (rows > crotch_y)
        top = torch.isin(parse, torch.tensor(KFVTON_UPPER_CLOTHES, device=parse.device))
        parse = torch.where(below & top, torch.full_like(parse, 16), parse)
    if tuck == "out":
        return parse, tuck
    return torch.where(top & (rows > waist_y), torch.full_like(parse, 9), parse), tuck


def _bags_apart(parse: Tensor, joints: Tensor, hw: Tensor) -> Tensor:
    """Old lower-garment pixels (pants, skirt) of a piece reaching farther than `BAG_FAR` waist widths from the
    legs (hip -> knee -> ankle on both sides, and the hip line) are a bag or basket the estimated regions took for
    clothes: that piece, beyond `BAG_NEAR` of the legs, becomes background (kept as it is, not repainted).

    Args:
        parse: (B, H, W) int64 LIP-20 labels; joints: (B, 25, 3) BODY_25 pixels; hw: (B,) waist widths, pixels.
    """
    out = parse.clone()
    h, w = parse.shape[-2:]
    for i in range(parse.shape[0]):
        j = joints[i].detach().cpu().numpy()
        chains = ((9, 10, 11), (12, 13, 14), (9, 12))
        lines = np.full((h, w), 255, np.uint8)
        for chain in chains:
            pts = [j[k, :2] for k in chain if j[k, 2] > PRESENT_THRESHOLD]
            for a, b in zip(pts[:-1], pts[1:], strict=False):
                cv2.line(lines, tuple(int(v) for v in a.round()), tuple(int(v) for v in b.round()), 0, 1)
        if lines.min() > 0:
            continue
        dist = cv2.distanceTransform(lines, cv2.DIST_L2, 3) / max(float(hw[i]), 1.0)
        old = np.isin(parse[i].cpu().numpy(), (9, 12))
        near = (old & (dist > BAG_NEAR)).astype(np.uint8)
        n, comp = cv2.connectedComponents(near, connectivity=8)
        if n <= 1:
            continue
        far = np.unique(comp[old & (dist > BAG_FAR)])
        bag = np.isin(comp, far[far > 0])
        out[i][torch.from_numpy(bag).to(parse.device)] = 0
    return out


def _between_legs(parse: Tensor, hips_y: Tensor) -> Tensor:
    """(B, H, W) bool: background pixels below the hip joints (`hips_y` (B,) pixels) between each row's outermost
    body pixels (arms and hands excluded)."""
    torso = (parse > 0) & ~torch.isin(parse, torch.tensor(_ARMS, device=parse.device))
    cols, left, right = _row_span(torso)
    rows = torch.arange(parse.shape[-2], device=parse.device).reshape(1, -1, 1)
    below = rows > hips_y.to(parse.device).reshape(-1, 1, 1)
    return (parse == 0) & below & (((cols > left) & (cols < right)) | _legs_apart_rows(torso, parse)[..., None])


def _row_span(mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(column indices, leftmost, rightmost) of `mask` (..., H, W) bool per row, each broadcastable against it
    (left = W and right = -W on empty rows)."""
    w = mask.shape[-1]
    cols = torch.arange(w, device=mask.device).reshape(*([1] * (mask.dim() - 1)), w)
    big = torch.full_like(cols, w)
    left = torch.where(mask, cols, big).amin(-1, keepdim=True)
    right = torch.where(mask, cols, -big).amax(-1, keepdim=True)
    return cols, left, right


def _legs_apart_rows(torso: Tensor, parse: Tensor) -> Tensor:
    """(B, H) bool: rows where the body (B, H, W) bool shows two legs apart (at least two runs of 5+ pixels) in
    trousers (pants labels in `parse` (B, H, W) on the row): no old skirt or dress there, so a new one keeps its own
    flare."""
    x = torso.float()[:, None]
    opened = -F.max_pool2d(-x, (1, 5), 1, (0, 2))
    opened = F.max_pool2d(opened, (1, 5), 1, (0, 2))[:, 0] > 0.5
    rising = (opened[..., 1:] & ~opened[..., :-1]).sum(-1) + opened[..., 0].long()
    return (rising >= 2) & (parse == 9).any(-1)


def person_bound(parse: Tensor, hip_width_px: Tensor, *, span: bool) -> Tensor:
    """Where a lower garment or dress may lie on the person (module docstring).

    Args:
        parse: (B, H, W) int64 LIP-20 labels.
        hip_width_px: (B,) float, the hip-joint distance in pixels (the flare allowance's unit).
        span: also allow each row's span between the outermost non-arm body pixels, widened (skirts, dresses).

    Returns:
        (B, 1, H, W) bool.
    """
    body = (parse > 0)[:, None]
    allowed = body
    if span:
        torso = body & ~torch.isin(parse, torch.tensor(_ARMS, device=parse.device))[:, None]
        cols, left, right = _row_span(torso)
        grow = (SIL_LOOSE * hip_width_px.to(parse.device)).reshape(-1, 1, 1, 1)
        allowed = allowed | ((cols >= left - grow) & (cols <= right + grow))
        allowed = allowed | _legs_apart_rows(torso[:, 0], parse)[:, None, :, None]  # the garment's own flare there
    r = max(1, round(BOUND_GROW * parse.shape[-2]))
    return F.max_pool2d(allowed.float(), 2 * r + 1, stride=1, padding=r) > 0.5


def feet_mask(joints: Tensor, hip_width_px: Tensor, size_hw: tuple[int, int]) -> Tensor:
    """Below each ankle joint (+ `FEET_BELOW_ANKLE` hip widths), on that foot's side of the middle between the
    ankles: the feet and shoes, kept in front of lower garments and dresses whatever the parse map says (estimated
    regions can label a raised foot as trousers).

    Args:
        joints: (B, 25, 3) BODY_25 joints in pixels of `size_hw` (ankles 11 and 14; missing ones, confidence at
            most `PRESENT_THRESHOLD`, mask nothing).
        hip_width_px: (B,) float.
        size_hw: (H, W).

    Returns:
        (B, 1, H, W) bool.
    """
    h, w = size_hw
    yy = torch.arange(h, device=joints.device, dtype=torch.float32).reshape(1, h, 1)
    xx = torch.arange(w, device=joints.device, dtype=torch.float32).reshape(1, 1, w)
    ra, la = joints[:, 11], joints[:, 14]
    both = (ra[:, 2] > PRESENT_THRESHOLD) & (la[:, 2] > PRESENT_THRESHOLD)
    mid_x = torch.where(both, (ra[:, 0] + la[:, 0]) / 2, torch.full_like(ra[:, 0], -1.0))
    out = torch.zeros(joints.shape[0], h, w, dtype=torch.bool, device=joints.device)
    margin = (FEET_BELOW_ANKLE * hip_width_px).reshape(-1, 1, 1)
    for a, other in ((ra, la), (la, ra)):
        present = (a[:, 2] > PRESENT_THRESHOLD).reshape(-1, 1, 1)
        mine = (xx - a[:, 0].reshape(-1, 1, 1)).abs() <= (xx - other[:, 0].reshape(-1, 1, 1)).abs()
        mine = mine | (mid_x < 0).reshape(-1, 1, 1)
        out |= present & mine & (yy > a[:, 1].reshape(-1, 1, 1) + margin)
    return out[:, None]


def tryon_lower_or_dress(
    category: str,
    person: Tensor,
    garment: Tensor,
    mask: Tensor,
    pose: Pose,
    *,
    parse: Tensor | None,
    tuck: str,
    reg: float,
    grid_step: int,
    feather_px: float,
) -> LowerTryOn:
    """Landmarks, placement, part-wise warp and composite of a lower garment or dress (inputs already checked).

    Args:
        category: "lower" or "dress".
        person: (B, 3, H, W) [0, 1]; garment (B, 3, H_g, W_g) [0, 1]; mask (B, 1, H_g, W_g) [0, 1].
        pose: `Pose` in the person's pixels; parse: optional (B, H, W) int64 LIP-20 labels.
        tuck: "auto", "in" or "out" (lower garments; module docstring).
    """
    if tuck not in TUCKS:
        raise ValueError(f"tuck: expected one of {', '.join(TUCKS)}, got {tuck!r}")
    if category == "lower":
        landmarks = detect_lower_landmarks(garment, mask)
        pairs = place_lower_landmarks(landmarks, pose, parse=parse)
        kinds = set(landmarks.kinds)
        kind = "skirt" if kinds == {"skirt"} else "trousers" if "skirt" not in kinds else None
        if kind is None:
            raise ValueError(
                f"garment: the batch mixes skirts and two-legged garments {landmarks.kinds}; try them on separately"
            )
        table = LOWER_LABELS
    else:
        landmarks = detect_dress_landmarks(garment, mask)
        pairs = place_dress_landmarks(landmarks, pose, parse=parse)
        kind, table = "dress", DRESS_LABELS
    warp = warp_lower_garment(pairs, mask, kind, reg=reg, grid_step=grid_step)
    warped = warp_garment(garment.to(person.dtype), mask.to(person.dtype), warp.to(person.device))
    joints = pairs.pose.rescaled(pairs.person_hw).joints.detach().to(person.device, torch.float32)
    hips = (joints[:, 12, :2] - joints[:, 9, :2]).norm(dim=-1)
    feet = feet_mask(joints, hips, tuple(person.shape[-2:]))
    if parse is not None:
        bound = person_bound(parse, hips, span=kind in ("skirt", "dress")) & ~feet
    else:
        bound = ~feet
    warped = warped._replace(mask=warped.mask * bound.to(warped.mask.dtype))
    used_tuck = "-"
    comp_parse = parse
    if parse is not None and category == "lower":
        comp_parse, used_tuck = _tucked_parse(parse, pairs, tuck)
    if comp_parse is not None and kind in ("skirt", "dress"):
        # the background between the legs under a skirt or dress is the garment's (the composite's fit would cut
        # it as garment on the background, leaving trouser legs)
        gap = _between_legs(comp_parse, joints[:, [9, 12], 1].mean(-1)) & (warped.mask[:, 0] > 0.5)
        comp_parse = torch.where(gap, 12 if category == "lower" else 6, comp_parse)
    image = warped.image
    if parse is None and LIGHT_WITHOUT_PARSE:  # the person's light and folds, taken under the garment itself
        image = image * light_and_folds(person, warped.mask[:, 0] > 0.5)
    comp = composite_garment(
        person, image, warped.mask, parse=comp_parse, keypoints=pairs, feather_px=feather_px, labels=table
    )
    return LowerTryOn(comp, warped.image, warped.mask, pairs, warp, landmarks, used_tuck)
