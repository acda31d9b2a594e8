from __future__ import annotations

import pytest
import torch

from kfvton.geometry.grid import coordinate_grid
from kfvton.geometry.visualize import draw_warp_overlay, flow_to_color, warp_jacobian_det, warp_stats
from kfvton.geometry.warp import Warp


def identity_warp(batch: int = 1, h: int = 33, w: int = 33, occlusion: torch.Tensor | None = None) -> Warp:
    grid = coordinate_grid(h, w, align_corners=True).expand(batch, -1, -1, -1).clone()
    return Warp(grid=grid, align_corners=True, occlusion=occlusion)


class TestDrawWarpOverlay:
    def test_identity_lines_where_expected(self):
        person = torch.zeros(1, 3, 33, 33)
        out = draw_warp_overlay(person, identity_warp(), lines=4, show_occlusion=False)
        assert out.shape == (1, 3, 33, 33)
        green = out[0, 1]
        # align_corners grid: x_norm = col / 16 - 1; lines at x_norm in {-1, -0.5, 0, 0.5, 1} -> cols 0, 8, 16, 24, 32
        for col in (0, 8, 16, 24, 32):
            assert green[5:-5, col].min() > 0.8
        assert green[10:14, 3:6].max() < 0.05  # between lines: untouched
        assert out[0, 0].max() < 0.2  # no fold (red) anywhere

    @pytest.mark.parametrize("batch", [1, 3])
    def test_fold_is_red_and_batch_broadcasts(self, batch):
        warp = identity_warp(batch)
        mirrored = Warp(grid=warp.grid * torch.tensor([-1.0, 1.0]), align_corners=True)
        out = draw_warp_overlay(torch.zeros(1, 3, 33, 33), mirrored, lines=4, show_occlusion=False)
        assert out.shape == (batch, 3, 33, 33)
        assert out[:, 0, 10:14, 3:6].min() > 0.4  # fold tint between lines
        assert (warp_jacobian_det(mirrored) < 0).all()

    def test_occlusion_tint_and_person_size(self):
        occ = torch.ones(1, 1, 33, 33)
        occ[..., :, :16] = 0.0  # left half hidden
        person = torch.full((1, 3, 66, 66), 0.5)
        out = draw_warp_overlay(person, identity_warp(occlusion=occ), lines=2)
        assert out.shape == (1, 3, 66, 66)
        assert out[0, 2, 20, 10] > 0.7 and out[0, 0, 20, 10] < 0.4  # blue on the hidden side
        torch.testing.assert_close(out[0, :, 20, 50], torch.full((3,), 0.5))  # visible side, off the lines

    def test_outside_garment_untouched(self):
        warp = identity_warp()
        shifted = Warp(grid=warp.grid * 4.0, align_corners=True)  # most pixels sample outside [-1, 1]
        person = torch.rand(1, 3, 33, 33)
        out = draw_warp_overlay(person, shifted, lines=8)
        torch.testing.assert_close(out[0, :, 0:5, 0:5], person[0, :, 0:5, 0:5])

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="lines"):
            draw_warp_overlay(torch.zeros(1, 3, 8, 8), identity_warp(), lines=0)
        with pytest.raises(ValueError, match="person: batch 2"):
            draw_warp_overlay(torch.zeros(2, 3, 8, 8), identity_warp(3))
        with pytest.raises(ValueError, match="person"):
            draw_warp_overlay(torch.zeros(1, 4, 8, 8), identity_warp())


class TestStatsAndFlow:
    def test_stats(self):
        stats = warp_stats(identity_warp())
        assert stats["fold"] == 0.0 and stats["inside"] == 1.0 and stats["occluded"] is None
        warp = identity_warp()
        mirrored = Warp(
            grid=warp.grid * torch.tensor([-1.0, 1.0]), align_corners=True, occlusion=torch.zeros(1, 1, 33, 33)
        )
        stats = warp_stats(mirrored)
        assert stats["fold"] == 1.0 and stats["occluded"] == 1.0 and stats["size"] == [33, 33]

    def test_flow_color(self):
        warp = identity_warp(2)
        torch.testing.assert_close(flow_to_color(warp), torch.ones(2, 3, 33, 33))
        moved = Warp(grid=warp.grid + torch.tensor([0.2, 0.0]), align_corners=True, kind="flow")
        colour = flow_to_color(moved)
        # uniform motion to +x: one saturated hue everywhere (red for angle 0)
        torch.testing.assert_close(colour[:, :, 5, 5], torch.tensor([[1.0, 0.0, 0.0]] * 2))
        with pytest.raises(ValueError, match="max_motion"):
            flow_to_color(moved, max_motion=0.0)
