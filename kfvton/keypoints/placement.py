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
       decide the size; `sy` puts the garment's hem at its own length (`_own_length`: the flat garment's length
       over its shoulder and armpit widths, `LENGTH_PER_SHOULDER` / `LENGTH_PER_ARMPIT`: their mean, at least the
       shoulders' estimate less `OWN_LENGTH_SPLIT` (a boxy body's width does not say its length), times the person's
       shoulder width (worn "out": the geometric mean of it and the torso length / `TORSO_PER_SW_WORN`), or the
       torso length / `TORSO_PER_SW_MAX` when that is more: a person turned sideways), or
       on the bottom of an explicit `target_mask`, kept within [`ASPECT_MIN`, `ASPECT_MAX`] x `sx`. With `body`
       masks and `tuck` "in", a regular top's hem short of the lower garment's waistband reaches `TUCK_DEPTH` sw below
       it, a crop top's up to `CROP_TUCK_REACH` short of it onto it, one that reaches the band (and a shorter crop)
       keeps its own length (the composite cuts it there); "out" keeps the own length, a regular
       (not a crop: own length over `CROP_OWN_MAX` sw) top's at least to the hip joints, with `body` masks onto a
       waistband up to `OUT_HEM_REACH` sw below them when short of it (`_out_hem`; on a seated person, `_seated`,
       a crop top's too) ("auto": `resolve_tuck`).
       Collar points keep this map, so a V-neck keeps its depth (a round neck's front rises:
       `place_front_neckline`). A strappy cut's length comes from its armpit width alone (its "shoulders" are the
       strap tops). On a torso turned to one side (the hips' midpoint across from the shoulders') collar_center (and
       the front neckline) moves onto the seen sternum line (`TURN_SHIFT`), so the collar's near half shows wider.
    3. Shoulder seams: OpenPose shoulder joints sit inside the body, so the garment's shoulder points go
       `SHOULDER_OUT` sw outwards and `SHOULDER_UP` sw up from the joints (on the VITON-HD samples' parse maps the
       top of the shoulder is ~0.14 sw above the joint, the outer edge ~0.15 sw outside it); with `body` masks they
       go onto the silhouette's top and outer edge (a sleeveless cut's `SEAM_INSET` inside: `_shoulder_seams`), then
       in along joint -> seam onto a rounded shoulder's outline (`_round_shoulder`: their corner would stick out). A
       strappy cut's strap tops go onto the line collar side -> seam, `STRAP_ON_SHOULDER` of the way out. A garment
       shoulder that the frame map puts more than `SHOULDER_TRUST` sw (across; twice that down) from its seam target
       is taken as misdetected and dropped (confidence 0) rather than folding the warp.
    4. Armpits: `ARMPIT_HALF` sw either side of the torso's axis at their height (`_centre_at`: shoulders' midpoint
       -> hips' midpoint; narrower, down to `ARMPIT_HALF_MIN`, where the body's outline is; on the side the axis
       leans away from, out to the outline as far as from the shoulders' midpoint), at the height the frame map
       gives them, but at least `ARMPIT_BELOW` sw under the shoulder joint (a frill or cap sleeve read as the armpit
       would fold the torso over the arm).
    5. Hem: from an explicit `target_mask` (the run of mask pixels through the body's centre line, `HEM_MARGIN` of
       the torso length above its bottom, `HEM_INSET` of its half-width, clamped to the hip joints
       + [`HEM_OUT_MIN`, `HEM_OUT_MAX`] sw), else from the `body` outline at the hem's height (same rule, each
       side apart; the clothes alone, gaps up to `RUN_BRIDGE` sw bridged, when they are as wide as the hips), else
       the hip joints + `HEM_OUT` sw each side. `place_side_seams` adds points between armpit and hem corner
       that follow the waist.
    6. Sleeves (`landmarks.sleeves` per item): "none" drops the four sleeve points (confidence 0); "short" walks
       the garment's scaled sleeve length (mean of its outer and inner seams) along the upper arm from
       `SLEEVE_START` sw below the shoulder joint (where the two seams start on average), at least
       `SHORT_SLEEVE_MIN` of it and `SLEEVE_BELOW_ARMPIT` sw below the armpit, at most to the elbow; "long" puts
       the sleeve end at the wrist (at the elbow + the upper arm when the wrist is missing), a fitted sleeve longer
       than the arm past it by the excess, up to `LONG_CUFF_PAST_MAX` sw (`_long_sleeve_end`); a long sleeve's
       length is scaled at least as the garment's own length (a loose body's across scale shortened its sleeves).
       The cuff keeps the garment's scaled width (within `SLEEVE_MIN_WIDTH` .. `SLEEVE_MAX_WIDTH` sw; a wide long
       sleeve, at least `WIDE_CUFF_MIN` sw, up to `WIDE_CUFF_MAX`, its outer half at most `WIDE_CUFF_OUT` sw past the
       silhouette), across the arm, its outer point away from the body's centre line; a short cuff hugs the upper arm
       instead (inner edge `ARM_HALF` sw inside the joint line, width `SHORT_SLEEVE_EASE` x the arm's, with `body`
       masks at most `SHORT_SLEEVE_OUT` past the silhouette and at least out to it, within `SLEEVE_MAX_WIDTH`: a broad
       arm is covered to its outer edge). With no elbow the sleeve keeps its garment-frame position.
    Missing garment landmarks (confidence 0) stay missing; the targets' confidence is the landmark's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import cv2
import numpy as np
import torch
from torch import Tensor

from .._checks import check_same_batch, check_shape
from .formats import check_pose_joints
from .garment_landmarks import GARMENT_LANDMARKS, SLEEVE_KINDS
from .pairs import KeypointPairs
from .pose import PRESENT_THRESHOLD, Pose

if TYPE_CHECKING:
    from .garment_landmarks import GarmentLandmarks

__all__ = [
    "LANDMARK_NAMES",
    "SLEEVE_KINDS",
    "TUCK_MODES",
    "BodyMasks",
    "SidePairs",
    "resolve_tuck",
    "thigh_drop",
    "place_garment_landmarks",
    "place_side_seams",
    "place_shoulder_tops",
    "place_dropped_shoulders",
    "lift_to_edge",
    "BACK_DIP_MAX",
    "front_neckline_row",
    "place_front_neckline",
    "centre_on_front_neckline",
    "place_centre_line",
    "place_collar_on_neck",
    "place_standing_collar",
    "join_side_pairs",
]

#: The names placed pairs carry: the garment detector's landmarks, in its order (one definition, there).
LANDMARK_NAMES = GARMENT_LANDMARKS
_I = {n: i for i, n in enumerate(LANDMARK_NAMES)}
REQUIRED_JOINTS = ("right_shoulder", "left_shoulder")
TUCK_MODES = ("auto", "in", "out")

