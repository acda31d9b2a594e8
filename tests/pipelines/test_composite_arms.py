"""composite_garment's repaint of freed arms, necks and shoulders on a synthetic person at 512 rows (issue 12, clean
repaint): a freed long sleeve gives a crisp arm of the body's tone that fades into the real forearm, a lace high
neck the parse map calls neck is replaced, bare shoulders stay under the new garment, and a thin freed strip
between the garment and the body is skin, not wall."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from kfvton._arrays import LUMA_WEIGHTS
from kfvton.keypoints.pairs import KeypointPairs
from kfvton.keypoints.pose import Pose
from kfvton.pipelines import repaint
from kfvton.pipelines.body_prior import LIMB_WIDTHS
from kfvton.pipelines.composite import CATEGORY_LABELS, composite_garment
from kfvton.pipelines.repaint import (
    CODE_ARM,
    CODE_OLD,
    _across_arm,
    _arm_light,
    _exit_widths,
    _near_skin,
    _sleeve_exits,
    _torso_light,
    _torso_to_waistband,
    _TorsoLight,
    _upper_arms_under_sleeves,
)
from kfvton.pipelines.shading import shade_skin

H, W = 512, 384
WALL = 0.92
FACE = (0.88, 0.68, 0.58)
SLEEVE = (0.2, 0.25, 0.5)
LUMA = torch.tensor([0.299, 0.587, 0.114])
JOINTS = {0: (192, 60), 1: (192, 112), 2: (92, 120), 3: (68, 280), 4: (64, 450), 5: (292, 120), 6: (316, 280),
          7: (320, 450), 9: (140, 400), 12: (244, 400)}  # fmt: skip
NAMES = ("collar_left", "collar_right", "shoulder_left", "shoulder_right", "armpit_left", "armpit_right",
         "hem_left", "hem_center", "hem_right")  # fmt: skip
TARGETS = {"collar_left": (220, 100), "collar_right": (164, 100), "shoulder_left": (260, 110),
           "shoulder_right": (124, 110), "armpit_left": (280, 200), "armpit_right": (104, 200),
           "hem_left": (280, 456), "hem_center": (192, 456), "hem_right": (104, 456)}  # fmt: skip


def _paint(image: torch.Tensor, rows: slice, cols: slice, colour: tuple[float, float, float]) -> None:
    image[0, :, rows, cols] = torch.tensor(colour)[:, None, None]


def person_scene(*, forearm: tuple[float, float, float] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """A light wall, a face (rows 20-100), an old long-sleeved top (columns 16-368, rows 100-460: sleeves 48 px wide
    around the pose's arms x 64 / 320 and the torso between) and, with `forearm`, bare forearms of that colour
    below the sleeves (rows 460-500). Returns (person (1, 3, H, W), parse (1, H, W))."""
    person = torch.full((1, 3, H, W), WALL)
    parse = torch.zeros(1, H, W, dtype=torch.long)
    _paint(person, slice(20, 100), slice(152, 232), FACE)
    parse[0, 20:100, 152:232] = 13
    _paint(person, slice(100, 460), slice(112, 272), SLEEVE)  # torso
    parse[0, 100:460, 112:272] = 5
    for x in (64, 320):
        _paint(person, slice(110, 460), slice(x - 24, x + 24), SLEEVE)
        parse[0, 110:460, x - 24 : x + 24] = 5
        if forearm is not None:
            _paint(person, slice(460, 500), slice(x - 14, x + 14), forearm)
            parse[0, 460:500, x - 14 : x + 14] = 14 if x < 192 else 15
    return person, parse


def pairs(scale: int = 1) -> KeypointPairs:
    """The scene's pose and garment targets, at `scale` times its size."""
    joints = torch.zeros(1, 25, 3)
    for k, (x, y) in JOINTS.items():
        joints[0, k] = torch.tensor([scale * x, scale * y, 1.0])
    person_px = torch.tensor([[[scale * TARGETS[n][0], scale * TARGETS[n][1], 1.0] for n in NAMES]])
    hw = (scale * H, scale * W)
    return KeypointPairs(person_px.clone(), person_px, NAMES, hw, hw, pose=Pose(joints, hw))


def doubled(*images: torch.Tensor) -> list[torch.Tensor]:
    """(1, C, H, W) or (1, H, W) tensors at twice the size (nearest: the scene's colours and labels are flat)."""
    out = []
    for t in images:
        big = t.repeat_interleave(2, -1).repeat_interleave(2, -2)
        out.append(big)
    return out


def sleeveless() -> tuple[torch.Tensor, torch.Tensor]:
    """A sleeveless yellow garment over the torso (columns 116-268, rows 100-456). Returns (garment, mask)."""
    mask = torch.zeros(1, 1, H, W)
    mask[..., 100:456, 116:268] = 1
    return torch.tensor([0.9, 0.8, 0.2])[None, :, None, None].expand(1, 3, H, W).clone(), mask


def luma(image: torch.Tensor) -> torch.Tensor:
    """(1, 3, H, W) -> (H, W) luminance."""
    return (image[0] * LUMA[:, None, None]).sum(0)


class TestFreedArms:
    @staticmethod
    def arm_and_edge(image: torch.Tensor) -> tuple[float, int, torch.Tensor]:
        """Across the freed sleeve and the wall beside it (row 600 of the doubled scene): the arm's mean luminance,
        how many pixels the rise from its shaded edge to the wall (10 % to 90 %) outside it takes, and the row."""
        row = luma(image)[600, :220]
        edge = int(row[:128].argmin())
        lo = float(row[edge])
        rise = row[:edge]
        soft = int(((rise > lo + 0.1 * (WALL - lo)) & (rise < lo + 0.9 * (WALL - lo))).sum())
        return float(row[110:150].mean()), soft, row

    def test_repainted_arm_has_a_crisp_outline(self):
        # at 1024 rows, where the repaint's lengths are given
        person, parse, garment, mask = doubled(*person_scene(forearm=FACE), *sleeveless())
        out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs(2))
        arm, soft, row = self.arm_and_edge(out.image)
        assert WALL - arm > 0.1, arm  # skin, not a pale ghost of it
        # the rise from the arm's shaded edge to the wall outside it: a pixel or two, as a photo's edge (it was 6 px,
        # a pale blur)
        assert soft <= 3, (soft, [round(float(v), 2) for v in row])

    def test_repainted_arm_beside_a_dress_has_a_crisp_outline(self):
        # a dress's fill splits skin from wall by the nearer seed over FILL_EDGE_PX (for the legs), but an arm
        # above the hips takes the upper garments' crisp edge: it rose over 9 px on main (a pale strip beside the
        # forearm of ootd_01861_00 in a dress, /tmp/arm21/c1861_final.png); 4 px with `_crisp_arms` (the dress
        # path's last anti-alias blur, 1.5 px, where the upper path's is 0.7 px: 2 px there)
        person, parse, garment, mask = doubled(*person_scene(forearm=FACE), *sleeveless())
        out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs(2), labels=CATEGORY_LABELS["dress"])
        arm, soft, row = self.arm_and_edge(out.image)
        assert WALL - arm > 0.1, arm  # skin, not a pale ghost of it
        assert soft <= 4, (soft, [round(float(v), 2) for v in row])

    def test_repainted_arm_takes_the_body_tone_not_the_lit_face(self):
        person, parse = person_scene()
        garment, mask = sleeveless()
        out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs())
        face = float((torch.tensor(FACE) * LUMA).sum())
        # the median over the whole freed arm, its shaded edges and lit axis (the tone is the visible skin's median)
        skin = out.background[0, 0, 250:350, 30:110] < 0.5
        arm = float(luma(out.image)[250:350, 30:110][skin].median())
        # arms measure 0.89-1.05 of the face's luminance on the samples (median 0.95): not the lit face's
        assert 0.88 * face < arm < 0.99 * face, (arm, face)

    def test_no_seam_where_the_repainted_arm_meets_the_real_forearm(self):
        lighter = (0.95, 0.76, 0.66)  # the real forearm is lighter than the face-based skin colour
        person, parse = person_scene(forearm=lighter)
        garment, mask = sleeveless()
        out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs())
        column = luma(out.image)[430:490, 60:68].mean(1)  # down the arm across the old sleeve's hem (row 460)
        steps = column.diff().abs()
        # the repaint fades into the real skin: no step at the hem (it was ~0.05, the skin model vs the forearm)
        assert float(steps.max()) < 0.02, [round(float(v), 3) for v in column]
        real = float((torch.tensor(lighter) * LUMA).sum())
        assert abs(float(column[-8:].mean()) - real) < 0.02  # the real forearm itself is kept

    def test_repainted_arm_is_as_light_as_the_real_forearm(self):
        # real forearms with their own roundness (the axis lit, the edges ~0.65 of it): the repainted upper arm's
        # median luminance is the forearm's, not ~10 % under it (the round shading spread below the median tone)
        tone = (0.9, 0.72, 0.62)
        person, parse = person_scene(forearm=tone)
        for x in (64, 320):
            d = (torch.arange(-14, 14) + 0.5) / 14
            person[0, :, 460:500, x - 14 : x + 14] *= (1 - 0.35 * d**2)[None, None, :]
        garment, mask = sleeveless()
        out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs())
        skin = out.background[0, 0, 200:380, 30:110] < 0.5  # the freed upper arm, far from the forearm
        arm = float(luma(out.image)[200:380, 30:110][skin].median())
        real = float(luma(person)[465:500, 50:78].median())
        assert 0.95 * real < arm < 1.05 * real, (arm, real)

    def test_repainted_arm_takes_the_arms_colour_not_the_faces_nor_the_shadows(self):
        # a made-up, pinker face; forearms of a yellower tone, over half of them in a redder shadow (the hands;
        # the darkest quarter left out, the shadow is under half of the rest)
        arm_tone, shadow = (0.84, 0.70, 0.52), (0.62, 0.43, 0.37)
        person, parse = person_scene(forearm=arm_tone)
        for x in (64, 320):
            _paint(person, slice(481, 500), slice(x - 14, x + 14), shadow)
        garment, mask = sleeveless()
        out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs())

        def chroma(rgb: torch.Tensor) -> torch.Tensor:
            return rgb / rgb.sum()

        arm = chroma(out.image[0, :, 250:350, 58:70].mean((1, 2)))  # far from the real forearm (no local fill)
        to_arm = float((arm - chroma(torch.tensor(arm_tone))).abs().max())
        assert to_arm < 0.006, (arm, to_arm)  # the arms' own hue (the face's is 0.02 off, the shadow's 0.025)
        assert float((arm - chroma(torch.tensor(FACE))).abs().max()) > 2 * to_arm

    def test_wall_between_a_hanging_arm_and_the_waist(self):
        # a boxy old sweater, one block from sleeve to sleeve: under it, the torso narrows from the shoulders to
        # the armpits and the waist (`TORSO_ARMPIT`, `TORSO_WAIST`), so beside the elbow the freed gap between
        # the arm (x 49-87 at row 280) and the torso is wall, not a block of skin down from the shoulders
        person, parse = person_scene()
        _paint(person, slice(100, 460), slice(16, 368), SLEEVE)
        parse[0, 100:460, 16:368] = 5
        garment, mask = sleeveless()
        out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs(), fit=False)
        assert float(out.painted[0, 0, 260:300, 94:110].min()) > 0.9
        assert float(out.background[0, 0, 260:300, 94:110].min()) > 0.9  # the straight outline made it skin
        assert float(out.background[0, 0, 260:300, 60:76].max()) < 0.1  # the arm itself stays skin


