"""Training configuration: YAML/JSON files in `configs/` -> a `TrainConfig` of plain dataclasses.

A config file has four sections (every key optional; see `configs/kfvton_256.yaml` for all of them):

    data:   where and how samples are read (`kfvton.train.datasets.TryOnDataset`)
    model:  network config overrides (`seg`, `warp` with nested `kp_detector`/`dense_motion`/`generator`,
            `discriminator`)
    train:  stage, steps, batch, optimiser, learning rates, decay, AMP, seeds, logging cadence
    loss:   loss weights and the VGG weights file

YAML is read with PyYAML when installed; JSON always works. Unknown keys raise, naming the section and the key.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "DataConfig",
    "ModelConfig",
    "OptimConfig",
    "LossConfig",
    "TrainConfig",
    "load_config",
    "config_from_dict",
    "apply_overrides",
]


@dataclass
class DataConfig:
    """See `TryOnDataset` for the meaning of each field; `size_hw` is the working resolution."""

    dataroot: str = ""
    split: str = "train"
    size_hw: tuple[int, int] = (256, 192)
    pairs: str = "paired"
    pair_list: str | None = None
    layout: str = "auto"  # or "dresscode": `kfvton.train.dresscode.DressCodeDataset` (with `category`)
    category: str = "all"  # Dress Code only: upper_body, lower_body, dresses or all
    flip: float = 0.5
    scale: float = 0.05
    shift: float = 0.03
    on_bad_sample: str = "skip"
    limit: int | None = None
    num_workers: int = 2
    cache: bool = False
    #: train on unpaired pairs with the person's OWN garment region as the warp/generator target. Wrong for real
    #: training (the garment differs from the target); only for smoke runs on unpaired sample folders.
    allow_unpaired: bool = False


@dataclass
class ModelConfig:
    """Overrides of the registered networks' config fields (nested dicts for nested configs)."""

    seg: dict[str, Any] = field(default_factory=dict)
    warp: dict[str, Any] = field(default_factory=dict)
    discriminator: dict[str, Any] = field(default_factory=dict)


@dataclass
class OptimConfig:
    """Stage, schedule and optimiser settings.

    Attributes:
        stage: "seg" (segmentation generator), "warp" (warp network: keypoints, dense motion and generator) or
            "joint" (both, each on ground-truth inputs).
        steps: optimiser steps; accum_steps micro-batches of batch_size each make one step (per process).
        optimizer: "adam" or "adamw"; lr_*: learning rates of the seg generator, the warp part (keypoint
            detector + dense motion), the SPADE generator and the discriminator.
        decay_start: step from which every learning rate decays linearly to 0 at `steps` (pix2pixHD schedule).
        amp: mixed precision (float16 autocast + GradScaler) on CUDA; ignored on CPU (logged).
        tps_dropout: drop whole TPS groups from the dense-motion blend with the `tps_dropout_probability`
            schedule (epochs counted in samples seen / dataset size); False disables.
        log_every, sample_every, ckpt_every: cadence in steps (0 = never; a final checkpoint is always written).
        init_from: checkpoint folder to take the networks' starting weights from (not the optimiser state).
    """

    stage: str = "warp"
    steps: int = 100000
    batch_size: int = 8
    accum_steps: int = 1
    optimizer: str = "adam"
    lr_seg: float = 2e-4
    lr_warp: float = 2e-4
    lr_gen: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    weight_decay: float = 0.0
    decay_start: int = 50000
    grad_clip: float = 0.0
    amp: bool = True
    seed: int = 0
    tps_dropout: bool = True
    tps_dropout_start_p: float = 0.1
    tps_dropout_max_p: float = 0.3
    tps_dropout_inc_epochs: float = 10.0
    tps_dropout_stop_epoch: float = 35.0
    log_every: int = 50
    sample_every: int = 1000
    ckpt_every: int = 5000
    out_dir: str = "runs/kfvton"
    #: a checkpoint folder whose network weights start this run (no optimiser state): e.g. the seg stage's final
    #: folder when starting the warp stage, so the last checkpoint holds both trained networks
    init_from: str | None = None


