"""Export KF-VTON networks to ONNX (opset 17+, dynamic batch) for onnxruntime and other runtimes.

Exported: the segmentation generator (`kfvton_seg_256`), the keypoint detector (`kfvton_kp_detector_256`), the
SPADE generator (`kfvton_spade_generator_256`), the dense motion network (`kfvton_dense_motion_256`) and the whole
warp network (`kfvton_warp_256`); parts can also be taken out of a warp-network checkpoint.

The dense motion network (and so the warp network) fits its per-group TPS with a float64 linear solve
(`torch.linalg.solve` on (N+3) x (N+3) systems, `kfvton.geometry.tps.tps_solve`), which standard ONNX has no
operator for. Only during the export (`_tps_solve_symbolics`, registered around `torch.onnx.export` and removed
again), `aten::linalg_solve` is written with standard operators as `SOLVE_ITERATIONS` Newton-Schulz iterations
for the inverse, X <- X (2I - A X) from X0 = A^T / |A|_F^2, in float64, then X @ B; `aten::diag_embed` becomes
`Mul` by an `EyeLike` identity. The PyTorch path is unchanged. The TPS systems are well conditioned (0.01 on the
whole diagonal; condition numbers up to ~5e3 for random, clustered or nearly coincident keypoint groups), where
the iteration matches `torch.linalg.solve` to ~1e-11; it stops converging only beyond condition numbers ~1e6.
An earlier design with onnxruntime's contrib `com.microsoft::Inverse` was dropped: the exporter infers no shapes
through a contrib op, which breaks the whole warp network's export (the generator's instance_norm needs them).
The files need no custom operator.

Input and output names per network (B is dynamic, H x W fixed to the export size, h x w = scale * (H, W)):

    kfvton_seg_256              cloth (B,3,H,W), pose (B,13,H,W)          -> parse (B,7,H,W)
    kfvton_kp_detector_256      image (B,3,H,W), mask (B,3,H,W)           -> source_kp (B,P,2), ref_kp (B,P,2)
    kfvton_spade_generator_256  x (B,9,H,W), seg (B,7,H,W)                -> image (B,3,H,W)
    kfvton_dense_motion_256     source_image (B,3,H,W), ref_input (B,3,H,W), kp_source (B,P,2), kp_driving (B,P,2)
                                -> deformation (B,h,w,2), occlusion_map (B,1,H,W), contribution_maps (B,K,h,w),
                                   sparse_motion (B,K,h,w,2)
    kfvton_warp_256             garment (B,3,H,W), garment_mask (B,1,H,W), agnostic (B,3,H,W), pose (B,3,H,W),
                                parse (B,7,H,W)
                                -> tryon, warped (B,3,H,W), kp_source, kp_ref (B,P,2), grid (B,H,W,2),
                                   occlusion (B,1,H,W), deformation (B,h,w,2)
"""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor, nn

__all__ = ["EXPORTABLE", "SOLVE_ITERATIONS", "OnnxExport", "example_inputs", "export_network"]

#: architecture -> (input names, output names)
EXPORTABLE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "kfvton_seg_256": (("cloth", "pose"), ("parse",)),
    "kfvton_kp_detector_256": (("image", "mask"), ("source_kp", "ref_kp")),
    "kfvton_spade_generator_256": (("x", "seg"), ("image",)),
    "kfvton_dense_motion_256": (
        ("source_image", "ref_input", "kp_source", "kp_driving"),
        ("deformation", "occlusion_map", "contribution_maps", "sparse_motion"),
    ),
    "kfvton_warp_256": (
        ("garment", "garment_mask", "agnostic", "pose", "parse"),
        ("tryon", "warped", "kp_source", "kp_ref", "grid", "occlusion", "deformation"),
    ),
}
#: Newton-Schulz iterations of the exported TPS solve (quadratic convergence once started; 30 already reach
#: float64 accuracy at condition number 5e3, 48 leave room up to ~1e6)
SOLVE_ITERATIONS = 48


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
    if architecture == "kfvton_dense_motion_256":
        mask = (torch.rand(batch, 1, h, w, generator=g) > 0.5).float().expand(-1, cfg.num_channels, -1, -1)
        kp_source = _spread_keypoints(batch, cfg.num_tps, cfg.num_kp, g)
        kp_driving = _spread_keypoints(batch, cfg.num_tps, cfg.num_kp, g)
        return img(cfg.num_channels), mask.contiguous(), kp_source, kp_driving
    if architecture == "kfvton_warp_256":
        mask = (torch.rand(batch, 1, h, w, generator=g) > 0.5).float()
        parse = torch.softmax(torch.randn(batch, cfg.generator.label_nc, h, w, generator=g), dim=1)
        return img(3), mask, img(3), img(3), parse
    raise ValueError(f"architecture: expected one of {sorted(EXPORTABLE)}, got {architecture!r}")