class TestNeckAndShoulders:
    def test_high_neck_labelled_neck_is_replaced(self):
        person, parse = person_scene()
        # a high neck of the old top's fabric the parse map calls neck (label 10), rows 100-130 under the face
        _paint(person, slice(100, 130), slice(168, 216), SLEEVE)
        parse[0, 100:130, 168:216] = 10
        garment, mask = sleeveless()
        mask[..., 100:135, :] = 0  # the new neckline is lower
        out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs())
        neck = out.image[0, :, 104:126, 176:208]
        assert float(out.painted[0, 0, 104:126, 176:208].min()) > 0.9  # repainted (it stayed as lace)
        assert float((neck[0] - neck[2]).mean()) > 0.15  # skin-coloured (reddish), not the old top's blue

    def test_bare_shoulders_stay_under_the_new_garment(self):
        person, parse = person_scene()
        # an off-shoulder top: bare shoulders labelled arms above it, inside the garment's torso outline
        for cols, label in ((slice(130, 170), 14), (slice(214, 254), 15)):
            _paint(person, slice(100, 125), cols, FACE)
            parse[0, 100:125, cols] = label
        garment, mask = sleeveless()
        out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs())
        # the garment covers them (skin-coloured squares were cut out of its shoulders)
        assert float(out.alpha[0, 0, 104:122, 134:166].min()) > 0.9
        assert float(out.alpha[0, 0, 104:122, 218:250].min()) > 0.9

    def test_thin_freed_strip_between_garment_and_arm_is_skin(self):
        person, parse = person_scene()
        # the old top's side reaches a bare arm beside the torso (columns 274-292): the new garment leaves a strip
        # of it 6 px wide (columns 268-274; 12 px at 1024 rows) between the two
        _paint(person, slice(200, 460), slice(268, 274), SLEEVE)
        parse[0, 200:460, 268:274] = 5
        _paint(person, slice(200, 460), slice(274, 292), FACE)
        parse[0, 200:460, 274:292] = 15
        garment, mask = sleeveless()
        # (without the fit to the body, which grows the garment over such a strip when it can)
        # (outside the pose's body: it was repainted as wall)
        out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs(), fit=False)
        assert float(out.painted[0, 0, 250:420, 269:273].min()) > 0.9
        strip = out.background[0, 0, 250:420, 269:273]
        assert float(strip.max()) < 0.5, float(strip.max())  # skin, not a white line of wall

    def test_freed_collar_closed_in_by_hair_is_skin_not_wall(self):
        # hair over the shoulder (label 2, columns 90-152 beside the face) closes in a bit of the old top's collar
        # (rows 50-75, columns 110-140) above the pose's shoulder line: no wall can show there (it was painted
        # in the wall's colour, white flecks by the neck)
        person, parse = person_scene()
        _paint(person, slice(20, 100), slice(90, 152), (0.25, 0.18, 0.12))
        parse[0, 20:100, 90:152] = 2
        _paint(person, slice(50, 75), slice(110, 140), SLEEVE)
        parse[0, 50:75, 110:140] = 5
        garment, mask = sleeveless()
        out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs())
        assert float(out.painted[0, 0, 54:71, 114:136].min()) > 0.9
        assert float(out.background[0, 0, 54:71, 114:136].max()) < 0.1, float(
            out.background[0, 0, 54:71, 114:136].max()
        )

    def test_repainted_arm_against_the_repainted_torso_is_round(self):
        # the old top fills the wall between the sleeve and the torso (columns 88-112): the repainted upper arm
        # touches the repainted side of the body, and it is still a cylinder across its own width, no lighter at its
        # inner edge than at its outer one (the outline of the skin has no edge there: it was flat on that side,
        # 0.05 lighter), darker rather (`ARM_INNER`: the body beside it hides part of the sky), not a black rim
        person, parse = person_scene()
        _paint(person, slice(110, 460), slice(88, 112), SLEEVE)
        parse[0, 110:460, 88:112] = 5
        garment, mask = sleeveless()
        lum = luma(composite_garment(person, garment, mask, parse=parse, keypoints=pairs()).image)
        rows = range(180, 250, 10)
        axis = [round(92 - 24 * (y - 120) / 160) for y in rows]  # the upper arm's bone, (92, 120) -> (68, 280)
        mid, outer, inner = (
            sum(float(lum[y, x + dx]) for y, x in zip(rows, axis, strict=True)) / len(axis) for dx in (0, -18, 18)
        )
        assert mid - outer > 0.05 and mid - inner > 0.05, (mid, outer, inner)
        assert -0.1 < inner - outer < 0.0, (mid, outer, inner)

    def test_no_rim_of_the_old_top_along_the_garments_soft_edge(self):
        # the new garment's feathered edge lies over the old (dark) top beside the freed sleeve: it blends over the
        # repainted wall, not over the old top (a rim 0.13 darker than the garment, the old top showing through)
        person, parse = person_scene()
        garment, mask = sleeveless()
        out = composite_garment(person, garment, mask, parse=parse, keypoints=pairs())
        lum = luma(out.image)[250:350, 100:130]
        yellow = float((torch.tensor([0.9, 0.8, 0.2]) * LUMA).sum())
        assert float(lum.min()) > yellow - 0.02, float(lum.min())


