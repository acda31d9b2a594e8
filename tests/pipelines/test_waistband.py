"""continue_lower_garment: the repainted body above an untucked top's trousers becomes trousers up to the estimated
waistband, skin above it; a lower garment already at the waistband (tucked in) and the wall are left alone."""

from __future__ import annotations

import torch

from kfvton.keypoints.pose import Pose
from kfvton.pipelines.waistband import continue_lower_garment

HW = (128, 100)
SKIN = (0.8, 0.6, 0.5)


def pose() -> Pose:
    """Shoulders 40 px apart at row 10, hips at row 80, columns 40 and 60 (the waistband estimated at row
    80 - 0.35 x 40 = 66, in columns 35-64)."""
    joints = torch.zeros(1, 25, 3)
    for j, (x, y) in {1: (50, 8), 2: (30, 10), 5: (70, 10), 8: (50, 80), 9: (40, 80), 12: (60, 80)}.items():
        joints[0, j] = torch.tensor([x, y, 1.0])
    return Pose(joints, HW)


def scene(lower_top: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Trousers (label 9, vertical dark and light stripes) in columns 35-65 from row `lower_top` down, repainted skin
    above them from row 50; a new garment down to row 50. Returns (image, labels, painted, background, alpha)."""
    image = torch.full((1, 3, *HW), 0.95)
    labels = torch.zeros(1, *HW, dtype=torch.long)
    stripes = torch.where(torch.arange(100) % 4 < 2, 0.1, 0.3)
    image[0, :, lower_top:, 35:65] = stripes[35:65]
    labels[0, lower_top:, 35:65] = 9
    painted = torch.zeros(1, 1, *HW)
    painted[..., 50:lower_top, 35:65] = 1.0
    image[0, :, 50:lower_top, 35:65] = torch.tensor(SKIN)[:, None, None]
    alpha = torch.zeros(1, 1, *HW)
    alpha[..., :50, 30:70] = 1.0
    return image, labels, painted, torch.zeros_like(painted), alpha


def test_untucked_band_becomes_trousers_up_to_the_waistband() -> None:
    image, labels, painted, background, alpha = scene(lower_top=76)
    out = continue_lower_garment(image, labels, painted, background, alpha, pose())
    band = out[0, :, 68:76, 38:62]  # (inside the hips, off the soft side edge)
    # the trousers' stripes continue (same columns, same colours), no skin tone left
    assert torch.allclose(band[:, :, ::4], torch.full_like(band[:, :, ::4], band[0, 0, 0].item()), atol=0.06)
    assert (band[0].amax(0) - band[0].amin(0)).min() < 0.06  # each column one stripe colour
    assert (band[0] - SKIN[0]).abs().min() > 0.3
    # above the waistband (row 66) the skin stays; the wall and the trousers are untouched
    assert torch.allclose(out[0, :, 52:63, 36:64], image[0, :, 52:63, 36:64])
    assert torch.equal(out[0, :, :, :30], image[0, :, :, :30])
    assert torch.equal(out[0, :, 90:], image[0, :, 90:])


def test_tucked_waistband_and_no_pose_leave_the_image() -> None:
    image, labels, painted, background, alpha = scene(lower_top=62)  # trousers' top above the estimated waistband
    assert torch.equal(continue_lower_garment(image, labels, painted, background, alpha, pose()), image)
    image, labels, painted, background, alpha = scene(lower_top=76)
    no_hips = Pose(pose().joints.clone(), HW)
    no_hips.joints[0, 9, 2] = 0.0
    assert torch.equal(continue_lower_garment(image, labels, painted, background, alpha, no_hips), image)
    # repainted wall (background share 1) is not the body: no trousers drawn on it
    assert torch.equal(continue_lower_garment(image, labels, painted, torch.ones_like(painted), alpha, pose()), image)
