"""`python -m kfvton export`: KF-VTON networks from our `.safetensors` checkpoints to ONNX.

Example:
    python -m kfvton export kfvton_seg.safetensors --output kfvton_seg.onnx
    python -m kfvton export kfvton_warp.safetensors --part kp_detector --output kfvton_kp.onnx
    python -m kfvton export kfvton_warp.safetensors --part generator --output kfvton_spade.onnx
    python -m kfvton export kfvton_warp.safetensors --part dense_motion --output kfvton_dense_motion.onnx
    python -m kfvton export kfvton_warp.safetensors --output kfvton_warp.onnx   # the whole warp network

The dense motion network's TPS solve is exported as fixed Newton-Schulz iterations in float64 (standard operators;
see `export_onnx`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .export_onnx import export_network
from .io import load_checkpoint

__all__ = ["add_arguments", "run"]

#: --part of a warp-network checkpoint -> (attribute, registry name of the part)
_PARTS = {
    "kp_detector": ("kp_detector", "kfvton_kp_detector_256"),
    "generator": ("generator", "kfvton_spade_generator_256"),
    "dense_motion": ("dense_motion", "kfvton_dense_motion_256"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("checkpoint", type=Path, help="a KF-VTON .safetensors checkpoint")
    parser.add_argument("--output", "-o", type=Path, required=True, help="the .onnx file to write")
    parser.add_argument(
        "--part",
        choices=sorted(_PARTS),
        help="for a warp-network checkpoint: export only this part (default: the whole network)",
    )
    parser.add_argument("--height", type=int, default=None, help="input height (default: the checkpoint's)")
    parser.add_argument("--width", type=int, default=None, help="input width (default: the checkpoint's)")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset (>= 17)")


def run(args: argparse.Namespace) -> int:
    loaded = load_checkpoint(args.checkpoint)
    model, architecture = loaded.model, loaded.info.architecture
    if args.part is not None:
        if architecture != "kfvton_warp_256":
            raise ValueError(f"--part: only for a kfvton_warp_256 checkpoint, {args.checkpoint} holds {architecture}")
        attribute, architecture = _PARTS[args.part]
        model = getattr(model, attribute)
    h, w = loaded.info.resolution_hw
    size = (args.height or h, args.width or w)
    done = export_network(model, architecture, args.output, size_hw=size, opset=args.opset)
    print(f"wrote {done.path}: {architecture}, inputs {list(done.input_names)}, outputs {list(done.output_names)}")
    return 0
