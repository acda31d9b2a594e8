// KF-VTON template order: the template browser lists the pack's example workflows sorted by name, so the Quick
// Try-On template comes first whatever order the server's directory listing has (see lib/template_order.js).
import { api } from "../../../scripts/api.js";
import { app } from "../../../scripts/app.js";
import { orderTemplates, packFromUrl } from "./lib/template_order.js";

app.registerExtension({
  name: "kfvton.templateOrder",
  init() {
    const pack = packFromUrl(import.meta.url);
    const previous = api.getWorkflowTemplates;
    if (!pack || typeof previous !== "function") return;
    api.getWorkflowTemplates = async function () {
      return orderTemplates(await previous.apply(this, arguments), pack);
    };
  },
});
