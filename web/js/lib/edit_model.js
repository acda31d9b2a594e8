// The keypoint edit model of the KF-VTON Keypoint Editor, mirroring kfvton/keypoints/edits.py.
//
// Edits are plain immutable objects {version, fingerprint, points: [{name, garment, person, enabled}]} with
// image-normalised (u, v) in [0, 1] (0 and 1 are the outer edges of the image). Every function returns a new
// object; the widget stores serializeEdits(edits). Export-only: no side effects at import.

export const EDITS_VERSION = 1;
export const FRAMES = Object.freeze(["garment", "person"]);
const TOP_KEYS = new Set(["version", "fingerprint", "points"]);
const POINT_KEYS = new Set(["name", "garment", "person", "enabled"]);
const DIGITS = 1e6;

/** Edits with no point changed, for the keypoint set `fingerprint`. */
export function emptyEdits(fingerprint = "") {
  return { version: EDITS_VERSION, fingerprint, points: [] };
}

/** Clamp to [0, 1] and round to 6 decimals (a 1e-6 step is far below a pixel). */
export function clampUnit(value) {
  const v = Math.min(1, Math.max(0, Number(value)));
  return Math.round(v * DIGITS) / DIGITS;
}

function fail(field, message) {
  throw new Error(`${field}: ${message}`);
}

function checkUv(value, field) {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((c) => typeof c === "number")) {
    fail(field, `expected [x, y] numbers or null, got ${JSON.stringify(value)}`);
  }
  if (!value.every((c) => Number.isFinite(c) && c >= 0 && c <= 1)) {
    fail(field, `expected image-normalised x, y in [0, 1], got ${JSON.stringify(value)}`);
  }
  return [value[0], value[1]];
}

/**
 * Parse and validate the widget JSON as the Python side does; "" or whitespace = no edits.
 * Throws an Error whose message starts with the field (`${where}.points[2].person: ...`).
 */
export function parseEdits(text, where = "edits") {
  if (text == null || (typeof text === "string" && !text.trim())) return emptyEdits();
  if (typeof text !== "string") fail(where, `expected a JSON string, got ${typeof text}`);
  let body;
  try {
    body = JSON.parse(text);
  } catch (err) {
    fail(where, `not valid JSON (${err.message})`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) fail(where, "expected a JSON object");
  const unknown = Object.keys(body).filter((k) => !TOP_KEYS.has(k));
  if (unknown.length) fail(where, `unknown field(s) ${JSON.stringify(unknown.sort())}`);
  if (body.version !== EDITS_VERSION) fail(`${where}.version`, `expected ${EDITS_VERSION}, got ${JSON.stringify(body.version)}`);
  const fingerprint = body.fingerprint ?? "";
  if (typeof fingerprint !== "string") fail(`${where}.fingerprint`, "expected a string");
  const raw = body.points ?? [];
  if (!Array.isArray(raw)) fail(`${where}.points`, "expected a list");
  const seen = new Set();
  const points = raw.map((p, i) => {
    const field = `${where}.points[${i}]`;
    if (p === null || typeof p !== "object" || Array.isArray(p)) fail(field, "expected an object");
    const extra = Object.keys(p).filter((k) => !POINT_KEYS.has(k));
    if (extra.length) fail(field, `unknown field(s) ${JSON.stringify(extra.sort())}`);
    if (typeof p.name !== "string" || !p.name) fail(`${field}.name`, "expected a non-empty string");
    if (seen.has(p.name)) fail(`${field}.name`, `duplicate point ${JSON.stringify(p.name)}`);
    seen.add(p.name);
    const enabled = p.enabled ?? true;
    if (typeof enabled !== "boolean") fail(`${field}.enabled`, "expected true or false");
    const point = { name: p.name, garment: null, person: null, enabled };
    for (const frame of FRAMES) {
      if (p[frame] != null) point[frame] = checkUv(p[frame], `${field}.${frame}`);
    }
    return point;
  });
  return { version: EDITS_VERSION, fingerprint, points };
}

/** The widget value: compact JSON in the Python key order, "" when nothing is edited. */
export function serializeEdits(edits) {
  if (!edits?.points?.length) return "";
  return JSON.stringify({
    version: EDITS_VERSION,
    fingerprint: edits.fingerprint ?? "",
    points: edits.points.map((p) => ({
      name: p.name,
      garment: p.garment ? [p.garment[0], p.garment[1]] : null,
      person: p.person ? [p.person[0], p.person[1]] : null,
      enabled: p.enabled !== false,
    })),
  });
}

/** True when `edits` hold changes made on a keypoint set other than `fingerprint` (the server drops them). */
export function isStale(edits, fingerprint) {
  return Boolean(edits?.points?.length) && edits.fingerprint !== fingerprint;
}

/** Edits to build on for the set `fingerprint`: the same edits, or empty ones when they are stale. */
export function editsFor(edits, fingerprint) {
  if (!edits || isStale(edits, fingerprint)) return emptyEdits(fingerprint);
  return { ...edits, fingerprint };
}

function isNoop(point) {
  return point.garment == null && point.person == null && point.enabled !== false;
}

function withPoint(edits, point) {
  const rest = edits.points.filter((p) => p.name !== point.name);
  if (!isNoop(point)) rest.push(point);
  return { ...edits, points: rest };
}

function pointOf(edits, name) {
  return edits.points.find((p) => p.name === name) ?? { name, garment: null, person: null, enabled: true };
}

/** Move point `name` of `frame` ("garment" | "person") to image-normalised `uv` (clamped into the image). */
export function movePoint(edits, name, frame, uv) {
  if (!FRAMES.includes(frame)) throw new Error(`frame: expected one of ${FRAMES.join(", ")}, got ${frame}`);
  const old = pointOf(edits, name);
  return withPoint(edits, { ...old, [frame]: [clampUnit(uv[0]), clampUnit(uv[1])] });
}

/** Include (true) or exclude (false) point `name` from the warp. */
export function setEnabled(edits, name, enabled) {
  return withPoint(edits, { ...pointOf(edits, name), enabled: Boolean(enabled) });
}

/** Forget every edit of point `name`. */
export function resetPoint(edits, name) {
  return { ...edits, points: edits.points.filter((p) => p.name !== name) };
}

/** Forget all edits (the fingerprint is kept). */
export function resetAll(edits) {
  return { ...edits, points: [] };
}

/**
 * The points as the next run will see them: the server's points (payload from the node's UI output) with
 * `edits` applied; stale edits are ignored, as on the server.
 * Returns [{name, index, group, garment: [u, v, conf], person: [u, v, conf], enabled, edited: {garment, person}}].
 */
export function effectivePoints(payload, edits) {
  if (!payload?.names) return [];
  const live = isStale(edits, payload.fingerprint) ? [] : (edits?.points ?? []);
  const byName = new Map(live.map((p) => [p.name, p]));
  const perGroup = Math.max(1, Math.floor(payload.names.length / Math.max(1, payload.groups ?? 1)));
  return payload.names.map((name, index) => {
    const edit = byName.get(name);
    const point = { name, index, group: Math.floor(index / perGroup), enabled: edit ? edit.enabled !== false : true };
    point.edited = { garment: Boolean(edit?.garment), person: Boolean(edit?.person) };
    for (const frame of FRAMES) {
      const [u, v, c] = payload[frame].points[index];
      const moved = edit?.[frame];
      point[frame] = moved ? [moved[0], moved[1], c > 0 ? c : 1] : [u, v, c];
    }
    return point;
  });
}
