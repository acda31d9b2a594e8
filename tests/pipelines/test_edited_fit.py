"""Edited keypoints keep the body fit consistent: the side-seam and shoulder-top pairs (`PersonFit.torso_extra`)
lie between the armpit, hem and shoulder targets, so `warp_placed_garment` places them again from the edited
targets instead of keeping those of the unedited placement (which pulled a lowered hem's sides back up)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch

from kfvton.keypoints.edits import KeypointEdits, apply_edits, keypoint_fingerprint, px_to_unit
from kfvton.keypoints.formats import pose_from_openpose_json
from kfvton.keypoints.placement import SIDE_SEAM_AT
from kfvton.pipelines.classical import (
    _refit_edited,
    place_upper_garment,
    upper_garment_landmarks,
    warp_placed_garment,
)
from kfvton.preprocess.io import load_image, load_mask, load_parse

PERSON, GARMENT = "00891_00", "01260_00"
HEM_DROP_PX = 60


@pytest.fixture(scope="module")
def placed(vitonhd_dir: Path):
    person = load_image(vitonhd_dir / "image" / f"{PERSON}.jpg")
    pose = pose_from_openpose_json(vitonhd_dir / "openpose-json" / f"{PERSON}_keypoints.json", person.shape[-2:])
    parse = load_parse(vitonhd_dir / "image-parse" / f"{PERSON}.png")
    garment = load_image(vitonhd_dir / "cloth" / f"{GARMENT}.jpg")
    mask = load_mask(vitonhd_dir / "cloth-mask" / f"{GARMENT}.jpg")
    pairs = place_upper_garment(upper_garment_landmarks(garment, mask), pose, parse=parse)
    return garment, mask, pairs


def _hem_moved(pairs, dy_px: float):
    """`pairs` with the three hem targets moved down by `dy_px`, through the editor's `apply_edits`."""
    edits = KeypointEdits(fingerprint=keypoint_fingerprint(pairs))
    for name in ("hem_left", "hem_right", "hem_center"):
        moved = pairs.person_px[0, pairs.names.index(name), :2] + torch.tensor([0.0, dy_px])
        edits = edits.moved(name, "person", tuple(px_to_unit(moved, pairs.person_hw).tolist()))
    return apply_edits(pairs, edits).pairs


def test_unmoved_edit_warps_as_the_placement(placed):
    garment, mask, pairs = placed
    _, warp = warp_placed_garment(garment, mask, pairs)
    _, warp_edited = warp_placed_garment(garment, mask, _hem_moved(pairs, 0.0))
    # (the editor's pixel -> unit -> pixel round trip moves a point by ~3e-5 px)
    torch.testing.assert_close(warp.grid, warp_edited.grid, atol=1e-5, rtol=0)


def test_side_seams_follow_a_lowered_hem(placed):
    garment, mask, pairs = placed
    edited = _hem_moved(pairs, HEM_DROP_PX)
    _, refit = warp_placed_garment(garment, mask, edited)
    _, stale = warp_placed_garment(garment, mask, replace(edited, origin="classical"))  # skips the refit
    assert (refit.grid - stale.grid).abs().amax() > 0.01
    # the seam pairs, placed from the edited targets, sit lower by their share of the way to the hem
    before, after = pairs.fit.torso_extra.person_px[0], _refit_edited(edited).fit.torso_extra.person_px[0]
    n = len(SIDE_SEAM_AT)
    for k, share in enumerate(SIDE_SEAM_AT * 2):
        if before[k, 2] > 0 and after[k, 2] > 0:
            assert float(after[k, 1] - before[k, 1]) == pytest.approx(share * HEM_DROP_PX, abs=2.0), k
    assert (before[: 2 * n, 2] > 0).any()
