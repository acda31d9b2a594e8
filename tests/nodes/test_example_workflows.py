"""Every example workflow (UI format, example_workflows/*.json) runs through the pack's nodes in graph order.

The runner (tests/nodes/workflow_runner.py) maps widgets_values onto INPUT_TYPES, follows the links and replaces
LoadImage / SaveImage / PreviewImage with stand-ins reading the sample photos. A workflow that needs more (a tiny
model made in tmp_path, ...) registers a setup in `WORKFLOW_SETUP` returning extra `run_ui_workflow` arguments.
The same workflows run in a real headless ComfyUI with /work/shared/tools/comfyui-examples.py (docs/comfyui-e2e.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from comfyui_kfvton.nodes import NODE_CLASS_MAPPINGS

from tests.nodes._learned_fixtures import learned_workflow_setup
from tests.nodes._perception_workflow import embedded_default_installed, two_photos_setup
from tests.nodes._quick_workflow import quick_dresscode_setup, quick_setup

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / "example_workflows").glob("*.json"))
UI_ONLY = {"Note", "MarkdownNote", "Reroute", "PrimitiveNode"}

#: workflow stem -> setup(tmp_path) returning extra keyword arguments for run_ui_workflow (e.g. widget_overrides).
WORKFLOW_SETUP: dict[str, Callable[[Path], dict[str, Any]]] = {
    "kfvton_01_quick_tryon": quick_setup,
    "kfvton_02_refine_with_diffusion": quick_setup,
    "kfvton_03_quick_tryon_lower_body": quick_dresscode_setup("lower_body", "013565"),
    "kfvton_04_quick_tryon_dress": quick_dresscode_setup("dresses", "020718"),
    "kfvton_classical_from_two_photos": two_photos_setup,
    "kfvton_learned_pipeline": learned_workflow_setup,
    "kfvton_learned_all_in_one": learned_workflow_setup,
}


def _input_dirs(samples_dir: Path) -> list[Path]:
    # garments first: VITON-HD names a garment and its mask alike (cloth/X.jpg, cloth-mask/X.jpg)
    test = samples_dir / "vitonhd" / "test"
    return [test / "image", test / "cloth", test / "openpose-json", test / "image-parse", samples_dir]


def test_there_are_example_workflows():
    assert WORKFLOWS, "example_workflows/ is empty"


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.stem for p in WORKFLOWS])
def test_workflow_is_loadable_ui_json(path: Path, runner):
    wf = json.loads(path.read_text(encoding="utf-8"))
    assert {"nodes", "links", "last_node_id", "last_link_id", "version"} <= set(wf)
    ids = {n["id"] for n in wf["nodes"]}
    assert len(ids) == len(wf["nodes"]) and max(ids) <= wf["last_node_id"]
    known = set(NODE_CLASS_MAPPINGS) | set(runner.STAND_INS) | UI_ONLY
    assert {n["type"] for n in wf["nodes"]} <= known
    by_id = {n["id"]: n for n in wf["nodes"]}
    for lid, origin, oslot, target, islot, ltype in wf["links"]:
        assert by_id[origin]["outputs"][oslot]["type"] == ltype
        assert lid in by_id[origin]["outputs"][oslot]["links"]
        assert by_id[target]["inputs"][islot]["link"] == lid
        assert ltype in by_id[target]["inputs"][islot]["type"].split(",")  # a union input accepts each of its types


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.stem for p in WORKFLOWS])
def test_workflow_runs(path: Path, samples_dir: Path, runner, tmp_path: Path):
    extra = WORKFLOW_SETUP.get(path.stem, lambda _: {})(tmp_path)
    result = runner.run_ui_workflow(path, NODE_CLASS_MAPPINGS, input_dirs=_input_dirs(samples_dir), **extra)
    images = result.images("SaveImage") + result.images("PreviewImage")
    assert images, "the workflow shows no image"
    for img in images:
        assert img.ndim == 4 and img.shape[-1] == 3 and torch.isfinite(img).all()
        assert float(img.min()) >= 0 and float(img.max()) <= 1
        assert float(img.std()) > 0.01, "an output image is flat"


def test_classical_workflow_dresses_the_person(samples_dir: Path, runner):
    path = ROOT / "example_workflows" / "kfvton_classical_tryon.json"
    result = runner.run_ui_workflow(path, NODE_CLASS_MAPPINGS, input_dirs=_input_dirs(samples_dir))
    (saved,) = result.images("SaveImage")
    person = next(result.outputs[n][0] for n in result.order if result.types[n] == "LoadImage")
    assert saved.shape == person.shape == (1, 1024, 768, 3)
    # the garment (white-and-navy 01260_00) replaces the clothes on the chest; the head is unchanged
    chest = (slice(450, 600), slice(300, 470))
    head = (slice(60, 200), slice(300, 420))
    assert float((saved[0][chest] - person[0][chest]).abs().mean()) > 0.05
    assert float((saved[0][head] - person[0][head]).abs().mean()) < 0.01


def test_batch_workflow_dresses_one_person_in_each_garment(samples_dir: Path, runner):
    path = ROOT / "example_workflows" / "kfvton_classical_batch.json"
    result = runner.run_ui_workflow(path, NODE_CLASS_MAPPINGS, input_dirs=_input_dirs(samples_dir))
    (saved,) = result.images("SaveImage")
    assert saved.shape == (2, 1024, 768, 3)
    # two different garments: the chests differ, the heads (from the one person) do not
    chest, head = (slice(450, 600), slice(300, 470)), (slice(60, 200), slice(300, 420))
    assert float((saved[0][chest] - saved[1][chest]).abs().mean()) > 0.05
    assert float((saved[0][head] - saved[1][head]).abs().mean()) < 0.01


def test_quick_tryon_is_the_first_template():
    assert WORKFLOWS[0].stem == "kfvton_01_quick_tryon"
    nodes = {n["type"] for n in json.loads(WORKFLOWS[0].read_text(encoding="utf-8"))["nodes"]}
    assert "KfvtonQuickTryOn" in nodes and not nodes & {"KfvtonLoadPoseJson", "KfvtonLoadParseMap"}


def test_quick_workflow_outputs(samples_dir: Path, runner, tmp_path: Path):
    path = ROOT / "example_workflows" / "kfvton_01_quick_tryon.json"
    result = runner.run_ui_workflow(
        path, NODE_CLASS_MAPPINGS, input_dirs=_input_dirs(samples_dir), **quick_setup(tmp_path)
    )
    (saved,) = result.images("SaveImage")
    garment_mask, refine = (img[..., 0] for img in result.images("PreviewImage"))
    person = next(result.outputs[n][0] for n in result.order if result.types[n] == "LoadImage")
    assert saved.shape == person.shape == (1, 1024, 768, 3)
    chest, head = (slice(450, 600), slice(300, 470)), (slice(60, 200), slice(300, 420))
    assert float((saved[0][chest] - person[0][chest]).abs().mean()) > 0.05
    assert float((saved[0][head] - person[0][head]).abs().mean()) < 0.01
    assert float(garment_mask[0][chest].mean()) > 0.9 and float(garment_mask[0][head].mean()) == 0.0
    # the refine mask: a band along the garment's outline (some of it inside, some outside), not its middle
    assert 0.01 < float(refine.mean()) < 0.25
    assert float(refine[0][chest].mean()) < 0.2
    # none on the face; round 4's repaint of the background beside the neck reaches the box's bottom-left corner
    # under the jaw (216 px in rows 188-199, mean 0.007): allowed there, below the chin, up to 2 %
    face = (slice(60, 185), slice(300, 420))
    assert float(refine[0][face].mean()) == 0.0 and float(refine[0][head].mean()) < 0.02
    assert float(refine[garment_mask > 0.5].mean()) > 0.02 and float(refine[garment_mask < 0.5].mean()) > 0.01
    report = next(result.outputs[n][3] for n in result.order if result.types[n] == "KfvtonQuickTryOn")
    pose_source = "pose: mediapipe" if embedded_default_installed() else "pose: onnx"  # else the oracle ONNX model
    assert pose_source in report and "regions: estimated" in report


def test_refine_workflow_keeps_pixels_outside_the_refine_mask(samples_dir: Path, runner, tmp_path: Path):
    path = ROOT / "example_workflows" / "kfvton_02_refine_with_diffusion.json"
    result = runner.run_ui_workflow(
        path, NODE_CLASS_MAPPINGS, input_dirs=_input_dirs(samples_dir), **quick_setup(tmp_path)
    )
    (refined,) = result.images("SaveImage")
    (before,) = result.images("PreviewImage")
    quick = next(n for n in result.order if result.types[n] == "KfvtonQuickTryOn")
    refine = result.outputs[quick][2]
    outside, inside = refine == 0, refine > 0.5
    assert torch.equal(refined[outside], before[outside])  # the garment's print stays exact
    assert float((refined[inside] - before[inside]).abs().mean()) > 0.005  # the band was repainted
