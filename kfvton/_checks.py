"""Input validation shared by every public boundary (style rule R4).

Each helper raises before any heavy work, with a message naming the argument, what was expected and what arrived.
"""

from __future__ import annotations

import math
import os
from collections.abc import Collection, Sequence
from pathlib import Path

import torch
from torch import Tensor

__all__ = [
    "check_shape",
    "check_same_batch",
    "check_finite",
    "check_image",
    "check_mask",
    "check_label_map",
    "check_device",
    "check_output_file",
    "check_output_folder",
    "working_float",
    "broadcast_batch",
]

#: Images and masks may overshoot [0, 1] this much (bicubic resizes ring at edges); farther is another range.
_RANGE_SLACK = 0.25


def check_shape(x: object, name: str, shape: Sequence[int | str]) -> None:
    """Raise unless `x` is a Tensor matching `shape` (str = free dim, int = fixed dim).

    A leading "..." entry allows any number of leading dims.
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(x).__name__}")
    shape = tuple(shape)
    if shape and shape[0] == "...":
        tail = shape[1:]
        dims = tuple(x.shape[x.ndim - len(tail) :]) if x.ndim >= len(tail) else None
        ok = dims is not None and all(not isinstance(s, int) or d == s for d, s in zip(dims, tail, strict=True))
    else:
        ok = x.ndim == len(shape) and all(not isinstance(s, int) or d == s for d, s in zip(x.shape, shape, strict=True))
    if not ok:
        raise ValueError(f"{name}: expected shape ({', '.join(map(str, shape))}), got {tuple(x.shape)}")


def check_finite(x: Tensor, name: str) -> None:
    """Raise if `x` holds NaN or infinite values; the message says how many."""
    if x.is_floating_point() and bool(torch.isfinite(x.detach().sum())):
        return  # a NaN or inf makes the sum non-finite: one cheap pass for the common case (an overflow is counted)
    finite = torch.isfinite(x)
    if not bool(finite.all()):
        bad = int(finite.numel() - finite.sum())
        raise ValueError(f"{name}: expected finite values, got {bad} NaN or inf of {finite.numel()}")


def _check_unit_range(x: Tensor, name: str, what: str) -> None:
    """Finite values in [0, 1] (up to `_RANGE_SLACK`); a 0..255 or -1..1 tensor is named as such."""
    if x.numel() == 0:
        check_finite(x, name)
        return
    # (one pass: a NaN makes both extremes NaN and an infinity is one of them, so finite extremes mean finite
    # values; `check_finite`'s own sum first was a second pass over every image a try-on checks, a dozen per call)
    lo, hi = (float(v) for v in torch.aminmax(x.detach()))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        check_finite(x, name)  # (raises, counting the NaN and inf values)
    if lo < -_RANGE_SLACK or hi > 1.0 + _RANGE_SLACK:
        hint = " (values 0..255? divide by 255)" if hi > 2.0 else " (values -1..1? map them with (x + 1) / 2)"
        raise ValueError(f"{name}: expected {what} values in [0, 1], got values in [{lo:.4g}, {hi:.4g}]{hint}")


def check_image(x: object, name: str, *, layout: str = "BCHW", channels: Sequence[int] = (3,)) -> None:
    """Raise unless `x` is a float image tensor with one of `channels` channels, values in [0, 1].

    Args:
        layout: "BCHW" (library) or "BHWC" (ComfyUI IMAGE).
    """
    check_shape(x, name, ("B", "C", "H", "W") if layout == "BCHW" else ("B", "H", "W", "C"))
    assert isinstance(x, Tensor)
    c = x.shape[1] if layout == "BCHW" else x.shape[-1]
    if c not in channels:
        raise ValueError(
            f"{name}: expected {' or '.join(map(str, channels))} channels ({layout}), got {c} (shape {tuple(x.shape)})"
        )
    if not x.is_floating_point():
        raise TypeError(f"{name}: expected a float image with values in [0, 1], got dtype {x.dtype}")
    if x.numel() == 0:
        raise ValueError(f"{name}: got an empty image of shape {tuple(x.shape)}")
    _check_unit_range(x, name, "image")


def check_mask(x: object, name: str, shape: Sequence[int | str] = ("B", "H", "W")) -> None:
    """Raise unless `x` is a float mask of `shape` (default (B, H, W)) with finite values in [0, 1]."""
    check_shape(x, name, shape)
    assert isinstance(x, Tensor)
    if not x.is_floating_point():
        raise TypeError(f"{name}: expected a float mask with values in [0, 1], got dtype {x.dtype}")
    _check_unit_range(x, name, "mask")


def check_label_map(parse: object, name: str, n_labels: int) -> None:
    """Raise unless `parse` is a (B, H, W) int64 label map with every label in [0, n_labels).

    The message lists the out-of-range labels found (e.g. 255, the "ignore" value of some datasets).
    """
    check_shape(parse, name, ("B", "H", "W"))
    assert isinstance(parse, Tensor)
    if parse.dtype != torch.int64:
        raise TypeError(f"{name}: expected an int64 label map, got dtype {parse.dtype}")
    if parse.numel() == 0:
        return
    lo, hi = (int(v) for v in torch.aminmax(parse))
    if lo >= 0 and hi < n_labels:
        return  # (one pass for the common case: the out-of-range mask and its gather took 5x as long)
    bad = parse[(parse < 0) | (parse >= n_labels)]
    if bad.numel():
        found = torch.unique(bad).tolist()
        listed = ", ".join(map(str, found[:12])) + (f" ... ({len(found)} in all)" if len(found) > 12 else "")
        raise ValueError(
            f"{name}: expected labels in [0, {n_labels - 1}], found {listed} in {bad.numel()} pixels "
            "(another label set, or a colour / grey image rather than a label map?)"
        )


def check_device(spec: object, name: str) -> torch.device:
    """`spec` ("cpu", "cuda", "cuda:1", "mps", or a torch.device) as a device this process can use; else raise.

    Raises:
        ValueError naming `name` for an unknown device string, CUDA without a CUDA build or GPU, a GPU index
        past the last one, or MPS where it is unavailable.
    """
    try:
        device = spec if isinstance(spec, torch.device) else torch.device(str(spec))
    except RuntimeError:
        raise ValueError(f"{name}: unknown device {spec!r}; expected cpu, cuda, cuda:N or mps") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            build = "a CPU-only build" if torch.version.cuda is None else f"built for CUDA {torch.version.cuda}"
            raise ValueError(
                f"{name}: {spec!r} asks for CUDA, but this torch ({torch.__version__}, {build}) sees no GPU; use cpu"
            )
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise ValueError(f"{name}: {spec!r} asks for GPU {device.index}, but only {count} GPU(s) are visible")
    elif device.type == "mps":
        if not torch.backends.mps.is_available():
            raise ValueError(f"{name}: {spec!r} asks for Apple MPS, which this machine or torch build lacks; use cpu")
    elif device.type != "cpu":
        raise ValueError(f"{name}: unsupported device {spec!r}; expected cpu, cuda, cuda:N or mps")
    return device


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()


def _check_folder_writable(folder: Path, name: str, target: Path) -> None:
    """`folder` (created later if missing) can be created and written to, for writing `target`."""
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise ValueError(f"{name}: cannot write {target}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PermissionError(f"{name}: no permission to write in {existing}")


def check_output_file(path: object, name: str, extensions: Collection[str] | None = None) -> Path:
    """Check, before any work, that a result can be written at `path`; return it as a Path.

    Args:
        extensions: accepted lower-case suffixes (".png", ...); None accepts any.

    Raises:
        ValueError when `path` is an existing folder, has another extension or lies under a file;
        PermissionError when its folder (or the nearest existing parent) is not writable.
    """
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ValueError(f"{name}: expected a file path, got {path!r}")
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"{name}: {p} is a folder; expected a file path such as {p / 'result.png'}")
    if extensions is not None and p.suffix.lower() not in extensions:
        got = repr(p.suffix) if p.suffix else "no extension"
        raise ValueError(f"{name}: expected a file ending in {', '.join(sorted(extensions))}, got {got} ({p})")
    _check_folder_writable(p.parent, name, p)
    if p.exists() and not os.access(p, os.W_OK):
        raise PermissionError(f"{name}: no permission to overwrite {p}")
    return p


def check_output_folder(path: object, name: str) -> Path:
    """Check, before any work, that `path` is (or can be created as) a writable folder; return it as a Path."""
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ValueError(f"{name}: expected a folder path, got {path!r}")
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise ValueError(f"{name}: {p} is a file; expected a folder (it is created when missing)")
    _check_folder_writable(p, name, p)
    return p


def working_float(x: Tensor) -> Tensor:
    """`x` in the precision the classical code computes in: float64 stays, every other dtype becomes float32.

    fp16 / bf16 images (ComfyUI with --fp16-vae, --bf16-...) lose the precision the TPS solves and colour
    statistics need and give NaN that vary from run to run.
    """
    return x if x.dtype in (torch.float32, torch.float64) else x.float()


def check_same_batch(batches: dict[str, int]) -> int:
    """Return the common batch size of named inputs where batch 1 broadcasts (rule R10); raise naming both on mismatch.

    Args:
        batches: input name -> its batch size.
    """
    target = 1
    owner = ""
    for name, b in batches.items():
        if b == 1:
            continue
        if target == 1:
            target, owner = b, name
        elif b != target:
            raise ValueError(
                f"batch size mismatch: {owner} has {target} items but {name} has {b}; "
                "use equal batch sizes or a batch of 1 to broadcast"
            )
    return target


def broadcast_batch(x: Tensor, batch: int, name: str) -> Tensor:
    """Expand a batch-1 tensor to `batch` along dim 0 (no copy); pass through tensors already that size."""
    if x.shape[0] == batch:
        return x
    if x.shape[0] == 1:
        return x.expand(batch, *x.shape[1:])
    raise ValueError(f"{name}: batch of {x.shape[0]} cannot broadcast to {batch}")
