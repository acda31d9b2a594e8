"""Issue 12's fit and repaint details on synthetic scenes and the samples: the inside of a garment's back cut from
its neck opening (`cut_inside_back`), and freed long sleeves repainted as arm-wide arms (the pose's limbs), not as
the old sleeve's width."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest
import torch

from kfvton.keypoints.garment_landmarks import GARMENT_LANDMARKS, GarmentLandmarks, detect_garment_landmarks
from kfvton.keypoints.pairs import KeypointPairs
from kfvton.keypoints.pose import Pose
from kfvton.pipelines.composite import composite_garment
from kfvton.pipelines.garment_warp import cut_inside_back, find_collar_stand, find_placket
from kfvton.preprocess.io import load_image, load_mask

G_HW = (200, 160)


def flat_top(inside: float) -> tuple[torch.Tensor, torch.Tensor, GarmentLandmarks]:
    """A flat top (rows 20-190, columns 20-140) of luminance 0.7 whose neck opening (columns 55-105, rows 20-45)
    shows its inside at luminance `inside`; landmarks with the collar sides at (55, 20), (105, 20)."""
    garment = torch.full((1, 3, *G_HW), 0.96)
    garment[..., 20:190, 20:140] = 0.7
    garment[..., 22:45, 58:102] = inside
    mask = torch.zeros(1, 1, *G_HW)
    mask[..., 20:190, 20:140] = 1
    points = torch.zeros(1, len(GARMENT_LANDMARKS), 3)
    for name, xy in {"collar_left": (105, 20), "collar_right": (55, 20), "collar_center": (80, 20)}.items():
        points[0, GARMENT_LANDMARKS.index(name)] = torch.tensor([*xy, 1.0])
    return garment, mask, GarmentLandmarks(points, G_HW, ("short",))


class TestInsideBack:
    def test_a_darker_inside_is_cut_and_nothing_else(self):
        garment, mask, landmarks = flat_top(inside=0.3)
        out = cut_inside_back(garment, mask, landmarks)
        assert out.shape == mask.shape
        removed = (mask > 0.5) & (out < 0.5)
        assert float(removed[..., 24:43, 62:98].float().mean()) > 0.9  # the inside
        assert not bool(removed[..., 50:, :].any())  # the front under the neckline stays
        assert not bool(removed[..., :, :50].any()) and not bool(removed[..., :, 110:].any())

    def test_the_band_over_an_opening_already_emptied_is_cut(self):
        """The inside already gone from the mask (`drop_inner_back`: a cardigan's V trim framed it), a band 4 rows
        tall over the opening: worn, it sits behind the neck, so it is cut over the opening's columns (left in, it
        crossed the neck); a keyhole shorter than `OPENING_MIN` collar widths under a band is not an opening."""
        garment, mask, landmarks = flat_top(inside=0.7)
        garment[..., 24:80, 58:102] = 0.96
        mask[..., 24:80, 58:102] = 0
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks) < 0.5)
        assert bool(removed[..., 20:24, 60:100].all())  # the band over the opening
        assert not bool(removed[..., 24:, :].any()) and not bool(removed[..., :, :55].any())
        assert not bool(removed[..., :, 106:].any())
        garment, mask, landmarks = flat_top(inside=0.7)
        garment[..., 24:34, 70:90] = 0.96
        mask[..., 24:34, 70:90] = 0
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks), mask)

    def test_the_bands_end_and_its_top_over_the_collar_points_go_with_it(self):
        """The band as above over an opening running 17 px (0.34 collar widths) past the left collar side to the V
        trim (columns 123 on, down to the hem); the band's end broken up by its shade (row 22 empty in columns
        116-122) and its top rising 4 rows over the collar points in columns 62-98 (the unseen CatVTON cardigan on
        ootd 051962_0: left in, a grey-green smudge at the V's top corner beside the neck). All of the band goes;
        the trim stays."""
        garment, mask, landmarks = flat_top(inside=0.7)
        garment[..., 24:80, 58:123] = 0.96
        mask[..., 24:80, 58:123] = 0
        mask[..., 22, 116:123] = 0
        garment[..., 16:20, 62:98] = 0.7
        mask[..., 16:20, 62:98] = 1
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks) < 0.5)
        band = mask > 0.5
        band[..., 24:, :] = False
        band[..., :, :60] = False
        band[..., :, 123:] = False
        assert bool(removed[band].all())  # the band, its end and its top
        assert not bool(removed[..., 24:, :].any()) and not bool(removed[..., :, 123:].any())  # the trim and front

    def test_a_tall_label_inside_does_not_stop_the_cut(self):
        """A white label 14 rows tall (0.28 collar widths, over the column gap bridged) in the middle of the dark
        inside: the inside is cut all across, not only down to the label's top (VITON-HD 00013's dark band)."""
        garment, mask, landmarks = flat_top(inside=0.3)
        garment[..., 26:40, 72:88] = 0.98
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks) < 0.5)
        assert float(removed[..., 24:43, 62:98].float().mean()) > 0.9
        assert not bool(removed[..., 50:, :].any())

    def test_a_label_at_the_centre_joined_to_the_band_does_not_stop_the_cut(self):
        """A light label hanging from the top band at the centre (columns 76-84, rows 20-52: longer than the
        inside, not enclosed by it; Dress Code 000004's denim shirt): the inside on both sides is cut, so is the
        label's column; an inside on one side of the centre only is not."""
        garment, mask, landmarks = flat_top(inside=0.3)
        garment[..., 20:52, 76:85] = 0.98
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks) < 0.5)
        assert float(removed[..., 24:43, 62:98].float().mean()) > 0.9
        assert not bool(removed[..., 50:, :].any())
        garment[..., 22:45, 58:76] = 0.7  # the left half of the opening is not dark: a dark patch off the centre
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks), mask)

    def test_a_print_of_light_motifs_is_not_filled(self):
        """The same dark opening strewn with six light motifs (a print on a mock neck, VITON-HD 02783): its holes
        are not taken as labels, the cut stays what the columns alone give."""
        garment, mask, landmarks = flat_top(inside=0.3)
        plain = cut_inside_back(garment, mask, landmarks)
        for x in (64, 76, 88):  # 9 rows tall: more than the column gap bridged
            for y in (24, 34):
                garment[..., y : y + 9, x : x + 6] = 0.98
        cut = cut_inside_back(garment, mask, landmarks)
        # (filled, nearly all of the plain opening's cut would go)
        assert float(((mask > 0.5) & (cut < 0.5)).sum()) < 0.5 * float(((mask > 0.5) & (plain < 0.5)).sum())

    def test_a_black_tees_inside_over_a_print_is_cut_to_the_rib(self):
        """A black tee (luminance 0.08) whose inside (down to 0.025, in shadow) runs past the collar sides (columns
        46-114) down to rows 36-48, over a plain front and a white print from row 75 (a collar width and a half under
        the collar, where the other rules read the front: unseen ootd_03032_00, none found its inside). The inside
        goes down to the front's rib and out into the opening's corners (a round neckline alone left them: dark
        wedges beside the neck); the front, the print and the shoulders stay. A knit's grainy front is not taken as
        plain."""
        garment, mask, landmarks = flat_top(inside=0.08)
        # (soft edges, as the photo's: no colour edge closes it, `_inside_between_wings`)
        across = (1 - (torch.arange(160.0) - 80).abs().sub(26).clamp(0, 8) / 8)[20:140]
        down = (1 - torch.arange(200.0).sub(36).clamp(0, 12) / 12)[20:190, None]
        garment[..., 20:190, 20:140] = 0.08 - 0.055 * down * across
        garment[..., 20:22, :] = 0.08  # (the back collar's band)
        garment[..., 75:130, 40:120] = 0.9
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks, by_shade=True, top=True) < 0.5)
        assert float(removed[..., 22:40, 52:108].float().mean()) > 0.95  # the inside, past the collar sides too
        assert not bool(removed[..., 47:, :].any())  # the front's rib, the front and the print
        assert not bool(removed[..., :, :40].any()) and not bool(removed[..., :, 121:].any())  # the shoulders
        noise = torch.Generator().manual_seed(0)
        knit = torch.rand((1, 3, 10, 40), generator=noise).repeat_interleave(3, dim=2).repeat_interleave(3, dim=3)
        garment[..., 45:75, 20:140] += 0.025 * knit  # (3 px grains in colour)
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks, by_shade=True, top=True), mask)

    def test_a_v_necks_inside_is_cut_down_to_its_tip(self):
        """A V-neck's inside (columns 58-102, its bottom edge from row 40 at the sides down to row 62 at the centre):
        cut down to the V's tip, not flattened above it by the median over the middle columns (VITON-HD 11791: a
        dark triangle of the inside under the V on the chest), and no farther than its sides."""
        garment, mask, landmarks = flat_top(inside=0.7)
        for x in range(58, 102):
            garment[..., 22 : 62 - abs(x - 80), x] = 0.3
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks) < 0.5)
        assert bool(removed[..., 22:58, 78:83].all()) and bool(removed[..., 57:60, 80].all())  # down to the tip
        assert not bool(removed[..., 64:, :].any())  # the front under the tip stays
        assert not bool(removed[..., 54:, 66].any()) and not bool(removed[..., 54:, 94].any())  # and beside its sides

    def test_a_v_necks_cut_stays_on_its_sides_lines_under_shaded_collar_points(self):
        """The V-neck above with its collar points' shaded undersides as dark as its inside, running on in columns
        58-66 and 94-102 down to row 56 (the ootd idm_09176 pink shirt): those runs end at the points' tips, deeper
        than the V's sides there (row 44 at column 62); the cut stays on the lines the sides follow near the middle
        (`_v_sides`) and still reaches the tip. On main it took the points down to row 56: a staircase through the
        collar's wings."""
        garment, mask, landmarks = flat_top(inside=0.7)
        for x in range(58, 102):
            garment[..., 22 : 62 - abs(x - 80), x] = 0.3
        garment[..., 22:56, 58:67] = 0.3
        garment[..., 22:56, 94:102] = 0.3
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks) < 0.5)
        assert bool(removed[..., 22:40, 60:100].all())  # the inside over the points' tops
        assert bool(removed[..., 22:58, 78:83].all())  # down to the tip
        assert not bool(removed[..., 50:, 55:68].any()) and not bool(removed[..., 50:, 92:105].any())  # the points

    def test_collar_sides_inside_the_opening_still_cut_all_of_it(self):
        """Collar sides detected 7 px inside the dark opening's ends (VITON-HD 00013): the cut follows the inside
        past them to the opening's ends, and no farther."""
        garment, mask, _ = flat_top(inside=0.3)
        points = torch.zeros(1, len(GARMENT_LANDMARKS), 3)
        for name, xy in {"collar_left": (95, 20), "collar_right": (65, 20), "collar_center": (80, 20)}.items():
            points[0, GARMENT_LANDMARKS.index(name)] = torch.tensor([*xy, 1.0])
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, GarmentLandmarks(points, G_HW, ("short",))) < 0.5)
        assert float(removed[..., 24:43, 59:101].float().mean()) > 0.9
        assert not bool(removed[..., :, :55].any()) and not bool(removed[..., :, 105:].any())
        assert not bool(removed[..., 50:, :].any())

    def test_the_cut_ends_where_the_inside_steps_up_not_in_a_shaded_front(self):
        """A dark band (0.2) over a front shaded to 0.5 for 10 rows under it (under 0.8 of the 0.7 front; a velvet
        mock neck, VITON-HD 11028): the cut ends at the band's bottom, the shaded front stays (it was cut into a
        stepped notch under the neck)."""
        garment, mask, landmarks = flat_top(inside=0.2)
        garment[..., 45:55, 58:102] = 0.5
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks) < 0.5)
        assert float(removed[..., 24:43, 62:98].float().mean()) > 0.9
        assert not bool(removed[..., 47:, :].any())

    def test_a_stepped_inside_is_cut_along_one_smooth_curve(self):
        """An inside whose bottom steps from row 45 to row 36 at column 70 (its runs end on a print or the rib at
        their own rows: VITON-HD 06802's navy tee, 11028's velvet mock neck): the cut's bottom ramps between the
        two depths over several columns (`_smooth_neckline`; it stepped 9 rows at one column, a notch at the
        person's neck), within the inside's depths, and the front under the inside stays."""
        garment, mask, landmarks = flat_top(inside=0.3)
        garment[..., 36:45, 58:70] = 0.7
        removed = ((mask > 0.5) & (cut_inside_back(garment, mask, landmarks) < 0.5))[0, 0]
        cols = range(60, 100)
        bottom = torch.tensor([int(torch.nonzero(removed[:, x]).max()) for x in cols], dtype=torch.float32)
        assert float(bottom.diff().abs().max()) <= 3.0
        assert float(bottom[cols.index(62)]) < 42.0 and float(bottom[cols.index(85)]) >= 43.0  # both depths
        assert not bool(removed[46:].any())

    def test_real_insides_are_cut_without_a_staircase(self, vitonhd_dir: Path):
        """VITON-HD 01260 (knit mock neck), 11028 (velvet), 01430 (Fiorucci): the cut's bottom steps at most 3 rows
        from column to column. The dark pixels under the smoothed curve (`_v_tip`'s add-back, meant for a V's tip)
        were cut back down to the unsmoothed staircase: steps of 9, 11 and 14 rows, notches at the person's neck."""
        for name in ("01260_00", "11028_00", "01430_00"):
            garment = load_image(vitonhd_dir / "cloth" / f"{name}.jpg")
            mask = load_mask(vitonhd_dir / "cloth-mask" / f"{name}.jpg")
            landmarks = detect_garment_landmarks(garment, mask)
            cut = cut_inside_back(garment, mask, landmarks, by_shade=True, top=True)
            removed = ((mask > 0.5) & (cut < 0.5))[0, 0]
            cols = [x for x in range(removed.shape[1]) if bool(removed[:, x].any())]
            assert len(cols) > 100, name
            bottom = torch.tensor([int(torch.nonzero(removed[:, x]).max()) for x in cols], dtype=torch.float32)
            assert float(bottom.diff().abs().max()) <= 3.0, name

    def test_the_front_is_read_beside_a_print_under_the_collar(self, vitonhd_dir: Path):
        """VITON-HD 01430 (Fiorucci tee): its angels print lies where the front's level is sampled, one to two collar
        widths under the collar's centre; the plain red beside it (`FRONT_SIDE`) is the front, and its darker red
        inside and white label are cut (sampled on the print, nothing was cut: the label showed at the person's
        neck), within 0.6 collar widths of the collar's top (the print starts 0.9 under it); the print stays."""
        garment = load_image(vitonhd_dir / "cloth" / "01430_00.jpg")
        mask = load_mask(vitonhd_dir / "cloth-mask" / "01430_00.jpg")
        landmarks = detect_garment_landmarks(garment, mask)
        removed = ((mask > 0.5) & (cut_inside_back(garment, mask, landmarks, top=True) < 0.5))[0, 0]
        pts = landmarks.points[0]
        right, left = pts[GARMENT_LANDMARKS.index("collar_right")], pts[GARMENT_LANDMARKS.index("collar_left")]
        cw, top, xm = float(left[0] - right[0]), float(min(left[1], right[1])), int((left[0] + right[0]) / 2)
        label = removed[int(top + 0.15 * cw) : int(top + 0.3 * cw), xm - int(cw / 8) : xm + int(cw / 8)]
        assert float(label.float().mean()) > 0.9
        assert not bool(removed[int(top + 0.6 * cw) :].any())

    def test_a_contrasting_rib_under_the_inside_stays_a_lining_goes(self):
        """A blue rib 4 rows tall (0.08 collar widths) under the grey inside (a ringer tee's front rib, darker than
        the front, in the inside's run): with `top` the inside is cut, the rib stays (without it, both go);
        an inside all of the rib's colour (a lining) is cut whole."""
        blue = torch.tensor([0.05, 0.4, 0.75])[:, None, None]
        garment, mask, landmarks = flat_top(inside=0.3)
        garment[0, :, 45:49, 58:102] = blue
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks, top=True) < 0.5)
        assert float(removed[..., 24:43, 62:98].float().mean()) > 0.9
        assert not bool(removed[..., 46:, 62:98].any())
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks) < 0.5)  # (not asked: a dress's print)
        assert bool(removed[..., 46:48, 62:98].all())
        garment[0, :, 22:49, 58:102] = blue
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks, top=True) < 0.5)
        assert float(removed[..., 24:48, 62:98].float().mean()) > 0.9

    def test_nothing_is_cut_where_the_opening_is_not_darker(self):
        garment, mask, landmarks = flat_top(inside=0.7)
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks), mask)
        garment, mask, landmarks = flat_top(inside=0.75)  # a black garment's lighter inside: kept
        garment[..., 20:190, 20:140] = 0.05
        garment[..., 22:45, 58:102] = 0.08
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks), mask)

    def test_an_enclosed_inside_no_darker_is_cut(self):
        """An inside of luminance 0.58 on a 0.7 front (0.83 of it: not dark by `INSIDE_BACK_DARK`; a shaded pink
        shirt, VITON-HD 00034) closed all around by the front: cut as the region the garment's edges enclose. The
        same shade running down past the window (a darker front panel, no inside) is not cut."""
        garment, mask, landmarks = flat_top(inside=0.58)
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks) < 0.5)
        assert float(removed[..., 24:43, 62:98].float().mean()) > 0.9
        assert not bool(removed[..., 50:, :].any())
        assert not bool(removed[..., :, :50].any()) and not bool(removed[..., :, 110:].any())
        garment[..., 22:190, 58:102] = 0.58
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks), mask)

    @staticmethod
    def keyhole_v() -> tuple[torch.Tensor, torch.Tensor, GarmentLandmarks]:
        """A flat grey top (luminance 0.7, rows 40-380, columns 40-280 of 400x320; collar sides at (100, 40) and
        (220, 40)) whose V-neck shows an inside of a pink as light (0.69), its tip at row 165 (1.04 collar widths
        under the collar), split down the centre by a back's keyhole (a slit 5 px wide, rows 48-140, the backdrop
        seen through it) with a white label beside it: the unseen ootd 049947 blouse, at its scale (the edges'
        blur closes a smaller V)."""
        hw = (400, 320)
        garment = torch.full((1, 3, *hw), 0.96)
        garment[..., 40:380, 40:280] = 0.7
        for x in range(100, 221):
            garment[0, :, 44 : int(165 - abs(x - 160) * 121 / 60), x] = torch.tensor([0.85, 0.64, 0.62])[:, None]
        garment[..., 48:140, 158:163] = 0.96
        garment[..., 55:63, 172:196] = 0.95
        mask = torch.zeros(1, 1, *hw)
        mask[..., 40:380, 40:280] = 1
        mask[..., 48:140, 158:163] = 0
        points = torch.zeros(1, len(GARMENT_LANDMARKS), 3)
        for name, xy in {"collar_left": (220, 40), "collar_right": (100, 40), "collar_center": (160, 40)}.items():
            points[0, GARMENT_LANDMARKS.index(name)] = torch.tensor([*xy, 1.0])
        return garment, mask, GarmentLandmarks(points, hw, ("long",))

    def test_a_v_split_by_a_keyhole_is_cut_with_its_slit_and_label(self):
        """The keyhole's slit leaves the centre column all edges and splits the inside in two halves; no darker
        than the front, they were kept (worn, the keyhole and label sat inside the V on the chest). A top's cut
        takes both halves, the slit and the label, down to the V's tip; the front under the tip and beside the V
        stays. Printed (a patch over one half) it is no inside."""
        garment, mask, landmarks = self.keyhole_v()
        cut = cut_inside_back(garment, mask, landmarks, by_shade=True, top=True)
        removed = (mask > 0.5) & (cut < 0.5)
        inside = (garment[:, :1] - garment[:, 1:2] > 0.1) | (garment[:, :1] > 0.9)  # pink, the label, the slit
        inside[..., :44, :] = False
        inside[..., 160:, :] = False
        assert float(removed[inside & (mask > 0.5)].float().mean()) > 0.97  # both halves and the label
        assert bool(removed[..., 40:48, 158:163].all()) and bool(removed[..., 140:155, 158:163].all())  # the slit's
        assert not bool(removed[..., 172:, :].any())  # the front under the tip
        assert not bool(removed[..., 120:, :130].any()) and not bool(removed[..., 120:, 191:].any())  # beside the V
        printed = garment.clone()
        printed[..., 70:110, 120:150] = torch.tensor([0.1, 0.5, 0.2])[:, None, None]
        torch.testing.assert_close(cut_inside_back(printed, mask, landmarks, top=True), mask)

    def test_a_sliver_enclosed_no_darker_is_not_cut(self):
        """The same shade 12 rows tall under the collar: the region inside its edges is a sliver under
        `WINGS_AREA` (a sheer blouse's stand collar, its gathers' edges closing slivers of its front: widened to the
        edges' middle they made a region to cut, and the collar was cut away): a top's is not cut."""
        garment, mask, landmarks = flat_top(inside=0.7)
        garment[..., 22:34, 58:102] = 0.58
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks, top=True), mask)
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks) < 0.5)  # (not asked: a dress's print)
        assert bool(removed[..., 24:32, 62:98].all())

    @staticmethod
    def soft_inside() -> tuple[torch.Tensor, torch.Tensor, GarmentLandmarks]:
        """`flat_top` with a slightly lighter inside (0.78 on 0.7) whose edges are blurred (sigma 6 px): no
        darker run, and no edges closing it all around (Dress Code 020717's pale dress: neither check finds it)."""
        garment, mask, landmarks = flat_top(inside=0.78)
        blurred = cv2.GaussianBlur(garment[0].permute(1, 2, 0).numpy(), (0, 0), 6.0)
        return torch.where(mask > 0.5, torch.from_numpy(blurred).permute(2, 0, 1)[None], garment), mask, landmarks

    def test_by_colour_a_lighter_inside_of_a_filled_opening_is_cut(self):
        """Kept without `by_colour`, cut with it down to a round neckline `INSIDE_COLOUR_WIDTH` of the collar width
        across; the front under it and the garment beside it kept."""
        garment, mask, landmarks = self.soft_inside()
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks), mask)
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks, by_colour=True) < 0.5)
        assert float(removed[..., 22:44, 72:89].float().mean()) > 0.9  # the inside at the centre
        assert float(removed[..., 22:30, 64:97].float().mean()) > 0.9  # ... across INSIDE_COLOUR_WIDTH of it
        assert not bool(removed[..., 48:, :].any())  # the front under the neckline stays
        # and the shoulders beside the collar sides (cut out to them, a T-shirt dress bared the wearer's shoulder)
        assert not bool(removed[..., :, :62].any()) and not bool(removed[..., :, 99:].any())

    def test_by_colour_leaves_prints_and_open_necks(self):
        """Nothing is cut by colour on a printed front (it differs from itself), nor where the opening is already a
        hole in the mask (the front neckline is the mask's)."""
        garment, mask, landmarks = self.soft_inside()
        gen = torch.Generator().manual_seed(0)
        garment[..., 50:190, 20:140] = 0.4 + 0.5 * torch.rand(1, 1, 140, 120, generator=gen)
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks, by_colour=True), mask)
        garment, mask, landmarks = self.soft_inside()
        mask[..., 24:40, 60:100] = 0  # the neck opening shows the background
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks, by_colour=True), mask)

    @staticmethod
    def over_placket(placket: tuple[float, float, float] = (0.05, 0.05, 0.06)) -> tuple[torch.Tensor, ...]:
        """A cream collared dress front (`flat_top`'s outline) whose filled neck opening shows a tan inside (rows
        30-45) with a white label on it, over the back collar's band (rows 20-30, the front's fabric) and above a
        button placket (`placket`, columns 72-88 from row 45) with a gold button where the front is sampled (rows
        80-92), all blurred (sigma 3: no edge closes the inside; unseen CatVTON 23962182)."""
        garment, mask, landmarks = flat_top(inside=0.7)
        cream, tan = torch.tensor([0.92, 0.89, 0.78]), torch.tensor([0.8, 0.6, 0.35])
        garment[..., 20:190, 20:140] = cream[:, None, None]
        garment[..., 30:45, 58:102] = tan[:, None, None]
        garment[..., 32:39, 70:90] = 0.97  # the label
        garment[..., 45:190, 72:88] = torch.tensor(placket)[:, None, None]
        garment[..., 80:92, 74:86] = torch.tensor([0.8, 0.65, 0.2])[:, None, None]  # a gold button
        blurred = cv2.GaussianBlur(garment[0].permute(1, 2, 0).numpy(), (0, 0), 3.0)
        return torch.where(mask > 0.5, torch.from_numpy(blurred).permute(2, 0, 1)[None], garment), mask, landmarks

    def test_by_colour_the_inside_over_a_placket_is_cut(self):
        """With `by_colour` (dresses) the band, inside and label go down to the placket's top (row 45), across the
        round neckline; the placket, the front beside and under the neckline and the shoulders stay. Without the
        placket rule nothing was cut: the front sampled under the collar's centre is the placket (dark, and not
        plain with its button) and blurred edges close no inside."""
        garment, mask, landmarks = self.over_placket()
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks, by_colour=True) < 0.5)
        assert float(removed[..., 22:40, 70:91].float().mean()) > 0.9  # the band, the label, the inside
        assert not bool(removed[..., 48:, :].any())  # the placket and the front under the neckline
        assert not bool(removed[..., :, :55].any()) and not bool(removed[..., :, 106:].any())

    def test_a_printed_front_or_a_tops_is_not_read_as_a_placket(self):
        """A front printed all over (no plain side to read the front beside the centre) finds no placket, and
        tops (no `by_colour`) do not use the rule."""
        garment, mask, landmarks = self.over_placket()
        gen = torch.Generator().manual_seed(0)
        garment[..., 50:190, 20:140] = 0.4 + 0.5 * torch.rand(1, 3, 140, 120, generator=gen)
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks, by_colour=True), mask)
        garment, mask, landmarks = self.over_placket()
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks), mask)

    @staticmethod
    def grey_inside(inside: tuple[float, float, float] = (0.65, 0.65, 0.65)) -> tuple[torch.Tensor, ...]:
        """A white top (0.97) whose inside (`inside`, rows 21-42: 0.44 collar widths, a bowl under the collar line)
        is shaded over a plain front, its edges soft, wider than the collar sides (no edge closes it), with a busy
        print from row 70 (one collar width under the collar: where `_inside_back` reads the front's level, so it
        finds no inside darker than 0.8 of it)."""
        garment, mask, landmarks = flat_top(inside=0.97)
        garment[..., 20:190, 20:140] = 0.97
        yy, xx = torch.meshgrid(torch.arange(G_HW[0]), torch.arange(G_HW[1]), indexing="ij")
        u = ((xx - 80) / 45.0) ** 2 + ((yy - 21) / 22.0) ** 2 < 1  # a bowl under the collar line
        garment[0, :, u] = torch.tensor(inside)[:, None]
        # with soft edges (sigma 3 px; a fold's shade, no edge closing it all around: `_inside_between_wings`)
        blurred = torch.from_numpy(cv2.GaussianBlur(garment[0].permute(1, 2, 0).numpy(), (0, 0), 3.0))
        garment[0, :, 20:70] = blurred.permute(2, 0, 1)[:, 20:70]
        gen = torch.Generator().manual_seed(0)
        garment[..., 70:190, 20:140] = 0.1 + 0.8 * (torch.rand(1, 1, 120, 120, generator=gen) > 0.5).float()
        return garment, mask, landmarks

    def test_by_shade_an_inside_in_shade_over_a_plain_front_is_cut(self):
        """Kept without `by_shade`, cut with it: the bowl, its corners too (up to `INSIDE_BACK_WIDER` collar widths
        beyond the collar sides), down to its bottom; the front under it and the garment farther out stay."""
        garment, mask, landmarks = self.grey_inside()
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks), mask)
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks, by_shade=True) < 0.5)
        assert float(removed[..., 22:40, 76:85].float().mean()) > 0.95  # the inside at the centre
        assert float(removed[..., 22:28, 45:115].float().mean()) > 0.9  # ... out to its corners
        assert not bool(removed[..., 46:, :].any())  # the front under it stays
        assert not bool(removed[..., :, :40].any()) and not bool(removed[..., :, 121:].any())

    def test_by_shade_leaves_black_tops_trims_and_printed_fronts(self):
        """`by_shade` cuts nothing more where the inside is as dark as the front (a black top), where the dark band
        is of another colour (a blue rib: `SHADE_HUE`), nor over a printed front (no plain front to tell an inside
        from)."""
        garment, mask, landmarks = self.grey_inside(inside=(0.05, 0.05, 0.05))
        garment[..., 43:70, 20:140] = 0.05
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks, by_shade=True), mask)
        for inside in ((0.35, 0.55, 0.9), None):
            garment, mask, landmarks = self.grey_inside() if inside is None else self.grey_inside(inside=inside)
            if inside is None:
                gen = torch.Generator().manual_seed(1)
                garment[..., 45:70, 20:140] = 0.3 + 0.6 * (torch.rand(1, 1, 25, 120, generator=gen) > 0.5).float()
            plain = cut_inside_back(garment, mask, landmarks)
            torch.testing.assert_close(cut_inside_back(garment, mask, landmarks, by_shade=True), plain)

    @staticmethod
    def labelled(band: bool = False) -> tuple[torch.Tensor, ...]:
        """A white top (0.97) whose inside is as white, with a label (rows 24-34, columns 70-90: 0.42 collar widths
        across, beige in a black frame, as the unseen Gucci tee's: no dark run across the opening) at the centre of
        the opening and a logo's letters over rows 80-100 (the front is not plain); with `band`, a dark rib across the
        whole opening instead (rows 22-28)."""
        garment, mask, landmarks = flat_top(inside=0.97)
        garment[..., 20:190, 20:140] = 0.97
        if band:
            garment[..., 22:29, 50:110] = 0.15
        else:
            garment[..., 24:35, 70:91] = 0.1  # a black frame round a beige label
            garment[..., 26:33, 72:89] = torch.tensor([0.88, 0.82, 0.7])[:, None, None]
        for x in (45, 70, 95):  # a logo's letters
            garment[..., 80:100, x : x + 10] = torch.tensor([0.7, 0.55, 0.3])[:, None, None]
        return garment, mask, landmarks

    def test_a_label_on_an_inside_of_the_fronts_colour_is_cut(self):
        """A top's (`top`): the label goes whole, corners too, under a round neckline out to the collar sides (the
        unseen Gucci tee's label was cut in half by the composite's closed neck, a dark box at the front of the
        neck); the front under it and the shoulders stay. A dress's rules (`top` False) keep it, and a dark rib
        across the opening is no label."""
        garment, mask, landmarks = self.labelled()
        removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks, top=True) < 0.5)
        assert bool(removed[..., 24:35, 70:91].all())  # main: nothing cut
        assert not bool(removed[..., 60:, :].any())
        assert not bool(removed[..., :, :54].any()) and not bool(removed[..., :, 107:].any())
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks), mask)
        garment, mask, landmarks = self.labelled(band=True)
        kept = cut_inside_back(garment, mask, landmarks)
        torch.testing.assert_close(cut_inside_back(garment, mask, landmarks, top=True), kept)

    def test_on_samples(self, samples_dir: Path):
        root = samples_dir / "vitonhd_paired" / "test"
        if not root.is_dir():
            pytest.skip(f"{root} not found")
        for name, cut in (("00008_00", True), ("00006_00", False)):
            garment = load_image(root / "cloth" / f"{name}.jpg")
            mask = load_mask(root / "cloth-mask" / f"{name}.jpg")
            landmarks = detect_garment_landmarks(garment, mask)
            removed = (mask > 0.5) & (cut_inside_back(garment, mask, landmarks) < 0.5)
            if not cut:  # a black top's lighter inside, a shirt collar: left alone
                assert not bool(removed.any()), name
                continue
            rows = removed[0, 0].any(1).nonzero().flatten()
            height = int((mask[0, 0] > 0.5).any(1).sum())
            # the adidas top's red inside between its white back collar and its white front band
            assert int(removed.sum()) > 3000 and int(rows.max()) < int(rows.min()) + 0.12 * height


