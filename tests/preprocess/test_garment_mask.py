from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

from kfvton.preprocess.garment_mask import (
    RIM_PX,
    SHADOW_DEEP_PX,
    SHADOW_PX,
    GarmentMask,
    _clean_rim,
    _drop_loose_in_box,
    _drop_loose_one,
    clean_garment_rim,
    drop_backdrop_shade,
    drop_inner_back,
    drop_loose_parts,
    garment_mask_from_alpha,
    garment_mask_from_image,
    prepare_garment_mask,
)
from kfvton.preprocess.io import load_image, load_mask

H, W = 256, 192
SHIRT = [(70, 30), (122, 30), (160, 60), (150, 90), (135, 80), (138, 230), (54, 230), (57, 80), (42, 90), (32, 60)]


def shirt_mask(outline=SHIRT) -> np.ndarray:
    mask = np.zeros((H, W), np.uint8)
    cv2.fillPoly(mask, [np.array(outline, np.int32)], 1)
    return mask


def garment_on(background, colour, mask: np.ndarray | None = None, noise: float = 0.0, seed: int = 0) -> torch.Tensor:
    """(1, 3, H, W) garment of `colour` on `background`, JPEG-like blurred and optionally noisy."""
    mask = shirt_mask() if mask is None else mask
    img = np.empty((H, W, 3), np.float32)
    img[:] = background
    img[mask > 0] = colour
    img = cv2.GaussianBlur(img, (3, 3), 0)
    if noise:
        img += np.random.default_rng(seed).normal(0.0, noise, img.shape).astype(np.float32)
    return torch.from_numpy(np.clip(img, 0, 1)).permute(2, 0, 1)[None].contiguous()


def iou(a: torch.Tensor, b: np.ndarray) -> float:
    a = a.reshape(H, W).numpy() > 0.5
    b = b > 0
    return float((a & b).sum() / (a | b).sum())


class TestGarmentMaskFromImage:
    @pytest.mark.parametrize(
        "background,colour",
        [
            ((0.96, 0.96, 0.96), (0.8, 0.1, 0.1)),  # red on the usual studio grey
            ((1.0, 1.0, 1.0), (0.05, 0.05, 0.08)),  # black on white
            ((0.96, 0.96, 0.96), (0.99, 0.99, 0.97)),  # white garment on light grey: a few levels apart
            ((0.2, 0.5, 0.3), (0.9, 0.8, 0.2)),  # any plain background colour works, not just white
        ],
    )
    def test_plain_background(self, background, colour):
        mask = garment_mask_from_image(garment_on(background, colour))
        assert mask.shape == (1, 1, H, W) and mask.dtype == torch.float32
        assert set(mask.unique().tolist()) <= {0.0, 1.0}
        assert iou(mask, shirt_mask()) > 0.95

    def test_shaded_backdrop(self):
        """A vignetted studio backdrop (darker corners, brighter top) is modelled as a smooth surface."""
        yy, xx = np.meshgrid(np.linspace(-1, 1, H), np.linspace(-1, 1, W), indexing="ij")
        shade = 0.93 - 0.06 * (xx**2 + yy**2) / 2 - 0.03 * yy  # 0.87 .. 0.96
        garment = garment_on((0.0, 0.0, 0.0), (0.85, 0.82, 0.8))  # a light garment, close to the backdrop
        backdrop = torch.from_numpy(shade.astype(np.float32))[None, None].expand(1, 3, H, W)
        inside = torch.from_numpy(shirt_mask()).bool()[None, None].expand(1, 3, H, W)
        garment = torch.where(inside, garment, backdrop)
        mask = garment_mask_from_image(garment)
        assert iou(mask, shirt_mask()) > 0.95

    def test_sweep_horizon_beside_a_white_garment_is_backdrop(self):
        """A light-grey studio sweep whose horizon (the wall bending into the floor) shades a slanted band across the
        photo 4-5 % darker than the rest, past the quadratic surface's reach, with a white, slightly blue tee on it
        (unseen ootd_048554_1): the band beside the tee's sides was taken for garment, grey flaps from the photo's
        edges to its hips. Now only the tee."""
        yy, xx = np.meshgrid(np.arange(H, dtype=np.float32), np.arange(W, dtype=np.float32), indexing="ij")
        centre = 0.7 * H + 0.05 * (xx - W / 2)  # the horizon's row, slanted
        band = np.exp(-(((yy - centre) / (0.05 * H)) ** 2))
        shade = (0.9 - 0.02 * yy / H - 0.04 * band)[..., None] * np.array([1.0, 1.0, 0.98], np.float32)
        garment = garment_on((0.0, 0.0, 0.0), (0.93, 0.92, 0.95))  # white a little bluer, 3 % over the backdrop
        img = torch.where(
            torch.from_numpy(shirt_mask()).bool()[None, None].expand(1, 3, H, W),
            garment,
            torch.from_numpy(shade.astype(np.float32)).permute(2, 0, 1)[None],
        )
        mask = garment_mask_from_image(img)
        assert iou(mask, shirt_mask()) > 0.95
        off = (mask[0, 0].numpy() > 0.5) & (cv2.dilate(shirt_mask(), np.ones((7, 7), np.uint8)) == 0)
        assert off.sum() < 50, off.sum()  # nothing of the band beside it

    def test_garment_cut_by_bottom_edge(self):
        """A hem running off the bottom of the photo is fine; that border part is not taken as background."""
        low = shirt_mask([(x, min(y + 40, H + 20)) for x, y in SHIRT])
        mask = garment_mask_from_image(garment_on((0.96,) * 3, (0.8, 0.1, 0.1), mask=low))
        assert iou(mask, low) > 0.95
        assert mask[0, 0, -1].sum() > 50

    @pytest.mark.parametrize("card", [(1.0, 1.0, 0.984), (0.93, 0.93, 0.93)])  # off-white, light grey
    def test_card_under_the_garment(self, card):
        """A shop's card a few levels off the white backdrop (Dress Code 013567_1): backdrop, not a grey block."""
        garment = garment_on((1.0, 1.0, 1.0), (0.93, 0.92, 0.85))
        garment[..., 15:245, 20:172] = torch.tensor(card)[:, None, None]
        inside = torch.from_numpy(shirt_mask()).bool()[None, None].expand(1, 3, H, W)
        garment = torch.where(inside, garment_on((0.0,) * 3, (0.8, 0.78, 0.7)), garment)
        mask = garment_mask_from_image(garment)
        assert iou(mask, shirt_mask()) > 0.95

    def test_flat_rectangular_garment_is_not_a_card(self):
        """A plain rectangle of colour (a folded scarf) fills its box and is flat, yet nothing is left without it:
        it stays the garment."""
        box = np.zeros((H, W), np.uint8)
        box[40:220, 40:150] = 1
        mask = garment_mask_from_image(garment_on((1.0, 1.0, 1.0), (0.3, 0.4, 0.7), mask=box))
        assert iou(mask, box) > 0.95

    def test_sample_card(self, samples_dir):
        """Dress Code 013567_1: cream shorts on an off-white card (255, 255, 251 on 255): the card is not garment
        (0.518 of the image before, the shorts alone 0.42)."""
        path = samples_dir / "dresscode" / "lower_body" / "images" / "013567_1.jpg"
        if not path.is_file():
            pytest.skip("samples missing")
        mask = garment_mask_from_image(load_image(path))
        assert 0.38 < float(mask.mean()) < 0.46
        assert mask[0, 0, 200, 70] == 0.0  # the card's top-left corner

    def test_noise_and_print_holes(self):
        garment = garment_on((0.96, 0.96, 0.96), (0.1, 0.2, 0.6), noise=0.01)
        # a print in the background colour inside the garment must not become a hole
        garment[..., 120:140, 80:110] = 0.96
        mask = garment_mask_from_image(garment)
        assert mask[0, 0, 130, 95] == 1.0
        assert iou(mask, shirt_mask()) > 0.95

    def test_backdrop_coloured_stripe_is_filled(self):
        """A thin stripe in the backdrop colour across the garment (a striped top's white stripe, OOTDiffusion 00151)
        is print, not a gap: only a tall narrow hole is the gap beside a hanging sleeve."""
        garment = garment_on((0.96, 0.96, 0.96), (0.1, 0.2, 0.6))
        garment[..., 120:126, 60:132] = 0.96  # 72 x 6 px, 2.5 % of the garment
        mask = garment_mask_from_image(garment)
        assert mask[0, 0, 120:126, 60:132].mean() == 1.0  # 0.03 before: a hole

    def test_keeps_largest_piece(self):
        garment = garment_on((0.96, 0.96, 0.96), (0.1, 0.2, 0.6))
        garment[..., 240:250, 5:15] = 0.0  # a speck of dirt in the corner
        mask = garment_mask_from_image(garment)
        assert mask[0, 0, 245, 10] == 0.0
        assert iou(mask, shirt_mask()) > 0.95

    def test_batch_of_three(self):
        items = [
            garment_on((0.96,) * 3, (0.8, 0.1, 0.1)),
            garment_on((1.0,) * 3, (0.1, 0.1, 0.1), mask=shirt_mask([(x, y + 10) for x, y in SHIRT])),
            garment_on((0.96,) * 3, (0.2, 0.6, 0.2)),
        ]
        mask = garment_mask_from_image(torch.cat(items))
        assert mask.shape == (3, 1, H, W)
        for b, item in enumerate(items):
            torch.testing.assert_close(mask[b : b + 1], garment_mask_from_image(item))
        assert not torch.equal(mask[0], mask[1])

    @pytest.mark.parametrize("value", [1.0, 0.5, 0.0])
    def test_uniform_image_raises(self, value):
        with pytest.raises(ValueError, match="garment"):
            garment_mask_from_image(torch.full((1, 3, H, W), value))

    def test_no_plain_background_raises(self):
        texture = torch.rand(1, 3, H, W, generator=torch.Generator().manual_seed(0))
        with pytest.raises(ValueError, match="garment"):
            garment_mask_from_image(texture)

    def test_full_frame_garment_raises(self):
        garment = garment_on((0.96,) * 3, (0.1, 0.2, 0.6), mask=np.pad(np.ones((H - 4, W - 4), np.uint8), 2))
        garment[..., :, :2] = 0.1  # the garment runs over the left and right edges
        garment[..., :, -2:] = 0.1
        with pytest.raises(ValueError, match="garment.*border"):
            garment_mask_from_image(garment)

    def test_error_names_batch_item(self):
        good = garment_on((0.96,) * 3, (0.8, 0.1, 0.1))
        with pytest.raises(ValueError, match=r"garment\[1\]"):
            garment_mask_from_image(torch.cat([good, torch.ones_like(good)]))

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="garment"):
            garment_mask_from_image(torch.rand(1, 4, H, W))
        with pytest.raises(ValueError, match="garment"):
            garment_mask_from_image(torch.rand(3, H, W))
        with pytest.raises(TypeError, match="garment"):
            garment_mask_from_image(torch.zeros(1, 3, H, W, dtype=torch.uint8))
        with pytest.raises(ValueError, match="threshold"):
            garment_mask_from_image(torch.rand(1, 3, H, W), threshold=2.0)


