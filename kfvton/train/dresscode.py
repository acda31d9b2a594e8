"""Dress Code (Morelli et al., CVPR 2022) in its own layout, for training and evaluation: per category, paired and
unpaired pair lists.

Layout, under `dataroot` (one folder per category; the shared samples hold 7 pairs of each):

    <category>/images/NNNNNN_0.jpg      person (1024 x 768)
    <category>/images/NNNNNN_1.jpg      the garment (in-shop photo; no garment masks: computed from the photo)
    <category>/keypoints/NNNNNN_2.json  18 OpenPose-18 joints [x, y, score, n] in 384 x 512 pixels
    <category>/label_maps/NNNNNN_4.png  Dress Code's 18 labels (read as "dresscode", converted to LIP-20)
    <category>/<split>_pairs_paired.txt, <category>/<split>_pairs_unpaired.txt (or <split>_pairs.txt)
        lines "NNNNNN_0.jpg NNNNNN_1.jpg" (the unpaired list pairs a person with another garment)
    categories: upper_body, lower_body, dresses (`DRESSCODE_CATEGORIES`; "all" reads the three).

Samples are `TryOnSample`s, as `TryOnDataset` gives, so the trainer and the evaluation read both alike; sample
names carry the category ("lower_body/013563_0.jpg"). A paired sample must show its category's garment labels
(upper clothes 5; pants 9 or skirt 12; dress 6), else it is a bad sample (reported by name, skipped or raised).
NOTE: the KF-VTON network inputs (agnostic person, merged parse) are built for upper-body garments; training on
lower_body or dresses reads correctly here but the networks' agnostic masks do not yet remove the lower garment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from ..keypoints.formats import pose_from_dresscode_json
from ..preprocess.garment_mask import prepare_garment_mask
from ..preprocess.parse_labels import to_vitonhd
from .datasets import (
    BadSampleError,
    TryOnDataset,
    TryOnSample,
    _Entry,
    _image_size,
    _load_labels,
    _load_rgb,
    read_pair_list,
)

__all__ = ["DRESSCODE_CATEGORIES", "CATEGORY_LABELS", "DressCodeDataset", "dresscode_pair_list"]

DRESSCODE_CATEGORIES: tuple[str, ...] = ("upper_body", "lower_body", "dresses")
#: Dress Code folder -> LIP-20 labels (our layout) of the garment a person of that folder wears.
CATEGORY_LABELS: dict[str, tuple[int, ...]] = {"upper_body": (5,), "lower_body": (9, 12), "dresses": (6,)}


def dresscode_pair_list(folder: Path, split: str, pairs: str) -> Path | None:
    """The pair-list file of one category folder for `split` and "paired" / "unpaired", or None."""
    for name in (f"{split}_pairs_{pairs}.txt", f"{split}_pairs.txt"):
        if (folder / name).is_file():
            return folder / name
    return None


@dataclass
class DressCodeDataset(TryOnDataset):
    """Dress Code person / garment pairs of one category or all three (fields as `TryOnDataset`, plus `category`).

    Args:
        category: "upper_body", "lower_body", "dresses" or "all".
        pairs: "paired" (the person with the garment they wear) or "unpaired" (the unpaired list; without one,
            each person with the next person's garment of the same category, a deterministic derangement).
        layout: ignored (always Dress Code's).
    """

    category: str = "all"

    def __post_init__(self) -> None:
        if self.category not in (*DRESSCODE_CATEGORIES, "all"):
            raise ValueError(
                f"category: expected one of {', '.join(DRESSCODE_CATEGORIES)} or 'all', got {self.category!r}"
            )
        self.layout = "dresscode"
        self._check_options()
        root = Path(self.dataroot)
        cats = DRESSCODE_CATEGORIES if self.category == "all" else (self.category,)
        present = [c for c in cats if (root / c / "images").is_dir()]
        if not present:
            raise FileNotFoundError(
                f"dataset: no Dress Code category folder ({', '.join(cats)}) with images/ under {root}"
            )
        self.entries = self._index_dresscode(root, present)
        if not self.entries:
            raise ValueError(f"dataset {root}: no usable Dress Code sample ({len(self.bad_samples)} bad)")

    def _index_dresscode(self, root: Path, categories: list[str]) -> list[_Entry]:
        entries: list[_Entry] = []
        for cat in categories:
            folder = root / cat
            listed = dresscode_pair_list(folder, self.split, self.pairs)
            if listed is not None:
                pairs = read_pair_list(listed)
            else:
                persons = sorted(p.name for p in (folder / "images").glob("*_0.jpg"))
                pairs = [(p, p.replace("_0.", "_1.")) for p in persons]
            if self.pairs == "paired":
                pairs = [(p, p.replace("_0.", "_1.")) for p, _ in pairs]
            elif listed is None or all(p[:6] == c[:6] for p, c in pairs):
                garments = [c for _, c in pairs]
                pairs = [(p, garments[(k + 1) % len(garments)]) for k, (p, _) in enumerate(pairs)]
            if self.limit is not None:
                pairs = pairs[: self.limit]
            for person, cloth in pairs:
                name = f"{cat}/{person}"
                try:
                    entries.append(self._dc_entry(folder, cat, person, cloth))
                except (BadSampleError, FileNotFoundError) as err:
                    self._bad(f"{name} + {cloth}", str(err))
        return entries

    def _dc_entry(self, folder: Path, cat: str, person: str, cloth: str) -> _Entry:
        pid = person.split("_")[0]
        files = {
            "person image": folder / "images" / person,
            "garment": folder / "images" / cloth,
            "parse": folder / "label_maps" / f"{pid}_4.png",
            "pose": folder / "keypoints" / f"{pid}_2.json",
        }
        for what, path in files.items():
            if not path.is_file():
                raise BadSampleError(f"missing {what} file {path}")
        hw = _image_size(files["person image"], "person image")
        if _image_size(files["parse"], "parse") != hw:
            raise BadSampleError(f"parse is not the person image's size {hw}")
        want = self.size_hw[0] / self.size_hw[1]
        if abs(hw[0] / hw[1] / want - 1) > 0.02:
            raise BadSampleError(f"person image is {hw[0]}x{hw[1]}; its aspect ratio does not match {self.size_hw}")
        paired = person.split("_")[0] == cloth.split("_")[0]
        return _Entry(
            f"{cat}/{person}",
            f"{cat}/{cloth}",
            files["person image"],
            files["garment"],
            files["garment"],  # no mask file: computed from the garment photo in `load`
            files["parse"],
            files["pose"],
            paired,
            hw,
        )

    def load(self, index: int) -> TryOnSample:
        """Read sample `index` at the working resolution (garment mask computed from the photo); raises
        `BadSampleError`."""
        e = self.entries[index]
        h, w = self.size_hw
        image = _load_rgb(e.image, (h, w))
        cloth = _load_rgb(e.cloth, (h, w))
        mask = prepare_garment_mask(cloth[None], None).mask[0]
        if mask.sum() < 0.001 * h * w:
            raise BadSampleError(f"garment {e.cloth.name}: no garment found on the photo (empty computed mask)")
        parse = to_vitonhd(_load_labels(e.parse, (h, w))[None], "dresscode")[0]
        joints = pose_from_dresscode_json(e.pose, (h, w), name="pose").joints[0]
        if (joints[[1, 2, 5], 2] <= 0).any():
            raise BadSampleError(f"pose {e.pose.name}: no person (neck or a shoulder missing)")
        cat = e.name.split("/")[0]
        if e.paired and not torch.isin(parse, torch.tensor(CATEGORY_LABELS[cat])).any():
            raise BadSampleError(f"parse {e.parse.name}: no {cat} garment region (labels {CATEGORY_LABELS[cat]})")
        return TryOnSample(e.name, e.cloth_name, image, cloth, mask, parse, joints, e.paired)
