"""Fixtures for the training tests: dataset folders assembled from the shared samples by symlinks in tmp_path.

Nothing is copied into the repository; every fixture skips cleanly when the samples are absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: the VITON-HD sample bundle's persons and garments, paired off (they are unpaired: persons wear other garments)
SMOKE_PAIRS = (
    ("00891_00.jpg", "11791_00.jpg"),
    ("03615_00.jpg", "01260_00.jpg"),
    ("07445_00.jpg", "01430_00.jpg"),
    ("07573_00.jpg", "02783_00.jpg"),
    ("08909_00.jpg", "03751_00.jpg"),
    ("10549_00.jpg", "06429_00.jpg"),
)


@pytest.fixture
def smoke_pair_list(vitonhd_dir: Path, tmp_path: Path) -> Path:
    """A pair list over the six VITON-HD sample persons (the bundle's own list has one line)."""
    path = tmp_path / "smoke_pairs.txt"
    path.write_text("".join(f"{p} {c}\n" for p, c in SMOKE_PAIRS))
    return path


def _link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(src, dst)


@pytest.fixture
def two_pair_root(samples_dir: Path, tmp_path: Path) -> Path:
    """A VITON-HD-layout dataroot (split "train") holding two sample pairs, by symlinks:

    1. HR-VITON 00006_00: the person wears garment 00006_00 (a true pair);
    2. VITON-HD 00891_00 with garment 11791_00 (the dataset's own test pair; unpaired).
    """
    hr, hd = samples_dir / "hrviton" / "test", samples_dir / "vitonhd" / "test"
    root = tmp_path / "two_pairs"
    t = root / "train"
    _link(hr / "image" / "00006_00.jpg", t / "image" / "00006_00.jpg")
    _link(hr / "cloth" / "00006_00.jpg", t / "cloth" / "00006_00.jpg")
    _link(hr / "cloth-mask" / "00006_00.jpg", t / "cloth-mask" / "00006_00.jpg")
    _link(hr / "image-parse-v3" / "00006_00.png", t / "image-parse" / "00006_00.png")
    _link(hr / "openpose_json" / "00006_00_keypoints.json", t / "openpose-json" / "00006_00_keypoints.json")
    _link(hd / "image" / "00891_00.jpg", t / "image" / "00891_00.jpg")
    _link(hd / "cloth" / "11791_00.jpg", t / "cloth" / "11791_00.jpg")
    _link(hd / "cloth-mask" / "11791_00.jpg", t / "cloth-mask" / "11791_00.jpg")
    _link(hd / "image-parse" / "00891_00.png", t / "image-parse" / "00891_00.png")
    _link(hd / "openpose-json" / "00891_00_keypoints.json", t / "openpose-json" / "00891_00_keypoints.json")
    (root / "train_pairs.txt").write_text("00006_00.jpg 00006_00.jpg\n00891_00.jpg 11791_00.jpg\n")
    return root
