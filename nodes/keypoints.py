"""Keypoint nodes: garment landmarks and where they land on the person."""

from __future__ import annotations

from torch import Tensor

from ..kfvton.keypoints.garment_landmarks import GarmentLandmarks, detect_garment_landmarks
from ..kfvton.keypoints.pairs import KeypointPairs
from ..kfvton.keypoints.placement import place_garment_landmarks
from ..kfvton.keypoints.pose import Pose
from ..kfvton.preprocess.layout import bhwc_to_bchw, mask_to_b1hw
from . import _runtime as runtime
from . import types as T


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
        landmarks = detect_garment_landmarks(
            bhwc_to_bchw(garment, "garment"), mask_to_b1hw(garment_mask, "garment_mask")
        )
        return (landmarks.to(runtime.intermediate_device()), ", ".join(landmarks.sleeves))


class KfvtonTargetPlacement:
    DESCRIPTION = (
        "Places each garment landmark on the person from the pose alone (shoulder seams, torso scaled to the "
        "shoulders and hips, sleeves along the arms), optionally fitted to a target region such as the old upper "
        "clothes. Gives the keypoint pairs a TPS warp needs. No trained weights."
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
            },
        }

    def run(self, landmarks: GarmentLandmarks, pose: Pose, target_mask: Tensor | None = None) -> tuple[KeypointPairs]:
        T.expect(pose, Pose, "pose", T.POSE)
        target = None if target_mask is None else mask_to_b1hw(target_mask, "target_mask").to(pose.joints.device)
        pairs = place_garment_landmarks(landmarks.to(pose.joints.device), pose, target_mask=target)
        return (pairs.to(runtime.intermediate_device()),)


NODE_CLASS_MAPPINGS = {
    "KfvtonGarmentLandmarks": KfvtonGarmentLandmarks,
    "KfvtonTargetPlacement": KfvtonTargetPlacement,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonGarmentLandmarks": "KF-VTON Garment Landmarks",
    "KfvtonTargetPlacement": "KF-VTON Target Placement",
}
