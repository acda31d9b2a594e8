"""Where lower-body garments and dresses land on the person: hips, knees, ankles and the waist. No weights.

Body frame (per batch item): `u` the unit vector from the wearer's right hip joint to the left one, `v` = `u` turned
to point down the body, `hw` the hip-joint distance, `torso` the neck -> mid-hip distance along `v`
(`DEFAULT_TORSO` hw without a neck).
    Waist: the top of the old trousers / skirt (parse labels 9, 12: the `WAIST_COL_Q` quantile of the column tops
        within `WAIST_COLS` hw of the centre line, leaving out columns whose run reaches above `WAIST_UP_MAX`
        torso when at least a fifth of them stay) when a parse map shows it between `WAIST_UP_MAX` torso above and 0.1
        torso below the hips; else `WAIST_UP` torso above the mid-hip; when that top edge lies under the old top (a
        shirt hanging over the waistband hides it) and below `WAIST_UP`, it is moved `HIDDEN_WAIST` of the way up to it.
        Its half-width is the person's silhouette there (every parse label but background and arms; tops below the hip
        joints neither: an open jacket is not the body), else `WAIST_HALF` hw; the hips' half-width likewise (`HIP_HALF`
        hw without a parse map).
    Scale: `sx` = body waist width / garment waist width (`_scale`: with a silhouette, averaged with the prior
        `FLAT_WAIST` / `DRESS_FLAT_WAIST` hip widths per garment waist; without one, the prior); lengths keep the
        garment's own proportions to its waist (x `sx`), clamped by the body (below).
Trousers and shorts: waist corners and centre on the waist line (when the old garment does not show under it, as wide as
    the seat times the garment's own waist / crotch-width taper, `_waist_from_seat`); the crotch `sx` x the garment's
    rise below the waist (at least `CROTCH_MIN` thigh lengths below the hips, `CROTCH_ABOVE_KNEE` above the knees:
    flat-lay photos show the legs parting below the real crotch, so the garment's own proportions decide); the hip
    points at the crotch's height, at least the body's width there and the seat's (`SEAT_BELOW` hw below the hip
    joints); each leg walks the garment's leg length along hip -> knee -> ankle (ankle = knee + thigh when missing) from
    the leg's top, at most to the ankle (trousers: never over the feet) or `SHORTS_PAST_KNEE` thigh lengths past the
    knee (shorts: its lowest hem corner), and its hem corners lie across the leg there, at least `LEG_MIN_TOP` ..
    `LEG_MIN_ANKLE` hw wide (thigh .. ankle), the outer corner away from the body's centre. When the hem lies past the
    knee, two extra pairs (`knee_{side}_outer/inner`) across the knee bend the leg there.
Skirts (and a dress's skirt): hips and hem keep the garment's depths below the waist (x `sx`), the hem at most at
    the ankles (never over the feet); the hem's centre
    follows the legs' midline (mid-hip -> mid-knee -> mid-ankle); each half-width is at least the one above it
    (hem >= hips >= waist: the skirt flares from the hips and never folds back) and the hem clears the legs
    (knees / ankles apart + `LEG_CLEAR` hw); at most `HEM_LOOSE` times that floor, or the garment's own flare
    (flat hem over flat hips to the power `FLARE_WORN`, times the placed hips, also as a floor, over old skirts,
    trousers and bare legs alike: a dress never becomes a column). Where two legs in trousers show apart
    (`_Body.legs_apart`) the silhouette is only the sides' floor, not their bound. The side points below the hips
    are at least on the straight line from the hips to the hem (no folding in over crossed or bare legs). Bags
    beside a forearm (`beyond_arms`) and what a hand carries (`NOT_BODY`) are not the silhouette; hips whose one
    side reaches far beyond the other (`HIP_UNEVEN`) take the nearer side's width.
Dresses: the bodice (the 14 upper-body landmarks, with the dress's waist in place of a top's hem) is placed by
    `place_garment_landmarks` (with the person's `BodyMasks` when given, as a top), its waist then moved onto the
    body's natural waist (`WAIST_UP`, whatever old trousers show); hips and hem as a skirt's, their depths at the
    legs' scale (`DRESS_THIGH`). A dress showing no
    waist (tent, shift, T-shirt dresses: `_spread_waistless`) then has its waist and hips moved to their garment
    rows' share of the way from the placed armpits to the hem (pinned to the natural waist, the bodice stretched
    while the skirt was squeezed). Sleeveless dresses
    (`_strap_tops`): the straps' tops on the shoulders, within the shoulder joints; the other bodice-top points
    (neckline corners) at their garment depth below them at least; the shoulder and armpit rows at least the dress's
    own width x its placed length scale x `FLAT_TO_WORN` (`_own_bodice_width`: a tent stands off the body). A hem
    cut on the slant keeps its slant: each hem corner at its own garment depth (x `sx`) off the corners' mean. The
    side points (the warp's pairs down the dress's sides; waist and hips only guide them) lie between the placed
    armpits, waist, hips and hem that bracket their garment rows, at most `SIDE_SHIFT` of the armpits -> hem depth
    off an even spread between armpits and hem.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .._checks import check_shape
from .garment_landmarks import GARMENT_LANDMARKS, GarmentLandmarks
from .garment_landmarks_lower import DRESS_LANDMARKS, LOWER_LANDMARKS, SIDE_AT, CategoryLandmarks
from .pairs import KeypointPairs
from .placement import COLLAR_UP, SEATED_DROP, SHOULDER_UP, BodyMasks, place_garment_landmarks, thigh_drop
from .pose import PRESENT_THRESHOLD, Pose

__all__ = [
    "beyond_arms",
    "NOT_BODY",
    "LOWER_REQUIRED_JOINTS",
    "LOWER_PAIR_NAMES",
    "DRESS_PAIR_NAMES",
    "check_lower_pose",
    "lower_pose_warnings",
    "seated_pose_warnings",
    "place_lower_landmarks",
    "place_dress_landmarks",
    "upper_pairs",
    "leg_flare",
]

LOWER_REQUIRED_JOINTS: tuple[str, ...] = ("right_hip", "left_hip", "right_knee", "left_knee")
KNEE_NAMES: tuple[str, ...] = ("knee_left_outer", "knee_left_inner", "knee_right_outer", "knee_right_inner")
LOWER_PAIR_NAMES: tuple[str, ...] = (*LOWER_LANDMARKS, *KNEE_NAMES)
DRESS_PAIR_NAMES: tuple[str, ...] = DRESS_LANDMARKS

WAIST_UP = 0.17  # waist above the mid-hip, x torso (Dress Code samples: median top of the trousers 0.18)
WAIST_UP_MAX = 0.45
WAIST_COLS, WAIST_COL_Q = 0.6, 0.1  # the old waistband's top edge: this quantile of the column tops within this
# many hw of the centre line (Dress Code lower pairs: a sash knot or a hand over the middle put it 20-40 px low)
WAIST_BAND = 0.05  # `_Body.waist_half` for a dress: the old skirt's or trousers' widest run this many torso
# lengths either side of the probe row (a ragged top / skirt split of estimated regions cuts the probe row short)
HIDDEN_WAIST = 0.5  # an old waistband's top edge under a hanging top is moved this share of the way up to `WAIST_UP`
WAIST_HALF = 0.8  # x hw, without a parse map
HIP_HALF = 0.95  # x hw (Dress Code samples: the body is ~1.9 hip-joint distances wide at the hip joints)
DEFAULT_TORSO = 2.7  # x hw
CROTCH_MIN = 0.05  # the garment's crotch at least this far below the hip joints, x thigh length ...
CROTCH_ABOVE_KNEE = 0.3  # ... and this far above the knees (a flat-lay photo shows the legs part below the crotch)
SHORTS_PAST_KNEE = 0.0  # shorts end at most this far below the knee joint, x thigh length (Dress Code shorts: all
# 6 end 0.04 .. 0.6 thigh lengths above it; 0.15 let a flat photo long for its waist reach 0.2 past the worn hem)
WAIST_TAPER = (0.8, 1.0)  # `_waist_from_seat`: a hidden waist's width over the seat's, the garment's own flat
# waist / crotch-width ratio held within these (Dress Code shorts: 0.65 .. 0.86; a flat photo's legs splay, so its
# width at the crotch overstates the seat's: 013563's wide cuffed shorts measure 0.65)
LEG_MIN_TOP, LEG_MIN_ANKLE = 0.9, 0.45  # a leg's minimum width at its top and at the ankle, x hw
FLARE = 1.15  # `leg_flare`: a trouser leg whose flat hem is this many times its width half-way down flares
HIP_UNEVEN = 0.6  # `_Body.hips_half`: x hw (Dress Code label maps: the sides differ by at most 0.4 hw, turned
# bodies included; a bag labelled as the dress by estimated regions by 0.8)
SEAT_BELOW = 0.15  # the seat's width (a floor for the hips' at the crotch) this many hw below the hip joints (tops
# hanging there are not the body)
HIP_LOOSE = 1.08  # hips at most this times the body's half-width there (flat-lay garments look wider than worn)
FLAT_TO_WORN = 0.8  # a flat-lay skirt's width below the waist, seen from the front when worn (a flat width is
# half the girth; a round section shows 2 / pi of it, a flatter one more)
FLARE_WORN = 0.6  # the hem / hips ratio worn, as a power of the flat photo's (a worn flare drapes in folds)
HEM_LOOSE = 1.25  # a skirt's hem at most this times its floor (the hips' half-width or the legs' clearance)
LEG_CLEAR = 0.35  # a skirt's hem half-width at least the legs' half-spread + this, x hw
FLAT_WAIST = 1.6  # a trouser / skirt waistband's flat width, x hw, without a silhouette (Dress Code pairs: 1.2 .. 1.8)
DRESS_FLAT_WAIST = 1.62  # a dress's waist flat width, x hw (its skirt's widths; its length: `DRESS_THIGH`): the 7
# Dress Code pairs' worn waist-to-hem length needed 1.47 .. 1.82 (median 1.61; 1.75, the flat width's own median)
DRESS_THIGH = 0.69  # a dress's skirt depths: person px per garment px = this x thigh length / the dress's flat waist
# width (the 7 paired Dress Code dresses' scale at `DRESS_FLAT_WAIST` x waist / thigh: 0.64 .. 0.72, so their lengths
# hardly change). At the hips' scale, hip joints far apart for the legs' length (the unseen persons, MediaPipe: 0.44
# .. 0.49 thigh lengths; the paired models, OpenPose: 0.37 .. 0.43) put every dress's hem at the ankles
DRESS_THIGH_MIN = 0.6  # ... the thigh's length taken as at least this x torso (the paired models: 0.69 .. 0.85): a
# seated person's thighs, foreshortened towards the camera, would pull the hem up onto the lap
SIDE_SHIFT = 0.05  # `_side_targets`: a side point at most this share of the armpits -> hem depth off the even spread
SCALE_TRUST = (0.85, 1.15)  # a measured scale is held within these factors of the prior before the two are averaged
SIL_LOOSE = 0.12  # with a silhouette: a side at most this many hw outside it (and never inside it)
ARMPIT_ABOVE_WAIST = 0.05  # `_armpits_above_waist`: a dress's armpits at least this far above its waist, x torso
# (only an armpit fallen to the waist moves: at 0.2, tank dresses on the Dress Code pairs' high hip joints moved too)
SIL_SHOWN = 0.3  # `_fit_sides`: a silhouette reaching less than this many hw from a row's centre does not show that
# side (a top's hem below the hip joints is left out of it, hands are not the body; fitted to it, a skirt's side
# point fell onto the centre line and the skirt tore open down that side)
BEYOND_ARM = 0.3  # `beyond_arms`: this many hw farther out than a forearm or hand beside the body is not the body
ARM_BESIDE = 0.8  # ... a forearm or hand counts as beside the body this many hw or more from its centre line
BAG_HANG = 0.6  # ... and below the hand for this many hw (a bag held at the hand hangs below it)
NOT_BODY = (3, 14, 15)  # what a hand carries (estimated regions label a bag so) and the arms: not the body
_LOWER_WORN = (6, 9, 12)  # dress, pants, skirt: the old garment's own width at the waist, when it shows there
_TOPS = (5, 7)  # upper clothes, coat: not the body's width below the hip joints

_TOP_POINTS = ("collar_right", "collar_center", "collar_left", "shoulder_right", "shoulder_left")
_J = {"neck": 1, "rh": 9, "rk": 10, "ra": 11, "lh": 12, "lk": 13, "la": 14}


def check_lower_pose(pose: Pose, *, name: str = "pose", category: str = "lower") -> None:
    """Raise unless every batch item has both hips and both knees; the message names all missing joints."""
    if not isinstance(pose, Pose):
        raise TypeError(f"{name}: expected a Pose, got {type(pose).__name__}")
    for i in range(pose.batch_size):
        missing = [j for j in LOWER_REQUIRED_JOINTS if not bool(pose.present(j, PRESENT_THRESHOLD)[i])]
        if missing:
            raise ValueError(
                f"{name}: a {category} garment is placed from the hips and knees; batch item {i} is missing "
                f"{', '.join(missing)} (a photo cut above the knees cannot wear one; use a full-body photo)"
            )


def lower_pose_warnings(pose: Pose, *, name: str = "pose", category: str = "lower") -> tuple[str, ...]:
    """Sentences for batch items whose knees, present, lie below the photo's bottom edge: a photo cut at the thighs,
    whose legs the estimator extrapolated (MediaPipe on the unseen demo photos cut at the thighs: knees at 1.02-1.24
    of the height, confidence 0.3-0.9). The lower garment or dress is placed on those guesses and only its top shows.

    Args:
        pose: `Pose`, joints in the pixels of its canvas (B, 25, 3).
        name: the pose's name in the sentences.
        category: "lower" or "dress", for the sentences.

    Returns:
        one sentence per such batch item, empty when every item shows its knees.
    """
    h = pose.canvas_hw[0]
    out = []
    for i in range(pose.batch_size):
        ys = [float(pose.joint(k)[i, 1]) for k in ("right_knee", "left_knee") if bool(pose.present(k)[i])]
        if ys and max(ys) > h - 0.5:  # below the last pixel row's centre
            out.append(
                f"{name}: batch item {i}: the knees lie below the photo (estimated at {max(ys) / h:.2f} of its "
                f"height): the photo is cut at the thighs, so the {category} garment is placed on guessed knees and "
                "only its top shows; use a photo showing the knees (a full-body photo for long garments)"
            )
    return tuple(out)


def seated_pose_warnings(pose: Pose, *, name: str = "pose") -> tuple[str, ...]:
    """Sentences for batch items whose thighs, both hips and at least one knee present, drop on average less than
    `SEATED_DROP` torso lengths below the hips: a seated or crouching person. Placement assumes a standing body (the
    hem hangs from the hips, the arms and waist are repainted from a standing person's shapes): the garment lands
    on the lap and the repainted arms and neck come out wrong (IDM-VTON's demo photo of a seated man: long pale arms).

    Args:
        pose: `Pose`, joints in the pixels of its canvas (B, 25, 3).
        name: the pose's name in the sentences.

    Returns:
        one sentence per such batch item, empty when every item stands (or its legs are not found).
    """
    out = []
    for i in range(pose.batch_size):
        drop = thigh_drop(pose.joints[i])
        if drop is not None and drop < SEATED_DROP:
            out.append(
                f"{name}: batch item {i}: the person seems seated or crouching (thighs drop {drop:.2f} torso lengths "
                f"below the hips, standing is over {SEATED_DROP}): the try-on assumes a standing person, so the "
                "garment, arms and neck may come out wrong; use a photo of the person standing"
            )
    return tuple(out)


def beyond_arms(joints: Tensor, size_hw: tuple[int, int]) -> Tensor:
    """Pixels farther from the body's centre line than a forearm or hand hanging beside them (at least
    `ARM_BESIDE` hw out) by more than `BEYOND_ARM` hw, at that forearm's depths and `BAG_HANG` hw below the hand:
    a bag held or hung there, never the body, so it neither widens a skirt or dress nor bounds it (an estimated person
    mask includes bags).

    Args:
        joints: (25, 3) BODY_25 joints in pixels of `size_hw` (hips, elbows, wrists; a missing arm marks nothing).
        size_hw: (H, W).

    Returns:
        (H, W) bool.
    """
    h, w = size_hw
    out = torch.zeros(h, w, dtype=torch.bool)
    j = joints.detach().double().cpu()
    if j[9, 2] <= PRESENT_THRESHOLD or j[12, 2] <= PRESENT_THRESHOLD:
        return out
    rh, lh = j[9, :2], j[12, :2]
    hw = (lh - rh).norm().clamp_min(1.0)
    u = (lh - rh) / hw
    v, hip = _perp(u), (rh + lh) / 2
    xy = torch.stack(torch.meshgrid(torch.arange(w), torch.arange(h), indexing="xy"), -1).double() - hip
    a, d = xy @ u, xy @ v
    t = torch.linspace(0, 1, 16, dtype=torch.float64)[:, None]
    for elbow, wrist, sign in ((3, 4, -1.0), (6, 7, 1.0)):  # the wearer's right arm on the -u side
        if j[elbow, 2] <= PRESENT_THRESHOLD or j[wrist, 2] <= PRESENT_THRESHOLD:
            continue
        e, wr = j[elbow, :2], j[wrist, :2]
        tip = wr + 0.4 * (wr - e)
        # forearm, hand, and what hangs from the hand (a bag held there reaches below it)
        pts = torch.cat((e + t * (wr - e), wr + t * (tip - wr), tip + t * BAG_HANG * hw * v))
        pa, pd = (pts - hip) @ u, (pts - hip) @ v
        order = torch.argsort(pd)
        pa, pd = pa[order].numpy(), pd[order].numpy()
        if pd[-1] - pd[0] < 1.0:
            continue
        arm_a = torch.from_numpy(np.interp(d.numpy(), pd, pa))
        at = (d >= float(pd[0])) & (d <= float(pd[-1])) & (sign * arm_a >= ARM_BESIDE * hw)
        out |= at & (sign * (a - arm_a) > BEYOND_ARM * hw)
    return out


def _perp(u: Tensor) -> Tensor:
    return torch.stack((-u[1], u[0]))


def _joint(j: Tensor, key: str) -> Tensor | None:
    row = j[_J[key]]
    return row[:2] if row[2] > PRESENT_THRESHOLD else None


class _Body:
    """Body frame and measurements of one person (float64, pixels)."""

    def __init__(self, j: Tensor, parse: Tensor | None, beyond: Tensor | None = None) -> None:
        self.rh, self.lh = j[_J["rh"], :2], j[_J["lh"], :2]
        self.rk, self.lk = j[_J["rk"], :2], j[_J["lk"], :2]
        self.hw = (self.lh - self.rh).norm().clamp_min(1.0)
        self.u = (self.lh - self.rh) / self.hw
        self.v = _perp(self.u)
        self.hip = (self.rh + self.lh) / 2
        thigh = ((self.rk - self.rh).norm() + (self.lk - self.lh).norm()) / 2
        self.thigh = thigh.clamp_min(0.5 * self.hw)
        self.ra = _joint(j, "ra")
        self.la = _joint(j, "la")
        if self.ra is None:
            self.ra = self.rk + (self.rk - self.rh)
        if self.la is None:
            self.la = self.lk + (self.lk - self.lh)
        neck = _joint(j, "neck")
        self.torso = ((self.hip - neck) @ self.v).clamp_min(self.hw) if neck is not None else DEFAULT_TORSO * self.hw
        self.body = None if parse is None else (parse > 0) & ~torch.isin(parse, torch.tensor(NOT_BODY))
        if self.body is not None:
            if beyond is None:
                beyond = beyond_arms(j, tuple(parse.shape))
            self.body = self.body & ~beyond  # a bag beside a forearm: not the body
            # a top hanging below the hips (open jacket, cardigan) is not the body's width
            h, w = parse.shape
            grid = torch.stack(torch.meshgrid(torch.arange(w), torch.arange(h), indexing="xy"), -1).double()
            below = (grid - self.hip) @ self.v > 0
            self.body = self.body & ~(below & torch.isin(parse, torch.tensor(_TOPS)))
        self.parse = parse
        self.worn_width = 1.0  # the measured waist's share of the flat-lay width (`waist_half`)
        self.waist = self.hip - WAIST_UP * self.torso * self.v
        if parse is not None:
            top = self._top_of(parse, (9, 12))
            if top is not None and -WAIST_UP_MAX * self.torso <= top <= 0.1 * self.torso:
                prior = -WAIST_UP * self.torso
                if top > prior and self._under_top(parse, top):  # the waistband hidden under a hanging top
                    top = top + HIDDEN_WAIST * (prior - top)
                self.waist = self.hip + top * self.v

    def _top_of(self, parse: Tensor, labels: tuple[int, ...]) -> Tensor | None:
        ys, xs = torch.isin(parse, torch.tensor(labels)).nonzero(as_tuple=True)
        if ys.numel() < 20:
            return None
        rel = torch.stack((xs, ys), -1).double() - self.hip
        a, d = rel @ self.u, rel @ self.v
        near = a.abs() < WAIST_COLS * self.hw
        if int(near.sum()) < 10:
            return None
        # each column's top edge across the centre: a knot, a hand or a top's hem over the waistband only pushes
        # some columns down, so the higher ones show the waistband
        col = (a[near] - a[near].min()).round().long()
        tops = torch.full((int(col.max()) + 1,), float("inf"), dtype=torch.float64)
        tops = tops.scatter_reduce(0, col, d[near], reduce="amin")
        tops = tops[torch.isfinite(tops)]
        # columns whose "pants" run up past the highest waist (estimated regions: a shirt or jacket of the
        # trousers' colour) do not show the waistband; the others do
        seen = tops[tops >= -WAIST_UP_MAX * self.torso]
        return torch.quantile(seen if seen.numel() >= 0.2 * tops.numel() else tops, WAIST_COL_Q)

    def _under_top(self, parse: Tensor, top: Tensor) -> bool:
        """Whether the old lower garment's top edge at depth `top` (below the mid-hip along `v`) lies under the old
        top: most pixels just above it (0.05 torso, within 0.4 hw of the centre line) are top or coat labels."""
        h, w = parse.shape
        ts = torch.linspace(-0.4, 0.4, 17, dtype=torch.float64)[:, None] * self.hw * self.u
        pts = self.hip + (top - 0.05 * self.torso) * self.v + ts
        xy = pts.round().long()
        inside = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
        if int(inside.sum()) == 0:
            return False
        above = parse[xy[inside, 1], xy[inside, 0]]
        return bool(torch.isin(above, torch.tensor(_TOPS)).float().mean() > 0.5)

    def waist_half(self, worn: tuple[int, ...] = _LOWER_WORN, *, band: float = 0.0) -> Tensor:
        """Half the waist's width: the old lower garment's (or dress's) run just under the waist line when it
        shows there (an open shirt or a jacket hanging at the sides does not widen it; a worn waistband seen from
        the front is `FLAT_TO_WORN` of its flat width, which `worn_width` records for the scale), else
        `half_width`'s (the silhouette, clothes included, calibrated as it is). With `band` > 0 (x torso) the run
        is the widest of the rows within `band` above and below that probe (`WAIST_BAND`): a dress's waist is the
        body's natural waist, not the old garment's top edge, and estimated regions split a worn dress into a top
        and a skirt there along a ragged line (OOTDiffusion model_9: the probe row's skirt run was 101 px, the
        rows 5 px under it 200 px, and the new dress's waist was pinched to half the body, its skirt ballooning
        out below it)."""
        if self.parse is not None:
            lower = torch.isin(self.parse, torch.tensor(worn))
            probe = self.waist + 0.05 * self.torso * self.v  # just under the waistband's top edge
            h, w = lower.shape
            steps = int(band * self.torso)
            best = None
            for dy in range(-steps, steps + 1):
                at = probe + dy * self.v
                x, y = (int(t) for t in at.round().long().tolist())
                if 0 <= x < w and 0 <= y < h and bool(lower[y, x]):
                    half = self.half_width(at, WAIST_HALF, lower)
                    best = half if best is None else torch.maximum(best, half)
            if best is not None:
                self.worn_width = FLAT_TO_WORN
                return best
        return self.half_width(self.waist, WAIST_HALF)

    def half_width(self, centre: Tensor, default: float, mask: Tensor | None = None) -> Tensor:
        """Half the silhouette's (or `mask`'s) width across `u` through `centre` (the run holding it), else
        `default` hw; clamped to 0.6 .. 1.2 times that."""
        body = self.body if mask is None else mask
        if body is None:
            return default * self.hw
        h, w = body.shape
        reach = int(3 * self.hw)
        ts = torch.arange(-reach, reach + 1, dtype=torch.float64)
        pts = centre[None] + ts[:, None] * self.u[None]
        xy = pts.round().long()
        inside = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
        hit = torch.zeros(len(ts), dtype=torch.bool)
        hit[inside] = body[xy[inside, 1], xy[inside, 0]]
        mid = reach
        if not bool(hit[mid]):
            return default * self.hw
        lo = hi = mid
        while lo > 0 and hit[lo - 1]:
            lo -= 1
        while hi < len(ts) - 1 and hit[hi + 1]:
            hi += 1
        half = (ts[hi] - ts[lo]) / 2
        return half.clamp(0.6 * default * self.hw, 1.2 * default * self.hw)

    def hips_half(self, centre: Tensor) -> Tensor:
        """Half the hips' width at `centre`: `half_width`'s, unless one side of the silhouette's run reaches
        `HIP_UNEVEN` hw farther from `centre` than the other: then that of the nearer side (clamped as
        `half_width`'s). A bag or a hand taken into the silhouette on one side (estimated regions label a held bag
        as the dress) widened both sides of the skirt, over the background beyond the other hip."""
        seen = self.across(centre, self.u, run=True)
        if seen is None or (seen[0] - seen[1]).abs() <= HIP_UNEVEN * self.hw:
            return self.half_width(centre, HIP_HALF)
        return torch.minimum(*seen).clamp(0.6 * HIP_HALF * self.hw, 1.2 * HIP_HALF * self.hw)

    def across(self, centre: Tensor, direction: Tensor, *, run: bool) -> tuple[Tensor, Tensor] | None:
        """The silhouette's reach from `centre` along -`direction` and +`direction` (pixels >= 0): the run holding
        `centre` (`run`), else the outermost body pixels within 3 hw; None without a silhouette or when empty."""
        if self.body is None:
            return None
        h, w = self.body.shape
        reach = int(3 * self.hw)
        ts = torch.arange(-reach, reach + 1, dtype=torch.float64)
        xy = (centre[None] + ts[:, None] * direction[None]).round().long()
        inside = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
        hit = torch.zeros(len(ts), dtype=torch.bool)
        hit[inside] = self.body[xy[inside, 1], xy[inside, 0]]
        if run:
            mid = reach
            if not bool(hit[mid]):
                return None
            lo = hi = mid
            while lo > 0 and hit[lo - 1]:
                lo -= 1
            while hi < len(ts) - 1 and hit[hi + 1]:
                hi += 1
            return -ts[lo], ts[hi]
        idx = hit.nonzero().flatten()
        if idx.numel() == 0:
            return None
        return (-ts[idx[0]]).clamp_min(0.0), ts[idx[-1]].clamp_min(0.0)

    def legs_apart(self, centre: Tensor) -> bool:
        """Whether the silhouette's row across `u` through `centre` shows two legs apart in trousers (two runs of
        body pixels, each at least 0.2 hw long, within 3 hw, and pants labels): no old skirt or dress there."""
        if self.body is None:
            return False
        h, w = self.body.shape
        reach = int(3 * self.hw)
        ts = torch.arange(-reach, reach + 1, dtype=torch.float64)
        xy = (centre[None] + ts[:, None] * self.u[None]).round().long()
        inside = (xy[:, 0] >= 0) & (xy[:, 0] < w) & (xy[:, 1] >= 0) & (xy[:, 1] < h)
        hit = torch.zeros(len(ts) + 2, dtype=torch.bool)
        hit[1:-1][inside] = self.body[xy[inside, 1], xy[inside, 0]]
        if self.parse is not None and not bool((self.parse[xy[inside, 1], xy[inside, 0]] == 9).any()):
            return False  # bare legs below an old skirt or dress: follow the old silhouette
        edges = torch.diff(hit.int()).nonzero().flatten()
        runs = (edges[1::2] - edges[0::2]).double()
        return int((runs >= 0.2 * self.hw).sum()) >= 2

    def fit(
        self, wanted: Tensor, silhouette: Tensor | None, cap: Tensor | None = None, *, cover: bool = True
    ) -> Tensor:
        """A side's distance from its centre line: `wanted` held between the silhouette's (`cover`; else no
        floor) and `SIL_LOOSE` hw beyond it (unchanged without a silhouette), and at most `cap`."""
        out = wanted
        if silhouette is not None:
            floor = silhouette if cap is None else torch.minimum(silhouette, cap)
            out = wanted.clamp(floor if cover else None, floor + SIL_LOOSE * self.hw)
        return out if cap is None else torch.minimum(out, cap)

    def midline(self, depth: Tensor) -> Tensor:
        """The legs' midline point `depth` below the mid-hip along `v` (mid-hip -> mid-knee -> mid-ankle)."""
        knee, ankle = (self.rk + self.lk) / 2, (self.ra + self.la) / 2
        return _along_depth((self.hip, knee, ankle), depth, self.v, self.hip)

    def legs_half(self, depth: Tensor) -> Tensor:
        """Half the spread of the knees (or ankles, lower down) at `depth` below the mid-hip, + `LEG_CLEAR` hw."""
        knee_d = ((self.rk + self.lk) / 2 - self.hip) @ self.v
        t = (depth / knee_d.clamp_min(1.0)).clamp(0.0, 2.0)
        knees = (self.lk - self.rk) @ self.u / 2
        ankles = (self.la - self.ra) @ self.u / 2
        spread = torch.where(t <= 1, self.hw / 2 + t * (knees - self.hw / 2), knees + (t - 1) * (ankles - knees))
        return spread.abs() + LEG_CLEAR * self.hw


