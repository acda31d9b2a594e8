"""The socket adapters of nodes/types.py: ComfyUI layouts in and out, payload checks, the KFVTON_PARSE payload."""

from __future__ import annotations

import pytest
import torch
from comfyui_kfvton.nodes import types as T
from comfyui_kfvton.nodes.types import ParseMap

from .conftest import PERSON_HW, make_parse, make_pose


def test_image_and_mask_round_trip():
    image = torch.rand(2, *PERSON_HW, 3)
    lib = T.from_socket(image, T.IMAGE, "person", "cpu")
    assert lib.shape == (2, 3, *PERSON_HW)
    torch.testing.assert_close(T.to_socket(lib, T.IMAGE), image)
    mask = torch.rand(2, *PERSON_HW)
    lib_mask = T.from_socket(mask, T.MASK, "mask")
    assert lib_mask.shape == (2, 1, *PERSON_HW)
    torch.testing.assert_close(T.to_socket(lib_mask, T.MASK), mask)
    # outputs are clamped to ComfyUI's [0, 1]
    assert float(T.to_socket(lib * 3 - 1, T.IMAGE).max()) <= 1.0


def test_image_layout_error_names_input():
    with pytest.raises(ValueError, match="person: expected shape"):
        T.from_socket(torch.zeros(3, 8, 8), T.IMAGE, "person")


def test_parse_payload_and_older_bare_tensor():
    labels = make_parse(2)
    out = T.to_socket(labels, T.PARSE)
    assert isinstance(out, ParseMap) and out.batch_size == 2 and out.size_hw == PERSON_HW
    assert torch.equal(T.from_socket(out, T.PARSE, "parse"), labels)
    # earlier versions passed the bare (B, H, W) label tensor on KFVTON_PARSE: still read
    assert torch.equal(T.from_socket(labels, T.PARSE, "parse"), labels)
    with pytest.raises(TypeError, match="parse: expected integer labels"):
        T.from_socket(labels.float(), T.PARSE, "parse")
    with pytest.raises(TypeError, match="parse"):
        ParseMap(labels[0, 0])


def test_payload_checks_name_input_and_socket():
    pose = make_pose()
    assert T.from_socket(pose, T.POSE, "pose", "cpu").canvas_hw == pose.canvas_hw
    with pytest.raises(TypeError, match=r"pose_b: expected KFVTON_POSE \(Pose\), got Tensor"):
        T.from_socket(pose.joints, T.POSE, "pose_b")


def test_warp_socket_checks_the_kind():
    from .conftest import make_warp

    tps = make_warp()
    assert T.from_socket(tps, T.WARP, "warp") is tps
    with pytest.raises(TypeError, match="flow: expected KFVTON_FLOW"):
        T.from_socket(tps, T.FLOW, "flow")


def test_every_socket_has_its_payload_class():
    sockets = {v for k, v in vars(T).items() if k.isupper() and isinstance(v, str) and v.startswith("KFVTON_")}
    sockets.discard(T.WARP_OR_FLOW)
    assert sockets == set(T.PAYLOAD_TYPES) == set(T.PAYLOADS)
