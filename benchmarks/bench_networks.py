"""Learned KF-VTON per-stage latency, peak memory and achieved GFLOP/s; prints a table, never run by pytest.

    python benchmarks/bench_networks.py [--quick] [--repeats 3] [--sizes 256x192,512x384,1024x768] [--batches 1,4]
                                        [--dtypes fp32,bf16] [--device cpu|cuda] [--threads N]
                                        [--seg SEG.safetensors --warp WARP.safetensors]

Weights: `--seg/--warp` checkpoints (e.g. your trained ones), else the reference-vector weights of
../shared/reference/kfvton256 (the authors' modules with random parameters, stored in their key layout and
converted with `convert_authors`), else freshly initialised networks.
Inputs: the VITON-HD sample pair 00891_00 / 01260_00 through `build_network_inputs`, repeated to the batch size.

Stages (kfvton.pipelines.learned): seg (segmentation generator), keypoints (detector), flow (dense motion + garment
warp), spade (generator); total = `kfvton_tryon` on prepared inputs; inputs = `build_network_inputs` (not a network).
GFLOP counts convolution, linear and matmul multiply-adds x 2 with torch.utils.flop_counter.FlopCounterMode, at the
aten level: forward hooks on nn.Conv2d/nn.Linear would miss the networks' functional convolutions (spectral-norm
and fused SPADE convs call F.conv2d). Other ops (norms, activations, grid_sample) are not counted. Peak memory is the rise
of the process RSS during the stage's first call (CPU, sampled every 2 ms; 0 when the allocator reuses freed
memory) or torch.cuda.max_memory_allocated (CUDA). The precisions of one stage are timed interleaved (fp32, bf16,
fp32, ...), so load changes on a shared machine hit them alike; FLOPs are counted once per stage (the same ops in
every precision). The summary compares each precision with fp32: time ratio of the whole try-on, the final image's
mean absolute difference and PSNR, the share of pixels whose seg label (argmax) changed, and the image difference
with the fp32 parse given to the other stages (the warp network's own error, apart from flipped labels).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kfvton.checkpoints.convert_authors import convert_authors_state_dict  # noqa: E402
from kfvton.checkpoints.io import PRECISIONS, load_bundle, save_checkpoint  # noqa: E402
from kfvton.geometry.grid import parse_size_hw  # noqa: E402
from kfvton.keypoints.pose import Pose  # noqa: E402
from kfvton.models.registry import build_model  # noqa: E402
from kfvton.pipelines.learned import (  # noqa: E402
    apply_flow,
    detect_keypoints,
    generate_tryon,
    kfvton_tryon,
    predict_flow,
    predict_parse,
)
from kfvton.preprocess.io import load_image, load_mask, load_parse  # noqa: E402
from kfvton.preprocess.network_inputs import build_network_inputs, from_network_range  # noqa: E402

REFERENCE = Path(os.environ.get("KFVTON_REFERENCE_DIR", ROOT.parent / "shared" / "reference" / "kfvton256"))
SAMPLES = Path(os.environ.get("KFVTON_SAMPLES_DIR", ROOT.parent / "shared" / "samples"))
_WARP_PARTS = {
    "kp_detector.": "kp_detector",
    "self_dense_motion_network.": "dense_motion",
    "generator.": "spade_generator",
}


# ------------------------------------------------------------------------------------------------------- weights


def _read_reference(stem: str) -> dict[str, torch.Tensor]:
    from safetensors import safe_open

    out = {}
    with safe_open(str(REFERENCE / f"{stem}.weights.safetensors"), framework="pt") as f:
        meta = f.metadata() or {}
        for name in f.keys():
            t = f.get_tensor(name)
            if t.dtype == torch.int8:
                t = t.float() * float(meta[f"i8scale:{name}"])
            out[name] = t
    return out


def _networks() -> tuple[nn.Module, nn.Module, str]:
    seg, warp = build_model("kfvton_seg_256"), build_model("kfvton_warp_256")
    if not (REFERENCE / "seg_generator.weights.safetensors").is_file():
        return seg, warp, "random init (reference weights not found)"
    sd = convert_authors_state_dict(_read_reference("seg_generator"), "kfvton_seg_256").state_dict
    seg.load_state_dict(sd, strict=True)
    authors: dict[str, torch.Tensor] = {}
    for prefix, stem in _WARP_PARTS.items():
        authors |= {prefix + k: v for k, v in _read_reference(stem).items()}
    warp.load_state_dict(convert_authors_state_dict(authors, "kfvton_warp_256").state_dict, strict=True)
    return seg, warp, f"reference-vector weights ({REFERENCE})"


def _bundles(args: argparse.Namespace, device: torch.device, dtypes: list[str]) -> tuple[dict, str]:
    """One loaded bundle per precision, from `--seg/--warp` or the reference-vector weights."""
    if args.seg or args.warp:
        if not (args.seg and args.warp):
            raise SystemExit("--seg and --warp go together")
        bundles = {d: load_bundle(args.seg, args.warp, device=device, dtype=PRECISIONS[d]) for d in dtypes}
        return bundles, f"checkpoints {args.seg}, {args.warp}"
    seg, warp, weights = _networks()
    with tempfile.TemporaryDirectory() as tmp:
        seg_path, warp_path = Path(tmp) / "seg.safetensors", Path(tmp) / "warp.safetensors"
        save_checkpoint(seg, seg_path, architecture="kfvton_seg_256")
        save_checkpoint(warp, warp_path, architecture="kfvton_warp_256")
        bundles = {d: load_bundle(seg_path, warp_path, device=device, dtype=PRECISIONS[d]) for d in dtypes}
    return bundles, weights


# -------------------------------------------------------------------------------------------------- measurement


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakMemory:
    """Peak RSS rise (CPU) or peak allocated CUDA memory during a `with` block, in bytes."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.peak = 0

    def __enter__(self) -> PeakMemory:
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.base = torch.cuda.memory_allocated()
            return self
        self.base = _rss_bytes()
        self.top = self.base
        self.running = True

        def sample() -> None:
            while self.running:
                self.top = max(self.top, _rss_bytes())
                time.sleep(0.002)

        self.thread = threading.Thread(target=sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            self.peak = torch.cuda.max_memory_allocated() - self.base
            return
        self.running = False
        self.thread.join()
        self.peak = max(self.top, _rss_bytes()) - self.base


def measure(fns: dict[str, Callable[[], object]], device: torch.device, repeats: int) -> dict[str, dict]:
    """Time the same stage in several precisions, interleaved so that load changes hit them alike.

    Per variant a warm-up call (peak memory); one FLOP-counting call of the first variant (the variants are the same
    computation in other precisions); then `repeats` rounds each timing every variant once. Returns variant ->
    median seconds, peak memory, GFLOP, GFLOP/s.
    """
    mem: dict[str, float] = {}
    for key, fn in fns.items():
        with PeakMemory(device) as peak:
            fn()
        mem[key] = peak.peak
    counter = FlopCounterMode(display=False)
    with counter:
        next(iter(fns.values()))()
    flops = dict.fromkeys(fns, counter.get_total_flops())
    times: dict[str, list[float]] = {key: [] for key in fns}
    for _ in range(repeats):
        for key, fn in fns.items():
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            fn()
            if device.type == "cuda":
                torch.cuda.synchronize()
            times[key].append(time.perf_counter() - start)
    out = {}
    for key in fns:
        median = statistics.median(times[key])
        gflop = flops[key] / 1e9
        out[key] = {"s": median, "mib": mem[key] / 2**20, "gflop": gflop, "gflops": gflop / median}
    return out


# ------------------------------------------------------------------------------------------------------- driver


def _sample_inputs():
    test = SAMPLES / "vitonhd" / "test"
    person = load_image(test / "image" / "00891_00.jpg")
    people = json.loads((test / "openpose-json" / "00891_00_keypoints.json").read_text())["people"]
    pose = Pose(torch.tensor(people[0]["pose_keypoints_2d"], dtype=torch.float32).view(1, 25, 3), (1024, 768))
    return {
        "person": person,
        "garment": load_image(test / "cloth" / "01260_00.jpg"),
        "garment_mask": load_mask(test / "cloth-mask" / "01260_00.jpg"),
        "pose": pose,
        "parse": load_parse(test / "image-parse" / "00891_00.png"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="256x192 only")
    parser.add_argument("--sizes", default="256x192,512x384,1024x768")
    parser.add_argument("--batches", default="1,4")
    parser.add_argument("--dtypes", default="fp32,bf16")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default torch's choice)")
    parser.add_argument("--seg", help="segmentation generator checkpoint (.safetensors), with --warp")
    parser.add_argument("--warp", help="warp network checkpoint (.safetensors), with --seg")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    sizes = ["256x192"] if args.quick else args.sizes.split(",")
    batches = [int(b) for b in args.batches.split(",")]
    dtypes = args.dtypes.split(",")

    bundles, weights = _bundles(args, device, dtypes)
    photos = _sample_inputs()
    print(f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} threads; {weights}")
    print(
        f"{'size':>9} {'B':>2} {'dtype':>5} {'stage':>9} {'median ms':>10} {'peak MiB':>9} {'GFLOP':>8} {'GFLOP/s':>8}"
    )
    summary: list[str] = []
    for size in sizes:
        for batch in batches:
            big = dict(photos, person=photos["person"].expand(batch, -1, -1, -1))
            inp_stats = measure(
                {"-": lambda big=big, size=size: build_network_inputs(**big, size_hw=parse_size_hw(size))},
                device,
                args.repeats,
            )["-"]
            inputs = build_network_inputs(**big, size_hw=parse_size_hw(size)).to(device)
            print(f"{size:>9} {batch:>2} {'-':>5} {'inputs':>9} {inp_stats['s'] * 1e3:10.1f} {inp_stats['mib']:9.0f}")
            stages: dict[str, dict[str, Callable[[], object]]] = {}
            results: dict[str, tuple] = {}  # dtype -> (parse, final image)
            for d in dtypes:
                b = bundles[d]
                parse = predict_parse(b, inputs)
                kp, warped, image = _after_parse(b, inputs, parse)
                results[d] = (parse, image)
                m, g = parse.clothes_mask, inputs.garment
                for stage, fn in {
                    "seg": lambda b=b, i=inputs: predict_parse(b, i),
                    "keypoints": lambda b=b, m=m, g=g: detect_keypoints(b, g, m),
                    "flow": lambda b=b, m=m, g=g, k=kp: apply_flow(g, predict_flow(b, g, m, k).warp),
                    "spade": lambda b=b, w=warped, s=parse.scores, i=inputs: generate_tryon(
                        b, i.agnostic, i.pose_image, w, s
                    ),
                    "total": lambda b=b, i=inputs: kfvton_tryon(b, i),
                }.items():
                    stages.setdefault(stage, {})[d] = fn
            totals: dict[str, float] = {}
            for stage, fns in stages.items():
                for d, r in measure(fns, device, args.repeats).items():
                    print(
                        f"{size:>9} {batch:>2} {d:>5} {stage:>9} {r['s'] * 1e3:10.1f} {r['mib']:9.0f} "
                        f"{r['gflop']:8.2f} {r['gflops']:8.1f}"
                    )
                    if stage == "total":
                        totals[d] = r["s"]
            if "fp32" in results:
                summary += [
                    _compare(bundles[d], inputs, results, d, totals, f"{size:>9} B={batch}") for d in dtypes[1:]
                ]
            del stages, results, inputs
    if summary:
        print("\nsummary vs fp32 (final image in [0, 1]; labels: seg argmax at the trained size):")
        print("\n".join(summary))
    return 0


def _after_parse(bundle, inputs, parse) -> tuple:
    """The stages after the seg generator on a given parse: (keypoints, warped garment [-1, 1], image [0, 1])."""
    kp = detect_keypoints(bundle, inputs.garment, parse.clothes_mask)
    warped = apply_flow(inputs.garment, predict_flow(bundle, inputs.garment, parse.clothes_mask, kp).warp)
    image = generate_tryon(bundle, inputs.agnostic, inputs.pose_image, warped, parse.scores)
    return kp, warped, from_network_range(image)


@torch.no_grad()
def _compare(bundle, inputs, results: dict[str, tuple], d: str, totals: dict[str, float], row: str) -> str:
    """One summary line: precision `d` against fp32 (time, image difference, label flips, error given fp32 parse)."""
    (parse32, image32), (parse_d, image_d) = results["fp32"], results[d]
    diff = image_d - image32
    psnr = -10 * math.log10(max(diff.square().mean().item(), 1e-20))
    flips = (parse_d.scores.argmax(1) != parse32.scores.argmax(1)).float().mean().item()
    # the other stages in precision d on the fp32 parse: the warp network's error alone
    own = (_after_parse(bundle, inputs, parse32)[2] - image32).abs().mean().item()
    return (
        f"  {row} {d}: time {totals[d] / totals['fp32']:.2f}x fp32, mean |diff| {diff.abs().mean().item():.2e}, "
        f"PSNR {psnr:.1f} dB, labels changed {100 * flips:.2f} %; with the fp32 parse: mean |diff| {own:.2e}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
