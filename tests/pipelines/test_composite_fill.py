"""composite_garment's fill of uncovered old clothes: background where they bordered the background, skin where they
bordered skin, the person's own skin colour (not a sleeve's), batched and deterministic."""

from __future__ import annotations

import torch

from kfvton.pipelines.composite import composite_garment

HW = (96, 128)
BACKGROUND = (0.9, 0.9, 0.92)
SKIN = (0.8, 0.6, 0.5)
SHIRT = (0.2, 0.6, 0.2)
SLEEVE = (0.4, 0.05, 0.1)


def scene(red_sleeve: bool = False) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Person (background left and right, face on top, a bare arm on the image right), an old shirt wider than the
    new garment on both sides: columns 16-32 of it border the background, 96-108 the arm.

    Returns (person, parse, garment, mask)."""
    person = torch.tensor(BACKGROUND)[:, None, None].expand(3, *HW).clone()
    parse = torch.zeros(HW, dtype=torch.long)
    person[:, :16, 28:100] = torch.tensor(SKIN)[:, None, None]
    parse[:16, 28:100] = 13  # face
    person[:, 16:, 16:108] = torch.tensor(SHIRT)[:, None, None]
    parse[16:, 16:108] = 5  # old shirt
    arm = torch.tensor(SLEEVE if red_sleeve else SKIN)
    person[:, 16:, 108:120] = arm[:, None, None]
    parse[16:, 108:120] = 14  # arm (VITON-HD labels long sleeves as arms too)
    mask = torch.zeros(1, 1, *HW)
    mask[..., 16:, 32:96] = 1  # new garment, narrower than the old shirt
    garment = torch.tensor([0.1, 0.1, 0.7])[None, :, None, None].expand(1, 3, *HW).clone()
    return person[None], parse[None], garment, mask


def colour_at(image: torch.Tensor, rows: slice, cols: slice) -> torch.Tensor:
    return image[0, :, rows, cols].mean((1, 2))


class TestCompositeFill:
    def test_background_next_to_background_skin_next_to_skin(self):
        person, parse, garment, mask = scene()
        out = composite_garment(person, garment, mask, parse=parse)
        rows = slice(40, 80)
        # freed shirt next to the background becomes background, next to the arm becomes skin; no green is left
        torch.testing.assert_close(
            colour_at(out.image, rows, slice(16, 24)), torch.tensor(BACKGROUND), atol=0.03, rtol=0
        )
        torch.testing.assert_close(colour_at(out.image, rows, slice(100, 108)), torch.tensor(SKIN), atol=0.05, rtol=0)
        freed = (parse[0] == 5) & (mask[0, 0] == 0)
        assert float((out.image[0, 1] - out.image[0, 0])[freed].max()) < 0.1  # the shirt had G - R = 0.4
        assert out.background is not None and out.background.shape == (1, 1, *HW)
        assert float(out.background[0, 0, rows, 16:24].min()) > 0.9
        assert float(out.background[0, 0, rows, 100:108].max()) < 0.1
        # untouched: the background, the arm, the new garment
        torch.testing.assert_close(out.image[0, :, :, :8], person[0, :, :, :8])
        torch.testing.assert_close(out.image[0, :, 20:, 112:118], person[0, :, 20:, 112:118])
        torch.testing.assert_close(out.image[0, :, 20:, 40:88], garment[0, :, 20:, 40:88])

    def test_sleeve_labelled_arm_is_not_the_skin_colour(self):
        person, parse, garment, mask = scene(red_sleeve=True)
        out = composite_garment(person, garment, mask, parse=parse)
        # the skin model comes from the face, the dark red "arm" (a sleeve) is rejected
        torch.testing.assert_close(out.skin[0], torch.tensor(SKIN), atol=0.02, rtol=0)
        torch.testing.assert_close(
            colour_at(out.image, slice(40, 80), slice(16, 24)), torch.tensor(BACKGROUND), atol=0.03, rtol=0
        )

    def test_fringe_over_the_face_is_not_the_skin_colour(self):
        # an estimated face outline (two photos) holds the fringe over the forehead: here over half the face is hair
        person, parse, garment, mask = scene()
        person[0, :, :9, 28:100] = torch.tensor([0.35, 0.2, 0.12])[:, None, None]
        out = composite_garment(person, garment, mask, parse=parse)
        torch.testing.assert_close(out.skin[0], torch.tensor(SKIN), atol=0.02, rtol=0)

    def test_batched_equals_single_and_deterministic(self):
        person, parse, garment, mask = scene()
        flipped = [t.flip(-1) for t in (person, parse, garment, mask)]
        batch = composite_garment(
            torch.cat([person, flipped[0]]),
            torch.cat([garment, flipped[2]]),
            torch.cat([mask, flipped[3]]),
            parse=torch.cat([parse, flipped[1]]),
        )
        single = composite_garment(flipped[0], flipped[2], flipped[3], parse=flipped[1])
        torch.testing.assert_close(batch.image[1:], single.image)
        again = composite_garment(flipped[0], flipped[2], flipped[3], parse=flipped[1])
        assert torch.equal(single.image, again.image)
        # mirrored scene -> mirrored fill (background on the image right now)
        torch.testing.assert_close(batch.image[1:].flip(-1), batch.image[:1], atol=0.02, rtol=0)

    def test_no_parse_paints_nothing(self):
        person, _, garment, mask = scene()
        out = composite_garment(person, garment, mask, feather_px=0.0)
        assert out.painted is None and out.background is None
        torch.testing.assert_close(out.image[0, :, :, 16:32], person[0, :, :, 16:32])


def test_every_is_the_strided_masked_copy() -> None:
    """`every_masked` (the composite's sample of a region's pixels for a median) is `x[mask][::step]`, for colour images
    (also a transposed view, as the person arrives) and single-channel maps."""
    import numpy as np

    from kfvton._arrays import every_masked

    rng = np.random.default_rng(0)
    mask = rng.random((37, 29)) > 0.4
    for x in (rng.random((37, 29, 3)), rng.random((3, 37, 29)).transpose(1, 2, 0), rng.random((37, 29))):
        for step in (1, 3, 7):
            assert np.array_equal(every_masked(x, mask, step), x[mask][::step])
    assert every_masked(rng.random((5, 4, 3)), np.zeros((5, 4), bool), 7).shape == (0, 3)


def test_soft_grown_box_is_the_whole_frame():
    # `_soft_grown` works in its mask's box: the values are the whole frame's growth and blur, also for a speck at
    # the frame's edge (the blur's reflected border) and two specks far apart (one box over both)
    import cv2
    import numpy as np

    from kfvton.pipelines.repaint import _soft_grown

    for unit in (0.25, 1.0):
        for pixels in ([(40, 50)], [(0, 3), (120, 90)], [(127, 95)]):
            mask = np.zeros((128, 96), bool)
            for y, x in pixels:
                mask[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2] = True
            r = max(1, round(3 * unit))
            disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
            whole = cv2.GaussianBlur(
                cv2.dilate(mask.astype(np.uint8), disc).astype(np.float32), (0, 0), max(0.8, 1.5 * unit)
            )
            np.testing.assert_allclose(_soft_grown(mask, unit), whole, rtol=0, atol=1e-6)  # (SIMD row tails: ulps)
    assert not _soft_grown(np.zeros((8, 8), bool), 1.0).any()


def test_a_dark_edge_of_the_trousers_called_wall_does_not_smudge_the_repainted_wall() -> None:
    """The parse map calls a strip of the trousers' dark edge background (VITON-HD 00891 beside the waist): the
    wall repainted over the freed shirt just above it stays the wall's colour, not a grey smudge of the trousers."""
    h, w = 512, 384  # (RESIDUE_PX is 5 px at this size)
    wall, jeans = torch.tensor(BACKGROUND), torch.tensor([0.08, 0.1, 0.18])
    person = wall[:, None, None].expand(3, h, w).clone()
    parse = torch.zeros((h, w), dtype=torch.long)
    person[:, :80, 120:260] = torch.tensor(SKIN)[:, None, None]
    parse[:80, 120:260] = 13  # face
    person[:, 80:400, 32:352] = torch.tensor(SHIRT)[:, None, None]
    parse[80:400, 32:352] = 5  # old shirt
    person[:, 400:, 38:352] = jeans[:, None, None]
    parse[400:, 38:352] = 9  # trousers
    person[:, 400:, 32:38] = jeans[:, None, None]  # their edge, labelled background
    mask = torch.zeros(1, 1, h, w)
    mask[..., 80:, 96:288] = 1  # the new top, narrower than the old shirt
    garment = torch.tensor([0.1, 0.1, 0.7])[None, :, None, None].expand(1, 3, h, w).clone()
    out = composite_garment(person[None], garment, mask, parse=parse[None])
    assert out.background is not None
    near = (slice(360, 400), slice(30, 60))  # up to 40 px above the trousers, beside their edge
    repainted_wall = out.background[0, 0][near] > 0.99
    assert int(repainted_wall.sum()) > 200
    off = (out.image[0][:, near[0], near[1]][:, repainted_wall] - wall[:, None]).abs()
    assert float(off.mean()) < 0.012 and float(off.max()) < 0.04  # (0.029 and 0.074 from the trousers' edge)


