"""Reading and writing images, masks and parse maps as library tensors.

Images are (1, 3, H, W) float32 in [0, 1]; masks (1, 1, H, W) float32 in [0, 1]; parse maps (1, H, W) int64 labels.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError
from torch import Tensor

__all__ = ["load_image", "load_image_rgba", "load_mask", "load_parse", "save_image", "save_mask"]


def _open(path: str | os.PathLike, name: str) -> Image.Image:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{name}: file not found: {p}")
    try:
        img = Image.open(p)
        img.load()
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(f"{name}: cannot read {p} as an image ({err})") from None
    return img


def load_image(path: str | os.PathLike, name: str = "image") -> Tensor:
    """RGB image -> (1, 3, H, W) float32 in [0, 1] (alpha, if any, is dropped; see `load_image_rgba`)."""
    arr = np.asarray(_open(path, name).convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(arr).permute(2, 0, 1).unsqueeze(0).contiguous()


def load_image_rgba(path: str | os.PathLike, name: str = "image") -> tuple[Tensor, Tensor | None]:
    """RGB image and its alpha: ((1, 3, H, W), (1, 1, H, W) or None when the file has no alpha)."""
    img = _open(path, name)
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    rgb = torch.from_numpy(np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0).permute(2, 0, 1)[None]
    if not has_alpha:
        return rgb.contiguous(), None
    alpha = torch.from_numpy(np.asarray(img.convert("RGBA"), dtype=np.float32)[..., 3] / 255.0)[None, None]
    return rgb.contiguous(), alpha


def load_mask(path: str | os.PathLike, name: str = "mask", threshold: float | None = 0.5) -> Tensor:
    """Grey mask -> (1, 1, H, W) float32; binarised at `threshold` (JPEG masks are noisy) unless it is None."""
    arr = np.asarray(_open(path, name).convert("L"), dtype=np.float32) / 255.0
    mask = torch.from_numpy(arr)[None, None]
    return (mask > threshold).float() if threshold is not None else mask


def load_parse(path: str | os.PathLike, name: str = "parse") -> Tensor:
    """Label map (palette or grey PNG; the pixel values are the labels) -> (1, H, W) int64."""
    img = _open(path, name)
    if img.mode not in ("P", "L", "I", "I;16"):
        raise ValueError(
            f"{name}: expected a palette or grey label PNG, got mode {img.mode} ({path}); "
            "colour-coded parse images are read by kfvton.preprocess.parse_labels"
        )
    return torch.from_numpy(np.asarray(img, dtype=np.int64))[None]


def save_image(image: Tensor, path: str | os.PathLike) -> None:
    """Write (1, 3, H, W) or (3, H, W) [0, 1] as an 8-bit image; folders are created."""
    if image.ndim == 4:
        image = image[0]
    arr = (image.detach().float().clamp(0, 1).permute(1, 2, 0).cpu().numpy() * 255.0 + 0.5).astype(np.uint8)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path)


def save_mask(mask: Tensor, path: str | os.PathLike) -> None:
    """Write a (1, 1, H, W), (1, H, W) or (H, W) [0, 1] mask as an 8-bit grey image."""
    arr = (mask.detach().float().clamp(0, 1).reshape(mask.shape[-2:]).cpu().numpy() * 255.0 + 0.5).astype(np.uint8)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr, mode="L").save(path)
