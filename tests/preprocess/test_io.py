"""kfvton.preprocess.io: every read upright (EXIF), 16-bit greys at full range, huge files refused by name."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from kfvton.preprocess.io import load_image, load_image_rgba, load_mask, load_parse, save_image, save_mask

ORIENTATION = 0x0112


def _with_orientation(arr: np.ndarray, path, orientation: int = 6) -> None:
    """Save `arr` as a phone does: pixels as the sensor read them, the turn to apply in EXIF."""
    img = Image.fromarray(arr)
    exif = img.getexif()
    exif[ORIENTATION] = orientation
    img.save(path, exif=exif.tobytes())


def _upright_and_stored(h: int = 40, w: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """An upright (H, W) grey picture with a marker top-left, and its pixels as stored with orientation 6."""
    upright = np.zeros((h, w), np.uint8)
    upright[:5, :5] = 255
    # orientation 6 = "turn 90 degrees clockwise to view": the stored pixels are the upright view turned anticlockwise
    return upright, np.ascontiguousarray(np.rot90(upright, k=1))


class TestExifOrientation:
    @pytest.mark.parametrize("suffix", [".jpg", ".png"])
    def test_image_upright(self, tmp_path, suffix):
        upright, stored = _upright_and_stored()
        _with_orientation(np.repeat(stored[..., None], 3, axis=-1), tmp_path / f"p{suffix}")
        img = load_image(tmp_path / f"p{suffix}")
        assert img.shape == (1, 3, 40, 30)
        assert float(img[0, 0, :5, :5].mean()) > 0.8 and float(img[0, 0, -5:, -5:].mean()) < 0.2
        rgb, _ = load_image_rgba(tmp_path / f"p{suffix}")
        assert rgb.shape == (1, 3, 40, 30)

    def test_mask_and_parse_upright(self, tmp_path):
        upright, stored = _upright_and_stored()
        _with_orientation(stored, tmp_path / "m.png")
        assert torch.equal(load_mask(tmp_path / "m.png")[0, 0], torch.from_numpy(upright > 127).float())
        _with_orientation((stored > 0).astype(np.uint8) * 5, tmp_path / "parse.png")
        assert torch.equal(load_parse(tmp_path / "parse.png")[0], torch.from_numpy(upright > 0).long() * 5)

    def test_no_orientation_unchanged(self, tmp_path):
        upright, _ = _upright_and_stored()
        Image.fromarray(upright).save(tmp_path / "m.png")
        assert load_mask(tmp_path / "m.png").shape == (1, 1, 40, 30)


class TestSixteenBit:
    def test_grey16_person_keeps_its_tones(self, tmp_path):
        ramp = np.linspace(0, 65535, 64 * 48).reshape(64, 48).astype(np.uint16)
        Image.fromarray(ramp).save(tmp_path / "p16.png")
        assert Image.open(tmp_path / "p16.png").mode.startswith("I")
        img = load_image(tmp_path / "p16.png")
        assert img.shape == (1, 3, 64, 48)
        torch.testing.assert_close(img[0, 1], torch.from_numpy(ramp / 65535.0).float(), atol=1e-6, rtol=0)
        rgb, alpha = load_image_rgba(tmp_path / "p16.png")
        assert alpha is None and float(rgb.mean()) == pytest.approx(0.5, abs=0.01)  # not clipped to white

    def test_grey16_mask(self, tmp_path):
        m = np.zeros((20, 20), np.uint16)
        m[5:15, 5:15] = 65535
        m[0, 0] = 200  # dark, not garment (8-bit clipping made every non-zero value white)
        Image.fromarray(m).save(tmp_path / "m16.png")
        mask = load_mask(tmp_path / "m16.png")
        assert float(mask.sum()) == 100 and float(mask[0, 0, 0, 0]) == 0

    def test_float_image_out_of_range(self, tmp_path):
        Image.fromarray(np.full((8, 8), 3.0, np.float32), mode="F").save(tmp_path / "f.tif")
        with pytest.raises(ValueError, match=r"--person: a F image with values in \[3, 3\]"):
            load_image(tmp_path / "f.tif", "--person")


class TestBadFiles:
    def test_decompression_bomb_named(self, tmp_path, monkeypatch):
        Image.fromarray(np.zeros((100, 100, 3), np.uint8)).save(tmp_path / "big.png")
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 10 000 px is then "200 MP" to Pillow
        with pytest.raises(ValueError, match="--person: .*big.png is too large to decode safely .*downscale it"):
            load_image(tmp_path / "big.png", "--person")

    def test_folder(self, tmp_path):
        with pytest.raises(ValueError, match="--garment: .* is a folder; expected an image file"):
            load_image(tmp_path, "--garment")

    def test_missing_and_unreadable(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="--mask: file not found"):
            load_mask(tmp_path / "no.png", "--mask")
        (tmp_path / "x.png").write_bytes(b"not an image")
        with pytest.raises(ValueError, match="--mask: cannot read"):
            load_mask(tmp_path / "x.png", "--mask")


class TestLoadParse:
    def test_out_of_range_labels_named(self, tmp_path):
        labels = np.zeros((10, 10), np.uint8)
        labels[0, :3] = 200
        labels[1, 0] = 255
        Image.fromarray(labels).save(tmp_path / "parse.png")
        with pytest.raises(ValueError, match=r"--parse \(parse.png\): expected labels in \[0, 19\], found 200, 255"):
            load_parse(tmp_path / "parse.png", "--parse", n_labels=20)
        assert int(load_parse(tmp_path / "parse.png").max()) == 255  # without n_labels: read as stored


class TestSave:
    def test_round_trip_and_formats(self, tmp_path):
        img = torch.rand(1, 3, 16, 12)
        save_image(img, tmp_path / "a" / "out.png")
        torch.testing.assert_close(load_image(tmp_path / "a" / "out.png"), img, atol=1 / 255, rtol=0)
        save_image(img, tmp_path / "out.JPG")
        assert Image.open(tmp_path / "out.JPG").format == "JPEG"
        save_mask(torch.ones(1, 1, 16, 12), tmp_path / "m.png")
        assert Image.open(tmp_path / "m.png").mode == "L"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "m.png", "out.JPG"]  # no temporary files left

    def test_unknown_extension(self, tmp_path):
        with pytest.raises(ValueError, match="unknown image extension '.xyz'"):
            save_image(torch.rand(1, 3, 4, 4), tmp_path / "out.xyz")
