"""Command line: ``python -m botpress_async.emulator [--host H] [--port P] [--db FILE] [--token T]``.

The ``botpress-async emulator`` subcommand reuses :func:`add_arguments` and :func:`run`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sqlite3
import sys

from botpress_async.emulator.faults import FaultPlan
from botpress_async.emulator.rate_limit import RateLimit
from botpress_async.emulator.server import Emulator

__all__ = ["add_arguments", "build_parser", "main", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's options (--host, --port, --db, --token) to ``parser``."""
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to bind (default: 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=8765, help="TCP port (default: 8765; 0 picks a free one)")
    parser.add_argument("--db", default=":memory:",
                        help="SQLite file: acknowledged writes survive a restart (default: :memory:)")
    parser.add_argument("--token", default=None,
                        help="the Bearer token to accept (default: a random one, printed at start)")
    parser.add_argument("--faults", type=_faults, default=None,
                        help="inject faults, e.g. 429=0.05,503=0.03,reset=0.02,latency=0.05:200ms")
    parser.add_argument("--rate-limit", type=_rate_limit, default=None,
                        help="sliding-window limit per bot, e.g. 50/s (default: none)")


def _faults(text: str) -> FaultPlan:
    try:
        return FaultPlan.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _rate_limit(text: str) -> RateLimit:
    try:
        return RateLimit.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    """The standalone parser of ``python -m botpress_async.emulator``."""
    parser = argparse.ArgumentParser(
        prog="python -m botpress_async.emulator",
        description="Serve a local emulator of the Botpress runtime (chat) and Tables APIs.",
    )
    add_arguments(parser)
    return parser


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows' proactor loop
            loop.add_signal_handler(signum, stop.set)
    options = {"faults": getattr(args, "faults", None), "rate_limit": getattr(args, "rate_limit", None)}
    async with Emulator(token=args.token, db=args.db, host=args.host, port=args.port, **options) as emulator:
        print(f"Botpress emulator listening on {emulator.url} (database: {args.db})", flush=True)
        if args.token is None:
            # Generated here, so the user has no other way to learn it.
            print(f"token: {emulator.token}", flush=True)
        await stop.wait()


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM with options parsed by :func:`add_arguments`; returns the exit status."""
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass
    except (OSError, sqlite3.Error) as exc:  # port in use, bad host, unreadable database file...
        print(f"emulator: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse ``argv`` (default: ``sys.argv[1:]``) and serve."""
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
