"""Overlay drawings of keypoints: garment landmarks, their person targets, pose joints and skeleton, and a
side-by-side garment | person image with correspondence lines. For previews, the CLI and debugging (OpenCV on
CPU copies; not differentiable).

Colours: pair i gets the i-th colour of an evenly spaced hue wheel, the same on both images, so a landmark and its
target match; missing points (confidence 0) are not drawn. The skeleton is drawn in grey with joints in white.
"""

from __future__ import annotations

import colorsys
import math

import cv2
import numpy as np
import torch
from torch import Tensor

from .._checks import check_shape
from .pairs import KeypointPairs
from .pose import Pose, joint_index

__all__ = [
    "draw_keypoints",
    "draw_pose",
    "draw_correspondences",
    "render_pose",
    "BODY25_LIMBS",
    "BODY25_COLOURS",
    "SKELETON",
]

#: OpenPose's BODY_25 limbs in its drawing order: torso, arms and legs, head to nose, the face, then the feet.
BODY25_LIMBS: tuple[tuple[str, str], ...] = (
    ("neck", "mid_hip"), ("neck", "right_shoulder"), ("neck", "left_shoulder"), ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"), ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("mid_hip", "right_hip"), ("right_hip", "right_knee"), ("right_knee", "right_ankle"), ("mid_hip", "left_hip"),
    ("left_hip", "left_knee"), ("left_knee", "left_ankle"), ("neck", "nose"),
    ("nose", "right_eye"), ("right_eye", "right_ear"), ("nose", "left_eye"), ("left_eye", "left_ear"),
    ("left_ankle", "left_big_toe"), ("left_big_toe", "left_small_toe"), ("left_ankle", "left_heel"),
    ("right_ankle", "right_big_toe"), ("right_big_toe", "right_small_toe"), ("right_ankle", "right_heel"),
)  # fmt: skip
#: The limbs `draw_pose` draws: torso, arms, legs and the nose (the face and feet would clutter a preview).
SKELETON: tuple[tuple[str, str], ...] = BODY25_LIMBS[:14]
#: OpenPose's BODY_25 joint colours (RGB), in joint order; a limb takes its second joint's colour.
BODY25_COLOURS: tuple[tuple[int, int, int], ...] = (
    (255, 0, 85), (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0), (0, 255, 0),
    (255, 0, 0), (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255), (0, 0, 255),
    (255, 0, 170), (170, 0, 255), (255, 0, 255), (85, 0, 255), (0, 0, 255), (0, 0, 255), (0, 0, 255),
    (0, 255, 255), (0, 255, 255), (0, 255, 255),
)  # fmt: skip
_LIMB_ALPHA = 0.6  # OpenPose blends the skeleton at 60% over the (black) canvas


def _colours(n: int) -> list[tuple[int, int, int]]:
    return [tuple(int(255 * c) for c in colorsys.hsv_to_rgb(i / max(n, 1), 0.9, 1.0)) for i in range(n)]


