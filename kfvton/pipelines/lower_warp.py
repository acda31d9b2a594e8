"""Part-wise warps of lower-body garments and dresses: one spline per part, joined into one sampling grid.

Parts (garment pixels, from the landmarks of `kfvton.keypoints.placement_lower`):
    trousers / shorts: the seat (waist corners and centre, hips, crotch: everything above the crotch's row) and
        each leg (its hip point, the crotch, its knee points when present, its side points and its hem corners: below
        the crotch's row, on its side of the crotch), as the sleeves of a top; a leg claims the person pixels first,
        then the seat, so the legs can follow knees and ankles apart without dragging the seat.
    skirts: one spline through waist, hips, the side points and hem; placement keeps the hem at least as wide as
        the hips and the hips as the waist, so the spline flares and does not fold.
    dresses: `warp_by_parts` on the 14 upper-body landmarks (the hem is the dress's hem), the side points
        between armpits and hem (`SKIRT_SIDES`, on the person's silhouette when one is known) and, where the dress
        shows a waist, its waist corners (`_dress_extra_pairs`: the garment's narrowest row onto the person's
        waist): one spline for the whole body of the dress (the placement keeps the hem at least as wide as the
        hips: no fold) and one per sleeve. (A separate bodice / skirt split left a seam at the waist and let
        the skirt's spline fold on sleeveless dresses; the hip pairs are reported, not used.)
Joining: for each person pixel the first part whose spline lands inside that part's own garment piece gives the
grid; pixels no part claims get a grid value outside [-1, 1] (sampled as 0), except holes enclosed by claimed
pixels in trousers and shorts (`_fill_holes`: mirrored across the nearest claimed pixel, past the garment's rim),
and the legs' soft inner rims where they meet on the person (`_seam`), filled so.
Each spline is evaluated only in the box of its targets grown by half its size, every `grid_step` pixels, upsampled
bilinearly.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch
from torch import Tensor

from .._checks import check_shape
from ..geometry.grid import ALIGN_CORNERS_TPS, px_to_norm
from ..geometry.pair_warp import DEFAULT_REG, MISSING_REG
from ..geometry.tps import tps_grid, tps_solve
from ..geometry.warp import Warp, sample_grid
from ..keypoints.garment_landmarks_lower import LEG_SIDES, SKIRT_SIDES
from ..keypoints.pairs import KeypointPairs
from ..keypoints.placement import SidePairs, centre_on_front_neckline, join_side_pairs, place_front_neckline
from ..keypoints.placement_lower import upper_pairs
from .garment_warp import PartWarp, warp_by_parts

__all__ = ["LOWER_PARTS", "lower_part_masks", "warp_lower_garment"]

#: Landmarks of each part of two-legged garments.
LOWER_PARTS: dict[str, tuple[str, ...]] = {
    "leg_right": (
        "hip_right",
        "crotch",
        "knee_right_outer",
        "knee_right_inner",
        "leg_right_outer",
        "leg_right_inner",
        *(n for n in LEG_SIDES if n.startswith("leg_right_")),
    ),
    "leg_left": (
        "hip_left",
        "crotch",
        "knee_left_outer",
        "knee_left_inner",
        "leg_left_outer",
        "leg_left_inner",
        *(n for n in LEG_SIDES if n.startswith("leg_left_")),
    ),
    "seat": ("waist_left", "waist_center", "waist_right", "hip_left", "hip_right", "crotch"),
}
SKIRT_PART: tuple[str, ...] = (
    "waist_left",
    "waist_center",
    "waist_right",
    "hip_left",
    "hip_right",
    "hem_left",
    "hem_center",
    "hem_right",
    *SKIRT_SIDES,
)
_OUTSIDE = -2.0
#: The legs' pieces reach this fraction of the rise (waist -> crotch) above the crotch's row, so that the seat's
#: and the legs' splines overlap at the seam instead of leaving a row of pixels neither claims.
LEG_OVERLAP = 0.15
#: A dress's waist corners, joined to its warp's torso pairs where the dress shows a waist (`_dress_extra_pairs`).
DRESS_WAIST: tuple[str, ...] = ("waist_right", "waist_left")
#: ... shown: garment confidence at least this (a waist read on the outline is 1; rule-placed or unseen, less).
WAIST_SEEN = 1.0
#: ... its placed share of the armpits -> hem depth within these times the garment's own (`_waist_within_share`).
WAIST_SHARE = (0.5, 1.5)
#: A hole in the joined trouser grid takes the value mirrored across its nearest claimed pixel this many pixels
#: further in (`_fill_holes`), past the garment's soft rim, so the hole is opaque fabric, not the rim repeated.
FILL_RIM_PX = 2
#: `_seam`: a claimed pixel sampling the garment mask below SEAM_SOLID, in a gap narrower than SEAM_PX pixels between
#: solid ones (the two legs' inner rims where the legs meet), is filled as a hole.
SEAM_SOLID = 0.98
SEAM_PX = 5


def lower_part_masks(pairs: KeypointPairs, garment_mask: Tensor) -> Tensor:
    """Split trouser / shorts masks into right leg, left leg and seat (garment pixels).

    Args:
        pairs: lower pairs (names include the crotch), batch B.
        garment_mask: (B or 1, 1, H_g, W_g) float [0, 1].
    Returns:
        (B, 3, H_g, W_g) float {0, 1}: leg_right (image left of the crotch), leg_left (both from `LEG_OVERLAP`
        of the rise above the crotch's row), seat (above the crotch's row).
    """
    check_shape(garment_mask, "garment_mask", ("B", 1, *pairs.garment_hw))
    h, w = pairs.garment_hw
    crotch = pairs.garment_px[:, pairs.names.index("crotch")].detach().cpu()
    waist_y = pairs.garment_px[:, pairs.names.index("waist_center"), 1].detach().cpu()
    m = (garment_mask.detach().cpu() > 0.5).float()[:, 0].expand(pairs.batch_size, -1, -1)
    ys = torch.arange(h, dtype=torch.float32)[:, None].expand(h, w)
    xs = torch.arange(w, dtype=torch.float32)[None].expand(h, w)
    out = torch.zeros(pairs.batch_size, 3, h, w)
    for i in range(pairs.batch_size):
        cx, cy = float(crotch[i, 0]), float(crotch[i, 1])
        legs = ys >= cy - LEG_OVERLAP * max(cy - float(waist_y[i]), 0.0)  # over the seam: no unclaimed row
        out[i, 0] = m[i] * (legs & (xs < cx))
        out[i, 1] = m[i] * (legs & (xs >= cx))
        out[i, 2] = m[i] * (ys < cy)
    return out.to(garment_mask.device)


def _claim(
    grid: Tensor,
    pairs: KeypointPairs,
    names: tuple[str, ...],
    piece: Tensor,
    *,
    reg: float,
    align_corners: bool,
    grid_step: int,
) -> None:
    """Fit one part's spline and write it into `grid` (in place) where it lands on `piece` and nothing claimed."""
    b = pairs.batch_size
    h, w = pairs.person_hw
    sel = [pairs.names.index(n) for n in names if n in pairs.names]  # side points may be absent (older pairs)
    person = pairs.person_px[:, sel].detach().double()
    garment = pairs.garment_px[:, sel].detach().double()
    valid = (person[..., 2] > 0) & (garment[..., 2] > 0)
    for i in range(b):
        if int(valid[i].sum()) < 3:
            continue
        v = valid[i]
        src = px_to_norm(person[i, :, :2], pairs.person_hw, align_corners=align_corners)
        dst = px_to_norm(garment[i, :, :2], pairs.garment_hw, align_corners=align_corners)
        src = torch.where(v[:, None], src, torch.zeros_like(src))
        dst = torch.where(v[:, None], dst, torch.zeros_like(dst))
        regs = torch.where(v, torch.full_like(src[:, 0], reg), torch.full_like(src[:, 0], MISSING_REG))
        params = tps_solve(src, dst, reg=regs)
        pts = person[i, v, :2]
        lo, hi = pts.min(0).values, pts.max(0).values
        grow = 0.5 * (hi - lo) + 0.05 * max(h, w)
        x0, y0 = (int(t) for t in (lo - grow).floor().clamp_min(0).tolist())
        x0, y0 = min(x0, w - 1), min(y0, h - 1)  # targets below or beside the photo
        x1 = int(min(float((hi[0] + grow[0]).ceil()), w - 1))
        y1 = int(min(float((hi[1] + grow[1]).ceil()), h - 1))
        if x1 <= x0 or y1 <= y0:
            continue
        box = tps_grid(params, pairs.person_hw, align_corners=align_corners, step=grid_step, box=(y0, y1, x0, x1))[None]
        box = box.to(device=grid.device, dtype=grid.dtype)
        part = piece[i if piece.shape[0] > 1 else 0][None, None].to(device=grid.device, dtype=grid.dtype)
        landed = sample_grid(part, box, align_corners=align_corners, name="garment part")[0, 0]
        region = grid[i, y0 : y1 + 1, x0 : x1 + 1]
        free = region[..., 0] <= _OUTSIDE + 1e-3
        grid[i, y0 : y1 + 1, x0 : x1 + 1] = torch.where(((landed > 0.5) & free)[..., None], box[0], region)


