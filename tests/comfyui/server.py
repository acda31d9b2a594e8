"""A real headless ComfyUI server for the end-to-end tests: a fresh --base-directory holding only this pack (and the
test probe pack), with model files the test writes under base/models, on a free loopback port, on the CPU."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.comfyui_env import ROOT, ComfyUI

PACK_NAME = "comfyui-kfvton"
PROBE = Path(__file__).resolve().parent / "probe_node.py"


@dataclass
class PromptResult:
    status: str  # "success" | "error"
    messages: list[Any]
    outputs: dict[str, Any] = field(default_factory=dict)

    def error(self) -> dict[str, Any] | None:
        """The execution_error message (node_type, exception_type, exception_message, ...), or None."""
        for name, msg in self.messages:
            if name == "execution_error":
                return msg
        return None


class ComfyServer:
    def __init__(self, comfy: ComfyUI, base: Path, *, probe: bool = True) -> None:
        self.comfy, self.base = comfy, base
        for sub in ("custom_nodes", "input", "output", "temp", "user/default", "models"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        packs = [PACK_NAME]
        (base / "custom_nodes" / PACK_NAME).symlink_to(ROOT, target_is_directory=True)
        if probe:
            (base / "custom_nodes" / "kfvton_test_probe.py").symlink_to(PROBE)
            packs.append("kfvton_test_probe.py")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [str(comfy.python), "main.py", "--cpu", "--listen", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--disable-auto-launch", "--base-directory", str(base)]
        cmd += ["--database-url", f"sqlite:///{base / 'user' / 'comfyui.db'}"]
        cmd += ["--disable-all-custom-nodes", "--whitelist-custom-nodes", *packs]
        self.log_path = base / "server.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            cmd, cwd=comfy.src, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip

    # -- life cycle
    def wait_ready(self, timeout: float = 300) -> dict[str, Any]:
        """/object_info once the server answers; raises with the log tail when it dies or times out."""
        t0 = time.time()
        while time.time() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ComfyUI exited during start-up:\n{self.log_tail()}")
            try:
                return self.get("/object_info")
            except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                time.sleep(0.5)
        raise RuntimeError(f"ComfyUI not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
        self._log.close()

    def log_tail(self, n: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])

    # -- http
    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=60) as r:
            return json.load(r)

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        req = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                text = r.read().decode()
                return r.status, json.loads(text) if text.strip() else {}
        except urllib.error.HTTPError as err:
            text = err.read().decode(errors="replace")
            try:
                return err.code, json.loads(text)
            except ValueError:
                return err.code, {"error": text}

    def with_defaults(self, prompt: dict[str, Any]) -> dict[str, Any]:
        """`prompt` with every required widget it leaves out set to its default (as the UI would send it)."""
        if not hasattr(self, "_info"):
            self._info = self.get("/object_info")
        out = {}
        for node_id, node in prompt.items():
            inputs = dict(node["inputs"])
            for name, spec in self._info[node["class_type"]]["input"].get("required", {}).items():
                kind, opts = spec[0], (spec[1] if len(spec) > 1 else {})
                if name in inputs:
                    continue
                if isinstance(kind, list):
                    inputs[name] = opts.get("default", kind[0] if kind else None)
                elif kind in ("INT", "FLOAT", "STRING", "BOOLEAN", "COMBO") and "default" in opts:
                    inputs[name] = opts["default"]
            out[node_id] = {**node, "inputs": inputs}
        return out

    def run(self, prompt: dict[str, Any], timeout: float = 300) -> PromptResult:
        """Queue an API-format prompt (missing widgets take their defaults) and wait for it; a prompt the server
        rejects raises with its errors."""
        code, answer = self.post("/prompt", {"prompt": self.with_defaults(prompt), "client_id": "kfvton-tests"})
        if code != 200:
            raise AssertionError(f"prompt rejected ({code}): {json.dumps(answer)[:3000]}")
        prompt_id = answer["prompt_id"]
        t0 = time.time()
        while time.time() - t0 < timeout:
            if not self.alive():
                raise RuntimeError(f"ComfyUI died running the prompt:\n{self.log_tail()}")
            entry = self.get(f"/history/{prompt_id}").get(prompt_id)
            if entry and entry.get("status", {}).get("status_str") in ("success", "error"):
                status = entry["status"]
                return PromptResult(status["status_str"], status.get("messages", []), entry.get("outputs", {}))
            time.sleep(0.2)
        raise TimeoutError(f"prompt {prompt_id} not done after {timeout:.0f} s:\n{self.log_tail()}")

    def free(self, *, cache: bool = False) -> None:
        """What the UI's "Unload models" sends (`cache`: "Unload models and execution cache")."""
        code, answer = self.post("/free", {"unload_models": True, "free_memory": cache})
        assert code == 200, answer

    def probe(self, prompt: dict[str, Any] | None = None, after: str | None = None) -> dict[str, Any]:
        """The probe node's report from inside the server (tests/comfyui/probe_node.py), run in `prompt` after its
        node `after` (so the nodes' outputs, cached by ComfyUI, are alive while it looks)."""
        probe = {"nonce": time.time_ns() % 2**31, **({"after": [after, 0]} if after else {})}
        result = self.run({**(prompt or {}), "kfvton_probe": {"class_type": "KfvtonTestProbe", "inputs": probe}})
        assert result.status == "success", result.error()
        assert "kfvton_probe" in result.outputs, (result.outputs.keys(), result.messages)
        return result.outputs["kfvton_probe"]["report"][0]
