"""The one place that talks to ComfyUI (style rule R1): devices, progress, interrupts, model folders.

Outside ComfyUI (tests, scripts) every function falls back to plain behaviour: CPU/CUDA from torch, a no-op
progress bar, no interrupts, and model paths given directly.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator

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


def report_warnings(warnings: Iterable[str]) -> str:
    """Log each warning (ComfyUI's console) and return them one per line, for a node's "warnings" text output."""
    lines = [str(w) for w in warnings]
    for line in lines:
        log.warning("KF-VTON: %s", line)
    return "\n".join(lines)


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


def model_folders(sub: str) -> list[str]:
    """The folders of models/kfvton/<sub> ComfyUI knows (empty outside ComfyUI)."""
    fp = _folder_paths()
    if fp is None:
        return []
    return list(fp.get_folder_paths(f"{MODEL_FOLDER}_{sub}"))


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


def input_directory() -> str | None:
    """ComfyUI's input/ folder (where LoadImage reads uploads); None outside ComfyUI."""
    fp = _folder_paths()
    return None if fp is None else fp.get_input_directory()


def list_input_files(extensions: tuple[str, ...]) -> list[str]:
    """Paths relative to ComfyUI's input/ of the files ending in one of `extensions` (sub-folders included,
    "/"-separated); empty outside ComfyUI or when input/ does not exist."""
    root = input_directory()
    if root is None or not os.path.isdir(root):
        return []
    found = []
    for folder, _dirs, files in os.walk(root):
        for f in files:
            if f.lower().endswith(extensions):
                found.append(os.path.relpath(os.path.join(folder, f), root).replace(os.sep, "/"))
    return sorted(found)


def input_file_path(name: str, what: str = "file") -> str:
    """Resolve a user file: an existing absolute/relative path, else a path relative to ComfyUI's input/.

    Raises:
        FileNotFoundError naming the file and where it was looked for.
    """
    if not name:
        raise FileNotFoundError(f"{what}: no file given")
    if os.path.isfile(name):
        return name
    root = input_directory()
    if root is not None:
        candidate = os.path.join(root, name)
        if os.path.isfile(candidate):
            return candidate
        raise FileNotFoundError(
            f"{what}: {name!r} is neither an existing path nor a file in ComfyUI's input folder {root}"
        )
    raise FileNotFoundError(f"{what}: file not found: {name!r}")


def save_temp_images(images: torch.Tensor, prefix: str) -> list[dict[str, str]]:
    """Save ComfyUI IMAGE items (B, H, W, C) in [0, 1] as PNGs in ComfyUI's temp folder, as PreviewImage does.

    Returns:
        one {"filename", "subfolder", "type": "temp"} per item, for a node's "ui" output (the front end reads
        them through /view); [] outside ComfyUI, where there is no temp folder to serve them from.
    """
    fp = _folder_paths()
    if fp is None:
        return []
    import numpy as np
    from PIL import Image

    full_prefix = f"{prefix}_{os.urandom(4).hex()}"
    folder, filename, counter, subfolder, _ = fp.get_save_image_path(
        full_prefix, fp.get_temp_directory(), images.shape[2], images.shape[1]
    )
    saved = []
    for i, image in enumerate(images):
        array = (image.detach().float().clamp(0, 1).cpu().numpy() * 255.0).round().astype(np.uint8)
        name = f"{filename}_{counter + i:05}_.png"
        Image.fromarray(array).save(os.path.join(folder, name), compress_level=1)
        saved.append({"filename": name, "subfolder": subfolder, "type": "temp"})
    return saved
