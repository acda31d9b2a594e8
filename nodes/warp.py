"""KF-VTON/warp: the garment pulled into the person frame by a thin-plate spline through keypoint pairs, and the
warp inspector (its numbers are shown by web/js/warp_inspector.js)."""

from __future__ import annotations

from torch import Tensor

from ..kfvton._checks import check_image
from ..kfvton.geometry.visualize import draw_warp_overlay, warp_stats
from ..kfvton.geometry.warp import Warp
from ..kfvton.keypoints.pairs import KeypointPairs
from ..kfvton.pipelines.classical import WARP_METHODS, warp_placed_garment
from ..kfvton.pipelines.garment_warp import DEFAULT_REG
from . import _runtime as runtime
from . import types as T
from ._batch import map_items

INSPECTOR_NAME = "KF-VTON Warp Inspector"
#: Key of the inspector's numbers in its "ui" output (read by web/js/warp_inspector.js).
INSPECTOR_UI_KEY = "kfvton_warp_stats"


class KfvtonTpsWarp:
    DESCRIPTION = (
        "Warps the garment and its mask onto the person with a thin-plate spline through the keypoint pairs "
        "(classical landmarks, learned keypoint groups or edited points). Garment landmarks are warped part by "
        "part (torso, each sleeve on its arm); other keypoints with one spline per group. Keypoints from Target "
        "Placement carry the fit it read off the person: the warp then uses the garment mask Garment Landmarks made "
        "(the inside of the back cut out) and keeps the sleeves inside the person, as the Classical Try-On does. "
        "Output is in the person image's size."
    )
    CATEGORY = "KF-VTON/warp"
    FUNCTION = "run"
    RETURN_TYPES = (T.IMAGE, T.MASK, T.WARP)
    RETURN_NAMES = ("warped_garment", "warped_mask", "warp")
    OUTPUT_TOOLTIPS = (
        "The garment in the person frame, black outside the garment image.",
        "The garment mask in the person frame.",
        "The dense warp (sampling grid and splines), for inspection or reuse.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "garment": (T.IMAGE, {"tooltip": "Garment photo the keypoints' garment side refers to."}),
                "garment_mask": (T.MASK, {"tooltip": "Garment mask, same size as the garment."}),
                "keypoints": (T.KEYPOINTS, {"tooltip": "Garment points and their person targets."}),
                "person": (T.IMAGE, {"tooltip": "The person photo: sets the output size (must match keypoints)."}),
                "smoothing": (
                    "FLOAT",
                    {
                        "default": DEFAULT_REG,
                        "min": 0.0,
                        "max": 10.0,
                        "step": 0.001,
                        "tooltip": "TPS regularisation: 0 passes exactly through every target, larger is smoother.",
                    },
                ),
                "grid_step": (
                    "INT",
                    {
                        "default": 1,
                        "min": 1,
                        "max": 16,
                        "tooltip": "Evaluate the spline every N pixels and interpolate (1 = exact; 2-4 is faster).",
                    },
                ),
                "method": (
                    WARP_METHODS,
                    {
                        "default": "auto",
                        "tooltip": "auto: torso + sleeves for the 14 garment landmarks (one group), else one spline "
                        "per keypoint group. torso + sleeves: a spline for the torso and one per sleeve, so sleeves "
                        "follow the arms. single spline: one spline for the whole garment.",
                    },
                ),
            }
        }

    def run(
        self,
        garment: Tensor,
        garment_mask: Tensor,
        keypoints: KeypointPairs,
        person: Tensor,
        smoothing: float = DEFAULT_REG,
        grid_step: int = 1,
        method: str = "auto",
    ) -> tuple[Tensor, Tensor, Warp]:
        device = runtime.torch_device()
        pairs = T.from_socket(keypoints, T.KEYPOINTS, "keypoints", device)
        person_hw = tuple(T.from_socket(person, T.IMAGE, "person").shape[-2:])
        if tuple(pairs.person_hw) != person_hw:
            raise ValueError(f"person: image is {person_hw} (H, W) but the keypoints target {pairs.person_hw}")
        inputs = {
            "keypoints": pairs,
            "garment_mask": T.from_socket(garment_mask, T.MASK, "garment_mask", device),
            "garment": T.from_socket(garment, T.IMAGE, "garment", device),
        }

        def one(keypoints: KeypointPairs, garment_mask: Tensor, garment: Tensor):
            # as the classical try-on warps (with the fit Target Placement read off the person, when it did)
            out, warp = warp_placed_garment(
                garment, garment_mask, keypoints, method=method, reg=smoothing, grid_step=grid_step
            )
            return out.image, out.mask, warp

        image, mask, warp = map_items(one, inputs, what="TPS warp")
        return (T.to_socket(image, T.IMAGE), T.to_socket(mask, T.MASK), T.to_socket(warp, T.WARP))


class KfvtonWarpInspector:
    DESCRIPTION = (
        "Draws the warp over the person: lines of a grid on the garment, pulled into the person frame by the TPS or "
        "flow warp, red where the warp folds over itself, and the occlusion map tinted blue where the garment is "
        "hidden. Folds and tears show up as crossing or torn-apart grid lines. Takes a TPS warp or a learned flow."
    )
    CATEGORY = "KF-VTON/warp"
    RETURN_TYPES = (T.IMAGE,)
    RETURN_NAMES = ("overlay",)
    OUTPUT_TOOLTIPS = ("The person with the warp grid drawn over it, for saving or previewing.",)
    FUNCTION = "run"

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "person": (T.IMAGE, {"tooltip": "The person photo the warp maps into."}),
                "warp": (
                    T.WARP_OR_FLOW,
                    {"tooltip": "The warp to inspect: a TPS warp (KF-VTON TPS Warp) or a learned flow."},
                ),
                "grid_lines": (
                    "INT",
                    {"default": 16, "min": 2, "max": 128, "tooltip": "Grid lines across the garment per axis."},
                ),
                "show_occlusion": ("BOOLEAN", {"default": True, "tooltip": "Tint where the garment is occluded."}),
            },
        }

    def run(
        self,
        person: Tensor,
        warp: Warp,
        grid_lines: int = 16,
        show_occlusion: bool = True,
    ) -> dict:
        T.expect(warp, Warp, f"{INSPECTOR_NAME}: warp", T.WARP_OR_FLOW)
        check_image(person, f"{INSPECTOR_NAME}: person", layout="BHWC")
        device = runtime.torch_device()
        inputs = {"person": T.from_socket(person, T.IMAGE, "person", device), "warp": warp.to(device)}
        overlay = map_items(
            lambda person, warp: draw_warp_overlay(person, warp, lines=grid_lines, show_occlusion=show_occlusion),
            inputs,
            what="warp inspector",
        )
        stats = warp_stats(warp)
        image = T.to_socket(overlay, T.IMAGE)
        ui = {INSPECTOR_UI_KEY: [stats], "images": runtime.save_temp_images(image, "kfvton_warp_inspector")}
        return {"ui": ui, "result": (image,)}


NODE_CLASS_MAPPINGS = {
    "KfvtonTpsWarp": KfvtonTpsWarp,
    "KfvtonWarpInspector": KfvtonWarpInspector,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonTpsWarp": "KF-VTON TPS Warp",
    "KfvtonWarpInspector": INSPECTOR_NAME,
}