@dataclass
class LossConfig:
    """Loss weights (0 disables a term, explicitly); `vgg_weights` is torchvision's vgg19 state dict file."""

    warp_l1: float = 1.0
    warp_mask_l1: float = 1.0
    warp_perceptual: float = 0.2
    warp_style: float = 0.0
    warp_scales: int = 3
    equivariance: float = 10.0
    equivariance_sigma_affine: float = 0.05
    equivariance_sigma_tps: float = 0.005
    seg_ce: float = 1.0
    gen_l1: float = 1.0
    gen_perceptual: float = 1.0
    gen_style: float = 0.0
    gan: float = 1.0
    feature_matching: float = 10.0
    vgg_weights: str | None = None


@dataclass
class TrainConfig:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: OptimConfig = field(default_factory=OptimConfig)
    loss: LossConfig = field(default_factory=LossConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_SECTIONS = {"data": DataConfig, "model": ModelConfig, "train": OptimConfig, "loss": LossConfig}


def _section(cls: type, values: dict[str, Any], name: str) -> Any:
    if not isinstance(values, dict):
        raise ValueError(f"config section {name!r}: expected a mapping, got {type(values).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValueError(f"config section {name!r}: unknown keys {unknown}; known: {sorted(fields)}")
    out = {}
    for key, value in values.items():
        default = getattr(cls(), key)
        if isinstance(default, tuple) and isinstance(value, list):
            value = tuple(value)
        out[key] = value
    return cls(**out)


def config_from_dict(raw: dict[str, Any]) -> TrainConfig:
    """Build a `TrainConfig` from nested dicts; raises on unknown sections or keys."""
    if not isinstance(raw, dict):
        raise ValueError(f"config: expected a mapping at the top level, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(_SECTIONS))
    if unknown:
        raise ValueError(f"config: unknown sections {unknown}; known: {sorted(_SECTIONS)}")
    cfg = TrainConfig(**{name: _section(cls, raw.get(name) or {}, name) for name, cls in _SECTIONS.items()})
    validate_config(cfg)
    return cfg


def validate_config(cfg: TrainConfig) -> None:
    """Raise on values that cannot work, naming the key."""
    t = cfg.train
    if t.stage not in ("seg", "warp", "joint"):
        raise ValueError(f"train.stage: expected 'seg', 'warp' or 'joint', got {t.stage!r}")
    if t.optimizer not in ("adam", "adamw"):
        raise ValueError(f"train.optimizer: expected 'adam' or 'adamw', got {t.optimizer!r}")
    for key in ("steps", "batch_size", "accum_steps"):
        if getattr(t, key) < 1:
            raise ValueError(f"train.{key}: expected >= 1, got {getattr(t, key)}")
    h, w = cfg.data.size_hw
    multiple = 32 if t.stage in ("seg", "joint") else 16  # the seg generator needs 32, the input builder 16
    if h % multiple or w % multiple:
        raise ValueError(f"data.size_hw: expected multiples of {multiple} for stage {t.stage!r}, got {h}x{w}")
    for key, value in dataclasses.asdict(cfg.loss).items():
        if isinstance(value, float) and value < 0:
            raise ValueError(f"loss.{key}: expected >= 0, got {value}")


def _read(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # optional dependency
        except ImportError:
            raise ValueError(
                f"config: {path} is YAML but PyYAML is not installed; `pip install pyyaml` or use a .json config"
            ) from None
        data = yaml.safe_load(text)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ValueError(f"config: {path} is not valid JSON ({err})") from None
    return data or {}


def load_config(path: str | os.PathLike, overrides: list[str] | None = None) -> TrainConfig:
    """Read a YAML or JSON config file, apply `section.key=value` overrides, validate.

    A top-level `base: other.yaml` key (path relative to this file) is read first and updated section-wise.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"config: file not found: {p}")
    raw = _read(p)
    base = raw.pop("base", None)
    if base:
        merged = _read(p.parent / base)
        for section, values in raw.items():
            merged.setdefault(section, {})
            merged[section] = _deep_update(merged[section] or {}, values or {})
        raw = merged
    return config_from_dict(apply_overrides(raw, overrides or []))


def _deep_update(base: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in new.items():
        out[k] = _deep_update(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def apply_overrides(raw: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply `section.key=value` (value parsed as JSON when it parses, else a string); nested keys use dots."""
    out = json.loads(json.dumps(raw))
    for item in overrides:
        if "=" not in item:
            raise ValueError(f"--set: expected section.key=value, got {item!r}")
        key, value = item.split("=", 1)
        parts = key.strip().split(".")
        if len(parts) < 2:
            raise ValueError(f"--set: expected section.key=value, got {item!r}")
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = value
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = parsed
    return out
