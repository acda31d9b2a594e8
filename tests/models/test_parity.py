"""Numerical parity of our networks with the authors' modules, on the reference vectors.

The vectors (README.md + manifest.json + `<module>.io.safetensors` / `<module>.weights.safetensors`) live in
$KFVTON_REFERENCE_DIR (default ../shared/reference/kfvton256). Weights are stored in the authors' key layout and
go through our converter (strict). Everything is driven by the files: another vector set of the same format
(other seeds or inputs) works unchanged. Skips only when the directory is absent; a missing module file or
output fails. Run with `pytest -s` to see the per-output max abs differences.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from torch import Tensor

from kfvton.checkpoints.convert_authors import convert_authors_state_dict
from kfvton.geometry.grid import ALIGN_CORNERS_TPS, coordinate_grid
from kfvton.geometry.tps import tps_grid, tps_solve
from kfvton.models.registry import build_model
from tests.conftest import REFERENCE_DIR
from tests.models._spade_reference import random_authors_weights, random_inputs, reference_spade_generator

TOL_DIRECT = 1e-4  # outputs computed without a TPS solve
TOL_TPS = 1e-3  # outputs downstream of a TPS solve (ours float64 solve, theirs a float32 inverse)
# The SPADE generator in float32 is up to ~7e-5 from its exact (float64) output, ours and the authors' alike: on
# the shared vectors the authors' stored output is 7.2e-5 from the exact one and ours 6.7e-5 (ours in float64:
# 2e-13, the same maths); on held-out seeds ours is 1.5e-5 and 2.3e-5 from exact, the README formula run in float32
# 0.8e-5 and 1.0e-5. Deep InstanceNorm + SimAM stacks amplify float32 rounding, and two float32 runs that round in
# a different order (our fused modulation convs, the authors' separate ones) differ by up to the sum of their own
# errors (1.33e-4 was seen on another seed's vectors). So each float32 run is held to TOL_DIRECT of the exact
# output (`test_spade_generator_held_out_seeds`), and ours to the authors' float32 output to twice that.
TOL_SPADE_VS_AUTHORS_FP32 = 2 * TOL_DIRECT
# The segmentation generator's raw outputs (ReLU, no sigmoid) reach 6.9 on the shared vectors, and float32 rounding
# grows with the values: on an AMD EPYC CPU ours in float32 is 1.7e-4 from our float64 run, the authors' stored
# float32 output 8.4e-5 (ours in float64 to theirs: 8.4e-5, the same maths), so their difference was 2.0e-4 there
# (under 1e-4 on the Intel CPUs before). Its tolerance is TOL_DIRECT per unit of the output's largest magnitude.
SCALED_TOLERANCE = frozenset({"seg_generator"})

# Modules and the outputs each vector set must hold (more outputs in a file are compared too).
REQUIRED_OUTPUTS = {
    "tps": ("grid", "theta", "control_params"),
    "kp_detector": ("source_kp", "ref_kp"),
    "dense_motion": ("deformation", "occlusion_map", "contribution_maps", "sparse_motion"),
    "spade_generator": ("image",),
    "seg_generator": ("parse",),
    "warp_network": ("tryon", "warped_out", "kp_source", "kp_ref", "dense_motion.deformation"),
}
TOLERANCE = {
    "tps": TOL_TPS,
    "kp_detector": TOL_DIRECT,
    "dense_motion": TOL_TPS,
    "spade_generator": TOL_SPADE_VS_AUTHORS_FP32,
    "seg_generator": TOL_DIRECT,
    "warp_network": TOL_TPS,
}
# Authors' weight files and the registry model they load into; the warp network's state dict is the union of
# three files under the authors' attribute prefixes (manifest: files["warp_network.io.safetensors"]["weights"]).
WEIGHTS = {
    "kp_detector": ("kfvton_kp_detector_256", {"": "kp_detector"}),
    "dense_motion": ("kfvton_dense_motion_256", {"": "dense_motion"}),
    "spade_generator": ("kfvton_spade_generator_256", {"": "spade_generator"}),
    "seg_generator": ("kfvton_seg_256", {"": "seg_generator"}),
    "warp_network": (
        "kfvton_warp_256",
        {"kp_detector.": "kp_detector", "self_dense_motion_network.": "dense_motion", "generator.": "spade_generator"},
    ),
}


def read_vectors(path: Path) -> dict[str, Tensor]:
    """All tensors of a reference file, I8 ones decoded as code * i8scale (float32)."""
    if not path.is_file():
        pytest.fail(f"reference file missing: {path}")
    out = {}
    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata() or {}
        for name in f.keys():
            t = f.get_tensor(name)
            if t.dtype == torch.int8:
                scale_key = f"i8scale:{name}"
                if scale_key not in meta:
                    pytest.fail(f"{path.name}: I8 tensor {name} has no {scale_key} in the metadata")
                t = t.to(torch.float32) * float(meta[scale_key])
            out[name] = t
    return out


def split_io(io: dict[str, Tensor]) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    inputs = {k.removeprefix("input."): v for k, v in io.items() if k.startswith("input.")}
    outputs = {k.removeprefix("output."): v for k, v in io.items() if k.startswith("output.")}
    outputs |= {k: v for k, v in io.items() if k.startswith("debug.")}
    return inputs, outputs


def load_model(module: str, reference_dir: Path) -> torch.nn.Module:
    name, files = WEIGHTS[module]
    authors: dict[str, Tensor] = {}
    for prefix, stem in files.items():
        authors |= {prefix + k: v for k, v in read_vectors(reference_dir / f"{stem}.weights.safetensors").items()}
    model = build_model(name)
    converted = convert_authors_state_dict(authors, name, expected_keys=model.state_dict().keys())
    model.load_state_dict(converted.state_dict, strict=True)
    return model.eval()


# ---- runners: recorded inputs -> our outputs under the reference's names and layouts ----


def run_tps(inputs: dict[str, Tensor], _: Path) -> dict[str, Tensor]:
    params = tps_solve(inputs["kp_1"], inputs["kp_2"], reg=0.01, reg_affine=True)
    h, w = inputs["coordinate_grid"].shape[:2]
    return {
        "grid": tps_grid(params, (h, w), align_corners=ALIGN_CORNERS_TPS),
        "theta": params.affine.transpose(-1, -2),
        "control_params": params.kernel,
        "coordinate_grid": coordinate_grid(h, w, align_corners=ALIGN_CORNERS_TPS),
    }


def run_kp_detector(inputs: dict[str, Tensor], reference_dir: Path) -> dict[str, Tensor]:
    out = load_model("kp_detector", reference_dir)(inputs["image"], inputs["mask"])
    return {"source_kp": out.source_kp, "ref_kp": out.ref_kp}


def run_dense_motion(inputs: dict[str, Tensor], reference_dir: Path) -> dict[str, Tensor]:
    model = load_model("dense_motion", reference_dir)
    captured: list[Tensor] = []
    handle = model.hourglass.register_forward_hook(lambda _m, args, _o: captured.append(args[0]))
    out = model(inputs["source_image"], inputs["ref_input"], inputs["kp_source"], inputs["kp_driving"])
    handle.remove()
    images = model.downsample(torch.cat((inputs["source_image"], inputs["ref_input"]), dim=1))
    result = {
        "deformation": out.deformation,
        "occlusion_map": out.occlusion_map,
        "contribution_maps": out.contribution_maps,
        "sparse_motion": out.sparse_motion.permute(0, 1, 4, 2, 3),  # stored as (B, K, 2, H, W)
        "sparse_deformed_b0": model.deform_images(images, out.sparse_motion)[:1],
    }
    for i, level in enumerate(model.hourglass.forward_all(captured[0])):
        result[f"debug.prediction.{i}.channel_mean"] = level.mean(dim=(-2, -1))
    return result


def run_spade_generator(inputs: dict[str, Tensor], reference_dir: Path) -> dict[str, Tensor]:
    return {"image": load_model("spade_generator", reference_dir)(inputs["x"], inputs["seg"])}


def run_seg_generator(inputs: dict[str, Tensor], reference_dir: Path) -> dict[str, Tensor]:
    return {"parse": load_model("seg_generator", reference_dir)(inputs["cloth"], inputs["pose"])}


def run_warp_network(inputs: dict[str, Tensor], reference_dir: Path) -> dict[str, Tensor]:
    model = load_model("warp_network", reference_dir)
    out = model(inputs["image_input"], inputs["ref_input"], inputs["img_agnostic"], inputs["pose"], inputs["gen_parse"])
    return {
        "tryon": out.tryon,
        "warped_out": out.warped,
        "kp_source": out.kp_source,
        "kp_ref": out.kp_ref,
        "dense_motion.deformation": out.deformation,
        "dense_motion.occlusion_map": out.occlusion,
    }


RUNNERS: dict[str, Callable[[dict[str, Tensor], Path], dict[str, Tensor]]] = {
    "tps": run_tps,
    "kp_detector": run_kp_detector,
    "dense_motion": run_dense_motion,
    "spade_generator": run_spade_generator,
    "seg_generator": run_seg_generator,
    "warp_network": run_warp_network,
}


@pytest.fixture(scope="module")
def reference_dir() -> Path:
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference vectors not found at {REFERENCE_DIR}")
    if not (REFERENCE_DIR / "manifest.json").is_file():
        pytest.fail(f"reference directory {REFERENCE_DIR} has no manifest.json")
    return REFERENCE_DIR


@pytest.mark.parametrize("module", list(RUNNERS))
def test_parity(module: str, reference_dir: Path) -> None:
    manifest = json.loads((reference_dir / "manifest.json").read_text())
    io_name = f"{module}.io.safetensors"
    assert io_name in manifest["files"], f"manifest.json lists no {io_name}"
    inputs, expected = split_io(read_vectors(reference_dir / io_name))
    missing = [name for name in REQUIRED_OUTPUTS[module] if name not in expected]
    assert not missing, f"{io_name}: required outputs missing: {missing}"
    with torch.no_grad():
        ours = RUNNERS[module](inputs, reference_dir)
    unknown = sorted(set(expected) - set(ours))
    assert not unknown, f"{io_name}: outputs we do not produce: {unknown}"
    tol = TOLERANCE[module]
    if module in SCALED_TOLERANCE:
        tol *= max(1.0, max(want.abs().max().item() for want in expected.values()))
    worst = {}
    for name, want in expected.items():
        got = ours[name]
        assert got.shape == want.shape, f"{module}:{name}: shape {tuple(got.shape)}, reference {tuple(want.shape)}"
        worst[name] = (got.double() - want.double()).abs().max().item()
        print(f"parity {module}:{name} max_abs_diff={worst[name]:.3e} (tol {tol:g})")
    bad = {k: v for k, v in worst.items() if not v <= tol}
    assert not bad, f"{module}: outputs over tolerance {tol:g}: {bad}"


def test_warp_network_bf16_autocast(reference_dir: Path) -> None:
    """bf16 autocast (CPU) keeps the try-on within the issue's target of float32, on the reference weights/inputs:
    as a [0, 1] image, mean abs difference <= 5e-3 and PSNR >= 35 dB."""
    inputs, _ = split_io(read_vectors(reference_dir / "warp_network.io.safetensors"))
    model = load_model("warp_network", reference_dir)
    args = [inputs[k] for k in ("image_input", "ref_input", "img_agnostic", "pose", "gen_parse")]
    with torch.no_grad():
        fp32 = model(*args).tryon
        with torch.autocast("cpu", dtype=torch.bfloat16):
            bf16 = model(*args).tryon
    assert bf16.dtype == torch.float32
    diff = (bf16.float() - fp32) / 2  # [-1, 1] -> [0, 1] units
    mean_abs = diff.abs().mean().item()
    psnr = -10 * math.log10(diff.square().mean().item())
    print(f"bf16 autocast warp_network:tryon [0, 1] mean_abs_diff={mean_abs:.3e} (tol 5e-3), psnr={psnr:.1f} dB")
    assert mean_abs <= 5e-3 and psnr >= 35


HELD_OUT_SEEDS = (1, 2, 3)
HELD_OUT_HW = (64, 48)  # small, so the float64 runs stay quick; every block and scale still runs


@pytest.mark.parametrize("seed", HELD_OUT_SEEDS)
def test_spade_generator_held_out_seeds(seed: int, reference_dir: Path) -> None:
    """Parity on any seed: fresh weights and inputs drawn as the reference vectors were (manifest `weight_init`),
    against the README's formula (tests/models/_spade_reference.py) run in float64, the exact answer. Ours in
    float64 must agree to float64 rounding (no real deviation); ours in float32 to TOL_DIRECT (float32 rounding)."""
    manifest = json.loads((reference_dir / "manifest.json").read_text())
    tensors = manifest["files"]["spade_generator.weights.safetensors"]["tensors"]
    authors = random_authors_weights({k: v["shape"] for k, v in tensors.items()}, seed)
    x, seg = random_inputs(1, HELD_OUT_HW, seed)
    name = WEIGHTS["spade_generator"][0]
    model = build_model(name)
    model.load_state_dict(
        convert_authors_state_dict(authors, name, expected_keys=model.state_dict().keys()).state_dict, strict=True
    )
    model.eval()
    with torch.no_grad():
        exact = reference_spade_generator({k: v.double() for k, v in authors.items()}, x.double(), seg.double())
        ours32 = model(x, seg)
        ours64 = model.double()(x.double(), seg.double())
    err64 = (ours64 - exact).abs().max().item()
    err32 = (ours32.double() - exact).abs().max().item()
    print(f"held-out seed {seed}: ours float64 {err64:.2e}, ours float32 {err32:.2e} from the exact output")
    assert exact.abs().max() > 0.1  # a live output, not a saturated or zero one
    assert err64 <= 1e-10, f"seed {seed}: float64 run differs from the reference formula by {err64:.2e}"
    assert err32 <= TOL_DIRECT, f"seed {seed}: float32 run differs from the exact output by {err32:.2e}"
