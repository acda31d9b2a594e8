// Pure 2-D helpers for the keypoint editor: fitting two images side by side in a node of any size, mapping
// image-normalised points to canvas pixels and back, undoing the canvas zoom of pointer events, hit-testing.
// Export-only: no side effects at import.

/** Largest rectangle of aspect imgW:imgH inside the box, centred ("contain"). */
export function fitRect(imgW, imgH, box) {
  if (!(imgW > 0 && imgH > 0) || !(box.w > 0 && box.h > 0)) return { x: box.x, y: box.y, w: 0, h: 0, scale: 0 };
  const scale = Math.min(box.w / imgW, box.h / imgH);
  const w = imgW * scale;
  const h = imgH * scale;
  return { x: box.x + (box.w - w) / 2, y: box.y + (box.h - h) / 2, w, h, scale };
}

/**
 * Garment on the left, person on the right, each fitted into half of a width x height area (top-aligned).
 * Sizes are {w, h} in image pixels; `top` leaves room for a header line; `gap` separates the two panels.
 */
export function sideBySideLayout(width, height, garmentSize, personSize, { gap = 8, pad = 4, top = 0 } = {}) {
  const innerW = Math.max(0, width - 2 * pad - gap);
  const innerH = Math.max(0, height - top - 2 * pad);
  const half = innerW / 2;
  const y = top + pad;
  // centred across, top-aligned: spare height goes below the images, next to the labels stays tight
  const garment = fitRect(garmentSize.w, garmentSize.h, { x: pad, y, w: half, h: innerH });
  const person = fitRect(personSize.w, personSize.h, { x: pad + half + gap, y, w: half, h: innerH });
  return { garment: { ...garment, y }, person: { ...person, y } };
}

/** Image-normalised (u, v) -> canvas (x, y) inside a panel rectangle. */
export function unitToCanvas(rect, uv) {
  return [rect.x + uv[0] * rect.w, rect.y + uv[1] * rect.h];
}

/** Canvas (x, y) -> image-normalised (u, v) of a panel, clamped into [0, 1] unless `clamp` is false. */
export function canvasToUnit(rect, xy, clamp = true) {
  const u = rect.w > 0 ? (xy[0] - rect.x) / rect.w : 0;
  const v = rect.h > 0 ? (xy[1] - rect.y) / rect.h : 0;
  return clamp ? [Math.min(1, Math.max(0, u)), Math.min(1, Math.max(0, v))] : [u, v];
}

/** True when canvas (x, y) lies in the rectangle (edges included). */
export function inRect(rect, xy) {
  return xy[0] >= rect.x && xy[0] <= rect.x + rect.w && xy[1] >= rect.y && xy[1] <= rect.y + rect.h;
}

/**
 * Client (viewport) coordinates of a pointer event -> the element's own CSS pixels, whatever CSS transform
 * (the graph canvas zoom) scales the element: `bounds` is getBoundingClientRect(), cssW x cssH its layout size.
 */
export function clientToLocal(clientX, clientY, bounds, cssW, cssH) {
  const sx = bounds.width > 0 ? cssW / bounds.width : 1;
  const sy = bounds.height > 0 ? cssH / bounds.height : 1;
  return [(clientX - bounds.left) * sx, (clientY - bounds.top) * sy];
}

/** Index of the marker {x, y} nearest to `xy` within `radius`, or -1. Later markers win ties (drawn on top). */
export function hitTest(markers, xy, radius) {
  let best = -1;
  let bestD2 = radius * radius;
  markers.forEach((m, i) => {
    if (!m) return;
    const d2 = (m.x - xy[0]) ** 2 + (m.y - xy[1]) ** 2;
    if (d2 <= bestD2) {
      best = i;
      bestD2 = d2;
    }
  });
  return best;
}

/** A distinct, readable colour for point `index` of `count` (or for a group). */
export function pointColor(index, count, alpha = 1) {
  const hue = Math.round((index * 360) / Math.max(1, count)) % 360;
  return `hsla(${hue}, 85%, 58%, ${alpha})`;
}
