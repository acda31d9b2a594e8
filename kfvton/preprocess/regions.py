"""Body regions without a human parser: from the pose and a person silhouette (the lower-quality path).

When no parse map is available, the classical try-on and the clothing-agnostic image still need to know where the
upper garment is and what to keep (head, neck, arms, lower body). `estimate_regions` builds a parse map in our
layout (LIP-20 / VITON-HD ids) from:

- the silhouette: a person mask from any segmentation node, or `silhouette_plain_background` for studio photos;
- the pose (BODY_25 pixels): shoulders and neck give the scale `sw` (shoulder width); the face joints place the
  head and the chin line (nose + 0.43 x (neck - nose)); shoulder-elbow-wrist chains give arm capsules;
- colour: a skin model (mean and spread of Cr, Cb around the nose) splits bare arms, neck and face from sleeves
  and hair; below the chest each silhouette row's pixels are told apart as upper garment or lower body by
  whether they are nearer the chest colour or the colour sampled between the hips and the knees.

Labels written: 0 background, 2 hair, 13 face, 10 neck, 5 upper clothes, 14 / 15 left / right arm (the wearer's),
9 lower body (pants; skirts and legs are not told apart). It is an estimate: `RegionEstimate.method` says so and
which silhouette was used, and callers show it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch
from torch import Tensor

from .._checks import check_image, check_shape
from ..keypoints.formats import check_pose_joints
from ..keypoints.pose import Pose, joint_index
from .parse_labels import VITONHD_ARMS, VITONHD_HEAD, VITONHD_LOWER_BODY, VITONHD_NECK, VITONHD_UPPER_CLOTHES

__all__ = ["RegionEstimate", "silhouette_plain_background", "estimate_regions", "REGION_METHOD"]

REGION_METHOD = "estimated from pose + silhouette (no parser: lower quality)"
_NEEDED = ("neck", "left_shoulder", "right_shoulder")
_PRESENT = 0.05


@dataclass(frozen=True)
class RegionEstimate:
    """Regions of the person photo, estimated without a parser.

    Attributes:
        parse: (B, H, W) int64 in our layout (LIP-20 / VITON-HD ids; see the module docstring for those used).
        garment: (B, 1, H, W) float {0, 1}, the upper garment to replace (parse 5, 6, 7).
        keep: (B, 1, H, W) float {0, 1}, head, neck, arms and lower body.
        silhouette: (B, 1, H, W) float {0, 1}, the person mask used.
        method: how it was made, to show the user (always names the lower-quality path).
    """

    parse: Tensor
    garment: Tensor
    keep: Tensor
    silhouette: Tensor
    method: str


def _largest_component(mask: np.ndarray) -> np.ndarray:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return mask.astype(bool)
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return labels == best


def _skeleton(joints: np.ndarray, hw: tuple[int, int], scale: float) -> np.ndarray:
    """Thin lines along the limbs and torso of a BODY_25 pose (pixels * scale): pixels surely on the person."""
    canvas = np.zeros(hw, np.uint8)
    bones = (("neck", "nose"), ("neck", "mid_hip"), ("left_shoulder", "right_shoulder"), ("right_hip", "left_hip"),
             ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"), ("left_shoulder", "left_elbow"),
             ("left_elbow", "left_wrist"), ("right_hip", "right_knee"), ("left_hip", "left_knee"),
             ("neck", "right_hip"), ("neck", "left_hip"))  # fmt: skip
    for a, b in bones:
        ja, jb = joints[joint_index(a)], joints[joint_index(b)]
        if ja[2] > _PRESENT and jb[2] > _PRESENT:
            pa = tuple(int(v * scale) for v in ja[:2])
            pb = tuple(int(v * scale) for v in jb[:2])
            cv2.line(canvas, pa, pb, 1, 3)
    return canvas > 0


def silhouette_plain_background(
    image: Tensor, *, pose: Pose | None = None, threshold: float = 0.1, border: int = 6, work_size: int = 320
) -> Tensor:
    """Person mask of photos on a plain background.

    Pixels far from the median border colour start as the person; with a pose, its skeleton is marked as surely the
    person and OpenCV's GrabCut refines the mask from colour statistics (white clothes on a white wall), at
    `work_size` pixels on the long side. The largest blob is kept and its holes filled.

    Args:
        image: (B, 3, H, W) float RGB in [0, 1].
        pose: optional `Pose` (B or 1 rows) in the pixels of `image`.
        threshold: RGB distance from the background colour, in [0, 1] units, above which a pixel is the person.
        border: width in pixels of the frame (top, left, right; the bottom is usually the person) whose median
            colour is the background.
        work_size: long side of the image GrabCut works on.

    Returns:
        (B, 1, H, W) float {0, 1}.

    Raises:
        ValueError: the background is not plain (its border pixels vary too much): give a silhouette mask.
    """
    check_image(image, "image")
    h, w = image.shape[-2:]
    if pose is not None and pose.canvas_hw != (h, w):
        pose = pose.rescaled((h, w))
    out = []
    for b in range(image.shape[0]):
        rgb = image[b].detach().float().permute(1, 2, 0).cpu().numpy()
        frame = np.concatenate(
            (rgb[:border].reshape(-1, 3), rgb[:, :border].reshape(-1, 3), rgb[:, -border:].reshape(-1, 3))
        )
        background = np.median(frame, axis=0)
        spread = float(np.percentile(np.linalg.norm(frame - background, axis=1), 75))
        if spread > threshold:
            raise ValueError(
                f"image: batch item {b} has no plain background (border colour varies by {spread:.2f}, allowed "
                f"{threshold:.2f}); give a person silhouette mask, e.g. from a segmentation node"
            )
        scale = min(1.0, work_size / max(h, w))
        small = cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        fg = np.linalg.norm(small - background, axis=-1) > threshold
        if pose is not None:
            joints = pose.joints[b if pose.batch_size > 1 else 0].detach().float().cpu().numpy()
            sure = _skeleton(joints, fg.shape, scale)
            mask = np.where(fg, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
            mask[sure] = cv2.GC_FGD
            mask[:2], mask[:, :2], mask[:, -2:] = cv2.GC_BGD, cv2.GC_BGD, cv2.GC_BGD
            bgd, fgd = np.zeros((1, 65)), np.zeros((1, 65))
            cv2.grabCut((small * 255).astype(np.uint8), mask, None, bgd, fgd, 4, cv2.GC_INIT_WITH_MASK)
            fg = (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)
        fg = fg.astype(np.uint8)
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
        fg = cv2.morphologyEx(cv2.morphologyEx(fg, cv2.MORPH_OPEN, kernel), cv2.MORPH_CLOSE, kernel)
        fg = _largest_component(fg)
        inverse = (~fg).astype(np.uint8)  # fill holes: background pixels not connected to the frame
        _, labels = cv2.connectedComponents(inverse, connectivity=4)
        edge = np.unique(np.concatenate((labels[0], labels[-1], labels[:, 0], labels[:, -1])))
        fg = fg | ((inverse > 0) & ~np.isin(labels, edge))
        full = cv2.resize(fg.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR) > 0.5
        out.append(full)
    return torch.from_numpy(np.stack(out)[:, None].astype(np.float32))


def _skin_model(ycrcb: np.ndarray, sil: np.ndarray, centre: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    h, w = sil.shape
    yy, xx = np.mgrid[0:h, 0:w]
    disk = ((xx - centre[0]) ** 2 + (yy - centre[1]) ** 2 < radius**2) & sil
    samples = ycrcb[disk][:, 1:] if disk.sum() >= 20 else np.array([[150.0, 110.0]])  # a generic skin tone
    mean = np.median(samples, axis=0)
    spread = np.clip(np.median(np.abs(samples - mean), axis=0) * 1.4826, 3.0, 8.0)
    return mean, spread


def _is_skin(ycrcb: np.ndarray, model: tuple[np.ndarray, np.ndarray], limit: float = 3.0) -> np.ndarray:
    mean, spread = model
    dist = np.abs(ycrcb[..., 1:] - mean) / spread
    return (dist.max(axis=-1) < limit) & (ycrcb[..., 0] > 40)


def _box_median(rgb: np.ndarray, sil: np.ndarray, centre: np.ndarray, half: float) -> np.ndarray | None:
    h, w = sil.shape
    x0, x1 = int(max(centre[0] - half, 0)), int(min(centre[0] + half, w))
    y0, y1 = int(max(centre[1] - half, 0)), int(min(centre[1] + half, h))
    if x1 <= x0 or y1 <= y0:
        return None
    patch = rgb[y0:y1, x0:x1][sil[y0:y1, x0:x1]]
    return np.median(patch, axis=0) if len(patch) >= 20 else None


def _best_split(
    rgb: np.ndarray, sil: np.ndarray, chest: np.ndarray, thigh: np.ndarray, hip_x: float, half: float
) -> int:
    """Row (from the top of the band) that best splits chest-coloured rows above from thigh-coloured rows below."""
    x0, x1 = int(max(hip_x - half, 0)), int(min(hip_x + half, rgb.shape[1]))
    cols = rgb[:, x0:x1]
    inside = sil[:, x0:x1]
    nearer = np.linalg.norm(cols - thigh, axis=-1) < np.linalg.norm(cols - chest, axis=-1)
    count = np.maximum(inside.sum(axis=1), 1)
    vote = np.where(inside.sum(axis=1) > 0, ((nearer & inside).sum(axis=1) / count) * 2 - 1, 0.0)  # +1 thigh
    # cost(split) = thigh-like rows above it + chest-like rows below it
    above = np.concatenate(([0.0], np.cumsum(np.maximum(vote, 0))))
    below = np.concatenate((np.cumsum(np.maximum(-vote, 0)[::-1])[::-1], [0.0]))
    return int(np.argmin(above + below))


def _one(rgb: np.ndarray, sil: np.ndarray, joints: np.ndarray) -> np.ndarray:
    h, w = sil.shape

    def joint(name: str) -> np.ndarray | None:
        j = joints[joint_index(name)]
        return j[:2] if j[2] > _PRESENT else None

    neck, ls, rs = joint("neck"), joint("left_shoulder"), joint("right_shoulder")
    sw = max(float(np.linalg.norm(ls - rs)), 4.0)
    nose = joint("nose")
    if nose is None:
        nose = neck - np.array([0.0, 0.8 * sw])
    chin_y = nose[1] + 0.43 * (neck[1] - nose[1])
    ycrcb = cv2.cvtColor((rgb * 255).astype(np.uint8), cv2.COLOR_RGB2YCrCb).astype(np.float32)
    skin = _is_skin(ycrcb, _skin_model(ycrcb, sil, nose, 0.12 * sw)) & sil
    yy, xx = np.mgrid[0:h, 0:w]
    parse = np.where(sil, 5, 0).astype(np.int64)  # start: the whole person is upper garment

    # arms: capsules along the limbs; bare skin inside is the arm, the rest stays garment (sleeves)
    capsules = {}
    for side, label in (("left", 14), ("right", 15)):
        capsule = np.zeros((h, w), np.uint8)
        chain = [joint(f"{side}_shoulder"), joint(f"{side}_elbow"), joint(f"{side}_wrist")]
        for a, b in zip(chain[:-1], chain[1:], strict=True):
            if a is not None and b is not None:
                cv2.line(capsule, tuple(int(v) for v in a), tuple(int(v) for v in b), 1, int(0.32 * sw) | 1)
        if chain[2] is not None:
            cv2.circle(capsule, tuple(int(v) for v in chain[2]), int(0.2 * sw), 1, -1)
        capsules[label] = capsule > 0

    # lower body: below the row splitting chest-coloured from thigh-coloured torso rows; not the arms (sleeves)
    hips = [j for j in (joint("mid_hip"), joint("right_hip"), joint("left_hip")) if j is not None]
    if hips:
        hip_y = float(np.mean([j[1] for j in hips]))
        torso = max(hip_y - neck[1], sw)
        chest = _box_median(rgb, sil, np.array([neck[0], neck[1] + 0.4 * torso]), 0.15 * sw)
        thigh = _box_median(rgb, sil, np.array([np.mean([j[0] for j in hips]), hip_y + 0.35 * torso]), 0.15 * sw)
        top = int(np.clip(neck[1] + 0.5 * torso, 0, h - 1))
        split = hip_y
        if chest is not None and thigh is not None and np.linalg.norm(chest - thigh) > 0.08:
            split = top + _best_split(
                rgb[top:], sil[top:], chest, thigh, hip_x=float(np.mean([j[0] for j in hips])), half=0.6 * sw
            )
        below = sil & (yy >= split)
        in_arms = capsules[14] | capsules[15]
        parse[below & ~in_arms] = 9
        if chest is not None and thigh is not None:  # sleeves next to the hips: by colour
            nearer = np.linalg.norm(rgb - thigh, axis=-1) < np.linalg.norm(rgb - chest, axis=-1)
            parse[below & in_arms & nearer] = 9

    for label, capsule in capsules.items():
        parse[capsule & skin & (yy > chin_y)] = label

    # head above the chin line: skin is face, the rest hair (and hats); neck: skin between chin and shoulders
    head = sil & (yy < chin_y)
    face_zone = ((xx - nose[0]) / (0.3 * sw)) ** 2 + ((yy - nose[1]) / (0.42 * sw)) ** 2 < 1.0
    face = cv2.morphologyEx((skin & face_zone & head).astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    face = _largest_component(face) if face.any() else face.astype(bool)
    parse[head] = np.where(face[head], 13, 2)
    neck_band = sil & skin & (yy >= chin_y) & (yy < neck[1]) & (np.abs(xx - neck[0]) < 0.3 * sw)
    parse[neck_band] = 10
    _long_hair(parse, rgb, nose, chin_y, neck, sw, yy, xx)
    return parse


def _long_hair(
    parse: np.ndarray, rgb: np.ndarray, nose: np.ndarray, chin_y: float, neck: np.ndarray, sw: float, yy, xx
) -> None:
    """Hair falling below the chin: garment pixels near the head, nearer the hair colour (sampled above the face)
    than the chest colour, connected to the hair above the chin, become hair (2)."""
    hair_above = parse == 2
    if hair_above.sum() < 50:
        return
    hair = np.median(rgb[hair_above], axis=0)
    chest_zone = (
        (parse == 5) & (yy > neck[1] + 0.3 * sw) & (yy < neck[1] + 0.8 * sw) & (np.abs(xx - neck[0]) < 0.2 * sw)
    )
    if chest_zone.sum() < 20:
        return
    chest = np.median(rgb[chest_zone], axis=0)
    if np.linalg.norm(hair - chest) < 0.12:  # hair and top alike: cannot tell them apart
        return
    near = (np.linalg.norm(rgb - hair, axis=-1) < 0.5 * np.linalg.norm(rgb - chest, axis=-1)) & (parse == 5)
    zone = (yy >= chin_y) & (yy < neck[1] + 0.8 * sw) & (np.abs(xx - nose[0]) < 0.75 * sw)
    zone &= (np.abs(xx - neck[0]) > 0.25 * sw) | (yy < neck[1])  # hair rarely covers the middle of the chest
    candidate = (near & zone).astype(np.uint8)
    candidate = cv2.morphologyEx(candidate, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    _, labels = cv2.connectedComponents(((candidate > 0) | hair_above).astype(np.uint8), connectivity=8)
    touching = np.unique(labels[hair_above])
    grown = np.isin(labels, touching[touching > 0]) & (candidate > 0)
    parse[grown] = 2


def estimate_regions(
    image: Tensor,
    pose: Pose,
    *,
    silhouette: Tensor | None = None,
    threshold: float = 0.1,
) -> RegionEstimate:
    """Estimate the garment region and the regions to keep from the pose and a person silhouette.

    Args:
        image: (B, 3, H, W) float RGB in [0, 1].
        pose: `Pose` with B or 1 rows, in the pixels of `image` (rescaled if its canvas differs); needs the neck
            and both shoulders.
        silhouette: (B, 1, H, W) or (1, 1, H, W) float person mask in [0, 1]; None = computed with
            `silhouette_plain_background` (plain studio backgrounds only).
        threshold: background distance for the computed silhouette.

    Returns:
        `RegionEstimate` (see its attributes); `method` names the lower-quality path.
    """
    check_image(image, "image")
    batch, _, h, w = image.shape
    check_pose_joints(pose, _NEEDED, name="pose")
    if pose.batch_size not in (1, batch):
        raise ValueError(f"pose: batch of {pose.batch_size} does not match image batch {batch}")
    if pose.canvas_hw != (h, w):
        pose = pose.rescaled((h, w))
    if silhouette is None:
        sil = silhouette_plain_background(image, pose=pose, threshold=threshold)
        how = "silhouette from the plain background"
    else:
        check_shape(silhouette, "silhouette", ("B", 1, h, w))
        if silhouette.shape[0] not in (1, batch):
            raise ValueError(f"silhouette: batch of {silhouette.shape[0]} does not match image batch {batch}")
        sil = (silhouette.detach().float().cpu() > 0.5).float().expand(batch, 1, h, w)
        how = "silhouette given"
    joints = pose.joints.detach().float().cpu().numpy()
    rows = []
    for b in range(batch):
        rgb = image[b].detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy()
        rows.append(_one(rgb, sil[b, 0].numpy() > 0.5, joints[b if joints.shape[0] > 1 else 0]))
    parse = torch.from_numpy(np.stack(rows))
    garment = torch.isin(parse, torch.tensor(VITONHD_UPPER_CLOTHES)).float()[:, None]
    keep_ids = torch.tensor(VITONHD_HEAD + VITONHD_NECK + VITONHD_ARMS + VITONHD_LOWER_BODY)
    keep = torch.isin(parse, keep_ids).float()[:, None]
    return RegionEstimate(parse, garment, keep, sil.contiguous(), f"{REGION_METHOD}; {how}")
