"""place_garment_landmarks: body-model targets from a pose (and a target mask), sleeves, batches, errors."""

from __future__ import annotations

import pytest
import torch

from kfvton.keypoints.garment_landmarks import GARMENT_LANDMARKS, GarmentLandmarks
from kfvton.keypoints.placement import LANDMARK_NAMES, SHOULDER_OUT, place_garment_landmarks
from kfvton.keypoints.pose import Pose, joint_index

HW = (512, 384)
SW = 120.0  # shoulder width of the synthetic person, px


def frontal_pose(batch: int = 1, missing: tuple[str, ...] = ()) -> Pose:
    """A frontal, upright person with arms hanging down, in a 512 x 384 image."""
    cx = 192.0
    pts = {
        "nose": (cx, 90), "neck": (cx, 150), "right_shoulder": (cx - SW / 2, 155), "left_shoulder": (cx + SW / 2, 155),
        "right_elbow": (cx - SW / 2 - 8, 250), "left_elbow": (cx + SW / 2 + 8, 250),
        "right_wrist": (cx - SW / 2 - 10, 335), "left_wrist": (cx + SW / 2 + 10, 335),
        "mid_hip": (cx, 340), "right_hip": (cx - 40, 340), "left_hip": (cx + 40, 340),
    }  # fmt: skip
    joints = torch.zeros(batch, 25, 3)
    for name, (x, y) in pts.items():
        if name not in missing:
            joints[:, joint_index(name)] = torch.tensor([x, y, 0.9])
    return Pose(joints, HW)


def tshirt_landmarks(sleeves: str = "short", batch: int = 1) -> GarmentLandmarks:
    """Hand-made landmarks of a flat T-shirt in a 400 x 300 garment image (wearer's right on the image left)."""
    pts = {
        "collar_left": (180, 40), "collar_center": (150, 60), "collar_right": (120, 40),
        "shoulder_left": (230, 60), "shoulder_right": (70, 60),
        "sleeve_left_outer": (290, 150), "sleeve_left_inner": (250, 175),
        "sleeve_right_outer": (10, 150), "sleeve_right_inner": (50, 175),
        "armpit_left": (225, 140), "armpit_right": (75, 140),
        "hem_left": (230, 380), "hem_center": (150, 385), "hem_right": (70, 380),
    }  # fmt: skip
    points = torch.zeros(batch, 14, 3)
    for name, (x, y) in pts.items():
        conf = 0.0 if sleeves == "none" and name.startswith("sleeve") else 1.0
        points[:, GARMENT_LANDMARKS.index(name)] = torch.tensor([x, y, conf]) if conf else 0.0
    return GarmentLandmarks(points, (400, 300), (sleeves,) * batch)


def target(pairs, name: str, item: int = 0) -> torch.Tensor:
    return pairs.person_px[item, pairs.names.index(name)]


