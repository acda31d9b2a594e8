"""Setup for the Quick Try-On templates (example_workflows/kfvton_01_*, kfvton_02_*) in the workflow test runner.

The templates connect no pose: Quick Try-On estimates it. The test environment has no pose estimator installed, so
the setup hands the node the 'oracle' pose model of the two-photos template (a real ONNX file answering the
sample person's pose) through its pose_model widget.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.nodes._perception_workflow import ROOT, embedded_default_installed, two_photos_setup


def quick_setup(tmp_path: Path) -> dict[str, Any]:
    setup = two_photos_setup(tmp_path)
    if not setup:  # the embedded default is installed: the templates run as shipped
        return {}
    model = setup["widget_overrides"]["KfvtonPoseEstimator"]["pose_model"]
    return {"widget_overrides": {"KfvtonQuickTryOn": {"pose_model": model}}}


def quick_dresscode_setup(folder: str, ident: str) -> Callable[[Path], dict[str, Any]]:
    """Setup for a Quick Try-On template on a Dress Code person (`folder` e.g. "lower_body", `ident` "013566"):
    nothing with the embedded default; else an oracle pose model answering that person's Dress Code keypoints
    (the VITON-HD oracle of `two_photos_setup` has no knees)."""

    def setup(tmp_path: Path) -> dict[str, Any]:
        if embedded_default_installed():
            return {}
        from kfvton.keypoints.formats import pose_from_json_file, pose_to_array
        from tests._tiny_onnx import oracle_pose_model

        samples = Path(os.environ.get("KFVTON_SAMPLES_DIR", ROOT.parent / "shared" / "samples"))
        truth = pose_from_json_file(samples / "dresscode" / folder / "keypoints" / f"{ident}_2.json", (1024, 768))
        coco = pose_to_array(truth, "coco17")[0].numpy()
        model = oracle_pose_model(tmp_path / "dw-ll_ucoco_384.onnx", coco, truth.canvas_hw)
        return {"widget_overrides": {"KfvtonQuickTryOn": {"pose_model": str(model)}}}

    return setup
