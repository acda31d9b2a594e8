from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from kfvton.train.datasets import (
    AugmentConfig,
    BadSampleError,
    TryOnDataset,
    TryOnSample,
    augment_sample,
    collate_samples,
    detect_layout,
    flip_sample,
    read_pair_list,
)
from kfvton.train.datasets import _affine_person as affine_person


def _synthetic(h: int = 64, w: int = 48) -> TryOnSample:
    parse = torch.zeros(h, w, dtype=torch.long)
    parse[20:40, 5:15] = 14  # left arm on the image left (odd, but asymmetric on purpose)
    parse[20:40, 30:40] = 15
    joints = torch.zeros(25, 3)
    joints[2] = torch.tensor([10.0, 20.0, 0.9])  # right shoulder
    joints[5] = torch.tensor([35.0, 21.0, 0.8])  # left shoulder
    joints[1] = torch.tensor([22.0, 15.0, 1.0])  # neck
    image = torch.rand(3, h, w)
    cloth = torch.rand(3, h, w)
    mask = torch.zeros(1, h, w)
    mask[:, 10:50, 10:40] = 1
    return TryOnSample("p.jpg", "c.jpg", image, cloth, mask, parse, joints, True)


class TestLayouts:
    def test_detects_the_sample_layouts(self, samples_dir: Path) -> None:
        assert detect_layout(samples_dir / "vitonhd", "test").kind == "vitonhd"
        assert detect_layout(samples_dir / "hrviton", "test").kind == "hrviton"

    def test_detects_viton256(self, tmp_path: Path) -> None:
        for d in ("image", "cloth", "cloth-mask", "image-parse", "pose"):
            (tmp_path / "train" / d).mkdir(parents=True)
        assert detect_layout(tmp_path, "train").kind == "viton256"

    def test_missing_folders_are_named(self, tmp_path: Path) -> None:
        (tmp_path / "train" / "image").mkdir(parents=True)
        with pytest.raises(FileNotFoundError, match="cloth"):
            detect_layout(tmp_path, "train")
        with pytest.raises(FileNotFoundError, match="split folder"):
            detect_layout(tmp_path, "test")

    def test_pair_list(self, tmp_path: Path) -> None:
        p = tmp_path / "pairs.txt"
        p.write_text("a.jpg b.jpg\n\n# comment\nc.jpg d.jpg\n")
        assert read_pair_list(p) == [("a.jpg", "b.jpg"), ("c.jpg", "d.jpg")]
        p.write_text("a.jpg\n")
        with pytest.raises(ValueError, match="line 1"):
            read_pair_list(p)