SHOULDER_OUT = 0.08  # shoulder seam outside the shoulder joint, x sw
SHOULDER_UP = 0.08  # shoulder seam above the shoulder joint, x sw
# Collar sides (the garment's top) above the neck joint, x sw. The lowest neck-label pixels at the neck's sides on the
# VITON-HD parse maps of persons in round necks sit 0.15-0.31 sw (median 0.18) above the OpenPose neck joint; at
# 0.12 the collars sat low (paired 00008). 0.12 -> 0.18: box SSIM / PSNR VITON-HD parse 0.785 / 23.22 -> 0.791 / 23.86,
# two photos 0.781 / 23.09 -> 0.784 / 23.49; Dress Code (not tuned on) 0.685 / 25.49 -> 0.691 / 25.71 and
# 0.652 / 24.07 -> 0.656 / 24.15.
COLLAR_UP = 0.18
ARMPIT_HALF = 0.56  # half the torso width at the armpits, x sw (a little outside the joints: under the sleeves)
HEM_OUT = 0.22  # hem corners outside the hip joints (no target mask), x sw
HEM_OUT_MIN, HEM_OUT_MAX = -0.05, 0.22  # limits of the target mask's hem corners outside the hip joints, x sw
HEM_INSET = 0.96  # hem corners this fraction of the target mask's half-width from its centre
HEM_BELOW_HIPS = 0.05  # hem below the hip joints (no target mask), x sw
DEFAULT_TORSO = 1.9  # collar-to-hem length when neither hips nor a mask are known, x sw
SHOULDER_TRUST = 0.3  # a garment shoulder this far (x sw) from its body target is treated as misdetected
ASPECT_MIN, ASPECT_MAX = 0.6, 1.8
SLEEVE_MIN_WIDTH = 0.15  # sleeve opening limits, x sw: at the upper arm (short) and at the wrist (long)
SLEEVE_MAX_WIDTH = {"short": 0.36, "long": 0.2}
# A long sleeve whose own cuff, scaled by the garment's across scale, is at least `WIDE_CUFF_MIN` sw wide is a wide
# sleeve (bell, kimono, trumpet: Dress Code 000006_1 scales to 0.40-0.52 sw; the fitted long sleeves of the samples,
# VITON-HD 00008 / 02783 and Dress Code 000000-000005, to 0.16-0.28 sw) and keeps that width up to `WIDE_CUFF_MAX`
# sw instead of being clamped to the fitted limit (a hanging sleeve folds: on Dress Code 000006, worn, the cuffs of
# 000006_1 are ~0.4 sw across; box SSIM / PSNR of the paired try-on 0.775 / 23.8 dB at 0.2 sw, 0.782 / 24.7 at 0.4,
# 0.771 / 23.8 at 0.45, 0.759 / 23.2 at 0.6). With `body` masks its outer half reaches at most `WIDE_CUFF_OUT` sw
# past the silhouette's edge outward from the wrist (a wide sleeve on a person whose own sleeve was narrow would
# spill onto the background); the inner half hangs in front of the body.
WIDE_CUFF_MIN, WIDE_CUFF_MAX = 0.34, 0.4
WIDE_CUFF_OUT = 0.04
# A bare upper arm is ~0.2 sw across, its joint line near the middle (VITON-HD 10549's arm labels: 0.08-0.12 sw
# either side at mid upper arm). A short sleeve hangs round it: its inner edge `ARM_HALF` x `SHORT_SLEEVE_INNER`
# inside the joint line (against the torso), its width the garment's within `SHORT_SLEEVE_EASE` x the arm's width,
# the ease outwards (worn T-shirt sleeves on the samples reach 0.14-0.25 sw outside the joint line at mid arm).
ARM_HALF = 0.1
SHORT_SLEEVE_INNER = 1.0
SHORT_SLEEVE_EASE = (1.1, 1.4)
SHORT_SLEEVE_OUT = 0.04  # with `body` masks: at most this (x sw) outside the silhouette's edge at the sleeve's end
# (and, up to SLEEVE_MAX_WIDTH, at least out to that edge: on VITON-HD 00891 the left arm is ~0.33 sw across, and
# the arm showed beside the cuff's outer half)
SHORT_SLEEVE_MIN = 0.3  # a short sleeve covers at least this fraction of the upper arm
# A short sleeve's seams start on the arm at different depths: the outer one at the shoulder seam (above the joint),
# the inner one at the armpit (~0.4-0.6 sw below it); walked from the joint, their mean length ends the sleeve
# `SLEEVE_START` sw too high. On the paired samples' parse maps (VITON-HD 00013, 00017; Dress Code 000002, 000005:
# 8 sleeves) the worn sleeve ends (upper clothes -> arm along shoulder -> elbow) lie 0.20-0.32 sw (mean 0.25) farther
# down the arm than that mean length. `SLEEVE_BELOW_ARMPIT` was 0.12: that floor, not the length, set all 8 ends,
# 0.1-0.24 sw low on 00013, 000002 and 000005; at 0 the inner cuff corner can land level with the armpit and the
# sleeve's underside folds into a wedge (VITON-HD 10549 x 11351).
SLEEVE_START = 0.25
# A long sleeve ends at the wrist when its own length (walked from the shoulder joint as a short one's, on the
# garment's across scale) is at least `LONG_SLEEVE_FULL` of the arm (shoulder -> elbow -> wrist joints), else at its
# own length down the forearm, at least `LONG_SLEEVE_MIN_FOREARM` of the way (a three-quarter sleeve ends mid
# forearm, not at a fixed wrist point). The full-length sleeves of the paired samples (VITON-HD 00006, Dress Code
# 000000, 000001, 000003, 000004, 000006: 12 sleeves) measure 0.99-1.23 of their arms; a 3/4 sleeve ~0.75.
LONG_SLEEVE_FULL = 0.9
# A full-length sleeve longer than the arm ends past the wrist joint (the joint lies inside the wrist; the cuff covers
# it and the hand's root) by its excess length, at most `LONG_CUFF_PAST_MAX` sw: the rest gathers along the forearm.
# On the paired samples' parse maps the worn cuffs of sleeves 1.03-1.12 of their arms end 0.05-0.16 sw (mean 0.10)
# past the wrist joints (VITON-HD 00006, 00008; Dress Code 000000, 000001); Dress Code 000003's gathered cuffs (1.02,
# 1.41) end 0.07-0.19 sw short of them and 000004's are rolled up: a cuff's style is not in its length. A wide cuff
# (`WIDE_CUFF_MIN`) hangs open round the wrist and stays there.
LONG_CUFF_PAST_MAX = 0.1
LONG_SLEEVE_MIN_FOREARM = 0.15
SLEEVE_BELOW_ARMPIT = 0.06  # a short sleeve ends at least this far (x sw) below the armpit
HEM_MARGIN = 0.08  # hem width is read this fraction of the torso length above the mask's bottom
# The garment's own length (collar sides -> hem) on the body, in person shoulder widths per (garment length / garment
# width): measured on the VITON-HD paired samples (people wearing the very garment), where the worn length over the
# shoulder width is 1.18-1.20 x the flat garment's length over its shoulder-point width and 0.84-0.86 x its length
# over its armpit width for sleeved tops; 0.93 and 1.02 for a sleeveless one (its shoulder points sit inwards).
# The two disagree on garments whose flat body is not the samples' usual ~0.7 of their shoulder width. Where the
# armpits give a much shorter length (a body as wide as the shoulders: a boxy tee), the length is kept within
# `OWN_LENGTH_SPLIT` of the shoulders': unseen tees 09166 / 09290 (shoulders' 1.84 / 2.10 sw, armpits' 1.25 / 1.20)
# ended 0.29 / 0.19 sw above the hip joints of the walking woman (CatVTON 049713) with the mean, 0.02 above / 0.21
# below with the shoulders'; Dress Code paired 000001 (1.73 vs 2.09) hems 0.14 sw short of the worn one with the mean,
# 0.09 long with the shoulders'. Within the split the mean holds: the shoulders' alone on Dress Code 000000 / 000002
# (2.10 vs 1.99, 1.23 vs 1.18) lowered the hem 0.05 / 0.02 sw and box SSIM fell .689 -> .664 / .830 -> .821. Where the
# shoulders give the shorter one (VITON-HD paired 00034: 1.85 vs 2.30, its shoulder points read wide) the mean is
# right (-0.02 sw from the worn hem; shoulders' -0.24, armpits' +0.20).
LENGTH_PER_SHOULDER = {"sleeved": 1.19, "none": 0.93}
LENGTH_PER_ARMPIT = {"sleeved": 0.85, "none": 1.02}
OWN_LENGTH_SPLIT = 0.1  # the own length reaches at least the shoulders' estimate less this, x sw (see above)
OWN_LENGTH_MIN, OWN_LENGTH_MAX = 0.8, 3.2  # limits of the garment's own length, x sw
# Neck-to-hips length over shoulder width facing the camera: 1.2-1.9 on the samples (VITON-HD paired up to 1.88,
# Dress Code upper 1.45-1.86); Dress Code 000001, turned three-quarters, has 2.41: its shoulders are foreshortened.
TORSO_PER_SW_MAX = 1.9
# Worn over the lower garment ("out"), a garment's own length scales with the geometric mean of the shoulder width
# and the torso (neck-to-hips joints) over this ratio: the length over width calibration above holds exactly on
# VITON-HD paired 00008 / 00034 (worn out, torso 1.87 / 1.88 sw; hems placed -0.02 / 0.00 sw from the worn ones),
# and with the shoulders alone it hung 0.08 / 0.17 sw too long on Dress Code 000000 / 000004 (torso 1.70 / 1.71 sw;
# -0.02 / +0.08 with the mean), 0.27 sw below the hips (at the crotch) on VITON-HD 10549 (1.42 sw). Tucked in, the
# shoulders alone set it: VITON-HD paired 00017 (torso 1.23 sw) has its sleeves and armpits at their worn height
# with them, 0.08 sw too high with the mean (box SSIM .774 -> .767); the hem is cut at the waistband anyway.
TORSO_PER_SW_WORN = 1.87
TUCK_DEPTH = 0.15  # a tucked-in hem short of the lower garment's waistband reaches this far (x sw) below it
# Worn over the lower garment ("out"), a regular top's hem reaches at least the hip joints, and with `body` masks down
# onto the lower garment's waistband when that lies up to `OUT_HEM_REACH` sw below them and the hem stops more than
# `TOUCH` short of it (a band of the old top between hem and waistband was repainted as skin: a crop-top look).
# Worn-out hems on the paired samples lie -0.01..+0.10 sw from the hip joints (VITON-HD 00008, 00034; Dress Code
# 000000, 000001, 000004), their waistbands +0.02..+0.11 below them; a T-shirt whose hem reached 0.27 sw below them
# ended at the crotch (VITON-HD 10549). Onto the band from within `TOUCH` too, Dress Code 000000's hem went 0.03 sw
# lower (0.01 past its worn one) and box SSIM fell .689 -> .681. A boxy or drop-shoulder top's width understates its
# length (its shoulder points sit out on the arm), and the torso scaling shortens it further on a long-legged person:
# the unseen "95" jersey ended 0.31 sw above the hips of a standing man (with the floor: on his shorts' waistband).
# A crop top keeps its own length: own lengths up to `CROP_OWN_MAX` sw (crop tops: Dress Code 000002 1.21, the
# Reebok sports top 07382 1.17, the camisole 02015 1.06; regular tops on the samples 1.37-2.2).
OUT_HEM_REACH = 0.25
CROP_OWN_MAX = 1.3
# Tucked in ("in"), a crop top keeps its own length too (the belly between its hem and the waistband is repainted as
# skin): stretched onto the band and `TUCK_DEPTH` into it, the unseen off-shoulder puff crop 10297 (own 0.8 sw, its hem
# 0.65 sw short of the band) hung 2x long into the trousers of ootd 051482, its print drawn out down the belly. One
# whose hem stops up to `CROP_TUCK_REACH` sw short of the band meets it: Dress Code 000002's own crop (0.075 sw
# short; worn, its hem band sits on the skirt) left a strip of skin above the skirt (PSNR 24.58 -> 24.18 dB, two
# photos), and into the band its hem band's second stripe was hidden.
CROP_TUCK_REACH = 0.2
# "auto" tucks in when the old top meets the lower garment at least this far (x sw) above the hip joints (a top
# worn over trousers ends at or below the hips; one tucked in ends at the waistband, well above them)
AUTO_IN_ABOVE_HIPS = 0.15
TOUCH = 0.06  # the old top "meets" the lower garment when its bottom is within this (x sw) of the waistband
# ... unless the boundary between them dips into a V: a tucked hem meets the trousers along their waistband, a nearly
# straight line across the hips (tilted when the body turns), while a hem worn over them follows its own cut. The
# boundary is read in columns `HEM_STEP` sw apart out to `HEM_SIDES[1]` sw either side of the centre line; "auto" says
# "out" when its centre (within `HEM_CENTRE` sw) lies at least `AUTO_OUT_V_DIP` sw below the mean of its two sides
# (columns `HEM_SIDES` sw out). Measured on the 27 sample persons with a lower garment (parse map / estimated
# regions): tucked hems -0.15..+0.021 sw, the V hem of VITON-HD 10549 +0.067 / +0.051. A boundary that jumps more than
# `HEM_JUMP` sw between neighbouring columns is not one hem (an open jacket's edges, a hand): no V is read there.
AUTO_OUT_V_DIP = 0.035
HEM_SIDES = (0.175, 0.35)
HEM_CENTRE = 0.1
HEM_STEP = 0.05
HEM_JUMP = 0.1
# Thighs dropping less than this x torso (neck to mid-hip) below the hips on average: seated or crouching (the Dress
# Code and VITON-HD samples, standing: 0.64-0.92; a seated man, IDM-VTON's demo Jensen: 0.10 and 0.23). Seated, the
# lap rises in front of the hip joints and the old top's hem lies on it: where it meets the trousers says nothing of
# a tuck, and "auto" wears the new top over them (tucked at that meeting row, Jensen's new tops were cut along one
# straight row across his lap, with the old jacket's bottom left beside his hand). Seated, a crop top reaches the
# lap too (`_out_hem`): the belly folds and the waistband rises; kept short, Jensen's off-shoulder crop showed a band
# of repainted skin above his old jacket's bottom.
SEATED_DROP = 0.4
SHOULDER_UP_RANGE = (0.02, 0.2)  # a silhouette-measured shoulder seam lies this far (x sw) above the joint
SHOULDER_OUT_RANGE = (-0.02, 0.2)  # and this far outside it
#: A sleeveless cut's armhole corner sits `SEAM_INSET` (x sw) inside the silhouette's edge (its strap ends on the
#: shoulder's top, short of the round); a sleeved garment's seam `SLEEVED_SEAM_INSET`, about the blend of body and wall
#: on the outline (two photos: the estimate's old top grown by its rim, `regions.GARMENT_RIM`). The sleeve's cap covers
#: the round of the shoulder from the seam, but the flat photo's sleeve leaves the corner at its own angle, turned down
#: onto the arm: each pixel of inset bared a wedge of the old shoulder between torso and sleeve (VITON-HD 10549,
#: sleeveless, with short sleeves: 600-850 px of skin within 0.22 sw of the seams at 0.03; 110-300 at 0.01; 50-110 at
#: 0). From two photos the outline is the estimate's, about 3 px outside the body (the old top's rim): bench_regions'
#: spill median (VITON-HD) was 0.018 at 0.03, 0.022 at 0.01, 0.021 at 0.015 and 0.019 at 0.02, hence 0.02 (the
#: shoulders' bare share on 10549 x 01430 with its parse map: 0.023 at 0.03, 0.016 at 0.02, 0.008 at 0.01).
SEAM_INSET = 0.03
#: A drop-shoulder garment's seams drop down the upper arms (`_dropped_shoulder`) from this much (x sw) excess of its
#: flat shoulder points, at the scale of its body below them (armpit and hem widths), past the seam targets -- the
#: lesser of the two sides -- by all of it from the second figure; at most `DROP_SHOULDER_MAX` sw. The unseen
#: oversized shirt ootd_049949_1 on cat_model_7: 0.14 and 0.18 sw past (its square shoulders stood out past the body,
#: the sleeves hanging from them as a box). The other 24 unseen upper pairs: at most 0.11 on their lesser side (the
#: measure is loose: 0.25 on one side of a striped top whose stripes swirled over a seam dropped at 0.06).
DROP_SHOULDER = (0.12, 0.13)
DROP_SHOULDER_MAX = 0.25
#: ... and only a garment whose flat armholes are deep (`_deep_flat_armholes`): its armpits lie at least this many
#: armpit spans (armpit to armpit) under its shoulder points, on both sides. A dropped seam pulls the armhole down
#: the arm with it; the excess above is measured against the person's estimated body and is loose. The paired
#: samples (the garment the person wears, none of them dropped): VITON-HD 00006 (0.155 / 0.164 excess, parse / two
#: photos), 00008 (0.137, parse) and 00013 (0.143, two photos) dropped, their seams 35-42 px down the arms (00013
#: lost 0.008 box SSIM; 00008's stripes kinked over the shoulder); their armholes 0.49-0.79 deep (the 12 paired
#: VITON-HD and Dress Code upper garments, both modes: 0.36-0.79). The oversized ootd_049949_1: 0.96. Three unseen
#: dresses dropped before (two photos): cat_model_8 in a knit dress lost a bare notch at each shoulder; a striped
#: knit and a puff-sleeved gingham dress hang from higher seams (the gingham's neckline reads wider).
DROP_ARMHOLE_DEPTH = 0.85
SLEEVED_SEAM_INSET = 0.02
STRAP_ON_SHOULDER = (0.4, 0.8)  # strap tops between this share of the way collar side -> shoulder seam
SHOULDER_ROUND_MIN = 0.6  # the seam pulled in onto the rounded shoulder keeps at least this share of its offset
RUN_BRIDGE = 0.15  # gaps in a row of the body's masks up to this (x sw) are bridged (buttons, a belt, a missed seam)
#: The side seams' outline (`place_side_seams`) counts pockets of wall enclosed by the body (torso and arms) up to this
#: tall (x sw) as body: an arm held against the body above and below a short slit (two photos: the wall's shadow there
#: is background, `regions._wall_in_edge`) does not split the outline's run, which pulled a loose tee's side seam in
#: onto the torso and bit its side (unseen 14627, beside a hanging strap: 0.21 sw tall). A long slit beside an arm
#: hanging apart from the body (Dress Code 000005: 0.6 sw, from the armpit to the waist; a bent arm's triangle) stays
#: wall: a fitted top follows the torso there. Not every short pocket is shadow: Dress Code 000002 from two photos
#: (0.23 sw tall, 0.07 wide on average) is a real gap a boxy top now covers (box SSIM .775 -> .771); a limit on the
#: width (0.03) kept that, but lost 14627's second pocket (0.22 x 0.056) and one of her two tees bit again.
POCKET_SW = 0.3
ARMPIT_HALF_MIN = 0.42  # a silhouette-measured torso half-width at the armpits is kept at least this (x sw)
# A sleeveless top's armpits (x sw): under the hanging arm, between its inner edge (`ARM_HALF` inside the joint line)
# and the joint line; the silhouette's edge there is the arm's outer edge, `ARMPIT_HALF` is under a sleeve.
SLEEVELESS_ARMPIT_HALF = 0.48
ARMPIT_BELOW = 0.3  # an armpit target lies at least this far (x sw) below its shoulder joint


