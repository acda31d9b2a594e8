"""Run a node's library call over its batch in parts (item by item, or chunks on a GPU), so ComfyUI's progress bar
moves per item, Cancel stops within one item, and a chunk that runs out of device memory is split
(`_runtime.map_batch`).

Node values are cut and joined by kind: tensors along dim 0 (a batch of 1 is broadcast, as R10 asks of every
node); the pack's frozen dataclasses (Pose, KeypointPairs, Warp, NetworkInputs, ...) field by field; POSE_KEYPOINT
lists frame by frame; anything else (widget values, names, sizes) is passed whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from torch import Tensor

from . import _runtime as runtime

#: tuple fields of the pack's dataclasses that hold one entry per batch item (GarmentLandmarks.sleeves and .cuts,
#: CategoryLandmarks.kinds, ClassicalTryOn.tuck)
PER_ITEM_FIELDS = frozenset({"sleeves", "cuts", "kinds", "tuck"})
#: tuple fields that hold notes about the whole batch (ClassicalTryOn.warnings, QuickTryOn.placement_warnings):
#: joined without repeats
MERGED_FIELDS = frozenset({"warnings", "placement_warnings"})


def batch_of(value: Any) -> int | None:
    """The batch size of a node value, or None for values without one (widgets, names)."""
    if isinstance(value, Tensor):
        return int(value.shape[0]) if value.ndim > 0 else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            b = batch_of(getattr(value, f.name))
            if b is not None:
                return b
        return None
    if isinstance(value, list) and value and isinstance(value[0], dict):  # POSE_KEYPOINT: one dict per frame
        return len(value)
    return None


def take(value: Any, part: slice, total: int) -> Any:
    """Items `part` of `value` from a batch of `total`; a value of batch 1 (or none) is passed whole."""
    b = batch_of(value)
    if b is None or b == 1 or b != total:  # broadcast, or a mismatch the library reports naming both inputs
        return value
    if isinstance(value, Tensor):
        return value[part]
    if isinstance(value, list):
        return value[part]
    changes = {}
    for f in dataclasses.fields(value):
        item = getattr(value, f.name)
        if f.name in PER_ITEM_FIELDS and isinstance(item, tuple) and len(item) == total:
            changes[f.name] = item[part]
        elif isinstance(item, Tensor) or dataclasses.is_dataclass(item):
            changes[f.name] = take(item, part, total)
    return dataclasses.replace(value, **changes)


def join(parts: Sequence[Any]) -> Any:
    """Join the per-part results of `map_items` back into one batch (the inverse of `take`)."""
    first = parts[0]
    if len(parts) == 1:
        return first
    if isinstance(first, tuple):
        return tuple(join([p[i] for p in parts]) for i in range(len(first)))
    if isinstance(first, Tensor):
        return torch.cat(list(parts), dim=0)
    if isinstance(first, list):
        return [x for p in parts for x in p]
    if dataclasses.is_dataclass(first) and not isinstance(first, type):
        changes = {}
        for f in dataclasses.fields(first):
            items = [getattr(p, f.name) for p in parts]
            if f.name in PER_ITEM_FIELDS and isinstance(items[0], tuple):
                changes[f.name] = tuple(x for item in items for x in item)
            elif f.name in MERGED_FIELDS and isinstance(items[0], tuple):
                changes[f.name] = tuple(dict.fromkeys(x for item in items for x in item))
            elif isinstance(items[0], (Tensor, str)) or dataclasses.is_dataclass(items[0]):
                changes[f.name] = join(items)
        return dataclasses.replace(first, **changes)
    if isinstance(first, str):
        distinct = list(dict.fromkeys(parts))
        return distinct[0] if len(distinct) == 1 else "; ".join(distinct)
    return first


def map_items(
    fn: Callable[..., Any], inputs: Mapping[str, Any], *, what: str, chunk: int = 1, total: int | None = None
) -> Any:
    """`fn(**inputs)` computed part by part over the inputs' batch and joined.

    Raises:
        ValueError naming the inputs when their batches differ other than by a batch of 1 (before any work).

    Args:
        fn: the node's work on one part; returns its outputs (a tuple, a tensor, a dataclass...).
        inputs: its keyword arguments; batched values are cut with `take`.
        what: the work's name for errors ("classical try-on").
        chunk: items per part at first (1: progress and Cancel per item; split further on out-of-memory).
        total: the batch size; default the largest batch among the inputs.
    """
    sizes = {name: b for name, b in ((n, batch_of(v)) for n, v in inputs.items()) if b is not None}
    total = total or max(sizes.values(), default=1)
    odd = {name: b for name, b in sizes.items() if b not in (1, total)}
    if odd:  # R10: a batch of 1 broadcasts, any other mismatch is the user's to fix
        named = ", ".join(f"{name} has {b}" for name, b in {**sizes, **odd}.items() if b != 1)
        raise ValueError(f"{what}: batch sizes differ ({named} items); give each input the same batch or 1 item")
    parts = runtime.map_batch(
        lambda part: fn(**{k: take(v, part, total) for k, v in inputs.items()}), total, chunk=chunk, what=what
    )
    return join(parts)
