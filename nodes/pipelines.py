"""KF-VTON/pipelines: a whole try-on in one node."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from ..kfvton.geometry.pair_warp import DEFAULT_REG
from ..kfvton.geometry.warp import Warp
from ..kfvton.keypoints.pairs import KeypointPairs
from ..kfvton.keypoints.placement import TUCK_MODES
from ..kfvton.keypoints.pose import Pose
from ..kfvton.pipelines.classical import DEFAULT_GRID_STEP, classical_tryon
from ..kfvton.pipelines.quick import quick_tryon
from ..kfvton.preprocess.garment_checks import check_garment_photo
from ..kfvton.preprocess.regions import estimate_person_regions
from . import _runtime as runtime
from . import types as T
from ._batch import map_items
from .inputs import AUTO, model_or_auto, onnx_model_files, register_pose_onnx
from .types import ParseMap

#: The category widgets' options as saved workflows store them (add new ones at the end only).
CATEGORY_OPTIONS = ("upper", "lower", "dress", "auto")


def _optional(value: Any, socket: str, name: str, device: torch.device) -> Any:
    """`types.from_socket` for an optional input: None stays None."""
    return None if value is None else T.from_socket(value, socket, name, device)


def _to(value: Tensor | None, device: torch.device) -> Tensor | None:
    return None if value is None else value.to(device)


class KfvtonQuickTryOn:
    DESCRIPTION = (
        "Two photos in, a try-on out: finds the person's pose and body regions itself (or uses the ones you "
        "connect), warps the garment onto the person and pastes it. Also gives the garment's mask on the person "
        "and a refine mask (seams, repainted skin and background) for a low-denoise inpainting pass with your own "
        "diffusion model. Tops by default; trousers, shorts, skirts and dresses with the category widget (auto reads "
        "it from the garment photo). The report says which estimators, category and tuck were used and what to "
        "check. No model file needed: "
        "without an ONNX pose model the pack's default pose estimator is used (if it is missing, the error says "
        "what to install)."
    )
    CATEGORY = "KF-VTON/pipelines"
    FUNCTION = "run"
    RETURN_TYPES = (T.IMAGE, T.MASK, T.MASK, "STRING")
    RETURN_NAMES = ("image", "garment_mask", "refine_mask", "report")
    OUTPUT_TOOLTIPS = (
        "The person wearing the garment.",
        "The garment on the person (for the mask inputs of other try-on or inpainting nodes).",
        "Everything synthesised (garment border band, seams, old clothes repainted as skin or background): feed "
        "it with the image to an inpainting sampler at low denoise (0.3-0.45) to make it photoreal while the "
        "garment's print stays exact.",
        "Which pose and region estimators, garment mask, category and tuck were used (auto choices and fallbacks "
        "named), and any warnings.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "person": (
                    T.IMAGE,
                    {
                        "tooltip": "The person photo (front view; hips and knees visible for lower garments and dresses)."
                    },
                ),
                "garment": (
                    T.IMAGE,
                    {"tooltip": "Flat front-view garment on a plain background (a top, or see category)."},
                ),
            },
            "optional": {
                "pose_keypoint": (
                    T.POSE_KEYPOINT,
                    {"tooltip": "A pose from a DWPose / OpenPose node; else the pose is estimated from the photo."},
                ),
                "pose": (T.POSE, {"tooltip": "A KF-VTON pose; used instead of pose_keypoint and estimation."}),
                "parse": (
                    T.PARSE,
                    {"tooltip": "Person label map (human parser); else the regions are estimated (lower quality)."},
                ),
                "garment_mask": (T.MASK, {"tooltip": "Garment mask; computed from the photo when not connected."}),
                "estimate_regions": (
                    "BOOLEAN",
                    {
                        "default": True,
                        "tooltip": "Without a parse map, estimate head, arms and old clothes from the pose and the "
                        "silhouette (keeps them in front, paints old clothes over).",
                    },
                ),
                "pose_model": (
                    [AUTO, *onnx_model_files("pose")],
                    {
                        "default": AUTO,
                        "tooltip": "Pose model in models/kfvton/pose/ when no pose is connected; auto = a DWPose / "
                        "RTMPose file found there, else the default estimator.",
                    },
                ),
                "category": (
                    list(CATEGORY_OPTIONS),
                    {
                        "default": "upper",
                        "tooltip": "upper: tops; lower: trousers, shorts, skirts (the photo must show hips and "
                        "knees); dress; auto: from the garment photo's shape. The report says which was used.",
                    },
                ),
                "tuck": (
                    list(TUCK_MODES),
                    {
                        "default": "auto",
                        "tooltip": "Tops: in = the hem inside the trousers / skirt, out = over them. Lower garments: "
                        "in = the person's top inside the new waistband. auto: as the photo shows (needs a parse map "
                        "or estimated regions; else out). The report says which was used.",
                    },
                ),
            },
        }

    def run(
        self,
        person: Tensor,
        garment: Tensor,
        pose_keypoint: list | None = None,
        pose: Pose | None = None,
        parse: ParseMap | None = None,
        garment_mask: Tensor | None = None,
        estimate_regions: bool = True,
        pose_model: str = AUTO,
        category: str = "upper",
        tuck: str = "auto",
    ) -> tuple[Tensor, Tensor, Tensor, str]:
        device = runtime.torch_device()
        given = T.from_socket(pose, T.POSE, "pose") if pose is not None else pose_keypoint
        pose_path, pose_dirs = model_or_auto("pose", pose_model), runtime.model_folders("pose")
        if given is None:
            register_pose_onnx(pose_path, None, pose_dirs)
        photos = {
            "person": T.from_socket(person, T.IMAGE, "person"),
            "garment": T.from_socket(garment, T.IMAGE, "garment"),
            "pose": given,
            "parse": _optional(parse, T.PARSE, "parse", "cpu"),
            "garment_mask": _optional(garment_mask, T.MASK, "garment_mask", "cpu"),
        }

        def one(person, garment, pose, parse, garment_mask):
            return quick_tryon(
                person.to(device), garment.to(device), pose=pose, parse=_to(parse, device),
                garment_mask=_to(garment_mask, device), estimate_missing_regions=estimate_regions,
                pose_model=pose_path, pose_dirs=pose_dirs, category=category, tuck=tuck,
            )  # fmt: skip

        result = map_items(one, photos, what="quick try-on")
        report = result.report()
        runtime.log.info("KF-VTON Quick Try-On:\n%s", report)
        return (
            T.to_socket(result.image, T.IMAGE),
            T.to_socket(result.garment_mask, T.MASK),
            T.to_socket(result.refine_mask, T.MASK),
            report,
        )


class KfvtonClassicalTryOn:
    DESCRIPTION = (
        "The whole classical try-on in one node, no trained weights: garment mask, garment landmarks, targets "
        "placed from the pose (fitted to the old clothes when a parse map is given), TPS warp, composite. Works for "
        "B persons x 1 garment, 1 person x B garments or B x B."
    )
    CATEGORY = "KF-VTON/pipelines"
    FUNCTION = "run"
    RETURN_TYPES = (T.IMAGE, T.IMAGE, T.MASK, T.KEYPOINTS, T.WARP, "STRING", "STRING")
    RETURN_NAMES = ("image", "warped_garment", "warped_mask", "keypoints", "warp", "mask_method", "warnings")
    OUTPUT_TOOLTIPS = (
        "The person wearing the garment.",
        "The garment in the person frame.",
        "The garment mask in the person frame.",
        "Garment landmarks and their person targets (for an overlay or the keypoint editor).",
        "The TPS warp.",
        "How the garment mask was obtained: explicit, alpha or computed.",
        "Why the picture may look poor (tiny or oddly shaped garment, patterned background, ...), one per line; "
        "empty when none.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "person": (T.IMAGE, {"tooltip": "The person photo."}),
                "garment": (T.IMAGE, {"tooltip": "Flat front-view upper-body garment, plain background."}),
                "pose": (T.POSE, {"tooltip": "The person's pose (KF-VTON Load Pose JSON / Pose From POSE_KEYPOINT)."}),
                "smoothing": (
                    "FLOAT",
                    {"default": DEFAULT_REG, "min": 0.0, "max": 10.0, "step": 0.001, "tooltip": "TPS smoothing."},
                ),
                "grid_step": (
                    "INT",
                    {
                        "default": DEFAULT_GRID_STEP,
                        "min": 1,
                        "max": 16,
                        "tooltip": "Evaluate the spline every N pixels and interpolate (1 = exact).",
                    },
                ),
                "feather_px": (
                    "FLOAT",
                    {"default": 1.5, "min": 0.0, "max": 32.0, "step": 0.1, "tooltip": "Soft edge width (pixels)."},
                ),
            },
            "optional": {
                "garment_mask": (T.MASK, {"tooltip": "Garment mask; computed from the photo when not connected."}),
                "parse": (T.PARSE, {"tooltip": "Person label map: keeps head/arms in front, paints old clothes."}),
                "target_mask": (
                    T.MASK,
                    {"tooltip": "Region the garment should fill (sets the hem); default: the garment's own length."},
                ),
                "category": (
                    list(CATEGORY_OPTIONS),
                    {
                        "default": "upper",
                        "tooltip": "upper: tops; lower: trousers, shorts, skirts (needs hips and knees); dress; "
                        "auto: from the garment photo's shape (reported in mask_method).",
                    },
                ),
                "tuck": (
                    list(TUCK_MODES),
                    {
                        "default": "auto",
                        "tooltip": "in: the top's hem inside the trousers/skirt; out: over them at the garment's own "
                        "length; auto: as in the person photo (needs a parse map or estimated regions).",
                    },
                ),
                "estimate_regions": (
                    "BOOLEAN",
                    {
                        "default": True,
                        "tooltip": "Without a parse map: estimate hair, face, arms, old garment, lower garment and "
                        "legs (embedded MediaPipe person mask + colour), so the old garment is replaced and hair "
                        "stays in front. Off: the old garment stays visible around the new one.",
                    },
                ),
            },
        }

    def run(
        self,
        person: Tensor,
        garment: Tensor,
        pose: Pose,
        smoothing: float = DEFAULT_REG,
        grid_step: int = DEFAULT_GRID_STEP,
        feather_px: float = 1.5,
        garment_mask: Tensor | None = None,
        parse: ParseMap | None = None,
        target_mask: Tensor | None = None,
        category: str = "upper",
        tuck: str = "auto",
        estimate_regions: bool = True,
    ) -> tuple[Tensor, Tensor, Tensor, KeypointPairs, Warp, str, str]:
        device = runtime.torch_device()
        photos = {
            "person": T.from_socket(person, T.IMAGE, "person"),
            "garment": T.from_socket(garment, T.IMAGE, "garment"),
            "pose": T.from_socket(pose, T.POSE, "pose"),
            "garment_mask": _optional(garment_mask, T.MASK, "garment_mask", "cpu"),
            "parse": _optional(parse, T.PARSE, "parse", "cpu"),
            "target_mask": _optional(target_mask, T.MASK, "target_mask", "cpu"),
        }
        region_methods = []
        # a person wearing the garment is refused before the regions and the warp (its computed mask would be the
        # whole person); a given mask says what the garment is
        notes = check_garment_photo(photos["garment"].cpu(), name="garment") if garment_mask is None else ()

        def one(person, garment, pose, garment_mask, parse, target_mask):
            if parse is None and estimate_regions:  # without a parse map the old garment would stay visible
                regions = estimate_person_regions(person, pose, name="person")
                parse = regions.parse
                region_methods.append(regions.method)
            return classical_tryon(
                person.to(device), garment.to(device), pose.to(device),
                garment_mask=_to(garment_mask, device), parse=_to(parse, device), target_mask=_to(target_mask, device),
                reg=smoothing, grid_step=grid_step, feather_px=feather_px, category=category, tuck=tuck,
            )  # fmt: skip

        result = map_items(one, photos, what="classical try-on")
        report = result.mask_method
        if category != "upper":
            report += f"; category {result.category_reason}" + (f"; tuck {result.tuck[0]}" if result.tuck else "")
        if region_methods:
            runtime.log.info("KF-VTON Classical Try-On: regions %s", region_methods[0])
            report += f"; regions: {region_methods[0]}"
        return (
            T.to_socket(result.image, T.IMAGE),
            T.to_socket(result.warped_garment, T.IMAGE),
            T.to_socket(result.warped_mask, T.MASK),
            T.to_socket(result.keypoints, T.KEYPOINTS),
            T.to_socket(result.warp, T.WARP),
            report,
            runtime.report_warnings((*notes, *result.warnings)),
        )


NODE_CLASS_MAPPINGS = {
    "KfvtonQuickTryOn": KfvtonQuickTryOn,
    "KfvtonClassicalTryOn": KfvtonClassicalTryOn,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonQuickTryOn": "KF-VTON Quick Try-On",
    "KfvtonClassicalTryOn": "KF-VTON Classical Try-On",
}
