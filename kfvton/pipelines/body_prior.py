"""Where the pose says the body is: its limbs drawn as tapered segments and its torso as a polygon, in the
person's pixels; the prior the composite and the repaint read the skin, the arms and the legs from when the parse
map cannot tell (an arm under a freed sleeve, the torso under old clothes).

Convention: joints in the pose's 18-point order (`kfvton.keypoints.pose`), (x, y) pixels; widths in shoulder
widths (the distance between the shoulder joints).
"""

from __future__ import annotations

import cv2
import numpy as np

from ..keypoints.pairs import KeypointPairs
from ..keypoints.pose import Pose

__all__ = [
    "ARM_BONES",
    "LEG_BONES",
    "LIMB_WIDTHS",
    "arms_behind",
    "body_prior",
    "forearms_behind",
    "joints_px",
    "segment_quad",
    "shoulder_arc",
    "shoulder_reach",
    "torso_outline",
]

LEG_BONES = ((9, 10), (10, 11), (12, 13), (13, 14))
ARM_BONES = ((2, 3), (3, 4), (5, 6), (6, 7))
#: ... each side's (upper arm, forearm)
UPPER_AND_FOREARMS = (((2, 3), (3, 4)), ((5, 6), (6, 7)))
#: ... each side's upper arm
UPPER_ARMS = tuple(upper for upper, _ in UPPER_AND_FOREARMS)
#: An arm bone whose drawn limb (at 1/LIMB_SCALE) the parse map's arms cover at least LIMB_SEEN of is seen, not
#: hidden under an old sleeve (a bare arm hanging beside a dress covers ~0.5-0.7 of its limb; under a long old sleeve
#: the parse map has old clothes there, ~0)
LIMB_SEEN = 0.3
LIMB_SCALE = 4
#: An arm turned behind the body: the parse map's arms cover under ARM_BEHIND_SEEN of the half disc of
#: ARM_BEHIND_REACH shoulder widths under its shoulder joint (a bare upper arm hanging below a T-shirt's sleeve
#: covers ~0.1 of it; the README person's right arm, turned behind her back, 0), its elbow is missing or inside the
#: torso's outline and its wrist is missing (a long old sleeve hides a hanging arm too, but its elbow lies out past
#: the torso; the unseen Jensen's, in a leather sleeve across his lap, has its elbow inside but his hand is seen).
ARM_BEHIND_REACH = 1.0
ARM_BEHIND_SEEN = 0.02


#: Thickness of the pose's bones in the fill's body prior, in shoulder widths, where `LIMB_WIDTHS` has none.
BONE_WIDTH = 0.2
#: Limb widths (shoulder widths) at both ends of each BODY_25 bone, for the fill's body prior: bare arms in the
#: VITON-HD samples' parse maps are 0.20-0.23 at the upper arm, 0.15-0.20 along the forearm, 0.11-0.16 at the
#: wrist.
LIMB_WIDTHS: dict[tuple[int, int], tuple[float, float]] = {
    (2, 3): (0.24, 0.19), (3, 4): (0.19, 0.14), (5, 6): (0.24, 0.19), (6, 7): (0.19, 0.14),
}  # fmt: skip


#: The torso of the body prior: the shoulders round (the deltoid: a quarter superellipse around each shoulder
#: joint of these semi-axes (out, up), from its top over the joint round its outer side), the neck base above the
#: neck joint (as wide as the neck, `NECK_WIDTH`), the armpits (in, down) of the shoulder joints, the waist indented
#: halfway from the armpits to the hips, the hips outside the hip joints, in shoulder widths: between an arm hanging
#: off the body and the torso is background, not a block of skin from the shoulders to the hips. The VITON-HD and
#: Dress Code upper-body label maps (18 persons, clothes included) reach 0.13-0.17 above the joints, 0.10-0.15 at
#: 0.08 out, 0.14-0.21 out at the joints' level: a square corner (0.15, 0.15) filled an old T-shirt's shoulder block
#: with skin.
TORSO_SHOULDER = (0.16, 0.14)
#: ... a superellipse of this exponent (2: an ellipse; a shoulder is squarer: an ellipse bit a dent of wall into a
#: hanging arm's outer side under a cap sleeve, VITON-HD 03615 and 07445), drawn from its top to its outermost
#: point, at the joint's level, in SHOULDER_ARC points (below it the outline runs straight to the armpit or the hip).
SHOULDER_ROUND = 3.0
SHOULDER_ARC = 9
#: The neck's base (where the outline leaves the neck for the shoulders) TORSO_NECK above the neck joint, the line
#: from there straight down to each shoulder's top (`TORSO_SHOULDER`'s up above the joint), ~20 degrees: the
#: shoulders slope from the neck. The MediaPipe pose's neck joint is the shoulders' midpoint; at 0.2 with the line
#: bulging 0.04 up (convex), the unseen idm_00121's shoulders under a bustier were one flat line from strap to strap,
#: the freed skin a rectangle; sagging 0.03 below the straight line (concave), flat from the strap half way in.
TORSO_NECK = 0.26
TORSO_ARMPIT = (0.1, 0.4)
TORSO_WAIST = 0.05
#: ... and the neck, from the neck joint up to the nose, this wide (shoulder widths): the VITON-HD samples' parse maps
#: (11 persons) have necks 0.24-0.47 wide above the neck joint, median 0.34.
NECK_WIDTH = 0.34
TORSO_HIP = 0.12


