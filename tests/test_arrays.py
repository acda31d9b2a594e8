"""`kfvton._arrays`: the shared NumPy helpers."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from kfvton._arrays import (
    blur_at,
    blur_box,
    blur_in_box,
    box_share,
    channel_max,
    channel_sum,
    channels_first,
    channels_last,
    dilate_square,
    distance_near,
    nonzero_yx,
    per_channel,
    take,
)


def test_blur_at_is_the_full_blur_at_those_pixels():
    """The box blur equals the whole image's blur at the pixels, inside and at the image's borders, for a
    single-channel map and a colour image, also for a box over most of a small image."""
    rng = np.random.default_rng(0)
    for shape in ((120, 90), (120, 90, 3)):
        x = rng.random(shape, dtype=np.float32)
        for sigma in (0.5, 1.0, 3.3):
            full = cv2.GaussianBlur(x, (0, 0), sigma)
            for ys, xs in (
                (np.array([40, 41, 60]), np.array([30, 50, 31])),  # inside, far from the borders
                (np.array([0, 1, 119]), np.array([0, 89, 45])),  # on the borders
                (np.arange(5, 115), np.arange(2, 112) % 90),  # most of the image
            ):
                got = blur_at(x, sigma, ys, xs)
                assert got.shape == full[ys, xs].shape
                np.testing.assert_allclose(got, full[ys, xs], rtol=0, atol=1e-6)


def test_blur_at_a_weighted_box_is_blur_at_the_weighted_image():
    """Weighing only `blur_box`'s box and blurring it at the shifted pixels gives exactly `blur_at` of the whole
    weighted image (the same crop reaches OpenCV), inside and at the borders."""
    rng = np.random.default_rng(1)
    img, weight = rng.random((120, 90, 3), dtype=np.float32), rng.random((120, 90), dtype=np.float32)
    for sigma in (0.7, 4.0):
        for ys, xs in ((np.array([40, 41, 60]), np.array([30, 50, 31])), (np.array([0, 119]), np.array([89, 0]))):
            box = blur_box(weight.shape, sigma, ys, xs)
            got = blur_at(img[box] * weight[box][..., None], sigma, ys - box[0].start, xs - box[1].start)
            np.testing.assert_array_equal(got, blur_at(img * weight[..., None], sigma, ys, xs))


def test_distance_near_is_the_full_transform_within_reach():
    """Within `reach` the distances are OpenCV's whole-image ones to the last bit, beyond it they stay beyond it
    (in the rows of `where`), for scattered and solid targets, targets at the borders, and none."""
    rng = np.random.default_rng(2)
    for case in range(80):
        h, w = (int(v) for v in rng.integers(20, 160, 2))
        target = np.zeros((h, w), bool)
        for _ in range(int(rng.integers(0, 4))):
            y, x, r = (int(v) for v in (rng.integers(0, h), rng.integers(0, w), rng.integers(1, 25)))
            target[max(0, y - r) : y + r, max(0, x - r) : x + 2 * r] = True
        target &= rng.random((h, w)) > (0.0, 0.6, 0.97)[case % 3]
        where = rng.random((h, w)) > 0.995 if case % 2 else None
        reach = float(rng.uniform(1.0, 50.0))
        full = cv2.distanceTransform((~target).astype(np.uint8), cv2.DIST_L2, 3)
        got = distance_near(target, reach, where)
        rows = np.ones(h, bool) if where is None else where.any(1)
        if where is not None and where.any():
            found = np.flatnonzero(rows)
            rows[found[0] : found[-1] + 1] = True
        near = (full <= reach) & rows[:, None]
        np.testing.assert_array_equal(got[near], full[near])
        assert (got[~near & rows[:, None]] > reach).all()


@pytest.mark.parametrize("dtype", [bool, np.uint8])
def test_blur_in_box_is_the_full_blur(dtype) -> None:
    # the blur of a sparse mask over its box is the whole frame's, also for specks at the frame's edges and corner
    # (its reflected border) and far apart (one box over both); (last bits: OpenCV's SIMD row tails)
    for sigma in (0.5, 1.3, 4.0):
        for pixels in ([(40, 50)], [(0, 3), (120, 90)], [(127, 95)], [(64, 0)]):
            mask = np.zeros((128, 96), dtype)
            for y, x in pixels:
                mask[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2] = 1
            whole = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), sigma)
            got = blur_in_box(mask, sigma)
            assert got.dtype == np.float32 and got.shape == mask.shape
            np.testing.assert_allclose(got, whole, rtol=0, atol=1e-6)
    assert not blur_in_box(np.zeros((8, 8), bool), 1.0).any()


def test_channel_sum_is_numpys_sum() -> None:
    """`channel_sum` is bit-identical to `x.sum(-1)` for (N, 3) and (H, W, 3) float32 / float64 colours of mixed
    magnitudes (where the order of the additions shows) and a strided view; other shapes and integer arrays go to
    NumPy's sum (no bool addition as a logical or)."""
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        x = (rng.standard_normal((6000, 3)) * rng.choice([1e-4, 1.0, 1e4], (6000, 3))).astype(dtype)
        for view in (x, x.reshape(60, 100, 3), x[::2], x.reshape(60, 100, 3)[:, ::3]):
            out = channel_sum(view)
            assert out.dtype == dtype and np.array_equal(out, view.sum(-1))
    flags = rng.random((50, 3)) > 0.5
    assert np.array_equal(channel_sum(flags), flags.sum(-1))
    four = rng.random((10, 4), dtype=np.float32)
    assert np.array_equal(channel_sum(four), four.sum(-1))


