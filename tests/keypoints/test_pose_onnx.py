from __future__ import annotations

import numpy as np
import pytest
import torch

from kfvton.keypoints.formats import COCO17_JOINTS
from kfvton.keypoints.pose import joint_index
from kfvton.keypoints.pose_onnx import (
    WHOLEBODY_FEET,
    PoseModelFiles,
    decode_simcc,
    detect_people,
    estimate_pose_onnx,
)
from tests._tiny_onnx import build_detector, build_pose_model

H, W = 160, 120
PERSON_BOX = (20.0, 30.0, 100.0, 150.0)  # photo pixels
DET_HW = (64, 64)
# spot centres (x, y) by the pose model's input channel (BGR order: 0 = blue, 1 = green, 2 = red)
SPOTS = {0: (40, 60), 1: (70, 90), 2: (50, 130)}
RGB_OF_CHANNEL = {0: 2, 1: 1, 2: 0}  # BGR input channel -> RGB photo channel
SPOT = 6


def _photo() -> torch.Tensor:
    img = torch.zeros(1, 3, H, W)
    for ch, (x, y) in SPOTS.items():
        img[0, RGB_OF_CHANNEL[ch], y - SPOT // 2 : y + SPOT // 2, x - SPOT // 2 : x + SPOT // 2] = 1.0
    return img


def _det_box(box=PERSON_BOX):
    ratio = min(DET_HW[0] / H, DET_HW[1] / W)
    return tuple(v * ratio for v in box)


@pytest.fixture
def models(tmp_path):
    pose = build_pose_model(tmp_path / "dw-ll_ucoco_384.onnx")
    det = build_detector(tmp_path / "yolox_l.onnx", [_det_box()], input_hw=DET_HW)
    return PoseModelFiles(str(pose), str(det))


class TestDecodeSimcc:
    def test_argmax_and_score(self):
        sx = np.zeros((2, 3, 20), np.float32)
        sy = np.zeros((2, 3, 30), np.float32)
        sx[1, 2, 13], sy[1, 2, 7] = 0.9, 0.4
        out = decode_simcc(sx, sy, split_ratio=2.0)
        assert out.xy_px.shape == (2, 3, 2)
        np.testing.assert_allclose(out.xy_px[1, 2], [6.5, 3.5])
        assert out.scores[1, 2] == pytest.approx(0.4)  # the smaller maximum
        assert out.scores[0, 0] == 0.0

    def test_separate_ratios(self):
        sx = np.zeros((1, 1, 10), np.float32)
        sy = np.zeros((1, 1, 10), np.float32)
        sx[0, 0, 6] = sy[0, 0, 6] = 1
        np.testing.assert_allclose(decode_simcc(sx, sy, split_ratio=(2.0, 3.0)).xy_px[0, 0], [3.0, 2.0])

    def test_bad_shapes(self):
        with pytest.raises(ValueError, match="simcc_x"):
            decode_simcc(np.zeros((1, 3, 4)), np.zeros((1, 2, 4)), split_ratio=2)


class TestDetectPeople:
    def test_box_maps_back_to_photo(self, models):
        rgb = (_photo()[0].permute(1, 2, 0).numpy() * 255).astype(np.uint8)
        found = detect_people(rgb, models.detector)
        assert found.boxes_px.shape == (1, 4)
        np.testing.assert_allclose(found.boxes_px[0], PERSON_BOX, atol=0.5)
        assert found.scores[0] == pytest.approx(0.81, abs=1e-4)

    def test_nms_keeps_one_of_overlapping(self, tmp_path):
        a = _det_box()
        b = tuple(v + 1.0 for v in a)
        det = build_detector(tmp_path / "det.onnx", [a, b], input_hw=DET_HW)
        found = detect_people(np.zeros((H, W, 3), np.uint8), det)
        assert len(found.scores) == 1


class TestEstimatePoseOnnx:
    def _check_spots(self, pose, layout_names, channel_of):
        for k, name in enumerate(layout_names):
            x, y, c = pose.joints[0, joint_index(name)].tolist()
            sx, sy = SPOTS[channel_of(k)]
            assert c > 0, name
            assert abs(x - sx) <= SPOT and abs(y - sy) <= SPOT, (name, (x, y), (sx, sy))

    def test_end_to_end_with_detector(self, models):
        pose = estimate_pose_onnx(_photo(), models)
        assert pose.canvas_hw == (H, W) and pose.joints.shape == (1, 25, 3)
        self._check_spots(pose, COCO17_JOINTS, lambda k: k % 3)
        # neck and mid-hip are derived from the shoulders / hips; the feet stay missing with COCO-17
        assert pose.joint("neck")[0, 2] > 0
        assert pose.joint("left_heel")[0, 2] == 0

    def test_whole_photo_box_without_detector(self, models):
        pose = estimate_pose_onnx(_photo(), PoseModelFiles(models.pose))
        self._check_spots(pose, COCO17_JOINTS, lambda k: k % 3)

    def test_rgb_channel_order_swaps_spots(self, models):
        pose = estimate_pose_onnx(_photo(), models, channel_order="rgb")
        # joint 0 now reads the red channel, which holds the spot of BGR channel 2
        x, y, _ = pose.joint("nose")[0].tolist()
        assert abs(x - SPOTS[2][0]) <= SPOT and abs(y - SPOTS[2][1]) <= SPOT

    def test_wholebody_feet(self, tmp_path):
        pose_path = build_pose_model(tmp_path / "wb.onnx", joints=133, input_hw=(64, 48))
        pose = estimate_pose_onnx(_photo(), PoseModelFiles(str(pose_path)))
        self._check_spots(pose, WHOLEBODY_FEET, lambda k: (17 + k) % 3)

    def test_batch_of_two(self, models):
        photos = torch.cat((_photo(), _photo().flip(-1)))
        pose = estimate_pose_onnx(photos, PoseModelFiles(models.pose))
        assert pose.batch_size == 2
        x0 = pose.joint("nose")[0, 0]
        assert float(pose.joint("nose")[1, 0]) == pytest.approx(W - 1 - float(x0), abs=SPOT)

    def test_confidence_threshold(self, models):
        pose = estimate_pose_onnx(_photo(), models, conf_threshold=100.0)
        assert (pose.joints[..., 2] == 0).all()

    def test_no_person_found(self, tmp_path, models):
        det = build_detector(tmp_path / "empty.onnx", [_det_box()], input_hw=DET_HW, score=0.1)
        with pytest.raises(ValueError, match="no person found in batch item 0"):
            estimate_pose_onnx(_photo(), PoseModelFiles(models.pose, str(det)))

    def test_wrong_output_names(self, tmp_path):
        bad = build_pose_model(tmp_path / "bad.onnx", output_names=("heatmap_x", "heatmap_y"))
        with pytest.raises(ValueError, match="pose_model: .*'simcc_x' and 'simcc_y'.*heatmap_x"):
            estimate_pose_onnx(_photo(), PoseModelFiles(str(bad)))

    def test_detector_given_as_pose_model(self, models):
        with pytest.raises(ValueError, match="pose_model: .*not a DWPose/RTMPose SimCC pose model"):
            estimate_pose_onnx(_photo(), PoseModelFiles(models.detector))

    def test_pose_model_given_as_detector(self, models):
        with pytest.raises(ValueError, match="detector_model: .*not a YOLOX person detector"):
            estimate_pose_onnx(_photo(), PoseModelFiles(models.pose, models.pose))

    def test_unreadable_file(self, tmp_path):
        junk = tmp_path / "dw-ll_ucoco_384.onnx"
        junk.write_bytes(b"this is not a protobuf \x00\xff" * 10)
        with pytest.raises(ValueError, match="pose_model: cannot read .* as an ONNX model"):
            estimate_pose_onnx(_photo(), PoseModelFiles(str(junk)))

    def test_missing_file(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="pose_model"):
            estimate_pose_onnx(_photo(), PoseModelFiles(str(tmp_path / "nope.onnx")))

    def test_wrong_joint_count(self, tmp_path):
        path = build_pose_model(tmp_path / "halpe.onnx", joints=26)
        with pytest.raises(ValueError, match="17 .* or 133 .* got 26"):
            estimate_pose_onnx(_photo(), PoseModelFiles(str(path)))

    def test_bad_image(self, models):
        with pytest.raises(ValueError, match="image"):
            estimate_pose_onnx(torch.zeros(1, H, W, 3), models)


def test_oracle_model_gives_the_sample_pose_back(vitonhd_dir, tmp_path):
    """A constant SimCC model holding a sample's OpenPose joints (in crop pixels) -> the same joints in the photo."""
    from kfvton.keypoints.formats import pose_from_openpose_json, pose_to_array
    from kfvton.preprocess.io import load_image
    from tests._tiny_onnx import oracle_pose_model

    truth = pose_from_openpose_json(vitonhd_dir / "openpose-json" / "00891_00_keypoints.json", (1024, 768))
    coco = pose_to_array(truth, "coco17")[0]
    model = oracle_pose_model(tmp_path / "oracle.onnx", coco.numpy(), (1024, 768))
    pose = estimate_pose_onnx(load_image(vitonhd_dir / "image" / "00891_00.jpg"), PoseModelFiles(str(model)))
    present = coco[:, 2] > 0
    got = pose_to_array(pose, "coco17")[0]
    err = (got[present, :2] - coco[present, :2]).norm(dim=-1)
    assert float(err.max()) < 3.0  # one SimCC bin is 1/split input px = 2.7 photo px here
    assert torch.equal(got[:, 2] > 0, present)  # missing joints stay missing
