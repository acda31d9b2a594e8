"""Every node has a help page in web/docs/<NodeId>.md (shown by the ComfyUI frontend), up to date with the node."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from comfyui_kfvton.nodes import NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "web" / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("make_node_docs", ROOT / "tools" / "make_node_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("node_id", sorted(NODE_CLASS_MAPPINGS))
def test_help_page_is_current(node_id):
    path = DOCS / f"{node_id}.md"
    assert path.is_file(), f"no help page for {node_id}: run python tools/make_node_docs.py"
    cls = NODE_CLASS_MAPPINGS[node_id]
    expected = _generator().page(node_id, cls, NODE_DISPLAY_NAME_MAPPINGS[node_id])
    assert path.read_text(encoding="utf-8") == expected, f"{path.name} is stale: run python tools/make_node_docs.py"
    for name in cls.RETURN_NAMES:
        assert f"**{name}**" in expected


def test_no_page_for_a_node_that_does_not_exist():
    assert {p.stem for p in DOCS.glob("*.md")} == set(NODE_CLASS_MAPPINGS)
