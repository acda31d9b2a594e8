"""Person keypoint formats in and out of `Pose` (BODY_25 order, pixels, confidence 0 = missing; style rule R11).

Formats read:
    - OpenPose JSON files or dicts, BODY_25 (75 numbers per person) or OpenPose-18 / COCO-18 (54 numbers);
    - ComfyUI `POSE_KEYPOINT` values (DWPose / OpenPose preprocessors): a list with one dict per image,
      `{"people": [{"pose_keypoints_2d": [...], ...}], "canvas_width": W, "canvas_height": H}`;
    - COCO-17 arrays (51 numbers or (17, 3), e.g. MMPose / ultralytics order);
    - Dress Code keypoint files (`keypoints/NNNNNN_2.json`): `{"keypoints": [[x, y, score, id], ...]}`, 18 joints
      in OpenPose-18 order (the row is the joint; the 4th number is a running count of the detected joints, not a
      joint id), pixels of a 384 x 512 (W x H) canvas, missing joints `[-1, -1, 0, -1]`.

Convention:
    Every flat keypoint array is (x, y, confidence) triples; its length picks the layout (75 BODY_25, 54 COCO-18,
    51 COCO-17). Coordinates are pixels of the image the pose belongs to, OR normalised to [0, 1] by the canvas
    size: an array whose present coordinates all lie in [0, 1] is read as normalised (a real pixel pose never fits
    in one pixel). Missing joints have confidence 0 and, on output, coordinates (0, 0) as OpenPose writes them;
    on input a zero-confidence joint is missing whatever its coordinates.
    Joints missing from a layout (COCO-17 has no neck or mid-hip) are derived where that is exact enough: the neck
    as the mid-shoulder, the mid-hip as the mid-hip-joints, each with the smaller of the two confidences; the
    feet of BODY_25 stay missing.

Canvas and image:
    A pose is read for a given image size (`canvas_hw`). A JSON with canvas_width / canvas_height must have the
    image's aspect ratio (within 1 %, `check_canvas_aspect`) and is rescaled to the image; another ratio (a cropped
    photo with the full photo's pose) is an error. A JSON without them is taken to be in the image's pixels. Either
    way the joints must lie on the image (`check_joints_on_canvas`), so a pose of another image is an error rather
    than a garment placed off the body. A POSE_KEYPOINT (other packs' detectors, coordinates normalised by its
    canvas) of another ratio is rescaled with a warning (`PoseRead.warnings`).

Choosing a person:
    When a frame holds several people, the one with the largest score is used:
    score = (area of the bounding box of its present joints, in pixels) x (mean confidence of its present joints),
    i.e. the largest, most confidently detected person (`select_person`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from .._atomic import write_text_atomic
from .pose import BODY25_JOINTS, PRESENT_THRESHOLD, Pose, joint_index

__all__ = [
    "COCO17_JOINTS",
    "COCO18_JOINTS",
    "LAYOUTS",
    "joints_from_array",
    "joints_to_array",
    "select_person",
    "pose_from_openpose_json",
    "pose_from_pose_keypoint",
    "pose_from_array",
    "DRESSCODE_CANVAS_HW",
    "pose_from_dresscode_json",
    "pose_from_json_file",
    "pose_to_openpose_json",
    "pose_to_pose_keypoint",
    "pose_to_array",
    "save_openpose_json",
    "check_pose_joints",
    "check_canvas_aspect",
    "check_joints_on_canvas",
    "PoseRead",
    "read_openpose_json",
    "read_pose_json",
    "read_pose_keypoint",
    "CANVAS_ASPECT_TOLERANCE",
    "OFF_CANVAS_MARGIN",
]

#: Relative difference of H/W ratios above which a pose canvas is not the image's.
CANVAS_ASPECT_TOLERANCE = 0.01
#: Joints may lie this far (fraction of the canvas size) outside it: detectors extrapolate cut-off limbs a little.
OFF_CANVAS_MARGIN = 0.1


@dataclass(frozen=True)
class PoseRead:
    """A pose read for an image, and what the reader had to assume or adapt.

    Attributes:
        pose: batch of poses in the image's pixels (`canvas_hw` = the image's (H, W)).
        canvas_in_file: (H, W) the file declared (canvas_width / canvas_height), or None when it declared none.
        notes: what was done, one sentence each (e.g. "no canvas size in the JSON; joints checked against ...").
        warnings: what may make the result wrong, one sentence each, for the node's text output or the CLI.
    """

    pose: Pose
    canvas_in_file: tuple[int, int] | None
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


#: OpenPose-18 (COCO-18) order, as OpenPose COCO models, HR-VITON and the DWPose/OpenPose ComfyUI nodes use.
COCO18_JOINTS: tuple[str, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow", "left_wrist",
    "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
)  # fmt: skip
#: COCO-17 keypoint order (MS-COCO annotations, MMPose, ultralytics).
COCO17_JOINTS: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip
#: layout name -> joint names, in array order.
LAYOUTS: dict[str, tuple[str, ...]] = {"body25": BODY25_JOINTS, "coco18": COCO18_JOINTS, "coco17": COCO17_JOINTS}
_BY_LENGTH = {len(j): name for name, j in LAYOUTS.items()}
_PRESENT = 0.0  # a joint is present when its confidence is > this


def _layout_of(count: int, name: str) -> str:
    if count not in _BY_LENGTH:
        raise ValueError(
            f"{name}: expected 25 (BODY_25), 18 (OpenPose-18/COCO-18) or 17 (COCO-17) keypoints "
            f"= 75, 54 or 51 numbers, got {count} keypoints"
        )
    return _BY_LENGTH[count]


def joints_from_array(
    values: Sequence[float] | Tensor,
    canvas_hw: tuple[int, int],
    *,
    layout: str | None = None,
    name: str = "keypoints",
) -> Tensor:
    """One person's keypoints in any supported layout -> (25, 3) float32 BODY_25 (x_px, y_px, confidence).

    Args:
        values: flat (3 J,) numbers or a (J, 3) array, (x, y, confidence) per joint; pixels or normalised [0, 1]
            (detected, see the module docstring).
        canvas_hw: (H, W) of the image, to scale normalised coordinates to pixels.
        layout: "body25", "coco18", "coco17" or None to pick it from the length.
        name: the input's name for error messages.
    """
    if not isinstance(values, Tensor):
        _check_numbers(values, name)
    arr = torch.as_tensor(values, dtype=torch.float32) if not isinstance(values, Tensor) else values.float()
    if arr.ndim == 2 and arr.shape[-1] == 3:
        arr = arr.reshape(-1)
    if arr.ndim != 1 or arr.numel() % 3:
        raise ValueError(f"{name}: expected (x, y, confidence) triples, got an array of shape {tuple(arr.shape)}")
    count = arr.numel() // 3
    layout = layout or _layout_of(count, name)
    if layout not in LAYOUTS:
        raise ValueError(f"{name}: unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    if count != len(LAYOUTS[layout]):
        raise ValueError(f"{name}: layout {layout} has {len(LAYOUTS[layout])} keypoints, got {count}")
    if not torch.isfinite(arr).all():
        raise ValueError(f"{name}: keypoints contain NaN or inf")
    src = arr.reshape(count, 3).clone()
    src[src[:, 2] <= _PRESENT] = 0.0
    present = src[:, 2] > _PRESENT
    if present.any() and bool((src[present, :2] >= 0).all() and (src[present, :2] <= 1.0).all()):
        h, w = canvas_hw
        src[present, 0] *= w
        src[present, 1] *= h
    out = torch.zeros(len(BODY25_JOINTS), 3)
    for i, joint in enumerate(LAYOUTS[layout]):
        out[joint_index(joint)] = src[i]
    if layout != "body25":
        _derive_mid(out, "neck", "left_shoulder", "right_shoulder")
        _derive_mid(out, "mid_hip", "left_hip", "right_hip")
    return out


def _check_numbers(values: object, name: str) -> None:
    """A flat list of numbers or a list of (x, y, confidence) lists; else raise naming the first bad entry."""
    if not isinstance(values, Sequence) or isinstance(values, str):
        raise TypeError(f"{name}: expected a list of numbers, got {type(values).__name__}")
    for i, v in enumerate(values):
        row = v if isinstance(v, Sequence) and not isinstance(v, str) else (v,)
        for u in row:
            if isinstance(u, bool) or not isinstance(u, Real):
                raise ValueError(f"{name}: expected numbers, got {u!r} ({type(u).__name__}) at entry {i}")


def _derive_mid(joints: Tensor, target: str, a: str, b: str) -> None:
    t, ia, ib = joint_index(target), joint_index(a), joint_index(b)
    if joints[t, 2] > _PRESENT or joints[ia, 2] <= _PRESENT or joints[ib, 2] <= _PRESENT:
        return
    joints[t, :2] = (joints[ia, :2] + joints[ib, :2]) / 2
    joints[t, 2] = torch.minimum(joints[ia, 2], joints[ib, 2])


def joints_to_array(joints: Tensor, layout: str = "body25") -> Tensor:
    """(..., 25, 3) BODY_25 joints -> (..., J, 3) in `layout` ("body25", "coco18", "coco17"); missing = (0, 0, 0)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout: unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    idx = torch.tensor([joint_index(j) for j in LAYOUTS[layout]], device=joints.device)
    out = joints.index_select(-2, idx)
    return torch.where(out[..., 2:] > _PRESENT, out, torch.zeros_like(out))


