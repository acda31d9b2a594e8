"""Node inputs that used to pass silently or end in a traceback (issue 15): each is named by its socket, or
handled (float32 compute, warnings in the text outputs)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from comfyui_kfvton.nodes.composite import KfvtonComposite
from comfyui_kfvton.nodes.inputs import (
    KfvtonGarmentMask,
    KfvtonLoadParseMap,
    KfvtonPoseFromPoseKeypoint,
    KfvtonPoseToPoseKeypoint,
)
from comfyui_kfvton.nodes.keypoints import KfvtonKeypointEditor
from comfyui_kfvton.nodes.pipelines import KfvtonClassicalTryOn
from PIL import Image

from .conftest import PERSON_HW, garment_mask, make_garment, make_pairs, make_person, make_pose


class TestImageValues:
    def test_nan_person_named(self):
        person = make_person()
        person[0, 3, 3, 1] = float("nan")
        with pytest.raises(ValueError, match="person: expected finite values, got 1 NaN"):
            KfvtonComposite().run(person, make_person(), torch.zeros(1, *PERSON_HW), 1.5)

    def test_nan_warped_mask_named(self):
        mask = torch.zeros(1, *PERSON_HW)
        mask[0, 0, 0] = float("nan")
        with pytest.raises(ValueError, match="warped_mask: expected finite values"):
            KfvtonComposite().run(make_person(), make_person(), mask, 1.5)

    def test_values_0_255_named_with_their_range(self):
        with pytest.raises(ValueError, match=r"garment: expected image values in \[0, 1\], got values in .*255"):
            KfvtonClassicalTryOn().run(make_person(), make_garment() * 255, make_pose(), 1e-3, 2, 1.5)

    @pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
    def test_half_precision_images_computed_in_float32(self, dtype):
        ref = KfvtonClassicalTryOn().run(make_person(), make_garment(), make_pose(), 1e-3, 2, 1.5)[0]
        outs = [
            KfvtonClassicalTryOn().run(make_person().to(dtype), make_garment().to(dtype), make_pose(), 1e-3, 2, 1.5)[0]
            for _ in range(2)
        ]
        assert outs[0].dtype == torch.float32 and bool(torch.isfinite(outs[0]).all())
        assert torch.equal(outs[0], outs[1])
        assert float((outs[0] - ref).abs().mean()) < 0.01


class TestGarmentMaskNode:
    def test_nan_mask_named(self):
        mask = garment_mask()
        mask[0, :2] = float("nan")
        with pytest.raises(ValueError, match="mask: expected finite values"):
            KfvtonGarmentMask().run(make_garment(), mask=mask)

    def test_loadimage_mask_named_by_its_socket(self):
        bad = torch.ones(1, 10, 10)  # another size, not Load Image's all-zero placeholder
        with pytest.raises(ValueError, match=r"^loadimage_mask: expected shape"):
            KfvtonGarmentMask().run(make_garment(), loadimage_mask=bad)

    def test_all_nan_garment_named(self):
        with pytest.raises(ValueError, match="garment: expected finite values"):
            KfvtonGarmentMask().run(torch.full_like(make_garment(), float("nan")))

    def test_warnings_output(self):
        _, method, warnings = KfvtonGarmentMask().run(make_garment(), mask=garment_mask())
        assert method == "explicit" and "garment: the garment is only" in warnings  # the 64x48 test garment
        big = torch.nn.functional.interpolate(make_garment().permute(0, 3, 1, 2), scale_factor=4, mode="nearest")
        big_mask = torch.nn.functional.interpolate(garment_mask()[:, None], scale_factor=4, mode="nearest")[:, 0]
        assert KfvtonGarmentMask().run(big.permute(0, 2, 3, 1), mask=big_mask)[2] == ""


class TestLoadParseMap:
    def test_labels_out_of_range(self, tmp_path):
        labels = np.zeros(PERSON_HW, np.uint8)
        labels[:2, :2] = 255
        labels[2, 0] = 200
        Image.fromarray(labels).save(tmp_path / "parse.png")
        with pytest.raises(ValueError, match=r"parse_file \(parse.png\): .*found 200, 255 in 5 pixels"):
            KfvtonLoadParseMap().run("", path=str(tmp_path / "parse.png"))

    def test_orientation_applied(self, tmp_path):
        labels = np.zeros((30, 20), np.uint8)
        labels[:5, :5] = 5
        img = Image.fromarray(np.ascontiguousarray(np.rot90(labels, k=1)))
        exif = img.getexif()
        exif[0x0112] = 6
        img.save(tmp_path / "parse.png", exif=exif.tobytes())
        parse_map, _ = KfvtonLoadParseMap().run("", path=str(tmp_path / "parse.png"))
        parse = parse_map.labels
        assert parse.shape == (1, 30, 20)
        assert bool((parse[0, :5, :5] == 5).all()) and int((parse == 5).sum()) == 25


class TestPoseKeypointWarnings:
    def test_other_aspect_warns(self):
        (value,) = KfvtonPoseToPoseKeypoint().run(make_pose())
        square = torch.zeros(1, PERSON_HW[0], PERSON_HW[0], 3)
        pose, warnings = KfvtonPoseFromPoseKeypoint().run(value, square)
        assert pose.canvas_hw == (PERSON_HW[0], PERSON_HW[0])
        assert warnings.startswith("pose_keypoint[0]: its canvas is 64x96 (W x H) but the image is 96x96")


class TestParseSocket:
    def test_bare_labels_out_of_range(self):
        parse = torch.zeros(1, *PERSON_HW, dtype=torch.long)
        parse[0, 0, 0] = 255
        with pytest.raises(ValueError, match=r"parse: expected labels in \[0, 19\], found 255 in 1 pixels"):
            KfvtonComposite().run(make_person(), make_person(), torch.zeros(1, *PERSON_HW), 1.5, parse=parse)


class TestKeypointEditor:
    def test_deeply_nested_edits(self):
        deep = "[" * 100_000 + "]" * 100_000
        with pytest.raises(ValueError, match="KF-VTON Keypoint Editor: edits: JSON nested too deeply"):
            KfvtonKeypointEditor().run(make_pairs(), make_person(), make_garment(), deep)
