"""comfyui-kfvton: KF-VTON virtual try-on nodes for ComfyUI.

ComfyUI imports this file as a package (named after its folder); the library itself lives in `kfvton/` and never
imports ComfyUI.
"""

WEB_DIRECTORY = "./web"

# pytest imports this file as a lone module (no parent package) when the folder's name is not a Python name, as
# `comfyui-kfvton` (the README's clone) is: relative imports cannot work then, and there are no nodes to register.
if __package__:
    from .nodes import NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS
    from .nodes._runtime import register_model_folders

    register_model_folders()  # a folder registration only, so models/kfvton/* appear in the model combos

    __all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS", "WEB_DIRECTORY"]
