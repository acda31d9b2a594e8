"""The pack imports the way ComfyUI loads it (a package from its folder), with and without ComfyUI modules.

Each case runs in a fresh interpreter, so fake `comfy` / `folder_paths` modules cannot leak into other tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# as ComfyUI's nodes.load_custom_node does it: the module name is the folder path with "." -> "_x_"
_LOAD_PACK = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location({root!r}.replace(".", "_x_"), {init!r})
pack = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = pack
spec.loader.exec_module(pack)
"""

_FAKE_COMFY = """
import os, sys, types
models_dir = {models!r}
input_dir = {inputs!r}
fp = types.ModuleType("folder_paths")
fp.models_dir = models_dir
fp.folder_names_and_paths = {{"kfvton_checkpoints": (["/user/configured/path"], {{".safetensors"}})}}
def add_model_folder_path(key, path, is_default=False):
    fp.folder_names_and_paths[key][0].append(path)
fp.add_model_folder_path = add_model_folder_path
fp.get_input_directory = lambda: input_dir
sys.modules["folder_paths"] = fp
comfy = types.ModuleType("comfy")
mm = types.ModuleType("comfy.model_management")
import torch
mm.get_torch_device = lambda: torch.device("cpu")
mm.intermediate_device = lambda: torch.device("cpu")
mm.throw_exception_if_processing_interrupted = lambda: None
comfy.model_management = mm
sys.modules["comfy"] = comfy
sys.modules["comfy.model_management"] = mm
"""


def _run(code: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd="/")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_imports_without_comfyui():
    code = _LOAD_PACK.format(init=str(ROOT / "__init__.py"), root=str(ROOT)) + textwrap.dedent("""
        print(json.dumps({"nodes": sorted(pack.NODE_CLASS_MAPPINGS), "web": pack.WEB_DIRECTORY,
                          "comfy": "comfy" in sys.modules, "folder_paths": "folder_paths" in sys.modules}))
    """)
    out = _run(code)
    assert out["nodes"] and all(n.startswith("Kfvton") for n in out["nodes"])
    assert out["web"] == "./web"
    assert not out["comfy"] and not out["folder_paths"]


def test_imports_with_fake_comfyui(tmp_path):
    inputs = tmp_path / "input"
    (inputs / "poses").mkdir(parents=True)
    (inputs / "a_keypoints.json").write_text("{}")
    (inputs / "poses" / "b_keypoints.json").write_text("{}")
    (inputs / "photo.jpg").write_bytes(b"")
    models = tmp_path / "models"
    code = (
        _FAKE_COMFY.format(models=str(models), inputs=str(inputs))
        + _LOAD_PACK.format(init=str(ROOT / "__init__.py"), root=str(ROOT))
        + textwrap.dedent("""
        mod = sys.modules[pack.__name__ + ".nodes.inputs"]
        combo = mod.KfvtonLoadPoseJson.INPUT_TYPES()["required"]["pose_file"][0]
        print(json.dumps({"nodes": sorted(pack.NODE_CLASS_MAPPINGS),
                          "folders": {k: v[0] for k, v in fp.folder_names_and_paths.items()},
                          "pose_files": combo}))
        """)
    )
    out = _run(code)
    assert out["nodes"]
    folders = out["folders"]
    # the user's configured path is kept, ours appended; new keys are created
    assert folders["kfvton_checkpoints"][0] == "/user/configured/path"
    assert folders["kfvton_checkpoints"][1] == str(models / "kfvton" / "checkpoints")
    assert folders["kfvton_pose"] == [str(models / "kfvton" / "pose")]
    assert folders["kfvton_parsing"] == [str(models / "kfvton" / "parsing")]
    assert out["pose_files"] == ["a_keypoints.json", "poses/b_keypoints.json"]
