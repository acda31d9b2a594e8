"""Dress placement rules of `kfvton.keypoints.placement_lower` on synthetic landmarks (no samples needed)."""

from __future__ import annotations

import torch

from kfvton.keypoints.garment_landmarks_lower import DRESS_LANDMARKS, detect_dress_landmarks
from kfvton.keypoints.placement_lower import (
    DRESS_THIGH_MIN,
    FLAT_TO_WORN,
    SIL_LOOSE,
    _Body,
    _own_bodice_width,
    place_dress_landmarks,
)
from kfvton.keypoints.pose import Pose

IDX = {n: k for k, n in enumerate(DRESS_LANDMARKS)}


def _body(parse: torch.Tensor | None = None) -> _Body:
    """A standing body: neck (380, 110), hips at x 335 / 425 on row 450 (90 px apart), knees and ankles below."""
    j = torch.zeros(25, 3, dtype=torch.float64)
    for k, (x, y) in {1: (380, 110), 9: (335, 450), 10: (340, 650), 11: (340, 850)}.items():
        j[k] = torch.tensor([x, y, 1.0])
    for k, (x, y) in {12: (425, 450), 13: (420, 650), 14: (420, 850)}.items():
        j[k] = torch.tensor([x, y, 1.0])
    return _Body(j, parse)


def _tent() -> tuple[torch.Tensor, torch.Tensor]:
    """(garment, person) dress points (18, 3): a tent dress 227 px wide at its armpits (row 250, hem at 936) whose
    armpits were placed on the body 134 px apart (row 204, hem at 805): the length scale is 601 / 686."""
    g = torch.zeros(len(DRESS_LANDMARKS), 3, dtype=torch.float64)
    out = torch.zeros_like(g)
    g[IDX["armpit_right"]], g[IDX["armpit_left"]] = torch.tensor([281.0, 250, 0.5]), torch.tensor([508.0, 250, 0.5])
    g[IDX["shoulder_right"]], g[IDX["shoulder_left"]] = torch.tensor([282.0, 120, 0.5]), torch.tensor([519, 120, 0.5])
    g[IDX["hem_center"]] = torch.tensor([398.0, 936, 1.0])
    out[IDX["armpit_right"]], out[IDX["armpit_left"]] = torch.tensor([303.0, 204, 0.5]), torch.tensor([437, 204, 0.5])
    out[IDX["shoulder_right"]], out[IDX["shoulder_left"]] = torch.tensor([310.0, 148, 0.5]), torch.tensor([450, 148, 1])
    out[IDX["hem_center"]] = torch.tensor([400.0, 805, 1.0])
    return g, out


def _width(out: torch.Tensor, row: str) -> float:
    return float(out[IDX[f"{row}_left"], 0] - out[IDX[f"{row}_right"], 0])


def test_a_tent_dress_keeps_its_own_width_at_the_armpits_and_shoulders() -> None:
    # Dress Code 020719: drawn at the body's width under the arms, its print squeezed across; its own width x the
    # placed length scale x FLAT_TO_WORN is the floor, spread evenly about the row's middle
    g, out = _tent()
    scale = 601 / 686
    _own_bodice_width(g, out, IDX, _body())
    assert abs(_width(out, "armpit") - FLAT_TO_WORN * scale * 227) < 0.5, _width(out, "armpit")
    assert abs(_width(out, "shoulder") - FLAT_TO_WORN * scale * 237) < 0.5, _width(out, "shoulder")
    assert abs(float(out[IDX["armpit_right"], 0] + out[IDX["armpit_left"], 0]) / 2 - 370.0) < 0.5
    assert float(out[IDX["armpit_right"], 1]) == 204.0  # only across


def test_a_dress_already_wider_than_its_own_floor_is_left_alone() -> None:
    g, out = _tent()
    out[IDX["armpit_right"], 0], out[IDX["armpit_left"], 0] = 270.0, 470.0  # 200 px: wider than 159
    before = out.clone()
    g[IDX["shoulder_right"], 2] = 0.0  # a point the garment does not show: not moved
    _own_bodice_width(g, out, IDX, _body())
    assert torch.equal(out, before)


def test_the_widened_bodice_stays_within_the_silhouette_and_its_margin() -> None:
    # the person's silhouette spans x 305 .. 435 on every row: each side at most SIL_LOOSE hip widths beyond it
    parse = torch.zeros(1024, 768, dtype=torch.long)
    parse[:, 305:436] = 4
    g, out = _tent()
    out[IDX["shoulder_left"], 0] = 440.0  # inside the margin (a side already beyond it is never pulled in)
    _own_bodice_width(g, out, IDX, _body(parse))
    hw = 90.0
    for row in ("armpit", "shoulder"):
        right, left = float(out[IDX[f"{row}_right"], 0]), float(out[IDX[f"{row}_left"], 0])
        assert right >= 305 - SIL_LOOSE * hw - 0.5 and left <= 435 + SIL_LOOSE * hw + 0.5, (row, right, left)
        assert _width(out, row) > 150.0  # widened as far as the margin allows (placed 134 and 130)


