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
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return np.zeros_like(mask)
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return (labels == best).astype(mask.dtype)
