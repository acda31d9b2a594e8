from __future__ import annotations

import json
import re

import pytest
import torch

from kfvton.keypoints import estimate as estimate_module
from kfvton.keypoints.estimate import PoseUnavailableError, check_front_view, estimate_pose, find_pose_models
from kfvton.keypoints.formats import pose_to_pose_keypoint
from kfvton.keypoints.pose import Pose, joint_index
from tests._tiny_onnx import build_detector, build_pose_model

H, W = 96, 72


def _photo() -> torch.Tensor:
    img = torch.zeros(1, 3, H, W)
    img[0, :, 40:46, 30:36] = 1.0  # a white spot: every joint lands on it
    return img


def _pose(x: float = 10.0) -> Pose:
    joints = torch.zeros(1, 25, 3)
    joints[0, :, 0], joints[0, :, 1], joints[0, :, 2] = x, 20.0, 0.9
    return Pose(joints, (H, W))


@pytest.fixture
def pose_dir(tmp_path):
    folder = tmp_path / "pose"
    build_pose_model(folder / "dw-ll_ucoco_384.onnx")
    build_detector(folder / "yolox_l.onnx", [(0.0, 0.0, 48.0, 64.0)], input_hw=(64, 64))
    return folder


@pytest.fixture
def no_mediapipe(monkeypatch):
    monkeypatch.setattr(estimate_module, "mediapipe_version", lambda: None)


class TestFindPoseModels:
    def test_finds_known_names(self, pose_dir):
        found = find_pose_models([pose_dir])
        assert found.pose.endswith("dw-ll_ucoco_384.onnx") and found.detector.endswith("yolox_l.onnx")

    def test_pose_without_detector(self, tmp_path):
        build_pose_model(tmp_path / "dw-mm_ucoco.onnx")
        found = find_pose_models([tmp_path])
        assert found.detector is None and found.describe().endswith("(whole photo as box)")

    def test_none(self, tmp_path):
        (tmp_path / "other.onnx").write_bytes(b"")
        assert find_pose_models([tmp_path]) is None


