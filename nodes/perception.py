"""Perception nodes: real photos in without outside tools -- pose estimation, human parsing, parse-map adapters and
the parser-free region estimator."""

from __future__ import annotations

from torch import Tensor

from ..kfvton.keypoints.estimate import estimate_pose, find_pose_models
from ..kfvton.keypoints.formats import pose_to_pose_keypoint
from ..kfvton.keypoints.pose import Pose
from ..kfvton.keypoints.pose_onnx import PoseModelFiles
from ..kfvton.preprocess.layout import b1hw_to_mask, bchw_to_bhwc, bhwc_to_bchw, mask_to_b1hw
from ..kfvton.preprocess.parse_labels import (
    LABEL_SETS,
    PALETTES,
    VITONHD_UPPER_CLOTHES,
    colors_from_labels,
    label_mask,
    labels_from_colors,
    labels_from_grey,
    labels_from_mask_batch,
    to_vitonhd,
)
from ..kfvton.preprocess.parsing_onnx import parse_human_onnx
from ..kfvton.preprocess.regions import estimate_person_regions
from . import _runtime as runtime
from . import types as T

_AUTO = "auto"
_NONE = "none"


def _onnx_files(sub: str) -> list[str]:
    return [m for m in runtime.list_models(sub) if m.endswith(".onnx")]


def _preview(parse: Tensor) -> Tensor:
    return bchw_to_bhwc(colors_from_labels(parse.cpu())).to(runtime.intermediate_device())


def _upper(parse: Tensor) -> Tensor:
    return b1hw_to_mask(label_mask(parse, VITONHD_UPPER_CLOTHES)).to(runtime.intermediate_device())


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
        pose_files = _onnx_files("pose")
        return {
            "required": {
                "person": (T.IMAGE, {"tooltip": "The person photo(s)."}),
                "pose_model": (
                    [_AUTO, *pose_files],
                    {"tooltip": "SimCC pose model in models/kfvton/pose/; auto = the first known file name found."},
                ),
                "detector_model": (
                    [_AUTO, _NONE, *pose_files],
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
        pose_model: str = _AUTO,
        detector_model: str = _AUTO,
        use_mediapipe: bool = True,
        confidence: float = 0.3,
        pose: Pose | None = None,
        pose_keypoint: list | None = None,
    ) -> tuple[Pose, list, str]:
        folders = runtime.model_folders("pose")
        models = None
        if pose_model != _AUTO:
            found = find_pose_models(folders)
            detector = {_AUTO: found.detector if found else None, _NONE: None}.get(detector_model, detector_model)
            models = PoseModelFiles(
                runtime.model_path("pose", pose_model),
                None if detector is None else runtime.model_path("pose", detector),
            )
        result = estimate_pose(
            bhwc_to_bchw(person, "person"),
            given=pose if pose is not None else pose_keypoint,
            onnx_models=models,
            search_dirs=folders,
            use_mediapipe=use_mediapipe,
            conf_threshold=confidence,
        )
        runtime.log.info("KF-VTON Pose Estimator: %s", result.describe())
        out = result.pose.to(runtime.intermediate_device())
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
                    _onnx_files("parsing") or ["(put a parser .onnx in models/kfvton/parsing)"],
                    {"tooltip": "Human parser ONNX file in models/kfvton/parsing/ (or a path)."},
                ),
                "label_set": (
                    [_AUTO, "lip", "atr", "cihp"],
                    {"tooltip": "The parser's classes; auto = from their count (18 ATR, 20 LIP)."},
                ),
                "flip": ("BOOLEAN", {"default": False, "tooltip": "Average with the mirrored photo (twice the time)."}),
            }
        }

    def run(self, person: Tensor, parser_model: str, label_set: str = _AUTO, flip: bool = False):
        path = runtime.model_path("parsing", parser_model)
        result = parse_human_onnx(
            bhwc_to_bchw(person, "person"), path, label_set=None if label_set == _AUTO else label_set, flip=flip
        )
        parse = result.parse.to(runtime.intermediate_device())
        return (parse, _preview(parse), _upper(parse), f"parser {parser_model} ({result.label_set})")


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
        image = bhwc_to_bchw(parse_image, "parse_image")
        if palette == "grey_ids":
            ids = labels_from_grey(image, label_set=label_set)
        else:
            ids = labels_from_colors(image, label_set=label_set, palette=palette)
        parse = to_vitonhd(ids, label_set).to(runtime.intermediate_device())
        return (parse, _preview(parse), _upper(parse))


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
        parse = to_vitonhd(ids, label_set).to(runtime.intermediate_device())
        return (parse, _preview(parse), _upper(parse))


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
        sil = None if silhouette is None else mask_to_b1hw(silhouette, "silhouette")
        result = estimate_person_regions(bhwc_to_bchw(person, "person"), pose.to("cpu"), silhouette=sil, name="person")
        runtime.log.info("KF-VTON Region Estimator: %s", result.method)
        out = runtime.intermediate_device()
        return (
            result.parse.to(out),
            b1hw_to_mask(result.garment).to(out),
            b1hw_to_mask(result.keep).to(out),
            b1hw_to_mask(result.silhouette).to(out),
            _preview(result.parse),
            result.method,
        )


NODE_CLASS_MAPPINGS = {
    "KfvtonPoseEstimator": KfvtonPoseEstimator,
    "KfvtonHumanParser": KfvtonHumanParser,
    "KfvtonParseFromImage": KfvtonParseFromImage,
    "KfvtonParseFromMasks": KfvtonParseFromMasks,
    "KfvtonRegionEstimator": KfvtonRegionEstimator,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "KfvtonPoseEstimator": "KF-VTON Pose Estimator",
    "KfvtonHumanParser": "KF-VTON Human Parser",
    "KfvtonParseFromImage": "KF-VTON Parse From Image",
    "KfvtonParseFromMasks": "KF-VTON Parse From Masks",
    "KfvtonRegionEstimator": "KF-VTON Region Estimator",
}
