"""Composite node: the warped garment pasted onto the person."""

from __future__ import annotations

from torch import Tensor

from ..kfvton.keypoints.pairs import KeypointPairs
from ..kfvton.pipelines.composite import composite_garment
from ..kfvton.preprocess.layout import b1hw_to_mask, bchw_to_bhwc, bhwc_to_bchw, mask_to_b1hw
from . import _runtime as runtime
from . import types as T


class KfvtonComposite:
    DESCRIPTION = (
        "Pastes the warped garment onto the person with a soft edge. With a parse map, head, hair and lower body "
        "stay in front, arms stay in front inside the garment's torso, and old clothes the new garment does not "
        "cover are painted skin-coloured. A keep mask keeps any other region in front."
    )
    CATEGORY = "KF-VTON/composite"
    FUNCTION = "run"
    RETURN_TYPES = (T.IMAGE, T.MASK)
    RETURN_NAMES = ("image", "alpha")
    OUTPUT_TOOLTIPS = ("The person wearing the garment.", "The feathered garment alpha that was used.")

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "person": (T.IMAGE, {"tooltip": "The person photo."}),
                "warped_garment": (T.IMAGE, {"tooltip": "The garment in the person frame (KF-VTON TPS Warp)."}),
                "warped_mask": (T.MASK, {"tooltip": "The garment mask in the person frame."}),
                "feather_px": (
                    "FLOAT",
                    {"default": 1.5, "min": 0.0, "max": 32.0, "step": 0.1, "tooltip": "Soft edge width (pixels)."},
                ),
            },
            "optional": {
                "parse": (T.PARSE, {"tooltip": "Person label map (LIP-20 / VITON-HD), person image size."}),
                "keep_mask": (T.MASK, {"tooltip": "Person regions kept in front of the garment (1 = keep)."}),
                "keypoints": (
                    T.KEYPOINTS,
                    {"tooltip": "The warp's keypoints: their torso outline decides where arms stay in front."},
                ),
            },
        }

    def run(
        self,
        person: Tensor,
        warped_garment: Tensor,
        warped_mask: Tensor,
        feather_px: float = 1.5,
        parse: Tensor | None = None,
        keep_mask: Tensor | None = None,
        keypoints: KeypointPairs | None = None,
    ) -> tuple[Tensor, Tensor]:
        device = runtime.torch_device()
        mask = mask_to_b1hw(warped_mask, "warped_mask").to(device)
        if keep_mask is not None:
            mask = mask * (1 - mask_to_b1hw(keep_mask, "keep_mask").to(device))
        result = composite_garment(
            bhwc_to_bchw(person, "person").to(device),
            bhwc_to_bchw(warped_garment, "warped_garment").to(device),
            mask,
            parse=None if parse is None else parse.to(device),
            keypoints=None if keypoints is None else keypoints.to(device),
            feather_px=feather_px,
        )
        out = runtime.intermediate_device()
        return (bchw_to_bhwc(result.image.clamp(0, 1)).to(out), b1hw_to_mask(result.alpha).to(out))


NODE_CLASS_MAPPINGS = {
    "KfvtonComposite": KfvtonComposite,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonComposite": "KF-VTON Composite",
}
