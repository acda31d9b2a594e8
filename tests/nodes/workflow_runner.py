"""A small executor for UI-format ComfyUI workflows (as the frontend saves them), for tests without ComfyUI.

It does what ComfyUI does with a saved workflow, in the simplest way that is still faithful:
  * `widgets_values` are mapped onto the node's widget inputs in `INPUT_TYPES` order (required, then optional),
    skipping the frontend's pseudo-widgets (the `control_after_generate` value after a seed, the upload button
    of image loaders); a dict `widgets_values` is read by name;
  * links feed an input from an upstream node's output slot; a linked widget takes the linked value;
  * nodes run in topological order; muted nodes (mode 2) are skipped, UI-only nodes (notes, reroutes) are
    resolved away; bypassed nodes (mode 4) are not supported and raise.
Core nodes that need a ComfyUI server (LoadImage, PreviewImage, SaveImage, ...) are replaced by stand-ins that
read images from `input_dirs` and record what they are given. Combo values that name a file found in
`input_dirs` (like ComfyUI's input/ folder) are replaced by that file's absolute path, so nodes that accept
"a file in input/ or a path" read the same file here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageOps

__all__ = ["WorkflowResult", "load_workflow", "run_ui_workflow", "STAND_INS", "find_input_file"]

UI_ONLY = {"Note", "MarkdownNote"}
WIDGET_TYPES = {"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"}
CONTROL_VALUES = {"fixed", "increment", "decrement", "randomize"}


def find_input_file(name: str, input_dirs: Sequence[Path]) -> Path | None:
    """The first `dir/name`, else the first file with `name`'s basename found under the dirs (in order)."""
    for d in input_dirs:
        p = Path(d) / name
        if p.is_file():
            return p
    base = Path(name).name
    for d in input_dirs:
        hits = sorted(Path(d).rglob(base))
        hits = [h for h in hits if h.is_file()]
        if hits:
            return hits[0]
    return None


# ------------------------------------------------------------------------------------------------------------
# stand-ins for core nodes
# ------------------------------------------------------------------------------------------------------------
class _LoadImage:
    """ComfyUI's LoadImage: (1, H, W, 3) IMAGE and a (1, H, W) MASK = 1 - alpha ((1, 64, 64) zeros without alpha)."""

    input_dirs: Sequence[Path] = ()

    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"image": ([], {"image_upload": True})}}

    RETURN_TYPES = ("IMAGE", "MASK")
    FUNCTION = "load_image"

    def load_image(self, image):
        path = Path(image) if Path(image).is_file() else find_input_file(image, self.input_dirs)
        if path is None:
            raise FileNotFoundError(f"LoadImage stand-in: {image!r} not found in {list(map(str, self.input_dirs))}")
        img = ImageOps.exif_transpose(Image.open(path))
        rgb = torch.from_numpy(np.asarray(img.convert("RGB"), dtype=np.float32) / 255.0)[None]
        if "A" in img.getbands():
            mask = 1.0 - torch.from_numpy(np.asarray(img.getchannel("A"), dtype=np.float32) / 255.0)[None]
        else:
            mask = torch.zeros((1, 64, 64), dtype=torch.float32)
        return (rgb, mask)


class _LoadImageMask:
    """ComfyUI's LoadImageMask: one channel of an image as a (1, H, W) MASK (alpha is inverted, as in ComfyUI)."""

    input_dirs: Sequence[Path] = ()

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "image": ([], {"image_upload": True}),
                "channel": (["alpha", "red", "green", "blue"],),
            }
        }

    RETURN_TYPES = ("MASK",)
    FUNCTION = "load_image"

    def load_image(self, image, channel):
        path = Path(image) if Path(image).is_file() else find_input_file(image, self.input_dirs)
        if path is None:
            raise FileNotFoundError(f"LoadImageMask stand-in: {image!r} not found")
        img = ImageOps.exif_transpose(Image.open(path))
        band = {"alpha": "A", "red": "R", "green": "G", "blue": "B"}[channel]
        if band not in img.getbands():
            img = img.convert("RGBA")
        arr = torch.from_numpy(np.asarray(img.getchannel(band), dtype=np.float32) / 255.0)[None]
        return ((1.0 - arr) if band == "A" else arr,)


