"""kfvton.geometry.tps against an independent NumPy float64 thin-plate spline, plus gradients, batches, reg, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from kfvton.geometry.grid import coordinate_grid
from kfvton.geometry.tps import tps_grid, tps_kernel, tps_solve, tps_transform_points, tps_warp_image


def _np_tps_fit(src: np.ndarray, dst: np.ndarray, reg: np.ndarray | float = 0.0):
    """Textbook TPS (Bookstein): solve [[K + reg I, P], [P^T, 0]] [w; a] = [dst; 0], U(r) = r^2 log r^2."""
    n = len(src)
    d2 = ((src[:, None, :] - src[None, :, :]) ** 2).sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(d2 > 0, d2 * np.log(d2), 0.0)
    p = np.hstack([src, np.ones((n, 1))])
    lhs = np.zeros((n + 3, n + 3))
    lhs[:n, :n] = k + np.diag(np.broadcast_to(np.asarray(reg, float), (n,)))
    lhs[:n, n:] = p
    lhs[n:, :n] = p.T
    rhs = np.vstack([dst, np.zeros((3, 2))])
    sol = np.linalg.solve(lhs, rhs)
    return sol[:n], sol[n:]


def _np_tps_eval(src: np.ndarray, w: np.ndarray, a: np.ndarray, pts: np.ndarray) -> np.ndarray:
    d2 = ((pts[:, None, :] - src[None, :, :]) ** 2).sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(d2 > 0, d2 * np.log(d2), 0.0)
    return pts @ a[:2] + a[2] + u @ w


def _points(n: int, seed: int, batch: tuple[int, ...] = ()) -> tuple[torch.Tensor, torch.Tensor]:
    """Well-conditioned random sets: a jittered lattice (no near-duplicates) and smooth-ish displacements."""
    g = torch.Generator().manual_seed(seed)
    side = int(np.ceil(np.sqrt(n)))
    lattice = torch.stack(
        torch.meshgrid(torch.linspace(-0.8, 0.8, side), torch.linspace(-0.8, 0.8, side), indexing="xy"), -1
    )
    base = lattice.reshape(-1, 2)[:n].double()
    src = base + (torch.rand(*batch, n, 2, generator=g, dtype=torch.float64) - 0.5) * (0.6 / side)
    dst = src * 0.9 + 0.05 + (torch.rand(*batch, n, 2, generator=g, dtype=torch.float64) - 0.5) * 0.2
    return src, dst


class TestAgainstNumpy:
    @pytest.mark.parametrize("seed,n", [(0, 6), (1, 14), (2, 25)])
    def test_dense_grid_1024x768(self, seed, n):
        src, dst = _points(n, seed)
        params = tps_solve(src.float(), dst.float())  # float32 inputs, float64 solve inside
        grid = tps_grid(params, (1024, 768))  # float32 evaluation over every pixel
        w, a = _np_tps_fit(src.numpy(), dst.numpy())
        rng = np.random.default_rng(seed)
        rows, cols = rng.integers(0, 1024, 20000), rng.integers(0, 768, 20000)
        pts = coordinate_grid(1024, 768, align_corners=True, dtype=torch.float64)[rows, cols].numpy()
        ref = _np_tps_eval(src.numpy(), w, a, pts)
        err_px = np.abs(grid[rows, cols].double().numpy() - ref) * np.array([767 / 2, 1023 / 2])
        assert err_px.max() < 1e-3

    def test_interpolates_exactly(self, dtype):
        src, dst = _points(10, 3)
        params = tps_solve(src.to(dtype), dst.to(dtype))
        assert params.kernel.dtype == dtype
        torch.testing.assert_close(tps_transform_points(src.to(dtype), params), dst.to(dtype), atol=1e-5, rtol=0)

    def test_per_point_reg_matches_numpy(self):
        src, dst = _points(12, 4)
        reg = torch.linspace(0.0, 0.5, 12, dtype=torch.float64)
        params = tps_solve(src, dst, reg=reg)
        w, a = _np_tps_fit(src.numpy(), dst.numpy(), reg.numpy())
        probe = np.random.default_rng(4).uniform(-1, 1, (200, 2))
        got = tps_transform_points(torch.from_numpy(probe), params).numpy()
        np.testing.assert_allclose(got, _np_tps_eval(src.numpy(), w, a, probe), atol=1e-6)


class TestReg:
    def test_smooths_and_tends_to_affine(self):
        src, dst = _points(16, 5)
        residual = []
        for reg in (0.0, 0.1, 10.0, 1e6):
            out = tps_transform_points(src, tps_solve(src, dst, reg=reg))
            residual.append(float((out - dst).norm(dim=-1).mean()))
        assert residual[0] < 1e-8 and residual[0] < residual[1] < residual[2] <= residual[3] + 1e-9
        # a huge reg leaves the least-squares affine fit
        p = torch.cat((src, torch.ones(16, 1, dtype=torch.float64)), -1)
        affine = torch.linalg.lstsq(p, dst).solution
        torch.testing.assert_close(
            tps_transform_points(src, tps_solve(src, dst, reg=1e9)), p @ affine, atol=1e-6, rtol=0
        )

    def test_huge_reg_drops_a_point(self):
        src, dst = _points(9, 6)
        reg = torch.zeros(9, dtype=torch.float64)
        reg[4] = 1e9
        dst_moved = dst.clone()
        dst_moved[4] += 0.5  # the dropped point's target does not matter
        keep = [i for i in range(9) if i != 4]
        a = tps_solve(src, dst_moved, reg=reg)
        b = tps_solve(src[keep], dst[keep])
        probe = torch.rand(50, 2, dtype=torch.float64) * 2 - 1
        torch.testing.assert_close(tps_transform_points(probe, a), tps_transform_points(probe, b), atol=1e-6, rtol=0)


class TestBatchAndGrad:
    def test_batch_dims_b_k(self, device):
        src, dst = _points(8, 7, batch=(2, 3))
        params = tps_solve(src.to(device), dst.to(device))
        assert params.batch_shape == (2, 3) and params.kernel.device.type == device.type
        grid = tps_grid(params.to(dtype=torch.float32), (16, 12))
        assert grid.shape == (2, 3, 16, 12, 2)
        for i in range(2):
            for k in range(3):
                single = tps_grid(tps_solve(src[i, k], dst[i, k]).to(device, torch.float32), (16, 12))
                torch.testing.assert_close(grid[i, k], single, atol=1e-5, rtol=0)

    def test_gradcheck_float64(self):
        src, dst = _points(5, 8)
        probe = torch.rand(7, 2, dtype=torch.float64) * 2 - 1

        def f(s, d):
            return tps_transform_points(probe, tps_solve(s, d, reg=1e-3))

        assert torch.autograd.gradcheck(f, (src.requires_grad_(True), dst.requires_grad_(True)))

    def test_warp_identity(self):
        src, _ = _points(6, 9)
        image = torch.rand(2, 3, 20, 16)
        out = tps_warp_image(image, tps_solve(src.float(), src.float()))
        torch.testing.assert_close(out, image, atol=1e-4, rtol=0)


class TestErrors:
    def test_shapes_and_values(self):
        src, dst = _points(6, 10)
        with pytest.raises(ValueError, match="points_src: a TPS needs at least 3 points, got 2"):
            tps_solve(src[:2], dst[:2])
        with pytest.raises(ValueError, match="points_dst"):
            tps_solve(src, dst[:5])
        with pytest.raises(ValueError, match=r"points_src: expected shape \(\.\.\., N, 2\)"):
            tps_solve(torch.zeros(6, 3), torch.zeros(6, 3))
        with pytest.raises(ValueError, match="reg: expected >= 0"):
            tps_solve(src, dst, reg=-1.0)
        with pytest.raises(ValueError, match="reg"):
            tps_solve(src, dst, reg=torch.zeros(5, dtype=torch.float64))
        with pytest.raises(TypeError, match="points_src"):
            tps_solve(src.numpy(), dst)
        with pytest.raises(ValueError, match="params"):
            tps_warp_image(torch.rand(3, 3, 8, 8), tps_solve(*_points(6, 11, batch=(2,))))


class TestLattice:
    """`tps_grid(step=, box=)`: one lattice evaluation for the whole frame or a box, exact at the nodes."""

    def test_box_step1_is_the_exact_slice(self):
        src, dst = _points(12, 12)
        params = tps_solve(src, dst, reg=1e-3).to(dtype=torch.float32)
        full = tps_grid(params, (40, 30))
        box = tps_grid(params, (40, 30), step=1, box=(5, 27, 3, 20))
        torch.testing.assert_close(box, full[5:28, 3:21], atol=1e-5, rtol=0)

    @pytest.mark.parametrize("step", [2, 4])
    def test_step_exact_at_nodes_and_close_elsewhere(self, step):
        src, dst = _points(12, 13)
        params = tps_solve(src, dst, reg=1e-3).to(dtype=torch.float32)
        full = tps_grid(params, (41, 33))
        coarse = tps_grid(params, (41, 33), step=step)
        assert coarse.shape == full.shape
        torch.testing.assert_close(coarse[0, 0], full[0, 0], atol=1e-5, rtol=0)
        torch.testing.assert_close(coarse[-1, -1], full[-1, -1], atol=1e-5, rtol=0)
        assert float((coarse - full).abs().max()) < 0.02 * step
        # a box of the whole frame is the same lattice
        torch.testing.assert_close(tps_grid(params, (41, 33), step=step, box=(0, 40, 0, 32)), coarse)

    def test_bad_step_and_box(self):
        params = tps_solve(*_points(6, 14))
        with pytest.raises(ValueError, match="step: expected >= 1"):
            tps_grid(params, (8, 8), step=0)
        with pytest.raises(ValueError, match="box"):
            tps_grid(params, (8, 8), box=(0, 8, 0, 7))


class TestSampleGrid:
    """`sample_grid`: the one grid_sample of every warp (batch broadcast, dtype policy, errors)."""

    def test_broadcast_promote_and_errors(self):
        from kfvton.geometry.warp import sample_grid

        image = torch.rand(1, 2, 6, 5)
        grid = coordinate_grid(6, 5, align_corners=True)[None].expand(3, -1, -1, -1)
        out = sample_grid(image, grid, align_corners=True)
        assert out.shape == (3, 2, 6, 5)
        torch.testing.assert_close(out[2], image[0], atol=1e-5, rtol=0)
        low = sample_grid(image.bfloat16(), grid.double(), align_corners=True, promote=True)
        assert low.dtype == torch.bfloat16
        with pytest.raises(ValueError, match="garment: batch 2 does not match warp batch 3"):
            sample_grid(torch.rand(2, 2, 6, 5), grid, align_corners=True, name="garment")
        with pytest.raises(ValueError, match="grid"):
            sample_grid(image, grid[..., :1], align_corners=True)


def test_tps_kernel_broadcasts_batch_dims():
    """U(|a_i - b_j|) for (..., M, 2) against (..., N, 2) with broadcast batch dims, against NumPy float64."""
    g = torch.Generator().manual_seed(3)
    a, b = torch.rand(2, 1, 7, 2, generator=g) * 2 - 1, torch.rand(1, 3, 5, 2, generator=g) * 2 - 1
    b[0, 0, 0] = a[0, 0, 0]  # a shared point: U(0) = 0
    out = tps_kernel(a, b)
    assert out.shape == (2, 3, 7, 5)
    d2 = ((a.double().numpy()[..., :, None, :] - b.double().numpy()[..., None, :, :]) ** 2).sum(-1)
    expected = d2 * np.log(d2 + 1e-9)
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-6)
    assert float(out[0, 0, 0, 0]) == 0.0


def test_tps_kernel_in_place_matches_the_formula_and_keeps_gradients():
    """Without autograd the kernel is computed in place: bit-identical to r^2 log(r^2 + 1e-9) done out of place;
    with inputs that need gradients it stays differentiable (in-place ops would break the backward pass)."""
    g = torch.Generator().manual_seed(5)
    a, b = torch.rand(2, 300, 2, generator=g) * 2 - 1, torch.rand(2, 17, 2, generator=g) * 2 - 1
    r2 = (a[..., :, None, 0] - b[..., None, :, 0]).square() + (a[..., :, None, 1] - b[..., None, :, 1]).square()
    assert torch.equal(tps_kernel(a, b), r2 * torch.log(r2 + 1e-9))
    a_grad = a.clone().requires_grad_(True)
    out = tps_kernel(a_grad, b)
    out.sum().backward()
    assert torch.equal(out.detach(), tps_kernel(a, b))
    assert a_grad.grad is not None and bool(a_grad.grad.abs().sum() > 0)