def _to_numpy(image: Tensor) -> np.ndarray:
    """(B, 3, H, W) [0, 1] -> (B, H, W, 3) uint8, contiguous copy."""
    arr = (image.detach().float().clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    return np.ascontiguousarray(arr)


def _to_tensor(arr: np.ndarray, like: Tensor) -> Tensor:
    out = torch.from_numpy(arr).permute(0, 3, 1, 2).to(like.device, torch.float32) / 255.0
    return out.to(like.dtype) if like.is_floating_point() else out


def _scale(size_hw: tuple[int, int]) -> int:
    return max(2, round(max(size_hw) / 200))


def _draw_points(canvas: np.ndarray, pts: np.ndarray, colours, radius: int, names=None) -> None:
    for k, (x, y, c) in enumerate(pts):
        if c <= 0:
            continue
        centre = (int(round(x)), int(round(y)))
        cv2.circle(canvas, centre, radius + 1, (0, 0, 0), -1, cv2.LINE_AA)
        cv2.circle(canvas, centre, radius, colours[k], -1, cv2.LINE_AA)
        if names is not None:
            cv2.putText(
                canvas, names[k], (centre[0] + radius + 2, centre[1]), cv2.FONT_HERSHEY_SIMPLEX,
                0.1 * radius, colours[k], max(1, radius // 3), cv2.LINE_AA,
            )  # fmt: skip


def _draw_skeleton(canvas: np.ndarray, joints: np.ndarray, radius: int) -> None:
    for a, b in SKELETON:
        pa, pb = joints[joint_index(a)], joints[joint_index(b)]
        if pa[2] > 0 and pb[2] > 0:
            cv2.line(
                canvas,
                (int(pa[0]), int(pa[1])),
                (int(pb[0]), int(pb[1])),
                (160, 160, 160),
                max(1, radius // 2),
                cv2.LINE_AA,
            )
    for x, y, c in joints:
        if c > 0:
            cv2.circle(canvas, (int(round(x)), int(round(y))), max(1, radius - 1), (255, 255, 255), -1, cv2.LINE_AA)


def draw_pose(image: Tensor, pose: Pose) -> Tensor:
    """Skeleton and joints of `pose` over `image` (B or 1, 3, H, W) [0, 1]; the pose is rescaled to the image."""
    check_shape(image, "image", ("B", 3, "H", "W"))
    h, w = image.shape[-2:]
    if pose.canvas_hw != (h, w):
        pose = pose.rescaled((h, w))
    b = max(image.shape[0], pose.batch_size)
    arr = _to_numpy(image.expand(b, -1, -1, -1))
    joints = pose.joints.detach().float().cpu().numpy()
    for i in range(b):
        _draw_skeleton(arr[i], joints[i if joints.shape[0] > 1 else 0], _scale((h, w)))
    return _to_tensor(arr, image)


def draw_keypoints(
    image: Tensor,
    keypoints: KeypointPairs | Pose,
    *,
    side: str = "person",
    joints: bool = True,
    labels: bool = False,
) -> Tensor:
    """Draw keypoints over an image.

    Args:
        image: (B or 1, 3, H, W) float [0, 1], the person image (side "person") or the garment image ("garment").
        keypoints: `KeypointPairs` (its person targets or garment landmarks, by `side`) or a `Pose`.
        side: "person" or "garment"; which points of the pairs to draw.
        joints: on the person side, also draw the pairs' pose skeleton when it has one.
        labels: write each point's name next to it.

    Returns:
        (B, 3, H, W) float [0, 1] copy with the drawing.
    """
    check_shape(image, "image", ("B", 3, "H", "W"))
    if isinstance(keypoints, Pose):
        return draw_pose(image, keypoints)
    if not isinstance(keypoints, KeypointPairs):
        raise TypeError(f"keypoints: expected KeypointPairs or Pose, got {type(keypoints).__name__}")
    if side not in ("person", "garment"):
        raise ValueError(f"side: expected 'person' or 'garment', got {side!r}")
    h, w = image.shape[-2:]
    frame_hw = keypoints.person_hw if side == "person" else keypoints.garment_hw
    pts = (keypoints.person_px if side == "person" else keypoints.garment_px).detach().float().cpu().clone()
    pts[..., 0] *= w / frame_hw[1]
    pts[..., 1] *= h / frame_hw[0]
    if side == "person" and joints and keypoints.pose is not None:
        image = draw_pose(image, keypoints.pose)
    b = max(image.shape[0], pts.shape[0])
    arr = _to_numpy(image.expand(b, -1, -1, -1))
    colours = _colours(len(keypoints.names))
    valid = keypoints.valid.cpu()
    for i in range(b):
        p = pts[i if pts.shape[0] > 1 else 0].numpy().copy()
        p[~valid[i if valid.shape[0] > 1 else 0].numpy(), 2] = 0
        _draw_points(arr[i], p, colours, _scale((h, w)), keypoints.names if labels else None)
    return _to_tensor(arr, image)


def draw_correspondences(garment: Tensor, person: Tensor, keypoints: KeypointPairs, *, labels: bool = False) -> Tensor:
    """Garment | person side by side, landmarks and targets drawn, a line joining each valid pair.

    Args:
        garment: (B or 1, 3, H_g, W_g) float [0, 1]; person: (B or 1, 3, H, W) float [0, 1].

    Returns:
        (B, 3, H, W_g' + W) with the garment resized to the person's height (W_g' = W_g H / H_g).
    """
    check_shape(garment, "garment", ("B", 3, "H", "W"))
    check_shape(person, "person", ("B", 3, "H", "W"))
    h = person.shape[-2]
    wg = max(1, round(garment.shape[-1] * h / garment.shape[-2]))
    g = torch.nn.functional.interpolate(garment.float(), size=(h, wg), mode="bilinear", align_corners=False)
    left = draw_keypoints(g, keypoints, side="garment", labels=labels)
    right = draw_keypoints(person.float(), keypoints, side="person")
    b = max(left.shape[0], right.shape[0])
    both = torch.cat((left.expand(b, -1, -1, -1), right.expand(b, -1, -1, -1)), dim=-1)
    arr = _to_numpy(both)
    colours = _colours(len(keypoints.names))
    gp = keypoints.garment_px.detach().float().cpu()
    pp = keypoints.person_px.detach().float().cpu()
    valid = keypoints.valid.cpu()
    sx_g, sy_g = wg / keypoints.garment_hw[1], h / keypoints.garment_hw[0]
    sx_p, sy_p = person.shape[-1] / keypoints.person_hw[1], h / keypoints.person_hw[0]
    for i in range(b):
        k = i if gp.shape[0] > 1 else 0
        for n in range(len(keypoints.names)):
            if not valid[k, n]:
                continue
            a = (int(gp[k, n, 0] * sx_g), int(gp[k, n, 1] * sy_g))
            c = (int(pp[k, n, 0] * sx_p) + wg, int(pp[k, n, 1] * sy_p))
            cv2.line(arr[i], a, c, colours[n], 1, cv2.LINE_AA)
    return _to_tensor(arr, person)


def render_pose(pose: Pose, size_hw: tuple[int, int] | None = None) -> Tensor:
    """Draw the pose as OpenPose renders it (coloured limbs and joints on black), the networks' pose input.

    Args:
        pose: B poses; joints with confidence 0 (and limbs touching them) are not drawn.
        size_hw: output size; default `pose.canvas_hw` (the pose is rescaled to it otherwise).

    Returns:
        (B, 3, H, W) float32 in [0, 1] (`to_network_range` gives the networks' [-1, 1]), on the pose's device.
    """
    size_hw = tuple(size_hw or pose.canvas_hw)
    if tuple(pose.canvas_hw) != size_hw:
        pose = pose.rescaled(size_hw)
    h, w = size_hw
    # line thickness grows with the image as OpenPose's does (about 11 px at 1024x768)
    thick = max(1, round(math.sqrt(h * w) / 80))
    joints = pose.joints.detach().float().cpu().numpy()
    limbs = [(joint_index(a), joint_index(b)) for a, b in BODY25_LIMBS]
    s = 16  # cv2 draws integers; 4 fractional bits keep sub-pixel positions
    out = []
    for person in joints:
        canvas = np.zeros((h, w, 3), np.float32)
        ok = person[:, 2] > 0
        pts = [(round(float(x) * s), round(float(y) * s)) for x, y, _ in person]
        for a, b in limbs:
            if ok[a] and ok[b]:
                cv2.line(canvas, pts[a], pts[b], BODY25_COLOURS[b], thickness=thick, lineType=cv2.LINE_AA, shift=4)
        for j in np.flatnonzero(ok):
            cv2.circle(canvas, pts[j], round(thick * s), BODY25_COLOURS[j], -1, lineType=cv2.LINE_AA, shift=4)
        out.append(canvas)
    image = torch.from_numpy(np.stack(out)).permute(0, 3, 1, 2) * (_LIMB_ALPHA / 255.0)
    return image.to(pose.joints.device).contiguous()
