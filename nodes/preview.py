"""KF-VTON/preview: keypoint overlays for checking."""

from __future__ import annotations

from torch import Tensor

from ..kfvton.keypoints.draw import draw_correspondences, draw_keypoints
from ..kfvton.keypoints.pairs import KeypointPairs
from . import types as T
from ._batch import map_items

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
        keypoints = T.from_socket(keypoints, T.KEYPOINTS, "keypoints")
        if mode not in _OVERLAY_MODES:
            raise ValueError(f"mode: expected one of {_OVERLAY_MODES}, got {mode!r}")
        if mode != "person" and garment is None:
            raise ValueError(f"garment: mode {mode!r} needs the garment image connected")
        inputs = {
            "keypoints": keypoints,
            "person": T.from_socket(person, T.IMAGE, "person"),
            "garment": None if mode == "person" else T.from_socket(garment, T.IMAGE, "garment"),
        }

        def one(keypoints: KeypointPairs, person: Tensor, garment: Tensor | None) -> Tensor:
            if mode == "person":
                return draw_keypoints(person, keypoints, side="person", labels=labels)
            if mode == "garment":
                return draw_keypoints(garment, keypoints, side="garment", labels=labels)
            return draw_correspondences(garment, person, keypoints, labels=labels)

        drawn = map_items(one, inputs, what="keypoint overlay")
        return (T.to_socket(drawn, T.IMAGE),)


NODE_CLASS_MAPPINGS = {
    "KfvtonKeypointOverlay": KfvtonKeypointOverlay,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonKeypointOverlay": "KF-VTON Keypoint Overlay",
}