def _along_depth(points: tuple[Tensor, ...], depth: Tensor, v: Tensor, origin: Tensor) -> Tensor:
    """The point of the polyline `points` whose depth along `v` below `origin` is `depth` (extended past its end)."""
    ds = [(p - origin) @ v for p in points]
    for a, b, da, db in zip(points[:-1], points[1:], ds[:-1], ds[1:], strict=True):
        if depth <= db or b is points[-1]:
            t = (depth - da) / (db - da).clamp_min(1e-6)
            return a + t * (b - a)
    return points[-1]


def _walk(points: tuple[Tensor, ...], length: Tensor) -> tuple[Tensor, Tensor]:
    """(point, unit direction) `length` along the polyline `points` (extended past its end)."""
    for a, b in zip(points[:-1], points[1:], strict=True):
        seg = (b - a).norm().clamp_min(1e-6)
        if length <= seg or b is points[-1]:
            d = (b - a) / seg
            return a + length * d, d
        length = length - seg
    raise AssertionError("unreachable")


def _check_landmarks(landmarks: object, category: str, names: tuple[str, ...]) -> CategoryLandmarks:
    if not isinstance(landmarks, CategoryLandmarks) or landmarks.category != category:
        raise TypeError(f"garment_landmarks: expected {category} CategoryLandmarks, got {type(landmarks).__name__}")
    check_shape(landmarks.points, "garment_landmarks.points", ("B", len(names), 3))
    return landmarks


