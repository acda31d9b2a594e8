"""Batches whose items differ, and the check that a batched node run equals its item-by-item runs (R10).

A node that silently used item 0 (or broadcast the wrong input) passes a shape check on a batch of identical
items; here every item is distinct (tinted images, poses and targets shifted by a few pixels), so comparing the
batched output with one run per item catches it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import torch
from comfyui_kfvton.kfvton.keypoints.pairs import KeypointPairs
from comfyui_kfvton.kfvton.keypoints.pose import Pose

SHIFT_PX = 2.0


def tinted(images: torch.Tensor) -> torch.Tensor:
    """(B, H, W, C) IMAGE with item i darkened by 12 % per i and its channels rolled by i (distinct colours)."""
    items = [(images[i] * (1 - 0.12 * i)).roll(i, dims=-1) for i in range(images.shape[0])]
    return torch.stack(items).contiguous()


def shifted_pose(pose: Pose, step: float = SHIFT_PX) -> Pose:
    """Item i's joints moved right by i * step pixels (confidences kept)."""
    joints = pose.joints.clone()
    joints[..., 0] += step * torch.arange(pose.batch_size, dtype=joints.dtype)[:, None]
    return Pose(joints, pose.canvas_hw)


def shifted_pairs(pairs: KeypointPairs, step: float = SHIFT_PX) -> KeypointPairs:
    """Item i's person targets moved right by i * step pixels; the pose, if any, moves with them."""
    person = pairs.person_px.clone()
    person[..., 0] += step * torch.arange(pairs.batch_size, dtype=person.dtype)[:, None]
    pose = shifted_pose(pairs.pose, step) if pairs.pose is not None else None
    return dataclasses.replace(pairs, person_px=person, pose=pose)


def item(value: Any, i: int) -> Any:
    """Item i of a batch (a batch of one is broadcast: item 0 for every i), as a batch of one."""
    if isinstance(value, torch.Tensor):
        return value[i : i + 1] if value.shape[0] > 1 else value
    if isinstance(value, Pose):
        return Pose(value.joints[i : i + 1], value.canvas_hw) if value.batch_size > 1 else value
    if isinstance(value, KeypointPairs):
        if value.batch_size == 1:
            return value
        return dataclasses.replace(
            value,
            garment_px=value.garment_px[i : i + 1],
            person_px=value.person_px[i : i + 1],
            pose=item(value.pose, i) if value.pose is not None else None,
        )
    return value


def assert_items_match(
    batched: Sequence[torch.Tensor],
    run_one: Callable[[int], Sequence[torch.Tensor]],
    batch: int,
    *,
    atol: float = 1e-5,
) -> None:
    """Each output tensor's item i of the batched run equals the run on item i's inputs alone, and the items differ
    from each other (so the comparison can tell them apart)."""
    for i in range(batch):
        for k, (whole, single) in enumerate(zip(batched, run_one(i), strict=True)):
            torch.testing.assert_close(whole[i : i + 1], single, atol=atol, rtol=0, msg=f"output {k}, item {i}")
    first = batched[0]
    assert any(not torch.allclose(first[0], first[i], atol=atol) for i in range(1, batch)), "batch items are equal"
