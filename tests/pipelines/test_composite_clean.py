"""composite_garment's repaint on synthetic scenes at 512 rows: repainted skin has the grain of the real skin, and old
clothes the parse map calls background (a sleeve's outer strip, its anti-aliased outline) are repainted as the wall,
with no fringe left between the two."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from kfvton.pipelines.composite import CATEGORY_LABELS, composite_garment
from kfvton.pipelines.repaint import _between_legs

HW = (512, 384)
WALL = (0.92, 0.92, 0.92)
SKIN = (0.82, 0.62, 0.52)
WHITE_SHIRT = (0.98, 0.97, 0.95)


def _fill(image: torch.Tensor, rows: slice, cols: slice, colour: tuple[float, float, float]) -> None:
    image[:, rows, cols] = torch.tensor(colour)[:, None, None]


def _wall_and_face(left: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The light grey wall with a face on top (rows 0-80, columns `left`-260, parse label 13): person (3, H, W) and
    parse (H, W) int64, for the scene to be drawn on."""
    person = torch.tensor(WALL)[:, None, None].expand(3, *HW).clone()
    parse = torch.zeros(HW, dtype=torch.long)
    _fill(person, slice(0, 80), slice(left, 260), SKIN)
    parse[:80, left:260] = 13
    return person, parse


def grainy_scene() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Wall, a face on top, an old dark shirt (columns 80-300), a bare arm beside it (columns 300-352) whose skin
    has a grain (log-luminance noise, std 0.04); the new garment covers columns 80-220, so columns 220-300 of the
    shirt are freed next to the arm (repainted as skin). Returns (person, parse, garment, mask)."""
    gen = torch.Generator().manual_seed(0)
    person, parse = _wall_and_face(120)
    _fill(person, slice(80, None), slice(80, 300), (0.15, 0.2, 0.35))
    parse[80:, 80:300] = 5
    _fill(person, slice(80, None), slice(300, 352), SKIN)
    parse[80:, 300:352] = 14
    grain = torch.exp(0.04 * torch.randn(HW, generator=gen))
    skin = (parse == 13) | (parse == 14)
    person = torch.where(skin, (person * grain).clamp(0, 1), person)
    mask = torch.zeros(1, 1, *HW)
    mask[..., 80:, 80:220] = 1
    garment = torch.tensor([0.1, 0.5, 0.2])[None, :, None, None].expand(1, 3, *HW).clone()
    return person[None], parse[None], garment, mask


def high_frequency(image: torch.Tensor, region: torch.Tensor) -> float:
    """Median |log-luminance - its 3 x 3 mean| of (1, 3, H, W) `image` over `region` (H, W) bool."""
    luma = torch.log((image[0] * torch.tensor([0.299, 0.587, 0.114])[:, None, None]).sum(0) + 0.04)
    mean = F.avg_pool2d(luma[None, None], 3, stride=1, padding=1, count_include_pad=False)[0, 0]
    return float((luma - mean).abs()[region].median())


class TestSkinGrain:
    def test_repainted_skin_has_the_grain_of_the_real_skin(self):
        person, parse, garment, mask = grainy_scene()
        out = composite_garment(person, garment, mask, parse=parse)
        # the middle of the freed shirt next to the arm (repainted as skin), off its borders
        repainted = torch.zeros(HW, dtype=torch.bool)
        repainted[120:480, 240:285] = True
        assert float(out.painted[0, 0][repainted].min()) > 0.99
        assert float(out.background[0, 0][repainted].max()) < 0.05
        real = torch.zeros(HW, dtype=torch.bool)
        real[120:480, 315:345] = True
        ratio = high_frequency(out.image, repainted) / high_frequency(person, real)
        # a smooth fill had ~0.02 of the real skin's fine texture (plastic); the grain is matched band by band
        assert 0.5 < ratio < 2.0, ratio
        # the grain does not change the skin's colour
        colour = out.image[0][:, repainted].mean(1)
        torch.testing.assert_close(colour, torch.tensor(SKIN), atol=0.04, rtol=0)

    def test_flat_skin_gets_no_grain_and_runs_are_deterministic(self):
        person, parse, garment, mask = grainy_scene()
        flat = torch.where(parse[:, None] == 14, torch.tensor(SKIN)[None, :, None, None], person)
        flat = torch.where(parse[:, None] == 13, torch.tensor(SKIN)[None, :, None, None], flat)
        out = composite_garment(flat, garment, mask, parse=parse)
        repainted = torch.zeros(HW, dtype=torch.bool)
        repainted[120:480, 240:285] = True
        assert high_frequency(out.image, repainted) < 1e-3
        again = composite_garment(person, garment, mask, parse=parse)
        torch.testing.assert_close(composite_garment(person, garment, mask, parse=parse).image, again.image)


def strip_scene(blend_edge: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Wall, a face on top, an old white shirt (columns 100-300) on the light grey wall; the parse map calls its
    outer 16 columns on the right (284-300) background, as a coarse person mask does; a dark bag on the wall at
    columns 330-370 rows 300-400; the new garment covers columns 100-240. With `blend_edge` the shirt's outermost
    column is half wall (an anti-aliased outline). Returns (person, parse, garment, mask)."""
    person, parse = _wall_and_face(140)
    _fill(person, slice(80, None), slice(100, 300), WHITE_SHIRT)
    parse[80:, 100:284] = 5
    if blend_edge:
        _fill(
            person, slice(80, None), slice(299, 300), tuple((a + b) / 2 for a, b in zip(WHITE_SHIRT, WALL, strict=True))
        )
    _fill(person, slice(300, 400), slice(330, 370), (0.25, 0.15, 0.1))
    mask = torch.zeros(1, 1, *HW)
    mask[..., 80:, 100:240] = 1
    garment = torch.tensor([0.7, 0.1, 0.1])[None, :, None, None].expand(1, 3, *HW).clone()
    return person[None], parse[None], garment, mask


