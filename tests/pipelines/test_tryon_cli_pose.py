"""`python -m kfvton tryon` without --pose: the pose comes from estimate_pose, and the method is reported."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kfvton.cli import main
from kfvton.keypoints import estimate as estimate_module
from kfvton.keypoints.formats import pose_from_openpose_json, pose_to_array
from kfvton.preprocess.io import load_image, load_mask, load_parse
from kfvton.preprocess.region_metrics import old_garment_residue
from kfvton.preprocess.regions import REGION_METHOD
from tests._tiny_onnx import oracle_pose_model

PERSON = "00891_00"
RED_TOP = "03615_00"  # a garment unlike the wall: repainted pixels differ from the old ones
GARMENT = "01260_00"


@pytest.fixture
def no_mediapipe(monkeypatch):
    monkeypatch.setattr(estimate_module, "mediapipe_version", lambda: None)


def test_two_photos_with_a_pose_model(vitonhd_dir, tmp_path, capsys):
    truth = pose_from_openpose_json(vitonhd_dir / "openpose-json" / f"{PERSON}_keypoints.json", (1024, 768))
    pose_dir = tmp_path / "pose"
    oracle_pose_model(pose_dir / "dw-ll_ucoco_384.onnx", pose_to_array(truth, "coco17")[0].numpy(), (1024, 768))
    out = tmp_path / "out.png"
    code = main(
        [
            "tryon",
            "--person", str(vitonhd_dir / "image" / f"{PERSON}.jpg"),
            "--garment", str(vitonhd_dir / "cloth" / f"{GARMENT}.jpg"),
            "--out", str(out),
            "--pose-dir", str(pose_dir),
        ]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0 and out.is_file()
    assert "pose: onnx (dw-ll_ucoco_384.onnx (whole photo as box))" in printed


def test_explicit_pose_model_and_no_detector(vitonhd_dir, tmp_path, capsys):
    truth = pose_from_openpose_json(vitonhd_dir / "openpose-json" / f"{PERSON}_keypoints.json", (1024, 768))
    model = oracle_pose_model(tmp_path / "my_pose.onnx", pose_to_array(truth, "coco17")[0].numpy(), (1024, 768))
    code = main(
        [
            "tryon",
            "--person", str(vitonhd_dir / "image" / f"{PERSON}.jpg"),
            "--garment", str(vitonhd_dir / "cloth" / f"{GARMENT}.jpg"),
            "--out", str(tmp_path / "o.png"),
            "--pose-model", str(model),
            "--detector-model", "none",
        ]
    )  # fmt: skip
    assert code == 0 and "pose: onnx (my_pose.onnx" in capsys.readouterr().out


def test_nothing_available_says_what_to_do(vitonhd_dir, tmp_path, capsys, no_mediapipe):
    code = main(
        [
            "tryon",
            "--person", str(vitonhd_dir / "image" / f"{PERSON}.jpg"),
            "--garment", str(vitonhd_dir / "cloth" / f"{GARMENT}.jpg"),
            "--out", str(tmp_path / "o.png"),
            "--pose-dir", str(tmp_path),
        ]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    for needed in ("--pose FILE", "yolox_l.onnx", "dw-ll_ucoco_384.onnx", str(tmp_path), "--pose-model", "pip install"):
        assert needed in err, needed
    assert not (tmp_path / "o.png").exists()


def _bench_regions():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import bench_regions

    return bench_regions


@pytest.mark.parametrize("flags", [[], ["--estimate-regions"], ["--no-regions"]])
def test_regions_by_default(vitonhd_dir, tmp_path, capsys, flags):
    """Without a parse map the regions are estimated by default (the old flag is an accepted alias) and the old
    garment is repainted where the new one does not cover it; --no-regions leaves it and says so."""
    out, steps = tmp_path / "o.png", tmp_path / "steps"
    code = main(
        [
            "tryon",
            "--person", str(vitonhd_dir / "image" / f"{RED_TOP}.jpg"),
            "--garment", str(vitonhd_dir / "cloth" / f"{GARMENT}.jpg"),
            "--pose", str(vitonhd_dir / "openpose-json" / f"{RED_TOP}_keypoints.json"),
            "--out", str(out), "--save-intermediates", str(steps), *flags,
        ]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0 and out.is_file()
    person = load_image(vitonhd_dir / "image" / f"{RED_TOP}.jpg")
    parse = load_parse(vitonhd_dir / "image-parse" / f"{RED_TOP}.png")
    residue = old_garment_residue(person, load_image(out), load_mask(steps / "warped_mask.png"), parse)
    if flags == ["--no-regions"]:
        assert "regions: none (--no-regions)" in printed
        assert residue > 0.9
    else:
        assert f"regions: {REGION_METHOD}" in printed
        embedded = "mediapipe" in printed  # the default install; without it the plain-background silhouette
        result = SimpleNamespace(image=load_image(out), warped_mask=load_mask(steps / "warped_mask.png"), alpha=None)
        nowall = _bench_regions().residue_without_wall(person, result, parse)
        print(f"residue {residue:.3f}, nowall {nowall:.3f} ({'MediaPipe' if embedded else 'plain-background'})")
        # measured 0.036 / 0.415 on the perception branch, 0.119 / - after merging the body fit and the new repaint,
        # 0.121 / - with the regions of issue 11 (of it 0.004 left by the regions, the rest a white top repainted
        # with the light wall's colour, within the 12/255 tolerance: benchmarks/bench_regions.py "missed"), 0.156 / -
        # with round 4's placement and composite (the top covers less of the old one); without the repaint that is
        # the true wall colour near it (bench_regions' nowall): 0.042 / -; round 5 (person mask refined on the
        # photo's edges, the old garment's anti-aliased rim repainted with it): 0.150, nowall 0.038
        assert residue < (0.17 if embedded else 0.6)
        assert nowall < (0.045 if embedded else 0.6)


def test_parser_model(vitonhd_dir, tmp_path, capsys):
    import numpy as np

    from tests._tiny_onnx import build_parser

    weights = np.zeros((18, 3), np.float32)
    weights[0], weights[4] = (0.0, 0.0, 1.0), (1.0, 0.0, 0.0)  # ATR: background on red-ish, upper clothes on blue-ish
    model = build_parser(tmp_path / "my_parser.onnx", weights)
    code = main(
        [
            "tryon",
            "--person", str(vitonhd_dir / "image" / f"{PERSON}.jpg"),
            "--garment", str(vitonhd_dir / "cloth" / f"{GARMENT}.jpg"),
            "--pose", str(vitonhd_dir / "openpose-json" / f"{PERSON}_keypoints.json"),
            "--out", str(tmp_path / "o.png"),
            "--parser-model", str(model),
        ]
    )  # fmt: skip
    assert code == 0 and "parse: parser my_parser.onnx (atr)" in capsys.readouterr().out