def _person_score(joints: Tensor) -> float:
    present = joints[:, 2] > _PRESENT
    if not present.any():
        return -1.0
    xy = joints[present, :2]
    extent = (xy.max(0).values - xy.min(0).values).clamp_min(1.0)
    return float(extent.prod() * joints[present, 2].mean())


def select_person(people: Sequence[Tensor]) -> int:
    """Index of the person to use: the largest bbox of present joints x their mean confidence (module docstring).

    Args:
        people: each (25, 3) BODY_25 pixel joints.
    """
    scores = [_person_score(p) for p in people]
    return max(range(len(scores)), key=scores.__getitem__)


def _people_joints(frame: Mapping[str, Any], canvas_hw: tuple[int, int], name: str) -> Tensor:
    people = frame.get("people")
    if not isinstance(people, list) or not people:
        raise ValueError(f"{name}: no people in the pose (expected a non-empty 'people' list)")
    joints = []
    for i, person in enumerate(people):
        values = person.get("pose_keypoints_2d") if isinstance(person, Mapping) else None
        if values is None:
            raise ValueError(f"{name}: people[{i}] has no 'pose_keypoints_2d'")
        joints.append(joints_from_array(values, canvas_hw, name=f"{name}: people[{i}].pose_keypoints_2d"))
    chosen = joints[select_person(joints)]
    if not (chosen[:, 2] > _PRESENT).any():
        raise ValueError(f"{name}: no people in the pose (every keypoint has confidence 0)")
    return chosen


