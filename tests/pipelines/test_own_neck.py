"""`_upper_body`'s neck is the person's own (`_own_neck`): not the pose's `NECK_WIDTH`, wider than a slim neck beside a
freed strap (ootd_model_6) and narrower than a broad one freed from an old V (cat_model_7)."""

from __future__ import annotations

import numpy as np
import torch

from kfvton.keypoints.pairs import KeypointPairs
from kfvton.keypoints.pose import Pose, joint_index
from kfvton.pipelines.repaint import CODE_BACKGROUND, CODE_BODY, CODE_FACE, CODE_HAIR, CODE_OLD, CODE_SKIN, _upper_body

H, W = 200, 200
NECK_X = 100


def _pairs() -> KeypointPairs:
    """Nose at row 40, neck joint and shoulders (80 px apart) at row 120: the neck's base at row ~99."""
    joints = torch.zeros(1, 25, 3)
    where = {"nose": (NECK_X, 40), "neck": (NECK_X, 120), "right_shoulder": (60, 120), "left_shoulder": (140, 120)}
    for name, (x, y) in where.items():
        joints[0, joint_index(name)] = torch.tensor([x, y, 0.9])
    pts = torch.tensor([[[90.0, 100.0, 1.0], [110.0, 100.0, 1.0]]])
    return KeypointPairs(pts, pts.clone(), ("collar_right", "collar_left"), (H, W), (H, W), pose=Pose(joints, (H, W)))


def _codes(neck: tuple[int, int], neck_code: int) -> np.ndarray:
    """(H, W) uint8: wall, a face over rows 20-60, the neck over the columns `neck` down to row 100 (`neck_code`), an
    old top from row 100 down across the shoulders."""
    codes = np.full((H, W), CODE_BACKGROUND, np.uint8)
    codes[20:60, 80:121] = CODE_FACE | CODE_SKIN | CODE_BODY
    codes[60:100, neck[0] : neck[1]] = neck_code
    codes[100:, 40:161] = CODE_OLD
    return codes


def _body(codes: np.ndarray) -> np.ndarray:
    """(H, W) bool `_upper_body` (torso only) at full size."""
    small = _upper_body(codes, _pairs(), (), 0, (H, W), (0, 0), None, None, None)
    assert small is not None
    return np.repeat(np.repeat(small, 2, axis=0), 2, axis=1)[:H, :W]


def test_a_freed_strap_beside_a_slim_neck_is_not_skin():
    # ootd_model_6: a slim neck (14 px, 0.18 shoulder widths) and his old tank's strap freed beside it, rows 88-100
    codes = _codes((93, 107), CODE_SKIN | CODE_BODY)
    codes[88:100, 40:161] = np.where(codes[88:100, 40:161] == CODE_BACKGROUND, CODE_OLD, codes[88:100, 40:161])
    body = _body(codes)
    # the pose's neck (27 px wide, columns 86-114) made the strap skin out to there: the own neck flares gently
    assert not body[90:98, 80:89].any() and not body[90:98, 112:120].any()
    assert body[70:98, 95:106].all()  # the neck itself
    # the torso starts from the neck's own base: its corners not out past it on the wall
    assert not body[99:101, 80:85].any() and not body[99:101, 116:120].any()


def test_a_broad_freed_neck_is_skin_to_its_own_outline():
    # cat_model_7: a broad neck (40 px, 0.5 shoulder widths) the parse map gave to his old V tank, a jaw shadow
    # called hair inside it
    codes = _codes((80, 121), CODE_OLD)
    codes[70:74, 84:88] = CODE_HAIR
    body = _body(codes)
    # the pose's neck (columns 86-114) cut it in vertical edges
    assert body[64:98, 82:119].all()
    assert not body[64:98, :78].any() and not body[64:98, 123:].any()


def test_freed_shoulders_follow_their_own_outline():
    # cat_model_7 / ootd_07966_00: the shoulders' outline (old clothes, rows 96 on) above the torso's straight line from
    # the neck's base to the shoulders' tops: under it the freed old top was wall, a square corner of skin beside it
    codes = _codes((80, 121), CODE_OLD)
    codes[96:100, 60:80] = CODE_OLD
    codes[96:100, 121:141] = CODE_OLD
    body = _body(codes)
    assert body[98:106, 62:76].all() and body[98:106, 125:139].all()
    assert not body[90:95, 40:78].any() and not body[90:95, 123:161].any()  # (no higher than the outline)


def test_the_grown_shoulder_joins_the_neck_through_the_outline():
    # cat_model_7's left shoulder (ootd_049949_1): the shoulders grow only outside the neck's base, the neck narrows
    # upwards, so a notch of wall 2-4 grid pixels wide was left between the shoulder's slope and the neck (a speck)
    from kfvton.pipelines.repaint import _Neck, _to_the_neck

    h, w = 40, 60
    body = np.zeros((h, w), bool)
    body[10:30, 26:35] = True  # the neck, 9 wide from row 10 ...
    body[29, 24:35] = True  # ... its base row wider (the flare)
    body[30:, 10:50] = True  # the torso from the neck's base
    grown = body.copy()
    grown[20:30, 10:24] = True  # the image-left shoulder grown up to row 20, up to the neck's base's columns
    outline = grown.copy()
    outline[18:30, 10:26] = True  # the person reaches from the shoulder's slope to the neck
    outline[25, 25] = False  # (one row with the wall in the gap: it stays)
    edges = np.tile([26.0, 34.0], (20, 1))
    edges[-1] = (24.0, 34.0)
    neck = _Neck(np.arange(10, 30), edges)
    out = _to_the_neck(grown, outline, neck, body)
    assert out[20:25, 24:26].all() and out[26:30, 24:26].all()
    assert not out[25, 24:26].any()
    assert not out[18:20, 10:26].any()  # (no higher than the grown shoulder)
    assert (out[:, 35:] == grown[:, 35:]).all()  # (nothing grown on the image-right: nothing to join)
    # a shoulder grown only farther out (beside ootd_model_6's slim neck, past a freed strap) is not joined
    grown[20:30, 18:24] = False
    assert (_to_the_neck(grown, outline, neck, body) == grown).all()
