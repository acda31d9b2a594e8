"""Pose format conversions: OpenPose BODY_25 / OpenPose-18 JSON, POSE_KEYPOINT, COCO-17 arrays, round trips."""

from __future__ import annotations

import json

import pytest
import torch

from kfvton.keypoints.formats import (
    COCO17_JOINTS,
    COCO18_JOINTS,
    check_joints_on_canvas,
    check_pose_joints,
    joints_from_array,
    pose_from_array,
    pose_from_openpose_json,
    pose_from_pose_keypoint,
    pose_to_array,
    pose_to_openpose_json,
    pose_to_pose_keypoint,
    read_openpose_json,
    read_pose_keypoint,
    save_openpose_json,
    select_person,
)
from kfvton.keypoints.pose import BODY25_JOINTS, Pose, joint_index

HW = (1024, 768)


def _random_pose(batch: int = 1, seed: int = 0, missing: tuple[str, ...] = ("right_wrist",)) -> Pose:
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(batch, 25, 2, generator=g) * torch.tensor([700.0, 1000.0]) + 10.0
    conf = torch.rand(batch, 25, 1, generator=g) * 0.8 + 0.2
    joints = torch.cat((xy, conf), -1)
    for name in missing:
        joints[:, joint_index(name)] = 0.0
    return Pose(joints, HW)


class TestOpenPoseJson:
    def test_vitonhd_body25(self, vitonhd_dir):
        pose = pose_from_openpose_json(vitonhd_dir / "openpose-json" / "00891_00_keypoints.json", HW)
        raw = json.loads((vitonhd_dir / "openpose-json" / "00891_00_keypoints.json").read_text())
        flat = torch.tensor(raw["people"][0]["pose_keypoints_2d"]).reshape(25, 3)
        assert pose.canvas_hw == HW and pose.joints.shape == (1, 25, 3)
        torch.testing.assert_close(pose.joints[0], flat)
        assert not pose.present("right_wrist").item()  # (0, 0, 0) in the file: missing, not a point at (0, 0)

    def test_hrviton_coco18(self, samples_dir):
        path = samples_dir / "hrviton" / "test" / "openpose_json" / "00006_00_keypoints.json"
        pose = pose_from_openpose_json(path, HW)
        flat = torch.tensor(json.loads(path.read_text())["people"][0]["pose_keypoints_2d"]).reshape(18, 3)
        for i, name in enumerate(COCO18_JOINTS):
            torch.testing.assert_close(pose.joint(name)[0], flat[i])
        hips = (pose.joint("left_hip")[0, :2] + pose.joint("right_hip")[0, :2]) / 2
        torch.testing.assert_close(pose.joint("mid_hip")[0, :2], hips)  # derived
        assert not pose.present("left_big_toe").item()

    @pytest.mark.parametrize("layout", ["body25", "coco18"])
    def test_round_trip_file(self, tmp_path, layout):
        pose = _random_pose()
        path = tmp_path / "p_keypoints.json"
        save_openpose_json(pose, path, layout=layout)
        back = pose_from_openpose_json(path)  # canvas comes from the file
        assert back.canvas_hw == HW
        names = BODY25_JOINTS if layout == "body25" else COCO18_JOINTS
        idx = [joint_index(n) for n in names]
        torch.testing.assert_close(back.joints[0, idx], pose.joints[0, idx], atol=1e-3, rtol=0)

    def test_rescaled_to_canvas(self):
        frame = pose_to_openpose_json(_random_pose())[0]
        back = pose_from_openpose_json(frame, (512, 384))
        assert back.canvas_hw == (512, 384)
        assert float(back.joints[..., 0].max()) < 384

    def test_picks_largest_person(self):
        small = _random_pose(seed=1).joints[0].clone()
        small[:, :2] = small[:, :2] * 0.1 + 5
        big = _random_pose(seed=2).joints[0]
        frame = {
            "people": [
                {"pose_keypoints_2d": small.reshape(-1).tolist()},
                {"pose_keypoints_2d": big.reshape(-1).tolist()},
            ]
        }
        pose = pose_from_openpose_json(frame, HW)
        torch.testing.assert_close(pose.joints[0], big)
        assert select_person([small, big]) == 1

    def test_errors(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="pose"):
            pose_from_openpose_json(tmp_path / "none.json", HW)
        bad = tmp_path / "bad.json"
        bad.write_text("{not json")
        with pytest.raises(ValueError, match="bad.json"):
            pose_from_openpose_json(bad, HW)
        with pytest.raises(ValueError, match="no people"):
            pose_from_openpose_json({"people": []}, HW)
        with pytest.raises(ValueError, match="no people"):
            pose_from_openpose_json({"people": [{"pose_keypoints_2d": [0.0] * 75}]}, HW)
        with pytest.raises(ValueError, match="got 20 keypoints"):
            pose_from_openpose_json({"people": [{"pose_keypoints_2d": [1.0] * 60}]}, HW)
        with pytest.raises(ValueError, match="canvas"):
            pose_from_openpose_json({"people": [{"pose_keypoints_2d": [5.0] * 75}]})


