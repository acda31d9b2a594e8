"""Behaviour of the perception nodes, called as ComfyUI calls them."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from comfyui_kfvton.kfvton.keypoints import estimate as estimate_module
from comfyui_kfvton.kfvton.keypoints.formats import pose_from_pose_keypoint, pose_to_array, pose_to_pose_keypoint
from comfyui_kfvton.kfvton.keypoints.pose import Pose
from comfyui_kfvton.kfvton.preprocess.io import load_image, load_parse
from comfyui_kfvton.kfvton.preprocess.parse_labels import class_masks_from_labels, voc_palette
from comfyui_kfvton.nodes.inputs import (
    KfvtonHumanParser,
    KfvtonParseFromImage,
    KfvtonParseFromMasks,
    KfvtonPoseEstimator,
    KfvtonRegionEstimator,
)
from comfyui_kfvton.nodes.types import ParseMap

from tests._tiny_onnx import build_parser, build_pose_model
from tests.nodes.conftest import PERSON_HW, make_parse, make_person, make_pose


@pytest.fixture
def no_mediapipe(monkeypatch):
    monkeypatch.setattr(estimate_module, "mediapipe_version", lambda: None)


class TestPoseEstimator:
    def test_given_pose_keypoint_is_used(self):
        value = pose_to_pose_keypoint(make_pose())
        pose, pose_kp, method = KfvtonPoseEstimator().run(make_person(), pose_keypoint=value)
        assert method.startswith("pose: given")
        assert torch.allclose(pose.joints, make_pose().joints, atol=1e-3)
        assert pose_kp == value

    def test_given_pose_wins_over_pose_keypoint(self):
        other = Pose(make_pose().joints + 1.0, PERSON_HW)
        pose, _, _ = KfvtonPoseEstimator().run(
            make_person(), pose=other, pose_keypoint=pose_to_pose_keypoint(make_pose())
        )
        assert torch.equal(pose.joints, other.joints)

    def test_onnx_model_by_path(self, tmp_path):
        model = build_pose_model(tmp_path / "dw-ll_ucoco_384.onnx")
        pose, pose_kp, method = KfvtonPoseEstimator().run(make_person(), pose_model=str(model), detector_model="none")
        assert "onnx" in method and "dw-ll_ucoco_384.onnx" in method
        assert isinstance(pose, Pose) and pose.canvas_hw == PERSON_HW

    def test_pose_keypoint_output_draws_in_other_packs(self, tmp_path):
        """POSE_KEYPOINT: one dict per image, OpenPose-18 pixel triples and the canvas size (DWPose layout)."""
        model = build_pose_model(tmp_path / "dw-ll_ucoco_384.onnx")
        person = torch.cat((make_person(), make_person()))
        pose, pose_kp, _ = KfvtonPoseEstimator().run(person, pose_model=str(model), detector_model="none")
        assert isinstance(pose_kp, list) and len(pose_kp) == 2
        frame = pose_kp[0]
        assert frame["canvas_height"] == PERSON_HW[0] and frame["canvas_width"] == PERSON_HW[1]
        kps = frame["people"][0]["pose_keypoints_2d"]
        assert len(kps) == 54 and max(kps[0::3]) > 1.0  # pixels, not normalised
        back = pose_from_pose_keypoint(pose_kp)
        assert torch.allclose(pose_to_array(back, "coco18"), pose_to_array(pose, "coco18"), atol=0.01)

    def test_nothing_available(self, no_mediapipe):
        with pytest.raises(FileNotFoundError, match="yolox_l.onnx.*dw-ll_ucoco_384.onnx"):
            KfvtonPoseEstimator().run(make_person())

    def test_wrong_file(self, tmp_path):
        junk = tmp_path / "x.onnx"
        junk.write_bytes(b"nope")
        with pytest.raises(ValueError, match="cannot read"):
            KfvtonPoseEstimator().run(make_person(), pose_model=str(junk), detector_model="none")


class TestParsers:
    def test_human_parser(self, tmp_path):
        weights = np.zeros((20, 3), np.float32)
        weights[0], weights[5] = (-0.5, 0.0, -0.5), (1.0, 0.0, 0.0)  # blue shirt -> upper clothes
        model = build_parser(tmp_path / "p.onnx", weights)
        parse, image, upper, method = KfvtonHumanParser().run(make_person(), str(model))
        assert isinstance(parse, ParseMap)
        assert parse.labels.shape == (1, *PERSON_HW) and parse.labels.dtype == torch.int64
        assert image.shape == (1, *PERSON_HW, 3) and upper.shape == (1, *PERSON_HW)
        assert float(upper[0, 30:50, 22:42].mean()) > 0.9 and "lip" in method

    def test_parse_from_sample_palette_png_loaded_as_image(self, vitonhd_dir):
        """A VITON-HD parse PNG through ComfyUI's Load Image (palette -> RGB) gives the ids back."""
        path = next((vitonhd_dir / "image-parse").glob("*.png"))
        image = load_image(path).permute(0, 2, 3, 1)
        parse, preview, upper = KfvtonParseFromImage().run(image, "vitonhd", "cihp")
        assert torch.equal(parse.labels, load_parse(path))
        assert preview.shape == image.shape

    def test_parse_from_voc_atr_and_grey(self):
        atr = torch.tensor([[[0, 4, 7, 16]]])
        colours = torch.tensor(voc_palette(18), dtype=torch.float32)[atr] / 255  # (1, 1, 4, 3)
        parse, _, upper = KfvtonParseFromImage().run(colours, "atr", "voc")
        assert parse.labels.tolist() == [[[0, 5, 6, 0]]] and upper.tolist() == [[[0.0, 1.0, 1.0, 0.0]]]
        grey = (atr.float() / 255)[..., None].expand(-1, -1, -1, 3)
        assert KfvtonParseFromImage().run(grey, "atr", "grey_ids")[0].labels.tolist() == [[[0, 5, 6, 0]]]

    def test_parse_from_masks(self):
        masks = class_masks_from_labels(make_parse(), 20)[0]
        parse, _, _ = KfvtonParseFromMasks().run(masks, "vitonhd", 0.5)
        assert torch.equal(parse.labels, make_parse())
        without_bg = KfvtonParseFromMasks().run(masks[1:], "vitonhd", 0.5)[0]
        assert torch.equal(without_bg.labels, make_parse())

    def test_parse_from_masks_wrong_count(self):
        with pytest.raises(ValueError, match="masks: expected 18 masks"):
            KfvtonParseFromMasks().run(torch.zeros(5, 8, 8), "atr", 0.5)


class TestRegionEstimator:
    def test_outputs(self):
        parse, garment, keep, sil, image, method = KfvtonRegionEstimator().run(make_person(), make_pose())
        assert parse.labels.shape == (1, *PERSON_HW) and garment.shape == keep.shape == sil.shape == (1, *PERSON_HW)
        assert "lower quality" in method
        assert float(garment[0, 30:50, 22:42].mean()) > 0.8  # the blue shirt block
        assert float((garment * keep).sum()) == 0.0

    def test_given_silhouette(self):
        sil = torch.zeros(1, *PERSON_HW)
        sil[:, 4:60, 16:48] = 1
        out = KfvtonRegionEstimator().run(make_person(), make_pose(), silhouette=sil)
        assert "silhouette given" in out[-1] and torch.equal(out[3], sil)