class TestDataset:
    @pytest.mark.parametrize("size_hw", [(256, 192), (512, 384)])
    def test_hrviton_paired_sample(self, samples_dir: Path, size_hw) -> None:
        ds = TryOnDataset(samples_dir / "hrviton", "test", size_hw=size_hw, augment=AugmentConfig())
        assert len(ds) == 1 and not ds.bad_samples
        s = ds[0]
        h, w = size_hw
        assert s.paired and s.name == "00006_00.jpg"
        assert s.image.shape == (3, h, w) and s.cloth.shape == (3, h, w) and s.cloth_mask.shape == (1, h, w)
        assert s.parse.shape == (h, w) and s.parse.dtype == torch.int64
        assert set(s.cloth_mask.unique().tolist()) <= {0.0, 1.0}
        assert 0 <= float(s.image.min()) and float(s.image.max()) <= 1
        present = s.joints[:, 2] > 0
        assert present[[1, 2, 5]].all()  # COCO-18 file, neck and shoulders mapped into BODY_25
        upper = s.joints[:8]  # (the file's ankles lie below the photo: real data)
        assert (upper[:, 0] < w).all() and (upper[:, 1] < h).all() and (upper[:, :2] >= 0).all()
        # the shoulders lie on the person: their parse labels are not background
        for j in (2, 5):
            x, y = s.joints[j, :2].round().long().tolist()
            assert int(s.parse[y, x]) != 0

    def test_vitonhd_unpaired_with_a_pair_list(self, vitonhd_dir: Path, smoke_pair_list: Path) -> None:
        ds = TryOnDataset(vitonhd_dir.parent, "test", size_hw=(128, 96), pairs="unpaired", pair_list=smoke_pair_list)
        assert len(ds) == 6 and not ds.bad_samples
        assert not any(e.paired for e in ds.entries)
        batch = collate_samples([ds[0], ds[1]])
        assert batch.image.shape == (2, 3, 128, 96) and batch.pose.joints.shape == (2, 25, 3)
        assert batch.names == ("00891_00.jpg", "03615_00.jpg")

    def test_paired_mode_reports_missing_garments_by_name(self, vitonhd_dir: Path, caplog) -> None:
        # the VITON-HD sample persons' own garments are not in the bundle
        with caplog.at_level(logging.WARNING, logger="kfvton"), pytest.raises(ValueError, match="no usable sample"):
            TryOnDataset(vitonhd_dir.parent, "test", size_hw=(128, 96), pairs="paired")
        assert "00891_00.jpg" in caplog.text and "missing garment file" in caplog.text
        with pytest.raises(BadSampleError, match="00891_00.jpg"):
            TryOnDataset(vitonhd_dir.parent, "test", size_hw=(128, 96), on_bad_sample="fail")

    def test_aspect_ratio_mismatch_is_a_bad_sample(self, samples_dir: Path) -> None:
        with pytest.raises(BadSampleError, match="aspect ratio"):
            TryOnDataset(samples_dir / "hrviton", "test", size_hw=(256, 256), on_bad_sample="fail")


@pytest.fixture
def broken_root(samples_dir: Path, tmp_path: Path) -> Path:
    """VITON-HD layout with one good pair and four bad ones (empty mask, wrong parse size, no person, missing)."""
    hr = samples_dir / "hrviton" / "test"
    t = tmp_path / "broken" / "train"
    for d in ("image", "cloth", "cloth-mask", "image-parse", "openpose-json"):
        (t / d).mkdir(parents=True)
    names = ["good", "emptymask", "badparse", "noperson", "missing"]
    for n in names:
        os.symlink(hr / "image" / "00006_00.jpg", t / "image" / f"{n}.jpg")
        os.symlink(hr / "cloth" / "00006_00.jpg", t / "cloth" / f"{n}.jpg")
        os.symlink(hr / "openpose_json" / "00006_00_keypoints.json", t / "openpose-json" / f"{n}_keypoints.json")
        if n != "badparse":
            os.symlink(hr / "image-parse-v3" / "00006_00.png", t / "image-parse" / f"{n}.png")
        if n not in ("emptymask", "missing"):
            os.symlink(hr / "cloth-mask" / "00006_00.jpg", t / "cloth-mask" / f"{n}.jpg")
    Image.fromarray(np.zeros((1024, 768), np.uint8)).save(t / "cloth-mask" / "emptymask.jpg")
    Image.fromarray(np.zeros((100, 80), np.uint8), mode="L").save(t / "image-parse" / "badparse.png")
    (t / "openpose-json" / "noperson_keypoints.json").unlink()
    (t / "openpose-json" / "noperson_keypoints.json").write_text(json.dumps({"version": 1.3, "people": []}))
    (tmp_path / "broken" / "train_pairs.txt").write_text("".join(f"{n}.jpg {n}.jpg\n" for n in names))
    return tmp_path / "broken"


