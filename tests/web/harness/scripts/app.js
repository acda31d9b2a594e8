// Minimal stand-in for ComfyUI's scripts/app.js and its LiteGraph node, enough to host our extensions in a
// plain page: registerExtension, a node class with widgets, addDOMWidget (the element is laid out in the node,
// under the page's CSS zoom), setSize, onNodeCreated/onExecuted/onConfigure called as ComfyUI calls them.

export class StandInNode {
  constructor(title, size) {
    this.title = title;
    this.size = [...size];
    this.widgets = [];
    this.graph = { changes: 0, change() { this.changes += 1; } };
    this.dirty = 0;
    this.el = document.createElement("div");
    this.el.className = "node";
    const head = document.createElement("div");
    head.className = "node-title";
    head.textContent = title;
    this.el.append(head);
    this.#resize();
  }

  #resize() {
    this.el.style.width = `${this.size[0]}px`;
    this.el.style.height = `${this.size[1]}px`;
  }

  setSize(size) {
    this.size = [...size];
    this.#resize();
  }

  setDirtyCanvas() {
    this.dirty += 1;
  }

  addWidget(type, name, value, callback, options = {}) {
    const widget = { type, name, value, callback, options };
    this.widgets.push(widget);
    return widget;
  }

  addDOMWidget(name, type, element, options = {}) {
    const holder = document.createElement("div");
    holder.className = "dom-widget";
    // the real frontend gives a DOM widget the node height left under the other widgets
    holder.style.top = `${26 + 6}px`;
    holder.append(element);
    this.el.append(holder);
    const widget = { name, type, element, options, serialize: options.serialize };
    Object.defineProperty(widget, "value", { get: () => options.getValue?.() ?? "" });
    this.widgets.push(widget);
    return widget;
  }
}

class StandInApp {
  constructor() {
    this.extensions = [];
  }

  registerExtension(extension) {
    this.extensions.push(extension);
  }

  /** Define a node type as ComfyUI does: widgets from the inputs, then the extensions' hooks. */
  async registerNodeDef(nodeData, size) {
    const extensions = this.extensions;
    class NodeType extends StandInNode {
      constructor() {
        super(nodeData.display_name ?? nodeData.name, size);
        for (const [name, spec] of Object.entries(nodeData.input?.required ?? {})) {
          if (spec[0] === "STRING") this.addWidget("text", name, spec[1]?.default ?? "", () => {}, spec[1] ?? {});
        }
        this.onNodeCreated?.();
      }
    }
    for (const ext of extensions) await ext.beforeRegisterNodeDef?.(NodeType, nodeData, this);
    return NodeType;
  }
}

export const app = new StandInApp();
