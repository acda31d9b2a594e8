"""Paste a warped garment onto the person: soft alpha, body parts kept in front, freed old clothes repainted, the
person's light and folds carried onto the new garment.

What `composite_garment` does, in order (the parse-map steps follow the garment category's `CompositeLabels`,
`CATEGORY_LABELS`; the labels named below are those of `UPPER_LABELS`):
    1. alpha = the warped garment mask.
    2. With a parse map (LIP-20 / VITON-HD labels): alpha is cut where the table's `front` labels are (for
       "upper": head, hair and the lower body), so they stay in front of the garment; the `arms` (labels 14, 15) are
       kept in front only inside the middle `ARMS_FRONT_WIDTH` of the garment's torso (the polygon of the collar,
       shoulder, armpit and hem targets, when `keypoints` are given; its whole width under the armpits), so an arm
       crossing the body stays in front while sleeves still cover the upper arms, but not in the shoulder zone
       (`_bare_shoulders`: bare shoulders above an off-shoulder top go under the new one), nor on the upper arms above
       the sleeve ends (`_upper_arms_in_sleeves`: inside the sleeve's tube, above the armpits with the arm's run across
       the row past it); arm and neck pixels unlike the skin and nearer the old clothes' colour are old clothes
       (`_sleeves_to_old`: a long sleeve, a high neck the parse map took for arm or neck; not on the pose's hands past
       the wrists, `_hands`: shaded fingers are no sleeve); under the sleeves
       (`_below_sleeves`) the arms are in front everywhere, and so are the pose's arms (`_limbs`) where the parse map
       has old clothes outside the garment's torso (a long old sleeve hid the arm: no hem or side flap lies over it);
       with `sleeves` (where `warp_by_parts` landed each sleeve) an arm stays behind the new sleeves wherever they lie,
       but for the other arm's forearm (`_own_sleeves`: a freed arm no longer notches a longer sleeve's slanted cuff);
       the neck (label 10) stays in front of the garment's back neckline (`_neck_zone`: above a curve `NECK_DEPTH`
       collar widths under the collar targets, no deeper than the garment's own front neckline under its opening:
       an old V's chest skin, called neck, does not cut a V into a crew neck's collar); old-clothes pixels there
       (and `NECK_WIDER` beyond the collar's ends) like the skin and joined to the neck or the face are neck
       (`_old_to_neck`: an estimated parse map's strip of neck beside a white collar). Without a parse map nothing
       is kept in front.
    2b. Fit to the body (`fit`, `_fit_to_body`): garment on the background farther than `CLIP_SW` (shoulder
       caps) / `CLIP_SW_BELOW` (below) shoulder widths from the body is cut (no boxy corners or flaps past the
       silhouette), and strips of freed old clothes under `GROW_SW` wide between the garment and the old clothes'
       outline (and, for a sleeved garment, the bare shoulders' skin in the shoulder zone) become garment, not
       over the arms below the sleeves (the parse map's, or the pose's where it shows none: `_hidden_limbs`), its
       texture continued from its own pixels (mirrored across its outline where that
       colour is near the smooth fill, `MIRROR_COLOUR`; the smooth fill from its main colour near the band,
       `MAIN_COLOUR`: no pale blur of a stripe along a sleeve's edge): sideways (the blurred outline's normal) and, in
       the shoulder zone, upwards too, tapering to nothing at the neck opening, where it does not grow sideways either
       (the shoulder line follows the body's shoulders; no halo of repainted skin beside a sleeve or side seam; no
       ragged teeth into the neck). An all-over print continues mirrored into the band (`MIRROR_SPREAD`). Old clothes
       in `no_grow` are never grown over (trousers: their crotch gap, an old skirt beside them).
    2c. A tucked-in top (`waistband`, fitted by `waistband.tucked_waistband`) ends at the waistband: the garment
       but its sleeves is cut below that line (before 2b, whose band along a long sleeve is no torso), also where
       the old top hung out over the lower garment in a sliver or down along an arm (the parse map has old clothes
       there, nothing kept in front), but not under a half-tucked top's sides (`waistband.tucked_hem`); within
       `TUCK_SIDE_SW` above the cut, 2b grows it no wider than the lower garment (not out to a loose old top), and
       the lower garment is continued up to the line over what is freed there (`waistband.continue_lower_garment`,
       after the repaint; only where the lower garment's top lies near the line: not up a skirt's flaring side,
       beside which a freed old long sleeve is an arm).
    3. Freed old clothes (`repaint.repaint_freed`, in `repaint.py`; the pose's body outline from `body_prior.py`)
       (the table's `old` labels not covered by the new garment, grown by `FRINGE_PX` into
       the background and skin next to them, so no dark fringe of old sleeves is left where the parse map's edge
       is a pixel off) are repainted as what lies under them, at full resolution:
       - background: the real background continued inwards (`push_pull`: a multi-scale normalised fill from the
         background pixels, which keeps its gradients and meets them without a seam; not those within `RESIDUE_PX`
         of the lower body in front, `_off_lower_front`: a trousers' edge the parse map calls wall smudged it);
       - skin: the same fill from the visible skin pixels (arms, neck, not the face; of the person's tone, `skin_like`)
         within ~`SKIN_LOCAL_PX` of them (beyond the seeds' gap off the old clothes), the body's skin tone farther
         away (`_body_tone`: the person's skin colour `_skin_colour` at the luminance of the visible body skin, not
         the lit face; no smear of a neck's shadow over a chest) times the light and folds of the old clothes
         (step 4), a limb's round shading (`limb_shading`: darker towards its edges, as a lit cylinder; the pose's
         arms each across its own width, `_arm_light`, also where an arm meets the repainted torso, its inner
         side only below the armpit) and, on the torso, the chest's (`_torso_light`: darker towards the sides of
         the pose's torso outline under the shoulders, and beside them, `_torso_sides`; the collarbones), and
         the visible skin's light carried down under it (`skin_carried_below`: the neck's lit middle into an open V),
         under the face its shadow on the neck (`jaw_shadow`: darker under the jaw, not the lit face's tone); the
         real skin next to it takes the fill's colour at low frequencies over `SKIN_BLEND_PX` (`_blend_into_skin`:
         no seam at an old sleeve's hem across an arm); the legs repainted below the hips (`_leg_fill`) take no
         light and folds of the old clothes, their own round shading, and the visible legs' tone and grain;
       - which of the two, per pixel: with a pose in `keypoints`, skin inside the body (any other label, the
         limbs drawn tapered with `LIMB_WIDTHS`, the arms' scaled to the visible arm by `_arm_widths`, each upper arm
         under a freed sleeve continued as where it leaves the sleeve (`_upper_arms_under_sleeves`), and the torso
         outline `torso_outline`: an arm under a freed sleeve is arm-wide; under lower garments and dresses, below the
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

from .._arrays import (
    CHAMFER_AXIAL,
    LUMA_WEIGHTS,
    above_half,
    blur_in_box,
    blur_wide,
    channel_max,
    channel_sum,
    channels_last,
    every_masked,
    mask_box,
    nonzero_yx,
    per_channel,
    take,
)
from .._checks import broadcast_batch, check_same_batch, check_shape
from ..keypoints.pairs import KeypointPairs
from ..keypoints.placement import BACK_DIP_MAX, front_neckline_row
from ..preprocess.colour_regions import connected_to, nearer_in_chroma, skin_like
from ..preprocess.parse_labels import (
    VITONHD_ARMS,
    VITONHD_HEAD,
    VITONHD_LOWER_BODY,
    VITONHD_LOWER_GARMENT,
    VITONHD_UPPER_CLOTHES,
    labels_in,
)
from .body_prior import (
    ARM_BONES,
    LEG_BONES,
    LIMB_SCALE,
    LIMB_WIDTHS,
    UPPER_AND_FOREARMS,
    UPPER_ARMS,
    body_prior,
    forearms_behind,
    joints_px,
    seen_limbs,
)
from .push_pull import push_pull
from .repaint import (
    CODE_ARM,
    CODE_BACKGROUND,
    CODE_BODY,
    CODE_FACE,
    CODE_FRONT,
    CODE_HAIR,
    CODE_OLD,
    CODE_SKIN,
    repaint_freed,
)
from .shading import (
    apply_light,
    light_and_folds,
    shade_skin,
)
from .waistband import HANG_SW, continue_lower_garment, cut_below_waistband, tucked_hem

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
    bones=(*UPPER_LABELS.bones, *LEG_BONES),
)
#: Dresses: head and shoes in front, arms by the torso rule; every old top, dress, trousers and skirt repainted. The
#: neck as a top's: in front only above the garment's back neckline (`_neck_zone`); in front everywhere, a low old
#: neckline's chest (estimated regions: "neck") showed through a polo or T-shirt dress as a scoop.
DRESS_LABELS = CompositeLabels(
    front=(*VITONHD_HEAD, 3, 11, 18, 19),  # glove, scarf, shoes
    arms=VITONHD_ARMS,
    old=(5, 6, 7, 9, 12),
    skin=(*VITONHD_ARMS, 10, 13, 16, 17),
    lower=(8, 16, 17, 18, 19),
    bones=(*UPPER_LABELS.bones, *LEG_BONES),
)
#: The label table of each garment category.
CATEGORY_LABELS: dict[str, CompositeLabels] = {"upper": UPPER_LABELS, "lower": LOWER_LABELS, "dress": DRESS_LABELS}


#: Fill colour (RGB, [0, 1]) when no skin is visible in the parse map.
NEUTRAL_SKIN: tuple[float, float, float] = (0.80, 0.64, 0.54)
#: Arms stay in front of the garment only inside this fraction of the torso polygon's width: an arm hanging at
#: the body's side is under the sleeve and the torso's side seam; one crossing the chest or belly is in front.
ARMS_FRONT_WIDTH = 0.7
#: The body fit's openings and spreads and the refine mask are computed at 1/FILL_SCALE of the resolution (the
#: repaint's skin-or-background decision at 1/`repaint.WEIGHT_SCALE`).
FILL_SCALE = 4


#: `_upper_arms_in_sleeves`: the sleeve's tube around an upper arm, shoulder widths at the shoulder and the elbow
#: (the arm's own, `LIMB_WIDTHS`, 0.24 / 0.19, with room for a bone off the arm's middle; looked at on Dress Code
#: 020718 from two photos, whose arm's inner edge lies 0.1 shoulder widths from the bone).
SLEEVE_TUBE: dict[tuple[int, int], tuple[float, float]] = {(2, 3): (0.34, 0.28), (5, 6): (0.34, 0.28)}
#: ... and above the armpit targets the arm's run across each row past the tube, at most this many shoulder widths
#: (an arm there is 0.3-0.4 shoulder widths wide, its inner edge up to 0.2 from the bone: Dress Code 020715).
SLEEVE_RUN = 0.15


#: `_sleeves_to_old` takes no hand for a sleeve (`_hands`): past HAND_PAST_WRIST shoulder widths beyond the wrist joint
#: along the forearm (a sleeve ends at the wrist; the regions' `CUFF_PAST_WRIST` too), within HAND_REACH of the wrist
#: (a hand is about half a shoulder width long). The shaded fingers of a hand resting on a dark lap are nearer a black
#: jacket's colour than the face's skin: as old clothes they were repainted as a pale smear of wall over the knee
#: (unseen Jensen, seated), and fingers on a skirt or by the hips lost their tips to pale rings (VITON-HD 07445).
HAND_PAST_WRIST = 0.1
HAND_REACH = 0.6
#: Arm pixels unlike the skin are a sleeve (old clothes) in patches at least this wide (pixels at 1024 rows).
SLEEVE_MIN_PX = 4.0
#: ... but not lit skin: a colour whose chromaticity lies on the way from neutral grey to the skin model's, at
#: least this share farther towards the skin's than the old clothes' median lies, within `LIT_SKIN_OFF` of that
#: line (max over rgb of rgb / sum), and brighter than the skin model. The light on a bare shoulder mixes white into
#: the skin; against a white tank it was nearer the old clothes' colour, became a sleeve, and its darker light
#: (than the tank's) dimmed the new garment there in pinkish blotches (the unseen ootd_model_6 in the polo
#: idm_09163_00: shares 0.4-0.57, off the line <= 0.007, 1.3-1.4 times the skin's brightness).
LIT_SKIN_SHARE = 0.3
LIT_SKIN_OFF = 0.015
#: Under a sleeveless garment the arms are in front from this many pixels (at 1024 rows) above the lowest armpit
#: target (`_below_sleeves`).
ARMPIT_SLACK_PX = 2.0
#: An arm kept in front of the new garment (`_clean_arm_front`) takes in the old clothes' skin-coloured pixels up to
#: this far from it (pixels at 1024 rows): its shaded edge; ...
ARM_EDGE_PX = 6.0
#: ... in the notches of its outline (up to twice this wide along it, pixels at 1024 rows: its closing), ...
ARM_NOTCH_PX = 48.0
#: ... worked out at 1 / NOTCH_SCALE of the resolution (`_closed_coarsely`).
NOTCH_SCALE = 4
#: ... after its outline is opened by this (pixels at 1024 rows: its slivers thinner than twice it go behind the
#: garment), and it is closed by it after (notches narrower than twice it).
ARM_OPEN_PX = 2.0
#: `_hidden_limbs`: the bent elbow's notch between a hidden upper arm's limb and its seen forearm is closed over
#: this radius (shoulder widths); ~0.06 filled idm_sam11's (a triangle ~0.06 wide, black blobs of the tee there)
ELBOW_NOTCH_SW = 0.06
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
#: A tucked-in top narrows into the waistband: within this many shoulder widths above its cut it is grown sideways
#: (over the freed old top) only over the columns the lower garment spans under the cut (within `HANG_SW`), and above
#: that out from them on a `BAND_TAPER` slope. Grown to the loose old top's outline there, its side stuck out past
#: the trousers' side in a ragged flap with a step at the waistband (the README pair 00891 / 01260, right of her
#: forearm, two photos: the old tee flares out about this far above the waistband).
TUCK_SIDE_SW = 0.2
#: The grown band's smooth fill comes from the garment's pixels within MAIN_COLOUR (sum of |RGB| differences) of
#: their median near the band, when at least MAIN_SHARE of them are (stripes or piping along an edge are left out).
MAIN_COLOUR = 0.3
MAIN_SHARE = 0.6
#: The neck (VITON-HD's label 10) stays in front of the garment down to this many collar widths (collar_left ->
#: collar_right targets) below the collar line at its middle: the flat photo's back neckline lies behind the neck.
NECK_LABEL = 10
NECK_DEPTH = 0.45
#: Old-clothes pixels like the skin and joined to the neck are neck (`_old_to_neck`) above the collar curve and up
#: to this many collar widths beyond its ends (a neck is about as wide as a crew neck's opening).
NECK_WIDER = 0.25
#: A warped garment's neck opening under the collar line is its front neckline (`_neck_zone`) when at least this many
#: collar widths deep at the middle: a back neckline left in dips under its collar sides by less (unseen tees, none
#: cut: 0.05-0.09; worn, VITON-HD 00006's black inside over the neck cost box SSIM 0.872 -> 0.845), a cut crew neck's
#: front sits lower (half its flat depth, `place_front_neckline`: 0.12-0.3).
FRONT_MIN = BACK_DIP_MAX
#: A sleeved garment whose neck opening shows no front neckline (`_neck_zone`: nothing cut from its inside, a crew
#: neck's collar ring seen whole) keeps the neck in front down to this many collar widths only: about the front of
#: the neck's base, where a crew neck closes (`NECK_DEPTH` below, an old V's or scoop's chest skin, which an
#: estimated parse map calls neck, cut a V into the new collar: unseen FILA and black tees).
CLOSED_NECK_DEPTH = 0.3
#: The parse map's legs (LIP-20 left and right leg): old clothes inside their convex hull (parts of at least LEG_PART
#: of the largest's area) give no light (`_between_legs`).
LEG_LABELS = (16, 17)
#: The parse map's old clothes around two legs (LIP-20 pants: trousers, shorts; `_legged_clothes`): a dress over them
#: takes only their broad light (`shading.SHADE_BROAD_PX`).
LEGGED_LABELS = (9,)
#: ... when the lowest LEGGED_HEM of their height parts into two pieces of at least LEGGED_PIECE of it each (two
#: trouser legs, the shorts' legs under the crotch): the regions estimated from a photo call a slip dress's skirt
#: pants (Dress Code 020718), one piece, whose folds are a dress's.
LEGGED_HEM = 0.25
LEGGED_PIECE = 0.1
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
    no_grow: Tensor | None = None,
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
        no_grow: optional (B or 1, H, W) bool: freed old clothes there are repainted, never grown over by the fit
            (step 2b; trousers: the old clothes between their legs, and an old skirt or dress beside them).
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
    if no_grow is not None:
        check_shape(no_grow, "no_grow", ("B", h, w))
        batches["no_grow"] = no_grow.shape[0]
    b = check_same_batch(batches)
    if feather_px < 0:
        raise ValueError(f"feather_px: expected >= 0, got {feather_px}")
    person = broadcast_batch(person, b, "person")
    garment = broadcast_batch(warped_garment, b, "warped_garment").to(person.dtype)
    alpha = broadcast_batch(warped_mask, b, "warped_mask").to(person.dtype).clamp(0, 1)

    painted = skin = background = gain = front_cut = arm_cut = own_sleeves = None
    as_warped = alpha  # (the neck zone reads the garment's front neckline from it: not moved by the smoothing)
    if parse is not None and keypoints is not None and table is UPPER_LABELS:  # (one smooth neckline)
        # (not over the old clothes: what the cut frees there is repainted, and pale wall was painted at the neck)
        bare = ~labels_in(broadcast_batch(parse, b, "parse").to(alpha.device), table.old)
        alpha = alpha.masked_fill((_neck_edge_cut(alpha[:, 0] > 0.5, keypoints) & bare).unsqueeze(1), 0.0)
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
            hands = _hands(keypoints, b, (h, w), person.device) if keypoints is not None else None
            codes = _sleeves_to_old(person, codes, skin, neck, hands)
        keep = (codes & CODE_FRONT) > 0
        arms = (codes & CODE_ARM) > 0
        # (the new sleeves per item, (B, 2, H, W), and all their pixels, (B, H, W): read by the arms, fit and light)
        worn = None if sleeves is None else broadcast_batch(sleeves, b, "sleeves").to(person.device)
        own_sleeves = None if worn is None else worn.any(dim=1)
        if keypoints is not None:
            worn_np = None if worn is None else worn.cpu().numpy()
            # (each column's sleeve end, `_sleeve_end_rows`, at each column's hem with `worn`: read by both below)
            ends = [_sleeve_end_rows(keypoints, i, (h, w), None if worn_np is None else worn_np[i]) for i in range(b)]
            below = _below_sleeves(keypoints, ends, (h, w), person.device)
            arms = arms & (_torso_polygon(keypoints, b, (h, w), person.device) | below)
            arms = arms & ~_bare_shoulders(keypoints, b, (h, w), person.device)
            arms = arms & ~_upper_arms_in_sleeves(keypoints, ends, (h, w), person.device, arms)
            # under the sleeves, the pose's arms are in front where the parse map has old clothes (a long old
            # sleeve hides the arm): the garment's hem or side does not cover them; the repaint paints them
            limbs = _limbs(keypoints, (codes & CODE_ARM) > 0, (h, w))
            if limbs is not None:  # (outside the garment's torso outline: a loose top may hang over the arms)
                outside = ~_torso_polygon(keypoints, b, (h, w), person.device, width=1.0)
                arms = arms | (limbs & below & outside & ((codes & (CODE_OLD | CODE_ARM)) > 0))
            if bool(front_neck.any()):  # the neck in front of the garment's back neckline, not of its front
                zone = _neck_zone(keypoints, b, (h, w), person.device, garment=as_warped > 0.5)
                front_neck = front_neck & zone
                if table is UPPER_LABELS:  # (its lower edge, the old top's neckline, one smooth curve)
                    front_neck = front_neck & ~_neck_edge_cut(front_neck, keypoints, lower=True)
                keep = keep | front_neck
        if worn is not None:
            arms = arms & ~_own_sleeves(worn, keypoints)
        arms, codes = _clean_arm_front(person, codes, arms, alpha[:, 0] > 0.5, skin)
        keep = keep | arms
        front_cut = (keep.unsqueeze(1) & (alpha > 0.5)).to(alpha.dtype)  # where something stays in front of it
        arm_cut = arms & (alpha[:, 0] > 0.5)  # (an arm out of a sleeve's hem: `behind` below)
        warped = alpha
        alpha = alpha.masked_fill(keep.unsqueeze(1), 0.0)
        if waistband is not None:  # (before the fit: its band along a long sleeve is not the torso)
            cut_rows = broadcast_batch(waistband, b, "waistband")
            if keypoints is not None and keypoints.pose is not None:  # a half-tucked top's sides hang out
                cut_rows = tucked_hem(labels, cut_rows, keypoints.pose)
            if table is UPPER_LABELS:  # (the hem into the lower garment's top edge: no gap, no rim above it)
                cut_rows, into = _hem_into_lower(cut_rows, labels, h / 1024.0)
                alpha = torch.where(into.unsqueeze(1), warped, alpha)
            alpha = cut_below_waistband(alpha, cut_rows, sleeves)
        if fit:
            arm_labels = labels_in(labels, table.arms)
            tucked = None
            if waistband is not None:
                tucked = (cut_rows, labels_in(labels, VITONHD_LOWER_GARMENT), own_sleeves)
            held = None if no_grow is None else broadcast_batch(no_grow, b, "no_grow").to(person.device)
            fitted = _fit_to_body(garment, alpha, codes, arm_labels, keypoints, tucked, held)
            garment, alpha = fitted.garment, fitted.alpha
        legs = labels_in(labels, LEG_LABELS)
        # (objects held against the old clothes, a bag at the hip, are looked for under lower garments and dresses
        # only: beside a top, the wall's own gradient next to a white T-shirt passed for one and kept its fringe)
        objects = table is not UPPER_LABELS
        seams = _old_garment_seams(labels, table.old, legs, h / 1024.0)
        # (trousers' and shorts' folds are the legs': a dress over them takes only their broad light)
        broad_only = _legged_clothes(labels) if table is DRESS_LABELS else None
        rep = repaint_freed(
            person,
            codes,
            alpha,
            skin,
            keypoints,
            table.bones,
            feather_px,
            shading,
            garment,
            legs,
            objects=objects,
            seams=seams,
            broad_only=broad_only,
        )
        reference = _garment_references(person, labels, table.old, rep.reference)
        person = torch.lerp(person, rep.fill, rep.paint)
        if table is UPPER_LABELS and keypoints is not None and keypoints.pose is not None:
            # under a freed untucked top: the lower garment up to its waistband, not a band of skin
            person = continue_lower_garment(
                person, labels, rep.paint, rep.background, alpha, keypoints.pose, waistband=waistband
            )
        painted, background, gain = rep.paint, rep.background, rep.gain
        if own_sleeves is not None and keypoints is not None:
            gain = _lift_sleeve_creases(gain, _sleeve_creases(keypoints, own_sleeves, h / 1024.0), h / 1024.0)
        rows, cols = rep.lit  # the gain is 1 outside: only there is the garment lit (apply_light is not cheap)
        garment = garment if fit else garment.clone()  # (the fit's garment is a copy of its own, not the caller's)
        ref = reference if reference.dim() == 1 else reference[..., rows, cols]
        garment[..., rows, cols] = apply_light(garment[..., rows, cols], gain[..., rows, cols], ref)
    hard = alpha
    alpha = _feather(alpha, feather_px) * alpha  # soft inwards only: no background from outside the garment
    if front_cut is not None and feather_px > 0 and table is UPPER_LABELS:
        # not where the garment goes behind what stays in front (the trousers' waistband, an arm, hair): the
        # photo's own edge of that is the border; a soft garment edge there showed the repaint under it (a rim)
        r = max(1, round(2 * feather_px))
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * r + 1, 2 * r + 1))
        cut = above_half(front_cut[:, 0])
        arm_np = None if own_sleeves is None else arm_cut.cpu().numpy()
        if arm_np is not None:  # (beside the arms last, below)
            cut &= ~arm_np
        behind = torch.from_numpy(np.stack([cv2.dilate(c.astype(np.uint8), kernel) for c in cut]) > 0)
        if arm_np is not None:  # a sleeve's hem over the arm coming out of it stays soft (it was a hard stair-step
            # line across the RHUDE tee's sleeves on cat_model_5); the sleeve's edge against the trousers, hard
            by_arm = torch.from_numpy(np.stack([cv2.dilate(c.astype(np.uint8), kernel) for c in arm_np]) > 0)
            behind |= by_arm & ~own_sleeves.cpu()
        behind = behind.to(alpha.device)
        alpha = torch.where(behind.unsqueeze(1), hard, alpha)
    image = torch.lerp(person, garment, alpha).clamp_(0, 1)  # (in place: the lerp's own new tensor)
    refine = _refine_mask(alpha, painted)
    return Composite(
        image=image, alpha=alpha, refine=refine, painted=painted, skin=skin, background=background, shading=gain
    )


@dataclass(frozen=True)
class _Fitted:
    garment: Tensor  # (B, 3, H, W) the warped garment, its texture continued over the grown band
    alpha: Tensor  # (B, 1, H, W) [0, 1] cut to the silhouette and grown over the nearby freed old clothes


def _fit_to_body(
    garment: Tensor,
    alpha: Tensor,
    codes: Tensor,
    arm_labels: Tensor,
    keypoints: KeypointPairs | None,
    tucked: tuple[Tensor, Tensor, Tensor | None] | None = None,
    no_grow: Tensor | None = None,
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
      without sleeve targets): a short sleeve or the torso's side does not spread down an arm. A tucked-in top
      (`tucked`: its cut rows (B or 1, W), inf = none, the lower garment (B, H, W) bool and optionally its sleeves'
      pixels (B, H, W) bool) is grown above its cut only as wide as the lower garment (`_beside_the_waist`), but from
      its sleeves (a long sleeve hangs beside the hips). Old clothes in `no_grow` (B, H, W) bool are never grown over.
    Lengths use the pose's shoulder width when `keypoints` carry a pose, else `FALLBACK_SW` of the height."""
    b, _, h, w = alpha.shape
    a_all = alpha.detach().float()[:, 0].cpu().numpy().copy()
    # (a plain copy: only the box grown over is read channels last, and written back, below)
    g_out = garment.detach().to(device="cpu", dtype=torch.float32).clone(memory_format=torch.contiguous_format)
    codes_np = codes.cpu().numpy()
    arms_np = arm_labels.cpu().numpy()
    cut_np = None if tucked is None else tucked[0].detach().double().cpu().numpy()
    lower_np = None if tucked is None else tucked[1].cpu().numpy()
    own_sleeves = None if tucked is None or tucked[2] is None else tucked[2].cpu().numpy()
    held_np = None if no_grow is None else no_grow.cpu().numpy()
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
        body = ((cc & CODE_BACKGROUND) == 0) & ((cc & CODE_HAIR) == 0)
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
                front_arms = ((cc[y0:y1] & CODE_ARM) > 0) & ~covered[y0:y1]  # (whole rows: to the centre line)
                past = _past_the_arms(front_arms, 0.5 * (neck_lo + neck_hi), zone_y - y0)[:, x0:x1]
                limit = np.where(past, np.float32(0.0), limit)
            a[y0:y1, x0:x1] *= np.clip(1.0 + (limit - d_body) / 2.0, 0.0, 1.0)  # soft over 2 px
            covered = a > 0.5
        # grow over nearby freed old clothes, and a sleeved garment over the bare shoulders' skin (the parse map's
        # arms in the shoulder zone, which `_bare_shoulders` already puts under it): its shoulder line, placed a
        # little inside the outline, left thin slits of the real shoulder beside it (VITON-HD 10549, sleeveless,
        # with T-shirts)
        old = (cc & CODE_OLD) > 0
        if np.isfinite(cuff_y):
            old = old | (arms_np[i] & (np.arange(h)[:, None] < zone_y))
        if held_np is not None:
            old = old & ~held_np[i]
        reach = GROW_SW * sw
        if not old.any() or reach < 1:
            continue
        y0, y1, x0, x1 = mask_box(covered | old, int(reach) + 2)
        y0, x0 = y0 - y0 % FILL_SCALE, x0 - x0 % FILL_SCALE  # the 1/FILL_SCALE grid of `_opening`, both ends:
        y1, x1 = min(h, y1 + (-y1) % FILL_SCALE), min(w, x1 + (-x1) % FILL_SCALE)  # mirror-symmetric
        crop = (slice(y0, y1), slice(x0, x1))
        cov, old_c = covered[crop], old[crop]
        g_c = channels_last(g_out[i, :, y0:y1, x0:x1].numpy())  # (H', W', 3)
        # from the garment's broad parts only: a strap over the old top does not spread into a smear around it
        broad = _opening(cov, THIN_SW * sw)
        if not broad.any():
            continue
        d_gar, labels = cv2.distanceTransformWithLabels(
            (~broad).astype(np.uint8), cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL
        )
        by, bx = nonzero_yx(broad)  # (label k - 1 is the k-th broad pixel in this order)
        # sideways (sleeve and side-seam widths follow the body; the neckline and the hem keep the garment's own
        # design): the outline's normal, from the blurred outline (the nearest pixel's direction saws along a
        # slanted edge), points more across than up or down; in the shoulder zone (above `zone_y`) up too, except
        # over the neck opening (`_neck_columns`): the shoulder line follows the body's shoulders
        yy, xx = np.ogrid[0 : broad.shape[0], 0 : broad.shape[1]]  # (a column and a row: the rules broadcast them)
        # (`blur_wide`: a sigma of ~10 px at 1024 rows, at a quarter of the resolution; 3.5 ms less a try-on, the
        # same directions but along a few flips where across and up are near equal)
        smooth = blur_wide(broad.astype(np.float32), max(2.0, reach / 2))
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
        limbs = _hidden_limbs(keypoints, i, (h, w), seen, bare=arms_np[i])
        if limbs is not None:
            arms_i = arms_i | limbs[crop]
        below_cuff = arms_i & (yy + y0 > cuff_y + GROW_SW * sw)
        # within that margin below the cuff, only the sleeve's own end spreads over the arm, not the torso's side
        # beside it (grown sideways from its rows below the cuff into a thinner bare arm, a garment-coloured blob
        # hung off the side seam and left a sliver of skin the repaint made wall: IDM 00035 in a black tee)
        src_y = by[np.clip(labels - 1, 0, len(by) - 1)] + y0
        below_cuff |= arms_i & (yy + y0 > cuff_y) & (src_y > cuff_y)
        # nor the torso's side (a source between the armpit targets, below them) over an arm beside it: grown out
        # from the side seam, a lump of garment hung under a slanted sleeve end, a stepped cuff (VITON-HD 07445)
        pit_lo, pit_hi = _armpit_columns(keypoints, i, (h, w))
        if keypoints is not None and np.isfinite(pit_lo) and np.isfinite(pit_hi):
            pits = _lowest_target_y(keypoints, i, (h, w), ("armpit_left", "armpit_right"))
            src_x = bx[np.clip(labels - 1, 0, len(bx) - 1)] + x0
            side = (src_x >= pit_lo) & (src_x <= pit_hi) & (src_y > pits)
            below_cuff |= arms_i & side & (yy + y0 > pits)
        grow &= ~below_cuff
        if cut_np is not None and lower_np is not None:
            cut_i = cut_np[i if cut_np.shape[0] > 1 else 0]
            arms_full = arms_np[i] if limbs is None else arms_np[i] | limbs  # (the pose's, under an old sleeve)
            beside = _beside_the_waist(lower_np[i], arms_full, cut_i, sw, reach)[crop]
            if own_sleeves is not None:  # (a band grown from a sleeve's pixel: its nearest broad pixel's)
                src_x = bx[np.clip(labels - 1, 0, len(bx) - 1)] + x0
                beside &= ~own_sleeves[i if own_sleeves.shape[0] > 1 else 0][src_y, src_x]
            grow &= ~beside
        # where the old clothes end along the band on the arm's bare skin (an old sleeve's hem above a longer new
        # sleeve), the sideways band ends in a slope, not a step: its width at most BAND_TAPER x the rows to that skin
        bare = arms_np[i][crop] & ~old_c & ~cov
        if bare.any():
            grow &= ~(sideways & (d_cov > BAND_TAPER * _rows_to(bare)))
        grow = _smooth_band(cov, grow, ~below_cuff & (old_c | ((cc[crop] & CODE_BACKGROUND) > 0)), GROW_SMOOTH_SW * sw)
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
        gy_, gx_ = nonzero_yx(grow)
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
        ry_, rx_ = nonzero_yx(rim)
        own = g_c[ry_, rx_]
        rim_limit = np.maximum(MIRROR_COLOUR, MIRROR_SPREAD * spread_small[ry_ // FILL_SCALE, rx_ // FILL_SCALE])
        stays = channel_sum(np.abs(own - tex[ry_, rx_])) < rim_limit
        tex[ry_[stays], rx_[stays]] = own[stays]
        # and the pin-holes left between the two (the warped mask's jagged edge, half-covered pixels)
        closed = cv2.morphologyEx((cov | grow).astype(np.uint8), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)) > 0
        grow |= closed & ~cov
        # (`g_c[grow | rim] = tex[grow | rim]` through flat indices: a 2-D mask over 3 channels took 3x as long)
        changed = np.flatnonzero(grow | rim)
        g_c.reshape(-1, 3)[changed] = tex.reshape(-1, 3)[changed]  # (`g_c` is contiguous: its reshape is a view)
        g_out[i, :, y0:y1, x0:x1] = torch.from_numpy(g_c).permute(2, 0, 1)
        a[crop][grow | rim] = 1.0

    def back(t: Tensor) -> Tensor:
        return t.to(device=alpha.device, dtype=alpha.dtype)

    return _Fitted(back(g_out).to(garment.dtype), back(torch.from_numpy(a_all).unsqueeze(1)))


def _hidden_limbs(
    keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int], arms: np.ndarray, bare: np.ndarray | None = None
) -> np.ndarray | None:
    """(H, W) bool: the pose's arm bones drawn as limbs (`seen_limbs`, at 1/`LIMB_SCALE`), but those the parse map's
    `arms` (H, W) bool show: a seen arm's own pixels say where it is, and its limb drawn around the
    bone also covered the old clothes beside it, which `_fit_to_body` then did not grow over (Dress Code 020718
    with 020720 from two photos: a pale repainted strip between the bare arm and the new dress); nor the forearms
    behind the body or the old clothes (`forearms_behind`, read on `bare` (H, W) bool, the parse map's arms; None:
    `arms`). Below a hidden upper arm, the notch between its limb and the seen forearm within an upper arm's width
    (`LIMB_WIDTHS` at the elbow) of the elbow is drawn too: the bent elbow is one arm. None without a pose."""
    h, w = size_hw
    seen = seen_limbs(keypoints, i, size_hw, arms)
    if seen is None:
        return None
    behind = forearms_behind(keypoints, i, size_hw, arms if bare is None else bare)
    hidden = np.zeros(seen[ARM_BONES[0]][0].shape, np.uint8)
    for bone, (limb, shown) in seen.items():
        if not shown and bone not in behind:
            hidden[limb] = 1
    xy, ok = joints_px(keypoints.pose, i, size_hw)  # (`seen_limbs` found a pose)
    sw = float(np.linalg.norm(xy[2] - xy[5])) if ok[2] and ok[5] else 0.0
    small_arms = arms[::LIMB_SCALE, ::LIMB_SCALE][: hidden.shape[0], : hidden.shape[1]]
    for upper, forearm in UPPER_AND_FOREARMS:
        elbow = upper[1]
        if seen[upper][1] or not seen[forearm][1] or not ok[elbow] or sw < 8:
            continue
        # a hidden upper arm over a seen forearm: the bent elbow's inner notch between the hidden limb's round end
        # and the forearm's pixels (closed over `ELBOW_NOTCH_SW`), within an upper arm's width of the elbow, is
        # arm too. It was old sleeve off the arms, grown over from the side seam, while the repaint paints the
        # whole elbow as skin: black blobs of the new tee in the repainted elbow (the unseen idm_sam11 in a hoodie,
        # with ootd_03032). Not the forearm's whole limb there: wider than a slim forearm, it kept the tee's side
        # off the old clothes beside it (a notch of skin at VITON-HD 00017's hem)
        r = max(1, round(ELBOW_NOTCH_SW * sw / LIMB_SCALE))
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
        both = (seen[upper][0] | small_arms).astype(np.uint8)
        notch = (cv2.morphologyEx(both, cv2.MORPH_CLOSE, kernel) > 0) & (both == 0)
        disc = np.zeros_like(hidden)
        centre = tuple(int(round(v / LIMB_SCALE)) for v in xy[elbow])
        cv2.circle(disc, centre, max(1, int(round(LIMB_WIDTHS[upper][1] * sw / LIMB_SCALE))), 1, -1)
        hidden[notch & (disc > 0)] = 1
    return cv2.resize(hidden, (hidden.shape[1] * LIMB_SCALE, hidden.shape[0] * LIMB_SCALE))[:h, :w] > 0


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


