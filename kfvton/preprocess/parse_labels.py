"""Human-parsing label sets. The library's own layout is LIP-20 with the VITON-HD convention (label 10 = neck).

Other label sets (ATR-18, CIHP-20, LIP-20 as parsers output it) and colour-coded / per-class inputs convert into it
here. Every mapping is an explicit table (`TO_VITONHD`), tested entry by entry.

Label sets (`LABEL_SETS`):
    "vitonhd": our layout, LIP-20 names with 10 = neck (VITON-HD / HR-VITON `image-parse` files).
    "lip":     LIP-20 as LIP-trained parsers (SCHP, ...) output it: 10 = jumpsuits, which becomes dress (6).
    "cihp":    CIHP-20 (the LIP ids; 10 = torso skin, which becomes neck (10)).
    "atr":     ATR-18 (SCHP's ATR model): sunglasses 3, upper clothes 4, skirt 5, pants 6, dress 7, belt 8, ...;
               the belt becomes pants (9, lower body), the bag becomes background (0: LIP has no bag).
    "dresscode": Dress Code's 18 labels (`label_maps/NNNNNN_4.png`): the ATR ids, with 11 = head (face and neck
               together), which becomes face (13); belt and bag as in "atr".
Auto-detection (`detect_label_set`, `read_parse_labels(..., label_set="auto")`) tells the LIP family (ids up to 19,
face = 13 at the top) from the 18-label family (head/face = 11 at the top, 13 = a leg) and raises when a map shows
neither; it cannot tell "vitonhd" / "lip" / "cihp" apart (they differ only in what 10 means) and reads them as
"vitonhd", nor "atr" from "dresscode" (they convert identically) and reads those as "dresscode".
Palettes (`PALETTES`) for colour-coded parse images:
    "cihp": the CIHP / VITON-HD visualisation colours (VITON-HD's PNGs store them 1 below: 254, 169, 220, which the
            nearest-colour match absorbs);
    "voc":  the PASCAL-VOC bit-pattern colours SCHP writes into its palette PNGs, for any label set.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from PIL import Image
from torch import Tensor

from .._arrays import take
from .._atomic import atomic_path
from .._checks import check_label_map, check_shape
from .io import load_image, load_parse

__all__ = [
    "check_label_map",
    "LIP_LABELS",
    "lip_id",
    "VITONHD_UPPER_CLOTHES",
    "VITONHD_ARMS",
    "VITONHD_LOWER_BODY",
    "VITONHD_LOWER_GARMENT",
    "VITONHD_HEAD",
    "VITONHD_NECK",
    "LIP_SOURCE_LABELS",
    "ATR_LABELS",
    "CIHP_LABELS",
    "DRESSCODE_LABELS",
    "LABEL_SETS",
    "TO_VITONHD",
    "CIHP_PALETTE",
    "voc_palette",
    "PALETTES",
    "to_vitonhd",
    "labels_from_colors",
    "colors_from_labels",
    "labels_from_class_masks",
    "class_masks_from_labels",
    "label_mask",
    "labels_in",
    "read_parse_file",
    "write_parse_file",
    "detect_label_set",
    "ParseLabels",
    "read_parse_labels",
    "labels_from_mask_batch",
    "labels_from_grey",
]

#: LIP-20 names by id; VITON-HD re-uses 10 ("jumpsuits" in LIP) for the neck.
LIP_LABELS: tuple[str, ...] = (
    "background", "hat", "hair", "glove", "sunglasses", "upper_clothes", "dress", "coat", "socks", "pants",
    "neck", "scarf", "skirt", "face", "left_arm", "right_arm", "left_leg", "right_leg", "left_shoe", "right_shoe",
)  # fmt: skip
_LIP_INDEX = {name: i for i, name in enumerate(LIP_LABELS)}

VITONHD_UPPER_CLOTHES: tuple[int, ...] = (5, 6, 7)  # upper clothes, dress, coat: what an upper garment replaces
VITONHD_ARMS: tuple[int, ...] = (14, 15)
VITONHD_HEAD: tuple[int, ...] = (1, 2, 4, 13)  # hat, hair, sunglasses, face
VITONHD_LOWER_BODY: tuple[int, ...] = (8, 9, 12, 16, 17, 18, 19)  # socks, pants, skirt, legs, shoes
VITONHD_LOWER_GARMENT: tuple[int, ...] = (9, 12)  # pants, skirt: what a top is tucked into or hangs over


def lip_id(name: str) -> int:
    """LIP-20 id of a label name; raises listing the valid names."""
    try:
        return _LIP_INDEX[name]
    except KeyError:
        raise KeyError(f"unknown parse label {name!r}; expected one of {', '.join(LIP_LABELS)}") from None


VITONHD_NECK: tuple[int, ...] = (10,)

#: LIP-20 as LIP-trained parsers output it (10 = jumpsuits).
LIP_SOURCE_LABELS: tuple[str, ...] = LIP_LABELS[:10] + ("jumpsuits",) + LIP_LABELS[11:]
#: ATR-18 (as SCHP's ATR model outputs it).
ATR_LABELS: tuple[str, ...] = (
    "background", "hat", "hair", "sunglasses", "upper_clothes", "skirt", "pants", "dress", "belt", "left_shoe",
    "right_shoe", "face", "left_leg", "right_leg", "left_arm", "right_arm", "bag", "scarf",
)  # fmt: skip
#: Dress Code's 18 labels (ATR ids; 11 = the whole head, face and neck).
DRESSCODE_LABELS: tuple[str, ...] = ATR_LABELS[:11] + ("head",) + ATR_LABELS[12:]
#: CIHP-20 (LIP ids; 10 = torso skin).
CIHP_LABELS: tuple[str, ...] = LIP_LABELS[:10] + ("torso_skin",) + LIP_LABELS[11:]

LABEL_SETS: dict[str, tuple[str, ...]] = {
    "vitonhd": LIP_LABELS,
    "lip": LIP_SOURCE_LABELS,
    "cihp": CIHP_LABELS,
    "atr": ATR_LABELS,
    "dresscode": DRESSCODE_LABELS,
}

#: label set -> our (VITON-HD) id for each of its ids, in its id order.
TO_VITONHD: dict[str, tuple[int, ...]] = {
    "vitonhd": tuple(range(20)),
    # jumpsuits (10) -> dress (6): a one-piece garment covering the upper body
    "lip": (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 6, 11, 12, 13, 14, 15, 16, 17, 18, 19),
    # torso skin (10) -> neck (10): the skin VITON-HD labels as neck
    "cihp": tuple(range(20)),
    # bg, hat, hair, sunglasses, upper, skirt, pants, dress, belt->pants, l/r shoe, face, l/r leg, l/r arm,
    # bag->background, scarf
    "atr": (0, 1, 2, 4, 5, 12, 9, 6, 9, 18, 19, 13, 16, 17, 14, 15, 0, 11),
    # as "atr"; head (11, face and neck) -> face (13): skin kept in front like the face
    "dresscode": (0, 1, 2, 4, 5, 12, 9, 6, 9, 18, 19, 13, 16, 17, 14, 15, 0, 11),
}

#: CIHP / VITON-HD visualisation colours by id (RGB 0..255).
CIHP_PALETTE: tuple[tuple[int, int, int], ...] = (
    (0, 0, 0), (128, 0, 0), (255, 0, 0), (0, 85, 0), (170, 0, 51), (255, 85, 0), (0, 0, 85), (0, 119, 221),
    (85, 85, 0), (0, 85, 85), (85, 51, 0), (52, 86, 128), (0, 128, 0), (0, 0, 255), (51, 170, 221), (0, 255, 255),
    (85, 255, 170), (170, 255, 85), (255, 255, 0), (255, 170, 0),
)  # fmt: skip


def voc_palette(n: int) -> tuple[tuple[int, int, int], ...]:
    """The PASCAL-VOC colour map for ids 0..n-1: bit k of the id, in groups of three, sets bit 7-k/3 of R, G, B."""
    colors = []
    for label in range(n):
        rgb = [0, 0, 0]
        value, shift = label, 7
        while value:
            for c in range(3):
                rgb[c] |= ((value >> c) & 1) << shift
            value >>= 3
            shift -= 1
        colors.append((rgb[0], rgb[1], rgb[2]))
    return tuple(colors)


PALETTES: dict[str, tuple[tuple[int, int, int], ...]] = {"cihp": CIHP_PALETTE, "voc": voc_palette(20)}


def _label_set(name: str) -> tuple[str, ...]:
    if name not in LABEL_SETS:
        raise ValueError(f"label_set: expected one of {', '.join(LABEL_SETS)}, got {name!r}")
    return LABEL_SETS[name]


def to_vitonhd(parse: Tensor, label_set: str) -> Tensor:
    """A parse map in `label_set` ids -> our layout (LIP-20 names, 10 = neck), through `TO_VITONHD`.

    Args:
        parse: (B, H, W) int64 ids of `label_set`.
        label_set: "vitonhd", "lip", "cihp" or "atr".
    Returns:
        (B, H, W) int64 in [0, 19].
    """
    labels = _label_set(label_set)
    check_label_map(parse, "parse", len(labels))
    table = torch.tensor(TO_VITONHD[label_set], dtype=torch.int64, device=parse.device)
    return table[parse]


def _palette(palette: str, n: int) -> Tensor:
    if palette not in PALETTES:
        raise ValueError(f"palette: expected one of {', '.join(PALETTES)}, got {palette!r}")
    colors = PALETTES[palette] if palette != "voc" else voc_palette(n)
    if len(colors) < n:
        raise ValueError(f"palette: {palette!r} has {len(colors)} colours, the label set needs {n}")
    return torch.tensor(colors[:n], dtype=torch.float32) / 255.0


def labels_from_colors(
    image: Tensor,
    *,
    label_set: str = "vitonhd",
    palette: str = "cihp",
    tolerance: float = 0.1,
    max_unmatched: float = 0.05,
) -> Tensor:
    """A colour-coded parse image -> ids of `label_set`, by the nearest palette colour.

    Args:
        image: (B, 3, H, W) float RGB in [0, 1], each pixel a palette colour (resized images blend colours at the
            edges: those pixels take the nearest colour).
        label_set: whose ids the colours stand for (its length picks how many palette colours are used).
        palette: "cihp" or "voc" (`PALETTES`).
        tolerance: RGB distance in [0, 1] units within which a pixel counts as matched.
        max_unmatched: largest fraction of pixels allowed beyond `tolerance`; more means the palette is wrong.

    Returns:
        (B, H, W) int64 ids of `label_set`.

    Raises:
        ValueError: more than `max_unmatched` of the pixels match no colour of the palette.
    """
    check_shape(image, "image", ("B", 3, "H", "W"))
    n = len(_label_set(label_set))
    colors = _palette(palette, n).to(image.device)
    pixels = image.detach().float().permute(0, 2, 3, 1)  # (B, H, W, 3)
    dist = torch.cdist(pixels.reshape(1, -1, 3), colors[None])[0]  # (BHW, n)
    best, ids = dist.min(dim=-1)
    unmatched = float((best > tolerance).float().mean()) if best.numel() else 0.0
    if unmatched > max_unmatched:
        raise ValueError(
            f"image: {unmatched:.0%} of the pixels match no {palette!r} palette colour of label set {label_set!r} "
            f"(allowed {max_unmatched:.0%}); pick the palette the parse image was drawn with"
        )
    return ids.reshape(pixels.shape[:3])


def colors_from_labels(parse: Tensor, *, label_set: str = "vitonhd", palette: str = "cihp") -> Tensor:
    """(B, H, W) int64 ids of `label_set` -> (B, 3, H, W) float RGB [0, 1] palette colours."""
    n = len(_label_set(label_set))
    check_label_map(parse, "parse", n)
    colors = _palette(palette, n).to(parse.device)
    return colors[parse].permute(0, 3, 1, 2).contiguous()


def labels_from_class_masks(masks: Tensor, *, threshold: float = 0.5) -> Tensor:
    """Per-class masks -> a label map: each pixel takes the class of its strongest mask, background (0) where no
    mask reaches `threshold`.

    Args:
        masks: (B, C, H, W) float in [0, 1], channel c = class c of a label set (channel 0 may be background or
            empty); a ComfyUI MASK batch of C class masks is (C, H, W): pass `masks[None]`.
    Returns:
        (B, H, W) int64 in [0, C - 1].
    """
    check_shape(masks, "masks", ("B", "C", "H", "W"))
    if not masks.is_floating_point():
        raise TypeError(f"masks: expected float masks in [0, 1], got dtype {masks.dtype}")
    value, ids = masks[:, 1:].max(dim=1) if masks.shape[1] > 1 else (masks[:, 0], torch.zeros_like(masks[:, 0]))
    return torch.where(value >= threshold, ids.long() + 1, torch.zeros_like(ids, dtype=torch.long))


def class_masks_from_labels(parse: Tensor, num_classes: int) -> Tensor:
    """(B, H, W) int64 ids -> (B, num_classes, H, W) float one-hot masks (the inverse of `labels_from_class_masks`)."""
    return one_hot(parse, num_classes, name="parse")


def labels_in(parse: Tensor, labels: Sequence[int]) -> Tensor:
    """Label map of non-negative integer ids, any shape -> bool map of the same shape: True where the id is in
    `labels`. A lookup table indexed by the ids (about half `torch.isin`'s time on a 1024 x 768 map)."""
    if parse.numel() == 0:
        return torch.zeros(parse.shape, dtype=torch.bool, device=parse.device)
    # (`amax`: `max` of an int64 map took twice as long, a dozen times per try-on; on the CPU NumPy's, one thread:
    # torch's two-thread reduction waited ~10 ms for its second thread on a busy machine, 0.2 ms alone)
    top = int(parse.numpy().max()) if parse.device.type == "cpu" else int(parse.amax())
    table = torch.zeros(max(top, *labels, 0) + 1, dtype=torch.bool, device=parse.device)
    table[list(labels)] = True
    return take(table, parse)


def label_mask(parse: Tensor, labels: tuple[int, ...]) -> Tensor:
    """(B, H, W) int64 parse in our layout -> (B, 1, H, W) float mask of the pixels whose id is in `labels`."""
    check_shape(parse, "parse", ("B", "H", "W"))
    return labels_in(parse, labels).float()[:, None]


def read_parse_file(path: str | os.PathLike, *, label_set: str = "vitonhd", palette: str = "cihp") -> Tensor:
    """A parse map file -> (1, H, W) int64 in our layout.

    Palette or grey PNGs hold the ids of `label_set` as pixel values; RGB images are colour-coded with `palette`.
    """
    _label_set(label_set)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"parse: file not found: {path}")
    try:
        with Image.open(path) as img:
            indexed = img.mode in ("P", "L", "I", "I;16")
    except OSError as err:
        raise ValueError(f"parse: cannot read {path} as an image ({err})") from None
    if indexed:
        ids = load_parse(path, name="parse")
    else:
        ids = labels_from_colors(load_image(path, name="parse"), label_set=label_set, palette=palette)
    return to_vitonhd(ids, label_set)


