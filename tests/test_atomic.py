"""kfvton._atomic: a write that fails half-way leaves no truncated file under the final name."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from PIL import Image

from kfvton._atomic import atomic_path, write_text_atomic
from kfvton.preprocess.io import save_image


def test_renamed_when_complete(tmp_path):
    with atomic_path(tmp_path / "sub" / "a.txt") as tmp:
        assert tmp.parent == tmp_path / "sub" and tmp.suffix == ".txt"
        tmp.write_text("new")
        assert not (tmp_path / "sub" / "a.txt").exists()
    assert (tmp_path / "sub" / "a.txt").read_text() == "new"
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["a.txt"]


def test_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.txt"
    write_text_atomic(target, "old")
    with pytest.raises(RuntimeError, match="killed"), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_save_image_killed_while_writing(tmp_path, monkeypatch):
    def broken_save(self, fp, *args, **kwargs):
        with open(fp, "wb") as f:
            f.write(b"\x89PNG\r\n")  # a truncated file, as a killed process leaves it
        raise KeyboardInterrupt

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(KeyboardInterrupt):
        save_image(torch.rand(1, 3, 8, 8), tmp_path / "out" / "tryon.png")
    assert list((tmp_path / "out").iterdir()) == []


def test_parallel_writers_into_one_folder(tmp_path):
    images = [torch.full((1, 3, 32, 32), i / 10) for i in range(6)]

    def write(i: int) -> None:
        save_image(images[i], tmp_path / "same.png")
        save_image(images[i], tmp_path / f"own_{i}.png")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["same.png", *[f"own_{i}.png" for i in range(6)]])
    for i in range(6):
        assert abs(int(np.asarray(Image.open(tmp_path / f"own_{i}.png"))[0, 0, 0]) - 255 * i / 10) <= 1
    assert np.asarray(Image.open(tmp_path / "same.png")).shape == (32, 32, 3)  # one whole image, whichever won
