"""ONNX export: onnxruntime matches PyTorch to 1e-4 on random inputs (tiny random-weight networks)."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
import torch

from kfvton.checkpoints.export_onnx import _tps_solve_symbolics, example_inputs, export_network
from kfvton.cli import main
from kfvton.geometry.tps import tps_solve
from tests._tiny_kfvton import TINY_HW, tiny_seg, tiny_warp, write_tiny_bundle

# small export sizes keep the test fast (the detector resizes to its native 128x96 anyway)
_SIZES = {
    "kfvton_seg_256": (64, 64),
    "kfvton_kp_detector_256": TINY_HW,
    "kfvton_spade_generator_256": (32, 24),
    "kfvton_dense_motion_256": TINY_HW,
    "kfvton_warp_256": TINY_HW,
}
_ARCHITECTURES = list(_SIZES)


def _networks():
    warp = tiny_warp()
    return {
        "kfvton_seg_256": tiny_seg(),
        "kfvton_kp_detector_256": warp.kp_detector,
        "kfvton_spade_generator_256": warp.generator,
        "kfvton_dense_motion_256": warp.dense_motion,
        "kfvton_warp_256": warp,
    }


@pytest.mark.parametrize("architecture", _ARCHITECTURES)
def test_onnxruntime_matches_torch(architecture, tmp_path):
    model = _networks()[architecture]
    size_hw = _SIZES[architecture]
    done = export_network(model, architecture, tmp_path / "net.onnx", size_hw=size_hw)
    session = ort.InferenceSession(done.path, providers=["CPUExecutionProvider"])
    for batch in (1, 2):  # dynamic batch
        args = example_inputs(model, architecture, size_hw, batch=batch)
        with torch.no_grad():
            expected = _as_list(model(*args))
        got = session.run(None, {name: a.numpy() for name, a in zip(done.input_names, args, strict=True)})
        for name, e, g in zip(done.output_names, expected, got, strict=True):
            assert g.shape == tuple(e.shape)
            assert np.abs(g - e.numpy()).max() <= 1e-4, name
            if name in ("image", "tryon"):  # a saturated tanh would make the comparison empty
                assert (np.abs(g) < 0.99).mean() > 0.5, name


def _as_list(out) -> list[torch.Tensor]:
    return [out] if isinstance(out, torch.Tensor) else list(out)


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="opset"):
        export_network(tiny_seg(), "kfvton_seg_256", tmp_path / "s.onnx", opset=11)
    with pytest.raises(ValueError, match="architecture"):
        export_network(tiny_seg(), "kfvton_nope", tmp_path / "s.onnx")


class _TpsFit(torch.nn.Module):
    """The float64 TPS fit of the dense motion network (reg 0.01 on the whole diagonal)."""

    def forward(self, src: torch.Tensor, dst: torch.Tensor) -> torch.Tensor:
        params = tps_solve(src, dst, reg=0.01, reg_affine=True)
        return torch.cat((params.kernel, params.affine), dim=-2)


def _keypoint_groups(kind: str, batch: int, g: torch.Generator) -> torch.Tensor:
    """(batch, 8, 12, 2) keypoint groups: uniform in [-0.9, 0.9], or clustered in a 0.05 or a 0.002 wide box."""
    if kind == "uniform":
        return torch.rand(batch, 8, 12, 2, generator=g) * 1.8 - 0.9
    width = 0.05 if kind == "clustered" else 0.002
    return torch.rand(batch, 8, 12, 2, generator=g) * width + torch.rand(batch, 8, 1, 2, generator=g) * 1.7 - 0.85


def test_exported_tps_solve_matches_linalg_solve(tmp_path):
    """The Newton-Schulz solve of the export against torch.linalg.solve (float64), also for badly spread points."""
    g = torch.Generator().manual_seed(1)
    args = (_keypoint_groups("uniform", 2, g), _keypoint_groups("uniform", 2, g))
    path = tmp_path / "tps.onnx"
    with _tps_solve_symbolics(17):
        torch.onnx.export(
            _TpsFit(),
            args,
            str(path),
            input_names=["src", "dst"],
            output_names=["params"],
            dynamic_axes={"src": {0: "b"}, "dst": {0: "b"}, "params": {0: "b"}},
            opset_version=17,
            dynamo=False,
        )
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for kind in ("uniform", "clustered", "tight"):
        src, dst = _keypoint_groups(kind, 3, g), _keypoint_groups("uniform", 3, g)
        expected = _TpsFit()(src, dst)
        (got,) = session.run(None, {"src": src.numpy(), "dst": dst.numpy()})
        assert got.shape == tuple(expected.shape)
        # float32 output of a float64 solve: agreement to float32 rounding of the (up to ~10) coefficients
        assert np.abs(got - expected.numpy()).max() <= 1e-5 * max(1.0, expected.abs().max().item()), kind


def test_solve_symbolics_removed_after_export(tmp_path):
    """The linalg_solve / diag_embed symbolics exist only during an export: afterwards the exporter refuses again."""
    export_network(tiny_warp().dense_motion, "kfvton_dense_motion_256", tmp_path / "d.onnx", size_hw=TINY_HW)
    g = torch.Generator().manual_seed(2)
    args = (_keypoint_groups("uniform", 1, g), _keypoint_groups("uniform", 1, g))
    with pytest.raises(torch.onnx.errors.UnsupportedOperatorError):
        torch.onnx.export(_TpsFit(), args, str(tmp_path / "t.onnx"), opset_version=17, dynamo=False)


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
    # the dense motion part and the whole warp network (no --part) export too
    assert main(["export", str(warp), "--part", "dense_motion", "-o", str(tmp_path / "d.onnx")]) == 0
    assert "kfvton_dense_motion_256" in capsys.readouterr().out
    assert main(["export", str(warp), "-o", str(tmp_path / "w.onnx")]) == 0
    out = capsys.readouterr().out
    assert "kfvton_warp_256" in out and "tryon" in out
    assert ort.InferenceSession(str(tmp_path / "w.onnx"), providers=["CPUExecutionProvider"]).get_outputs()[0].name == (
        "tryon"
    )
    assert main(["export", str(seg), "--part", "generator", "-o", str(tmp_path / "x.onnx")]) == 1
    assert "only for a kfvton_warp_256" in capsys.readouterr().err
