"""`python -m kfvton tryon`: try a garment photo on a person photo from the command line.

    python -m kfvton tryon --person P.jpg --garment G.jpg [--pose P_keypoints.json] --out out/tryon.png \
        [--garment-mask M.png] [--parse P.png | --parser-model F.onnx | --estimate-regions] [--save-intermediates DIR]

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from .._atomic import write_text_atomic
from .._checks import check_device, check_output_file, check_output_folder
from ..keypoints.draw import draw_correspondences
from ..keypoints.estimate import DEFAULT_POSE_DIR, PoseEstimate, estimate_pose, find_detector, find_pose_models
from ..keypoints.formats import pose_from_json_file, read_openpose_json
from ..keypoints.pose import BODY25_JOINTS, Pose
from ..keypoints.pose_onnx import PoseModelFiles
from ..preprocess.io import IMAGE_EXTENSIONS, load_image_rgba, load_mask, save_image, save_mask
from ..preprocess.parse_labels import LABEL_SETS, read_parse_labels
from ..preprocess.parsing_onnx import parse_human_onnx
from ..preprocess.regions import estimate_regions
from .classical import ClassicalTryOn, classical_tryon
from .learned_cli import add_learned_arguments, run_learned, wants_learned

__all__ = ["add_arguments", "run", "resolve_pose", "estimate_person_pose", "pose_model_files", "write_intermediates"]

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
        help="without --parse: estimate head/arms/lower-body/garment regions from the pose and the person's "
        "silhouette (plain background; lower quality than a parse map) and use them as the parse map",
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
        default="auto",
        choices=["auto", "in", "out"],
        help="lower garments with --parse: the person's top over the waistband (out) or tucked in (in)",
    )
    parser.add_argument("--out", required=True, help="output image path (PNG/JPEG)")
    parser.add_argument(
        "--save-intermediates",
        metavar="DIR",
        help="also write warped_garment.png, warped_mask.png, keypoints.json, keypoints_overlay.png to DIR",
    )
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda (default cpu)")
    add_learned_arguments(parser)


def pose_model_files(
    pose_model: str | os.PathLike | None,
    detector_model: str | os.PathLike | None,
    search_dirs: Sequence[str | os.PathLike],
) -> PoseModelFiles | None:
    """The ONNX pose files to use, or None to let `estimate_pose` search `search_dirs` by file name.

    Args:
        pose_model: a SimCC pose model file, or None (auto: the first known name found in `search_dirs`).
        detector_model: a YOLOX detector file, "none" (the whole photo is the person), or None (auto: the first
            known name found next to `pose_model` or in `search_dirs`).
        search_dirs: folders with pose model files.
    """
    if detector_model == "none":
        detector = None
    elif detector_model is not None:
        detector = str(detector_model)
    else:
        near = [os.path.dirname(os.path.abspath(pose_model))] if pose_model else []
        detector = find_detector([*near, *search_dirs])
    if pose_model:
        return PoseModelFiles(str(pose_model), detector)
    if detector_model is None:
        return None  # estimate_pose finds both by name
    found = find_pose_models(search_dirs)
    return None if found is None else PoseModelFiles(found.pose, detector)


def estimate_person_pose(
    person: torch.Tensor,
    *,
    given: Any = None,
    pose_model: str | os.PathLike | None = None,
    detector_model: str | os.PathLike | None = None,
    pose_dirs: Sequence[str | os.PathLike] | None = None,
    use_mediapipe: bool = True,
    conf_threshold: float = 0.3,
) -> PoseEstimate:
    """The person's pose and how it was obtained: the one policy the CLI and the nodes share.

    A `given` pose is used as it is; else the pose is estimated from the photo (`estimate_pose`): the ONNX files
    chosen by `pose_model_files`, else MediaPipe when allowed.

    Args:
        person: (B, 3, H, W) float [0, 1], the person photo(s) (their size is the pose's canvas).
        given: a pose from the user (`Pose`, POSE_KEYPOINT, OpenPose JSON dict or file path), or None.
        pose_model, detector_model: see `pose_model_files`.
        pose_dirs: folders searched for pose files by name; None = `DEFAULT_POSE_DIR`.
        use_mediapipe: allow MediaPipe as the last resort.
        conf_threshold: joints below this confidence are missing (estimators only).

    Raises:
        PoseUnavailableError (a FileNotFoundError) when nothing can give a pose, saying what to install or which
        file to put where; errors of the pose reader or of the chosen estimator otherwise.
    """
    dirs = [DEFAULT_POSE_DIR] if pose_dirs is None else list(pose_dirs)
    models = None if given is not None else pose_model_files(pose_model, detector_model, dirs)
    return estimate_pose(
        person,
        given=given,
        onnx_models=models,
        search_dirs=dirs,
        use_mediapipe=use_mediapipe,
        conf_threshold=conf_threshold,
    )


def _is_dresscode_json(path: str | os.PathLike) -> bool:
    """Whether a pose file is a Dress Code keypoint JSON ('keypoints', no 'people'); unreadable files are not (the
    OpenPose reader then reports what is wrong with them)."""
    try:
        frame = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(frame, dict) and "keypoints" in frame and "people" not in frame


def resolve_pose(
    pose_path: str | os.PathLike | None,
    person: torch.Tensor,
    *,
    pose_model: str | None = None,
    detector_model: str | None = None,
    pose_dirs: list[str] | None = None,
    use_mediapipe: bool = True,
) -> Pose:
    """The person's pose for the command line: a `pose_path` is read as it is; without one the pose is estimated
    from the photo (`estimate_person_pose`) and the method used is printed.

    Args:
        pose_path: an OpenPose / POSE_KEYPOINT / Dress Code keypoint JSON file, or None.
        person: (1, 3, H, W) the person image (its size is the pose's canvas).
        pose_model, detector_model: ONNX files (`--pose-model`, `--detector-model`; "none" = no detector).
        pose_dirs: folders searched for pose files by name (default `DEFAULT_POSE_DIR`).
        use_mediapipe: allow MediaPipe as the last resort.

    Raises:
        PoseUnavailableError (a FileNotFoundError) when nothing can give a pose, saying what to install or which
        file to put where; errors of the JSON reader or of the chosen estimator otherwise.
    """
    if pose_path is not None:
        if _is_dresscode_json(pose_path):
            return pose_from_json_file(pose_path, tuple(person.shape[-2:]), name="--pose")
        read = read_openpose_json(pose_path, tuple(person.shape[-2:]), name="--pose")
        for note in read.notes:
            print(note)
        return read.pose
    result = estimate_person_pose(
        person,
        pose_model=pose_model,
        detector_model=detector_model,
        pose_dirs=pose_dirs or None,
        use_mediapipe=use_mediapipe,
    )
    print(result.describe())
    return result.pose


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    learned = wants_learned(args)  # checks the checkpoint options before any heavy work
    check_output_file(args.out, "--out", IMAGE_EXTENSIONS)
    if args.save_intermediates:
        check_output_folder(args.save_intermediates, "--save-intermediates")
    device = check_device(args.device, "--device")
    person, _ = load_image_rgba(args.person, "--person")
    garment, garment_alpha = load_image_rgba(args.garment, "--garment")
    pose = resolve_pose(
        args.pose,
        person,
        pose_model=args.pose_model,
        detector_model=args.detector_model,
        pose_dirs=args.pose_dir,
        use_mediapipe=not args.no_mediapipe,
    )
    garment_mask = load_mask(args.garment_mask, "--garment-mask") if args.garment_mask else None
    if garment_mask is None and garment_alpha is not None:
        garment_mask = (garment_alpha > 0.5).float()
        _LOG.info("using the garment photo's alpha channel as its mask")
    parse = None
    if args.parse:
        parsed_file = read_parse_labels(args.parse, label_set=args.parse_labels, name="--parse")
        parse = parsed_file.parse
        if parsed_file.how != "given":
            print(f"parse: {parsed_file.describe()}")
    if parse is None and args.parser_model:
        parsed = parse_human_onnx(person, args.parser_model)
        parse = parsed.parse
        print(f"parse: parser {os.path.basename(args.parser_model)} ({parsed.label_set})")
    if parse is None and args.estimate_regions:
        regions = estimate_regions(person, pose)
        parse = regions.parse
        print(f"regions: {regions.method}")
    _check_sizes(person, garment, garment_mask, parse)
    garment, garment_mask = _fit_garment(garment, garment_mask, person.shape[-2:])
    if learned:
        return run_learned(args, person, garment, garment_mask, pose, parse)

    result = classical_tryon(
        person.to(device),
        garment.to(device),
        pose.to(device),
        garment_mask=None if garment_mask is None else garment_mask.to(device),
        parse=None if parse is None else parse.to(device),
        category=args.category,
        tuck=args.tuck,
    )
    for warning in result.warnings:
        print(f"kfvton tryon: warning: {warning}", file=sys.stderr)
    save_image(result.image, args.out)
    if args.save_intermediates:
        write_intermediates(
            result,
            garment,
            person,
            Path(args.save_intermediates),
            sources={"person": args.person, "garment": args.garment},
        )
    elapsed = time.perf_counter() - started
    print(
        f"wrote {args.out} (classical try-on, garment mask: {result.mask_method}, "
        f"{_kind_text(result)}, {elapsed:.2f} s)"
    )
    return 0


def _kind_text(result: ClassicalTryOn) -> str:
    """ "sleeves: long" for tops (as before); "category: ..., kind: ..." for lower garments and dresses."""
    if result.category == "upper" and result.category_reason == "given":
        return f"sleeves: {result.landmarks.sleeves[0]}"
    kind = result.landmarks.sleeves[0] if result.category == "upper" else result.landmarks.kinds[0]
    tuck = f", tuck: {result.tuck}" if result.tuck != "-" else ""
    chosen = result.category if result.category_reason == "given" else result.category_reason
    return f"category: {chosen}, kind: {kind}{tuck}"


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
    garment = F.interpolate(garment, size=size, mode="bilinear", antialias=True, align_corners=False).clamp(0, 1)
    if garment_mask is not None:
        garment_mask = (F.interpolate(garment_mask, size=size, mode="area") > 0.5).float()
    print(
        f"--garment: downscaled from {gw}x{gh} to {size[1]}x{size[0]} (W x H), the person photo's pixel count; "
        "a larger garment photo adds time and memory but no detail"
    )
    return garment, garment_mask


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
) -> None:
    """warped_garment.png, warped_mask.png, keypoints.json and keypoints_overlay.png (batch item 0) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    save_image(result.warped_garment[:1].cpu(), folder / "warped_garment.png")
    save_mask(result.warped_mask[:1].cpu(), folder / "warped_mask.png")
    write_text_atomic(folder / "keypoints.json", json.dumps(keypoints_record(result, sources), indent=1))
    overlay = draw_correspondences(garment[:1].cpu(), person[:1].cpu(), result.keypoints.to("cpu"), labels=True)
    save_image(overlay, folder / "keypoints_overlay.png")
