"""Comfy Registry metadata is complete and the docs name no path of the machine they were written on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
REPO_URL = PYPROJECT["project"]["urls"]["Repository"]


def test_registry_fields():
    project, comfy = PYPROJECT["project"], PYPROJECT["tool"]["comfy"]
    assert "Operating System :: OS Independent" in project["classifiers"]
    assert any(c.startswith("Environment :: GPU ::") for c in project["classifiers"])
    urls = project["urls"]
    assert urls["Documentation"].startswith(REPO_URL) and urls["Bug Tracker"] == f"{REPO_URL}/issues"
    assert comfy["PublisherId"] and comfy["DisplayName"]
    assert re.fullmatch(r">=\d+\.\d+\.\d+", comfy["requires-comfyui"])


def test_icon_is_in_the_repository():
    icon = PYPROJECT["tool"]["comfy"]["Icon"]
    owner_repo = REPO_URL.removeprefix("https://github.com/")
    prefix = f"https://raw.githubusercontent.com/{owner_repo}/main/"
    assert icon.startswith(prefix)
    path = ROOT / icon.removeprefix(prefix)
    assert path.is_file() and path.suffix in (".svg", ".png")
    if path.suffix == ".svg":
        head = path.read_text(encoding="utf-8")[:300]
        assert 'width="400"' in head and 'height="400"' in head  # square, registry size


DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "web" / "docs").glob("*.md")])


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_no_build_machine_paths(path: Path):
    text = path.read_text(encoding="utf-8")
    found = re.findall(r"(?<![\w.])/(?:work|root|tmp|home/\w+)/[^\s`)]*", text)
    assert not found, f"{path.name} names paths of the build machine: {found[:3]}"
