"""Body regions without a human parser: from the pose and a person silhouette (the lower-quality path).

When no parse map is available, the classical try-on and the clothing-agnostic image still need to know where the
upper garment is and what to keep (head, neck, arms, lower body). `estimate_regions` builds a parse map in our
layout (LIP-20 / VITON-HD ids) from:

- the silhouette: a person mask from any segmentation node, or `silhouette_plain_background` for studio photos;
- the pose (BODY_25 pixels): shoulders and neck give the scale `sw` (shoulder width); the face joints place the
  head and the chin line (nose + 0.43 x (neck - nose)); shoulder-elbow-wrist chains give arm capsules;
- colour: a skin model (mean and spread of Cr, Cb around the nose) splits bare arms, neck and face from sleeves
  and hair; below the chest each silhouette row's pixels are told apart as upper garment or lower body by
  whether they are nearer the chest colour or the colour sampled between the hips and the knees.

Labels written: 0 background, 2 hair, 13 face, 10 neck, 5 upper clothes, 6 dress (a one-colour one-piece),
14 / 15 left / right arm (the wearer's), 9 lower garment (pants and skirts are not told apart), 16 / 17 legs,
18 / 19 shoes, and 3 for what a hand carries (a bag: LIP's glove label, `CARRIED`, kept in front and never repainted).
It is an estimate: `RegionEstimate.method` says so and which silhouette was used, and callers show it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import torch
from torch import Tensor

from .._arrays import above_line, mask_box, true_runs
from .._checks import check_image, check_shape
from ..keypoints.formats import check_pose_joints
from ..keypoints.pose import PRESENT_THRESHOLD, Pose, joint_index
from ..keypoints.pose_mediapipe import PersonAnalysis
from .colour_regions import (
    chain_distance,
    connected_to,
    hand_tip,
    main_colours,
    nearer_in_chroma,
    skin_like,
    to_lab,
)
from .mask_ops import largest_component
from .parse_labels import VITONHD_ARMS, VITONHD_HEAD, VITONHD_LOWER_BODY, VITONHD_NECK, VITONHD_UPPER_CLOTHES

__all__ = [
    "RegionEstimate",
    "silhouette_plain_background",
    "estimate_regions",
    "estimate_person_regions",
    "refine_person_mask",
    "REGION_METHOD",
]

REGION_METHOD = "estimated from pose + person mask + colour (no parser)"
_NEEDED = ("neck", "left_shoulder", "right_shoulder")
_LOG = logging.getLogger("kfvton")


@dataclass(frozen=True)
class RegionEstimate:
    """Regions of the person photo, estimated without a parser.

    Attributes:
        parse: (B, H, W) int64 in our layout (LIP-20 / VITON-HD ids; see the module docstring for those used).
        garment: (B, 1, H, W) float {0, 1}, the upper garment to replace (parse 5, 6, 7).
        keep: (B, 1, H, W) float {0, 1}, head, neck, arms, lower body and carried objects.
        silhouette: (B, 1, H, W) float {0, 1}, the person mask used (with the old garment found beyond a soft
            mask's outline).
        method: how it was made, to show the user (always names the lower-quality path).
    """

    parse: Tensor
    garment: Tensor
    keep: Tensor
    silhouette: Tensor
    method: str


def _skeleton(joints: np.ndarray, hw: tuple[int, int], scale: float) -> np.ndarray:
    """Thin lines along the limbs and torso of a BODY_25 pose (pixels * scale): pixels surely on the person."""
    canvas = np.zeros(hw, np.uint8)
    bones = (("neck", "nose"), ("neck", "mid_hip"), ("left_shoulder", "right_shoulder"), ("right_hip", "left_hip"),
             ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"), ("left_shoulder", "left_elbow"),
             ("left_elbow", "left_wrist"), ("right_hip", "right_knee"), ("left_hip", "left_knee"),
             ("neck", "right_hip"), ("neck", "left_hip"))  # fmt: skip
    for a, b in bones:
        ja, jb = joints[joint_index(a)], joints[joint_index(b)]
        if ja[2] > PRESENT_THRESHOLD and jb[2] > PRESENT_THRESHOLD:
            pa = tuple(int(v * scale) for v in ja[:2])
            pb = tuple(int(v * scale) for v in jb[:2])
            cv2.line(canvas, pa, pb, 1, 3)
    return canvas > 0


def silhouette_plain_background(
    image: Tensor, *, pose: Pose | None = None, threshold: float = 0.1, border: int = 6, work_size: int = 320
) -> Tensor:
    """Person mask of photos on a plain background.

    Pixels far from the median border colour start as the person; with a pose, its skeleton is marked as surely the
    person and OpenCV's GrabCut refines the mask from colour statistics (white clothes on a white wall), at
    `work_size` pixels on the long side. The largest blob is kept and its holes filled.

    Args:
        image: (B, 3, H, W) float RGB in [0, 1].
        pose: optional `Pose` (B or 1 rows) in the pixels of `image`.
        threshold: RGB distance from the background colour, in [0, 1] units, above which a pixel is the person.
        border: width in pixels of the frame (top, left, right; the bottom is usually the person) whose median
            colour is the background.
        work_size: long side of the image GrabCut works on.

    Returns:
        (B, 1, H, W) float {0, 1}.

    Raises:
        ValueError: the background is not plain (its border pixels vary too much): give a silhouette mask.
    """
    check_image(image, "image")
    h, w = image.shape[-2:]
    if pose is not None and pose.canvas_hw != (h, w):
        pose = pose.rescaled((h, w))
    out = []
    for b in range(image.shape[0]):
        rgb = image[b].detach().float().permute(1, 2, 0).cpu().numpy()
        frame = np.concatenate(
            (rgb[:border].reshape(-1, 3), rgb[:, :border].reshape(-1, 3), rgb[:, -border:].reshape(-1, 3))
        )
        background = np.median(frame, axis=0)
        spread = float(np.percentile(np.linalg.norm(frame - background, axis=1), 75))
        if spread > threshold:
            raise ValueError(
                f"image: batch item {b} has no plain background (border colour varies by {spread:.2f}, allowed "
                f"{threshold:.2f}); give a person silhouette mask, e.g. from a segmentation node"
            )
        scale = min(1.0, work_size / max(h, w))
        small = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        fg = np.linalg.norm(small - background, axis=-1) > threshold
        if pose is not None:
            joints = pose.joints[b if pose.batch_size > 1 else 0].detach().float().cpu().numpy()
            sure = _skeleton(joints, fg.shape, scale)
            mask = np.where(fg, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
            mask[sure] = cv2.GC_FGD
            mask[:2], mask[:, :2], mask[:, -2:] = cv2.GC_BGD, cv2.GC_BGD, cv2.GC_BGD
            bgd, fgd = np.zeros((1, 65)), np.zeros((1, 65))
            # GrabCut seeds its colour models with k-means++, which draws from OpenCV's global RNG: seeded here
            # so a photo gets the same mask alone, in a batch, or after any other OpenCV work in the process.
            cv2.setRNGSeed(0)
            cv2.grabCut((small * 255).astype(np.uint8), mask, None, bgd, fgd, 4, cv2.GC_INIT_WITH_MASK)
            fg = (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)
        fg = fg.astype(np.uint8)
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
        fg = cv2.morphologyEx(cv2.morphologyEx(fg, cv2.MORPH_OPEN, kernel), cv2.MORPH_CLOSE, kernel)
        fg = largest_component(fg) > 0
        inverse = (~fg).astype(np.uint8)  # fill holes: background pixels not connected to the frame
        _, labels = cv2.connectedComponents(inverse, connectivity=4)
        edge = np.unique(np.concatenate((labels[0], labels[-1], labels[:, 0], labels[:, -1])))
        fg = fg | ((inverse > 0) & ~np.isin(labels, edge))
        full = cv2.resize(fg.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR) > 0.5
        out.append(full)
    return torch.from_numpy(np.stack(out)[:, None].astype(np.float32))


def _skin_model(lab: np.ndarray, sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, inverse covariance) of the Lab colour over the `sample` pixels; a generic skin tone when too few.
    Lightness gets a wide spread (shading on arms and legs), the chroma a narrow one."""
    if sample.sum() >= 50:
        pixels = lab[sample]
    else:
        pixels = np.array([[70.0, 14.0, 18.0], [50.0, 16.0, 22.0], [85.0, 10.0, 14.0], [35.0, 14.0, 20.0]])
    mean = np.median(pixels, axis=0)
    spread = np.median(np.abs(pixels - mean), axis=0) * 1.4826  # robust: lips, brows and eyes are outliers
    spread = np.array([max(spread[0] * 2.0, 15.0), *np.clip(spread[1:], 2.5, 6.0)])
    return mean, np.diag(1.0 / spread**2)


def _skin_tinted(rgb: np.ndarray) -> np.ndarray:
    """The classic YCrCb skin box (Cr 133-173, Cb 77-127, not too dark): a loose prior, for picking samples."""
    ycrcb = cv2.cvtColor((rgb * 255).astype(np.uint8), cv2.COLOR_RGB2YCrCb)
    y, cr, cb = ycrcb[..., 0], ycrcb[..., 1], ycrcb[..., 2]
    return (cr >= 133) & (cr <= 173) & (cb >= 77) & (cb <= 127) & (y > 40)


def _skin_distance(lab: np.ndarray, model: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Mahalanobis distance of each pixel's Lab colour (H, W, 3) from the skin model (mean (3,), inverse covariance
    (3, 3)) -> (H, W) float64."""
    mean, inv = model
    if np.array_equal(inv, np.diag(np.diagonal(inv))):  # (`_skin_model`'s, always)
        # (channel by channel, d inv d summed in einsum's order: the same float64 values at a third of its time, which
        # went to its general loop over the nine products, six of them zero)
        total = None
        for c in range(lab.shape[-1]):
            d = lab[..., c] - mean[c]
            term = d * inv[c, c] * d
            total = term if total is None else total + term
        return np.sqrt(total)
    d = lab - mean
    return np.sqrt(np.einsum("...i,ij,...j->...", d, inv, d))


def _hue_gate(lab: np.ndarray, sample: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels whose Lab hue angle is near the skin sample's and whose chroma is not far below it
    (a shadowed red skirt or a brown sleeve can be near skin in L, a and b each, but not in hue)."""
    a, b = lab[..., 1], lab[..., 2]
    hue = np.degrees(np.arctan2(b, a))
    chroma = np.hypot(a, b)
    if sample.sum() >= 50:
        ref_hue = float(np.median(hue[sample]))
        spread = float(np.median(np.abs(hue[sample] - ref_hue))) * 1.4826
        ref_chroma = float(np.median(chroma[sample]))
    else:
        ref_hue, spread, ref_chroma = 52.0, 6.0, 25.0
    diff = np.abs((hue - ref_hue + 180.0) % 360.0 - 180.0)
    return (diff < max(3.0 * spread, 20.0)) & (chroma > 0.25 * ref_chroma)


def _drop_specks(mask: np.ndarray, min_area: float) -> np.ndarray:
    """`mask` without its 8-connected components smaller than `min_area` pixels."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    return keep[labels]


def _fill_small_holes(mask: np.ndarray, within: np.ndarray, size: float) -> np.ndarray:
    """`mask` with its holes narrower than `size` pixels closed, inside `within` only."""
    k = max(3, int(size) | 1)
    closed = cv2.morphologyEx(
        mask.astype(np.uint8), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    )
    return mask | ((closed > 0) & within)


#: A strap (`_unstrapped`): closed pixels of the arms' holes at least this far from the skin model (`_skin_distance`;
#: skin is under 3): on the unseen ootd 051482 a black strap's pixels lay at 6.2 (median, 3.5 at its blended edge),
#: shaded skin in holes closed on the shoulder and the arm 3.2-3.8 (released with them, the unseen 14627's shoulder
#: lost 6500 px of arm to the top and lower garment) ...
STRAP_FAR = 5.0
#: ... within this many sw under the neck joint (straps cross the shoulders; the top's body below carries the path) ...
STRAP_ROWS = 0.4
#: ... grown by this (x sw) into the closed pixels beside them (the strap's edge blended with the skin) ...
STRAP_EDGE = 0.03
#: ... at least this many sw squared (a strip up the shoulder; 5 px of a white collar on Dress Code 013565, released,
#: nudged the garment's main colours and a hem by the hand was read as carried: residue .177 -> .321) ...
STRAP_MIN_AREA = 0.003
#: ... joined to the old top's body, seeded by a box this wide and tall (x sw) on the centre line `STRAP_SEED_DOWN`
#: sw under the neck joint, over the chest.
STRAP_SEED_HALF = 0.1
STRAP_SEED_DOWN = 0.6


def _unstrapped(
    closed: np.ndarray, arm_skin: np.ndarray, cloth: np.ndarray, far: np.ndarray, neck: np.ndarray, sw: float
) -> np.ndarray:
    """The arms' skin with small holes closed (`closed`, (H, W) bool, from `arm_skin`) less a strap: closed pixels
    far from the skin's colour (`far`, (H, W) bool: `STRAP_FAR`) on the shoulders (`STRAP_ROWS` under the `neck`
    joint, (2,) x, y px) that join the old top's body through the body's pixels not of the skin's colour (`cloth`),
    in parts of at least `STRAP_MIN_AREA`, with their blended edge (`STRAP_EDGE`). A camisole's strap over the
    shoulder's round, narrower than the holes closed, was read as arm and stayed in the photo beside an
    off-shoulder top's bare shoulder (the unseen ootd 051482: 315 of its dark pixels)."""
    h, w = closed.shape
    held = closed & ~arm_skin & cloth
    strap = held & far
    strap[int(np.clip(neck[1] + STRAP_ROWS * sw, 0, h)) :] = False
    if not strap.any():
        return closed
    cx, cy, half = neck[0], neck[1] + STRAP_SEED_DOWN * sw, STRAP_SEED_HALF * sw
    seed = np.zeros((h, w), bool)
    y0, y1 = int(np.clip(cy - half, 0, h)), int(np.clip(cy + half, 0, h))
    seed[y0:y1, int(np.clip(cx - half, 0, w)) : int(np.clip(cx + half, 0, w))] = True
    seed &= cloth & ~closed
    strap = _drop_specks(connected_to(strap | (cloth & ~closed), seed) & strap, STRAP_MIN_AREA * sw * sw)
    if not strap.any():
        return closed
    k = max(3, int(2 * STRAP_EDGE * sw) | 1)
    strap = (cv2.dilate(strap.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))) > 0) & held
    return closed & ~strap


