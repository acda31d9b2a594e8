"""`classify_garment`: flared shorts, strapless tops and off-shoulder tops, synthetic and on every shared garment."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from kfvton.keypoints.garment_landmarks_lower import GAP_MIN, _side_gap_rows, classify_garment
from kfvton.preprocess.garment_mask import prepare_garment_mask
from kfvton.preprocess.io import load_image


def _mask(polygons: list[list[tuple[int, int]]], hw: tuple[int, int] = (400, 300)) -> torch.Tensor:
    canvas = np.zeros(hw, np.uint8)
    for poly in polygons:
        cv2.fillPoly(canvas, [np.array(poly, np.int32)], 1)
    return torch.from_numpy(canvas).float()[None, None]


def test_flared_shorts_are_lower():
    # a waistband 0.65 of the hem's width widening down to the hem (A-line shorts): no neckline, no armholes
    seen = classify_garment(_mask([[(100, 60), (200, 60), (260, 300), (40, 300)]]))
    assert seen.categories == ("lower",), seen.reasons


def test_long_trousers_flaring_at_the_hips_are_lower():
    # a waistband 0.73 of the hips' width, legs tapering from the thighs down to the hem, a gap between the legs
    legs = [(110, 20), (190, 20), (205, 90), (195, 380), (160, 380), (152, 140), (148, 140), (140, 380), (105, 380),
            (95, 90)]  # fmt: skip
    seen = classify_garment(_mask([legs]))
    assert seen.categories == ("lower",), seen.reasons
    assert seen.sure == (True,) and "two legs" in seen.reasons[0]
    # the same outline without the gap between the legs has no sign of trousers: not taken for them
    closed = [p for p in legs if p not in ((152, 140), (148, 140), (160, 380), (140, 380))]
    assert classify_garment(_mask([closed])).categories != ("lower",)


def test_strapless_top_narrowing_at_its_armholes_is_upper():
    # a straight top edge as wide as the garment, narrowing to armholes below it: a strapless top, not a skirt
    seen = classify_garment(
        _mask([[(60, 60), (240, 60), (240, 110), (205, 160), (205, 320), (95, 320), (95, 160), (60, 110)]])
    )
    assert seen.categories == ("upper",), seen.reasons
    assert "as wide at the hips" in seen.reasons[0]


def test_off_shoulder_top_with_hanging_sleeves_is_upper():
    # a straight top edge (off-shoulder band) with sleeves hanging beside the body, background between them
    body = [(80, 60), (220, 60), (205, 330), (95, 330)]
    sleeves = [[(40, 60), (90, 60), (75, 300), (25, 300)], [(210, 60), (260, 60), (275, 300), (225, 300)]]
    seen = classify_garment(_mask([body, *sleeves]))
    assert seen.categories == ("upper",), seen.reasons
    assert "sleeves beside the body" in seen.reasons[0]
    assert seen.sure == (True,)


def test_every_shared_garment(samples_dir):
    """The 12 VITON-HD test and 5 paired garments are tops; the Dress Code ones are their folder's category."""
    expected = {}
    for folder in ("vitonhd/test/cloth", "vitonhd_paired/test/cloth"):
        expected.update({path: "upper" for path in sorted((samples_dir / folder).glob("*.jpg"))})
    for folder, category in (("upper_body", "upper"), ("lower_body", "lower"), ("dresses", "dress")):
        expected.update({p: category for p in sorted((samples_dir / "dresscode" / folder / "images").glob("*_1.jpg"))})
    if len(expected) < 30:
        pytest.skip("the shared VITON-HD and Dress Code garments are not all there")
    wrong = []
    for path, category in expected.items():
        seen = classify_garment(prepare_garment_mask(load_image(path), None).mask)
        if seen.categories[0] != category:
            wrong.append(f"{path.name}: {seen.categories[0]} ({seen.reasons[0]}), expected {category}")
    assert not wrong, wrong


def test_row_extents_match_each_rows_extent():
    """`_row_extents` (every row at once, read by `classify_garment`) gives `_row_extent` of each row, None for an
    empty one."""
    from kfvton.keypoints.garment_landmarks_lower import _row_extent, _row_extents

    piece = (np.random.default_rng(0).random((40, 31)) > 0.8).astype(np.uint8)
    piece[[0, 7, 39]] = 0
    piece[5, :] = 1
    piece[9, 30] = 1
    extents = _row_extents(piece)
    assert len(extents) == 40 and extents[0] is None and extents[5] == (0, 30)
    assert extents == [_row_extent(piece, r) for r in range(40)]


def test_short_flared_dress_is_a_dress_but_unsure():
    # a V neckline, a fitted bodice narrowing to a waist 90 px wide, a skirt flaring to 170 px at the hem: 2.5 times
    # as long as its torso is wide (under `DRESS_LENGTH`, where long tops are as long), 2.9 waists long
    dress = [(85, 40), (135, 40), (150, 80), (165, 40), (215, 40), (195, 160), (235, 300), (65, 300), (105, 160)]
    seen = classify_garment(_mask([dress]))
    assert seen.categories == ("dress",), seen.reasons
    assert seen.reasons[0].startswith("unsure, read as a short dress"), seen.reasons


def test_long_straight_top_is_upper_but_unsure():
    # the same length and neckline without a waist (a long tank top): a top, said to be unsure
    top = [(85, 40), (135, 40), (150, 80), (165, 40), (215, 40), (220, 300), (80, 300)]
    seen = classify_garment(_mask([top]))
    assert seen.categories == ("upper",), seen.reasons
    assert seen.reasons[0].startswith("unsure, read as a long top"), seen.reasons
    # ... and one with the dress's waist but hardly widening below it (1.2 times: a camisole) is not a dress either
    slim = [(85, 40), (135, 40), (150, 80), (165, 40), (215, 40), (195, 160), (204, 300), (96, 300), (105, 160)]
    assert classify_garment(_mask([slim])).categories == ("upper",)


def test_side_gap_rows_pairs_each_runs_start_and_end():
    """`_side_gap_rows` pairs each row's background runs from one pass over the changes along the row: the count
    is the one from the starts and the ends found apart (random pieces with many runs per row, at the borders too)."""

    def apart(piece: np.ndarray, box: tuple[int, int, int, int]) -> int:
        x0, y0, x1, y1 = box
        width, height = x1 - x0 + 1, y1 - y0 + 1
        background = np.pad(piece[y0 + int(0.3 * height) : y1 + 1] == 0, ((0, 0), (1, 1)), constant_values=False)
        edges = np.diff(background.astype(np.int8), axis=1)
        rows, starts = np.nonzero(edges == 1)
        _, ends = np.nonzero(edges == -1)
        centre = 0.5 * (starts - 1 + ends)
        off = (starts > 0) & (ends < piece.shape[1]) & (ends - starts + 1 > max(2, int(GAP_MIN * width)))
        return int(np.unique(rows[off & (np.abs(centre - 0.5 * (x0 + x1)) > width / 6)]).size)

    rng = np.random.default_rng(0)
    counts = []
    for _ in range(50):
        piece = (rng.random((60, 80)) < rng.uniform(0.3, 0.95)).astype(np.uint8)
        counts.append(_side_gap_rows(piece, (0, 0, 79, 59)))
        assert counts[-1] == apart(piece, (0, 0, 79, 59))
    assert max(counts) > 0  # (some pieces do have side gaps)
