"""Short sleeves' hems: the landed outline cleaned (`garment_warp._clean_sleeve_edge`), the arm in front from under
the hem (`composite._hem_rows`): round 26 (hem26)."""

from __future__ import annotations

import numpy as np
import torch

from kfvton.pipelines.composite import _hem_rows
from kfvton.pipelines.garment_warp import _clean_sleeve_edge


def _toothed_sleeve() -> tuple[torch.Tensor, torch.Tensor]:
    """(1, 80, 80) bool: a sleeve block whose hem has 2-px teeth and a speckled fold tongue under its inner corner
    (the RHUDE tee on cat_model_5), and its (1, 80, 80, 2) grid: 1 down to the teeth's tips, -1 under them, on the
    fold's lower specks (the fold's own grid lands on the flat piece's outline)."""
    landed = np.zeros((80, 80), bool)
    landed[10:40, 20:60] = True
    landed[40:42, 20:60:4] = True  # teeth along the hem
    landed[40:52, 14:24][::2, ::2] = True  # the fold's specks
    box = np.ones((80, 80, 2), np.float32)
    box[42:, :] = -1.0
    return torch.from_numpy(landed)[None], torch.from_numpy(box)[None]


class TestCleanSleeveEdge:
    def test_fold_gone_teeth_gone(self) -> None:
        landed, box = _toothed_sleeve()
        out, grid = _clean_sleeve_edge(landed, box, torch.tensor([True]), None, 1.0)
        assert not bool(out[0, 44:, :].any()), "the fold's specks are no tongue under the hem (foot26)"
        assert not bool(out[0, 41, 30:60].any()), "the hem's teeth are cut"
        # every pixel the sleeve keeps or gains off its inside takes the grid of a pixel inside it
        assert bool((grid[0][out[0]] > 0).all())

    def test_fold_tongue_with_solid_tip_gone(self) -> None:
        # the RHUDE tee's left sleeve on cat_model_5: a speckled neck under the inner corner ending in a solid tip
        # (its opening's own small piece); closed together they hung a foot of black below the hem
        landed, box = _toothed_sleeve()
        landed[0, 46:54, 10:18] = True
        out, _ = _clean_sleeve_edge(landed, box, torch.tensor([True]), None, 1.0)
        assert not bool(out[0, 44:, :].any()), "no foot below the hem"
        assert bool(out[0, 12:38, 22:58].all()), "the sleeve itself stays"

    def test_long_sleeve_and_unchanged_inside(self) -> None:
        landed, box = _toothed_sleeve()
        out, grid = _clean_sleeve_edge(landed, box, torch.tensor([False]), None, 1.0)
        assert torch.equal(out, landed) and torch.equal(grid, box)
        out, grid = _clean_sleeve_edge(landed, box, torch.tensor([True]), None, 1.0)
        assert bool(out[0, 12:38, 24:56].all()) and torch.equal(grid[0, 12:38, 24:56], box[0, 12:38, 24:56])

    def test_allowed_bounds_it(self) -> None:
        landed, box = _toothed_sleeve()
        allowed = torch.ones_like(landed)
        allowed[0, :, :30] = False
        out, _ = _clean_sleeve_edge(landed, box, torch.tensor([True]), allowed, 1.0)
        assert not bool(out[0, :, :30].any())


class TestHemRows:
    def test_slanted_hem_not_inner_seam(self) -> None:
        sleeve = np.zeros((100, 60), bool)
        for x in range(40):  # a hem slanting from row 50 up to row 40
            sleeve[10 : 50 - x // 4, x] = True
        for x in range(40, 50):  # the inner seam rising to the armpit
            sleeve[10 : 20 - (x - 40), x] = True
        rows = np.full(60, 52.0)
        out = _hem_rows(sleeve, rows, 15.0)
        assert out[0] == 49 and out[39] == 40, "the arm is in front from under the sleeve's own hem"
        assert (out[40:] == 52).all(), "not under its inner seam, nor where it has no pixel"
