"""classical_tryon and composite_garment on small synthetic images: outputs, batches, parse rules, bad input."""

from __future__ import annotations

import pytest
import torch

from kfvton.keypoints.pose import Pose, joint_index
from kfvton.pipelines.classical import ClassicalTryOn, classical_tryon, target_mask_from_parse
from kfvton.pipelines.composite import composite_garment

P_HW = (256, 192)
G_HW = (200, 150)


def person_image(batch: int = 1) -> torch.Tensor:
    img = torch.full((batch, 3, *P_HW), 0.9)
    img[:, :, 70:190, 60:132] = torch.tensor([0.2, 0.5, 0.2])[:, None, None]  # old green top
    return img


def person_pose(batch: int = 1, missing: tuple[str, ...] = ()) -> Pose:
    pts = {
        "nose": (96, 40), "neck": (96, 72), "right_shoulder": (66, 76), "left_shoulder": (126, 76),
        "right_elbow": (62, 125), "left_elbow": (130, 125), "right_wrist": (60, 168), "left_wrist": (132, 168),
        "mid_hip": (96, 170), "right_hip": (78, 170), "left_hip": (114, 170),
    }  # fmt: skip
    joints = torch.zeros(batch, 25, 3)
    for name, (x, y) in pts.items():
        if name not in missing:
            joints[:, joint_index(name)] = torch.tensor([float(x), float(y), 0.9])
    return Pose(joints, P_HW)


def tshirt(batch: int = 1, colour=(0.8, 0.1, 0.1)) -> tuple[torch.Tensor, torch.Tensor]:
    """A flat T-shirt on white: torso, short sleeves sticking out sideways, a neckline dip."""
    mask = torch.zeros(1, 1, *G_HW)
    mask[..., 20:185, 40:110] = 1  # torso
    mask[..., 25:70, 10:40] = 1  # wearer's right sleeve (image left)
    mask[..., 25:70, 110:140] = 1  # wearer's left sleeve
    mask[..., 20:32, 62:88] = 0  # neckline
    img = torch.ones(1, 3, *G_HW)
    img = img * (1 - mask) + torch.tensor(colour)[None, :, None, None] * mask
    return img.expand(batch, -1, -1, -1).clone(), mask.expand(batch, -1, -1, -1).clone()


def parse_map(batch: int = 1) -> torch.Tensor:
    parse = torch.zeros(batch, *P_HW, dtype=torch.long)
    parse[:, 70:190, 60:132] = 5  # upper clothes
    parse[:, 20:60, 80:112] = 13  # face
    parse[:, 60:72, 88:104] = 10  # neck
    parse[:, 190:250, 70:122] = 9  # pants
    parse[:, 80:175, 48:60] = 15  # right arm (image left)
    parse[:, 80:175, 132:144] = 14
    return parse


