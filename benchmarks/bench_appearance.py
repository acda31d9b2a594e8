"""Paired appearance of the classical try-on: box SSIM and PSNR against the person photo (issue 12's measures).

    python benchmarks/bench_appearance.py [--sheets DIR] [--threads 2] [--regions]

Sets (from ../shared/samples or $KFVTON_SAMPLES_DIR): VITON-HD `vitonhd_paired/test` (5 pairs, LIP parse maps,
BODY_25 JSON, cloth masks) and Dress Code `dresscode/upper_body` (7 pairs, Dress Code label maps read through the
`dresscode` label set, 18 COCO joints). Each person wears the
very garment given, so the photo is the ideal result. Scores (`kfvton.train.evaluate.appearance_scores`), at
512 x 384: SSIM (Gaussian window 11, sigma 1.5, RGB mean) inside the upper-body box (bounding box of the photo's
upper-clothes and arm labels) and PSNR of the whole image.
Modes: "parse" = the layout's parse map (and cloth mask when there is one); "two photos" = no parse map (regions
estimated from the pose and the silhouette) and the garment mask computed from the photo. Poses come from the
samples' keypoint files in both modes (no pose estimator is timed or needed).
Goals (issue 12): parse >= 0.85 SSIM and >= 22 dB; two photos >= 0.82 and >= 21 dB.
`--regions` adds where the box SSIM is lost, per pair: (1 - SSIM) summed over the SSIM windows centred on each
region of the photo's labels (garment 5-7, arms 14-15, neck 10, background 0, the rest), over all windows of the
box; the columns add up to 1 - box SSIM.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kfvton.geometry.grid import resize_to  # noqa: E402
from kfvton.pipelines.review import (  # noqa: E402
    SheetRow,
    contact_sheet,
    find_garment,
    find_person,
    list_garments,
    list_persons,
    tryon_pair,
)
from kfvton.train.evaluate import APPEARANCE_SIZE_HW, appearance_scores  # noqa: E402

SAMPLES = Path(os.environ.get("KFVTON_SAMPLES_DIR", ROOT.parent / "shared" / "samples"))
SETS = {"vitonhd": SAMPLES / "vitonhd_paired" / "test", "dresscode": SAMPLES / "dresscode" / "upper_body"}
MODES = {"parse": {"use_parse": True, "use_mask": True}, "two photos": {"use_parse": False, "use_mask": False}}
#: `--regions`: the photo's labels (our layout) of each region of the box; "rest" is every other label.
REGIONS = {"garment": (5, 6, 7), "arms": (14, 15), "neck": (10,), "background": (0,)}


def region_losses(result: torch.Tensor, photo: torch.Tensor, parse: torch.Tensor, box: torch.Tensor) -> dict:
    """Where the box SSIM of one pair is lost (module docstring, `--regions`): {region: share of 1 - SSIM}.
    `result`, `photo` (1, 3, H, W), `parse` (1, H_p, W_p), `box` (4,) x0, y0, x1, y1 at `APPEARANCE_SIZE_HW`.
    The SSIM map is `evaluate.ssim`'s (Gaussian window 11, sigma 1.5, 'valid', RGB mean) before its mean."""
    x0, y0, x1, y1 = box.tolist()
    a, b = (resize_to(t.float(), APPEARANCE_SIZE_HW).clamp(0, 1).double()[..., y0:y1, x0:x1] for t in (result, photo))
    g = torch.exp(-((torch.arange(11, dtype=torch.float64) - 5) ** 2) / (2 * 1.5**2))
    win = (g[:, None] * g[None, :] / g.sum() ** 2).expand(3, 1, 11, 11)

    def filt(t: torch.Tensor) -> torch.Tensor:
        return F.conv2d(t, win, groups=3)

    ma, mb = filt(a), filt(b)
    saa, sbb, sab = filt(a * a) - ma**2, filt(b * b) - mb**2, filt(a * b) - ma * mb
    c1, c2 = 0.01**2, 0.03**2
    s = ((2 * ma * mb + c1) * (2 * sab + c2) / ((ma**2 + mb**2 + c1) * (saa + sbb + c2))).mean(1)[0]
    labels = F.interpolate(parse[None].float(), APPEARANCE_SIZE_HW, mode="nearest")[0, 0].long()
    labels = labels[y0 + 5 : y1 - 5, x0 + 5 : x1 - 5]
    loss, rest = 1.0 - s, torch.ones_like(s, dtype=torch.bool)
    out = {}
    for name, ids in REGIONS.items():
        inside = torch.isin(labels, torch.tensor(ids))
        out[name] = float(loss[inside].sum() / loss.numel())
        rest &= ~inside
    out["rest"] = float(loss[rest].sum() / loss.numel())
    return out


