"""Export KF-VTON networks to ONNX (opset 17+, dynamic batch) for onnxruntime and other runtimes.

Exported: the segmentation generator (`kfvton_seg_256`), the keypoint detector (`kfvton_kp_detector_256`) and the
SPADE generator (`kfvton_spade_generator_256`), also taken out of a warp-network checkpoint. Not exported: the dense
motion network and hence the whole warp network -- their per-group TPS fit is a linear solve (`torch.linalg.solve`,
`diag_embed`), which standard ONNX opsets have no operator for; run that stage in PyTorch (`export_network` raises a
ValueError saying so).

Input and output names per network (B is dynamic, H x W fixed to the export size):

    kfvton_seg_256              cloth (B,3,H,W), pose (B,13,H,W)          -> parse (B,7,H,W)
    kfvton_kp_detector_256      image (B,3,H,W), mask (B,3,H,W)           -> source_kp (B,P,2), ref_kp (B,P,2)
    kfvton_spade_generator_256  x (B,9,H,W), seg (B,7,H,W)                -> image (B,3,H,W)
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor, nn

__all__ = ["EXPORTABLE", "OnnxExport", "example_inputs", "export_network"]

#: architecture -> (input names, output names)
EXPORTABLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "kfvton_seg_256": (("cloth", "pose"), ("parse",)),
    "kfvton_kp_detector_256": (("image", "mask"), ("source_kp", "ref_kp")),
    "kfvton_spade_generator_256": (("x", "seg"), ("image",)),
}
_NOT_EXPORTABLE = {
    "kfvton_dense_motion_256": "its TPS fit is a linear solve (torch.linalg.solve), which ONNX has no operator for",
    "kfvton_warp_256": "it contains the dense motion network, whose TPS fit is a linear solve ONNX cannot express; "
    "export its parts: --part kp_detector and --part generator",
}


@dataclass(frozen=True)
class OnnxExport:
    """An exported file: its path, architecture, input and output names and the example input shapes."""

    path: str
    architecture: str
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    input_shapes: tuple[tuple[int, ...], ...]


def example_inputs(model: nn.Module, architecture: str, size_hw: tuple[int, int], batch: int = 2) -> tuple[Tensor, ...]:
    """Random inputs of the right shapes and ranges for `model` at `size_hw`."""
    h, w = size_hw
    g = torch.Generator().manual_seed(0)

    def img(c: int) -> Tensor:
        return torch.rand(batch, c, h, w, generator=g) * 2 - 1

    cfg = model.config
    if architecture == "kfvton_seg_256":
        return img(cfg.cloth_nc), img(cfg.pose_nc)
    if architecture == "kfvton_kp_detector_256":
        mask = (torch.rand(batch, 1, h, w, generator=g) > 0.5).float().expand(-1, cfg.in_channels, -1, -1)
        return img(cfg.in_channels), mask.contiguous()
    if architecture == "kfvton_spade_generator_256":
        seg = torch.softmax(torch.randn(batch, cfg.label_nc, h, w, generator=g), dim=1)
        return img(cfg.input_nc), seg
    raise ValueError(f"architecture: {architecture!r} cannot be exported: {_NOT_EXPORTABLE.get(architecture, '')}")


def export_network(
    model: nn.Module,
    architecture: str,
    path: str | os.PathLike,
    *,
    size_hw: tuple[int, int] = (256, 192),
    opset: int = 17,
) -> OnnxExport:
    """Export one network to an ONNX file with a dynamic batch axis.

    Args:
        model: the network (a float32 copy in eval mode is exported; `model` itself is not changed).
        architecture: its registry name, one of `EXPORTABLE`.
        size_hw: the fixed input size of the graph.
        opset: ONNX opset, >= 17.
    """
    if architecture in _NOT_EXPORTABLE:
        raise ValueError(f"architecture: {architecture} cannot be exported to ONNX: {_NOT_EXPORTABLE[architecture]}")
    if architecture not in EXPORTABLE:
        raise ValueError(f"architecture: expected one of {sorted(EXPORTABLE)}, got {architecture!r}")
    if opset < 17:
        raise ValueError(f"opset: expected >= 17, got {opset}")
    inputs_names, output_names = EXPORTABLE[architecture]
    model = _float_copy(model)
    args = example_inputs(model, architecture, size_hw)
    axes = {name: {0: "batch"} for name in (*inputs_names, *output_names)}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shape checks, which are constant per export size
        torch.onnx.export(
            model,
            args,
            str(path),
            input_names=list(inputs_names),
            output_names=list(output_names),
            dynamic_axes=axes,
            opset_version=opset,
            dynamo=False,
        )
    return OnnxExport(str(path), architecture, inputs_names, output_names, tuple(tuple(a.shape) for a in args))


def _float_copy(model: nn.Module) -> nn.Module:
    import copy

    return copy.deepcopy(model).to("cpu", torch.float32).eval()