class TestCollarStand:
    def test_a_shirt_band_above_its_inside_is_the_stand(self):
        """A back collar band (rows 20-39, garment-coloured) above a dark inside (rows 40-55): the cut takes both,
        the stand is the band's bottom edge on the centre column."""
        garment, mask, landmarks = flat_top(inside=0.7)
        garment[..., 40:56, 58:102] = 0.25
        cut = cut_inside_back(garment, mask, landmarks)
        assert bool((cut[..., 22:50, 80] < 0.5).all())  # band and inside are cut
        stand = find_collar_stand(garment, mask, cut, landmarks).collar_stand
        assert stand.shape == (1, 3) and float(stand[0, 2]) == 1.0
        assert float(stand[0, 0]) == 80.0 and 38 <= float(stand[0, 1]) <= 42

    def test_a_thin_band_gives_a_shallow_stand_nothing_cut_none(self):
        garment, mask, landmarks = flat_top(inside=0.3)  # the inside 2 rows under the top
        cut = cut_inside_back(garment, mask, landmarks)
        stand = find_collar_stand(garment, mask, cut, landmarks).collar_stand
        assert float(stand[0, 2]) == 1.0 and 20 < float(stand[0, 1]) <= 24
        garment, mask, landmarks = flat_top(inside=0.7)  # nothing cut
        torch.testing.assert_close(find_collar_stand(garment, mask, mask, landmarks).collar_stand, torch.zeros(1, 3))

    def test_a_closed_mock_neck_stands_a_sloping_shoulder_does_not(self):
        """Nothing cut, the mask's top standing straight up 20 rows (a closed mock neck, columns 55-105 over a body
        from row 40) just outside collar sides read 2 px inside its corners: the band's bottom, 20 rows under the
        collar sides, is the stand (`_mock_neck_base`). Shoulders falling 1 row per column from there instead:
        none."""
        garment, mask, landmarks = flat_top(inside=0.7)
        garment[..., 20:40, :], mask[..., 20:40, :] = 0.96, 0
        garment[..., 20:40, 55:106] = 0.7
        mask[..., 20:40, 55:106] = 1
        points = landmarks.points.clone()
        points[0, GARMENT_LANDMARKS.index("collar_left"), 0] = 103
        points[0, GARMENT_LANDMARKS.index("collar_right"), 0] = 57
        landmarks = GarmentLandmarks(points, G_HW, ("short",))
        stand = find_collar_stand(garment, mask, mask, landmarks).collar_stand
        torch.testing.assert_close(stand, torch.tensor([[80.0, 40.0, 1.0]]))
        for k in range(20):  # the shoulders slope down from the band's top instead
            mask[..., 20 + k : 40, 105 + k] = mask[..., 20 + k : 40, 55 - k] = 1
        torch.testing.assert_close(find_collar_stand(garment, mask, mask, landmarks).collar_stand, torch.zeros(1, 3))


