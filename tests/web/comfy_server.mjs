// A real headless ComfyUI for the browser end-to-end scripts: a fresh --base-directory under /tmp holding only this
// pack (symlinked into custom_nodes/) and the given input files, on a free loopback port, killed when the script exits.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Start ComfyUI and wait until `readyPath` answers 200 (or give up after `timeoutMs`).
 * @param {{comfySrc: string, comfyPy: string, pack: string, packName: string, prefix: string,
 *          inputs?: [string, string][], readyPath: string, timeoutMs?: number}} options
 *   inputs: [source file, name in ComfyUI's input folder] pairs.
 * @returns {Promise<{url: string, base: string, log: () => string, stop: () => void}>}
 */
export async function startComfyUI({ comfySrc, comfyPy, pack, packName, prefix, inputs = [], readyPath, timeoutMs = 240000 }) {
  const base = mkdtempSync(join(tmpdir(), prefix));
  for (const d of ["custom_nodes", "input", "output", "temp", "user/default"]) mkdirSync(join(base, d), { recursive: true });
  symlinkSync(pack, join(base, "custom_nodes", packName));
  for (const [source, name] of inputs) copyFileSync(source, join(base, "input", name));
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
      "--disable-all-custom-nodes", "--whitelist-custom-nodes", packName,
    ],
    // same process group as the script: whoever stops the group (pytest on a timeout) stops ComfyUI too
    { cwd: comfySrc, stdio: ["ignore", "pipe", "pipe"] },
  );
  let serverLog = "";
  server.stdout.on("data", (d) => (serverLog += d));
  server.stderr.on("data", (d) => (serverLog += d));
  const stop = () => {
    if (server.exitCode === null) server.kill("SIGTERM");
  };
  process.on("exit", stop);

  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    try {
      if ((await fetch(`${url}${readyPath}`)).ok) return { url, base, log: () => serverLog, stop };
    } catch {}
    await sleep(1000);
  }
  stop();
  throw new Error(`ComfyUI did not start within ${timeoutMs / 1000} s\n${serverLog.slice(-3000)}`);
}
