"""The garment warp of the classical try-on: garment landmark pairs -> one backward `Warp`, torso and sleeves apart.

Garment rules live here (which landmarks make the torso and each sleeve, where a worn sleeve's armhole and elbow
are, OpenCV masks of the garment's parts); the splines, grids and sampling are `kfvton.geometry`'s.

Convention: as `kfvton.geometry.pair_warp` -- the warp is backward (person pixel -> garment location), fitted from
the person targets to the garment landmarks, normalised with `align_corners` (default `ALIGN_CORNERS_TPS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import cv2
import numpy as np
import torch
from torch import Tensor

from .._arrays import LUMA_WEIGHTS, dilate_square, mask_box, nonzero_yx
from .._checks import check_shape
from ..geometry.grid import ALIGN_CORNERS_TPS
from ..geometry.pair_warp import DEFAULT_REG, check_point_spread, solve_valid_pairs, warp_from_points
from ..geometry.tps import TpsParams, tps_grid
from ..geometry.warp import Warp, sample_grid
from ..keypoints.garment_landmarks import GARMENT_LANDMARKS, GarmentLandmarks
from ..keypoints.pairs import KeypointPairs
from ..keypoints.placement import (
    BACK_DIP_MAX,
    ROUND_NECK_MAX,
    STAND_MIN,
    SidePairs,
    front_neckline_row,
    lift_to_edge,
)
from ..keypoints.pose import joint_index
from ..preprocess.colour_regions import to_lab
from .body_prior import arms_behind

__all__ = [
    "DEFAULT_REG",
    "PART_LANDMARKS",
    "warp_from_pairs",
    "warp_by_parts",
    "PartWarp",
    "garment_part_masks",
    "WarpedGarment",
    "warp_garment",
    "cut_inside_back",
    "find_collar_stand",
]


def warp_from_pairs(
    pairs: KeypointPairs,
    *,
    reg: float = DEFAULT_REG,
    align_corners: bool = ALIGN_CORNERS_TPS,
    grid_step: int = 1,
) -> Warp:
    """One TPS per image (or `pairs.groups` K averaged, the learned path) from `pairs`: `warp_from_points`.

    Args:
        pairs: B items of N pairs in pixels (`KeypointPairs`); `pairs.groups` = K splines per item.
        reg, align_corners, grid_step: as in `kfvton.geometry.pair_warp.warp_from_points`.

    Returns:
        `Warp` of kind "tps": grid (B, H_p, W_p, 2), `tps` batch dims (B,) for K = 1 or (B, K).
    """
    if not isinstance(pairs, KeypointPairs):
        raise TypeError(f"keypoints: expected KeypointPairs, got {type(pairs).__name__}")
    return warp_from_points(
        pairs.person_px,
        pairs.garment_px,
        person_hw=pairs.person_hw,
        garment_hw=pairs.garment_hw,
        groups=pairs.groups,
        reg=reg,
        align_corners=align_corners,
        grid_step=grid_step,
    )


class WarpedGarment(NamedTuple):
    """The garment and its mask pulled into the person frame.

    Attributes:
        image: (B, 3, H_p, W_p) float [0, 1], zero outside the garment's image.
        mask: (B, 1, H_p, W_p) float [0, 1].
    """

    image: Tensor
    mask: Tensor


#: The garment photo is blurred before it is sampled, by a Gaussian of ANTIALIAS x sqrt(m^2 - 1) garment pixels, m
#: the warp's minification (`warp_minification`): bilinear sampling of a garment shrunk m times reads one pixel in m
#: and aliases fine weaves (denim's twill, knits, small prints) into moire and grain a photo of the worn garment does
#: not show. The paired samples shrink ~2.1x (Dress Code) and 1.2-1.7x (VITON-HD); ANTIALIAS_TAPS either side of the
#: centre hold sigma up to ~1.3 (m ~ 3) to 3 sigma.
ANTIALIAS = 0.5
ANTIALIAS_TAPS = 4


def warp_minification(grid: Tensor, mask: Tensor, garment_hw: tuple[int, int]) -> Tensor:
    """How many garment pixels one person pixel spans where the garment lands: the square root of the median
    |det| of the grid's Jacobian (garment pixels per person pixel, forward differences) over the pixels where the
    warped `mask` is > 0.5; 1 where under 16 such pixels.

    Args:
        grid: (B, H_p, W_p, 2) normalised (x, y) garment locations (either `align_corners` frame: they differ by
            under one pixel per image side).
        mask: (B, 1, H_p, W_p) float [0, 1] the garment mask sampled through `grid`.
        garment_hw: (H_g, W_g) of the garment image.

    Returns:
        (B,) float >= 0, dtype and device of `grid`; no gradient (it chooses a filter width).
    """
    g = grid.detach()
    m = mask.detach()[:, 0] > 0.5
    out = torch.ones(g.shape[0], dtype=g.dtype, device=g.device)
    rows, cols = m.any(2).any(0).nonzero()[:, 0], m.any(1).any(0).nonzero()[:, 0]
    if rows.numel() == 0:
        return out
    # (within the box of the mask's pixels: the same differences and pixels, not the whole frame's)
    y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    g, m = g[:, y0:y1, x0:x1], m[:, y0:y1, x0:x1]
    px = g[..., 0] * (garment_hw[1] / 2.0)
    py = g[..., 1] * (garment_hw[0] / 2.0)
    dxx, dyx = px[:, :-1, 1:] - px[:, :-1, :-1], py[:, :-1, 1:] - py[:, :-1, :-1]
    dxy, dyy = px[:, 1:, :-1] - px[:, :-1, :-1], py[:, 1:, :-1] - py[:, :-1, :-1]
    det = (dxx * dyy - dyx * dxy).abs()
    inside = m[:, :-1, :-1] & m[:, 1:, :-1] & m[:, :-1, 1:]
    for i in range(g.shape[0]):
        if int(inside[i].sum()) >= 16:
            out[i] = det[i][inside[i]].median().sqrt()
    return out


def antialias_blur(image: Tensor, sigma: Tensor) -> Tensor:
    """`image` (B, C, H, W) float blurred by a Gaussian of `sigma` (B,) pixels per item (separable,
    2 `ANTIALIAS_TAPS` + 1 taps, reflected borders; sigma ~0 leaves it as it is); differentiable in `image`.

    Without a gradient on the CPU, OpenCV's separable filter with the same taps (within float rounding of the
    grouped convolutions, ~10x faster: the convolutions were the costliest step of the classical try-on)."""
    b, c, h, w = image.shape
    taps = torch.arange(-ANTIALIAS_TAPS, ANTIALIAS_TAPS + 1, device=image.device, dtype=image.dtype)
    s = sigma.to(image).clamp_min(1e-3)[:, None]
    k = torch.exp(-(taps[None] ** 2) / (2 * s**2))
    k = k / k.sum(1, keepdim=True)  # (B, taps)
    if image.device.type == "cpu" and image.dtype == torch.float32 and not image.requires_grad:
        return _separable_cv2(image, k)
    k = k.repeat_interleave(c, 0)  # (B C, taps)
    x = torch.nn.functional.pad(image.reshape(1, b * c, h, w), (ANTIALIAS_TAPS,) * 4, mode="reflect")
    x = torch.nn.functional.conv2d(x, k[:, None, None, :], groups=b * c)
    x = torch.nn.functional.conv2d(x, k[:, None, :, None], groups=b * c)
    return x.reshape(b, c, h, w)


def _separable_cv2(image: Tensor, taps: Tensor) -> Tensor:
    """(B, C, H, W) float32 CPU `image`, each item filtered along rows then columns by its (B, K) `taps`
    (odd K, reflected borders as `F.pad(mode="reflect")`) -> (B, C, H, W)."""
    out = torch.empty_like(image)
    kernels = taps.detach().cpu().numpy()
    # (a plane per channel: the same values as one channels-last image, without copying the image to channels last
    # and back, which took about as long as the filter)
    for i in range(image.shape[0]):
        for ch in range(image.shape[1]):
            plane = np.ascontiguousarray(image[i, ch].detach().numpy())
            blurred = cv2.sepFilter2D(plane, -1, kernels[i], kernels[i], borderType=cv2.BORDER_REFLECT_101)
            out[i, ch] = torch.from_numpy(blurred)
    return out


def warp_garment(garment: Tensor, mask: Tensor, warp: Warp) -> WarpedGarment:
    """Sample a garment image and its mask through `warp`; the image blurred first against aliasing where the
    warp shrinks it (`ANTIALIAS`), the mask as it is (the outline stays where the warp puts it).

    Args:
        garment: (B or 1, 3, H_g, W_g) float [0, 1].
        mask: (B or 1, 1, H_g, W_g) float [0, 1], same H_g, W_g.
        warp: grid (B or 1, H_p, W_p, 2).
    """
    check_shape(garment, "garment", ("B", 3, "H", "W"))
    check_shape(mask, "garment_mask", ("B", 1, garment.shape[2], garment.shape[3]))
    if mask.shape[0] != garment.shape[0]:
        mask = mask.expand(garment.shape[0], -1, -1, -1) if mask.shape[0] == 1 else mask
        garment = garment.expand(mask.shape[0], -1, -1, -1) if garment.shape[0] == 1 else garment
    if mask.shape[0] != garment.shape[0]:
        raise ValueError(f"garment_mask: batch {mask.shape[0]} does not match garment batch {garment.shape[0]}")
    opts = {"align_corners": warp.align_corners, "padding_mode": "zeros"}
    warped_mask = sample_grid(mask.to(garment.dtype), warp.grid, **opts, name="garment_mask")
    grid = warp.grid.expand(warped_mask.shape[0], -1, -1, -1) if warp.grid.shape[0] == 1 else warp.grid
    shrink = warp_minification(grid, warped_mask, garment.shape[-2:])
    sigma = ANTIALIAS * (shrink**2 - 1.0).clamp_min(0.0).sqrt()
    if garment.shape[0] == 1 and sigma.shape[0] > 1:
        garment = garment.expand(sigma.shape[0], -1, -1, -1)
    image = sample_grid(antialias_blur(garment, sigma), warp.grid, **opts, name="garment")
    if isinstance(warp, PartWarp):
        image, warped_mask = close_part_seams(image, warped_mask)
    return WarpedGarment(image=image, mask=warped_mask)


def close_part_seams(image: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
    """Close the pin-holes and one-pixel seams of a part warp's mask (a 3x3 grey closing: a pixel whose 3x3
    neighbourhood is garment on opposite sides), their colour the mask-weighted mean of their 3x3 neighbours.

    Where a sleeve meets the torso two splines end side by side: pixels neither part claims (sampled as 0), or
    claimed at the flat photo's own outline (half backdrop), lay between them, and the try-on showed the person
    through them, a dotted pale line along the sleeve's edge and a seam down its top (VITON-HD 00891 x 01260). The
    closing does not move the garment's outline (it only fills notches a pixel wide).

    Args:
        image: (B, 3, H, W) the warped garment, 0 where nothing was sampled.
        mask: (B, 1, H, W) [0, 1] the warped mask.

    Returns:
        (image, mask) like the inputs.
    """
    if mask.device.type == "cpu" and not (image.requires_grad or mask.requires_grad):
        return _close_seams_cv2(image, mask)
    grown = torch.nn.functional.max_pool2d(mask, 3, stride=1, padding=1)
    closed = -torch.nn.functional.max_pool2d(-grown, 3, stride=1, padding=1)
    raised = closed > mask + 1e-3
    if not bool(raised.any()):
        return image, mask
    weight = torch.nn.functional.avg_pool2d(mask, 3, stride=1, padding=1)
    mean = torch.nn.functional.avg_pool2d(image * mask, 3, stride=1, padding=1) / weight.clamp_min(1e-6)
    return torch.where(raised, mean, image), torch.where(raised, closed, mask)


def _close_seams_cv2(image: Tensor, mask: Tensor) -> tuple[Tensor, Tensor]:
    """`close_part_seams` on the CPU without a gradient, with OpenCV's 3x3 max / min filters (the same values as the
    pooling: pixels outside the image take no part in the max and min) and the mask-weighted 3x3 mean summed at the
    raised pixels only (neighbours outside the image weigh 0, as the pooling's zero border; a few thousand pixels,
    not three full-image box filters and a transposed copy: ~18 ms -> ~6 per 1024x768 try-on)."""
    image_out, mask_out = image.clone(), mask.clone()
    kernel = np.ones((3, 3), np.uint8)
    h, w = mask.shape[-2:]
    for i in range(mask.shape[0]):
        m = np.ascontiguousarray(mask[i, 0].detach().float().numpy())
        closed = cv2.erode(cv2.dilate(m, kernel), kernel)
        raised = closed > m + 1e-3
        if not raised.any():
            continue
        ys, xs = nonzero_yx(raised)
        img = image[i].detach().float().numpy()  # (3, H, W)
        weight = np.zeros(len(ys), np.float32)
        summed = np.zeros((3, len(ys)), np.float32)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                y, x = ys + dy, xs + dx
                inside = (y >= 0) & (y < h) & (x >= 0) & (x < w)
                y, x = y.clip(0, h - 1), x.clip(0, w - 1)
                mw = m[y, x] * inside
                weight += mw
                summed += img[:, y, x] * mw
        mean = summed / np.maximum(weight, 1e-6 * 9)
        rows, cols = torch.from_numpy(ys), torch.from_numpy(xs)
        image_out[i, :, rows, cols] = torch.from_numpy(mean).to(image.dtype)
        mask_out[i, 0, rows, cols] = torch.from_numpy(closed[ys, xs]).to(mask.dtype)
    return image_out, mask_out


#: Landmarks of each garment part for `warp_by_parts`: the torso and each sleeve, which share the armhole points
#: (shoulder, armpit) so the parts meet there.
PART_LANDMARKS: dict[str, tuple[str, ...]] = {
    "torso": (
        "collar_left", "collar_center", "collar_right", "shoulder_left", "shoulder_right",
        "armpit_left", "armpit_right", "hem_left", "hem_center", "hem_right",
    ),
    "sleeve_right": ("shoulder_right", "armpit_right", "sleeve_right_outer", "sleeve_right_inner"),
    "sleeve_left": ("shoulder_left", "armpit_left", "sleeve_left_outer", "sleeve_left_inner"),
}  # fmt: skip
_PARTS = tuple(PART_LANDMARKS)
_OUTSIDE = -2.0  # grid value outside [-1, 1]: grid_sample reads zeros there
#: The armhole centre of a worn sleeve, below the shoulder joint along the arm, in shoulder widths.
ROOT_DOWN = 0.12
#: A sleeve's top hangs this fraction of the way from the torso's shoulder-seam target towards the shoulder joint
#: (from the pose-only seam it stood off the arm). With the person's silhouette it hangs from the seam itself: a
#: sleeve past the arm is cut at `SLEEVE_OUT`, and pulled in, its top sat inside the shoulder (VITON-HD 10549, whose
#: sleeveless top bares the arms, showed the arm's outer edge and the shoulder's round top beside short sleeves).
SLEEVE_SEAM_IN = 0.3
#: A sleeve whose garment piece starts more than this share of the way down its armhole line (shoulder -> armpit
#: landmarks) hangs from where it starts there, not from the shoulder landmark (`_sleeve_top`): a cold-shoulder top's
#: "shoulders" are its strap tops, and its flutter sleeves start below the bare shoulders' cut-outs (the unseen
#: ootd 050002_1: 0.58 of the way). Hung from the strap tops, the sleeves were stretched down the whole upper arm
#: (1.6 times their length) with their tops standing out beside the shoulders like wings. A regular sleeve's piece
#: starts at the shoulder (0); an off-shoulder cut's 0.19-0.26 of the way down from its shoulder points placed above
#: its top edge (ootd 02305_00, Dress Code 000003_1), which it keeps hanging from, as tuned.
SLEEVE_TOP_LOW = 0.35
#: A sleeve without elbow pairs (a short one) has its armpit target this fraction of the way from its armhole turned
#: with the sleeve (`_sleeve_root_targets`) to the torso's armpit target: turned alone, its underside joins the torso
#: high on the chest and the torso's own armpit corner shows under it as a dark notch; all the way, the sleeve
#: shears into folds. Long sleeves keep the turned armpit (their elbow pairs hold them on the arm; moved, their top
#: widens past the arm).
ARMPIT_TO_TORSO = 0.5
#: A sleeve's armhole is scaled at least this fraction of the torso's scale at the armhole.
ARMHOLE_MIN_SCALE = 0.8
#: A long sleeve's width at the elbow: the garment's own (its cross-section half-way down the sleeve) scaled like
#: the sleeve there (half-way between the armhole's and the cuff's scale), within these multiples of the cuff target
#: width (a flat sleeve folded or pinched half-way would make a pencil, a flared flat-lay a balloon).
ELBOW_WIDTH_RANGE = (1.0, 1.5)
#: A long sleeve on an arm bent at the elbow by more than this angle (degrees, between shoulder -> elbow and elbow ->
#: cuff) is warped in two pieces, the upper arm and the forearm, each by its own spline, split at the elbow pairs'
#: cross-section (`_split_at_elbow`): one spline through armhole, elbow and cuff cannot fold a straight flat sleeve
#: round a hand on the hip (the unseen taylor- in a chiffon blouse: the upper arm's part pulled into a streaked box
#: over the waist beside the arm, bare skin between). Below it the single spline bends the sleeve smoothly.
BENT_ELBOW_DEG = 60.0
#: The two pieces of a bent sleeve overlap by this many garment pixels across the elbow line (no seam of background).
BENT_OVERLAP_PX = 3.0
#: The forearm's piece of a bent sleeve lands at most this many cuff target widths outside the quad of its elbow and
#: cuff targets (`_land_bent_sleeve`): its four-pair spline folded a thin line of it onto the wall beside the waist
#: (the unseen taylor-, hand on the hip, in the chiffon 09290).
BENT_FORE_OUT = 0.25
#: The share of a long sleeve's length at which its garment cross-section meets the elbow lies within these
#: (`_elbow_share`): the elbow of a full-length sleeve lies about half-way, of a three-quarter one farther down;
#: the limits keep a misplaced elbow joint (at the shoulder, or past the cuff) from cramming the sleeve at one end.
ELBOW_SHARE_RANGE = (0.35, 0.8)
#: With `silhouette`: a sleeve lands at most this fraction of the image's larger side outside the person's
#: silhouette (a sleeve hangs a little looser than the arm; past that it stands off into the background). The torso
#: lands at most this far outside its armhole lines above the armpits (`_past_shoulders`). Half a percent: the
#: outline the sleeves are pushed onto (`_sleeve_outer_pairs`) already lies on the blend of garment and wall (two
#: photos: the estimate's old top grown by its rim, `regions.GARMENT_RIM`); at 1 % the sleeves' outer edges stood
#: ~10 px out over the wall along the whole sleeve (VITON-HD 00891, 03615, 07573, 10549).
SLEEVE_OUT = 0.005
#: With `silhouette`: where the torso lands on the wall beside the body (outside the silhouette grown by
#: `SLEEVE_OUT`) within this fraction of the image's larger side of its own outline, it ends there, row by row, with
#: all of it farther out (`_torso_off_body`): the wall seen between a hanging arm and the waist stays wall, and the
#: arm beyond it is not covered by a strip of the torso (VITON-HD 07445: 5 000 px of the torso over the gap between
#: arm and waist, 3.9 % of the garment). Deeper in, a miss of an estimated silhouette (a white top on a light wall)
#: is not cut into the garment. Tuned on the six VITON-HD test persons, two photos.
TORSO_OFF_DEPTH = 0.04
#: A sleeve on an arm turned behind the body (`body_prior.arms_behind`) goes behind the torso but for the torso's rim,
#: this fraction of the image's larger side (4 px at 1024): the flat photo's torso side under its sleeve is blended
#: with the backdrop (README person 00891, two photos: a pale seam 3-4 px wide between sleeve and torso).
TORSO_RIM = 0.004
#: With `silhouette`: where a short sleeve is cut off outside it below its armpit target, it stays cut this many cuff
#: target widths on down the sleeve (`_cut_down_sleeve`: no step out at its end onto a misestimated outline). Not
#: long sleeves: they bend at the elbow, and carried down the line shoulder -> cuff the cut notched the elbow.
SLEEVE_CUT_DOWN = 1.0
#: With `silhouette`: a short sleeve's outer edge, at these fractions of the way from its shoulder target to its
#: outer cuff target, is pushed out across the sleeve onto the silhouette's edge where that lies farther out
#: (`_sleeve_outer_pairs`): the flat photo's straight edge cut inside the round of the shoulder and upper arm, and a
#: wedge of the old shoulder showed between the torso's armhole line and the sleeve (VITON-HD 10549, whose
#: sleeveless top bares the shoulders). At most `SLEEVE_OUTER_MAX` cuff target widths out (hair hanging beside the
#: shoulder is part of the silhouette).
SLEEVE_OUTER_AT = (0.12, 0.35)
SLEEVE_OUTER_MAX = 0.4
#: With `silhouette`: a long sleeve's outer edge, at these fractions of the way from its shoulder target to its outer
#: elbow target, is pushed out across the upper arm onto the silhouette's edge where that lies farther out
#: (`_upper_arm_outer_pairs`), at most `SLEEVE_OUTER_MAX` elbow target widths: a loose flat sleeve lies partly over
#: the torso's side in the photo, lands as a wedge narrower than the upper arm, and the arm's cover mirrored across
#: the wedge's ragged edge drew streaks of its edge fabric down the arm's outer half (`_cover_arm`). The unseen
#: cat_Simon_1 in the chiffon 09290: the mirrored cover of the two upper arms 2444 / 1786 px without these pairs,
#: 598 / 911 at (0.3, 0.65), 474 / 523 at these (a grey band of the flat sleeve's sheer edge gone from the left arm).
UPPER_ARM_OUTER_AT = (0.2, 0.45, 0.75)
#: With `arms`: a long sleeve covers the arm's pixels up to this fraction of its cuff target width from where it
#: landed (gaps along a sleeve narrower or straighter than the arm would show the old arm's skin).
ARM_COVER = 0.5
#: ... taking the sleeve's own spline where it lands on the garment within this fraction of the garment's armhole
#: span (shoulder to armpit landmark) of the sleeve's part (`_near_sleeves`): a hanging sleeve's inner part lies over
#: the torso's side in the flat photo (the unseen 09290's chiffon sleeves, about half their width).
NEAR_SLEEVE = 0.5
#: ... and not where the garment photo is within this of its backdrop's colour (max over RGB of |difference|, [0, 1]):
#: a filled cloth mask holds the backdrop seen between a hanging sleeve and the torso (VITON-HD 02783), which the
#: sleeve's spline drew over the arm as a second pale line beside the first.
BACKDROP_NEAR = 0.06
#: ... nor within this many pixels of such a pixel (the garment's edge blended with the backdrop: pale flecks).
BACKDROP_BLEND_PX = 2
_R_SHOULDER, _L_SHOULDER = joint_index("right_shoulder"), joint_index("left_shoulder")
_SIDES = ((1, "right"), (2, "left"))  # each sleeve's part index and side


def garment_part_masks(pairs: KeypointPairs, garment_mask: Tensor) -> Tensor:
    """Split garment masks into torso, right sleeve and left sleeve (garment pixels; OpenCV, not differentiable).

    A sleeve is the connected piece of the garment outside the torso outline (collar, shoulder, armpit and hem
    landmarks; the outline runs up to the image top between the shoulders and down to the bottom between the hem
    corners) that holds the midpoint of that sleeve's cuff landmarks; everything else is torso. A sleeve whose
    cuff landmarks are missing has an empty mask.

    Args:
        pairs: classical landmark pairs (names include those of `PART_LANDMARKS`), batch B.
        garment_mask: (B or 1, 1, H_g, W_g) float [0, 1] in the frame of `pairs.garment_hw`.

    Returns:
        (B, 3, H_g, W_g) float {0, 1}: torso, sleeve_right, sleeve_left.
    """
    check_shape(garment_mask, "garment_mask", ("B", 1, *pairs.garment_hw))
    h, w = pairs.garment_hw
    names = pairs.names
    missing = [n for part in PART_LANDMARKS.values() for n in part if n not in names]
    if missing:
        raise ValueError(f"keypoints: part warping needs the garment landmarks {sorted(set(missing))}")
    idx = {n: names.index(n) for n in names}
    pts = pairs.garment_px.detach().double().cpu().numpy()
    ok = pairs.valid.cpu().numpy()
    masks = (garment_mask.detach().cpu() > 0.5).to(torch.uint8)[:, 0].numpy()
    out = np.zeros((pairs.batch_size, 3, h, w), np.float32)
    for i in range(pairs.batch_size):
        m = np.ascontiguousarray(masks[i if masks.shape[0] > 1 else 0])
        p = pts[i]

        def xy(name: str, p=p) -> tuple[float, float]:
            return float(p[idx[name], 0]), float(p[idx[name], 1])

        outline = []
        for name in ("hem_right", "armpit_right", "shoulder_right"):
            if ok[i, idx[name]]:
                outline.append(xy(name))
        if outline:
            outline.insert(0, (outline[0][0], float(h)))
            outline.append((outline[-1][0], -1.0))
        right = outline
        left = []
        for name in ("shoulder_left", "armpit_left", "hem_left"):
            if ok[i, idx[name]]:
                left.append(xy(name))
        if left:
            left.insert(0, (left[0][0], -1.0))
            left.append((left[-1][0], float(h)))
        poly = np.round(np.array(right + left)).astype(np.int32)
        torso_poly = np.zeros((h, w), np.uint8)
        if len(poly) >= 3:
            cv2.fillPoly(torso_poly, [poly], 1)
        else:
            torso_poly[:] = 1
        rest = (m & (1 - torso_poly)).astype(np.uint8)
        count, labels = cv2.connectedComponents(rest, connectivity=8)
        sleeves = np.zeros((2, h, w), np.uint8)
        ys, xs = nonzero_yx(rest) if count >= 2 else (None, None)  # (once for both cuffs: a full-frame pass)
        for k, side in enumerate(("right", "left")):
            o, n = idx[f"sleeve_{side}_outer"], idx[f"sleeve_{side}_inner"]
            if not (ok[i, o] and ok[i, n]) or count < 2:
                continue
            cx, cy = (p[o, :2] + p[n, :2]) / 2
            # the component nearest the cuff midpoint (the cuff landmarks lie on the outline, maybe just outside)
            nearest = np.argmin((xs - cx) ** 2 + (ys - cy) ** 2)
            label = labels[ys[nearest], xs[nearest]]
            sleeves[k] = labels == label
        sleeves[1] &= 1 - sleeves[0]
        out[i, 1:] = sleeves
        out[i, 0] = m & (1 - sleeves[0]) & (1 - sleeves[1])
    return torch.from_numpy(out).to(garment_mask.device)


def _sleeve_top(pairs: KeypointPairs, side: str, sleeve_mask: Tensor) -> Tensor:
    """How far down its armhole line a sleeve's garment piece starts: the least share t of the way from the shoulder
    to the armpit landmark that a pixel of the piece projects to on that line, within [0, 1].

    Args:
        pairs: classical landmark pairs, batch B (garment landmarks in pixels).
        sleeve_mask: (B or 1, H_g, W_g) float {0, 1}, the sleeve's garment pixels (`garment_part_masks`).

    Returns:
        (B,) float, t per item; 0 where the piece is empty or a landmark of the line is missing.
    """
    names = pairs.names
    i_s, i_a = names.index(f"shoulder_{side}"), names.index(f"armpit_{side}")
    g = pairs.garment_px.detach().to(torch.float64).cpu()
    masks = sleeve_mask.detach().cpu() > 0.5
    out = torch.zeros(pairs.batch_size, dtype=torch.float64)
    for i in range(pairs.batch_size):
        ys, xs = nonzero_yx(masks[min(i, len(masks) - 1)].numpy())
        line = (g[i, i_a, :2] - g[i, i_s, :2]).numpy()
        length2 = float(line @ line)
        if ys.size == 0 or not bool((g[i, [i_s, i_a], 2] > 0).all()) or length2 < 1.0:
            continue
        t = ((xs - float(g[i, i_s, 0])) * line[0] + (ys - float(g[i, i_s, 1])) * line[1]) / length2
        out[i] = float(np.clip(t.min(), 0.0, 1.0))
    return out.to(pairs.garment_px.device)


def _hang_from_sleeve_top(
    pairs: KeypointPairs, side: str, person: Tensor, garment: Tensor, torso: Tensor, sleeve_mask: Tensor
) -> None:
    """A sleeve whose piece starts more than `SLEEVE_TOP_LOW` of the way down its armhole line (`_sleeve_top`) hangs
    from there: its shoulder pair becomes that point of the garment's armhole line and the same share of the way
    along the torso's targets' line shoulder -> armpit, where the torso's spline lands it (in place).

    Args:
        person, garment: (B, N, 3) the sleeve's targets and garment landmarks (writable copies), pixels.
        torso: (B, N, 3) the torso's targets; sleeve_mask: as `_sleeve_top`.
    """
    i_s, i_a = pairs.names.index(f"shoulder_{side}"), pairs.names.index(f"armpit_{side}")
    t = _sleeve_top(pairs, side, sleeve_mask).to(person)[:, None]
    low = (t > SLEEVE_TOP_LOW) & (torso[:, [i_s, i_a], 2] > 0).all(-1, keepdim=True)
    g_top = torch.lerp(garment[:, i_s, :2], garment[:, i_a, :2], t.to(garment))
    p_top = torch.lerp(torso[:, i_s, :2], torso[:, i_a, :2], t)
    garment[:, i_s, :2] = torch.where(low.to(garment.device), g_top, garment[:, i_s, :2])
    person[:, i_s, :2] = torch.where(low, p_top, person[:, i_s, :2])


def _sleeve_root_targets(pairs: KeypointPairs, side: str, person: Tensor, seam_in: float = SLEEVE_SEAM_IN) -> Tensor:
    """Person targets of a sleeve's armhole points (shoulder, armpit) for the sleeve's own spline.

    The shoulder point keeps the torso's target (the shoulder seam, so the sleeve hangs from it); the armpit is
    turned with the sleeve: the armhole keeps its shape around the armhole centre,
    scaled like the cuff (target cuff width / garment cuff width) and turned from the garment's sleeve axis
    (armhole centre -> cuff centre) to the person's (arm root -> cuff targets' centre); the spline then stretches
    the sleeve between armhole and cuff. The arm root is `ROOT_DOWN` shoulder widths down the arm from the
    shoulder joint of `pairs.pose` (else the middle of the shoulder and armpit targets). On hanging arms the torso's
    armhole targets lie along the arm, and a sleeve spline through them would shear the sleeve far beyond the arm.

    Args:
        person: (B, N, 3) person targets (a copy to edit); returns it with the two armhole targets replaced.
        seam_in: the fraction of the way the sleeve's top hangs from the seam target towards the shoulder joint.
    """
    names = pairs.names
    i_s, i_a = names.index(f"shoulder_{side}"), names.index(f"armpit_{side}")
    i_o, i_n = names.index(f"sleeve_{side}_outer"), names.index(f"sleeve_{side}_inner")
    g = pairs.garment_px.detach().to(person.dtype)
    p = person
    root_g = (g[:, i_s, :2] + g[:, i_a, :2]) / 2
    cuff_g = (g[:, i_o, :2] + g[:, i_n, :2]) / 2
    cuff_p = (p[:, i_o, :2] + p[:, i_n, :2]) / 2
    root_p = (p[:, i_s, :2] + p[:, i_a, :2]) / 2
    if pairs.pose is not None:
        joints = pairs.pose.rescaled(pairs.person_hw).joints.to(device=p.device, dtype=p.dtype)
        joint = joints[:, joint_index(f"{side}_shoulder")].expand(p.shape[0], -1)
        # the armhole's centre sits a little down the arm from the shoulder joint
        down = cuff_p - joint[:, :2]
        down = down / down.norm(dim=-1, keepdim=True).clamp_min(1e-6)
        # shoulder width in the person frame, like the joint it scales
        sw = (joints[:, _L_SHOULDER, :2] - joints[:, _R_SHOULDER, :2]).norm(dim=-1, keepdim=True)
        root_p = torch.where(joint[:, 2:] > 0, joint[:, :2] + ROOT_DOWN * sw * down, root_p)
    eps = 1e-6
    axis_g, axis_p = cuff_g - root_g, cuff_p - root_p
    len_g, len_p = axis_g.norm(dim=-1, keepdim=True).clamp_min(eps), axis_p.norm(dim=-1, keepdim=True).clamp_min(eps)
    a_g, a_p = axis_g / len_g, axis_p / len_p
    n_g = torch.stack((-a_g[:, 1], a_g[:, 0]), -1)
    n_p = torch.stack((-a_p[:, 1], a_p[:, 0]), -1)
    # orient both normals towards the inner cuff corner, so the sleeve is not mirrored
    n_g = n_g * torch.sign(((g[:, i_n, :2] - cuff_g) * n_g).sum(-1, keepdim=True) + eps)
    n_p = n_p * torch.sign(((p[:, i_n, :2] - cuff_p) * n_p).sum(-1, keepdim=True) + eps)
    width_g = (g[:, i_n, :2] - g[:, i_o, :2]).norm(dim=-1, keepdim=True).clamp_min(eps)
    width_p = (p[:, i_n, :2] - p[:, i_o, :2]).norm(dim=-1, keepdim=True)
    # the armhole scales like the cuff, but not below ARMHOLE_MIN_SCALE of the torso's own scale (armhole height
    # on the body over the garment's): a long sleeve's narrow cuff would shrink the armhole off the shoulder
    armhole_g = (g[:, i_s, :2] - g[:, i_a, :2]).norm(dim=-1, keepdim=True).clamp_min(eps)
    armhole_p = (p[:, i_s, :2] - p[:, i_a, :2]).norm(dim=-1, keepdim=True)
    scale = torch.maximum(width_p / width_g, ARMHOLE_MIN_SCALE * armhole_p / armhole_g)
    out = person.clone()
    for i in (i_s, i_a) if not bool((person[:, i_s, 2] > 0).all()) else (i_a,):
        rel = g[:, i, :2] - root_g
        along = (rel * a_g).sum(-1, keepdim=True) * scale  # the sleeve's root keeps its shape
        across = (rel * n_g).sum(-1, keepdim=True) * scale
        out[:, i, :2] = root_p + along * a_p + across * n_p
    if pairs.pose is not None:
        # the sleeve hangs from between the seam and the joint: from the seam itself it stands off the arm
        seam_ok = (joint[:, 2:] > 0) & (person[:, i_s, 2:] > 0)
        pulled = torch.lerp(person[:, i_s, :2], joint[:, :2], seam_in)
        out[:, i_s, :2] = torch.where(seam_ok, pulled, out[:, i_s, :2])
    return out


def _cross_section(mask: np.ndarray, centre: np.ndarray, normal: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Ends of the run of `mask` pixels along the line centre + t normal (|normal| = 1) nearest `centre`:
    (end at +t, end at -t), or None when the line misses the mask."""
    h, w = mask.shape
    ts = np.arange(-max(h, w), max(h, w) + 1, 1.0)
    pts = centre[None] + ts[:, None] * normal[None]
    inside = (pts[:, 0] >= 0) & (pts[:, 0] <= w - 1) & (pts[:, 1] >= 0) & (pts[:, 1] <= h - 1)
    hit = np.zeros(len(ts), bool)
    xy = np.round(pts[inside]).astype(int)
    hit[inside] = mask[xy[:, 1], xy[:, 0]] > 0
    if not hit.any():
        return None
    start = int(np.argmin(np.where(hit, np.abs(ts), np.inf)))
    lo = hi = start
    while lo > 0 and hit[lo - 1]:
        lo -= 1
    while hi < len(ts) - 1 and hit[hi + 1]:
        hi += 1
    return pts[hi], pts[lo]


