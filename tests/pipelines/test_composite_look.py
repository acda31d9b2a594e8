"""composite_garment's clean repaint, light and folds, refine mask and category rules on synthetic scenes."""

from __future__ import annotations

import pytest
import torch

from kfvton.pipelines.composite import CATEGORY_LABELS, UPPER_LABELS, composite_garment

HW = (128, 96)


def gradient_scene() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """A background with a left-right gradient, a face on top, an old dark shirt (columns 16-80) wider than the
    new garment (columns 32-64). Returns (person, parse, garment, mask)."""
    ramp = torch.linspace(0.55, 0.95, HW[1])
    person = ramp[None, None, :].expand(3, *HW).clone()
    parse = torch.zeros(HW, dtype=torch.long)
    person[:, :24, 36:60] = torch.tensor([0.8, 0.6, 0.5])[:, None, None]
    parse[:24, 36:60] = 13
    person[:, 24:, 16:80] = torch.tensor([0.1, 0.1, 0.3])[:, None, None]
    parse[24:, 16:80] = 5
    mask = torch.zeros(1, 1, *HW)
    mask[..., 24:, 32:64] = 1
    garment = torch.tensor([0.9, 0.8, 0.2])[None, :, None, None].expand(1, 3, *HW).clone()
    return person[None], parse[None], garment, mask


class TestCleanRepaint:
    def test_background_continues_its_gradient_without_steps(self):
        person, parse, garment, mask = gradient_scene()
        out = composite_garment(person, garment, mask, parse=parse)
        rows = slice(40, 120)
        for cols in (slice(18, 28), slice(68, 78)):  # freed old shirt on both sides
            got = out.image[0, 0, rows, cols]
            want = person[0, 0, 0, cols].expand_as(got)  # the background's own gradient, extended
            assert float((got - want).abs().max()) < 0.04
        freed = out.image[0, 0, rows, 17:30]
        # no 4 x 4 block steps: neighbouring pixels differ by little more than the gradient's own slope
        assert float(freed.diff(dim=1).abs().max()) < 0.02
        assert float(freed.diff(dim=0).abs().max()) < 0.01

    def test_no_dark_fringe_where_the_parse_map_is_off(self):
        person, parse, garment, mask = gradient_scene()
        person[0, :, 24:, 14:16] = 0.1  # the old shirt is 2 pixels wider than its label (8 at 1024 rows)
        out = composite_garment(person, garment, mask, parse=parse)
        assert float(out.image[0, :, 30:120, 10:20].min()) > 0.45  # no dark rim (the shirt was 0.1)

    def test_without_parse_nothing_is_repainted_and_refine_is_the_border(self):
        person, _, garment, mask = gradient_scene()
        out = composite_garment(person, garment, mask, feather_px=0.0)
        assert out.painted is None and out.shading is None
        torch.testing.assert_close(out.image[0, :, :, :30], person[0, :, :, :30])
        assert out.refine.shape == (1, 1, *HW)
        assert float(out.refine[0, 0, 80, 32]) > 0.5  # the garment's side border
        assert float(out.refine[0, 0, 80, 48]) < 0.05 and float(out.refine[0, 0, 80, 5]) < 0.05


