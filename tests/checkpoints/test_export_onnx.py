"""ONNX export: onnxruntime matches PyTorch to 1e-4 on random inputs (tiny random-weight networks)."""

from __future__ import annotations

import copy

import numpy as np
import onnxruntime as ort
import pytest
import torch

from kfvton.checkpoints.export_onnx import example_inputs, export_network
from kfvton.cli import main
from tests._tiny_kfvton import TINY_HW, tiny_seg, tiny_warp, write_tiny_bundle

# small export sizes keep the test fast (the detector resizes to its native 128x96 anyway)
_SIZES = {"kfvton_seg_256": (64, 64), "kfvton_kp_detector_256": TINY_HW, "kfvton_spade_generator_256": (32, 24)}


def _networks():
    warp = tiny_warp()
    return {
        "kfvton_seg_256": tiny_seg(),
        "kfvton_kp_detector_256": warp.kp_detector,
        "kfvton_spade_generator_256": warp.generator,
    }


@pytest.mark.parametrize("architecture", ["kfvton_seg_256", "kfvton_kp_detector_256", "kfvton_spade_generator_256"])
def test_onnxruntime_matches_torch(architecture, tmp_path):
    model = _networks()[architecture]
    size_hw = _SIZES[architecture]
    done = export_network(model, architecture, tmp_path / "net.onnx", size_hw=size_hw)
    session = ort.InferenceSession(done.path, providers=["CPUExecutionProvider"])
    reference = copy.deepcopy(model).double()
    for batch in (1, 2):  # dynamic batch
        args = example_inputs(model, architecture, size_hw, batch=batch)
        with torch.no_grad():
            expected = _as_list(model(*args))
            exact = _as_list(reference(*(a.double() for a in args)))
        got = session.run(None, {name: a.numpy() for name, a in zip(done.input_names, args, strict=True)})
        for e, x, g in zip(expected, exact, got, strict=True):
            assert g.shape == tuple(e.shape)
            diff = np.abs(g - e.numpy())
            if architecture == "kfvton_spade_generator_256":
                # SimAM divides by (channel variance + 1e-4): in random-weight SPADE blocks a few pixels amplify
                # float32 rounding chaotically (PyTorch float32 vs float64 differs there by up to ~5e-2), so the
                # 1e-4 bound is asked of 99% of the pixels, the mean of all
                fp32_error = (e.double() - x).abs().numpy()
                assert np.quantile(diff, 0.99) <= 1e-4 and diff.mean() <= max(1e-5, 2 * fp32_error.mean())
            else:
                assert diff.max() <= 1e-4


def _as_list(out) -> list[torch.Tensor]:
    return [out] if isinstance(out, torch.Tensor) else list(out)


def test_not_exportable(tmp_path):
    with pytest.raises(ValueError, match="linear solve"):
        export_network(tiny_warp(), "kfvton_warp_256", tmp_path / "w.onnx")
    with pytest.raises(ValueError, match="opset"):
        export_network(tiny_seg(), "kfvton_seg_256", tmp_path / "s.onnx", opset=11)


def test_export_cli(tmp_path, capsys):
    seg, warp = write_tiny_bundle(tmp_path)
    assert (
        main(
            [
                "export",
                str(warp),
                "--part",
                "generator",
                "--height",
                "32",
                "--width",
                "24",
                "-o",
                str(tmp_path / "g.onnx"),
            ]
        )
        == 0
    )
    assert "kfvton_spade_generator_256" in capsys.readouterr().out
    assert (tmp_path / "g.onnx").stat().st_size > 0
    assert main(["export", str(seg), "--part", "generator", "-o", str(tmp_path / "x.onnx")]) == 1
    assert "only for a kfvton_warp_256" in capsys.readouterr().err
