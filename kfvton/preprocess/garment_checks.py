"""Warnings about a garment photo that still gives a picture, but likely a poor one.

Errors stop a run; these do not: each is one sentence naming the input, returned to the caller, which shows it
(`ClassicalTryOn.warnings`, printed by the CLI, the nodes' text outputs). Three checks, all here: `garment_warnings`
(size, aspect, a patterned backdrop under a computed mask), `garment_photo_warnings` (a person wearing the
garment rather than a flat product shot, found by the embedded MediaPipe models; `check_garment_photo` refuses a
photo that clearly shows one, before the try-on) and `garment_cut_warnings` (a cut whose missing points the
landmarks estimate: off-shoulder, strappy, open front, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import Tensor

from .._arrays import above_half, mask_box, to_uint8_hwc
from .._checks import check_image, check_shape

__all__ = [
    "garment_warnings",
    "garment_photo_warnings",
    "check_garment_photo",
    "check_garment_not_blank",
    "garment_cut_warnings",
    "upright_person",
    "standing_legs",
    "LEGS_BELOW_HIPS",
    "MIN_GARMENT_PX",
    "MAX_GARMENT_ASPECT",
    "PATTERNED_BACKGROUND_FRACTION",
]

#: Below this many pixels on its short side the garment's outline and print are too coarse to warp well.
MIN_GARMENT_PX = 64
#: Garments laid flat are between 1:4 and 4:1 (height : width): long dresses and trousers reach about 1:3.5.
MAX_GARMENT_ASPECT = 4.0
#: Share of the background near the photo's border that a smooth backdrop does not explain, above which the
#: background is patterned or cluttered (plain and shaded product backdrops are under 5 %).
PATTERNED_BACKGROUND_FRACTION = 0.25
_CLEAR_DIFFERENCE = 0.12  # colour distance (RGB, [0, 1] units) that is clearly not the same backdrop
_BAND = 0.04  # border band width, fraction of the short side


def _item_name(name: str, index: int, batch: int) -> str:
    return f"{name}[{index}]" if batch > 1 else name


def garment_warnings(garment: Tensor, mask: Tensor, *, method: str = "computed", name: str = "garment") -> list[str]:
    """Sentences about garment photos that will likely give a poor try-on; [] when none applies.

    Checks: the garment is under `MIN_GARMENT_PX` pixels on its short side; its outline is narrower than
    1:`MAX_GARMENT_ASPECT` either way; and, for a computed mask, the background near the border is patterned.

    Args:
        garment: (B, 3, H, W) float [0, 1].
        mask: (B, 1, H, W) float in {0, 1}, the garment mask that will be used.
        method: how the mask was obtained ("explicit", "alpha", "computed"); the background only matters when
            the mask is computed from the photo.
        name: the input's name for the sentences.
    """
    check_image(garment, name)
    check_shape(mask, "mask", (garment.shape[0], 1, *garment.shape[-2:]))
    batch = garment.shape[0]
    out = []
    for i in range(batch):
        item = _item_name(name, i, batch)
        inside = above_half(mask[i, 0])
        if not inside.any():
            continue
        y0, y1, x0, x1 = mask_box(inside, 0)  # (NumPy's row and column tests: a torch nonzero took 20x as long)
        bh, bw = y1 - y0, x1 - x0
        if min(bh, bw) < MIN_GARMENT_PX:
            out.append(
                f"{item}: the garment is only {bw}x{bh} pixels (W x H) in its photo; under {MIN_GARMENT_PX} px the "
                "outline and print come out coarse and blurry: use a larger photo"
            )
        aspect = bh / bw
        if aspect > MAX_GARMENT_ASPECT or aspect < 1.0 / MAX_GARMENT_ASPECT:
            out.append(
                f"{item}: the garment is {bw}x{bh} pixels (W x H), an aspect of 1:{max(aspect, 1 / aspect):.1f}; "
                f"a garment laid flat is between 1:{MAX_GARMENT_ASPECT:.0f} and {MAX_GARMENT_ASPECT:.0f}:1; "
                "is the photo cropped, or not of a top?"
            )
        if method == "computed":
            share = _busy_border_share(garment[i], mask[i, 0])
            if share > PATTERNED_BACKGROUND_FRACTION:
                out.append(
                    f"{item}: the background is patterned or cluttered ({100 * share:.0f} % of its border differs "
                    "from its usual colour); the computed garment mask may be wrong: photograph it on a plain "
                    "backdrop or give a garment mask"
                )
    return out


#: What the try-on does with each cut that is not "regular" (`GarmentLandmarks.cuts`).
_CUT_NOTES = {
    "off-shoulder": "a straight top edge and no collar: the edge is placed across the upper arms and chest, below "
    "the shoulders, whose points are estimated",
    "strapless": "a straight top edge, no straps or sleeves: the edge is placed under the arms",
    "strappy": "straps (camisole): the strap tops are placed on the shoulders, the neckline low between them",
    "halter": "a band round the neck (halter): the band is placed at the neck, the shoulders stay bare",
    "open front": "the two fronts apart: placed as if closed, the fronts' edges kept, the person shows between them",
    "wrap": "crossed fronts (wrap): the neckline's crossing and the slanted hem are kept as photographed",
}


def garment_cut_warnings(landmarks: object, *, name: str = "garment") -> tuple[str, ...]:
    """One sentence per garment whose cut is not "regular": the cut read from its mask and how it is placed.

    Args:
        landmarks: `GarmentLandmarks` (its `cuts`, one per batch item; none for given landmarks).
        name: the input's name in the sentences.
    """
    cuts = tuple(getattr(landmarks, "cuts", ()))
    out = []
    for i, cut in enumerate(cuts):
        if cut in _CUT_NOTES:
            out.append(f"{_item_name(name, i, len(cuts))}: {cut} cut read from its outline, {_CUT_NOTES[cut]}")
    return tuple(out)


#: Rows per block of `_busy_border_share`'s fitted surface (4096 x 6 x 3 multiply-adds: under OpenBLAS's threshold
#: for threads).
_FIT_ROWS = 4096


def _busy_border_share(image: Tensor, mask: Tensor) -> float:
    """Share of background pixels in the border band that a smooth (quadratic) backdrop does not explain.

    `image` (3, H, W) float [0, 1], `mask` (H, W) float {0, 1}, any device. In NumPy on the band's pixels, the fit by
    its normal equations (6 x 6, the terms in [-1, 1]: well conditioned): torch's nonzero over the whole frame, its
    least squares on ~100 000 rows and its norm along a 3-long axis took 24 ms at 1024 x 768, this ~5 ms."""
    h, w = image.shape[-2:]
    k = max(1, round(_BAND * min(h, w)))
    band = np.zeros((h, w), dtype=bool)
    band[:k] = band[-k:] = True
    band[:, :k] = band[:, -k:] = True
    band &= mask.detach().cpu().numpy() <= 0.5
    if int(np.count_nonzero(band)) < 16:
        return 0.0
    ys, xs = np.nonzero(band)
    x = xs / max(w - 1, 1) * 2 - 1
    y = ys / max(h - 1, 1) * 2 - 1
    terms = np.stack((np.ones_like(x), x, y, x * x, x * y, y * y), axis=1)  # (N, 6) float64
    planes = image.detach().float().cpu().numpy()
    pix = np.stack([planes[c][ys, xs] for c in range(3)], axis=1).astype(np.float64)  # (N, 3)
    coef = np.linalg.solve(terms.T @ terms, terms.T @ pix)  # shaded and vignetted backdrops fit this surface
    # (the fitted surface in blocks of rows: one (N, 6) x (6, 3) product is large enough for OpenBLAS to start its
    # threads, which spun ~45 ms of CPU on a busy 2-core machine for a ~2 ms product; the same values)
    off = pix - np.concatenate([terms[i : i + _FIT_ROWS] @ coef for i in range(0, len(terms), _FIT_ROWS)])
    far = np.einsum("ij,ij->i", off, off) > _CLEAR_DIFFERENCE**2
    return float(far.mean())


#: MediaPipe pose landmarks (nose, shoulders, elbows, hips) that must all be seen for a body pose in a garment
#: photo, and the visibility above which they are seen.
_BODY_MARKS = (0, 11, 12, 13, 14, 23, 24)
_WORN_MARKS = (0, 11, 12, 23, 24)  # nose, shoulders, hips: a top worn by a person (arms may hide the elbows)
_TORSO_MARKS = (11, 12, 23, 24)  # shoulders and hips ...
_LEG_MARKS = (25, 26)  # ... and knees: a person whose face the photo crops (Dress Code, OOTDiffusion model shots)
_SEEN = 0.8
_LEG_SEEN = 0.3  # knees under a dress or long skirt are guessed, less sure (Dress Code model shots: 0.42 .. 0.99)
#: Knees at least this many shoulder widths below the hips: legs under the garment. Model shots without a face
#: (Dress Code's 21 persons, the unseen OOTDiffusion / CatVTON ones): 0.98 .. 1.70; the pose model finds no body
#: at all on any flat garment there (trousers and dresses included), nor on VITON-HD's cloth.
LEGS_BELOW_HIPS = 0.7


@dataclass(frozen=True)
class _PhotoSigns:
    """What the embedded MediaPipe models see in one garment photo."""

    face: bool
    body: bool  # every `_BODY_MARKS` landmark seen
    worn: str  # what shows a person wearing the garment ("" when nothing does): a face and every `_WORN_MARKS`
    # landmark laid out as a person (`upright_person`), or shoulders, hips and knees standing (`standing_legs`)


def upright_person(marks_px: np.ndarray, face_width_px: float) -> bool:
    """Whether pose landmarks are laid out as a person standing in the photo: the nose above the shoulders, the
    shoulders above the hips by at least half their width, and shoulders wider than the face.

    A face printed on a T-shirt is found by the face mesh and the pose model then fits a body to it and to the
    shirt's outline (shoulders beside the printed nose, "hips" at the collar): a real person wearing the garment
    passes all three.

    Args:
        marks_px: (33, 2) float MediaPipe pose landmarks, (x, y) in pixels, y down.
        face_width_px: width of the face mesh's box in pixels.
    """
    shoulders = 0.5 * (marks_px[11] + marks_px[12])
    hips = 0.5 * (marks_px[23] + marks_px[24])
    width = float(np.hypot(*(marks_px[11] - marks_px[12])))
    return bool(marks_px[0, 1] < shoulders[1] < hips[1] - 0.5 * width and width > face_width_px)


def standing_legs(marks_px: np.ndarray) -> bool:
    """Whether pose landmarks show a torso standing on its legs: the shoulders above the hips by at least half
    their width and both knees at least `LEGS_BELOW_HIPS` shoulder widths below the hips. A person wearing the
    garment whose face the photo crops (model shots cut at the mouth) still shows this; a garment laid flat has
    no knees below its hips (a pose fitted to a printed face puts its "hips" at the collar).

    Args:
        marks_px: (33, 2) float MediaPipe pose landmarks, (x, y) in pixels, y down.
    """
    shoulders = 0.5 * (marks_px[11] + marks_px[12])
    hips_y = 0.5 * (marks_px[23, 1] + marks_px[24, 1])
    width = float(np.hypot(*(marks_px[11] - marks_px[12])))
    knees_y = min(marks_px[25, 1], marks_px[26, 1])
    return bool(width > 0 and shoulders[1] < hips_y - 0.5 * width and knees_y > hips_y + LEGS_BELOW_HIPS * width)


def _photo_signs(garment: Tensor) -> list[_PhotoSigns] | None:
    """Per batch item, the signs of a person in (B, 3, H, W) garment photos; None when MediaPipe (with its bundled
    models) is not installed."""
    from ..keypoints.pose_mediapipe import _mediapipe, mediapipe_has_bundled_model, mediapipe_version

    if mediapipe_version() is None or not mediapipe_has_bundled_model():
        return None
    mp = _mediapipe()
    out = []
    h, w = garment.shape[-2:]
    with (
        mp.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1) as mesh,
        mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1, min_detection_confidence=0.6) as pose,
    ):
        for b in range(garment.shape[0]):
            rgb = to_uint8_hwc(garment[b])
            faces = mesh.process(rgb).multi_face_landmarks
            marks = pose.process(rgb).pose_landmarks
            seen = set() if marks is None else {i for i in _BODY_MARKS if marks.landmark[i].visibility > _SEEN}
            legs = marks is not None and all(marks.landmark[i].visibility > _LEG_SEEN for i in _LEG_MARKS)
            marks_px = None if marks is None else np.array([(p.x * w, p.y * h) for p in marks.landmark])
            worn = ""
            if faces is not None and seen >= set(_WORN_MARKS):
                xs = [p.x * w for p in faces[0].landmark]
                worn = "a face above shoulders and hips" if upright_person(marks_px, max(xs) - min(xs)) else ""
            if not worn and legs and seen >= set(_TORSO_MARKS) and standing_legs(marks_px):
                worn = "shoulders, hips and knees of a standing body"
            out.append(_PhotoSigns(faces is not None, seen >= set(_BODY_MARKS), worn))
    return out


def garment_photo_warnings(garment: Tensor, *, name: str = "garment") -> tuple[str, ...]:
    """Sentences for garment photos that are not flat product shots: a person wearing the garment (a face or a
    body pose found by the embedded MediaPipe models, when installed). Empty when the photos look flat or
    MediaPipe is not installed (nothing is guessed then).

    Args:
        garment: (B, 3, H, W) float RGB in [0, 1].
        name: the input's name in the sentences.
    """
    check_image(garment, name)
    return _sentences(_photo_signs(garment) or [], name)


def _sentences(signs: list[_PhotoSigns], name: str) -> tuple[str, ...]:
    found = []
    for b, sign in enumerate(signs):
        if sign.face or sign.body:
            what = "a face" if sign.face else "a body pose"
            found.append(
                f"{name}: batch item {b} does not look like a flat garment photo ({what} found): the mask and "
                "landmarks expect the garment alone, laid flat or on a ghost mannequin, front view"
            )
    return tuple(found)


def check_garment_not_blank(garment: Tensor, *, name: str = "garment") -> None:
    """Refuse an all-white / single-colour garment photo: there is nothing to warp (checked before any estimate).

    Args:
        garment: (B, 3, H, W) float RGB in [0, 1].
        name: the input's name in messages.

    Raises:
        ValueError naming the input and the flat batch items.
    """
    spread = garment.detach().flatten(1).float()
    flat = (spread.amax(dim=1) - spread.amin(dim=1)) < 0.02  # (`max(dim)` and `min(dim)` find indices too: 7x slower)
    if bool(flat.any()):
        items = flat.nonzero().flatten().tolist()
        raise ValueError(
            f"{name}: batch item(s) {items} are a single flat colour (e.g. all white); no garment to try on"
        )


def check_garment_photo(garment: Tensor, *, name: str = "garment") -> tuple[str, ...]:
    """Refuse a garment photo of a person wearing the garment (a face, the nose, both shoulders and both hips seen
    by the embedded MediaPipe models, laid out as a standing person: `upright_person`; or, the face cropped off as in
    model shots, both shoulders, hips and knees of a torso standing on its legs: `standing_legs`): its computed mask
    would be the whole person, pasted onto the other one. Weaker signs (a face alone, e.g. a printed one, even with a
    body pose fitted around it; a body pose alone) stay warnings (`garment_photo_warnings`'s sentences). Nothing is
    checked without MediaPipe.

    Args:
        garment: (B, 3, H, W) float RGB in [0, 1], whose mask is to be computed from the photo.
        name: the input's name in messages.

    Returns:
        The warnings for the weaker signs.

    Raises:
        ValueError: a photo shows a person wearing the garment; the message names `name` and the batch item.
    """
    check_image(garment, name)
    signs = _photo_signs(garment)
    for b, sign in enumerate(signs or ()):
        if sign.worn:
            raise ValueError(
                f"{name}: batch item {b} is a photo of a person wearing the garment ({sign.worn} found); "
                "expected the garment alone, laid flat or on a ghost mannequin, front view (or give its garment "
                "mask to use this photo anyway)"
            )
    return _sentences(signs or [], name)
