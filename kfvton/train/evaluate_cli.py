"""`python -m kfvton evaluate`: SSIM/LPIPS (paired) and FID/KID (unpaired) of try-on result folders, as a report."""

from __future__ import annotations

import argparse
import logging

from ..geometry.grid import parse_size_hw

__all__ = ["add_arguments", "run"]


def _size(text: str) -> tuple[int, int]:
    try:
        return parse_size_hw(text, name="--size")
    except ValueError as err:  # argparse shows an ArgumentTypeError's own message
        raise argparse.ArgumentTypeError(str(err)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seg", help="trained seg checkpoint: generate the results first (with --warp, --dataroot)")
    parser.add_argument("--warp", help="trained warp checkpoint (kfvton_warp.safetensors)")
    parser.add_argument("--checkpoint", help="a training checkpoint folder (holds kfvton_seg/kfvton_warp.safetensors)")
    parser.add_argument(
        "--dataroot", help="dataset folder: results are generated for <split>, compared with its image/"
    )
    parser.add_argument("--split", default="test")
    parser.add_argument("--limit", type=int, help="only the first N pairs (quick checks; not comparable with tables)")
    parser.add_argument("--paired-results", help="try-on results of the paired test (file stem = person stem)")
    parser.add_argument("--paired-gt", help="ground-truth person photos (the test split's image/ folder)")
    parser.add_argument("--unpaired-results", help="try-on results of the unpaired test pairs")
    parser.add_argument("--real", help="real person photos for FID/KID (the test split's image/ folder)")
    parser.add_argument("--size", type=_size, help="evaluation size HxW (default: the results' size)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--out", required=True, help="folder for report.json and report.md")


def run(args: argparse.Namespace) -> int:
    from .evaluate import evaluate_folders, write_report

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if args.checkpoint or args.seg or args.warp:
        _generate(args)
    report = evaluate_folders(
        paired_results=args.paired_results,
        paired_gt=args.paired_gt,
        unpaired_results=args.unpaired_results,
        real=args.real,
        size_hw=args.size,
        device=args.device,
        batch=args.batch,
    )
    _, md = write_report(report, args.out)
    print(md.read_text())
    return 0


def _generate(args: argparse.Namespace) -> None:
    """Fill --paired-results / --unpaired-results (and the ground truth) by running the model on --dataroot."""
    from pathlib import Path

    from .datasets import BadSampleError
    from .evaluate import generate_results

    if args.checkpoint:
        folder = Path(args.checkpoint)
        args.seg, args.warp = (
            args.seg or folder / "kfvton_seg.safetensors",
            args.warp or folder / "kfvton_warp.safetensors",
        )
    if not (args.seg and args.warp and args.dataroot):
        raise ValueError("evaluate: generating results needs --checkpoint (or --seg and --warp) and --dataroot")
    out, image_dir = Path(args.out), str(Path(args.dataroot) / args.split / "image")
    common = {"split": args.split, "size_hw": args.size, "device": args.device, "limit": args.limit}
    try:
        generate_results(args.seg, args.warp, args.dataroot, out / "paired", pairs="paired", **common)
        args.paired_results, args.paired_gt = str(out / "paired"), image_dir
    except (ValueError, BadSampleError) as err:  # e.g. a split whose persons' own garments are absent
        logging.getLogger("kfvton").warning("evaluate: no paired results (%s); SSIM/LPIPS skipped", err)
    try:
        generate_results(args.seg, args.warp, args.dataroot, out / "unpaired", pairs="unpaired", **common)
        args.unpaired_results, args.real = str(out / "unpaired"), image_dir
    except (ValueError, FileNotFoundError) as err:
        logging.getLogger("kfvton").warning("evaluate: no unpaired results (%s); FID/KID skipped", err)
