// Every example workflow as the template browser loads it, in a REAL ComfyUI page (headless Chromium): the
// workflow comes from GET /api/workflow_templates/<pack>/<name>.json, goes through app.loadGraphData, every node
// type must be registered in the frontend, no page error may occur, and app.graphToPrompt() (the API prompt the
// Run button would send) is written out for comparison with our UI-workflow runner
// (tests/nodes/test_frontend_templates.py). Screenshots of each loaded workflow go to OUT.
//
// usage: node tests/web/example_workflows_frontend.mjs [--comfy-src /opt/comfyui-src]
//            [--comfy-py /opt/comfyvenv/bin/python] [--out tests/artifacts/templates]
// prints one JSON line: {"templates": [...], "<name>": {"unknown": [...], "errors": [...], "prompt": {...}}, ...}
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const pack = resolve(here, "..", "..");
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const comfySrc = args["comfy-src"] ?? "/opt/comfyui-src";
const comfyPy = args["comfy-py"] ?? "/opt/comfyvenv/bin/python";
const out = resolve(args.out ?? join(pack, "tests", "artifacts", "templates"));
const PACK_NAME = "comfyui-kfvton";
mkdirSync(out, { recursive: true });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const base = mkdtempSync(join(tmpdir(), "kfvton-templates-"));
for (const d of ["custom_nodes", "input", "output", "temp", "user/default"]) mkdirSync(join(base, d), { recursive: true });
symlinkSync(pack, join(base, "custom_nodes", PACK_NAME));
writeFileSync(
  join(base, "user", "default", "comfy.settings.json"),
  JSON.stringify({ "Comfy.TutorialCompleted": true, "Comfy.Workflow.ShowMissingNodesWarning": false }),
);
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const server = spawn(
  comfyPy,
  [
    "main.py", "--cpu", "--listen", "127.0.0.1", "--port", String(port), "--disable-auto-launch",
    "--base-directory", base, "--database-url", `sqlite:///${join(base, "user", "comfyui.db")}`,
    "--disable-all-custom-nodes", "--whitelist-custom-nodes", PACK_NAME,
  ],
  { cwd: comfySrc, stdio: ["ignore", "pipe", "pipe"] },
);
let serverLog = "";
server.stdout.on("data", (d) => (serverLog += d));
server.stderr.on("data", (d) => (serverLog += d));
process.on("exit", () => {
  if (server.exitCode === null) server.kill("SIGTERM");
});

let ready = false;
for (let i = 0; i < 240 && !ready; i++) {
  try {
    ready = (await fetch(`${url}/api/workflow_templates`)).ok;
  } catch {}
  if (!ready) await sleep(1000);
}
if (!ready) {
  console.error(`ComfyUI did not start\n${serverLog.slice(-3000)}`);
  process.exit(3);
}

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