def _batch(landmarks: CategoryLandmarks, pose: Pose, parse: Tensor | None) -> int:
    sizes = {landmarks.batch_size, pose.batch_size} | ({parse.shape[0]} if parse is not None else set())
    b = max(sizes)
    if any(s not in (1, b) for s in sizes):
        raise ValueError(
            f"garment_landmarks / pose / parse: batch sizes {landmarks.batch_size}, {pose.batch_size}, "
            f"{None if parse is None else parse.shape[0]} do not broadcast"
        )
    if parse is not None:
        check_shape(parse, "parse", ("B", *pose.canvas_hw))
    return b


def place_lower_landmarks(
    landmarks: CategoryLandmarks, pose: Pose, *, parse: Tensor | None = None, beyond: Tensor | None = None
) -> KeypointPairs:
    """Targets on the person for trousers, shorts and skirts (rules in the module docstring).

    Args:
        landmarks: lower `CategoryLandmarks` (B or 1, 13 points, garment pixels).
        pose: `Pose` (B or 1) in the person's pixels; both hips and both knees are required.
        parse: optional (B or 1, H, W) int64 LIP-20 labels of the person, (H, W) = `pose.canvas_hw`.
        beyond: optional (B or 1, H, W) bool, `beyond_arms` of each item's joints (computed when None).

    Returns:
        `KeypointPairs` (origin "classical", names `LOWER_PAIR_NAMES`: the 13 landmarks and 4 knee points),
        (B, 17, 3) pixels each side; absent points have confidence 0 on both sides.
    """
    landmarks = _check_landmarks(landmarks, "lower", LOWER_LANDMARKS)
    check_lower_pose(pose)
    b = _batch(landmarks, pose, parse)
    g_all = landmarks.points.detach().double().cpu()
    j_all = pose.joints.detach().double().cpu()
    garments, persons = [], []
    for i in range(b):
        g = g_all[i if g_all.shape[0] > 1 else 0]
        kind = landmarks.kinds[i if len(landmarks.kinds) > 1 else 0]
        body = _Body(
            j_all[i if j_all.shape[0] > 1 else 0],
            None if parse is None else parse[i if parse.shape[0] > 1 else 0].cpu(),
            None if beyond is None else beyond[i if beyond.shape[0] > 1 else 0].cpu(),
        )
        gp, pp = _place_lower_one(g, body, kind)
        garments.append(gp)
        persons.append(pp)
    dtype = landmarks.points.dtype
    device = landmarks.points.device
    return KeypointPairs(
        garment_px=torch.stack(garments).to(device=device, dtype=dtype),
        person_px=torch.stack(persons).to(device=device, dtype=dtype),
        names=LOWER_PAIR_NAMES,
        garment_hw=tuple(landmarks.garment_hw),
        person_hw=tuple(pose.canvas_hw),
        groups=1,
        origin="classical",
        pose=pose,
    )


