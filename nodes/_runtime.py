"""The one place that talks to ComfyUI (style rule R1): devices, progress, interrupts, model folders.

Outside ComfyUI (tests, scripts) every function falls back to plain behaviour: CPU/CUDA from torch, a no-op
progress bar, no interrupts, and model paths given directly.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import torch

log = logging.getLogger("kfvton")

MODEL_FOLDER = "kfvton"
#: Sub-folders of models/kfvton/ and what lives there.
MODEL_SUBFOLDERS = {
    "checkpoints": "KF-VTON network weights (.safetensors)",
    "pose": "pose estimator ONNX files (yolox_l.onnx, dw-ll_ucoco_384.onnx, ...)",
    "parsing": "human parser ONNX files (LIP-20 style)",
}
MODEL_EXTENSIONS = {".safetensors", ".onnx"}


def _model_management():
    try:
        import comfy.model_management as mm
    except ImportError:
        return None
    return mm


def in_comfyui() -> bool:
    return _model_management() is not None


def torch_device() -> torch.device:
    """The device heavy work runs on: ComfyUI's choice inside ComfyUI, else CUDA when available, else CPU."""
    mm = _model_management()
    if mm is not None:
        return mm.get_torch_device()
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def intermediate_device() -> torch.device:
    """Where IMAGE/MASK outputs live between nodes (CPU outside ComfyUI)."""
    mm = _model_management()
    return mm.intermediate_device() if mm is not None else torch.device("cpu")


def check_interrupt() -> None:
    """Raise ComfyUI's interrupt exception when the user pressed Cancel; no-op outside ComfyUI."""
    mm = _model_management()
    if mm is not None:
        mm.throw_exception_if_processing_interrupted()


class _PlainProgress:
    def __init__(self, total: int) -> None:
        self.total = total
        self.current = 0

    def update(self, n: int = 1) -> None:
        self.current += n


def progress(total: int):
    """A progress bar with `update(n)`: ComfyUI's in the UI, a counter elsewhere."""
    try:
        from comfy.utils import ProgressBar
    except ImportError:
        return _PlainProgress(total)
    return ProgressBar(total)


def steps(total: int) -> Iterator[int]:
    """range(total) that reports progress and honours Cancel between steps."""
    bar = progress(total)
    for i in range(total):
        check_interrupt()
        yield i
        bar.update(1)


def _folder_paths():
    try:
        import folder_paths
    except ImportError:
        return None
    return folder_paths


def register_model_folders() -> None:
    """Register models/kfvton/<sub> with ComfyUI's folder_paths, keeping paths the user configured."""
    fp = _folder_paths()
    if fp is None:
        return
    for sub in MODEL_SUBFOLDERS:
        key = f"{MODEL_FOLDER}_{sub}"
        path = os.path.join(fp.models_dir, MODEL_FOLDER, sub)
        if key in fp.folder_names_and_paths:
            fp.add_model_folder_path(key, path)
        else:
            fp.folder_names_and_paths[key] = ([path], MODEL_EXTENSIONS)


def list_models(sub: str) -> list[str]:
    """File names under models/kfvton/<sub> (empty outside ComfyUI)."""
    fp = _folder_paths()
    if fp is None:
        return []
    return sorted(fp.get_filename_list(f"{MODEL_FOLDER}_{sub}"))


def model_path(sub: str, name: str) -> str:
    """Resolve a model file: a name listed under models/kfvton/<sub>, or an existing absolute/relative path.

    Raises:
        FileNotFoundError naming the file and the folders searched.
    """
    if os.path.isfile(name):
        return name
    fp = _folder_paths()
    if fp is not None:
        key = f"{MODEL_FOLDER}_{sub}"
        found = fp.get_full_path(key, name)
        if found:
            return found
        folders = ", ".join(fp.get_folder_paths(key))
        raise FileNotFoundError(f"model file {name!r} not found in {folders}; put it there (see README: Models)")
    raise FileNotFoundError(f"model file {name!r} not found (outside ComfyUI give an existing path)")
