"""Front-end tests, run by pytest: node's test runner over tests/web/unit, the JSON contract between the JS and Python
edit models, and a real-browser drag test of the keypoint editor (headless Chromium + playwright-core).

Skips cleanly when `node`, the system Chromium or tests/web/node_modules/playwright-core is missing (fails instead
under KFVTON_REQUIRE_BROWSER=1, as in CI); CI installs them with `apt-get install -y chromium nodejs npm` and
`npm ci --prefix tests/web`.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from comfyui_kfvton.kfvton.keypoints.edits import KeypointEdits, keypoint_fingerprint, parse_edits, unit_to_px
from comfyui_kfvton.kfvton.keypoints.pairs import KeypointPairs
from comfyui_kfvton.nodes.keypoints import EDITOR_UI_KEY, KfvtonKeypointEditor

ROOT = Path(__file__).resolve().parents[2]
WEB_TESTS = ROOT / "tests" / "web"
ARTIFACTS = ROOT / "tests" / "artifacts"
NODE = shutil.which("node")
CHROMIUM = (
    os.environ["KFVTON_CHROMIUM"]
    if "KFVTON_CHROMIUM" in os.environ
    else shutil.which("chromium") or shutil.which("chromium-browser")
)
if CHROMIUM is not None and not Path(CHROMIUM).is_file():
    CHROMIUM = None
PLAYWRIGHT = WEB_TESTS / "node_modules" / "playwright-core" / "package.json"

#: CI sets KFVTON_REQUIRE_BROWSER=1: a missing tool is then a failure, not a skip.
REQUIRE = os.environ.get("KFVTON_REQUIRE_BROWSER") == "1"


def need(*, browser: bool = False) -> None:
    """Skip the test (fail it under KFVTON_REQUIRE_BROWSER=1) when node, or Chromium/playwright-core, is missing."""
    missing = []
    if NODE is None:
        missing.append("node (apt-get install nodejs npm)")
    if browser and CHROMIUM is None:
        missing.append("chromium (apt-get install chromium)")
    if browser and not PLAYWRIGHT.is_file():
        missing.append("playwright-core (npm ci --prefix tests/web)")
    if missing:
        (pytest.fail if REQUIRE else pytest.skip)("not installed: " + ", ".join(missing))


def test_node_unit_tests():
    need()
    files = sorted(str(p) for p in (WEB_TESTS / "unit").glob("*.test.mjs"))
    assert files, "no tests/web/unit/*.test.mjs found"
    proc = subprocess.run([NODE, "--test", *files], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout


def test_js_and_python_edit_json_agree():
    need()
    edits = (
        KeypointEdits("classical/14/0123456789")
        .moved("hem_left", "person", (0.25, 0.7))
        .moved("hem_left", "garment", (0.1, 0.95))
        .toggled("collar_left", False)
    )
    python_json = edits.to_json()
    script = (
        "import('./web/js/lib/edit_model.js').then((m) => {"
        " let e = m.emptyEdits('classical/14/0123456789');"
        " e = m.movePoint(e, 'hem_left', 'person', [0.25, 0.7]);"
        " e = m.movePoint(e, 'hem_left', 'garment', [0.1, 0.95]);"
        " e = m.setEnabled(e, 'collar_left', false);"
        " const parsed = m.serializeEdits(m.parseEdits(process.argv[1]));"
        " console.log(JSON.stringify({made: m.serializeEdits(e), parsed}));"
        "})"
    )
    proc = subprocess.run(
        [NODE, "--input-type=module", "-e", script, python_json], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["made"] == python_json  # the front end writes exactly what Python writes
    assert out["parsed"] == python_json
    assert parse_edits(out["made"]) == edits


# ----------------------------------------------------------------------------------------------------------------
# browser test
# ----------------------------------------------------------------------------------------------------------------
NAMES = (
    "collar_left", "collar_center", "collar_right", "shoulder_left", "shoulder_right",
    "sleeve_left_outer", "sleeve_left_inner", "sleeve_right_outer", "sleeve_right_inner",
    "armpit_left", "armpit_right", "hem_left", "hem_center", "hem_right",
)  # fmt: skip
# unit positions on a garment photographed from the front (wearer's left on the image right)
_GARMENT_UV = [
    (0.58, 0.1), (0.5, 0.16), (0.42, 0.1), (0.72, 0.14), (0.28, 0.14), (0.93, 0.4), (0.8, 0.46), (0.07, 0.4),
    (0.2, 0.46), (0.72, 0.4), (0.28, 0.4), (0.72, 0.94), (0.5, 0.95), (0.28, 0.94),
]  # fmt: skip
_PERSON_UV = [
    (0.54, 0.24), (0.5, 0.27), (0.46, 0.24), (0.63, 0.27), (0.37, 0.27), (0.72, 0.42), (0.66, 0.44), (0.28, 0.42),
    (0.34, 0.44), (0.62, 0.4), (0.38, 0.4), (0.61, 0.62), (0.5, 0.63), (0.39, 0.62),
]  # fmt: skip
PERSON_HW = (320, 240)
GARMENT_HW = (240, 200)


def _scene() -> tuple[KeypointPairs, torch.Tensor, torch.Tensor]:
    """A synthetic person (figure on grey) and T-shirt (red on white) with the 14 named landmarks."""
    yy, xx = np.mgrid[0 : GARMENT_HW[0], 0 : GARMENT_HW[1]] / np.array(GARMENT_HW).reshape(2, 1, 1)
    body = (abs(xx - 0.5) < 0.22) & (yy > 0.1) & (yy < 0.95)
    sleeves = (abs(xx - 0.5) < 0.45) & (yy > 0.12) & (yy < 0.45) & (yy > 0.1 + 0.4 * np.abs(xx - 0.5) - 0.1)
    shirt = (body | sleeves).astype(np.float32)[..., None]
    garment = shirt * np.array([0.8, 0.15, 0.2], np.float32) + (1 - shirt)
    py, px = np.mgrid[0 : PERSON_HW[0], 0 : PERSON_HW[1]] / np.array(PERSON_HW).reshape(2, 1, 1)
    figure = ((abs(px - 0.5) < 0.13) & (py > 0.25) & (py < 0.95)) | (((px - 0.5) ** 2 + (py - 0.15) ** 2) < 0.006)
    person = np.where(figure[..., None], np.array([0.25, 0.35, 0.6], np.float32), np.float32(0.82))

    def px(uv, hw):
        t = torch.tensor([[u, v, 1.0] for u, v in uv], dtype=torch.float32)
        t[:, :2] = unit_to_px(t[:, :2], hw)
        return t[None]

    pairs = KeypointPairs(px(_GARMENT_UV, GARMENT_HW), px(_PERSON_UV, PERSON_HW), NAMES, GARMENT_HW, PERSON_HW)
    return pairs, torch.from_numpy(person)[None].float(), torch.from_numpy(garment)[None].float()


def _fake_folder_paths(temp_dir: Path) -> types.ModuleType:
    fake = types.ModuleType("folder_paths")
    fake.get_temp_directory = lambda: str(temp_dir)
    fake.get_save_image_path = lambda prefix, out_dir, w=0, h=0: (out_dir, prefix, 1, "", prefix)
    return fake


@pytest.fixture
def harness_root(tmp_path: Path, monkeypatch) -> Path:
    """A served folder laid out like ComfyUI's: /scripts (stand-ins), /extensions/comfyui-kfvton (= web/), the
    harness page, and /fixtures with the payload and images written by the real Python editor node."""
    root = tmp_path / "site"
    shutil.copytree(WEB_TESTS / "harness", root)
    (root / "extensions").mkdir()
    (root / "extensions" / "comfyui-kfvton").symlink_to(ROOT / "web", target_is_directory=True)
    fixtures = root / "fixtures"
    fixtures.mkdir()
    monkeypatch.setitem(sys.modules, "folder_paths", _fake_folder_paths(fixtures))
    pairs, person, garment = _scene()
    out = KfvtonKeypointEditor().run(pairs, person, garment, "")
    (payload,) = out["ui"][EDITOR_UI_KEY]
    assert payload["person_image"] and payload["garment_image"]
    (fixtures / "payload.json").write_text(json.dumps(payload))
    return root


@contextlib.contextmanager
def _serve(root: Path) -> Iterator[str]:
    """Serve `root` on a free loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def test_browser_drag_updates_widget_json(harness_root):
    need(browser=True)
    env = {**os.environ, "KFVTON_CHROMIUM": CHROMIUM}
    with _serve(harness_root) as server:
        proc = subprocess.run(
            [NODE, str(WEB_TESTS / "drag_test.mjs"), server, str(ARTIFACTS)],
            cwd=WEB_TESTS,
            capture_output=True,
            text=True,
            timeout=240,
            env=env,
        )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert [r["scenario"] for r in results] == ["default", "zoomed-small"]
    pairs, person, garment = _scene()
    for r in results:
        assert Path(r["screenshot"]).is_file()
        text = json.dumps(r["edits"])
        edits = parse_edits(text)
        assert edits.fingerprint == keypoint_fingerprint(pairs)
        # the next run applies the browser's edits: the dragged target lands where the pointer went
        (edited,) = KfvtonKeypointEditor().run(pairs, person, garment, text)["result"]
        moved = next(p for p in edits.points if p.person is not None)
        n = NAMES.index(moved.name)
        expected_px = unit_to_px(torch.tensor(r["expected"], dtype=torch.float32), PERSON_HW)
        torch.testing.assert_close(edited.person_px[0, n, :2], expected_px, atol=0.5, rtol=0)
        excluded = next(p for p in edits.points if not p.enabled)
        assert not edited.valid[0, NAMES.index(excluded.name)]
        assert edited.origin == "edited"


