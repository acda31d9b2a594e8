from __future__ import annotations

import csv
from pathlib import Path

import pytest
import torch

from kfvton.checkpoints.io import load_bundle
from kfvton.pipelines.learned import kfvton_tryon_photos
from kfvton.train.config import load_config
from kfvton.train.trainer import (
    SEG_FILE,
    STATE_FILE,
    WARP_FILE,
    StepBatchSampler,
    Trainer,
    collate_train,
    warp_region_l1,
)

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def _resume_config(root: Path, out: Path, steps: int):
    """Warp stage with generator, GAN, augmentation and TPS dropout at 64x48: every kind of state a resume needs."""
    return load_config(
        CONFIGS / "overfit_tiny.yaml",
        [
            f"data.dataroot={root}", "data.flip=0.5", "data.scale=0.05", "data.shift=0.05",
            f"train.steps={steps}", "train.batch_size=1", "train.accum_steps=2", "train.tps_dropout=true",
            "train.decay_start=1", "train.lr_warp=0.0002", f"train.out_dir={out}", "train.ckpt_every=0",
            "loss.gen_l1=1.0", "loss.gan=1.0", "loss.feature_matching=1.0",
        ],
    )  # fmt: skip


class TestConfigs:
    @pytest.mark.parametrize("name", ["kfvton_256.yaml", "kfvton_512.yaml", "kfvton_1024.yaml", "smoke.yaml"])
    def test_repo_configs_load(self, name: str) -> None:
        cfg = load_config(CONFIGS / name)
        assert cfg.data.size_hw[0] * 3 == cfg.data.size_hw[1] * 4

    def test_unknown_keys_and_values_are_named(self, tmp_path: Path) -> None:
        p = tmp_path / "c.json"
        p.write_text('{"train": {"stepz": 3}}')
        with pytest.raises(ValueError, match="stepz"):
            load_config(p)
        p.write_text('{"train": {"stage": "everything"}}')
        with pytest.raises(ValueError, match="train.stage"):
            load_config(p)
        p.write_text('{"data": {"size_hw": [100, 75]}}')
        with pytest.raises(ValueError, match="data.size_hw"):
            load_config(p)
        cfg = load_config(CONFIGS / "smoke.yaml", ["train.steps=7", "loss.vgg_weights=/x/vgg.pth"])
        assert cfg.train.steps == 7 and cfg.loss.vgg_weights == "/x/vgg.pth"

    def test_perceptual_without_weights_fails_loudly(self, two_pair_root: Path, tmp_path: Path) -> None:
        cfg = load_config(
            CONFIGS / "overfit_tiny.yaml",
            [f"data.dataroot={two_pair_root}", f"train.out_dir={tmp_path}", "loss.warp_perceptual=0.2"],
        )
        with pytest.raises(RuntimeError, match="VGG19 weights"):
            Trainer(cfg)

    def test_unpaired_data_needs_an_explicit_opt_in(self, two_pair_root: Path, tmp_path: Path) -> None:
        cfg = load_config(
            CONFIGS / "overfit_tiny.yaml",
            [f"data.dataroot={two_pair_root}", f"train.out_dir={tmp_path}", "data.allow_unpaired=false"],
        )
        with pytest.raises(ValueError, match="00891_00.jpg"):
            Trainer(cfg)


class TestStepBatchSampler:
    def test_ranks_split_each_global_batch(self) -> None:
        a = StepBatchSampler(10, 2, seed=1, start=0, total=6, rank=0, world=2)
        b = StepBatchSampler(10, 2, seed=1, start=0, total=6, rank=1, world=2)
        for m in range(6):
            ia, ib = a.micro_batch(m), b.micro_batch(m)
            assert len(ia) == len(ib) == 2 and not {i for i, _ in ia} & {i for i, _ in ib}
        # micro-batches 0 and 1 form epoch 0 (2 x 4 of 10 items, tail dropped); epoch 1 reshuffles
        assert a.per_epoch == 2 and a.micro_batch(2)[0][1] == 1

    def test_resume_sees_the_same_batches(self) -> None:
        full = list(StepBatchSampler(7, 3, seed=4, start=0, total=9))
        tail = list(StepBatchSampler(7, 3, seed=4, start=5, total=9))
        assert full[5:] == tail

    def test_tiny_datasets_repeat_items(self) -> None:
        s = StepBatchSampler(2, 3, seed=0, start=0, total=2)
        assert all(len(b) == 3 for b in s)


