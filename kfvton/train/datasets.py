"""Try-on datasets on disk: VITON-HD, its HR-VITON variant and the 256x192 VITON (CP-VTON) layout.

Every sample is read at any working resolution and returned as raw library tensors (person image, garment, garment
mask, parse map, pose). The network inputs (agnostic image and parse, merged parse, pose skeleton, masked garment)
are NOT built here: the trainer builds them from a batch with the same function the ComfyUI nodes call
(`kfvton.preprocess.network_inputs.build_network_inputs`), so training and inference cannot drift.

Layouts (`detect_layout`), under `dataroot`:

    vitonhd   <split>/image/*.jpg  cloth/*.jpg  cloth-mask/*.jpg  image-parse/*.png  openpose-json/*_keypoints.json
              <split>_pairs.txt (beside <split>/, or inside it)
    hrviton   as vitonhd but image-parse-v3/ and openpose_json/ (plus agnostic-v3.2/, image-densepose/, unused)
    viton256  <split>/image/  cloth/  cloth-mask/  image-parse/  pose/*_keypoints.json   (CP-VTON's VITON release)

Parse maps carry LIP-20 labels (VITON-HD convention, 10 = neck) in all three. Pose files are OpenPose JSON with
BODY_25 or COCO-18 keypoints, read by `kfvton.keypoints.formats.pose_from_openpose_json` into BODY_25 joints.

A bad sample (missing or unreadable file, sizes that disagree, empty garment mask, no person in the pose file) is
reported by name in the log and in `dataset.bad_samples`; `on_bad_sample="skip"` leaves it out, "fail" raises.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image, UnidentifiedImageError
from torch import Tensor

from ..geometry.grid import resize_labels, resize_to
from ..keypoints.formats import pose_from_openpose_json
from ..keypoints.pose import BODY25_JOINTS, Pose, joint_index
from ..preprocess.io import PHOTO_EXTENSIONS, load_image, load_mask, load_parse, upright_size_hw
from ..preprocess.parse_labels import VITONHD_UPPER_CLOTHES

__all__ = [
    "DatasetLayout",
    "LAYOUTS",
    "detect_layout",
    "read_pair_list",
    "AugmentConfig",
    "TryOnSample",
    "TryOnDataset",
    "BadSampleError",
    "collate_samples",
    "flip_sample",
]

log = logging.getLogger("kfvton")


@dataclass(frozen=True)
class DatasetLayout:
    """Folder names of one dataset layout (relative to `<dataroot>/<split>`)."""

    kind: str
    image: str
    cloth: str
    cloth_mask: str
    parse: tuple[str, ...]  # first existing folder wins
    pose: tuple[str, ...]


LAYOUTS: dict[str, DatasetLayout] = {
    "vitonhd": DatasetLayout("vitonhd", "image", "cloth", "cloth-mask", ("image-parse", "image-parse-v3"),
                             ("openpose-json", "openpose_json")),
    "hrviton": DatasetLayout("hrviton", "image", "cloth", "cloth-mask", ("image-parse-v3", "image-parse"),
                             ("openpose_json", "openpose-json")),
    "viton256": DatasetLayout("viton256", "image", "cloth", "cloth-mask", ("image-parse",), ("pose",)),
}  # fmt: skip


class BadSampleError(ValueError):
    """A sample that cannot be trained on; the message names it and says why."""


def detect_layout(dataroot: str | os.PathLike, split: str) -> DatasetLayout:
    """Tell which layout `<dataroot>/<split>` uses from its folder names.

    Raises:
        FileNotFoundError: the split folder or its person/garment folders are missing, naming what was looked for.
    """
    root = Path(dataroot) / split
    if not root.is_dir():
        raise FileNotFoundError(f"dataroot: no split folder {root} (expected <dataroot>/{split}/image, cloth, ...)")
    names = {p.name for p in root.iterdir() if p.is_dir()}
    missing = [d for d in ("image", "cloth", "cloth-mask") if d not in names]
    if missing:
        raise FileNotFoundError(f"dataroot: {root} lacks the folders {missing}; found {sorted(names)}")
    if "image-parse-v3" in names or "openpose_json" in names:
        return LAYOUTS["hrviton"]
    if "pose" in names and "image-parse" in names:
        return LAYOUTS["viton256"]
    if "image-parse" in names and "openpose-json" in names:
        return LAYOUTS["vitonhd"]
    raise FileNotFoundError(
        f"dataroot: {root} has no parse/pose folders of a known layout "
        "(image-parse + openpose-json, image-parse-v3 + openpose_json, or image-parse + pose); "
        f"found {sorted(names)}"
    )


def read_pair_list(path: str | os.PathLike) -> list[tuple[str, str]]:
    """Read a pair list: one `person.jpg garment.jpg` per line; blank lines and `#` comments are ignored."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"pair list: file not found: {p}")
    pairs = []
    for n, line in enumerate(p.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValueError(f"pair list {p}, line {n}: expected 'person garment', got {line!r}")
        pairs.append((parts[0], parts[1]))
    return pairs


# ---------------------------------------------------------------------------------------------------- samples


@dataclass
class TryOnSample:
    """One training sample at the working resolution (no batch dim; `collate_samples` adds it).

    Attributes:
        name: person file name (e.g. "00006_00.jpg"); cloth_name: garment file name.
        image: (3, H, W) float32 [0, 1] person photo.
        cloth: (3, H, W) float32 [0, 1] garment photo; cloth_mask: (1, H, W) float32 {0, 1}.
        parse: (H, W) int64 LIP-20 labels of the person.
        joints: (25, 3) float32 BODY_25 (x_px, y_px, confidence) in the (H, W) pixel frame.
        paired: True when the person wears this very garment (supervised warp/generator losses apply).
    """

    name: str
    cloth_name: str
    image: Tensor
    cloth: Tensor
    cloth_mask: Tensor
    parse: Tensor
    joints: Tensor
    paired: bool


@dataclass(frozen=True)
class TryOnBatch:
    """A collated batch; fields as in `TryOnSample` with a leading batch dim B."""

    names: tuple[str, ...]
    cloth_names: tuple[str, ...]
    image: Tensor  # (B, 3, H, W)
    cloth: Tensor  # (B, 3, H, W)
    cloth_mask: Tensor  # (B, 1, H, W)
    parse: Tensor  # (B, H, W) int64
    pose: Pose  # joints (B, 25, 3)
    paired: Tensor  # (B,) bool

    @property
    def size_hw(self) -> tuple[int, int]:
        return int(self.image.shape[-2]), int(self.image.shape[-1])

    def to(self, device: torch.device | str) -> TryOnBatch:
        return TryOnBatch(
            self.names,
            self.cloth_names,
            self.image.to(device),
            self.cloth.to(device),
            self.cloth_mask.to(device),
            self.parse.to(device),
            self.pose.to(device),
            self.paired.to(device),
        )


def collate_samples(samples: Sequence[TryOnSample]) -> TryOnBatch:
    """Stack samples into a `TryOnBatch` (a `DataLoader` collate_fn)."""
    if not samples:
        raise ValueError("collate_samples: got an empty list")
    hw = samples[0].image.shape[-2:]
    for s in samples:
        if s.image.shape[-2:] != hw:
            raise ValueError(f"collate_samples: {s.name} is {tuple(s.image.shape[-2:])}, batch is {tuple(hw)}")
    return TryOnBatch(
        names=tuple(s.name for s in samples),
        cloth_names=tuple(s.cloth_name for s in samples),
        image=torch.stack([s.image for s in samples]),
        cloth=torch.stack([s.cloth for s in samples]),
        cloth_mask=torch.stack([s.cloth_mask for s in samples]),
        parse=torch.stack([s.parse for s in samples]),
        pose=Pose(torch.stack([s.joints for s in samples]), (int(hw[0]), int(hw[1]))),
        paired=torch.tensor([s.paired for s in samples]),
    )


# ---------------------------------------------------------------------------------------------------- augmentation

#: LIP-20 labels that swap under a horizontal flip (wearer's left <-> right).
_PARSE_FLIP = {14: 15, 15: 14, 16: 17, 17: 16, 18: 19, 19: 18}
#: BODY_25 joint index permutation under a horizontal flip.
_POSE_FLIP = list(range(len(BODY25_JOINTS)))
for _a, _b in ((2, 5), (3, 6), (4, 7), (9, 12), (10, 13), (11, 14), (15, 16), (17, 18), (19, 22), (20, 23), (21, 24)):
    _POSE_FLIP[_a], _POSE_FLIP[_b] = _b, _a


@dataclass(frozen=True)
class AugmentConfig:
    """Augmentations that keep person and garment consistent.

    Attributes:
        flip: probability of a horizontal flip of person AND garment, swapping left/right parse labels and joints.
        scale: max relative zoom of the person side (image, parse, pose together), e.g. 0.05 for +-5 %.
        shift: max shift of the person side as a fraction of width/height.
    """

    flip: float = 0.0
    scale: float = 0.0
    shift: float = 0.0

    @property
    def active(self) -> bool:
        return self.flip > 0 or self.scale > 0 or self.shift > 0


def flip_sample(s: TryOnSample) -> TryOnSample:
    """Mirror person and garment horizontally; wearer's left/right parse labels and BODY_25 joints swap."""
    w = s.image.shape[-1]
    parse = s.parse.flip(-1)
    swapped = parse.clone()
    for a, b in _PARSE_FLIP.items():
        swapped[parse == a] = b
    joints = s.joints[_POSE_FLIP].clone()
    joints[:, 0] = torch.where(joints[:, 2] > 0, (w - 1) - joints[:, 0], torch.zeros_like(joints[:, 0]))
    return TryOnSample(
        s.name, s.cloth_name, s.image.flip(-1), s.cloth.flip(-1), s.cloth_mask.flip(-1), swapped, joints, s.paired
    )


def _affine_person(s: TryOnSample, zoom: float, dx_px: float, dy_px: float) -> TryOnSample:
    """Zoom the person side by `zoom` about the centre and shift by (dx_px, dy_px), as one similarity transform."""
    h, w = s.image.shape[-2:]
    # output pixel p_out = c + zoom * (p_in - c) + d; grid_sample wants input coords of each output pixel
    theta = torch.tensor(
        [[1 / zoom, 0.0, -2 * dx_px / (w * zoom)], [0.0, 1 / zoom, -2 * dy_px / (h * zoom)]], dtype=torch.float32
    )[None]
    grid = F.affine_grid(theta, [1, 1, h, w], align_corners=False)
    image = F.grid_sample(s.image[None], grid, mode="bilinear", padding_mode="border", align_corners=False)[0]
    parse = F.grid_sample(s.parse[None, None].float(), grid, mode="nearest", padding_mode="zeros", align_corners=False)
    joints = s.joints.clone()
    cx, cy = (w - 1) / 2, (h - 1) / 2
    present = joints[:, 2] > 0
    joints[:, 0] = torch.where(present, cx + zoom * (joints[:, 0] - cx) + dx_px, joints[:, 0])
    joints[:, 1] = torch.where(present, cy + zoom * (joints[:, 1] - cy) + dy_px, joints[:, 1])
    return TryOnSample(s.name, s.cloth_name, image, s.cloth, s.cloth_mask, parse[0, 0].long(), joints, s.paired)


def augment_sample(s: TryOnSample, cfg: AugmentConfig, gen: torch.Generator) -> TryOnSample:
    """Apply `cfg` with random draws from `gen` (same generator state -> same result)."""
    draws = torch.rand(4, generator=gen)
    if cfg.flip > 0 and draws[0] < cfg.flip:
        s = flip_sample(s)
    if cfg.scale > 0 or cfg.shift > 0:
        h, w = s.image.shape[-2:]
        zoom = 1.0 + cfg.scale * (2 * float(draws[1]) - 1)
        dx = cfg.shift * w * (2 * float(draws[2]) - 1)
        dy = cfg.shift * h * (2 * float(draws[3]) - 1)
        s = _affine_person(s, zoom, dx, dy)
    return s


# ---------------------------------------------------------------------------------------------------- dataset


def _find(folder: Path, stem: str, exts: Sequence[str] = PHOTO_EXTENSIONS) -> Path | None:
    for ext in exts:
        p = folder / f"{stem}{ext}"
        if p.is_file():
            return p
    return None


def _image_size(path: Path, what: str) -> tuple[int, int]:
    """(H, W) from the header only."""
    try:
        with Image.open(path) as img:
            h, w = upright_size_hw(img)
    except (UnidentifiedImageError, OSError) as err:
        raise BadSampleError(f"{what} {path.name}: cannot read as an image ({err})") from None
    return h, w


@dataclass
class _Entry:
    name: str
    cloth_name: str
    image: Path
    cloth: Path
    cloth_mask: Path
    parse: Path
    pose: Path
    paired: bool
    source_hw: tuple[int, int] = (0, 0)


@dataclass
class TryOnDataset(torch.utils.data.Dataset):
    """Person/garment pairs from a dataset folder, at a working resolution.

    Args:
        dataroot: folder holding `<split>/` (and usually `<split>_pairs.txt`).
        split: "train" or "test" (any sub-folder name).
        size_hw: working (H, W), e.g. (256, 192), (512, 384), (1024, 768); the source aspect ratio must match
            within 2 % (a different one is a bad sample, never a silent stretch).
        pairs: "paired" (each person with the garment they wear, same file name) or "unpaired" (the pair list).
        pair_list: explicit pair-list path; default `<dataroot>/<split>_pairs.txt` or `<dataroot>/<split>/...`,
            else every person whose garment of the same name exists (paired only).
        layout: "auto", "vitonhd", "hrviton" or "viton256".
        augment: `AugmentConfig`; applied only when `train` is True.
        on_bad_sample: "skip" (log by name, leave out) or "fail" (raise `BadSampleError`).
        seed: base seed of the augmentation draws; each draw depends only on (seed, epoch, index).
        limit: keep only the first `limit` pairs (smoke runs, overfit tests).
        cache: keep decoded, resized samples in memory (small sets: smoke runs, overfitting); per worker process.
    """

    dataroot: str | os.PathLike
    split: str = "train"
    size_hw: tuple[int, int] = (256, 192)
    pairs: str = "paired"
    pair_list: str | os.PathLike | None = None
    layout: str = "auto"
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    train: bool = True
    on_bad_sample: str = "skip"
    seed: int = 0
    limit: int | None = None
    cache: bool = False
    bad_samples: dict[str, str] = field(default_factory=dict, init=False)
    epoch: int = field(default=0, init=False)
    _cache: dict[int, TryOnSample] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._check_options()
        self.lay = LAYOUTS[self.layout] if self.layout != "auto" else detect_layout(self.dataroot, self.split)
        self.entries = self._index()
        if not self.entries:
            raise ValueError(
                f"dataset {self.dataroot}/{self.split}: no usable sample "
                f"({len(self.bad_samples)} bad: {dict(list(self.bad_samples.items())[:3])})"
            )

    def _check_options(self) -> None:
        """Validate the options every layout shares (pairs, on_bad_sample, size_hw); `size_hw` becomes two ints."""
        if self.pairs not in ("paired", "unpaired"):
            raise ValueError(f"pairs: expected 'paired' or 'unpaired', got {self.pairs!r}")
        if self.on_bad_sample not in ("skip", "fail"):
            raise ValueError(f"on_bad_sample: expected 'skip' or 'fail', got {self.on_bad_sample!r}")
        h, w = self.size_hw
        if h < 16 or w < 16:
            raise ValueError(f"size_hw: expected at least 16x16, got {self.size_hw}")
        self.size_hw = (int(h), int(w))

    # ---------------------------------------------------------------- indexing
    def _folder(self, names: tuple[str, ...], what: str) -> Path:
        base = Path(self.dataroot) / self.split
        for n in names:
            if (base / n).is_dir():
                return base / n
        raise FileNotFoundError(f"dataset: no {what} folder in {base} (looked for {', '.join(names)})")

    def _default_pair_list(self) -> Path | None:
        root = Path(self.dataroot)
        for p in (root / f"{self.split}_pairs.txt", root / self.split / f"{self.split}_pairs.txt"):
            if p.is_file():
                return p
        return None

    def _pairs(self) -> list[tuple[str, str]]:
        path = Path(self.pair_list) if self.pair_list else self._default_pair_list()
        if path is not None:
            listed = read_pair_list(path)
            return [(p, p if self.pairs == "paired" else c) for p, c in listed]
        if self.pairs == "unpaired":
            raise FileNotFoundError(
                f"dataset: unpaired mode needs a pair list; none at {Path(self.dataroot) / f'{self.split}_pairs.txt'}"
            )
        images = self._folder((self.lay.image,), "person image")
        return [(p.name, p.name) for p in sorted(images.iterdir()) if p.suffix.lower() in PHOTO_EXTENSIONS]

    def _index(self) -> list[_Entry]:
        image_dir = self._folder((self.lay.image,), "person image")
        cloth_dir = self._folder((self.lay.cloth,), "garment")
        mask_dir = self._folder((self.lay.cloth_mask,), "garment mask")
        parse_dir = self._folder(self.lay.parse, "parse")
        pose_dir = self._folder(self.lay.pose, "pose")
        entries = []
        pairs = self._pairs()
        if self.limit is not None:
            pairs = pairs[: self.limit]
        seen: set[tuple[str, str]] = set()
        for person, cloth in pairs:
            if (person, cloth) in seen:
                continue
            seen.add((person, cloth))
            try:
                entries.append(self._entry(person, cloth, image_dir, cloth_dir, mask_dir, parse_dir, pose_dir))
            except (BadSampleError, FileNotFoundError) as err:
                self._bad(f"{person} + {cloth}", str(err))
        return entries

    def _entry(self, person, cloth, image_dir, cloth_dir, mask_dir, parse_dir, pose_dir) -> _Entry:
        pstem, cstem = Path(person).stem, Path(cloth).stem
        files = {
            "person image": image_dir / person,
            "garment": cloth_dir / cloth,
            "garment mask": _find(mask_dir, cstem),
            "parse": _find(parse_dir, pstem, (".png",)),
            "pose": pose_dir / f"{pstem}_keypoints.json",
        }
        for what, path in files.items():
            if path is None or not path.is_file():
                raise BadSampleError(f"missing {what} file {path or f'{mask_dir}/{cstem}.*'}")
        sizes = {what: _image_size(files[what], what) for what in ("person image", "garment", "garment mask", "parse")}
        hw = sizes["person image"]
        if sizes["parse"] != hw:
            raise BadSampleError(f"parse is {sizes['parse']} but the person image is {hw}")
        if sizes["garment mask"] != sizes["garment"]:
            raise BadSampleError(f"garment mask is {sizes['garment mask']} but the garment is {sizes['garment']}")
        want = self.size_hw[0] / self.size_hw[1]
        for what in ("person image", "garment"):
            got = sizes[what][0] / sizes[what][1]
            if abs(got / want - 1) > 0.02:
                raise BadSampleError(
                    f"{what} is {sizes[what][0]}x{sizes[what][1]} (H x W), whose aspect ratio does not match the "
                    f"working size {self.size_hw[0]}x{self.size_hw[1]}"
                )
        return _Entry(person, cloth, *files.values(), paired=pstem == cstem, source_hw=hw)

    def _bad(self, name: str, reason: str) -> None:
        self.bad_samples[name] = reason
        if self.on_bad_sample == "fail":
            raise BadSampleError(f"bad sample {name}: {reason}")
        log.warning("kfvton dataset: skipping bad sample %s: %s", name, reason)

    # ---------------------------------------------------------------- loading
    def __len__(self) -> int:
        return len(self.entries)

    def set_epoch(self, epoch: int) -> None:
        """Change the augmentation draws per epoch (call before iterating, as with DistributedSampler)."""
        self.epoch = int(epoch)

    def load(self, index: int) -> TryOnSample:
        """Read sample `index` at the working resolution, without augmentation; raises `BadSampleError`."""
        e = self.entries[index]
        h, w = self.size_hw
        image = _load_rgb(e.image, (h, w))
        cloth = _load_rgb(e.cloth, (h, w))
        mask = _load_grey(e.cloth_mask, (h, w))
        if mask.sum() < 0.001 * h * w:
            raise BadSampleError(f"garment mask {e.cloth_mask.name} is empty")
        parse = _load_labels(e.parse, (h, w))
        pose = pose_from_openpose_json(e.pose, e.source_hw, name="pose").rescaled((h, w))
        joints = pose.joints[0]
        hangers = [joint_index(n) for n in ("neck", "right_shoulder", "left_shoulder")]
        if (joints[hangers, 2] <= 0).any():  # neck and both shoulders: where every garment hangs from
            raise BadSampleError(f"pose {e.pose.name}: no person (neck or a shoulder missing)")
        if e.paired and not torch.isin(parse, torch.tensor(VITONHD_UPPER_CLOTHES)).any():
            labels = ", ".join(map(str, VITONHD_UPPER_CLOTHES))
            raise BadSampleError(f"parse {e.parse.name}: no upper-body garment region (labels {labels})")
        return TryOnSample(e.name, e.cloth_name, image, cloth, mask, parse, joints, e.paired)

    def __getitem__(self, index: int) -> TryOnSample:
        return self.get(index)

    def get(self, index: int, *, epoch: int | None = None) -> TryOnSample:
        """Sample `index` with the augmentation draws of `epoch` (default `self.epoch`); a bad sample is reported
        and, with `on_bad_sample="skip"`, replaced by the next good one."""
        epoch = self.epoch if epoch is None else int(epoch)
        n = len(self.entries)
        for attempt in range(n):
            i = (index + attempt) % n
            name = f"{self.entries[i].name} + {self.entries[i].cloth_name}"
            if name in self.bad_samples:
                continue
            try:
                sample = self._cache.get(i) or self.load(i)
                if self.cache:
                    self._cache[i] = sample
            except (BadSampleError, FileNotFoundError, ValueError) as err:
                self._bad(name, str(err))
                continue
            if self.train and self.augment.active:
                gen = torch.Generator().manual_seed(_mix(self.seed, epoch, i))
                sample = augment_sample(sample, self.augment, gen)
            return sample
        raise BadSampleError(f"dataset {self.dataroot}/{self.split}: every sample is bad: {self.bad_samples}")


def _mix(*values: int) -> int:
    h = 1469598103934665603
    for v in values:
        h = ((h ^ (v & 0xFFFFFFFF)) * 1099511628211) % (1 << 63)
    return h


def _read(load: Callable[..., Tensor], path: Path, what: str, **options) -> Tensor:
    """`kfvton.preprocess.io` reader, its errors as `BadSampleError` (a sample to skip, not a crash)."""
    try:
        return load(path, what, **options)
    except (FileNotFoundError, ValueError) as err:
        raise BadSampleError(str(err)) from None


def _load_rgb(path: Path, size_hw: tuple[int, int]) -> Tensor:
    return resize_to(_read(load_image, path, "image"), size_hw).clamp(0, 1)[0].contiguous()


def _load_grey(path: Path, size_hw: tuple[int, int]) -> Tensor:
    mask = resize_to(_read(load_mask, path, "mask", threshold=None), size_hw).clamp(0, 1)[0]
    return (mask > 0.5).float()  # JPEG masks are noisy: binarise after the resize


def _load_labels(path: Path, size_hw: tuple[int, int]) -> Tensor:
    labels = _read(load_parse, path, "parse")
    if int(labels.max()) > 19:
        raise BadSampleError(f"parse {path.name}: label {int(labels.max())} outside LIP-20 (0..19)")
    return resize_labels(labels, size_hw)[0]