def _sleeve_elbow_pairs(
    pairs: KeypointPairs, side: str, person: Tensor, garment: Tensor, sleeve_mask: Tensor
) -> tuple[Tensor, Tensor]:
    """Two extra pairs per sleeve at the elbow, for sleeves whose cuff lies past the elbow (long sleeves).

    Garment side: the two ends of the sleeve mask's cross-section across the line from the sleeve's shoulder point
    to its cuff centre, at the share of that line the person's elbow lies at along the arm (`_elbow_share`: the
    sleeve keeps one scale along its length). Person side: the elbow joint of `pairs.pose` +- half the garment's
    width there across the arm, the outer point on the cuff's outer side; that width is scaled like the sleeve
    there (the armhole's scale, armhole targets `person` / garment, blended into the cuff's by the same share),
    within `ELBOW_WIDTH_RANGE` x the cuff target width. Confidence 0 (unused) without a pose or elbow, or when the
    cuff does not reach past the elbow.

    Returns:
        garment (B, 2, 3) and person (B, 2, 3) points, (x_px, y_px, confidence), outer then inner.
    """
    b = person.shape[0]
    g_out = garment.new_zeros(b, 2, 3)
    p_out = person.new_zeros(b, 2, 3)
    if pairs.pose is None:
        return g_out, p_out
    names = pairs.names
    i_s, i_a = names.index(f"shoulder_{side}"), names.index(f"armpit_{side}")
    i_o, i_n = names.index(f"sleeve_{side}_outer"), names.index(f"sleeve_{side}_inner")
    joints = pairs.pose.rescaled(pairs.person_hw).joints.to(device=person.device, dtype=person.dtype)
    joints = joints.expand(b, -1, -1)
    shoulder, elbow = joints[:, joint_index(f"{side}_shoulder")], joints[:, joint_index(f"{side}_elbow")]
    cuff = (person[:, i_o, :2] + person[:, i_n, :2]) / 2
    upper = elbow[:, :2] - shoulder[:, :2]
    reach = _reach_down_arm(shoulder, elbow, joints[:, joint_index(f"{side}_wrist")], cuff)
    ok = (
        (elbow[:, 2] > 0) & (shoulder[:, 2] > 0) & (reach > 1.15)
        & (person[:, [i_s, i_a, i_o, i_n], 2] > 0).all(-1) & (garment[:, [i_s, i_a, i_o, i_n], 2] > 0).all(-1)
    )  # fmt: skip
    fore = cuff - elbow[:, :2]
    direction = upper / upper.norm(dim=-1, keepdim=True).clamp_min(1e-6) + fore / fore.norm(
        dim=-1, keepdim=True
    ).clamp_min(1e-6)
    direction = direction / direction.norm(dim=-1, keepdim=True).clamp_min(1e-6)
    normal = torch.stack((-direction[:, 1], direction[:, 0]), -1)
    outer_side = person[:, i_o, :2] - person[:, i_n, :2]
    normal = normal * torch.sign((normal * outer_side).sum(-1, keepdim=True) + 1e-6)
    cuff_width = outer_side.norm(dim=-1)
    conf = ok.to(person.dtype)[:, None].clone()
    # garment side: the sleeve's cross-section half-way between its shoulder point and its cuff centre
    g = garment.detach().double().cpu().numpy()
    masks = sleeve_mask.detach().cpu().numpy()
    # the sleeve's scale half-way down it: the mean of its armhole's and its cuff's (person over garment)
    g_t = garment[..., :2].detach().to(person.dtype)

    def span(pts: Tensor, i: int, k: int) -> Tensor:
        return (pts[:, i, :2] - pts[:, k, :2]).norm(dim=-1)

    share = _elbow_share(person[:, i_s, :2], elbow[:, :2], cuff)
    armhole_scale = span(person, i_s, i_a) / span(g_t, i_s, i_a).clamp_min(1e-6)
    scale = torch.lerp(armhole_scale, cuff_width / span(g_t, i_o, i_n).clamp_min(1e-6), share)
    for i in range(b):
        if not bool(ok[i]):
            continue
        cuff_g = (g[i, i_o, :2] + g[i, i_n, :2]) / 2
        axis = cuff_g - g[i, i_s, :2]
        axis /= max(np.linalg.norm(axis), 1e-6)
        normal_g = np.array([-axis[1], axis[0]])
        if normal_g @ (g[i, i_o, :2] - g[i, i_n, :2]) < 0:
            normal_g = -normal_g  # towards the outer side
        at = g[i, i_s, :2] + float(share[i]) * (cuff_g - g[i, i_s, :2])
        ends = _cross_section(masks[i if masks.shape[0] > 1 else 0], at, normal_g)
        if ends is None:
            conf[i] = 0.0
            continue
        g_out[i, 0, :2] = torch.as_tensor(ends[0], dtype=g_out.dtype)
        g_out[i, 1, :2] = torch.as_tensor(ends[1], dtype=g_out.dtype)
    width = (g_out[:, 0, :2] - g_out[:, 1, :2]).norm(dim=-1).to(person.dtype) * scale
    width = torch.minimum(torch.maximum(width, ELBOW_WIDTH_RANGE[0] * cuff_width), ELBOW_WIDTH_RANGE[1] * cuff_width)
    p_out[:, 0, :2] = elbow[:, :2] + normal * width[:, None] / 2
    p_out[:, 1, :2] = elbow[:, :2] - normal * width[:, None] / 2
    p_out[:, :, 2] = conf
    g_out[:, :, 2] = conf
    return g_out, p_out


def _reach_down_arm(shoulder: Tensor, elbow: Tensor, wrist: Tensor, cuff: Tensor) -> Tensor:
    """(B,) how far down the arm a cuff lies, in upper-arm lengths (1 at the elbow): its projection on the line
    shoulder -> elbow, or, where the wrist is found and the cuff lies nearer the forearm (elbow -> wrist) than the
    upper arm, 1 plus its way along the forearm. A hand on the hip folds the forearm back beside the upper arm: the
    cuff at the wrist projected to 1.08 of the upper arm (idm taylor-, a long-sleeved tee), short of the 1.15 that
    takes a sleeve past the elbow, and the sleeve ran straight from shoulder to wrist over the waist, the bent arm
    bare.

    Args:
        shoulder, elbow, wrist: (B, 3) joints (x_px, y_px, confidence), confidence 0 where missing.
        cuff: (B, 2) the cuff targets' centre, pixels.
    """
    upper = elbow[:, :2] - shoulder[:, :2]
    upper_len = upper.norm(dim=-1).clamp_min(1e-6)
    on_upper = ((cuff - shoulder[:, :2]) * upper).sum(-1) / upper_len.square()
    off_upper = (cuff - shoulder[:, :2] - on_upper.clamp(0, 1)[:, None] * upper).norm(dim=-1)
    fore = wrist[:, :2] - elbow[:, :2]
    fore_len = fore.norm(dim=-1).clamp_min(1e-6)
    on_fore = ((cuff - elbow[:, :2]) * fore).sum(-1) / fore_len.square()
    off_fore = (cuff - elbow[:, :2] - on_fore.clamp(0, 1)[:, None] * fore).norm(dim=-1)
    down_fore = 1.0 + on_fore * fore_len / upper_len
    use_fore = (wrist[:, 2] > 0) & (elbow[:, 2] > 0) & (off_fore < off_upper) & (on_fore > 0)
    return torch.where(use_fore, down_fore, on_upper)


def _elbow_share(shoulder: Tensor, elbow: Tensor, cuff: Tensor) -> Tensor:
    """(B,) the share of a long sleeve's length, along the arm, from its shoulder target to the elbow, within
    `ELBOW_SHARE_RANGE`: the elbow pairs' garment cross-section is taken at that share of the flat sleeve, so the
    sleeve is not stretched above the elbow and crumpled below it. A half-way section put a three-quarter sleeve's
    middle on the elbow: its forearm part squeezed to half its length (the stripes folded over each other) and the
    upper arm's inner edge stretched 2.6x (a striped top on a hanging arm, two photos).

    Args:
        shoulder, elbow, cuff: (B, 2) the sleeve's shoulder target, the elbow joint and the cuff targets' centre.
    """
    upper = (elbow - shoulder).norm(dim=-1)
    fore = (cuff - elbow).norm(dim=-1)
    return (upper / (upper + fore).clamp_min(1e-6)).clamp(*ELBOW_SHARE_RANGE)


def _bent_at_elbow(pairs: KeypointPairs, side: str, person: Tensor, elbow_p: Tensor) -> Tensor:
    """(B,) bool: the sleeve has elbow pairs (`elbow_p` (B, 2, 3), confidence > 0) and the arm bends there by more
    than `BENT_ELBOW_DEG` between the shoulder joint -> elbow and the elbow -> the cuff targets' centre (`person`
    (B, N, 3), the sleeve's targets)."""
    names = pairs.names
    on = (elbow_p[:, :, 2] > 0).all(-1)
    if pairs.pose is None or not bool(on.any()):
        return on & False
    joints = pairs.pose.rescaled(pairs.person_hw).joints.to(device=person.device, dtype=person.dtype)
    shoulder = joints[:, joint_index(f"{side}_shoulder"), :2].expand(person.shape[0], -1)
    elbow = elbow_p[:, :, :2].mean(1)
    cuff = (person[:, names.index(f"sleeve_{side}_outer"), :2] + person[:, names.index(f"sleeve_{side}_inner"), :2]) / 2
    upper, fore = elbow - shoulder, cuff - elbow
    cos = (upper * fore).sum(-1) / (upper.norm(dim=-1) * fore.norm(dim=-1)).clamp_min(1e-6)
    return on & (cos < float(np.cos(np.radians(BENT_ELBOW_DEG))))


def _split_at_elbow(sleeve_mask: Tensor, elbow_g: Tensor, cuff_g: Tensor) -> Tensor:
    """A bent sleeve's garment pixels split at its elbow pairs' cross-section: the upper arm's piece (the armhole's
    side of the line through the two elbow points) and the forearm's (the cuff's side), each `BENT_OVERLAP_PX` past
    the line.

    Args:
        sleeve_mask: (B or 1, H_g, W_g) float {0, 1}, the sleeve's garment pixels (`garment_part_masks`).
        elbow_g: (B, 2, 2) the garment's elbow points (outer, inner), cuff_g (B, 2) its cuff corners' centre, pixels.

    Returns:
        (B, 2, H_g, W_g) float {0, 1}: the upper arm's piece, the forearm's.
    """
    h, w = sleeve_mask.shape[-2:]
    yy, xx = torch.meshgrid(
        torch.arange(h, device=sleeve_mask.device, dtype=elbow_g.dtype),
        torch.arange(w, device=sleeve_mask.device, dtype=elbow_g.dtype),
        indexing="ij",
    )
    along = elbow_g[:, 1] - elbow_g[:, 0]
    normal = torch.stack((-along[:, 1], along[:, 0]), -1)
    normal = normal / normal.norm(dim=-1, keepdim=True).clamp_min(1e-6)
    # towards the cuff
    normal = normal * torch.sign(((cuff_g - elbow_g[:, 0]) * normal).sum(-1, keepdim=True) + 1e-6)
    past = (xx[None] - elbow_g[:, 0, 0, None, None]) * normal[:, 0, None, None] + (
        yy[None] - elbow_g[:, 0, 1, None, None]
    ) * normal[:, 1, None, None]  # (B, H_g, W_g) signed distance from the line, + on the cuff's side
    on = sleeve_mask.to(elbow_g.dtype)
    return torch.stack((on * (past <= BENT_OVERLAP_PX), on * (past >= -BENT_OVERLAP_PX)), 1).to(sleeve_mask.dtype)


