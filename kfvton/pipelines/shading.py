"""The person's light and folds, read from the clothes they wear, as a gain for what is drawn over them: the new
garment (`composite_garment`'s step 4, `light_and_folds` for the lower-body / dress try-on) and the repainted skin
(with `limb_shading`'s round shading of a limb and, on the torso, `torso_shading`'s chest and collarbones).

Light and folds (`clothes_shading`), at 1/`SHADE_SCALE` of the resolution: the old clothes' log-luminance relative
to its median, after a 3x3 median (specks, thin lettering), without the pixels whose chromaticity differs from the
garment's own by `SHADE_CHROMA` (a shadow darkens a colour; a print changes it), whose luminance is far from the
garment's (`SHADE_OUTLIER`), that lie on a strong colour edge (`SHADE_EDGE`: a print's, a logo's or a seam's edge is
sharp, a fold's soft), on a softer step of chromaticity (`SHADE_HUE_EDGE`: the seams of a patchwork's or two-tone
top's blocks of near colours), in fine texture (lace, knits, `SHADE_TEXTURE`) or where two old garments meet (the
caller's `seams`), nor the `SHADE_GUARD_PX` around them; the patches of the rest that those cut apart shifted to
meet across the cuts (`_patch_offsets`: a light block and a dark one are one level, the light across and inside them
stays); averaged over the rest with a Gaussian of `SHADE_SIGMA_PX` (folds and wrinkles of a few pixels at 1024 rows
stay) and filled into the left-out pixels from around them (`push_pull`). Its middle frequencies (what a
Gaussian of `SHADE_LOW_PX` takes away: folds, wrinkles, the shadow under the arms) are raised by `SHADE_MIDDLE`
(the left-out pixels and the averaging flatten them), the low ones (the light across the body) kept; then scaled
by `SHADE_STRENGTH`, clamped to a gain in [exp(-SHADE_RANGE[0]), exp(SHADE_RANGE[1])] and faded out outside the old
clothes. The new garment and the repainted skin are multiplied by it, so the person's own light and folds carry
over but not the old garment's colour, print or edges. A garment darker than the old clothes takes it as the eye
sees it (`apply_light`): a plain product barely changes near-black cloth under a white shirt's light (0.05 x 0.9 =
0.045), so the change is that of the old clothes' luminance and the garment's mixed on a perceptual scale
(`SHADE_PERCEPT`): its folds show as much as the old clothes' did, a sheen on their lit side, deeper black in
their shadow (not under `SHADE_FLOOR` of the colour); so does a lighter garment over dark old clothes (`SHADE_DARK`:
a black cloth's small steps are large in log-luminance). A shiny cloth's sheen is not light: a lopsided brighter tail
past the clamp flattens the whole gain (`SHEEN_RATIO`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import torch
from torch import Tensor

from .._arrays import LUMA_WEIGHTS, channel_max, channel_sum, mask_box, per_channel
from .._arrays import blur_wide as _blur
from .push_pull import push_pull

__all__ = [
    "light_and_folds",
    "apply_light",
    "clothes_shading",
    "arm_shading",
    "limb_shading",
    "shade_skin",
    "skin_slopes",
    "skin_carried_below",
    "SkinBelow",
    "jaw_shadow",
    "garment_edge_shadow",
    "clothes_light_on_skin",
    "shading_box",
    "sheen_scale",
    "SHADE_SCALE",
    "BOX_GRID",
]

#: Light and folds are computed at 1/SHADE_SCALE of the resolution (512 rows for a 1024-row photo: folds of a few
#: pixels survive; at 1/4 only the broad light did, gains stayed within ~0.95-1.06 and garments looked flat).
SHADE_SCALE = 2
#: `shading_box` and a limb's round shading are on a 1/BOX_GRID grid (the repaint's 1/WEIGHT_SCALE grid divides it).
BOX_GRID = 4
#: Light and folds: log-gain limits (darker, brighter) and the strength applied to the old clothes' log-luminance.
SHADE_RANGE = (0.45, 0.2)
SHADE_STRENGTH = 0.85
#: Old-clothes pixels whose chromaticity differs by this (per channel of rgb / sum) from the garment's median, or
#: whose log-luminance differs by this from its median, are print, not light: left out of the shading (0.08 let
#: skin seen through white lace in and ghosted the lace onto the new garment).
SHADE_CHROMA = 0.05
SHADE_OUTLIER = 0.7
#: ... or whose neighbourhood is textured (mean |log-luminance - its 5x5 median| at 1/SHADE_SCALE, over ~8 pixels at
#: 1024 rows, over this; plain tops' folds stay under ~0.1 at their 90th percentile on the VITON-HD samples, lace reaches 0.3).
SHADE_TEXTURE = 0.12
#: ... or that lie on a colour edge stronger than this (gradient of an RGB channel per 4 pixels at 1024 rows, after
#: a Gaussian of ~3 pixels: a 0 -> 1 step gives ~2; folds stay under ~0.5), and the SHADE_GUARD_PX (at 1024 rows)
#: around all of those (their blurred borders).
SHADE_EDGE = 1.0
#: ... or on a step of chromaticity (per channel of rgb / sum, per 4 pixels at 1024 rows after the same Gaussian)
#: over this: the soft seam between a patchwork's or two-tone top's blocks of near colours, which light does not make.
SHADE_HUE_EDGE = 0.035
#: ... and over SHADE_HUE_NOISE times its median over the old clothes: a dark or saturated colour's chromaticity and
#: denim's twill vary everywhere (a burgundy rib knit's median step 0.03, a denim shirt's 0.06, the patchwork's 0.01):
#: cut at 0.035 their folds were all left out.
SHADE_HUE_NOISE = 4.0
SHADE_GUARD_PX = 4.0
#: Kept pixels where under SHADE_ISLAND_SHARE of the old clothes within ~SHADE_ISLAND_PX (Gaussian sigma, pixels at
#: 1024 rows) are kept are left out too: islands in a print or lace.
SHADE_ISLAND_PX = 12.0
SHADE_ISLAND_SHARE = 0.5
#: The kept pixels' patches (cut apart by the left-out colour edges: a patchwork's blocks, a two-tone top's halves)
#: are shifted in log-luminance to meet their neighbours within SHADE_JOIN_PX (at 1024 rows) across each cut
#: (`_patch_offsets`); a patch is held to its own median with SHADE_JOIN_PRIOR of the cuts' weight in all.
SHADE_JOIN_PX = 12.0
#: Chromaticity cuts count only where they part the old clothes into at least two blocks of SHADE_BLOCK_SHARE of
#: them each; otherwise (one colour) the shadows and folds on them are kept.
SHADE_BLOCK_SHARE = 0.05
SHADE_JOIN_PRIOR = 0.05
#: Two old garments of far apart lightness (`_lightness_levels`: a white top over black trousers) are each read
#: about their own level when under SHADE_LEVELS_MIDDLE of the old clothes lie in the middle half between the two
#: levels (sharp seams between garments: 0.004-0.03 on VITON-HD 10549 and the unseen 051482; a black satin's or
#: leather's gradual sheens: 0.13-0.23, left to `sheen_scale`).
SHADE_LEVELS_MIDDLE = 0.05
#: ... then their light is shifted to meet across their border (`_join_levels`): each level's mean log-gain over its
#: kept pixels within SHADE_LEVELS_JOIN_PX (at 1024 rows) of the other level (past the seam left out between them) is
#: made equal, by one offset per level, their mean over the old clothes unchanged. Read about its own median, each
#: garment's light stopped at the old hem: a white dress over the unseen 051482's white top and black trousers took
#: the top's shaded hem (-0.03) over the trousers' lit hips (+0.08) as a step of light across the waist.
SHADE_LEVELS_JOIN_PX = 40.0
#: The shading is averaged over the kept pixels with a Gaussian of SHADE_SIGMA_PX (pixels at 1024 rows), and its
#: middle frequencies (the shading minus its Gaussian blur of SHADE_LOW_PX) are multiplied by SHADE_MIDDLE
#: (bench_appearance, paired sets, box SSIM: x1 -> x1.6 gave +0.005 VITON-HD, +0.006 Dress Code, at -0.05 dB).
SHADE_SIGMA_PX = 2.0
SHADE_LOW_PX = 40.0
SHADE_MIDDLE = 1.6
#: ... where the cloth is smooth: the mean |log-luminance - its Gaussian blur of SHADE_FINE_PX| over ~SHADE_FINE_AREA_PX
#: (pixels at 1024 rows) under SHADE_FINE[0], fading to none over SHADE_FINE[1] (plain tops ~0.01, a rib knit
#: ~0.04, white lace over skin ~0.05: its motifs ghosted onto the new garment).
SHADE_FINE_PX = 2.0
SHADE_FINE_AREA_PX = 8.0
SHADE_FINE = (0.02, 0.05)
#: A garment of luminance Y over old clothes of median luminance R takes the gain g as Y + (g - 1) x max(Y, T),
#: T = (R + SHADE_OFFSET)^SHADE_PERCEPT x (Y + SHADE_OFFSET)^(1 - SHADE_PERCEPT) (`apply_light`): R = Y gives back
#: the gain as it was read (log(luminance + SHADE_OFFSET)), a lighter garment keeps the plain product, a darker one
#: a change of lightness between the product's and the old clothes' (0.7 would make it equal, L* ~ Y^0.73 in sRGB
#: values above its toe: a white lace top's broad light then showed as blotches on a black T-shirt, VITON-HD 10549).
SHADE_PERCEPT = 0.5
SHADE_OFFSET = 0.04
#: Old clothes of median luminance under SHADE_DARK (fully under half of it) pass their light to a lighter garment
#: by the same perceptual mix, not the plain product: near-black cloth's small steps (sheen, the weave) are large in
#: log-luminance, and a white dress over Dress Code 020715's black one took them as grey blotches down its skirt.
SHADE_DARK = 0.3
#: ... and keeps at least this share of its colour in a fold's shadow (no holes of pure black; the plain product
#: keeps over exp(-SHADE_RANGE[0]) = 0.64).
SHADE_FLOOR = 0.4
#: Old clothes around two legs under a dress (`clothes_shading`'s `broad_only`) give only their broad light (what a
#: Gaussian of SHADE_BROAD_LOW_PX, pixels at 1024 rows, keeps: wider than a leg, ~100 px; SHADE_LOW_PX's left each
#: leg's darker edges), softened in over SHADE_BROAD_PX (Gaussian sigma): their folds and shading are the legs'
#: (each leg's roundness, the crotch's crease), which a dress hanging over them does not take (black trousers' left
#: a pair of legs on a white dress, the unseen 051482; white shorts' a crease, Yifeng).
SHADE_BROAD_LOW_PX = 80.0
SHADE_BROAD_PX = 8.0
#: The gain fades to 1 over this (pixels at 1024 rows) outside the old clothes: a longer garment gets no invented
#: folds.
SHADE_FADE_PX = 48.0
#: Sheen: where the brighter tail of the old clothes' log-gain (its 95th percentile over them, before the clamp)
#: passes both the brighter limit SHADE_RANGE[1] and the median plus SHEEN_RATIO times the darker tail (the median
#: minus its 5th percentile; a Dress Code skirt's, 013564, whole level sits at +0.4: no sheen),
#: the contrast is a shiny cloth's specular sheen, not light (it adds to the cloth's dark, it does not multiply
#: it): the whole log-gain is scaled by (the larger of the two / p95)^SHEEN_POWER (`sheen_scale`; continuous, 1 at
#: the bounds). The shared samples' old garments (VITON-HD, Dress Code, matte) reach p95 <= 0.16 (a black T-shirt,
#: VITON-HD 00006, the most lopsided: 2.3 x |p5|): untouched. A black satin halter top (OOTDiffusion's demo model
#: 09597) reads p5 -0.18, p95 0.34: a white tee over it got grey blotches where the satin lay between its sheens
#: (the sheens themselves lost in the white: it cannot brighten); x0.79 (ratio 1.5, power 1) changed nothing to the
#: eye, x0.35 (power 2) left them plain at full size, x0.12 (power 4) leaves a faint soft shading.
SHEEN_RATIO = 1.0
SHEEN_POWER = 4.0
#: Repainted skin is shaded as a cylinder (`limb_shading`): up to LIMB_SHADE darker at its border with the
#: background, over the limb's half-width (at most LIMB_RADIUS_PX at 1024 rows).
LIMB_SHADE = 0.3
LIMB_RADIUS_PX = 36.0
#: An arm drawn from the pose (`arm_shading`) is a cylinder across its own width, whatever lies beside it (the
#: mask's edge is lost where a repainted arm meets the repainted torso: it looked flat, a block): ARM_SHADE darker
#: at its edge, falling off as the square of the distance from its axis in half-widths (real bare forearms and upper
#: arms on the VITON-HD samples 07573 and 10549 measure ~0.95 at 0.3, ~0.87 at 0.6, ~0.76 at 0.8 half-widths of
#: their axis' brightness: steadier than a front-lit Lambert cylinder, which stays flat over most of the width);
#: its darkest edge fades back to 1 over ARM_CONTACT of its half-width outside it (the arm's shadow on the body).
ARM_SHADE = 0.35
#: ... and its half facing the body (`arm_shading`'s `body`) ARM_INNER darker again at its edge, as the square: the
#: torso beside it hides part of the sky (the same samples' inner sides measure ~0.1-0.3 darker than their outer).
ARM_INNER = 0.15
ARM_CONTACT = 0.3
#: Skin darkens redder (`shade_skin`): light scattered under the skin comes back reddened, so its log-RGB falls
#: faster than its log-luminance in blue and green, slower in red. `skin_slopes` reads the slopes off the person's
#: own visible skin (least squares over it, blurred over SKIN_SLOPE_BLUR_PX at 1024 rows: the shading, not the
#: grain), within SKIN_SLOPES_RANGE (the bare arms, legs, faces and necks of the VITON-HD and Dress Code samples
#: measure R 0.55-1.0, G 1.0-1.25, B 1.0-1.6: the darker the skin, the nearer 1); SKIN_SLOPES, their median on the
#: VITON-HD samples 00891, 03615, 07573, 08909 and 10549, when under SKIN_SLOPE_MIN_PX pixels at 1024 rows show or
#: their luminance spans under SKIN_SLOPE_SPAN (5-95 %). A grey shadow (1, 1, 1) left repainted arms pale and
#: washed out beside the person's own hands and neck.
SKIN_SLOPES = (0.7, 1.15, 1.4)
SKIN_SLOPES_RANGE = ((0.55, 1.0, 1.0), (1.0, 1.25, 1.6))
SKIN_SLOPE_BLUR_PX = 2.0
SKIN_SLOPE_MIN_PX = 2000
SKIN_SLOPE_SPAN = 1.2
#: Repainted skin on the torso (`torso_shading`, from the pose): a cylinder across the chest, TORSO_SHADE darker at
#: TORSO_RADIUS shoulder widths either side of the body's axis; the collarbones, a ridge CLAVICLE[0] lighter along
#: the neck-to-shoulder lines and a hollow CLAVICLE[1] darker CLAVICLE_BELOW shoulder widths under them, the notch
#: between them CLAVICLE[1] darker too; widths (Gaussian sigmas) CLAVICLE_SIGMA shoulder widths.
TORSO_SHADE = 0.2
TORSO_RADIUS = 0.6
#: ... growing in from TORSO_SIDES[0] to TORSO_SIDES[1] shoulder widths under the neck (the shoulders face the
#: light: darkened, the repainted shoulders beside a sleeveless top looked bruised, VITON-HD 00034 -0.01 SSIM).
TORSO_SIDES = (0.15, 0.5)
CLAVICLE = (0.06, 0.08)
CLAVICLE_BELOW = 0.07
CLAVICLE_SIGMA = (0.025, 0.045)
#: Repainted skin under visible skin (an open V under the neck, an upper arm under a bare shoulder) carries its light
#: on (`skin_carried_below`): the visible skin's low frequencies (the log of its mean luminance in BOX_GRID cells)
#: continue down each column, fading to the skin's median over SKIN_LIGHT_DECAY_PX (at 1024 rows; e^-1), blurred
#: across by SKIN_LIGHT_SOFT cells, the gain within exp(+-SKIN_LIGHT_RANGE). A V of one tone under a neck lit in
#: the middle and shaded at its sides (the unseen 00035, 09597) looked pasted on; 128 px reach the V's middle.
SKIN_LIGHT_DECAY_PX = 128.0
SKIN_LIGHT_SOFT = 2.0
SKIN_LIGHT_RANGE = 0.3
#: Under the jaw the neck lies in the face's shadow (`jaw_shadow`): the VITON-HD persons' necks (label 10, 11 of
#: them) measure 0.53-0.99 (median ~0.67) of the face's median luminance within 0.05 face heights under the face,
#: ~0.74 by 0.1, ~0.9 by 0.15 and ~1 from 0.2: repainted skin there is darkened by JAW_SHADOW at the face's lowest
#: pixel, fading out (a smoothstep) over JAW_SHADOW_LEN face heights, softened across over JAW_SHADOW_SOFT of them.
JAW_SHADOW = 0.3
JAW_SHADOW_LEN = 0.2
JAW_SHADOW_SOFT = 0.05
#: ... more under a chin whose own rim is darker: the face's lowest JAW_RIM face heights in the middle half of its
#: columns (the chin, not the cheeks' sides) relative to its median luminance, at most JAW_SHADOW_MAX deep. On those
#: persons the neck under the jaw is at most ~0.15 lighter than that rim (0.59 under a rim of 0.63); a person lit
#: from above (the unseen Jensen) shows a rim of ~0.4 and the neck below it darker still.
JAW_RIM = 0.05
JAW_SHADOW_MAX = 0.5
#: The new garment lies on the skin repainted beside it and shades it (`garment_edge_shadow`): GARMENT_SHADOW darker at
#: its edge, fading (e^-1) over GARMENT_SHADOW_PX (at 1024 rows). The necks of VITON-HD 00891 and 08909 measure 4-6 %
#: darker 2-6 px from their tops than 18-25 px off (the others are lit more towards the chest than under the jaw). A
#: V of skin lit alike up to the cardigan's edge (the unseen 00035) looked cut out and pasted under it.
GARMENT_SHADOW = 0.08
GARMENT_SHADOW_PX = 4.0
#: Repainted skin takes the old clothes' light-and-folds gain (`clothes_light_on_skin`) bounded to
#: exp(-SKIN_CLOTHES_RANGE[0]) .. exp(SKIN_CLOTHES_RANGE[1]), then averaged over the repainted skin with a Gaussian of
#: SKIN_CLOTHES_PX (pixels at 1024 rows): the shade on the clothes darkens the skin, their lit parts barely lighten
#: it (the repaint's tone is the visible skin's, lit already; the limb's roundness is `limb_shading`'s), and a
#: sheer mesh's weave and narrow folds do not stripe it. The full gain, up to exp(SHADE_RANGE[1]) = 1.22, left a
#: freed arm under black mesh sleeves (the unseen 01008) white down its middle where the skin showed most through
#: them: metallic. Averaged over ~40 px, or over the old clothes beside the arm too, the shade on a freed forearm went
#: (VITON-HD 07445 under a maroon knit: the arm 0.12 darker than the wall beside it -> 0.08, a pale ghost).
SKIN_CLOTHES_PX = 12.0
SKIN_CLOTHES_RANGE = (0.45, 0.05)


def light_and_folds(person: Tensor, clothes: Tensor) -> Tensor:
    """The person's light and folds (module docstring) read from the clothes they wear, as a gain for a
    garment drawn over them: what `composite_garment` multiplies the garment by, without the rest of it.

    Args:
        person: (B or 1, 3, H, W) float [0, 1].
        clothes: (B, H, W) bool, the clothes to read the light from.

    Returns:
        (B, 1, H, W) gain > 0, dtype and device of `person`; 1 outside the box of `clothes` (`shading_box`).
    """
    b, (h, w) = clothes.shape[0], clothes.shape[-2:]
    unit = h / 1024.0
    img_all = person.detach().float().permute(0, 2, 3, 1).cpu().numpy()
    clothes_np = clothes.cpu().numpy()
    gain = np.ones((b, h, w), np.float32)
    for i in range(b):
        if clothes_np[i].any():
            crop = shading_box(clothes_np[i])
            gain[i][crop] = clothes_shading(img_all[i if img_all.shape[0] > 1 else 0][crop], clothes_np[i][crop], unit)
    return torch.from_numpy(gain).unsqueeze(1).to(device=person.device, dtype=person.dtype)


def apply_light(colour: Tensor, gain: Tensor, reference: Tensor | None = None) -> Tensor:
    """`colour` (B, 3, H, W) float [0, 1] lit by `gain` (B, 1, H, W) > 0 (`light_and_folds`), read from old clothes
    of median luminance `reference` (B,) [0, 1] (or (B, 1, H, W): each old garment's, where it lies): colour x gain
    where the garment is as light as them or lighter, plus lift x (gain - 1) on darker cloth, and on lighter cloth
    over old clothes darker than `SHADE_DARK` (module docstring, `SHADE_PERCEPT`), at least `SHADE_FLOOR` x colour
    (no holes of pure black in a deep fold's shadow). Without `reference` the plain product. Gain 1 leaves `colour`
    unchanged."""
    lit = colour * gain
    if reference is None:
        return lit
    ref = reference.to(colour)
    ref = ref.reshape(-1, 1, 1, 1) if ref.dim() == 1 else ref
    luma = colour[:, 0:1] * LUMA_WEIGHTS[0]
    luma.add_(colour[:, 1:2], alpha=LUMA_WEIGHTS[1]).add_(colour[:, 2:3], alpha=LUMA_WEIGHTS[2])
    target = (luma + SHADE_OFFSET).pow_(1.0 - SHADE_PERCEPT).mul_((ref + SHADE_OFFSET) ** SHADE_PERCEPT)
    # lighter cloth over dark old clothes: the perceptual mix too, fully at SHADE_DARK / 2 and below
    dark = ((SHADE_DARK - ref) / (SHADE_DARK / 2)).clamp(0.0, 1.0)
    change = target.sub_(luma)
    change = change.clamp_min(0.0) + dark * change.clamp_max(0.0)
    return torch.maximum(lit.add_(change.mul_(gain - 1.0)), colour * SHADE_FLOOR)  # lift x (gain - 1)


def shading_box(old: np.ndarray) -> tuple[slice, slice]:
    """(rows, cols) box of the old clothes `old` (H, W) bool grown by 8 % of the height, on the 1/`BOX_GRID` grid
    of the pose prior and the shading at both ends (mirror-symmetric): where the composite's repaint and
    `light_and_folds` work."""
    h, w = old.shape
    y0, y1, x0, x1 = mask_box(old, round(0.08 * h))
    y0, x0 = y0 - y0 % BOX_GRID, x0 - x0 % BOX_GRID
    y1, x1 = min(h, y1 + (-y1) % BOX_GRID), min(w, x1 + (-x1) % BOX_GRID)
    return slice(y0, y1), slice(x0, x1)


def clothes_shading(
    img: np.ndarray,
    old: np.ndarray,
    unit: float,
    seams: np.ndarray | None = None,
    broad_only: np.ndarray | None = None,
) -> np.ndarray:
    """(H, W) float32 light-and-folds gain (module docstring) from the old clothes `old` (H, W) bool in `img`
    (H, W, 3) float32 [0, 1]; `unit` = rows / 1024. `seams` (H, W) bool: where two old garments meet (a tank top's
    hem on shorts: its shadow and stitching are no fold), left out as a print's edge is. `broad_only` (H, W) bool:
    old clothes whose folds the new garment does not take (trousers under a dress: `SHADE_BROAD_PX`), where only
    the broad light is kept. 1 where nothing can be read (under 64 pixels of old clothes)."""
    h, w = old.shape
    if old.sum() < 64:
        return np.ones((h, w), np.float32)
    s = SHADE_SCALE
    hs, ws = -(-h // s), -(-w // s)
    small = cv2.resize(img, (ws, hs), interpolation=cv2.INTER_AREA)
    region = cv2.resize(old.astype(np.float32), (ws, hs), interpolation=cv2.INTER_AREA) > 0.99
    per_px = unit / s  # pixels of the small image per pixel at 1024 rows
    e = 2 * max(1, round(4 * per_px)) + 1  # not the outline's mixed pixels (4 at 1024 rows)
    region = cv2.erode(region.astype(np.uint8), np.ones((e, e), np.uint8)) > 0
    if region.sum() < 16:
        return np.ones((h, w), np.float32)
    luma = small @ np.array(LUMA_WEIGHTS, np.float32)
    raw_l = np.log(luma + 0.04).astype(np.float32)
    log_l = cv2.medianBlur(raw_l, 3)  # specks and thin lettering go
    # lace, knit patterns, small prints: what a 5x5 median takes away, averaged nearby (folds are smooth)
    texture = cv2.GaussianBlur(np.abs(raw_l - cv2.medianBlur(raw_l, 5)), (0, 0), 8.0 * per_px)
    chroma = small / per_channel(channel_sum(small) + 1e-3)
    ref_chroma = np.median(chroma[region], axis=0)
    ref_level = float(np.median(log_l[region]))
    # two old garments of far apart lightness (a white top over black trousers): each is read about its own level
    levels = _lightness_levels(log_l, region, per_px)
    if levels is not None:
        log_l, level_seams = levels[0] + ref_level, levels[1]
    # prints, logos and seams: another chromaticity, far another luminance, or on a strong colour edge
    edges = _edge_strength(small, per_px)
    # ... and a softer step of chromaticity (a patchwork's or two-tone top's blocks of near colours: light leaves it)
    hue_edges = _edge_strength(chroma, per_px)
    hue_cut = hue_edges > max(SHADE_HUE_EDGE, SHADE_HUE_NOISE * float(np.median(hue_edges[region])))
    d = 2 * max(1, round(SHADE_GUARD_PX * per_px)) + 1
    # the patches only the chromaticity cuts part (a strong luminance edge alone may be a shadow's: not joined over)
    patches = region & (cv2.dilate(hue_cut.astype(np.uint8), np.ones((d, d), np.uint8)) == 0)
    blocks = _block_count(patches, region) >= 2
    if not blocks:
        hue_cut[:] = False  # one colour: its chromaticity steps are a shadow's or a fold's (kept), not blocks' seams
    odd = (
        (channel_max(np.abs(chroma - ref_chroma)) >= SHADE_CHROMA)
        | (np.abs(log_l - ref_level) >= SHADE_OUTLIER)
        | (edges > SHADE_EDGE)
        | hue_cut
        | (texture > SHADE_TEXTURE)
    )
    if levels is not None:
        odd |= level_seams
    if seams is not None:
        odd |= cv2.resize(seams.astype(np.float32), (ws, hs), interpolation=cv2.INTER_AREA) > 0
    ok = region & (cv2.dilate(odd.astype(np.uint8), np.ones((d, d), np.uint8)) == 0)
    # not islands inside a print or lace (skin through a sheer part, a plain patch between motifs): most of the
    # garment around a pixel must be kept
    near = SHADE_ISLAND_PX * per_px
    share = _blur(ok.astype(np.float32), near)
    ok &= share > SHADE_ISLAND_SHARE * _blur(region.astype(np.float32), near)
    if ok.sum() < 16:
        return np.ones((h, w), np.float32)
    if blocks:
        log_l = log_l - _patch_offsets(log_l, ok, patches, ref_level, per_px)
    if levels is not None:
        log_l = _join_levels(log_l, levels[2], ok, region, per_px)
    wt = ok.astype(np.float32)
    sigma = SHADE_SIGMA_PX * per_px
    num = cv2.GaussianBlur(log_l * wt, (0, 0), sigma)
    den = cv2.GaussianBlur(wt, (0, 0), sigma)
    known = den > 0.2
    shade = np.where(known, num / np.maximum(den, 1e-6), 0.0) - ref_level
    # the left-out pixels filled from around them; `push_pull` smooths the kept ones too (over ~8 pixels at 1024
    # rows): keeping them as they are carried white-on-white lace motifs over as dark lines
    shade = push_pull(np.repeat(shade[..., None], 3, -1).astype(np.float32), known)[..., 0]
    low = _blur(shade, SHADE_LOW_PX * per_px)
    # the middle frequencies only where the cloth is smooth at the finest scale (lace, knits, ribs, a print's
    # motifs: their detail would ghost onto the new garment; the broad light still carries there)
    detail = np.abs(raw_l - cv2.GaussianBlur(raw_l, (0, 0), SHADE_FINE_PX * per_px)) * region
    rf = region.astype(np.float32)
    area = SHADE_FINE_AREA_PX * per_px
    fine = _blur(detail, area) / np.maximum(_blur(rf, area), 1e-3)
    smooth = np.clip((SHADE_FINE[1] - fine) / (SHADE_FINE[1] - SHADE_FINE[0]), 0.0, 1.0)
    folds = low + SHADE_MIDDLE * smooth * (shade - low)
    if broad_only is not None and broad_only.any():
        share = _broad_share(broad_only, (ws, hs), per_px)
        folds += share * (_blur(shade, SHADE_BROAD_LOW_PX * per_px) - folds)
    shade = folds
    # fade out away from the old clothes (a garment longer than the old one gets no invented folds)
    dist = cv2.distanceTransform((~region).astype(np.uint8), cv2.DIST_L2, 3)
    fade = np.exp(-dist / (SHADE_FADE_PX * per_px))
    log_gain = np.clip(
        SHADE_STRENGTH * shade * sheen_scale(SHADE_STRENGTH * shade[region]), -SHADE_RANGE[0], SHADE_RANGE[1]
    )
    log_gain *= fade
    gain = np.exp(log_gain).astype(np.float32)
    return cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR)


def _broad_share(broad_only: np.ndarray, size: tuple[int, int], per_px: float) -> np.ndarray:
    """(H', W') float32 [0, 1]: `broad_only` (H, W) bool at the small `size` (W', H'), softened over
    `SHADE_BROAD_PX` (`per_px` small pixels per pixel at 1024 rows): no step where its folds stop."""
    share = cv2.resize(broad_only.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    return np.clip(_blur(share, SHADE_BROAD_PX * per_px), 0.0, 1.0)


def sheen_scale(log_gain: np.ndarray) -> float:
    """The factor the light-and-folds log-gain is scaled by: below 1 when its values `log_gain` (N,) over the old
    clothes, before the clamp, are a shiny cloth's sheen (`SHEEN_RATIO`), else 1."""
    p5, p50, p95 = (float(v) for v in np.percentile(log_gain, [5, 50, 95]))
    # tails about the median: a level shifted as a whole (`_patch_offsets`' blocks) is no sheen
    bound = max(SHADE_RANGE[1], p50 + SHEEN_RATIO * (p50 - p5))
    return min(1.0, bound / p95) ** SHEEN_POWER if p95 > 0 else 1.0


def _lightness_levels(
    log_l: np.ndarray, region: np.ndarray, per_px: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """When the old clothes `region` (H, W) bool are two garments of far apart lightness: (`log_l` (H, W) relative to
    the median of its own level, (H, W) bool the seam between the levels, (H, W) bool the darker level); else None.
    The levels: `log_l` split at its Otsu threshold over `region`, smoothed over `SHADE_JOIN_PX` (whole garments,
    not a fold's shadow), each at least `SHADE_BLOCK_SHARE` of the old clothes and their medians over
    `SHADE_OUTLIER` apart (nearer ones are one garment's light and shade; farther ones, read about one median, left
    all of one garment out as an outlier and its darkness filled into the gain from the few mid-tones between them),
    and under `SHADE_LEVELS_MIDDLE` of it between them."""
    vals = log_l[region]
    lo, hi = float(vals.min()), float(vals.max())
    if hi - lo <= SHADE_OUTLIER:
        return None
    scaled = np.round((vals - lo) / (hi - lo) * 255.0).astype(np.uint8)
    t, _ = cv2.threshold(scaled.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    r = 2 * max(1, round(SHADE_JOIN_PX * per_px)) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (r, r))
    dark = (log_l < lo + (t + 0.5) / 255.0 * (hi - lo)).astype(np.uint8)
    dark = cv2.morphologyEx(cv2.morphologyEx(dark, cv2.MORPH_OPEN, kernel), cv2.MORPH_CLOSE, kernel) > 0
    in_dark = dark[region]
    share = float(in_dark.mean())
    if min(share, 1.0 - share) < SHADE_BLOCK_SHARE:
        return None
    med_dark, med_light = float(np.median(vals[in_dark])), float(np.median(vals[~in_dark]))
    if med_light - med_dark <= SHADE_OUTLIER:
        return None
    # (a sheen's or a shadow's ramp fills the middle between the levels; two garments meet at a sharp seam)
    middle = np.abs(vals - 0.5 * (med_dark + med_light)) < 0.25 * (med_light - med_dark)
    if float(middle.mean()) >= SHADE_LEVELS_MIDDLE:
        return None
    relative = log_l - np.where(dark, med_dark, med_light).astype(np.float32)
    seam = cv2.morphologyEx(dark.astype(np.uint8), cv2.MORPH_GRADIENT, kernel) > 0
    return relative, seam, dark


def _join_levels(log_l: np.ndarray, dark: np.ndarray, ok: np.ndarray, region: np.ndarray, per_px: float) -> np.ndarray:
    """(H, W) float32 `log_l` (H, W, each level about its own median) shifted by one offset on each side of `dark`
    (H, W) bool (the darker of two old garments, `_lightness_levels`) so that the kept pixels `ok` (H, W) bool of
    each within `SHADE_LEVELS_JOIN_PX` (`per_px` small pixels per pixel at 1024 rows) of the other meet on average,
    the mean over `region` (H, W) bool unchanged. `log_l` itself when either has no kept pixels there."""
    r = 2 * max(1, round(SHADE_LEVELS_JOIN_PX * per_px)) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (r, r))
    dark_r, light_r = dark & region, ~dark & region
    near_light = ok & dark_r & (cv2.dilate(light_r.astype(np.uint8), kernel) > 0)
    near_dark = ok & light_r & (cv2.dilate(dark_r.astype(np.uint8), kernel) > 0)
    if not near_light.any() or not near_dark.any():
        return log_l
    step = float(log_l[near_light].mean() - log_l[near_dark].mean())  # dark side minus light side, at the border
    share = float(dark_r.sum()) / max(float(region.sum()), 1.0)
    # o_dark - o_light = step, share x o_dark + (1 - share) x o_light = 0
    return log_l - np.where(dark, (1.0 - share) * step, -share * step).astype(np.float32)


def _edge_strength(channels: np.ndarray, per_px: float) -> np.ndarray:
    """(H, W) float32 the largest gradient magnitude over the (H, W, C) `channels` after a Gaussian of 3.2 `per_px`
    pixels (`per_px` small pixels per pixel at 1024 rows), per 4 pixels at 1024 rows."""
    edges = np.zeros(channels.shape[:2], np.float32)
    for ch in range(channels.shape[-1]):
        blurred = cv2.GaussianBlur(channels[..., ch], (0, 0), 3.2 * per_px)
        edges = np.maximum(edges, np.hypot(cv2.Sobel(blurred, cv2.CV_32F, 1, 0), cv2.Sobel(blurred, cv2.CV_32F, 0, 1)))
    return edges * (4 * per_px)


def _block_count(patches: np.ndarray, region: np.ndarray) -> int:
    """How many parts of `patches` (H, W) bool (8-connected) hold at least `SHADE_BLOCK_SHARE` of `region` (H, W)
    bool: the colour blocks of a patchwork or a two-tone top; a plain top's shadow or fold cuts off only slivers."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(patches.astype(np.uint8), connectivity=8)
    return int((stats[1:, cv2.CC_STAT_AREA] >= SHADE_BLOCK_SHARE * max(int(region.sum()), 1)).sum())


def _patch_offsets(
    log_l: np.ndarray, ok: np.ndarray, patches: np.ndarray, ref_level: float, per_px: float
) -> np.ndarray:
    """(H, W) float32 log-luminance offset of the kept pixels `ok` (H, W) bool in each patch of `patches` (H, W)
    bool (its 8-connected parts, cut apart by the chromaticity steps left out around them) such that `log_l`
    (H, W) minus it meets across every cut: the mean of the kept pixels of a patch within `SHADE_JOIN_PX` (at 1024
    rows, `per_px` small pixels each) of a neighbour equals the neighbour's there (least squares over all cuts), a
    patch with no neighbour set to `ref_level` (its median), 0 off `ok`. A patchwork's blocks or a two-tone top's
    halves lose their step, the light across them and inside each stays; a plain top (one patch) is untouched."""
    n, labels = cv2.connectedComponents(patches.astype(np.uint8), connectivity=8)
    labels[~ok] = 0
    if n <= 2:  # background and one patch
        return np.zeros_like(log_l)
    k = n - 1
    lab = labels[ok] - 1
    size = np.bincount(lab, minlength=k).astype(np.float64)
    vals = log_l[ok].astype(np.float64)
    median = np.array([np.median(vals[lab == i]) if size[i] else ref_level for i in range(k)])
    near_sum, near_count = np.zeros((k, k)), np.zeros((k, k))  # [i, j]: patch j's pixels near patch i
    r = 2 * max(1, round(SHADE_JOIN_PX * per_px)) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (r, r))
    for i in range(k):
        near = (cv2.dilate((labels == i + 1).astype(np.uint8), kernel) > 0)[ok]
        near_count[i] = np.bincount(lab[near], minlength=k)
        near_sum[i] = np.bincount(lab[near], weights=vals[near], minlength=k)
    np.fill_diagonal(near_count, 0.0)
    wt = np.minimum(near_count, near_count.T)  # pixels along the cut on both sides
    mean = near_sum / np.maximum(near_count, 1.0)  # [i, j]: patch j's mean near patch i
    # o_i - o_j = (i near j) - (j near i), and each patch weakly held to its own median (fixes the common level)
    prior = SHADE_JOIN_PRIOR * np.maximum(size, 1.0) / size.sum() * max(float(wt.sum()), 1.0)
    a = np.diag(prior + wt.sum(1)) - wt
    b = prior * (median - ref_level) + (wt * (mean.T - mean)).sum(1)
    offsets = np.linalg.solve(a, b)
    return np.where(ok, np.concatenate([[0.0], offsets])[labels], 0.0).astype(np.float32)


def limb_shading(skin: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) float32 gain in [1 - LIMB_SHADE, 1] for repainted skin `skin` (H, W) bool: a limb seen side-on is a
    cylinder, lit most along its axis and darker towards both edges (Lambert: the normal's facing component
    sqrt(1 - (1 - d / r)^2) at distance d from the edge, r the limb's local half-width, at most `LIMB_RADIUS_PX`
    at 1024 rows: a torso darkens over that band along its outline only)."""
    to_edge = cv2.distanceTransform(skin.astype(np.uint8), cv2.DIST_L2, 3)
    h, w = skin.shape
    hs, ws = -(-h // BOX_GRID), -(-w // BOX_GRID)
    radius_px = LIMB_RADIUS_PX * unit
    small = cv2.resize(to_edge, (ws, hs), interpolation=cv2.INTER_AREA)
    k = 2 * max(1, round(radius_px / BOX_GRID)) + 1
    local = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))  # the half-width nearby
    local = cv2.resize(np.minimum(local, radius_px), (w, h), interpolation=cv2.INTER_LINEAR)
    x = np.clip(to_edge / np.maximum(local, 1.0), 0.0, 1.0)
    facing = np.sqrt(np.clip(1.0 - (1.0 - x) ** 2, 0.0, 1.0))
    return (1.0 - LIMB_SHADE * (1.0 - facing)).astype(np.float32)


def skin_slopes(img: np.ndarray, skin: np.ndarray, unit: float) -> np.ndarray:
    """(3,) float32 how fast the person's skin's log-R, G, B fall with its log-luminance (`SKIN_SLOPES_RANGE`), from
    `img` (H, W, 3) [0, 1] over `skin` (H, W) bool; `unit` is the image's height over 1024 rows."""
    if skin.sum() < SKIN_SLOPE_MIN_PX * unit * unit:
        return np.asarray(SKIN_SLOPES, np.float32)
    # (blurred on the skin's box grown by the kernel's radius, OpenCV's 4 sigma for float images: the same values at
    # the skin pixels as over the whole image)
    sigma = SKIN_SLOPE_BLUR_PX * unit
    y0, y1, x0, x1 = mask_box(skin, int(round(8 * sigma + 1)) // 2 + 1)
    px = cv2.GaussianBlur(np.ascontiguousarray(img[y0:y1, x0:x1]), (0, 0), sigma)[skin[y0:y1, x0:x1]]
    log_l = np.log(np.maximum(px @ np.asarray(LUMA_WEIGHTS, np.float32), 1e-3))
    lo, hi = np.percentile(log_l, (5, 95))
    if hi - lo < np.log(SKIN_SLOPE_SPAN):
        return np.asarray(SKIN_SLOPES, np.float32)
    keep = (log_l > lo) & (log_l < hi)  # (not the specular highlights, nor the shadowed creases)
    x = log_l[keep] - log_l[keep].mean()
    y = np.log(np.maximum(px[keep], 1e-3))
    slopes = x @ (y - y.mean(0)) / float(x @ x)
    return np.clip(slopes, *SKIN_SLOPES_RANGE).astype(np.float32)


def jaw_shadow(img: np.ndarray, face: np.ndarray) -> np.ndarray:
    """(H, W) float32 gain in [1 - `JAW_SHADOW_MAX`, 1] for repainted skin: the face's shadow on the neck under the
    `face` (H, W) bool of `img` (H, W, 3) [0, 1] (its largest part, the whole image's: its height scales the shadow).
    Per column of the face, 1 - the depth (`_jaw_depth`) at and above its lowest pixel, back to 1 over
    `JAW_SHADOW_LEN` face heights below it (a smoothstep), softened across (`JAW_SHADOW_SOFT`: the face's ragged
    outline makes no columns); 1 beside the face and without one. The face's light is not the neck's: a freed neck
    filled in the lit face's tone looked pale and flat, with a step under the jaw's shaded rim."""
    h, w = face.shape
    if not face.any():
        return np.ones((h, w), np.float32)
    fy0, _, fx0, _ = box = mask_box(face, 0)  # (its parts in the face labels' box: the whole image's took ~7 ms)
    count, parts, stats, _ = cv2.connectedComponentsWithStats(
        face[box[0] : box[1], box[2] : box[3]].astype(np.uint8), connectivity=8
    )
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    top, height = fy0 + stats[largest, cv2.CC_STAT_TOP], stats[largest, cv2.CC_STAT_HEIGHT]
    x0, width = fx0 + stats[largest, cv2.CC_STAT_LEFT], stats[largest, cv2.CC_STAT_WIDTH]
    own = parts[top - fy0 : top - fy0 + height, x0 - fx0 : x0 - fx0 + width] == largest
    cols = own.any(axis=0)
    bottom = top + height - 1 - np.argmax(own[::-1], axis=0)  # (width,) the face's lowest row per column
    depth = _jaw_depth(img[top : top + height, x0 : x0 + width], own, bottom - top)
    sigma = max(0.5, JAW_SHADOW_SOFT * height)
    # (drawn and blurred in the box the shadow reaches, zeros around it: the whole image's blur took ~20 ms)
    pad = int(np.ceil(3 * sigma))
    bx0, bx1 = max(0, x0 - pad), min(w, x0 + width + pad)
    by1 = min(h, int(bottom.max() + JAW_SHADOW_LEN * height) + pad + 1)
    t = np.clip((np.arange(top, by1, dtype=np.float32)[:, None] - bottom) / (JAW_SHADOW_LEN * height), 0.0, 1.0)
    deficit = np.zeros((by1 - top, bx1 - bx0), np.float32)
    deficit[:, x0 - bx0 : x0 - bx0 + width] = depth * (1.0 - t * t * (3.0 - 2.0 * t)) * cols
    gain = np.ones((h, w), np.float32)
    blurred = cv2.GaussianBlur(deficit, (0, 0), sigmaX=sigma, sigmaY=0.5 * sigma, borderType=cv2.BORDER_CONSTANT)
    gain[top:by1, bx0:bx1] -= blurred
    return gain


def _jaw_depth(img: np.ndarray, face: np.ndarray, bottom: np.ndarray) -> float:
    """The jaw's shadow depth (`jaw_shadow`) for a `face` (h, w) bool in its box of `img` (h, w, 3), with its lowest
    row per column `bottom` (w,): `JAW_SHADOW`, or 1 - the chin's rim's luminance relative to the face's median when
    that is darker (the lowest `JAW_RIM` face heights of the middle half of its columns), at most `JAW_SHADOW_MAX`."""
    h, w = face.shape
    luma = img @ np.asarray(LUMA_WEIGHTS, np.float32)
    median = float(np.median(luma[face]))
    rim = face & (np.arange(h)[:, None] > bottom - max(1.0, JAW_RIM * h))
    rim[:, : w // 4] = False
    rim[:, w - w // 4 :] = False
    if median <= 1e-3 or not rim.any():
        return JAW_SHADOW
    return float(np.clip(1.0 - np.median(luma[rim]) / median, JAW_SHADOW, JAW_SHADOW_MAX))


def garment_edge_shadow(covered: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) float32 gain in [1 - `GARMENT_SHADOW`, 1] for repainted skin: the new garment's contact shadow beside
    its `covered` (H, W) bool pixels, fading with the distance from them over `GARMENT_SHADOW_PX` (`unit` = rows /
    1024); ones without any."""
    if not covered.any():
        return np.ones(covered.shape, np.float32)
    d = cv2.distanceTransform((~covered).astype(np.uint8), cv2.DIST_L2, 3)
    return (1.0 - GARMENT_SHADOW * np.exp(-d / (GARMENT_SHADOW_PX * unit))).astype(np.float32)


@dataclass(frozen=True)
class SkinBelow:
    gain: np.ndarray  # (H, W) float32 the light carried down (relative to the skin's median, fading to 1)
    luma: np.ndarray  # (H, W) float32 the luminance of the visible skin right above, carried down unfaded
    share: np.ndarray  # (H, W) float32 [0, 1] how much that holds: 1 under the skin, fading as the gain does


def skin_carried_below(img: np.ndarray, skin: np.ndarray, unit: float) -> SkinBelow:
    """The light of the visible `skin` (H, W) bool of `img` (H, W, 3) [0, 1] carried down each column
    (`SKIN_LIGHT_DECAY_PX`): the body below a lit neck or shoulder is lit alike, the column under a shaded side
    shaded. `gain` (H, W) float32 ~ 1 for repainted skin, relative to the skin's median log-luminance (the repaint's
    tone is the visible skin's median; over `BOX_GRID` cells), 1 where no skin shows above; the skin's own luminance
    right above (absolute, unfaded) and the share (H, W) [0, 1] by which that luminance still holds (e^-1 at
    `SKIN_LIGHT_DECAY_PX`, 0 where no skin shows above). At 1/`BOX_GRID` of the resolution, bilinear back."""
    h, w = skin.shape
    size = (-(-w // BOX_GRID), -(-h // BOX_GRID))
    share = cv2.resize(skin.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    seen = share > 0.5  # (cells mostly skin: not the mixed ones along its outline, half hair or cloth)
    if not seen.any():
        ones = np.ones((h, w), np.float32)
        return SkinBelow(ones, ones, np.zeros((h, w), np.float32))
    # (the cells' mean luminance, then its log: the image's own log and exp at full size were most of the time)
    luma = img @ np.asarray(LUMA_WEIGHTS, np.float32)
    total = cv2.resize(luma * skin, size, interpolation=cv2.INTER_AREA)
    cells = np.log(total / np.maximum(share, 1e-6) + 0.04)
    median = float(np.median(cells[seen]))
    cells = np.where(seen, cells - median, 0.0).astype(np.float32)
    keep = float(np.exp(-BOX_GRID / (SKIN_LIGHT_DECAY_PX * unit)))
    light = np.empty_like(cells)
    held = np.empty_like(cells)
    raw = np.empty_like(cells)
    carried = np.zeros(cells.shape[1], np.float32)
    hold = np.zeros(cells.shape[1], np.float32)
    last = np.zeros(cells.shape[1], np.float32)
    for y in range(cells.shape[0]):  # (a running fade down the columns: ~200 rows of a few hundred cells)
        carried = np.where(seen[y], cells[y], carried * keep)
        hold = np.where(seen[y], 1.0, hold * keep)
        last = np.where(seen[y], cells[y], last)
        light[y], held[y], raw[y] = carried, hold, last
    light = cv2.GaussianBlur(light, (0, 0), SKIN_LIGHT_SOFT)
    gain = np.exp(np.clip(light, -SKIN_LIGHT_RANGE, SKIN_LIGHT_RANGE)).astype(np.float32)
    # (the unfaded level blurred by its share: no mixing with the 0 of columns where no skin shows)
    soft = cv2.GaussianBlur(held, (0, 0), SKIN_LIGHT_SOFT)
    raw = cv2.GaussianBlur(raw * held, (0, 0), SKIN_LIGHT_SOFT) / np.maximum(soft, 1e-3)
    level = (np.exp(raw + median) - 0.04).astype(np.float32)
    up = lambda x: cv2.resize(x.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)  # noqa: E731
    return SkinBelow(up(gain), up(level), up(np.clip(soft, 0.0, 1.0)))


def clothes_light_on_skin(gain: np.ndarray, skin: np.ndarray, unit: float) -> np.ndarray:
    """(H, W) float32 gain for repainted skin: the light-and-folds `gain` (H, W) > 0 (`clothes_shading`) bounded
    (`SKIN_CLOTHES_RANGE`), its log averaged over the repainted `skin` (H, W) bool (`SKIN_CLOTHES_PX` at 1024 rows;
    `unit` = rows / 1024: a freed forearm takes its own sleeve's light, not the lit torso's beside it), fading to 1
    where no such skin lies near."""
    weight = skin.astype(np.float32)
    if not weight.any():
        return np.ones(skin.shape, np.float32)
    sigma = SKIN_CLOTHES_PX * unit
    # (bounded first: a lit stripe would spread into the skin around it)
    log_gain = np.clip(np.log(np.maximum(gain, 1e-3)), -SKIN_CLOTHES_RANGE[0], SKIN_CLOTHES_RANGE[1])
    num, den = _blur(log_gain.astype(np.float32) * weight, sigma), _blur(weight, sigma)
    # (the average where the skin lies near, times its share of the neighbourhood up to 1: no division by a
    # vanishing weight far from it)
    broad = num / np.maximum(den, 1e-3) * np.clip(den / 0.05, 0.0, 1.0)
    return np.exp(broad).astype(np.float32)


def shade_skin(colour: np.ndarray, gain: np.ndarray, slopes: np.ndarray | None = None) -> np.ndarray:
    """(H, W, 3) float32: skin `colour` ((H, W, 3) or (3,), [0, 1] RGB) under a luminance `gain` (H, W) > 0 (or any
    shape), as skin shades: each channel times the gain to the power of its slope (`slopes` (3,), `skin_slopes`;
    `SKIN_SLOPES` when None): the luminance changes about as the gain, darker is more saturated, lighter less."""
    k = np.asarray(SKIN_SLOPES if slopes is None else slopes, np.float32)
    # (`copy=False` here and below: float32 already in the common case, no copy of a crop-sized array)
    log_gain = np.log(np.maximum(gain, 1e-3)).astype(np.float32, copy=False)
    # (a plane per channel, merged: the same values as `colour * np.exp(log_gain[..., None] * k)`, whose broadcasts
    # against the 3-long last axis run a 3-long inner loop per pixel, 5x as slow over a repainted crop)
    if log_gain.ndim != 2:  # a single gain or a row of them: the broadcast is cheap there
        return (colour * np.exp(log_gain[..., None] * k)).astype(np.float32, copy=False)
    rows = log_gain.shape[0]
    planes = [np.exp(log_gain * k[c]).reshape(rows, -1) for c in range(3)]
    if colour.ndim == 1:
        merged = cv2.merge([colour[c] * p for c, p in enumerate(planes)])
        return merged.reshape(*log_gain.shape, 3).astype(np.float32, copy=False)
    return (colour * cv2.merge(planes).reshape(*log_gain.shape, 3)).astype(np.float32, copy=False)


def arm_shading(
    size_hw: tuple[int, int],
    segments: Sequence[tuple[np.ndarray, np.ndarray, float, float]],
    body: np.ndarray | None = None,
    *,
    inner_from: float = 0.0,
) -> np.ndarray:
    """(H, W) float32 gain in [1 - ARM_SHADE, 1] of arms drawn from the pose: `segments` are (start (2,), end (2,),
    half-width at the start, at the end) in pixels (x, y) of the (H, W) frame; each a cylinder across its width
    (1 along its axis, 1 - `ARM_SHADE` times the squared distance from it in half-widths; `ARM_INNER` more on the
    side facing `body` (2,), a point on the body's axis, if given), back to 1 over `ARM_CONTACT`
    half-widths outside it, ones elsewhere; of the nearest limb relative to its width where they overlap, fading out
    past an end no other segment shares. `inner_from` > 0 (half-widths): from a start no other segment shares (the
    shoulder), the side facing the body is shaded only from that far along on, growing in linearly (above the
    armpit the upper arm's inner side is the shoulder's front, one surface with the chest: shaded to its joint, a
    dark seam ran down from the shoulder between a repainted arm and chest). Computed on the 1/`BOX_GRID` grid."""
    h, w = size_hw
    g = BOX_GRID
    hs, ws = -(-h // g), -(-w // g)
    ys, xs = np.mgrid[0:hs, 0:ws].astype(np.float32)
    px, py = (xs + 0.5) * g - 0.5, (ys + 0.5) * g - 0.5
    x = np.full((hs, ws), np.inf, np.float32)  # distance from the nearest axis in its half-widths
    inner = np.zeros((hs, ws), bool)  # on its side facing the body
    fade = np.ones((hs, ws), np.float32)
    grow = np.ones((hs, ws), np.float32)  # the side facing the body's share of the shading (`inner_from`)
    ends = [tuple(np.round(np.asarray(p, float), 3)) for seg in segments for p in seg[:2]]
    for pa, pb, ra, rb in segments:
        d = np.asarray(pb, np.float32) - np.asarray(pa, np.float32)
        dx, dy = px - float(pa[0]), py - float(pa[1])
        length = max(float(np.linalg.norm(d)), 1e-3)
        along = (dx * d[0] + dy * d[1]) / length
        t = np.clip(along / length, 0.0, 1.0)
        r = np.maximum(ra + (rb - ra) * t, 1.0)
        xk = np.sqrt((dx - t * d[0]) ** 2 + (dy - t * d[1]) ** 2) / r
        # past an end no other limb shares (the wrist, the shoulder) the limb goes on (a hand, the body): no rim of
        # shadow across it, the shading fades out over a half-width
        over = np.zeros_like(along)
        grows = np.ones_like(along)
        if ends.count(tuple(np.round(np.asarray(pa, float), 3))) == 1:
            over = np.maximum(over, -along)
            if inner_from > 0:
                grows = np.clip(along / (inner_from * r), 0.0, 1.0)
        if ends.count(tuple(np.round(np.asarray(pb, float), 3))) == 1:
            over = np.maximum(over, along - length)
        nearer = xk < x
        x = np.where(nearer, xk, x)
        if body is not None:
            # (the cross product with the bone: its sign says which side of it a point lies)
            body_side = d[0] * float(body[1] - pa[1]) - d[1] * float(body[0] - pa[0])
            facing = (d[0] * dy - d[1] * dx) * body_side > 0
            inner = np.where(nearer, facing, inner)
        fade = np.where(nearer, np.clip(1.0 - over / r, 0.0, 1.0), fade)
        grow = np.where(nearer, grows, grow)
    # (of the nearest limb: two meeting at the elbow are one outline, no ring where one's shadow lies on the other)
    outside = np.clip((1.0 + ARM_CONTACT - x) / ARM_CONTACT, 0.0, 1.0)
    shade = (ARM_SHADE + ARM_INNER * inner) * np.where(inner, grow, 1.0)
    gain = (1.0 - shade * fade * np.where(x <= 1.0, x * x, outside)).astype(np.float32)
    return cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR)


def torso_shading(
    size_hw: tuple[int, int], neck: np.ndarray, right_shoulder: np.ndarray, left_shoulder: np.ndarray
) -> np.ndarray:
    """(H, W) float32 gain ~ 1 for repainted skin on the torso, from the pose's `neck`, `right_shoulder` and
    `left_shoulder` (2,) joints (x, y pixels of the (H, W) frame): the chest's roundness across the body
    (`TORSO_SHADE`, a Lambert cylinder of radius `TORSO_RADIUS` shoulder widths about the axis down from the neck,
    under the shoulders, `TORSO_SIDES`)
    and the collarbones under the neck (`CLAVICLE`: a lit ridge along each neck-to-shoulder line from a tenth to
    nine tenths of the way, a hollow under it, a darker notch at the neck). Computed on the 1/`BOX_GRID` grid
    (all of it is smooth) and upsampled; ones when the shoulders are under 8 pixels apart."""
    h, w = size_hw
    sw = float(np.linalg.norm(left_shoulder - right_shoulder))
    if sw < 8:
        return np.ones((h, w), np.float32)
    g = BOX_GRID
    hs, ws = -(-h // g), -(-w // g)
    ys, xs = np.mgrid[0:hs, 0:ws].astype(np.float32)
    px, py = (xs + 0.5) * g - 0.5, (ys + 0.5) * g - 0.5
    u = (left_shoulder - right_shoulder) / sw
    v = np.array([-u[1], u[0]]) if u[0] >= 0 else np.array([u[1], -u[0]])  # down the body
    dx, dy = px - neck[0], py - neck[1]
    across, down = dx * u[0] + dy * u[1], dx * v[0] + dy * v[1]
    x = np.clip(np.abs(across) / (TORSO_RADIUS * sw), 0.0, 1.0)
    # (not on the shoulders, which face the light from above: the roundness grows in under them)
    below = np.clip((down - TORSO_SIDES[0] * sw) / ((TORSO_SIDES[1] - TORSO_SIDES[0]) * sw), 0.0, 1.0)
    log_gain = np.log1p(-TORSO_SHADE * (1.0 - np.sqrt(1.0 - x * x))) * below
    ridge, hollow = (s * sw for s in CLAVICLE_SIGMA)
    drop = CLAVICLE_BELOW * sw * v
    for shoulder in (right_shoulder, left_shoulder):
        seg = shoulder - neck
        log_gain += CLAVICLE[0] * np.exp(-_to_segment2(dx, dy, seg) / (2 * ridge**2))
        log_gain -= CLAVICLE[1] * np.exp(-_to_segment2(dx - drop[0], dy - drop[1], seg) / (2 * hollow**2))
    log_gain -= CLAVICLE[1] * np.exp(-(across**2 + (down - 0.5 * CLAVICLE_BELOW * sw) ** 2) / (2 * hollow**2))
    small = np.exp(log_gain).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _to_segment2(dx: np.ndarray, dy: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Squared distance of the points (`dx`, `dy`) (relative to a segment's start) to its middle eight tenths, the
    segment being `seg` (2,) from its start."""
    t = np.clip((dx * seg[0] + dy * seg[1]) / max(float(seg @ seg), 1e-6), 0.1, 0.9)
    return (dx - t * seg[0]) ** 2 + (dy - t * seg[1]) ** 2