def _declared_canvas(frame: Mapping[str, Any], name: str) -> tuple[int, int] | None:
    w, h = frame.get("canvas_width"), frame.get("canvas_height")
    if w is None and h is None:
        return None
    ok = all(isinstance(v, Real) and not isinstance(v, bool) and v >= 1 for v in (w, h))
    if not ok:
        raise ValueError(f"{name}: expected canvas_width and canvas_height >= 1, got {w!r} x {h!r}")
    return int(h), int(w)


def _frame_canvas(frame: Mapping[str, Any], canvas_hw: tuple[int, int] | None, name: str) -> tuple[int, int]:
    declared = _declared_canvas(frame, name)
    if declared is not None:
        return declared
    if canvas_hw is None:
        raise ValueError(
            f"{name}: the pose has no canvas_width/canvas_height; pass canvas_hw (the (H, W) of the person image)"
        )
    return int(canvas_hw[0]), int(canvas_hw[1])


def check_canvas_aspect(canvas_hw: tuple[int, int], image_hw: tuple[int, int], name: str) -> None:
    """Raise unless a pose canvas (H, W) has the image's aspect ratio within `CANVAS_ASPECT_TOLERANCE`."""
    (ch, cw), (h, w) = canvas_hw, image_hw
    if abs(ch / cw - h / w) > CANVAS_ASPECT_TOLERANCE * (h / w):
        raise ValueError(
            f"{name}: its canvas is {cw}x{ch} (W x H) but the image is {w}x{h}, another aspect ratio; "
            "the pose must come from this image (a cropped or resized-with-padding photo needs its own pose)"
        )


