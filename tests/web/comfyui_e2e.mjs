// End-to-end check of the keypoint editor in a REAL ComfyUI page (run by tests/web/test_frontend.py where a local
// ComfyUI checkout and venv exist, see docs/comfyui-e2e.md). It starts ComfyUI on a free loopback port with only this pack
// (a fresh --base-directory in /tmp, the pack symlinked into its custom_nodes/), opens the page in headless
// Chromium, loads example_workflows/kfvton_classical_keypoint_editor.json, queues it on the VITON-HD sample pair
// 00891_00 + 01260_00, screenshots the editor, drags a person target, checks the widget JSON, queues again and
// screenshots the result.
//
// usage: node tests/web/comfyui_e2e.mjs [--comfy-src /opt/comfyui-src] [--comfy-py /opt/comfyvenv/bin/python]
//                                        [--samples ../shared/samples] [--out tests/artifacts]
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
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
const samples = resolve(args.samples ?? join(pack, "..", "shared", "samples"));
const out = resolve(args.out ?? join(pack, "tests", "artifacts"));
const EDITOR = 15; // node id of the editor in the example workflow
mkdirSync(out, { recursive: true });

const test = join(samples, "vitonhd", "test");
const comfy = await startComfyUI({
  comfySrc,
  comfyPy,
  pack,
  packName: "comfyui-kfvton",
  prefix: "kfvton-e2e-",
  inputs: [
    [join(test, "image", "00891_00.jpg"), "00891_00.jpg"],
    [join(test, "cloth", "01260_00.jpg"), "01260_00.jpg"],
    [join(test, "image-parse", "00891_00.png"), "00891_00.png"],
    [join(test, "openpose-json", "00891_00_keypoints.json"), "00891_00_keypoints.json"],
  ],
  readyPath: "/object_info/KfvtonKeypointEditor",
});
const { url } = comfy;

async function waitFor(check, what, timeoutMs) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    try {
      const v = await check();
      if (v) return v;
    } catch {}
    await sleep(1000);
  }
  throw new Error(`timed out waiting for ${what}\n${comfy.log().slice(-3000)}`);
}

async function runPrompt(page) {
  const before = Object.keys(await (await fetch(`${url}/history`)).json()).length;
  await page.evaluate(() => window.app.queuePrompt(0, 1));
  const history = await waitFor(
    async () => {
      const h = await (await fetch(`${url}/history`)).json();
      const done = Object.values(h).filter((e) => e.status?.completed || e.status?.status_str === "error");
      return done.length > before ? done.at(-1) : null;
    },
    "the prompt to finish",
    420000,
  );
  assert.equal(history.status.status_str, "success", JSON.stringify(history.status).slice(0, 3000));
  return history;
}

async function showNode(page, id, scale) {
  await page.evaluate(
    ([nodeId, s]) => {
      const canvas = window.app.canvas;
      const node = window.app.graph.getNodeById(nodeId);
      canvas.ds.scale = s;
      canvas.ds.offset = [-node.pos[0] + 60 / s, -node.pos[1] + 80 / s];
      canvas.setDirty(true, true);
    },
    [id, scale],
  );
  await sleep(800);
}

const browser = await chromium.launch({
  executablePath: process.env.KFVTON_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const errors = [];
  page.on("pageerror", (err) => errors.push(String(err.stack ?? err)));
  await page.goto(url);
  await page.waitForFunction(() => window.app?.graph && window.app?.canvas, null, { timeout: 120000 });
  const workflow = JSON.parse(
    readFileSync(join(pack, "example_workflows", "kfvton_classical_keypoint_editor.json"), "utf-8"),
  );
  await page.evaluate((wf) => window.app.loadGraphData(wf), workflow);
  await sleep(1500);
  const hasView = await page.evaluate((id) => Boolean(window.app.graph.getNodeById(id)?.kfvtonEditor), EDITOR);
  assert.ok(hasView, "the extension attached its editor to the node");

  const t0 = Date.now();
  const first = await runPrompt(page);
  const firstSeconds = (Date.now() - t0) / 1000;
  assert.ok(first.outputs[String(EDITOR)]?.kfvton_keypoint_editor, "the editor sent its payload");
  await page.waitForFunction(
    (id) => {
      const v = window.app.graph.getNodeById(id).kfvtonEditor;
      return v.payload && v.images.garment && v.images.person;
    },
    EDITOR,
    { timeout: 30000 },
  );
  await showNode(page, EDITOR, 1.0);
  await page.screenshot({ path: join(out, "comfyui_keypoint_editor.png") });

  // drag the hem_center target 40 px right and 30 px up on screen, in the real frontend
  const p = await page.evaluate(
    (id) => window.app.graph.getNodeById(id).kfvtonEditor.clientPosition("hem_center", "person"),
    EDITOR,
  );
  await page.mouse.move(p.x, p.y);
  await page.mouse.down();
  await page.mouse.move(p.x + 20, p.y - 15, { steps: 4 });
  await page.mouse.move(p.x + 40, p.y - 30, { steps: 4 });
  await page.mouse.up();
  const edits = await page.evaluate(
    (id) => window.app.graph.getNodeById(id).widgets.find((w) => w.name === "edits").value,
    EDITOR,
  );
  const parsed = JSON.parse(edits);
  assert.equal(parsed.points.length, 1);
  assert.equal(parsed.points[0].name, "hem_center");
  // the edits go to the server with the prompt
  const prompt = await page.evaluate(async () => (await window.app.graphToPrompt()).output);
  assert.equal(prompt[String(EDITOR)].inputs.edits, edits);

  const second = await runPrompt(page);
  await sleep(1500);
  await showNode(page, EDITOR, 1.0);
  await page.screenshot({ path: join(out, "comfyui_keypoint_editor_edited.png") });
  await showNode(page, 1, 0.5);
  await page.screenshot({ path: join(out, "comfyui_keypoint_editor_workflow.png") });
  const notice = second.outputs[String(EDITOR)].kfvton_keypoint_editor[0].notice;
  // the edits survive a save/load of the workflow and a copy of the node
  const kept = await page.evaluate(async (id) => {
    const value = (node) => node.widgets.find((w) => w.name === "edits").value;
    const saved = JSON.parse(JSON.stringify(window.app.graph.serialize()));
    await window.app.loadGraphData(saved);
    const node = window.app.graph.getNodeById(id);
    const copy = node.clone();
    window.app.graph.add(copy);
    return { reloaded: value(node), copied: value(copy), view: Boolean(copy.kfvtonEditor) };
  }, EDITOR);
  assert.deepEqual(kept, { reloaded: edits, copied: edits, view: true });
  const widgets = await page.evaluate(
    (id) =>
      window.app.graph
        .getNodeById(id)
        .widgets.map((w) => ({ name: w.name, type: w.type, y: w.y, height: w.computedHeight, hidden: w.hidden })),
    EDITOR,
  );
  // errors raised by the frontend itself (its settings code, in headless runs) are reported, ours fail the check
  assert.deepEqual(errors.filter((e) => e.includes("/extensions/comfyui-kfvton/")), []);
  console.log(JSON.stringify({ ok: true, firstSeconds, edits: parsed, notice, widgets, errors, out }));
} finally {
  await browser.close();
  comfy.stop();
}
