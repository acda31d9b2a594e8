"""`kfvton._arrays`: the shared NumPy helpers."""

from __future__ import annotations

import cv2
import numpy as np

from kfvton._arrays import blur_at


def test_blur_at_is_the_full_blur_at_those_pixels():
    """The box blur equals the whole image's blur at the pixels, inside and at the image's borders, for a
    single-channel map and a colour image, also for a box over most of a small image."""
    rng = np.random.default_rng(0)
    for shape in ((120, 90), (120, 90, 3)):
        x = rng.random(shape, dtype=np.float32)
        for sigma in (0.5, 1.0, 3.3):
            full = cv2.GaussianBlur(x, (0, 0), sigma)
            for ys, xs in (
                (np.array([40, 41, 60]), np.array([30, 50, 31])),  # inside, far from the borders
                (np.array([0, 1, 119]), np.array([0, 89, 45])),  # on the borders
                (np.arange(5, 115), np.arange(2, 112) % 90),  # most of the image
            ):
                got = blur_at(x, sigma, ys, xs)
                assert got.shape == full[ys, xs].shape
                np.testing.assert_allclose(got, full[ys, xs], rtol=0, atol=1e-6)