class TestPlacket:
    def test_a_placket_under_the_front_is_found_a_print_is_not(self):
        """A shirt's button placket: two seams running down the centre column from the front under the cut
        opening (row 45). A plain front and a print patch over a third of the rows have none."""
        garment, mask, landmarks = flat_top(inside=0.3)
        cut = cut_inside_back(garment, mask, landmarks)
        assert not bool(find_placket(garment, cut, landmarks)[0])  # a plain front
        printed = garment.clone()
        printed[..., 60:80, 68:92] = 0.2  # a print's dark patch over 20 of the 70 rows read
        assert not bool(find_placket(printed, cut, landmarks)[0])
        shirt = garment.clone()
        shirt[..., 45:190, 75:77] = 0.45
        shirt[..., 45:190, 84:86] = 0.45
        found = find_placket(shirt, cut, landmarks)
        assert found.shape == (1,) and found.dtype == torch.bool and bool(found[0])
        assert not bool(find_placket(shirt, mask, landmarks)[0])  # nothing cut: no front to start from


def test_freed_long_sleeve_is_repainted_arm_wide():
    """An old long sleeve 48 px wide (x 8-56) over an arm the pose puts at x 32: under a sleeveless garment the
    repaint puts skin about an arm's width (0.14-0.24 shoulder widths of 100 px) around the bone, background beyond."""
    h, w = 256, 192
    person = torch.full((1, 3, h, w), 0.92)
    parse = torch.zeros(1, h, w, dtype=torch.long)
    person[..., 10:40, 72:120] = torch.tensor([0.85, 0.65, 0.55])[:, None, None]  # face
    parse[0, 10:40, 72:120] = 13
    person[..., 50:230, 8:184] = torch.tensor([0.2, 0.25, 0.5])[:, None, None]  # old long-sleeved top
    parse[0, 50:230, 8:184] = 5
    person[..., 230:250, 24:40] = torch.tensor([0.85, 0.65, 0.55])[:, None, None]  # a hand
    parse[0, 230:250, 24:40] = 15
    joints = torch.zeros(1, 25, 3)
    for k, xy in {0: (96, 30), 1: (96, 56), 2: (46, 60), 3: (34, 140), 4: (32, 225), 5: (146, 60), 6: (158, 140),
                  7: (160, 225), 9: (70, 200), 12: (122, 200)}.items():  # fmt: skip
        joints[0, k] = torch.tensor([*xy, 1.0])
    pose = Pose(joints, (h, w))
    names = ("collar_left", "collar_right", "shoulder_left", "shoulder_right", "armpit_left", "armpit_right",
             "hem_left", "hem_center", "hem_right")  # fmt: skip
    targets = {"collar_left": (110, 50), "collar_right": (82, 50), "shoulder_left": (130, 55),
               "shoulder_right": (62, 55), "armpit_left": (140, 100), "armpit_right": (52, 100),
               "hem_left": (140, 228), "hem_center": (96, 228), "hem_right": (52, 228)}  # fmt: skip
    person_px = torch.tensor([[[*targets[n], 1.0] for n in names]])
    pairs = KeypointPairs(person_px.clone(), person_px, names, (h, w), (h, w), pose=pose)
    mask = torch.zeros(1, 1, h, w)
    mask[..., 50:228, 58:134] = 1  # sleeveless new garment
    garment = torch.tensor([0.9, 0.8, 0.2])[None, :, None, None].expand(1, 3, h, w).clone()
    out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs)
    row = out.image[0, :, 180, :56]  # across the forearm, off the garment
    skin = (row[0] - row[2]) > 0.15  # reddish, not the grey background nor the blue sleeve
    width = int(skin.sum())
    assert 10 <= width <= 26, width  # forearm ~0.15-0.19 shoulder widths (100 px)
    cols = skin.nonzero().flatten()
    assert abs(float(cols.float().mean()) - 34.0) < 5  # around the bone
    assert float(row[:, :16].mean(0).sub(0.92).abs().max()) < 0.08  # the old sleeve's outer part: background