class TestEstimatePose:
    def test_given_pose_wins_over_models(self, pose_dir):
        result = estimate_pose(_photo(), given=_pose(), search_dirs=[pose_dir])
        assert result.method == "given"
        assert torch.equal(result.pose.joints, _pose().joints)

    def test_given_rescaled_to_photo(self):
        small = Pose(_pose().joints, (H // 2, W // 2))
        result = estimate_pose(_photo(), given=small)
        assert result.pose.canvas_hw == (H, W)
        assert float(result.pose.joints[0, 0, 0]) == pytest.approx((10 + 0.5) * 2 - 0.5)

    def test_given_pose_keypoint_and_json_file(self, tmp_path):
        value = pose_to_pose_keypoint(_pose(x=12.0))
        assert estimate_pose(_photo(), given=value).method == "given"
        path = tmp_path / "p.json"
        path.write_text(json.dumps(value[0]))
        result = estimate_pose(_photo(), given=str(path))
        assert float(result.pose.joint("right_shoulder")[0, 0]) == pytest.approx(12.0)

    def test_given_wrong_kind(self):
        with pytest.raises(TypeError, match="pose: expected a Pose"):
            estimate_pose(_photo(), given=3.5)

    def test_onnx_found_in_folder(self, pose_dir, no_mediapipe):
        result = estimate_pose(_photo(), search_dirs=[pose_dir])
        assert result.method == "onnx" and "dw-ll_ucoco_384.onnx + yolox_l.onnx" in result.detail
        x, y, c = result.pose.joint("nose")[0].tolist()
        assert c > 0 and 28 <= x <= 37 and 38 <= y <= 47

    def test_nothing_available_says_what_to_do(self, tmp_path, no_mediapipe):
        with pytest.raises(PoseUnavailableError) as info:
            estimate_pose(_photo(), search_dirs=[tmp_path])
        text = str(info.value)
        for needed in ("--pose", "yolox_l.onnx", "dw-ll_ucoco_384.onnx", str(tmp_path), "pip install", "mediapipe"):
            assert needed in text
        assert "mediapipe is not installed" in text
        assert isinstance(info.value, FileNotFoundError)

    def test_mediapipe_without_model_is_reported(self, tmp_path, monkeypatch):
        monkeypatch.setattr(estimate_module, "mediapipe_version", lambda: "1.2.3")
        monkeypatch.setattr(estimate_module, "mediapipe_has_bundled_model", lambda: False)
        with pytest.raises(PoseUnavailableError, match="mediapipe 1.2.3 is installed but ships no pose model"):
            estimate_pose(_photo(), search_dirs=[tmp_path])

    def test_chosen_method_errors_are_not_hidden(self, tmp_path, no_mediapipe):
        (tmp_path / "dw-ll_ucoco_384.onnx").write_bytes(b"garbage")
        with pytest.raises(ValueError, match="cannot read .* as an ONNX model"):
            estimate_pose(_photo(), search_dirs=[tmp_path])


def _model_dirs(sub: str) -> list:
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    dirs = [root / "models" / "kfvton" / sub]
    if os.environ.get("KFVTON_MODELS_DIR"):
        dirs.insert(0, Path(os.environ["KFVTON_MODELS_DIR"]) / sub)
    return dirs


def test_real_pose_model_on_sample_photos(vitonhd_dir):
    """With the real DWPose files (models/kfvton/pose or $KFVTON_MODELS_DIR/pose): close to the dataset's OpenPose."""
    from kfvton.keypoints.formats import pose_from_openpose_json, pose_to_array
    from kfvton.preprocess.io import load_image

    models = find_pose_models(_model_dirs("pose"))
    if models is None:
        pytest.skip("no DWPose/RTMPose ONNX file in models/kfvton/pose (or $KFVTON_MODELS_DIR/pose)")
    errors = []
    for path in sorted((vitonhd_dir / "image").glob("*.jpg")):
        result = estimate_pose(load_image(path), onnx_models=models)
        truth = pose_from_openpose_json(vitonhd_dir / "openpose-json" / f"{path.stem}_keypoints.json", (1024, 768))
        got, ref = pose_to_array(result.pose, "coco17")[0], pose_to_array(truth, "coco17")[0]
        both = (got[:, 2] > 0) & (ref[:, 2] > 0.3)
        errors += (got[both, :2] - ref[both, :2]).norm(dim=-1).tolist()
    mean = sum(errors) / len(errors)
    print(f"{models.describe()} vs OpenPose: mean joint error {mean:.1f} px over {len(errors)} joints")
    assert mean < 25.0


def test_find_detector(pose_dir, tmp_path):
    from kfvton.keypoints.estimate import find_detector

    assert find_detector([tmp_path]) is None
    assert find_detector([tmp_path, pose_dir]).endswith("yolox_l.onnx")


def _body(shoulders: tuple[float, float], hips: tuple[float, float] | None = (70.0, 92.0)) -> Pose:
    """A pose with the right / left shoulder at x = `shoulders` (y 40) and hips at x = `hips` (y 140), or none."""
    joints = torch.zeros(1, 25, 3)
    names = [("right_shoulder", shoulders[0], 40.0), ("left_shoulder", shoulders[1], 40.0)]
    if hips is not None:
        names += [("right_hip", hips[0], 140.0), ("left_hip", hips[1], 140.0)]
    for name, x, y in names:
        joints[0, joint_index(name)] = torch.tensor([x, y, 0.9])
    return Pose(joints, (200, 160))


def test_check_front_view_passes_front_views_and_poses_without_hips():
    check_front_view(_body((50.0, 110.0)))  # shoulders 0.6 of the torso's length apart
    check_front_view(_body((50.0, 110.0), hips=None))  # cut above the hips: the width cannot be judged


@pytest.mark.parametrize(
    "pose, words",
    [
        (_body((110.0, 50.0)), "right shoulder on the image's right"),  # seen from the back
        (_body((110.0, 50.0), hips=None), "right shoulder on the image's right"),
        (_body((70.0, 92.0)), "shoulders 22 px apart for a torso 100 px long"),  # seen from the side
    ],
)
def test_check_front_view_refuses_back_and_side_views(pose, words):
    with pytest.raises(ValueError, match=rf"--person: batch item 0: .*{re.escape(words)}.*expected a front view"):
        check_front_view(pose, name="--person")