def write_parse_file(parse: Tensor, path: str | os.PathLike, *, palette: str = "cihp") -> None:
    """Write a (1, H, W) or (H, W) int64 map in our layout as a palette PNG (atomically): its pixel values are the ids
    (`read_parse_file` and `--parse` read it back), `palette` colours them for the eye."""
    ids = parse.reshape(parse.shape[-2:]).detach().cpu()
    n = len(_label_set("vitonhd"))
    check_label_map(ids[None], "parse", n)
    img = Image.fromarray(ids.to(torch.uint8).numpy(), mode="P")
    img.putpalette((_palette(palette, n) * 255).round().to(torch.uint8).flatten().tolist())
    with atomic_path(path) as tmp:
        img.save(tmp, format="PNG")


def labels_from_mask_batch(masks: Tensor, *, label_set: str = "vitonhd", threshold: float = 0.5) -> Tensor:
    """A batch of per-class masks of ONE person (a ComfyUI MASK batch, one mask per class) -> a label map.

    Args:
        masks: (N, H, W) float in [0, 1]; N = the label set's size (mask i = class i, mask 0 = background) or one
            less (mask i = class i + 1, no background mask).
        label_set: whose classes the masks are, in its id order.
    Returns:
        (1, H, W) int64 ids of `label_set`.
    """
    n = len(_label_set(label_set))
    check_shape(masks, "masks", ("N", "H", "W"))
    if masks.shape[0] not in (n, n - 1):
        raise ValueError(
            f"masks: expected {n} masks (one per {label_set} class, background first) or {n - 1} (no background), "
            f"got {masks.shape[0]}"
        )
    if masks.shape[0] == n - 1:
        masks = torch.cat((torch.zeros_like(masks[:1]), masks))
    return labels_from_class_masks(masks[None], threshold=threshold)


