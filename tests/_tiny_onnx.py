"""Tiny ONNX stand-ins for the real pose / detector / parser files, with the same input and output names and shapes.

They are built in a test's tmp_path. Their outputs depend on the input image in a way the tests can predict, so the
whole path (pre-processing, running, decoding, mapping back to the photo) is checked without the real weights:

- pose model: joint k looks at input channel k % 3; its `simcc_x` row is the per-column maximum of that channel
  (each column repeated `split` times), `simcc_y` the per-row maximum. A saturated spot of that channel on a black
  photo is therefore where joint k is found.
- detector: a constant YOLOX head output holding one person box (given in the detector's letterboxed input
  pixels), linked to the input so onnxruntime keeps it a real graph.
- parser: class scores are a fixed linear map of the normalised RGB pixels, so a flat colour gets a known class.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
YOLOX_STRIDES = (8, 16, 32)


def _save(graph, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def _repeat_matrix(n: int, split: int) -> np.ndarray:
    m = np.zeros((n, n * split), dtype=np.float32)
    for i in range(n):
        m[i, i * split : (i + 1) * split] = 1.0
    return m


def build_pose_model(
    path: Path,
    *,
    joints: int = 17,
    input_hw: tuple[int, int] = (64, 48),
    split: int = 2,
    output_names: tuple[str, str] = ("simcc_x", "simcc_y"),
) -> Path:
    """A SimCC pose model: input 'input' (1, 3, H, W) -> simcc_x (1, K, W*split), simcc_y (1, K, H*split)."""
    h, w = input_hw
    inits = [
        numpy_helper.from_array(np.array([k % 3 for k in range(joints)], dtype=np.int64), "channels"),
        numpy_helper.from_array(_repeat_matrix(w, split), "rep_w"),
        numpy_helper.from_array(_repeat_matrix(h, split), "rep_h"),
    ]
    nodes = [
        helper.make_node("Gather", ["input", "channels"], ["per_joint"], axis=1),
        helper.make_node("ReduceMax", ["per_joint"], ["col_max"], axes=[2], keepdims=0),
        helper.make_node("MatMul", ["col_max", "rep_w"], [output_names[0]]),
        helper.make_node("ReduceMax", ["per_joint"], ["row_max"], axes=[3], keepdims=0),
        helper.make_node("MatMul", ["row_max", "rep_h"], [output_names[1]]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_simcc",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, h, w])],
        [
            helper.make_tensor_value_info(output_names[0], TensorProto.FLOAT, [1, joints, w * split]),
            helper.make_tensor_value_info(output_names[1], TensorProto.FLOAT, [1, joints, h * split]),
        ],
        inits,
    )
    return _save(graph, path)


def yolox_head_output(
    boxes_det_px: list[tuple[float, float, float, float]], input_hw: tuple[int, int], score: float = 0.9
) -> np.ndarray:
    """(anchors, 6) raw YOLOX head rows placing each box (x0, y0, x1, y1, in letterboxed input pixels)."""
    h, w = input_hw
    anchors = []
    for s in YOLOX_STRIDES:
        anchors += [(gx, gy, s) for gy in range(h // s) for gx in range(w // s)]
    out = np.zeros((len(anchors), 6), dtype=np.float32)
    out[:, 2:4] = -5.0
    for x0, y0, x1, y1 in boxes_det_px:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        index = next(i for i, (gx, gy, s) in enumerate(anchors) if s == 8 and gx == int(cx // 8) and gy == int(cy // 8))
        gx, gy, s = anchors[index]
        out[index] = (cx / s - gx, cy / s - gy, np.log((x1 - x0) / s), np.log((y1 - y0) / s), score, score)
    return out


def build_detector(
    path: Path,
    boxes_det_px: list[tuple[float, float, float, float]],
    *,
    input_hw: tuple[int, int] = (64, 64),
    score: float = 0.9,
) -> Path:
    """A YOLOX-shaped detector: input 'images' (1, 3, H, W) -> 'output' (1, anchors, 6) holding `boxes_det_px`."""
    head = yolox_head_output(boxes_det_px, input_hw, score)[None]
    inits = [numpy_helper.from_array(head, "head"), numpy_helper.from_array(np.zeros(1, np.float32), "zero")]
    nodes = [
        helper.make_node("ReduceMax", ["images"], ["total"], axes=[1, 2, 3], keepdims=0),
        helper.make_node("Mul", ["total", "zero"], ["nothing"]),
        helper.make_node("Add", ["head", "nothing"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_yolox",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, *input_hw])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, head.shape[1], 6])],
        inits,
    )
    return _save(graph, path)


def build_parser(path: Path, weights: np.ndarray, *, input_hw: tuple[int, int] = (64, 48)) -> Path:
    """A parser: input 'input' (1, 3, H, W) -> 'output' (1, C, H/4, W/4) = 1x1 conv with `weights` (C, 3) of the
    4x average-pooled input (a real parser's output is also coarser than its input)."""
    c = weights.shape[0]
    h, w = input_hw
    inits = [numpy_helper.from_array(weights.astype(np.float32).reshape(c, 3, 1, 1), "w")]
    nodes = [
        helper.make_node("AveragePool", ["input"], ["pooled"], kernel_shape=[4, 4], strides=[4, 4]),
        helper.make_node("Conv", ["pooled", "w"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_parser",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, h, w])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, c, h // 4, w // 4])],
        inits,
    )
    return _save(graph, path)


def build_constant_pose_model(
    path: Path,
    xy_input_px: np.ndarray,
    *,
    present: np.ndarray | None = None,
    input_hw: tuple[int, int] = (256, 192),
    split: int = 2,
) -> Path:
    """A SimCC pose model that always 'finds' the joints `xy_input_px` (K, 2), given in ITS input pixels: one-hot
    SimCC rows at those positions (all-zero rows, i.e. missing, where `present` (K,) is False). With `kfvton.keypoints.pose_onnx.box_affine` a test turns a known pose of a photo
    into input pixels, so the whole ONNX path (crop, run, decode, map back) must give that pose back."""
    h, w = input_hw
    k = xy_input_px.shape[0]
    sx = np.zeros((1, k, w * split), np.float32)
    sy = np.zeros((1, k, h * split), np.float32)
    for j, (x, y) in enumerate(xy_input_px):
        if present is not None and not present[j]:
            continue
        sx[0, j, int(np.clip(round(x * split), 0, w * split - 1))] = 0.9
        sy[0, j, int(np.clip(round(y * split), 0, h * split - 1))] = 0.9
    inits = [
        numpy_helper.from_array(sx, "const_x"),
        numpy_helper.from_array(sy, "const_y"),
        numpy_helper.from_array(np.zeros(1, np.float32), "zero"),
    ]
    nodes = [
        helper.make_node("ReduceMax", ["input"], ["peak"], axes=[1, 2, 3], keepdims=0),
        helper.make_node("Mul", ["peak", "zero"], ["nothing"]),
        helper.make_node("Add", ["const_x", "nothing"], ["simcc_x"]),
        helper.make_node("Add", ["const_y", "nothing"], ["simcc_y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "constant_simcc",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, h, w])],
        [
            helper.make_tensor_value_info("simcc_x", TensorProto.FLOAT, [1, k, w * split]),
            helper.make_tensor_value_info("simcc_y", TensorProto.FLOAT, [1, k, h * split]),
        ],
        inits,
    )
    return _save(graph, path)


def oracle_pose_model(path: Path, coco17_px: np.ndarray, photo_hw: tuple[int, int], **kwargs) -> Path:
    """A constant pose model returning `coco17_px` ((17, 3) photo pixels + confidence, 0 = missing) for a photo of
    `photo_hw`, when run without a detector (the whole photo is the person box)."""
    from kfvton.keypoints.pose_onnx import box_affine

    input_hw = kwargs.get("input_hw", (256, 192))
    affine = box_affine(np.array([0.0, 0.0, photo_hw[1], photo_hw[0]]), input_hw)
    xy = coco17_px[:, :2] @ affine[:, :2].T + affine[:, 2]
    return build_constant_pose_model(path, xy, present=coco17_px[:, 2] > 0, **kwargs)
