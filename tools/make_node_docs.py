"""Write the node help pages the ComfyUI frontend shows (web/docs/<NodeId>.md) from the nodes' own descriptions.

usage: python tools/make_node_docs.py     (from the repository root; rewrites web/docs/*.md)

Each page: the node's DESCRIPTION, its inputs and outputs with their tooltips, and, for some nodes, a hand-written
usage section (`USAGE` below). tests/nodes/test_help_pages.py fails when a page is missing or out of date.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "web" / "docs"

USAGE = {
    "KfvtonQuickTryOn": """\
## Usage

Connect a person photo and a garment photo (flat, front view, plain background) and run: that is all. The node
finds the person's pose (a connected pose first, else an ONNX pose model in `models/kfvton/pose/`, else the default
estimator) and, without a parse map, estimates head, arms and old clothes from the pose and the silhouette.
The **report** output says which estimators were used and warns about what to check.

- Trousers, shorts, skirts, dresses: set **category** to *lower* or *dress* (the photo must show hips and knees),
  or *auto* to read it from the garment photo's shape. **tuck**: *in* puts a top's hem inside the trousers / skirt
  (for a lower garment: the person's top inside the new waistband), *out* over them, *auto* as the photo shows
  (without a parse map or estimated regions: *out*). The report names the category and tuck used and why.
- Better placement: connect a pose from a DWPose / OpenPose node (**pose_keypoint**).
- Cleaner arms and hair: connect a parse map (**KF-VTON Human Parser** or **Load Parse Map**).
- Photoreal seams and skin: feed **image** and **refine_mask** to an inpainting sampler at denoise 0.3-0.45 (the
  template *kfvton_02_refine_with_diffusion*); outside the refine mask the garment's print stays exact.
- **garment_mask** plugs into the mask input of other try-on packs.

No model file and no download are needed.
""",
    "KfvtonClassicalTryOn": """\
## Usage

The classical try-on with every intermediate result: use it when you already have the pose (Load Pose JSON, Pose
Estimator) and want the warp, the keypoints (for the Keypoint Editor) or the warped garment. For two photos in
and a try-on out, **KF-VTON Quick Try-On** does the pose and regions itself.
""",
}


def _load_pack():
    spec = importlib.util.spec_from_file_location(
        "kfvton_pack", ROOT / "__init__.py", submodule_search_locations=[str(ROOT)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _kind(spec: tuple) -> str:
    kind = spec[0]
    if isinstance(kind, (list, tuple)):
        return "choice"
    return str(kind)


def page(node_id: str, cls: type, display_name: str) -> str:
    """The help page of one node, as markdown."""
    lines = [f"# {display_name}", "", cls.DESCRIPTION, ""]
    spec = cls.INPUT_TYPES()
    for section, title in (("required", "Inputs"), ("optional", "Optional inputs")):
        items = spec.get(section) or {}
        if not items:
            continue
        lines += [f"## {title}", ""]
        for name, s in items.items():
            opts = s[1] if len(s) > 1 and isinstance(s[1], dict) else {}
            default = f" Default: `{opts['default']}`." if "default" in opts else ""
            lines.append(f"- **{name}** ({_kind(s)}): {opts.get('tooltip', '')}{default}")
        lines.append("")
    lines += ["## Outputs", ""]
    tips = getattr(cls, "OUTPUT_TOOLTIPS", ("",) * len(cls.RETURN_TYPES))
    for name, kind, tip in zip(cls.RETURN_NAMES, cls.RETURN_TYPES, tips, strict=True):
        lines.append(f"- **{name}** ({kind}): {tip}")
    lines.append("")
    if node_id in USAGE:
        lines += [USAGE[node_id]]
    lines.append(f"Category: `{cls.CATEGORY}` · node id `{node_id}` · more in the pack's docs/ folder.")
    return "\n".join(lines) + "\n"


def main() -> int:
    pack = _load_pack()
    DOCS.mkdir(parents=True, exist_ok=True)
    for node_id, cls in pack.NODE_CLASS_MAPPINGS.items():
        (DOCS / f"{node_id}.md").write_text(
            page(node_id, cls, pack.NODE_DISPLAY_NAME_MAPPINGS[node_id]), encoding="utf-8"
        )
    print(f"wrote {len(pack.NODE_CLASS_MAPPINGS)} pages to {DOCS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