def test_freed_long_sleeves_of_07445_give_crisp_arms(vitonhd_dir: Path):
    """07445's long sleeves freed by a short-sleeved knit (01260) with its parse map: across both forearms (the
    pose's elbow -> wrist middles) the repainted arm is skin darker than the wall beside it, and its outline against
    the wall is a step of a few pixels (it was a pale blur, a ghost of an arm, ~10 px wide)."""
    from kfvton.pipelines.review import find_garment, find_person, tryon_pair

    person = find_person(vitonhd_dir / "image" / "07445_00.jpg")
    out = tryon_pair(person, find_garment(vitonhd_dir / "cloth" / "01260_00.jpg"))
    joints = person.pose.joints[0]
    for elbow, wrist, outward in ((3, 4, -1), (6, 7, 1)):  # the wall lies outside each arm
        x, y = ((joints[elbow, :2] + joints[wrist, :2]) / 2).round().long().tolist()
        row = luma(out.tryon.image[..., y - 2 : y + 3, :]).mean(0)
        side = row[x - 60 : x + 1].flip(0) if outward < 0 else row[x : x + 61]  # from the bone outwards
        # (the tones over 17 rows along the arm: the repaint's grain mottles at ~2-3 px, and its mean over 5 rows
        # and 8 columns varied by +-0.008 with the noise's seed alone)
        rows = luma(out.tryon.image[..., y - 8 : y + 9, :]).mean(0)
        wide = rows[x - 60 : x + 1].flip(0) if outward < 0 else rows[x : x + 61]
        wall, arm = float(wide[-10:].mean()), float(wide[:8].mean())
        # skin, not a pale ghost of it (the right forearm: 0.105 darker than the wall at f0b5271, 0.0995 once the
        # hands' shaded fingers stayed arm, `composite._hands`, and their real skin joined the tone: a change under
        # 0.01 that the eye does not see, while the hands lost their pale rings of repaint; 0.0935 over 17 rows at
        # 6788fba)
        assert wall - arm > 0.09, (elbow, wall, arm)
        # the largest step between neighbours across the outline: a third of the contrast or more (a photo's edge;
        # the ghost's ramp over ~10 px rose by ~0.1 of it per pixel)
        step = float(side.diff().max())
        assert step > 0.3 * (wall - float(side.min())), (elbow, step, [round(float(v), 2) for v in side])


def test_a_freed_forearm_narrowing_to_the_wrist_is_no_sliver():
    """`_no_slivers`: a thin strip of repainted skin next to visible skin becomes background only near the new
    garment (a strip between a sleeve and the wall); a freed forearm thinning to the wrist above the hand, far from
    the new garment, stays skin (it became a block of wall between the arm and the hand, 07445's left wrist)."""
    import numpy as np

    from kfvton.pipelines.repaint import _no_slivers

    h, w = 120, 100
    weight = np.ones((h, w), np.float32)
    freed = np.zeros((h, w), bool)
    skin = np.zeros((h, w), bool)
    covered = np.zeros((h, w), bool)
    freed[10:80, 40:60] = True
    weight[10:80, 45:55] = 0.0  # a 10-pixel forearm, repainted
    skin[80:110, 40:60] = True  # the hand below it
    weight[80:110, 40:60] = 0.0
    far = _no_slivers(weight, freed, skin, covered, 1.0)
    assert far[20:70, 48:52].max() < 0.5
    covered[10:80, 20:44] = True  # a new sleeve right beside it: the strip is a sliver
    near = _no_slivers(weight, freed, skin, covered, 1.0)
    assert near[20:70, 48:52].min() > 0.5


