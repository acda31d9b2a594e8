"""The one bridge from a library image tensor to the NumPy array OpenCV and MediaPipe read, and the small NumPy
array helpers several packages share."""

from __future__ import annotations

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    "CHAMFER_AXIAL",
    "LUMA_WEIGHTS",
    "above_half",
    "above_line",
    "blur_at",
    "blur_box",
    "blur_in_box",
    "blur_wide",
    "box_share",
    "channel_max",
    "channel_sum",
    "channels_first",
    "channels_last",
    "dilate_square",
    "distance_near",
    "every_masked",
    "mask_box",
    "nonzero_yx",
    "per_channel",
    "take",
    "to_uint8_hwc",
    "true_runs",
]

#: Luminance of RGB (ITU-R BT.601 weights): the one place the light, shading and cutting rules read them from.
LUMA_WEIGHTS: tuple[float, float, float] = (0.299, 0.587, 0.114)

#: OpenCV's 3 x 3 chamfer `DIST_L2` step along a row or column (1.3693 diagonally): its distances are at least this
#: times a pixel's offset along either axis (what bounds the rows `distance_near` and `_fit_to_body` measure in)
CHAMFER_AXIAL = 0.955


def to_uint8_hwc(image: Tensor) -> np.ndarray:
    """One image for OpenCV / MediaPipe / onnxruntime pre-processing.

    Args:
        image: (C, H, W) float in [0, 1] (values outside are clamped), any device.

    Returns:
        (H, W, C) uint8, C-contiguous, on the CPU, rounded to nearest (channel order kept: RGB in, RGB out).
    """
    # (scaled and cast per channel plane, in torch, then interleaved by OpenCV: the same values as NumPy's float
    # product and cast of the channels-last view, which ran a 3-long inner loop per pixel, 2x as slow at 1024 x 768)
    planes = image.detach().float().clamp(0, 1).mul_(255.0).add_(0.5).to(torch.uint8).cpu().numpy()
    if planes.shape[0] in (3, 4):
        return cv2.merge(list(planes))
    return np.ascontiguousarray(planes.transpose(1, 2, 0))


def above_half(x: Tensor) -> np.ndarray:
    """`x` (any shape, float or bool, any device) > 0.5 as a NumPy bool array on the CPU: a mask thresholded after
    the copy to NumPy, whose comparison is ~4x as fast as torch's on the CPU (the same values)."""
    return x.detach().float().cpu().numpy() > 0.5


def above_line(a: np.ndarray, b: np.ndarray, hw: tuple[int, int]) -> np.ndarray:
    """(H, W) bool: the pixels of an image of `hw` above the line through the points `a` and `b` ((2,) x, y each),
    extended across it; level at `a`'s row where both share a column."""
    h, w = hw
    run = float(b[0] - a[0])
    slope = (float(b[1] - a[1]) / run) if abs(run) > 1e-6 else 0.0
    xx = np.arange(w, dtype=np.float64)[None, :]
    yy = np.arange(h, dtype=np.float64)[:, None]
    return yy < a[1] + slope * (xx - a[0])


def true_runs(row: np.ndarray) -> np.ndarray:
    """(K, 2) int start, end (exclusive) of the runs of True in a 1-D bool array, left to right."""
    d = np.diff(np.concatenate([[0], row.astype(np.int8), [0]]))
    return np.stack([np.nonzero(d == 1)[0], np.nonzero(d == -1)[0]], axis=1)


