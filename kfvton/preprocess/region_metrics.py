"""Measures of how well a try-on replaced the old garment, against a reference parse map (benchmarks, tests).

- `old_garment_residue`: over the old garment's pixels (parse 5, 6, 7) that the new garment does not cover, the
  share whose colour stayed within `tolerance` of the original photo (old garment left visible; 0 is best);
- `mask_spill`: the share of the new garment's mask lying outside the person (parse 0; 0 is best);
- `region_iou`: IoU of one group of labels between two parse maps.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from .._checks import check_image, check_shape
from .parse_labels import VITONHD_UPPER_CLOTHES

__all__ = ["old_garment_residue", "mask_spill", "region_iou"]


def old_garment_residue(
    person: Tensor, result: Tensor, warped_mask: Tensor, parse: Tensor, *, tolerance: float = 12 / 255
) -> float:
    """Share of uncovered old-garment pixels left as they were.

    Args:
        person: (1, 3, H, W) float [0, 1], the original photo.
        result: (1, 3, H, W) float [0, 1], the try-on.
        warped_mask: (1, 1, H, W) float [0, 1], the new garment on the person.
        parse: (1, H, W) int, the reference parse map (LIP-20 / VITON-HD ids).
        tolerance: largest per-channel difference that counts as unchanged.

    Returns:
        The share in [0, 1]; 0.0 when the new garment covers all of the old one.
    """
    check_image(person, "person")
    check_image(result, "result")
    check_shape(parse, "parse", (1, *person.shape[-2:]))
    old = torch.isin(parse[0], torch.tensor(VITONHD_UPPER_CLOTHES))
    uncovered = old & (warped_mask[0, 0] <= 0.5)
    if not bool(uncovered.any()):
        return 0.0
    same = (result[0] - person[0]).abs().amax(dim=0) <= tolerance
    return float((same & uncovered).sum() / uncovered.sum())


def mask_spill(warped_mask: Tensor, parse: Tensor) -> float:
    """Share of the new garment's mask (> 0.5) outside the person (parse 0) of a (1, H, W) parse map."""
    check_shape(parse, "parse", (1, *warped_mask.shape[-2:]))
    mask = warped_mask[0, 0] > 0.5
    if not bool(mask.any()):
        return 0.0
    return float((mask & (parse[0] == 0)).sum() / mask.sum())


def region_iou(a: Tensor, b: Tensor, labels_a: Sequence[int], labels_b: Sequence[int] | None = None) -> float:
    """IoU of the pixels of `a` with `labels_a` and of `b` with `labels_b` (default the same); NaN if both empty."""
    ma = torch.isin(a, torch.tensor(list(labels_a)))
    mb = torch.isin(b, torch.tensor(list(labels_b if labels_b is not None else labels_a)))
    union = int((ma | mb).sum())
    return float((ma & mb).sum() / union) if union else float("nan")
