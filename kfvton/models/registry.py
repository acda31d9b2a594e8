"""Model registry: every KF-VTON network has a name; `build_model(name, **overrides)` builds it.

Example:
    >>> from kfvton.models.registry import build_model, list_models
    >>> "kfvton_seg_256" in list_models()
    True
    >>> seg = build_model("kfvton_seg_256", ngf=16)  # config fields override by keyword
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from torch import nn

__all__ = ["ModelEntry", "register_model", "build_model", "list_models", "model_entry"]

# Modules whose import registers networks (imported on first registry use, not at package import).
_NETWORK_MODULES = ("keypoint_detector", "dense_motion", "spade_generator", "seg_generator", "warp_network")


@dataclass(frozen=True)
class ModelEntry:
    """A registered network: its class, its config class and the default config of this name."""

    name: str
    model_class: type[nn.Module]
    config: Any  # a frozen config dataclass instance
    description: str


_REGISTRY: dict[str, ModelEntry] = {}
_loaded = False


def register_model(name: str, config: Any, description: str = "") -> Callable[[type[nn.Module]], type[nn.Module]]:
    """Class decorator: register `cls(config)` under `name` (several names may share a class)."""
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise TypeError(f"config: expected a config dataclass instance, got {type(config).__name__}")

    def decorate(cls: type[nn.Module]) -> type[nn.Module]:
        if name in _REGISTRY and _REGISTRY[name].model_class is not cls:
            raise ValueError(f"register_model: name {name!r} is already taken by {_REGISTRY[name].model_class}")
        _REGISTRY[name] = ModelEntry(name, cls, config, description or (cls.__doc__ or "").strip().split("\n")[0])
        return cls

    return decorate


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in _NETWORK_MODULES:
            importlib.import_module(f"{__package__}.{module}")
        _loaded = True


def list_models() -> list[str]:
    """Registered names, sorted."""
    _load()
    return sorted(_REGISTRY)


def model_entry(name: str) -> ModelEntry:
    """The entry of `name`; ValueError listing the known names when unknown."""
    _load()
    if name not in _REGISTRY:
        raise ValueError(f"model name: expected one of {sorted(_REGISTRY)}, got {name!r}")
    return _REGISTRY[name]


def build_model(name: str, **overrides: Any) -> nn.Module:
    """Build the network registered as `name` with its default config, fields replaced by `overrides`.

    The model is in eval mode with freshly initialised weights; load a state dict to use it.
    """
    entry = model_entry(name)
    fields = {f.name for f in dataclasses.fields(entry.config)}
    unknown = sorted(set(overrides) - fields)
    if unknown:
        raise TypeError(f"build_model({name!r}): unknown config fields {unknown}; known: {sorted(fields)}")
    config = dataclasses.replace(entry.config, **overrides)
    return entry.model_class(config).eval()