class _Recorder:
    """PreviewImage / SaveImage: keep the images they were given."""

    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"images": ("IMAGE",)}, "optional": {"filename_prefix": ("STRING", {"default": "x"})}}

    RETURN_TYPES = ()
    FUNCTION = "save_images"
    OUTPUT_NODE = True

    def save_images(self, images, filename_prefix="x"):
        if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
            raise ValueError(f"{type(self).__name__} stand-in: expected IMAGE (B, H, W, C), got {_describe(images)}")
        return {"ui": {"images": [images]}}


class _PreviewImage(_Recorder):
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"images": ("IMAGE",)}}


class _SaveImage(_Recorder):
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"images": ("IMAGE",), "filename_prefix": ("STRING", {"default": "ComfyUI"})}}


class _MaskToImage:
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"mask": ("MASK",)}}

    RETURN_TYPES = ("IMAGE",)
    FUNCTION = "mask_to_image"

    def mask_to_image(self, mask):
        return (mask.reshape((-1, 1, *mask.shape[-2:])).movedim(1, -1).expand(-1, -1, -1, 3),)


class _ImageBatch:
    """ComfyUI's ImageBatch: image2 resized (bilinear) to image1's size when they differ, then concatenated."""

    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"image1": ("IMAGE",), "image2": ("IMAGE",)}}

    RETURN_TYPES = ("IMAGE",)
    FUNCTION = "batch"

    def batch(self, image1, image2):
        if image2.shape[1:3] != image1.shape[1:3]:
            image2 = torch.nn.functional.interpolate(
                image2.movedim(-1, 1), size=tuple(image1.shape[1:3]), mode="bilinear", align_corners=False
            ).movedim(1, -1)
        return (torch.cat((image1, image2)),)


class _PreviewAny:
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"source": ("*",)}}

    RETURN_TYPES = ()
    FUNCTION = "main"
    OUTPUT_NODE = True

    def main(self, source):
        return {"ui": {"text": [str(source)]}}


class _StandInModel:
    """What the diffusion stand-ins pass along as MODEL, CLIP and VAE (no network: the graph is what is tested)."""

    def __init__(self, kind: str, ckpt_name: str) -> None:
        self.kind, self.ckpt_name = kind, ckpt_name


class _CheckpointLoaderSimple:
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"ckpt_name": (["sd-v1-5-inpainting.safetensors"],)}}

    RETURN_TYPES = ("MODEL", "CLIP", "VAE")
    FUNCTION = "load_checkpoint"

    def load_checkpoint(self, ckpt_name):
        return tuple(_StandInModel(kind, ckpt_name) for kind in self.RETURN_TYPES)


class _CLIPTextEncode:
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"text": ("STRING", {"multiline": True}), "clip": ("CLIP",)}}

    RETURN_TYPES = ("CONDITIONING",)
    FUNCTION = "encode"

    def encode(self, clip, text):
        if not isinstance(clip, _StandInModel) or clip.kind != "CLIP":
            raise ValueError(f"CLIPTextEncode stand-in: expected CLIP, got {_describe(clip)}")
        return ([{"text": text}],)


class _InpaintModelConditioning:
    """Core InpaintModelConditioning with an identity 'VAE': the latent is the image, the noise mask the mask."""

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "positive": ("CONDITIONING",),
                "negative": ("CONDITIONING",),
                "vae": ("VAE",),
                "pixels": ("IMAGE",),
                "mask": ("MASK",),
                "noise_mask": ("BOOLEAN", {"default": True}),
            }
        }

    RETURN_TYPES = ("CONDITIONING", "CONDITIONING", "LATENT")
    FUNCTION = "encode"

    def encode(self, positive, negative, pixels, vae, mask, noise_mask=True):
        if mask.shape[-2:] != pixels.shape[1:3]:
            raise ValueError(
                f"InpaintModelConditioning stand-in: mask {tuple(mask.shape)} vs pixels {tuple(pixels.shape)}"
            )
        latent = {"samples": pixels.clone()}
        if noise_mask:
            latent["noise_mask"] = mask.reshape((-1, 1, *mask.shape[-2:]))
        return (positive, negative, latent)


