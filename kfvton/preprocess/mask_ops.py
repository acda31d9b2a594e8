"""Small operations on binary NumPy masks that several perception steps share (person regions, garment masks)."""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["largest_component"]


def largest_component(mask: np.ndarray) -> np.ndarray:
    """The largest 8-connected non-zero region of a 2-D mask.

    Args:
        mask: (H, W) bool or integer, non-zero = inside.

    Returns:
        (H, W) array of `mask`'s dtype: 1 (True) on the largest region, 0 elsewhere; all 0 when `mask` is empty.
    """
    u8 = mask.astype(np.uint8)
    # (the components in the box of the non-zero pixels: they all lie there, labelled in the same raster order;
    # a garment's box is about half of its photo, whose whole-frame labelling was ~2.5 ms at 1024 x 768)
    x0, y0, bw, bh = cv2.boundingRect(u8)
    out = np.zeros_like(mask)
    if bw == 0 or bh == 0:
        return out
    count, labels, stats, _ = cv2.connectedComponentsWithStats(u8[y0 : y0 + bh, x0 : x0 + bw], connectivity=8)
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    out[y0 : y0 + bh, x0 : x0 + bw] = labels == best
    return out