@dataclass(frozen=True)
class BodyMasks:
    """Where the person's body and clothes are (from a parse map or estimated regions), for the fit.

    Attributes:
        top: (B or 1, 1, H, W) bool (or float, > 0.5 = inside), the clothes the garment replaces (old upper clothes).
        lower: (B or 1, 1, H, W) likewise, the lower garment (trousers, skirt); all False when none.
        silhouette: (B or 1, 1, H, W) likewise, the upper body without head and hair (clothes, neck, arms):
            the outline the shoulders and side seams follow.
    """

    top: Tensor
    lower: Tensor
    silhouette: Tensor

    def item(self, i: int) -> tuple[Tensor, Tensor, Tensor]:
        """(H, W) bool masks of batch item `i` (a batch of 1 broadcasts)."""
        masks = (self.top, self.lower, self.silhouette)
        return tuple(
            m[i if m.shape[0] > 1 else 0, 0] if m.dtype == torch.bool else m[i if m.shape[0] > 1 else 0, 0] > 0.5
            for m in masks
        )


def thigh_drop(joints: Tensor) -> float | None:
    """How far the knees of one person's BODY_25 `joints` (25, 3) lie below the hips, on average over the sides
    showing both, in torso lengths (neck to mid-hip); None without the neck, the mid-hip or a hip-and-knee side, or
    with no torso length. Standing thighs drop 0.6-0.9; a seated or crouching person's, from the front, under
    `SEATED_DROP`."""
    neck, mid_hip = _joint(joints, 1), _joint(joints, 8)
    if neck is None or mid_hip is None or float(mid_hip[1] - neck[1]) <= 0:
        return None
    sides = [(_joint(joints, hip), _joint(joints, knee)) for hip, knee in ((9, 10), (12, 13))]  # right, left
    drops = [float(knee[1] - hip[1]) for hip, knee in sides if hip is not None and knee is not None]
    return sum(drops) / len(drops) / float(mid_hip[1] - neck[1]) if drops else None


def _seated(joints: Tensor) -> bool:
    """Whether one person's BODY_25 `joints` (25, 3) sit or crouch (`thigh_drop` under `SEATED_DROP`)."""
    drop = thigh_drop(joints)
    return drop is not None and drop < SEATED_DROP


def resolve_tuck(tuck: str, pose: Pose, body: BodyMasks | None) -> tuple[str, ...]:
    """Decide per batch item whether the garment goes into the lower garment ("in") or over it ("out").

    "in" and "out" are kept as given (for every item); "auto" follows the photo: "in" when the old top meets the
    lower garment (`TOUCH`) at least `AUTO_IN_ABOVE_HIPS` shoulder widths above the hip joints (a tucked top ends
    at the waistband) along a boundary that does not dip into a V at the centre (`AUTO_OUT_V_DIP`: a V-cut hem worn
    over the trousers), "out" otherwise, and "out" without `body` masks, without a lower garment, or for a seated
    person (`thigh_drop` under `SEATED_DROP`).

    Args:
        tuck: one of `TUCK_MODES`.
        pose: `Pose` (B or 1) in the masks' frame; body: optional `BodyMasks` (B or 1).

    Returns:
        one of "in" / "out" per batch item (the larger of the pose's and the masks' batch).
    """
    if tuck not in TUCK_MODES:
        raise ValueError(f"tuck: expected one of {TUCK_MODES}, got {tuck!r}")
    b = max(pose.batch_size, 1 if body is None else body.top.shape[0])
    if tuck != "auto":
        return (tuck,) * b
    if body is None:
        return ("out",) * b
    out = []
    for i in range(b):
        j = pose.joints[i if pose.batch_size > 1 else 0].detach().to(torch.float64)
        if _seated(j):
            out.append("out")
            continue
        top, lower, _ = body.item(i)
        frame = _body_frame(j)
        meet = _old_hem_and_waist(top, lower, frame)
        if meet is None or frame.hip_mid is None:
            out.append("out")
            continue
        old_hem, waist = meet
        hips = float((frame.hip_mid - frame.top) @ frame.v)
        touching = abs(waist - old_hem) < TOUCH * float(frame.sw)
        tucked = touching and hips - waist > AUTO_IN_ABOVE_HIPS * float(frame.sw)
        out.append("in" if tucked and _hem_v_dip(top, lower, frame) < AUTO_OUT_V_DIP else "out")
    return tuple(out)


def place_garment_landmarks(
    landmarks: GarmentLandmarks,
    pose: Pose,
    *,
    target_mask: Tensor | None = None,
    body: BodyMasks | None = None,
    tuck: str | Sequence[str] = "auto",
    follow_turn: bool = True,
) -> KeypointPairs:
    """Targets on the person for each garment landmark (see the module docstring for the rules).

    Args:
        landmarks: `GarmentLandmarks` with points (B or 1, 14, 3) garment pixels, `garment_hw`, `sleeves`.
        pose: `Pose` (B or 1, 25, 3) in the person image's pixels; both shoulders are required.
        target_mask: optional (B or 1, 1, H, W) float [0, 1] region the garment should fill, in the pose's canvas
            frame (H, W) = `pose.canvas_hw`: its bottom and width set the hem (an explicit region to fill; the
            old clothes of a parse map go in `body` instead, so the garment keeps its own length).
        body: optional `BodyMasks` in the same frame: shoulders, armpits and hem width follow the silhouette,
            and the hem goes into or over the lower garment as `tuck` says.
        tuck: "auto" | "in" | "out", or one resolved "in" / "out" per batch item (`resolve_tuck`): "in" = the hem
            short of the lower garment's waistband reaches `TUCK_DEPTH` below it (which stays in front), "out" = the
            hem at the garment's own length.
        follow_turn: a turned torso's front centre line carries the garment's (collar_center, hem_center:
            `TURN_SHIFT`); False keeps them on the body's centre line (a dress's bodice, whose skirt stays centred).

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
    if body is not None:
        if not isinstance(body, BodyMasks):
            raise TypeError(f"body: expected BodyMasks, got {type(body).__name__}")
        for name in ("top", "lower", "silhouette"):
            mask = getattr(body, name)
            check_shape(mask, f"body.{name}", ("B", 1, *pose.canvas_hw))
            batches[f"body.{name}"] = mask.shape[0]
    b = check_same_batch(batches)
    tucks = resolve_tuck(tuck, pose, body) if isinstance(tuck, str) else tuple(tuck)
    if any(t not in ("in", "out") for t in tucks) or len(tucks) not in (1, b):
        raise ValueError(f"tuck: expected 'auto', 'in', 'out' or one 'in'/'out' per batch item ({b}), got {tuck!r}")
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
        cut = landmarks.cuts[i if len(landmarks.cuts) > 1 else 0] if landmarks.cuts else "regular"
        masks = None if body is None else tuple(x.to(points.device) for x in body.item(i))
        targets.append(_place_one(g, j, m, sleeve, masks, tucks[i if len(tucks) > 1 else 0], cut, follow_turn))
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


@dataclass(frozen=True)
class SidePairs:
    """Extra torso pairs on the side seams (`place_side_seams`).

    Attributes:
        garment_px: (B, M, 3) garment pixels (x, y, confidence); person_px: (B, M, 3) their person targets.
    """

    garment_px: Tensor
    person_px: Tensor


def _no_side_pairs(pairs: KeypointPairs, m: int) -> SidePairs:
    """`SidePairs` of M pairs per item of `pairs`' batch, all zeros (confidence 0: not placed)."""
    b = pairs.batch_size
    return SidePairs(garment_px=pairs.garment_px.new_zeros(b, m, 3), person_px=pairs.person_px.new_zeros(b, m, 3))


#: Where the side-seam pairs sit between armpit (0) and hem corner (1).
SIDE_SEAM_AT: tuple[float, ...] = (0.35, 0.7)


def place_side_seams(pairs: KeypointPairs, body: BodyMasks, garment_mask: Tensor | None = None) -> SidePairs:
    """Points on the garment's side seams pulled onto the torso's outline, so the sides follow the waist.

    A flat garment's side seam runs straight from armpit to hem corner; at `SIDE_SEAM_AT` of the way its point
    goes to the same fraction between the two targets, moved inwards onto the outline of the old top, the
    lower garment and the arms (`body`, at that height; `HEM_INSET` of its half-width; short pockets of wall enclosed
    by them count as body, `_wall_pockets_filled`) when the outline is narrower there -- never outwards. With
    `garment_mask`, a seam point that lies off the garment (its side curves in from the armpit: a fitted waist, an
    A-line hem) moves in along its row onto the garment's edge, so the edge itself, not the background beside it,
    lands on the target (VITON-HD 10549 with the knit 01260: its waist landed 0.05 sw inside the body's and the
    trousers showed beside it, down to the flared hem). Confidence 0 where an end landmark is missing or the outline
    is not found.

    Args:
        pairs: classical landmark pairs (`place_garment_landmarks`), batch B, with `pairs.pose`.
        body: `BodyMasks` (B or 1) in the person frame.
        garment_mask: optional (B or 1, 1, H_g, W_g) float [0, 1], the garment's mask in the frame of
            `pairs.garment_hw`.

    Returns:
        `SidePairs` with M = 2 x len(`SIDE_SEAM_AT`) pairs: the wearer's right side, then the left.
    """
    if pairs.pose is None:
        raise ValueError("keypoints: side seams need the pose the targets were placed from")
    if garment_mask is not None:
        check_shape(garment_mask, "garment_mask", ("B", 1, *pairs.garment_hw))
    b = pairs.batch_size
    m = 2 * len(SIDE_SEAM_AT)
    g_out = pairs.garment_px.new_zeros(b, m, 3)
    p_out = pairs.person_px.new_zeros(b, m, 3)
    joints = pairs.pose.rescaled(pairs.person_hw).joints.detach().to(torch.float64)
    g_all = pairs.garment_px.detach().to(torch.float64)
    p_all = pairs.person_px.detach().to(torch.float64)
    # (the garment's mask thresholded once, not at each seam point: a full-frame comparison each)
    g_masks = None if garment_mask is None else garment_mask.detach() > 0.5
    for i in range(b):
        f = _body_frame(joints[i if joints.shape[0] > 1 else 0])
        # arms count as body: one crossing the torso would otherwise split the outline's run
        top, lower, silhouette = body.item(i)
        torso = _wall_pockets_filled(top | lower | silhouette, f).to(p_all.device)
        clothes = (top | lower).to(p_all.device)
        k = 0
        for side, sign in (("right", -1.0), ("left", 1.0)):
            ia, ih = _I[f"armpit_{side}"], _I[f"hem_{side}"]
            ok = bool(g_all[i, ia, 2] > 0 and g_all[i, ih, 2] > 0 and p_all[i, ia, 2] > 0 and p_all[i, ih, 2] > 0)
            for t in SIDE_SEAM_AT:
                if ok:
                    target = torch.lerp(p_all[i, ia, :2], p_all[i, ih, :2], t)
                    rel = target - f.top
                    down, across = rel @ f.v, rel @ f.u
                    # the wider of the outline with the arms and the clothes' own (gaps in them bridged: a
                    # column the regions missed must not pinch the waist)
                    runs = [r for r in (_run_across(torso, f, down), _run_across(clothes, f, down, bridge=True)) if r]
                    run = (min(r[0] for r in runs), max(r[1] for r in runs)) if runs else None
                    if run is not None:
                        edge = (run[1] if sign > 0 else run[0]) - float(f.centre_a)
                        inset = float(f.centre_a) + HEM_INSET * edge
                        if sign * inset < sign * float(across):  # only ever inwards
                            target = f.top + inset * f.u + down * f.v
                        g_point = torch.lerp(g_all[i, ia, :2], g_all[i, ih, :2], t)
                        if g_masks is not None:
                            g_mask = g_masks[i if g_masks.shape[0] > 1 else 0, 0]
                            g_point = _onto_garment(g_mask.to(g_point.device), g_point, -sign)
                        g_out[i, k, :2] = g_point.to(g_out)
                        p_out[i, k, :2] = target.to(p_out)
                        g_out[i, k, 2] = p_out[i, k, 2] = 1.0
                k += 1
    return SidePairs(garment_px=g_out, person_px=p_out)


def _wall_pockets_filled(body: Tensor, f: _Frame) -> Tensor:
    """(H, W) bool `body` with its holes (background not joined to the image's border) at most `POCKET_SW` sw tall
    filled: wall seen through a short gap between the torso and an arm held against it."""
    # (labelled in the body's box grown by a pixel: the holes lie inside it, and the wall around the box, a ring
    # or the image's border, is what touches the crop's border; the whole frame's labelling took ~4 ms)
    inside_body = body.cpu().numpy().astype(np.uint8)
    bx, by, bw_, bh_ = cv2.boundingRect(inside_body)
    if bw_ == 0 or bh_ == 0:
        return body
    y0, x0 = max(by - 1, 0), max(bx - 1, 0)
    y1, x1 = min(by + bh_ + 1, inside_body.shape[0]), min(bx + bw_ + 1, inside_body.shape[1])
    wall = np.ascontiguousarray(1 - inside_body[y0:y1, x0:x1])
    count, labels, stats, _ = cv2.connectedComponentsWithStats(wall, connectivity=4)
    h, w = wall.shape
    x, y, bw, bh = (stats[:, k] for k in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT))
    inside = (x > 0) & (y > 0) & (x + bw < w) & (y + bh < h)  # (touching no border: enclosed by the body)
    pockets = np.nonzero(inside & (bh <= POCKET_SW * float(f.sw)))[0]
    pockets = pockets[pockets > 0]  # (label 0: the body's own pixels)
    if len(pockets) == 0:
        return body
    filled = np.zeros(inside_body.shape, bool)
    filled[y0:y1, x0:x1] = np.isin(labels, pockets)
    return body | torch.from_numpy(filled).to(body.device)


