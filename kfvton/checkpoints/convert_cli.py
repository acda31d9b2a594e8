"""`python -m kfvton convert`: the authors' `.pth` checkpoints -> our self-describing `.safetensors` files.

Example:
    python -m kfvton convert seg_final.pth --model kfvton_seg_256 --output models/kfvton/checkpoints/kfvton_seg.safetensors
    python -m kfvton convert gen_model_final.pth --model kfvton_warp_256 --output .../kfvton_warp.safetensors

The authors' test code loads two files: the segmentation generator (`--model kfvton_seg_256`) and the warp network
(`--model kfvton_warp_256`: keypoint detector, dense motion and SPADE generator); convert both, then load the pair
with the "KF-VTON Load Model" node or `python -m kfvton tryon --checkpoint-seg ... --checkpoint-warp ...`.
Keys the authors' forward never uses are dropped and listed; any other unknown or missing key is an error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from .convert_authors import AUTHORS_LAYOUTS, load_authors_checkpoint
from .io import PRECISIONS, load_state_dict_strict, save_checkpoint

__all__ = ["add_arguments", "run", "convert_file"]


def convert_file(
    source: str | Path, model: str, output: str | Path, *, dtype: torch.dtype | None = None
) -> tuple[int, str]:
    """Convert one authors' checkpoint; returns (number of dropped keys, their summary).

    The converted weights are loaded into a freshly built network (strict) before anything is written.
    """
    from ..models.registry import build_model

    converted = load_authors_checkpoint(source, model)
    network = build_model(model)
    load_state_dict_strict(network, converted.state_dict, source=f"converted {source}")
    save_checkpoint(network, output, architecture=model, source=f"converted from {Path(source).name}", dtype=dtype)
    return len(converted.dropped), converted.dropped_summary()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", type=Path, help="the authors' checkpoint (.pth)")
    parser.add_argument("--model", required=True, choices=sorted(AUTHORS_LAYOUTS), help="which network the file holds")
    parser.add_argument("--output", "-o", type=Path, required=True, help="the .safetensors file to write")
    parser.add_argument("--dtype", choices=sorted(PRECISIONS), default="fp32", help="stored precision (default fp32)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing output file")


def run(args: argparse.Namespace) -> int:
    if args.output.exists() and not args.force:
        raise ValueError(f"--output: {args.output} exists; pass --force to overwrite it")
    if args.output.suffix != ".safetensors":
        raise ValueError(f"--output: expected a .safetensors file name, got {args.output.name}")
    n_dropped, summary = convert_file(args.source, args.model, args.output, dtype=PRECISIONS[args.dtype])
    print(f"wrote {args.output} ({args.model})")
    if n_dropped:
        print(f"dropped {n_dropped} keys the authors' forward never uses:")
        print(summary)
    return 0
