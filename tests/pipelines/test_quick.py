"""quick_tryon: pose and regions found when missing, everything chosen named in the report."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from kfvton.keypoints import estimate as estimate_module
from kfvton.keypoints.estimate import PoseUnavailableError
from kfvton.keypoints.formats import pose_from_openpose_json
from kfvton.pipelines.classical import classical_tryon
from kfvton.pipelines.quick import quick_tryon
from kfvton.preprocess.io import load_image, load_parse
from kfvton.preprocess.parse_labels import VITONHD_ARMS, VITONHD_HEAD, VITONHD_LOWER_BODY

PERSON, GARMENT = "00891_00", "01260_00"


@pytest.fixture
def pair(vitonhd_dir):
    person = load_image(vitonhd_dir / "image" / f"{PERSON}.jpg")
    garment = load_image(vitonhd_dir / "cloth" / f"{GARMENT}.jpg")
    pose = pose_from_openpose_json(vitonhd_dir / "openpose-json" / f"{PERSON}_keypoints.json", (1024, 768))
    return person, garment, pose


def test_given_pose_and_parse_is_the_classical_tryon(pair, vitonhd_dir):
    person, garment, pose = pair
    parse = load_parse(vitonhd_dir / "image-parse" / f"{PERSON}.png")
    quick = quick_tryon(person, garment, pose=pose, parse=parse)
    plain = classical_tryon(person, garment, pose, parse=parse)
    torch.testing.assert_close(quick.image, plain.image.clamp(0, 1))
    torch.testing.assert_close(quick.refine_mask, plain.refine_mask)
    assert quick.report().splitlines()[:2] == ["pose: given (Pose)", "regions: given parse map"]


def test_regions_estimated_without_parse(pair):
    person, garment, pose = pair
    quick = quick_tryon(person, garment, pose=pose)
    assert quick.person.parse is not None and "estimated" in quick.person.regions
    assert any("without a parser" in w for w in quick.warnings)
    off = quick_tryon(person, garment, pose=pose, estimate_missing_regions=False)
    assert off.person.parse is None and off.person.regions.startswith("none")
    # estimated regions paint the old clothes over: the refine mask grows by that region
    assert float(quick.refine_mask.sum()) > float(off.refine_mask.sum())


def _pool(mask: torch.Tensor, size: int, *, erode: bool) -> torch.Tensor:
    m = mask.float()
    return -F.max_pool2d(-m, size, stride=1, padding=size // 2) if erode else F.max_pool2d(m, size, 1, size // 2)


@pytest.mark.parametrize("given_parse", [False, True], ids=["estimated regions", "given parse"])
def test_refine_mask_is_the_garment_border_and_repainted_clothes(pair, vitonhd_dir, given_parse):
    """The refine mask follows the garment's VISIBLE outline: its border with the background and with what is kept
    in front of it (here the person's left arm crosses the torso and the trousers, the top tucked in, cover the
    hem). Inside the visible garment it is 0; along the arm crossing it it is ~1.

    (The garment's warped mask eroded by 30 px is no measure of its middle: the arm and the waistband lie inside
    it, and the bands along them gave a mean of 0.10 there, with estimated regions and with the given parse map.)
    """
    person, garment, pose = pair
    parse = load_parse(vitonhd_dir / "image-parse" / f"{PERSON}.png") if given_parse else None
    quick = quick_tryon(person, garment, pose=pose, parse=parse)
    refine, mask = quick.refine_mask, quick.garment_mask
    assert refine.shape == mask.shape == (1, 1, 1024, 768)
    assert 0.0 <= float(refine.min()) and float(refine.max()) <= 1.0
    labels = quick.person.parse.unsqueeze(1)
    front = torch.isin(labels, torch.tensor(VITONHD_ARMS + VITONHD_HEAD + VITONHD_LOWER_BODY))
    # an upper arm above the sleeve ends is inside the sleeve, under the garment (the composite's
    # `_upper_arms_in_sleeves`): not in front there (the image-right upper arm under the short sleeve)
    pairs = quick.tryon.keypoints
    ends = [pairs.names.index(n) for n in pairs.names if n.startswith("sleeve_")]
    sleeve_end = max(float(pairs.person_px[0, k, 1]) for k in ends if float(pairs.person_px[0, k, 2]) > 0)
    sleeve_end *= 1024 / pairs.person_hw[0]
    upper_arm = torch.isin(labels, torch.tensor(VITONHD_ARMS)) & (torch.arange(1024)[:, None] < sleeve_end)
    front &= ~upper_arm
    garment_in = mask > 0.5
    visible_middle = _pool(garment_in & ~front, 61, erode=True) > 0
    assert int(visible_middle.sum()) > 40_000  # measured 64 877 (estimated) / 62 839 (given)
    assert float(refine[visible_middle].mean()) < 0.01  # measured 0.0000: the print is not repainted
    # the seam where the arm and the trousers cross the garment (front pixels next to visible garment pixels, well
    # inside the garment's outline) is in the refine mask
    seam = (
        garment_in & front & (_pool(garment_in & ~front, 9, erode=False) > 0) & (_pool(garment_in, 61, erode=True) > 0)
    )
    assert int(seam.sum()) > 500  # measured 902 / 855 (1 649 / 1 187 with the upper arm in front)
    assert float(refine[seam].mean()) > 0.8  # measured 0.93 / 0.94
    assert float(refine[:, :, :150].sum()) == 0.0  # nor the head


def test_low_confidence_shoulder_is_reported(pair):
    person, garment, pose = pair
    joints = pose.joints.clone()
    joints[0, 2, 2] = 0.1  # right shoulder
    quick = quick_tryon(person, garment, pose=type(pose)(joints, pose.canvas_hw), estimate_missing_regions=False)
    assert "right_shoulder" in quick.report()


def test_no_pose_and_no_estimator_says_what_is_missing(pair, monkeypatch):
    person, garment, _ = pair
    monkeypatch.setattr(estimate_module, "mediapipe_version", lambda: None)
    with pytest.raises(PoseUnavailableError, match="dw-ll_ucoco_384.onnx"):
        quick_tryon(person, garment, pose_dirs=[])


def test_garment_hidden_behind_a_mislabelled_top_is_reported(samples_dir, pair, vitonhd_dir):
    """Estimated regions can take light shorts for part of the top (one light outfit); with tuck "out" the top then
    stays in front of the new shorts and hides them. The report says so and names the widget that helps."""
    from kfvton.keypoints.formats import pose_from_json_file
    from kfvton.preprocess.parse_labels import read_parse_labels

    base = samples_dir / "dresscode" / "lower_body"
    if not (base / "images" / "013566_0.jpg").is_file():
        pytest.skip("no Dress Code samples")
    person = load_image(base / "images" / "013566_0.jpg")
    shorts = load_image(base / "images" / "013564_1.jpg")
    pose = pose_from_json_file(base / "keypoints" / "013566_2.json", (1024, 768))
    parse = read_parse_labels(base / "label_maps" / "013566_4.png").parse
    merged = torch.where(torch.isin(parse, torch.tensor([9, 12])), torch.full_like(parse, 5), parse)
    hidden = quick_tryon(person, shorts, pose=pose, parse=merged, category="lower")
    assert hidden.tryon.tuck == ("out",)
    (warning,) = [w for w in hidden.warnings if "hidden behind" in w]
    assert "upper_clothes" in warning and "set tuck to 'in'" in warning
    assert not any(
        "hidden behind" in w for w in quick_tryon(person, shorts, pose=pose, parse=parse, category="lower").warnings
    )
    tucked = quick_tryon(person, shorts, pose=pose, parse=merged, category="lower", tuck="in")
    assert not any("hidden behind" in w for w in tucked.warnings)
    # a top on the VITON-HD pair (trousers in front of its tucked hem): no warning
    person, garment, pose = pair
    top = quick_tryon(person, garment, pose=pose, parse=load_parse(vitonhd_dir / "image-parse" / f"{PERSON}.png"))
    assert not any("hidden behind" in w for w in top.warnings)


def test_garment_cut_in_the_report(pair, vitonhd_dir):
    """The garment's cut is a line of the report, and a warning says how a cut that is not regular is placed."""
    person, _, pose = pair
    cami = load_image(vitonhd_dir / "cloth" / "08348_00.jpg")
    parse = load_parse(vitonhd_dir / "image-parse" / f"{PERSON}.png")
    lines = quick_tryon(person, cami, pose=pose, parse=parse).report().splitlines()
    assert "cut: strappy" in lines
    assert any(line.startswith("warning: garment: strappy cut read from its outline") for line in lines), lines
    regular = quick_tryon(person, pair[1], pose=pose, parse=parse).report().splitlines()
    assert "cut: regular" in regular and not any("cut read from" in line for line in regular)
