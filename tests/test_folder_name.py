"""The README's test command passes in a clone named as the README says: ComfyUI/custom_nodes/comfyui-kfvton.

pytest imports the top-level `__init__.py` of the repository on its own (no parent package) when the folder's
name is not a Python name; it must not fail then. `.ci/run` runs the whole suite from such a clone.
"""

from __future__ import annotations

import runpy
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_top_level_init_imports_as_a_lone_module():
    names = runpy.run_path(str(ROOT / "__init__.py"))  # raised "attempted relative import with no known parent package"
    assert names["WEB_DIRECTORY"] == "./web"
    assert "NODE_CLASS_MAPPINGS" not in names  # nothing to register without the package


def test_pytest_passes_in_a_folder_named_comfyui_kfvton(tmp_path):
    clone = tmp_path / "ComfyUI" / "custom_nodes" / "comfyui-kfvton"
    (clone / "tests").mkdir(parents=True)
    for name in ("pyproject.toml", "__init__.py"):
        shutil.copy(ROOT / name, clone / name)
    for name in ("kfvton", "nodes"):
        (clone / name).symlink_to(ROOT / name, target_is_directory=True)
    (clone / "tests" / "test_probe.py").write_text(
        "def test_library_imports():\n    import kfvton.preprocess.io  # noqa: F401\n", encoding="utf-8"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_probe.py"],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "1 passed" in proc.stdout
