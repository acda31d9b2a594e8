"""Repaint what the old garment leaves free as what lies under it (step 3 of `composite.composite_garment`):
background continued from the real background, skin in the person's tone with the body's shading and the old
clothes' light and folds, legs under lower garments, residue of old colours the parse map missed, grain matched to
the photo's. `repaint_freed` is the entry point; the rules are described in `composite`'s module docstring.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np
import torch
from torch import Tensor

from .._arrays import (
    LUMA_WEIGHTS,
    above_half,
    above_line,
    blur_at,
    blur_box,
    blur_in_box,
    channel_sum,
    channels_first,
    channels_last,
    distance_near,
    every_masked,
    mask_box,
    nonzero_yx,
    per_channel,
)
from ..keypoints.pairs import KeypointPairs
from ..preprocess.colour_regions import nearer_in_chroma, skin_like
from .body_prior import (
    ARM_BONES,
    LEG_BONES,
    LIMB_WIDTHS,
    TORSO_HIP,
    TORSO_NECK,
    UPPER_AND_FOREARMS,
    UPPER_ARMS,
    body_prior,
    forearms_behind,
    joints_px,
    segment_quad,
    torso_outline,
)
from .push_pull import PUSH_PULL_SCALE, push_pull, push_pull_levels
from .shading import (
    ARM_SHADE,
    BOX_GRID,
    SKIN_LIGHT_RANGE,
    TORSO_SIDES,
    SkinBelow,
    arm_shading,
    clothes_light_on_skin,
    clothes_shading,
    garment_edge_shadow,
    jaw_shadow,
    limb_shading,
    shade_skin,
    shading_box,
    skin_carried_below,
    skin_slopes,
    torso_shading,
)

__all__ = [
    "repaint_freed",
    "CODE_FRONT",
    "CODE_ARM",
    "CODE_OLD",
    "CODE_SKIN",
    "CODE_BACKGROUND",
    "CODE_BODY",
    "CODE_FACE",
    "CODE_HAIR",
]

#: The skin-or-background decision is computed at 1/WEIGHT_SCALE of the resolution (then upsampled and lightly
#: blurred).
WEIGHT_SCALE = 2


#: bit flags of the composite's per-pixel region codes (`composite._codes`), read by the repaint
CODE_FRONT, CODE_ARM, CODE_OLD, CODE_SKIN = 1, 2, 4, 8
CODE_BACKGROUND, CODE_BODY, CODE_FACE, CODE_HAIR = 16, 32, 64, 128


#: Width (full-res pixels at 1024 rows; scales with the image) of the soft change from skin to background.
FILL_EDGE_PX = 4.0
#: Freed old clothes grow by this many pixels (at 1024 rows) into the background and skin next to them, and the
#: fill's seeds shrink by it: the parse map's edge is often a pixel or two off, which left dark fringes.
FRINGE_PX = 2.0
#: Old-garment colours the parse map missed are repainted up to this far (pixels at 1024 rows) from its clothes.
RESIDUE_PX = 10.0
#: ... when their colour is within this (sum of |RGB| differences, [0, 1] units) of the old clothes' median colour.
RESIDUE_COLOUR = 0.3
#: Over the lower body (inside the pose's arms, grown by RESIDUE_PX), only pixels much nearer the old clothes' colour
#: than the lower body's own (RESIDUE_FRONT times as near) are residue, away from the wall; just nearer, on it.
RESIDUE_FRONT = 0.25
#: Farther out, up to RESIDUE_FAR_PX, background-labelled pixels joined to the old clothes are old clothes too when
#: their colour is off the background's by over RESIDUE_FAR_NOISE times its own spread (90th percentile), at least
#: RESIDUE_FAR_MIN (sum of |RGB| differences): a white sleeve's outer strip on a light grey wall differs by ~0.04.
RESIDUE_FAR_PX = 48.0
RESIDUE_FAR_NOISE = 3.0
RESIDUE_FAR_MIN = 0.025
#: Parts of the front labels (lower body) smaller than SPECK_PX squared (pixels at 1024 rows) that touch the freed
#: old clothes are repainted with them: the parse map's specks along a sleeve's edge.
SPECK_PX = 12.0
#: Repainted skin thinner than 2 SLIVER_PX (at 1024 rows, with the visible skin beside it) is background instead.
SLIVER_PX = 6.0
#: Repainted background narrower than 2 GAP_PX (at 1024 rows) between skin and the new garment is skin instead.
GAP_PX = 8.0
#: ... in parts of at least (GAP_AREA GAP_PX) squared (a strip along the body, not a corner at a sleeve's hem).
GAP_AREA = 1.0
#: Where the old sleeve touched the body (`_no_strip_at_body`) the body is a part of at least STRIP_BODY_PX squared
#: (pixels at 1024 rows) of the lower body in front.
STRIP_BODY_PX = 32.0
#: ... and the strip a part of at least (STRIP_AREA GAP_PX) squared: a long strip where the sleeve lay against the
#: hips, not the tip of a wedge of wall where it touched them at one point (a bump on VITON-HD 07445's forearm).
STRIP_AREA = 2.0
#: Repainted skin and background get the grain of the real ones nearby (`_grain`): noise matched, band by band, to
#: their log-luminance between Gaussian blurs of these sigmas (pixels at 1024 rows: pores and sensor grain, then
#: fine mottling; coarser variation is the light-and-folds' and the limb shading's), when at least GRAIN_MIN_PX
#: (at 1024 rows) real pixels show it, clipped to a log-gain of GRAIN_MAX.
GRAIN_BANDS = (1.0, 3.0)
#: ... each band read back at this share of the real one's spread: the real mottling band holds the skin's shape too
#: (collarbones, tendons, a knuckle's creases: the shading's to draw, not noise's); noise at its full spread came out
#: as blotches on the unseen taylor-'s freed V at 2000 rows (0.6: what the repaint's mottling read back before the
#: bands' overlap was solved, `_band_response`).
GRAIN_SHARE = (1.0, 0.6)
GRAIN_MIN_PX = 400
GRAIN_MAX = 0.15
#: Repainted skin takes the colour of the skin next to it within about this (pixels at 1024 rows), the person's
#: skin colour (`_skin_colour`) farther away.
SKIN_LOCAL_PX = 24.0
#: ... its hue the skin's next to it, relaxing to the skin colour's (e^-1) over SKIN_HUE_PX (pixels at 1024 rows; as
#: `shading.SKIN_LIGHT_DECAY_PX`, the neck's light carried down an open V), both beyond FRINGE_GAP (`RESIDUE_PX` +
#: `FRINGE_PX`: the skin seeds keep that far off the old clothes, the skin next to them holds across the gap).
SKIN_HUE_PX = 128.0
FRINGE_GAP = RESIDUE_PX + FRINGE_PX
#: Half-width (pixels at 1024 rows) of the change from repainted skin to background along the pose's body outline
#: (a limb against the wall: a photo's own edge is one or two pixels wide).
SKIN_EDGE_PX = 1.0
#: ... and the repainted skin's outline keeps this far (pixels at 1024 rows) inside the old clothes' outline,
#: smoothed over SKIN_SMOOTH_PX (the parse map's edge is ragged).
SKIN_INSET_PX = 1.0
SKIN_SMOOTH_PX = 6.0
#: Repainted skin away from the real skin takes the luminance of the body's visible skin (not the face's) within
#: these times the skin colour's (`_body_tone`; the arms of the VITON-HD samples measure 0.89-1.05 of it), ...
BODY_TONE = (0.85, 1.05)
#: ... BODY_TONE_FACE times it without such skin (their median).
BODY_TONE_FACE = 0.95
#: ... its colour from the visible body skin lighter than this quantile of its luminance (not fingers in shadow).
BODY_SHADOW = 0.25
#: The repaint fades into the real skin next to it over this (pixels at 1024 rows).
SKIN_BLEND_PX = 8.0
#: Repainted skin reaches at most ~BODY_REACH x FILL_EDGE_PX beyond the body seeds (labels, the pose's bones).
BODY_REACH = 1.0
#: The visible arm's own pixels are not repainted (`_kept_arm`) farther than `SKIN_BLEND_PX` from freed old clothes
#: at least 2 ARM_STRIP_PX wide (at 1024 rows): the old top's strip between an arm kept in front and the new
#: garment's side took the arm's shaded edge as its residue and blended its light into the arm (a pale band along
#: the wide unseen 14627's forearm); an arm below a freed old sleeve still blends into the repainted arm.
ARM_STRIP_PX = 6.0
#: ... only its pixels of a hue nearer the skin's than the old clothes', and of a luminance over ARM_DARK ([0, 1]:
#: a black top's pixels hold a few code values per channel, their hue is noise; the arm's shaded edge beside
#: 14627's black top measures 0.10 and more, a fleck of VITON-HD 07573's black top the regions called arm 0.02-0.09).
ARM_DARK = 0.1
#: ... and only where the freed old clothes lie beside it, not along the pose's arm bone (the direction to them at an
#: angle whose |cos| is ARM_HEM_COS or more, under ~37 degrees: an old sleeve's hem across the arm, VITON-HD 07573's,
#: where the arm still blends into the repainted skin and a curl of the hem the regions called arm is repainted).
ARM_HEM_COS = 0.8
#: A repainted upper arm's side facing the body is shaded from ARM_PIT of its half-widths below the shoulder joint on
#: (`arm_shading`'s `inner_from`; `body_prior.TORSO_ARMPIT` puts the armpit ~0.4 shoulder widths down, ~3.3
#: half-widths of `LIMB_WIDTHS`' upper arm): above that the arm and the chest are one surface, the shoulder.
ARM_PIT = 3.0
#: Repainted torso skin darkens towards the sides of the pose's torso (`_torso_sides`): a Lambert cylinder across
#: the outline's own width at each height (`torso_outline`: narrower at the waist than `shading.TORSO_RADIUS`'s
#: chest), TORSO_SIDE_SHADE darker at its sides and beyond them, between the torso and a hanging arm (the crease
#: there); grown in under the shoulders as `shading.TORSO_SIDES`. Without it a belly freed under a cropped top over
#: a loose old tee was one flat brown band from arm to arm (the unseen idm_00121 and ootd_051482). 0.3 as a limb's
#: edge (`shading.LIMB_SHADE`; `ARM_SHADE` 0.35): not measured on a real bare torso, none in the shared samples.
TORSO_SIDE_SHADE = 0.3
#: The real skin continued nearby (`_near_skin`) takes the arms' roundness relative to its seeds' within
#: ARM_PULL_RANGE: darker at most as an arm's edge (1 - `shading.ARM_SHADE`), lighter at most as its axis over the
#: mean across its width (1 / (1 - `ARM_SHADE` / 3), the seeds' continued value is such a mean).
ARM_PULL_RANGE = (1.0 - ARM_SHADE, 1.0 / (1.0 - ARM_SHADE / 3.0))


#: Leg widths (shoulder widths) at the hip, knee and ankle for the legs repainted under a shorter garment (the
#: Dress Code samples' label maps, 013567 and 000002: 0.49-0.52 under the crotch, 0.34-0.37 at the knee and the calf,
#: 0.16-0.18 above the ankle), each leg's scaled and shifted to its visible skin (`_leg_segments`).
LEG_WIDTHS: dict[tuple[int, int], tuple[float, float]] = {
    (9, 10): (0.50, 0.36), (10, 11): (0.36, 0.20), (12, 13): (0.50, 0.36), (13, 14): (0.36, 0.20),
}  # fmt: skip
#: ... a leg's centre moves at most LEG_SHIFT shoulder widths off its bones to its visible skin's.
LEG_SHIFT = 0.12
#: The repainted legs (`_leg_fill`) take their own shading and tone over the drawn legs softened by this (Gaussian
#: sigma, pixels at 1024 rows): no seam where they meet the rest of the fill.
LEG_SOFT_PX = 4.0
#: ... and the tone of the visible legs (`_body_tone` of them) when at least this many of their skin pixels show (at
#: 1024 rows; Dress Code 020720's ankles under a long dress: ~1600), else the body's; so the visible arms' and
#: hands' over the arms (`_fill`).
LEG_TONE_MIN_PX = 200
#: ... their skin: like their own median colour when it is within this of the face's chromaticity (`skin_like`'s
#: rgb / sum, per channel; Dress Code 020720's lit legs are 0.05 off her made-up face), else like the face's.
LEG_CHROMA = 0.08
#: An arm's visible skin (the parse map's arm, not old clothes) measured across a bone (`_arm_widths`: the middle
#: ARM_SPAN of its length, not the elbow's bend, in ARM_BINS slices; slices under ARM_FULL of `LIMB_WIDTHS` left
#: out: a sleeve's edge or a hidden part) scales that bone's `LIMB_WIDTHS` within ARM_SCALE: a freed upper arm is
#: as wide as the real arm below its old sleeve (VITON-HD 00891's left arm measures over 1.25: it was narrower).
ARM_SPAN = (0.15, 0.75)
ARM_BINS = 6
ARM_FULL = 0.6
ARM_SCALE = (0.9, 1.25)
#: `_upper_arms_under_sleeves`: the visible arm's width is read over this share of the upper arm's length below its
#: topmost visible pixel (where it leaves an old sleeve), which must lie at least this far down the bone.
ARM_TOP = 0.08
#: ... from where it first spans ARM_EXIT_FULL of its widest just below (`_full_width_from`, in ARM_EXIT_STEPS steps
#: per ARM_TOP): under a hem slanted across the arm its topmost pixel is one side's only.
ARM_EXIT_FULL = 0.85
ARM_EXIT_STEPS = 4


#: Under an upper garment the torso goes on below the pose's hips (where `torso_outline` ends it) down to the lower
#: garment, when that starts within TORSO_BELOW_HIPS shoulder widths under them (`_torso_to_waistband`): low-rise
#: shorts under a long vest (the unseen Yifeng_0, ~0.2 below) left a band of wall under the belly, above them.
TORSO_BELOW_HIPS = 0.4

#: Under an upper garment a gap or pocket of repainted wall between a hanging arm and the waist stays wall where it
#: lies farther than OUTLINE_MARGIN shoulder widths outside the body's outline (the pose's limbs and torso with its
#: waist, `_upper_body`; `_fillable`): the unseen ootd_051482's A-line camisole left the wall between her arm and
#: waist painted as skin.
OUTLINE_MARGIN = 0.05
#: Under an upper garment the neck is the person's own (`_own_neck`): the silhouette's run across the line from the
#: neck joint to the nose, within NECK_ZONE shoulder widths of it (the widest VITON-HD neck is 0.47 across), above the
#: neck's base, widening from its narrowest row by at most NECK_FLARE pixels a row on each side (ootd_model_6's neck
#: widens ~0.3 a row into his shoulders; at 0.5 the freed strap of his old tank still stood out as a shelf of skin),
#: its outline then smoothed over NECK_SMOOTH_PX (sigma-like half window, pixels at 1024 rows).
NECK_ZONE = 0.4
NECK_FLARE = 0.25
NECK_SMOOTH_PX = 2.0
#: ... and between the neck's base and each shoulder joint the skin reaches up to the person's own outline (old
#: clothes or body labels, not hair or face) at most SHOULDER_RISE shoulder widths above the torso's drawn top
#: (`_own_shoulders`): cat_model_7's shoulders lie up to ~0.1 above the line from his neck's base to the shoulders'
#: tops; below it his freed V-tank straps were wall in a band along each shoulder and the skin a trapezoid with square
#: corners where the new collar meets the shoulders.
SHOULDER_RISE = 0.12
#: ... and within SHOULDER_NECK shoulder widths of the neck's centre never above the line falling SHOULDER_FALL
#: pixels a pixel out from the neck's base: the shoulders fall from the neck, a freed strap's flat top level with the
#: neck's base (beside ootd_model_6's slim neck) is no shoulder. Farther out none: on ootd_07966_00 (row 20) a ceiling
#: kept a notch of wall between the new sleeve and her hair, on cat_model_7 the square corner over his right shoulder.
SHOULDER_FALL = 0.3
SHOULDER_NECK = 0.25
#: ... and a grown shoulder joins the neck across a gap of the person's outline no wider than the neck narrowed since
#: its base (`NECK_FLARE` a row) and NECK_JOIN (pixels of the 1/`WEIGHT_SCALE` grid: the base's rounding and the
#: ceiling's last column): cat_model_7's notch beside his neck, not ootd_model_6's freed strap (`_to_the_neck`).
NECK_JOIN = 2.0
#: The torso's sides end on the lower garment's top corners (`_waistband_corners`): its run across the mid-hip's
#: column WAISTBAND_DOWN shoulder widths under its top, when that top lies at most WAISTBAND_UP above the hip joints
#: and the run ends within WAISTBAND_OUT outside them.
WAISTBAND_DOWN = 0.03
WAISTBAND_UP = 0.6
WAISTBAND_OUT = 0.3


#: Old clothes under the new garment's soft edge are repainted where they differ from it by this (sum of |RGB|
#: differences, `_under_soft_edge`): the rim of another colour seen through the edge.
RIM_COLOUR = 0.3


#: Old clothes inside the legs' convex hull give no light (`_between_legs`): the parse map's legs
#: (`composite.LEG_LABELS`) in parts of at least LEG_PART of the largest's area.
LEG_PART = 0.1


@dataclass(frozen=True)
class _Repaint:
    fill: Tensor  # (B, 3, H, W) what lies under the freed clothes
    paint: Tensor  # (B, 1, H, W) [0, 1] where it replaces the person
    background: Tensor  # (B, 1, H, W) [0, 1] background share of the fill
    gain: Tensor  # (B, 1, H, W) light-and-folds gain
    reference: Tensor  # (B,) median luminance of the old clothes the gain was read from (0 without any)
    lit: tuple[slice, slice]  # (rows, cols) box outside which the gain is 1 (empty without any)


@dataclass(frozen=True)
class _Kernels:
    fringe: np.ndarray  # ellipse of radius `FRINGE_PX`: the freed clothes' growth, the seeds' shrink
    reach: np.ndarray  # ellipse of radius `RESIDUE_PX`: where residue of the old clothes hides


@dataclass(frozen=True)
class _Crop:
    """One batch item's crop (`shading_box`) as `repaint_freed`'s steps read it."""

    img: np.ndarray  # (H, W, 3) float32 [0, 1] the person
    codes: np.ndarray  # (H, W) uint8 bit codes (`_codes`)
    old: np.ndarray  # (H, W) bool the old clothes
    covered: np.ndarray  # (H, W) bool under the new garment (alpha > 0.5)
    origin: tuple[int, int]  # (y0, x0) of the crop in the image

    @cached_property
    def old_colour(self) -> np.ndarray:
        """(3,) float32 the old clothes' median colour (every 7th pixel: a median needs no more); read by three
        steps, taken once."""
        return np.median(every_masked(self.img, self.old, 7), axis=0)


@dataclass(frozen=True)
class _Freed:
    freed: np.ndarray  # (H, W) bool the old clothes to repaint (grown by the fringe, with the specks next to them)
    soft_side: np.ndarray  # (H, W) bool where they may grow: background, skin and arms
    lower_front: np.ndarray  # (H, W) bool what stays in front but the face and hair (the lower body), uncovered


@dataclass(frozen=True)
class _Seeds:
    background: np.ndarray  # (H, W) bool background pixels the fill starts from
    skin: np.ndarray  # (H, W) bool skin pixels the fill starts from
    near: np.ndarray  # (H, W) bool within `RESIDUE_PX` of the old clothes (no seeds there: residue hides)


def repaint_freed(
    person: Tensor,
    codes: Tensor,
    alpha: Tensor,
    skin: Tensor,
    keypoints: KeypointPairs | None,
    bones: tuple[tuple[int, int], ...],
    feather_px: float,
    shading: bool,
    garment: Tensor,
    legs: Tensor,
    *,
    objects: bool = True,
    seams: Tensor | None = None,
    broad_only: Tensor | None = None,
) -> _Repaint:
    """Repaint freed old clothes (module docstring, steps 3-4), per batch item on the CPU with OpenCV, inside the
    box of the old clothes grown by 8 % of the height (everything farther is untouched: gain 1, no paint): which
    pixels (`_freed_clothes`), from which seeds (`_fill_seeds`, `_far_residue`), skin or background
    (`_fill_weight`), the fill (`_fill`), and the old clothes' colours the parse map missed (`_near_residue`);
    `legs` (B, H, W) bool, the parse map's legs: no light is read between them (`_between_legs`); `objects`: an
    object held against the old clothes stays (`_far_residue`); `seams` (B, H, W) bool: where two old garments meet,
    no light is read (`clothes_shading`); `broad_only` (B, H, W) bool: old clothes whose folds are not the new
    garment's, only their broad light is read (`clothes_shading`)."""
    b, _, h, w = person.shape
    unit = h / 1024.0  # lengths are given at 1024 rows
    planes_all = person.detach().float().cpu().numpy()
    new_all = garment.detach().float().permute(0, 2, 3, 1).cpu().numpy()
    codes_np = codes.cpu().numpy()
    legs_np = legs.cpu().numpy()
    seams_np = seams.cpu().numpy() if seams is not None else None
    broad_np = broad_only.cpu().numpy() if broad_only is not None else None
    covered_all = above_half(alpha[:, 0])
    skin_np = skin.detach().float().cpu().numpy()
    grow = max(1, round(FRINGE_PX * unit))
    reach = max(2, round(RESIDUE_PX * unit))
    kernels = _Kernels(
        cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)),
        cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1)),
    )
    fill = np.zeros((b, h, w, 3), np.float32)
    paint = np.zeros((b, h, w), np.float32)
    weight = np.zeros((b, h, w), np.float32)
    gain = np.ones((b, h, w), np.float32)
    reference = np.zeros(b, np.float32)
    lit = [h, 0, w, 0]  # union of the boxes where the gain was read: y0, y1, x0, x1
    for i in range(b):
        old_full = (codes_np[i] & CODE_OLD) > 0
        if not old_full.any():
            continue
        box = shading_box(old_full)
        # (the crop copied channels last and contiguous once: each OpenCV call and strided NumPy pass over a
        # channels-last view paid for that again)
        crop = channels_last(planes_all[i][:, box[0], box[1]])
        c = _Crop(crop, codes_np[i][box], old_full[box], covered_all[i][box], (box[0].start, box[1].start))
        if shading:
            light = c.old & ~_between_legs(legs_np[i][box])
            light = light if light.sum() >= 64 else c.old  # (nothing else to read from)
            gain[i][box] = clothes_shading(
                c.img,
                light,
                unit,
                None if seams_np is None else seams_np[i][box],
                None if broad_np is None else broad_np[i][box],
            )
            sub = c.img[::3, ::3][light[::3, ::3]]  # (every 3rd row and column: a median needs no more)
            reference[i] = float(np.median(sub @ np.array(LUMA_WEIGHTS, np.float32)))
            lit = [
                min(lit[0], box[0].start),
                max(lit[1], box[0].stop),
                min(lit[2], box[1].start),
                max(lit[3], box[1].stop),
            ]
        fr = _freed_clothes(c, kernels, unit)
        if not fr.freed.any():
            continue
        freed = fr.freed
        seeds = _fill_seeds(c, skin_np[i], kernels)
        # the old clothes' pixels the parse map calls background farther out (a sleeve's outer strip): repainted,
        # and no seed of the background's fill
        far = _far_residue(c, seeds.background, unit, objects=objects)
        if far.any():
            freed = freed | far
            seeds = _Seeds(
                seeds.background & (cv2.dilate(far.astype(np.uint8), kernels.fringe) == 0), seeds.skin, seeds.near
            )
        widths = _arm_widths(codes_np[i], keypoints, i)
        legs_fit = _leg_segments(legs_np[i], keypoints, i) if any(b in LEG_BONES for b in bones) else None
        exits = _sleeve_exits(c.codes, keypoints, i, (h, w), c.origin, widths)
        widths = _exit_widths(widths, exits, keypoints, i, (h, w))
        # (no skin seeds along a forearm behind the body or the old clothes: a pale arm down a slip dress's side)
        behind = forearms_behind(keypoints, i, (h, w), (codes_np[i] & CODE_ARM) > 0)
        seen_bones = tuple(bone for bone in bones if bone not in behind)
        # (under an upper garment the torso's sides run down to the lower garment's top corners, its waist drawn)
        upper = not any(bone in LEG_BONES for bone in bones)
        hips = _waistband_corners(_front(c.codes), keypoints, i, (h, w), c.origin) if upper else None
        wc = _fill_weight(c, seeds, freed, far, keypoints, seen_bones, i, unit, (h, w), widths, legs_fit, exits, hips)
        torso = _torso_light(keypoints, i, (h, w), c.origin, c.old.shape, widths, waist=upper, hips=hips)
        arms = _arm_light(keypoints, i, (h, w), c.origin, c.old.shape, widths, exits)
        leg_fill = _leg_fill(legs_fit, legs_np[i][box], c.origin, c.old.shape, unit) if legs_fit else None
        # (a channels-last view: only the face's box is read)
        jaw = jaw_shadow(planes_all[i].transpose(1, 2, 0), (codes_np[i] & CODE_FACE) > 0)[box]
        zone = _arm_zone(keypoints, i, (h, w), c.origin, c.old.shape, widths)
        fc = _fill(c, seeds, wc, gain[i][box], skin_np[i], unit, i, torso, arms, leg_fill, jaw, zone)
        freed = freed | _near_residue(c, fr, freed, seeds.near, fc, keypoints, i, unit, (h, w), kernels)
        freed = freed | _under_soft_edge(c, new_all[i][box], feather_px, fr.lower_front)
        arm = _kept_arm(c, freed, skin_np[i], keypoints, i, (h, w), unit)
        freed &= ~arm
        blend = _blend_into_skin(c, freed, wc, fc, _feather_outwards(freed.astype(np.float32), feather_px), unit)
        fill[i][box] = blend.fill
        paint[i][box] = np.where(arm, 0.0, blend.paint)
        weight[i][box] = wc

    def back(array: np.ndarray) -> Tensor:
        t = torch.from_numpy(channels_first(array)) if array.ndim == 4 else torch.from_numpy(array).unsqueeze(1)
        return t.to(device=person.device, dtype=person.dtype)

    ref = torch.from_numpy(reference).to(device=person.device, dtype=person.dtype)
    lit_box = (slice(lit[0], max(lit[0], lit[1])), slice(lit[2], max(lit[2], lit[3])))
    return _Repaint(back(fill), back(paint), back(weight), back(gain), ref, lit_box)