def paired_files(root: Path) -> list[tuple[Path, Path]]:
    """(person, garment) files of a paired set: same id."""
    persons, garments = list_persons([root]), list_garments([root])
    key = {g.stem.removesuffix("_1"): g for g in garments}
    return [(p, key[p.stem.removesuffix("_0")]) for p in persons if p.stem.removesuffix("_0") in key]


def score_set(name: str, root: Path, sheets: Path | None, regions: bool = False) -> list[dict]:
    rows, sheet_rows = [], {mode: [] for mode in MODES}
    for person_path, garment_path in paired_files(root):
        person = find_person(person_path)
        if person.parse is None:
            raise ValueError(f"{person_path}: no parse map (the box needs one)")
        for mode, opts in MODES.items():
            garment = find_garment(garment_path, with_mask=opts["use_mask"])
            start = time.perf_counter()
            out = tryon_pair(person, garment, **opts)
            seconds = time.perf_counter() - start
            s = appearance_scores(out.tryon.image, person.image, person.parse)
            ssim_v, psnr_v = float(s.box_ssim[0]), float(s.psnr[0])
            row = {"set": name, "pair": person.name, "mode": mode, "ssim": ssim_v, "psnr": psnr_v, "s": seconds}
            if regions:
                row["loss"] = region_losses(out.tryon.image, person.image, person.parse, s.box[0])
            rows.append(row)
            label = f"{name} {person.name} [{mode}] box SSIM {ssim_v:.3f} PSNR {psnr_v:.1f} dB ({out.how})"
            sheet_rows[mode].append(
                SheetRow(person.image, garment.image, out.tryon.image, label, getattr(out.tryon, "refine_mask", None))
            )
    if sheets is not None:
        sheets.mkdir(parents=True, exist_ok=True)
        for mode, srows in sheet_rows.items():
            path = sheets / f"{name}_{mode.replace(' ', '_')}.png"
            Image.fromarray(contact_sheet(srows, cell_height=320)).save(path)
            print(f"sheet: {path}")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=Path, help="write a contact sheet per set and mode into this folder")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="only these sets (repeatable)")
    parser.add_argument("--regions", action="store_true", help="where the box SSIM is lost, per pair and region")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows, notes = [], []
    for name in args.set or list(SETS):
        root = SETS[name]
        if not root.is_dir():
            notes.append(f"{name}: not found at {root}")
            continue
        rows += score_set(name, root, args.sheets, args.regions)
    if not rows:
        print("\n".join(notes) or "no sets", file=sys.stderr)
        return 2
    print("| set | pair | mode | box SSIM | PSNR dB | s |")
    print("|---|---|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['set']} | {r['pair']} | {r['mode']} | {r['ssim']:.3f} | {r['psnr']:.2f} | {r['s']:.2f} |")
    print("\n| set | mode | pairs | mean box SSIM | mean PSNR dB |")
    print("|---|---|---:|---:|---:|")
    for name in dict.fromkeys(r["set"] for r in rows):
        for mode in MODES:
            sel = [r for r in rows if r["set"] == name and r["mode"] == mode]
            ssim_m, psnr_m = statistics.mean(r["ssim"] for r in sel), statistics.mean(r["psnr"] for r in sel)
            print(f"| {name} | {mode} | {len(sel)} | {ssim_m:.3f} | {psnr_m:.2f} |")
    for mode in MODES:
        sel = [r for r in rows if r["mode"] == mode]
        ssim_m, psnr_m = statistics.mean(r["ssim"] for r in sel), statistics.mean(r["psnr"] for r in sel)
        print(f"| all | {mode} | {len(sel)} | {ssim_m:.3f} | {psnr_m:.2f} |")
    if args.regions:
        names = [*REGIONS, "rest"]
        print("\n1 - box SSIM by region of the photo's labels (shares add up to 1 - box SSIM)")
        print("| set | pair | mode | 1 - SSIM | " + " | ".join(names) + " |")
        print("|---|---|---|---:|" + "---:|" * len(names))
        for r in rows:
            cells = " | ".join(f"{r['loss'][k]:.3f}" for k in names)
            print(f"| {r['set']} | {r['pair']} | {r['mode']} | {1 - r['ssim']:.3f} | {cells} |")
        for name in dict.fromkeys(r["set"] for r in rows):
            for mode in MODES:
                sel = [r for r in rows if r["set"] == name and r["mode"] == mode]
                cells = " | ".join(f"{statistics.mean(r['loss'][k] for r in sel):.3f}" for k in names)
                print(f"| {name} | mean | {mode} | {statistics.mean(1 - r['ssim'] for r in sel):.3f} | {cells} |")
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