def _land_bent_sleeve(
    landed: Tensor,
    box: Tensor,
    bent: Tensor,
    pieces: Tensor,
    fore_params: TpsParams,
    side: int,
    elbow_px: Tensor,
    cuff_px: Tensor,
    size_hw: tuple[int, int],
    box_yx: tuple[int, int, int, int],
    *,
    align_corners: bool,
    step: int,
) -> tuple[Tensor, Tensor]:
    """Where a bent sleeve lands: on the armhole's side of its elbow targets' line its upper arm's piece by the
    sleeve's own spline (`box`, through the armhole and elbow pairs), on the cuff's side its forearm's piece by the
    forearm's spline (`fore_params`, elbow and cuff pairs), whose grid that whole side takes. So the cover of the arm
    (`_cover_arm`) continues the forearm's fabric below the elbow: with the upper arm's grid there, extrapolated
    round the bend, the forearm's gaps took the garment's far side in streaks, and a pale fleck of its backdrop
    at the cuff (the unseen taylor-, hand on the hip, in the chiffon 09290).

    Args:
        landed: (B, h, w) bool, where the sleeve's spline lands on the whole sleeve, over the box `box_yx`
            (y0, y1, x0, x1); box: (B, h, w, 2) that spline's grid.
        bent: (B,) bool, the items whose sleeve is bent (others keep `landed` and `box`).
        pieces: (B, 2, H_g, W_g) float {0, 1}, the sleeve's upper arm and forearm pieces (`_split_at_elbow`).
        fore_params: the forearm splines, batch dims (B, 2); `side` picks the sleeve (0 right, 1 left).
        elbow_px: (B, 2, 2) the sleeve's elbow targets (outer, inner), cuff_px (B, 2, 2) its cuff targets (outer,
            inner), (x, y) person pixels; the forearm's piece lands within `BENT_FORE_OUT` cuff widths of their quad.

    Returns:
        `landed` and `box` with the bent items' two pieces.
    """
    part = TpsParams(fore_params.control[:, side], fore_params.kernel[:, side], fore_params.affine[:, side])
    fore = tps_grid(part, size_hw, align_corners=align_corners, step=step, box=box_yx).to(box)
    on_upper = sample_grid(pieces[:, :1], box, align_corners=align_corners, name="garment_mask")[:, 0] > 0.5
    on_fore = sample_grid(pieces[:, 1:], fore, align_corners=align_corners, name="garment_mask")[:, 0] > 0.5
    y0, y1, x0, x1 = box_yx
    origin, size = (y0, x0), (y1 - y0 + 1, x1 - x0 + 1)
    elbow, cuffs = elbow_px.to(box), cuff_px.to(box)
    # (the far side of the elbow line from a point back up the arm: the cuff's side)
    back = 2 * elbow.mean(1) - cuffs.mean(1)
    past = _past_line(elbow[:, 0], elbow[:, 1], back, origin, size) & bent[:, None, None]
    # the forearm's piece only near its targets' quad (its spline, from four pairs, folds back onto it far away)
    quad = torch.cat((elbow, cuffs), 1)  # (B, 4, 2)
    centre = quad.mean(1)
    angle = torch.atan2(quad[..., 1] - centre[:, 1:], quad[..., 0] - centre[:, :1])
    quad = quad.gather(1, angle.argsort(1)[..., None].expand(-1, -1, 2))  # in turn round the centre
    reach = BENT_FORE_OUT * (cuffs[:, 0] - cuffs[:, 1]).norm(dim=-1)
    for i in range(4):
        on_fore &= ~_past_line(quad[:, i], quad[:, (i + 1) % 4], centre, origin, size, reach[:, None, None])
    return torch.where(past, on_fore, torch.where(bent[:, None, None], on_upper, landed)), torch.where(
        past[..., None], fore, box
    )


#: Deep armholes (`_deep_armhole`) and short sleeves: the torso's spline fills the pixels no part claims within this
#: fraction of the image's larger side of both the torso and a sleeve (`_fill_armhole_gaps`). A puff sleeve whose
#: flat piece starts low on its outline (the unseen ootd_053786_1's shoulder points mid-puff) meets the torso on the
#: person along two armhole lines apart: each part's spline sends the wedge between them into the other part, and the
#: bare arm showed through a ring of fabric on both upper arms (on ootd_053700_0).
ARMHOLE_GAP = 0.03


def _deep_armhole(names: Sequence[str], side: str, torso: Tensor) -> Tensor:
    """(B,) bool: the torso's armpit target (`torso` (B, N, 3), the torso's targets) lies no higher than the sleeve's
    inner cuff target down the body (collar centre -> hem centre): a drop-shoulder shirt's armhole reaches its short
    sleeves' ends."""
    p = torso[..., :2]
    down = p[:, names.index("hem_center")] - p[:, names.index("collar_center")]
    inner = names.index(f"sleeve_{side}_inner")
    depth = ((p[:, names.index(f"armpit_{side}")] - p[:, inner]) * down).sum(-1)
    return (depth >= 0) & (torso[:, inner, 2] > 0) & (torso[:, names.index(f"armpit_{side}"), 2] > 0)


def _fill_armhole_gaps(
    grid: Tensor,
    torso_box: tuple[Tensor, tuple[int, int, int, int]],
    garment_mask: Tensor,
    torso: Tensor,
    sleeves: Tensor,
    deep: Tensor,
    short: Tensor,
    inside: Tensor | None,
    body: Tensor | None,
    align_corners: bool,
) -> Tensor:
    """`grid` (B, H, W, 2) with the torso's spline over the pixels that no part claims, within `ARMHOLE_GAP` of both
    the torso (`torso` (B, H, W) bool) and a sleeve (`sleeves` (B, 2, H, W) bool), inside the silhouette grown by
    `SLEEVE_OUT` (`inside` (B, H, W) bool or None) and where that spline lands on the garment (`garment_mask`
    (B or 1, 1, H_g, W_g)). The sleeves: those with a deep armhole (`deep` (B, 2) bool), and `short` ones ((B, 2)
    bool) within the silhouette itself (`body` (B, H, W) bool or None). A sleeve hanging from a dropped seam meets
    the torso along its armhole with its own spline, which bows off the torso's straight armhole line: a slit of bare
    arm showed between them down the upper arm (the unseen oversized ootd_049949_1 on cat_model_7); a puff sleeve's
    torso and sleeve armhole lines lay apart the same way, rings of fabric round the bare upper arms (the unseen
    ootd_053786_1 on ootd_053700_0). A short sleeve's gap filled out to the grown silhouette spilled under a
    T-shirt's armpit onto the wall beside the body (VITON-HD 00891 from two photos, spill 0.019 -> 0.021).
    `torso_box`: the torso's grid over its box (y0, y1, x0, x1), where it is evaluated."""
    box, (y0, y1, x0, x1) = torso_box
    reach = ARMHOLE_GAP * max(grid.shape[1:3])
    on = sample_grid(garment_mask.to(box), box, align_corners=align_corners, name="garment_mask")[:, 0] > 0.5
    region = grid[:, y0 : y1 + 1, x0 : x1 + 1]
    free = (region[..., 0] <= _OUTSIDE + 0.5) & on
    if inside is not None:
        free &= inside[:, y0 : y1 + 1, x0 : x1 + 1]
    out = grid.clone()
    for i in range(grid.shape[0]):
        if not bool(free[i].any()):
            continue
        near = []
        for m in (
            torso[i],
            (sleeves[i] & deep[i, :, None, None]).any(0),
            (sleeves[i] & short[i, :, None, None]).any(0),
        ):
            m = m[y0 : y1 + 1, x0 : x1 + 1].cpu().numpy()
            near.append(cv2.distanceTransform((~m).astype(np.uint8), cv2.DIST_L2, 5) <= reach if m.any() else None)
        near_torso, near_deep, near_short = near
        if near_torso is None or (near_deep is None and near_short is None):
            continue
        zone = np.zeros_like(near_torso) if near_deep is None else near_deep
        if near_short is not None:
            zone = zone | (near_short if body is None else near_short & body[i, y0 : y1 + 1, x0 : x1 + 1].cpu().numpy())
        fill = free[i] & torch.from_numpy(near_torso & zone).to(free.device)
        out[i, y0 : y1 + 1, x0 : x1 + 1] = torch.where(fill[..., None], box[i], region[i])
    return out


def _sleeve_outer_pairs(
    pairs: KeypointPairs, side: str, person: Tensor, garment: Tensor, sleeve_mask: Tensor, silhouette: Tensor
) -> tuple[Tensor, Tensor]:
    """Extra pairs per sleeve on its outer edge, at the `SLEEVE_OUTER_AT` fractions of the way from the shoulder to
    the outer cuff.

    `lift_to_edge` on the lines shoulder -> outer cuff (garment landmarks, the sleeve's targets), away from the inner
    cuff: the garment's point is the sleeve mask's edge across the line there; the person's the same point of the
    targets' line, moved across the sleeve by the garment's offset scaled like the cuff (where the sleeve lands
    without the pair), and farther, by at most `SLEEVE_OUTER_MAX` cuff target widths, onto the silhouette's edge.
    Confidence 0 (unused) where the silhouette's edge is not at least a pixel outside that (a sleeve as wide as
    the body or wider is left as it was), where a line's point is outside its mask, or a landmark is missing.

    Args:
        person, garment: (B, N, 3) the sleeve's targets and the garment landmarks, pixels.
        sleeve_mask: (B or 1, H_g, W_g) float {0, 1}, the sleeve's garment pixels (`garment_part_masks`).
        silhouette: (B or 1, 1, H_p, W_p) bool (or float, > 0.5 = inside), the person's pixels.

    Returns:
        garment (B, F, 3) and person (B, F, 3) points, (x_px, y_px, confidence), F = len(`SLEEVE_OUTER_AT`).
    """
    names = pairs.names
    i_s, i_o, i_n = (names.index(n) for n in (f"shoulder_{side}", f"sleeve_{side}_outer", f"sleeve_{side}_inner"))
    b = person.shape[0]
    g_out, p_out = garment.new_zeros(b, len(SLEEVE_OUTER_AT), 3), person.new_zeros(b, len(SLEEVE_OUTER_AT), 3)
    g = garment.detach().to(torch.float64).cpu()
    p = person.detach().to(torch.float64).cpu()
    masks = sleeve_mask.detach().cpu() > 0.5
    body = (silhouette.detach() > 0.5)[:, 0].cpu()
    for i in range(b):
        if not bool((g[i, [i_s, i_o, i_n], 2] > 0).all() and (p[i, [i_s, i_o, i_n], 2] > 0).all()):
            continue
        lines = [pts[[i_s, i_o, i_n], :2] for pts in (g[i], p[i])]  # shoulder -> outer cuff, away from the inner
        found = _lifted(lines, masks[min(i, len(masks) - 1)], body[min(i, len(body) - 1)], SLEEVE_OUTER_AT)
        for f, g_xy, p_xy in found:
            g_out[i, f, :2], p_out[i, f, :2] = g_xy.to(g_out), p_xy.to(p_out)
            g_out[i, f, 2] = p_out[i, f, 2] = 1.0
    return g_out, p_out


def _lifted(
    lines: list[Tensor], mask: Tensor, body: Tensor, fracs: tuple[float, ...]
) -> list[tuple[int, Tensor, Tensor]]:
    """`lift_to_edge` at each of `fracs` along a sleeve's `lines` (garment, person: (3, 2) float64 each, a start
    point -> the outer point, away from the inner point), the sleeve scaled by the person's outer-inner width over
    the garment's (the sleeve's scale, like its cuff's or elbow's), lifted by at most `SLEEVE_OUTER_MAX` of that
    width: (index into `fracs`, garment xy, person xy) where an edge was found. `mask` (H_g, W_g) and `body`
    (H_p, W_p) bool."""
    width_p = float((lines[1][1] - lines[1][2]).norm())
    scale = width_p / max(float((lines[0][1] - lines[0][2]).norm()), 1e-6)
    out = []
    for f, frac in enumerate(fracs):
        found = lift_to_edge(*lines, mask, body, frac, scale=scale, max_lift=SLEEVE_OUTER_MAX * width_p)
        if found is not None:
            out.append((f, found[0], found[1]))
    return out


def _upper_arm_outer_pairs(
    pairs: KeypointPairs,
    side: str,
    person: Tensor,
    garment: Tensor,
    elbow_p: Tensor,
    elbow_g: Tensor,
    sleeve_mask: Tensor,
    silhouette: Tensor,
) -> tuple[Tensor, Tensor]:
    """A long sleeve's extra pairs on its outer edge over the upper arm, at the `UPPER_ARM_OUTER_AT` fractions of the
    way from the shoulder to the outer elbow point: `lift_to_edge` on the lines shoulder -> outer elbow point (garment
    and person), away from the inner elbow point, by at most `SLEEVE_OUTER_MAX` elbow target widths, across the
    sleeve scaled like its elbow. Confidence 0 (unused) where the sleeve has no elbow pairs, where the silhouette's
    edge is not at least a pixel outside where the sleeve lands, or where a line's point is outside its mask.

    Args:
        person, garment: (B, N, 3) the sleeve's targets and the garment landmarks, pixels.
        elbow_p, elbow_g: (B, 2, 3) the sleeve's elbow pairs (`_sleeve_elbow_pairs`), person / garment, outer then
            inner, (x_px, y_px, confidence).
        sleeve_mask: (B or 1, H_g, W_g) float {0, 1}, the sleeve's garment pixels (`garment_part_masks`).
        silhouette: (B or 1, 1, H_p, W_p) bool (or float, > 0.5 = inside), the person's pixels.

    Returns:
        garment (B, F, 3) and person (B, F, 3) points, (x_px, y_px, confidence), F = len(`UPPER_ARM_OUTER_AT`).
    """
    i_s = pairs.names.index(f"shoulder_{side}")
    b = person.shape[0]
    g_out, p_out = garment.new_zeros(b, len(UPPER_ARM_OUTER_AT), 3), person.new_zeros(b, len(UPPER_ARM_OUTER_AT), 3)
    frames = [torch.cat((pts[:, i_s : i_s + 1], elbow), 1).detach().to(torch.float64).cpu()
              for pts, elbow in ((garment, elbow_g), (person, elbow_p))]  # fmt: skip  # (B, 3, 3) each
    masks = sleeve_mask.detach().cpu() > 0.5
    body = (silhouette.detach() > 0.5)[:, 0].cpu()
    for i in range(b):
        if not bool((frames[0][i, :, 2] > 0).all() and (frames[1][i, :, 2] > 0).all()):
            continue
        lines = [f[i, :, :2] for f in frames]  # shoulder -> outer elbow point, away from the inner one
        found = _lifted(lines, masks[min(i, len(masks) - 1)], body[min(i, len(body) - 1)], UPPER_ARM_OUTER_AT)
        for f, g_xy, p_xy in found:
            g_out[i, f, :2], p_out[i, f, :2] = g_xy.to(g_out), p_xy.to(p_out)
            g_out[i, f, 2] = p_out[i, f, 2] = 1.0
    return g_out, p_out


def _cut_down_sleeve(cut: Tensor, targets_px: Tensor, origin: tuple[int, int]) -> Tensor:
    """Where a short sleeve was cut off outside the silhouette below its armpit target, cut it on down the sleeve (along
    shoulder target -> cuff centre) for `SLEEVE_CUT_DOWN` cuff target widths: an estimated outline that steps out
    under the old sleeve's end (a white T-shirt against a light wall, the README pair from two photos) let the
    sleeve's end out into a step. Above the armpit the silhouette's round shoulder is followed as it is.

    Args:
        cut: (B, h, w) bool, the sleeve's landed pixels outside the grown silhouette, over a box whose top-left
            pixel is `origin` (y0, x0).
        targets_px: (B, 4, 2) the sleeve's shoulder, armpit, outer and inner cuff targets, (x, y) pixels.

    Returns:
        (B, h, w) bool, `cut` with the pixels cut on down the sleeve.
    """
    out = cut.clone()
    t = targets_px.detach().double().cpu().numpy()
    rows = torch.arange(cut.shape[1], device=cut.device)[:, None] + origin[0]
    for i in range(cut.shape[0]):
        below = (cut[i] & (rows > float(t[i, 1, 1]))).cpu().numpy()
        reach = int(round(SLEEVE_CUT_DOWN * float(np.linalg.norm(t[i, 2] - t[i, 3]))))
        if not below.any() or reach < 1:
            continue
        down = (t[i, 2] + t[i, 3]) / 2 - t[i, 0]
        down /= max(float(np.linalg.norm(down)), 1e-6)
        # dilation takes the max over the kernel's offsets: a line up the sleeve carries each cut pixel down it
        kernel = np.zeros((2 * reach + 1, 2 * reach + 1), np.uint8)
        cv2.line(kernel, (reach, reach), (round(reach * (1 - down[0])), round(reach * (1 - down[1]))), 1)
        out[i] |= torch.from_numpy(cv2.dilate(below.astype(np.uint8), kernel) > 0).to(cut.device)
    return out


#: A short sleeve's landed outline (`_clean_sleeve_edge`) is closed and opened by a disc of this radius and then
#: smoothed (Gaussian sigma), pixels at 1024 rows. Its spline folds near the hem where the flat photo's inner seam is
#: shorter than the arm's inner side it is pulled along (the unseen RHUDE tee cat_upper_24083449 on cat_model_5: a
#: 10 px seam onto 35 px), and sampling the sleeve piece's mask there landed a speckled tongue; elsewhere the piece's
#: edge, magnified, landed in 2-3 px teeth: the hem looked torn, with the torso's colour in the specks (the navy
#: sleeves of the two-tone polo idm_09163_00 on ootd_model_6 had white ones).
SLEEVE_EDGE_CLOSE_PX = 3.0
SLEEVE_EDGE_SIGMA_PX = 2.0
#: Pieces of that opening smaller than this share of its largest are the fold's tongue, not the sleeve: their landed
#: pixels are dropped before the close. On the RHUDE tee's left sleeve the tongue's speckled neck vanished in the
#: opening but its solid tip (94 px against the sleeve's 5818) stayed, and the close joined both again: a foot of
#: black hanging 15 px below the hem at the arm's inner side.
SLEEVE_PIECE_MIN = 0.1


