import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { orderTemplates, packFromUrl } from "../../../web/js/lib/template_order.js";

describe("packFromUrl", () => {
  it("reads the pack's folder from the extension URL", () => {
    assert.equal(packFromUrl("http://127.0.0.1:8188/extensions/comfyui-kfvton/js/template_order.js"), "comfyui-kfvton");
    assert.equal(packFromUrl("http://h/extensions/My%20Pack/js/template_order.js"), "My Pack");
    assert.equal(packFromUrl("http://h/scripts/app.js"), null);
  });
});

describe("orderTemplates", () => {
  // the order glob.glob gave on one machine (directory order): Quick Try-On in the middle
  const listed = {
    "comfyui-kfvton": ["kfvton_classical_tryon", "kfvton_learned_pipeline", "kfvton_01_quick_tryon",
      "kfvton_classical_batch", "kfvton_02_refine_with_diffusion"],
    "other-pack": ["b", "a"],
  };
  it("sorts the pack's templates, Quick Try-On first", () => {
    const ordered = orderTemplates(listed, "comfyui-kfvton");
    assert.deepEqual(ordered["comfyui-kfvton"], ["kfvton_01_quick_tryon", "kfvton_02_refine_with_diffusion",
      "kfvton_classical_batch", "kfvton_classical_tryon", "kfvton_learned_pipeline"]);
    assert.deepEqual(Object.keys(ordered), ["comfyui-kfvton", "other-pack"]);
  });
  it("leaves other packs and the input alone", () => {
    const ordered = orderTemplates(listed, "comfyui-kfvton");
    assert.deepEqual(ordered["other-pack"], ["b", "a"]);
    assert.equal(listed["comfyui-kfvton"][0], "kfvton_classical_tryon");
  });
  it("passes unexpected answers through", () => {
    assert.deepEqual(orderTemplates({}, "comfyui-kfvton"), {});
    assert.equal(orderTemplates(null, "comfyui-kfvton"), null);
    assert.deepEqual(orderTemplates({ "comfyui-kfvton": "x" }, "comfyui-kfvton"), { "comfyui-kfvton": "x" });
  });
  it("matches Python's sorted(), as the tests order the examples", () => {
    const names = ["kfvton_classical_dress", "kfvton_01_quick_tryon", "kfvton_classical_Z", "kfvton_02_x"];
    assert.deepEqual(orderTemplates({ p: names }, "p").p, ["kfvton_01_quick_tryon", "kfvton_02_x",
      "kfvton_classical_Z", "kfvton_classical_dress"]);
  });
});
