"""The pack in a REAL headless ComfyUI server (tests/comfyui/server.py): it loads, a learned run's networks and ONNX
sessions are released by "Unload models" (POST /free), and a bad input on a node gives ComfyUI's error with our
message while the server goes on serving the next prompt.

Needs a local ComfyUI (tests/comfyui_env.py; skips without one, fails under KFVTON_REQUIRE_COMFYUI=1 as in .ci/run)
and the VITON-HD samples. One server for the module: start-up ~10 s on 2 cores.
"""

from __future__ import annotations

import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from comfyui_kfvton.nodes import NODE_CLASS_MAPPINGS

from tests.comfyui.server import ComfyServer
from tests.comfyui_env import need_comfyui, skip_or_fail
from tests.conftest import SAMPLES_DIR

PERSON, GARMENT = "00891_00", "01260_00"


def _write_inputs(input_dir: Path) -> None:
    test = SAMPLES_DIR / "vitonhd" / "test"
    if not test.is_dir():
        skip_or_fail(f"sample photos not found at {SAMPLES_DIR}")
    shutil.copy(test / "image" / f"{PERSON}.jpg", input_dir / f"{PERSON}.jpg")
    shutil.copy(test / "cloth" / f"{GARMENT}.jpg", input_dir / f"{GARMENT}.jpg")
    shutil.copy(test / "image-parse" / f"{PERSON}.png", input_dir / f"{PERSON}.png")
    shutil.copy(test / "openpose-json" / f"{PERSON}_keypoints.json", input_dir / f"{PERSON}_keypoints.json")
    (input_dir / "not_a_pose.json").write_text("this is not JSON")


def write_stand_in_models(models_dir: Path) -> None:
    """The files the example workflows name (tests/nodes/make_e2e_models.py), plus a broken checkpoint."""
    from tests.nodes.make_e2e_models import main as make_models

    assert make_models([str(models_dir)]) == 0
    (models_dir / "kfvton" / "checkpoints" / "broken.safetensors").write_bytes(b"not a safetensors file")
    (models_dir / "kfvton" / "pose" / "broken_pose.onnx").write_bytes(b"not an ONNX file")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ComfyServer]:
    comfy = need_comfyui()
    base = tmp_path_factory.mktemp("comfyui")
    srv = ComfyServer(comfy, base)
    try:
        _write_inputs(base / "input")
        write_stand_in_models(base / "models")
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


def _photos() -> dict[str, Any]:
    return {
        "person": {"class_type": "LoadImage", "inputs": {"image": f"{PERSON}.jpg"}},
        "garment": {"class_type": "LoadImage", "inputs": {"image": f"{GARMENT}.jpg"}},
        "pose": {
            "class_type": "KfvtonLoadPoseJson",
            "inputs": {"person": ["person", 0], "pose_file": f"{PERSON}_keypoints.json", "path": ""},
        },
        "parse": {"class_type": "KfvtonLoadParseMap", "inputs": {"parse_file": f"{PERSON}.png", "path": ""}},
        "mask": {"class_type": "KfvtonGarmentMask", "inputs": {"garment": ["garment", 0]}},
    }


def learned_prompt(seg: str = "kfvton_seg.safetensors") -> dict[str, Any]:
    return {
        **_photos(),
        "model": {
            "class_type": "KfvtonLoadModel",
            "inputs": {"seg_checkpoint": seg, "warp_checkpoint": "kfvton_warp.safetensors", "dtype": "fp32"},
        },
        "tryon": {
            "class_type": "KfvtonTryOn",
            "inputs": {
                "model": ["model", 0],
                "person": ["person", 0],
                "garment": ["garment", 0],
                "garment_mask": ["mask", 0],
                "pose": ["pose", 0],
                "parse": ["parse", 0],
                "size": "256x192",
            },
        },  # fmt: skip
        "out": {"class_type": "PreviewImage", "inputs": {"images": ["tryon", 0]}},
    }


def pose_estimator_prompt(model: str = "dw-ll_ucoco_384.onnx") -> dict[str, Any]:
    return {
        "person": {"class_type": "LoadImage", "inputs": {"image": f"{PERSON}.jpg"}},
        "estimate": {
            "class_type": "KfvtonPoseEstimator",
            "inputs": {
                "person": ["person", 0],
                "pose_model": model,
                "detector_model": "none",
                "use_mediapipe": False,
                "confidence": 0.3,
            },
        },  # fmt: skip
        "render": {"class_type": "KfvtonRenderPose", "inputs": {"pose": ["estimate", 0], "size": "256x192"}},
        "out": {"class_type": "PreviewImage", "inputs": {"images": ["render", 0]}},
    }


def classical_prompt(person_batch: int = 1, garment_batch: int = 1) -> dict[str, Any]:
    prompt = {
        **_photos(),
        "tryon": {
            "class_type": "KfvtonClassicalTryOn",
            "inputs": {"person": ["person_b", 0], "garment": ["garment_b", 0], "pose": ["pose", 0]},
        },
        "out": {"class_type": "PreviewImage", "inputs": {"images": ["tryon", 0]}},
    }
    for name, batch in (("person", person_batch), ("garment", garment_batch)):
        prompt[f"{name}_b"] = {"class_type": "RepeatImageBatch", "inputs": {"image": [name, 0], "amount": batch}}
    return prompt


