"""Progress and Cancel on every node that loops over a batch (classical, perception, learned, editor): ComfyUI's
progress bar moves once per item, and Cancel pressed during a batch of 8 stops within one item. ComfyUI is the
recording stand-in of tests/nodes/comfy_standin.py; the loaders' IS_CHANGED hashes their file."""

from __future__ import annotations

from pathlib import Path

import pytest
from comfyui_kfvton.nodes import NODE_CLASS_MAPPINGS

from tests.nodes.comfy_standin import InterruptProcessingException

BATCH = 8
#: one node per loop kind; each runs its batch item by item through nodes/_batch.map_items
LOOPING_NODES = [
    "KfvtonQuickTryOn",  # classical
    "KfvtonClassicalTryOn",
    "KfvtonTpsWarp",
    "KfvtonComposite",
    "KfvtonGarmentLandmarks",
    "KfvtonTargetPlacement",
    "KfvtonGarmentMask",  # perception
    "KfvtonPoseEstimator",
    "KfvtonHumanParser",
    "KfvtonRegionEstimator",
    "KfvtonNetworkInputs",  # learned
    "KfvtonAgnosticPerson",
    "KfvtonGarmentOnGrey",
    "KfvtonRenderPose",
    "KfvtonTryOn",
    "KfvtonWarpInspector",  # editor
    "KfvtonKeypointOverlay",
]


def _call(node_id: str, kwargs: dict):
    cls = NODE_CLASS_MAPPINGS[node_id]
    return getattr(cls(), cls.FUNCTION)(**kwargs)


def _batch_inputs(node_id: str, node_inputs, batch: int = BATCH) -> dict:
    kwargs = node_inputs(NODE_CLASS_MAPPINGS[node_id], batch=batch)
    if node_id == "KfvtonPoseEstimator":
        kwargs.pop("pose", None), kwargs.pop("pose_keypoint", None)  # estimate, do not pass a given pose through
    return kwargs


@pytest.mark.parametrize("node_id", LOOPING_NODES)
def test_progress_once_per_item(node_id: str, node_inputs, comfy_standin):
    _call(node_id, _batch_inputs(node_id, node_inputs, batch=3))
    assert comfy_standin.progress.count((3, 1)) == 3, comfy_standin.progress


@pytest.mark.parametrize("node_id", LOOPING_NODES)
def test_cancel_during_a_batch_of_8_stops_within_one_item(node_id: str, node_inputs, comfy_standin):
    kwargs = _batch_inputs(node_id, node_inputs)
    comfy_standin.cancel_at_item = 1  # Cancel pressed while the first item runs: it finishes, no second starts
    with pytest.raises(InterruptProcessingException):
        _call(node_id, kwargs)
    assert comfy_standin.items_done() == 1


@pytest.mark.parametrize(
    ("node_id", "widget"), [("KfvtonLoadPoseJson", "pose_file"), ("KfvtonLoadParseMap", "parse_file")]
)
def test_loaders_notice_file_edits(node_id: str, widget: str, node_inputs):
    cls = NODE_CLASS_MAPPINGS[node_id]
    path = Path(node_inputs(cls)[widget])
    first = cls.IS_CHANGED(**{widget: str(path), "path": ""})
    assert cls.IS_CHANGED(**{widget: str(path), "path": ""}) == first  # unchanged file: ComfyUI reuses the output
    path.write_bytes(path.read_bytes() + b" ")
    assert cls.IS_CHANGED(**{widget: str(path), "path": ""}) != first
    assert cls.IS_CHANGED(**{widget: "elsewhere", "path": str(path)}) != first  # the typed path wins


#: nodes without a loop over their batch (one file, vectorised tensor work, or only item 0 shown), and why
NO_BATCH_LOOP = {
    "KfvtonLoadModel": "loads model files",
    "KfvtonLoadPoseJson": "reads one file",
    "KfvtonLoadParseMap": "reads one file",
    "KfvtonPoseBatch": "concatenates two poses",
    "KfvtonPoseFromPoseKeypoint": "converts numbers",
    "KfvtonPoseToPoseKeypoint": "converts numbers",
    "KfvtonParseFromImage": "vectorised colour lookup",
    "KfvtonParseFromMasks": "vectorised argmax",
    "KfvtonParseLayout": "vectorised label table",
    "KfvtonKeypointEditor": "applies the edits to the whole batch at once; shows item 0",
}
#: the learned stages loop as KfvtonTryOn does (nodes/learned.py: map_items with chunks sized to free memory)
LEARNED_STAGES = {
    "KfvtonSegmentationGenerator",
    "KfvtonKeypointDetector",
    "KfvtonCoattentionFlowWarp",
    "KfvtonSpadeGenerator",
}


def test_every_node_is_looked_at():
    """A new node is either tested above for progress and Cancel or listed here with the reason it has no loop."""
    covered = set(LOOPING_NODES) | LEARNED_STAGES | set(NO_BATCH_LOOP)
    assert set(NODE_CLASS_MAPPINGS) == covered, set(NODE_CLASS_MAPPINGS) ^ covered


@pytest.mark.parametrize("node_id", sorted(LEARNED_STAGES))
def test_learned_stages_run_through_map_items(node_id: str, monkeypatch, node_inputs, comfy_standin):
    from comfyui_kfvton.nodes import learned

    calls = []
    original = learned.map_items
    monkeypatch.setattr(learned, "map_items", lambda *a, **k: calls.append(k["what"]) or original(*a, **k))
    _call(node_id, node_inputs(NODE_CLASS_MAPPINGS[node_id]))
    assert calls and comfy_standin.progress, node_id