def _place_lower_one(g: Tensor, body: _Body, kind: str) -> tuple[Tensor, Tensor]:
    idx = {n: k for k, n in enumerate(LOWER_PAIR_NAMES)}
    gp = torch.zeros(len(LOWER_PAIR_NAMES), 3, dtype=torch.float64)
    gp[: len(LOWER_LANDMARKS)] = g
    out = torch.zeros_like(gp)

    def gxy(name: str) -> Tensor:
        return gp[idx[name], :2]

    def put(name: str, xy: Tensor, conf: float | Tensor = 1.0) -> None:
        out[idx[name], :2] = xy
        out[idx[name], 2] = conf

    u, v, hw = body.u, body.v, body.hw
    waist_half = body.waist_half()
    g_waist_w = (gxy("waist_left")[0] - gxy("waist_right")[0]).abs().clamp_min(1.0)
    if kind != "skirt" and body.body is not None and body.worn_width == 1.0:  # no old waistband under the probe
        g_hip_w = (gxy("hip_left")[0] - gxy("hip_right")[0]).abs().clamp_min(1.0)
        waist_half = _waist_from_seat(body, g_waist_w / g_hip_w)
    sx = _scale(body, waist_half, g_waist_w)
    g_top = gxy("waist_center")
    put("waist_right", body.waist - waist_half * u)
    put("waist_left", body.waist + waist_half * u)
    put("waist_center", body.waist)

    def below_waist(name: str) -> Tensor:
        return sx * (gxy(name)[1] - g_top[1])

    if kind == "skirt":
        _place_skirt(gp, out, idx, body, sx, g_top, waist_half)
        return gp, out
    # trousers / shorts
    hip_d = (body.hip - body.waist) @ v
    knee_d = ((body.rk + body.lk) / 2 - body.waist) @ v
    crotch_d = below_waist("crotch").clamp(hip_d + CROTCH_MIN * body.thigh, knee_d - CROTCH_ABOVE_KNEE * body.thigh)
    crotch = body.waist + crotch_d * v
    put("crotch", crotch)
    g_hip_half = (gxy("hip_left")[0] - gxy("hip_right")[0]).abs() / 2
    # the body's width at the crotch, and at least across the hips just below their joints (the widest part the
    # garment covers; placed at the crotch only, the seat narrowed between the waist and the crotch)
    body_half = body.half_width(crotch, HIP_HALF)
    if body.body is not None:
        body_half = torch.maximum(body_half, body.half_width(body.hip + SEAT_BELOW * hw * v, HIP_HALF))
    hip_half = (g_hip_half * sx).clamp(body_half, body_half * HIP_LOOSE)
    put("hip_right", crotch - hip_half * u)
    put("hip_left", crotch + hip_half * u)
    for side, sign, knee_j, ankle_j in (
        ("right", -1.0, body.rk, body.ra),
        ("left", 1.0, body.lk, body.la),
    ):
        o, n = idx[f"leg_{side}_outer"], idx[f"leg_{side}_inner"]
        top_g = (gxy(f"hip_{side}") + gxy("crotch")) / 2
        hem_g = (gp[o, :2] + gp[n, :2]) / 2
        len_g = (hem_g - top_g).norm()
        top_p = (out[idx[f"hip_{side}"], :2] + crotch) / 2
        # the leg's path: from its top, through the knee, to the ankle (the hip joint's line, shifted)
        path = (top_p, knee_j, ankle_j)
        total = (knee_j - top_p).norm() + (ankle_j - knee_j).norm()
        # clamped by the body: trousers end at the ankle (never over the feet), shorts near the knee
        cap = (knee_j - top_p).norm() + SHORTS_PAST_KNEE * body.thigh if kind == "shorts" else total
        length = (sx * len_g).clamp(0.2 * body.thigh, cap)
        hem_w = FLAT_TO_WORN * sx * (gp[o, :2] - gp[n, :2]).norm()
        # a flared leg's outer side below the knee follows the garment, not tight old trousers or bare legs
        ratio = leg_flare(gp, idx, side) if kind == "trousers" else None
        flare = None if ratio is None else knee_j
        end, d, normal, width, o_d, i_d = _leg_hem(body, path, total, length, hem_w, sign, flare)
        if kind == "shorts":  # the cap holds the hem's lowest corner, not only its middle (a hem across a slanted
            # leg tilts: 013565's inner corner lay 16 px below the knee joint, the real hem 17 px above it)
            knee_depth = (knee_j - body.hip) @ v + SHORTS_PAST_KNEE * body.thigh
            low = torch.maximum((end + normal * o_d - body.hip) @ v, (end - normal * i_d - body.hip) @ v)
            if low > knee_depth:
                length = (length - (low - knee_depth) / (d @ v).clamp_min(0.5)).clamp_min(0.2 * body.thigh)
                end, d, normal, width, o_d, i_d = _leg_hem(body, path, total, length, hem_w, sign, flare)
        top_half = (out[idx[f"hip_{side}"], :2] - crotch).norm() / 2
        for again in (False, True):
            put(f"leg_{side}_outer", end + normal * o_d)
            put(f"leg_{side}_inner", end - normal * i_d)
            for k, t in enumerate(SIDE_AT, start=1):
                o_name, i_name = f"leg_{side}_outer_{k}", f"leg_{side}_inner_{k}"
                if gp[idx[o_name], 2] <= 0 or gp[idx[i_name], 2] <= 0:
                    continue
                at, d_t = _walk(path, t * length)
                n_t = _perp(d_t)
                if n_t @ u * sign < 0:
                    n_t = -n_t
                want = (1 - t) * top_half + t * width / 2
                o_t, i_t = _leg_fit(body, at, n_t, want, sign, loose=_below(body, at, flare))
                put(o_name, at + n_t * o_t)
                put(i_name, at - n_t * i_t)
            if ratio is None or again:
                break
            # a flare widens from the leg's middle as placed (the old trousers' or the legs' width held it there):
            # its hem at least the garment's own flare times that (from the garment's own width alone, narrower
            # than the placed knee, 051991's flares came out as straight tubes on 049713)
            mid = (out[idx[f"leg_{side}_outer_2"], :2] - out[idx[f"leg_{side}_inner_2"], :2]).norm()
            if ratio * mid <= width:
                break
            end, d, normal, width, o_d, i_d = _leg_hem(body, path, total, length, ratio * mid, sign, flare)
        to_knee = (knee_j - top_p).norm()
        if length > 1.15 * to_knee:  # the hem lies past the knee: bend the leg there
            f = to_knee / length
            k_g = top_g + f * (hem_g - top_g)
            w_top_g = (gxy(f"hip_{side}") - gxy("crotch")).norm() / 2
            w_hem_g = (gp[o, :2] - gp[n, :2]).norm()
            w_g = (1 - f) * w_top_g + f * w_hem_g
            axis_g = (hem_g - top_g) / len_g.clamp_min(1e-6)
            n_g = _perp(axis_g)
            if n_g @ (gp[o, :2] - gp[n, :2]) < 0:
                n_g = -n_g
            thigh_n = _perp((knee_j - top_p) / to_knee.clamp_min(1e-6))
            if thigh_n @ u * sign < 0:
                thigh_n = -thigh_n  # outer side, as the hem's normal: averaging opposite normals folds the leg
            knee_d = (thigh_n + normal) / 2
            knee_d = knee_d / knee_d.norm().clamp_min(1e-6)
            w_p = torch.maximum(
                FLAT_TO_WORN * sx * w_g, hw * (LEG_MIN_TOP + (to_knee / total) * (LEG_MIN_ANKLE - LEG_MIN_TOP))
            )
            k_o, k_i = _leg_fit(body, knee_j, knee_d, w_p / 2, sign)
            for name, s, dist in ((f"knee_{side}_outer", 1.0, k_o), (f"knee_{side}_inner", -1.0, k_i)):
                gp[idx[name]] = torch.cat((k_g + s * n_g * w_g / 2, torch.ones(1, dtype=gp.dtype)))
                put(name, knee_j + s * knee_d * dist)
    return gp, out


