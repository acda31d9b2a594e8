"""`_smooth_band`: the body fit's grown band gets a smooth outer outline, not the parse map's ragged one."""

from __future__ import annotations

import numpy as np

from kfvton.pipelines.composite import _rows_to, _smooth_band


def _ragged() -> tuple[np.ndarray, np.ndarray]:
    """(80, 80) bool garment (columns 10-39) and a band beside it (columns 40-49) whose outer outline has 2-px teeth
    out to column 55 and 2-px notches in to column 44 every 10 rows (an estimated parse map's outline)."""
    cov = np.zeros((80, 80), bool)
    cov[10:70, 10:40] = True
    grow = np.zeros_like(cov)
    grow[10:70, 40:50] = True
    for y in range(14, 66, 10):
        grow[y : y + 2, 50:56] = True  # a tooth
        grow[y + 5 : y + 7, 44:50] = False  # a notch
    return cov, grow


def test_teeth_go_and_notches_fill():
    cov, grow = _ragged()
    out = _smooth_band(cov, grow, np.ones_like(cov), 3.0)
    assert not out[10:70, 52:].any()  # no tooth
    assert out[20:60, 40:48].all()  # no notch
    assert not (out & cov).any()


def test_fills_only_allowed_pixels():
    cov, grow = _ragged()
    allowed = np.zeros_like(cov)  # (an arm below the sleeve's end: kept off)
    out = _smooth_band(cov, grow, allowed, 3.0)
    assert not (out & ~grow).any()


def test_small_sigma_changes_nothing():
    cov, grow = _ragged()
    assert np.array_equal(_smooth_band(cov, grow, np.ones_like(cov), 0.5), grow)


def test_rows_to_counts_rows_to_the_nearest_mask_pixel_in_the_column():
    """`_rows_to` (the band's taper towards an arm's bare skin): per pixel the rows up or down to the nearest True
    pixel of its column, the height where the column has none; brute force per column on a random mask."""
    rng = np.random.default_rng(5)
    mask = rng.random((40, 9)) > 0.9
    mask[:, 4] = False  # (a column without any)
    out = _rows_to(mask)
    assert out.dtype == np.float32
    for x in range(mask.shape[1]):
        hits = np.nonzero(mask[:, x])[0]
        for y in range(mask.shape[0]):
            want = np.abs(hits - y).min() if len(hits) else mask.shape[0]
            assert out[y, x] == want