class TestPaleGarmentOnFlawlessBackdrop:
    """A white garment on a noise-free 246 grey backdrop, whose lit side sits within a level or two of it (the
    OOTDiffusion/IDM-VTON product photos): that side is garment, not background joined to the outside."""

    BACKDROP, WHITE = 246 / 255, 252 / 255

    def _tee(self, side_level: float) -> tuple[torch.Tensor, np.ndarray]:
        """The shirt in white with its left side (sleeve and body edge, touching the outline) at `side_level`."""
        garment = garment_on((self.BACKDROP,) * 3, (self.WHITE,) * 3)
        side = np.zeros((H, W), np.uint8)
        side[55:170, 20:85] = 1
        side &= shirt_mask()
        weave = 0.4 / 255 * np.sin(np.arange(W) * 2.1)[None, :]  # a knit's faint ribs, under a level
        patch = torch.from_numpy((side_level + weave).astype(np.float32)).expand(3, H, W)
        garment[0] = torch.where(torch.from_numpy(side > 0), patch, garment[0])
        return garment, side

    def test_lit_side_a_level_off_the_backdrop_is_garment(self):
        garment, side = self._tee(247.2 / 255)  # about 1.7 (RGB distance) off the backdrop: under the threshold of 3
        mask = garment_mask_from_image(garment)[0, 0].numpy() > 0.5
        assert mask[side > 0].mean() > 0.95
        assert iou(torch.from_numpy(mask), shirt_mask()) > 0.95

    def test_side_at_the_backdrop_level_with_a_weave_is_garment(self):
        """A white tee's side whose mean sits at the backdrop's level, only its weave's grain off it (12562_00, the
        Minnie tee: its sleeves level 246-247 on the 246 backdrop): the blur averages the weave out, the grain does
        not; the side is garment up to its outline, which the half-contrast refinement does not fray."""
        garment, side = self._tee(self.BACKDROP)
        weave = np.indices((H, W)).sum(0) % 2 * 2.0 - 1.0  # a checkerboard: a 3 x 3 Gaussian averages it to 0
        grain = torch.from_numpy((3.0 / 255 * weave * side).astype(np.float32))
        garment = (garment + grain).clamp(0, 1)
        mask = garment_mask_from_image(garment)[0, 0].numpy() > 0.5
        assert mask[side > 0].mean() > 0.97  # 0.002 when the grain was not read
        assert iou(torch.from_numpy(mask), shirt_mask()) > 0.95
        outside = cv2.distanceTransform(1 - shirt_mask(), cv2.DIST_L2, 5)
        assert (mask & (outside > 2)).sum() < 20  # the grain's blur reaches past the outline: it stays out

    def test_faint_hem_is_not_notched(self):
        """A white tee at 1024 x 768 whose 12 px hem band wanders across the threshold (24 px runs half a level and 3
        levels off the backdrop, a knit's grain on both; 12562_00's hem): the threshold notched it where it dips
        (0.59 of the band kept); along a faint edge the notches the garment's grain spans are garment."""
        h, w = 1024, 768
        shape = np.zeros((h, w), np.uint8)
        cv2.fillPoly(shape, [np.array(SHIRT, np.int32) * 4], 1)
        img = np.full((h, w, 3), 246.0, np.float32)
        img[shape > 0] = 252
        img = cv2.GaussianBlur(img, (3, 3), 0)
        hem = np.zeros((h, w), np.uint8)
        hem[909:921] = 1
        hem &= shape
        runs = np.where(np.arange(w) // 24 % 2 == 0, 246.5, 249.0)[None, :]
        weave = np.indices((h, w)).sum(0) % 2 * 2.0 - 1.0  # a checkerboard: the blur averages it to 0
        img[hem > 0] = (runs + 3.0 * weave)[hem > 0][:, None]
        garment = torch.from_numpy(np.round(img) / 255.0).float().permute(2, 0, 1)[None]
        mask = garment_mask_from_image(garment)[0, 0].numpy() > 0.5
        assert mask[hem > 0].mean() > 0.85
        outside = cv2.distanceTransform(1 - shape, cv2.DIST_L2, 5)
        assert (mask & (outside > 2)).sum() < 20

    def test_backdrop_coloured_cut_out_stays_background(self):
        """A cut-out in exactly the backdrop's colour (a real gap in the garment) is not filled."""
        garment, side = self._tee(self.BACKDROP)
        mask = garment_mask_from_image(garment)[0, 0].numpy() > 0.5
        inner = cv2.erode(side, np.ones((5, 5), np.uint8))
        assert mask[inner > 0].mean() < 0.05

    def test_gap_beside_a_dark_sleeve_stays_open(self):
        """The soft shadow a navy garment casts on the backdrop (a level or two, VITON-HD 02783) is not a pale patch
        of garment (the garment around it is not pale): neither the gap between its hanging sleeve and its body nor
        the band round its outline joins the mask."""
        shape = np.zeros((H, W), np.uint8)
        cv2.rectangle(shape, (70, 40), (150, 230), 1, -1)  # body
        cv2.rectangle(shape, (20, 40), (40, 220), 1, -1)  # left sleeve, 29 px away
        cv2.rectangle(shape, (20, 40), (70, 70), 1, -1)  # joined at the shoulder
        garment = garment_on((self.BACKDROP,) * 3, (0.1, 0.12, 0.3), shape)
        shadow = 1.6 / 255 * cv2.GaussianBlur(shape.astype(np.float32), (0, 0), 10)
        garment = garment - torch.from_numpy(shadow * (1 - shape))
        mask = garment_mask_from_image(garment)[0, 0].numpy() > 0.5
        assert mask[90:210, 50:60].mean() < 0.05
        assert (mask & (cv2.dilate(shape, np.ones((5, 5), np.uint8)) == 0)).sum() == 0  # 248 px without the check

    @pytest.mark.parametrize("colour", [(225, 150, 120), (200, 40, 40)])  # a peach blouse, a red tee
    def test_jpeg_ring_round_the_outline_is_not_garment(self, colour):
        """A product photo at 1024 x 768 on a flawless 246 backdrop, saved as JPEG (quality 75): the ringing that
        follows the outline outside it, a few levels off the backdrop and up to ~13 px wide, stays out of the mask
        (3051 / 4381 px more than 2 px outside the shape without `_peel_ring`, pale flecks round the sleeves of the
        warped garment) and none of the garment is lost."""
        h, w = 1024, 768
        shape = np.zeros((h, w), np.uint8)
        cv2.fillPoly(shape, [np.array(SHIRT, np.int32) * 4], 1)
        img = np.full((h, w, 3), 246, np.uint8)
        img[shape > 0] = colour
        ok, jpeg = cv2.imencode(".jpg", cv2.GaussianBlur(img, (3, 3), 0), [cv2.IMWRITE_JPEG_QUALITY, 75])
        img = cv2.imdecode(jpeg, cv2.IMREAD_UNCHANGED)
        mask = garment_mask_from_image(torch.from_numpy(img / 255.0).float().permute(2, 0, 1)[None])[0, 0].numpy()
        outside = cv2.distanceTransform(1 - shape, cv2.DIST_L2, 5)
        inside = cv2.distanceTransform(shape, cv2.DIST_L2, 5)
        assert ((mask > 0.5) & (outside > 2)).sum() < 500
        assert ((mask < 0.5) & (inside > 2)).sum() == 0


class TestGarmentMaskFromAlpha:
    def test_binarises(self):
        alpha = torch.from_numpy(shirt_mask()).float()[None, None] * 0.9
        mask = garment_mask_from_alpha(alpha)
        assert mask.shape == (1, 1, H, W)
        assert iou(mask, shirt_mask()) == 1.0
        assert garment_mask_from_alpha(alpha[:, 0]).shape == (1, 1, H, W)

    def test_empty_and_full_raise(self):
        with pytest.raises(ValueError, match="alpha.*empty"):
            garment_mask_from_alpha(torch.zeros(1, 1, H, W))
        with pytest.raises(ValueError, match="alpha.*covers"):
            garment_mask_from_alpha(torch.ones(2, 1, H, W))
        with pytest.raises(ValueError, match="alpha"):
            garment_mask_from_alpha(torch.ones(1, 2, H, W))


class TestPrepareGarmentMask:
    def test_priority_explicit_alpha_computed(self):
        garment = garment_on((0.96,) * 3, (0.8, 0.1, 0.1))
        other = torch.from_numpy(shirt_mask([(x, y + 12) for x, y in SHIRT])).float()[None, None]
        alpha = torch.from_numpy(shirt_mask([(x + 8, y) for x, y in SHIRT])).float()[None, None]
        explicit = prepare_garment_mask(garment, mask=other, alpha=alpha)
        assert isinstance(explicit, GarmentMask) and explicit.method == "explicit"
        torch.testing.assert_close(explicit.mask, other)
        from_alpha = prepare_garment_mask(garment, alpha=alpha)
        assert from_alpha.method == "alpha"
        torch.testing.assert_close(from_alpha.mask, alpha)
        computed = prepare_garment_mask(garment)
        assert computed.method == "computed"
        assert iou(computed.mask, shirt_mask()) > 0.95

    def test_broadcast_and_layouts(self):
        garment = garment_on((0.96,) * 3, (0.8, 0.1, 0.1)).expand(3, -1, -1, -1)
        mask = torch.from_numpy(shirt_mask()).float()[None]  # (1, H, W), ComfyUI MASK-like
        out = prepare_garment_mask(garment, mask=mask)
        assert out.mask.shape == (3, 1, H, W)
        assert prepare_garment_mask(garment.double(), mask=mask).mask.dtype == torch.float64

    def test_bad_masks_raise_naming_input(self):
        garment = garment_on((0.96,) * 3, (0.8, 0.1, 0.1))
        with pytest.raises(ValueError, match="mask.*empty"):
            prepare_garment_mask(garment, mask=torch.zeros(1, 1, H, W))
        with pytest.raises(ValueError, match="mask.*covers"):
            prepare_garment_mask(garment, mask=torch.ones(1, 1, H, W))
        with pytest.raises(ValueError, match="mask"):
            prepare_garment_mask(garment, mask=torch.ones(1, 1, H, W - 1))
        with pytest.raises(TypeError, match="alpha"):
            prepare_garment_mask(garment, alpha=torch.ones(1, 1, H, W, dtype=torch.uint8))
        with pytest.raises(ValueError, match="batch"):
            prepare_garment_mask(garment.expand(2, -1, -1, -1), mask=torch.ones(3, 1, H, W) * 0.0)
        with pytest.raises(ValueError, match="garment"):
            prepare_garment_mask(torch.ones(1, 3, H, W))


class TestSampleGarments:
    def test_vitonhd_masks_match_reference(self, vitonhd_dir):
        """Every VITON-HD sample garment against the dataset's own cloth mask (JPEG, thresholded at 128)."""
        paths = sorted((vitonhd_dir / "cloth").glob("*.jpg"))
        assert paths
        scores = {}
        for path in paths:
            ours = garment_mask_from_image(load_image(path))[0, 0] > 0.5
            ref = load_mask(vitonhd_dir / "cloth-mask" / path.name, threshold=128 / 255)[0, 0] > 0.5
            scores[path.stem] = ((ours & ref).sum() / (ours | ref).sum()).item()
        assert min(scores.values()) > 0.97, scores
        assert np.mean(list(scores.values())) > 0.985, scores


class TestLooseParts:
    """Ties, belts and hanging straps leave the mask; shoulder straps and the body stay (synthetic drawings)."""

    def _wrap_top_with_tie(self) -> tuple[np.ndarray, np.ndarray]:
        body = shirt_mask()
        tie = np.zeros((H, W), np.uint8)
        cv2.line(tie, (120, 200), (185, 250), 1, 5)  # a tie hanging off the side, thinner than 6 % of the width
        return np.maximum(body, tie), body

    def test_tie_is_dropped(self):
        with_tie, body = self._wrap_top_with_tie()
        result = prepare_garment_mask(garment_on((0.96, 0.96, 0.96), (0.2, 0.3, 0.7), with_tie))
        assert result.method == "computed" and result.dropped[0] > 0.01
        mask = result.mask[0, 0].numpy() > 0.5
        assert not mask[240:, 170:].any()  # the tie's end is gone
        assert iou(result.mask, body) > 0.95

    @pytest.mark.parametrize("shift", [(0, 0), (-40, -45)])  # centred, cut by the frame's top and left
    def test_box_is_the_whole_frame(self, shift):
        # the garment's box grown by the disc gives the whole frame's result (the tie dropped), also where the
        # garment is cut by the frame's edge
        with_tie, _ = self._wrap_top_with_tie()
        fg = np.zeros_like(with_tie)  # moved by `shift`, what leaves the frame cut off
        dy, dx = shift
        fg[max(0, dy) : H + min(0, dy), max(0, dx) : W + min(0, dx)] = with_tie[
            max(0, -dy) : H - max(0, dy), max(0, -dx) : W - max(0, dx)
        ]
        _, _, gw, _ = cv2.boundingRect(fg)
        d = max(3, int(round(0.06 * gw)) | 1)
        whole = _drop_loose_in_box(fg, d)
        assert whole.sum() < fg.sum()  # (something to drop)
        np.testing.assert_array_equal(_drop_loose_one(fg, 0.06), whole)

    def test_shoulder_straps_stay(self):
        cami = np.zeros((H, W), np.uint8)
        cv2.rectangle(cami, (50, 90), (140, 230), 1, -1)
        cv2.line(cami, (60, 40), (60, 92), 1, 4)  # straps on top of the body
        cv2.line(cami, (130, 40), (130, 92), 1, 4)
        cleaned, dropped = drop_loose_parts(torch.from_numpy(cami).float()[None, None])
        assert dropped[0] == 0.0 and torch.equal(cleaned[0, 0], torch.from_numpy(cami).float())

    def test_sample_garments_lose_nothing(self, vitonhd_dir):
        for path in sorted((vitonhd_dir / "cloth").glob("*.jpg"))[:4]:
            mask = garment_mask_from_image(load_image(path))
            _, dropped = drop_loose_parts(mask)
            assert dropped[0] < 0.005, path.name


class TestBackgrounds:
    @pytest.mark.parametrize(
        "background,colour",
        [
            ((0.82, 0.82, 0.84), (0.9, 0.9, 0.9)),  # light garment on light grey
            ((0.95, 0.85, 0.75), (0.3, 0.5, 0.4)),  # warm coloured backdrop
            ((0.55, 0.7, 0.9), (0.95, 0.95, 0.95)),  # white on sky blue
        ],
    )
    def test_coloured_backgrounds(self, background, colour):
        assert iou(garment_mask_from_image(garment_on(background, colour)), shirt_mask()) > 0.95

    def test_textured_background(self):
        """A fine texture (paper, linen) around the garment: noise of 2 % per pixel."""
        image = garment_on((0.9, 0.88, 0.85), (0.5, 0.1, 0.2), noise=0.02, seed=3)
        assert iou(garment_mask_from_image(image), shirt_mask()) > 0.93


class TestInnerBack:
    """The inside of the back seen through a neckline or between a camisole's straps leaves the mask (it would be
    pasted over the wearer's skin); collar bands and a dark yoke stay (synthetic drawings)."""

    FRONT, INSIDE = (0.85, 0.45, 0.55), (0.5, 0.25, 0.32)  # the inside: the same fabric in shadow

    def _camisole(self) -> tuple[np.ndarray, np.ndarray]:
        """(whole outline, inner back panel): a body whose front neckline dips between two straps, the back's
        inside showing above it up to the back's straight top edge."""
        whole = np.zeros((H, W), np.uint8)
        cv2.rectangle(whole, (50, 60), (142, 230), 1, -1)
        cv2.rectangle(whole, (56, 30), (70, 62), 1, -1)  # straps
        cv2.rectangle(whole, (122, 30), (136, 62), 1, -1)
        panel = np.zeros((H, W), np.uint8)
        cv2.rectangle(panel, (71, 60), (121, 110), 1, -1)  # the back's inside between the straps, seen ...
        front = np.zeros((H, W), np.uint8)
        cv2.ellipse(front, (96, 60), (26, 40), 0, 0, 180, 1, -1)  # ... through the front's scooped neckline
        return whole, panel & front

    def _photo(self, whole: np.ndarray, inner: np.ndarray) -> torch.Tensor:
        img = np.empty((H, W, 3), np.float32)
        img[:] = (0.96, 0.96, 0.96)
        img[whole > 0] = self.FRONT
        img[inner > 0] = self.INSIDE
        img = cv2.GaussianBlur(img, (3, 3), 0)
        return torch.from_numpy(img).permute(2, 0, 1)[None].contiguous()

    def test_inner_back_is_dropped(self):
        whole, inner = self._camisole()
        photo = self._photo(whole, inner)
        result = prepare_garment_mask(photo)
        mask = result.mask[0, 0].numpy() > 0.5
        assert result.inner_back[0] > 0.05 and "inner back fabric" in result.describe()
        assert mask[inner > 0].mean() < 0.1  # the inside is gone
        front = (whole > 0) & (cv2.dilate(inner, np.ones((5, 5), np.uint8)) == 0)
        assert mask[front].mean() > 0.98  # the front and the straps stay

    def test_found_in_the_garments_box_as_over_the_whole_photo(self):
        """`_inner_back_one` looks in the garment's box grown by its ring's reach: the same panel as over the whole
        photo, also with the back's top edge on the photo's border (the box clipped there)."""
        from kfvton._arrays import to_uint8_hwc
        from kfvton.preprocess.garment_mask import _inner_back_in_box, _inner_back_one

        whole, inner = self._camisole()
        for shift in (0, -30):  # -30: the straps' tops on the photo's top row
            w, i = np.roll(whole, shift, 0), np.roll(inner, shift, 0)
            img = to_uint8_hwc(self._photo(w, i)[0])
            found = _inner_back_one(img, w)
            assert found.sum() > 0.5 * i.sum()
            np.testing.assert_array_equal(found, _inner_back_in_box(img, w))

    def test_scoop_back_with_a_deep_u_top_edge_is_dropped(self):
        """A sports crop top's back panel seen through its scoop (the unseen Reebok top's): the same fabric in
        shadow, its top edge a deep U whose low middle lies below the panel's top rows."""
        whole = np.zeros((H, W), np.uint8)
        cv2.rectangle(whole, (50, 30), (142, 200), 1, -1)
        cv2.ellipse(whole, (96, 30), (32, 40), 0, 0, 180, 0, -1)  # the back's scooped top edge: a deep U
        front = np.zeros((H, W), np.uint8)
        cv2.ellipse(front, (96, 40), (38, 62), 0, 0, 180, 1, -1)  # the front's lower scoop
        inner = whole & front
        img = np.empty((H, W, 3), np.float32)
        img[:] = (0.96, 0.96, 0.96)
        img[whole > 0] = (0.9, 0.82, 0.86)
        img[inner > 0] = (0.55, 0.5, 0.53)  # the front's pale pink in shadow
        img[100:170, 60:93] = np.linspace((0.4, 0.15, 0.45), (0.85, 0.7, 0.85), 33)  # a print on the front
        photo = torch.from_numpy(cv2.GaussianBlur(img, (3, 3), 0)).permute(2, 0, 1)[None].contiguous()
        result = prepare_garment_mask(photo)
        mask = result.mask[0, 0].numpy() > 0.5
        assert mask[inner > 0].mean() < 0.1  # the inside is gone
        assert mask[(whole > 0) & (cv2.dilate(inner, np.ones((5, 5), np.uint8)) == 0)].mean() > 0.98

    def test_in_shadow_reads_the_fabric_not_its_print(self):
        """`_in_shadow`: darker than the front's fabric by `SHADOW_DEPTH` of the fabric's own lightness spread, in
        its hue. A print in the front zone (the Reebok logo) widened the zone's spread to (16.3, 3, 3) (measured),
        not the fabric's: a grey inside under a white front is in shadow; a lighter pixel or another hue is not."""
        from kfvton.preprocess.garment_mask import _in_shadow

        rng = np.random.default_rng(0)
        white = np.array([236.0, 128.0, 128.0]) + rng.normal(0, 2, (600, 3))
        logo = np.linspace((60.0, 150.0, 105.0), (235.0, 130.0, 126.0), 400)  # purple shades and their edges
        front = np.concatenate([white, logo]).astype(np.float32)
        mean = np.median(front, axis=0)
        spread = np.array([16.3, 3.0, 3.0], np.float32)
        pixels = np.array([[[175.0, 128.0, 128.0], [230.0, 128.0, 128.0], [175.0, 150.0, 100.0]]], np.float32)
        assert np.sqrt((((pixels[0, 0] - mean) / spread) ** 2).sum()) < 4.0  # the grey is not far in colour
        assert _in_shadow(pixels, front, mean, spread).tolist() == [[True, False, False]]

    def test_collar_band_and_dark_yoke_stay(self):
        whole, _ = self._camisole()
        band = np.zeros((H, W), np.uint8)
        cv2.rectangle(band, (71, 60), (121, 63), 1, -1)  # a contrasting band along the top edge, 4 % wide
        whole[band > 0] = 1
        assert drop_inner_back(self._photo(whole, band), torch.from_numpy(whole).float()[None, None])[1] == (0.0,)
        yoke = np.zeros((H, W), np.uint8)
        cv2.rectangle(yoke, (50, 60), (142, 100), 1, -1)  # a dark yoke across the whole width: at the sides too
        whole[yoke > 0] = 1
        assert drop_inner_back(self._photo(whole, yoke), torch.from_numpy(whole).float()[None, None])[1] == (0.0,)

    def test_v_trim_stays_and_the_inside_it_frames_goes(self):
        """A cardigan's contrasting V trim (found alone: the inside is the front's own colour) stays whole, the inside
        it frames goes; cut out with it, the V was a ragged hole wider than the garment's."""
        whole = np.zeros((H, W), np.uint8)
        cv2.rectangle(whole, (30, 40), (162, 230), 1, -1)
        outer = np.zeros((H, W), np.uint8)
        cv2.fillPoly(outer, [np.array([(64, 40), (128, 40), (96, 140)], np.int32)], 1)
        inside = np.zeros((H, W), np.uint8)
        cv2.fillPoly(inside, [np.array([(73, 47), (119, 47), (96, 114)], np.int32)], 1)
        trim = outer & (inside == 0)
        img = np.empty((H, W, 3), np.float32)
        img[:] = (0.96, 0.96, 0.96)
        img[whole > 0] = (0.6, 0.6, 0.62)  # grey knit, the inside the same
        img[trim > 0] = (0.6, 0.8, 0.65)  # green trim
        photo = torch.from_numpy(cv2.GaussianBlur(img, (3, 3), 0)).permute(2, 0, 1)[None].contiguous()
        mask = drop_inner_back(photo, torch.from_numpy(whole).float()[None, None])[0][0, 0].numpy() > 0.5
        core = cv2.erode(trim, np.ones((3, 3), np.uint8)) > 0
        assert mask[core].mean() > 0.95  # the trim stays
        assert mask[cv2.erode(inside, np.ones((5, 5), np.uint8)) > 0].mean() < 0.05  # the inside goes
        assert mask[(whole > 0) & (outer == 0)].mean() > 0.99  # the front stays

    def test_shadow_inside_a_v_trim_goes_with_the_inside(self, monkeypatch):
        """The inside's shadow along a V trim is dark like an inside and is found with the trim (as on the unseen
        cardigan: `_inner_back_one` stands in for that find), but is not the trim's colour: it goes with the inside
        it borders (kept, it was a dark line inside the worn V); the trim and the garment's outline stay."""
        import kfvton.preprocess.garment_mask as gm

        whole = np.zeros((H, W), np.uint8)
        cv2.rectangle(whole, (30, 40), (162, 230), 1, -1)
        outer = np.zeros((H, W), np.uint8)
        cv2.fillPoly(outer, [np.array([(64, 40), (128, 40), (96, 140)], np.int32)], 1)
        inside = np.zeros((H, W), np.uint8)
        cv2.fillPoly(inside, [np.array([(70, 45), (122, 45), (96, 124)], np.int32)], 1)  # a thin trim
        trim = outer & (inside == 0)
        shadow = np.zeros((H, W), np.uint8)
        cv2.line(shadow, (120, 47), (97, 118), 1, 2)  # along the right arm's inner edge
        shadow &= inside
        img = np.empty((H, W, 3), np.float32)
        img[:] = (0.96, 0.96, 0.96)
        img[whole > 0] = (0.6, 0.6, 0.62)
        img[trim > 0] = (0.6, 0.8, 0.65)
        img[shadow > 0] = (0.25, 0.25, 0.27)
        monkeypatch.setattr(gm, "_inner_back_one", lambda _img, _fg: (trim | shadow) > 0)
        photo = torch.from_numpy(img).permute(2, 0, 1)[None].contiguous()
        mask = drop_inner_back(photo, torch.from_numpy(whole).float()[None, None])[0][0, 0].numpy() > 0.5
        assert mask[shadow > 0].mean() < 0.05  # the dark line goes
        assert mask[trim > 0].mean() > 0.99  # the trim stays
        assert mask[inside > 0].mean() < 0.05  # the inside goes
        assert mask[(whole > 0) & (outer == 0)].all()

    def test_sample_garments(self, samples_dir):
        """VITON-HD 11791_00 (V-neck) shows its inside: dropped; the plain crew neck 00006_00 (black inside black)
        and Dress Code's shirts lose nothing."""
        v_neck = samples_dir / "vitonhd" / "test" / "cloth" / "11791_00.jpg"
        if not v_neck.is_file():
            pytest.skip("samples missing")
        assert prepare_garment_mask(load_image(v_neck)).inner_back[0] > 0.03  # measured 0.089
        for path in [samples_dir / "vitonhd_paired" / "test" / "cloth" / "00006_00.jpg"] + sorted(
            (samples_dir / "dresscode" / "upper_body" / "images").glob("*_1.jpg")
        ):
            assert prepare_garment_mask(load_image(path)).inner_back[0] == 0.0, path.name


def _bench_garment():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import bench_garment

    return bench_garment


class TestBackdropsWithSampleGarments:
    """Sample garments cut out with their cloth masks and pasted on shop backdrops (benchmarks/bench_garment.py
    --backgrounds): the computed mask against the one from the garment's own studio photo. Floors are the
    measured values (512 x 384, these three garments) less a margin; the measurement is beside each."""

    GARMENTS = ("03751_00", "06429_00", "09933_00")  # a print with pale parts, white and yellow stripes, a camisole
    FLOORS = {  # backdrop: (floor on the mean, floor on the worst garment); measured mean / worst beside
        "light grey": (0.97, 0.96),  # 0.990 / 0.989
        "dark green": (0.97, 0.96),  # 0.989 / 0.987
        "shaded grey": (0.97, 0.96),  # 0.989 / 0.988
        "fine grain": (0.96, 0.95),  # 0.988 / 0.985 (before the noise was measured on the blurred image: 06429 0.59)
        "linen": (0.96, 0.95),  # 0.986 / 0.977
        "mottle": (0.95, 0.94),  # 0.983 / 0.976 (the camisole's thin grey straps are lost)
        "heavy mottle": (0.83, 0.65),  # 0.860 / 0.709 (03751's peach hem); before GrabCut 06429 gave no mask at all
    }

    @pytest.fixture(scope="class")
    @classmethod
    def garments(cls, vitonhd_dir):
        out = []
        for stem in cls.GARMENTS:
            path = vitonhd_dir / "cloth" / f"{stem}.jpg"
            if not path.is_file():
                pytest.skip("sample garments not found")
            garment = torch.nn.functional.interpolate(load_image(path), size=(512, 384), mode="area")
            ref = load_mask(vitonhd_dir / "cloth-mask" / path.name, threshold=128 / 255)
            ref = (torch.nn.functional.interpolate(ref, size=(512, 384), mode="area") > 0.5).float()
            out.append((garment, ref, prepare_garment_mask(garment).mask[0, 0] > 0.5))
        return out

    @pytest.mark.parametrize("backdrop", list(FLOORS))
    def test_backdrop(self, garments, backdrop):
        bench = _bench_garment()
        scores = []
        for k, (garment, ref, studio) in enumerate(garments):
            photo = bench.paste_on_backdrop(garment, ref, backdrop, seed=k)
            ours = prepare_garment_mask(photo).mask[0, 0] > 0.5
            scores.append(float((ours & studio).sum() / (ours | studio).sum()))
        mean_floor, min_floor = self.FLOORS[backdrop]
        assert np.mean(scores) >= mean_floor and min(scores) >= min_floor, scores


def test_mottled_backdrop_synthetic():
    """A pale shirt on a blotchy backdrop whose blotches are as light as the shirt: GrabCut keeps the shirt whole."""
    rng = np.random.default_rng(1)
    noise = cv2.GaussianBlur(rng.normal(0.0, 1.0, (H, W)).astype(np.float32), (0, 0), 4.0)
    back = 0.85 + 0.05 * noise / noise.std()
    img = np.repeat(back[..., None], 3, axis=2) * np.array([1.0, 0.98, 0.94], np.float32)
    shirt = shirt_mask()
    img[shirt > 0] = (0.96, 0.93, 0.78)
    img = cv2.GaussianBlur(img, (3, 3), 0)
    photo = torch.from_numpy(np.clip(img, 0, 1)).permute(2, 0, 1)[None].contiguous()
    assert iou(garment_mask_from_image(photo), shirt) > 0.93


class TestCleanGarmentRim:
    def test_backdrop_blend_on_the_rim_takes_the_inner_colour(self):
        garment = garment_on((0.95, 0.95, 0.95), (0.75, 0.25, 0.18))  # a red top on white, its edge blurred
        mask = torch.from_numpy(shirt_mask()).float()[None, None]
        cleaned = clean_garment_rim(garment, mask)
        inside = shirt_mask().astype(bool)
        rim = inside & (cv2.erode(shirt_mask(), np.ones((3, 3), np.uint8)) == 0)
        before = garment[0].permute(1, 2, 0).numpy()[rim]
        after = cleaned[0].permute(1, 2, 0).numpy()[rim]
        red = np.array([0.75, 0.25, 0.18])
        assert np.abs(before - red).sum(-1).mean() > 0.2  # the blur left pale pixels on the rim
        assert np.abs(after - red).sum(-1).mean() < 0.08
        far = cv2.dilate(shirt_mask(), np.ones((9, 9), np.uint8)) == 0
        assert torch.equal(cleaned[0, :, far], garment[0, :, far])  # the backdrop away from the outline stays

    def test_backdrop_next_to_the_outline_takes_the_garment_colour(self):
        # a warp samples bilinearly: a garment pixel landing half a pixel from the outline mixes in its neighbour
        garment = garment_on((0.95, 0.95, 0.95), (0.75, 0.25, 0.18))
        mask = torch.from_numpy(shirt_mask()).float()[None, None]
        cleaned = clean_garment_rim(garment, mask)
        red = torch.tensor([0.75, 0.25, 0.18])[:, None]
        next_to = torch.from_numpy((cv2.dilate(shirt_mask(), np.ones((3, 3), np.uint8)) > 0) & (shirt_mask() == 0))
        assert (garment[0][:, next_to] - red).abs().sum(0).mean() > 0.5  # white there before
        assert (cleaned[0][:, next_to] - red).abs().sum(0).mean() < 0.08
        # half a pixel outside the outline, as grid_sample reads it: the garment's red, not pink
        inside = torch.from_numpy(shirt_mask() > 0)
        half = 0.5 * (cleaned[0][:, next_to].mean(1) + cleaned[0][:, inside].mean(1))
        assert (half - red[:, 0]).abs().sum() < 0.08

    def test_a_rim_darker_than_the_inside_is_kept(self):
        # a dark hem band on a light garment: farther from the backdrop than the inside, not a blend
        mask_np = shirt_mask()
        band = (mask_np > 0) & (cv2.erode(mask_np, np.ones((3, 3), np.uint8)) == 0)  # on the rim only
        garment = torch.full((1, 3, H, W), 0.95)
        garment[0, :, torch.from_numpy(mask_np > 0)] = torch.tensor([0.6, 0.7, 0.9])[:, None]
        garment[0, :, torch.from_numpy(band)] = torch.tensor([0.1, 0.1, 0.3])[:, None]
        cleaned = clean_garment_rim(garment, torch.from_numpy(mask_np).float()[None, None])
        inside = torch.from_numpy(mask_np > 0)
        assert torch.equal(cleaned[0][:, inside], garment[0][:, inside])  # the band and the inside as they were


def test_clean_garment_rim_takes_out_a_drop_shadow_on_a_print():
    """A black-and-grey check print whose mask takes in a 5 px pale grey drop shadow (1024 rows, as Dress Code
    020720's cuffs): the shadow takes the print's colours. The rim rule alone kept it (its nearest inner pixels are
    shadow too); the print's inside, deeper than `SHADOW_PX`, stays as it was."""
    h, w = 1024, 768
    mask = np.zeros((h, w), np.uint8)
    mask[200:800, 200:560] = 1
    yy, xx = np.mgrid[0:h, 0:w]
    check = ((yy // 4 + xx // 4) % 2).astype(np.float32) * 0.45  # black and mid-grey squares
    img = np.full((h, w, 3), 0.97, np.float32)
    img[mask > 0] = check[mask > 0, None]
    shadow = (mask > 0) & (cv2.erode(mask, np.ones((11, 11), np.uint8)) == 0)  # the outer 5 px
    img[shadow] = 0.85
    garment = torch.from_numpy(img).permute(2, 0, 1)[None].contiguous()
    cleaned = clean_garment_rim(garment, torch.from_numpy(mask).float()[None, None])[0].permute(1, 2, 0).numpy()
    assert cleaned[shadow].max() <= 0.45 + 1e-6  # every shadow pixel now black or grey
    deep = cv2.erode(mask, np.ones((15, 15), np.uint8)) > 0
    assert np.array_equal(cleaned[deep], img[deep])


def test_clean_garment_rim_takes_out_a_drop_shadow_deeper_than_the_band():
    """A navy tee whose mask takes in its hem's 8 px drop shadow on a white backdrop, a ramp from the backdrop to
    light grey (1024 rows, as unseen ootd_050181_1's hem): the whole shadow takes the navy. The band rule alone took
    in only its outer `SHADOW_PX` and gave them the colour of the core's nearest pixel, shadow itself: a pale line
    along the warped hem. A white collar 40 px deep at the outline stays as the band rules leave it."""
    h, w = 1024, 768
    navy = np.array([0.11, 0.1, 0.17], np.float32)
    mask = np.zeros((h, w), np.uint8)
    mask[200:808, 200:560] = 1
    img = np.full((h, w, 3), 1.0, np.float32)
    img[mask > 0] = navy
    ramp = np.linspace(0.82, 0.97, 8, dtype=np.float32)  # rows 800-807: the shadow, lighter outwards
    img[800:808, 200:560] = ramp[:, None, None]
    collar = (slice(200, 240), slice(330, 430))  # a white collar at the top outline
    img[collar] = 0.97
    garment = torch.from_numpy(img).permute(2, 0, 1)[None].contiguous()
    cleaned = clean_garment_rim(garment, torch.from_numpy(mask).float()[None, None])[0].permute(1, 2, 0).numpy()
    shadow = cleaned[800:808, 230:530]
    assert np.abs(shadow - navy).sum(-1).max() < 0.1, shadow.mean((0, 1))  # navy to the hem's last row
    assert np.array_equal(cleaned[210:240, 340:420], img[210:240, 340:420])  # the collar past the band as it was
    deep = cv2.erode(mask, np.ones((31, 31), np.uint8)) > 0
    assert np.array_equal(cleaned[deep], img[deep])


@pytest.mark.parametrize("top_left", [(60, 70), (0, 0)])  # (the mask away from the photo's edges, and on two)
def test_clean_garment_rim_on_the_mask_box_changes_what_the_whole_photo_does(top_left):
    """`clean_garment_rim` runs its rules on the mask's grown box: the same pixels take the same colours as the
    rules over the whole photo (`_clean_rim`), a noisy print with a pale drop shadow on a white backdrop."""
    h, w = 512, 384
    y, x = top_left
    mask = np.zeros((h, w), np.uint8)
    mask[y : y + 320, x : x + 240] = 1
    rng = np.random.default_rng(3)
    # (a backdrop lighter away from the garment: a box cut too close to it reads another backdrop colour off the
    # cut ring)
    away = cv2.distanceTransform(1 - mask, cv2.DIST_L2, 3)
    img = np.repeat(np.minimum(0.6 + 0.06 * away, 1.0)[..., None], 3, -1).astype(np.float32)
    img[mask > 0] = rng.uniform(0.05, 0.6, (int(mask.sum()), 3)).astype(np.float32)
    # the outer pixels blends of the print and a shadow, in every share
    edge = (mask > 0) & (cv2.erode(mask, np.ones((7, 7), np.uint8)) == 0)
    t = rng.uniform(size=(int(edge.sum()), 1)).astype(np.float32)
    img[edge] = t * img[edge] + (1 - t) * 0.7
    garment = torch.from_numpy(img).permute(2, 0, 1)[None].contiguous()
    cleaned = clean_garment_rim(garment, torch.from_numpy(mask).float()[None, None])[0].permute(1, 2, 0).numpy()
    r = max(1, round(RIM_PX * h / 1024.0))
    d = max(r + 1, round(SHADOW_PX * h / 1024.0))
    disc, deep = (cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1)) for k in (r, d))
    ring_k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (4 * r + 5, 4 * r + 5))
    deep_px = max(float(d + 1), SHADOW_DEEP_PX * h / 1024.0)
    ry, rx, own = _clean_rim(img, mask, disc, ring_k, deep, deep_px)
    assert len(ry) > 100  # (the shadow and the rim change)
    expected = img.copy()
    expected[ry, rx] = own
    inside = mask > 0
    assert np.array_equal(cleaned[inside], expected[inside])