class TestClassicalTryon:
    def test_smoke(self):
        garment, mask = tshirt()
        out = classical_tryon(person_image(), garment, person_pose(), garment_mask=mask)
        assert isinstance(out, ClassicalTryOn) and out.mask_method == "explicit"
        assert out.image.shape == (1, 3, *P_HW) and out.warped_garment.shape == (1, 3, *P_HW)
        assert out.warped_mask.shape == (1, 1, *P_HW) and out.warp.grid.shape == (1, *P_HW, 2)
        assert out.keypoints.origin == "classical" and out.keypoints.person_hw == P_HW
        assert 0 <= float(out.image.min()) and float(out.image.max()) <= 1
        # the garment lands on the torso: the chest becomes red
        chest = out.image[0, :, 110:150, 80:112].mean((1, 2))
        assert chest[0] > 0.6 and chest[1] < 0.3
        # and not on the background far from the person
        assert float(out.warped_mask[0, 0, :, :20].max()) < 0.5

    def test_mask_computed_when_absent(self):
        garment, _ = tshirt()
        out = classical_tryon(person_image(), garment, person_pose())
        assert out.mask_method == "computed"
        assert float(out.warped_mask.sum()) > 0

    @pytest.mark.parametrize("persons,garments", [(3, 1), (1, 3)])
    def test_batch_broadcast(self, persons, garments):
        garment, mask = tshirt(garments)
        out = classical_tryon(person_image(persons), garment, person_pose(persons), garment_mask=mask)
        assert out.image.shape[0] == 3 and out.keypoints.batch_size == 3
        single = classical_tryon(person_image(), *tshirt()[:1], person_pose(), garment_mask=tshirt()[1])
        torch.testing.assert_close(out.image[2:3], single.image, atol=1e-4, rtol=0)

    def test_parse_keeps_face_and_paints_old_clothes(self):
        garment, mask = tshirt()
        person = person_image()
        person[:, :, 20:60, 80:112] = 0.55  # face pixels
        parse = parse_map()
        out = classical_tryon(person, garment, person_pose(), garment_mask=mask, parse=parse)
        torch.testing.assert_close(out.image[0, :, 25:55, 85:107], person[0, :, 25:55, 85:107])
        # old green clothes not covered by the new garment are gone (painted skin-ish), not left green
        old = (parse[0] == 5) & (out.alpha[0, 0] < 0.01)
        assert old.any()
        green = out.image[0, 1][old] - out.image[0, 0][old]
        assert float(green.abs().max()) < 0.05  # the old top had G - R = 0.3; the fill (grey "skin" here) has 0

    def test_target_mask_from_parse(self):
        mask = target_mask_from_parse(parse_map(2))
        assert mask.shape == (2, 1, *P_HW) and mask.dtype == torch.float32
        assert float(mask[0, 0, 100, 100]) == 1.0 and float(mask[0, 0, 30, 90]) == 0.0


class TestBadInput:
    def test_person_channels(self):
        garment, mask = tshirt()
        with pytest.raises(ValueError, match="person: expected 3 channels"):
            classical_tryon(torch.rand(1, 4, *P_HW), garment, person_pose(), garment_mask=mask)

    def test_person_layout(self):
        garment, mask = tshirt()
        with pytest.raises(ValueError, match="person"):
            classical_tryon(torch.rand(1, *P_HW, 3), garment, person_pose(), garment_mask=mask)

    def test_all_white_garment(self):
        with pytest.raises(ValueError, match="garment: batch item.*single flat colour"):
            classical_tryon(person_image(), torch.ones(1, 3, *G_HW), person_pose())

    def test_empty_garment_mask(self):
        garment, _ = tshirt()
        with pytest.raises(ValueError, match="mask"):
            classical_tryon(person_image(), garment, person_pose(), garment_mask=torch.zeros(1, 1, *G_HW))

    def test_pose_without_shoulders(self):
        garment, mask = tshirt()
        with pytest.raises(ValueError, match="pose: joint 'right_shoulder' is missing"):
            classical_tryon(person_image(), garment, person_pose(missing=("right_shoulder",)), garment_mask=mask)

    def test_pose_kind_and_canvas(self):
        garment, mask = tshirt()
        with pytest.raises(TypeError, match="pose"):
            classical_tryon(person_image(), garment, {"people": []}, garment_mask=mask)
        wrong = Pose(person_pose().joints, (100, 100))
        with pytest.raises(ValueError, match="pose: its canvas"):
            classical_tryon(person_image(), garment, wrong, garment_mask=mask)

    def test_batch_mismatch(self):
        garment, mask = tshirt(2)
        with pytest.raises(ValueError, match="batch size mismatch: person has 3 items but garment has 2"):
            classical_tryon(person_image(3), garment, person_pose(), garment_mask=mask)

    def test_parse_and_masks(self):
        garment, mask = tshirt()
        with pytest.raises(ValueError, match="parse"):
            classical_tryon(person_image(), garment, person_pose(), parse=torch.zeros(1, 10, 10, dtype=torch.long))
        with pytest.raises(TypeError, match="parse"):
            classical_tryon(person_image(), garment, person_pose(), parse=torch.zeros(1, *P_HW))
        with pytest.raises(ValueError, match="garment_mask"):
            classical_tryon(person_image(), garment, person_pose(), garment_mask=torch.ones(1, 1, 5, 5))
        with pytest.raises(ValueError, match="target_mask"):
            classical_tryon(person_image(), garment, person_pose(), target_mask=torch.ones(1, 1, 5, 5))


