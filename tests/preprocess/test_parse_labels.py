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
    labels_in,
    lip_id,
    read_parse_file,
    to_vitonhd,
    voc_palette,
)

# Expected target of each source label, by NAME: the tables are checked against the label names, not re-typed ids.
RENAMED = {"jumpsuits": "dress", "torso_skin": "neck", "belt": "pants", "bag": "background", "head": "face"}


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


class TestDressCode:
    def test_table(self):
        from kfvton.preprocess.parse_labels import DRESSCODE_LABELS

        assert DRESSCODE_LABELS[11] == "head" and DRESSCODE_LABELS[7] == "dress" and len(DRESSCODE_LABELS) == 18
        # skirt 5 -> 12, pants 6 -> 9, dress 7 -> 6, head 11 -> face 13, left leg 12 -> 16
        assert to_vitonhd(torch.tensor([[[5, 6, 7, 11, 12]]]), "dresscode").tolist() == [[[12, 9, 6, 13, 16]]]


def _bands(top: int, mid: int, bottom: int, h: int = 40, w: int = 10) -> torch.Tensor:
    parse = torch.zeros(1, h, w, dtype=torch.long)
    parse[:, : h // 4, 3:7] = top
    parse[:, h // 4 : h // 2, 2:8] = mid
    parse[:, 3 * h // 4 :, 2:8] = bottom
    return parse


class TestDetectLabelSet:
    def test_lip_face_on_top(self):
        from kfvton.preprocess.parse_labels import detect_label_set

        assert detect_label_set(_bands(13, 5, 9)) == "vitonhd"

    def test_dresscode_head_on_top_leg_at_13(self):
        from kfvton.preprocess.parse_labels import detect_label_set

        assert detect_label_set(_bands(11, 4, 13)) == "dresscode"

    def test_ids_above_17_are_lip(self):
        from kfvton.preprocess.parse_labels import detect_label_set

        assert detect_label_set(_bands(2, 5, 18)) == "vitonhd"

    def test_ambiguous_raises_or_default(self):
        from kfvton.preprocess.parse_labels import detect_label_set

        with pytest.raises(ValueError, match="parse: cannot tell the label set"):
            detect_label_set(_bands(2, 5, 9))
        assert detect_label_set(_bands(2, 5, 9), default="vitonhd") == "vitonhd"

    def test_read_parse_labels_auto(self, tmp_path):
        from kfvton.preprocess.parse_labels import read_parse_labels

        path = tmp_path / "dc.png"
        Image.fromarray(_bands(11, 4, 13)[0].numpy().astype(np.uint8), mode="L").save(path)
        got = read_parse_labels(path)
        assert (got.label_set, got.how) == ("dresscode", "detected")
        assert set(got.parse.unique().tolist()) == {0, 13, 5, 17}  # head -> face, upper -> 5, right leg -> 17
        given = read_parse_labels(path, label_set="vitonhd")
        assert given.how == "given" and torch.equal(given.parse, _bands(11, 4, 13))
        Image.fromarray(_bands(2, 5, 9)[0].numpy().astype(np.uint8), mode="L").save(path)
        assert read_parse_labels(path).describe() == "labels vitonhd (assumed)"
        with pytest.raises(ValueError, match="--parse: label set expected"):
            read_parse_labels(path, label_set="pascal", name="--parse")

    def test_shared_samples(self, samples_dir):
        from kfvton.preprocess.parse_labels import read_parse_labels

        maps = sorted((samples_dir / "dresscode").glob("*/label_maps/*_4.png"))
        lip = sorted((samples_dir / "vitonhd_paired" / "test" / "image-parse").glob("*.png"))
        if not maps or not lip:
            pytest.skip("no Dress Code / VITON-HD parse samples")
        for path in maps:
            got = read_parse_labels(path)
            assert got.label_set == "dresscode" and got.how == "detected", path
            assert int(got.parse.max()) <= 19 and bool((got.parse == 13).any()), path  # the head became a face
        for path in lip:
            assert read_parse_labels(path).label_set == "vitonhd", path


def test_labels_in_matches_isin():
    parse = torch.randint(0, 20, (2, 37, 29))
    for labels in ((5, 6, 7), (0,), (19, 3), (), (25,)):
        want = torch.isin(parse, torch.tensor(labels, dtype=torch.long))
        assert torch.equal(labels_in(parse, labels), want), labels
    assert labels_in(torch.zeros(0, 4, dtype=torch.long), (1,)).shape == (0, 4)
