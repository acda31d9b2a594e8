"""Garment categories and landmarks of lower-body garments (trousers, shorts, skirts) and dresses, from the mask.

Categories (`CATEGORIES`): "upper" (tops: `kfvton.keypoints.garment_landmarks`), "lower" (trousers, shorts,
skirts) and "dress" (one piece from the shoulders down past the hips). `classify_garment` decides from the mask's
shape alone (a flat front-view photo on a plain background):
    - lower: the top edge is a straight waistband nearly as wide as the garment (`WAIST_FULL` of the widest row
      in the upper half; `WAIST_FLARED` when shorter than a dress: flared shorts and skirts widen from it) with no
      neckline dip and no shoulders sloping away from it, the garment does not narrow below it down to the hips
      (`TAPER_MIN`: a strapless or sleeveless top narrows at its armholes) and no sleeve hangs beside the body
      (a background gap off the centre in the lower rows, `_side_gap_rows`: an off-shoulder top); with a gap
      between two legs (`_leg_gap`) the waistband needs only `WAIST_FLARED` and the taper is not asked (long
      trousers flare at the hips and narrow down the thighs within their upper half);
    - dress vs upper: among garments with a neckline, one whose body (from the first row at least 0.7 of the
      torso wide: straps and collars do not count) is at least `DRESS_LENGTH` times as long as the torso is wide
      (30 % down: sleeves stretched sideways do not count) is a dress; from `SHORT_DRESS_LENGTH` up to that,
      where long tops and short dresses overlap, one that narrows to a waist, flares below it to at least
      `DRESS_FLARE` times the waist (`_waist_flare`: a mini dress's skirt) and is at least `DRESS_SLIM` waist
      widths long is a dress, else a top; both reasons then say "unsure".
    A flat-lay photo can be ambiguous (shorts whose legs touch look like a skirt, a sleeveless top with a straight
    top edge like a mini skirt, a long top like a short dress): `GarmentCategory.sure` says when the shape is
    unmistakably lower or not, and the reason says "unsure" for a long top or short dress.

Lower landmarks (`LOWER_LANDMARKS`, garment pixels; left/right are the WEARER's, image right = wearer's left):
    waist_left / waist_center / waist_right: the waistband's corners (the outline's extent a little below its
        top row) and the top outline at the centre;
    hip_left / hip_right: the outline's extent at the crotch's height (trousers) or `HIP_DROP` of the waist
        width below the waist (skirts): where the hips sit;
    crotch: the top of the gap between the legs (trousers and shorts only);
    leg_{left,right}_{outer,inner}: each leg's hem corners: inner, the innermost column whose bottom lies within
        `HEM_TOL` of that leg's hem level; outer, the outline's lowest outermost point (`_outer_corner`: a hem cut
        on the slant rises to it) (trousers and shorts only);
    hem_left / hem_center / hem_right: a skirt's hem corners and centre (skirts only);
    side_{right,left}_k (skirts): the outline's extent at `SIDE_AT` of the way from the hips' row to the hem's;
    leg_{side}_{outer,inner}_k (trousers, shorts): each leg's outline at `SIDE_AT` of the way from the crotch's
        row to that leg's hem (the placement pulls them onto the person's silhouette).
The kind is "skirt" without a gap between the legs (or a V notch at the hem's centre, `_hem_notch`: flat-lay
shorts whose legs touch; their crotch is then put `RISE` waist widths below the waist), else "shorts" when the legs'
inseam (crotch to hem) is under `SHORTS_INSEAM` of the waist width, else "trousers".

Dress landmarks (`DRESS_LANDMARKS`): the 14 upper-body landmarks (`detect_garment_landmarks`: collar, shoulders,
sleeves, armpits, and its hem points = the dress's hem; "sleeves" ending below the waist are the skirt's sides and
are dropped, unless they are long sleeves hanging beside the body down to an inward step of the outline,
`_hanging_sleeves`: their armpits hidden `ARMPIT_DEFAULT` under the shoulders, waist and side points under the
cuffs) plus waist_left / waist_right (the narrowest row between `WAIST_WINDOW` shoulder widths below the armpits;
`WAIST_DEFAULT` below them when the width hardly changes; at the
window's top, where the outline only widens below the armpits, `_UNSEEN_CONF`: no waist shows) and
hip_left / hip_right (`HIP_BELOW_WAIST` shoulder widths below the waist), on sleeveless dresses the armpits moved
onto the outline when found inside it (`_armpits_on_outline`: slip dresses), and side_{right,left}_k (the outline's
extent at `SIDE_AT` of the way from the armpits' row to the hem's); the hem corners are moved to the
outline's extent on its widest row from `HEM_BAND` to `HEM_TOL` / 2 of the height above the bottom
(`_widest_hem_row`: flared hems curve up at their sides), or on a hem cut on the slant to the outline's lowest
outermost point (`_slant_hem_corners`).
Absent points have confidence 0; rule-placed ones `_RULE_CONF`; a dress's unseen waist `_UNSEEN_CONF`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch
from torch import Tensor

from .._arrays import above_half, nonzero_yx
from .._checks import check_shape
from .garment_landmarks import GARMENT_LANDMARKS, _binary_masks, _profile_extremes, detect_garment_landmarks

__all__ = [
    "CATEGORIES",
    "LOWER_KINDS",
    "LOWER_LANDMARKS",
    "DRESS_LANDMARKS",
    "SIDE_AT",
    "DRESS_LENGTH",
    "SHORT_DRESS_LENGTH",
    "DRESS_FLARE",
    "DRESS_SLIM",
    "SKIRT_SIDES",
    "LEG_SIDES",
    "GarmentCategory",
    "CategoryLandmarks",
    "classify_garment",
    "detect_lower_landmarks",
    "detect_dress_landmarks",
    "check_category",
]

CATEGORIES: tuple[str, ...] = ("upper", "lower", "dress")
LOWER_KINDS: tuple[str, ...] = ("trousers", "shorts", "skirt")
#: Where the side points sit between the top of the sides (a skirt's hips, a dress's armpits, a leg's crotch
#: row) and the hem (0 = top, 1 = hem).
SIDE_AT: tuple[float, ...] = (0.25, 0.5, 0.75)
#: A skirt's or dress's side points (wearer's right then left at each `SIDE_AT`, from the top).
SKIRT_SIDES: tuple[str, ...] = tuple(f"side_{s}_{k}" for k in range(1, len(SIDE_AT) + 1) for s in ("right", "left"))
#: Each leg's outline points of trousers and shorts (outer then inner at each `SIDE_AT`, right leg first).
LEG_SIDES: tuple[str, ...] = tuple(
    f"leg_{s}_{e}_{k}" for s in ("right", "left") for k in range(1, len(SIDE_AT) + 1) for e in ("outer", "inner")
)
LOWER_LANDMARKS: tuple[str, ...] = (
    "waist_left", "waist_center", "waist_right", "hip_left", "hip_right", "crotch",
    "leg_left_outer", "leg_left_inner", "leg_right_outer", "leg_right_inner",
    "hem_left", "hem_center", "hem_right", *SKIRT_SIDES, *LEG_SIDES,
)  # fmt: skip
DRESS_LANDMARKS: tuple[str, ...] = (
    *GARMENT_LANDMARKS, "waist_left", "waist_right", "hip_left", "hip_right", *SKIRT_SIDES,
)  # fmt: skip

WAIST_FULL = 0.8  # a waistband spans at least this fraction of the widest row of the upper half ...
WAIST_FLARED = 0.6  # ... or this fraction on a garment shorter than a dress (flared shorts, A-line skirts) ...
TAPER_MIN = 0.93  # ... and the rows from 40 to 50 % of the height at least this fraction of the widest row above
DRESS_LENGTH = 2.6  # body length / torso width at or above which a garment with a neckline is a dress
# From this length up to `DRESS_LENGTH` a garment flaring from its waist to at least `DRESS_FLARE` times as wide and
# at least `DRESS_SLIM` times as long as its waist is wide is a (short) dress. Tuned on the VITON-HD and Dress Code
# garments and the unseen OOTDiffusion / IDM-VTON / CatVTON ones labelled by eye: the 11 long tops there (1.8 ..
# 2.5 long) flare 1.12 .. 1.33 (a camisole) and are 1.9 .. 2.5 waists long; the two mini dresses under 2.6
# (CatVTON, 1.9 and 2.5 long) flare 1.42 and 1.47 and are 3.3 and 2.9 waists long; a peplum top flares 1.43 but
# is only 1.5 long.
SHORT_DRESS_LENGTH = 1.8
DRESS_FLARE = 1.35
DRESS_SLIM = 2.65
WAIST_ROWS = (0.3, 0.7)  # the waist: the narrowest row between these fractions of the garment's height
SHORTS_INSEAM = 0.9  # inseam (crotch -> hem) / waist width below which two-legged garments are shorts
HIP_DROP = 0.45  # skirts: hips this fraction of the waist width below the waist
HEM_TOL = 0.04  # a leg's hem corners: bottom within this fraction of the garment height of the leg's hem level
GAP_MIN = 0.03  # a gap between the legs is at least this fraction of the garment width wide ...
GAP_ROWS = 0.06  # ... over at least this fraction of its height
HEM_BAND = 0.06  # a dress's hem corners on the widest row within this fraction of its height above the bottom
HEM_SLANT = 0.15  # a dress's hem corner moves to the outline's lowest outermost point when that lies this share
# of the width farther out than the bottom rows' extent (CatVTON 22153949's slant: 0.51; Dress Code dresses: at most
# 0.12, 020719's high-low hem, which at 0.1 moved out too and spilled: SSIM 0.144 -> 0.126, spill 5.7 -> 7.6 %)
WAIST_WINDOW = (0.2, 1.0)  # dress waist searched this many garment shoulder widths below the armpits
WAIST_DEFAULT = 0.55  # ... and put there when the width hardly changes (shift dresses)
HIP_BELOW_WAIST = 0.45  # dress hips below the waist, garment shoulder widths
NOTCH_MIN = 0.012  # a V notch at the hem's centre at least this fraction of the height deep: legs that touch
NOTCH_CENTRE = 0.03  # ... within this fraction of the width from the centre
RISE = 0.8  # crotch this many waist widths below the waist when only a notch shows the legs (Dress Code shorts:
# 0.77 .. 0.86)
BODICE_FULL = 0.8  # a sleeveless dress's bodice starts on the first row this fraction as wide as its waist ...
ARMPIT_INSIDE = 0.08  # ... where an armpit lies further than this fraction of the width inside the outline
ARMPIT_DEEP = 1.0  # a sleeved dress's armpits at most this many garment shoulder widths below the shoulders ...
ARMPIT_UNEVEN = 0.3  # ... and at most this far apart in height; else it is taken as sleeveless
ARMPIT_DEFAULT = 0.55  # ... and its waist searched from this far below the shoulders (Dress Code: 0.53 .. 0.62)
HANG_UNDERSIDE = 0.3  # `_hanging_sleeves`: an armpit this close to its inner cuff corner (x shoulder width) ...
HANG_STEP = 0.1  # ... and the outline this much narrower below it on both sides: long sleeves hanging beside the body
WAIST_NARROWING = 0.05  # a dress's outline narrows to a waist: a row above it this much wider (the waist
# window's rule too)
_RULE_CONF = 0.5
_UNSEEN_CONF = 0.75  # a dress's waist row measured on its outline where no waist shows (it only widens below the
# armpits): its width counts as a seen waist's (the bodice's scale takes points over 0.5), its height does not
_LOW = {n: i for i, n in enumerate(LOWER_LANDMARKS)}
_DRESS = {n: i for i, n in enumerate(DRESS_LANDMARKS)}


@dataclass(frozen=True)
class GarmentCategory:
    """What a garment photo looks like, per batch item.

    Attributes:
        categories: "upper", "lower" or "dress" per item.
        reasons: a short description per item of the shape that decided it (for messages and reports).
        sure: per item, whether the shape is unmistakable (two legs below a waistband; a clear
            neckline or shoulders narrower than the body); `check_category` only rejects a category when sure.
            It is about lower vs the rest: a dress vs a long top is a matter of degree, whose reason starts with
            "unsure" where their lengths overlap.
    """

    categories: tuple[str, ...]
    reasons: tuple[str, ...]
    sure: tuple[bool, ...]


@dataclass(frozen=True)
class CategoryLandmarks:
    """Named garment landmarks of one category for a batch of garment images.

    Attributes:
        points: (B, N, 3) float (x_px, y_px, confidence) in `names` order, garment pixels; confidence 0 = absent.
        names: the N landmark names (`LOWER_LANDMARKS` or `DRESS_LANDMARKS`).
        garment_hw: (H, W) of the garment image.
        kinds: per item: "trousers" / "shorts" / "skirt" (lower) or the sleeve kind "none" / "short" / "long"
            (dress).
        category: "lower" or "dress".
    """

    points: Tensor
    names: tuple[str, ...]
    garment_hw: tuple[int, int]
    kinds: tuple[str, ...]
    category: str

    def __post_init__(self) -> None:
        check_shape(self.points, "garment_landmarks.points", ("B", len(self.names), 3))
        if len(self.kinds) != self.points.shape[0]:
            raise ValueError(f"garment_landmarks.kinds: expected {self.points.shape[0]} entries, got {self.kinds}")

    @property
    def batch_size(self) -> int:
        return int(self.points.shape[0])

    def point(self, name: str) -> Tensor:
        """(B, 3) one landmark's (x_px, y_px, confidence)."""
        return self.points[:, self.names.index(name)]


