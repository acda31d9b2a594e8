"""nodes/_batch.py: node values are cut per item and joined back unchanged, batch-1 values are broadcast."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from comfyui_kfvton.kfvton.keypoints.formats import pose_to_pose_keypoint
from comfyui_kfvton.nodes._batch import batch_of, join, map_items, take

from tests.nodes.conftest import make_landmarks, make_pairs, make_pose, make_warp


def _vary(x: torch.Tensor) -> torch.Tensor:
    return x + torch.arange(x.shape[0], dtype=x.dtype).view(-1, *[1] * (x.ndim - 1))


def _same(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    return a == b


@pytest.mark.parametrize(
    "make",
    [
        lambda: _vary(torch.rand(3, 5, 4, 3)),
        lambda: make_pose(3),
        lambda: make_pairs(3),
        lambda: make_warp(3),
        lambda: make_landmarks(3),
        lambda: pose_to_pose_keypoint(make_pose(3)),
    ],
    ids=["image", "pose", "keypoint_pairs", "warp", "landmarks", "pose_keypoint"],
)
def test_cut_item_by_item_and_joined_back(make):
    value = make()
    assert batch_of(value) == 3
    items = [take(value, slice(i, i + 1), 3) for i in range(3)]
    assert all(batch_of(item) == 1 for item in items)
    joined = join(items)
    assert type(joined) is type(value)
    assert _same(joined, value)


def test_landmark_sleeves_follow_their_items():
    value = make_landmarks(2)
    value = type(value)(points=value.points, garment_hw=value.garment_hw, sleeves=("short", "long"))
    assert take(value, slice(1, 2), 2).sleeves == ("long",)


def test_batch_of_one_is_broadcast():
    garment = torch.rand(1, 4, 4, 3)
    assert take(garment, slice(2, 3), 8) is garment


def test_map_items_runs_per_item_and_joins():
    calls = []

    def work(person, garment, size):
        calls.append((person.shape[0], garment.shape[0], size))
        return person * 2, "method"

    person = _vary(torch.zeros(4, 2, 2, 3))
    image, method = map_items(work, {"person": person, "garment": torch.ones(1, 2, 2, 3), "size": 7}, what="t")
    assert calls == [(1, 1, 7)] * 4
    assert torch.equal(image, person * 2) and method == "method"