def test_neck_opening_is_the_run_around_the_neck_centre_between_the_garment():
    """A tank's scoop (a U-shaped hole open at the top, garment on both sides) is the neck opening in its rows;
    the gaps beside the garment (between it and an arm, outside the neck's middle) and the rows under the scoop are
    not (the garment grew over the old top inside its scoop: lumps of the new garment there, Dress Code 020715)."""
    import numpy as np

    from kfvton.pipelines.composite import _neck_opening

    cov = np.zeros((40, 60), bool)
    cov[:, 10:50] = True
    cov[:25, 20:40] = False  # the scoop, rows 0-24, columns 20-39
    cov[:, 52:56] = True  # an arm's sleeve beside the torso: the gap 50-51 is no opening
    cov[34:, 10:50] = False  # under the hem, between the sleeves (10-19 and 40-49 stand in): no opening
    cov[34:, 10:20] = cov[34:, 40:50] = True
    opening = _neck_opening(cov, 30.0)
    expected = np.zeros_like(cov)
    expected[:25, 20:40] = True
    np.testing.assert_array_equal(opening, expected)
    assert not _neck_opening(cov, float("nan")).any() and not _neck_opening(cov, 70.0).any()


def test_a_freed_gap_between_a_lock_of_hair_and_the_new_top_is_skin() -> None:
    """`_fill_weight`: hair is a covered side for `_no_gaps`: the thin strip of a freed high collar between a lock of
    hair on the shoulder and the new top's lower neckline is the shoulder under the hair (skin), not a notch of white
    wall (the unseen Jensen, beside his neck under the jaw); the strip with wall above it stays wall."""
    h, w = 512, 384  # (the gap rule closes gaps up to 8 px wide at this size)
    hair = torch.tensor([0.15, 0.1, 0.08])
    person = torch.tensor(BACKGROUND)[:, None, None].expand(3, h, w).clone()
    parse = torch.zeros((h, w), dtype=torch.long)
    for rows, cols, colour, label in (
        (slice(20, 150), slice(100, 284), hair, 2),  # hair
        (slice(150, 194), slice(100, 150), hair, 2),  # a lock of it on the shoulder, beside the neck
        (slice(40, 170), slice(150, 234), torch.tensor(SKIN), 13),  # face
        (slice(194, h), slice(60, 324), torch.tensor(SHIRT), 5),  # old shirt, its collar up to the lock
        (slice(170, 200), slice(167, 217), torch.tensor(SKIN), 10),  # neck
    ):
        person[:, rows, cols] = colour[:, None, None]
        parse[rows, cols] = label
    mask = torch.zeros(1, 1, h, w)
    mask[..., 200:, 60:324] = 1  # the new top, 6 px lower: rows 194-199 of the old shirt are freed
    garment = torch.tensor([0.1, 0.1, 0.7])[None, :, None, None].expand(1, 3, h, w).clone()
    out = composite_garment(person[None], garment, mask, parse=parse[None])
    assert out.background is not None
    strip = slice(195, 200)
    assert float(out.background[0, 0, strip, 104:146].max()) < 0.1  # under the lock: skin (1.0 without hair)
    torch.testing.assert_close(colour_at(out.image, strip, slice(104, 146)), torch.tensor(SKIN), atol=0.05, rtol=0)
    assert float(out.background[0, 0, strip, 64:96].min()) > 0.9  # wall above it: wall, no skin bridge
    assert float(out.background[0, 0, strip, 240:320].min()) > 0.9