class TestComposite:
    def test_alpha_and_front_labels(self):
        person = torch.zeros(1, 3, *P_HW)
        garment = torch.ones(1, 3, *P_HW)
        mask = torch.zeros(1, 1, *P_HW)
        mask[..., 40:200, 40:150] = 1
        out = composite_garment(person, garment, mask, feather_px=0.0)
        torch.testing.assert_close(out.image, mask.expand(-1, 3, -1, -1))
        parse = parse_map()
        out = composite_garment(person, garment, mask, parse=parse, feather_px=1.5)
        assert float(out.image[0, :, 30:55, 85:107].max()) == 0.0  # face stays in front
        assert float(out.image[0, 0, 120, 90]) > 0.99  # torso takes the garment
        assert out.painted is not None and out.skin.shape == (1, 3)

    def test_gradients_reach_the_garment(self):
        person = torch.rand(1, 3, 32, 24)
        garment = torch.rand(1, 3, 32, 24, requires_grad=True)
        mask = torch.zeros(1, 1, 32, 24)
        mask[..., 8:24, 6:18] = 1
        composite_garment(person, garment, mask).image.sum().backward()
        assert garment.grad is not None and float(garment.grad.abs().sum()) > 0

    def test_errors(self):
        with pytest.raises(ValueError, match="warped_mask"):
            composite_garment(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8), torch.rand(1, 1, 4, 4))
        with pytest.raises(ValueError, match="batch size mismatch"):
            composite_garment(torch.rand(2, 3, 8, 8), torch.rand(3, 3, 8, 8), torch.rand(1, 1, 8, 8))


class TestOddInput:
    """Issue 15: each odd input is a correct image or one error naming the input, before the work."""

    def test_nan_person_named(self):
        garment, mask = tshirt()
        person = person_image()
        person[0, 1, 10, 10] = float("nan")
        with pytest.raises(ValueError, match="person: expected finite values, got 1 NaN"):
            classical_tryon(person, garment, person_pose(), garment_mask=mask)

    def test_all_nan_garment_named(self):
        garment, _ = tshirt()
        with pytest.raises(ValueError, match="garment: expected finite values"):
            classical_tryon(person_image(), torch.full_like(garment, float("nan")), person_pose())

    def test_nan_garment_mask_named(self):
        garment, mask = tshirt()
        mask[..., :5, :5] = float("nan")
        with pytest.raises(ValueError, match="garment_mask: expected finite values"):
            classical_tryon(person_image(), garment, person_pose(), garment_mask=mask)

    def test_values_0_255_named(self):
        garment, mask = tshirt()
        with pytest.raises(ValueError, match=r"person: expected image values in \[0, 1\], got values in \[.*\]"):
            classical_tryon(person_image() * 255, garment, person_pose(), garment_mask=mask)

    @pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
    def test_half_precision_computed_in_float32(self, dtype):
        garment, mask = tshirt()
        ref = classical_tryon(person_image(), garment, person_pose(), garment_mask=mask, parse=parse_map())
        runs = [
            classical_tryon(
                person_image().to(dtype),
                garment.to(dtype),
                person_pose(),
                garment_mask=mask.to(dtype),
                parse=parse_map(),
            )
            for _ in range(2)
        ]
        for out in runs:
            assert out.image.dtype == torch.float32 and bool(torch.isfinite(out.image).all())
        assert torch.equal(runs[0].image, runs[1].image)  # the same every run
        # the only difference to float32 inputs is the rounding of the inputs themselves
        assert float((runs[0].image - ref.image).abs().mean()) < 0.01

    def test_parse_labels_out_of_range(self):
        garment, mask = tshirt()
        parse = parse_map()
        parse[0, :3, :3] = 255
        parse[0, 3, 0] = 200
        with pytest.raises(ValueError, match=r"parse: expected labels in \[0, 19\], found 200, 255 in 10 pixels"):
            classical_tryon(person_image(), garment, person_pose(), garment_mask=mask, parse=parse)

    def test_shoulders_outside_the_image(self):
        garment, mask = tshirt()
        pose = person_pose()
        scaled = Pose(torch.cat((pose.joints[..., :2] * 5, pose.joints[..., 2:]), -1), P_HW)
        with pytest.raises(ValueError, match=r"pose: 2 joint\(s\) lie outside the 192x256 \(W x H\) image"):
            classical_tryon(person_image(), garment, scaled, garment_mask=mask)

    def test_warnings_on_the_result(self):
        garment, mask = tshirt()
        small = torch.nn.functional.interpolate(garment, size=(50, 38), mode="bilinear", antialias=True)
        out = classical_tryon(person_image(), small.clamp(0, 1), person_pose())
        assert any("garment: the garment is only" in w for w in out.warnings)
        assert classical_tryon(person_image(), garment, person_pose(), garment_mask=mask).warnings == ()

    def test_seated_person_is_warned_about(self):
        """Knees almost level with the hips (a seated person): the result carries the seated sentence."""
        garment, mask = tshirt()
        pose = person_pose()
        pose.joints[0, joint_index("right_knee")] = torch.tensor([40.0, 180.0, 0.9])
        pose.joints[0, joint_index("left_knee")] = torch.tensor([150.0, 185.0, 0.9])
        out = classical_tryon(person_image(), garment, pose, garment_mask=mask)
        assert any("seated or crouching" in w for w in out.warnings), out.warnings


