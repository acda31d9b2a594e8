"""The KF-VTON trainer: stages, optimisers, mixed precision, gradient accumulation, DDP, exact resume, logs.

Stages (`train.stage`):
    seg    the segmentation generator: (garment on grey, agnostic image + agnostic parse + pose) -> 7-class parse,
           cross-entropy against the person's parse.
    warp   the warp network (keypoint detector, dense motion, SPADE generator) on the ground-truth parse: warp L1 +
           perceptual + style at several scales between the warped garment and the person's garment region, an
           L1 between the warped mask and that region, keypoint equivariance under random TPS, and for the try-on
           L1 + perceptual + style + hinge GAN (multi-scale discriminator) + feature matching. TPS groups are
           dropped from the dense-motion blend on the TPS-dropout schedule.
    joint  both of the above in one loop (each network on ground-truth inputs).

Every network input is built by `kfvton.preprocess.network_inputs.build_network_inputs`, the function the nodes
use. Checkpoints are the `.safetensors` files the ComfyUI loader reads (`kfvton.checkpoints.io`), one per network,
plus `trainer_state.pt` (optimisers, schedulers, grad scaler, discriminator, RNG states, step) for an exact resume.

Multi-GPU: launch with `torchrun --nproc_per_node N -m kfvton train ...`; the trainer reads RANK / WORLD_SIZE /
LOCAL_RANK, wraps the networks in DistributedDataParallel and shards every batch of sample indices by rank.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import Tensor, nn

from .._atomic import atomic_path, write_text_atomic
from ..checkpoints.io import config_from_json, save_checkpoint
from ..models.discriminator import DiscriminatorConfig, MultiScaleDiscriminator
from ..models.registry import build_model, model_entry
from ..models.warp_network import warp_garment
from ..preprocess.io import save_image
from ..preprocess.network_inputs import NetworkInputs, build_network_inputs
from ..preprocess.parse_labels import PARSE7_CLASSES
from .config import TrainConfig
from .datasets import AugmentConfig, TryOnBatch, TryOnDataset, collate_samples
from .dresscode import network_category
from .losses import (
    Vgg19Features,
    VggLoss,
    equivariance_loss,
    feature_matching_loss,
    hinge_d_loss,
    hinge_g_loss,
    multiscale_l1,
    random_tps,
    segmentation_ce,
    tps_dropout_probability,
    warp_for_equivariance,
)

__all__ = ["Trainer", "TrainBatch", "StepBatchSampler", "warp_region_l1", "SEG_ARCH", "WARP_ARCH"]

log = logging.getLogger("kfvton")

SEG_ARCH = "kfvton_seg_256"
WARP_ARCH = "kfvton_warp_256"
SEG_FILE = "kfvton_seg.safetensors"
WARP_FILE = "kfvton_warp.safetensors"
STATE_FILE = "trainer_state.pt"


@dataclass(frozen=True)
class TrainBatch:
    """A collated batch and its network inputs (built in the data-loader workers)."""

    raw: TryOnBatch
    inputs: NetworkInputs

    def to(self, device: torch.device) -> TrainBatch:
        return TrainBatch(self.raw.to(device), self.inputs.to(device))


def collate_train(samples: list, *, size_hw: tuple[int, int]) -> TrainBatch:
    """Collate samples and build their network inputs with the nodes' own builder."""
    raw = collate_samples(samples)
    inputs = build_network_inputs(
        raw.image,
        raw.cloth,
        raw.cloth_mask,
        raw.pose,
        raw.parse,
        size_hw=size_hw,
        align_garment=True,
        category=tuple(network_category(n) for n in raw.names),
    )
    return TrainBatch(raw, inputs)