def _waist_from_seat(body: _Body, taper: Tensor) -> Tensor:
    """Half the waist's width of trousers or shorts whose old waistband does not show at the waist line (a top or
    an open shirt hangs over it, a hand lies on it): the seat's half-width (`SEAT_BELOW` hw below the hip joints,
    tops there left out) times the garment's own `taper` (flat waist / flat width at the crotch), held within
    `WAIST_TAPER`. The silhouette at the waist line is the top's there: an open shirt widened the waist (Dress Code
    013565: the new waistband's corner rose beside the shirt as a blue spur), an arm across it narrowed it to the
    floor (013568: the waistband half as wide as the real one, the old one beside it)."""
    seat = body.half_width(body.hip + SEAT_BELOW * body.hw * body.v, HIP_HALF)
    return seat * taper.clamp(*WAIST_TAPER)


def _leg_hem(
    body: _Body,
    path: tuple[Tensor, ...],
    total: Tensor,
    length: Tensor,
    hem_w: Tensor,
    sign: float,
    flare: Tensor | None = None,
) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
    """A leg's hem `length` along its `path` (xy points; `total` its length to the ankle): (axis point, unit
    direction there, outward normal, width, outer and inner distances along the normal). The width is the
    garment's worn hem width `hem_w`, at least `LEG_MIN_TOP` .. `LEG_MIN_ANKLE` hw (thigh .. ankle); a flared
    leg's (`flare`: its knee joint, xy) outer side below it is `_leg_fit`'s loose one."""
    end, d = _walk(path, length)
    frac = (length / total.clamp_min(1.0)).clamp(0.0, 1.0)
    width = torch.maximum(hem_w, body.hw * (LEG_MIN_TOP + frac * (LEG_MIN_ANKLE - LEG_MIN_TOP)))
    normal = _perp(d)
    if normal @ body.u * sign < 0:
        normal = -normal  # outer = away from the body's centre
    o_d, i_d = _leg_fit(body, end, normal, width / 2, sign, loose=_below(body, end, flare))
    return end, d, normal, width, o_d, i_d


def leg_flare(gp: Tensor, idx: dict[str, int], side: str) -> Tensor | None:
    """A flared trouser leg's flat hem width over its width half-way from the crotch to the hem, when at least
    `FLARE`; else None (also where a point is missing).

    Args:
        gp: (N, 3) garment landmarks (x, y, confidence), pixels.
        idx: each name's row in `gp` (`LOWER_PAIR_NAMES` or a superset).
        side: "right" or "left" (the wearer's): its `leg_{side}_{outer,inner}` and `..._2` points are read.
    """
    names = (f"leg_{side}_outer", f"leg_{side}_inner", f"leg_{side}_outer_2", f"leg_{side}_inner_2")
    if any(n not in idx or gp[idx[n], 2] <= 0 for n in names):
        return None
    hem = (gp[idx[names[0]], :2] - gp[idx[names[1]], :2]).norm()
    mid = (gp[idx[names[2]], :2] - gp[idx[names[3]], :2]).norm().clamp_min(1.0)
    return hem / mid if bool(hem >= FLARE * mid) else None


def _below(body: _Body, at: Tensor, knee: Tensor | None) -> bool:
    """Whether `at` (xy) lies below the `knee` joint along the body's `v` (False without a knee)."""
    return knee is not None and bool((at - knee) @ body.v > 0)


