// Text for the KF-VTON Warp Inspector's numbers (nodes/warp.py, kfvton/geometry/visualize.py warp_stats).
// Export-only: no side effects at import.

function percent(x) {
  return `${(100 * x).toFixed(x > 0 && x < 0.001 ? 2 : 1)}%`;
}

/** One line summarising a warp: "tps 1024x768 · folds 0.0% · on garment 41.3% · occluded 5.2%". */
export function formatWarpStats(stats) {
  if (!stats) return "";
  const parts = [`${stats.kind} ${stats.size?.[0]}x${stats.size?.[1]}`];
  parts.push(`folds ${percent(stats.fold ?? 0)}`);
  parts.push(`on garment ${percent(stats.inside ?? 0)}`);
  if (stats.occluded != null) parts.push(`occluded ${percent(stats.occluded)}`);
  return parts.join(" · ");
}

/** "bad" when the warp folds over more than `limit` of the garment, else "ok". */
export function warpVerdict(stats, limit = 0.005) {
  return (stats?.fold ?? 0) > limit ? "bad" : "ok";
}
