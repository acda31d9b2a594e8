"""Classical landmark placement: where each garment landmark should land on the person, from the pose alone
(optionally refined by a target region mask). No trained weights.

Method (per batch item; lengths in units of the person's shoulder width `sw` = |left_shoulder - right_shoulder|):
    1. Body frame: `u` the unit vector from the wearer's right shoulder joint to the left one (image left -> right
       in a frontal photo), `v` = `u` turned 90 degrees to point down the body, origin `top` = the neck joint
       `COLLAR_UP` sw up (where a garment's collar sides sit). The garment photo is taken as upright, its origin
       between its collar sides.
    2. Garment frame map: every landmark keeps its garment position, scaled by `sx` across and `sy` down.
       `sx` is the median of the width ratios garment -> body that are measured (shoulders -> shoulder seams,
       armpits -> 2 `ARMPIT_HALF` sw, hem corners -> the body's hem width), so one misplaced landmark does not
       decide the size; `sy` puts the garment's hem on the hip line (+`HEM_BELOW_HIPS` sw), or on the bottom of
       `target_mask` when given, kept within [`ASPECT_MIN`, `ASPECT_MAX`] x `sx`. Collar points keep this map,
       so a V-neck keeps its depth.
    3. Shoulder seams: OpenPose shoulder joints sit inside the body, so the garment's shoulder points go
       `SHOULDER_OUT` sw outwards and `SHOULDER_UP` sw up from the joints (on the VITON-HD samples' parse maps the
       top of the shoulder is ~0.14 sw above the joint, the outer edge ~0.15 sw outside it). A garment shoulder
       that the frame map puts more than `SHOULDER_TRUST` sw from its seam target is taken as misdetected and
       dropped (confidence 0) rather than folding the warp.
    4. Armpits: `ARMPIT_HALF` sw either side of the shoulder midpoint, at the height the frame map gives them.
    5. Hem: from `target_mask` when given (the run of mask pixels through the body's centre line, `HEM_MARGIN` of
       the torso length above its bottom, `HEM_INSET` of its half-width, clamped to the hip joints
       + [`HEM_OUT_MIN`, `HEM_OUT_MAX`] sw: old long sleeves merge into that run at hip height); otherwise the hip
       joints + `HEM_OUT` sw each side.
    6. Sleeves (`landmarks.sleeves` per item): "none" drops the four sleeve points (confidence 0); "short" walks
       the garment's scaled sleeve length (mean of its outer and inner seams) along the upper arm, at least
       `SHORT_SLEEVE_MIN` of it and `SLEEVE_BELOW_ARMPIT` sw below the armpit, at most to the elbow; "long" puts
       the sleeve end at the wrist (at the elbow + the upper arm when the wrist is missing). The cuff keeps the
       garment's scaled width (within `SLEEVE_MIN_WIDTH` .. `SLEEVE_MAX_WIDTH` sw), across the arm, its outer
       point away from the body's centre line. With no elbow the sleeve keeps its garment-frame position.
    Missing garment landmarks (confidence 0) stay missing; the targets' confidence is the landmark's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

from .._checks import check_same_batch, check_shape
from .formats import check_pose_joints
from .pairs import KeypointPairs
from .pose import Pose

if TYPE_CHECKING:
    from .garment_landmarks import GarmentLandmarks

__all__ = ["LANDMARK_NAMES", "SLEEVE_KINDS", "place_garment_landmarks"]

#: Same order as `kfvton.keypoints.garment_landmarks.GARMENT_LANDMARKS` (the contract in the team brief).
LANDMARK_NAMES: tuple[str, ...] = (
    "collar_left", "collar_center", "collar_right", "shoulder_left", "shoulder_right",
    "sleeve_left_outer", "sleeve_left_inner", "sleeve_right_outer", "sleeve_right_inner",
    "armpit_left", "armpit_right", "hem_left", "hem_center", "hem_right",
)  # fmt: skip
_I = {n: i for i, n in enumerate(LANDMARK_NAMES)}
SLEEVE_KINDS = ("none", "short", "long")
REQUIRED_JOINTS = ("right_shoulder", "left_shoulder")

SHOULDER_OUT = 0.08  # shoulder seam outside the shoulder joint, x sw
SHOULDER_UP = 0.08  # shoulder seam above the shoulder joint, x sw
COLLAR_UP = 0.12  # collar sides (the garment's top) above the neck joint, x sw
ARMPIT_HALF = 0.56  # half the torso width at the armpits, x sw (a little outside the joints: under the sleeves)
HEM_OUT = 0.22  # hem corners outside the hip joints (no target mask), x sw
HEM_OUT_MIN, HEM_OUT_MAX = -0.05, 0.3  # limits of the target mask's hem corners outside the hip joints, x sw
HEM_INSET = 0.96  # hem corners this fraction of the target mask's half-width from its centre
HEM_BELOW_HIPS = 0.05  # hem below the hip joints (no target mask), x sw
DEFAULT_TORSO = 1.9  # collar-to-hem length when neither hips nor a mask are known, x sw
SHOULDER_TRUST = 0.3  # a garment shoulder this far (x sw) from its body target is treated as misdetected
ASPECT_MIN, ASPECT_MAX = 0.6, 1.8
SLEEVE_MIN_WIDTH = 0.15  # sleeve opening limits, x sw: at the upper arm (short) and at the wrist (long)
SLEEVE_MAX_WIDTH = {"short": 0.36, "long": 0.2}
SHORT_SLEEVE_MIN = 0.3  # a short sleeve covers at least this fraction of the upper arm
SLEEVE_BELOW_ARMPIT = 0.12  # a short sleeve ends at least this far (x sw) below the armpit
HEM_MARGIN = 0.08  # hem width is read this fraction of the torso length above the mask's bottom
_PRESENT = 0.05


def place_garment_landmarks(
    landmarks: GarmentLandmarks,
    pose: Pose,
    *,
    target_mask: Tensor | None = None,
) -> KeypointPairs:
    """Targets on the person for each garment landmark (see the module docstring for the rules).

    Args:
        landmarks: `GarmentLandmarks` with points (B or 1, 14, 3) garment pixels, `garment_hw`, `sleeves`.
        pose: `Pose` (B or 1, 25, 3) in the person image's pixels; both shoulders are required.
        target_mask: optional (B or 1, 1, H, W) float [0, 1] region the garment should fill (e.g. the old upper
            clothes of a parse map), in the pose's canvas frame (H, W) = `pose.canvas_hw`.

    Returns:
        `KeypointPairs` (origin "classical", groups 1, names `LANDMARK_NAMES`) with the garment landmarks and their
        person-frame targets, both (B, 14, 3) pixels, and `pose`.

    Raises:
        ValueError naming `pose` (missing shoulders), `garment_landmarks` or `target_mask`; batch mismatches name
        both inputs.
    """
    points = getattr(landmarks, "points", None)
    check_shape(points, "garment_landmarks.points", ("B", len(LANDMARK_NAMES), 3))
    sleeves = tuple(landmarks.sleeves)
    if len(sleeves) != points.shape[0] or any(s not in SLEEVE_KINDS for s in sleeves):
        raise ValueError(
            f"garment_landmarks.sleeves: expected one of {SLEEVE_KINDS} per batch item ({points.shape[0]}), "
            f"got {sleeves}"
        )
    check_pose_joints(pose, REQUIRED_JOINTS, name="pose")
    batches = {"garment_landmarks": points.shape[0], "pose": pose.batch_size}
    if target_mask is not None:
        check_shape(target_mask, "target_mask", ("B", 1, *pose.canvas_hw))
        batches["target_mask"] = target_mask.shape[0]
    b = check_same_batch(batches)
    for name in ("shoulder_left", "shoulder_right"):
        missing = (points[:, _I[name], 2] <= 0).nonzero().flatten().tolist()
        if missing:
            raise ValueError(f"garment_landmarks: {name!r} is missing (confidence 0) in batch item(s) {missing}")

    work = torch.float64
    g_all = points.detach().to(work)
    j_all = pose.joints.detach().to(device=points.device, dtype=work)
    m_all = None if target_mask is None else target_mask.detach().to(points.device) > 0.5
    targets = []
    for i in range(b):
        g = g_all[i if g_all.shape[0] > 1 else 0]
        j = j_all[i if j_all.shape[0] > 1 else 0]
        m = None if m_all is None else m_all[i if m_all.shape[0] > 1 else 0, 0]
        sleeve = sleeves[i if len(sleeves) > 1 else 0]
        targets.append(_place_one(g, j, m, sleeve))
    person_px = torch.stack(targets).to(points.dtype)
    garment_px = points.expand(b, -1, -1) if points.shape[0] != b else points
    return KeypointPairs(
        garment_px=garment_px,
        person_px=person_px,
        names=LANDMARK_NAMES,
        garment_hw=tuple(landmarks.garment_hw),
        person_hw=tuple(pose.canvas_hw),
        groups=1,
        origin="classical",
        pose=pose,
    )


def _perp(u: Tensor) -> Tensor:
    """u turned 90 degrees clockwise on screen (x right, y down): (1, 0) -> (0, 1)."""
    return torch.stack((-u[1], u[0]))


def _joint(j: Tensor, idx: int) -> Tensor | None:
    return j[idx, :2] if j[idx, 2] > _PRESENT else None


def _place_one(g: Tensor, j: Tensor, mask: Tensor | None, sleeve: str) -> Tensor:
    """(14, 3) garment landmarks + (25, 3) joints (+ (H, W) bool mask) -> (14, 3) targets, float64."""
    rs, ls = j[2, :2], j[5, :2]
    rh, lh = _joint(j, 9), _joint(j, 12)
    sw = (ls - rs).norm().clamp_min(1.0)
    u = (ls - rs) / sw
    v = _perp(u)
    hip_mid = (rh + lh) / 2 if rh is not None and lh is not None else None
    neck = _joint(j, 1)
    top = (neck if neck is not None else (rs + ls) / 2) - COLLAR_UP * sw * v  # where the collar sides sit

    def present(name: str, min_conf: float = 0.0) -> bool:
        return bool(g[_I[name], 2] > min_conf)

    def gxy(name: str) -> Tensor:
        return g[_I[name], :2]

    # body model: widths across (u) and the hem's distance down (v) from `top`
    mask_ext = _mask_extent(mask, top, u, v, sw, hip_mid) if mask is not None else None
    if mask_ext is not None:
        hem_b = mask_ext[0]
    elif hip_mid is not None:
        hem_b = (hip_mid - top) @ v + HEM_BELOW_HIPS * sw
    else:
        hem_b = DEFAULT_TORSO * sw
    centre_line = ((hip_mid - top) @ u) if hip_mid is not None else torch.zeros((), dtype=g.dtype)
    if rh is not None and lh is not None:
        hips_half = (lh - rh).norm() / 2
        hem_centre_a, hem_half = centre_line, hips_half + HEM_OUT * sw
    else:
        hips_half = None
        hem_centre_a, hem_half = centre_line, 0.6 * sw
    if mask_ext is not None and mask_ext[1] is not None:
        lo, hi = mask_ext[1]
        hem_centre_a, hem_half = (lo + hi) / 2, HEM_INSET * (hi - lo) / 2
        if hips_half is not None:  # old long sleeves merge into the mask at hip height; narrow hems curve in
            hem_half = hem_half.clamp(hips_half + HEM_OUT_MIN * sw, hips_half + HEM_OUT_MAX * sw)
    seam_half = sw * (0.5 + SHOULDER_OUT)
    armpit_half = sw * ARMPIT_HALF

    # garment frame: upright photo, origin between the collar sides (or the collar centre)
    collar = [n for n in ("collar_left", "collar_right") if present(n)]
    g_top = torch.stack([gxy(n) for n in collar]).mean(0) if collar else gxy("collar_center")
    if not collar and not present("collar_center"):
        g_top = (gxy("shoulder_left") + gxy("shoulder_right")) / 2
    g_mid_x = g_top[0]
    if present("hem_center"):
        g_hem_y = g[_I["hem_center"], 1]
    else:
        g_hem_y = (
            max(float(g[_I[n], 1]) for n in ("hem_left", "hem_right") if present(n))
            if (present("hem_left") or present("hem_right"))
            else None
        )

    # across scale: median of the width ratios that are measured (robust to one misplaced landmark)
    ratios = []
    for a, b, body_half, min_conf in (
        ("shoulder_left", "shoulder_right", seam_half, 0.5),
        ("armpit_left", "armpit_right", armpit_half, 0.5),
        ("hem_left", "hem_right", hem_half, 0.5),
    ):
        if present(a, min_conf) and present(b, min_conf):
            gw = (gxy(a)[0] - gxy(b)[0]).abs().clamp_min(1.0)
            ratios.append(2 * body_half / gw)
    if not ratios:
        ratios.append(2 * seam_half / (gxy("shoulder_left")[0] - gxy("shoulder_right")[0]).abs().clamp_min(1.0))
    sx = torch.stack(ratios).median()
    if g_hem_y is not None and g_hem_y - g_top[1] > 1:
        sy = (hem_b / (g_hem_y - g_top[1])).clamp(ASPECT_MIN * sx, ASPECT_MAX * sx)
    else:
        sy = sx
    rel = g[:, :2] - torch.stack((g_mid_x, g_top[1]))
    out = top + (sx * rel[:, 0])[:, None] * u + (sy * rel[:, 1])[:, None] * v  # (14, 2)
    conf = g[:, 2].clone()

    # shoulders onto the body's shoulder seams, unless the garment's point is far from where the frame puts it
    for name, joint, sign in (("shoulder_right", rs, -1.0), ("shoulder_left", ls, 1.0)):
        target = joint + sign * SHOULDER_OUT * sw * u - SHOULDER_UP * sw * v
        if (out[_I[name]] - target).norm() < SHOULDER_TRUST * sw:
            out[_I[name]] = target
        else:
            conf[_I[name]] = 0.0  # an outlier landmark would fold the warp; the frame places that region
    # armpits on the torso's sides, at the height the garment frame gives them
    for name, sign in (("armpit_right", -1.0), ("armpit_left", 1.0)):
        down = (out[_I[name]] - top) @ v
        centre_a = (rs + ls) / 2 @ u - top @ u
        out[_I[name]] = top + (centre_a + sign * armpit_half) * u + down * v
    # hem corners on the body's hem width
    for name, sign in (("hem_right", -1.0), ("hem_left", 1.0)):
        down = (out[_I[name]] - top) @ v
        out[_I[name]] = top + (hem_centre_a + sign * hem_half) * u + down * v
    hc_down = (out[_I["hem_center"]] - top) @ v
    out[_I["hem_center"]] = top + hem_centre_a * u + hc_down * v

    # sleeves
    for side, s_idx, e_idx, w_idx in (("right", 2, 3, 4), ("left", 5, 6, 7)):
        o_i, n_i = _I[f"sleeve_{side}_outer"], _I[f"sleeve_{side}_inner"]
        if sleeve == "none":
            conf[[o_i, n_i]] = 0.0
            continue
        if g[o_i, 2] <= 0 or g[n_i, 2] <= 0:
            continue
        elbow = _joint(j, e_idx)
        if elbow is None:
            continue  # keeps the garment-frame position
        shoulder = j[s_idx, :2]
        wrist = _joint(j, w_idx)
        # the mean of the outer seam (shoulder -> outer cuff corner) and the inner seam (armpit -> inner corner)
        length = (
            0.5 * sx * ((g[o_i, :2] - gxy(f"shoulder_{side}")).norm() + (g[n_i, :2] - gxy(f"armpit_{side}")).norm())
        )
        width = ((g[o_i, :2] - g[n_i, :2]).norm() * sx).clamp(SLEEVE_MIN_WIDTH * sw, SLEEVE_MAX_WIDTH[sleeve] * sw)
        upper = elbow - shoulder
        if sleeve == "short":
            # never above the armpit (the sleeve would fold over the body): at least SLEEVE_BELOW_ARMPIT sw below it
            armpit_down = (out[_I[f"armpit_{side}"]] - top) @ v + SLEEVE_BELOW_ARMPIT * sw
            along = (upper @ v).clamp_min(1.0)
            t_min = ((armpit_down - (shoulder - top) @ v) / along).clamp(SHORT_SLEEVE_MIN, 1.0)
            t = (length / upper.norm().clamp_min(1.0)).clamp(t_min, 1.0)
            end, direction = shoulder + t * upper, upper
        else:
            if wrist is None:
                wrist = elbow + upper
            end, direction = wrist, wrist - elbow
        d = direction / direction.norm().clamp_min(1e-6)
        n = _perp(d)
        body_line = top + (((end - top) @ v) * v) + centre_line * u
        if (end - body_line) @ n < 0:
            n = -n  # outer = away from the body's centre line
        out[o_i] = end + n * width / 2
        out[n_i] = end - n * width / 2

    conf = torch.where(g[:, 2] > 0, conf, torch.zeros_like(conf))
    return torch.cat((out, conf[:, None]), dim=-1)


def _mask_extent(
    mask: Tensor, origin: Tensor, u: Tensor, v: Tensor, sw: Tensor, hip_mid: Tensor | None
) -> tuple[Tensor, tuple[Tensor, Tensor] | None] | None:
    """Bottom of the target region (distance down `v` from `origin`) and its (lo, hi) extent across `u` a little
    above the bottom, along the run through the body's centre line; None when the mask is empty there."""
    centre = hip_mid if hip_mid is not None else origin + 1.5 * sw * v
    # columns of the torso band around the centre line (hips when known)
    band = 0.35 * sw
    ys, xs = mask[::2, ::2].nonzero(as_tuple=True)  # every 2nd pixel: +-1 px, 4x less work
    if ys.numel() == 0:
        return None
    pts = torch.stack((xs, ys), -1).to(origin.dtype) * 2
    rel = pts - origin
    a, bdist = rel @ u, rel @ v
    c_a = (centre - origin) @ u
    in_band = (a - c_a).abs() < band
    if int(in_band.sum()) < 10:
        return None
    bottom = torch.quantile(bdist[in_band], 0.99)
    row_b = bottom - HEM_MARGIN * (bottom.clamp_min(1.0))
    near = (bdist - row_b).abs() < 3.0
    if int(near.sum()) < 2:
        return bottom, None
    row_a = torch.sort(a[near]).values
    # the contiguous run of mask pixels containing the centre line (gaps > 4 px split runs)
    gaps = (row_a[1:] - row_a[:-1]) > 4.0
    run_id = torch.cat((torch.zeros(1, dtype=torch.long, device=row_a.device), gaps.long().cumsum(0)))
    closest = (row_a - c_a).abs().argmin()
    run = row_a[run_id == run_id[closest]]
    return bottom, (run.min(), run.max())
