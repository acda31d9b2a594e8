"""Preview nodes (keypoint overlays) and the all-in-one classical try-on."""

from __future__ import annotations

from torch import Tensor

from ..kfvton.geometry.pair_warp import DEFAULT_REG
from ..kfvton.geometry.warp import Warp
from ..kfvton.keypoints.draw import draw_correspondences, draw_keypoints
from ..kfvton.keypoints.pairs import KeypointPairs
from ..kfvton.keypoints.pose import Pose
from ..kfvton.pipelines.classical import DEFAULT_GRID_STEP, classical_tryon
from ..kfvton.preprocess.layout import b1hw_to_mask, bchw_to_bhwc, bhwc_to_bchw, mask_to_b1hw
from . import _runtime as runtime
from . import types as T

_OVERLAY_MODES = ("person", "garment", "side by side")


class KfvtonKeypointOverlay:
    DESCRIPTION = (
        "Draws keypoints for checking: the person targets (with the pose skeleton) on the person, the garment "
        "landmarks on the garment, or both side by side with a line joining each pair. Pair colours match."
    )
    CATEGORY = "KF-VTON/preview"
    FUNCTION = "run"
    RETURN_TYPES = (T.IMAGE,)
    RETURN_NAMES = ("image",)
    OUTPUT_TOOLTIPS = ("The drawing (side by side: garment scaled to the person's height, then the person).",)

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "keypoints": (T.KEYPOINTS, {"tooltip": "Keypoint pairs (classical, learned or edited)."}),
                "person": (T.IMAGE, {"tooltip": "The person photo (used by 'person' and 'side by side')."}),
                "mode": (_OVERLAY_MODES, {"default": "person", "tooltip": "What to draw."}),
                "labels": ("BOOLEAN", {"default": False, "tooltip": "Write each garment point's name."}),
            },
            "optional": {
                "garment": (T.IMAGE, {"tooltip": "The garment photo (needed by 'garment' and 'side by side')."}),
            },
        }

    def run(
        self,
        keypoints: KeypointPairs,
        person: Tensor,
        mode: str = "person",
        labels: bool = False,
        garment: Tensor | None = None,
    ) -> tuple[Tensor]:
        T.expect(keypoints, KeypointPairs, "keypoints", T.KEYPOINTS)
        if mode not in _OVERLAY_MODES:
            raise ValueError(f"mode: expected one of {_OVERLAY_MODES}, got {mode!r}")
        if mode != "person" and garment is None:
            raise ValueError(f"garment: mode {mode!r} needs the garment image connected")
        if mode == "person":
            drawn = draw_keypoints(bhwc_to_bchw(person, "person"), keypoints, side="person", labels=labels)
        elif mode == "garment":
            drawn = draw_keypoints(bhwc_to_bchw(garment, "garment"), keypoints, side="garment", labels=labels)
        else:
            drawn = draw_correspondences(
                bhwc_to_bchw(garment, "garment"), bhwc_to_bchw(person, "person"), keypoints, labels=labels
            )
        return (bchw_to_bhwc(drawn).to(runtime.intermediate_device()),)


class KfvtonClassicalTryOn:
    DESCRIPTION = (
        "The whole classical try-on in one node, no trained weights: garment mask, garment landmarks, targets "
        "placed from the pose (fitted to the old clothes when a parse map is given), TPS warp, composite. Works for "
        "B persons x 1 garment, 1 person x B garments or B x B."
    )
    CATEGORY = "KF-VTON/pipelines"
    FUNCTION = "run"
    RETURN_TYPES = (T.IMAGE, T.IMAGE, T.MASK, T.KEYPOINTS, T.WARP, "STRING")
    RETURN_NAMES = ("image", "warped_garment", "warped_mask", "keypoints", "warp", "mask_method")
    OUTPUT_TOOLTIPS = (
        "The person wearing the garment.",
        "The garment in the person frame.",
        "The garment mask in the person frame.",
        "Garment landmarks and their person targets (for an overlay or the keypoint editor).",
        "The TPS warp.",
        "How the garment mask was obtained: explicit, alpha or computed.",
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
                        "tooltip": "Lower garments with a parse map: the top over (out) or tucked into (in) the waistband.",
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
        parse: Tensor | None = None,
        target_mask: Tensor | None = None,
        category: str = "upper",
        tuck: str = "auto",
    ) -> tuple[Tensor, Tensor, Tensor, KeypointPairs, Warp, str]:
        device = runtime.torch_device()

        def mask(m: Tensor | None, name: str) -> Tensor | None:
            return None if m is None else mask_to_b1hw(m, name).to(device)

        result = classical_tryon(
            bhwc_to_bchw(person, "person").to(device),
            bhwc_to_bchw(garment, "garment").to(device),
            pose.to(device) if isinstance(pose, Pose) else pose,
            garment_mask=mask(garment_mask, "garment_mask"),
            parse=None if parse is None else parse.to(device),
            target_mask=mask(target_mask, "target_mask"),
            reg=smoothing,
            grid_step=grid_step,
            feather_px=feather_px,
            category=category,
            tuck=tuck,
        )
        out = runtime.intermediate_device()
        report = result.mask_method
        if category != "upper":
            report += f"; category {result.category_reason}" + (f"; tuck {result.tuck}" if result.tuck != "-" else "")
        return (
            bchw_to_bhwc(result.image.clamp(0, 1)).to(out),
            bchw_to_bhwc(result.warped_garment.clamp(0, 1)).to(out),
            b1hw_to_mask(result.warped_mask.clamp(0, 1)).to(out),
            result.keypoints.to(out),
            result.warp.to(out),
            report,
        )


NODE_CLASS_MAPPINGS = {
    "KfvtonKeypointOverlay": KfvtonKeypointOverlay,
    "KfvtonClassicalTryOn": KfvtonClassicalTryOn,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonKeypointOverlay": "KF-VTON Keypoint Overlay",
    "KfvtonClassicalTryOn": "KF-VTON Classical Try-On",
}
