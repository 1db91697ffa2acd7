"""Runtime (chat) API routes. (Being written.)"""

from __future__ import annotations

from aiohttp import web

from botpress_async.emulator.state import EmulatorState


def add_routes(app: web.Application, state: EmulatorState) -> None:
    """Register the /v1/chat routes on ``app``."""
