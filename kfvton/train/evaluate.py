"""Try-on evaluation: SSIM and LPIPS on paired results, FID and KID on unpaired results; a JSON + Markdown report.

Protocol (what makes our numbers comparable with published VITON / VITON-HD tables):

* Paired: the person wears the garment of the ground-truth photo (the dataset's `<person> <person>` pairs). Each
  result `<person stem>.*` is compared with `image/<person stem>.jpg` of the test split. Both are resized to the
  evaluation size (`size_hw`, default the results' own size) with antialiased bilinear resampling, as float RGB in
  [0, 1]. SSIM: Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03, data range 1, per channel, mean over the image
  (Wang et al. 2004, the convention of skimage `structural_similarity(gaussian_weights=True)` and torchmetrics).
  LPIPS: AlexNet variant (`lpips.LPIPS(net="alex")`) on [-1, 1] inputs, as in VITON-HD / HR-VITON tables.
* Unpaired: results of the dataset's unpaired `test_pairs.txt` against all test-split person photos; FID and KID
  (subset size 1000 or the set size) with the Inception-v3 features of torch-fidelity (torchmetrics uses the same
  extractor). Published tables use 256x192 (VITON) or 1024x768 / 512x384 (VITON-HD) at 2032 test pairs.

Which implementation computed each metric is written into the report. SSIM always works (our implementation,
checked against the formula in the tests; torchmetrics when installed). LPIPS needs the `lpips` package, FID/KID
`torch-fidelity` or `torchmetrics[image]`, and their network weights already in the local cache: nothing is
downloaded by this module. A metric whose library is missing is reported as "not installed", never as a number.
"""

from __future__ import annotations

import datetime as _dt
import importlib.util
import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor

from .._atomic import write_text_atomic
from .._checks import check_shape
from ..geometry.grid import resize_to
from ..preprocess.io import PHOTO_EXTENSIONS, load_image

__all__ = [
    "ssim",
    "psnr",
    "upper_body_box",
    "AppearanceScores",
    "appearance_scores",
    "APPEARANCE_SIZE_HW",
    "MetricResult",
    "EvaluationReport",
    "evaluate_folders",
    "generate_results",
    "match_pairs",
    "write_report",
]

log = logging.getLogger("kfvton")


def _gaussian_window(size: int, sigma: float, dtype: torch.dtype, device: torch.device) -> Tensor:
    x = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    g = torch.exp(-(x**2) / (2 * sigma**2))
    g = g / g.sum()
    return (g[:, None] * g[None, :])[None, None]


def ssim(
    pred: Tensor,
    target: Tensor,
    *,
    window: int = 11,
    sigma: float = 1.5,
    data_range: float = 1.0,
    k1: float = 0.01,
    k2: float = 0.03,
) -> Tensor:
    """Structural similarity per image (Wang et al. 2004, Gaussian window, 'valid' borders).

    Args:
        pred, target: (B, C, H, W) float in [0, `data_range`], H and W >= `window`.

    Returns:
        (B,) mean SSIM over channels and positions.
    """
    check_shape(pred, "pred", ("B", "C", "H", "W"))
    if pred.shape != target.shape:
        raise ValueError(f"target: expected the shape of pred {tuple(pred.shape)}, got {tuple(target.shape)}")
    if min(pred.shape[-2:]) < window:
        raise ValueError(f"pred: images must be at least {window} pixels on each side, got {tuple(pred.shape[-2:])}")
    work = torch.float64
    x, y = pred.to(work), target.to(work)
    c = x.shape[1]
    w = _gaussian_window(window, sigma, work, x.device).expand(c, 1, window, window)

    def filt(t: Tensor) -> Tensor:
        return F.conv2d(t, w, groups=c)

    mu_x, mu_y = filt(x), filt(y)
    sxx = filt(x * x) - mu_x**2
    syy = filt(y * y) - mu_y**2
    sxy = filt(x * y) - mu_x * mu_y
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    s = ((2 * mu_x * mu_y + c1) * (2 * sxy + c2)) / ((mu_x**2 + mu_y**2 + c1) * (sxx + syy + c2))
    return s.flatten(1).mean(1).to(pred.dtype)