def test_a_freed_neck_under_the_jaw_is_shaded_not_the_lit_faces_tone() -> None:
    """An old high neck freed by a lower new neckline: the neck repainted under the face lies in the jaw's shadow
    (`jaw_shadow`), darker than the lit face just above it and lighter farther down, not the face's colour carried
    down under it (the unseen Jensen's freed neck, pale and flat under a shaded jaw)."""
    h, w = 512, 384
    hair = torch.tensor([0.15, 0.1, 0.08])
    person = hair[:, None, None].expand(3, h, w).clone()  # hair around the head: the freed neck touches no wall
    parse = torch.full((h, w), 2, dtype=torch.long)
    yy, xx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    face = ((yy - 110) / 90.0) ** 2 + ((xx - 192) / 60.0) ** 2 <= 1.0
    person[:, face] = torch.tensor(SKIN)[:, None]
    parse[face] = 13
    person[:, 190:, :] = torch.tensor(SHIRT)[:, None, None]  # the old top's high neck, up to the chin
    parse[190:, :] = 5
    mask = torch.zeros(1, 1, h, w)
    mask[..., 300:, :] = 1  # the new top starts 100 px lower: its neckline frees the neck
    garment = torch.tensor([0.1, 0.1, 0.7])[None, :, None, None].expand(1, 3, h, w).clone()
    out = composite_garment(person[None], garment, mask, parse=parse[None])
    assert out.background is not None and float(out.background[0, 0, 190:290, 172:212].max()) < 0.1  # skin

    def luma(rows: slice) -> float:
        return float(colour_at(out.image, rows, slice(172, 212)) @ torch.tensor([0.299, 0.587, 0.114]))

    face_luma = float(torch.tensor(SKIN) @ torch.tensor([0.299, 0.587, 0.114]))
    assert luma(slice(192, 198)) < 0.8 * face_luma  # in the jaw's shadow (~0.98 without: the face's colour)
    assert luma(slice(240, 260)) > luma(slice(192, 198)) + 0.1  # lighter farther down (darker without)