def _aspect_differs(canvas_hw: tuple[int, int], image_hw: tuple[int, int]) -> bool:
    (ch, cw), (h, w) = canvas_hw, image_hw
    return abs(ch / cw - h / w) > CANVAS_ASPECT_TOLERANCE * (h / w)


def check_joints_on_canvas(
    pose: Pose, name: str, *, joints: Sequence[str] | None = None, margin: float = OFF_CANVAS_MARGIN
) -> None:
    """Raise when a present joint (of `joints`, default all) lies outside the pose's canvas by more than `margin`
    of its width / height.

    The message names the input, the first joints outside with their coordinates and the canvas, which tells a
    pose of a larger image (or scaled coordinates) from a real one.
    """
    h, w = pose.canvas_hw
    xy, present = pose.joints[..., :2], pose.joints[..., 2] > _PRESENT
    lo = torch.tensor([-margin * w, -margin * h], dtype=xy.dtype, device=xy.device)
    hi = torch.tensor([(1 + margin) * w, (1 + margin) * h], dtype=xy.dtype, device=xy.device)
    outside = present & ((xy < lo) | (xy > hi)).any(dim=-1)
    if joints is not None:
        chosen = torch.zeros(len(BODY25_JOINTS), dtype=torch.bool, device=xy.device)
        chosen[[joint_index(j) for j in joints]] = True
        outside &= chosen
    if not bool(outside.any()):
        return
    items, joints = outside.nonzero(as_tuple=True)
    shown = [
        f"{BODY25_JOINTS[j]} at ({float(xy[b, j, 0]):.0f}, {float(xy[b, j, 1]):.0f})"
        for b, j in zip(items.tolist()[:3], joints.tolist()[:3], strict=True)
    ]
    batch = f" in batch item(s) {sorted(set(items.tolist()))}" if pose.batch_size > 1 else ""
    raise ValueError(
        f"{name}: {int(outside.sum())} joint(s) lie outside the {w}x{h} (W x H) image{batch}: {', '.join(shown)}; "
        "the pose belongs to another image (or another size of it)"
    )


def _load_json(source: str | os.PathLike | Mapping[str, Any], name: str, what: str = "pose JSON") -> tuple[Any, str]:
    """(parsed JSON, name for messages): a dict passes through; a file is read (a one-frame list is unwrapped)."""
    if isinstance(source, Mapping):
        return source, name
    path = Path(source)
    if path.is_dir():
        raise ValueError(f"{name}: {path} is a folder; expected a JSON file")
    if not path.is_file():
        raise FileNotFoundError(f"{name}: file not found: {path}")
    try:
        frame = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"{name}: cannot read {path} as {what} ({err})") from None
    except RecursionError:
        raise ValueError(f"{name}: cannot read {path}: JSON nested too deeply") from None
    if isinstance(frame, list) and len(frame) == 1:  # a saved POSE_KEYPOINT value
        frame = frame[0]
    if not isinstance(frame, Mapping):
        raise ValueError(f"{name}: expected a JSON object in {path}, got {type(frame).__name__}")
    return frame, f"{name} ({path.name})"


