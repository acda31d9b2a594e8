"""`_fit_to_body`: a loose hem hangs behind an arm in front of it; nothing of it sticks out past the arm."""

from __future__ import annotations

import cv2
import numpy as np
import torch

from kfvton.keypoints.pairs import KeypointPairs
from kfvton.keypoints.pose import Pose, joint_index
from kfvton.pipelines.composite import CHAMFER_AXIAL, UPPER_LABELS, _codes, _fit_to_body, _past_the_arms
from kfvton.preprocess.parse_labels import labels_in

H, W = 120, 100


def _scene() -> tuple[torch.Tensor, torch.Tensor, KeypointPairs]:
    """(labels (1, H, W), alpha (1, 1, H, W), pairs): an old top (5) at columns 35-64, bare arms (14, 15) hanging at
    columns 24-31 and 68-75 with a gap of wall beside the torso, a wide garment over columns 10-89 below row 30
    with the arms in front of it (alpha 0 there), shoulders 30 px apart at row 30, collar targets at columns 45/55."""
    labels = torch.zeros(1, H, W, dtype=torch.long)
    labels[0, 30:110, 35:65] = 5
    labels[0, 40:110, 24:32] = 14
    labels[0, 40:110, 68:76] = 15
    alpha = torch.zeros(1, 1, H, W)
    alpha[0, 0, 30:110, 10:90] = 1.0
    alpha[0, 0][labels[0] >= 14] = 0.0
    joints = torch.zeros(1, 25, 3)
    for name, (x, y) in {"right_shoulder": (35, 30), "left_shoulder": (65, 30), "neck": (50, 30)}.items():
        joints[0, joint_index(name)] = torch.tensor([x, y, 0.9])
    pts = torch.tensor([[[45.0, 25.0, 1.0], [55.0, 25.0, 1.0]]])
    pairs = KeypointPairs(pts, pts.clone(), ("collar_right", "collar_left"), (H, W), (H, W), pose=Pose(joints, (H, W)))
    return labels, alpha, pairs


def test_no_flap_past_an_arm_in_front():
    labels, alpha, pairs = _scene()
    codes = _codes(labels, UPPER_LABELS)
    garment = torch.full((1, 3, H, W), 0.4)
    out = _fit_to_body(garment, alpha, codes, labels_in(labels, UPPER_LABELS.arms), pairs).alpha[0, 0]
    # 2-3 px past the arms' outer sides (within CLIP_SW_BELOW of the body, the hem stood off them there): cut
    assert (out[50:100, 78:80] == 0).all() and (out[50:100, 20:22] == 0).all()
    # in the gap between the arm and the torso the garment stays (it hangs there, behind nothing)
    assert (out[50:100, 65:68] > 0.5).all() and (out[50:100, 32:35] > 0.5).all()


def test_past_the_arms_sides():
    arms = np.zeros((10, 20), bool)
    arms[4:, 3] = arms[4:, 15] = True
    past = _past_the_arms(arms, 10.0, 2.0)
    assert past[5, :3].all() and past[5, 16:].all()  # outside each arm
    assert not past[5, 4:15].any()  # between them (the body's side)
    assert not past[:2].any() and not past[arms].any()


def test_fit_to_body_leaves_a_channels_last_garment_as_it_was():
    """`_fit_to_body` writes the grown band's colours into its own copy of the garment, also when the garment is a
    channels-last tensor (whose permuted view is already contiguous: no copy unless asked for)."""
    labels, alpha, pairs = _scene()
    alpha[0, 0, :, :40] = alpha[0, 0, :, 60:] = 0.0  # narrower than the old top: a band to grow over
    codes = _codes(labels, UPPER_LABELS)
    garment = torch.rand(1, 3, H, W, generator=torch.Generator().manual_seed(0))
    garment = garment.contiguous(memory_format=torch.channels_last)
    before = garment.clone()
    fitted = _fit_to_body(garment, alpha, codes, labels_in(labels, UPPER_LABELS.arms), pairs)
    assert (fitted.alpha > alpha).any()  # (the band was grown)
    assert not torch.equal(fitted.garment, garment)
    assert torch.equal(garment, before)


def test_chamfer_distance_in_grown_rows_is_the_full_frames_below_the_limit():
    """`_fit_to_body` measures the distance to the body over the garment's rows grown by (limit + 2) /
    `CHAMFER_AXIAL` (+ 2): there every distance under limit + 2 (what the soft cut reads) equals the whole frame's,
    bit for bit, and the others stay at least limit + 2 (cut either way), for scattered body specks and blobs."""
    rng = np.random.default_rng(0)
    limit = 9.0
    margin = int(np.ceil((limit + 2.0) / CHAMFER_AXIAL)) + 2
    for density in (0.0, 0.0003, 0.001):
        body = rng.random((200, 140)) < density
        body[95:110, 20:50] = True  # (a blob just below the rows: its near pixels lie outside them)
        full = cv2.distanceTransform((~body).astype(np.uint8), cv2.DIST_L2, 3)
        y0, y1 = 40, 90  # the garment's rows
        part = cv2.distanceTransform((~body[y0 - margin : y1 + margin]).astype(np.uint8), cv2.DIST_L2, 3)
        inner, want = part[margin:-margin], full[y0:y1]
        near = want < limit + 2
        assert near.any() and (~near).any()
        assert np.array_equal(inner[near], want[near]) and (inner[~near] >= limit + 2).all()
