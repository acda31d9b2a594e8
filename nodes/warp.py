"""Warp nodes: the garment pulled into the person frame by a thin-plate spline through keypoint pairs."""

from __future__ import annotations

from torch import Tensor

from ..kfvton.geometry.warp import Warp
from ..kfvton.keypoints.pairs import KeypointPairs
from ..kfvton.pipelines.garment_warp import DEFAULT_REG, PART_LANDMARKS, warp_by_parts, warp_from_pairs, warp_garment
from ..kfvton.preprocess.layout import b1hw_to_mask, bchw_to_bhwc, bhwc_to_bchw, mask_to_b1hw
from . import _runtime as runtime
from . import types as T

_METHODS = ("auto", "torso + sleeves", "single spline")
_PART_NAMES = frozenset(n for names in PART_LANDMARKS.values() for n in names)


def _by_parts(keypoints: KeypointPairs, method: str) -> bool:
    """Whether to warp torso and sleeves separately: "auto" does so for one group of classical landmarks."""
    if method not in _METHODS:
        raise ValueError(f"method: expected one of {_METHODS}, got {method!r}")
    if method == "auto":
        return keypoints.groups == 1 and _PART_NAMES <= set(keypoints.names)
    return method == "torso + sleeves"


class KfvtonTpsWarp:
    DESCRIPTION = (
        "Warps the garment and its mask onto the person with a thin-plate spline through the keypoint pairs "
        "(classical landmarks, learned keypoint groups or edited points). Garment landmarks are warped part by "
        "part (torso, each sleeve on its arm); other keypoints with one spline per group. Output is in the person "
        "image's size."
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
                    _METHODS,
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
        T.expect(keypoints, KeypointPairs, "keypoints", T.KEYPOINTS)
        person_hw = (int(person.shape[1]), int(person.shape[2]))
        if tuple(keypoints.person_hw) != person_hw:
            raise ValueError(f"person: image is {person_hw} (H, W) but the keypoints target {keypoints.person_hw}")
        device = runtime.torch_device()
        pairs = keypoints.to(device)
        mask = mask_to_b1hw(garment_mask, "garment_mask").to(device)
        if _by_parts(keypoints, method):
            warp = warp_by_parts(pairs, mask, reg=smoothing, grid_step=grid_step)
        else:
            warp = warp_from_pairs(pairs, reg=smoothing, grid_step=grid_step)
        out = warp_garment(bhwc_to_bchw(garment, "garment").to(device), mask, warp)
        out_device = runtime.intermediate_device()
        return (bchw_to_bhwc(out.image).to(out_device), b1hw_to_mask(out.mask).to(out_device), warp.to(out_device))


NODE_CLASS_MAPPINGS = {
    "KfvtonTpsWarp": KfvtonTpsWarp,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonTpsWarp": "KF-VTON TPS Warp",
}