def labels_from_grey(image: Tensor, *, label_set: str = "vitonhd") -> Tensor:
    """A grey label image loaded as an IMAGE (pixel value = id / 255) -> (B, H, W) int64 ids of `label_set`."""
    check_shape(image, "image", ("B", 3, "H", "W"))
    ids = (image.detach().float().mean(dim=1) * 255.0).round().long()
    check_label_map(ids, "image (grey ids)", len(_label_set(label_set)))
    return ids


# ---------------------------------------------------------------------- the KF-VTON networks' label layouts
#
# The networks read two layouts merged from ours (merge tables, each source id in exactly one class):
#
# `PARSE14_CLASSES` (label_nc 14; from LIP-20 with VITON-HD's neck = 10; the layout KF-VTON's dataset uses):
#
#     id  name        LIP-20 ids               id  name        LIP-20 ids
#     0   background  0 background             7   left_leg    16
#     1   hair        1 hat, 2 hair            8   right_leg   17
#     2   face        4 sunglasses, 13 face    9   left_shoe   18
#     3   upper       5 upper-clothes, 7 coat  10  right_shoe  19
#     4   bottom      6 dress, 9 pants, 12 skirt  11  socks    8
#     5   left_arm    14                       12  noise       3 glove, 11 scarf
#     6   right_arm   15                       13  neck        10 (VITON-HD convention)
#
# `PARSE7_CLASSES` (gen_semantic_nc 7, the segmentation generator's classes; from the 14 layout, the
# VITON-HD/HR-VITON "paste" convention extended by KF-VTON with a neck class): 0 background (0), 1 paste (1 hair,
# 2 face, 4 bottom, 7/8 legs, 9/10 shoes, 11 socks: what the generator copies from the agnostic person unchanged),
# 2 upper (3, the region the new garment occupies), 3 left_arm (5), 4 right_arm (6), 5 noise (12), 6 neck (13).