def psnr(pred: Tensor, target: Tensor, *, data_range: float = 1.0) -> Tensor:
    """Peak signal-to-noise ratio per image, dB.

    Args:
        pred, target: (B, C, H, W) float in [0, `data_range`], same shape.

    Returns:
        (B,) 10 log10(data_range^2 / MSE) over all channels and pixels (inf for identical images).
    """
    check_shape(pred, "pred", ("B", "C", "H", "W"))
    if pred.shape != target.shape:
        raise ValueError(f"target: expected the shape of pred {tuple(pred.shape)}, got {tuple(target.shape)}")
    mse = (pred.double() - target.double()).pow(2).flatten(1).mean(1)
    return (10 * torch.log10(data_range**2 / mse)).to(pred.dtype)


#: Labels of the upper-body box (our layout): upper clothes, dress, coat, left and right arm.
_BOX_LABELS = (5, 6, 7, 14, 15)
#: Size (H, W) at which paired appearance is scored, as published VITON-HD tables.
APPEARANCE_SIZE_HW = (512, 384)


def upper_body_box(parse: Tensor) -> Tensor:
    """Bounding box of the upper clothes and arms (labels 5, 6, 7, 14, 15 of our layout).

    Args:
        parse: (B, H, W) int64 labels (LIP-20 / VITON-HD layout).

    Returns:
        (B, 4) int64 (x0, y0, x1, y1) pixels, end-exclusive; the whole image where no such label is present.
    """
    check_shape(parse, "parse", ("B", "H", "W"))
    inside = torch.isin(parse, torch.tensor(_BOX_LABELS, device=parse.device))
    h, w = parse.shape[-2:]
    boxes = []
    for m in inside:
        rows, cols = m.any(1).nonzero().flatten(), m.any(0).nonzero().flatten()
        if len(rows) == 0:
            boxes.append([0, 0, w, h])
        else:
            boxes.append([int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1])
    return torch.tensor(boxes, dtype=torch.int64)


@dataclass(frozen=True)
class AppearanceScores:
    """Paired appearance scores (the person wears the given garment: the photo is the ideal result).

    Attributes:
        box_ssim: (B,) SSIM (`ssim`) inside the upper-body box, at `APPEARANCE_SIZE_HW`.
        psnr: (B,) PSNR of the whole image, dB, at `APPEARANCE_SIZE_HW`.
        box: (B, 4) the box (x0, y0, x1, y1) at `APPEARANCE_SIZE_HW`.
    """

    box_ssim: Tensor
    psnr: Tensor
    box: Tensor


def appearance_scores(
    result: Tensor, photo: Tensor, parse: Tensor, *, size_hw: tuple[int, int] = APPEARANCE_SIZE_HW
) -> AppearanceScores:
    """Score paired try-on results against the person photos: SSIM inside the upper-body box and whole-image PSNR.

    Both images are resized to `size_hw` (antialiased bilinear, as `evaluate_folders`); the box is the bounding box
    of the photo's upper clothes and arm labels (`upper_body_box`), scaled to `size_hw`.

    Args:
        result: (B, 3, H, W) float [0, 1] try-on results.
        photo: (B, 3, H, W) float [0, 1] the person photos (wearing the garment given).
        parse: (B, H_p, W_p) int64 labels of the photos (our layout), any size.
    """
    check_shape(result, "result", ("B", 3, "H", "W"))
    check_shape(photo, "photo", (result.shape[0], 3, *result.shape[-2:]))
    check_shape(parse, "parse", (result.shape[0], "H", "W"))

    def resize(x: Tensor) -> Tensor:
        return resize_to(x.float(), size_hw).clamp(0, 1)

    a, b = resize(result), resize(photo)
    ph, pw = parse.shape[-2:]
    box = upper_body_box(parse).double()
    box[:, 0::2] *= size_hw[1] / pw
    box[:, 1::2] *= size_hw[0] / ph
    box = torch.stack([box[:, 0].floor(), box[:, 1].floor(), box[:, 2].ceil(), box[:, 3].ceil()], 1).long()
    values = []
    for i, (x0, y0, x1, y1) in enumerate(box.tolist()):
        x1, y1 = max(x1, x0 + 11), max(y1, y0 + 11)  # at least one SSIM window
        values.append(ssim(a[i : i + 1, :, y0:y1, x0:x1], b[i : i + 1, :, y0:y1, x0:x1]))
    return AppearanceScores(box_ssim=torch.cat(values), psnr=psnr(a, b), box=box)


