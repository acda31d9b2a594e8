"""Every registered network: shapes at 256x192 (batch 1 and 3) and larger sizes, value ranges, dtype/device
following the inputs, bf16 on CPU, autocast, config validation. Tiny channel configs keep CPU time small."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import Tensor

from kfvton.models.dense_motion import DenseMotionConfig
from kfvton.models.keypoint_detector import KeypointDetectorConfig
from kfvton.models.registry import build_model, list_models, model_entry
from kfvton.models.spade_generator import SpadeGeneratorConfig

SMALL_HW = (128, 96)  # for tests about dtypes, devices and gradients, not shapes
TINY_KP = {"widths": (8, 8, 16)}
TINY_DM = {"expansion": 4, "max_features": 16}
TINY_GEN = {"ngf": 4, "side_nc": 4, "spade_hidden": 8}
TINY: dict[str, dict[str, Any]] = {
    "kfvton_kp_detector_256": TINY_KP,
    "kfvton_dense_motion_256": TINY_DM,
    "kfvton_spade_generator_256": TINY_GEN,
    "kfvton_seg_256": {"ngf": 4},
    "kfvton_warp_256": {
        "kp_detector": KeypointDetectorConfig(**TINY_KP, native_hw=SMALL_HW),
        "dense_motion": DenseMotionConfig(**TINY_DM),
        "generator": SpadeGeneratorConfig(**TINY_GEN),
        "motion_hw": SMALL_HW,
    },
}


def make_inputs(name: str, b: int, hw: tuple[int, int], dtype: torch.dtype = torch.float32) -> list[Tensor]:
    g = torch.Generator().manual_seed(0)
    h, w = hw

    def img(c: int = 3) -> Tensor:
        return (torch.rand(b, c, h, w, generator=g) * 2 - 1).to(dtype)

    def mask(c: int = 3) -> Tensor:
        return (torch.rand(b, 1, h, w, generator=g) > 0.5).to(dtype).expand(-1, c, -1, -1)

    def kp() -> Tensor:
        return (torch.rand(b, 96, 2, generator=g) * 1.6 - 0.8).to(dtype)

    def onehot(c: int = 7) -> Tensor:
        labels = torch.randint(0, c, (b, h, w), generator=g)
        return torch.nn.functional.one_hot(labels, c).permute(0, 3, 1, 2).to(dtype)

    makers = {
        "kfvton_kp_detector_256": lambda: [img(), mask()],
        "kfvton_dense_motion_256": lambda: [img(), mask(), kp(), kp()],
        "kfvton_spade_generator_256": lambda: [img(9), onehot()],
        "kfvton_seg_256": lambda: [img(), torch.cat((img(), onehot(), img()), 1)],
        "kfvton_warp_256": lambda: [img(), mask(1), img(), img(), onehot()],
    }
    if name not in makers:
        pytest.fail(f"no input maker for registered model {name!r}: add one to tests/models/test_models.py")
    return makers[name]()


def tiny(name: str) -> torch.nn.Module:
    torch.manual_seed(0)
    return build_model(name, **TINY.get(name, {}))


def outputs(result: Any) -> dict[str, Tensor]:
    if isinstance(result, Tensor):
        return {"out": result}
    return dict(result._asdict())


def expected_shapes(name: str, b: int, hw: tuple[int, int]) -> dict[str, tuple[int, ...]]:
    h, w = hw
    return {
        "kfvton_kp_detector_256": {"source_kp": (b, 96, 2), "ref_kp": (b, 96, 2)},
        "kfvton_dense_motion_256": {
            "deformation": (b, h // 2, w // 2, 2),
            "occlusion_map": (b, 1, h, w),
            "contribution_maps": (b, 8, h // 2, w // 2),
            "sparse_motion": (b, 8, h // 2, w // 2, 2),
        },
        "kfvton_spade_generator_256": {"out": (b, 3, h, w)},
        "kfvton_seg_256": {"out": (b, 7, h, w)},
        "kfvton_warp_256": {
            "tryon": (b, 3, h, w),
            "warped": (b, 3, h, w),
            "kp_source": (b, 96, 2),
            "kp_ref": (b, 96, 2),
            "grid": (b, h, w, 2),
            "occlusion": (b, 1, h, w),
            "deformation": (b, SMALL_HW[0] // 2, SMALL_HW[1] // 2, 2),
        },
    }[name]


@pytest.mark.parametrize("name", list_models())
class TestRegisteredModel:
    @pytest.mark.parametrize("b", [1, 3])
    def test_forward_256(self, name: str, b: int) -> None:
        model = tiny(name)
        with torch.no_grad():
            out = outputs(model(*make_inputs(name, b, (256, 192))))
        assert {k: tuple(v.shape) for k, v in out.items()} == expected_shapes(name, b, (256, 192))
        for key, value in out.items():
            assert torch.isfinite(value).all(), f"{name}:{key} has NaN/inf"

    def test_batch_items_independent_channels_last(self, name: str) -> None:
        # float64: random tiny generators amplify float32 rounding differences between batch sizes and layouts.
        model = tiny(name).double()
        inputs = make_inputs(name, 2, SMALL_HW, torch.float64)
        batched = [x.contiguous(memory_format=torch.channels_last) if x.ndim == 4 else x for x in inputs]
        with torch.no_grad():
            full = outputs(model(*batched))
            single = outputs(model(*[x[1:2] for x in inputs]))
        for key, value in single.items():
            torch.testing.assert_close(full[key][1:2], value, atol=1e-9, rtol=1e-9, msg=f"{name}:{key}")

    def test_forward_512x384(self, name: str) -> None:
        model = tiny(name)
        with torch.no_grad():
            out = outputs(model(*make_inputs(name, 1, (512, 384))))
        assert {k: tuple(v.shape) for k, v in out.items()} == expected_shapes(name, 1, (512, 384))

    def test_dtype_follows_inputs(self, name: str) -> None:
        model = tiny(name).to(torch.float64)
        with torch.no_grad():
            out = outputs(model(*make_inputs(name, 1, SMALL_HW, torch.float64)))
        assert all(v.dtype == torch.float64 for v in out.values()), {k: v.dtype for k, v in out.items()}

    def test_bf16_on_cpu(self, name: str) -> None:
        model = tiny(name)
        inputs = make_inputs(name, 1, SMALL_HW)
        with torch.no_grad():
            ref = outputs(model(*inputs))
            out = outputs(model.to(torch.bfloat16)(*[x.to(torch.bfloat16) for x in inputs]))
        for key, value in out.items():
            assert torch.isfinite(value.float()).all(), f"{name}:{key}"
            assert value.shape == ref[key].shape

    def test_autocast_bf16(self, name: str) -> None:
        model = tiny(name)
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            out = outputs(model(*make_inputs(name, 1, SMALL_HW)))
        assert all(torch.isfinite(v.float()).all() for v in out.values())

    def test_train_mode_backward(self, name: str) -> None:
        model = tiny(name).train()
        out = outputs(model(*make_inputs(name, 2, SMALL_HW)))
        sum(v.float().mean() for v in out.values()).backward()
        grads = [p.grad for p in model.parameters() if p.requires_grad]
        assert any(g is not None and g.abs().sum() > 0 for g in grads)

    def test_config_override(self, name: str) -> None:
        entry = model_entry(name)
        with pytest.raises(TypeError, match="unknown config fields"):
            build_model(name, not_a_field=1)
        assert tiny(name).config == type(entry.config)(**TINY.get(name, {}))


@pytest.mark.parametrize("name", ["kfvton_seg_256", "kfvton_spade_generator_256"])
def test_fully_convolutional_1024x768(name: str) -> None:
    model = tiny(name)
    with torch.no_grad():
        out = outputs(model(*make_inputs(name, 1, (1024, 768))))
    assert out["out"].shape[-2:] == (1024, 768)


def test_unknown_model_name_lists_known() -> None:
    with pytest.raises(ValueError, match="kfvton_seg_256"):
        build_model("kfvton_nope")


class TestInputValidation:
    def test_kp_detector_channels(self) -> None:
        model = tiny("kfvton_kp_detector_256")
        image, mask = make_inputs("kfvton_kp_detector_256", 1, (256, 192))
        with pytest.raises(ValueError, match="image"):
            model(image[:, :2], mask)
        with pytest.raises(ValueError, match="mask"):
            model(image, mask[..., :100, :])

    def test_generator_size_divisible(self) -> None:
        model = tiny("kfvton_spade_generator_256")
        x, seg = make_inputs("kfvton_spade_generator_256", 1, (100, 60))
        with pytest.raises(ValueError, match="divisible by 8"):
            model(x, seg)

    def test_seg_size_divisible(self) -> None:
        model = tiny("kfvton_seg_256")
        cloth, pose = make_inputs("kfvton_seg_256", 1, (240, 176))
        with pytest.raises(ValueError, match="divisible by 32"):
            model(cloth, pose)

    def test_dense_motion_keypoint_count(self) -> None:
        model = tiny("kfvton_dense_motion_256")
        src, ref, kp_s, kp_d = make_inputs("kfvton_dense_motion_256", 1, (256, 192))
        with pytest.raises(ValueError, match="kp_source"):
            model(src, ref, kp_s[:, :10], kp_d)

    def test_warp_parse_channels(self) -> None:
        model = tiny("kfvton_warp_256")
        args = make_inputs("kfvton_warp_256", 1, (256, 192))
        with pytest.raises(ValueError, match="parse"):
            model(*args[:4], args[4][:, :3])


def test_warp_network_motion_runs_at_motion_size() -> None:
    """At twice the motion size, detector and dense motion see the inputs resized to `motion_hw`: with plain
    bilinear resizing of 2x-nearest-upsampled inputs they see exactly the small inputs."""
    overrides = dict(TINY["kfvton_warp_256"], antialias=False)
    overrides["kp_detector"] = KeypointDetectorConfig(**TINY_KP, native_hw=SMALL_HW, antialias=False)
    torch.manual_seed(0)
    model = build_model("kfvton_warp_256", **overrides)
    small = make_inputs("kfvton_warp_256", 1, SMALL_HW)
    big = [x.repeat_interleave(2, -2).repeat_interleave(2, -1) for x in small]
    with torch.no_grad():
        out_small, out_big = model(*small), model(*big)
    torch.testing.assert_close(out_big.kp_source, out_small.kp_source)
    torch.testing.assert_close(out_big.deformation, out_small.deformation)
    assert out_big.tryon.shape[-2:] == (2 * SMALL_HW[0], 2 * SMALL_HW[1])
    assert out_big.occlusion.shape[-2:] == out_big.tryon.shape[-2:]
