"""The authors' checkpoint converter: every key of the authors' full state dicts (manifest of the reference
vectors) is either converted or dropped with a reason; unknown and missing keys raise; wrappers are undone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from kfvton.checkpoints.convert_authors import (
    AUTHORS_LAYOUTS,
    convert_authors_state_dict,
    load_authors_checkpoint,
    unwrap_authors_checkpoint,
)
from kfvton.models.layers.antialias import gaussian_kernel
from kfvton.models.registry import build_model
from tests.conftest import REFERENCE_DIR

# reference weight file -> registry name (the warp network is their union under the authors' prefixes)
FILES = {
    "kp_detector": "kfvton_kp_detector_256",
    "dense_motion": "kfvton_dense_motion_256",
    "spade_generator": "kfvton_spade_generator_256",
    "seg_generator": "kfvton_seg_256",
}
WARP_PREFIXES = {
    "kp_detector": "kp_detector.",
    "dense_motion": "self_dense_motion_network.",
    "spade_generator": "generator.",
}


def fake_tensor(key: str, shape: list[int], dtype: str) -> torch.Tensor:
    if key.endswith("down.weight"):  # the only value the converter checks
        return gaussian_kernel(0.5).expand(shape).clone()
    return torch.empty(shape, dtype=getattr(torch, dtype), device="meta")


@pytest.fixture(scope="module")
def full_keys() -> dict[str, dict]:
    """file stem -> the manifest's entry for its weights (full key list, omitted and unused keys)."""
    manifest_path = REFERENCE_DIR / "manifest.json"
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference vectors not found at {REFERENCE_DIR}")
    files = json.loads(manifest_path.read_text())["files"]
    return {stem: files[f"{stem}.weights.safetensors"] for stem in FILES}


def authors_state_dict(entry: dict, prefix: str = "") -> dict[str, torch.Tensor]:
    return {prefix + k: fake_tensor(k, shape, dtype) for k, (shape, dtype) in entry["full_state_dict_keys"].items()}


def expected_dropped(entry: dict, prefix: str = "") -> set[str]:
    dropped = set(entry["omitted_keys"]) | set(entry["unused_in_forward_but_stored"])
    return {prefix + k for k in dropped | {k for k in entry["full_state_dict_keys"] if k == "down.weight"}}


@pytest.mark.parametrize("stem", list(FILES))
def test_full_authors_state_dict(stem: str, full_keys: dict[str, dict]) -> None:
    entry = full_keys[stem]
    model_name = FILES[stem]
    with torch.device("meta"):
        model = build_model(model_name)
    converted = convert_authors_state_dict(authors_state_dict(entry), model_name)
    assert set(converted.state_dict) == set(model.state_dict())
    assert {k for k, _ in converted.dropped} == expected_dropped(entry)
    assert all(reason for _, reason in converted.dropped)
    for key, value in converted.state_dict.items():
        assert tuple(value.shape) == tuple(model.state_dict()[key].shape), key
    print(f"\n{model_name}: {len(converted.state_dict)} kept, dropped:\n{converted.dropped_summary()}")


def test_warp_network_union(full_keys: dict[str, dict]) -> None:
    sd, dropped = {}, set()
    for stem, prefix in WARP_PREFIXES.items():
        sd |= authors_state_dict(full_keys[stem], prefix)
        dropped |= expected_dropped(full_keys[stem], prefix)
    converted = convert_authors_state_dict({f"module.{k}": v for k, v in sd.items()}, "kfvton_warp_256")
    with torch.device("meta"):
        assert set(converted.state_dict) == set(build_model("kfvton_warp_256").state_dict())
    assert {k.removeprefix("module.") for k, _ in converted.dropped} == dropped