@dataclass
class MetricResult:
    """One metric: its value (None when not computed), the implementation used, and a note."""

    name: str
    value: float | None
    implementation: str
    count: int = 0
    note: str = ""


@dataclass
class EvaluationReport:
    size_hw: tuple[int, int] | None
    metrics: list[MetricResult] = field(default_factory=list)
    paired_dirs: tuple[str, str] | None = None
    unpaired_dirs: tuple[str, str] | None = None
    missing: list[str] = field(default_factory=list)
    created: str = field(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))

    def metric(self, name: str) -> MetricResult:
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(name)


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _images(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        raise FileNotFoundError(f"evaluate: folder not found: {folder}")
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix.lower() in PHOTO_EXTENSIONS}


def match_pairs(
    results: str | os.PathLike, ground_truth: str | os.PathLike
) -> tuple[list[tuple[Path, Path]], list[str]]:
    """Pair result files with ground-truth files by stem; returns (pairs, result stems without ground truth)."""
    res, gt = _images(Path(results)), _images(Path(ground_truth))
    if not res:
        raise ValueError(f"evaluate: no images in {results}")
    pairs = [(res[k], gt[k]) for k in res if k in gt]
    return pairs, sorted(set(res) - set(gt))


def _load(path: Path, size_hw: tuple[int, int] | None) -> Tensor:
    img = load_image(path)
    if size_hw is not None and tuple(img.shape[-2:]) != tuple(size_hw):
        img = resize_to(img, size_hw).clamp(0, 1)
    return img


def _batches(paths: Sequence[Path], size_hw: tuple[int, int] | None, batch: int) -> Iterator[Tensor]:
    for i in range(0, len(paths), batch):
        yield torch.cat([_load(p, size_hw) for p in paths[i : i + batch]])


def _paired_metrics(pairs: list[tuple[Path, Path]], size_hw, device, batch: int) -> list[MetricResult]:
    first = _load(pairs[0][0], None)
    size = tuple(size_hw) if size_hw else tuple(first.shape[-2:])
    res_paths, gt_paths = [p for p, _ in pairs], [g for _, g in pairs]
    out = []
    if _installed("torchmetrics"):
        from torchmetrics.functional.image import structural_similarity_index_measure as tm_ssim

        def ssim_fn(a: Tensor, b: Tensor) -> Tensor:
            return tm_ssim(a, b, data_range=1.0, reduction="none")

        impl = "torchmetrics.functional.structural_similarity_index_measure"
    else:
        ssim_fn, impl = ssim, "kfvton.train.evaluate.ssim (own; torchmetrics not installed)"
    values = []
    for a, b in zip(_batches(res_paths, size, batch), _batches(gt_paths, size, batch), strict=True):
        values.append(ssim_fn(a.to(device), b.to(device)).cpu())
    out.append(MetricResult("SSIM", float(torch.cat(values).mean()), impl, len(pairs), "higher is better"))

    if _installed("lpips"):
        import lpips  # optional dependency; its AlexNet weights must already be cached (no download here)

        net = lpips.LPIPS(net="alex", verbose=False).to(device).eval()
        vals = []
        with torch.no_grad():
            for a, b in zip(_batches(res_paths, size, batch), _batches(gt_paths, size, batch), strict=True):
                vals.append(net(a.to(device) * 2 - 1, b.to(device) * 2 - 1).flatten().cpu())
        out.append(MetricResult("LPIPS", float(torch.cat(vals).mean()), "lpips (alex)", len(pairs), "lower is better"))
    else:
        out.append(MetricResult("LPIPS", None, "not installed", 0, "pip install lpips (weights must be cached)"))
    return out


