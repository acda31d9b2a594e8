"""Garment cuts read from the mask (open front, strappy, halter, off-shoulder, strapless, wrap) and the landmarks
each gets, on synthetic flat garments, the sample garments and through the placement on a body."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from kfvton.keypoints.garment_landmarks import (
    CUT_KINDS,
    GARMENT_LANDMARKS,
    GarmentLandmarks,
    detect_garment_landmarks,
)
from kfvton.keypoints.placement import place_garment_landmarks
from kfvton.keypoints.pose import Pose, joint_index
from kfvton.preprocess.garment_mask import prepare_garment_mask
from kfvton.preprocess.io import load_image

H, W = 512, 400

# Flat garments (x, y) outlines; several polygons are drawn together (an open front's two fronts).
SHAPES = {
    "regular": [
        [(164, 60), (180, 74), (200, 80), (220, 74), (236, 60), (290, 82), (352, 170), (318, 196), (280, 162),
         (288, 450), (112, 450), (120, 162), (82, 196), (48, 170), (110, 82)],
    ],
    "off-shoulder": [  # straight top edge from sleeve to sleeve (Dress Code upper 000003_1)
        [(70, 80), (330, 80), (385, 300), (352, 312), (292, 170), (294, 450), (106, 450), (108, 170), (48, 312),
         (15, 300)],
    ],
    "strapless": [[(110, 120), (290, 120), (292, 200), (296, 430), (104, 430), (108, 200)]],
    "strappy": [  # a camisole: two thin straps on the body
        [(128, 40), (136, 40), (142, 150), (200, 190), (258, 150), (264, 40), (272, 40), (280, 150), (292, 180),
         (296, 460), (104, 460), (108, 180), (120, 150)],
    ],
    "halter": [
        [(190, 30), (210, 30), (212, 120), (262, 150), (290, 180), (296, 460), (104, 460), (110, 180), (138, 150),
         (188, 120)],
    ],
    "open front": [  # a cardigan laid flat, fronts apart from the neckline to the hem, joined by the back neck
        [(176, 60), (188, 72), (196, 78), (196, 440), (132, 440), (138, 140), (28, 300), (4, 282), (138, 74)],
        [(224, 60), (262, 74), (396, 282), (372, 300), (262, 140), (268, 440), (204, 440), (204, 78), (212, 72)],
        [(180, 60), (220, 60), (220, 70), (180, 70)],
    ],
    "wrap": [  # crossed fronts: a deep neckline off the centre, a slanted hem
        [(172, 60), (182, 230), (228, 60), (290, 82), (352, 170), (318, 196), (280, 162), (290, 405), (200, 430),
         (110, 455), (120, 162), (82, 196), (48, 170), (110, 82)],
    ],
}  # fmt: skip
OPEN_V = [  # an open front whose fronts splay towards the hem
    [(176, 60), (188, 72), (198, 80), (180, 440), (132, 440), (138, 140), (28, 300), (4, 282), (138, 74)],
    [(224, 60), (262, 74), (396, 282), (372, 300), (262, 140), (268, 440), (220, 440), (202, 80), (212, 72)],
    [(180, 60), (220, 60), (220, 70), (180, 70)],
]  # fmt: skip


# A buttoned V-neck cardigan whose inside of the back `drop_inner_back` emptied (the unseen CatVTON
# 21514384_52353349, grey with a mint placket): the V runs down to its first button, 0.43 of the height there, 0.55
# here; below it the placket closes the fronts down to the hem
BUTTONED_V = [
    [(164, 60), (200, 275), (236, 60), (290, 82), (352, 170), (318, 196), (280, 162), (288, 450), (112, 450),
     (120, 162), (82, 196), (48, 170), (110, 82)],
]  # fmt: skip

# A cold-shoulder blouse on straps: flutter sleeves starting below bare-shoulder cut-outs, laid flat so that each
# opens along its whole outer edge (110 px tall) over a shorter underside (66 px, armpit -> outer corner; the unseen
# ootd 050002_1: 167 over 104)
COLD_SHOULDER = [
    [(130, 40), (138, 40), (142, 130), (200, 150), (258, 130), (262, 40), (270, 40), (274, 130), (290, 150),
     (300, 190), (380, 190), (376, 300), (310, 302), (296, 470), (104, 470), (90, 302), (24, 300), (20, 190),
     (100, 190), (110, 150), (126, 130)],
]  # fmt: skip

# An off-shoulder crop with puff sleeves either side of a knot: its top edge runs level from sleeve to sleeve, but
# dips at the knot (too far for the straight-edge rule), like the unseen ootd 10297_00 ...
PUFFED_LEVEL_TOP = [
    [(30, 108), (50, 100), (90, 100), (160, 106), (200, 125), (240, 106), (310, 100), (350, 100), (370, 108),
     (380, 140), (376, 200), (330, 214), (292, 200), (290, 300), (110, 300), (108, 200), (70, 214), (24, 200),
     (20, 140)],
]  # fmt: skip
# ... and a regular top with as wide a (scooped) neck, whose shoulders slope down from it
WIDE_NECK = [
    [(120, 60), (200, 100), (280, 60), (330, 80), (370, 170), (336, 196), (290, 162), (292, 450), (108, 450),
     (110, 162), (64, 196), (30, 170), (70, 80)],
]  # fmt: skip


def draw(polygons: list, colour=(0.2, 0.3, 0.7)) -> tuple[torch.Tensor, torch.Tensor]:
    mask = np.zeros((H, W), np.uint8)
    for poly in polygons:
        cv2.fillPoly(mask, [np.array(poly, np.int32)], 1)
    m = torch.from_numpy(mask).float()[None, None]
    image = torch.ones(1, 3, H, W) * (1 - m) + torch.tensor(colour).view(1, 3, 1, 1) * m
    return image, m


def pts(lm: GarmentLandmarks) -> dict[str, np.ndarray]:
    return {name: lm.points[0, i].numpy().astype(np.float64) for i, name in enumerate(GARMENT_LANDMARKS)}


def frontal_pose() -> Pose:
    """An upright person (shoulder width 120 px) in a 512 x 384 image."""
    cx, sw = 192.0, 120.0
    joints = torch.zeros(1, 25, 3)
    for name, (x, y) in {
        "nose": (cx, 90), "neck": (cx, 150), "right_shoulder": (cx - sw / 2, 155), "left_shoulder": (cx + sw / 2, 155),
        "right_elbow": (cx - sw / 2 - 8, 250), "left_elbow": (cx + sw / 2 + 8, 250),
        "right_wrist": (cx - sw / 2 - 10, 335), "left_wrist": (cx + sw / 2 + 10, 335),
        "mid_hip": (cx, 340), "right_hip": (cx - 40, 340), "left_hip": (cx + 40, 340),
    }.items():  # fmt: skip
        joints[0, joint_index(name)] = torch.tensor([x, y, 0.9])
    return Pose(joints, (512, 384))


class TestCutsSynthetic:
    @pytest.mark.parametrize("cut", sorted(SHAPES))
    def test_cut_is_named(self, cut):
        image, mask = draw(SHAPES[cut])
        lm = detect_garment_landmarks(image, mask)
        assert lm.cuts == (cut,)
        assert cut in CUT_KINDS

    def test_frilled_off_shoulder_band_is_off_shoulder(self):
        # a smocked band's ruffled top edge: 8 px frills every 10 px (beyond the straight edge's tolerance, 1.5 %
        # of the 370 px width) do not hide the straight top edge; the neckline sits on the band
        outline = SHAPES["off-shoulder"][0]
        frills = [(x, 80 if (x // 5) % 2 == 0 else 72) for x in range(70, 331, 5)]
        lm = detect_garment_landmarks(*draw([frills + outline[2:]]))
        assert lm.cuts == ("off-shoulder",) and lm.sleeves[0] != "none"
        p = pts(lm)
        assert 70 <= p["collar_center"][1] <= 82 and p["collar_left"][1] < 60  # the collar above the band

    def test_splayed_open_front(self):
        lm = detect_garment_landmarks(*draw(OPEN_V))
        assert lm.cuts == ("open front",)

    def test_buttoned_v_is_no_open_front(self):
        """A deep V that ends at the first button is a neckline: the fronts stay closed under it (read open, the
        placket would be filled over nothing and the person's chest shown down to the hem)."""
        image, mask = draw(BUTTONED_V)
        lm = detect_garment_landmarks(image, mask)
        assert lm.cuts == ("regular",)
        assert pts(lm)["collar_center"][1] == pytest.approx(275, abs=6)  # the V's tip, at the first button

    @pytest.mark.parametrize("cut", ["off-shoulder", "strapless"])
    def test_straight_top_edge_is_the_neckline_with_the_collar_above(self, cut):
        lm = detect_garment_landmarks(*draw(SHAPES[cut]))
        p = pts(lm)
        edge = 80 if cut == "off-shoulder" else 120
        assert abs(p["collar_center"][1] - edge) <= 2 and abs(p["collar_center"][0] - 200) <= 3
        armpit_width = p["armpit_left"][0] - p["armpit_right"][0]
        for side in ("left", "right"):
            collar, shoulder = p[f"collar_{side}"], p[f"shoulder_{side}"]
            # no collar on the garment: the collar sides and shoulders lie above its top edge, off the outline
            assert collar[1] < edge - 0.15 * armpit_width and 0 < collar[2] < 0.3
            assert shoulder[1] < edge - 0.1 * armpit_width and 0 < shoulder[2] < 0.3
            assert abs(collar[0] - 200) < abs(shoulder[0] - 200)
        if cut == "strapless":  # the top edge's ends are under the arms
            assert p["armpit_left"][1] == pytest.approx(edge, abs=3) and p["armpit_right"][1] == pytest.approx(
                edge, abs=3
            )
        else:  # the sleeves are still found
            assert lm.sleeves[0] != "none" and p["sleeve_left_outer"][1] > 250

    def test_strappy_straps_are_the_shoulders_and_the_neckline_is_low(self):
        p = pts(detect_garment_landmarks(*draw(SHAPES["strappy"])))
        assert p["shoulder_left"][:2] == pytest.approx((264, 40), abs=6)
        assert p["shoulder_right"][:2] == pytest.approx((136, 40), abs=6)
        assert p["collar_center"][1] == pytest.approx(190, abs=4)  # the neckline between the straps
        for side in ("left", "right"):  # collar sides at the neck, between the straps, off the garment
            assert 150 < p[f"collar_{side}"][0] < 250 and p[f"collar_{side}"][1] == pytest.approx(40, abs=3)
            assert 0 < p[f"collar_{side}"][2] < 0.3

    def test_cold_shoulder_cuff_is_the_flat_sleeves_outer_edge(self):
        lm = detect_garment_landmarks(*draw(COLD_SHOULDER))
        assert lm.cuts == ("strappy",) and lm.sleeves == ("short",)
        p = pts(lm)
        # the opening runs down the outer edge, top corner -> bottom corner (read along the underside before, the
        # sleeves stood out from the arms like wings on the person)
        assert p["sleeve_left_outer"][:2] == pytest.approx((380, 190), abs=12)
        assert p["sleeve_left_inner"][:2] == pytest.approx((376, 300), abs=12)
        assert p["sleeve_right_outer"][:2] == pytest.approx((20, 190), abs=12)
        assert p["sleeve_right_inner"][:2] == pytest.approx((24, 300), abs=12)
        assert p["armpit_left"][:2] == pytest.approx((310, 302), abs=8)
        assert p["shoulder_left"][:2] == pytest.approx((266, 40), abs=6)  # the strap tops stay the shoulders

    def test_a_top_edge_level_from_sleeve_to_sleeve_is_off_shoulder(self):
        lm = detect_garment_landmarks(*draw(PUFFED_LEVEL_TOP))
        assert lm.cuts == ("off-shoulder",) and lm.sleeves == ("short",)
        p = pts(lm)
        assert p["collar_center"][1] == pytest.approx(125, abs=3)  # the neckline on the edge, at the knot
        for side in ("left", "right"):  # no neck: the collar sides and shoulders above the edge, off the outline
            assert p[f"collar_{side}"][1] < 100 and 0 < p[f"collar_{side}"][2] < 0.3
        assert detect_garment_landmarks(*draw(WIDE_NECK)).cuts == ("regular",)  # sloping shoulders: a neck

    def test_halter_keeps_its_neck_band_as_the_collar(self):
        p = pts(detect_garment_landmarks(*draw(SHAPES["halter"])))
        assert p["collar_left"][1] == pytest.approx(30, abs=3) and p["collar_left"][2] == 1.0
        assert 188 <= p["collar_right"][0] < p["collar_left"][0] <= 212
        for side in ("left", "right"):  # bare shoulders: placed where a regular top's are, out to the sides
            assert abs(p[f"shoulder_{side}"][0] - 200) > 60 and 0 < p[f"shoulder_{side}"][2] < 0.3

    @pytest.mark.parametrize("shape", ["open front", "open_v"])
    def test_open_front_landmarks(self, shape):
        polygons = OPEN_V if shape == "open_v" else SHAPES["open front"]
        lm = detect_garment_landmarks(*draw(polygons))
        p = pts(lm)
        assert lm.sleeves == ("long",)
        # hem corners at the outer ends of the hem (not the back neck, as before), hem centre across the gap
        assert p["hem_left"][:2] == pytest.approx((268, 440), abs=6)
        assert p["hem_right"][:2] == pytest.approx((132, 440), abs=6)
        assert p["hem_center"][:2] == pytest.approx((200, 440), abs=6) and p["hem_center"][2] < 0.3
        assert p["collar_center"][1] < 80  # the back neck, not the bottom of the gap
        for side, x in (("left", 262), ("right", 138)):
            assert p[f"armpit_{side}"][:2] == pytest.approx((x, 140), abs=10)
            assert p[f"shoulder_{side}"][1] < 90

    def test_wrap_keeps_its_crossing_and_slanted_hem(self):
        p = pts(detect_garment_landmarks(*draw(SHAPES["wrap"])))
        assert p["collar_center"][:2] == pytest.approx((182, 225), abs=8)
        assert p["hem_left"][:2] == pytest.approx((290, 405), abs=6)
        assert p["hem_right"][:2] == pytest.approx((110, 455), abs=6)

    def test_regular_tops_stay_regular_when_scaled(self):
        for scale in (0.5, 1.0):
            image, mask = draw(SHAPES["regular"])
            size = (int(H * scale), int(W * scale))
            image = torch.nn.functional.interpolate(image, size=size, mode="area")
            mask = (torch.nn.functional.interpolate(mask, size=size, mode="area") > 0.5).float()
            assert detect_garment_landmarks(image, mask).cuts == ("regular",)

    def test_batch_names_each_item(self):
        items = [draw(SHAPES[c]) for c in ("regular", "off-shoulder", "strappy")]
        lm = detect_garment_landmarks(torch.cat([i for i, _ in items]), torch.cat([m for _, m in items]))
        assert lm.cuts == ("regular", "off-shoulder", "strappy")
        assert lm.select(1).cuts == ("off-shoulder",)

    def test_dataclass_checks_cuts(self):
        with pytest.raises(ValueError, match="cuts"):
            GarmentLandmarks(torch.zeros(1, 14, 3), (H, W), ("none",), ("tube",))
        assert GarmentLandmarks(torch.zeros(1, 14, 3), (H, W), ("none",)).cuts == ()


class TestCutsOnTheBody:
    """Where the placement puts each cut on an upright person (shoulder joints at y = 155, shoulder width 120)."""

    def _targets(self, cut: str) -> dict[str, np.ndarray]:
        lm = detect_garment_landmarks(*draw(SHAPES[cut]))
        pairs = place_garment_landmarks(lm, frontal_pose())
        return {n: pairs.person_px[0, i].numpy() for i, n in enumerate(pairs.names)}

    def test_off_shoulder_edge_lies_below_the_shoulders(self):
        t = self._targets("off-shoulder")
        regular = self._targets("regular")
        # measured: edge 154.0, the shoulder seams 145.4, a regular top's neckline 146.2, the armpits 206.1
        edge = t["collar_center"][1]
        assert edge > t["shoulder_left"][1] + 5 and edge > t["shoulder_right"][1] + 5  # under the shoulders
        assert edge > regular["collar_center"][1] + 5 and edge < t["armpit_left"][1] - 30  # across the chest

    def test_strap_tops_land_on_the_shoulders(self):
        t = self._targets("strappy")
        for side, joint_x in (("left", 252.0), ("right", 132.0)):
            assert t[f"shoulder_{side}"][0] == pytest.approx(joint_x, abs=0.2 * 120)
            assert 130 < t[f"shoulder_{side}"][1] < 160  # on top of the shoulder, not floating above the neck


def _dataset_garments(samples_dir) -> dict[str, object]:
    found = {}
    for path in sorted((samples_dir / "vitonhd" / "test" / "cloth").glob("*.jpg")):
        found[path.stem] = path
    for path in sorted((samples_dir / "vitonhd_paired" / "test" / "cloth").glob("*.jpg")):
        found[path.stem] = path
    for path in sorted((samples_dir / "dresscode" / "upper_body" / "images").glob("*_1.jpg")):
        found[path.stem] = path
    return found


def test_sample_garment_cuts(samples_dir):
    """The sample tops' cuts: the off-shoulder top and the two camisoles are named, every other top is regular."""
    paths = _dataset_garments(samples_dir)
    if len(paths) < 10:
        pytest.skip("sample garments not found")
    expected = {"000003_1": "off-shoulder", "08348_00": "strappy", "09933_00": "strappy"}
    cuts = {}
    for stem, path in paths.items():
        image = torch.nn.functional.interpolate(load_image(path), size=(512, 384), mode="area")
        cuts[stem] = detect_garment_landmarks(image, prepare_garment_mask(image).mask).cuts[0]
    wrong = {s: c for s, c in cuts.items() if c != expected.get(s, "regular")}
    assert not wrong, wrong


def test_wrap_top_with_a_tie_photographed():
    """A wrap top's tie hanging off its side leaves the computed mask (it would be thrown across the person), and
    the top is still read as a wrap with its points on the body."""
    image, body = draw(SHAPES["wrap"])
    tie = np.zeros((H, W), np.uint8)
    cv2.line(tie, (286, 380), (380, 490), 1, 6)
    tie_t = torch.from_numpy(tie).float()[None, None]
    colour = torch.tensor((0.2, 0.3, 0.7)).view(1, 3, 1, 1)
    photo = image * (1 - tie_t) + colour * tie_t
    prepared = prepare_garment_mask(photo)
    mask = prepared.mask[0, 0].numpy() > 0.5
    assert prepared.dropped[0] > 0.005 and not mask[450:, 330:].any()  # the tie's end is gone
    lm = detect_garment_landmarks(photo, prepared.mask)
    assert lm.cuts == ("wrap",)
    found = lm.points[0][lm.points[0, :, 2] > 0]
    assert float(found[:, 0].max()) < 360 and float(found[:, 1].max()) < 462  # no point out on the tie
