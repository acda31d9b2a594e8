"""Classical garment landmarks from the garment mask's outline (upper-body garments photographed flat, front view).

Fourteen named points (`GARMENT_LANDMARKS`) in garment pixels with a confidence each; left/right are the WEARER's,
so in a frontal garment photo the wearer's left side is on the image right (OpenPose convention).

How each point is found (see docs/garment.md for the rules and limits):
- collar_center: the lowest point of the top outline near the garment's centre line (the neckline dip);
  collar_left/right: where the top outline is highest on each side (neck/shoulder junction or strap top),
  the outer end of a flat collar top.
- hem_center: the bottom outline on the centre line; hem_left/right: walking outward along the bottom
  outline, where it turns steeper than 45 degrees or jumps (side seam, or a sleeve hanging lower).
- On each side the outer contour from the collar corner to the hem corner is resampled, smoothed and its
  turning angle measured at a scale of ~2 % of the perimeter: the armpit is the sharpest concave turn in the
  upper body, the sleeve end is the point of that path farthest from the neck, the cuff
  corners are the sharpest convex turns either side of it, the shoulder is the sharpest convex turn between
  collar and cuff (sleeveless: between collar and armpit).
- Sleeves: present when the sleeve end sticks out beyond the armpit (> 7 % of the garment width) or hangs
  below it (> 12 % of the collar-to-hem height); "long" when the sleeve's underside (armpit to inner cuff
  corner) is at least `LONG_SLEEVE_RATIO` of the collar-to-hem height (elbow-length sleeves are "short").
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np
import torch
from torch import Tensor

from .._arrays import above_half, true_runs
from .._checks import check_image, check_same_batch, check_shape

__all__ = [
    "GARMENT_LANDMARKS",
    "SLEEVE_KINDS",
    "CUT_KINDS",
    "GarmentLandmarks",
    "detect_garment_landmarks",
    "landmark_index",
    "LONG_SLEEVE_RATIO",
]

GARMENT_LANDMARKS: tuple[str, ...] = (
    "collar_left", "collar_center", "collar_right", "shoulder_left", "shoulder_right",
    "sleeve_left_outer", "sleeve_left_inner", "sleeve_right_outer", "sleeve_right_inner",
    "armpit_left", "armpit_right", "hem_left", "hem_center", "hem_right",
)  # fmt: skip
_INDEX = {name: i for i, name in enumerate(GARMENT_LANDMARKS)}
SLEEVE_KINDS = ("none", "short", "long")
#: The cut read from the mask's outline (`detect_garment_landmarks`, see the module's docstring).
CUT_KINDS = ("regular", "open front", "strappy", "halter", "off-shoulder", "strapless", "wrap")

# An armpit lies above this fraction of the collar-to-hem height (a crop top's at ~0.7), or not outside the hem
# corner by more than `ARMPIT_OUT_MAX` of the garment's width
ARMPIT_LOW, ARMPIT_OUT_MAX = 0.6, 0.1
LONG_SLEEVE_RATIO = 0.45  # sleeve underside (armpit -> inner cuff) / collar-to-hem height: at or above, "long"
#: An armpit read low (`ARMPIT_LOW`) with the sleeve's underside running down from it, within `SLIT_STEEP` (dx / dy)
#: of the vertical, at least `SLIT_MIN` of the collar-to-hem height long (ootd 049805_1: 0.28) and shorter than
#: `SLIT_UNDERSIDE` of the sleeve's outer edge, is the top of a slit between a long sleeve laid over the body's side
#: and the body (`_slit_top`).
SLIT_STEEP, SLIT_UNDERSIDE, SLIT_MIN = 0.6, 0.5, 0.2
LOPSIDED = 0.3  # ... one side's this much longer than the other's: not a sleeve (`_mirror_short_sleeve`)
_FALLBACK_CONF = 0.3  # confidence of a point placed by a rule rather than found as a contour feature
_N_CONTOUR = 600  # outline resampled to this many points
_SEAM_DEPARTURE_DEG = 30.0  # walking up the side seam, the armpit is where the outline turns this far away


def landmark_index(name: str) -> int:
    """Index of a garment landmark name in `GARMENT_LANDMARKS`; raises with the valid names."""
    try:
        return _INDEX[name]
    except KeyError:
        raise KeyError(f"unknown garment landmark {name!r}; expected one of {', '.join(GARMENT_LANDMARKS)}") from None


@dataclass(frozen=True)
class GarmentLandmarks:
    """Garment landmarks for a batch of garment images.

    Attributes:
        points: (B, 14, 3) float, (x_px, y_px, confidence) in `GARMENT_LANDMARKS` order, pixel coordinates in the
            garment image (pixel centres at integers); confidence in (0, 1] when found, 0 when absent (e.g. the
            sleeve ends of a sleeveless garment; x, y are then 0 and meaningless).
        garment_hw: (H, W) of the garment image the pixels refer to.
        sleeves: per batch item "none", "short" or "long".
        cuts: per batch item one of `CUT_KINDS` ("regular", "open front", "off-shoulder", ...), or empty when
            the landmarks were not read from a mask (given points).
        collar_stand: optional (B, 3) float, (x_px, y_px, confidence): the bottom of the back collar's band on the
            garment's centre line, where the inside of the back starts in the neck opening (a shirt's collar
            stand); confidence 0 where none was found. None (the default) when not looked for
            (`kfvton.pipelines.garment_warp.find_collar_stand` sets it).
        fit_mask: optional (B, 1, H, W) float [0, 1], the garment mask the try-on places and warps by: the inside of
            the back seen through the neck opening cut out (`kfvton.pipelines.garment_warp.cut_inside_back`).
            None (the default) when not made; `kfvton.pipelines.classical.upper_garment_landmarks` sets it.
        placket: optional (B,) bool, garments with a button placket (`kfvton.pipelines.garment_warp.find_placket`),
            set with `fit_mask`.
    """

    points: Tensor
    garment_hw: tuple[int, int]
    sleeves: tuple[str, ...]
    cuts: tuple[str, ...] = ()
    collar_stand: Tensor | None = None
    fit_mask: Tensor | None = None
    placket: Tensor | None = None

    def __post_init__(self) -> None:
        check_shape(self.points, "garment_landmarks.points", ("B", len(GARMENT_LANDMARKS), 3))
        h, w = self.garment_hw
        if h < 1 or w < 1:
            raise ValueError(f"garment_landmarks.garment_hw: expected a positive (H, W), got {self.garment_hw}")
        if len(self.sleeves) != self.points.shape[0] or any(s not in SLEEVE_KINDS for s in self.sleeves):
            raise ValueError(
                f"garment_landmarks.sleeves: expected {self.points.shape[0]} entries from {SLEEVE_KINDS}, "
                f"got {self.sleeves}"
            )
        if self.cuts and (len(self.cuts) != self.points.shape[0] or any(c not in CUT_KINDS for c in self.cuts)):
            raise ValueError(
                f"garment_landmarks.cuts: expected {self.points.shape[0]} entries from {CUT_KINDS} (or none), "
                f"got {self.cuts}"
            )
        if self.collar_stand is not None:
            check_shape(self.collar_stand, "garment_landmarks.collar_stand", (self.points.shape[0], 3))
        if self.fit_mask is not None:
            check_shape(self.fit_mask, "garment_landmarks.fit_mask", (self.points.shape[0], 1, *self.garment_hw))
        if self.placket is not None:
            check_shape(self.placket, "garment_landmarks.placket", (self.points.shape[0],))

    @property
    def batch_size(self) -> int:
        return int(self.points.shape[0])

    def point(self, name: str) -> Tensor:
        """(B, 3) one landmark's (x_px, y_px, confidence)."""
        return self.points[:, landmark_index(name)]

    def select(self, index: int) -> GarmentLandmarks:
        def item(t: Tensor | None) -> Tensor | None:
            return None if t is None else t[index : index + 1]

        return GarmentLandmarks(
            self.points[index : index + 1],
            self.garment_hw,
            self.sleeves[index : index + 1],
            self.cuts[index : index + 1],
            item(self.collar_stand),
            item(self.fit_mask),
            item(self.placket),
        )

    def to(self, device: torch.device | str | None = None) -> GarmentLandmarks:
        def moved(t: Tensor | None) -> Tensor | None:
            return None if t is None else t.to(device)

        return replace(
            self,
            points=self.points.to(device),
            collar_stand=moved(self.collar_stand),
            fit_mask=moved(self.fit_mask),
            placket=moved(self.placket),
        )


