"""KF-VTON weights as `.safetensors` files that describe themselves (style rule R7).

A checkpoint file holds one registered network (`kfvton.models.registry`): its tensors, and in the safetensors
metadata (all strings):

    ======================  ============================================================================
    key                     value
    ======================  ============================================================================
    kfvton.format           `FORMAT_VERSION` ("1")
    kfvton.architecture     the registry name, e.g. "kfvton_seg_256"
    kfvton.config           the model's config dataclass as JSON (nested configs as objects)
    kfvton.resolution       "HxW" the weights were trained at, e.g. "256x192"
    kfvton.label_layout     JSON {"parse7": [...names], "parse14": [...names]} (the network input layouts)
    kfvton.source           free text: where the weights came from (converted file, training run)
    ======================  ============================================================================

Loading builds the network from the registry with the stored config and loads every tensor strictly: missing and
unexpected keys and shape mismatches are reported by name. A KF-VTON model is a *bundle* of two such files, the
segmentation generator and the warp network (keypoint detector + dense motion + SPADE generator); `load_bundle`
loads both (the ComfyUI "KF-VTON Load Model" node).
"""

from __future__ import annotations

import dataclasses
import json
import os
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file
from torch import Tensor, nn

from .._atomic import atomic_path
from ..geometry.grid import parse_size_hw
from ..models.registry import build_model, model_entry
from ..preprocess.parse_labels import PARSE7_CLASSES, PARSE14_CLASSES

__all__ = [
    "FORMAT_VERSION",
    "CheckpointError",
    "CheckpointInfo",
    "LoadedCheckpoint",
    "ModelBundle",
    "save_checkpoint",
    "read_checkpoint_info",
    "load_checkpoint",
    "load_state_dict_strict",
    "load_bundle",
    "config_to_json",
    "config_from_json",
    "PRECISIONS",
]

FORMAT_VERSION = "1"
#: Precision names users pick (CLI --dtype, the Load Model node's dtype widget) -> torch dtypes.
PRECISIONS: dict[str, torch.dtype] = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}
_PREFIX = "kfvton."
#: Metadata `kfvton.label_layout` of the released networks.
LABEL_LAYOUT: dict[str, list[str]] = {
    "parse7": [name for name, _ in PARSE7_CLASSES],
    "parse14": [name for name, _ in PARSE14_CLASSES],
}
_MAX_HEADER = 100 * 1024 * 1024


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used: not safetensors, truncated, another model, mismatched keys."""


@dataclass(frozen=True)
class CheckpointInfo:
    """What a checkpoint file says about itself.

    Attributes:
        path: the file.
        architecture: registry name of the network.
        config: the config fields as stored (JSON values).
        resolution_hw: (H, W) the weights were made for.
        label_layout: class names of the parse layouts the network reads.
        format_version: `kfvton.format` of the file.
        source: where the weights came from.
        tensors: name -> shape of every stored tensor.
    """

    path: str
    architecture: str
    config: dict[str, Any]
    resolution_hw: tuple[int, int]
    label_layout: dict[str, list[str]]
    format_version: str
    source: str
    tensors: dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class LoadedCheckpoint:
    """A network built from a checkpoint (eval mode) and the file's description."""

    model: nn.Module
    info: CheckpointInfo


@dataclass(frozen=True)
class ModelBundle:
    """The two networks of a KF-VTON model: payload of the ComfyUI type KFVTON_MODEL.

    Attributes:
        seg: segmentation generator (eval mode).
        warp: warp network -- keypoint detector, dense motion and SPADE generator (eval mode).
        seg_info, warp_info: their files' descriptions.
        dtype: compute dtype the pipeline runs in: float32, or bfloat16/float16 (autocast on float32 weights).
    """

    seg: nn.Module
    warp: nn.Module
    seg_info: CheckpointInfo
    warp_info: CheckpointInfo
    dtype: torch.dtype = torch.float32

    @property
    def resolution_hw(self) -> tuple[int, int]:
        return self.warp_info.resolution_hw

    def to(self, device: torch.device | str) -> ModelBundle:
        """Move both networks (in place, as nn.Module.to does) and return the bundle."""
        self.seg.to(device)
        self.warp.to(device)
        return self


# ---------------------------------------------------------------------------------------------------- config json


def config_to_json(config: Any) -> str:
    """A config dataclass as JSON (tuples become lists, nested configs objects)."""
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise TypeError(f"config: expected a config dataclass instance, got {type(config).__name__}")
    return json.dumps(dataclasses.asdict(config), sort_keys=True)


def _restore(default: Any, value: Any) -> Any:
    if dataclasses.is_dataclass(default) and isinstance(value, dict):
        return config_from_json(default, value)
    if isinstance(default, tuple) and isinstance(value, list):
        return tuple(_restore(d, v) for d, v in zip(default, value, strict=False)) if default else tuple(value)
    return value


