"""The classical try-on's steps for lower-body garments and dresses (called by `classical_tryon`).

    category "lower": `detect_lower_landmarks` -> `place_lower_landmarks` -> `warp_lower_garment` (seat + one
        spline per leg, or one flaring spline for skirts) -> `composite_garment` with `LOWER_LABELS`;
    category "dress": `detect_dress_landmarks` -> `place_dress_landmarks` -> `warp_lower_garment` (bodice and
        sleeves as a top, skirt flaring from the hips) -> `composite_garment` with `DRESS_LABELS`.
Tuck (lower garments; the person's top against the new waistband): "out" keeps the top's parse pixels in front
(over the waistband), "in" lets the garment cover the top below the new waist line where it lies (the top is
tucked; beyond the garment the top stays as it is), "auto"
is "out" when the old top reaches more than `TUCK_REACH` waist widths below the new waist line or covers most of
the middle of the row just under it (`_over_waist`: worn over a hidden waistband), else "in".
When the parse map's top reaches below the knees (estimated regions label whole light outfits as the top), its
pixels more than `TOP_BELOW_HIPS` waist widths below the hip joints are taken as legs, and so is "neck" below
the hip joints: covered where the garment is, kept elsewhere. Whatever the tuck, the top never hides the legs of
trousers or shorts: its pixels below the crotch target are taken as legs too. Old pants / skirt pixels in a piece
reaching far from the legs (`_bags_apart`: a bag the estimated regions took for clothes) become background, so a bag
is kept, not repainted; so are clothes labels beside a forearm (`_bags_beside_arms`).
An old dress counts as a top above the new waist line and as the old lower garment below it (replaced).
A lower garment's mask first loses its shadow on the backdrop (`drop_backdrop_shade`: the grey in the gap between a
flat-lay's legs closed it, the crotch was found low). Long trousers over an old skirt or a dress's skirt
(`_skirt_between_legs`: old clothes across the gap between the thighs, bare shins or tights of another colour below,
or the label map's skirt there; read once, `_skirt_under_trousers`) are placed without its pixels below the hip
joints (`_skirt_out_of_silhouette`: the legs' prior widths, not the skirt's flare), and the composite's fit does not
grow them over it (`_held_off_trousers`, `composite_garment(no_grow=...)`): it is repainted as what lies under it,
beside them and between their legs.
Old pants / skirt pixels beyond the new garment in a piece reaching `COAT_ABOVE` waist widths above the new waist
line are not trousers but a jacket or shirt of the same colour (`_coat_above_waist`, estimated regions): kept.
The top's pixels just above the old pants / skirt, coloured as them, are their waistband (`_waistband_under_top`:
a parse map's boundary a few rows low), replaced rather than kept in front, and the new waist placed at its top.
The shoes' pixels just below the old trousers, coloured as them, are their hem (`_trouser_hem_on_shoes`: estimated
regions label a full-length hem over the shoes as shoes), replaced rather than kept in front.
Old pants / skirt pixels speckled among the top's (`_specks_of_top`: estimated regions split a printed top's hem
pixel by pixel) count as the top, kept in front rather than repainted.
Category "auto" is decided from the garment mask (`classify_garment`) and reported.
Bound (with a parse map or estimated regions): the warped mask is cut to where a garment on this person can
be, `person_bound`: the person (every label but background) grown by `BOUND_GROW` of the image height; for
skirts and dresses also, row by row, the span between the body's outermost pixels (arms and hands excluded;
below the hip joints, on rows without an old dress or skirt, at least as wide as any row between them and it,
`_skirt_span`: a skirt never narrows below its hips), widened by `SIL_LOOSE` hip widths on each side (the flare
the placement allows), and whole rows where two legs in trousers show apart (no old skirt or dress to follow: the
new one keeps its flare). A spline pushed past the silhouette (a flat-lay corner, a strap taken for a sleeve) is cut
there rather than painted over the background.
Skirts and dresses: the background between the legs (and beside them where two legs in trousers show apart) under
the warped garment counts as the old lower garment for
the composite (covered, not cut as garment over the background: no trouser legs).
Light without a parse map (`LIGHT_WITHOUT_PARSE`): the person's light and folds under the warped garment itself
(the composite's shading, with the garment's own area as the old clothes) are carried onto it; nothing is kept in
front or repainted.
Feet (`feet_mask`, with or without a parse map): nothing of the garment below each ankle joint (+
`FEET_BELOW_ANKLE` hip widths) on that foot's side: shoes and feet stay in front.
In front without a parse map (`front_without_parse`): arms and hands (around the shoulder -> elbow -> wrist -> hand
chains, `ARM_REACH` hip widths, coloured as the arm along its bone and clearly unlike the clothes under the
garment) and, for lower garments worn "out" (tuck "out", or "auto" when the top shows where the new garment goes:
the photo shows it over the old waistband), the top over the waistband (coloured as the torso between the shoulders and
the hips, clearly unlike the old lower garment on the thighs and the background, joined to the torso, above the crotch).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .._arrays import box_share, dilate_square
from ..geometry.warp import Warp
from ..keypoints.garment_landmarks_lower import (
    SIDE_AT,
    CategoryLandmarks,
    classify_garment,
    detect_dress_landmarks,
    detect_lower_landmarks,
)
from ..keypoints.pairs import KeypointPairs
from ..keypoints.placement_lower import (
    NOT_BODY,
    SIL_LOOSE,
    beyond_arms,
    bodice_landmarks,
    leg_flare,
    place_dress_landmarks,
    place_lower_landmarks,
)
from ..keypoints.pose import PRESENT_THRESHOLD, Pose
from ..preprocess.colour_regions import chain_distance, connected_to, hand_tip, main_colours, to_lab
from ..preprocess.garment_mask import clean_garment_rim, drop_backdrop_shade
from ..preprocess.parse_labels import KFVTON_UPPER_CLOTHES, labels_in
from .composite import DRESS_LABELS, LOWER_LABELS, Composite, composite_garment
from .garment_warp import PartWarp, cut_inside_back, warp_garment
from .lower_warp import warp_lower_garment
from .shading import light_and_folds

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
    "front_without_parse",
    "tryon_lower_or_dress",
]

TUCKS: tuple[str, ...] = ("auto", "in", "out")
TUCK_REACH = 0.25
TUCK_OVER, TUCK_MIDDLE = 0.03, 0.6  # `_over_waist`: the row this many waist widths below the new waist line, across
# this share of the waist's width around its centre
TOP_BELOW_HIPS = 0.25  # a "top" reaching below the knees: its pixels this many waist widths below the hip joints
# are taken as legs
LIGHT_WITHOUT_PARSE = True  # module docstring
SPECK_WINDOW, SPECK_MAJORITY = 0.15, 1.5  # `_specks_of_top`: window in waist widths, top over lower garment
SPECK_CHANGES = 3.0  # ... or where top and lower garment meet this many times as often as along a straight
# boundary (one change per window column: a share of 1 / window) -- a speckled mix
COAT_ABOVE = 0.15  # `_coat_above_waist`: old pants reaching this many waist widths above the new waist line
BAG_FAR, BAG_NEAR = 1.2, 0.7  # `_bags_apart`: waist widths from the legs
WAISTBAND_EDGE = 0.06  # `_waistband_under_top`: top pixels at most this many hip widths above the old lower
# garment's labelled edge, coloured as it (the estimated regions of the quick lower workflow's 013565 put the
# edge 3-5 px below the chambray waistband's top: a blue sliver stayed between the top and the new shorts)
HEM_ON_SHOES = 0.3  # `_trouser_hem_on_shoes`: the old trousers' hem labelled as shoes at most this many hip widths
# long (OOTDiffusion's 051962 on estimated regions: jeans 20 px over the trainers, ~0.17 hw)
BOUND_GROW = 0.008  # the person grown by this fraction of the image height bounds the warped garment
FEET_BELOW_ANKLE = 0.2  # feet: below the ankle joint + this many hip widths
ARM_REACH = 0.4  # `front_without_parse`: arms and hands within this many hip widths of their bones
CLEARLY = 0.6  # ... and a colour this much nearer the arm's (the top's) than the clothes' under the garment
SEPARATE = 20.0  # ... using only arm (top) colours at least this far (Lab) from the clothes' (`_coloured_as`)
_ARM_CHAINS = ((2, 3, 4), (5, 6, 7))  # BODY_25 shoulder, elbow, wrist
LEG_REACH = 0.45  # `_legs_mislabelled`: pixels within this many hip widths of a leg's bones (hip, knee, ankle)
# (Dress Code 020719's shins ~0.35 hw from the bone at the knee)
LEG_RIM_PX = 6.0  # ... and the clothes' pixels within this many (at 1024 rows) of both those legs and the wall
RIM_SHARE = 0.35  # ... in a thin band: under this share of clothes pixels in a window of 4 LEG_RIM_PX (a 6 px rim:
# ~0.25; a dress's side: ~0.5)
LEG_FROM = 0.5  # ... below this share of the way from the hips to the knees (a slit's reach; the hands hang above)
HAND_REACH = 1.0  # ... and farther than this many hip widths from the wrists (a hand the label map calls dress)
LEG_MIN_PX = 200  # ... read the skin's colours from the visible legs when this many show, else from the arms
_SKIRTS = (6, 12)  # dress, skirt: an old garment whose outline bounds a new skirt or dress row by row
_LEG_CHAINS = ((9, 10, 11), (12, 13, 14))  # BODY_25 hip, knee, ankle: right leg (LIP 17), left leg (LIP 16)
#: The label the background between the legs under a dress takes for the composite: socks, body but neither old
#: clothes (no light is read from it) nor skin (no skin colour sampled from it) nor background (not cut by the fit).
GAP_LABEL = 8
#: `_skirt_between_legs`: old lower-garment pixels filling more than SKIRT_FILL of a square SKIRT_BOX hip widths wide
#: midway between the thighs, above bare shins, are a skirt or a dress's skirt (two old trouser legs leave the wall
#: between them, or hide the shins)
SKIRT_FILL = 0.9
SKIRT_BOX = 0.2
#: ... or above shins clothed in another colour, median Lab this far from the box's (tights under a skirt)
TIGHTS_APART = 25.0


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
    tuck: tuple[str, ...]  # per batch item for lower garments ("in" / "out"), () for dresses


def _tucked_parse(parse: Tensor, pairs: KeypointPairs, tuck: str, covered: Tensor) -> tuple[Tensor, str]:
    """The parse map the composite sees, and the tuck used: "in" relabels the top below the new waist as pants
    where the new garment lies (`covered` (B, H, W) bool); beyond it the top stays as it is (a sleeve or a shirt's
    side hanging below the waistband was repainted as skin or wall)."""
    wl, wr = pairs.names.index("waist_left"), pairs.names.index("waist_right")
    p = pairs.person_px.detach().to(parse.device)
    waist_y = ((p[:, wl, 1] + p[:, wr, 1]) / 2).reshape(-1, 1, 1)
    hw = (p[:, wl, :2] - p[:, wr, :2]).norm(dim=-1).reshape(-1, 1, 1)
    rows = torch.arange(parse.shape[-2], device=parse.device).reshape(1, -1, 1)
    # an old dress: its bodice is the top (in front over the waistband), its skirt the old lower garment (replaced)
    parse = torch.where((parse == 6) & (rows > waist_y), torch.full_like(parse, 9), parse)
    parse = torch.where(parse == 6, torch.full_like(parse, 5), parse)
    parse = _specks_of_top(parse, hw.reshape(-1))
    parse = _coat_above_waist(parse, covered, waist_y.reshape(-1), hw.reshape(-1))
    # the top worn over or under the new lower garment: upper clothes and coat
    top = labels_in(parse, KFVTON_UPPER_CLOTHES)
    if tuck == "auto":
        reach = top & (rows > waist_y + TUCK_REACH * hw)
        far = bool(reach.flatten(1).float().sum(1).gt(0.002 * parse[0].numel()).any())
        tuck = "out" if far or _over_waist(top, p[:, [wl, wr], :2], hw.reshape(-1)) else "in"
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
        top = labels_in(parse, KFVTON_UPPER_CLOTHES)
        parse = torch.where(below & top, torch.full_like(parse, 16), parse)
    if tuck == "out":
        return parse, tuck
    return torch.where(top & covered & (rows > waist_y), torch.full_like(parse, 9), parse), tuck


def _over_waist(top: Tensor, corners: Tensor, hw: Tensor) -> bool:
    """Whether the old top hangs over the new waist line in some item: `top` (B, H, W) bool covers most of the
    row `TUCK_OVER` waist widths below the waist's centre, across the middle `TUCK_MIDDLE` of the waist
    (`corners` (B, 2, 2) the waist corners' xy, `hw` (B,) the waist widths). Placement raises a waistband hidden
    under a hanging top (`HIDDEN_WAIST`) above the top's hem: the top is worn over it, not tucked."""
    h, w = top.shape[-2:]
    for i in range(top.shape[0]):
        centre = corners[i].mean(0)
        xs = torch.linspace(-TUCK_MIDDLE / 2, TUCK_MIDDLE / 2, 17, device=top.device) * hw[i] + centre[0]
        y = int((centre[1] + TUCK_OVER * hw[i]).round().clamp(0, h - 1))
        x = xs.round().long().clamp(0, w - 1)
        if float(top[i if top.shape[0] > 1 else 0, y, x].float().mean()) > 0.5:
            return True
    return False


def _coat_above_waist(parse: Tensor, covered: Tensor, waist_y: Tensor, hw: Tensor) -> Tensor:
    """`parse` (B, H, W) with each piece of old pants / skirt pixels beyond the new garment (`covered` (B, H, W)
    bool) that reaches more than `COAT_ABOVE` waist widths (`hw` (B,)) above the new waist line (`waist_y` (B,)
    rows) relabelled as a coat: trousers end at their waistband (placement puts the new one at the old one's top
    edge or above), so that piece is something of the same colour that the estimated regions took for them, an
    open jacket or a shirt's hem (013569's denim jacket was repainted as skin); kept as it is, down to the new
    garment's hem (below it old trouser legs are freed legs)."""
    old = labels_in(parse, (9, 12)) & ~covered
    rows = torch.arange(parse.shape[-2], device=parse.device).reshape(1, -1, 1)
    above = old & (rows < (waist_y - COAT_ABOVE * hw).reshape(-1, 1, 1))
    if not bool(above.any()):
        return parse
    out = parse.clone()
    for i in range(parse.shape[0]):
        if not bool(above[i].any()):
            continue
        _, comp = cv2.connectedComponents(old[i].cpu().numpy().astype(np.uint8), connectivity=8)
        high = np.unique(comp[above[i].cpu().numpy()])
        coat = np.isin(comp, high[high > 0])
        hem = covered[i].any(-1).nonzero()
        if hem.numel():  # never below the new garment's hem: old trouser legs there are freed, not a coat
            coat[int(hem.max()) + 1 :] = False
        out[i][torch.from_numpy(coat).to(parse.device)] = 7
    return out


def _specks_of_top(parse: Tensor, hw: Tensor) -> Tensor:
    """`parse` (B, H, W) with old lower-garment pixels (pants, skirt) among mostly top pixels (upper clothes, coat)
    relabelled as top: within a window of `SPECK_WINDOW` waist widths (`hw` (B,) pixels) more top than lower
    garment, or a speckled mix of the two (`SPECK_CHANGES`). Estimated regions split a printed top's hem against
    denim pixel by pixel; the specks called trousers were repainted as wall where the new garment does not reach,
    riddling the top's hem with white (013566's flared blouse). A label map's straight boundary keeps its pixels."""
    k = max(3, int(SPECK_WINDOW * float(hw.max())) | 1)
    t = labels_in(parse, KFVTON_UPPER_CLOTHES)
    lower = labels_in(parse, (9, 12))
    # (`box_share`: the windows' shares as average pooling gives them, at O(1) a pixel: the pooling took ~0.8 s)
    share_top, share_lower = box_share(t, k), box_share(lower, k)
    # speckled: the two labels alternate pixel by pixel (a straight boundary changes once across the window)
    change = torch.zeros_like(t)
    change[..., :, 1:] |= (t[..., :, 1:] & lower[..., :, :-1]) | (lower[..., :, 1:] & t[..., :, :-1])
    change[..., 1:, :] |= (t[..., 1:, :] & lower[..., :-1, :]) | (lower[..., 1:, :] & t[..., :-1, :])
    density = box_share(change, k)
    speckled = density > SPECK_CHANGES / k
    to_top = lower & ((share_top > SPECK_MAJORITY * share_lower) | (speckled & (share_top > 0.2)))
    return torch.where(to_top, torch.full_like(parse, 5), parse)


def _hip_width_px(joints: Tensor, i: int) -> float | None:
    """The distance (pixels) between the hip joints of item `i` of `joints` (B or 1, 25, 3) BODY_25 pixels; None when
    either hip is missing."""
    j = joints[i if joints.shape[0] > 1 else 0].detach().cpu().numpy()
    if j[9, 2] <= PRESENT_THRESHOLD or j[12, 2] <= PRESENT_THRESHOLD:
        return None
    return float(np.linalg.norm(j[12, :2] - j[9, :2]))


def _legs_mislabelled(parse: Tensor, person: Tensor, joints: Tensor) -> Tensor:
    """`parse` (B, H, W) with old clothes (top, coat, dress, pants, skirt) and background pixels relabelled as legs
    where they lie below `LEG_FROM` of the thighs, within `LEG_REACH` hip widths of a leg's bones (`joints` (B or
    1, 25, 3) BODY_25 pixels), off the hands (`HAND_REACH`), and are `CLEARLY` nearer the skin's colours (the
    visible legs', else the arms') than any of the old clothes' or the background's beside the legs (below the hips,
    farther from their bones); with the legs' thin rim against the wall (`_leg_rim`), and the clothes' parts between
    the legs and the shoes as shoes (`_between_legs_and_shoes`). Estimated regions labelled the bare legs under Dress
    Code 020719's slit and asymmetric hem as the dress, and 020717's shins under its hem as background: repainted (a
    pale, smeared tube over the real legs) or filled as the wall. A skin-coloured dress stays a dress (its colours
    are not told apart from the skin's: `_coloured_as`). `person` (B or 1, 3, H, W) [0, 1]."""
    out = parse.clone()
    h, w = parse.shape[-2:]
    for i in range(parse.shape[0]):
        hips = _hip_width_px(joints, i)
        if hips is None:
            continue
        j = joints[i if joints.shape[0] > 1 else 0].detach().cpu().numpy()
        p = parse[i].cpu().numpy()
        bones, side = _near_leg_bones(j, (h, w), max(2, round(LEG_REACH * hips)))
        below = np.arange(h)[:, None] > min(j[9, 1], j[12, 1])
        near = bones & _off_the_hands(j, (h, w), hips) & (np.arange(h)[:, None] > _mid_thigh_y(j))
        clothes = np.isin(p, (5, 6, 7, 9, 12))
        candidates = near & (clothes | (p == 0))
        legs = np.isin(p, (16, 17))
        skin = legs if legs.sum() >= LEG_MIN_PX else np.isin(p, (14, 15))
        if not candidates.any() or skin.sum() < LEG_MIN_PX:
            continue
        rgb = person[i if person.shape[0] > 1 else 0].detach().float().permute(1, 2, 0).cpu().numpy()
        lab = to_lab(np.ascontiguousarray(rgb))
        around = below & ~bones  # (the clothes and the wall beside the legs: the mislabelled legs are among them)
        others = []
        for kind in (clothes & around, (p == 0) & around):
            if kind.sum() >= LEG_MIN_PX:
                others += main_colours(lab[kind], k=3, share=0.1)
        like = _coloured_as(lab, main_colours(lab[skin], k=2, share=0.2), others, where=candidates)
        like |= _leg_rim(clothes & ~like, near, like | (legs & near), (p == 0) & ~like, h)
        socks = _between_legs_and_shoes(clothes & ~like, np.isin(p, (18, 19)), min(j[10, 1], j[13, 1]))
        for mask, label in ((like & side, 16), (like & ~side, 17), (socks & side, 18), (socks & ~side, 19)):
            out[i][torch.from_numpy(mask).to(parse.device)] = label
    return out


def _between_legs_and_shoes(clothes: np.ndarray, shoes: np.ndarray, knee_y: float) -> np.ndarray:
    """(H, W) bool: the parts of `clothes` (H, W) bool lying wholly below `knee_y` (the higher knee joint's row) and
    touching the `shoes` (H, W) bool: socks or a shoe's top, which estimated regions labelled as the dress (Dress
    Code 020719's black socks, repainted as a skin tube ending above a shoe cut flat). A long skirt reaching the shoes
    is one part with the skirt above the knees: kept."""
    if not shoes.any():
        return np.zeros_like(clothes)
    _, parts, stats, _ = cv2.connectedComponentsWithStats(clothes.astype(np.uint8), connectivity=8)
    touching = np.unique(parts[cv2.dilate(shoes.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0])
    low = [k for k in touching if k > 0 and stats[k, cv2.CC_STAT_TOP] > knee_y]
    return np.isin(parts, low)


def _leg_rim(clothes: np.ndarray, near: np.ndarray, legs: np.ndarray, wall: np.ndarray, h: int) -> np.ndarray:
    """(H, W) bool: the `clothes` pixels `near` the leg bones within `LEG_RIM_PX` (at 1024 rows, image height `h`) of
    both the `legs` and the `wall` (background), in a thin band (under `RIM_SHARE` of the clothes in a window twice
    as wide), each (H, W) bool: a bare leg's outline against the wall, its colours mixed with the wall's (not clearly
    the skin's), labelled as the dress by estimated regions (Dress Code 020719: 3-6 px). A dress's own side seam
    beside a leg's sliver is not thin: kept (020718's label map)."""
    r = max(1, round(LEG_RIM_PX * h / 1024))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    by_legs = cv2.dilate(legs.astype(np.uint8), kernel) > 0
    by_wall = cv2.dilate(wall.astype(np.uint8), kernel) > 0
    share = cv2.blur(clothes.astype(np.float32), (4 * r + 1, 4 * r + 1))
    return clothes & near & by_legs & by_wall & (share < RIM_SHARE)


def _mid_thigh_y(j: np.ndarray) -> float:
    """The row `LEG_FROM` of the way from the higher hip joint down to the higher knee joint of `j` (25, 3) BODY_25
    pixels (the hips' row when a knee is missing)."""
    hip_y = min(j[9, 1], j[12, 1])
    if j[10, 2] <= PRESENT_THRESHOLD or j[13, 2] <= PRESENT_THRESHOLD:
        return float(hip_y)
    return float(hip_y + LEG_FROM * (min(j[10, 1], j[13, 1]) - hip_y))


def _off_the_hands(j: np.ndarray, size_hw: tuple[int, int], hips: float) -> np.ndarray:
    """(H, W) bool: farther than `HAND_REACH` hip widths (`hips` pixels) from both wrist joints of `j` (25, 3)."""
    yy, xx = np.mgrid[: size_hw[0], : size_hw[1]]
    off = np.ones(size_hw, bool)
    for k in (4, 7):
        if j[k, 2] > PRESENT_THRESHOLD:
            off &= (yy - j[k, 1]) ** 2 + (xx - j[k, 0]) ** 2 > (HAND_REACH * hips) ** 2
    return off


def _near_leg_bones(j: np.ndarray, size_hw: tuple[int, int], reach: int) -> tuple[np.ndarray, np.ndarray]:
    """(near, left): (H, W) bool pixels within `reach` pixels of either leg's bones (hip -> knee -> ankle of `j`
    (25, 3) BODY_25 pixels, present joints only), and those nearer the left leg's."""
    dist = []
    for chain in _LEG_CHAINS:
        canvas = np.full(size_hw, 255, np.uint8)
        for a, b in zip(chain[:-1], chain[1:], strict=True):
            if j[a, 2] > PRESENT_THRESHOLD and j[b, 2] > PRESENT_THRESHOLD:
                cv2.line(canvas, tuple(int(v) for v in j[a, :2]), tuple(int(v) for v in j[b, :2]), 0, 1)
        dist.append(cv2.distanceTransform(canvas, cv2.DIST_L2, 3))
    return np.minimum(dist[0], dist[1]) <= reach, dist[1] < dist[0]


def _trouser_hem_on_shoes(parse: Tensor, person: Tensor, joints: Tensor) -> Tensor:
    """`parse` (B, H, W) with the shoes' pixels just below the old trousers relabelled as them where they are
    coloured as them: each column's run of such pixels down from the trousers' labelled hem, at most `HEM_ON_SHOES`
    hip widths (`joints` (B or 1, 25, 3) BODY_25 pixels) long, `CLEARLY` nearer the trousers' colours (their band
    just above the hem) than any of the shoes' (their lower half). Estimated regions label the hem of full-length
    trousers over the shoes as shoes: kept in front, it stayed as a strip of the old jeans between the new trousers,
    which end at the ankle, and the shoes. `person` (B or 1, 3, H, W) [0, 1]."""
    out = parse.clone()
    h = parse.shape[-2]
    for i in range(parse.shape[0]):
        hips = _hip_width_px(joints, i)
        if hips is None:
            continue
        k = max(2, round(HEM_ON_SHOES * hips))
        p = parse[i].cpu().numpy()
        pants, shoes = p == 9, np.isin(p, (18, 19))
        edge = shoes & np.roll(pants, 1, axis=0)  # shoe pixels right below a trousers pixel
        edge[0] = False
        if edge.sum() < 10:
            continue
        ys, xs = edge.nonzero()
        y0, y1 = max(0, int(ys.min()) - k), min(h, int(ys.max()) + 2 * k + 1)
        x0, x1 = int(xs.min()), int(xs.max()) + 1
        rgb = person[i if person.shape[0] > 1 else 0, :, y0:y1, x0:x1].detach().float().permute(1, 2, 0).cpu().numpy()
        lab = to_lab(rgb)
        pc, sc = pants[y0:y1, x0:x1], shoes[y0:y1, x0:x1]
        rows = np.arange(y0, y1)[:, None]
        band = pc & (rows >= int(ys.min()) - k)
        sole = sc & (rows > int(ys.max()) + k)  # the shoes' own colours, well below the hem
        if band.sum() < 20 or sole.sum() < 20:
            continue
        like = _coloured_as(
            lab, main_colours(lab[band], k=2, share=0.2), main_colours(lab[sole], k=3, share=0.1), where=sc
        )
        run = np.zeros_like(like)
        below = pc[0].copy()
        for r in range(like.shape[0]):  # down each column from the labelled hem while coloured as the trousers
            run[r] = like[r] & below & (rows[r, 0] < int(ys.max()) + k)
            below = run[r] | pc[r]
        out[i, y0:y1, x0:x1][torch.from_numpy(run)] = 9
    return out


def _waistband_under_top(parse: Tensor, person: Tensor, joints: Tensor) -> Tensor:
    """`parse` (B, H, W) with the top's pixels (upper clothes, coat) just above the old lower garment (pants, skirt)
    relabelled as it where they are coloured as it: each column's run of such pixels up from the labelled edge, at most
    `WAISTBAND_EDGE` hip widths (`joints` (B or 1, 25, 3) BODY_25 pixels) long, `CLEARLY` nearer the old garment's
    colour (its band just below the edge) than any of the top's main colours (its band just above). A parse map's
    boundary between a top and the trousers lies a few pixels off the colour edge; the old waistband's top rows labelled
    as the top were kept in front of the new garment (a sliver of the old colour along the new waistband) and placed the
    new waist that much low. `person` (B or 1, 3, H, W) [0, 1]."""
    out = parse.clone()
    h, w = parse.shape[-2:]
    for i in range(parse.shape[0]):
        hips = _hip_width_px(joints, i)
        if hips is None:
            continue
        k = max(2, round(WAISTBAND_EDGE * hips))
        p = parse[i].cpu().numpy()
        old = np.isin(p, (9, 12))
        top = np.isin(p, KFVTON_UPPER_CLOTHES)
        edge = top & np.roll(old, -1, axis=0)  # top pixels right above an old lower-garment pixel
        edge[-1] = False
        if edge.sum() < 10:
            continue
        ys, xs = edge.nonzero()
        y0, y1 = max(0, int(ys.min()) - 3 * k), min(h, int(ys.max()) + 3 * k + 1)
        x0, x1 = int(xs.min()), int(xs.max()) + 1
        rgb = person[i if person.shape[0] > 1 else 0, :, y0:y1, x0:x1].detach().float().permute(1, 2, 0).cpu().numpy()
        lab = to_lab(rgb)
        o, t = old[y0:y1, x0:x1], top[y0:y1, x0:x1]
        rows = np.arange(y1 - y0)[:, None]
        lo, hi = int(ys.min()) - y0, int(ys.max()) - y0
        below = o & (rows > lo) & (rows <= hi + 2 * k)  # the old garment's band under its edge
        above = t & (rows < hi - k) & (rows >= lo - 3 * k)  # the top's band above the strip tested
        if below.sum() < 20 or above.sum() < 20:
            continue
        d_old = np.linalg.norm(lab - np.median(lab[below], axis=0), axis=-1)
        # the top's own colours, each: a print's dark stripes next to dark trousers are the top (013564's zebra hem)
        d_top = np.min([np.linalg.norm(lab - c, axis=-1) for c in main_colours(lab[above], k=3, share=0.1)], axis=0)
        cand = t & (d_old < CLEARLY * d_top)
        run = o.copy()
        for _ in range(k):  # each column's run of candidates up from the old garment, k rows at most
            run[:-1] |= run[1:] & cand[:-1]
        grown = run & t
        if not grown.any():
            continue
        label = 12 if (p[old] == 12).sum() > (p[old] == 9).sum() else 9
        out[i, y0:y1, x0:x1][torch.from_numpy(grown).to(parse.device)] = label
    return out


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


def _beyond_arms(parse: Tensor, joints: Tensor) -> Tensor:
    """(B, H, W) bool: `beyond_arms` of the (B or 1, 25, 3) BODY_25 `joints` for each item of `parse` (B, H, W)."""
    size = tuple(parse.shape[-2:])
    return torch.stack([beyond_arms(joints[i if joints.shape[0] > 1 else 0], size) for i in range(parse.shape[0])]).to(
        parse.device
    )


def _bags_beside_arms(parse: Tensor, beyond: Tensor) -> Tensor:
    """`parse` (B, H, W) with its clothes labels (top, coat, dress, pants, skirt) in `beyond` (B, H, W) bool, the
    `beyond_arms` pixels, set to background: a bag held or hung beside a forearm, which estimated regions label as
    clothes, is kept as it is (not repainted) and neither widens nor bounds the new garment."""
    return torch.where(beyond & labels_in(parse, (5, 6, 7, 9, 12)), torch.zeros_like(parse), parse)


def _between_legs(parse: Tensor, hips_y: Tensor) -> Tensor:
    """(B, H, W) bool: background pixels below the hip joints (`hips_y` (B,) pixels) between each row's outermost
    body pixels (arms and hands excluded; `_skirt_span`: on rows without an old dress or skirt at least as far
    apart as on any row between the hips and it)."""
    torso = (parse > 0) & ~labels_in(parse, NOT_BODY)
    cols, left, right = _skirt_span(torso, parse, hips_y)
    rows = torch.arange(parse.shape[-2], device=parse.device).reshape(1, -1, 1)
    below = rows > hips_y.to(parse.device).reshape(-1, 1, 1)
    return (parse == 0) & below & (((cols > left) & (cols < right)) | _legs_apart_rows(torso, parse)[..., None])


def _held_off_trousers(parse: Tensor, skirt: Tensor) -> Tensor:
    """(B, H, W) bool: the old lower garment (pants, skirt labels of `parse` (B, H, W)) the composite's fit must not
    grow new trousers or shorts over: all of it where `skirt` (B,) bool (`_skirt_under_trousers`: an old skirt or a
    dress's skirt, not two trouser legs, under long trousers), none elsewhere (old trousers a little wider than the
    new ones are grown over: held off too, Dress Code lower_body's paired SSIM fell from .626 to .609). Grown
    sideways by the fit, the trousers got streaked flaps over a dress's skirt and their crotch gap closed (Outfit
    Anyone model_9, white dress, pink jeans)."""
    return labels_in(parse, (9, 12)) & skirt.to(parse.device).reshape(-1, 1, 1)


def _skirt_out_of_silhouette(parse: Tensor, joints: Tensor, skirt: Tensor) -> Tensor:
    """`parse` (B, H, W) for placing trousers or shorts: where `skirt` (B,) bool (`_skirt_under_trousers`: the old
    lower garment is a skirt or a dress's skirt and the new garment long trousers), its pixels (pants, skirt) below
    the hip joints (`joints` (B, 25, 3) BODY_25 pixels) are background.
    The legs under it do not show: the trousers' hips and thighs take the body's prior widths, not the skirt's
    flare (fitted to a white A-line dress, pink jeans got a seat as wide as its hem, flaps at the hips)."""
    old = labels_in(parse, (9, 12))
    rows = torch.arange(parse.shape[-2], device=parse.device).reshape(1, -1, 1)
    hips_y = joints[:, [9, 12], 1].mean(-1).to(parse.device).reshape(-1, 1, 1)
    below = skirt.to(parse.device).reshape(-1, 1, 1) & old & (rows > hips_y)
    return torch.where(below, torch.zeros_like(parse), parse)


def _skirt_under_trousers(parse: Tensor, joints: Tensor, long: Tensor, person: Tensor | None = None) -> Tensor:
    """(B,) bool on the CPU: the old lower garment is a skirt or a dress's skirt (`_skirt_between_legs` of `parse`
    (B, H, W), `joints` (B, 25, 3) BODY_25 pixels and `person` (B, 3, H, W) [0, 1]) and the new garment long
    trousers (`long` (B,) bool: shorts over shorts whose thighs touch read as a skirt, Dress Code 013563-5, and
    fitted to the priors the paired SSIM fell from .626 to .609). Read once per try-on, for the placement
    (`_skirt_out_of_silhouette`) and the composite (`_held_off_trousers`)."""
    return _skirt_between_legs(parse, joints, person) & long.cpu()


def _skirt_between_legs(parse: Tensor, joints: Tensor, person: Tensor | None = None) -> Tensor:
    """(B,) bool: the old lower garment of `parse` (B, H, W) is a skirt or a dress's skirt: its pixels (dress, pants,
    skirt) fill more than `SKIRT_FILL` of a square `SKIRT_BOX` hip widths wide midway between the thigh bones at
    mid-thigh (`_mid_thigh_y`; `joints` (B, 25, 3) BODY_25 pixels: it hangs across the gap between the legs), and
    either the map calls them skirt or dress there (a label map's skirt over tights), or the shins show bare below
    it (leg labels on more than half of the middle of each knee -> ankle bone), or, with `person` (B, 3, H, W)
    [0, 1], the shins are clothes of another colour than the box's (tights under a skirt, both called pants by
    estimated regions: median Lab `TIGHTS_APART` apart). Two trouser legs leave the wall between them, or (legs
    together) hide the shins in the trousers' own colour."""
    old = labels_in(parse, (6, 9, 12)).cpu()  # (a dress: the composite's parse calls its skirt pants)
    named = labels_in(parse, _SKIRTS).cpu()
    bare = labels_in(parse, (16, 17)).cpu()
    rgb = None if person is None else person.detach().float()
    if rgb is not None and tuple(rgb.shape[-2:]) != tuple(parse.shape[-2:]):
        rgb = F.interpolate(rgb, size=tuple(parse.shape[-2:]), mode="bilinear", align_corners=False)
    out = torch.zeros(old.shape[0], dtype=torch.bool)
    h, w = old.shape[-2:]
    for i, j in enumerate(joints.detach().float().cpu().numpy()):
        if min(j[k, 2] for k in (9, 10, 11, 12, 13, 14)) <= PRESENT_THRESHOLD:
            continue
        y = _mid_thigh_y(j)
        xs = []
        for hip, knee in ((9, 10), (12, 13)):  # each thigh bone's column at that row
            t = (y - j[hip, 1]) / max(1.0, float(j[knee, 1] - j[hip, 1]))
            xs.append(j[hip, 0] + float(np.clip(t, 0.0, 1.0)) * (j[knee, 0] - j[hip, 0]))
        r = max(1, round(SKIRT_BOX / 2 * float(np.hypot(*(j[12, :2] - j[9, :2])))))
        cx, cy = round(sum(xs) / 2), round(y)
        rows, cols = slice(max(0, cy - r), min(h, cy + r + 1)), slice(max(0, cx - r), min(w, cx + r + 1))
        box = old[i, rows, cols]
        if box.numel() == 0 or float(box.float().mean()) <= SKIRT_FILL:
            continue
        if float(named[i, rows, cols].float().mean()) > SKIRT_FILL:
            out[i] = True
            continue
        ts = np.linspace(0.3, 0.7, 9)[:, None]
        shins = np.concatenate([j[k, :2] + ts * (j[a, :2] - j[k, :2]) for k, a in ((10, 11), (13, 14))])
        xy = np.clip(shins.round().astype(np.int64), 0, [w - 1, h - 1])
        out[i] = float(bare[i, xy[:, 1], xy[:, 0]].float().mean()) > 0.5
        clothed = old[i, xy[:, 1], xy[:, 0]].numpy()
        if not out[i] and rgb is not None and clothed.mean() > 0.5:
            img = rgb[i % rgb.shape[0]].clamp(0, 1).cpu()
            shin = img[:, xy[clothed, 1], xy[clothed, 0]].T.numpy()  # (N, 3) RGB
            skirt = img[:, rows, cols].permute(1, 2, 0)[box].numpy()
            apart = np.median(to_lab(shin[None])[0], axis=0) - np.median(to_lab(skirt[None])[0], axis=0)
            out[i] = float(np.linalg.norm(apart)) > TIGHTS_APART
    return out


def _row_span(mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(column indices, leftmost, rightmost) of `mask` (..., H, W) bool per row, each broadcastable against it
    (left = W and right = -W on empty rows)."""
    w = mask.shape[-1]
    cols = torch.arange(w, device=mask.device).reshape(*([1] * (mask.dim() - 1)), w)
    big = torch.full_like(cols, w)
    left = torch.where(mask, cols, big).amin(-1, keepdim=True)
    right = torch.where(mask, cols, -big).amax(-1, keepdim=True)
    return cols, left, right


def _skirt_span(mask: Tensor, parse: Tensor, hips_y: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
    """`_row_span` of `mask` (B, H, W) or (B, 1, H, W) bool, where each non-empty row below `hips_y` (B,) pixels
    (None: no row) showing no old dress or skirt (`_SKIRTS` in `parse` (B, H, W)) spans at least every row between
    the hips and it: a skirt never narrows below its hips, nor where it may lie; under an old dress or skirt its
    own outline still bounds. Row by row, the bare legs under a short old dress (OOTDiffusion model_9) or
    leggings whose legs touch above the knees (CatVTON 049713) cut a longer, flared new dress to the legs there,
    its sides then stepping out where the old hem or the legs parting let them (a lampshade's square corners)."""
    cols, left, right = _row_span(mask)
    if hips_y is None:
        return cols, left, right
    w = mask.shape[-1]
    rows = torch.arange(mask.shape[-2], device=mask.device).reshape(-1, 1)
    below = (rows > hips_y.to(mask.device).reshape(-1, *([1] * (mask.dim() - 1)))) & (left < w)
    widest_l = torch.where(below, left, torch.full_like(left, w)).cummin(dim=-2).values
    widest_r = torch.where(below, right, torch.full_like(right, -w)).cummax(dim=-2).values
    free = below & ~labels_in(parse, _SKIRTS).any(-1).reshape(left.shape)
    return cols, torch.where(free, widest_l, left), torch.where(free, widest_r, right)


def _legs_apart_rows(torso: Tensor, parse: Tensor) -> Tensor:
    """(B, H) bool: rows where the body (B, H, W) bool shows two legs apart (at least two runs of 5+ pixels) in
    trousers (pants labels in `parse` (B, H, W) on the row): no old skirt or dress there, so a new one keeps its own
    flare."""
    x = torso.float()[:, None]
    opened = -F.max_pool2d(-x, (1, 5), 1, (0, 2))
    opened = F.max_pool2d(opened, (1, 5), 1, (0, 2))[:, 0] > 0.5
    rising = (opened[..., 1:] & ~opened[..., :-1]).sum(-1) + opened[..., 0].long()
    return (rising >= 2) & (parse == 9).any(-1)


def person_bound(parse: Tensor, hip_width_px: Tensor, *, span: bool, hips_y: Tensor | None = None) -> Tensor:
    """Where a lower garment or dress may lie on the person (module docstring).

    Args:
        parse: (B, H, W) int64 LIP-20 labels.
        hip_width_px: (B,) float, the hip-joint distance in pixels (the flare allowance's unit).
        span: also allow each row's span between the outermost non-arm body pixels, widened (skirts, dresses).
        hips_y: optional (B,) float, the hip joints' mean row in pixels: below it each row's span is at least
            every one between it and the hips on rows without an old dress or skirt (`_skirt_span`).

    Returns:
        (B, 1, H, W) bool.
    """
    body = (parse > 0)[:, None]
    allowed = body
    if span:
        torso = body & ~labels_in(parse, NOT_BODY)[:, None]
        cols, left, right = _skirt_span(torso, parse, hips_y)
        grow = (SIL_LOOSE * hip_width_px.to(parse.device)).reshape(-1, 1, 1, 1)
        allowed = allowed | ((cols >= left - grow) & (cols <= right + grow))
        allowed = allowed | _legs_apart_rows(torso[:, 0], parse)[:, None, :, None]  # the garment's own flare there
    r = max(1, round(BOUND_GROW * parse.shape[-2]))
    return dilate_square(allowed[:, 0], r)[:, None]


def _flared_legs(pairs: KeypointPairs) -> Tensor:
    """(B, 1, H, W) bool: each flared trouser leg's (`leg_flare`) placed outline (hip point and crotch, its side
    points down both sides, its hem corners across), grown by `BOUND_GROW` of the height as the person bound is.
    That bound, cut to tight old trousers, leggings or bare shins, trimmed the flare the placement gave
    (OOTDiffusion 051991's navy flares on CatVTON 049713 came out as straight tubes; allowed from its side points
    down only, the leg stepped out there)."""
    h, w = pairs.person_hw
    idx = {n: k for k, n in enumerate(pairs.names)}
    out = np.zeros((pairs.batch_size, h, w), np.uint8)
    ks = range(1, len(SIDE_AT) + 1)
    for i in range(pairs.batch_size):
        gp, pp = pairs.garment_px[i].detach().cpu().double(), pairs.person_px[i].detach().cpu().double()
        for side in ("right", "left"):
            names = (
                f"hip_{side}",
                *(f"leg_{side}_outer_{k}" for k in ks),
                f"leg_{side}_outer",
                f"leg_{side}_inner",
                *(f"leg_{side}_inner_{k}" for k in reversed(ks)),
                "crotch",
            )
            if leg_flare(gp, idx, side) is None or any(n not in idx or pp[idx[n], 2] <= 0 for n in names):
                continue
            outline = np.round(pp[[idx[n] for n in names], :2].numpy()).astype(np.int32)
            cv2.fillPoly(out[i], [outline], 1)
    return dilate_square(torch.from_numpy(out > 0), max(1, round(BOUND_GROW * h)))[:, None]


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


@dataclass(frozen=True)
class FrontWithoutParse:
    """What stays in front of a lower garment or dress without a parse map (`front_without_parse`).

    Attributes:
        mask: (B, 1, H, W) bool, arms, hands and (tuck "out") the top over the waistband.
        tuck: "in" or "out" per batch item for lower garments (the top kept in front or covered), () for dresses.
    """

    mask: Tensor
    tuck: tuple[str, ...]


def front_without_parse(person: Tensor, pairs: KeypointPairs, clothes: Tensor, tuck: str | None) -> FrontWithoutParse:
    """Arms, hands and the top over the waistband, found from the pose and the colours (module docstring), for the
    composite without a parse map: the garment is cut there as under the feet.

    Args:
        person: (B or 1, 3, H, W) float [0, 1].
        pairs: the placed `KeypointPairs` (with their pose; lower garments also name the waist corners, and the
            crotch for trousers and shorts).
        clothes: (B, H, W) bool, where the warped garment lies.
        tuck: "auto", "in" or "out" for lower garments (module docstring); None for dresses (arms only).

    Returns:
        `FrontWithoutParse`.
    """
    b, (h, w) = clothes.shape[0], clothes.shape[-2:]
    scale = 0.5  # colours and distances at half the resolution (the mask is smooth at that scale)
    hs, ws = max(1, round(h * scale)), max(1, round(w * scale))
    joints = pairs.pose.rescaled(pairs.person_hw).joints.detach().double().cpu().numpy()
    p = pairs.person_px.detach().double().cpu().numpy()
    names = pairs.names
    small = F.interpolate(person.detach().float(), size=(hs, ws), mode="area").permute(0, 2, 3, 1).cpu().numpy()
    kept = F.interpolate(clothes[:, None].float(), size=(hs, ws), mode="area")[:, 0].cpu().numpy() > 0.5
    out, tucks = [], []
    for i in range(b):
        j = joints[i if joints.shape[0] > 1 else 0].copy()
        j[:, :2] *= scale
        low_y = None  # the lowest row the top may cover: the crotch (trousers), else 0.3 thigh below the hips
        if tuck is not None and tuck != "in":
            c = names.index("crotch") if "crotch" in names else None
            if c is not None and p[i, c, 2] > 0:
                low_y = float(p[i, c, 1]) * scale
            else:
                low_y = float(j[[9, 12], 1].mean() + 0.3 * np.linalg.norm(j[10, :2] - j[9, :2]))
        mask, used = _front_one(small[i if small.shape[0] > 1 else 0], j, kept[i], low_y, tuck)
        out.append(mask)
        if tuck is not None:
            tucks.append(used)
    front = torch.from_numpy(np.stack(out)).float()[:, None]
    front = F.interpolate(front, size=(h, w), mode="bilinear", align_corners=False) > 0.5
    return FrontWithoutParse(front.to(clothes.device), tuple(tucks))


def _front_one(
    rgb: np.ndarray,
    j: np.ndarray,
    clothes: np.ndarray,
    low_y: float | None,
    tuck: str | None,
) -> tuple[np.ndarray, str]:
    """(mask, tuck used) of one item: `rgb` (H, W, 3) [0, 1], `j` (25, 3) BODY_25 joints in its pixels, `clothes`
    (H, W) bool, `low_y` the lowest row the top may cover (None: no top kept)."""
    h, w = clothes.shape
    lab = to_lab(rgb)
    hw = max(1.0, float(np.linalg.norm(j[12, :2] - j[9, :2])))
    bone = max(1.0, 0.08 * hw)

    def at(k: int) -> np.ndarray | None:
        return j[k, :2] if j[k, 2] > PRESENT_THRESHOLD else None

    zones, axes, colours = [], [], []
    for chain in _ARM_CHAINS:
        pts = [at(k) for k in chain]
        full = [*pts, hand_tip(pts)]
        zones.append(chain_distance((h, w), full) <= ARM_REACH * hw)
        axes.append(chain_distance((h, w), full) <= bone)
        # the arm's colours: each segment's own (a sleeve, a bare forearm and a hand differ)
        segments = [chain_distance((h, w), [a, b]) <= bone for a, b in zip(full[:-1], full[1:], strict=True)]
        colours.append([np.median(lab[seg], axis=0) for seg in segments if seg.sum() >= 10])
    around = np.logical_or.reduce(zones)
    front = np.zeros((h, w), bool)
    under = clothes & ~around
    if under.sum() < 50:
        return front, "in" if tuck == "in" else "out"
    clothes_colours = main_colours(lab[under], k=3, share=0.1)
    for zone, axis, arm_colours in zip(zones, axes, colours, strict=True):
        arm = cv2.medianBlur(_coloured_as(lab, arm_colours, clothes_colours, where=zone).astype(np.uint8), 5) > 0
        front |= connected_to(arm, axis & arm)
    used = "in" if tuck == "in" else "out"
    if low_y is not None:
        top = _top_over_waistband(lab, j, bone, around, clothes, low_y)
        if tuck == "auto":  # the top shows where the new garment goes: it hangs over the old waistband
            used = "out" if (top & clothes).sum() > 0.002 * h * w else "in"
        if used == "out":
            front |= top
    return front & clothes, used


def _coloured_as(
    lab: np.ndarray, own: list[np.ndarray], others: list[np.ndarray], where: np.ndarray | None = None
) -> np.ndarray:
    """(H, W) bool: pixels of `lab` (H, W, 3) `CLEARLY` nearer one of the `own` Lab colours than any of `others`,
    using only own colours at least `SEPARATE` from every other one (a cream sleeve over white trousers is not
    told apart: nothing is kept in front there). With `where` (H, W) bool, only its pixels are asked about (the
    rest False): the same answers there, the distances measured at those pixels only (over the whole photo they
    took ~0.2 s per call for the colours of a dress's legs)."""
    apart = [c for c in own if min(float(np.linalg.norm(c - o)) for o in others) >= SEPARATE]
    if not apart or not others:
        return np.zeros(lab.shape[:2], bool)
    px = lab if where is None else lab[where]
    d_own = np.min([np.linalg.norm(px - c, axis=-1) for c in apart], axis=0)
    d_other = np.min([np.linalg.norm(px - c, axis=-1) for c in others], axis=0)
    if where is None:
        return d_own < CLEARLY * d_other
    out = np.zeros(lab.shape[:2], bool)
    out[where] = d_own < CLEARLY * d_other
    return out


def _top_over_waistband(
    lab: np.ndarray, j: np.ndarray, bone: float, arms: np.ndarray, clothes: np.ndarray, low_y: float
) -> np.ndarray:
    """(H, W) bool: pixels of `clothes` above row `low_y` coloured as the torso's middle (between the shoulders and
    the hips; `arms` left out of the sample), clearly unlike the thighs' and the background's colours, each
    column's run down from the garment's top edge."""
    h, w = lab.shape[:2]
    if any(j[k, 2] <= PRESENT_THRESHOLD for k in (2, 5, 9, 12)):
        return np.zeros((h, w), bool)
    rs, ls, rh, lh = (j[k, :2] for k in (2, 5, 9, 12))
    quad = []
    for t, side in ((0.35, 0), (0.35, 1), (0.7, 1), (0.7, 0)):
        a, b = (rs, rh) if side == 0 else (ls, lh)
        c = np.array([(rs + ls) / 2, (rh + lh) / 2])
        pt, mid = a + t * (b - a), c[0] + t * (c[1] - c[0])
        quad.append(mid + 0.6 * (pt - mid))
    band = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(band, np.round(np.array(quad)).astype(np.int32), 1)
    band = (band > 0) & ~arms
    thighs = np.zeros((h, w), np.uint8)
    for hip, knee in ((9, 10), (12, 13)):
        if j[knee, 2] > PRESENT_THRESHOLD:
            a, b = j[hip, :2], j[knee, :2]
            p0, p1 = a + 0.2 * (b - a), a + 0.5 * (b - a)
            cv2.line(thighs, tuple(int(v) for v in p0), tuple(int(v) for v in p1), 1, max(1, round(2 * bone)))
    thighs = (thighs > 0) & ~arms
    if band.sum() < 20 or thighs.sum() < 20:
        return np.zeros((h, w), bool)
    frame = np.concatenate((lab[:4].reshape(-1, 3), lab[:, :4].reshape(-1, 3), lab[:, -4:].reshape(-1, 3)))
    others = [*main_colours(lab[thighs], k=2, share=0.25), np.median(frame, axis=0)]
    top = _coloured_as(lab, main_colours(lab[band], k=3, share=0.15), others) & (np.arange(h)[:, None] <= low_y)
    top = cv2.medianBlur(top.astype(np.uint8), 5) > 0  # no specks of a print
    # hanging over the garment's top edge: each column's run of top pixels down from where the garment begins, so
    # the top's hem is one edge and the garment below it stays whole
    ok = top | ~clothes
    return (np.cumprod(ok, axis=0) > 0) & top


def _below_line(parse: Tensor, pairs: KeypointPairs, row: str = "armpit") -> Tensor:
    """(B, H, W) bool: pixels of `parse`'s frame below the line through each item's placed `{row}_right` and
    `{row}_left` (all False where either is missing)."""
    ir, il = pairs.names.index(f"{row}_right"), pairs.names.index(f"{row}_left")
    p = pairs.person_px.detach().to(parse.device, torch.float32)
    right, left = p[:, ir], p[:, il]
    seen = ((right[:, 2] > 0) & (left[:, 2] > 0)).reshape(-1, 1, 1)
    dx = left[:, 0] - right[:, 0]
    slope = (left[:, 1] - right[:, 1]) / torch.where(dx.abs() < 1.0, torch.ones_like(dx), dx)
    cols = torch.arange(parse.shape[-1], device=parse.device, dtype=torch.float32).reshape(1, 1, -1)
    line = right[:, 1].reshape(-1, 1, 1) + slope.reshape(-1, 1, 1) * (cols - right[:, 0].reshape(-1, 1, 1))
    rows = torch.arange(parse.shape[-2], device=parse.device, dtype=torch.float32).reshape(1, -1, 1)
    return seen & (rows > line)


def _midriff_under_dress(parse: Tensor, pairs: KeypointPairs) -> Tensor:
    """`parse` (B, H, W) with its neck label (10) below the line through the placed armpits relabelled as old top
    (5): estimated regions label a bare midriff "neck", to be covered and repainted as an old top's (kept in front,
    it left a band of the old skin across the new dress: CatVTON 1-model_3's tank top over jeans); above the armpits
    it is the neck and chest, in front of the dress's back neckline only (`composite._neck_zone`)."""
    return torch.where((parse == 10) & _below_line(parse, pairs), torch.full_like(parse, 5), parse)


def _old_straps_held(parse: Tensor, pairs: KeypointPairs, kinds: tuple[str, ...]) -> Tensor:
    """(B, H, W) bool: the old clothes (`DRESS_LABELS.old`) of `parse` (B, H, W) above the line through the placed
    shoulder points (the straps' tops) under a sleeveless dress (`kinds` "none", one per item or one for all): the
    composite's fit never grows the dress up over them, they are repainted as skin. Grown over (upwards in the
    shoulder zone), a tank top's straps above and beside a dress's lower, narrower ones became flat smears of the
    dress's colour with ragged tops on the shoulders (OOTDiffusion 053319 on CatVTON model_8, the crochet halter on
    OOTDiffusion model_9). (Held down to the armpits' line, the strip between a tank dress's side and the arm was
    repainted as a pale blob: Dress Code 020715, 0.758 -> 0.746.)"""
    b = parse.shape[0]
    sleeveless = torch.tensor([kinds[i if len(kinds) > 1 else 0] == "none" for i in range(b)], device=parse.device)
    ir, il = pairs.names.index("shoulder_right"), pairs.names.index("shoulder_left")
    seen = ((pairs.person_px[:, ir, 2] > 0) & (pairs.person_px[:, il, 2] > 0)).to(parse.device)
    above = ~_below_line(parse, pairs, "shoulder") & seen.reshape(-1, 1, 1)
    return above & labels_in(parse, DRESS_LABELS.old) & sleeveless.reshape(-1, 1, 1)


def _dress_inside_cut(garment: Tensor, mask: Tensor, landmarks: CategoryLandmarks) -> Tensor:
    """The dress mask (B, 1, H, W) without the inside of its back seen through the neck opening (`cut_inside_back`,
    `by_colour`: Dress Code 020717's pale, lighter inside and label were pasted at the neck). A sleeveless dress's
    "collar sides" are its neckline's corners, and the dark-inside check read the top band of a one-shoulder (020714)
    and a tent dress (020719) as an inside, cutting steps into their necklines: only its `scoop` is looked for (a
    tank dress's inside, 020715, closed all around by its front's neckline)."""
    sleeved = torch.tensor([k != "none" for k in landmarks.kinds], device=mask.device)
    bodice = bodice_landmarks(landmarks)
    scoop = cut_inside_back(garment, mask, bodice, scoop=True) if not bool(sleeved.all()) else mask
    if not bool(sleeved.any()):
        return scoop
    cut = cut_inside_back(garment, mask, bodice, by_colour=True)
    return torch.where(sleeved.reshape(-1, 1, 1, 1), cut, scoop.expand_as(cut))


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
    beyond = None  # bags beside the forearms (`beyond_arms`), found once for the parse and the placement
    if parse is not None:  # clothes labels beside the forearms are a bag (estimated regions): background
        beyond = _beyond_arms(parse, pose.rescaled(tuple(parse.shape[-2:])).joints)
        parse = _bags_beside_arms(parse, beyond)
        if category == "lower":
            joints_px = pose.rescaled(tuple(parse.shape[-2:])).joints
            parse = _waistband_under_top(parse, person, joints_px)
            parse = _trouser_hem_on_shoes(parse, person, joints_px)
    silhouette = arms = None  # (the person and its arms, for a dress's sleeves)
    skirt_under = torch.zeros(person.shape[0], dtype=torch.bool)  # (an old skirt under long trousers, read once)
    if category == "lower":
        mask = drop_backdrop_shade(garment, mask)  # (its shadow closed the gap between the legs, streaked the sides)
        landmarks = detect_lower_landmarks(garment, mask)
        place_parse = parse
        long = torch.tensor([k == "trousers" for k in landmarks.kinds])  # (not shorts: `_skirt_under_trousers`)
        if parse is not None and bool(long.any()):
            joints_px = pose.rescaled(tuple(parse.shape[-2:])).joints
            skirt_under = _skirt_under_trousers(parse, joints_px, long, person)
            place_parse = _skirt_out_of_silhouette(parse, joints_px, skirt_under)
        pairs = place_lower_landmarks(landmarks, pose, parse=place_parse, beyond=beyond)
        kinds = set(landmarks.kinds)
        kind = "skirt" if kinds == {"skirt"} else "trousers" if "skirt" not in kinds else None
        if kind is None:
            raise ValueError(
                f"garment: the batch mixes skirts and two-legged garments {landmarks.kinds}; try them on separately"
            )
        table = LOWER_LABELS
    else:
        # the bodice and its sleeves follow the body as a top's do (placed from the pose alone, a T-shirt dress's
        # sleeves hung apart from its torso, bare skin between them at the shoulders)
        body = None
        if parse is not None:
            from .classical import body_masks_from_parse, person_and_arms  # (classical imports this module)

            body = body_masks_from_parse(parse)
            silhouette, arms = person_and_arms(parse)
        landmarks = detect_dress_landmarks(garment, mask)
        mask = _dress_inside_cut(garment, mask, landmarks)
        pairs = place_dress_landmarks(landmarks, pose, parse=parse, beyond=beyond, body=body)
        kind, table = "dress", DRESS_LABELS
    warp = warp_lower_garment(pairs, mask, kind, reg=reg, grid_step=grid_step, silhouette=silhouette, arms=arms)
    # the rim's backdrop blend and shadow out, as for a top: a dress's cuffs and hem ended in pale bands
    garment = clean_garment_rim(garment, mask)
    warped = warp_garment(garment.to(person.dtype), mask.to(person.dtype), warp.to(person.device))
    joints = pairs.pose.rescaled(pairs.person_hw).joints.detach().to(person.device, torch.float32)
    hips = (joints[:, 12, :2] - joints[:, 9, :2]).norm(dim=-1)
    feet = feet_mask(joints, hips, tuple(person.shape[-2:]))
    used_tuck: tuple[str, ...] = ()
    if parse is not None:
        skirt = kind in ("skirt", "dress")
        bound = person_bound(parse, hips, span=skirt, hips_y=joints[:, [9, 12], 1].mean(-1))
        if kind == "trousers":
            bound = bound | _flared_legs(pairs).to(bound.device)
        bound = bound & ~feet
    else:  # arms, hands and (worn out) the top in front, read from the pose and the colours
        front = front_without_parse(person, pairs, warped.mask[:, 0] > 0.5, tuck if category == "lower" else None)
        bound = ~feet & ~front.mask
        used_tuck = front.tuck
    warped = warped._replace(mask=warped.mask * bound.to(warped.mask.dtype))
    comp_parse = parse
    if parse is not None and category == "dress":
        # (for the composite only: the placement reads the old dress as the regions found it)
        comp_parse = _legs_mislabelled(_midriff_under_dress(parse, pairs), person, joints)
    if parse is not None and category == "lower":
        comp_parse, one_tuck = _tucked_parse(parse, pairs, tuck, warped.mask[:, 0] > 0.5)
        used_tuck = (one_tuck,) * warped.mask.shape[0]
    if comp_parse is not None and kind in ("skirt", "dress"):
        # the background between the legs under a skirt or dress is the garment's (the composite's fit would cut
        # it as garment on the background, leaving trouser legs); under a dress as socks (`GAP_LABEL`), not as old
        # clothes: the light was read from it, the wall's white beside dark trousers drawn as legs on the dress
        gap = _between_legs(comp_parse, joints[:, [9, 12], 1].mean(-1)) & (warped.mask[:, 0] > 0.5)
        comp_parse = torch.where(gap, 12 if category == "lower" else GAP_LABEL, comp_parse)
    held = None  # (old clothes the composite's fit does not grow new trousers or a sleeveless dress over)
    if comp_parse is not None and kind == "trousers":
        held = _held_off_trousers(comp_parse, skirt_under)
    if comp_parse is not None and kind == "dress":
        held = _old_straps_held(comp_parse, pairs, landmarks.kinds)
    image = warped.image
    if parse is None and LIGHT_WITHOUT_PARSE:  # the person's light and folds, taken under the garment itself
        image = image * light_and_folds(person, warped.mask[:, 0] > 0.5)
    comp = composite_garment(
        person,
        image,
        warped.mask,
        parse=comp_parse,
        keypoints=pairs,
        feather_px=feather_px,
        labels=table,
        sleeves=warp.sleeves if isinstance(warp, PartWarp) else None,  # (a dress's: the arms behind them)
        no_grow=held,
    )
    return LowerTryOn(comp, warped.image, warped.mask, pairs, warp, landmarks, used_tuck)
