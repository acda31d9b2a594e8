"""Every example workflow runs in a REAL headless ComfyUI, converted and queued as the UI would
(../shared/tools/comfyui-examples.py), with stand-in model files where weights are needed (random-weight networks,
an oracle pose model: tests/nodes/make_e2e_models.py). A workflow built on a diffusion checkpoint (core
CheckpointLoaderSimple) is validated by the server instead of run: the stand-in checkpoint is not a real model.

Needs a local ComfyUI (tests/comfyui_env.py) and the VITON-HD samples; skips without them, fails under
KFVTON_REQUIRE_COMFYUI=1 (.ci/run). The summary line "workflows: N ok / N total" is also written to
$KFVTON_E2E_REPORT when set (.ci/run prints it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.comfyui.test_server import write_stand_in_models
from tests.comfyui_env import ROOT, SHARED, need_comfyui, skip_or_fail
from tests.conftest import SAMPLES_DIR

TOOL = SHARED / "tools" / "comfyui-examples.py"
WORKFLOWS = sorted((ROOT / "example_workflows").glob("*.json"))
#: core nodes that load a diffusion model: a workflow with one is validated, not run (no real weights here)
DIFFUSION_LOADERS = {"CheckpointLoaderSimple", "UNETLoader", "DiffusersLoader", "ImageOnlyCheckpointLoader"}


def _needs_diffusion(path: Path) -> bool:
    return any(n.get("type") in DIFFUSION_LOADERS for n in json.loads(path.read_text())["nodes"])


def _run_tool(comfy, workflows: list[Path], tmp: Path, models: Path, *, validate_only: bool) -> tuple[str, dict]:
    config = tmp / "extra_model_paths.yaml"
    config.write_text(
        "kfvton_e2e:\n"
        f"    base_path: {models}\n"
        "    checkpoints: checkpoints\n"
        "    kfvton_checkpoints: kfvton/checkpoints\n"
        "    kfvton_pose: kfvton/pose\n"
        "    kfvton_parsing: kfvton/parsing\n"
    )
    test = SAMPLES_DIR / "vitonhd" / "test"
    out = tmp / ("validated" if validate_only else "ran")
    # garments first: VITON-HD names a garment and its mask alike (cloth/X.jpg, cloth-mask/X.jpg)
    cmd = [sys.executable, str(TOOL), str(ROOT), "--inputs", str(test / "cloth"), str(SAMPLES_DIR), "--out", str(out)]
    cmd += ["--comfy-src", str(comfy.src), "--comfy-py", str(comfy.python), "--timeout", "600"]
    cmd += ["--comfy-arg=--extra-model-paths-config", f"--comfy-arg={config}"]
    for path in workflows:
        cmd += ["--workflows", str(path)]
    if validate_only:
        cmd.append("--validate-only")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3000, stdin=subprocess.DEVNULL)
    summary = json.loads((out / "summary.json").read_text()) if (out / "summary.json").is_file() else {}
    return proc.stdout + proc.stderr, summary


def test_every_example_workflow_runs_in_real_comfyui(tmp_path: Path):
    comfy = need_comfyui()
    if not TOOL.is_file():
        skip_or_fail(f"{TOOL} not found (the shared ComfyUI tools sit next to the clone)")
    if not (SAMPLES_DIR / "vitonhd" / "test").is_dir():
        skip_or_fail(f"sample photos not found at {SAMPLES_DIR}")
    assert WORKFLOWS, "example_workflows/ is empty"
    (comfy.src / "custom_nodes").mkdir(exist_ok=True)  # the tool links the pack there; a bare snapshot has none
    models = tmp_path / "models"
    write_stand_in_models(models)
    (models / "checkpoints").mkdir()
    (models / "checkpoints" / "stand_in_inpainting.safetensors").write_bytes(b"\0" * 64)
    to_validate = [p for p in WORKFLOWS if _needs_diffusion(p)]
    to_run = [p for p in WORKFLOWS if p not in to_validate]
    results, logs = [], []
    for workflows, validate in ((to_run, False), (to_validate, True)):
        if workflows:
            log, summary = _run_tool(comfy, workflows, tmp_path, models, validate_only=validate)
            logs.append(log)
            results += summary.get("results", [])
            assert summary.get("fatal") is None, log[-4000:]
    ok = [r["name"] for r in results if r["status"] in ("success", "valid")]
    table = "\n".join(
        f"{r['name']:<40} {r['status']:<10} {(r.get('time_s') or 0):6.1f}s  {r.get('detail') or ''}"[:200]
        for r in results
    )
    line = f"workflows: {len(ok)} ok / {len(WORKFLOWS)}"
    report = os.environ.get("KFVTON_E2E_REPORT")
    if report:
        Path(report).write_text(f"{table}\n{line}\n")
    print(f"\n{table}\n{line}")
    assert sorted(r["name"] for r in results) == sorted(p.stem for p in WORKFLOWS), "\n".join(logs)[-4000:]
    assert len(ok) == len(WORKFLOWS), f"{line}\n{table}\n" + "\n".join(logs)[-6000:]
