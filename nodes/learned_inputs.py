"""KF-VTON/learned inputs: the input builders of the learned KF-VTON networks (agnostic person and parse, parse
layouts, pose image, garment on grey) and all of them at once (KFVTON_NETWORK_INPUTS)."""

from __future__ import annotations

from torch import Tensor

from ..kfvton.geometry.grid import parse_size_hw, resize_labels
from ..kfvton.keypoints.draw import render_pose
from ..kfvton.preprocess.network_inputs import (
    NetworkInputs,
    agnostic_region,
    build_network_inputs,
    from_network_range,
    garment_on_grey,
    image_agnostic,
    parse_agnostic,
    resize_person,
)
from ..kfvton.preprocess.parse_labels import (
    PARSE7_CLASSES,
    PARSE14_CLASSES,
    label_preview,
    lip_to_parse14,
    parse14_to_parse7,
)
from . import _runtime as runtime
from . import types as T
from ._batch import map_items

SIZES = ("256x192", "512x384", "1024x768")
_SIZE_TIP = "Working size H x W: 256x192 is the networks' trained size; larger sizes resample the flow."


def parse_size(text: str) -> tuple[int, int]:
    if text not in SIZES:
        raise ValueError(f"size: expected one of {SIZES}, got {text!r}")
    return parse_size_hw(text, name="size")


def _image(x: Tensor) -> Tensor:
    """A network-range (B, 3, H, W) [-1, 1] image -> ComfyUI IMAGE."""
    return T.to_socket(from_network_range(x), T.IMAGE)


class KfvtonNetworkInputs:
    DESCRIPTION = (
        "Builds every input of the learned KF-VTON networks at the working size: the clothing-agnostic person "
        "(upper clothes, arms and neck greyed out from the parse and pose), the agnostic parse (14- and 7-class "
        "layouts), the OpenPose-style pose image and the garment fitted into the person's upper-body box on grey."
    )
    CATEGORY = "KF-VTON/learned inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.NETWORK_INPUTS, T.IMAGE, T.IMAGE, T.IMAGE, T.MASK, T.IMAGE)
    RETURN_NAMES = ("inputs", "agnostic", "pose_image", "garment_canvas", "garment_canvas_mask", "person")
    OUTPUT_TOOLTIPS = (
        "All network inputs, for the learned nodes.",
        "The clothing-agnostic person at the working size.",
        "The rendered pose at the working size.",
        "The garment on the grey canvas at the working size (the frame of the learned keypoints' garment side).",
        "Its mask.",
        "The person at the working size (the frame of the learned keypoints' person side).",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "person": (T.IMAGE, {"tooltip": "Person photo."}),
                "garment": (T.IMAGE, {"tooltip": "Garment photo (front view, as worn)."}),
                "garment_mask": (T.MASK, {"tooltip": "Garment mask, same size as the garment."}),
                "pose": (T.POSE, {"tooltip": "The person's pose (in the person photo's pixels)."}),
                "parse": (T.PARSE, {"tooltip": "The person's parse map (LIP-20 / VITON-HD labels)."}),
                "size": (SIZES, {"default": SIZES[0], "tooltip": _SIZE_TIP}),
            }
        }

    def run(self, person, garment, garment_mask, pose, parse, size="256x192"):
        device, size_hw = runtime.torch_device(), parse_size(size)
        photos = {
            "person": T.from_socket(person, T.IMAGE, "person"),
            "garment": T.from_socket(garment, T.IMAGE, "garment"),
            "garment_mask": T.from_socket(garment_mask, T.MASK, "garment_mask"),
            "pose": T.from_socket(pose, T.POSE, "pose"),
            "parse": T.from_socket(parse, T.PARSE, "parse"),
        }

        def one(person, garment, garment_mask, pose, parse) -> NetworkInputs:
            parts = (person, garment, garment_mask, pose, parse)
            return build_network_inputs(*(x.to(device) for x in parts), size_hw=size_hw)

        inputs = map_items(one, photos, what="network inputs")
        return (
            T.to_socket(inputs, T.NETWORK_INPUTS),
            _image(inputs.agnostic),
            _image(inputs.pose_image),
            _image(inputs.garment),
            T.to_socket(inputs.garment_mask, T.MASK),
            _image(inputs.person),
        )


class KfvtonAgnosticPerson:
    DESCRIPTION = (
        "The clothing-agnostic person and parse (VITON-HD convention): upper clothes, neck and the arms inside "
        "pose-drawn bands are removed; head, hands and lower body stay. Computed at the working size."
    )
    CATEGORY = "KF-VTON/learned inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.IMAGE, T.PARSE, T.MASK)
    RETURN_NAMES = ("agnostic", "agnostic_parse", "removed")
    OUTPUT_TOOLTIPS = (
        "The person with the removed region grey.",
        "The parse with the removed labels set to background (LIP-20 labels).",
        "The greyed-out region.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "person": (T.IMAGE, {"tooltip": "Person photo."}),
                "pose": (T.POSE, {"tooltip": "The person's pose."}),
                "parse": (T.PARSE, {"tooltip": "The person's parse map (LIP-20 / VITON-HD labels)."}),
                "size": (SIZES, {"default": SIZES[0], "tooltip": _SIZE_TIP}),
            }
        }

    def run(self, person, pose, parse, size="256x192"):
        device, size_hw = runtime.torch_device(), parse_size(size)
        photos = {
            "person": T.from_socket(person, T.IMAGE, "person", device),
            "parse": T.from_socket(parse, T.PARSE, "parse", device),
            "pose": T.from_socket(pose, T.POSE, "pose", device),
        }

        def one(person: Tensor, parse: Tensor, pose) -> tuple[Tensor, Tensor, Tensor]:
            r = resize_person(person, parse, pose, size_hw)
            region = agnostic_region(r.parse, r.pose).image_region
            return image_agnostic(r.person, r.parse, r.pose), parse_agnostic(r.parse, r.pose), region

        image, parse_out, region = map_items(one, photos, what="agnostic person")
        return (T.to_socket(image, T.IMAGE), T.to_socket(parse_out, T.PARSE), T.to_socket(region, T.MASK))