def _box_median(rgb: np.ndarray, sil: np.ndarray, centre: np.ndarray, half: float) -> np.ndarray | None:
    h, w = sil.shape
    x0, x1 = int(max(centre[0] - half, 0)), int(min(centre[0] + half, w))
    y0, y1 = int(max(centre[1] - half, 0)), int(min(centre[1] + half, h))
    if x1 <= x0 or y1 <= y0:
        return None
    patch = rgb[y0:y1, x0:x1][sil[y0:y1, x0:x1]]
    return np.median(patch, axis=0) if len(patch) >= 20 else None


#: How far below the hip joints (in neck-to-hip lengths) the split between the top and the lower garment is searched
#: (`_best_split`): a tunic ends by mid-thigh; the knees are about 0.8 below the hips.
SPLIT_REACH = 0.6


#: `_best_split` takes the step that best fits the row votes when the votes below it are at least STEP_RISE above
#: those above it (votes run from -1, all chest-coloured, to +1): a lower garment only half of whose pixels are nearer
#: the thigh sample (a leopard print's black spots are nearer a black top) votes about 0, and the plain count of
#: chest-like rows below the split would push the split down through it. Under that rise (one colour all the way),
#: or when the rows below still vote under STEP_LOW (mostly chest-like: a long top's fabric around a shadow where the
#: thigh was sampled), the count decides as before.
STEP_RISE = 0.6
STEP_LOW = -0.2


def _best_split(
    rgb: np.ndarray, sil: np.ndarray, chest: np.ndarray, thigh: np.ndarray, hip_x: float, half: float
) -> int:
    """Row (from the top of the band) that best splits chest-coloured rows above from thigh-coloured rows below.

    Each row with person pixels within `half` of column `hip_x` votes from -1 (all nearer `chest`) to +1 (all nearer
    `thigh`). The split is the best-fitting step of the votes (least squares) when it rises by `STEP_RISE` to at
    least `STEP_LOW`, else the row with the fewest thigh-like rows above plus chest-like rows below.
    """
    x0, x1 = int(max(hip_x - half, 0)), int(min(hip_x + half, rgb.shape[1]))
    cols = rgb[:, x0:x1]
    inside = sil[:, x0:x1]
    nearer = np.linalg.norm(cols - thigh, axis=-1) < np.linalg.norm(cols - chest, axis=-1)
    count = np.maximum(inside.sum(axis=1), 1)
    vote = np.where(inside.sum(axis=1) > 0, ((nearer & inside).sum(axis=1) / count) * 2 - 1, 0.0)  # +1 thigh
    step = _vote_step(vote, inside.any(axis=1))
    if step is not None:
        return step
    # cost(split) = thigh-like rows above it + chest-like rows below it
    above = np.concatenate(([0.0], np.cumsum(np.maximum(vote, 0))))
    below = np.concatenate((np.cumsum(np.maximum(-vote, 0)[::-1])[::-1], [0.0]))
    return int(np.argmin(above + below))


def _vote_step(vote: np.ndarray, seen: np.ndarray) -> int | None:
    """Row index (into `vote` (N,)) where a two-level step best fits the votes of the `seen` rows (N,) bool, or None
    when no step rises by `STEP_RISE` (the lower level minus the upper) to a lower level of at least `STEP_LOW`, or
    fewer than 8 rows are seen."""
    rows = np.nonzero(seen)[0]
    if len(rows) < 8:
        return None
    v = vote[rows].astype(np.float64)
    n = len(v)
    k = np.arange(1, n)
    csum, csq = np.cumsum(v), np.cumsum(v**2)
    head = csq[k - 1] - csum[k - 1] ** 2 / k
    tail = (csq[-1] - csq[k - 1]) - (csum[-1] - csum[k - 1]) ** 2 / (n - k)
    best = int(k[np.argmin(head + tail)])
    low = (csum[-1] - csum[best - 1]) / (n - best)
    return int(rows[best]) if low - csum[best - 1] / best >= STEP_RISE and low >= STEP_LOW else None


#: Rows whose torso core (`HIP_CORE` shoulder widths either side of the hips' centre) is at least MIDRIFF_SKIN skin,
#: in a run of at least MIDRIFF_RUN neck-to-hip lengths, are a bare midriff (`_bare_rows`). Tuned on a synthetic crop
#: top over light jeans (tests) and one unseen photo of a white crop top over light-blue jeans.
MIDRIFF_SKIN = 0.6
MIDRIFF_RUN = 0.02


def _bare_rows(skin: np.ndarray, sil: np.ndarray, hip_x: float, half: float, run: float) -> int | None:
    """Row (from the top of `skin` / `sil` (H, W) bool, a torso band above the split) just below the lowest run of
    at least `run` rows whose person pixels within `half` of column `hip_x` are at least `MIDRIFF_SKIN` skin, or
    None: the waistband under a bare midriff."""
    x0, x1 = int(max(hip_x - half, 0)), int(min(hip_x + half, skin.shape[1]))
    person = sil[:, x0:x1].sum(axis=1)
    bare = (person > 0) & ((skin[:, x0:x1] & sil[:, x0:x1]).sum(axis=1) >= MIDRIFF_SKIN * np.maximum(person, 1))
    runs = [(a, b) for a, b in true_runs(bare) if b - a >= max(run, 2)]
    return int(runs[-1][1]) if runs else None


#: A sleeve ends at most this many shoulder widths past the wrist joint, along the forearm: below it, pixels of
#: the top's colour beside the hand are the lower garment (red track pants under a red top's cuff).
CUFF_PAST_WRIST = 0.1

#: Skin-coloured pixels making up more than SKIN_WAIST_SHARE of the lower garment in the band SKIN_WAIST neck-to-hip
#: lengths below the waistband are a skin-coloured lower garment, not bare legs (`_one`).
SKIN_WAIST = 0.2
SKIN_WAIST_SHARE = 0.35

#: The waist window (in neck-to-hip lengths above / below the hip joints) where `_row_change` looks for the
#: waistband when the colour split found no lower garment in its band. A long tank top over shorts of its colour
#: hangs to 0.13 below the hips (an unseen photo: with 0.1 its hem was missed, the shadow above it was read as the
#: waistband, and the top's lower part, taken for shorts, stood below a new shorter top as pale blocks).
WAIST_WINDOW = (0.15, 0.2)


#: When the chest and thigh samples are alike, `_row_change` looks for the hem from LIKE_WINDOW[0] neck-to-hip lengths
#: above the hip joints to LIKE_WINDOW[1] below, and takes it only when the two runs' mean colours differ by at least
#: LIKE_CHANGE (RGB, [0, 1] units; a fold's shadow changes less).
LIKE_WINDOW = (0.45, 0.1)
LIKE_CHANGE = 0.06

#: When the colour vote puts the split at the top of its band, `_row_change` looks for the hem from there to HEM_WINDOW
#: neck-to-hip lengths below the hip joints, over the torso's middle (HEM_HALF shoulder widths either side of the
#: hips' centre, where an open jacket's flaps do not reach).
HEM_WINDOW = 0.2
HEM_HALF = 0.3


def _row_change(
    rgb: np.ndarray, sil: np.ndarray, hip_x: float, half: float, y0: int, y1: int, least: float = 0.0
) -> int | None:
    """Row in [y0, y1) best splitting the window's per-row median colours into two runs (least squares), or None
    (also when the two runs' mean colours differ by less than `least`).

    Per-row medians of the person's pixels within `half` of `hip_x`; for a top and trousers of nearly one colour
    (medians 0.02-0.05 apart) the hem's shadow and the small shift of shade still give one clear change point.
    """
    x0, x1 = int(max(hip_x - half, 0)), int(min(hip_x + half, rgb.shape[1]))
    rows = [
        np.median(rgb[y, x0:x1][sil[y, x0:x1]], axis=0)
        for y in range(max(y0, 0), min(y1, rgb.shape[0]))
        if sil[y, x0:x1].sum() >= 5
    ]
    if len(rows) < 8:
        return None
    med = np.asarray(rows, np.float64)
    n = len(med)
    csum = np.cumsum(med, axis=0)
    csq = np.cumsum((med**2).sum(axis=1))
    k = np.arange(1, n)
    head = csq[k - 1] - (csum[k - 1] ** 2).sum(axis=1) / k
    tail = (csq[-1] - csq[k - 1]) - ((csum[-1] - csum[k - 1]) ** 2).sum(axis=1) / (n - k)
    best = int(k[np.argmin(head + tail)])
    if np.linalg.norm(csum[best - 1] / best - (csum[-1] - csum[best - 1]) / (n - best)) < least:
        return None
    rows_y = [y for y in range(max(y0, 0), min(y1, rgb.shape[0])) if sil[y, x0:x1].sum() >= 5]
    return rows_y[best]


#: A sleeve below the waist reaches at most SLEEVE_REACH shoulder widths from the arm's line; from an arm hanging
#: straight by the wall, only SLEEVE_WIDTH times the forearm's distance to the wall (its half-width seen from the
#: outside), at least SLEEVE_MIN shoulder widths (`_sleeve_reach`).
SLEEVE_REACH = 0.3
SLEEVE_WIDTH = 1.3
SLEEVE_MIN = 0.1
#: An arm hangs straight when its elbow's angle is at least SLEEVE_STRAIGHT degrees.
SLEEVE_STRAIGHT = 150.0
#: The lower garment is one piece across the hips' centre (HIP_CORE shoulder widths either side of it); pieces
#: apart from it are looked at by `_sleeve_outline`.
HIP_CORE = 0.3


#: Beside the hips a pixel is the sleeve's when its colour is nearer the chest's than the thigh's. When the two lie
#: within SLEEVE_ALIKE of each other (RGB distance, [0, 1] units; a navy top over dark jeans: 0.15), of a pixel near
#: neither clearly (by SLEEVE_SURE of their distance apart) its neighbourhood's colours decide, on average (a Gaussian
#: of SLEEVE_VOTE_PX shoulder widths over the silhouette): pixel by pixel, the navy sleeve's shade flipped in specks,
#: and those kept as jeans stood as a ragged dark fringe beside the freed arm (unseen 00035_00). Colours far apart
#: keep the pixel's own vote (a wine-red sleeve's shaded edge against black trousers, wide15 01861_00: its
#: neighbourhood, mostly trousers, kept it as a dark-red strip beside the arm).
SLEEVE_ALIKE = 0.3
SLEEVE_SURE = 0.8
SLEEVE_VOTE_PX = 0.05


def _nearer_chest(rgb: np.ndarray, sil: np.ndarray, chest: np.ndarray, thigh: np.ndarray, sw: float) -> np.ndarray:
    """(H, W) bool: where the colour of `rgb` (H, W, 3) is nearer `chest` (3,) than `thigh` (3,): for colours alike
    (`SLEEVE_ALIKE`) clearly so (`SLEEVE_SURE`), or, of neither clearly, the colours around it in the silhouette `sil`
    (H, W) bool on average (`SLEEVE_VOTE_PX` shoulder widths `sw`)."""
    to_chest, to_thigh = np.linalg.norm(rgb - chest, axis=-1), np.linalg.norm(rgb - thigh, axis=-1)
    vote = (to_thigh - to_chest).astype(np.float32)
    apart = float(np.linalg.norm(chest - thigh))
    if apart >= SLEEVE_ALIKE:
        return vote > 0
    sure = np.abs(vote) > SLEEVE_SURE * max(apart, 1e-6)
    # (voters: the silhouette's pixels of either colour, not the hands' skin nor a sleeve's white stripes)
    voters = (sil & (np.minimum(to_chest, to_thigh) < SLEEVE_ALIKE)).astype(np.float32)
    sigma = max(1.0, SLEEVE_VOTE_PX * sw)
    weight = cv2.GaussianBlur(voters, (0, 0), sigma)
    around = cv2.GaussianBlur(vote * voters, (0, 0), sigma) > 1e-6 * np.maximum(weight, 1e-6)
    return np.where(sure, vote > 0, around)