def read_openpose_json(
    source: str | os.PathLike | Mapping[str, Any],
    canvas_hw: tuple[int, int] | None = None,
    *,
    name: str = "pose",
) -> PoseRead:
    """Read an OpenPose JSON (file path or parsed dict), BODY_25 or OpenPose-18, for an image of size `canvas_hw`.

    The rules (module docstring, "Canvas and image"): a declared canvas must have the image's aspect ratio and is
    rescaled to it; without one the coordinates are the image's pixels (a note says so); the joints must lie on the
    image.

    Args:
        source: path of a `*_keypoints.json` file, or its parsed dict (a one-item list, a saved POSE_KEYPOINT, is
            accepted from files).
        canvas_hw: (H, W) of the person image; needed unless the JSON has canvas_width/canvas_height.
        name: the input's name for error messages (e.g. "--pose").

    Raises:
        FileNotFoundError: no such file. ValueError naming `name`: unreadable JSON, no people, wrong keypoint
        count, a non-number among the keypoints, another aspect ratio, joints outside the image.
    """
    frame, name = _load_json(source, name, "OpenPose JSON")
    declared = _declared_canvas(frame, name)
    own = _frame_canvas(frame, canvas_hw, name)
    pose = Pose(_people_joints(frame, own, name)[None], own)
    notes = []
    if declared is None and canvas_hw is not None:
        notes.append(
            f"{name}: no canvas size in the JSON; its joints are taken as pixels of the {own[1]}x{own[0]} photo"
        )
    check_joints_on_canvas(pose, name)
    if canvas_hw is not None and tuple(canvas_hw) != own:
        target = (int(canvas_hw[0]), int(canvas_hw[1]))
        check_canvas_aspect(own, target, name)
        pose = pose.rescaled(target)
        notes.append(f"{name}: rescaled from its {own[1]}x{own[0]} canvas to the {target[1]}x{target[0]} photo")
    return PoseRead(pose, declared, tuple(notes))


def pose_from_openpose_json(
    source: str | os.PathLike | Mapping[str, Any],
    canvas_hw: tuple[int, int] | None = None,
    *,
    name: str = "pose",
) -> Pose:
    """`read_openpose_json(...).pose`: a batch-1 `Pose` in the pixels of `canvas_hw` (or of the JSON's canvas)."""
    return read_openpose_json(source, canvas_hw, name=name).pose


def read_pose_keypoint(
    value: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    canvas_hw: tuple[int, int] | None = None,
    *,
    name: str = "pose_keypoint",
) -> PoseRead:
    """A ComfyUI POSE_KEYPOINT value (one dict per image) -> `Pose` with one row per image, and warnings.

    Args:
        value: list of `{"people": [...], "canvas_width": W, "canvas_height": H}` dicts (or one such dict).
        canvas_hw: (H, W) of the images the pose is for; required when the dicts carry no canvas size. Frames
            whose canvas differs are rescaled to it, with a warning when its aspect ratio differs too (the
            joints are then stretched); without it every frame must share one canvas.

    Raises:
        TypeError / ValueError naming `name[i]`: not a list of dicts, no people, joints outside their canvas.
    """
    frames = [value] if isinstance(value, Mapping) else list(value) if isinstance(value, Sequence) else None
    if frames is None or not all(isinstance(f, Mapping) for f in frames):
        raise TypeError(f"{name}: expected a list of pose dicts (POSE_KEYPOINT), got {type(value).__name__}")
    if not frames:
        raise ValueError(f"{name}: got an empty list (no images)")
    canvases = [_frame_canvas(f, canvas_hw, f"{name}[{i}]") for i, f in enumerate(frames)]
    target = (int(canvas_hw[0]), int(canvas_hw[1])) if canvas_hw is not None else canvases[0]
    rows, warnings = [], []
    for i, (frame, own) in enumerate(zip(frames, canvases, strict=True)):
        pose = Pose(_people_joints(frame, own, f"{name}[{i}]")[None], own)
        check_joints_on_canvas(pose, f"{name}[{i}]")
        if own != target:
            if canvas_hw is None:
                raise ValueError(f"{name}[{i}]: canvas {own} differs from frame 0's {target}; pass canvas_hw")
            if _aspect_differs(own, target):
                warnings.append(
                    f"{name}[{i}]: its canvas is {own[1]}x{own[0]} (W x H) but the image is {target[1]}x{target[0]}, "
                    "another aspect ratio; the joints were stretched to fit. Detect the pose on this image."
                )
            pose = pose.rescaled(target)
        rows.append(pose.joints)
    return PoseRead(Pose(torch.cat(rows), target), _declared_canvas(frames[0], f"{name}[0]"), (), tuple(warnings))


#: (H, W) of the canvas Dress Code's keypoint files are in (its images are 1024 x 768: twice that).
DRESSCODE_CANVAS_HW: tuple[int, int] = (512, 384)


