"""comfyui-kfvton: KF-VTON virtual try-on nodes for ComfyUI.

ComfyUI imports this file; the library itself lives in `kfvton/` and never imports ComfyUI.
"""

from .nodes import NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS
from .nodes._runtime import register_model_folders

register_model_folders()  # a folder registration only, so models/kfvton/* appear in the model combos

WEB_DIRECTORY = "./web"

__all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS", "WEB_DIRECTORY"]
