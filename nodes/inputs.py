"""Input nodes: person pose from files or other packs' POSE_KEYPOINT, and the garment mask."""

from __future__ import annotations

import torch
from torch import Tensor

from ..kfvton.keypoints.formats import pose_from_json_file, pose_from_pose_keypoint, pose_to_pose_keypoint
from ..kfvton.keypoints.pose import Pose
from ..kfvton.pipelines.classical import target_mask_from_parse
from ..kfvton.preprocess.garment_mask import prepare_garment_mask
from ..kfvton.preprocess.layout import b1hw_to_mask, bhwc_to_bchw, mask_to_b1hw
from ..kfvton.preprocess.parse_labels import read_parse_labels
from . import _runtime as runtime
from . import types as T

_POSE_EXTENSIONS = (".json",)
_PARSE_EXTENSIONS = (".png",)


def _image_hw(image: Tensor, name: str) -> tuple[int, int]:
    if not isinstance(image, Tensor) or image.ndim != 4:
        got = tuple(image.shape) if isinstance(image, Tensor) else type(image).__name__
        raise ValueError(f"{name}: expected an IMAGE (B, H, W, C), got {got}")
    return int(image.shape[1]), int(image.shape[2])


class KfvtonLoadPoseJson:
    DESCRIPTION = (
        "Reads an OpenPose keypoint JSON (BODY_25 or OpenPose-18/COCO-18, pixel or normalised coordinates) into a "
        "KF-VTON pose for the person image. Pick a .json from ComfyUI's input folder or type a path. When the "
        "file holds several people the largest, most confident one is used."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.POSE,)
    RETURN_NAMES = ("pose",)
    OUTPUT_TOOLTIPS = ("Person keypoints (BODY_25 order) in the person image's pixels.",)

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "person": (T.IMAGE, {"tooltip": "The person photo the pose belongs to; its size is the pixel frame."}),
                "pose_file": (
                    runtime.list_input_files(_POSE_EXTENSIONS),
                    {
                        "tooltip": "An OpenPose *_keypoints.json or a Dress Code NNNNNN_2.json in ComfyUI's input "
                        "folder (sub-folders included)."
                    },
                ),
            },
            "optional": {
                "path": (
                    "STRING",
                    {
                        "default": "",
                        "tooltip": "A path to the JSON file; when not empty it is used instead of pose_file.",
                    },
                ),
            },
        }

    @classmethod
    def VALIDATE_INPUTS(cls, pose_file, path=""):
        # replaces ComfyUI's combo check, so a path typed into `path` (or a pose_file not listed) is accepted
        try:
            runtime.input_file_path((path or "").strip() or pose_file, "pose_file")
        except FileNotFoundError as err:
            return str(err)
        return True

    def run(self, person: Tensor, pose_file: str, path: str = "") -> tuple[Pose]:
        source = runtime.input_file_path(path.strip() or pose_file, "pose_file")
        pose = pose_from_json_file(source, _image_hw(person, "person"), name="pose_file")
        return (pose.to(runtime.intermediate_device()),)


class KfvtonPoseFromPoseKeypoint:
    DESCRIPTION = (
        "Converts a POSE_KEYPOINT (the output of the DWPose / OpenPose preprocessor nodes) into a KF-VTON pose "
        "in the person image's pixels; one pose per image of the batch."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.POSE,)
    RETURN_NAMES = ("pose",)
    OUTPUT_TOOLTIPS = ("Person keypoints (BODY_25 order) in the person image's pixels.",)

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "pose_keypoint": (T.POSE_KEYPOINT, {"tooltip": "From a DWPose / OpenPose Estimator node."}),
                "person": (T.IMAGE, {"tooltip": "The person photo the keypoints were detected on."}),
            }
        }

    def run(self, pose_keypoint: list, person: Tensor) -> tuple[Pose]:
        pose = pose_from_pose_keypoint(pose_keypoint, _image_hw(person, "person"), name="pose_keypoint")
        return (pose.to(runtime.intermediate_device()),)


class KfvtonPoseToPoseKeypoint:
    DESCRIPTION = (
        "Converts a KF-VTON pose into POSE_KEYPOINT (OpenPose-18 order, pixels, with canvas size), for the pose "
        "preview / editor nodes of other packs."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.POSE_KEYPOINT,)
    RETURN_NAMES = ("pose_keypoint",)
    OUTPUT_TOOLTIPS = ("One OpenPose-style dict per image.",)

    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"pose": (T.POSE, {"tooltip": "A KF-VTON pose."})}}

    def run(self, pose: Pose) -> tuple[list]:
        return (pose_to_pose_keypoint(T.expect(pose, Pose, "pose", T.POSE)),)