def _fill_holes(grid: Tensor, seam: Tensor | None = None) -> Tensor:
    """`grid` (B, H, W, 2) with its holes (pixels no part claimed, enclosed by claimed ones: where a leg's and the
    seat's splines each land on the other's piece near the crotch, or between thighs that touch, where each leg's
    spline lands in the garment's gap between its legs) and the `seam` pixels ((B, H, W) bool, claimed: see
    `_seam`) filled from the claimed pixels around them: each such pixel takes the value of its mirror image across
    the nearest claimed pixel, `FILL_RIM_PX` further in (that pixel's own value where the mirror is not claimed);
    the unclaimed background around the garment and between its legs touches the image's border and stays.

    (The nearest claimed pixel's own value, copied, drew the leg's rim: the garment's soft, partly transparent edge
    repeated across the hole in a staircase of grey blocks, a streaky strip between the thighs of a woman whose knees
    touch with the old dress showing through; OOTDiffusion model_9 in jeans 051946.)"""
    out = grid
    free_all = (grid[..., 0] <= _OUTSIDE + 1e-3).cpu().numpy()
    seams = None if seam is None else seam.cpu().numpy()
    for i in range(grid.shape[0]):
        rows, cols = np.flatnonzero(~free_all[i].all(1)), np.flatnonzero(~free_all[i].all(0))
        if rows.size == 0:
            continue
        # within the claimed pixels' box: what touches its border is connected to the free outside
        top, left = int(rows[0]), int(cols[0])
        free = free_all[i, top : int(rows[-1]) + 1, left : int(cols[-1]) + 1]
        h, w = free.shape
        seam_i = np.zeros_like(free) if seams is None else seams[i, top : top + h, left : left + w]
        # (a seam across a gap's narrow neck closes it: the part behind it is a hole, filled too)
        n, comp, stats, _ = cv2.connectedComponentsWithStats((free & ~seam_i).astype(np.uint8), connectivity=4)
        x, y, bw, bh = (stats[1:, k] for k in range(4))
        inner = np.flatnonzero((x > 0) & (y > 0) & (x + bw < w) & (y + bh < h)) + 1  # not touching the border
        hole_all = np.isin(comp, inner) | seam_i
        if not hole_all.any():
            continue
        claimed_all = ~free & ~hole_all
        # the holes' box grown by twice their reach, so that the mirror images lie within it
        to_claimed = cv2.distanceTransform((~claimed_all).astype(np.uint8), cv2.DIST_L2, 3)
        reach = 2 * int(np.ceil(to_claimed[hole_all].max())) + FILL_RIM_PX + 2
        hy, hx = np.nonzero(hole_all)
        y0, y1 = max(0, int(hy.min()) - reach), min(h, int(hy.max()) + 1 + reach)
        x0, x1 = max(0, int(hx.min()) - reach), min(w, int(hx.max()) + 1 + reach)
        hole = hole_all[y0:y1, x0:x1]
        claimed = claimed_all[y0:y1, x0:x1]
        # the nearest claimed pixel of each hole pixel (distance labels number the zero pixels in row-major order)
        _, near = cv2.distanceTransformWithLabels(
            (~claimed).astype(np.uint8), cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL
        )
        at = np.stack(np.nonzero(hole), -1)
        src = np.stack(np.nonzero(claimed), -1)[near[hole] - 1]
        away = (src - at).astype(np.float64)
        dist = np.maximum(np.linalg.norm(away, axis=-1, keepdims=True), 1e-6)
        mirror = np.rint(src + away * (1.0 + FILL_RIM_PX / dist)).astype(np.int64)
        inside = (mirror >= 0).all(-1) & (mirror[:, 0] < hole.shape[0]) & (mirror[:, 1] < hole.shape[1])
        ok = inside.copy()
        ok[inside] = claimed[mirror[inside, 0], mirror[inside, 1]]
        src = np.where(ok[:, None], mirror, src)
        if out is grid:
            out = grid.clone()
        box = out[i, y0 + top : y1 + top, x0 + left : x1 + left]
        box[torch.from_numpy(hole).to(box.device)] = box[torch.from_numpy(src[:, 0]), torch.from_numpy(src[:, 1])]
    return out