def _onto_garment(mask: Tensor, point: Tensor, inwards: float) -> Tensor:
    """(2,) garment pixel `point` moved along its row (`inwards` +1: towards larger x, -1: smaller) onto the first
    pixel of the (H_g, W_g) bool `mask`, when it lies off the mask; kept where it is on it or no mask pixel is met
    within the image."""
    if bool(_lookup(mask, point)):
        return point
    direction = torch.tensor((inwards, 0.0), dtype=point.dtype, device=point.device)
    limit = float(point[0]) if inwards < 0 else float(mask.shape[1] - point[0])
    gap = _march(~mask, point, direction, max(limit, 1.0))
    return point if gap is None or gap >= limit else point + gap * direction


#: Where the shoulder-top pairs sit between the collar side (0) and the shoulder seam (1), and how far (x sw) at most
#: they are lifted past where the garment's own shoulder line lands (`place_shoulder_tops`).
SHOULDER_TOP_AT = 0.65
SHOULDER_TOP_MAX = 0.06


def place_shoulder_tops(pairs: KeypointPairs, body: BodyMasks, garment_mask: Tensor) -> SidePairs:
    """Points on the garment's shoulder lines lifted onto the old top's rounded shoulders.

    A flat garment's shoulder runs straight from collar side to shoulder seam, but a worn shoulder's round top
    rises above the straight line between their targets, and a strip of the old top showed there, repainted,
    between the new shoulder line and the body's (VITON-HD 00891 and 07445 with the sleeveless 06429). At
    `SHOULDER_TOP_AT` of the way, the garment's top edge there (its mask's edge across the line, away from the
    armpit) goes to the same fraction of the targets' line, moved across it by the garment's own offset scaled like
    the line (where it lands without the pair), and farther, by at most `SHOULDER_TOP_MAX` sw, onto the edge of
    `body.top` -- never less far. The old top, not the silhouette: estimated regions leave hair over a shoulder in
    the silhouette, and the garment rose into it. Confidence 0 where the old top's edge is not at least a pixel
    past where the garment's edge lands, where the line's point is off the old top, where a landmark is missing,
    or without a pose.

    Args:
        pairs: classical landmark pairs (`place_garment_landmarks`), batch B, with `pairs.pose`.
        body: `BodyMasks` (B or 1) in the person frame.
        garment_mask: (B or 1, 1, H_g, W_g) float [0, 1], the garment's mask.

    Returns:
        `SidePairs` with M = 2 pairs per item: the wearer's right shoulder, then the left.
    """
    check_shape(garment_mask, "garment_mask", ("B", 1, *pairs.garment_hw))
    b = pairs.batch_size
    found = _no_side_pairs(pairs, 2)
    g_out, p_out = found.garment_px, found.person_px  # filled in place
    if pairs.pose is None:
        return found
    joints = pairs.pose.rescaled(pairs.person_hw).joints.detach().to(torch.float64)
    g_all = pairs.garment_px.detach().to(torch.float64).cpu()
    p_all = pairs.person_px.detach().to(torch.float64).cpu()
    masks = garment_mask.detach().cpu() > 0.5
    for i in range(b):
        f = _body_frame(joints[i if joints.shape[0] > 1 else 0].cpu())
        top = body.item(i)[0].cpu()
        mask = masks[i if masks.shape[0] > 1 else 0, 0]
        for k, side in enumerate(("right", "left")):
            ic, is_, ia = _I[f"collar_{side}"], _I[f"shoulder_{side}"], _I[f"armpit_{side}"]
            if not bool((g_all[i, [ic, is_, ia], 2] > 0).all() and (p_all[i, [ic, is_, ia], 2] > 0).all()):
                continue
            lines = [pts[[ic, is_, ia], :2] for pts in (g_all[i], p_all[i])]  # collar -> seam, away from the armpit
            scale = float((lines[1][1] - lines[1][0]).norm() / (lines[0][1] - lines[0][0]).norm().clamp_min(1e-6))
            found_pair = lift_to_edge(
                *lines, mask, top, SHOULDER_TOP_AT, scale=scale, max_lift=SHOULDER_TOP_MAX * float(f.sw)
            )
            if found_pair is None:
                continue
            g_out[i, k, :2], p_out[i, k, :2] = found_pair[0].to(g_out), found_pair[1].to(p_out)
            g_out[i, k, 2] = p_out[i, k, 2] = 1.0
    return found


def place_dropped_shoulders(pairs: KeypointPairs, body: BodyMasks) -> SidePairs:
    """A torso pair per dropped shoulder (`_dropped_shoulder`): the garment's shoulder line point that lies at the
    body's shoulder corner goes onto it.

    The seam target of a drop-shoulder garment lies down the upper arm, and the straight line from the collar side
    to it cut under the round of the shoulder: the bare shoulder showed above it (the unseen cat_model_7 in a
    sleeveless top, with the oversized ootd_049949_1). The body's corner is the seam target as placed before the
    drop (`_shoulder_seams`, `_round_shoulder` on the silhouette); the garment's point is on its line collar side ->
    shoulder, at the share the corner's distance from the collar target has of that distance plus the drop (the
    flat shoulder's end drapes down the arm by the drop). Confidence 0 where the seam is not dropped (its target
    not within a pixel of the corner moved down the arm), or a landmark or the pose is missing.

    Args:
        pairs: classical landmark pairs (`place_garment_landmarks` with `body`), batch B, with `pairs.pose`.
        body: `BodyMasks` (B or 1) in the person frame.

    Returns:
        `SidePairs` with M = 2 pairs per item: the wearer's right shoulder, then the left.
    """
    found = _no_side_pairs(pairs, 2)
    if pairs.pose is None:
        return found
    joints = pairs.pose.rescaled(pairs.person_hw).joints.detach().to(torch.float64).cpu()
    g_all = pairs.garment_px.detach().to(torch.float64).cpu()
    p_all = pairs.person_px.detach().to(torch.float64).cpu()
    for i in range(pairs.batch_size):
        j = joints[i if joints.shape[0] > 1 else 0]
        f = _body_frame(j)
        silhouette = body.item(i)[2].cpu()
        seams = _shoulder_seams(silhouette, f, SLEEVED_SEAM_INSET)
        for k, (side, joint, sign, e_idx) in enumerate((("right", f.rs, -1.0, 3), ("left", f.ls, 1.0, 6))):
            ic, is_ = _I[f"collar_{side}"], _I[f"shoulder_{side}"]
            elbow = _joint(j, e_idx)
            if elbow is None or not bool((g_all[i, [ic, is_], 2] > 0).all() and (p_all[i, [ic, is_], 2] > 0).all()):
                continue
            corner = joint + sign * seams[k][1] * f.sw * f.u - seams[k][0] * f.sw * f.v
            corner = _round_shoulder(silhouette, joint, corner, f, SLEEVED_SEAM_INSET)
            arm = (elbow - joint) / (elbow - joint).norm().clamp_min(1e-6)
            seam = p_all[i, is_, :2]
            drop = float((seam - corner) @ arm)
            if drop < 1.0 or float((seam - corner - drop * arm).norm()) > 1.0:
                continue
            near = float((corner - p_all[i, ic, :2]).norm())
            share = near / (near + drop)
            found.garment_px[i, k, :2] = torch.lerp(g_all[i, ic, :2], g_all[i, is_, :2], share).to(found.garment_px)
            found.person_px[i, k, :2] = corner.to(found.person_px)
            found.garment_px[i, k, 2] = found.person_px[i, k, 2] = 1.0
    return found


def lift_to_edge(
    garment_line: Tensor,
    person_line: Tensor,
    garment_mask: Tensor,
    person_mask: Tensor,
    at: float,
    *,
    scale: float,
    max_lift: float,
) -> tuple[Tensor, Tensor] | None:
    """One pair taking a garment's edge beside a landmark line out onto a person mask's edge beyond where it lands
    (`place_shoulder_tops`, and `garment_warp`'s sleeve edges): the straight line between two landmarks cuts
    inside a worn garment's rounds.

    In each frame, the point `at` of the way along the line start -> end and its mask's edge across the line there,
    on the side away from the line's third point (`_march`, up to the line's length). The garment's edge offset x
    `scale` is where that edge lands without the pair; the person point goes across the line by the person mask's
    edge offset, but at most `max_lift` past where it lands.

    Args:
        garment_line, person_line: (3, 2) float (x, y) pixels, garment / person frame: the line's start, its end,
            and a point on the side away from the edge looked for.
        garment_mask, person_mask: (H_g, W_g) / (H_p, W_p) bool.
        at: in [0, 1], where the point sits from start (0) to end (1).
        scale: person pixels per garment pixel across the line.
        max_lift: >= 0, person pixels.

    Returns:
        (garment point, person point), each (2,) float (x, y) pixels, dtype of `person_line`; None where a line is
        under a pixel long or its point is outside its mask, or the person mask's edge is not at least a pixel past
        where the garment's edge lands (the pair would pull the garment in).
    """
    ends = []  # (the line's point, across it away from the third point, the mask's edge's offset) per frame
    for (start, end, away), mask in ((garment_line, garment_mask), (person_line, person_mask)):
        length = float((end - start).norm())
        if length < 1.0:  # no direction across a line under a pixel long (a tiny garment photo)
            return None
        out = _perp((end - start) / length)
        out = out if float(out @ (end - away)) > 0 else -out
        point = torch.lerp(start, end, at)
        ends.append((point, out, _march(mask, point, out, length)))
    (at_g, out_g, edge_g), (at_p, out_p, edge_p) = ends
    if edge_g is None or edge_p is None:  # a line outside its mask: no edge to follow
        return None
    landed = edge_g * scale
    if edge_p < landed + 1.0:
        return None
    return at_g + edge_g * out_g, at_p + min(edge_p, landed + max_lift) * out_p


#: Worn, a round neckline's front sits higher than the flat photo's depth under its collar sides says (the back of
#: the collar rises behind the neck; the flat photo shows the neck opening from above): on VITON-HD paired 00008
#: the flat depth x the width scale puts the front 0.37 sw under the photo's, the worn fronts sit 0.05-0.23 sw above
#: the neck joint on the samples' parse maps. A round neck (depth under `ROUND_NECK_MAX` x its collar width) keeps
#: `NECK_DEPTH_SHARE` of its flat depth; deeper (V, scoop) necks keep theirs (no pair).
NECK_DEPTH_SHARE = 0.5
ROUND_NECK_MAX = 0.6
#: A collared shirt's front (where its collar's wings meet, over a button placket: `find_placket`) closes at the
#: neck's base when worn however deep the flat photo shows it: its opening is the collar laid open, not a V. Its
#: front rises like a round neck's up to this depth x its collar width (Dress Code 000000 / 000004: 0.70 / 0.84;
#: the collar then sat 0.2 sw low with the old collar's skin-repainted V above it, box SSIM 0.652 / 0.507 ->
#: 0.693 / 0.521); a V-neck as deep (VITON-HD 11791: 0.86) has no placket and keeps its depth.
COLLAR_NECK_MAX = 1.0
NECK_MIN_CONF = 0.5  # collar sides found on the outline (not placed by a cut's rule)


#: A "front neckline" under this many collar widths below the higher collar side is the dip of a back neckline
#: nothing was cut from, not a neck opening (unseen tees, none cut: 0.05-0.09; a cut crew neck's front: 0.12 and
#: deeper, `kfvton.pipelines.composite.FRONT_MIN`, `kfvton.pipelines.garment_warp._inside_by_colour`).
BACK_DIP_MAX = 0.1


def front_neckline_row(mask: Tensor, left: Tensor, right: Tensor) -> tuple[int, int, int] | None:
    """(column, top row, front row) of the front neckline under the collar's sides `left` / `right` ((2,) x, y
    pixels) in a (H, W) bool garment mask: down the column midway between them from the higher side's row, the
    first garment row after the neck opening's hole; None when the column leaves the mask or has no hole or no
    front below it."""
    x = int(round(float(left[0] + right[0]) / 2))
    y0 = int(round(float(torch.minimum(left[1], right[1]))))
    if not (0 <= x < mask.shape[1] and 0 <= y0 < mask.shape[0]):
        return None
    col = mask[y0:, x]
    hole = (~col).nonzero()
    if len(hole) == 0:
        return None
    below = col[int(hole[0, 0]) :].nonzero()
    if len(below) == 0:
        return None
    return x, y0, y0 + int(hole[0, 0] + below[0, 0])