def test_a_pocket_made_skin_leaves_no_ring_of_its_soft_edge() -> None:
    """`_no_pockets` (through `_lowered_to_skin`): repainted background closed in by the body is skin, its soft edge
    too: the ramp of background share around it (under 0.5, outside the pocket itself) left a faint ring of wall, a
    pale line tracing an old lace collar's outline on VITON-HD 10549's repainted neck. Background farther away,
    touching the photo's wall, stays."""
    import cv2
    import numpy as np

    from kfvton.pipelines.repaint import CODE_BACKGROUND, CODE_OLD, _no_pockets

    h, w = 200, 300
    yy, xx = np.mgrid[0:h, 0:w]
    blob = (((yy - 100) / 40.0) ** 2 + ((xx - 90) / 50.0) ** 2 <= 1.0).astype(np.float32)
    wall = np.zeros((h, w), np.float32)
    wall[:, 240:] = 1.0  # background at the right, touching the photo's wall there
    weight = cv2.GaussianBlur(np.maximum(blob, wall), (0, 0), 2.0)  # soft edges, as `_background_weight` gives
    codes = np.full((h, w), CODE_OLD, np.uint8)
    codes[:, 290:] = CODE_BACKGROUND
    freed = np.ones((h, w), bool)
    out = _no_pockets(weight, freed, codes, np.zeros((h, w), bool), 1.0)
    assert float(out[:, :200].max()) < 0.03  # the pocket and its rim (a ring up to 0.31 without the rim)
    np.testing.assert_allclose(out[:, 236:], weight[:, 236:])  # the wall's own fill and its edge stay