def test_no_slivers_beside_a_straps_tip():
    """`_no_slivers`: the shoulder's repainted skin in the corners beside a strap's tip (the new garment thinner than
    the sliver kernel) stays skin (it became white flecks of wall at both strap tops, wide15 07966 x 02015); beside
    a wide new garment such corners are still slivers."""
    from kfvton.pipelines.repaint import _no_slivers

    h, w = 120, 100
    weight = np.ones((h, w), np.float32)
    weight[40:] = 0.0  # repainted skin under the wall, the shoulder's top at row 40
    skin = np.zeros((h, w), bool)
    strap = np.zeros((h, w), bool)
    strap[40:, 45:51] = True  # 6 px wide, its tip at the shoulder's top (the freed clothes are not under it)
    corners = (slice(40, 42), [43, 44, 51, 52])
    assert _no_slivers(weight, ~strap, skin, strap, 1.0)[corners].max() < 0.5
    sleeve = np.zeros((h, w), bool)
    sleeve[40:, 35:61] = True  # 26 px wide: a sleeve's side
    assert _no_slivers(weight, ~sleeve, skin, sleeve, 1.0)[40:42, [33, 34, 61, 62]].min() > 0.5


def test_no_strip_of_wall_between_a_freed_forearm_and_the_hips():
    """`_no_strip_at_body`: freed background 8 px wide between the repainted forearm and the lower body in front is
    skin (the old sleeve touched the hips there: a strip of wall beside the arm, unseen 00035); freed background
    beside the arm's other side, next to a fleck of the lower body (the parse map's noise), stays wall."""
    from kfvton.pipelines.repaint import _no_strip_at_body

    h, w = 120, 120
    weight = np.ones((h, w), np.float32)
    freed = np.zeros((h, w), bool)
    freed[10:110, 30:90] = True  # the old sleeve, wider than the arm (the strip: 8 x 90 px)
    weight[10:110, 48:70] = 0.0  # the forearm repainted on its bone
    body = np.zeros((h, w), bool)
    body[20:120, :40] = True  # the jeans, 8 px off the arm
    body[60:66, 78:84] = True  # a fleck of them beside the arm's outer side
    out = _no_strip_at_body(weight, freed, body, 1.0)
    assert out[30:100, 41:47].max() < 0.1  # between the arm and the jeans: skin
    assert out[50:76, 71:77].min() > 0.9  # beside the fleck: wall
    assert out[30:100, 85:90].min() > 0.9


def _arm_codes(top: int, shift: float) -> np.ndarray:
    """(H, W) uint8 codes: the left upper arm's skin (`CODE_ARM`, 50 px wide, centred `shift` px outside the bone 5 -> 6
    of `JOINTS`) from row `top` to the elbow, old clothes (`CODE_OLD`) above it."""
    codes = np.zeros((H, W), np.uint8)
    (xa, ya), (xb, yb) = JOINTS[5], JOINTS[6]
    for y in range(110, yb):
        x = xa + (xb - xa) * (y - ya) / (yb - ya) + shift
        codes[y, int(x - 25) : int(x + 25)] = CODE_ARM if y >= top else CODE_OLD
    return codes


