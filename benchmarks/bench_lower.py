"""Paired measures of the classical try-on per garment category on the shared Dress Code pairs.

    python benchmarks/bench_lower.py [--samples ../shared/samples] [--no-parse | --regions]

Per category (upper_body, lower_body, dresses; each person wears the garment of the same id, so the ideal output
is the person photo): SSIM (Gaussian 11, sigma 1.5, RGB mean) at 512x384 inside the box of the category's labels
(upper clothes; pants/skirt; dress, from the Dress Code label map), PSNR of the whole image, and coverage / spill
of the warped garment: the share of the person's garment labels below the hip joints (upper: all of them) that the
warped mask covers, and the share of the warped mask outside the person (parse background) -- the issue's
"lower-garment band" (pants, skirt or dress labels between the hips and the garment's hem) and "outside the person".
The try-on reads the label map (default), nothing (--no-parse) or the regions estimated from the photo
(--regions, the two-photo path); the label map always scores it. Upper-body figures print first: the lower and
dress SSIM goals are within 0.03 of them.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kfvton.keypoints.formats import pose_from_json_file  # noqa: E402
from kfvton.pipelines.classical import classical_tryon  # noqa: E402
from kfvton.preprocess.io import load_image  # noqa: E402
from kfvton.preprocess.parse_labels import read_parse_labels  # noqa: E402
from kfvton.preprocess.regions import estimate_regions  # noqa: E402
from kfvton.train.evaluate import ssim  # noqa: E402

#: Dress Code folder -> (our category, LIP-20 labels of the worn garment in our layout)
FOLDERS = {"upper_body": ("upper", (5,)), "lower_body": ("lower", (9, 12)), "dresses": ("dress", (6,))}


@dataclass(frozen=True)
class PairScore:
    ident: str
    ssim_box: float
    psnr: float
    coverage: float
    spill: float


def score_pair(
    folder: Path, ident: str, category: str, labels: tuple[int, ...], use_parse: bool, regions: bool = False
) -> PairScore:
    person = load_image(folder / "images" / f"{ident}_0.jpg")
    garment = load_image(folder / "images" / f"{ident}_1.jpg")
    pose = pose_from_json_file(folder / "keypoints" / f"{ident}_2.json", tuple(person.shape[-2:]))
    parse = read_parse_labels(folder / "label_maps" / f"{ident}_4.png").parse
    given = parse if use_parse else None
    if regions:  # two photos: the region estimate's map drives the try-on; the label map still scores it
        given = estimate_regions(person, pose).parse
    result = classical_tryon(person, garment, pose, parse=given, category=category)
    worn = torch.isin(parse, torch.tensor(labels))[:, None].float()
    if category != "upper":
        hips_y = float((pose.joint("right_hip")[0, 1] + pose.joint("left_hip")[0, 1]) / 2)
        worn[..., : int(hips_y), :] = 0
    warped = (result.warped_mask > 0.5).float()
    coverage = float((warped * worn).sum() / worn.sum().clamp_min(1))
    spill = float((warped * (parse == 0)[:, None].float()).sum() / warped.sum().clamp_min(1))
    box = torch.isin(parse, torch.tensor(labels))[0].nonzero()
    small = (512, 384)
    out = F.interpolate(result.image.clamp(0, 1), size=small, mode="bilinear", antialias=True, align_corners=False)
    ref = F.interpolate(person, size=small, mode="bilinear", antialias=True, align_corners=False)
    sy, sx = small[0] / person.shape[-2], small[1] / person.shape[-1]
    y0, x0 = (box.min(0).values.float() * torch.tensor([sy, sx])).long().tolist()
    y1, x1 = (box.max(0).values.float() * torch.tensor([sy, sx])).long().tolist()
    y1, x1 = max(y1, y0 + 11), max(x1, x0 + 11)
    s = float(ssim(out[..., y0 : y1 + 1, x0 : x1 + 1], ref[..., y0 : y1 + 1, x0 : x1 + 1])[0])
    mse = float(((out - ref) ** 2).mean())
    return PairScore(ident, s, 10 * torch.log10(torch.tensor(1.0 / max(mse, 1e-10))).item(), coverage, spill)


def score_folder(samples: Path, name: str, use_parse: bool = True, regions: bool = False) -> list[PairScore]:
    category, labels = FOLDERS[name]
    folder = samples / "dresscode" / name
    ids = sorted(p.name[:6] for p in (folder / "images").glob("*_0.jpg"))
    return [score_pair(folder, i, category, labels, use_parse, regions) for i in ids]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", default=str(ROOT.parent / "shared" / "samples"))
    parser.add_argument("--no-parse", action="store_true", help="no parse map at all")
    parser.add_argument("--regions", action="store_true", help="two photos: regions estimated from the photo")
    parser.add_argument("--only", choices=list(FOLDERS), action="append", help="these folders only (repeatable)")
    args = parser.parse_args()
    print(
        f"{'category':12s} {'n':>2s} {'SSIM box':>9s} {'vs upper':>8s} {'PSNR':>6s} {'cover':>6s} {'spill':>6s} {'s/pair':>7s}"
    )
    upper = None
    for name in args.only or FOLDERS:
        started = time.perf_counter()
        scores = score_folder(Path(args.samples), name, not args.no_parse, args.regions)
        n = len(scores)
        mean = [sum(getattr(s, f) for s in scores) / n for f in ("ssim_box", "psnr", "coverage", "spill")]
        per = (time.perf_counter() - started) / n
        upper = mean[0] if upper is None else upper
        gap = f"{mean[0] - upper:+8.4f}"  # the goal: >= -0.03
        print(f"{name:12s} {n:2d} {mean[0]:9.4f} {gap} {mean[1]:6.2f} {mean[2]:6.1%} {mean[3]:6.1%} {per:7.1f}")
        for s in scores:
            print(f"  {s.ident} ssim {s.ssim_box:.4f} psnr {s.psnr:.2f} cover {s.coverage:.1%} spill {s.spill:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