def blur_at(x: np.ndarray, sigma: float, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """`cv2.GaussianBlur(x, (0, 0), sigma)[ys, xs]` for an (H, W) or (H, W, C) float32 `x` and K > 0 pixels (`ys`,
    `xs` int (K,)) -> (K,) or (K, C), blurring only their box grown by the kernel's reach (OpenCV's float kernels
    reach 4 sigma), not the whole image: a small region of a 1024 x 768 frame costs a fraction of the full blur."""
    box = blur_box(x.shape[:2], sigma, ys, xs)
    crop = np.ascontiguousarray(x[box])  # (a copy: OpenCV reads no pixels past the box's own borders)
    return cv2.GaussianBlur(crop, (0, 0), sigma)[ys - box[0].start, xs - box[1].start]


def blur_box(size_hw: tuple[int, int], sigma: float, ys: np.ndarray, xs: np.ndarray) -> tuple[slice, slice]:
    """(rows, columns) the box `blur_at` blurs in an image of `size_hw` for K > 0 pixels (`ys`, `xs` int (K,)):
    theirs grown by the kernel's reach, inside the image. A caller that weighs the image before the blur weighs
    only this box (`blur_at` of the box's product at `ys - rows.start`, `xs - columns.start`: the same values)."""
    reach = int(np.ceil(4.0 * sigma)) + 1
    h, w = size_hw
    y0, y1 = max(0, int(ys.min()) - reach), min(h, int(ys.max()) + reach + 1)
    x0, x1 = max(0, int(xs.min()) - reach), min(w, int(xs.max()) + reach + 1)
    return slice(y0, y1), slice(x0, x1)


def blur_in_box(mask: np.ndarray, sigma: float) -> np.ndarray:
    """(H, W) float32 `cv2.GaussianBlur(mask.astype(np.float32), (0, 0), sigma)` of a sparse (H, W) bool or uint8
    `mask`, blurred over its non-zero pixels' box grown past the kernel's reach (OpenCV's float kernels reach 4 sigma)
    only: beyond it the blur is 0 and the reflected border reads only zeros, so the values are the whole frame's (to
    a float's last bits: OpenCV's SIMD row tails). All 0 for an empty mask."""
    out = np.zeros(mask.shape, np.float32)
    if not mask.any():
        return out
    y0, y1, x0, x1 = mask_box(mask, int(np.ceil(4.0 * sigma)) + 2)
    out[y0:y1, x0:x1] = cv2.GaussianBlur(mask[y0:y1, x0:x1].astype(np.float32), (0, 0), sigma)
    return out


def blur_wide(x: np.ndarray, sigma: float) -> np.ndarray:
    """(H, W) float32 `x` blurred by about a Gaussian of `sigma` pixels, cheaply: wide ones (`sigma` >= 4) at a
    quarter of the resolution (area average, blur, bilinear back), narrower ones exactly. For smooth fields: a
    sigma-10 blur of a 640 x 560 crop took 0.3 ms this way, 3.5 ms at full size."""
    if sigma < 4.0:
        return cv2.GaussianBlur(x, (0, 0), sigma)
    h, w = x.shape
    small = cv2.resize(x, (-(-w // 4), -(-h // 4)), interpolation=cv2.INTER_AREA)
    return cv2.resize(cv2.GaussianBlur(small, (0, 0), sigma / 4), (w, h), interpolation=cv2.INTER_LINEAR)


def distance_near(target: np.ndarray, reach: float, where: np.ndarray | None = None) -> np.ndarray:
    """(H, W) float32 `cv2.distanceTransform((~target).astype(np.uint8), cv2.DIST_L2, 3)` (the distance to the
    nearest True pixel of `target` (H, W) bool) in the rows of `where` (H, W) bool (default `target`) where it is at
    most `reach`; over `reach` in the others of those rows (inf for an empty `target`); inf in the other rows.
    Computed in those rows grown by the most rows `reach` spans only: a small region of a large crop costs a
    fraction of the whole transform.

    The same values: a chamfer distance is at least `CHAMFER_AXIAL` x the rows between the pixel and its nearest
    target pixel, and OpenCV's path to that pixel stays within the rows between them, so the rows left out hold
    only target pixels farther than `reach`. Whole rows: OpenCV's distances in a box cut from the columns differ in
    the last bit."""
    out = np.full(target.shape, np.inf, np.float32)
    where = target if where is None else where
    if not where.any():
        return out
    y0, y1, _, _ = mask_box(where, int(np.ceil(reach / CHAMFER_AXIAL)) + 2)
    rows = np.ascontiguousarray(~target[y0:y1], np.uint8)
    if rows.all():
        return out
    out[y0:y1] = cv2.distanceTransform(rows, cv2.DIST_L2, 3)
    return out


def channel_max(x: np.ndarray) -> np.ndarray:
    """(..., 3) -> (...): `x.max(-1)` as two whole-array maxima (the same values; NumPy's reduction runs a 3-long
    inner loop per pixel). Other shapes: `x.max(-1)` itself."""
    if x.shape[-1:] != (3,):
        return x.max(-1)
    return np.maximum(np.maximum(x[..., 0], x[..., 1]), x[..., 2])


def channel_sum(x: np.ndarray) -> np.ndarray:
    """(..., 3) float -> (...): `x.sum(-1)`, bit-identical (NumPy adds a 3-long axis left to right too), as two
    whole-array additions: NumPy's reduction runs a 3-long inner loop per pixel, ~20x as slow. Other shapes and
    integer or bool arrays: `x.sum(-1)` itself."""
    if x.shape[-1:] != (3,) or x.dtype.kind != "f":
        return x.sum(-1)
    return x[..., 0] + x[..., 1] + x[..., 2]


def channels_last(planes: np.ndarray) -> np.ndarray:
    """(C, H, W) -> (H, W, C) C-contiguous copy of `planes`, whatever its strides (a crop of a tensor's NumPy view):
    OpenCV's merge of the C planes, the same values as `np.ascontiguousarray(planes.transpose(1, 2, 0))`, whose
    pixel-by-pixel gather (like torch's `permute(1, 2, 0).contiguous()`) took 3-4x as long over a 1024 x 768 photo.
    Dtypes OpenCV cannot merge (bool, int64) and C outside 2-4: NumPy's copy."""
    if 2 <= planes.shape[0] <= 4 and planes.dtype in (np.float32, np.float64, np.uint8):
        return cv2.merge(list(planes))
    return planes.transpose(1, 2, 0).copy()  # (C order)


def channels_first(x: np.ndarray) -> np.ndarray:
    """(..., H, W, C) -> (..., C, H, W) C-contiguous copy: NumPy's copy of the transposed view, the same values as
    torch's `permute(..., 3, 1, 2).contiguous()` in under half its time on a 1024 x 768 image."""
    return np.moveaxis(x, -1, -3).copy()  # (C order)


def mask_box(mask: np.ndarray, margin: int) -> tuple[int, int, int, int]:
    """(y0, y1, x0, x1) of the True pixels of `mask` (H, W) bool grown by `margin` pixels, inside the image."""
    rows = np.nonzero(mask.any(1))[0]
    # (the columns over the rows that hold any: a thin mask's box took a pass down every column of the image)
    cols = np.nonzero(mask[rows[0] : rows[-1] + 1].any(0))[0] if len(rows) else rows
    h, w = mask.shape
    return (
        max(0, int(rows[0]) - margin),
        min(h, int(rows[-1]) + 1 + margin),
        max(0, int(cols[0]) - margin),
        min(w, int(cols[-1]) + 1 + margin),
    )


def nonzero_yx(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.nonzero(mask)` of an (H, W) array: (rows (n,), columns (n,)) int64 of its non-zero pixels in row-major
    order, the same arrays, from their flat indices: NumPy's 2-D nonzero took 1.3x (a solid garment) to 12x (a thin
    rim or band) as long on a 1024 x 768 mask, 18-28 ms of a try-on."""
    return np.divmod(np.flatnonzero(mask), mask.shape[1])


def per_channel(x: np.ndarray, channels: int = 3) -> np.ndarray:
    """(H, W) -> (H, W, `channels`) C-contiguous, `x` repeated in every channel: to weigh an (H, W, C) image per
    pixel. The same products as with `x[..., None]`, but NumPy runs its broadcast against the C-long last axis as
    a C-long inner loop per pixel, ~3x as slow as the contiguous product plus this copy (OpenCV's merge)."""
    if x.ndim == 2 and x.dtype in (np.float32, np.float64) and 1 <= channels <= 4:
        return cv2.merge([x] * channels)
    return np.repeat(x[..., None], channels, axis=-1)


def take(table: Tensor, ids: Tensor) -> Tensor:
    """`table[ids]`: (K,) lookup table, integer `ids` of any shape in [0, K - 1] (int64 or narrower) -> the shape
    of `ids`, dtype of `table`. On the CPU without gradients through NumPy's `take` (a quarter of torch's advanced
    indexing time on a 1024 x 768 label map, which the composite looks labels up in a dozen times per try-on).

    Raises:
        IndexError when an id is out of range (both paths).
    """
    if table.device.type == "cpu" and ids.device.type == "cpu" and not table.requires_grad:
        return torch.from_numpy(np.take(table.detach().numpy(), ids.numpy()))
    return table[ids.long()]


def box_share(mask: Tensor, k: int) -> Tensor:
    """(B, H, W) float32: the share of True pixels of `mask` (B, H, W) bool in the k x k window (k odd) centred on
    each pixel, over the window's pixels inside the image: `F.avg_pool2d(mask[:, None].float(), k, 1, k // 2,
    count_include_pad=False)[:, 0]`. On the CPU through OpenCV's running box sums (O(1) a pixel; torch's pooling
    sums k^2 pixels each: ~0.3 s for a 35 px window on a 1024 x 768 map): the same values, the sums of 0s and 1s
    exact in float32 (k^2 < 2^24) and each divided by its window's count in float32 as torch divides."""
    if k % 2 != 1:
        raise ValueError(f"k: expected an odd window size, got {k}")
    if mask.device.type != "cpu":
        return F.avg_pool2d(mask[:, None].float(), k, 1, k // 2, count_include_pad=False)[:, 0]
    h, w = mask.shape[-2:]
    r = k // 2
    rows = (np.minimum(np.arange(h) + r, h - 1) - np.maximum(np.arange(h) - r, 0) + 1).astype(np.float32)
    cols = (np.minimum(np.arange(w) + r, w - 1) - np.maximum(np.arange(w) - r, 0) + 1).astype(np.float32)
    count = rows[:, None] * cols[None, :]  # (exact: at most k^2)
    sums = [
        cv2.boxFilter(m.astype(np.float32), cv2.CV_32F, (k, k), normalize=False, borderType=cv2.BORDER_CONSTANT)
        for m in mask.numpy()
    ]
    return torch.from_numpy(np.stack(sums) / count)


def dilate_square(mask: Tensor, r: int) -> Tensor:
    """(B, H, W) bool: `mask` (B, H, W) bool grown by a (2r + 1) square, `F.max_pool2d(mask.float(), 2 * r + 1, 1,
    r) > 0.5` (the image's outside grows nothing). On the CPU through OpenCV's dilation (a running maximum: ~0.2 s
    less than torch's pooling for r = 8 on a 1024 x 768 map), the same pixels."""
    if mask.device.type != "cpu":
        return F.max_pool2d(mask.float(), 2 * r + 1, stride=1, padding=r) > 0.5
    kernel = np.ones((2 * r + 1, 2 * r + 1), np.uint8)
    return torch.from_numpy(np.stack([cv2.dilate(m.astype(np.uint8), kernel) > 0 for m in mask.numpy()]))


def every_masked(x: np.ndarray, mask: np.ndarray, step: int) -> np.ndarray:
    """`x[mask][::step]` for `x` (H, W[, C]) and `mask` (H, W) bool, gathering only every `step`-th True pixel (in row
    order) through their flat indices, instead of copying them all first (a fifth to a half of the time of the
    copy, the most of a median of a sample of the old clothes)."""
    idx = np.flatnonzero(mask)[::step]
    if x.flags.c_contiguous:
        return x.reshape(-1, *x.shape[2:])[idx]
    return x[np.unravel_index(idx, mask.shape)]
