"""The learned KF-VTON try-on, stage by stage: seg generator -> keypoint detector -> K TPS warps -> dense motion
(flow + occlusion) -> warped garment -> SPADE generator.

Each stage is a function over a loaded `ModelBundle` (see `kfvton.checkpoints.io.load_bundle`) and plain tensors,
so the ComfyUI nodes, the CLI and the benchmarks call the same code; `kfvton_tryon` chains them.

Resolution: the networks were trained at 256x192 (`bundle.resolution_hw`). At another working size (512x384,
1024x768; `NetworkInputs.size_hw`) the seg generator, keypoint detector and dense motion run at the trained size on
resized inputs, the flow grid and occlusion are resampled to the working size, and the garment is warped and the
SPADE generator run at the working size.

Precision: `bundle.dtype` bfloat16/float16 runs the networks under `torch.autocast` (float32 weights); the TPS fits
and grids stay float32 (the dense motion network and `kfvton.geometry.tps` see to it).

Convention: network tensors are in [-1, 1]; results handed back are library images in [0, 1]. Keypoints are
normalised (x, y) with align_corners=True (`ALIGN_CORNERS_TPS`) inside and pixels of the working size in
`KeypointPairs`; the flow grid is read with align_corners=False (`ALIGN_CORNERS_WARP`, the authors' choice).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from .._checks import check_shape
from ..checkpoints.io import ModelBundle
from ..geometry.grid import ALIGN_CORNERS_TPS, ALIGN_CORNERS_WARP, norm_to_px, px_to_norm, resize_labels, resize_to
from ..geometry.warp import Warp
from ..keypoints.pairs import KeypointPairs
from ..keypoints.pose import Pose
from ..models.warp_network import warp_garment
from ..preprocess.network_inputs import NetworkInputs, build_network_inputs, from_network_range
from ..preprocess.parse_labels import PARSE7_CLASSES
from .garment_warp import warp_from_pairs

__all__ = [
    "ParsePrediction",
    "LearnedKeypoints",
    "FlowPrediction",
    "LearnedTryOn",
    "precision",
    "predict_parse",
    "detect_keypoints",
    "keypoint_tps_warp",
    "learned_keypoints_from_pairs",
    "predict_flow",
    "apply_flow",
    "generate_tryon",
    "kfvton_tryon",
    "kfvton_tryon_photos",
]

_UPPER = [name for name, _ in PARSE7_CLASSES].index("upper")


@dataclass(frozen=True)
class ParsePrediction:
    """The seg generator's try-on parse.

    Attributes:
        scores: (B, 7, h, w) float, channel-L2-normalised scores at the trained size (what the SPADE generator reads).
        labels: (B, H, W) int64 `PARSE7_CLASSES` labels at the working size.
        clothes_mask: (B, 1, H, W) float {0, 1}, where the new garment goes (class "upper") at the working size.
    """

    scores: Tensor
    labels: Tensor
    clothes_mask: Tensor


@dataclass(frozen=True)
class LearnedKeypoints:
    """The detector's K groups of keypoints.

    Attributes:
        source_norm: (B, P, 2) on the garment canvas, normalised (x, y), align_corners=True.
        ref_norm: (B, P, 2) on the person's predicted clothes region, same frame convention.
        pairs: the same points as `KeypointPairs` in working-size pixels (origin "learned", groups K).
    """

    source_norm: Tensor
    ref_norm: Tensor
    pairs: KeypointPairs


@dataclass(frozen=True)
class FlowPrediction:
    """The dense motion network's garment -> person flow.

    Attributes:
        warp: `Warp` of kind "flow": grid (B, H, W, 2) read with align_corners=False, occlusion (B, 1, H, W) in (0, 1).
        deformation: (B, h, w, 2) the blended grid at the dense motion's own size.
        contribution: (B, K, h, w) per-pixel softmax weights of the K TPS grids.
    """

    warp: Warp
    deformation: Tensor
    contribution: Tensor


@dataclass(frozen=True)
class LearnedTryOn:
    """Everything the learned try-on made.

    Attributes:
        image: (B, 3, H, W) float [0, 1], the try-on.
        warped_garment: (B, 3, H, W) float [0, 1], the garment through the flow, times the occlusion map.
        parse: the predicted parse.
        keypoints: the detected keypoints.
        flow: the flow and occlusion.
        tps_warp: the K keypoint splines as one `Warp` of kind "tps" (`keypoint_tps_warp`), or None when skipped.
    """

    image: Tensor
    warped_garment: Tensor
    parse: ParsePrediction
    keypoints: LearnedKeypoints
    flow: FlowPrediction
    tps_warp: Warp | None


def precision(bundle: ModelBundle, device: torch.device) -> contextlib.AbstractContextManager:
    """The autocast context of `bundle.dtype` on `device` (a no-op for float32)."""
    if bundle.dtype == torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=bundle.dtype)


def _device(bundle: ModelBundle) -> torch.device:
    return next(bundle.warp.parameters()).device


@torch.no_grad()
def predict_parse(bundle: ModelBundle, inputs: NetworkInputs) -> ParsePrediction:
    """Run the segmentation generator (at the trained size) on the garment and the person condition.

    Args:
        inputs: `NetworkInputs` at any working size (H, W).
    """
    device = _device(bundle)
    native = bundle.seg_info.resolution_hw
    garment = resize_to(inputs.garment.to(device), native)
    condition = torch.cat(
        (
            resize_to(inputs.agnostic.to(device), native),
            resize_labels(inputs.parse_agnostic7.to(device), native),
            resize_to(inputs.pose_image.to(device), native),
        ),
        dim=1,
    )
    with precision(bundle, device):
        raw = bundle.seg(garment, condition)
    scores = F.normalize(raw.float(), dim=1)
    labels = resize_labels(scores.argmax(dim=1), inputs.size_hw)
    return ParsePrediction(scores, labels, (labels == _UPPER)[:, None].float())


def _pairs_from_points(
    source_norm: Tensor, ref_norm: Tensor, size_hw: tuple[int, int], groups: int, pose: Pose | None
) -> KeypointPairs:
    b, p, _ = source_norm.shape
    per = p // groups
    one = torch.ones(b, p, 1, dtype=torch.float32, device=source_norm.device)
    garment_px = norm_to_px(source_norm.float(), size_hw, align_corners=ALIGN_CORNERS_TPS)
    person_px = norm_to_px(ref_norm.float(), size_hw, align_corners=ALIGN_CORNERS_TPS)
    names = tuple(f"g{i // per}_k{i % per:02d}" for i in range(p))
    return KeypointPairs(
        garment_px=torch.cat((garment_px, one), -1),
        person_px=torch.cat((person_px, one), -1),
        names=names,
        garment_hw=tuple(size_hw),
        person_hw=tuple(size_hw),
        groups=groups,
        origin="learned",
        pose=pose,
    )


@torch.no_grad()
def detect_keypoints(
    bundle: ModelBundle, garment: Tensor, clothes_mask: Tensor, *, pose: Pose | None = None
) -> LearnedKeypoints:
    """Detect K groups of keypoints on the garment and the matching ones on the person's clothes region.

    Args:
        garment: (B, 3, H, W) garment canvas in [-1, 1] (`NetworkInputs.garment`).
        clothes_mask: (B, 1, H, W) {0, 1} where the garment goes on the person (`ParsePrediction.clothes_mask`).
        pose: attached to the returned pairs (for overlays), optional.
    """
    check_shape(garment, "garment", ("B", 3, "H", "W"))
    check_shape(clothes_mask, "clothes_mask", (garment.shape[0], 1, garment.shape[2], garment.shape[3]))
    device = _device(bundle)
    with precision(bundle, device):
        kp = bundle.warp.detect(garment.to(device), clothes_mask.to(device))
    source, ref = kp.source_kp.float(), kp.ref_kp.float()
    groups = bundle.warp.config.kp_detector.num_tps
    return LearnedKeypoints(source, ref, _pairs_from_points(source, ref, tuple(garment.shape[-2:]), groups, pose))


def learned_keypoints_from_pairs(pairs: KeypointPairs, size_hw: tuple[int, int] | None = None) -> LearnedKeypoints:
    """Network keypoints back from `KeypointPairs` (learned or edited), e.g. after the keypoint editor.

    Args:
        pairs: P = K x N pairs in pixels, group-major as the detector makes them; confidences are ignored (the
            dense motion network uses every point).
        size_hw: the working size the network frames refer to; default `pairs.person_hw`, and `pairs.garment_hw`
            must equal it (the garment canvas of `NetworkInputs`).
    """
    if not isinstance(pairs, KeypointPairs):
        raise TypeError(f"keypoints: expected KeypointPairs, got {type(pairs).__name__}")
    size_hw = tuple(size_hw or pairs.person_hw)
    if tuple(pairs.person_hw) != size_hw or tuple(pairs.garment_hw) != size_hw:
        raise ValueError(
            f"keypoints: expected garment and person frames of the working size {size_hw} (the garment canvas and "
            f"the resized person), got garment {tuple(pairs.garment_hw)} and person {tuple(pairs.person_hw)}"
        )
    source = px_to_norm(pairs.garment_px[..., :2].float(), size_hw, align_corners=ALIGN_CORNERS_TPS)
    ref = px_to_norm(pairs.person_px[..., :2].float(), size_hw, align_corners=ALIGN_CORNERS_TPS)
    return LearnedKeypoints(source, ref, pairs)


def keypoint_tps_warp(keypoints: LearnedKeypoints | KeypointPairs, *, reg: float = 0.01) -> Warp:
    """The K keypoint-group splines (person -> garment) as one "tps" `Warp` (grids averaged), via `warp_from_pairs`.

    This is the classical path's TPS code on the learned pairs: the warp the TPS Warp node makes from them. The
    dense motion network blends the same K splines per pixel instead (`predict_flow`).
    """
    pairs = keypoints.pairs if isinstance(keypoints, LearnedKeypoints) else keypoints
    return warp_from_pairs(pairs, reg=reg)


@torch.no_grad()
def predict_flow(
    bundle: ModelBundle, garment: Tensor, clothes_mask: Tensor, keypoints: LearnedKeypoints
) -> FlowPrediction:
    """Dense motion: blend the K TPS grids per pixel, predict occlusion; resample both to the working size.

    Args:
        garment: (B, 3, H, W) garment canvas in [-1, 1]; clothes_mask: (B, 1, H, W) {0, 1}; H x W = working size.
    """
    check_shape(garment, "garment", ("B", 3, "H", "W"))
    check_shape(clothes_mask, "clothes_mask", (garment.shape[0], 1, garment.shape[2], garment.shape[3]))
    device = _device(bundle)
    points = bundle.warp.config.dense_motion.num_tps * bundle.warp.config.dense_motion.num_kp
    check_shape(keypoints.source_norm, "keypoints", (garment.shape[0], points, 2))
    with precision(bundle, device):
        motion = bundle.warp.motion(
            garment.to(device),
            clothes_mask.to(device),
            keypoints=(keypoints.source_norm.to(device), keypoints.ref_norm.to(device)),
        )
    grid = motion.grid.float()
    warp = Warp(grid=grid, align_corners=ALIGN_CORNERS_WARP, kind="flow", occlusion=motion.occlusion.float())
    return FlowPrediction(warp, motion.deformation.float(), motion.contribution.float())


def apply_flow(garment: Tensor, flow: Warp) -> Tensor:
    """The garment through the flow (bilinear, border padding, the flow's align_corners) times its occlusion map.

    Args:
        garment: (B, 3, H_g, W_g) in [-1, 1]; flow: a "flow" `Warp` of batch B.

    Returns:
        (B, 3, H, W) in [-1, 1] (0 = mid grey where occluded).
    """
    check_shape(garment, "garment", ("B", 3, "H", "W"))
    if flow.align_corners != ALIGN_CORNERS_WARP:
        raise ValueError(
            f"flow: expected a grid read with align_corners={ALIGN_CORNERS_WARP}, got {flow.align_corners}"
        )
    occlusion = None if flow.occlusion is None else flow.occlusion.to(garment.device)
    return warp_garment(garment, flow.grid.to(garment.device), occlusion)


@torch.no_grad()
def generate_tryon(
    bundle: ModelBundle, agnostic: Tensor, pose_image: Tensor, warped_garment: Tensor, parse_scores: Tensor
) -> Tensor:
    """The SPADE generator: (agnostic, pose image, warped garment) in [-1, 1] + parse scores -> (B, 3, H, W) [-1, 1]."""
    device = _device(bundle)
    with precision(bundle, device):
        out = bundle.warp.generate(
            agnostic.to(device), pose_image.to(device), warped_garment.to(device), parse_scores.to(device)
        )
    return out.float()


@torch.no_grad()
def kfvton_tryon(
    bundle: ModelBundle,
    inputs: NetworkInputs,
    *,
    with_tps_warp: bool = False,
    on_stage: Callable[[str], None] | None = None,
) -> LearnedTryOn:
    """The whole learned try-on on prepared inputs (see `build_network_inputs`).

    Args:
        bundle: loaded seg and warp networks (their device is used; inputs are moved there).
        inputs: `NetworkInputs` at the working size.
        with_tps_warp: also fit the K keypoint splines with the classical TPS code (`keypoint_tps_warp`).
        on_stage: called with each finished stage's name ("seg", "keypoints", "flow", "generator"), e.g. to report
            progress or to stop (an exception raised there ends the run).
    """
    report = on_stage or (lambda _name: None)
    if not isinstance(inputs, NetworkInputs):
        raise TypeError(f"inputs: expected NetworkInputs, got {type(inputs).__name__}")
    device = _device(bundle)
    inputs = inputs.to(device)
    parse = predict_parse(bundle, inputs)
    report("seg")
    keypoints = detect_keypoints(bundle, inputs.garment, parse.clothes_mask, pose=inputs.pose)
    tps = keypoint_tps_warp(keypoints) if with_tps_warp else None
    report("keypoints")
    flow = predict_flow(bundle, inputs.garment, parse.clothes_mask, keypoints)
    warped = apply_flow(inputs.garment, flow.warp)
    report("flow")
    image = generate_tryon(bundle, inputs.agnostic, inputs.pose_image, warped, parse.scores)
    report("generator")
    return LearnedTryOn(from_network_range(image), from_network_range(warped), parse, keypoints, flow, tps)


def kfvton_tryon_photos(
    bundle: ModelBundle,
    person: Tensor,
    garment: Tensor,
    garment_mask: Tensor,
    pose: Pose,
    parse: Tensor,
    *,
    size_hw: tuple[int, int] | None = None,
    with_tps_warp: bool = False,
    on_stage: Callable[[str], None] | None = None,
) -> LearnedTryOn:
    """`build_network_inputs` then `kfvton_tryon`; `size_hw` defaults to the bundle's trained size.

    Args: as `build_network_inputs` (person (B, 3, H0, W0) [0, 1], garment, garment_mask, pose, LIP-20 parse).
    """
    inputs = build_network_inputs(
        person, garment, garment_mask, pose, parse, size_hw=tuple(size_hw or bundle.resolution_hw)
    )
    return kfvton_tryon(bundle, inputs, with_tps_warp=with_tps_warp, on_stage=on_stage)