class TestPlaceGarmentLandmarks:
    def test_names_match_the_garment_contract(self):
        assert LANDMARK_NAMES == GARMENT_LANDMARKS

    def test_torso_on_the_body(self):
        pose = frontal_pose()
        pairs = place_garment_landmarks(tshirt_landmarks(), pose)
        assert pairs.origin == "classical" and pairs.groups == 1 and pairs.names == GARMENT_LANDMARKS
        assert pairs.person_hw == HW and pairs.garment_hw == (400, 300) and pairs.pose is pose
        rs, ls = pose.joint("right_shoulder")[0], pose.joint("left_shoulder")[0]
        sr, sl = target(pairs, "shoulder_right"), target(pairs, "shoulder_left")
        # shoulder seams just outside and above the joints (wearer's right = image left)
        torch.testing.assert_close(sr[0], rs[0] - SHOULDER_OUT * SW, atol=0.5, rtol=0)
        torch.testing.assert_close(sl[0], ls[0] + SHOULDER_OUT * SW, atol=0.5, rtol=0)
        assert sr[1] < rs[1] and sl[1] < ls[1]
        # hem near the hip line, wider than the hips, centred on the body
        hem_l, hem_r, hem_c = target(pairs, "hem_left"), target(pairs, "hem_right"), target(pairs, "hem_center")
        assert abs(float(hem_c[1]) - 340) < 0.15 * SW
        assert float(hem_r[0]) < 192 - 40 and float(hem_l[0]) > 192 + 40
        assert abs(float(hem_c[0]) - 192) < 1
        # collar between the shoulders, above the armpits; armpits under the shoulders
        for name in ("collar_left", "collar_center", "collar_right"):
            assert float(sr[0]) < float(target(pairs, name)[0]) < float(sl[0])
        assert float(target(pairs, "armpit_right")[1]) > float(sr[1]) + 0.2 * SW
        assert torch.isfinite(pairs.person_px).all()

    def test_short_sleeves_end_on_the_upper_arm(self):
        pairs = place_garment_landmarks(tshirt_landmarks("short"), frontal_pose())
        for side in ("right", "left"):
            end = (target(pairs, f"sleeve_{side}_outer") + target(pairs, f"sleeve_{side}_inner"))[:2] / 2
            assert float(target(pairs, f"armpit_{side}")[1]) < float(end[1]) <= 250 + 1  # below armpit, above elbow
        # outer corners away from the body
        assert float(target(pairs, "sleeve_right_outer")[0]) < float(target(pairs, "sleeve_right_inner")[0])
        assert float(target(pairs, "sleeve_left_outer")[0]) > float(target(pairs, "sleeve_left_inner")[0])

    def test_long_sleeves_end_at_the_wrists(self):
        pose = frontal_pose()
        pairs = place_garment_landmarks(tshirt_landmarks("long"), pose)
        for side in ("right", "left"):
            end = (target(pairs, f"sleeve_{side}_outer") + target(pairs, f"sleeve_{side}_inner"))[:2] / 2
            torch.testing.assert_close(end, pose.joint(f"{side}_wrist")[0, :2], atol=1e-3, rtol=0)

    def test_long_sleeves_without_wrist(self):
        pose = frontal_pose(missing=("left_wrist",))
        pairs = place_garment_landmarks(tshirt_landmarks("long"), pose)
        end = (target(pairs, "sleeve_left_outer") + target(pairs, "sleeve_left_inner"))[:2] / 2
        elbow, shoulder = pose.joint("left_elbow")[0, :2], pose.joint("left_shoulder")[0, :2]
        torch.testing.assert_close(end, 2 * elbow - shoulder, atol=1e-3, rtol=0)

    def test_no_sleeves_drops_sleeve_points(self):
        pairs = place_garment_landmarks(tshirt_landmarks("none"), frontal_pose())
        sleeve = [i for i, n in enumerate(pairs.names) if n.startswith("sleeve")]
        assert not pairs.valid[0, sleeve].any()
        assert pairs.valid[0, [i for i in range(14) if i not in sleeve]].all()

    def test_target_mask_sets_hem(self):
        mask = torch.zeros(1, 1, *HW)
        mask[..., 160:330, 120:264] = 1.0  # a shorter, narrower top than the default hem
        pairs = place_garment_landmarks(tshirt_landmarks(), frontal_pose(), target_mask=mask)
        hem_c = target(pairs, "hem_center")
        assert abs(float(hem_c[1]) - 329) < 4
        assert 120 <= float(target(pairs, "hem_right")[0]) < 192 < float(target(pairs, "hem_left")[0]) <= 264

    def test_batch_broadcast(self):
        pose = frontal_pose(batch=3)
        pose.joints[1, :, 0] += 10.0  # item 1 stands 10 px further right
        pairs = place_garment_landmarks(tshirt_landmarks(), pose)
        assert pairs.person_px.shape == (3, 14, 3) and pairs.garment_px.shape == (3, 14, 3)
        shift = pairs.person_px[1, :, 0] - pairs.person_px[0, :, 0]
        torch.testing.assert_close(shift, torch.full_like(shift, 10.0), atol=1e-3, rtol=0)
        torch.testing.assert_close(pairs.person_px[0], pairs.person_px[2])

    def test_missing_shoulder_names_pose(self):
        with pytest.raises(ValueError, match="pose: joint 'left_shoulder' is missing"):
            place_garment_landmarks(tshirt_landmarks(), frontal_pose(missing=("left_shoulder",)))

    def test_errors(self):
        with pytest.raises(ValueError, match="batch size mismatch: garment_landmarks has 2 .* pose has 3"):
            place_garment_landmarks(tshirt_landmarks(batch=2), frontal_pose(batch=3))
        with pytest.raises(ValueError, match="target_mask"):
            place_garment_landmarks(tshirt_landmarks(), frontal_pose(), target_mask=torch.ones(1, 1, 10, 10))
        with pytest.raises(TypeError, match="pose"):
            place_garment_landmarks(tshirt_landmarks(), {"people": []})
        lm = tshirt_landmarks()
        points = lm.points.clone()
        points[0, GARMENT_LANDMARKS.index("shoulder_left")] = 0.0
        with pytest.raises(ValueError, match="garment_landmarks: 'shoulder_left' is missing"):
            place_garment_landmarks(GarmentLandmarks(points, lm.garment_hw, lm.sleeves), frontal_pose())
