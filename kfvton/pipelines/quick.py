"""Quick try-on: two photos in, a dressed person, the garment's mask and a refine mask out, in one call.

The person's pose and regions are found from the photo when not given, with the same policy as the command line:
    1. pose: the given one, else `estimate_person_pose` (ONNX pose files, else the default estimator), the
       policy the command line and the pose estimator node share;
    2. regions: the given parse map, else `estimate_person_regions` from the pose, the embedded person mask and face
       outline (or the plain-background silhouette without MediaPipe) (lower quality than a parse map; a
       failure there is reported and the try-on goes on without a parse map: nothing kept in front, no old
       clothes painted over);
    3. `classical_tryon`, whose `refine_mask` says what a diffusion inpainting pass may repaint.
Everything chosen or given up on is listed in `QuickTryOn.report()`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from .._checks import check_image
from ..geometry.pair_warp import DEFAULT_REG
from ..keypoints.estimate import DEFAULT_POSE_DIR, PoseEstimate, estimate_pose, find_detector, find_pose_models
from ..keypoints.pose import joint_index
from ..keypoints.pose_onnx import PoseModelFiles
from ..preprocess.garment_checks import check_garment_not_blank, check_garment_photo
from ..preprocess.parse_labels import LIP_LABELS, VITONHD_UPPER_CLOTHES
from ..preprocess.regions import estimate_person_regions
from .classical import DEFAULT_GRID_STEP, LOWER_GARMENT_LABELS, ClassicalTryOn, classical_tryon
from .composite import CATEGORY_LABELS

__all__ = [
    "PersonRegions",
    "QuickTryOn",
    "estimate_person_pose",
    "person_regions",
    "pose_model_files",
    "quick_tryon",
]

#: Shoulders and hips below this confidence make a warning (the garment is placed from them).
LOW_CONFIDENCE = 0.3
#: A garment more than this share of which lies behind what the composite keeps in front makes a warning (measured
#: on the samples: 0.00-0.37 when the picture is right; 0.88 and 0.98 where estimated regions took light shorts for
#: the top and tuck "out" hid the new shorts behind it).
HIDDEN_WARNING = 0.5


@dataclass(frozen=True)
class PersonRegions:
    """What the try-on knows about the person besides the photo.

    Attributes:
        pose: the pose and how it was obtained.
        parse: (B, H, W) int64 LIP-20 / VITON-HD labels, given or estimated; None when neither.
        regions: how `parse` was obtained ("given parse map", the estimator's method, or why there is none).
        warnings: things the user should know (low-confidence joints, estimated regions, ...).
    """

    pose: PoseEstimate
    parse: Tensor | None
    regions: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class QuickTryOn:
    """Result of `quick_tryon`.

    Attributes:
        image: (B, 3, H, W) float [0, 1], the person wearing the garment.
        garment_mask: (B, 1, H, W) float [0, 1], the garment on the person (its warped mask, before head, arms or
            lower body are kept in front): the region other try-on packs' mask inputs expect.
        refine_mask: (B, 1, H, W) float [0, 1], everything synthesised (seams along the garment's outline, old
            clothes repainted as skin or background): what a low-denoise inpainting pass may repaint.
        tryon: the full classical result (keypoints, warp, landmarks, category, resolved tuck, ...).
        person: the pose and regions used.
        tuck_option: the `tuck` asked for ("auto", "in" or "out"); `tryon.tuck` holds what was used.
        placement_warnings: what looks wrong in the result itself (most of the garment hidden behind the person).
    """

    image: Tensor
    garment_mask: Tensor
    refine_mask: Tensor
    tryon: ClassicalTryOn
    person: PersonRegions
    tuck_option: str = "auto"
    placement_warnings: tuple[str, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        """The person's (pose, regions), the garment photo's and the result's warnings."""
        return tuple(dict.fromkeys((*self.person.warnings, *self.tryon.warnings, *self.placement_warnings)))

    def report(self) -> str:
        """Lines for the user: pose, regions, garment mask, category, the top's cut, tuck and warnings."""
        lines = [
            self.person.pose.describe(),
            f"regions: {self.person.regions}",
            f"garment mask: {self.tryon.mask_method}",
            f"category: {self.category_text()}",
            f"tuck: {self.tuck_text()}",
        ]
        cuts = getattr(self.tryon.landmarks, "cuts", ())
        if cuts:  # the garment's cut read from its outline (tops): "cut: off-shoulder"
            lines.insert(4, f"cut: {', '.join(dict.fromkeys(cuts))}")
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def category_text(self) -> str:
        """ "upper (given)", or "dress (auto: <what the garment photo looks like>)"."""
        reason = self.tryon.category_reason
        return f"{self.tryon.category} (given)" if reason == "given" else reason

    def tuck_text(self) -> str:
        """The tuck used and why: given, read from the photo, or the named fallback when nothing could be read."""
        category, used = self.tryon.category, self.tryon.tuck
        if category == "dress":
            return "- (a dress has no hem to tuck)"
        if not used:  # a lower garment without a parse map: nothing is kept in front, so there is no tuck
            return "- (no parse map or estimated regions: the person's top is not kept in front of the waistband)"
        values = ", ".join(used) if len(set(used)) > 1 else used[0]
        meaning = "the top's hem inside the lower garment" if category == "upper" else "the top inside the waistband"
        if self.tuck_option != "auto":
            return f"{values} (given; in = {meaning})"
        if self.person.parse is None:
            return f"{values} (auto without a parse map or estimated regions: fallback 'out', over the lower garment)"
        return f"{values} (auto: read from the photo; in = {meaning})"


def pose_model_files(
    pose_model: str | os.PathLike | None,
    detector_model: str | os.PathLike | None,
    search_dirs: Sequence[str | os.PathLike],
) -> PoseModelFiles | None:
    """The ONNX pose files to use, or None to let `estimate_pose` search `search_dirs` by file name.

    Args:
        pose_model: a SimCC pose model file, or None (auto: the first known name found in `search_dirs`).
        detector_model: a YOLOX detector file, "none" (the whole photo is the person), or None (auto: the first
            known name found next to `pose_model` or in `search_dirs`).
        search_dirs: folders with pose model files.
    """
    if detector_model == "none":
        detector = None
    elif detector_model is not None:
        detector = str(detector_model)
    else:
        near = [os.path.dirname(os.path.abspath(pose_model))] if pose_model else []
        detector = find_detector([*near, *search_dirs])
    if pose_model:
        return PoseModelFiles(str(pose_model), detector)
    if detector_model is None:
        return None  # estimate_pose finds both by name
    found = find_pose_models(search_dirs)
    return None if found is None else PoseModelFiles(found.pose, detector)


def estimate_person_pose(
    person: Tensor,
    *,
    given: Any = None,
    pose_model: str | os.PathLike | None = None,
    detector_model: str | os.PathLike | None = None,
    pose_dirs: Sequence[str | os.PathLike] | None = None,
    use_mediapipe: bool = True,
    conf_threshold: float = 0.3,
    name: str = "person",
) -> PoseEstimate:
    """The person's pose and how it was obtained: the one policy the CLI and the nodes share.

    A `given` pose is used as it is; else the pose is estimated from the photo (`estimate_pose`): the ONNX files
    chosen by `pose_model_files`, else MediaPipe when allowed.

    Args:
        person: (B, 3, H, W) float [0, 1], the person photo(s) (their size is the pose's canvas).
        given: a pose from the user (`Pose`, POSE_KEYPOINT, OpenPose JSON dict or file path), or None.
        pose_model, detector_model: see `pose_model_files`.
        pose_dirs: folders searched for pose files by name; None = `DEFAULT_POSE_DIR`.
        use_mediapipe: allow MediaPipe as the last resort.
        conf_threshold: joints below this confidence are missing (estimators only).
        name: the photo's name in messages (e.g. "--person").

    Raises:
        PoseUnavailableError (a FileNotFoundError) when nothing can give a pose, saying what to install or which
        file to put where; errors of the pose reader or of the chosen estimator otherwise.
    """
    dirs = [DEFAULT_POSE_DIR] if pose_dirs is None else list(pose_dirs)
    models = None if given is not None else pose_model_files(pose_model, detector_model, dirs)
    return estimate_pose(
        person,
        given=given,
        onnx_models=models,
        search_dirs=dirs,
        use_mediapipe=use_mediapipe,
        conf_threshold=conf_threshold,
        name=name,
    )


def person_regions(
    person: Tensor,
    *,
    pose: Any = None,
    parse: Tensor | None = None,
    estimate_missing_regions: bool = True,
    pose_model: str | os.PathLike | None = None,
    detector_model: str | os.PathLike | None = None,
    pose_dirs: Sequence[str | os.PathLike] | None = None,
    use_mediapipe: bool = True,
) -> PersonRegions:
    """The person's pose and regions: given ones as they are, the others estimated from the photo.

    Args:
        person: (B, 3, H, W) float [0, 1].
        pose: a `PoseEstimate`, `Pose`, POSE_KEYPOINT list, OpenPose JSON dict or file path, or None to estimate it.
        parse: optional (B, H, W) int64 LIP-20 / VITON-HD labels of the person.
        estimate_missing_regions: without `parse`, estimate the regions from the pose and the silhouette.
        pose_model, detector_model, pose_dirs, use_mediapipe: see `estimate_person_pose`.

    Raises:
        PoseUnavailableError (a FileNotFoundError) when there is no pose and nothing to estimate one with; its
        message says what to install or which file to put where.
    """
    check_image(person, "person")
    if isinstance(pose, PoseEstimate):  # already estimated (with MediaPipe's person mask when it ran)
        estimate = pose
    else:
        estimate = estimate_person_pose(
            person,
            given=pose,
            pose_model=pose_model,
            detector_model=detector_model,
            pose_dirs=pose_dirs,
            use_mediapipe=use_mediapipe,
        )
    warnings = list(_pose_warnings(estimate))
    if estimate.person is not None:
        warnings += estimate.person.warnings
    if parse is not None:
        regions = "given parse map"
    elif not estimate_missing_regions:
        regions = "none (no parse map; estimation off): nothing kept in front, old clothes not painted over"
    else:
        try:
            estimated = estimate_person_regions(
                person, estimate.pose.to(person.device), person=estimate.person, use_mediapipe=use_mediapipe
            )
        except ValueError as err:
            regions = "none: estimation failed, nothing kept in front, old clothes not painted over"
            warnings.append(f"regions: {err}")
        else:
            parse, regions = estimated.parse.to(person.device), estimated.method
            warnings.append("regions are estimated without a parser: connect a parse map for cleaner arms and hair")
    return PersonRegions(pose=estimate, parse=parse, regions=regions, warnings=tuple(warnings))


def quick_tryon(
    person: Tensor,
    garment: Tensor,
    *,
    pose: Any = None,
    parse: Tensor | None = None,
    garment_mask: Tensor | None = None,
    estimate_missing_regions: bool = True,
    pose_model: str | os.PathLike | None = None,
    detector_model: str | os.PathLike | None = None,
    pose_dirs: Sequence[str | os.PathLike] | None = None,
    use_mediapipe: bool = True,
    reg: float = DEFAULT_REG,
    grid_step: int = DEFAULT_GRID_STEP,
    feather_px: float = 1.5,
    category: str = "upper",
    tuck: str = "auto",
    garment_checked: bool = False,
) -> QuickTryOn:
    """Dress `person` in `garment`, finding the pose and regions when they are not given.

    Args:
        person: (B or 1, 3, H, W) float [0, 1].
        garment: (B or 1, 3, H_g, W_g) float [0, 1], a flat front-view garment on a plain background.
        pose, parse, estimate_missing_regions, pose_model, detector_model, pose_dirs, use_mediapipe: see
            `person_regions`.
        garment_mask: optional (B or 1, 1, H_g, W_g) float [0, 1]; computed from the photo when None.
        reg, grid_step, feather_px, category, tuck: see `classical_tryon`.
        garment_checked: the caller has already run `check_garment_photo` on `garment` and said its warnings (the
            CLI, before the pose): not run again (its two MediaPipe models on the garment photo, ~0.1 s).

    Raises:
        ValueError when the garment photo (its mask to be computed) shows a person wearing it
        (`check_garment_photo`); PoseUnavailableError naming what is missing when no pose can be had; the errors
        of `classical_tryon` (naming the input) otherwise.
    """
    check_image(garment, "garment")
    check_garment_not_blank(garment, name="garment")  # before the pose and the regions
    notes: tuple[str, ...] = ()
    # a person wearing the garment stops here, before the heavy work
    if garment_mask is None and use_mediapipe and not garment_checked:
        notes = check_garment_photo(garment.cpu(), name="garment")
    found = person_regions(  # estimators work on the CPU (OpenCV, ONNX Runtime)
        person.cpu(),
        pose=pose,
        parse=parse,
        estimate_missing_regions=estimate_missing_regions,
        pose_model=pose_model,
        detector_model=detector_model,
        pose_dirs=pose_dirs,
        use_mediapipe=use_mediapipe,
    )
    if notes:  # weaker signs of a person in the garment photo: said with the rest
        found = PersonRegions(found.pose, found.parse, found.regions, found.warnings + notes)
    result = classical_tryon(
        person,
        garment,
        found.pose.pose.to(person.device),
        garment_mask=garment_mask,
        parse=None if found.parse is None else found.parse.to(person.device),
        reg=reg,
        grid_step=grid_step,
        feather_px=feather_px,
        category=category,
        tuck=tuck,
    )
    return QuickTryOn(
        image=result.image.clamp(0, 1),
        garment_mask=result.warped_mask.clamp(0, 1),
        refine_mask=result.refine_mask,
        tryon=result,
        person=found,
        tuck_option=tuck,
        placement_warnings=_hidden_warnings(result, found),
    )


def _hidden_warnings(result: ClassicalTryOn, found: PersonRegions) -> tuple[str, ...]:
    """A warning when most of the garment lies behind the labels the composite keeps in front of it (with a parse
    map, given or estimated): the hint names the tuck or the regions that likely caused it."""
    if found.parse is None:
        return ()
    front = set(CATEGORY_LABELS[result.category].front)
    if result.category == "lower" and result.tuck and result.tuck[0] == "in":
        front -= set(VITONHD_UPPER_CLOTHES)  # "in" turns the top below the new waistband into trousers
    if result.category == "upper" and result.tuck and "in" not in result.tuck:
        front -= set(LOWER_GARMENT_LABELS)  # "out": the hem lies over the trousers / skirt
    garment, parse = torch.broadcast_tensors(result.warped_mask[:, 0] > 0.5, found.parse.to(result.warped_mask.device))
    behind = garment & torch.isin(parse, torch.tensor(sorted(front), device=parse.device, dtype=parse.dtype))
    shares = (behind.flatten(1).sum(1) / garment.flatten(1).sum(1).clamp(min=1)).tolist()
    items = [i for i, share in enumerate(shares) if share > HIDDEN_WARNING]
    if not items:
        return ()
    labels, counts = parse[items][behind[items]].unique(return_counts=True)
    names = ", ".join(LIP_LABELS[int(v)] for v in labels.tolist())
    most = int(labels[counts.argmax()])
    if result.category == "upper" and most in LOWER_GARMENT_LABELS:
        hint = "set tuck to 'out' to wear it over the trousers / skirt"
    elif result.category == "lower" and most in VITONHD_UPPER_CLOTHES:
        hint = "set tuck to 'in' if the top should go inside the waistband"
    else:
        hint = f"the person's {LIP_LABELS[most]} is in front of it"
    where = "" if len(shares) == 1 else f" (item {', '.join(map(str, items))})"
    return (
        f"most of the garment ({max(shares):.0%}) is hidden behind what is kept in front of it ({names}){where}: "
        f"{hint}; with estimated regions, a parse map (KF-VTON Human Parser) may tell the clothes apart",
    )


def _pose_warnings(estimate: PoseEstimate) -> tuple[str, ...]:
    joints = estimate.pose.joints
    weak = []
    for name in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"):
        conf = joints[:, joint_index(name), 2]
        items = (conf < LOW_CONFIDENCE).nonzero().flatten().tolist()
        if items:
            weak.append(f"{name} (item {', '.join(map(str, items))})")
    if not weak:
        return ()
    return (f"low-confidence joints, the garment may sit wrong: {'; '.join(weak)}",)
