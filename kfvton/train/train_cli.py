"""`python -m kfvton train`: train KF-VTON networks from a YAML/JSON config on a dataset folder.

Multi-GPU: `torchrun --nproc_per_node 4 -m kfvton train --config ...` (DistributedDataParallel, one process per GPU).
"""

from __future__ import annotations

import argparse
import logging

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", required=True, help="YAML or JSON config (configs/kfvton_256.yaml, smoke.yaml, ...)"
    )
    parser.add_argument("--dataroot", help="dataset folder holding <split>/ and <split>_pairs.txt (data.dataroot)")
    parser.add_argument("--out", help="output folder: checkpoints, logs, sample grids (train.out_dir)")
    parser.add_argument("--stage", choices=("seg", "warp", "joint"), help="train.stage")
    parser.add_argument("--steps", type=int, help="train.steps")
    parser.add_argument("--vgg-weights", help="torchvision vgg19 state dict for the perceptual/style loss")
    parser.add_argument("--resume", help="checkpoint folder (<out>/checkpoints/step_N) or 'latest'")
    parser.add_argument("--init", help="checkpoint folder whose network weights start the run (train.init_from)")
    parser.add_argument("--device", help="cpu, cuda, cuda:1 (default: this rank's GPU, else CPU)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override any config key (repeatable)"
    )


def run(args: argparse.Namespace) -> int:
    from .config import load_config
    from .trainer import Trainer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    overrides = list(args.set)
    flags = {
        "dataroot": "data.dataroot",
        "out": "train.out_dir",
        "stage": "train.stage",
        "steps": "train.steps",
        "vgg_weights": "loss.vgg_weights",
        "init": "train.init_from",
    }
    for flag, key in flags.items():
        value = getattr(args, flag)
        if value is not None:
            overrides.append(f"{key}={value}")
    config = load_config(args.config, overrides)
    trainer = Trainer(config, device=args.device, resume=args.resume)
    step = trainer.fit()
    if trainer.is_main:
        print(f"trained to step {step}; checkpoint {trainer.checkpoint_dir(step)}")
    return 0
