"""The legs repainted under a shorter dress or lower garment (issue 13): they continue the visible legs below the
new hem (`_leg_segments`: their width and centre, not the pose's bones alone) and decide skin or wall below the
hips with a crisp outline (`_below_hips_legs`), not blobs grown from the nearest skin."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kfvton._arrays import LUMA_WEIGHTS
from kfvton.keypoints.pairs import KeypointPairs
from kfvton.keypoints.pose import Pose
from kfvton.pipelines import repaint
from kfvton.pipelines.repaint import LEG_WIDTHS, _below_hips_legs, _leg_segments

H, W = 1024, 768
#: BODY_25: shoulders 2 / 5 (160 px apart), hips 9 / 12, knees 10 / 13, ankles 11 / 14
JOINTS = {2: (304, 200), 5: (464, 200), 9: (340, 480), 12: (428, 480), 10: (340, 700), 13: (428, 700),
          11: (340, 920), 14: (428, 920)}  # fmt: skip
SW = 160.0


def pairs() -> KeypointPairs:
    joints = torch.zeros(1, 25, 3)
    for k, (x, y) in JOINTS.items():
        joints[0, k] = torch.tensor([float(x), float(y), 1.0])
    return KeypointPairs(torch.zeros(1, 1, 3), torch.zeros(1, 1, 3), ("x",), (H, W), (H, W), pose=Pose(joints, (H, W)))


def visible_calves(shift: int, width: int) -> np.ndarray:
    """(H, W) bool: both calves `width` px wide, centred `shift` px right of their bones, from row 800 to 900."""
    legs = np.zeros((H, W), bool)
    for x in (340, 428):
        legs[800:900, x + shift - width // 2 : x + shift + width // 2] = True
    return legs


def test_calves_take_the_visible_legs_centre_and_width_and_the_thighs_follow() -> None:
    legs = _leg_segments(visible_calves(shift=12, width=64), pairs(), 0)
    assert legs is not None and len(legs.segments) == 4
    assert abs(legs.hips_y - 480) < 1e-6
    by_top = {round(float(pa[1])): (pa, pb, ra, rb) for pa, pb, ra, rb in legs.segments if pa[0] < 384}
    thigh, calf = by_top[480], by_top[700]
    # the calf: shifted onto the visible skin (bones point down: the normal points to -x, so a shift right reads <0)
    assert abs(float(calf[0][0]) - 352) < 3 and abs(float(calf[1][0]) - 352) < 3
    # wider than the prior (64 px over ~0.26 sw of the prior at rows 800-900), within the scale's cap
    prior_mid = 0.5 * (LEG_WIDTHS[(10, 11)][0] + LEG_WIDTHS[(10, 11)][1]) * SW
    assert 2 * 0.5 * (calf[2] + calf[3]) > prior_mid
    # the thigh: from the pose's hip down to the calf's shifted knee, scaled alike
    assert abs(float(thigh[0][0]) - 340) < 1e-6 and abs(float(thigh[1][0]) - 352) < 3
    scale = calf[2] / (0.5 * LEG_WIDTHS[(10, 11)][0] * SW)
    assert thigh[2] / (0.5 * LEG_WIDTHS[(9, 10)][0] * SW) == pytest.approx(scale)


def test_without_visible_legs_the_prior_on_the_bones() -> None:
    legs = _leg_segments(np.zeros((H, W), bool), pairs(), 0)
    assert legs is not None
    for pa, pb, ra, rb in legs.segments:
        assert float(pa[0]) in (340.0, 428.0) and float(pb[0]) == float(pa[0])
        assert (ra, rb) in {(0.5 * a * SW, 0.5 * b * SW) for a, b in LEG_WIDTHS.values()}


def test_below_the_hips_skin_inside_the_legs_wall_between_and_beside_them() -> None:
    legs = _leg_segments(visible_calves(shift=0, width=56), pairs(), 0)
    assert legs is not None
    weight = np.full((H // 2, W // 2), 0.25, np.float32)  # (at 1/2: WEIGHT_SCALE; a crop at the origin)
    out = _below_hips_legs(weight, np.zeros_like(weight, bool), legs, (0, 0), 1.0)
    small = lambda x, y: float(out[y // 2, x // 2])  # noqa: E731
    assert small(340, 850) < 0.05 and small(428, 850) < 0.05  # calves: skin
    assert small(384, 850) > 0.95  # between the calves: wall
    assert small(250, 850) > 0.95 and small(520, 850) > 0.95  # beside them: wall
    assert small(340, 560) < 0.05  # a thigh
    assert small(250, 300) == 0.25  # above the hips: as it was


def _dress_crop() -> tuple:
    """A 400 x 300 crop: a dress (old clothes) over rows 0-300 between columns 60 and 240 on a white wall, two calves
    (pale skin, lighter and pinker than the face) below it, an arm of the face's orange tone beside it; the legs
    fitted to the calves, as `repaint_freed` draws them under a shorter garment (the crop at the image's origin)."""
    h, w = 400, 300
    img = np.ones((h, w, 3), np.float32)
    codes = np.full((h, w), repaint.CODE_BACKGROUND, np.uint8)
    codes[:300, 60:240] = repaint.CODE_OLD
    img[:300, 60:240] = (0.1, 0.1, 0.12)
    visible = np.zeros((h, w), bool)
    for x in (110, 190):
        visible[300:, x - 22 : x + 22] = True
    img[visible] = LEG
    codes[visible] = repaint.CODE_SKIN | repaint.CODE_BODY
    img[20:260, 255:290] = FACE
    codes[20:260, 255:290] = repaint.CODE_SKIN | repaint.CODE_ARM
    crop = repaint._Crop(img, codes, codes == repaint.CODE_OLD, np.zeros((h, w), bool), (0, 0))
    skin = ((codes & repaint.CODE_SKIN) > 0) & (np.abs(np.arange(h) - 300) > 14)[:, None]
    seeds = repaint._Seeds(codes == repaint.CODE_BACKGROUND, skin, np.zeros((h, w), bool))
    segments = [(np.array([x, 40.0]), np.array([x, 220.0]), 26.0, 22.0) for x in (110.0, 190.0)] + [
        (np.array([x, 220.0]), np.array([x, 400.0]), 22.0, 20.0) for x in (110.0, 190.0)
    ]
    segments = [segments[0], segments[2], segments[1], segments[3]]  # (per leg: thigh, calf)
    legs = repaint._Legs(segments, 40.0)
    wc = 1.0 - repaint._draw_legs(legs, (0, 0), (h, w), 1).astype(np.float32)
    wc[visible] = 0.0
    return crop, seeds, legs, wc, visible


LEG = (0.86, 0.70, 0.62)  # the visible legs: lighter and pinker than ...
FACE = (0.72, 0.50, 0.35)  # ... the face (made up, tanned) and the arm of its tone


def test_repainted_legs_take_no_folds_of_the_dress_and_the_visible_legs_tone() -> None:
    crop, seeds, legs, wc, visible = _dress_crop()
    gain = np.ones(wc.shape, np.float32)
    gain[:300] = np.where((np.arange(300) // 12) % 2 == 0, 0.7, 1.3)[:, None]  # the dress's folds: stripes
    leg_fill = repaint._leg_fill(legs, visible, (0, 0), wc.shape, 1.0)
    fill = repaint._fill(crop, seeds, wc, gain, np.array(FACE, np.float32), 1.0, 0, legs=leg_fill)
    axis = fill[60:200, 108:113].mean(1)  # down a thigh's axis, far from the visible calf (no local skin there)
    luma = axis @ np.array(LUMA_WEIGHTS, np.float32)
    assert float(luma.max() - luma.min()) < 0.05  # no stripes of the folds (they swing the luminance by +-30 %)
    chroma = axis.mean(0) / axis.mean(0).sum()
    leg, face = np.array(LEG) / sum(LEG), np.array(FACE) / sum(FACE)
    # the legs' colour (paler along the lit axis, as skin is), not the face's (0.06 off it)
    assert np.abs(chroma - leg).max() < 0.025 and np.abs(chroma - face).max() > 0.05
    leg_luma = float(np.array(LEG) @ np.array(LUMA_WEIGHTS))
    thigh = fill[60:200][wc[60:200] < 0.5] @ np.array(LUMA_WEIGHTS, np.float32)
    assert abs(float(np.median(thigh)) - leg_luma) < 0.04  # and their lightness (the face's is 0.56)
    # the round shading of the legs: darker at a thigh's side than along its axis
    side = fill[60:200, 88:91].mean((0, 1)) @ np.array(LUMA_WEIGHTS, np.float32)
    assert float(side) < float(np.median(luma)) - 0.03
    # ... and darker on its inner side, facing the other leg, than on its outer
    inner = fill[60:200, 129:132].mean((0, 1)) @ np.array(LUMA_WEIGHTS, np.float32)
    assert float(inner) < float(side) - 0.02


def test_a_thigh_and_its_calf_meet_at_one_knee_in_the_legs_shading() -> None:
    """Ends a shift apart (the calf moved onto the visible skin, the thigh on the pose's hip) are one knee: no pale
    band across it where each limb's shading faded out past its own end."""
    segments = [
        (np.array([100.0, 0.0]), np.array([100.0, 200.0]), 30.0, 24.0),
        (np.array([108.0, 200.0]), np.array([108.0, 400.0]), 24.0, 18.0),
    ]
    fill = repaint._leg_fill(repaint._Legs(segments, 0.0), np.zeros((400, 240), bool), (0, 0), (400, 240), 1.0)
    rows = np.arange(150, 251, 5)
    axis = np.where(rows <= 200, 100 + 4 * rows / 200, 104 + 4 * (rows - 200) / 200)  # (through the knee between)
    radius = np.where(rows <= 200, 30 - 6 * rows / 200, 24 - 6 * (rows - 200) / 200)
    edge = fill.light[rows, np.round(axis - 0.6 * radius).astype(int)]  # down the leg, 0.6 half-widths off its axis
    assert float(np.abs(np.diff(edge)).max()) < 0.04  # (the ends apart: a jump of 0.085 at the knee)


def test_repainted_legs_take_the_visible_legs_grain_not_the_arms() -> None:
    crop, seeds, legs, wc, visible = _dress_crop()
    rng = np.random.default_rng(3)
    arm = (crop.codes & repaint.CODE_ARM) > 0
    crop.img[arm] *= np.exp(0.12 * rng.standard_normal(int(arm.sum())))[:, None].astype(np.float32)  # a coarse grain
    crop.img[visible] *= np.exp(0.01 * rng.standard_normal(int(visible.sum())))[:, None].astype(np.float32)  # smooth
    leg_fill = repaint._leg_fill(legs, visible, (0, 0), wc.shape, 1.0)
    gain = np.ones(wc.shape, np.float32)
    fill = repaint._fill(crop, seeds, wc, gain, np.array(FACE, np.float32), 1.0, 0, legs=leg_fill)
    thigh = np.log(fill[60:200, 100:121] @ np.array(LUMA_WEIGHTS, np.float32))
    fine = thigh[1:-1, 1:-1] - 0.25 * (thigh[:-2, 1:-1] + thigh[2:, 1:-1] + thigh[1:-1, :-2] + thigh[1:-1, 2:])
    assert float(fine.std()) < 0.018  # (0.011; with the arms' grain 0.026)


def test_thighs_meet_the_visible_skin_below_the_old_hem() -> None:
    """Thighs showing below an old hem at row 650, narrower than the prior and farther off their bones (outwards)
    than `LEG_SHIFT`: the drawn thigh is split there and meets that skin's sides (the bins' median fit, clamped,
    left a bulge on one side and a notch on the other), and still starts at the hip joint."""
    legs = np.zeros((H, W), bool)
    for x, out in ((340, -25), (428, 25)):
        legs[650:900, x + out - 25 : x + out + 25] = True  # 50 px wide, 25 px outside the bones
    fit = _leg_segments(legs, pairs(), 0)
    assert fit is not None and len(fit.segments) == 6  # per leg: thigh above the hem, thigh below it, calf
    drawn = repaint._draw_legs(fit, (0, 0), (H, W), 1) > 0
    for row in (640, 648):  # just above the visible skin: the repainted thighs' sides meet it
        for lo, hi, seen in ((0, 384, (290, 339)), (384, W, (428, 477))):
            cols = lo + np.nonzero(drawn[row, lo:hi])[0]
            assert abs(int(cols.min()) - seen[0]) <= 2 and abs(int(cols.max()) - seen[1]) <= 2, (
                row,
                cols.min(),
                cols.max(),
            )
    starts = sorted(float(pa[1]) for pa, _, _, _ in fit.segments)
    assert starts[:2] == [480.0, 480.0]  # (both thighs from the hip joints)


def test_no_skin_repainted_along_a_forearm_behind_the_old_dress() -> None:
    """`repaint_freed` under a dress: a forearm the labels hide below an upper arm they show bare is behind the old
    dress (`forearms_behind`), so the old dress freed beside the new one along it is wall, not skin grown from the
    pose's forearm (Dress Code 020718 from two photos: a pale arm painted down the slip dress's side, and a blob at
    the pose's wrist)."""
    from kfvton.pipelines.composite import DRESS_LABELS

    joints = dict(JOINTS)
    joints.update({1: (384, 190), 6: (478, 380), 7: (486, 540)})  # the left arm hangs down the dress's side
    pose = torch.zeros(1, 25, 3)
    for k, (x, y) in joints.items():
        pose[0, k] = torch.tensor([float(x), float(y), 1.0])
    kp = KeypointPairs(torch.zeros(1, 1, 3), torch.zeros(1, 1, 3), ("x",), (H, W), (H, W), pose=Pose(pose, (H, W)))
    person = torch.ones(1, 3, H, W)
    codes = torch.full((1, H, W), repaint.CODE_BACKGROUND, dtype=torch.uint8)
    codes[0, 190:800, 290:500] = repaint.CODE_OLD  # the old dress, out to column 500
    person[0, :, 190:800, 290:500] = torch.tensor([0.1, 0.1, 0.12])[:, None, None]
    arm = (slice(200, 370), slice(466, 500))  # the bare upper arm beside the bodice
    codes[0, arm[0], arm[1]] = repaint.CODE_SKIN | repaint.CODE_ARM
    person[0, :, arm[0], arm[1]] = torch.tensor(FACE)[:, None, None]
    alpha = torch.zeros(1, 1, H, W)
    alpha[0, 0, 190:800, 290:470] = 1.0  # the new dress, narrower: a strip of the old one freed along the forearm
    garment = torch.full((1, 3, H, W), 0.5)
    skin = torch.tensor([FACE])  # (B, 3): the person's skin colour
    rep = repaint.repaint_freed(
        person, codes, alpha, skin, kp, DRESS_LABELS.bones, 1.5, False, garment, torch.zeros(1, H, W, dtype=bool)
    )
    strip = (slice(420, 560), slice(476, 496))  # around the forearm and the wrist, inside the freed strip
    assert float(rep.paint[0, 0, strip[0], strip[1]].min()) > 0.9  # repainted
    assert float(rep.background[0, 0, strip[0], strip[1]].mean()) > 0.9  # as wall


def test_old_garment_seams_where_top_meets_shorts_and_shorts_meet_legs():
    """The dress try-on's old clothes: a top (5) over shorts (9) over legs (16). The seams are the old pixels near
    the top / shorts line and near the legs, not the rest of either garment, nor the legs themselves."""
    from kfvton.pipelines.composite import DRESS_LABELS, SEAM_PX, _old_garment_seams

    labels = torch.zeros(1, 1024, 200, dtype=torch.long)
    labels[:, 200:500, 50:150] = 5
    labels[:, 500:700, 50:150] = 9
    labels[:, 700:900, 50:150] = 16
    seams = _old_garment_seams(labels, DRESS_LABELS.old, labels == 16, 1.0)[0].numpy()
    r = round(SEAM_PX)
    assert seams[500 - r : 500 + r, 50:150].all()  # the top's hem on the shorts, both sides
    assert seams[700 - r : 700, 50:150].all()  # the shorts' hem on the legs
    assert not seams[700:].any()  # (old clothes only)
    assert not seams[200 : 500 - r - 1].any() and not seams[500 + r + 1 : 700 - r - 1].any()


def test_legged_clothes_are_trousers_parted_into_two_legs_not_a_skirt_called_pants():
    """Under a dress only the broad light of trousers or shorts is read (`_legged_clothes`): pants whose lowest quarter
    parts into two legs are all of them; a slip dress's skirt the estimated regions call pants (one piece down to its
    hem, Dress Code 020718) is none, nor a batch item without pants."""
    from kfvton.pipelines.composite import _legged_clothes

    labels = torch.zeros(3, 1024, 200, dtype=torch.long)
    labels[0, 500:900, 50:150] = 9  # trousers: one piece down to the crotch, then two legs
    labels[0, 650:900, 95:105] = 0
    labels[1, 500:900, 50:150] = 9  # a skirt called pants
    labels[2, 500:900, 50:150] = 12  # a skirt
    legged = _legged_clothes(labels).numpy()
    assert np.array_equal(legged[0], labels[0].numpy() == 9)
    assert not legged[1].any() and not legged[2].any()


def test_garment_references_each_old_garments_own_level():
    """A white top (5) over black trousers (9) under a dress: the reference is the top's luminance over the top, the
    trousers' over them, between them across the seam (one median, the trousers', mixed the top's folds down as
    though read off black cloth); a person with one old garment keeps the one reference."""
    from kfvton.pipelines.composite import DRESS_LABELS, _garment_references

    labels = torch.zeros(2, 1024, 200, dtype=torch.long)
    labels[:, 200:500, 50:150] = 5
    labels[0, 500:900, 50:150] = 9
    person = torch.full((2, 3, 1024, 200), 0.95)
    person[:, :, 500:900] = 0.08
    reference = torch.tensor([0.08, 0.95])
    ref = _garment_references(person, labels, DRESS_LABELS.old, reference)
    assert ref.shape == (2, 1, 1024, 200)
    assert abs(float(ref[0, 0, 260, 100]) - 0.95) < 0.01 and abs(float(ref[0, 0, 840, 100]) - 0.08) < 0.01
    assert 0.08 < float(ref[0, 0, 500, 100]) < 0.95
    assert torch.allclose(ref[1], torch.tensor(0.95))
    one = _garment_references(person[1:], labels[1:], DRESS_LABELS.old, reference[1:])
    assert one.shape == (1,) and float(one[0]) == pytest.approx(0.95)


def test_the_wall_between_new_trouser_legs_below_the_hips_stays_wall() -> None:
    """`_fill_weight`: below the hips the new garment is no side of `_no_gaps`: old shorts wider than the new
    trousers are freed in a strip 8 px wide between the trousers' two legs, and that strip is the wall between the
    legs, not a wedge of skin (the unseen Simon_1 in cream trousers over white shorts); above the hips, or with no
    legs (an upper garment: between a sleeve and the body is the body's side), the gap closes to skin as before."""
    h, w = 400, 300
    codes = np.full((h, w), repaint.CODE_BACKGROUND, np.uint8)
    codes[100:300, 80:220] = repaint.CODE_OLD  # the old shorts
    covered = np.zeros((h, w), bool)
    covered[100:150, 80:220] = True  # the new trousers' seat ...
    covered[150:, 80:146] = covered[150:, 154:220] = True  # ... and their two legs, 8 px apart
    img = np.full((h, w, 3), 0.85, np.float32)
    crop = repaint._Crop(img, codes, codes == repaint.CODE_OLD, covered, (0, 0))
    seeds = repaint._Seeds(
        (codes == repaint.CODE_BACKGROUND) & ~covered, np.zeros((h, w), bool), np.zeros((h, w), bool)
    )
    freed = crop.old & ~covered
    far = np.zeros((h, w), bool)
    segments = [(np.array([x, 130.0]), np.array([x, 380.0]), 30.0, 20.0) for x in (113.0, 187.0)]
    gap = (slice(160, 290), slice(147, 153))

    def weight(legs: repaint._Legs | None) -> np.ndarray:
        return repaint._fill_weight(crop, seeds, freed, far, None, repaint.LEG_BONES, 0, 1.0, (h, w), legs=legs)

    assert float(weight(repaint._Legs(segments, 130.0))[gap].min()) > 0.9  # wall between the trouser legs
    assert float(weight(None)[gap].max()) < 0.1  # (the gap rule's skin without the legs: the test can fail)
    assert float(weight(repaint._Legs(segments, 400.0))[gap].max()) < 0.1  # ... and above the hips
