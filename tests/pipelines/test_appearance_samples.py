"""Issue 12's measures on the real samples: paired appearance floors (box SSIM, PSNR; `bench_appearance.py` prints
the table) and the guard that paired scores do not come from keeping the old garment."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from kfvton.pipelines.review import find_garment, find_person, list_garments, list_persons, tryon_pair
from kfvton.train.evaluate import appearance_scores

#: (set, mode) -> (box SSIM floor, PSNR floor dB). History: repaint alone 0.75 / 21.7, 0.70 / 20.5 (VITON-HD),
#: 0.66 / 24.2, 0.62 / 23.8 (Dress Code); after the body fit merged 0.738 / 21.2, 0.697 / 19.6 (00008 at 12.8 dB),
#: 0.640 / 23.5, 0.588 / 21.3 (with the embedded MediaPipe person mask, as CI installs it).
#: Measured now (garment outline fitted to the body: cut past the silhouette, grown sideways over narrow strips of
#: freed old clothes; neck in front of the back neckline; round shading of repainted limbs), bench_appearance.py:
#: VITON-HD parse 0.770 / 23.23 dB, two photos 0.728 / 21.36 dB; Dress Code parse 0.663 / 24.86 dB, two photos
#: 0.608 / 22.59 dB. The floors sit ~0.03 and ~0.5-0.6 dB under them: issue 12's regression guard, not its goal
#: (0.85 / 22 dB with the parse map, 0.82 / 21 dB from two photos). After merging regions' estimation (main at
#: 12:15): two photos 0.740 / 21.65 dB (VITON-HD) and 0.632 / 23.85 dB (Dress Code); parse unchanged (0.664 / 24.93).
#: Issue 12 round 3 (look3: shoulder tops to the body, arm-wide repainted arms in the person's skin colour, lace and
#: knits out of the light gain, the inside back cut from the neck opening, arms in front under the sleeves, no rim
#: where the hem goes into the trousers), merged with main at 15:00: VITON-HD parse 0.771 / 22.85 dB, two photos
#: 0.746 / 21.60 dB; Dress Code parse 0.659 / 24.93 dB, two photos 0.628 / 24.17 dB (PSNR of VITON-HD parse 0.4 dB
#: under the previous round: thin arms and background where the old garment's wide sleeves were, not skin).
#: Round 4 (repaint4: grain on repainted skin, old clothes the parse map missed repainted, no skin slivers, no growth
#: into the neck opening), merged with main at 17:35: VITON-HD parse 0.778 / 23.21 dB, two photos 0.756 / 22.16 dB;
#: Dress Code parse 0.677 / 25.42 dB, two photos 0.643 / 24.59 dB (the same tree with the previous composite: 0.781 /
#: 23.41, 0.757 / 22.31, 0.678 / 25.56, 0.647 / 24.86: repainting the missed old strips as wall, and not growing the
#: garment into its neck opening, costs 0.15-0.27 dB on paired photos, where those pixels were the same garment).
#: sleeves5 (wide long sleeves keep their cuff, up to 0.4 sw), on main at 18:10: Dress Code parse 0.677 / 25.53 dB,
#: two photos 0.644 / 24.66 dB (before 0.676 / 25.40, 0.642 / 24.58; only 000006 moved: 0.775 / 23.83 -> 0.782 /
#: 24.69 and 0.725 / 21.54 -> 0.735 / 22.15); VITON-HD unchanged (0.778 / 23.20, 0.756 / 22.16).
#: light5 (light and folds at 1/2 resolution, middle frequencies where the cloth is smooth), on main at 19:55:
#: VITON-HD parse 0.778 / 23.20 -> 0.785 / 23.22 dB, two photos 0.775 / 22.94 -> 0.782 / 22.96 dB; Dress Code parse
#: 0.677 / 25.53 -> 0.685 / 25.49 dB, two photos 0.644 / 24.66 -> 0.651 / 24.60 dB.
#: Round 5: `tryon_pair` estimates the regions as the CLI and the nodes do (`person_regions`: MediaPipe's person mask
#: and face outline), no longer from the plain-background silhouette, so "two photos" measures what users get:
#: VITON-HD 0.769 / 22.97 dB, Dress Code 0.641 / 24.08 dB before light5 (the plain silhouette gave 0.644 / 24.66
#: there; 000003's off-shoulder top on the MediaPipe regions: 0.781 / 27.28 -> 0.750 / 23.14, the others within
#: 0.3 dB). Both merged (main 20:45): see FLOORS.
FLOORS = {
    ("vitonhd_paired/test", "parse"): (0.755, 22.7),  # measured 0.785 / 23.22 (light5)
    ("vitonhd_paired/test", "two photos"): (
        0.74,
        22.4,
    ),  # measured 0.781 / 23.09 (main 20:50: light5 + regions5 + MediaPipe regions)
    ("dresscode/upper_body", "parse"): (0.655, 25.1),  # measured 0.685 / 25.49
    ("dresscode/upper_body", "two photos"): (0.62, 23.6),  # measured 0.652 / 24.07 (main 20:50)
}


def _pairs(root: Path) -> list[tuple[Path, Path]]:
    garments = {g.stem.removesuffix("_1"): g for g in list_garments([root])}
    return [(p, garments[p.stem.removesuffix("_0")]) for p in list_persons([root])]


@pytest.mark.slow
@pytest.mark.parametrize(("folder", "mode"), list(FLOORS))
def test_paired_floors(samples_dir: Path, folder: str, mode: str) -> None:
    root = samples_dir / folder
    if not root.is_dir():
        pytest.skip(f"{root} not found")
    two = mode == "two photos"
    ssims, psnrs = [], []
    for person_path, garment_path in _pairs(root):
        person = find_person(person_path)
        garment = find_garment(garment_path, with_mask=not two)
        out = tryon_pair(person, garment, use_parse=not two, use_mask=not two)
        s = appearance_scores(out.tryon.image, person.image, person.parse)
        ssims.append(float(s.box_ssim[0]))
        psnrs.append(float(s.psnr[0]))
    ssim_floor, psnr_floor = FLOORS[(folder, mode)]
    assert sum(ssims) / len(ssims) >= ssim_floor, ssims
    assert sum(psnrs) / len(psnrs) >= psnr_floor, psnrs


@pytest.mark.parametrize("use_parse", [True, False])
def test_unpaired_region_takes_the_new_garments_colours(vitonhd_dir: Path, use_parse: bool) -> None:
    """Where the new garment lies, the result has its colours (light and folds only scale them), not the old
    garment's: a person in white / black / dark red tops trying on a red and a pale yellow garment."""
    for person_name, garment_name in (("03615_00", "01260_00"), ("07573_00", "06429_00"), ("07445_00", "06429_00")):
        person = find_person(vitonhd_dir / "image" / f"{person_name}.jpg", with_parse=use_parse)
        garment = find_garment(vitonhd_dir / "cloth" / f"{garment_name}.jpg")
        out = tryon_pair(person, garment, use_parse=use_parse).tryon
        # the try-on region: where the garment is composited (its alpha: hair and arms kept in front are not in
        # it), off the refine band along its border
        region = (out.alpha[0, 0] > 0.95) & (out.refine_mask[0, 0] < 0.05)
        if person.parse is not None:
            region &= torch.isin(person.parse[0], torch.tensor([5, 6, 7]))  # where the old garment was
        assert int(region.sum()) > 5000
        result = out.image[0][:, region].mean(1)
        new = out.warped_garment[0][:, region].mean(1)
        old = person.image[0][:, region].mean(1)
        assert float((result - new).abs().max()) < 0.08, (person_name, garment_name, result, new)
        assert float((result - new).abs().sum()) < 0.5 * float((result - old).abs().sum())


