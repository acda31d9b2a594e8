"""Shared fixtures.

Library tests import `kfvton` directly. Node tests import the pack as ComfyUI does, as a package
(`comfyui_kfvton`, registered here) and take library classes from it too (`comfyui_kfvton.kfvton...`), so the
objects they feed to nodes are the ones the nodes know.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
PACK_NAME = "comfyui_kfvton"
SAMPLES_DIR = Path(os.environ.get("KFVTON_SAMPLES_DIR", ROOT.parent / "shared" / "samples"))
REFERENCE_DIR = Path(os.environ.get("KFVTON_REFERENCE_DIR", ROOT.parent / "shared" / "reference" / "kfvton256"))


def _import_pack() -> None:
    if PACK_NAME in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        PACK_NAME, ROOT / "__init__.py", submodule_search_locations=[str(ROOT)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACK_NAME] = module
    spec.loader.exec_module(module)


_import_pack()


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """../shared/samples (or $KFVTON_SAMPLES_DIR); skips the test cleanly when absent."""
    if not (SAMPLES_DIR / "vitonhd" / "test").is_dir():
        pytest.skip(f"sample photos not found at {SAMPLES_DIR}")
    return SAMPLES_DIR


@pytest.fixture(scope="session")
def vitonhd_dir(samples_dir: Path) -> Path:
    return samples_dir / "vitonhd" / "test"


@pytest.fixture(params=["cpu"] + (["cuda"] if torch.cuda.is_available() else []))
def device(request) -> torch.device:
    return torch.device(request.param)


@pytest.fixture(params=[torch.float32, torch.float64])
def dtype(request) -> torch.dtype:
    return request.param