class StepBatchSampler(torch.utils.data.Sampler):
    """Batches of (index, epoch) for micro-batches `start, start+1, ...`: a pure function of the micro-batch number.

    Epoch e visits a permutation of the dataset drawn from (seed, e); micro-batch m of an epoch takes items
    [m B W, (m+1) B W) of it and this rank keeps every W-th one (W = world size). A resumed run therefore sees
    exactly the batches the uninterrupted run would have seen. An incomplete tail batch of an epoch is dropped
    (unless the dataset is smaller than one global batch: then items repeat).
    """

    def __init__(self, n: int, batch: int, *, seed: int, start: int, total: int, rank: int = 0, world: int = 1):
        self.n, self.batch, self.seed, self.start, self.total = n, batch, seed, start, total
        self.rank, self.world = rank, world
        self.global_batch = batch * world
        self.per_epoch = max(1, n // self.global_batch)

    def _perm(self, epoch: int) -> list[int]:
        g = torch.Generator().manual_seed(self.seed * 1000003 + epoch)
        perm = torch.randperm(self.n, generator=g).tolist()
        reps = math.ceil(self.global_batch / self.n)
        return (perm * reps) if reps > 1 else perm

    def micro_batch(self, m: int) -> list[tuple[int, int]]:
        epoch, pos = divmod(m, self.per_epoch)
        chunk = self._perm(epoch)[pos * self.global_batch : (pos + 1) * self.global_batch]
        return [(i, epoch) for i in chunk[self.rank :: self.world]]

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        for m in range(self.start, self.total):
            yield self.micro_batch(m)

    def __len__(self) -> int:
        return max(0, self.total - self.start)


class _IndexedDataset(torch.utils.data.Dataset):
    """Maps (index, epoch) to the dataset's sample with that epoch's augmentation draws."""

    def __init__(self, dataset: TryOnDataset) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, key: tuple[int, int]):
        index, epoch = key
        return self.dataset.get(index, epoch=epoch)


def warp_region_l1(warped: Tensor, inputs: NetworkInputs) -> Tensor:
    """Mean L1 (in [0, 1] image units) between a warped garment and the person's garment region.

    Args:
        warped: (B, 3, H, W) warped garment in [-1, 1] that is ~0 (grey) where there is no garment -- the warp
            network's `warped` output, or a classical warp's garment times its warped mask, in network range.
        inputs: the batch's `NetworkInputs`; the target is `person * person_clothes_mask` (0 elsewhere).
    """
    target = inputs.person * inputs.person_clothes_mask
    return (warped - target).abs().mean() / 2