def _unpaired_metrics(results: list[Path], real: list[Path], size_hw, device, batch: int) -> list[MetricResult]:
    size = tuple(size_hw) if size_hw else tuple(_load(results[0], None).shape[-2:])
    if _installed("torchmetrics") and _installed("torch_fidelity"):
        from torchmetrics.image.fid import FrechetInceptionDistance
        from torchmetrics.image.kid import KernelInceptionDistance

        subset = min(1000, len(results), len(real))
        fid = FrechetInceptionDistance(feature=2048, normalize=True).to(device)
        kid = KernelInceptionDistance(subset_size=subset, normalize=True).to(device)
        for paths, is_real in ((real, True), (results, False)):
            for imgs in _batches(paths, size, batch):
                fid.update(imgs.to(device), real=is_real)
                kid.update(imgs.to(device), real=is_real)
        kid_mean, kid_std = kid.compute()
        impl = "torchmetrics (torch-fidelity InceptionV3 features)"
        return [
            MetricResult("FID", float(fid.compute()), impl, len(results), "lower is better"),
            MetricResult("KID", float(kid_mean), impl, len(results), f"lower is better; std {float(kid_std):.5f}"),
        ]
    missing = [m for m in ("torchmetrics", "torch_fidelity") if not _installed(m)]
    note = f"needs {' and '.join(missing)} (pip install torchmetrics[image] torch-fidelity; Inception weights cached)"
    return [MetricResult("FID", None, "not installed", 0, note), MetricResult("KID", None, "not installed", 0, note)]


def evaluate_folders(
    *,
    paired_results: str | os.PathLike | None = None,
    paired_gt: str | os.PathLike | None = None,
    unpaired_results: str | os.PathLike | None = None,
    real: str | os.PathLike | None = None,
    size_hw: tuple[int, int] | None = None,
    device: torch.device | str = "cpu",
    batch: int = 16,
) -> EvaluationReport:
    """Compute the metrics for whichever folders are given (see the module docstring for the protocol).

    Args:
        paired_results, paired_gt: try-on results of the paired test and the ground-truth person photos (by stem).
        unpaired_results, real: results of the unpaired test and the real person photos (FID/KID reference).
        size_hw: evaluation (H, W); default the first result's size.
    """
    if paired_results is None and unpaired_results is None:
        raise ValueError("evaluate: give paired results (with ground truth) and/or unpaired results (with real)")
    report = EvaluationReport(size_hw=tuple(size_hw) if size_hw else None)
    device = torch.device(device)
    if paired_results is not None:
        if paired_gt is None:
            raise ValueError("evaluate: paired results need --paired-gt (the test split's image/ folder)")
        pairs, missing = match_pairs(paired_results, paired_gt)
        if not pairs:
            raise ValueError(
                f"evaluate: no result in {paired_results} has a ground truth of the same name in {paired_gt}"
            )
        if missing:
            log.warning("evaluate: %d results have no ground truth (e.g. %s); left out", len(missing), missing[0])
        report.missing = missing
        report.paired_dirs = (str(paired_results), str(paired_gt))
        report.metrics += _paired_metrics(pairs, size_hw, device, batch)
    if unpaired_results is not None:
        if real is None:
            raise ValueError("evaluate: unpaired results need --real (the test split's image/ folder)")
        res, ref = list(_images(Path(unpaired_results)).values()), list(_images(Path(real)).values())
        if not res or not ref:
            raise ValueError(f"evaluate: empty folder: {unpaired_results if not res else real}")
        report.unpaired_dirs = (str(unpaired_results), str(real))
        report.metrics += _unpaired_metrics(res, ref, size_hw, device, batch)
    return report


