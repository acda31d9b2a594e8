"""The classical try-on's steps for lower-body garments and dresses (called by `classical_tryon`).

    category "lower": `detect_lower_landmarks` -> `place_lower_landmarks` -> `warp_lower_garment` (seat + one
        spline per leg, or one flaring spline for skirts) -> `composite_garment` with `LOWER_LABELS`;
    category "dress": `detect_dress_landmarks` -> `place_dress_landmarks` -> `warp_lower_garment` (bodice and
        sleeves as a top, skirt flaring from the hips) -> `composite_garment` with `DRESS_LABELS`.
Tuck (lower garments; the person's top against the new waistband): "out" keeps the top's parse pixels in front
(over the waistband), "in" lets the garment cover the top below the new waist line (the top is tucked), "auto"
is "out" when the old top reaches more than `TUCK_REACH` waist widths below the new waist line, else "in".
When the parse map's top reaches below the knees (estimated regions label whole light outfits as the top), its
pixels more than `TOP_BELOW_HIPS` waist widths below the garment's hips are taken as legs: covered where the
garment is, kept elsewhere.
Category "auto" is decided from the garment mask (`classify_garment`) and reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ..geometry.warp import Warp
from ..keypoints.garment_landmarks_lower import (
    CategoryLandmarks,
    classify_garment,
    detect_dress_landmarks,
    detect_lower_landmarks,
)
from ..keypoints.pairs import KeypointPairs
from ..keypoints.placement_lower import place_dress_landmarks, place_lower_landmarks
from ..keypoints.pose import Pose
from ..preprocess.parse_labels import KFVTON_UPPER_CLOTHES
from .composite import DRESS_LABELS, LOWER_LABELS, Composite, composite_garment
from .garment_warp import warp_garment
from .lower_warp import warp_lower_garment

__all__ = ["TUCKS", "TUCK_REACH", "CategoryChoice", "resolve_category", "LowerTryOn", "tryon_lower_or_dress"]

TUCKS: tuple[str, ...] = ("auto", "in", "out")
TUCK_REACH = 0.25
TOP_BELOW_HIPS = 0.5  # top pixels this many waist widths below the garment's hips are taken as legs


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
    # the top worn over or under the new lower garment: upper clothes and coat (a dress is a bottom here)
    top = torch.isin(parse, torch.tensor(KFVTON_UPPER_CLOTHES, device=parse.device))
    if tuck == "auto":
        reach = top & (rows > waist_y + TUCK_REACH * hw)
        tuck = "out" if bool(reach.flatten(1).float().sum(1).gt(0.002 * parse[0].numel()).any()) else "in"
    # a "top" reaching far below the hips is a mislabelled leg (estimated regions): neither in front nor painted
    hl, hr = pairs.names.index("hip_left"), pairs.names.index("hip_right")
    hips_y = ((p[:, hl, 1] + p[:, hr, 1]) / 2).reshape(-1, 1, 1)
    if pairs.pose is not None:  # only when the "top" reaches below the knees: a coat or cardigan does not
        knees = pairs.pose.rescaled(pairs.person_hw).joints[:, [10, 13], 1].to(parse.device)
        knee_y = knees.mean(-1).reshape(-1, 1, 1)
        legs = (top & (rows > knee_y)).flatten(1).any(1).reshape(-1, 1, 1)
        parse = torch.where(legs & top & (rows > hips_y + TOP_BELOW_HIPS * hw), torch.full_like(parse, 16), parse)
    if tuck == "out":
        return parse, tuck
    return torch.where(top & (rows > waist_y), torch.full_like(parse, 9), parse), tuck


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
    used_tuck = "-"
    comp_parse = parse
    if parse is not None and category == "lower":
        comp_parse, used_tuck = _tucked_parse(parse, pairs, tuck)
    comp = composite_garment(
        person, warped.image, warped.mask, parse=comp_parse, keypoints=pairs, feather_px=feather_px, labels=table
    )
    return LowerTryOn(comp, warped.image, warped.mask, pairs, warp, landmarks, used_tuck)