def place_front_neckline(pairs: KeypointPairs, garment_mask: Tensor, collared: Tensor | None = None) -> SidePairs:
    """One torso pair at the front neckline's lowest point, so a round neck (or a shirt's collar) sits at the base
    of the neck.

    Garment side: the first garment pixel under the collar sides in the column between them (the front neckline,
    once `cut_inside_back` has removed the back seen through the opening). Person side: `NECK_DEPTH_SHARE` of that
    depth x the width scale (collar sides' person / garment distance) under the collar sides' targets. Without it a
    round neck keeps its flat depth and sits far down the chest (00008's low collar). Confidence 0 for deep necks
    (`ROUND_NECK_MAX`; `COLLAR_NECK_MAX` for a `collared` item), where the collar sides are missing or placed by a
    cut's rule, where the column has no opening, or without a pose.

    Args:
        pairs: classical landmark pairs (`place_garment_landmarks`), batch B, with `pairs.pose`.
        garment_mask: (B or 1, 1, H_g, W_g) float [0, 1], the garment's mask (after `cut_inside_back`).
        collared: optional (B or 1,) bool, the garments with a button placket under their front
            (`kfvton.pipelines.garment_warp.find_placket`): their collar closes at the neck (`COLLAR_NECK_MAX`).

    Returns:
        `SidePairs` with M = 1 pair per item.
    """
    check_shape(garment_mask, "garment_mask", ("B", 1, *pairs.garment_hw))
    if collared is not None:
        check_shape(collared, "collared", ("B",))
    b = pairs.batch_size
    found = _no_side_pairs(pairs, 1)
    g_out, p_out = found.garment_px, found.person_px  # filled in place
    if pairs.pose is None:
        return found
    joints = pairs.pose.rescaled(pairs.person_hw).joints.detach().to(torch.float64)
    g_all = pairs.garment_px.detach().to(torch.float64)
    p_all = pairs.person_px.detach().to(torch.float64)
    masks = garment_mask.detach() > 0.5
    il, ir = _I["collar_left"], _I["collar_right"]
    for i in range(b):
        g, p = g_all[i], p_all[i]
        if min(float(g[il, 2]), float(g[ir, 2]), float(p[il, 2]), float(p[ir, 2])) < NECK_MIN_CONF:
            continue
        f = _body_frame(joints[i if joints.shape[0] > 1 else 0])
        mask = masks[i if masks.shape[0] > 1 else 0, 0]
        neckline = front_neckline_row(mask, g[il], g[ir])
        if neckline is None:
            continue
        x, y0, front = neckline
        depth_g = float(front - y0)
        width_g = float((g[il, 0] - g[ir, 0]).abs())
        closes = collared is not None and bool(collared[i if collared.shape[0] > 1 else 0])
        if width_g < 1.0 or depth_g > (COLLAR_NECK_MAX if closes else ROUND_NECK_MAX) * width_g:
            continue
        depth = NECK_DEPTH_SHARE * depth_g * abs(float((p[il, :2] - p[ir, :2]) @ f.u) / width_g)
        mid = (p[il, :2] + p[ir, :2]) / 2 + _sternum_shift(f) * f.u  # on a turned torso's front centre line
        g_out[i, 0] = torch.tensor([float(x), y0 + depth_g, 1.0], dtype=g_out.dtype)
        p_out[i, 0, :2] = (mid + depth * f.v).to(p_out)
        p_out[i, 0, 2] = 1.0
    return found


#: collar_center follows the front neckline's pair (`centre_on_front_neckline`) when on the garment it lies within
#: this many collar widths of that pair's garment point: a neck opening the mask already leaves empty puts
#: collar_center on the front's top (unseen blue lace tee: 0.02 collar widths apart, its target 0.12 sw under the
#: pair's, the front neckline stepped up 35 px beside the centre on the person).
CENTRE_ON_FRONT = 0.15


def centre_on_front_neckline(pairs: KeypointPairs, front: SidePairs) -> KeypointPairs:
    """`pairs` with collar_center's target moved with `front`'s pair (`place_front_neckline`) where on the garment
    the two lie within `CENTRE_ON_FRONT` collar widths of each other: to the pair's target plus their garment offset
    x the collar's width scale (person / garment collar sides). Two garment points a few pixels apart with targets
    half a neckline's depth apart fold the warp between them: a step in the neckline beside its centre.

    Args:
        pairs: classical landmark pairs, batch B.
        front: `place_front_neckline(pairs, ...)`, M = 1 pair per item (confidence 0: not placed, nothing moves).

    Returns:
        the pairs with collar_center's person target moved where it lies on the front neckline; the same object
        when nothing moves.
    """
    check_shape(front.garment_px, "front.garment_px", (pairs.batch_size, 1, 3))
    il, ir, ic = _I["collar_left"], _I["collar_right"], _I["collar_center"]
    person = pairs.person_px.clone()
    moved = False
    for i in range(pairs.batch_size):
        g = pairs.garment_px[i if pairs.garment_px.shape[0] > 1 else 0].detach().to(torch.float64)
        p = person[i].detach().to(torch.float64)
        fg, fp = front.garment_px[i, 0].detach().to(torch.float64), front.person_px[i, 0].detach().to(torch.float64)
        if float(fg[2]) <= 0 or float(fp[2]) <= 0 or float(g[ic, 2]) <= 0 or float(p[ic, 2]) <= 0:
            continue
        width_g = float((g[il, :2] - g[ir, :2]).norm())
        offset = g[ic, :2] - fg[:2]
        if width_g < 1.0 or float(offset.norm()) > CENTRE_ON_FRONT * width_g:
            continue
        scale = float((p[il, :2] - p[ir, :2]).norm()) / width_g
        person[i, ic, :2] = (fp[:2] + scale * offset).to(person)
        moved = True
    return replace(pairs, person_px=person) if moved else pairs


#: The collar sides rise onto the neck's base where the person's neck label says it is higher than `COLLAR_UP`
#: (never lower: an old V-neck or open collar shows skin far down), by at most `COLLAR_RISE_MAX` sw. The base on
#: each side: the median over pixel columns of the lowest neck pixel within `NECK_SIDE_STRIP` sw of the neck's edge
#: (its 3rd / 97th percentile across, above the collar line). On the VITON-HD samples' parse maps it sits 0.01-0.11
#: sw above `COLLAR_UP`'s line on 7 of 11 persons (paired 00008: 0.06 and 0.11, its collar 16-30 px low).
COLLAR_RISE_MAX = 0.14
NECK_SIDE_STRIP = 0.06
#: The neck's edges across are read from its pixels within NECK_WINDOW sw above the collar line (all above it when
#: under `NECK_MIN_PX` lie there: a turtleneck's neck ends higher): a head label that holds face and neck together
#: (Dress Code's) is as wide as the face higher up, and the lowest pixels at the face's sides are the jaw's.
NECK_WINDOW = 0.25
NECK_MIN_PX = 50


def place_collar_on_neck(pairs: KeypointPairs, neck: Tensor) -> KeypointPairs:
    """The collar side targets raised onto the base of the person's neck (`COLLAR_RISE_MAX`), each side apart (a
    turned head tilts the neck's base more than the shoulders), and collar_center by their mean.

    Args:
        pairs: classical landmark pairs (`place_garment_landmarks`), batch B, with `pairs.pose`.
        neck: (B or 1, 1, H, W) bool (or float, > 0.5 = inside), the person's neck (parse label 10, or a head
            label that includes it: `neck_from_parse`), in the pairs' person frame.

    Returns:
        the pairs with moved collar targets (unchanged where the collar sides are missing or placed by a cut's rule
        (`NECK_MIN_CONF`), where the neck has under `NECK_MIN_PX` pixels above the collar line, or without a pose).
    """
    check_shape(neck, "neck", ("B", 1, *pairs.person_hw))
    if pairs.pose is None:
        return pairs
    b = pairs.batch_size
    joints = pairs.pose.rescaled(pairs.person_hw).joints.detach().to(torch.float64)
    person = pairs.person_px.clone()
    il, ir, ic = _I["collar_left"], _I["collar_right"], _I["collar_center"]
    for i in range(b):
        p = person[i].detach().to(torch.float64)
        if (
            min(float(pairs.garment_px[i if pairs.garment_px.shape[0] > 1 else 0, k, 2]) for k in (il, ir))
            < (NECK_MIN_CONF)
            or min(float(p[il, 2]), float(p[ir, 2])) < NECK_MIN_CONF
        ):
            continue
        f = _body_frame(joints[i if joints.shape[0] > 1 else 0])
        m = neck[i if neck.shape[0] > 1 else 0, 0]
        ys, xs = (m if m.dtype == torch.bool else m > 0.5).nonzero(as_tuple=True)
        pts = torch.stack((xs, ys), -1).to(torch.float64)
        across, down = (pts - f.top) @ f.u / f.sw, (pts - f.top) @ f.v / f.sw
        above = down < 0
        if int(above.sum()) < NECK_MIN_PX:
            continue
        near = above & (down > -NECK_WINDOW)
        span = across[near] if int(near.sum()) >= NECK_MIN_PX else across[above]
        edges = torch.quantile(span, torch.tensor([0.03, 0.97], dtype=torch.float64))
        rise = []
        for k, edge in ((ir, edges[0]), (il, edges[1])):
            strip = (across - edge).abs() < NECK_SIDE_STRIP
            if int(strip.sum()) < 5:
                rise.append(0.0)
                continue
            # per pixel column of the strip its lowest neck pixel (its lower edge), their median
            cols, where = xs[strip].unique(return_inverse=True)
            lowest = down.new_full((len(cols),), -float("inf")).scatter_reduce(0, where, down[strip], "amax")
            base = float(lowest.median()) + 0.5 / float(f.sw)
            now = float((p[k, :2] - f.top) @ f.v / f.sw)
            rise.append(min(max(now - base, 0.0), COLLAR_RISE_MAX))
        for k, r in ((ir, rise[0]), (il, rise[1]), (ic, sum(rise) / 2)):
            if float(p[k, 2]) > 0:
                person[i, k, :2] = (p[k, :2] - r * f.sw * f.v).to(person)
    return replace(pairs, person_px=person)


#: A back collar band at least `STAND_MIN` collar widths tall (a shirt's collar stand: 0.4-0.55 on the Dress Code
#: shirts; a T-shirt's rib under 0.1) stands up behind the neck when worn: its bottom edge (`collar_stand`) is what
#: sits at the neck's base, so the collar targets rise by the band's scaled height.
STAND_MIN = 0.3


def place_standing_collar(pairs: KeypointPairs, landmarks: GarmentLandmarks) -> KeypointPairs:
    """The collar targets (collar sides and centre) lifted by the back collar band's height, so the band's bottom
    edge (`landmarks.collar_stand`) sits where the collar sides' targets were (the neck's base) and the collar
    stands up around the neck instead of lying flat on the chest.

    Args:
        pairs: classical landmark pairs (`place_garment_landmarks`, maybe `place_collar_on_neck`), batch B, with
            `pairs.pose`.
        landmarks: the garment landmarks the pairs were placed from, with `collar_stand` (B or 1 items).

    Returns:
        the pairs with moved collar targets; unchanged without a `collar_stand` or a pose, where the collar sides
        are missing or placed by a cut's rule (`NECK_MIN_CONF`), or where the band is under `STAND_MIN` collar
        widths.
    """
    if landmarks.collar_stand is None or pairs.pose is None:
        return pairs
    joints = pairs.pose.rescaled(pairs.person_hw).joints.detach().to(torch.float64)
    person = pairs.person_px.clone()
    il, ir, ic = _I["collar_left"], _I["collar_right"], _I["collar_center"]
    stands = landmarks.collar_stand.detach().to(torch.float64)
    for i in range(pairs.batch_size):
        g = pairs.garment_px[i if pairs.garment_px.shape[0] > 1 else 0].detach().to(torch.float64)
        p = person[i].detach().to(torch.float64)
        stand = stands[i if stands.shape[0] > 1 else 0]
        if float(stand[2]) <= 0 or min(float(g[il, 2]), float(g[ir, 2]), float(p[il, 2]), float(p[ir, 2])) < (
            NECK_MIN_CONF
        ):
            continue
        width_g = float((g[il, 0] - g[ir, 0]).abs())
        band = float(stand[1]) - float(torch.minimum(g[il, 1], g[ir, 1]))
        if width_g < 1.0 or band < STAND_MIN * width_g:
            continue
        f = _body_frame(joints[i if joints.shape[0] > 1 else 0])
        lift = band * abs(float((p[il, :2] - p[ir, :2]) @ f.u)) / width_g
        for k in (il, ir, ic):
            if float(p[k, 2]) > 0:
                person[i, k, :2] = (p[k, :2] - lift * f.v).to(person)
    return replace(pairs, person_px=person)


#: Where the centre-line pairs sit between the front neckline (collar_center, 0) and hem_center (1).
CENTRE_LINE_AT: tuple[float, ...] = (0.3, 0.6)
#: The centre-line pairs only for a turn that moves the neckline at least this far (x sw): on a nearly frontal
#: torso (Dress Code 000002, 0.03 sw) they bent the warp more than the turn moved it (box SSIM 0.830 -> 0.824).
CENTRE_LINE_MIN_SHIFT = 0.05


