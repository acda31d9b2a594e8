"""Node-test fixtures: a small synthetic try-on scene, inputs for any socket type, and the workflow runner.

`socket_value(type, name, batch)` builds a small, coherent value for an input socket, so a contract test can call
every node in NODE_CLASS_MAPPINGS without knowing it: a 96x64 person with a plausible BODY_25 pose, a 64x48
T-shirt on white, its 14 landmarks, keypoint pairs, a warp. The input name picks the frame: names with "garment"
(and not "warped") are in the garment frame, everything else in the person frame.
Nodes that need more than a socket value (a file, a model) register a builder in `CALL_OVERRIDES`.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from comfyui_kfvton.kfvton.geometry.grid import ALIGN_CORNERS_TPS, coordinate_grid
from comfyui_kfvton.kfvton.geometry.warp import Warp
from comfyui_kfvton.kfvton.keypoints.pairs import KeypointPairs
from comfyui_kfvton.kfvton.keypoints.pose import BODY25_JOINTS, Pose, joint_index

PERSON_HW = (96, 64)
GARMENT_HW = (64, 48)

# (x, y) at a 96x64 canvas; the wearer's left is on the image right
_POSE_XY = {
    "nose": (32, 12), "neck": (32, 22), "right_shoulder": (22, 24), "right_elbow": (17, 38), "right_wrist": (15, 52),
    "left_shoulder": (42, 24), "left_elbow": (47, 38), "left_wrist": (49, 52), "mid_hip": (32, 56),
    "right_hip": (26, 56), "right_knee": (26, 74), "right_ankle": (26, 90), "left_hip": (38, 56),
    "left_knee": (38, 74), "left_ankle": (38, 90), "right_eye": (30, 10), "left_eye": (34, 10),
    "right_ear": (28, 11), "left_ear": (36, 11),
}  # fmt: skip

# the 14 garment landmarks (GARMENT_LANDMARKS order) of the synthetic T-shirt, in 64x48 garment pixels
LANDMARK_NAMES = (
    "collar_left", "collar_center", "collar_right", "shoulder_left", "shoulder_right",
    "sleeve_left_outer", "sleeve_left_inner", "sleeve_right_outer", "sleeve_right_inner",
    "armpit_left", "armpit_right", "hem_left", "hem_center", "hem_right",
)  # fmt: skip
_GARMENT_XY = [
    (28, 6), (24, 10), (20, 6), (36, 8), (12, 8), (46, 22), (40, 26), (2, 22), (8, 26),
    (36, 22), (12, 22), (36, 60), (24, 60), (12, 60),
]  # fmt: skip
_PERSON_TARGET_XY = [
    (36, 22), (32, 25), (28, 22), (42, 24), (22, 24), (49, 36), (44, 38), (15, 36), (20, 38),
    (41, 34), (23, 34), (40, 58), (32, 58), (24, 58),
]  # fmt: skip


def make_pose(batch: int = 1) -> Pose:
    joints = torch.zeros(len(BODY25_JOINTS), 3)
    for name, (x, y) in _POSE_XY.items():
        joints[joint_index(name)] = torch.tensor([x, y, 0.9])
    return Pose(joints.expand(batch, -1, -1).clone(), PERSON_HW)


def make_person(batch: int = 1) -> torch.Tensor:
    """(B, H, W, 3) IMAGE: a grey figure on a light background."""
    g = torch.Generator().manual_seed(0)
    img = torch.full((batch, *PERSON_HW, 3), 0.85)
    img[:, 20:60, 18:46] = torch.tensor([0.2, 0.3, 0.6])
    img[:, 4:20, 26:38] = torch.tensor([0.8, 0.6, 0.5])
    return (img + 0.02 * torch.rand(img.shape, generator=g)).clamp(0, 1)


def garment_mask(batch: int = 1) -> torch.Tensor:
    """(B, H, W) MASK of the synthetic T-shirt (body + two sleeves)."""
    m = torch.zeros(batch, *GARMENT_HW)
    m[:, 6:61, 12:37] = 1.0  # body
    m[:, 8:27, 2:12] = 1.0  # sleeve (wearer's right, image left)
    m[:, 8:27, 37:47] = 1.0  # sleeve (wearer's left)
    m[:, 6:10, 21:28] = 0.0  # neck opening
    return m


def make_garment(batch: int = 1) -> torch.Tensor:
    """(B, H, W, 3) IMAGE: a red T-shirt on white."""
    m = garment_mask(batch)[..., None]
    shirt = torch.tensor([0.8, 0.15, 0.2]).expand(batch, *GARMENT_HW, 3)
    return (m * shirt + (1 - m) * 1.0).contiguous()


def make_pairs(batch: int = 1) -> KeypointPairs:
    g = torch.tensor([[x, y, 1.0] for x, y in _GARMENT_XY]).expand(batch, -1, -1).clone()
    p = torch.tensor([[x, y, 1.0] for x, y in _PERSON_TARGET_XY]).expand(batch, -1, -1).clone()
    return KeypointPairs(g, p, LANDMARK_NAMES, GARMENT_HW, PERSON_HW, pose=make_pose(batch))


def make_landmarks(batch: int = 1):
    from comfyui_kfvton.kfvton.keypoints.garment_landmarks import GarmentLandmarks

    pts = torch.tensor([[x, y, 1.0] for x, y in _GARMENT_XY]).expand(batch, -1, -1).clone()
    # (as KF-VTON Garment Landmarks gives them: with the mask the garment is placed and warped by, no placket)
    fit = dict(fit_mask=garment_mask(batch).unsqueeze(1), placket=torch.zeros(batch, dtype=torch.bool))
    return GarmentLandmarks(points=pts, garment_hw=GARMENT_HW, sleeves=("short",) * batch, **fit)


def make_parse(batch: int = 1) -> torch.Tensor:
    """(B, H, W) int64 VITON-HD labels: face 13, neck 10, upper clothes 5, arms 14/15, pants 9."""
    p = torch.zeros(batch, *PERSON_HW, dtype=torch.int64)
    p[:, 4:20, 26:38] = 13
    p[:, 20:24, 29:35] = 10
    p[:, 22:60, 18:46] = 5
    p[:, 24:54, 12:18] = 14
    p[:, 24:54, 46:52] = 15
    p[:, 60:92, 22:42] = 9
    return p


def make_warp(batch: int = 1) -> Warp:
    grid = coordinate_grid(*PERSON_HW, align_corners=ALIGN_CORNERS_TPS)[None].expand(batch, -1, -1, -1).clone()
    return Warp(grid=grid, align_corners=ALIGN_CORNERS_TPS, kind="tps")


def _garment_frame(name: str, garment_node: bool) -> bool:
    name = name.lower()
    return ("garment" in name or garment_node) and "warped" not in name and "person" not in name


def socket_value(socket_type: str, name: str, batch: int = 1, *, garment_node: bool = False) -> Any:
    """A small coherent value for an input socket of `socket_type` called `name`.

    `garment_node`: the node works on the garment only (it has a garment input and no person input), so its
    other images and masks are in the garment frame too."""
    if "," in socket_type:  # a union socket ("KFVTON_WARP,KFVTON_FLOW") takes its first type's value
        return socket_value(socket_type.split(",")[0], name, batch, garment_node=garment_node)
    if socket_type == "IMAGE":
        return make_garment(batch) if _garment_frame(name, garment_node) else make_person(batch)
    if socket_type == "MASK":
        if _garment_frame(name, garment_node):
            return garment_mask(batch)
        m = torch.zeros(batch, *PERSON_HW)
        m[:, 20:60, 16:48] = 1.0
        return m
    if socket_type == "KFVTON_POSE":
        return make_pose(batch)
    if socket_type == "KFVTON_KEYPOINTS":
        return make_pairs(batch)
    if socket_type == "KFVTON_LANDMARKS":
        return make_landmarks(batch)
    if socket_type in ("KFVTON_WARP",):
        return make_warp(batch)
    if socket_type == "KFVTON_PARSE":
        return make_parse(batch)
    if socket_type == "POSE_KEYPOINT":
        from comfyui_kfvton.kfvton.keypoints.formats import pose_to_pose_keypoint

        return pose_to_pose_keypoint(make_pose(batch))
    raise KeyError(
        f"no test value for socket type {socket_type!r} (input {name!r}); add one in tests/nodes/conftest.py"
    )


def widget_value(spec: tuple) -> Any:
    """The default of a widget input spec (first option of a combo)."""
    t = spec[0]
    opts = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
    if isinstance(t, (list, tuple)):
        return opts.get("default", t[0] if t else None)
    if t == "COMBO":
        return opts.get("default", (opts.get("options") or [None])[0])
    if "default" in opts:
        return opts["default"]
    return {"INT": 0, "FLOAT": 0.0, "BOOLEAN": False, "STRING": ""}[t]


def _pose_json(tmp_path: Path) -> dict[str, Any]:
    from comfyui_kfvton.kfvton.keypoints.formats import save_openpose_json

    path = tmp_path / "pose_keypoints.json"
    save_openpose_json(make_pose(1), path)
    return {"pose_file": str(path)}


def _parse_png(tmp_path: Path) -> dict[str, Any]:
    from PIL import Image

    path = tmp_path / "parse.png"
    Image.fromarray(make_parse(1)[0].numpy().astype("uint8"), mode="L").save(path)
    return {"parse_file": str(path)}


def _tiny_pose_model(tmp_path: Path) -> dict[str, Any]:
    from tests._tiny_onnx import build_pose_model

    return {"pose_model": str(build_pose_model(tmp_path / "dw-ll_ucoco_384.onnx")), "detector_model": "none"}


def _tiny_parser(tmp_path: Path) -> dict[str, Any]:
    import numpy as np

    from tests._tiny_onnx import build_parser

    weights = np.zeros((20, 3), np.float32)
    weights[0], weights[5], weights[13] = (-0.5, 0.0, -0.5), (1.0, 0.0, 0.0), (0.0, 0.0, 1.0)
    return {"parser_model": str(build_parser(tmp_path / "parsing_lip.onnx", weights))}


def _parse_colours(tmp_path: Path) -> dict[str, Any]:
    from comfyui_kfvton.kfvton.preprocess.parse_labels import colors_from_labels

    return {"parse_image": colors_from_labels(make_parse(1)).permute(0, 2, 3, 1).contiguous()}


def _class_masks(tmp_path: Path) -> dict[str, Any]:
    from comfyui_kfvton.kfvton.preprocess.parse_labels import class_masks_from_labels

    return {"class_masks": class_masks_from_labels(make_parse(1), 20)[0]}


def _learned_overrides() -> dict[str, Callable[[Path], dict[str, Any]]]:
    from tests.nodes._learned_fixtures import LEARNED_OVERRIDES

    return LEARNED_OVERRIDES


#: node id -> builder(tmp_path) of the extra inputs it needs to be callable (files, models).
CALL_OVERRIDES: dict[str, Callable[[Path], dict[str, Any]]] = {
    "KfvtonLoadPoseJson": _pose_json,
    "KfvtonLoadParseMap": _parse_png,
    "KfvtonPoseEstimator": _tiny_pose_model,
    "KfvtonHumanParser": _tiny_parser,
    "KfvtonParseFromImage": _parse_colours,
    "KfvtonParseFromMasks": _class_masks,
    # no pose estimator is installed in the test environment: the Quick Try-On gets the pose it would estimate
    "KfvtonQuickTryOn": lambda _: {"pose": make_pose(1)},
}
CALL_OVERRIDES.update(_learned_overrides())


def build_inputs(node_cls: type, tmp_path: Path, batch: int = 1, *, optional: bool = True) -> dict[str, Any]:
    """Keyword arguments that make `node_cls`'s function callable: widget defaults, socket values, overrides."""
    spec = node_cls.INPUT_TYPES()
    sections = ["required"] + (["optional"] if optional else [])
    overrides: dict[str, Any] = {}
    for node_id, cls in _mappings().items():
        if cls is node_cls and node_id in CALL_OVERRIDES:
            overrides = CALL_OVERRIDES[node_id](tmp_path)
    kwargs: dict[str, Any] = {}
    names = [n.lower() for sec in spec.values() for n in sec]
    garment_node = any("garment" in n for n in names) and not any("person" in n for n in names)
    for section in sections:
        for name, s in (spec.get(section) or {}).items():
            t = s[0]
            if name in overrides:
                continue
            if isinstance(t, (list, tuple)) or t in ("INT", "FLOAT", "BOOLEAN", "STRING", "COMBO"):
                kwargs[name] = widget_value(s)
            else:
                kwargs[name] = socket_value(t, name, batch, garment_node=garment_node)
    kwargs.update(overrides)
    return kwargs