def _fine_texture(image: torch.Tensor, region: torch.Tensor) -> float:
    """Median |log-luminance - its 3 x 3 mean| of (1, 3, H, W) `image` over `region` (H, W) bool."""
    luma = torch.log((image[0] * torch.tensor([0.299, 0.587, 0.114])[:, None, None]).sum(0) + 0.04)
    mean = torch.nn.functional.avg_pool2d(luma[None, None], 3, stride=1, padding=1, count_include_pad=False)[0, 0]
    return float((luma - mean).abs()[region].median())


def test_repainted_chest_has_the_grain_of_the_real_skin(vitonhd_dir: Path) -> None:
    """03615 (white long-sleeved top) in a camisole, with her parse map: the freed chest and arms are repainted as
    skin whose fine texture is within a factor 2 of her real neck's (a smooth fill had ~0.1 of it: plastic)."""
    person = find_person(vitonhd_dir / "image" / "03615_00.jpg")
    garment = find_garment(vitonhd_dir / "cloth" / "08348_00.jpg")
    out = tryon_pair(person, garment).tryon
    img = person.image[0]
    warm = (out.image[0, 0] - out.image[0, 2]) > 0.1  # skin, not the repainted wall
    erode = lambda m: -torch.nn.functional.max_pool2d(-m.float()[None, None], 9, 1, 4)[0, 0] > 0.5  # noqa: E731
    repainted = erode((out.refine_mask[0, 0] > 0.99) & (out.alpha[0, 0] < 0.01) & warm)
    real = erode((person.parse[0] == 10) & (out.refine_mask[0, 0] < 0.01) & ((img[0] - img[2]) > 0.1))
    assert int(repainted.sum()) > 5000 and int(real.sum()) > 500
    ratio = _fine_texture(out.image, repainted) / _fine_texture(person.image, real)
    assert 0.5 < ratio < 2.0, ratio


def test_two_photo_collar_does_not_grow_into_the_neck(vitonhd_dir: Path) -> None:
    """00891 (white T-shirt) in a mock-neck knit from two photos: the garment's outline is not grown sideways into its
    neck opening over the old T-shirt (ragged red teeth at the neck): above the shoulders, between the collar sides,
    the composited garment stays inside its warped mask."""
    person = find_person(vitonhd_dir / "image" / "00891_00.jpg", with_parse=False)
    garment = find_garment(vitonhd_dir / "cloth" / "01260_00.jpg")
    out = tryon_pair(person, garment, use_parse=False).tryon
    h, w = out.alpha.shape[-2:]
    kp, pose = out.keypoints, out.keypoints.pose
    pts = kp.person_px[0]
    collar_x = [float(pts[kp.names.index(n), 0]) * w / kp.person_hw[1] for n in ("collar_left", "collar_right")]
    x0, x1 = round(min(collar_x)), round(max(collar_x))
    shoulders = float(pose.joints[0, [2, 5], 1].max()) * h / pose.canvas_hw[0]
    neck = torch.zeros((h, w), dtype=torch.bool)
    neck[: round(shoulders), x0:x1] = True
    grown = neck & (out.alpha[0, 0] > 0.5) & (out.warped_mask[0, 0] < 0.5)
    assert int(grown.sum()) < 20, int(grown.sum())