def test_smoke_run_loads_in_the_nodes_checkpoint_io(vitonhd_dir: Path, smoke_pair_list: Path, tmp_path: Path) -> None:
    """configs/smoke.yaml on the VITON-HD samples: 4 steps of both stages, logs, grids, loadable checkpoints."""
    out = tmp_path / "smoke"
    cfg = load_config(
        CONFIGS / "smoke.yaml",
        [f"data.dataroot={vitonhd_dir.parent}", f"data.pair_list={smoke_pair_list}", f"train.out_dir={out}"],
    )
    trainer = Trainer(cfg)
    seen = []
    assert trainer.fit(on_step=lambda step, losses: seen.append(losses)) == 4
    assert all(torch.isfinite(torch.tensor(list(losses.values()))).all() for losses in seen)
    assert {"seg_ce", "warp_l1", "equivariance", "gen_l1", "gan_g", "gan_d", "feat_match"} <= set(seen[0])
    rows = list(csv.DictReader(open(out / "log.csv")))
    assert [int(r["step"]) for r in rows] == [1, 2, 3, 4] and float(rows[0]["samples_per_s"]) > 0
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["step_0000002.png", "step_0000004.png"]
    final = out / "checkpoints" / "step_0000004"
    assert (out / "checkpoints" / "latest").read_text() == final.name
    assert (final / STATE_FILE).is_file()

    bundle = load_bundle(final / SEG_FILE, final / WARP_FILE)
    assert bundle.resolution_hw == (128, 96)
    assert "step 4" in bundle.warp_info.source
    raw = collate_train([trainer.dataset[0]], size_hw=(128, 96)).raw
    # the learned pipeline the nodes and `python -m kfvton tryon` run, on the sample photos
    result = kfvton_tryon_photos(bundle, raw.image, raw.cloth, raw.cloth_mask, raw.pose, raw.parse)
    assert result.image.shape == (1, 3, 128, 96) and torch.isfinite(result.image).all()
    assert 0 <= float(result.image.min()) and float(result.image.max()) <= 1
    assert result.parse.labels.shape == (1, 128, 96)
    # the loaded weights are the trained ones
    for k, v in trainer.warp_net.state_dict().items():
        assert torch.equal(bundle.warp.state_dict()[k], v.cpu()), k


def test_tps_dropout_reaches_the_contribution_maps(two_pair_root: Path, tmp_path: Path) -> None:
    """With p = 1 every sample keeps exactly one TPS group: its softmax weight is 1 everywhere (the hook must sit
    on the convolution the dense motion network really calls)."""
    trainer = Trainer(_resume_config(two_pair_root, tmp_path / "d", 1))
    batch = collate_train([trainer.dataset.get(0, epoch=0), trainer.dataset.get(1, epoch=0)], size_hw=(64, 48))
    dense = trainer.warp_net.dense_motion
    kp = trainer.warp_net.kp_detector(batch.inputs.garment, batch.inputs.garment_mask.expand(-1, 3, -1, -1))
    args = (batch.inputs.garment, batch.inputs.garment_mask.expand(-1, 3, -1, -1), kp.source_kp, kp.ref_kp)
    trainer.dropout_hook.p = 1.0
    with torch.no_grad():
        kept = dense(*args).contribution_maps  # training mode: groups dropped
        dense.eval()
        full = dense(*args).contribution_maps
    assert torch.allclose(kept.amax(dim=1), torch.ones_like(kept[:, 0]), atol=1e-4)
    assert ((kept > 0.5).sum(dim=(2, 3)) > 0).sum(dim=1).tolist() == [1, 1]
    assert full.amax() < 0.999  # eval mode: no dropout, a real blend


def test_resume_continues_the_same_trajectory(two_pair_root: Path, tmp_path: Path) -> None:
    """4 steps straight vs 2 steps, a new process-like Trainer resuming from the checkpoint, 2 more steps."""
    torch.use_deterministic_algorithms(True)
    try:
        straight: list[dict[str, float]] = []
        Trainer(_resume_config(two_pair_root, tmp_path / "a", 4)).fit(on_step=lambda s, v: straight.append(v))
        first: list[dict[str, float]] = []
        Trainer(_resume_config(two_pair_root, tmp_path / "b", 4)).fit(2, on_step=lambda s, v: first.append(v))
        resumed = Trainer(_resume_config(two_pair_root, tmp_path / "b", 4), resume="latest")
        assert resumed.step == 2
        second: list[dict[str, float]] = []
        resumed.fit(on_step=lambda s, v: second.append(v))
    finally:
        torch.use_deterministic_algorithms(False)
    assert len(straight) == 4 and len(first + second) == 4
    assert set(straight[0]) >= {"warp_l1", "gen_l1", "gan_d", "equivariance"}
    for a, b in zip(straight, first + second, strict=True):
        assert a == pytest.approx(b, rel=1e-6, abs=1e-7)
    # the losses move from step to step, so the comparison above can fail
    assert straight[2]["warp_l1"] != straight[3]["warp_l1"] and straight[0]["gan_d"] != straight[1]["gan_d"]


