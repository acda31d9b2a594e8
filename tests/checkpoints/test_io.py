"""Tests for kfvton.checkpoints.io: round trips, strict loading, clear errors for bad files."""

from __future__ import annotations

import json
import struct

import pytest
import torch
from safetensors.torch import save_file

from kfvton.checkpoints.io import (
    CheckpointError,
    config_from_json,
    config_to_json,
    load_bundle,
    load_checkpoint,
    load_state_dict_strict,
    read_checkpoint_info,
    save_checkpoint,
)
from kfvton.models.keypoint_detector import KeypointDetectorConfig
from kfvton.models.registry import build_model, model_entry
from tests._tiny_kfvton import TINY_HW, tiny_seg, tiny_warp, write_tiny_bundle


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory):
    return write_tiny_bundle(tmp_path_factory.mktemp("ckpt"))


class TestRoundTrip:
    def test_seg(self, tiny_files, tmp_path):
        seg_path, _ = tiny_files
        info = read_checkpoint_info(seg_path)
        assert info.architecture == "kfvton_seg_256" and info.resolution_hw == TINY_HW
        assert info.config["ngf"] == 4 and info.label_layout["parse7"][2] == "upper"
        loaded = load_checkpoint(seg_path, architecture="kfvton_seg_256")
        ref = tiny_seg().to(memory_format=torch.channels_last)  # loaded models are channels_last
        x, p = torch.rand(1, 3, *TINY_HW), torch.rand(1, 13, *TINY_HW)
        assert torch.equal(loaded.model(x, p), ref(x, p))
        assert not loaded.model.training
        assert loaded.model.out_layer.conv_a.weight.is_contiguous(memory_format=torch.channels_last)

    def test_warp_nested_config(self, tiny_files):
        _, warp_path = tiny_files
        loaded = load_checkpoint(warp_path)
        cfg = loaded.model.config
        assert cfg.kp_detector.native_hw == TINY_HW and isinstance(cfg.kp_detector.widths, tuple)
        ref = tiny_warp()
        for (k, a), (_, b) in zip(loaded.model.state_dict().items(), ref.state_dict().items(), strict=True):
            assert torch.equal(a, b), k

    def test_config_json(self):
        cfg = KeypointDetectorConfig(widths=(8, 8, 16))
        assert config_from_json(KeypointDetectorConfig(), config_to_json(cfg)) == cfg
        with pytest.raises(CheckpointError, match="not_a_field"):
            config_from_json(KeypointDetectorConfig(), {"not_a_field": 1})
        with pytest.raises(TypeError, match="config"):
            config_to_json({"a": 1})

    def test_bundle(self, tiny_files):
        bundle = load_bundle(*tiny_files, dtype=torch.bfloat16)
        assert bundle.resolution_hw == TINY_HW and bundle.dtype == torch.bfloat16
        with pytest.raises(CheckpointError, match="holds a 'kfvton_warp_256' network, expected kfvton_seg_256"):
            load_bundle(tiny_files[1], tiny_files[1])
        with pytest.raises(ValueError, match="dtype"):
            load_bundle(*tiny_files, dtype=torch.int8)

    def test_save_wrong_architecture(self, tmp_path):
        with pytest.raises(TypeError, match="SegGenerator"):
            save_checkpoint(tiny_warp(), tmp_path / "x.safetensors", architecture="kfvton_seg_256")


class TestErrors:
    def test_missing_file(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="nope.safetensors"):
            load_checkpoint(tmp_path / "nope.safetensors")

    def test_pth_file(self, tmp_path):
        path = tmp_path / "authors.pth"
        torch.save({"a": torch.zeros(2)}, path)
        with pytest.raises(CheckpointError, match="kfvton convert"):
            read_checkpoint_info(path)

    def test_text_file(self, tmp_path):
        path = tmp_path / "notes.safetensors"
        path.write_text("these are not weights, but a long enough text file to have a header length")
        with pytest.raises(CheckpointError, match="not a .safetensors file"):
            read_checkpoint_info(path)

    def test_truncated(self, tiny_files, tmp_path):
        data = tiny_files[0].read_bytes()
        path = tmp_path / "cut.safetensors"
        path.write_bytes(data[: len(data) // 2])
        with pytest.raises(CheckpointError, match="truncated"):
            load_checkpoint(path)
        path.write_bytes(data[:5])
        with pytest.raises(CheckpointError, match="too short"):
            load_checkpoint(path)

    def test_bad_header_json(self, tmp_path):
        path = tmp_path / "bad.safetensors"
        body = b"{not json"
        path.write_bytes(struct.pack("<Q", len(body)) + body)
        with pytest.raises(CheckpointError, match="unreadable header"):
            read_checkpoint_info(path)

    def test_no_metadata(self, tmp_path):
        path = tmp_path / "plain.safetensors"
        save_file({"w": torch.zeros(3)}, str(path))
        with pytest.raises(CheckpointError, match="without KF-VTON metadata"):
            read_checkpoint_info(path)

    def test_mismatched_keys_by_name(self, tiny_files, tmp_path):
        seg_path, _ = tiny_files
        info = read_checkpoint_info(seg_path)
        from safetensors import safe_open

        with safe_open(str(seg_path), "pt") as f:
            meta = f.metadata()
            state = {k: f.get_tensor(k) for k in f.keys()}
        first, second = sorted(state)[:2]
        state.pop(first)
        state["extra.weight"] = torch.zeros(1)
        state[second] = torch.zeros(*state[second].shape, 2)
        path = tmp_path / "edited.safetensors"
        save_file(state, str(path), metadata=meta)
        with pytest.raises(CheckpointError) as err:
            load_checkpoint(path)
        text = str(err.value)
        assert f"1 missing: {first}" in text and "1 unexpected: extra.weight" in text
        assert f"{second}: file" in text and info.architecture

    def test_load_state_dict_strict_ok_and_bad(self):
        model = build_model("kfvton_kp_detector_256", widths=(8, 8, 16), native_hw=TINY_HW)
        state = model.state_dict()
        load_state_dict_strict(model, state)
        state = dict(state)
        state.pop("head.bias")
        with pytest.raises(CheckpointError, match="head.bias"):
            load_state_dict_strict(model, state, source="mine")

    def test_stored_config_from_other_version(self, tiny_files, tmp_path):
        from safetensors import safe_open

        with safe_open(str(tiny_files[0]), "pt") as f:
            meta = dict(f.metadata())
            state = {k: f.get_tensor(k) for k in f.keys()}
        cfg = json.loads(meta["kfvton.config"])
        cfg["removed_option"] = 3
        meta["kfvton.config"] = json.dumps(cfg)
        path = tmp_path / "future.safetensors"
        save_file(state, str(path), metadata=meta)
        with pytest.raises(CheckpointError, match="removed_option"):
            load_checkpoint(path)
        assert model_entry("kfvton_seg_256").config.ngf == 64
