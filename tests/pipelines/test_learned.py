"""The learned try-on pipeline with tiny random-weight networks: stages, parity with WarpNetwork.forward, sizes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from kfvton.checkpoints.io import load_bundle
from kfvton.geometry.warp import Warp, apply_warp
from kfvton.keypoints.pose import Pose
from kfvton.models.warp_network import WarpNetwork, warp_garment
from kfvton.pipelines.learned import (
    apply_flow,
    detect_keypoints,
    kfvton_tryon,
    kfvton_tryon_photos,
    predict_flow,
)
from kfvton.preprocess.io import load_image, load_mask, load_parse
from kfvton.preprocess.network_inputs import NetworkInputs, build_network_inputs
from kfvton.train.trainer import _Networks
from tests._tiny_kfvton import TINY_HW, write_tiny_bundle


@pytest.fixture(scope="module")
def bundle_files(tmp_path_factory):
    return write_tiny_bundle(tmp_path_factory.mktemp("bundle"))


@pytest.fixture(scope="module")
def photos(vitonhd_dir: Path) -> dict:
    person = load_image(vitonhd_dir / "image" / "00891_00.jpg")
    people = json.loads((vitonhd_dir / "openpose-json" / "00891_00_keypoints.json").read_text())["people"]
    joints = torch.tensor(people[0]["pose_keypoints_2d"], dtype=torch.float32).view(1, 25, 3)
    return {
        "person": person,
        "garment": load_image(vitonhd_dir / "cloth" / "01260_00.jpg"),
        "garment_mask": load_mask(vitonhd_dir / "cloth-mask" / "01260_00.jpg"),
        "pose": Pose(joints, tuple(person.shape[-2:])),
        "parse": load_parse(vitonhd_dir / "image-parse" / "00891_00.png"),
    }


def test_stages_match_warp_network_forward(bundle_files, photos):
    bundle = load_bundle(*bundle_files)
    inputs = build_network_inputs(**photos, size_hw=TINY_HW)
    stages: list[str] = []
    result = kfvton_tryon(bundle, inputs, with_tps_warp=True, on_stage=stages.append)
    assert stages == ["seg", "keypoints", "flow", "generator"]
    with torch.no_grad():
        ref = bundle.warp(
            inputs.garment, result.parse.clothes_mask, inputs.agnostic, inputs.pose_image, result.parse.scores
        )
    assert torch.allclose(result.image, ((ref.tryon + 1) / 2).clamp(0, 1), atol=1e-5)
    assert torch.allclose(result.flow.warp.grid, ref.grid, atol=1e-6)
    assert torch.allclose(result.keypoints.source_norm, ref.kp_source)
    # shapes, ranges, types
    assert result.image.shape == (1, 3, *TINY_HW) and 0 <= result.image.min() and result.image.max() <= 1
    assert result.parse.labels.shape == (1, *TINY_HW) and result.parse.scores.shape == (1, 7, *TINY_HW)
    pairs = result.keypoints.pairs
    assert pairs.origin == "learned" and pairs.groups == 8 and len(pairs.names) == 96
    assert pairs.garment_hw == pairs.person_hw == TINY_HW
    assert (pairs.garment_px[..., :2] >= -0.5).all() and (pairs.garment_px[..., 0] <= TINY_HW[1] - 0.5).all()
    assert result.flow.warp.kind == "flow" and result.flow.warp.occlusion.shape == (1, 1, *TINY_HW)
    assert result.tps_warp is not None and result.tps_warp.tps.control.shape == (1, 8, 12, 2)
    # the Warp payload reproduces the warped garment through the generic apply_warp
    again = apply_warp(inputs.garment, result.flow.warp, padding_mode="border") * result.flow.warp.occlusion
    assert torch.allclose((again + 1) / 2, result.warped_garment, atol=1e-5)


@pytest.mark.parametrize("size_hw", [(256, 192)])
def test_larger_working_size(bundle_files, photos, size_hw):
    bundle = load_bundle(*bundle_files)
    result = kfvton_tryon_photos(bundle, **photos, size_hw=size_hw)
    assert result.image.shape == (1, 3, *size_hw)
    assert result.flow.warp.grid.shape == (1, *size_hw, 2)
    assert result.flow.deformation.shape == (1, TINY_HW[0] // 2, TINY_HW[1] // 2, 2)
    assert result.keypoints.pairs.person_hw == size_hw


def test_bf16_close_to_fp32_and_batch(bundle_files, photos):
    fp32 = load_bundle(*bundle_files)
    bf16 = load_bundle(*bundle_files, dtype=torch.bfloat16)
    args = dict(photos, person=photos["person"].expand(2, -1, -1, -1))
    inputs = build_network_inputs(**args, size_hw=TINY_HW)
    a, b = kfvton_tryon(fp32, inputs), kfvton_tryon(bf16, inputs)
    assert a.image.shape[0] == b.image.shape[0] == 2
    assert b.image.dtype == torch.float32 and torch.isfinite(b.image).all()
    # random tiny weights are far less tame than trained ones; this bounds gross precision errors only
    assert (a.image - b.image).abs().mean() < 0.1


def test_stage_errors(bundle_files):
    bundle = load_bundle(*bundle_files)
    with pytest.raises(ValueError, match="clothes_mask"):
        detect_keypoints(bundle, torch.zeros(1, 3, *TINY_HW), torch.zeros(2, 1, *TINY_HW))
    with pytest.raises(TypeError, match="inputs"):
        kfvton_tryon(bundle, {"garment": torch.zeros(1)})
    tps_like = Warp(grid=torch.zeros(1, *TINY_HW, 2), align_corners=True, kind="tps")
    with pytest.raises(ValueError, match="flow: expected a grid read with align_corners=False"):
        apply_flow(torch.zeros(1, 3, *TINY_HW), tps_like)


def _random_inputs(batch: int, size_hw: tuple[int, int], seed: int = 0) -> NetworkInputs:
    gen = torch.Generator().manual_seed(seed)

    def image() -> torch.Tensor:
        return torch.rand(batch, 3, *size_hw, generator=gen) * 2 - 1

    def onehot(n: int) -> torch.Tensor:
        labels = torch.randint(0, n, (batch, *size_hw), generator=gen)
        return torch.nn.functional.one_hot(labels, n).permute(0, 3, 1, 2).float()

    region = torch.zeros(batch, 1, *size_hw)
    region[..., size_hw[0] // 4 : 3 * size_hw[0] // 4, size_hw[1] // 4 : 3 * size_hw[1] // 4] = 1
    return NetworkInputs(
        person=image(), agnostic=image(), parse14=onehot(14), parse_agnostic14=onehot(14), parse7=onehot(7),
        parse_agnostic7=onehot(7), pose_image=image(), garment=image(), garment_mask=region.roll(5, -1),
        person_clothes_mask=region, pose=Pose(torch.zeros(batch, 25, 3), size_hw), size_hw=size_hw,
    )  # fmt: skip


@pytest.mark.parametrize("size_hw", [TINY_HW, (2 * TINY_HW[0], 2 * TINY_HW[1])])
def test_network_pipeline_and_training_share_one_motion_path(bundle_files, monkeypatch, size_hw):
    """WarpNetwork.forward, the learned pipeline's stages and the trainer's forward all go through
    `WarpNetwork.motion` and give the same keypoints, flow, occlusion and warped garment -- also at a working size
    other than the motion size (resize down, grid upsample)."""
    bundle = load_bundle(*bundle_files)
    net = bundle.warp
    calls: list[str] = []
    original = WarpNetwork.motion

    def spy(self, *args, **kwargs):
        calls.append("motion")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(WarpNetwork, "motion", spy)
    inputs = _random_inputs(2, size_hw)
    region = inputs.person_clothes_mask
    with torch.no_grad():
        ref = net(inputs.garment, region, inputs.agnostic, inputs.pose_image, inputs.parse7)
        assert calls == ["motion"]
        keypoints = detect_keypoints(bundle, inputs.garment, region)
        flow = predict_flow(bundle, inputs.garment, region, keypoints)
        assert calls == ["motion"] * 2
        warped = apply_flow(inputs.garment, flow.warp)
        train = _Networks(None, net)(inputs, None, True)
        assert calls == ["motion"] * 3
    assert ref.grid.shape == (2, *size_hw, 2)
    assert torch.equal(keypoints.source_norm, ref.kp_source) and torch.equal(keypoints.ref_norm, ref.kp_ref)
    assert torch.equal(flow.warp.grid, ref.grid) and torch.equal(flow.deformation, ref.deformation)
    assert torch.equal(flow.warp.occlusion, ref.occlusion)
    assert torch.equal(warped, ref.warped)
    assert torch.equal(train["warped"], ref.warped) and torch.equal(train["occlusion"], ref.occlusion)
    assert torch.equal(train["kp_source"], ref.kp_source)
    assert torch.equal(train["tryon"], ref.tryon)
    # the mask goes through the same grid and occlusion as the garment
    assert torch.equal(train["warped_mask"], warp_garment(inputs.garment_mask, ref.grid, ref.occlusion))
