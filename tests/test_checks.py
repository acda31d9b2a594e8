"""kfvton._checks: the one validation helper style; each message names the input and what arrived."""

from __future__ import annotations

import pytest
import torch

import kfvton._checks as checks
from kfvton._checks import (
    check_device,
    check_finite,
    check_image,
    check_label_map,
    check_mask,
    check_output_file,
    check_output_folder,
    working_float,
)


class TestCheckImage:
    def test_ok_with_bicubic_overshoot(self):
        x = torch.rand(2, 3, 8, 8) * 1.1 - 0.05
        check_image(x, "person")

    def test_nan_named(self):
        x = torch.rand(1, 3, 8, 8)
        x[0, 0, 0, 0] = float("nan")
        with pytest.raises(ValueError, match="person: expected finite values, got 1 NaN or inf of 192"):
            check_image(x, "person")

    @pytest.mark.parametrize("bad", [(float("-inf"),), (float("inf"), float("nan")), (float("nan"), float("-inf"))])
    def test_non_finite_found_from_the_extremes(self, bad):
        """The range check's one min/max pass must catch any NaN or infinity (and count them), wherever they lie."""
        x = torch.rand(1, 3, 8, 8)
        for k, value in enumerate(bad):
            x[0, k, 7 - k, 3] = value
        with pytest.raises(ValueError, match=f"person: expected finite values, got {len(bad)} NaN or inf of 192"):
            check_image(x, "person")

    def test_0_255_named_with_its_range(self):
        with pytest.raises(
            ValueError, match=r"garment: expected image values in \[0, 1\], got values in \[0, 255\].*255"
        ):
            check_image(torch.linspace(0, 255, 192).reshape(1, 3, 8, 8), "garment")

    def test_minus_one_to_one(self):
        with pytest.raises(ValueError, match=r"\(x \+ 1\) / 2"):
            check_image(torch.linspace(-1, 1, 48).reshape(1, 4, 4, 3), "image", layout="BHWC")

    @pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
    def test_half_precision_checked(self, dtype):
        x = torch.rand(1, 3, 4, 4).to(dtype)
        check_image(x, "person")
        x[0, 0, 0, 0] = float("inf")
        with pytest.raises(ValueError, match="person: expected finite"):
            check_image(x, "person")


class TestCheckMask:
    def test_nan_mask(self):
        with pytest.raises(ValueError, match="garment_mask: expected finite values"):
            check_mask(torch.full((1, 1, 4, 4), float("nan")), "garment_mask", ("B", 1, 4, 4))

    def test_shape_and_range(self):
        with pytest.raises(ValueError, match=r"mask: expected shape \(B, H, W\)"):
            check_mask(torch.zeros(1, 1, 4, 4), "mask")
        with pytest.raises(ValueError, match="mask: expected mask values in"):
            check_mask(torch.full((1, 4, 4), 255.0), "mask")


class TestCheckLabelMap:
    def test_lists_labels_found(self):
        parse = torch.zeros(1, 4, 4, dtype=torch.long)
        parse[0, 0, :2] = 200
        parse[0, 1, 0] = 255
        with pytest.raises(ValueError, match=r"parse: expected labels in \[0, 19\], found 200, 255 in 3 pixels"):
            check_label_map(parse, "parse", 20)

    def test_ok(self):
        check_label_map(torch.arange(20).reshape(1, 4, 5), "parse", 20)

    @pytest.mark.parametrize("bad", [-1, 20])
    def test_one_label_past_either_end(self, bad):
        """The min/max fast path lets no label through just outside [0, n_labels)."""
        parse = torch.arange(20).reshape(1, 4, 5)
        parse[0, 3, 4] = bad
        with pytest.raises(ValueError, match=rf"found {bad} in 1 pixels"):
            check_label_map(parse, "parse", 20)


class TestCheckDevice:
    def test_cpu(self):
        assert check_device("cpu", "--device") == torch.device("cpu")

    def test_unknown_name(self):
        with pytest.raises(ValueError, match="--device: unknown device 'gpu7'; expected cpu, cuda"):
            check_device("gpu7", "--device")

    @pytest.mark.skipif(torch.cuda.is_available(), reason="this torch sees a GPU")
    def test_cuda_without_gpu(self):
        with pytest.raises(ValueError, match="--device: 'cuda' asks for CUDA, but this torch .* sees no GPU"):
            check_device("cuda", "--device")

    def test_gpu_index_past_the_last(self, monkeypatch):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
        with pytest.raises(ValueError, match="--device: 'cuda:3' asks for GPU 3, but only 1 GPU"):
            check_device("cuda:3", "--device")


class TestCheckOutputFile:
    def test_ok_and_missing_folders(self, tmp_path):
        assert check_output_file(tmp_path / "new" / "deep" / "out.png", "--out", {".png"}).name == "out.png"
        assert not (tmp_path / "new").exists()  # nothing is created by the check

    def test_is_a_folder(self, tmp_path):
        with pytest.raises(ValueError, match="--out: .* is a folder; expected a file path"):
            check_output_file(tmp_path, "--out", {".png"})

    def test_parent_is_a_file(self, tmp_path):
        (tmp_path / "file.txt").write_text("x")
        with pytest.raises(ValueError, match="--out: cannot write .*file.txt/out.png: .*file.txt is a file"):
            check_output_file(tmp_path / "file.txt" / "out.png", "--out", {".png"})

    def test_unknown_extension(self, tmp_path):
        with pytest.raises(ValueError, match=r"--out: expected a file ending in .jpg, .png, got '.xyz'"):
            check_output_file(tmp_path / "out.xyz", "--out", {".png", ".jpg"})
        with pytest.raises(ValueError, match="--out: expected a file ending in .png, got no extension"):
            check_output_file(tmp_path / "out", "--out", {".png"})

    def test_no_permission(self, tmp_path, monkeypatch):
        monkeypatch.setattr(checks.os, "access", lambda *_: False)  # root may write anywhere; fake a read-only folder
        with pytest.raises(PermissionError, match="--out: no permission to write in"):
            check_output_file(tmp_path / "out.png", "--out", {".png"})


class TestCheckOutputFolder:
    def test_is_a_file(self, tmp_path):
        (tmp_path / "steps").write_text("x")
        with pytest.raises(ValueError, match="--save-intermediates: .*steps is a file; expected a folder"):
            check_output_folder(tmp_path / "steps", "--save-intermediates")

    def test_ok(self, tmp_path):
        check_output_folder(tmp_path / "steps", "--save-intermediates")
        check_output_folder(tmp_path, "--save-intermediates")


@pytest.mark.parametrize(
    "dtype,expected",
    [(torch.float16, torch.float32), (torch.bfloat16, torch.float32), (torch.float32, torch.float32),
     (torch.float64, torch.float64)],
)  # fmt: skip
def test_working_float(dtype, expected):
    assert working_float(torch.zeros(2, dtype=dtype)).dtype == expected


def test_check_finite_counts_what_the_fast_path_lets_through():
    """The one-pass sum check must neither hide a NaN/inf nor refuse finite values whose sum overflows."""
    x = torch.zeros(3, 4)
    x[1, 2] = float("nan")
    x[2, 0] = float("-inf")
    with pytest.raises(ValueError, match="got 2 NaN or inf of 12"):
        check_finite(x, "x")
    check_finite(torch.full((4,), 3e38), "big")  # the sum overflows to inf; every value is finite
