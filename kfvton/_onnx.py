"""onnxruntime sessions for the ONNX model files we run (pose estimator, person detector, human parser).

Nothing happens at import: onnxruntime is imported, and the host's execution providers are probed, when the first
session is opened. Sessions are cached by (path, modification time, providers), so a node run again reuses the
loaded model and a file replaced on disk is loaded afresh.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "OnnxSignature",
    "available_providers",
    "host_providers",
    "prefer_providers",
    "onnx_session",
    "session_signature",
    "drop_sessions",
]

log = logging.getLogger("kfvton")

_CACHE_SIZE = 4
_SESSIONS: OrderedDict[tuple[str, float, tuple[str, ...]], Any] = OrderedDict()


def _ort():
    try:
        import onnxruntime
    except ImportError:
        raise ImportError("onnxruntime is needed to run ONNX models: pip install onnxruntime") from None
    return onnxruntime


def _load_errors(ort) -> tuple[type[BaseException], ...]:
    """The exceptions onnxruntime raises for a file it cannot load (its own classes derive from Exception)."""
    state = ort.capi.onnxruntime_pybind11_state
    own = tuple(
        getattr(state, n) for n in ("InvalidProtobuf", "Fail", "InvalidGraph", "NotImplemented") if hasattr(state, n)
    )
    return (*own, RuntimeError, ValueError, OSError)


#: Providers the host application chose (`prefer_providers`), used by sessions opened without explicit ones.
_PREFERRED: tuple[str, ...] | None = None


def available_providers() -> tuple[str, ...]:
    """What the installed onnxruntime offers here: CUDA first when its wheel has it (onnxruntime-gpu), CPU last."""
    available = _ort().get_available_providers()
    chosen = [p for p in ("CUDAExecutionProvider",) if p in available]
    return (*chosen, "CPUExecutionProvider")


def host_providers() -> tuple[str, ...]:
    """Execution providers for sessions opened without explicit ones: the host application's choice
    (`prefer_providers`, e.g. CPU when ComfyUI runs with --cpu), else `available_providers()`."""
    return _PREFERRED if _PREFERRED is not None else available_providers()


def prefer_providers(providers: Sequence[str] | None) -> None:
    """Set the providers `host_providers` returns (None: back to probing onnxruntime). Sessions are cached per
    provider list, so a change opens new ones."""
    global _PREFERRED
    _PREFERRED = None if providers is None else tuple(providers)


@dataclass(frozen=True)
class OnnxSignature:
    """Names and shapes of a model's inputs and outputs; a dim is an int, or a str when the model leaves it free."""

    inputs: tuple[tuple[str, tuple[int | str, ...]], ...]
    outputs: tuple[tuple[str, tuple[int | str, ...]], ...]

    def describe(self) -> str:
        def fmt(items: tuple[tuple[str, tuple[int | str, ...]], ...]) -> str:
            return ", ".join(f"{n!r} {tuple(s)}" for n, s in items) or "none"

        return f"inputs {fmt(self.inputs)}; outputs {fmt(self.outputs)}"


def session_signature(session: Any) -> OnnxSignature:
    """The `OnnxSignature` of an onnxruntime InferenceSession."""

    def dims(shape: Sequence[Any]) -> tuple[int | str, ...]:
        return tuple(d if isinstance(d, int) else str(d) for d in shape)

    return OnnxSignature(
        inputs=tuple((i.name, dims(i.shape)) for i in session.get_inputs()),
        outputs=tuple((o.name, dims(o.shape)) for o in session.get_outputs()),
    )


def onnx_session(path: str | os.PathLike, *, providers: Sequence[str] | None = None, name: str = "model") -> Any:
    """Open (or reuse) an onnxruntime InferenceSession for `path`.

    Args:
        path: the .onnx file.
        providers: execution providers in preference order; None = `host_providers()`.
        name: the input's name for error messages ("pose_model", "detector_model", ...).

    Raises:
        FileNotFoundError: no such file. ValueError: the file is not a readable ONNX model.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{name}: ONNX file not found: {p}")
    ort = _ort()
    chosen = tuple(providers) if providers is not None else host_providers()
    key = (str(p.resolve()), p.stat().st_mtime, chosen)
    if key in _SESSIONS:
        _SESSIONS.move_to_end(key)
        return _SESSIONS[key]
    options = ort.SessionOptions()
    options.log_severity_level = 3
    try:
        session = ort.InferenceSession(str(p), sess_options=options, providers=list(chosen))
    except _load_errors(ort) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ValueError(f"{name}: cannot read {p} as an ONNX model ({first})") from None
    log.info("kfvton: loaded %s (%s) with %s", name, p.name, ", ".join(session.get_providers()))
    _SESSIONS[key] = session
    while len(_SESSIONS) > _CACHE_SIZE:
        _SESSIONS.popitem(last=False)
    return session


def drop_sessions(path: str | os.PathLike) -> int:
    """Drop the cached sessions of one model file (any providers, any version of the file); returns how many."""
    target = str(Path(path).resolve())
    stale = [key for key in _SESSIONS if key[0] == target]
    for key in stale:
        del _SESSIONS[key]
    return len(stale)