def test_dress_below_the_hips_is_kept_as_a_skirt():
    """An upper garment on a person in a dress (parse 6): the dress below the hip joints becomes the lower garment
    (kept, not repainted), above them it stays the old garment the new top replaces."""
    from kfvton.pipelines.classical import _dress_skirt_kept

    parse = torch.zeros(2, 100, 60, dtype=torch.long)
    parse[:, 20:90, 15:45] = 6
    joints = torch.zeros(2, 25, 3)
    joints[:, joint_index("right_hip")] = torch.tensor([25.0, 50.0, 0.9])
    joints[:, joint_index("left_hip")] = torch.tensor([35.0, 50.0, 0.9])
    joints[1, :, 2] = 0.0  # no hips seen: nothing changed
    out = _dress_skirt_kept(parse, Pose(joints, (100, 60)))
    assert (out[0, 51:90, 15:45] == 9).all() and (out[0, 20:50, 15:45] == 6).all()
    assert torch.equal(out[1], parse[1])
    no_dress = torch.where(parse == 6, torch.full_like(parse, 5), parse)
    assert torch.equal(_dress_skirt_kept(no_dress, Pose(joints, (100, 60))), no_dress)


def test_person_and_arms_from_parse() -> None:
    from kfvton.pipelines.classical import person_and_arms

    parse = torch.tensor([[[0, 5, 14], [15, 2, 0]]])
    person, arms = person_and_arms(parse)
    assert person.shape == arms.shape == (1, 1, 2, 3)
    assert person[0, 0].tolist() == [[False, True, True], [True, True, False]]
    assert arms[0, 0].tolist() == [[False, False, True], [True, False, False]]
    with pytest.raises(ValueError, match="parse"):
        person_and_arms(parse[0])


def test_body_silhouette_counts_torso_skin_below_the_shoulders():
    """Estimated regions label bare torso skin as neck (10): a bare midriff between a crop top and a skirt, arms
    hanging at the sides. Without it the silhouette had a gap across the torso at the midriff rows (the side seams
    were pulled into a fold there); the neck above the shoulders stays out of it."""
    from kfvton.pipelines.classical import body_masks_from_parse

    parse = torch.zeros(1, 100, 80, dtype=torch.long)
    parse[0, 0:15, 30:50] = 13  # face
    parse[0, 15:25, 34:46] = 10  # the neck, above the shoulders
    parse[0, 25:50, 20:60] = 5  # a crop top from the shoulders (row 25)
    parse[0, 50:65, 20:60] = 10  # the bare midriff
    parse[0, 65:100, 20:60] = 12  # a skirt
    parse[0, 25:70, 12:20] = 15  # the arms
    parse[0, 25:70, 60:68] = 14
    sil = body_masks_from_parse(parse).silhouette[0, 0]
    assert bool(sil[50:65, 20:60].all())  # the midriff: torso
    assert not bool(sil[15:25].any())  # the neck above the shoulders: not
    assert bool(sil[25:50, 12:68].all()) and not bool(sil[65:, 20:60].any())  # top and arms in, the skirt out
