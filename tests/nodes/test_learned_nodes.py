"""Learned KF-VTON nodes: workflow outputs (shapes, ranges, wiring), batches, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from comfyui_kfvton.kfvton.keypoints.pairs import KeypointPairs
from comfyui_kfvton.nodes import NODE_CLASS_MAPPINGS
from comfyui_kfvton.nodes.learned import KfvtonSpadeGenerator, KfvtonTryOn
from comfyui_kfvton.nodes.models import KfvtonLoadModel

from tests.nodes._batch_items import assert_items_match, item, shifted_pose, tinted
from tests.nodes._learned_fixtures import learned_stage, learned_workflow_setup, tiny_checkpoints
from tests.nodes.conftest import garment_mask, make_garment, make_parse, make_person, make_pose

ROOT = Path(__file__).resolve().parents[2]


def _input_dirs(samples_dir: Path) -> list[Path]:
    test = samples_dir / "vitonhd" / "test"
    return [test / "image", test / "cloth", test / "openpose-json", test / "image-parse", samples_dir]


def test_learned_pipeline_workflow_outputs(samples_dir, runner, tmp_path):
    path = ROOT / "example_workflows" / "kfvton_learned_pipeline.json"
    result = runner.run_ui_workflow(
        path, NODE_CLASS_MAPPINGS, input_dirs=_input_dirs(samples_dir), **learned_workflow_setup(tmp_path)
    )
    (saved,) = result.images("SaveImage")
    assert saved.shape == (1, 256, 192, 3)
    detector = next(n for n in result.order if result.types[n] == "KfvtonKeypointDetector")
    pairs = result.outputs[detector][0]
    assert isinstance(pairs, KeypointPairs) and pairs.origin == "learned" and pairs.groups == 8
    tps = next(n for n in result.order if result.types[n] == "KfvtonTpsWarp")
    assert result.outputs[tps][0].shape == (1, 256, 192, 3)  # the TPS Warp node takes learned keypoints
    flow = next(n for n in result.order if result.types[n] == "KfvtonCoattentionFlowWarp")
    occlusion = result.outputs[flow][2]
    assert occlusion.shape == (1, 256, 192) and 0 <= occlusion.min() and occlusion.max() <= 1


def test_tryon_node_batch_and_size(tmp_path):
    model = KfvtonLoadModel().run(**tiny_checkpoints(tmp_path), dtype="bf16")[0]
    image, warped, pairs, flow = KfvtonTryOn().run(
        model, make_person(2), make_garment(1), garment_mask(1), make_pose(2), make_parse(1), size="512x384"
    )
    assert image.shape == warped.shape == (2, 512, 384, 3)
    assert pairs.batch_size == 2 and pairs.person_hw == (512, 384)
    assert flow.kind == "flow" and flow.size_hw == (512, 384)
    assert torch.isfinite(image).all() and 0 <= image.min() and image.max() <= 1


def test_tryon_node_batch_items_match_single_runs(tmp_path):
    """Each item of a batched learned try-on is that person's own result (not item 0's), in float32."""
    model = KfvtonLoadModel().run(**tiny_checkpoints(tmp_path), dtype="fp32")[0]
    persons, poses = tinted(make_person(2)), shifted_pose(make_pose(2))
    garment, mask, parse = make_garment(1), garment_mask(1), make_parse(1)
    image, warped, pairs, _ = KfvtonTryOn().run(model, persons, garment, mask, poses, parse, size="256x192")

    def one(i: int) -> list[torch.Tensor]:
        o = KfvtonTryOn().run(model, item(persons, i), garment, mask, item(poses, i), parse, size="256x192")
        return [o[0], o[1], o[2].person_px]

    assert_items_match([image, warped, pairs.person_px], one, 2, atol=1e-4)


def test_errors(tmp_path):
    files = tiny_checkpoints(tmp_path)
    with pytest.raises(ValueError, match="dtype"):
        KfvtonLoadModel().run(**files, dtype="int8")
    with pytest.raises(FileNotFoundError, match="nope.safetensors"):
        KfvtonLoadModel().run(seg_checkpoint="nope.safetensors", warp_checkpoint=files["warp_checkpoint"])
    kwargs = learned_stage(tmp_path, "spade")
    with pytest.raises(TypeError, match="model: expected KFVTON_MODEL"):
        KfvtonSpadeGenerator().run(**dict(kwargs, model="not a model"))
    with pytest.raises(TypeError, match="flow: expected KFVTON_FLOW"):
        KfvtonSpadeGenerator().run(**dict(kwargs, flow=torch.zeros(1)))