class TestPoseKeypoint:
    def test_round_trip_pixels(self):
        pose = _random_pose(batch=3)
        value = pose_to_pose_keypoint(pose)
        assert len(value) == 3 and value[0]["canvas_width"] == 768 and value[0]["canvas_height"] == 1024
        assert len(value[0]["people"][0]["pose_keypoints_2d"]) == 54
        back = pose_from_pose_keypoint(value)
        idx = [joint_index(n) for n in COCO18_JOINTS]
        torch.testing.assert_close(back.joints[:, idx], pose.joints[:, idx], atol=1e-3, rtol=0)

    def test_normalised_coordinates(self):
        pose = _random_pose()
        arr = pose_to_array(pose, "coco18")[0].clone()
        arr[:, 0] /= 768
        arr[:, 1] /= 1024
        value = [
            {"people": [{"pose_keypoints_2d": arr.reshape(-1).tolist()}], "canvas_width": 768, "canvas_height": 1024}
        ]
        back = pose_from_pose_keypoint(value)
        idx = [joint_index(n) for n in COCO18_JOINTS]
        torch.testing.assert_close(back.joints[:, idx], pose.joints[:, idx], atol=1e-2, rtol=0)

    def test_errors(self):
        with pytest.raises(TypeError, match="pose_keypoint"):
            pose_from_pose_keypoint(42)
        with pytest.raises(ValueError, match=r"pose_keypoint\[0\]: no people"):
            pose_from_pose_keypoint([{"people": [], "canvas_width": 10, "canvas_height": 10}])


class TestArrays:
    def test_coco17_round_trip(self):
        pose = _random_pose(batch=2, missing=())
        arr = pose_to_array(pose, "coco17")
        assert arr.shape == (2, 17, 3)
        back = pose_from_array(arr, HW)
        idx = [joint_index(n) for n in COCO17_JOINTS]
        torch.testing.assert_close(back.joints[:, idx], pose.joints[:, idx])
        mid = (pose.joint("left_shoulder")[:, :2] + pose.joint("right_shoulder")[:, :2]) / 2
        torch.testing.assert_close(back.joint("neck")[:, :2], mid)

    def test_missing_stays_missing(self):
        arr = torch.zeros(17, 3)
        arr[5] = torch.tensor([100.0, 200.0, 0.9])
        joints = joints_from_array(arr, HW)
        assert joints[joint_index("left_shoulder"), 2] > 0
        assert joints[joint_index("neck"), 2] == 0  # one shoulder only: no neck invented

    def test_wrong_length(self):
        with pytest.raises(ValueError, match="keypoints.*got 10 keypoints"):
            pose_from_array(torch.ones(10, 3), HW)


class TestCheckPoseJoints:
    def test_missing_shoulder_named(self):
        pose = _random_pose(batch=2)
        pose.joints[1, joint_index("left_shoulder"), 2] = 0
        with pytest.raises(ValueError, match=r"person_pose: joint 'left_shoulder' is missing .* \[1\]"):
            check_pose_joints(pose, ("right_shoulder", "left_shoulder"), name="person_pose")
        check_pose_joints(pose.select(0), ("right_shoulder", "left_shoulder"))

    def test_type(self):
        with pytest.raises(TypeError, match="pose"):
            check_pose_joints({"people": []}, ("neck",))


def _dresscode_rows(seed: int = 0) -> list[list[float]]:
    gen = torch.Generator().manual_seed(seed)
    xy = torch.rand(18, 2, generator=gen) * torch.tensor([380.0, 500.0]) + 2.0
    rows = [[float(x), float(y), 0.9, float(i)] for i, (x, y) in enumerate(xy.tolist())]
    rows[17] = [-1.0, -1.0, 0.0, -1.0]  # missing left ear, as Dress Code writes it
    return rows