class TestLightAndFolds:
    def scene(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Old grey shirt with a soft shadow fold (rows 60-76, 40 % darker) and a small red logo (rows 90-98);
        a flat yellow new garment covering all of it."""
        person = torch.full((1, 3, *HW), 0.9)
        parse = torch.zeros(1, *HW, dtype=torch.long)
        person[0, :, 24:, 16:80] = 0.6
        parse[0, 24:, 16:80] = 5
        fold = torch.exp(-((torch.arange(HW[0]) - 68.0) ** 2) / (2 * 5.0**2))
        person[0, :, :, 16:80] *= (1 - 0.4 * fold)[:, None]
        person[0, :, 90:98, 40:56] = torch.tensor([0.8, 0.05, 0.05])[:, None, None]
        mask = torch.zeros(1, 1, *HW)
        mask[..., 24:, 16:80] = 1
        garment = torch.tensor([0.9, 0.8, 0.2])[None, :, None, None].expand(1, 3, *HW).clone()
        return person, parse, garment, mask

    def test_fold_carries_logo_does_not(self):
        person, parse, garment, mask = self.scene()
        out = composite_garment(person, garment, mask, parse=parse)
        lit = out.image[0, 1]
        plain = float(lit[40:50, 40:56].mean())
        assert float(lit[66:71, 40:56].mean()) < 0.85 * plain  # the fold darkens the new garment
        assert float(lit[90:98, 40:56].mean()) == pytest.approx(plain, rel=0.06)  # the logo does not carry
        # the colour stays the new garment's: hue ratios unchanged, only the light changes
        r, g = out.image[0, 0, 30:120, 24:72], out.image[0, 1, 30:120, 24:72]
        assert float((g / r).std()) < 0.02
        assert out.shading is not None and float(out.shading.max()) <= 1.3 and float(out.shading.min()) >= 0.5

    def test_dark_garment_shows_the_fold_and_not_the_logo(self):
        """A black garment over a white shirt with a fold: the fold shows (a plain product changed 0.05 by under
        0.01; `apply_light` takes the white shirt's change of lightness), the red logo does not, and black stays
        black and neutral."""
        person, parse, _, mask = self.scene()
        fold = torch.exp(-((torch.arange(HW[0]) - 68.0) ** 2) / (2 * 5.0**2))
        person[0, :, 24:, 16:80] = 0.92 * (1 - 0.15 * fold[24:])[:, None]  # a white shirt, a shallow fold, a logo
        person[0, :, 90:98, 40:56] = torch.tensor([0.8, 0.05, 0.05])[:, None, None]
        black = torch.tensor([0.05, 0.05, 0.06])[None, :, None, None].expand(1, 3, *HW).clone()
        out = composite_garment(person, black, mask, parse=parse)
        lit = out.image[0, 1]
        plain, fold = float(lit[40:50, 40:56].mean()), float(lit[66:71, 40:56].mean())
        assert plain - fold > 0.02, (plain, fold)  # measured 0.050 vs 0.020 (plain product: 0.050 vs 0.043)
        assert float(lit[90:98, 40:56].mean()) == pytest.approx(plain, abs=0.006)  # the logo does not carry
        assert float(out.image[0, :, 30:120, 24:72].max()) < 0.1
        assert float((out.image[0, 0] - out.image[0, 1])[30:120, 24:72].abs().max()) < 0.01

    def test_shading_off(self):
        person, parse, garment, mask = self.scene()
        out = composite_garment(person, garment, mask, parse=parse, shading=False, feather_px=0.0)
        torch.testing.assert_close(out.image[0, :, 40:110, 24:72], garment[0, :, 40:110, 24:72])


class TestRefineAndCategory:
    def test_refine_covers_the_repaint_and_the_border(self):
        person, parse, garment, mask = gradient_scene()
        out = composite_garment(person, garment, mask, parse=parse)
        assert out.refine.shape == (1, 1, *HW) and float(out.refine.min()) >= 0 and float(out.refine.max()) <= 1
        assert float(out.refine[0, 0, 60:100, 18:28].min()) > 0.9  # repainted
        assert float(out.refine[0, 0, 80, 48]) < 0.05  # inside the new garment
        assert float(out.refine[0, 0, 80, 2]) < 0.05  # untouched background

    def test_category_table(self):
        assert CATEGORY_LABELS["upper"] is UPPER_LABELS and set(CATEGORY_LABELS) == {"upper", "lower", "dress"}
        assert 5 in UPPER_LABELS.old and 13 in UPPER_LABELS.front and 14 in UPPER_LABELS.arms
        person, parse, garment, mask = gradient_scene()
        with pytest.raises(TypeError, match="labels"):
            composite_garment(person, garment, mask, parse=parse, labels="upper")
        # the lower table keeps the shirt (label 5) in front and repaints nothing of it
        out = composite_garment(person, garment, mask, parse=parse, labels=CATEGORY_LABELS["lower"])
        torch.testing.assert_close(out.image[0, :, 40:120, 36:60], person[0, :, 40:120, 36:60])
