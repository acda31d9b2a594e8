"""The one place that talks to ComfyUI (style rule R1): devices, memory, progress, interrupts, model folders.

Outside ComfyUI (tests, scripts) every function falls back to plain behaviour: CPU/CUDA from torch, a no-op
progress bar, no interrupts, and model paths given directly.

Memory: networks and ONNX sessions are put under ComfyUI's model management (`manage_modules`, `onnx_providers`),
as core loaders do with a ModelPatcher. ComfyUI then frees memory before loading them (`load_managed`), unloads
them when another model needs the room, and releases them on "Unload models" / `POST /free`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

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


_R = TypeVar("_R")


def _is_oom(err: BaseException) -> bool:
    # ComfyUI's OOM_EXCEPTION is plain Exception on builds without CUDA: never treat every error as out-of-memory
    return isinstance(err, torch.cuda.OutOfMemoryError)


def map_batch(fn: Callable[[slice], _R], total: int, *, chunk: int = 1, what: str = "batch") -> list[_R]:
    """Run `fn` over consecutive slices of range(total), with progress per item and Cancel between slices.

    A slice that runs out of device memory is retried in halves (down to one item) after the cache is emptied;
    one item that still does not fit raises, naming `what` and the item.

    Args:
        fn: called with `slice(start, stop)`; returns that part's result.
        total: number of items (B >= 1).
        chunk: items per call at first (1 = item by item: Cancel stops within one item).
        what: the work's name for the error message.

    Returns:
        the results of the calls, in item order (concatenate them with `nodes._batch.join`).
    """
    if total < 1:
        raise ValueError(f"{what}: expected a batch of at least 1 item, got {total}")
    bar = progress(total)
    results: list[_R] = []
    start, size = 0, max(1, min(int(chunk), total))
    while start < total:
        check_interrupt()
        stop = min(start + size, total)
        try:
            results.append(fn(slice(start, stop)))
        except Exception as err:
            if not _is_oom(err):
                raise
            empty_cache()
            if size == 1:
                raise MemoryError(
                    f"{what}: item {start} does not fit in device memory even alone; use a smaller size or "
                    "dtype, or free memory (Unload models)"
                ) from err
            size = max(1, size // 2)
            log.warning("kfvton: %s ran out of device memory; retrying %d items at a time", what, size)
            continue
        bar.update(stop - start)
        start = stop
    return results


def batch_chunk(bytes_per_item: int, total: int, device: torch.device) -> int:
    """How many items to run at once: all that fit in ComfyUI's free memory on a GPU; one at a time on the CPU
    (batching gains little there, and Cancel then stops within one item)."""
    if device.type == "cpu" or total <= 1:
        return 1
    mm = _model_management()
    free = mm.get_free_memory(device) if mm is not None else torch.cuda.mem_get_info(device)[0]
    return max(1, min(total, int(free // max(1, bytes_per_item))))


def empty_cache() -> None:
    """Release cached, unused device memory (ComfyUI's soft_empty_cache)."""
    mm = _model_management()
    if mm is not None:
        mm.soft_empty_cache()
    elif torch.cuda.is_available():
        torch.cuda.empty_cache()


# ---------------------------------------------------------------------------------------------- model management


def offload_device() -> torch.device:
    """Where managed networks wait while unloaded: ComfyUI's offload device (normally the CPU)."""
    mm = _model_management()
    return mm.unet_offload_device() if mm is not None else torch.device("cpu")


class _Networks(torch.nn.ModuleDict):
    """The modules of one owner, as ComfyUI's model management sees them (named so its log says whose)."""


#: id(owner) -> ComfyUI ModelPatcher of the owner's modules (dropped when the owner is garbage-collected)
_PATCHERS: dict[int, Any] = {}


def _model_patcher():
    try:
        import comfy.model_patcher as mp
    except ImportError:
        return None
    return mp


def manage_modules(owner: object, modules: Mapping[str, torch.nn.Module], *, size: int = 0) -> None:
    """Put `modules` under ComfyUI's model management, as long as `owner` lives (no-op outside ComfyUI).

    The modules should sit on `offload_device()`; `load_managed(owner)` then moves them to the device through
    ComfyUI, which frees other models' memory first and may unload ours later (or on "Unload models").

    Args:
        owner: the object the nodes pass around (a ModelBundle); keyed by identity.
        modules: its networks, by name.
        size: bytes the modules take on the device; 0 = their parameters and buffers.
    """
    mm, mp = _model_management(), _model_patcher()
    if mm is None or mp is None:
        return
    container = _Networks(dict(modules))
    patcher = mp.ModelPatcher(container, load_device=mm.get_torch_device(), offload_device=offload_device(), size=size)
    key = id(owner)
    _PATCHERS[key] = patcher
    weakref.finalize(owner, _PATCHERS.pop, key, None)


def managed_patcher(owner: object) -> Any | None:
    """The ComfyUI ModelPatcher registered for `owner` by `manage_modules`, or None."""
    return _PATCHERS.get(id(owner))


def load_managed(owner: object, modules: Sequence[torch.nn.Module] = (), *, memory_required: int = 0) -> torch.device:
    """Make `owner`'s networks ready on the compute device and return that device.

    In ComfyUI: `load_models_gpu` on its ModelPatcher (memory for the weights plus `memory_required` bytes of
    activations is freed first, unloading other models as needed). Elsewhere: `modules` are moved to
    `torch_device()`.
    """
    mm = _model_management()
    patcher = _PATCHERS.get(id(owner))
    if mm is not None and patcher is not None:
        mm.load_models_gpu([patcher], memory_required=int(memory_required), force_full_load=True)
        return patcher.load_device
    device = torch_device()
    for module in modules:
        module.to(device)
    return device


#: ONNX model path -> ComfyUI ModelPatcher standing for its onnxruntime sessions
_ONNX_PATCHERS: dict[str, Any] = {}


class _OnnxSessions(torch.nn.Module):
    """Stands for the onnxruntime sessions of one model file in ComfyUI's list of loaded models (no weights of
    its own: the sessions live in kfvton._onnx's cache, dropped when ComfyUI unloads this)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path


def onnx_providers(paths: Sequence[str]) -> tuple[str, ...]:
    """Execution providers for ONNX models run now, following ComfyUI's device; registers the model files with
    ComfyUI's model management, which frees device memory for them first and drops their sessions when it unloads
    them ("Unload models", or another model needing the room).

    The library's sessions use these providers from now on (`kfvton._onnx.prefer_providers`).
    Outside ComfyUI: the host's providers (CUDA when onnxruntime-gpu has it, else CPU).
    """
    from ..kfvton._onnx import available_providers, prefer_providers

    available = available_providers()
    mm, mp = _model_management(), _model_patcher()
    if mm is None or mp is None:
        return available
    device = mm.get_torch_device()
    providers = available if device.type == "cuda" else ("CPUExecutionProvider",)
    prefer_providers(providers)
    load_device = device if "CUDAExecutionProvider" in providers else torch.device("cpu")
    patchers = []
    for path in paths:
        key = os.path.abspath(path)
        patcher = _ONNX_PATCHERS.get(key)
        if patcher is None or patcher.load_device != load_device:
            patcher = mp.ModelPatcher(
                _OnnxSessions(key), load_device=load_device, offload_device=torch.device("cpu"), size=_size(key)
            )
            patcher.add_callback(mp.CallbacksMP.ON_DETACH, _drop_sessions)
            _ONNX_PATCHERS[key] = patcher
        patchers.append(patcher)
    if patchers:
        mm.load_models_gpu(patchers, force_full_load=True)
    return providers


def _size(path: str) -> int:
    try:
        return max(1, os.path.getsize(path))
    except OSError:
        return 1


def _drop_sessions(patcher: Any, *_args: Any) -> None:
    from ..kfvton._onnx import drop_sessions

    drop_sessions(patcher.model.path)


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


#: Where comfyui_controlnet_aux keeps the DWPose ONNX files, under its own folder: our pose folder includes it, so
#: users of that pack need no copy.
CONTROLNET_AUX_DWPOSE = os.path.join("ckpts", "yzd-v", "DWPose")


def controlnet_aux_pose_folders(custom_nodes_dirs: Sequence[str]) -> list[str]:
    """The existing DWPose folders of comfyui_controlnet_aux installs under `custom_nodes_dirs` (its folder name in
    any case, with "-" or "_", and a suffix such as "-main" from a zip download)."""
    found = []
    for root in custom_nodes_dirs:
        try:
            names = sorted(os.listdir(root))
        except OSError:
            continue
        for name in names:
            if name.lower().replace("-", "_").startswith("comfyui_controlnet_aux"):
                folder = os.path.join(root, name, CONTROLNET_AUX_DWPOSE)
                if os.path.isdir(folder):
                    found.append(folder)
    return found


def register_model_folders() -> None:
    """Register models/kfvton/<sub> with ComfyUI's folder_paths, keeping paths the user configured; the pose folder
    also lists comfyui_controlnet_aux's DWPose folder when that pack is installed (after ours: a file of the same
    name in models/kfvton/pose wins)."""
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
    pose_key = f"{MODEL_FOLDER}_pose"
    custom_nodes = fp.get_folder_paths("custom_nodes") if "custom_nodes" in fp.folder_names_and_paths else []
    for folder in controlnet_aux_pose_folders(custom_nodes):
        if folder not in fp.get_folder_paths(pose_key):
            fp.add_model_folder_path(pose_key, folder)
            log.info("kfvton: pose models also read from comfyui_controlnet_aux: %s", folder)


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


def file_fingerprint(name: str, what: str = "file") -> str:
    """sha256 of the file `name` resolves to (`input_file_path`), for a loader's IS_CHANGED, as core LoadImage
    does: an edited file re-runs the node. A file that cannot be read gives its name, and validation reports it."""
    try:
        path = input_file_path(name, what)
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return f"missing:{name}"
    return digest.hexdigest()


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