def _mappings() -> dict[str, type]:
    from comfyui_kfvton.nodes import NODE_CLASS_MAPPINGS

    return NODE_CLASS_MAPPINGS


def _load_runner():
    spec = importlib.util.spec_from_file_location(
        "kfvton_workflow_runner", Path(__file__).with_name("workflow_runner.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


workflow_runner = _load_runner()


@pytest.fixture
def pose_json_file(tmp_path: Path) -> Path:
    """A BODY_25 OpenPose JSON of the synthetic pose (no canvas size, like VITON-HD's files)."""
    joints = make_pose(1).joints[0]
    data = {"version": 1.3, "people": [{"pose_keypoints_2d": [round(float(v), 3) for v in joints.reshape(-1)]}]}
    path = tmp_path / "person_keypoints.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def node_inputs(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """`node_inputs(node_cls, batch=1, optional=True)` -> kwargs that make the node callable (see `build_inputs`)."""

    def make(node_cls: type, batch: int = 1, *, optional: bool = True) -> dict[str, Any]:
        return build_inputs(node_cls, tmp_path, batch, optional=optional)

    return make


@pytest.fixture(scope="session")
def runner():
    """The UI-workflow executor module (tests/nodes/workflow_runner.py)."""
    return workflow_runner


@pytest.fixture
def comfy_standin(monkeypatch):
    """ComfyUI's model management, progress bar and interrupt replaced by a recording stand-in for one test
    (tests/nodes/comfy_standin.py); the pack's runtime sees it as ComfyUI."""
    from tests.nodes.comfy_standin import StandInComfy

    standin = StandInComfy()
    for name, module in standin.modules().items():
        monkeypatch.setitem(sys.modules, name, module)
    yield standin
    standin.unload_all_models()