def _clean_sleeve_edge(
    landed: Tensor, box: Tensor, short: Tensor, allowed: Tensor | None, unit: float
) -> tuple[Tensor, Tensor]:
    """A short sleeve's landed pixels with a clean outline: closed and opened by `SLEEVE_EDGE_CLOSE_PX`, smoothed by
    `SLEEVE_EDGE_SIGMA_PX` (both times `unit`, the image's rows / 1024) and kept within `allowed`; first, its landed
    pixels farther than that disc from the opening's main pieces (`_main_pieces`: a fold's tongue) go. Its pixels off
    the landed pixels' opening by the same disc (the fold's specks, the teeth, what the outline gains) take the grid
    value of the nearest pixel of that opening's erosion by it: the fold's own grid takes the flat piece's outline,
    half backdrop (grey bits along the RHUDE tee's hem). OpenCV, per item.

    Args:
        landed: (B, h, w) bool over one evaluation box; box: (B, h, w, 2) the sleeve's grid over it.
        short: (B,) bool, the items whose sleeve is short (the others are returned as they are).
        allowed: optional (B, h, w) bool, where the sleeve may land (the silhouette grown by `SLEEVE_OUT`).

    Returns:
        `landed` and `box`, new tensors.
    """
    r = max(1, round(SLEEVE_EDGE_CLOSE_PX * unit))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    sigma = SLEEVE_EDGE_SIGMA_PX * unit
    landed, box = landed.clone(), box.clone()
    for i in range(landed.shape[0]):
        on = landed[i].cpu().numpy()
        if not bool(short[i]) or not on.any():
            continue
        y0, y1, x0, x1 = mask_box(on, 2 * r + int(np.ceil(3 * sigma)))
        part = on[y0:y1, x0:x1].astype(np.uint8)
        core = np.zeros_like(on)
        core[y0:y1, x0:x1] = _main_pieces(cv2.morphologyEx(part, cv2.MORPH_OPEN, disc))
        if not core.any():
            continue
        # (the landed pixels the kept pieces' discs reach: the tongue's and its specks' go)
        part &= cv2.dilate(core[y0:y1, x0:x1].astype(np.uint8), disc)
        part = cv2.morphologyEx(cv2.morphologyEx(part, cv2.MORPH_CLOSE, disc), cv2.MORPH_OPEN, disc)
        clean = np.zeros_like(on)
        clean[y0:y1, x0:x1] = cv2.GaussianBlur(part.astype(np.float32), (0, 0), sigma) > 0.5
        if allowed is not None:
            clean &= allowed[i].cpu().numpy()
        # (from a disc inside the outline: the fold's root, at its edge, lies on the piece's soft outline too)
        deep = cv2.erode(core.astype(np.uint8), disc) > 0
        deep = deep if deep.any() else core
        # (DIST_LABEL_PIXEL numbers the `deep` pixels 1.. in raster order)
        _, labels = cv2.distanceTransformWithLabels(
            (~deep).astype(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
        )
        nearest = torch.from_numpy(np.flatnonzero(deep)[np.maximum(labels.astype(np.int64) - 1, 0)].reshape(-1))
        taken = box[i].reshape(-1, 2)[nearest.to(box.device)].reshape(box.shape[1:])
        box[i] = torch.where(torch.from_numpy(clean & ~core).to(box.device)[..., None], taken, box[i])
        landed[i] = torch.from_numpy(clean).to(landed.device)
    return landed, box


def _main_pieces(opened: np.ndarray) -> np.ndarray:
    """The 8-connected pieces of `opened` ((h, w) uint8, a sleeve's opened landed pixels) of at least
    `SLEEVE_PIECE_MIN` times the largest one's area, as an (h, w) bool mask."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    if n <= 2:
        return opened > 0
    areas = stats[1:, cv2.CC_STAT_AREA]
    return np.isin(labels, 1 + np.flatnonzero(areas >= SLEEVE_PIECE_MIN * areas.max()))


def _cover_arm(
    landed: Tensor,
    box: Tensor,
    free: Tensor,
    own: Tensor,
    cuff_px: Tensor,
    elbow_px: Tensor,
    armpit_px: Tensor,
    torso: Tensor,
    origin: tuple[int, int],
) -> tuple[Tensor, Tensor]:
    """A long sleeve over the arm (`warp_by_parts`, `arms`): the `free` pixels on the elbow's side of the cuff
    within `ARM_COVER` cuff widths of where the sleeve `landed` join it, each keeping its own grid value where that
    lies on the garment by the sleeve (`own`), else taking the grid value of its mirror image across the nearest
    landed or kept pixel (that pixel's when the mirror image is neither). OpenCV distance transforms, per item.

    A flat photo's hanging sleeve lies partly over the torso's side, and that part is the torso's in the part map:
    the sleeve lands as a thin wedge down the arm. Mirrored across the wedge's edge, its cover of the upper arm was
    a pattern of streaks across the arm, and the edge pixels copied where the mirror fell off the wedge smeared into
    bands (the unseen Simon_1 in a chiffon blouse: 45 % of each sleeve); its own spline takes the sleeve there.

    Args:
        landed, free: (B, h, w) bool over one evaluation box (top-left pixel `origin` (y0, x0)); `free` is the
            arm where no other sleeve lies, all False for an item whose sleeve is not long.
        own: (B, h, w) bool, where the sleeve's grid lands on the garment near its sleeve (`_near_sleeves`).
        box: (B, h, w, 2) the sleeve's grid over the box.
        cuff_px: (B, 2, 2) its outer and inner cuff targets, elbow_px (B, 2, 2) its elbow targets, (x, y) pixels.
        armpit_px: (B, 3) the torso's armpit target (x, y, confidence), torso: (B, h, w) bool where the torso
            landed: above the line across the arm through that target the torso's pixels are not covered.

    Returns:
        `landed` with the covered pixels, and `box` with their grid values.
    """
    b, h, w = landed.shape
    cuff = cuff_px.mean(1)
    towards = elbow_px.mean(1) - cuff
    across = torch.stack((-towards[:, 1], towards[:, 0]), dim=-1)  # the line through the cuff, across the sleeve
    elbow_side = _past_line(cuff, cuff + across, cuff - towards, origin, (h, w))  # the sleeve's side of it
    free = free & elbow_side & ~landed
    # not the torso's shoulder above the armpit (a bare shoulder is arm): the sleeve's top mirrored there, where a
    # flat photo's stripes curve round the shoulder, made solid dark wedges (the unseen cat_Yifeng_0 in the striped
    # ootd_00151_00), and its own spline crossed the torso's stripes in an X; the gaps beside a sleeve narrower
    # than the arm there are still covered (cat_Simon_1 in the chiffon 09290 looked the same)
    armpit = armpit_px[:, :2]
    along = elbow_px.mean(1) - armpit
    over = torch.stack((-along[:, 1], along[:, 0]), dim=-1)
    shoulder_side = _past_line(armpit, armpit + over, elbow_px.mean(1), origin, (h, w))
    free = free & ~(shoulder_side & torso & (armpit_px[:, 2] > 0)[:, None, None])
    reach = ARM_COVER * (cuff_px[:, 0] - cuff_px[:, 1]).norm(dim=-1)
    landed, box = landed.clone(), box.clone()
    for i in range(b):
        on = landed[i].cpu().numpy()
        if not on.any() or not bool(free[i].any()):
            continue
        near = cv2.distanceTransform((~on).astype(np.uint8), cv2.DIST_L2, 5) <= float(reach[i])
        cover = free[i] & torch.from_numpy(near).to(landed.device)
        # the sleeve's own spline where it lands on the garment by the sleeve; the rest mirrors what that gives
        taken_own = (cover & own[i]).cpu().numpy()
        source = torch.from_numpy(_mirror_sources(on | taken_own)).to(box.device)
        taken = box[i].reshape(h * w, 2)[source.reshape(-1)].reshape(h, w, 2)
        keep = torch.from_numpy(taken_own).to(box.device)
        box[i] = torch.where((cover & ~keep)[..., None], taken, box[i])
        landed[i] |= cover
    return landed, box


def _backdrop_inside(garment: Tensor, mask: Tensor) -> Tensor:
    """(B, 1, H_g, W_g) bool: the pixels of `mask` (B or 1, 1, H_g, W_g) bool where the garment photo `garment`
    (B or 1, 3, H_g, W_g) float [0, 1] is within `BACKDROP_NEAR` of its backdrop's colour, the median of the ring
    of pixels just outside the mask, and the pixels within `BACKDROP_BLEND_PX` of those (none where the mask has no
    such ring)."""
    b = max(garment.shape[0], mask.shape[0])
    out = torch.zeros((b, 1, *mask.shape[-2:]), dtype=torch.bool)
    for i in range(b):
        whole = mask[min(i, mask.shape[0] - 1), 0].numpy()
        if not whole.any():
            continue
        # (over the mask's box grown past the ring and the blend: the same pixels as over the whole photo)
        y0, y1, x0, x1 = mask_box(whole, 3 + BACKDROP_BLEND_PX)
        inside = whole[y0:y1, x0:x1].astype(np.uint8)
        ring = (cv2.dilate(inside, np.ones((5, 5), np.uint8)) > 0) & (inside == 0)
        if not ring.any():
            continue
        img = garment[min(i, garment.shape[0] - 1), :, y0:y1, x0:x1].float().numpy()  # (3, h, w)
        backdrop = np.median(img[:, ring], axis=1)
        near = (np.abs(img - backdrop[:, None, None]).max(0) < BACKDROP_NEAR).astype(np.uint8)
        # (with the pixels blending into it along its edge, `BACKDROP_BLEND_PX` deep)
        blend = cv2.dilate(near, np.ones((2 * BACKDROP_BLEND_PX + 1,) * 2, np.uint8)) > 0
        out[i, 0, y0:y1, x0:x1] = torch.from_numpy(blend & (inside > 0))
    return out


def _mirror_sources(on: np.ndarray) -> np.ndarray:
    """(h, w) int64: for each pixel of the (h, w) bool mask `on`'s box, the flat index of its mirror image across
    the nearest `on` pixel where that mirror image is `on`, else of that nearest pixel."""
    h, w = on.shape
    _, labels = cv2.distanceTransformWithLabels((~on).astype(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    flat = np.flatnonzero(on)  # DIST_LABEL_PIXEL numbers the `on` pixels 1.. in raster order
    edge = flat[np.maximum(labels.astype(np.int64) - 1, 0)]
    ey, ex = np.divmod(edge, w)
    my = np.clip(2 * ey - np.arange(h)[:, None], 0, h - 1)
    mx = np.clip(2 * ex - np.arange(w)[None, :], 0, w - 1)
    return np.where(on[my, mx], my * w + mx, edge)


def _near_sleeves(parts: Tensor, garment_mask: Tensor, pairs: KeypointPairs, garment: Tensor | None) -> Tensor:
    """(B, 2, H_g, W_g) bool: each sleeve's part and the garment's pixels within `NEAR_SLEEVE` armhole spans of it
    but those of its backdrop's colour (`_backdrop_inside`), from `parts` (B, 3, H_g, W_g) {0, 1}
    (`garment_part_masks`), `garment_mask` (B or 1, 1, H_g, W_g) and the `garment` photo (B or 1, 3, H_g, W_g) or
    None. A sleeve part without both armhole landmarks stays as it is (an empty one too). OpenCV distance transform,
    per item."""
    idx = [(pairs.names.index(f"shoulder_{side}"), pairs.names.index(f"armpit_{side}")) for side in ("right", "left")]
    g = pairs.garment_px.detach().double().cpu().numpy()
    ok = pairs.valid.cpu().numpy()
    cloth = garment_mask.detach().cpu() > 0.5
    if garment is not None:
        cloth = cloth & ~_backdrop_inside(garment.detach().cpu(), cloth)
    cloth = cloth[:, 0].numpy()
    out = parts[:, 1:].detach().cpu().numpy() > 0.5
    for i in range(parts.shape[0]):
        for k, (i_s, i_a) in enumerate(idx):
            reach = NEAR_SLEEVE * float(np.linalg.norm(g[i, i_s, :2] - g[i, i_a, :2]))
            if not (ok[i, i_s] and ok[i, i_a] and out[i, k].any()) or reach < 1:
                continue
            dist = cv2.distanceTransform((~out[i, k]).astype(np.uint8), cv2.DIST_L2, 3)
            out[i, k] |= (dist <= reach) & cloth[min(i, len(cloth) - 1)]
    return torch.from_numpy(out).to(parts.device)


def _grown_mask(
    mask: Tensor | None, name: str, b: int, size_hw: tuple[int, int], grow_px: int, device: torch.device
) -> Tensor | None:
    """(B, H, W) bool `mask` (B or 1, 1, H, W; > 0.5 = inside) grown by `grow_px` pixels, or None."""
    if mask is None:
        return None
    check_shape(mask, name, ("B", 1, *size_hw))
    if mask.shape[0] not in (1, b):
        raise ValueError(f"{name}: expected batch 1 or {b}, got {mask.shape[0]}")
    # (kept bool, a bool mask copied as it is: the float comparisons and copies were most of the time)
    inside = mask.to(device, copy=True) if mask.dtype == torch.bool else mask.to(device) > 0.5
    if grow_px > 0:  # (`dilate_square`: OpenCV's dilation on the CPU, torch's 21x21 max pool took ~0.2 s)
        inside = dilate_square(inside[:, 0], grow_px)[:, None]
    return inside[:, 0].expand(b, -1, -1).contiguous()


def _own_box(targets: Tensor, valid: Tensor, origin: tuple[int, int], box: Tensor, margin: float) -> Tensor:
    """(B, h, w) bool: the pixels of the evaluated `box` (top-left pixel `origin` (y0, x0)) inside each item's own
    box (its valid targets' extent grown as in `warp_by_parts`, `margin` pixels included), so a batch item gives what it
    gives alone (a spline extrapolated far from its targets can land on its part again)."""
    big = torch.finfo(targets.dtype).max
    lo = torch.where(valid[..., None], targets, torch.full_like(targets, big)).amin(1)  # (B, 2)
    hi = torch.where(valid[..., None], targets, torch.full_like(targets, -big)).amax(1)
    h, w = box.shape[1:3]
    grow = 0.5 * (hi - lo) + margin
    ys = torch.arange(h, device=box.device, dtype=targets.dtype) + origin[0]
    xs = torch.arange(w, device=box.device, dtype=targets.dtype) + origin[1]
    return (
        _inside(ys, lo[:, 1], hi[:, 1], grow[:, 1])[:, :, None] & _inside(xs, lo[:, 0], hi[:, 0], grow[:, 0])[:, None]
    )


def _past_line(
    a: Tensor, b: Tensor, ref: Tensor, origin: tuple[int, int], size_hw: tuple[int, int], margin: float | Tensor = 0.0
) -> Tensor:
    """(B, h, w) bool: the pixels of a box (top-left pixel `origin` (y0, x0), `size_hw`) more than `margin` pixels
    past the line through the (B, 2) points `a` and `b`, on the side away from the (B, 2) point `ref`; x, y pixels
    (`margin` a float or a (B, 1, 1) tensor, per item)."""
    d = b - a
    normal = torch.stack((d[:, 1], -d[:, 0]), dim=-1)
    normal = normal / normal.norm(dim=-1, keepdim=True).clamp_min(1e-6)
    normal = torch.where(((ref - a) * normal).sum(-1, keepdim=True) > 0, -normal, normal)  # away from `ref`
    ys = torch.arange(size_hw[0], device=a.device, dtype=a.dtype) + origin[0]
    xs = torch.arange(size_hw[1], device=a.device, dtype=a.dtype) + origin[1]
    dx = (xs[None] - a[:, :1])[:, None, :] * normal[:, 0, None, None]
    dy = (ys[None] - a[:, 1:])[:, :, None] * normal[:, 1, None, None]
    return dx + dy > margin


def _past_shoulders(
    targets: Tensor,
    valid: Tensor,
    names: Sequence[str],
    origin: tuple[int, int],
    size_hw: tuple[int, int],
    margin: float,
) -> Tensor:
    """(B, h, w) bool: the pixels of a box (as in `_past_line`) where the torso would stand past the wearer's
    shoulders: above the line through its armpit targets and more than `margin` pixels outside an armhole line
    (shoulder target -> armpit target, extended), from the (B, N, 2) torso targets and whether each is placed (B, N;
    an armpit the garment photo does not show is still placed on the body). A
    flat garment's square shoulder corners land there (the body's shoulders slope and round off); a sleeve covers
    what lies past its armhole. "Above" is the side of the armpit line toward the image top, not the shoulders'
    side: a strap dress's shoulder points lie below its armpits, and everything below them was cut off outside the
    near-vertical armhole lines (Dress Code 020718 on 020720: the slip dress ended at a straight vertical edge)."""
    i = {n: names.index(n) for n in ("armpit_right", "armpit_left", "shoulder_right", "shoulder_left")}
    ar, al = targets[:, i["armpit_right"]], targets[:, i["armpit_left"]]
    sr, sl = targets[:, i["shoulder_right"]], targets[:, i["shoulder_left"]]
    mid = (ar + al) / 2
    down = torch.stack((-(al - ar)[:, 1], (al - ar)[:, 0]), dim=-1)  # perpendicular to the armpit line ...
    down = torch.where(down[:, 1:] < 0, -down, down)  # ... pointing down the image
    above = _past_line(ar, al, mid + down, origin, size_hw)
    outside = _past_line(sr, ar, mid, origin, size_hw, margin) | _past_line(sl, al, mid, origin, size_hw, margin)
    known = valid[:, list(i.values())].all(-1)
    return above & outside & known[:, None, None]


def _torso_off_body(landed: Tensor, on_body: Tensor, depth: int, centre: Tensor) -> Tensor:
    """(B, h, w) bool: what of the torso's `landed` pixels (B, h, w) lies, along its row, at or beyond (away from the
    (B,) `centre` column) a landed pixel off the (grown) silhouette `on_body` (B, h, w) within `depth` pixels, along
    its row, of the landed outline: the wall beside the body that a flat torso spans, and what lies past it. A miss
    of the silhouette deeper inside the garment cuts nothing (a hole there would cut the garment's side off), nor the
    wall between the legs under a long top's hem (along the row, far from its sides)."""
    off = landed & ~on_body
    if depth < 1 or not bool(off.any()):
        return off
    if landed.device.type == "cpu":  # OpenCV's erosion: torch's 83x83 max pool took ~10 s on a 700x600 box
        kernel = np.ones((1, 2 * depth + 1), np.uint8)
        core = [cv2.erode(item.numpy().astype(np.uint8), kernel, borderType=cv2.BORDER_REPLICATE) for item in landed]
        deep = torch.from_numpy(np.stack(core)) > 0
    else:
        outside = (~landed).float()[:, None]
        deep = torch.nn.functional.max_pool2d(outside, (1, 2 * depth + 1), stride=1, padding=(0, depth))[:, 0] < 0.5
    off &= ~deep
    if not bool(off.any()):
        return off
    cols = torch.arange(landed.shape[-1], device=landed.device).reshape(1, 1, -1)
    right = cols >= centre.to(landed.device).reshape(-1, 1, 1)  # the image's right of the centre
    # at or past the first off-body pixel going out from the centre: a running OR outwards on each side
    out_right = torch.cummax((off & right).to(torch.uint8), dim=-1).values.bool()
    out_left = torch.cummax((off & ~right).flip(-1).to(torch.uint8), dim=-1).values.flip(-1).bool()
    return landed & ((out_right & right) | (out_left & ~right))


def _sleeves_behind(pairs: KeypointPairs, arms: Tensor | None) -> Tensor:
    """(B, 2) bool: whether the right and the left sleeve's arm is turned behind the body (`arms_behind`, read on
    `arms` (B, H, W) bool, the person's arms; all False without them). Worn, such a sleeve hangs behind the torso:
    drawn over it, the README person's right sleeve (her arm behind her back) ran on down her side and its cuff
    ended in a square step over the torso's side."""
    out = torch.zeros((pairs.batch_size, 2), dtype=torch.bool)
    if arms is not None:
        arms_np = arms.cpu().numpy()
        for i in range(pairs.batch_size):
            out[i] = torch.tensor(arms_behind(pairs, i, pairs.person_hw, arms_np[i]))
    return out.to(pairs.person_px.device)


def _torso_over(torso: Tensor, size: int) -> Tensor:
    """(B, h, w) bool: where the torso's landed pixels `torso` (B, h, w) bool lie over a sleeve behind it: `torso`
    eroded by `TORSO_RIM` of the image's longer `size` (its side under the flat photo's sleeve is an outer edge,
    blended with the photo's backdrop: uncovered, a pale seam ran down between the sleeve and the torso)."""
    rim = max(int(round(TORSO_RIM * size)), 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rim + 1, 2 * rim + 1))
    inner = [cv2.erode(item.cpu().numpy().astype(np.uint8), kernel) for item in torso]
    return torch.from_numpy(np.stack(inner) > 0).to(torso.device)


def _inside(coords: Tensor, lo: Tensor, hi: Tensor, grow: Tensor) -> Tensor:
    return (coords[None] >= (lo - grow)[:, None]) & (coords[None] <= (hi + grow)[:, None])


@dataclass(frozen=True)
class PartWarp(Warp):
    """The `Warp` of `warp_by_parts`, with where each sleeve landed.

    Attributes:
        sleeves: (B, 2, H, W) bool, the person pixels the grid takes from the right (channel 0) and the left
            (channel 1) sleeve: the composite keeps the wearer's arm behind its own sleeve.
    """

    sleeves: Tensor | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.sleeves is not None:
            check_shape(self.sleeves, "warp.sleeves", (self.grid.shape[0], 2, *self.grid.shape[1:3]))

    def to(self, device: torch.device | str | None = None, dtype: torch.dtype | None = None) -> PartWarp:
        moved = super().to(device, dtype)
        return replace(moved, sleeves=None if self.sleeves is None else self.sleeves.to(device=device))


def warp_by_parts(
    pairs: KeypointPairs,
    garment_mask: Tensor,
    *,
    reg: float = DEFAULT_REG,
    align_corners: bool = ALIGN_CORNERS_TPS,
    grid_step: int = 1,
    torso_extra: SidePairs | None = None,
    silhouette: Tensor | None = None,
    arms: Tensor | None = None,
    torso_off_body: bool = True,
    garment_photo: Tensor | None = None,
) -> PartWarp:
    """Warp the torso and each sleeve with its own TPS, then join them into one sampling grid.

    One spline for a whole garment cannot turn flat-lay sleeves down onto hanging arms: the arm lies over the
    torso's side, so the spline folds and pulls background between sleeve and torso over the person. Here the
    torso follows the torso landmarks only (and ends at its armhole lines above the armpits, `_past_shoulders`),
    each sleeve its armhole (shoulder, armpit) and cuff landmarks, and for every person pixel the grid takes the
    first part that lands on its own garment piece, in the order right sleeve, left sleeve, torso (sleeves in front
    of the torso's sides); pixels no part claims get a grid value outside [-1, 1] (sampled as 0).

    Args:
        pairs: classical landmark pairs (groups 1), batch B, pixels.
        garment_mask: (B or 1, 1, H_g, W_g) float [0, 1], the garment's mask.
        reg, align_corners, grid_step: as in `warp_from_pairs`.
        torso_extra: optional extra torso pairs (`place_side_seams`: points on the side seams, so they follow
            the torso's outline between armpit and hem instead of a straight line), confidence 0 = unused.
        silhouette: optional (B or 1, 1, H, W) bool (or float, > 0.5 = inside), the person's pixels: a sleeve
            lands at most `SLEEVE_OUT` outside it (no sleeve standing off past the arm).
        arms: optional (B or 1, 1, H, W) bool (or float), the person's arms: a long sleeve (one with elbow pairs)
            also covers the arm's pixels between its armhole and its cuff within `ARM_COVER` cuff widths of
            where it landed, with its nearest landed pixel's garment point (no old skin in gaps along it); a
            sleeve on an arm turned behind the body (`_sleeves_behind`) goes behind the torso (`_torso_over`).
        torso_off_body: with `silhouette`, a top's torso ends where it lands on the wall beside the body
            (`_torso_off_body`); False for a dress, whose skirt may flare past the old clothes' outline.
        garment_photo: optional (B or 1, 3, H_g, W_g) float [0, 1], the garment photo: with `arms`, a long sleeve's
            cover of the arm takes no pixel of its backdrop's colour inside `garment_mask` (`_near_sleeves`).

    Returns:
        `PartWarp` of kind "tps" whose grid is the joined grid and whose `tps` has batch dims (B, 3): the torso,
        right-sleeve and left-sleeve splines (a sleeve with fewer than 3 valid pairs has a placeholder spline
        and claims no pixel); its `sleeves` are the pixels each sleeve claims.

    Raises:
        ValueError naming `keypoints` when the torso has fewer than 3 valid pairs or its targets are collinear,
        or when landmark names are missing; naming `garment_mask` for a wrong shape.
    """
    if not isinstance(pairs, KeypointPairs):
        raise TypeError(f"keypoints: expected KeypointPairs, got {type(pairs).__name__}")
    if pairs.groups != 1:
        raise ValueError(f"keypoints: part warping takes one group of garment landmarks, got groups={pairs.groups}")
    if reg < 0:
        raise ValueError(f"reg: expected >= 0, got {reg}")
    parts = garment_part_masks(pairs, garment_mask)  # validates names and the mask
    if garment_photo is not None:
        check_shape(garment_photo, "garment_photo", ("B", 3, *pairs.garment_hw))
    b = pairs.batch_size
    dtype = pairs.person_px.dtype if pairs.person_px.dtype == torch.float64 else torch.float32
    member = torch.zeros(len(_PARTS), len(pairs.names), dtype=torch.bool, device=pairs.person_px.device)
    for k, part in enumerate(_PARTS):
        for name in PART_LANDMARKS[part]:
            member[k, pairs.names.index(name)] = True
    valid = pairs.valid[:, None, :] & member[None]  # (B, 3, N)
    counts = valid.sum(-1)
    check_point_spread(pairs.person_px[:, None, :, :2].detach().to(dtype), valid[:, :1], pairs.person_hw)
    usable = counts >= 3
    # a part without enough pairs solves on the torso's pairs (a harmless placeholder) and claims no pixels
    valid = torch.where(usable[..., None], valid, valid[:, :1].expand_as(valid))

    person = pairs.person_px.to(dtype)[:, None].expand(b, len(_PARTS), -1, -1).clone()
    garment = pairs.garment_px.to(dtype)[:, None].expand(b, len(_PARTS), -1, -1)
    h, w = pairs.person_hw
    device = pairs.person_px.device
    inside = _grown_mask(silhouette, "silhouette", b, (h, w), int(round(SLEEVE_OUT * max(h, w))), device)
    seam_in = SLEEVE_SEAM_IN if silhouette is None else 0.0
    garment = garment.clone()
    for k, side in ((1, "right"), (2, "left")):
        person[:, k] = _sleeve_root_targets(pairs, side, person[:, k], seam_in)
        _hang_from_sleeve_top(pairs, side, person[:, k], garment[:, k], person[:, 0], parts[:, k])
    # elbow points for sleeves that reach past the elbow, so long sleeves bend with the arm
    m = 0 if torso_extra is None else torso_extra.person_px.shape[1]
    n_sleeve = 2 + len(SLEEVE_OUTER_AT)  # a sleeve's: elbow outer, inner; its outer edge (short; long: after it)
    n_extra = max(n_sleeve + len(UPPER_ARM_OUTER_AT), m)
    extra_p = person.new_zeros(b, len(_PARTS), n_extra, 3)
    extra_g = garment.new_zeros(b, len(_PARTS), n_extra, 3)
    if torso_extra is not None:
        check_shape(torso_extra.person_px, "torso_extra.person_px", (b, m, 3))
        check_shape(torso_extra.garment_px, "torso_extra.garment_px", (b, m, 3))
        extra_p[:, 0, :m] = torso_extra.person_px.to(person)
        extra_g[:, 0, :m] = torso_extra.garment_px.to(garment)
    for k, side in ((1, "right"), (2, "left")):
        extra_g[:, k, :2], extra_p[:, k, :2] = _sleeve_elbow_pairs(
            pairs, side, person[:, k], garment[:, k], parts[:, k]
        )
        i_a = pairs.names.index(f"armpit_{side}")
        short = (extra_p[:, k, 0, 2] <= 0) & (person[:, 0, i_a, 2] > 0)
        met = torch.lerp(person[:, k, i_a, :2], person[:, 0, i_a, :2], ARMPIT_TO_TORSO)
        person[:, k, i_a, :2] = torch.where(short[:, None], met, person[:, k, i_a, :2])
        if silhouette is not None:  # a short sleeve's outer edge out over the round of the shoulder
            extra_g[:, k, 2:n_sleeve], extra_p[:, k, 2:n_sleeve] = _sleeve_outer_pairs(
                pairs, side, person[:, k], garment[:, k], parts[:, k], silhouette.to(torch.float32)
            )
            extra_p[:, k, 2:n_sleeve, 2] *= short.to(extra_p.dtype)[:, None]
            # a long one's (with elbow pairs) over the upper arm
            long_g, long_p = _upper_arm_outer_pairs(
                pairs, side, person[:, k], garment[:, k], extra_p[:, k, :2], extra_g[:, k, :2], parts[:, k],
                silhouette.to(torch.float32),
            )  # fmt: skip
            at = slice(n_sleeve, n_sleeve + len(UPPER_ARM_OUTER_AT))
            extra_g[:, k, at], extra_p[:, k, at] = long_g, long_p
    extra_valid = (extra_p[..., 2] > 0) & usable[..., None]
    # a sleeve bent at the elbow: its upper arm's spline (armhole and elbow pairs) and its forearm's (elbow and cuff)
    bent = torch.stack([_bent_at_elbow(pairs, s, person[:, k], extra_p[:, k, :2]) for k, s in _SIDES], 1)
    bent &= usable[:, 1:]
    n_land = person.shape[2]
    person = torch.cat((person, extra_p), dim=2)
    garment = torch.cat((garment, extra_g), dim=2)
    valid = torch.cat((valid, extra_valid), dim=2)
    solve_valid = valid.clone()  # (`valid` keeps the cuff pairs: they bound where the sleeve may land)
    fore_params, pieces = None, None
    if bool(bent.any()):
        cuffs = [[pairs.names.index(f"sleeve_{s}_{e}") for e in ("outer", "inner")] for _, s in _SIDES]
        for k, idx in ((1, cuffs[0]), (2, cuffs[1])):
            solve_valid[:, k, idx] &= ~bent[:, k - 1, None]
        fore_idx = torch.tensor([[n_land, n_land + 1, *c] for c in cuffs], device=person.device)  # (2, 4)
        sides = torch.arange(2, device=person.device)[:, None]
        fore_p, fore_g = person[:, 1:][:, sides, fore_idx, :2], garment[:, 1:][:, sides, fore_idx, :2]  # (B, 2, 4, 2)
        square = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=dtype, device=person.device)
        # (a sleeve not bent solves on a placeholder square and lands nothing)
        fore_p = torch.where(bent[..., None, None], fore_p, 100 * square)
        fore_g = torch.where(bent[..., None, None], fore_g, 100 * square)
        fore_params = solve_valid_pairs(
            fore_p, fore_g, torch.ones(fore_p.shape[:-1], dtype=torch.bool, device=person.device),
            pairs.person_hw, pairs.garment_hw, reg=reg, align_corners=align_corners,
        )  # fmt: skip
        cuff_g = torch.stack([garment[:, k, c, :2].mean(1) for k, c in ((1, cuffs[0]), (2, cuffs[1]))], 1)
        pieces = torch.stack(
            [_split_at_elbow(parts[:, k], extra_g[:, k, :2, :2].to(parts.device), cuff_g[:, k - 1].to(parts.device))
             for k in (1, 2)], 1,
        )  # fmt: skip  # (B, 2, 2, H_g, W_g)
        if garment_photo is not None:  # (not the backdrop a filled mask holds beside a sleeve: pale in the crook)
            cloth = garment_mask.detach().cpu() > 0.5
            backdrop = _backdrop_inside(garment_photo.detach().cpu(), cloth)[:, :, None].to(pieces.device)
            pieces = pieces * ~backdrop

    params = solve_valid_pairs(
        person[..., :2],
        garment[..., :2],
        solve_valid,
        pairs.person_hw,
        pairs.garment_hw,
        reg=reg,
        align_corners=align_corners,
    )
    work = torch.float32 if dtype != torch.float64 else dtype
    arm = _grown_mask(arms, "arms", b, (h, w), 0, device)
    grid = torch.full((b, h, w, 2), _OUTSIDE, device=device, dtype=work)
    sleeves = torch.zeros((b, 2, h, w), device=device, dtype=torch.bool)
    part_masks = parts.to(device=device, dtype=work)
    near_sleeves = None  # (only for a long sleeve over the arms)
    if arm is not None and bool((extra_valid[:, 1:, 0] & usable[:, 1:]).any()):
        near_sleeves = _near_sleeves(parts, garment_mask, pairs, garment_photo).to(device=device, dtype=work)
    targets = person[..., :2].detach()
    behind = _sleeves_behind(pairs, arm)
    torso = torch.zeros((b, h, w), device=device, dtype=torch.bool)
    torso_box = None  # (the torso's grid over its box, and the box)
    for k in (0, 2, 1):  # torso first, sleeves over it
        if not bool(usable[:, k].any()):
            continue
        # a part lands near its own targets: evaluate its spline only in their box, grown by half its size
        pts = targets[:, k][valid[:, k] & usable[:, k, None]]
        lo, hi = pts.min(0).values, pts.max(0).values
        grow = 0.5 * (hi - lo) + 0.05 * max(h, w)
        x0, y0 = (int(v) for v in (lo - grow).floor().clamp_min(0).tolist())
        x1 = int(min(float((hi[0] + grow[0]).ceil()), w - 1))
        y1 = int(min(float((hi[1] + grow[1]).ceil()), h - 1))
        if x1 <= x0 or y1 <= y0:
            continue
        part_params = TpsParams(params.control[:, k], params.kernel[:, k], params.affine[:, k])
        box = tps_grid(part_params, (h, w), align_corners=align_corners, step=grid_step, box=(y0, y1, x0, x1))
        box = box.to(work)
        landed = sample_grid(part_masks[:, k : k + 1], box, align_corners=align_corners, name="garment_mask")[:, 0]
        landed = landed > 0.5
        if k > 0 and pieces is not None and bool(bent[:, k - 1].any()):
            landed, box = _land_bent_sleeve(
                landed, box, bent[:, k - 1], pieces[:, k - 1].to(device=device, dtype=work), fore_params, k - 1,
                extra_p[:, k, :2, :2], person[:, k, cuffs[k - 1], :2], (h, w), (y0, y1, x0, x1),
                align_corners=align_corners, step=grid_step,
            )  # fmt: skip
        landed = (
            landed
            & usable[:, k, None, None]
            & _own_box(targets[:, k], valid[:, k] & usable[:, k, None], (y0, x0), box, 0.05 * max(h, w))
        )
        if k > 0 and inside is not None:
            on_body = inside[:, y0 : y1 + 1, x0 : x1 + 1]
            side = _PARTS[k].removeprefix("sleeve_")
            names = (f"shoulder_{side}", f"armpit_{side}", f"sleeve_{side}_outer", f"sleeve_{side}_inner")
            ends = person[:, k, [pairs.names.index(n) for n in names], :2]
            short_sleeve = ~extra_valid[:, k, 0]  # no elbow pairs (a long sleeve bends at the elbow, off that line)
            landed &= on_body & ~_cut_down_sleeve(landed & ~on_body & short_sleeve[:, None, None], ends, (y0, x0))
        if k > 0:  # (a short sleeve's hem a clean edge: `_clean_sleeve_edge`)
            allowed = None if inside is None else inside[:, y0 : y1 + 1, x0 : x1 + 1]
            landed, box = _clean_sleeve_edge(landed, box, ~extra_valid[:, k, 0] & usable[:, k], allowed, h / 1024.0)
        if k == 0:  # no square shoulder corner past the body's armholes
            margin = SLEEVE_OUT * max(h, w)
            placed = pairs.person_px[..., 2] > 0
            landed &= ~_past_shoulders(targets[:, 0], placed, pairs.names, (y0, x0), landed.shape[1:], margin)
            if inside is not None and torso_off_body:  # nor over the wall beside the body (arm-waist gap), past it
                depth = int(round(TORSO_OFF_DEPTH * max(h, w)))
                centre = targets[:, 0, [pairs.names.index(n) for n in ("shoulder_right", "shoulder_left")], 0]
                centre = centre.mean(-1) - x0
                landed &= ~_torso_off_body(landed, inside[:, y0 : y1 + 1, x0 : x1 + 1], depth, centre)
        if k > 0 and near_sleeves is not None:  # a long sleeve (one with elbow pairs) over the arm
            free = arm[:, y0 : y1 + 1, x0 : x1 + 1] & ~sleeves[:, :, y0 : y1 + 1, x0 : x1 + 1].any(1)
            free &= (extra_valid[:, k, 0] & usable[:, k])[:, None, None]
            side = _PARTS[k].removeprefix("sleeve_")
            cuff_px = person[:, k, [pairs.names.index(f"sleeve_{side}_{e}") for e in ("outer", "inner")], :2]
            # (where the sleeve's own spline takes the garment there: the flat photo's sleeve lying over the torso)
            own = sample_grid(near_sleeves[:, k - 1 : k], box, align_corners=align_corners, name="garment_mask")[:, 0]
            landed, box = _cover_arm(
                landed, box, free, own > 0.5, cuff_px, extra_p[:, k, :2, :2],
                person[:, 0, pairs.names.index(f"armpit_{side}")], torso[:, y0 : y1 + 1, x0 : x1 + 1], (y0, x0),
            )  # fmt: skip
        if k > 0 and bool(behind[:, k - 1].any()):  # an arm turned behind the body: the torso's side cuts its cuff
            landed &= ~(_torso_over(torso[:, y0 : y1 + 1, x0 : x1 + 1], max(h, w)) & behind[:, k - 1, None, None])
        elif k == 0:
            torso[:, y0 : y1 + 1, x0 : x1 + 1] = landed
            torso_box = (box, (y0, y1, x0, x1))
        region = grid[:, y0 : y1 + 1, x0 : x1 + 1]
        grid[:, y0 : y1 + 1, x0 : x1 + 1] = torch.where(landed[..., None], box, region)
        if k > 0:  # a sleeve over the torso and the sleeve drawn before it
            sleeves[:, :, y0 : y1 + 1, x0 : x1 + 1] &= ~landed[:, None]
            sleeves[:, k - 1, y0 : y1 + 1, x0 : x1 + 1] = landed
    deep = torch.stack([_deep_armhole(pairs.names, s, person[:, 0]) for _, s in _SIDES], 1) & usable[:, 1:]
    # a short sleeve (no elbow pairs) too, within the silhouette itself: its spline's armhole turns with the sleeve
    # and bows off the torso's
    short = ~extra_valid[:, 1:, 0] & usable[:, 1:] & ~deep
    if torso_box is not None and bool((deep | short).any()):
        body = _grown_mask(silhouette, "silhouette", b, (h, w), 0, device)
        grid = _fill_armhole_gaps(
            grid, torso_box, garment_mask, torso, sleeves, deep, short, inside, body, align_corners
        )
    return PartWarp(grid=grid, align_corners=align_corners, kind="tps", tps=params, sleeves=sleeves)