def pose_from_dresscode_json(
    source: str | os.PathLike | Mapping[str, Any],
    canvas_hw: tuple[int, int] | None = None,
    *,
    name: str = "pose",
) -> Pose:
    """Read a Dress Code keypoint file (or its parsed dict) into a batch-1 `Pose`.

    Args:
        source: path of a `NNNNNN_2.json` file or its dict `{"keypoints": [[x, y, score, n], ...]}`: 18 rows in
            OpenPose-18 order (n counts the detected joints, -1 when missing), pixels of `DRESSCODE_CANVAS_HW`;
            score 0 = missing.
        canvas_hw: (H, W) of the person image; the pose is rescaled from the 512 x 384 canvas to it (None keeps
            the Dress Code canvas).
        name: the input's name for error messages.

    Raises:
        FileNotFoundError: no such file. ValueError: unreadable JSON, not 18 rows of 4 numbers, no joint present.
    """
    frame, name = _load_json(source, name, "Dress Code keypoint JSON")
    rows = frame.get("keypoints") if isinstance(frame, Mapping) else None
    if not isinstance(rows, list) or len(rows) != len(COCO18_JOINTS):
        got = f"{len(rows)} entries" if isinstance(rows, list) else type(rows).__name__
        raise ValueError(f"{name}: expected 'keypoints': 18 [x, y, score, id] rows (Dress Code), got {got}")
    values = []
    for i, row in enumerate(rows):
        if not isinstance(row, list | tuple) or len(row) != 4:
            raise ValueError(f"{name}: keypoints[{i}]: expected [x, y, score, id], got {row!r}")
        x, y, score, _count = (float(v) for v in row)  # the 4th number counts the detected joints (-1 = missing)
        values.extend((x, y, score))
    own = DRESSCODE_CANVAS_HW
    # Dress Code pixel coordinates are never normalised; a person in the top-left pixel would be read as such
    pose = Pose(joints_from_array(values, own, layout="coco18", name=f"{name}: keypoints")[None], own)
    if not bool((pose.joints[0, :, 2] > _PRESENT).any()):
        raise ValueError(f"{name}: no people in the pose (every keypoint has score 0)")
    if canvas_hw is not None and tuple(canvas_hw) != own:
        pose = pose.rescaled((int(canvas_hw[0]), int(canvas_hw[1])))
    return pose


def read_pose_json(
    source: str | os.PathLike | Mapping[str, Any],
    canvas_hw: tuple[int, int] | None = None,
    *,
    name: str = "pose",
) -> PoseRead:
    """Any pose JSON we read -> `PoseRead`: OpenPose / POSE_KEYPOINT (a 'people' list) or Dress Code ('keypoints').

    Args, Raises: as `read_openpose_json`; a JSON with neither key raises naming both formats.
    """
    frame, label = _load_json(source, name)
    if "keypoints" in frame and "people" not in frame:
        pose = pose_from_dresscode_json(frame, canvas_hw, name=label)
        check_joints_on_canvas(pose, label)
        return PoseRead(pose, DRESSCODE_CANVAS_HW)
    if "people" in frame:
        return read_openpose_json(frame, canvas_hw, name=label)
    raise ValueError(
        f"{label}: expected an OpenPose / POSE_KEYPOINT JSON (a 'people' list) or a Dress Code keypoint JSON "
        f"(a 'keypoints' list), got {sorted(frame)[:5]}"
    )


def pose_from_json_file(
    source: str | os.PathLike | Mapping[str, Any],
    canvas_hw: tuple[int, int] | None = None,
    *,
    name: str = "pose",
) -> Pose:
    """`read_pose_json(...).pose`: a batch-1 `Pose` in the pixels of `canvas_hw` (or of the JSON's canvas)."""
    return read_pose_json(source, canvas_hw, name=name).pose


def pose_from_pose_keypoint(
    value: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    canvas_hw: tuple[int, int] | None = None,
    *,
    name: str = "pose_keypoint",
) -> Pose:
    """`read_pose_keypoint(...).pose`: one row per image in the pixels of `canvas_hw` (or of the frames' canvas)."""
    return read_pose_keypoint(value, canvas_hw, name=name).pose


