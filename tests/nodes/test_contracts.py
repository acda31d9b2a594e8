"""Every node in NODE_CLASS_MAPPINGS keeps the ComfyUI V1 contract and our naming rules, and runs on small inputs."""

from __future__ import annotations

import inspect

import pytest
import torch
from comfyui_kfvton.nodes import NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS
from comfyui_kfvton.nodes import types as T

NODE_IDS = sorted(NODE_CLASS_MAPPINGS)
WIDGETS = {"INT", "FLOAT", "BOOLEAN", "STRING", "COMBO"}
# a socket type is ComfyUI's, another pack's we interoperate with, or ours (KFVTON_*)
KNOWN_SOCKETS = {"IMAGE", "MASK", "POSE_KEYPOINT", "LATENT", "*"}


def _specs(cls) -> dict[str, tuple]:
    spec = cls.INPUT_TYPES()
    return {**(spec.get("required") or {}), **(spec.get("optional") or {})}


def test_pack_has_nodes():
    assert len(NODE_CLASS_MAPPINGS) > 0
    assert set(NODE_CLASS_MAPPINGS) == set(NODE_DISPLAY_NAME_MAPPINGS)


@pytest.mark.parametrize("node_id", NODE_IDS)
class TestContract:
    def test_names(self, node_id):
        cls = NODE_CLASS_MAPPINGS[node_id]
        assert node_id.startswith("Kfvton") and node_id == cls.__name__
        assert NODE_DISPLAY_NAME_MAPPINGS[node_id].startswith("KF-VTON ")
        assert cls.CATEGORY.startswith("KF-VTON/") and len(cls.CATEGORY) > len("KF-VTON/")
        assert isinstance(cls.DESCRIPTION, str) and len(cls.DESCRIPTION) > 20

    def test_input_types(self, node_id):
        cls = NODE_CLASS_MAPPINGS[node_id]
        spec = cls.INPUT_TYPES()
        assert isinstance(spec, dict) and set(spec) <= {"required", "optional", "hidden"}
        for name, s in _specs(cls).items():
            assert isinstance(s, tuple) and 1 <= len(s) <= 2, f"{name}: spec must be (type,) or (type, options)"
            t = s[0]
            opts = s[1] if len(s) == 2 else {}
            assert isinstance(opts.get("tooltip"), str) and opts["tooltip"], f"{node_id}.{name} has no tooltip"
            if isinstance(t, (list, tuple)):
                continue
            assert t in WIDGETS or t in KNOWN_SOCKETS or t.startswith("KFVTON_"), f"{name}: unknown type {t}"
            if t in ("INT", "FLOAT") and "min" in opts and "max" in opts:
                assert opts["min"] <= opts.get("default", opts["min"]) <= opts["max"]

    def test_returns(self, node_id):
        cls = NODE_CLASS_MAPPINGS[node_id]
        assert isinstance(cls.RETURN_TYPES, tuple)
        assert isinstance(cls.RETURN_NAMES, tuple) and len(cls.RETURN_NAMES) == len(cls.RETURN_TYPES)
        assert len(set(cls.RETURN_NAMES)) == len(cls.RETURN_NAMES)
        tips = getattr(cls, "OUTPUT_TOOLTIPS", None)
        assert tips is not None and len(tips) == len(cls.RETURN_TYPES)
        for t in cls.RETURN_TYPES:
            assert t in KNOWN_SOCKETS or t in WIDGETS or t.startswith("KFVTON_"), f"unknown output type {t}"

    def test_function_signature(self, node_id):
        cls = NODE_CLASS_MAPPINGS[node_id]
        fn = getattr(cls, cls.FUNCTION)
        params = inspect.signature(fn).parameters
        spec = cls.INPUT_TYPES()
        for name in spec.get("required") or {}:
            assert name in params, f"{cls.FUNCTION}() lacks required input {name}"
        for name in spec.get("optional") or {}:
            assert name in params, f"{cls.FUNCTION}() lacks optional input {name}"
            assert params[name].default is not inspect.Parameter.empty, f"optional input {name} needs a default"

    @pytest.mark.parametrize("optional", [False, True], ids=["required-only", "with-optional"])
    def test_callable(self, node_id, optional, node_inputs):
        cls = NODE_CLASS_MAPPINGS[node_id]
        kwargs = node_inputs(cls, 1, optional=optional)
        out = getattr(cls(), cls.FUNCTION)(**kwargs)
        if isinstance(out, dict):
            out = out.get("result", ())
        _check_outputs(cls, out)


def _check_outputs(cls, out) -> None:
    assert isinstance(out, tuple) and len(out) == len(cls.RETURN_TYPES)
    for name, t, v in zip(cls.RETURN_NAMES, cls.RETURN_TYPES, out, strict=True):
        if t == "IMAGE":
            assert isinstance(v, torch.Tensor) and v.ndim == 4 and v.shape[-1] == 3, name
            assert v.is_floating_point() and float(v.min()) >= 0 and float(v.max()) <= 1, name
            assert v.device.type == "cpu"
        elif t == "MASK":
            assert isinstance(v, torch.Tensor) and v.ndim == 3, name
            assert float(v.min()) >= 0 and float(v.max()) <= 1, name
        elif t in T.PAYLOADS:
            module, cls_name = T.PAYLOADS[t].split(":")
            payload_cls = getattr(__import__(f"comfyui_kfvton.{module}", fromlist=[cls_name]), cls_name)
            assert isinstance(v, payload_cls), f"{name}: {type(v).__name__} is not {cls_name}"


def _custom_inputs(cls) -> list[str]:
    return [name for name, spec in _specs(cls).items() if isinstance(spec[0], str) and spec[0].startswith("KFVTON_")]


CHECKED = [(node_id, name) for node_id in NODE_IDS for name in _custom_inputs(NODE_CLASS_MAPPINGS[node_id])]


@pytest.mark.parametrize("node_id,name", CHECKED, ids=[f"{n}.{i}" for n, i in CHECKED])
def test_custom_socket_payload_is_checked(node_id, name, node_inputs):
    """Every input of one of our socket types rejects a wrong payload with a TypeError naming the input."""
    cls = NODE_CLASS_MAPPINGS[node_id]
    kwargs = node_inputs(cls, 1, optional=True)
    kwargs[name] = {"not": "a payload"}
    with pytest.raises(TypeError, match=rf"{name}: expected KFVTON_"):
        getattr(cls(), cls.FUNCTION)(**kwargs)
