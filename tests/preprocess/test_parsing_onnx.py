from __future__ import annotations

import numpy as np
import pytest
import torch

from kfvton.preprocess.parse_labels import LABEL_SETS, lip_id
from kfvton.preprocess.parsing_onnx import find_parser, flip_pairs, parse_human_onnx
from tests._tiny_onnx import build_parser, build_pose_model

H, W = 100, 60


def _weights(classes: int, red: int, blue: int) -> np.ndarray:
    """Class scores on the normalised BGR input: background high on black, `red` / `blue` on those colours."""
    w = np.zeros((classes, 3), np.float32)
    w[0] = (-0.5, 0.0, -0.5)
    w[red] = (0.0, 0.0, 1.0)  # BGR channel 2 = red
    w[blue] = (1.0, 0.0, 0.0)
    return w


def _photo() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    img = torch.zeros(1, 3, H, W)
    red = torch.zeros(H, W, dtype=torch.bool)
    blue = torch.zeros(H, W, dtype=torch.bool)
    red[20:60, 10:30] = True
    blue[50:90, 35:55] = True
    img[0, 0][red] = 1.0
    img[0, 2][blue] = 1.0
    return img, red, blue


def _iou(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a & b).sum() / (a | b).sum())


@pytest.fixture
def lip_parser(tmp_path):
    return build_parser(tmp_path / "parsing_lip.onnx", _weights(20, lip_id("upper_clothes"), lip_id("face")))


class TestParseHumanOnnx:
    def test_regions_at_photo_size(self, lip_parser):
        img, red, blue = _photo()
        result = parse_human_onnx(img, lip_parser)
        assert result.label_set == "lip" and result.parse.shape == (1, H, W) and result.parse.dtype == torch.int64
        assert _iou(result.parse[0] == lip_id("upper_clothes"), red) > 0.8
        assert _iou(result.parse[0] == lip_id("face"), blue) > 0.8

    def test_flip_average_keeps_positions(self, lip_parser):
        img, _, _ = _photo()
        plain = parse_human_onnx(img, lip_parser).parse
        flipped = parse_human_onnx(img, lip_parser, flip=True).parse
        assert (plain == flipped).float().mean() > 0.98

    def test_atr_from_class_count(self, tmp_path):
        img, red, _ = _photo()
        path = build_parser(tmp_path / "atr.onnx", _weights(18, 4, 11))  # ATR upper clothes, face
        result = parse_human_onnx(img, path)
        assert result.label_set == "atr"
        assert _iou(result.source_ids[0] == 4, red) > 0.8
        assert _iou(result.parse[0] == lip_id("upper_clothes"), red) > 0.8

    def test_batch_and_rgb_order(self, lip_parser):
        img, red, blue = _photo()
        result = parse_human_onnx(torch.cat((img, img)), lip_parser, channel_order="rgb")
        assert result.parse.shape == (2, H, W)
        # with RGB input the red region drives the "blue" class and vice versa
        assert _iou(result.parse[1] == lip_id("face"), red) > 0.8

    def test_label_set_mismatch(self, lip_parser):
        with pytest.raises(ValueError, match="outputs 20 classes.*'atr'"):
            parse_human_onnx(_photo()[0], lip_parser, label_set="atr")

    def test_pose_model_is_not_a_parser(self, tmp_path):
        pose = build_pose_model(tmp_path / "pose.onnx")
        with pytest.raises(ValueError, match="parser_model: .*not a human parser"):
            parse_human_onnx(_photo()[0], pose)

    def test_unreadable_and_missing(self, tmp_path):
        junk = tmp_path / "parsing_lip.onnx"
        junk.write_bytes(b"\x08\x01garbage")
        with pytest.raises(ValueError, match="parser_model: cannot read"):
            parse_human_onnx(_photo()[0], junk)
        with pytest.raises(FileNotFoundError, match="parser_model"):
            parse_human_onnx(_photo()[0], tmp_path / "none.onnx")


def test_flip_pairs():
    perm = flip_pairs("lip")
    names = LABEL_SETS["lip"]
    assert names[perm[names.index("left_arm")]] == "right_arm"
    assert names[perm[names.index("right_shoe")]] == "left_shoe"
    assert perm[names.index("face")] == names.index("face")
    assert sorted(perm) == list(range(20))
    atr = LABEL_SETS["atr"]
    assert atr[flip_pairs("atr")[atr.index("left_leg")]] == "right_leg"


def test_find_parser(tmp_path):
    assert find_parser([tmp_path]) is None
    (tmp_path / "schp_atr.onnx").write_bytes(b"")
    assert find_parser([tmp_path]).endswith("schp_atr.onnx")


def test_real_parser_on_sample_photos(vitonhd_dir):
    """With a real parser file (models/kfvton/parsing or $KFVTON_MODELS_DIR/parsing): upper clothes match VITON-HD's."""
    import os
    from pathlib import Path

    from kfvton.preprocess.io import load_image, load_parse

    root = Path(__file__).resolve().parents[2]
    dirs = [root / "models" / "kfvton" / "parsing"]
    if os.environ.get("KFVTON_MODELS_DIR"):
        dirs.insert(0, Path(os.environ["KFVTON_MODELS_DIR"]) / "parsing")
    model = find_parser(dirs)
    if model is None:
        pytest.skip("no parser ONNX file in models/kfvton/parsing (or $KFVTON_MODELS_DIR/parsing)")
    for path in sorted((vitonhd_dir / "image").glob("*.jpg"))[:2]:
        parse = parse_human_onnx(load_image(path), model).parse[0]
        truth = load_parse(vitonhd_dir / "image-parse" / f"{path.stem}.png")[0]
        upper = torch.tensor((5, 6, 7))
        iou = _iou(torch.isin(parse, upper), torch.isin(truth, upper))
        print(f"{path.stem}: upper-clothes IoU {iou:.2f}")
        assert iou > 0.7
