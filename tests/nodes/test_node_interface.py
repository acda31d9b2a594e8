"""Saved workflows keep loading: every node's id, display name, category, inputs, widgets and outputs are as
recorded in node_interface.json (written from the pack before the nodes were regrouped by category), and every
example workflow's node types and widget values still map onto the nodes.

New nodes, new optional inputs, new outputs after the recorded ones and new combo options (at the end) may be added;
nothing recorded may change. After an intended addition, print the
new record with `python tests/nodes/test_node_interface.py` and add the new entries to the JSON by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RECORD = json.loads((HERE / "node_interface.json").read_text(encoding="utf-8"))
WORKFLOWS = sorted((ROOT / "example_workflows").glob("*.json"))
UI_ONLY = {"Note", "MarkdownNote", "Reroute", "PrimitiveNode"}
#: Combos listing files of ComfyUI's folders: their options depend on the machine, so only their kind is recorded.
FILE_COMBOS = {"pose_file", "parse_file", "pose_model", "detector_model", "parser_model", "seg_checkpoint",
               "warp_checkpoint"}  # fmt: skip


def _input(name: str, spec: tuple) -> dict[str, Any]:
    kind = spec[0]
    opts = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
    if isinstance(kind, (list, tuple)):
        return {"name": name, "type": "COMBO", "options": None if name in FILE_COMBOS else list(kind)}
    entry: dict[str, Any] = {"name": name, "type": kind}
    if kind in ("INT", "FLOAT", "BOOLEAN", "STRING") and "default" in opts:
        entry["default"] = opts["default"]
    return entry


def node_interface(mappings: dict[str, type], display: dict[str, str]) -> dict[str, Any]:
    """What a saved workflow depends on, per node id."""
    record = {}
    for node_id, cls in mappings.items():
        spec = cls.INPUT_TYPES()
        record[node_id] = {
            "display_name": display[node_id],
            "category": cls.CATEGORY,
            "output_node": bool(getattr(cls, "OUTPUT_NODE", False)),
            "required": [_input(n, s) for n, s in (spec.get("required") or {}).items()],
            "optional": [_input(n, s) for n, s in (spec.get("optional") or {}).items()],
            "return_types": list(cls.RETURN_TYPES),
            "return_names": list(cls.RETURN_NAMES),
        }
    return record


def _current() -> dict[str, Any]:
    from comfyui_kfvton.nodes import NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS

    return node_interface(NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS)


@pytest.mark.parametrize("node_id", sorted(RECORD))
def test_recorded_node_unchanged(node_id: str):
    current = _current()
    assert node_id in current, f"{node_id} is gone: saved workflows using it no longer load"
    now, then = current[node_id], RECORD[node_id]
    for key in ("display_name", "category", "output_node"):
        assert now[key] == then[key], f"{node_id}.{key} changed"
    # outputs may be appended (saved links name an output by its slot), never changed or reordered
    for key in ("return_types", "return_names"):
        assert now[key][: len(then[key])] == then[key], f"{node_id}.{key} changed"
    # a combo may gain options (a saved workflow stores the value, which stays valid), never lose one
    assert _kept(now["required"], then["required"]), f"{node_id}.required changed"
    # optional inputs may be added (at the end, so saved widget values keep their slots), never changed
    assert _kept(now["optional"][: len(then["optional"])], then["optional"]), f"{node_id}: optional inputs changed"


def _kept(now: list[dict[str, Any]], then: list[dict[str, Any]]) -> bool:
    """`now` has `then`'s inputs in order, each as recorded except for combo options added at the end."""
    if len(now) != len(then):
        return False
    for a, b in zip(now, then, strict=True):
        if a.get("options") and b.get("options") and a["options"][: len(b["options"])] == b["options"]:
            a = {**a, "options": b["options"]}
        if a != b:
            return False
    return True


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.stem for p in WORKFLOWS])
def test_workflow_widgets_map(path: Path, runner):
    from comfyui_kfvton.nodes import NODE_CLASS_MAPPINGS

    wf = json.loads(path.read_text(encoding="utf-8"))
    for node in wf["nodes"]:
        kind = node["type"]
        if kind in UI_ONLY or kind in runner.STAND_INS:
            continue
        assert kind in NODE_CLASS_MAPPINGS, f"{path.name}: node type {kind} is not registered"
        spec = NODE_CLASS_MAPPINGS[kind].INPUT_TYPES()
        saved = node.get("widgets_values")
        if isinstance(saved, list):
            forced = {x["name"] for x in node.get("inputs") or [] if isinstance(x.get("widget"), dict)}
            slots = runner._widget_slots(spec, forced)
            assert len(saved) <= len(slots), f"{path.name}: {kind} saved {len(saved)} widget values for {len(slots)}"
        values = runner._map_widgets(node, spec)
        inputs = {**(spec.get("required") or {}), **(spec.get("optional") or {})}
        for name, value in values.items():
            options = inputs[name][0]
            if isinstance(options, (list, tuple)) and name not in FILE_COMBOS:
                assert value in options, f"{path.name}: {kind}.{name} = {value!r} is not one of {list(options)}"


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    import tests.conftest  # noqa: F401  (registers the pack as comfyui_kfvton)

    print(json.dumps(_current(), indent=1, sort_keys=True))