def _sleeve_outline(
    apart: np.ndarray, top: np.ndarray, sil: np.ndarray, rgb: np.ndarray, chest: np.ndarray, thigh: np.ndarray
) -> np.ndarray:
    """(H, W) bool: the pieces of `apart` (lower garment not joined to the one at the hips' centre) that are a
    sleeve's outline on the wall: touching the old top (`top`) and the background, with a median colour nearer a
    mix of the chest's colour and the wall's (the wall: the median of the background within a few pixels) than the
    thigh's. A dark sleeve's edge blended with a light wall reads nearer a lighter lower garment's colour than the
    sleeve's (VITON-HD 07445: a dark sliver of the old sleeve was kept beside the freed arm as skirt); a piece of the
    lower garment itself beside a hand keeps the thigh's colour (VITON-HD paired 00008's red track pants)."""
    out = np.zeros_like(apart)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(apart.astype(np.uint8), connectivity=8)
    h, w = apart.shape
    for i in range(1, count):
        x, y, bw, bh = stats[i, :4]
        box = np.s_[max(y - 2, 0) : min(y + bh + 2, h), max(x - 2, 0) : min(x + bw + 2, w)]
        piece = labels[box] == i
        near = cv2.dilate(piece.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        wall = near & ~sil[box]
        if not (near & top[box]).any() or wall.sum() < 3:
            continue
        colour, wall_colour = np.median(rgb[box][piece], axis=0), np.median(rgb[box][wall], axis=0)
        span = wall_colour - chest
        t = float(np.clip((colour - chest) @ span / max(float(span @ span), 1e-6), 0.0, 1.0))
        if np.linalg.norm(colour - (chest + t * span)) < np.linalg.norm(colour - thigh):
            out[box] |= piece
    return out


#: A forearm is bare (`_bare_forearm`) when more than BARE_FOREARM of the points on its upper half (elbow to
#: mid-forearm) are already that arm's skin; used under a bare midriff only. Tuned on CatVTON 1-model_3 (a tank top
#: over light jeans: the lit jeans by the bare hands, nearer the white top's colour than the shaded thigh's, were kept
#: as "sleeve" and repainted as a pale block over the hip) and VITON-HD test (unchanged).
BARE_FOREARM = 0.6


def _bare_forearm(parse: np.ndarray, label: int, elbow: np.ndarray | None, wrist: np.ndarray | None) -> bool:
    """Whether the forearm from `elbow` to `wrist` (x, y pixels) is bare skin in `parse` ((H, W) labels, arm skin
    already marked `label`): then that arm has no sleeve that could hang beside the hips."""
    if elbow is None or wrist is None:
        return False
    h, w = parse.shape
    points = elbow + np.linspace(0.0, 0.5, 9)[:, None] * (wrist - elbow)
    xs = np.clip(np.round(points[:, 0]).astype(int), 0, w - 1)
    ys = np.clip(np.round(points[:, 1]).astype(int), 0, h - 1)
    return float(np.mean(parse[ys, xs] == label)) > BARE_FOREARM


def _sleeve_reach(
    to_wall: np.ndarray,
    shoulder: np.ndarray | None,
    elbow: np.ndarray | None,
    wrist: np.ndarray | None,
    sw: float,
) -> float:
    """How far from the arm's line a sleeve may reach, in pixels: an arm hanging straight beside the body with the
    wall on its outer side shows its forearm's width (the largest distance from the forearm's lower half to the
    wall); its sleeve is not wider than that on its inner side either, so a skirt or trousers beside it, even of a
    like colour in shadow, stay lower garment. A bent arm (a hand on the hip lifts the top's side, a wide cuff
    spreads) or a forearm in front of the body (no wall near) keeps `SLEEVE_REACH`."""
    if shoulder is None or elbow is None or wrist is None:
        return SLEEVE_REACH * sw
    upper, lower = shoulder - elbow, wrist - elbow
    cos = float(upper @ lower) / max(float(np.linalg.norm(upper) * np.linalg.norm(lower)), 1e-6)
    if np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))) < SLEEVE_STRAIGHT:
        return SLEEVE_REACH * sw
    h, w = to_wall.shape
    points = elbow + np.linspace(0.5, 1.0, 9)[:, None] * (wrist - elbow)  # the forearm's lower half, to the cuff
    xs = np.clip(np.round(points[:, 0]).astype(int), 0, w - 1)
    ys = np.clip(np.round(points[:, 1]).astype(int), 0, h - 1)
    half = float(np.max(to_wall[ys, xs]))
    return float(np.clip(SLEEVE_WIDTH * half, SLEEVE_MIN * sw, SLEEVE_REACH * sw))


def _one(
    rgb: np.ndarray, sil: np.ndarray, joints: np.ndarray, face_hint: np.ndarray | None, maybe: np.ndarray | None = None
) -> np.ndarray:
    h, w = sil.shape

    def joint(name: str) -> np.ndarray | None:
        j = joints[joint_index(name)]
        return j[:2].astype(np.float64) if j[2] > PRESENT_THRESHOLD else None

    neck, ls, rs = joint("neck"), joint("left_shoulder"), joint("right_shoulder")
    sw = max(float(np.linalg.norm(ls - rs)), 4.0)
    nose = joint("nose")
    # (a column (H, 1) and a row (1, W) of pixel rows and columns: every rule broadcasts them to the same values as
    # (H, W) grids, without a pass over a full int64 grid per comparison)
    yy, xx = np.ogrid[0:h, 0:w]
    lab = to_lab(rgb)

    # face: the face-mesh outline when given, else an ellipse around the nose
    if face_hint is not None and face_hint.any():
        face_zone = face_hint & sil
        ys = np.nonzero(face_hint)[0]
        chin_y = float(ys.max())
        face_top = float(ys.min())
        under_jaw = _under_jaw(face_hint, face_top, chin_y)
    elif nose is not None:
        chin_y = nose[1] + 0.43 * (neck[1] - nose[1])
        face_zone = ((xx - nose[0]) / (0.3 * sw)) ** 2 + ((yy - nose[1]) / (0.42 * sw)) ** 2 < 1.0
        face_zone &= sil & (yy < chin_y)
        face_top = nose[1] - 0.42 * sw
    else:  # head out of the photo (cropped at the chin or the mouth): everything above the neck is head
        chin_y = neck[1] - 0.15 * sw
        face_zone = sil & (yy < chin_y)
        face_top = 0.0
    # skin: a colour model from the lower half of the face (no hair there), or from the whole zone
    core = face_zone & (yy > face_top + 0.45 * max(chin_y - face_top, 1.0))
    if face_hint is None or not face_hint.any():  # no face seen: the face guess and the neck, skin-tinted only
        core = core | (sil & (yy > chin_y) & (yy < neck[1]) & (np.abs(xx - neck[0]) < 0.15 * sw))
        core &= _skin_tinted(rgb)
    if face_hint is None or not face_hint.any():
        under_jaw = np.zeros((h, w), bool)
    under_jaw &= sil
    skin_sample = core if core.sum() >= 50 else face_zone
    skin_model = _skin_model(lab, skin_sample)
    hue_ok = _hue_gate(lab, skin_sample)
    skin_dist = _skin_distance(lab, skin_model)
    skin = (skin_dist < 3.0) & sil & hue_ok
    # faces: skin-coloured part of the face zone (bangs and hair over the forehead stay hair)
    face = face_zone & (skin_dist < 4.0)
    face = cv2.morphologyEx(face.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8)) > 0
    face &= face_zone
    parse = np.where(sil, 5, 0).astype(np.int64)  # start: the whole person is upper garment

    # lower body: below the row splitting chest-coloured from thigh-coloured torso rows
    hips = [j for j in (joint("mid_hip"), joint("right_hip"), joint("left_hip")) if j is not None]
    split = float(h)
    chest = thigh = None  # the colours of the top (mid-chest) and of the lower body (mid-thigh), RGB
    midriff_split = False  # the split is where a bare midriff ends: the top's hem is above that skin
    if hips:
        hip_y = float(np.mean([j[1] for j in hips]))
        hip_x = float(np.mean([j[0] for j in hips]))
        torso = max(hip_y - neck[1], sw)
        chest = _box_median(rgb, sil & ~skin, np.array([neck[0], neck[1] + 0.4 * torso]), 0.15 * sw)
        thigh = _box_median(rgb, sil & ~skin, np.array([hip_x, hip_y + 0.35 * torso]), 0.15 * sw)
        top = int(np.clip(neck[1] + 0.5 * torso, 0, h - 1))
        split = hip_y - 0.12 * torso  # no colour change: trousers start a little above the hip joints
        if chest is not None and thigh is not None and np.linalg.norm(chest - thigh) > 0.08:
            # searched from mid-torso to mid-thigh only: below, a full-length photo's legs, socks and shoes are
            # not the lower garment and would pull the split down to the feet
            bottom = int(np.clip(hip_y + SPLIT_REACH * torso, top + 1, h))
            band = (sil & ~skin)[top:bottom]
            split = top + _best_split(rgb[top:bottom], band, chest, thigh, hip_x=hip_x, half=0.6 * sw)
            bare = _bare_rows(skin[top : int(split)], sil[top : int(split)], hip_x, HIP_CORE * sw, MIDRIFF_RUN * torso)
            if bare is not None:
                # a bare midriff above it: the waistband is where that skin ends (light jeans nearer the white
                # crop top's colour than the shaded thigh's were read as top down to the thighs)
                split = top + bare
                midriff_split = True
                _LOG.info("regions: bare midriff across the torso; waistband at row %d where it ends", split)
            if split == top and band[: max(1, int(0.05 * torso))].any():
                # split at the band's very top although the top's fabric reaches into it: the row votes were fooled
                # (an open jacket of the lower garment's colour over a light shirt, a shaded striped shirt): the hem
                # is the clearest change of the row colours along the torso's middle, from the band's top to below
                # the hips, where there is one
                y1 = int(hip_y + HEM_WINDOW * torso)
                change = _row_change(rgb, sil & ~skin, hip_x, HEM_HALF * sw, top, y1, least=LIKE_CHANGE)
                if change is not None:
                    split = change
                    _LOG.info(
                        "regions: no top colour in the split band; hem at row %d where the row colours change", split
                    )
            x0, x1 = int(max(hip_x - 0.6 * sw, 0)), int(min(hip_x + 0.6 * sw, w))
            below_hips = int(min(hip_y + 0.1 * torso, h - 1))
            if split >= bottom - 0.02 * torso and sil[below_hips, x0:x1].any():
                # no thigh-coloured rows in the band although the person goes on below the hips (a thigh sample
                # in the shadow between the legs, a top and trousers of one colour): the waistband is read as the
                # change of the row colours around the hips, else a little above the hip joints
                y0, y1 = int(hip_y - WAIST_WINDOW[0] * torso), int(hip_y + WAIST_WINDOW[1] * torso)
                change = _row_change(rgb, sil & ~skin, hip_x, 0.6 * sw, y0, y1)
                split = float(change) if change is not None else hip_y - 0.12 * torso
                _LOG.info("regions: no lower-garment colour below the top; split at row %d from the waist", split)
        elif chest is not None and thigh is not None and sil[int(min(hip_y + 0.1 * torso, h - 1))].any():
            # chest and thigh alike (a dark crop top over a dark skirt, one colour head to knee): the hem is the
            # clearest change of the row colours from the lower chest to just below the hips, when there is one
            y0, y1 = int(hip_y - LIKE_WINDOW[0] * torso), int(hip_y + LIKE_WINDOW[1] * torso)
            change = _row_change(rgb, sil & ~skin, hip_x, 0.6 * sw, y0, y1, least=LIKE_CHANGE)
            if change is not None:
                split = float(change)
                _LOG.info("regions: top and lower garment alike; split at row %d where the row colours change", split)
    below = sil & (yy >= split)

    # arms: skin near the shoulder-elbow-wrist chains (hands included); sleeves stay garment
    arm_chains, arm_dist, sleeve_dist, hands = {}, {}, {}, {}
    for side, label in (("left", 14), ("right", 15)):
        chain = arm_chains[label] = [joint(f"{side}_shoulder"), joint(f"{side}_elbow"), joint(f"{side}_wrist")]
        arm_dist[label] = chain_distance((h, w), [*chain, hand_tip(chain)])
        sleeve_dist[label] = chain_distance((h, w), chain)
        hands[label] = [p for p in (chain[2], hand_tip(chain)) if p is not None]
    leg_dist = {}
    for side, label in (("left", 16), ("right", 17)):
        chain = [joint(f"{side}_hip"), joint(f"{side}_knee"), joint(f"{side}_ankle")]
        leg_dist[label] = chain_distance((h, w), chain)
    near_arm = np.minimum(arm_dist[14], arm_dist[15]) < 0.3 * sw
    # the torso's centre line: skin nearer to it than to an arm chain is neck / neckline / midriff, not arm
    centre = [nose if nose is not None else None, neck, joint("mid_hip")]
    torso_dist = chain_distance((h, w), [p for p in centre if p is not None])
    armish = (np.minimum(arm_dist[14], arm_dist[15]) < torso_dist) | (yy > neck[1] + 0.6 * sw)
    arm_near = np.minimum(arm_dist[14], arm_dist[15])
    armish &= (arm_near < np.minimum(leg_dist[16], leg_dist[17])) | (arm_near < 0.2 * sw)  # hands by the thighs
    body = sil & ((yy > chin_y) | under_jaw)
    arm_zone = body & armish & (np.minimum(arm_dist[14], arm_dist[15]) < 0.45 * sw)
    # the arms' own skin tone (often lighter or darker than the face): a second model from the sure arm skin
    sure = arm_zone & skin & (skin_dist < 2.0) & (np.minimum(arm_dist[14], arm_dist[15]) < 0.2 * sw)
    arm_skin_px = skin
    if sure.sum() >= 200:
        arm_model = _skin_model(lab, sure)
        arm_like = (_skin_distance(lab, arm_model) < 3.5) & sil & hue_ok
        if chest is not None:  # a skin-toned top (a peach T-shirt by the hand): nearer its own colour than the arm's
            d_arm = np.linalg.norm(lab - arm_model[0], axis=-1)
            arm_like &= d_arm < np.linalg.norm(lab - to_lab(chest[None, None])[0, 0], axis=-1)
        arm_skin_px = skin | arm_like
    arm_skin = body & arm_skin_px & near_arm & armish
    arm_skin = connected_to(arm_zone & arm_skin_px, arm_skin)
    arm_skin = _unstrapped(
        _fill_small_holes(arm_skin, arm_zone, 0.08 * sw), arm_skin, body & ~arm_skin_px, skin_dist > STRAP_FAR, neck, sw
    )
    arm_skin = _drop_specks(arm_skin, 0.015 * sw * sw)  # hair tips and sleeve highlights
    fabric = np.zeros((h, w), bool)  # skin-coloured fabric on a sleeve or beside the arm: it does not reach the hand
    for label in (14, 15):
        mine = arm_skin & (arm_dist[label] <= arm_dist[29 - label])
        fabric |= mine & ~_from_the_hand(mine, hands[label], sw)
    arm_skin &= ~fabric
    off_arms = {}
    for label in (14, 15):
        mine = arm_skin & (arm_dist[label] <= arm_dist[29 - label])
        off_arms[label] = _off_the_arm(mine, arm_chains[label], arm_dist[label], torso_dist, sw)
    # (the torso's own skin, also where only the arms' skin model took it: as garment, it changed the top's colours)
    corners = [joint(n) for n in _TORSO_CORNERS]
    beside_arms = arm_skin & _torso_skin_off_the_arms(off_arms[14] & off_arms[15], corners, sw)
    arm_skin &= ~beside_arms
    # the arm's outline (skin blended with the background fails the colour test): a thin band of garment between
    # the arm and the background is arm
    edge = max(3, int(0.04 * sw) | 1)
    ring = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (edge, edge))
    near_bg = cv2.dilate((~sil).astype(np.uint8), ring) > 0
    arm_skin |= (cv2.dilate(arm_skin.astype(np.uint8), ring) > 0) & near_bg & sil & arm_zone
    for label in (14, 15):
        other = 29 - label
        parse[arm_skin & (arm_dist[label] <= arm_dist[other])] = label

    # lower body: skin is legs (by the nearer leg chain), the rest lower garment (9) or shoes below the ankles
    lower = below & (parse == 5)
    if hips and chest is not None and thigh is not None:  # sleeves next to the hips stay garment unless thigh-like
        sleeve = np.zeros((h, w), bool)  # shoulder to wrist, not the hand: nothing past the wrist along the forearm
        to_wall = cv2.distanceTransform(sil.astype(np.uint8), cv2.DIST_L2, 3)
        for side, label in (("left", 14), ("right", 15)):
            shoulder, elbow, wrist = joint(f"{side}_shoulder"), joint(f"{side}_elbow"), joint(f"{side}_wrist")
            if midriff_split and _bare_forearm(parse, label, elbow, wrist):
                # a crop top above a bare midriff, a bare forearm: no sleeve reaches down to the hips (light trousers
                # by the hand are not the top's); elsewhere a bare forearm may still have the top's loose hem
                # hanging beside it below the split (VITON-HD 00891: a white T-shirt's side by the bent arm)
                continue
            mine = sleeve_dist[label] < _sleeve_reach(to_wall, shoulder, elbow, wrist, sw)
            if elbow is not None and wrist is not None:
                forearm = wrist - elbow
                past = ((xx - wrist[0]) * forearm[0] + (yy - wrist[1]) * forearm[1]) / max(np.linalg.norm(forearm), 1.0)
                mine &= past <= CUFF_PAST_WRIST * sw
            sleeve |= mine
        sleeve &= _nearer_chest(rgb, sil, chest, thigh, sw)
        if np.linalg.norm(chest - thigh) > 0.08:  # alike, nearer one or the other is noise: speckles of old top
            lower &= ~sleeve
            core = connected_to(lower, lower & (np.abs(xx - hip_x) < HIP_CORE * sw))
            lower &= ~_sleeve_outline(lower & ~core, (parse == 5) & ~lower, sil, rgb, chest, thigh)
        # a hem lower on one side (tilted, untucked, a hand in the pocket lifting it): below the split row, pixels
        # clearly of the chest's colour, connected to the garment above, within a third of the torso, stay garment
        d_chest = np.linalg.norm(rgb - chest, axis=-1)
        hem = lower & (d_chest < 0.5 * np.linalg.norm(rgb - thigh, axis=-1)) & (yy < split + 0.33 * torso)
        hem = cv2.morphologyEx(hem.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)) > 0
        # (not under a bare midriff: the top ends above it, and the lit lower garment by the hands, nearer a white
        # crop top's colour than the shaded thigh's, was kept as a hem and repainted as a pale block over the hip)
        if np.linalg.norm(chest - thigh) > 0.15 and not midriff_split:  # top and lower garment clearly apart
            lower &= ~connected_to(hem, sil & (parse == 5) & (yy < split) & (yy >= split - 3))
    parse[lower] = 9
    leg_skin = lower & skin
    if hips:
        # a bare midriff (a crop top over trousers): torso skin, which a longer new top covers; as legs it stayed in
        # front of the new top, and as a skin-coloured lower garment (below) the waistband was read at the crop's hem
        midriff = _midriff(leg_skin, split, hip_y, torso)
        if midriff.any():
            _LOG.info("regions: bare midriff below the top's hem, above the waistband: torso skin")
            parse[midriff] = 10
            lower &= ~midriff
            leg_skin &= ~midriff
        # bare legs start at a hem: skin filling the band just below the waistband is a skin-coloured lower garment
        # (khaki or beige trousers), not legs
        x0, x1 = int(max(hip_x - 0.6 * sw, 0)), int(min(hip_x + 0.6 * sw, w))
        y0, y1 = int(max(split, 0)), int(min(split + SKIN_WAIST * torso, h))
        band = lower[y0:y1, x0:x1]
        if band.sum() >= 0.05 * sw * sw and (leg_skin[y0:y1, x0:x1] & band).sum() > SKIN_WAIST_SHARE * band.sum():
            waist = np.zeros((h, w), bool)
            waist[y0:y1, x0:x1] = leg_skin[y0:y1, x0:x1]
            _LOG.info("regions: skin-coloured fabric at the waistband: a lower garment, not legs")
            leg_skin &= ~connected_to(leg_skin, waist)
    for label in (16, 17):
        parse[leg_skin & (leg_dist[label] <= leg_dist[33 - label])] = label
    ankles = [j for j in (joint("left_ankle"), joint("right_ankle")) if j is not None]
    if ankles:
        ankle_y = max(j[1] for j in ankles)
        feet = lower & ~skin & (yy > ankle_y - 0.05 * sw)
        trousers_like = None if thigh is None else np.linalg.norm(rgb - thigh, axis=-1) <= FOOT_LOWER
        for side, label in (("left", 18), ("right", 19)):
            a = joint(f"{side}_ankle")
            if a is not None:
                other = joint(f"{'right' if side == 'left' else 'left'}_ankle")
                mine = feet if other is None else feet & (np.abs(xx - a[0]) <= np.abs(xx - other[0]))
                if trousers_like is not None:  # above its ankle joint, of the trousers' colour: their hem, not
                    # the shoe (049713's black leggings down to the ankle, kept in front as a strip under the new
                    # hem; the shoe's own black print keeps `_trouser_hem_on_shoes` from taking it back)
                    mine = mine & ~(trousers_like & (yy < a[1]))
                parse[mine] = label
        if thigh is not None:
            for label, mine in _raised_feet(lower & ~skin, rgb, thigh, joint, sw, yy).items():
                parse[mine] = label

    # neck and neckline: skin between the chin and the split that is not an arm
    torso_skin = body & (skin | beside_arms) & (parse == 5) & (yy < split)
    torso_skin = cv2.morphologyEx(torso_skin.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)) > 0
    # skin-coloured "fabric" (not reaching a hand) joined to the neck's skin is bare shoulders: neck, once long hair
    # falling on them has been taken out
    bare_shoulders = connected_to(torso_skin & fabric, torso_skin & ~fabric)
    parse[torso_skin & ~fabric] = 10

    # head: above the chin line, face where skin-coloured in the face zone, the rest hair (and hats)
    head = sil & (yy <= chin_y) & ~under_jaw
    parse[head] = 2
    parse[face & head] = 13
    middle = face_top + 0.45 * max(chin_y - face_top, 1.0)
    parse[face_zone & head & (yy > middle)] = 13  # lips, nostrils and eyes' shadows are face, not hair
    # the neck beside the jaw (above the chin's lowest point): skin, outside the face, below the mouth
    low = face_top + 0.7 * max(chin_y - face_top, 1.0)  # below the mouth; hair beside the cheeks is not neck
    jaw_neck = head & ~face_zone & skin & (yy > low) & (np.abs(xx - neck[0]) < 0.2 * sw)
    jaw_neck = cv2.morphologyEx(jaw_neck.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)) > 0
    parse[jaw_neck] = 10
    _long_hair(parse, lab, skin_model[0], skin, chin_y, under_jaw, neck, sw, yy, xx, split)
    parse[bare_shoulders & (parse == 5)] = 10
    _head_pockets(parse, under_jaw, yy > chin_y)
    _neck_outline(parse, sil, neck[1], ring, hue_ok)
    if chest is not None:
        # (of the face's skin hue too: a khaki or olive jacket beside the neck is skin_like the neck in rgb chroma)
        _lit_skin(parse, rgb, chest, body & (yy < split) & hue_ok, sw)
    if maybe is not None:
        _garment_edge(parse, lab, sw, maybe & ~sil, above_line(rs, ls, (h, w)))
    _carried(parse, lab, skin_dist, [joint(n) for n in _CARRY_JOINTS], sw)
    if hips and chest is not None and thigh is not None:  # a dress, whether or not a split was found (a print's)
        rh, lh = joint("right_hip"), joint("left_hip")
        hip_w = float(np.linalg.norm(rh - lh)) if rh is not None and lh is not None else 0.6 * sw
        _one_piece(parse, lab, yy, sw, torso, hip_y, hip_w)
    _wall_in_edge(parse, rgb, lab, sw)
    _garment_rim(parse, max(1, round(GARMENT_RIM * max(h, w))))
    return parse


