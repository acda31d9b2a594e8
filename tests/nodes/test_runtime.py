"""nodes/_runtime.py against a recording stand-in of ComfyUI (tests/nodes/comfy_standin.py): model management,
ONNX sessions, batches with progress/Cancel/out-of-memory splits, file fingerprints, controlnet_aux folders."""

from __future__ import annotations

import gc
import sys
import types
from pathlib import Path

import pytest
import torch
from comfyui_kfvton.kfvton import _onnx
from comfyui_kfvton.nodes import _runtime as runtime

from tests.nodes.comfy_standin import InterruptProcessingException


class _Owner:
    """Stands for a ModelBundle: the object nodes pass around."""

    def __init__(self) -> None:
        self.net = torch.nn.Linear(4, 4)


class TestModelManagement:
    def test_load_goes_through_comfyui(self, comfy_standin):
        owner = _Owner()
        runtime.manage_modules(owner, {"net": owner.net})
        patcher = runtime.managed_patcher(owner)
        assert patcher is not None and patcher.model["net"] is owner.net
        assert patcher.offload_device == torch.device("cpu")
        device = runtime.load_managed(owner, memory_required=1234)
        (call,) = comfy_standin.called("load_models_gpu")
        assert call["models"] == [patcher] and call["memory_required"] == 1234 and call["force_full_load"]
        assert device == comfy_standin.device and comfy_standin.loaded == [patcher]

    def test_unload_models_releases_them(self, comfy_standin):
        owner = _Owner()
        runtime.manage_modules(owner, {"net": owner.net})
        runtime.load_managed(owner)
        comfy_standin.unload_all_models()
        assert comfy_standin.loaded == [] and runtime.managed_patcher(owner).loaded_size() == 0
        assert {p.device.type for p in owner.net.parameters()} == {"cpu"}

    def test_registration_dies_with_its_owner(self, comfy_standin):
        before = len(runtime._PATCHERS)
        owner = _Owner()
        runtime.manage_modules(owner, {"net": owner.net})
        assert len(runtime._PATCHERS) == before + 1
        del owner
        gc.collect()
        assert len(runtime._PATCHERS) == before

    def test_outside_comfyui_modules_move_to_the_torch_device(self):
        assert "comfy.model_management" not in sys.modules
        owner = _Owner()
        runtime.manage_modules(owner, {"net": owner.net})
        assert runtime.managed_patcher(owner) is None
        assert runtime.load_managed(owner, [owner.net]) == runtime.torch_device()


class TestOnnxSessions:
    @pytest.fixture(autouse=True)
    def _restore_provider_choice(self, monkeypatch):
        monkeypatch.setattr(_onnx, "_PREFERRED", None)

    def test_providers_follow_comfyui_and_unload_drops_sessions(self, comfy_standin, tmp_path: Path):
        from tests._tiny_onnx import build_pose_model

        path = str(build_pose_model(tmp_path / "dw-ll_ucoco_384.onnx"))
        providers = runtime.onnx_providers([path])
        assert providers == ("CPUExecutionProvider",)  # ComfyUI runs on the CPU here
        assert _onnx.host_providers() == providers  # the library's sessions follow
        (call,) = comfy_standin.called("load_models_gpu")
        assert [p.model.path for p in call["models"]] == [path]
        _onnx.onnx_session(path, providers=providers)
        assert any(key[0] == str(Path(path).resolve()) for key in _onnx._SESSIONS)
        comfy_standin.unload_all_models()  # "Unload models"
        assert not any(key[0] == str(Path(path).resolve()) for key in _onnx._SESSIONS)

    def test_cuda_provider_kept_when_comfyui_runs_on_cuda(self, comfy_standin, monkeypatch, tmp_path: Path):
        monkeypatch.setattr(_onnx, "available_providers", lambda: ("CUDAExecutionProvider", "CPUExecutionProvider"))
        comfy_standin.device = torch.device("cuda", 0)
        model = tmp_path / "m.onnx"
        model.write_bytes(b"x")
        assert runtime.onnx_providers([str(model)])[0] == "CUDAExecutionProvider"
        (call,) = comfy_standin.called("load_models_gpu")
        assert call["models"][0].load_device == torch.device("cuda", 0)