def config_from_json(default: Any, stored: Mapping[str, Any] | str) -> Any:
    """Rebuild a config: `default` (the registry's config) with the stored fields replaced, types restored."""
    values = json.loads(stored) if isinstance(stored, str) else dict(stored)
    fields = {f.name for f in dataclasses.fields(default)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise CheckpointError(
            f"config: stored fields {unknown} are not fields of {type(default).__name__} ({sorted(fields)}); "
            "the file was written by another version of the network"
        )
    return dataclasses.replace(default, **{k: _restore(getattr(default, k), v) for k, v in values.items()})


# ------------------------------------------------------------------------------------------------------------- save


def save_checkpoint(
    model: nn.Module,
    path: str | os.PathLike,
    *,
    architecture: str,
    resolution_hw: tuple[int, int] = (256, 192),
    source: str = "",
    dtype: torch.dtype | None = None,
) -> CheckpointInfo:
    """Write `model`'s state dict and its description to a `.safetensors` file (folders are created).

    Args:
        model: a network built by `build_model(architecture, ...)`; its `config` attribute is stored.
        architecture: its registry name.
        resolution_hw: (H, W) the weights were trained for.
        source: free text stored as `kfvton.source`.
        dtype: cast floating tensors (e.g. torch.float16 for a smaller file); default keep.

    Returns:
        The written file's `CheckpointInfo`.
    """
    entry = model_entry(architecture)
    if not isinstance(model, entry.model_class):
        raise TypeError(
            f"model: architecture {architecture!r} is a {entry.model_class.__name__}, got {type(model).__name__}"
        )
    config = getattr(model, "config", None)
    if config is None:
        raise TypeError(f"model: {type(model).__name__} has no `config` attribute to store")
    state = {}
    for key, value in model.state_dict().items():
        value = value.detach().to("cpu")
        if dtype is not None and value.is_floating_point():
            value = value.to(dtype)
        state[key] = value.contiguous()
    meta = {
        _PREFIX + "format": FORMAT_VERSION,
        _PREFIX + "architecture": architecture,
        _PREFIX + "config": config_to_json(config),
        _PREFIX + "resolution": f"{int(resolution_hw[0])}x{int(resolution_hw[1])}",
        _PREFIX + "label_layout": json.dumps(LABEL_LAYOUT),
        _PREFIX + "source": source,
    }
    path = Path(path)
    with atomic_path(path) as tmp:
        save_file(_unshare(state), str(tmp), metadata=meta)
    return read_checkpoint_info(path)


def _unshare(state: dict[str, Tensor]) -> dict[str, Tensor]:
    """safetensors refuses tensors sharing memory; give each its own storage."""
    seen: set[int] = set()
    out = {}
    for key, value in state.items():
        ptr = value.untyped_storage().data_ptr() if value.numel() else -1
        out[key] = value.clone() if ptr in seen else value
        seen.add(ptr)
    return out


# ------------------------------------------------------------------------------------------------------------- read


def _check_file(path: Path) -> None:
    """Raise a clear error for a missing, non-safetensors or truncated file before safetensors sees it."""
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint: file not found: {path}")
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(8)
        if head[:2] == b"PK":
            raise CheckpointError(
                f"checkpoint: {path} is a PyTorch pickle/zip file (.pth), not .safetensors; "
                "convert the authors' files with `python -m kfvton convert`"
            )
        if len(head) < 8:
            raise CheckpointError(f"checkpoint: {path} is not a .safetensors file ({size} bytes, too short)")
        (n,) = struct.unpack("<Q", head)
        if n > _MAX_HEADER or n > size - 8:
            pickle = " (it looks like a PyTorch pickle; convert .pth files with `python -m kfvton convert`)"
            raise CheckpointError(
                f"checkpoint: {path} is not a .safetensors file, or is truncated "
                f"(header length {n} bytes, file size {size} bytes)" + (pickle if head[:1] == b"\x80" else "")
            )
        raw = f.read(n)
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError(f"checkpoint: {path} is not a .safetensors file (unreadable header)") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"checkpoint: {path} is not a .safetensors file (header is not a JSON object)")
    end = max((int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__"), default=0)
    if 8 + n + end > size:
        raise CheckpointError(
            f"checkpoint: {path} is truncated: the header describes {8 + n + end} bytes, the file has {size}"
        )


def read_checkpoint_info(path: str | os.PathLike) -> CheckpointInfo:
    """Read a checkpoint's description (metadata and tensor shapes) without loading its tensors."""
    path = Path(path)
    _check_file(path)
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            tensors = {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}
    except SafetensorError as err:
        raise CheckpointError(f"checkpoint: {path} cannot be read as .safetensors ({err})") from None
    missing = [k for k in ("format", "architecture", "config") if _PREFIX + k not in meta]
    if missing:
        raise CheckpointError(
            f"checkpoint: {path} is a .safetensors file without KF-VTON metadata (missing "
            f"{', '.join(_PREFIX + k for k in missing)}); save it with kfvton.checkpoints.io.save_checkpoint or "
            "convert the authors' .pth with `python -m kfvton convert`"
        )
    version = meta[_PREFIX + "format"]
    if version != FORMAT_VERSION:
        raise CheckpointError(f"checkpoint: {path} has format version {version}; this code reads {FORMAT_VERSION}")
    try:
        config = json.loads(meta[_PREFIX + "config"])
        layout = json.loads(meta.get(_PREFIX + "label_layout", "{}"))
        h, w = parse_size_hw(meta.get(_PREFIX + "resolution", "256x192"), name="resolution")
    except (json.JSONDecodeError, ValueError) as err:
        raise CheckpointError(f"checkpoint: {path} has malformed KF-VTON metadata ({err})") from None
    return CheckpointInfo(
        path=str(path),
        architecture=meta[_PREFIX + "architecture"],
        config=config,
        resolution_hw=(h, w),
        label_layout=layout,
        format_version=version,
        source=meta.get(_PREFIX + "source", ""),
        tensors=tensors,
    )


def load_state_dict_strict(model: nn.Module, state: Mapping[str, Tensor], *, source: str = "checkpoint") -> None:
    """Load `state` into `model`, every key and shape checked; raise `CheckpointError` listing problems by name."""
    expected = model.state_dict()
    missing = sorted(expected.keys() - state.keys())
    unexpected = sorted(state.keys() - expected.keys())
    mismatched = sorted(
        f"{k}: file {tuple(state[k].shape)} vs model {tuple(expected[k].shape)}"
        for k in expected.keys() & state.keys()
        if tuple(state[k].shape) != tuple(expected[k].shape)
    )
    if missing or unexpected or mismatched:
        parts = []
        for title, names in (("missing", missing), ("unexpected", unexpected), ("shape mismatches", mismatched)):
            if names:
                shown = ", ".join(names[:8]) + (f", ... ({len(names) - 8} more)" if len(names) > 8 else "")
                parts.append(f"{len(names)} {title}: {shown}")
        raise CheckpointError(f"{source}: does not fit {type(model).__name__}: " + "; ".join(parts))
    model.load_state_dict(dict(state), strict=True)


def load_checkpoint(
    path: str | os.PathLike,
    *,
    architecture: str | Sequence[str] | None = None,
    device: torch.device | str = "cpu",
    dtype: torch.dtype | None = None,
) -> LoadedCheckpoint:
    """Build the network a checkpoint describes and load its weights strictly.

    Args:
        path: a `.safetensors` file written by `save_checkpoint` (or `python -m kfvton convert`).
        architecture: registry name(s) the file must hold; a file of another network raises.
        device: where the model goes.
        dtype: cast the model's floating parameters (default float32 whatever the file stores).

    Raises:
        FileNotFoundError; CheckpointError (a ValueError) for a non-safetensors, truncated, foreign or mismatched file.
    """
    info = read_checkpoint_info(path)
    if architecture is not None:
        allowed = [architecture] if isinstance(architecture, str) else list(architecture)
        if info.architecture not in allowed:
            raise CheckpointError(
                f"checkpoint: {info.path} holds a {info.architecture!r} network, expected {' or '.join(allowed)}"
            )
    try:
        entry = model_entry(info.architecture)
    except ValueError as err:
        raise CheckpointError(f"checkpoint: {info.path}: unknown architecture ({err})") from None
    config = config_from_json(entry.config, info.config)
    model = build_model(info.architecture, **{f.name: getattr(config, f.name) for f in dataclasses.fields(config)})
    try:
        with safe_open(info.path, framework="pt") as f:
            state = {k: f.get_tensor(k) for k in f.keys()}
    except SafetensorError as err:
        raise CheckpointError(f"checkpoint: {info.path} cannot be read ({err})") from None
    expected = model.state_dict()
    state = {k: v.to(expected[k].dtype) if k in expected and v.is_floating_point() else v for k, v in state.items()}
    load_state_dict_strict(model, state, source=f"checkpoint {info.path}")
    # channels_last: oneDNN (CPU) and cuDNN run these convolutions faster in NHWC, without a reorder per call.
    model = model.to(device=device, dtype=dtype or torch.float32, memory_format=torch.channels_last).eval()
    return LoadedCheckpoint(model, info)


# ----------------------------------------------------------------------------------------------------------- bundle

#: Which registered networks can fill each bundle slot.
SEG_ARCHITECTURES: tuple[str, ...] = ("kfvton_seg_256",)
WARP_ARCHITECTURES: tuple[str, ...] = ("kfvton_warp_256",)


def load_bundle(
    seg_path: str | os.PathLike,
    warp_path: str | os.PathLike,
    *,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
) -> ModelBundle:
    """Load a KF-VTON model: the segmentation generator file and the warp network file.

    Args:
        dtype: compute dtype; weights stay float32 and bfloat16/float16 run under autocast (see pipelines.learned).
    """
    if dtype not in (torch.float32, torch.bfloat16, torch.float16):
        raise ValueError(f"dtype: expected float32, bfloat16 or float16, got {dtype}")
    seg = load_checkpoint(seg_path, architecture=SEG_ARCHITECTURES, device=device)
    warp = load_checkpoint(warp_path, architecture=WARP_ARCHITECTURES, device=device)
    if seg.info.resolution_hw != warp.info.resolution_hw:
        raise CheckpointError(
            f"checkpoint: the seg file is for {seg.info.resolution_hw}, the warp file for {warp.info.resolution_hw}"
        )
    return ModelBundle(seg.model, warp.model, seg.info, warp.info, dtype)
