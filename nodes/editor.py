"""Keypoint editor and warp inspector nodes: look at the keypoints and the warp on the node, and fix them by hand.

The editor's drawing and dragging live in web/js/keypoint_editor.js; this side applies the edits the front end
stored in the node's "edits" widget and sends the images and points back for display.
"""

from __future__ import annotations

import logging

from torch import Tensor

from ..kfvton._checks import check_image
from ..kfvton.geometry.visualize import draw_warp_overlay, warp_stats
from ..kfvton.geometry.warp import Warp
from ..kfvton.keypoints.edits import apply_edits, editor_payload, parse_edits
from ..kfvton.keypoints.pairs import KeypointPairs
from ..kfvton.preprocess.layout import bchw_to_bhwc, bhwc_to_bchw
from . import _runtime as runtime
from .types import FLOW, IMAGE, KEYPOINTS, WARP

log = logging.getLogger("kfvton")

EDITOR_NAME = "KF-VTON Keypoint Editor"
INSPECTOR_NAME = "KF-VTON Warp Inspector"
#: Key of the editor's payload in the node's "ui" output (read by web/js/keypoint_editor.js).
EDITOR_UI_KEY = "kfvton_keypoint_editor"
#: Key of the inspector's numbers in its "ui" output (read by web/js/warp_inspector.js).
INSPECTOR_UI_KEY = "kfvton_warp_stats"


class KfvtonKeypointEditor:
    DESCRIPTION = (
        "Shows the garment landmarks, the person targets and their correspondences on the node after a run; drag a "
        "point to move it, shift-click to leave it out of the warp, double-click to reset it. The edits are kept in "
        "the 'edits' widget (JSON, image-normalised coordinates) and applied on the next run; edits made for another "
        "keypoint set are dropped with a notice. Put it between the keypoint node and the TPS Warp."
    )
    CATEGORY = "KF-VTON/keypoints"
    RETURN_TYPES = (KEYPOINTS,)
    RETURN_NAMES = ("keypoints",)
    OUTPUT_TOOLTIPS = ("The keypoints with the edits applied (origin 'edited'), for KF-VTON TPS Warp.",)
    FUNCTION = "run"

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "keypoints": (KEYPOINTS, {"tooltip": "Garment landmarks and person targets to inspect and edit."}),
                "person": (IMAGE, {"tooltip": "The person photo the targets belong to (first item is shown)."}),
                "garment": (IMAGE, {"tooltip": "The garment photo the landmarks belong to (first item is shown)."}),
                "edits": (
                    "STRING",
                    {
                        "default": "",
                        "multiline": False,
                        "tooltip": "Edits as JSON, written by the editor on the node; empty = no edits.",
                    },
                ),
            }
        }

    def run(self, keypoints: KeypointPairs, person: Tensor, garment: Tensor, edits: str = "") -> dict:
        if not isinstance(keypoints, KeypointPairs):
            raise TypeError(f"{EDITOR_NAME}: keypoints: expected KFVTON_KEYPOINTS, got {type(keypoints).__name__}")
        check_image(person, f"{EDITOR_NAME}: person", layout="BHWC")
        check_image(garment, f"{EDITOR_NAME}: garment", layout="BHWC")
        where = f"{EDITOR_NAME}: edits"
        result = apply_edits(keypoints, parse_edits(edits, where=where), where=where)
        if result.stale:
            log.warning(result.notice)
        payload = editor_payload(keypoints)  # the unedited points, so the front end can reset to them
        payload.update(
            notice=result.notice,
            stale=result.stale,
            person_image=next(iter(runtime.save_temp_images(person[:1], "kfvton_editor_person")), None),
            garment_image=next(iter(runtime.save_temp_images(garment[:1], "kfvton_editor_garment")), None),
        )
        return {"ui": {EDITOR_UI_KEY: [payload]}, "result": (result.pairs,)}


class KfvtonWarpInspector:
    DESCRIPTION = (
        "Draws the warp over the person: lines of a grid on the garment, pulled into the person frame by the TPS or "
        "flow warp, red where the warp folds over itself, and the occlusion map tinted blue where the garment is "
        "hidden. Folds and tears show up as crossing or torn-apart grid lines. Takes a TPS warp or a learned flow."
    )
    CATEGORY = "KF-VTON/warp"
    RETURN_TYPES = (IMAGE,)
    RETURN_NAMES = ("overlay",)
    OUTPUT_TOOLTIPS = ("The person with the warp grid drawn over it, for saving or previewing.",)
    FUNCTION = "run"

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "person": (IMAGE, {"tooltip": "The person photo the warp maps into."}),
                "warp": (
                    f"{WARP},{FLOW}",
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
        if not isinstance(warp, Warp):
            raise TypeError(f"{INSPECTOR_NAME}: warp: expected KFVTON_WARP or KFVTON_FLOW, got {type(warp).__name__}")
        check_image(person, f"{INSPECTOR_NAME}: person", layout="BHWC")
        device = runtime.torch_device()
        overlay = draw_warp_overlay(
            bhwc_to_bchw(person).to(device), warp.to(device), lines=grid_lines, show_occlusion=show_occlusion
        )
        stats = warp_stats(warp)
        image = bchw_to_bhwc(overlay).to(runtime.intermediate_device())
        ui = {INSPECTOR_UI_KEY: [stats], "images": runtime.save_temp_images(image, "kfvton_warp_inspector")}
        return {"ui": ui, "result": (image,)}


NODE_CLASS_MAPPINGS = {
    "KfvtonKeypointEditor": KfvtonKeypointEditor,
    "KfvtonWarpInspector": KfvtonWarpInspector,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonKeypointEditor": EDITOR_NAME,
    "KfvtonWarpInspector": INSPECTOR_NAME,
}
