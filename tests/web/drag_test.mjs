// Browser test of the keypoint editor: headless Chromium (the system's, no browser download) driven by
// playwright-core. For each scenario (node size, canvas zoom) it opens the harness page, drags a person target
// by (dx, dy) screen pixels, shift-clicks a garment landmark to exclude it, and checks the "edits" widget JSON.
//
// usage: node drag_test.mjs <base-url> <artifact-dir>     (env KFVTON_CHROMIUM overrides /usr/bin/chromium)
// Prints one JSON line per scenario and exits non-zero on the first failed check.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { chromium } from "playwright-core";

const [base, artifacts] = process.argv.slice(2);
if (!base || !artifacts) {
  console.error("usage: node drag_test.mjs <base-url> <artifact-dir>");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const SCENARIOS = [
  { name: "default", size: "560x420", scale: 1, drag: "hem_center", dx: 40, dy: -30, exclude: "sleeve_left_outer" },
  // as a workflow saved with edits for another keypoint set: they must be dropped, not kept or misapplied
  {
    name: "zoomed-small",
    size: "380x300",
    scale: 1.6,
    drag: "shoulder_left",
    dx: -25,
    dy: 35,
    exclude: "hem_left",
    preload: JSON.stringify({
      version: 1,
      fingerprint: "learned/64/0000000000",
      points: [{ name: "g0_k00", garment: null, person: [0.5, 0.5], enabled: true }],
    }),
  },
];

const browser = await chromium.launch({
  executablePath: process.env.KFVTON_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  for (const s of SCENARIOS) {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors = [];
    page.on("pageerror", (err) => errors.push(String(err)));
    const query = new URLSearchParams({ size: s.size, scale: String(s.scale), ...(s.preload ? { edits: s.preload } : {}) });
    await page.goto(`${base}/index.html?${query}`);
    await page.waitForFunction(() => window.kfvtonHarness?.ready && window.kfvtonHarness.imagesLoaded(), null, {
      timeout: 15000,
    });
    const before = await page.evaluate(() => window.kfvtonHarness.editsValue());
    assert.equal(before, s.preload ?? "", "the widget starts with the workflow's edits");

    const at = (name, frame) =>
      page.evaluate(([n, f]) => window.kfvtonHarness.node.kfvtonEditor.clientPosition(n, f), [name, frame]);
    const payload = await page.evaluate(() => window.kfvtonHarness.node.kfvtonEditor.payload);
    const index = payload.names.indexOf(s.drag);
    const [u0, v0] = payload.person.points[index];
    const panel = await page.evaluate(() => window.kfvtonHarness.panel("person"));

    // drag the person target
    const p = await at(s.drag, "person");
    await page.mouse.move(p.x, p.y);
    await page.mouse.down();
    await page.mouse.move(p.x + s.dx / 2, p.y + s.dy / 2, { steps: 4 });
    await page.mouse.move(p.x + s.dx, p.y + s.dy, { steps: 4 });
    await page.mouse.up();
    const afterDrag = JSON.parse(await page.evaluate(() => window.kfvtonHarness.editsValue()));
    const expected = [u0 + s.dx / (panel.zoom * panel.w), v0 + s.dy / (panel.zoom * panel.h)];
    assert.equal(afterDrag.version, 1);
    assert.equal(afterDrag.fingerprint, payload.fingerprint);
    assert.equal(afterDrag.points.length, 1);
    const moved = afterDrag.points[0];
    assert.equal(moved.name, s.drag);
    assert.equal(moved.garment, null);
    assert.equal(moved.enabled, true);
    for (const k of [0, 1]) {
      // within a tenth of a screen pixel of where the pointer went
      assert.ok(Math.abs(moved.person[k] - expected[k]) * panel.zoom * (k ? panel.h : panel.w) < 0.1, `axis ${k}`);
    }

    // shift-click a garment landmark: excluded from the warp
    const g = await at(s.exclude, "garment");
    await page.keyboard.down("Shift");
    await page.mouse.click(g.x, g.y);
    await page.keyboard.up("Shift");
    const afterToggle = JSON.parse(await page.evaluate(() => window.kfvtonHarness.editsValue()));
    const excluded = afterToggle.points.find((q) => q.name === s.exclude);
    assert.deepEqual(excluded, { name: s.exclude, garment: null, person: null, enabled: false });

    // hover shows the name
    const p2 = await at(s.drag, "person");
    await page.mouse.move(p2.x, p2.y);
    const screenshot = join(artifacts, `keypoint_editor_${s.name}.png`);
    await page.screenshot({ path: screenshot });
    assert.deepEqual(errors, [], "no page errors");
    console.log(JSON.stringify({ scenario: s.name, expected, edits: afterToggle, screenshot }));
    await page.close();
  }
} finally {
  await browser.close();
}
