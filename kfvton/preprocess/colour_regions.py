"""Colour and arm-chain helpers shared by the region estimate (`regions`) and the lower-body / dress try-on
(`pipelines.classical_lower`): Lab colours, the main colours of a set of pixels, the hand's tip past the wrist,
the distance to a joint chain, the components of a candidate mask touching a seed, and chromaticity tests (skin-like
colours, which of two colours a pixel's hue is nearer)."""

from __future__ import annotations

import cv2
import numpy as np

from .._arrays import channel_max, channel_sum

__all__ = [
    "to_lab",
    "main_colours",
    "hand_tip",
    "chain_distance",
    "connected_to",
    "skin_like",
    "nearer_in_chroma",
    "SKIN_TOLERANCE",
]


def to_lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32), cv2.COLOR_RGB2Lab)


def main_colours(pixels: np.ndarray, k: int = 3, share: float = 0.15) -> list[np.ndarray]:
    """The colours (k-means centres, Lab) covering at least `share` of `pixels` (N, 3); the median when few."""
    if len(pixels) < 10 * k:
        return [np.median(pixels, axis=0)]
    sample = np.ascontiguousarray(pixels[:: max(1, len(pixels) // 4000)], dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    cv2.setRNGSeed(0)
    _, labels, centres = cv2.kmeans(sample, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    counts = np.bincount(labels.ravel(), minlength=k) / len(labels)
    return [centres[i].astype(np.float64) for i in range(k) if counts[i] >= share] or [np.median(pixels, axis=0)]


def hand_tip(chain: list[np.ndarray | None]) -> np.ndarray | None:
    """Where the hand ends: 0.4 forearm past the wrist, along the forearm (None without elbow and wrist)."""
    elbow, wrist = chain[1], chain[2]
    if elbow is None or wrist is None:
        return None
    return wrist + 0.4 * (wrist - elbow)


def chain_distance(shape: tuple[int, int], chain: list[np.ndarray | None]) -> np.ndarray:
    """Distance in pixels of every pixel to the polyline through the present points of `chain` (inf if none)."""
    canvas = np.full(shape, 255, np.uint8)
    points = [p for p in chain if p is not None]
    if not points:
        return np.full(shape, np.inf, np.float32)
    for a, b in zip(points[:-1], points[1:], strict=False):
        cv2.line(canvas, tuple(int(v) for v in a), tuple(int(v) for v in b), 0, 1)
    if len(points) == 1:
        cv2.circle(canvas, tuple(int(v) for v in points[0]), 1, 0, -1)
    return cv2.distanceTransform(canvas, cv2.DIST_L2, 3)


def connected_to(candidate: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """Pixels of `candidate` in 8-connected components of (candidate | seed) that touch `seed`."""
    count, labels = cv2.connectedComponents((candidate | seed).astype(np.uint8), connectivity=8)
    # (a table of the components touching the seed, indexed by the labels: the same pixels as `np.unique` of the
    # seed's labels and `np.isin`, whose sort and search over the whole map took several times as long)
    touching = np.zeros(count, bool)
    touching[labels[seed]] = True
    touching[0] = False
    return touching[labels] & candidate


#: Arm / neck pixels count as skin when their chromaticity (rgb / sum) is within this of the face's, per channel.
SKIN_TOLERANCE = 0.04


def skin_like(px: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """(...,) bool: colours (..., 3) with the chromaticity of `ref` (rgb / sum within `SKIN_TOLERANCE`) and a
    luminance within 0.6 .. 1.4 times its own: skin in light or shadow, not a sleeve or a turtleneck."""
    total = channel_sum(px)[..., None] + 1e-3
    ref_total = channel_sum(ref)[..., None] + 1e-3  # (a colour per pixel too: `composite._shaded_skin_like`)
    chroma = channel_max(np.abs(px / total - ref / ref_total)) < SKIN_TOLERANCE
    ratio = total[..., 0] / ref_total[..., 0]
    return chroma & (ratio > 0.6) & (ratio < 1.4)


def nearer_in_chroma(px: np.ndarray, near: np.ndarray, far: np.ndarray) -> np.ndarray:
    """(N,) bool: colours `px` (N, 3) whose chromaticity (rgb / sum) is nearer `near`'s than `far`'s (each (3,) or a
    colour per pixel (N, 3); largest channel difference): a shaded skin keeps its hue, darker."""

    def chroma(colour: np.ndarray) -> np.ndarray:
        return colour / (channel_sum(colour)[..., None] + 1e-3)

    own = chroma(px)
    return channel_max(np.abs(own - chroma(near))) < channel_max(np.abs(own - chroma(far)))