#: The neck under the jaw (`_under_jaw`) is taken only in the face's columns whose lowest row (the jaw there) is below
#: JAW_LOW of the face's height (forehead to chin): the jaw's curve by the chin. Further out the outline climbs the
#: cheeks, and the hair and earrings beside them were taken for garment (10549_00 at 0.7 of the pixels' rows).
JAW_LOW = 0.85


#: `_raised_feet`: a foot counts as raised (a walking person's back foot, heel up) when its ankle lies at least this
#: many shoulder widths above the other one's; its shoe reaches FOOT_LENGTH shoulder widths past the ankle when the
#: pose has neither heel nor toe; pixels within FOOT_LOWER of the lower garment's colour (RGB in [0, 1]) are not
#: the shoe.
FOOT_RAISED = 0.15
FOOT_LENGTH = 0.45
FOOT_LOWER = 0.15
FOOT_HOLES = 0.1  # x sw: holes of the lower garment's colour this narrow inside a raised foot's shoe are the shoe's


def _raised_feet(
    lower: np.ndarray,
    rgb: np.ndarray,
    thigh: np.ndarray,
    joint: Callable[[str], np.ndarray | None],
    sw: float,
    yy: np.ndarray,
) -> dict[int, np.ndarray]:
    """The shoe of a raised foot, which the feet's common row (under the lower ankle) leaves as lower garment.

    A walking person's back foot stands heel up, its ankle well above the front one's: its whole shoe lay above
    that row, was labelled as trousers and repainted as wall (CatVTON 049713: a purple sneaker erased down to its
    toe cap). Here the pixels of `lower` below the raised ankle that lie nearer its foot (ankle, heel, big toe;
    without them a `FOOT_LENGTH` stub along the shin) than to the other leg's shin (knee -> ankle), and are not of
    the lower garment's colour `thigh` (the other leg's trousers crossing in front of it stay trousers), holes
    narrower than `FOOT_HOLES` closed.

    Args:
        lower: (H, W) bool, the lower garment's pixels not of skin colour.
        rgb: (H, W, 3) float in [0, 1].
        thigh: (3,) the lower garment's RGB at mid-thigh.
        joint: a joint's (x, y) pixels by name, None when missing.
        sw: shoulder width in pixels; yy: (H, 1) row indices.

    Returns:
        {18: left shoe, 19: right shoe} (H, W) bool masks, only for a raised foot.
    """
    out: dict[int, np.ndarray] = {}
    shape = lower.shape
    for side, label in (("left", 18), ("right", 19)):
        other = "right" if side == "left" else "left"
        ankle, knee = joint(f"{side}_ankle"), joint(f"{side}_knee")
        o_ankle, o_knee = joint(f"{other}_ankle"), joint(f"{other}_knee")
        if ankle is None or o_ankle is None or o_knee is None or ankle[1] > o_ankle[1] - FOOT_RAISED * sw:
            continue
        foot = [p for p in (joint(f"{side}_heel"), joint(f"{side}_big_toe")) if p is not None]
        if not foot:
            if knee is None:
                continue
            shin = ankle - knee
            foot = [ankle + FOOT_LENGTH * sw * shin / max(float(np.linalg.norm(shin)), 1.0)]
        near = chain_distance(shape, [ankle, *foot]) < chain_distance(shape, [o_knee, o_ankle])
        unlike = np.linalg.norm(rgb - thigh, axis=-1) > FOOT_LOWER
        zone = lower & near & (yy > ankle[1] - 0.05 * sw)
        # a shoe's dark print, laces' shadows (049713's zebra stripes) of the trousers' colour: holes, closed
        mine = _fill_small_holes(zone & unlike, zone, FOOT_HOLES * sw)
        if mine.any():
            _LOG.info("regions: the %s foot is raised: its shoe above the other foot's row", side)
            out[label] = mine
    return out


def _under_jaw(face: np.ndarray, face_top: float, chin_y: float) -> np.ndarray:
    """The face outline (H, W) bool -> (H, W) bool: the pixels under the jaw's curve and above the chin's lowest row
    `chin_y`, in the face's columns whose jaw is below `JAW_LOW` of its height. They are body (neck or collar), not
    head: the head's lower edge follows the jaw instead of one straight row under the chin, so the neck's repaint
    starts under the jaw (a straight edge there was a step beside a turned chin)."""
    h, w = face.shape
    rows = np.arange(h)[:, None]
    lowest = np.where(face.any(axis=0), h - 1 - np.argmax(face[::-1], axis=0), h)  # the jaw's row per column
    low = face_top + JAW_LOW * max(chin_y - face_top, 1.0)
    return (rows > lowest[None, :]) & (rows <= chin_y) & (lowest[None, :] > low)


