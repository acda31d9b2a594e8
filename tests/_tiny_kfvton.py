"""Tiny random-weight KF-VTON networks and checkpoint files for tests (128x96, a few channels)."""

from __future__ import annotations

from pathlib import Path

import torch

from kfvton.models.dense_motion import DenseMotionConfig
from kfvton.models.keypoint_detector import KeypointDetectorConfig
from kfvton.models.registry import build_model
from kfvton.models.spade_generator import SpadeGeneratorConfig

TINY_HW = (128, 96)


def tiny_seg(seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return build_model("kfvton_seg_256", ngf=4)


def tiny_warp(seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return build_model(
        "kfvton_warp_256",
        kp_detector=KeypointDetectorConfig(widths=(8, 8, 16), native_hw=TINY_HW),
        dense_motion=DenseMotionConfig(expansion=4, max_features=16),
        generator=SpadeGeneratorConfig(ngf=4, side_nc=4),
        motion_hw=TINY_HW,
    )


def write_tiny_bundle(folder: Path, seed: int = 0) -> tuple[Path, Path]:
    """Save a tiny seg and warp network as checkpoint files in `folder`; returns (seg_path, warp_path)."""
    from kfvton.checkpoints.io import save_checkpoint

    seg_path, warp_path = folder / "tiny_seg.safetensors", folder / "tiny_warp.safetensors"
    save_checkpoint(tiny_seg(seed), seg_path, architecture="kfvton_seg_256", resolution_hw=TINY_HW, source="test")
    save_checkpoint(tiny_warp(seed), warp_path, architecture="kfvton_warp_256", resolution_hw=TINY_HW, source="test")
    return seg_path, warp_path
