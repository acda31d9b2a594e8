"""`python -m kfvton review`: try garments on persons and write a contact sheet to look at.

    python -m kfvton review PERSONS GARMENTS --out sheet.png [--pairs pairs.txt] [--no-parse] [--no-mask]
        [--category upper|lower|dress|auto]

PERSONS and GARMENTS are files, folders of images or dataset roots (VITON-HD `image/` + `cloth/`, Dress Code
`images/*_0` + `images/*_1`); several can be given comma-separated. Every person is paired with every garment
unless `--pairs` lists "PERSON GARMENT" lines. Poses, parse maps and cloth masks are taken from the layout when
present (see `kfvton.pipelines.review`); a person without a keypoint file gets an estimated pose. A pair refused
with a bad-input message (no person found, a garment of another category...) gets a row saying why and a grey
result; the others still run, and the command then exits with 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
from PIL import Image

from ..preprocess.io import PHOTO_EXTENSIONS
from .review import (
    GarmentInputs,
    PairResult,
    PersonInputs,
    SheetRow,
    contact_sheet,
    find_garment,
    find_person,
    list_garments,
    list_persons,
    read_pair_file,
    tryon_pair,
)

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("persons", help="person photo(s), folder(s) or dataset root(s), comma-separated")
    parser.add_argument("garments", help="garment photo(s), folder(s) or dataset root(s), comma-separated")
    parser.add_argument("--out", required=True, help="contact sheet image (PNG/JPEG)")
    parser.add_argument("--pairs", help="file of 'PERSON GARMENT' lines (names or stems); default all x all")
    parser.add_argument("--no-parse", action="store_true", help="ignore parse maps: regions estimated from the photo")
    parser.add_argument("--no-regions", action="store_true", help="with --no-parse: no region estimate either")
    parser.add_argument("--no-mask", action="store_true", help="ignore cloth masks: computed from the garment photo")
    parser.add_argument(
        "--category",
        choices=("upper", "lower", "dress", "auto"),
        default="upper",
        help="garment category (default upper; auto decides per garment photo, e.g. for Dress Code lower_body)",
    )
    parser.add_argument("--show-mask", action="store_true", help="add a 4th column: the refine mask over the result")
    parser.add_argument("--height", type=int, default=384, help="cell height in pixels (default 384)")
    parser.add_argument("--limit", type=int, default=64, help="at most this many pairs (default 64)")


def run(args: argparse.Namespace) -> int:
    if args.height < 32:
        raise ValueError(f"--height: expected >= 32 pixels, got {args.height}")
    suffix = Path(args.out).suffix.lower()
    if suffix not in PHOTO_EXTENSIONS:
        raise ValueError(f"--out: expected a .png, .jpg or .webp file, got {args.out!r}")
    persons = list_persons(args.persons.split(","))
    garments = list_garments(args.garments.split(","))
    pairs = read_pair_file(args.pairs, persons, garments) if args.pairs else [(p, g) for p in persons for g in garments]
    if len(pairs) > args.limit:
        print(f"review: {len(pairs)} pairs, showing the first {args.limit} (--limit)")
        pairs = pairs[: args.limit]
    people, clothes = {}, {}
    rows = []
    failed = 0
    started = time.perf_counter()
    for person_path, garment_path in pairs:
        if person_path not in people:
            people[person_path] = find_person(person_path, with_parse=not args.no_parse)
        if garment_path not in clothes:
            clothes[garment_path] = find_garment(garment_path, with_mask=not args.no_mask)
        person, garment = people[person_path], clothes[garment_path]
        name = f"{person.name} + {garment.name}"
        try:
            out = _tryon(person, garment, args)
        except ValueError as err:  # a bad-input message (no person found, wrong category...): this pair only
            failed += 1
            print(f"review: {name}: failed: {err}", file=sys.stderr)
            grey = torch.full_like(person.image, 0.5)
            rows.append(SheetRow(person.image, garment.image, grey, f"{name}: FAILED: {err}"))
            continue
        for warning in getattr(out.tryon, "warnings", ()):  # what the CLI's tryon prints, per pair
            print(f"review: {name}: {warning}", file=sys.stderr)
        mask = getattr(out.tryon, "refine_mask", None) if args.show_mask else None
        rows.append(SheetRow(person.image, garment.image, out.tryon.image, f"{name}: {out.how}", mask))
    sheet = contact_sheet(rows, cell_height=args.height)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet).save(args.out)
    print(f"wrote {args.out}: {len(rows)} pairs ({time.perf_counter() - started:.1f} s)")
    if failed:
        print(
            f"review: {failed} of {len(rows)} pairs failed (their rows say why, the result cell is grey)",
            file=sys.stderr,
        )
        return 1
    return 0


def _tryon(person: PersonInputs, garment: GarmentInputs, args: argparse.Namespace) -> PairResult:
    """One pair's try-on as the command's options ask; a person without a keypoint file gets an estimated pose."""
    pose = None
    if person.pose is None:
        from .tryon_cli import resolve_pose_estimate  # estimators load only when a person has no keypoint file

        pose = resolve_pose_estimate(None, person.image)
    return tryon_pair(
        person,
        garment,
        use_parse=not args.no_parse,
        estimate=not args.no_regions,
        pose=pose,
        category=args.category,
    )
