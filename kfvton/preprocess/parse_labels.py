"""Human-parsing label sets. The library's own layout is LIP-20 with the VITON-HD convention (label 10 = neck).

Other label sets (ATR-18, CIHP-20) and colour-coded / per-class inputs convert into it here.
"""

from __future__ import annotations

__all__ = ["LIP_LABELS", "lip_id", "VITONHD_UPPER_CLOTHES", "VITONHD_ARMS", "VITONHD_LOWER_BODY", "VITONHD_HEAD"]

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


def lip_id(name: str) -> int:
    """LIP-20 id of a label name; raises listing the valid names."""
    try:
        return _LIP_INDEX[name]
    except KeyError:
        raise KeyError(f"unknown parse label {name!r}; expected one of {', '.join(LIP_LABELS)}") from None
