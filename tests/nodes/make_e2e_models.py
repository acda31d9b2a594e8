"""Write the model files the example workflows name, for running them in a real ComfyUI (docs/comfyui-e2e.md).

usage: python tests/nodes/make_e2e_models.py MODELS_DIR

Writes MODELS_DIR/kfvton/checkpoints/kfvton_{seg,warp}.safetensors (tiny random-weight networks: the learned
workflows run end to end but their images are meaningless) and MODELS_DIR/kfvton/pose/dw-ll_ucoco_384.onnx (a
constant "oracle" pose model that answers the VITON-HD pose of 00891_00 for any photo). Point ComfyUI at them with
an extra_model_paths.yaml whose base_path is MODELS_DIR. Not a test (pytest collects test_*.py only).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 64
    sys.path.insert(0, str(ROOT))
    from tests._tiny_kfvton import write_tiny_bundle
    from tests.nodes._perception_workflow import two_photos_setup

    out = Path(argv[0]).resolve()
    checkpoints, pose = out / "kfvton" / "checkpoints", out / "kfvton" / "pose"
    for folder in (checkpoints, pose, out / "kfvton" / "parsing"):
        folder.mkdir(parents=True, exist_ok=True)
    seg, warp = write_tiny_bundle(checkpoints)
    shutil.move(seg, checkpoints / "kfvton_seg.safetensors")
    shutil.move(warp, checkpoints / "kfvton_warp.safetensors")
    two_photos_setup(pose, oracle=True)  # writes pose/dw-ll_ucoco_384.onnx
    for p in sorted(out.rglob("*")):
        if p.is_file():
            print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