#: The inside of the garment's back, seen through the neck opening of a flat photo: pixels darker than this
#: fraction of the front's luminance (just under the collar), in runs starting within `INSIDE_BACK_START` collar
#: widths under the garment's top (after the back collar's band) and ending above `INSIDE_BACK_MAX` collar widths.
INSIDE_BACK_DARK = 0.8
INSIDE_BACK_START = 0.6
INSIDE_BACK_MAX = 1.0
#: ... spanning at least this fraction of the columns between the collar sides, and dark over this fraction of
#: what is cut under the garment's top (a print's dark patches are not an inside).
INSIDE_BACK_SPAN = 0.5
INSIDE_BACK_GAP = 0.12
INSIDE_BACK_FILL = 0.35
#: A column's run ends where its shade first steps above this share of the way from the inside's median shade to
#: the front's (its first such stretch; labels the inside encloses count as inside): a velvet mock neck's band,
#: VITON-HD 11028, is 0.3 of its front and the chest under it shaded to 0.7-0.8, so at `INSIDE_BACK_DARK` alone the
#: cut ran 0.18 collar widths on into the chest (0.74 -> 0.56 deep), a stepped notch under the neck on the person.
INSIDE_BACK_STEP = 0.5
#: ... where the inside is at least this much (luminance, [0, 1]) darker than the front: a navy front over a black
#: inside (VITON-HD 06802, 0.06) is within the photo's noise of such a midpoint.
INSIDE_BACK_STEP_MIN = 0.15
#: At most this many labels (light holes in the dark inside) are taken as part of the inside.
INSIDE_BACK_LABELS = 2
#: The inside is followed up to this many collar widths beyond the collar sides, where it runs on from between them
#: (a collar side detected inside the opening's end left a dark corner of the inside beside the neck).
INSIDE_BACK_WIDER = 0.3
#: ... where the mask's top lies at most this many collar widths under its top at the collar side.
INSIDE_BACK_LEVEL = 0.1
#: A column's run ends over the front's rib where the run's last stretch is of another colour than the front's fabric
#: (`_contrasting`, `SHADE_HUE`) at most this many collar widths tall (unseen ringer tee: a blue rib 0.05 collar
#: widths tall under its inside, closed into the run over the light inside between the ribs, was cut away: a white
#: collar on the person) ...
RIB_MAX = 0.15
#: ... of pixels whose luminance is over this (a black inside's chromaticity is noise: VITON-HD 06802's navy front).
RIB_LUMA = 0.15
#: ... ending within this many px of the run's end (the 1.5 px blurred edge between the rib and the front).
RIB_EDGE = 3


#: `cut_inside_back`'s `by_colour` (dresses): a neck opening that the garment mask fills (no hole under the collar's
#: centre) shows the inside of the back when, down the centre (a band `INSIDE_COLOUR_BAND` collar widths wide),
#: rows from the garment's top differ from a plain front (median CIELAB distance over `INSIDE_COLOUR_DIFF`) on
#: at least `INSIDE_COLOUR_SHARE` of them, then stop, and the next `INSIDE_COLOUR_CLEAR` collar widths match the
#: front. Plain: the front band's 90th percentile distance to its median under `INSIDE_COLOUR_PLAIN` (a print's front
#: differs from itself everywhere). Dress Code 020717 (a pale dress, its inside lit lighter, a label and an open back)
#: differs by 2 .. 8 down to 0.19 collar widths, then under 1.6; its front's 90th percentile 2.7 (prints: 20 .. 70 on
#: the Dress Code and OOTDiffusion dress photos; the plain ones 1.0 .. 2.7, black 020715 6.9 with its folds).
INSIDE_COLOUR_BAND = 0.25
INSIDE_COLOUR_DIFF = 2.5
INSIDE_COLOUR_SHARE = 0.5
INSIDE_COLOUR_CLEAR = 0.5
INSIDE_COLOUR_PLAIN = 4.0
#: `cut_inside_back`'s `top` rule where no other finds an inside: a label sewn on an inside of the front's colour
#: (`_inside_by_colour`'s `label`). The front under the collar need not be plain (unseen Gucci tee: its logo a collar
#: width under the collar, 90th percentile 15.8), but down bands `INSIDE_COLOUR_BAND` wide `LABEL_SIDE` collar widths
#: either side of the centre the rows that differ at the centre differ by at most `INSIDE_COLOUR_DIFF` (median): the
#: label is narrower than the opening (Gucci: 0.45 collar widths; its sides 0.9 off, the label 11-55), a ringer's
#: rib or a lining runs across it. Worn, the label sits inside the back: left in, the composite's closed neck
#: (`composite.CLOSED_NECK_DEPTH`) cut the label in half, a dark box at the front of the neck.
LABEL_SIDE = 0.3
#: `cut_inside_back`'s `top` rule where no other finds an inside, not even a label: an inside of another colour than
#: the front (`_inside_by_colour`'s `near_front`), the front read on `INSIDE_NEAR_FRONT` collar widths of rows under
#: `ROUND_NECK_MAX`, plain: its 90th percentile distance to its median under `INSIDE_NEAR_PLAIN` (CIELAB). Unseen
#: black tee ootd_03032_00: a print a collar width under the collar (L 55 against the front's 6.7) hid the front from
#: the other rules; its inside, L ~2 (5 off the front at the centre and beside the label alike), 0.34 collar widths
#: deep. Left in, the worn tee's neck was the estimated neck's ragged edge over that inside, the label's pale specks
#: across it (idm_sam11).
INSIDE_NEAR_FRONT = 0.3
#: ... (ootd_03032_00 0.67; a navy tee's knit, ootd_050181_1, 2.5 with its inside only 3 .. 3.5 off, and a polo's
#: collar over a blue front, idm_09163_00, 3.0: cut, both lost ragged pieces of their collars).
INSIDE_NEAR_PLAIN = 1.5
#: ... and the inside in shadow: its CIELAB lightness (the median of the centre band's differing rows) at most this
#: share of the front's (ootd_03032_00: 1.8 against 6.7, 0.27; a sheer blouse's stand collar, its gathers a shade
#: 0.85 of its front's, is the front's own: `test_fit_look`).
INSIDE_NEAR_DARK = 0.5
#: The round neckline cut spans this share of the collar width (its sides' height at its ends): cut out to the
#: collar sides, 020717's T-shirt dress bared the shoulder beside the neck (on 020716, bare share of the shoulder
#: zones 0.059 -> 0.118, test_shoulder_cover).
INSIDE_COLOUR_WIDTH = 0.7
#: `cut_inside_back`'s `by_colour` (dresses) where `_inside_by_colour` found nothing: a collar over a button placket
#: of another colour than the front (`_inside_over_placket`). The centre band one to two collar widths under the
#: collar (the placket) differs from the plain front read beside it (`_plain_front`'s `lighter`) by at least
#: `PLACKET_CONTRAST` (CIELAB); the placket starts at the first row within `PLACKET_MATCH` of its colour, and above
#: it at least `PLACKET_INSIDE` collar widths of rows differ from both (the inside, a label). Unseen CatVTON
#: 23962182 (a cream knit dress, black placket, shirt collar): front (90.7, 0.3, 12.8), placket (5.3, 1.0, -1.3),
#: 85 apart; down its centre the back collar's band 3-4 from the front, its tan inside and white label 10-43 from
#: the front and 58-87 from the placket (0.18 collar widths of rows), the placket from row 104 (6.3); the centre
#: band's median under a gold button 21-56 from the placket (below the first placket row). Not cut, the label and
#: the inside were worn at the front of the neck under the collar.
PLACKET_CONTRAST = 30.0
PLACKET_MATCH = 10.0
PLACKET_INSIDE = 0.08


#: `cut_inside_back`'s `by_shade` (tops): a round neck's opening that the mask fills shows the inside of the back in
#: shade. Down the collar's centre (a band `INSIDE_COLOUR_BAND` collar widths wide, its median luminance per row),
#: the front is the plain stretch `ROUND_NECK_MAX` to `ROUND_NECK_MAX` + `SHADE_FRONT` collar widths under the mask's
#: first row there (its 10th to 90th percentile within `SHADE_PLAIN`); the inside runs from within `SHADE_START`
#: collar widths of that first row to the last row darker than the front's median less `SHADE_CLEAR` above
#: `ROUND_NECK_MAX`, at least `SHADE_DEPTH` collar widths, dark on `SHADE_SHARE` of its rows and its median under
#: `INSIDE_BACK_DARK` of the front's (a ringer's thin contrasting rib is no inside). Flat photos (the sheets' unseen
#: garments): a white tee's grey inside 0.6-0.83 over a 0.97 front, 0.55 collar widths deep, its print a collar width
#: under the collar (where `_inside_back` reads the front's level: it found no inside); a black tee's inside is as
#: black as its front and stays; a ringer's two ribs over each other are thinner than `SHADE_DEPTH`.
SHADE_FRONT = 0.3
SHADE_PLAIN = 0.12
SHADE_CLEAR = 0.08
SHADE_START = 0.15
SHADE_DEPTH = 0.2
SHADE_SHARE = 0.7
#: ... and of the front's fabric in shade: its chromaticity at most `SHADE_HUE` off the segment from the front's to
#: grey's (`_off_shade`). A white tee's grey inside is 0.02 off, a light blue rib (0.35, 0.55, 0.9) on a white front
#: 0.17, a navy one 0.33, a red print under a white band 0.5; a red tee's dark inside, 0.14 off, is left.
SHADE_HUE = 0.1
#: `_off_segment`'s `beyond`: a shade's chromaticity offset from grey's is at most this many times the front's.
SHADE_SATURATION = 2.0


def cut_inside_back(
    garment: Tensor,
    mask: Tensor,
    landmarks: GarmentLandmarks,
    *,
    by_colour: bool = False,
    by_shade: bool = False,
    scoop: bool = False,
    top: bool = False,
) -> Tensor:
    """The garment mask without what a worn garment hides: its back neckline and the inside of its back, seen
    through the neck opening of a flat photo, above the front neckline.

    Per column between the collar sides: from the mask's top, down through the back collar's band (at most
    `INSIDE_BACK_START` collar widths), the run of pixels darker than `INSIDE_BACK_DARK` of the front's median
    luminance (one to two collar widths under the collar) is the inside, ending where its shade steps up towards the
    front's (`INSIDE_BACK_STEP`); it and everything above it go, a V no deeper than the lines its sides follow near
    the middle (`_v_sides`: a shirt's shaded collar points) and down to its tip (`_v_tip`); up to
    `INSIDE_BACK_WIDER` collar widths beyond the collar sides too, where the inside runs on from between them under
    a back collar as high (`INSIDE_BACK_LEVEL`): a collar side found inside the opening's end. Nothing is
    cut where the inside is not darker than the front (black garments: the composite then keeps the neck in front of
    the back neckline, `_neck_zone`), or where the dark run neither covers the collar's centre column nor brackets
    it (a light label at the centre).

    Args:
        garment: (B, 3, H, W) float [0, 1], the garment photos.
        mask: (B or 1, 1, H, W) float [0, 1], their masks.
        landmarks: their landmarks (collar_left, collar_right, collar_center).
        by_colour: where neither finds an inside, also an inside of any colour in a neck opening the mask fills
            (`_inside_by_colour`; dresses: a pale dress's lighter inside was pasted at the neck), then an inside over
            a dark button placket, the front read beside it (`_inside_over_placket`: a collared dress's label was
            worn at the front of the neck); and the dark run ends at a binding (`_inside_back`'s `binding`).
        by_shade: where neither finds an inside, also an inside in shade over a plain front in a round neck opening
            the mask fills (`_inside_by_shade`; tops: a white tee's grey inside, read as its front, sat the new
            collar at the neck joint with the inside over the neck).
        scoop: sleeveless garments, whose "collar sides" are their neckline's corners: only an inside of the front's
            fabric that the garment's edges close all around (`_inside_between_wings`'s `scoop`); the dark-run
            check read a one-shoulder dress's top band (Dress Code 020714) as an inside.
        top: a top's rules (`upper_garment_landmarks`): where no inside is found, the front read beside a
            lighter print under the collar (`_inside_back`'s `beside_print`); the front's contrasting rib under the
            inside stays (`_inside_back`'s `keep_rib`: a ringer tee's), and an inside the collar's wings enclose covers
            `WINGS_AREA` with its own pixels (`_inside_between_wings`'s `own_area`: a stand collar's gathers close
            slivers). A dress's print reads as both (Dress Code 020719's flags: its whole dress moved). Where no rule
            finds an inside, a plain V's inside split by a back's keyhole (`_inside_between_wings`'s `keyhole`), then
            a label on an inside of the front's colour (`_inside_by_colour`'s `label`).

    Returns:
        (B, 1, H, W) mask, dtype and device of `mask`, 0 where the inside is cut.
    """
    b = max(garment.shape[0], mask.shape[0])
    out = mask.expand(b, -1, -1, -1).clone()
    names = GARMENT_LANDMARKS
    il, ir, ic = names.index("collar_left"), names.index("collar_right"), names.index("collar_center")
    pts_all = landmarks.points.detach().cpu().double().numpy()
    for i in range(b):
        pts = pts_all[i if pts_all.shape[0] > 1 else 0]
        if pts[il, 2] <= 0 or pts[ir, 2] <= 0:
            continue
        img = garment[i if garment.shape[0] > 1 else 0].detach().float().permute(1, 2, 0).cpu().numpy()
        mk = out[i, 0].detach().float().cpu().numpy() > 0.5
        cc = pts[ic, :2] if pts[ic, 2] > 0 else None
        if scoop:
            cut = _inside_between_wings(img, mk, pts[ir, :2], pts[il, :2], cc, scoop=True)
            if cut is not None:
                out[i, 0][torch.from_numpy(cut).to(out.device)] = 0
            continue
        cut = _inside_back(img, mk, pts[ir, :2], pts[il, :2], cc, keep_rib=top, binding=by_colour)
        if cut is None and top:  # the front read beside a lighter print under the collar
            cut = _inside_back(img, mk, pts[ir, :2], pts[il, :2], cc, keep_rib=True, beside_print=True)
        if cut is None:  # an inside no darker than the front: the region the collar's wings enclose
            cut = _inside_between_wings(img, mk, pts[ir, :2], pts[il, :2], cc, own_area=top)
        if cut is None and by_colour:
            cut = _inside_by_colour(img, mk, pts[ir, :2], pts[il, :2], cc)
        if cut is None and by_colour:  # the front read beside a dark placket under the collar's centre
            cut = _inside_over_placket(img, mk, pts[ir, :2], pts[il, :2], cc)
        if cut is None and by_shade:
            cut = _inside_by_shade(img, mk, pts[ir, :2], pts[il, :2])
        if cut is None and top:  # a plain V's inside split by a back's keyhole
            cut = _inside_between_wings(img, mk, pts[ir, :2], pts[il, :2], cc, own_area=True, keyhole=True)
        if cut is None and top:  # a label on an inside of the front's colour
            cut = _inside_by_colour(img, mk, pts[ir, :2], pts[il, :2], cc, label=True)
        if cut is None:  # the inside already gone from the mask (`drop_inner_back`): the band over its opening
            cut = _band_over_opening(mk, pts[ir, :2], pts[il, :2], cc)
        if cut is None and top:  # an inside of another colour than the plain front right under the neckline
            cut = _inside_by_colour(img, mk, pts[ir, :2], pts[il, :2], cc, near_front=True)
        if cut is not None:
            out[i, 0][torch.from_numpy(cut).to(out.device)] = 0
    return out


