"""A test-only ComfyUI custom node, loaded next to the pack by tests/comfyui: reports, from inside the server
process, what ComfyUI's model management holds and where the pack's managed models and tensors are."""

from __future__ import annotations

import gc
import sys

import comfy.model_management as mm
import torch


def _pack_runtimes() -> list:
    return [m for name, m in list(sys.modules.items()) if name.endswith("nodes._runtime") and hasattr(m, "_PATCHERS")]


def _report() -> dict:
    gc.collect()
    device = mm.get_torch_device()
    loaded = [m.model for m in mm.current_loaded_models if m.model is not None]
    ours_loaded = [type(p.model).__name__ for p in loaded if type(p.model).__module__.endswith("nodes._runtime")]
    ours = []
    for runtime in _pack_runtimes():
        for kind, table in (("network", runtime._PATCHERS), ("onnx", runtime._ONNX_PATCHERS)):
            for patcher in list(table.values()):
                devices = sorted({str(t.device) for t in patcher.model.state_dict().values()})
                ours.append(
                    {
                        "kind": kind,
                        "registered": any(patcher is m for m in loaded),
                        "loaded_bytes": int(patcher.loaded_size()),
                        "model_device": str(patcher.model.device),
                        "tensor_devices": devices,
                    }
                )
    sessions = sum(len(m._SESSIONS) for n, m in list(sys.modules.items()) if n.endswith("kfvton._onnx"))
    on_device = None
    if device.type != "cpu":
        on_device = sum(1 for o in gc.get_objects() if isinstance(o, torch.Tensor) and o.device == device)
    return {
        "device": str(device),
        "loaded": [type(m.model).__name__ for m in loaded],
        "ours_loaded": ours_loaded,
        "ours": ours,
        "onnx_sessions": sessions,
        "tensors_on_device": on_device,
        "allocated": torch.cuda.memory_allocated(device) if device.type == "cuda" else None,
    }


class _AnyType(str):
    """A socket type ComfyUI's validation matches with every type (it compares types with `!=`)."""

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = str.__hash__


class KfvtonTestProbe:
    CATEGORY = "testing"
    FUNCTION = "run"
    OUTPUT_NODE = True
    RETURN_TYPES = ()

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {"nonce": ("INT", {"default": 0, "min": 0, "max": 2**31})},
            "optional": {
                "after": (_AnyType("*"), {"tooltip": "Any output: the probe runs after its node, in that prompt."})
            },
        }

    def run(self, nonce: int, after=None):
        return {"ui": {"report": [_report()]}}


NODE_CLASS_MAPPINGS = {"KfvtonTestProbe": KfvtonTestProbe}
