"""`python -m kfvton tryon` on Dress Code's own files: keypoints/NNNNNN_2.json as --pose, label_maps as --parse."""

from __future__ import annotations

import pytest

from kfvton.cli import main


@pytest.fixture
def dresscode_upper(samples_dir):
    folder = samples_dir / "dresscode" / "upper_body"
    if not (folder / "images" / "000001_0.jpg").is_file():
        pytest.skip("no Dress Code samples")
    return folder


def test_dresscode_pose_and_parse(dresscode_upper, tmp_path, capsys):
    d = dresscode_upper
    out = tmp_path / "out.png"
    code = main(
        [
            "tryon",
            "--person", str(d / "images" / "000001_0.jpg"),
            "--garment", str(d / "images" / "000001_1.jpg"),
            "--pose", str(d / "keypoints" / "000001_2.json"),
            "--parse", str(d / "label_maps" / "000001_4.png"),
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0 and out.is_file()
    assert "parse: labels dresscode (detected)" in capsys.readouterr().out


def test_parse_labels_given(dresscode_upper, tmp_path, capsys):
    d = dresscode_upper
    code = main(
        [
            "tryon",
            "--person", str(d / "images" / "000001_0.jpg"),
            "--garment", str(d / "images" / "000001_1.jpg"),
            "--pose", str(d / "keypoints" / "000001_2.json"),
            "--parse", str(d / "label_maps" / "000001_4.png"),
            "--parse-labels", "dresscode",
            "--out", str(tmp_path / "o.png"),
        ]
    )  # fmt: skip
    assert code == 0 and "parse: labels" not in capsys.readouterr().out