def _inside_by_colour(
    img: np.ndarray,
    mask: np.ndarray,
    right: np.ndarray,
    left: np.ndarray,
    centre: np.ndarray | None,
    *,
    label: bool = False,
    near_front: bool = False,
) -> np.ndarray | None:
    """(H, W) bool region to cut of one garment (`cut_inside_back`'s `by_colour`), or None: when the centre band
    under the collar shows an inside of another colour than a plain front (`INSIDE_COLOUR_*`), the mask above the
    round neckline from the row where it ends at the centre up to the collar sides' height `INSIDE_COLOUR_WIDTH` of
    the collar width across (a parabola), and on, rising, out to the collar sides. With `label` (`cut_inside_back`'s
    `top`): a label narrower than the opening (`LABEL_SIDE`) over a front that need not be plain. With `near_front`
    (`cut_inside_back`'s `top`, last): the front read on the stretch right under the deepest round neck
    (`INSIDE_NEAR_FRONT`), not one to two collar widths under the collar, where a top's print lies."""
    h, w = mask.shape
    band = _centre_band(mask.shape, right, left, centre)
    if band is None:
        return None
    cw, top, xm, half = band
    y_top, y_end = int(top), min(h, int(top + 2 * cw))
    if not 0 <= xm < w or y_top < 0 or y_end - y_top < 8:
        return None
    opening = front_neckline_row(torch.from_numpy(mask), torch.tensor(left), torch.tensor(right))
    if opening is not None and (not (label or near_front) or opening[2] - opening[1] >= BACK_DIP_MAX * cw):
        return None  # a hole under the collar: the opening is already the mask's (a label's: not the back's dip)
    cols = slice(max(0, xm - half), min(w, xm + half + 1))
    lab = to_lab(cv2.GaussianBlur(img[y_top:y_end, cols], (0, 0), 1.5))
    inside = mask[y_top:y_end, cols]
    # the front: one to two collar widths under the collar, or right under the deepest round neck
    start, stop = (
        (int(ROUND_NECK_MAX * cw), int((ROUND_NECK_MAX + INSIDE_NEAR_FRONT) * cw)) if near_front else (int(cw), None)
    )
    band = lab[start:stop][inside[start:stop]]
    if band.size < 60:
        return None
    front = np.median(band, axis=0)
    plain = INSIDE_NEAR_PLAIN if near_front else INSIDE_COLOUR_PLAIN
    if not label and np.percentile(np.linalg.norm(band - front, axis=1), 90) > plain:
        return None
    rows = _row_distances(lab, inside, front, half)
    reach = min(len(rows), int(ROUND_NECK_MAX * cw))
    differ = np.nonzero(rows[:reach] > INSIDE_COLOUR_DIFF)[0]
    if differ.size == 0:
        return None
    end = int(differ[-1])
    clear = rows[end + 1 : end + 1 + int(INSIDE_COLOUR_CLEAR * cw)]
    if end < 4 or differ.size < INSIDE_COLOUR_SHARE * (end + 1) or np.isnan(clear).any():
        return None
    if len(clear) < int(INSIDE_COLOUR_CLEAR * cw) or (clear > INSIDE_COLOUR_DIFF).any():
        return None
    if near_front and float(np.median(lab[differ][inside[differ]][:, 0])) > INSIDE_NEAR_DARK * float(front[0]):
        return None  # a shade of the front under the collar is the front's own (a stand collar's gathers)
    if label:  # beside the label the inside is of the front's colour (not a rib or a lining across the opening)
        for x in (xm - int(LABEL_SIDE * cw), xm + int(LABEL_SIDE * cw)):
            side = slice(max(0, x - half), min(w, x + half + 1))
            beside = _row_distances(
                to_lab(cv2.GaussianBlur(img[y_top:y_end, side], (0, 0), 1.5)), mask[y_top:y_end, side], front, half
            )[differ]
            if not np.isfinite(beside).all() or float(np.median(beside)) > INSIDE_COLOUR_DIFF:
                return None
        return _round_neckline_cut(mask, right, left, _under_label(img, mask, right, left, front, y_top, end), 1.0)
    cut = _round_neckline_cut(mask, right, left, y_top + end + 1)  # (the front's first row at the centre)
    if near_front and cut is not None:
        cut = cut | _inside_of_colour(img, mask, right, left, front, y_top, (y_top, y_top + end + 1))
    return cut


def _inside_of_colour(
    img: np.ndarray,
    mask: np.ndarray,
    right: np.ndarray,
    left: np.ndarray,
    front: np.ndarray,
    y_top: int,
    centre_rows: tuple[int, int],
) -> np.ndarray:
    """(H, W) bool: per column between the collar sides (`right`, `left` (2,) x, y), the mask (H, W) bool down to
    the lowest pixel of the inside: the pixels of `img` (H, W, 3) float [0, 1] (blurred 1.5 px) in the mask over
    `INSIDE_COLOUR_DIFF` from the CIELAB `front` (3,), from row `y_top` down `ROUND_NECK_MAX` collar widths, in the
    components that meet the collar's centre column within `centre_rows` (start, stop); past the collar sides as far
    as the back collar runs on as high (`_under_back_collar`). The round neckline alone left the inside's sides
    between it and the front's rib, dark wedges beside the neck (idm_sam11 in ootd_03032_00); cut only between the
    collar sides, the inside ended square there, the back collar's band beside it a step above."""
    h, w = mask.shape
    cw = abs(float(left[0] - right[0]))
    x0, x1 = _under_back_collar(mask, right, left)
    y1 = min(h, y_top + int(ROUND_NECK_MAX * cw))
    out = np.zeros_like(mask)
    if x1 - x0 < 2 or y1 - y_top < 2:
        return out
    lab = to_lab(cv2.GaussianBlur(img[y_top:y1, x0:x1], (0, 0), 1.5))
    differs = (np.linalg.norm(lab - front, axis=-1) > INSIDE_COLOUR_DIFF) & mask[y_top:y1, x0:x1]
    _, labels = cv2.connectedComponents(differs.astype(np.uint8), connectivity=4)
    xm = int(round(float(right[0] + left[0]) / 2)) - x0
    ids = labels[centre_rows[0] - y_top : centre_rows[1] - y_top, xm]
    inside = np.isin(labels, ids[ids > 0])
    has = inside.any(axis=0)
    lowest = np.where(has, inside.shape[0] - 1 - np.argmax(inside[::-1], axis=0), -1)  # (per column; -1: none)
    out[y_top:y1, x0:x1] = (np.arange(y1 - y_top)[:, None] <= lowest[None, :]) & mask[y_top:y1, x0:x1]
    return out


def _under_back_collar(mask: np.ndarray, right: np.ndarray, left: np.ndarray) -> tuple[int, int]:
    """(x0, x1) columns of the mask (H, W) bool from the collar sides (`right`, `left` (2,) x, y) outwards, at most
    `INSIDE_BACK_WIDER` collar widths, while the mask's top lies within `INSIDE_BACK_LEVEL` collar widths of its top
    at that collar side: the back collar's band, under which the inside may run on past a collar side."""
    h, w = mask.shape
    cw = abs(float(left[0] - right[0]))
    has = mask.any(axis=0)
    top = np.where(has, np.argmax(mask, axis=0), h)
    ends = []
    for side, step in ((min(right[0], left[0]), -1), (max(right[0], left[0]), 1)):
        x = int(np.clip(round(float(side)), 0, w - 1))
        level, far = top[x], x + step * int(INSIDE_BACK_WIDER * cw)
        while 0 <= x + step < w and x != far and abs(int(top[x + step]) - int(level)) <= INSIDE_BACK_LEVEL * cw:
            x += step
        ends.append(x)
    return ends[0], ends[1] + 1


def _inside_over_placket(
    img: np.ndarray, mask: np.ndarray, right: np.ndarray, left: np.ndarray, centre: np.ndarray | None
) -> np.ndarray | None:
    """(H, W) bool region to cut of one garment (`cut_inside_back`'s `by_colour`), or None: a collared garment
    whose mask fills its neck opening and whose front under the collar's centre is a placket of another colour
    (`PLACKET_CONTRAST`), the plain front read beside it (`_plain_front`'s `lighter`). Down the centre band
    (`INSIDE_COLOUR_BAND` collar widths wide) from the collar's top: the back collar's band (the front's fabric),
    then the inside (rows that differ from the front by over `INSIDE_COLOUR_DIFF` and from the placket by over
    `PLACKET_MATCH`, at least `PLACKET_INSIDE` collar widths of them), then the placket (the first row within
    `ROUND_NECK_MAX` collar widths that matches it within `PLACKET_MATCH`): the mask above the round neckline
    (`_round_neckline_cut`) whose middle is the placket's first row."""
    h, w = mask.shape
    band = _centre_band(mask.shape, right, left, centre)
    if band is None:
        return None
    cw, top, xm, half = band
    y_top = int(top)
    if not 0 <= xm < w or y_top < 0 or y_top + 2 * cw > h:
        return None
    if front_neckline_row(torch.from_numpy(mask), torch.tensor(left), torch.tensor(right)) is not None:
        return None  # a hole under the collar: the opening is already the mask's
    rows = slice(min(h, int(top + cw)), min(h, int(top + 2 * cw)))  # as `_inside_back` reads the front
    wide = (rows, slice(max(0, xm - int(cw / 4)), xm + int(cw / 4) + 1))
    side = _plain_front(img, mask, wide, cw, _luma_at(img, mask, wide), lighter=True)
    if side is None:
        return None
    cols = slice(max(0, xm - half), min(w, xm + half + 1))
    front = np.median(to_lab(cv2.GaussianBlur(img[side], (0, 0), 1.5))[mask[side]], axis=0)
    lab = to_lab(cv2.GaussianBlur(img[y_top : rows.stop, cols], (0, 0), 1.5))
    inside = mask[y_top : rows.stop, cols]
    under = lab[rows.start - y_top :][inside[rows.start - y_top :]]
    if under.size < 60:
        return None
    placket = np.median(under, axis=0)
    if float(np.linalg.norm(placket - front)) < PLACKET_CONTRAST:
        return None
    reach = min(len(lab), int(ROUND_NECK_MAX * cw))
    to_front = _row_distances(lab[:reach], inside[:reach], front, half)
    to_placket = _row_distances(lab[:reach], inside[:reach], placket, half)
    starts = np.nonzero(to_placket < PLACKET_MATCH)[0]
    if starts.size == 0:
        return None
    start = int(starts[0])
    other = (to_front[:start] > INSIDE_COLOUR_DIFF) & (to_placket[:start] > PLACKET_MATCH)
    if int(other.sum()) < PLACKET_INSIDE * cw:
        return None
    return _round_neckline_cut(mask, right, left, y_top + start)


def _under_label(
    img: np.ndarray, mask: np.ndarray, right: np.ndarray, left: np.ndarray, front: np.ndarray, y_top: int, end: int
) -> float:
    """The row of the middle of a round neckline across the whole collar width (`_round_neckline_cut`'s `width`
    1) that passes under a label: at least row `y_top` + `end` + 1 (where the centre band's rows stop differing),
    deep enough that the parabola leaves none of the label's pixels (of `img` (H, W, 3) in the mask (H, W) bool,
    over `INSIDE_COLOUR_DIFF` from the CIELAB `front` (3,), joined to the centre column over those rows) above it:
    the flat cut left the corners of a label wider than its middle (unseen Gucci tee)."""
    cw = abs(float(left[0] - right[0]))
    (xr, yr), (xl, yl) = sorted(((float(right[0]), float(right[1])), (float(left[0]), float(left[1]))))
    x0, x1 = int(np.ceil(xr)), int(np.floor(xl)) + 1
    rows = slice(y_top, y_top + end + 1)
    lab = to_lab(cv2.GaussianBlur(img[rows, x0:x1], (0, 0), 1.5))
    differs = ((np.linalg.norm(lab - front, axis=-1) > INSIDE_COLOUR_DIFF) & mask[rows, x0:x1]).astype(np.uint8)
    _, labels = cv2.connectedComponents(differs, connectivity=8)
    xm = int(round((xr + xl) / 2)) - x0
    ids = np.unique(labels[:, xm][labels[:, xm] > 0])
    bottom = float(y_top + end + 1)
    ys, xs = np.nonzero(np.isin(labels, ids))
    if ys.size:
        x = xs + x0
        t2 = ((x - (xr + xl) / 2) / (cw / 2)) ** 2
        side = np.interp(x, [xr, xl], [yr, yl])  # the neckline's height at the collar sides
        keep = t2 < 1.0
        need = (ys[keep] + y_top + 1 - side[keep] * t2[keep]) / (1.0 - t2[keep])
        bottom = max(bottom, float(need.max()) if need.size else bottom)
    return min(bottom, float(y_top) + ROUND_NECK_MAX * cw)