def _head_pockets(parse: np.ndarray, under_jaw: np.ndarray, below_chin: np.ndarray) -> None:
    """Upper garment (5) under the jaw (`under_jaw` (H, W) bool) not joined to the garment below the chin's row
    (`below_chin` (H, W) bool) is head: hair (2), in place in `parse` (H, W) int64. A collar under the jaw is joined
    to its garment; an earring and the skin behind it, in a pocket of the hair by the jaw's corner, are not (they
    were repainted as a skin-coloured blob on a bob)."""
    garment = parse == 5
    pocket = garment & under_jaw & ~connected_to(garment & under_jaw, garment & below_chin)
    parse[pocket] = 2


def _neck_outline(parse: np.ndarray, sil: np.ndarray, neck_y: float, ring: np.ndarray, skin_hue: np.ndarray) -> None:
    """Upper garment (5) above the neck joint's row `neck_y` that is the neck's own skin is neck (10), in place in
    `parse` (H, W) int64: the neck's outline against the wall (within the `ring` kernel of both the background and
    the neck: skin blended with the wall) where of the skin's hue (`skin_hue` (H, W) bool; a white top's edge by the
    neck stays garment), and what is cut off from the garment below that row by that outline while touching the
    neck (the dark shadow under a turned jaw fails the skin colour test). As garment they were repainted: as a patch
    of wall beside the neck, cut off at the chin's row."""
    h = parse.shape[0]
    above = np.arange(h)[:, None] < neck_y
    neck = cv2.dilate((parse == 10).astype(np.uint8), ring) > 0
    near_bg = cv2.dilate((~sil).astype(np.uint8), ring) > 0
    outline = (parse == 5) & above & neck & near_bg
    parse[outline & skin_hue] = 10
    garment = ((parse == 5) & ~outline).astype(np.uint8)
    count, parts = cv2.connectedComponents(garment, connectivity=8)
    lower = np.zeros(count, bool)  # parts that reach below the neck joint's row: the garment itself
    lower[parts[(garment > 0) & ~above]] = True
    touching = np.zeros(count, bool)
    by_neck = cv2.dilate((parse == 10).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    touching[parts[(garment > 0) & by_neck]] = True
    parse[(garment > 0) & touching[parts] & ~lower[parts]] = 10


#: Bare skin beside the old top is read against the skin labelled around it (`_lit_skin`): the mean colour of the neck
#: and arm pixels within a box LIT_BOX shoulder widths wide. Lit skin (a sunlit midriff, the inner side of an upper arm,
#: the neck just above a white collar) is paler than the face's skin model allows and stayed garment, repainted as
#: wall: flecks beside the arms of a cold-shoulder top on ootd_14627_00, a ragged pale fill up the neck on ootd_model_6.
LIT_BOX = 0.2
#: ... over at most LIT_PASSES passes, each from the skin labelled by the one before.
LIT_PASSES = 4


def _lit_skin(parse: np.ndarray, rgb: np.ndarray, chest: np.ndarray, within: np.ndarray, sw: float) -> None:
    """Upper garment (5) in `within` ((H, W) bool: the body between the chin and the split, of the skin's hue) that is
    the colour of the neck and arm skin labelled near it (`skin_like` the local mean of those pixels, `LIT_BOX`; nearer
    its chroma than the top's mid-chest colour `chest` (3,) RGB 0..1) and joined to that skin becomes neck / torso
    skin (10), in place in `parse` (H, W) int64; `rgb` (H, W, 3) float 0..1, `sw` the shoulder width in pixels.
    Not arm, even on the arm's inner outline: the torso skin is covered where the new top lands and kept elsewhere,
    while arm is kept in front of it (a lit midriff by the arm, labelled arm, showed as a skin patch on the new top).
    A top of another hue, a white or a black one (chroma or luminance away from the skin's) stays garment."""
    labels = (10, 14, 15)
    size = max(3, int(LIT_BOX * sw) | 1)
    if not within.any():
        return
    # (on `within`'s box grown by the box filters' reach: the same sums at its pixels, and the same components
    # touching the skin, as over the whole photo; over the whole photo the passes cost 100-200 ms)
    y0, y1, x0, x1 = mask_box(within, size // 2 + 1)
    parse, within = parse[y0:y1, x0:x1], within[y0:y1, x0:x1]  # (a view: labelled in place)
    rgb = rgb[y0:y1, x0:x1].astype(np.float32)
    for _ in range(LIT_PASSES):  # each pass reaches half a box further into the skin from what it labelled
        skin = np.isin(parse, labels)
        garment = (parse == 5) & within
        weight = cv2.boxFilter(skin.astype(np.float32), -1, (size, size))
        known = garment & (weight > 0.05)
        if not known.any():
            return
        summed = cv2.boxFilter(rgb * skin[..., None], -1, (size, size))
        ys, xs = np.nonzero(known)
        px, ref = rgb[ys, xs], summed[ys, xs] / weight[ys, xs, None]
        lit = skin_like(px, ref) & nearer_in_chroma(px, ref, np.broadcast_to(chest, px.shape))
        candidate = np.zeros_like(skin)
        candidate[ys[lit], xs[lit]] = True
        candidate = connected_to(candidate, skin)
        if not candidate.any():
            return
        parse[candidate] = 10


#: A bare midriff (`_midriff`) starts within MIDRIFF_NEAR neck-to-hip lengths below the top's hem (the split) and
#: ends above the hip joints: legs start below the hips, a skin-coloured lower garment runs on past them. Tuned on
#: a synthetic crop top over dark trousers (tests) and looked at on VITON-HD's persons (none changed).
MIDRIFF_NEAR = 0.05


def _midriff(skin: np.ndarray, split: float, hip_y: float, torso: float) -> np.ndarray:
    """(H, W) bool skin below the split -> its components that start at the hem (within `MIDRIFF_NEAR` torso
    lengths of row `split`) and end above row `hip_y`: bare torso between a crop top and the waistband."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(skin.astype(np.uint8), connectivity=8)
    top = stats[:, cv2.CC_STAT_TOP]
    bottom = top + stats[:, cv2.CC_STAT_HEIGHT]
    keep = (top <= split + MIDRIFF_NEAR * torso) & (bottom < hip_y)
    keep[0] = False  # the background
    return keep[labels] & skin


#: Inside the torso (the shoulder-hip quadrilateral grown by TORSO_GROW shoulder widths: the hip joints lie well
#: inside the waist's outline) skin off both arms (`_off_the_arm`) is the torso's own (a bare midriff or side beside
#: an arm hanging against the body; joined to the arm's skin, it was labelled arm and kept in front of the new top as
#: a skin band, or a notch in its side). Without a measured arm, skin farther than ARM_IN_TORSO shoulder widths from
#: the arm's chain is off it: an arm's half width is ~0.1-0.15 shoulder widths, the rest is room for the joints'
#: error. Tuned on synthetic figures (tests) and looked at on unseen model photos (a midriff beside a hanging arm, a
#: tank top's bare side).
ARM_IN_TORSO = 0.18
TORSO_GROW = 0.25
_TORSO_CORNERS = ("right_shoulder", "left_shoulder", "left_hip", "right_hip")
#: ... and only below the armpits (this many shoulder widths under the lower shoulder joint): at the shoulders, skin
#: between hair strands lay off the arm chains and the new top showed through the hair (VITON-HD paired 00017).
TORSO_SKIN_BELOW = 0.3
#: The arm measured (`_arm_midline`): at ARM_SAMPLES points along its shoulder-elbow-wrist chain, its skin's run
#: across the chain (scanned ARM_SCAN shoulder widths each side) nearest the chain, within ARM_SEARCH shoulder widths:
#: its middle lies on the arm's midline, half its length is the arm's half width there. Half widths under ARM_MIN
#: shoulder widths are no bare arm (a sleeve, a bracelet's gap); runs longer than ARM_MERGED times their median cross
#: into the torso's skin (a bare midriff or side joined to the arm). ARM_FREE measured points at least, else the arm
#: is not measured. The joints lie up to ~0.08 shoulder widths off the arm's midline: that error was most of
#: ARM_IN_TORSO, which cut notches into the new top's sides beside slim arms.
ARM_SAMPLES = 24
ARM_SCAN = 0.6
ARM_SEARCH = 0.12
ARM_MIN = 0.05
ARM_MERGED = 1.35
ARM_FREE = 4
#: Skin on the torso's side of a measured arm farther than ARM_SLACK local half widths from its midline is off it
#: (the arm's shaded outline fails the skin colour test: its skin runs are a little shorter than the arm is wide).
ARM_SLACK = 1.15


@dataclass(frozen=True)
class _ArmMidline:
    """One arm's measured midline: `points` (N, 2) float (x, y) pixels from the shoulder to the wrist, `half` (N,)
    the arm's half width in pixels at each, `measured` (N,) bool: between the first and last point measured on bare
    arm (past them the midline is the chain shifted as the nearest: a guess)."""

    points: np.ndarray
    half: np.ndarray
    measured: np.ndarray


def _arm_midline(skin: np.ndarray, chain: list[np.ndarray | None], sw: float) -> _ArmMidline | None:
    """One arm's skin (H, W) bool and its shoulder, elbow, wrist ((x, y) pixels) -> its midline, or None when a
    joint is missing or too few points along the chain lie on bare arm (`ARM_FREE`). Where the arm's skin merges
    with the torso's, the midline and half width run on between the measured points, and past them as the nearest."""
    if any(p is None for p in chain):
        return None
    h, w = skin.shape
    points = np.array(chain, np.float64)
    lengths = np.linalg.norm(np.diff(points, axis=0), axis=1)
    if lengths.min() < 1.0:
        return None
    edges = np.concatenate([[0.0], np.cumsum(lengths)])
    along = np.linspace(0.0, edges[-1], ARM_SAMPLES)
    samples = np.stack([np.interp(along, edges, points[:, k]) for k in (0, 1)], axis=1)
    segment = np.clip(np.searchsorted(edges, along, side="right") - 1, 0, len(lengths) - 1)
    direction = np.diff(points, axis=0)[segment] / lengths[segment, None]
    normals = np.stack([-direction[:, 1], direction[:, 0]], axis=1)
    scan = max(2, round(ARM_SCAN * sw))
    offsets = np.arange(-scan, scan + 1)
    centres, halves = samples.copy(), np.full(len(samples), np.nan)  # nan: no bare arm found across the chain
    for i in range(len(samples)):
        xs = np.round(samples[i, 0] + offsets * normals[i, 0]).astype(np.int64)
        ys = np.round(samples[i, 1] + offsets * normals[i, 1]).astype(np.int64)
        inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
        runs = true_runs(inside & skin[np.clip(ys, 0, h - 1), np.clip(xs, 0, w - 1)])
        if not len(runs):
            continue
        gap = np.maximum(np.maximum(runs[:, 0] - scan, scan - (runs[:, 1] - 1)), 0)  # from the chain, 0 if across it
        start, end = runs[int(np.argmin(gap))]
        if gap.min() > ARM_SEARCH * sw:
            continue
        centres[i] = samples[i] + 0.5 * (offsets[start] + offsets[end - 1]) * normals[i]
        halves[i] = np.inf if start == 0 or end == len(offsets) else 0.5 * (end - start)  # inf: past the scan
    bare = ~np.isnan(halves) & ~(halves < ARM_MIN * sw)  # (nan < x is False)
    if bare.sum() < ARM_FREE:
        return None
    free = bare & np.isfinite(halves) & (halves <= ARM_MERGED * np.median(halves[bare]))
    if free.sum() < ARM_FREE:
        return None
    shift = centres[free] - samples[free]
    midline = samples + np.stack([np.interp(along, along[free], shift[:, k]) for k in (0, 1)], axis=1)
    first, last = np.flatnonzero(free)[[0, -1]]
    measured = (np.arange(len(along)) >= first) & (np.arange(len(along)) <= last)
    return _ArmMidline(midline, np.interp(along, along[free], halves[free]), measured)


def _off_the_arm(
    skin: np.ndarray, chain: list[np.ndarray | None], arm_dist: np.ndarray, torso_dist: np.ndarray, sw: float
) -> np.ndarray:
    """(H, W) bool: pixels off one arm, given its skin (H, W) bool, its shoulder, elbow and wrist ((x, y) pixels),
    `arm_dist` (H, W) the distance to its chain and hand and `torso_dist` (H, W) to the torso's centre line. With the
    arm measured (`_arm_midline`): on the torso's side of its midline (nearer the centre line than the nearest
    midline point) farther than `ARM_SLACK` local half widths from it, and `ARM_IN_TORSO` from its hand (wider than
    the arm, not measured); else (on the arm's outer side, or past its measured points) farther than `ARM_IN_TORSO`
    from its chain."""
    chain_far = arm_dist > ARM_IN_TORSO * sw
    arm = _arm_midline(skin, chain, sw)
    if arm is None:
        return chain_far
    # measured in the box around the midline, chain and hand out to the farthest reach of either rule: all off past it
    h, w = skin.shape
    tip = hand_tip(chain)
    reach = max(ARM_SLACK * float(arm.half.max()), ARM_IN_TORSO * sw) + 2.0
    corners = np.concatenate([arm.points, np.array([*chain, tip])])
    x0, y0 = np.clip(np.floor(corners.min(axis=0) - reach), 0, [w, h]).astype(int)
    x1, y1 = np.clip(np.ceil(corners.max(axis=0) + reach) + 1, 0, [w, h]).astype(int)
    off = np.ones((h, w), bool)
    if x1 <= x0 or y1 <= y0:
        return off
    origin = np.array([x0, y0], np.float64)
    box = (slice(y0, y1), slice(x0, x1))
    # the midline drawn a point per pixel, each with its half width; every pixel takes its nearest point's
    steps = np.linalg.norm(np.diff(arm.points, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    dense = np.linspace(0.0, along[-1], max(2, int(along[-1]) + 1))
    xs = np.clip(np.round(np.interp(dense, along, arm.points[:, 0])) - x0, 0, x1 - x0 - 1).astype(np.int64)
    ys = np.clip(np.round(np.interp(dense, along, arm.points[:, 1])) - y0, 0, y1 - y0 - 1).astype(np.int64)
    canvas = np.full((y1 - y0, x1 - x0), 255, np.uint8)
    canvas[ys, xs] = 0
    dist, nearest = cv2.distanceTransformWithLabels(canvas, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    half = np.zeros(int(nearest.max()) + 1, np.float32)
    side = np.zeros_like(half)  # the centre line's distance at each midline pixel
    measured = np.zeros(len(half), bool)
    half[nearest[ys, xs]] = np.interp(dense, along, arm.half)
    side[nearest[ys, xs]] = torso_dist[box][ys, xs]
    measured[nearest[ys, xs]] = arm.measured[np.clip(np.searchsorted(along, dense), 0, len(along) - 1)]
    torso_side = (torso_dist[box] < side[nearest]) & measured[nearest]
    hand = chain_distance(canvas.shape, [chain[2] - origin, tip - origin]) > ARM_IN_TORSO * sw
    off[box] = np.where(torso_side, (dist > ARM_SLACK * half[nearest]) & hand, chain_far[box])
    return off


def _torso_skin_off_the_arms(off_arms: np.ndarray, corners: list[np.ndarray | None], sw: float) -> np.ndarray:
    """(H, W) bool: the torso quadrilateral (`corners` (x, y) in pixels: right, left shoulder, left, right hip)
    grown by `TORSO_GROW`, below the armpits (`TORSO_SKIN_BELOW`), where `off_arms` (H, W) bool (off both arms,
    `_off_the_arm`); all False when a corner is missing."""
    h, w = off_arms.shape
    torso = np.zeros((h, w), np.uint8)
    if any(c is None for c in corners):
        return torso > 0
    quad = np.round(np.array(corners)).astype(np.int32)
    cv2.fillConvexPoly(torso, quad, 1)
    # grown by its outline drawn TORSO_GROW wide on either side (a distance transform of the photo costs 10x more)
    cv2.polylines(torso, [quad], True, 1, thickness=2 * max(1, round(TORSO_GROW * sw)) + 1)
    torso[: max(0, int(max(corners[0][1], corners[1][1]) + TORSO_SKIN_BELOW * sw))] = 0
    return (torso > 0) & off_arms


#: Bare arm skin runs unbroken from the hand up to where the sleeve ends: on each arm, skin components that come no
#: nearer than HAND_REACH shoulder widths to its wrist or its hand's tip are skin-coloured fabric (`_from_the_hand`).
HAND_REACH = 0.15


def _from_the_hand(skin: np.ndarray, hand: list[np.ndarray], sw: float) -> np.ndarray:
    """One arm's skin pixels (H, W) bool -> those in components reaching its hand (the wrist and the hand's tip,
    (x, y) pixels); all of them when none does (a hand hidden or its joints off: nothing to tell by)."""
    near = np.zeros(skin.shape, np.uint8)
    for point in hand:
        cv2.circle(near, (int(point[0]), int(point[1])), max(1, int(HAND_REACH * sw)), 1, -1)
    seed = skin & (near > 0)
    return connected_to(skin, seed) if seed.any() else skin


#: Carried objects (`_carried`): the body's core is the torso polygon (shoulders, hips) grown by CARRY_TORSO shoulder
#: widths and the leg capsules (hip, knee, ankle) CARRY_LEG shoulder widths wide; a garment-labelled blob whose
#: colour is at least CARRY_COLOUR (Lab) from every main colour of the garment it was taken for (read in the torso
#: polygon and within CARRY_MIDDLE shoulder widths of the hip-knee lines), not skin, at least
#: CARRY_OUTSIDE of it beyond the core, within CARRY_REACH shoulder widths of a hand and at least CARRY_AREA shoulder
#: widths squared is a carried object (a bag).
CARRY_TORSO = 0.12
CARRY_LEG = 0.3
CARRY_MIDDLE = 0.12
CARRY_COLOUR = 12.0
#: Weights of L, a and b in that colour distance: shading and folds change a garment's lightness, not its hue.
CARRY_LAB_WEIGHTS = np.array([0.5, 1.0, 1.0])
#: On a plain garment (the interquartile range of its lightness on the body's middle under CARRY_PLAIN), pixels at
#: least CARRY_LIGHT from its median lightness are unlike it too, whatever their hue.
CARRY_PLAIN = 6.0
CARRY_LIGHT = 10.0
CARRY_OUTSIDE = 0.25
CARRY_REACH = 0.8
CARRY_AREA = 0.04
#: ... is at least CARRY_THICK shoulder widths thick (its inscribed circle's radius: a hem's trim or the shadow beside
#: an arm is thin) and lies at least CARRY_SLEEVE shoulder widths from the shoulder-elbow-wrist lines (not a sleeve).
CARRY_THICK = 0.1
CARRY_SLEEVE = 0.2
#: Label of carried objects: LIP's glove (3), the hand-held label: kept in front, never repainted as old clothes.
CARRIED = 3
_CARRY_JOINTS = (
    "right_shoulder", "left_shoulder", "right_hip", "left_hip", "right_knee", "left_knee", "right_ankle",
    "left_ankle", "right_elbow", "right_wrist", "left_elbow", "left_wrist",
)  # fmt: skip


def _carried(
    parse: np.ndarray, lab: np.ndarray, skin_dist: np.ndarray, joints: list[np.ndarray | None], sw: float
) -> None:
    """`_carried_mask` within the person's box (grown by a shoulder width: the Dress Code photos' people fill about
    a third of the frame), its bags labelled `CARRIED`."""
    ys, xs = np.nonzero(parse > 0)
    if not len(ys):
        return
    h, w = parse.shape
    m = int(sw)
    y0, y1, x0, x1 = max(0, ys.min() - m), min(h, ys.max() + 1 + m), max(0, xs.min() - m), min(w, xs.max() + 1 + m)
    shift = np.array([x0, y0], np.float64)
    box = (slice(y0, y1), slice(x0, x1))
    part = parse[box]  # a view: labelled in place
    bag = _carried_mask(part, lab[box], skin_dist[box], [None if j is None else j - shift for j in joints], sw)
    part[bag] = CARRIED


def _carried_mask(
    parse: np.ndarray, lab: np.ndarray, skin_dist: np.ndarray, joints: list[np.ndarray | None], sw: float
) -> np.ndarray:
    """(H, W) bool: bags and other carried objects. The person mask takes in what the person holds, and the colour
    split calls it old top or lower garment. Blobs of garment-labelled pixels (5, 6, 9, 12) whose colour is unlike the
    main colours of that garment inside the body's core (the torso polygon and the leg capsules of the pose) and
    unlike skin, reaching out of the core and hanging within reach of a hand (`CARRY_*`), are carried (`CARRIED`:
    kept in front, neither repainted nor replaced). On a plain garment a bag of its hue is told by its lightness
    (`CARRY_PLAIN`, `CARRY_LIGHT`); where a bag matches the garment's colour and lightness only the part outside the
    core could be told (not yet: left as garment)."""
    rs, ls, rh, lh, rk, lk, ra, la, re, rw, le, lw = joints
    h, w = parse.shape
    found = np.zeros((h, w), bool)
    if rs is None or ls is None or rh is None or lh is None:
        return found
    torso = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(torso, np.round(np.array([rs, ls, lh, rh])).astype(np.int32), 1)
    grow = max(1, round(CARRY_TORSO * sw))
    core = cv2.distanceTransform(1 - torso, cv2.DIST_L2, 3) <= grow
    # the garments' own colours are read on the body's middle (the torso, the thighs' centre lines), away from
    # where a hand holds something
    middle = torso > 0
    for chain in ((rh, rk, ra), (lh, lk, la)):
        core |= chain_distance((h, w), list(chain)) < CARRY_LEG * sw
        middle |= chain_distance((h, w), list(chain[:2])) < CARRY_MIDDLE * sw
    hands = [hand_tip([None, e, wr]) for e, wr in ((re, rw), (le, lw))]
    sleeves = np.minimum(chain_distance((h, w), [rs, re, rw]), chain_distance((h, w), [ls, le, lw]))
    reach = np.full((h, w), np.inf, np.float32)
    for wr, tip in ((rw, hands[0]), (lw, hands[1])):
        if tip is not None:
            reach = np.minimum(reach, chain_distance((h, w), [wr, tip]))
    if not np.isfinite(reach).any():
        return found
    unlike = np.zeros((h, w), bool)
    d_garment = np.zeros((h, w), np.float32)  # colour distance to the garment each pixel was taken for
    weighted = lab * CARRY_LAB_WEIGHTS
    for ids in ((5, 6), (9, 12)):
        garment = np.isin(parse, ids)
        inside = garment & middle
        if inside.sum() < 0.1 * sw * sw:
            continue
        px = weighted[garment]
        d = np.min([np.linalg.norm(px - c, axis=-1) for c in main_colours(weighted[inside])], axis=0)
        unlike[garment] = d > CARRY_COLOUR
        d_garment[garment] = d
        # a plain garment (even lightness on the body's middle): a bag of its hue, darker or lighter, is told by its
        # lightness alone (ootd_053514_0's taupe clutch against an ivory dress, L 77 against 91)
        q1, median, q3 = np.percentile(lab[inside][:, 0], (25, 50, 75))
        _LOG.debug("carry plain garment %s: lightness quartiles %.1f %.1f %.1f", ids, q1, median, q3)
        if q3 - q1 < CARRY_PLAIN:
            unlike[garment] |= np.abs(lab[garment][:, 0] - median) > CARRY_LIGHT
    unlike &= skin_dist > 3.0
    unlike = cv2.morphologyEx(unlike.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) > 0
    anywhere = unlike.copy()
    unlike &= sleeves >= CARRY_SLEEVE * sw  # a sleeve's shadowed or striped side is not held
    count, labels, stats, _ = cv2.connectedComponentsWithStats(unlike.astype(np.uint8), connectivity=8)
    for i in range(1, count):
        if stats[i, cv2.CC_STAT_AREA] < CARRY_AREA * sw * sw:
            continue
        blob = labels == i
        k = max(3, int(0.05 * sw) | 1)  # highlights and seams inside the bag
        closed = cv2.morphologyEx(blob.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
        x, y, bw, bh = stats[i, :4]
        pad = np.pad(closed[y : y + bh, x : x + bw], 1)
        thick = float(cv2.distanceTransform(pad, cv2.DIST_L2, 3).max())
        outside = (blob & ~core).sum() / blob.sum()
        _LOG.debug("carry blob area %.3f sw2 outside %.2f reach %.2f thick %.2f sw bottom %d", blob.sum() / sw / sw,
                   outside, reach[blob].min() / sw, thick / sw, y + bh)  # fmt: skip
        if outside < CARRY_OUTSIDE or reach[blob].min() > CARRY_REACH * sw or thick < CARRY_THICK * sw:
            continue
        bag = connected_to(anywhere, closed > 0) | (closed > 0)  # with its part by the arm (a clutch under it)
        # and its shades nearer its own colours than the garment's, off the body's middle (a bag's grey highlights
        # beside dark jeans)
        near = cv2.dilate(bag.astype(np.uint8), np.ones((k, k), np.uint8), iterations=3) > 0
        near &= ~middle & np.isin(parse, (5, 6, 9, 12))
        d_bag = np.min([np.linalg.norm(weighted[near] - c, axis=-1) for c in main_colours(weighted[bag])], axis=0)
        shade = np.zeros((h, w), bool)
        shade[near] = d_bag < d_garment[near]
        bag |= connected_to(shade, bag)
        _LOG.info("regions: a carried object (bag) of %d pixels by a hand", int(bag.sum()))
        found |= bag & np.isin(parse, (5, 6, 9, 12))
    return found


#: The old garment's outline is grown by this share of the photo's long side into the background (`_garment_rim`).
GARMENT_RIM = 0.003


def _garment_rim(parse: np.ndarray, reach: int) -> None:
    """Background (0) within `reach` pixels of the upper garment (5, 6, 7) becomes garment: a person mask's outline
    lies mid-way through the anti-aliased rim of blended garment and wall colours, and a rim pixel left as
    background seeds the repaint of the old garment with the garment's own colour (a dark edge stays dark). Wall
    called garment is repainted as wall; only the upper garment grows, not the hair, face or arms."""
    garment = np.isin(parse, (5, 6, 7)).astype(np.uint8)
    if not garment.any():
        return
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    grown = cv2.dilate(garment * parse.astype(np.uint8), kernel)  # the nearest garment's label (6 over 5)
    rim = (parse == 0) & (grown > 0)
    parse[rim] = grown[rim]


#: A one-colour outfit is a dress (`_one_piece`) when its upper and lower parts hold the same mix of colours (the
#: shares of their pixels in each of the DRESS_CLUSTERS k-means colours of both together differ by at most DRESS_MIX
#: in total: a print's clusters drift, its mix does not), its lower part is one piece (in most rows from below the crotch to its hem a single run of pixels
#: at least DRESS_RUN hip-joint distances wide and holding DRESS_SHARE of the row's lower-garment and leg pixels: trousers
#: and shorts show two legs there) and the photo shows what lies below the hem
#: (at least DRESS_BELOW shoulder widths squared of legs, socks or shoes).
DRESS_MIX = 0.15
DRESS_CLUSTERS = 4
DRESS_RUN = 0.8
DRESS_SHARE = 0.75
DRESS_BELOW = 0.05


def _colour_mix_distance(lab: np.ndarray, a: np.ndarray, b: np.ndarray, k: int = DRESS_CLUSTERS) -> float:
    """Total variation distance in [0, 1] between the colour mixes of the (H, W) bool regions `a` and `b`: the share
    of each region's pixels nearest each of the `k` k-means colours (Lab) of both together."""
    pixels = np.concatenate((lab[a], lab[b])).astype(np.float32)
    sample = np.ascontiguousarray(pixels[:: max(1, len(pixels) // 8000)])
    cv2.setRNGSeed(0)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, _, centres = cv2.kmeans(sample, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)

    def mix(px: np.ndarray) -> np.ndarray:
        px = px[:: max(1, len(px) // 8000)]
        nearest = np.linalg.norm(px[:, None] - centres[None], axis=-1).argmin(axis=1)
        return np.bincount(nearest, minlength=k) / max(len(px), 1)

    return 0.5 * float(np.abs(mix(lab[a]) - mix(lab[b])).sum())


def _one_piece(
    parse: np.ndarray, lab: np.ndarray, yy: np.ndarray, sw: float, torso: float, hip_y: float, hip_w: float
) -> None:
    """A dress: when the lower part (9) has the top's mix of colours (a one-colour dress where no split was found, or
    a print's halves where its colours fooled the split), is one piece above its hem and ends above legs or shoes
    seen in the photo, top and lower part are one garment: relabelled dress (6), the old garment an upper try-on
    replaces (as a real parse map labels it). Trousers or shorts of the top's colour show two legs at their hem; a
    photo cut at the thighs shows nothing below. A top and skirt of one colour read as a dress too."""
    skirt = parse == 9
    top = parse == 5
    if skirt.sum() < 0.2 * sw * sw or top.sum() < 0.2 * sw * sw:
        return
    if _colour_mix_distance(lab, top, skirt) > DRESS_MIX:
        return
    hem = float(np.percentile(np.nonzero(skirt)[0], 97))  # (the skirt pixels' rows, in the order `yy[skirt]` had)
    below = np.isin(parse, (8, 16, 17, 18, 19)) & (yy > hem)
    if below.sum() < DRESS_BELOW * sw * sw:
        return
    # legs seen through a slit, and a print's skin-coloured patches taken for legs, are within the one piece; the
    # gap between trouser legs is background
    piece = skirt | np.isin(parse, (16, 17))
    rows = piece[max(0, int(hip_y + 0.25 * torso)) : int(hem)]
    if not len(rows):
        return
    widest = np.array([max(np.diff(true_runs(r), axis=1).ravel(), default=0) for r in rows], np.float64)
    share = widest / np.maximum(rows.sum(axis=1), 1)  # trousers: two legs, each about half of the row
    if np.median(widest) < DRESS_RUN * hip_w or np.median(share) < DRESS_SHARE:
        return
    _LOG.info("regions: one garment from the chest to a hem above the legs: a dress")
    parse[skirt | top] = 6


#: The person mask's outline along the old garment is re-read from the colours up to this many shoulder widths
#: beyond it (`_garment_edge`), where a soft person mask says the pixel may be the person (`MAYBE_PERSON`).
EDGE_SW = 0.1
MAYBE_PERSON = 0.1


#: `_local_mean` blurs at a resolution where its Gaussian sigma is about this many pixels (a wide blur of a
#: full-size photo cost seconds; the mean is smooth).
LOCAL_MEAN_SIGMA_PX = 8.0


def _local_mean(values: np.ndarray, seed: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """The Gaussian-weighted mean (sigma pixels) of `values` (H, W, C) float32 over the `seed` (H, W) bool pixels
    around each pixel, (H, W, C), and where any seed is near enough to give one, (H, W) bool; computed at a reduced
    resolution (`LOCAL_MEAN_SIGMA_PX`) and resized back."""
    h, w = seed.shape
    scale = max(1.0, sigma / LOCAL_MEAN_SIGMA_PX)
    small = (max(1, round(w / scale)), max(1, round(h / scale)))
    weight = cv2.resize(seed.astype(np.float32), small, interpolation=cv2.INTER_AREA)
    total = cv2.resize(values * seed[..., None], small, interpolation=cv2.INTER_AREA)
    weight = cv2.GaussianBlur(weight, (0, 0), sigma / scale)
    total = cv2.GaussianBlur(total, (0, 0), sigma / scale)
    mean = cv2.resize(total / np.maximum(weight[..., None], 1e-6), (w, h), interpolation=cv2.INTER_LINEAR)
    ok = cv2.resize(weight, (w, h), interpolation=cv2.INTER_LINEAR) > 1e-3
    return mean.reshape(h, w, -1), ok


def _garment_or_wall(
    lab: np.ndarray, garment: np.ndarray, wall: np.ndarray, reach: int, where: np.ndarray, *, wall_main: bool = False
) -> np.ndarray | None:
    """(H, W) float32: how much nearer each pixel's Lab colour is to the upper garment's than to the wall's around it
    (Lab units, clipped to +-20 and blurred a little; > 0: garment-like) at the `where` (H, W) bool pixels, those
    asked about (0 farther than the blur's reach from them), or None with too little of either to tell.

    The garment's colour is its main colours (k-means of its inside, `garment` (H, W) bool farther than half the
    `reach` from its outline) or its mean nearby; the wall's, a blur of the `wall` (H, W) bool pixels around, or
    with `wall_main` also the main colours of the wall within 4 `reach` of the garment (a blur beside a red logo on
    a white wall is pink: the white wall next to the arm read as nearer a white top's colour)."""
    inside = garment & (cv2.distanceTransform(garment.astype(np.uint8), cv2.DIST_L2, 3) > 0.5 * reach)
    if wall.sum() < 100 or inside.sum() < 100:
        return None
    where = cv2.dilate(where.astype(np.uint8), np.ones((13, 13), np.uint8)) > 0  # (the blur's reach, below)
    px = lab[where]

    def distance(colours: list[np.ndarray]) -> np.ndarray:
        return np.min([np.linalg.norm(px - c, axis=-1) for c in colours], axis=0)

    bg_mean, bg_ok = _local_mean(lab, wall, 2.0 * reach)
    gar_mean, gar_ok = _local_mean(lab, inside, 2.0 * reach)
    d_bg = np.where(bg_ok[where], np.linalg.norm(px - bg_mean[where], axis=-1), np.inf)
    if wall_main:
        near = wall & (cv2.distanceTransform((~garment).astype(np.uint8), cv2.DIST_L2, 3) <= 4 * reach)
        if near.sum() >= 100:
            d_bg = np.minimum(d_bg, distance(main_colours(lab[near])))
    d_gar = distance(main_colours(lab[inside]))
    d_gar = np.minimum(d_gar, np.where(gar_ok[where], np.linalg.norm(px - gar_mean[where], axis=-1), np.inf))
    score = np.zeros(where.shape, np.float32)
    score[where] = np.clip(d_bg - d_gar, -20.0, 20.0)
    return cv2.GaussianBlur(score, (0, 0), 1.5)  # (a 13-tap kernel)


def _garment_edge(parse: np.ndarray, lab: np.ndarray, sw: float, maybe: np.ndarray, above: np.ndarray) -> None:
    """Old garment beyond the person mask (a coarse mask cuts a white top's side off a light wall, or the strip of
    top between an arm and the hips): background pixels that the soft person mask says may be the person (`maybe`,
    (H, W) bool), within `EDGE_SW` shoulder widths of the upper garment (5), whose Lab colour is nearer the
    garment's than the background's colour around them (`_garment_or_wall`, the background the soft mask is sure
    of), connected to the garment, become garment; none `above` ((H, W) bool: the pixels above the line through the
    pose's shoulder joints). Above it the person mask's outline is the shoulders' and the neck's skin, not a side of
    the old garment: a cream tank's colour on a beige wall beside a bare shoulder made a bump of old top on the wall
    that the new garment was then grown over, a striped hood above cat_Yifeng_0's shoulder. Only added: wall inside
    the mask is `_wall_in_edge`'s."""
    garment = parse == 5
    background = parse == 0
    reach = max(2, round(EDGE_SW * sw))
    if garment.sum() < 200 or not (background & maybe).any():
        return
    d_garment = cv2.distanceTransform((~garment).astype(np.uint8), cv2.DIST_L2, 3)
    band = background & maybe & (d_garment <= reach)
    if not band.any():
        return
    score = _garment_or_wall(lab, garment, background & ~maybe, reach, band)
    if score is None:
        return
    candidate = band & (score > 0)
    closed = cv2.morphologyEx((candidate | garment).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    candidate |= band & (closed > 0)
    # (joined to the garment through them as before: a white sleeve's side cut off a white wall, ootd_02849_00, is
    # joined to the sleeve over its shoulder only)
    parse[connected_to(candidate, garment) & ~above] = 5


#: Upper-garment pixels within `EDGE_SW` of the background whose colour is nearer the wall's than the garment's by
#: more than this (Lab units, `_garment_or_wall`) are wall (`_wall_in_edge`) ...
WALL_MARGIN = 5.0
#: ... unless they are a blend of the two (the outline's anti-aliased rim): in RGB, at least BLEND_FROM of the way
#: from the wall's colour towards the garment's, and off that line by at most BLEND_OFF of the two colours' distance.
BLEND_FROM = 0.1
BLEND_OFF = 0.12
#: Garment specks under this many shoulder widths squared left beside the wall found are wall too.
WALL_SPECK = 0.015


def _blend(rgb: np.ndarray, garment: np.ndarray, wall: np.ndarray, sigma: float, where: np.ndarray) -> np.ndarray:
    """(H, W) bool, among the `where` (H, W) bool pixels: those of `rgb` (H, W, 3) whose colour lies on the line from
    the wall's local mean colour (of the `wall` (H, W) bool pixels, Gaussian `sigma`) to one of the garment's main
    colours (of its `garment` (H, W) bool pixels), past `BLEND_FROM` of the way and within `BLEND_OFF` of their
    distance off it: the two blended at the outline."""
    w = _local_mean(rgb, wall, sigma)[0][where]
    px = rgb[where]
    hit = np.zeros(len(px), bool)
    for colour in main_colours(rgb[garment]):
        step = colour - w
        length2 = np.maximum((step * step).sum(axis=-1), 1e-6)
        t = ((px - w) * step).sum(axis=-1) / length2
        off = px - w - t[:, None] * step
        hit |= (t >= BLEND_FROM) & ((off * off).sum(axis=-1) <= BLEND_OFF**2 * length2)
    out = np.zeros(where.shape, bool)
    out[where] = hit
    return out


def _wall_in_edge(parse: np.ndarray, rgb: np.ndarray, lab: np.ndarray, sw: float) -> None:
    """Wall inside the person mask's outline is background (0), in place in `parse` (H, W) int64: upper-garment pixels
    (5, 6, 7) within `EDGE_SW` shoulder widths of the background whose colour is nearer the wall's around them than
    the garment's (by `WALL_MARGIN`) and no blend of the two (`_blend`), joined to the background through such
    pixels (`rgb` (H, W, 3) [0, 1], `lab` its Lab). A person mask takes in the wall's shadow beside a bent arm (its
    hole between the arm and the waist is smaller than the wall seen there); as old garment it was repainted, and
    the repaint took a logo on the wall beside it for more of the old garment: a pink smear beyond the elbow."""
    garment = np.isin(parse, (5, 6, 7))
    background = parse == 0
    reach = max(2, round(EDGE_SW * sw))
    if garment.sum() < 200 or not background.any():
        return
    band = garment & (cv2.distanceTransform((~background).astype(np.uint8), cv2.DIST_L2, 3) <= reach)
    if not band.any():
        return
    # (the garment's colour from deeper inside: a wide shadow taken in was its own colour's sample near the arm)
    score = _garment_or_wall(lab, garment & ~band, background, reach, band, wall_main=True)
    if score is None:
        return
    wall = band & (score < -WALL_MARGIN)
    if wall.any():
        wall &= ~_blend(rgb, garment & ~band, background, 2.0 * reach, wall)
    wall = connected_to(wall, background)
    parse[wall] = 0
    # and the specks of it left in the band beside what went (a pixel or two of a shadow's blended rim, which the
    # garment's rim then grew back into a blob of old top on the wall)
    left = np.isin(parse, (5, 6, 7))
    near = cv2.dilate(wall.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    specks = left & ~_drop_specks(left, WALL_SPECK * sw * sw)
    parse[connected_to(specks, specks & near)] = 0


#: Hair whose median Lab chroma (above the chin) is at least HAIR_CHROMA is coloured: below the chin, pixels
#: under HAIR_GREY of its chroma are not taken for it (`_long_hair`).
HAIR_CHROMA = 12.0
HAIR_GREY = 0.4
#: ... and grey or black hair (under HAIR_CHROMA) is not taken for pixels over HAIR_CHROMA and HAIR_COLOURED times its
#: chroma (the shaded neck under a grey-haired man's jaw, chroma 13-24 against his hair's 5, was hair).
HAIR_COLOURED = 2.0
#: Weights of L, a and b in the colour distances of `_long_hair` (dark brown curls on a maroon knit differ in hue).
HAIR_LAB_WEIGHTS = np.array([0.5, 1.0, 1.0])


def _long_hair(
    parse: np.ndarray,
    lab: np.ndarray,
    skin: np.ndarray,
    skin_mask: np.ndarray,
    chin_y: float,
    under_jaw: np.ndarray,
    neck: np.ndarray,
    sw: float,
    yy: np.ndarray,
    xx: np.ndarray,
    split: float,
) -> None:
    """Hair falling below the chin: garment pixels nearer the hair colour (sampled above the chin) than the
    garment colour (sampled on the chest, away from the hair), connected to the hair above, become hair (2); grey
    pixels (low chroma) are not taken for coloured hair (`HAIR_CHROMA`, `HAIR_GREY`: black lace, a white collar).
    When in doubt a pixel is hair: painting over hair is worse than leaving a little old garment."""
    hair_above = (parse == 2) & (yy <= chin_y)
    if hair_above.sum() < 50:
        return
    # (the colour statistics from the pixels they sample, `HAIR_LAB_WEIGHTS` applied to those pixels only: the same
    # products as weighting the whole photo first)
    hair_lab = lab[hair_above]
    hair_px = hair_lab * HAIR_LAB_WEIGHTS
    hair = np.median(hair_px, axis=0)
    hair_spread = max(float(np.median(np.linalg.norm(hair_px - hair, axis=1))), 4.0)
    chest_zone = (parse == 5) & (yy > neck[1] + 0.25 * sw) & (yy < min(neck[1] + 1.0 * sw, split))
    chest_zone &= np.abs(xx - neck[0]) < 0.2 * sw
    if chest_zone.sum() < 20:
        return
    garment_px = lab[chest_zone] * HAIR_LAB_WEIGHTS
    garment = np.median(garment_px, axis=0)
    if np.linalg.norm(hair - garment) < 1.5 * hair_spread:  # hair and top alike: cannot tell them apart
        return
    zone = ((yy > chin_y - 2) | under_jaw) & (yy < min(neck[1] + 2.0 * sw, split))
    head_x = np.nonzero(hair_above)[1]
    left, right = np.percentile(head_x, 2), np.percentile(head_x, 98)
    zone &= (xx > left - 0.25 * sw) & (xx < right + 0.25 * sw)  # hair falls around the head, not out to the arms
    if not zone.any():
        return
    # (the colour distances and filters on `zone`'s box grown by the filters' reach, the strands' 5 x 5 box and the
    # k x k one after it: the same values at its pixels as over the whole photo, at a fraction of the pixels)
    k = max(3, int(0.05 * sw) | 1)
    y0, y1, x0, x1 = mask_box(zone, k // 2 + 3)
    box = (slice(y0, y1), slice(x0, x1))
    lab_box = lab[box]
    lightness = lab_box[..., 0]
    # hair against the skin: in Lab; against the garment: with less weight on the lightness (hair's varies with
    # the light, shine and shadows, its hue much less: dark brown curls on a maroon knit)
    d_skin = np.linalg.norm(lab_box - skin, axis=-1)
    d_hair_skin = np.linalg.norm(lab_box - np.median(hair_lab, axis=0), axis=-1)
    lab_box = lab_box * HAIR_LAB_WEIGHTS
    d_hair = np.linalg.norm(lab_box - hair, axis=-1)
    # a top of several colours (lace over a knit, stripes): distance to the nearest of its main colours
    d_garment = np.min([np.linalg.norm(lab_box - c, axis=-1) for c in main_colours(garment_px)], axis=0)
    # strands: light hair is close to skin in colour but not smooth like it
    mean = cv2.blur(lightness, (5, 5))
    texture = np.sqrt(np.maximum(cv2.blur(lightness * lightness, (5, 5)) - mean * mean, 0.0))
    hairy = (d_hair < d_garment) & ((d_hair_skin < d_skin) | (texture > 3.0)) & (d_hair < 3.0 * hair_spread)
    # coloured hair (brown, blonde, red) is not grey: a black lace yoke or a white collar under it is garment
    chroma = np.hypot(lab_box[..., 1], lab_box[..., 2])
    hair_chroma = float(np.median(np.hypot(hair_px[:, 1], hair_px[:, 2])))
    if hair_chroma >= HAIR_CHROMA:
        hairy &= chroma >= HAIR_GREY * hair_chroma
    else:  # grey or black hair is not coloured: the shaded skin under a jaw is (brown stubble read as grey hair)
        hairy &= chroma <= max(HAIR_CHROMA, HAIR_COLOURED * hair_chroma)
    hairy = cv2.blur(hairy.astype(np.float32), (k, k)) > 0.5
    parse_box = parse[box]
    near = hairy & (
        np.isin(parse_box, (5, 14, 15)) | ((parse_box == 10) & (~skin_mask[box] | (texture > 4.0)))
    )  # strands over the neck
    candidate = np.zeros_like(zone)
    candidate[box] = near & zone[box]
    grown = connected_to(candidate, parse == 2)
    parse[grown] = 2


def estimate_regions(
    image: Tensor,
    pose: Pose,
    *,
    silhouette: Tensor | None = None,
    face: Tensor | None = None,
    threshold: float = 0.1,
) -> RegionEstimate:
    """Estimate the garment region and the regions to keep from the pose and a person silhouette.

    Args:
        image: (B, 3, H, W) float RGB in [0, 1].
        pose: `Pose` with B or 1 rows, in the pixels of `image` (rescaled if its canvas differs); needs the neck
            and both shoulders.
        silhouette: (B, 1, H, W) or (1, 1, H, W) float person mask in [0, 1] (> 0.5 is the person); a soft mask
            (a probability) also marks where the person may reach beyond that (`MAYBE_PERSON` to 0.5), where the
            old garment's outline is read from the colours (`_garment_edge`); None = computed with
            `silhouette_plain_background` (plain studio backgrounds only).
        face: (B, 1, H, W) or (1, 1, H, W) float mask of the face (forehead to chin, ear to ear), e.g. the
            face-mesh outline of `analyse_person`; None = an ellipse around the nose.
        threshold: background distance for the computed silhouette.

    Returns:
        `RegionEstimate` (see its attributes); `method` names the lower-quality path.
    """
    check_image(image, "image")
    batch, _, h, w = image.shape
    check_pose_joints(pose, _NEEDED, name="pose")
    if pose.batch_size not in (1, batch):
        raise ValueError(f"pose: batch of {pose.batch_size} does not match image batch {batch}")
    if pose.canvas_hw != (h, w):
        pose = pose.rescaled((h, w))
    maybe = None
    if silhouette is None:
        sil = silhouette_plain_background(image, pose=pose, threshold=threshold)
        how = "silhouette from the plain background"
    else:
        check_shape(silhouette, "silhouette", ("B", 1, h, w))
        if silhouette.shape[0] not in (1, batch):
            raise ValueError(f"silhouette: batch of {silhouette.shape[0]} does not match image batch {batch}")
        soft = silhouette.detach().float().cpu().expand(batch, 1, h, w)
        sil = (soft > 0.5).float()
        maybe = ((soft > MAYBE_PERSON) & (soft <= 0.5)).numpy()
        how = "silhouette given"
    faces = None
    if face is not None:
        check_shape(face, "face", ("B", 1, h, w))
        if face.shape[0] not in (1, batch):
            raise ValueError(f"face: batch of {face.shape[0]} does not match image batch {batch}")
        faces = (face.detach().float().cpu() > 0.5).expand(batch, 1, h, w).numpy()
    joints = pose.joints.detach().float().cpu().numpy()
    rows = []
    for b in range(batch):
        rgb = image[b].detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy()
        hint = None if faces is None else faces[b, 0]
        edge = None if maybe is None or not maybe[b, 0].any() else maybe[b, 0]
        rows.append(_one(rgb, sil[b, 0].numpy() > 0.5, joints[b if joints.shape[0] > 1 else 0], hint, edge))
    parse = torch.from_numpy(np.stack(rows))
    sil = (parse > 0).float()[:, None]  # the mask used, with the old garment found beyond its outline
    garment = torch.isin(parse, torch.tensor(VITONHD_UPPER_CLOTHES)).float()[:, None]
    keep_ids = torch.tensor((*VITONHD_HEAD, *VITONHD_NECK, *VITONHD_ARMS, *VITONHD_LOWER_BODY, CARRIED))
    keep = torch.isin(parse, keep_ids).float()[:, None]
    return RegionEstimate(parse, garment, keep, sil.contiguous(), f"{REGION_METHOD}; {how}")


#: Edge-aware refinement of a coarse person probability (`refine_person_mask`): the guided filter's window radius
#: as a share of the photo's long side (MediaPipe's mask comes from a 256-pixel grid over the person: on a
#: full-length photo its outline steps by about 1 % of the long side), and its regulariser (a squared RGB difference:
#: image edges of more than about sqrt(eps) move the mask's edge onto them).
REFINE_RADIUS = 0.01
REFINE_EPS = 4e-4


def refine_person_mask(
    image: Tensor, soft: Tensor, *, radius: float = REFINE_RADIUS, eps: float = REFINE_EPS
) -> Tensor:
    """A coarse person probability with its outline moved onto the photo's edges (a colour-guided filter).

    A segmentation computed on a coarse grid and upsampled has a stair-stepped outline; the guided filter (the
    output is locally an affine function of the RGB guide) makes it follow the colour edges of the photo at full
    resolution, while flat regions keep the coarse value.

    Args:
        image: (B, 3, H, W) float RGB in [0, 1], the guide.
        soft: (B or 1, 1, H, W) float person probability in [0, 1].
        radius: window radius as a share of the long side (at least 2 pixels).
        eps: regulariser (squared RGB units).

    Returns:
        (B, 1, H, W) float in [0, 1].
    """
    check_image(image, "image")
    batch, _, h, w = image.shape
    check_shape(soft, "soft", ("B", 1, h, w))
    r = max(2, round(radius * max(h, w)))
    step = 2 if r >= 4 else 1  # the coefficients are smooth: computed at half resolution, applied at full
    small_hw = (max(1, round(w / step)), max(1, round(h / step)))
    ksize = (2 * (r // step) + 1, 2 * (r // step) + 1)

    def box(x: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(x, -1, ksize, borderType=cv2.BORDER_REFLECT)

    out = []
    for b in range(batch):
        full = image[b].detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy()
        prob = soft[b if soft.shape[0] > 1 else 0, 0].detach().float().cpu().numpy()
        guide = cv2.resize(full, small_hw, interpolation=cv2.INTER_AREA)
        p = cv2.resize(prob, small_hw, interpolation=cv2.INTER_AREA)
        mean_i = box(guide)
        mean_p = box(p)
        cov = box(guide * p[..., None]) - mean_i * mean_p[..., None]
        v = {}
        for i in range(3):
            for j in range(i, 3):
                v[i, j] = (
                    box(guide[..., i] * guide[..., j]) - mean_i[..., i] * mean_i[..., j] + (eps if i == j else 0.0)
                )
        # a = var^-1 cov, the symmetric 3x3 inverse by cofactors
        c00 = v[1, 1] * v[2, 2] - v[1, 2] ** 2
        c01 = v[0, 2] * v[1, 2] - v[0, 1] * v[2, 2]
        c02 = v[0, 1] * v[1, 2] - v[0, 2] * v[1, 1]
        c11 = v[0, 0] * v[2, 2] - v[0, 2] ** 2
        c12 = v[0, 1] * v[0, 2] - v[0, 0] * v[1, 2]
        c22 = v[0, 0] * v[1, 1] - v[0, 1] ** 2
        det = v[0, 0] * c00 + v[0, 1] * c01 + v[0, 2] * c02
        a = (
            np.stack(
                (
                    c00 * cov[..., 0] + c01 * cov[..., 1] + c02 * cov[..., 2],
                    c01 * cov[..., 0] + c11 * cov[..., 1] + c12 * cov[..., 2],
                    c02 * cov[..., 0] + c12 * cov[..., 1] + c22 * cov[..., 2],
                ),
                axis=-1,
            )
            / det[..., None]
        )
        bias = mean_p - (a * mean_i).sum(axis=-1)
        a = cv2.resize(box(a), (w, h), interpolation=cv2.INTER_LINEAR)
        bias = cv2.resize(box(bias), (w, h), interpolation=cv2.INTER_LINEAR)
        q = (a * full).sum(axis=-1) + bias
        out.append(torch.from_numpy(np.clip(q, 0.0, 1.0).astype(np.float32)))
    return torch.stack(out)[:, None]


def _mediapipe_ready() -> bool:
    from ..keypoints.pose_mediapipe import mediapipe_has_bundled_model, mediapipe_version

    return mediapipe_version() is not None and mediapipe_has_bundled_model()


def estimate_person_regions(
    image: Tensor,
    pose: Pose,
    *,
    person: PersonAnalysis | None = None,
    silhouette: Tensor | None = None,
    use_mediapipe: bool = True,
    name: str = "image",
) -> RegionEstimate:
    """`estimate_regions` with the best person mask and face outline at hand, the one place that picks them.

    Order: a `silhouette` given (a segmentation node's mask); else the MediaPipe analysis that came with the pose
    (`PoseEstimate.person`); else MediaPipe's bundled models run now (when installed and `use_mediapipe`); else the
    plain-background silhouette. `RegionEstimate.method` names the source.

    Args:
        image: (B, 3, H, W) float RGB in [0, 1].
        pose: `Pose` (B or 1 rows) in the pixels of `image`.
        person: a MediaPipe `PersonAnalysis` of these photos, or None.
        silhouette: (B or 1, 1, H, W) float person mask, or None.
        use_mediapipe: allow running MediaPipe here.
        name: the photo's name in messages.
    """
    face = None
    how = None
    if silhouette is None and person is None and use_mediapipe and _mediapipe_ready():
        from ..keypoints.pose_mediapipe import analyse_person_mediapipe

        try:
            person = analyse_person_mediapipe(image, name=name)
        except ValueError as err:  # no person found: the pose came from elsewhere; say so, use the plain silhouette
            how = f"MediaPipe found no person ({err}); person mask from the plain background"
    if silhouette is None and person is not None:
        # MediaPipe's mask is computed on a coarse grid: its outline is moved onto the photo's edges first
        silhouette = refine_person_mask(image, person.silhouette if person.soft is None else person.soft)
        face = person.face
        how = f"person mask (edges refined on the photo) and face outline from {person.method}"
    elif person is not None:
        face = person.face
    result = estimate_regions(image, pose, silhouette=silhouette, face=face)
    if how is not None:
        result = RegionEstimate(result.parse, result.garment, result.keep, result.silhouette, f"{REGION_METHOD}; {how}")
    return result
