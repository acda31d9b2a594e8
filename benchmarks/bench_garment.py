"""Garment mask and landmark timing and quality on the sample garments; prints a table, never run by pytest.

    python benchmarks/bench_garment.py [--samples ../shared/samples] [--size 1024x768] [--draw /tmp/garment_lm]
    python benchmarks/bench_garment.py --backgrounds [--size 512x384] [--draw /tmp/garment_bg]

Per garment: mask IoU against the dataset's cloth mask (VITON-HD JPEG masks thresholded at 128), best-of-N
wall time of `garment_mask_from_image` and of `detect_garment_landmarks` (CPU), the sleeve kind and the cut.
With --draw, the outline and landmarks are drawn into PNGs to check them by eye.

--backgrounds: each VITON-HD garment cut out with its cloth mask and pasted on backdrops shops use (light grey,
coloured, shaded, textured: fine grain, woven lines, mottling), then the computed mask's IoU against the
cut-out shape, per backdrop (mean and min over the garments). `BACKGROUNDS` makes them, the tests use it too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kfvton.geometry.grid import parse_size_hw  # noqa: E402
from kfvton.keypoints.garment_landmarks import GARMENT_LANDMARKS, detect_garment_landmarks  # noqa: E402
from kfvton.preprocess.garment_mask import garment_mask_from_image, prepare_garment_mask  # noqa: E402
from kfvton.preprocess.io import load_image, load_mask  # noqa: E402

_COLOURS = {"collar": (255, 0, 0), "shoulder": (0, 160, 0), "sleeve": (0, 0, 255), "armpit": (255, 200, 0),
            "hem": (255, 0, 255)}  # fmt: skip


def _backdrop(kind: str, h: int, w: int, seed: int = 0) -> np.ndarray:
    """(H, W, 3) float32 [0, 1] backdrop of one of `BACKGROUNDS`."""
    import cv2

    rng = np.random.default_rng(seed)
    base = {
        "light grey": (0.85, 0.85, 0.86),
        "mid grey": (0.7, 0.7, 0.7),
        "beige": (0.93, 0.87, 0.78),
        "pink": (0.97, 0.8, 0.84),
        "sky blue": (0.62, 0.78, 0.93),
        "dark green": (0.12, 0.3, 0.2),
        "shaded grey": (0.88, 0.88, 0.88),
        "fine grain": (0.9, 0.88, 0.85),
        "mottle": (0.86, 0.84, 0.8),
        "heavy mottle": (0.86, 0.84, 0.8),
        "linen": (0.9, 0.86, 0.8),
    }[kind]
    img = np.empty((h, w, 3), np.float32)
    img[:] = base
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "shaded grey":  # a studio sweep: darker towards the corners and the bottom
        r = np.hypot((xx - w / 2) / w, (yy - h / 2) / h)
        img -= (0.18 * r**2 + 0.06 * yy / h)[..., None]
    elif kind == "fine grain":  # paper or fabric grain, per pixel
        img += rng.normal(0.0, 0.025, (h, w, 1)).astype(np.float32)
    elif kind in ("mottle", "heavy mottle"):  # blotchy backdrop: smooth noise a few percent of the image across
        noise = cv2.GaussianBlur(rng.normal(0.0, 1.0, (h, w)).astype(np.float32), (0, 0), 0.02 * min(h, w))
        amplitude = 0.02 if kind == "mottle" else 0.05
        img += (amplitude * noise / max(float(noise.std()), 1e-6))[..., None]
    elif kind == "linen":  # woven lines both ways plus grain
        weave = 0.03 * np.sin(xx * 1.3) * np.sin(yy * 1.1) + 0.02 * np.sin(yy * 0.45)
        img += (weave + rng.normal(0.0, 0.012, (h, w)))[..., None].astype(np.float32)
    return np.clip(img, 0.0, 1.0)


#: Backdrops of `--backgrounds` (and the tests): plain light and coloured, shaded, textured.
BACKGROUNDS = (
    "light grey",
    "mid grey",
    "beige",
    "pink",
    "sky blue",
    "dark green",
    "shaded grey",
    "fine grain",
    "linen",
    "mottle",
    "heavy mottle",
)


def paste_on_backdrop(garment: torch.Tensor, shape: torch.Tensor, kind: str, seed: int = 0) -> torch.Tensor:
    """(1, 3, H, W) garment photo: `garment`'s pixels inside `shape` ((1, 1, H, W) {0, 1}) on backdrop `kind`,
    the edge softened over about a pixel as a camera's would be."""
    import cv2

    h, w = garment.shape[-2:]
    alpha = cv2.GaussianBlur(shape[0, 0].numpy().astype(np.float32), (3, 3), 0)[..., None]
    fg = garment[0].permute(1, 2, 0).numpy()
    img = alpha * fg + (1 - alpha) * _backdrop(kind, h, w, seed)
    return torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1)[None].float()