def _seam(grid: Tensor, mask: Tensor, align_corners: bool) -> Tensor:
    """(B, H, W) bool: pixels of a joined trouser `grid` (B, H, W, 2) that sample the garment `mask`
    (B, 1, H_g, W_g) below `SEAM_SOLID` (or nothing: unclaimed) and lie in a gap narrower than `SEAM_PX` between
    pixels that sample it solid. Where the legs meet on the person, each leg's spline lands its inner side on the
    garment's soft inner rim, and the two rims side by side drew a dotted light line from the crotch down between
    the knees, or the two inner sides stopped a few pixels apart and the wall showed through a slit (CatVTON 049713
    in OOTDiffusion's navy flares 051991: a grey slit between her knees). The garment's outer rim, beside the
    unclaimed background, stays soft."""
    alpha = sample_grid(mask.to(grid.dtype), grid, align_corners=align_corners, name="garment_mask")[:, 0]
    claimed = (grid[..., 0] > _OUTSIDE + 1e-3).cpu().numpy()
    solid = (alpha >= SEAM_SOLID).cpu().numpy() & claimed
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (SEAM_PX, SEAM_PX))
    out = np.zeros_like(claimed)
    for i in range(out.shape[0]):
        # (nothing beyond the image's border: the default border closed a rim lying along it)
        closed = cv2.morphologyEx(
            solid[i].astype(np.uint8), cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0
        )
        closed = closed > 0
        out[i] = closed & ~solid[i]
    return torch.from_numpy(out)


