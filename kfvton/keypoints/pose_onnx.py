"""Top-down pose estimation with onnxruntime: a YOLOX person detector and a DWPose / RTMPose SimCC pose model.

These are the ONNX files ComfyUI users already have from the popular pose preprocessor pack (for example
`yolox_l.onnx` and `dw-ll_ucoco_384.onnx`), put under models/kfvton/pose/ or given by path.

Pipeline, per image:
    1. detector (optional): letterbox the photo into the detector's input (top-left, grey 114 padding), decode
       the YOLOX head (grid + stride for the centre, exp() for the size, objectness x person score), NMS, map the
       boxes back by the letterbox ratio. The most confident person is kept. Without a detector the whole photo
       is the person box (try-on photos show one person filling the frame).
    2. pose: the box grown by `box_padding`, made the pose input's aspect ratio, is cut out with an affine warp
       (black outside the photo), normalised with the ImageNet mean/std in 0..255 units, run through the model.
    3. SimCC decoding: each joint's x (y) is the argmax of its `simcc_x` (`simcc_y`) row divided by the split
       ratio (output length / input size, read from the model), its score the smaller of the two maxima; joints
       scoring below `conf_threshold` are missing (confidence 0). Crop pixels map back through the inverse affine.
    4. COCO-17 (17 outputs) or COCO-WholeBody (133 outputs, of which the body and the six foot points are used)
       -> `Pose` (BODY_25), via `kfvton.keypoints.formats`.

Convention:
    Images go in as library tensors (B, 3, H, W) RGB [0, 1]. Both networks receive BGR by default, as the DWPose /
    RTMPose reference runners feed these files (`channel_order="rgb"` for models exported otherwise).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import torch
from torch import Tensor

from .._arrays import to_uint8_hwc
from .._checks import check_image
from .._onnx import onnx_session, session_signature
from .formats import joints_from_array
from .pose import Pose, joint_index

__all__ = [
    "PoseModelFiles",
    "PersonBoxes",
    "SimccDecoded",
    "detect_people",
    "decode_simcc",
    "estimate_pose_onnx",
    "WHOLEBODY_FEET",
    "box_affine",
]

_MEAN = np.array([123.675, 116.28, 103.53], dtype=np.float32)
_STD = np.array([58.395, 57.12, 57.375], dtype=np.float32)
_YOLOX_STRIDES = (8, 16, 32)
_YOLOX_PAD = 114.0

#: COCO-WholeBody points 17..22 (the feet) as BODY_25 joint names.
WHOLEBODY_FEET: tuple[str, ...] = (
    "left_big_toe", "left_small_toe", "left_heel", "right_big_toe", "right_small_toe", "right_heel",
)  # fmt: skip


@dataclass(frozen=True)
class PoseModelFiles:
    """The ONNX files of the ONNX pose path.

    Attributes:
        pose: DWPose / RTMPose SimCC model (outputs `simcc_x`, `simcc_y`).
        detector: YOLOX person detector, or None to use the whole photo as the person box.
    """

    pose: str
    detector: str | None = None

    def describe(self) -> str:
        pose = os.path.basename(self.pose)
        return f"{pose} + {os.path.basename(self.detector)}" if self.detector else f"{pose} (whole photo as box)"


@dataclass(frozen=True)
class PersonBoxes:
    """Detected people in one photo, most confident first.

    Attributes:
        boxes_px: (N, 4) float32 (x0, y0, x1, y1) in the photo's pixels.
        scores: (N,) float32 in [0, 1].
    """

    boxes_px: np.ndarray
    scores: np.ndarray


@dataclass(frozen=True)
class SimccDecoded:
    """SimCC decoding result.

    Attributes:
        xy_px: (N, K, 2) float32 joint positions in the pose model's input pixels.
        scores: (N, K) float32, min of the x and y maxima.
    """

    xy_px: np.ndarray
    scores: np.ndarray


def _order(rgb: np.ndarray, channel_order: str) -> np.ndarray:
    if channel_order not in ("bgr", "rgb"):
        raise ValueError(f"channel_order: expected 'bgr' or 'rgb', got {channel_order!r}")
    return rgb[..., ::-1] if channel_order == "bgr" else rgb


def _fixed_hw(shape: tuple[int | str, ...], name: str, path: str, what: str) -> tuple[int, int]:
    if len(shape) != 4 or not all(isinstance(d, int) for d in shape[2:]) or shape[1] not in (3, "3"):
        raise ValueError(
            f"{name}: {path} is not {what}: expected one input image (N, 3, H, W) with fixed H and W, got {shape}"
        )
    return int(shape[2]), int(shape[3])


def _check_detector(session: Any, path: str, name: str) -> tuple[str, tuple[int, int]]:
    sig = session_signature(session)
    what = "a YOLOX person detector"
    if len(sig.inputs) != 1 or len(sig.outputs) != 1:
        raise ValueError(f"{name}: {path} is not {what}: expected 1 input and 1 output, got {sig.describe()}")
    in_name, in_shape = sig.inputs[0]
    out_shape = sig.outputs[0][1]
    if len(out_shape) != 3 or (isinstance(out_shape[2], int) and out_shape[2] < 6):
        raise ValueError(
            f"{name}: {path} is not {what}: expected an output (N, anchors, 5 + classes), got {sig.describe()}"
        )
    return in_name, _fixed_hw(in_shape, name, path, what)


def _check_pose(session: Any, path: str, name: str) -> tuple[str, tuple[int, int]]:
    sig = session_signature(session)
    what = "a DWPose/RTMPose SimCC pose model"
    outs = dict(sig.outputs)
    if len(sig.inputs) != 1 or "simcc_x" not in outs or "simcc_y" not in outs:
        raise ValueError(
            f"{name}: {path} is not {what}: expected 1 image input and outputs named 'simcc_x' and 'simcc_y', "
            f"got {sig.describe()}"
        )
    hw = _fixed_hw(sig.inputs[0][1], name, path, what)
    for out in ("simcc_x", "simcc_y"):
        if len(outs[out]) != 3:
            raise ValueError(f"{name}: {path}: output {out!r} should be (N, joints, bins), got {outs[out]}")
    return sig.inputs[0][0], hw


def _nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    order = np.argsort(-scores)
    keep: list[int] = []
    area = (boxes[:, 2] - boxes[:, 0]).clip(0) * (boxes[:, 3] - boxes[:, 1]).clip(0)
    while order.size:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        lt = np.maximum(boxes[i, :2], boxes[rest, :2])
        rb = np.minimum(boxes[i, 2:], boxes[rest, 2:])
        inter = (rb - lt).clip(0).prod(axis=1)
        iou = inter / np.maximum(area[i] + area[rest] - inter, 1e-9)
        order = rest[iou <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)


def detect_people(
    image_rgb: np.ndarray,
    detector: str | os.PathLike,
    *,
    score_threshold: float = 0.3,
    iou_threshold: float = 0.45,
    channel_order: str = "bgr",
    providers: Sequence[str] | None = None,
) -> PersonBoxes:
    """Find people in one photo with a YOLOX ONNX detector (raw head output, class 0 = person).

    Args:
        image_rgb: (H, W, 3) uint8 RGB photo.
        detector: path of the YOLOX .onnx file (input (1, 3, h, w), output (1, anchors, 5 + classes)).
        score_threshold: keep boxes with objectness x person score above this, in [0, 1].
        iou_threshold: NMS overlap above which the weaker box is dropped.
        channel_order: "bgr" (YOLOX default) or "rgb", the order the detector receives.
        providers: onnxruntime execution providers; None = the host's (CUDA when available, else CPU).

    Returns:
        `PersonBoxes` in the photo's pixels, most confident first (possibly empty).
    """
    session = onnx_session(detector, providers=providers, name="detector_model")
    in_name, (in_h, in_w) = _check_detector(session, str(detector), "detector_model")
    h, w = image_rgb.shape[:2]
    ratio = min(in_h / h, in_w / w)
    rh, rw = max(1, int(round(h * ratio))), max(1, int(round(w * ratio)))
    canvas = np.full((in_h, in_w, 3), _YOLOX_PAD, dtype=np.float32)
    resized = cv2.resize(
        np.ascontiguousarray(_order(image_rgb, channel_order)), (rw, rh), interpolation=cv2.INTER_LINEAR
    )
    canvas[:rh, :rw] = resized
    out = session.run(None, {in_name: canvas.transpose(2, 0, 1)[None]})[0][0].astype(np.float32)
    grids, strides = [], []
    for s in _YOLOX_STRIDES:
        gy, gx = np.meshgrid(np.arange(in_h // s), np.arange(in_w // s), indexing="ij")
        grids.append(np.stack((gx, gy), -1).reshape(-1, 2))
        strides.append(np.full((grids[-1].shape[0], 1), s))
    grid, stride = np.concatenate(grids).astype(np.float32), np.concatenate(strides).astype(np.float32)
    if out.shape[0] != grid.shape[0]:
        raise ValueError(
            f"detector_model: {detector}: expected {grid.shape[0]} anchors for a {in_w}x{in_h} YOLOX input "
            f"(strides {_YOLOX_STRIDES}), got {out.shape[0]}"
        )
    centre = (out[:, :2] + grid) * stride
    size = np.exp(np.clip(out[:, 2:4], -20, 20)) * stride
    scores = out[:, 4] * out[:, 5]
    keep = scores > score_threshold
    boxes = np.concatenate((centre - size / 2, centre + size / 2), axis=1)[keep] / ratio
    scores = scores[keep]
    boxes[:, 0::2] = boxes[:, 0::2].clip(0, w)
    boxes[:, 1::2] = boxes[:, 1::2].clip(0, h)
    kept = _nms(boxes, scores, iou_threshold) if len(scores) else np.zeros(0, dtype=np.int64)
    return PersonBoxes(boxes[kept].astype(np.float32), scores[kept].astype(np.float32))


def decode_simcc(simcc_x: np.ndarray, simcc_y: np.ndarray, *, split_ratio: float | tuple[float, float]) -> SimccDecoded:
    """SimCC classification vectors -> joint positions in the pose model's input pixels.

    Args:
        simcc_x: (N, K, Wx) x-bin scores; simcc_y: (N, K, Wy) y-bin scores.
        split_ratio: bins per input pixel, one value or (x, y) (DWPose / RTMPose use 2.0).
    """
    if simcc_x.ndim != 3 or simcc_y.ndim != 3 or simcc_x.shape[:2] != simcc_y.shape[:2]:
        raise ValueError(
            f"simcc_x, simcc_y: expected (N, K, bins) each with equal N and K, got {simcc_x.shape} and {simcc_y.shape}"
        )
    rx, ry = (split_ratio, split_ratio) if isinstance(split_ratio, int | float) else split_ratio
    x = simcc_x.argmax(-1).astype(np.float32) / rx
    y = simcc_y.argmax(-1).astype(np.float32) / ry
    scores = np.minimum(simcc_x.max(-1), simcc_y.max(-1)).astype(np.float32)
    return SimccDecoded(np.stack((x, y), -1), scores)


def box_affine(box: np.ndarray, in_hw: tuple[int, int], padding: float = 1.25) -> np.ndarray:
    """(2, 3) float64 affine photo px -> pose-input px: the box centre to the input centre, scaled so the box grown by
    `padding` and widened to the input aspect ratio fills the input.

    Args:
        box: (4,) (x0, y0, x1, y1) photo pixels.
        in_hw: (h, w) of the pose model input.
    """
    in_h, in_w = in_hw
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    bw, bh = max(box[2] - box[0], 1.0) * padding, max(box[3] - box[1], 1.0) * padding
    if bw / bh > in_w / in_h:  # fix the aspect ratio by growing the short side
        bh = bw * in_h / in_w
    else:
        bw = bh * in_w / in_h
    s = in_w / bw
    return np.array([[s, 0.0, in_w / 2 - s * cx], [0.0, s, in_h / 2 - s * cy]], dtype=np.float64)


def _to_body25(kpts: np.ndarray, canvas_hw: tuple[int, int]) -> Tensor:
    """(K, 3) COCO-17 or COCO-WholeBody-133 pixel keypoints -> (25, 3) BODY_25."""
    k = kpts.shape[0]
    if k not in (17, 133):
        raise ValueError(
            f"pose_model: expected 17 (COCO body) or 133 (COCO-WholeBody) joints in simcc_x/simcc_y, got {k}"
        )
    body = torch.from_numpy(np.ascontiguousarray(kpts[:17], dtype=np.float32))
    joints = joints_from_array(body, canvas_hw, layout="coco17", name="pose_model output")
    if k == 133:
        for i, joint in enumerate(WHOLEBODY_FEET):
            if kpts[17 + i, 2] > 0:
                joints[joint_index(joint)] = torch.from_numpy(kpts[17 + i].astype(np.float32))
    return joints


def estimate_pose_onnx(
    image: Tensor,
    models: PoseModelFiles,
    *,
    conf_threshold: float = 0.3,
    det_threshold: float = 0.3,
    box_padding: float = 1.25,
    channel_order: str = "bgr",
    providers: Sequence[str] | None = None,
) -> Pose:
    """Estimate one person's pose per image with a SimCC ONNX model (and a YOLOX detector when given).

    Args:
        image: (B, 3, H, W) float RGB in [0, 1].
        models: the ONNX files (`PoseModelFiles`).
        conf_threshold: joints whose SimCC score is below this are missing (confidence 0); others keep their score
            clipped to [0, 1].
        det_threshold: minimum detector score for a person.
        box_padding: the person box is grown by this factor before cropping (1.25 as in RTMPose).
        channel_order: "bgr" or "rgb", what the networks receive (see the module docstring).
        providers: onnxruntime execution providers; None = CUDA when available, else CPU.

    Returns:
        `Pose` (B, 25, 3) in the pixels of `image`.

    Raises:
        FileNotFoundError: a model file is missing. ValueError: a file that is not a readable ONNX model or has the
        wrong inputs/outputs; no person found by the detector in a photo.
    """
    check_image(image, "image")
    if channel_order not in ("bgr", "rgb"):
        raise ValueError(f"channel_order: expected 'bgr' or 'rgb', got {channel_order!r}")
    pose_session = onnx_session(models.pose, providers=providers, name="pose_model")
    in_name, in_hw = _check_pose(pose_session, models.pose, "pose_model")
    if models.detector is not None:  # validate before the first image
        _check_detector(
            onnx_session(models.detector, providers=providers, name="detector_model"), models.detector, "detector_model"
        )
    h, w = image.shape[-2:]
    rows = []
    for b in range(image.shape[0]):
        rgb = to_uint8_hwc(image[b])
        if models.detector is None:
            box = np.array([0.0, 0.0, w, h])
        else:
            found = detect_people(
                rgb, models.detector, score_threshold=det_threshold, channel_order=channel_order, providers=providers
            )
            if not len(found.scores):
                raise ValueError(
                    f"image: no person found in batch item {b} by {os.path.basename(models.detector)} "
                    f"(detector score threshold {det_threshold}); use a photo showing one person, lower the "
                    "threshold, or give the pose as JSON"
                )
            box = found.boxes_px[0].astype(np.float64)
        affine = box_affine(box, in_hw, box_padding)
        crop = cv2.warpAffine(
            np.ascontiguousarray(_order(rgb, channel_order)), affine, (in_hw[1], in_hw[0]), flags=cv2.INTER_LINEAR
        ).astype(np.float32)
        net_in = ((crop - _MEAN) / _STD).transpose(2, 0, 1)[None]
        simcc_x, simcc_y = pose_session.run(["simcc_x", "simcc_y"], {in_name: np.ascontiguousarray(net_in)})
        ratio = (simcc_x.shape[-1] / in_hw[1], simcc_y.shape[-1] / in_hw[0])
        decoded = decode_simcc(simcc_x, simcc_y, split_ratio=ratio)
        inverse = cv2.invertAffineTransform(affine)
        xy = decoded.xy_px[0].astype(np.float64) @ inverse[:, :2].T + inverse[:, 2]
        conf = np.where(decoded.scores[0] >= conf_threshold, np.clip(decoded.scores[0], 0.0, 1.0), 0.0)
        kpts = np.concatenate((xy, conf[:, None]), axis=1).astype(np.float32)
        kpts[conf <= 0] = 0.0
        rows.append(_to_body25(kpts, (h, w)))
    return Pose(torch.stack(rows).to(dtype=torch.float32), (int(h), int(w)))
