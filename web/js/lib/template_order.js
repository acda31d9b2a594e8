// The order of the pack's templates in ComfyUI's template browser. ComfyUI lists a custom node pack's
// example_workflows/*.json with glob.glob (app/custom_node_manager.py, /workflow_templates), that is in the
// directory's order, which differs between file systems and copies; the browser shows them in that order. Sorted
// by name, the Quick Try-On template (kfvton_01_quick_tryon) comes first everywhere. Export only.

// The pack's folder name under custom_nodes/ (the key of /workflow_templates) from this file's URL,
// ".../extensions/<pack>/js/...", or null when the URL is not an extension's.
export function packFromUrl(url) {
  const match = /\/extensions\/([^/]+)\//.exec(new URL(url).pathname);
  return match ? decodeURIComponent(match[1]) : null;
}

// /workflow_templates' answer ({pack folder: [template names]}) with `pack`'s names sorted; other packs' lists
// and anything unexpected are returned as they came.
export function orderTemplates(templates, pack) {
  const names = templates?.[pack];
  if (!Array.isArray(names)) return templates;
  return { ...templates, [pack]: [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
}