def test_pack_loads_every_node(server: ComfyServer):
    info = server.get("/object_info")
    assert set(NODE_CLASS_MAPPINGS) <= set(info), sorted(set(NODE_CLASS_MAPPINGS) - set(info))
    failed = [line for line in server.log_path.read_text(errors="replace").splitlines() if "IMPORT FAILED" in line]
    assert not [line for line in failed if "kfvton" in line], failed


def test_help_pages_and_web_extensions_are_served(server: ComfyServer):
    """The frontend shows /extensions/<pack>/docs/<NodeId>.md as a node's help and loads every .js the server lists
    under /extensions (web/js/template_order.js orders the template browser)."""
    from tests.comfyui.server import PACK_NAME

    docs = Path(__file__).resolve().parents[2] / "web" / "docs"
    for node_id in ("KfvtonQuickTryOn", "KfvtonClassicalTryOn"):
        with urllib.request.urlopen(f"{server.url}/extensions/{PACK_NAME}/docs/{node_id}.md", timeout=60) as r:
            assert r.read().decode() == (docs / f"{node_id}.md").read_text(encoding="utf-8")
    scripts = server.get("/extensions")
    assert f"/extensions/{PACK_NAME}/js/template_order.js" in scripts
    quick = server.get("/object_info/KfvtonQuickTryOn")["KfvtonQuickTryOn"]["input"]["optional"]
    assert quick["category"][0] == ["upper", "lower", "dress", "auto"] and quick["category"][1]["default"] == "upper"
    assert quick["tuck"][1]["default"] == "auto"


def _free_and_probe(server: ComfyServer, prompt: dict[str, Any], after: str) -> dict[str, Any]:
    """ "Unload models", then the probe in `prompt` (its nodes cached, so their outputs stay alive). The server
    applies /free after the prompt it is waiting for: the second probe sees the result."""
    server.free()
    server.probe(prompt, after)
    return server.probe(prompt, after)


def test_learned_run_then_free_releases_our_memory(server: ComfyServer):
    prompt = learned_prompt()
    report = server.probe(prompt, after="tryon")
    assert report["ours_loaded"] == ["_Networks"], report
    networks = [m for m in report["ours"] if m["kind"] == "network"]
    assert len(networks) == 1 and networks[0]["registered"] and networks[0]["loaded_bytes"] > 0, report
    report = _free_and_probe(server, prompt, after="tryon")
    assert report["ours_loaded"] == [], report
    networks = [m for m in report["ours"] if m["kind"] == "network"]
    assert len(networks) == 1, report  # the same, still cached model: unloaded, not dropped
    assert not networks[0]["registered"] and networks[0]["loaded_bytes"] == 0, report
    assert networks[0]["tensor_devices"] == ["cpu"] and networks[0]["model_device"] == "cpu", report
    if report["tensors_on_device"] is not None:  # a GPU server: none of our tensors (nor any other) stays there
        assert report["tensors_on_device"] == 0, report


def test_onnx_sessions_are_released_by_free(server: ComfyServer):
    prompt = pose_estimator_prompt()
    report = server.probe(prompt, after="estimate")
    assert report["ours_loaded"] == ["_OnnxSessions"] and report["onnx_sessions"] >= 1, report
    report = _free_and_probe(server, prompt, after="estimate")
    assert report["ours_loaded"] == [] and report["onnx_sessions"] == 0, report


#: (bad prompt, node that must fail, words our message must contain)
BAD_INPUTS = {
    "pose file not JSON": (
        {**_photos(), "pose": {"class_type": "KfvtonLoadPoseJson", "inputs": {
            "person": ["person", 0], "pose_file": "not_a_pose.json", "path": ""}},
         "out": {"class_type": "KfvtonRenderPose", "inputs": {"pose": ["pose", 0], "size": "256x192"}},
         "show": {"class_type": "PreviewImage", "inputs": {"images": ["out", 0]}}},
        "KfvtonLoadPoseJson", ["pose_file"],
    ),
    "batch mismatch": (classical_prompt(2, 3), "KfvtonClassicalTryOn", ["person", "garment"]),
    "broken checkpoint": (learned_prompt(seg="broken.safetensors"), "KfvtonLoadModel", ["broken.safetensors"]),
    "broken pose model": (pose_estimator_prompt("broken_pose.onnx"), "KfvtonPoseEstimator", ["pose_model", "ONNX"]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_gives_our_message_and_server_keeps_serving(server: ComfyServer, case: str):
    prompt, node, words = BAD_INPUTS[case]
    result = server.run(prompt)
    error = result.error()
    assert result.status == "error" and error is not None, result.messages
    assert error["node_type"] == node, error
    message = error["exception_message"]
    assert all(w in message for w in words), message
    assert "Traceback" not in message
    assert server.alive()
    good = server.run(classical_prompt())
    assert good.status == "success", good.error()
