"""Names of the custom ComfyUI socket types of this pack (style rule R9) and the payload each one carries.

A socket of one of these types only connects to a socket of the same name, so a node can rely on the payload's
class. Every payload is a frozen dataclass from `kfvton/`; nodes never put bare tuples or dicts on a socket.
"""

from __future__ import annotations

from typing import TypeVar

_Payload = TypeVar("_Payload")

__all__ = [
    "KEYPOINTS",
    "POSE",
    "LANDMARKS",
    "WARP",
    "MODEL",
    "FLOW",
    "PARSE",
    "POSE_KEYPOINT",
    "IMAGE",
    "MASK",
    "PAYLOADS",
    "expect",
]

#: `kfvton.keypoints.pairs.KeypointPairs`: garment points and their person targets (classical, learned, edited).
KEYPOINTS = "KFVTON_KEYPOINTS"
#: `kfvton.keypoints.pose.Pose`: person joints (B, 25, 3) in BODY_25 order, pixels of `canvas_hw`.
POSE = "KFVTON_POSE"
#: `kfvton.keypoints.garment_landmarks.GarmentLandmarks`: the 14 named garment landmarks (B, 14, 3).
LANDMARKS = "KFVTON_LANDMARKS"
#: `kfvton.geometry.warp.Warp` of kind "tps": dense person -> garment sampling grid (+ the splines behind it).
WARP = "KFVTON_WARP"
#: Loaded KF-VTON networks (see nodes/models.py; payload kfvton.checkpoints.io.ModelBundle).
MODEL = "KFVTON_MODEL"
#: `kfvton.geometry.warp.Warp` of kind "flow" (dense-motion network output).
FLOW = "KFVTON_FLOW"
#: Parse map (B, H, W) int64 in LIP-20 / VITON-HD labels.
PARSE = "KFVTON_PARSE"

#: Types defined by ComfyUI core or other packs that our nodes read or write.
#: POSE_KEYPOINT: list of OpenPose-style dicts, the output of the DWPose/OpenPose preprocessors (controlnet_aux).
POSE_KEYPOINT = "POSE_KEYPOINT"
IMAGE = "IMAGE"
MASK = "MASK"

#: Custom type name -> "module:Class" of its payload (documentation and contract tests).
PAYLOADS: dict[str, str] = {
    KEYPOINTS: "kfvton.keypoints.pairs:KeypointPairs",
    POSE: "kfvton.keypoints.pose:Pose",
    LANDMARKS: "kfvton.keypoints.garment_landmarks:GarmentLandmarks",
    WARP: "kfvton.geometry.warp:Warp",
    FLOW: "kfvton.geometry.warp:Warp",
}


def expect(value: object, cls: type[_Payload], name: str, socket: str) -> _Payload:
    """Return `value` when it is the payload `cls` of socket type `socket`; else raise a TypeError naming input `name`."""
    if not isinstance(value, cls):
        raise TypeError(f"{name}: expected {socket} ({cls.__name__}), got {type(value).__name__}")
    return value
