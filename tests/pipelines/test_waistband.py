"""continue_lower_garment: the repainted body above an untucked top's trousers becomes trousers up to the estimated
waistband, skin above it; a lower garment already at the waistband (tucked in) and the wall are left alone."""

from __future__ import annotations

import torch

from kfvton.keypoints.pose import Pose, joint_index
from kfvton.pipelines.classical import classical_tryon
from kfvton.pipelines.waistband import (
    continue_lower_garment,
    cut_below_waistband,
    lowered_waistband,
    tucked_hem,
    tucked_waistband,
)

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


def test_a_bare_midriff_shows_the_waistband() -> None:
    """Skin of the person's own torso (10, not repainted) right above the trousers' top in columns 44-56 (a bare
    midriff): the waistband is there, so the old hem freed beside it (columns 35-43, 57-64) is not continued above
    the trousers' top as a block; with the midriff only in columns 48-51 (under `SHOWN_SHARE`) it is."""
    image, labels, painted, background, alpha = scene(lower_top=76)
    labels[0, 68:76, 44:57] = 10
    painted[..., 68:76, 44:57] = 0.0
    out = continue_lower_garment(image, labels, painted, background, alpha, pose())
    assert torch.equal(out, image)
    image, labels, painted, background, alpha = scene(lower_top=76)
    labels[0, 68:76, 48:52] = 10
    painted[..., 68:76, 48:52] = 0.0
    out = continue_lower_garment(image, labels, painted, background, alpha, pose())
    assert (out[0, 0, 68:76, 38:44] - SKIN[0]).abs().min() > 0.3  # the freed hem beside it: trousers
    assert torch.equal(out[0, :, 68:76, 48:52], image[0, :, 68:76, 48:52])  # the midriff's own skin stays