def test_channel_max_is_numpys_max() -> None:
    """`channel_max` equals `x.max(-1)` for (N, 3), (H, W, 3) and a single (3,) colour, and for 4 channels."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 30, 3)).astype(np.float32)
    for view in (x, x.reshape(-1, 3), x[:, ::2], x[0, 0]):
        assert np.array_equal(channel_max(view), view.max(-1))
    four = rng.random((10, 4))
    assert np.array_equal(channel_max(four), four.max(-1))


def test_channels_last_and_first_are_the_transposed_copies() -> None:
    """`channels_last` of (C, H, W) planes (a strided crop of a tensor's view, 3 and 4 channels through OpenCV's merge;
    1 channel, bool and int64 through NumPy) is the C-contiguous (H, W, C) copy, and `channels_first` turns (B, H, W,
    C) back; both bit-identical to torch's permuted copies and independent of their input's memory."""
    rng = np.random.default_rng(0)
    frame = torch.from_numpy(rng.random((1, 4, 50, 40), dtype=np.float32))
    for planes in (
        frame[0, :3, 5:47, 3:31].numpy(),
        frame[0, :, ::2, 1:].numpy(),
        frame[0, :1].numpy(),
        frame[0, :3].numpy().astype(np.float64),
        frame[0, :3].numpy() > 0.5,
        (frame[0, :2] * 100).numpy().astype(np.int64),
    ):
        out = channels_last(planes)
        expected = torch.from_numpy(planes).permute(1, 2, 0).contiguous().numpy()
        assert out.flags.c_contiguous and out.dtype == planes.dtype and out.shape == expected.shape
        assert np.array_equal(out, expected) and not np.shares_memory(out, planes)
        back = channels_first(out[None])
        assert back.flags.c_contiguous and np.array_equal(back[0], planes)
        assert np.array_equal(back, torch.from_numpy(out[None]).permute(0, 3, 1, 2).contiguous().numpy())


def test_nonzero_yx_is_numpys_nonzero() -> None:
    """`nonzero_yx` returns NumPy's 2-D nonzero arrays (values, dtype, row-major order) for sparse, dense, empty,
    strided and non-bool masks."""
    rng = np.random.default_rng(0)
    noise = rng.random((37, 29))
    for mask in (noise < 0.05, noise < 0.7, noise > 2, (noise < 0.3)[::2, 3:], (noise * 4).astype(np.uint8)):
        for got, expected in zip(nonzero_yx(mask), np.nonzero(mask), strict=True):
            assert got.dtype == expected.dtype and np.array_equal(got, expected)


def test_per_channel_weighs_as_the_broadcast() -> None:
    """`per_channel` repeats an (H, W) map into C channels, C-contiguous, and an image times it is bit-identical to
    the image times `x[..., None]`, for float32 / float64 maps (OpenCV's merge), bool ones and 5 channels (NumPy)."""
    rng = np.random.default_rng(0)
    img = rng.random((37, 29, 3), dtype=np.float32)
    for x in (rng.random((37, 29), dtype=np.float32), rng.random((37, 29)), rng.random((37, 29)) > 0.5):
        out = per_channel(x)
        assert out.shape == (37, 29, 3) and out.dtype == x.dtype and out.flags.c_contiguous
        assert np.array_equal(img * out, img * x[..., None])
        assert (img * out).dtype == (img * x[..., None]).dtype
    five = per_channel(rng.random((4, 6), dtype=np.float32), 5)
    assert five.shape == (4, 6, 5) and np.array_equal(five, np.repeat(five[..., :1], 5, axis=-1))


def test_take_is_torch_indexing() -> None:
    """`take` gives `table[ids]` for int64 and narrower ids, strided (expanded) ids and a gradient-carrying table,
    and raises IndexError for an id past the table."""
    g = torch.Generator().manual_seed(0)
    table = torch.rand(20, generator=g) > 0.5
    ids = torch.randint(0, 20, (2, 31, 17), generator=g)
    for i in (ids, ids.to(torch.uint8), ids.to(torch.int32), ids[:1].expand(3, -1, -1), ids.transpose(1, 2)):
        out = take(table, i)
        assert out.dtype == torch.bool and torch.equal(out, table[i.long()])
    weights = torch.rand(20, generator=g, requires_grad=True)
    take(weights, ids).sum().backward()
    assert weights.grad is not None and float(weights.grad.sum()) == ids.numel()
    with pytest.raises(IndexError):
        take(table, torch.tensor([3, 20]))


@pytest.mark.parametrize("k", [1, 3, 35, 61])
def test_box_share_is_average_pooling(k) -> None:
    """Exactly torch's average pooling without the padding counted, for windows up to larger than the map."""
    rng = np.random.default_rng(k)
    for hw in ((240, 180), (20, 45), (1, 7)):
        mask = torch.from_numpy(rng.random((2, *hw)) < 0.3)
        pooled = torch.nn.functional.avg_pool2d(mask[:, None].float(), k, 1, k // 2, count_include_pad=False)[:, 0]
        share = box_share(mask, k)
        assert share.dtype == torch.float32 and torch.equal(share, pooled), (hw, k)
    with pytest.raises(ValueError, match="odd"):
        box_share(mask, 4)


@pytest.mark.parametrize("r", [1, 8, 30])
def test_dilate_square_is_max_pooling(r) -> None:
    rng = np.random.default_rng(r)
    for hw in ((240, 180), (20, 45)):
        mask = torch.from_numpy(rng.random((2, *hw)) < 0.01)
        pooled = torch.nn.functional.max_pool2d(mask.float(), 2 * r + 1, stride=1, padding=r) > 0.5
        assert torch.equal(dilate_square(mask, r), pooled), (hw, r)
