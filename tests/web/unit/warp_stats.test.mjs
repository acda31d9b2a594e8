import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { formatWarpStats, warpVerdict } from "../../../web/js/lib/warp_stats.js";

describe("formatWarpStats", () => {
  it("summarises a warp", () => {
    const text = formatWarpStats({ kind: "tps", size: [1024, 768], fold: 0, inside: 0.4133, occluded: null });
    assert.equal(text, "tps 1024x768 · folds 0.0% · on garment 41.3%");
    const flow = formatWarpStats({ kind: "flow", size: [256, 192], fold: 0.0004, inside: 0.5, occluded: 0.052 });
    assert.equal(flow, "flow 256x192 · folds 0.04% · on garment 50.0% · occluded 5.2%");
    assert.equal(formatWarpStats(null), "");
  });
  it("flags folding warps", () => {
    assert.equal(warpVerdict({ fold: 0.02 }), "bad");
    assert.equal(warpVerdict({ fold: 0.001 }), "ok");
  });
});