def _beside_the_waist(lower: np.ndarray, arms: np.ndarray, cut: np.ndarray, sw: float, reach: float) -> np.ndarray:
    """(H, W) bool: where a tucked-in top cut at the `cut` (W,) rows (inf = none) is not grown sideways: from
    `TUCK_SIDE_SW` shoulder widths (`sw` pixels) above the cut down to `reach` pixels under it (farther down no band
    grows), outside the columns the `lower` (H, W) bool garment spans within `HANG_SW` under it, and above that on a
    `BAND_TAPER` slope out from those columns (`reach` wide, the band's width); but for the pixels with an arm
    (`arms` (H, W) bool) farther out in their row or under them in their column within twice `reach` pixels (an
    arm hanging beside the hips, a hand on the hip, its forearm slanting away under the band: the band closes the
    gap to it, or a sliver or wedge of repainted old top showed between them)."""
    h, w = lower.shape
    beside = np.zeros((h, w), bool)
    finite = np.isfinite(cut)
    if not finite.any():
        return beside
    # (only the rows around the cut: over the whole image this took 30 ms)
    y0 = int(np.clip(np.floor(cut[finite].min() - TUCK_SIDE_SW * sw - reach / BAND_TAPER), 0, h))
    y1 = int(np.clip(np.ceil(cut[finite].max() + max(reach, HANG_SW * sw)) + 1, y0, h))
    rows = np.arange(y0, y1)[:, None]
    top = np.where(finite, cut, h)[None, :]
    spanned = np.flatnonzero((lower[y0:y1] & (rows > top) & (rows <= top + HANG_SW * sw)).any(0))
    if spanned.size == 0:  # (no lower garment seen under the cut: nothing to be as wide as)
        return beside
    cols = np.arange(w)
    out = np.maximum(np.maximum(spanned[0] - cols, cols - spanned[-1]), 0)  # (W,) columns outside the span
    slope = np.minimum(out, reach)[None, :] / BAND_TAPER  # (beyond the band's width: from as high as at its edge)
    zone = (out > 0)[None, :] & (rows > top - TUCK_SIDE_SW * sw - slope) & (rows <= top + reach)
    if not zone.any():
        return beside
    k = max(1, int(np.ceil(2 * reach)))  # (within `reach`, a wedge beside a slanting forearm stayed: wide 07966)
    counts = np.zeros((y1 - y0, w + 2 * k + 1), np.int32)  # (the running count of arm pixels, 0 before column 0)
    counts[:, k + 1 : k + 1 + w] = np.cumsum(arms[y0:y1], axis=1, dtype=np.int32)
    counts[:, k + 1 + w :] = counts[:, k + w : k + 1 + w]
    x = cols + k + 1  # (a column's index in the counts)
    outwards = np.where(cols < spanned[0], counts[:, x - 1] - counts[:, x - 1 - k], counts[:, x + k] - counts[:, x])
    under = arms[y0 : min(h, y1 + k)]  # (and under it in its column: a forearm crossing below the band)
    down = np.zeros((under.shape[0] + 1, w), np.int32)
    down[1:] = np.cumsum(under, axis=0, dtype=np.int32)
    r = np.arange(y1 - y0)
    below = down[np.minimum(r + k + 1, under.shape[0])] - down[r + 1]
    beside[y0:y1] = zone & (outwards == 0) & (below == 0)
    return beside


