import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  canvasToUnit,
  clientToLocal,
  fitRect,
  hitTest,
  inRect,
  pointColor,
  sideBySideLayout,
  unitToCanvas,
} from "../../../web/js/lib/geometry.js";

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

describe("fitRect", () => {
  it("contains and centres a tall image in a wide box", () => {
    const r = fitRect(768, 1024, { x: 10, y: 20, w: 400, h: 200 });
    close(r.h, 200);
    close(r.w, 150);
    close(r.x, 10 + 125);
    close(r.y, 20);
    close(r.scale, 200 / 1024);
  });

  it("degrades to an empty rect for empty sizes", () => {
    assert.equal(fitRect(0, 10, { x: 0, y: 0, w: 10, h: 10 }).w, 0);
    assert.equal(fitRect(10, 10, { x: 0, y: 0, w: 0, h: 10 }).scale, 0);
  });
});

describe("sideBySideLayout", () => {
  for (const [w, h] of [
    [480, 300],
    [200, 800],
    [1600, 240],
  ]) {
    it(`keeps garment left of person, inside ${w}x${h}, aspect preserved`, () => {
      const l = sideBySideLayout(w, h, { w: 768, h: 1024 }, { w: 384, h: 512 }, { top: 18 });
      assert.ok(l.garment.x + l.garment.w <= l.person.x);
      for (const [r, ar] of [
        [l.garment, 768 / 1024],
        [l.person, 384 / 512],
      ]) {
        assert.ok(r.x >= 0 && r.x + r.w <= w + 1e-9 && r.y + r.h <= h + 1e-9);
        close(r.y, 18 + 4); // top-aligned under the header, with the padding
        close(r.w / r.h, ar, 1e-9);
      }
    });
  }
});

describe("coordinate conversions", () => {
  const rect = { x: 30, y: 40, w: 200, h: 100 };

  it("round-trips unit <-> canvas", () => {
    for (const uv of [
      [0, 0],
      [1, 1],
      [0.25, 0.8],
    ]) {
      const back = canvasToUnit(rect, unitToCanvas(rect, uv));
      close(back[0], uv[0]);
      close(back[1], uv[1]);
    }
    assert.deepEqual(unitToCanvas(rect, [0.5, 0.5]), [130, 90]);
  });

  it("clamps outside points unless asked not to", () => {
    assert.deepEqual(canvasToUnit(rect, [0, 1000]), [0, 1]);
    assert.deepEqual(canvasToUnit(rect, [430, 40], false), [2, 0]);
    assert.ok(inRect(rect, [30, 140]) && !inRect(rect, [29, 50]));
  });

  it("undoes a CSS zoom of the element", () => {
    // element laid out 400x300 CSS px, shown at 1.5x zoom at (100, 50) on screen
    const bounds = { left: 100, top: 50, width: 600, height: 450 };
    assert.deepEqual(clientToLocal(100, 50, bounds, 400, 300), [0, 0]);
    assert.deepEqual(clientToLocal(700, 500, bounds, 400, 300), [400, 300]);
    assert.deepEqual(clientToLocal(250, 200, bounds, 400, 300), [100, 100]);
  });
});

describe("hitTest", () => {
  const markers = [
    { x: 10, y: 10 },
    { x: 14, y: 10 },
    null,
    { x: 100, y: 100 },
  ];
  it("finds the nearest marker within the radius", () => {
    assert.equal(hitTest(markers, [11, 10], 5), 0);
    assert.equal(hitTest(markers, [13.5, 11], 5), 1);
    assert.equal(hitTest(markers, [100, 104], 5), 3);
    assert.equal(hitTest(markers, [50, 50], 5), -1);
    assert.equal(hitTest([], [0, 0], 5), -1);
  });
  it("prefers the later marker on a tie (drawn on top)", () => {
    assert.equal(hitTest(markers, [12, 10], 5), 1);
  });
});

describe("pointColor", () => {
  it("gives distinct colours", () => {
    const colours = new Set([0, 1, 2, 3].map((i) => pointColor(i, 4)));
    assert.equal(colours.size, 4);
  });
});