#: LIP-20 ids of the upper garment as KF-VTON's data labels it: upper clothes and coat; a dress counts as
#: "bottom". Not `VITONHD_UPPER_CLOTHES` (5, 6, 7), which is what an upper try-on removes from the person
#: (a dress too): this one is where the garment sits (the networks' "upper" class, the box the garment canvas is
#: fitted into), that one is what is hidden or repainted.
KFVTON_UPPER_CLOTHES: tuple[int, ...] = (lip_id("upper_clothes"), lip_id("coat"))

PARSE14_CLASSES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("background", (0,)), ("hair", (1, 2)), ("face", (4, 13)), ("upper", KFVTON_UPPER_CLOTHES),
    ("bottom", (6, 9, 12)), ("left_arm", (14,)), ("right_arm", (15,)), ("left_leg", (16,)), ("right_leg", (17,)),
    ("left_shoe", (18,)), ("right_shoe", (19,)), ("socks", (8,)), ("noise", (3, 11)), ("neck", VITONHD_NECK),
)  # fmt: skip
PARSE7_CLASSES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("background", (0,)), ("paste", (1, 2, 4, 7, 8, 9, 10, 11)), ("upper", (3,)), ("left_arm", (5,)),
    ("right_arm", (6,)), ("noise", (12,)), ("neck", (13,)),
)  # fmt: skip

