"""KF-VTON/models: the KF-VTON seg + warp network checkpoints loaded as one KFVTON_MODEL."""

from __future__ import annotations

from ..kfvton.checkpoints.io import PRECISIONS, ModelBundle, load_bundle
from . import _runtime as runtime
from . import types as T


class KfvtonLoadModel:
    DESCRIPTION = (
        "Loads a KF-VTON model: the segmentation generator and the warp network (keypoint detector, dense motion, "
        "SPADE generator), two .safetensors files from models/kfvton/checkpoints (convert the authors' .pth files "
        "with `python -m kfvton convert`). bf16/fp16 run the networks under autocast with float32 weights."
    )
    CATEGORY = "KF-VTON/models"
    FUNCTION = "run"
    RETURN_TYPES = (T.MODEL,)
    RETURN_NAMES = ("model",)
    OUTPUT_TOOLTIPS = ("The loaded networks, for the KF-VTON learned nodes.",)

    @classmethod
    def INPUT_TYPES(cls):
        files = runtime.list_models("checkpoints")
        return {
            "required": {
                "seg_checkpoint": (files, {"tooltip": "Segmentation generator .safetensors (kfvton_seg_256)."}),
                "warp_checkpoint": (files, {"tooltip": "Warp network .safetensors (kfvton_warp_256)."}),
                "dtype": (
                    tuple(PRECISIONS),
                    {"default": "fp32", "tooltip": "Compute precision; bf16 is faster on recent CPUs and GPUs."},
                ),
            }
        }

    def run(self, seg_checkpoint: str, warp_checkpoint: str, dtype: str = "fp32") -> tuple[ModelBundle]:
        if dtype not in PRECISIONS:
            raise ValueError(f"dtype: expected one of {tuple(PRECISIONS)}, got {dtype!r}")
        seg = runtime.model_path("checkpoints", seg_checkpoint)
        warp = runtime.model_path("checkpoints", warp_checkpoint)
        return (T.to_socket(load_bundle(seg, warp, device=runtime.torch_device(), dtype=PRECISIONS[dtype]), T.MODEL),)


NODE_CLASS_MAPPINGS = {"KfvtonLoadModel": KfvtonLoadModel}
NODE_DISPLAY_NAME_MAPPINGS = {"KfvtonLoadModel": "KF-VTON Load Model"}
