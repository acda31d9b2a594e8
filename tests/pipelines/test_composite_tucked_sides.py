"""`composite_garment` with a tucked-in top's waistband: near the cut the fit grows the new top no wider than the
lower garment (`_beside_the_waist`), not out to a loose old top's outline (README pair 00891: a flap past the jeans)."""

from __future__ import annotations

import numpy as np
import torch

from kfvton.pipelines.composite import (
    BAND_TAPER,
    HEM_GAP_PX,
    HEM_OVERLAP_PX,
    TUCK_SIDE_SW,
    _beside_the_waist,
    _hem_into_lower,
    composite_garment,
)
from kfvton.pipelines.waistband import HANG_SW

H, W = 512, 384
WAIST = 300  # the waistband's row


def _scene() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(person, parse, garment, mask): a loose green old top (5) over columns 100-289 down to the waistband, dark
    trousers (9) under it over columns 120-269; a red new top over columns 112-277, long enough to reach below the
    waistband (the fit's band over the old top beside it is `GROW_SW` x `FALLBACK_SW` x 512 = 10 px wide)."""
    person = torch.full((1, 3, H, W), 0.9)
    parse = torch.zeros(1, H, W, dtype=torch.long)
    person[0, :, 100:WAIST, 100:290] = torch.tensor([0.2, 0.5, 0.2])[:, None, None]
    parse[0, 100:WAIST, 100:290] = 5
    person[0, :, WAIST:510, 120:270] = torch.tensor([0.1, 0.1, 0.3])[:, None, None]
    parse[0, WAIST:510, 120:270] = 9
    mask = torch.zeros(1, 1, H, W)
    mask[..., 100:400, 112:278] = 1.0
    garment = torch.ones(1, 3, H, W) * (1 - mask) + torch.tensor([0.8, 0.1, 0.1])[None, :, None, None] * mask
    return person, parse, garment, mask


def test_tucked_top_is_not_grown_past_the_trousers_near_the_waistband() -> None:
    person, parse, garment, mask = _scene()
    waistband = torch.full((1, W), float(WAIST))
    out = composite_garment(person, garment, mask, parse=parse, waistband=waistband, shading=False).alpha[0, 0]
    # higher up the fit grows it sideways out to the old top's outline (columns 102-111 and 278-287) ...
    assert float(out[200:250, 104:110].min()) > 0.9 and float(out[200:250, 280:286].min()) > 0.9
    # ... but in the last rows above the cut, no wider than the trousers (its own side stays: columns 112-119)
    assert float(out[285:299, 100:111].max()) < 0.05 and float(out[285:299, 279:290].max()) < 0.05
    assert float(out[285:298, 116:274].min()) > 0.9
    assert float(out[WAIST + 2 :].max()) < 0.05  # cut at the waistband
    # a band grown from a sleeve (a long one hangs beside the hips) is not limited
    sleeves = torch.zeros(1, 2, H, W, dtype=torch.bool)
    sleeves[0, 0, 100:400, 112:130] = True
    own = composite_garment(
        person, garment, mask, parse=parse, waistband=waistband, sleeves=sleeves, shading=False
    ).alpha[0, 0]
    assert float(own[285:296, 105:110].min()) > 0.9 and float(own[285:299, 279:290].max()) < 0.05
    # not tucked: grown out to the old top's outline down to its bottom
    free = composite_garment(person, garment, mask, parse=parse, shading=False).alpha[0, 0]
    assert float(free[285:296, 105:110].min()) > 0.9


def test_beside_the_waist_spans_the_lower_garment_with_a_slope_above() -> None:
    lower = np.zeros((200, 100), bool)
    lower[120:, 30:70] = True
    sw = 50.0  # the zone: TUCK_SIDE_SW x 50 = 10 rows above the cut at row 120
    no_arms = np.zeros_like(lower)
    out = _beside_the_waist(lower, no_arms, np.full(100, 120.0), sw, 5.0)
    zone = 120 - TUCK_SIDE_SW * sw
    assert not out[:, 30:70].any()  # over the lower garment's columns: grown as before
    assert out[int(zone) + 1 : 126, 29].all() and not out[: int(zone - 1 / BAND_TAPER), 29].any()
    assert out[int(zone - 3 / BAND_TAPER) + 1 : 126, 27].all() and not out[: int(zone - 3 / BAND_TAPER), 27].any()
    # (beyond the band's width, 5 px, from as high as at its edge)
    assert out[int(zone - 5 / BAND_TAPER) + 1 : 126, 10].all() and not out[: int(zone - 5 / BAND_TAPER), 10].any()
    assert not out[126:].any()  # more than the band's width under the cut no band grows anyway
    # a lower garment seen only deeper than HANG_SW under the cut, or none, or no cut: no limit
    deep = np.zeros_like(lower)
    deep[int(120 + HANG_SW * sw) + 2 :, 30:70] = True
    assert not _beside_the_waist(deep, no_arms, np.full(100, 120.0), sw, 5.0).any()
    assert not _beside_the_waist(lower, no_arms, np.full(100, np.inf), sw, 5.0).any()


def test_beside_the_waist_leaves_the_gap_to_an_arm_hanging_beside_the_hips() -> None:
    lower = np.zeros((200, 100), bool)
    lower[120:, 30:70] = True
    arms = np.zeros_like(lower)
    arms[60:160, 85:90] = True  # an arm beside the left hip, 15 columns out from the lower garment
    arms[60:160, 22:26] = True  # ... and one in front of the right hip's band, inwards of columns 0-21
    out = _beside_the_waist(lower, arms, np.full(100, 120.0), 50.0, 5.0)
    assert not out[111:120, 75:85].any()  # within 2 x 5 px inwards of the arm: the band closes the gap to it
    assert out[111:120, 70:75].all()  # farther from it: limited as before
    assert out[111:120, 0:22].all()  # an arm inwards of the band does not lift the limit
    assert not out[111:120, 26:30].any()  # (outwards of it, within reach: an arm beside)
    under = np.zeros_like(lower)
    under[125:130, 72:78] = True  # a forearm crossing under the band (a hand on the hip)
    out = _beside_the_waist(lower, under, np.full(100, 120.0), 50.0, 5.0)
    assert not out[115:125, 72:78].any() and out[111:115, 72:78].all() and out[111:125, 78:80].all()


def test_hem_runs_into_the_lower_garment_top_edge():
    """`_hem_into_lower`: a cut 3 rows above the trousers' top edge (rows of old top between, repainted pale: the
    README pair 00891 / 01260, two photos) goes down to that edge and over its first `HEM_OVERLAP_PX` rows (the old
    white tee's rim labelled trousers stayed in front); columns whose edge lies farther than `HEM_GAP_PX` from the cut
    (an arm over the waistband) and columns without trousers keep the cut."""
    labels = torch.zeros(1, 64, 40, dtype=torch.long)
    labels[0, 30:, 5:35] = 9  # trousers from row 30
    labels[0, 30:50, 20:25] = 14  # a forearm over the waistband: their top edge at row 50 there
    cut = torch.full((1, 40), 27.0)
    rows, into = _hem_into_lower(cut, labels, 1.0)
    over = int(HEM_OVERLAP_PX)
    assert torch.allclose(rows[0, 5:20], torch.tensor(30.0 + over - 1))
    assert bool(into[0, 30 : 30 + over, 5:20].all()) and not bool(into[0, 30 + over :].any())
    assert float(rows[0, 22]) == 27.0 and not bool(into[0, :, 20:25].any())  # 50 - 27 > HEM_GAP_PX
    assert float(rows[0, 0]) == 27.0 and float(rows[0, 38]) == 27.0  # no trousers
    assert HEM_GAP_PX < 50 - 27
    assert not bool(into[labels != 9].any())  # only the trousers' own pixels are covered