class TestOldClothesTheParseMissed:
    def test_outer_strip_of_a_white_sleeve_becomes_the_wall(self):
        person, parse, garment, mask = strip_scene(blend_edge=False)
        out = composite_garment(person, garment, mask, parse=parse)
        strip = out.image[0, :, 200:500, 284:300]
        # the old shirt (0.05 off the wall per channel) stayed there before: the parse map said background
        assert float((strip - torch.tensor(WALL)[:, None, None]).abs().max()) < 0.01
        # the bag on the wall is no old clothes: untouched
        torch.testing.assert_close(out.image[0, :, 300:400, 330:370], person[0, :, 300:400, 330:370])
        # the wall beyond: untouched
        torch.testing.assert_close(out.image[0, :, 120:500, 310:325], person[0, :, 120:500, 310:325])

    def test_no_fringe_where_the_repaint_meets_the_wall(self):
        person, parse, garment, mask = strip_scene(blend_edge=True)
        out = composite_garment(person, garment, mask, parse=parse)
        # across the border (repainted shirt -> anti-aliased outline -> real wall) every pixel lies between the two
        # sides' colours: no light line of the old outline, no dark seam
        row = out.image[0, :, 200:500, 256:320]
        wall = torch.tensor(WALL)[:, None, None, None]
        assert float((row - wall).abs().max()) < 0.01

    @pytest.mark.parametrize("category", ["dress", "upper"])
    def test_a_bag_held_against_the_old_clothes_stays(self, category):
        # a black bag (background in the parse map, as Dress Code's label maps have it) against an old black dress,
        # reaching past RESIDUE_FAR_PX: an object of its own, kept; before, its part within that reach was
        # repainted as the wall (020715). Not looked for beside a top ("upper"): there the wall's own gradient next
        # to a white T-shirt passed for one and kept the T-shirt's fringe (VITON-HD 00891), so the bag's part within
        # the reach is repainted as before
        black = (0.08, 0.08, 0.09)
        person, parse = _wall_and_face(140)
        _fill(person, slice(80, None), slice(140, 260), black)
        parse[80:, 140:260] = 6
        _fill(person, slice(200, 300), slice(60, 140), black)  # the bag, 80 columns wide (reach at 512 rows: 24)
        mask = torch.zeros(1, 1, *HW)
        mask[..., 80:, 150:250] = 1
        garment = torch.tensor([0.7, 0.1, 0.1])[None, :, None, None].expand(1, 3, *HW).clone()
        out = composite_garment(person[None], garment, mask, parse=parse[None], labels=CATEGORY_LABELS[category])
        bag = out.image[0, :, 205:295, 60:130]  # (off the freed dress's fringe)
        kept = float((bag - torch.tensor(black)[:, None, None]).abs().max()) < 0.02
        assert kept == (category == "dress")


class TestLightBetweenTheLegs:
    def test_between_legs_is_their_convex_hull_without_specks(self):
        legs = np.zeros((100, 80), bool)
        legs[40:100, 10:25] = True
        legs[60:100, 50:65] = True
        legs[5:7, 70:72] = True  # a speck (under LEG_PART of the largest leg)
        hull = _between_legs(legs)
        assert hull[80, 30:45].all()  # between the legs
        assert hull[45, 20] and not hull[45, 60]  # above the lower leg's top, right of the hull's slanted edge
        assert not hull[:30].any()  # not up to the speck
        assert not _between_legs(np.zeros((10, 10), bool)).any()

    def test_no_light_read_from_a_dark_slit_between_the_legs(self):
        # an old dress (rows 80-400) with a dark slit (its back panel in the legs' shadow) between two legs showing
        # inside it from row 300: the new garment over it is lit as the rest of the dress, not darkened there
        person, parse = _wall_and_face(140)
        _fill(person, slice(80, 400), slice(120, 280), (0.7, 0.7, 0.75))
        parse[80:400, 120:280] = 6
        _fill(person, slice(300, None), slice(150, 185), SKIN)
        parse[300:, 150:185] = 16
        _fill(person, slice(300, None), slice(215, 250), SKIN)
        parse[300:, 215:250] = 17
        _fill(person, slice(300, 400), slice(185, 215), (0.45, 0.45, 0.48))  # the slit's shadow
        mask = torch.zeros(1, 1, *HW)
        mask[..., 80:420, 120:280] = 1
        garment = torch.tensor([0.6, 0.6, 0.6])[None, :, None, None].expand(1, 3, *HW).clone()
        out = composite_garment(person[None], garment, mask, parse=parse[None])
        gain = out.shading[0, 0]
        assert float(gain[330:390, 190:210].min()) > 0.95  # the shadow is not read (it gave ~0.66 before)


@pytest.mark.parametrize("fit", [True, False])
def test_inputs_not_written(fit: bool) -> None:
    """The composite lights and blends copies: the caller's person, warped garment and mask come back unchanged
    (with the fit its garment is the fit's own copy; without, the garment is copied before it is lit)."""
    person, parse, garment, mask = grainy_scene()
    folds = 0.8 + 0.2 * torch.cos(torch.arange(HW[1]) / 9.0)  # (light and folds on the old shirt: a lit garment)
    person[..., 80:, 80:300] *= folds[80:300]
    before = [t.clone() for t in (person, garment, mask)]
    out = composite_garment(person, garment, mask, parse=parse, fit=fit)
    assert all(torch.equal(t, b) for t, b in zip((person, garment, mask), before, strict=True))
    assert not torch.equal(out.image, person)  # (the scene's garment and repaint do change the picture)
