"""Look at try-on results: find a sample's inputs by its dataset layout, run pairs, lay out a contact sheet.

Layouts recognised (`find_person`, `find_garment`; a file outside them has no pose / parse / mask):
    VITON-HD:   <root>/image/NAME.jpg, <root>/openpose-json/NAME_keypoints.json (BODY_25),
                <root>/image-parse/NAME.png (LIP labels); garments <root>/cloth/NAME.jpg, <root>/cloth-mask/NAME.jpg.
    Dress Code: <root>/images/ID_0.jpg (person), <root>/keypoints/ID_2.json (18 COCO joints `[x, y, score, id]` in
                pixels of the half-size 384 x 512 image), <root>/label_maps/ID_4.png (Dress Code labels, read
                through the `dresscode` label set); garments <root>/images/ID_1.jpg (no masks).
A folder given as PERSONS / GARMENTS is a layout root (its `image/` / `images/*_0` persons, `cloth/` /
`images/*_1` garments) or a plain folder of images.

The contact sheet has one row per pair: person | garment | result (| the refine mask over the result, when asked),
each cell scaled to a common height, labelled with the file names and an optional note (e.g. the scores).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch import Tensor

from .._checks import check_shape
from ..keypoints.estimate import PoseEstimate
from ..keypoints.formats import pose_from_dresscode_json, pose_from_openpose_json
from ..keypoints.pose import Pose
from ..preprocess.io import PHOTO_EXTENSIONS, load_image, load_mask
from ..preprocess.parse_labels import read_parse_file
from .classical import ClassicalTryOn, classical_tryon
from .quick import person_regions

__all__ = [
    "PersonInputs",
    "GarmentInputs",
    "SheetRow",
    "PairResult",
    "tryon_pair",
    "list_persons",
    "list_garments",
    "find_person",
    "find_garment",
    "read_pair_file",
    "contact_sheet",
]


@dataclass(frozen=True)
class PersonInputs:
    """A person photo and what its layout provides.

    Attributes:
        name: the file stem.
        image: (1, 3, H, W) float [0, 1].
        pose: the person's pose (canvas (H, W)), or None when the layout has none.
        parse: (1, H, W) int64 labels in our layout (LIP-20 / VITON-HD), or None.
        layout: "vitonhd", "dresscode" or "plain".
    """

    name: str
    image: Tensor
    pose: Pose | None
    parse: Tensor | None
    layout: str


@dataclass(frozen=True)
class GarmentInputs:
    """A garment photo and its mask when the layout has one.

    Attributes:
        name: the file stem.
        image: (1, 3, H, W) float [0, 1].
        mask: (1, 1, H, W) float {0, 1}, or None (computed from the photo by the try-on).
    """

    name: str
    image: Tensor
    mask: Tensor | None


@dataclass(frozen=True)
class SheetRow:
    """One contact-sheet row: (1, 3, H, W) float [0, 1] images, any sizes; `mask` (1, 1, H, W) [0, 1] of the
    result's size is drawn over the result in a 4th cell when given."""

    person: Tensor
    garment: Tensor
    result: Tensor
    label: str
    mask: Tensor | None = None


def _images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTO_EXTENSIONS and p.is_file())


