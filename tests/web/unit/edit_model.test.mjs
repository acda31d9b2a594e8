import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  EDITS_VERSION,
  clampUnit,
  editsFor,
  effectivePoints,
  emptyEdits,
  isStale,
  movePoint,
  parseEdits,
  resetAll,
  resetPoint,
  serializeEdits,
  setEnabled,
} from "../../../web/js/lib/edit_model.js";

const payload = {
  fingerprint: "classical/3/abc",
  names: ["collar_left", "hem_left", "hem_right"],
  groups: 1,
  garment: { hw: [100, 80], points: [[0.1, 0.2, 1], [0.3, 0.9, 1], [0.7, 0.9, 0]] },
  person: { hw: [200, 150], points: [[0.4, 0.3, 0.9], [0.45, 0.6, 0.9], [0.55, 0.6, 0.9]] },
};

describe("parseEdits", () => {
  it("treats empty text as no edits", () => {
    for (const text of ["", "  ", null, undefined]) assert.deepEqual(parseEdits(text).points, []);
  });

  it("round-trips through serializeEdits in the Python key order", () => {
    let e = movePoint(emptyEdits("fp"), "hem_left", "person", [0.25, 0.75]);
    e = setEnabled(e, "collar_left", false);
    const text = serializeEdits(e);
    assert.equal(
      text,
      '{"version":1,"fingerprint":"fp","points":[{"name":"hem_left","garment":null,"person":[0.25,0.75],"enabled":true},' +
        '{"name":"collar_left","garment":null,"person":null,"enabled":false}]}',
    );
    assert.deepEqual(parseEdits(text), e);
  });

  const bad = [
    ["{oops", /node\.edits: not valid JSON/],
    ["[1]", /expected a JSON object/],
    ['{"version": 2}', /node\.edits\.version: expected 1, got 2/],
    ['{"version": 1, "extra": 0}', /unknown field\(s\) \["extra"\]/],
    ['{"version": 1, "points": [{"name": "a", "person": [1.5, 0]}]}', /node\.edits\.points\[0\]\.person: .*\[0, 1\]/],
    ['{"version": 1, "points": [{"name": "a", "garment": [0.5]}]}', /points\[0\]\.garment: expected \[x, y\]/],
    ['{"version": 1, "points": [{"name": "a"}, {"name": "a"}]}', /points\[1\]\.name: duplicate/],
    ['{"version": 1, "points": [{"name": "a", "enabled": "no"}]}', /points\[0\]\.enabled/],
  ];
  for (const [text, pattern] of bad) {
    it(`rejects ${text} naming the field`, () => {
      assert.throws(() => parseEdits(text, "node.edits"), pattern);
    });
  }
});

describe("edit operations", () => {
  it("moves, clamps, resets and toggles without mutating", () => {
    const start = emptyEdits("fp");
    const moved = movePoint(start, "a", "garment", [1.2, -0.1]);
    assert.deepEqual(start.points, []);
    assert.deepEqual(moved.points, [{ name: "a", garment: [1, 0], person: null, enabled: true }]);
    const both = movePoint(moved, "a", "person", [0.123456789, 0.5]);
    assert.deepEqual(both.points[0].person, [0.123457, 0.5]);
    assert.deepEqual(resetPoint(both, "a").points, []);
    const off = setEnabled(both, "b", false);
    assert.equal(off.points.length, 2);
    assert.deepEqual(setEnabled(off, "b", true).points.map((p) => p.name), ["a"]);
    assert.deepEqual(resetAll(off), { ...off, points: [] });
    assert.equal(serializeEdits(resetAll(off)), "");
    assert.throws(() => movePoint(start, "a", "shirt", [0, 0]), /frame/);
  });

  it("clampUnit rounds and clamps", () => {
    assert.equal(clampUnit(-3), 0);
    assert.equal(clampUnit(7), 1);
    assert.equal(clampUnit(0.5000004), 0.5);
  });

  it("detects stale edits and starts over for a new set", () => {
    const e = movePoint(emptyEdits("classical/3/abc"), "a", "person", [0.5, 0.5]);
    assert.equal(isStale(e, "classical/3/abc"), false);
    assert.equal(isStale(e, "learned/64/xyz"), true);
    assert.equal(isStale(emptyEdits("old"), "new"), false);
    assert.deepEqual(editsFor(e, "learned/64/xyz"), emptyEdits("learned/64/xyz"));
    assert.equal(editsFor(e, "classical/3/abc").points.length, 1);
    assert.equal(editsFor(emptyEdits(""), "x").fingerprint, "x");
  });
});

describe("effectivePoints", () => {
  it("applies edits over the server's points", () => {
    let e = movePoint(emptyEdits(payload.fingerprint), "hem_right", "garment", [0.6, 0.8]);
    e = setEnabled(e, "collar_left", false);
    const pts = effectivePoints(payload, e);
    assert.equal(pts.length, 3);
    assert.equal(pts[0].enabled, false);
    assert.deepEqual(pts[1].person, [0.45, 0.6, 0.9]);
    // a placed point becomes present (confidence 1), as on the server
    assert.deepEqual(pts[2].garment, [0.6, 0.8, 1]);
    assert.deepEqual(pts[2].edited, { garment: true, person: false });
  });

  it("ignores stale edits", () => {
    const e = movePoint(emptyEdits("other"), "hem_left", "person", [0, 0]);
    assert.deepEqual(effectivePoints(payload, e)[1].person, [0.45, 0.6, 0.9]);
  });

  it("assigns groups for learned keypoints", () => {
    const names = ["g0_k0", "g0_k1", "g1_k0", "g1_k1"];
    const frame = { hw: [4, 4], points: names.map(() => [0.5, 0.5, 1]) };
    const pts = effectivePoints({ ...payload, names, groups: 2, garment: frame, person: frame }, emptyEdits());
    assert.deepEqual(pts.map((p) => p.group), [0, 0, 1, 1]);
  });

  it("is empty without a payload", () => {
    assert.deepEqual(effectivePoints(null, emptyEdits()), []);
    assert.equal(EDITS_VERSION, 1);
  });
});
