"""Inputs for the learned KF-VTON nodes in the node tests: a tiny random-weight bundle written to tmp_path and
the intermediate payloads (network inputs, seg, keypoints, flow) made from the synthetic scene of conftest.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def tiny_checkpoints(tmp_path: Path) -> dict[str, Any]:
    from tests._tiny_kfvton import write_tiny_bundle

    seg, warp = write_tiny_bundle(tmp_path)
    return {"seg_checkpoint": str(seg), "warp_checkpoint": str(warp)}


def _model(tmp_path: Path):
    from comfyui_kfvton.nodes.models import KfvtonLoadModel

    return KfvtonLoadModel().run(**tiny_checkpoints(tmp_path))[0]


def _inputs():
    from comfyui_kfvton.nodes.learned_inputs import KfvtonNetworkInputs

    from tests.nodes.conftest import garment_mask, make_garment, make_parse, make_person, make_pose

    return KfvtonNetworkInputs().run(make_person(), make_garment(), garment_mask(), make_pose(), make_parse())[0]


def learned_stage(tmp_path: Path, upto: str) -> dict[str, Any]:
    """Keyword inputs for a learned node: model, inputs, and the results of the stages before `upto`."""
    from comfyui_kfvton.nodes.learned import (
        KfvtonCoattentionFlowWarp,
        KfvtonKeypointDetector,
        KfvtonSegmentationGenerator,
    )

    kwargs: dict[str, Any] = {"model": _model(tmp_path), "inputs": _inputs()}
    if upto == "seg":
        return kwargs
    kwargs["seg"] = KfvtonSegmentationGenerator().run(**kwargs)[0]
    if upto == "keypoints":
        return kwargs
    kwargs["keypoints"] = KfvtonKeypointDetector().run(**kwargs)[0]
    if upto == "flow":
        return kwargs
    flow = KfvtonCoattentionFlowWarp().run(**kwargs)[0]
    kwargs.pop("keypoints")
    return {**kwargs, "flow": flow}


#: node id -> builder(tmp_path), merged into conftest.CALL_OVERRIDES
LEARNED_OVERRIDES = {
    "KfvtonLoadModel": tiny_checkpoints,
    "KfvtonSegmentationGenerator": lambda p: learned_stage(p, "seg"),
    "KfvtonKeypointDetector": lambda p: learned_stage(p, "keypoints"),
    "KfvtonCoattentionFlowWarp": lambda p: learned_stage(p, "flow"),
    "KfvtonSpadeGenerator": lambda p: learned_stage(p, "spade"),
    "KfvtonTryOn": lambda p: {"model": _model(p)},
}


def learned_workflow_setup(tmp_path: Path) -> dict[str, Any]:
    """example_workflows/kfvton_learned_*.json: Load Model pointed at a tiny random-weight bundle in tmp_path."""
    return {"widget_overrides": {"KfvtonLoadModel": tiny_checkpoints(tmp_path)}}
