from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from kfvton.cli import main
from kfvton.preprocess.io import save_image
from kfvton.train.evaluate import appearance_scores, evaluate_folders, match_pairs, psnr, ssim, upper_body_box


class TestSsim:
    def test_identical_images(self) -> None:
        x = torch.rand(3, 3, 32, 24)
        assert torch.allclose(ssim(x, x), torch.ones(3), atol=1e-6)

    def test_single_window_matches_the_formula(self) -> None:
        g = torch.Generator().manual_seed(0)
        x, y = torch.rand(1, 1, 11, 11, generator=g), torch.rand(1, 1, 11, 11, generator=g)
        r = np.arange(11) - 5.0
        w = np.exp(-(r[:, None] ** 2 + r[None] ** 2) / (2 * 1.5**2))
        w /= w.sum()
        a, b = x[0, 0].double().numpy(), y[0, 0].double().numpy()
        mx, my = (w * a).sum(), (w * b).sum()
        vx, vy, cxy = (w * a * a).sum() - mx**2, (w * b * b).sum() - my**2, (w * a * b).sum() - mx * my
        c1, c2 = 0.01**2, 0.03**2
        expected = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
        assert float(ssim(x, y)) == pytest.approx(expected, rel=1e-5)

    def test_degrades_with_noise_and_checks_shapes(self) -> None:
        x = torch.rand(1, 3, 32, 32)
        noisy = [(x + s * torch.randn_like(x)).clamp(0, 1) for s in (0.05, 0.2)]
        assert float(ssim(noisy[0], x)) > float(ssim(noisy[1], x))
        with pytest.raises(ValueError, match="target"):
            ssim(x, x[..., :16])
        with pytest.raises(ValueError, match="at least 11"):
            ssim(x[..., :8, :8], x[..., :8, :8])


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    g = torch.Generator().manual_seed(1)
    res, gt = tmp_path / "results", tmp_path / "gt"
    for i in range(3):
        img = torch.rand(1, 3, 64, 48, generator=g)
        save_image(img, gt / f"{i:05d}_00.jpg")
        save_image((img + 0.05).clamp(0, 1), res / f"{i:05d}_00.png")
    save_image(torch.rand(1, 3, 64, 48), res / "99999_00.png")  # no ground truth
    return res, gt


def test_match_pairs(folders) -> None:
    res, gt = folders
    pairs, missing = match_pairs(res, gt)
    assert [p.stem for p, _ in pairs] == ["00000_00", "00001_00", "00002_00"] and missing == ["99999_00"]


def test_report_states_implementations_and_missing_libraries(folders, tmp_path: Path) -> None:
    res, gt = folders
    report = evaluate_folders(paired_results=res, paired_gt=gt, unpaired_results=res, real=gt, size_hw=(32, 24))
    s = report.metric("SSIM")
    assert s.count == 3 and 0.5 < s.value < 1.0 and s.implementation
    lp = report.metric("LPIPS")
    if importlib.util.find_spec("lpips") is None:
        assert lp.value is None and lp.implementation == "not installed"
    for name in ("FID", "KID"):
        m = report.metric(name)
        if importlib.util.find_spec("torch_fidelity") is None:
            assert m.value is None and m.implementation == "not installed" and "torch-fidelity" in m.note
    with pytest.raises(ValueError, match="paired-gt"):
        evaluate_folders(paired_results=res)


def test_cli_writes_the_report(folders, tmp_path: Path) -> None:
    res, gt = folders
    out = tmp_path / "report"
    assert main(["evaluate", "--paired-results", str(res), "--paired-gt", str(gt), "--out", str(out)]) == 0
    data = json.loads((out / "report.json").read_text())
    assert [m["name"] for m in data["metrics"]] == ["SSIM", "LPIPS"]
    assert "| SSIM |" in (out / "report.md").read_text()
    assert (
        main(["evaluate", "--paired-results", str(tmp_path / "nope"), "--paired-gt", str(gt), "--out", str(out)]) == 1
    )


def test_cli_generates_results_from_a_checkpoint(samples_dir: Path, tmp_path: Path) -> None:
    from tests._tiny_kfvton import write_tiny_bundle

    seg, warp = write_tiny_bundle(tmp_path)
    out = tmp_path / "eval"
    args = ["evaluate", "--seg", str(seg), "--warp", str(warp), "--dataroot", str(samples_dir / "hrviton"), "--out"]
    assert main(args + [str(out)]) == 0
    assert sorted(p.name for p in (out / "paired").iterdir()) == ["00006_00.png"]
    data = json.loads((out / "report.json").read_text())
    ssim_entry = next(m for m in data["metrics"] if m["name"] == "SSIM")
    assert ssim_entry["count"] == 1 and 0 < ssim_entry["value"] < 1  # random weights: a poor but real number
    assert data["unpaired_dirs"] is None  # the HR-VITON sample has no pair list: FID/KID skipped, logged


class TestAppearanceScores:
    def test_psnr_known_value(self) -> None:
        x = torch.zeros(2, 3, 16, 16)
        y = x + 0.1  # MSE 0.01 -> 20 dB
        torch.testing.assert_close(psnr(x, y), torch.full((2,), 20.0), atol=1e-4, rtol=0)
        with pytest.raises(ValueError, match="target"):
            psnr(x, y[..., :8])

    def test_box_of_clothes_and_arms(self) -> None:
        parse = torch.zeros(2, 40, 30, dtype=torch.long)
        parse[0, 10:20, 5:9] = 5  # upper clothes
        parse[0, 12:25, 20:22] = 15  # right arm
        parse[0, 30:35, 0:30] = 9  # pants: not in the box
        assert upper_body_box(parse).tolist() == [[5, 10, 22, 25], [0, 0, 30, 40]]  # no labels: whole image

    def test_scores_only_the_box_for_ssim(self) -> None:
        g = torch.Generator().manual_seed(0)
        photo = torch.rand(1, 3, 64, 48, generator=g)
        parse = torch.zeros(1, 64, 48, dtype=torch.long)
        parse[0, 16:48, 12:36] = 5
        result = photo.clone()
        result[..., :8, :] = 0  # outside the box: PSNR drops, box SSIM stays 1
        s = appearance_scores(result, photo, parse, size_hw=(64, 48))
        assert s.box.tolist() == [[12, 16, 36, 48]]
        assert float(s.box_ssim[0]) == pytest.approx(1.0, abs=1e-6)
        assert float(s.psnr[0]) < 20
        inside = photo.clone()
        inside[..., 20:40, 16:32] = torch.rand(1, 3, 20, 16, generator=g)
        assert float(appearance_scores(inside, photo, parse, size_hw=(64, 48)).box_ssim[0]) < 0.8
