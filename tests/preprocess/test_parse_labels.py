from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from kfvton.preprocess.parse_labels import (
    ATR_LABELS,
    CIHP_LABELS,
    CIHP_PALETTE,
    LABEL_SETS,
    LIP_LABELS,
    TO_VITONHD,
    class_masks_from_labels,
    colors_from_labels,
    label_mask,
    labels_from_class_masks,
    labels_from_colors,
    lip_id,
    read_parse_file,
    to_vitonhd,
    voc_palette,
)

# Expected target of each source label, by NAME: the tables are checked against the label names, not re-typed ids.
RENAMED = {"jumpsuits": "dress", "torso_skin": "neck", "belt": "pants", "bag": "background"}


class TestTables:
    @pytest.mark.parametrize("label_set", sorted(LABEL_SETS))
    def test_every_entry_by_name(self, label_set):
        names = LABEL_SETS[label_set]
        table = TO_VITONHD[label_set]
        assert len(table) == len(names)
        for i, name in enumerate(names):
            assert LIP_LABELS[table[i]] == RENAMED.get(name, name), (label_set, i, name)

    def test_sizes(self):
        assert len(ATR_LABELS) == 18 and len(CIHP_LABELS) == 20 and len(LIP_LABELS) == 20
        assert ATR_LABELS[4] == "upper_clothes" and CIHP_LABELS[10] == "torso_skin"

    def test_voc_palette(self):
        pal = voc_palette(20)
        assert pal[:4] == ((0, 0, 0), (128, 0, 0), (0, 128, 0), (128, 128, 0))
        assert pal[15] == (192, 128, 128)
        assert len(set(pal)) == 20

    def test_cihp_palette_distinct(self):
        assert len(set(CIHP_PALETTE)) == 20


class TestToVitonhd:
    def test_atr(self):
        parse = torch.tensor([[[0, 4, 5, 8, 16, 17]]])
        assert to_vitonhd(parse, "atr").tolist() == [[[0, 5, 12, 9, 0, 11]]]

    def test_lip_jumpsuits(self):
        assert to_vitonhd(torch.tensor([[[10, 5]]]), "lip").tolist() == [[[6, 5]]]

    def test_out_of_range(self):
        with pytest.raises(ValueError, match="parse: expected labels in \\[0, 17\\], found 18, 19 in 2 pixels"):
            to_vitonhd(torch.tensor([[[0, 19, 18]]]), "atr")

    def test_unknown_set_and_dtype(self):
        with pytest.raises(ValueError, match="label_set"):
            to_vitonhd(torch.zeros(1, 2, 2, dtype=torch.long), "pascal")
        with pytest.raises(TypeError, match="int64"):
            to_vitonhd(torch.zeros(1, 2, 2, dtype=torch.int32), "atr")


class TestColors:
    @pytest.mark.parametrize(("label_set", "palette"), [("vitonhd", "cihp"), ("atr", "voc"), ("lip", "voc")])
    def test_round_trip(self, label_set, palette):
        n = len(LABEL_SETS[label_set])
        parse = torch.randint(0, n, (2, 9, 7))
        image = colors_from_labels(parse, label_set=label_set, palette=palette)
        assert image.shape == (2, 3, 9, 7)
        assert torch.equal(labels_from_colors(image, label_set=label_set, palette=palette), parse)

    def test_blended_edges_take_nearest(self):
        parse = torch.tensor([[[5, 5, 13, 13]]])
        image = colors_from_labels(parse)
        image[0, :, 0, 1] = image[0, :, 0, 1] * 0.9 + image[0, :, 0, 2] * 0.1  # a resize blend
        assert labels_from_colors(image, max_unmatched=0.3).tolist() == [[[5, 5, 13, 13]]]

    def test_wrong_palette_is_an_error(self):
        photo = torch.rand(1, 3, 16, 16)
        with pytest.raises(ValueError, match="match no 'cihp' palette colour"):
            labels_from_colors(photo)

    def test_bad_shape(self):
        with pytest.raises(ValueError, match="image: expected shape \\(B, 3, H, W\\)"):
            labels_from_colors(torch.rand(1, 4, 2, 2))


class TestClassMasks:
    def test_round_trip(self):
        parse = torch.randint(0, 18, (3, 5, 4))
        masks = class_masks_from_labels(parse, 18)
        assert masks.shape == (3, 18, 5, 4)
        assert torch.equal(labels_from_class_masks(masks), parse)

    def test_weak_masks_are_background(self):
        masks = torch.zeros(1, 3, 1, 2)
        masks[0, 1, 0, 0], masks[0, 2, 0, 0] = 0.7, 0.9
        masks[0, 1, 0, 1] = 0.3
        assert labels_from_class_masks(masks).tolist() == [[[2, 0]]]

    def test_bad_input(self):
        with pytest.raises(ValueError, match="masks"):
            labels_from_class_masks(torch.zeros(3, 4, 4))
        with pytest.raises(TypeError, match="masks"):
            labels_from_class_masks(torch.zeros(1, 3, 4, 4, dtype=torch.long))


def test_label_mask():
    parse = torch.tensor([[[5, 6, 13]]])
    assert label_mask(parse, (5, 6)).tolist() == [[[[1.0, 1.0, 0.0]]]]


class TestReadParseFile:
    def test_sample_palette_png(self, vitonhd_dir):
        path = next((vitonhd_dir / "image-parse").glob("*.png"))
        parse = read_parse_file(path)
        assert parse.shape == (1, 1024, 768) and parse.dtype == torch.int64
        assert (parse == lip_id("upper_clothes")).any() and (parse == lip_id("face")).any()

    def test_sample_as_colour_image_round_trip(self, vitonhd_dir, tmp_path):
        path = next((vitonhd_dir / "image-parse").glob("*.png"))
        ids = read_parse_file(path)
        rgb = tmp_path / "parse_rgb.png"
        Image.open(path).convert("RGB").save(rgb)  # VITON-HD's own colours (254, 169, ...) as plain RGB
        assert torch.equal(read_parse_file(rgb), ids)

    def test_atr_grey_png(self, tmp_path):
        path = tmp_path / "atr.png"
        Image.fromarray(np.array([[0, 4, 7]], np.uint8), mode="L").save(path)
        assert read_parse_file(path, label_set="atr").tolist() == [[[0, 5, 6]]]

    def test_missing(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="parse"):
            read_parse_file(tmp_path / "nope.png")
