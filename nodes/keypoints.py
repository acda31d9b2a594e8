"""Keypoint nodes: garment landmarks and where they land on the person."""

from __future__ import annotations

from torch import Tensor

from ..kfvton.keypoints.garment_landmarks import GarmentLandmarks, detect_garment_landmarks
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


NODE_CLASS_MAPPINGS = {
    "KfvtonGarmentLandmarks": KfvtonGarmentLandmarks,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonGarmentLandmarks": "KF-VTON Garment Landmarks",
}
