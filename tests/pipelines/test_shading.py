"""Light and folds (`kfvton.pipelines.shading`) on synthetic garment photos: the gain follows the light and the
folds of a plain garment, not a print's edges, a lace's motifs or another colour."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from kfvton.pipelines import shading
from kfvton.pipelines.shading import (
    JAW_SHADOW,
    JAW_SHADOW_LEN,
    JAW_SHADOW_MAX,
    SHADE_DARK,
    SHADE_FLOOR,
    SHADE_OFFSET,
    SHADE_PERCEPT,
    SHADE_RANGE,
    SKIN_SLOPES,
    SKIN_SLOPES_RANGE,
    apply_light,
    arm_shading,
    clothes_shading,
    jaw_shadow,
    light_and_folds,
    shade_skin,
    sheen_scale,
    skin_carried_below,
    skin_slopes,
    torso_shading,
)

H, W = 640, 480  # a crop at 1024 rows (unit 1)
RED = np.array([0.75, 0.12, 0.12], np.float32)


def _garment() -> tuple[np.ndarray, np.ndarray]:
    """(H, W, 3) a plain red garment on a light wall, and its (H, W) bool mask."""
    img = np.full((H, W, 3), 0.9, np.float32)
    mask = np.zeros((H, W), bool)
    mask[80:600, 60:420] = True
    img[mask] = RED
    return img, mask


def _inner(mask: np.ndarray, margin: int = 24) -> np.ndarray:
    inner = np.zeros_like(mask)
    inner[80 + margin : 600 - margin, 60 + margin : 420 - margin] = True
    return inner


def test_gain_follows_folds_of_a_few_pixels():
    """Folds 12 pixels wide (every 48 pixels) and a shadow under the arm: the gain darkens where they are."""
    img, mask = _garment()
    x = np.arange(W, dtype=np.float32)
    folds = 1.0 - 0.25 * np.clip(np.cos(2 * np.pi * x / 48.0), 0, None) ** 4  # narrow dark creases
    y = np.arange(H, dtype=np.float32)[:, None]
    side = 1.0 - 0.35 * np.exp(-(((x - 60) / 30.0) ** 2)) * (y < 300)  # shadow along the left side, top half
    shade = folds[None, :] * side
    gain = clothes_shading(img * shade[..., None], mask, 1.0)
    inner = _inner(mask)
    crease = inner & (np.cos(2 * np.pi * x / 48.0)[None, :] > 0.95)
    between = inner & (np.cos(2 * np.pi * x / 48.0)[None, :] < -0.5)
    # the creases come through (at 1/4 of the resolution they were gone: gains within ~0.95-1.06)
    assert (
        float(gain[crease].mean()) < float(gain[between].mean()) - 0.1
    )  # measured 0.85 vs 1.02 (before: 0.966, 0.992)
    corr = np.corrcoef(np.log(gain[inner]), np.log(shade[inner]))[0, 1]
    assert corr > 0.7, corr
    shadow = np.zeros_like(mask)
    shadow[120:280, 66:90] = True
    assert float(gain[shadow].mean()) < float(gain[inner & (np.arange(W) > 200)[None, :]].mean()) - 0.1
    assert float(gain.min()) >= np.exp(-SHADE_RANGE[0]) - 1e-4 and float(gain.max()) <= np.exp(SHADE_RANGE[1]) + 1e-4


def _shadow_band() -> np.ndarray:
    """(W,) 1 - a soft vertical shadow 40 % deep around column 200."""
    x = np.arange(W, dtype=np.float32)
    return 1.0 - 0.4 * np.exp(-(((x - 200) / 30.0) ** 2))


def test_sheen_on_dark_shiny_cloth_is_not_read_as_light():
    """Black satin with broad diagonal sheens (added light, 0.05 -> 0.25) and a shadow band: the brighter tail
    passes the clamp, lopsided, so the whole gain is flattened (a white tee over it got grey blotches); the same
    shadow on a matte garment keeps its depth."""
    img, mask = _garment()
    y, x = np.mgrid[0:H, 0:W].astype(np.float32)
    sheen = np.clip(np.sin(2 * np.pi * (x + 0.5 * y) / 160.0), 0, None) ** 2
    satin = np.repeat(((0.05 + 0.2 * sheen) * _shadow_band()[None, :])[..., None], 3, -1)
    img[mask] = satin[mask]
    inner = _inner(mask)
    gain = clothes_shading(img, mask, 1.0)
    # measured: min 0.91, 5th percentile of the log-gain -0.07 (without the rule 0.71 and -0.27)
    assert float(gain[inner].min()) > 0.8
    assert float(np.percentile(np.log(gain[inner]), 5)) > -0.2
    matte, _ = _garment()
    matte[mask] = (matte * _shadow_band()[None, :, None])[mask]
    assert float(clothes_shading(matte, mask, 1.0)[inner].min()) < 0.75  # measured 0.71


def test_sheen_scale_only_for_a_lopsided_tail_past_the_clamp():
    """Matte folds (a darker tail as deep as the brighter, or a brighter one within the clamp) keep their
    contrast; a brighter tail past the clamp and past the darker one is scaled down, more the farther it goes."""
    rng = np.random.default_rng(0)
    base = rng.standard_normal(10000).astype(np.float32)
    base = np.concatenate([base, -base])  # symmetric
    assert sheen_scale(0.1 * base) == 1.0  # p95 0.16 < clamp
    assert sheen_scale(0.2 * base) == 1.0  # p95 0.33 > clamp, but as deep as it is bright
    lopsided = np.where(base > 0, 0.25 * base, 0.05 * base)
    far = np.where(base > 0, 0.4 * base, 0.05 * base)
    assert 0.0 < sheen_scale(far) < sheen_scale(lopsided) < 1.0
    assert sheen_scale(0.4 + 0.02 * base) == 1.0  # a level shifted as a whole, past the clamp: no sheen


@pytest.mark.parametrize("kind", ["stripes", "logo", "lace", "patchwork"])
def test_gain_does_not_follow_prints(kind):
    """An unlit garment with a print: stripes of another colour, a white logo with lettering, white-on-white lace
    motifs (luminance only, fine), a patchwork of beige and sage blocks with soft seams (near colours, under the
    strong-edge threshold: they came through as blotches): the gain stays flat, nowhere near the print's pattern."""
    img, mask = _garment()
    rng = np.random.default_rng(0)
    if kind == "patchwork":
        blocks = np.zeros((H, W), np.float32)
        blocks[80:340, 60:240] = blocks[340:600, 240:420] = 1.0
        blocks = cv2.GaussianBlur(blocks, (0, 0), 3.0)[..., None]  # a soft seam
        img[mask] = (blocks * np.array([0.78, 0.76, 0.66], np.float32) + (1 - blocks) * [0.5, 0.56, 0.42])[mask]
    elif kind == "stripes":
        for x0 in range(70, 420, 40):
            img[80:600, x0 : x0 + 14] = [0.1, 0.2, 0.6]  # navy stripes
        img[~mask] = 0.9
    elif kind == "logo":
        img[200:330, 150:330] = [0.95, 0.95, 0.95]
        for y0 in range(220, 320, 20):
            img[y0 : y0 + 6, 170:310] = [0.05, 0.05, 0.05]  # lettering
    else:
        img[mask] = [0.93, 0.92, 0.9]
        motif = rng.random((H // 4, W // 4)) > 0.6
        motif = np.kron(motif, np.ones((4, 4), bool))[:H, :W]
        img[mask & motif] *= 0.8
    gain = clothes_shading(img, mask, 1.0)
    inner = _inner(mask)
    spread = float(np.log(gain[inner]).std())
    assert spread < 0.02, spread
    assert float(np.abs(np.log(gain[inner])).max()) < 0.08


def test_light_and_folds_matches_the_shading_and_is_one_outside():
    img, mask = _garment()
    x = np.arange(W, dtype=np.float32)
    lit = img * (1.0 - 0.2 * (x / W))[None, :, None]  # light from the left
    person = torch.from_numpy(np.concatenate([lit, np.full((384, W, 3), 0.9, np.float32)], 0)).permute(2, 0, 1)[None]
    clothes = torch.zeros(1, H + 384, W, dtype=torch.bool)
    clothes[0, :H] = torch.from_numpy(mask)
    gain = light_and_folds(person, clothes)
    assert gain.shape == (1, 1, H + 384, W) and gain.dtype == person.dtype
    assert float((gain[0, 0, -60:] - 1).abs().max()) == 0.0  # outside the clothes' box: untouched
    inner = torch.from_numpy(_inner(mask))
    left, right = gain[0, 0, :H][inner & (torch.arange(W) < 150)], gain[0, 0, :H][inner & (torch.arange(W) > 330)]
    assert float(left.mean()) > float(right.mean()) + 0.08  # the light across the body carries over


def test_apply_light_as_read_lighter_plain_darker_lifted():
    """Garment as light as the old clothes: the gain as it was read, on luminance + `SHADE_OFFSET`; a lighter
    garment: the plain product, but over dark old clothes (`SHADE_DARK`) the same perceptual mix as a darker one
    (less than the product: a white dress over a black one took its sheen as grey blotches); a darker one: the
    old clothes' change of lightness (more than the product)."""
    gain = torch.tensor([0.8, 1.0, 1.15]).reshape(1, 1, 1, 3)
    grey = torch.full((1, 3, 1, 3), 0.3)
    same = apply_light(grey, gain, torch.tensor([0.3]))
    torch.testing.assert_close(same, (grey + SHADE_OFFSET) * gain - SHADE_OFFSET)
    white = torch.full((1, 3, 1, 3), 0.9)
    torch.testing.assert_close(apply_light(white, gain, torch.tensor([SHADE_DARK])), white * gain)
    mix = (0.9 + SHADE_OFFSET) ** (1 - SHADE_PERCEPT) * (0.1 + SHADE_OFFSET) ** SHADE_PERCEPT - 0.9  # (negative)
    over_black = apply_light(white, gain, torch.tensor([0.1]))
    torch.testing.assert_close(over_black, white * gain + mix * (gain - 1))
    assert float(over_black[0, 0, 0, 0]) > 0.8 and float(over_black[0, 0, 0, 2]) < 0.9 * 1.15
    half = apply_light(white, gain, torch.tensor([0.75 * SHADE_DARK]))  # half-way: between the two
    assert float(over_black[0, 0, 0, 0]) > float(half[0, 0, 0, 0]) > float(white[0, 0, 0, 0] * 0.8)
    torch.testing.assert_close(apply_light(grey, gain), grey * gain)
    dark = apply_light(torch.full((1, 3, 1, 3), 0.05), gain, torch.tensor([0.9]))
    assert float(dark[0, 0, 0, 1]) == pytest.approx(0.05)  # gain 1: unchanged
    assert float(dark[0, 0, 0, 2]) > 0.085  # the lit side: a sheen (measured 0.094; the product: 0.0575)
    assert float(dark[0, 0, 0, 0]) == pytest.approx(0.05 * SHADE_FLOOR)  # the shadow: deeper, but not 0


def test_apply_light_reads_a_reference_per_pixel():
    """Each old garment's reference where it lies (a white top above black trousers): the same as the garment lit
    against the white top's reference alone on the left and the trousers' alone on the right."""
    gain = torch.tensor([0.8, 1.15]).reshape(1, 1, 1, 2)
    white = torch.full((1, 3, 1, 2), 0.9)
    levels = torch.tensor([0.9, 0.1]).reshape(1, 1, 1, 2)
    lit = apply_light(white, gain, levels)
    torch.testing.assert_close(lit[..., :1], apply_light(white, gain, torch.tensor([0.9]))[..., :1])
    torch.testing.assert_close(lit[..., 1:], apply_light(white, gain, torch.tensor([0.1]))[..., 1:])


def test_torso_shading_rounds_the_chest_and_marks_the_collarbones():
    """Shoulders 240 pixels apart, level: the chest is lit in the middle and darker towards its sides; along each
    neck-to-shoulder line a lighter ridge with a darker hollow under it (what a flat repainted chest lacked)."""
    neck, right, left = np.array([300.0, 150.0]), np.array([180.0, 170.0]), np.array([420.0, 170.0])
    gain = torso_shading((600, 600), neck, right, left)
    assert gain.shape == (600, 600) and gain.dtype == np.float32
    assert float(gain[400, 300]) > float(gain[400, 180]) + 0.05 > float(gain[400, 100]) + 0.05 - 1e-6
    mid = (neck + left) / 2  # on the collarbone, then 0.07 shoulder widths under it
    ridge, hollow = gain[round(mid[1]), round(mid[0])], gain[round(mid[1] + 17), round(mid[0])]
    assert float(ridge) > float(hollow) + 0.06, (ridge, hollow)
    assert float(gain.min()) > 0.7 and float(gain.max()) < 1.1
    assert float(torso_shading((100, 100), neck, neck, neck).min()) == 1.0  # no shoulders: no shading


def test_arm_shading_is_a_cylinder_across_each_limb_without_a_ring_at_the_elbow():
    """An upper arm (half-width 24 -> 20) and a forearm (20 -> 14) meeting at an elbow: lit along the axis, darker
    towards both edges alike, back to 1 a little outside; along the axis through the elbow no darker ring (the
    forearm's rim lying on the upper arm's end), none past the wrist."""
    shoulder, elbow, wrist = np.array([100.0, 40.0]), np.array([100.0, 200.0]), np.array([100.0, 340.0])
    gain = arm_shading((400, 200), [(shoulder, elbow, 24.0, 20.0), (elbow, wrist, 20.0, 14.0)])
    assert gain.shape == (400, 200) and gain.dtype == np.float32
    row = gain[120]  # half-width 22 there
    assert float(row[100]) > 0.98 and float(row[100]) > float(row[88]) + 0.02 > float(row[80]) + 0.02
    assert abs(float(row[80]) - float(row[120])) < 0.02  # symmetric (but for the 1/4 grid's sampling)
    # darker steadily from the axis, as real bare arms: ~0.87 at 0.6 half-widths (a Lambert cylinder had ~0.94)
    assert 0.84 < float(row[87]) < 0.9, float(row[87])
    assert float(gain[120, 140]) == 1.0 and float(gain[120, 2]) == 1.0  # beyond the arm's own shadow
    axis = gain[60:320, 100]
    assert float(axis.min()) > 0.98, float(axis.min())
    assert float(gain[362, 88]) > 0.99  # past the wrist (the hand): no rim of shadow
    assert float(arm_shading((50, 50), []).min()) == 1.0


def test_arm_shading_is_darker_on_the_side_facing_the_body():
    """An arm left of the body's axis: its right half (towards the body, which hides part of the sky) darker than
    its left at the same distance from the axis; the axis itself as lit as without a body."""
    shoulder, elbow = np.array([60.0, 40.0]), np.array([60.0, 200.0])
    plain = arm_shading((240, 200), [(shoulder, elbow, 20.0, 20.0)])
    gain = arm_shading((240, 200), [(shoulder, elbow, 20.0, 20.0)], body=np.array([150.0, 120.0]))
    row = gain[120]
    assert float(row[74]) < float(row[46]) - 0.04, (row[74], row[46])  # 0.7 half-widths either side
    assert abs(float(row[46]) - float(plain[120, 46])) < 0.01  # the outer side as before
    assert float(row[60]) > 0.98


def test_arm_shading_shades_the_inner_side_only_from_inner_from_below_the_shoulder():
    """`inner_from` 3 half-widths: under the shoulder joint (the segment's unshared start) the side facing the body
    is no darker than the outer side (the shoulder's front, one surface with the chest: a dark seam ran down
    between a repainted upper arm and chest); from 3 half-widths down it is as dark as without `inner_from`."""
    shoulder, elbow = np.array([60.0, 40.0]), np.array([60.0, 200.0])
    body = np.array([150.0, 120.0])
    plain = arm_shading((240, 200), [(shoulder, elbow, 20.0, 20.0)], body)
    gain = arm_shading((240, 200), [(shoulder, elbow, 20.0, 20.0)], body, inner_from=3.0)
    near = gain[50]  # half a half-width below the joint
    assert float(near[74]) > float(near[46]) - 0.01, (near[74], near[46])
    assert float(plain[50, 74]) < float(plain[50, 46]) - 0.04  # (which it was)
    assert abs(float(gain[140, 74]) - float(plain[140, 74])) < 1e-6  # 5 half-widths down: as before
    assert abs(float(gain[50, 46]) - float(plain[50, 46])) < 1e-6  # the outer side untouched


class TestSkinShading:
    def test_skin_slopes_blur_on_the_skins_box_as_on_the_whole_image(self, monkeypatch):
        """`skin_slopes` blurs the skin's box grown by the kernel's radius only: the same slopes as blurred over
        the whole image (its box made the whole image), with sharp noise right outside the skin."""
        rng = np.random.default_rng(2)
        gain = np.linspace(0.6, 1.0, 120, dtype=np.float32)[None, :].repeat(90, 0)
        img = rng.uniform(0.0, 1.0, (200, 220, 3)).astype(np.float32)
        img[60:150, 50:170] = np.array([0.85, 0.66, 0.56], np.float32) * gain[..., None] ** np.array([0.8, 1.1, 1.3])
        skin = np.zeros(img.shape[:2], bool)
        skin[60:150, 50:170] = True
        boxed = skin_slopes(img, skin, 1.0)
        monkeypatch.setattr(shading, "mask_box", lambda mask, margin: (0, mask.shape[0], 0, mask.shape[1]))
        assert np.array_equal(boxed, skin_slopes(img, skin, 1.0))

    def test_skin_slopes_are_read_off_the_persons_skin(self):
        """A ramp of skin whose channels fall as the gain to the powers (0.8, 1.1, 1.3) gives those slopes back;
        too little skin, or skin of one brightness, gives the samples' median; extreme slopes are clipped."""
        gain = np.linspace(0.6, 1.0, 200, dtype=np.float32)[None, :].repeat(100, 0)
        base = np.array([0.85, 0.66, 0.56], np.float32)
        img = base * gain[..., None] ** np.array([0.8, 1.1, 1.3], np.float32)
        skin = np.ones(gain.shape, bool)
        np.testing.assert_allclose(skin_slopes(img, skin, 1.0), (0.8, 1.1, 1.3), atol=0.03)
        few = np.zeros_like(skin)
        few[:10, :10] = True
        np.testing.assert_allclose(skin_slopes(img, few, 1.0), SKIN_SLOPES)
        flat = np.broadcast_to(base, img.shape).copy()
        np.testing.assert_allclose(skin_slopes(flat, skin, 1.0), SKIN_SLOPES)
        grey = base * gain[..., None] ** np.array([0.2, 1.3, 2.5], np.float32)
        lo, hi = SKIN_SLOPES_RANGE
        got = skin_slopes(grey, skin, 1.0)
        assert np.all(got >= np.asarray(lo) - 1e-6) and np.all(got <= np.asarray(hi) + 1e-6), got

    def test_shaded_skin_is_the_per_pixel_formula(self):
        """Bit-identical to `colour * exp(log(gain) * slopes)` broadcast per pixel, for a (3,) and an (H, W, 3)
        colour, float32 and float64, (H, W) and (N,) gains with zeros (clamped at 1e-3)."""
        rng = np.random.default_rng(0)
        k = np.array([1.1, 0.95, 0.8], np.float32)
        for shape in ((33, 21), (50,)):
            gain = (2 * rng.random(shape)).astype(np.float32)
            gain.flat[0] = 0.0
            for colour in (RED, RED.astype(np.float64), rng.random((*shape, 3), dtype=np.float32)):
                want = (colour * np.exp(np.log(np.maximum(gain, 1e-3))[..., None] * k)).astype(np.float32)
                got = shade_skin(colour, gain, k)
                assert got.dtype == np.float32 and np.array_equal(got, want)

    def test_shaded_skin_keeps_the_gains_luminance_and_is_redder_in_the_shadow(self):
        colour = np.array([0.85, 0.66, 0.56], np.float32)
        gain = np.array([[1.0, 0.8, 0.6]], np.float32)
        out = shade_skin(colour, gain)
        np.testing.assert_allclose(out[0, 0], colour, atol=1e-6)
        luma = np.array([0.299, 0.587, 0.114], np.float32)
        np.testing.assert_allclose(out[0] @ luma / float(colour @ luma), gain[0], rtol=0.03)
        saturation = (out[0].max(-1) - out[0].min(-1)) / out[0].max(-1)
        assert saturation[2] > saturation[1] + 0.02 > saturation[0] + 0.04, saturation  # grey shadows keep it


def test_skin_carried_below_carries_a_neck_lit_in_the_middle_down_into_the_v():
    """A neck lit in the middle and shaded at its sides: the repaint under it is lit alike, fading to 1 farther down
    (the skin's median), and is 1 under no skin."""
    h, w = 512, 256
    x = np.arange(w, dtype=np.float32)
    lum = 0.5 * np.exp(-0.3 * ((x - 128) / 40) ** 2)  # lit in the middle, ~26 % darker at +-40 px
    img = np.repeat(np.broadcast_to(lum[None, :, None], (h, w, 1)), 3, axis=2).astype(np.float32)
    skin = np.zeros((h, w), bool)
    skin[:120, 88:168] = True  # the neck; below it, the repaint
    gain = skin_carried_below(img, skin, 1.0).gain
    below = 140
    assert gain[below, 128] > 1.03 and gain[below, 92] < 0.97  # the neck's light continued: lit middle, shaded sides
    assert gain[below, 128] > gain[400, 128] > 1.0  # fading with the distance from the neck
    assert abs(gain[below, 20] - 1.0) < 0.01 and abs(gain[below, 236] - 1.0) < 0.01  # no skin above: 1
    assert np.allclose(skin_carried_below(img, np.zeros_like(skin), 1.0).gain, 1.0)


def test_skin_carried_below_holds_the_level_of_the_skin_right_above():
    """Under a neck lit at its base and shaded above it, the carried level is the base's own luminance (unfaded),
    its share 1 right under the skin, fading down, 0 under no skin."""
    h, w = 512, 256
    img = np.full((h, w, 3), 0.3, np.float32)
    img[:100, 88:168] = 0.2  # the neck's shaded top
    img[100:120, 88:168] = 0.5  # its lit base
    skin = np.zeros((h, w), bool)
    skin[:120, 88:168] = True
    below = skin_carried_below(img, skin, 1.0)
    assert abs(below.luma[200, 128] - 0.5) < 0.01  # the base's level, not the neck's average
    assert below.share[124, 128] > 0.9 > below.share[300, 128] > 0.1 and below.share[200, 20] < 0.01


def _face_ellipse(rim: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(H, W, 3) a plain skin-coloured face (an ellipse, rows 60-260, columns 180-300) on a light wall, its (H, W)
    bool mask; `rim`: its lowest 10 rows that many times as dark (a chin's shaded rim)."""
    yy, xx = np.mgrid[0:H, 0:W]
    face = ((yy - 160) / 100.0) ** 2 + ((xx - 240) / 60.0) ** 2 <= 1.0
    img = np.full((H, W, 3), 0.9, np.float32)
    img[face] = (0.8, 0.6, 0.5)
    if rim is not None:  # (per column: the face's lowest 10 rows there)
        img[face & ~np.roll(face, -10, axis=0)] *= rim
    return img, face


def test_jaw_shadow_darkens_the_neck_under_the_face_and_fades_below():
    """Under the face the neck lies in its shadow: 1 - `JAW_SHADOW` just under the chin, back to 1 by
    `JAW_SHADOW_LEN` face heights below it; 1 beside the face, above its top and without a face."""
    img, face = _face_ellipse()
    gain = jaw_shadow(img, face)
    assert gain.shape == (H, W) and gain.dtype == np.float32
    assert abs(gain[262, 240] - (1.0 - JAW_SHADOW)) < 0.03  # just under the chin
    below = 261 + int(JAW_SHADOW_LEN * 201) + 2
    assert gain[261 + int(0.5 * JAW_SHADOW_LEN * 201), 240] > gain[262, 240] + 0.1  # lighter farther down
    assert abs(gain[below, 240] - 1.0) < 0.01  # gone below
    assert abs(gain[300, 40] - 1.0) < 1e-6 and abs(gain[300, 440] - 1.0) < 1e-6  # beside the face
    assert abs(gain[20, 240] - 1.0) < 1e-6  # above its top
    assert float(gain.min()) >= 1.0 - JAW_SHADOW - 1e-6  # nowhere deeper than a plain chin's shadow
    assert np.all(np.abs(np.diff(gain[262, 150:330])) < 0.03)  # no step across the face's outline columns
    assert np.allclose(jaw_shadow(img, np.zeros_like(face)), 1.0)


def test_jaw_shadow_is_deeper_under_a_shaded_chin_rim_up_to_its_most():
    """A chin whose own rim is shaded (a person lit from above) casts a deeper shadow, no deeper than
    `JAW_SHADOW_MAX`."""
    img, face = _face_ellipse(rim=0.55)
    assert abs(jaw_shadow(img, face)[262, 240] - 0.55) < 0.04  # the rim's 0.55 of the face's median
    img, face = _face_ellipse(rim=0.2)
    assert abs(jaw_shadow(img, face)[262, 240] - (1.0 - JAW_SHADOW_MAX)) < 0.04


def test_clothes_light_on_skin_keeps_a_sleeves_shade_not_its_lit_stripe_nor_the_torsos_light():
    """A freed forearm (a vertical strip of repainted skin) under a sleeve whose middle is lit to the gain's limit
    (skin seen through black mesh) and whose lower half lies in shade, beside a lit torso that is not repainted:
    the skin is at most SKIN_CLOTHES_RANGE[1] lighter anywhere, its lit middle mostly gone across the arm (a
    stripe down it looked metallic), and the shade stays where it was (it is the arm's own light, not the
    torso's)."""
    gain = np.ones((H, W), np.float32)
    arm = np.zeros((H, W), bool)
    arm[100:600, 100:170] = True
    gain[:, 60:400] = np.exp(SHADE_RANGE[1])  # the lit torso beside the arm, and the arm's lit middle...
    gain[:, 100:125] = gain[:, 145:170] = 0.9  # ... between its darker edges
    gain[350:] *= 0.75  # the shade over the forearm's lower half (and the torso's)
    out = shading.clothes_light_on_skin(gain, arm, 1.0)
    assert float(out[arm].max()) <= np.exp(shading.SKIN_CLOTHES_RANGE[1]) + 1e-4
    across = out[200, 100:170]
    assert float(across.max() - across.min()) < 0.1, across  # (0.08; the gain swings by 0.32 across the sleeve)
    upper, lower = float(np.median(out[150:300, 110:160])), float(np.median(out[400:550, 110:160]))
    assert 0.7 < lower / upper < 0.85, (upper, lower)  # (0.80: the lit middle, bounded, was lighter above)
    assert float(np.abs(out[:, 400:] - 1.0).max()) < 1e-3  # away from the skin: 1
    assert np.array_equal(shading.clothes_light_on_skin(gain, np.zeros((H, W), bool), 1.0), np.ones((H, W)))


def test_two_old_garments_far_apart_in_lightness_each_give_their_own_light():
    """A white top over black trousers (the old clothes of a dress try-on), a soft shadow band down both: read
    about one median, one garment was all an outlier and the other's darkness or lightness filled the gain (a white
    dress over black trousers came out grey). Each is read about its own level: the gain's level is ~1 on both
    halves and the shadow band shows on both."""
    img, mask = _garment()
    band = _shadow_band()[None, :]
    img[80:300][mask[80:300]] = (0.9 * band[..., None] * np.ones((220, W, 3), np.float32))[mask[80:300]]
    img[300:600][mask[300:600]] = (0.06 * band[..., None] * np.ones((300, W, 3), np.float32))[mask[300:600]]
    gain = clothes_shading(img, mask, 1.0)
    x = np.arange(W)[None, :]
    rows = np.arange(H)[:, None]
    top, bottom = _inner(mask) & (rows < 270), _inner(mask) & (rows > 330)
    lit = (np.abs(x - 340) < 20) & np.ones((H, 1), bool)
    shade = (np.abs(x - 200) < 10) & np.ones((H, 1), bool)
    for part in (top, bottom):
        # measured: lit 1.00 / 1.00, shade 0.64 / 0.75 (read about one median, the top lost its shadow: 0.95 by 0.97)
        assert abs(float(np.median(gain[part & lit])) - 1.0) < 0.06
        assert float(gain[part & shade].mean()) < float(gain[part & lit].mean()) - 0.15


def test_seams_between_old_garments_are_no_fold():
    """A tank top's hem on shorts of the same white (the unseen Yifeng under a dress): the hem's shadow across the
    waist was read as a fold, a dark band across the new dress. With the seam given, the band goes (gain ~1 there;
    0.87 without) and a real fold's shadow beside it stays."""
    h, w = 512, 384
    rows, cols = np.arange(h)[:, None], np.arange(w)[None, :]
    hem = 0.25 * np.exp(-(((rows - 256) / 4.0) ** 2))  # the hem's shadow across the waist
    fold = 0.2 * np.exp(-(((cols - 130) / 6.0) ** 2)) * (rows < 200)  # a soft fold down the top
    img = np.repeat((0.85 * (1 - hem) * (1 - fold))[..., None], 3, -1).astype(np.float32)
    old = np.zeros((h, w), bool)
    old[64:448, 64:320] = True
    seams = old & (np.abs(rows - 256) <= 6)
    without = clothes_shading(img, old, h / 1024)
    gain = clothes_shading(img, old, h / 1024, seams)
    assert float(without[256, 200]) < 0.93  # (the band the seam leaves out: 0.87)
    assert abs(float(gain[256, 200]) - 1.0) < 0.03
    assert float(gain[150, 130]) < float(gain[150, 250]) - 0.05  # the fold stays


def test_trousers_under_a_dress_give_only_their_broad_light():
    """A white top with a fold over grey trousers whose legs are round (darker at both edges of each leg, 50 px wide
    at 512 rows): a dress over them took the legs' shading as two legs drawn on its skirt. With the trousers
    `broad_only` their gain is flat across each leg (an edge 0.99 by the axis 0.98; 0.87 by 1.14 without), the
    top's fold stays."""
    h, w = 512, 384
    rows, cols = np.arange(h)[:, None], np.arange(w)[None, :]
    img = np.full((h, w, 3), 0.95, np.float32)
    old = np.zeros((h, w), bool)
    old[64:240, 64:320] = True
    old[240:448, 92:208] = True
    old[300:448, 146:154] = False  # between the legs
    fold = 0.2 * np.exp(-(((cols - 130) / 6.0) ** 2)) * (rows < 200)
    top = (0.85 * (1 - fold))[..., None] * np.ones(3, np.float32)
    axes = np.where(cols < 150, 120.0, 180.0)  # each leg's axis, 27 px half-width
    leg = 0.45 * (1 - 0.5 * ((cols - axes) / 27.0) ** 2)[..., None] * np.ones((h, 1, 3), np.float32)
    img[old] = np.where((rows < 240)[..., None], top, leg)[old]
    trousers = old & (rows >= 240)
    without = clothes_shading(img, old, h / 1024)
    gain = clothes_shading(img, old, h / 1024, None, trousers)
    edge, axis = (slice(340, 420), slice(98, 104)), (slice(340, 420), slice(117, 123))
    assert float(without[edge].mean()) < float(without[axis].mean()) - 0.1  # (the legs' round shading)
    assert abs(float(gain[edge].mean()) - float(gain[axis].mean())) < 0.04
    for g in (without, gain):
        assert float(g[150, 130]) < float(g[150, 250]) - 0.05  # the top's fold stays


def test_two_old_garments_light_meets_across_their_border():
    """A white top over black trousers under one light that fades down the body: each read about its own median,
    the top's hem came out shaded (below its median) and the trousers' hips lit (above theirs), a step of light
    across a new dress at the old hem. Joined (`_join_levels`), the gain just above and just below the hem meets
    (0.004 apart; 0.12 without), and still falls down the body within each garment."""
    h, w = 512, 384
    rows = np.arange(h, dtype=np.float32)[:, None]
    light = np.exp(0.3 * (0.5 - (rows - 64) / 384)) * np.ones((1, w), np.float32)  # log-light +0.15 -> -0.15
    albedo = np.where(rows < 256, 0.9, 0.12) * np.ones((1, w), np.float32)
    img = np.repeat((albedo * light)[..., None], 3, -1).astype(np.float32)
    old = np.zeros((h, w), bool)
    old[64:448, 64:320] = True
    seams = old & (np.abs(rows - 256) <= 4)  # (`composite._old_garment_seams` at 512 rows)
    for gain in (clothes_shading(img, old, h / 1024), clothes_shading(img, old, h / 1024, seams)):
        above, below = float(np.median(gain[236:246, 120:260])), float(np.median(gain[266:276, 120:260]))
        assert abs(above - below) < 0.04, (above, below)
        assert float(np.median(gain[100:120, 120:260])) > above + 0.03  # the light still falls within the top
        assert below > float(np.median(gain[400:420, 120:260])) + 0.03  # ... and within the trousers


def test_garment_edge_shadow_darkens_the_skin_beside_the_new_garment_only():
    """The new garment's contact shadow: 1 - `GARMENT_SHADOW` at its edge, fading off it; ones without a garment."""
    from kfvton.pipelines.shading import GARMENT_SHADOW, GARMENT_SHADOW_PX, garment_edge_shadow

    covered = np.zeros((64, 64), bool)
    covered[:, :20] = True
    gain = garment_edge_shadow(covered, 1.0)
    assert abs(gain[30, 20] - (1.0 - GARMENT_SHADOW * np.exp(-1.0 / GARMENT_SHADOW_PX))) < 0.01  # next to its edge
    assert gain[30, 20] < gain[30, 24] < gain[30, 30] and gain[30, 60] > 0.999  # fading off it
    assert np.allclose(garment_edge_shadow(np.zeros_like(covered), 1.0), 1.0)
