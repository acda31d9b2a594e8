"""ComfyUI nodes over `kfvton/`: one module per menu category (KF-VTON/<category>), each exporting
NODE_CLASS_MAPPINGS and display names; socket types, payloads and the ComfyUI <-> library adapters in types.py."""

from __future__ import annotations

from importlib import import_module

# Category modules, in menu order (module = the category after "KF-VTON/"). Each defines NODE_CLASS_MAPPINGS and
# NODE_DISPLAY_NAME_MAPPINGS.
_MODULES: tuple[str, ...] = (
    "pipelines",
    "inputs",
    "keypoints",
    "warp",
    "composite",
    "preview",
    "models",
    "learned_inputs",
    "learned",
)

NODE_CLASS_MAPPINGS: dict[str, type] = {}
NODE_DISPLAY_NAME_MAPPINGS: dict[str, str] = {}

for _name in _MODULES:
    _module = import_module(f".{_name}", __name__)
    NODE_CLASS_MAPPINGS.update(_module.NODE_CLASS_MAPPINGS)
    NODE_DISPLAY_NAME_MAPPINGS.update(_module.NODE_DISPLAY_NAME_MAPPINGS)

__all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS"]