@dataclass(frozen=True)
class _Blend:
    fill: np.ndarray  # (H, W, 3) the fill, the real skin's colour shifted towards it next to the repaint
    paint: np.ndarray  # (H, W) [0, 1] where the fill replaces the person


def _blend_into_skin(
    c: _Crop, freed: np.ndarray, wc: np.ndarray, fill: np.ndarray, paint: np.ndarray, unit: float
) -> _Blend:
    """The repainted skin fades into the real skin next to it: no seam along the old sleeve's hem across an arm.
    Over `SKIN_BLEND_PX` (at 1024 rows) from the `freed` (H, W) bool pixels into the real skin (not the face; where
    the `fill` (H, W, 3) is skin, `wc` < 0.5) the real skin keeps its own texture and takes the fill's colour at low
    frequencies (blurs over half that width), the more the nearer; `paint` (H, W) [0, 1] is raised to that ramp."""
    skin = ((c.codes & CODE_SKIN) > 0) & ((c.codes & CODE_FACE) == 0) & ~c.covered & (wc < 0.5) & ~freed
    if not skin.any():
        return _Blend(fill, paint)
    d = distance_near(freed, SKIN_BLEND_PX * unit)  # (farther, the ramp is 0: only the rows near `freed`)
    ramp = (np.clip(1.0 - d / (SKIN_BLEND_PX * unit), 0.0, 1.0) * skin).astype(np.float32)
    if not ramp.any():
        return _Blend(fill, paint)
    sigma = max(1.0, 0.5 * SKIN_BLEND_PX * unit)
    # (the real skin's own low frequencies from skin pixels only: not the old sleeve's colour across the border)
    # (blurred at the ramp's pixels only, `blur_at`: the same values, a third of the crop's blurs; the skin picked
    # out in that box only, `blur_box`)
    real = skin.astype(np.float32)
    ys, xs = nonzero_yx(ramp > 0)
    box = blur_box(real.shape, sigma, ys, xs)
    picked = blur_at(c.img[box] * per_channel(real[box]), sigma, ys - box[0].start, xs - box[1].start)
    own = picked / np.maximum(blur_at(real, sigma, ys, xs), 1e-3)[..., None]
    shift = blur_at(fill, sigma, ys, xs) - own
    fill = fill.astype(np.float32)  # (a copy)
    fill[ys, xs] = np.clip(c.img[ys, xs] + shift, 0, 1)
    return _Blend(fill, np.maximum(paint, ramp))


