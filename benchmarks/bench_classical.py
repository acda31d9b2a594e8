"""Median time of each stage of the classical try-on, and of the whole call, at 1024 x 768 (VITON-HD samples).

    python benchmarks/bench_classical.py [--repeats 7] [--threads 2] [--device cpu|cuda|all]

Inputs: person 00891_00 with its OpenPose JSON and parse map, garment 01260_00 with its cloth mask, from
../shared/samples (or $KFVTON_SAMPLES_DIR). The pose is given (no pose estimation is timed). "whole" is one
`classical_tryon` call; the stages are timed separately on the same inputs, so they need not add up exactly.
Target (issue 12): whole try-on <= 0.4 s median at 1024 x 768 on 2 CPU threads (377-379 ms mask + parse given,
299-301 ms pose only, on a quiet machine, 2026-12-06, round 14; see docs/classical.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kfvton.keypoints.formats import pose_from_openpose_json  # noqa: E402
from kfvton.keypoints.garment_landmarks import detect_garment_landmarks  # noqa: E402
from kfvton.keypoints.placement import place_garment_landmarks  # noqa: E402
from kfvton.pipelines.classical import DEFAULT_GRID_STEP, body_masks_from_parse, classical_tryon, target_mask_from_parse  # noqa: E402
from kfvton.pipelines.composite import composite_garment  # noqa: E402
from kfvton.pipelines.garment_warp import warp_by_parts, warp_garment  # noqa: E402
from kfvton.preprocess.garment_mask import prepare_garment_mask  # noqa: E402
from kfvton.preprocess.io import load_image, load_mask, load_parse  # noqa: E402

SAMPLES = Path(os.environ.get("KFVTON_SAMPLES_DIR", ROOT.parent / "shared" / "samples")) / "vitonhd" / "test"


def _median_ms(fn: Callable[[], object], repeats: int, device: torch.device) -> tuple[float, float]:
    """(median wall ms, median process CPU ms): on a busy machine the CPU time, with --threads 1, is the better
    estimate of the wall time on an idle core."""
    fn()  # warm-up
    walls, cpus = [], []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return 1000 * statistics.median(walls), 1000 * statistics.median(cpus)


def bench(device: torch.device, repeats: int) -> list[tuple[str, tuple[float, float]]]:
    person = load_image(SAMPLES / "image" / "00891_00.jpg").to(device)
    parse = load_parse(SAMPLES / "image-parse" / "00891_00.png").to(device)
    pose = pose_from_openpose_json(SAMPLES / "openpose-json" / "00891_00_keypoints.json", person.shape[-2:])
    pose = pose.to(device)
    garment = load_image(SAMPLES / "cloth" / "01260_00.jpg").to(device)
    cloth_mask = load_mask(SAMPLES / "cloth-mask" / "01260_00.jpg").to(device)
    target = target_mask_from_parse(parse)
    body = body_masks_from_parse(parse)

    mask = prepare_garment_mask(garment, cloth_mask).mask
    landmarks = detect_garment_landmarks(garment, mask)
    pairs = place_garment_landmarks(landmarks, pose, target_mask=target)
    warp = warp_by_parts(pairs, mask, grid_step=DEFAULT_GRID_STEP)
    warped = warp_garment(garment, mask, warp)
    rows = [
        ("garment mask (given)", lambda: prepare_garment_mask(garment, cloth_mask)),
        ("garment mask (computed)", lambda: prepare_garment_mask(garment)),
        ("garment landmarks", lambda: detect_garment_landmarks(garment, mask)),
        ("placement (with target mask)", lambda: place_garment_landmarks(landmarks, pose, target_mask=target)),
        ("placement (body masks, tuck auto)", lambda: place_garment_landmarks(landmarks, pose, body=body)),
        ("part TPS warp grid", lambda: warp_by_parts(pairs, mask, grid_step=DEFAULT_GRID_STEP)),
        ("warp garment + mask", lambda: warp_garment(garment, mask, warp)),
        (
            "composite (parse)",
            lambda: composite_garment(person, warped.image, warped.mask, parse=parse, keypoints=pairs),
        ),
        (
            "WHOLE try-on (mask + parse given)",
            lambda: classical_tryon(person, garment, pose, garment_mask=cloth_mask, parse=parse),
        ),
        ("WHOLE try-on (pose only, as the README)", lambda: classical_tryon(person, garment, pose)),
    ]
    return [(name, _median_ms(fn, repeats, device)) for name, fn in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2, the CI machine)")
    parser.add_argument("--device", default="all", help="cpu, cuda or all (cuda when available)")
    args = parser.parse_args()
    if not SAMPLES.is_dir():
        print(f"samples not found at {SAMPLES}; set KFVTON_SAMPLES_DIR", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    devices = ["cpu", "cuda"] if args.device == "all" else [args.device]
    devices = [d for d in devices if d != "cuda" or torch.cuda.is_available()]
    results = {d: bench(torch.device(d), args.repeats) for d in devices}
    names = [n for n, _ in results[devices[0]]]
    print(
        f"classical try-on at 1024x768, median of {args.repeats} runs, {args.threads} CPU threads, torch {torch.__version__}"
    )
    header = f"| {'stage':<42} |" + "".join(f" {d + ' wall ms':>12} | {d + ' cpu ms':>11} |" for d in devices)
    print(header)
    print("|" + "-" * 44 + "|" + "".join("-" * 14 + "|" + "-" * 13 + "|" for _ in devices))
    for i, name in enumerate(names):
        cells = "".join(f" {results[d][i][1][0]:>12.1f} | {results[d][i][1][1]:>11.1f} |" for d in devices)
        print(f"| {name:<42} |" + cells)
    print(
        f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times inflate when it is above the cores)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