def _scale(
    body: _Body, waist_half: Tensor, g_waist_w: Tensor, flat_waist: float = FLAT_WAIST, *, sil_bounds: bool = True
) -> Tensor:
    """Person pixels per garment pixel: the body's waist over the garment's flat waist. When the old garment's own
    waist was measured (`_Body.waist_half`), the geometric mean of that (as a flat width) and the silhouette's:
    each errs (an open shirt or a jacket widens the silhouette, a top over the waistband narrows the garment's),
    and the Dress Code pairs fit best between them. With a silhouette the measure is then held within
    `SCALE_TRUST` of the body's prior (`flat_waist` hip widths over the garment's waist) and the geometric mean of
    the two taken: a silhouette widened by a bag, a hand or an open shirt made garments far too long. With
    `sil_bounds` the silhouette's measure is at most the prior (dresses: `DRESS_FLAT_WAIST` was tuned for length
    with it unbounded; bounded, the Dress Code dresses fell 0.574 -> 0.566)."""
    prior = flat_waist * body.hw / g_waist_w
    if body.body is None:
        return prior
    sx = 2 * waist_half / g_waist_w / body.worn_width
    # the silhouette holds whatever hangs over the waist (an open shirt, a cardigan, a loose blouse) and never
    # narrows it: wider than the prior it only says "no narrower" (Dress Code 013563 / 013565: an open cardigan /
    # shirt measured 1.2 x the prior and the shorts ended 39-58 px below the real hem)
    sil = 2 * body.half_width(body.waist, WAIST_HALF) / g_waist_w
    if sil_bounds:
        sil = torch.minimum(sil, prior)
    sx = (sx * sil).sqrt() if body.worn_width != 1.0 else sil
    sx = sx.clamp(SCALE_TRUST[0] * prior, SCALE_TRUST[1] * prior)
    return (sx * prior).sqrt()


def _leg_fit(
    body: _Body, at: Tensor, normal: Tensor, half: Tensor, sign: float, *, loose: bool = False
) -> tuple[Tensor, Tensor]:
    """(outer, inner) distances of a leg's sides from its axis point `at` (`normal` points outwards): `half` fitted
    to the silhouette's run across the leg there; the inner side never past the body's midline. `loose` (below
    the knee of a flared leg): the silhouette is only the outer side's floor, not its bound `SIL_LOOSE` beyond:
    over leggings or bare shins the bound drew navy flares (OOTDiffusion 051991 on CatVTON 049713) as straight
    tubes."""
    seen = body.across(at, normal, run=True)
    mid = body.midline((at - body.hip) @ body.v)
    cap = ((at - mid) @ body.u * sign).clamp_min(0.25 * half)
    if seen is None:
        return half, torch.minimum(half, cap)
    inner, outer = seen
    return (torch.maximum(half, outer) if loose else body.fit(half, outer)), body.fit(half, inner, cap)


