"""`python -m kfvton review` and its library: sample layouts, pair files, the contact sheet."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from kfvton.cli import main
from kfvton.pipelines.review import SheetRow, contact_sheet, find_garment, find_person, list_persons, read_pair_file


class TestContactSheet:
    def test_rows_and_columns(self) -> None:
        person, garment = torch.rand(1, 3, 64, 48), torch.rand(1, 3, 50, 50)
        rows = [
            SheetRow(person, garment, person, "a"),
            SheetRow(person, garment, person, "b", torch.ones(1, 1, 64, 48)),
        ]
        sheet = contact_sheet(rows, cell_height=64)
        assert sheet.dtype == np.uint8 and sheet.shape[2] == 3
        assert sheet.shape[0] == 2 * (64 + 14 + 4)
        assert sheet.shape[1] == 48 + 64 + 48 + 48 + 3 * 4  # the second row has the mask column
        with pytest.raises(ValueError, match="rows"):
            contact_sheet([])

    def test_mask_must_match_the_result(self) -> None:
        x = torch.rand(1, 3, 32, 24)
        with pytest.raises(ValueError, match="mask"):
            contact_sheet([SheetRow(x, x, x, "a", torch.ones(1, 1, 16, 24))])


def test_pair_file(tmp_path) -> None:
    persons = [tmp_path / "p1.jpg", tmp_path / "p2.jpg"]
    garments = [tmp_path / "g1.jpg"]
    (tmp_path / "pairs.txt").write_text("# person garment\np2 g1.jpg\np1.jpg g1\n")
    assert read_pair_file(tmp_path / "pairs.txt", persons, garments) == [
        (persons[1], garments[0]),
        (persons[0], garments[0]),
    ]
    (tmp_path / "bad.txt").write_text("p3 g1\n")
    with pytest.raises(ValueError, match="line 1: 'p3'"):
        read_pair_file(tmp_path / "bad.txt", persons, garments)


def test_vitonhd_layout(samples_dir) -> None:
    root = samples_dir / "vitonhd_paired" / "test"
    persons = list_persons([root])
    assert [p.stem for p in persons] == ["00006_00", "00008_00", "00013_00", "00017_00", "00034_00"]
    person = find_person(persons[0])
    assert person.layout == "vitonhd" and person.pose is not None and person.parse is not None
    assert person.parse.shape == (1, *person.image.shape[-2:])
    assert find_person(persons[0], with_parse=False).parse is None
    garment = find_garment(root / "cloth" / "00006_00.jpg")
    assert garment.mask is not None and garment.mask.shape[-2:] == garment.image.shape[-2:]


def test_dresscode_pose(samples_dir) -> None:
    person = find_person(samples_dir / "dresscode" / "upper_body" / "images" / "000000_0.jpg", with_parse=False)
    assert person.layout == "dresscode" and person.pose.canvas_hw == (1024, 768)
    # keypoints are in the 384 x 512 image: the right shoulder (131, 60) doubles
    torch.testing.assert_close(person.pose.joints[0, 2, :2], torch.tensor([262.0, 120.0]), atol=1.5, rtol=0)


def test_review_command(samples_dir, tmp_path, capsys) -> None:
    root = samples_dir / "vitonhd_paired" / "test"
    (tmp_path / "pairs.txt").write_text("00013_00 00013_00\n00034_00 00013_00\n")
    out = tmp_path / "sheet.png"
    assert (
        main(
            [
                "review",
                str(root),
                str(root),
                "--out",
                str(out),
                "--pairs",
                str(tmp_path / "pairs.txt"),
                "--height",
                "96",
            ]
        )
        == 0
    )
    sheet = np.asarray(Image.open(out))
    assert sheet.shape[0] == 2 * (96 + 14 + 4)
    assert "2 pairs" in capsys.readouterr().out
    assert main(["review", str(tmp_path / "nowhere"), str(root), "--out", str(out)]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_dresscode_parse(samples_dir) -> None:
    person = find_person(samples_dir / "dresscode" / "upper_body" / "images" / "000000_0.jpg")
    assert person.parse is not None and person.parse.shape == (1, *person.image.shape[-2:])
    labels = set(person.parse.unique().tolist())
    assert 5 in labels and labels <= set(range(20))  # upper clothes in our layout


def test_review_lower_garment_category(samples_dir, tmp_path, capsys) -> None:
    """Dress Code shorts on a Dress Code person: refused as "upper" (the default), tried on with --category."""
    folder = samples_dir / "dresscode" / "lower_body" / "images"
    if not folder.is_dir():
        pytest.skip("no Dress Code samples")
    person, garment = str(folder / "013566_0.jpg"), str(folder / "013564_1.jpg")
    out = tmp_path / "sheet.png"
    assert main(["review", person, garment, "--out", str(out), "--height", "64"]) == 1
    assert "looks like a lower-body garment" in capsys.readouterr().err
    assert main(["review", person, garment, "--out", str(out), "--height", "64", "--category", "auto"]) == 0
    assert out.is_file() and "1 pairs" in capsys.readouterr().out


def test_review_prints_each_pairs_warnings(samples_dir, tmp_path, capsys, monkeypatch) -> None:
    """A try-on's warnings (a photo cut at the thighs, a garment worn by a person...) reach stderr with the pair's
    names, as the tryon command prints them: a contact sheet alone would hide them."""
    from types import SimpleNamespace

    from kfvton.pipelines import review_cli

    real = review_cli.tryon_pair

    def warned(*args, **kwargs):
        out = real(*args, **kwargs)
        return SimpleNamespace(how=out.how, tryon=SimpleNamespace(image=out.tryon.image, warnings=("garment: odd",)))

    monkeypatch.setattr(review_cli, "tryon_pair", warned)
    root = samples_dir / "vitonhd" / "test"
    person, garment = str(root / "image" / "00891_00.jpg"), str(root / "cloth" / "01260_00.jpg")
    assert main(["review", person, garment, "--out", str(tmp_path / "s.png"), "--height", "64"]) == 0
    assert "review: 00891_00 + 01260_00: garment: odd" in capsys.readouterr().err


def test_review_goes_on_past_a_refused_pair(samples_dir, tmp_path, capsys) -> None:
    """One refused pair (Dress Code shorts tried on as a top) gets a row saying why and a grey result; the other
    pair is still tried on and the sheet written, and the command exits with 1."""
    lower = samples_dir / "dresscode" / "lower_body" / "images"
    root = samples_dir / "vitonhd_paired" / "test"
    if not lower.is_dir() or not root.is_dir():
        pytest.skip("no Dress Code / VITON-HD paired samples")
    (tmp_path / "pairs.txt").write_text("013566_0 013564_1\n00013_00 00013_00\n")
    out = tmp_path / "sheet.png"
    args = ["review", f"{lower},{root}", f"{lower},{root}", "--pairs", str(tmp_path / "pairs.txt")]
    assert main([*args, "--out", str(out), "--height", "96"]) == 1
    captured = capsys.readouterr()
    assert "review: 013566_0 + 013564_1: failed:" in captured.err and "looks like a lower-body garment" in captured.err
    assert "1 of 2 pairs failed" in captured.err and "2 pairs" in captured.out
    sheet = np.asarray(Image.open(out)).astype(np.int16)
    assert sheet.shape[0] == 2 * (96 + 14 + 4)
    grey = (np.abs(sheet - 128) <= 1).all(-1)  # the refused row's result cell is flat grey, the other's is not
    refused_row, tried_row = grey[14 : 14 + 96].sum(), grey[128 : 128 + 96].sum()
    assert refused_row >= 0.9 * 96 * 72 and tried_row < 0.1 * refused_row
