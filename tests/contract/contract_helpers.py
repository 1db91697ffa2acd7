"""Helpers for the contract tests: the official TypeScript client (installed on demand into a cache and
driven by ``node/driver.cjs``), and a loopback capture server that records raw requests (and, in proxy
mode, forwards them to an emulator and records the answers).

The official client ``@botpress/client`` is pinned in ``node/package.json``. ``official_client_path()``
installs it with ``npm install --prefix <cache>`` once (the cache is ``node/.cache``, or
``$BOTPRESS_CONTRACT_NODE_CACHE``) and returns its ``node_modules`` folder, or raises
:class:`NodeUnavailable` with the reason (no node, no npm, registry unreachable) so tests can skip.
Set ``BOTPRESS_CONTRACT_REQUIRE_NODE=1`` to make the fixtures fail instead of skipping.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import aiohttp
from aiohttp import web
from yarl import URL

NODE_DIR = Path(__file__).resolve().parent / "node"
DRIVER = NODE_DIR / "driver.cjs"
PINNED_VERSION: str = json.loads((NODE_DIR / "package.json").read_text("utf-8"))["dependencies"][
    "@botpress/client"
]
MARK_PREFIX = "/__mark__/"

#: How long `npm install` may take before the tests give up (and skip): a cold install takes ~5 s.
_INSTALL_TIMEOUT_S = 240
#: How long one driver run may take (it drives every operation in one process).
_DRIVER_TIMEOUT_S = 60


#: The Tables schema the contract tests create: a key column, a number and a searchable text column.
ORDERS_SCHEMA = {
    "type": "object",
    "properties": {
        "sku": {"type": "string"},
        "qty": {"type": "number"},
        "note": {"type": "string", "x-zui": {"searchable": True}},
    },
}


class NodeUnavailable(Exception):
    """The official client cannot be run here (the message says why)."""


def _cache_dir() -> Path:
    return Path(os.environ.get("BOTPRESS_CONTRACT_NODE_CACHE") or NODE_DIR / ".cache")


def _installed_version(node_modules: Path) -> str | None:
    manifest = node_modules / "@botpress" / "client" / "package.json"
    try:
        version = json.loads(manifest.read_text("utf-8")).get("version")
    except (OSError, ValueError):
        return None
    return version if isinstance(version, str) else None


def official_client_path() -> Path:
    """The ``node_modules`` folder holding ``@botpress/client`` at the pinned version (installed if needed).

    Raises:
        NodeUnavailable: node or npm is missing, or the install failed (registry unreachable ...).
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise NodeUnavailable("node and npm are needed to run the official @botpress/client")
    cache = _cache_dir()
    node_modules = cache / "node_modules"
    if _installed_version(node_modules) == PINNED_VERSION:
        return node_modules
    cache.mkdir(parents=True, exist_ok=True)
    command = [
        npm,
        "install",
        "--prefix",
        str(cache),
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--no-package-lock",
        "--loglevel=error",
        "--fetch-timeout=30000",
        "--fetch-retries=1",
        f"@botpress/client@{PINNED_VERSION}",
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_INSTALL_TIMEOUT_S, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as exc:
        raise NodeUnavailable(f"npm install @botpress/client@{PINNED_VERSION} timed out") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        reason = " | ".join(tail)
        raise NodeUnavailable(f"npm install @botpress/client@{PINNED_VERSION} failed (offline?): {reason}")
    installed = _installed_version(node_modules)
    if installed != PINNED_VERSION:
        raise NodeUnavailable(f"npm installed @botpress/client {installed}, expected {PINNED_VERSION}")
    return node_modules


def _driver_env(node_modules: Path) -> dict[str, str]:
    # BP_* would be read by the official client for props we leave out (x-workspace-id ...): drop them.
    env = {key: value for key, value in os.environ.items() if not key.startswith("BP_")}
    env["NODE_PATH"] = str(node_modules)
    return env


async def run_driver(
    node_modules: Path,
    steps: list[dict[str, Any]],
    *,
    api_url: str,
    token: str,
    bot_id: str,
    mark_url: str | None = None,
) -> dict[str, Any]:
    """Run ``node driver.cjs`` once over ``steps`` (without blocking the event loop, so an emulator or a
    capture server in this loop keeps answering) and return its JSON report
    ``{"clientVersion", "steps": [{"name", "op", "ok", "result" | "error"}]}``.

    Raises:
        RuntimeError: the driver crashed, timed out or printed something that is not its report.
    """
    plan = {"apiUrl": api_url, "token": token, "botId": bot_id, "markUrl": mark_url, "steps": steps}
    process = await asyncio.create_subprocess_exec(
        "node",
        str(DRIVER),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_driver_env(node_modules),
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(json.dumps(plan).encode()), _DRIVER_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise RuntimeError(f"the node driver did not finish within {_DRIVER_TIMEOUT_S} s") from None
    if process.returncode != 0:
        raise RuntimeError(f"the node driver failed ({process.returncode}): {err.decode()[-2000:]}")
    try:
        report: dict[str, Any] = json.loads(out)
    except ValueError as exc:
        raise RuntimeError(f"the node driver printed no JSON report: {out[:500]!r}") from exc
    return report


class Captured:
    """One request as it reached the capture server (nothing decoded but the JSON body).

    Attributes:
        step: the name of the step that sent it (set by a mark, or by ``CaptureServer.step``).
        method: the HTTP method.
        path: the raw, still percent-encoded path.
        query: the raw query string, byte for byte, without the ``?`` ("" when none).
        headers: lower-cased header name -> value.
        body: the raw body bytes.
        status: the status answered (proxy mode: the upstream's).
        response: the answer's decoded JSON body (None when not JSON).
    """

    def __init__(self, step: str, request: web.Request, body: bytes) -> None:
        raw = request.raw_path
        path, _, query = raw.partition("?")
        self.step = step
        self.method = request.method
        self.path = path
        self.query = query
        self.headers = {key.lower(): value for key, value in request.headers.items()}
        self.body = body
        self.status = 0
        self.response: Any = None

    def json(self) -> Any:
        """The body decoded as JSON, or None when the body is empty."""
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        query = f"?{self.query}" if self.query else ""
        return f"<{self.step}: {self.method} {self.path}{query} {self.body[:200]!r}>"


_NOT_FOUND = {
    "id": "err_20240101000000x00000000",
    "code": 404,
    "type": "ResourceNotFound",
    "message": "capture server: nothing is stored here",
}


class CaptureServer:
    """A loopback aiohttp.web server recording every request.

    Without ``upstream`` it answers every request 404 ResourceNotFound (both clients then raise their
    typed not-found error, and neither retries). With ``upstream`` (an emulator URL) it forwards the
    request unchanged and records the answer too.

    ``GET /__mark__/<name>`` (sent by the node driver between steps) sets the current step name;
    Python code sets ``server.step`` directly. ``replies`` holds canned answers served first.
    """

    def __init__(self, upstream: str | None = None) -> None:
        self.upstream = upstream
        self.step = ""
        #: canned answers ``(status, json body)`` used (first in, first out) before the default 404
        self.replies: list[tuple[int, Any]] = []
        self.requests: list[Captured] = []
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.raw_path.startswith(MARK_PREFIX):
            self.step = unquote(request.raw_path[len(MARK_PREFIX) :])
            return web.Response(text="ok")
        captured = Captured(self.step, request, await request.read())
        self.requests.append(captured)
        if self.replies:
            captured.status, captured.response = self.replies.pop(0)
            return web.json_response(captured.response, status=captured.status)
        if self._session is None:
            captured.status = 404
            captured.response = _NOT_FOUND
            return web.json_response(_NOT_FOUND, status=404)
        headers = {
            key: value
            for key, value in request.headers.items()
            if key.lower() not in ("host", "content-length", "transfer-encoding", "connection")
        }
        url = self.upstream + request.raw_path  # type: ignore[operator]
        async with self._session.request(
            request.method, URL(url, encoded=True), headers=headers, data=captured.body or None
        ) as answer:
            data = await answer.read()
            captured.status = answer.status
            try:
                captured.response = json.loads(data) if data else None
            except ValueError:
                captured.response = None
            return web.Response(
                body=data, status=answer.status, content_type=answer.content_type or "application/json"
            )

    def by_step(self) -> dict[str, list[Captured]]:
        """The recorded requests grouped by step name (in order)."""
        out: dict[str, list[Captured]] = {}
        for captured in self.requests:
            out.setdefault(captured.step, []).append(captured)
        return out

    async def __aenter__(self) -> CaptureServer:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        server: Any = site._server
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        if self.upstream is not None:
            self._session = aiohttp.ClientSession(auto_decompress=False)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def strip_none(value: Mapping[str, Any]) -> dict[str, Any]:
    """``value`` without its None members (what a JSON body looks like once ``undefined`` is dropped)."""
    return {key: item for key, item in value.items() if item is not None}