class KfvtonPoseBatch:
    DESCRIPTION = (
        "Joins two poses into one batch (pose_a's items first), e.g. poses read from two JSON files for a batch "
        "of person images made with Image Batch. Both must be in the same pixel frame (same image size)."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.POSE,)
    RETURN_NAMES = ("pose",)
    OUTPUT_TOOLTIPS = ("pose_a's items followed by pose_b's.",)

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "pose_a": (T.POSE, {"tooltip": "First pose(s)."}),
                "pose_b": (T.POSE, {"tooltip": "Pose(s) appended after pose_a; same image size."}),
            }
        }

    def run(self, pose_a: Pose, pose_b: Pose) -> tuple[Pose]:
        T.expect(pose_a, Pose, "pose_a", T.POSE)
        T.expect(pose_b, Pose, "pose_b", T.POSE)
        if tuple(pose_a.canvas_hw) != tuple(pose_b.canvas_hw):
            raise ValueError(
                f"pose_b: image size {pose_b.canvas_hw} differs from pose_a's {pose_a.canvas_hw}; "
                "batch only poses of same-size images"
            )
        joints = torch.cat((pose_a.joints, pose_b.joints.to(pose_a.joints.device)))
        return (Pose(joints, pose_a.canvas_hw).to(runtime.intermediate_device()),)


class KfvtonGarmentMask:
    DESCRIPTION = (
        "The garment's mask: the given mask if connected, else the alpha of a cut-out garment (Load Image's MASK "
        "output), else computed from a product photo on a plain background. The method used is reported."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.MASK, "STRING")
    RETURN_NAMES = ("garment_mask", "method")
    OUTPUT_TOOLTIPS = (
        "1 on the garment, 0 elsewhere, in the garment image's pixels.",
        "Where the mask came from: explicit, alpha or computed.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "garment": (T.IMAGE, {"tooltip": "Garment photo, front view, ideally on a plain background."}),
            },
            "optional": {
                "mask": (T.MASK, {"tooltip": "A garment mask (1 = garment), same size as the garment image."}),
                "loadimage_mask": (
                    T.MASK,
                    {"tooltip": "The MASK output of Load Image for a cut-out garment (1 = transparent); inverted."},
                ),
            },
        }

    def run(self, garment: Tensor, mask: Tensor | None = None, loadimage_mask: Tensor | None = None):
        image = bhwc_to_bchw(garment, "garment")
        alpha = None
        if loadimage_mask is not None:
            alpha = 1.0 - mask_to_b1hw(loadimage_mask, "loadimage_mask")
            if alpha.shape[-2:] != image.shape[-2:] and not bool(loadimage_mask.any()):
                # Load Image gives a (1, 64, 64) zero mask for images without alpha: nothing to use
                runtime.log.info("garment mask: loadimage_mask is Load Image's no-alpha placeholder; ignored")
                alpha = None
        result = prepare_garment_mask(
            image, None if mask is None else mask_to_b1hw(mask, "mask").to(image.device), alpha
        )
        return (b1hw_to_mask(result.mask).to(runtime.intermediate_device()), result.method)


class KfvtonLoadParseMap:
    DESCRIPTION = (
        "Reads a human-parsing label map (palette or grey PNG whose pixel values are LIP-20 / VITON-HD labels, as in "
        "VITON-HD's image-parse folder) for the composite, and the mask of the upper clothes it shows (the region "
        "a new upper garment replaces, for KF-VTON Target Placement)."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.PARSE, T.MASK)
    RETURN_NAMES = ("parse", "upper_clothes")
    OUTPUT_TOOLTIPS = (
        "Label map (B, H, W) int64, LIP-20 / VITON-HD labels.",
        "1 where the parse map shows upper clothes, dress or coat (labels 5, 6, 7).",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "parse_file": (
                    runtime.list_input_files(_PARSE_EXTENSIONS),
                    {"tooltip": "A label PNG in ComfyUI's input folder (sub-folders included)."},
                ),
            },
            "optional": {
                "path": (
                    "STRING",
                    {"default": "", "tooltip": "A path to the PNG; when not empty it is used instead of parse_file."},
                ),
            },
        }

    @classmethod
    def VALIDATE_INPUTS(cls, parse_file, path=""):
        try:
            runtime.input_file_path((path or "").strip() or parse_file, "parse_file")
        except FileNotFoundError as err:
            return str(err)
        return True

    def run(self, parse_file: str, path: str = "") -> tuple[Tensor, Tensor]:
        source = runtime.input_file_path(path.strip() or parse_file, "parse_file")
        parse = read_parse_labels(source, name="parse_file").parse  # label set detected (Dress Code / ATR / LIP)
        upper = b1hw_to_mask(target_mask_from_parse(parse))
        device = runtime.intermediate_device()
        return (parse.to(device), upper.to(device))


NODE_CLASS_MAPPINGS = {
    "KfvtonLoadPoseJson": KfvtonLoadPoseJson,
    "KfvtonPoseFromPoseKeypoint": KfvtonPoseFromPoseKeypoint,
    "KfvtonPoseToPoseKeypoint": KfvtonPoseToPoseKeypoint,
    "KfvtonPoseBatch": KfvtonPoseBatch,
    "KfvtonGarmentMask": KfvtonGarmentMask,
    "KfvtonLoadParseMap": KfvtonLoadParseMap,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonLoadPoseJson": "KF-VTON Load Pose JSON",
    "KfvtonPoseFromPoseKeypoint": "KF-VTON Pose From POSE_KEYPOINT",
    "KfvtonPoseToPoseKeypoint": "KF-VTON Pose To POSE_KEYPOINT",
    "KfvtonPoseBatch": "KF-VTON Pose Batch",
    "KfvtonGarmentMask": "KF-VTON Garment Mask",
    "KfvtonLoadParseMap": "KF-VTON Load Parse Map",
}
