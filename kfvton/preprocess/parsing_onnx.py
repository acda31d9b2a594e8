"""Human parsing with onnxruntime: LIP-20 / ATR-18 / CIHP-20 parsers exported to ONNX (SCHP-like networks).

Files live under models/kfvton/parsing/ (or are given by path). The model takes one image (1, 3, h, w) and returns
class scores (1, C, h', w') at any resolution; C picks the label set unless given: 18 = ATR, 20 = LIP.

Pipeline, per image (SCHP's own inference recipe):
    1. the whole photo, centred and scaled to fit the model input with its aspect ratio kept (black borders), is
       cut out with an affine warp and normalised with the ImageNet mean/std in [0, 1] units, BGR by default as
       SCHP reads images with OpenCV;
    2. optional flip averaging: the mirrored photo's scores, mirrored back with the left/right classes swapped,
       are averaged in;
    3. scores are resized to the model input, sampled back into the photo's frame through the inverse affine
       (bilinear, at the photo's size), arg-maxed, and the ids converted into our layout (`to_vitonhd`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from .._checks import check_image
from .._onnx import onnx_session, session_signature
from ..geometry.warp import sample_grid
from .parse_labels import LABEL_SETS, to_vitonhd

__all__ = ["PARSER_FILES", "ParseResult", "flip_pairs", "parse_human_onnx", "find_parser"]

_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)  # RGB
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
_BY_CLASSES = {18: "atr", 20: "lip"}

#: Parser file names looked for in models/kfvton/parsing/, in order of preference.
PARSER_FILES: tuple[str, ...] = (
    "parsing_lip.onnx", "schp_lip.onnx", "exp-schp-201908261155-lip.onnx", "parsing_atr.onnx", "schp_atr.onnx",
    "exp-schp-201908301523-atr.onnx", "cihp.onnx",
)  # fmt: skip


@dataclass(frozen=True)
class ParseResult:
    """A parser's output.

    Attributes:
        parse: (B, H, W) int64 in our layout (LIP-20 names, 10 = neck), at the photo's size.
        source_ids: (B, H, W) int64 in the parser's own label set.
        label_set: the parser's label set ("lip", "atr", "cihp").
    """

    parse: Tensor
    source_ids: Tensor
    label_set: str


def flip_pairs(label_set: str) -> list[int]:
    """Class permutation swapping each left_* label with its right_* twin (identity elsewhere)."""
    names = LABEL_SETS[label_set]
    index = {n: i for i, n in enumerate(names)}
    perm = list(range(len(names)))
    for i, n in enumerate(names):
        if n.startswith("left_") and f"right_{n[5:]}" in index:
            j = index[f"right_{n[5:]}"]
            perm[i], perm[j] = j, i
    return perm


def find_parser(search_dirs: Sequence[str | os.PathLike]) -> str | None:
    """The first `PARSER_FILES` file found in `search_dirs`, or None."""
    for name in PARSER_FILES:
        for folder in search_dirs:
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                return path
    return None


def _check_parser(session: Any, path: str) -> tuple[str, tuple[int, int], int]:
    sig = session_signature(session)
    what = "a human parser"
    if len(sig.inputs) != 1:
        raise ValueError(f"parser_model: {path} is not {what}: expected 1 image input, got {sig.describe()}")
    shape = sig.inputs[0][1]
    if len(shape) != 4 or shape[1] not in (3, "3") or not all(isinstance(d, int) for d in shape[2:]):
        raise ValueError(
            f"parser_model: {path} is not {what}: expected an input (N, 3, H, W) with fixed H and W, got "
            f"{sig.describe()}"
        )
    out_shape = sig.outputs[0][1] if sig.outputs else ()
    if len(out_shape) != 4 or not isinstance(out_shape[1], int):
        raise ValueError(
            f"parser_model: {path} is not {what}: expected a first output of class scores (N, C, h, w), got "
            f"{sig.describe()}"
        )
    return sig.inputs[0][0], (int(shape[2]), int(shape[3])), int(out_shape[1])


def _fit_affine(hw: tuple[int, int], in_hw: tuple[int, int]) -> np.ndarray:
    """(2, 3) photo px -> model-input px: centre to centre, scaled to fit (aspect kept)."""
    h, w = hw
    in_h, in_w = in_hw
    s = min(in_h / h, in_w / w)
    return np.array([[s, 0.0, in_w / 2 - s * w / 2], [0.0, s, in_h / 2 - s * h / 2]], dtype=np.float64)


def parse_human_onnx(
    image: Tensor,
    model: str | os.PathLike,
    *,
    label_set: str | None = None,
    flip: bool = False,
    channel_order: str = "bgr",
    providers: Sequence[str] | None = None,
) -> ParseResult:
    """Parse the person in each photo with an ONNX human parser.

    Args:
        image: (B, 3, H, W) float RGB in [0, 1].
        model: the parser .onnx file.
        label_set: "lip", "atr" or "cihp"; None = from the class count (18 atr, 20 lip).
        flip: average with the mirrored photo (left/right classes swapped back); twice the time.
        channel_order: "bgr" (SCHP) or "rgb", what the network receives.
        providers: onnxruntime execution providers; None = CUDA when available, else CPU.

    Raises:
        FileNotFoundError: no model file. ValueError: unreadable file, not a parser, class count not matching
        `label_set`.
    """
    check_image(image, "image")
    if channel_order not in ("bgr", "rgb"):
        raise ValueError(f"channel_order: expected 'bgr' or 'rgb', got {channel_order!r}")
    if label_set is not None and label_set not in LABEL_SETS:
        raise ValueError(f"label_set: expected one of {', '.join(LABEL_SETS)}, got {label_set!r}")
    session = onnx_session(model, providers=providers, name="parser_model")
    in_name, in_hw, classes = _check_parser(session, str(model))
    label_set = label_set or _BY_CLASSES.get(classes)
    if label_set is None or len(LABEL_SETS[label_set]) != classes:
        raise ValueError(
            f"parser_model: {model} outputs {classes} classes; expected 18 (ATR) or 20 (LIP, CIHP) matching "
            f"label_set {label_set!r}"
        )
    h, w = image.shape[-2:]
    affine = _fit_affine((h, w), in_hw)
    inverse = torch.from_numpy(np.concatenate((affine, [[0, 0, 1]]))).float()
    # grid: every photo pixel centre -> model-input pixel -> normalised [-1, 1] (align_corners=False)
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    pts = torch.stack((xs, ys, torch.ones_like(xs)), -1) @ inverse[:2].T
    grid = torch.stack(((2 * pts[..., 0] + 1) / in_hw[1] - 1, (2 * pts[..., 1] + 1) / in_hw[0] - 1), -1)[None]
    perm = flip_pairs(label_set)
    mean, std = (_MEAN[::-1], _STD[::-1]) if channel_order == "bgr" else (_MEAN, _STD)
    out_ids = []
    for b in range(image.shape[0]):
        rgb = image[b].detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy()
        pixels = rgb[..., ::-1] if channel_order == "bgr" else rgb
        crop = cv2.warpAffine(np.ascontiguousarray(pixels), affine, (in_hw[1], in_hw[0]), flags=cv2.INTER_LINEAR)
        net_in = ((crop - mean) / std).astype(np.float32).transpose(2, 0, 1)[None]
        scores = torch.from_numpy(session.run(None, {in_name: np.ascontiguousarray(net_in)})[0]).float()
        if flip:
            mirrored = session.run(None, {in_name: np.ascontiguousarray(net_in[..., ::-1])})[0]
            scores = (scores + torch.from_numpy(mirrored).float().flip(-1)[:, perm]) / 2
        scores = F.interpolate(scores, size=in_hw, mode="bilinear", align_corners=False)
        photo_scores = sample_grid(scores, grid, align_corners=False, padding_mode="border", name="parser scores")
        out_ids.append(photo_scores.argmax(1))
    source = torch.cat(out_ids).long()
    return ParseResult(to_vitonhd(source, label_set), source, label_set)