class _KSampler:
    """Core KSampler's contract; 'denoising' blurs the latent inside its noise mask, by `denoise`."""

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "model": ("MODEL",),
                "seed": ("INT", {"default": 0, "control_after_generate": True}),
                "steps": ("INT", {"default": 20}),
                "cfg": ("FLOAT", {"default": 8.0}),
                "sampler_name": (["euler", "dpmpp_2m"],),
                "scheduler": (["normal", "karras"],),
                "positive": ("CONDITIONING",),
                "negative": ("CONDITIONING",),
                "latent_image": ("LATENT",),
                "denoise": ("FLOAT", {"default": 1.0}),
            }
        }

    RETURN_TYPES = ("LATENT",)
    FUNCTION = "sample"

    def sample(self, model, seed, steps, cfg, sampler_name, scheduler, positive, negative, latent_image, denoise=1.0):
        x = latent_image["samples"]
        blurred = torch.nn.functional.avg_pool2d(x.movedim(-1, 1), 9, stride=1, padding=4).movedim(1, -1)
        mask = latent_image.get("noise_mask", torch.ones(1, 1, *x.shape[1:3]))[:, 0, :, :, None]
        return ({"samples": x + denoise * mask * (blurred - x)},)


class _VAEDecode:
    """Identity 'VAE' decode, with the small change everywhere that a real VAE round trip makes."""

    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"samples": ("LATENT",), "vae": ("VAE",)}}

    RETURN_TYPES = ("IMAGE",)
    FUNCTION = "decode"

    def decode(self, vae, samples):
        return ((samples["samples"] * 0.98 + 0.01).clamp(0, 1),)


class _ImageCompositeMasked:
    """Core ImageCompositeMasked for a source of the destination's size at (0, 0)."""

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "destination": ("IMAGE",),
                "source": ("IMAGE",),
                "x": ("INT", {"default": 0}),
                "y": ("INT", {"default": 0}),
                "resize_source": ("BOOLEAN", {"default": False}),
            },
            "optional": {"mask": ("MASK",)},
        }

    RETURN_TYPES = ("IMAGE",)
    FUNCTION = "composite"

    def composite(self, destination, source, x, y, resize_source, mask=None):
        if (x, y) != (0, 0) or source.shape != destination.shape:
            raise NotImplementedError("ImageCompositeMasked stand-in: only a same-size source at (0, 0)")
        m = torch.ones(destination.shape[:3]) if mask is None else mask.reshape((-1, *destination.shape[1:3]))
        return (destination * (1 - m[..., None]) + source * m[..., None],)


#: Core node type -> stand-in class. Tests may pass more with `stand_ins=`.
STAND_INS: dict[str, type] = {
    "LoadImage": _LoadImage,
    "LoadImageMask": _LoadImageMask,
    "PreviewImage": _PreviewImage,
    "SaveImage": _SaveImage,
    "MaskToImage": _MaskToImage,
    "ImageBatch": _ImageBatch,
    "PreviewAny": _PreviewAny,
    # the core inpainting graph of example_workflows/kfvton_02_refine_with_diffusion.json, without a model
    "CheckpointLoaderSimple": _CheckpointLoaderSimple,
    "CLIPTextEncode": _CLIPTextEncode,
    "InpaintModelConditioning": _InpaintModelConditioning,
    "KSampler": _KSampler,
    "VAEDecode": _VAEDecode,
    "ImageCompositeMasked": _ImageCompositeMasked,
}


def _describe(x: Any) -> str:
    if isinstance(x, torch.Tensor):
        return f"Tensor{tuple(x.shape)}"
    return type(x).__name__


# ------------------------------------------------------------------------------------------------------------
# the executor
# ------------------------------------------------------------------------------------------------------------
@dataclass
class WorkflowResult:
    """What a run produced.

    Attributes:
        outputs: node id -> the tuple its function returned (the "result" part for nodes returning a dict).
        ui: node id -> the "ui" dict of output nodes (stand-in Preview/SaveImage: {"images": [IMAGE]}).
        order: node ids in the order they ran.
        types: node id -> node type.
    """

    outputs: dict[int, tuple] = field(default_factory=dict)
    ui: dict[int, dict] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)
    types: dict[int, str] = field(default_factory=dict)

    def images(self, node_type: str) -> list[torch.Tensor]:
        """All IMAGE batches recorded by output nodes of `node_type` (e.g. "SaveImage"), in run order."""
        return [
            img for nid in self.order if self.types[nid] == node_type for img in self.ui.get(nid, {}).get("images", [])
        ]


