"""ComfyUI nodes over `kfvton/`: one module per stage, each exporting NODE_CLASS_MAPPINGS and display names."""

from __future__ import annotations

from importlib import import_module

# Stage modules, in menu order. Each defines NODE_CLASS_MAPPINGS and NODE_DISPLAY_NAME_MAPPINGS.
_MODULES: tuple[str, ...] = (
    "inputs",
    "perception",
    "keypoints",
    "warp",
    "composite",
    "preview",
    "editor",
    "models",
    "network_inputs",
    "learned",
)

NODE_CLASS_MAPPINGS: dict[str, type] = {}
NODE_DISPLAY_NAME_MAPPINGS: dict[str, str] = {}

for _name in _MODULES:
    _module = import_module(f".{_name}", __name__)
    NODE_CLASS_MAPPINGS.update(_module.NODE_CLASS_MAPPINGS)
    NODE_DISPLAY_NAME_MAPPINGS.update(_module.NODE_DISPLAY_NAME_MAPPINGS)

__all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS"]