class TestUpperArmsUnderSleeves:
    def test_follows_the_visible_arm_up_to_the_shoulder(self):
        """Under a freed sleeve the upper arm continues as wide and as placed as where it leaves the sleeve: its
        outer side, 20 px off the pose's bone, is body up to the shoulder joint, the bone's inner side is not."""
        codes = _arm_codes(top=210, shift=20.0)
        out = _upper_arms_under_sleeves(codes.shape, _sleeve_exits(codes, pairs(), 0, (H, W), (0, 0)))
        x = JOINTS[5][0] + (JOINTS[6][0] - JOINTS[5][0]) * 20 / 160  # the bone at row 140
        assert out[140, int(x + 38)] and out[140, int(x + 20)]
        assert not out[140, int(x - 15)]
        assert not out[:, : W // 2].any()  # the right arm shows no skin: nothing drawn there

    def test_a_slim_arm_leaves_its_sleeve_as_wide_as_it_is(self):
        """A slim arm (24 px, 0.12 shoulder widths, half the prior's upper arm) leaving a loose sleeve: under the
        prior's full-width test (0.6 of 48 px) no exit was found and the limb drawn on the bone at 48 px stood out as
        wide as the old sleeve (the unseen idm_00121 under a bustier); with its measured forearm (0.13 shoulder
        widths) as the measure it leaves the sleeve, and the upper arm's limb is drawn as wide as it where it leaves
        it (row 210, 0.56 down the bone), tapered as the prior (wider at the shoulder)."""
        codes = np.zeros((H, W), np.uint8)
        (xa, ya), (xb, yb) = JOINTS[5], JOINTS[6]
        for y in range(110, yb):
            x = xa + (xb - xa) * (y - ya) / (yb - ya)
            codes[y, int(x - 12) : int(x + 12)] = CODE_ARM if y >= 210 else CODE_OLD
        widths = dict(LIMB_WIDTHS)
        widths[(6, 7)] = (0.13, 0.1)
        assert _sleeve_exits(codes, pairs(), 0, (H, W), (0, 0)) == []
        exits = _sleeve_exits(codes, pairs(), 0, (H, W), (0, 0), widths)
        assert [e.bone for e in exits] == [(5, 6)]
        narrowed = _exit_widths(widths, exits, pairs(), 0, (H, W))
        wa, wb = narrowed[(5, 6)]
        assert abs(wa + (wb - wa) * 90 / 160 - 0.12) < 0.01 and wb < wa
        assert narrowed[(2, 3)] == LIMB_WIDTHS[(2, 3)]  # (the other arm: no exit, the prior's)

    def test_nothing_without_a_sleeve_over_the_arm(self):
        codes = _arm_codes(top=120, shift=20.0)
        out = _upper_arms_under_sleeves(codes.shape, _sleeve_exits(codes, pairs(), 0, (H, W), (0, 0)))
        assert not out.any()

    def test_shaded_across_its_own_width(self):
        """The continued upper arm (56 px wide, centred 30 px outside the bone) and the limb drawn on the bone (48 px)
        paint an arm from 24 px inside the bone to 58 px outside: it is shaded as painted, lit along its own middle
        (16 px outside the bone), darker towards its sides; shaded on the bone at the prior's width, its outer half
        lay in the shadow past the prior's outline (a dark line down a wide arm)."""
        codes = np.zeros((H, W), np.uint8)
        (xa, ya), (xb, yb) = JOINTS[5], JOINTS[6]
        for y in range(110, yb):
            x = xa + (xb - xa) * (y - ya) / (yb - ya) + 30
            codes[y, int(x - 28) : int(x + 28)] = CODE_ARM if y >= 210 else CODE_OLD
        exits = _sleeve_exits(codes, pairs(), 0, (H, W), (0, 0))
        assert [e.bone for e in exits] == [(5, 6)]
        own = _arm_light(pairs(), 0, (H, W), (0, 0), (H, W), dict(LIMB_WIDTHS), exits)
        prior = _arm_light(pairs(), 0, (H, W), (0, 0), (H, W), dict(LIMB_WIDTHS))
        x = xa + (xb - xa) * 40 / 160  # the bone at row 160
        middle, side = (160, int(x + 16)), (160, int(x + 50))
        assert own[middle] > 0.97 > prior[middle]
        assert own[side] < own[middle] - 0.1

    def test_measured_where_a_slanted_hem_frees_the_whole_arm(self):
        """Under a hem slanted across the arm (its inner side bare 16 rows higher than its outer side) the arm
        continues at its full width (50 px), read from where it first shows it: read from its topmost pixel, the
        outer side's edge lay inside its line (a step in the freed arm's edge at the hem, unseen 07966)."""
        codes = np.zeros((H, W), np.uint8)
        (xa, ya), (xb, yb) = JOINTS[5], JOINTS[6]
        for y in range(110, yb):
            x = xa + (xb - xa) * (y - ya) / (yb - ya)
            for col in range(int(x - 25), int(x + 25)):
                bare = y >= 200 + 16 * (col - (x - 25)) / 50  # (the hem: row 200 inside, row 216 outside)
                codes[y, col] = CODE_ARM if bare else CODE_OLD
        exits = _sleeve_exits(codes, pairs(), 0, (H, W), (0, 0))
        assert [e.bone for e in exits] == [(5, 6)]
        assert exits[0].hi - exits[0].lo > 42  # (5-95 % of 50 px across the tilted bone: 44)

    def test_crop_origin(self):
        codes = _arm_codes(top=210, shift=20.0)
        full = _upper_arms_under_sleeves(codes.shape, _sleeve_exits(codes, pairs(), 0, (H, W), (0, 0)))
        crop_codes = codes[100:, 200:]
        crop = _upper_arms_under_sleeves(crop_codes.shape, _sleeve_exits(crop_codes, pairs(), 0, (H, W), (100, 200)))
        assert np.array_equal(full[100:, 200:], crop)


def test_the_repainted_torso_darkens_towards_its_own_sides_and_beside_them() -> None:
    """The scene's pose (shoulders 200 px apart, elbows out past the armpits): at row 300 the torso's outline spans
    x ~124-260 (narrower than `shading.TORSO_RADIUS`'s chest). Its axis stays lit, its side near x 128 is darker by
    more than 0.15 (0.97 of the axis with the chest's cylinder alone: a belly freed under a cropped top was one flat
    band from arm to arm, the unseen idm_00121), the gap between it and the forearm (x 49-87) darker still, and the
    forearm itself keeps its own shading (`_arm_light`), no torso's."""
    light = _torso_light(pairs(), 0, (H, W), (0, 0), (H, W), dict(LIMB_WIDTHS))
    assert light is not None and light.gain.shape == (H, W)
    gain = light.gain
    axis, side, gap, forearm = (float(gain[300, x]) for x in (192, 128, 106, 68))
    assert axis > 0.97, axis
    assert side < axis - 0.15, (side, axis)
    assert gap < 0.8, gap
    assert forearm > 0.97, forearm
    assert float(gain[40, 192]) == 1.0  # the head: untouched


class TestNearSkin:
    """`_near_skin` on a flat skin of 0.5 (no shading of its own), 200 x 200 at 1024 rows: the real skin continued
    from its seeds takes the pose's shading of the body relative to the seeds'."""

    @staticmethod
    def _gap(local: np.ndarray) -> np.ndarray:
        """(H, W) the distance past the seeds' gap, as `_fill` gives it."""
        import cv2

        d = cv2.distanceTransform((~local).astype(np.uint8), cv2.DIST_L2, 3)
        return np.maximum(d - repaint.FRINGE_GAP, 0.0)

    def test_the_torsos_sides_darken_the_skin_continued_beside_a_real_arm(self):
        img = np.full((200, 200, 3), 0.5, np.float32)
        local = np.zeros((200, 200), bool)
        local[:, :40] = True  # a real arm down the left
        sides = np.ones((200, 200), np.float32)
        sides[:, 40:80] = 0.7  # the torso's side beside it (`_torso_sides`)
        plain = _near_skin(img, local, None, None, self._gap(local), 1.0)
        shaped = _near_skin(img, local, _TorsoLight(sides, sides), None, self._gap(local), 1.0)
        assert abs(float(plain[100, 60, 0]) - 0.5) < 0.01  # (the arm's colour carried on: no crease)
        assert float(shaped[100, 60, 0]) < 0.5 * 0.75  # the crease
        assert abs(float(shaped[100, 150, 0]) - 0.5) < 0.01  # the torso's middle: as the real skin

    def test_the_arms_roundness_grows_in_away_from_the_seeds(self):
        img = np.full((200, 200, 3), 0.5, np.float32)
        local = np.zeros((200, 200), bool)
        local[150:, 100:160] = True  # a real forearm below; the elbow above it freed
        x = np.clip(np.abs(np.arange(200) - 130.0) / 30.0, 0.0, 1.3)
        arms = np.broadcast_to(np.where(x <= 1.0, 1.0 - 0.35 * x * x, 1.0), (200, 200)).astype(np.float32)
        out = _near_skin(img, local, None, arms, self._gap(local), 1.0)
        # far up the arm: its axis lighter than the seeds' mean across, its edge darker
        assert float(out[60, 130, 0]) > 0.52 and float(out[60, 104, 0]) < float(out[60, 130, 0]) - 0.1
        # within the seeds' gap: the real skin as it is (its edge is the photo's, not the pose's)
        assert np.allclose(out[140, 100:160, 0], 0.5, atol=0.01)


class TestTorsoToWaistband:
    """The scene's hips (`JOINTS` 9, 12: row 400, columns 140 and 244, shoulders 200 apart) end the pose's torso
    24 px outside them; on the repaint's half-resolution grid that line is row 199.75, columns 57.75-133.75."""

    @staticmethod
    def _lower(top: int) -> np.ndarray:
        """(H / 2, W / 2) bool a lower garment from full-resolution row `top` down, columns 100-284."""
        lower = np.zeros((H // 2, W // 2), bool)
        lower[top // 2 :, 50:142] = True
        return lower

    def test_the_torso_reaches_the_lower_garment_under_the_hips(self):
        out = _torso_to_waistband(self._lower(440), pairs(), 0, (H, W), (0, 0))  # 40 px = 0.2 sw under the hips
        assert out[200:221, 58:134].all()  # from the hips' line down to the garment's top, between the line's ends
        assert not out[:200].any() and not out[221:].any()
        assert not out[:, :58].any() and not out[:, 134:].any()

    def test_nothing_where_the_lower_garment_starts_far_below_the_hips(self):
        assert not _torso_to_waistband(self._lower(500), pairs(), 0, (H, W), (0, 0)).any()  # 0.5 sw under

    def test_crop_origin(self):
        full = _torso_to_waistband(self._lower(440), pairs(), 0, (H, W), (0, 0))
        crop = _torso_to_waistband(self._lower(440)[50:, 20:], pairs(), 0, (H, W), (100, 40))
        assert np.array_equal(full[50:, 20:], crop)


def test_freed_arms_of_08909_shade_and_grain_as_its_own_skin(vitonhd_dir: Path):
    """08909's long sleeves freed by a camisole (09933) with its parse map: over the repainted arms (old clothes
    now skin-coloured), blue falls against red as the luminance falls about as on the person's own neck (log(B/R)
    against log-luminance: ~0.8 on both; a grey shadow, the same colour darker, gave 0 and looked pale and washed
    out), and their fine texture (log-luminance off its 3 x 3 mean) is within half to twice the neck's."""
    import cv2

    from kfvton.pipelines.review import find_garment, find_person, tryon_pair

    person = find_person(vitonhd_dir / "image" / "08909_00.jpg")
    out = tryon_pair(person, find_garment(vitonhd_dir / "cloth" / "09933_00.jpg"))
    img = out.tryon.image[0].permute(1, 2, 0).numpy()
    real = person.image[0].permute(1, 2, 0).numpy()
    labels = person.parse[0].numpy()
    skin_coloured = img[..., 0] / np.maximum(img.sum(-1), 1e-3) > 0.37
    repainted = np.isin(labels, (5, 6, 7)) & skin_coloured & (np.abs(img - real).sum(-1) > 0.1)
    arm = cv2.erode(repainted.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    neck = cv2.erode((labels == 10).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert arm.sum() > 20000 and neck.sum() > 2000, (arm.sum(), neck.sum())

    def redder_in_shadow(px: np.ndarray) -> float:
        log_l = np.log(px @ LUMA.numpy())
        return float(np.polyfit(log_l, np.log(px[:, 2] / px[:, 0]), 1)[0])

    own = redder_in_shadow(real[neck])
    assert 0.5 < own < 1.1, own
    assert abs(redder_in_shadow(img[arm]) - own) < 0.25, (redder_in_shadow(img[arm]), own)

    def fine(image: np.ndarray, region: np.ndarray) -> float:
        log_l = np.log(image @ LUMA.numpy() + 0.04)
        return float(np.median(np.abs(log_l - cv2.blur(log_l, (3, 3)))[region]))

    ratio = fine(img, arm) / fine(real, neck)
    assert 0.5 < ratio < 2.0, ratio


def test_freed_forearms_of_07445_have_smooth_outlines(vitonhd_dir: Path):
    """07445's long ribbed sleeves freed by a camisole (09933) with its parse map: along the middle 70 % of each
    forearm both outlines of the repainted skin stay within 3 px of a smooth (quadratic) curve. The parse map falls
    a few pixels short of the sleeve here and there; those bits cut notches a limb wide into the arm, a wavy
    forearm (up to 4.5 px off); now they are background beside it, and the arm keeps its outline (~1.8 px)."""
    from kfvton.pipelines.review import find_garment, find_person, tryon_pair

    person = find_person(vitonhd_dir / "image" / "07445_00.jpg")
    out = tryon_pair(person, find_garment(vitonhd_dir / "cloth" / "09933_00.jpg"))
    img = out.tryon.image[0].permute(1, 2, 0).numpy()
    joints = person.pose.joints[0].numpy()
    for a, b in ((3, 4), (6, 7)):
        (xa, ya), (xb, yb) = joints[a, :2], joints[b, :2]
        rows = np.arange(int(ya + 0.15 * (yb - ya)), int(ya + 0.85 * (yb - ya)))
        edges = []
        for y in rows:
            x = int(round(xa + (y - ya) / (yb - ya) * (xb - xa)))
            row = img[y, x - 60 : x + 60]
            skin = row[:, 0] / np.maximum(row.sum(-1), 1e-3) > 0.36  # (the wall and the camisole are grey)
            assert skin[60], (a, y)  # the bone lies in the arm
            left, right = 60, 60
            while left > 0 and skin[left - 1]:
                left -= 1
            while right < 119 and skin[right + 1]:
                right += 1
            edges.append((left, right))
        for side in np.array(edges, np.float64).T:
            smooth = np.polyval(np.polyfit(rows, side, 2), rows)
            assert np.abs(side - smooth).max() < 3.0, (a, np.abs(side - smooth).max())


def test_an_upper_arm_above_the_sleeve_ends_is_under_the_garment() -> None:
    """A bare upper arm's inner edge under the armpit, above the short sleeves' ends (rows 205-235, columns 270-279:
    inside the torso polygon, beside where the new sleeve landed) goes under the garment: a sleeve is a tube around
    the upper arm. The whole torso under the armpits kept arms in front, a skin square inside the sleeve (Dress
    Code 020718 x 020720 from two photos). A forearm crossing the same rows stays in front."""
    person, parse = person_scene()
    _paint(person, slice(205, 235), slice(270, 280), FACE)
    parse[0, 205:235, 270:280] = 15
    _paint(person, slice(205, 235), slice(170, 200), FACE)  # the other forearm, laid across the chest
    parse[0, 205:235, 170:200] = 14
    joints = dict(JOINTS)
    joints[4] = (185, 220)  # the wearer's right wrist on the chest
    joints[6] = (300, 280)  # the wearer's left elbow: the bone 0.13 shoulder widths from the arm's inner edge
    base = pairs()
    names = (*NAMES, "sleeve_left_outer", "sleeve_left_inner", "sleeve_right_outer", "sleeve_right_inner")
    ends = torch.tensor([[[340.0, 240.0, 1.0], [290.0, 240.0, 1.0], [44.0, 240.0, 1.0], [94.0, 240.0, 1.0]]])
    person_px = torch.cat((base.person_px, ends), 1)
    pose = torch.zeros(1, 25, 3)
    for k, (x, y) in joints.items():
        pose[0, k] = torch.tensor([x, y, 1.0])
    kp = KeypointPairs(person_px.clone(), person_px, names, (H, W), (H, W), pose=Pose(pose, (H, W)))
    garment, mask = sleeveless()
    mask[..., 100:456, 116:284] = 1
    out = composite_garment(person, garment, mask, parse=parse, keypoints=kp).image[0]
    yellow = torch.tensor([0.9, 0.8, 0.2])[:, None, None]
    assert (out[:, 210:230, 272:278] - yellow).abs().sum(0).mean() < 0.1  # the garment over the upper arm
    assert (out[:, 210:230, 175:195] - torch.tensor(FACE)[:, None, None]).abs().sum(0).mean() < 0.1  # forearm kept


def test_a_seen_arm_draws_no_limb_over_the_clothes_beside_it() -> None:
    """`_hidden_limbs`: the pose's limb is drawn for an arm the parse map does not show (under an old long sleeve),
    not for one it shows: that limb, wider than the arm, covered the old clothes beside a bare arm, and the fit did
    not grow the new garment over them (a pale strip between the arm and a dress)."""
    from kfvton.pipelines.composite import _hidden_limbs

    kp = pairs()
    arms = np.zeros((H, W), bool)
    arms[280:450, 306:330] = True  # the wearer's left forearm (bone x 316-320), seen
    limbs = _hidden_limbs(kp, 0, (H, W), arms)
    assert limbs is not None
    assert not limbs[350, 300:340].any()  # the seen forearm: no limb beside it
    assert limbs[350, 66]  # the other forearm, hidden (no arm pixels): its limb stays


def test_a_hidden_upper_arm_reaches_its_bent_seen_forearm_at_the_elbow() -> None:
    """`_hidden_limbs`: below an upper arm under an old sleeve (not shown), the notches between its limb's round end
    and its seen forearm bent inwards at the elbow are arm too: there the fit grew the new tee's side seam into the
    elbow the repaint paints as skin (black blobs in the unseen idm_sam11's repainted elbow; main drew neither notch).
    A straight seen forearm within the round end draws nothing more (`test_a_seen_arm_draws_no_limb...`)."""
    import cv2

    from kfvton.pipelines.composite import _hidden_limbs

    joints = torch.zeros(1, 25, 3)
    for k, (x, y) in {**JOINTS, 7: (220, 380)}.items():  # the wearer's left wrist in front of the waist
        joints[0, k] = torch.tensor([x, y, 1.0])
    person_px = torch.tensor([[[TARGETS[n][0], TARGETS[n][1], 1.0] for n in NAMES]])
    kp = KeypointPairs(person_px.clone(), person_px, NAMES, (H, W), (H, W), pose=Pose(joints, (H, W)))
    drawn = np.zeros((H, W), np.uint8)
    cv2.line(drawn, (316, 280), (220, 380), 1, 30)  # its forearm from the elbow (316, 280), seen
    limbs = _hidden_limbs(kp, 0, (H, W), drawn > 0)
    assert limbs is not None
    assert limbs[200, 300:330].all()  # the hidden upper arm
    assert limbs[279, 295:298].all()  # the bend's inner notch (main: from 298)
    assert limbs[300, 316:322].all()  # its outer notch (main: to 319)
    assert not limbs[330:, 250:].any()  # no limb down the seen forearm


def test_a_forearm_behind_the_old_dress_below_a_bare_upper_arm_draws_no_limb() -> None:
    """`_hidden_limbs`: a forearm the parse map does not show below an upper arm it shows bare is behind the body or
    the old clothes (a sleeve runs down from the shoulder), so no limb keeps the old dress beside it out of the new
    garment (Dress Code 020718: her left arm hangs behind her slip dress; the strip was repainted as a pale arm and
    white wall). With neither part shown (under an old long sleeve) the forearm's limb stays."""
    from kfvton.pipelines.composite import _hidden_limbs

    kp = pairs()
    arms = np.zeros((H, W), bool)
    arms[130:270, 296:324] = True  # the wearer's left upper arm (bone x 292-316), seen bare; its forearm not
    for seen in (arms, np.zeros_like(arms)):  # a sleeved new garment, a sleeveless one (every seen limb kept)
        limbs = _hidden_limbs(kp, 0, (H, W), seen, bare=arms)
        assert limbs is not None
        assert not limbs[350:440, 300:340].any()  # the forearm behind the dress: no limb
        assert limbs[350, 66]  # the other forearm, under an old sleeve (its upper arm not shown either): its limb
    assert limbs[200, 300:310].all()  # a sleeveless garment keeps the upper arm's limb
    assert _hidden_limbs(kp, 0, (H, W), np.zeros_like(arms))[350:440, 310:326].all()  # nothing shown: all limbs


def test_a_forearm_behind_the_old_dress_is_not_kept_in_front() -> None:
    """`_limbs`: the pose's arms kept in front over old clothes, but not a forearm behind the body (its upper arm
    shown bare, the forearm not: `forearms_behind`): Dress Code 020718 kept a notch of her hidden wrist out of the
    new dress. A forearm under an old sleeve (nothing of that arm shown) stays."""
    from kfvton.pipelines.composite import _limbs

    arms = torch.zeros(1, H, W, dtype=torch.bool)
    arms[0, 130:270, 296:324] = True  # the wearer's left upper arm, seen bare; its forearm not
    limbs = _limbs(pairs(), arms, (H, W))
    assert limbs is not None
    assert not limbs[0, 350:440, 300:340].any()  # the forearm behind the dress
    assert limbs[0, 200, 300:310].all() and limbs[0, 350, 66]  # its upper arm; the other forearm, under a sleeve


def test_an_arms_run_past_the_sleeve_tube_above_the_armpits_is_in_the_sleeve() -> None:
    """`_arm_runs`: the tube grows sideways along the row's arm pixels, at most `reach` pixels and only in the rows
    above the armpits (020715 under a loose T-shirt dress: the arm's inner edge past the tube stayed in front as a
    skin-coloured slit by the shoulder); a gap in the arm stops it, and under the armpits nothing grows."""
    from kfvton.pipelines.composite import _arm_runs

    inside = np.zeros((40, 60), bool)
    inside[:, 40:50] = True  # the tube around the upper arm
    arm = np.zeros((40, 60), bool)
    arm[:, 20:50] = True  # the arm, 20 px wider than the tube towards the body
    arm[10:15, 35] = False  # a gap in these rows
    out = _arm_runs(inside, arm, rows=30, reach=12)
    assert bool(out[:10, 28:50].all()) and not bool(out[:10, :28].any())  # 12 px past the tube, no farther
    assert bool(out[10:15, 36:50].all()) and not bool(out[10:15, :36].any())  # the gap stops the run
    assert np.array_equal(out[30:], inside[30:])  # under the armpits: the tube alone
    assert not bool((out & ~(inside | arm)).any())  # never off the arm


def test_an_arm_across_the_chest_cuts_the_garment_with_a_clean_edge() -> None:
    """A forearm laid across the chest (rows 205-235, columns 170-200) whose shaded edge the parse map gave to the
    old top in a notch (rows 217-223, columns 170-172), and a speck of skin apart from it labelled arm (skin seen
    through a ring of the old top): the notch stays in front of the garment with the arm (it cut into the wide unseen
    14627's forearm; its outermost pixel is the repaint's fringe) and the speck goes under it (a pale square on the
    new garment)."""
    person, parse = person_scene()
    _paint(person, slice(205, 235), slice(170, 200), FACE)
    parse[0, 205:235, 170:200] = 14
    shaded = tuple(float(v) for v in shade_skin(np.array(FACE, np.float32), np.float32(0.7)))
    _paint(person, slice(217, 223), slice(170, 173), shaded)
    parse[0, 217:223, 170:173] = 5
    _paint(person, slice(300, 305), slice(200, 206), FACE)
    parse[0, 300:305, 200:206] = 14
    joints = dict(JOINTS)
    joints[4] = (185, 220)  # the wearer's right wrist on the chest
    pose = torch.zeros(1, 25, 3)
    for k, (x, y) in joints.items():
        pose[0, k] = torch.tensor([x, y, 1.0])
    base = pairs()
    kp = KeypointPairs(base.person_px.clone(), base.person_px, NAMES, (H, W), (H, W), pose=Pose(pose, (H, W)))
    garment, mask = sleeveless()
    out = composite_garment(person, garment, mask, parse=parse, keypoints=kp).image[0]
    yellow = torch.tensor([0.9, 0.8, 0.2])[:, None, None]
    assert float((out[:, 217:223, 170:173] - yellow).abs().sum(0).min()) > 0.5  # no notch of garment in the arm
    edge = (out[:, 217:223, 171:173] - torch.tensor(shaded)[:, None, None]).abs().sum(0)
    assert float(edge.max()) < 0.3  # the arm's shaded edge, as the photo shows it (softened next to the fringe)
    assert (out[:, 210:230, 174:198] - torch.tensor(FACE)[:, None, None]).abs().sum(0).max() < 0.1  # the arm kept
    assert (out[:, 300:305, 200:206] - yellow).abs().sum(0).max() < 0.1  # the speck under the garment


def test_an_arm_is_kept_beside_the_freed_clothes_not_below_an_old_sleeves_hem() -> None:
    """`_across_arm`: the arm's pixels with freed old clothes beside them (a strip of old top along the forearm) are
    kept as they are; those with the freed clothes above them along the pose's arm (an old sleeve's hem across it,
    VITON-HD 07573) still blend into the repaint."""
    arm = np.zeros((H, W), bool)
    arm[300:450, 306:334] = True  # the right forearm around the bone x 316 -> 320, rows 280-450
    side = np.zeros((H, W), bool)
    side[300:450, 300:306] = True  # a strip of old top beside it
    hem = np.zeros((H, W), bool)
    hem[294:300, 306:334] = True  # an old sleeve's hem above it
    sigma = 4.0
    near = np.zeros((H, W), bool)
    near[330:420, 306:310] = True  # the arm's edge along the strip, away from its ends
    beside_kept = _across_arm(arm, side, pairs(), 0, (H, W), (0, 0), sigma)[near[arm]]
    assert beside_kept.all()
    top = np.zeros((H, W), bool)
    top[300:304, 312:328] = True  # the arm's top under the hem, away from its sides
    assert not _across_arm(arm, hem, pairs(), 0, (H, W), (0, 0), sigma)[top[arm]].any()
    # without the pose's arms, every pixel is kept
    assert _across_arm(arm, hem, None, 0, (H, W), (0, 0), sigma).all()


CHEST = (0.92, 0.80, 0.68)  # the lit décolleté: most of the visible skin, paler than ...
HANDS = (0.82, 0.62, 0.52)  # ... the hands below the freed forearm


def test_a_freed_forearm_takes_the_hands_tone_not_the_lit_chests() -> None:
    """The unseen ootd_01861 under a short-sleeved dress: her freed forearms took the tone of all her visible skin,
    mostly the lit chest (luma 0.82), far paler than her hands (0.73) and whitish along their lit axis. Over the
    pose's arms (`_arm_zone`) the repaint takes the visible arms' and hands' tone (`_fill`)."""
    h, w = 400, 300
    img = np.ones((h, w, 3), np.float32)
    codes = np.full((h, w), repaint.CODE_BACKGROUND, np.uint8)
    img[:150, 80:280] = CHEST
    codes[:150, 80:280] = repaint.CODE_SKIN | repaint.CODE_BODY
    img[150:330, 20:60] = (0.45, 0.05, 0.1)  # the old long sleeve, freed
    codes[150:330, 20:60] = repaint.CODE_OLD
    img[330:, 20:60] = HANDS
    codes[330:, 20:60] = repaint.CODE_SKIN | repaint.CODE_ARM
    crop = repaint._Crop(img, codes, codes == repaint.CODE_OLD, np.zeros((h, w), bool), (0, 0))
    skin = (codes & repaint.CODE_SKIN) > 0
    seeds = repaint._Seeds(codes == repaint.CODE_BACKGROUND, skin, np.zeros((h, w), bool))
    wc = np.where(codes == repaint.CODE_OLD, 0.0, 1.0).astype(np.float32)
    gain = np.ones((h, w), np.float32)
    zone = np.zeros((h, w), np.float32)
    zone[140:, 10:70] = 1.0
    face = np.array(CHEST, np.float32)
    luma = np.array(LUMA_WEIGHTS, np.float32)
    hands, chest = float(np.array(HANDS) @ luma), float(np.array(CHEST) @ luma)
    for arm_zone, want in ((zone, hands), (None, chest)):
        fill = repaint._fill(crop, seeds, wc, gain, face, 1.0, 0, arm_zone=arm_zone)
        forearm = fill[170:290, 22:58].reshape(-1, 3)  # (farther than the hands' skin continued nearby)
        assert abs(float(np.median(forearm @ luma)) - want) < 0.03
        chroma = np.median(forearm, 0) / np.median(forearm, 0).sum()
        target = np.array(HANDS if arm_zone is not None else CHEST)
        assert np.abs(chroma - target / target.sum()).max() < 0.02


def test_no_sliver_at_the_tip_of_a_shoulders_own_skin():
    """`_no_slivers`: the repainted skin between the new collar and the wall tapers to nothing where the collar meets
    the shoulder's slope; in `keep` (the person's own shoulder top, `_shoulder_tops`) its tip stays skin (on
    cat_model_7 in ootd_049949_1 it became a wedge of wall after the skin's square end); elsewhere it is a sliver."""
    from kfvton.pipelines.repaint import _no_slivers

    h, w = 80, 120
    ys, xs = np.mgrid[0:h, 0:w]
    shoulder = ys >= 20 + 0.3 * xs  # the shoulder's slope: wall above it
    collar = ys >= 50 - 0.05 * xs  # the new garment, its top edge rising slowly outwards
    weight = np.where(shoulder, 0.0, 1.0).astype(np.float32)
    freed = shoulder & ~collar
    skin = np.zeros((h, w), bool)
    tip = freed & (xs >= 80)  # the wedge's last 12-px-thin part
    assert _no_slivers(weight, freed, skin, collar, 1.0)[tip].max() > 0.5
    keep = ys < 60
    assert _no_slivers(weight, freed, skin, collar, 1.0, keep)[tip].max() < 0.5
