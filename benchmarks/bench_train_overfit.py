"""The training overfit check as a table: warp-stage L1 on two sample pairs vs step 0 and the classical TPS warp.

    python benchmarks/bench_train_overfit.py [--samples ../shared/samples] [--steps 120] [--every 10]

Assembles (by symlinks in a temporary folder) the two pairs of `tests/train/conftest.py::two_pair_root`, trains
`configs/overfit_tiny.yaml` for `--steps` steps on CPU and prints the eval-mode warp L1 (`warp_region_l1`) every
`--every` steps, per pair, with the classical warp's value on the same photos. Never run by pytest.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kfvton.pipelines.classical import classical_tryon  # noqa: E402
from kfvton.train.config import load_config  # noqa: E402
from kfvton.train.trainer import Trainer, collate_train, warp_region_l1  # noqa: E402

_LINKS = (  # (source under samples, destination under <root>/train)
    ("hrviton/test/image/00006_00.jpg", "image/00006_00.jpg"),
    ("hrviton/test/cloth/00006_00.jpg", "cloth/00006_00.jpg"),
    ("hrviton/test/cloth-mask/00006_00.jpg", "cloth-mask/00006_00.jpg"),
    ("hrviton/test/image-parse-v3/00006_00.png", "image-parse/00006_00.png"),
    ("hrviton/test/openpose_json/00006_00_keypoints.json", "openpose-json/00006_00_keypoints.json"),
    ("vitonhd/test/image/00891_00.jpg", "image/00891_00.jpg"),
    ("vitonhd/test/cloth/11791_00.jpg", "cloth/11791_00.jpg"),
    ("vitonhd/test/cloth-mask/11791_00.jpg", "cloth-mask/11791_00.jpg"),
    ("vitonhd/test/image-parse/00891_00.png", "image-parse/00891_00.png"),
    ("vitonhd/test/openpose-json/00891_00_keypoints.json", "openpose-json/00891_00_keypoints.json"),
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", default=str(ROOT.parent / "shared" / "samples"))
    ap.add_argument("--steps", type=int, default=120)
    ap.add_argument("--every", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "two_pairs"
        for src, dst in _LINKS:
            (root / "train" / dst).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(Path(args.samples) / src, root / "train" / dst)
        (root / "train_pairs.txt").write_text("00006_00.jpg 00006_00.jpg\n00891_00.jpg 11791_00.jpg\n")
        cfg = load_config(
            ROOT / "configs" / "overfit_tiny.yaml",
            [f"data.dataroot={root}", f"train.steps={args.steps}", f"train.decay_start={args.steps}",
             f"train.out_dir={Path(tmp) / 'out'}", "train.log_every=0"],
        )  # fmt: skip
        trainer = Trainer(cfg)
        batch = collate_train([trainer.dataset.get(0, epoch=0), trainer.dataset.get(1, epoch=0)], size_hw=(64, 48))
        target = batch.inputs.person * batch.inputs.person_clothes_mask

        def row(label: str, warped: torch.Tensor) -> str:
            per = [float((warped[i] - target[i]).abs().mean() / 2) for i in range(2)]
            return f"| {label} | {float(warp_region_l1(warped, batch.inputs)):.4f} | {per[0]:.4f} | {per[1]:.4f} |"

        def learned() -> torch.Tensor:
            trainer.networks.eval()
            with torch.no_grad():
                out = trainer.networks(batch.inputs, None, False)["warped"]
            trainer.networks.train()
            return out

        r = batch.raw
        cl = classical_tryon(r.image, r.cloth, r.pose, garment_mask=r.cloth_mask, parse=r.parse)
        print("| step | warp L1 (both) | pair 1 (paired) | pair 2 (unpaired) |\n|---|---|---|---|")
        print(row("classical TPS warp", (cl.warped_garment * 2 - 1) * cl.warped_mask))
        print(row("0", learned()))
        trainer.fit(on_step=lambda s, _: print(row(str(s), learned())) if s % args.every == 0 else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
