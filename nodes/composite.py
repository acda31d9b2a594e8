"""KF-VTON/composite: the warped garment pasted onto the person."""

from __future__ import annotations

from torch import Tensor

from ..kfvton.geometry.warp import Warp
from ..kfvton.keypoints.pairs import KeypointPairs
from ..kfvton.pipelines.classical import composite_placed_garment
from ..kfvton.pipelines.garment_warp import PartWarp
from . import _runtime as runtime
from . import types as T
from ._batch import map_items
from .types import ParseMap


class KfvtonComposite:
    DESCRIPTION = (
        "Pastes the warped garment onto the person with a soft edge. With a parse map, head, hair and lower body "
        "stay in front, arms stay in front inside the garment's torso, and old clothes the new garment does not "
        "cover are painted skin-coloured. A keep mask keeps any other region in front. Connect the TPS Warp's warp "
        "and the keypoints for the Classical Try-On's picture (arms behind their own sleeves, the hem tucked or "
        "over the lower garment)."
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
                "warp": (
                    T.WARP,
                    {"tooltip": "The TPS Warp's warp: where each sleeve landed, so an arm stays behind its sleeve."},
                ),
            },
        }

    def run(
        self,
        person: Tensor,
        warped_garment: Tensor,
        warped_mask: Tensor,
        feather_px: float = 1.5,
        parse: ParseMap | None = None,
        keep_mask: Tensor | None = None,
        keypoints: KeypointPairs | None = None,
        warp: Warp | None = None,
    ) -> tuple[Tensor, Tensor]:
        device = runtime.torch_device()
        mask = T.from_socket(warped_mask, T.MASK, "warped_mask", device)
        if keep_mask is not None:
            mask = mask * (1 - T.from_socket(keep_mask, T.MASK, "keep_mask", device))
        inputs = {
            "person": T.from_socket(person, T.IMAGE, "person", device),
            "warped_garment": T.from_socket(warped_garment, T.IMAGE, "warped_garment", device),
            "warped_mask": mask,
            "parse": None if parse is None else T.from_socket(parse, T.PARSE, "parse", device),
            "keypoints": None if keypoints is None else T.from_socket(keypoints, T.KEYPOINTS, "keypoints", device),
            "sleeves": None,
        }
        if warp is not None:
            warp = T.from_socket(warp, T.WARP, "warp", device)
            if isinstance(warp, PartWarp) and warp.sleeves is not None:
                if tuple(warp.sleeves.shape[-2:]) != tuple(mask.shape[-2:]):
                    raise ValueError(
                        f"warp: made for {tuple(warp.sleeves.shape[-2:])} (H, W), the warped mask is "
                        f"{tuple(mask.shape[-2:])}"
                    )
                inputs["sleeves"] = warp.sleeves

        def one(person, warped_garment, warped_mask, parse, keypoints, sleeves):
            # as the classical try-on composites (a top's tuck and hem read off the person by Target Placement)
            comp, _ = composite_placed_garment(
                person, warped_garment, warped_mask, keypoints, parse=parse, feather_px=feather_px, sleeves=sleeves
            )
            return comp

        result = map_items(one, inputs, what="composite")
        return (T.to_socket(result.image, T.IMAGE), T.to_socket(result.alpha, T.MASK))


NODE_CLASS_MAPPINGS = {
    "KfvtonComposite": KfvtonComposite,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonComposite": "KF-VTON Composite",
}
