"""Paste a warped garment onto the person: soft alpha, body parts kept in front, freed old clothes repainted, the
person's light and folds carried onto the new garment.

What `composite_garment` does, in order (the parse-map steps follow the garment category's `CompositeLabels`,
`CATEGORY_LABELS`; the labels named below are those of `UPPER_LABELS`):
    1. alpha = the warped garment mask.
    2. With a parse map (LIP-20 / VITON-HD labels): alpha is cut where the table's `front` labels are (for
       "upper": head, hair and the lower body), so they stay in front of the garment; the `arms` (labels 14, 15) are kept in
       front only inside the middle `ARMS_FRONT_WIDTH` of the garment's torso (the polygon of the collar, shoulder,
       armpit and hem targets, when `keypoints` are given; its whole width under the armpits), so an arm crossing
       the body stays in front while sleeves still cover the upper arms, but not in the shoulder zone
       (`_bare_shoulders`: bare shoulders above an off-shoulder top go under the new one), nor on the upper arms
       above the sleeve ends (`_upper_arms_in_sleeves`: inside the sleeve's tube, above the armpits with the arm's
       run across the row past it); arm and neck pixels
       unlike the skin and nearer the old clothes' colour are old clothes (`_sleeves_to_old`: a long sleeve, a
       high neck the parse map took for arm or neck); under the sleeves (`_below_sleeves`) the
       arms are in front everywhere, and so are the pose's arms (`_limbs`) where the parse map has old clothes
       outside the garment's torso (a long old sleeve hid the arm: no hem or side flap lies over it); with `sleeves`
       (where `warp_by_parts` landed each sleeve) an arm stays behind the new sleeves wherever they lie, but for the
       other arm's forearm (`_own_sleeves`: a freed arm no longer notches a longer sleeve's slanted cuff); the neck
       (label 10) stays in front of the
       garment's back neckline (`_neck_zone`: above a curve `NECK_DEPTH` collar widths under the collar targets);
       old-clothes pixels there (and `NECK_WIDER` beyond the collar's ends) like the skin and joined to the neck or
       the face are neck (`_old_to_neck`: an estimated parse map's strip of neck beside a white collar).
       Without a parse map nothing is kept in front.
    2b. Fit to the body (`fit`, `_fit_to_body`): garment on the background farther than `CLIP_SW` (shoulder
       caps) / `CLIP_SW_BELOW` (below) shoulder widths from the body is cut (no boxy corners or flaps past the
       silhouette), and strips of freed old clothes under `GROW_SW` wide between the garment and the old clothes'
       outline (and, for a sleeved garment, the bare shoulders' skin in the shoulder zone) become garment, not
       over the arms below the sleeves (the parse map's, or the pose's where it shows none: `_hidden_limbs`), its
       texture continued from its own pixels (mirrored across its outline where that
       colour is near the smooth fill, `MIRROR_COLOUR`; the smooth fill from its main colour near the band, `MAIN_COLOUR`:
       no pale blur of a stripe along a sleeve's edge): sideways (the blurred outline's normal) and, in the
       shoulder zone, upwards too, tapering to nothing at the neck opening, where it does not grow sideways either
       (the shoulder line follows the body's shoulders; no halo of repainted skin beside a sleeve or side seam; no
       ragged teeth into the neck). An all-over print continues mirrored into the band (`MIRROR_SPREAD`).
    2c. A tucked-in top (`waistband`, fitted by `waistband.tucked_waistband`) ends at the waistband: the garment
       but its sleeves is cut below that line (before 2b, whose band along a long sleeve is no torso), also where
       the old top hung out over the lower garment in a sliver or down along an arm (the parse map has old clothes
       there, nothing kept in front), but not under a half-tucked top's sides (`waistband.tucked_hem`), and
       the lower garment is continued up to the line over what is freed there (`waistband.continue_lower_garment`,
       after the repaint; only where the lower garment's top lies near the line: not up a skirt's flaring side,
       beside which a freed old long sleeve is an arm).
    3. Freed old clothes (the table's `old` labels not covered by the new garment, grown by `FRINGE_PX` into
       the background and skin next to them, so no dark fringe of old sleeves is left where the parse map's edge
       is a pixel off) are repainted as what lies under them, at full resolution:
       - background: the real background continued inwards (`push_pull`: a multi-scale normalised fill from the
         background pixels, which keeps its gradients and meets them without a seam);
       - skin: the same fill from the visible skin pixels (arms, neck, face of the person's tone, `_skin_like`)
         within ~`SKIN_LOCAL_PX` of them (beyond the seeds' gap off the old clothes), the body's skin tone farther
         away (`_body_tone`: the person's skin colour `_skin_colour` at the luminance of the visible body skin, not
         the lit face; no smear of a neck's shadow over a chest) times the light and folds of the old clothes
         (step 4), a limb's round shading (`limb_shading`: darker towards its edges, as a lit cylinder; the pose's
         arms each across its own width, `_arm_light`, also where an arm meets the repainted torso) and, on
         the torso, the chest's (`_torso_light`: darker towards its sides under the shoulders, the collarbones); the
         real skin next to it takes the fill's colour at low frequencies over `SKIN_BLEND_PX` (`_blend_into_skin`:
         no seam at an old sleeve's hem across an arm); the legs repainted below the hips (`_leg_fill`) take no
         light and folds of the old clothes, their own round shading, and the visible legs' tone and grain;
       - which of the two, per pixel: with a pose in `keypoints`, skin inside the body (any other label, the
         limbs drawn tapered with `LIMB_WIDTHS`, the arms' scaled to the visible arm by `_arm_widths`, each upper arm
         under a freed sleeve continued as where it leaves the sleeve (`_upper_arms_under_sleeves`), and the torso
         outline `_torso_outline`: an arm under a freed sleeve is arm-wide; under lower garments and dresses, below the
         hips, only the legs fitted to the visible legs, `_leg_segments`, `LEG_WIDTHS`, each thigh continued as where
         its skin shows below the old hem, `_thigh_from_hem`) and, for tops, inside the old clothes' smoothed outline
         (`SKIN_INSET_PX`, `SKIN_SMOOTH_PX`), background outside, with a crisp edge (`SKIN_EDGE_PX`, from the signed
         distances upsampled: no ghost of an arm, no steps); without a pose, whichever seed is nearer, background pixels
         or body; computed at 1/`WEIGHT_SCALE` and blurred, with a soft change over `FILL_EDGE_PX`.
       - residue: old-garment colours the parse map missed are repainted too: within `RESIDUE_PX` of the old
         clothes (their colour or its blend with the fill: an anti-aliased outline; over the lower body only inside
         the pose's arms, `RESIDUE_FRONT`), small specks of the lower body touching them (`SPECK_PX`), and, up to
         `RESIDUE_FAR_PX`, background-labelled pixels joined to them whose colour is off the wall's by more than its
         own spread (`_far_residue`: a white sleeve's outer strip on a light wall), filled as background;
       - repainted skin thinner than 2 `SLIVER_PX` along the background becomes background (`_no_slivers`), and
         repainted background narrower than 2 `GAP_PX` between the skin and the new garment becomes skin
         (`_no_gaps`: no white line between a sleeve and the body), and so does repainted background touching no
         background of the photo (`_no_pockets`: an old collar closed in by hair, the neck and the new garment);
       - grain: the skin and background fills get noise matched, band by band, to the real skin's and wall's fine
         texture nearby (`_grain`, `GRAIN_BANDS`): no plastic skin.
       Only a parse map tells where old clothes are, so without one nothing is repainted.
    4. Light and folds (`shading.clothes_shading`, described in `shading.py`): the old clothes' log-luminance at low
       and middle frequencies, without their colour, print or edges; the repainted skin is multiplied by it, the
       new garment lit by it (`shading.apply_light`: the product, and on cloth darker than the old clothes the
       old clothes' change of lightness, so a black garment shows the folds of a white shirt). Not read from old
       clothes between the legs (`_between_legs`, the legs' convex hull: a wrap skirt's slit shows its back panel
       in the legs' shadow, and the background between the legs under a longer new dress is labelled old clothes
       to be repainted).
    5. alpha and the paint mask are feathered with a Gaussian blur of `feather_px` (soft edges; alpha only
       inwards, blur x alpha, so no garment-photo background shows outside the garment's outline; paint only
       outwards, max(paint, blur), so no fringe of old clothes is left); a top's alpha stays hard where it goes
       behind what is kept in front (the photo's own edge of the waistband, an arm or hair is the border), then
       out = person * (1 - paint) + fill * paint, out = out * (1 - alpha) + lit garment * alpha.
    6. `refine` marks what was synthesised (the repaint, and a band of `REFINE_BAND` of the image height along the
       garment's border, where it meets the body), for a diffusion inpainting pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .._arrays import LUMA_WEIGHTS, blur_at, blur_in_box, channel_max, channel_sum, mask_box, per_channel, take
from .._checks import broadcast_batch, check_same_batch, check_shape
from ..keypoints.pairs import KeypointPairs
from ..keypoints.pose import Pose
from ..preprocess.colour_regions import connected_to
from ..preprocess.parse_labels import VITONHD_ARMS, VITONHD_HEAD, VITONHD_LOWER_BODY, VITONHD_UPPER_CLOTHES, labels_in
from .push_pull import push_pull
from .shading import (
    BOX_GRID,
    apply_light,
    arm_shading,
    clothes_shading,
    light_and_folds,
    limb_shading,
    shade_skin,
    shading_box,
    skin_slopes,
    torso_shading,
)
from .waistband import continue_lower_garment, cut_below_waistband, tucked_hem

__all__ = [
    "Composite",
    "composite_garment",
    "light_and_folds",
    "CompositeLabels",
    "UPPER_LABELS",
    "LOWER_LABELS",
    "DRESS_LABELS",
    "CATEGORY_LABELS",
    "NEUTRAL_SKIN",
    "TORSO_LANDMARKS",
]


_LEG_BONES = ((9, 10), (10, 11), (12, 13), (13, 14))
_ARM_BONES = ((2, 3), (3, 4), (5, 6), (6, 7))


@dataclass(frozen=True)
class CompositeLabels:
    """Which parse labels (LIP-20 / VITON-HD ids) play which part in `composite_garment`, per garment category.

    Attributes:
        front: kept in front of the garment everywhere.
        arms: kept in front only inside the garment's torso polygon (when the pairs name its torso landmarks).
        old: the clothes the garment replaces: repainted as what lies under them where the garment does not cover
            them.
        skin: skin samples (the fill's skin colour) and skin seeds.
        lower: body seeds of the fill besides `skin` (legs, socks, shoes).
        bones: BODY_25 joint pairs drawn as body seeds of the fill (`BONE_WIDTH` shoulder widths thick).
    """

    front: tuple[int, ...]
    arms: tuple[int, ...]
    old: tuple[int, ...]
    skin: tuple[int, ...]
    lower: tuple[int, ...]
    bones: tuple[tuple[int, int], ...]


_OUTFIT_FRONT = (3, 11, 10)  # glove, scarf, neck
#: Upper garments (the default): head, lower body and what the hands hold (glove 3: the two-photo regions' bag) in
#: front, arms by the torso rule, old tops repainted.
UPPER_LABELS = CompositeLabels(
    front=(*VITONHD_HEAD, *VITONHD_LOWER_BODY, 3),
    arms=VITONHD_ARMS,
    old=VITONHD_UPPER_CLOTHES,
    skin=(*VITONHD_ARMS, 10, 13),  # arms, neck, face
    lower=VITONHD_LOWER_BODY,
    bones=((0, 1), (1, 2), (2, 3), (3, 4), (1, 5), (5, 6), (6, 7)),  # nose-neck: the neck under a high collar
)
#: Trousers, shorts, skirts: head, shoes, the top (over the waistband; `tuck` relabels it) and arms/hands in
#: front; old trousers and skirts repainted: legs in skin tone along the leg bones, background between the legs.
LOWER_LABELS = CompositeLabels(
    front=(*VITONHD_HEAD, *_OUTFIT_FRONT, 5, 6, 7, 18, 19),
    arms=VITONHD_ARMS,
    old=(9, 12),
    skin=(*VITONHD_ARMS, 10, 13, 16, 17),
    lower=(8, 16, 17, 18, 19),
    bones=(*UPPER_LABELS.bones, *_LEG_BONES),
)
#: Dresses: head and shoes in front, arms by the torso rule; every old top, dress, trousers and skirt repainted.
DRESS_LABELS = CompositeLabels(
    front=(*VITONHD_HEAD, *_OUTFIT_FRONT, 18, 19),
    arms=VITONHD_ARMS,
    old=(5, 6, 7, 9, 12),
    skin=(*VITONHD_ARMS, 10, 13, 16, 17),
    lower=(8, 16, 17, 18, 19),
    bones=(*UPPER_LABELS.bones, *_LEG_BONES),
)
#: The label table of each garment category.
CATEGORY_LABELS: dict[str, CompositeLabels] = {"upper": UPPER_LABELS, "lower": LOWER_LABELS, "dress": DRESS_LABELS}


#: Fill colour (RGB, [0, 1]) when no skin is visible in the parse map.
NEUTRAL_SKIN: tuple[float, float, float] = (0.80, 0.64, 0.54)
#: Arms stay in front of the garment only inside this fraction of the torso polygon's width: an arm hanging at
#: the body's side is under the sleeve and the torso's side seam; one crossing the chest or belly is in front.
ARMS_FRONT_WIDTH = 0.7
#: The body fit's openings and spreads and the refine mask are computed at 1/FILL_SCALE of the resolution; the
#: skin-or-background decision at 1/WEIGHT_SCALE (then upsampled and lightly blurred).
FILL_SCALE = 4
WEIGHT_SCALE = 2
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
#: Repainted skin and background get the grain of the real ones nearby (`_grain`): noise matched, band by band, to
#: their log-luminance between Gaussian blurs of these sigmas (pixels at 1024 rows: pores and sensor grain, then
#: fine mottling; coarser variation is the light-and-folds' and the limb shading's), when at least GRAIN_MIN_PX
#: (at 1024 rows) real pixels show it, clipped to a log-gain of GRAIN_MAX.
GRAIN_BANDS = (1.0, 3.0)
GRAIN_MIN_PX = 400
GRAIN_MAX = 0.15
#: Repainted skin takes the colour of the skin next to it within about this (pixels at 1024 rows), the person's
#: skin colour (`_skin_colour`) farther away.
SKIN_LOCAL_PX = 24.0
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
#: Thickness of the pose's bones in the fill's body prior, in shoulder widths, where `LIMB_WIDTHS` has none.
BONE_WIDTH = 0.2
#: Limb widths (shoulder widths) at both ends of each BODY_25 bone, for the fill's body prior: bare arms in the
#: VITON-HD samples' parse maps are 0.20-0.23 at the upper arm, 0.15-0.20 along the forearm, 0.11-0.16 at the
#: wrist.
LIMB_WIDTHS: dict[tuple[int, int], tuple[float, float]] = {
    (2, 3): (0.24, 0.19), (3, 4): (0.19, 0.14), (5, 6): (0.24, 0.19), (6, 7): (0.19, 0.14),
}  # fmt: skip
#: Leg widths (shoulder widths) at the hip, knee and ankle for the legs repainted under a shorter garment (the
#: Dress Code samples' label maps, 013567 and 000002: 0.49-0.52 under the crotch, 0.34-0.37 at the knee and the calf,
#: 0.16-0.18 above the ankle), each leg's scaled and shifted to its visible skin (`_leg_segments`).
#: `_upper_arms_in_sleeves`: the sleeve's tube around an upper arm, shoulder widths at the shoulder and the elbow
#: (the arm's own, `LIMB_WIDTHS`, 0.24 / 0.19, with room for a bone off the arm's middle; looked at on Dress Code
#: 020718 from two photos, whose arm's inner edge lies 0.1 shoulder widths from the bone).
SLEEVE_TUBE: dict[tuple[int, int], tuple[float, float]] = {(2, 3): (0.34, 0.28), (5, 6): (0.34, 0.28)}
#: ... and above the armpit targets the arm's run across each row past the tube, at most this many shoulder widths
#: (an arm there is 0.3-0.4 shoulder widths wide, its inner edge up to 0.2 from the bone: Dress Code 020715).
SLEEVE_RUN = 0.15
LEG_WIDTHS: dict[tuple[int, int], tuple[float, float]] = {
    (9, 10): (0.50, 0.36), (10, 11): (0.36, 0.20), (12, 13): (0.50, 0.36), (13, 14): (0.36, 0.20),
}  # fmt: skip
#: ... a leg's centre moves at most LEG_SHIFT shoulder widths off its bones to its visible skin's.
LEG_SHIFT = 0.12
#: The repainted legs (`_leg_fill`) take their own shading and tone over the drawn legs softened by this (Gaussian
#: sigma, pixels at 1024 rows): no seam where they meet the rest of the fill.
LEG_SOFT_PX = 4.0
#: ... and the tone of the visible legs (`_body_tone` of them) when at least this many of their skin pixels show (at
#: 1024 rows; Dress Code 020720's ankles under a long dress: ~1600), else the body's.
LEG_TONE_MIN_PX = 200
#: ... their skin: like their own median colour when it is within this of the face's chromaticity (`_skin_like`'s
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
#: The torso of the body prior: shoulder tops (out, up) of the shoulder joints, the neck base above the neck joint
#: (as wide as the neck, `NECK_WIDTH`), the armpits (in, down) of the shoulder joints, the waist indented halfway
#: from the armpits to the hips, the hips outside the hip joints, in shoulder widths: between an arm hanging off the
#: body and the torso is background, not a block of skin from the shoulders to the hips.
TORSO_SHOULDER = (0.15, 0.15)
TORSO_NECK = 0.2
TORSO_ARMPIT = (0.1, 0.4)
TORSO_WAIST = 0.05
#: ... and the neck, from the neck joint up to the nose, this wide (shoulder widths): the VITON-HD samples' parse maps
#: (11 persons) have necks 0.24-0.47 wide above the neck joint, median 0.34.
NECK_WIDTH = 0.34
TORSO_HIP = 0.12
#: Arm pixels unlike the skin are a sleeve (old clothes) in patches at least this wide (pixels at 1024 rows).
SLEEVE_MIN_PX = 4.0
#: Arm / neck pixels count as skin when their chromaticity (rgb / sum) is within this of the face's, per channel.
SKIN_TOLERANCE = 0.04
#: OpenCV's 3 x 3 chamfer `DIST_L2` step along a row or column (1.3693 diagonally): its distances are at least this
#: times a pixel's offset along either axis (what bounds the box `_fit_to_body` measures the cut in)
CHAMFER_AXIAL = 0.955
#: Fit to the body (step 2b), in shoulder widths: garment on the background is cut this far from the body in the
#: shoulder zone (down to SHOULDER_ZONE_SW under the shoulder joints: no boxy corners or flaps) and below it (sleeves and hems may stand off a little);
#: freed old clothes this close to the garment's parts broader than 2 THIN_SW become garment. `FALLBACK_SW` of the height without a pose.
CLIP_SW = 0.03
CLIP_SW_BELOW = 0.10
GROW_SW = 0.08
#: ... its outer outline smoothed over this (Gaussian sigma, shoulder widths; `_smooth_band`): no teeth of a ragged
#: parse map's outline.
GROW_SMOOTH_SW = 0.02
THIN_SW = 0.04
SHOULDER_ZONE_SW = 0.15
FALLBACK_SW = 0.24
#: The grown band continues the garment's texture mirrored across its outline where the mirrored colour is within
#: this (sum of |RGB| differences) of the smooth fill (a knit continues; a stripe or a collar is not copied).
MIRROR_COLOUR = 0.25
#: ... or within MIRROR_SPREAD times the garment's mean such difference nearby, from its own mean at the band's scale
#: (a print's colours are all far from its smooth fill: they continue, a plain garment's collar or stripe does not).
MIRROR_SPREAD = 2.5
#: The grown band, where it ends along the garment's side on the arm's bare skin (an old sleeve's hem), is at most
#: this many times as wide as the rows to that skin: it tapers at 45 degrees instead of ending in a notch.
BAND_TAPER = 1.0
#: The grown band's smooth fill comes from the garment's pixels within MAIN_COLOUR (sum of |RGB| differences) of
#: their median near the band, when at least MAIN_SHARE of them are (stripes or piping along an edge are left out).
MAIN_COLOUR = 0.3
MAIN_SHARE = 0.6
#: Old clothes under the new garment's soft edge are repainted where they differ from it by this (sum of |RGB|
#: differences, `_under_soft_edge`): the rim of another colour seen through the edge.
RIM_COLOUR = 0.3
#: The neck (VITON-HD's label 10) stays in front of the garment down to this many collar widths (collar_left ->
#: collar_right targets) below the collar line at its middle: the flat photo's back neckline lies behind the neck.
NECK_LABEL = 10
NECK_DEPTH = 0.45
#: Old-clothes pixels like the skin and joined to the neck are neck (`_old_to_neck`) above the collar curve and up
#: to this many collar widths beyond its ends (a neck is about as wide as a crew neck's opening).
NECK_WIDER = 0.25
#: The parse map's legs (LIP-20 left and right leg): old clothes inside their convex hull (parts of at least LEG_PART
#: of the largest's area) give no light (`_between_legs`).
LEG_LABELS = (16, 17)
LEG_PART = 0.1
#: Width of the refine band along the garment's border, as a fraction of the image height.
REFINE_BAND = 0.012
#: Outline of the garment's torso, in order around it (wearer's right side first).
TORSO_LANDMARKS = (
    "collar_right", "shoulder_right", "armpit_right", "hem_right", "hem_center", "hem_left",
    "armpit_left", "shoulder_left", "collar_left", "collar_center",
)  # fmt: skip


@dataclass(frozen=True)
class Composite:
    """Result of `composite_garment`.

    Attributes:
        image: (B, 3, H, W) float [0, 1], the person wearing the garment.
        alpha: (B, 1, H, W) float [0, 1], the feathered garment alpha that was used.
        refine: (B, 1, H, W) float [0, 1], what was synthesised: the repaint and a band along the garment's border.
        painted: (B, 1, H, W) float [0, 1] where freed old clothes were repainted, or None without a parse.
        skin: (B, 3) the person's skin colour (the fill's skin model) per item, or None without a parse.
        background: (B, 1, H, W) float [0, 1], how much of the fill is background (the rest is skin), or None
            without a parse.
        shading: (B, 1, H, W) float > 0, the light-and-folds gain applied to the garment (ones without a parse).
    """

    image: Tensor
    alpha: Tensor
    refine: Tensor
    painted: Tensor | None = None
    skin: Tensor | None = None
    background: Tensor | None = None
    shading: Tensor | None = None


def composite_garment(
    person: Tensor,
    warped_garment: Tensor,
    warped_mask: Tensor,
    *,
    parse: Tensor | None = None,
    keypoints: KeypointPairs | None = None,
    feather_px: float = 1.5,
    labels: CompositeLabels | None = None,
    shading: bool = True,
    fit: bool = True,
    sleeves: Tensor | None = None,
    waistband: Tensor | None = None,
) -> Composite:
    """Blend a warped garment into the person image (rules in the module docstring).

    Args:
        person: (B or 1, 3, H, W) float [0, 1].
        warped_garment: (B or 1, 3, H, W) float [0, 1], the garment in the person frame.
        warped_mask: (B or 1, 1, H, W) float [0, 1].
        parse: optional (B or 1, H, W) int64 LIP-20 / VITON-HD labels of the person.
        keypoints: optional pairs whose person targets outline the garment torso (for the arms rule).
        feather_px: Gaussian sigma of the soft edge, pixels; 0 for hard edges.
        labels: which labels are kept in front / replaced / skin, per garment category (`CATEGORY_LABELS`:
            `UPPER_LABELS`, `LOWER_LABELS`, `DRESS_LABELS`); None = `UPPER_LABELS`.
        shading: carry the person's light and folds onto the garment (needs a parse map).
        fit: snap the garment's outline to the body (needs a parse map; module docstring, step 2b): cut where it
            lies on the background past the silhouette, grown over freed old clothes within `GROW_SW` of it.
        sleeves: optional (B or 1, 2, H, W) bool, the pixels the warped garment takes from its right and left
            sleeve (`garment_warp.PartWarp.sleeves`): with a parse map, an arm stays behind its own sleeve (a
            freed arm under a longer new sleeve no longer cuts it); only the other arm's forearm (`_limbs`) may
            lie in front of a sleeve.
        waistband: optional (B or 1, W) float rows (pixels; inf = none) of a tucked-in top's waistband
            (`waistband.tucked_waistband`): with a parse map, the garment but its `sleeves` ends there (no flap of
            the hem below it where the old top hung out over the lower garment), and the lower garment is continued
            up to it over what that frees.
    """
    check_shape(person, "person", ("B", 3, "H", "W"))
    h, w = person.shape[-2:]
    check_shape(warped_garment, "warped_garment", ("B", 3, h, w))
    check_shape(warped_mask, "warped_mask", ("B", 1, h, w))
    if labels is not None and not isinstance(labels, CompositeLabels):
        raise TypeError(
            f"labels: expected CompositeLabels (e.g. CATEGORY_LABELS['upper']), got {type(labels).__name__}"
        )
    table = UPPER_LABELS if labels is None else labels
    batches = {
        "person": person.shape[0],
        "warped_garment": warped_garment.shape[0],
        "warped_mask": warped_mask.shape[0],
    }
    if parse is not None:
        check_shape(parse, "parse", ("B", h, w))
        batches["parse"] = parse.shape[0]
    if sleeves is not None:
        check_shape(sleeves, "sleeves", ("B", 2, h, w))
        batches["sleeves"] = sleeves.shape[0]
    if waistband is not None:
        check_shape(waistband, "waistband", ("B", w))
        batches["waistband"] = waistband.shape[0]
    b = check_same_batch(batches)
    if feather_px < 0:
        raise ValueError(f"feather_px: expected >= 0, got {feather_px}")
    person = broadcast_batch(person, b, "person")
    garment = broadcast_batch(warped_garment, b, "warped_garment").to(person.dtype)
    alpha = broadcast_batch(warped_mask, b, "warped_mask").to(person.dtype).clamp(0, 1)

    painted = skin = background = gain = front_cut = None
    if parse is not None:
        labels = broadcast_batch(parse, b, "parse").to(person.device)
        codes = _codes(labels, table)
        skin = _skin_colour(person, codes)
        # (the parse map's own neck: what `_old_to_neck` gives back is not repainted, but not cut out of the new
        # collar either: its lower edge is the old top's neckline, and cut along it the collar showed steps)
        front_neck = labels == NECK_LABEL
        if keypoints is not None and set(table.old) & set(VITONHD_UPPER_CLOTHES):
            zone = _neck_zone(keypoints, b, (h, w), person.device, wider=NECK_WIDER)
            labels = _old_to_neck(person, labels, codes, skin, zone)
            codes = _codes(labels, table)
        neck = labels == NECK_LABEL
        if set(table.old) & set(VITONHD_UPPER_CLOTHES):
            codes = _sleeves_to_old(person, codes, skin, neck)
        keep = (codes & _FRONT) > 0
        arms = (codes & _ARM) > 0
        if keypoints is not None:
            below = _below_sleeves(keypoints, b, (h, w), person.device)
            arms = arms & (_torso_polygon(keypoints, b, (h, w), person.device) | below)
            arms = arms & ~_bare_shoulders(keypoints, b, (h, w), person.device)
            arms = arms & ~_upper_arms_in_sleeves(keypoints, b, (h, w), person.device, arms)
            # under the sleeves, the pose's arms are in front where the parse map has old clothes (a long old
            # sleeve hides the arm): the garment's hem or side does not cover them; the repaint paints them
            limbs = _limbs(keypoints, b, (h, w), person.device)
            if limbs is not None:  # (outside the garment's torso outline: a loose top may hang over the arms)
                outside = ~_torso_polygon(keypoints, b, (h, w), person.device, width=1.0)
                arms = arms | (limbs & below & outside & ((codes & (_OLD | _ARM)) > 0))
            if bool(front_neck.any()):  # the neck in front of the garment's back neckline
                keep = keep | (front_neck & _neck_zone(keypoints, b, (h, w), person.device))
        if sleeves is not None:
            arms = arms & ~_own_sleeves(broadcast_batch(sleeves, b, "sleeves").to(person.device), keypoints)
        keep = keep | arms
        front_cut = (keep.unsqueeze(1) & (alpha > 0.5)).to(alpha.dtype)  # where something stays in front of it
        alpha = alpha.masked_fill(keep.unsqueeze(1), 0.0)
        if waistband is not None:  # (before the fit: its band along a long sleeve is not the torso)
            cut_rows = broadcast_batch(waistband, b, "waistband")
            if keypoints is not None and keypoints.pose is not None:  # a half-tucked top's sides hang out
                cut_rows = tucked_hem(labels, cut_rows, keypoints.pose)
            alpha = cut_below_waistband(alpha, cut_rows, sleeves)
        if fit:
            arm_labels = labels_in(labels, table.arms)
            fitted = _fit_to_body(garment, alpha, codes, arm_labels, keypoints)
            garment, alpha = fitted.garment, fitted.alpha
        legs = labels_in(labels, LEG_LABELS)
        # (objects held against the old clothes, a bag at the hip, are looked for under lower garments and dresses
        # only: beside a top, the wall's own gradient next to a white T-shirt passed for one and kept its fringe)
        objects = table is not UPPER_LABELS
        rep = _repaint(
            person, codes, alpha, skin, keypoints, table.bones, feather_px, shading, garment, legs, objects=objects
        )
        person = torch.lerp(person, rep.fill, rep.paint)
        if table is UPPER_LABELS and keypoints is not None and keypoints.pose is not None:
            # under a freed untucked top: the lower garment up to its waistband, not a band of skin
            person = continue_lower_garment(
                person, labels, rep.paint, rep.background, alpha, keypoints.pose, waistband=waistband
            )
        painted, background, gain = rep.paint, rep.background, rep.gain
        rows, cols = rep.lit  # the gain is 1 outside: only there is the garment lit (apply_light is not cheap)
        garment = garment.clone()
        garment[..., rows, cols] = apply_light(garment[..., rows, cols], gain[..., rows, cols], rep.reference)
    hard = alpha
    alpha = _feather(alpha, feather_px) * alpha  # soft inwards only: no background from outside the garment
    if front_cut is not None and feather_px > 0 and table is UPPER_LABELS:
        # not where the garment goes behind what stays in front (the trousers' waistband, an arm, hair): the
        # photo's own edge of that is the border; a soft garment edge there showed the repaint under it (a rim)
        r = max(1, round(2 * feather_px))
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * r + 1, 2 * r + 1))
        cut_np = (front_cut > 0.5)[:, 0].cpu().numpy().astype(np.uint8)
        behind = torch.from_numpy(np.stack([cv2.dilate(c, kernel) for c in cut_np]) > 0).to(alpha.device)
        alpha = torch.where(behind.unsqueeze(1), hard, alpha)
    image = torch.lerp(person, garment, alpha).clamp(0, 1)
    refine = _refine_mask(alpha, painted)
    return Composite(
        image=image, alpha=alpha, refine=refine, painted=painted, skin=skin, background=background, shading=gain
    )


_FRONT, _ARM, _OLD, _SKIN, _BACKGROUND, _BODY, _FACE, _HAIR = 1, 2, 4, 8, 16, 32, 64, 128


@dataclass(frozen=True)
class _Fitted:
    garment: Tensor  # (B, 3, H, W) the warped garment, its texture continued over the grown band
    alpha: Tensor  # (B, 1, H, W) [0, 1] cut to the silhouette and grown over the nearby freed old clothes


def _fit_to_body(
    garment: Tensor, alpha: Tensor, codes: Tensor, arm_labels: Tensor, keypoints: KeypointPairs | None
) -> _Fitted:
    """Snap the garment's outline to the body (module docstring, step 2b), per batch item on the CPU.

    - cut: garment pixels on the background farther than `CLIP_SW` (shoulder zone, `_shoulder_scale`) or
      `CLIP_SW_BELOW` (below it) shoulder widths from any body pixel go (boxy shoulder corners, flaps);
    - grow: freed old clothes (and a sleeved garment's bare shoulders) within `GROW_SW` shoulder widths beside (more
      across than up or down: not the neckline or the hem) the garment's broad parts (parts thinner than 2 `THIN_SW`,
      straps, left out) become garment, its colours continued smoothly from its own pixels off its rim (`push_pull`): no
      strip of repainted skin or background between a sleeve or a side seam and the body's outline where the old garment
      was a little wider, and no smear around a strap. Old sleeves (`arm_labels` (B, H, W) bool: the parse map's arms,
      long sleeves included) are grown into only down to the garment's sleeve ends (its lowest sleeve target; not at all
      without sleeve targets): a short sleeve or the torso's side does not spread down an arm.
    Lengths use the pose's shoulder width when `keypoints` carry a pose, else `FALLBACK_SW` of the height."""
    b, _, h, w = alpha.shape
    a_all = alpha.detach().float()[:, 0].cpu().numpy().copy()
    # (a plain copy: only the box grown over is read channels last, and written back, below)
    g_out = garment.detach().to(device="cpu", dtype=torch.float32).clone(memory_format=torch.contiguous_format)
    codes_np = codes.cpu().numpy()
    arms_np = arm_labels.cpu().numpy()
    for i in range(b):
        cc = codes_np[i]
        sw, zone_y = _shoulder_scale(keypoints, i, (h, w))
        cuff_y = _sleeve_end_y(keypoints, i, (h, w))
        a = a_all[i]
        covered = a > 0.5
        if not covered.any():
            continue
        # cut: distance of each background pixel to the body (anything but background, hair and hat: hair hanging
        # beside a shoulder is over the background, and the garment under it is hidden anyway)
        body = ((cc & _BACKGROUND) == 0) & ((cc & _HAIR) == 0)
        if body.any():
            # (over the garment's box only, grown by the farthest body pixel a kept pixel can have: beyond it the
            # chamfer distance, at least CHAMFER_AXIAL x the pixels' offset, is past the limit either way; measured
            # over whole rows: OpenCV's distances in a box cut from the columns differ in the last bit)
            margin = int(np.ceil((max(CLIP_SW, CLIP_SW_BELOW) * sw + 2.0) / CHAMFER_AXIAL)) + 2
            y0, y1, x0, x1 = mask_box(a > 0, margin)
            d_body = cv2.distanceTransform((~body[y0:y1]).astype(np.uint8), cv2.DIST_L2, 3)[:, x0:x1]
            rows = np.arange(y0, y1)[:, None]
            limit = np.where(rows < zone_y, CLIP_SW * sw, CLIP_SW_BELOW * sw).astype(np.float32)
            # past an arm in front of it (beside the hips), a loose hem hangs behind the arm: no flap sticks out
            # beyond the arm's outer side (with the CLIP_SW margin, a grey strip still ran down a bare arm's edge)
            neck_lo, neck_hi = _neck_columns(keypoints, i, (h, w))
            if np.isfinite(neck_lo) and np.isfinite(neck_hi):
                front_arms = ((cc[y0:y1] & _ARM) > 0) & ~covered[y0:y1]  # (whole rows: to the centre line)
                past = _past_the_arms(front_arms, 0.5 * (neck_lo + neck_hi), zone_y - y0)[:, x0:x1]
                limit = np.where(past, np.float32(0.0), limit)
            a[y0:y1, x0:x1] *= np.clip(1.0 + (limit - d_body) / 2.0, 0.0, 1.0)  # soft over 2 px
            covered = a > 0.5
        # grow over nearby freed old clothes, and a sleeved garment over the bare shoulders' skin (the parse map's
        # arms in the shoulder zone, which `_bare_shoulders` already puts under it): its shoulder line, placed a
        # little inside the outline, left thin slits of the real shoulder beside it (VITON-HD 10549, sleeveless,
        # with T-shirts)
        old = (cc & _OLD) > 0
        if np.isfinite(cuff_y):
            old = old | (arms_np[i] & (np.arange(h)[:, None] < zone_y))
        reach = GROW_SW * sw
        if not old.any() or reach < 1:
            continue
        y0, y1, x0, x1 = mask_box(covered | old, int(reach) + 2)
        y0, x0 = y0 - y0 % FILL_SCALE, x0 - x0 % FILL_SCALE  # the 1/FILL_SCALE grid of `_opening`, both ends:
        y1, x1 = min(h, y1 + (-y1) % FILL_SCALE), min(w, x1 + (-x1) % FILL_SCALE)  # mirror-symmetric
        crop = (slice(y0, y1), slice(x0, x1))
        cov, old_c = covered[crop], old[crop]
        g_c = np.ascontiguousarray(g_out[i, :, y0:y1, x0:x1].permute(1, 2, 0).numpy())  # (H', W', 3) channels last
        # from the garment's broad parts only: a strap over the old top does not spread into a smear around it
        broad = _opening(cov, THIN_SW * sw)
        if not broad.any():
            continue
        d_gar, labels = cv2.distanceTransformWithLabels(
            (~broad).astype(np.uint8), cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL
        )
        by, bx = np.nonzero(broad)  # (label k - 1 is the k-th broad pixel in this order)
        # sideways (sleeve and side-seam widths follow the body; the neckline and the hem keep the garment's own
        # design): the outline's normal, from the blurred outline (the nearest pixel's direction saws along a
        # slanted edge), points more across than up or down; in the shoulder zone (above `zone_y`) up too, except
        # over the neck opening (`_neck_columns`): the shoulder line follows the body's shoulders
        yy, xx = np.ogrid[0 : broad.shape[0], 0 : broad.shape[1]]  # (a column and a row: the rules broadcast them)
        smooth = cv2.GaussianBlur(broad.astype(np.float32), (0, 0), max(2.0, reach / 2))
        gx, gy = cv2.Sobel(smooth, cv2.CV_32F, 1, 0), cv2.Sobel(smooth, cv2.CV_32F, 0, 1)
        sideways = np.abs(gx) >= np.abs(gy)
        neck_lo, neck_hi = _neck_columns(keypoints, i, (h, w))
        # (tapering from the full reach 0.1 shoulder widths outside the neck columns to none at them: no step)
        outside = np.maximum(neck_lo - (xx + x0), (xx + x0) - neck_hi)
        taper = np.clip(outside / (0.1 * sw), 0.0, 1.0)
        # the reach from the garment's own (full-resolution) outline, near its broad parts (found at 1/FILL_SCALE:
        # their blocky outline must not show)
        d_cov = cv2.distanceTransform((~cov).astype(np.uint8), cv2.DIST_L2, 3)
        shoulder_top = (yy + y0 < zone_y) & (gy > 0) & (d_cov <= reach * taper)
        grow = old_c & ~cov & (d_cov <= reach) & (d_gar <= reach + 2 * FILL_SCALE) & (sideways | shoulder_top)
        # nor sideways into the neck opening from the collar's sides (ragged teeth into the neck)
        grow &= (yy + y0 >= zone_y) | (d_cov <= reach * taper)
        # nor into the garment's own neck opening where it is deep (a tank's scoop, wider and deeper than its collar
        # targets: grown over the old top there, it left lumps of the new garment in the scoop, Dress Code 020715;
        # a crew neck's growth closes the slits beside the neck)
        opening = _neck_opening(cov, 0.5 * (neck_lo + neck_hi) - x0)
        if int(opening.any(axis=1).sum()) >= DEEP_OPENING_SW * sw:
            grow &= ~opening
        # nor over the arms (the parse map's, or the pose's limbs where an old sleeve hides them) below the sleeves
        arms_i = arms_np[i][crop]
        # (a sleeveless garment keeps every limb: grown up to a seen arm, its armholes closed into boxy sides)
        seen = arms_np[i] if np.isfinite(cuff_y) else np.zeros_like(arms_np[i])
        limbs = _hidden_limbs(keypoints, i, (h, w), seen)
        if limbs is not None:
            arms_i = arms_i | limbs[crop]
        below_cuff = arms_i & (yy + y0 > cuff_y + GROW_SW * sw)
        # within that margin below the cuff, only the sleeve's own end spreads over the arm, not the torso's side
        # beside it (grown sideways from its rows below the cuff into a thinner bare arm, a garment-coloured blob
        # hung off the side seam and left a sliver of skin the repaint made wall: IDM 00035 in a black tee)
        src_y = by[np.clip(labels - 1, 0, len(by) - 1)] + y0
        below_cuff |= arms_i & (yy + y0 > cuff_y) & (src_y > cuff_y)
        grow &= ~below_cuff
        # where the old clothes end along the band on the arm's bare skin (an old sleeve's hem above a longer new
        # sleeve), the sideways band ends in a slope, not a step: its width at most BAND_TAPER x the rows to that skin
        bare = arms_np[i][crop] & ~old_c & ~cov
        if bare.any():
            grow &= ~(sideways & (d_cov > BAND_TAPER * _rows_to(bare)))
        grow = _smooth_band(cov, grow, ~below_cuff & (old_c | ((cc[crop] & _BACKGROUND) > 0)), GROW_SMOOTH_SW * sw)
        if not grow.any():
            continue
        seed = cv2.erode((a[crop] > 0.99).astype(np.uint8), np.ones((13, 13), np.uint8)) > 0  # off its rim
        if seed.sum() < 16:
            continue
        # smooth (a copied edge pixel streaks across the band), from the garment's main colour near the band: a
        # stripe along a sleeve's edge (three white stripes on red) made a pale blurred band of their average
        tex = push_pull(g_c, _main_colour(g_c, seed, grow, reach))
        # the garment's own texture mirrored across its outline where the mirror point lies on it (a knit or a
        # print continues; the smooth fill only where the mirror falls off the garment)
        gy_, gx_ = np.nonzero(grow)
        k = np.clip(labels[gy_, gx_] - 1, 0, len(by) - 1)
        my = np.clip(2 * by[k] - gy_ + np.sign(by[k] - gy_) * 6, 0, broad.shape[0] - 1)
        mx = np.clip(2 * bx[k] - gx_ + np.sign(bx[k] - gx_) * 6, 0, broad.shape[1] - 1)
        source = g_c[my, mx]
        # not a stripe, a collar or a print's feature mirrored out of a plain garment: only colours near the smooth
        # fill, or within the garment's own spread there (an all-over print continues; its flat mean was a band)
        # (at 1/FILL_SCALE: a smooth average)
        # (the spread from the seeds' mean at the band's scale, as the smooth fill it is compared with: from `tex`,
        # smoothed at 1/PUSH_PULL_SCALE only, a two-tone print's spread was its few edge pixels', and most of the
        # band took the flat fill, a smeared grey band beside the sleeve: VITON-HD 02783 on 00891)
        small_hw = (-(-g_c.shape[1] // FILL_SCALE), -(-g_c.shape[0] // FILL_SCALE))
        sigma = max(1.0, reach / FILL_SCALE)
        den = cv2.GaussianBlur(
            cv2.resize(seed.astype(np.float32), small_hw, interpolation=cv2.INTER_AREA), (0, 0), sigma
        )
        seeded = cv2.resize(g_c * per_channel(seed.astype(np.float32)), small_hw, interpolation=cv2.INTER_AREA)
        mean = cv2.GaussianBlur(seeded, (0, 0), sigma) / np.maximum(den, 1e-3)[..., None]
        mean = cv2.resize(mean, (g_c.shape[1], g_c.shape[0]), interpolation=cv2.INTER_LINEAR)
        off = np.abs(g_c - mean)
        spread = (off[..., 0] + off[..., 1] + off[..., 2]) * seed  # (the channels' sum in NumPy's order, 2x as fast)
        num = cv2.GaussianBlur(cv2.resize(spread, small_hw, interpolation=cv2.INTER_AREA), (0, 0), sigma)
        spread_small = num / np.maximum(den, 1e-3)
        local = spread_small[my // FILL_SCALE, mx // FILL_SCALE]
        limit = np.maximum(MIRROR_COLOUR, MIRROR_SPREAD * local)
        use = seed[my, mx] & (channel_sum(np.abs(source - tex[gy_, gx_])) < limit)
        tex[gy_[use], gx_[use]] = source[use]
        # the garment's own rim next to the band too (the photo's background blends into it: a light line)
        rim = cov & ~seed & (cv2.dilate(grow.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0)
        # where its colour is not that line (within the limit the mirror uses: a print's own two tones) it stays
        # (replaced by the smooth fill, a print's rim was a flat grey strip along the band's inner edge)
        ry_, rx_ = np.nonzero(rim)
        own = g_c[ry_, rx_]
        rim_limit = np.maximum(MIRROR_COLOUR, MIRROR_SPREAD * spread_small[ry_ // FILL_SCALE, rx_ // FILL_SCALE])
        stays = channel_sum(np.abs(own - tex[ry_, rx_])) < rim_limit
        tex[ry_[stays], rx_[stays]] = own[stays]
        # and the pin-holes left between the two (the warped mask's jagged edge, half-covered pixels)
        closed = cv2.morphologyEx((cov | grow).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)) > 0
        grow |= closed & ~cov
        g_c[grow | rim] = tex[grow | rim]
        g_out[i, :, y0:y1, x0:x1] = torch.from_numpy(g_c).permute(2, 0, 1)
        a[crop][grow | rim] = 1.0

    def back(t: Tensor) -> Tensor:
        return t.to(device=alpha.device, dtype=alpha.dtype)

    return _Fitted(back(g_out).to(garment.dtype), back(torch.from_numpy(a_all).unsqueeze(1)))


#: `_hidden_limbs`: an arm bone whose drawn limb the parse map's arms cover at least this share of is seen, not
#: hidden under an old sleeve (a bare arm hanging beside a dress covers ~0.5-0.7 of its limb; under a long old sleeve
#: the parse map has old clothes there, ~0)
LIMB_SEEN = 0.3


def _hidden_limbs(
    keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int], arms: np.ndarray
) -> np.ndarray | None:
    """(H, W) bool: the pose's arm bones drawn as limbs (`_body_prior` at 1/`FILL_SCALE`), but those the parse map's
    `arms` (H, W) bool show (`LIMB_SEEN`): a seen arm's own pixels say where it is, and its limb drawn around the
    bone also covered the old clothes beside it, which `_fit_to_body` then did not grow over (Dress Code 020718
    with 020720 from two photos: a pale repainted strip between the bare arm and the new dress); None without a
    pose."""
    h, w = size_hw
    small_arms = arms[::FILL_SCALE, ::FILL_SCALE]  # (the limbs' grid: the shares need no more)
    hidden = None
    for bone in _ARM_BONES:
        limb = _body_prior(keypoints, i, size_hw, FILL_SCALE, (bone,), torso=False)
        if limb is None:
            return None
        limb = limb[: small_arms.shape[0], : small_arms.shape[1]] > 0
        hidden = np.zeros(limb.shape, np.uint8) if hidden is None else hidden
        if limb.any() and (small_arms & limb).sum() < LIMB_SEEN * limb.sum():
            hidden[limb] = 1
    if hidden is None:
        return None
    return cv2.resize(hidden, (hidden.shape[1] * FILL_SCALE, hidden.shape[0] * FILL_SCALE))[:h, :w] > 0


def _smooth_band(cov: np.ndarray, grow: np.ndarray, allowed: np.ndarray, sigma: float) -> np.ndarray:
    """(H, W) bool the `grow` band beside the garment `cov` (H, W) bool with a smooth outer outline: the band's
    outline is the parse map's (an estimated one is ragged: teeth and notches, and the garment grown into them
    showed as jagged bits at a sleeve's end and beside a forearm). The union blurred by `sigma` px (Gaussian) and
    thresholded at half loses teeth and fills notches narrower than about `sigma`; fills only onto `allowed`
    (H, W) bool pixels (old clothes or background, not what the band keeps off) within `sigma` of the band."""
    if sigma < 1.0 or not grow.any():
        return grow
    r = max(1, round(sigma))
    near = cv2.dilate(grow.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
    smooth = cv2.GaussianBlur((cov | grow).astype(np.float32), (0, 0), sigma) > 0.5
    return smooth & ~cov & (grow | ((near > 0) & allowed))


def _rows_to(mask: np.ndarray) -> np.ndarray:
    """(H, W) float32: per pixel, the rows to the nearest True pixel of `mask` (H, W) bool in its column (up or down;
    H where the column has none)."""
    h = mask.shape[0]
    rows = np.arange(h, dtype=np.int32)[:, None]  # (int32: the running extremes take half the time of int64's)
    above = np.maximum.accumulate(np.where(mask, rows, np.int32(-2 * h)), axis=0)
    below = np.minimum.accumulate(np.where(mask, rows, np.int32(3 * h))[::-1], axis=0)[::-1]
    return np.minimum(np.minimum(rows - above, below - rows), h).astype(np.float32)


def _main_colour(img: np.ndarray, seed: np.ndarray, grow: np.ndarray, reach: float) -> np.ndarray:
    """(H, W) bool: the `seed` pixels within 3 `reach` of the `grow` band whose colour is within `MAIN_COLOUR` (sum
    of |RGB| differences) of their median there, when they are at least `MAIN_SHARE` of those seeds (one main
    colour); else `seed` as it is (a print, colour blocks)."""
    k = 2 * max(1, round(3 * reach)) + 1
    near = cv2.dilate(grow.astype(np.uint8), np.ones((k, k), np.uint8)) > 0
    near &= seed
    if near.sum() < 16:
        return seed
    median = np.median(img[near][::5], axis=0).astype(np.float32)
    off = cv2.transform(cv2.absdiff(img, np.full_like(img, median)), np.ones((1, 3), np.float32))
    main = seed & (off < MAIN_COLOUR)
    return main if (main & near).sum() >= MAIN_SHARE * near.sum() else seed


def _neck_columns(keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int]) -> tuple[float, float]:
    """(left, right) image columns of the neck opening of batch item `i`: between its collar_right and collar_left
    targets; the whole width without collar targets (no shoulder-top growth)."""
    if keypoints is None or not {"collar_left", "collar_right"} <= set(keypoints.names):
        return -np.inf, np.inf
    pts = keypoints.person_px[i if keypoints.person_px.shape[0] > 1 else 0].detach().cpu().double().numpy()
    cl, cr = pts[keypoints.names.index("collar_left")], pts[keypoints.names.index("collar_right")]
    if cl[2] <= 0 or cr[2] <= 0:
        return -np.inf, np.inf
    xs = sorted((cl[0], cr[0]))
    scale = size_hw[1] / keypoints.person_hw[1]
    return xs[0] * scale, xs[1] * scale


#: `_fit_to_body` grows no garment into its own neck opening when it is this many shoulder widths deep or more: a
#: tank's scoop (Dress Code 020715, 0.57), not a crew neck (VITON-HD 00013, 0.1: its growth closes slits by the neck).
DEEP_OPENING_SW = 0.3


def _neck_opening(cov: np.ndarray, centre_x: float) -> np.ndarray:
    """(h, w) bool: per row above the garment's first pixel in column `centre_x` (the neck's middle), the run of
    pixels not in `cov` (h, w) bool that holds that column and has the garment on both sides: the garment's own
    neck opening (not the rows under its hem, between two sleeves; nothing where `centre_x` is not finite or off
    the crop)."""
    h, w = cov.shape
    out = np.zeros((h, w), bool)
    if not np.isfinite(centre_x) or not 0 <= int(centre_x) < w:
        return out
    c = int(centre_x)
    cols = np.arange(w)[None, :]
    left = np.where(cov[:, :c], cols[:, :c], -1).max(axis=1)  # per row, the garment's last column left of it
    right = np.where(cov[:, c:], cols[:, c:], w).min(axis=1)  # ... and first column from it on
    above = np.arange(h) < (int(np.argmax(cov[:, c])) if cov[:, c].any() else 0)
    rows = above & (left >= 0) & (right < w)
    out[rows] = (cols > left[rows, None]) & (cols < right[rows, None])
    return out


def _past_the_arms(arms: np.ndarray, centre_x: float, from_y: float) -> np.ndarray:
    """(H, W) bool: pixels at or below row `from_y`, not in `arms` (H, W) bool, with an `arms` pixel between them
    and column `centre_x` (the body's centre line) on their row: farther out than an arm."""
    h, w = arms.shape
    cx = int(np.clip(round(centre_x), 0, w))
    out = np.zeros_like(arms)
    out[:, :cx] = np.cumsum(arms[:, :cx][:, ::-1], axis=1)[:, ::-1] > 0
    out[:, cx:] = np.cumsum(arms[:, cx:], axis=1) > 0
    out[: int(np.clip(np.ceil(from_y), 0, h))] = False
    return out & ~arms


def _opening(mask: np.ndarray, radius: float) -> np.ndarray:
    """(H, W) bool: `mask` opened with a disk of `radius` pixels (parts thinner than 2 `radius` go: straps),
    computed at 1/`FILL_SCALE` of the resolution."""
    h, w = mask.shape
    hs, ws = -(-h // FILL_SCALE), -(-w // FILL_SCALE)
    small = cv2.resize(mask.astype(np.float32), (ws, hs), interpolation=cv2.INTER_AREA) > 0.5
    k = 2 * max(1, round(radius / FILL_SCALE)) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    opened = cv2.morphologyEx(small.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    return (cv2.resize(opened, (w, h), interpolation=cv2.INTER_NEAREST) > 0) & mask


def _sleeve_end_y(keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int]) -> float:
    """Image row of the lowest present sleeve-end target of batch item `i` (-inf without one: a sleeveless garment
    or pairs without sleeves)."""
    if keypoints is None:
        return -np.inf
    return _lowest_target_y(keypoints, i, size_hw, [n for n in keypoints.names if n.startswith("sleeve_")])


def _sleeve_end_rows(keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int]) -> np.ndarray:
    """(W,) float64 image row of the sleeve end on each column's side of batch item `i`: the wearer's right sleeve's
    lowest present target left of the middle between the two sleeves' targets, the left sleeve's right of it (with
    tilted shoulders one sleeve ends well above the other: the lowest of both kept the higher sleeve's arm under the
    garment's side below it, OOTD 09597 with a T-shirt showed a sleeve cut straight down along the arm);
    `_sleeve_end_y` on both sides where a sleeve has no target (-inf without any)."""
    w = size_hw[1]
    both = _sleeve_end_y(keypoints, i, size_hw)
    rows = np.full(w, both)
    if keypoints is None or not np.isfinite(both):
        return rows
    pts = keypoints.person_px[i if keypoints.person_px.shape[0] > 1 else 0].detach().cpu().double().numpy()
    sx = w / keypoints.person_hw[1]
    sides = []
    for side in ("right", "left"):
        names = [n for n in keypoints.names if n.startswith(f"sleeve_{side}_")]
        xs = [pts[keypoints.names.index(n), 0] * sx for n in names if pts[keypoints.names.index(n), 2] > 0]
        sides.append((float(np.mean(xs)) if xs else np.nan, _lowest_target_y(keypoints, i, size_hw, names)))
    (x_r, y_r), (x_l, y_l) = sides
    if not (np.isfinite(x_r) and np.isfinite(x_l) and np.isfinite(y_r) and np.isfinite(y_l)):
        return rows
    middle = 0.5 * (x_r + x_l)
    cols = np.arange(w) + 0.5
    return np.where((cols < middle) == (x_r < x_l), y_r, y_l)


def _lowest_target_y(keypoints: KeypointPairs, i: int, size_hw: tuple[int, int], names: Sequence[str]) -> float:
    """Image row (in an image of `size_hw`) of the lowest present person target among `names` of batch item `i`;
    -inf without one."""
    present = [keypoints.names.index(n) for n in names if n in keypoints.names]
    if not present:
        return -np.inf
    pts = keypoints.person_px[i if keypoints.person_px.shape[0] > 1 else 0].detach().cpu().double().numpy()
    ys = [pts[k, 1] for k in present if pts[k, 2] > 0]
    return float(max(ys)) * size_hw[0] / keypoints.person_hw[0] if ys else -np.inf


def _joints_px(pose: Pose, i: int, size_hw: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(xy (J, 2) float64 pixels in an image of `size_hw`, ok (J,) bool joint found) of batch item `i` of `pose`."""
    joints = pose.joints[i if pose.joints.shape[0] > 1 else 0].detach().cpu().double().numpy()
    xy = joints[:, :2] * np.array([size_hw[1] / pose.canvas_hw[1], size_hw[0] / pose.canvas_hw[0]])
    return xy, joints[:, 2] > 0


def _shoulder_scale(keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int]) -> tuple[float, float]:
    """(shoulder width px, lower edge of the shoulder zone px) of batch item `i` in an image of `size_hw`: from the
    pose's shoulders, the zone reaching `SHOULDER_ZONE_SW` shoulder widths under the lower shoulder joint (the
    shoulder caps, not the gap between a hanging arm and the torso); `FALLBACK_SW` of the height and a third of it
    without a pose."""
    h, w = size_hw
    fallback = (FALLBACK_SW * h, h / 3.0)
    if keypoints is None or keypoints.pose is None:
        return fallback
    xy, ok = _joints_px(keypoints.pose, i, size_hw)
    if not (ok[2] and ok[5]):
        return fallback
    rs, ls = xy[2], xy[5]
    sw = max(float(np.linalg.norm(ls - rs)), 1.0)
    return sw, float(max(rs[1], ls[1])) + SHOULDER_ZONE_SW * sw


_HAT_HAIR = (1, 2)


def _codes(labels: Tensor, table: CompositeLabels) -> Tensor:
    """(B, H, W) labels -> uint8 bit codes (front, arm, old clothes, skin, background, body, face) with one table
    lookup; body (the fill's body seeds) = skin, lower, arms and front labels but hat, hair (hair over a shoulder
    says little of what is under freed clothes next to it) and the replaced clothes."""
    lut = torch.zeros(256, dtype=torch.uint8, device=labels.device)
    body = set(table.skin + table.lower + table.arms + table.front) - set(_HAT_HAIR) - set(table.old)
    for values, bit in (
        (table.front, _FRONT),
        (table.arms, _ARM),
        (table.old, _OLD),
        (table.skin, _SKIN),
        ((0,), _BACKGROUND),
        (tuple(sorted(body)), _BODY),
        ((13,), _FACE),
        (_HAT_HAIR, _HAIR),
    ):
        if values:
            lut[list(values)] |= bit
    return take(lut, labels.clamp(0, 255))


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
    """One batch item's crop (`shading_box`) as `_repaint`'s steps read it."""

    img: np.ndarray  # (H, W, 3) float32 [0, 1] the person
    codes: np.ndarray  # (H, W) uint8 bit codes (`_codes`)
    old: np.ndarray  # (H, W) bool the old clothes
    covered: np.ndarray  # (H, W) bool under the new garment (alpha > 0.5)
    origin: tuple[int, int]  # (y0, x0) of the crop in the image


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


def _repaint(
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
) -> _Repaint:
    """Repaint freed old clothes (module docstring, steps 3-4), per batch item on the CPU with OpenCV, inside the
    box of the old clothes grown by 8 % of the height (everything farther is untouched: gain 1, no paint): which
    pixels (`_freed_clothes`), from which seeds (`_fill_seeds`, `_far_residue`), skin or background
    (`_fill_weight`), the fill (`_fill`), and the old clothes' colours the parse map missed (`_near_residue`);
    `legs` (B, H, W) bool, the parse map's legs: no light is read between them (`_between_legs`); `objects`: an
    object held against the old clothes stays (`_far_residue`)."""
    b, _, h, w = person.shape
    unit = h / 1024.0  # lengths are given at 1024 rows
    img_all = person.detach().float().permute(0, 2, 3, 1).cpu().numpy()
    new_all = garment.detach().float().permute(0, 2, 3, 1).cpu().numpy()
    codes_np = codes.cpu().numpy()
    legs_np = legs.cpu().numpy()
    covered_all = (alpha.detach() > 0.5)[:, 0].cpu().numpy()
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
        old_full = (codes_np[i] & _OLD) > 0
        if not old_full.any():
            continue
        box = shading_box(old_full)
        # (the crop copied contiguous once: `img_all` is a channels-last view of the person, and each OpenCV call and
        # strided NumPy pass over the crop paid for that again)
        crop = np.ascontiguousarray(img_all[i][box])
        c = _Crop(crop, codes_np[i][box], old_full[box], covered_all[i][box], (box[0].start, box[1].start))
        if shading:
            light = c.old & ~_between_legs(legs_np[i][box])
            light = light if light.sum() >= 64 else c.old  # (nothing else to read from)
            gain[i][box] = clothes_shading(c.img, light, unit)
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
        far = _far_residue(c.img, c.codes, c.old, c.covered, seeds.background, unit, objects=objects)
        if far.any():
            freed = freed | far
            seeds = _Seeds(
                seeds.background & (cv2.dilate(far.astype(np.uint8), kernels.fringe) == 0), seeds.skin, seeds.near
            )
        widths = _arm_widths(codes_np[i], keypoints, i)
        legs_fit = _leg_segments(legs_np[i], keypoints, i) if any(b in _LEG_BONES for b in bones) else None
        wc = _fill_weight(c, seeds, freed, far, keypoints, bones, i, unit, (h, w), widths, legs_fit)
        torso = _torso_light(keypoints, i, (h, w), c.origin, c.old.shape, widths)
        arms = _arm_light(keypoints, i, (h, w), c.origin, c.old.shape, widths)
        leg_fill = _leg_fill(legs_fit, legs_np[i][box], c.origin, c.old.shape, unit) if legs_fit else None
        fc = _fill(c, seeds, wc, gain[i][box], skin_np[i], unit, i, torso, arms, leg_fill)
        freed = freed | _near_residue(c, fr, freed, seeds.near, fc, keypoints, i, unit, (h, w), kernels)
        freed = freed | _under_soft_edge(c, new_all[i][box], feather_px, fr.lower_front)
        blend = _blend_into_skin(c, freed, wc, fc, _feather_outwards(freed.astype(np.float32), feather_px), unit)
        fill[i][box] = blend.fill
        paint[i][box] = blend.paint
        weight[i][box] = wc

    def back(array: np.ndarray) -> Tensor:
        t = torch.from_numpy(array)
        t = t.permute(0, 3, 1, 2).contiguous() if t.ndim == 4 else t.unsqueeze(1)  # (as in `_fit_to_body`)
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
    skin = ((c.codes & _SKIN) > 0) & ((c.codes & _FACE) == 0) & ~c.covered & (wc < 0.5) & ~freed
    if not skin.any():
        return _Blend(fill, paint)
    d = cv2.distanceTransform((~freed).astype(np.uint8), cv2.DIST_L2, 3)
    ramp = (np.clip(1.0 - d / (SKIN_BLEND_PX * unit), 0.0, 1.0) * skin).astype(np.float32)
    if not ramp.any():
        return _Blend(fill, paint)
    sigma = max(1.0, 0.5 * SKIN_BLEND_PX * unit)
    # (the real skin's own low frequencies from skin pixels only: not the old sleeve's colour across the border)
    # (blurred at the ramp's pixels only, `blur_at`: the same values, a third of the crop's blurs)
    real = skin.astype(np.float32)
    ys, xs = np.nonzero(ramp > 0)
    own = blur_at(c.img * per_channel(real), sigma, ys, xs) / np.maximum(blur_at(real, sigma, ys, xs), 1e-3)[..., None]
    shift = blur_at(fill, sigma, ys, xs) - own
    fill = fill.astype(np.float32)  # (a copy)
    fill[ys, xs] = np.clip(c.img[ys, xs] + shift, 0, 1)
    return _Blend(fill, np.maximum(paint, ramp))


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
    if front.any():
        rim &= cv2.distanceTransform((~front).astype(np.uint8), cv2.DIST_L2, 3) > 2.0 * r
    rim[rim] = channel_sum(np.abs(c.img[rim] - garment[rim])) > RIM_COLOUR
    return rim


def _freed_clothes(c: _Crop, kernels: _Kernels, unit: float) -> _Freed:
    """The old clothes the new garment leaves free, grown by `FRINGE_PX` into the background and skin (hair, face
    and the lower body keep their own edges), with the specks of the lower body along them (`_specks`: the parse
    map's noise at a sleeve's edge over a skirt, which left flecks of the old sleeve)."""
    cc = c.codes
    soft_side = ((cc & (_BACKGROUND | _SKIN)) > 0) & ((cc & (_FRONT | _FACE)) == 0) | ((cc & _ARM) > 0)
    old = c.old.astype(np.uint8)
    freed = (cv2.dilate(old, kernels.fringe) > 0) & (c.old | soft_side) & ~c.covered
    lower_front = ((cc & _FRONT) > 0) & ((cc & (_FACE | _HAIR)) == 0) & ~c.covered
    if freed.any():
        freed |= _specks(lower_front, freed, unit)
    return _Freed(freed, soft_side, lower_front)


def _fill_seeds(c: _Crop, skin_colour: np.ndarray, kernels: _Kernels) -> _Seeds:
    """Background and skin pixels (of the person's tone, `_skin_like`) off their borders (`FRINGE_PX`) and off the
    old clothes' reach (`RESIDUE_PX`, where residue hides): what the fill continues."""
    cc = c.codes
    near = cv2.dilate(c.old.astype(np.uint8), kernels.reach) > 0
    bg_seed = (cv2.erode(((cc & _BACKGROUND) > 0).astype(np.uint8), kernels.fringe) > 0) & ~near
    skin_seed = (cv2.erode(((cc & _SKIN) > 0).astype(np.uint8), kernels.fringe) > 0) & ~near
    skin_seed[skin_seed] = _skin_like(c.img[skin_seed], skin_colour)
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
) -> np.ndarray:
    """(H, W) float [0, 1] background share of the fill: `_background_weight` (arms of `widths`, `_arm_widths`;
    below the hips the `legs`, `_leg_segments`),
    no slivers of skin (`_no_slivers`), gaps or pockets of background (`_no_gaps`, `_no_pockets`), and background
    over the `far` residue (outside what the parse map calls the body or its clothes) and outwards from it."""
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
    )
    body = ((c.codes & _SKIN) > 0) & ~c.covered
    if legs is not None:  # (the legs below the hips are a body part: the corners where they meet a hem are no sliver)
        body |= _draw_legs(legs, c.origin, c.old.shape, 1) > 0
    wc = _no_slivers(wc, freed, body, c.covered, unit)
    wc = _no_pockets(_no_gaps(wc, freed, c.covered, unit), freed, c.codes, c.covered, unit)
    if far.any():
        # (last: no gap rule makes them skin, in dots along an arm; grown outwards, under the paint's feather, not
        # into the old clothes, where the arm's outline is the body's: a grown bit of it bit into the arm)
        wc = np.maximum(wc, _soft_grown(far, unit) * ~c.old)
    return wc


def _no_pockets(
    weight: np.ndarray, freed: np.ndarray, codes: np.ndarray, covered: np.ndarray, unit: float
) -> np.ndarray:
    """`weight` (H, W) float [0, 1] (the fill's background share) lowered to skin over the parts of the repainted
    background (`freed` (H, W) bool pixels over 0.5) that touch no background pixel of the photo (`codes`, not
    `covered` (H, W) bool by the new garment): a pocket closed in by hair, the neck and the new garment (an old
    high collar under the hair) cannot show the wall; it is the body under the old clothes."""
    pocket = ((weight > 0.5) & freed).astype(np.uint8)
    if not pocket.any():
        return weight
    count, parts = cv2.connectedComponents(pocket, connectivity=8)
    wall = cv2.dilate((((codes & _BACKGROUND) > 0) & ~covered).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    open_air = np.zeros(count, bool)
    open_air[parts[wall & (pocket > 0)]] = True
    open_air[0] = True
    closed = ~open_air[parts]
    if not closed.any():
        return weight
    soft = blur_in_box(closed, max(0.5, unit))
    return (weight * (1.0 - np.maximum(soft, closed))).astype(np.float32)


def _no_gaps(weight: np.ndarray, freed: np.ndarray, covered: np.ndarray, unit: float) -> np.ndarray:
    """`weight` (H, W) float [0, 1] (the fill's background share) lowered to skin where the repainted background
    (`freed` (H, W) bool pixels over 0.5) is a gap narrower than 2 `GAP_PX` (at 1024 rows) between the skin and the
    new garment (`covered` (H, W) bool) or the skin on both sides: under a freed shirt between a sleeve and the
    body is the body's side, not a strip of white wall."""
    body = (weight < 0.5) | covered
    r = max(1, round(GAP_PX * unit))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    gap = (cv2.morphologyEx(body.astype(np.uint8), cv2.MORPH_CLOSE, kernel) > 0) & ~body & freed
    if not gap.any():
        return weight
    # strips along the body only, with a smooth outline: not a corner between a sleeve's hem and the arm (a flag of
    # skin on the wall), nor the ragged bits of the parse map's outline
    count, parts, stats, _ = cv2.connectedComponentsWithStats(gap.astype(np.uint8), connectivity=8)
    big = stats[:, cv2.CC_STAT_AREA] >= (GAP_AREA * GAP_PX * unit) ** 2
    big[0] = False
    gap = blur_in_box(big[parts], max(0.7, 2 * unit)) > 0.5  # (the strips are a small part of the crop)
    if not gap.any():
        return weight
    soft = blur_in_box(gap, max(0.5, unit))
    return (weight * (1.0 - np.maximum(soft, gap))).astype(np.float32)


def _fill(
    c: _Crop,
    seeds: _Seeds,
    wc: np.ndarray,
    gain: np.ndarray,
    skin_colour: np.ndarray,
    unit: float,
    i: int,
    torso: np.ndarray | None = None,
    arms: np.ndarray | None = None,
    legs: _LegFill | None = None,
) -> np.ndarray:
    """(H, W, 3) float [0, 1]: what lies under the old clothes: the background continued from its seeds
    (`push_pull`), skin from the skin next to it nearby (`SKIN_LOCAL_PX`) and the body's skin tone farther
    (`_body_tone` times the light and folds `gain`: no smear of a shadow), a limb's round shading
    (`limb_shading`, and the darker of it and the arms' own across their width, `arms`, `_arm_light`) and on the
    torso the chest's and collarbones' (`torso`, `_torso_light`; their median over the repainted skin 1: the tone
    is the visible skin's median, shading and all), all of it on the body's tone, not on the real skin continued
    nearby (it shows its own light and roundness), shading the skin as the person's own skin shades
    (`shade_skin`, `skin_slopes`: redder in the shadows), both with the grain of the real skin and
    background nearby (`_grain`: a smooth fill looks like plastic), mixed by the background
    share `wc`. `i` seeds the grain's noise. Over the `legs` repainted below the hips (`_leg_fill`) no light and
    folds of the old clothes (a dress hangs off the legs: its folds and a satin's sheen made blotches on them), the
    legs' own round shading, and the tone of the visible legs where enough of them show (`_body_tone`)."""
    ci, cc = c.img, c.codes
    bg_seed, skin_seed = seeds.background, seeds.skin
    bg_fill = push_pull(ci, bg_seed) if bg_seed.any() else np.broadcast_to(ci.mean((0, 1)), ci.shape)
    limb = limb_shading(wc < 0.5, unit)
    if arms is not None:
        limb = np.minimum(limb, arms)
    tone = _body_tone(c, seeds, skin_colour, unit)
    visible = None
    if legs is not None:
        gain = gain + (1.0 - gain) * legs.zone
        limb = np.minimum(limb, legs.light)
        visible = _visible_leg_skin(ci, legs.visible & ((cc & _FACE) == 0), skin_colour, unit)
        if visible.sum() >= LEG_TONE_MIN_PX * unit * unit:
            leg_seeds = _Seeds(seeds.background, visible, seeds.near)
            tone = tone + (_body_tone(c, leg_seeds, skin_colour, unit, visible) - tone) * legs.zone[..., None]
    if torso is not None:
        limb = limb * torso
    # the body's tone is the visible skin's median, its own roundness included: the round shading spreads the
    # repaint around that tone, not below it (it left freed arms ~10 % darker than the person's forearms)
    painted = c.old & ~c.covered & (wc < 0.5)
    if painted.any():
        limb = limb / max(float(np.median(limb[painted])), 1e-3)
    # the light and folds and the round shading darken the skin colour, not the real skin next to it (which shows
    # its own light and roundness); skin darkens redder, as the person's own does (`skin_slopes`)
    slopes = skin_slopes(ci, skin_seed, unit)
    skin_fill = shade_skin(tone, gain * limb, slopes)
    if skin_seed.any():
        d_seed = cv2.distanceTransform((~skin_seed).astype(np.uint8), cv2.DIST_L2, 3)
        # (the seeds keep `RESIDUE_PX` + `FRINGE_PX` off the old clothes: the skin next to them holds across that gap,
        # no seam where a repainted upper arm meets the real forearm)
        gap = (RESIDUE_PX + FRINGE_PX) * unit
        near_seed = per_channel(np.exp(-np.maximum(d_seed - gap, 0.0) / (SKIN_LOCAL_PX * unit)))
        skin_fill = skin_fill + (push_pull(ci, skin_seed) - skin_fill) * near_seed
    bands = _grain_bands(ci, unit, np.random.default_rng(i))
    skin_grain = _grain(bands, skin_seed & ((cc & _FACE) == 0), unit)
    if visible is not None and legs is not None:
        # the legs' own grain (smoother than the hands' and arms': Dress Code 020714's repainted thighs looked
        # gritty), where enough of them show (`_grain` is ones otherwise: the other skin's then)
        if _grain_support(bands, visible, unit) is not None:
            skin_grain = skin_grain + (_grain(bands, visible, unit) - skin_grain) * legs.zone
    skin_fill = shade_skin(skin_fill, skin_grain, slopes)
    bg_fill = bg_fill * per_channel(_grain(bands, bg_seed, unit))
    return np.clip(skin_fill + (bg_fill - skin_fill) * per_channel(wc), 0, 1)


def _visible_leg_skin(img: np.ndarray, legs: np.ndarray, skin_colour: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) bool the bare skin of the parse map's visible `legs` (H, W) bool in `img` (H, W, 3): off their outline
    (`FRINGE_PX`), but also next to the old clothes (often only the ankles show under a long dress, all of them near
    its hem), `_skin_like` the legs' own median colour when that is within `LEG_CHROMA` of `skin_colour`'s
    chromaticity (the face's: a made-up or tanned face is oranger than the legs, whose lit half it turned down),
    else like `skin_colour` (tights, socks: their colour is no skin's)."""
    fringe = max(1, round(FRINGE_PX * unit))
    out = cv2.erode(legs.astype(np.uint8), np.ones((2 * fringe + 1,) * 2, np.uint8)) > 0
    if not out.any():
        return out
    px = img[out]
    own = np.median(px, axis=0)
    chroma = np.abs(own / (own.sum() + 1e-3) - skin_colour / (skin_colour.sum() + 1e-3)).max()
    out[out] = _skin_like(px, own if chroma < LEG_CHROMA else skin_colour)
    return out


def _body_tone(
    c: _Crop, seeds: _Seeds, skin_colour: np.ndarray, unit: float, within: np.ndarray | None = None
) -> np.ndarray:
    """(3,) the colour of repainted skin away from the real skin: the median colour of the visible skin but the
    face (neck, arms, hands: the face is lit most and may be made up; on the VITON-HD samples the arms measure
    0.89-1.05 of its luminance, median 0.95), of its pixels above the `BODY_SHADOW` quantile of luminance (not
    the shadowed fingers or the shade under the chin), at their median luminance, within `BODY_TONE` times
    `skin_colour`'s; `skin_colour` (of the face's tone) times `BODY_TONE_FACE` when fewer than `GRAIN_MIN_PX` (at
    1024 rows) such pixels show. The median of the visible skin includes its own shading: `_fill` keeps the
    repaint's round shading's median at 1, so the repaint's median is this tone too. `within` (H, W) bool: of those
    pixels only, at their own luminance, not within `BODY_TONE` (the visible legs, for the legs: the same body
    part; Dress Code 020720's legs and arms measure 1.26 times her face's luminance, made up darker)."""
    body = seeds.skin & ((c.codes & _FACE) == 0)
    if within is not None:
        body &= within
    luma = np.array(LUMA_WEIGHTS, np.float32)
    ref = float(skin_colour @ luma)
    if body.sum() < (GRAIN_MIN_PX if within is None else LEG_TONE_MIN_PX) * unit * unit or ref <= 1e-3:
        return skin_colour * BODY_TONE_FACE
    px = _every(c.img, body, 3)
    y = px @ luma
    lit = np.argsort(y)[int(BODY_SHADOW * len(y)) :]
    colour = np.median(px[lit], axis=0)
    if within is not None:  # (their lit part: the calves under a dress's hem lie in its shadow)
        target = float(np.median(y[lit]))
    else:
        target = float(np.clip(np.median(y) / ref, *BODY_TONE)) * ref
    return (colour * (target / max(float(colour @ luma), 1e-3))).astype(np.float32)


def _torso_light(
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin: tuple[int, int],
    crop_hw: tuple[int, ...],
    widths: dict[tuple[int, int], tuple[float, float]] | None = None,
) -> np.ndarray | None:
    """(h, w) float32 gain for repainted skin in a crop (`crop_hw`, at `origin` of the (H, W) = `size_hw` image) of
    batch item `i`: `torso_shading` (the chest's roundness, the collarbones) inside the pose's torso
    (`_torso_outline`) but its upper arms (`widths`, else `LIMB_WIDTHS`, round at the shoulder), softened over 0.04
    shoulder widths, 1 outside; None without the neck and both shoulders."""
    if keypoints is None or keypoints.pose is None:
        return None
    xy, ok = _joints_px(keypoints.pose, i, size_hw)
    if not (ok[1] and ok[2] and ok[5]):
        return None
    xy = xy - np.array([origin[1], origin[0]])
    sw = float(np.linalg.norm(xy[2] - xy[5]))
    outline = _torso_outline(xy, ok, sw)
    if outline is None:
        return None
    h, w = crop_hw[:2]
    g = BOX_GRID
    trunk = np.zeros((-(-h // g), -(-w // g)), np.uint8)
    cv2.fillPoly(trunk, [np.round((outline + 0.5) / g - 0.5).astype(np.int32)], 1)
    arms = np.zeros_like(trunk)  # the arms have their own roundness (`limb_shading`), not the chest's sides
    for a, b in ((2, 3), (5, 6)):
        if ok[a] and ok[b]:
            ra, rb = (0.5 * x * sw / g for x in (widths or LIMB_WIDTHS)[(a, b)])
            pa, pb = (xy[a] + 0.5) / g - 0.5, (xy[b] + 0.5) / g - 0.5
            cv2.fillPoly(arms, [np.round(_segment_quad(pa, pb, ra, rb)).astype(np.int32)], 1)
            cv2.circle(arms, tuple(np.round(pa).astype(int)), max(1, round(ra)), 1, -1)
    inside = (trunk & (1 - arms)).astype(np.float32)
    inside = cv2.resize(cv2.GaussianBlur(inside, (0, 0), 0.04 * sw / g), (w, h), interpolation=cv2.INTER_LINEAR)
    gain = torso_shading((h, w), xy[1], xy[2], xy[5])
    return (1.0 + (gain - 1.0) * inside).astype(np.float32)


def _arm_light(
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    origin: tuple[int, int],
    crop_hw: tuple[int, ...],
    widths: dict[tuple[int, int], tuple[float, float]],
) -> np.ndarray | None:
    """(h, w) float32 gain for repainted skin in a crop (`crop_hw`, at `origin` of the (H, W) = `size_hw` image) of
    batch item `i`: `arm_shading` of the pose's arm bones at `widths` (shoulder widths, `_arm_widths`), darker on
    the side facing the body (the neck's column, below it); None without both shoulders or any arm bone."""
    if keypoints is None or keypoints.pose is None:
        return None
    xy, ok = _joints_px(keypoints.pose, i, size_hw)
    if not (ok[2] and ok[5]):
        return None
    sw = float(np.linalg.norm(xy[2] - xy[5]))
    xy = xy - np.array([origin[1], origin[0]])
    segments = [
        (xy[a], xy[b], 0.5 * widths[(a, b)][0] * sw, 0.5 * widths[(a, b)][1] * sw)
        for a, b in _ARM_BONES
        if ok[a] and ok[b]
    ]
    body = 0.5 * (xy[2] + xy[5]) + np.array([0.0, sw])  # (a point on the body's axis, down the chest)
    return arm_shading(crop_hw[:2], segments, body) if segments and sw >= 8 else None


def _arm_widths(
    codes: np.ndarray, keypoints: KeypointPairs | None, i: int
) -> dict[tuple[int, int], tuple[float, float]]:
    """`LIMB_WIDTHS` with each arm bone's widths scaled (within `ARM_SCALE`) to the visible arm skin of batch item
    `i` (`codes` (H, W) uint8 of the whole image: arm, not old clothes) across the bone's middle `ARM_SPAN`: per
    slice (of `ARM_BINS`), its pixel count over its length, the median over the slices at least `ARM_FULL` of the
    prior's width; the prior where fewer than two slices are."""
    widths = dict(LIMB_WIDTHS)
    if keypoints is None or keypoints.pose is None:
        return widths
    xy, ok = _joints_px(keypoints.pose, i, codes.shape)
    if not (ok[2] and ok[5]):
        return widths
    sw = float(np.linalg.norm(xy[2] - xy[5]))
    ys, xs = np.nonzero(((codes & _ARM) > 0) & ((codes & _OLD) == 0))
    if sw < 8 or len(xs) == 0:
        return widths
    for a, b in _ARM_BONES:
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
    xy, ok = _joints_px(keypoints.pose, i, legs.shape)
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


def _upper_arms_under_sleeves(
    codes: np.ndarray, keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int], origin_yx: tuple[int, int]
) -> np.ndarray:
    """(H, W) bool of the crop `codes` (uint8, at `origin_yx` of an image of `size_hw`): each upper arm continued up to its
    shoulder joint under a freed sleeve as wide and as placed as the visible arm where it leaves the sleeve (its
    skin across the bone over the `ARM_TOP` of the bone's length below its topmost visible pixel, 5-95 %). The
    pose's shoulder joint sits on the inner side of the deltoid, so the limb drawn on the bone left the arm's outer
    side as a pale strip of wall beside the shoulder (VITON-HD 00891 under a camisole)."""
    out = np.zeros(codes.shape, np.uint8)
    if keypoints is None or keypoints.pose is None:
        return out > 0
    xy, ok = _joints_px(keypoints.pose, i, size_hw)
    xy = xy - np.array(origin_yx[::-1], np.float64)
    if not (ok[2] and ok[5]):
        return out > 0
    sw = float(np.linalg.norm(xy[2] - xy[5]))
    ys, xs = np.nonzero(((codes & _ARM) > 0) & ((codes & _OLD) == 0))
    for a, b in ((2, 3), (5, 6)):
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
        t0 = float(t[near].min())
        top = near & (t <= t0 + ARM_TOP)
        lo, hi = np.percentile(across[top], (5, 95))
        if hi - lo < ARM_FULL * LIMB_WIDTHS[(a, b)][0] * sw:
            continue  # the sleeve's edge crosses the arm slantwise: no full width to continue
        p0 = xy[a] + d * t0 * length
        quad = np.array([xy[a] + n * lo, xy[a] + n * hi, p0 + n * hi, p0 + n * lo])
        cv2.fillPoly(out, [np.round(quad).astype(np.int32)], 1)
        centre = xy[a] + n * 0.5 * (lo + hi)
        cv2.circle(out, tuple(np.round(centre).astype(int)), int(round(0.5 * (hi - lo))), 1, -1)  # round shoulder
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
    arms_prior = _body_prior(keypoints, i, size_hw, 1, _ARM_BONES, torso=False)
    if arms_prior is not None and front_own.sum() >= 64:
        loose = max(1, round(RESIDUE_PX * unit))  # a sleeve is looser than the arm
        box = (slice(c.origin[0], c.origin[0] + cc.shape[0]), slice(c.origin[1], c.origin[1] + cc.shape[1]))
        sleeves = cv2.dilate(arms_prior[box], np.ones((2 * loose + 1, 2 * loose + 1), np.uint8))
        # on its outline against the wall (in a top's colour, a pair of jeans is ambiguous), or anywhere when
        # far nearer the old clothes' colour than that part's (a white sleeve the jeans' label took)
        wall = cv2.dilate((((cc & _BACKGROUND) > 0) & ~c.covered).astype(np.uint8), kernels.reach) > 0
        lower_front &= sleeves > 0
    else:
        lower_front[:] = False
        wall = lower_front
    band = near & ~c.covered & ~freed & (fr.soft_side | lower_front)
    if not band.any():
        return np.zeros(band.shape, bool)
    old_colour = np.median(_every(ci, c.old, 7), axis=0)
    px, under = ci[band], fc[band]
    to_old = _off_blend(px, old_colour, under)
    residue = np.zeros(band.shape, np.uint8)
    ok = (to_old < RESIDUE_COLOUR) & (to_old < channel_sum(np.abs(px - under)))
    if lower_front.any():
        to_front = _off_blend(px, np.median(_every(ci, front_own, 7), axis=0), under)
        ok &= ~lower_front[band] | (to_old < np.where(wall[band], 1.0, RESIDUE_FRONT) * to_front)
    residue[band] = ok
    return band & (cv2.dilate(residue, np.ones((3, 3), np.uint8)) > 0)


def _far_residue(
    img: np.ndarray,
    codes: np.ndarray,
    old: np.ndarray,
    covered: np.ndarray,
    bg_seed: np.ndarray,
    unit: float,
    *,
    objects: bool = True,
) -> np.ndarray:
    """(H, W) bool: background-labelled pixels of `img` (H, W, 3) [0, 1] within `RESIDUE_FAR_PX` (at 1024 rows) of
    the old clothes `old` (H, W) bool, not `covered` by the new garment, that are old clothes the parse map missed
    (the outer strip of a sleeve, the top of a shoulder): their colour is off the background's (its fill from
    `bg_seed` pixels beyond that reach) by more than `RESIDUE_FAR_NOISE` times the background's own spread there (at
    least `RESIDUE_FAR_MIN`, sum of |RGB| differences) and within `RESIDUE_COLOUR` of the old clothes' median colour,
    and they join the old clothes through such pixels, but not those joined to pixels of such colours beyond that
    reach (off the wall's median colour there) when `objects`: an object of its own, such as a bag held against them."""
    none = np.zeros(old.shape, bool)
    reach = max(2, round(RESIDUE_FAR_PX * unit))
    d_old = cv2.distanceTransform((~old).astype(np.uint8), cv2.DIST_L2, 3)
    zone = d_old <= reach
    seed = bg_seed & ~zone
    candidates = zone & ((codes & _BACKGROUND) > 0) & ~old & ~covered
    if not candidates.any() or seed.sum() < GRAIN_MIN_PX * unit * unit:
        return none
    bg = push_pull(img, seed)
    # the background's own spread next to that reach (a ring as wide as it): its gradients, grain or texture
    ring = seed & (d_old <= 2 * reach)
    spread = (
        channel_sum(np.abs(_every(img, ring, 1) - _every(bg, ring, 1))) if ring.sum() >= 16 else np.zeros(1, np.float32)
    )
    limit = max(RESIDUE_FAR_MIN, RESIDUE_FAR_NOISE * float(np.percentile(spread, 90)))
    old_colour = np.median(_every(img, old, 7), axis=0)
    px = _every(img, candidates, 1)
    hit = np.zeros(old.shape, np.uint8)
    diff = np.zeros(old.shape, np.float32)
    diff[candidates] = channel_sum(np.abs(px - _every(bg, candidates, 1)))
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
    beyond = ~zone & ((codes & _BACKGROUND) > 0) & ~covered if objects and hit.any() and ring.sum() >= 16 else none
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


def _no_slivers(
    weight: np.ndarray, freed: np.ndarray, skin: np.ndarray, covered: np.ndarray, unit: float
) -> np.ndarray:
    """`weight` (H, W) float [0, 1] (the fill's background share) raised to background where the repainted skin (its
    `freed` (H, W) bool pixels under 0.5), with the visible `skin` (H, W) bool beside it, is thinner than 2
    `SLIVER_PX` (at 1024 rows) and within 2 `SLIVER_PX` of the background's share and of the new garment
    (`covered` (H, W) bool): a strip of skin between a new sleeve or side seam that covers the body and the
    background is no body part; a freed forearm narrowing to the wrist, far from the new garment, is (it left a
    block of wall between the repainted arm and the hand)."""
    painted_skin = freed & (weight < 0.5)
    if not painted_skin.any():
        return weight
    r = max(1, round(SLIVER_PX * unit))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    opened = cv2.morphologyEx((painted_skin | skin).astype(np.uint8), cv2.MORPH_OPEN, kernel) > 0
    sliver = painted_skin & ~opened
    if sliver.any():  # along the background (not a neck between collar points, enclosed by the garment)
        sliver &= cv2.distanceTransform((weight <= 0.5).astype(np.uint8), cv2.DIST_L2, 3) <= 2 * r
        sliver &= cv2.distanceTransform((~covered).astype(np.uint8), cv2.DIST_L2, 3) <= 2 * r
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
    noise: list[np.ndarray]  # (H, W) float32 per band: white noise's band, unit spread
    reach: int  # the widest band's support, pixels


def _grain_bands(img: np.ndarray, unit: float, rng: np.random.Generator) -> _GrainBands:
    """Bands (differences of Gaussians of `GRAIN_BANDS` sigmas, at 1024 rows) of the log-luminance of `img` (H, W, 3)
    [0, 1] and of white noise, for `_grain`."""
    h, w = img.shape[:2]
    log_l = np.log(img @ np.array(LUMA_WEIGHTS, np.float32) + 0.04)
    noise = rng.standard_normal((h, w), dtype=np.float32)
    real, noises = [], []
    real_lo, noise_lo = log_l, noise
    for sigma in (s * unit for s in GRAIN_BANDS):
        real_hi, noise_hi = real_lo, noise_lo
        real_lo = cv2.GaussianBlur(log_l, (0, 0), sigma)
        noise_lo = cv2.GaussianBlur(noise, (0, 0), sigma)
        real.append(real_hi - real_lo)
        band = noise_hi - noise_lo
        noises.append(band / max(float(band[::4, ::4].std()), 1e-6))
    return _GrainBands(real, noises, max(1, round(2 * GRAIN_BANDS[-1] * unit)))


def _grain_support(bands: _GrainBands, seed: np.ndarray, unit: float) -> np.ndarray | None:
    """(H, W) bool the `seed` (H, W) bool pixels whose widest band's support lies inside it, or None when fewer
    than `GRAIN_MIN_PX` (scaled to 1024 rows): too few to read a grain from."""
    r = bands.reach
    inner = cv2.erode(seed.astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8)) > 0
    return inner if inner.sum() >= GRAIN_MIN_PX * unit * unit else None


def _grain(bands: _GrainBands, seed: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) float32 gain ~ 1: noise with the fine texture of the image on `seed` (H, W) bool (real skin or
    background), for a smooth fill of it. Per band (`_grain_bands`), the noise's spread is the seed's (1.4826 x the
    median absolute deviation, over seed pixels whose band support lies inside the seed: not its edges, eyes or a
    print's outline). Ones when fewer than `GRAIN_MIN_PX` seed pixels (scaled to 1024 rows) remain."""
    inner = _grain_support(bands, seed, unit)
    if inner is None:
        return np.ones(seed.shape, np.float32)
    out = np.zeros(seed.shape, np.float32)
    for real, noise in zip(bands.real, bands.noise, strict=True):
        values = _every(real, inner, 3)
        spread = 1.4826 * float(np.median(np.abs(values - np.median(values))))
        out += noise * spread
    return np.exp(np.clip(out, -GRAIN_MAX, GRAIN_MAX)).astype(np.float32)


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
) -> np.ndarray:
    """(H, W) float [0, 1]: how much of the fill is background: nearer background pixels than body (any other label
    but the old clothes, plus the pose's `_body_prior`), or, with a pose, farther than `BODY_REACH` edges from the
    body, soft over
    `FILL_EDGE_PX`; at 1/`WEIGHT_SCALE`, lightly blurred. Under lower garments and dresses, below the hips the
    `legs` (`_leg_segments`) and the body labels are skin, the rest background, with a crisp edge (`SKIN_EDGE_PX`):
    legs repainted under a shorter garment continue the visible legs, not blobs grown from their seeds. For an upper garment with a pose, skin lies inside the body
    and inside the old clothes and body labels (but `outside` (H, W) bool, old clothes the parse map called
    background), each smoothed, with a crisp edge (`SKIN_EDGE_PX`, `SKIN_INSET_PX`).
    The pose's body under the new garment (`covered`) is no seed: a strip of freed clothes beside a sleeve that
    covers the arm is background, not a halo of skin. `codes`, `bg_seed` and `covered` are the crop at `origin_yx`
    of an image of `size_hw`."""
    h, w = codes.shape
    hs, ws = -(-h // WEIGHT_SCALE), -(-w // WEIGHT_SCALE)
    small = lambda m: cv2.resize(m.astype(np.float32), (ws, hs), interpolation=cv2.INTER_AREA)  # noqa: E731
    bg = small(bg_seed) > 0.75
    body = small((codes & _BODY) > 0) > 0.75
    # not the parse map's specks (a skirt's along a sleeve's edge: skin and wall in flecks), nor its pin-holes
    # (a top's specks over trousers)
    body = cv2.morphologyEx(body.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    body = cv2.morphologyEx(body, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) > 0
    edge = FILL_EDGE_PX * unit / WEIGHT_SCALE
    prior = _body_prior(keypoints, i, size_hw, WEIGHT_SCALE, bones, widths=widths)
    if prior is not None and any(bone in _LEG_BONES for bone in bones):
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
        if legs is not None:
            weight = _below_hips_legs(weight, body, legs, origin_yx, unit)
    elif prior is not None:
        # with a pose, the body's own shape decides: skin inside the limbs and the torso drawn from the joints (or
        # any body label), background outside, soft over `FILL_EDGE_PX`: a wide old sleeve gives way to the
        # background, and an arm under a freed sleeve is arm-wide
        ys, xs = origin_yx[0] // WEIGHT_SCALE, origin_yx[1] // WEIGHT_SCALE
        body |= prior[ys : ys + hs, xs : xs + ws] > 0
        body |= small(_upper_arms_under_sleeves(codes, keypoints, i, size_hw, origin_yx)) > 0.5
        d_out = cv2.distanceTransform((~body).astype(np.uint8), cv2.DIST_L2, 5)
        d_in = cv2.distanceTransform(body.astype(np.uint8), cv2.DIST_L2, 5)
        # the signed distance to the body's outline, upsampled (smooth: no steps of the coarse grid), then a
        # sharp change over `SKIN_EDGE_PX` at full resolution: an arm's outline against the wall is crisp (a
        # soft one over `FILL_EDGE_PX` looked like a pale ghost of an arm)
        # and inside the old clothes and the body's labels, smoothed and shrunk by `SKIN_INSET_PX` (where a pose's
        # limb reaches the old sleeve's outline, that ragged parse-map edge cut nicks of wall into the arm)
        region = (codes & (_OLD | _BODY)) > 0
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
        cv2.fillPoly(drawn, [np.round(_segment_quad(qa, qb, sa, sb)).astype(np.int32)], 1)
        for q, r in ((qa, sa), (qb, sb)):
            cv2.circle(drawn, tuple(np.round(q).astype(int)), max(1, round(r)), 1, -1)
    top = int(np.clip(np.ceil((legs.hips_y - origin_yx[0] + 0.5) / scale - 0.5), 0, h))
    drawn[:top] = 0
    return drawn


def _refine_mask(alpha: Tensor, painted: Tensor | None) -> Tensor:
    """(B, 1, H, W) [0, 1]: the repaint and a band along the garment's border (module docstring, step 6); the band
    is made at 1/`FILL_SCALE` of the resolution (it is soft anyway)."""
    h, w = alpha.shape[-2:]
    hs, ws = -(-h // FILL_SCALE), -(-w // FILL_SCALE)
    r = max(1, round(REFINE_BAND * hs))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    small = F.interpolate(alpha.detach().float(), size=(hs, ws), mode="area")[:, 0].cpu().numpy()
    hard = (small > 0.5).astype(np.uint8)
    bands = []
    for i in range(hard.shape[0]):
        band = (cv2.dilate(hard[i], kernel) - cv2.erode(hard[i], kernel)).astype(np.float32)
        bands.append(cv2.GaussianBlur(band, (0, 0), max(0.5, r / 2)))
    band_t = torch.from_numpy(np.stack(bands)).unsqueeze(1).to(device=alpha.device, dtype=alpha.dtype)
    band_t = F.interpolate(band_t, size=(h, w), mode="bilinear", align_corners=False)
    if painted is not None:
        band_t = torch.maximum(band_t, painted.detach())
    return band_t.clamp(0, 1)


def _body_prior(
    keypoints: KeypointPairs | None,
    i: int,
    size_hw: tuple[int, int],
    scale: int,
    bones: tuple[tuple[int, int], ...],
    *,
    torso: bool = True,
    widths: dict[tuple[int, int], tuple[float, float]] | None = None,
) -> np.ndarray | None:
    """(h / scale, w / scale) uint8 mask of where the pose of batch item `i` says the body is: the `bones` drawn as
    tapered limbs (`widths`, else `LIMB_WIDTHS`, shoulder widths at each end; `BONE_WIDTH` for other pairs) with
    round joints, and
    the torso (`_torso_outline`) unless `torso` is False; None without a pose."""
    if keypoints is None or keypoints.pose is None:
        return None
    xy, ok = _joints_px(keypoints.pose, i, size_hw)
    xy = xy / scale
    out = np.zeros((-(-size_hw[0] // scale), -(-size_hw[1] // scale)), np.uint8)
    sw = np.linalg.norm(xy[2] - xy[5]) if ok[2] and ok[5] else 0.0
    for a, c in bones:
        if not (ok[a] and ok[c]):
            continue
        wa, wc = (widths or LIMB_WIDTHS).get((a, c), (BONE_WIDTH, BONE_WIDTH))
        pa, pc = xy[a], xy[c]
        ra, rc = 0.5 * wa * sw, 0.5 * wc * sw
        cv2.fillPoly(out, [np.round(_segment_quad(pa, pc, ra, rc)).astype(np.int32)], 1)
        for p, r in ((pa, ra), (pc, rc)):
            if (a, c) in LIMB_WIDTHS and r >= 1:
                cv2.circle(out, tuple(np.round(p).astype(int)), int(round(r)), 1, -1)
    outline = _torso_outline(xy, ok, sw) if torso else None
    if outline is not None:
        cv2.fillPoly(out, [np.round(outline).astype(np.int32)], 1)
        if ok[1] and ok[0]:  # the neck, up under the chin (a high old collar freed there is skin, not background)
            half = 0.5 * NECK_WIDTH * sw
            cv2.fillPoly(out, [np.round(_segment_quad(xy[1], xy[0], half, half)).astype(np.int32)], 1)
    return out


def _segment_quad(pa: np.ndarray, pc: np.ndarray, ra: float, rc: float) -> np.ndarray:
    """(4, 2) quadrilateral around the segment `pa` -> `pc` (2,), `ra` either side at `pa`, `rc` at `pc`."""
    d = pc - pa
    n = np.array([-d[1], d[0]]) / max(float(np.linalg.norm(d)), 1e-6)
    return np.array([pa + n * ra, pc + n * rc, pc - n * rc, pa - n * ra])


def _torso_outline(xy: np.ndarray, ok: np.ndarray, sw: float) -> np.ndarray | None:
    """(N, 2) polygon of the torso from BODY_25 joints `xy` (present where `ok`), shoulder width `sw`: the shoulder
    tops (`TORSO_SHOULDER` outside and above the shoulder joints), the base of the neck (`TORSO_NECK` above the neck
    joint, `NECK_WIDTH` wide), beside an arm whose elbow lies out past it the armpit (`TORSO_ARMPIT` inside and
    below the shoulder joint) and the waist (`TORSO_WAIST` inside the line from the armpit to the hip, halfway),
    the hips (`TORSO_HIP` outside the hip joints; two shoulder widths under the shoulders without them). None
    without both shoulders."""
    if not (ok[2] and ok[5]) or sw < 1:
        return None
    rs, ls = xy[2], xy[5]
    u = (ls - rs) / sw
    v = np.array([-u[1], u[0]])
    if v[1] < 0:
        v = -v  # down the body
    neck = xy[1] if ok[1] else (rs + ls) / 2
    out_s, up_s = TORSO_SHOULDER
    r_top, l_top = rs - out_s * sw * u - up_s * sw * v, ls + out_s * sw * u - up_s * sw * v
    r_neck = neck - TORSO_NECK * sw * v - 0.5 * NECK_WIDTH * sw * u
    l_neck = neck - TORSO_NECK * sw * v + 0.5 * NECK_WIDTH * sw * u
    bulge = 0.04 * sw * v  # the shoulder line is convex (trapezius), not straight from the neck to the shoulder
    if ok[9] and ok[12]:
        r_hip, l_hip = xy[9] - TORSO_HIP * sw * u, xy[12] + TORSO_HIP * sw * u
    else:
        r_hip, l_hip = rs + 2 * sw * v, ls + 2 * sw * v
    in_a, down_a = TORSO_ARMPIT
    r_pit, l_pit = rs + in_a * sw * u + down_a * sw * v, ls - in_a * sw * u + down_a * sw * v
    r_waist, l_waist = (r_pit + r_hip) / 2 + TORSO_WAIST * sw * u, (l_pit + l_hip) / 2 - TORSO_WAIST * sw * u
    # (only beside an arm whose elbow lies out past the armpit: one along the body, or missed, covers that side)
    left = [l_pit, l_waist] if ok[6] and float((xy[6] - l_pit) @ u) > 0 else []
    right = [r_waist, r_pit] if ok[3] and float((xy[3] - r_pit) @ u) < 0 else []
    pts = [r_top, (r_top + r_neck) / 2 - bulge, r_neck, l_neck, (l_top + l_neck) / 2 - bulge, l_top]
    return np.array(pts + left + [l_hip, r_hip] + right)


def _skin_colour(person: Tensor, codes: Tensor) -> Tensor:
    """(B, 3) median colour of the visible skin (every 4th row and column): arms, neck and face pixels `_skin_like`
    the face's median (VITON-HD parses label long sleeves as arms and turtlenecks as neck), all of them when < 50
    face pixels; `NEUTRAL_SKIN` when < 50 remain."""
    out = []
    sub = codes[:, ::4, ::4].cpu().numpy()
    img = person[:, :, ::4, ::4].detach().float().cpu().numpy().transpose(0, 2, 3, 1)
    for i in range(person.shape[0]):
        px = img[i][(sub[i] & _SKIN) > 0]
        face = _face_centre((sub[i] & _FACE) > 0)
        if int(face.sum()) >= 50 and len(px) > 0:
            px = px[_skin_like(px, np.median(img[i][face], axis=0))]
        out.append(np.median(px, axis=0) if len(px) >= 50 else np.array(NEUTRAL_SKIN))
    return torch.from_numpy(np.stack(out)).to(device=person.device, dtype=person.dtype)


def _face_centre(face: np.ndarray) -> np.ndarray:
    """(H, W) bool face mask -> its pixels in the lower 60 % and middle 60 % of its box (cheeks, nose, mouth): an
    estimated face outline also holds a fringe over the forehead and hair at the temples, which turned the skin
    model brown (08909 from two photos). The whole face when that part is under a quarter of it."""
    ys, xs = np.nonzero(face)
    if len(ys) == 0:
        return face
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    centre = np.zeros_like(face)
    cy, cx = y0 + round(0.4 * (y1 - y0)), x0 + round(0.2 * (x1 - x0))
    centre[cy:y1, cx : x1 - round(0.2 * (x1 - x0))] = True
    centre &= face
    return centre if centre.sum() * 4 >= len(ys) else face


def _sleeve_min_kernel(h: int) -> tuple[int, np.ndarray]:
    """(radius, elliptic kernel) of `SLEEVE_MIN_PX` at `h` rows: parts of a relabelling narrower than it are specks."""
    r = max(1, round(SLEEVE_MIN_PX * h / 1024.0))
    return r, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def _sleeves_to_old(person: Tensor, codes: Tensor, skin: Tensor, neck: Tensor | None = None) -> Tensor:
    """Arm pixels, and `neck` (B, H, W) bool pixels, that are not skin (`_skin_like` the skin model) and nearer the
    old clothes' median colour than the skin's (VITON-HD parses label long sleeves as arms and high necks as neck)
    become old clothes: a short new sleeve does not leave the old long one under it, nor a new neckline the old
    lace high neck. Only where the skin model comes from the face (>= 50 face pixels at every 4th row and column);
    specks under `SLEEVE_MIN_PX` are left as they were."""
    sub = codes[:, ::4, ::4]
    out = codes.clone()
    img = person.detach().float().permute(0, 2, 3, 1).cpu().numpy()  # a view: only read
    codes_np = codes.cpu().numpy()
    r, kernel = _sleeve_min_kernel(person.shape[-2])
    skin_np = skin.detach().float().cpu().numpy()
    for i in range(codes.shape[0]):
        arm_full = (codes_np[i] & _ARM) > 0
        if neck is not None:
            arm_full = arm_full | neck[i].cpu().numpy()
        if int(((sub[i] & _FACE) > 0).sum()) < 50 or not arm_full.any():
            continue
        y0, y1, x0, x1 = mask_box(arm_full, r)
        arm = arm_full[y0:y1, x0:x1]
        old = (codes_np[i] & _OLD) > 0
        if not old.any():
            continue
        old_colour = np.median(_every(img[i], old, 7), axis=0)
        px = img[i, y0:y1, x0:x1][arm]
        nearer_old = channel_sum(np.abs(px - old_colour)) < channel_sum(np.abs(px - skin_np[i]))
        sleeve = np.zeros(arm.shape, np.uint8)
        sleeve[arm] = ~_skin_like(px, skin_np[i]) & nearer_old
        sleeve = cv2.morphologyEx(sleeve, cv2.MORPH_OPEN, kernel) > 0
        if neck is not None and sleeve.any():
            # a high neck is part of the old top: on the neck, only parts touching the old clothes (the shadow under
            # a turned jaw, as dark as a black top and off the skin's chromaticity, was repainted as a lit neck cut
            # off at the chin's row)
            loose = sleeve & ~((codes_np[i] & _ARM) > 0)[y0:y1, x0:x1]
            touch = cv2.dilate(old[y0:y1, x0:x1].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
            sleeve &= ~(loose & ~connected_to(loose, loose & touch))
        if sleeve.any():
            mask = torch.from_numpy(sleeve).to(codes.device)
            part = out[i, y0:y1, x0:x1]
            part[mask] = (part[mask] | _OLD) & ~(_ARM | _SKIN | _BODY | _FRONT)
    return out


def _old_to_neck(person: Tensor, labels: Tensor, codes: Tensor, skin: Tensor, zone: Tensor) -> Tensor:
    """(B, H, W) int64 `labels` with old-clothes pixels of the neck relabelled `NECK_LABEL`: inside `zone` (B, H, W)
    bool (above the new collar, `_neck_zone`), `_skin_like` the skin model `skin` (B, 3) and nearer it than the old
    clothes' median colour, in parts touching the neck or the face (the reverse of `_sleeves_to_old`: an estimated
    parse map took a strip of the neck beside a white crew neck for the top, which was repainted as a pale strip
    beside the real neck). Only where the skin model comes from the face (>= 50 face pixels at every 4th row and
    column); parts under `SLEEVE_MIN_PX` wide are left as they were."""
    out = labels
    sub = codes[:, ::4, ::4]
    img = person.detach().float().permute(0, 2, 3, 1).cpu().numpy()  # a view: only read
    codes_np = codes.cpu().numpy()
    zone_np = zone.cpu().numpy()
    r, kernel = _sleeve_min_kernel(person.shape[-2])
    skin_np = skin.detach().float().cpu().numpy()
    for i in range(codes.shape[0]):
        old = (codes_np[i] & _OLD) > 0
        candidate = old & zone_np[i]
        if int(((sub[i] & _FACE) > 0).sum()) < 50 or not candidate.any():
            continue
        y0, y1, x0, x1 = mask_box(candidate, 2 * r)
        cand = candidate[y0:y1, x0:x1]
        px = img[i, y0:y1, x0:x1][cand]
        old_colour = np.median(_every(img[i], old, 7), axis=0)
        nearer_skin = channel_sum(np.abs(px - skin_np[i])) < channel_sum(np.abs(px - old_colour))
        raw = np.zeros(cand.shape, np.uint8)
        raw[cand] = _shaded_skin_like(px, skin_np[i]) & nearer_skin
        part = cv2.morphologyEx(raw, cv2.MORPH_OPEN, kernel)
        if not part.any():
            continue
        # only the parts joined to the neck or the face (not a skin-coloured print lower down)
        head = ((codes_np[i, y0:y1, x0:x1] & _FACE) > 0) | (labels[i, y0:y1, x0:x1] == NECK_LABEL).cpu().numpy()
        touch = cv2.dilate(head.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        _, comp = cv2.connectedComponents(part, connectivity=8)
        joined = np.unique(comp[touch & (part > 0)])
        neck = np.isin(comp, joined[joined > 0])
        # with the thin skin-like bits joined to those parts (the opening only keeps specks from starting a part):
        # left old, the neck's shadowed edge and the pixels between the parts were repainted as pale blotches,
        # each blurred into the real neck (README pair 00891 x 01260 from two photos, left of the collar)
        _, comp = cv2.connectedComponents(raw, connectivity=8)
        joined = np.unique(comp[neck])
        neck = np.isin(comp, joined[joined > 0])
        if neck.any():
            if out is labels:
                out = labels.clone()
            mask = torch.from_numpy(neck).to(labels.device)
            out[i, y0:y1, x0:x1][mask] = NECK_LABEL
    return out


def _every(x: np.ndarray, mask: np.ndarray, step: int) -> np.ndarray:
    """`x[mask][::step]` for `x` (H, W[, C]) and `mask` (H, W) bool, gathering only every `step`-th True pixel (in row
    order) through their flat indices, instead of copying them all first (a fifth to a half of the time of the
    copy, the most of a median of a sample of the old clothes)."""
    idx = np.flatnonzero(mask)[::step]
    if x.flags.c_contiguous:
        return x.reshape(-1, *x.shape[2:])[idx]
    return x[np.unravel_index(idx, mask.shape)]


def _skin_like(px: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """(...,) bool: colours (..., 3) with the chromaticity of `ref` (rgb / sum within `SKIN_TOLERANCE`) and a
    luminance within 0.6 .. 1.4 times its own: skin in light or shadow, not a sleeve or a turtleneck."""
    total = channel_sum(px)[..., None] + 1e-3
    ref_total = channel_sum(ref)[..., None] + 1e-3  # (a colour per pixel too: `_shaded_skin_like`)
    chroma = channel_max(np.abs(px / total - ref / ref_total)) < SKIN_TOLERANCE
    ratio = total[..., 0] / ref_total[..., 0]
    return chroma & (ratio > 0.6) & (ratio < 1.4)


def _shaded_skin_like(px: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """(N,) bool: colours (N, 3) `_skin_like` the skin `ref` (3,) shaded to their own luminance (`shade_skin`, darker
    is redder; the gain within `_skin_like`'s 0.6 .. 1.4): the shadowed side of a neck under the jaw is skin too
    (against the face's lit tone alone, an estimated parse map's strip of it stayed old clothes, repainted as a
    pale ragged patch beside the new collar)."""
    luma = np.asarray(LUMA_WEIGHTS, np.float32)
    gain = np.clip((px @ luma) / max(float(ref @ luma), 1e-3), 0.6, 1.4)
    return _skin_like(px, shade_skin(ref.astype(np.float32), gain))


def _torso_polygon(
    keypoints: KeypointPairs, b: int, size_hw: tuple[int, int], device: torch.device, *, width: float = ARMS_FRONT_WIDTH
) -> Tensor:
    """(B, H, W) bool: inside the polygon of the present torso targets, narrowed across the body to `width` of its
    width about its middle above the lower armpit target, its whole width under it (all True where fewer than 3
    targets exist)."""
    h, w = size_hw
    idx = [keypoints.names.index(n) for n in TORSO_LANDMARKS if n in keypoints.names]
    person = keypoints.person_px.detach().cpu().double()
    out = np.zeros((b, h, w), np.uint8)
    for i in range(b):
        pts = person[i if person.shape[0] > 1 else 0, idx]
        pts = pts[pts[:, 2] > 0, :2].numpy()
        if len(pts) < 3:
            out[i] = 1
            continue
        middle = 0.5 * (pts[:, 0].min() + pts[:, 0].max())
        narrow = pts.copy()
        narrow[:, 0] = middle + width * (pts[:, 0] - middle)
        cv2.fillPoly(out[i], [np.round(narrow).astype(np.int32)], 1)
        # under the armpits (no sleeve there) the whole torso: an arm crossing the body or hanging along its side
        # is in front of it, with no slit where it leaves the narrowed polygon
        item = person[i if person.shape[0] > 1 else 0]
        pits = [keypoints.names.index(n) for n in ("armpit_left", "armpit_right") if n in keypoints.names]
        pit_y = [float(item[k, 1]) for k in pits if float(item[k, 2]) > 0]
        if pit_y:
            full = np.zeros((h, w), np.uint8)
            cv2.fillPoly(full, [np.round(pts).astype(np.int32)], 1)
            full[: int(np.ceil(max(pit_y)))] = 0
            out[i] |= full
    return torch.from_numpy(out).to(device=device, dtype=torch.bool)


def _limbs(keypoints: KeypointPairs, b: int, size_hw: tuple[int, int], device: torch.device) -> Tensor | None:
    """(B, H, W) bool: the pose's arms (`_body_prior` of the arm bones, without the torso); None without a pose."""
    out = []
    for i in range(b):
        prior = _body_prior(keypoints, i, size_hw, 1, _ARM_BONES, torso=False)
        if prior is None:
            return None
        out.append(torch.from_numpy(prior > 0))
    return torch.stack(out).to(device)


def _own_sleeves(sleeves: Tensor, keypoints: KeypointPairs | None) -> Tensor:
    """(B, H, W) bool: the new sleeves' pixels (`sleeves` (B, 2, H, W): right, left) where no arm is in front of
    them: all of each sleeve but, with a pose, the other arm's forearm (a hand laid on the other upper arm)."""
    b, _, h, w = sleeves.shape
    right, left = sleeves[:, 0].clone(), sleeves[:, 1].clone()
    for i in range(b):
        if not bool(right[i].any() or left[i].any()):
            continue
        for own, other in ((right, (6, 7)), (left, (3, 4))):
            forearm = _body_prior(keypoints, i, (h, w), 1, (other,), torso=False)
            if forearm is not None:
                own[i] &= ~torch.from_numpy(forearm > 0).to(own.device)
    return right | left


def _bare_shoulders(keypoints: KeypointPairs, b: int, size_hw: tuple[int, int], device: torch.device) -> Tensor:
    """(B, H, W) bool: the shoulder zone (`_shoulder_scale`: above `SHOULDER_ZONE_SW` shoulder widths under the
    shoulder joints) but the pose's forearms and hands: arm pixels there are bare shoulders (an off-shoulder or
    strapless top) that the new garment covers, not an arm crossing the body in front of it (they left
    skin-coloured squares in the garment's shoulders); all False without a pose."""
    h, w = size_hw
    out = torch.zeros((b, h, w), dtype=torch.bool, device=device)
    if keypoints.pose is None:
        return out
    for i in range(b):
        _, zone_y = _shoulder_scale(keypoints, i, size_hw)
        rows = min(h, max(0, int(np.ceil(zone_y))))
        zone = np.zeros((h, w), bool)
        zone[:rows] = True
        forearms = _body_prior(keypoints, i, size_hw, 1, ((3, 4), (6, 7)), torso=False)
        if forearms is not None:
            zone &= forearms == 0
        out[i] = torch.from_numpy(zone).to(device)
    return out


def _upper_arms_in_sleeves(
    keypoints: KeypointPairs, b: int, size_hw: tuple[int, int], device: torch.device, arms: Tensor | None = None
) -> Tensor:
    """(B, H, W) bool: the upper arms (`SLEEVE_TUBE` wide) above the lowest sleeve-end target, but the pose's
    forearms: a sleeve is a tube around the upper arm, so an arm there is inside it, under the garment, even where
    the new sleeve landed narrower than the arm or beside it (under the armpits the whole torso keeps arms in
    front, `_torso_polygon`: Dress Code 020718 with 020720, two photos, showed a skin-coloured square of the arm's
    inner edge inside the dress's short sleeve). Above the armpit targets, with `arms` (B, H, W) bool, also the
    rest of each arm's run across the row from the tube, at most `SLEEVE_RUN` shoulder widths (the arm is widest
    there: a loose T-shirt dress's wide torso kept the inner edge of 020715's arm in front as a skin-coloured slit
    by its shoulder). All False without sleeve targets or a pose."""
    h, w = size_hw
    out = torch.zeros((b, h, w), dtype=torch.bool, device=device)
    arms_np = None if arms is None else arms.cpu().numpy()
    for i in range(b):
        rows = _sleeve_end_rows(keypoints, i, size_hw)  # (each sleeve's own end: `_sleeve_end_rows`)
        upper = _body_prior(keypoints, i, size_hw, 1, ((2, 3), (5, 6)), torso=False, widths=SLEEVE_TUBE)
        if not np.isfinite(rows).all() or upper is None:
            continue
        upper[np.arange(h)[:, None] >= np.ceil(rows)[None, :]] = 0
        forearms = _body_prior(keypoints, i, size_hw, 1, ((3, 4), (6, 7)), torso=False)
        inside = (upper > 0) & (forearms == 0)
        pits = _lowest_target_y(keypoints, i, size_hw, ("armpit_left", "armpit_right"))
        if arms_np is not None and np.isfinite(pits):
            inside = _arm_runs(
                inside, arms_np[i] & (forearms == 0), int(pits), SLEEVE_RUN * _shoulder_scale(keypoints, i, size_hw)[0]
            )
        out[i] = torch.from_numpy(inside).to(device)
    return out


def _arm_runs(inside: np.ndarray, arm: np.ndarray, rows: int, reach: float) -> np.ndarray:
    """`inside` (H, W) bool grown sideways along each row's `arm` (H, W) bool pixels by at most `reach` pixels, in
    the first `rows` rows only (a run of the arm across the row from the sleeve's tube)."""
    grown = inside[:rows].astype(np.uint8)
    allowed = arm[:rows].astype(np.uint8)
    kernel = np.ones((1, 3), np.uint8)
    for _ in range(max(0, round(reach))):
        step = cv2.dilate(grown, kernel) & allowed
        if np.array_equal(step | grown, grown):
            break
        grown |= step
    out = inside.copy()
    out[:rows] = grown > 0
    return out


def _below_sleeves(keypoints: KeypointPairs, b: int, size_hw: tuple[int, int], device: torch.device) -> Tensor:
    """(B, H, W) bool: the rows under the garment's sleeves, where no part of it covers an arm (an arm there is in
    front of the garment: a hem or a side flap does not hide it): under each side's own lowest sleeve-end target
    (`_sleeve_end_rows`), or under the
    lowest armpit target of a sleeveless garment; all False without either."""
    h, w = size_hw
    out = torch.zeros((b, h, w), dtype=torch.bool, device=device)
    for i in range(b):
        rows = _sleeve_end_rows(keypoints, i, size_hw)  # (each sleeve's own end: `_sleeve_end_rows`)
        if not np.isfinite(rows).all():
            row = _lowest_target_y(keypoints, i, size_hw, ("armpit_left", "armpit_right"))
            if not np.isfinite(row):
                continue
            rows = np.full(w, row)
        below = np.arange(h)[:, None] >= (np.ceil(rows) + 1)[None, :]
        out[i] = torch.from_numpy(below).to(device)
    return out


def _neck_zone(
    keypoints: KeypointPairs, b: int, size_hw: tuple[int, int], device: torch.device, *, wider: float = 0.0
) -> Tensor:
    """(B, H, W) bool: where the garment shows its back neckline (the inside of its back, seen through the neck
    opening in a flat photo): above the curve from the collar_right target down `NECK_DEPTH` collar widths at the
    middle and up to the collar_left target (a parabola in the frame of the collar line), and `wider` collar widths
    beyond each target along the collar line; all False where the pairs name no collar sides."""
    h, w = size_hw
    out = np.zeros((b, h, w), np.uint8)
    if "collar_left" not in keypoints.names or "collar_right" not in keypoints.names:
        return torch.zeros((b, h, w), dtype=torch.bool, device=device)
    person = keypoints.person_px.detach().cpu().double().numpy()
    il, ir = keypoints.names.index("collar_left"), keypoints.names.index("collar_right")
    for i in range(b):
        pts = person[i if person.shape[0] > 1 else 0]
        if pts[il, 2] <= 0 or pts[ir, 2] <= 0:
            continue
        right, left = pts[ir, :2], pts[il, :2]
        width = float(np.linalg.norm(left - right))
        if width < 4:
            continue
        u = (left - right) / width
        v = np.array([-u[1], u[0]])  # down the body
        ts = np.linspace(0.0, 1.0, 17)
        curve = right + ts[:, None] * (left - right) + (4 * ts * (1 - ts) * NECK_DEPTH * width)[:, None] * v
        top = max(left[1], right[1]) + width  # far enough above: the polygon closes over the head
        ends = [right - wider * width * u], [left + wider * width * u]
        poly = np.concatenate((ends[0], curve, ends[1], [ends[1][0] - top * v, ends[0][0] - top * v]))
        cv2.fillPoly(out[i], [np.round(poly).astype(np.int32)], 1)
    return torch.from_numpy(out).to(device=device, dtype=torch.bool)


def _feather_outwards(mask: np.ndarray, sigma: float) -> np.ndarray:
    """max(mask, blur(mask)) with repeated 3x3 box filters, ~ a Gaussian of `sigma` (as `_feather`): the paint mask
    soft outwards only, so no fringe of old clothes is left (borders replicate)."""
    blurred = mask
    for _ in range(round(1.5 * sigma * sigma)):
        blurred = cv2.blur(blurred, (3, 3), borderType=cv2.BORDER_REPLICATE)
    return np.maximum(mask, blurred)


def _feather(mask: Tensor, sigma: float) -> Tensor:
    """Blur a (B, 1, H, W) mask with repeated 3x3 box filters, ~ a Gaussian of `sigma` (each pass adds a variance
    of 2/3 px^2), much faster on CPU than a Gaussian convolution. Identity for sigma 0. Differentiable (pooling)
    when the mask needs a gradient or is not on the CPU; else OpenCV's box filter, faster still (borders
    replicate there, where the pooling averages the pixels inside: the outermost pixels differ slightly)."""
    passes = round(1.5 * sigma * sigma)
    if passes and mask.device.type == "cpu" and not mask.requires_grad:
        planes = mask.detach().float().reshape(-1, *mask.shape[-2:]).numpy()
        out = []
        for plane in planes:
            for _ in range(passes):
                plane = cv2.blur(plane, (3, 3), borderType=cv2.BORDER_REPLICATE)
            out.append(plane)
        return torch.from_numpy(np.stack(out)).reshape(mask.shape).to(mask.dtype)
    for _ in range(passes):
        mask = F.avg_pool2d(mask, 3, stride=1, padding=1, count_include_pad=False)
    return mask
