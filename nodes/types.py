"""Every socket type of this pack (style rule R9), the payload each one carries, and the one pair of adapters
between ComfyUI values and library values.

A socket of one of our types only connects to a socket of the same name, so a node can rely on the payload's
class; `expect` checks it anyway (a wrong value from another pack's node gets our message, not a crash deep in
the library). Payloads are frozen dataclasses; nodes never put bare tuples, dicts or tensors on our sockets.

Adapters (the only place nodes convert):
    `from_socket(value, socket, name, device)`: a ComfyUI input -> the library's layout on `device`
        (IMAGE (B, H, W, C) -> (B, C, H, W); MASK (B, H, W) -> (B, 1, H, W); KFVTON_PARSE -> (B, H, W) int64
        labels; our other sockets -> their payload, checked);
    `to_socket(value, socket)`: a library value -> the ComfyUI output on ComfyUI's intermediate device
        (IMAGE and MASK clamped to [0, 1]; (B, H, W) labels -> `ParseMap`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import torch
from torch import Tensor

from ..kfvton._checks import check_label_map
from ..kfvton.checkpoints.io import ModelBundle
from ..kfvton.geometry.warp import Warp
from ..kfvton.keypoints.garment_landmarks import GarmentLandmarks
from ..kfvton.keypoints.pairs import KeypointPairs
from ..kfvton.keypoints.pose import Pose
from ..kfvton.pipelines.learned import ParsePrediction
from ..kfvton.preprocess.layout import b1hw_to_mask, bchw_to_bhwc, bhwc_to_bchw, mask_to_b1hw
from ..kfvton.preprocess.network_inputs import NetworkInputs
from ..kfvton.preprocess.parse_labels import LIP_LABELS
from . import _runtime as runtime

_Payload = TypeVar("_Payload")

__all__ = [
    "KEYPOINTS",
    "POSE",
    "LANDMARKS",
    "WARP",
    "FLOW",
    "WARP_OR_FLOW",
    "MODEL",
    "PARSE",
    "SEG",
    "NETWORK_INPUTS",
    "POSE_KEYPOINT",
    "IMAGE",
    "MASK",
    "ParseMap",
    "PAYLOAD_TYPES",
    "PAYLOADS",
    "expect",
    "from_socket",
    "to_socket",
]


@dataclass(frozen=True)
class ParseMap:
    """The KFVTON_PARSE payload: a person's human-parsing label map.

    Attributes:
        labels: (B, H, W) int64 LIP-20 / VITON-HD labels, in the person image's pixels.
    """

    labels: Tensor

    def __post_init__(self) -> None:
        _check_labels(self.labels, "parse")

    @property
    def batch_size(self) -> int:
        return int(self.labels.shape[0])

    @property
    def size_hw(self) -> tuple[int, int]:
        return int(self.labels.shape[1]), int(self.labels.shape[2])

    def to(self, device: torch.device | str) -> ParseMap:
        return ParseMap(self.labels.to(device))


#: `kfvton.keypoints.pairs.KeypointPairs`: garment points and their person targets (classical, learned, edited).
KEYPOINTS = "KFVTON_KEYPOINTS"
#: `kfvton.keypoints.pose.Pose`: person joints (B, 25, 3) in BODY_25 order, pixels of `canvas_hw`.
POSE = "KFVTON_POSE"
#: `kfvton.keypoints.garment_landmarks.GarmentLandmarks`: the 14 named garment landmarks (B, 14, 3).
LANDMARKS = "KFVTON_LANDMARKS"
#: `kfvton.geometry.warp.Warp` of kind "tps": dense person -> garment sampling grid (+ the splines behind it).
WARP = "KFVTON_WARP"
#: `kfvton.geometry.warp.Warp` of kind "flow" (dense-motion network output).
FLOW = "KFVTON_FLOW"
#: An input that takes either warp kind (the warp inspector).
WARP_OR_FLOW = f"{WARP},{FLOW}"
#: `kfvton.checkpoints.io.ModelBundle`: the loaded KF-VTON networks (KF-VTON Load Model).
MODEL = "KFVTON_MODEL"
#: `ParseMap`: a parse map (B, H, W) int64 in LIP-20 / VITON-HD labels.
PARSE = "KFVTON_PARSE"
#: `kfvton.pipelines.learned.ParsePrediction`: the seg generator's 7-class try-on parse.
SEG = "KFVTON_SEG"
#: `kfvton.preprocess.network_inputs.NetworkInputs`: every tensor the learned networks read, at one working size.
NETWORK_INPUTS = "KFVTON_NETWORK_INPUTS"

#: Types defined by ComfyUI core or other packs that our nodes read or write.
#: POSE_KEYPOINT: list of OpenPose-style dicts, the output of the DWPose/OpenPose preprocessors (controlnet_aux).
POSE_KEYPOINT = "POSE_KEYPOINT"
IMAGE = "IMAGE"
MASK = "MASK"

#: Our socket type -> the class of its payload.
PAYLOAD_TYPES: dict[str, type] = {
    KEYPOINTS: KeypointPairs,
    POSE: Pose,
    LANDMARKS: GarmentLandmarks,
    WARP: Warp,
    FLOW: Warp,
    MODEL: ModelBundle,
    PARSE: ParseMap,
    SEG: ParsePrediction,
    NETWORK_INPUTS: NetworkInputs,
}
#: Warp sockets also fix the warp's kind.
_WARP_KINDS = {WARP: "tps", FLOW: "flow"}
#: Payloads the adapters never move: networks and network-sized tensors stay where the model management put them.
_STAY = frozenset({MODEL, SEG, NETWORK_INPUTS})

_PACKAGE = __name__.rsplit(".nodes.types", 1)[0]
#: Our socket type -> "module:Class" of its payload, relative to the pack (documentation and contract tests).
PAYLOADS: dict[str, str] = {
    socket: f"{cls.__module__.removeprefix(_PACKAGE + '.')}:{cls.__name__}" for socket, cls in PAYLOAD_TYPES.items()
}


def expect(value: object, cls: type[_Payload], name: str, socket: str) -> _Payload:
    """Return `value` when it is the payload `cls` of socket type `socket`; else raise a TypeError naming input `name`."""
    if not isinstance(value, cls):
        raise TypeError(f"{name}: expected {socket} ({cls.__name__}), got {type(value).__name__}")
    return value


def _check_labels(labels: object, name: str) -> Tensor:
    if not isinstance(labels, Tensor) or labels.ndim != 3:
        got = tuple(labels.shape) if isinstance(labels, Tensor) else type(labels).__name__
        raise TypeError(f"{name}: expected {PARSE} labels (B, H, W) int64, got {got}")
    if labels.is_floating_point():
        raise TypeError(f"{name}: expected integer labels (int64), got dtype {labels.dtype}")
    check_label_map(labels.long(), name, len(LIP_LABELS))  # a PARSE socket holds LIP-20 / VITON-HD labels
    return labels


def from_socket(value: Any, socket: str, name: str, device: torch.device | str | None = None) -> Any:
    """A ComfyUI input value -> the library's value, checked, on `device` (None: where it is).

    Args:
        value: what ComfyUI passed for input `name`.
        socket: the input's socket type (IMAGE, MASK, POSE_KEYPOINT or one of ours).
        name: the input's name, for error messages.
        device: where the library works (usually `runtime.torch_device()`).

    Returns:
        IMAGE: (B, C, H, W) float; MASK: (B, 1, H, W) float; KFVTON_PARSE: (B, H, W) int64 labels (a `ParseMap`
        or, as older versions passed, a bare label tensor); POSE_KEYPOINT: the list as it is; our other sockets:
        the payload, moved to `device` except KFVTON_MODEL, KFVTON_SEG and KFVTON_NETWORK_INPUTS.

    Raises:
        TypeError / ValueError naming `name`, the expected type or shape and what arrived.
    """
    if socket == IMAGE:
        out = bhwc_to_bchw(value, name)
    elif socket == MASK:
        out = mask_to_b1hw(value, name)
    elif socket == PARSE:
        out = value.labels if isinstance(value, ParseMap) else _check_labels(value, name)
    elif socket == POSE_KEYPOINT:
        return value
    elif socket in PAYLOAD_TYPES:
        out = expect(value, PAYLOAD_TYPES[socket], name, socket)
        kind = _WARP_KINDS.get(socket)
        if kind is not None and out.kind != kind:
            raise TypeError(f"{name}: expected {socket} (a Warp of kind {kind!r}), got a Warp of kind {out.kind!r}")
    else:
        raise KeyError(f"{name}: no adapter for socket type {socket!r}")
    return out if device is None or socket in _STAY else out.to(device)


def to_socket(value: Any, socket: str) -> Any:
    """A library value -> the ComfyUI output of type `socket`, on ComfyUI's intermediate device.

    IMAGE: (B, C, H, W) float -> (B, H, W, C) clamped to [0, 1]; MASK: (B, 1, H, W) -> (B, H, W) clamped to
    [0, 1]; KFVTON_PARSE: (B, H, W) int64 labels -> `ParseMap`; other payloads are checked and moved, except
    KFVTON_MODEL, KFVTON_SEG and KFVTON_NETWORK_INPUTS, which stay on the compute device.
    """
    out = runtime.intermediate_device()
    if socket == IMAGE:
        return bchw_to_bhwc(value.clamp(0, 1)).to(out)
    if socket == MASK:
        return b1hw_to_mask(value.clamp(0, 1)).to(out)
    if socket == PARSE:
        return ParseMap(_check_labels(value, "parse").to(out))
    if socket == POSE_KEYPOINT:
        return value
    payload = expect(value, PAYLOAD_TYPES[socket], "output", socket)
    return payload if socket in _STAY else payload.to(out)
