"""Setup for the Quick Try-On templates (example_workflows/kfvton_01_*, kfvton_02_*) in the workflow test runner.

The templates connect no pose: Quick Try-On estimates it. The test environment has no pose estimator installed, so
the setup hands the node the 'oracle' pose model of the two-photos template (a real ONNX file answering the
sample person's pose) through its pose_model widget.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.nodes._perception_workflow import two_photos_setup


def quick_setup(tmp_path: Path) -> dict[str, Any]:
    setup = two_photos_setup(tmp_path)
    if not setup:  # the embedded default is installed: the templates run as shipped
        return {}
    model = setup["widget_overrides"]["KfvtonPoseEstimator"]["pose_model"]
    return {"widget_overrides": {"KfvtonQuickTryOn": {"pose_model": model}}}