def _trousers_with_shadow(fabric: np.ndarray) -> tuple[torch.Tensor, torch.Tensor, np.ndarray, np.ndarray]:
    """Flat-lay trousers of `fabric` (3,) RGB on white (1024 x 768) whose mask takes in their shadow on the backdrop:
    a grey wedge filling the gap under the crotch (rows 330-430, as unseen ootd_051946_1) and an 8 px ramp along the
    image-left leg's outer side. Returns (garment, mask, wedge, ramp) (the last two (H, W) bool)."""
    h, w = 1024, 768
    legs = np.zeros((h, w), np.uint8)
    cv2.fillPoly(
        legs, [np.array([(250, 150), (520, 150), (540, 880), (420, 880), (385, 330), (350, 880), (230, 880)])], 1
    )
    wedge = np.zeros((h, w), np.uint8)
    cv2.fillPoly(wedge, [np.array([(385, 330), (392, 430), (378, 430)])], 1)
    wedge = (wedge > 0) & (legs == 0)
    ramp = np.zeros((h, w), bool)
    ramp[250:880, 222:230] = True
    ramp &= legs == 0
    img = np.full((h, w, 3), 1.0, np.float32)
    img[legs > 0] = fabric
    img[wedge] = 0.82  # the gap's shadow, a shade of the backdrop
    shade = np.broadcast_to(np.linspace(0.95, 0.8, 8, dtype=np.float32)[None, :, None], (630, 8, 3))
    img[250:880, 222:230] = np.where(ramp[250:880, 222:230, None], shade, img[250:880, 222:230])
    mask = (legs > 0) | wedge | ramp
    garment = torch.from_numpy(img).permute(2, 0, 1)[None].contiguous()
    return garment, torch.from_numpy(mask).float()[None, None], wedge, ramp


