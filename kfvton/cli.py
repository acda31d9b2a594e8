"""`python -m kfvton <command>`: each command lives beside the code it drives and is imported only when run.

A command module exposes `add_arguments(parser)` and `run(args) -> int`.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

# command -> (module relative to this package, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "tryon": (
        ".pipelines.tryon_cli",
        "try a garment photo on a person photo (classical TPS, or KF-VTON with --checkpoint)",
    ),
    "review": (
        ".pipelines.review_cli",
        "try garments on persons and write a contact sheet (person | garment | result)",
    ),
    "convert": (".checkpoints.convert_cli", "convert the authors' .pth checkpoints into our .safetensors files"),
    "export": (".checkpoints.export_cli", "export KF-VTON networks to ONNX"),
    "train": (".train.train_cli", "train KF-VTON on a dataset folder"),
    "evaluate": (".train.evaluate_cli", "evaluate try-on results (SSIM, LPIPS, FID, KID)"),
}


def _usage() -> str:
    lines = ["usage: python -m kfvton <command> [options]", "", "commands:"]
    lines += [f"  {name:<10} {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", "python -m kfvton <command> --help shows a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"kfvton: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, text = COMMANDS[name]
    module = import_module(module_name, __package__)
    parser = argparse.ArgumentParser(prog=f"python -m kfvton {name}", description=text)
    module.add_arguments(parser)
    args = parser.parse_args(rest)
    try:
        return int(module.run(args) or 0)
    except (
        ValueError,
        TypeError,
        FileNotFoundError,
        PermissionError,
    ) as err:  # input errors: one clear line, no traceback
        print(f"kfvton {name}: error: {err}", file=sys.stderr)
        return 1
