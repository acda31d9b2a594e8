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


def _tryon(person, garment, pose, out, *extra):
    return main(
        ["tryon", "--person", str(person), "--garment", str(garment), "--pose", str(pose), "--out", str(out), *extra]
    )


@pytest.mark.parametrize(
    ("garment", "asked", "looks"),
    [
        ("lower_body/images/013566_1.jpg", "upper", "looks like a lower-body garment (a straight waistband"),
        ("upper_body/images/000001_1.jpg", "lower", "looks like an upper-body garment (a neckline/shoulders"),
    ],
)
def test_wrong_category_named(dresscode_upper, tmp_path, capsys, garment, asked, looks):
    """A lower garment asked for as "upper" (or the reverse): the message names the category asked for and what the
    photo looks like, and the run stops before the try-on."""
    d = dresscode_upper
    root = d.parent
    out = tmp_path / "o.png"
    code = _tryon(
        d / "images" / "000000_0.jpg", root / garment, d / "keypoints" / "000000_2.json", out, "--category", asked
    )
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert f"category: '{asked}' was asked for" in err and looks in err


def test_lower_pose_without_hips_and_knees(dresscode_upper, tmp_path, capsys):
    """A Dress Code pose with the hips and a knee missing (score 0): the message names each missing joint."""
    import json

    d = dresscode_upper
    record = json.loads((d / "keypoints" / "000000_2.json").read_text())
    for k in (8, 11, 12):  # COCO-18 right hip, left hip, left knee
        record["keypoints"][k][2] = 0.0
    pose = tmp_path / "pose.json"
    pose.write_text(json.dumps(record))
    garment = d.parent / "lower_body" / "images" / "013566_1.jpg"
    code = _tryon(d / "images" / "000000_0.jpg", garment, pose, tmp_path / "o.png", "--category", "lower")
    err = capsys.readouterr().err
    assert code == 1 and "missing right_hip, left_hip, left_knee" in err and "lower garment" in err