__all__ += [
    "KFVTON_UPPER_CLOTHES",
    "PARSE14_CLASSES",
    "PARSE7_CLASSES",
    "lip_to_parse14",
    "parse14_to_parse7",
    "one_hot",
    "label_preview",
]


def _lookup(table: tuple[tuple[str, tuple[int, ...]], ...], n_in: int) -> Tensor:
    lut = torch.zeros(n_in, dtype=torch.int64)
    for new_id, (_, olds) in enumerate(table):
        lut[list(olds)] = new_id
    return lut


_LIP_TO_14 = _lookup(PARSE14_CLASSES, len(LIP_LABELS))
_14_TO_7 = _lookup(PARSE7_CLASSES, len(PARSE14_CLASSES))


def lip_to_parse14(parse: Tensor) -> Tensor:
    """LIP-20 labels (B, H, W) int64 -> `PARSE14_CLASSES` labels (B, H, W) int64 (see the table above)."""
    check_label_map(parse, "parse", len(LIP_LABELS))
    return _LIP_TO_14.to(parse.device)[parse]


def parse14_to_parse7(parse14: Tensor) -> Tensor:
    """`PARSE14_CLASSES` labels (B, H, W) int64 -> `PARSE7_CLASSES` labels (B, H, W) int64."""
    check_label_map(parse14, "parse14", len(PARSE14_CLASSES))
    return _14_TO_7.to(parse14.device)[parse14]