def test_band_over_a_wider_old_sleeve_tapers_where_the_arm_shows():
    """A new sleeve (columns 100-180) narrower than the old one (from column 90) down to its hem at row 330, the bare
    arm below: the grown band beside the new sleeve covers the old sleeve, and ends in a slope above the arm's skin
    (at most as wide as the rows to it), not in a notch the band's full width deep."""
    hw = (512, 256)
    person = torch.full((1, 3, *hw), 0.9)
    parse = torch.zeros(1, *hw, dtype=torch.long)
    parse[0, 200:330, 90:180] = 5  # the old sleeve
    parse[0, 330:480, 100:180] = 5  # (under the new sleeve)
    parse[0, 330:480, 90:100] = 14  # the bare arm beside it
    person[0, :, 200:480, 90:180] = torch.tensor([0.2, 0.5, 0.2])[:, None, None]
    person[0, :, 330:480, 90:100] = torch.tensor([0.8, 0.6, 0.5])[:, None, None]
    garment = torch.zeros(1, 3, *hw)
    garment[0, 0] = 0.8
    mask = torch.zeros(1, 1, *hw)
    mask[..., 200:480, 100:180] = 1.0
    alpha = composite_garment(person, garment, mask, parse=parse, feather_px=0.0).alpha[0, 0]
    assert float(alpha[260:300, 92:100].min()) > 0.5  # the band over the old sleeve, well above the arm
    for rows_to_arm in (2, 4):
        row = 330 - rows_to_arm
        width = int((alpha[row, 85:100] > 0.5).sum())
        assert width <= rows_to_arm + 1, (row, width)
