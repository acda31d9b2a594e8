"""The keypoint edit model: user corrections of garment landmarks and person targets, stored as JSON.

The KF-VTON Keypoint Editor node keeps the user's drags in a STRING widget. This module parses and validates that
JSON, applies it to `KeypointPairs` and describes a keypoint set for the front end. The front end mirrors it in
`web/js/lib/edit_model.js`; both write the same JSON.

Convention:
    Edited points are stored in IMAGE-NORMALISED coordinates `(u, v)` in [0, 1] of their own image (garment or
    person): 0 and 1 are the outer edges of the image, so the centre of pixel column j is u = (j + 0.5) / W (pixel
    centres as in `kfvton.geometry.grid`). Edits therefore survive a resize of the images and a batch of another
    size; they apply to every batch item alike.

JSON schema (version 1)::

    {"version": 1,
     "fingerprint": "classical/14/5d1c0e3a9b",     # keypoint_fingerprint() of the set the edits were made on
     "points": [{"name": "collar_left",             # one entry per edited point, names unique
                 "garment": [u, v] | null,          # new landmark position, null = unchanged
                 "person": [u, v] | null,           # new target position, null = unchanged
                 "enabled": true}]}                 # false = left out of the warp (confidence 0)

An empty string means "no edits". Edits whose fingerprint differs from the incoming keypoint set are stale: they are
dropped whole with a notice, never applied to points they were not made for.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, replace

import torch
from torch import Tensor

from .._checks import check_shape
from .pairs import KeypointPairs

__all__ = [
    "EDITS_VERSION",
    "FRAMES",
    "PointEdit",
    "KeypointEdits",
    "EditResult",
    "keypoint_fingerprint",
    "parse_edits",
    "apply_edits",
    "editor_payload",
    "px_to_unit",
    "unit_to_px",
]

EDITS_VERSION = 1
#: The two images a point lives on.
FRAMES = ("garment", "person")
_POINT_KEYS = {"name", "garment", "person", "enabled"}
_TOP_KEYS = {"version", "fingerprint", "points"}


def px_to_unit(points_px: Tensor, size_hw: tuple[int, int]) -> Tensor:
    """Pixel (x, y) -> image-normalised (u, v) in [0, 1] for points inside the image.

    Args:
        points_px: (..., 2) float pixel coordinates, pixel centres at integers.
        size_hw: (H, W) of the image.
    Returns:
        (..., 2) with u = (x + 0.5) / W, v = (y + 0.5) / H; same device and dtype.
    """
    check_shape(points_px, "points_px", ("...", 2))
    h, w = size_hw
    size = torch.tensor([w, h], device=points_px.device, dtype=points_px.dtype)
    return (points_px + 0.5) / size


def unit_to_px(points_unit: Tensor, size_hw: tuple[int, int]) -> Tensor:
    """Inverse of `px_to_unit`: (..., 2) image-normalised (u, v) -> pixel (x, y) = (u W - 0.5, v H - 0.5)."""
    check_shape(points_unit, "points_unit", ("...", 2))
    h, w = size_hw
    size = torch.tensor([w, h], device=points_unit.device, dtype=points_unit.dtype)
    return points_unit * size - 0.5


def keypoint_fingerprint(pairs: KeypointPairs) -> str:
    """Identify a keypoint set by origin, count and names: "<origin>/<N>/<sha1(names)[:10]>".

    Two sets with the same fingerprint have the same points in the same order, so edits made on one fit the other.
    """
    digest = hashlib.sha1("\n".join(pairs.names).encode("utf-8")).hexdigest()[:10]
    return f"{pairs.origin}/{len(pairs.names)}/{digest}"


@dataclass(frozen=True)
class PointEdit:
    """The user's change to one named point.

    Attributes:
        name: the point's name in `KeypointPairs.names`.
        garment: new (u, v) of the garment landmark, image-normalised [0, 1]; None = unchanged.
        person: new (u, v) of the person target, image-normalised [0, 1]; None = unchanged.
        enabled: False leaves the pair out of the warp (both confidences 0).
    """

    name: str
    garment: tuple[float, float] | None = None
    person: tuple[float, float] | None = None
    enabled: bool = True

    @property
    def is_noop(self) -> bool:
        return self.garment is None and self.person is None and self.enabled

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "garment": None if self.garment is None else list(self.garment),
            "person": None if self.person is None else list(self.person),
            "enabled": self.enabled,
        }


@dataclass(frozen=True)
class KeypointEdits:
    """All edits of one editor node, for the keypoint set named by `fingerprint` ("" = made on no set yet)."""

    fingerprint: str = ""
    points: tuple[PointEdit, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.points

    def get(self, name: str) -> PointEdit | None:
        return next((p for p in self.points if p.name == name), None)

    def moved(self, name: str, frame: str, uv: tuple[float, float]) -> KeypointEdits:
        """A copy with point `name` of `frame` ("garment" | "person") moved to image-normalised `uv`."""
        if frame not in FRAMES:
            raise ValueError(f"frame: expected one of {FRAMES}, got {frame!r}")
        _check_uv(uv, f"{name}.{frame}")
        old = self.get(name) or PointEdit(name)
        return self._with(replace(old, **{frame: (float(uv[0]), float(uv[1]))}))

    def toggled(self, name: str, enabled: bool) -> KeypointEdits:
        """A copy with point `name` enabled or excluded from the warp."""
        old = self.get(name) or PointEdit(name)
        return self._with(replace(old, enabled=bool(enabled)))

    def reset(self, name: str | None = None) -> KeypointEdits:
        """A copy without the edits of `name`, or without any edit when `name` is None."""
        if name is None:
            return replace(self, points=())
        return replace(self, points=tuple(p for p in self.points if p.name != name))

    def _with(self, point: PointEdit) -> KeypointEdits:
        rest = [p for p in self.points if p.name != point.name]
        if not point.is_noop:
            rest.append(point)
        return replace(self, points=tuple(rest))

    def to_json(self) -> str:
        """The widget JSON (compact, schema version `EDITS_VERSION`); "" when there is nothing to store."""
        if self.is_empty:
            return ""
        body = {"version": EDITS_VERSION, "fingerprint": self.fingerprint, "points": [p.to_dict() for p in self.points]}
        return json.dumps(body, separators=(",", ":"))


@dataclass(frozen=True)
class EditResult:
    """What `apply_edits` did.

    Attributes:
        pairs: the edited keypoints (origin "edited"), or the input unchanged when nothing applied.
        applied: number of point edits applied.
        stale: True when the edits were made on another keypoint set and were dropped.
        notice: a one-line message for the user ("" when there is nothing to say).
    """

    pairs: KeypointPairs
    applied: int
    stale: bool
    notice: str


def parse_edits(text: str | None, *, where: str = "edits") -> KeypointEdits:
    """Parse and validate the editor widget's JSON.

    Args:
        text: the widget value; None, "" or whitespace mean no edits.
        where: prefix for error messages naming the node and the field, e.g. "KF-VTON Keypoint Editor: edits".
    Raises:
        ValueError naming `where` and the offending field (bad JSON, unknown version or key, a point outside
        [0, 1], a duplicate name); TypeError when `text` is not a string.
    """
    if text is None:
        return KeypointEdits()
    if not isinstance(text, str):
        raise TypeError(f"{where}: expected a JSON string, got {type(text).__name__}")
    if not text.strip():
        return KeypointEdits()
    try:
        body = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{where}: not valid JSON ({err.msg} at line {err.lineno} column {err.colno})") from None
    except RecursionError:
        raise ValueError(f"{where}: JSON nested too deeply to read (edits are a flat object of points)") from None
    if not isinstance(body, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(body).__name__}")
    unknown = sorted(set(body) - _TOP_KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {unknown}; expected {sorted(_TOP_KEYS)}")
    version = body.get("version")
    if version != EDITS_VERSION or isinstance(version, bool):
        raise ValueError(f"{where}.version: expected {EDITS_VERSION}, got {version!r}")
    fingerprint = body.get("fingerprint", "")
    if not isinstance(fingerprint, str):
        raise ValueError(f"{where}.fingerprint: expected a string, got {type(fingerprint).__name__}")
    raw_points = body.get("points", [])
    if not isinstance(raw_points, list):
        raise ValueError(f"{where}.points: expected a list, got {type(raw_points).__name__}")
    points: list[PointEdit] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_points):
        field = f"{where}.points[{i}]"
        point = _parse_point(raw, field)
        if point.name in seen:
            raise ValueError(f"{field}.name: duplicate point {point.name!r}")
        seen.add(point.name)
        points.append(point)
    return KeypointEdits(fingerprint=fingerprint, points=tuple(points))


def _parse_point(raw: object, field: str) -> PointEdit:
    if not isinstance(raw, dict):
        raise ValueError(f"{field}: expected an object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - _POINT_KEYS)
    if unknown:
        raise ValueError(f"{field}: unknown field(s) {unknown}; expected {sorted(_POINT_KEYS)}")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{field}.name: expected a non-empty string, got {name!r}")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValueError(f"{field}.enabled: expected true or false, got {enabled!r}")
    coords = {}
    for frame in FRAMES:
        value = raw.get(frame)
        if value is not None:
            if (
                not isinstance(value, list)
                or len(value) != 2
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in value)
            ):
                raise ValueError(f"{field}.{frame}: expected [x, y] numbers or null, got {value!r}")
            _check_uv(value, f"{field}.{frame}")
            value = (float(value[0]), float(value[1]))
        coords[frame] = value
    return PointEdit(name=name, garment=coords["garment"], person=coords["person"], enabled=enabled)


def _check_uv(uv, field: str) -> None:
    if not all(math.isfinite(c) and 0.0 <= c <= 1.0 for c in uv):
        raise ValueError(f"{field}: expected image-normalised x, y in [0, 1], got {list(uv)}")


def apply_edits(pairs: KeypointPairs, edits: KeypointEdits, *, where: str = "edits") -> EditResult:
    """Apply `edits` to every batch item of `pairs`.

    A moved point takes the edited position (converted to pixels of its image) and confidence 1 if it had none; an
    excluded point gets confidence 0 on both sides. Stale edits (fingerprint of another keypoint set) are dropped
    with a notice.

    Args:
        pairs: keypoints (B, N, 3) in pixels of `garment_hw` / `person_hw`.
        edits: from `parse_edits`.
        where: prefix for messages, naming the node and field.
    Returns:
        `EditResult`; its pairs have origin "edited" when at least one edit applied, else they are `pairs` itself.
    Raises:
        ValueError when an edit names a point the (matching) set does not have.
    """
    if edits.is_empty:
        return EditResult(pairs=pairs, applied=0, stale=False, notice="")
    current = keypoint_fingerprint(pairs)
    if edits.fingerprint != current:
        notice = (
            f"{where}: {len(edits.points)} stale edit(s) dropped: made on keypoint set {edits.fingerprint or '?'}, "
            f"the input is {current}; reset the editor and edit again"
        )
        return EditResult(pairs=pairs, applied=0, stale=True, notice=notice)
    index = {name: i for i, name in enumerate(pairs.names)}
    garment = pairs.garment_px.clone()
    person = pairs.person_px.clone()
    for i, point in enumerate(edits.points):
        if point.name not in index:
            raise ValueError(f"{where}.points[{i}].name: no point {point.name!r} in the keypoint set {current}")
        n = index[point.name]
        for frame, table, size_hw in (("garment", garment, pairs.garment_hw), ("person", person, pairs.person_hw)):
            uv = getattr(point, frame)
            if uv is not None:
                uv_t = torch.tensor(uv, device=table.device, dtype=table.dtype)
                table[:, n, :2] = unit_to_px(uv_t, size_hw)
                table[:, n, 2] = _keep_or_one(table[:, n, 2])
        if not point.enabled:
            garment[:, n, 2] = 0.0
            person[:, n, 2] = 0.0
    edited = replace(pairs, garment_px=garment, person_px=person, origin="edited")
    excluded = sum(not p.enabled for p in edits.points)
    notice = f"{len(edits.points)} point edit(s) applied ({excluded} excluded)"
    return EditResult(pairs=edited, applied=len(edits.points), stale=False, notice=notice)


def _keep_or_one(conf: Tensor) -> Tensor:
    """A point the user placed counts as present: confidence 0 becomes 1, others stay."""
    return torch.where(conf > 0, conf, torch.ones_like(conf))


def editor_payload(pairs: KeypointPairs, *, item: int = 0) -> dict:
    """JSON-ready description of one batch item of `pairs` for the front end.

    Returns:
        {"fingerprint", "origin", "names", "groups", "batch_size", "item",
         "garment": {"hw": [H, W], "points": [[u, v, conf], ...]}, "person": {...}} with image-normalised (u, v).
    """
    if not 0 <= item < pairs.batch_size:
        raise ValueError(f"item: expected 0 <= item < {pairs.batch_size}, got {item}")

    def frame(points_px: Tensor, size_hw: tuple[int, int]) -> dict:
        pts = points_px[item].detach().to("cpu", torch.float64)
        uv = px_to_unit(pts[:, :2], size_hw)
        rows = torch.cat([uv, pts[:, 2:3]], dim=1).tolist()
        return {"hw": list(size_hw), "points": [[round(u, 6), round(v, 6), round(c, 4)] for u, v, c in rows]}

    return {
        "fingerprint": keypoint_fingerprint(pairs),
        "origin": pairs.origin,
        "names": list(pairs.names),
        "groups": pairs.groups,
        "batch_size": pairs.batch_size,
        "item": item,
        "garment": frame(pairs.garment_px, pairs.garment_hw),
        "person": frame(pairs.person_px, pairs.person_hw),
    }