def one_hot(labels: Tensor, num_classes: int, *, dtype: torch.dtype = torch.float32, name: str = "labels") -> Tensor:
    """(B, H, W) int64 labels in [0, num_classes) -> (B, num_classes, H, W) one-hot of `dtype`; errors say `name`."""
    check_label_map(labels, name, num_classes)
    return torch.nn.functional.one_hot(labels, num_classes).permute(0, 3, 1, 2).to(dtype)


def label_preview(labels: Tensor, num_classes: int) -> Tensor:
    """Colour-code a label map for display: (B, H, W) int64 in [0, num_classes) -> (B, 3, H, W) float [0, 1].

    Class 0 (background) is black; the others get evenly spaced hues.
    """
    check_label_map(labels, "labels", num_classes)
    hue = torch.arange(num_classes, dtype=torch.float32) / max(num_classes - 1, 1) * 0.85
    k = (torch.tensor([5.0, 3.0, 1.0])[None] + hue[:, None] * 6) % 6
    palette = 1 - 0.8 * torch.clamp(torch.minimum(k, 4 - k), 0, 1)  # HSV (h, s=0.8, v=1) to RGB
    palette[0] = 0
    return palette.to(labels.device)[labels].permute(0, 3, 1, 2).contiguous()


_HEAD_TOP = 0.4  # a head label's mean row lies in the top 40 % of the map
_LEG_LOW = 0.5  # a leg label's mean row lies below the middle
_MIN_HEAD = 1e-3  # a head label covers at least 0.1 % of the map


def _mean_row(ids: Tensor, label: int) -> float | None:
    """Mean row of `label` in [0, 1] (0 = top), or None when it covers less than `_MIN_HEAD` of the map."""
    hit = ids == label
    if float(hit.float().mean()) < _MIN_HEAD:
        return None
    rows = torch.nonzero(hit)[:, -2].float()
    return float(rows.mean()) / max(ids.shape[-2] - 1, 1)