class TestMapBatch:
    def test_item_by_item_with_progress(self, comfy_standin):
        seen = runtime.map_batch(lambda s: (s.start, s.stop), 3)
        assert seen == [(0, 1), (1, 2), (2, 3)]
        assert comfy_standin.progress == [(3, 1)] * 3

    def test_cancel_stops_within_one_item(self, comfy_standin):
        done = []
        comfy_standin.interrupt_after_checks = 3  # Cancel pressed while the third item runs
        with pytest.raises(InterruptProcessingException):
            runtime.map_batch(lambda s: done.append(s.start), 8)
        assert done == [0, 1, 2]

    def test_out_of_memory_splits_the_chunk(self, comfy_standin):
        def fn(s: slice):
            if s.stop - s.start > 2:
                raise torch.cuda.OutOfMemoryError("CUDA out of memory")
            return (s.start, s.stop)

        assert runtime.map_batch(fn, 8, chunk=8) == [(0, 2), (2, 4), (4, 6), (6, 8)]
        assert len(comfy_standin.called("soft_empty_cache")) == 2  # 8 -> 4 -> 2

    def test_one_item_that_does_not_fit_names_the_work(self, comfy_standin):
        def fn(s: slice):
            raise torch.cuda.OutOfMemoryError("CUDA out of memory")

        with pytest.raises(MemoryError, match="try-on: item 0 does not fit"):
            runtime.map_batch(fn, 2, chunk=2, what="try-on")

    def test_other_errors_are_not_retried(self, comfy_standin):
        calls = []

        def fn(s: slice):
            calls.append(s)
            raise ValueError("person: bad")

        with pytest.raises(ValueError, match="person: bad"):
            runtime.map_batch(fn, 4, chunk=4)
        assert len(calls) == 1

    def test_chunk_fits_free_memory_on_gpu_only(self, comfy_standin):
        comfy_standin.free_memory_bytes = 10_000
        assert runtime.batch_chunk(3_000, 8, torch.device("cuda", 0)) == 3
        assert runtime.batch_chunk(3_000, 8, torch.device("cpu")) == 1


class TestFileFingerprint:
    def test_changes_when_the_file_is_edited(self, tmp_path: Path):
        f = tmp_path / "pose.json"
        f.write_text('{"people": []}')
        first = runtime.file_fingerprint(str(f), "pose_file")
        assert runtime.file_fingerprint(str(f), "pose_file") == first
        f.write_text('{"people": [{}]}')
        assert runtime.file_fingerprint(str(f), "pose_file") != first

    def test_missing_file_gives_its_name(self, tmp_path: Path):
        assert runtime.file_fingerprint(str(tmp_path / "nope.json")) == f"missing:{tmp_path / 'nope.json'}"


def _fake_folder_paths(models: Path, custom_nodes: Path) -> types.ModuleType:
    fp = types.ModuleType("folder_paths")
    fp.models_dir = str(models)
    fp.folder_names_and_paths = {"custom_nodes": ([str(custom_nodes)], set())}

    def add_model_folder_path(key, path, is_default=False):  # as ComfyUI's: a path already listed stays once
        paths = fp.folder_names_and_paths.setdefault(key, ([], set()))[0]
        if path not in paths:
            paths.append(path)

    def get_folder_paths(key):
        return list(fp.folder_names_and_paths[key][0])

    fp.add_model_folder_path = add_model_folder_path
    fp.get_folder_paths = get_folder_paths
    return fp


class TestControlnetAuxPoseFolder:
    @pytest.mark.parametrize(
        "pack", ["comfyui_controlnet_aux", "comfyui_controlnet_aux-main", "ComfyUI-ControlNet-Aux"]
    )
    def test_dwpose_files_found_in_the_pack(self, tmp_path: Path, monkeypatch, pack: str):
        from comfyui_kfvton.kfvton.keypoints.estimate import find_pose_models

        dwpose = tmp_path / "custom_nodes" / pack / "ckpts" / "yzd-v" / "DWPose"
        dwpose.mkdir(parents=True)
        (dwpose / "dw-ll_ucoco_384.onnx").write_bytes(b"x")
        (dwpose / "yolox_l.onnx").write_bytes(b"x")
        fp = _fake_folder_paths(tmp_path / "models", tmp_path / "custom_nodes")
        monkeypatch.setitem(sys.modules, "folder_paths", fp)
        runtime.register_model_folders()
        runtime.register_model_folders()  # twice (a reload): listed once
        folders = fp.get_folder_paths("kfvton_pose")
        assert folders == [str(tmp_path / "models" / "kfvton" / "pose"), str(dwpose)]  # ours first
        found = find_pose_models(folders)
        assert found is not None and Path(found.pose).parent == dwpose and Path(found.detector).parent == dwpose

    def test_no_pack_no_folder(self, tmp_path: Path, monkeypatch):
        (tmp_path / "custom_nodes" / "comfyui_controlnet_aux").mkdir(parents=True)  # installed, no DWPose yet
        fp = _fake_folder_paths(tmp_path / "models", tmp_path / "custom_nodes")
        monkeypatch.setitem(sys.modules, "folder_paths", fp)
        runtime.register_model_folders()
        assert fp.get_folder_paths("kfvton_pose") == [str(tmp_path / "models" / "kfvton" / "pose")]
