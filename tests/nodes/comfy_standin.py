"""A recording stand-in for the parts of ComfyUI that nodes/_runtime.py talks to (comfy.model_management,
comfy.model_patcher, comfy.utils.ProgressBar, folder_paths), installed into sys.modules for one test.

It keeps ComfyUI's contract (a ModelPatcher per model, `load_models_gpu` loads it and lists it as loaded,
`unload_all_models` detaches every loaded model to its offload device and runs the ON_DETACH callbacks) and
records every call in `calls`, so tests check what the pack asked ComfyUI to do. The real thing is exercised by
tests/comfyui/ (a real server on the CPU).
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch


class InterruptProcessingException(Exception):
    pass


class CallbacksMP:
    ON_DETACH = "on_detach"


class StandInPatcher:
    def __init__(self, model, load_device, offload_device, size=0, weight_inplace_update=False):
        self.model, self.load_device, self.offload_device, self.size = model, load_device, offload_device, size
        self.callbacks: dict[str, list] = {}
        self.loaded = False

    def add_callback(self, kind, fn):
        self.callbacks.setdefault(kind, []).append(fn)

    def loaded_size(self):
        return self.size if self.loaded else 0

    def detach(self, unpatch_all=True):
        self.model.to(self.offload_device)
        self.loaded = False
        for fn in self.callbacks.get(CallbacksMP.ON_DETACH, []):
            fn(self, unpatch_all)
        return self.model


@dataclass
class StandInComfy:
    device: torch.device = torch.device("cpu")
    free_memory_bytes: int = 1 << 34
    calls: list[tuple[str, Any]] = field(default_factory=list)
    loaded: list[StandInPatcher] = field(default_factory=list)
    interrupt_after_checks: int | None = None  # Cancel pressed after this many interrupt checks
    cancel_at_item: int | None = None  # Cancel pressed once the progress bars reached this many items
    checks: int = 0
    cancelled: bool = False
    progress: list[tuple[int, int]] = field(default_factory=list)  # (total, update) per ProgressBar.update

    def modules(self, tmp_path: Path | None = None) -> dict[str, types.ModuleType]:
        comfy = types.ModuleType("comfy")
        mm = types.ModuleType("comfy.model_management")
        mp = types.ModuleType("comfy.model_patcher")
        utils = types.ModuleType("comfy.utils")
        mm.get_torch_device = lambda: self.device
        mm.intermediate_device = lambda: torch.device("cpu")
        mm.unet_offload_device = lambda: torch.device("cpu")
        mm.get_free_memory = lambda dev=None: self.free_memory_bytes
        mm.OOM_EXCEPTION = torch.cuda.OutOfMemoryError
        mm.InterruptProcessingException = InterruptProcessingException
        mm.soft_empty_cache = lambda force=False: self.calls.append(("soft_empty_cache", None))
        mm.load_models_gpu = self._load_models_gpu
        mm.unload_all_models = self.unload_all_models
        mm.throw_exception_if_processing_interrupted = self._check
        mp.ModelPatcher = StandInPatcher
        mp.CallbacksMP = CallbacksMP
        standin = self

        class ProgressBar:
            def __init__(self, total):
                self.total = total

            def update(self, n):
                standin.progress.append((self.total, n))
                if standin.cancel_at_item is not None and standin.items_done() >= standin.cancel_at_item:
                    standin.cancelled = True

        utils.ProgressBar = ProgressBar
        comfy.model_management, comfy.model_patcher, comfy.utils = mm, mp, utils
        return {"comfy": comfy, "comfy.model_management": mm, "comfy.model_patcher": mp, "comfy.utils": utils}

    def _load_models_gpu(self, models, memory_required=0, force_patch_weights=False, minimum_memory_required=None,
                         force_full_load=False):  # fmt: skip
        self.calls.append(("load_models_gpu", {"models": list(models), "memory_required": memory_required,
                                               "force_full_load": force_full_load}))  # fmt: skip
        for patcher in models:
            if not any(patcher is p for p in self.loaded):
                patcher.model.to(patcher.load_device)
                patcher.loaded = True
                self.loaded.insert(0, patcher)

    def unload_all_models(self):
        """What POST /free (unload_models) does."""
        self.calls.append(("unload_all_models", None))
        while self.loaded:
            self.loaded.pop().detach()

    def _check(self):
        self.checks += 1
        if self.interrupt_after_checks is not None and self.checks > self.interrupt_after_checks:
            self.cancelled = True
        if self.cancelled:
            raise InterruptProcessingException()

    def items_done(self) -> int:
        """Items the progress bars have reported done."""
        return sum(n for _total, n in self.progress)

    def called(self, name: str) -> list[Any]:
        return [arg for n, arg in self.calls if n == name]