class KfvtonParseLayout:
    DESCRIPTION = (
        "Shows a LIP-20 parse in the networks' layouts: 14 classes (label_nc 14) or the seg generator's 7 classes "
        "(background, paste, upper, left arm, right arm, noise, neck), colour-coded, with the mask of one class."
    )
    CATEGORY = "KF-VTON/learned inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.IMAGE, T.MASK)
    RETURN_NAMES = ("preview", "class_mask")
    OUTPUT_TOOLTIPS = ("Colour-coded classes (background black).", "1 where the chosen class is.")

    @classmethod
    def INPUT_TYPES(cls):
        names = sorted({n for n, _ in PARSE14_CLASSES} | {n for n, _ in PARSE7_CLASSES})
        return {
            "required": {
                "parse": (T.PARSE, {"tooltip": "A parse map in LIP-20 / VITON-HD labels."}),
                "layout": (("parse7", "parse14"), {"default": "parse7", "tooltip": "Which merged layout."}),
                "class_name": (tuple(names), {"default": "upper", "tooltip": "The class whose mask is output."}),
            }
        }

    def run(self, parse, layout="parse7", class_name="upper"):
        table = PARSE7_CLASSES if layout == "parse7" else PARSE14_CLASSES
        names = [n for n, _ in table]
        if class_name not in names:
            raise ValueError(f"class_name: the {layout} layout has classes {names}, not {class_name!r}")
        labels = lip_to_parse14(T.from_socket(parse, T.PARSE, "parse"))
        if layout == "parse7":
            labels = parse14_to_parse7(labels)
        mask = (labels == names.index(class_name)).float()
        return (T.to_socket(label_preview(labels, len(names)), T.IMAGE), T.to_socket(mask[:, None], T.MASK))


class KfvtonRenderPose:
    DESCRIPTION = "Draws the pose as OpenPose renders it (coloured limbs on black): the networks' pose image."
    CATEGORY = "KF-VTON/learned inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.IMAGE,)
    RETURN_NAMES = ("pose_image",)
    OUTPUT_TOOLTIPS = ("The rendered skeleton at the working size.",)

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "pose": (T.POSE, {"tooltip": "The person's pose."}),
                "size": (SIZES, {"default": SIZES[0], "tooltip": _SIZE_TIP}),
            }
        }

    def run(self, pose, size="256x192"):
        size_hw = parse_size(size)
        drawn = map_items(
            lambda pose: render_pose(pose, size_hw), {"pose": T.from_socket(pose, T.POSE, "pose")}, what="pose render"
        )
        return (T.to_socket(drawn, T.IMAGE),)


class KfvtonGarmentOnGrey:
    DESCRIPTION = (
        "The garment masked onto the grey canvas the networks expect, scaled into the person's upper-clothes box "
        "when the person's parse is connected (else centred)."
    )
    CATEGORY = "KF-VTON/learned inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.IMAGE, T.MASK)
    RETURN_NAMES = ("garment_canvas", "garment_canvas_mask")
    OUTPUT_TOOLTIPS = ("The garment on grey at the working size.", "Its mask.")

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "garment": (T.IMAGE, {"tooltip": "Garment photo."}),
                "garment_mask": (T.MASK, {"tooltip": "Garment mask, same size as the garment."}),
                "size": (SIZES, {"default": SIZES[0], "tooltip": _SIZE_TIP}),
            },
            "optional": {
                "person_parse": (T.PARSE, {"tooltip": "The person's parse, to fit the garment into its clothes."}),
            },
        }

    def run(self, garment, garment_mask, size="256x192", person_parse=None):
        device = runtime.torch_device()
        size_hw = parse_size(size)
        if person_parse is not None:
            person_parse = resize_labels(T.from_socket(person_parse, T.PARSE, "person_parse", device), size_hw)
        inputs = {
            "garment": T.from_socket(garment, T.IMAGE, "garment", device),
            "garment_mask": T.from_socket(garment_mask, T.MASK, "garment_mask", device),
            "person_parse": person_parse,
        }

        def one(garment: Tensor, garment_mask: Tensor, person_parse: Tensor | None) -> tuple[Tensor, Tensor]:
            canvas = garment_on_grey(garment, garment_mask, size_hw=size_hw, person_parse=person_parse)
            return canvas.image, canvas.mask

        image, mask = map_items(one, inputs, what="garment on grey")
        return (T.to_socket(image, T.IMAGE), T.to_socket(mask, T.MASK))


NODE_CLASS_MAPPINGS = {
    "KfvtonNetworkInputs": KfvtonNetworkInputs,
    "KfvtonAgnosticPerson": KfvtonAgnosticPerson,
    "KfvtonParseLayout": KfvtonParseLayout,
    "KfvtonRenderPose": KfvtonRenderPose,
    "KfvtonGarmentOnGrey": KfvtonGarmentOnGrey,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonNetworkInputs": "KF-VTON Network Inputs",
    "KfvtonAgnosticPerson": "KF-VTON Agnostic Person",
    "KfvtonParseLayout": "KF-VTON Parse Layout",
    "KfvtonRenderPose": "KF-VTON Render Pose",
    "KfvtonGarmentOnGrey": "KF-VTON Garment On Grey",
}