def _kept_arm(
    c: _Crop,
    freed: np.ndarray,
    skin_colour: np.ndarray,
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    unit: float,
) -> np.ndarray:
    """(H, W) bool the visible arm (the codes' arm, neither old clothes nor under the new garment) farther than
    `SKIN_BLEND_PX` (at 1024 rows) from the freed old clothes' parts at least 2 `ARM_STRIP_PX` wide, over `ARM_DARK`
    and of a chromaticity nearer the skin's `skin_colour` (3,) than the old clothes' (`nearer_in_chroma`: not a
    fleck of a black top the regions called arm), beside the `freed` (H, W) bool pixels but the arm's own rather
    than below them along the pose's arm (`_across_arm`: an old sleeve's hem across the arm still blends): never
    repainted, its shaded edge beside a strip of old top is the arm's own."""
    arm = ((c.codes & CODE_ARM) > 0) & ~c.old & ~c.covered
    if not arm.any():
        return arm
    r = max(1, round(ARM_STRIP_PX * unit))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    freed_old = c.old & ~c.covered
    wide = cv2.morphologyEx(freed_old.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    if wide.any():
        arm &= distance_near(wide > 0, SKIN_BLEND_PX * unit, arm) > SKIN_BLEND_PX * unit  # (in the arm's rows)
    if arm.any():
        px = every_masked(c.img, arm, 1)
        arm[arm] = (px @ np.asarray(LUMA_WEIGHTS, np.float32) > ARM_DARK) & nearer_in_chroma(
            px, skin_colour, c.old_colour
        )
    beside = freed & ~(((c.codes & CODE_ARM) > 0) & ~c.old)  # (the old top's strip and rim, not the arm taken in)
    if arm.any() and beside.any():
        arm[arm] = _across_arm(arm, beside, keypoints, i, size_hw, c.origin, 0.5 * SKIN_BLEND_PX * unit)
    return arm


def _across_arm(
    arm: np.ndarray,
    beside: np.ndarray,
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin: tuple[int, int],
    sigma: float,
) -> np.ndarray:
    """(N,) bool for the `arm` (H, W) bool pixels (row-major): the way to the `beside` (H, W) bool pixels near them
    (the gradient of their Gaussian blur of `sigma` pixels) runs across the nearest of the pose's arm bones (|cos|
    under `ARM_HEM_COS`), not along it (an old sleeve's hem above the arm); True where none is near (nothing is
    repainted there) and without the pose's arms."""
    ys, xs = nonzero_yx(arm)
    keep = np.ones(len(ys), bool)
    if keypoints is None or keypoints.pose is None:
        return keep
    xy, ok = joints_px(keypoints.pose, i, size_hw)
    xy = xy - np.array([origin[1], origin[0]])
    bones = [(xy[a], xy[b]) for a, b in ARM_BONES if ok[a] and ok[b] and np.linalg.norm(xy[b] - xy[a]) > 1.0]
    if not bones:
        return keep
    # (the freed clothes' blur, not the distance to the nearest pixel: a strip with gaps along the arm pointed along it)
    near = cv2.GaussianBlur(beside.astype(np.float32), (0, 0), sigma)
    close = near[ys, xs] > 1e-3  # (only those: the arm's pixels are many, the ones by the freed clothes few)
    ys, xs = ys[close], xs[close]
    gx, gy = cv2.Sobel(near, cv2.CV_32F, 1, 0, ksize=3)[ys, xs], cv2.Sobel(near, cv2.CV_32F, 0, 1, ksize=3)[ys, xs]
    pts = np.stack([xs, ys], 1).astype(np.float64)
    nearest, direction = np.full(len(ys), np.inf), np.zeros((len(ys), 2))
    for pa, pb in bones:
        along = (pb - pa) / np.linalg.norm(pb - pa)
        t = np.clip((pts - pa) @ along, 0.0, np.linalg.norm(pb - pa))
        dist = channel_sum((pts - (pa + t[:, None] * along)) ** 2)
        nearer = dist < nearest
        nearest[nearer], direction[nearer] = dist[nearer], along
    cos = np.abs(gx * direction[:, 0] + gy * direction[:, 1]) / np.maximum(np.hypot(gx, gy), 1e-6)
    keep[close] = cos < ARM_HEM_COS
    return keep


def _under_soft_edge(c: _Crop, garment: np.ndarray, feather_px: float, front: np.ndarray) -> np.ndarray:
    """(H, W) bool the old clothes under the new garment's soft inner edge (within 2 `feather_px` + 1 of its
    outline, where the feathered alpha is under 1) of another colour than the `garment` (H, W, 3) there (sum of
    |RGB| differences over `RIM_COLOUR`): repainted too, so the edge blends over the wall or skin the repaint
    puts beside it, not over the old clothes (a dark rim of an old black top along a light garment's side); an
    old top of the garment's own colour shows no rim. Not within twice that of `front` (H, W) bool (the lower
    body staying in front: the repaint's feather would spread onto the trousers over a tucked-in hem)."""
    r = 2.0 * feather_px + 1.0
    if feather_px <= 0 or not (c.old & c.covered).any():
        return np.zeros_like(c.old)
    to_edge = cv2.distanceTransform(c.covered.astype(np.uint8), cv2.DIST_L2, 3)
    rim = c.old & c.covered & (to_edge <= r)
    if front.any() and rim.any():
        rim &= distance_near(front, 2.0 * r, rim) > 2.0 * r  # (in the rim's rows)
    rim[rim] = channel_sum(np.abs(c.img[rim] - garment[rim])) > RIM_COLOUR
    return rim


def _freed_clothes(c: _Crop, kernels: _Kernels, unit: float) -> _Freed:
    """The old clothes the new garment leaves free, grown by `FRINGE_PX` into the background and skin (hair, face
    and the lower body keep their own edges), with the specks of the lower body along them (`_specks`: the parse
    map's noise at a sleeve's edge over a skirt, which left flecks of the old sleeve)."""
    cc = c.codes
    soft_side = ((cc & (CODE_BACKGROUND | CODE_SKIN)) > 0) & ((cc & (CODE_FRONT | CODE_FACE)) == 0) | (
        (cc & CODE_ARM) > 0
    )
    old = c.old.astype(np.uint8)
    freed = (cv2.dilate(old, kernels.fringe) > 0) & (c.old | soft_side) & ~c.covered
    lower_front = _front(cc) & ~c.covered
    if freed.any():
        freed |= _specks(lower_front, freed, unit)
    return _Freed(freed, soft_side, lower_front)


def _fill_seeds(c: _Crop, skin_colour: np.ndarray, kernels: _Kernels) -> _Seeds:
    """Background and skin pixels (of the person's tone, `skin_like`) off their borders (`FRINGE_PX`) and off the
    old clothes' reach (`RESIDUE_PX`, where residue hides): what the fill continues."""
    cc = c.codes
    near = cv2.dilate(c.old.astype(np.uint8), kernels.reach) > 0
    bg_seed = (cv2.erode(((cc & CODE_BACKGROUND) > 0).astype(np.uint8), kernels.fringe) > 0) & ~near
    skin_seed = (cv2.erode(((cc & CODE_SKIN) > 0).astype(np.uint8), kernels.fringe) > 0) & ~near
    skin_seed[skin_seed] = skin_like(every_masked(c.img, skin_seed, 1), skin_colour)  # (`c.img[skin_seed]`, 3x faster)
    return _Seeds(bg_seed, skin_seed, near)


def _fill_weight(
    c: _Crop,
    seeds: _Seeds,
    freed: np.ndarray,
    far: np.ndarray,
    keypoints: KeypointPairs | None,
    bones: tuple[tuple[int, int], ...],
    i: int,
    unit: float,
    size_hw: tuple[int, int],
    widths: dict[tuple[int, int], tuple[float, float]] | None = None,
    legs: _Legs | None = None,
    exits: list[_SleeveExit] | None = None,
    hips: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """(H, W) float [0, 1] background share of the fill: `_background_weight` (arms of `widths`, `_arm_widths`;
    below the hips the `legs`, `_leg_segments`; under an upper garment the body's outline, `_upper_body`, with upper
    arms continued under freed sleeves, `exits`, and the torso's sides ending on `hips`, `_waistband_corners`),
    no slivers of skin (`_no_slivers`), gaps or pockets of background (`_no_gaps`, `_no_pockets`), and background
    over the `far` residue (outside what the parse map calls the body or its clothes) and outwards from it."""
    upper = None
    if not any(bone in LEG_BONES for bone in bones):
        upper = _upper_body(c.codes, keypoints, bones, i, size_hw, c.origin, widths, exits, hips)
    wc = _background_weight(
        c.codes,
        seeds.background,
        c.covered,
        keypoints,
        bones,
        i,
        unit,
        size_hw,
        c.origin,
        outside=far,
        widths=widths,
        legs=legs,
        upper=upper,
    )
    body = ((c.codes & CODE_SKIN) > 0) & ~c.covered
    if legs is not None:  # (the legs below the hips are a body part: the corners where they meet a hem are no sliver)
        body |= _draw_legs(legs, c.origin, c.old.shape, 1) > 0
    keep = None if upper is None else _shoulder_tops(upper, keypoints, i, size_hw, c.origin, c.old.shape)
    wc = _no_slivers(wc, freed, body, c.covered, unit, keep)
    # (hair is a covered side of a gap: a freed collar's strip between a lock of hair and the new neckline is the
    # shoulder or neck under the hair, not a notch of wall)
    hair = (c.codes & CODE_HAIR) > 0
    sides = c.covered.copy()
    if legs is not None:
        # (below the hips the new garment is no side of a gap: the wall between its two legs, or between it and a
        # hanging hand, is no body part; the unseen Simon_1's new trousers, narrower than his old shorts, had a
        # wedge of skin between them from the crotch down, and ootd_model_9's jeans a band of skin beside the hip)
        sides[max(0, int(np.ceil(legs.hips_y)) - c.origin[0]) :] = False
    inside = None
    if upper is not None:
        inside = _fillable(wc, upper, keypoints, i, size_hw, c.origin, unit)
    wc = _no_pockets(_no_gaps(wc, freed, sides | hair, unit, inside), freed, c.codes, c.covered, unit, inside)
    if far.any():
        # (last: no gap rule makes them skin, in dots along an arm; grown outwards, under the paint's feather, not
        # into the old clothes, where the arm's outline is the body's: a grown bit of it bit into the arm)
        wc = np.maximum(wc, _soft_grown(far, unit) * ~c.old)
    lower_front = _front(c.codes)
    return _no_strip_at_body(wc, freed, lower_front & ~c.covered, unit)


def _no_strip_at_body(weight: np.ndarray, freed: np.ndarray, body: np.ndarray, unit: float) -> np.ndarray:
    """`weight` (H, W) float [0, 1] (the fill's background share) lowered to skin over the repainted background
    (`freed` (H, W) bool pixels over 0.5) in gaps narrower than 2 `GAP_PX` (at 1024 rows) between the repainted skin
    and the `body` (H, W) bool (the lower body in front, uncovered), in parts of at least (`STRIP_AREA` `GAP_PX`)
    squared: where the old sleeve touched the body the arm did, and the parse map's flecks of background there
    (painted as wall, the old clothes' residue `_far_residue`) left a strip of wall between a freed forearm and the
    hips (the unseen 00035's navy sleeves). Last, over the residue's background: a sleeve's outer strip against the
    wall is no body's side. Not beside the new garment (`_no_gaps`'s, with its rules for the corners at a sleeve's
    hem)."""
    strip = (weight > 0.5) & freed & ~body
    if not strip.any():
        return weight
    r = max(1, round(GAP_PX * unit))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    # (in the strip's box only, grown by the closing's reach: the same pixels, the strip's parts lie inside it)
    box = _grown_box(strip, 2 * r)
    count, parts, stats, _ = cv2.connectedComponentsWithStats(body.astype(np.uint8), connectivity=8)
    big = stats[:, cv2.CC_STAT_AREA] >= (STRIP_BODY_PX * unit) ** 2
    big[0] = False
    # (not the parse map's flecks of the lower body along a sleeve's outer side: skin flags on wall)
    body = big[parts[box]]
    skin = ((weight[box] < 0.5) & freed[box]).astype(np.uint8)
    # (gaps the body closes, not the skin alone: a wall gap between the torso and an arm that ends at a waistband
    # is the skin's own (`_no_gaps`), a skin bridge along the waistband)
    both = cv2.morphologyEx(skin | body.astype(np.uint8), cv2.MORPH_CLOSE, disc) > 0
    inside = strip[box] & both & (cv2.morphologyEx(skin, cv2.MORPH_CLOSE, disc) == 0)
    count, parts, stats, _ = cv2.connectedComponentsWithStats(inside.astype(np.uint8), connectivity=8)
    big = stats[:, cv2.CC_STAT_AREA] >= (STRIP_AREA * GAP_PX * unit) ** 2
    big[0] = False
    strip = np.zeros_like(strip)
    strip[box] = big[parts]
    if not strip.any():
        return weight
    return _lowered_to_skin(weight, strip, unit)


def _lowered_to_skin(weight: np.ndarray, region: np.ndarray, unit: float) -> np.ndarray:
    """`weight` (H, W) float [0, 1] (the fill's background share) lowered to skin over `region` (H, W) bool and the
    rim of its soft edge (pixels within `FILL_EDGE_PX` (at 1024 rows) of it at a share of 0.5 or less: the lower half
    of its own ramp), softened over a pixel (at 1024 rows). Without the rim a faint ring of wall stayed around a
    region made skin: a pale line traced the old lace collar's outline on VITON-HD 10549's repainted neck."""
    r = max(1, round(FILL_EDGE_PX * unit))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    y0, y1, x0, x1 = mask_box(region, r)  # (grown in its box: the crop's dilation cost more than the rule)
    region = region.copy()
    near = cv2.dilate(region[y0:y1, x0:x1].astype(np.uint8), disc) > 0
    region[y0:y1, x0:x1] |= near & (weight[y0:y1, x0:x1] <= 0.5)
    soft = blur_in_box(region, max(0.5, unit))
    return (weight * (1.0 - np.maximum(soft, region))).astype(np.float32)


def _grown_box(mask: np.ndarray, reach: int) -> tuple[slice, slice]:
    """(rows, columns) of the True pixels of `mask` (H, W) bool grown by `reach` pixels and 1, inside the image: a
    morphology of at most that reach over this box gives the whole image's values in the mask's own box (OpenCV's
    border adds nothing to a dilation, takes nothing from an erosion)."""
    y0, y1, x0, x1 = mask_box(mask, reach + 1)
    return slice(y0, y1), slice(x0, x1)


def _no_pockets(
    weight: np.ndarray,
    freed: np.ndarray,
    codes: np.ndarray,
    covered: np.ndarray,
    unit: float,
    inside: np.ndarray | None = None,
) -> np.ndarray:
    """`weight` (H, W) float [0, 1] (the fill's background share) lowered to skin over the parts of the repainted
    background (`freed` (H, W) bool pixels over 0.5) that touch no background pixel of the photo (`codes`, not
    `covered` (H, W) bool by the new garment): a pocket closed in by hair, the neck and the new garment (an old
    high collar under the hair) cannot show the wall; it is the body under the old clothes. Only within `inside`
    (H, W) bool where given (`_fillable`: not between a hanging arm and the waist)."""
    pocket = (weight > 0.5) & freed
    if not pocket.any():
        return weight
    box = _grown_box(pocket, 1)  # (the pockets' box: their parts, and the wall one pixel beside them)
    pocket = pocket[box]
    count, parts = cv2.connectedComponents(pocket.astype(np.uint8), connectivity=8)
    wall = ((codes[box] & CODE_BACKGROUND) > 0) & ~covered[box]
    wall = cv2.dilate(wall.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    open_air = np.zeros(count, bool)
    open_air[parts[wall & pocket]] = True
    open_air[0] = True
    closed = np.zeros(weight.shape, bool)
    closed[box] = ~open_air[parts]
    if inside is not None:
        closed &= inside
    if not closed.any():
        return weight
    return _lowered_to_skin(weight, closed, unit)


def _no_gaps(
    weight: np.ndarray, freed: np.ndarray, covered: np.ndarray, unit: float, inside: np.ndarray | None = None
) -> np.ndarray:
    """`weight` (H, W) float [0, 1] (the fill's background share) lowered to skin where the repainted background
    (`freed` (H, W) bool pixels over 0.5) is a gap narrower than 2 `GAP_PX` (at 1024 rows) between the skin and the
    new garment (`covered` (H, W) bool) or the skin on both sides: under a freed shirt between a sleeve and the
    body is the body's side, not a strip of white wall. Only within `inside` (H, W) bool where given
    (`_fillable`)."""
    if not freed.any():
        return weight
    r = max(1, round(GAP_PX * unit))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    # (in the freed pixels' box only, grown by the closing's reach: the same pixels, the gaps' parts lie inside it)
    box = _grown_box(freed, 2 * r)
    body = (weight[box] < 0.5) | covered[box]
    gap = (cv2.morphologyEx(body.astype(np.uint8), cv2.MORPH_CLOSE, kernel) > 0) & ~body & freed[box]
    if inside is not None:
        gap &= inside[box]
    if not gap.any():
        return weight
    # strips along the body only, with a smooth outline: not a corner between a sleeve's hem and the arm (a flag of
    # skin on the wall), nor the ragged bits of the parse map's outline
    count, parts, stats, _ = cv2.connectedComponentsWithStats(gap.astype(np.uint8), connectivity=8)
    big = stats[:, cv2.CC_STAT_AREA] >= (GAP_AREA * GAP_PX * unit) ** 2
    big[0] = False
    gap = np.zeros(freed.shape, bool)
    gap[box] = big[parts]
    gap = blur_in_box(gap, max(0.7, 2 * unit)) > 0.5  # (the strips are a small part of the crop)
    if not gap.any():
        return weight
    return _lowered_to_skin(weight, gap, unit)


def _fill(
    c: _Crop,
    seeds: _Seeds,
    wc: np.ndarray,
    gain: np.ndarray,
    skin_colour: np.ndarray,
    unit: float,
    i: int,
    torso: _TorsoLight | None = None,
    arms: np.ndarray | None = None,
    legs: _LegFill | None = None,
    jaw: np.ndarray | None = None,
    arm_zone: np.ndarray | None = None,
) -> np.ndarray:
    """(H, W, 3) float [0, 1]: what lies under the old clothes: the background continued from its seeds (`push_pull`,
    off the lower body in front: `_off_lower_front`), skin from the skin next to it nearby (`SKIN_LOCAL_PX`) and the
    body's skin tone farther (`_body_tone`, in the hue of the skin nearest it, `_nearest_hue`, times the light and
    folds `gain` as `clothes_light_on_skin` carries it onto skin: no smear of a shadow, no lit stripe of a sleeve),
    a limb's round shading (`limb_shading`, and the darker of it
    and the arms' own across their width, `arms`, `_arm_light`) and on the torso the chest's and collarbones' (`torso`,
    `_torso_light`; their median over the repainted skin 1: the tone is the visible skin's median, shading and all), all
    of it on the body's tone, not on the real skin continued nearby (it shows its own light and roundness; shaded
    only as the pose's torso sides and arms shade it past its seeds, `_near_skin`; under visible skin at the level of
    the skin right above, `_at_level_below`), shading the
    skin as the person's own skin shades (`shade_skin`, `skin_slopes`: redder in the shadows) and the visible skin's
    light carried down under it (`skin_carried_below`: the neck's over an open V) and under the face the `jaw`'s shadow
    (`jaw_shadow`; the skin continued nearby is not the face's either: its light is not the neck's) and beside the new
    garment its contact shadow (`garment_edge_shadow`), both with the
    grain of the real skin and background nearby (`_grain`: a smooth fill looks like plastic), mixed by the background
    share `wc`. `i` seeds
    the grain's noise. Over the `legs` repainted below the hips (`_leg_fill`) no light and folds of the old clothes (a
    dress hangs off the legs: its folds and a satin's sheen made blotches on them), the legs' own round shading, and the
    tone of the visible legs where enough of them show (`_body_tone`). Over the `arm_zone` (H, W) [0, 1] (`_arm_zone`)
    the tone of the visible arms and hands where enough of them show (`_body_tone`): the lit chest's, most of the
    visible skin, made the freed forearms of the unseen ootd_01861 far paler than her hands."""
    ci, cc = c.img, c.codes
    bg_seed, skin_seed = seeds.background, seeds.skin
    wall = bg_seed & _off_lower_front(cc, unit)
    wall = wall if wall.any() else bg_seed
    bg_fill = push_pull(ci, wall) if wall.any() else np.broadcast_to(ci.mean((0, 1)), ci.shape)
    limb = limb_shading(wc < 0.5, unit)
    if arms is not None:
        limb = np.minimum(limb, arms)
    tone = _body_tone(c, seeds, skin_colour, unit)
    # the light and folds and the round shading darken the skin colour, not the real skin next to it (which shows
    # its own light and roundness); skin darkens redder, as the person's own does (`skin_slopes`)
    slopes = skin_slopes(ci, skin_seed, unit)
    # the skin next to the repaint continued (`push_pull`), but not the face's: its light is not the neck's (a freed
    # neck took the lit chin's colour, pale and flat under a shaded jaw), nor specks' (`_without_specks`)
    local = _without_specks(skin_seed & ((cc & CODE_FACE) == 0), unit)
    near_skin = None
    if local.any():
        # (the seeds keep `RESIDUE_PX` + `FRINGE_PX` off the old clothes: the skin next to them holds across that gap,
        # no seam where a repainted upper arm meets the real forearm)
        d_seed = np.maximum(cv2.distanceTransform((~local).astype(np.uint8), cv2.DIST_L2, 3) - FRINGE_GAP * unit, 0.0)
        near_skin = _near_skin(ci, local, torso, arms, d_seed, unit)
        tone = _nearest_hue(tone, near_skin, slopes, np.exp(-d_seed / (SKIN_HUE_PX * unit)))
    # the old clothes' light but their lit stripes and narrow folds, a freed forearm its own sleeve's
    painted = c.old & ~c.covered & (wc < 0.5)
    gain = clothes_light_on_skin(gain, painted, unit)
    # the visible skin's light carried down under it (`skin_carried_below`: the neck's over an open V)
    below = skin_carried_below(ci, skin_seed & ((cc & CODE_FACE) == 0), unit)
    light = below.gain
    if near_skin is not None:
        near_skin = _at_level_below(near_skin, below, slopes)
    visible = None
    if legs is not None:
        gain = gain + (1.0 - gain) * legs.zone
        light = light + (1.0 - light) * legs.zone  # (the legs' own light, `legs.light`: not the hands' above them)
        limb = np.minimum(limb, legs.light)
        visible = _visible_leg_skin(ci, legs.visible & ((cc & CODE_FACE) == 0), skin_colour, unit)
        if visible.sum() >= LEG_TONE_MIN_PX * unit * unit:
            leg_seeds = _Seeds(seeds.background, visible, seeds.near)
            tone = tone + (_body_tone(c, leg_seeds, skin_colour, unit, visible) - tone) * per_channel(legs.zone)
    if arm_zone is not None:
        hands = skin_seed & ((cc & CODE_ARM) > 0) & ((cc & CODE_FACE) == 0)
        if hands.sum() >= LEG_TONE_MIN_PX * unit * unit:
            arm_tone = _body_tone(c, seeds, skin_colour, unit, hands, lit_level=False)
            # (`per_channel`: the same products as `arm_zone[..., None]`, without a 3-long inner loop per pixel)
            tone = tone + (arm_tone - tone) * per_channel(arm_zone)
    if torso is not None:
        limb = limb * torso.gain
    # the body's tone is the visible skin's median, its own roundness included: the round shading spreads the
    # repaint around that tone, not below it (it left freed arms ~10 % darker than the person's forearms)
    if painted.any():
        limb = limb / max(float(np.median(limb[painted])), 1e-3)
    # (under the jaw the face's shadow, `jaw`: `jaw_shadow`; beside the new garment its own, `garment_edge_shadow`)
    shadows = garment_edge_shadow(c.covered, unit) * (1.0 if jaw is None else jaw)
    skin_fill = shade_skin(tone, gain * limb * light * shadows, slopes)
    if near_skin is not None:
        near_seed = per_channel(np.exp(-d_seed / (SKIN_LOCAL_PX * unit)))
        skin_fill = skin_fill + (near_skin - skin_fill) * near_seed
    bands = _grain_bands(ci, unit, np.random.default_rng(i))
    skin_grain = _grain(bands, skin_seed & ((cc & CODE_FACE) == 0), unit)
    if visible is not None and legs is not None:
        # the legs' own grain (smoother than the hands' and arms': Dress Code 020714's repainted thighs looked
        # gritty), where enough of them show (`_grain` is ones otherwise: the other skin's then)
        if _grain_support(bands, visible, unit) is not None:
            skin_grain = skin_grain + (_grain(bands, visible, unit) - skin_grain) * legs.zone
    skin_fill = shade_skin(skin_fill, skin_grain, slopes)
    bg_fill = bg_fill * per_channel(_grain(bands, bg_seed, unit))
    return np.clip(skin_fill + (bg_fill - skin_fill) * per_channel(wc), 0, 1)


def _near_skin(
    img: np.ndarray,
    local: np.ndarray,
    torso: _TorsoLight | None,
    arms: np.ndarray | None,
    d_seed: np.ndarray,
    unit: float,
) -> np.ndarray:
    """(H, W, 3) float32 the real skin continued from its `local` (H, W) bool seeds in `img` (H, W, 3) (`push_pull`)
    shaded as the pose shapes the body there, relative to what that shading is at the seeds (it
    continued from them alike, in the same fill): by the torso's sides (`torso.sides`, the crease beside a hanging
    arm; within [1 - `TORSO_SIDE_SHADE`, 1], never lighter) and, from `d_seed` (H, W) (pixels past the seeds'
    gap) on, growing in over `SKIN_LOCAL_PX` (at 1024 rows), by the arms' roundness (`arms`, `_arm_light`; within
    `ARM_PULL_RANGE`). The real arm's colour carried into a freed belly beside it left no crease between them (a
    flat band from arm to arm under the unseen idm_00121's bustier), the forearm's lit top carried up a freed elbow
    a pale flat patch (the unseen idm_sam11). Next to the seeds the real skin's own shading stays: the arm's edge
    the parse map gave to the old top is the photo's, whatever the pose's arm says."""
    if torso is None and arms is None:
        return push_pull(img, local)
    h, w = local.shape
    ones = np.ones((h, w), np.float32)
    sides = ones if torso is None else torso.sides
    arms = ones if arms is None else arms
    # (all of it smooth: on `push_pull`'s own coarse grid, each plane shrunk alone, one upsampling of the result;
    # at full size it cost ~35 ms a crop more than the colour's fill, stacking the planes alone ~17 ms)
    size = (-(-w // PUSH_PULL_SCALE), -(-h // PUSH_PULL_SCALE))
    small = lambda x: cv2.resize(x, size, interpolation=cv2.INTER_AREA)  # noqa: E731
    weight = local.astype(np.float32)
    wt, sides_s, arms_s = small(weight), small(sides), small(arms)
    seeded = push_pull_levels(cv2.merge([small(sides * weight), small(arms * weight)]), wt)
    ramp = np.clip(small(d_seed.astype(np.float32)) / (SKIN_LOCAL_PX * unit), 0.0, 1.0)
    shade = np.clip(sides_s / np.maximum(seeded[..., 0], 1e-3), 1.0 - TORSO_SIDE_SHADE, 1.0)
    shade *= 1.0 + (np.clip(arms_s / np.maximum(seeded[..., 1], 1e-3), *ARM_PULL_RANGE) - 1.0) * ramp
    # (the colour's fill shaded on that grid too, one upsampling of the product: `push_pull`'s own steps; the
    # product of the two upsamplings, up to 0.003 apart, cost ~0.8 ms more a crop: a shade plane and a product at
    # full size)
    colour = push_pull_levels(small(img * per_channel(weight, img.shape[-1])), wt)
    colour *= shade.astype(np.float32)[..., None]
    return cv2.resize(colour, (w, h), interpolation=cv2.INTER_LINEAR)


def _at_level_below(near_skin: np.ndarray, below: SkinBelow, slopes: np.ndarray) -> np.ndarray:
    """(H, W, 3) float32 the real skin continued, `near_skin` (H, W, 3) (`push_pull`, an average over the nearby
    seeds), brought under visible skin to the luminance of the skin right above (`below.luma`, by `below.share`;
    within exp(+-`SKIN_LIGHT_RANGE`)), shaded as skin shades (`shade_skin`, `slopes`). Under the unseen ootd_07966_00's
    wide scoop the average took in her neck's shade under the chin: a flat patch ~15 % darker than the lit base
    of her neck, with a step along the old crew neck's line."""
    luma = np.maximum(near_skin @ np.asarray(LUMA_WEIGHTS, np.float32), 1e-3)
    log_ratio = np.log(np.maximum(below.luma, 1e-3) / luma) * below.share
    return shade_skin(near_skin, np.exp(np.clip(log_ratio, -SKIN_LIGHT_RANGE, SKIN_LIGHT_RANGE)), slopes)


def _without_specks(mask: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) bool `mask` (H, W) bool without its parts smaller than `SPECK_PX` squared (at 1024 rows): a few
    skin-like pixels at the unseen Jensen's jacket collar, under his chin, gave the whole repainted chest their
    yellower hue (`_nearest_hue`), not his hands' and face's."""
    count, parts, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    big = stats[:, cv2.CC_STAT_AREA] >= (SPECK_PX * unit) ** 2
    big[0] = False
    return big[parts]


def _nearest_hue(tone: np.ndarray, near_skin: np.ndarray, slopes: np.ndarray, near: np.ndarray) -> np.ndarray:
    """(H, W, 3) float32: the body's `tone` (3,) with the hue of the visible skin nearest each pixel (`near_skin`
    (H, W, 3), the body's skin continued everywhere, `push_pull`) at the tone's luminance, brought there as skin
    shades (`shade_skin` with `slopes` (3,), `skin_slopes`: a shaded neck's redder hue is not the lit chest's), by
    the share `near` (H, W) [0, 1] (by the skin 1, relaxing to the tone's own hue farther off, `SKIN_HUE_PX`). One
    tone for all the body skin mixed a neck's brown with the hands' pinker hue: an open V on the unseen 00035 met
    her neck at a step of hue along the old crew neckline."""
    h, w = near.shape
    size = (-(-w // BOX_GRID), -(-h // BOX_GRID))  # (on the 1/`BOX_GRID` grid: both are smooth; ~25 ms at full size)
    near_skin = cv2.resize(near_skin, size, interpolation=cv2.INTER_AREA)
    share = cv2.resize(near.astype(np.float32), size, interpolation=cv2.INTER_AREA)[..., None]
    luma = np.asarray(LUMA_WEIGHTS, np.float32)
    level = float(tone @ luma)
    toned = shade_skin(near_skin, level / np.maximum(near_skin @ luma, 1e-3), slopes)
    toned = toned * (level / np.maximum(toned @ luma, 1e-3))[..., None]  # (exactly the tone's luminance)
    return cv2.resize((tone + (toned - tone) * share).astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def _off_lower_front(codes: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) bool farther than `RESIDUE_PX` (at 1024 rows) from what stays in front but the face and hair (the lower
    body) in `codes` (H, W) uint8: the background's fill starts from there only. The lower body's outline in the
    parse map is as loose as the old clothes': a jeans' dark edge the map called wall (VITON-HD 00891 with its
    parse, beside the waist) seeded a grey smudge into the repainted wall above it."""
    lower_front = (((codes & CODE_FRONT) > 0) & ((codes & (CODE_FACE | CODE_HAIR)) == 0)).astype(np.uint8)
    if not lower_front.any():
        return np.ones(codes.shape, bool)
    reach = max(2, round(RESIDUE_PX * unit))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    return cv2.dilate(lower_front, kernel) == 0


def _visible_leg_skin(img: np.ndarray, legs: np.ndarray, skin_colour: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) bool the bare skin of the parse map's visible `legs` (H, W) bool in `img` (H, W, 3): off their outline
    (`FRINGE_PX`), but also next to the old clothes (often only the ankles show under a long dress, all of them near
    its hem), `skin_like` the legs' own median colour when that is within `LEG_CHROMA` of `skin_colour`'s
    chromaticity (the face's: a made-up or tanned face is oranger than the legs, whose lit half it turned down),
    else like `skin_colour` (tights, socks: their colour is no skin's)."""
    fringe = max(1, round(FRINGE_PX * unit))
    out = cv2.erode(legs.astype(np.uint8), np.ones((2 * fringe + 1,) * 2, np.uint8)) > 0
    if not out.any():
        return out
    px = img[out]
    own = np.median(px, axis=0)
    chroma = np.abs(own / (own.sum() + 1e-3) - skin_colour / (skin_colour.sum() + 1e-3)).max()
    out[out] = skin_like(px, own if chroma < LEG_CHROMA else skin_colour)
    return out


def _body_tone(
    c: _Crop,
    seeds: _Seeds,
    skin_colour: np.ndarray,
    unit: float,
    within: np.ndarray | None = None,
    *,
    lit_level: bool = True,
) -> np.ndarray:
    """(3,) the colour of repainted skin away from the real skin: the median colour of the visible skin but the
    face (neck, arms, hands: the face is lit most and may be made up; on the VITON-HD samples the arms measure
    0.89-1.05 of its luminance, median 0.95), of its pixels above the `BODY_SHADOW` quantile of luminance (not
    the shadowed fingers or the shade under the chin), at their median luminance, within `BODY_TONE` times
    `skin_colour`'s; `skin_colour` (of the face's tone) times `BODY_TONE_FACE` when fewer than `GRAIN_MIN_PX` (at
    1024 rows) such pixels show. The median of the visible skin includes its own shading: `_fill` keeps the
    repaint's round shading's median at 1, so the repaint's median is this tone too. `within` (H, W) bool: of those
    pixels only, at their own luminance, not within `BODY_TONE` (the visible legs, for the legs: the same body
    part; Dress Code 020720's legs and arms measure 1.26 times her face's luminance, made up darker), at the
    median luminance of their lit part (`lit_level`: the calves under a dress's hem lie in its shadow) or of all of
    them (the arms and hands: `_fill` keeps the repaint's median at the tone's, and so at the real arms' median)."""
    body = seeds.skin & ((c.codes & CODE_FACE) == 0)
    if within is not None:
        body &= within
    luma = np.array(LUMA_WEIGHTS, np.float32)
    ref = float(skin_colour @ luma)
    if body.sum() < (GRAIN_MIN_PX if within is None else LEG_TONE_MIN_PX) * unit * unit or ref <= 1e-3:
        return skin_colour * BODY_TONE_FACE
    px = every_masked(c.img, body, 3)
    y = px @ luma
    lit = np.argsort(y)[int(BODY_SHADOW * len(y)) :]
    colour = np.median(px[lit], axis=0)
    if within is not None:
        target = float(np.median(y[lit] if lit_level else y))
    else:
        target = float(np.clip(np.median(y) / ref, *BODY_TONE)) * ref
    return (colour * (target / max(float(colour @ luma), 1e-3))).astype(np.float32)


def _shoulder_frame(
    keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int], origin_yx: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """(xy (J, 2) float64 pixels of a crop at `origin_yx` of the (H, W) = `size_hw` image, ok (J,) bool, the
    shoulder width in pixels) of batch item `i`'s pose; None without a pose or either shoulder."""
    if keypoints is None or keypoints.pose is None:
        return None
    xy, ok = joints_px(keypoints.pose, i, size_hw)
    if not (ok[2] and ok[5]):
        return None
    xy = xy - np.array(origin_yx[::-1], np.float64)
    return xy, ok, float(np.linalg.norm(xy[2] - xy[5]))


@dataclass(frozen=True)
class _TorsoLight:
    gain: np.ndarray  # (h, w) float32 the repainted torso's whole shading (`torso_shading` and its sides)
    sides: np.ndarray  # (h, w) float32 in [1 - `TORSO_SIDE_SHADE`, 1] its sides' part alone (`_torso_sides`)


def _torso_light(
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin: tuple[int, int],
    crop_hw: tuple[int, ...],
    widths: dict[tuple[int, int], tuple[float, float]] | None = None,
    *,
    waist: bool = False,
    hips: tuple[np.ndarray, np.ndarray] | None = None,
) -> _TorsoLight | None:
    """The gain for repainted skin in a crop (`crop_hw`, at `origin` of the (H, W) = `size_hw` image) of batch item
    `i`: `torso_shading` (the chest's roundness, the collarbones) inside the pose's torso (`torso_outline`, its
    `waist` and `hips` (image pixels) passed on: the sides shaded at the waist, not under a hanging arm) but its
    upper arms (`widths`, else `LIMB_WIDTHS`, round at the shoulder), softened over 0.04 shoulder widths, 1 outside,
    times its sides' (`_torso_sides`: the crease beside a hanging arm), also given alone (`_fill` keeps it under the
    real skin continued nearby); None without the neck and both shoulders."""
    frame = _shoulder_frame(keypoints, i, size_hw, origin)
    if frame is None or not frame[1][1]:
        return None
    xy, ok, sw = frame
    shift = np.array(origin[::-1], np.float64)
    outline = torso_outline(xy, ok, sw, waist=waist, hips=None if hips is None else (hips[0] - shift, hips[1] - shift))
    if outline is None:
        return None
    h, w = crop_hw[:2]
    g = BOX_GRID
    trunk = np.zeros((-(-h // g), -(-w // g)), np.uint8)
    cv2.fillPoly(trunk, [np.round((outline + 0.5) / g - 0.5).astype(np.int32)], 1)
    if not trunk.any():
        return None
    # the arms have their own roundness (`limb_shading`), not the chest's sides
    arms = _drawn_arms(trunk.shape, xy, ok, sw, widths or LIMB_WIDTHS, UPPER_ARMS)
    inside = (trunk & (1 - arms)).astype(np.float32)
    soft = lambda m: cv2.GaussianBlur(m, (0, 0), 0.04 * sw / g)  # noqa: E731
    inside = cv2.resize(soft(inside), (w, h), interpolation=cv2.INTER_LINEAR)
    # the torso's own sides (`_torso_sides`), at its height, off all the arms (a hanging forearm is round itself)
    sides, level = _torso_sides(trunk, xy[1], xy[2], xy[5])
    beside = soft((level & (1 - _drawn_arms(trunk.shape, xy, ok, sw, widths or LIMB_WIDTHS))).astype(np.float32))
    # (in place on the full-size gain: three temporaries of the crop's size cost ~5 ms at 1024 rows)
    gain = torso_shading((h, w), xy[1], xy[2], xy[5]).astype(np.float32, copy=False)
    gain -= 1.0
    gain *= inside
    gain += 1.0
    sides = cv2.resize((1.0 + (sides - 1.0) * beside).astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    gain *= sides
    return _TorsoLight(gain, sides)


def _torso_sides(
    trunk: np.ndarray, neck: np.ndarray, right_shoulder: np.ndarray, left_shoulder: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(gain (h, w) float32 in [1 - `TORSO_SIDE_SHADE`, 1], level (h, w) uint8 {0, 1}) on the 1/`BOX_GRID` grid of
    the `trunk` (h, w) uint8 {0, 1} (`torso_outline` drawn there): across the body (the shoulders' direction from
    the `right_shoulder` to the `left_shoulder`, (2,) x, y pixels of the crop, like the `neck`), in each row of
    the body's height (one grid cell) the trunk's extent, smoothed over 0.05 shoulder widths down the body; the gain
    falls as the square of the distance from that extent's middle in half-widths (`shading.ARM_SHADE`'s law: no
    edge line, as a front-lit Lambert cylinder's steep rim drew), `TORSO_SIDE_SHADE` at the sides and beyond them,
    grown in under the shoulders (`TORSO_SIDES`); `level`: the cells within the trunk's height."""
    g = BOX_GRID
    hs, ws = trunk.shape
    sw = max(float(np.linalg.norm(left_shoulder - right_shoulder)), 1.0)
    u = (left_shoulder - right_shoulder) / sw
    v = np.array([-u[1], u[0]]) if u[0] >= 0 else np.array([u[1], -u[0]])  # down the body
    ys, xs = np.mgrid[0:hs, 0:ws].astype(np.float32)
    dx, dy = (xs + 0.5) * g - 0.5 - neck[0], (ys + 0.5) * g - 0.5 - neck[1]
    across, down = dx * u[0] + dy * u[1], dx * v[0] + dy * v[1]
    row = np.floor(down / g).astype(np.int64)
    kk, aa = row[trunk > 0], across[trunk > 0]
    k0, n = int(kk.min()), int(kk.max() - kk.min()) + 1
    lo, hi = np.full(n, np.inf), np.full(n, -np.inf)
    np.minimum.at(lo, kk - k0, aa)
    np.maximum.at(hi, kk - k0, aa)
    seen = np.isfinite(lo)
    at = np.arange(n, dtype=np.float64)
    sigma = max(0.5, 0.05 * sw / g)
    lo, hi = (
        cv2.GaussianBlur(np.interp(at, at[seen], e[seen]).reshape(-1, 1), (1, 0), sigma, sigmaY=sigma).ravel()
        for e in (lo, hi)
    )
    j = np.clip(row - k0, 0, n - 1)
    half = np.maximum(0.5 * (hi[j] - lo[j]), g)
    x = np.clip(np.abs(across - 0.5 * (lo[j] + hi[j])) / half, 0.0, 1.0)
    below = np.clip((down - TORSO_SIDES[0] * sw) / ((TORSO_SIDES[1] - TORSO_SIDES[0]) * sw), 0.0, 1.0)
    gain = (1.0 - TORSO_SIDE_SHADE * x * x * below).astype(np.float32)
    return gain, ((row >= k0) & (row < k0 + n)).astype(np.uint8)


def _drawn_arms(
    grid_hw: tuple[int, ...],
    xy: np.ndarray,
    ok: np.ndarray,
    sw: float,
    widths: dict[tuple[int, int], tuple[float, float]],
    bones: tuple[tuple[int, int], ...] = ARM_BONES,
) -> np.ndarray:
    """(h, w) uint8 {0, 1} on the 1/`BOX_GRID` grid (`grid_hw`): the arm `bones` of the pose's joints `xy` (J, 2)
    pixels (x, y) of the crop (`ok` (J,) bool: found) drawn at `widths` (shoulder widths `sw`), round at their
    start joint."""
    g = BOX_GRID
    arms = np.zeros(grid_hw[:2], np.uint8)
    for a, b in bones:
        if ok[a] and ok[b]:
            ra, rb = (0.5 * x * sw / g for x in widths[(a, b)])
            pa, pb = (xy[a] + 0.5) / g - 0.5, (xy[b] + 0.5) / g - 0.5
            cv2.fillPoly(arms, [np.round(segment_quad(pa, pb, ra, rb)).astype(np.int32)], 1)
            cv2.circle(arms, tuple(np.round(pa).astype(int)), max(1, round(ra)), 1, -1)
    return arms


def _arm_zone(
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin: tuple[int, int],
    crop_hw: tuple[int, ...],
    widths: dict[tuple[int, int], tuple[float, float]],
) -> np.ndarray | None:
    """(h, w) float32 [0, 1] in a crop (`crop_hw`, at `origin` of the (H, W) = `size_hw` image) of batch item `i`:
    the pose's arms (`_drawn_arms` at `widths`), softened over 0.04 shoulder widths: where repainted skin takes the
    visible arms' and hands' tone (`_fill`). None without both shoulders or any arm bone."""
    frame = _shoulder_frame(keypoints, i, size_hw, origin)
    if frame is None:
        return None
    xy, ok, sw = frame
    h, w = crop_hw[:2]
    g = BOX_GRID
    arms = _drawn_arms((-(-h // g), -(-w // g)), xy, ok, sw, widths)
    if sw < 8 or not arms.any():
        return None
    soft = cv2.GaussianBlur(arms.astype(np.float32), (0, 0), max(0.5, 0.04 * sw / g))
    return np.clip(cv2.resize(soft, (w, h), interpolation=cv2.INTER_LINEAR), 0.0, 1.0)


def _arm_light(
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin: tuple[int, int],
    crop_hw: tuple[int, ...],
    widths: dict[tuple[int, int], tuple[float, float]],
    exits: list[_SleeveExit] | None = None,
) -> np.ndarray | None:
    """(h, w) float32 gain for repainted skin in a crop (`crop_hw`, at `origin` of the (H, W) = `size_hw` image) of
    batch item `i`: `arm_shading` of the pose's arm bones at `widths` (shoulder widths, `_arm_widths`), darker on
    the side facing the body (the neck's column, below it); an upper arm continued under a freed sleeve (`exits`,
    `_sleeve_exits`, crop pixels) as it is painted, as wide and as placed as where it leaves the sleeve: shaded on
    the bone at the prior's width, a wider arm (07966's under a T-shirt's sleeve) showed a dark line down its middle
    and flat sides. None without both shoulders or any arm bone."""
    frame = _shoulder_frame(keypoints, i, size_hw, origin)
    if frame is None:
        return None
    xy, ok, sw = frame
    segments = {
        (a, b): [(xy[a], xy[b], 0.5 * widths[(a, b)][0] * sw, 0.5 * widths[(a, b)][1] * sw)]
        for a, b in ARM_BONES
        if ok[a] and ok[b]
    }
    for e in exits or []:
        if e.bone in segments:
            # (across the arm as painted: the continued arm and the limb drawn on the bone, `_background_weight`)
            ra = 0.5 * widths[e.bone][0] * sw
            lo, hi = min(e.lo, -ra), max(e.hi, ra)
            half = 0.5 * (hi - lo)
            shift = e.normal * 0.5 * (lo + hi)
            # the painted run, then on to the elbow joint (one outline with the forearm's segment, `arm_shading`)
            rb = half * widths[e.bone][1] / widths[e.bone][0]
            segments[e.bone] = [(e.joint + shift, e.end + shift, half, half), (e.end + shift, xy[e.bone[1]], half, rb)]
    body = 0.5 * (xy[2] + xy[5]) + np.array([0.0, sw])  # (a point on the body's axis, down the chest)
    drawn = [seg for bone in segments.values() for seg in bone]
    return arm_shading(crop_hw[:2], drawn, body, inner_from=ARM_PIT) if drawn and sw >= 8 else None


def _arm_widths(
    codes: np.ndarray, keypoints: KeypointPairs | None, i: int
) -> dict[tuple[int, int], tuple[float, float]]:
    """`LIMB_WIDTHS` with each arm bone's widths scaled (within `ARM_SCALE`) to the visible arm skin of batch item
    `i` (`codes` (H, W) uint8 of the whole image: arm, not old clothes) across the bone's middle `ARM_SPAN`: per
    slice (of `ARM_BINS`), its pixel count over its length, the median over the slices at least `ARM_FULL` of the
    prior's width; the prior where fewer than two slices are. An upper arm not measured so (under an old sleeve)
    is scaled as its measured forearm."""
    widths = dict(LIMB_WIDTHS)
    if keypoints is None or keypoints.pose is None:
        return widths
    xy, ok = joints_px(keypoints.pose, i, codes.shape)
    if not (ok[2] and ok[5]):
        return widths
    sw = float(np.linalg.norm(xy[2] - xy[5]))
    ys, xs = nonzero_yx(((codes & CODE_ARM) > 0) & ((codes & CODE_OLD) == 0))
    if sw < 8 or len(xs) == 0:
        return widths
    scaled = set()
    for a, b in ARM_BONES:
        if not (ok[a] and ok[b]):
            continue
        d = xy[b] - xy[a]
        length = float(np.linalg.norm(d))
        if length < 4:
            continue
        dx, dy = xs - xy[a][0], ys - xy[a][1]
        t = (dx * d[0] + dy * d[1]) / length**2
        across = np.abs(dx * d[1] - dy * d[0]) / length
        wa, wb = LIMB_WIDTHS[(a, b)]
        near = (t >= ARM_SPAN[0]) & (t < ARM_SPAN[1]) & (across < 0.6 * max(wa, wb) * ARM_SCALE[1] * sw)
        edges = np.linspace(*ARM_SPAN, ARM_BINS + 1)
        counts = np.histogram(t[near], edges)[0]
        mid = 0.5 * (edges[:-1] + edges[1:])
        ratio = counts / ((edges[1] - edges[0]) * length) / ((wa + (wb - wa) * mid) * sw)
        full = ratio[ratio >= ARM_FULL]
        if len(full) >= 2:
            k = float(np.clip(np.median(full), *ARM_SCALE))
            widths[(a, b)] = (wa * k, wb * k)
            scaled.add((a, b))
    # (an upper arm hidden under an old sleeve is as much narrower or wider than the prior as its visible forearm)
    for upper, forearm in UPPER_AND_FOREARMS:
        if forearm in scaled and upper not in scaled:
            k = widths[forearm][0] / LIMB_WIDTHS[forearm][0]
            widths[upper] = (LIMB_WIDTHS[upper][0] * k, LIMB_WIDTHS[upper][1] * k)
    return widths


@dataclass(frozen=True)
class _Legs:
    segments: list[tuple[np.ndarray, np.ndarray, float, float]]  # (pa (2,), pb (2,), ra, rb) image pixels, radii
    hips_y: float  # image row of the hip joints (their mean): the legs decide the repaint below it


def _leg_segments(legs: np.ndarray, keypoints: KeypointPairs | None, i: int) -> _Legs | None:
    """The legs of batch item `i` as tapered segments (hip -> knee -> ankle) in the pixels of `legs` (H, W) bool,
    the parse map's visible legs: `LEG_WIDTHS`, each leg's scaled (within `ARM_SCALE`) to its visible skin across
    its bones and its centre shifted (within `LEG_SHIFT`) onto that skin's, per slice of `ARM_BINS` along a bone
    at least `ARM_FULL` of the prior's width (the median); a bone without such slices takes its leg's other bone's
    scale and, from the knee, its shift (none at the hip). None without both shoulders and both hips."""
    if keypoints is None or keypoints.pose is None:
        return None
    xy, ok = joints_px(keypoints.pose, i, legs.shape)
    if not (ok[2] and ok[5] and ok[9] and ok[12]):
        return None
    sw = float(np.linalg.norm(xy[2] - xy[5]))
    if sw < 8:
        return None
    ys, xs = np.nonzero(legs)
    fits: dict[tuple[int, int], tuple[float, float]] = {}  # bone -> (scale, shift in pixels along its normal)
    normals: dict[tuple[int, int], np.ndarray] = {}
    for a, b in LEG_WIDTHS:
        d = xy[b] - xy[a]
        length = float(np.linalg.norm(d))
        if not (ok[a] and ok[b]) or length < 4:
            continue
        n = np.array([-d[1], d[0]]) / length
        normals[(a, b)] = n
        if len(xs) == 0:
            continue
        dx, dy = xs - xy[a][0], ys - xy[a][1]
        t = (dx * d[0] + dy * d[1]) / length**2
        across = dx * n[0] + dy * n[1]
        wa, wb = LEG_WIDTHS[(a, b)]
        near = (t >= 0) & (t < 1) & (np.abs(across) < 0.6 * max(wa, wb) * ARM_SCALE[1] * sw)
        edges = np.linspace(0.0, 1.0, ARM_BINS + 1)
        counts = np.histogram(t[near], edges)[0]
        sums = np.histogram(t[near], edges, weights=across[near])[0]
        mid = 0.5 * (edges[:-1] + edges[1:])
        ratio = counts / ((edges[1] - edges[0]) * length) / ((wa + (wb - wa) * mid) * sw)
        full = ratio >= ARM_FULL
        if full.any():
            scale = float(np.clip(np.median(ratio[full]), *ARM_SCALE))
            shift = float(np.clip(np.median(sums[full] / counts[full]), -LEG_SHIFT * sw, LEG_SHIFT * sw))
            fits[(a, b)] = (scale, shift)
    segments = []
    for thigh, calf in (((9, 10), (10, 11)), ((12, 13), (13, 14))):
        for bone, other in ((thigh, calf), (calf, thigh)):
            if bone not in normals:
                continue
            scale, shift = fits.get(bone, fits.get(other, (1.0, 0.0)))
            shifts = (shift, shift)
            if bone not in fits and bone == thigh:
                shifts = (0.0, shift)  # (the calf's shift from the knee up, none at the hip)
            a, b = bone
            wa, wb = LEG_WIDTHS[bone]
            n = normals[bone]
            segment = (xy[a] + n * shifts[0], xy[b] + n * shifts[1], 0.5 * wa * scale * sw, 0.5 * wb * scale * sw)
            if bone == thigh:  # (its own leg's skin: nearer its thigh's line than the other thigh's)
                beside = (12, 13) if thigh == (9, 10) else (9, 10)
                mine = _line_distance(xs, ys, xy[a], xy[b]) < _line_distance(xs, ys, *(xy[k] for k in beside))
                segments.extend(_thigh_from_hem(segment, xs[mine], ys[mine], sw))
            else:
                segments.append(segment)
    return _Legs(segments, float(0.5 * (xy[9][1] + xy[12][1]))) if segments else None


def _line_distance(xs: np.ndarray, ys: np.ndarray, pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """(N,) distances of the points (`xs`, `ys`) from the line through `pa` and `pb` (x, y)."""
    d = pb - pa
    return np.abs((xs - pa[0]) * d[1] - (ys - pa[1]) * d[0]) / max(float(np.linalg.norm(d)), 1e-6)


def _thigh_from_hem(
    segment: tuple[np.ndarray, np.ndarray, float, float], xs: np.ndarray, ys: np.ndarray, sw: float
) -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """A thigh's `segment` (hip -> knee, as `_Legs.segments`) split where its visible skin (`xs`, `ys`: the parse
    map's leg pixels) begins below an old hem, at least `ARM_TOP` down the bone: from there the drawn thigh is as wide
    and as placed as that skin over `ARM_TOP` of the bone below it (its 5-95 % span / 0.9), and it tapers from the hip
    to there. The bins' median fit (or the calf's, when too little thigh shows for a bin) put the repainted thigh's
    sides up to 9 px off the real ones where they meet (the quick lower workflow, 013565: a pale bulge beside one thigh,
    a notch of wall in the other)."""
    pa, pb, ra, rb = segment
    d = pb - pa
    length = float(np.linalg.norm(d))
    if length < 4 or len(xs) == 0:
        return [segment]
    n = np.array([-d[1], d[0]]) / length
    dx, dy = xs - pa[0], ys - pa[1]
    t = (dx * d[0] + dy * d[1]) / length**2
    across = dx * n[0] + dy * n[1]
    near = (t >= 0) & (t <= 1) & (np.abs(across) < 1.2 * max(ra, rb) * ARM_SCALE[1])
    # where the skin begins: the first slice of half `ARM_TOP` at least `ARM_FULL` full (stray leg pixels of
    # estimated regions at the crotch are not the thigh showing)
    edges = np.arange(0.0, 1.0 + 1e-9, 0.5 * ARM_TOP)
    counts = np.histogram(t[near], edges)[0]
    expected = 0.5 * ARM_TOP * length * 2 * (ra + 0.5 * (edges[:-1] + edges[1:]) * (rb - ra))
    full = np.nonzero(counts >= ARM_FULL * expected)[0]
    if len(full) == 0 or edges[full[0]] < ARM_TOP or edges[full[0]] > 1 - ARM_TOP:
        return [segment]  # the thigh shows up to the hip (nothing repainted along it), or no thigh shows
    t0 = float(t[near & (t >= edges[full[0]])].min())
    top = near & (t >= t0) & (t <= t0 + ARM_TOP)
    lo, hi = np.percentile(across[top], (5, 95))
    r0 = 0.5 * float(hi - lo) / 0.9  # (the 5-95 % span of a leg's evenly filled width is 0.9 of it)
    if r0 < ARM_FULL * (ra + t0 * (rb - ra)):
        return [segment]  # the old hem crosses the thigh slantwise: no full width to continue
    p0 = pa + t0 * d + n * 0.5 * float(lo + hi)
    return [(pa, p0, ra, r0), (p0, pb, r0, rb)]


@dataclass(frozen=True)
class _LegFill:
    zone: np.ndarray  # (h, w) float32 [0, 1] the legs below the hips (`_draw_legs`), soft over `LEG_SOFT_PX`
    light: np.ndarray  # (h, w) float32 gain: their round shading (`arm_shading` of the leg segments), 1 elsewhere
    visible: np.ndarray  # (h, w) bool the parse map's visible legs


def _leg_fill(
    legs: _Legs, visible: np.ndarray, origin_yx: tuple[int, int], crop_hw: tuple[int, ...], unit: float
) -> _LegFill:
    """What `_fill` needs for the `legs` (`_leg_segments`) in a crop of `crop_hw` at `origin_yx` of the image, with
    the parse map's `visible` (h, w) bool legs there: the drawn legs, softened, and each leg shaded as a cylinder
    across its own width, darker on the side facing the other leg (the other leg hides part of the light)."""
    zone = _draw_legs(legs, origin_yx, crop_hw, 1).astype(np.float32)
    zone = cv2.GaussianBlur(zone, (0, 0), max(0.5, LEG_SOFT_PX * unit))
    shift = np.array([origin_yx[1], origin_yx[0]], np.float64)
    segments = [[pa - shift, pb - shift, ra, rb] for pa, pb, ra, rb in legs.segments]
    for above, below in zip(segments[:-1], segments[1:], strict=True):
        # a thigh and its calf meet at one knee (`arm_shading` fades a limb out past an end no other one shares:
        # their ends a shift apart drew a pale band across the knee)
        if np.linalg.norm(above[1] - below[0]) < max(above[3], below[2]):
            above[1] = below[0] = 0.5 * (above[1] + below[0])
    ends = np.array([p for seg in segments for p in seg[:2]])
    between = np.array([ends[:, 0].mean(), ends[:, 1].max() + 1e4])  # (a point far down between the legs)
    light = arm_shading(crop_hw[:2], [tuple(seg) for seg in segments], between)
    return _LegFill(zone.astype(np.float32), light, visible)


@dataclass(frozen=True)
class _SleeveExit:
    """An upper arm continued under a freed sleeve as where it leaves the sleeve (`_sleeve_exits`), crop pixels."""

    bone: tuple[int, int]  # (shoulder, elbow) joint indices
    joint: np.ndarray  # (2,) x, y the shoulder joint
    end: np.ndarray  # (2,) x, y the bone's point level with the arm's topmost visible pixel
    normal: np.ndarray  # (2,) unit vector across the bone
    lo: float  # the arm's sides across the bone (pixels along `normal` from it), lo < hi
    hi: float


def _sleeve_exits(
    codes: np.ndarray,
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin_yx: tuple[int, int],
    widths: dict[tuple[int, int], tuple[float, float]] | None = None,
) -> list[_SleeveExit]:
    """Each upper arm of batch item `i` that leaves an old sleeve in the crop `codes` (H, W) uint8 (at `origin_yx` of
    an image of `size_hw`): its visible skin across the bone over the `ARM_TOP` of the bone's length below its
    topmost visible pixel (5-95 %), when that lies at least `ARM_TOP` down the bone and spans `ARM_FULL` of the
    prior's width, or of its measured forearm's top (`widths`, `_arm_widths`) where that is narrower (a sleeve's
    edge crossing the arm slantwise shows no full width; a slim arm under a loose T-shirt's sleeve is ~0.13 shoulder
    widths where it leaves it, half the prior's, the unseen idm_00121)."""
    out: list[_SleeveExit] = []
    frame = _shoulder_frame(keypoints, i, size_hw, origin_yx)
    if frame is None:
        return out
    xy, ok, sw = frame
    ys, xs = nonzero_yx(((codes & CODE_ARM) > 0) & ((codes & CODE_OLD) == 0))
    for a, b in UPPER_ARMS:
        length = float(np.linalg.norm(xy[b] - xy[a]))
        if not (ok[a] and ok[b]) or length < 4 or len(xs) == 0:
            continue
        d = (xy[b] - xy[a]) / length
        n = np.array([-d[1], d[0]])
        dx, dy = xs - xy[a][0], ys - xy[a][1]
        t = (dx * d[0] + dy * d[1]) / length
        across = dx * n[0] + dy * n[1]
        # (as far out as a whole arm width: the arm may lie off the bone by up to half its width)
        near = (t >= 0) & (t <= 1) & (np.abs(across) < LIMB_WIDTHS[(a, b)][0] * ARM_SCALE[1] * sw)
        if not near.any() or t[near].min() < ARM_TOP:
            continue  # no arm seen, or seen up to the shoulder (no sleeve over it)
        t0 = _full_width_from(t[near], across[near], float(t[near].min()))
        top = near & (t >= t0) & (t <= t0 + ARM_TOP)
        lo, hi = np.percentile(across[top], (5, 95))
        forearm = (b, b + 1)
        full = min(LIMB_WIDTHS[(a, b)][0], (widths or LIMB_WIDTHS).get(forearm, LIMB_WIDTHS[forearm])[0])
        if hi - lo < ARM_FULL * full * sw:
            continue  # the sleeve's edge crosses the arm slantwise: no full width to continue
        out.append(_SleeveExit((a, b), xy[a], xy[a] + d * t0 * length, n, float(lo), float(hi)))
    return out


def _exit_widths(
    widths: dict[tuple[int, int], tuple[float, float]],
    exits: list[_SleeveExit],
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
) -> dict[tuple[int, int], tuple[float, float]]:
    """`widths` (shoulder widths, `_arm_widths`) with each upper arm that leaves an old sleeve (`exits`) narrowed, both
    ends alike, to its width where it leaves it (its 5-95 % span over 0.9: the share of a uniform width it covers)
    over the limb's own width there, where that is narrower: the limb drawn on the bone (and the shoulder's round
    over it, `body_prior.shoulder_reach`) stood out past a slim arm as wide as the old sleeve (the unseen idm_00121's
    T-shirt under a bustier: upper arms ~1.7 times their width below the sleeves); the taper kept, a deltoid wider
    than the arm above the elbow (cut to one width, VITON-HD 07573's upper arm under a camisole was a thin strip with
    a step out to the forearm)."""
    frame = _shoulder_frame(keypoints, i, size_hw, (0, 0))
    if frame is None or not exits:
        return widths
    xy, _, sw = frame
    out = dict(widths)
    for e in exits:
        a, b = e.bone
        t = float(np.linalg.norm(e.end - e.joint)) / max(float(np.linalg.norm(xy[b] - xy[a])), 1e-6)
        wa, wb = out[e.bone]
        k = (e.hi - e.lo) / 0.9 / sw / (wa + (wb - wa) * min(t, 1.0))
        if k < 1.0:
            out[e.bone] = (wa * k, wb * k)
    return out


def _full_width_from(t: np.ndarray, across: np.ndarray, t0: float) -> float:
    """Where along the bone, from `t0` on, the visible arm (its pixels' positions `t` along the bone and `across` it,
    (N,) each) first spans (5-95 %) `ARM_EXIT_FULL` of its widest over `2 ARM_TOP` below `t0`, in steps of `ARM_TOP`
    / `ARM_EXIT_STEPS`. A hem slanted across the arm frees one side of it a little higher: measured from its topmost
    pixel, the other side's edge was read inside its true line (a step in the continued arm's edge at the hem, and a
    notch of wall beside the hem, the unseen 07966's upper arm under a T-shirt)."""
    step = ARM_TOP / ARM_EXIT_STEPS
    spans = []
    for k in range(2 * ARM_EXIT_STEPS):
        rows = (t >= t0 + k * step) & (t < t0 + (k + 1) * step)
        lo, hi = np.percentile(across[rows], (5, 95)) if rows.sum() >= 2 else (0.0, 0.0)
        spans.append(hi - lo)
    first = int(np.argmax(np.array(spans) >= ARM_EXIT_FULL * max(spans)))
    return t0 + first * step


def _upper_arms_under_sleeves(crop_hw: tuple[int, ...], exits: list[_SleeveExit]) -> np.ndarray:
    """(H, W) = `crop_hw` bool: each upper arm continued up to its shoulder joint under a freed sleeve as wide and as
    placed as the visible arm where it leaves the sleeve (`exits`, `_sleeve_exits`, crop pixels). The pose's shoulder
    joint sits on the inner side of the deltoid, so the limb drawn on the bone left the arm's outer side as a pale
    strip of wall beside the shoulder (VITON-HD 00891 under a camisole). Not capped at the torso's round shoulder
    (`shoulder_arc`): where the visible arm leaves a sleeve above it, the arm is there (a cap at it bit dents of wall
    into VITON-HD 03615's and 07445's arms under a cap sleeve)."""
    out = np.zeros(crop_hw[:2], np.uint8)
    for e in exits:
        n = e.normal
        quad = np.array([e.joint + n * e.lo, e.joint + n * e.hi, e.end + n * e.hi, e.end + n * e.lo])
        cv2.fillPoly(out, [np.round(quad).astype(np.int32)], 1)
        centre = e.joint + n * 0.5 * (e.lo + e.hi)
        cv2.circle(out, tuple(np.round(centre).astype(int)), int(round(0.5 * (e.hi - e.lo))), 1, -1)  # round shoulder
    return out > 0


def _near_residue(
    c: _Crop,
    fr: _Freed,
    freed: np.ndarray,
    near: np.ndarray,
    fc: np.ndarray,
    keypoints: KeypointPairs | None,
    i: int,
    unit: float,
    size_hw: tuple[int, int],
    kernels: _Kernels,
) -> np.ndarray:
    """(H, W) bool: old-garment pixels the parse map missed (a sleeve's hem corner, a fringe) within `RESIDUE_PX`
    of the old clothes, not yet `freed`: nearer the old clothes' colour (or its blend with the fill `fc`: a
    sleeve's anti-aliased edge on the wall) than what the repaint puts there; over what stays in front only
    inside the pose's arms (a skirt's parse-map edge along a sleeve in front of it), when nearer the old clothes'
    colour than that part's own (`RESIDUE_FRONT` times as near, away from the wall)."""
    ci, cc = c.img, c.codes
    lower_front = fr.lower_front.copy()
    front_own = lower_front & ~near
    arms_prior = body_prior(keypoints, i, size_hw, 1, ARM_BONES, torso=False)
    if arms_prior is not None and front_own.sum() >= 64:
        loose = max(1, round(RESIDUE_PX * unit))  # a sleeve is looser than the arm
        box = (slice(c.origin[0], c.origin[0] + cc.shape[0]), slice(c.origin[1], c.origin[1] + cc.shape[1]))
        sleeves = cv2.dilate(arms_prior[box], np.ones((2 * loose + 1, 2 * loose + 1), np.uint8))
        # on its outline against the wall (in a top's colour, a pair of jeans is ambiguous), or anywhere when
        # far nearer the old clothes' colour than that part's (a white sleeve the jeans' label took)
        wall = cv2.dilate((((cc & CODE_BACKGROUND) > 0) & ~c.covered).astype(np.uint8), kernels.reach) > 0
        lower_front &= sleeves > 0
    else:
        lower_front[:] = False
        wall = lower_front
    band = near & ~c.covered & ~freed & (fr.soft_side | lower_front)
    if not band.any():
        return np.zeros(band.shape, bool)
    old_colour = c.old_colour
    px, under = every_masked(ci, band, 1), every_masked(fc, band, 1)  # (`ci[band]`, `fc[band]`)
    to_old = _off_blend(px, old_colour, under)
    residue = np.zeros(band.shape, np.uint8)
    ok = (to_old < RESIDUE_COLOUR) & (to_old < channel_sum(np.abs(px - under)))
    if lower_front.any():
        to_front = _off_blend(px, np.median(every_masked(ci, front_own, 7), axis=0), under)
        ok &= ~lower_front[band] | (to_old < np.where(wall[band], 1.0, RESIDUE_FRONT) * to_front)
    residue[band] = ok
    return band & (cv2.dilate(residue, np.ones((3, 3), np.uint8)) > 0)


def _far_residue(c: _Crop, bg_seed: np.ndarray, unit: float, *, objects: bool = True) -> np.ndarray:
    """(H, W) bool: background-labelled pixels of the crop's image within `RESIDUE_FAR_PX` (at 1024 rows) of
    its old clothes, not covered by the new garment, that are old clothes the parse map missed
    (the outer strip of a sleeve, the top of a shoulder): their colour is off the background's (its fill from
    `bg_seed` pixels beyond that reach) by more than `RESIDUE_FAR_NOISE` times the background's own spread there (at
    least `RESIDUE_FAR_MIN`, sum of |RGB| differences) and within `RESIDUE_COLOUR` of the old clothes' median colour,
    and they join the old clothes through such pixels, but not those joined to pixels of such colours beyond that
    reach (off the wall's median colour there) when `objects`: an object of its own, such as a bag held against them."""
    img, codes, old, covered = c.img, c.codes, c.old, c.covered
    none = np.zeros(old.shape, bool)
    reach = max(2, round(RESIDUE_FAR_PX * unit))
    d_old = cv2.distanceTransform((~old).astype(np.uint8), cv2.DIST_L2, 3)
    zone = d_old <= reach
    seed = bg_seed & ~zone
    candidates = zone & ((codes & CODE_BACKGROUND) > 0) & ~old & ~covered
    if not candidates.any() or seed.sum() < GRAIN_MIN_PX * unit * unit:
        return none
    bg = push_pull(img, seed)
    # the background's own spread next to that reach (a ring as wide as it): its gradients, grain or texture
    ring = seed & (d_old <= 2 * reach)
    spread = (
        channel_sum(np.abs(every_masked(img, ring, 1) - every_masked(bg, ring, 1)))
        if ring.sum() >= 16
        else np.zeros(1, np.float32)
    )
    limit = max(RESIDUE_FAR_MIN, RESIDUE_FAR_NOISE * float(np.percentile(spread, 90)))
    old_colour = c.old_colour
    px = every_masked(img, candidates, 1)
    hit = np.zeros(old.shape, np.uint8)
    diff = np.zeros(old.shape, np.float32)
    diff[candidates] = channel_sum(np.abs(px - every_masked(bg, candidates, 1)))
    # a shirt's shaded parts can match the wall pixel by pixel: the difference nearby, on average, counts too
    near_diff = cv2.GaussianBlur(diff, (0, 0), max(1.0, 3 * unit))
    off = (diff > limit) | (near_diff > 0.6 * limit)
    hit[candidates] = off[candidates] & (channel_sum(np.abs(px - old_colour)) < RESIDUE_COLOUR)
    hit = cv2.morphologyEx(hit, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))  # not single specks of noise
    # nor holes in it (a sleeve's shaded contour near the wall's colour): closed, with the old clothes
    r = max(1, round(4 * unit))
    closed = cv2.morphologyEx(hit | old.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((2 * r + 1,) * 2, np.uint8))
    hit = (closed > 0) & candidates
    count, parts = cv2.connectedComponents((hit | old).astype(np.uint8), connectivity=8)
    joined = np.zeros(count, bool)
    joined[parts[old]] = True  # (a lookup table: no sort of the labels)
    hit &= joined[parts]
    # what goes on past that reach in such colours is an object of its own (a bag held against the old clothes),
    # kept as it is; a strip the parse map missed ends within it
    # (only looked for when kept, and coloured at its own pixels only: the whole crop's differences were most of
    # this step's time)
    beyond = ~zone & ((codes & CODE_BACKGROUND) > 0) & ~covered if objects and hit.any() and ring.sum() >= 16 else none
    if beyond.any():
        px = img[beyond]
        beyond[beyond] = (channel_sum(np.abs(px - np.median(img[ring], axis=0))) > limit) & (
            channel_sum(np.abs(px - old_colour)) < RESIDUE_COLOUR
        )
    if beyond.any():
        count, parts = cv2.connectedComponents((hit | beyond).astype(np.uint8), connectivity=8)
        objects = np.zeros(count, bool)
        objects[parts[beyond]] = True
        hit &= ~objects[parts]
    # and its outline's mixed pixels (the fringe the paint's outward feather does not reach)
    return (cv2.dilate(hit.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & candidates


def _between_legs(legs: np.ndarray) -> np.ndarray:
    """(H, W) bool: the convex hull of `legs` (H, W) bool (its parts of at least `LEG_PART` of the largest's area:
    not a stray speck): what shows between the legs lies behind them, in their shadow, or is not on the body."""
    out = np.zeros(legs.shape, bool)
    count, parts, stats, _ = cv2.connectedComponentsWithStats(legs.astype(np.uint8), connectivity=8)
    if count < 2:
        return out
    areas = stats[1:, cv2.CC_STAT_AREA]
    big = np.flatnonzero(areas >= LEG_PART * areas.max()) + 1
    ys, xs = np.nonzero(np.isin(parts, big))
    hull = cv2.convexHull(np.stack([xs, ys], 1).astype(np.int32))
    return cv2.fillConvexPoly(out.astype(np.uint8), hull, 1) > 0


def _off_blend(px: np.ndarray, colour: np.ndarray, under: np.ndarray) -> np.ndarray:
    """(N,) sum of |RGB| differences of colours `px` (N, 3) from the nearest blend of `colour` (3,) with at most 85 %
    of `under` (N, 3) (a pixel on the outline of something of `colour` over `under`, or that colour itself)."""
    d = under - colour
    t = np.clip(channel_sum((px - colour) * d) / np.maximum(channel_sum(d * d), 1e-6), 0.0, 0.85)
    return channel_sum(np.abs(px - (colour + t[:, None] * d)))


def _specks(front: np.ndarray, freed: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) bool: the connected parts of `front` (H, W) bool smaller than `SPECK_PX` squared (at 1024 rows) that
    touch `freed` (H, W) bool."""
    if not front.any():
        return np.zeros(front.shape, bool)
    _, parts, stats, _ = cv2.connectedComponentsWithStats(front.astype(np.uint8), connectivity=8)
    small = stats[:, cv2.CC_STAT_AREA] < SPECK_PX * SPECK_PX * unit * unit
    small[0] = False
    if not small.any():
        return np.zeros(front.shape, bool)
    touching = np.zeros(len(small), bool)
    touching[parts[cv2.dilate(freed.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0]] = True
    return (small & touching)[parts]


def _shoulder_tops(
    upper: np.ndarray,
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin_yx: tuple[int, int],
    shape_hw: tuple[int, ...],
) -> np.ndarray | None:
    """(H, W) bool of a crop of `shape_hw` at `origin_yx` of an image of `size_hw`: the body under an upper garment
    (`upper` (h, w) bool on the 1/`WEIGHT_SCALE` grid, `_upper_body`: the person's own neck and shoulders) above the
    line through the shoulder joints of batch item `i` and between their columns; None without them."""
    frame = _shoulder_frame(keypoints, i, size_hw, origin_yx)
    if frame is None:
        return None
    xy, _, _ = frame
    h, w = shape_hw[:2]
    body = upper.repeat(WEIGHT_SCALE, 0).repeat(WEIGHT_SCALE, 1)[:h, :w]
    out = np.zeros((h, w), bool)
    out[: body.shape[0], : body.shape[1]] = body
    xa, xb = sorted((float(xy[2][0]), float(xy[5][0])))
    if xb - xa < 1:
        return None
    xs = np.arange(w)
    out &= above_line(xy[2], xy[5], (h, w))
    out &= ((xs >= xa) & (xs <= xb))[None, :]
    return out


def _no_slivers(
    weight: np.ndarray,
    freed: np.ndarray,
    skin: np.ndarray,
    covered: np.ndarray,
    unit: float,
    keep: np.ndarray | None = None,
) -> np.ndarray:
    """`weight` (H, W) float [0, 1] (the fill's background share) raised to background where the repainted skin (its
    `freed` (H, W) bool pixels under 0.5), with the visible `skin` (H, W) bool beside it, is thinner than 2
    `SLIVER_PX` (at 1024 rows; the new garment's parts thinner than that, a strap, counted as body) and within 2
    `SLIVER_PX` of the background's share and of the new garment (`covered` (H, W) bool): a strip of skin between
    a new sleeve or side seam that covers the body and the background is no body part; a freed forearm narrowing
    to the wrist, far from the new garment, is (it left a block of wall between the repainted arm and the hand),
    and so is the shoulder's skin beside a strap's tip, and in `keep` (H, W) bool (`_shoulder_tops`): the skin the
    new collar leaves on the person's own shoulder tapers to nothing where the collar meets the shoulder's slope
    (cat_model_7 in ootd_049949_1: its tip made wall, a wedge between the skin's square end and the shirt)."""
    painted_skin = freed & (weight < 0.5)
    if not painted_skin.any():
        return weight
    r = max(1, round(SLIVER_PX * unit))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    # (the new garment's parts thinner than the kernel count as body: a strap's tip on the shoulder left corners of
    # skin beside it that became flecks of wall, wide15 07966 x 02015)
    # (both openings in the repainted skin's box only, grown by their reach: the same pixels there)
    box = _grown_box(painted_skin, 4 * r)
    thin = covered[box] & (cv2.morphologyEx(covered[box].astype(np.uint8), cv2.MORPH_OPEN, kernel) == 0)
    opened = cv2.morphologyEx((painted_skin[box] | skin[box] | thin).astype(np.uint8), cv2.MORPH_OPEN, kernel) > 0
    sliver = np.zeros_like(painted_skin)
    sliver[box] = painted_skin[box] & ~opened
    if sliver.any():  # along the background (not a neck between collar points, enclosed by the garment)
        # (in the slivers' rows only, `distance_near`)
        sliver &= distance_near(weight > 0.5, 2 * r, sliver) <= 2 * r
        sliver &= distance_near(covered, 2 * r, sliver) <= 2 * r
        if keep is not None:
            sliver &= ~keep
    if not sliver.any():
        return weight
    return np.maximum(weight, _soft_grown(sliver, unit))


def _soft_grown(mask: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) float32 [0, 1]: `mask` (H, W) bool grown by 3 pixels at 1024 rows (the paint's outward feather, which
    shows the fill there too), then blurred to a soft edge. Grown in `mask`'s box grown past the growth, blurred
    in its box (`blur_in_box`): a sliver or the far residue is a small part of the crop."""
    grown = np.zeros(mask.shape, np.uint8)
    if not mask.any():
        return grown.astype(np.float32)
    r = max(1, round(3 * unit))
    y0, y1, x0, x1 = mask_box(mask, r + 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    grown[y0:y1, x0:x1] = cv2.dilate(np.ascontiguousarray(mask[y0:y1, x0:x1], np.uint8), disc)
    return blur_in_box(grown, max(0.8, 1.5 * unit))


@dataclass(frozen=True)
class _GrainBands:
    real: list[np.ndarray]  # (H, W) float32 per band of `GRAIN_BANDS`: the image's log-luminance band
    noise: list[np.ndarray]  # (H, W) float32 per band: its own white noise's band, unit spread
    response: np.ndarray  # (bands, bands) the spread of band j (read as `real` is) of noise band k, [j, k]
    reach: int  # the widest band's support, pixels


#: Side (pixels) of the noise patch `_band_response` reads the bands' responses from (a ~0.3 % error of spread).
GRAIN_PATCH = 192


def _grain_bands(img: np.ndarray, unit: float, rng: np.random.Generator) -> _GrainBands:
    """Bands (differences of Gaussians of `GRAIN_BANDS` sigmas, at 1024 rows) of the log-luminance of `img` (H, W, 3)
    [0, 1], and of white noise (a field of its own per band: their spreads add as variances), for `_grain`."""
    h, w = img.shape[:2]
    log_l = np.log(img @ np.array(LUMA_WEIGHTS, np.float32) + 0.04)
    sigmas = [s * unit for s in GRAIN_BANDS]
    real = _dog_bands(log_l, sigmas)
    # (a field per band: the one drawn, rolled by half its size, k times: white noise's values far apart are
    # independent, and a copy is a fraction of a new draw's time)
    noise = rng.standard_normal((h, w), dtype=np.float32)
    noises = [_noise_band(np.roll(noise, (k * h // 2, k * w // 2), (0, 1)), sigmas, k) for k in range(len(sigmas))]
    return _GrainBands(real, noises, _band_response(tuple(sigmas)), max(1, round(2 * GRAIN_BANDS[-1] * unit)))


def _dog_bands(x: np.ndarray, sigmas: list[float]) -> list[np.ndarray]:
    """(H, W) float32 per sigma: `x` (H, W) float32 between Gaussian blurs of the previous sigma (none for the first)
    and this one."""
    bands, lo = [], x
    for sigma in sigmas:
        hi, lo = lo, cv2.GaussianBlur(x, (0, 0), sigma)
        bands.append(hi - lo)
    return bands


def _noise_band(noise: np.ndarray, sigmas: list[float], k: int) -> np.ndarray:
    """(H, W) float32 unit spread: white `noise` (H, W) float32 between Gaussian blurs of sigma `sigmas`[k] and, for
    k > 0, of the geometric mean of it and the previous one: a mottling smoother than `_dog_bands`' band, which put
    nine tenths of its spread into the finer band (a skin's fine band is often half its mottling's or less)."""
    hi = noise if k == 0 else cv2.GaussianBlur(noise, (0, 0), float(np.sqrt(sigmas[k - 1] * sigmas[k])))
    band = hi - cv2.GaussianBlur(noise, (0, 0), sigmas[k])
    return band / max(float(band[::4, ::4].std()), 1e-6)


@functools.lru_cache(maxsize=8)
def _band_response(sigmas: tuple[float, ...]) -> np.ndarray:
    """(bands, bands): the spread of band j (`_dog_bands`) of the unit noise band k (`_noise_band`), [j, k], on a
    patch of `GRAIN_PATCH` pixels (its edges left out; the same noise for the same `sigmas`: cached). The bands
    overlap: the mottling's noise puts some of its spread into the finer band, the finer band's noise reads back a
    tenth weaker. Matched band by band without this (and a mottling noise as sharp as `_dog_bands`' band), the
    repainted skin came out with 1.3 x the real skin's fine grain and 0.6 x its mottling (the unseen 00035 and
    Jensen: a fine dotted grain, no skin's)."""
    n, rng = GRAIN_PATCH, np.random.default_rng(0)
    margin = min(n // 4, int(np.ceil(4 * sigmas[-1])))
    out = np.zeros((len(sigmas), len(sigmas)), np.float32)
    for k in range(len(sigmas)):
        band = _noise_band(rng.standard_normal((n, n), dtype=np.float32), list(sigmas), k)
        for j, read in enumerate(_dog_bands(band, list(sigmas))):
            out[j, k] = float(read[margin:-margin, margin:-margin].std())
    return out


def _grain_support(bands: _GrainBands, seed: np.ndarray, unit: float) -> np.ndarray | None:
    """(H, W) bool the `seed` (H, W) bool pixels whose widest band's support lies inside it, or None when fewer
    than `GRAIN_MIN_PX` (scaled to 1024 rows): too few to read a grain from."""
    r = bands.reach
    inner = cv2.erode(seed.astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8)) > 0
    return inner if inner.sum() >= GRAIN_MIN_PX * unit * unit else None


def _grain(bands: _GrainBands, seed: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) float32 gain ~ 1: noise with the fine texture of the image on `seed` (H, W) bool (real skin or
    background), for a smooth fill of it. Read band by band (`_grain_bands`), the noise has `GRAIN_SHARE` of the
    seed's spreads (1.4826 x the median absolute deviation, over seed pixels whose band support lies inside the seed:
    not its edges, eyes or a print's outline), as near as the bands' overlap allows (`_band_weights`). Ones when
    fewer than `GRAIN_MIN_PX` seed pixels (scaled to 1024 rows) remain."""
    inner = _grain_support(bands, seed, unit)
    if inner is None:
        return np.ones(seed.shape, np.float32)
    spreads = []
    for real in bands.real:
        values = every_masked(real, inner, 3)
        spreads.append(1.4826 * float(np.median(np.abs(values - np.median(values)))))
    spreads = np.asarray(spreads) * np.asarray(GRAIN_SHARE)
    out = np.zeros(seed.shape, np.float32)
    for noise, weight in zip(bands.noise, _band_weights(bands.response, spreads), strict=True):
        if weight > 0:
            out += noise * np.float32(weight)
    return np.exp(np.clip(out, -GRAIN_MAX, GRAIN_MAX)).astype(np.float32)


def _band_weights(response: np.ndarray, spreads: np.ndarray) -> np.ndarray:
    """(bands,) >= 0 the noise bands' spreads whose sum reads back, band by band, the `spreads` (bands,): the
    variances add (`response` (bands, bands) squared, `_band_response`); least squares over those >= 0 (a real
    skin's fine band is often no more than what its mottling puts there)."""
    a, b = response.astype(np.float64) ** 2, spreads.astype(np.float64) ** 2
    active = np.ones(len(b), bool)
    while active.any():
        x = np.zeros(len(b))
        x[active] = np.linalg.lstsq(a[:, active], b, rcond=None)[0]
        if (x >= 0).all():
            return np.sqrt(x)
        active &= x > 0  # (the bands that came out negative: none of their noise)
    return np.zeros(len(b))


def _background_weight(
    codes: np.ndarray,
    bg_seed: np.ndarray,
    covered: np.ndarray,
    keypoints: KeypointPairs | None,
    bones: tuple[tuple[int, int], ...],
    i: int,
    unit: float,
    size_hw: tuple[int, int],
    origin_yx: tuple[int, int],
    outside: np.ndarray | None = None,
    widths: dict[tuple[int, int], tuple[float, float]] | None = None,
    legs: _Legs | None = None,
    upper: np.ndarray | None = None,
) -> np.ndarray:
    """(H, W) float [0, 1]: how much of the fill is background: nearer background pixels than body (any other label
    but the old clothes, plus the pose's `body_prior`), or, with a pose, farther than `BODY_REACH` edges from the
    body, soft over
    `FILL_EDGE_PX`; at 1/`WEIGHT_SCALE`, lightly blurred. Under lower garments and dresses, below the hips the
    `legs` (`_leg_segments`) and the body labels are skin, the rest background, with a crisp edge (`SKIN_EDGE_PX`):
    legs repainted under a shorter garment continue the visible legs, not blobs grown from their seeds. For an upper
    garment with a pose, skin lies inside the body (the labels and the `upper` (h, w) bool body at 1/`WEIGHT_SCALE`,
    `_upper_body`) and inside the old clothes and body labels (but `outside` (H, W)
    bool, old clothes the parse map called background), each smoothed, with a crisp edge (`SKIN_EDGE_PX`,
    `SKIN_INSET_PX`). The pose's body under the new garment (`covered`) is no seed: a strip of freed clothes beside a
    sleeve that covers the arm is background, not a halo of skin. `codes`, `bg_seed` and `covered` are the crop at
    `origin_yx` of an image of `size_hw`."""
    h, w = codes.shape
    hs, ws = -(-h // WEIGHT_SCALE), -(-w // WEIGHT_SCALE)
    small = lambda m: cv2.resize(m.astype(np.float32), (ws, hs), interpolation=cv2.INTER_AREA)  # noqa: E731
    bg = small(bg_seed) > 0.75
    body = small((codes & CODE_BODY) > 0) > 0.75
    # not the parse map's specks (a skirt's along a sleeve's edge: skin and wall in flecks), nor its pin-holes
    # (a top's specks over trousers)
    body = cv2.morphologyEx(body.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    body = cv2.morphologyEx(body, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) > 0
    edge = FILL_EDGE_PX * unit / WEIGHT_SCALE
    legged = any(bone in LEG_BONES for bone in bones)
    prior = body_prior(keypoints, i, size_hw, WEIGHT_SCALE, bones, widths=widths) if legged else None
    if prior is not None:
        # trousers and dresses: the pose's body (not under the new garment) as seeds beside the labels, skin
        # only near them (legs are not drawn to their width: the nearer seed decides)
        if not bg.any():
            return np.zeros((h, w), np.float32)
        ys, xs = origin_yx[0] // WEIGHT_SCALE, origin_yx[1] // WEIGHT_SCALE
        body |= (prior[ys : ys + hs, xs : xs + ws] > 0) & (small(covered) < 0.5)
        d_bg = cv2.distanceTransform((~bg).astype(np.uint8), cv2.DIST_L2, 5)
        d_body = cv2.distanceTransform((~body).astype(np.uint8), cv2.DIST_L2, 5)
        weight = np.clip(0.5 + (d_body - d_bg) / (2 * edge), 0.0, 1.0)
        weight = np.maximum(weight, np.clip((d_body - BODY_REACH * edge) / (2 * edge), 0.0, 1.0))
        arm_bones = tuple(bone for bone in bones if bone in ARM_BONES)
        arms = body_prior(keypoints, i, size_hw, WEIGHT_SCALE, arm_bones, torso=False, widths=widths)
        if arms is not None and arm_bones:
            arms = (arms[ys : ys + hs, xs : xs + ws] > 0) & (small(covered) < 0.5)
            weight = _crisp_arms(weight, body, arms, unit)
        if legs is not None:
            weight = _below_hips_legs(weight, body, legs, origin_yx, unit)
    elif upper is not None:
        # with a pose, the body's own shape decides: skin inside the limbs and the torso drawn from the joints (or
        # any body label), background outside, soft over `FILL_EDGE_PX`: a wide old sleeve gives way to the
        # background, and an arm under a freed sleeve is arm-wide
        body |= upper
        d_out = cv2.distanceTransform((~body).astype(np.uint8), cv2.DIST_L2, 5)
        d_in = cv2.distanceTransform(body.astype(np.uint8), cv2.DIST_L2, 5)
        # the signed distance to the body's outline, upsampled (smooth: no steps of the coarse grid), then a
        # sharp change over `SKIN_EDGE_PX` at full resolution: an arm's outline against the wall is crisp (a
        # soft one over `FILL_EDGE_PX` looked like a pale ghost of an arm)
        # and inside the old clothes and the body's labels, smoothed and shrunk by `SKIN_INSET_PX` (where a pose's
        # limb reaches the old sleeve's outline, that ragged parse-map edge cut nicks of wall into the arm)
        region = (codes & (CODE_OLD | CODE_BODY)) > 0
        if outside is not None and outside.any():  # (not the old clothes the parse map called background either)
            # (only their strips: the few pixels a parse map's outline falls short of a sleeve's cut notches a
            # limb wide into the arm every time, a wavy arm; they are background all the same, `_fill_weight`)
            t = max(1, round(3 * unit))
            ellipse = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * t + 1, 2 * t + 1))
            strips = cv2.morphologyEx(outside.astype(np.uint8), cv2.MORPH_OPEN, ellipse)
            r = max(1, round(6 * unit))  # (grown as `_soft_grown`, with its blur, which makes them background)
            region &= cv2.dilate(strips, np.ones((2 * r + 1, 2 * r + 1), np.uint8)) == 0
        region = small(region) > 0.5
        r_out = cv2.distanceTransform((~region).astype(np.uint8), cv2.DIST_L2, 5)
        r_in = cv2.distanceTransform(region.astype(np.uint8), cv2.DIST_L2, 5)
        inset = cv2.GaussianBlur(r_out - r_in, (0, 0), SKIN_SMOOTH_PX * unit / WEIGHT_SCALE)
        inset += SKIN_INSET_PX * unit / WEIGHT_SCALE
        # (the body's field smoothed too: the coarse raster's stairs along a limb drawn from the pose)
        field = np.maximum(cv2.GaussianBlur(d_out - d_in, (0, 0), 2.0 * unit / WEIGHT_SCALE), inset)
        field = cv2.resize(field.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
        weight = np.clip(0.5 + field * WEIGHT_SCALE / (2 * SKIN_EDGE_PX * unit), 0.0, 1.0)
        return cv2.GaussianBlur(weight, (0, 0), max(0.5, 0.7 * unit))  # anti-aliased
    else:
        if not bg.any():
            return np.zeros((h, w), np.float32)
        d_bg = cv2.distanceTransform((~bg).astype(np.uint8), cv2.DIST_L2, 5)
        d_body = (
            cv2.distanceTransform((~body).astype(np.uint8), cv2.DIST_L2, 5) if body.any() else np.full_like(d_bg, 1e4)
        )
        weight = np.clip(0.5 + (d_body - d_bg) / (2 * edge), 0.0, 1.0)
    weight = weight.astype(np.float32)
    weight = cv2.resize(weight, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.GaussianBlur(weight, (0, 0), max(0.8, 1.5 * unit))  # a smooth contour, no steps


def _upper_body(
    codes: np.ndarray,
    keypoints: KeypointPairs | None,
    bones: tuple[tuple[int, int], ...],
    i: int,
    size_hw: tuple[int, int],
    origin_yx: tuple[int, int],
    widths: dict[tuple[int, int], tuple[float, float]] | None,
    exits: list[_SleeveExit] | None,
    hips: tuple[np.ndarray, np.ndarray] | None,
) -> np.ndarray | None:
    """(h, w) bool on the 1/`WEIGHT_SCALE` grid of the crop `codes` (H, W) uint8 at `origin_yx` of an image of
    `size_hw`: the body under an upper garment as the pose of batch item `i` draws it (`body_prior`: the `bones` of
    `widths`, the torso with its waist, its sides ending on `hips` (the lower garment's top corners, image pixels,
    `_waistband_corners`), with the upper arms continued under freed sleeves (`exits`, `_sleeve_exits`) and the torso
    down to the lower garment (`_torso_to_waistband`). None without a pose."""
    h, w = codes.shape
    hs, ws = -(-h // WEIGHT_SCALE), -(-w // WEIGHT_SCALE)
    small = lambda m: cv2.resize(m.astype(np.float32), (ws, hs), interpolation=cv2.INTER_AREA) > 0.5  # noqa: E731
    person = small((codes & (CODE_OLD | CODE_BODY | CODE_FACE | CODE_HAIR)) > 0) & ~small((codes & CODE_BACKGROUND) > 0)
    labels = small(((codes & CODE_BODY) > 0) & ((codes & CODE_FACE) == 0))
    neck = _own_neck(person, small((codes & CODE_HAIR) > 0), labels, keypoints, i, size_hw, origin_yx)
    base = None if neck is None else neck.base(origin_yx)
    prior = body_prior(keypoints, i, size_hw, WEIGHT_SCALE, bones, widths=widths, waist=True, hips=hips, neck_base=base)
    if prior is None:
        return None
    ys, xs = origin_yx[0] // WEIGHT_SCALE, origin_yx[1] // WEIGHT_SCALE
    body = np.zeros((hs, ws), bool)
    part = prior[ys : ys + hs, xs : xs + ws] > 0
    body[: part.shape[0], : part.shape[1]] = part
    body |= small(_upper_arms_under_sleeves(codes.shape, exits or []))
    body |= _torso_to_waistband(small(_front(codes)), keypoints, i, size_hw, origin_yx)
    if neck is None:
        return body
    body = neck.drawn(body)
    outline = small((codes & (CODE_OLD | CODE_BODY)) > 0) & ~small((codes & (CODE_FACE | CODE_HAIR)) > 0)
    return _own_shoulders(body, outline, neck, keypoints, i, size_hw, origin_yx)


def _own_shoulders(
    body: np.ndarray,
    outline: np.ndarray,
    neck: _Neck,
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin_yx: tuple[int, int],
) -> np.ndarray:
    """(h, w) bool `body` (h, w) bool on the 1/`WEIGHT_SCALE` grid of the crop at `origin_yx` of an image of
    `size_hw`, with each column between the `neck`'s base and a shoulder joint of batch item `i` grown up from its
    top through the person's `outline` (h, w) bool, at most `SHOULDER_RISE` shoulder widths and, within
    `SHOULDER_NECK` of the neck, not above the line falling `SHOULDER_FALL` from the neck's base: the skin follows the
    shoulders' own slope, not the torso's straight line below it."""
    frame = _shoulder_frame(keypoints, i, size_hw, origin_yx)
    if frame is None:
        return body
    xy, _, sw = frame
    g = float(WEIGHT_SCALE)
    rise = max(1, round(SHOULDER_RISE * sw / g))
    lo, hi = neck.edges[-1]
    near_px = SHOULDER_NECK * sw / g
    xa, xb = sorted((xy[2][0] / g, xy[5][0] / g))
    out = body.copy()
    cols = [*range(max(0, int(np.ceil(xa))), int(np.floor(lo))), *range(int(np.ceil(hi)) + 1, int(np.floor(xb)) + 1)]
    for x in cols:
        if x >= body.shape[1]:
            break
        inside = np.flatnonzero(body[:, x])
        if not len(inside) or inside[0] == 0:
            continue
        top = inside[0]
        near = abs(x - (lo + hi) / 2) < near_px
        ceiling = neck.rows[-1] + SHOULDER_FALL * (lo - x if x < lo else x - hi) if near else 0
        y = top - 1
        while y >= max(0, top - rise, ceiling) and outline[y, x]:
            y -= 1
        out[y + 1 : top, x] = True
    return _to_the_neck(out, outline, neck, body)


def _to_the_neck(grown: np.ndarray, outline: np.ndarray, neck: _Neck, body: np.ndarray) -> np.ndarray:
    """(h, w) bool `grown` (h, w) bool (the body with the shoulders grown, `_own_shoulders`) with each row's gap from
    a grown shoulder in to the `body` (h, w) bool (before the growth: the neck) filled where the person's `outline`
    (h, w) bool runs through it and it is no wider than the `neck` narrowed since its base (`NECK_FLARE`) and
    `NECK_JOIN`, in the rows from the neck's top to the growth's lowest. The shoulders grow only outside the neck's
    base and the neck narrows upwards (`NECK_FLARE`): on cat_model_7 (ootd_049949_1) a notch of wall 4-8 px wide
    between his left shoulder's slope and his neck left a pale speck by the neck (the rest of it made skin again by
    `_no_gaps`). A shoulder grown only farther out (`SHOULDER_NECK`'s ceiling) is not joined: else a join ran in along
    ootd_model_6's freed strap."""
    out = grown.copy()
    added = grown & ~body
    centre = int(round(float(neck.edges[-1].mean())))
    rows = np.flatnonzero(added.any(axis=1))
    for y in rows[rows >= neck.rows[0]]:
        most = NECK_FLARE * max(0, neck.rows[-1] - y) + NECK_JOIN  # (the flare's narrowing since the base)
        inner = np.flatnonzero(added[y, :centre])  # (image-left shoulder: its innermost grown pixel, then the neck)
        if len(inner):
            x0 = inner[-1] + 1
            x1 = x0 + int(np.argmax(body[y, x0:centre])) if body[y, x0:centre].any() else x0
            if x1 - x0 <= most and outline[y, x0:x1].all():
                out[y, x0:x1] = True
        inner = np.flatnonzero(added[y, centre:])
        if len(inner):
            x1 = centre + inner[0]
            row = body[y, centre:x1]
            x0 = centre + len(row) - int(np.argmax(row[::-1])) if row.any() else x1
            if x1 - x0 <= most and outline[y, x0:x1].all():
                out[y, x0:x1] = True
    return out


@dataclass(frozen=True)
class _Neck:
    rows: np.ndarray  # (N,) int rows of the 1/`WEIGHT_SCALE` grid where the neck was seen
    edges: np.ndarray  # (N, 2) float the neck's (image-left, image-right) outline in each, same grid

    def base(self, origin_yx: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """(image-left, image-right) (2,) x, y image pixels: the neck's outline on its lowest row."""
        y, (lo, hi) = (self.rows[-1] + 0.5) * WEIGHT_SCALE, (self.edges[-1] + 0.5) * WEIGHT_SCALE
        oy, ox = origin_yx
        return np.array([ox + lo, oy + y]), np.array([ox + hi, oy + y])

    def drawn(self, body: np.ndarray) -> np.ndarray:
        """(h, w) bool `body` (h, w) bool (drawn without the pose's neck) with the neck added."""
        out = body.copy()
        xs = np.arange(body.shape[1])
        for y, (lo, hi) in zip(self.rows, self.edges, strict=True):
            out[y] |= (xs >= lo - 0.5) & (xs <= hi + 0.5)
        return out


def _own_neck(
    person: np.ndarray,
    hair: np.ndarray,
    labels: np.ndarray,
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin_yx: tuple[int, int],
) -> _Neck | None:
    """The neck of batch item `i` as the person's own, on the 1/`WEIGHT_SCALE` grid of the crop at `origin_yx` of an
    image of `size_hw`: above the neck's base (`TORSO_NECK` over the neck joint) and within `NECK_ZONE` shoulder
    widths of the line from the neck joint to the nose, each row the run of the `person` (h, w) bool across that
    line less the `hair` (h, w) bool at its ends (the estimated parse map's dark jaw line is hair: inside, it cut
    cat_model_7's neck to a sliver), widening from its narrowest row by at most `NECK_FLARE` a row on each side,
    smoothed over `NECK_SMOOTH_PX`, but out to the whole run on a side where it reaches the body's `labels` (h, w)
    bool past that (ootd_09597_00's freed halter strap between her neck and her bare shoulder: wall there cut a notch
    beside her neck); None without a pose or a neck seen. The pose's neck, `NECK_WIDTH` wide, was
    narrower than cat_model_7's (the old V tank's freed shade on his neck cut off in a vertical edge) and wider than
    ootd_model_6's (the torso's top at the neck's base a shelf of skin with a square corner out on the wall, beside
    the freed strap of his old tank); the flare keeps a freed strap's flat top off the neck's outline."""
    frame = _shoulder_frame(keypoints, i, size_hw, origin_yx)
    if frame is None:
        return None
    xy, ok, sw = frame
    g = float(WEIGHT_SCALE)
    neck = (xy[1] if ok[1] else (xy[2] + xy[5]) / 2) / g
    top = xy[0] / g if ok[0] else neck - np.array([0.0, sw / g])
    base = neck[1] - TORSO_NECK * sw / g
    h, w = person.shape
    y0, y1 = max(0, int(np.floor(top[1]))), min(h, int(np.ceil(base)))
    if y1 - y0 < 2 or abs(top[1] - neck[1]) < 1e-6:
        return None
    reach = NECK_ZONE * sw / g
    rows = np.arange(y0, y1)
    centre = np.round(neck[0] + (rows - neck[1]) / (top[1] - neck[1]) * (top[0] - neck[0])).astype(int)
    edges = np.full((len(rows), 2), np.nan)
    for j, (y, c) in enumerate(zip(rows, centre, strict=True)):
        a, b = max(0, int(c - reach)), min(w, int(c + reach) + 1)
        if not (a <= c < b) or not person[y, c] or hair[y, c]:
            continue  # (no neck seen across the line here: the pose's own)
        outside = ~person[y, a:b]
        lo, hi = np.flatnonzero(outside[: c - a]), np.flatnonzero(outside[c - a :])
        lo, hi = a + (lo[-1] + 1 if len(lo) else 0), c + (hi[0] - 1 if len(hi) else b - 1 - c)
        while hair[y, lo]:
            lo += 1
        while hair[y, hi]:
            hi -= 1
        edges[j] = (lo, hi)
    seen = ~np.isnan(edges[:, 0])
    if seen.sum() < 2:
        return None
    rows, edges = rows[seen], edges[seen]
    runs = edges.copy()
    # (held to the flare from its narrowest row up and down, then the parse map's ragged outline smoothed along it:
    # under the jaw the face's width let cat_model_7's old V spill past his neck stand out as a blob)
    k = max(1, round(NECK_SMOOTH_PX * size_hw[0] / 1024.0 / g))
    narrowest = int(np.argmin(edges[:, 1] - edges[:, 0]))
    for side, sign in ((0, -1.0), (1, 1.0)):
        e = edges[:, side]
        for order in (range(narrowest + 1, len(e)), range(narrowest - 1, -1, -1)):
            for j in order:
                prev = j - 1 if j > narrowest else j + 1
                limit = e[prev] + sign * NECK_FLARE * abs(rows[j] - rows[prev])
                e[j] = max(e[j], limit) if side == 0 else min(e[j], limit)
        edges[:, side] = np.convolve(np.pad(e, k, mode="edge"), np.ones(2 * k + 1) / (2 * k + 1), mode="valid")
    for j, y in enumerate(rows):
        lo, hi = int(runs[j, 0]), int(runs[j, 1])
        if labels[y, lo : max(lo, int(np.floor(edges[j, 0])))].any():
            edges[j, 0] = lo
        if labels[y, int(np.ceil(edges[j, 1])) + 1 : hi + 1].any():
            edges[j, 1] = hi
    return _Neck(rows, edges)


def _front(codes: np.ndarray) -> np.ndarray:
    """(H, W) bool what stays in front in the `codes` (H, W) uint8 but the face and hair: the lower body."""
    return ((codes & CODE_FRONT) > 0) & ((codes & (CODE_FACE | CODE_HAIR)) == 0)


def _fillable(
    weight: np.ndarray,
    upper: np.ndarray,
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin_yx: tuple[int, int],
    unit: float,
) -> np.ndarray:
    """(H, W) bool where a gap or pocket of repainted wall may become skin (`_no_gaps`, `_no_pockets`), on the crop
    at `origin_yx` of `weight` (H, W) float [0, 1] (the fill's background share): all but the pixels outside the
    body's outline `upper` (h, w) bool (`_upper_body`, grown by `OUTLINE_MARGIN`) between the shoulder joints of
    batch item `i` and its hips (above them hair closes pockets beside the neck, where the outline is a guess: an
    old high collar under the hair, VITON-HD 10549; below them a wrist hangs beside the hips, the freed old cuff
    around it is the wrist's: Dress Code 000001) that the skin alone closes over 2 `GAP_PX` (at 1024 rows):
    between a hanging arm and the waist is wall (the unseen ootd_051482 under a cropped top); beside the new
    garment the body's side (a strip between it and an arm is skin)."""
    frame = _shoulder_frame(keypoints, i, size_hw, origin_yx)
    if frame is None:
        return np.ones(weight.shape, bool)
    # (the distance on the coarse grid upsampled: a smooth line)
    d = cv2.distanceTransform((~upper).astype(np.uint8), cv2.DIST_L2, 5)
    d = cv2.resize(d, (weight.shape[1], weight.shape[0]), interpolation=cv2.INTER_LINEAR)
    inside = d <= OUTLINE_MARGIN * frame[2] / WEIGHT_SCALE
    xy, ok = frame[0], frame[1]
    inside[: max(0, int(np.ceil(max(xy[2][1], xy[5][1]))))] = True
    if ok[8] or (ok[9] and ok[12]):  # (and from the hips down: a wrist hangs beside them, an old cuff around it)
        inside[max(0, int(xy[8][1] if ok[8] else 0.5 * (xy[9][1] + xy[12][1]))) :] = True
    r = max(1, round(GAP_PX * unit))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    return inside | (cv2.morphologyEx((weight < 0.5).astype(np.uint8), cv2.MORPH_CLOSE, kernel) == 0)


def _waistband_corners(
    lower: np.ndarray,
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin_yx: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray] | None:
    """(right, left) (2,) float64 image pixels: the top corners of the lower garment `lower` (H, W) bool (a crop at
    `origin_yx` of an image of `size_hw`) under batch item `i`'s hips: its run of pixels across the mid-hip's column
    `WAISTBAND_DOWN` shoulder widths under its top there, where that top lies between `WAISTBAND_UP` above the hip
    joints and `TORSO_BELOW_HIPS` under them and the run's ends within `WAISTBAND_OUT` outside the hip joints: a
    waistband holds the body, it is as wide as the waist there. None otherwise."""
    frame = _shoulder_frame(keypoints, i, size_hw, origin_yx)
    if frame is None:
        return None
    xy, ok, sw = frame
    if not (ok[9] and ok[12]):
        return None
    mid = 0.5 * (xy[9] + xy[12])
    h, w = lower.shape
    x = int(round(mid[0]))
    y0, y1 = int(max(0, mid[1] - WAISTBAND_UP * sw)), int(min(h, mid[1] + TORSO_BELOW_HIPS * sw))
    if not (0 <= x < w) or y1 <= y0 or not lower[y0:y1, x].any():
        return None
    top = y0 + int(np.argmax(lower[y0:y1, x]))
    row = min(h - 1, top + int(round(WAISTBAND_DOWN * sw)))
    if not lower[row, x]:
        return None
    off = np.flatnonzero(~lower[row])
    left_end = off[off > x].min() if (off > x).any() else w
    right_end = off[off < x].max() if (off < x).any() else -1
    reach = WAISTBAND_OUT * sw
    lo, hi = min(xy[9][0], xy[12][0]) - reach, max(xy[9][0], xy[12][0]) + reach
    if right_end + 1 < lo or left_end > hi:
        return None
    shift = np.array([origin_yx[1], origin_yx[0]], np.float64)
    return np.array([right_end + 1.0, top]) + shift, np.array([left_end - 1.0, top]) + shift


def _torso_to_waistband(
    lower: np.ndarray,
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin_yx: tuple[int, int],
) -> np.ndarray:
    """(h, w) bool on the 1/`WEIGHT_SCALE` grid of a crop at `origin_yx` of an image of `size_hw`: the torso below
    the pose's hip line (batch item `i`; the line `torso_outline` ends the torso on, `TORSO_HIP` outside the hip
    joints) down to the first pixel of the lower garment `lower` (h, w) bool in each column between the line's
    ends, where that lies within `TORSO_BELOW_HIPS` shoulder widths of it. Nothing without the hips and shoulders."""
    out = np.zeros(lower.shape, bool)
    if keypoints is None or keypoints.pose is None or not lower.any():
        return out
    xy, ok = joints_px(keypoints.pose, i, size_hw)
    if not (ok[2] and ok[5] and ok[9] and ok[12]):
        return out
    sw = float(np.linalg.norm(xy[5] - xy[2]))
    if sw < 8:
        return out
    u = (xy[5] - xy[2]) / sw
    shift = np.array([origin_yx[1], origin_yx[0]], np.float64)
    ra, rb = ((p - shift + 0.5) / WEIGHT_SCALE - 0.5 for p in (xy[9] - TORSO_HIP * sw * u, xy[12] + TORSO_HIP * sw * u))
    h, w = lower.shape
    x0, x1 = sorted((ra[0], rb[0]))
    cols = np.arange(max(0, int(np.ceil(x0))), min(w - 1, int(np.floor(x1))) + 1)
    if len(cols) == 0 or x1 - x0 < 1:
        return out
    hip_y = ra[1] + (cols - ra[0]) / (rb[0] - ra[0]) * (rb[1] - ra[1])  # (the line's row in each column)
    rows = np.arange(h, dtype=np.float64)[:, None]
    below = rows - hip_y[None, :]
    hit = lower[:, cols] & (below >= 0) & (below <= TORSO_BELOW_HIPS * sw / WEIGHT_SCALE)
    first = np.argmax(hit, axis=0)  # (the lower garment's first row under the line)
    out[:, cols] = (below >= 0) & (rows <= first[None, :]) & hit.any(0)[None, :]
    return out


def _crisp_arms(weight: np.ndarray, body: np.ndarray, arms: np.ndarray, unit: float) -> np.ndarray:
    """`weight` (h, w) float [0, 1] (the fill's background share at 1/`WEIGHT_SCALE`, soft over `FILL_EDGE_PX`
    between the nearest seeds) replaced where the `arms` (h, w) bool (the pose's arms not under the new garment) are
    the nearest of the `body` (h, w) bool seeds by skin inside the seeds, background outside, with the upper
    garments' crisp edge (`SKIN_EDGE_PX`), changing to `weight` over `FILL_EDGE_PX` where another seed is as near:
    a freed arm beside a dress has an outline against the wall, not a pale strip fading over ~9 px (nor, past a
    narrower reach, a pale line where the soft split between the arm and an old sleeve's outline fell)."""
    if not arms.any():
        return weight
    drawn = (body | arms).astype(np.uint8)
    d_out = cv2.distanceTransform(1 - drawn, cv2.DIST_L2, 5)
    d_in = cv2.distanceTransform(drawn, cv2.DIST_L2, 5)
    field = cv2.GaussianBlur(d_out - d_in, (0, 0), max(0.5, unit))
    crisp = np.clip(0.5 + field * WEIGHT_SCALE / (2 * SKIN_EDGE_PX * unit), 0.0, 1.0)
    d_arms = cv2.distanceTransform((~arms).astype(np.uint8), cv2.DIST_L2, 5)
    others = body & ~arms
    d_others = cv2.distanceTransform((~others).astype(np.uint8), cv2.DIST_L2, 5) if others.any() else 1e4
    near = np.clip(0.5 + (d_others - d_arms) / (2 * FILL_EDGE_PX * unit / WEIGHT_SCALE), 0.0, 1.0)
    return (weight + (crisp - weight) * near).astype(np.float32)


def _below_hips_legs(
    weight: np.ndarray, body: np.ndarray, legs: _Legs, origin_yx: tuple[int, int], unit: float
) -> np.ndarray:
    """`weight` (h, w) float [0, 1] (the fill's background share at 1/`WEIGHT_SCALE` of a crop at `origin_yx`)
    below the hips' row replaced by skin inside the `legs` and the `body` (h, w) bool labels, background outside,
    with a crisp edge (`SKIN_EDGE_PX`), changing over `FILL_EDGE_PX` rows at the hips."""
    h, w = weight.shape
    drawn = _draw_legs(legs, origin_yx, (h, w), WEIGHT_SCALE) | body.astype(np.uint8)
    d_out = cv2.distanceTransform((1 - drawn).astype(np.uint8), cv2.DIST_L2, 5)
    d_in = cv2.distanceTransform(drawn, cv2.DIST_L2, 5)
    field = cv2.GaussianBlur(d_out - d_in, (0, 0), max(0.5, unit))
    legs_weight = np.clip(0.5 + field * WEIGHT_SCALE / (2 * SKIN_EDGE_PX * unit), 0.0, 1.0)
    rows = np.arange(h, dtype=np.float32) + origin_yx[0] / WEIGHT_SCALE - legs.hips_y / WEIGHT_SCALE
    below = np.clip(0.5 + rows / (FILL_EDGE_PX * unit / WEIGHT_SCALE), 0.0, 1.0)[:, None]
    return (weight + (legs_weight - weight) * below).astype(np.float32)


def _draw_legs(legs: _Legs, origin_yx: tuple[int, int], crop_hw: tuple[int, ...], scale: int) -> np.ndarray:
    """(h, w) uint8 1 inside the `legs`' tapered segments below their hips' row (round at the joints: the thigh's and
    the calf's ends meet), in a crop of `crop_hw` pixels at 1/`scale` of the image, at `origin_yx` of the image."""
    h, w = crop_hw[:2]
    drawn = np.zeros((h, w), np.uint8)
    shift = np.array([origin_yx[1], origin_yx[0]], np.float64)
    for pa, pb, ra, rb in legs.segments:
        qa, qb = (pa - shift + 0.5) / scale - 0.5, (pb - shift + 0.5) / scale - 0.5
        sa, sb = ra / scale, rb / scale
        cv2.fillPoly(drawn, [np.round(segment_quad(qa, qb, sa, sb)).astype(np.int32)], 1)
        for q, r in ((qa, sa), (qb, sb)):
            cv2.circle(drawn, tuple(np.round(q).astype(int)), max(1, round(r)), 1, -1)
    top = int(np.clip(np.ceil((legs.hips_y - origin_yx[0] + 0.5) / scale - 0.5), 0, h))
    drawn[:top] = 0
    return drawn


def _feather_outwards(mask: np.ndarray, sigma: float) -> np.ndarray:
    """max(mask, blur(mask)) with repeated 3x3 box filters, ~ a Gaussian of `sigma` (as `_feather`): the paint mask
    soft outwards only, so no fringe of old clothes is left (borders replicate)."""
    blurred = mask
    for _ in range(round(1.5 * sigma * sigma)):
        blurred = cv2.blur(blurred, (3, 3), borderType=cv2.BORDER_REPLICATE)
    return np.maximum(mask, blurred)