def pose_from_array(
    keypoints: Sequence[Any] | Tensor,
    canvas_hw: tuple[int, int],
    *,
    layout: str | None = None,
    name: str = "keypoints",
) -> Pose:
    """(B, J, 3), (J, 3) or flat keypoint arrays (BODY_25, COCO-18 or COCO-17; pixels or normalised) -> `Pose`."""
    arr = keypoints if isinstance(keypoints, Tensor) else torch.as_tensor(keypoints, dtype=torch.float32)
    if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[-1] == 3):
        arr = arr[None]
    if arr.ndim not in (2, 3):
        raise ValueError(f"{name}: expected (B, J, 3), (J, 3) or flat keypoints, got shape {tuple(arr.shape)}")
    rows = [joints_from_array(a, canvas_hw, layout=layout, name=f"{name}[{i}]") for i, a in enumerate(arr)]
    return Pose(torch.stack(rows), (int(canvas_hw[0]), int(canvas_hw[1])))


def pose_to_array(pose: Pose, layout: str = "body25") -> Tensor:
    """`Pose` -> (B, J, 3) pixel keypoints in `layout`; missing joints are (0, 0, 0)."""
    return joints_to_array(pose.joints, layout)


def _frame_dict(joints: Tensor, canvas_hw: tuple[int, int], layout: str) -> dict[str, Any]:
    flat = [round(float(v), 3) for v in joints_to_array(joints.detach().float().cpu(), layout).reshape(-1)]
    return {
        "version": 1.3,
        "people": [
            {
                "person_id": [-1],
                "pose_keypoints_2d": flat,
                "face_keypoints_2d": None,
                "hand_left_keypoints_2d": None,
                "hand_right_keypoints_2d": None,
            }
        ],
        "canvas_height": int(canvas_hw[0]),
        "canvas_width": int(canvas_hw[1]),
    }


def pose_to_openpose_json(pose: Pose, layout: str = "body25") -> list[dict[str, Any]]:
    """`Pose` -> one OpenPose JSON dict per image ("body25" or "coco18" = OpenPose-18), pixel coordinates.

    Each dict also carries canvas_width / canvas_height (OpenPose ignores them; we read them back).
    """
    if layout not in ("body25", "coco18"):
        raise ValueError(f"layout: OpenPose JSON is 'body25' or 'coco18', got {layout!r}")
    return [_frame_dict(j, pose.canvas_hw, layout) for j in pose.joints]


def pose_to_pose_keypoint(pose: Pose) -> list[dict[str, Any]]:
    """`Pose` -> ComfyUI POSE_KEYPOINT: one dict per image, OpenPose-18 order, pixel coordinates + canvas size,
    the form the DWPose / OpenPose preview and editor nodes draw."""
    return [_frame_dict(j, pose.canvas_hw, "coco18") for j in pose.joints]


def save_openpose_json(pose: Pose, path: str | os.PathLike, layout: str = "body25", index: int = 0) -> None:
    """Write batch item `index` of `pose` as an OpenPose `*_keypoints.json` file; folders are created."""
    frame = pose_to_openpose_json(pose.select(index), layout)[0]
    write_text_atomic(path, json.dumps(frame))


def check_pose_joints(
    pose: object, names: Sequence[str], *, name: str = "pose", threshold: float = PRESENT_THRESHOLD
) -> None:
    """Raise unless `pose` is a `Pose` whose every batch item has each joint of `names` (confidence > threshold).

    The message names the input, the batch item and the missing joints.
    """
    if not isinstance(pose, Pose):
        raise TypeError(f"{name}: expected a Pose, got {type(pose).__name__}")
    for joint in names:
        ok = pose.present(joint, threshold)
        if not bool(ok.all()):
            items = [i for i, v in enumerate(ok.tolist()) if not v]
            raise ValueError(
                f"{name}: joint {joint!r} is missing (confidence <= {threshold}) in batch item(s) {items}; "
                f"needed joints: {', '.join(names)}"
            )
    if not torch.isfinite(pose.joints).all():
        raise ValueError(f"{name}: joint coordinates contain NaN or inf")