def warp_lower_garment(
    pairs: KeypointPairs,
    garment_mask: Tensor,
    kind: str,
    *,
    reg: float = DEFAULT_REG,
    align_corners: bool = ALIGN_CORNERS_TPS,
    grid_step: int = 1,
    silhouette: Tensor | None = None,
    arms: Tensor | None = None,
) -> Warp:
    """Warp a lower-body garment or a dress part-wise (rules in the module docstring).

    Args:
        pairs: pairs from `place_lower_landmarks` ("trousers", "shorts", "skirt") or `place_dress_landmarks`
            ("dress"), batch B, pixels.
        garment_mask: (B or 1, 1, H_g, W_g) float [0, 1].
        kind: "trousers", "shorts", "skirt" or "dress".
        reg, align_corners, grid_step: as in `kfvton.pipelines.garment_warp.warp_from_pairs`.
        silhouette, arms: optional (B or 1, 1, H_p, W_p) bool person and arm masks, dresses only: its sleeves as a
            top's (`warp_by_parts`: on the person, pushed out over the round of the shoulder, long ones over the arm).

    Raises:
        ValueError naming `silhouette` / `arms` when given for a garment without sleeves (not "dress").

    Returns:
        `Warp` of kind "tps" with the joined grid (B, H_p, W_p, 2); its `tps` is None (several splines per item;
        the dress's bodice splines are not kept either). A dress's is a `PartWarp` with where its sleeves landed.
    """
    if not isinstance(pairs, KeypointPairs):
        raise TypeError(f"keypoints: expected KeypointPairs, got {type(pairs).__name__}")
    check_shape(garment_mask, "garment_mask", ("B", 1, *pairs.garment_hw))
    if kind != "dress" and (silhouette is not None or arms is not None):
        raise ValueError(f"silhouette, arms: only a dress's sleeves use them, got kind {kind!r}")
    h, w = pairs.person_hw
    b = pairs.batch_size
    grid = torch.full((b, h, w, 2), _OUTSIDE, dtype=torch.float32, device=pairs.person_px.device)
    opts = {"reg": reg, "align_corners": align_corners, "grid_step": grid_step}
    mask = garment_mask.expand(b, -1, -1, -1) if garment_mask.shape[0] != b else garment_mask
    if kind in ("trousers", "shorts"):
        pieces = lower_part_masks(pairs, mask)
        for k, part in enumerate(LOWER_PARTS):
            _claim(grid, pairs, LOWER_PARTS[part], pieces[:, k], **opts)
    elif kind == "skirt":
        _claim(grid, pairs, SKIRT_PART, (mask > 0.5).float()[:, 0], **opts)
    elif kind == "dress":
        bodice = upper_pairs(pairs)
        front = _sleeved_front_neckline(bodice, mask)
        extra = join_side_pairs(_dress_extra_pairs(pairs), front)
        bodice = centre_on_front_neckline(bodice, front)
        # (the skirt flares past the old clothes' outline: the silhouette only bounds the sleeves)
        top = warp_by_parts(
            bodice, mask, torso_extra=extra, silhouette=silhouette, arms=arms, torso_off_body=False, **opts
        )
        grid = top.grid.to(grid.dtype).clone()
        # (where each sleeve landed: the composite keeps the arm behind its own sleeve, as under a top)
        return PartWarp(grid=grid, align_corners=align_corners, kind="tps", tps=None, sleeves=top.sleeves)
    else:
        raise ValueError(f"kind: expected 'trousers', 'shorts', 'skirt' or 'dress', got {kind!r}")
    if kind in ("trousers", "shorts"):
        grid = _fill_holes(grid, _seam(grid, mask, align_corners))
    return Warp(grid=grid, align_corners=align_corners, kind="tps", tps=None)