def _piece(mask: np.ndarray, index: int) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The largest outline's filled interior (uint8) and its bounding box (x0, y0, x1, y1 inclusive)."""
    contours, _ = cv2.findContours(np.ascontiguousarray(mask), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        raise ValueError(f"mask[{index}]: empty garment mask, no outline to find landmarks on")
    contour = max(contours, key=cv2.contourArea)
    piece = np.zeros_like(mask)
    cv2.drawContours(piece, [contour], -1, 1, thickness=cv2.FILLED)
    x, y, bw, bh = cv2.boundingRect(contour)
    if bw < 16 or bh < 16:
        raise ValueError(f"mask[{index}]: the garment is only {bw}x{bh} px; expected at least 16x16")
    return piece, (x, y, x + bw - 1, y + bh - 1)


def _row_extent(piece: np.ndarray, row: int) -> tuple[int, int] | None:
    xs = np.nonzero(piece[row])[0]
    return (int(xs.min()), int(xs.max())) if xs.size else None


def _row_extents(piece: np.ndarray) -> list[tuple[int, int] | None]:
    """`_row_extent` of every row of an (H, W) mask at once (H entries): `classify_garment` reads rows by the
    hundred, one `np.nonzero` each cost ~20 ms a garment."""
    on = piece != 0
    first, last = on.argmax(1).tolist(), (piece.shape[1] - 1 - on[:, ::-1].argmax(1)).tolist()
    return [(a, b) if any_ else None for any_, a, b in zip(on.any(1).tolist(), first, last, strict=True)]


def _leg_gap(piece: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, float, int] | None:
    """(crotch row, gap centre x, rows with a gap) of the gap between two legs, or None (one piece down to the hem).

    A row has a gap when, between its outermost garment pixels, a run of background at least `GAP_MIN` of the
    garment width wide lies in the middle third; the crotch is the top row of the lowest such band reaching
    the bottom."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0 + 1, y1 - y0 + 1
    min_gap = max(2, int(GAP_MIN * width))
    found: list[tuple[int, float]] = []
    for row in range(y1, y0 - 1, -1):
        xs = np.nonzero(piece[row])[0]
        mid = None
        if xs.size >= 2:
            gaps = np.diff(xs)
            k = int(np.argmax(gaps))
            centre = 0.5 * (xs[k] + xs[k + 1])
            if gaps[k] > min_gap and abs(centre - 0.5 * (x0 + x1)) < width / 6:
                mid = float(centre)
        if mid is None:
            if found or row < y1 - max(2, int(0.02 * height)):  # the bottom rows may be ragged
                break
            continue
        found.append((row, mid))
    if len(found) < GAP_ROWS * height:
        return None
    near_top = [m for _, m in found[-max(3, len(found) // 5) :]]
    return found[-1][0], float(np.median(near_top)), len(found)


def _hem_notch(piece: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, float] | None:
    """(top row, x) of a V notch up into the hem at its centre (the legs of flat-lay shorts that touch), or None.

    The notch is the column within `NOTCH_CENTRE` of the centre whose bottom is highest relative to the lowest
    bottoms within a tenth of the width on both sides; it counts when at least `NOTCH_MIN` of the height deep."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0 + 1, y1 - y0 + 1
    present, _, bottom = _profile_extremes(piece.astype(bool))
    cx, k = 0.5 * (x0 + x1), max(2, width // 10)
    best, at = 0.0, -1
    for c in range(int(cx - NOTCH_CENTRE * width), int(cx + NOTCH_CENTRE * width) + 1):
        if not present[c]:
            continue
        depth = min(bottom[max(x0, c - k) : c + 1].max(), bottom[c : min(x1, c + k) + 1].max()) - bottom[c]
        if depth > best:
            best, at = float(depth), c
    if at < 0 or best < NOTCH_MIN * height:
        return None
    return int(bottom[at]), float(at)


def _side_gap_rows(piece: np.ndarray, box: tuple[int, int, int, int]) -> int:
    """How many rows of the lower 70 % hold a background run off the centre: a sleeve hanging beside the body.

    A run counts when at least `GAP_MIN` of the garment width wide and centred further than a sixth of the width
    from the centre (a gap between trouser legs lies at the centre)."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0 + 1, y1 - y0 + 1
    min_gap, cx = max(2, int(GAP_MIN * width)), 0.5 * (x0 + x1)
    background = np.pad(piece[y0 + int(0.3 * height) : y1 + 1] == 0, ((0, 0), (1, 1)), constant_values=False)
    edges = np.diff(background.astype(np.int8), axis=1)
    # each background run's first column (padded frame: + 1) and the column after its last: padded with garment on
    # both sides, every row's changes alternate start, end, start, ..., so in row-major order they pair up
    rows, cols = nonzero_yx(edges)
    rows, starts, ends = rows[0::2], cols[0::2], cols[1::2]
    inside = (starts > 0) & (ends < piece.shape[1])  # not the background left or right of the garment
    gap = ends - starts + 1  # as the distance between the garment pixels on either side
    centre = 0.5 * (starts - 1 + ends)
    off = inside & (gap > min_gap) & (np.abs(centre - cx) > width / 6)
    return int(np.unique(rows[off]).size)


def _waist_flare(extents: list[tuple[int, int] | None], y0: int, y1: int) -> tuple[float, int]:
    """(flare, waist width px): how much wider a garment gets below its waist than at it, the widest row from the
    waist down to 3 % above the hem over the waist's width, the waist being the narrowest row within
    `WAIST_ROWS` of the height (an A-line or skater skirt under a fitted bodice: 1.4 .. 2.3; a top: 1.0 .. 1.33)."""
    widths = np.array([(e[1] - e[0] + 1) if e else 0 for e in extents[y0 : y1 + 1]], dtype=np.float64)
    height = y1 - y0 + 1
    lo, hi = int(WAIST_ROWS[0] * height), max(int(WAIST_ROWS[0] * height) + 1, int(WAIST_ROWS[1] * height))
    waist = lo + int(np.argmin(widths[lo:hi]))
    below = widths[waist : max(waist + 1, int(0.97 * height))]
    return float(below.max() / max(widths[waist], 1.0)), int(widths[waist])


def _short_dress(extents: list[tuple[int, int] | None], y0: int, y1: int, body_top: int) -> str:
    """What shows a skirt on a garment as long as a long top ("" when nothing does): it flares from its waist to
    at least `DRESS_FLARE` times the waist's width and its body is at least `DRESS_SLIM` waist widths long
    (measured from `body_top`; short sleeves widen the torso row `classify_garment` measures the length by)."""
    flare, waist_w = _waist_flare(extents, y0, y1)
    slim = (y1 - body_top + 1) / max(waist_w, 1)
    if flare < DRESS_FLARE or slim < DRESS_SLIM:
        return ""
    return f"{slim:.1f} times as long as its waist is wide and {flare:.2f} times as wide below it"


def classify_garment(mask: Tensor) -> GarmentCategory:
    """Decide "upper", "lower" or "dress" from each garment mask's shape (rules in the module docstring).

    Args:
        mask: (B, 1, H, W) float in [0, 1], 1 on the garment.
    """
    check_shape(mask, "mask", ("B", 1, "H", "W"))
    binary = above_half(mask[:, 0]).astype(np.uint8)
    cats, reasons, sure = [], [], []
    for i in range(binary.shape[0]):
        piece, (x0, y0, x1, y1) = _piece(binary[i], i)
        width, height = x1 - x0 + 1, y1 - y0 + 1
        extents = _row_extents(piece)
        top_row = y0 + max(1, int(0.02 * height))
        top = extents[top_row]
        upper_widths = [(e[1] - e[0] + 1) for r in range(y0, y0 + height // 2) if (e := extents[r])]
        widest = max(upper_widths)
        top_w = (top[1] - top[0] + 1) if top else 0
        present, tops, _ = _profile_extremes(piece[y0 : y1 + 1].astype(bool))
        cols = np.arange(top[0], top[1] + 1) if top else np.arange(x0, x1 + 1)
        t = tops[cols][present[cols]] if cols.size else np.zeros(1)
        dip = (float(np.percentile(t, 90)) - float(t.min())) / height if t.size else 0.0
        gap = _leg_gap(piece, (x0, y0, x1, y1))
        torso = extents[y0 + int(0.3 * height)]
        torso_w = (torso[1] - torso[0] + 1) if torso else width
        # the body's length from the first row at least 0.7 of the torso wide (straps and collars do not count)
        body_top = next((r for r in range(y0, y1 + 1) if (e := extents[r]) and e[1] - e[0] >= 0.7 * torso_w), y0)
        body_len = (y1 - body_top + 1) / torso_w
        # from the waistband down to the hips a lower garment does not narrow (a top does: armholes, sleeve ends)
        rows = [(e[1] - e[0] + 1) if (e := extents[r]) else 0 for r in range(y0, y0 + height // 2)]
        taper = min(rows[int(0.4 * height) :], default=widest) / max(rows[: int(0.4 * height)], default=widest)
        sleeves = _side_gap_rows(piece, (x0, y0, x1, y1)) >= GAP_ROWS * height
        waistband = top_w >= WAIST_FULL * widest or (top_w >= WAIST_FLARED * widest and body_len < DRESS_LENGTH)
        # two legs under a flat top are trousers even when the hips flare wider than the waistband or the legs
        # taper from the thighs (long trousers: the upper half reaches the knees); no top or dress has a leg gap
        legged = gap is not None and top_w >= WAIST_FLARED * widest
        overlap = SHORT_DRESS_LENGTH <= body_len < DRESS_LENGTH and gap is None  # a long top or a short dress
        if (waistband and taper >= TAPER_MIN or legged) and dip < 0.06 and not sleeves:
            cats.append("lower")
            sure.append(gap is not None)
            legs = "two legs" if gap else "no legs"
            reasons.append(f"a straight waistband {top_w / widest:.0%} of its width at the top, {legs}")
        elif body_len >= DRESS_LENGTH and gap is None:
            cats.append("dress")
            sure.append(True)
            reasons.append(f"a neckline and {body_len:.1f} times as long as its torso is wide")
        elif overlap and (skirt := _short_dress(extents, y0, y1, body_top)):  # a skirt flares from its waist
            cats.append("dress")
            sure.append(True)  # a neckline: not a lower garment (dress or top: the reason says unsure)
            reasons.append(
                f"unsure, read as a short dress: a neckline, {body_len:.1f} times as long as its torso is wide, "
                f"{skirt}; pass the category if wrong"
            )
        else:
            cats.append("upper")
            sure.append(dip >= 0.06 or top_w < WAIST_FLARED * widest or sleeves)
            shape = "sleeves beside the body" if sleeves else f"{taper:.0%} as wide at the hips as above"
            reasons.append(
                ("unsure, read as a long top: " if overlap else "")
                + f"a neckline/shoulders ({top_w / widest:.0%} of its width at the top, {shape}), "
                f"{body_len:.1f} times as long as its torso is wide"
                + ("; pass the category if wrong" if overlap else "")
            )
    return GarmentCategory(tuple(cats), tuple(reasons), tuple(sure))


def check_category(category: str, mask: Tensor, *, name: str = "category") -> GarmentCategory:
    """Raise when a given category contradicts what the garment photo looks like; returns the classification.

    Raises:
        ValueError: naming `name`, the category asked for and what the photo looks like (e.g. a lower garment
            with category "upper").
    """
    if category not in CATEGORIES:
        raise ValueError(f"{name}: expected one of {', '.join(CATEGORIES)} or 'auto', got {category!r}")
    seen = classify_garment(mask)
    wrong = [
        (i, c, r)
        for i, (c, r, sure) in enumerate(zip(seen.categories, seen.reasons, seen.sure, strict=True))
        if c != category and sure and "lower" in (c, category)  # a dress vs a long top is a matter of degree
    ]
    if wrong:
        i, c, r = wrong[0]
        article = {"upper": "an upper-body garment", "lower": "a lower-body garment", "dress": "a dress"}
        raise ValueError(
            f"{name}: {category!r} was asked for, but garment item {i} looks like {article[c]} ({r}); "
            f"pass category {c!r} or 'auto'"
        )
    return seen


def _bottom_corners(piece: np.ndarray, cols: np.ndarray, bottom: np.ndarray, height: int) -> tuple[int, int]:
    """(first, last) column of `cols` whose bottom lies within `HEM_TOL` of the hem level over `cols`."""
    b = bottom[cols]
    level = float(np.percentile(b, 80))
    ok = cols[b >= level - HEM_TOL * height]
    return int(ok.min()), int(ok.max())


def _outer_corner(cols: np.ndarray, bottom: np.ndarray, out: int) -> int:
    """A leg's outer hem corner: the column of `cols` whose bottom point lies farthest down and out (`out` -1 image
    left, +1 image right; the largest bottom row + out x column). A hem cut on the slant rises to its outer corner
    (013567's frayed shorts: 30 px over 80): the hem level's outermost column lay 80 px inside the outline, and the
    garment beyond it, extrapolated, flew out past the leg as a spike."""
    return int(cols[np.argmax(bottom[cols] + out * cols)])


def _sides(piece: np.ndarray, out: np.ndarray, index: dict[str, int], top_row: float, hem_row: float) -> None:
    """Write the `SKIRT_SIDES` points: the outline's extent at `SIDE_AT` of the way from `top_row` to `hem_row`."""
    for k, t in enumerate(SIDE_AT, start=1):
        row = int(round(top_row + t * (hem_row - top_row)))
        if (e := _row_extent(piece, row)) is not None:
            out[index[f"side_right_{k}"]] = (e[0], row, 1.0)  # image left = wearer's right
            out[index[f"side_left_{k}"]] = (e[1], row, 1.0)


def _lower_one(mask: np.ndarray, index: int) -> tuple[np.ndarray, str]:
    piece, (x0, y0, x1, y1) = _piece(mask, index)
    width, height = x1 - x0 + 1, y1 - y0 + 1
    present, top, bottom = _profile_extremes(piece.astype(bool))
    out = np.zeros((len(LOWER_LANDMARKS), 3))
    # waistband: its corners a little below the top row, its centre on the top outline
    inner = np.arange(x0 + width // 10, x1 - width // 10 + 1)
    waist_y = int(np.median(top[inner][present[inner]]))
    band_row = min(y1, waist_y + max(1, int(0.015 * height)))
    ext = _row_extent(piece, band_row) or (x0, x1)
    cx = 0.5 * (ext[0] + ext[1])
    out[_LOW["waist_right"]] = (ext[0], band_row, 1.0)  # image left = wearer's right
    out[_LOW["waist_left"]] = (ext[1], band_row, 1.0)
    out[_LOW["waist_center"]] = (cx, top[int(round(cx))], 1.0)
    waist_w = ext[1] - ext[0] + 1
    gap = _leg_gap(piece, (x0, y0, x1, y1))
    if gap is None and (notch := _hem_notch(piece, (x0, y0, x1, y1))) is not None:
        gap = (min(notch[0], int(waist_y + RISE * waist_w)), notch[1], 0)  # legs that touch: crotch from the rise
    if gap is None:
        kind = "skirt"
        hip_row = min(y1, int(waist_y + HIP_DROP * waist_w))
        cols = np.arange(x0, x1 + 1)
        cols = cols[present[cols]]
        lo, hi = _bottom_corners(piece, cols, bottom, height)
        out[_LOW["hem_right"]] = (lo, bottom[lo], 1.0)
        out[_LOW["hem_left"]] = (hi, bottom[hi], 1.0)
        hx = int(round(0.5 * (lo + hi)))
        out[_LOW["hem_center"]] = (hx, bottom[hx], 1.0)
        _sides(piece, out, _LOW, hip_row, 0.5 * (bottom[lo] + bottom[hi]))
    else:
        crotch_row, gap_x, _ = gap
        hip_row = crotch_row
        out[_LOW["crotch"]] = (gap_x, crotch_row, 1.0)
        for side, sel in (("right", np.arange(x0, int(gap_x))), ("left", np.arange(int(gap_x) + 1, x1 + 1))):
            cols = sel[present[sel] & (bottom[sel] > crotch_row)]
            if cols.size < 2:
                raise ValueError(f"mask[{index}]: the {side} leg of the garment has no hem below the crotch")
            lo, hi = _bottom_corners(piece, cols, bottom, height)
            outer, inner_x = (lo, hi) if side == "right" else (hi, lo)
            outer = _outer_corner(cols, bottom, -1 if side == "right" else 1)
            out[_LOW[f"leg_{side}_outer"]] = (outer, bottom[outer], 1.0)
            out[_LOW[f"leg_{side}_inner"]] = (inner_x, bottom[inner_x], 1.0)
            leg = np.zeros_like(piece)
            leg[:, sel] = piece[:, sel]
            hem_row = 0.5 * (bottom[outer] + bottom[inner_x])
            for k, t in enumerate(SIDE_AT, start=1):
                row = int(round(crotch_row + t * (hem_row - crotch_row)))
                if (e := _row_extent(leg, row)) is not None:
                    o, n = (e[0], e[1]) if side == "right" else (e[1], e[0])
                    out[_LOW[f"leg_{side}_outer_{k}"]] = (o, row, 1.0)
                    out[_LOW[f"leg_{side}_inner_{k}"]] = (n, row, 1.0)
        hem_y = 0.5 * (out[_LOW["leg_left_inner"], 1] + out[_LOW["leg_right_inner"], 1])
        kind = "shorts" if hem_y - crotch_row < SHORTS_INSEAM * waist_w else "trousers"
    hip = _row_extent(piece, hip_row) or ext
    out[_LOW["hip_right"]] = (hip[0], hip_row, 1.0)
    out[_LOW["hip_left"]] = (hip[1], hip_row, 1.0)
    return out, kind


def detect_lower_landmarks(garment: Tensor, mask: Tensor) -> CategoryLandmarks:
    """Landmarks of flat, front-view trousers, shorts and skirts (`LOWER_LANDMARKS`; rules in the module docstring).

    Args:
        garment: (B, 3, H, W) float RGB [0, 1] (validated; the rules use the mask's outline only).
        mask: (B or 1, 1, H, W) float [0, 1], 1 on the garment.

    Returns:
        `CategoryLandmarks` (category "lower", kinds "trousers" / "shorts" / "skirt"), points (B, 13, 3) float32
        garment pixels.
    """
    binary, batch = _binary_masks(garment, mask)
    pts, kinds = [], []
    for i in range(batch):
        p, k = _lower_one(binary[i if binary.shape[0] > 1 else 0], i)
        pts.append(p)
        kinds.append(k)
    points = torch.from_numpy(np.stack(pts)).to(device=garment.device, dtype=torch.float32)
    return CategoryLandmarks(points, LOWER_LANDMARKS, tuple(garment.shape[-2:]), tuple(kinds), "lower")


def _armpits_on_outline(piece: np.ndarray, p: np.ndarray, ref_row: int, width: int) -> np.ndarray:
    """A dress's armpits found inside its outline (slip dresses: the straps and a lace neckline confuse the
    top's detector) are moved to the bodice's top corners: the outline's extent on the first row at least
    `BODICE_FULL` as wide as `ref_row` (the waist). Sleeveless dresses only (a sleeve widens the rows above)."""
    waist_row = ref_row
    waist = _row_extent(piece, waist_row)
    if waist is None:
        return p
    rows = [
        r
        for r in range(int(piece.any(axis=1).argmax()), waist_row)
        if (e := _row_extent(piece, r)) and e[1] - e[0] >= BODICE_FULL * (waist[1] - waist[0])
    ]
    if not rows:
        return p
    row = rows[0]
    e = _row_extent(piece, row)
    out = p.copy()
    for name, x in (("armpit_right", e[0]), ("armpit_left", e[1])):
        k = GARMENT_LANDMARKS.index(name)
        ext = _row_extent(piece, int(out[k, 1])) if 0 <= int(out[k, 1]) < piece.shape[0] else None
        inside = ext is None or min(abs(out[k, 0] - ext[0]), abs(out[k, 0] - ext[1])) > ARMPIT_INSIDE * width
        if out[k, 2] <= 0 or inside:
            out[k] = (x, row, _RULE_CONF)
    return out


def _slant_hem_corners(
    piece: np.ndarray,
    box: tuple[int, int, int, int],
    extent: tuple[int, int],
    hem_row: int,
    bottom_extent: tuple[int, int],
    bottom_row: int,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """((x, y) image-left, (x, y) image-right) hem corners of a dress: the `extent` at `hem_row` (`_widest_hem_row`),
    unless the outline's lowest outermost point (`_outer_corner`) lies more than `HEM_SLANT` of the width farther out
    than `bottom_extent` at `bottom_row` (`HEM_TOL` / 2 of the height above the bottom) -- a hem cut on the slant (an
    asymmetric or draped mini dress, CatVTON 22153949: the bottom row spans only its lower half; that "corner"
    placed on the body's side left the rest of the hem, extrapolated, to fly out beside the leg as a torn flap).
    The other corner of a slanted hem is then `bottom_extent`'s (the widest row above it lies up the slant)."""
    x0, _, x1, _ = box
    present, _, bottom = _profile_extremes(piece.astype(bool))
    cols = np.arange(x0, x1 + 1)
    cols = cols[present[cols]]
    margin = HEM_SLANT * (x1 - x0 + 1)
    slant = []
    for low, out in ((bottom_extent[0], -1), (bottom_extent[1], 1)):
        c = _outer_corner(cols, bottom, out)
        slant.append((float(c), float(bottom[c])) if out * (c - low) > margin else None)
    if slant[0] is None and slant[1] is None:
        return (float(extent[0]), float(hem_row)), (float(extent[1]), float(hem_row))
    image_left = slant[0] or (float(bottom_extent[0]), float(bottom_row))
    image_right = slant[1] or (float(bottom_extent[1]), float(bottom_row))
    return image_left, image_right


def _narrows_into(piece: np.ndarray, top_row: int, row: int) -> bool:
    """Whether a sleeveless dress's outline (`piece` (H, W)) narrows to a waist from `top_row` (halfway from its
    shoulders to its armpits) down to `row` (its waist window's top, where it is narrowest within the window): the
    narrowest row there has a row above it more than `WAIST_NARROWING` wider. Its waist then lies at or above the
    armpits' row found (a one-shoulder dress's armpits found at its waist, Dress Code 020714: 0.11); otherwise its
    outline only widens below the armholes and no waist shows (tent and tank dresses, 020719 and 020715: 0.0)."""
    widths = [e[1] - e[0] for r in range(max(top_row, 0), row + 1) if (e := _row_extent(piece, r))]
    if not widths:
        return False
    narrowest = int(np.argmin(widths))
    return max(widths[: narrowest + 1]) > (1 + WAIST_NARROWING) * widths[narrowest]


def _widest_hem_row(piece: np.ndarray, y0: int, y1: int) -> int:
    """The row of a dress's hem corners (`piece` (H, W) its filled outline, rows `y0` .. `y1` its top and bottom):
    the widest between `HEM_BAND` and `HEM_TOL` / 2 of the height above the bottom (the lowest of equals). A hem
    whose sides curve up rounds off there: 2 % above the bottom, OOTDiffusion 053290's sheath measured 274 px
    where its skirt is 373 wide (052234: 216 of 467), narrower than its hips, so the worn skirt lost all its flare
    and hung as a column (a box on the two-photo persons)."""
    lowest = int(y1 - max(2, HEM_TOL / 2 * (y1 - y0)))
    rows = np.arange(min(lowest, int(y1 - HEM_BAND * (y1 - y0))), lowest + 1)
    widths = np.array([(e[1] - e[0]) if (e := _row_extent(piece, int(r))) else -1 for r in rows])
    return int(rows[len(rows) - 1 - int(np.argmax(widths[::-1]))])


def _hanging_sleeves(piece: np.ndarray, p: np.ndarray, sw: float, shoulder_y: float) -> bool:
    """Whether a dress's long sleeves hang straight down beside its body, touching it all the way (no background
    under the arm: the outline runs from the shoulder down the sleeve's outer edge to the cuff, then steps in to
    the body), from the upper-body points `p` ((14, 3) garment pixels) and the filled outline `piece` (H, W).

    The upper-body detector then finds each "armpit" where the cuff meets the body, more than `ARMPIT_DEEP` sw
    below the shoulders' row `shoulder_y` (a short sleeve's lies higher), beside its inner cuff corner
    (within `HANG_UNDERSIDE` garment shoulder widths `sw`: no underside shows), and below the cuffs the outline
    steps in on both sides by at least `HANG_STEP` sw. Read as flounces (armpits deep under the shoulders) or as a
    skirt's sides (cuffs below the waist), such a dress was drawn sleeveless (OOTDiffusion 051998's bishop
    sleeves)."""
    steps = []
    for side, sign in (("left", 1), ("right", -1)):
        outer, inner = (
            p[GARMENT_LANDMARKS.index(f"sleeve_{side}_outer")],
            p[GARMENT_LANDMARKS.index(f"sleeve_{side}_inner")],
        )
        armpit = p[GARMENT_LANDMARKS.index(f"armpit_{side}")]
        if min(outer[2], inner[2], armpit[2]) <= 0 or np.hypot(*(armpit[:2] - inner[:2])) > HANG_UNDERSIDE * sw:
            return False
        if armpit[1] - shoulder_y <= ARMPIT_DEEP * sw:
            return False
        cuff_row, below = int(max(outer[1], inner[1])), int(armpit[1] + HANG_STEP * sw)
        if below >= piece.shape[0] or (at := _row_extent(piece, cuff_row - 1)) is None:
            return False
        if (under := _row_extent(piece, below)) is None:
            return False
        steps.append(sign * ((at[1] if sign > 0 else at[0]) - (under[1] if sign > 0 else under[0])))
    return min(steps) >= HANG_STEP * sw


def detect_dress_landmarks(garment: Tensor, mask: Tensor) -> CategoryLandmarks:
    """Landmarks of flat, front-view dresses (`DRESS_LANDMARKS`: the upper-body 14, waist and hips).

    Args:
        garment: (B, 3, H, W) float RGB [0, 1].
        mask: (B or 1, 1, H, W) float [0, 1].

    Returns:
        `CategoryLandmarks` (category "dress", kinds = sleeve kinds), points (B, 18, 3) float32 garment pixels.
    """
    binary, batch = _binary_masks(garment, mask)
    upper = detect_garment_landmarks(garment, mask, dress=True)
    base = upper.points.detach().cpu().double().numpy()
    kinds = list(upper.sleeves) if len(upper.sleeves) == batch else [upper.sleeves[0]] * batch
    pts = []
    for i in range(batch):
        piece, (x0, y0, x1, y1) = _piece(binary[i if binary.shape[0] > 1 else 0], i)
        p = base[i if base.shape[0] > 1 else 0]
        g = {n: p[k] for k, n in enumerate(GARMENT_LANDMARKS)}
        sw = max(abs(g["shoulder_left"][0] - g["shoulder_right"][0]), 0.2 * (x1 - x0 + 1))
        armpits = [g[n][1] for n in ("armpit_left", "armpit_right") if g[n][2] > 0]
        shoulder_y = float(np.mean([g[n][1] for n in ("shoulder_left", "shoulder_right")]))
        cuffs = [GARMENT_LANDMARKS.index(f"sleeve_{sd}_{e}") for sd in ("left", "right") for e in ("outer", "inner")]
        hanging = _hanging_sleeves(piece, p, sw, shoulder_y)
        cuff_y = None
        if hanging:  # the armpits hidden behind the sleeves, where a dress's usually are; its waist under the cuffs
            kinds[i] = "long"
            cuff_y = float(p[cuffs, 1].max())
            p = p.copy()
            for side in ("left", "right"):
                k = GARMENT_LANDMARKS.index(f"armpit_{side}")
                p[k] = (p[k, 0], min(shoulder_y + ARMPIT_DEFAULT * sw, p[k, 1]), _RULE_CONF)
            armpits = [float(p[GARMENT_LANDMARKS.index("armpit_left"), 1])]
        if (
            not hanging
            and (p[cuffs, 2] > 0).any()
            and armpits
            and (max(armpits) - shoulder_y > ARMPIT_DEEP * sw or max(armpits) - min(armpits) > ARMPIT_UNEVEN * sw)
        ):
            # "armpits" far down or uneven on a sleeved dress are flounces or drapes seen as sleeves: sleeveless,
            # its armpits on the outline `ARMPIT_DEFAULT` shoulder widths below the shoulders
            p = p.copy()
            p[cuffs] = 0.0
            kinds[i] = "none"
            row = int(min(shoulder_y + ARMPIT_DEFAULT * sw, y1 - 2))
            e = _row_extent(piece, row) or (x0, x1)
            p[GARMENT_LANDMARKS.index("armpit_right")] = (e[0], row, _RULE_CONF)
            p[GARMENT_LANDMARKS.index("armpit_left")] = (e[1], row, _RULE_CONF)
            armpits = [float(row)]
        arm_y = float(np.mean(armpits)) if armpits else y0 + 0.25 * (y1 - y0)
        first = arm_y + WAIST_WINDOW[0] * sw if cuff_y is None else max(arm_y + WAIST_WINDOW[0] * sw, cuff_y + 2)
        rows = np.arange(int(first), int(min(arm_y + WAIST_WINDOW[1] * sw, y1 - 1)))
        widths = np.array([(e[1] - e[0]) if (e := _row_extent(piece, r)) else 1e9 for r in rows])
        if rows.size and widths.max() - widths.min() > WAIST_NARROWING * widths.min() and widths.min() < 1e9:
            waist_row = int(rows[int(np.argmin(widths))])
            seen = waist_row > int(rows[0])  # else the outline only widens below the window's top
            if not seen and kinds[i] == "none":  # a sleeveless dress's armpits may have been found at its waist
                seen = _narrows_into(piece, int((shoulder_y + arm_y) / 2), waist_row)
            # (under hanging sleeves the narrowest row shown is the skirt's top under the cuffs: the waist is hidden)
            conf = 1.0 if seen and cuff_y is None else _UNSEEN_CONF
        else:
            waist_row, conf = int(min(arm_y + WAIST_DEFAULT * sw, y1 - 2)), _RULE_CONF
        hip_row = int(min(waist_row + HIP_BELOW_WAIST * sw, y1 - 1))
        if not hanging and (p[cuffs, 2] > 0).any() and float(p[cuffs, 1][p[cuffs, 2] > 0].max()) > waist_row:
            # a "sleeve" ending below the waist is the skirt's side seen by the top's detector: sleeveless
            p = p.copy()
            p[cuffs] = 0.0
            kinds[i] = "none"
        # the hem's corners: the outline's extent just above the bottom (a flared hem's top-outline corner
        # search stops inside its curve, and the spline would then stretch what lies outside it), or farther out
        # and up where the hem runs on the slant (`_slant_hem_corners`)
        hem_row = _widest_hem_row(piece, y0, y1)
        low_row = int(y1 - max(2, HEM_TOL / 2 * (y1 - y0)))
        if (e := _row_extent(piece, hem_row)) is not None:
            p = p.copy()
            low = _row_extent(piece, low_row) or e
            corners = _slant_hem_corners(piece, (x0, y0, x1, y1), e, hem_row, low, low_row)
            p[GARMENT_LANDMARKS.index("hem_right")] = (*corners[0], 1.0)
            p[GARMENT_LANDMARKS.index("hem_left")] = (*corners[1], 1.0)
            hem_row = min(hem_row, int(corners[0][1]), int(corners[1][1]))  # the sides end above both corners
        if kinds[i] == "none":
            p = _armpits_on_outline(piece, p, waist_row, x1 - x0 + 1)
            arm_y = float(
                p[[GARMENT_LANDMARKS.index("armpit_left"), GARMENT_LANDMARKS.index("armpit_right")], 1].mean()
            )
        extra = []
        for row, c in ((waist_row, conf), (hip_row, _RULE_CONF)):
            e = _row_extent(piece, row) or (x0, x1)
            extra += [(e[1], row, c), (e[0], row, c)]  # wearer's left (image right) first
        sides = np.zeros((len(DRESS_LANDMARKS), 3))
        # (hanging sleeves hide the sides above their cuffs: the side points start under them)
        _sides(piece, sides, _DRESS, arm_y if cuff_y is None else max(arm_y, cuff_y + 2), hem_row)
        pts.append(np.concatenate([p, np.array(extra, dtype=np.float64), sides[len(p) + len(extra) :]]))
    points = torch.from_numpy(np.stack(pts)).to(device=garment.device, dtype=torch.float32)
    return CategoryLandmarks(points, DRESS_LANDMARKS, tuple(garment.shape[-2:]), tuple(kinds), "dress")