def _rows_to(mask: np.ndarray) -> np.ndarray:
    """(H, W) float32: per pixel, the rows to the nearest True pixel of `mask` (H, W) bool in its column (up or down;
    H where the column has none)."""
    h = mask.shape[0]
    rows = np.arange(h, dtype=np.int32)[:, None]  # (int32: the running extremes take half the time of int64's)
    above = np.maximum.accumulate(np.where(mask, rows, np.int32(-2 * h)), axis=0)
    below = np.minimum.accumulate(np.where(mask, rows, np.int32(3 * h))[::-1], axis=0)[::-1]
    return np.minimum(np.minimum(rows - above, below - rows), h).astype(np.float32)


def _main_colour(img: np.ndarray, seed: np.ndarray, grow: np.ndarray, reach: float) -> np.ndarray:
    """(H, W) bool: the `seed` pixels the grown band's smooth fill comes from. Per piece of the zone within 3 `reach`
    of the `grow` band (its connected parts: a shoulder's band, a side seam's, a hem corner's), the seeds there
    whose colour is within `MAIN_COLOUR` (sum of |RGB| differences) of their median in that piece, when they are at
    least `MAIN_SHARE` of them (one main colour), else all of them (a print, colour blocks); and every seed off the
    zone. One median for the whole band took a colour block's: a polo's light-blue yoke, where most of the band grew
    over the shoulders, filled its navy hem's sides and the pin-holes there light blue (unseen ootd_model_6 x
    idm_09163_00: pale flecks and strips along the hem)."""
    k = 2 * max(1, round(3 * reach)) + 1
    zone = cv2.dilate(grow.astype(np.uint8), np.ones((k, k), np.uint8))
    count, pieces, stats, _ = cv2.connectedComponentsWithStats(zone, connectivity=8)
    main = seed & (zone == 0)
    for j in range(1, count):
        # (in the piece's own box: its pixels in the same row order as over the whole crop, each piece's pass over
        # the crop was most of the time)
        x0, y0, bw, bh = stats[j, :4]
        box = (slice(y0, y0 + bh), slice(x0, x0 + bw))
        near = (pieces[box] == j) & seed[box]
        if near.sum() < 16:
            main[box] |= near
            continue
        px = img[box][near]
        median = np.median(px[::5], axis=0).astype(np.float32)
        kept = channel_sum(np.abs(px - median)) < MAIN_COLOUR
        if kept.sum() >= MAIN_SHARE * near.sum():
            ys, xs = nonzero_yx(near)
            main[box][ys[kept], xs[kept]] = True
        else:
            main[box] |= near
    return main


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