class TestDressCodeJson:
    def test_reads_and_rescales(self, tmp_path):
        from kfvton.keypoints.formats import DRESSCODE_CANVAS_HW, pose_from_dresscode_json, pose_from_json_file

        rows = _dresscode_rows()
        path = tmp_path / "000000_2.json"
        path.write_text(json.dumps({"keypoints": rows}), encoding="utf-8")
        own = pose_from_dresscode_json(path)
        assert own.canvas_hw == DRESSCODE_CANVAS_HW == (512, 384)
        # OpenPose-18 index 9 is the right knee, 11 the left hip
        assert own.joint("right_knee")[0].tolist() == pytest.approx(rows[9][:3])
        assert own.joint("left_hip")[0].tolist() == pytest.approx(rows[11][:3])
        assert float(own.joint("left_ear")[0, 2]) == 0.0
        mid = (torch.tensor(rows[8][:2]) + torch.tensor(rows[11][:2])) / 2
        assert own.joint("mid_hip")[0, :2].tolist() == pytest.approx(mid.tolist())
        big = pose_from_json_file(path, (1024, 768))  # dispatches on the 'keypoints' key
        assert big.canvas_hw == (1024, 768)
        assert big.joint("right_knee")[0, :2].tolist() == pytest.approx([2 * rows[9][0] + 0.5, 2 * rows[9][1] + 0.5])

    def test_bad_files(self, tmp_path):
        from kfvton.keypoints.formats import pose_from_dresscode_json, pose_from_json_file

        with pytest.raises(ValueError, match="18 \\[x, y, score, id\\] rows"):
            pose_from_dresscode_json({"keypoints": _dresscode_rows()[:17]})
        with pytest.raises(ValueError, match="keypoints\\[2\\]: expected \\[x, y, score, id\\]"):
            pose_from_dresscode_json({"keypoints": [[1.0, 2.0, 0.5, 0.0]] * 2 + [[1.0, 2.0]] + [[0, 0, 0, -1]] * 15})
        with pytest.raises(ValueError, match="every keypoint has score 0"):
            pose_from_dresscode_json({"keypoints": [[-1.0, -1.0, 0.0, -1.0]] * 18})
        with pytest.raises(ValueError, match="pose: expected an OpenPose .* or a Dress Code"):
            pose_from_json_file({"joints": []})
        with pytest.raises(FileNotFoundError, match="--pose"):
            pose_from_json_file(tmp_path / "nope.json", name="--pose")

    def test_shared_samples(self, samples_dir):
        from kfvton.keypoints.formats import pose_from_json_file

        files = sorted((samples_dir / "dresscode").glob("*/keypoints/*_2.json"))
        if not files:
            pytest.skip("no Dress Code keypoint samples")
        for path in files:
            pose = pose_from_json_file(path, (1024, 768))
            for joint in ("neck", "right_shoulder", "left_shoulder", "right_hip", "left_hip"):
                assert bool(pose.present(joint).all()), (path, joint)
            xy = pose.joints[0, pose.joints[0, :, 2] > 0, :2]
            assert float(xy.min()) >= 0 and float(xy[:, 0].max()) < 768 and float(xy[:, 1].max()) < 1024


def _frame(pose: Pose, canvas: bool = True, scale: float = 1.0) -> dict:
    frame = pose_to_openpose_json(pose)[0]
    flat = frame["people"][0]["pose_keypoints_2d"]
    for i in range(0, len(flat), 3):
        flat[i] *= scale
        flat[i + 1] *= scale
    if not canvas:
        del frame["canvas_width"], frame["canvas_height"]
    return frame


