"""KF-VTON Quick Try-On called as ComfyUI calls it (run() on CPU)."""

from __future__ import annotations

import pytest
import torch
from comfyui_kfvton.kfvton.keypoints import estimate as estimate_module
from comfyui_kfvton.kfvton.keypoints.formats import pose_to_pose_keypoint
from comfyui_kfvton.nodes.pipelines import KfvtonQuickTryOn
from comfyui_kfvton.nodes.types import ParseMap

from .conftest import PERSON_HW, make_garment, make_parse, make_person, make_pose


def test_pose_keypoint_and_parse_are_used():
    image, garment_mask, refine, report = KfvtonQuickTryOn().run(
        make_person(), make_garment(), pose_keypoint=pose_to_pose_keypoint(make_pose()), parse=ParseMap(make_parse())
    )
    assert image.shape == (1, *PERSON_HW, 3) and garment_mask.shape == refine.shape == (1, *PERSON_HW)
    assert "pose: given (list)" in report and "regions: given parse map" in report
    assert float(garment_mask.sum()) > 0 and float(refine.sum()) > 0


def test_batch_of_persons_one_garment():
    dark = make_person(1)
    dark[dark > 0.8] = 0.5  # the same figure on a darker background
    persons = torch.cat((make_person(1), dark))
    image, garment_mask, refine, _ = KfvtonQuickTryOn().run(persons, make_garment(1), pose=make_pose(2))
    assert image.shape[0] == garment_mask.shape[0] == refine.shape[0] == 2
    for i in range(2):  # each item is that person's own try-on, not item 0's
        alone, _, _, _ = KfvtonQuickTryOn().run(persons[i : i + 1], make_garment(1), pose=make_pose(1))
        assert float((image[i : i + 1] - alone).abs().mean()) < 1e-3
    corner = (slice(0, 4), slice(0, 4))
    assert float(image[0][corner].mean()) > 0.8 and float(image[1][corner].mean()) < 0.6


def test_without_pose_or_estimator_names_what_is_missing(monkeypatch):
    monkeypatch.setattr(estimate_module, "mediapipe_version", lambda: None)
    with pytest.raises(FileNotFoundError, match="no pose estimator available"):
        KfvtonQuickTryOn().run(make_person(), make_garment())
