"""`python -m kfvton tryon`: the README command on the samples, intermediates, and input errors naming the option."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from kfvton.cli import main
from kfvton.preprocess.parse_labels import read_parse_file


def _args(vitonhd_dir, tmp_path, **extra) -> list[str]:
    args = {
        "--person": str(vitonhd_dir / "image" / "00891_00.jpg"),
        "--pose": str(vitonhd_dir / "openpose-json" / "00891_00_keypoints.json"),
        "--garment": str(vitonhd_dir / "cloth" / "01260_00.jpg"),
        "--out": str(tmp_path / "out" / "tryon.png"),
    }
    args.update(extra)
    return [v for kv in args.items() for v in kv]


def test_readme_command(vitonhd_dir, tmp_path, capsys):
    steps = tmp_path / "steps"
    rc = main(["tryon", *_args(vitonhd_dir, tmp_path), "--save-intermediates", str(steps)])
    assert rc == 0
    out = np.asarray(Image.open(tmp_path / "out" / "tryon.png"))
    person = np.asarray(Image.open(vitonhd_dir / "image" / "00891_00.jpg"))
    assert out.shape == person.shape
    assert np.abs(out.astype(int) - person.astype(int)).mean() > 5  # the garment changed the picture
    for name in ("warped_garment.png", "warped_mask.png", "keypoints.json", "keypoints_overlay.png"):
        assert (steps / name).is_file()
    record = json.loads((steps / "keypoints.json").read_text())
    assert [lm["name"] for lm in record["landmarks"]][:3] == ["collar_left", "collar_center", "collar_right"]
    assert len(record["landmarks"][0]["garment_px"]) == 3 and "left_shoulder" in record["pose_body25"]
    assert record["mask_method"] == "computed"
    assert "wrote" in capsys.readouterr().out
    # the parse map the try-on used (estimated here: no --parse), as ids that --parse reads back
    used = read_parse_file(steps / "parse.png")
    assert used.shape == (1, *person.shape[:2])
    assert set(torch.unique(used).tolist()) >= {0, 5, 13}  # background, the old top, the face


def test_parse_and_mask(vitonhd_dir, tmp_path):
    rc = main(
        [
            "tryon",
            *_args(vitonhd_dir, tmp_path),
            "--garment-mask",
            str(vitonhd_dir / "cloth-mask" / "01260_00.jpg"),
            "--parse",
            str(vitonhd_dir / "image-parse" / "00891_00.png"),
            "--save-intermediates",
            str(tmp_path / "steps"),
        ]
    )
    assert rc == 0 and (tmp_path / "out" / "tryon.png").is_file()
    # the given parse map is what the try-on used, written back unchanged
    given = read_parse_file(vitonhd_dir / "image-parse" / "00891_00.png")
    assert torch.equal(read_parse_file(tmp_path / "steps" / "parse.png"), given)


def test_no_pose_says_how(vitonhd_dir, tmp_path, capsys):
    # No pose estimator either (empty model folder, MediaPipe off), whatever this machine has installed.
    no_estimator = ["--no-mediapipe", "--pose-dir", str(tmp_path / "no-models")]
    rc = main(["tryon", *_no_pose(vitonhd_dir, tmp_path), *no_estimator])
    assert rc == 1
    err = capsys.readouterr().err
    assert "--pose" in err and "JSON" in err


def _no_pose(vitonhd_dir, tmp_path) -> list[str]:
    args = _args(vitonhd_dir, tmp_path)
    i = args.index("--pose")
    return args[:i] + args[i + 2 :]


@pytest.mark.parametrize(
    "option,value,message",
    [
        ("--person", "missing.jpg", "--person: file not found"),
        ("--garment", "missing.jpg", "--garment: file not found"),
        ("--pose", "missing.json", "--pose: file not found"),
    ],
)
def test_missing_files(vitonhd_dir, tmp_path, capsys, option, value, message):
    rc = main(["tryon", *_args(vitonhd_dir, tmp_path, **{option: str(tmp_path / value)})])
    assert rc == 1 and message in capsys.readouterr().err


def test_unreadable_files(vitonhd_dir, tmp_path, capsys):
    bad = tmp_path / "bad.jpg"
    bad.write_text("not an image")
    assert main(["tryon", *_args(vitonhd_dir, tmp_path, **{"--garment": str(bad)})]) == 1
    assert "--garment: cannot read" in capsys.readouterr().err
    bad_pose = tmp_path / "bad_keypoints.json"
    bad_pose.write_text('{"people": []}')
    assert main(["tryon", *_args(vitonhd_dir, tmp_path, **{"--pose": str(bad_pose)})]) == 1
    assert "no people" in capsys.readouterr().err


def test_size_mismatch(vitonhd_dir, tmp_path, capsys):
    small = tmp_path / "small_parse.png"
    Image.fromarray(np.zeros((10, 10), np.uint8), mode="L").save(small)
    assert main(["tryon", *_args(vitonhd_dir, tmp_path), "--parse", str(small)]) == 1
    assert "--parse: expected the person's size" in capsys.readouterr().err
    white = tmp_path / "white.png"
    Image.fromarray(np.full((64, 48, 3), 255, np.uint8)).save(white)
    assert main(["tryon", *_args(vitonhd_dir, tmp_path, **{"--garment": str(white)})]) == 1
    assert "garment" in capsys.readouterr().err


def test_garment_cut_is_reported(vitonhd_dir, tmp_path, capsys):
    """A camisole's cut (read from its outline) is named on the summary line and as a warning."""
    rc = main(["tryon", *_args(vitonhd_dir, tmp_path, **{"--garment": str(vitonhd_dir / "cloth" / "08348_00.jpg")})])
    captured = capsys.readouterr()
    assert rc == 0 and "cut: strappy" in captured.out
    assert "warning: garment: strappy cut read from its outline" in captured.err