def test_unknown_and_missing_keys_are_listed(full_keys: dict[str, dict]) -> None:
    sd = authors_state_dict(full_keys["seg_generator"])
    sd["Decoder.9.scale.1.weight"] = torch.empty(1, device="meta")
    del sd["out_layer.block.3.bias"]
    with pytest.raises(
        ValueError, match=r"1 unknown keys \['decoder.9.scale.weight'\].*1 missing keys \['out_layer.conv_b.bias'\]"
    ):
        convert_authors_state_dict(sd, "kfvton_seg_256")


def test_wrong_network_raises(full_keys: dict[str, dict]) -> None:
    with pytest.raises(ValueError, match="unknown keys"):
        convert_authors_state_dict(authors_state_dict(full_keys["kp_detector"]), "kfvton_seg_256")


def test_wrong_antialias_kernel_raises(full_keys: dict[str, dict]) -> None:
    sd = authors_state_dict(full_keys["dense_motion"])
    sd["down.weight"] = sd["down.weight"] * 2
    with pytest.raises(ValueError, match="down.weight"):
        convert_authors_state_dict(sd, "kfvton_dense_motion_256")


def test_unknown_model_name() -> None:
    with pytest.raises(ValueError, match="kfvton_seg_256"):
        convert_authors_state_dict({}, "kfvton_nope")
    assert set(AUTHORS_LAYOUTS) <= set(__import__("kfvton.models.registry", fromlist=["x"]).list_models())


def test_unwrap() -> None:
    sd = {"a": torch.zeros(1)}
    assert unwrap_authors_checkpoint({"net": sd, "epoch": 3}) == sd
    assert unwrap_authors_checkpoint({"state_dict": sd}) == sd
    assert unwrap_authors_checkpoint(sd) == sd
    with pytest.raises(ValueError, match="non-tensor"):
        unwrap_authors_checkpoint({"a": torch.zeros(1), "epoch": 3})
    with pytest.raises(TypeError, match="checkpoint"):
        unwrap_authors_checkpoint([1, 2])


def test_load_seg_checkpoint_nested_under_net(tmp_path: Path) -> None:
    """A tiny stand-in of the authors' seg checkpoint ({"net": DataParallel state dict}) round-trips strictly."""
    model = build_model("kfvton_seg_256", ngf=4)
    ours_to_theirs = {  # inverse of the table, for this test only
        "pose_encoder.": "pose_Encoder.",
        "cloth_encoder.": "cloth_Encoder.",
        "coattention.bilinear.": "Coattention.linear_e.",
        "coattention.gate.": "Coattention.gate.",
        "coattention.fuse_e.": "Coattention.conv1.",
        "coattention.fuse_q.": "Coattention.conv2.",
        "lateral_pose.0.": "conv1.3.",
        "lateral_pose.1.": "conv1.2.",
        "lateral_cloth.0.": "conv2.3.",
        "lateral_cloth.1.": "conv2.2.",
        "decoder.": "Decoder.",
    }
    theirs = {}
    for key, value in model.state_dict().items():
        new = key.replace(".conv_a.", ".block.0.").replace(".conv_b.", ".block.3.")
        for ours, auth in ours_to_theirs.items():
            if new.startswith(ours):
                new = auth + new[len(ours) :]
        if new.startswith("Decoder.") and ".scale." in new:
            new = new.replace(".scale.", ".scale.1.")
        theirs["module." + new] = value
    theirs["module.conv1.0.weight"] = torch.zeros(4, 4, 1, 1)
    path = tmp_path / "seg.pth"
    torch.save({"net": theirs}, path)
    converted = load_authors_checkpoint(path, "kfvton_seg_256")  # key names do not depend on ngf
    assert [k for k, _ in converted.dropped] == ["module.conv1.0.weight"]
    fresh = build_model("kfvton_seg_256", ngf=4)
    fresh.load_state_dict(converted.state_dict, strict=True)
    for key, value in model.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value)


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope.pth"):
        load_authors_checkpoint(tmp_path / "nope.pth", "kfvton_seg_256")
