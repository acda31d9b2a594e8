// KF-VTON Keypoint Editor: draws the garment landmarks, person targets and correspondences on the node after a run
// and lets the user drag, exclude and reset them. The edits live in the node's "edits" widget (JSON), so they are
// saved with the workflow, copied with the node and sent to the server on the next run.
import { app } from "../../../scripts/app.js";
import { api } from "../../../scripts/api.js";
import { chain } from "./lib/chain.js";
import { KeypointEditorView } from "./lib/keypoint_view.js";

const NODE_ID = "KfvtonKeypointEditor";
const UI_KEY = "kfvton_keypoint_editor"; // nodes/keypoints.py EDITOR_UI_KEY
const EDITS_WIDGET = "edits";
const MIN_HEIGHT = 220;

function imageURL(ref) {
  if (!ref?.filename) return null;
  const query = new URLSearchParams({ filename: ref.filename, type: ref.type ?? "temp", subfolder: ref.subfolder ?? "" });
  return api.apiURL(`/view?${query}`);
}

function attachEditor(node) {
  const widget = node.widgets?.find((w) => w.name === EDITS_WIDGET);
  if (!widget) return;
  // The JSON is edited on the canvas; the raw text stays in the workflow but out of the way.
  widget.hidden = true;
  widget.computeSize = () => [0, -4]; // frontends that lay out hidden widgets still give them no height
  const view = new KeypointEditorView({
    readEdits: () => widget.value ?? "",
    writeEdits: (text) => {
      widget.value = text;
      widget.callback?.(text);
      node.setDirtyCanvas?.(true, true);
      node.graph?.change?.();
    },
    imageURL,
  });
  const dom = node.addDOMWidget("kfvton_keypoints", "kfvton_keypoint_editor", view.element, {
    serialize: false,
    hideOnZoom: false,
    getMinHeight: () => MIN_HEIGHT,
  });
  dom.serialize = false;
  node.kfvtonEditor = view;
  const [w, h] = node.size ?? [0, 0];
  node.setSize?.([Math.max(w, 480), Math.max(h, MIN_HEIGHT + 120)]);
}

app.registerExtension({
  name: "kfvton.keypointEditor",
  async beforeRegisterNodeDef(nodeType, nodeData) {
    if (nodeData?.name !== NODE_ID) return;
    chain(nodeType.prototype, "onNodeCreated", function () {
      attachEditor(this);
    });
    chain(nodeType.prototype, "onExecuted", function (message) {
      const payload = message?.[UI_KEY]?.[0];
      if (payload) this.kfvtonEditor?.show(payload);
    });
    chain(nodeType.prototype, "onConfigure", function () {
      this.kfvtonEditor?.draw(); // widget values restored from a saved workflow or a paste
    });
    chain(nodeType.prototype, "onRemoved", function () {
      this.kfvtonEditor?.destroy();
    });
  },
});
