"""`_old_to_neck`: a strip of the neck that the parse map took for the top is neck again; `_neck_zone`: the neck
stays in front of a garment's back neckline, not of its front; `_sleeves_to_old` on the neck, the hands and lit
shoulders; `_neck_edge_cut`: the neckline one smooth curve."""

from __future__ import annotations

import numpy as np
import torch

from kfvton.keypoints.pairs import KeypointPairs
from kfvton.keypoints.pose import Pose
from kfvton.pipelines.composite import (
    CLOSED_NECK_DEPTH,
    HAND_PAST_WRIST,
    NECK_DEPTH,
    NECK_EDGE_CUT,
    NECK_LABEL,
    UPPER_LABELS,
    _codes,
    _hands,
    _neck_edge_cut,
    _neck_zone,
    _old_to_neck,
    _shaded_skin_like,
    _skin_colour,
    _sleeves_to_old,
)
from kfvton.pipelines.repaint import CODE_ARM, CODE_OLD
from kfvton.pipelines.shading import shade_skin
from kfvton.preprocess.colour_regions import skin_like

SKIN, WHITE = (0.8, 0.62, 0.5), (0.95, 0.95, 0.96)


def _person(neck_gain: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """(1, 3, 96, 64) a face over a neck over a white top, and its labels: the neck's left half labelled top (5),
    shaded by `neck_gain` (skin darkens redder, `shade_skin`), a skin-coloured patch of the top (5) away from the
    neck."""
    person = torch.empty(1, 3, 96, 64)
    person[0] = torch.tensor(WHITE)[:, None, None]
    labels = torch.zeros(1, 96, 64, dtype=torch.long)
    person[0, :, 4:36, 16:48] = torch.tensor(SKIN)[:, None, None]  # face
    labels[0, 4:36, 16:48] = 13
    person[0, :, 36:56, 24:40] = torch.tensor(SKIN)[:, None, None]  # neck
    labels[0, 36:56, 24:40] = NECK_LABEL
    labels[0, 36:56, 24:32] = 5  # its left half taken for the top
    shaded = shade_skin(np.asarray(SKIN, np.float32), np.float32(neck_gain))
    person[0, :, 36:56, 24:32] = torch.from_numpy(shaded)[:, None, None]  # (in the jaw's shadow)
    labels[0, 56:96, 4:60] = 5  # the white top
    person[0, :, 80:90, 40:50] = torch.tensor(SKIN)[:, None, None]  # a skin-coloured print on it
    return person, labels


def test_skin_coloured_top_joined_to_the_neck_becomes_neck():
    person, labels = _person()
    codes = _codes(labels, UPPER_LABELS)
    skin = _skin_colour(person, codes)
    zone = torch.ones(1, 96, 64, dtype=torch.bool)
    out = _old_to_neck(person, labels, codes, skin, zone)
    assert (out[0, 36:56, 24:32] == NECK_LABEL).float().mean() > 0.9
    assert (out[0, 56:96, 4:60][person[0, 0, 56:96, 4:60] > 0.9] == 5).all()  # the white top stays the top
    assert (out[0, 80:90, 40:50] == 5).all()  # the print does not touch the neck
    assert (labels[0, 36:56, 24:32] == 5).all()  # the input is not written to


def test_outside_the_zone_nothing_changes():
    person, labels = _person()
    codes = _codes(labels, UPPER_LABELS)
    out = _old_to_neck(person, labels, codes, _skin_colour(person, codes), torch.zeros(1, 96, 64, dtype=torch.bool))
    assert torch.equal(out, labels)


def test_shadowed_neck_side_taken_for_the_top_becomes_neck():
    """The neck's side in the jaw's shadow (darker and redder than the face's lit tone: the face's chroma test alone
    failed it on 00891 from two photos) is neck again."""
    person, labels = _person(neck_gain=0.7)
    px = person[0, :, 40, 26].numpy()
    ref = np.asarray(SKIN, np.float32)
    assert not skin_like(px, ref) and _shaded_skin_like(px[None], ref).all()  # the case the shading adds
    codes = _codes(labels, UPPER_LABELS)
    out = _old_to_neck(person, labels, codes, _skin_colour(person, codes), torch.ones(1, 96, 64, dtype=torch.bool))
    assert (out[0, 36:56, 24:32] == NECK_LABEL).float().mean() > 0.9
    assert (out[0, 56:96, 4:60][person[0, 0, 56:96, 4:60] > 0.9] == 5).all()


def test_shaded_skin_test_rejects_white_grey_and_dark():
    ref = np.asarray(SKIN, np.float32)
    px = np.array([WHITE, (0.5, 0.5, 0.5), (0.75, 0.75, 0.78), (0.2, 0.12, 0.08), (0.6, 0.2, 0.2)], np.float32)
    assert not _shaded_skin_like(px, ref).any()


def test_thin_skin_joined_to_a_reclaimed_part_becomes_neck():
    """A 1-pixel column of shadowed neck edge beside the reclaimed half (under the opening's width) is neck too:
    left as the top, it was repainted as a pale line along the real neck (README pair from two photos)."""
    person, labels = _person()
    edge = shade_skin(np.asarray(SKIN, np.float32), np.float32(0.8))
    person[0, :, 36:56, 23] = torch.from_numpy(edge)[:, None]
    labels[0, 36:56, 23] = 5
    person[0, :, 60:70, 6] = torch.from_numpy(edge)[:, None]  # a thin skin-coloured line on the top, apart
    codes = _codes(labels, UPPER_LABELS)
    out = _old_to_neck(person, labels, codes, _skin_colour(person, codes), torch.ones(1, 96, 64, dtype=torch.bool))
    assert (out[0, 36:56, 23] == NECK_LABEL).all()
    assert (out[0, 60:70, 6] == 5).all()


def test_dark_jaw_shadow_apart_from_the_old_top_stays_neck():
    """`_sleeves_to_old` on the neck: a dark part of it (the shadow under a turned jaw, off the skin's chromaticity
    and nearer a black top's colour) that does not touch the old top stays neck (as old clothes it was repainted, a
    lit neck cut off at the chin's row); a dark band joined to the old top (a high neck) becomes old clothes."""
    person = torch.empty(1, 3, 96, 64)
    person[0] = torch.tensor(WHITE)[:, None, None]
    labels = torch.zeros(1, 96, 64, dtype=torch.long)
    person[0, :, 4:36, 16:48] = torch.tensor(SKIN)[:, None, None]  # face
    labels[0, 4:36, 16:48] = 13
    person[0, :, 36:64, 22:42] = torch.tensor(SKIN)[:, None, None]  # neck
    labels[0, 36:64, 22:42] = NECK_LABEL
    person[0, :, 36:44, 24:40] = torch.tensor((0.09, 0.04, 0.03))[:, None, None]  # the jaw's shadow
    person[0, :, 56:64, 22:42] = torch.tensor((0.05, 0.05, 0.05))[:, None, None]  # a high neck on the neck's foot
    labels[0, 64:96, 4:60] = 5  # the black top
    person[0, :, 64:96, 4:60] = torch.tensor((0.03, 0.03, 0.03))[:, None, None]
    codes = _codes(labels, UPPER_LABELS)
    out = _sleeves_to_old(person, codes, _skin_colour(person, codes), labels == NECK_LABEL)
    old = (out[0] & CODE_OLD) > 0
    assert not old[36:44, 24:40].any()
    assert old[57:64, 24:40].float().mean() > 0.9


def _collar_pairs(
    right: tuple[float, float], left: tuple[float, float], hw: tuple[int, int], *, sleeved: bool = True
) -> KeypointPairs:
    """Pairs with the collar sides' person targets at `right` / `left` (x, y) in an image of `hw`, and a sleeve end
    under them when `sleeved`."""
    person = torch.tensor([[[*right, 1.0], [*left, 1.0], [right[0] - 10, right[1] + 30, 1.0 if sleeved else 0.0]]])
    return KeypointPairs(person.clone(), person, ("collar_right", "collar_left", "sleeve_right_outer"), hw, hw)


def test_neck_zone_stops_at_the_garment_front_neckline():
    """Without a garment the zone reaches `NECK_DEPTH` collar widths under the collar line at its middle; with a
    warped garment whose neck opening (a hole under the collar line, its back cut) ends 8 rows under it, no deeper
    than that front (the old V's chest skin, called neck, cut a V into the new crew neck's collar). A garment with
    no opening under its collar line at the middle, or a dip under `FRONT_MIN` collar widths (its back not cut: a
    crew neck's ring seen whole), stops at `CLOSED_NECK_DEPTH`; a sleeveless one keeps the full depth."""
    hw = (120, 100)
    pairs = _collar_pairs((30.0, 40.0), (70.0, 40.0), hw)
    column = lambda zone: int(zone[0, :, 50].nonzero().max())  # noqa: E731 (the zone's lowest row at the middle)
    full = _neck_zone(pairs, 1, hw, torch.device("cpu"))
    assert abs(column(full) - (40 + NECK_DEPTH * 40)) <= 1.5
    garment = torch.zeros(1, 1, *hw, dtype=torch.bool)
    garment[..., 36:, 10:90] = True
    garment[..., 36:48, 38:62] = False  # the opening: the front from row 48 at the middle
    limited = _neck_zone(pairs, 1, hw, torch.device("cpu"), garment=garment)
    assert 46 <= column(limited) <= 48
    assert bool((full | ~limited).all())  # never more than without the garment
    # a sleeveless garment's opening may show its scoop's inside: the full depth
    tank = _collar_pairs((30.0, 40.0), (70.0, 40.0), hw, sleeved=False)
    torch.testing.assert_close(_neck_zone(tank, 1, hw, torch.device("cpu"), garment=garment), full)
    closed = torch.zeros(1, 1, *hw, dtype=torch.bool)
    closed[..., 36:, 10:90] = True
    crew = _neck_zone(pairs, 1, hw, torch.device("cpu"), garment=closed)
    assert abs(column(crew) - (40 + CLOSED_NECK_DEPTH * 40)) <= 1.5
    closed[..., 36:42, 40:60] = False  # a back neckline's dip, under FRONT_MIN collar widths: no front
    torch.testing.assert_close(_neck_zone(pairs, 1, hw, torch.device("cpu"), garment=closed), crew)


def test_a_shallow_front_of_a_garment_cut_flat_is_its_front():
    """A warped front only 2 rows under the collar line (under `FRONT_MIN` collar widths: taken alone for a back
    neckline's dip) is the front when the flat garment's fit mask has its front `BACK_DIP_MAX` collar widths or more
    under collar_center (its back cut, `_opened_flat`): the zone stops there, not `CLOSED_NECK_DEPTH` down (the
    unseen red tee's front, raised to half its flat 0.18 collar widths, kept the estimated neck's old V 0.3 collar
    widths deep: a notch off the centre of the new crew neck). An opening that is the back neckline's own dip
    (collar_center at its bottom, nothing cut: an unseen purple tee's, 0.13 deep) changes nothing."""
    from dataclasses import replace

    from kfvton.keypoints.pairs import PersonFit
    from kfvton.keypoints.placement import BACK_DIP_MAX

    hw = (120, 100)
    sides = _collar_pairs((30.0, 40.0), (70.0, 40.0), hw)
    depth = int(BACK_DIP_MAX * 40) + 3

    def pairs(centre_y: float) -> KeypointPairs:
        centre = torch.tensor([[[50.0, centre_y, 1.0]]])
        return replace(
            sides,
            garment_px=torch.cat((sides.garment_px, centre), 1),
            person_px=torch.cat((sides.person_px, centre), 1),
            names=(*sides.names, "collar_center"),
        )

    column = lambda zone: int(zone[0, :, 50].nonzero().max())  # noqa: E731 (the zone's lowest row at the middle)
    warped = torch.zeros(1, 1, *hw, dtype=torch.bool)
    warped[..., 36:, 10:90] = True
    warped[..., 36:42, 40:60] = False  # the front 2 rows under the collar line
    flat = torch.zeros(1, 1, *hw)
    flat[..., 36:, 10:90] = 1.0
    flat[..., 36 : 40 + depth, 40:60] = 0.0  # the flat garment's opening
    fit = PersonFit(garment_mask=flat, torso_extra=None, collared=torch.tensor([False]))
    cut = _neck_zone(replace(pairs(40.0), fit=fit), 1, hw, torch.device("cpu"), garment=warped)
    assert 40 <= column(cut) <= 42  # main: 52, CLOSED_NECK_DEPTH down
    dip = _neck_zone(replace(pairs(40.0 + depth), fit=fit), 1, hw, torch.device("cpu"), garment=warped)
    assert abs(column(dip) - (40 + CLOSED_NECK_DEPTH * 40)) <= 1.5
    assert torch.equal(dip, _neck_zone(pairs(40.0 + depth), 1, hw, torch.device("cpu"), garment=warped))


def _hand_on_a_dark_lap() -> tuple[torch.Tensor, torch.Tensor, KeypointPairs]:
    """(1, 3, 128, 96) person: face, black top (5), a bare forearm (14) down to the wrist (x 48, y 100) and past it a
    hand whose fingers lie in shadow (dark, nearer the black top's colour than the skin's), labelled arm too; the
    pose's right shoulder, elbow and wrist (elbow at y 76, wrist at y 100, the forearm straight down)."""
    person = torch.empty(1, 3, 128, 96)
    person[0] = torch.tensor(WHITE)[:, None, None]
    labels = torch.zeros(1, 128, 96, dtype=torch.long)
    person[0, :, 4:36, 32:64] = torch.tensor(SKIN)[:, None, None]  # face
    labels[0, 4:36, 32:64] = 13
    person[0, :, 40:128, 10:86] = 0.03  # the black top
    labels[0, 40:128, 10:86] = 5
    person[0, :, 76:100, 44:52] = torch.tensor(SKIN)[:, None, None]  # the forearm
    labels[0, 76:120, 44:52] = 14
    person[0, :, 100:120, 44:52] = torch.tensor((0.09, 0.05, 0.03))[:, None, None]  # the shaded fingers
    joints = torch.zeros(1, 25, 3)
    for index, (x, y) in {1: (48, 40), 2: (24, 44), 5: (72, 44), 3: (48, 76), 4: (48, 100)}.items():
        joints[0, index] = torch.tensor([x, y, 0.9])
    pts = torch.tensor([[[40.0, 40.0, 1.0], [56.0, 40.0, 1.0]]])
    pairs = KeypointPairs(
        pts, pts.clone(), ("collar_right", "collar_left"), (128, 96), (128, 96), pose=Pose(joints, (128, 96))
    )
    return person, labels, pairs


def test_shaded_fingers_past_the_wrist_are_no_sleeve():
    """`_sleeves_to_old` leaves the pose's hands (`_hands`, past `HAND_PAST_WRIST` beyond the wrist) as arm: the
    shaded fingers of a hand resting on a dark lap, as old clothes, were repainted as a pale smear of wall over the
    knee (unseen Jensen, seated). Without the hands the same fingers are taken for a sleeve."""
    person, labels, pairs = _hand_on_a_dark_lap()
    codes = _codes(labels, UPPER_LABELS)
    skin = _skin_colour(person, codes)
    hands = _hands(pairs, 1, (128, 96), person.device)
    assert hands is not None and hands[0, 108:120, 44:52].all() and not hands[0, 60:100].any()
    fingers = np.s_[0, 106:120, 44:52]
    assert ((_sleeves_to_old(person, codes, skin)[fingers] & CODE_OLD) > 0).float().mean() > 0.9  # the case
    out = _sleeves_to_old(person, codes, skin, hands=hands)
    assert not ((out[fingers] & CODE_OLD) > 0).any()
    assert ((out[fingers] & CODE_ARM) > 0).all()
    sw = 48.0  # (past HAND_PAST_WRIST shoulder widths only: the wrist's own cuff may still be a sleeve)
    assert not hands[0, : int(100 + HAND_PAST_WRIST * sw)].any()


def _crew_neck(hw: tuple[int, int] = (120, 100)) -> torch.Tensor:
    """(1, H, W) bool: a garment whose top edge is row 40 beside a round neck opening between columns 30 and 70 (its
    middle 10 rows deep)."""
    mask = torch.zeros(1, *hw, dtype=torch.bool)
    xs = torch.arange(hw[1], dtype=torch.float32)
    opening = torch.where((xs > 30) & (xs < 70), 10.0 * (1 - ((xs - 50) / 20) ** 2), torch.zeros_like(xs))
    mask[0] = torch.arange(hw[0])[:, None] >= (40 + opening)[None, :]
    return mask


def test_neck_edge_cut_takes_a_narrow_horn_off_the_neckline():
    """`_neck_edge_cut`: a horn 3 columns wide and 6 rows tall on a crew neck's top edge at a collar side (the warp
    folding the cut opening's steep side into the garment's top, VITON-HD 03615 in 01260's knit) is cut, at most
    `NECK_EDGE_CUT` collar widths deep (2 rows); the round opening's middle and the edge outside the window stay,
    its corners at the collar sides are rounded by a row; a sleeveless garment is left as it is."""
    hw = (120, 100)
    pairs = _collar_pairs((30.0, 40.0), (70.0, 40.0), hw)
    plain = _crew_neck(hw)
    rounded = _neck_edge_cut(plain, pairs)  # a smooth neckline: only its corners at the collar sides are rounded
    assert rounded[0].sum(0).max() <= 1 and not rounded[0, :, 34:66].any()
    horned = plain.clone()
    horned[0, 34:40, 28:31] = True  # the horn
    horned[0, 30:40, 2:5] = True  # a bump far outside the window (0.3 collar widths beyond the targets)
    cut = _neck_edge_cut(horned, pairs)
    cap = int(NECK_EDGE_CUT * 40)  # (the collar is 40 px wide)
    assert cut[0, 34 : 34 + cap, 28:31].all()  # the horn's top rows go, down to the cap
    assert int(cut[0, :, 29].sum()) <= cap + 1
    assert not (cut & ~horned).any()  # only garment pixels are cut
    assert not cut[0, :, :5].any()  # outside the window nothing
    assert not cut[0, 45:].any()  # the opening's bottom stays
    assert not _neck_edge_cut(horned, _collar_pairs((30.0, 40.0), (30.0, 40.0), hw)).any()  # no width: nothing
    # sleeveless: the collar sides are strap tops, the "horns" straps (unseen 00121 in the black 14627)
    assert not _neck_edge_cut(horned, _collar_pairs((30.0, 40.0), (70.0, 40.0), hw, sleeved=False)).any()


def test_neck_edge_cut_smooths_the_lower_edge_of_the_neck():
    """With `lower`, the neck kept in front (its lower edge the old top's blocky neckline, 00891 in 02783's print): a
    spike 3 columns wide hanging 5 rows under its edge is cut from its tip (at most `NECK_EDGE_CUT` collar widths);
    the neck above the edge stays."""
    hw = (120, 100)
    pairs = _collar_pairs((30.0, 40.0), (70.0, 40.0), hw)
    neck = torch.zeros(1, *hw, dtype=torch.bool)
    neck[0, :46, 32:68] = True
    neck[0, 46:51, 49:52] = True  # the spike
    cut = _neck_edge_cut(neck, pairs, lower=True)
    assert cut[0, 51 - int(NECK_EDGE_CUT * 40) : 51, 49:52].all()  # from its tip, down to the cap
    assert not cut[0, :44].any()
    assert not (cut & ~neck).any()


def test_lit_shoulder_stays_arm_and_an_old_white_sleeve_becomes_old():
    """`_sleeves_to_old` on the arms: a bare shoulder's highlight (the skin mixed with white light, off the skin's
    chromaticity and nearer a white tank's colour) stays arm (`_lit_skin`: as old clothes, its light dimmed the new
    garment in pinkish blotches, the unseen ootd_model_6 in the polo idm_09163_00); an old white sleeve labelled arm
    becomes old clothes."""
    skin, lit, sleeve = (0.72, 0.54, 0.43), (0.87, 0.77, 0.69), (0.9, 0.9, 0.92)  # (colours measured on model_6)
    person = torch.empty(1, 3, 96, 64)
    person[0] = torch.tensor((0.8, 0.8, 0.78))[:, None, None]  # the wall
    labels = torch.zeros(1, 96, 64, dtype=torch.long)
    person[0, :, 4:36, 16:48] = torch.tensor(skin)[:, None, None]  # face
    labels[0, 4:36, 16:48] = 13
    person[0, :, 40:96, 16:48] = torch.tensor(WHITE)[:, None, None]  # the white tank
    labels[0, 40:96, 16:48] = 5
    for x0, label in ((4, 14), (48, 15)):  # the arms
        person[0, :, 40:96, x0 : x0 + 12] = torch.tensor(skin)[:, None, None]
        labels[0, 40:96, x0 : x0 + 12] = label
    person[0, :, 40:52, 4:16] = torch.tensor(lit)[:, None, None]  # the lit shoulder
    person[0, :, 70:90, 48:60] = torch.tensor(sleeve)[:, None, None]  # an old sleeve
    codes = _codes(labels, UPPER_LABELS)
    out = _sleeves_to_old(person, codes, _skin_colour(person, codes))
    old = (out[0] & CODE_OLD) > 0
    assert not old[40:52, 4:16].any()
    assert old[70:90, 48:60].float().mean() > 0.9
