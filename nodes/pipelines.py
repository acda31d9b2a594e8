"""KF-VTON/pipelines: a whole try-on in one node."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from ..kfvton.geometry.pair_warp import DEFAULT_REG
from ..kfvton.geometry.warp import Warp
from ..kfvton.keypoints.pairs import KeypointPairs
from ..kfvton.keypoints.pose import Pose
from ..kfvton.pipelines.classical import DEFAULT_GRID_STEP, classical_tryon
from . import _runtime as runtime
from . import types as T
from .types import ParseMap


def _optional(value: Any, socket: str, name: str, device: torch.device) -> Any:
    """`types.from_socket` for an optional input: None stays None."""
    return None if value is None else T.from_socket(value, socket, name, device)


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
                "target_mask": (T.MASK, {"tooltip": "Region the garment should fill; default: the parse's clothes."}),
                "category": (
                    ["upper", "lower", "dress", "auto"],
                    {
                        "default": "upper",
                        "tooltip": "upper: tops; lower: trousers, shorts, skirts (needs hips and knees); dress; "
                        "auto: from the garment photo's shape (reported in mask_method).",
                    },
                ),
                "tuck": (
                    ["auto", "in", "out"],
                    {
                        "default": "auto",
                        "tooltip": "Lower garments with a parse map: the top over (out) or tucked into (in) the "
                        "waistband.",
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
    ) -> tuple[Tensor, Tensor, Tensor, KeypointPairs, Warp, str, str]:
        device = runtime.torch_device()
        result = classical_tryon(
            T.from_socket(person, T.IMAGE, "person", device),
            T.from_socket(garment, T.IMAGE, "garment", device),
            T.from_socket(pose, T.POSE, "pose", device),
            garment_mask=_optional(garment_mask, T.MASK, "garment_mask", device),
            parse=_optional(parse, T.PARSE, "parse", device),
            target_mask=_optional(target_mask, T.MASK, "target_mask", device),
            reg=smoothing,
            grid_step=grid_step,
            feather_px=feather_px,
            category=category,
            tuck=tuck,
        )
        report = result.mask_method
        if category != "upper":
            chosen = result.category if result.category_reason == "given" else result.category_reason
            report += f"; category {chosen}" + (f"; tuck {result.tuck}" if result.tuck != "-" else "")
        return (
            T.to_socket(result.image, T.IMAGE),
            T.to_socket(result.warped_garment, T.IMAGE),
            T.to_socket(result.warped_mask, T.MASK),
            T.to_socket(result.keypoints, T.KEYPOINTS),
            T.to_socket(result.warp, T.WARP),
            report,
            runtime.report_warnings(result.warnings),
        )


NODE_CLASS_MAPPINGS = {
    "KfvtonClassicalTryOn": KfvtonClassicalTryOn,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonClassicalTryOn": "KF-VTON Classical Try-On",
}