@pytest.mark.slow
def test_overfit_two_pairs_beats_step0_and_the_classical_warp(two_pair_root: Path, tmp_path: Path) -> None:
    """configs/overfit_tiny.yaml: the warp stage on two pairs; warped-garment L1 to the person's garment region."""
    from kfvton.pipelines.classical import classical_tryon

    cfg = load_config(CONFIGS / "overfit_tiny.yaml", [f"data.dataroot={two_pair_root}", f"train.out_dir={tmp_path}"])
    trainer = Trainer(cfg)
    batch = collate_train([trainer.dataset.get(0, epoch=0), trainer.dataset.get(1, epoch=0)], size_hw=(64, 48))

    def warp_l1() -> float:
        trainer.networks.eval()
        with torch.no_grad():
            out = trainer.networks(batch.inputs, None, False)
        trainer.networks.train()
        return float(warp_region_l1(out["warped"], batch.inputs))

    raw = batch.raw
    classical = classical_tryon(raw.image, raw.cloth, raw.pose, garment_mask=raw.cloth_mask, parse=raw.parse)
    classical_l1 = float(warp_region_l1((classical.warped_garment * 2 - 1) * classical.warped_mask, batch.inputs))
    start = warp_l1()
    curve: list[float] = []
    trainer.fit(on_step=lambda step, losses: curve.append(losses["warp_l1"]))
    end = warp_l1()
    print(f"overfit warp L1: step0 {start:.4f}, end {end:.4f}, classical {classical_l1:.4f}; curve {curve}")
    assert end < 0.8 * start
    assert end < classical_l1
    assert sum(curve[-5:]) / 5 < sum(curve[:5]) / 5


def test_train_cli_runs_a_step(two_pair_root: Path, tmp_path: Path) -> None:
    from kfvton.cli import main

    out = tmp_path / "cli"
    args = ["train", "--config", str(CONFIGS / "overfit_tiny.yaml"), "--dataroot", str(two_pair_root)]
    assert main(args + ["--out", str(out), "--steps", "1"]) == 0
    assert (out / "checkpoints" / "step_0000001" / WARP_FILE).is_file()
    assert main(args + ["--out", str(out), "--steps", "2", "--resume", "latest"]) == 0
    assert (out / "checkpoints" / "latest").read_text() == "step_0000002"
    assert main(args + ["--out", str(out), "--set", "train.stage=nope"]) == 1
    # --init: a new run (another stage) starts from the checkpoint's weights
    first = out / "checkpoints" / "step_0000001"
    cfg = load_config(
        CONFIGS / "overfit_tiny.yaml",
        [f"data.dataroot={two_pair_root}", f"train.out_dir={tmp_path / 'next'}", f"train.init_from={first}"],
    )
    trainer = Trainer(cfg)
    saved = load_bundle(first / SEG_FILE, first / WARP_FILE)
    for k, v in saved.warp.state_dict().items():
        assert torch.equal(trainer.warp_net.state_dict()[k], v), k


@pytest.mark.slow
def test_torchrun_two_processes(two_pair_root: Path, tmp_path: Path) -> None:
    """`torchrun --nproc_per_node 2 -m kfvton train` on CPU (gloo): DDP over the networks and the discriminator."""
    import os
    import subprocess
    import sys

    out = tmp_path / "ddp"
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
        "-m", "kfvton", "train", "--config", str(CONFIGS / "overfit_tiny.yaml"), "--dataroot", str(two_pair_root),
        "--out", str(out), "--steps", "2", "--set", "train.batch_size=1", "--set", "loss.gen_l1=1.0",
        "--set", "loss.gan=1.0", "--set", "loss.feature_matching=1.0", "--set", "train.accum_steps=2",
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(CONFIGS.parent)}
    proc = subprocess.run(cmd, cwd=CONFIGS.parent, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "2 processes" in proc.stderr
    rows = list(csv.DictReader(open(out / "log.csv")))
    assert [int(r["step"]) for r in rows] == [1, 2]  # rank 0 alone writes logs and checkpoints
    bundle = load_bundle(
        out / "checkpoints" / "step_0000002" / SEG_FILE, out / "checkpoints" / "step_0000002" / WARP_FILE
    )
    assert bundle.resolution_hw == (64, 48)
