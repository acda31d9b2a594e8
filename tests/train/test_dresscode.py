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


class TestNetworkInputsPerCategory:
    """The agnostic inputs hide what the garment replaces; those clothes take the networks' garment class."""

    @pytest.mark.parametrize(("category", "net"), [("lower_body", "lower"), ("dresses", "dress")])
    def test_hidden_and_garment_class(self, dresscode_root: Path, category: str, net: str) -> None:
        from kfvton.preprocess.network_inputs import GREY, build_network_inputs

        ds = DressCodeDataset(dresscode_root, "test", size_hw=(256, 192), category=category, train=False)
        s = ds[0]
        b = collate_samples([s])
        kw = {"size_hw": (256, 192)}
        inp = build_network_inputs(b.image, b.cloth, b.cloth_mask, b.pose, b.parse, category=net, **kw)
        old = build_network_inputs(b.image, b.cloth, b.cloth_mask, b.pose, b.parse, **kw)
        worn = torch.isin(b.parse, torch.tensor((9, 12) if net == "lower" else (6,)))[:, None]
        grey = ((inp.agnostic + 1) / 2 - GREY).abs().amax(1, keepdim=True) < 0.02
        assert float(grey[worn].float().mean()) > 0.95  # the old garment is hidden
        assert float(inp.person_clothes_mask[worn].mean()) > 0.95  # ... and is the garment class
        assert float(old.person_clothes_mask[worn].mean()) < 0.05  # (upper: it was not)
        if net == "lower":
            top = torch.isin(b.parse, torch.tensor((5,)))[:, None]
            assert float(grey[top].float().mean()) < 0.05 and float(inp.person_clothes_mask[top].mean()) == 0.0
        shoes = torch.isin(b.parse, torch.tensor((18, 19)))[:, None]
        if shoes.any():
            assert float(grey[shoes].float().mean()) < 0.05  # shoes stay
        # the garment canvas sits on the category's garment box: its mask overlaps the old garment
        assert float(inp.garment_mask[worn].mean()) > 0.5

    def test_bad_category(self, dresscode_root: Path) -> None:
        from kfvton.preprocess.network_inputs import garment_as_upper

        with pytest.raises(ValueError, match="category: expected one of upper, lower, dress"):
            garment_as_upper(torch.zeros(1, 8, 8, dtype=torch.long), "shoes")


@pytest.mark.parametrize("category", ["upper_body", "lower_body", "dresses"])
def test_smoke_run_on_dresscode(dresscode_root: Path, tmp_path: Path, category: str) -> None:
    """configs/smoke.yaml's tiny networks on each Dress Code category's samples (that category's network inputs):
    2 steps, finite losses."""
    cfg = load_config(
        CONFIGS / "smoke.yaml",
        [
            f"data.dataroot={dresscode_root}", "data.layout=dresscode", f"data.category={category}", "data.pairs=paired",
            "data.allow_unpaired=false", "train.steps=2", "train.sample_every=0", "train.ckpt_every=0",
            f"train.out_dir={tmp_path / 'run'}",
        ],
    )  # fmt: skip
    trainer = Trainer(cfg)
    assert isinstance(trainer.dataset, DressCodeDataset)
    seen = []
    assert trainer.fit(on_step=lambda step, losses: seen.append(losses)) == 2
    assert all(torch.isfinite(torch.tensor(list(losses.values()))).all() for losses in seen)
