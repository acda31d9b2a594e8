"""The lower garment continued up to its waistband under a freed untucked top (issue 12).

An untucked shirt or jacket hangs over the trousers or skirt down to the hips; the parse map sees the lower
garment only from the old hem down. When a shorter new top leaves that part free, the repaint (`repaint.repaint_freed`)
paints it as skin: a band of bare midriff between the new hem and the trousers. What lies there is the lower
garment up to its waistband, and skin only above it.

`continue_lower_garment` repaints, column by column, the repainted body pixels directly above the lower
garment's visible top edge, up to the estimated waistband (`WAIST_ABOVE_HIPS` shoulder widths above the line of
the hip joints), with the lower garment's own rows mirrored across that edge: its texture, colour and light
continue, a jagged old hem leaves no step. A tucked-in top ends at the waistband already (the lower garment's top
is at or above the estimate: `placement.resolve_tuck` tucks in at 0.15 sw above the hips and more), so nothing
changes there. Where a bare midriff shows the waistband (the person's own torso skin right on the lower garment's
top), it is continued no higher than that (`_shown_waist`).

A tucked-in top's hem reaches into the lower garment, which stays in front; where the old top hung out over it
(beside a wrist, at one hip) the parse map has old clothes below the waistband, and the new hem showed there as a
ragged flap. `tucked_waistband` fits the waistband as a line to the lower garment's visible top edge between the
hip joints (the columns where something hangs over it, lower down, left out); the composite cuts the new top (but
its sleeves) below that line and continues the lower garment up to it over what was freed. A half-tucked top
(tucked in at the front, its sides hanging out over the lower garment) keeps its hanging parts: `tucked_hem` lowers
the cut, column by column, to the old top's own bottom edge where the old top runs on from the line less than
`HANG_SW` down (deeper is a sleeve or an arm beside the hips; narrow slivers and runs an arm ends beside, the parse
map's edge along a forearm, stay cut).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .._arrays import above_half, blur_at, nonzero_yx, true_runs
from ..keypoints.placement import TORSO_PER_SW_MAX
from ..keypoints.pose import Pose
from ..preprocess.parse_labels import (
    VITONHD_ARMS,
    VITONHD_LOWER_GARMENT,
    VITONHD_NECK,
    VITONHD_UPPER_CLOTHES,
    labels_in,
)

__all__ = [
    "WAIST_ABOVE_HIPS",
    "continue_lower_garment",
    "cut_below_waistband",
    "lowered_waistband",
    "tucked_hem",
    "tucked_waistband",
]

#: The waistband's estimated height above the hip joints' line, in shoulder widths (the torso length over
#: `TORSO_PER_SW_MAX` when more: a person turned sideways has foreshortened shoulders): tucked-in samples measure
#: 0.2-0.5 (`placement.resolve_tuck`). A tucked-in top's hem is placed below the waistband, so no freed top lies
#: above a tucked waistband to be continued over.
WAIST_ABOVE_HIPS = 0.35
#: The lower garment's top rows under the old hem (its shadow, the parse map's edge) are not mirrored: the mirror
#: line lies this many pixels (at 1024 rows) under its visible top edge, and those rows are continued too.
EDGE_SKIP_PX = 8.0
#: Only columns within this (shoulder widths) outside the hip joints are continued: the waist is no wider than the
#: hips (`body_prior.TORSO_HIP`); a skirt's flare beside a hanging arm does not rise to the waistband.
HIP_MARGIN = 0.12
#: Beyond `HIP_MARGIN`, out to this far (shoulder widths) outside the hip joints (about a body's side at the waist),
#: columns are continued while the lower garment's own top edge runs on level with its top between the hips (within
#: `LEVEL_SW` of a line along the hips through its median there), column after column: a pair of shorts' top is as
#: wide as the waist, and an unseen long tank over shorts kept blocks of skin with vertical edges beside the waist
#: at 0.12; a margin of 0.3 for all drew strips beside arms and skirts (VITON-HD), where the garment's top slants down.
OUTLINE_SW = 0.3
#: ... how far (shoulder widths) a column's top may lie off that line and still count as the same top edge.
LEVEL_SW = 0.03
#: The repainted body counts as directly above the lower garment within this many pixels (at 1024 rows) of its
#: top edge (the parse map's edge and the repaint's fringe leave a pixel or two between them).
EDGE_GAP_PX = 3.0
#: Softness (Gaussian sigma, pixels at 1024 rows) of the continued garment's outline.
EDGE_SOFT_PX = 1.0
#: Where the photo shows the waistband itself (the person's own torso skin, a bare midriff, directly above the lower
#: garment's top in at least this share of the columns between the hip joints), the lower garment is continued no
#: higher than a line along the hips through those columns' tops (`_shown_waist`): the estimate from the hips rose
#: above a low-rise waist, and the freed old hem beside the midriff became a block of trousers with a vertical edge
#: against the skin (an unseen photo of a white tank top over light jeans).
SHOWN_SHARE = 0.2

#: `tucked_waistband`: a column's visible top edge more than this (shoulder widths) under the fitted line is hidden
#: (an arm, a hand, the old top hanging out over the waistband) and left out of the next fit.
HIDDEN_SW = 0.03
#: ... the line's slope stays within this of the hip joints' line (a waistband runs about along the hips).
SLOPE_OFF_HIPS = 0.15
#: ... and is fitted only when at least this share of the columns between the hip joints show the lower garment.
FIT_SHARE = 0.3
#: With a known waistband, only columns whose lower garment's visible top lies within this (shoulder widths) under
#: it are continued: an old top hangs out over the lower garment about that far; farther down is the lower garment's
#: slanting side or a skirt's flare beside an arm, where the waist is narrower.
HANG_SW = 0.2
#: `tucked_hem`: a part of the old top hanging out under the waistband is kept (the new top's hem follows it) only in
#: runs of columns at least this wide (shoulder widths): a narrower one is the parse map's ragged edge beside a
#: forearm or a hand (README pair 00891: a flap right of the forearm) ...
HEM_MIN_RUN = 0.1
#: ... after a running median of this width (shoulder widths) over the hanging depths (a jagged old hem) ...
HEM_SMOOTH = 0.05
#: ... and a running mean of this width (shoulder widths) over the kept depths: the median keeps a distressed or
#: lace hem's steps, which showed as a staircase on the new top's hem (VITON-HD 08909 with 11351).
HEM_ROUND = 0.12
#: ... and none with an arm or a hand within this (shoulder widths) beside either end, between the waistband and
#: the run's bottom: the old top's edge there is the arm's outline crossing the waistband, not a hem (README pair
#: 00891: without this the flap right of the forearm came back, its bottom ragged; a half-tucked top's hanging side
#: runs out into the deeper side seam or the background).
HEM_ARM_BESIDE = 0.03

_HIPS = (9, 12)  # BODY_25 right and left hip
_SHOULDERS = (2, 5)
_NECK, _MID_HIP = 1, 8


def continue_lower_garment(
    image: Tensor,
    labels: Tensor,
    painted: Tensor,
    background: Tensor,
    alpha: Tensor,
    pose: Pose,
    *,
    waistband: Tensor | None = None,
) -> Tensor:
    """(B, 3, H, W) `image` with the lower garment continued upwards over the repainted body to the waistband.

    Args:
        image: (B, 3, H, W) float [0, 1], the person with the freed old clothes repainted.
        labels: (B, H, W) int LIP-20 / VITON-HD parse labels of the person.
        painted: (B, 1, H, W) float [0, 1] where the repaint replaced the person.
        background: (B, 1, H, W) float [0, 1] background share of the repaint (the rest is the body).
        alpha: (B, 1, H, W) float [0, 1] the new garment's alpha.
        pose: `Pose` (B or 1) of the person; items without both hips and shoulders are left as they are.
        waistband: optional (B or 1, W) float rows (pixels; inf = none) of a known waistband (`tucked_waistband`:
            a tucked-in top was cut at it): used instead of the estimate from the hips where the lower garment's top
            lies within `HANG_SW` under it, beside the hips too (what the cut
            freed above the lower garment's rounded sides is lower garment too); under it the freed old top counts
            as body even where the repaint took it for background (it hung out over the lower garment's hip).
    """
    b, _, h, w = image.shape
    lower_all = labels_in(labels, VITONHD_LOWER_GARMENT).cpu().numpy()
    free = alpha[:, 0] <= 0.5  # (B, H, W) not under the new garment
    freed = (painted[:, 0] > 0.5) & free  # (one map for the repainted body and the freed clothes)
    body_all = (freed & (background[:, 0] < 0.5)).cpu().numpy()
    known = None if waistband is None else waistband.detach().double().cpu().numpy()
    old_all = labels_in(labels, VITONHD_UPPER_CLOTHES).cpu().numpy()
    freed_all = freed.cpu().numpy()
    skin_all = (labels_in(labels, VITONHD_NECK) & (painted[:, 0] <= 0.5) & free).cpu().numpy()
    out = image
    for i in range(b):
        body = body_all[i]
        lower = lower_all[i] & ~above_half(alpha[i, 0])
        waist = _waist_rows(pose, i, lower)
        if waist is not None:
            shown = _shown_waist(lower, skin_all[i], pose, i, h / 1024.0)
            waist = waist if shown is None else np.maximum(waist, shown)  # (inf beside the hips stays)
        if waist is not None and known is not None:
            line = known[i if known.shape[0] > 1 else 0].copy()
            tops = np.where(lower.any(0), np.argmax(lower, 0), h)
            line[tops - line > HANG_SW * _hips_and_sw(pose, i, (h, w))[2]] = np.inf
            waist = np.where(np.isfinite(line), line, waist)
            body = body | (freed_all[i] & old_all[i] & (np.arange(h)[:, None] > line[None, :]))  # (inf: none)
        if waist is None or not lower.any() or not body.any():
            continue
        region, source = _continued(lower, body, waist, h / 1024.0)
        if not region.any():
            continue
        img = image[i].detach().float().permute(1, 2, 0).cpu().numpy()
        ys, xs = nonzero_yx(region)
        own = img[ys, xs]
        sigma = max(0.5, EDGE_SOFT_PX * h / 1024.0)
        # (outside the region the fill is the image itself: the blur softens only the region's outline to the skin
        # and wall, not its seam with the real lower garment; so only the region's pixels change)
        soft = blur_at((region | lower).astype(np.float32), sigma, ys, xs)
        mixed = own + (img[source[ys, xs], xs] - own) * soft[:, None]
        if out is image:
            out = image.clone()
        rows, cols = torch.from_numpy(ys).to(image.device), torch.from_numpy(xs).to(image.device)
        out[i, :, rows, cols] = torch.from_numpy(mixed).T.to(device=image.device, dtype=image.dtype)
    return out


def tucked_waistband(labels: Tensor, pose: Pose) -> Tensor:
    """(B, W) float rows (pixels) of the lower garment's waistband, a line fitted to its visible top edge between
    the hip joints; inf in items without a lower garment there or without both hips and shoulders.

    The top edge is the lower garment's first row in each column. What lies over the waistband (an arm, a hand,
    the old top hanging out) only lowers it: columns more than `HIDDEN_SW` under the line are left out of the next
    fit (three rounds from a line along the hips through the edge's upper quartile); the slope stays within
    `SLOPE_OFF_HIPS` of the hips'.

    Args:
        labels: (B, H, W) int LIP-20 / VITON-HD parse labels of the person.
        pose: `Pose` (B or 1) of the person, rescaled to (H, W) here.
    """
    b, h, w = labels.shape
    lower_all = labels_in(labels, VITONHD_LOWER_GARMENT).cpu().numpy()
    rows = np.full((b, w), np.inf)
    for i in range(b):
        frame = _hips_and_sw(pose, i, (h, w))
        if frame is None:
            continue
        (x0, y0), (x1, y1), sw = frame
        cols = np.arange(max(0, int(np.ceil(min(x0, x1)))), min(w, int(np.floor(max(x0, x1))) + 1))
        lower = lower_all[i][:, cols]
        seen = lower.any(0)
        if cols.size < 3 or seen.sum() < max(3, FIT_SHARE * cols.size):
            continue
        xs, tops = cols[seen].astype(np.float64), np.argmax(lower[:, seen], 0).astype(np.float64)
        hip_slope = (y1 - y0) / (x1 - x0)
        slope, offset = hip_slope, float(np.percentile(tops - hip_slope * xs, 25))
        for _ in range(3):
            keep = tops - (offset + slope * xs) <= HIDDEN_SW * sw
            if keep.sum() < 2:
                break
            fit = np.polyfit(xs[keep], tops[keep], 1)[0] if np.ptp(xs[keep]) > 0 else hip_slope
            slope = float(np.clip(fit, hip_slope - SLOPE_OFF_HIPS, hip_slope + SLOPE_OFF_HIPS))
            offset = float(np.mean(tops[keep] - slope * xs[keep]))
        rows[i] = offset + slope * np.arange(w)
    return torch.from_numpy(rows).to(torch.float32)


def tucked_hem(labels: Tensor, waistband: Tensor, pose: Pose) -> Tensor:
    """(B, W) float rows where a tucked-in top is cut: per column the lower of the `waistband` and the old top's own
    bottom edge, where the old top (the parse map's upper clothes) runs on from the waistband's row less than
    `HANG_SW` shoulder widths down: a half-tucked top's sides hang out over the lower garment, and the new top
    hangs out there too. Deeper runs (a sleeve, an arm beside the hips), runs of columns narrower than
    `HEM_MIN_RUN` and runs with an arm beside an end (`HEM_ARM_BESIDE`) keep the waistband; the depths are
    smoothed over `HEM_SMOOTH` (a running median) before and `HEM_ROUND` (a running mean) after that choice.

    Args:
        labels: (B, H, W) int LIP-20 / VITON-HD parse labels of the person.
        waistband: (B or 1, W) float rows (pixels; inf = none), `tucked_waistband`'s.
        pose: `Pose` (B or 1) of the person, rescaled to (H, W) here; items without both hips and shoulders keep
            the waistband.
    """
    b, h, w = labels.shape
    rows = waistband.detach().double().cpu().numpy()
    rows = np.broadcast_to(rows, (max(b, rows.shape[0]), w)).copy()
    upper_all = labels_in(labels, VITONHD_UPPER_CLOTHES).cpu().numpy()
    arms_all = labels_in(labels, VITONHD_ARMS).cpu().numpy()
    for i in range(rows.shape[0]):
        frame = _hips_and_sw(pose, i, (h, w))
        line = rows[i]
        cols = np.nonzero(np.isfinite(line) & (line >= 0) & (line < h - 1))[0]
        if frame is None or cols.size == 0:
            continue
        sw = frame[2]
        reach = int(np.ceil(HANG_SW * sw)) + 1
        start = np.ceil(line[cols]).astype(np.int64)
        ys = np.minimum(start[None, :] + np.arange(reach)[:, None], h - 1)  # (reach, C)
        run = np.cumprod(upper_all[i if b > 1 else 0][ys, cols[None, :]], axis=0).sum(0)
        depth = np.where(run < reach, run, 0).astype(np.float64)  # (a run to the limit: a sleeve, an arm)
        hang = np.zeros(w)
        hang[cols] = depth
        k = max(1, int(HEM_SMOOTH * sw)) | 1
        hang = np.median(np.lib.stride_tricks.sliding_window_view(np.pad(hang, k // 2, mode="edge"), k), axis=1)
        arms = arms_all[i if b > 1 else 0]
        side = max(2, int(np.ceil(HEM_ARM_BESIDE * sw)))
        for a, e in true_runs(hang > 0):
            y0, y1 = int(max(0, np.min(line[a:e]))), int(min(h, np.max(line[a:e] + hang[a:e]) + 1))
            beside = arms[y0:y1, max(0, a - side) : a].any() or arms[y0:y1, e : e + side].any()
            if e - a < HEM_MIN_RUN * sw or beside:
                hang[a:e] = 0.0
        r = max(1, int(HEM_ROUND * sw)) | 1  # a hem is a smooth curve: the kept runs' steps become slopes
        hang = np.convolve(np.pad(hang, r // 2, mode="edge"), np.full(r, 1.0 / r), mode="valid")
        rows[i] = line + hang
    return torch.from_numpy(rows).to(device=waistband.device, dtype=waistband.dtype)


def lowered_waistband(rows: Tensor, pose: Pose, size_hw: tuple[int, int], below_sw: float) -> Tensor:
    """(B, W) `rows` (`tucked_waistband`, of an image of `size_hw`) lowered by `below_sw` of each item's shoulder
    width (the same as the fit's); inf rows, and items without both hips and shoulders, stay as they are."""
    down = torch.zeros(rows.shape[0], dtype=rows.dtype)
    for i in range(rows.shape[0]):
        frame = _hips_and_sw(pose, i, size_hw)
        if frame is not None:
            down[i] = below_sw * frame[2]
    return rows + down.to(rows.device)[:, None]


def cut_below_waistband(alpha: Tensor, waistband: Tensor, sleeves: Tensor | None) -> Tensor:
    """(B, 1, H, W) `alpha` (B or 1) without the garment under the `waistband` (B or 1, W) rows (`tucked_waistband`;
    inf = none), but its `sleeves` (B or 1, 2, H, W) bool (a long sleeve's cuff hangs beside the hips)."""
    cut = waistband.to(alpha.device, torch.float32)
    if not bool((cut < alpha.shape[-2] - 1).any()):  # (no row below any waistband: nothing is cut, no full-map pass)
        return alpha.clone()
    rows = torch.arange(alpha.shape[-2], device=alpha.device, dtype=torch.float32).reshape(1, 1, -1, 1)
    below = rows > cut[:, None, None, :]
    if sleeves is not None:
        sleeves = sleeves.to(alpha.device)
        below = below & ~(sleeves[:, 0] | sleeves[:, 1]).unsqueeze(1)  # (either sleeve: `any(1)` took 10x as long)
    return torch.where(below, torch.zeros((), dtype=alpha.dtype, device=alpha.device), alpha)


def _hips_and_sw(pose: Pose, i: int, size_hw: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, float] | None:
    """(right hip (x, y), left hip (x, y), shoulder width) in pixels of an image of `size_hw` for batch item `i` (the
    torso length over `TORSO_PER_SW_MAX` when more); None without both hips and shoulders."""
    h, w = size_hw
    joints = pose.joints[i if pose.joints.shape[0] > 1 else 0].detach().cpu().double().numpy()
    xy = joints[:, :2] * np.array([w / pose.canvas_hw[1], h / pose.canvas_hw[0]])
    if not all(joints[j, 2] > 0 for j in (*_HIPS, *_SHOULDERS)):
        return None
    sw = float(np.linalg.norm(xy[_SHOULDERS[1]] - xy[_SHOULDERS[0]]))
    if joints[_NECK, 2] > 0 and joints[_MID_HIP, 2] > 0:
        sw = max(sw, float(np.linalg.norm(xy[_MID_HIP] - xy[_NECK])) / TORSO_PER_SW_MAX)
    return xy[_HIPS[0]], xy[_HIPS[1]], sw


def _waist_rows(pose: Pose, i: int, lower: np.ndarray) -> np.ndarray | None:
    """(W,) float the estimated waistband's row at each column of batch item `i` over the `lower` (H, W) bool
    garment: the line through the hip joints raised by `WAIST_ABOVE_HIPS` shoulder widths (`TORSO_PER_SW_MAX`), inf
    farther than `HIP_MARGIN` outside the hip joints but where the garment's top edge runs on level out to
    `OUTLINE_SW` (`_level_top_reach`); None without both hips and shoulders."""
    frame = _hips_and_sw(pose, i, lower.shape)
    if frame is None:
        return None
    (x0, y0), (x1, y1), sw = frame
    slope = (y1 - y0) / (x1 - x0) if abs(x1 - x0) > 1.0 else 0.0
    cols = np.arange(lower.shape[1])
    rows = y0 + slope * (cols - x0) - WAIST_ABOVE_HIPS * sw
    left, right = _level_top_reach(lower, min(x0, x1), max(x0, x1), slope, sw)
    # (beyond the waist, no waistband: an impossible row, nothing to continue)
    return np.where((cols < left) | (cols > right), np.inf, rows)


def _level_top_reach(lower: np.ndarray, x_lo: float, x_hi: float, slope: float, sw: float) -> tuple[float, float]:
    """(left, right) columns the waistband reaches over the `lower` (H, W) bool garment between hip joints at
    columns `x_lo` <= `x_hi` (a line of `slope`; shoulder width `sw` pixels): `HIP_MARGIN` outside them, and farther
    (to `OUTLINE_SW`) over each next column whose garment top lies within `LEVEL_SW` of a line of `slope` through
    the median top between the hips (the garment's own top edge running on level: its waist, not a slanting side)."""
    w = lower.shape[1]
    left, right = x_lo - HIP_MARGIN * sw, x_hi + HIP_MARGIN * sw
    inner = np.arange(max(0, int(np.ceil(x_lo))), min(w, int(np.floor(x_hi)) + 1))
    seen = inner[lower[:, inner].any(0)] if inner.size else inner
    if seen.size < max(3, inner.size / 2):  # (the garment's top between the hips mostly hidden: no reference)
        return left, right
    offset = float(np.median(np.argmax(lower[:, seen], 0) - slope * seen))

    def level(x: int) -> bool:
        return bool(lower[:, x].any()) and abs(int(np.argmax(lower[:, x])) - (offset + slope * x)) <= LEVEL_SW * sw

    outwards = ((-1, int(np.floor(left)), x_lo - OUTLINE_SW * sw), (1, int(np.ceil(right)), x_hi + OUTLINE_SW * sw))
    for step, start, stop in outwards:
        x = start
        while 0 <= x < w and step * (x - stop) <= 0 and level(x):
            x += step
        if step < 0:
            left = min(left, x + 0.5)
        else:
            right = max(right, x - 0.5)
    return left, right


def _shown_waist(lower: np.ndarray, skin: np.ndarray, pose: Pose, i: int, unit: float) -> np.ndarray | None:
    """(W,) float rows of the waistband where the photo shows it, or None: a line parallel to the hip joints' line
    through the median top of the `lower` (H, W) bool garment in the columns between the hip joints with the
    person's own torso `skin` (H, W) bool (not repainted, not under the new garment) within `EDGE_GAP_PX` above it,
    when at least `SHOWN_SHARE` of those columns have it."""
    h, w = lower.shape
    frame = _hips_and_sw(pose, i, (h, w))
    if frame is None:
        return None
    (x0, y0), (x1, y1) = frame[0], frame[1]
    cols = np.arange(max(0, int(np.ceil(min(x0, x1)))), min(w, int(np.floor(max(x0, x1))) + 1))
    if cols.size < 3:
        return None
    seen = lower[:, cols].any(0)
    tops = np.argmax(lower[:, cols], 0)
    gap = max(1, round(EDGE_GAP_PX * unit))
    above = np.zeros(cols.size, bool)
    for k in range(1, gap + 2):  # (the parse map's edge leaves a pixel or two between them)
        above |= skin[np.maximum(tops - k, 0), cols] & (tops - k >= 0)
    bare = seen & above
    if bare.sum() < max(3, SHOWN_SHARE * cols.size):
        return None
    slope = (y1 - y0) / (x1 - x0) if abs(x1 - x0) > 1.0 else 0.0
    offset = float(np.median(tops[bare] - slope * cols[bare]))
    return offset + slope * np.arange(w)


def _run_across_holes(column: np.ndarray, gap: int) -> int:
    """Length of the run of True from the start of `column` (N,) bool, across holes of at most `gap` pixels (a fleck
    of the new hem or a seam the regions estimate left out, two rows under the lower garment's top, cut its run
    short: that column was not continued, a strip of skin down the continued garment)."""
    hole = np.diff(np.concatenate(([0], (~column).astype(np.int8), [0])))
    starts, ends = np.flatnonzero(hole == 1), np.flatnonzero(hole == -1)
    wide = (ends - starts > gap) | (ends == len(column))  # (a hole to the end ends it too)
    return int(starts[wide][0]) if wide.any() else len(column)


def _continued(lower: np.ndarray, body: np.ndarray, waist: np.ndarray, unit: float) -> tuple[np.ndarray, np.ndarray]:
    """(region (H, W) bool, source (H, W) int rows): per column, the `body` (H, W) bool pixels running upwards from
    within `EDGE_GAP_PX` of the `lower` (H, W) bool garment's top edge, below the `waist` (W,) row, and the lower
    garment's first `EDGE_SKIP_PX` rows (none where its top is within twice that of the waistband: those are the
    waistband itself, a button, not an old hem's shadow); each takes the lower garment's row mirrored across the
    line under those (reflected back and forth within the rest of its visible run)."""
    h, w = lower.shape
    region = np.zeros((h, w), bool)
    source = np.zeros((h, w), np.int64)
    gap = max(1, round(EDGE_GAP_PX * unit))
    skip_old_hem = max(1, round(EDGE_SKIP_PX * unit))
    columns = np.nonzero(lower.any(0) & np.isfinite(waist))[0]
    tops = np.argmax(lower[:, columns], 0)  # (each column's top at once: a column at a time cost more than the rule)
    for x, top in zip(columns.tolist(), tops.tolist(), strict=True):
        stop = max(0, int(np.ceil(waist[x])))
        if top <= stop:  # the lower garment reaches the waistband already (a tucked-in top)
            continue
        near = np.nonzero(body[max(0, top - gap) : top, x])[0]
        if near.size == 0:
            continue
        y = max(0, top - gap) + int(near[-1])
        while y >= stop and body[y, x]:
            y -= 1
        if y + 1 >= top:
            continue
        run = _run_across_holes(lower[top:, x], gap)  # the visible run of the lower garment below its top
        skip = skip_old_hem if top - stop > 2 * skip_old_hem else 0
        if run <= 2 * skip:
            continue
        edge, run = top + skip, run - skip
        rows = np.arange(y + 1, edge)  # (the gap's few pixels under the body run are continued too)
        k = (edge - 1 - rows) % (2 * run)
        region[rows, x] = True
        source[rows, x] = edge + np.where(k < run, k, 2 * run - 1 - k)
    return region, source
