"""Light and folds (`kfvton.pipelines.shading`) on synthetic garment photos: the gain follows the light and the
folds of a plain garment, not a print's edges, a lace's motifs or another colour."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kfvton.pipelines.shading import (
    SHADE_FLOOR,
    SHADE_OFFSET,
    SHADE_RANGE,
    apply_light,
    clothes_shading,
    light_and_folds,
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


@pytest.mark.parametrize("kind", ["stripes", "logo", "lace"])
def test_gain_does_not_follow_prints(kind):
    """An unlit garment with a print: stripes of another colour, a white logo with lettering, white-on-white lace
    motifs (luminance only, fine): the gain stays flat, nowhere near the print's pattern."""
    img, mask = _garment()
    rng = np.random.default_rng(0)
    if kind == "stripes":
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
    garment: the plain product; a darker one: the old clothes' change of lightness (more than the product)."""
    gain = torch.tensor([0.8, 1.0, 1.15]).reshape(1, 1, 1, 3)
    grey = torch.full((1, 3, 1, 3), 0.3)
    same = apply_light(grey, gain, torch.tensor([0.3]))
    torch.testing.assert_close(same, (grey + SHADE_OFFSET) * gain - SHADE_OFFSET)
    torch.testing.assert_close(apply_light(grey, gain, torch.tensor([0.1])), grey * gain)
    torch.testing.assert_close(apply_light(grey, gain), grey * gain)
    dark = apply_light(torch.full((1, 3, 1, 3), 0.05), gain, torch.tensor([0.9]))
    assert float(dark[0, 0, 0, 1]) == pytest.approx(0.05)  # gain 1: unchanged
    assert float(dark[0, 0, 0, 2]) > 0.085  # the lit side: a sheen (measured 0.094; the product: 0.0575)
    assert float(dark[0, 0, 0, 0]) == pytest.approx(0.05 * SHADE_FLOOR)  # the shadow: deeper, but not 0
