"""Reading and writing images, masks and parse maps as library tensors.

Images are (1, 3, H, W) float32 in [0, 1]; masks (1, 1, H, W) float32 in [0, 1]; parse maps (1, H, W) int64 labels.

Every read turns the picture upright as phones mean it (EXIF orientation, so a photo and the parse map or mask
made from its upright view line up), reads 16-bit greys at their full range (Pillow's own conversion clips them
to white), and refuses images above Pillow's decompression-bomb limit with a message naming the input. Every write
is atomic (`kfvton._atomic`): a killed run never leaves a truncated file under the final name.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError
from torch import Tensor

from .._atomic import atomic_path
from .._checks import check_label_map

__all__ = [
    "IMAGE_EXTENSIONS",
    "PHOTO_EXTENSIONS",
    "upright",
    "upright_size_hw",
    "load_image",
    "load_image_rgba",
    "load_mask",
    "load_parse",
    "save_image",
    "save_mask",
]

#: File extensions `save_image` / `save_mask` write (lower case).
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"})
#: Files taken as photos when a folder is listed (datasets, evaluation, review), lower case, in the order a
#: file stem is looked up; other files in those folders (parse maps, JSON, notes) are not photos.
PHOTO_EXTENSIONS: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".webp")
_EXIF_ORIENTATION = 0x0112
_WIDE_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")  # 16-bit greys (Pillow reads 16-bit PNGs as one of these)


def upright(img: Image.Image) -> Image.Image:
    """`img` turned as its EXIF orientation says (phones store the sensor's pixels and the turn to view them)."""
    if img.getexif().get(_EXIF_ORIENTATION, 1) in range(2, 9):
        return ImageOps.exif_transpose(img)
    return img


def upright_size_hw(img: Image.Image) -> tuple[int, int]:
    """(H, W) of `img` once upright, from its header (orientations 5-8 swap the sides)."""
    w, h = img.size
    return (w, h) if img.getexif().get(_EXIF_ORIENTATION, 1) in range(5, 9) else (h, w)


def _open(path: str | os.PathLike, name: str) -> Image.Image:
    """Open and decode an image file, upright (EXIF orientation applied)."""
    p = Path(path)
    if p.is_dir():
        raise ValueError(f"{name}: {p} is a folder; expected an image file")
    if not p.is_file():
        raise FileNotFoundError(f"{name}: file not found: {p}")
    try:
        img = Image.open(p)
        img.load()
    except Image.DecompressionBombError as err:
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6
        raise ValueError(
            f"{name}: {p} is too large to decode safely ({err}); downscale it below {limit:.0f} megapixels"
        ) from None
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(f"{name}: cannot read {p} as an image ({err})") from None
    return upright(img)


def _pixels(img: Image.Image, name: str, mode: str) -> Tensor:
    """Pixels as float32 in [0, 1]: (3, H, W) for mode "RGB", (H, W) for mode "L".

    8-bit pictures go uint8 -> float32 in one copy (a 69-megapixel photo is 0.8 GB as float32; every extra
    float copy at load time adds that much to the peak).
    """
    if img.mode in _WIDE_MODES or img.mode == "F":
        arr = np.asarray(img, dtype=np.float32)
        lo, hi = (float(arr.min()), float(arr.max())) if arr.size else (0.0, 0.0)
        full = 1.0 if img.mode == "F" else 65535.0
        if not np.isfinite(arr).all() or lo < 0.0 or hi > full:
            raise ValueError(
                f"{name}: a {img.mode} image with values in [{lo:.4g}, {hi:.4g}]; expected 8- or 16-bit, "
                "or floats in [0, 1]"
            )
        if full != 1.0:
            arr /= full
        grey = torch.from_numpy(arr)
        return grey.expand(3, *grey.shape).contiguous() if mode == "RGB" else grey
    pixels = torch.from_numpy(np.array(img.convert(mode)))  # a writable uint8 copy (3 bytes a pixel)
    if mode == "RGB":
        pixels = pixels.permute(2, 0, 1)
    return pixels.to(torch.float32).div_(255.0).contiguous()


def load_image(path: str | os.PathLike, name: str = "image") -> Tensor:
    """RGB image -> (1, 3, H, W) float32 in [0, 1] (alpha, if any, is dropped; see `load_image_rgba`)."""
    return _pixels(_open(path, name), name, "RGB")[None]


def load_image_rgba(path: str | os.PathLike, name: str = "image") -> tuple[Tensor, Tensor | None]:
    """RGB image and its alpha: ((1, 3, H, W), (1, 1, H, W) or None when the file has no alpha)."""
    img = _open(path, name)
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    rgb = _pixels(img, name, "RGB")[None]
    if not has_alpha:
        return rgb, None
    alpha = torch.from_numpy(np.asarray(img.convert("RGBA"), dtype=np.float32)[..., 3] / 255.0)[None, None]
    return rgb, alpha


def load_mask(path: str | os.PathLike, name: str = "mask", threshold: float | None = 0.5) -> Tensor:
    """Grey mask -> (1, 1, H, W) float32; binarised at `threshold` (JPEG masks are noisy) unless it is None."""
    mask = _pixels(_open(path, name), name, "L")[None, None]
    return (mask > threshold).float() if threshold is not None else mask


def load_parse(path: str | os.PathLike, name: str = "parse", *, n_labels: int | None = None) -> Tensor:
    """Label map (palette or grey PNG; the pixel values are the labels) -> (1, H, W) int64.

    Args:
        n_labels: when given, every label must lie in [0, n_labels) (20 for LIP-20 / VITON-HD); the error names
            `name`, the file and the labels found outside.
    """
    img = _open(path, name)
    if img.mode not in ("P", "L", *_WIDE_MODES):
        raise ValueError(
            f"{name}: expected a palette or grey label PNG, got mode {img.mode} ({path}); "
            "colour-coded parse images are read by kfvton.preprocess.parse_labels"
        )
    parse = torch.from_numpy(np.asarray(img, dtype=np.int64))[None]
    if n_labels is not None:
        check_label_map(parse, f"{name} ({Path(path).name})", n_labels)
    return parse


def _to_uint8(x: Tensor) -> Tensor:
    """[0, 1] float -> uint8 on the CPU, rounded; one float copy (the clamp), the rest in place."""
    return x.detach().to("cpu", torch.float32).clamp(0, 1).mul_(255.0).add_(0.5).to(torch.uint8)


def _save(arr: np.ndarray, path: str | os.PathLike) -> None:
    """(H, W) or (H, W, 3) uint8 -> grey or RGB file, format from the extension."""
    p = Path(path)
    fmt = Image.registered_extensions().get(p.suffix.lower())
    if fmt is None:
        raise ValueError(f"{p}: unknown image extension {p.suffix!r}; expected one of {', '.join(IMAGE_EXTENSIONS)}")
    options = {"quality": 95} if fmt == "JPEG" else {}
    with atomic_path(p) as tmp:
        Image.fromarray(arr).save(tmp, format=fmt, **options)


def save_image(image: Tensor, path: str | os.PathLike) -> None:
    """Write (1, 3, H, W) or (3, H, W) [0, 1] as an 8-bit image (atomically); folders are created."""
    if image.ndim == 4:
        image = image[0]
    _save(_to_uint8(image).permute(1, 2, 0).contiguous().numpy(), path)


def save_mask(mask: Tensor, path: str | os.PathLike) -> None:
    """Write a (1, 1, H, W), (1, H, W) or (H, W) [0, 1] mask as an 8-bit grey image (atomically)."""
    _save(_to_uint8(mask.reshape(mask.shape[-2:])).numpy(), path)