def generate_results(
    seg_path: str | os.PathLike,
    warp_path: str | os.PathLike,
    dataroot: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    split: str = "test",
    pairs: str = "paired",
    pair_list: str | os.PathLike | None = None,
    size_hw: tuple[int, int] | None = None,
    device: torch.device | str = "cpu",
    batch: int = 4,
    limit: int | None = None,
) -> int:
    """Try a trained model on a dataset split with `pipelines.learned` and save one PNG per person.

    Args:
        seg_path, warp_path: the model's two checkpoint files (`checkpoints.io.load_bundle`).
        dataroot, split, pairs, pair_list: as `TryOnDataset` ("paired": persons with their own garments, for SSIM
            and LPIPS; "unpaired": the pair list, for FID and KID). Bad samples are skipped and logged by name.
        out_dir: results are written as `<person stem>.png` at the working size.
        size_hw: working size; default the checkpoint's resolution.

    Returns:
        The number of results written.
    """
    from ..checkpoints.io import load_bundle
    from ..pipelines.learned import kfvton_tryon_photos
    from ..preprocess.io import save_image
    from .datasets import TryOnDataset, collate_samples

    bundle = load_bundle(seg_path, warp_path, device=device)
    size = tuple(size_hw or bundle.resolution_hw)
    ds = TryOnDataset(dataroot, split, size_hw=size, pairs=pairs, pair_list=pair_list, train=False, limit=limit)
    out = Path(out_dir)
    written: set[str] = set()
    for start in range(0, len(ds), batch):
        b = collate_samples([ds[i] for i in range(start, min(start + batch, len(ds)))])
        with torch.no_grad():
            result = kfvton_tryon_photos(bundle, b.image, b.cloth, b.cloth_mask, b.pose, b.parse, size_hw=size)
        for k, name in enumerate(b.names):
            stem = Path(name).stem
            if stem not in written:  # a skipped bad sample is replaced by a good one already written
                save_image(result.image[k].cpu(), out / f"{stem}.png")
                written.add(stem)
    log.info("evaluate: %d %s results in %s (%d bad samples skipped)", len(written), pairs, out, len(ds.bad_samples))
    return len(written)


def write_report(report: EvaluationReport, out_dir: str | os.PathLike) -> tuple[Path, Path]:
    """Write `report.json` and `report.md` into `out_dir`; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    js = out / "report.json"
    write_text_atomic(js, json.dumps(asdict(report), indent=2))
    lines = [
        "# KF-VTON evaluation",
        "",
        f"Created {report.created}. Evaluation size: "
        + (f"{report.size_hw[0]}x{report.size_hw[1]}" if report.size_hw else "the results' own size")
        + ". Protocol: kfvton/train/evaluate.py module docstring, docs/training.md.",
        "",
    ]
    if report.paired_dirs:
        lines.append(f"Paired: results `{report.paired_dirs[0]}` vs ground truth `{report.paired_dirs[1]}`.")
    if report.unpaired_dirs:
        lines.append(f"Unpaired: results `{report.unpaired_dirs[0]}` vs real `{report.unpaired_dirs[1]}`.")
    if report.missing:
        lines.append(f"{len(report.missing)} results without ground truth were left out.")
    lines += ["", "| metric | value | images | implementation | note |", "|---|---|---|---|---|"]
    for m in report.metrics:
        value = "—" if m.value is None else f"{m.value:.4f}"
        lines.append(f"| {m.name} | {value} | {m.count} | {m.implementation} | {m.note} |")
    md = out / "report.md"
    write_text_atomic(md, "\n".join(lines) + "\n")
    return js, md