class TestBadSamples:
    def test_skip_reports_each_by_name(self, broken_root: Path) -> None:
        ds = TryOnDataset(broken_root, "train", size_hw=(128, 96))
        assert set(ds.bad_samples) == {"badparse.jpg + badparse.jpg", "missing.jpg + missing.jpg"}
        assert "parse is (100, 80)" in ds.bad_samples["badparse.jpg + badparse.jpg"]
        assert "missing garment mask" in ds.bad_samples["missing.jpg + missing.jpg"]
        # content problems show when loaded: every item served is the good one
        served = [ds[i].name for i in range(len(ds))]
        assert served == ["good.jpg"] * 3
        assert "garment mask emptymask.jpg is empty" in ds.bad_samples["emptymask.jpg + emptymask.jpg"]
        assert "no people" in ds.bad_samples["noperson.jpg + noperson.jpg"]

    def test_fail_raises_naming_the_sample(self, broken_root: Path) -> None:
        with pytest.raises(BadSampleError, match="badparse.jpg"):
            TryOnDataset(broken_root, "train", size_hw=(128, 96), on_bad_sample="fail")
        (broken_root / "train_pairs.txt").write_text("good.jpg good.jpg\nemptymask.jpg emptymask.jpg\n")
        ds = TryOnDataset(broken_root, "train", size_hw=(128, 96), on_bad_sample="fail")
        assert ds[0].name == "good.jpg"
        with pytest.raises(BadSampleError, match="emptymask.jpg"):
            ds[1]


class TestAugmentation:
    def test_flip_swaps_left_and_right(self) -> None:
        s = _synthetic()
        f = flip_sample(s)
        w = s.image.shape[-1]
        assert torch.equal(f.image, s.image.flip(-1)) and torch.equal(f.cloth, s.cloth.flip(-1))
        # the wearer's left arm label follows the mirrored pixels and becomes the right arm
        assert int(f.parse[30, w - 1 - 10]) == 15 and int(f.parse[30, w - 1 - 35]) == 14
        assert torch.allclose(f.joints[5, :2], torch.tensor([w - 1 - 10.0, 20.0]))  # was the right shoulder
        assert torch.allclose(f.joints[2, :2], torch.tensor([w - 1 - 35.0, 21.0]))
        assert float(f.joints[0, 2]) == 0 and float(f.joints[0, 0]) == 0  # missing joints stay missing
        back = flip_sample(f)
        assert torch.equal(back.parse, s.parse) and torch.allclose(back.joints, s.joints)

    def test_scale_shift_moves_pixels_and_joints_together(self) -> None:
        s = _synthetic()
        s.image.zero_()
        x, y = s.joints[5, :2].long().tolist()
        s.image[:, y - 1 : y + 2, x - 1 : x + 2] = 1.0  # a bright spot on the left shoulder
        a = affine_person(s, 1.1, 3.0, -2.0)
        yy, xx = np.unravel_index(int(a.image[0].argmax()), a.image.shape[-2:])
        assert abs(xx - float(a.joints[5, 0])) <= 1.0 and abs(yy - float(a.joints[5, 1])) <= 1.0
        assert torch.equal(a.cloth, s.cloth)  # the garment side is untouched

    def test_draws_depend_on_the_generator_only(self) -> None:
        s, cfg = _synthetic(), AugmentConfig(flip=0.5, scale=0.1, shift=0.1)
        a = augment_sample(s, cfg, torch.Generator().manual_seed(3))
        b = augment_sample(s, cfg, torch.Generator().manual_seed(3))
        assert torch.equal(a.image, b.image) and torch.equal(a.joints, b.joints)

    def test_dataset_augmentation_is_a_function_of_index_and_epoch(self, samples_dir: Path) -> None:
        cfg = AugmentConfig(flip=0.5, scale=0.05, shift=0.05)
        ds = TryOnDataset(samples_dir / "hrviton", "test", size_hw=(128, 96), augment=cfg, cache=True)
        a, b = ds.get(0, epoch=1), ds.get(0, epoch=1)
        assert torch.equal(a.image, b.image) and torch.equal(a.joints, b.joints)
        others = [ds.get(0, epoch=e).joints for e in range(2, 6)]
        assert any(not torch.equal(a.joints, o) for o in others)