def _fit_sides(
    body: _Body, right: Tensor, left: Tensor, *, run: bool = False, at_least: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """Targets `right` / `left` (xy) of one row moved onto the silhouette across `u` through their middle, each
    at least `at_least` from the middle (below the hips a skirt does not narrow: no lantern over the calves)."""
    centre = (right + left) / 2
    seen = body.across(centre, body.u, run=run)
    if seen is None:
        return right, left
    # above the hip joints (a dress's bodice) the silhouette only bounds: wide sleeves or a loose top beside the
    # torso are not the body's width; below, the garment covers the old clothes
    cover = bool((centre - body.hip) @ body.v > 0)
    apart = cover and body.legs_apart(centre)

    def fit(want: Tensor, sil: Tensor) -> Tensor:
        if sil < SIL_SHOWN * body.hw:  # the silhouette does not show this side
            return want
        if apart:  # over trousers or bare legs the garment's own flare: a floor only
            return torch.maximum(want, sil)
        return body.fit(want, sil, cover=cover)

    r, l_ = fit((centre - right) @ body.u, seen[0]), fit((left - centre) @ body.u, seen[1])
    if at_least is not None:
        r, l_ = torch.maximum(r, at_least), torch.maximum(l_, at_least)
    return centre - r * body.u, centre + l_ * body.u


def _side_targets(
    body: _Body, out: Tensor, idx: dict[str, int], gp: Tensor, chain: tuple[tuple[str, str], ...]
) -> None:
    """`SKIRT_SIDES` targets along the placed `chain` of (right, left) rows, top to hem (the last row is the hem),
    fitted to the silhouette; confidence 0 where the garment point or an end target is missing.

    Each side point lands between the chain's targets on its side that bracket its garment depth, at its share of
    the garment depth between them, within `SIDE_SHIFT` of an even spread (`_along_chain`). Spread evenly from the
    armpits to the hem, 020714's first side point (garment row 494, under the hips' 483) landed 28 px above the
    placed hips on 020718, where the silhouette only bounds a bodice, and the skirt's side bulged out below it (a
    flap beside the hip). Unbounded, a tent dress whose waist is read just under its armpits (020719, 0.17 .. 0.21
    of its length off the even spread; the others 0.11 .. 0.14 at most) had its print streaked down the body
    (still a little at 0.1 of the length)."""
    top, hem = chain[0], chain[-1]
    ends = [out[idx[n]] for n in (*top, *hem)]
    hips = [out[idx[n]] for n in ("hip_right", "hip_left")] if "hip_right" in idx else []
    for k in range(1, len(SIDE_AT) + 1):
        names = (f"side_right_{k}", f"side_left_{k}")
        if any(float(e[2]) <= 0 for e in ends) or any(float(gp[idx[n], 2]) <= 0 for n in names):
            for n in names:
                out[idx[n]] = 0.0
            continue
        right, left = (_along_chain(body, gp, out, idx, [row[s] for row in chain], n) for s, n in enumerate(names))
        floor = None
        if hips and all(float(h_[2]) > 0 for h_ in hips):
            hip_mid = (hips[0][:2] + hips[1][:2]) / 2
            below = ((right + left) / 2 - hip_mid) @ body.v
            if below > 0:  # below the hips: at least the straight line from the hips to the hem (no folding in)
                hip_half = (hips[1][:2] - hips[0][:2]) @ body.u / 2
                hem_half = (ends[3][:2] - ends[2][:2]) @ body.u / 2
                depth = (((ends[2][:2] + ends[3][:2]) / 2 - hip_mid) @ body.v).clamp_min(1.0)
                floor = hip_half + (below / depth).clamp(0.0, 1.0) * (hem_half - hip_half).clamp_min(0.0)
        right, left = _fit_sides(body, right, left, at_least=floor)
        out[idx[names[0]], :2], out[idx[names[0]], 2] = right, 1.0
        out[idx[names[1]], :2], out[idx[names[1]], 2] = left, 1.0


def _along_chain(body: _Body, gp: Tensor, out: Tensor, idx: dict[str, int], names: list[str], point: str) -> Tensor:
    """The person point (xy) of the garment's side point `point` along one side's placed chain `names` (top to
    hem, both ends present): linear between the two chain targets whose garment rows bracket its row, but at most
    `SIDE_SHIFT` of the chain's depth (top -> hem, along `v`) off the even spread from the top to the hem (the
    waist and hips are found on the flat garment by its outline; where that misreads a waistless dress, the side
    points are not dragged far from its own proportions). Chain points missing on either side, or not between the
    one kept above them and the hem in the garment, are skipped; beyond the ends, the end."""
    g_y, top, hem = gp[idx[point], 1], names[0], names[-1]
    kept = [top]
    for n in names[1:-1]:
        shown = float(gp[idx[n], 2]) > 0 and float(out[idx[n], 2]) > 0
        if shown and gp[idx[kept[-1]], 1] < gp[idx[n], 1] < gp[idx[hem], 1]:
            kept.append(n)
    kept.append(hem)

    def lerp(a: str, b: str) -> Tensor:
        t = ((g_y - gp[idx[a], 1]) / (gp[idx[b], 1] - gp[idx[a], 1]).clamp_min(1.0)).clamp(0.0, 1.0)
        return torch.lerp(out[idx[a], :2], out[idx[b], :2], t)

    segments = list(zip(kept[:-1], kept[1:], strict=True))
    chained = lerp(*next(((a, b) for a, b in segments if g_y <= gp[idx[b], 1]), segments[-1]))
    even = lerp(top, hem)
    reach = SIDE_SHIFT * ((out[idx[hem], :2] - out[idx[top], :2]) @ body.v).abs()
    shift = ((chained - even) @ body.v).clamp(-reach, reach)
    return chained + (even + shift * body.v - chained) @ body.v * body.v


def _never_narrowing(body: _Body, out: Tensor, idx: dict[str, int]) -> None:
    """Below the hips, each placed row (side points, then the hem) at least as wide as the one above it: a side
    point following a wide old dress at mid-skirt is held, around its own centre, within the hem below it (and
    never inside the hips above), so the hem does not fold back in and nothing spills wider than the hem."""
    rows = [("hip_right", "hip_left")]
    rows += [(f"side_right_{k}", f"side_left_{k}") for k in range(1, len(SIDE_AT) + 1)]
    rows.append(("hem_right", "hem_left"))
    hip_mid = (out[idx["hip_right"], :2] + out[idx["hip_left"], :2]) / 2
    placed = []
    for r, l_ in rows:
        if r not in idx or float(out[idx[r], 2]) <= 0 or float(out[idx[l_], 2]) <= 0:
            continue
        right, left = out[idx[r], :2], out[idx[l_], :2]
        if r == "hip_right" or ((right + left) / 2 - hip_mid) @ body.v >= 0:
            placed.append((r, l_))
    if len(placed) < 3:
        return
    half = {r: (out[idx[l_], :2] - out[idx[r], :2]) @ body.u / 2 for r, l_ in placed}
    floor, limit = half[placed[0][0]], half[placed[-1][0]]
    for r, l_ in reversed(placed[1:-1]):  # from the hem up: within the row below, never inside the hips
        want = torch.minimum(half[r], limit).clamp_min(floor)
        centre = (out[idx[r], :2] + out[idx[l_], :2]) / 2
        out[idx[r], :2], out[idx[l_], :2] = centre - want * body.u, centre + want * body.u
        limit = want


def _place_skirt(
    gp: Tensor,
    out: Tensor,
    idx: dict[str, int],
    body: _Body,
    sx: Tensor,
    g_top: Tensor,
    waist_half: Tensor,
    *,
    slant: bool = False,
    sy: Tensor | None = None,
) -> None:
    """Hips and hem of a skirt below the (already placed) waist: widths x `sx`, never narrowing downwards; depths x
    `sy` (`sx` when None). With `slant` (dresses) each hem corner keeps its own garment depth (x `sy`) off the
    corners' mean: a hem cut on the slant stays slanted (levelled, its high corner was pulled down onto the leg and
    the hem tore)."""
    u, v = body.u, body.v
    sy = sx if sy is None else sy
    base = (body.waist - body.hip) @ v  # the waist's depth relative to the mid-hip (negative: above)
    previous = waist_half
    g_previous = None
    ankles = ((body.ra + body.la) / 2 - body.hip) @ v
    for names in (("hip_right", "hip_left", None), ("hem_right", "hem_left", "hem_center")):
        right, left, centre = names
        g_r, g_l = gp[idx[right]], gp[idx[left]]
        depth = (base + sy * (((g_r[1] + g_l[1]) / 2) - g_top[1])).clamp_max(ankles)  # never over the feet
        mid = body.midline(depth)
        half = FLAT_TO_WORN * sx * (g_l[0] - g_r[0]).abs() / 2
        floor = previous
        if right == "hip_right":
            floor = torch.maximum(floor, body.hips_half(mid) * 1.02)
        else:
            floor = torch.maximum(floor, body.legs_half(depth))
        cap = floor * (HIP_LOOSE if centre is None else HEM_LOOSE)
        g_half = (g_l[0] - g_r[0]).abs() / 2
        own = previous
        if centre is not None and g_previous is not None:
            # the garment's own flare from its placed hips, over an old skirt or dress, trousers or bare legs alike
            own = previous * (g_half / g_previous.clamp_min(1.0)).clamp_min(1.0) ** FLARE_WORN
            floor, cap = torch.maximum(floor, own), torch.maximum(cap, own)
        half = half.clamp(floor, cap)
        g_previous = g_half
        r_xy, l_xy = mid - half * u, mid + half * u
        if centre is not None and body.body is not None:  # the hem on the silhouette (hips: already fitted)
            r_xy, l_xy = _fit_sides(body, r_xy, l_xy, at_least=own)
        if centre is not None and slant:
            g_mid = (g_r[1] + g_l[1]) / 2
            r_xy = r_xy + (sy * (g_r[1] - g_mid)).clamp_max(ankles - depth) * v
            l_xy = l_xy + (sy * (g_l[1] - g_mid)).clamp_max(ankles - depth) * v
        out[idx[right], :2], out[idx[right], 2] = r_xy, 1.0
        out[idx[left], :2], out[idx[left], 2] = l_xy, 1.0
        if centre is not None:
            depth_c = (base + sy * (gp[idx[centre], 1] - g_top[1])).clamp_max(ankles)
            out[idx[centre], :2], out[idx[centre], 2] = body.midline(depth_c), 1.0
        previous = half


def _armpits_above_waist(g: Tensor, out: Tensor, idx: dict[str, int], body: _Body) -> None:
    """Each placed armpit (`out`, person pixels (N, 3), changed in place) at least `ARMPIT_ABOVE_WAIST` x torso above
    that side's placed waist, moved up along `v` where it lies lower (when the garment's armpit lies above its waist
    in `g`). The bodice is scaled by the shoulders and the skirt by the waist: on broad shoulders a one-shoulder
    dress's armpits (its bodice's top edge) landed below the waist, and the skirt folded over at the hips. (At the
    garment's own armpit-to-waist depth x the skirt's scale instead, a wide woman's slip dress had its armpits,
    the cups' top edge, lifted above her shoulders.)"""
    for side in ("right", "left"):
        armpit, waist = idx[f"armpit_{side}"], idx[f"waist_{side}"]
        if float(g[armpit, 2]) <= 0 or float(out[armpit, 2]) <= 0 or float(g[waist, 1]) <= float(g[armpit, 1]):
            continue
        lowest = (out[waist, :2] - body.hip) @ body.v - ARMPIT_ABOVE_WAIST * body.torso
        below = (out[armpit, :2] - body.hip) @ body.v - lowest
        if below > 0:
            out[armpit, :2] = out[armpit, :2] - below * body.v


def _spread_waistless(g: Tensor, out: Tensor, idx: dict[str, int], body: _Body) -> None:
    """A dress showing no waist (its waist landmarks' confidence under 1: rule-placed or unseen, as a tent's or a
    T-shirt dress's): its waist and hip rows (`g` garment / `out`
    person pixels, (N, 3), `out` changed in place) moved along `v` to their garment rows' share of the way from the
    placed armpits to the placed hem's centre, widths kept. Pinned to the body's natural waist instead, the bodice
    between the armpits and a waist row just under them was stretched (Dress Code 020719's flags 4x as tall)."""
    armpits = [n for n in ("armpit_right", "armpit_left") if float(g[idx[n], 2]) > 0 and float(out[idx[n], 2]) > 0]
    if not armpits:
        return
    g_top = sum(float(g[idx[n], 1]) for n in armpits) / len(armpits)
    p_top = sum(out[idx[n], :2] for n in armpits) / len(armpits)
    g_hem, p_hem = float(g[idx["hem_center"], 1]), out[idx["hem_center"], :2]
    if g_hem - g_top < 1.0:
        return
    for row in ("waist", "hip"):
        right, left = idx[f"{row}_right"], idx[f"{row}_left"]
        t = min(max(((float(g[right, 1]) + float(g[left, 1])) / 2 - g_top) / (g_hem - g_top), 0.0), 1.0)
        shift = (torch.lerp(p_top, p_hem, t) - (out[right, :2] + out[left, :2]) / 2) @ body.v
        out[right, :2] = out[right, :2] + shift * body.v
        out[left, :2] = out[left, :2] + shift * body.v


def _own_bodice_width(g: Tensor, out: Tensor, idx: dict[str, int], body: _Body) -> None:
    """A sleeveless dress's shoulder and armpit rows (`g` garment / `out` person pixels, (N, 3), `out` changed in
    place) at least as wide as the dress's own width there x its placed length scale (armpits -> hem centre, along
    `v`) x `FLAT_TO_WORN`, each row widened evenly about its middle, each side at most `SIL_LOOSE` hw beyond the
    silhouette across the row (never pulled in). The bodice's top is placed on the body (the armpits on the torso's
    sides, the straps within the shoulder joints): a tent dress standing off the body there (Dress Code 020719:
    worn 165 px wide at the armpits, its own 227 px x 0.88 x 0.8 = 159) was drawn at the body's 134, its print
    squeezed across while the skirt below kept its own width. The other paired dresses (fitted, tank, slip) and
    the unseen broad-shouldered persons are placed wider than this floor: unchanged."""
    rows = (("armpit_right", "armpit_left"), ("shoulder_right", "shoulder_left"))
    if any(float(g[idx[n], 2]) <= 0 or float(out[idx[n], 2]) <= 0 for n in (*rows[0], "hem_center")):
        return
    g_top = (g[idx["armpit_right"], 1] + g[idx["armpit_left"], 1]) / 2
    p_top = (out[idx["armpit_right"], :2] + out[idx["armpit_left"], :2]) / 2
    g_len = g[idx["hem_center"], 1] - g_top
    p_len = (out[idx["hem_center"], :2] - p_top) @ body.v
    if g_len < 1.0 or p_len < 1.0:
        return
    scale = p_len / g_len
    for r, l_ in rows:
        if float(g[idx[r], 2]) <= 0 or float(out[idx[r], 2]) <= 0 or float(out[idx[l_], 2]) <= 0:
            continue
        right, left = out[idx[r], :2], out[idx[l_], :2]
        own = FLAT_TO_WORN * scale * (g[idx[l_], 0] - g[idx[r], 0]).abs() / 2
        half = (left - right) @ body.u / 2
        if own <= half:
            continue
        centre = (right + left) / 2
        reach = [own, own]
        seen = body.across(centre, body.u, run=True)
        if seen is not None:
            reach = [torch.minimum(own, torch.maximum(s + SIL_LOOSE * body.hw, half)) for s in seen]
        out[idx[r], :2] = centre - reach[0] * body.u
        out[idx[l_], :2] = centre + reach[1] * body.u


def _strap_tops(g: Tensor, out: Tensor, j: Tensor, body: _Body, idx: dict[str, int]) -> None:
    """A sleeveless dress's bodice top (`_TOP_POINTS`, float64 (N, 3) rows of `g` garment / `out` person pixels,
    `out` changed in place): the highest of them are the straps' tops, on the shoulders; each other one keeps its
    garment depth below them, x the bodice's length scale (strap tops -> waist), as a floor (a slip dress's neckline
    corners and a one-shoulder dress's low side are not pulled up to the shoulder line, as a top's shoulder seams
    are). Across, the shoulder points stay within the shoulder joints: a strap is not a sleeve's seam (placed
    outside the joint, it showed the dress beside the person's shoulder)."""
    rs, ls = j[2, :2], j[5, :2]
    sw = (ls - rs).norm().clamp_min(1.0)
    u_s = (ls - rs) / sw
    v_s = _perp(u_s)
    shown = [n for n in _TOP_POINTS if float(g[idx[n], 2]) > 0 and float(out[idx[n], 2]) > 0]
    if not shown:
        return
    g_top = min(float(g[idx[n], 1]) for n in shown)
    g_waist = float((g[idx["waist_left"], 1] + g[idx["waist_right"], 1]) / 2)
    # where the upper-body rule puts each point when it is a strap's top: collar sides at the neck's base (a
    # tank's straps rise to it), shoulders at the shoulders' tops
    neck = _joint(j, "neck")
    collar = (neck if neck is not None else (rs + ls) / 2) - COLLAR_UP * sw * v_s
    refs = {"shoulder_right": rs - SHOULDER_UP * sw * v_s, "shoulder_left": ls - SHOULDER_UP * sw * v_s}
    span = (body.waist - (refs["shoulder_right"] + refs["shoulder_left"]) / 2) @ v_s
    if g_waist - g_top < 1.0 or span < 1.0:
        return
    sy = span / (g_waist - g_top)
    mid = (rs + ls) / 2
    for n in shown:
        side = n.split("_")[1]
        want = refs.get(n, collar) @ v_s + sy * (float(g[idx[n], 1]) - g_top)
        xy = out[idx[n], :2]
        xy = xy + (want - xy @ v_s).clamp_min(0.0) * v_s
        if n.startswith("shoulder"):  # never beyond the shoulder joint across the body
            joint = rs if side == "right" else ls
            reach = ((joint - mid) @ u_s).abs()
            a = (xy - mid) @ u_s
            xy = xy + (a.clamp(-reach, reach) - a) * u_s
        out[idx[n], :2] = xy


def bodice_landmarks(landmarks: CategoryLandmarks) -> GarmentLandmarks:
    """A dress's bodice as upper-body `GarmentLandmarks`: the 14 landmarks with the waist as the hem."""
    pts = landmarks.points[:, : len(GARMENT_LANDMARKS)].clone()
    wl, wr = landmarks.point("waist_left"), landmarks.point("waist_right")
    pts[:, GARMENT_LANDMARKS.index("hem_left")] = wl
    pts[:, GARMENT_LANDMARKS.index("hem_right")] = wr
    centre = (wl + wr) / 2
    centre[:, 2] = torch.minimum(wl[:, 2], wr[:, 2])
    pts[:, GARMENT_LANDMARKS.index("hem_center")] = centre
    return GarmentLandmarks(pts, landmarks.garment_hw, landmarks.kinds)


def upper_pairs(pairs: KeypointPairs) -> KeypointPairs:
    """The 14 upper-body pairs of dress pairs (`DRESS_PAIR_NAMES`), for the upper-body part warp."""
    from dataclasses import replace

    n = len(GARMENT_LANDMARKS)
    return replace(pairs, garment_px=pairs.garment_px[:, :n], person_px=pairs.person_px[:, :n], names=GARMENT_LANDMARKS)


def place_dress_landmarks(
    landmarks: CategoryLandmarks,
    pose: Pose,
    *,
    parse: Tensor | None = None,
    beyond: Tensor | None = None,
    body: BodyMasks | None = None,
) -> KeypointPairs:
    """Targets on the person for dresses (rules in the module docstring).

    Args:
        landmarks: dress `CategoryLandmarks` (B or 1, 18 points, garment pixels).
        pose: `Pose` (B or 1); both shoulders, hips and knees are required.
        parse: optional (B or 1, H, W) int64 LIP-20 labels, (H, W) = `pose.canvas_hw`.
        beyond: optional (B or 1, H, W) bool, `beyond_arms` of each item's joints (computed when None).
        body: optional `BodyMasks` of the person (from its parse map): the bodice's shoulder seams, armpits and
            sleeves follow the body as a top's do (`place_garment_landmarks`); from the pose alone, a T-shirt
            dress's seams stood inside the shoulders and its sleeves apart from the torso.

    Returns:
        `KeypointPairs` (origin "classical", names `DRESS_PAIR_NAMES`), (B, 18, 3) pixels each side.
    """
    landmarks = _check_landmarks(landmarks, "dress", DRESS_LANDMARKS)
    check_lower_pose(pose, category="dress")
    b = _batch(landmarks, pose, parse)
    # "in": the bodice's length at the shoulders' scale (no masks, so nothing is cut); "out" scales a top worn over
    # a lower garment with the torso too (`TORSO_PER_SW_WORN`), which a dress's bodice is not
    bodice = place_garment_landmarks(bodice_landmarks(landmarks), pose, body=body, tuck="in", follow_turn=False)
    g_all = landmarks.points.detach().double().cpu().expand(b, -1, -1)
    upper_t = bodice.person_px.detach().double().cpu().expand(b, -1, -1)
    j_all = pose.joints.detach().double().cpu()
    persons = []
    n_up = len(GARMENT_LANDMARKS)
    idx = {n: k for k, n in enumerate(DRESS_LANDMARKS)}
    for i in range(b):
        g = g_all[i]
        body = _Body(
            j_all[i if j_all.shape[0] > 1 else 0],
            None if parse is None else parse[i if parse.shape[0] > 1 else 0].cpu(),
            None if beyond is None else beyond[i if beyond.shape[0] > 1 else 0].cpu(),
        )
        out = torch.zeros(len(DRESS_LANDMARKS), 3, dtype=torch.float64)
        out[:n_up] = upper_t[i]
        # a dress's waist is the body's natural waist, not where old trousers sit (low on the hips on many men;
        # estimated regions put their top anywhere on a dress)
        body.waist = body.hip - WAIST_UP * body.torso * body.v
        if landmarks.kinds[i if len(landmarks.kinds) > 1 else 0] == "none":
            _strap_tops(g, out, j_all[i if j_all.shape[0] > 1 else 0], body, idx)
        # trousers or a skirt at the waist: their width there, as for lower garments; else the silhouette's
        waist_half = body.waist_half((9, 12), band=WAIST_BAND)
        g_waist_w = (g[idx["waist_left"], 0] - g[idx["waist_right"], 0]).abs().clamp_min(1.0)
        sx = _scale(body, waist_half, g_waist_w, DRESS_FLAT_WAIST, sil_bounds=False)
        out[idx["waist_right"]] = torch.cat((body.waist - waist_half * body.u, g[idx["waist_right"], 2:]))
        out[idx["waist_left"]] = torch.cat((body.waist + waist_half * body.u, g[idx["waist_left"], 2:]))
        _armpits_above_waist(g, out, idx, body)
        g_top = (g[idx["waist_left"], :2] + g[idx["waist_right"], :2]) / 2
        # the skirt: hips and the dress's hem below the waist, flaring
        sub_idx = {"hip_right": idx["hip_right"], "hip_left": idx["hip_left"]}
        sub_idx.update({n: idx[n] for n in ("hem_right", "hem_left", "hem_center")})
        # its length with the legs, its width with the waist
        sy = DRESS_THIGH * torch.maximum(body.thigh, DRESS_THIGH_MIN * body.torso) / g_waist_w
        _place_skirt(g, out, sub_idx, body, sx, g_top, waist_half, slant=True, sy=sy)
        if min(float(g[idx[n], 2]) for n in ("waist_right", "waist_left")) < 1.0:
            _spread_waistless(g, out, idx, body)
        conf = g[:, 2].clone()
        conf[:n_up] = torch.where(upper_t[i, :, 2] > 0, conf[:n_up], torch.zeros_like(conf[:n_up]))
        out[:, 2] = conf
        if landmarks.kinds[i if len(landmarks.kinds) > 1 else 0] == "none":
            _own_bodice_width(g, out, idx, body)
        chain = tuple((f"{row}_right", f"{row}_left") for row in ("armpit", "waist", "hip", "hem"))
        _side_targets(body, out, idx, g, chain)
        _never_narrowing(body, out, idx)
        persons.append(out)
    return KeypointPairs(
        garment_px=g_all.to(device=landmarks.points.device, dtype=landmarks.points.dtype),
        person_px=torch.stack(persons).to(device=landmarks.points.device, dtype=landmarks.points.dtype),
        names=DRESS_PAIR_NAMES,
        garment_hw=tuple(landmarks.garment_hw),
        person_hw=tuple(pose.canvas_hw),
        groups=1,
        origin="classical",
        pose=pose,
    )