def joints_px(pose: Pose, i: int, size_hw: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(xy (J, 2) float64 pixels in an image of `size_hw`, ok (J,) bool joint found) of batch item `i` of `pose`."""
    joints = pose.joints[i if pose.joints.shape[0] > 1 else 0].detach().cpu().double().numpy()
    xy = joints[:, :2] * np.array([size_hw[1] / pose.canvas_hw[1], size_hw[0] / pose.canvas_hw[0]])
    return xy, joints[:, 2] > 0


def body_prior(
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    scale: int,
    bones: tuple[tuple[int, int], ...],
    *,
    torso: bool = True,
    widths: dict[tuple[int, int], tuple[float, float]] | None = None,
    waist: bool = False,
    hips: tuple[np.ndarray, np.ndarray] | None = None,
    neck_base: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray | None:
    """(h / scale, w / scale) uint8 mask of where the pose of batch item `i` says the body is: the `bones` drawn as
    tapered limbs (`widths`, else `LIMB_WIDTHS`, shoulder widths at each end; `BONE_WIDTH` for other pairs) with
    round joints, and the torso (`torso_outline`, its `waist`, `hips` and `neck_base` (image pixels) passed on) with the
    neck up to the nose (`NECK_WIDTH` wide; not with `neck_base`) unless `torso` is False; None without a pose."""
    if keypoints is None or keypoints.pose is None:
        return None
    xy, ok = joints_px(keypoints.pose, i, size_hw)
    xy = xy / scale
    out = np.zeros((-(-size_hw[0] // scale), -(-size_hw[1] // scale)), np.uint8)
    sw = np.linalg.norm(xy[2] - xy[5]) if ok[2] and ok[5] else 0.0
    for a, c in bones:
        if not (ok[a] and ok[c]):
            continue
        wa, wc = (widths or LIMB_WIDTHS).get((a, c), (BONE_WIDTH, BONE_WIDTH))
        pa, pc = xy[a], xy[c]
        ra, rc = 0.5 * wa * sw, 0.5 * wc * sw
        cv2.fillPoly(out, [np.round(segment_quad(pa, pc, ra, rc)).astype(np.int32)], 1)
        for p, r in ((pa, ra), (pc, rc)):
            if (a, c) in LIMB_WIDTHS and r >= 1:
                cv2.circle(out, tuple(np.round(p).astype(int)), int(round(r)), 1, -1)
    hips_px = None if hips is None else (hips[0] / scale, hips[1] / scale)
    base_px = None if neck_base is None else (neck_base[0] / scale, neck_base[1] / scale)
    outline = (
        torso_outline(xy, ok, sw, reach=shoulder_reach(widths), waist=waist, hips=hips_px, neck_base=base_px)
        if torso
        else None
    )
    if outline is not None:
        cv2.fillPoly(out, [np.round(outline).astype(np.int32)], 1)
        # the neck, up under the chin (a high old collar freed there is skin, not background), unless the person's own
        # is drawn (`neck_base` given)
        if ok[1] and ok[0] and neck_base is None:
            half = 0.5 * NECK_WIDTH * sw
            cv2.fillPoly(out, [np.round(segment_quad(xy[1], xy[0], half, half)).astype(np.int32)], 1)
    return out


def segment_quad(pa: np.ndarray, pc: np.ndarray, ra: float, rc: float) -> np.ndarray:
    """(4, 2) quadrilateral around the segment `pa` -> `pc` (2,), `ra` either side at `pa`, `rc` at `pc`."""
    d = pc - pa
    n = np.array([-d[1], d[0]]) / max(float(np.linalg.norm(d)), 1e-6)
    return np.array([pa + n * ra, pc + n * rc, pc - n * rc, pa - n * ra])


def shoulder_reach(widths: dict[tuple[int, int], tuple[float, float]] | None) -> tuple[float, float]:
    """(right, left) how far each shoulder's round reaches out past its joint (shoulder widths): `TORSO_SHOULDER`'s,
    narrowed in proportion where the upper arm at the joint (`widths`' (2, 3) and (5, 6), shoulder widths) is
    narrower than `LIMB_WIDTHS`' (the deltoid is the upper arm's top: a round wider than a slim arm stood out of it as
    a square corner of skin where an old T-shirt's shoulder was, the unseen idm_00121 under a bustier)."""
    out = TORSO_SHOULDER[0]
    if widths is None:
        return (out, out)
    right, left = (out * min(1.0, widths.get(bone, LIMB_WIDTHS[bone])[0] / LIMB_WIDTHS[bone][0]) for bone in UPPER_ARMS)
    return (right, left)


def torso_outline(
    xy: np.ndarray,
    ok: np.ndarray,
    sw: float,
    *,
    reach: tuple[float, float] | None = None,
    waist: bool = False,
    hips: tuple[np.ndarray, np.ndarray] | None = None,
    neck_base: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray | None:
    """(N, 2) polygon of the torso from BODY_25 joints `xy` (present where `ok`), shoulder width `sw`: the shoulders'
    round (`shoulder_arc`, reaching out `reach` (right, left) shoulder widths past the joints, `TORSO_SHOULDER`'s
    without), the base of the neck (`TORSO_NECK` above the neck joint, `NECK_WIDTH` wide; `neck_base` (right, left)
    (2,) each, where given: the person's own; straight from it down to the shoulders' tops), beside an arm whose
    elbow lies out past it the armpit (`TORSO_ARMPIT` inside and below the shoulder joint) and the waist
    (`TORSO_WAIST` inside the line from the armpit to the hip, halfway; beside both arms with `waist`: the body's
    own sides, where the outline decides what is skin and the arms are drawn as limbs), the hips (`TORSO_HIP` outside
    the hip joints; two shoulder widths under the shoulders without them; `hips` (right, left) (2,) each, where
    given: the lower garment's top corners). None without both shoulders."""
    if not (ok[2] and ok[5]) or sw < 1:
        return None
    rs, ls = xy[2], xy[5]
    u = (ls - rs) / sw
    v = np.array([-u[1], u[0]])
    if v[1] < 0:
        v = -v  # down the body
    neck = xy[1] if ok[1] else (rs + ls) / 2
    r_reach, l_reach = reach if reach is not None else (TORSO_SHOULDER[0], TORSO_SHOULDER[0])
    r_cap, l_cap = shoulder_arc(rs, -u, v, sw, r_reach), shoulder_arc(ls, u, v, sw, l_reach)
    r_neck = neck - TORSO_NECK * sw * v - 0.5 * NECK_WIDTH * sw * u
    l_neck = neck - TORSO_NECK * sw * v + 0.5 * NECK_WIDTH * sw * u
    if neck_base is not None:
        r_neck, l_neck = neck_base
    if hips is not None:
        r_hip, l_hip = hips
    elif ok[9] and ok[12]:
        r_hip, l_hip = xy[9] - TORSO_HIP * sw * u, xy[12] + TORSO_HIP * sw * u
    else:
        r_hip, l_hip = rs + 2 * sw * v, ls + 2 * sw * v
    in_a, down_a = TORSO_ARMPIT
    r_pit, l_pit = rs + in_a * sw * u + down_a * sw * v, ls - in_a * sw * u + down_a * sw * v
    r_waist, l_waist = (r_pit + r_hip) / 2 + TORSO_WAIST * sw * u, (l_pit + l_hip) / 2 - TORSO_WAIST * sw * u
    # (only beside an arm whose elbow lies out past the armpit: one along the body, or missed, covers that side)
    left = [l_pit, l_waist] if waist or ok[6] and float((xy[6] - l_pit) @ u) > 0 else []
    right = [r_waist, r_pit] if waist or ok[3] and float((xy[3] - r_pit) @ u) < 0 else []
    pts = [*r_cap[::-1], r_neck, l_neck, *l_cap]
    return np.array(pts + left + [l_hip, r_hip] + right)


def shoulder_arc(
    joint: np.ndarray, out: np.ndarray, down: np.ndarray, sw: float, reach: float = TORSO_SHOULDER[0]
) -> np.ndarray:
    """(N, 2) the shoulder's round outline around `joint` (2,), from its top outwards and down: a quarter of the
    superellipse (`SHOULDER_ROUND`) of semi-axes (`reach`, `TORSO_SHOULDER`'s up) (`SHOULDER_ARC` points) along the
    unit vectors `out` (away from the neck) and `down` (the body's axis), in shoulder widths `sw`."""
    angles = np.radians(np.linspace(90.0, 0.0, SHOULDER_ARC))
    a, b = reach, TORSO_SHOULDER[1]
    along = a * np.cos(angles) ** (2.0 / SHOULDER_ROUND)  # (angles in [0, 90] degrees: no negative base)
    up = b * np.sin(angles) ** (2.0 / SHOULDER_ROUND)
    return joint + sw * (along[:, None] * out - up[:, None] * down)


def seen_limbs(
    keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int], arms: np.ndarray
) -> dict[tuple[int, int], tuple[np.ndarray, bool]] | None:
    """Each of `ARM_BONES` of batch item `i` -> (its limb (H / LIMB_SCALE, W / LIMB_SCALE) bool, drawn by
    `body_prior`; whether `arms` (H, W) bool, the parse map's arms, cover `LIMB_SEEN` of it); None without a pose."""
    small_arms = arms[::LIMB_SCALE, ::LIMB_SCALE]  # (the limbs' grid: the shares need no more)
    out = {}
    for bone in ARM_BONES:
        limb = body_prior(keypoints, i, size_hw, LIMB_SCALE, (bone,), torso=False)
        if limb is None:
            return None
        limb = limb[: small_arms.shape[0], : small_arms.shape[1]] > 0
        out[bone] = (limb, bool(limb.any()) and int((small_arms & limb).sum()) >= LIMB_SEEN * int(limb.sum()))
    return out


def forearms_behind(keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int], arms: np.ndarray) -> set:
    """The forearm bones of batch item `i` behind the body or the old clothes: their upper arm seen bare by `arms`
    (H, W) bool, the parse map's arms (`seen_limbs`), but not the forearm itself. An old sleeve runs down from the
    shoulder, so such a forearm is not in a sleeve, and its limb is no body over the old clothes (Dress Code 020718
    from two photos: her left arm hangs behind her slip dress; its limb down the dress's side kept a strip of the old
    dress out of the new one, repainted as a pale arm and white wall). Empty without a pose."""
    seen = seen_limbs(keypoints, i, size_hw, arms)
    if seen is None:
        return set()
    return {forearm for upper, forearm in UPPER_AND_FOREARMS if seen[upper][1] and not seen[forearm][1]}


def arms_behind(
    keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int], arms: np.ndarray
) -> tuple[bool, bool]:
    """Whether the right and the left arm of batch item `i` are turned behind the body (`ARM_BEHIND_SEEN`), read on
    `arms` (H, W) bool, the parse map's arms. (False, False) without a pose or without both shoulders."""
    if keypoints is None or keypoints.pose is None:
        return (False, False)
    xy, ok = joints_px(keypoints.pose, i, size_hw)
    sw = float(np.linalg.norm(xy[2] - xy[5])) if ok[2] and ok[5] else 0.0
    # (the outline as beside arms along the body: straight from the shoulder to the hip, no waist cut in)
    outline = torso_outline(xy, ok & ~np.isin(np.arange(len(ok)), (3, 6)), sw)
    if outline is None:
        return (False, False)
    torso = outline.astype(np.float32)
    out = []
    for shoulder, elbow, wrist in ((2, 3, 4), (5, 6, 7)):
        inside = not ok[elbow] or cv2.pointPolygonTest(torso, tuple(float(v) for v in xy[elbow]), False) > 0
        if not (inside and not ok[wrist]):  # (seen: no need to count its bare pixels, a full-image disc)
            out.append(False)
            continue
        reach = np.zeros(size_hw, np.uint8)
        cv2.circle(reach, tuple(np.round(xy[shoulder]).astype(int)), int(round(ARM_BEHIND_REACH * sw)), 1, -1)
        reach[: int(round(xy[shoulder][1]))] = 0  # (the half under the shoulder joint: no hair, no face)
        bare = int((arms & (reach > 0)).sum()) >= ARM_BEHIND_SEEN * max(int(reach.sum()), 1)
        out.append(not bare)
    return (out[0], out[1])