def _row_distances(lab: np.ndarray, inside: np.ndarray, front: np.ndarray, least: int) -> np.ndarray:
    """(n,) per row of a band `lab` (n, m, 3) CIELAB, the median distance of its pixels inside the mask (`inside`
    (n, m) bool) to the colour `front` (3,); NaN for a row with under `least` such pixels."""
    # (all rows at once: each row's distances sorted with the pixels outside the mask last, and its median read off
    # as `np.median` forms it, the middle value or the mean of the two middle ones; the same values as a median per
    # row, without a Python loop over ~2 collar widths of rows)
    dist = np.where(inside, np.linalg.norm(lab - front, axis=-1), np.inf)
    dist.sort(axis=1)
    count = inside.sum(axis=1)
    at = np.arange(len(lab))
    low, high = dist[at, np.maximum(count - 1, 0) // 2], dist[at, np.minimum(count // 2, dist.shape[1] - 1)]
    middle = np.where(count % 2 == 1, low, (low + high) / 2)
    return np.where((count >= least) & (count > 0), middle.astype(np.float64), np.nan)  # (an empty row: NaN too)


def _inside_by_shade(img: np.ndarray, mask: np.ndarray, right: np.ndarray, left: np.ndarray) -> np.ndarray | None:
    """(H, W) bool region to cut of one garment (`cut_inside_back`'s `by_shade`), or None: the mask above the round
    neckline (`_round_neckline_cut`) whose middle is the first front row under an inside in shade (`SHADE_*`) down
    the collar's centre, and above the rest of that shade between the collar sides (`_shade_beside`)."""
    h, w = mask.shape
    cw = abs(float(left[0] - right[0]))
    xm, half = int(round(float(right[0] + left[0]) / 2)), max(2, int(INSIDE_COLOUR_BAND * cw / 2))
    y_start = max(0, int(min(float(right[1]), float(left[1]))) - 2)
    if cw < 8 or not 0 <= xm < w or y_start >= h or not mask[y_start:, xm].any():
        return None
    top = y_start + int(np.argmax(mask[y_start:, xm]))  # the mask's first row at the centre (under a back's dip)
    reach, end_front = int(ROUND_NECK_MAX * cw), int((ROUND_NECK_MAX + SHADE_FRONT) * cw)
    if top + end_front > h:
        return None
    cols = slice(max(0, xm - half), min(w, xm + half + 1))
    rgb = cv2.GaussianBlur(img[top : top + end_front, cols], (0, 0), 1.5)
    luma = rgb @ np.array(LUMA_WEIGHTS, np.float32)
    inside = mask[top : top + end_front, cols]
    if (inside.sum(axis=1) < half).any():
        return None  # the centre band leaves the garment: no round front under the collar
    rows = np.array([np.median(luma[k][inside[k]]) for k in range(len(luma))])
    front = rows[reach:]
    level = float(np.median(front))
    if np.percentile(front, 90) - np.percentile(front, 10) > SHADE_PLAIN:
        return None  # a print or a seam under the neck: no plain front to tell an inside from
    dark = rows[:reach] < level - SHADE_CLEAR
    if not dark.any():
        return None
    first, end = int(np.argmax(dark)), int(np.nonzero(dark)[0][-1]) + 1
    if first > SHADE_START * cw or end < SHADE_DEPTH * cw or dark[first:end].mean() < SHADE_SHARE:
        return None
    if np.median(rows[first:end]) >= INSIDE_BACK_DARK * level:
        return None
    if _off_shade(rgb[first:end][inside[first:end]], rgb[reach:][inside[reach:]]) > SHADE_HUE:
        return None  # another colour than the front's in shade: a contrasting rib or trim, part of the collar
    cut = _round_neckline_cut(mask, right, left, top + end)
    shade = _shade_beside(img, mask, right, left, top + (first + end) // 2, top + end, level - SHADE_CLEAR)
    return shade if cut is None else cut | shade


def _shade_beside(
    img: np.ndarray, mask: np.ndarray, right: np.ndarray, left: np.ndarray, seed_y: int, end_y: int, below: float
) -> np.ndarray:
    """(H, W) bool: in the columns between the collar sides (`right`, `left` (2,) x, y) and `INSIDE_BACK_WIDER`
    collar widths beyond each, the `mask` (H, W) bool down to the lowest pixel, above row `end_y`, of the region
    darker than `below` (luminance of `img` (H, W, 3)) joined to the centre column's pixel at row `seed_y`: the
    corners of a U-shaped inside, which the round neckline's parabola leaves (grey corners either side of a white
    tee's raised front)."""
    h, w = mask.shape
    x0, x1 = sorted((int(round(float(right[0]))), int(round(float(left[0])))))
    wider = int(INSIDE_BACK_WIDER * (x1 - x0))  # (the collar sides may sit inside the opening's ends)
    x0, x1, y0 = max(0, x0 - wider), min(w, x1 + 1 + wider), max(0, int(min(float(right[1]), float(left[1]))) - 2)
    out = np.zeros((h, w), bool)
    if x1 - x0 < 3 or end_y - y0 < 3:
        return out
    luma = cv2.GaussianBlur(img[y0:end_y, x0:x1], (0, 0), 1.5) @ np.array(LUMA_WEIGHTS, np.float32)
    dark = ((luma < below) & mask[y0:end_y, x0:x1]).astype(np.uint8)
    _, comp = cv2.connectedComponents(dark, connectivity=4)
    label = comp[int(np.clip(seed_y - y0, 0, end_y - y0 - 1)), (x1 - x0) // 2]
    if label == 0:
        return out
    rows = np.arange(end_y - y0)[:, None]
    lowest = np.where(comp == label, rows, -1).max(axis=0)  # per column, the region's lowest row (-1: none)
    out[y0:end_y, x0:x1] = (rows <= lowest[None, :]) & mask[y0:end_y, x0:x1]
    return out


def _off_shade(inside: np.ndarray, front: np.ndarray) -> float:
    """How far (sum of |differences|) the median chromaticity (r, g over r + g + b) of the colours `inside` (N, 3)
    lies from the segment between grey's and that of the colours `front` (M, 3): the front's fabric in shade has
    its chromaticity or one nearer grey (a shadow's light is greyer), a contrasting rib another one."""
    return float(_off_segment(np.median(_chroma(inside), axis=0), np.median(_chroma(front), axis=0)))


def _chroma(px: np.ndarray) -> np.ndarray:
    """(..., 2) chromaticity (r, g over r + g + b) of the colours `px` (..., 3)."""
    return px[..., :2] / np.maximum(px.sum(axis=-1, keepdims=True), 1e-3)


def _off_segment(chroma: np.ndarray, front: np.ndarray, beyond: bool = False) -> np.ndarray:
    """(...) sum of |differences| from each chromaticity `chroma` (..., 2) to the segment between grey's and the
    front's `front` (2,) (`_off_shade`); with `beyond`, on past the front's to `SHADE_SATURATION` times its offset
    from grey's (a coloured fabric's deep shade is more saturated than its lit front: VITON-HD 00008's red inside,
    1.3 times; a near-white front's offset is too small to reach a blue rib)."""
    grey = np.full(2, 1.0 / 3.0)
    a, b = chroma - grey, front - grey
    t = np.clip(a @ b / max(float(b @ b), 1e-9), 0.0, SHADE_SATURATION if beyond else 1.0)
    return np.abs(a - t[..., None] * b).sum(axis=-1)


def _round_neckline_cut(
    mask: np.ndarray, right: np.ndarray, left: np.ndarray, bottom: float, width: float = INSIDE_COLOUR_WIDTH
) -> np.ndarray | None:
    """(H, W) bool: the `mask` (H, W) bool above a round neckline whose middle is row `bottom` and that rises to the
    collar sides' (`right`, `left` (2,) x, y) height `width` (0 .. 1) of the collar width across (a parabola),
    and on, rising, out to the collar sides; None when that cuts nothing."""
    h, w = mask.shape
    cw = abs(float(left[0] - right[0]))
    (xr, yr), (xl, yl) = sorted(((float(right[0]), float(right[1])), (float(left[0]), float(left[1]))))
    xs = np.arange(w, dtype=np.float64)
    t = (xs - (xr + xl) / 2) / (width * cw / 2)
    # past |t| = 1 the parabola rises on over the back collar's band and meets its top: the cut tapers off there
    # (ended square at |t| = 1, the band's corner above the collar sides' height stayed, a notch by the neck)
    neckline = bottom - (bottom - np.interp(xs, [xr, xl], [yr, yl])) * t**2
    cut = (np.arange(h)[:, None] < neckline[None, :]) & (np.abs(t) < 1.0 / width)[None, :] & mask
    return cut if cut.any() else None


def _centre_band(
    shape: tuple[int, int], right: np.ndarray, left: np.ndarray, centre: np.ndarray | None
) -> tuple[float, float, int, int] | None:
    """The collar's centre band, read down by the inside-of-the-back rules: (collar width, the collar window's top
    row, the centre column, the band's half width: `INSIDE_COLOUR_BAND` collar widths across), or None for a collar
    under 8 px wide. `shape` (H, W); `right`, `left`, `centre` the collar landmarks, (x, y) pixels."""
    cw = abs(float(left[0] - right[0]))
    if cw < 8:
        return None
    top, _, _, _, _ = _collar_window(shape, right, left, centre)
    return cw, top, int(round(float(right[0] + left[0]) / 2)), max(2, int(INSIDE_COLOUR_BAND * cw / 2))


def _collar_window(
    size_hw: tuple[int, int],
    right: np.ndarray,
    left: np.ndarray,
    centre: np.ndarray | None,
    wider: int = 0,
    depth: float = INSIDE_BACK_MAX,
) -> tuple[float, int, int, int, int]:
    """(top, y0, y1, x0, x1): the window the inside of a collar is looked for in, within an image of `size_hw`:
    from just above the collar's top (the highest of its `right`, `left` and `centre` (2,) points) down `depth`
    collar widths, across the collar sides and `wider` pixels beyond each."""
    h, w = size_hw
    cw = abs(float(left[0] - right[0]))
    x0 = max(0, int(round(min(left[0], right[0]))) - wider)
    x1 = min(w, int(round(max(left[0], right[0]))) + 1 + wider)
    top = min(float(left[1]), float(right[1]), float(centre[1]) if centre is not None else np.inf)
    return top, max(0, int(top) - 2), min(h, int(top + depth * cw) + 1), x0, x1


def _inside_back(
    img: np.ndarray,
    mask: np.ndarray,
    right: np.ndarray,
    left: np.ndarray,
    centre: np.ndarray | None,
    keep_rib: bool = False,
    binding: bool = False,
    beside_print: bool = False,
) -> np.ndarray | None:
    """(H, W) bool region to cut (`cut_inside_back`) of one garment, or None; with `keep_rib`, not the front's
    contrasting rib under the inside (`_rib_rows`); with `binding`, a bridged gap in a column's run is a label only
    where the run goes on below it in the inside's colour (`_before_binding`); with `beside_print`, the front is
    read beside a lighter print under the collar's centre (`_plain_front`), and None where there is none."""
    h, w = mask.shape
    cw = abs(float(left[0] - right[0]))
    if cw < 8:
        return None
    # the collar targets may sit inside the opening's ends: the inside is looked for INSIDE_BACK_WIDER beyond them
    wider = int(INSIDE_BACK_WIDER * cw)
    top, y0, y1, x0, x1 = _collar_window(mask.shape, right, left, centre, wider)
    core = slice(min(wider, x1 - x0), max(0, x1 - x0 - wider))  # the columns between the collar sides
    luma = np.zeros((h, w), np.float32)  # only the rows and columns read below
    yb = min(h, int(top + 2 * cw) + 4)
    luma[y0:yb, x0:x1] = cv2.GaussianBlur(img[y0:yb, x0:x1] @ np.array(LUMA_WEIGHTS, np.float32), (0, 0), 1.5)
    xm = (x0 + x1) // 2
    band = (
        slice(min(h, int(top + cw)), min(h, int(top + 2 * cw))),
        slice(max(0, xm - int(cw / 4)), xm + int(cw / 4) + 1),
    )
    front = luma[band][mask[band]]
    if beside_print:
        band = _plain_front(img, mask, band, cw, front)
        if band is None:
            return None
        front = _luma_at(img, mask, band)
    if front.size < 20:
        return None
    level = float(np.median(front))
    dark = (luma[y0:y1, x0:x1] < INSIDE_BACK_DARK * level) & mask[y0:y1, x0:x1]
    rib = _contrasting(img[y0:y1, x0:x1], luma[y0:y1, x0:x1], img[band][mask[band]]) if keep_rib else None
    # the inside ends where its shade steps up towards the front's, not where a shaded front darkens past 0.8
    inside = float(np.median(luma[y0:y1, x0:x1][dark])) if dark.any() else level
    deep = dark.copy()
    if level - inside > INSIDE_BACK_STEP_MIN:
        deep &= luma[y0:y1, x0:x1] < inside + INSIDE_BACK_STEP * (level - inside)
    # gaps in a column up to INSIDE_BACK_GAP collar widths (a label sewn on the inside) are bridged
    gap = max(5, int(INSIDE_BACK_GAP * cw)) | 1
    close = np.ones((gap, 1), np.uint8)
    raw = dark
    dark = cv2.morphologyEx(dark.astype(np.uint8), cv2.MORPH_CLOSE, close) > 0
    filled = _fill_enclosed(dark)  # a taller label, wholly inside the dark inside, is part of it
    deep = cv2.morphologyEx((deep | (filled & ~dark)).astype(np.uint8), cv2.MORPH_CLOSE, close) > 0
    raw = raw | (filled & ~dark)
    dark = filled
    lab = to_lab(cv2.GaussianBlur(img[y0:y1, x0:x1], (0, 0), 1.5)) if binding else None
    ends = np.full(x1 - x0, np.nan)  # per column, the row (window frame) where the inside ends
    tops = np.zeros(x1 - x0, int)
    start_limit = INSIDE_BACK_START * cw
    for k in range(x1 - x0):
        col_mask = mask[y0:y1, x0 + k]
        if not col_mask.any():
            continue
        first = int(np.argmax(col_mask))  # the mask's top in this column
        tops[k] = first
        rows = np.nonzero(dark[first:, k])[0]
        if rows.size == 0 or rows[0] > start_limit:
            continue
        run_start = first + int(rows[0])
        run = dark[run_start:, k]
        if run.all():
            continue  # dark to the window's end: a dark garment or a print, not an inside
        length = int(np.argmin(run))
        if lab is not None:
            length = _before_binding(raw[run_start : run_start + length, k], lab[run_start : run_start + length, k])
        steps = np.nonzero(deep[run_start : run_start + length, k])[0]  # its deep shade's first stretch
        if steps.size:
            after = np.nonzero(~deep[run_start + int(steps[0]) : run_start + length, k])[0]
            length = int(steps[0]) + int(after[0]) if after.size else length
        ends[k] = run_start + length - (0 if rib is None else _rib_rows(rib[run_start : run_start + length, k], cw))
    valid = ~np.isnan(ends)
    # an inside spans most of the opening between the collar sides (a print's dark spot or a placket does not) and
    # covers its centre, or brackets it within a quarter collar width on both sides (a light label sewn at the
    # centre, not enclosed)
    mid, q = (x1 - x0) // 2, max(3, int(cw / 4))
    on_centre = valid[max(0, mid - 2) : mid + 3].any() or (valid[max(0, mid - q) : mid].any() and valid[mid:][:q].any())
    if valid[core].mean() < INSIDE_BACK_SPAN or not on_centre:
        return None
    # beyond the collar sides only where it runs on without a break from between them, under a back collar as
    # high as at the collar side (not down a shoulder's slope)
    level = INSIDE_BACK_LEVEL * cw
    for k in range(core.start - 1, -1, -1):
        valid[k] &= valid[k + 1] and tops[k] <= tops[core.start] + level
    for k in range(core.stop, x1 - x0):
        valid[k] &= valid[k - 1] and tops[k] <= tops[core.stop - 1] + level
    cols = np.arange(x1 - x0)
    lo, hi = cols[valid][0], cols[valid][-1]
    ends = np.interp(cols, cols[valid], ends[valid])  # gaps (a label) take their neighbours' depth
    found = ends.copy()
    k = max(3, int(cw / 6)) | 1
    ends = np.median(np.lib.stride_tricks.sliding_window_view(np.pad(ends, k // 2, mode="edge"), k), axis=1)
    # a neckline is deepest at its middle and rises to both sides (a U or a V): no deeper than nearer the middle
    ends[mid] = float(np.median(ends[max(0, mid - k) : mid + k + 1]))
    ends[mid:] = np.minimum.accumulate(ends[mid:])
    ends[: mid + 1] = np.minimum.accumulate(ends[: mid + 1][::-1])[::-1]
    ends = _v_sides(ends, found, mid, k, cw)
    stepped, ends = ends, _smooth_neckline(ends, lo, hi, mid, cw)
    rows = np.arange(y1 - y0)[:, None]
    span = (cols[None, :] >= lo) & (cols[None, :] <= hi) & mask[y0:y1, x0:x1]
    cut = (rows < ends[None, :]) & span
    inside = cut & (rows >= tops[None, :] + 1)
    if cut.sum() < 0.05 * cw * cw or (dark & inside).sum() < INSIDE_BACK_FILL * max(1, inside.sum()):
        return None
    # a V's tip: only the inside's own pixels (not the front's rib) under its sides' meeting
    tip = _v_tip(stepped, found, mid, k)  # (the blur's rounded sides are no V)
    # (the staircase's dark pixels under the smooth curve only near the middle, `_tip_weight`: a V's blurred tip)
    tip = np.where(tip > stepped, tip, ends + _tip_weight(cols, mid, k) * (stepped - ends))
    cut |= (rows < tip[None, :]) & span & dark & (True if rib is None else ~rib)
    full = np.zeros((h, w), bool)
    full[y0:y1, x0:x1] = cut
    return full


def _tip_weight(cols: np.ndarray, mid: int, k: int) -> np.ndarray:
    """(n,) [0, 1] per column `cols` (n,): how far `_inside_back` cuts the inside's dark pixels down to the unsmoothed
    depths (the staircase) rather than the smooth curve (`_smooth_neckline`): 1 within `k` / 2 columns of `mid`, 0
    from 1.5 `k` on, linear between. The blur rounds a V's tip, whose dark inside then stayed under the neck (unseen
    ootd 049949 oil rig shirt: a grey patch at the collar's meeting); farther out the staircase's steps are a U's
    (VITON-HD 01260's knit, 11028's velvet, 01430's Fiorucci: 9 to 14 rows at one column, notches at the neck)."""
    return np.clip((1.5 * k - np.abs(cols - mid)) / k, 0.0, 1.0)


#: `_smooth_neckline`: the inside's depth per column, a staircase after the median and the U's monotone rise (each
#: column's run ends on the front's rib or a print at its own row), is blurred along the neckline with a Gaussian
#: this many collar widths wide (sigma): one smooth curve. At the staircase's steps (VITON-HD 06802's navy tee:
#: 0.1-0.2 collar widths tall, 11028's velvet mock neck, 01260's knit) the person's neck showed a row of notches.
NECKLINE_SMOOTH = 0.08


def _smooth_neckline(ends: np.ndarray, lo: int, hi: int, mid: int, cw: float) -> np.ndarray:
    """(n,) a neckline's depth per column `ends` (n,) (rows, deepest at `mid`, rising to both sides) blurred over
    the columns `lo` .. `hi` (`NECKLINE_SMOOTH` collar widths, the ends' values carried on past them), and made
    to rise from `mid` again (the blur keeps a monotone run monotone; `mid`'s neighbours may trade places)."""
    out = ends.copy()
    part = np.ascontiguousarray(ends[lo : hi + 1], np.float64)[None]
    blur = cv2.GaussianBlur(part, (0, 0), NECKLINE_SMOOTH * cw, borderType=cv2.BORDER_REPLICATE)[0]
    out[lo : hi + 1] = np.clip(blur, part.min(), part.max())  # (a flat run's 29 came back 29.000001: a row deeper)
    out[mid] = out[max(lo, mid - 1) : min(hi, mid + 1) + 1].max()
    out[mid:] = np.minimum.accumulate(out[mid:])
    out[: mid + 1] = np.minimum.accumulate(out[: mid + 1][::-1])[::-1]
    return out


#: `cut_inside_back`'s `top` rule where `_inside_back` found no inside: its front sample, under the collar's centre,
#: lies on a print (its luminance's 10th to 90th percentile spread over `SHADE_PLAIN`) that reads lighter than the
#: front. The same rows this many collar widths either side of the centre are sampled, and the plainer side, when
#: plain on its middle half (25th to 75th percentile within `SHADE_PLAIN`: 01430's 0.05 and 0.1; an all-over leopard
#: print 0.3-0.4, its bow knot was cut) and darker than the print, is the front. VITON-HD 01430 (Fiorucci tee): the
#: centre sample lay on its angels' white clouds, the red front read as dark as the inside, nothing was cut, and its
#: inside and white label showed at the person's neck; its sides are the plain red front. Read first, not only where
#: nothing was found, the sides changed 18 of 78 cuts (VITON-HD and unseen tops): a grey tank's cut ran deep across
#: its front, a velvet wrap top's V (its dark inside under the centre) was cut as a square block.
FRONT_SIDE = 0.9
#: ... and not darker than this luminance: a black front's inside is left to the composite (`_neck_zone`). Read there
#: (an unseen black tee with a Dalmatian print, its side 0.1), the speckled inside was cut half-way: a ragged edge
#: of it stayed under the neck.
FRONT_SIDE_LUMA = 0.2


def _luma_at(img: np.ndarray, mask: np.ndarray, band: tuple[slice, slice]) -> np.ndarray:
    """(N,) the blurred luminance (as `_inside_back` reads it) of the mask's pixels in `band` of `img` (H, W, 3)."""
    return cv2.GaussianBlur(img[band] @ np.array(LUMA_WEIGHTS, np.float32), (0, 0), 1.5)[mask[band]]


def _spread(values: np.ndarray) -> float:
    """The 10th to 90th percentile spread of `values` (N,); inf when fewer than 20."""
    return float(np.percentile(values, 90) - np.percentile(values, 10)) if values.size >= 20 else np.inf


def _plain_front(
    img: np.ndarray,
    mask: np.ndarray,
    band: tuple[slice, slice],
    cw: float,
    front: np.ndarray,
    *,
    lighter: bool = False,
) -> tuple[slice, slice] | None:
    """The (rows, columns) of `img` (H, W, 3) / `mask` (H, W) bool where the front is read beside a print
    (`FRONT_SIDE`): the same rows as `band`, under the collar's centre (its masked luminance `front` (N,)), at the
    plainer side, when `band` is not plain (`SHADE_PLAIN`), the side is plain on its middle half and its median
    darker than `front`'s, but not dark (`FRONT_SIDE_LUMA`); else None. With `lighter` the side's median is
    lighter than `front`'s instead (`_inside_over_placket`: a dark placket under the collar's centre)."""
    if front.size < 20 or _spread(front) <= SHADE_PLAIN:
        return None
    w = mask.shape[1]
    half = (band[1].stop - band[1].start) // 2
    xm = band[1].start + half
    best, least = None, SHADE_PLAIN
    for side in (-1, 1):
        x = xm + side * int(round(FRONT_SIDE * cw))
        cols = slice(max(0, x - half), min(w, x + half + 1))
        values = _luma_at(img, mask, (band[0], cols)) if cols.stop - cols.start >= 3 else np.zeros(0)
        if values.size < 20:
            continue
        quartiles = np.percentile(values, [25, 75])
        middle = float(quartiles[1] - quartiles[0])
        level = float(np.median(values))
        darker = level < float(np.median(front))
        if middle <= least and FRONT_SIDE_LUMA <= level and darker != lighter:
            best, least = (band[0], cols), middle
    return best


#: `_before_binding` (dresses): a bridged gap in a column's dark run ends the inside where the stretch under it differs
#: from the run's first stretch by more than this (median CIELAB distance): an unseen striped lace dress (ootd
#: 053290), its black lace inside above a yellow binding 0.08-0.11 collar widths tall and an orange lace band whose
#: holes read as dark, was cut on through both (0.85 collar widths deep) and worn with a skin bib down to its chest.
BINDING_SAME = 20.0


def _before_binding(run: np.ndarray, lab: np.ndarray) -> int:
    """How many rows of a column's bridged dark run (`run` (n,) bool, the dark pixels before gaps were bridged;
    `lab` (n, 3) their CIELAB colours) are the inside: up to the first gap whose next dark stretch differs from the
    first stretch by more than `BINDING_SAME` (a binding, the front under it), else all `n` (a label sewn on the
    inside, the inside again under it)."""
    n = len(run)
    gaps = np.nonzero(~run)[0]
    if gaps.size == 0 or gaps[0] < 2:
        return n
    ref = np.median(lab[: gaps[0]], axis=0)
    k = int(gaps[0])
    while k < n:
        start = k + int(np.argmax(run[k:])) if run[k:].any() else n
        if start >= n:
            return n
        stop = start + (int(np.argmin(run[start:])) if not run[start:].all() else n - start)
        if float(np.linalg.norm(np.median(lab[start:stop], axis=0) - ref)) > BINDING_SAME:
            return k
        k = stop
    return n


#: `_v_tip`: the inside's depth per column steps by at most this many rows from column to column along a V's sides
#: (VITON-HD 11791: under 1; the ootd idm_09176 pink shirt's steeper V: up to 4); runs that went on into a mock
#: neck's front rib jump by 10 to 30 (01260, 11028).
V_TIP_SLOPE = 5.0


#: `_v_sides`: a V's side is straight where the inside's depth per column, fitted by a line over the columns a
#: quarter `k` to `k` from the middle, strays from it by at most this many collar widths (ootd idm_09176 pink shirt:
#: under 0.01).
V_SIDE_FIT = 0.03
#: ... and sloping by at least this many rows per column (a flat band's or a U's middle is no V).
V_SIDE_SLOPE = 0.3


def _v_sides(ends: np.ndarray, found: np.ndarray, mid: int, k: int, cw: float) -> np.ndarray:
    """(n,) a neckline's depth per column `ends` (n,) no deeper, beyond a quarter `k` from `mid`, than the lines its
    two sides follow near the middle as the inside was `found` (n,) (`V_SIDE_FIT`, `V_SIDE_SLOPE`): a V's sides run
    on straight to the collar's wings. The shaded undersides of a shirt's collar points (ootd idm_09176) are as dark
    as its inside: their runs ended at the points' tips, and the cut took the wings in steps. A U's sides rise faster
    than its tangents near the middle, so they stay; a side that is not straight is left as it was."""
    out = ends.copy()
    q, n = max(2, k // 4), len(ends)
    cols = np.arange(n, dtype=np.float64)
    for near, far, outward in (
        (mid - q, mid - k, slice(0, mid - q)),
        (mid + q + 1, mid + k + 1, slice(mid + q + 1, n)),
    ):
        fit = slice(min(near, far), max(near, far))
        if fit.start < 0 or fit.stop > n or fit.stop - fit.start < 4 or not np.isfinite(found[fit]).all():
            continue
        line = np.polyfit(cols[fit], found[fit], 1)
        rising = line[0] if far < near else -line[0]  # rows per column, shallower away from the middle
        if rising < V_SIDE_SLOPE or np.abs(np.polyval(line, cols[fit]) - found[fit]).max() > V_SIDE_FIT * cw:
            continue
        out[outward] = np.minimum(out[outward], np.polyval(line, cols[outward]))
    return out


def _v_tip(ends: np.ndarray, found: np.ndarray, mid: int, k: int) -> np.ndarray:
    """(n,) a neckline's depth per column `ends` (n,) with its middle `k` columns each side of `mid` (flattened by
    the median that keeps a print's spike out) as deep as the inside was `found` (n,) there, down to where the two
    sides' slopes (fitted over the columns `k` to `3 k` from `mid`) meet: a V's tip (VITON-HD 11791: a dark triangle
    of the inside under the flat cut, on the chest). A flat band's sides meet at its depth: a spike stays out; so
    do runs that jump (`V_TIP_SLOPE`)."""
    lo, hi = max(0, mid - 3 * k), min(len(ends), mid + 3 * k + 1)
    if mid - k - lo < k or hi - (mid + k + 1) < k:
        return ends
    cols = np.arange(len(ends), dtype=np.float64)
    left = np.polyfit(cols[lo : mid - k], ends[lo : mid - k], 1)
    right = np.polyfit(cols[mid + k + 1 : hi], ends[mid + k + 1 : hi], 1)
    if left[0] <= 0 or right[0] >= 0:
        return ends  # not deepening towards the middle from both sides
    middle = slice(mid - k, mid + k + 1)
    if np.abs(np.diff(found[middle])).max() > V_TIP_SLOPE:
        return ends  # the runs jump: some ran on into the front's rib or a print
    meet = np.minimum(np.polyval(left, cols[middle]), np.polyval(right, cols[middle]))
    out = ends.copy()
    out[middle] = np.maximum(ends[middle], np.minimum(found[middle], meet))
    return out


def _contrasting(img: np.ndarray, luma: np.ndarray, front: np.ndarray) -> np.ndarray:
    """(h, w) bool: the pixels of `img` (h, w, 3) (luminance `luma` (h, w)) of another colour than the front's
    fabric `front` (N, 3) in any shade (`_off_segment` `beyond` farther than `SHADE_HUE`), where light enough
    (`RIB_LUMA`) to tell a hue: a ringer's contrasting rib."""
    off = _off_segment(_chroma(cv2.GaussianBlur(img, (0, 0), 1.5)), np.median(_chroma(front), axis=0), beyond=True)
    return (off > SHADE_HUE) & (luma > RIB_LUMA)


def _rib_rows(rib: np.ndarray, cw: float) -> int:
    """How many rows at the bottom of one column's inside run (`rib` (n,) bool: `_contrasting` down the run) are
    the front's contrasting rib: from the top of the last stretch of the other colour, ending within `RIB_EDGE` px
    of the run's end (its blurred edge to the front), at most `RIB_MAX` collar widths tall, under a part that is
    not (an inside all of another colour is a lining, cut whole)."""
    rows = np.nonzero(rib)[0]
    if rows.size == 0 or rib.size - 1 - rows[-1] > RIB_EDGE:
        return 0
    last = int(rows[-1])
    if rib[: last + 1].all():
        return 0
    start = last + 1 - int(np.argmin(rib[last::-1]))
    return rib.size - start if rib.size - start <= RIB_MAX * cw + RIB_EDGE else 0


#: `_band_over_opening`: the opening under the back band is at least this many collar widths tall and wide on the
#: centre column (the unseen CatVTON cardigan's emptied V: over 2 collar widths tall); a small keyhole is not.
OPENING_MIN = 0.5
#: ... followed up to this many collar widths beyond the collar sides while it ends as low as at the collar side
#: (within `INSIDE_BACK_LEVEL` collar widths: the V trim under it ends lower), and cut up to the photo's top over the
#: opening: the unseen CatVTON cardigan's band turns into its V trim 0.33 collar widths past its collar side and
#: rises 0.08 over the collar points towards the shoulder. Cut only `INSIDE_BACK_WIDER` beyond and under the points'
#: height, the band's end (6 px wide) and its top rim stayed, a grey-green smudge at the V's top corner beside the
#: neck on ootd 051962_0.
BAND_WIDER = 0.5


def _band_over_opening(
    mask: np.ndarray, right: np.ndarray, left: np.ndarray, centre: np.ndarray | None
) -> np.ndarray | None:
    """(H, W) bool: the back collar's band over a neck opening the mask already leaves empty (`drop_inner_back`
    dropped the inside a contrasting V trim framed), or None. Per column of the collar window: the mask's first run
    from the top, no taller than `INSIDE_BACK_START` collar widths, over a gap (`OPENING_MIN` tall); the columns
    that run on without a break from the centre's, up to `BAND_WIDER` collar widths beyond the collar sides. Worn,
    that band sits behind the neck: left in, it crossed the neck (cardigan on unseen photos)."""
    cw = abs(float(left[0] - right[0]))
    if cw < 8:
        return None
    # the collar targets may sit inside the opening's ends: looked for `BAND_WIDER` beyond them
    _, y0, y1, x0, x1 = _collar_window(mask.shape, right, left, centre, int(BAND_WIDER * cw))
    win = mask[y0:y1, x0:x1]
    # breaks in a column's band up to `INSIDE_BACK_GAP` collar widths are bridged (its shaded end turning into the
    # trim is broken up)
    gap = max(5, int(INSIDE_BACK_GAP * cw)) | 1
    closed = cv2.morphologyEx(win.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((gap, 1), np.uint8)) > 0
    bands = np.zeros(x1 - x0, int)  # per column, the band's bottom row (window frame); 0: no band over a gap
    gaps = np.zeros(x1 - x0, int)
    for k in range(x1 - x0):
        col = closed[:, k]
        if not col.any():
            continue
        first = int(np.argmax(col))
        run = col[first:]
        if run.all():
            continue
        end = first + int(np.argmin(run))
        rest = col[end:]
        if end - first > INSIDE_BACK_START * cw:
            continue
        bands[k], gaps[k] = end, int(np.argmax(rest)) if rest.any() else rest.size  # a V may open past the window
    mid = int(round((centre[0] if centre is not None else (left[0] + right[0]) / 2) - x0))
    if not 0 <= mid < x1 - x0 or bands[mid] == 0 or gaps[mid] < OPENING_MIN * cw:
        return None
    # beyond the collar sides only as low as at them (the V trim's runs end lower, on the opening's side)
    sides = [int(round(float(x))) - x0 for x in sorted((right[0], left[0]))]
    level = INSIDE_BACK_LEVEL * cw
    band = bands > 0
    band[: sides[0]] &= bands[: sides[0]] <= bands[np.clip(sides[0], 0, x1 - x0 - 1)] + level
    band[sides[1] + 1 :] &= bands[sides[1] + 1 :] <= bands[np.clip(sides[1], 0, x1 - x0 - 1)] + level
    lo = mid - int(np.argmin(band[mid::-1])) + 1 if (~band[: mid + 1]).any() else 0
    hi = mid + int(np.argmin(band[mid:])) if (~band[mid:]).any() else x1 - x0
    if hi - lo < OPENING_MIN * cw:
        return None
    rows = np.arange(y1 - y0)[:, None]
    full = np.zeros(mask.shape, bool)
    full[y0:y1, x0 + lo : x0 + hi] = (rows < bands[None, lo:hi]) & win[:, lo:hi]
    full[:y0, x0 + lo : x0 + hi] = mask[:y0, x0 + lo : x0 + hi]  # the band's top rising over the collar points
    return full


#: The collar wings' inner edges: CIELAB gradient magnitude (per px, 0-255 channels) over `WINGS_EDGE` after a
#: `WINGS_BLUR` px blur, which smooths a weave but keeps a fold's soft shade-and-hue line (VITON-HD 00034's pink
#: inside differs from its collar by about 4).
WINGS_BLUR = 2.5
WINGS_EDGE = 3.0
#: The enclosed inside spans at least this fraction of the collar width and covers at least `WINGS_AREA` square
#: collar widths, its closed parts' own pixels too (the slivers between an unseen sheer blouse's stand collar's
#: gathers, 0.07, closed into one region 0.16, cut the collar away: the VITON-HD and Dress Code insides are 0.12-0.26).
WINGS_SPAN = 0.4
WINGS_AREA = 0.08
#: A sleeveless garment's inside is looked for this many collar widths (its neckline's corners) beyond each side
#: and down from its top: Dress Code 020715's tank scoop is 1.7 collar widths deep and wider than its corners.
SCOOP_WINDOW = (1.0, 2.5)
#: ... and taken for an inside only where it is of the front's fabric (its median CIELAB colour within `SCOOP_SAME`
#: of the front's `SCOOP_FRONT` collar widths under it): 020715's black inside is 7 from its front, 020718's white
#: lace trim over 60.
SCOOP_SAME = 20.0
SCOOP_FRONT = 0.5
#: ... over a plain front: that front's 90th percentile CIELAB distance to its median under `SCOOP_PLAIN`. A print's
#: motifs close a region of its ground too (an unseen black crew-neck dress with silver flowers: its black front
#: under the binding, cut as a 15k px stepped square, was repainted as a skin "bib"; its front 51, another print's
#: 67, one 37; the Dress Code tank insides' fronts 3.3, an unseen plain one's 9.8).
SCOOP_PLAIN = 20.0
#: `_darker_inside`: a printed front's ground is this percentile of its luma (its light motifs cover up to half)
SCOOP_GROUND = 25.0
#: ... seeded from the columns within this many collar widths of the centre: a back's centre seam runs down the
#: centre column itself (020716's lilac tank: its edge hid the inside and the label was pasted at the neck), and
#: mirrored about it (020716's faint left binding let that half of the inside run on into the front).
SCOOP_SEED = 0.1
#: `_inside_between_wings`'s `keyhole` (tops, where no other rule finds an inside): a back's keyhole, a slit down the
#: inside's centre whose edges leave the centre column all edges over the seed rows, splits the inside in two
#: halves, each closed by the V's sides. Its seeds are looked for as a scoop's (`SCOOP_SEED`, down to
#: `INSIDE_BACK_MAX` collar widths: the slit's end closes off the inside's tip under it), in a window `KEYHOLE_WINDOW`
#: collar widths beyond the collar sides and down from the top (the collar sides sit inside the V's ends; a V may
#: reach past a collar width); the halves are joined across the slit. Taken only where the inside, its label and
#: slit in, is plain (`SCOOP_PLAIN`: a printed front is no inside) and narrows to a V's tip (its lowest
#: `KEYHOLE_TIP[0]` collar widths of rows at most `KEYHOLE_TIP[1]` across). The unseen ootd 049947 chiffon blouse: its
#: inside a deeper pink than its front but as light (0.66-0.75 over 0.77: no dark run), its V's tip 1.0 collar
#: widths under the collar (0.18 across), its slit 0.06 wide with the white backdrop seen through it, its inside's
#: 90th percentile 9.6 (VITON-HD 03751's print under a front keyhole: 41); worn, the keyhole and the label sat on
#: the chest, and the slit's edges read as a placket (`find_placket`).
KEYHOLE_WINDOW = (0.3, 1.5)
KEYHOLE_TIP = (0.1, 0.3)
#: ... and even about the centre: the region and its mirror image overlap on at least this share of their union
#: (049947: 0.75; an unseen tulle wrap dress's crossed folds 0.13, 03751's print 0.3).
KEYHOLE_EVEN = 0.6


def _inside_between_wings(
    img: np.ndarray,
    mask: np.ndarray,
    right: np.ndarray,
    left: np.ndarray,
    centre: np.ndarray | None,
    scoop: bool = False,
    own_area: bool = False,
    keyhole: bool = False,
) -> np.ndarray | None:
    """(H, W) bool region to cut of one garment whose inside is no darker than its front (a shaded or a dark
    shirt), or None: the region of the collar's centre column, under the back collar's band, that the garment's
    edges close all around within the window of `_inside_back` (the wings' inner edges on the sides, where the
    wings or the placket meet below). On a collarless garment the region under the neckline runs on into the
    front: it reaches the window's bottom and nothing is cut. The region with its holes (a label) and the
    garment above it in its columns (the back collar's band) are cut. `scoop` (a sleeveless garment): its
    neckline's corners are its "collar sides" and its scoop runs deeper and wider: the window is `SCOOP_WINDOW`.
    `own_area`: the closed parts' own pixels (before they are closed and widened) cover `WINGS_AREA` too.
    `keyhole`: only an inside split by a back's keyhole down its centre, plain and narrowing to a V's tip, in the
    wider and deeper window `KEYHOLE_WINDOW` (see there)."""
    h, w = mask.shape
    cw = abs(float(left[0] - right[0]))
    if cw < 8:
        return None
    window = SCOOP_WINDOW if scoop else KEYHOLE_WINDOW if keyhole else (0.0, INSIDE_BACK_MAX)
    top, y0, y1, x0, x1 = _collar_window(mask.shape, right, left, centre, int(window[0] * cw), window[1])
    edges = _colour_edges(img[y0:y1, x0:x1]) > WINGS_EDGE
    edges = cv2.dilate(edges.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0  # a broken line still closes
    free = mask[y0:y1, x0:x1] & ~edges
    _, labels, stats, _ = cv2.connectedComponentsWithStats(free.astype(np.uint8), connectivity=4)
    xm = (x0 + x1) // 2 - x0
    seed_rows = slice(0, int(INSIDE_BACK_START * cw) + 2)
    if keyhole:
        if free[seed_rows, xm].any():
            return None  # no slit down the centre
        seed_rows = slice(0, int(top + INSIDE_BACK_MAX * cw) - y0)
    half = int(SCOOP_SEED * cw) if scoop or keyhole else 0
    seeds = set(labels[seed_rows, max(0, xm - half) : xm + half + 1].ravel().tolist()) - {0}
    # the inside's own shading may split it: every closed region the column meets is a part of it
    parts = [
        k
        for k in seeds
        if not (stats[k, 1] + stats[k, 3] >= y1 - y0 or stats[k, 0] == 0 or stats[k, 0] + stats[k, 2] >= x1 - x0)
    ]
    region = np.isin(labels, parts)
    if own_area and region.sum() < WINGS_AREA * cw * cw:  # (closed and widened, slivers between gathers were one)
        return None
    if scoop:  # a front view's scoop is even about its centre: a half leaking out past a faint binding is the other's
        region |= region[:, ::-1]
    if scoop or keyhole:  # and whole across its centre seam's edge (or the keyhole's slit)
        seam = np.ones((1, 2 * half + 1), np.uint8)
        region = cv2.morphologyEx(region.astype(np.uint8), cv2.MORPH_CLOSE, seam) > 0
    region = cv2.morphologyEx(region.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8)) > 0
    region = _fill_enclosed(region)
    if keyhole and not _keyhole_v(img[y0:y1, x0:x1], mask[y0:y1, x0:x1], region, xm, cw):
        return None
    # out to the middle of its edges: the blurred, dilated edge band is about 2 blur widths wide on each side
    reach = 2 * int(np.ceil(2 * WINGS_BLUR)) + 1
    region = cv2.dilate(region.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))) > 0
    cols = np.nonzero(region.any(0))[0]
    if cols.size == 0 or cols[-1] - cols[0] < WINGS_SPAN * cw or region.sum() < WINGS_AREA * cw * cw:
        return None
    ends = np.where(region.any(0), (y1 - y0) - np.argmax(region[::-1], 0), 0)  # per column, under its bottom
    if scoop and not _same_fabric(img[y0:y1, x0:x1], mask[y0:y1, x0:x1], region, int(ends.max()), cw):
        # over a printed front the region runs on past the binding into the print's ground: its darker part only
        region = _darker_inside(img[y0:y1, x0:x1], mask[y0:y1, x0:x1], region, int(ends.max()), cw, half)
        if region is None:
            return None
        ends = np.where(region.any(0), (y1 - y0) - np.argmax(region[::-1], 0), 0)
    rows = np.arange(y1 - y0)[:, None]
    full = np.zeros((h, w), bool)
    full[y0:y1, x0:x1] = (rows < ends[None, :]) & mask[y0:y1, x0:x1]
    return full


def _keyhole_v(img: np.ndarray, mask: np.ndarray, region: np.ndarray, xm: int, cw: float) -> bool:
    """Whether `region` (h, w) bool of the window `img` (h, w, 3) RGB [0, 1] (its halves joined across the slit,
    the label filled in) is a V's inside (`_inside_between_wings`'s `keyhole`): even about the centre column `xm`
    (`KEYHOLE_EVEN`), plain (its `mask` (h, w) bool pixels' 90th percentile CIELAB distance to their median under
    `SCOOP_PLAIN`), and narrowing to a tip: its lowest `KEYHOLE_TIP[0]` collar widths `cw` (px) of rows at most
    `KEYHOLE_TIP[1]` collar widths from their first to their last column."""
    rows = np.nonzero(region.any(1))[0]
    half = min(xm, region.shape[1] - xm)
    if rows.size == 0 or region.sum() < 20 or half < 1:
        return False
    even = region[:, xm - half : xm + half]
    if (even & even[:, ::-1]).sum() < KEYHOLE_EVEN * (even | even[:, ::-1]).sum():
        return False
    lab = to_lab(img)[region & mask]
    if float(np.percentile(np.linalg.norm(lab - np.median(lab, axis=0), axis=1), 90)) >= SCOOP_PLAIN:
        return False
    cols = np.nonzero(region[max(int(rows[0]), int(rows[-1] - KEYHOLE_TIP[0] * cw)) :].any(0))[0]
    return bool(cols[-1] - cols[0] <= KEYHOLE_TIP[1] * cw)


def _same_fabric(img: np.ndarray, mask: np.ndarray, region: np.ndarray, bottom: int, cw: float) -> bool:
    """Whether `region` (h, w) bool of the window `img` (h, w, 3) is of the fabric of the front under it (rows
    from `bottom` down `SCOOP_FRONT` collar widths, where `mask` holds): median CIELAB distance under
    `SCOOP_SAME`, that front plain (`SCOOP_PLAIN`). A camisole's lace trim (Dress Code 020718) is closed all around
    too, but it is the front; a print's motifs close a region of its ground."""
    front = mask[bottom : bottom + int(SCOOP_FRONT * cw)]
    if region.sum() < 20 or front.sum() < 20:
        return False
    lab = to_lab(img)
    band = lab[bottom:][: len(front)][front]
    inside, under = np.median(lab[region & mask], axis=0), np.median(band, axis=0)
    plain = float(np.percentile(np.linalg.norm(band - under, axis=1), 90)) < SCOOP_PLAIN
    return plain and float(np.linalg.norm(inside - under)) < SCOOP_SAME


def _darker_inside(
    img: np.ndarray, mask: np.ndarray, region: np.ndarray, bottom: int, cw: float, half: int
) -> np.ndarray | None:
    """The inside within a scoop `region` (h, w) bool of the window `img` (h, w, 3) RGB [0, 1] that ran on past the
    binding into a printed front's ground (`_same_fabric` False), or None: the region's pixels darker than
    `INSIDE_BACK_DARK` of the front's ground (the `SCOOP_GROUND` luma percentile of the `mask` rows from `bottom`
    down `SCOOP_FRONT` collar widths: its light motifs do not count), the parts of them that the seed columns
    (`half` px either side of the centre) meet in the top `INSIDE_BACK_START` collar widths, closed, mirrored and
    filled as the scoop; at least `WINGS_AREA` square collar widths and ending above `bottom`. An unseen black
    crew-neck dress with silver flowers: its inside (luma 0.09) above the binding (0.15, as its ground), worn,
    showed in the neck as an undershirt; its front's ground, cut with it, as a skin "bib"."""
    h, w = mask.shape
    front = mask[bottom : bottom + int(SCOOP_FRONT * cw)]
    luma = cv2.GaussianBlur(img, (0, 0), 1.5) @ np.array(LUMA_WEIGHTS, np.float32)
    band = luma[bottom:][: len(front)][front]
    if band.size < 20:
        return None
    dark = region & mask & (luma < INSIDE_BACK_DARK * float(np.percentile(band, SCOOP_GROUND)))
    count, labels = cv2.connectedComponents(dark.astype(np.uint8), connectivity=4)
    xm = w // 2
    seeds = set(labels[: int(INSIDE_BACK_START * cw) + 2, max(0, xm - half) : xm + half + 1].ravel().tolist()) - {0}
    inside = np.isin(labels, list(seeds))
    inside |= inside[:, ::-1]
    inside = cv2.morphologyEx(inside.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8)) > 0
    inside = _fill_enclosed(inside) & mask
    rows = np.nonzero(inside.any(1))[0]
    if inside.sum() < WINGS_AREA * cw * cw or rows[-1] >= bottom - 1:
        return None
    return inside


def _colour_edges(img: np.ndarray) -> np.ndarray:
    """(h, w) float32 gradient magnitude of (h, w, 3) RGB [0, 1] in CIELAB (0-255 scale per channel) blurred by
    `WINGS_BLUR` px: a fold of the same fabric shows as a change of shade and of hue, not only of luminance."""
    u8 = np.clip(img * 255, 0, 255).astype(np.uint8)
    lab = cv2.cvtColor(cv2.GaussianBlur(u8, (0, 0), WINGS_BLUR), cv2.COLOR_RGB2LAB).astype(np.float32)
    sq = sum(
        cv2.Sobel(lab[..., k], cv2.CV_32F, 1, 0) ** 2 + cv2.Sobel(lab[..., k], cv2.CV_32F, 0, 1) ** 2 for k in range(3)
    )
    return np.sqrt(sq) / 4  # Sobel's 3x3 kernel weighs a unit step by 4


def _fill_enclosed(dark: np.ndarray) -> np.ndarray:
    """(h, w) bool with its holes (the pixels not reachable from the border without crossing `dark`) filled when
    there are at most `INSIDE_BACK_LABELS` of them over 20 px: one or two labels sewn on the inside; a print's many
    light motifs on a dark ground are left open (their garment is no inside)."""
    outside = np.pad(~dark, 1, constant_values=True).astype(np.uint8)
    cv2.floodFill(outside, None, (0, 0), 2)
    holes = (outside[1:-1, 1:-1] != 2) & ~dark
    count, _, stats, _ = cv2.connectedComponentsWithStats(holes.astype(np.uint8), connectivity=8)
    if int((stats[1:, cv2.CC_STAT_AREA] > 20).sum()) > INSIDE_BACK_LABELS:
        return dark
    return dark | holes


#: A button placket under a collar's front (a shirt's: `kfvton.keypoints.placement.place_front_neckline` lets its
#: collar close at the neck): over the rows `PLACKET_ROWS` collar widths under the front's top and the columns
#: within `PLACKET_HALF` collar widths of its centre, the mean |horizontal luma step| per column peaks (the
#: placket's edges; the median over rows: a print's patch over part of them does not count) at least `PLACKET_PEAK`
#: x the columns' median and `PLACKET_MIN_EDGE` per px. Dress Code shirts 000000, 000004, 000005 and an unseen
#: camp-collar shirt peak at 2.8-43 x (0.03-0.15); a plain V-neck (VITON-HD 11791) at 1.3 x (0.005), an unseen
#: football jersey's V over its printed lettering and number at 1.9 x.
PLACKET_ROWS = (0.1, 1.5)
PLACKET_HALF = 0.3
PLACKET_PEAK = 2.4
PLACKET_MIN_EDGE = 0.01


def find_placket(garment: Tensor, cut_mask: Tensor, landmarks: GarmentLandmarks) -> Tensor:
    """Which garments have a button placket running down from their front neckline (see `PLACKET_PEAK`).

    The front's top is found as `place_front_neckline` finds it: on the column between the collar sides, the first
    garment pixel under the opening that `cut_inside_back` left.

    Args:
        garment: (B or 1, 3, H, W) float [0, 1], the garment photos.
        cut_mask: (B, 1, H, W) float [0, 1], `cut_inside_back`'s output for them.
        landmarks: their landmarks (collar_left, collar_right).

    Returns:
        (B,) bool on `landmarks.points`' device; False where a collar side is missing or no opening was cut.
    """
    b = cut_mask.shape[0]
    check_shape(cut_mask, "cut_mask", (landmarks.batch_size, 1, *landmarks.garment_hw))
    check_shape(garment, "garment", ("B", 3, *landmarks.garment_hw))
    found = torch.zeros(b, dtype=torch.bool, device=landmarks.points.device)
    il, ir = (GARMENT_LANDMARKS.index(n) for n in ("collar_left", "collar_right"))
    h, w = landmarks.garment_hw
    for i in range(b):
        pts = landmarks.points[i].detach().double().cpu()
        if float(pts[il, 2]) <= 0 or float(pts[ir, 2]) <= 0:
            continue
        cw = abs(float(pts[il, 0] - pts[ir, 0]))
        neckline = None if cw < 8 else front_neckline_row(cut_mask[i, 0].detach().cpu() > 0.5, pts[il], pts[ir])
        if neckline is None:
            continue
        x, _, front = neckline
        r0, r1 = front + int(PLACKET_ROWS[0] * cw), min(h, front + int(PLACKET_ROWS[1] * cw))
        c0, c1 = max(0, x - int(PLACKET_HALF * cw)), min(w, x + int(PLACKET_HALF * cw) + 1)
        if r1 - r0 < 5 or c1 - c0 < 5:
            continue
        img = garment[i if garment.shape[0] > 1 else 0, :, r0:r1, c0:c1].detach().float().permute(1, 2, 0).cpu()
        luma = cv2.GaussianBlur(img.numpy() @ np.array(LUMA_WEIGHTS, np.float32), (0, 0), 1.0)
        step = np.abs(cv2.Sobel(luma, cv2.CV_32F, 1, 0)) / 4  # Sobel's 3x3 kernel weighs a unit step by 4
        profile = np.median(step, 0)
        peak = float(profile.max())
        found[i] = peak >= PLACKET_MIN_EDGE and peak >= PLACKET_PEAK * float(np.median(profile))
    return found


def find_collar_stand(garment: Tensor, mask: Tensor, cut_mask: Tensor, landmarks: GarmentLandmarks) -> GarmentLandmarks:
    """The landmarks with `collar_stand` set: on the collar centre's column, where the part `cut_inside_back` cut
    turns from the back collar's band (garment-coloured) to the inside (darker than `INSIDE_BACK_DARK` of the front
    under the cut, as the cut's rule); where nothing was cut there, a sleeved top's mock neck band from the outline
    (`_mock_neck_base`).

    Worn, that band stands up behind the neck and its bottom edge (the back neckline's seam) sits at the neck's
    base: `kfvton.keypoints.placement.place_standing_collar` lifts the collar targets by the band's height.

    Args:
        garment: (B or 1, 3, H, W) float [0, 1], the garment photos.
        mask: (B or 1, 1, H, W) float [0, 1], their masks before the cut.
        cut_mask: (B, 1, H, W) float [0, 1], `cut_inside_back`'s output for them.
        landmarks: their landmarks (collar_left, collar_right, collar_center).

    Returns:
        the landmarks with `collar_stand` (B, 3) (x_px, y_px, confidence 1; all 0 where nothing was cut on that
        column and the outline shows no mock neck, or the cut starts dark), dtype and device of `landmarks.points`.
    """
    b = cut_mask.shape[0]
    check_shape(cut_mask, "cut_mask", (landmarks.batch_size, 1, *landmarks.garment_hw))
    check_shape(mask, "garment_mask", ("B", 1, *landmarks.garment_hw))
    check_shape(garment, "garment", ("B", 3, *landmarks.garment_hw))
    stand = landmarks.points.new_zeros(b, 3)
    il, ic, ir = (GARMENT_LANDMARKS.index(n) for n in ("collar_left", "collar_center", "collar_right"))
    before = mask.detach().expand(b, -1, -1, -1) > 0.5
    removed = before & (cut_mask.detach() <= 0.5)
    weights = torch.tensor(LUMA_WEIGHTS, dtype=garment.dtype, device=garment.device)
    luma = (garment.detach().expand(b, -1, -1, -1) * weights[:, None, None]).sum(1)  # (B, H, W)
    for i in range(b):
        x, _, conf = (float(v) for v in landmarks.points[i, ic])
        column, width = int(round(x)), abs(float(landmarks.points[i, il, 0] - landmarks.points[i, ir, 0]))
        if conf <= 0 or not 0 <= column < landmarks.garment_hw[1]:
            continue
        rows = removed[i, 0, :, column].nonzero().flatten()
        if len(rows) == 0:
            if landmarks.sleeves[i if len(landmarks.sleeves) > 1 else 0] == "none":
                continue  # (a strap's outer edge falls straight to the armhole)
            base = _mock_neck_base(before[i, 0].cpu().numpy(), landmarks.points[i, il, :2], landmarks.points[i, ir, :2])
            if base is not None:  # no inside seen: a closed band standing up round the neck
                stand[i] = torch.tensor([float(column), base, 1.0], dtype=stand.dtype)
            continue
        r0, r1 = int(rows[0]), int(rows[-1]) + 1
        front = luma[i, r1 : r1 + max(4, int(width)), column][before[i, 0, r1 : r1 + max(4, int(width)), column]]
        if len(front) < 4:
            continue
        # a 5-row median ignores a stitch line across the band
        cut = luma[i, r0:r1, column]
        padded = torch.cat((cut[:1].expand(2), cut, cut[-1:].expand(2)))
        smooth = padded.unfold(0, 5, 1).median(-1).values
        dark = (smooth < INSIDE_BACK_DARK * front.median()).nonzero().flatten()
        if len(dark) == 0 or int(dark[0]) == 0:
            continue
        stand[i] = torch.tensor([float(column), float(r0 + int(dark[0])), 1.0], dtype=stand.dtype)
    return replace(landmarks, collar_stand=stand)


#: `_mock_neck_base`: a mock neck's side is where the mask's top, within `MOCK_NECK_REACH` collar widths outside a
#: collar side, falls by at least `STAND_MIN` collar widths over at most `MOCK_NECK_SIDE` collar widths across (a
#: band standing straight up). Of ~75 sample, sheet and unseen tops only the unseen peach blouse's
#: ruffled stand does (0.36 and 0.45 collar widths); shoulders slope, and a shirt's collar has an inside seen (its
#: stand is the cut's).
MOCK_NECK_REACH = 0.25
MOCK_NECK_SIDE = 0.15
#: ... and by at most this many: a longer fall is a strap's outer edge down to the armhole (an unseen crossover top
#: whose hanging straps read as sleeves: 1.6 collar widths).
MOCK_NECK_MAX = 1.0


def _mock_neck_base(mask: np.ndarray, left: Tensor, right: Tensor) -> float | None:
    """The row (garment px) a closed mock neck's band ends at, its height under the collar sides (`left`, `right`
    (2,) x, y): on each side, the (H, W) bool `mask`'s top falls from its highest point within `MOCK_NECK_REACH`
    collar widths outside the collar side to its lowest within `MOCK_NECK_SIDE` collar widths further out (the band's
    side); the lower of the two sides' falls, or None when either is under `STAND_MIN` collar widths (no band
    standing up) or over `MOCK_NECK_MAX`."""
    h, w = mask.shape
    cw = abs(float(left[0] - right[0]))
    if cw < 8:
        return None
    top = np.where(mask.any(axis=0), mask.argmax(axis=0), h).astype(np.float64)
    heights = []
    for x, step in ((float(left[0]), 1), (float(right[0]), -1)):
        reach = np.arange(int(round(x)), int(round(x + step * MOCK_NECK_REACH * cw)), step)
        reach = reach[(reach >= 0) & (reach < w)]
        if reach.size == 0:
            return None
        peak = int(reach[np.argmin(top[reach])])
        side = np.arange(peak, peak + step * (int(MOCK_NECK_SIDE * cw) + 1), step)
        side = side[(side >= 0) & (side < w) & (top[np.clip(side, 0, w - 1)] < h)]
        if side.size == 0 or not STAND_MIN * cw <= top[side].max() - top[peak] <= MOCK_NECK_MAX * cw:
            return None
        heights.append(float(top[side].max() - top[peak]))
    return min(float(left[1]), float(right[1])) + min(heights)
