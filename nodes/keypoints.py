"""KF-VTON/keypoints: garment landmarks, where they land on the person, and the keypoint editor.

The editor's drawing and dragging live in web/js/keypoint_editor.js; this side applies the edits the front end
stored in the node's "edits" widget and sends the images and points back for display.
"""

from __future__ import annotations

import logging

from torch import Tensor

from ..kfvton._checks import check_image
from ..kfvton.keypoints.edits import apply_edits, editor_payload, parse_edits
from ..kfvton.keypoints.garment_landmarks import GarmentLandmarks
from ..kfvton.keypoints.pairs import KeypointPairs
from ..kfvton.keypoints.pose import Pose
from ..kfvton.pipelines.classical import place_upper_garment, upper_garment_landmarks
from . import _runtime as runtime
from . import types as T
from ._batch import map_items

log = logging.getLogger("kfvton")

EDITOR_NAME = "KF-VTON Keypoint Editor"
#: Key of the editor's payload in the node's "ui" output (read by web/js/keypoint_editor.js).
EDITOR_UI_KEY = "kfvton_keypoint_editor"


class KfvtonGarmentLandmarks:
    DESCRIPTION = (
        "Finds 14 named landmarks (collar, shoulders, sleeve ends, armpits, hem) on a flat, front-view upper-body "
        "garment from its mask outline, and whether its sleeves are none, short or long."
    )
    CATEGORY = "KF-VTON/keypoints"
    FUNCTION = "run"
    RETURN_TYPES = (T.LANDMARKS, "STRING")
    RETURN_NAMES = ("landmarks", "sleeves")
    OUTPUT_TOOLTIPS = (
        "Garment landmarks (B, 14, 3) in garment pixels; confidence 0 where absent.",
        "Sleeve kind per garment, comma separated.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "garment": (T.IMAGE, {"tooltip": "Garment photo, front view."}),
                "garment_mask": (T.MASK, {"tooltip": "Garment mask (KF-VTON Garment Mask), same size as the garment."}),
            }
        }

    def run(self, garment: Tensor, garment_mask: Tensor) -> tuple[GarmentLandmarks, str]:
        inputs = {
            "garment": T.from_socket(garment, T.IMAGE, "garment"),
            "garment_mask": T.from_socket(garment_mask, T.MASK, "garment_mask"),
        }
        landmarks = map_items(  # (as the classical try-on reads them: with the mask it places and warps by)
            lambda garment, garment_mask: upper_garment_landmarks(garment, garment_mask),
            inputs,
            what="garment landmarks",
        )
        return (T.to_socket(landmarks, T.LANDMARKS), ", ".join(landmarks.sleeves))


class KfvtonTargetPlacement:
    DESCRIPTION = (
        "Places each garment landmark on the person from the pose (shoulder seams, torso scaled to the shoulders "
        "and hips, sleeves along the arms). With a parse map (given or estimated) it fits the person as the "
        "Classical Try-On does: shoulder seams on the silhouette, side seams on the torso outline, collar on the "
        "neck, the hem tucked in or worn over the lower garment as the photo shows; the TPS Warp and Composite "
        "then follow that fit. Optionally fitted to a target region instead. Gives the keypoint pairs a TPS warp "
        "needs. No trained weights."
    )
    CATEGORY = "KF-VTON/keypoints"
    FUNCTION = "run"
    RETURN_TYPES = (T.KEYPOINTS,)
    RETURN_NAMES = ("keypoints",)
    OUTPUT_TOOLTIPS = ("Garment landmarks and their person targets (origin classical), with the pose.",)

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "landmarks": (T.LANDMARKS, {"tooltip": "From KF-VTON Garment Landmarks."}),
                "pose": (T.POSE, {"tooltip": "The person's pose; both shoulders are required."}),
            },
            "optional": {
                "target_mask": (
                    T.MASK,
                    {"tooltip": "Region the garment should fill (e.g. the old upper clothes), person image size."},
                ),
                "parse": (
                    T.PARSE,
                    {
                        "tooltip": "Person label map (Human Parser, Region Estimator or Load Parse Map): the garment "
                        "is fitted to the body as the Classical Try-On fits it."
                    },
                ),
            },
        }

    def run(
        self,
        landmarks: GarmentLandmarks,
        pose: Pose,
        target_mask: Tensor | None = None,
        parse: T.ParseMap | None = None,
    ) -> tuple[KeypointPairs]:
        pose = T.from_socket(pose, T.POSE, "pose")
        device = pose.joints.device
        inputs = {
            "landmarks": T.from_socket(landmarks, T.LANDMARKS, "landmarks", device),
            "pose": pose,
            "target_mask": None if target_mask is None else T.from_socket(target_mask, T.MASK, "target_mask", device),
            "parse": None if parse is None else T.from_socket(parse, T.PARSE, "parse", device),
        }
        pairs = map_items(
            lambda landmarks, pose, target_mask, parse: place_upper_garment(
                landmarks, pose, parse=parse, target_mask=target_mask
            ),
            inputs,
            what="target placement",
        )
        return (T.to_socket(pairs, T.KEYPOINTS),)


class KfvtonKeypointEditor:
    DESCRIPTION = (
        "Shows the garment landmarks, the person targets and their correspondences on the node after a run; drag a "
        "point to move it, shift-click to leave it out of the warp, double-click to reset it. The edits are kept in "
        "the 'edits' widget (JSON, image-normalised coordinates) and applied on the next run; edits made for another "
        "keypoint set are dropped with a notice. Put it between the keypoint node and the TPS Warp."
    )
    CATEGORY = "KF-VTON/keypoints"
    RETURN_TYPES = (T.KEYPOINTS,)
    RETURN_NAMES = ("keypoints",)
    OUTPUT_TOOLTIPS = ("The keypoints with the edits applied (origin 'edited'), for KF-VTON TPS Warp.",)
    FUNCTION = "run"

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "keypoints": (T.KEYPOINTS, {"tooltip": "Garment landmarks and person targets to inspect and edit."}),
                "person": (T.IMAGE, {"tooltip": "The person photo the targets belong to (first item is shown)."}),
                "garment": (T.IMAGE, {"tooltip": "The garment photo the landmarks belong to (first item is shown)."}),
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
        keypoints = T.from_socket(keypoints, T.KEYPOINTS, f"{EDITOR_NAME}: keypoints")
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


NODE_CLASS_MAPPINGS = {
    "KfvtonGarmentLandmarks": KfvtonGarmentLandmarks,
    "KfvtonTargetPlacement": KfvtonTargetPlacement,
    "KfvtonKeypointEditor": KfvtonKeypointEditor,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonGarmentLandmarks": "KF-VTON Garment Landmarks",
    "KfvtonTargetPlacement": "KF-VTON Target Placement",
    "KfvtonKeypointEditor": EDITOR_NAME,
}