def _spread_keypoints(batch: int, groups: int, per_group: int, g: torch.Generator) -> Tensor:
    """(batch, groups * per_group, 2) keypoints in [-0.9, 0.9]: each group a randomly jittered grid (well spread)."""
    cols = math.ceil(math.sqrt(per_group))
    rows = math.ceil(per_group / cols)
    ys, xs = torch.meshgrid(torch.arange(rows), torch.arange(cols), indexing="ij")
    cells = torch.stack((xs.flatten(), ys.flatten()), dim=-1)[:per_group].float()  # (N, 2) cell (col, row)
    size = torch.tensor([1.8 / cols, 1.8 / rows])
    jitter = torch.rand(batch, groups, per_group, 2, generator=g) * 0.6 + 0.2  # within the middle of each cell
    return (-0.9 + (cells + jitter) * size).reshape(batch, groups * per_group, 2)


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
    with warnings.catch_warnings(), _tps_solve_symbolics(opset):
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


@contextlib.contextmanager
def _tps_solve_symbolics(opset: int) -> Iterator[None]:
    """For the duration of one export: symbolics for `aten::linalg_solve` (Newton-Schulz, standard ops) and
    `aten::diag_embed` (Mul by an EyeLike identity). The TorchScript exporter has none for either; both are removed
    again on exit, so nothing outside the export sees them.
    """
    from torch.onnx import register_custom_op_symbolic, unregister_custom_op_symbolic
    from torch.onnx._internal.torchscript_exporter.registration import registry

    ops = {"aten::linalg_solve": _linalg_solve_symbolic, "aten::diag_embed": _diag_embed_symbolic}
    known_before = registry.all_functions()
    registered = []
    try:
        for name, fn in ops.items():
            register_custom_op_symbolic(name, fn, opset)
            registered.append(name)
        yield
    finally:
        for name in registered:
            unregister_custom_op_symbolic(name, opset)
            if name not in known_before:
                # torch leaves an empty entry behind, which later exports trip over (a ValueError from min()
                # instead of "unsupported operator"): remove it, so the registry is as before
                registry._registry.pop(name, None)


def _linalg_solve_symbolic(g, a, b, left):
    """solve(A, B) for a batch of square A (..., n, n) and matrices B (..., n, k), in A's dtype (float64 in TPS):
    X0 = A^T / |A|_F^2 (then |I - A X0| < 1 for any invertible A), X <- X (2I - A X) `SOLVE_ITERATIONS` times,
    result X @ B.
    """
    from torch.onnx import symbolic_helper as sh

    if not sh._maybe_get_const(left, "b"):
        raise ValueError("torch.linalg.solve(left=False) is not supported by the KF-VTON ONNX export")
    rank_a, rank_b = sh._get_tensor_rank(a), sh._get_tensor_rank(b)
    if rank_a is None or rank_b != rank_a:
        raise ValueError(
            f"torch.linalg.solve: the ONNX export supports B with the rank of A (matrices), got ranks {rank_a}, {rank_b}"
        )
    perm = [*range(rank_a - 2), rank_a - 1, rank_a - 2]
    axes = g.op("Constant", value_t=torch.tensor([-2, -1]))
    norm2 = g.op("ReduceSum", g.op("Mul", a, a), axes, keepdims_i=1)
    x = g.op("Div", g.op("Transpose", a, perm_i=perm), norm2)
    identity = _identity_like_last(g, a)
    two_identity = g.op("Add", identity, identity)
    for _ in range(SOLVE_ITERATIONS):
        x = g.op("MatMul", x, g.op("Sub", two_identity, g.op("MatMul", a, x)))
    return g.op("MatMul", x, b)


def _diag_embed_symbolic(g, x, offset, dim1, dim2):
    """diag_embed(x) for offset 0 and the last two dims: x[..., :, None] * I (I in x's dtype)."""
    from torch.onnx import symbolic_helper as sh

    args = tuple(sh._maybe_get_const(v, "i") for v in (offset, dim1, dim2))
    if args != (0, -2, -1):
        raise ValueError(f"torch.diag_embed: the KF-VTON ONNX export supports offset=0, dim1=-2, dim2=-1, got {args}")
    column = g.op("Unsqueeze", x, g.op("Constant", value_t=torch.tensor([-1])))
    return g.op("Mul", column, _identity_like_last(g, x))


def _identity_like_last(g, x):
    """An n x n identity in x's dtype, n = x's last dim (EyeLike of a zero n x n tensor cast like x)."""
    n = g.op(
        "Slice",
        g.op("Shape", x),
        g.op("Constant", value_t=torch.tensor([-1])),
        g.op("Constant", value_t=torch.tensor([torch.iinfo(torch.int64).max])),
    )
    zeros = g.op("ConstantOfShape", g.op("Concat", n, n, axis_i=0), value_t=torch.zeros(1, dtype=torch.float64))
    return g.op("EyeLike", g.op("CastLike", zeros, x))


def _float_copy(model: nn.Module) -> nn.Module:
    import copy

    return copy.deepcopy(model).to("cpu", torch.float32).eval()