def load_workflow(path: str | Path) -> dict:
    with open(path, encoding="utf-8") as f:
        wf = json.load(f)
    if not (isinstance(wf, dict) and "nodes" in wf and "links" in wf):
        raise ValueError(f"{path}: not a UI-format workflow (expected top-level 'nodes' and 'links')")
    return wf


def _spec_type_opts(spec: Any) -> tuple[Any, dict]:
    if not isinstance(spec, (list, tuple)) or not spec:
        return None, {}
    t = spec[0]
    opts = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
    return t, opts


def _is_widget(spec: Any, forced: bool) -> bool:
    t, opts = _spec_type_opts(spec)
    if isinstance(t, (list, tuple)):
        return True
    if opts.get("forceInput") and not forced:
        return False
    return t in WIDGET_TYPES


def _widget_slots(input_types: dict, forced: set[str]) -> list[tuple[str, str | None]]:
    """[(input name, pseudo)]: widget inputs in frontend order; pseudo = "control" / "upload" for pseudo-widgets."""
    slots: list[tuple[str, str | None]] = []
    for section in ("required", "optional"):
        for name, spec in (input_types.get(section) or {}).items():
            if not _is_widget(spec, name in forced):
                continue
            slots.append((name, None))
            t, opts = _spec_type_opts(spec)
            if opts.get("image_upload") or opts.get("video_upload") or opts.get("audio_upload"):
                slots.append((name, "upload"))
            if t == "INT" and (opts.get("control_after_generate") or name in ("seed", "noise_seed")):
                slots.append((name, "control"))
    return slots


def _map_widgets(node: dict, input_types: dict) -> dict[str, Any]:
    values = node.get("widgets_values")
    if values is None:
        return {}
    if isinstance(values, dict):
        return dict(values)
    forced = {x["name"] for x in node.get("inputs") or [] if isinstance(x.get("widget"), dict)}
    out: dict[str, Any] = {}
    vi = 0
    for name, pseudo in _widget_slots(input_types, forced):
        if vi >= len(values):
            break
        v = values[vi]
        if pseudo == "control":
            if isinstance(v, str) and v in CONTROL_VALUES:
                vi += 1
            continue
        if pseudo == "upload":
            if v in ("image", "video", "audio", "upload", None):
                vi += 1
            continue
        out[name] = v
        vi += 1
    # widgets added to a node after the workflow was saved get their defaults, as the frontend creates them
    specs = {**(input_types.get("required") or {}), **(input_types.get("optional") or {})}
    for name, pseudo in _widget_slots(input_types, forced):
        if pseudo is None and name not in out:
            t, opts = _spec_type_opts(specs[name])
            if "default" in opts:
                out[name] = opts["default"]
            elif isinstance(t, (list, tuple)) and t:
                out[name] = t[0]
    return out


def _toposort(ids: list[int], deps: dict[int, set[int]]) -> list[int]:
    order: list[int] = []
    state: dict[int, int] = {}

    def visit(n: int, stack: tuple[int, ...]) -> None:
        if state.get(n) == 2:
            return
        if state.get(n) == 1:
            raise ValueError(f"workflow has a cycle through nodes {stack + (n,)}")
        state[n] = 1
        for d in sorted(deps.get(n, ())):
            visit(d, stack + (n,))
        state[n] = 2
        order.append(n)

    for n in ids:
        visit(n, ())
    return order


