"""KF-VTON/learned: the learned KF-VTON stages (segmentation, keypoints, co-attention flow warp, SPADE generator)
and the all-in-one learned try-on."""

from __future__ import annotations

from torch import Tensor

from ..kfvton.checkpoints.io import ModelBundle
from ..kfvton.geometry.visualize import flow_to_color
from ..kfvton.geometry.warp import Warp
from ..kfvton.keypoints.pairs import KeypointPairs
from ..kfvton.pipelines.learned import (
    ParsePrediction,
    apply_flow,
    detect_keypoints,
    generate_tryon,
    kfvton_tryon_photos,
    learned_keypoints_from_pairs,
    predict_flow,
    predict_parse,
)
from ..kfvton.preprocess.network_inputs import NetworkInputs, from_network_range
from ..kfvton.preprocess.parse_labels import PARSE7_CLASSES, label_preview
from . import _runtime as runtime
from . import types as T
from .learned_inputs import SIZES, parse_size

_MODEL_TIP = "KF-VTON networks from KF-VTON Load Model."
_INPUTS_TIP = "Network inputs from KF-VTON Network Inputs."


def _image(x: Tensor) -> Tensor:
    """Library (B, 3, H, W) [0, 1] -> ComfyUI IMAGE on the intermediate device."""
    return T.to_socket(x, T.IMAGE)


def _checked(model: object, inputs: object | None = None) -> tuple[ModelBundle, NetworkInputs | None]:
    """The model and network inputs, checked; honours Cancel before the stage starts."""
    model = T.from_socket(model, T.MODEL, "model")
    inputs = None if inputs is None else T.from_socket(inputs, T.NETWORK_INPUTS, "inputs")
    runtime.check_interrupt()
    return model, inputs


def _check_seg(seg: object) -> ParsePrediction:
    return T.from_socket(seg, T.SEG, "seg")


class KfvtonSegmentationGenerator:
    DESCRIPTION = (
        "Predicts the try-on parse (7 classes) from the garment and the agnostic person: where the new garment, "
        "the arms and the neck will be."
    )
    CATEGORY = "KF-VTON/learned"
    FUNCTION = "run"
    RETURN_TYPES = (T.SEG, T.IMAGE, T.MASK)
    RETURN_NAMES = ("seg", "preview", "clothes_mask")
    OUTPUT_TOOLTIPS = (
        "The predicted parse, for the keypoint, flow and generator nodes.",
        "Colour-coded classes at the working size.",
        "Where the garment goes (class 'upper').",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "model": (T.MODEL, {"tooltip": _MODEL_TIP}),
                "inputs": (T.NETWORK_INPUTS, {"tooltip": _INPUTS_TIP}),
            }
        }

    def run(self, model: ModelBundle, inputs: NetworkInputs):
        _checked(model, inputs)
        seg = predict_parse(model, inputs)
        preview = label_preview(seg.labels, len(PARSE7_CLASSES))
        return (T.to_socket(seg, T.SEG), _image(preview), T.to_socket(seg.clothes_mask, T.MASK))


class KfvtonKeypointDetector:
    DESCRIPTION = (
        "Detects K = 8 groups of 12 keypoints on the garment canvas and the matching points on the person's "
        "predicted clothes region (co-attention keypoint detector). The keypoints are in working-size pixels: "
        "draw them with KF-VTON Keypoint Overlay on this node's person/garment_canvas outputs, edit them, or warp "
        "the garment canvas with KF-VTON TPS Warp."
    )
    CATEGORY = "KF-VTON/learned"
    FUNCTION = "run"
    RETURN_TYPES = (T.KEYPOINTS, T.IMAGE, T.MASK, T.IMAGE)
    RETURN_NAMES = ("keypoints", "garment_canvas", "garment_canvas_mask", "person")
    OUTPUT_TOOLTIPS = (
        "Learned keypoint pairs (origin 'learned', 8 groups).",
        "The garment canvas the garment points refer to.",
        "Its mask.",
        "The person at the working size the person points refer to.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "model": (T.MODEL, {"tooltip": _MODEL_TIP}),
                "inputs": (T.NETWORK_INPUTS, {"tooltip": _INPUTS_TIP}),
                "seg": (T.SEG, {"tooltip": "The predicted parse (KF-VTON Segmentation Generator)."}),
            }
        }

    def run(self, model: ModelBundle, inputs: NetworkInputs, seg: ParsePrediction):
        _checked(model, inputs)
        kp = detect_keypoints(model, inputs.garment, _check_seg(seg).clothes_mask, pose=inputs.pose)
        return (
            T.to_socket(kp.pairs, T.KEYPOINTS),
            _image(from_network_range(inputs.garment)),
            T.to_socket(inputs.garment_mask, T.MASK),
            _image(from_network_range(inputs.person)),
        )


