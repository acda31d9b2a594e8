"""KF-VTON/inputs: the person's pose and parse map and the garment's mask, from files, other packs' nodes or
the photos themselves (pose estimation, human parsing, the parser-free region estimator)."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from ..kfvton.keypoints.estimate import find_pose_models
from ..kfvton.keypoints.formats import pose_from_json_file, pose_to_pose_keypoint, read_pose_keypoint
from ..kfvton.keypoints.pose import Pose
from ..kfvton.pipelines.classical import target_mask_from_parse
from ..kfvton.pipelines.quick import estimate_person_pose, pose_model_files
from ..kfvton.preprocess.garment_checks import check_garment_photo, garment_warnings
from ..kfvton.preprocess.garment_mask import prepare_garment_mask
from ..kfvton.preprocess.parse_labels import (
    LABEL_SETS,
    PALETTES,
    VITONHD_UPPER_CLOTHES,
    colors_from_labels,
    label_mask,
    labels_from_colors,
    labels_from_grey,
    labels_from_mask_batch,
    read_parse_labels,
    to_vitonhd,
)
from ..kfvton.preprocess.parsing_onnx import parse_human_onnx
from ..kfvton.preprocess.regions import estimate_person_regions
from . import _runtime as runtime
from . import types as T
from ._batch import map_items
from .types import ParseMap

_POSE_EXTENSIONS = (".json",)
_PARSE_EXTENSIONS = (".png",)
AUTO = "auto"
_NONE = "none"


def _image_hw(image: Tensor, name: str) -> tuple[int, int]:
    """The (H, W) of IMAGE input `name` (checked)."""
    return tuple(T.from_socket(image, T.IMAGE, name).shape[-2:])


def onnx_model_files(sub: str) -> list[str]:
    return [m for m in runtime.list_models(sub) if m.endswith(".onnx")]


def model_or_auto(sub: str, name: str) -> str | None:
    """A model file chosen on a node: None for "auto" (the library searches), else its resolved path."""
    return None if name == AUTO else runtime.model_path(sub, name)


def register_pose_onnx(pose_model: str | None, detector_model: str | None, pose_dirs: list[str]) -> None:
    """Put the ONNX pose files that will run under ComfyUI's model management (memory freed first, released by
    Unload models) and make the library's sessions use the providers ComfyUI's device allows."""
    files = pose_model_files(pose_model, detector_model, pose_dirs) or find_pose_models(pose_dirs)
    runtime.onnx_providers([] if files is None else [f for f in (files.pose, files.detector) if f])


def _parse_outputs(parse: Tensor) -> tuple[ParseMap, Tensor, Tensor]:
    """(B, H, W) labels -> the parse socket, its CIHP-colour preview IMAGE and its upper-clothes MASK."""
    return (
        T.to_socket(parse, T.PARSE),
        T.to_socket(colors_from_labels(parse.cpu()), T.IMAGE),
        T.to_socket(label_mask(parse, VITONHD_UPPER_CLOTHES), T.MASK),
    )


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
    def IS_CHANGED(cls, pose_file, path="", **_):
        # the file's hash, as core LoadImage does: an edited file re-runs the node (and everything after it)
        return runtime.file_fingerprint((path or "").strip() or pose_file, "pose_file")

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
        return (T.to_socket(pose, T.POSE),)


class KfvtonPoseFromPoseKeypoint:
    DESCRIPTION = (
        "Converts a POSE_KEYPOINT (the output of the DWPose / OpenPose preprocessor nodes) into a KF-VTON pose "
        "in the person image's pixels; one pose per image of the batch."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.POSE, "STRING")
    RETURN_NAMES = ("pose", "warnings")
    OUTPUT_TOOLTIPS = (
        "Person keypoints (BODY_25 order) in the person image's pixels.",
        "Set when the POSE_KEYPOINT's canvas has another aspect ratio than the person image (the joints were "
        "stretched to fit); empty otherwise.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "pose_keypoint": (T.POSE_KEYPOINT, {"tooltip": "From a DWPose / OpenPose Estimator node."}),
                "person": (T.IMAGE, {"tooltip": "The person photo the keypoints were detected on."}),
            }
        }

    def run(self, pose_keypoint: list, person: Tensor) -> tuple[Pose, str]:
        read = read_pose_keypoint(pose_keypoint, _image_hw(person, "person"), name="pose_keypoint")
        return (T.to_socket(read.pose, T.POSE), runtime.report_warnings(read.warnings))


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
        return (pose_to_pose_keypoint(T.from_socket(pose, T.POSE, "pose")),)


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
        pose_a = T.from_socket(pose_a, T.POSE, "pose_a")
        pose_b = T.from_socket(pose_b, T.POSE, "pose_b")
        if tuple(pose_a.canvas_hw) != tuple(pose_b.canvas_hw):
            raise ValueError(
                f"pose_b: image size {pose_b.canvas_hw} differs from pose_a's {pose_a.canvas_hw}; "
                "batch only poses of same-size images"
            )
        joints = torch.cat((pose_a.joints, pose_b.joints.to(pose_a.joints.device)))
        return (T.to_socket(Pose(joints, pose_a.canvas_hw), T.POSE),)


class KfvtonGarmentMask:
    DESCRIPTION = (
        "The garment's mask: the given mask if connected, else the alpha of a cut-out garment (Load Image's MASK "
        "output), else computed from a product photo on a plain background. The method used is reported."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.MASK, "STRING", "STRING")
    RETURN_NAMES = ("garment_mask", "method", "warnings")
    OUTPUT_TOOLTIPS = (
        "1 on the garment, 0 elsewhere, in the garment image's pixels.",
        "Where the mask came from: explicit, alpha or computed.",
        "Why the try-on may look poor (tiny or oddly shaped garment, patterned background, a photo of a person "
        "rather than a flat garment), one per line; empty when none.",
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
        image = T.from_socket(garment, T.IMAGE, "garment")
        alpha = None
        if loadimage_mask is not None:
            alpha = 1.0 - T.from_socket(loadimage_mask, T.MASK, "loadimage_mask")
            if alpha.shape[-2:] != image.shape[-2:] and not bool(loadimage_mask.any()):
                # Load Image gives a (1, 64, 64) zero mask for images without alpha: nothing to use
                runtime.log.info("garment mask: loadimage_mask is Load Image's no-alpha placeholder; ignored")
                alpha = None
        given = None if mask is None else T.from_socket(mask, T.MASK, "mask", image.device)
        inputs = {"garment": image, "mask": given, "loadimage_mask": alpha}
        result = map_items(
            lambda garment, mask, loadimage_mask: prepare_garment_mask(
                garment, mask, loadimage_mask, alpha_name="loadimage_mask"
            ),
            inputs,
            what="garment mask",
        )
        found = garment_warnings(image, result.mask, method=result.method)
        if result.method == "computed":  # a person wearing the garment is refused (its mask: the whole person)
            found += check_garment_photo(image)
        return (T.to_socket(result.mask, T.MASK), result.method, runtime.report_warnings(found))


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
    def IS_CHANGED(cls, parse_file, path="", **_):
        return runtime.file_fingerprint((path or "").strip() or parse_file, "parse_file")

    @classmethod
    def VALIDATE_INPUTS(cls, parse_file, path=""):
        try:
            runtime.input_file_path((path or "").strip() or parse_file, "parse_file")
        except FileNotFoundError as err:
            return str(err)
        return True

    def run(self, parse_file: str, path: str = "") -> tuple[ParseMap, Tensor]:
        source = runtime.input_file_path(path.strip() or parse_file, "parse_file")
        parse = read_parse_labels(source, name="parse_file").parse  # label set detected (Dress Code / ATR / LIP)
        return (T.to_socket(parse, T.PARSE), T.to_socket(target_mask_from_parse(parse), T.MASK))


class KfvtonPoseEstimator:
    DESCRIPTION = (
        "The person's pose from the photo alone. Order: a pose you connect (POSE_KEYPOINT or KF-VTON pose) is used "
        "as it is; else the ONNX pose model (DWPose / RTMPose SimCC, e.g. dw-ll_ucoco_384.onnx, with the YOLOX "
        "detector yolox_l.onnx) from models/kfvton/pose/; else MediaPipe when installed. The method used is output. "
        "Nothing available: the error says which file to put where or what to install."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.POSE, T.POSE_KEYPOINT, "STRING")
    RETURN_NAMES = ("pose", "pose_keypoint", "method")
    OUTPUT_TOOLTIPS = (
        "Person keypoints (BODY_25 order) in the photo's pixels.",
        "The same pose as POSE_KEYPOINT (OpenPose-18, pixels + canvas size) for pose preview / editor nodes.",
        "How the pose was obtained: given, onnx (files) or mediapipe (version).",
    )

    @classmethod
    def INPUT_TYPES(cls):
        pose_files = onnx_model_files("pose")
        return {
            "required": {
                "person": (T.IMAGE, {"tooltip": "The person photo(s)."}),
                "pose_model": (
                    [AUTO, *pose_files],
                    {"tooltip": "SimCC pose model in models/kfvton/pose/; auto = the first known file name found."},
                ),
                "detector_model": (
                    [AUTO, _NONE, *pose_files],
                    {"tooltip": "YOLOX person detector; auto = yolox_l.onnx etc. if present; none = whole photo."},
                ),
                "use_mediapipe": ("BOOLEAN", {"default": True, "tooltip": "Fall back to MediaPipe if installed."}),
                "confidence": (
                    "FLOAT",
                    {"default": 0.3, "min": 0.0, "max": 1.0, "step": 0.01, "tooltip": "Joints below are missing."},
                ),
            },
            "optional": {
                "pose": (T.POSE, {"tooltip": "A pose you already have: used as it is."}),
                "pose_keypoint": (T.POSE_KEYPOINT, {"tooltip": "A DWPose / OpenPose POSE_KEYPOINT: used as it is."}),
            },
        }

    def run(
        self,
        person: Tensor,
        pose_model: str = AUTO,
        detector_model: str = AUTO,
        use_mediapipe: bool = True,
        confidence: float = 0.3,
        pose: Pose | None = None,
        pose_keypoint: list | None = None,
    ) -> tuple[Pose, list, str]:
        given = T.from_socket(pose, T.POSE, "pose") if pose is not None else pose_keypoint
        image = T.from_socket(person, T.IMAGE, "person")
        options = {
            "pose_model": model_or_auto("pose", pose_model),
            "detector_model": detector_model if detector_model == _NONE else model_or_auto("pose", detector_model),
            "pose_dirs": runtime.model_folders("pose"),
        }
        if given is None:
            register_pose_onnx(options["pose_model"], options["detector_model"], options["pose_dirs"])

        def one(person: Tensor, given: Any):
            return estimate_person_pose(
                person, given=given, use_mediapipe=use_mediapipe, conf_threshold=confidence, **options
            )

        result = map_items(one, {"person": image, "given": given}, what="pose estimation")
        runtime.log.info("KF-VTON Pose Estimator: %s", result.describe())
        out = T.to_socket(result.pose, T.POSE)
        return (out, pose_to_pose_keypoint(out), result.describe())


class KfvtonHumanParser:
    DESCRIPTION = (
        "Human parsing with an ONNX parser from models/kfvton/parsing/ (LIP-20, ATR-18 or CIHP-20 classes, "
        "SCHP-like). The labels are converted into KF-VTON's layout (LIP-20 / VITON-HD) at the photo's size."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.PARSE, T.IMAGE, T.MASK, "STRING")
    RETURN_NAMES = ("parse", "parse_image", "upper_clothes", "method")
    OUTPUT_TOOLTIPS = (
        "Label map (B, H, W) int64, LIP-20 / VITON-HD labels.",
        "The parse map in the CIHP / VITON-HD colours.",
        "1 on upper clothes, dress or coat: the region a new upper garment replaces.",
        "Parser file and label set.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "person": (T.IMAGE, {"tooltip": "The person photo(s)."}),
                "parser_model": (
                    onnx_model_files("parsing") or ["(put a parser .onnx in models/kfvton/parsing)"],
                    {"tooltip": "Human parser ONNX file in models/kfvton/parsing/ (or a path)."},
                ),
                "label_set": (
                    [AUTO, "lip", "atr", "cihp"],
                    {"tooltip": "The parser's classes; auto = from their count (18 ATR, 20 LIP)."},
                ),
                "flip": ("BOOLEAN", {"default": False, "tooltip": "Average with the mirrored photo (twice the time)."}),
            }
        }

    def run(self, person: Tensor, parser_model: str, label_set: str = AUTO, flip: bool = False):
        path = runtime.model_path("parsing", parser_model)
        image = T.from_socket(person, T.IMAGE, "person")
        runtime.onnx_providers([path])
        labels = None if label_set == AUTO else label_set

        def one(person: Tensor):
            return parse_human_onnx(person, path, label_set=labels, flip=flip)

        result = map_items(one, {"person": image}, what="human parsing")
        return (*_parse_outputs(result.parse), f"parser {parser_model} ({result.label_set})")


class KfvtonParseFromImage:
    DESCRIPTION = (
        "A parse map from another node or a file loaded as an IMAGE: colour-coded (CIHP / VITON-HD colours, or "
        "SCHP's VOC palette) or grey ids, in LIP-20, ATR-18, CIHP-20 or VITON-HD labels -> KF-VTON's layout."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.PARSE, T.IMAGE, T.MASK)
    RETURN_NAMES = ("parse", "parse_image", "upper_clothes")
    OUTPUT_TOOLTIPS = (
        "Label map (B, H, W) int64, LIP-20 / VITON-HD labels.",
        "The converted map in the CIHP / VITON-HD colours (to check the conversion).",
        "1 on upper clothes, dress or coat.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "parse_image": (T.IMAGE, {"tooltip": "The colour-coded (or grey id) parse image."}),
                "label_set": (list(LABEL_SETS), {"tooltip": "Which labels the colours / ids stand for."}),
                "palette": (
                    [*PALETTES, "grey_ids"],
                    {"tooltip": "cihp: VITON-HD / CIHP colours; voc: SCHP palette PNGs; grey_ids: pixel = id."},
                ),
            }
        }

    def run(self, parse_image: Tensor, label_set: str = "vitonhd", palette: str = "cihp"):
        image = T.from_socket(parse_image, T.IMAGE, "parse_image")
        if palette == "grey_ids":
            ids = labels_from_grey(image, label_set=label_set)
        else:
            ids = labels_from_colors(image, label_set=label_set, palette=palette)
        return _parse_outputs(to_vitonhd(ids, label_set))


class KfvtonParseFromMasks:
    DESCRIPTION = (
        "A parse map from a batch of per-class masks of one person (one MASK per class, in the label set's order, "
        "with or without a background mask first) -> KF-VTON's layout."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.PARSE, T.IMAGE, T.MASK)
    RETURN_NAMES = ("parse", "parse_image", "upper_clothes")
    OUTPUT_TOOLTIPS = (
        "Label map (1, H, W) int64, LIP-20 / VITON-HD labels.",
        "The converted map in the CIHP / VITON-HD colours.",
        "1 on upper clothes, dress or coat.",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "class_masks": (
                    T.MASK,
                    {"tooltip": "N masks: one per class of the label set (N = classes or one less)."},
                ),
                "label_set": (list(LABEL_SETS), {"tooltip": "Which classes the masks are, in order."}),
                "threshold": (
                    "FLOAT",
                    {"default": 0.5, "min": 0.0, "max": 1.0, "step": 0.01, "tooltip": "Below: background."},
                ),
            }
        }

    def run(self, class_masks: Tensor, label_set: str = "vitonhd", threshold: float = 0.5):
        ids = labels_from_mask_batch(class_masks.float(), label_set=label_set, threshold=threshold)
        return _parse_outputs(to_vitonhd(ids, label_set))


class KfvtonRegionEstimator:
    DESCRIPTION = (
        "Without a parser: estimates background, hair, face, neck, arms and hands, the old upper garment, the lower "
        "garment and legs from the pose, a person mask and colour. The person mask and face outline come from a "
        "connected silhouette (any segmentation node), else from the embedded MediaPipe models, else from a plain "
        "background. The method output names the source."
    )
    CATEGORY = "KF-VTON/inputs"
    FUNCTION = "run"
    RETURN_TYPES = (T.PARSE, T.MASK, T.MASK, T.MASK, T.IMAGE, "STRING")
    RETURN_NAMES = ("parse", "garment_region", "keep_region", "silhouette", "parse_image", "method")
    OUTPUT_TOOLTIPS = (
        "Estimated label map (B, H, W) int64 in LIP-20 / VITON-HD labels.",
        "1 on the upper garment to replace.",
        "1 on hair, face, neck, arms, lower garment and legs.",
        "The person mask used.",
        "The estimated map in the CIHP / VITON-HD colours.",
        "How the regions were made (names the person-mask source: silhouette given, MediaPipe or plain background).",
    )

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "person": (T.IMAGE, {"tooltip": "The person photo(s)."}),
                "pose": (T.POSE, {"tooltip": "The person's pose (KF-VTON Pose Estimator or Load Pose JSON)."}),
            },
            "optional": {
                "silhouette": (T.MASK, {"tooltip": "Person mask (1 = person) from a segmentation node."}),
            },
        }

    def run(self, person: Tensor, pose: Pose, silhouette: Tensor | None = None):
        sil = None if silhouette is None else T.from_socket(silhouette, T.MASK, "silhouette")
        inputs = {
            "person": T.from_socket(person, T.IMAGE, "person"),
            "pose": T.from_socket(pose, T.POSE, "pose", "cpu"),
        }
        result = map_items(
            lambda person, pose, silhouette: estimate_person_regions(
                person, pose, silhouette=silhouette, name="person"
            ),
            {**inputs, "silhouette": sil},
            what="region estimation",
        )
        runtime.log.info("KF-VTON Region Estimator: %s", result.method)
        parse, preview, _ = _parse_outputs(result.parse)
        return (
            parse,
            T.to_socket(result.garment, T.MASK),
            T.to_socket(result.keep, T.MASK),
            T.to_socket(result.silhouette, T.MASK),
            preview,
            result.method,
        )


NODE_CLASS_MAPPINGS = {
    "KfvtonLoadPoseJson": KfvtonLoadPoseJson,
    "KfvtonPoseFromPoseKeypoint": KfvtonPoseFromPoseKeypoint,
    "KfvtonPoseToPoseKeypoint": KfvtonPoseToPoseKeypoint,
    "KfvtonPoseBatch": KfvtonPoseBatch,
    "KfvtonGarmentMask": KfvtonGarmentMask,
    "KfvtonLoadParseMap": KfvtonLoadParseMap,
    "KfvtonPoseEstimator": KfvtonPoseEstimator,
    "KfvtonHumanParser": KfvtonHumanParser,
    "KfvtonParseFromImage": KfvtonParseFromImage,
    "KfvtonParseFromMasks": KfvtonParseFromMasks,
    "KfvtonRegionEstimator": KfvtonRegionEstimator,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonLoadPoseJson": "KF-VTON Load Pose JSON",
    "KfvtonPoseFromPoseKeypoint": "KF-VTON Pose From POSE_KEYPOINT",
    "KfvtonPoseToPoseKeypoint": "KF-VTON Pose To POSE_KEYPOINT",
    "KfvtonPoseBatch": "KF-VTON Pose Batch",
    "KfvtonGarmentMask": "KF-VTON Garment Mask",
    "KfvtonLoadParseMap": "KF-VTON Load Parse Map",
    "KfvtonPoseEstimator": "KF-VTON Pose Estimator",
    "KfvtonHumanParser": "KF-VTON Human Parser",
    "KfvtonParseFromImage": "KF-VTON Parse From Image",
    "KfvtonParseFromMasks": "KF-VTON Parse From Masks",
    "KfvtonRegionEstimator": "KF-VTON Region Estimator",
}