def test_drop_backdrop_shade_opens_the_crotch_gap_and_the_sides():
    """Pink trousers whose mask takes in their grey shadow in the gap under the crotch and along a side: both are
    backdrop now (the crotch found at the wedge's foot set a white slit under it in the try-on, the side's ramp came
    out as streaks); the pink fabric is all kept."""
    garment, mask, wedge, ramp = _trousers_with_shadow(np.array([0.85, 0.6, 0.6], np.float32))
    out = drop_backdrop_shade(garment, mask)[0, 0].numpy() > 0.5
    fabric = (mask[0, 0].numpy() > 0.5) & ~wedge & ~ramp
    off = cv2.dilate(fabric.astype(np.uint8), np.ones((7, 7), np.uint8)) == 0  # (the blur's blend with the pink)
    assert not out[wedge & off].any()
    assert not out[ramp & off].any()
    assert out[fabric].all()


def test_drop_backdrop_shade_keeps_a_neutral_garment():
    """Light grey trousers are a shade of the backdrop themselves (as a cream ground, unseen ootd_051517_1, whose
    ground was cut away whole): their mask stays as it was, shadow and all."""
    garment, mask, _, _ = _trousers_with_shadow(np.array([0.7, 0.7, 0.7], np.float32))
    assert torch.equal(drop_backdrop_shade(garment, mask), mask)