def _armpit_columns(keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int]) -> tuple[float, float]:
    """Image columns (left, right) of batch item `i`'s two armpit targets; (nan, nan) without both."""
    names = ("armpit_left", "armpit_right")
    if keypoints is None or not all(n in keypoints.names for n in names):
        return np.nan, np.nan
    pts = keypoints.person_px[i if keypoints.person_px.shape[0] > 1 else 0].detach().cpu().double().numpy()
    rows = [pts[keypoints.names.index(n)] for n in names]
    if any(r[2] <= 0 for r in rows):
        return np.nan, np.nan
    xs = sorted(float(r[0]) * size_hw[1] / keypoints.person_hw[1] for r in rows)
    return xs[0], xs[1]


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


#: `_sleeve_end_rows`: a new sleeve's own lowest pixel in a column ends it there when it lies at most this many
#: shoulder widths above its lowest cuff target (its hem, not its inner seam rising to the armpit).
HEM_ABOVE_SW = 0.1


def _sleeve_end_y(keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int]) -> float:
    """Image row of the lowest present sleeve-end target of batch item `i` (-inf without one: a sleeveless garment
    or pairs without sleeves)."""
    if keypoints is None:
        return -np.inf
    return _lowest_target_y(keypoints, i, size_hw, [n for n in keypoints.names if n.startswith("sleeve_")])


def _sleeve_end_rows(
    keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int], worn: np.ndarray | None = None
) -> np.ndarray:
    """(W,) float64 image row of the sleeve end on each column's side of batch item `i`: the wearer's right sleeve's
    lowest present target left of the middle between the two sleeves' targets, the left sleeve's right of it (with
    tilted shoulders one sleeve ends well above the other: the lowest of both kept the higher sleeve's arm under the
    garment's side below it, OOTD 09597 with a T-shirt showed a sleeve cut straight down along the arm);
    `_sleeve_end_y` on both sides where a sleeve has no target (-inf without any). With `worn` (2, H, W) bool, the
    new sleeves' pixels (right, left), a column whose side's sleeve ends higher, within `HEM_ABOVE_SW` shoulder
    widths, ends under its lowest pixel there (`_hem_rows`)."""
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
    right = (cols < middle) == (x_r < x_l)
    rows = np.where(right, y_r, y_l)
    if worn is not None:
        reach = HEM_ABOVE_SW * _shoulder_scale(keypoints, i, size_hw)[0]
        rows = np.where(right, _hem_rows(worn[0], rows, reach), _hem_rows(worn[1], rows, reach))
    return rows


