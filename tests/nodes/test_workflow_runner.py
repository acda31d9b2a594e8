"""The UI-workflow runner itself: widget mapping, links through reroutes, muted nodes, order, errors."""

from __future__ import annotations

import pytest
import torch


class _Source:
    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "seed": ("INT", {"default": 0}),
                "scale": ("FLOAT", {"default": 1.0}),
                "mode": (["a", "b"],),
            },
            "optional": {"note": ("STRING", {"default": ""})},
        }

    RETURN_TYPES = ("IMAGE", "STRING")
    FUNCTION = "run"

    def run(self, seed, scale, mode, note=""):
        return (torch.full((1, 2, 2, 3), scale * 0.1 + seed * 0.01), f"{mode}:{note}")


class _Sink:
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"image": ("IMAGE",), "text": ("STRING", {"forceInput": True}), "k": ("INT", {})}}

    RETURN_TYPES = ("IMAGE",)
    FUNCTION = "run"

    def run(self, image, text, k):
        return (image * k, text)[:1]


def _node(nid, ntype, widgets=None, inputs=(), outputs=(), mode=0):
    return {
        "id": nid,
        "type": ntype,
        "mode": mode,
        "inputs": [{"name": n, "type": t, "link": lk} for n, t, lk in inputs],
        "outputs": [{"name": n, "type": t, "links": lk} for n, t, lk in outputs],
        "widgets_values": widgets,
    }


def _workflow(sink_widgets=(2,), source_mode=0):
    return {
        "nodes": [
            _node(3, "_Sink", list(sink_widgets), [("image", "IMAGE", 2), ("text", "STRING", 3)]),
            _node(
                1,
                "_Source",
                [3, "randomize", 2.0, "b", "hi"],
                outputs=[("IMAGE", "IMAGE", [1]), ("S", "STRING", [3])],
                mode=source_mode,
            ),
            _node(2, "Reroute", None, [("", "*", 1)], [("", "IMAGE", [2])]),
            _node(4, "PreviewImage", [], [("images", "IMAGE", 4)]),
            _node(5, "MarkdownNote", ["text"]),
        ],
        "links": [
            [1, 1, 0, 2, 0, "IMAGE"],
            [2, 2, 0, 3, 0, "IMAGE"],
            [3, 1, 1, 3, 1, "STRING"],
            [4, 3, 0, 4, 0, "IMAGE"],
        ],
    }


CLASSES = {"_Source": _Source, "_Sink": _Sink}


def test_widgets_links_reroute_order(runner):
    seen = {}
    result = runner.run_ui_workflow(_workflow(), CLASSES, on_node=lambda nid, t, kw: seen.setdefault(nid, kw))
    assert result.order == [1, 3, 4]
    # control_after_generate ("randomize") after the seed is skipped; optional widgets mapped in order
    assert seen[1] == {"seed": 3, "scale": 2.0, "mode": "b", "note": "hi"}
    assert seen[3]["text"] == "b:hi" and seen[3]["k"] == 2
    (img,) = result.images("PreviewImage")
    torch.testing.assert_close(img, torch.full((1, 2, 2, 3), (0.2 + 0.03) * 2))


def test_dict_widgets_values(runner):
    wf = _workflow(sink_widgets=())
    wf["nodes"][0]["widgets_values"] = {"k": 5}
    result = runner.run_ui_workflow(wf, CLASSES)
    assert float(result.outputs[3][0][0, 0, 0, 0]) == pytest.approx(0.23 * 5)


def test_muted_source_leaves_input_missing(runner):
    with pytest.raises(ValueError, match="source node 1"):
        runner.run_ui_workflow(_workflow(source_mode=2), CLASSES)


def test_bypass_and_unknown_types_raise(runner):
    with pytest.raises(NotImplementedError, match="bypass"):
        runner.run_ui_workflow(_workflow(source_mode=4), CLASSES)
    with pytest.raises(KeyError, match="_Sink"):
        runner.run_ui_workflow(_workflow(), {"_Source": _Source})


def test_cycle_detected(runner):
    wf = _workflow()
    wf["nodes"][1]["inputs"] = [{"name": "note", "type": "STRING", "link": 5, "widget": {"name": "note"}}]
    wf["links"].append([5, 3, 0, 1, 0, "STRING"])
    with pytest.raises(ValueError, match="cycle"):
        runner.run_ui_workflow(wf, CLASSES)
