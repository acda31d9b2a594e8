"""Two photos in, no parse map: region IoU, old-garment residue and mask spill per sample person; prints a table,
never run by pytest.

    python benchmarks/bench_regions.py [--samples ../shared/samples] [--sets vitonhd,vitonhd_paired,dresscode]
        [--pose estimated|given] [--sheet /tmp/regions.png]

Per person: the pose is estimated (the embedded MediaPipe default; `--pose given` reads the sample's OpenPose
JSON), the regions are estimated (`estimate_person_regions`, no parse map), then the classical try-on runs with a
garment (VITON-HD test: 01260_00; paired sets: the person's own garment; Dress Code: its upper-body garment
000000_1 for upper-body persons, the person's own garment otherwise). Printed: IoU of upper clothes, arms,
hair + face, lower garment and legs against the sample's parse map (Dress Code labels mapped: 4/7 upper, 14/15
arms, 2/11 hair + face (Dress Code's head 11 covers the neck, so our neck counts there), 5/6 lower, 12/13 legs),
the residue (old garment pixels that the new garment does not cover and whose colour stayed within 12/255:
`old_garment_residue`; of it, `missed`: the pixels the estimated regions did not call old garment, see
`missed_by_regions`; `seen`: the residue over what the composited garment covers, `covering`) and the spill (`mask_spill`).
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

from kfvton.keypoints.estimate import estimate_pose  # noqa: E402
from kfvton.keypoints.formats import pose_from_openpose_json  # noqa: E402
from kfvton.pipelines.classical import classical_tryon  # noqa: E402
from kfvton.pipelines.composite import RESIDUE_PX  # noqa: E402
from kfvton.preprocess.io import load_image, load_parse  # noqa: E402
from kfvton.preprocess.parse_labels import colors_from_labels  # noqa: E402
from kfvton.preprocess.region_metrics import mask_spill, old_garment_residue, region_iou  # noqa: E402
from kfvton.preprocess.regions import estimate_person_regions  # noqa: E402

GROUPS = {  # ours (LIP-20 / VITON-HD), Dress Code
    "upper": ((5, 6, 7), (4, 7)),
    "arms": ((14, 15), (14, 15)),
    "hair+face": ((1, 2, 4, 13), (1, 2, 3, 11)),
    "lower": ((9, 12), (5, 6)),
    "legs": ((16, 17), (12, 13)),
}
#: Dress Code's "head" (11) covers the neck too: against Dress Code maps our neck (10) counts as head.
DRESSCODE_OURS = {"hair+face": (1, 2, 4, 13, 10)}
#: Dress Code label -> ours, for the residue (old garment 5/6/7) and spill (0 = outside the person).
DRESSCODE_TO_OURS = np.array([0, 1, 2, 4, 5, 12, 9, 6, 9, 18, 19, 13, 16, 17, 14, 15, 0, 11])


def covering(result) -> torch.Tensor:
    """(1, 1, H, W) what the new garment covers as composited (`ClassicalTryOn.alpha`: the warped mask cut on the
    background past the silhouette, grown over freed old clothes next to it, minus what is kept in front of it). The
    `seen` column measures the residue over it: the old garment a viewer still sees (on paired data the grown band is
    the very garment worn, so there it also counts garment that is right)."""
    return result.warped_mask if result.alpha is None else result.alpha


def missed_by_regions(person: torch.Tensor, result, estimated: torch.Tensor, truth: torch.Tensor) -> float:
    """The part of the residue the estimated regions are to blame for: uncovered old-garment pixels left as they
    were that the estimate did not call old garment (5, 6, 7), nor background, neck or arm within the repaint's reach
    (`RESIDUE_PX`) of it (it grows into those, not into hair, face or the lower garment); the rest of the residue was repainted to a colour within the tolerance (a white top on a light wall, an outline
    pixel of background colour that the reference map calls garment)."""
    old = torch.isin(truth[0], torch.tensor([5, 6, 7]))
    uncovered = old & (result.warped_mask[0, 0] <= 0.5)
    if not bool(uncovered.any()):
        return 0.0
    same = (result.image[0] - person[0]).abs().amax(dim=0) <= 12 / 255
    reach = max(1, round(RESIDUE_PX * person.shape[-2] / 1024))
    ours = torch.isin(estimated, torch.tensor([5, 6, 7])).float()[:, None]
    ours = torch.nn.functional.max_pool2d(ours, 2 * reach + 1, stride=1, padding=reach)[0, 0] > 0
    reached = ours & torch.isin(estimated[0], torch.tensor([0, 10, 14, 15]))  # the repaint grows into these only
    mine = torch.isin(estimated[0], torch.tensor([5, 6, 7])) | reached
    return float((same & uncovered & ~mine).sum() / uncovered.sum())


def people(samples: Path, sets: list[str]) -> list[dict]:
    out = []
    if "vitonhd" in sets:
        d = samples / "vitonhd" / "test"
        for p in sorted((d / "image").glob("*.jpg")):
            out.append(dict(set="vitonhd", name=p.stem, image=p, parse=d / "image-parse" / f"{p.stem}.png",
                            pose=d / "openpose-json" / f"{p.stem}_keypoints.json", cloth=d / "cloth" / "01260_00.jpg",
                            kind="lip"))  # fmt: skip
    if "vitonhd_paired" in sets:
        d = samples / "vitonhd_paired" / "test"
        for p in sorted((d / "image").glob("*.jpg")):
            out.append(dict(set="paired", name=p.stem, image=p, parse=d / "image-parse" / f"{p.stem}.png",
                            pose=d / "openpose-json" / f"{p.stem}_keypoints.json", cloth=d / "cloth" / p.name,
                            kind="lip"))  # fmt: skip
    if "dresscode" in sets:
        for cat in ("upper_body", "lower_body", "dresses"):
            d = samples / "dresscode" / cat
            for p in sorted((d / "images").glob("*_0.jpg")):
                stem = p.stem[:-2]
                cloth = d / "images" / f"{stem}_1.jpg"
                if cat != "upper_body":
                    cloth = samples / "dresscode" / "upper_body" / "images" / "000000_1.jpg"
                out.append(dict(set=f"dc-{cat.split('_')[0]}", name=stem, image=p,
                                parse=d / "label_maps" / f"{stem}_4.png", pose=None, cloth=cloth, kind="dresscode"))  # fmt: skip
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", default=str(ROOT.parent / "shared" / "samples"))
    ap.add_argument("--sets", default="vitonhd,vitonhd_paired,dresscode")
    ap.add_argument("--pose", choices=("estimated", "given"), default="estimated")
    ap.add_argument("--sheet", help="write a contact sheet (person | regions | try-on) PNG here")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rows, sheet = [], []
    print(
        f"{'set':10s} {'person':9s} " + " ".join(f"{k:>9s}" for k in GROUPS) + "  residue  missed   seen  spill  time_s"
    )
    for item in people(Path(args.samples), args.sets.split(",")):
        person = load_image(item["image"])
        truth = load_parse(item["parse"])
        if item["kind"] == "dresscode":
            ours_truth = torch.from_numpy(DRESSCODE_TO_OURS[truth.numpy()])
        else:
            ours_truth = truth
        started = time.perf_counter()
        if args.pose == "given" and item["pose"] is not None:
            pose, person_info = pose_from_openpose_json(item["pose"], tuple(person.shape[-2:])), None
        else:
            est = estimate_pose(person, name=str(item["image"].name))
            pose, person_info = est.pose, est.person
        regions = estimate_person_regions(person, pose, person=person_info)
        result = classical_tryon(person, load_image(item["cloth"]), pose, parse=regions.parse)
        elapsed = time.perf_counter() - started
        ious = {}
        for key, (ours, theirs) in GROUPS.items():
            if item["kind"] == "dresscode":
                ious[key] = region_iou(regions.parse, truth, DRESSCODE_OURS.get(key, ours), theirs)
            else:
                ious[key] = region_iou(regions.parse, truth, ours, ours)
        residue = old_garment_residue(person, result.image, result.warped_mask, ours_truth)
        seen = old_garment_residue(person, result.image, covering(result), ours_truth)
        missed = missed_by_regions(person, result, regions.parse, ours_truth)
        spill = mask_spill(result.warped_mask, ours_truth)
        rows.append((item["set"], ious, residue, spill, missed, seen))
        print(f"{item['set']:10s} {item['name']:9s} " + " ".join(f"{v:9.2f}" for v in ious.values())
              + f"  {residue:7.3f}  {missed:6.3f}  {seen:5.3f}  {spill:5.3f}  {elapsed:6.1f}", flush=True)  # fmt: skip
        if args.sheet:
            colours = colors_from_labels(regions.parse)
            tile = torch.cat((person, 0.4 * person + 0.6 * colours, result.image), dim=-1)
            sheet.append(torch.nn.functional.interpolate(tile, size=(256, 576), mode="area"))
    for name in sorted({r[0] for r in rows}):
        sel = [r for r in rows if r[0] == name]
        means = {k: np.nanmean([r[1][k] for r in sel]) for k in GROUPS}
        print(f"{'mean ' + name:20s} " + " ".join(f"{v:9.3f}" for v in means.values())
              + f"  residue mean {np.mean([r[2] for r in sel]):.3f} (missed {np.mean([r[4] for r in sel]):.3f}, seen {np.mean([r[5] for r in sel]):.3f})"
              f"  spill median {np.median([r[3] for r in sel]):.3f}")  # fmt: skip
    if args.sheet and sheet:
        from kfvton.preprocess.io import save_image

        cols = 3
        while len(sheet) % cols:
            sheet.append(torch.zeros_like(sheet[0]))
        grid = torch.cat([torch.cat(sheet[i : i + cols], dim=-1) for i in range(0, len(sheet), cols)], dim=-2)
        save_image(grid, args.sheet)
        print(f"wrote {args.sheet}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
