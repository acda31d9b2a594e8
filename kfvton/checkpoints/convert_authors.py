"""Convert the KF-VTON authors' checkpoints (`.pth` state dicts) to our networks' key layout (style rule R7).

Each network has an explicit, ordered table: keys matching a `drop` pattern are removed (parameters the authors'
forward never uses, reported with the reason), every other key is rewritten by the `rename` rules in order, and
the result must match the model's keys exactly; unknown and missing keys raise, listing them.

Authors' network (module in their code)         our registry name
  KPDetector (models/keypoint_detector.py)      kfvton_kp_detector_256
  DenseMotionNetwork (models/dense_motion.py)   kfvton_dense_motion_256
  SPADEGenerator (models/network.py)            kfvton_spade_generator_256
  SegGenerator (models/seg_network.py)          kfvton_seg_256
  WarpNetwork (models/KPWarp.py)                kfvton_warp_256 (= the three above under prefixes)

Example:
    >>> converted = load_authors_checkpoint("gen_model_final.pth", "kfvton_warp_256")
    >>> model = build_model("kfvton_warp_256"); model.load_state_dict(converted.state_dict, strict=True)
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import Tensor

__all__ = [
    "AUTHORS_LAYOUTS",
    "AuthorsLayout",
    "ConvertedStateDict",
    "convert_authors_state_dict",
    "load_authors_checkpoint",
    "unwrap_authors_checkpoint",
]


@dataclass(frozen=True)
class AuthorsLayout:
    """How one authors' network maps onto ours.

    Attributes:
        drop: (regex, reason) for keys to remove; matched against the authors' key.
        rename: (regex, replacement) applied in order with `re.sub` to every kept key.
        children: (authors_prefix, our_prefix, layout name) for composed networks; a key under a prefix is
            converted by that child's table.
    """

    drop: tuple[tuple[str, str], ...] = ()
    rename: tuple[tuple[str, str], ...] = ()
    children: tuple[tuple[str, str, str], ...] = field(default=())


_KP_DETECTOR = AuthorsLayout(
    drop=(
        (r"^fg_encoder\.", "torchvision ResNet-18 built but never called in forward"),
        (r"^Coattention\.encoder\.(layer4|fc)\.", "ResNet trunk stops after layer3"),
    ),
    rename=(
        (r"^Coattention\.encoder\.", "encoder."),
        (r"^Coattention\.linear_e\.", "coattention.bilinear."),
        (r"^Coattention\.gate\.", "coattention.gate."),
        (r"^Coattention\.conv1\.", "coattention.fuse_e."),
        (r"^Coattention\.conv2\.", "coattention.fuse_q."),
        (r"^Coattention\.bn1\.", "coattention.norm_e."),
        (r"^Coattention\.bn2\.", "coattention.norm_q."),
        (r"^Coattention\.main_classifier1\.", "coattention.classifier_e."),
        (r"^Coattention\.main_classifier2\.", "coattention.classifier_q."),
        (r"^Linear\.", "head."),
    ),
)

_DENSE_MOTION = AuthorsLayout(
    drop=(
        (r"^(source_features|reference_features)\.", "feature encoders built but never called in forward"),
        (r"^Cross_MFEs\.", "MFE blocks built but never called in forward"),
        (r"^down\.weight$", "fixed Gaussian anti-alias kernel, recomputed by AntiAliasDownsample (value checked)"),
    ),
    rename=(
        (r"^hourglass\.encoder\.down_blocks\.", "hourglass.down."),
        (r"^hourglass\.decoder\.up_blocks\.", "hourglass.up."),
        (r"^mask\.", "contribution."),
        (r"^occlusion\.", "occlusion."),
    ),
)

_SPADE_GENERATOR = AuthorsLayout(
    drop=(
        (r"^G_middle_\d+\.", "middle blocks built but never called in forward"),
        (r"^conv_4\.", "fifth input conv built but never called in forward"),
        (r"\.noise_scale$", "SPADENorm noise scale, unused in forward"),
    ),
    rename=(
        (r"^conv_([0-3])\.", r"inputs.\1."),
        (r"^head_0\.", "head."),
        (r"^up_([0-2])\.", r"ups.\1."),
        (r"\.conv_shared\.0\.", ".conv_shared."),
        (r"\.conv_shared_2\.0\.", ".conv_shared_2."),
        (r"^conv_img\.", "conv_img."),
    ),
)

_SEG_GENERATOR = AuthorsLayout(
    drop=(
        (r"^conv[12]\.[01]\.", "lateral convs of levels 3-4, never called in forward"),
        (r"^Coattention\.bn[12]\.", "the segmentation co-attention returns the convs' outputs before BN"),
    ),
    rename=(
        (r"^pose_Encoder\.", "pose_encoder."),
        (r"^cloth_Encoder\.", "cloth_encoder."),
        (r"^Decoder\.", "decoder."),
        (r"\.scale\.1\.", ".scale."),  # up blocks: Sequential(Upsample, Conv1x1); the upsample is functional
        (r"\.block\.0\.", ".conv_a."),
        (r"\.block\.3\.", ".conv_b."),
        (r"^conv1\.3\.", "lateral_pose.0."),
        (r"^conv1\.2\.", "lateral_pose.1."),
        (r"^conv2\.3\.", "lateral_cloth.0."),
        (r"^conv2\.2\.", "lateral_cloth.1."),
        (r"^Coattention\.linear_e\.", "coattention.bilinear."),
        (r"^Coattention\.gate\.", "coattention.gate."),
        (r"^Coattention\.conv1\.", "coattention.fuse_e."),
        (r"^Coattention\.conv2\.", "coattention.fuse_q."),
    ),
)

_WARP_NETWORK = AuthorsLayout(
    children=(
        ("kp_detector.", "kp_detector.", "kfvton_kp_detector_256"),
        ("self_dense_motion_network.", "dense_motion.", "kfvton_dense_motion_256"),
        ("generator.", "generator.", "kfvton_spade_generator_256"),
    ),
)

#: Layout per registry name.
AUTHORS_LAYOUTS: dict[str, AuthorsLayout] = {
    "kfvton_kp_detector_256": _KP_DETECTOR,
    "kfvton_dense_motion_256": _DENSE_MOTION,
    "kfvton_spade_generator_256": _SPADE_GENERATOR,
    "kfvton_seg_256": _SEG_GENERATOR,
    "kfvton_warp_256": _WARP_NETWORK,
}


@dataclass(frozen=True)
class ConvertedStateDict:
    """A converted state dict, ready for `model.load_state_dict(state_dict, strict=True)`.

    Attributes:
        state_dict: our key -> tensor (the authors' tensors, not copied).
        dropped: (authors' key, reason) for every removed key, in checkpoint order.
        model: the registry name converted for.
    """

    state_dict: dict[str, Tensor]
    dropped: tuple[tuple[str, str], ...]
    model: str

    def dropped_summary(self) -> str:
        """One line per reason: count and an example key."""
        by_reason: dict[str, list[str]] = {}
        for key, reason in self.dropped:
            by_reason.setdefault(reason, []).append(key)
        return "\n".join(f"{len(keys)} keys ({keys[0]}, ...): {reason}" for reason, keys in by_reason.items())


def _layout(model: str) -> AuthorsLayout:
    if model not in AUTHORS_LAYOUTS:
        raise ValueError(f"model: expected one of {sorted(AUTHORS_LAYOUTS)}, got {model!r}")
    return AUTHORS_LAYOUTS[model]


def _convert_key(key: str, layout: AuthorsLayout) -> tuple[str | None, str]:
    """(our key, "") or (None, reason) when dropped; raises on a key outside a composed layout's prefixes."""
    if layout.children:
        for theirs, ours, child in layout.children:
            if key.startswith(theirs):
                new, reason = _convert_key(key[len(theirs) :], _layout(child))
                return (None if new is None else ours + new), reason
        return key, ""  # unknown: reported by the caller as unknown
    for pattern, reason in layout.drop:
        if re.search(pattern, key):
            return None, reason
    for pattern, repl in layout.rename:
        key = re.sub(pattern, repl, key)
    return key, ""


def _check_antialias_kernel(value: Tensor) -> None:
    from ..models.layers.antialias import gaussian_kernel

    expected = gaussian_kernel(0.5, dtype=torch.float64)
    got = value.detach().to("cpu", torch.float64)
    if got.ndim != 4 or got.shape[-2:] != expected.shape or (got - expected).abs().max() > 1e-6:
        raise ValueError(
            "down.weight: expected the fixed 5x5 Gaussian anti-alias kernel of scale 0.5 (sigma 0.5); "
            f"got a tensor of shape {tuple(got.shape)} with other values, so this is not a scale-0.5 DenseMotionNetwork"
        )


def _expected_keys(model: str) -> set[str]:
    from ..models.registry import build_model

    with torch.device("meta"):
        return set(build_model(model).state_dict())


def convert_authors_state_dict(
    state_dict: Mapping[str, Tensor], model: str, *, expected_keys: Collection[str] | None = None
) -> ConvertedStateDict:
    """Rename the authors' keys to ours; drop the known-unused ones; raise on any unknown or missing key.

    Args:
        state_dict: the authors' state dict of the network (already unwrapped, see `unwrap_authors_checkpoint`;
            a `module.` prefix from DataParallel is removed here).
        model: registry name of the target network (`AUTHORS_LAYOUTS`).
        expected_keys: our model's `state_dict()` keys; default: those of `build_model(model)`.

    Returns:
        `ConvertedStateDict`.
    """
    layout = _layout(model)
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"state_dict: expected a mapping of str -> Tensor, got {type(state_dict).__name__}")
    expected = set(expected_keys) if expected_keys is not None else _expected_keys(model)
    out: dict[str, Tensor] = {}
    dropped: list[tuple[str, str]] = []
    for raw_key, value in state_dict.items():
        key = re.sub(r"^module\.", "", raw_key)
        new, reason = _convert_key(key, layout)
        if new is None:
            if key.endswith("down.weight"):
                _check_antialias_kernel(value)
            dropped.append((raw_key, reason))
            continue
        if new in out:
            raise ValueError(f"state_dict: two checkpoint keys map to {new!r} (second: {raw_key!r})")
        out[new] = value
    unknown, missing = sorted(out.keys() - expected), sorted(expected - out.keys())
    if unknown or missing:
        raise ValueError(
            f"state_dict for {model}: {len(unknown)} unknown keys {unknown[:8]}, {len(missing)} missing keys "
            f"{missing[:8]} (after conversion; is this the right network's checkpoint?)"
        )
    return ConvertedStateDict(out, tuple(dropped), model)


def unwrap_authors_checkpoint(checkpoint: object) -> dict[str, Tensor]:
    """The state dict inside an authors' checkpoint: the object itself, or the mapping under "net" (the seg
    checkpoint) or "state_dict"."""
    if not isinstance(checkpoint, Mapping):
        raise TypeError(f"checkpoint: expected a dict, got {type(checkpoint).__name__}")
    for wrapper in ("net", "state_dict"):
        inner = checkpoint.get(wrapper)
        if isinstance(inner, Mapping):
            return dict(inner)
    bad = [k for k, v in checkpoint.items() if not isinstance(v, Tensor)]
    if bad:
        raise ValueError(
            f"checkpoint: expected a state dict of tensors (or one under 'net'), got non-tensor entries {bad[:5]}"
        )
    return dict(checkpoint)


def load_authors_checkpoint(path: str | Path, model: str) -> ConvertedStateDict:
    """Read an authors' `.pth` (`torch.load(weights_only=True)`, on CPU) and convert it for `model`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"authors' checkpoint: no file at {path}")
    _layout(model)
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    return convert_authors_state_dict(unwrap_authors_checkpoint(checkpoint), model)