def _pose_with_hips(hip_dx: float, knee_y: float = 360.0) -> Pose:
    """A standing person (512 x 384): hip joints `hip_dx` px either side of the centre on row 250 (the neck on row
    110), knees on row `knee_y` and ankles straight below the hips, shoulders fixed."""
    joints = torch.zeros(1, 25, 3)
    cx = 191.5
    for k, y in ((1, 110), (8, 250), (0, 70)):
        joints[0, k] = torch.tensor([cx, y, 1.0])
    for right, left, dx, y in ((2, 5, 45, 115), (3, 6, 55, 180), (4, 7, 58, 240), (9, 12, hip_dx, 250),
                               (10, 13, hip_dx, knee_y), (11, 14, hip_dx, 465)):  # fmt: skip
        joints[0, right] = torch.tensor([cx - dx, y, 1.0])
        joints[0, left] = torch.tensor([cx + dx, y, 1.0])
    return Pose(joints, (512, 384))


def _shift_dress() -> tuple[torch.Tensor, torch.Tensor]:
    """(garment (1, 3, 400, 300), mask (1, 1, 400, 300)): a sleeveless shift dress, straps over a wider body."""
    mask = torch.zeros(1, 1, 400, 300)
    for r in range(20, 380):
        half = 35 if r < 60 else 60 + 25 * (r > 120)
        mask[0, 0, r, round(149.5 - half) : round(149.5 + half) + 1] = 1
    return mask.expand(-1, 3, -1, -1) * 0.5 + 0.25, mask


def test_a_dress_is_as_long_on_wide_hips_as_on_narrow_ones() -> None:
    # the hem's depth below the waist scales with the legs (`DRESS_THIGH`), not with the hip joints' spread: at the
    # hips' scale every dress reached the ankles of the unseen persons, whose (MediaPipe) hip joints lie farther
    # apart for their legs' length than the paired models' (OpenPose)
    garment, mask = _shift_dress()
    landmarks = detect_dress_landmarks(garment, mask)
    hem = DRESS_LANDMARKS.index("hem_center")
    narrow = place_dress_landmarks(landmarks, _pose_with_hips(30.0)).person_px[0, hem, 1]
    wide = place_dress_landmarks(landmarks, _pose_with_hips(42.0)).person_px[0, hem, 1]
    assert abs(float(wide - narrow)) < 2.0, (float(narrow), float(wide))
    assert 250.0 < float(narrow) < 465.0  # between the hip joints and the ankles


def test_foreshortened_thighs_do_not_pull_the_hem_up() -> None:
    # thighs seen shorter than `DRESS_THIGH_MIN` torso lengths (a seated person's, towards the camera) count as that
    garment, mask = _shift_dress()
    landmarks = detect_dress_landmarks(garment, mask)
    hem = DRESS_LANDMARKS.index("hem_center")
    floor_y = 250.0 + DRESS_THIGH_MIN * 140.0  # torso: neck row 110 -> hips row 250
    seated = place_dress_landmarks(landmarks, _pose_with_hips(30.0, knee_y=275.0)).person_px[0, hem, 1]
    at_floor = place_dress_landmarks(landmarks, _pose_with_hips(30.0, knee_y=floor_y)).person_px[0, hem, 1]
    assert abs(float(seated - at_floor)) < 2.0, (float(seated), float(at_floor))


def test_a_ragged_top_skirt_split_does_not_pinch_the_waist() -> None:
    # estimated regions split a worn dress into top (5) and "pants" (9) along a ragged line; the probe row just under
    # the natural waist (row 226: hips on row 250, torso 140) holds only a 44 px sliver of the skirt label, the
    # rows under it its 104 px. OOTDiffusion model_9: the new dress's waist was pinched to half her body and its
    # skirt ballooned out below it (a lampshade); the widest run within `WAIST_BAND` torso lengths counts
    garment, mask = _shift_dress()
    landmarks = detect_dress_landmarks(garment, mask)
    parse = torch.zeros(1, 512, 384, dtype=torch.long)
    parse[0, 130:233, 140:244] = 5
    parse[0, 233, 170:214] = 9  # the ragged first row of the skirt label, at the probe
    parse[0, 234:330, 140:244] = 9
    out = place_dress_landmarks(landmarks, _pose_with_hips(45.0), parse=parse).person_px[0]
    width = float(out[IDX["waist_left"], 0] - out[IDX["waist_right"], 0])
    assert abs(width - 104.0) < 3.0, width  # main: 86 (the sliver, clamped up to 0.48 hip widths a side)


def test_a_rounded_hem_keeps_the_skirt_s_width() -> None:
    # a skirt 170 px wide down to row 360 whose hem rounds off to 90 px at the bottom (row 379): its corners on the
    # widest row near the bottom (`HEM_BAND`); 2 % of the height above the bottom they measured ~124 px, narrower
    # than the hips (OOTDiffusion 053290: 274 of 373 px), and the worn skirt hung as a column
    _, mask = _shift_dress()
    for r in range(361, 380):
        half = 85 - 40 * (r - 360) / 19
        mask[0, 0, r] = 0
        mask[0, 0, r, round(149.5 - half) : round(149.5 + half) + 1] = 1
    landmarks = detect_dress_landmarks(mask.expand(-1, 3, -1, -1) * 0.5 + 0.25, mask)
    g = landmarks.points[0]
    width = float(g[IDX["hem_left"], 0] - g[IDX["hem_right"], 0])
    assert width >= 168.0, width
    assert 355.0 <= float(g[IDX["hem_left"], 1]) <= 362.0 and 355.0 <= float(g[IDX["hem_right"], 1]) <= 362.0