def test_an_arm_beside_a_strip_of_the_old_top_keeps_its_shaded_edge() -> None:
    """An arm kept in front beside a thin strip of a black old top left uncovered by the new garment (the wide unseen
    14627's forearm): the arm's own pixels, its edge shaded dark against the top, are not repainted (they were taken
    as the top's residue and painted flat, with the flat skin's light blended into the arm: a pale band)."""
    h, w = 512, 384  # (ARM_STRIP_PX is 3 px at this size: the 4 px strip is thin)
    person = torch.tensor(BACKGROUND)[:, None, None].expand(3, h, w).clone()
    parse = torch.zeros((h, w), dtype=torch.long)
    skin = torch.tensor(SKIN)
    person[:, :80, 120:260] = skin[:, None, None]
    parse[:80, 120:260] = 13  # face
    person[:, 80:, 60:330] = torch.tensor([0.05, 0.05, 0.06])[:, None, None]
    parse[80:, 60:330] = 5  # old black top
    shade = torch.linspace(0.3, 1.0, 8)  # the arm's edge in shadow against the top, its own light inwards
    person[:, 150:, 270:300] = skin[:, None, None]
    person[:, 150:, 270:278] = skin[:, None, None] * shade[None, None, :]
    parse[150:, 270:300] = 14  # the arm, in front of the top
    mask = torch.zeros(1, 1, h, w)
    mask[..., 80:, 100:266] = 1  # the new top: cols 266-270 of the old one stay uncovered beside the arm
    garment = torch.tensor([0.1, 0.1, 0.7])[None, :, None, None].expand(1, 3, h, w).clone()
    out = composite_garment(person[None], garment, mask, parse=parse[None])
    arm = (slice(200, 480), slice(271, 290))  # (its first column may take the strip's soft edge)
    torch.testing.assert_close(out.image[0][:, arm[0], arm[1]], person[:, arm[0], arm[1]], atol=0.01, rtol=0)


def test_the_repainted_chest_takes_the_hue_of_the_skin_nearest_it() -> None:
    """One tone for all the body skin mixed a brown neck with pinker hands: the repaint near each takes its hue (at
    the tone's luminance, brought there as skin shades), not the mixture's."""
    import numpy as np

    from kfvton._arrays import LUMA_WEIGHTS
    from kfvton.pipelines.repaint import _nearest_hue

    luma = np.asarray(LUMA_WEIGHTS, np.float32)
    neck, hands = np.array([0.76, 0.52, 0.35], np.float32), np.array([0.70, 0.48, 0.40], np.float32)
    near = np.empty((64, 32, 3), np.float32)
    near[:32], near[32:] = neck * 0.9, hands  # (the neck's skin a little darker than the tone)
    tone = 0.5 * (neck + hands)
    out = _nearest_hue(tone, near, np.ones(3, np.float32), np.ones((64, 32)))  # (slopes of 1: shading keeps the hue)

    def chroma(c: np.ndarray) -> np.ndarray:
        return c / c.sum(-1, keepdims=True)

    assert np.allclose(out @ luma, tone @ luma, atol=1e-4)  # the tone's luminance
    assert np.allclose(chroma(out[5, 5]), chroma(neck), atol=1e-4)  # the neck's hue by the neck
    assert np.allclose(chroma(out[60, 5]), chroma(hands), atol=1e-4)  # the hands' by the hands
    # shading redder (skin's slopes): the darker neck's hue lit up to the tone is less red than the neck's own
    lit = _nearest_hue(tone, near, np.array([0.7, 1.15, 1.4], np.float32), np.ones((64, 32)))
    assert chroma(lit[5, 5])[0] < chroma(neck)[0] and chroma(lit[5, 5])[2] > chroma(neck)[2]
    # away from the skin (a share of 0) the tone's own hue
    far = _nearest_hue(tone, near, np.ones(3, np.float32), np.zeros((64, 32)))
    assert np.allclose(far, tone, atol=1e-5)