# ----------------------------------------------------------------------------------------------------------------
# Outline helpers (numpy, one garment at a time)


def _resample_closed(contour: np.ndarray, n: int) -> np.ndarray:
    """(M, 2) closed polyline -> (n, 2) points equally spaced by arc length."""
    closed = np.vstack([contour, contour[:1]])
    seg = np.linalg.norm(np.diff(closed, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    targets = np.linspace(0.0, arc[-1], n, endpoint=False)
    x = np.interp(targets, arc, closed[:, 0])
    y = np.interp(targets, arc, closed[:, 1])
    return np.stack([x, y], axis=1)


def _smooth_closed(points: np.ndarray, sigma: float) -> np.ndarray:
    radius = max(1, int(3 * sigma))
    t = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (t / sigma) ** 2)
    kernel /= kernel.sum()
    padded = np.concatenate([points[-radius:], points, points[:radius]])
    return np.stack([np.convolve(padded[:, i], kernel, mode="valid") for i in range(2)], axis=1)


def _turning(points: np.ndarray, k: int, orientation: float) -> np.ndarray:
    """Signed turning angle (degrees) at each point over +-k samples; > 0 convex, < 0 concave."""
    prev = points - np.roll(points, k, axis=0)
    nxt = np.roll(points, -k, axis=0) - points
    cross = prev[:, 0] * nxt[:, 1] - prev[:, 1] * nxt[:, 0]
    dot = (prev * nxt).sum(axis=1)
    return np.degrees(np.arctan2(cross, dot)) * orientation


def _arc_indices(start: int, end: int, n: int, step: int) -> np.ndarray:
    """Indices from start to end (inclusive) walking in direction `step` (+1/-1) around a closed curve of n."""
    length = ((end - start) * step) % n
    return (start + step * np.arange(length + 1)) % n


def _conf_from_turn(angle: float) -> float:
    return float(np.clip(abs(angle) / 90.0, _FALLBACK_CONF, 1.0))


def _profile_extremes(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column: present, top row, bottom row (rows are -1 where the column is empty)."""
    present = mask.any(axis=0)
    h = mask.shape[0]
    top = np.where(present, mask.argmax(axis=0), -1)
    bottom = np.where(present, h - 1 - mask[::-1].argmax(axis=0), -1)
    return present, top, bottom


def _side_top(top: np.ndarray, present: np.ndarray, cx: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns from the centre `cx` outward on one side (`step` +1 image right, -1 image left) that hold the
    garment, and their top rows."""
    xs = np.arange(cx, top.shape[0]) if step > 0 else np.arange(cx, -1, -1)
    xs = xs[present[xs]]
    return xs, top[xs]


def _collar_corner(
    top: np.ndarray, present: np.ndarray, cx: int, step: int, tol: float, *, peak: bool = False, dip: bool = False
) -> tuple[int, int] | None:
    """Highest top-outline point on one side of the centre (`step` +1 image right, -1 image left): the first one
    within `tol` of the highest; with `peak`, the highest of that first stretch within `tol` (`NECK_MIN_SHARE`). A
    top within `tol` at the centre is a flat collar top (mock neck) whose outer end is the corner; with `dip` (a
    shallow back neckline, `_shallow_back`) the side's highest point instead."""
    xs, ts = _side_top(top, present, cx, step)
    if xs.size == 0:
        return None
    near = ts <= ts.min() + tol
    if dip:
        i = int(np.argmin(ts))
    elif near[0]:
        # Flat collar top (mock neck) across the centre: its outer end is the corner.
        run_end = int(np.argmin(near)) if not near.all() else near.size
        i = max(run_end - 1, 0)
    else:
        i = int(np.argmax(near))
        if peak:
            run = int(np.argmin(near[i:])) if not near[i:].all() else near.size - i
            i += int(np.argmin(ts[i : i + run]))
    return int(xs[i]), int(ts[i])


def _shallow_back(top: np.ndarray, present: np.ndarray, cx: int, tol: float) -> bool:
    """Whether the top outline is within `tol` of its highest at the centre `cx` but leaves that band, on either
    side, before reaching its highest point: a back neckline dipping about `tol` between higher corners (a boat
    neck's, a flat-shouldered tee's), not a mock neck's flat top. Read as a flat top, the first column out of the
    band was a corner: the unseen striped boat neck ootd 00151_00 had one side at its back's sag (371 of a 230-535
    neckline), VITON-HD 06802 one beside the centre (387 of 297-485), collar lines short and off the centre."""
    for step in (1, -1):
        _, ts = _side_top(top, present, cx, step)
        if ts.size == 0:
            continue
        near = ts <= ts.min() + tol
        if near[0] and not near.all() and int(np.argmin(ts)) >= int(np.argmin(near)):
            return True
    return False


def _dip_between(top: np.ndarray, present: np.ndarray, xa: float, xb: float, tol: float) -> np.ndarray:
    """Collar centre: the lowest top-outline point in the middle half between the collar corners (the neckline
    dip); the middle of a flat collar top (mock neck)."""
    xa, xb = sorted((int(round(xa)), int(round(xb))))
    quarter = (xb - xa) // 4
    xs = np.arange(xa + quarter, xb - quarter + 1)
    xs = xs[present[xs]]
    if xs.size == 0:
        mid = (xa + xb) // 2
        return np.array([mid, float(top[mid])])
    t = top[xs].astype(np.float64)
    if t.max() - t.min() < tol:
        mid = int(xs[np.argmin(np.abs(xs - 0.5 * (xa + xb)))])
        return np.array([mid, float(top[mid])])
    lowest = xs[t >= t.max() - 1.0]
    return np.array([float(np.median(lowest)), float(t.max())])


def _hem_corner(
    bottom: np.ndarray, present: np.ndarray, cx: int, step: int, win: int, *, frills: bool = True
) -> tuple[int, int]:
    """Walk outward along the bottom outline from the centre until it turns steeper than 45 degrees or ends.

    The outline must then get farther from the hem's level than `HEM_FRILL_WINDOWS` windows within as many
    windows (or end there): a ruffled or flared hem's frills step by about a window's height and come back level;
    a side seam, the slit beside a sleeve hanging to the hem, or a sleeve's underside goes farther. `frills` False:
    the first turn is the corner (dresses: their long tiered or lace hems' corners are left to the dress rules).
    """
    xs = np.arange(cx, bottom.shape[0]) if step > 0 else np.arange(cx, -1, -1)
    pres = present[xs]
    stop = int(np.argmin(pres)) if not pres.all() else xs.size
    xs = xs[:stop]
    b = bottom[xs].astype(np.float64)
    if xs.size <= win:
        return int(xs[-1]), int(b[-1])
    far = HEM_FRILL_WINDOWS * win
    ahead = np.lib.stride_tricks.sliding_window_view(np.pad(b, (0, far), mode="edge"), far + 1)[: b.size - win]
    ends = np.arange(b.size - win) + far >= b.size - 1
    held = ends | (np.abs(ahead - b[:-win, None]).max(axis=1) > far) | (not frills)
    jump = (np.abs(b[win:] - b[:-win]) > win) & held
    i = int(np.argmax(jump)) if jump.any() else xs.size - 1 - win
    # The corner is where the steep part starts inside the window: the last point still at hem level.
    seg = b[i : i + win + 1]
    j = i + int(np.argmax(np.abs(seg - b[i]) > 1.5)) - 1 if (np.abs(seg - b[i]) > 1.5).any() else i
    j = max(j, 0)
    return int(xs[j]), int(b[j])


def _refine_corner(raw: np.ndarray, approx_xy: np.ndarray, span: float) -> np.ndarray:
    """Snap a corner to the raw outline: the raw point near `approx_xy` farthest outside the local chord."""
    d = np.linalg.norm(raw - approx_xy, axis=1)
    near = np.nonzero(d <= span)[0]
    if near.size < 3:
        return raw[int(np.argmin(d))].astype(np.float64)
    return raw[near[np.argmin(d[near])]].astype(np.float64)


@dataclass
class _Side:
    shoulder: tuple[float, float, float]
    sleeve_outer: tuple[float, float, float]
    sleeve_inner: tuple[float, float, float]
    armpit: tuple[float, float, float]
    has_sleeve: bool
    sleeve_length: float
    armpit_on_outline: bool


_ABSENT = (0.0, 0.0, 0.0)
#: The cuff corners lie within this many times the distance sleeve end -> armpit of the sleeve end: a cuff of any
#: width, not reaching back to the collar or to a short sleeve's shoulder ...
CUFF_REACH = 1.2
#: ... on a top hanging from straps (a cold-shoulder cut), within this many: its sleeves start below the strap
#: tops, with no shoulder corner above them, and a flutter sleeve laid flat opens along its whole outer edge, taller
#: than its underside is long (the unseen ootd 050002_1: 167 px of outer edge over a 104 px underside). Within 1.2,
#: the cuff was read along the sleeve's underside, the flat sleeve's opening taken for its outer seam: on the person
#: the sleeves stood out sideways from the arms like wings instead of hanging round them.
STRAPPED_CUFF_REACH = 2.0
#: A neck opening is at least this share of the shoulder seams' distance wide (a head passes through it; the
#: sample and sheet garments: 0.24-0.69). Collar sides read closer together lie inside the opening, on a back collar's
#: top that rises gently to its ends within `_collar_corner`'s tolerance (the unseen Gucci tee: 51 px of 373, 0.14;
#: VITON-HD 01430: 0.14; an unseen jersey: 0.09): they are taken at that top's highest points, its ends (0.45, 0.40,
#: 0.26). On the person the tee's inside back stayed over the throat and its shoulders rose above the wearer's, and
#: the jersey's V collar was cut into steps. (A ruffled mock neck at 0.16 has no higher point further out: kept.)
NECK_MIN_SHARE = 0.2


def _local_maxima(values: np.ndarray, threshold: float) -> np.ndarray:
    """Indices of local maxima of a 1-D array that exceed `threshold` (plateaus give their first index)."""
    if values.size < 3:
        return np.zeros(0, dtype=np.int64)
    left = np.concatenate([[-np.inf], values[:-1]])
    right = np.concatenate([values[1:], [-np.inf]])
    return np.nonzero((values > left) & (values >= right) & (values > threshold))[0]


def _side_features(
    pts: np.ndarray,
    turn: np.ndarray,
    path: np.ndarray,
    piece: np.ndarray,
    *,
    cx: float,
    collar: np.ndarray,
    hem: np.ndarray,
    width: float,
    side: int,
    sleeve: bool | None = None,
    seam: bool = True,
    cuff_reach: float = CUFF_REACH,
) -> _Side:
    """Shoulder, cuff corners and armpit on one side's outer path (collar corner -> hem corner).

    `side` is +1 for the image-right half (wearer's left), -1 for the image-left half; `sleeve` forces the
    sleeve decision (None: decide from this side alone); `seam` False takes the side seam as hidden (the armpit
    is then placed by rule, off the outline); `cuff_reach`: the cuff corners lie within this many times the
    distance sleeve end -> armpit of the sleeve end (`CUFF_REACH`, `STRAPPED_CUFF_REACH`).
    """
    p = pts[path]
    a = turn[path]
    top_y = collar[1]
    body_h = max(hem[1] - top_y, 1.0)
    n = p.shape[0]
    margin = max(2, n // 40)

    armpit_idx, armpit_conf = None, 0.0
    if seam:
        armpit_idx, armpit_conf = _find_armpit(p, a, piece, top_y=top_y, body_h=body_h, margin=margin, side=side)
    if armpit_idx is not None:
        # An "armpit" low down and outside the hem corner is the flare of a wide sleeve hanging beside the body
        # (bell and kimono sleeves, Dress Code 000006_1, read as sleeveless before): no side seam is visible.
        low = p[armpit_idx, 1] > top_y + ARMPIT_LOW * body_h
        if low and (p[armpit_idx, 0] - hem[0]) * side > ARMPIT_OUT_MAX * width:
            armpit_idx = None
    if armpit_idx is None:
        # No visible side seam (a long sleeve hanging over the body side): place the armpit on the hem corner's
        # vertical, a third of the way down, and mark it as a guess.
        ay = top_y + 0.33 * body_h
        armpit = (float(hem[0]), float(ay), _FALLBACK_CONF)
        limit = n - margin
    else:
        armpit = (float(p[armpit_idx, 0]), float(p[armpit_idx, 1]), armpit_conf)
        limit = armpit_idx
    ax, ay = armpit[0], armpit[1]

    # Sleeve end: the point between collar and armpit farthest from the neck (the collar's centre), vertical
    # distances counted half so that the body side below a short sleeve does not win.
    seg = np.arange(margin, max(limit - margin // 2, margin + 1))
    dist = np.hypot(p[seg, 0] - cx, 0.5 * (p[seg, 1] - top_y))
    ie = int(seg[np.argmax(dist)])
    ex, ey = p[ie]
    outward = (ex - ax) * side
    has_sleeve = bool(outward > 0.07 * width or ey > ay + 0.12 * body_h) if sleeve is None else sleeve

    if has_sleeve:
        reach = cuff_reach * float(np.hypot(ex - ax, ey - ay))
        (io, co), (ii, ci) = _cuff_corners(
            p, a, ie, lo=margin, hi=max(ie + 1, limit - margin // 2), sep=margin, reach_px=reach
        )
        sleeve_outer = (float(p[io, 0]), float(p[io, 1]), co)
        sleeve_inner = (float(p[ii, 0]), float(p[ii, 1]), ci)
        sh_end = io - margin
    else:
        sleeve_outer = sleeve_inner = _ABSENT
        sh_end = limit - margin
    # Shoulder: the knee of the outline between the collar corner and the cuff's outer corner (sleeveless: the
    # armpit), i.e. the point farthest outside their chord, kept above the armpit.
    sh_seg = np.arange(margin, max(sh_end, margin + 1))
    sh_seg = sh_seg[p[sh_seg, 1] < ay] if (p[sh_seg, 1] < ay).any() else sh_seg
    # The chord ends at the cuff's outer corner or where the outer edge passes the armpit's height, whichever
    # comes first, so that a long hanging sleeve does not drag the knee down its outer edge.
    end_idx = min(sh_end + margin, n - 1)
    passed = np.nonzero(p[: end_idx + 1, 1] >= ay)[0]
    if passed.size:
        end_idx = max(int(passed[0]), margin + 1)
    start = p[0]
    end = p[end_idx]
    chord = end - start
    chord_len = max(float(np.hypot(*chord)), 1.0)
    offset = ((p[sh_seg, 0] - start[0]) * chord[1] - (p[sh_seg, 1] - start[1]) * chord[0]) / chord_len
    # Outside = the side of the chord away from the body's centre.
    inside = (cx - start[0]) * chord[1] - (top_y + 0.5 * body_h - start[1]) * chord[0]
    offset = offset * (-1.0 if inside > 0 else 1.0)
    ish = int(sh_seg[np.argmax(offset)])
    depth = float(offset.max()) / chord_len
    shoulder = (float(p[ish, 0]), float(p[ish, 1]), float(np.clip(4.0 * depth, _FALLBACK_CONF, 1.0)))

    length = 0.0
    if has_sleeve:
        # Underside length (armpit to inner cuff corner): unlike the outer edge it does not depend on where a
        # raglan or dropped shoulder puts the shoulder point.
        length = float(np.hypot(sleeve_inner[0] - ax, sleeve_inner[1] - ay)) / body_h
        if armpit_idx is not None and _slit_top(shoulder, sleeve_outer, sleeve_inner, armpit, top_y, body_h):
            return _side_features(
                pts, turn, path, piece, cx=cx, collar=collar, hem=hem, width=width, side=side, sleeve=sleeve,
                seam=False, cuff_reach=cuff_reach,
            )  # fmt: skip
    return _Side(shoulder, sleeve_outer, sleeve_inner, armpit, has_sleeve, length, armpit_idx is not None)


def _slit_top(
    shoulder: tuple[float, float, float],
    outer: tuple[float, float, float],
    inner: tuple[float, float, float],
    armpit: tuple[float, float, float],
    top_y: float,
    body_h: float,
) -> bool:
    """Whether an armpit found on the outline is the top of the slit between a long sleeve laid down over the
    body's side and the body below it (ootd 049805_1, a long-sleeved tee: the sleeves cover the side seams down
    to 0.67 of the height, the armpits were read there and the sleeves' undersides at 0.28 of the height made them
    "short": stubs on the person, the rest of the sleeves floating beside her).

    It is: below `ARMPIT_LOW` of the collar-to-hem height (`top_y`, `body_h`), with the sleeve's underside (armpit
    to `inner` cuff corner) running down within `SLIT_STEEP` of the vertical, at least `SLIT_MIN` of that height
    long and shorter than `SLIT_UNDERSIDE` of its outer edge (`shoulder` to `outer` cuff corner). A crop top's real
    low armpit has a long sleeve's underside about as long as its outer edge less the armhole (0.7 of it), a short
    sleeve's underside runs out sideways, a puff sleeve's bulges a little below its armpit (ootd 10297_00, an
    off-shoulder crop: 0.11 of the height, 0.14 of its outer edge). All points (x_px, y_px, confidence) in the
    garment's pixels.
    """
    dx, dy = inner[0] - armpit[0], inner[1] - armpit[1]
    underside = float(np.hypot(dx, dy))
    edge = float(np.hypot(outer[0] - shoulder[0], outer[1] - shoulder[1]))
    low = armpit[1] > top_y + ARMPIT_LOW * body_h
    steep = dy > 0 and abs(dx) <= SLIT_STEEP * dy
    return bool(low and steep and SLIT_MIN * body_h <= underside < SLIT_UNDERSIDE * edge)


def _cuff_corners(
    p: np.ndarray, a: np.ndarray, ie: int, *, lo: int, hi: int, sep: int, reach_px: float
) -> tuple[tuple[int, float], tuple[int, float]]:
    """Outer and inner cuff corners (path index, confidence): the two sharpest convex peaks around the sleeve end.

    Candidates lie on the path within [lo, hi] and within `reach_px` (Euclidean) of the sleeve end `ie`, which
    covers a cuff of any width without reaching back to the collar or the shoulder of a short sleeve. A corner
    without a peak (a rounded cap sleeve) falls back to the sleeve end (outer) or the end of the range, next to
    the armpit (inner), with the fallback confidence.
    """
    lo, hi = max(lo, 0), min(max(hi, lo), a.size - 1)
    idx = np.arange(lo, hi + 1)
    idx = idx[np.hypot(*(p[idx] - p[ie]).T) <= reach_px]
    peaks = idx[_local_maxima(a[idx], 25.0)] if idx.size else idx
    order = peaks[np.argsort(-a[peaks])]
    found = [int(order[0])] if order.size else []
    if order.size:
        others = order[np.abs(order - found[0]) >= sep]
        if others.size:
            found.append(int(others[0]))
    if len(found) == 2:
        i, j = sorted(found)
        return (i, _conf_from_turn(a[i])), (j, _conf_from_turn(a[j]))
    if len(found) == 1 and found[0] > ie + sep // 2:
        return (ie, _FALLBACK_CONF), (found[0], _conf_from_turn(a[found[0]]))
    outer = (found[0], _conf_from_turn(a[found[0]])) if found else (ie, _FALLBACK_CONF)
    return outer, (max(hi, outer[0]), _FALLBACK_CONF)


def _inward_run(piece: np.ndarray, xy: np.ndarray, side: int) -> np.ndarray:
    """Per outline point: how many mask pixels follow it horizontally towards the centre (one row each).

    The smoothed outline may sit a pixel or two off the mask, so the run starts at the first mask pixel within
    3 px outside the point.
    """
    h, w = piece.shape
    xs = np.clip(np.round(xy[:, 0]).astype(int), 0, w - 1)
    ys = np.clip(np.round(xy[:, 1]).astype(int), 0, h - 1)
    rows = piece[ys].astype(bool)  # (n, W)
    if side > 0:
        rows = rows[:, ::-1]  # walk leftwards as if rightwards
        xs = w - 1 - xs
    cols = np.arange(w)
    start_lo = np.maximum(xs - 3, 0)
    in_window = rows & (cols >= start_lo[:, None])
    has = in_window.any(axis=1)
    start = np.where(has, in_window.argmax(axis=1), w)
    gap = ~rows & (cols >= start[:, None])
    end = np.where(gap.any(axis=1), gap.argmax(axis=1), w)
    ok = has & (start <= xs + 3)
    return np.where(ok, end - start, 0).astype(np.float64)


def _find_armpit(
    p: np.ndarray, a: np.ndarray, piece: np.ndarray, *, top_y: float, body_h: float, margin: int, side: int
) -> tuple[int | None, float]:
    """Walk up the side seam from the hem corner; the armpit is where the outline leaves the seam's direction.

    Returns the path index and a confidence, or (None, 0) when the outline does not go up from the hem corner
    (a sleeve hanging over the body side hides the seam).
    """
    n = p.shape[0]
    rev = p[::-1]  # hem corner -> collar corner
    hem_y = rev[0, 1]
    # The outline must rise from the hem corner; when it drops it runs down a sleeve hanging over the side.
    if rev[min(2 * margin, n - 1), 1] >= hem_y:
        return None, 0.0
    # Reference direction of the side seam: from 5 % to 25 % of the body height above the hem corner.
    above = rev[:, 1] < hem_y - 0.05 * body_h
    if not above.any():
        return None, 0.0
    i0 = int(np.argmax(above))
    i1_mask = rev[:, 1] < hem_y - 0.25 * body_h
    if not i1_mask.any():
        return None, 0.0
    i1 = int(np.argmax(i1_mask))
    seam = rev[i1] - rev[i0]
    # The seam must rise steeply and be reached soon: otherwise the path first runs along a sleeve.
    arc = np.linalg.norm(np.diff(rev[: i1 + 1], axis=0), axis=1).sum()
    if seam[1] > -0.5 * abs(seam[0]) or arc > 1.6 * np.hypot(*(rev[i1] - rev[0])) + 0.05 * body_h:
        return None, 0.0
    seam = seam / np.linalg.norm(seam)
    step = max(2, margin)
    heading = rev[np.minimum(np.arange(n) + step, n - 1)] - rev
    norms = np.linalg.norm(heading, axis=1)
    cosang = (heading @ seam) / np.maximum(norms, 1e-9)
    candidates = (np.arange(n) >= i1) & (rev[:, 1] > top_y + 0.08 * body_h)
    leave = (cosang < np.cos(np.radians(_SEAM_DEPARTURE_DEG))) & candidates
    # A strap continuing the side line (camisole): the garment behind the outline becomes thin.
    thick = _inward_run(piece, rev, side)
    thin = (thick < 0.2 * max(thick[i1], 1)) & candidates
    if thin.any() and (not leave.any() or np.argmax(thin) < np.argmax(leave)):
        j = int(np.argmax(thin))
        return n - 1 - j, 0.6
    rev_a = a[::-1]
    if leave.any():
        j = int(np.argmax(leave))
        # Refine: armpits are concave corners; take the most concave turn around the departure, else the sharpest.
        around = np.arange(max(j - step, i1), min(j + 3 * step + 1, n - margin))
        if around.size and rev_a[around].min() < -20.0:
            jj = int(around[np.argmin(rev_a[around])])
            return n - 1 - jj, _conf_from_turn(rev_a[jj])
        window = np.arange(j, min(j + step + 1, n - margin))
        if window.size == 0:
            window = np.array([j])
        jj = int(window[np.argmax(np.abs(rev_a[window]))])
        # A convex turn followed by an outline flatter than 45 degrees is the top corner of a sleeveless body (a
        # boxy shell, VITON-HD 00034) turning into the shoulder line: that corner is the shoulder and the armhole
        # lies below it on the straight side. A tank's armpit turns inwards too, but into a strap that rises.
        ahead = np.cumsum(np.linalg.norm(np.diff(rev[jj:], axis=0), axis=1)) >= 0.1 * body_h
        rise = rev[jj + 1 + int(np.argmax(ahead))] - rev[jj] if ahead.any() else rev[-1] - rev[jj]
        if rev_a[jj] <= 20.0 or abs(rise[1]) >= abs(rise[0]):
            return n - 1 - jj, _conf_from_turn(rev_a[jj])
    # The seam runs straight up to the top (sleeveless with a shallow armhole): the armhole's deepest concave bend
    # in the upper half, else a third of the way down.
    upper = np.nonzero(candidates & (rev[:, 1] < top_y + 0.5 * body_h))[0]
    upper = upper[upper < n - margin]
    if upper.size == 0:
        return None, 0.0
    jj = int(upper[np.argmin(rev_a[upper])])
    if rev_a[jj] < -10.0:
        return n - 1 - jj, _conf_from_turn(rev_a[jj])
    jj = int(upper[np.argmin(np.abs(rev[upper, 1] - (top_y + 0.33 * body_h)))])
    return n - 1 - jj, _FALLBACK_CONF


def _mirror_lopsided_sleeve(out: np.ndarray, raw: np.ndarray, *, axis: float, height: float, span: float) -> bool:
    """A sleeve hanging down along the body (no gap under the arm, Dress Code 000000_1) often leaves one side's
    sleeve end on a bump of the side seam half-way down, at low confidence, while the other side found its cuff:
    then the sure side's sleeve end and armpit are mirrored about the garment's centre line (`axis`) and snapped
    to the outline, so the warp does not pull a cuff to the middle of the body (a spike). In place on `out`;
    True when it mirrored."""
    for sure, unsure in (("left", "right"), ("right", "left")):
        a, b = out[_INDEX[f"sleeve_{sure}_outer"]], out[_INDEX[f"sleeve_{unsure}_outer"]]
        if a[2] >= 0.6 and b[2] < 0.5 and abs(a[1] - b[1]) > 0.1 * height:
            _mirror_sleeve(out, raw, sure, unsure, axis=axis, span=span)
            return True
    return False


def _mirror_sleeve(out: np.ndarray, raw: np.ndarray, sure: str, unsure: str, *, axis: float, span: float) -> None:
    """Copy side `sure`'s sleeve ends and armpit onto side `unsure`, mirrored about `axis` and snapped to the
    outline `raw` (the armpit, which may lie inside it, is not snapped), at confidence at most 0.5. In place."""
    for part in ("outer", "inner"):
        src = out[_INDEX[f"sleeve_{sure}_{part}"]]
        if src[2] > 0:
            xy = _refine_corner(raw, np.array([2.0 * axis - src[0], src[1]]), span)
            out[_INDEX[f"sleeve_{unsure}_{part}"]] = (xy[0], xy[1], min(float(src[2]), 0.5))
    src = out[_INDEX[f"armpit_{sure}"]]
    if src[2] > 0:
        out[_INDEX[f"armpit_{unsure}"]] = (2.0 * axis - src[0], src[1], min(float(src[2]), 0.5))


def _mirror_short_sleeve(
    out: np.ndarray, raw: np.ndarray, lengths: dict[str, float], *, axis: float, span: float
) -> dict[str, float]:
    """One side's "sleeve" reaching `LOPSIDED` (of the collar-to-hem height) further than the other's, past the
    long-sleeve length, is something else hanging there (a tie, a dangling strap, a shadow or backdrop taken into
    the mask) while the other side found its cuff: garments are symmetric, so the short side's sleeve is mirrored
    onto it (in place on `out`).

    Args:
        lengths: per side ("left", "right") the sleeve's underside over the collar-to-hem height.

    Returns:
        The lengths after the mirroring (both the short one's when it mirrored).
    """
    short, long_ = sorted(lengths, key=lengths.get)
    if lengths[long_] < LONG_SLEEVE_RATIO or lengths[long_] - lengths[short] <= LOPSIDED:
        return lengths
    _mirror_sleeve(out, raw, short, long_, axis=axis, span=span)
    return {short: lengths[short], long_: lengths[short]}


# ----------------------------------------------------------------------------------------------------------------
# Cuts: open fronts, straps, straight top edges, wraps (one garment at a time)

_VIRTUAL_CONF = 0.2  # a point off the garment's outline, placed by its cut's rule (where a regular top's would be)
OPEN_FRONT_DEPTH = 0.7  # fronts apart from the neckline down to at least this share of the height
STRAP_MAX_WIDTH = 0.08  # strap runs at the top narrower than this share of the garment width ...
STRAP_MIN_LENGTH = 0.08  # ... over at least this share of its height
HALTER_MAX_WIDTH = 0.12  # a single band round the neck (halter) up to this share of the garment width
# A shoulder whose run, this share of the height below it, reaches less than this share of the way to the centre
# line is a strap's top: it carries no sleeve (`_strap_borne`)
STRAP_BORNE_DROP, STRAP_BORNE_REACH = 0.04, 0.4
FLAT_TOP_SLEEVED = 0.6  # a straight top edge through the centre over this share of the width (and the armpit width)
FLAT_TOP_TOLERANCE = 0.015  # ... straight within this share of the width, once ...
# ... a smocked or ruffled band's frills (narrower than this share of the width) are smoothed out of the top outline
# (a running median). Run / width on the 19 shared sample tops and 54 other flat garment photos: off-shoulder
# 0.65-0.87 (a frilled band 0.69; 0.26 unsmoothed), every other top <= 0.54.
FLAT_TOP_FRILL = 0.06
#: A sleeved top whose shoulders (the outline's knees towards the sleeves) lie no lower than this share of the
#: armpit width under its collar sides (the top outline's highest points either side), these at least
#: `LEVEL_TOP_NECK` armpit widths apart, shows no neck opening: its top edge runs level from sleeve to sleeve, an
#: off-shoulder cut whose edge is too gathered, twisted or puffed to be straight (the unseen ootd 10297_00, puff
#: sleeves either side of a knot: -0.003 below, 0.92 apart; it was placed up to the neck). Regular tops' shoulders
#: slope down from the neck: the 56 other sleeved flat photos (shared samples and unseen) 0.05 or more below, the 10
#: whose collar sides lie at least 0.7 apart (wide or scooped necks) 0.10 or more.
LEVEL_TOP_DROP, LEVEL_TOP_NECK = 0.03, 0.7
HEM_FRILL_WINDOWS = 3  # the hem corner's 45-degree turn holds over this many of its windows (1 % of the width)
WRAP_DIP = 0.2  # a wrap's neckline reaches this far down (share of the height) ...
WRAP_ASYMMETRY = 0.05  # ... with its lowest point or its hem this far off symmetric (share of width / height)
# Where a regular top's points sit in units of its armpit width (flat sample tops: collar sides 0.33-0.6 apart,
# shoulders 1.1-1.4 apart and 0.2 below the collar sides): the collar sides, and the shoulder seam where
# `keypoints.placement` puts it from the collar (0.58 shoulder widths out, 0.04 below the collar sides, over an
# armpit width of 1.12 shoulder widths).
_COLLAR_HALF = 0.2
_SEAM_HALF, _SEAM_DROP = 0.52, 0.04
# How far the missing collar sits above a straight top edge, x armpit width: an off-shoulder edge then lands
# about at the shoulder joints' height, under the shoulder seams (across the upper arms; on Dress Code 000003 0.18
# scores box SSIM 0.830 / 28.3 dB with its parse map, 0.25 0.808 / 26.3, 0.32 0.792 / 24.9, the edge taken for a
# collar 0.831 / 27.1 with the sleeves folded into flaps), a strapless one at the armpits. Those figures were taken
# with the collar sides 0.12 sw above the neck joint; `placement.COLLAR_UP` is 0.18 now, so the drops grew by the
# 0.06 sw (0.054 armpit widths) that keeps both edges where they were on the body.
_OFF_SHOULDER_DROP = {"off-shoulder": 0.235, "strapless": 0.505}


def _front_gap_rows(piece: np.ndarray, cx: int, y0: int, y1: int, band: int) -> np.ndarray:
    """Per row y0..y1: True where the garment has background near the centre line with garment on both sides
    (a neckline, or an open front's gap)."""
    rows = piece[y0 : y1 + 1].astype(bool)
    w = rows.shape[1]
    lo, hi = max(cx - band, 0), min(cx + band + 1, w)
    hole = ~rows[:, lo:hi]
    left = np.array([r[:lo].any() for r in rows]) if lo > 0 else np.zeros(rows.shape[0], bool)
    right = rows[:, hi:].any(axis=1)
    return hole.any(axis=1) & left & right


def _close_front(piece: np.ndarray, cx: int, y0: int, y1: int, width: float) -> np.ndarray | None:
    """An open front (cardigan, open jacket or shirt laid flat with its fronts apart): the piece with the gap
    between the fronts filled, or None when the fronts meet (regular tops, necklines, wraps).

    The fronts are apart when the centre line crosses background, with garment either side, in every row from
    the neckline (starting in the top 40 %) down to at least `OPEN_FRONT_DEPTH` of the height (a neckline, however
    deep, ends above it; sleeves hanging below the hem leave a gap that does not reach up to the neckline).
    """
    band = max(2, int(0.03 * width))
    gap = _front_gap_rows(piece, cx, y0, y1, band)
    height = y1 - y0 + 1
    starts = np.nonzero(gap[: int(0.4 * height)])[0]
    if starts.size == 0:
        return None
    run = np.nonzero(~gap[starts[0] :])[0]
    end = starts[0] + (run[0] if run.size else gap.size - starts[0])
    if end < OPEN_FRONT_DEPTH * height:
        return None
    gap[end:] = False
    closed = piece.copy()
    for k in np.nonzero(gap)[0]:
        row = closed[y0 + k]
        runs = true_runs(row == 0)
        near = runs[(runs[:, 1] > cx - band) & (runs[:, 0] <= cx + band) & (runs[:, 0] > 0) & (runs[:, 1] < row.size)]
        for a, b in near:
            if b - a <= 0.35 * width:
                row[a:b] = 1
    return closed


def _strap_rows(piece: np.ndarray, y0: int, height: float, limit: float) -> tuple[int, int]:
    """(rows from the top in which the garment is only straps narrower than `limit` px, the strap count half-way
    down them)."""
    counts = []
    for r in range(y0, y0 + int(0.5 * height)):
        runs = true_runs(piece[r] > 0)
        if runs.size == 0 or (runs[:, 1] - runs[:, 0]).max() > limit:
            break
        counts.append(len(runs))
    if not counts:
        return 0, 0
    return len(counts), counts[len(counts) // 2]


def _running_median(values: np.ndarray, window: int) -> np.ndarray:
    """(N,) -> (N,) float: the median over `window` (odd) neighbours, the ends repeated."""
    half = window // 2
    padded = np.pad(values.astype(np.float64), half, mode="edge")
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1), axis=1)


def _flat_top_run(top: np.ndarray, present: np.ndarray, cx: int, tol: float, frill: int = 1) -> int:
    """Length (px) of the run of columns through the centre whose top outline stays within `tol` of the centre's,
    the outline first smoothed by a running median over `frill` px (frills and smocking ripples narrower than about
    half of it do not break the run; a neckline, wider, still does)."""
    if not present[cx]:
        return 0
    if frill > 1:
        xs = np.nonzero(present)[0]
        top = top.astype(np.float64).copy()
        top[xs[0] : xs[-1] + 1] = _running_median(top[xs[0] : xs[-1] + 1], frill)
    ref = float(top[cx])
    n = 1
    for step in (1, -1):
        x = cx + step
        while 0 <= x < top.size and present[x] and abs(float(top[x]) - ref) <= tol:
            n += 1
            x += step
    return n


def _has_armhole(piece: np.ndarray, y_top: int, height: float) -> bool:
    """Whether the garment narrows under its top edge (an armhole) rather than running straight down (a tube)."""
    widths = []
    for r in range(y_top + max(1, int(0.02 * height)), min(y_top + int(0.25 * height), piece.shape[0])):
        xs = np.nonzero(piece[r])[0]
        widths.append(xs.max() - xs.min() + 1 if xs.size else 0)
    return bool(widths) and min(widths) < 0.93 * widths[0]


def _strappy(piece: np.ndarray, y0: int, width: float, height: float) -> str | None:
    """The strap cut, "strappy" or "halter", when the garment's top (its box: top row `y0`, `width` x `height` px)
    is straps (`STRAP_MAX_WIDTH`, `STRAP_MIN_LENGTH`; one band round the neck up to `HALTER_MAX_WIDTH`), else None."""
    straps, count = _strap_rows(piece, y0, height, STRAP_MAX_WIDTH * width)
    if straps >= STRAP_MIN_LENGTH * height:
        return "halter" if count == 1 else "strappy"
    # one band round the neck may be wider
    straps, count = _strap_rows(piece, y0, height, HALTER_MAX_WIDTH * width)
    if straps >= STRAP_MIN_LENGTH * height and count == 1:
        return "halter"
    return None


def _level_top_edge(out: np.ndarray, aw: float) -> bool:
    """Whether the top edge runs level from sleeve to sleeve (`LEVEL_TOP_DROP`, `LEVEL_TOP_NECK`): `out` (14, 3) the
    landmarks as found (pixels), `aw` the armpit width (px)."""
    shoulders, collars = (
        out[[_INDEX["shoulder_left"], _INDEX["shoulder_right"]]],
        out[[_INDEX["collar_left"], _INDEX["collar_right"]]],
    )
    if (shoulders[:, 2] <= 0).any() or aw <= 0:
        return False
    drop = float(shoulders[:, 1].mean() - collars[:, 1].mean())
    neck = abs(float(collars[0, 0] - collars[1, 0]))
    return drop <= LEVEL_TOP_DROP * aw and neck >= LEVEL_TOP_NECK * aw


def _cut_kind(
    piece: np.ndarray,
    out: np.ndarray,
    top: np.ndarray,
    present: np.ndarray,
    *,
    axis: int,
    box: tuple[int, int, float, float],
    sleeved: bool,
) -> str:
    """The cut of a garment that is not an open front, from its outline and first landmarks (`CUT_KINDS`)."""
    y0, y1, width, height = box
    strapped = _strappy(piece, y0, width, height)
    if strapped is not None:
        return strapped
    aw = abs(out[_INDEX["armpit_left"], 0] - out[_INDEX["armpit_right"], 0]) or 0.6 * width
    frill = 2 * int(0.5 * FLAT_TOP_FRILL * width) + 1
    run = _flat_top_run(top, present, axis, max(2.0, FLAT_TOP_TOLERANCE * width), frill)
    if sleeved and (run >= max(FLAT_TOP_SLEEVED * width, aw) or _level_top_edge(out, aw)):
        return "off-shoulder"
    if not sleeved and run >= max(FLAT_TOP_SLEEVED * width, 0.9 * aw) and not _has_armhole(piece, y0, height):
        return "strapless"
    cc = out[_INDEX["collar_center"]]
    corners_y = 0.5 * (out[_INDEX["collar_left"], 1] + out[_INDEX["collar_right"], 1])
    hem_tilt = abs(out[_INDEX["hem_left"], 1] - out[_INDEX["hem_right"], 1])
    if cc[1] - corners_y >= WRAP_DIP * height and (
        abs(cc[0] - axis) >= WRAP_ASYMMETRY * width or hem_tilt >= WRAP_ASYMMETRY * height
    ):
        return "wrap"
    return "regular"


def _place_cut(out: np.ndarray, cut: str, *, axis: float, width: float) -> None:
    """Move the points a cut lacks to where a regular top's would be (confidence `_VIRTUAL_CONF`), in place.

    - off-shoulder / strapless: the straight top edge is the neckline (collar_center on it); the collar sides
      and shoulders go above it, `_OFF_SHOULDER_DROP` armpit widths, so the edge lies across the upper arms
      and chest (strapless: under the arms, the armpits at its ends) instead of at the neck;
    - strappy: the strap tops are the shoulders (they sit on the shoulders), the collar sides go to the neck
      between them at the straps' height; the neckline (collar_center) stays low between the straps;
    - halter: the strap at the neck is the collar; the bare shoulders get points where a regular top's are.
    """
    if cut not in ("off-shoulder", "strapless", "strappy", "halter"):
        return
    left, right = out[_INDEX["armpit_left"]], out[_INDEX["armpit_right"]]
    aw = abs(left[0] - right[0]) if left[2] > 0 and right[2] > 0 else 0.6 * width
    if cut == "strappy":
        y = min(out[_INDEX["collar_left"], 1], out[_INDEX["collar_right"], 1])
        for side, sign in (("left", 1.0), ("right", -1.0)):
            out[_INDEX[f"shoulder_{side}"]] = (*out[_INDEX[f"collar_{side}"], :2], _FALLBACK_CONF)
            out[_INDEX[f"collar_{side}"]] = (axis + sign * _COLLAR_HALF * aw, y, _VIRTUAL_CONF)
        return
    if cut == "halter":
        collar_y = min(out[_INDEX["collar_left"], 1], out[_INDEX["collar_right"], 1])
    else:
        edge_y = out[_INDEX["collar_center"], 1]
        collar_y = edge_y - _OFF_SHOULDER_DROP[cut] * aw
        if cut == "strapless":  # the top edge's ends are under the arms
            for side in ("left", "right"):
                out[_INDEX[f"armpit_{side}"]] = (*out[_INDEX[f"collar_{side}"], :2], _FALLBACK_CONF)
        for side, sign in (("left", 1.0), ("right", -1.0)):
            out[_INDEX[f"collar_{side}"]] = (axis + sign * _COLLAR_HALF * aw, collar_y, _VIRTUAL_CONF)
        out[_INDEX["collar_center"]] = (axis, edge_y, 1.0)
    for side, sign in (("left", 1.0), ("right", -1.0)):
        out[_INDEX[f"shoulder_{side}"]] = (axis + sign * _SEAM_HALF * aw, collar_y + _SEAM_DROP * aw, _VIRTUAL_CONF)


def _landmarks_one(mask: np.ndarray, index: int, *, dress: bool = False) -> tuple[np.ndarray, str, str]:
    """(H, W) uint8 {0, 1} mask -> ((14, 3) float64 points, sleeve kind); `dress`: see `detect_garment_landmarks`."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        raise ValueError(f"mask[{index}]: empty garment mask, no outline to find landmarks on")
    # Work on the largest piece only (stray specks must not move the landmarks).
    contour = max(contours, key=cv2.contourArea)
    # The outline's interior, holes filled: landmarks only depend on the outline.
    piece = np.zeros_like(mask)
    cv2.drawContours(piece, [contour], -1, 1, thickness=cv2.FILLED)
    area = cv2.countNonZero(piece)
    if area < 64:
        raise ValueError(f"mask[{index}]: the garment mask has only {area} pixels; expected a garment silhouette")
    if area > 0.97 * mask.size:
        raise ValueError(
            f"mask[{index}]: the garment mask covers {100 * area / mask.size:.1f} % of the image (expected <= 97 %); "
            "an all-garment mask has no outline to find landmarks on"
        )
    bx, by, bw, bh = cv2.boundingRect(contour)
    y0, y1 = by, by + bh - 1
    width, height = float(bw), float(bh)
    if width < 16 or height < 16:
        raise ValueError(f"mask[{index}]: the garment is only {int(width)}x{int(height)} px; expected at least 16x16")

    rows = piece[y0 : y1 + 1].astype(bool)
    row_has = rows.any(axis=1)
    left = rows.argmax(axis=1)
    right = rows.shape[1] - 1 - rows[:, ::-1].argmax(axis=1)
    # Centre line from the upper 35 % (collar, shoulders, sleeves): a long or tilted skirt must not move it.
    upper = row_has & (np.arange(rows.shape[0]) < 0.35 * rows.shape[0])
    cx = int(round(float(np.median(0.5 * (left[upper] + right[upper])))))
    # An open front: the landmarks are read on the outline with the fronts closed (its two front edges stay in
    # the mask, which is what gets warped).
    closed = _close_front(piece, cx, y0, y1, width)
    if closed is not None:
        on_garment = piece.astype(bool)
        piece = closed
        contours, _ = cv2.findContours(piece, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        contour = max(contours, key=cv2.contourArea)

    present, top, bottom = _profile_extremes(piece.astype(bool))
    tol = max(2.0, 0.015 * height)
    corners = {}
    cx_top = cx  # (`cx` becomes the collar centre's column below)
    dip = _shallow_back(top, present, cx, tol)
    for side in (1, -1):
        cc = _collar_corner(top, present, cx, side, tol, dip=dip)
        corners[("collar", side)] = np.array(cc if cc is not None else (cx, top[cx]), dtype=np.float64)
        hem = _hem_corner(bottom, present, cx, side, max(3, int(0.01 * width)), frills=not dress)
        corners[("hem", side)] = np.array(hem, float)
    collar_center = _dip_between(top, present, corners[("collar", -1)][0], corners[("collar", 1)][0], tol)
    hx = int(round(0.5 * (corners[("hem", -1)][0] + corners[("hem", 1)][0])))
    band = max(1, int(0.03 * width))
    cols = np.arange(max(hx - band, 0), min(hx + band + 1, mask.shape[1]))
    cols = cols[present[cols]]
    hem_center = np.array([hx, float(np.median(bottom[cols])) if cols.size else float(bottom[hx])])
    cx = int(round(collar_center[0]))  # the neck: origin of the sleeve-end distances below

    raw = contour[:, 0, :].astype(np.float64)
    pts = _smooth_closed(_resample_closed(raw, _N_CONTOUR), sigma=1.5)
    area2 = np.sum(pts[:, 0] * np.roll(pts[:, 1], -1) - np.roll(pts[:, 0], -1) * pts[:, 1])
    orientation = 1.0 if area2 > 0 else -1.0
    k = max(3, _N_CONTOUR // 80)
    turn = _turning(pts, k, orientation)

    def nearest(xy: np.ndarray) -> int:
        return int(np.argmin(np.sum((pts - xy) ** 2, axis=1)))

    i_cc = nearest(collar_center)
    out = np.zeros((len(GARMENT_LANDMARKS), 3), dtype=np.float64)
    paths = {}
    for side in (1, -1):
        i_col = nearest(corners[("collar", side)])
        i_hem = nearest(corners[("hem", side)])
        path = _arc_indices(i_col, i_hem, _N_CONTOUR, 1)
        if i_cc in path[1:-1] or path.size > 0.75 * _N_CONTOUR:
            path = _arc_indices(i_col, i_hem, _N_CONTOUR, -1)
        paths[side] = path

    # a top on straps: its sleeves (a cold-shoulder cut's) start below the strap tops
    strapped = _strappy(piece, y0, width, height) == "strappy"
    reach = STRAPPED_CUFF_REACH if strapped else CUFF_REACH

    def side_features(side: int, sleeve: bool | None) -> _Side:
        return _side_features(
            pts,
            turn,
            paths[side],
            piece,
            cx=float(cx),
            collar=corners[("collar", side)],
            hem=corners[("hem", side)],
            width=width,
            side=side,
            sleeve=sleeve,
            cuff_reach=reach,
        )

    sides = {side: side_features(side, None) for side in (1, -1)}
    # Garments are symmetric: sleeves seen on one side exist on both (the other side's cuff is then searched).
    sleeved = sides[1].has_sleeve or sides[-1].has_sleeve
    if sleeved and _strap_borne(piece, sides, axis=float(cx), height=height):
        sleeved = False
        sides = {side: side_features(side, False) for side in (1, -1)}
    for side in (1, -1):
        if sides[side].has_sleeve != sleeved:
            sides[side] = side_features(side, sleeved)

    if sleeved and _inside_opening(corners, sides):  # (a sleeveless top's collar sides are its straps' tops)
        for side in (1, -1):
            cc = _collar_corner(top, present, cx_top, side, tol, peak=True, dip=dip)
            corners[("collar", side)] = np.array(cc if cc is not None else (cx_top, top[cx_top]), dtype=np.float64)
        collar_center = _dip_between(top, present, corners[("collar", -1)][0], corners[("collar", 1)][0], tol)

    span = 0.02 * max(width, height)
    for side, suffix in ((1, "left"), (-1, "right")):  # image right = wearer's left
        s = sides[side]
        out[_INDEX[f"collar_{suffix}"]] = (*corners[("collar", side)], 1.0)
        out[_INDEX[f"hem_{suffix}"]] = (*corners[("hem", side)], 1.0)
        for name, value in (
            (f"shoulder_{suffix}", s.shoulder),
            (f"sleeve_{suffix}_outer", s.sleeve_outer),
            (f"sleeve_{suffix}_inner", s.sleeve_inner),
            (f"armpit_{suffix}", s.armpit),
        ):
            if value[2] > 0 and (s.armpit_on_outline or not name.startswith("armpit")):
                xy = _refine_corner(raw, np.array(value[:2]), span)
                out[_INDEX[name]] = (xy[0], xy[1], value[2])
            elif value[2] > 0:
                out[_INDEX[name]] = value
    out[_INDEX["collar_center"]] = (*collar_center, 1.0)
    out[_INDEX["hem_center"]] = (*hem_center, 1.0)
    if sleeved:
        axis = 0.5 * (collar_center[0] + hem_center[0])
        if not _mirror_lopsided_sleeve(out, raw, axis=axis, height=height, span=span) and not dress:
            lengths = {"left": sides[1].sleeve_length, "right": sides[-1].sleeve_length}
            lengths = _mirror_short_sleeve(out, raw, lengths, axis=axis, span=span)
            sides[1] = replace(sides[1], sleeve_length=lengths["left"])
            sides[-1] = replace(sides[-1], sleeve_length=lengths["right"])

    if closed is not None:
        cut = "open front"
        for name in ("collar_center", "hem_center"):  # across the gap: on the closed outline, off the garment
            x, y = (int(round(v)) for v in out[_INDEX[name], :2])
            if not on_garment[min(max(y, 0), mask.shape[0] - 1), min(max(x, 0), mask.shape[1] - 1)]:
                out[_INDEX[name], 2] = _VIRTUAL_CONF
    else:
        box = (y0, y1, width, height)
        cut = _cut_kind(piece, out, top, present, axis=cx, box=box, sleeved=sleeved)
        _place_cut(out, cut, axis=0.5 * (collar_center[0] + hem_center[0]), width=width)

    if not sleeved:
        kind = "none"
    else:
        length = max(sides[1].sleeve_length, sides[-1].sleeve_length)
        kind = "long" if length >= LONG_SLEEVE_RATIO else "short"
    return out, kind, cut


def _strap_borne(piece: np.ndarray, sides: dict[int, _Side], *, axis: float, height: float) -> bool:
    """Whether the "sleeves" of both sides (`sides[±1]`, as found) hang from straps, so are not sleeves: no side
    found a side seam (each "sleeve" was taken to hang over the body's side), and `STRAP_BORNE_DROP` of the height
    below each shoulder the garment's run through it covers less than `STRAP_BORNE_REACH` of the way from the
    shoulder to the centre line `axis` (x px): a strap, the neckline open beside it. A sleeve hangs from a
    shoulder that runs on to the neck; a strap carries none. idm 14627_00 (a bustier on buckled straps, 0.25 of the
    way; side straps hanging from rings at the hem): the straps' outer edges down the body's sides to the rings
    were read as long sleeves, and on the person the bustier's sides were pulled down the arms as black bars.

    Args:
        piece: (H, W) uint8 {0, 1}, the garment's filled outline; height: its box's height, pixels.
    """
    if any(s.armpit_on_outline for s in sides.values()):
        return False
    h = piece.shape[0]
    for s in sides.values():
        x, y = s.shoulder[0], s.shoulder[1] + STRAP_BORNE_DROP * height
        runs = true_runs(piece[min(max(int(round(y)), 0), h - 1)] > 0)
        near = runs[(runs[:, 0] <= x + 3) & (runs[:, 1] >= x - 3)] if runs.size else runs
        if near.size == 0 or (near[:, 1] - near[:, 0]).max() >= STRAP_BORNE_REACH * abs(axis - x):
            return False
    return True


def _inside_opening(corners: dict[tuple[str, int], np.ndarray], sides: dict[int, _Side]) -> bool:
    """Whether the collar sides (`corners[("collar", ±1)]` (2,) x, y) lie closer together than `NECK_MIN_SHARE` of
    the shoulders' distance (`sides[±1].shoulder`, both found): inside the neck opening."""
    shoulders = [sides[side].shoulder for side in (1, -1)]
    if min(s[2] for s in shoulders) <= 0:
        return False
    neck = abs(float(corners[("collar", 1)][0] - corners[("collar", -1)][0]))
    return neck < NECK_MIN_SHARE * abs(shoulders[0][0] - shoulders[1][0])


def _binary_masks(garment: Tensor, mask: Tensor) -> tuple[np.ndarray, int]:
    """Check a garment batch and its masks (as `detect_garment_landmarks` documents) and binarise the masks.

    Returns:
        (B_mask, H, W) uint8 {0, 1} masks on the CPU (a batch of 1 broadcasts), and the batch size.
    """
    check_image(garment, "garment")
    b, _, h, w = garment.shape
    check_shape(mask, "mask", ("B", 1, h, w))
    if not mask.is_floating_point() and mask.dtype != torch.bool:
        raise TypeError(f"mask: expected a float mask with values in [0, 1], got dtype {mask.dtype}")
    batch = check_same_batch({"garment": b, "mask": mask.shape[0]})
    return above_half(mask[:, 0]).view(np.uint8), batch


def detect_garment_landmarks(garment: Tensor, mask: Tensor, *, dress: bool = False) -> GarmentLandmarks:
    """Find the 14 garment landmarks of flat, front-view upper-body garments from their masks.

    Classical and not differentiable (OpenCV/NumPy on the CPU); the image is validated but the current rules use
    only the mask's outline.

    Args:
        garment: (B, 3, H, W) float RGB in [0, 1].
        mask: (B, 1, H, W) float in [0, 1], 1 on the garment (binarised at 0.5), e.g. from
            `kfvton.preprocess.garment_mask.prepare_garment_mask`. A batch of 1 broadcasts against the garment's.
        dress: the garments are dresses, whose "sleeves" ending below the waist are the skirt's sides (the dress
            landmarks drop them): a side reaching far further than the other is kept as found, not replaced by
            the other side's sleeve (`_mirror_short_sleeve`, for tops).

    Returns:
        GarmentLandmarks with points (B, 14, 3) (x_px, y_px, confidence) in the garment's pixel frame, dtype
        float32 (float64 for a float64 garment), on the garment's device.

    Raises:
        ValueError naming `garment` or `mask` for wrong shapes, mismatched sizes or an empty mask.
    """
    binary, batch = _binary_masks(garment, mask)
    h, w = garment.shape[-2:]
    points, kinds, cuts = [], [], []
    for i in range(batch):
        pts, kind, cut = _landmarks_one(np.ascontiguousarray(binary[i if binary.shape[0] > 1 else 0]), i, dress=dress)
        points.append(pts)
        kinds.append(kind)
        cuts.append(cut)
    dtype = garment.dtype if garment.dtype == torch.float64 else torch.float32
    tensor = torch.from_numpy(np.stack(points)).to(device=garment.device, dtype=dtype)
    return GarmentLandmarks(tensor, (h, w), tuple(kinds), tuple(cuts))
