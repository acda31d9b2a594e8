"""`python -m kfvton evaluate`: SSIM/LPIPS (paired) and FID/KID (unpaired) of try-on result folders, as a report."""

from __future__ import annotations

import argparse
import logging

__all__ = ["add_arguments", "run"]


def _size(text: str) -> tuple[int, int]:
    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--size: expected HxW such as 256x192, got {text!r}") from None
    return h, w


def add_arguments(parser: argparse.ArgumentParser) -> None:
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
