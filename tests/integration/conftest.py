"""Helpers for the tests that run ``botpress-async`` and the examples as subprocesses.

The emulator runs in the test's event loop, so the subprocesses are driven with asyncio (a blocking
``subprocess.run`` would stop the emulator from answering).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import attrs

from botpress_async.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"


@attrs.frozen
class Completed:
    returncode: int
    stdout: str
    stderr: str


def cli_command() -> list[str]:
    """The console script next to this Python, else ``python -m botpress_async.cli``."""
    script = Path(sys.executable).with_name("botpress-async")
    return [str(script)] if script.exists() else [sys.executable, "-m", "botpress_async.cli"]


def clean_env(extra: Mapping[str, str], cache: Path) -> dict[str, str]:
    """The environment without any BP_* variable (never reach Botpress Cloud by accident), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BP_")}
    env["XDG_CACHE_HOME"] = str(cache)
    env.update(extra)
    return env


def emulator_env(emulator: Emulator, bot_id: str) -> dict[str, str]:
    """BP_* variables pointing at a running emulator."""
    return {"BP_API_URL": emulator.url, "BP_TOKEN": emulator.token, "BP_BOT_ID": bot_id}


async def run(args: list[str], env: Mapping[str, str], cwd: Path = REPO, timeout: float = 120) -> Completed:
    """Run a command to completion without blocking the event loop."""
    proc = await asyncio.create_subprocess_exec(
        *args,
        cwd=cwd,
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


async def run_cli(args: list[str], env: Mapping[str, str], cwd: Path = REPO) -> Completed:
    """Run ``botpress-async ARGS``."""
    return await run([*cli_command(), *args], env, cwd)
