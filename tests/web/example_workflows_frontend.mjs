// Every example workflow as the template browser loads it, in a REAL ComfyUI page (headless Chromium): the
// workflow comes from GET /api/workflow_templates/<pack>/<name>.json, goes through app.loadGraphData, every node
// type must be registered in the frontend, no page error may occur, and app.graphToPrompt() (the API prompt the
// Run button would send) is written out for comparison with our UI-workflow runner
// (tests/nodes/test_frontend_templates.py). Screenshots of each loaded workflow go to OUT.
//
// usage: node tests/web/example_workflows_frontend.mjs [--comfy-src /opt/comfyui-src]
//            [--comfy-py /opt/comfyvenv/bin/python] [--out tests/artifacts/templates]
// prints one JSON line: {"templates": [...], "browser_order": {"patched": bool, "names": [...]}, "<name>": {"unknown": [...], "errors": [...], "prompt": {...}}, ...}
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { sleep, startComfyUI } from "./comfy_server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const pack = resolve(here, "..", "..");
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const comfySrc = args["comfy-src"] ?? "/opt/comfyui-src";
const comfyPy = args["comfy-py"] ?? "/opt/comfyvenv/bin/python";
const out = resolve(args.out ?? join(pack, "tests", "artifacts", "templates"));
const PACK_NAME = "comfyui-kfvton";
mkdirSync(out, { recursive: true });
let comfy;
try {
  comfy = await startComfyUI({ comfySrc, comfyPy, pack, packName: PACK_NAME, prefix: "kfvton-templates-", readyPath: "/api/workflow_templates" });
} catch (err) {
  console.error(String(err.message ?? err));
  process.exit(3);
}
const { url } = comfy;

const browser = await chromium.launch({
  executablePath: process.env.KFVTON_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const report = {};
try {
  const page = await browser.newPage({ viewport: { width: 1800, height: 1100 } });
  const errors = [];
  page.on("pageerror", (err) => errors.push(String(err.stack ?? err)));
  await page.goto(url);
  await page.waitForFunction(() => window.app?.graph && window.app?.canvas, null, { timeout: 120000 });
  const names = (await (await fetch(`${url}/api/workflow_templates`)).json())[PACK_NAME] ?? [];
  report.templates = names;
  // the list the template browser shows (its store calls api.getWorkflowTemplates), after web/js/template_order.js
  report.browser_order = await page.evaluate(async (pack) => {
    const api = window.comfyAPI?.api?.api;
    return {
      patched: Object.prototype.hasOwnProperty.call(api ?? {}, "getWorkflowTemplates"),
      names: (await api.getWorkflowTemplates())[pack] ?? [],
    };
  }, PACK_NAME);
  for (const name of names) {
    const workflow = await (await fetch(`${url}/api/workflow_templates/${PACK_NAME}/${name}.json`)).json();
    errors.length = 0;
    await page.evaluate((wf) => window.app.loadGraphData(wf), workflow);
    await sleep(1000);
    const info = await page.evaluate(async () => {
      const LG = window.LiteGraph ?? window.comfyAPI?.litegraph?.LiteGraph;
      const nodes = window.app.graph._nodes ?? window.app.graph.nodes;
      const unknown = nodes.filter((n) => !LG?.registered_node_types?.[n.type]).map((n) => n.type);
      const { output } = await window.app.graphToPrompt();
      return { unknown, prompt: output };
    });
    await page.evaluate(() => {
      window.app.canvas.ds.scale = 0.8;
      window.app.canvas.ds.offset = [20, 20];
      window.app.canvas.setDirty(true, true);
    });
    await sleep(500);
    await page.screenshot({ path: join(out, `${name}.png`) });
    report[name] = { ...info, errors: [...errors] };
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
process.exit(0);
