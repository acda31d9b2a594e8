"""`python -m kfvton convert` on the authors' key layout (the reference keypoint-detector weights saved as a .pth)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors import safe_open

from kfvton.checkpoints.io import load_checkpoint
from kfvton.cli import main
from tests.conftest import REFERENCE_DIR


def _decode(path: Path) -> dict[str, torch.Tensor]:
    with safe_open(str(path), "pt") as f:
        meta = f.metadata() or {}
        out = {}
        for key in f.keys():
            t = f.get_tensor(key)
            scale = meta.get(f"i8scale:{key}")
            out[key] = t.float() * float(scale) if scale is not None else t
    return out


@pytest.fixture(scope="module")
def reference_kp() -> tuple[dict, dict]:
    if not (REFERENCE_DIR / "kp_detector.weights.safetensors").is_file():
        pytest.skip(f"reference vectors not found at {REFERENCE_DIR}")
    return _decode(REFERENCE_DIR / "kp_detector.weights.safetensors"), _decode(
        REFERENCE_DIR / "kp_detector.io.safetensors"
    )


def test_convert_authors_kp_detector(reference_kp, tmp_path, capsys):
    weights, io = reference_kp
    pth = tmp_path / "kp.pth"
    # the authors' DataParallel prefix and an unused parameter group, as a real checkpoint has them
    authors = {f"module.{k}": v for k, v in weights.items()}
    authors["module.fg_encoder.fc.weight"] = torch.zeros(192, 512)
    torch.save(authors, pth)
    out = tmp_path / "kp.safetensors"
    assert main(["convert", str(pth), "--model", "kfvton_kp_detector_256", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "dropped 1 keys" in printed and "fg_encoder" in printed
    model = load_checkpoint(out, architecture="kfvton_kp_detector_256").model
    with torch.no_grad():
        kp = model(io["input.image"], io["input.mask"])
    assert torch.allclose(kp.source_kp, io["output.source_kp"], atol=1e-5)
    assert torch.allclose(kp.ref_kp, io["output.ref_kp"], atol=1e-5)
    # refuses to overwrite, and a checkpoint of another network is an error naming keys
    assert main(["convert", str(pth), "--model", "kfvton_kp_detector_256", "--output", str(out)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["convert", str(pth), "--model", "kfvton_seg_256", "-o", str(tmp_path / "x.safetensors")]) == 1
    assert "unknown keys" in capsys.readouterr().err


def test_convert_missing_file(tmp_path, capsys):
    code = main(
        ["convert", str(tmp_path / "none.pth"), "--model", "kfvton_seg_256", "-o", str(tmp_path / "o.safetensors")]
    )
    assert code == 1 and "none.pth" in capsys.readouterr().err