class TestCanvasAgainstImage:
    """A pose of another image is an error, not a garment placed off the body (issue 15, cases 3 to 5)."""

    def test_no_canvas_checked_against_the_photo_and_said(self):
        read = read_openpose_json(_frame(_random_pose(), canvas=False), HW, name="--pose")
        assert read.canvas_in_file is None and read.pose.canvas_hw == HW
        assert "no canvas size in the JSON" in read.notes[0] and "768x1024 photo" in read.notes[0]

    def test_no_canvas_half_size_photo_is_an_error(self):
        with pytest.raises(ValueError, match=r"--pose: \d+ joint\(s\) lie outside the 384x512 \(W x H\) image"):
            read_openpose_json(_frame(_random_pose(), canvas=False), (512, 384), name="--pose")

    def test_same_aspect_is_rescaled_and_said(self):
        pose = _random_pose()
        read = read_openpose_json(_frame(pose), (512, 384), name="--pose")
        assert read.canvas_in_file == HW and read.pose.canvas_hw == (512, 384)
        torch.testing.assert_close(read.pose.joints, pose.rescaled((512, 384)).joints, atol=2e-3, rtol=0)
        assert "rescaled from its 768x1024 canvas" in read.notes[-1]

    @pytest.mark.parametrize("image_hw", [(300, 2000), (512, 768)], ids=["2000x300 photo", "top half cropped"])
    def test_another_aspect_is_an_error(self, image_hw):
        with pytest.raises(ValueError, match=r"--pose: its canvas is 768x1024 \(W x H\) but the image is"):
            read_openpose_json(_frame(_random_pose()), image_hw, name="--pose")

    def test_within_one_percent_is_accepted(self):
        read_openpose_json(_frame(_random_pose()), (1024, 770), name="--pose")

    @pytest.mark.parametrize("canvas", [True, False])
    def test_joints_scaled_out_of_the_image(self, canvas):
        with pytest.raises(
            ValueError, match=r"--pose: \d+ joint\(s\) lie outside the 768x1024 \(W x H\) image: nose at \("
        ):
            read_openpose_json(_frame(_random_pose(), canvas=canvas, scale=5.0), HW, name="--pose")

    def test_file_name_in_messages(self, tmp_path):
        path = tmp_path / "p_keypoints.json"
        path.write_text(json.dumps(_frame(_random_pose(), scale=5.0)))
        with pytest.raises(ValueError, match=r"--pose \(p_keypoints.json\): \d+ joint\(s\) lie outside"):
            pose_from_openpose_json(path, HW, name="--pose")

    def test_string_inside_the_array(self, tmp_path):
        frame = _frame(_random_pose())
        frame["people"][0]["pose_keypoints_2d"][4] = "12.5"
        path = tmp_path / "p.json"
        path.write_text(json.dumps(frame))
        with pytest.raises(ValueError, match=r"--pose \(p.json\): people\[0\].pose_keypoints_2d: expected numbers, "):
            pose_from_openpose_json(path, HW, name="--pose")

    def test_deeply_nested_json(self, tmp_path):
        path = tmp_path / "deep.json"
        path.write_text("[" * 100_000 + "]" * 100_000)
        with pytest.raises(ValueError, match="--pose: cannot read .*deep.json: JSON nested too deeply"):
            pose_from_openpose_json(path, HW, name="--pose")

    def test_bad_canvas_fields(self):
        frame = _frame(_random_pose())
        frame["canvas_width"] = "wide"
        with pytest.raises(ValueError, match="pose: expected canvas_width and canvas_height >= 1"):
            pose_from_openpose_json(frame, HW)


class TestPoseKeypointCanvas:
    def test_other_aspect_warns_and_fits(self):
        value = pose_to_pose_keypoint(_random_pose())  # canvas 768x1024
        read = read_pose_keypoint(value, (1024, 1024), name="pose_keypoint")
        assert read.pose.canvas_hw == (1024, 1024)
        assert len(read.warnings) == 1 and "pose_keypoint[0]: its canvas is 768x1024" in read.warnings[0]

    def test_same_aspect_no_warning(self):
        read = read_pose_keypoint(pose_to_pose_keypoint(_random_pose()), (512, 384))
        assert read.warnings == () and read.canvas_in_file == HW

    def test_joints_off_canvas(self):
        value = [_frame(_random_pose(), scale=5.0)]
        with pytest.raises(ValueError, match=r"pose_keypoint\[0\]: \d+ joint\(s\) lie outside"):
            read_pose_keypoint(value, HW)


class TestCheckJointsOnCanvas:
    def test_only_the_named_joints(self):
        pose = _random_pose()
        joints = pose.joints.clone()
        joints[0, joint_index("right_wrist")] = torch.tensor([5000.0, 10.0, 0.9])  # a wild wrist
        wild = Pose(joints, HW)
        check_joints_on_canvas(wild, "pose", joints=("left_shoulder", "right_shoulder"))
        with pytest.raises(ValueError, match=r"pose: 1 joint\(s\) lie outside .*right_wrist at \(5000, 10\)"):
            check_joints_on_canvas(wild, "pose")

    def test_small_overshoot_allowed(self):
        joints = _random_pose().joints.clone()
        joints[0, joint_index("right_wrist")] = torch.tensor([790.0, 1050.0, 0.9])  # 3 % past the corner
        check_joints_on_canvas(Pose(joints, HW), "pose")
