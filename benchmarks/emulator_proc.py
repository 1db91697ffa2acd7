"""Run the botpress_async emulator in a process of its own for the benchmarks.

``python -m benchmarks.emulator_proc [--rate-limit 50/s]`` prints ``PORT <n>`` once listening and
serves until its stdin closes. The emulator's own CLI may differ between versions; this one only uses
the ``Emulator`` class.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
from typing import Any

from benchmarks import canned
from benchmarks.stub_server import wait_for_stdin_close


def supports_rate_limit() -> bool:
    """True when this version's ``Emulator`` takes ``rate_limit=``."""
    from botpress_async.emulator import Emulator

    return "rate_limit" in inspect.signature(Emulator).parameters


async def serve(rate_limit: str | None) -> None:
    from botpress_async.emulator import Emulator

    kwargs: dict[str, Any] = {"token": canned.TOKEN}
    if rate_limit:
        kwargs["rate_limit"] = rate_limit
    async with Emulator(**kwargs) as emu:
        print(f"PORT {emu.url.rsplit(':', 1)[1]}", flush=True)
        await wait_for_stdin_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate-limit", default=None)
    args = parser.parse_args()
    asyncio.run(serve(args.rate_limit))


if __name__ == "__main__":
    main()
