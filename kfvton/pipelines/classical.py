"""Classical try-on without trained weights: garment landmarks -> pose-placed targets -> TPS warp -> composite.

Steps (each a library function usable alone):
    1. garment mask: `prepare_garment_mask` (the given mask, else one computed from the plain background);
    2. garment landmarks: `detect_garment_landmarks` (14 points from the mask's outline, sleeve kind);
    3. targets on the person: `place_garment_landmarks` (pose, plus the target region when known);
    4. warp: `warp_by_parts` (a TPS for the torso and one per sleeve, joined into one grid) and `warp_garment`;
    5. composite: `composite_garment` (head/hair, lower body and crossing arms in front, old clothes painted
       over; the last two only with a parse map).

With a parse map (or estimated regions), the fit follows the person (`body_masks_from_parse`): shoulder seams on the
silhouette, side seams inside the torso outline, and the hem at the garment's own length, tucked into the lower
garment or over it (`tuck`; "auto" reads it from the photo). An explicit `target_mask` instead sets the hem and
width to that region.

`category` "lower" (trousers, shorts, skirts) and "dress" run the same steps with their own landmarks, placement,
part-wise warp and composite labels (`kfvton.pipelines.classical_lower`); "auto" picks the category from the
garment photo's shape and reports it (`ClassicalTryOn.category`, `category_reason`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
from torch import Tensor

from .._checks import check_image, check_label_map, check_mask, check_same_batch, check_shape, working_float
from ..geometry.warp import Warp
from ..keypoints.formats import check_canvas_aspect, check_joints_on_canvas, check_pose_joints
from ..keypoints.garment_landmarks import GarmentLandmarks, detect_garment_landmarks
from ..keypoints.garment_landmarks_lower import CATEGORIES, CategoryLandmarks
from ..keypoints.pairs import KeypointPairs, PersonFit
from ..keypoints.placement import (
    REQUIRED_JOINTS,
    TUCK_MODES,
    BodyMasks,
    SidePairs,
    centre_on_front_neckline,
    join_side_pairs,
    place_centre_line,
    place_collar_on_neck,
    place_dropped_shoulders,
    place_front_neckline,
    place_garment_landmarks,
    place_shoulder_tops,
    place_side_seams,
    place_standing_collar,
    resolve_tuck,
)
from ..keypoints.placement_lower import check_lower_pose, lower_pose_warnings, seated_pose_warnings
from ..keypoints.pose import PRESENT_THRESHOLD, Pose, joint_index
from ..preprocess.garment_checks import check_garment_not_blank, garment_cut_warnings, garment_warnings
from ..preprocess.garment_mask import clean_garment_rim, drop_backdrop_shade, prepare_garment_mask
from ..preprocess.parse_labels import (
    LIP_LABELS,
    VITONHD_ARMS,
    VITONHD_LOWER_GARMENT,
    VITONHD_UPPER_CLOTHES,
    labels_in,
    lip_id,
)
from .classical_lower import resolve_category, tryon_lower_or_dress
from .composite import NECK_LABEL, Composite, composite_garment
from .garment_warp import (
    DEFAULT_REG,
    PART_LANDMARKS,
    PartWarp,
    WarpedGarment,
    cut_inside_back,
    find_collar_stand,
    find_placket,
    warp_by_parts,
    warp_from_pairs,
    warp_garment,
)
from .lower_warp import warp_lower_garment
from .waistband import cut_below_waistband, lowered_waistband, tucked_waistband

__all__ = [
    "ClassicalTryOn",
    "classical_tryon",
    "upper_garment_landmarks",
    "place_upper_garment",
    "warp_placed_garment",
    "composite_placed_garment",
    "target_mask_from_parse",
    "body_masks_from_parse",
    "person_and_arms",
    "warp_keypoint_pairs",
    "WARP_METHODS",
    "DEFAULT_GRID_STEP",
]

#: A tucked-in top keeps its own length in the warp (its yoke, pockets and lace at their height); its `warped_mask`
#: reaches this far (shoulder widths) under the waistband, as deep as its hem was placed before (round 10's
#: `TUCK_MAX` cap): the rest of a long top is inside the lower garment (02783's long body lay 5.2 % outside the
#: person on VITON-HD 07445 / 07573). The composite shows it down to the waistband only.
TUCKED_REPORTED = 0.35
#: Lower garments a top can be tucked into (LIP-20 / VITON-HD labels).
LOWER_GARMENT_LABELS: tuple[int, ...] = VITONHD_LOWER_GARMENT
#: The face (LIP-20); on maps without a neck label it holds the neck too (`neck_from_parse`).
FACE_LABEL = lip_id("face")
#: The outline the shoulders follow: clothes, scarf and arms (no neck, hair or face).
_SILHOUETTE_LABELS: tuple[int, ...] = (*VITONHD_UPPER_CLOTHES, lip_id("scarf"), *VITONHD_ARMS)

#: The dense TPS grid is evaluated every 2 pixels and upsampled (under half a pixel of error on the sample pairs, 4x faster).
DEFAULT_GRID_STEP = 2


@dataclass(frozen=True)
class ClassicalTryOn:
    """Result of `classical_tryon`.

    Attributes:
        image: (B, 3, H, W) float [0, 1], the person wearing the garment.
        warped_garment: (B, 3, H, W) float [0, 1], the garment pulled into the person frame (0 outside its image).
        warped_mask: (B, 1, H, W) float [0, 1], the garment mask in the person frame (before anything is kept in
            front of it; a tucked-in top's ends `TUCKED_REPORTED` under the waistband, but its sleeves: the rest is
            inside the lower garment).
        keypoints: garment landmarks and their person targets (origin "classical"), with the pose.
        warp: the TPS warp (grid (B, H, W, 2), tps batch (B,)).
        mask_method: how the garment mask was obtained: "explicit", "alpha" or "computed".
        landmarks: the detected garment landmarks (with the sleeve kinds); `CategoryLandmarks` for lower
            garments and dresses (with their kinds: trousers / shorts / skirt, or the dress's sleeves).
        refine_mask: (B, 1, H, W) float [0, 1], what was synthesised rather than taken from a photo (repainted
            skin and background, a band along the garment's border): the region to hand to diffusion inpainting.
        category: "upper", "lower" or "dress".
        category_reason: how the category was chosen and what the garment photo looks like.
        tuck: per batch item, "in" (hem inside the lower garment, which stays in front) or "out" (hem over it),
            as resolved from the `tuck` option ("auto" reads the photo; "out" without a parse map); empty when the
            category has no hem to tuck.
        warnings: sentences about inputs that likely make the picture poor (a tiny or oddly shaped garment, a
            patterned background, ...), for the CLI and the nodes to show; empty when none applies.
        alpha: (B, 1, H, W) float [0, 1], the garment's share of each output pixel as composited: `warped_mask`
            with what stays in front cut out, fitted to the body's outline (`composite_garment`); None only when
            built by hand.
    """

    image: Tensor
    warped_garment: Tensor
    warped_mask: Tensor
    keypoints: KeypointPairs
    warp: Warp
    mask_method: str
    landmarks: GarmentLandmarks | CategoryLandmarks
    refine_mask: Tensor
    category: str = "upper"
    category_reason: str = "given"
    tuck: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    alpha: Tensor | None = None


def target_mask_from_parse(parse: Tensor) -> Tensor:
    """(B, H, W) LIP-20 labels -> (B, 1, H, W) float mask of the upper clothes (labels 5, 6, 7)."""
    check_shape(parse, "parse", ("B", "H", "W"))
    return labels_in(parse, VITONHD_UPPER_CLOTHES).unsqueeze(1).float()


def body_masks_from_parse(parse: Tensor) -> BodyMasks:
    """(B, H, W) LIP-20 labels -> `BodyMasks`: old top (5, 6, 7), lower garment (pants, skirt), upper-body
    silhouette (clothes, scarf, arms, and the neck label below the shoulders: `_torso_skin`), each (B, 1, H, W)
    bool."""
    check_shape(parse, "parse", ("B", "H", "W"))

    def pick(labels: tuple[int, ...]) -> Tensor:
        return labels_in(parse, labels).unsqueeze(1)

    silhouette = pick(_SILHOUETTE_LABELS)
    return BodyMasks(
        top=pick(VITONHD_UPPER_CLOTHES),
        lower=pick(LOWER_GARMENT_LABELS),
        silhouette=silhouette | _torso_skin(parse.unsqueeze(1) == NECK_LABEL, silhouette),
    )


def _torso_skin(neck: Tensor, silhouette: Tensor) -> Tensor:
    """(B, 1, H, W) bool: the `neck` label's pixels in the rows below the top of `silhouette` (both (B, 1, H, W)
    bool; the shoulders' top): bare chest, shoulders and midriff (estimated regions label torso skin as neck). Above
    the shoulders the neck stays out (it rises to the head; the shoulder seams follow the silhouette's top). Without
    these rows a bare midriff between a crop top and the lower garment cut the torso in two, and the side seams
    (`place_side_seams`) were pulled into a fold there."""
    rows = silhouette.any(-1, keepdim=True)  # (B, 1, H, 1)
    ys = torch.arange(neck.shape[-2], device=neck.device).view(1, 1, -1, 1)
    top = torch.where(rows, ys, neck.shape[-2]).amin(-2, keepdim=True)  # (B, 1, 1, 1); H when no silhouette
    return neck & (ys > top)


def person_and_arms(parse: Tensor) -> tuple[Tensor, Tensor]:
    """(B, H, W) LIP-20 labels -> the person (any label but background) and its arms, each (B, 1, H, W) bool: what
    the part-wise warp keeps sleeves on and long sleeves over (`warp_by_parts`), for tops and dresses alike."""
    check_shape(parse, "parse", ("B", "H", "W"))
    return (parse != 0).unsqueeze(1), labels_in(parse, VITONHD_ARMS).unsqueeze(1)


def neck_from_parse(parse: Tensor) -> Tensor:
    """(B, H, W) LIP-20 labels -> (B, 1, H, W) bool the neck (label 10); on a map without any neck pixel the face
    (13): Dress Code's (and ATR's) maps label face and neck as one head, whose lower edge is the neck's base."""
    check_shape(parse, "parse", ("B", "H", "W"))
    neck = parse == NECK_LABEL
    none = ~neck.flatten(1).any(1)[:, None, None]
    if not bool(none.any()):  # (every map has a neck: no face comparison and choice over the whole map)
        return neck.unsqueeze(1)
    return torch.where(none, parse == FACE_LABEL, neck).unsqueeze(1)


#: How `warp_keypoint_pairs` splits the warp: "auto" decides from the keypoints, the others force a choice.
WARP_METHODS: tuple[str, ...] = ("auto", "torso + sleeves", "single spline")
_PART_NAMES = frozenset(n for names in PART_LANDMARKS.values() for n in names)
_LOWER_NAMES = frozenset({"crotch", "waist_center", "hem_center"})  # (pairs holding these are a lower garment's)


def warp_keypoint_pairs(
    pairs: KeypointPairs,
    garment_mask: Tensor,
    *,
    method: str = "auto",
    reg: float = DEFAULT_REG,
    grid_step: int = 1,
    torso_extra: SidePairs | None = None,
    silhouette: Tensor | None = None,
    arms: Tensor | None = None,
    collared: Tensor | None = None,
    garment_photo: Tensor | None = None,
) -> Warp:
    """The TPS warp through keypoint pairs, torso and sleeves apart or as one spline per keypoint group.

    "auto" warps part by part (`warp_by_parts`, plus `place_front_neckline`'s pair) when the pairs are one group
    holding the classical garment landmarks (dress pairs included), lower-garment pairs by `warp_lower_garment`,
    else one spline per group (`warp_from_pairs`: learned keypoint groups, edited points).

    Args:
        pairs: garment points and their person targets.
        garment_mask: (B or 1, 1, H_g, W_g) float [0, 1] in the garment frame (the part split needs it).
        method: one of `WARP_METHODS`.
        reg, grid_step: TPS smoothing and dense-grid step (`warp_from_pairs`).
        torso_extra: more torso pairs for the part-wise warp (`place_side_seams`, which needs body masks).
        silhouette, arms: optional (B or 1, 1, H, W) bool person and arm masks for the part-wise warp: sleeves
            stay inside the person, long sleeves cover the arm (`warp_by_parts`).
        collared: optional (B or 1,) bool, garments with a button placket (`find_placket`): their collar's front
            closes at the neck (`place_front_neckline`).
        garment_photo: optional (B or 1, 3, H_g, W_g) float [0, 1], the garment photo for the part-wise warp (a long
            sleeve's cover of the arm takes none of its backdrop, `warp_by_parts`).

    Raises:
        ValueError naming `method` when it is not one of `WARP_METHODS`.
    """
    if method not in WARP_METHODS:
        raise ValueError(f"method: expected one of {WARP_METHODS}, got {method!r}")
    by_parts = method == "torso + sleeves" or (
        method == "auto" and pairs.groups == 1 and _PART_NAMES <= set(pairs.names)
    )
    if by_parts and method == "auto" and {"hip_left", "side_left_1"} <= set(pairs.names):  # dress: + its sides
        return warp_lower_garment(
            pairs, garment_mask, "dress", reg=reg, grid_step=grid_step, silhouette=silhouette, arms=arms
        )
    if by_parts:
        front = place_front_neckline(pairs, garment_mask, collared)
        pairs = centre_on_front_neckline(pairs, front)  # (collar_center on the front's top: no fold between them)
        extra = join_side_pairs(torso_extra, front, place_centre_line(pairs))
        return warp_by_parts(
            pairs,
            garment_mask,
            reg=reg,
            grid_step=grid_step,
            torso_extra=extra,
            silhouette=silhouette,
            arms=arms,
            garment_photo=garment_photo,
        )
    if method == "auto" and pairs.groups == 1 and _LOWER_NAMES <= set(pairs.names):
        # lower-garment pairs (classical or edited): seat + one spline per leg, or one flaring skirt spline
        two_legs = bool((pairs.garment_px[:, pairs.names.index("crotch"), 2] > 0).all())
        return warp_lower_garment(
            pairs, garment_mask, "trousers" if two_legs else "skirt", reg=reg, grid_step=grid_step
        )
    return warp_from_pairs(pairs, reg=reg, grid_step=grid_step)


def classical_tryon(
    person: Tensor,
    garment: Tensor,
    pose: Pose,
    *,
    garment_mask: Tensor | None = None,
    parse: Tensor | None = None,
    target_mask: Tensor | None = None,
    reg: float = DEFAULT_REG,
    grid_step: int = DEFAULT_GRID_STEP,
    feather_px: float = 1.5,
    category: str = "upper",
    tuck: str = "auto",
) -> ClassicalTryOn:
    """Dress `person` in `garment` with the classical (no weights) pipeline.

    Batches: B persons x 1 garment, 1 person x B garments and B x B all work (a batch of 1 broadcasts).
    Computes in float32 whatever float dtype arrives (float64 stays float64); the outputs are in that dtype.

    Args:
        person: (B or 1, 3, H, W) float [0, 1].
        garment: (B or 1, 3, H_g, W_g) float [0, 1], a flat front-view upper-body garment on a plain background.
        pose: `Pose` (B or 1) of the person; its canvas must have the person's aspect ratio (it is rescaled to
            (H, W) when only the resolution differs). Both shoulders are required.
        garment_mask: optional (B or 1, 1, H_g, W_g) float [0, 1]; computed from the image when None.
        parse: optional (B or 1, H, W) int64 LIP-20 / VITON-HD labels of the person.
        target_mask: optional (B or 1, 1, H, W) float [0, 1] region the garment should fill (its bottom and width
            set the hem); without it the garment keeps its own length.
        reg: TPS smoothing (`warp_from_pairs`).
        grid_step: dense-grid evaluation step (`warp_from_pairs`).
        feather_px: soft edge of the composite, pixels.
        category: "upper" (tops), "lower" (trousers, shorts, skirts; needs both hips and knees), "dress" (needs
            shoulders, hips and knees) or "auto" (from the garment photo's shape). A garment that clearly is a
            lower garment given as "upper" (or the reverse) raises, saying what the photo looks like.
        tuck: "auto" | "in" | "out". "in": the hem goes into the trousers / skirt (cut at the waistband, the lower
            garment in front); "out": the hem lies over the lower garment at the garment's own length; "auto":
            as the person's photo shows the old top (a parse map's old top meeting the lower garment well above
            the hips is tucked in). Needs a parse map to matter (without one nothing is kept in front).

    Raises:
        ValueError / TypeError naming the input (person, garment, garment_mask, pose, parse, target_mask) for wrong
        shapes, channels, dtypes, batch sizes, an empty or all-background garment, a pose without people or
        shoulders; all before any heavy work.
    """
    if tuck not in TUCK_MODES:
        raise ValueError(f"tuck: expected one of {TUCK_MODES}, got {tuck!r}")
    check_image(person, "person")
    check_image(garment, "garment")
    person, garment = working_float(person), working_float(garment)
    h, w = person.shape[-2:]
    if not isinstance(pose, Pose):
        raise TypeError(f"pose: expected a Pose (see kfvton.keypoints.formats to read one), got {type(pose).__name__}")
    if category not in (*CATEGORIES, "auto"):
        raise ValueError(f"category: expected one of {', '.join(CATEGORIES)} or 'auto', got {category!r}")
    if category in ("upper", "dress"):
        check_pose_joints(pose, REQUIRED_JOINTS, name="pose")
    if category in ("lower", "dress"):
        check_lower_pose(pose, category=category)
    pose = _pose_to_canvas(pose, (h, w))
    check_joints_on_canvas(pose, "pose", joints=REQUIRED_JOINTS)
    batches = {"person": person.shape[0], "garment": garment.shape[0], "pose": pose.batch_size}
    if garment_mask is not None:
        check_mask(garment_mask, "garment_mask", ("B", 1, *garment.shape[-2:]))
        batches["garment_mask"] = garment_mask.shape[0]
    if parse is not None:
        check_shape(parse, "parse", ("B", h, w))
        if parse.is_floating_point():
            raise TypeError(f"parse: expected integer labels (int64), got dtype {parse.dtype}")
        check_label_map(parse.long(), "parse", len(LIP_LABELS))
        batches["parse"] = parse.shape[0]
    if target_mask is not None:
        check_mask(target_mask, "target_mask", ("B", 1, h, w))
        batches["target_mask"] = target_mask.shape[0]
    check_same_batch(batches)
    check_garment_not_blank(garment, name="garment")

    prepared = prepare_garment_mask(garment, garment_mask, mask_name="garment_mask")
    mask = prepared.mask
    if garment.shape[0] != mask.shape[0]:
        garment = garment.expand(mask.shape[0], -1, -1, -1)
    warnings = [*garment_warnings(garment, mask, method=prepared.method), *seated_pose_warnings(pose)]
    choice = resolve_category(category, mask)
    if choice.category != "upper":
        check_lower_pose(pose, category=choice.category)
        warnings += lower_pose_warnings(pose, category=choice.category)
        if choice.category == "dress":
            check_pose_joints(pose, REQUIRED_JOINTS, name="pose")
        low = tryon_lower_or_dress(
            choice.category,
            person,
            garment,
            mask,
            pose.to(person.device),
            parse=None if parse is None else parse.to(person.device),
            tuck=tuck,
            reg=reg,
            grid_step=grid_step,
            feather_px=feather_px,
        )
        return ClassicalTryOn(
            image=low.composite.image,
            warped_garment=low.warped_image,
            warped_mask=low.warped_mask,
            keypoints=low.keypoints,
            warp=low.warp,
            mask_method=prepared.method,
            landmarks=low.landmarks,
            refine_mask=low.composite.refine,
            category=choice.category,
            category_reason=choice.describe() if choice.how == "auto" else "given",
            tuck=low.tuck,
            warnings=tuple(warnings),
            alpha=low.composite.alpha,
        )
    if category == "auto":
        check_pose_joints(pose, REQUIRED_JOINTS, name="pose")
    pose = pose.to(person.device)
    parse = None if parse is None else parse.to(person.device)
    landmarks = upper_garment_landmarks(garment, mask)
    warnings += garment_cut_warnings(landmarks)
    pairs = place_upper_garment(landmarks, pose, parse=parse, target_mask=target_mask, tuck=tuck)
    warped, warp = warp_placed_garment(
        garment.to(person.dtype), mask.to(person.dtype), pairs, reg=reg, grid_step=grid_step, device=person.device
    )
    sleeves = warp.sleeves if isinstance(warp, PartWarp) else None
    comp, waistband = composite_placed_garment(
        person, warped.image, warped.mask, pairs, parse=parse, feather_px=feather_px, sleeves=sleeves
    )
    tucks = pairs.fit.tuck
    # what of a tucked-in top is reported as lying on the person (the composite shows it down to the waistband)
    reported = (
        None if waistband is None else lowered_waistband(waistband, pose, tuple(parse.shape[-2:]), TUCKED_REPORTED)
    )
    return ClassicalTryOn(
        image=comp.image,
        warped_garment=warped.image,
        warped_mask=warped.mask if reported is None else cut_below_waistband(warped.mask, reported, sleeves),
        keypoints=pairs,
        warp=warp,
        mask_method=prepared.method,
        landmarks=landmarks,
        refine_mask=comp.refine,
        tuck=tucks,
        warnings=tuple(warnings),
        category="upper",
        category_reason=choice.describe() if choice.how == "auto" else "given",
        alpha=comp.alpha,
    )


def upper_garment_landmarks(garment: Tensor, mask: Tensor) -> GarmentLandmarks:
    """A top's landmarks as the try-on uses them: `detect_garment_landmarks`, the back collar's band
    (`find_collar_stand`), the mask it is placed and warped by (`fit_mask`: `cut_inside_back`, the back neckline
    seen through the neck opening cut out) and whether it has a button placket (`find_placket`).

    Args:
        garment: (B, 3, H_g, W_g) float [0, 1]; mask: (B or 1, 1, H_g, W_g) float [0, 1], its garment mask.
    """
    landmarks = detect_garment_landmarks(garment, mask)
    cut = cut_inside_back(garment, mask, landmarks, by_shade=True, top=True)
    landmarks = find_collar_stand(garment, mask, cut, landmarks)
    cut = cut.expand(landmarks.batch_size, -1, -1, -1)
    return replace(landmarks, fit_mask=cut, placket=find_placket(garment, cut, landmarks))


def place_upper_garment(
    landmarks: GarmentLandmarks,
    pose: Pose,
    *,
    parse: Tensor | None = None,
    target_mask: Tensor | None = None,
    tuck: str = "auto",
) -> KeypointPairs:
    """A top's landmarks placed on the person as `classical_tryon` places them, with what the warp and the
    composite need from the person attached (`KeypointPairs.fit`).

    With a parse map: the hem tucked or not (`resolve_tuck`), the collar sides onto the neck's base, the side
    seams and shoulder tops on the body's outline; a shirt's collar band stood up around the neck in any case.

    Args:
        landmarks: from `upper_garment_landmarks` (its `fit_mask` and `placket` are needed).
        pose: the person's pose, on the person image's canvas.
        parse: optional (B or 1, H, W) int64 LIP-20 / VITON-HD labels of the person (given or estimated).
        target_mask: optional (B or 1, 1, H, W) region the garment should fill (`place_garment_landmarks`).
        tuck: "auto" | "in" | "out" (`classical_tryon`).

    Raises:
        ValueError naming `landmarks` when they were not made by `upper_garment_landmarks`, `parse` when it is
        not on the pose's canvas.
    """
    if landmarks.fit_mask is None or landmarks.placket is None:
        raise ValueError(
            "landmarks: no fit mask / placket; make them with upper_garment_landmarks (KF-VTON Garment Landmarks)"
        )
    mask = landmarks.fit_mask
    if parse is not None:
        check_shape(parse, "parse", ("B", *pose.canvas_hw))
        parse = _dress_skirt_kept(parse, pose)
    body = None if parse is None else body_masks_from_parse(parse)
    tucks = resolve_tuck(tuck, pose, body)
    pairs = place_garment_landmarks(landmarks, pose, target_mask=target_mask, body=body, tuck=tucks)
    if parse is not None:  # the collar sides up onto the neck's base
        pairs = place_collar_on_neck(pairs, neck_from_parse(parse))
    stood = place_standing_collar(pairs, landmarks)  # a shirt's collar band up around the neck
    # a shirt's collar closes at the neck however deep its flat front lies, unless its band already stood it up
    # (both: Dress Code 000005's collar rose into the chin)
    collared = landmarks.placket.to(stood.person_px.device) & ~(stood.person_px != pairs.person_px).flatten(1).any(1)
    sides = None if body is None else _body_outline_pairs(stood, body, mask)
    fit = PersonFit(garment_mask=mask, torso_extra=sides, collared=collared, parse=parse, tuck=tucks)
    return replace(stood, fit=fit)


def _body_outline_pairs(pairs: KeypointPairs, body: BodyMasks, garment_mask: Tensor) -> SidePairs:
    """The side-seam, shoulder-top and dropped-shoulder pairs of `pairs`' targets on the body's outline
    (`PersonFit.torso_extra`)."""
    return join_side_pairs(
        place_side_seams(pairs, body, garment_mask),
        place_shoulder_tops(pairs, body, garment_mask),
        place_dropped_shoulders(pairs, body),
    )


def _refit_edited(pairs: KeypointPairs) -> KeypointPairs:
    """Edited pairs (`apply_edits`) with their side-seam and shoulder-top pairs placed again from the edited
    targets, as `place_upper_garment` places them: those pairs lie between the armpit, hem and shoulder targets, so
    left where the unedited targets put them they would pull a moved hem or armpit back. Other pairs unchanged."""
    fit = pairs.fit
    if pairs.origin != "edited" or fit is None or fit.parse is None or fit.torso_extra is None:
        return pairs
    body = body_masks_from_parse(fit.parse.to(pairs.person_px.device))
    sides = _body_outline_pairs(pairs, body, fit.garment_mask.to(pairs.garment_px.device))
    return replace(pairs, fit=replace(fit, torso_extra=sides))


def warp_placed_garment(
    garment: Tensor,
    garment_mask: Tensor,
    pairs: KeypointPairs,
    *,
    method: str = "auto",
    reg: float = DEFAULT_REG,
    grid_step: int = DEFAULT_GRID_STEP,
    device: torch.device | None = None,
) -> tuple[WarpedGarment, Warp]:
    """The garment warped through `pairs` (`warp_keypoint_pairs`) into the person frame, rim cleaned
    (`clean_garment_rim`: no pale flecks along hard edges).

    Pairs from `place_upper_garment` (`pairs.fit`) are warped as `classical_tryon` warps them: by their fit mask
    instead of `garment_mask`, with the side seams, the sleeves inside the person and over the bare arms, and
    the collar closed at the neck; edited ones (origin "edited", `apply_edits`) with their side-seam and
    shoulder-top pairs placed again from the edited targets. Lower-garment pairs use `garment_mask` without its
    shadow on the backdrop, as the try-on does (`drop_backdrop_shade`). Other pairs use `garment_mask` alone.

    Args:
        garment: (B or 1, 3, H_g, W_g) float [0, 1]; garment_mask: (B or 1, 1, H_g, W_g) float [0, 1].
        method, reg, grid_step: `warp_keypoint_pairs`.
        device: where the warp is applied (the person's); None = the garment's.
    """
    pairs = _refit_edited(pairs)
    fit = pairs.fit
    mask = garment_mask if fit is None else fit.garment_mask.to(garment_mask)
    if fit is None and _LOWER_NAMES <= set(pairs.names):  # lower pairs: as the try-on
        mask = drop_backdrop_shade(garment, mask)
    silhouette, arms = (None, None) if fit is None or fit.parse is None else person_and_arms(fit.parse)
    warp = warp_keypoint_pairs(
        pairs,
        mask,
        method=method,
        reg=reg,
        grid_step=grid_step,
        torso_extra=None if fit is None else fit.torso_extra,
        silhouette=silhouette,
        arms=arms,
        collared=None if fit is None else fit.collared,
        garment_photo=garment,
    )
    warp = warp.to(garment.device if device is None else device)
    return warp_garment(clean_garment_rim(garment, mask), mask, warp), warp


def composite_placed_garment(
    person: Tensor,
    warped_garment: Tensor,
    warped_mask: Tensor,
    pairs: KeypointPairs | None,
    *,
    parse: Tensor | None = None,
    feather_px: float = 1.5,
    sleeves: Tensor | None = None,
) -> tuple[Composite, Tensor | None]:
    """`composite_garment` as `classical_tryon` calls it, and the tucked-in waistband used (B, W) or None: for
    pairs placed with a parse map by `place_upper_garment`, a top worn "out" lies over the lower garment, one
    tucked "in" ends at the waistband, an old dress's skirt stays a skirt; other pairs composite as they are.

    Args:
        person: (B or 1, 3, H, W); warped_garment: (B or 1, 3, H, W); warped_mask: (B or 1, 1, H, W).
        pairs: the warp's keypoints (their torso outline decides where arms stay in front), or None.
        parse: optional (B or 1, H, W) int64 labels of the person.
        feather_px, sleeves: `composite_garment`.
    """
    waistband = None
    fit = None if pairs is None else pairs.fit
    if parse is not None and fit is not None and fit.parse is not None and pairs.pose is not None:
        pose = pairs.pose.to(parse.device)
        parse = _dress_skirt_kept(parse, pose)
        waistband = _tucked_waistband(parse, pose, fit.tuck)
        parse = _garment_over_lower(parse, warped_mask.to(parse.device), fit.tuck)
    comp = composite_garment(
        person,
        warped_garment,
        warped_mask,
        parse=parse,
        keypoints=pairs,
        feather_px=feather_px,
        sleeves=sleeves,
        waistband=waistband,
    )
    return comp, waistband


def _dress_skirt_kept(parse: Tensor, pose: Pose) -> Tensor:
    """An upper garment on a person in a dress (parse 6): the dress below the hip joints is kept as a skirt (lower
    garment, 9) under or beside the new top, as `classical_lower` keeps an old dress's bodice as a top; above them it
    stays the old garment the new one replaces (repainting the whole skirt would erase the legs under it)."""
    if parse.device.type == "cpu" and not (parse.numpy() == 6).any():  # (NumPy's test: most persons wear none)
        return parse
    dress = parse == 6
    if not bool(dress.any()):
        return parse
    joints = pose.joints.to(parse.device)
    hips = joints[:, [joint_index("right_hip"), joint_index("left_hip"), joint_index("mid_hip")]]
    seen = hips[..., 2] > PRESENT_THRESHOLD
    hip_y = (hips[..., 1] * seen).sum(-1) / seen.sum(-1).clamp(min=1)
    hip_y = torch.where(seen.any(-1), hip_y, torch.full_like(hip_y, float("inf")))
    rows = torch.arange(parse.shape[-2], device=parse.device).reshape(1, -1, 1)
    skirt = dress & (rows > hip_y.reshape(-1, 1, 1))
    return torch.where(skirt, torch.full_like(parse, 9), parse)


def _garment_over_lower(parse: Tensor, warped_mask: Tensor, tucks: tuple[str, ...]) -> Tensor:
    """The parse map the composite keeps in front: for items worn "out", the lower garment under the new garment
    counts as old upper clothes, so the hem lies over the trousers / skirt instead of behind them."""
    if "out" not in tucks:
        return parse
    b = max(parse.shape[0], warped_mask.shape[0])
    out_items = torch.tensor([t == "out" for t in tucks], device=parse.device).expand(b)
    lower = labels_in(parse, LOWER_GARMENT_LABELS)
    over = lower & (warped_mask[:, 0] > 0.5) & out_items[:, None, None]
    return torch.where(over, torch.full_like(parse, VITONHD_UPPER_CLOTHES[0]), parse.expand(b, -1, -1))


def _tucked_waistband(parse: Tensor, pose: Pose, tucks: tuple[str, ...]) -> Tensor | None:
    """(B, W) rows of the lower garment's waistband (`waistband.tucked_waistband`) for items tucked "in", inf for
    those worn "out" (their hem lies over the lower garment); None when none is tucked in."""
    if "in" not in tucks:
        return None
    rows = tucked_waistband(parse, pose).to(parse.device)
    b = max(rows.shape[0], len(tucks))
    tucked_in = torch.tensor([t == "in" for t in tucks], device=parse.device).expand(b)
    return torch.where(tucked_in[:, None], rows.expand(b, -1), torch.full_like(rows.expand(b, -1), float("inf")))


def _pose_to_canvas(pose: Pose, size_hw: tuple[int, int]) -> Pose:
    if tuple(pose.canvas_hw) == tuple(size_hw):
        return pose
    check_canvas_aspect(pose.canvas_hw, size_hw, "pose")
    return pose.rescaled(size_hw)