def backgrounds(args: argparse.Namespace) -> int:
    """IoU of computed masks against the cut-out shape (and against the mask computed from the garment's own
    studio photo, which takes the inner back fabric out as the pasted photo's mask does), per backdrop."""
    paths = sorted((args.samples / "vitonhd" / "test" / "cloth").glob("*.jpg"))
    if not paths:
        print(f"no garments under {args.samples}", file=sys.stderr)
        return 1
    size = parse_size_hw(args.size, name="--size") if args.size else (512, 384)
    cut = []
    for path in paths:
        garment = torch.nn.functional.interpolate(load_image(path), size=size, mode="area")
        ref = load_mask(path.parent.parent / "cloth-mask" / path.name, threshold=128 / 255)
        ref = (torch.nn.functional.interpolate(ref, size=size, mode="area") > 0.5).float()
        cut.append((path.stem, garment, ref, prepare_garment_mask(garment).mask[0, 0] > 0.5))
    print(
        f"{'backdrop':<14} {'shape IoU':>9} {'min':>6} {'studio IoU':>10} {'min':>6} {'ms':>6}  worst garment"
        f"   ({len(cut)} garments at {size[1]}x{size[0]})"
    )
    for kind in BACKGROUNDS:
        shape, studio, times = {}, {}, []
        for k, (stem, garment, ref, own) in enumerate(cut):
            photo = paste_on_backdrop(garment, ref, kind, seed=k)
            started = time.perf_counter()
            try:
                mask = prepare_garment_mask(photo).mask
            except ValueError as err:
                print(f"  {kind} / {stem}: {err}")
                shape[stem] = studio[stem] = 0.0
                continue
            times.append(time.perf_counter() - started)
            ours, theirs = mask[0, 0] > 0.5, ref[0, 0] > 0.5
            shape[stem] = ((ours & theirs).sum() / (ours | theirs).sum()).item()
            studio[stem] = ((ours & own).sum() / (ours | own).sum()).item()
            if args.draw is not None:
                lm = detect_garment_landmarks(photo, mask)
                draw(photo, mask, lm.points[0], args.draw / kind.replace(" ", "_") / f"{stem}.png")
        worst = min(studio, key=studio.get)
        print(
            f"{kind:<14} {np.mean(list(shape.values())):9.3f} {min(shape.values()):6.3f} "
            f"{np.mean(list(studio.values())):10.3f} {min(studio.values()):6.3f} {1e3 * np.mean(times):6.0f}  {worst}"
        )
    return 0


def best_of(fn, repeats: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best * 1e3, out


def draw(garment: torch.Tensor, mask: torch.Tensor, points: torch.Tensor, path: Path) -> None:
    import cv2

    img = (garment[0].permute(1, 2, 0).numpy() * 255).astype(np.uint8).copy()
    contours, _ = cv2.findContours(
        (mask[0, 0].numpy() > 0.5).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
    )
    cv2.drawContours(img, contours, -1, (0, 255, 0), 1)
    radius = max(2, img.shape[1] // 100)
    for name, (x, y, c) in zip(GARMENT_LANDMARKS, points.tolist(), strict=True):
        if c > 0:
            cv2.circle(img, (round(x), round(y)), radius, _COLOURS[name.split("_")[0]], -1)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=ROOT.parent / "shared" / "samples")
    parser.add_argument("--size", default=None, help="HxW to resize garments to, e.g. 256x192 (default: as stored)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--draw", type=Path, default=None, help="folder for PNGs with the landmarks drawn")
    parser.add_argument("--backgrounds", action="store_true", help="mask IoU with the garments on other backdrops")
    args = parser.parse_args()
    if args.backgrounds:
        return backgrounds(args)

    paths = sorted((args.samples / "vitonhd" / "test" / "cloth").glob("*.jpg"))
    paths += sorted((args.samples / "hrviton" / "test" / "cloth").glob("*.jpg"))
    if not paths:
        print(f"no garments under {args.samples}", file=sys.stderr)
        return 1
    size = parse_size_hw(args.size, name="--size") if args.size else None

    print(f"{'garment':<12} {'HxW':>9} {'IoU':>6} {'mask ms':>8} {'lmk ms':>7}  sleeves cut           low-conf points")
    ious, t_mask, t_lmk = [], [], []
    for path in paths:
        garment = load_image(path)
        ref = load_mask(path.parent.parent / "cloth-mask" / path.name, threshold=128 / 255)
        if size is not None:
            garment = torch.nn.functional.interpolate(garment, size=size, mode="area")
            ref = (torch.nn.functional.interpolate(ref, size=size, mode="area") > 0.5).float()
        ms_mask, mask = best_of(lambda g=garment: garment_mask_from_image(g), args.repeats)
        ms_lmk, lm = best_of(lambda g=garment, m=mask: detect_garment_landmarks(g, m), args.repeats)
        ours, theirs = mask[0, 0] > 0.5, ref[0, 0] > 0.5
        iou = ((ours & theirs).sum() / (ours | theirs).sum()).item()
        ious.append(iou)
        t_mask.append(ms_mask)
        t_lmk.append(ms_lmk)
        weak = [n for n, c in zip(GARMENT_LANDMARKS, lm.points[0, :, 2].tolist(), strict=True) if 0 < c < 0.5]
        hw = f"{garment.shape[-2]}x{garment.shape[-1]}"
        print(
            f"{path.stem:<12} {hw:>9} {iou:6.3f} {ms_mask:8.1f} {ms_lmk:7.1f}  {lm.sleeves[0]:<7} {lm.cuts[0]:<13} "
            f"{', '.join(weak)}"
        )
        if args.draw is not None:
            draw(garment, mask, lm.points[0], args.draw / f"{path.stem}.png")
    print(
        f"{'mean':<12} {'':>9} {np.mean(ious):6.3f} {np.mean(t_mask):8.1f} {np.mean(t_lmk):7.1f}  "
        f"(min IoU {np.min(ious):.3f}; torch threads {torch.get_num_threads()})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
