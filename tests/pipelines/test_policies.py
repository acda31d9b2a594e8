"""Choices the nodes and the CLI share, made once in the library: the warp method and the pose model files."""

from __future__ import annotations

import pytest
import torch

from kfvton.keypoints.pairs import KeypointPairs
from kfvton.pipelines.classical import WARP_METHODS, warp_keypoint_pairs
from kfvton.pipelines.tryon_cli import pose_model_files


def _pairs(names: tuple[str, ...], groups: int = 1) -> KeypointPairs:
    n = len(names)
    xy = torch.rand(1, n, 2) * 40 + 10
    pts = torch.cat((xy, torch.ones(1, n, 1)), dim=-1)
    return KeypointPairs(pts, pts.clone(), names, (64, 64), (64, 64), groups=groups, origin="learned")


class TestWarpKeypointPairs:
    def test_other_points_get_one_spline(self):
        names = tuple(f"k{i}" for i in range(8))
        warp = warp_keypoint_pairs(_pairs(names), torch.ones(1, 1, 64, 64), method="auto")
        assert warp.kind == "tps" and warp.size_hw == (64, 64)

    def test_bad_method_names_it(self):
        with pytest.raises(ValueError, match="method: expected one of"):
            warp_keypoint_pairs(_pairs(("a", "b", "c")), torch.ones(1, 1, 64, 64), method="fancy")
        assert WARP_METHODS[0] == "auto"


class TestPoseModelFiles:
    def test_auto_finds_nothing_to_choose(self, tmp_path):
        assert pose_model_files(None, None, [tmp_path]) is None

    def test_explicit_model_finds_detector_next_to_it(self, tmp_path):
        (tmp_path / "my_pose.onnx").write_bytes(b"x")
        (tmp_path / "yolox_l.onnx").write_bytes(b"x")
        files = pose_model_files(str(tmp_path / "my_pose.onnx"), None, [])
        assert files.pose.endswith("my_pose.onnx") and files.detector.endswith("yolox_l.onnx")
        assert pose_model_files(str(tmp_path / "my_pose.onnx"), "none", []).detector is None

    def test_detector_choice_honoured_with_auto_model(self, tmp_path):
        (tmp_path / "dw-ll_ucoco_384.onnx").write_bytes(b"x")
        (tmp_path / "yolox_l.onnx").write_bytes(b"x")
        files = pose_model_files(None, "none", [tmp_path])
        assert files.pose.endswith("dw-ll_ucoco_384.onnx") and files.detector is None