def _hem_rows(sleeve: np.ndarray, rows: np.ndarray, reach: float) -> np.ndarray:
    """(W,) float64: `rows` (W,) but, in the columns where `sleeve` (H, W) bool's lowest pixel lies above it by at most
    `reach` pixels, that pixel's row. A short sleeve's hem crosses the arm on a slant or a curve, ending above its
    lowest cuff target's row: cut along that row, the torso's side under the sleeve's inner corner stayed over the
    arm, a step down from the hem (the navy polo idm_09163_00 on ootd_model_6, the RHUDE tee on cat_model_5)."""
    h = sleeve.shape[0]
    has = sleeve.any(0)
    lowest = h - 1 - np.argmax(sleeve[::-1], axis=0).astype(np.float64)
    hem = has & (lowest < rows) & (lowest >= rows - reach)
    return np.where(hem, lowest, rows)


def _lowest_target_y(keypoints: KeypointPairs, i: int, size_hw: tuple[int, int], names: Sequence[str]) -> float:
    """Image row (in an image of `size_hw`) of the lowest present person target among `names` of batch item `i`;
    -inf without one."""
    present = [keypoints.names.index(n) for n in names if n in keypoints.names]
    if not present:
        return -np.inf
    pts = keypoints.person_px[i if keypoints.person_px.shape[0] > 1 else 0].detach().cpu().double().numpy()
    ys = [pts[k, 1] for k in present if pts[k, 2] > 0]
    return float(max(ys)) * size_hw[0] / keypoints.person_hw[0] if ys else -np.inf


def _shoulder_scale(keypoints: KeypointPairs | None, i: int, size_hw: tuple[int, int]) -> tuple[float, float]:
    """(shoulder width px, lower edge of the shoulder zone px) of batch item `i` in an image of `size_hw`: from the
    pose's shoulders, the zone reaching `SHOULDER_ZONE_SW` shoulder widths under the lower shoulder joint (the
    shoulder caps, not the gap between a hanging arm and the torso); `FALLBACK_SW` of the height and a third of it
    without a pose."""
    h, w = size_hw
    fallback = (FALLBACK_SW * h, h / 3.0)
    if keypoints is None or keypoints.pose is None:
        return fallback
    xy, ok = joints_px(keypoints.pose, i, size_hw)
    if not (ok[2] and ok[5]):
        return fallback
    rs, ls = xy[2], xy[5]
    sw = max(float(np.linalg.norm(ls - rs)), 1.0)
    return sw, float(max(rs[1], ls[1])) + SHOULDER_ZONE_SW * sw


_HAT_HAIR = (1, 2)
#: where two old garments meet, or old clothes meet the legs (`_old_garment_seams`), the light is not read within
#: this many pixels (at 1024 rows): the tank top's hem on white shorts (the unseen Yifeng) cast a shadow and a line of
#: stitching that a new dress carried as a dark band across the waist, the shorts' hems as one across the thighs.
SEAM_PX = 8.0
#: Two or more old garments of at least GARMENT_MIN_PX pixels (at 1024 rows) each (a white top over black trousers
#: under a dress): the new garment is lit relative to each one's own median luminance (`_garment_references`,
#: `apply_light`), blended across their borders over GARMENT_REF_PX (Gaussian sigma, pixels at 1024 rows): one median
#: for both, the trousers', mixed the white top's folds on a white bodice down as though read off black cloth.
GARMENT_MIN_PX = 4096
GARMENT_REF_PX = 32.0
#: Under a new sleeve, the gain is held up within this many pixels (at 1024 rows) of the body's sides (the pose's
#: armpit-to-hem lines, `_sleeve_creases`): there an old sleeve met the old top's torso, and the dark crease between
#: them (a gap, no fold) fell mid-sleeve when the new sleeve was wider (the unseen 00035's near-black top gave a dark
#: blotch at the gain's floor on a peach blouse's sleeve).
SLEEVE_CREASE_PX = 16.0
#: ... from SLEEVE_CREASE_UP of the way from the armpit target up to the shoulder's height (the garment's armpit sits
#: under the body's own: the unseen 00035's crease starts ~0.6 of the way up) down to the hem target.
SLEEVE_CREASE_UP = 0.5
#: ... there the gain keeps at least SLEEVE_CREASE_FLOOR (softened in over SLEEVE_CREASE_SOFT_PX, Gaussian sigma at
#: 1024 rows): a gap between two parts is a deep shadow (00035: the gain's floor, 0.64), a fold of a sleeve of the old
#: one's width a shallow one, which stays (left out of the light altogether, the paired Dress Code shirts' own creases
#: went: box SSIM -0.002).
SLEEVE_CREASE_FLOOR = 0.85
SLEEVE_CREASE_SOFT_PX = 4.0


def _codes(labels: Tensor, table: CompositeLabels) -> Tensor:
    """(B, H, W) labels -> uint8 bit codes (front, arm, old clothes, skin, background, body, face) with one table
    lookup; body (the fill's body seeds) = skin, lower, arms and front labels but hat, hair (hair over a shoulder
    says little of what is under freed clothes next to it) and the replaced clothes."""
    lut = torch.zeros(256, dtype=torch.uint8, device=labels.device)
    body = set(table.skin + table.lower + table.arms + table.front) - set(_HAT_HAIR) - set(table.old)
    for values, bit in (
        (table.front, CODE_FRONT),
        (table.arms, CODE_ARM),
        (table.old, CODE_OLD),
        (table.skin, CODE_SKIN),
        ((0,), CODE_BACKGROUND),
        (tuple(sorted(body)), CODE_BODY),
        ((13,), CODE_FACE),
        (_HAT_HAIR, CODE_HAIR),
    ):
        if values:
            lut[list(values)] |= bit
    return take(lut, labels.clamp(0, 255))


