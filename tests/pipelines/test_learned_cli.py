"""The learned branch of `python -m kfvton tryon` with a tiny random-weight bundle on a sample photo pair."""

from __future__ import annotations

import argparse
import json

import pytest
import torch

from kfvton.keypoints.pose import Pose
from kfvton.pipelines.learned_cli import add_learned_arguments, parse_size, run_learned, wants_learned
from kfvton.preprocess.io import load_image, load_mask, load_parse
from tests._tiny_kfvton import write_tiny_bundle


def _args(tmp_path, seg, warp, **extra) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--save-intermediates")
    add_learned_arguments(parser)
    argv = ["--out", str(tmp_path / "out.png"), "--checkpoint-seg", str(seg), "--checkpoint-warp", str(warp)]
    for key, value in extra.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    return parser.parse_args(argv)


def test_run_learned(vitonhd_dir, tmp_path, capsys):
    seg, warp = write_tiny_bundle(tmp_path)
    person = load_image(vitonhd_dir / "image" / "00891_00.jpg")
    people = json.loads((vitonhd_dir / "openpose-json" / "00891_00_keypoints.json").read_text())["people"]
    pose = Pose(torch.tensor(people[0]["pose_keypoints_2d"]).view(1, 25, 3), tuple(person.shape[-2:]))
    garment = load_image(vitonhd_dir / "cloth" / "01260_00.jpg")
    mask = load_mask(vitonhd_dir / "cloth-mask" / "01260_00.jpg")
    parse = load_parse(vitonhd_dir / "image-parse" / "00891_00.png")
    args = _args(tmp_path, seg, warp, save_intermediates=tmp_path / "inter", dtype="bf16")
    assert wants_learned(args)
    assert run_learned(args, person, garment, mask, pose, parse) == 0
    assert "learned KF-VTON, 128x96, bf16" in capsys.readouterr().out
    out = load_image(tmp_path / "out.png")
    assert out.shape == (1, 3, 128, 96)
    record = json.loads((tmp_path / "inter" / "keypoints.json").read_text())
    assert record["origin"] == "learned" and record["groups"] == 8 and len(record["person_px"]) == 96
    with pytest.raises(ValueError, match="--parse"):
        run_learned(args, person, garment, mask, pose, None)


def test_options():
    assert parse_size("512x384") == (512, 384)
    with pytest.raises(ValueError, match="--size"):
        parse_size("big")
    with pytest.raises(ValueError, match="--checkpoint-warp"):
        wants_learned(argparse.Namespace(checkpoint_seg="a", checkpoint_warp=None))
    assert not wants_learned(argparse.Namespace(checkpoint_seg=None, checkpoint_warp=None))


def test_tryon_command_learned(vitonhd_dir, tmp_path, capsys):
    from kfvton.cli import main

    seg, warp = write_tiny_bundle(tmp_path)
    out = tmp_path / "tryon.png"
    argv = [
        "tryon",
        "--person", str(vitonhd_dir / "image" / "00891_00.jpg"),
        "--garment", str(vitonhd_dir / "cloth" / "01260_00.jpg"),
        "--garment-mask", str(vitonhd_dir / "cloth-mask" / "01260_00.jpg"),
        "--pose", str(vitonhd_dir / "openpose-json" / "00891_00_keypoints.json"),
        "--parse", str(vitonhd_dir / "image-parse" / "00891_00.png"),
        "--checkpoint-seg", str(seg), "--checkpoint-warp", str(warp),
        "--size", "256x192", "--out", str(out),
    ]  # fmt: skip
    assert main(argv) == 0
    assert "learned KF-VTON, 256x192, fp32" in capsys.readouterr().out
    assert load_image(out).shape == (1, 3, 256, 192)
    assert main(argv[:-8] + ["--checkpoint-seg", str(seg), "--out", str(out)]) == 1
    assert "--checkpoint-warp" in capsys.readouterr().err
