// KF-VTON Warp Inspector: the overlay image is shown by ComfyUI's own image preview; this adds the warp's numbers
// (fold fraction, garment coverage, occlusion) as a line on the node, red when the warp folds.
import { app } from "../../../scripts/app.js";
import { chain } from "./lib/chain.js";
import { formatWarpStats, warpVerdict } from "./lib/warp_stats.js";

const NODE_ID = "KfvtonWarpInspector";
const UI_KEY = "kfvton_warp_stats"; // nodes/warp.py INSPECTOR_UI_KEY

app.registerExtension({
  name: "kfvton.warpInspector",
  async beforeRegisterNodeDef(nodeType, nodeData) {
    if (nodeData?.name !== NODE_ID) return;
    chain(nodeType.prototype, "onExecuted", function (message) {
      this.kfvtonWarpStats = message?.[UI_KEY]?.[0] ?? null;
      this.setDirtyCanvas?.(true, false);
    });
    chain(nodeType.prototype, "onDrawForeground", function (ctx) {
      const stats = this.kfvtonWarpStats;
      if (!stats || this.flags?.collapsed) return;
      ctx.save();
      ctx.font = "11px sans-serif";
      ctx.textBaseline = "bottom";
      ctx.fillStyle = warpVerdict(stats) === "bad" ? "#ff6b6b" : "#8c8";
      // above the title bar: the node body is taken by the overlay preview
      const titleHeight = globalThis.LiteGraph?.NODE_TITLE_HEIGHT ?? 30;
      ctx.fillText(formatWarpStats(stats), 4, -titleHeight - 22); // above the badge row too
      ctx.restore();
    });
  },
});
