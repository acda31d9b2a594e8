"""Garment mask and landmark timing and quality on the sample garments; prints a table, never run by pytest.

    python benchmarks/bench_garment.py [--samples ../shared/samples] [--size 1024x768] [--draw /tmp/garment_lm]

Per garment: mask IoU against the dataset's cloth mask (VITON-HD JPEG masks thresholded at 128), best-of-N
wall time of `garment_mask_from_image` and of `detect_garment_landmarks` (CPU), and the sleeve kind. With
--draw, the outline and landmarks are drawn into PNGs to check them by eye.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kfvton.geometry.grid import parse_size_hw  # noqa: E402
from kfvton.keypoints.garment_landmarks import GARMENT_LANDMARKS, detect_garment_landmarks  # noqa: E402
from kfvton.preprocess.garment_mask import garment_mask_from_image  # noqa: E402
from kfvton.preprocess.io import load_image, load_mask  # noqa: E402

_COLOURS = {"collar": (255, 0, 0), "shoulder": (0, 160, 0), "sleeve": (0, 0, 255), "armpit": (255, 200, 0),
            "hem": (255, 0, 255)}  # fmt: skip


def best_of(fn, repeats: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best * 1e3, out


def draw(garment: torch.Tensor, mask: torch.Tensor, points: torch.Tensor, path: Path) -> None:
    import cv2

    img = (garment[0].permute(1, 2, 0).numpy() * 255).astype(np.uint8).copy()
    contours, _ = cv2.findContours(
        (mask[0, 0].numpy() > 0.5).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
    )
    cv2.drawContours(img, contours, -1, (0, 255, 0), 1)
    radius = max(2, img.shape[1] // 100)
    for name, (x, y, c) in zip(GARMENT_LANDMARKS, points.tolist(), strict=True):
        if c > 0:
            cv2.circle(img, (round(x), round(y)), radius, _COLOURS[name.split("_")[0]], -1)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=ROOT.parent / "shared" / "samples")
    parser.add_argument("--size", default=None, help="HxW to resize garments to, e.g. 256x192 (default: as stored)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--draw", type=Path, default=None, help="folder for PNGs with the landmarks drawn")
    args = parser.parse_args()

    paths = sorted((args.samples / "vitonhd" / "test" / "cloth").glob("*.jpg"))
    paths += sorted((args.samples / "hrviton" / "test" / "cloth").glob("*.jpg"))
    if not paths:
        print(f"no garments under {args.samples}", file=sys.stderr)
        return 1
    size = parse_size_hw(args.size, name="--size") if args.size else None

    print(f"{'garment':<12} {'HxW':>9} {'IoU':>6} {'mask ms':>8} {'lmk ms':>7}  sleeves  low-conf points")
    ious, t_mask, t_lmk = [], [], []
    for path in paths:
        garment = load_image(path)
        ref = load_mask(path.parent.parent / "cloth-mask" / path.name, threshold=128 / 255)
        if size is not None:
            garment = torch.nn.functional.interpolate(garment, size=size, mode="area")
            ref = (torch.nn.functional.interpolate(ref, size=size, mode="area") > 0.5).float()
        ms_mask, mask = best_of(lambda g=garment: garment_mask_from_image(g), args.repeats)
        ms_lmk, lm = best_of(lambda g=garment, m=mask: detect_garment_landmarks(g, m), args.repeats)
        ours, theirs = mask[0, 0] > 0.5, ref[0, 0] > 0.5
        iou = ((ours & theirs).sum() / (ours | theirs).sum()).item()
        ious.append(iou)
        t_mask.append(ms_mask)
        t_lmk.append(ms_lmk)
        weak = [n for n, c in zip(GARMENT_LANDMARKS, lm.points[0, :, 2].tolist(), strict=True) if 0 < c < 0.5]
        hw = f"{garment.shape[-2]}x{garment.shape[-1]}"
        print(f"{path.stem:<12} {hw:>9} {iou:6.3f} {ms_mask:8.1f} {ms_lmk:7.1f}  {lm.sleeves[0]:<7}  {', '.join(weak)}")
        if args.draw is not None:
            draw(garment, mask, lm.points[0], args.draw / f"{path.stem}.png")
    print(
        f"{'mean':<12} {'':>9} {np.mean(ious):6.3f} {np.mean(t_mask):8.1f} {np.mean(t_lmk):7.1f}  "
        f"(min IoU {np.min(ious):.3f}; torch threads {torch.get_num_threads()})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
