// Hosts the real web/js/keypoint_editor.js on a stand-in app/node; ?scale= zooms the "graph", ?size=WxH sizes
// the node, ?edits= preloads the widget value (as a loaded workflow would). The payload comes from
// fixtures/payload.json (written by the real Python node).
import { app } from "./scripts/app.js";

const params = new URLSearchParams(location.search);
const scale = Number(params.get("scale") ?? "1");
const [width, height] = (params.get("size") ?? "560x420").split("x").map(Number);

await import("./extensions/comfyui-kfvton/js/keypoint_editor.js");
const nodeData = {
  name: "KfvtonKeypointEditor",
  display_name: "KF-VTON Keypoint Editor",
  input: { required: { edits: ["STRING", { default: "" }] } },
};
const NodeType = await app.registerNodeDef(nodeData, [width, height]);
const node = new NodeType();
node.setSize([width, height]); // after creation, as a user resizing the node
const graph = document.getElementById("graph");
graph.style.transform = `scale(${scale})`;
graph.append(node.el);

const edits = node.widgets.find((w) => w.name === "edits");
if (params.has("edits")) {
  edits.value = params.get("edits");
  node.onConfigure?.({});
}
const payload = await (await fetch("./fixtures/payload.json")).json();
node.onExecuted({ kfvton_keypoint_editor: [payload] });

window.kfvtonHarness = {
  node,
  editsValue: () => edits.value,
  imagesLoaded: () => Boolean(node.kfvtonEditor.images.garment && node.kfvtonEditor.images.person),
  panel: (frame) => {
    const view = node.kfvtonEditor;
    const rect = view.layout()[frame];
    const bounds = view.canvas.getBoundingClientRect();
    return { ...rect, zoom: bounds.width / view.canvas.clientWidth };
  },
  ready: true,
};
