"""Small array helpers shared by the composite's repaint (`composite.py`) and the light and folds (`shading.py`):
the multi-scale push-pull fill and the box of a mask. NumPy / OpenCV, (H, W[, C]) float32 arrays."""

from __future__ import annotations

import cv2
import numpy as np

from .._arrays import per_channel

__all__ = ["PUSH_PULL_SCALE", "push_pull", "push_pull_levels"]

#: The multi-scale fill starts at 1/PUSH_PULL_SCALE of the resolution (skin and backgrounds are smooth).
PUSH_PULL_SCALE = 4


def push_pull(img: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """(H, W, 3) `img` kept on `seed` and continued smoothly everywhere else: a multi-scale normalised fill (area
    averages of the seed pixels down a pyramid, then each level's gaps filled from the level below, bilinearly),
    which carries the seeds' gradients into the gap without blocks or seams. Computed from 1/`PUSH_PULL_SCALE` of
    the resolution up (so the seed pixels themselves come back smoothed: callers use the fill away from them).

    Args:
        img: (H, W, C) float32.
        seed: (H, W) bool, the pixels to keep.
    """
    weight = seed.astype(np.float32)
    if min(seed.shape) >= 64:
        size = (-(-seed.shape[1] // PUSH_PULL_SCALE), -(-seed.shape[0] // PUSH_PULL_SCALE))
        small_w = cv2.resize(weight, size, interpolation=cv2.INTER_AREA)
        small_v = cv2.resize(img * per_channel(weight, img.shape[-1]), size, interpolation=cv2.INTER_AREA)
        small = push_pull_levels(small_v, small_w)
        return cv2.resize(small, (seed.shape[1], seed.shape[0]), interpolation=cv2.INTER_LINEAR)
    return push_pull_levels(img * per_channel(weight, img.shape[-1]), weight)


def push_pull_levels(weighted: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """`push_pull` on (colour x weight, weight): (H, W, C) and (H, W) float32, weights in [0, 1] (area fractions);
    returns (H, W, C) float32."""
    levels = [(weighted, weight)]
    while min(levels[-1][1].shape) > 2:
        v, wt = levels[-1]
        size = ((wt.shape[1] + 1) // 2, (wt.shape[0] + 1) // 2)
        levels.append(
            (cv2.resize(v, size, interpolation=cv2.INTER_AREA), cv2.resize(wt, size, interpolation=cv2.INTER_AREA))
        )
    v, wt = levels[-1]
    mean = weighted.reshape(-1, weighted.shape[-1]).sum(0) / max(float(weight.sum()), 1e-6)
    est = np.where(wt[..., None] > 1e-6, v / np.maximum(wt, 1e-6)[..., None], mean).astype(np.float32)
    for v, wt in reversed(levels[:-1]):
        up = cv2.resize(est, (wt.shape[1], wt.shape[0]), interpolation=cv2.INTER_LINEAR)
        conf = np.minimum(1.0, wt * 4.0)[..., None]  # a level's own average counts once a quarter is seeded
        own = v / np.maximum(wt, 1e-6)[..., None]
        est = own * conf + up * (1 - conf)
    return est
