"""Atomic file writes: every file the library writes goes through `atomic_path`.

The data is written to a temporary file in the destination's folder (same file system) and renamed onto the final
name only when complete, so a run killed while saving never leaves a truncated file under the final name, and
parallel runs writing into one folder each see either the old or a whole new file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "write_text_atomic"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to `path` (same extension, so writers pick the format from it); on success it
    is renamed onto `path`, on any error it is removed. Missing folders are created.

    Example:
        with atomic_path("out/tryon.png") as tmp:
            Image.fromarray(arr).save(tmp)
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.stem}.{os.getpid()}-{secrets.token_hex(4)}.part{final.suffix}")
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically (`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