def _garment_references(person: Tensor, labels: Tensor, old: Sequence[int], reference: Tensor) -> Tensor:
    """The old clothes' luminance the light-and-folds gain is read against (`apply_light`'s `reference`): `reference`
    (B,) itself when no batch item has two old garments (`GARMENT_MIN_PX`), else (B, 1, H, W): each old garment's
    median luminance in `person` (B or 1, 3, H, W) over its pixels of `labels` (B, H, W), blended across their
    borders (`GARMENT_REF_PX`) and carried out past them; `reference` in an item with one."""
    b, (h, w) = labels.shape[0], labels.shape[-2:]
    unit = h / 1024.0
    lab = labels.cpu().numpy()
    # (`count_nonzero`: a bool map's `sum` took twice as long)
    kinds = [[k for k in old if np.count_nonzero(lab[i] == k) >= GARMENT_MIN_PX * unit * unit] for i in range(b)]
    if all(len(k) < 2 for k in kinds):
        return reference
    out = reference.detach().float().cpu().numpy().reshape(b, 1, 1, 1).repeat(h, 2).repeat(w, 3)
    small = (-(-w // 4), -(-h // 4))  # (blended at a quarter of the resolution: it is smooth)
    for i, garments in enumerate(kinds):
        if len(garments) < 2:
            continue
        img = person[i if person.shape[0] > 1 else 0].detach().float().cpu().numpy()
        luma = np.tensordot(np.asarray(LUMA_WEIGHTS, np.float32), img, axes=1)
        num, den = np.zeros(small[::-1], np.float32), np.zeros(small[::-1], np.float32)
        for k in garments:
            mine = lab[i] == k
            share = cv2.GaussianBlur(
                cv2.resize(mine.astype(np.float32), small, interpolation=cv2.INTER_AREA),
                (0, 0),
                GARMENT_REF_PX * unit / 4,
            )
            num += share * float(np.median(luma[mine]))
            den += share
        # (far from all of them, as near them: the nearest level; `den` never vanishes inside a Gaussian's reach)
        level = num / np.maximum(den, 1e-6)
        out[i, 0] = cv2.resize(level, (w, h), interpolation=cv2.INTER_LINEAR)
    return torch.from_numpy(out).to(device=reference.device, dtype=reference.dtype)


def _legged_clothes(labels: Tensor) -> Tensor:
    """(B, H, W) bool: the pixels of `LEGGED_LABELS` in `labels` (B, H, W) of each item whose lowest `LEGGED_HEM`
    parts into two legs (`LEGGED_PIECE`); none in the others."""
    legged = labels_in(labels, LEGGED_LABELS)
    masks = legged.cpu().numpy()
    for i, mask in enumerate(masks):
        rows = np.flatnonzero(mask.any(1))
        if rows.size == 0:
            continue
        hem = mask[rows[-1] - int(LEGGED_HEM * (rows[-1] - rows[0])) : rows[-1] + 1].astype(np.uint8)
        _, _, stats, _ = cv2.connectedComponentsWithStats(hem, connectivity=8)
        if int((stats[1:, cv2.CC_STAT_AREA] >= LEGGED_PIECE * int(hem.sum())).sum()) < 2:
            legged[i] = False
    return legged


def _old_garment_seams(labels: Tensor, old: Sequence[int], legs: Tensor, unit: float) -> Tensor:
    """(B, H, W) bool: the old clothes' pixels of `labels` (B, H, W) within `SEAM_PX` (at 1024 rows; `unit` = rows
    / 1024; a square window) of another of the `old` labels (a tank top's hem on shorts) or of the `legs` (B or 1,
    H, W) bool (shorts' hems): the light is not read there. (OpenCV's dilation per label: torch's max-pool with
    this window took ~0.2 s a call on 2 CPU threads at 1024 x 768.)"""
    kernel = np.ones((2 * max(1, round(SEAM_PX * unit)) + 1,) * 2, np.uint8)
    lab, legs_np = labels.cpu().numpy(), legs.cpu().numpy()
    out = np.zeros(lab.shape, bool)
    for i in range(lab.shape[0]):
        reach = np.zeros(lab.shape[1:], np.uint8)  # how many old labels lie within the window
        is_old = np.zeros(lab.shape[1:], bool)  # (gathered label by label: `np.isin` of the map cost more)
        for k in old:
            mine = lab[i] == k
            if mine.any():
                reach += cv2.dilate(mine.astype(np.uint8), kernel)
                is_old |= mine
        near_legs = cv2.dilate(legs_np[i if legs_np.shape[0] > 1 else 0].astype(np.uint8), kernel) > 0
        out[i] = is_old & ((reach > 1) | near_legs)
    return torch.from_numpy(out).to(labels.device)


def _sleeve_creases(keypoints: KeypointPairs, sleeves: Tensor, unit: float) -> Tensor:
    """(B, H, W) bool: the new `sleeves`' pixels (B, H, W) bool within `SLEEVE_CREASE_PX` (at 1024 rows; `unit` =
    rows / 1024) of the body's sides, the lines from each armpit target to the hem target below it (where an arm
    hanging along the body met the old top's torso); none where those targets are missing."""
    b, h, w = sleeves.shape
    thick = 2 * max(1, round(SLEEVE_CREASE_PX * unit)) + 1
    names = keypoints.names
    person = keypoints.person_px.detach().cpu().double().numpy()
    out = np.zeros((b, h, w), np.uint8)
    for i in range(b):
        item = person[i if person.shape[0] > 1 else 0]
        for side in ("right", "left"):
            ends = [f"shoulder_{side}", f"armpit_{side}", f"hem_{side}"]
            if not all(n in names for n in ends):
                continue
            (_, ys, vs), (x0, y0, v0), (x1, y1, v1) = (item[names.index(n)] for n in ends)
            if not (vs > 0 and v0 > 0 and v1 > 0) or y1 <= y0:
                continue
            # (up along the same line, SLEEVE_CREASE_UP of the way to the shoulder's height)
            up = SLEEVE_CREASE_UP * max(0.0, y0 - ys) / (y1 - y0)
            top = (round(x0 - up * (x1 - x0)), round(y0 - up * (y1 - y0)))
            cv2.line(out[i], top, (round(x1), round(y1)), 1, thick)
    return torch.from_numpy(out > 0).to(sleeves.device) & sleeves


def _lift_sleeve_creases(gain: Tensor, creases: Tensor, unit: float) -> Tensor:
    """`gain` (B, 1, H, W) with at least `SLEEVE_CREASE_FLOOR` on `creases` (B, H, W) bool (`_sleeve_creases`),
    blended in over `SLEEVE_CREASE_SOFT_PX` (at 1024 rows; `unit` = rows / 1024)."""
    sigma = SLEEVE_CREASE_SOFT_PX * unit
    out = gain.clone()
    for i, crease in enumerate(creases.cpu().numpy()):
        if not crease.any():
            continue
        y0, y1, x0, x1 = mask_box(crease, int(np.ceil(4.0 * sigma)) + 2)  # (blur_in_box's reach: 0 beyond)
        share = torch.from_numpy(blur_in_box(crease, sigma)[y0:y1, x0:x1]).to(gain).clamp_(0.0, 1.0)
        box = out[i, 0, y0:y1, x0:x1]
        box.lerp_(box.clamp_min(SLEEVE_CREASE_FLOOR), share)  # (on the crease's box only: a full frame cost ~15 ms)
    return out


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


def _skin_colour(person: Tensor, codes: Tensor) -> Tensor:
    """(B, 3) median colour of the visible skin (every 4th row and column): arms, neck and face pixels `skin_like`
    the face's median (VITON-HD parses label long sleeves as arms and turtlenecks as neck), all of them when < 50
    face pixels; `NEUTRAL_SKIN` when < 50 remain."""
    out = []
    sub = codes[:, ::4, ::4].cpu().numpy()
    img = person[:, :, ::4, ::4].detach().float().cpu().numpy().transpose(0, 2, 3, 1)
    for i in range(person.shape[0]):
        px = img[i][(sub[i] & CODE_SKIN) > 0]
        face = _face_centre((sub[i] & CODE_FACE) > 0)
        if int(face.sum()) >= 50 and len(px) > 0:
            px = px[skin_like(px, np.median(img[i][face], axis=0))]
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


def _sleeves_to_old(
    person: Tensor, codes: Tensor, skin: Tensor, neck: Tensor | None = None, hands: Tensor | None = None
) -> Tensor:
    """Arm pixels, and `neck` (B, H, W) bool pixels, that are not skin (`skin_like` the skin model) and nearer the
    old clothes' median colour than the skin's (VITON-HD parses label long sleeves as arms and high necks as neck)
    become old clothes: a short new sleeve does not leave the old long one under it, nor a new neckline the old
    lace high neck. Not on `hands` (B, H, W) bool (`_hands`: no sleeve there, only shaded fingers). Only where the
    skin model comes from the face (>= 50 face pixels at every 4th row and column); specks under `SLEEVE_MIN_PX` are
    left as they were."""
    sub = codes[:, ::4, ::4]
    out = codes.clone()
    img = person.detach().float().permute(0, 2, 3, 1).cpu().numpy()  # a view: only read
    codes_np = codes.cpu().numpy()
    r, kernel = _sleeve_min_kernel(person.shape[-2])
    skin_np = skin.detach().float().cpu().numpy()
    for i in range(codes.shape[0]):
        arm_full = (codes_np[i] & CODE_ARM) > 0
        if neck is not None:
            arm_full = arm_full | neck[i].cpu().numpy()
        if int(((sub[i] & CODE_FACE) > 0).sum()) < 50 or not arm_full.any():
            continue
        y0, y1, x0, x1 = mask_box(arm_full, r)
        arm = arm_full[y0:y1, x0:x1]
        old = (codes_np[i] & CODE_OLD) > 0
        if not old.any():
            continue
        old_colour = np.median(every_masked(img[i], old, 7), axis=0)
        px = img[i, y0:y1, x0:x1][arm]
        nearer_old = channel_sum(np.abs(px - old_colour)) < channel_sum(np.abs(px - skin_np[i]))
        sleeve = np.zeros(arm.shape, np.uint8)
        sleeve[arm] = ~skin_like(px, skin_np[i]) & ~_lit_skin(px, skin_np[i], old_colour) & nearer_old
        if hands is not None:
            sleeve[hands[i, y0:y1, x0:x1].cpu().numpy()] = 0
        sleeve = cv2.morphologyEx(sleeve, cv2.MORPH_OPEN, kernel) > 0
        if neck is not None and sleeve.any():
            # a high neck is part of the old top: on the neck, only parts touching the old clothes (the shadow under
            # a turned jaw, as dark as a black top and off the skin's chromaticity, was repainted as a lit neck cut
            # off at the chin's row)
            loose = sleeve & ~((codes_np[i] & CODE_ARM) > 0)[y0:y1, x0:x1]
            touch = cv2.dilate(old[y0:y1, x0:x1].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
            sleeve &= ~(loose & ~connected_to(loose, loose & touch))
        if sleeve.any():
            mask = torch.from_numpy(sleeve).to(codes.device)
            part = out[i, y0:y1, x0:x1]
            part[mask] = (part[mask] | CODE_OLD) & ~(CODE_ARM | CODE_SKIN | CODE_BODY | CODE_FRONT)
    return out


def _lit_skin(px: np.ndarray, skin: np.ndarray, old: np.ndarray) -> np.ndarray:
    """(N,) bool: colours `px` (N, 3) that are the `skin` (3,) model lit by white light and unlike the `old` (3,)
    clothes' colour (`LIT_SKIN_SHARE`, `LIT_SKIN_OFF`)."""

    def off_grey(colour: np.ndarray) -> np.ndarray:
        return colour / (channel_sum(colour)[..., None] + 1e-3) - 1.0 / 3.0

    towards = off_grey(skin)
    norm = float(towards @ towards)
    if norm < 1e-6:  # (a grey skin model: no direction to the skin)
        return np.zeros(len(px), bool)
    own = off_grey(px)
    share = own @ towards / norm
    on_line = channel_max(np.abs(own - share[:, None] * towards)) < LIT_SKIN_OFF
    tinted = share - float(off_grey(old) @ towards / norm) >= LIT_SKIN_SHARE
    return tinted & on_line & (channel_sum(px) > channel_sum(skin))


def _clean_arm_front(person: Tensor, codes: Tensor, arms: Tensor, over: Tensor, skin: Tensor) -> tuple[Tensor, Tensor]:
    """The `arms` (B, H, W) bool kept in front, where they lie `over` the new garment (B, H, W) bool, cut to a clean
    edge, and `codes` (B, H, W) with what they take in made arm. An arm crossing the body has a ragged outline in
    the parse map (its shaded edge against a dark top fails the colour test in bits, skin seen through the old top's
    ring joins it): kept in front as it was, it cut notches and pale specks into the new garment (the wide unseen
    14627's forearm by a black crop top). The front is where the arm's pixels opened by `ARM_OPEN_PX` (at 1024 rows;
    their parts smaller than (2 `ARM_EDGE_PX`) squared dropped) are, grown into the old clothes' pixels of the
    person's skin in shadow (`_skin_in_shadow` of the skin model `skin` (B, 3)) within `ARM_EDGE_PX` of it, in the
    notches of its outline (its closing by `ARM_NOTCH_PX`) and joined to it through such pixels, and closed by
    `ARM_OPEN_PX` over the old clothes (a dark crease across its edge; repainted, as are the pose's arms kept in
    front over an old sleeve)."""
    unit = person.shape[-2] / 1024.0
    r, t = max(1, round(ARM_EDGE_PX * unit)), max(1, round(ARM_OPEN_PX * unit))
    reach = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    thin = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * t + 1, 2 * t + 1))
    n = max(1, round(ARM_NOTCH_PX * unit))
    arms_np, over_np, codes_np = arms.cpu().numpy().copy(), over.cpu().numpy(), codes.cpu().numpy().copy()
    front_all = arms_np & over_np
    img = person.detach().float().permute(0, 2, 3, 1).cpu().numpy()  # a view: only read
    skin_np = skin.detach().float().cpu().numpy()
    for i in range(arms.shape[0]):
        if not front_all[i].any():
            continue
        y0, y1, x0, x1 = mask_box(front_all[i], 2 * r + t)
        front, cc = front_all[i, y0:y1, x0:x1], codes_np[i, y0:y1, x0:x1]
        old = ((cc & CODE_OLD) > 0) & over_np[i, y0:y1, x0:x1]
        # (the whole arm opened, not its front alone: a strip of it along the garment's side is the arm's edge; with
        # the front, which holds the pose's arms drawn over old sleeves)
        whole = cv2.morphologyEx((((cc & CODE_ARM) > 0) | front).astype(np.uint8), cv2.MORPH_OPEN, thin)
        count, pieces, stats, _ = cv2.connectedComponentsWithStats(whole, connectivity=8)
        big = stats[:, cv2.CC_STAT_AREA] >= (2 * r) ** 2
        big[0] = False
        kept = big[pieces] & front
        band = (cv2.dilate(kept.astype(np.uint8), reach) > 0) & old & ~kept
        if band.any():
            # (into notches of the arm's outline only: not out along a light top's shadow beside a straight arm)
            # (over a box as much wider as the notches are: the arm's outline around them)
            b0, b1, c0, c1 = mask_box(front_all[i], n + t)
            arm_wide = ((codes_np[i, b0:b1, c0:c1] & CODE_ARM) > 0) | front_all[i, b0:b1, c0:c1]
            band &= _closed_coarsely(arm_wide.astype(np.uint8), n)[y0 - b0 : y1 - b0, x0 - c0 : x1 - c0]
            old_colour = np.median(every_masked(img[i, y0:y1, x0:x1], (cc & CODE_OLD) > 0, 3), axis=0)
            band[band] = _skin_in_shadow(img[i, y0:y1, x0:x1][band], skin_np[i], old_colour)
            band = connected_to(band, kept)
            kept |= band
        closed = cv2.morphologyEx(kept.astype(np.uint8), cv2.MORPH_CLOSE, thin) > 0
        kept |= closed & (front | old)
        arms_np[i, y0:y1, x0:x1] = (arms_np[i, y0:y1, x0:x1] & ~front) | kept
        # (the skin taken in is arm, as the photo shows it; the rest of the old clothes in front is repainted)
        cc[band] = (cc[band] | CODE_ARM | CODE_SKIN | CODE_BODY) & (0xFF ^ CODE_OLD)
    return torch.from_numpy(arms_np).to(arms.device), torch.from_numpy(codes_np).to(codes.device)


def _old_to_neck(person: Tensor, labels: Tensor, codes: Tensor, skin: Tensor, zone: Tensor) -> Tensor:
    """(B, H, W) int64 `labels` with old-clothes pixels of the neck relabelled `NECK_LABEL`: inside `zone` (B, H, W)
    bool (above the new collar, `_neck_zone`), `skin_like` the skin model `skin` (B, 3) and nearer it than the old
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
        old = (codes_np[i] & CODE_OLD) > 0
        candidate = old & zone_np[i]
        if int(((sub[i] & CODE_FACE) > 0).sum()) < 50 or not candidate.any():
            continue
        y0, y1, x0, x1 = mask_box(candidate, 2 * r)
        cand = candidate[y0:y1, x0:x1]
        px = img[i, y0:y1, x0:x1][cand]
        old_colour = np.median(every_masked(img[i], old, 7), axis=0)
        nearer_skin = channel_sum(np.abs(px - skin_np[i])) < channel_sum(np.abs(px - old_colour))
        raw = np.zeros(cand.shape, np.uint8)
        raw[cand] = _shaded_skin_like(px, skin_np[i]) & nearer_skin
        part = cv2.morphologyEx(raw, cv2.MORPH_OPEN, kernel)
        if not part.any():
            continue
        # only the parts joined to the neck or the face (not a skin-coloured print lower down)
        head = ((codes_np[i, y0:y1, x0:x1] & CODE_FACE) > 0) | (labels[i, y0:y1, x0:x1] == NECK_LABEL).cpu().numpy()
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


def _shaded_skin_like(px: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """(N,) bool: colours (N, 3) `skin_like` the skin `ref` (3,) shaded to their own luminance (`shade_skin`, darker
    is redder; the gain within `skin_like`'s 0.6 .. 1.4): the shadowed side of a neck under the jaw is skin too
    (against the face's lit tone alone, an estimated parse map's strip of it stayed old clothes, repainted as a
    pale ragged patch beside the new collar)."""
    luma = np.asarray(LUMA_WEIGHTS, np.float32)
    gain = np.clip((px @ luma) / max(float(ref @ luma), 1e-3), 0.6, 1.4)
    return skin_like(px, shade_skin(ref.astype(np.float32), gain))


def _closed_coarsely(mask: np.ndarray, radius: int) -> np.ndarray:
    """(H, W) bool: `mask` (H, W) uint8 {0, 1} closed by a disc of `radius` pixels, worked out at 1 / `NOTCH_SCALE`
    of the resolution (a disc that wide over the full crop took ~70 ms on 2 threads) and resampled smoothly."""
    h, w = mask.shape
    small = cv2.resize(
        mask.astype(np.float32), (max(1, w // NOTCH_SCALE), max(1, h // NOTCH_SCALE)), interpolation=cv2.INTER_AREA
    )
    k = max(1, round(radius / NOTCH_SCALE))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
    closed = cv2.morphologyEx((small > 0.5).astype(np.float32), cv2.MORPH_CLOSE, disc)
    return cv2.resize(closed, (w, h), interpolation=cv2.INTER_LINEAR) > 0.5


def _skin_in_shadow(px: np.ndarray, ref: np.ndarray, old: np.ndarray) -> np.ndarray:
    """(N,) bool: colours (N, 3) `skin_like` the skin `ref` (3,) or it shaded darker to their own luminance
    (`shade_skin`, redder; the gain within 0.6 .. 1), and of a chromaticity (rgb / sum) nearer that skin's than the
    old clothes' colour `old` (3,)'s: an arm's shaded edge, not a light top's warm shadow beside the arm (VITON-HD
    10549's white lace). Not shaded lighter, as `_shaded_skin_like` is: skin lit to white matched a white top."""
    luma = np.asarray(LUMA_WEIGHTS, np.float32)
    gain = np.clip((px @ luma) / max(float(ref @ luma), 1e-3), 0.6, 1.0)
    shaded = shade_skin(ref.astype(np.float32), gain)
    return (skin_like(px, ref) | skin_like(px, shaded)) & nearer_in_chroma(px, shaded, old)


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


def _limbs(keypoints: KeypointPairs, arms: Tensor, size_hw: tuple[int, int]) -> Tensor | None:
    """(B, H, W) bool: the pose's arms (`body_prior` of the arm bones, without the torso), but the forearms behind
    the body or the old clothes (`forearms_behind`, read on `arms` (B, H, W) bool, the parse map's arms: Dress Code
    020718 from two photos kept a notch of her hidden wrist out of the new dress); None without a pose."""
    out = []
    arms_np = arms.cpu().numpy()
    for i in range(arms.shape[0]):
        behind = forearms_behind(keypoints, i, size_hw, arms_np[i])
        prior = body_prior(keypoints, i, size_hw, 1, tuple(b for b in ARM_BONES if b not in behind), torso=False)
        if prior is None:
            return None
        out.append(torch.from_numpy(prior > 0))
    return torch.stack(out).to(arms.device)


def _hands(keypoints: KeypointPairs, b: int, size_hw: tuple[int, int], device: torch.device) -> Tensor | None:
    """(B, H, W) bool: the pose's hands, past `HAND_PAST_WRIST` shoulder widths beyond each wrist joint along its
    forearm and within `HAND_REACH` of the wrist; None without a pose."""
    if keypoints.pose is None:
        return None
    h, w = size_hw
    out = np.zeros((b, h, w), bool)
    for i in range(b):
        xy, ok = joints_px(keypoints.pose, i, size_hw)
        if not (ok[2] and ok[5]):
            continue
        sw = float(np.linalg.norm(xy[2] - xy[5]))
        reach = HAND_REACH * sw
        for elbow, wrist in ((3, 4), (6, 7)):  # BODY_25: right, left
            forearm = xy[wrist] - xy[elbow]
            length = float(np.linalg.norm(forearm))
            if not (ok[elbow] and ok[wrist]) or length < 1:
                continue
            # (only the box within `reach` of the wrist: a whole-image grid per hand is not free)
            x0, x1 = int(max(xy[wrist][0] - reach, 0)), int(min(xy[wrist][0] + reach + 1, w))
            y0, y1 = int(max(xy[wrist][1] - reach, 0)), int(min(xy[wrist][1] + reach + 1, h))
            if x0 >= x1 or y0 >= y1:
                continue
            dy, dx = np.mgrid[y0:y1, x0:x1].astype(np.float64)
            dx, dy = dx - xy[wrist][0], dy - xy[wrist][1]
            past = (dx * forearm[0] + dy * forearm[1]) / length
            out[i, y0:y1, x0:x1] |= (past > HAND_PAST_WRIST * sw) & (dx * dx + dy * dy < reach * reach)
    return torch.from_numpy(out).to(device)


def _own_sleeves(sleeves: Tensor, keypoints: KeypointPairs | None) -> Tensor:
    """(B, H, W) bool: the new sleeves' pixels (`sleeves` (B, 2, H, W): right, left) where no arm is in front of
    them: all of each sleeve but, with a pose, the other arm's forearm (a hand laid on the other upper arm)."""
    b, _, h, w = sleeves.shape
    right, left = sleeves[:, 0].clone(), sleeves[:, 1].clone()
    for i in range(b):
        if not bool(right[i].any() or left[i].any()):
            continue
        for own, other in ((right, (6, 7)), (left, (3, 4))):
            forearm = body_prior(keypoints, i, (h, w), 1, (other,), torso=False)
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
        forearms = body_prior(keypoints, i, size_hw, 1, ((3, 4), (6, 7)), torso=False)
        if forearms is not None:
            zone &= forearms == 0
        out[i] = torch.from_numpy(zone).to(device)
    return out


def _upper_arms_in_sleeves(
    keypoints: KeypointPairs,
    ends: Sequence[np.ndarray],
    size_hw: tuple[int, int],
    device: torch.device,
    arms: Tensor | None = None,
) -> Tensor:
    """(B, H, W) bool: the upper arms (`SLEEVE_TUBE` wide) above the lowest sleeve-end target, but the pose's
    forearms: a sleeve is a tube around the upper arm, so an arm there is inside it, under the garment, even where
    the new sleeve landed narrower than the arm or beside it (under the armpits the whole torso keeps arms in
    front, `_torso_polygon`: Dress Code 020718 with 020720, two photos, showed a skin-coloured square of the arm's
    inner edge inside the dress's short sleeve). Above the armpit targets, with `arms` (B, H, W) bool, also the
    rest of each arm's run across the row from the tube, at most `SLEEVE_RUN` shoulder widths (the arm is widest
    there: a loose T-shirt dress's wide torso kept the inner edge of 020715's arm in front as a skin-coloured slit
    by its shoulder). All False without sleeve targets or a pose. `ends`: per batch item the (W,) row where each
    column's sleeve ends (`_sleeve_end_rows`: at its hem with the new sleeves' pixels), where the tube ends."""
    h, w = size_hw
    out = torch.zeros((len(ends), h, w), dtype=torch.bool, device=device)
    arms_np = None if arms is None else arms.cpu().numpy()
    for i, rows in enumerate(ends):
        upper = body_prior(keypoints, i, size_hw, 1, UPPER_ARMS, torso=False, widths=SLEEVE_TUBE)
        if not np.isfinite(rows).all() or upper is None:
            continue
        upper[np.arange(h)[:, None] >= np.ceil(rows)[None, :]] = 0
        forearms = body_prior(keypoints, i, size_hw, 1, ((3, 4), (6, 7)), torso=False)
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


def _below_sleeves(
    keypoints: KeypointPairs, ends: Sequence[np.ndarray], size_hw: tuple[int, int], device: torch.device
) -> Tensor:
    """(B, H, W) bool: the rows under the garment's sleeves, where no part of it covers an arm (an arm there is in
    front of the garment: a hem or a side flap does not hide it): under each side's own lowest sleeve-end target
    (`_sleeve_end_rows`), or under the
    lowest armpit target of a sleeveless garment; all False without either. `ends`: per batch item the (W,) rows
    of `_sleeve_end_rows` (each column's hem with the new sleeves' pixels)."""
    h, w = size_hw
    out = torch.zeros((len(ends), h, w), dtype=torch.bool, device=device)
    for i, rows in enumerate(ends):
        start = np.ceil(rows) + 1
        if not np.isfinite(rows).all():
            row = _lowest_target_y(keypoints, i, size_hw, ("armpit_left", "armpit_right"))
            if not np.isfinite(row):
                continue
            # (from `ARMPIT_SLACK_PX` above the armpit target's row: the warp puts the garment's armpit corner on
            # it, and a side flap's top rows left above the arm in front were a dark line across the repainted
            # arm at strap level, the unseen idm_00121 under a bustier)
            start = np.full(w, np.floor(row) - max(1.0, ARMPIT_SLACK_PX * h / 1024.0))
        below = np.arange(h)[:, None] >= start[None, :]
        out[i] = torch.from_numpy(below).to(device)
    return out


def _neck_zone(
    keypoints: KeypointPairs,
    b: int,
    size_hw: tuple[int, int],
    device: torch.device,
    *,
    wider: float = 0.0,
    garment: Tensor | None = None,
) -> Tensor:
    """(B, H, W) bool: where the garment shows its back neckline (the inside of its back, seen through the neck
    opening in a flat photo): above the curve from the collar_right target down `NECK_DEPTH` collar widths at the
    middle and up to the collar_left target (a parabola in the frame of the collar line), and `wider` collar widths
    beyond each target along the collar line; all False where the pairs name no collar sides.

    With `garment` (B or 1, 1, H, W) bool, the warped garment's mask: where it has a neck opening under the collar
    line (`front_neckline_row`: its back already cut, `cut_inside_back`), the curve's middle goes no deeper than
    the first garment row under that opening, its front neckline: the neck stays in front of the back only (the
    skin of an old V or scoop, which an estimated parse map calls neck, cut a V into a new crew neck's collar). Not
    for a sleeveless garment (no sleeve targets): its collar sides are its neckline's corners, and what lies under
    its opening may be the inside of a tank's scoop (the chest stays in front of it). A sleeved garment with no
    such opening (nothing cut: a crew neck's ring seen whole) stops at `CLOSED_NECK_DEPTH`."""
    h, w = size_hw
    masks = None if garment is None else garment.detach().cpu()
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
        depth = NECK_DEPTH * width
        if masks is not None and np.isfinite(_sleeve_end_y(keypoints, i, size_hw)):  # (sleeveless: see docstring)
            shallow = 0.0 if _opened_flat(keypoints, i) else FRONT_MIN * width
            front = _front_neckline_depth(masks[i if masks.shape[0] > 1 else 0, 0], right, left, v, shallow)
            depth = min(depth, front if np.isfinite(front) else CLOSED_NECK_DEPTH * width)
        ts = np.linspace(0.0, 1.0, 17)
        curve = right + ts[:, None] * (left - right) + (4 * ts * (1 - ts) * depth)[:, None] * v
        top = max(left[1], right[1]) + width  # far enough above: the polygon closes over the head
        ends = [right - wider * width * u], [left + wider * width * u]
        poly = np.concatenate((ends[0], curve, ends[1], [ends[1][0] - top * v, ends[0][0] - top * v]))
        cv2.fillPoly(out[i], [np.round(poly).astype(np.int32)], 1)
    return torch.from_numpy(out).to(device=device, dtype=torch.bool)


#: A tucked-in hem goes into the lower garment (`_hem_into_lower`): where the lower garment's top edge lies within
#: `HEM_GAP_PX` (at 1024 rows) of the hem's cut row, the garment runs on down to it and over its top `HEM_OVERLAP_PX`
#: rows. Cut at the fitted waistband line, the rows of old top or wall between that line and a lower garment's edge
#: a few rows under it were repainted pale, and the lower garment's top row (the old white tee's rim in it, regions
#: estimated from the photo) stayed in front: a white line along the hem beside the forearm (the README pair 00891 /
#: 01260, two photos: 1 to 4 rows of gap, the rim 1 row).
HEM_GAP_PX = 6.0
HEM_OVERLAP_PX = 2.0


def _hem_into_lower(cut_rows: Tensor, labels: Tensor, unit: float) -> tuple[Tensor, Tensor]:
    """A tucked-in top's cut rows (B, W) float (pixels, inf = none; `cut_below_waistband`'s) lowered, per column, to
    the lower garment's top edge (`labels` (B, H, W) int, `VITONHD_LOWER_GARMENT`; its first row in the column) plus
    `HEM_OVERLAP_PX` - 1 rows where that edge lies within `HEM_GAP_PX` of the cut row (`unit`: the image's rows over
    1024), and (B, H, W) bool the lower garment's pixels the hem then covers (those overlap rows)."""
    b, h, w = labels.shape
    rows = np.broadcast_to(cut_rows.detach().double().cpu().numpy(), (b, w)).copy()
    lower = labels_in(labels, VITONHD_LOWER_GARMENT).cpu().numpy()
    into = np.zeros((b, h, w), bool)
    gap, over = HEM_GAP_PX * unit, max(1, round(HEM_OVERLAP_PX * unit))
    for i in range(b):
        seen = lower[i].any(0)
        top = np.where(seen, np.argmax(lower[i], 0), h).astype(np.float64)
        near = seen & np.isfinite(rows[i]) & (np.abs(top - rows[i]) <= gap)
        if not near.any():
            continue
        cols = np.nonzero(near)[0]
        ys = top[cols].astype(np.int64)[None, :] + np.arange(over)[:, None]
        ok = ys < h
        hit = lower[i][np.minimum(ys, h - 1), cols[None, :]] & ok
        into[i][ys[hit], np.broadcast_to(cols[None, :], ys.shape)[hit]] = True
        rows[i, cols] = np.maximum(rows[i, cols], top[cols] + over - 1)
    dev = cut_rows.device
    return torch.from_numpy(rows).to(dev, cut_rows.dtype), torch.from_numpy(into).to(labels.device)


#: `_neck_edge_cut`: the garment's top edge over the neck, from `NECK_EDGE_WIDER` collar widths beyond each collar
#: target, is one smooth curve: bumps narrower than `NECK_EDGE_CLOSE` collar widths (a grey closing of the edge's row
#: per column) go, then the edge is blurred along the neckline (`NECK_EDGE_SMOOTH` collar widths, Gaussian sigma),
#: and what lies past that curve is cut, at most `NECK_EDGE_CUT` collar widths per column (tapering to nothing over
#: `NECK_EDGE_TAPER` collar widths at the window's ends: no step). The warp folds the cut neck opening's steep sides
#: and corners into the garment's top (VITON-HD 00891 / 03615 in 01260's knit and 11028's velvet), and the parse
#: map's neck kept in front ends on the old top's blocky neckline (00891 in 02783's print): a row of short bumps and
#: horns along the neckline instead of one curve. The garment's top is cut only where the person shows no old clothes
#: (neck, hair, wall): freed old clothes there were repainted as pale wall beside the neck (unseen 07966 in the blue
#: 09305, 00891 in 01260).
NECK_EDGE_WIDER = 0.15
NECK_EDGE_CLOSE = 0.25
NECK_EDGE_SMOOTH = 0.08
NECK_EDGE_CUT = 0.06
NECK_EDGE_TAPER = 0.1
#: ... the lower edge of the neck kept in front (`lower`) with `NECK_EDGE_CLOSE` and `NECK_EDGE_SMOOTH` times this:
#: only its blocky steps go, not the tip of an old scoop's U (at the full widths its deepest rows went under the new
#: garment: VITON-HD 00006 paired, box SSIM 0.869 -> 0.861).
NECK_FRONT_SCALE = 0.4


def _neck_edge_cut(mask: Tensor, keypoints: KeypointPairs, *, lower: bool = False) -> Tensor:
    """(B, H, W) bool: the pixels of `mask` (B, H, W) bool past the smooth curve of its top edge over the neck
    (`NECK_EDGE_*`; with `lower`, of its lower edge: the neck kept in front of the garment), in a window from half a
    collar width above the collar line to one below it. Per item, between its collar_right and collar_left targets
    (`keypoints`, scaled to the image) widened; nothing for items without both targets, narrower than 8 px, with
    `mask` in under half the window's columns, or without sleeve targets (a strappy or sleeveless garment's collar
    sides are its strap tops: cut as bumps, the straps showed the repaint in blocks, unseen 00121 in the black
    14627), nor, with `lower`, for a collar that closes at the neck
    (`PersonFit.collared`: the neck's V between a shirt's collar wings is the shirt's own opening; smoothed, its tip
    went and the shirt's grey inside showed under the neck, unseen cat_model_7 in the oil rig shirt)."""
    b, h, w = mask.shape
    out = torch.zeros_like(mask)
    if "collar_left" not in keypoints.names or "collar_right" not in keypoints.names:
        return out
    person = keypoints.person_px.detach().cpu().double().numpy()
    scale = np.array([w / keypoints.person_hw[1], h / keypoints.person_hw[0]])
    il, ir = keypoints.names.index("collar_left"), keypoints.names.index("collar_right")
    collared = np.zeros(1, bool)
    if lower and keypoints.fit is not None:
        collared = keypoints.fit.collared.detach().cpu().numpy().reshape(-1)
    for i in range(b):
        pts = person[i if person.shape[0] > 1 else 0]
        if pts[il, 2] <= 0 or pts[ir, 2] <= 0 or collared[min(i, collared.size - 1)]:
            continue
        if not np.isfinite(_sleeve_end_y(keypoints, i, (h, w))):  # (sleeveless: its collar sides are strap tops)
            continue
        left, right = pts[il, :2] * scale, pts[ir, :2] * scale
        width = float(np.linalg.norm(left - right))
        x0 = max(0, int(min(left[0], right[0]) - NECK_EDGE_WIDER * width))
        x1 = min(w, int(np.ceil(max(left[0], right[0]) + NECK_EDGE_WIDER * width)) + 1)
        y0 = max(0, int(min(left[1], right[1]) - 0.5 * width))
        y1 = min(h, int(np.ceil(max(left[1], right[1]) + width)))
        if width < 8 or x1 - x0 < 8 or y1 - y0 < 4:
            continue
        cov = mask[i, y0:y1, x0:x1].detach().cpu().numpy()
        cov = cov[::-1] if lower else cov  # (the lower edge: the top edge of the window upside down)
        has = cov.any(0)
        if has.sum() < 0.5 * has.size:
            continue
        cols = np.arange(x1 - x0)
        top = np.interp(cols, cols[has], np.argmax(cov, 0)[has]).astype(np.float32)  # (gaps: their neighbours')
        reach = width * (NECK_FRONT_SCALE if lower else 1.0)
        k = 2 * max(1, round(NECK_EDGE_CLOSE * reach / 2)) + 1
        kernel = np.ones((1, k), np.uint8)
        edge = cv2.BORDER_REPLICATE
        closed = cv2.erode(cv2.dilate(top[None], kernel, borderType=edge), kernel, borderType=edge)
        smooth = cv2.GaussianBlur(closed, (0, 0), NECK_EDGE_SMOOTH * reach, borderType=edge)[0]
        taper = np.clip(np.minimum(cols, cols[-1] - cols) / max(1.0, NECK_EDGE_TAPER * width), 0.0, 1.0)
        cut_to = top + taper * np.clip(smooth - top, 0.0, NECK_EDGE_CUT * width)
        cut = (np.arange(y1 - y0)[:, None] < np.floor(cut_to + 0.5)[None, :]) & cov
        out[i, y0:y1, x0:x1] = torch.from_numpy(np.ascontiguousarray(cut[::-1] if lower else cut)).to(out.device)
    return out


def _front_neckline_depth(mask: Tensor, right: np.ndarray, left: np.ndarray, down: np.ndarray, shallow: float) -> float:
    """Pixels along `down` (2,) (the unit vector down the body) from the middle of the collar line (`right` ->
    `left` (2,) x, y targets) to the front neckline of the garment `mask` (H, W) bool (`front_neckline_row`: the
    first garment row under its neck opening); inf without an opening there, or one under `shallow` pixels deep
    (`FRONT_MIN` collar widths: the dip of a back neckline nothing was cut from, its inside still covering the
    neck's base; 0 where the flat garment's own opening says it is a front, `_opened_flat`)."""
    found = front_neckline_row(mask, torch.from_numpy(left), torch.from_numpy(right))
    if found is None:
        return float("inf")
    x, _, front = found
    depth = float((np.array([x, front], np.float64) - (left + right) / 2) @ down)
    return depth if depth >= max(shallow, 1.0) else float("inf")


def _opened_flat(keypoints: KeypointPairs, i: int) -> bool:
    """Whether batch item `i`'s flat garment had the inside of its back cut (`cut_inside_back`): its fit mask's
    (`PersonFit.garment_mask`) front neckline under the collar sides lies at least `BACK_DIP_MAX` of its collar width
    under collar_center (the outline's dip at the back neckline, where the landmarks were read before the cut).
    Then the warped garment's opening is its front neckline however shallow it lands on the person
    (`place_front_neckline` raises it to half its flat depth: the unseen red tee's 0.18 landed 0.09 collar widths
    under a tilted collar line's middle; taken for a back neckline's dip, the estimated neck's old V was kept 0.3
    collar widths deep, a notch off the centre of the new crew neck). A back neckline's own dip (collar_center on
    it: a purple tee's, 0.13 collar widths under its sides) is no cut."""
    fit = keypoints.fit
    names = keypoints.names
    if fit is None or not {"collar_left", "collar_right", "collar_center"} <= set(names):
        return False
    g = keypoints.garment_px[i if keypoints.garment_px.shape[0] > 1 else 0].detach().cpu().double()
    left, right = g[names.index("collar_left")], g[names.index("collar_right")]
    centre = g[names.index("collar_center")]
    width = float((left[:2] - right[:2]).norm())
    if min(float(left[2]), float(right[2]), float(centre[2])) <= 0 or width < 8:
        return False
    mask = fit.garment_mask[i if fit.garment_mask.shape[0] > 1 else 0, 0].detach().cpu() > 0.5
    found = front_neckline_row(mask, left[:2], right[:2])
    return found is not None and found[2] - float(centre[1]) >= BACK_DIP_MAX * width


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