class KfvtonCoattentionFlowWarp:
    DESCRIPTION = (
        "The dense motion network: fits one TPS per keypoint group, blends them per pixel and predicts where the "
        "garment is occluded; then warps the garment. Accepts edited keypoints too."
    )
    CATEGORY = "KF-VTON/learned"
    FUNCTION = "run"
    RETURN_TYPES = (T.FLOW, T.IMAGE, T.MASK, T.IMAGE)
    RETURN_NAMES = ("flow", "warped_garment", "occlusion", "flow_preview")
    OUTPUT_TOOLTIPS = (
        "The flow (sampling grid + occlusion), for the SPADE generator or the warp inspector.",
        "The warped garment times the occlusion map.",
        "Occlusion map: 1 = garment visible.",
        "Colour-coded flow: hue = direction, saturation = length, white = no motion.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "model": (T.MODEL, {"tooltip": _MODEL_TIP}),
                "inputs": (T.NETWORK_INPUTS, {"tooltip": _INPUTS_TIP}),
                "seg": (T.SEG, {"tooltip": "The predicted parse (KF-VTON Segmentation Generator)."}),
                "keypoints": (
                    T.KEYPOINTS,
                    {"tooltip": "Learned (or edited) keypoints from KF-VTON Keypoint Detector."},
                ),
            }
        }

    def run(self, model: ModelBundle, inputs: NetworkInputs, seg: ParsePrediction, keypoints: KeypointPairs):
        _checked(model, inputs)
        kp = learned_keypoints_from_pairs(T.from_socket(keypoints, T.KEYPOINTS, "keypoints"), inputs.size_hw)
        device = runtime.torch_device()
        flow = predict_flow(model, inputs.garment.to(device), _check_seg(seg).clothes_mask.to(device), kp)
        warped = from_network_range(apply_flow(inputs.garment.to(device), flow.warp))
        return (
            T.to_socket(flow.warp, T.FLOW),
            _image(warped),
            T.to_socket(flow.warp.occlusion, T.MASK),
            _image(flow_to_color(flow.warp)),
        )


class KfvtonSpadeGenerator:
    DESCRIPTION = (
        "The SPADE try-on generator: the agnostic person, the pose image and the garment warped by the flow, "
        "conditioned on the predicted parse, give the final try-on image (at the working size)."
    )
    CATEGORY = "KF-VTON/learned"
    FUNCTION = "run"
    RETURN_TYPES = (T.IMAGE,)
    RETURN_NAMES = ("image",)
    OUTPUT_TOOLTIPS = ("The try-on image.",)

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "model": (T.MODEL, {"tooltip": _MODEL_TIP}),
                "inputs": (T.NETWORK_INPUTS, {"tooltip": _INPUTS_TIP}),
                "seg": (T.SEG, {"tooltip": "The predicted parse (KF-VTON Segmentation Generator)."}),
                "flow": (T.FLOW, {"tooltip": "The flow from KF-VTON Coattention Flow Warp."}),
            }
        }

    def run(self, model: ModelBundle, inputs: NetworkInputs, seg: ParsePrediction, flow: Warp):
        _checked(model, inputs)
        flow = T.from_socket(flow, T.FLOW, "flow")
        if flow.size_hw != inputs.size_hw:
            raise ValueError(f"flow: is {flow.size_hw} (H, W) but the inputs' working size is {inputs.size_hw}")
        device = runtime.torch_device()
        warped = apply_flow(inputs.garment.to(device), flow.to(device))
        image = generate_tryon(model, inputs.agnostic, inputs.pose_image, warped, _check_seg(seg).scores)
        return (_image(from_network_range(image)),)


class KfvtonTryOn:
    DESCRIPTION = (
        "The whole learned KF-VTON try-on in one node: network inputs, segmentation, keypoints, flow warp and "
        "SPADE generator. Batches: a batch of 1 broadcasts against the others."
    )
    CATEGORY = "KF-VTON/learned"
    FUNCTION = "run"
    RETURN_TYPES = (T.IMAGE, T.IMAGE, T.KEYPOINTS, T.FLOW)
    RETURN_NAMES = ("image", "warped_garment", "keypoints", "flow")
    OUTPUT_TOOLTIPS = (
        "The try-on image at the working size.",
        "The warped garment times the occlusion map.",
        "The learned keypoints (working-size pixels).",
        "The flow and occlusion.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "model": (T.MODEL, {"tooltip": _MODEL_TIP}),
                "person": (T.IMAGE, {"tooltip": "Person photo."}),
                "garment": (T.IMAGE, {"tooltip": "Garment photo (front view, as worn)."}),
                "garment_mask": (T.MASK, {"tooltip": "Garment mask, same size as the garment."}),
                "pose": (T.POSE, {"tooltip": "The person's pose."}),
                "parse": (T.PARSE, {"tooltip": "The person's parse map (LIP-20 / VITON-HD labels)."}),
                "size": (SIZES, {"default": SIZES[0], "tooltip": "Working size H x W."}),
            }
        }

    def run(self, model, person, garment, garment_mask, pose, parse, size="256x192"):
        model, _ = _checked(model)
        device = runtime.torch_device()
        bar = runtime.progress(4)

        def on_stage(_name: str) -> None:
            bar.update(1)
            runtime.check_interrupt()

        result = kfvton_tryon_photos(
            model,
            T.from_socket(person, T.IMAGE, "person", device),
            T.from_socket(garment, T.IMAGE, "garment", device),
            T.from_socket(garment_mask, T.MASK, "garment_mask", device),
            T.from_socket(pose, T.POSE, "pose", device),
            T.from_socket(parse, T.PARSE, "parse", device),
            size_hw=parse_size(size),
            on_stage=on_stage,
        )
        return (
            _image(result.image),
            _image(result.warped_garment),
            T.to_socket(result.keypoints.pairs, T.KEYPOINTS),
            T.to_socket(result.flow.warp, T.FLOW),
        )


NODE_CLASS_MAPPINGS = {
    "KfvtonSegmentationGenerator": KfvtonSegmentationGenerator,
    "KfvtonKeypointDetector": KfvtonKeypointDetector,
    "KfvtonCoattentionFlowWarp": KfvtonCoattentionFlowWarp,
    "KfvtonSpadeGenerator": KfvtonSpadeGenerator,
    "KfvtonTryOn": KfvtonTryOn,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonSegmentationGenerator": "KF-VTON Segmentation Generator",
    "KfvtonKeypointDetector": "KF-VTON Keypoint Detector",
    "KfvtonCoattentionFlowWarp": "KF-VTON Coattention Flow Warp",
    "KfvtonSpadeGenerator": "KF-VTON SPADE Generator",
    "KfvtonTryOn": "KF-VTON Try-On",
}