def _sleeved_front_neckline(bodice: KeypointPairs, mask: Tensor) -> SidePairs:
    """`place_front_neckline`'s pair (B, 1, 3) for a sleeved dress's bodice (`bodice`: its upper-body pairs; `mask`
    (B, 1, H_g, W_g) after `cut_inside_back`): its front neckline at the base of the neck, as a top's. Confidence 0
    for sleeveless items (no sleeve point shown on the garment): their "collar sides" are the neckline's corners
    (a one-shoulder dress's top edge, Dress Code 020714, bent into a step at its middle). Without it a collared
    dress's collar hung low on the chest (unseen cat_049713 in CatVTON 23962182: the collar's wings at mid-chest)."""
    front = place_front_neckline(bodice, mask)
    sleeves = [bodice.names.index(n) for n in ("sleeve_left_outer", "sleeve_right_outer") if n in bodice.names]
    sleeved = (
        (bodice.garment_px[:, sleeves, 2] > 0).any(dim=1)
        if sleeves
        else torch.zeros_like(front.person_px[:, 0, 2]).bool()
    )
    person_px = front.person_px.clone()
    person_px[..., 2] = torch.where(
        sleeved.to(person_px.device)[:, None], person_px[..., 2], torch.zeros_like(person_px[..., 2])
    )
    return SidePairs(garment_px=front.garment_px, person_px=person_px)


