"""Fixtures of the integration tests: clients bound to an emulator, and runners of ``botpress-async`` and
the examples as subprocesses.

The emulator runs in the test's event loop, so subprocesses are driven with asyncio (a blocking
``subprocess.run`` would stop the emulator from answering). They are fixtures rather than an importable
module so they work whatever pytest's import mode.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from botpress_async import Client
from botpress_async.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]


@attrs.frozen
class Completed:
    """A finished subprocess: exit code and decoded output."""

    returncode: int
    stdout: str
    stderr: str


class Runner:
    """Runs commands from the repository root without blocking the event loop."""

    def __init__(self) -> None:
        script = Path(sys.executable).with_name("botpress-async")
        #: The console script next to this Python, else ``python -m botpress_async.cli``.
        self.cli_command = [str(script)] if script.exists() else [sys.executable, "-m", "botpress_async.cli"]

    async def run(self, args: list[str], env: Mapping[str, str], timeout: float = 120) -> Completed:
        """Run ``args`` to completion."""
        proc = await asyncio.create_subprocess_exec(
            *args,
            cwd=REPO,
            env=dict(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise
        assert proc.returncode is not None
        return Completed(proc.returncode, out.decode(), err.decode())

    async def cli(self, args: list[str], env: Mapping[str, str]) -> Completed:
        """Run ``botpress-async ARGS``."""
        return await self.run([*self.cli_command, *args], env)


def _client_for(emulator: Emulator, bot_id: str, **options: Any) -> Client:
    return Client(token=emulator.token, bot_id=bot_id, base_url=emulator.url, environ={}, **options)


@pytest.fixture
def client_for() -> Callable[..., Client]:
    """``client_for(emulator, bot_id, **options)``: a Client bound to ``emulator`` as bot ``bot_id``.

    It reads no BP_* variable (a developer's BP_WORKSPACE_ID must not reach the emulator); ``options`` go
    to ``Client``.
    """
    return _client_for


@pytest.fixture
def runner() -> Runner:
    """Runs subprocesses (``runner.cli([...], env)``, ``runner.run([...], env)``)."""
    return Runner()


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """The environment without any BP_* variable (never Botpress Cloud by accident), cache in tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BP_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    return env


@pytest.fixture
def bp_env(base_env: dict[str, str], botpress_emulator: Emulator, botpress_bot_id: str) -> dict[str, str]:
    """``base_env`` plus BP_API_URL, BP_TOKEN and BP_BOT_ID pointing at ``botpress_emulator``."""
    return {
        **base_env,
        "BP_API_URL": botpress_emulator.url,
        "BP_TOKEN": botpress_emulator.token,
        "BP_BOT_ID": botpress_bot_id,
    }