def detect_label_set(ids: Tensor, *, name: str = "parse", default: str | None = None) -> str:
    """Which label family a label map uses: "vitonhd" (LIP-20 ids) or "dresscode" (the 18-label ATR / Dress Code ids).

    LIP maps use ids up to 19 and put the face (13) at the top; 18-label maps put the head / face (11) at the top
    and a leg at 13. Module docstring: what cannot be told apart.

    Args:
        ids: (B, H, W) int64 label ids as stored in the file.
        name: the input's name for error messages.
        default: returned when the map fits neither family; None raises instead.
    Raises:
        ValueError: (`default` None) the map fits neither family (no head label near the top, or both); the
            message says how to pick the label set.
    """
    check_shape(ids, name, ("B", "H", "W"))
    if ids.numel() and int(ids.min()) < 0:
        raise ValueError(f"{name}: expected label ids >= 0, got {int(ids.min())}")
    if ids.numel() and int(ids.max()) >= len(ATR_LABELS):
        return "vitonhd"
    lip_face, dc_head = _mean_row(ids, 13), _mean_row(ids, 11)
    lip_like = lip_face is not None and lip_face < _HEAD_TOP and (dc_head is None or dc_head > lip_face)
    dc_like = dc_head is not None and dc_head < _HEAD_TOP and (lip_face is None or lip_face > _LEG_LOW)
    if lip_like != dc_like:
        return "vitonhd" if lip_like else "dresscode"
    if default is not None:
        return default
    raise ValueError(
        f"{name}: cannot tell the label set (ids up to {int(ids.max()) if ids.numel() else 0}; neither a LIP face "
        f"(13) nor an 18-label head (11) alone at the top); pass the label set explicitly: one of {', '.join(LABEL_SETS)}"
    )


@dataclass(frozen=True)
class ParseLabels:
    """A parse map read from a file, in our layout.

    Attributes:
        parse: (1, H, W) int64 in [0, 19], LIP-20 names with 10 = neck.
        label_set: the label set the file was read as (a key of `LABEL_SETS`).
        how: "given" (named by the caller), "detected" ("auto" recognised the family) or "assumed" ("auto" could
            not tell, so the map was read as "vitonhd", the library's own layout, as before auto-detection).
    """

    parse: Tensor
    label_set: str
    how: str

    @property
    def detected(self) -> bool:
        return self.how != "given"

    def describe(self) -> str:
        return f"labels {self.label_set} ({self.how})"


def read_parse_labels(
    path: str | os.PathLike, *, label_set: str = "auto", palette: str = "cihp", name: str = "parse"
) -> ParseLabels:
    """A parse map file in any supported label set -> our layout, the label set given or detected.

    Palette or grey PNGs hold ids (`label_set` "auto" detects the family: `detect_label_set`, and reads a map
    that fits neither as "vitonhd", reported as "assumed"); colour-coded RGB images are read with `palette`, and
    "auto" reads them as "vitonhd" (assumed: their colours do not tell the set).

    Args:
        path: the parse file.
        label_set: "auto" or a key of `LABEL_SETS`.
        palette: for colour-coded images, a key of `PALETTES`.
        name: the input's name for error messages (e.g. "--parse").
    """
    if label_set != "auto" and label_set not in LABEL_SETS:
        raise ValueError(f"{name}: label set expected 'auto' or one of {', '.join(LABEL_SETS)}, got {label_set!r}")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{name}: file not found: {path}")
    try:
        with Image.open(path) as img:
            indexed = img.mode in ("P", "L", "I", "I;16")
    except OSError as err:
        raise ValueError(f"{name}: cannot read {path} as an image ({err})") from None
    how, chosen = "given", label_set
    if indexed:
        ids = load_parse(path, name=name)
        if label_set == "auto":
            chosen = detect_label_set(ids, name=name, default="")
            how, chosen = ("detected", chosen) if chosen else ("assumed", "vitonhd")
        check_label_map(ids, f"{name} ({os.path.basename(path)})", len(LABEL_SETS[chosen]))  # names the file
    else:
        if label_set == "auto":
            how, chosen = "assumed", "vitonhd"
        ids = labels_from_colors(load_image(path, name=name), label_set=chosen, palette=palette)
    return ParseLabels(to_vitonhd(ids, chosen), chosen, how)
