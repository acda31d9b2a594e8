"""Paired appearance of the classical try-on: box SSIM and PSNR against the person photo (issue 12's measures).

    python benchmarks/bench_appearance.py [--sheets DIR] [--threads 2]

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
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kfvton.pipelines.review import (  # noqa: E402
    SheetRow,
    contact_sheet,
    find_garment,
    find_person,
    list_garments,
    list_persons,
    tryon_pair,
)
from kfvton.train.evaluate import appearance_scores  # noqa: E402

SAMPLES = Path(os.environ.get("KFVTON_SAMPLES_DIR", ROOT.parent / "shared" / "samples"))
SETS = {"vitonhd": SAMPLES / "vitonhd_paired" / "test", "dresscode": SAMPLES / "dresscode" / "upper_body"}
MODES = {"parse": {"use_parse": True, "use_mask": True}, "two photos": {"use_parse": False, "use_mask": False}}


def paired_files(root: Path) -> list[tuple[Path, Path]]:
    """(person, garment) files of a paired set: same id."""
    persons, garments = list_persons([root]), list_garments([root])
    key = {g.stem.removesuffix("_1"): g for g in garments}
    return [(p, key[p.stem.removesuffix("_0")]) for p in persons if p.stem.removesuffix("_0") in key]


def score_set(name: str, root: Path, sheets: Path | None) -> list[dict]:
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
            rows.append({"set": name, "pair": person.name, "mode": mode, "ssim": ssim_v, "psnr": psnr_v, "s": seconds})
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
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows, notes = [], []
    for name in args.set or list(SETS):
        root = SETS[name]
        if not root.is_dir():
            notes.append(f"{name}: not found at {root}")
            continue
        rows += score_set(name, root, args.sheets)
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
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