def test_the_repainted_grain_reads_back_the_real_skins_bands() -> None:
    """The grain's bands overlap: the noise is weighted so that it reads back, band by band (as the real skin is
    read), `GRAIN_SHARE` of the real skin's spreads: a real skin mottled more than it is fine-grained is repainted
    alike (matched band by band without the overlap, the fill had 1.4 x its fine grain: a dotted grain)."""
    import cv2
    import numpy as np

    from kfvton.pipelines.repaint import GRAIN_SHARE, _grain, _grain_bands

    rng = np.random.default_rng(3)
    h, w = 256, 256
    mottle = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), 1.6)
    fine = rng.standard_normal((h, w)).astype(np.float32)
    # (a skin's log-luminance mottled at ~2 px, a little fine grain: its fine band ~0.6 of its mottling's)
    texture = np.exp(0.02 * mottle / mottle.std() + 0.004 * fine) * 0.5
    img = np.repeat(texture[..., None], 3, axis=2).astype(np.float32)
    seed = np.zeros((h, w), bool)
    seed[:, : w // 2] = True  # the real skin; its right half is repainted from it

    def spreads(image: np.ndarray, where: np.ndarray) -> np.ndarray:
        bands = _grain_bands(image, 1.0, np.random.default_rng(0))
        return np.array([1.4826 * np.median(np.abs(r[where] - np.median(r[where]))) for r in bands.real])

    inner = np.zeros((h, w), bool)
    inner[16:-16, 16 : w // 2 - 16] = True
    target = spreads(img, inner) * np.asarray(GRAIN_SHARE)
    grain = _grain(_grain_bands(img, 1.0, np.random.default_rng(1)), seed, 1.0)
    fill = np.repeat((0.5 * grain)[..., None], 3, axis=2).astype(np.float32)
    got = spreads(fill, inner)
    assert np.all(np.abs(got / target - 1.0) < 0.15), (got, target)


def test_skin_freed_under_a_lit_neck_base_carries_its_level_on_down() -> None:
    """A wide new neckline frees the chest under an old crew neck: the neck is shaded under the chin and lit at its
    base. The repaint right under the old neckline is at the lit base's level, not the whole neck's average (the
    unseen ootd_07966_00 in idm_09305_00: a flat patch ~15 % darker, a step along the old neckline)."""
    h, w = 512, 384
    hair = torch.tensor([0.15, 0.1, 0.08])
    person = hair[:, None, None].expand(3, h, w).clone()
    parse = torch.full((h, w), 2, dtype=torch.long)
    yy, xx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    face = ((yy - 100) / 80.0) ** 2 + ((xx - 192) / 60.0) ** 2 <= 1.0
    person[:, face] = torch.tensor(SKIN)[:, None]
    parse[face] = 13
    neck = (yy >= 170) & (yy < 260) & (xx >= 152) & (xx < 232)
    # shaded under the chin and at its sides, lit in the middle of its base
    shade = torch.clamp(0.5 + 0.5 * (yy - 170) / 70.0, max=1.0) * torch.exp(-0.5 * ((xx - 192) / 30.0) ** 2)
    person[:, neck] = (torch.tensor(SKIN)[:, None, None] * shade)[:, neck]
    parse[neck] = 10
    person[:, 260:, :] = torch.tensor(SHIRT)[:, None, None]  # the old crew neck's top
    parse[260:, :] = 5
    mask = torch.zeros(1, 1, h, w)
    mask[..., 360:, :] = 1  # the new top's wide neckline 100 px lower
    garment = torch.tensor([0.1, 0.1, 0.7])[None, :, None, None].expand(1, 3, h, w).clone()
    out = composite_garment(person[None], garment, mask, parse=parse[None])
    weights = torch.tensor([0.299, 0.587, 0.114])
    base = float(colour_at(person[None], slice(244, 252), slice(172, 212)) @ weights)  # the neck's lit base
    below = float(colour_at(out.image, slice(268, 290), slice(172, 212)) @ weights)
    assert 0.96 < below / base < 1.04, below / base  # (0.952 with the whole neck's average: push_pull's)
