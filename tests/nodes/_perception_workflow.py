"""Setup for example_workflows/kfvton_classical_from_two_photos.json in the workflow test runner.

The workflow starts from two photos only, so its Pose Estimator needs a pose model. CI has neither the DWPose
files nor MediaPipe; the setup builds an 'oracle' SimCC ONNX model in tmp_path that returns the sample person's
OpenPose joints (converted into the model's crop pixels), so the real ONNX path (crop, run, decode, map back) runs
and the rest of the workflow gets a true pose.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PERSON = "00891_00"


def two_photos_setup(tmp_path: Path) -> dict[str, Any]:
    from kfvton.keypoints.formats import pose_from_openpose_json, pose_to_array
    from tests._tiny_onnx import oracle_pose_model

    samples = Path(os.environ.get("KFVTON_SAMPLES_DIR", ROOT.parent / "shared" / "samples"))
    truth = pose_from_openpose_json(
        samples / "vitonhd" / "test" / "openpose-json" / f"{PERSON}_keypoints.json", (1024, 768)
    )
    coco = pose_to_array(truth, "coco17")[0].numpy()
    model = oracle_pose_model(tmp_path / "dw-ll_ucoco_384.onnx", coco, truth.canvas_hw)
    return {"widget_overrides": {"KfvtonPoseEstimator": {"pose_model": str(model), "detector_model": "none"}}}