def _dress_extra_pairs(pairs: KeypointPairs) -> SidePairs | None:
    """A dress's torso pairs beyond the 14 upper-body ones: its side points (`SKIRT_SIDES`) and, where the dress
    shows a waist (`DRESS_WAIST` pairs with garment confidence at least `WAIST_SEEN`), its waist corners, so the
    garment's narrowest row lands on the person's waist and the skirt flares from there; None without side points.

    Pairs (B, M, 3) pixels; a waist pair not seen gets confidence 0 (the warp leaves it out: a tent's or T-shirt
    dress's "waist" is only a rule-placed row, pinned to the body it would squeeze the bodice). A waist target
    whose share of the placed armpits -> hem depth is beyond `WAIST_SHARE` times the garment's own share moves
    back within it (`_waist_within_share`)."""
    if not all(n in pairs.names for n in SKIRT_SIDES):
        return None
    names = [*SKIRT_SIDES, *(n for n in DRESS_WAIST if n in pairs.names)]
    sel = [pairs.names.index(n) for n in names]
    garment_px, person_px = pairs.garment_px[:, sel], pairs.person_px[:, sel].clone()
    waist = torch.tensor([n in DRESS_WAIST for n in names], device=person_px.device)
    unseen = waist & (garment_px[..., 2] < WAIST_SEEN).to(person_px.device)
    person_px[..., 2] = torch.where(unseen, torch.zeros_like(person_px[..., 2]), person_px[..., 2])
    if all(n in pairs.names for n in (*DRESS_WAIST, "armpit_right", "armpit_left", "hem_center")):
        for i in range(pairs.batch_size):
            person_px[i, -len(DRESS_WAIST) :, :2] += _waist_within_share(pairs, i)
    return SidePairs(garment_px=garment_px, person_px=person_px)


def _waist_within_share(pairs: KeypointPairs, i: int) -> Tensor:
    """The (2,) shift that moves item `i`'s placed waist along the armpits -> hem direction until its share of that
    depth lies within `WAIST_SHARE` times the garment's (zeros where it does, or where armpits or hem are missing).
    On a dress whose deep armpits were placed just above the person's waist (OOTDiffusion 053290, wide short
    sleeves, on a woman in a T-shirt: 0.04 of the depth against the garment's 0.14), the bodice between them was
    squeezed and its V neckline dragged down over the chest; on Dress Code 020720 (a smocked bodice, flat 0.13 of
    the depth, placed 0.26) the print between armpits and waist was streaked down the body."""
    names = list(pairs.names)
    g, p = pairs.garment_px[i].double(), pairs.person_px[i].double()
    arm = [names.index(n) for n in ("armpit_right", "armpit_left")]
    waist = [names.index(n) for n in DRESS_WAIST]
    hem = names.index("hem_center")
    zero = torch.zeros(2, dtype=pairs.person_px.dtype, device=pairs.person_px.device)
    if bool((g[[*arm, hem], 2] <= 0).any() | (p[[*arm, hem], 2] <= 0).any()):
        return zero
    g_arm, p_arm = g[arm, 1].mean(), p[arm, :2].mean(0)
    g_depth, p_along = g[hem, 1] - g_arm, p[hem, :2] - p_arm
    p_depth = p_along.norm()
    if float(g_depth) < 1.0 or float(p_depth) < 1.0:
        return zero
    v = p_along / p_depth
    g_share = (g[waist, 1].mean() - g_arm) / g_depth
    p_share = (p[waist, :2].mean(0) - p_arm) @ v / p_depth
    lo, hi = WAIST_SHARE
    want = torch.minimum(torch.maximum(p_share, lo * g_share), hi * g_share)
    return ((want - p_share) * p_depth * v).to(zero)
