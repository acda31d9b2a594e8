"""The example workflows in the REAL ComfyUI frontend, loaded as the template browser loads them.

tests/web/example_workflows_frontend.mjs serves the pack from a local ComfyUI (docs/comfyui-e2e.md), loads every
template in headless Chromium and returns app.graphToPrompt(), the prompt the Run button sends. This test checks
that every node type is known there, that nothing raised in the page, and that the frontend reads each node's
widgets and links exactly as our UI-workflow runner does (so the runner's results are those of the real UI).
Skips without node, Chromium, playwright-core (npm ci --prefix tests/web) or a local ComfyUI (tests/comfyui_env.py);
fails instead under KFVTON_REQUIRE_BROWSER=1 / KFVTON_REQUIRE_COMFYUI=1, as in .ci/run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from comfyui_kfvton.nodes import NODE_CLASS_MAPPINGS

from tests.comfyui_env import need_comfyui

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "tests" / "web"
CHROMIUM = os.environ.get("KFVTON_CHROMIUM", "/usr/bin/chromium")
WORKFLOWS = sorted((ROOT / "example_workflows").glob("*.json"))


@pytest.fixture(scope="module")
def frontend_report(tmp_path_factory) -> dict:
    node = shutil.which("node")
    comfy = need_comfyui()
    if node is None or not Path(CHROMIUM).is_file() or not (WEB / "node_modules" / "playwright-core").is_dir():
        missing = "needs node, Chromium and playwright-core (npm ci --prefix tests/web)"
        (pytest.fail if os.environ.get("KFVTON_REQUIRE_BROWSER") == "1" else pytest.skip)(missing)
    out = tmp_path_factory.mktemp("templates")
    cmd = [node, str(WEB / "example_workflows_frontend.mjs"), "--comfy-src", str(comfy.src)]
    cmd += ["--comfy-py", str(comfy.python), "--out", str(out)]
    proc = subprocess.Popen(
        cmd, cwd=WEB, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = proc.communicate(timeout=400)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"the frontend check timed out\n{stderr[-3000:]}")
    assert proc.returncode == 0, stderr[-3000:]
    return json.loads(stdout.strip().splitlines()[-1])


def test_every_example_is_a_template(frontend_report):
    assert sorted(frontend_report["templates"]) == sorted(p.stem for p in WORKFLOWS)


def test_template_browser_lists_quick_tryon_first(frontend_report):
    """ComfyUI serves the list in directory order (glob.glob); web/js/template_order.js sorts it by name."""
    order = frontend_report["browser_order"]
    assert order["patched"], "web/js/template_order.js did not wrap api.getWorkflowTemplates"
    assert order["names"] == [p.stem for p in WORKFLOWS]  # WORKFLOWS is sorted
    assert order["names"][0] == "kfvton_01_quick_tryon"


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.stem for p in WORKFLOWS])
def test_frontend_reads_workflow_like_the_runner(path: Path, frontend_report, runner):
    entry = frontend_report[path.stem]
    assert entry["unknown"] == [] and entry["errors"] == []
    prompt = entry["prompt"]
    wf = runner.load_workflow(path)
    classes = {**runner.STAND_INS, **NODE_CLASS_MAPPINGS}
    links = {link[0]: link for link in wf["links"]}
    by_id = {n["id"]: n for n in wf["nodes"]}
    for node in wf["nodes"]:
        if node["type"] not in NODE_CLASS_MAPPINGS:
            continue
        sent = prompt[str(node["id"])]["inputs"]
        linked = {}
        for x in node.get("inputs") or []:
            if x.get("link") is not None:
                name = x["widget"]["name"] if isinstance(x.get("widget"), dict) else x["name"]
                _, origin, slot, *_ = links[x["link"]]
                while by_id[origin]["type"] == "Reroute":  # the frontend links through reroutes
                    _, origin, slot, *_ = links[by_id[origin]["inputs"][0]["link"]]
                linked[name] = [str(origin), slot]
        widgets = runner._map_widgets(node, classes[node["type"]].INPUT_TYPES())
        expected = {**widgets, **linked}
        assert sent == expected, f"node {node['id']} ({node['type']})"
