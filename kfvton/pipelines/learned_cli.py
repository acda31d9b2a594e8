"""The learned branch of `python -m kfvton tryon`: `--checkpoint-seg` and `--checkpoint-warp` select it.

    python -m kfvton tryon --person P.jpg --garment G.jpg --garment-mask M.jpg --pose P_keypoints.json \
        --parse P.png --checkpoint-seg kfvton_seg.safetensors --checkpoint-warp kfvton_warp.safetensors \
        --out out/tryon.png [--size 512x384] [--dtype bf16] [--save-intermediates DIR]

`tryon_cli` adds these options (`add_learned_arguments`) and calls `run_learned` when a checkpoint is given.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from torch import Tensor

from .._atomic import write_text_atomic
from ..checkpoints.io import PRECISIONS, load_bundle
from ..geometry.grid import parse_size_hw
from ..keypoints.pose import Pose
from ..preprocess.io import save_image, save_mask
from .learned import kfvton_tryon_photos

__all__ = ["add_learned_arguments", "wants_learned", "run_learned", "parse_size"]


def parse_size(text: str) -> tuple[int, int]:
    """ "512x384" -> (512, 384); raises naming --size."""
    return parse_size_hw(text, name="--size")


def add_learned_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("learned KF-VTON (needs --parse and a garment mask)")
    group.add_argument("--checkpoint-seg", help="segmentation generator .safetensors (python -m kfvton convert)")
    group.add_argument("--checkpoint-warp", help="warp network .safetensors (python -m kfvton convert)")
    group.add_argument("--size", default=None, help="working size HxW: 256x192 (default), 512x384 or 1024x768")
    group.add_argument("--dtype", choices=sorted(PRECISIONS), default="fp32", help="compute precision (default fp32)")


def wants_learned(args: argparse.Namespace) -> bool:
    """True when a checkpoint option is given; raises naming the other one when only one of the two is."""
    seg, warp = getattr(args, "checkpoint_seg", None), getattr(args, "checkpoint_warp", None)
    if bool(seg) != bool(warp):
        missing = "--checkpoint-warp" if seg else "--checkpoint-seg"
        raise ValueError(f"{missing}: the learned try-on needs both --checkpoint-seg and --checkpoint-warp")
    return bool(seg)


def run_learned(
    args: argparse.Namespace,
    person: Tensor,
    garment: Tensor,
    garment_mask: Tensor | None,
    pose: Pose,
    parse: Tensor | None,
) -> int:
    """Run the learned try-on on loaded inputs and write `args.out` (and intermediates)."""
    started = time.perf_counter()
    if parse is None:
        raise ValueError("--parse: the learned try-on needs the person's parse map (LIP/VITON-HD label PNG)")
    if garment_mask is None:
        raise ValueError("--garment-mask: the learned try-on needs a garment mask (or a garment PNG with alpha)")
    device = torch.device(args.device)
    bundle = load_bundle(args.checkpoint_seg, args.checkpoint_warp, device=device, dtype=PRECISIONS[args.dtype])
    size = parse_size(args.size) if args.size else bundle.resolution_hw
    result = kfvton_tryon_photos(
        bundle,
        person.to(device),
        garment.to(device),
        garment_mask.to(device),
        pose.to(device),
        parse.to(device),
        size_hw=size,
    )
    save_image(result.image[:1], args.out)
    if args.save_intermediates:
        folder = Path(args.save_intermediates)
        save_image(result.warped_garment[:1], folder / "warped_garment.png")
        save_mask(result.flow.warp.occlusion[:1], folder / "occlusion.png")
        save_mask(result.parse.clothes_mask[:1], folder / "clothes_mask.png")
        pairs = result.keypoints.pairs
        record = {
            "origin": pairs.origin,
            "groups": pairs.groups,
            "garment_hw": list(pairs.garment_hw),
            "person_hw": list(pairs.person_hw),
            "names": list(pairs.names),
            "garment_px": pairs.garment_px[0, :, :2].tolist(),
            "person_px": pairs.person_px[0, :, :2].tolist(),
        }
        write_text_atomic(folder / "keypoints.json", json.dumps(record))
    print(
        f"wrote {args.out} (learned KF-VTON, {size[0]}x{size[1]}, {args.dtype}, {time.perf_counter() - started:.2f} s)"
    )
    return 0