def place_centre_line(pairs: KeypointPairs) -> SidePairs:
    """Points on a turned torso's front centre line, so the garment's centre column (placket, print centre) runs
    straight from the neckline moved onto the sternum (`TURN_SHIFT`) to the hem's centre: without them the torso's
    warp moved the neckline alone and the placket bent back to the outline's middle under it (Dress Code 000001).

    At `CENTRE_LINE_AT` of the way from collar_center to hem_center on the garment's straight centre column, each
    point goes to the same fraction between their two targets. Confidence 0 for a turn under
    `CENTRE_LINE_MIN_SHIFT` (a frontal torso keeps its warp), where either landmark is missing, or without a pose.

    Args:
        pairs: classical landmark pairs (`place_garment_landmarks`), batch B, with `pairs.pose`.

    Returns:
        `SidePairs` with M = len(`CENTRE_LINE_AT`) pairs per item.
    """
    found = _no_side_pairs(pairs, len(CENTRE_LINE_AT))
    if pairs.pose is None:
        return found
    joints = pairs.pose.rescaled(pairs.person_hw).joints.detach().to(torch.float64)
    g_all = pairs.garment_px.detach().to(torch.float64)
    p_all = pairs.person_px.detach().to(torch.float64)
    ic, ih = _I["collar_center"], _I["hem_center"]
    at = torch.tensor(CENTRE_LINE_AT, dtype=torch.float64)[:, None]
    for i in range(pairs.batch_size):
        g, p = g_all[i if g_all.shape[0] > 1 else 0], p_all[i]
        if min(float(g[ic, 2]), float(g[ih, 2]), float(p[ic, 2]), float(p[ih, 2])) <= 0:
            continue
        f = _body_frame(joints[i if joints.shape[0] > 1 else 0])
        if float(_sternum_shift(f).abs() / f.sw) < CENTRE_LINE_MIN_SHIFT:
            continue
        found.garment_px[i, :, :2] = (g[ic, :2] + at * (g[ih, :2] - g[ic, :2])).to(found.garment_px)
        found.person_px[i, :, :2] = (p[ic, :2] + at * (p[ih, :2] - p[ic, :2])).to(found.person_px)
        found.garment_px[i, :, 2] = 1.0
        found.person_px[i, :, 2] = 1.0
    return found


def join_side_pairs(*extra: SidePairs | None) -> SidePairs | None:
    """The extra torso pairs of several `SidePairs` as one (None entries skipped; None when all are)."""
    parts = [e for e in extra if e is not None]
    if not parts:
        return None
    return SidePairs(
        garment_px=torch.cat([e.garment_px for e in parts], dim=1),
        person_px=torch.cat([e.person_px for e in parts], dim=1),
    )


def _perp(u: Tensor) -> Tensor:
    """u turned 90 degrees clockwise on screen (x right, y down): (1, 0) -> (0, 1)."""
    return torch.stack((-u[1], u[0]))


def _joint(j: Tensor, idx: int) -> Tensor | None:
    return j[idx, :2] if j[idx, 2] > PRESENT_THRESHOLD else None


@dataclass(frozen=True)
class _Frame:
    """The body frame of one person (module docstring, step 1), float64 pixels."""

    rs: Tensor
    ls: Tensor
    sw: Tensor
    u: Tensor
    v: Tensor
    top: Tensor
    hip_mid: Tensor | None
    centre_a: Tensor  # the body's centre line, across `u` from `top`
    length_sw: Tensor  # the shoulder width lengths scale with (`sw`, or more when the shoulders turn away)
    torso: Tensor | None  # neck joint -> hip joints' midpoint, px; None without them


def _body_frame(j: Tensor) -> _Frame:
    rs, ls = j[2, :2], j[5, :2]
    rh, lh = _joint(j, 9), _joint(j, 12)
    sw = (ls - rs).norm().clamp_min(1.0)
    u = (ls - rs) / sw
    v = _perp(u)
    hip_mid = (rh + lh) / 2 if rh is not None and lh is not None else None
    neck = _joint(j, 1)
    top = (neck if neck is not None else (rs + ls) / 2) - COLLAR_UP * sw * v  # where the collar sides sit
    centre_a = ((hip_mid - top) @ u) if hip_mid is not None else torch.zeros((), dtype=j.dtype, device=j.device)
    # A person turned sideways shows foreshortened shoulders but a torso of full length: lengths follow the torso
    # when the shoulders are too narrow for it (widths keep `sw`: they are foreshortened too).
    length_sw = sw
    torso = None
    if hip_mid is not None and neck is not None:
        torso = (hip_mid - neck).norm()
        length_sw = torch.maximum(sw, torso / TORSO_PER_SW_MAX)
    return _Frame(rs, ls, sw, u, v, top, hip_mid, centre_a, length_sw, torso)


def _centre_at(f: _Frame, down: Tensor) -> Tensor:
    """The torso's centre line across `u` (from `top`) at `down` along `v`: the shoulders' midpoint at their height,
    the hips' midpoint at theirs, straight between (clamped beyond). A torso that leans or turns (the shoulders
    tilted against the hips) slants off `v`, the perpendicular to the shoulder line: on VITON-HD paired 00034 the
    hips' midpoint lies 0.4 sw across from the neck's foot, and the shirt's placket follows that line, not `v`."""
    mid = (f.rs + f.ls) / 2 - f.top
    a0, d0 = mid @ f.u, mid @ f.v
    if f.hip_mid is None:
        return a0
    d1 = (f.hip_mid - f.top) @ f.v
    if float(d1 - d0) < 1.0:
        return a0
    t = ((down - d0) / (d1 - d0)).clamp(0.0, 1.0)
    return a0 + t * (f.centre_a - a0)


#: A torso turned to one side shows its front's centre line (sternum, placket, neckline centre) off the middle of its
#: outline, towards the side it turns to; the hips' midpoint then lies across from the shoulders' on that side too.
#: On the 32 sample persons with parse maps the neckline's centre (the neck label's lowest point) sits ~`TURN_SHIFT` x
#: (that offset less `TURN_DEAD_ZONE`) across from the shoulders' midpoint (Dress Code 000001: offset -0.50 sw,
#: neckline -0.15 sw, its placket there; VITON-HD 00891: -0.44, -0.12; 00006: +0.36, +0.15). Only the neckline moves
#: (`place_centre_line` then runs the centre column straight to the hem's centre): at the hips the trousers' fly sat
#: on the hip joints' midpoint as often as beyond it (00006, 00034, 013567 against 000001, 000005, 00891), and 00034,
#: whose hips lie 0.41 sw across under a frontal chest, shows that a lean moves the hips too (its placket stays
#: within 0.03 sw of the neck joint: the neckline lands 0.1 sw beside it there).
TURN_SHIFT = 0.45
TURN_DEAD_ZONE = 0.1
TURN_SHIFT_MAX = 0.25  # x sw


def _sternum_shift(f: _Frame) -> Tensor:
    """How far (px, along `u`) a turned torso's neckline centre lies from the neck joint's column (`TURN_SHIFT`, at
    most `TURN_SHIFT_MAX`); 0 without hips or inside the dead zone."""
    if f.hip_mid is None:
        return torch.zeros((), dtype=f.sw.dtype, device=f.sw.device)
    offset = ((f.hip_mid - (f.rs + f.ls) / 2) @ f.u) / f.sw
    shift = TURN_SHIFT * (offset.abs() - TURN_DEAD_ZONE).clamp_min(0.0)
    return torch.sign(offset) * shift.clamp(max=TURN_SHIFT_MAX) * f.sw


def _out_length_sw(f: _Frame) -> Tensor:
    """The shoulder width a garment worn over the lower garment takes its length from: the geometric mean of `sw`
    and the torso over `TORSO_PER_SW_WORN` (the torso over `TORSO_PER_SW_MAX` when more: a person turned sideways)."""
    if f.torso is None:
        return f.length_sw
    return torch.maximum((f.sw * f.torso / TORSO_PER_SW_WORN).sqrt(), f.torso / TORSO_PER_SW_MAX)


def _lookup(mask: Tensor, pts: Tensor) -> Tensor:
    """mask values at (..., 2) pixel points (nearest pixel; False outside the image)."""
    h, w = mask.shape
    xy = pts.round().long()
    inside = (xy[..., 0] >= 0) & (xy[..., 0] < w) & (xy[..., 1] >= 0) & (xy[..., 1] < h)
    xy = torch.where(inside[..., None], xy, torch.zeros_like(xy))
    return mask[xy[..., 1], xy[..., 0]] & inside


def _march(mask: Tensor, start: Tensor, direction: Tensor, limit: float) -> float | None:
    """Distance from `start` along unit `direction` to the first pixel outside `mask` (None if `start` is outside)."""
    ts = torch.arange(0.0, limit, 1.0, dtype=start.dtype, device=start.device)
    hit = _lookup(mask, start + ts[:, None] * direction)
    if not bool(hit[0]):
        return None
    out = (~hit).nonzero()
    return float(ts[out[0, 0]]) if len(out) else limit


