"""`python -m kfvton tryon`: try a garment photo on a person photo from the command line.

    python -m kfvton tryon --person P.jpg --garment G.jpg [--pose P_keypoints.json] --out out/tryon.png \
        [--garment-mask M.png] [--parse P.png | --parser-model F.onnx | --no-regions] [--save-intermediates DIR]

Without a parse map the person's regions (hair, face, neck, arms, old upper garment, lower garment, legs) are
estimated by default (`estimate_person_regions`), so the old garment is replaced and hair stays in front.

The classical pipeline (`classical_tryon`, no weights) runs; the learned KF-VTON path plugs in here as another
branch of `run` (a `--checkpoint` option). Every input is checked before any heavy work and errors name the
option (`--pose: ...`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from .._atomic import write_text_atomic
from .._checks import check_device, check_output_file, check_output_folder
from ..geometry.grid import resize_to
from ..keypoints.draw import draw_correspondences
from ..keypoints.estimate import DEFAULT_POSE_DIR, PoseEstimate
from ..keypoints.formats import read_pose_json
from ..keypoints.placement import TUCK_MODES
from ..keypoints.pose import BODY25_JOINTS
from ..preprocess.garment_checks import check_garment_not_blank, check_garment_photo
from ..preprocess.io import IMAGE_EXTENSIONS, load_image_rgba, load_mask, save_image, save_mask
from ..preprocess.parse_labels import LABEL_SETS, read_parse_labels, write_parse_file
from ..preprocess.parsing_onnx import parse_human_onnx
from .classical import ClassicalTryOn
from .learned_cli import add_learned_arguments, run_learned, wants_learned
from .quick import estimate_person_pose, person_regions, quick_tryon

__all__ = ["add_arguments", "run", "resolve_pose_estimate", "write_intermediates"]

_LOG = logging.getLogger("kfvton")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--person", required=True, help="person photo (JPEG/PNG)")
    parser.add_argument("--garment", required=True, help="garment photo, flat and front view, on a plain background")
    parser.add_argument(
        "--pose",
        help="the person's keypoints: OpenPose JSON (BODY_25 or OpenPose-18/COCO-18), a saved POSE_KEYPOINT JSON "
        "or a Dress Code keypoints/NNNNNN_2.json",
    )
    parser.add_argument(
        "--pose-model",
        help="without --pose: a DWPose/RTMPose SimCC ONNX file (e.g. dw-ll_ucoco_384.onnx) to estimate the pose with",
    )
    parser.add_argument(
        "--detector-model",
        help="YOLOX person detector ONNX file (e.g. yolox_l.onnx); default: found in --pose-dir or next to "
        "--pose-model; 'none' = the whole photo is the person",
    )
    parser.add_argument(
        "--pose-dir",
        action="append",
        help=f"folder with pose model files, searched by their usual names (default: {DEFAULT_POSE_DIR}); repeatable",
    )
    parser.add_argument("--no-mediapipe", action="store_true", help="never fall back to MediaPipe pose")
    parser.add_argument("--garment-mask", help="garment mask (white = garment); computed from the photo if absent")
    parser.add_argument(
        "--parse", help="person parse map (label PNG, see --parse-labels): keeps head/arms/legs in front"
    )
    parser.add_argument(
        "--parse-labels",
        default="auto",
        choices=["auto", *LABEL_SETS],
        help="label set of --parse: vitonhd (LIP-20, VITON-HD), lip, cihp, atr, dresscode (Dress Code label_maps); "
        "auto (default) tells the LIP family from the 18-label ATR/Dress Code family",
    )
    parser.add_argument(
        "--parser-model",
        help="without --parse: a human parser ONNX file (LIP-20 / ATR-18 / CIHP-20, SCHP-like) to parse the person with",
    )
    parser.add_argument(
        "--estimate-regions",
        action="store_true",
        help="accepted and ignored (kept so saved commands still run): regions are estimated by default now",
    )
    parser.add_argument(
        "--no-regions",
        action="store_true",
        help="without --parse: do not estimate the person's regions (the old garment then stays visible around "
        "the new one; for debugging)",
    )
    parser.add_argument(
        "--category",
        default="upper",
        choices=["upper", "lower", "dress", "auto"],
        help="garment category: upper (tops, default), lower (trousers, shorts, skirts), dress, or auto (decided "
        "from the garment photo's shape and printed)",
    )
    parser.add_argument(
        "--tuck",
        choices=TUCK_MODES,
        default="auto",
        help="in: the hem goes into the trousers/skirt; out: it lies over them at the garment's own length; "
        "auto (default): as the person photo shows (read from the parse map or the estimated regions); for tops, and "
        "for the person's top when the garment is a lower one",
    )
    parser.add_argument("--out", required=True, help="output image path (PNG/JPEG)")
    parser.add_argument(
        "--save-intermediates",
        metavar="DIR",
        help="also write warped_garment.png, warped_mask.png, refine_mask.png, keypoints.json, keypoints_overlay.png to DIR",
    )
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda (default cpu)")
    add_learned_arguments(parser)


def resolve_pose_estimate(
    pose_path: str | os.PathLike | None,
    person: torch.Tensor,
    *,
    pose_model: str | None = None,
    detector_model: str | None = None,
    pose_dirs: list[str] | None = None,
    use_mediapipe: bool = True,
) -> PoseEstimate:
    """The person's pose for the command line and where it came from: a `pose_path` is read as it is; without one
    the pose is estimated from the photo (`estimate_person_pose`) and the method used is printed.

    Args:
        pose_path: an OpenPose / POSE_KEYPOINT / Dress Code keypoint JSON file, or None.
        person: (1, 3, H, W) the person image (its size is the pose's canvas).
        pose_model, detector_model: ONNX files (`--pose-model`, `--detector-model`; "none" = no detector).
        pose_dirs: folders searched for pose files by name (default `DEFAULT_POSE_DIR`).
        use_mediapipe: allow MediaPipe as the last resort.

    Returns:
        `PoseEstimate`: the pose, the method ("given" for a file), and MediaPipe's person mask and face outline
        when it estimated.

    Raises:
        PoseUnavailableError (a FileNotFoundError) when nothing can give a pose, saying what to install or which
        file to put where; errors of the JSON reader or of the chosen estimator otherwise.
    """
    if pose_path is not None:
        read = read_pose_json(pose_path, tuple(person.shape[-2:]), name="--pose")
        for note in read.notes:
            print(note)
        return PoseEstimate(read.pose, "given", str(pose_path))
    result = estimate_person_pose(
        person,
        pose_model=pose_model,
        detector_model=detector_model,
        pose_dirs=pose_dirs or None,
        use_mediapipe=use_mediapipe,
        name="--person",
    )
    print(result.describe())
    return result


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    learned = wants_learned(args)  # checks the checkpoint options before any heavy work
    check_output_file(args.out, "--out", IMAGE_EXTENSIONS)
    if args.save_intermediates:
        check_output_folder(args.save_intermediates, "--save-intermediates")
    device = check_device(args.device, "--device")
    person, _ = load_image_rgba(args.person, "--person")
    garment, garment_alpha = load_image_rgba(args.garment, "--garment")
    check_garment_not_blank(garment, name="--garment")
    garment_notes: tuple[str, ...] = ()
    if not args.garment_mask and garment_alpha is None:  # a person wearing it is refused before the pose
        garment_notes = check_garment_photo(garment, name="--garment")
    estimate = resolve_pose_estimate(
        args.pose,
        person,
        pose_model=args.pose_model,
        detector_model=args.detector_model,
        pose_dirs=args.pose_dir,
        use_mediapipe=not args.no_mediapipe,
    )
    pose = estimate.pose
    for warning in garment_notes:
        print(f"warning: {warning}")
    garment_mask = load_mask(args.garment_mask, "--garment-mask") if args.garment_mask else None
    if garment_mask is None and garment_alpha is not None:
        garment_mask = (garment_alpha > 0.5).float()
        _LOG.info("using the garment photo's alpha channel as its mask")
    parse = None
    if args.parse:
        parsed_file = read_parse_labels(args.parse, label_set=args.parse_labels, name="--parse")
        parse = parsed_file.parse
        print(f"parse: {parsed_file.describe()}" if parsed_file.how != "given" else f"parse: file {args.parse}")
    if parse is None and args.parser_model:
        parsed = parse_human_onnx(person, args.parser_model)
        parse = parsed.parse
        print(f"parse: parser {os.path.basename(args.parser_model)} ({parsed.label_set})")
    found = person_regions(
        person,
        pose=estimate,
        parse=parse,
        estimate_missing_regions=not args.no_regions,
        use_mediapipe=not args.no_mediapipe,
    )
    if parse is None and args.no_regions:
        print("regions: none (--no-regions): the old garment stays visible where the new one does not cover it")
    elif parse is None:
        print(f"regions: {found.regions}")
    for warning in found.warnings:
        print(f"warning: {warning}")
    parse = found.parse
    _check_sizes(person, garment, garment_mask, parse)
    garment, garment_mask = _fit_garment(garment, garment_mask, person.shape[-2:])
    if learned:
        return run_learned(args, person, garment, garment_mask, pose, parse)

    quick = quick_tryon(
        person.to(device),
        garment.to(device),
        pose=pose.to(device),
        garment_mask=None if garment_mask is None else garment_mask.to(device),
        parse=None if parse is None else parse.to(device),
        category=args.category,
        tuck=args.tuck,
        estimate_missing_regions=False,
        garment_checked=True,  # (`check_garment_photo` ran above, before the pose)
    )
    result = quick.tryon
    for warning in (*result.warnings, *quick.placement_warnings):
        print(f"kfvton tryon: warning: {warning}", file=sys.stderr)
    save_image(result.image, args.out)
    if args.save_intermediates:
        write_intermediates(
            result,
            garment,
            person,
            Path(args.save_intermediates),
            sources={"person": args.person, "garment": args.garment},
            parse=parse,
        )
    elapsed = time.perf_counter() - started
    print(
        f"wrote {args.out} (classical try-on, garment mask: {result.mask_method}, "
        f"{_kind_text(result)}, {elapsed:.2f} s)"
    )
    return 0


#: A garment photo with more than this many times the person photo's pixels is downscaled to the person's count.
GARMENT_AREA_FACTOR = 2.0


def _fit_garment(
    garment: torch.Tensor, garment_mask: torch.Tensor | None, person_hw: tuple[int, int]
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Downscale (antialiased) a garment photo far larger than the person photo to the person's pixel count.

    The garment is sampled into the person frame, where its extra pixels cannot show (and point sampling a much
    larger picture aliases its print), while the mask and landmark steps cost time and memory per pixel. The
    downscale is printed.
    """
    gh, gw = garment.shape[-2:]
    area = gh * gw
    target = person_hw[0] * person_hw[1]
    if area <= GARMENT_AREA_FACTOR * target:
        return garment, garment_mask
    scale = (target / area) ** 0.5
    size = (max(1, round(gh * scale)), max(1, round(gw * scale)))
    garment = resize_to(garment, size).clamp(0, 1)
    if garment_mask is not None:
        garment_mask = (F.interpolate(garment_mask, size=size, mode="area") > 0.5).float()
    print(
        f"--garment: downscaled from {gw}x{gh} to {size[1]}x{size[0]} (W x H), the person photo's pixel count; "
        "a larger garment photo adds time and memory but no detail"
    )
    return garment, garment_mask


def _kind_text(result: ClassicalTryOn) -> str:
    """ "sleeves: long, cut: regular, tuck: in" for tops; "category: ..., kind: ..." for lower garments and dresses."""
    tuck = f", tuck: {result.tuck[0]}" if result.tuck else ""
    cuts = getattr(result.landmarks, "cuts", ())
    tuck = (f", cut: {cuts[0]}" if cuts else "") + tuck
    if result.category == "upper" and result.category_reason == "given":
        return f"sleeves: {result.landmarks.sleeves[0]}{tuck}"
    kind = result.landmarks.sleeves[0] if result.category == "upper" else result.landmarks.kinds[0]
    return f"category: {result.category_reason}, kind: {kind}{tuck}"


def _check_sizes(
    person: torch.Tensor, garment: torch.Tensor, garment_mask: torch.Tensor | None, parse: torch.Tensor | None
) -> None:
    pairs = [("--garment-mask", garment_mask, "garment", garment), ("--parse", parse, "person", person)]
    for name, x, owner, ref in pairs:
        if x is None or x.shape[-2:] == ref.shape[-2:]:
            continue
        turned = tuple(x.shape[-2:]) == tuple(ref.shape[-2:])[::-1]
        hint = " (turned by 90 degrees: was one of the two saved without its EXIF orientation?)" if turned else ""
        raise ValueError(
            f"{name}: expected the {owner}'s size {tuple(ref.shape[-2:])} (H, W), got {tuple(x.shape[-2:])}{hint}"
        )


def keypoints_record(result: ClassicalTryOn, sources: dict[str, str] | None = None) -> dict[str, Any]:
    """JSON-ready record of batch item 0: garment landmarks, their person targets and the pose joints used."""
    pairs = result.keypoints
    record: dict[str, Any] = dict(sources or {})
    record.update(
        {
            "origin": pairs.origin,
            "person_hw": list(pairs.person_hw),
            "garment_hw": list(pairs.garment_hw),
            "category": result.category,
            "category_reason": result.category_reason,
            "sleeves": result.landmarks.sleeves[0] if result.category == "upper" else None,
            "kind": result.landmarks.sleeves[0] if result.category == "upper" else result.landmarks.kinds[0],
            "mask_method": result.mask_method,
            "convention": "pixels (x, y, confidence), confidence 0 = missing; left/right are the wearer's",
            "landmarks": [
                {
                    "name": name,
                    "garment_px": [round(float(v), 2) for v in pairs.garment_px[0, i].tolist()],
                    "person_px": [round(float(v), 2) for v in pairs.person_px[0, i].tolist()],
                }
                for i, name in enumerate(pairs.names)
            ],
        }
    )
    if pairs.pose is not None:
        joints = pairs.pose.joints[0].tolist()
        record["pose_body25"] = {
            name: [round(float(v), 2) for v in joints[i]] for i, name in enumerate(BODY25_JOINTS) if joints[i][2] > 0
        }
    return record


def write_intermediates(
    result: ClassicalTryOn,
    garment: torch.Tensor,
    person: torch.Tensor,
    folder: Path,
    *,
    sources: dict[str, str] | None = None,
    parse: torch.Tensor | None = None,
) -> None:
    """warped_garment.png, warped_mask.png, refine_mask.png, keypoints.json, keypoints_overlay.png and, when the
    try-on had one, parse.png (the parse map it used, given or estimated: `write_parse_file`, readable back with
    `--parse`) in `folder`, batch item 0.

    Args:
        parse: (B, H, W) int64 in our layout, or None.
    """
    folder.mkdir(parents=True, exist_ok=True)
    save_image(result.warped_garment[:1].cpu(), folder / "warped_garment.png")
    save_mask(result.warped_mask[:1].cpu(), folder / "warped_mask.png")
    save_mask(result.refine_mask[:1].cpu(), folder / "refine_mask.png")
    write_text_atomic(folder / "keypoints.json", json.dumps(keypoints_record(result, sources), indent=1))
    overlay = draw_correspondences(garment[:1].cpu(), person[:1].cpu(), result.keypoints.to("cpu"), labels=True)
    save_image(overlay, folder / "keypoints_overlay.png")
    if parse is not None:
        write_parse_file(parse[:1], folder / "parse.png")