# ----------------------------------------------------------------------------------------------------------------
# the real ComfyUI page, where a local ComfyUI checkout and venv exist (docs/comfyui-e2e.md)
# ----------------------------------------------------------------------------------------------------------------
COMFY_SRC = Path(os.environ.get("KFVTON_COMFYUI_SRC", "/opt/comfyui-src"))
COMFY_PY = Path(os.environ.get("KFVTON_COMFYUI_PYTHON", "/opt/comfyvenv/bin/python"))


@pytest.mark.slow
def test_editor_in_real_comfyui(samples_dir: Path):
    """Example workflow in a real ComfyUI page: run, drag a target, check JSON/prompt/save-load/copy, run again."""
    need(browser=True)
    if os.environ.get("KFVTON_SKIP_COMFYUI_E2E") == "1":
        pytest.skip("KFVTON_SKIP_COMFYUI_E2E=1")
    if not (COMFY_SRC / "main.py").is_file() or not COMFY_PY.is_file():
        pytest.skip(f"no local ComfyUI at {COMFY_SRC} with {COMFY_PY} (see docs/comfyui-e2e.md)")
    cmd = [NODE, str(WEB_TESTS / "comfyui_e2e.mjs"), "--comfy-src", str(COMFY_SRC), "--comfy-py", str(COMFY_PY)]
    cmd += ["--samples", str(samples_dir), "--out", str(ARTIFACTS)]
    env = {**os.environ, "KFVTON_CHROMIUM": CHROMIUM}
    # own process group, so a timeout also stops the ComfyUI server the script started
    proc = subprocess.Popen(
        cmd, cwd=WEB_TESTS, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    try:
        stdout, stderr = proc.communicate(timeout=540)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"the real-ComfyUI check timed out\n{stdout[-2000:]}\n{stderr[-4000:]}")
    assert proc.returncode == 0, stdout[-2000:] + stderr[-4000:]
    result = json.loads(stdout.strip().splitlines()[-1])
    assert result["ok"] and result["edits"]["points"][0]["name"] == "hem_center"
    assert result["notice"].startswith("1 point edit(s) applied")
    for name in ("comfyui_keypoint_editor.png", "comfyui_keypoint_editor_edited.png"):
        assert (ARTIFACTS / name).is_file()
