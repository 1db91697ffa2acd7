"""Child processes of the harness: servers (stub, emulator), Python workers and the node worker."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
OFFICIAL_PACKAGE = "@botpress/client"


class WorkerError(RuntimeError):
    """A worker process failed; the message holds the end of its stderr."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


@contextlib.contextmanager
def server(module: str, *args: str, timeout: float = 30.0) -> Iterator[str]:
    """Start ``python -m <module> --port 0 ...``; yield its base URL; stop it by closing its stdin."""
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=_env(),
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            proc.kill()
            _, err = proc.communicate(timeout=timeout)
            raise WorkerError(f"{module} did not start: {err.strip()[-600:]}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def run_python(spec: dict[str, Any], timeout: float = 1800.0) -> dict[str, Any]:
    """Run ``benchmarks.worker`` with ``spec`` in a fresh interpreter; its JSON result."""
    return _run([sys.executable, "-m", "benchmarks.worker", json.dumps(spec)], timeout)


def run_node(spec: dict[str, Any], timeout: float = 1800.0) -> dict[str, Any]:
    """Run the official client's worker under node with ``spec``; its JSON result."""
    script = Path(__file__).resolve().parent / "official_client.mjs"
    return _run(["node", str(script), json.dumps(spec)], timeout)


def _run(argv: list[str], timeout: float) -> dict[str, Any]:
    done = subprocess.run(
        argv, capture_output=True, text=True, cwd=ROOT, env=_env(), timeout=timeout, check=False
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise WorkerError(f"exit {done.returncode}: {done.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def official_client(install: bool = True) -> tuple[str | None, str]:
    """Where node should resolve @botpress/client from (installing it into benchmarks/.cache), or a reason.

    Returns:
        ``(require_from, version)`` when available, else ``(None, why_not)``.
    """
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None, "node or npm is not installed"
    package = CACHE / "node_modules" / "@botpress" / "client"
    if not (package / "package.json").exists():
        if not install:
            return None, f"{OFFICIAL_PACKAGE} is not installed in {CACHE}"
        CACHE.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        done = subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(CACHE),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                OFFICIAL_PACKAGE,
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            return None, f"npm install {OFFICIAL_PACKAGE} failed: {done.stderr.strip()[-300:]}"
        print(f"  installed {OFFICIAL_PACKAGE} in {time.monotonic() - started:.0f}s", file=sys.stderr)
    version = json.loads((package / "package.json").read_text())["version"]
    return str(CACHE / "resolve-from-here.js"), str(version)
