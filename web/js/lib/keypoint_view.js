// The on-node keypoint editor view: a toolbar and a <canvas> showing the garment with its landmarks and the person
// with the targets side by side, lines for the correspondences, names on hover; drag, exclude and reset points.
// It knows nothing of ComfyUI: the extension (../keypoint_editor.js) hands it functions to read and write the
// edits widget and to turn an image reference into a URL. Export-only: no side effects at import.

import {
  canvasToUnit,
  clientToLocal,
  hitTest,
  pointColor,
  sideBySideLayout,
  unitToCanvas,
} from "./geometry.js";
import {
  editsFor,
  effectivePoints,
  isStale,
  movePoint,
  parseEdits,
  resetAll,
  resetPoint,
  serializeEdits,
  setEnabled,
} from "./edit_model.js";

export const POINT_RADIUS = 5;
export const HIT_RADIUS = 10;
const DRAG_THRESHOLD = 2;
const HEADER = 18;

function button(label, title, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.title = title;
  Object.assign(b.style, {
    font: "11px sans-serif",
    padding: "1px 6px",
    background: "#333",
    color: "#ddd",
    border: "1px solid #555",
    borderRadius: "3px",
    cursor: "pointer",
  });
  b.addEventListener("click", (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

export class KeypointEditorView {
  /**
   * @param {object} io
   * @param {() => string} io.readEdits  current widget value
   * @param {(text: string) => void} io.writeEdits  store a new widget value
   * @param {(ref: object) => string|null} io.imageURL  URL of an image reference from the node's UI output
   */
  constructor({ readEdits, writeEdits, imageURL }) {
    this.io = { readEdits, writeEdits, imageURL };
    this.payload = null;
    this.images = { garment: null, person: null };
    this.hover = null; // {index, frame}
    this.selected = -1;
    this.drag = null; // {index, frame, start, uv, moved, shift}
    this.showLines = true;
    this.parseError = "";
    this.element = this.#build();
  }

  #build() {
    const root = document.createElement("div");
    root.className = "kfvton-keypoint-editor";
    Object.assign(root.style, { display: "flex", flexDirection: "column", width: "100%", height: "100%", gap: "3px" });
    const bar = document.createElement("div");
    Object.assign(bar.style, { display: "flex", gap: "4px", alignItems: "center", flexWrap: "wrap" });
    this.buttons = {
      resetPoint: button("Reset point", "Undo the edits of the selected point (or double-click it)", () =>
        this.#commit((e) => resetPoint(e, this.#selectedName() ?? "")),
      ),
      toggle: button("Exclude", "Leave the selected point out of the warp, or include it again (or shift-click it)", () =>
        this.#toggleSelected(),
      ),
      resetAll: button("Reset all", "Undo every edit", () => this.#commit((e) => resetAll(e))),
    };
    const lines = document.createElement("label");
    const box = document.createElement("input");
    Object.assign(lines.style, {
      font: "11px sans-serif",
      color: "#ccc",
      display: "flex",
      gap: "2px",
      alignItems: "center",
    });
    box.style.margin = "0";
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", () => {
      this.showLines = box.checked;
      this.draw();
    });
    lines.append(box, "lines");
    this.status = document.createElement("span");
    Object.assign(this.status.style, { font: "11px sans-serif", color: "#aaa", marginLeft: "auto" });
    bar.append(this.buttons.resetPoint, this.buttons.toggle, this.buttons.resetAll, lines, this.status);
    this.canvas = document.createElement("canvas");
    // flex-basis 0: the bitmap size (set in draw) never feeds back into the layout size
    Object.assign(this.canvas.style, { flex: "1 1 0", width: "100%", minHeight: "0", touchAction: "none" });
    this.canvas.addEventListener("pointerdown", (e) => this.#onDown(e));
    this.canvas.addEventListener("pointermove", (e) => this.#onMove(e));
    this.canvas.addEventListener("pointerup", (e) => this.#onUp(e));
    this.canvas.addEventListener("pointerleave", () => {
      if (!this.drag && this.hover) {
        this.hover = null;
        this.draw();
      }
    });
    this.canvas.addEventListener("dblclick", (e) => this.#onDoubleClick(e));
    root.append(bar, this.canvas);
    if (typeof ResizeObserver !== "undefined") {
      this.resizeObserver = new ResizeObserver(() => this.draw());
      this.resizeObserver.observe(this.canvas);
    }
    return root;
  }

  destroy() {
    this.resizeObserver?.disconnect();
  }

  /** Show the node's UI output (one payload of nodes/keypoints.py KfvtonKeypointEditor) and load its images. */
  show(payload) {
    this.payload = payload ?? null;
    this.selected = -1;
    this.hover = null;
    const generation = (this.generation = (this.generation ?? 0) + 1);
    for (const frame of ["garment", "person"]) {
      const url = payload ? this.io.imageURL(payload[`${frame}_image`]) : null;
      this.images[frame] = null;
      if (url) {
        const img = new Image();
        img.onload = () => {
          if (generation !== this.generation) return; // a newer run's images are on their way
          this.images[frame] = img;
          this.draw();
        };
        img.src = url;
      }
    }
    this.draw();
  }

  /** The current edits from the widget; a bad value shows its error and counts as no edits. */
  edits() {
    try {
      const edits = parseEdits(this.io.readEdits());
      this.parseError = "";
      return edits;
    } catch (err) {
      this.parseError = err.message;
      return parseEdits("");
    }
  }

  points() {
    const points = effectivePoints(this.payload, this.edits());
    if (this.drag?.moved) points[this.drag.index][this.drag.frame] = [...this.drag.uv, 1];
    return points;
  }

  layout() {
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    const size = (frame) => {
      const hw = this.payload?.[frame]?.hw ?? [1, 1];
      return { w: hw[1], h: hw[0] };
    };
    return sideBySideLayout(w, h, size("garment"), size("person"), { top: HEADER });
  }

  /** Canvas-space markers [{x, y, index, frame}] of the points that can be picked. */
  markers(points = this.points(), layout = this.layout()) {
    const out = [];
    for (const frame of ["garment", "person"]) {
      for (const p of points) {
        const [u, v, c] = p[frame];
        if (c > 0 || p.edited[frame]) {
          const [x, y] = unitToCanvas(layout[frame], [u, v]);
          out.push({ x, y, index: p.index, frame });
        }
      }
    }
    return out;
  }

  /** Viewport position of point `name` in `frame` (for tests and tooling). */
  clientPosition(name, frame) {
    const points = this.points();
    const p = points.find((q) => q.name === name);
    if (!p) return null;
    const [x, y] = unitToCanvas(this.layout()[frame], p[frame]);
    const b = this.canvas.getBoundingClientRect();
    const sx = b.width / (this.canvas.clientWidth || 1);
    const sy = b.height / (this.canvas.clientHeight || 1);
    return { x: b.left + x * sx, y: b.top + y * sy };
  }

  #local(e) {
    const b = this.canvas.getBoundingClientRect();
    return clientToLocal(e.clientX, e.clientY, b, this.canvas.clientWidth, this.canvas.clientHeight);
  }

  #pick(xy) {
    const markers = this.markers();
    const i = hitTest(markers, xy, HIT_RADIUS);
    return i < 0 ? null : markers[i];
  }

  #selectedName() {
    return this.payload?.names?.[this.selected];
  }

  #commit(change) {
    // edits made on another keypoint set are dropped here, as the server drops them
    const base = this.payload ? editsFor(this.edits(), this.payload.fingerprint) : this.edits();
    this.io.writeEdits(serializeEdits(change(base)));
    this.draw();
  }

  #toggleSelected() {
    const p = this.points()[this.selected];
    if (p) this.#commit((e) => setEnabled(e, p.name, !p.enabled));
  }

  #onDown(e) {
    if (e.button !== 0 || !this.payload) return;
    const xy = this.#local(e);
    const hit = this.#pick(xy);
    e.stopPropagation();
    if (!hit) {
      this.selected = -1;
      this.draw();
      return;
    }
    e.preventDefault();
    this.selected = hit.index;
    this.drag = { index: hit.index, frame: hit.frame, start: xy, uv: null, moved: false, shift: e.shiftKey };
    this.canvas.setPointerCapture?.(e.pointerId);
    this.draw();
  }

  #onMove(e) {
    const xy = this.#local(e);
    if (this.drag) {
      e.stopPropagation();
      const d = this.drag;
      if (!d.moved && Math.hypot(xy[0] - d.start[0], xy[1] - d.start[1]) < DRAG_THRESHOLD) return;
      d.moved = true;
      d.uv = canvasToUnit(this.layout()[d.frame], xy);
      this.draw();
      return;
    }
    const hit = this.payload ? this.#pick(xy) : null;
    const key = hit ? `${hit.index}/${hit.frame}` : "";
    if (key !== (this.hover ? `${this.hover.index}/${this.hover.frame}` : "")) {
      this.hover = hit ? { index: hit.index, frame: hit.frame } : null;
      this.canvas.style.cursor = hit ? "grab" : "default";
      this.draw();
    }
  }

  #onUp(e) {
    const d = this.drag;
    if (!d) return;
    e.stopPropagation();
    this.drag = null;
    this.canvas.releasePointerCapture?.(e.pointerId);
    const name = this.payload.names[d.index];
    if (d.moved) {
      this.#commit((edits) => movePoint(edits, name, d.frame, d.uv));
    } else if (d.shift) {
      this.#toggleSelected();
    } else {
      this.draw();
    }
  }

  #onDoubleClick(e) {
    const hit = this.payload ? this.#pick(this.#local(e)) : null;
    if (!hit) return;
    e.stopPropagation();
    this.selected = hit.index;
    this.#commit((edits) => resetPoint(edits, this.payload.names[hit.index]));
  }

  /** Redraw everything at the element's current size and zoom. */
  draw() {
    const canvas = this.canvas;
    const cssW = canvas.clientWidth;
    const cssH = canvas.clientHeight;
    if (!cssW || !cssH) return;
    const bounds = canvas.getBoundingClientRect();
    const zoom = bounds.width > 0 ? bounds.width / cssW : 1;
    const ratio = (globalThis.devicePixelRatio || 1) * Math.max(1, zoom);
    const pw = Math.round(cssW * ratio);
    const ph = Math.round(cssH * ratio);
    if (canvas.width !== pw || canvas.height !== ph) {
      canvas.width = pw;
      canvas.height = ph;
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#1e1e1e";
    ctx.fillRect(0, 0, cssW, cssH);
    ctx.font = "11px sans-serif";
    ctx.textBaseline = "middle";
    const edits = this.edits();
    this.#updateToolbar(edits);
    if (!this.payload) {
      ctx.fillStyle = "#999";
      ctx.fillText("Run the workflow to show the keypoints here.", 6, HEADER / 2 + 4);
      if (edits.points.length) ctx.fillText(`${edits.points.length} stored edit(s).`, 6, HEADER / 2 + 20);
      return;
    }
    const layout = this.layout();
    const points = this.points();
    this.#drawPanel(ctx, layout.garment, this.images.garment, "garment");
    this.#drawPanel(ctx, layout.person, this.images.person, "person");
    this.#drawHeader(ctx, cssW, edits);
    const count = this.payload.groups > 1 ? this.payload.groups : points.length;
    const colorOf = (p, alpha) => pointColor(this.payload.groups > 1 ? p.group : p.index, count, alpha);
    if (this.showLines) {
      ctx.lineWidth = 1;
      for (const p of points) {
        if (!p.enabled || !(p.garment[2] > 0) || !(p.person[2] > 0)) continue;
        const a = unitToCanvas(layout.garment, p.garment);
        const b = unitToCanvas(layout.person, p.person);
        ctx.strokeStyle = colorOf(p, p.index === this.selected ? 0.9 : 0.35);
        ctx.beginPath();
        ctx.moveTo(a[0], a[1]);
        ctx.lineTo(b[0], b[1]);
        ctx.stroke();
      }
    }
    const radius = points.length > 40 ? 3 : POINT_RADIUS;
    for (const m of this.markers(points, layout)) {
      const p = points[m.index];
      this.#drawMarker(ctx, m, p, radius, colorOf(p, 1));
    }
    if (this.hover) {
      const p = points[this.hover.index];
      const [x, y] = unitToCanvas(layout[this.hover.frame], p[this.hover.frame]);
      const label = `${p.name}${p.enabled ? "" : " (excluded)"}${p.edited[this.hover.frame] ? " (edited)" : ""}`;
      const w = ctx.measureText(label).width + 8;
      const lx = Math.min(Math.max(2, x + 8), cssW - w - 2);
      const ly = Math.max(HEADER + 8, y - 12);
      ctx.fillStyle = "rgba(0, 0, 0, 0.75)";
      ctx.fillRect(lx, ly - 8, w, 16);
      ctx.fillStyle = "#fff";
      ctx.fillText(label, lx + 4, ly);
    }
  }

  #drawPanel(ctx, rect, image, label) {
    if (image) {
      ctx.drawImage(image, rect.x, rect.y, rect.w, rect.h);
    } else {
      ctx.fillStyle = "#2c2c2c";
      ctx.fillRect(rect.x, rect.y, rect.w, rect.h);
    }
    ctx.strokeStyle = "#444";
    ctx.strokeRect(rect.x, rect.y, rect.w, rect.h);
    ctx.fillStyle = "#bbb";
    ctx.fillText(label, rect.x + 2, HEADER / 2);
  }

  #drawHeader(ctx, width, edits) {
    let text = "";
    let color = "#e8c04a";
    if (this.parseError) {
      text = `bad edits: ${this.parseError}`;
      color = "#ff6b6b";
    } else if (isStale(edits, this.payload.fingerprint)) {
      text = "stale edits (other keypoints): dropped; edit to replace them";
    } else if (this.payload.notice) {
      text = this.payload.notice;
      color = this.payload.stale ? "#e8c04a" : "#8c8";
    }
    if (!text) return;
    ctx.fillStyle = color;
    const w = ctx.measureText(text).width;
    ctx.fillText(text, Math.max(60, width - w - 4), HEADER / 2);
  }

  #drawMarker(ctx, m, p, radius, color) {
    const hovered = this.hover && this.hover.index === m.index && this.hover.frame === m.frame;
    const r = hovered || this.selected === m.index ? radius + 2 : radius;
    ctx.beginPath();
    ctx.arc(m.x, m.y, r, 0, Math.PI * 2);
    if (p.enabled) {
      ctx.fillStyle = color;
      ctx.fill();
    }
    ctx.lineWidth = p.edited[m.frame] ? 2.5 : 1.5;
    ctx.strokeStyle = p.enabled ? (p.edited[m.frame] ? "#fff" : "#111") : "#888";
    ctx.stroke();
    if (!p.enabled) {
      ctx.beginPath();
      ctx.moveTo(m.x - r, m.y - r);
      ctx.lineTo(m.x + r, m.y + r);
      ctx.moveTo(m.x + r, m.y - r);
      ctx.lineTo(m.x - r, m.y + r);
      ctx.stroke();
    }
  }

  #updateToolbar(edits) {
    const p = this.payload && this.selected >= 0 ? this.points()[this.selected] : null;
    this.buttons.resetPoint.disabled = !p;
    this.buttons.toggle.disabled = !p;
    this.buttons.toggle.textContent = p && !p.enabled ? "Include" : "Exclude";
    this.buttons.resetAll.disabled = !edits.points.length;
    const selected = p ? `${p.name} · ` : "";
    this.status.textContent = `${selected}${edits.points.length} edit(s)`;
  }
}