def wide_scene(side_top: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """`scene(76)` with the trousers and the repainted skin above them widened to columns 28-71 (0.3 shoulder widths
    outside the hip joints), the trousers' top in the added columns at row `side_top`."""
    image, labels, painted, background, alpha = scene(lower_top=76)
    for cols in (slice(28, 35), slice(65, 72)):
        image[0, :, side_top:, cols] = 0.2
        labels[0, side_top:, cols] = 9
        painted[..., 50:side_top, cols] = 1.0
        image[0, :, 50:side_top, cols] = torch.tensor(SKIN)[:, None, None]
    return image, labels, painted, background, alpha


def test_waistband_follows_the_lower_garments_level_top_beyond_the_hips() -> None:
    """Shorts as wide as the waist, their top level with it between the hips: the band is continued across their
    whole width (no block of skin with a vertical edge beside the hips); a top slanting down outside the hips (a
    skirt's flare, the side of trousers) stays `HIP_MARGIN` wide."""
    image, labels, painted, background, alpha = wide_scene(side_top=76)
    out = continue_lower_garment(image, labels, painted, background, alpha, pose())
    assert (out[0, 0, 68:76, 30:34] - SKIN[0]).abs().min() > 0.3
    assert (out[0, 0, 68:76, 66:70] - SKIN[0]).abs().min() > 0.3
    assert torch.equal(out[0, :, 52:63], image[0, :, 52:63])  # skin above the waistband stays
    image, labels, painted, background, alpha = wide_scene(side_top=86)
    out = continue_lower_garment(image, labels, painted, background, alpha, pose())
    assert torch.equal(out[0, :, :, 28:34], image[0, :, :, 28:34])
    assert torch.equal(out[0, :, :, 66:72], image[0, :, :, 66:72])
    assert (out[0, 0, 68:76, 38:62] - SKIN[0]).abs().min() > 0.3


def test_tucked_waistband_and_no_pose_leave_the_image() -> None:
    image, labels, painted, background, alpha = scene(lower_top=62)  # trousers' top above the estimated waistband
    assert torch.equal(continue_lower_garment(image, labels, painted, background, alpha, pose()), image)
    image, labels, painted, background, alpha = scene(lower_top=76)
    no_hips = Pose(pose().joints.clone(), HW)
    no_hips.joints[0, 9, 2] = 0.0
    assert torch.equal(continue_lower_garment(image, labels, painted, background, alpha, no_hips), image)
    # repainted wall (background share 1) is not the body: no trousers drawn on it
    assert torch.equal(continue_lower_garment(image, labels, painted, torch.ones_like(painted), alpha, pose()), image)


def hanging_out_labels() -> torch.Tensor:
    """Trousers (9) in columns 30-70 from row 66, but columns 52-62, where the old top (5) hangs out over them down
    to row 76; a hand (14) over the trousers in columns 34-40 down to row 72."""
    labels = torch.zeros(1, *HW, dtype=torch.long)
    labels[0, 20:66, 30:70] = 5
    labels[0, 66:, 30:70] = 9
    labels[0, 66:76, 52:62] = 5
    labels[0, 66:72, 34:40] = 14
    return labels


def test_tucked_waistband_follows_the_visible_edge_not_what_hangs_over_it() -> None:
    rows = tucked_waistband(hanging_out_labels(), pose())
    assert rows.shape == (1, HW[1])
    assert float((rows[0, 30:70] - 66).abs().max()) < 1.0  # the line along the trousers' top, level as the hips
    # no trousers (or no hips) -> no waistband
    assert bool(torch.isinf(tucked_waistband(torch.zeros(1, *HW, dtype=torch.long), pose())).all())
    no_hips = Pose(pose().joints.clone(), HW)
    no_hips.joints[0, 12, 2] = 0.0
    assert bool(torch.isinf(tucked_waistband(hanging_out_labels(), no_hips)).all())


def test_tucked_top_cut_under_a_lowered_waistband_but_its_sleeves() -> None:
    # the line 0.25 shoulder widths (40 px) under the waistband: what `classical.TUCKED_REPORTED` reports
    rows = lowered_waistband(tucked_waistband(hanging_out_labels(), pose()), pose(), HW, 0.25)
    assert float((rows[0, 30:70] - 76).abs().max()) < 1.0
    sleeves = torch.zeros(1, 2, *HW, dtype=torch.bool)
    sleeves[0, 0, :, :10] = True
    cut = cut_below_waistband(torch.ones(1, 1, *HW), rows, sleeves)
    assert float(cut[0, 0, :76, 30:70].min()) == 1.0 and float(cut[0, 0, 78:, 30:70].max()) == 0.0
    assert float(cut[0, 0, :, :10].min()) == 1.0  # a long sleeve's cuff beside the hips stays


P_HW = (256, 192)
G_HW = (200, 150)
RED, GREEN, TROUSERS = (0.8, 0.1, 0.1), (0.2, 0.5, 0.2), (0.1, 0.1, 0.3)


def tucked_scene(
    hang: tuple[int, int] = (112, 132),
) -> tuple[torch.Tensor, torch.Tensor, Pose, torch.Tensor, torch.Tensor]:
    """A person (shoulders 60 px apart) in a green top tucked into dark trousers at row 150, but for the columns
    `hang` where the top hangs out over them down to row 160; a red T-shirt long enough to reach below the
    waistband. Returns (person, parse, pose, garment, garment_mask)."""
    person = torch.full((1, 3, *P_HW), 0.9)
    parse = torch.zeros(1, *P_HW, dtype=torch.long)
    for rows, cols, colour, label in (
        ((20, 60), (80, 112), (0.8, 0.6, 0.5), 13),  # face
        ((60, 72), (88, 104), (0.8, 0.6, 0.5), 10),  # neck
        ((70, 150), (60, 132), GREEN, 5),  # old top, tucked in
        ((150, 250), (62, 130), TROUSERS, 9),
        ((150, 160), hang, GREEN, 5),  # ... but hanging out on one side
        ((80, 140), (48, 60), (0.8, 0.6, 0.5), 15),  # arms
        ((80, 140), (132, 144), (0.8, 0.6, 0.5), 14),
    ):
        person[0, :, slice(*rows), slice(*cols)] = torch.tensor(colour)[:, None, None]
        parse[0, slice(*rows), slice(*cols)] = label
    joints = torch.zeros(1, 25, 3)
    pts = {
        "nose": (96, 40), "neck": (96, 72), "right_shoulder": (66, 76), "left_shoulder": (126, 76),
        "right_elbow": (56, 110), "left_elbow": (136, 110), "right_wrist": (54, 140), "left_wrist": (138, 140),
        "mid_hip": (96, 180), "right_hip": (80, 180), "left_hip": (112, 180),
    }  # fmt: skip
    for name, (x, y) in pts.items():
        joints[0, joint_index(name)] = torch.tensor([float(x), float(y), 0.9])
    mask = torch.zeros(1, 1, *G_HW)
    mask[..., 20:195, 40:110] = 1  # a long torso
    mask[..., 25:70, 10:40] = 1  # sleeves
    mask[..., 25:70, 110:140] = 1
    mask[..., 20:32, 62:88] = 0  # neckline
    garment = torch.ones(1, 3, *G_HW) * (1 - mask) + torch.tensor(RED)[None, :, None, None] * mask
    return person, parse, Pose(joints, P_HW), garment, mask


def test_tucked_in_top_ends_at_the_waistband_where_the_old_top_hung_out() -> None:
    # a sliver of old top under the waistband (5 columns, under `HEM_MIN_RUN` shoulder widths: the parse map's edge
    # beside a forearm) is no hanging side of a half-tucked top
    person, parse, pose_, garment, mask = tucked_scene(hang=(124, 129))
    out = classical_tryon(person, garment, pose_, garment_mask=mask, parse=parse, tuck="in")
    assert out.tuck == ("in",)
    assert float(out.warped_mask[0, 0, 156:172, 114:126].min()) > 0.5  # the warped hem reaches below the waistband
    # no garment below the waistband line (row 150; the fit may round its corner by a pixel or two), hung-out side too
    assert float(out.alpha[0, 0, 154:].max()) < 0.05
    assert float(out.alpha[0, 0, 120:146, 70:126].min()) > 0.95  # above it the new top
    # what the old top left below the waistband is trousers now: no red, no green, dark
    freed = out.image[0, :, 152:160, 124:128]
    assert float((freed - torch.tensor(TROUSERS)[:, None, None]).abs().amax()) < 0.12
    # the same person worn "out": the hem lies over the trousers, below the waistband
    over = classical_tryon(person, garment, pose_, garment_mask=mask, parse=parse, tuck="out")
    assert float(over.alpha[0, 0, 160:170, 70:120].mean()) > 0.9


def test_half_tucked_top_keeps_its_hanging_side() -> None:
    # tucked in at the front, the old top hangs out over the trousers down to row 160 in columns 100-132 (a third of
    # the hips' span, 0.17 shoulder widths deep): the new top hangs out there too, cut at the waistband elsewhere
    person, parse, pose_, garment, mask = tucked_scene(hang=(100, 132))
    out = classical_tryon(person, garment, pose_, garment_mask=mask, parse=parse, tuck="in")
    assert float(out.alpha[0, 0, 152:158, 104:126].min()) > 0.9
    assert float(out.alpha[0, 0, 154:, 62:96].max()) < 0.05
    assert float(out.alpha[0, 0, 164:].max()) < 0.05  # not below the old top's own hem


def test_tucked_hem_follows_the_old_top_down_to_its_edge_but_not_along_a_sleeve() -> None:
    labels = torch.zeros(1, *HW, dtype=torch.long)
    labels[0, 20:66, 30:70] = 5  # the old top, tucked into trousers (columns 30-70) at row 66 ...
    labels[0, 66:, 30:70] = 9
    labels[0, 66:72, 48:70] = 5  # ... but for a side hanging out 6 rows (0.15 shoulder widths) deep
    labels[0, 30:120, 72:80] = 5  # a long old sleeve beside the hips, far below the waistband
    line = tucked_waistband(labels, pose())
    assert float((line[0, 30:70] - 66).abs().max()) < 1.0
    rows = tucked_hem(labels, line, pose())
    assert float((rows[0, 50:68] - 72).abs().max()) < 1.0  # down to the hanging side's edge
    assert torch.equal(rows[0, :46], line[0, :46])  # the waistband elsewhere ...
    assert torch.equal(rows[0, 72:], line[0, 72:])  # ... and beside the sleeve


def test_tucked_hem_keeps_the_waistband_where_an_arm_ends_the_hanging_run() -> None:
    # the same hanging side, but a forearm (14) crosses the waistband right beside it: the old top's edge there is
    # the arm's outline, not a hem (README pair 00891's flap right of the forearm)
    labels = torch.zeros(1, *HW, dtype=torch.long)
    labels[0, 20:66, 30:70] = 5
    labels[0, 66:, 30:70] = 9
    labels[0, 66:72, 48:70] = 5
    labels[0, 40:90, 42:48] = 14
    line = tucked_waistband(labels, pose())
    assert torch.equal(tucked_hem(labels, line, pose()), line)


def test_tucked_hem_over_a_jagged_old_hem_is_a_smooth_curve() -> None:
    # a hanging side whose old hem is distressed: 3 and 7 rows deep in blocks of 5 columns; the new top's hem
    # follows it down but slopes between the depths instead of copying the staircase (VITON-HD 08909)
    labels = torch.zeros(1, *HW, dtype=torch.long)
    labels[0, 20:66, 30:70] = 5
    labels[0, 66:, 30:70] = 9
    for x in range(45, 70, 5):
        labels[0, 66 : 66 + (3 if x % 10 == 5 else 7), x : x + 5] = 5
    line = tucked_waistband(labels, pose())
    rows = tucked_hem(labels, line, pose())
    assert float((rows - line)[0, 45:70].max()) > 2.0  # it does hang out
    assert float(rows[0, 40:72].diff().abs().max()) < 1.6  # no step of the old hem's 4 rows


def test_a_fleck_under_the_trousers_top_does_not_stop_their_column() -> None:
    """A one-row hole two rows under the trousers' top in columns 44-47 (a fleck of the new hem, a seam the regions
    estimate left out) leaves those columns' run of trousers two rows long: they are continued all the same, no
    strip of skin down the continued band (the unseen Yifeng_0 under a crop top)."""
    image, labels, painted, background, alpha = scene(lower_top=76)
    labels[0, 78, 44:48] = 0
    out = continue_lower_garment(image, labels, painted, background, alpha, pose())
    assert (out[0, 0, 68:76, 38:62] - SKIN[0]).abs().min() > 0.3