def _run_across(mask: Tensor, f: _Frame, down: Tensor | float, *, bridge: bool = False) -> tuple[float, float] | None:
    """(lo, hi) across `u` (from `top`) of the run of `mask` at distance `down` along `v` that holds the body's
    centre line (or lies nearest it); with `bridge` (clothes only: the gap between an arm and the torso is real)
    gaps up to `RUN_BRIDGE` sw bridged; None when the row misses the mask."""
    half = float(1.5 * f.sw)
    a = torch.arange(-half, half + 1.0, 1.0, dtype=f.top.dtype, device=f.top.device) + f.centre_a
    hit = _lookup(mask, f.top + down * f.v + a[:, None] * f.u)
    if not bool(hit.any()):
        return None
    # gaps up to RUN_BRIDGE sw (buttons, a belt, a seam the regions missed) do not split the body's run
    k = 2 * int(RUN_BRIDGE * float(f.sw) / 2) + 1 if bridge else 1
    if k > 1:
        x = hit[None, None].to(torch.float32)
        x = torch.nn.functional.max_pool1d(x, k, 1, k // 2)
        hit = (-torch.nn.functional.max_pool1d(-x, k, 1, k // 2))[0, 0] > 0.5
    idx = hit.nonzero().flatten()
    nearest = idx[(a[idx] - f.centre_a).abs().argmin()]
    gaps = (~hit).nonzero().flatten()
    before, after = gaps[gaps < nearest], gaps[gaps > nearest]
    lo = int(before.max()) + 1 if len(before) else 0
    hi = int(after.min()) - 1 if len(after) else len(a) - 1
    return float(a[lo]), float(a[hi])


def _centre_column(mask: Tensor, f: _Frame) -> Tensor:
    """(T,) bool: `mask` along the body's centre line, one entry per pixel down `v` from `top` (up to 3 sw)."""
    ts = torch.arange(0.0, float(3.0 * f.sw), 1.0, dtype=f.top.dtype, device=f.top.device)
    cols = []
    for off in (-0.08, 0.0, 0.08):  # three columns, so a button placket or a fold does not split the top
        cols.append(_lookup(mask, f.top + (f.centre_a + off * f.sw) * f.u + ts[:, None] * f.v))
    return torch.stack(cols).sum(0) >= 2


def _old_hem_and_waist(top: Tensor, lower: Tensor, f: _Frame) -> tuple[float, float] | None:
    """Distances down `v` from `top` of the old top's bottom and the lower garment's top (its waistband) on the
    body's centre line; None without a lower garment or an old top there."""
    low = _centre_column(lower, f).nonzero()
    if len(low) == 0:
        return None
    waist = float(low[0, 0])
    up = _centre_column(top, f)[: int(waist) + 1].nonzero()
    if len(up) == 0:
        return None
    return float(up[-1, 0]), waist


def _out_hem(hem: Tensor, f: _Frame, body: tuple[Tensor, Tensor, Tensor] | None) -> Tensor:
    """A regular top's hem worn over the lower garment, `hem` px down `v` from `top` at its own length: at least on
    the hip joints' line, and on the lower garment's waistband (body's centre line; `body`: (H, W) bool masks top,
    lower, silhouette) when that lies up to `OUT_HEM_REACH` sw below them and the hem stops more than `TOUCH` sw short
    of it (within `TOUCH` the hem meets the band: `resolve_tuck`'s measure). Needs `f.hip_mid`."""
    hips = (f.hip_mid - f.top) @ f.v
    hem = torch.maximum(hem, hips)
    meet = _old_hem_and_waist(body[0], body[1], f) if body is not None else None
    if meet is None or hem >= meet[1] - TOUCH * f.sw:
        return hem
    return torch.maximum(hem, hips + (meet[1] - hips).clamp(max=float(OUT_HEM_REACH * f.sw)))


def _hem_v_dip(top: Tensor, lower: Tensor, f: _Frame) -> float:
    """How far (x sw) the boundary between the old top and the lower garment dips at the body's centre below the
    mean of its sides (`HEM_SIDES`, `HEM_CENTRE`): about 0 for a straight (or tilted) waistband, > 0 for a V hem.
    0 when a column misses the boundary or it jumps (`HEM_JUMP`): no single hem is seen. `top`, `lower`: (H, W) bool."""
    offsets = torch.arange(-HEM_SIDES[1], HEM_SIDES[1] + 1e-6, HEM_STEP, dtype=f.top.dtype, device=f.top.device)
    ts = torch.arange(0.0, float(3.0 * f.sw), 1.0, dtype=f.top.dtype, device=f.top.device)
    starts = f.top + (f.centre_a + offsets[:, None] * f.sw) * f.u  # (K, 2) column starts on the collar line
    pts = starts[:, None, :] + ts[None, :, None] * f.v  # (K, T, 2)
    low, up = _lookup(lower, pts), _lookup(top, pts)
    rows = torch.arange(len(ts), device=low.device).expand_as(low)
    waist = torch.where(low, rows, len(ts)).amin(1)  # (K,) first lower-garment pixel down each column
    hem = torch.where(up & (rows <= waist[:, None]), rows, -len(ts)).amax(1)  # the top's last pixel above it
    met = (waist < len(ts)) & (waist - hem < TOUCH * float(f.sw))
    if not bool(met.all()):
        return 0.0
    depth = waist.to(f.top.dtype) / f.sw  # (K,) down from the collar line, x sw
    if float(depth.diff().abs().max()) > HEM_JUMP:
        return 0.0
    side = (offsets.abs() >= HEM_SIDES[0]) & (offsets.abs() <= HEM_SIDES[1] + 1e-6)
    sides = (depth[side & (offsets < 0)].mean() + depth[side & (offsets > 0)].mean()) / 2
    return float(depth[offsets.abs() <= HEM_CENTRE + 1e-6].mean() - sides)


def _own_length(g: Tensor, sleeve: str, length_px: Tensor, *, straps: bool = False) -> Tensor | None:
    """The garment's collar-to-hem length on the body, in person shoulder widths, from its own proportions
    (`LENGTH_PER_SHOULDER`, `LENGTH_PER_ARMPIT`); None when neither width is measured. With `straps` (a strappy
    cut: its "shoulders" are the strap tops, close together) the armpit width alone."""
    kind = "none" if sleeve == "none" else "sleeved"
    estimates = []
    widths = (("shoulder_left", "shoulder_right", LENGTH_PER_SHOULDER[kind]),) if not straps else ()
    for a, b, per in (*widths, ("armpit_left", "armpit_right", LENGTH_PER_ARMPIT[kind])):
        if g[_I[a], 2] > 0.25 and g[_I[b], 2] > 0.25:
            width = (g[_I[a], 0] - g[_I[b], 0]).abs().clamp_min(1.0)
            estimates.append(per * length_px / width)
    if not estimates:
        return None
    # estimates[0] is the shoulders' when measured: the mean reaches at least it less `OWN_LENGTH_SPLIT` (an armpit
    # width close to the shoulders', a boxy body, says the body is wide, not that it is short)
    mean = torch.stack(estimates).mean()
    return torch.maximum(mean, estimates[0] - OWN_LENGTH_SPLIT).clamp(OWN_LENGTH_MIN, OWN_LENGTH_MAX)


def _place_one(
    g: Tensor,
    j: Tensor,
    mask: Tensor | None,
    sleeve: str,
    body: tuple[Tensor, Tensor, Tensor] | None = None,
    tuck: str = "out",
    cut: str = "regular",
    follow_turn: bool = True,
) -> Tensor:
    """(14, 3) garment landmarks + (25, 3) joints (+ (H, W) bool masks) -> (14, 3) targets, float64."""
    f = _body_frame(j)
    rs, ls, sw, u, v, top, hip_mid = f.rs, f.ls, f.sw, f.u, f.v, f.top, f.hip_mid
    rh, lh = _joint(j, 9), _joint(j, 12)
    centre_line = f.centre_a

    def present(name: str, min_conf: float = 0.0) -> bool:
        return bool(g[_I[name], 2] > min_conf)

    def gxy(name: str) -> Tensor:
        return g[_I[name], :2]

    g_collar = [n for n in ("collar_left", "collar_right") if present(n)]
    g_top_y = (
        torch.stack([gxy(n) for n in g_collar]).mean(0)[1]
        if g_collar
        else (
            gxy("collar_center")[1]
            if present("collar_center")
            else (gxy("shoulder_left")[1] + gxy("shoulder_right")[1]) / 2
        )
    )
    g_hem_y = None
    if present("hem_center"):
        g_hem_y = g[_I["hem_center"], 1]
    elif present("hem_left") or present("hem_right"):
        g_hem_y = max(float(g[_I[n], 1]) for n in ("hem_left", "hem_right") if present(n))
    own = None
    if g_hem_y is not None and g_hem_y - g_top_y > 1:
        own = _own_length(g, sleeve, g_hem_y - g_top_y, straps=cut == "strappy")

    # body model: widths across (u) and the hem's distance down (v) from `top`
    mask_ext = _mask_extent(mask, top, u, v, sw, hip_mid) if mask is not None else None
    if mask_ext is not None:
        hem_b = mask_ext[0]
    elif own is not None:
        hem_b = own * (_out_length_sw(f) if tuck == "out" else f.length_sw)
        if tuck == "out" and hip_mid is not None and (float(own) > CROP_OWN_MAX or _seated(j)):
            hem_b = _out_hem(hem_b, f, body)
        if body is not None and tuck == "in":
            meet = _old_hem_and_waist(body[0], body[1], f)
            if meet is not None and hem_b < meet[1] and float(own) > CROP_OWN_MAX:
                # short of the waistband: reaches into the lower garment, which stays in front. A top that reaches
                # the band keeps its own length (the composite cuts it there): squeezed up to the band, its yoke,
                # pockets and buttons came out short and boxy; stretched into it, a crop top's hem band was hidden
                # behind the waistband and its armpits and sleeves hung low (Dress Code 000002)
                hem_b = torch.as_tensor(meet[1], dtype=g.dtype) + TUCK_DEPTH * sw
            elif meet is not None and hem_b < meet[1] and meet[1] - hem_b <= CROP_TUCK_REACH * sw:
                # a crop top ending just short of the band meets it, its hem band whole above it
                hem_b = torch.as_tensor(meet[1], dtype=g.dtype)
    elif hip_mid is not None:
        hem_b = (hip_mid - top) @ v + HEM_BELOW_HIPS * sw
    else:
        hem_b = DEFAULT_TORSO * sw
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
    elif body is not None:
        # side seams on the body's outline at the hem's height: the clothes alone when they are as wide as the hips
        # (an arm hanging beside them would widen one side and pull the hem's centre off the body), else with the
        # arms (body[2]: an arm crossing the body must not cut the run); each side within the hips' limits
        row = hem_b - HEM_MARGIN * hem_b
        run = _run_across(body[0] | body[1], f, row, bridge=True)
        least = None if hips_half is None else float(hips_half + HEM_OUT_MIN * sw)
        if run is None or least is None or min(float(centre_line) - run[0], run[1] - float(centre_line)) < least:
            run = _run_across(body[0] | body[1] | body[2], f, row)
        if run is not None:
            lo, hi = (torch.as_tensor(x, dtype=g.dtype) - centre_line for x in run)
            if hips_half is not None:
                limits = (hips_half + HEM_OUT_MIN * sw) / HEM_INSET, (hips_half + HEM_OUT_MAX * sw) / HEM_INSET
                lo, hi = -(-lo).clamp(*limits), hi.clamp(*limits)
            hem_centre_a = centre_line + (lo + hi) / 2
            hem_half = HEM_INSET * (hi - lo) / 2
    inset = SEAM_INSET if sleeve == "none" else SLEEVED_SEAM_INSET  # a sleeve's cap covers the shoulder's round
    seams = _shoulder_seams(body[2], f, inset) if body is not None else None
    seam_half = sw * (0.5 + (SHOULDER_OUT if seams is None else (seams[0][1] + seams[1][1]) / 2))
    armpit_half = sw * ARMPIT_HALF

    # garment frame: upright photo, origin between the collar sides (or the collar centre)
    g_top = torch.stack([gxy(n) for n in g_collar]).mean(0) if g_collar else gxy("collar_center")
    if not g_collar and not present("collar_center"):
        g_top = (gxy("shoulder_left") + gxy("shoulder_right")) / 2
    g_mid_x = g_top[0]

    # across scale: median of the width ratios that are measured (robust to one misplaced landmark)
    ratios, torso_ratios = [], []
    for a, b, body_half, min_conf in (
        ("shoulder_left", "shoulder_right", seam_half, 0.5),
        ("armpit_left", "armpit_right", armpit_half, 0.5),
        ("hem_left", "hem_right", hem_half, 0.5),
    ):
        if present(a, min_conf) and present(b, min_conf):
            gw = (gxy(a)[0] - gxy(b)[0]).abs().clamp_min(1.0)
            ratios.append(2 * body_half / gw)
            if not a.startswith("shoulder"):
                torso_ratios.append(ratios[-1])
    if not ratios:
        ratios.append(2 * seam_half / (gxy("shoulder_left")[0] - gxy("shoulder_right")[0]).abs().clamp_min(1.0))
    sx = torch.stack(ratios).median()
    # the scale of the garment's body below the shoulders: its flat shoulders' width past that is a drop shoulder's
    torso_sx = torch.stack(torso_ratios).mean() if torso_ratios else sx
    if g_hem_y is not None and g_hem_y - g_top[1] > 1:
        sy = (hem_b / (g_hem_y - g_top[1])).clamp(ASPECT_MIN * sx, ASPECT_MAX * sx)
    else:
        sy = sx
    rel = g[:, :2] - torch.stack((g_mid_x, g_top[1]))
    out = top + (sx * rel[:, 0])[:, None] * u + (sy * rel[:, 1])[:, None] * v  # (14, 2)
    conf = g[:, 2].clone()

    # shoulders onto the body's shoulder seams, unless the garment's point is far from where the frame puts it
    excess = []  # how far each garment shoulder stands past its seam target at the scale of the garment's body
    for k, (name, joint, sign) in enumerate((("shoulder_right", rs, -1.0), ("shoulder_left", ls, 1.0))):
        up_out = (SHOULDER_UP, SHOULDER_OUT) if seams is None else seams[k]
        target = joint + sign * up_out[1] * sw * u - up_out[0] * sw * v
        if body is not None:
            target = _round_shoulder(body[2], joint, target, f, inset)
        if cut == "strappy":
            # the strap tops lie over the shoulder tops where the frame puts them across: on the line from the
            # collar side (the neck's base) out to the seam
            out[_I[name]] = _on_shoulder_line(out[_I[name]], out[_I[name.replace("shoulder", "collar")]], target, f)
            continue
        off = out[_I[name]] - target
        # across the body the frame map is reliable; down it depends on the length scale `sy` and the garment's
        # shoulder slope, so allow twice as much there
        if (off @ u).abs() < SHOULDER_TRUST * sw and (off @ v).abs() < 2 * SHOULDER_TRUST * sw:
            out[_I[name]] = target
            excess.append(torso_sx * rel[_I[name], 0].abs() - sign * ((target - top) @ u))
        else:
            conf[_I[name]] = 0.0  # an outlier landmark would fold the warp; the frame places that region
    # a drop shoulder's seams down the arms, by the lesser excess (with `body` only: `place_dropped_shoulders` then
    # covers the shoulder's round above the dropped seam)
    if sleeve != "none" and cut != "strappy" and body is not None and len(excess) == 2 and _deep_flat_armholes(g):
        for name, joint, e_idx in (("shoulder_right", rs, 3), ("shoulder_left", ls, 6)):
            out[_I[name]] = _dropped_shoulder(out[_I[name]], min(excess), joint, _joint(j, e_idx), sw)
    # armpits on the torso's sides, at the height the garment frame gives them (inside the silhouette when known)
    for name, sign, joint in (("armpit_right", -1.0, rs), ("armpit_left", 1.0, ls)):
        # at least ARMPIT_BELOW sw under the shoulder joint (a frill or a cap sleeve read as the armpit would put
        # it at the shoulder and fold the torso over the arm)
        down = torch.maximum((out[_I[name]] - top) @ v, (joint - top) @ v + ARMPIT_BELOW * sw)
        centre_a = _centre_at(f, down)  # on the torso's axis at that height (a leaning torso's is slanted)
        # a sleeveless top's armhole ends against the body under the hanging arm, not outside it under a sleeve (a
        # strappy cut's keeps the body's outline: narrower, it bares more of the old sleeves painted over)
        sleeveless = sleeve == "none" and cut != "strappy"
        half = SLEEVELESS_ARMPIT_HALF * sw if sleeveless else armpit_half
        if body is not None and not sleeveless:
            run = _run_across(body[0] | body[2], f, down)  # arms included: see the hem
            if run is not None:
                edge = abs((run[1] if sign > 0 else run[0]) - float(centre_a))
                # out to the outline as far as from the shoulders' midpoint (the side the axis leans away from
                # keeps its reach: the README pair's old T-shirt showed beside a side pulled in)
                most = armpit_half + (sign * ((rs + ls) / 2 - top) @ u - sign * centre_a).clamp_min(0.0)
                half = torch.as_tensor(edge, dtype=g.dtype).clamp(ARMPIT_HALF_MIN * sw).clamp(max=most)
        out[_I[name]] = top + (centre_a + sign * half) * u + down * v
    # hem corners on the body's hem width
    for name, sign in (("hem_right", -1.0), ("hem_left", 1.0)):
        down = (out[_I[name]] - top) @ v
        out[_I[name]] = top + (hem_centre_a + sign * hem_half) * u + down * v
    hc_down = (out[_I["hem_center"]] - top) @ v
    out[_I["hem_center"]] = top + hem_centre_a * u + hc_down * v
    if follow_turn:  # the neckline's centre on a turned torso's sternum: the collar's halves take the two seen widths
        out[_I["collar_center"]] = out[_I["collar_center"]] + _sternum_shift(f) * u

    # sleeves. A long one hangs down the arm: its length scales at least as the garment's own length does (its
    # length against the garment's collar-to-hem, on the body at `own`). The across scale `sx` shrinks a loose body
    # onto the torso, and its sleeves with it: the unseen cat_Simon_1 and idm_00035_00 in the loose chiffon 09290,
    # sleeves 0.74-0.76 of its collar-to-hem in the photo, wore them 0.78-0.90 of the arm (3/4) at `sx`, 1.2 at this
    sleeve_sx = sx
    if sleeve == "long" and own is not None:
        sleeve_sx = torch.maximum(sx, own * sw / (g_hem_y - g_top_y))

    def seam_length(side: str) -> Tensor:
        # the mean of the outer seam (shoulder -> outer cuff corner) and the inner seam (armpit -> inner corner)
        o, n = g[_I[f"sleeve_{side}_outer"], :2], g[_I[f"sleeve_{side}_inner"], :2]
        return 0.5 * sleeve_sx * ((o - gxy(f"shoulder_{side}")).norm() + (n - gxy(f"armpit_{side}")).norm())

    # a long sleeve's two sides are one garment's: full length on both or neither (`_full_length`)
    full = None
    if sleeve == "long":
        full = _full_length(
            [(seam_length(side) + SLEEVE_START * sw, _joint(j, s_idx), _joint(j, e_idx), _joint(j, w_idx))
             for side, s_idx, e_idx, w_idx in (("right", 2, 3, 4), ("left", 5, 6, 7))
             if g[_I[f"sleeve_{side}_outer"], 2] > 0 and g[_I[f"sleeve_{side}_inner"], 2] > 0],
            f,
        )  # fmt: skip
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
        length = seam_length(side)
        own_width = (g[o_i, :2] - g[n_i, :2]).norm() * sx
        wide = sleeve == "long" and bool(own_width >= WIDE_CUFF_MIN * sw)
        width = own_width.clamp(SLEEVE_MIN_WIDTH * sw, (WIDE_CUFF_MAX if wide else SLEEVE_MAX_WIDTH[sleeve]) * sw)
        upper = elbow - shoulder
        if sleeve == "short":
            # never above the armpit (the sleeve would fold over the body): at least SLEEVE_BELOW_ARMPIT sw below it
            armpit_down = (out[_I[f"armpit_{side}"]] - top) @ v + SLEEVE_BELOW_ARMPIT * sw
            along = (upper @ v).clamp_min(1.0)
            t_min = ((armpit_down - (shoulder - top) @ v) / along).clamp(SHORT_SLEEVE_MIN, 1.0)
            t = ((length + SLEEVE_START * sw) / upper.norm().clamp_min(1.0)).clamp(t_min, 1.0)
            end, direction = shoulder + t * upper, upper
        else:
            if wrist is None:
                wrist = elbow + upper
            # a wide cuff hangs open round the wrist (and its width is held to the outline there): not past it
            past_max = 0.0 if wide else LONG_CUFF_PAST_MAX
            end = _long_sleeve_end(shoulder, elbow, wrist, length + SLEEVE_START * sw, f, past_max, full)
            direction = wrist - elbow
        d = direction / direction.norm().clamp_min(1e-6)
        n = _perp(d)
        body_line = top + (((end - top) @ v) * v) + centre_line * u
        if (end - body_line) @ n < 0:
            n = -n  # outer = away from the body's centre line
        if sleeve == "short":
            # round the upper arm: the inner edge against the arm's inner side, the ease outwards
            arm = 2 * ARM_HALF * sw
            least, most = SHORT_SLEEVE_EASE[0] * arm, SHORT_SLEEVE_EASE[1] * arm
            if body is not None:  # no further out than the arm's (or old sleeve's) outline, plus the ease
                reach = _march(body[2], end, n, float(0.6 * sw))
                if reach is not None:
                    most = most.clamp(max=(SHORT_SLEEVE_INNER * ARM_HALF + SHORT_SLEEVE_OUT) * sw + reach)
                # nor inside the bare arm's outline: the sleeve ends across the whole arm (a broad arm showed beside
                # a narrow cuff); not the old top's (an old sleeve's width there is the old garment's design)
                bare = _march(body[2] & ~body[0], end, n, float(0.6 * sw))
                if bare is not None:
                    outline = (SHORT_SLEEVE_INNER * ARM_HALF * sw + bare).clamp(max=SLEEVE_MAX_WIDTH["short"] * sw)
                    least = torch.maximum(least, outline)
                    most = torch.maximum(most, least)
            width = width.clamp(max=most).clamp_min(least)
            inner = end - n * (SHORT_SLEEVE_INNER * ARM_HALF * sw)
            out[o_i], out[n_i] = inner + n * width, inner
            continue
        outer_half = width / 2
        if wide and body is not None:  # hangs wider than the arm, but not far past the person's outline
            reach = _march(body[2], end, n, float(WIDE_CUFF_MAX * sw))
            if reach is not None:
                most = max(reach + WIDE_CUFF_OUT * float(sw), SLEEVE_MAX_WIDTH["long"] * float(sw) / 2)
                outer_half = outer_half.clamp(max=most)
        out[o_i] = end + n * outer_half
        out[n_i] = end - n * width / 2

    conf = torch.where(g[:, 2] > 0, conf, torch.zeros_like(conf))
    return torch.cat((out, conf[:, None]), dim=-1)


def _deep_flat_armholes(g: Tensor) -> bool:
    """Whether the garment's flat armholes are deep enough for a drop shoulder (`DROP_ARMHOLE_DEPTH`): both armpits
    lie that many armpit spans under their shoulder points, down the photo. `g`: (14, 3) garment landmarks (x_px,
    y_px, confidence) of an upright flat photo; False when a shoulder or armpit is missing."""
    names = ("shoulder_right", "armpit_right", "shoulder_left", "armpit_left")
    if not bool((g[[_I[n] for n in names], 2] > 0).all()):
        return False
    span = (g[_I["armpit_left"], :2] - g[_I["armpit_right"], :2]).norm().clamp_min(1e-6)
    depth = torch.minimum(
        g[_I["armpit_right"], 1] - g[_I["shoulder_right"], 1], g[_I["armpit_left"], 1] - g[_I["shoulder_left"], 1]
    )
    return bool(depth >= DROP_ARMHOLE_DEPTH * span)


def _dropped_shoulder(target: Tensor, excess: Tensor, joint: Tensor, elbow: Tensor | None, sw: Tensor) -> Tensor:
    """A sleeved garment's shoulder seam `target` moved down the upper arm (joint -> `elbow`) when its flat shoulders,
    at the scale of its body, stand `excess` px past the seam targets across: a drop-shoulder (oversized) shirt's
    flat shoulders are wider than its body, and worn the extra width drapes over the round of the shoulder, its seam
    down the arm. From `DROP_SHOULDER` [0] sw of excess it drops, by all of the excess from [1] on, at most
    `DROP_SHOULDER_MAX` sw."""
    if elbow is None:
        return target
    lo, hi = DROP_SHOULDER
    ramp = ((excess / sw - lo) / (hi - lo)).clamp(0.0, 1.0)
    drop = (ramp * excess).clamp(0.0, DROP_SHOULDER_MAX * float(sw))
    arm = elbow - joint
    return target + drop * arm / arm.norm().clamp_min(1e-6)


def _arm_reach(length: Tensor, shoulder: Tensor, elbow: Tensor, wrist: Tensor, f: _Frame) -> Tensor:
    """A long sleeve of `length` px (as `_long_sleeve_end` takes it) over the arm's length shoulder -> elbow ->
    wrist (the wrist an upper arm's length past the elbow when missing)."""
    arm = (elbow - shoulder).norm() + (wrist - elbow).norm()
    return length * f.length_sw / f.sw / arm.clamp_min(1.0)


def _full_length(sides: list[tuple[Tensor, Tensor | None, Tensor | None, Tensor | None]], f: _Frame) -> bool | None:
    """Whether a long sleeve is full length: the mean over its sides of `_arm_reach` at least `LONG_SLEEVE_FULL`;
    None without a side whose shoulder and elbow are found. `sides`: (length px, shoulder, elbow, wrist joints
    (x, y) or None) per side. Decided per side, one arm's reach straddled the threshold: the unseen cat_Yifeng_0 in
    a long-sleeved striped top (0.89 and 0.97) wore one sleeve to the wrist and one 20 px short of it."""
    reach = []
    for length, shoulder, elbow, wrist in sides:
        if shoulder is None or elbow is None:
            continue
        reach.append(_arm_reach(length, shoulder, elbow, elbow + (elbow - shoulder) if wrist is None else wrist, f))
    return bool(torch.stack(reach).mean() >= LONG_SLEEVE_FULL) if reach else None


def _long_sleeve_end(
    shoulder: Tensor,
    elbow: Tensor,
    wrist: Tensor,
    length: Tensor,
    f: _Frame,
    past_max: float,
    full: bool | None = None,
) -> Tensor:
    """Where a long sleeve of `length` px (its seams' mean walked from the shoulder joint, on the across scale) ends
    along the arm shoulder -> elbow -> wrist: at the wrist when it is at least `LONG_SLEEVE_FULL` of the arm (past it
    along the forearm by its length beyond the arm's, at most `past_max` sw), else at its own length along the
    forearm (a three-quarter sleeve), not above `LONG_SLEEVE_MIN_FOREARM` of it. The length follows `f.length_sw`
    (a sleeve hangs at full length when the shoulders turn away). `full`, when given, decides the first case
    (`_full_length`, for both sleeves at once), else this sleeve's own `_arm_reach`."""
    if float((wrist - elbow).norm()) < 1.0:
        return wrist
    if full is None:
        full = bool(_arm_reach(length, shoulder, elbow, wrist, f) >= LONG_SLEEVE_FULL)
    length = length * f.length_sw / f.sw
    upper, fore = (elbow - shoulder).norm(), (wrist - elbow).norm()
    if full:
        past = (length - upper - fore).clamp(0.0, past_max * f.sw)
        return wrist + past * (wrist - elbow) / fore
    t = ((length - upper) / fore).clamp(LONG_SLEEVE_MIN_FOREARM, 1.0)
    return elbow + t * (wrist - elbow)


def _on_shoulder_line(point: Tensor, collar: Tensor, seam: Tensor, f: _Frame) -> Tensor:
    """`point` moved onto the straight line collar side -> shoulder seam, at its own place across, kept within
    `STRAP_ON_SHOULDER` of the way (a flat camisole's straps lean in; worn, they sit mid-shoulder)."""
    a, a0, a1 = (point - f.top) @ f.u, (collar - f.top) @ f.u, (seam - f.top) @ f.u
    t = ((a - a0) / (a1 - a0)).clamp(*STRAP_ON_SHOULDER) if float((a1 - a0).abs()) > 1.0 else torch.ones_like(a)
    down = torch.lerp((collar - f.top) @ f.v, (seam - f.top) @ f.v, t)
    return f.top + torch.lerp(a0, a1, t) * f.u + down * f.v


def _round_shoulder(silhouette: Tensor, joint: Tensor, target: Tensor, f: _Frame, inset: float) -> Tensor:
    """The seam `target` (above and outside `joint`) pulled in onto the silhouette's rounded shoulder: the top and
    the outer edge are measured apart, and their corner lies outside a sloping shoulder (the garment's shoulder
    would stick out there as a spike). Along joint -> target, at most to the edge less `inset` (x sw, `SEAM_INSET`
    or `SLEEVED_SEAM_INSET`), and not closer than `SHOULDER_ROUND_MIN` of the way (hair over the shoulder hides its
    outline)."""
    rel = target - joint
    dist = float(rel.norm())
    if dist < 1.0:
        return target
    reach = _march(silhouette, joint, rel / dist, dist + float(f.sw) * inset + 1.0)
    if reach is None:
        return target
    keep = min(max(reach - inset * float(f.sw), SHOULDER_ROUND_MIN * dist), dist)
    return joint + rel * (keep / dist)


def _shoulder_seams(silhouette: Tensor, f: _Frame, inset: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """(up, out) of the wearer's right and left shoulder seams from their joints, in shoulder widths: the
    silhouette's top above the joint and its outer edge at the joint's height, `inset` (x sw) inside both, within
    `SHOULDER_UP_RANGE` / `SHOULDER_OUT_RANGE` (hair over a shoulder hides its top: the range bounds that); the
    pose-only constants where the joint is outside the silhouette."""
    out = []
    sw = float(f.sw)
    for joint, sign in ((f.rs, -1.0), (f.ls, 1.0)):
        up = _march(silhouette, joint, -f.v, 0.6 * sw)
        # the outer edge a little above the joint: at the joint's own height a hanging arm widens the outline
        side = _march(silhouette, joint - 0.05 * sw * f.v, sign * f.u, 0.6 * sw)
        if up is None or side is None:
            out.append((SHOULDER_UP, SHOULDER_OUT))
            continue
        lo, hi = SHOULDER_UP_RANGE
        up_sw = min(max(up / sw - inset, lo), hi)
        lo, hi = SHOULDER_OUT_RANGE
        out.append((up_sw, min(max(side / sw - inset, lo), hi)))
    return out[0], out[1]


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
