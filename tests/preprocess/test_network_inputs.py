"""Tests for kfvton.preprocess.network_inputs on the VITON-HD sample photos and synthetic inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from kfvton.keypoints.draw import render_pose
from kfvton.keypoints.pose import Pose, joint_index
from kfvton.preprocess.io import load_image, load_mask, load_parse
from kfvton.preprocess.network_inputs import (
    GREY,
    NetworkInputs,
    agnostic_region,
    build_network_inputs,
    garment_on_grey,
    image_agnostic,
    parse_agnostic,
)
from kfvton.preprocess.parse_labels import (
    LIP_LABELS,
    PARSE7_CLASSES,
    PARSE14_CLASSES,
    lip_id,
    lip_to_parse14,
    one_hot,
    parse14_to_parse7,
)


def _load_person(root: Path, name: str) -> tuple[torch.Tensor, torch.Tensor, Pose]:
    person = load_image(root / "image" / f"{name}.jpg")
    parse = load_parse(root / "image-parse" / f"{name}.png")
    people = json.loads((root / "openpose-json" / f"{name}_keypoints.json").read_text())["people"]
    joints = torch.tensor(people[0]["pose_keypoints_2d"], dtype=torch.float32).view(1, 25, 3)
    return person, parse, Pose(joints, tuple(person.shape[-2:]))


@pytest.fixture(scope="module")
def sample(vitonhd_dir: Path) -> dict:
    person, parse, pose = _load_person(vitonhd_dir, "00891_00")
    garment = load_image(vitonhd_dir / "cloth" / "01260_00.jpg")
    mask = load_mask(vitonhd_dir / "cloth-mask" / "01260_00.jpg")
    return {"person": person, "parse": parse, "pose": pose, "garment": garment, "garment_mask": mask}


class TestLabelLayouts:
    def test_every_lip_label_in_exactly_one_class(self):
        ids = sorted(i for _, olds in PARSE14_CLASSES for i in olds)
        assert ids == list(range(len(LIP_LABELS)))
        ids7 = sorted(i for _, olds in PARSE7_CLASSES for i in olds)
        assert ids7 == list(range(len(PARSE14_CLASSES)))

    def test_known_ids(self):
        names14 = [n for n, _ in PARSE14_CLASSES]
        lip = torch.tensor([[[lip_id("upper_clothes"), lip_id("coat"), lip_id("dress"), lip_id("neck"), 0]]])
        p14 = lip_to_parse14(lip)
        assert [names14[i] for i in p14.flatten().tolist()] == ["upper", "upper", "bottom", "neck", "background"]
        names7 = [n for n, _ in PARSE7_CLASSES]
        hair_face_pants = torch.tensor([[[lip_id("hair"), lip_id("face"), lip_id("pants"), lip_id("left_arm")]]])
        p7 = parse14_to_parse7(lip_to_parse14(hair_face_pants))
        assert [names7[i] for i in p7.flatten().tolist()] == ["paste", "paste", "paste", "left_arm"]

    def test_bad_labels(self):
        with pytest.raises(ValueError, match="parse: expected labels in"):
            lip_to_parse14(torch.full((1, 2, 2), 20))
        with pytest.raises(TypeError, match="parse: expected an int64"):
            lip_to_parse14(torch.zeros(1, 2, 2))
        with pytest.raises(ValueError, match="labels"):
            one_hot(torch.full((1, 2, 2), 7), 7)

    def test_one_hot(self):
        labels = torch.randint(0, 7, (3, 5, 4))
        oh = one_hot(labels, 7)
        assert oh.shape == (3, 7, 5, 4)
        assert torch.equal(oh.argmax(1), labels)
        assert torch.equal(oh.sum(1), torch.ones(3, 5, 4))


class TestBuildNetworkInputs:
    def test_sample_shapes_and_ranges(self, sample):
        ni = build_network_inputs(**sample, size_hw=(256, 192))
        assert isinstance(ni, NetworkInputs)
        for name, c in [("person", 3), ("agnostic", 3), ("pose_image", 3), ("garment", 3)]:
            t = getattr(ni, name)
            assert t.shape == (1, c, 256, 192), name
            assert t.min() >= -1 and t.max() <= 1, name
        for name, c in [("parse14", 14), ("parse_agnostic14", 14), ("parse7", 7), ("parse_agnostic7", 7)]:
            t = getattr(ni, name)
            assert t.shape == (1, c, 256, 192), name
            assert torch.equal(t.sum(1), torch.ones(1, 256, 192)), name
        assert ni.garment_mask.shape == ni.person_clothes_mask.shape == (1, 1, 256, 192)
        assert ni.seg_condition.shape == (1, 13, 256, 192)
        assert ni.pose.canvas_hw == (256, 192)

    def test_agnostic_hides_clothes_and_keeps_head(self, sample):
        ni = build_network_inputs(**sample, size_hw=(256, 192))
        upper = ni.parse14[:, 3:4] > 0  # person's upper clothes
        grey = (ni.agnostic - (GREY * 2 - 1)).abs().amax(1, keepdim=True) < 1e-6
        assert upper.sum() > 500
        assert grey[upper].all()
        face = ni.parse14[:, 2:3] > 0
        assert face.sum() > 100
        assert torch.allclose(ni.agnostic.masked_select(face), ni.person.masked_select(face))
        # no upper clothes, neck or arm inside the bands survives in the agnostic parse
        assert ni.parse_agnostic14[:, 3].sum() == 0 and ni.parse_agnostic14[:, 13].sum() == 0
        assert ni.parse_agnostic7[:, 2].sum() == 0
        assert ni.parse_agnostic7[:, 3:5].sum() < ni.parse7[:, 3:5].sum()

    def test_garment_lands_on_person_upper_body(self, sample):
        ni = build_network_inputs(**sample, size_hw=(256, 192))
        gm, pc = ni.garment_mask[0, 0] > 0.5, ni.person_clothes_mask[0, 0] > 0.5
        ys_g, ys_p = torch.nonzero(gm)[:, 0].float(), torch.nonzero(pc)[:, 0].float()
        assert abs(ys_g.mean() - ys_p.mean()) < 20
        assert (gm & pc).sum() > 0.5 * pc.sum()
        off = ~(ni.garment_mask[0, 0] > 0)
        assert torch.allclose(ni.garment[0][:, off], torch.full_like(ni.garment[0][:, off], GREY * 2 - 1), atol=1e-5)

    @pytest.mark.parametrize("size_hw", [(512, 384)])
    def test_other_resolution(self, sample, size_hw):
        ni = build_network_inputs(**sample, size_hw=size_hw)
        assert ni.agnostic.shape == (1, 3, *size_hw)
        assert ni.pose.canvas_hw == size_hw

    def test_batch_broadcast(self, sample):
        b = 3
        args = dict(sample)
        args["person"] = sample["person"].expand(b, -1, -1, -1)
        ni = build_network_inputs(**args, size_hw=(256, 192))
        assert ni.batch_size == b
        assert ni.garment.shape[0] == ni.pose_image.shape[0] == ni.parse7.shape[0] == b
        assert torch.equal(ni.agnostic[0], ni.agnostic[2])

    def test_bad_inputs(self, sample):
        args = dict(sample)
        args["person"] = sample["person"].expand(2, -1, -1, -1)
        args["parse"] = sample["parse"].expand(3, -1, -1)
        with pytest.raises(ValueError, match="batch size mismatch"):
            build_network_inputs(**args)
        with pytest.raises(ValueError, match="size_hw"):
            build_network_inputs(**sample, size_hw=(250, 192))
        bad_pose = dict(sample, pose=Pose(sample["pose"].joints, (512, 384)))
        with pytest.raises(ValueError, match="pose: expected canvas_hw"):
            build_network_inputs(**bad_pose)
        with pytest.raises(ValueError, match="garment_mask"):
            build_network_inputs(**dict(sample, garment_mask=sample["garment_mask"][:, :, :10]))
        with pytest.raises(TypeError, match="pose"):
            build_network_inputs(**dict(sample, pose=sample["pose"].joints))


def _synthetic_pose(h: int, w: int) -> Pose:
    joints = torch.zeros(1, 25, 3)
    for name, (x, y) in {
        "neck": (0.5, 0.2), "right_shoulder": (0.35, 0.22), "left_shoulder": (0.65, 0.22),
        "right_elbow": (0.3, 0.4), "left_elbow": (0.7, 0.4), "right_wrist": (0.28, 0.55), "left_wrist": (0.72, 0.55),
        "right_hip": (0.42, 0.6), "left_hip": (0.58, 0.6), "mid_hip": (0.5, 0.6),
    }.items():  # fmt: skip
        joints[0, joint_index(name)] = torch.tensor([x * (w - 1), y * (h - 1), 1.0])
    return Pose(joints, (h, w))


class TestPieces:
    def test_render_pose(self):
        pose = _synthetic_pose(64, 48)
        img = render_pose(pose)
        assert img.shape == (1, 3, 64, 48) and img.min() >= 0 and img.max() <= 0.6 + 1e-6
        x, y = pose.joint("neck")[0, :2].round().long().tolist()
        assert img[0, :, y, x].sum() > 0
        assert img[0, :, 63, 0].sum() == 0  # far from every limb
        empty = render_pose(Pose(torch.zeros(2, 25, 3), (64, 48)), (32, 24))
        assert empty.shape == (2, 3, 32, 24) and empty.abs().sum() == 0

    def test_agnostic_synthetic(self):
        h, w = 64, 48
        parse = torch.zeros(1, h, w, dtype=torch.long)
        parse[:, 14:40, 16:32] = lip_id("upper_clothes")
        parse[:, 2:12, 18:30] = lip_id("face")
        parse[:, 40:, 16:32] = lip_id("pants")
        pose = _synthetic_pose(h, w)
        region = agnostic_region(parse, pose)
        img_region, parse_region = region.image_region, region.parse_region
        assert img_region.shape == parse_region.shape == (1, 1, h, w)
        assert img_region[0, 0, 20, 24] == 1 and img_region[0, 0, 5, 24] == 0  # torso hidden, face kept
        assert img_region[0, 0, 50, 24] == 0  # pants kept
        agn = parse_agnostic(parse, pose)
        assert (agn == lip_id("upper_clothes")).sum() == 0 and (agn == lip_id("face")).sum() == (parse == 13).sum()
        person = torch.rand(1, 3, h, w)
        out = image_agnostic(person, parse, pose)
        assert torch.allclose(out[0, :, 20, 24], torch.full((3,), GREY))
        assert torch.equal(out[0, :, 5, 24], person[0, :, 5, 24])

    def test_garment_on_grey_without_parse(self):
        garment = torch.rand(2, 3, 100, 80)
        mask = torch.zeros(2, 1, 100, 80)
        mask[:, :, 20:80, 10:70] = 1
        canvas = garment_on_grey(garment, mask, size_hw=(64, 48))
        img, m = canvas.image, canvas.mask
        assert img.shape == (2, 3, 64, 48) and m.shape == (2, 1, 64, 48)
        assert m[0, 0, 32, 24] > 0.99 and m[0, 0, 0, 0] == 0
        assert torch.allclose(img[0, :, 0, 0], torch.full((3,), GREY))

    def test_garment_on_grey_empty_mask(self):
        with pytest.raises(ValueError, match="garment_mask: item 0 is empty"):
            garment_on_grey(torch.rand(1, 3, 32, 24), torch.zeros(1, 1, 32, 24), size_hw=(32, 32))