def run_ui_workflow(
    workflow: dict | str | Path,
    node_classes: Mapping[str, type],
    *,
    input_dirs: Sequence[Path] = (),
    stand_ins: Mapping[str, type] | None = None,
    widget_overrides: Mapping[str, Mapping[str, Any]] | None = None,
    on_node: Callable[[int, str, dict], None] | None = None,
) -> WorkflowResult:
    """Run a UI-format workflow through node classes (ours + stand-ins), in graph order.

    Args:
        workflow: the parsed JSON or a path to it.
        node_classes: node type -> class (usually the pack's NODE_CLASS_MAPPINGS).
        input_dirs: where LoadImage stand-ins and file combos look for files, in order (first match wins).
        stand_ins: extra/overriding stand-ins for non-pack node types.
        widget_overrides: node type -> {input name: value} forced onto every node of that type (e.g. a model
            file combo pointed at a tiny checkpoint made in tmp_path).
        on_node: called with (node id, node type, kwargs) before each node runs.
    """
    wf = load_workflow(workflow) if isinstance(workflow, (str, Path)) else workflow
    input_dirs = [Path(d) for d in input_dirs]
    classes: dict[str, type] = {}
    for name, cls in {**STAND_INS, **(stand_ins or {})}.items():
        if hasattr(cls, "input_dirs"):
            cls = type(cls.__name__, (cls,), {"input_dirs": tuple(input_dirs)})
        classes[name] = cls
    classes.update(node_classes)

    nodes = {int(n["id"]): n for n in wf["nodes"]}
    links: dict[int, tuple[int, int]] = {}
    for link in wf.get("links") or []:
        if isinstance(link, dict):
            links[int(link["id"])] = (int(link["origin_id"]), int(link["origin_slot"]))
        else:
            links[int(link[0])] = (int(link[1]), int(link[2]))

    def source(link_id: int, depth: int = 0) -> tuple[int, int]:
        """Follow reroutes to the producing (node id, slot)."""
        if depth > 100 or link_id not in links:
            raise ValueError(f"link {link_id} is missing or loops through reroutes")
        origin, slot = links[link_id]
        if nodes[origin]["type"] == "Reroute":
            ins = nodes[origin].get("inputs") or []
            if not ins or ins[0].get("link") is None:
                raise ValueError(f"Reroute node {origin} is not connected")
            return source(int(ins[0]["link"]), depth + 1)
        return origin, slot

    runnable = []
    deps: dict[int, set[int]] = {}
    for nid, node in nodes.items():
        ntype = node["type"]
        if ntype in UI_ONLY or ntype == "Reroute" or node.get("mode", 0) == 2:
            continue
        if node.get("mode", 0) == 4:
            raise NotImplementedError(f"node {nid} ({ntype}) is bypassed; the test runner does not bypass nodes")
        if ntype not in classes:
            raise KeyError(f"node {nid}: unknown node type {ntype!r} (not in the pack nor a stand-in)")
        runnable.append(nid)
        deps[nid] = {source(int(x["link"]))[0] for x in node.get("inputs") or [] if x.get("link") is not None}

    result = WorkflowResult()
    runnable_set = set(runnable)
    deps = {n: {d for d in ds if d in runnable_set} for n, ds in deps.items()}  # muted sources feed nothing
    for nid in _toposort(sorted(runnable), deps):
        node = nodes[nid]
        ntype = node["type"]
        cls = classes[ntype]
        input_types = cls.INPUT_TYPES()
        specs = {**(input_types.get("required") or {}), **(input_types.get("optional") or {})}
        kwargs = _map_widgets(node, input_types)
        kwargs.update((widget_overrides or {}).get(ntype, {}))
        for name, value in list(kwargs.items()):
            t, _ = _spec_type_opts(specs.get(name))
            if isinstance(t, (list, tuple)) and isinstance(value, str) and value and input_dirs:
                found = find_input_file(value, input_dirs)
                if found is not None and not Path(value).is_file():
                    kwargs[name] = str(found)
        for x in node.get("inputs") or []:
            if x.get("link") is None:
                continue
            name = x["widget"]["name"] if isinstance(x.get("widget"), dict) else x["name"]
            origin, slot = source(int(x["link"]))
            if origin not in result.outputs:
                raise ValueError(
                    f"node {nid} ({ntype}) input {name!r}: source node {origin} produced no outputs (muted?)"
                )
            kwargs[name] = result.outputs[origin][slot]
        unknown = set(kwargs) - set(specs)
        for name in unknown:
            kwargs.pop(name)
        missing = [n for n in (input_types.get("required") or {}) if n not in kwargs]
        if missing:
            raise ValueError(f"node {nid} ({ntype}): required inputs without a value or link: {missing}")
        if on_node is not None:
            on_node(nid, ntype, kwargs)
        out = getattr(cls(), cls.FUNCTION)(**kwargs)
        if isinstance(out, dict):
            result.ui[nid] = out.get("ui") or {}
            out = out.get("result") or ()
        if not isinstance(out, tuple):
            raise TypeError(f"node {nid} ({ntype}) returned {type(out).__name__}, expected a tuple")
        if len(out) != len(cls.RETURN_TYPES):
            raise ValueError(f"node {nid} ({ntype}) returned {len(out)} values for {len(cls.RETURN_TYPES)} outputs")
        result.outputs[nid] = out
        result.order.append(nid)
        result.types[nid] = ntype
    return result
