"""Dress Code reader (per category, paired / unpaired) and a training smoke run on the shared samples."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from kfvton.train.config import load_config
from kfvton.train.datasets import collate_samples
from kfvton.train.dresscode import DressCodeDataset
from kfvton.train.trainer import Trainer

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


@pytest.fixture(scope="module")
def dresscode_root(samples_dir: Path) -> Path:
    root = samples_dir / "dresscode"
    if not (root / "lower_body" / "images").is_dir():
        pytest.skip("no Dress Code samples")
    return root


class TestDressCodeDataset:
    @pytest.mark.parametrize(("category", "labels"), [("upper_body", (5,)), ("lower_body", (9, 12)), ("dresses", (6,))])
    def test_paired_per_category(self, dresscode_root: Path, category: str, labels: tuple[int, ...]) -> None:
        ds = DressCodeDataset(dresscode_root, "test", size_hw=(128, 96), category=category, train=False)
        assert len(ds) == 7 and not ds.bad_samples
        assert all(e.paired and e.name.startswith(f"{category}/") for e in ds.entries)
        s = ds[0]
        assert s.image.shape == (3, 128, 96) and s.cloth_mask.shape == (1, 128, 96)
        assert 0.05 < float(s.cloth_mask.mean()) < 0.95  # computed from the photo
        assert torch.isin(s.parse, torch.tensor(labels)).any() and int(s.parse.max()) <= 19
        assert (s.joints[[1, 2, 5, 9, 12], 2] > 0).all()  # neck, shoulders, hips (Dress Code keypoints)
        assert float(s.joints[:, 1].max()) < 128

    def test_unpaired_all(self, dresscode_root: Path) -> None:
        ds = DressCodeDataset(dresscode_root, "test", size_hw=(128, 96), pairs="unpaired", train=False)
        assert len(ds) == 21 and not any(e.paired for e in ds.entries)
        # a garment of the same category, never the person's own
        assert all(e.name.split("/")[0] == e.cloth_name.split("/")[0] for e in ds.entries)
        batch = collate_samples([ds[0], ds[10], ds[20]])
        assert batch.image.shape == (3, 3, 128, 96) and batch.pose.joints.shape == (3, 25, 3)

    def test_bad_category(self, dresscode_root: Path) -> None:
        with pytest.raises(ValueError, match="category: expected one of upper_body"):
            DressCodeDataset(dresscode_root, "test", category="shoes")


def test_config_loads() -> None:
    cfg = load_config(CONFIGS / "kfvton_dresscode.yaml")
    assert (
        cfg.data.layout == "dresscode" and cfg.data.category == "upper_body" and tuple(cfg.data.size_hw) == (512, 384)
    )


def test_smoke_run_on_dresscode(dresscode_root: Path, tmp_path: Path) -> None:
    """configs/smoke.yaml's tiny networks on the Dress Code upper_body samples: 2 steps, finite losses."""
    cfg = load_config(
        CONFIGS / "smoke.yaml",
        [
            f"data.dataroot={dresscode_root}", "data.layout=dresscode", "data.category=upper_body", "data.pairs=paired",
            "data.allow_unpaired=false", "train.steps=2", "train.sample_every=0", "train.ckpt_every=0",
            f"train.out_dir={tmp_path / 'run'}",
        ],
    )  # fmt: skip
    trainer = Trainer(cfg)
    assert isinstance(trainer.dataset, DressCodeDataset)
    seen = []
    assert trainer.fit(on_step=lambda step, losses: seen.append(losses)) == 2
    assert all(torch.isfinite(torch.tensor(list(losses.values()))).all() for losses in seen)
