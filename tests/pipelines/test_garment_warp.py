"""warp_from_pairs / warp_garment: landmarks land on their targets, missing pairs drop out, K groups, errors."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from kfvton.geometry.grid import ALIGN_CORNERS_TPS, px_to_norm
from kfvton.geometry.tps import tps_solve, tps_transform_points
from kfvton.geometry.warp import sample_grid
from kfvton.keypoints.pairs import KeypointPairs
from kfvton.pipelines.garment_warp import warp_from_pairs, warp_garment

P_HW, G_HW = (96, 72), (64, 48)


def _pairs(batch: int = 1, n: int = 8, seed: int = 0, groups: int = 1, dtype=torch.float32) -> KeypointPairs:
    g = torch.Generator().manual_seed(seed)
    garment = torch.rand(batch, n, 2, generator=g, dtype=torch.float64) * torch.tensor([40.0, 56.0]) + 4
    person = garment * 1.3 + torch.tensor([5.0, 8.0]) + torch.randn(batch, n, 2, generator=g, dtype=torch.float64)
    ones = torch.ones(batch, n, 1, dtype=torch.float64)
    return KeypointPairs(
        torch.cat((garment, ones), -1).to(dtype),
        torch.cat((person, ones), -1).to(dtype),
        tuple(f"k{i}" for i in range(n)),
        G_HW,
        P_HW,
        groups=groups,
    )


def _garment_at_targets(pairs: KeypointPairs, params) -> torch.Tensor:
    src = px_to_norm(pairs.person_px[..., :2], P_HW, align_corners=ALIGN_CORNERS_TPS)
    return tps_transform_points(src, params)


class TestWarpFromPairs:
    @pytest.mark.parametrize("batch", [1, 3])
    def test_landmarks_land_on_targets(self, batch):
        pairs = _pairs(batch, dtype=torch.float64)
        warp = warp_from_pairs(pairs, reg=0.0)
        assert warp.grid.shape == (batch, *P_HW, 2) and warp.kind == "tps" and warp.tps.batch_shape == (batch,)
        dst = px_to_norm(pairs.garment_px[..., :2], G_HW, align_corners=ALIGN_CORNERS_TPS)
        torch.testing.assert_close(_garment_at_targets(pairs, warp.tps), dst, atol=1e-6, rtol=0)
        # the dense grid at an integer target pixel equals the spline there
        xy = pairs.person_px[0, 0, :2].round()
        pt = px_to_norm(xy[None, None], P_HW, align_corners=True)
        expect = tps_transform_points(pt, warp.tps.to(dtype=torch.float64))[0, 0]
        torch.testing.assert_close(warp.grid[0, int(xy[1]), int(xy[0])], expect.to(warp.grid.dtype), atol=1e-5, rtol=0)

    def test_missing_pairs_drop_out(self):
        pairs = _pairs(2, n=8, dtype=torch.float64)
        garment = pairs.garment_px.clone()
        garment[0, 2, 2] = 0  # missing on the garment side
        person = pairs.person_px.clone()
        person[0, 5, 2] = 0  # missing on the person side
        person[0, 5, :2] = 0  # and its coordinates are junk
        warp = warp_from_pairs(KeypointPairs(garment, person, pairs.names, G_HW, P_HW), reg=0.0)
        keep = [0, 1, 3, 4, 6, 7]
        src = px_to_norm(pairs.person_px[0:1, keep, :2], P_HW, align_corners=True)
        dst = px_to_norm(pairs.garment_px[0:1, keep, :2], G_HW, align_corners=True)
        ref = tps_solve(src, dst)
        probe = torch.rand(1, 50, 2, dtype=torch.float64) * 2 - 1
        got = tps_transform_points(probe, warp.tps.to(dtype=torch.float64))[0:1]
        torch.testing.assert_close(got, tps_transform_points(probe, ref), atol=1e-4, rtol=0)

    def test_groups_average(self):
        pairs = _pairs(2, n=12, groups=3)
        warp = warp_from_pairs(pairs, reg=0.0)
        assert warp.tps.batch_shape == (2, 3)
        singles = []
        for k in range(3):
            sl = slice(4 * k, 4 * k + 4)
            sub = KeypointPairs(pairs.garment_px[:, sl], pairs.person_px[:, sl], pairs.names[sl], G_HW, P_HW)
            singles.append(warp_from_pairs(sub, reg=0.0).grid)
        torch.testing.assert_close(warp.grid, torch.stack(singles).mean(0), atol=1e-4, rtol=0)

    def test_grid_step_close_to_exact(self):
        pairs = _pairs(1, n=6)
        exact = warp_from_pairs(pairs, reg=0.01).grid
        coarse = warp_from_pairs(pairs, reg=0.01, grid_step=2).grid
        px_err = ((coarse - exact).abs() * torch.tensor([G_HW[1] / 2, G_HW[0] / 2])).max()
        assert px_err < 0.25

    def test_differentiable(self):
        pairs = _pairs(1, n=6, dtype=torch.float64)
        person = pairs.person_px.clone().requires_grad_(True)
        warp = warp_from_pairs(KeypointPairs(pairs.garment_px, person, pairs.names, G_HW, P_HW))
        warp.grid.sum().backward()
        assert person.grad is not None and torch.isfinite(person.grad).all()

    def test_too_few_pairs(self):
        pairs = _pairs(2, n=4)
        person = pairs.person_px.clone()
        person[1, :2, 2] = 0
        with pytest.raises(ValueError, match="keypoints: .*at least 3 valid pairs.*batch item 1 has 2"):
            warp_from_pairs(KeypointPairs(pairs.garment_px, person, pairs.names, G_HW, P_HW))

    def test_collinear(self):
        pairs = _pairs(1, n=4)
        person = pairs.person_px.clone()
        person[0, :, 1] = 10.0
        with pytest.raises(ValueError, match="collinear"):
            warp_from_pairs(KeypointPairs(pairs.garment_px, person, pairs.names, G_HW, P_HW))

    def test_bad_args(self):
        with pytest.raises(TypeError, match="keypoints"):
            warp_from_pairs(torch.zeros(1, 4, 3))
        with pytest.raises(ValueError, match="reg"):
            warp_from_pairs(_pairs(), reg=-1.0)


class TestWarpGarment:
    def test_identity(self):
        n = torch.tensor([[0.0, 0.0], [47.0, 0.0], [0.0, 63.0], [47.0, 63.0], [20.0, 30.0]])
        pts = torch.cat((n, torch.ones(5, 1)), -1)[None]
        pairs = KeypointPairs(pts, pts, tuple("abcde"), G_HW, G_HW)
        garment = torch.rand(1, 3, *G_HW)
        mask = (torch.rand(1, 1, *G_HW) > 0.5).float()
        out = warp_garment(garment, mask, warp_from_pairs(pairs, reg=0.0))
        torch.testing.assert_close(out.image, garment, atol=1e-4, rtol=0)
        torch.testing.assert_close(out.mask, mask, atol=1e-4, rtol=0)

    def test_broadcast_and_shapes(self):
        warp = warp_from_pairs(_pairs(3))
        image, mask = warp_garment(torch.rand(1, 3, *G_HW), torch.ones(1, 1, *G_HW), warp)
        assert image.shape == (3, 3, *P_HW) and mask.shape == (3, 1, *P_HW)
        with pytest.raises(ValueError, match="garment_mask"):
            warp_garment(torch.rand(1, 3, *G_HW), torch.ones(1, 1, 10, 10), warp)
        with pytest.raises(ValueError, match="garment"):
            warp_garment(torch.rand(1, 4, *G_HW), torch.ones(1, 1, *G_HW), warp)

    def test_a_shrunk_garment_is_not_aliased(self):
        """A 1-pixel stripe pattern shrunk 2x (every person pixel on an even garment column): blurred first
        (ANTIALIAS) it lands as its mean grey, sampled as it is it would land all black; the mask keeps its sharp
        outline; without a shrink nothing is blurred."""
        from kfvton.geometry.warp import sample_grid
        from kfvton.pipelines.garment_warp import warp_minification

        g_hw, p_hw = (63, 47), (32, 24)  # (63 - 1) / (32 - 1) = (47 - 1) / (24 - 1) = 2 with corners aligned
        g = torch.tensor([[0.0, 0.0], [46.0, 0.0], [0.0, 62.0], [46.0, 62.0], [20.0, 30.0]])
        ones = torch.ones(5, 1)
        pairs = KeypointPairs(
            torch.cat((g, ones), -1)[None], torch.cat((g / 2, ones), -1)[None], tuple("abcde"), g_hw, p_hw
        )
        warp = warp_from_pairs(pairs, reg=0.0)
        stripes = (torch.arange(g_hw[1]) % 2).float().expand(1, 3, *g_hw).clone()
        mask = torch.zeros(1, 1, *g_hw)
        mask[..., :, : g_hw[1] // 2 + 1] = 1.0
        out = warp_garment(stripes, mask, warp)
        assert float(warp_minification(warp.grid, out.mask, g_hw)[0]) == pytest.approx(2.0, abs=0.05)
        inner = out.image[..., 4:-4, 4:-4]
        assert float(inner.mean()) == pytest.approx(0.5, abs=0.1) and float(inner.std()) < 0.1
        aliased = sample_grid(stripes, warp.grid, align_corners=warp.align_corners)[..., 4:-4, 4:-4]
        assert float(aliased.mean()) < 0.05  # what sampling without the blur gives
        # the mask is sampled as it is: 1 up to its edge column, 0 past it
        row = out.mask[0, 0, p_hw[0] // 2]
        assert float(row[: p_hw[1] // 2 - 1].min()) > 0.99 and float(row[p_hw[1] // 2 + 1 :].max()) < 0.01
        same = KeypointPairs(torch.cat((g, ones), -1)[None], torch.cat((g, ones), -1)[None], tuple("abcde"), g_hw, g_hw)
        kept = warp_garment(stripes, mask, warp_from_pairs(same, reg=0.0)).image
        torch.testing.assert_close(kept, stripes, atol=1e-4, rtol=0)

    def test_antialias_blur_without_gradient_matches_the_convolutions(self):
        """Without a gradient the blur runs through OpenCV; it must give what the differentiable grouped
        convolutions give (each item its own sigma, reflected borders, a sigma ~0 item left as it is)."""
        from kfvton.pipelines.garment_warp import antialias_blur

        image = torch.rand(3, 3, 37, 29, generator=torch.Generator().manual_seed(0))
        sigma = torch.tensor([0.0, 0.7, 1.6])
        fast = antialias_blur(image, sigma)
        exact = antialias_blur(image.clone().requires_grad_(True), sigma).detach()
        torch.testing.assert_close(fast, exact, atol=1e-6, rtol=0)
        torch.testing.assert_close(fast[0], image[0], atol=1e-6, rtol=0)
        assert not torch.allclose(fast[2], image[2], atol=1e-2)
        one = torch.rand(1, 1, 20, 30, generator=torch.Generator().manual_seed(1))  # a single channel (a mask)
        torch.testing.assert_close(
            antialias_blur(one, sigma[2:]),
            antialias_blur(one.requires_grad_(True), sigma[2:]).detach(),
            atol=1e-6,
            rtol=0,
        )

    def test_antialias_blur_per_plane_is_the_channels_last_filter(self):
        """OpenCV's filter run per channel plane gives, bit for bit, what it gives on the image channels last (one
        call over interleaved channels), also for a channels-last tensor."""
        import cv2
        import numpy as np

        from kfvton.pipelines.garment_warp import ANTIALIAS_TAPS, antialias_blur

        image = torch.rand(2, 3, 64, 48, generator=torch.Generator().manual_seed(0))
        sigma = torch.tensor([0.8, 2.1])
        for x in (image, image.contiguous(memory_format=torch.channels_last)):
            out = antialias_blur(x, sigma)
            for i in range(2):
                taps = torch.arange(-ANTIALIAS_TAPS, ANTIALIAS_TAPS + 1, dtype=torch.float32)
                k = torch.exp(-(taps**2) / (2 * sigma[i] ** 2))
                k = (k / k.sum()).numpy()
                hwc = np.ascontiguousarray(image[i].permute(1, 2, 0).numpy())
                want = cv2.sepFilter2D(hwc, -1, k, k, borderType=cv2.BORDER_REFLECT_101)
                assert np.array_equal(out[i].permute(1, 2, 0).numpy(), want)

    def test_a_seam_where_two_parts_meet_is_closed(self):
        """Two parts of a part warp ending side by side leave a one-pixel column no part claims (sampled as 0) and
        a pin-hole at the photo's own outline: the try-on showed the person through them (a dotted pale line
        along the sleeve's edge, VITON-HD 00891 x 01260). Closed, in the garment's colour; the outline stays."""
        from kfvton.geometry.grid import coordinate_grid
        from kfvton.pipelines.garment_warp import PartWarp

        h, w = 32, 32
        grid = coordinate_grid(h, w, align_corners=ALIGN_CORNERS_TPS)[None].clone()
        grid[:, :, 16] = -2.0  # the seam: no part claims this column
        grid[:, 8, 10] = -2.0  # a pin-hole
        mask = torch.zeros(1, 1, h, w)
        mask[..., 4:28, 4:28] = 1
        garment = torch.tensor([0.8, 0.2, 0.15])[None, :, None, None].expand(1, 3, h, w).clone()
        out = warp_garment(garment, mask, PartWarp(grid=grid, align_corners=ALIGN_CORNERS_TPS, kind="tps"))
        assert float(out.mask[0, 0, 6:26, 16].min()) > 0.99 and float(out.mask[0, 0, 8, 10]) > 0.99
        assert float((out.image[0, :, 6:26, 16] - garment[0, :, 6:26, 16]).abs().max()) < 1e-4  # red, not black
        assert float(out.mask[0, 0, :3].max()) == 0.0 and float(out.mask[0, 0, :, :3].max()) == 0.0  # outline kept
        torch.testing.assert_close(out.mask[0, 0, 6:26, 6:14], mask[0, 0, 6:26, 6:14])


def _tshirt_pairs(batch: int = 1, puff: bool = False):
    """A synthetic flat T-shirt (mask + landmarks) placed on a synthetic frontal person with hanging arms; `puff`:
    its sleeves start higher and its shoulder points lie half-way down their outer edges (as the landmarks of the
    unseen ootd_053786_1's puff sleeves do: the torso piece then holds the sleeves' tops)."""
    from kfvton.keypoints.garment_landmarks import GARMENT_LANDMARKS, GarmentLandmarks
    from kfvton.keypoints.placement import place_garment_landmarks
    from kfvton.keypoints.pose import Pose, joint_index

    joints = torch.zeros(batch, 25, 3)
    for name, (x, y) in {
        "neck": (192, 150), "right_shoulder": (132, 155), "left_shoulder": (252, 155),
        "right_elbow": (124, 250), "left_elbow": (260, 250), "right_wrist": (122, 335), "left_wrist": (262, 335),
        "mid_hip": (192, 340), "right_hip": (152, 340), "left_hip": (232, 340),
    }.items():  # fmt: skip
        joints[:, joint_index(name)] = torch.tensor([float(x), float(y), 0.9])
    points = torch.zeros(batch, 14, 3)
    for name, (x, y) in {
        "collar_left": (180, 40), "collar_center": (150, 60), "collar_right": (120, 40),
        "shoulder_left": (230, 60), "shoulder_right": (70, 60),
        "sleeve_left_outer": (290, 150), "sleeve_left_inner": (250, 175),
        "sleeve_right_outer": (10, 150), "sleeve_right_inner": (50, 175),
        "armpit_left": (230, 140), "armpit_right": (70, 140),
        "hem_left": (230, 384), "hem_center": (150, 384), "hem_right": (70, 384),
    }.items():  # fmt: skip
        points[:, GARMENT_LANDMARKS.index(name)] = torch.tensor([float(x), float(y), 1.0])
    top = 50 if puff else 60
    if puff:
        points[:, GARMENT_LANDMARKS.index("shoulder_left"), :2] = torch.tensor([280.0, 110.0])
        points[:, GARMENT_LANDMARKS.index("shoulder_right"), :2] = torch.tensor([20.0, 110.0])
    mask = torch.zeros(1, 1, 400, 300)
    mask[..., 40:385, 70:230] = 1  # torso
    mask[..., top:175, 10:70] = 1  # sleeves sticking out sideways and down
    mask[..., top:175, 230:290] = 1
    mask[..., 40:60, 120:180] = 0  # neckline
    landmarks = GarmentLandmarks(points, (400, 300), ("short",) * batch)
    return place_garment_landmarks(landmarks, Pose(joints, (512, 384))), mask


class TestWarpByParts:
    def test_parts_split(self):
        from kfvton.pipelines.garment_warp import garment_part_masks

        pairs, mask = _tshirt_pairs()
        parts = garment_part_masks(pairs, mask)
        assert parts.shape == (1, 3, 400, 300)
        torch.testing.assert_close(parts.sum(1, keepdim=True), mask)  # a partition of the garment
        assert float(parts[0, 1, 120, 30]) == 1.0 and float(parts[0, 2, 120, 270]) == 1.0  # sleeve pixels
        assert float(parts[0, 0, 300, 150]) == 1.0  # torso pixel
        assert float(parts[0, 1].sum()) > 0 and float(parts[0, 2].sum()) > 0

    def test_sleeves_land_on_the_arms(self):
        from kfvton.pipelines.garment_warp import warp_by_parts

        pairs, mask = _tshirt_pairs(batch=2)
        warp = warp_by_parts(pairs, mask, reg=1e-3)
        assert warp.grid.shape == (2, 512, 384, 2) and warp.tps.batch_shape == (2, 3)
        garment = torch.rand(1, 3, 400, 300)
        _, warped = warp_garment(garment, mask, warp)
        # the torso covers the chest, sleeves cover the upper arms (x = 132 - 8 and 252 + 8 at y = 200)
        assert float(warped[0, 0, 250, 192]) > 0.5
        assert float(warped[0, 0, 195, 126]) > 0.5 and float(warped[0, 0, 195, 258]) > 0.5
        # nothing lands far outside the body
        assert float(warped[0, 0, :, :40].max()) < 0.5 and float(warped[0, 0, 450:].max()) < 0.5
        torch.testing.assert_close(warp.grid[0], warp.grid[1])
        # unclaimed pixels sample nothing
        assert float(warp.grid[0, 5, 5].abs().min()) > 1
        # where each sleeve landed (the composite keeps the arm behind its own sleeve): right sleeve on the
        # wearer's right (image left), left on the left, not on the chest, and only where the garment landed
        right, left = warp.sleeves[0, 0], warp.sleeves[0, 1]
        assert warp.sleeves.shape == (2, 2, 512, 384) and warp.sleeves.dtype == torch.bool
        assert bool(right[195, 126]) and bool(left[195, 258]) and not bool(right[195, 258])
        assert not bool((right | left)[250, 192]) and not bool((right & left).any())
        assert not bool(((right | left) & (warped[0, 0] < 0.01)).any())
        assert warp.to("cpu", torch.float64).sleeves is not None

    def test_short_sleeve_armpit_meets_the_torsos(self, monkeypatch):
        import kfvton.pipelines.garment_warp as gw

        pairs, mask = _tshirt_pairs()
        spline = {}
        for t in (0.0, 0.5):
            monkeypatch.setattr(gw, "ARMPIT_TO_TORSO", t)
            spline[t] = gw.warp_by_parts(pairs, mask).tps.control  # (1, 3, N, 2): each part's targets, normalised
        for k, side in ((1, "right"), (2, "left")):
            i_a = pairs.names.index(f"armpit_{side}")
            torso, turned, met = spline[0.0][0, 0, i_a], spline[0.0][0, k, i_a], spline[0.5][0, k, i_a]
            # turned with the hanging sleeve alone, the armpit lands well inside the torso's (the notch)
            assert float((turned - torso).norm()) > 0.05
            torch.testing.assert_close(met, (turned + torso) / 2)

    def test_sleeve_hangs_from_the_seam_with_a_silhouette(self):
        from kfvton.pipelines.garment_warp import warp_by_parts

        pairs, mask = _tshirt_pairs()
        everywhere = torch.ones(1, 1, 512, 384, dtype=torch.bool)
        pulled = warp_by_parts(pairs, mask).tps.control  # (1, 3, N, 2): each part's targets, normalised
        hung = warp_by_parts(pairs, mask, silhouette=everywhere).tps.control
        for k, side in ((1, "right"), (2, "left")):
            i_s = pairs.names.index(f"shoulder_{side}")
            # pose only: the sleeve's top is pulled in towards the shoulder joint; with the person's silhouette it
            # hangs from the torso's seam target (pulled in, a short sleeve bared the shoulder's round top)
            assert float((pulled[0, k, i_s] - pulled[0, 0, i_s]).norm()) > 0.01
            torch.testing.assert_close(hung[0, k, i_s], hung[0, 0, i_s])

    def test_a_sleeve_starting_below_the_shoulder_hangs_from_where_it_starts(self):
        from kfvton.pipelines.garment_warp import SLEEVE_TOP_LOW, _sleeve_top, garment_part_masks, warp_by_parts

        pairs, mask = _tshirt_pairs()
        cold = mask.clone()
        cold[..., 60:100, 10:70] = 0  # a cold-shoulder cut: the sleeves start half-way down the armholes (60 -> 140)
        cold[..., 60:100, 230:290] = 0
        everywhere = torch.ones(1, 1, 512, 384, dtype=torch.bool)
        regular = warp_by_parts(pairs, mask, silhouette=everywhere).tps.control  # (1, 3, N, 2), normalised
        hung = warp_by_parts(pairs, cold, silhouette=everywhere).tps.control
        for k, side in ((1, "right"), (2, "left")):
            i_s, i_a = pairs.names.index(f"shoulder_{side}"), pairs.names.index(f"armpit_{side}")
            for garment_mask, t_expected in ((mask, 0.0), (cold, 0.5)):
                t = _sleeve_top(pairs, side, garment_part_masks(pairs, garment_mask)[:, k])
                assert float(t[0]) == pytest.approx(t_expected, abs=0.02)
            assert 0.5 > SLEEVE_TOP_LOW
            # the regular sleeve hangs from the torso's seam target; the cold-shoulder one from half-way down the
            # torso's armhole line, where its piece starts (not stretched up to the bare shoulder's top)
            torch.testing.assert_close(regular[0, k, i_s], regular[0, 0, i_s])
            start = torch.lerp(hung[0, 0, i_s], hung[0, 0, i_a], float(t[0]))
            torch.testing.assert_close(hung[0, k, i_s], start)

    def test_short_sleeve_reaches_the_round_shoulder(self, monkeypatch):
        import kfvton.pipelines.garment_warp as gw

        pairs, mask = _tshirt_pairs()
        garment = torch.rand(1, 3, 400, 300)
        fractions = gw.SLEEVE_OUTER_AT

        def landed(x0: int, outer: tuple[float, ...]) -> tuple[torch.Tensor, torch.Tensor]:
            silhouette = torch.zeros(1, 1, 512, 384, dtype=torch.bool)
            silhouette[..., 140:460, x0 : 384 - x0] = True  # shoulders and arms out to x0 and 384 - x0
            monkeypatch.setattr(gw, "SLEEVE_OUTER_AT", outer)
            warp = gw.warp_by_parts(pairs, mask, silhouette=silhouette)
            return warp.grid, gw.warp_garment(garment, mask, warp).mask[0, 0] > 0.5

        # broad shoulders: the straight flat edges (landing at x ~ 88-112 and 272-296 on rows 150-200) leave
        # the shoulders' round bare; pushed out, the sleeves cover it, on both sides, inside the silhouette
        _, straight = landed(60, ())
        _, pushed = landed(60, fractions)
        for cols in (slice(60, 95), slice(289, 324)):
            assert int(pushed[150:200, cols].sum()) > int(straight[150:200, cols].sum()) + 300
        grow = round(gw.SLEEVE_OUT * 512) + 1
        assert not bool(pushed[:, : 60 - grow].any()) and not bool(pushed[:, 324 + grow :].any())
        assert float(pushed[160:200, 192].float().min()) == 1.0  # the torso is still there
        # a body narrower than where the sleeves land: nothing is pulled in (the pairs are unused)
        plain, _ = landed(110, ())
        narrow, _ = landed(110, fractions)
        torch.testing.assert_close(narrow, plain, atol=1e-5, rtol=0)

    def test_sleeve_end_does_not_step_out_onto_the_outline(self, monkeypatch):
        import kfvton.pipelines.garment_warp as gw

        pairs, mask = _tshirt_pairs()
        cut_down = gw.SLEEVE_CUT_DOWN
        silhouette = torch.zeros(1, 1, 512, 384, dtype=torch.bool)
        silhouette[..., 140:460, 110:274] = True  # narrower than where the sleeves land: cut SLEEVE_OUT past x = 110
        # the outline steps out from under the armpit targets (y ~ 205) past the cuffs (y ~ 220), as an estimated
        # outline of a white T-shirt on a light wall did: the sleeve's end followed it out into a step
        silhouette[..., 208:460, 60:324] = True

        def outer_edges(cuff_widths: float) -> list[int]:
            monkeypatch.setattr(gw, "SLEEVE_CUT_DOWN", cuff_widths)
            right = gw.warp_by_parts(pairs, mask, silhouette=silhouette).sleeves[0, 0]
            return [int(right[r].nonzero().min()) for r in range(195, 229) if right[r].any()]

        assert min(outer_edges(0.0)) < 101  # the step
        cut = round(110 - gw.SLEEVE_OUT * 512)  # the silhouette's edge, less what a sleeve may stand past it
        assert abs(min(outer_edges(cut_down)) - cut) <= 1  # cut on down to the cuff along the sleeve's edge (a pixel
        # either way: the grown silhouette's round, and the warp's resampling, move it)

    def test_puff_sleeves_meet_the_torso_without_a_slit(self):
        from kfvton.pipelines.garment_warp import warp_by_parts

        silhouette = torch.zeros(1, 1, 512, 384, dtype=torch.bool)
        silhouette[..., 100:480, 90:295] = True
        for puff in (False, True):
            pairs, mask = _tshirt_pairs(puff=puff)
            warp = warp_by_parts(pairs, mask, silhouette=silhouette)
            on = warp_garment(torch.rand(1, 3, 400, 300), mask, warp).mask[0, 0] > 0.5
            # the rows from the armhole's top down the upper arms: no unclaimed pixel between fabric on both sides
            # (the torso's and the sleeve's armhole lines lie apart there; their wedge was a slit of bare arm on
            # ootd_053700_0, rings of fabric round both upper arms)
            for cols in (slice(100, 145), slice(240, 285)):
                rows = on[138:200, cols]
                for r in range(rows.shape[0]):
                    xs = rows[r].nonzero()
                    if len(xs) > 1:
                        assert bool(rows[r, int(xs[0]) : int(xs[-1]) + 1].all()), (puff, cols, 138 + r)

    def test_batch_items_warp_as_they_do_alone(self):
        from kfvton.pipelines.garment_warp import warp_by_parts

        pairs, mask = _tshirt_pairs(batch=2)
        person = pairs.person_px.clone()
        person[1, :, :2] = person[1, :, :2] * 0.6 + 20  # item 1: a smaller person, its parts' boxes differ
        both = KeypointPairs(pairs.garment_px, person, pairs.names, pairs.garment_hw, pairs.person_hw, pose=None)
        alone = KeypointPairs(pairs.garment_px[:1], person[:1], pairs.names, pairs.garment_hw, pairs.person_hw)
        batched, single = warp_by_parts(both, mask).grid[0], warp_by_parts(alone, mask).grid[0]
        torch.testing.assert_close(batched, single, atol=1e-5, rtol=0)

    def test_side_seam_pairs_pull_the_torso_in(self):
        from kfvton.keypoints.placement import SidePairs
        from kfvton.pipelines.garment_warp import warp_by_parts

        pairs, mask = _tshirt_pairs()
        ia, ih = pairs.names.index("armpit_right"), pairs.names.index("hem_right")
        garment_px = torch.lerp(pairs.garment_px[:, ia], pairs.garment_px[:, ih], 0.5)[:, None].clone()
        person_px = torch.lerp(pairs.person_px[:, ia], pairs.person_px[:, ih], 0.5)[:, None].clone()
        person_px[..., 0] += 25  # the waist 25 px in from the straight side seam
        _, plain = warp_garment(torch.rand(1, 3, 400, 300), mask, warp_by_parts(pairs, mask))
        extra = SidePairs(garment_px=garment_px, person_px=person_px)
        _, pulled = warp_garment(torch.rand(1, 3, 400, 300), mask, warp_by_parts(pairs, mask, torso_extra=extra))
        y, x = int(person_px[0, 0, 1]), int(person_px[0, 0, 0])
        assert float(plain[0, 0, y, x - 12]) > 0.5 and float(pulled[0, 0, y, x - 12]) < 0.5

    def test_without_sleeves(self):
        from kfvton.pipelines.garment_warp import warp_by_parts

        pairs, mask = _tshirt_pairs()
        person = pairs.person_px.clone()
        for i, name in enumerate(pairs.names):
            if name.startswith("sleeve"):
                person[:, i, 2] = 0
        no_sleeves = KeypointPairs(pairs.garment_px, person, pairs.names, pairs.garment_hw, pairs.person_hw)
        warp = warp_by_parts(no_sleeves, mask)
        _, warped = warp_garment(torch.rand(1, 3, 400, 300), mask, warp)
        assert float(warped[0, 0, 250, 192]) > 0.5

    def test_errors(self):
        from kfvton.pipelines.garment_warp import warp_by_parts

        pairs, mask = _tshirt_pairs()
        with pytest.raises(ValueError, match="garment_mask"):
            warp_by_parts(pairs, torch.ones(1, 1, 10, 10))
        odd = KeypointPairs(
            pairs.garment_px, pairs.person_px, tuple(f"p{i}" for i in range(14)), (400, 300), (512, 384)
        )
        with pytest.raises(ValueError, match="keypoints: part warping needs the garment landmarks"):
            warp_by_parts(odd, mask)
        person = pairs.person_px.clone()
        person[..., 2] = 0
        person[:, :2, 2] = 1
        with pytest.raises(ValueError, match="keypoints: .*at least 3 valid pairs"):
            warp_by_parts(KeypointPairs(pairs.garment_px, person, pairs.names, (400, 300), (512, 384)), mask)


def _long_sleeve_pairs(bulge: float = 0.0):
    """A synthetic flat long-sleeved top on the synthetic person of `_tshirt_pairs`; each sleeve's outline is
    pushed `bulge` garment pixels outwards half-way down it (0: straight sleeves)."""
    import cv2
    import numpy as np

    from kfvton.keypoints.garment_landmarks import GARMENT_LANDMARKS, GarmentLandmarks
    from kfvton.keypoints.placement import place_garment_landmarks
    from kfvton.keypoints.pose import Pose

    pairs, _ = _tshirt_pairs()
    points = torch.zeros(1, 14, 3)
    spots = {
        "collar_left": (230, 40), "collar_center": (200, 60), "collar_right": (170, 40),
        "shoulder_left": (280, 60), "shoulder_right": (120, 60),
        "sleeve_left_outer": (390, 290), "sleeve_left_inner": (355, 305),
        "sleeve_right_outer": (10, 290), "sleeve_right_inner": (45, 305),
        "armpit_left": (280, 140), "armpit_right": (120, 140),
        "hem_left": (280, 384), "hem_center": (200, 384), "hem_right": (120, 384),
    }  # fmt: skip
    for name, (x, y) in spots.items():
        points[:, GARMENT_LANDMARKS.index(name)] = torch.tensor([float(x), float(y), 1.0])
    mask = np.zeros((400, 400), np.uint8)
    mask[40:385, 120:280] = 1
    for s in ("right", "left"):
        sh, ap = np.array(spots[f"shoulder_{s}"], float), np.array(spots[f"armpit_{s}"], float)
        co, ci = np.array(spots[f"sleeve_{s}_outer"], float), np.array(spots[f"sleeve_{s}_inner"], float)
        out = np.array([-(co - sh)[1], (co - sh)[0]]) / np.linalg.norm(co - sh)  # across the sleeve
        out = out if (out @ (co - ci)) > 0 else -out
        cv2.fillPoly(
            mask,
            [np.round([sh, (sh + co) / 2 + bulge * out, co, ci, (ap + ci) / 2 - bulge * out, ap]).astype(np.int32)],
            1,
        )
    mask[40:60, 170:230] = 0
    landmarks = GarmentLandmarks(points, (400, 400), ("long",))
    pose = Pose(pairs.pose.joints, (512, 384))
    return place_garment_landmarks(landmarks, pose), torch.from_numpy(mask).float()[None, None]


class TestLongSleeves:
    def test_elbow_width_follows_the_garment(self):
        from kfvton.pipelines.garment_warp import warp_by_parts

        spans = []
        for bulge in (0.0, 25.0):
            pairs, mask = _long_sleeve_pairs(bulge)
            _, warped = warp_garment(torch.rand(1, 3, 400, 400), mask, warp_by_parts(pairs, mask, reg=1e-3))
            # the outer edges of both sleeves on the elbows' row (y = 250)
            xs = (warped[0, 0, 250] > 0.5).nonzero()[:, 0]
            spans.append(int(xs.max() - xs.min()))
        assert spans[1] >= spans[0] + 10  # wider flat sleeves are wider worn sleeves
        assert spans[0] <= 170  # straight ones hug the arms (elbow joints 136 px apart)

    def test_a_sleeve_bent_at_the_elbow_follows_upper_arm_and_forearm(self, monkeypatch):
        """A hand on the hip folds the forearm back (left elbow out at (300, 250), the cuff at (248, 298) on the way
        to the wrist): warped in two pieces split at the elbow, 2.5 % of the sleeve lies over 20 px from the arm's
        bones (shoulder -> elbow -> cuff); one spline through armhole, elbow and cuff bowed it past the elbow
        (14 %, `BENT_ELBOW_DEG` = 180)."""
        import kfvton.pipelines.garment_warp as gw
        from kfvton.keypoints.pose import Pose, joint_index

        pairs, mask = _long_sleeve_pairs()
        joints = pairs.pose.joints.clone()
        shoulder, elbow, cuff = torch.tensor([252.0, 155.0]), torch.tensor([300.0, 250.0]), torch.tensor([248.0, 298.0])
        joints[0, joint_index("left_elbow"), :2] = elbow
        joints[0, joint_index("left_wrist"), :2] = torch.tensor([235.0, 310.0])
        person = pairs.person_px.clone()
        person[0, pairs.names.index("sleeve_left_outer"), :2] = torch.tensor([256.0, 307.0])
        person[0, pairs.names.index("sleeve_left_inner"), :2] = torch.tensor([240.0, 289.0])
        bent = replace(pairs, person_px=person, pose=Pose(joints, pairs.pose.canvas_hw))

        def off_the_arm() -> float:
            sleeve = gw.warp_by_parts(bent, mask, reg=1e-3).sleeves[0, 1]
            px = sleeve.nonzero().float().flip(-1)

            def to_bone(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
                t = ((px - a) @ (b - a) / ((b - a) @ (b - a))).clamp(0, 1)
                return (px - (a + t[:, None] * (b - a))).norm(dim=-1)

            assert bool(sleeve[266, 283]) and bool(sleeve[202, 276])  # forearm and upper arm both covered
            return float((torch.minimum(to_bone(shoulder, elbow), to_bone(elbow, cuff)) > 20).float().mean())

        assert off_the_arm() <= 0.05
        monkeypatch.setattr(gw, "BENT_ELBOW_DEG", 180.0)
        assert off_the_arm() >= 0.1

    def test_a_bent_sleeves_cuff_side_is_the_forearms(self):
        """Past the elbow targets' line (y = 50) a bent sleeve lands by the forearm's spline alone and takes its grid
        there, so the arm's cover continues the forearm's fabric: the upper arm's spline (here a constant grid on
        its piece, landing everywhere) lands only above the line (before, it landed past it too, and the cover took
        its grid round the bend: streaks and a pale fleck of backdrop on the unseen taylor-'s forearm). The
        forearm's piece lands at most `BENT_FORE_OUT` cuff widths (5 px) outside its targets' quad (x 40..60)."""
        from kfvton.geometry.pair_warp import solve_valid_pairs
        from kfvton.geometry.tps import TpsParams, tps_grid
        from kfvton.pipelines.garment_warp import _land_bent_sleeve

        hw, g_hw = (100, 100), (50, 50)
        pieces = torch.zeros(1, 2, *g_hw)
        pieces[:, 0, :26], pieces[:, 1, 24:] = 1.0, 1.0  # the upper arm's piece, the forearm's
        elbow = torch.tensor([[[40.0, 50.0], [60.0, 50.0]]])
        cuffs = torch.tensor([[[40.0, 80.0], [60.0, 80.0]]])
        fore_p = torch.cat((elbow, cuffs), 1)  # x_g = 10 + 1.5 (x - 40): the piece spans x 33.3 .. 66.7
        fore_g = torch.tensor([[[10.0, 25.0], [40.0, 25.0], [10.0, 49.0], [40.0, 49.0]]])
        params = solve_valid_pairs(
            torch.stack((fore_p, fore_p), 1), torch.stack((fore_g, fore_g), 1), torch.ones(1, 2, 4, dtype=torch.bool),
            hw, g_hw, reg=1e-6,
        )  # fmt: skip
        upper = px_to_norm(torch.tensor([25.0, 10.0]), g_hw, align_corners=ALIGN_CORNERS_TPS)
        box = upper.expand(1, *hw, 2).clone()
        landed = torch.ones(1, *hw, dtype=torch.bool)
        out, grid = _land_bent_sleeve(
            landed, box, torch.tensor([True]), pieces, params, 0, elbow, cuffs, hw, (0, 99, 0, 99),
            align_corners=ALIGN_CORNERS_TPS, step=1,
        )  # fmt: skip
        assert bool(out[0, :50].all())  # above the line: the upper arm's piece
        assert not bool(out[0, 52:, :30].any()) and not bool(out[0, 52:, 70:].any())
        assert bool(out[0, 55:78, 36:64].all())  # the forearm's piece on its quad, 5 px out
        assert not bool(out[0, 55:78, 34].any())  # on the piece by its spline, but past the quad by 6 px
        fore = tps_grid(TpsParams(params.control[:, 0], params.kernel[:, 0], params.affine[:, 0]), hw,
                        align_corners=ALIGN_CORNERS_TPS)  # fmt: skip
        assert torch.allclose(grid[0, 52:], fore[0, 52:]) and torch.equal(grid[0, :49], box[0, :49])
        assert torch.equal(_land_bent_sleeve(
            landed, box, torch.tensor([False]), pieces, params, 0, elbow, cuffs, hw, (0, 99, 0, 99),
            align_corners=ALIGN_CORNERS_TPS, step=1,
        )[1], box)  # fmt: skip  # a sleeve not bent keeps its grid

    def test_three_quarter_sleeve_meets_the_elbow_at_its_own_share(self):
        """A sleeve ending half-way down the forearm has its elbow about 72 % of the way down it on the person
        (shoulder target y 145, elbow 250, cuff 290): the flat sleeve's point at the elbow lies that share down
        the flat sleeve too (half-way put its middle there: the forearm part squeezed to half its length)."""
        from kfvton.geometry.grid import norm_to_px
        from kfvton.pipelines.garment_warp import warp_by_parts

        pairs, mask = _long_sleeve_pairs()
        person = pairs.person_px.clone()
        for side, (outer, inner) in (("right", (110.0, 134.0)), ("left", (250.0, 274.0))):
            person[0, pairs.names.index(f"sleeve_{side}_outer"), :2] = torch.tensor([outer, 290.0])
            person[0, pairs.names.index(f"sleeve_{side}_inner"), :2] = torch.tensor([inner, 290.0])
        warp = warp_by_parts(replace(pairs, person_px=person), mask, reg=1e-3)
        at_elbow = norm_to_px(warp.grid[0, 250, 124], (400, 400), align_corners=warp.align_corners)
        shoulder, cuff = torch.tensor([120.0, 60.0]), torch.tensor([27.5, 297.5])  # the flat right sleeve's
        share = float((at_elbow - shoulder) @ (cuff - shoulder) / (cuff - shoulder).square().sum())
        assert 0.62 <= share <= 0.82

    def test_sleeve_stays_inside_silhouette(self):
        from kfvton.pipelines.garment_warp import SLEEVE_OUT, warp_by_parts

        pairs, mask = _long_sleeve_pairs(bulge=25.0)
        silhouette = torch.zeros(1, 1, 512, 384, dtype=torch.bool)
        silhouette[..., 120:460, 134:250] = True  # torso
        silhouette[..., 150:340, 116:134] = True  # thin arms along the joints
        silhouette[..., 150:340, 250:268] = True
        grow = round(SLEEVE_OUT * 512)
        outside = ~torch.nn.functional.max_pool2d(silhouette.float(), 2 * grow + 1, 1, grow).bool()
        loose = warp_by_parts(pairs, mask, reg=1e-3)
        fitted = warp_by_parts(pairs, mask, reg=1e-3, silhouette=silhouette)
        _, before = warp_garment(torch.rand(1, 3, 400, 400), mask, loose)
        _, after = warp_garment(torch.rand(1, 3, 400, 400), mask, fitted)
        # the baggy sleeves stand off the thin arms; inside the silhouette, they do not (the torso is not fitted)
        assert int(((before[:, 0] > 0.5) & outside[:, 0] & loose.sleeves.any(1)).sum()) > 200
        assert int(((after[:, 0] > 0.5) & outside[:, 0] & fitted.sleeves.any(1)).sum()) == 0
        assert float(after[0, 0, 250, 261]) > 0.5 and float(after[0, 0, 250, 124]) > 0.5  # still on the arms
        torch.testing.assert_close(fitted.grid[0, 300, 192], loose.grid[0, 300, 192])  # the torso unchanged

    def test_torso_shoulders_end_at_the_armholes(self):
        from kfvton.pipelines.garment_warp import SLEEVE_OUT, warp_by_parts

        pairs, _ = _tshirt_pairs()
        # a sleeveless top whose square top corners reach 30 px past its shoulder landmarks (x 70 and 230)
        conf = pairs.garment_px[..., 2].clone()
        for name in ("sleeve_left_outer", "sleeve_left_inner", "sleeve_right_outer", "sleeve_right_inner"):
            conf[:, pairs.names.index(name)] = 0.0
        pairs = replace(pairs, garment_px=torch.cat((pairs.garment_px[..., :2], conf[..., None]), -1))
        mask = torch.zeros(1, 1, 400, 300)
        mask[..., 40:385, 40:260] = 1
        mask[..., 40:60, 120:180] = 0  # neckline
        _, warped = warp_garment(torch.rand(1, 3, 400, 300), mask, warp_by_parts(pairs, mask, reg=1e-3))
        p = pairs.person_px[0]
        sr, ar = p[pairs.names.index("shoulder_right")], p[pairs.names.index("armpit_right")]
        sl, al = p[pairs.names.index("shoulder_left")], p[pairs.names.index("armpit_left")]
        margin = SLEEVE_OUT * 512 + 1
        rows = slice(int(max(sr[1], sl[1])) - 10, int(min(ar[1], al[1])))  # from above the shoulders to the armpits
        xs = (warped[0, 0, rows] > 0.5).nonzero()[:, 1]
        assert xs.numel() > 0
        assert float(xs.min()) >= float(min(sr[0], ar[0])) - margin  # no corner outside the armhole lines
        assert float(xs.max()) <= float(max(sl[0], al[0])) + margin
        assert float(warped[0, 0, int(ar[1]) + 20, int(ar[0]) - 10]) > 0.5  # below the armpits the torso is free

    def test_long_sleeve_reaches_the_upper_arms_outline(self, monkeypatch):
        """With a silhouette, a long sleeve's outer edge over the upper arm goes out onto the arm's outline
        (`_upper_arm_outer_pairs`): a loose flat sleeve landed narrower than the arm, and the arm's cover mirrored
        across its ragged edge streaked the outer upper arm (the unseen cat_Simon_1 in the chiffon 09290)."""
        import kfvton.pipelines.garment_warp as gw

        pairs, mask = _long_sleeve_pairs()
        garment = torch.rand(1, 3, 400, 400)
        fractions = gw.UPPER_ARM_OUTER_AT

        def landed(x0: int, outer: tuple[float, ...]) -> tuple[torch.Tensor, torch.Tensor]:
            silhouette = torch.zeros(1, 1, 512, 384, dtype=torch.bool)
            silhouette[..., 120:460, x0 : 384 - x0] = True  # arms out to x0 and 384 - x0
            monkeypatch.setattr(gw, "UPPER_ARM_OUTER_AT", outer)
            warp = gw.warp_by_parts(pairs, mask, reg=1e-3, silhouette=silhouette)
            return warp.grid, gw.warp_garment(garment, mask, warp).mask[0, 0] > 0.5

        # broad upper arms: the straight sleeves land at x >= 114 and <= 270 on rows 170-230; pushed out, they
        # reach farther out on both sides, inside the silhouette
        _, straight = landed(100, ())
        _, pushed = landed(100, fractions)
        for cols in (slice(100, 120), slice(264, 284)):
            assert int(pushed[170:230, cols].sum()) > int(straight[170:230, cols].sum()) + 200
        grow = round(gw.SLEEVE_OUT * 512) + 1
        assert not bool(pushed[:, : 100 - grow].any()) and not bool(pushed[:, 284 + grow :].any())
        # arms no wider than where the sleeves land: nothing is pulled in (the pairs are unused)
        plain, _ = landed(120, ())
        narrow, _ = landed(120, fractions)
        torch.testing.assert_close(narrow, plain, atol=1e-5, rtol=0)

    def test_long_sleeve_covers_the_arm(self):
        from kfvton.pipelines.garment_warp import warp_by_parts

        pairs, mask = _long_sleeve_pairs()
        arms = torch.zeros(1, 1, 512, 384, dtype=torch.bool)
        arms[..., 160:380, 238:285] = True  # a wide left arm (the wearer's), hand below the wrist (y 335)
        plain = warp_by_parts(pairs, mask, reg=1e-3)
        covered = warp_by_parts(pairs, mask, reg=1e-3, arms=arms)
        _, before = warp_garment(torch.rand(1, 3, 400, 400), mask, plain)
        _, after = warp_garment(torch.rand(1, 3, 400, 400), mask, covered)
        sleeve_arm = arms[0, 0].clone()
        sleeve_arm[300:] = False  # well above the cuff
        bare_before = int((sleeve_arm & (before[0, 0] < 0.5)).sum())
        bare_after = int((sleeve_arm & (after[0, 0] < 0.5)).sum())
        assert bare_before > 300 and bare_after < bare_before / 4
        assert float(after[0, 0, 370, 261]) < 0.5  # the hand stays bare
        newly = sleeve_arm & (before[0, 0] < 0.5) & (after[0, 0] > 0.5)
        # by the left sleeve (its part map's outline may lie a pixel or two inside the warped mask's 0.5 edge)
        left = torch.nn.functional.max_pool2d(covered.sleeves[:, 1:2].float(), 5, 1, 2)[0, 0] > 0
        assert bool(left[newly].all())

    def test_covered_arm_takes_the_sleeves_own_spline_where_it_lands_on_the_garment(self):
        """Over an arm wider than the landed sleeve, the sleeve's own spline is kept where it lands on the garment
        beside the sleeve's part (a flat photo's hanging sleeve lies partly over the torso's side): mirrored across
        the landed sleeve's edge, the unseen Simon_1's chiffon sleeves were streaks across the upper arm."""
        from kfvton.geometry.tps import TpsParams, tps_grid
        from kfvton.pipelines.garment_warp import warp_by_parts

        pairs, mask = _long_sleeve_pairs()
        arms = torch.zeros(1, 1, 512, 384, dtype=torch.bool)
        arms[..., 160:380, 225:300] = True  # a left arm wider than the sleeve on both sides
        plain = warp_by_parts(pairs, mask, reg=1e-3)
        covered = warp_by_parts(pairs, mask, reg=1e-3, arms=arms)
        spline = TpsParams(covered.tps.control[:, 2], covered.tps.kernel[:, 2], covered.tps.affine[:, 2])
        own = tps_grid(spline, (512, 384), align_corners=covered.align_corners).to(covered.grid)
        on_garment = sample_grid(mask, own, align_corners=covered.align_corners, name="mask")[0, 0] > 0.5
        newly = covered.sleeves[0, 1] & ~plain.sleeves[0, 1]
        kept = newly & on_garment
        # (630 px, most above the torso's armpit target (y 207) over the torso's shoulder, which stays the torso's
        # since round 26: `_cover_arm`; 74 below it)
        assert int(kept.sum()) > 50
        torch.testing.assert_close(covered.grid[0][kept], own[0][kept])
        # the rest of the arm is still covered (mirrored), the hand still bare
        assert int((newly & ~on_garment).sum()) > 1000
        assert not bool(covered.sleeves[0, 1, 370, 261])

    def test_covered_arm_takes_no_backdrop_inside_a_filled_mask(self):
        """A filled cloth mask holds the backdrop seen between a hanging sleeve and the torso (VITON-HD 02783): given
        the photo, the sleeve's own spline does not draw it over the arm (without it, a second pale line beside the
        landed sleeve's)."""
        from kfvton.pipelines.garment_warp import _backdrop_inside, warp_by_parts

        pairs, mask = _long_sleeve_pairs()
        arms = torch.zeros(1, 1, 512, 384, dtype=torch.bool)
        arms[..., 160:380, 225:300] = True
        photo = torch.ones(1, 3, 400, 400)  # a white backdrop
        photo[:, :, mask[0, 0] > 0.5] = 0.4
        photo[..., 140:385, 255:280] = 1.0  # the backdrop in a gap by the left sleeve, inside the mask
        gap = _backdrop_inside(photo, mask > 0.5)
        assert bool(gap[0, 0, 200, 265]) and not bool(gap[0, 0, 200, 200]) and not bool(gap[0, 0, 200, 20])
        plain = warp_by_parts(pairs, mask, reg=1e-3)
        white = []
        for given in (None, photo):
            covered = warp_by_parts(pairs, mask, reg=1e-3, arms=arms, garment_photo=given)
            newly = covered.sleeves[0, 1] & ~plain.sleeves[0, 1]
            colour = sample_grid(photo, covered.grid, align_corners=covered.align_corners, name="photo")[0, 0]
            white.append(int((newly & (colour > 0.9)).sum()))
        assert white[0] > 200 and white[1] == 0


def test_past_shoulders_cuts_only_above_the_armpits_when_the_shoulders_lie_below_them():
    """A strap dress's placed shoulder points lie below its armpits (the neckline's corners under the straps): the
    square-shoulder cut keeps to the side of the armpit line toward the image top. It took the shoulders' side,
    so every pixel below the armpits outside the near-vertical armhole lines was cut (Dress Code 020718's slip
    dress on 020720 ended at a straight vertical edge a hip width inside the body)."""
    from kfvton.keypoints.garment_landmarks import GARMENT_LANDMARKS
    from kfvton.pipelines.garment_warp import _past_shoulders

    names = GARMENT_LANDMARKS
    targets = torch.zeros(1, len(names), 2, dtype=torch.float64)
    placed = {"armpit_right": (100, 100), "armpit_left": (200, 100), "shoulder_right": (98, 130)}
    placed["shoulder_left"] = (202, 130)  # below the armpits
    for name, xy in placed.items():
        targets[0, names.index(name)] = torch.tensor(xy, dtype=torch.float64)
    valid = torch.ones(1, len(names), dtype=torch.bool)
    cut = _past_shoulders(targets, valid, names, (0, 0), (400, 300), 2.0)[0]
    assert not bool(cut[110:, :].any())  # below the armpits: the dress's body, whatever lies outside the lines
    assert bool(cut[60, 250]) and bool(cut[60, 40])  # above them, outside the armhole lines: cut
    assert not bool(cut[60, 150])  # ... and between them kept
    # the usual top (shoulders above the armpits): the same cut above, nothing below
    targets[0, names.index("shoulder_right")] = torch.tensor((110.0, 40.0), dtype=torch.float64)
    targets[0, names.index("shoulder_left")] = torch.tensor((190.0, 40.0), dtype=torch.float64)
    cut = _past_shoulders(targets, valid, names, (0, 0), (400, 300), 2.0)[0]
    assert not bool(cut[110:, :].any())
    assert bool(cut[60, 250]) and not bool(cut[60, 150])


def test_close_part_seams_without_gradient_matches_the_pooling() -> None:
    """On the CPU without a gradient the seams close through OpenCV; it must give what the pooling gives (a
    gradient takes the pooling path), at the image's edges too."""
    from kfvton.pipelines.garment_warp import close_part_seams

    gen = torch.Generator().manual_seed(0)
    mask = (torch.rand(2, 1, 40, 30, generator=gen) > 0.3).float()
    mask[0, 0, :, 7] = 0.0  # a seam
    mask[1, 0, 0, 5] = 0.0  # a notch on the top edge
    image = torch.rand(2, 3, 40, 30, generator=gen) * mask
    fast = close_part_seams(image, mask)
    exact = close_part_seams(image.clone().requires_grad_(True), mask)
    assert bool((fast[1] != mask).any())  # something was closed
    torch.testing.assert_close(fast[1], exact[1].detach(), atol=1e-6, rtol=0)
    torch.testing.assert_close(fast[0], exact[0].detach(), atol=1e-5, rtol=0)


def test_warp_minification_in_the_mask_box_is_the_whole_frame_rule() -> None:
    """`warp_minification` reads the grid within the box of the mask's pixels only: the same value as the rule over
    the whole frame (median |det| of the forward-difference Jacobian where three mask pixels meet), for masks inside
    the frame, at its edges and too small (1), per batch item."""
    from kfvton.pipelines.garment_warp import warp_minification

    def whole_frame(grid: torch.Tensor, mask: torch.Tensor, hw: tuple[int, int]) -> list[float]:
        px, py = grid[..., 0] * (hw[1] / 2.0), grid[..., 1] * (hw[0] / 2.0)
        dxx, dyx = px[:, :-1, 1:] - px[:, :-1, :-1], py[:, :-1, 1:] - py[:, :-1, :-1]
        dxy, dyy = px[:, 1:, :-1] - px[:, :-1, :-1], py[:, 1:, :-1] - py[:, :-1, :-1]
        det = (dxx * dyy - dyx * dxy).abs()
        m = mask[:, 0] > 0.5
        inside = m[:, :-1, :-1] & m[:, 1:, :-1] & m[:, :-1, 1:]
        return [float(det[i][inside[i]].median().sqrt()) if int(inside[i].sum()) >= 16 else 1.0 for i in range(3)]

    gen = torch.Generator().manual_seed(0)
    grid = torch.rand(3, 40, 30, 2, generator=gen) * 2 - 1
    mask = torch.zeros(3, 1, 40, 30)
    mask[0, 0, 10:25, 5:20] = 1.0  # inside
    mask[1, 0, 30:, 22:] = (torch.rand(10, 8, generator=gen) > 0.2).float()  # at the bottom right edge
    mask[2, 0, 3:5, 3:5] = 1.0  # too small
    got = warp_minification(grid, mask, (63, 47))
    assert got.tolist() == whole_frame(grid, mask, (63, 47))
    assert float(got[2]) == 1.0
    assert warp_minification(grid, torch.zeros(3, 1, 40, 30), (63, 47)).tolist() == [1.0, 1.0, 1.0]


def test_torso_off_body_ends_the_torso_at_the_wall_beside_the_waist():
    """`_torso_off_body`: where the flat torso lands on the wall between a hanging arm and the waist, it ends there,
    with the strip over the arm beyond (07445); rows with the arm against the body, and a miss of the silhouette deep
    inside the garment, are not cut."""
    from kfvton.pipelines.garment_warp import _torso_off_body

    landed = torch.zeros(1, 60, 80, dtype=torch.bool)
    landed[0, 5:55, 10:70] = True  # the torso as landed
    body = torch.zeros(1, 60, 80, dtype=torch.bool)
    body[0, :, 14:72] = True  # the waist and the image-right arm against it
    body[0, :, 4:14] = True
    body[0, 30:55, 12:15] = False  # the wall seen between the image-left arm and the waist, lower rows
    body[0, 25:30, 35:45] = False  # a miss of the estimated silhouette in the garment's middle
    cut = _torso_off_body(landed, body, depth=8, centre=torch.tensor([40.0]))
    assert cut[0, 30:55, 10:15].all()  # the gap and the strip over the arm beyond it
    assert not cut[0, 30:55, 15:].any()
    assert not cut[0, 5:30, :].any()  # above the gap, and the hole deep inside


def test_torso_off_body_keeps_a_long_hem_over_the_gap_between_the_legs():
    """`_torso_off_body` looks along the row: the wall between the legs under a long top's hem, near the hem's
    outline but far from its sides, cuts nothing (a cut from there outwards would take half the hem)."""
    from kfvton.pipelines.garment_warp import _torso_off_body

    landed = torch.zeros(1, 60, 80, dtype=torch.bool)
    landed[0, 5:55, 10:70] = True
    body = torch.ones(1, 60, 80, dtype=torch.bool)
    body[0, 45:60, 36:44] = False  # between the legs, under the hem's middle
    assert not _torso_off_body(landed, body, depth=8, centre=torch.tensor([40.0])).any()


def _arm_turned_behind(pairs: KeypointPairs) -> KeypointPairs:
    """`pairs` with the pose's right elbow and wrist missing: the right arm turned behind the back (README 00891)."""
    from kfvton.keypoints.pose import Pose, joint_index

    joints = pairs.pose.joints.clone()
    joints[:, [joint_index("right_elbow"), joint_index("right_wrist")]] = 0.0
    return replace(pairs, pose=Pose(joints, pairs.pose.canvas_hw))


def test_a_sleeve_on_an_arm_turned_behind_the_body_goes_behind_the_torso():
    """`warp_by_parts` with `arms`: the right arm's elbow and wrist hidden and no arm seen under its shoulder, the
    right sleeve goes behind the torso (the torso's side cuts its cuff: the README picture's sleeve ran on over her
    side into a square step); the left sleeve, its arm seen bare, and the right one with its upper arm seen bare
    stay over the torso's side."""
    from kfvton.pipelines.garment_warp import warp_by_parts

    pairs, mask = _tshirt_pairs()
    pairs = _arm_turned_behind(pairs)
    left_arm = torch.zeros(1, 1, 512, 384, dtype=torch.bool)
    left_arm[..., 175:250, 250:275] = True  # the left upper arm, bare below its sleeve
    right_arm = left_arm.clone()
    right_arm[..., 175:250, 110:135] = True
    behind = warp_by_parts(pairs, mask, arms=left_arm)
    front = warp_by_parts(pairs, mask, arms=right_arm)
    torch.testing.assert_close(behind.sleeves[:, 1], front.sleeves[:, 1])  # the left sleeve as it was
    lost = front.sleeves[0, 0] & ~behind.sleeves[0, 0]
    assert int(lost.sum()) > 100  # the right sleeve's part over the torso's side ...
    assert bool((behind.sleeves[0, 0] <= front.sleeves[0, 0]).all())
    # ... now the torso's, which sampled inside the garment there: no hole behind the sleeve
    assert bool((behind.grid[0][lost].abs() <= 1).all())
    assert int(behind.sleeves[0, 0].sum()) > 100  # its top still shows beside the torso


def test_arms_behind_needs_the_wrist_hidden_and_no_bare_arm():
    """`body_prior.arms_behind`: an arm is turned behind the body when its elbow is missing (or inside the torso's
    outline), its wrist is missing and the arms show under its shoulder; a seen wrist (the unseen Jensen's hand on
    his lap, his arm in a leather sleeve) or a bare upper arm keeps it in front."""
    from kfvton.keypoints.pose import Pose, joint_index
    from kfvton.pipelines.body_prior import arms_behind

    pairs, _ = _tshirt_pairs()
    hidden = _arm_turned_behind(pairs)
    none = np.zeros((512, 384), bool)
    assert arms_behind(hidden, 0, (512, 384), none) == (True, False)
    bare = none.copy()
    bare[175:250, 110:135] = True  # the right upper arm seen
    assert arms_behind(hidden, 0, (512, 384), bare) == (False, False)
    joints = hidden.pose.joints.clone()
    joints[:, joint_index("right_wrist")] = torch.tensor([180.0, 300.0, 0.9])  # a hand seen on the belly
    seen = replace(hidden, pose=Pose(joints, hidden.pose.canvas_hw))
    assert arms_behind(seen, 0, (512, 384), none) == (False, False)
    # the pose's own arms, their wrists seen: in front, even with no arm seen (under long old sleeves)
    assert arms_behind(pairs, 0, (512, 384), none) == (False, False)


def test_scoop_inside_is_not_a_printed_fronts_ground():
    """A sleeveless dress's scoop region (`_inside_between_wings`'s `scoop`) is an inside only over a plain front:
    an unseen black crew-neck dress's silver flowers closed a region of its black ground under the binding, cut as a
    15k px stepped square and repainted as a skin "bib" (`SCOOP_PLAIN`). The same black front without its dots is
    still of the inside's fabric (Dress Code tank 020715's black inside over its black front)."""
    from kfvton.pipelines.garment_warp import _same_fabric

    h, w, cw = 120, 100, 60.0
    img = np.full((h, w, 3), 0.08, np.float32)  # a black dress
    mask = np.ones((h, w), bool)
    region = np.zeros((h, w), bool)
    region[10:40, 20:80] = True  # the closed region (its black ground) above row 40
    assert _same_fabric(img, mask, region, 40, cw)
    printed = img.copy()
    for y in range(42, 80, 6):  # a lattice of silver dots on the front under it (a fifth of its pixels)
        for x in range(2, w, 6):
            printed[y : y + 3, x : x + 3] = 0.8
    assert not _same_fabric(printed, mask, region, 40, cw)


def test_darker_inside_stops_at_the_binding_over_a_printed_front():
    """Over a printed front the scoop region runs on past the binding into the print's ground; only its darker
    part is the inside (`_darker_inside`): an unseen black crew-neck dress with silver flowers, its inside (luma
    0.09) above the binding (0.15, as its ground), showed in the worn neck as a black undershirt. A region of the
    ground alone, no darker than it, is no inside."""
    from kfvton.pipelines.garment_warp import _darker_inside

    h, w, cw = 200, 120, 60.0
    img = np.full((h, w, 3), 0.15, np.float32)  # the ground and the binding
    for y in range(80, h, 6):  # silver dots on the front under the binding
        for x in range(2, w, 6):
            img[y : y + 3, x : x + 3] = 0.8
    img[0:30, 30:90] = 0.09  # the inside, above the binding (rows 30 .. 40)
    mask = np.ones((h, w), bool)
    region = np.zeros((h, w), bool)
    region[0:60, 20:100] = True  # the closed region: the inside, the binding and the ground under it
    inside = _darker_inside(img, mask, region, 60, cw, 6)
    assert inside is not None
    assert inside[2:28, 34:86].all()  # the inside
    assert not inside[34:].any()  # never the binding or the ground
    ground = np.full((h, w, 3), 0.15, np.float32)
    ground[80:] = img[80:]
    assert _darker_inside(ground, mask, region, 60, cw, 6) is None


def test_before_binding_keeps_a_label_and_stops_at_a_binding():
    """A column's bridged dark run (`_before_binding`, dresses): a gap with the inside's colour under it is a label
    sewn on the inside (the whole run stays the inside); a gap with another colour's dark stretch under it is the
    binding over the front (the unseen striped lace dress ootd 053290: its orange band's dark lace holes under a
    yellow binding were cut with the inside, a skin bib down to the chest). The run ends at that gap."""
    from kfvton.pipelines.garment_warp import _before_binding

    run = np.array([True] * 20 + [False] * 8 + [True] * 12)
    black, orange = np.array([15.0, 0.0, 0.0]), np.array([45.0, 30.0, 35.0])
    label = np.tile(black, (40, 1))
    assert _before_binding(run, label) == 40
    binding = label.copy()
    binding[28:] = orange
    assert _before_binding(run, binding) == 20
    assert _before_binding(np.ones(30, bool), np.tile(orange, (30, 1))) == 30  # no gap: nothing to decide


def test_fill_armhole_gaps_fills_only_between_torso_and_a_deep_armholed_sleeve():
    """The torso's spline fills unclaimed pixels within `ARMHOLE_GAP` of both the torso and a deep-armholed sleeve
    (a 6 px slit between them, on the garment), and nothing else: not the wall far from the sleeve, not a slit beside
    a sleeve whose armhole is not deep."""
    from kfvton.pipelines.garment_warp import _OUTSIDE, _fill_armhole_gaps

    h = w = 200  # (`ARMHOLE_GAP`: 6 px)
    grid = torch.full((1, h, w, 2), _OUTSIDE)
    torso = torch.zeros(1, h, w, dtype=torch.bool)
    torso[:, 20:80, 30:60] = True
    sleeves = torch.zeros(1, 2, h, w, dtype=torch.bool)
    sleeves[:, 0, 20:60, 66:76] = True  # 6 px right of the torso
    grid[torso] = 0.1
    grid[sleeves.any(1)] = 0.2
    box = torch.zeros(1, h, w, 2)  # the torso's spline: lands mid-garment everywhere
    mask = torch.ones(1, 1, 40, 40)

    def filled(deep: bool) -> torch.Tensor:
        out = _fill_armhole_gaps(grid, (box, (0, h - 1, 0, w - 1)), mask, torso, sleeves,
                                 torch.tensor([[deep, False]]), torch.zeros(1, 2, dtype=torch.bool), None, None,
                                 True)  # fmt: skip
        return (out[0, ..., 0] == 0.0) & (grid[0, ..., 0] == _OUTSIDE)

    gap = filled(True)
    assert bool(gap[20:60, 60:66].all())  # the slit
    assert not bool(gap[:, 80:].any()) and not bool(gap[90:].any())  # the wall farther off
    assert not bool(filled(False).any())


def test_cover_arm_leaves_the_torsos_shoulder_above_the_armpit():
    """A long sleeve's cover of the arm (`_cover_arm`) takes no pixel of the torso above the line across the arm
    through the torso's armpit target, not even where the sleeve's own spline lands on the garment: a bare shoulder
    is arm, and the sleeve's top mirrored over the torso's shoulder made solid dark wedges (the unseen cat_Yifeng_0 in
    the striped ootd_00151_00). The arm's gaps there, and the torso's side over the arm below the armpit, are still
    covered."""
    from kfvton.pipelines.garment_warp import _cover_arm

    h = w = 60
    landed = torch.zeros(1, h, w, dtype=torch.bool)
    landed[:, 5:56, 28:32] = True  # a thin sleeve down the arm, from above the armpit to the cuff
    free = torch.zeros(1, h, w, dtype=torch.bool)
    free[:, :, 20:41] = True  # the bare arm and shoulder around it
    torso = torch.zeros(1, h, w, dtype=torch.bool)
    torso[:, :, :27] = True  # the torso, over the arm's inner side
    box = torch.rand(1, h, w, 2) * 2 - 1
    cuff = torch.tensor([[[24.0, 55.0], [36.0, 55.0]]])
    elbow = torch.tensor([[[24.0, 35.0], [36.0, 35.0]]])
    own = torch.zeros(1, h, w, dtype=torch.bool)

    def covered(armpit: list[float], own: torch.Tensor = own) -> torch.Tensor:
        out, _ = _cover_arm(landed, box, free, own, cuff, elbow, torch.tensor([armpit]), torso, (0, 0))
        return out[0] & ~landed[0]

    cover = covered([30.0, 20.0, 1.0])
    assert not bool(cover[:20, :27].any())  # the torso's shoulder above the armpit
    own_top = torch.zeros(1, h, w, dtype=torch.bool)
    own_top[:, 10:15, 24:27] = True
    assert not bool(covered([30.0, 20.0, 1.0], own_top)[:20, :27].any())  # nor where the sleeve's own spline lands
    assert bool(cover[5:20, 32:36].all())  # the bare arm beside the sleeve there
    assert bool(cover[25:50, 24:27].all()) and bool(cover[25:50, 32:36].all())  # below it, the torso's side too
    assert bool(covered([30.0, 20.0, 0.0])[5:20, 24:27].all())  # no armpit target: no limit