class _Networks(nn.Module):
    """The trainable networks of a stage, one module so DistributedDataParallel sees one forward."""

    def __init__(self, seg: nn.Module | None, warp: nn.Module | None) -> None:
        super().__init__()
        self.seg = seg
        self.warp = warp

    def forward(self, inputs: NetworkInputs, tps: Any | None, with_generator: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.seg is not None:
            out["seg"] = self.seg(inputs.garment, inputs.seg_condition)
        if self.warp is not None:
            w = self.warp
            # the keypoint detector's and dense motion's reference: where the garment goes on the person (the
            # ground-truth upper-clothes region here; `pipelines.learned` feeds the seg generator's prediction)
            ref = inputs.person_clothes_mask
            motion = w.motion(inputs.garment, ref)
            warped = warp_garment(inputs.garment, motion.grid, motion.occlusion)
            out.update(warped=warped, kp_source=motion.kp_source, occlusion=motion.occlusion)
            if with_generator:  # skipped when none of the generator's losses is on
                out["tryon"] = w.generate(inputs.agnostic, inputs.pose_image, warped, inputs.parse7)
            out["warped_mask"] = warp_garment(inputs.garment_mask, motion.grid, motion.occlusion)
            if tps is not None:  # equivariance: garment keypoints follow a random TPS of the garment photo
                # the person side (the mask keypoints' input) does not move
                out["kp_transformed"] = w.detect(warp_for_equivariance(inputs.garment, tps), ref).source_kp
        return out


class _TpsDropout:
    """Forward hook on the dense motion's contribution conv: drops whole TPS groups (per sample) with probability
    p before the softmax, so the blend renormalises over the kept groups; at least one group always stays."""

    def __init__(self, generator: torch.Generator) -> None:
        self.p = 0.0
        self.generator = generator

    def __call__(self, module: nn.Module, args: Any, output: Tensor) -> Tensor:
        if not module.training or self.p <= 0:
            return output
        b, k = output.shape[:2]
        drop = torch.rand(b, k, generator=self.generator) < self.p
        keep_one = torch.randint(0, k, (b,), generator=self.generator)
        drop[torch.arange(b), keep_one] = False
        return output.masked_fill(drop.to(output.device)[:, :, None, None], -1e4)


def _network_config(arch: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """Registry config of `arch` with (nested) dict overrides, as keyword arguments for `build_model`."""
    config = config_from_json(model_entry(arch).config, overrides)
    return {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}


def _dist_env() -> tuple[int, int, int]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    return int(os.environ.get("RANK", "0")), world, int(os.environ.get("LOCAL_RANK", "0"))


class _Progress:
    """One status line: step, losses, throughput (tqdm-free, rewritten in place on a terminal)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.tty = sys.stderr.isatty()

    def update(self, step: int, losses: dict[str, float], rate: float) -> None:
        if not self.enabled:
            return
        shown = " ".join(f"{k}={v:.4f}" for k, v in losses.items())
        line = f"step {step}/{self.total} | {rate:.2f} samples/s | {shown}"
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.enabled and self.tty:
            print(file=sys.stderr)


class Trainer:
    """Train KF-VTON networks from a `TrainConfig`.

    Args:
        config: the run's configuration (`kfvton.train.config.load_config`).
        device: default CUDA (this rank's GPU) when available, else CPU.
        dataset: use this dataset instead of building one from `config.data` (tests).
        resume: a checkpoint folder (`<out_dir>/checkpoints/step_XXXXXXX`) or "latest".
    """

    def __init__(
        self,
        config: TrainConfig,
        *,
        device: torch.device | str | None = None,
        dataset: TryOnDataset | None = None,
        resume: str | os.PathLike | None = None,
    ) -> None:
        self.cfg = config
        t = config.train
        self.rank, self.world, local_rank = _dist_env()
        if self.world > 1 and not dist.is_initialized():
            dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        if device is None:
            device = f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device)
        if self.device.type == "cuda":
            torch.cuda.set_device(self.device)
        self.out_dir = Path(t.out_dir)
        self.is_main = self.rank == 0
        torch.manual_seed(t.seed + self.rank)
        self.gen = torch.Generator().manual_seed(t.seed * 7919 + self.rank)  # equivariance TPS and TPS dropout

        self.dataset = dataset or self._build_dataset()
        self._check_pairing()
        self.size_hw = tuple(config.data.size_hw)

        stage = t.stage
        self.train_seg = stage in ("seg", "joint")
        self.train_warp = stage in ("warp", "joint")
        lc = config.loss
        self.seg_net = build_model(SEG_ARCH, **_network_config(SEG_ARCH, config.model.seg)).to(self.device)
        self.warp_net = build_model(WARP_ARCH, **_network_config(WARP_ARCH, config.model.warp)).to(self.device)
        self.with_generator = self.train_warp and any(
            w > 0 for w in (lc.gen_l1, lc.gen_perceptual, lc.gen_style, lc.gan, lc.feature_matching)
        )
        if self.train_warp and not self.with_generator:
            self.warp_net.generator.requires_grad_(False)  # unused: DDP must not wait for its gradients
        if t.init_from and resume is None:
            self.init_weights(t.init_from)
        self.networks = _Networks(self.seg_net if self.train_seg else None, self.warp_net if self.train_warp else None)
        self.networks.train()
        self.dropout_hook = _TpsDropout(self.gen)
        if self.train_warp and t.tps_dropout:
            self.warp_net.dense_motion.contribution.register_forward_hook(self.dropout_hook)

        self.disc: MultiScaleDiscriminator | None = None
        if self.with_generator and (lc.gan > 0 or lc.feature_matching > 0):
            d_cfg = {"in_channels": len(PARSE7_CLASSES) + 3, **config.model.discriminator}
            self.disc = MultiScaleDiscriminator(DiscriminatorConfig(**d_cfg)).to(self.device).train()

        self.vgg_loss: VggLoss | None = None
        needs_vgg = self.train_warp and any(
            w > 0 for w in (lc.warp_perceptual, lc.warp_style, lc.gen_perceptual, lc.gen_style)
        )
        if needs_vgg:  # raises PerceptualUnavailableError naming the fix when no weights are configured
            self.vgg_loss = VggLoss(Vgg19Features(lc.vgg_weights)).to(self.device)
        else:
            log.info("kfvton train: perceptual and style terms are disabled by the config (weights 0)")

        self.amp = bool(t.amp and self.device.type == "cuda")
        if t.amp and not self.amp:
            log.info("kfvton train: AMP requested but the device is %s; training in float32", self.device.type)
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp)

        self.model = self.networks
        self.d_model = self.disc
        if self.world > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.model = nn.parallel.DistributedDataParallel(self.networks, device_ids=ids)
            if self.disc is not None:
                self.d_model = nn.parallel.DistributedDataParallel(self.disc, device_ids=ids)

        self.optimizers, self.schedulers = self._build_optimizers()
        self.step = 0
        self.last_lrs: dict[str, float] = {}
        self.csv_path = self.out_dir / "log.csv"
        self.tb = self._tensorboard() if self.is_main else None
        if resume is not None:
            self.load_state(self._resolve(resume))

    # ------------------------------------------------------------------------------------------------ setup
    def _build_dataset(self) -> TryOnDataset:
        d = self.cfg.data
        if not d.dataroot:
            raise ValueError("data.dataroot: not set (pass --dataroot DIR or set it in the config)")
        # the options both readers take; each adds its own (Dress Code: category; VITON-HD: pair list, layout)
        common = {
            "size_hw": tuple(d.size_hw),
            "pairs": d.pairs,
            "augment": AugmentConfig(d.flip, d.scale, d.shift),
            "train": True,
            "on_bad_sample": d.on_bad_sample,
            "seed": self.cfg.train.seed,
            "limit": d.limit,
            "cache": d.cache,
        }
        if d.layout == "dresscode":
            from .dresscode import DressCodeDataset

            return DressCodeDataset(d.dataroot, d.split, category=d.category, **common)
        return TryOnDataset(d.dataroot, d.split, pair_list=d.pair_list, layout=d.layout, **common)

    def _check_pairing(self) -> None:
        unpaired = [e.name for e in self.dataset.entries if not e.paired]
        if unpaired and self.cfg.train.stage != "seg" and not self.cfg.data.allow_unpaired:
            raise ValueError(
                f"dataset: {len(unpaired)} samples pair a person with a garment they do not wear "
                f"(e.g. {unpaired[0]}); the warp and generator losses need paired data (data.pairs=paired). "
                "Set data.allow_unpaired=true only for smoke runs: the person's own garment is then the target"
            )
        if unpaired and self.cfg.data.allow_unpaired:
            log.warning(
                "kfvton train: %d UNPAIRED samples are trained with the person's own garment region as target "
                "(data.allow_unpaired=true; smoke runs only)",
                len(unpaired),
            )

    def _build_optimizers(self) -> tuple[dict[str, torch.optim.Optimizer], dict[str, Any]]:
        t = self.cfg.train
        opt_cls = torch.optim.AdamW if t.optimizer == "adamw" else torch.optim.Adam
        kwargs = {"betas": tuple(t.betas), "weight_decay": t.weight_decay}
        groups: dict[str, list[dict[str, Any]]] = {}
        if self.train_seg:
            groups["seg"] = [{"params": list(self.seg_net.parameters()), "lr": t.lr_seg}]
        if self.train_warp:
            motion = list(self.warp_net.kp_detector.parameters()) + list(self.warp_net.dense_motion.parameters())
            g = [{"params": motion, "lr": t.lr_warp}]
            if self.with_generator:
                g.append({"params": list(self.warp_net.generator.parameters()), "lr": t.lr_gen})
            groups["warp"] = g
        if self.disc is not None:
            groups["disc"] = [{"params": list(self.disc.parameters()), "lr": t.lr_d}]
        optimizers = {name: opt_cls(g, **kwargs) for name, g in groups.items()}
        decay = partial(_linear_decay, start=t.decay_start, end=t.steps)
        schedulers = {name: torch.optim.lr_scheduler.LambdaLR(o, decay) for name, o in optimizers.items()}
        return optimizers, schedulers

    def _tensorboard(self):
        try:
            from torch.utils.tensorboard import SummaryWriter  # needs the `tensorboard` package
        except ImportError:
            log.info("kfvton train: tensorboard is not installed; logging to %s only", self.csv_path)
            return None
        return SummaryWriter(str(self.out_dir / "tensorboard"))

    # ------------------------------------------------------------------------------------------------ data
    def _loader(self, start_micro: int, total_micro: int) -> torch.utils.data.DataLoader:
        t, d = self.cfg.train, self.cfg.data
        sampler = StepBatchSampler(
            len(self.dataset), t.batch_size, seed=t.seed, start=start_micro, total=total_micro,
            rank=self.rank, world=self.world,
        )  # fmt: skip
        self.samples_per_epoch = sampler.per_epoch * sampler.global_batch
        return torch.utils.data.DataLoader(
            _IndexedDataset(self.dataset),
            batch_sampler=sampler,
            num_workers=d.num_workers,
            collate_fn=partial(collate_train, size_hw=self.size_hw),
            pin_memory=self.device.type == "cuda",
            persistent_workers=False,
        )

    def epoch_of(self, step: int) -> float:
        """Epochs of data seen after `step` optimiser steps (all ranks together)."""
        t = self.cfg.train
        return step * t.accum_steps * t.batch_size * self.world / max(1, len(self.dataset))

    # ------------------------------------------------------------------------------------------------ steps
    def _autocast(self):
        if self.amp:
            return torch.autocast("cuda", dtype=torch.float16)
        return contextlib.nullcontext()

    def compute_losses(self, batch: TrainBatch) -> tuple[Tensor, dict[str, Tensor], dict[str, Any]]:
        """Forward the stage's networks on `batch` and return (generator-side total, named terms, outputs)."""
        lc = self.cfg.loss
        inp = batch.inputs
        tps = None
        if self.train_warp and lc.equivariance > 0:
            tps = random_tps(
                inp.batch_size, sigma_affine=lc.equivariance_sigma_affine, sigma_tps=lc.equivariance_sigma_tps,
                generator=self.gen, device=self.device,
            )  # fmt: skip
        with self._autocast():
            out = self.model(inp, tps, self.with_generator)
        terms: dict[str, Tensor] = {}
        if self.train_seg:
            target = inp.parse7.argmax(1)
            terms["seg_ce"] = lc.seg_ce * segmentation_ce(out["seg"].float(), target)
        if self.train_warp:
            warped = out["warped"].float()
            target = inp.person * inp.person_clothes_mask
            terms["warp_l1"] = lc.warp_l1 * multiscale_l1(warped, target, scales=lc.warp_scales)
            if lc.warp_mask_l1 > 0:
                terms["warp_mask_l1"] = lc.warp_mask_l1 * multiscale_l1(
                    out["warped_mask"].float(), inp.person_clothes_mask, scales=lc.warp_scales
                )
            if self.vgg_loss is not None and (lc.warp_perceptual > 0 or lc.warp_style > 0):
                per, sty = self._vgg_multiscale((warped + 1) / 2, (target + 1) / 2, lc.warp_scales)
                terms["warp_vgg"] = lc.warp_perceptual * per
                if lc.warp_style > 0:
                    terms["warp_style"] = lc.warp_style * sty
            if tps is not None:
                terms["equivariance"] = lc.equivariance * equivariance_loss(
                    out["kp_source"].float(), out["kp_transformed"].float(), tps
                )
            if self.with_generator:
                tryon = out["tryon"].float()
                if lc.gen_l1 > 0:
                    terms["gen_l1"] = lc.gen_l1 * F.l1_loss(tryon, inp.person)
                if self.vgg_loss is not None and (lc.gen_perceptual > 0 or lc.gen_style > 0):
                    per, sty = self.vgg_loss((tryon + 1) / 2, (inp.person + 1) / 2)
                    terms["gen_vgg"] = lc.gen_perceptual * per
                    if lc.gen_style > 0:
                        terms["gen_style"] = lc.gen_style * sty
                if self.disc is not None:
                    # the generator's terms read the plain (not DDP-wrapped) discriminator with frozen weights, so
                    # the discriminator's one DDP forward/backward per micro-batch is its own update (`_d_loss`)
                    self.disc.requires_grad_(False)
                    fake = self.disc(torch.cat((inp.parse7, tryon), 1))
                    if lc.gan > 0:
                        terms["gan_g"] = lc.gan * hinge_g_loss([s[-1] for s in fake])
                    if lc.feature_matching > 0:
                        with torch.no_grad():
                            real = self.disc(torch.cat((inp.parse7, inp.person), 1))
                        terms["feat_match"] = lc.feature_matching * feature_matching_loss(real, fake)
                    self.disc.requires_grad_(True)
        total = sum(terms.values())
        return total, terms, out

    def _vgg_multiscale(self, pred: Tensor, target: Tensor, scales: int) -> tuple[Tensor, Tensor]:
        per = sty = pred.new_zeros(())
        for s in range(scales):
            if s:
                pred, target = F.avg_pool2d(pred, 2), F.avg_pool2d(target, 2)
            p, q = self.vgg_loss(pred, target)
            per, sty = per + p, sty + q
        return per / scales, sty / scales

    def _d_loss(self, batch: TrainBatch, out: dict[str, Any]) -> Tensor:
        inp = batch.inputs
        real = torch.cat((inp.parse7, inp.person), 1)
        fake = torch.cat((inp.parse7, out["tryon"].detach().to(inp.person.dtype)), 1)
        with self._autocast():  # real and fake in one forward (instance norm: items do not mix)
            logits = [s[-1].float() for s in self.d_model(torch.cat((real, fake), 0))]
        b = real.shape[0]
        return self.cfg.loss.gan * hinge_d_loss([x[:b] for x in logits], [x[b:] for x in logits])

    def train_step(self, micro_batches: list[TrainBatch]) -> dict[str, float]:
        """One optimiser step over `accum_steps` micro-batches; returns the mean of each loss term."""
        t = self.cfg.train
        if self.train_warp and t.tps_dropout:
            self.dropout_hook.p = tps_dropout_probability(
                self.epoch_of(self.step), start_p=t.tps_dropout_start_p, max_p=t.tps_dropout_max_p,
                inc_epochs=t.tps_dropout_inc_epochs, stop_epoch=t.tps_dropout_stop_epoch,
            )  # fmt: skip
        for opt in self.optimizers.values():
            opt.zero_grad(set_to_none=True)
        sums: dict[str, float] = {}
        n = len(micro_batches)
        for i, mb in enumerate(micro_batches):
            mb = mb.to(self.device)
            last = i == n - 1
            sync = contextlib.nullcontext() if (last or self.world == 1) else self.model.no_sync()
            with sync:
                total, terms, out = self.compute_losses(mb)
                self.scaler.scale(total / n).backward()
            if self.disc is not None and self.cfg.loss.gan > 0:
                d_sync = contextlib.nullcontext() if (last or self.world == 1) else self.d_model.no_sync()
                with d_sync:
                    d_loss = self._d_loss(mb, out)
                    self.scaler.scale(d_loss / n).backward()
                terms["gan_d"] = d_loss
            for k, v in terms.items():
                sums[k] = sums.get(k, 0.0) + float(v.detach()) / n
        for name, opt in self.optimizers.items():
            if t.grad_clip > 0:
                self.scaler.unscale_(opt)
                nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g["params"]], t.grad_clip)
            if name == "disc" and "gan_d" not in sums:
                continue
            self.scaler.step(opt)
        self.scaler.update()
        self.last_lrs = {name: opt.param_groups[0]["lr"] for name, opt in self.optimizers.items()}  # this step's
        for sched in self.schedulers.values():
            sched.step()
        self.step += 1
        sums["total"] = sum(v for k, v in sums.items() if k != "gan_d")
        return sums

    # ------------------------------------------------------------------------------------------------ loop
    def fit(self, steps: int | None = None, *, on_step: Callable[[int, dict[str, float]], None] | None = None) -> int:
        """Train until `steps` optimiser steps (default `train.steps`) have been taken; returns the final step.

        Writes a checkpoint every `ckpt_every` steps and at the end, logs every `log_every` steps (CSV always,
        TensorBoard when installed) and a sample grid every `sample_every` steps.
        """
        t = self.cfg.train
        end = t.steps if steps is None else steps
        if end <= self.step:
            return self.step
        accum = t.accum_steps
        loader = self._loader(self.step * accum, end * accum)
        progress = _Progress(end, self.is_main)
        if self.is_main:
            log.info(
                "kfvton train: stage %s, %d samples, steps %d -> %d, batch %d x %d accum x %d processes, device %s",
                t.stage, len(self.dataset), self.step, end, t.batch_size, accum, self.world, self.device,
            )  # fmt: skip
        pending: list[TrainBatch] = []
        tick, seen = time.perf_counter(), 0
        for batch in loader:
            pending.append(batch)
            if len(pending) < accum:
                continue
            losses = self.train_step(pending)
            seen += sum(b.inputs.batch_size for b in pending) * self.world
            last_batch = pending[-1]
            pending = []
            rate = seen / max(time.perf_counter() - tick, 1e-9)
            if on_step is not None:
                on_step(self.step, losses)
            if self.is_main:
                progress.update(self.step, losses, rate)
                if t.log_every and (self.step % t.log_every == 0 or self.step == end):
                    self._log(losses, rate)
                if t.sample_every and self.step % t.sample_every == 0:
                    self.write_samples(last_batch)
            if t.ckpt_every and self.step % t.ckpt_every == 0 and self.step != end:
                self.save_state()
        progress.close()
        self.save_state()
        return self.step

    def _log(self, losses: dict[str, float], rate: float) -> None:
        row = {"step": self.step, "epoch": round(self.epoch_of(self.step), 4), "samples_per_s": round(rate, 3)}
        for name, lr in self.last_lrs.items():
            row[f"lr_{name}"] = lr
        row.update({k: round(v, 6) for k, v in losses.items()})
        self.out_dir.mkdir(parents=True, exist_ok=True)
        new = not self.csv_path.exists()
        if not new:
            with open(self.csv_path, newline="") as f:
                header = next(csv.reader(f), [])
            if header != list(row):  # a resumed run with other terms: start a fresh column set
                self.csv_path = self.csv_path.with_name(f"log_from_step{self.step}.csv")
                new = not self.csv_path.exists()
        with open(self.csv_path, "a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(row))
            if new:
                writer.writeheader()
            writer.writerow(row)
        if self.tb is not None:
            for k, v in row.items():
                if k != "step":
                    self.tb.add_scalar(k, v, self.step)

    @torch.no_grad()
    def write_samples(self, batch: TrainBatch) -> Path:
        """A PNG grid, one row per item: person, garment, agnostic, warped garment, try-on / parse."""
        batch = batch.to(self.device)
        inp = batch.inputs
        was = self.networks.training
        self.networks.eval()
        out = self.networks(inp, None, self.with_generator)
        self.networks.train(was)
        cols = [inp.person, inp.garment, inp.agnostic]
        if "warped" in out:
            cols.append(out["warped"].float())
        if "tryon" in out:
            cols.append(out["tryon"].float())
        if "seg" in out:
            cols.append(_colour_parse(out["seg"].argmax(1)) * 2 - 1)
        rows = [torch.cat([c[i] for c in cols], dim=-1) for i in range(inp.batch_size)]
        grid = (torch.cat(rows, dim=-2).clamp(-1, 1) + 1) / 2
        path = self.out_dir / "samples" / f"step_{self.step:07d}.png"
        save_image(grid.cpu(), path)
        return path

    # ------------------------------------------------------------------------------------------------ checkpoints
    def checkpoint_dir(self, step: int | None = None) -> Path:
        return self.out_dir / "checkpoints" / f"step_{self.step if step is None else step:07d}"

    def save_state(self) -> Path | None:
        """Write the step's checkpoint folder (network .safetensors + trainer_state.pt); main process only."""
        if self.world > 1:
            dist.barrier()
        if not self.is_main:
            return None
        folder = self.checkpoint_dir()
        source = f"kfvton train, stage {self.cfg.train.stage}, step {self.step}"
        save_checkpoint(
            self.seg_net,
            folder / SEG_FILE,
            architecture=SEG_ARCH,
            resolution_hw=self.size_hw,
            source=source + ("" if self.train_seg else " (seg generator not trained in this stage)"),
        )
        save_checkpoint(self.warp_net, folder / WARP_FILE, architecture=WARP_ARCH, resolution_hw=self.size_hw,
                        source=source + ("" if self.train_warp else " (warp network not trained in this stage)"))  # fmt: skip
        state = {
            "step": self.step,
            "optimizers": {k: o.state_dict() for k, o in self.optimizers.items()},
            "schedulers": {k: s.state_dict() for k, s in self.schedulers.items()},
            "scaler": self.scaler.state_dict(),
            "discriminator": None if self.disc is None else self.disc.state_dict(),
            "rng_torch": torch.get_rng_state(),
            "rng_cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
            "rng_trainer": self.gen.get_state(),
            "config": json.dumps(self.cfg.to_dict()),
        }
        with atomic_path(folder / STATE_FILE) as tmp:
            torch.save(state, tmp)
        write_text_atomic(self.out_dir / "checkpoints" / "latest", folder.name)
        log.info("kfvton train: checkpoint %s", folder)
        return folder

    def _resolve(self, resume: str | os.PathLike) -> Path:
        if str(resume) == "latest":
            pointer = self.out_dir / "checkpoints" / "latest"
            if not pointer.is_file():
                raise FileNotFoundError(f"resume: no {pointer}; nothing to resume in {self.out_dir}")
            return self.out_dir / "checkpoints" / pointer.read_text().strip()
        return Path(resume)

    def init_weights(self, folder: str | os.PathLike) -> None:
        """Start from the network weights of a checkpoint folder (both files must be there; architectures checked)."""
        from ..checkpoints.io import load_checkpoint, load_state_dict_strict

        folder = Path(folder)
        for name, arch, net in ((SEG_FILE, SEG_ARCH, self.seg_net), (WARP_FILE, WARP_ARCH, self.warp_net)):
            loaded = load_checkpoint(folder / name, architecture=arch)
            load_state_dict_strict(net, loaded.model.state_dict(), source=f"train.init_from {folder / name}")
            log.info("kfvton train: %s initialised from %s (%s)", arch, folder / name, loaded.info.source)

    def load_state(self, folder: str | os.PathLike) -> None:
        """Restore networks, optimisers, schedulers, scaler, discriminator, RNG states and step from `folder`."""
        from ..checkpoints.io import load_checkpoint

        folder = Path(folder)
        for f in (SEG_FILE, WARP_FILE, STATE_FILE):
            if not (folder / f).is_file():
                raise FileNotFoundError(f"resume: {folder / f} not found")
        self.seg_net.load_state_dict(load_checkpoint(folder / SEG_FILE, architecture=SEG_ARCH).model.state_dict())
        self.warp_net.load_state_dict(load_checkpoint(folder / WARP_FILE, architecture=WARP_ARCH).model.state_dict())
        state = torch.load(folder / STATE_FILE, map_location="cpu", weights_only=True)
        missing = sorted(set(self.optimizers) - set(state["optimizers"]))
        if missing:
            raise ValueError(f"resume: {folder} has no optimiser state for {missing} (saved by another stage?)")
        for k, o in self.optimizers.items():
            o.load_state_dict(state["optimizers"][k])
        for k, s in self.schedulers.items():
            s.load_state_dict(state["schedulers"][k])
        self.scaler.load_state_dict(state["scaler"])
        if self.disc is not None:
            if state["discriminator"] is None:
                raise ValueError(f"resume: {folder} has no discriminator state")
            self.disc.load_state_dict(state["discriminator"])
        torch.set_rng_state(state["rng_torch"])
        if state["rng_cuda"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["rng_cuda"])
        self.gen.set_state(state["rng_trainer"])
        self.step = int(state["step"])
        log.info("kfvton train: resumed from %s at step %d", folder, self.step)


def _linear_decay(step: int, *, start: int, end: int) -> float:
    """LR factor: 1 until `start`, then linear to 0 at `end`."""
    if step < start or end <= start:
        return 1.0
    return max(0.0, 1.0 - (step - start) / (end - start))


_PALETTE = torch.tensor(
    [[0, 0, 0], [128, 128, 128], [255, 85, 0], [0, 128, 255], [0, 255, 128], [255, 0, 255], [255, 255, 0]],
    dtype=torch.float32,
) / 255.0  # fmt: skip


def _colour_parse(labels: Tensor) -> Tensor:
    """(B, H, W) 7-class labels -> (B, 3, H, W) colours in [0, 1]."""
    return _PALETTE.to(labels.device)[labels.clamp(0, len(_PALETTE) - 1)].permute(0, 3, 1, 2)
