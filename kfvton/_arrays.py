"""The one bridge from a library image tensor to the NumPy array OpenCV and MediaPipe read."""

from __future__ import annotations

import numpy as np
from torch import Tensor

__all__ = ["to_uint8_hwc"]


def to_uint8_hwc(image: Tensor) -> np.ndarray:
    """One image for OpenCV / MediaPipe / onnxruntime pre-processing.

    Args:
        image: (C, H, W) float in [0, 1] (values outside are clamped), any device.

    Returns:
        (H, W, C) uint8, C-contiguous, on the CPU, rounded to nearest (channel order kept: RGB in, RGB out).
    """
    arr = (image.detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy() * 255.0 + 0.5).astype(np.uint8)
    return np.ascontiguousarray(arr)