def _expand(paths: Sequence[str | os.PathLike], role: str) -> list[Path]:
    """Files and folders -> image files; a layout root gives its persons / garments."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            if role == "person" and (p / "image").is_dir():
                out += _images(p / "image")
            elif role == "garment" and (p / "cloth").is_dir():
                out += _images(p / "cloth")
            elif (p / "images").is_dir():
                suffix = "_0" if role == "person" else "_1"
                out += [f for f in _images(p / "images") if f.stem.endswith(suffix)]
            else:
                out += _images(p)
        else:
            raise FileNotFoundError(f"{role}s: no such file or folder: {p}")
    if not out:
        raise ValueError(f"{role}s: no images found in {', '.join(map(str, paths))}")
    return out


def list_persons(paths: Sequence[str | os.PathLike]) -> list[Path]:
    """Person photos named by `paths` (files, plain folders or layout roots), in order."""
    return _expand(paths, "person")


def list_garments(paths: Sequence[str | os.PathLike]) -> list[Path]:
    """Garment photos named by `paths` (files, plain folders or layout roots), in order."""
    return _expand(paths, "garment")


def find_person(path: str | os.PathLike, *, with_parse: bool = True) -> PersonInputs:
    """Load a person photo with the pose and (when `with_parse`) the parse map its layout holds."""
    p = Path(path)
    image = load_image(p, "person")
    hw = tuple(image.shape[-2:])
    root, stem = p.parent.parent, p.stem
    if p.parent.name == "image":
        pose_file, parse_file = root / "openpose-json" / f"{stem}_keypoints.json", root / "image-parse" / f"{stem}.png"
        pose = pose_from_openpose_json(pose_file, hw, name=str(pose_file)) if pose_file.is_file() else None
        parse = read_parse_file(parse_file) if with_parse and parse_file.is_file() else None
        return PersonInputs(stem, image, pose, parse, "vitonhd")
    if p.parent.name == "images" and stem.endswith("_0"):
        ident = stem[:-2]
        pose_file, parse_file = root / "keypoints" / f"{ident}_2.json", root / "label_maps" / f"{ident}_4.png"
        pose = pose_from_dresscode_json(pose_file, hw, name=str(pose_file)) if pose_file.is_file() else None
        parse = None
        if with_parse and parse_file.is_file():
            parse = read_parse_file(parse_file, label_set="dresscode")
        return PersonInputs(stem, image, pose, parse, "dresscode")
    return PersonInputs(stem, image, None, None, "plain")


def find_garment(path: str | os.PathLike, *, with_mask: bool = True) -> GarmentInputs:
    """Load a garment photo and (when `with_mask`) its cloth mask from the VITON-HD layout."""
    p = Path(path)
    image = load_image(p, "garment")
    mask_file = p.parent.parent / "cloth-mask" / p.name
    mask = (
        load_mask(mask_file, "garment mask") if with_mask and p.parent.name == "cloth" and mask_file.is_file() else None
    )
    return GarmentInputs(p.stem, image, mask)


def read_pair_file(
    path: str | os.PathLike, persons: Sequence[Path], garments: Sequence[Path]
) -> list[tuple[Path, Path]]:
    """Lines "PERSON GARMENT" (file names or stems; '#' comments) -> pairs of the listed files.

    Raises:
        ValueError naming the line whose person or garment is not among the listed files.
    """
    by_person = {**{p.stem: p for p in persons}, **{p.name: p for p in persons}}
    by_garment = {**{g.stem: g for g in garments}, **{g.name: g for g in garments}}
    pairs = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 2:
            raise ValueError(f"--pairs: line {number}: expected 'PERSON GARMENT', got {line!r}")
        if words[0] not in by_person or words[1] not in by_garment:
            missing = words[0] if words[0] not in by_person else words[1]
            raise ValueError(f"--pairs: line {number}: {missing!r} is not among the given persons / garments")
        pairs.append((by_person[words[0]], by_garment[words[1]]))
    if not pairs:
        raise ValueError(f"--pairs: no pairs in {path}")
    return pairs


def _cell(image: Tensor, height: int) -> np.ndarray:
    check_shape(image, "image", (1, 3, "H", "W"))
    arr = (image[0].detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy() * 255 + 0.5).astype(np.uint8)
    h, w = arr.shape[:2]
    width = max(1, round(w * height / h))
    return np.asarray(Image.fromarray(arr).resize((width, height), Image.Resampling.LANCZOS))


def contact_sheet(rows: Sequence[SheetRow], *, cell_height: int = 384) -> np.ndarray:
    """Rows of person | garment | result (| mask over result), labelled -> (H, W, 3) uint8 RGB image."""
    if not rows:
        raise ValueError("rows: expected at least one row")
    pad, text_h = 4, 14
    rendered = []
    for row in rows:
        cells = [_cell(row.person, cell_height), _cell(row.garment, cell_height), _cell(row.result, cell_height)]
        if row.mask is not None:
            check_shape(row.mask, "mask", (1, 1, *row.result.shape[-2:]))
            red = torch.tensor([1.0, 0.1, 0.1]).view(1, 3, 1, 1)
            over = torch.lerp(row.result.cpu().float(), red, 0.6 * row.mask.cpu().float())
            cells.append(_cell(over, cell_height))
        strip = np.full(
            (cell_height + text_h, sum(c.shape[1] for c in cells) + pad * (len(cells) - 1), 3), 255, np.uint8
        )
        x = 0
        for c in cells:
            strip[text_h:, x : x + c.shape[1]] = c
            x += c.shape[1] + pad
        img = Image.fromarray(strip)
        ImageDraw.Draw(img).text((2, 1), row.label, fill=(0, 0, 0))
        rendered.append(np.asarray(img))
    width = max(r.shape[1] for r in rendered)
    out = np.full((sum(r.shape[0] + pad for r in rendered), width, 3), 255, np.uint8)
    y = 0
    for r in rendered:
        out[y : y + r.shape[0], : r.shape[1]] = r
        y += r.shape[0] + pad
    return out


@dataclass(frozen=True)
class PairResult:
    """A try-on of one pair for review: the result and how its inputs were obtained.

    Attributes:
        tryon: the classical result (batch 1).
        parse: (1, H, W) int64 the parse map used (given or estimated), or None.
        how: e.g. "parse map", "regions estimated ...", "no parse"; and the garment mask method.
    """

    tryon: ClassicalTryOn
    parse: Tensor | None
    how: str


def tryon_pair(
    person: PersonInputs,
    garment: GarmentInputs,
    *,
    use_parse: bool = True,
    use_mask: bool = True,
    estimate: bool = True,
    pose: Pose | PoseEstimate | None = None,
    category: str = "upper",
) -> PairResult:
    """Run the classical try-on on one pair as a user would: the layout's parse map, else (with `estimate`) regions
    estimated as the CLI and the nodes do (`person_regions`: MediaPipe's person mask and face outline when
    installed, the two-photo path); the layout's cloth mask, else one computed.

    Args:
        pose: the person's pose when the layout has none (e.g. estimated by the caller; a `PoseEstimate` brings
            MediaPipe's person analysis with it, so it is not run twice).
        category: the garment's category for `classical_tryon` ("upper", "lower", "dress" or "auto").

    Raises:
        ValueError naming the person when no pose is given or found.
    """
    pose = person.pose if person.pose is not None else pose
    if pose is None:
        raise ValueError(f"person {person.name}: no pose (no keypoint file in its layout, none given)")
    parse, how = None, "no parse"
    if use_parse and person.parse is not None:
        parse, how = person.parse, "parse map"
    elif estimate:
        found = person_regions(person.image, pose=pose)
        parse = found.parse
        how = "regions estimated" if parse is not None else f"no parse ({found.regions})"
    pose = pose.pose if isinstance(pose, PoseEstimate) else pose
    mask = garment.mask if use_mask else None
    result = classical_tryon(person.image, garment.image, pose, garment_mask=mask, parse=parse, category=category)
    return PairResult(result, parse, f"{how}, garment mask {result.mask_method}")
