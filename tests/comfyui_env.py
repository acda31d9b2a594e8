"""Where the real ComfyUI for the end-to-end tests is, and whether those tests may skip.

Found, first that exists: $KFVTON_COMFYUI_SRC + $KFVTON_COMFYUI_PYTHON; $COMFY_SRC + $COMFY_PY (what
`eval "$(../shared/tools/comfyui-setup.sh)"` exports); the setup's default home ($KFVTON_COMFYUI_HOME or
~/.cache/kfvton-comfyui, used once its build finished); /opt/comfyui-src + /opt/comfyvenv/bin/python.
Without one the tests skip, except under KFVTON_REQUIRE_COMFYUI=1 (set by .ci/run), where they fail.
"""

from __future__ import annotations

import functools
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: the shared ComfyUI snapshot and tools: next to the clone, or where .ci/run says ($KFVTON_SHARED_DIR)
SHARED = Path(os.environ.get("KFVTON_SHARED_DIR", ROOT.parent / "shared"))
#: .ci/run sets it: a missing ComfyUI (or a missing requirement in its venv) fails instead of skipping.
REQUIRE = os.environ.get("KFVTON_REQUIRE_COMFYUI") == "1"


@dataclass(frozen=True)
class ComfyUI:
    src: Path  # the ComfyUI source folder (main.py)
    python: Path  # the python of its venv


def _candidates() -> list[tuple[str | None, str | None]]:
    home = Path(os.environ.get("KFVTON_COMFYUI_HOME", Path.home() / ".cache" / "kfvton-comfyui"))
    built = (str(home / "src"), str(home / "venv" / "bin" / "python")) if (home / ".ok").is_file() else (None, None)
    return [
        (os.environ.get("KFVTON_COMFYUI_SRC"), os.environ.get("KFVTON_COMFYUI_PYTHON")),
        (os.environ.get("COMFY_SRC"), os.environ.get("COMFY_PY")),
        built,
        ("/opt/comfyui-src", "/opt/comfyvenv/bin/python"),
    ]


@functools.cache
def find_comfyui() -> ComfyUI | None:
    for src, python in _candidates():
        if src and python and (Path(src) / "main.py").is_file() and Path(python).is_file():
            return ComfyUI(Path(src), Path(python))
    return None


@functools.cache
def _missing_requirements(python: Path) -> str:
    code = "import cv2, onnxruntime, safetensors"
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120)
    return "" if proc.returncode == 0 else (proc.stderr.strip().splitlines() or ["?"])[-1]


def skip_or_fail(reason: str) -> None:
    (pytest.fail if REQUIRE else pytest.skip)(reason)


def need_comfyui() -> ComfyUI:
    """The real ComfyUI, with the pack's requirements in its venv; skips (fails under KFVTON_REQUIRE_COMFYUI=1)
    without one, or under KFVTON_SKIP_COMFYUI_E2E=1."""
    if os.environ.get("KFVTON_SKIP_COMFYUI_E2E") == "1" and not REQUIRE:
        pytest.skip("KFVTON_SKIP_COMFYUI_E2E=1")
    comfy = find_comfyui()
    if comfy is None:
        skip_or_fail('no local ComfyUI: eval "$(../shared/tools/comfyui-setup.sh)" (see docs/comfyui-e2e.md)')
    missing = _missing_requirements(comfy.python)
    if missing:
        skip_or_fail(f"the pack's requirements are missing in {comfy.python} ({missing}): run it on install.py")
    return comfy
