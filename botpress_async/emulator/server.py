"""``Emulator``: run the emulator on a loopback socket inside the current event loop.

Used by the pytest plugin, the CLI (``python -m botpress_async.emulator``) and users' own tests.
"""

from __future__ import annotations

import random
import secrets
from types import TracebackType
from typing import Self

from aiohttp import web

from botpress_async.emulator import store
from botpress_async.emulator.app import make_app
from botpress_async.emulator.clock import Clock
from botpress_async.emulator.faults import FaultPlan, fault_middleware
from botpress_async.emulator.rate_limit import RateLimit, rate_limit_middleware
from botpress_async.emulator.state import ActionHandler, EmulatorState

__all__ = ["Emulator"]


class Emulator:
    """A running local Botpress API (runtime + Tables) for tests and development.

    Usage::

        async with Emulator() as emu:
            client = Client(token=emu.token, bot_id="...", base_url=emu.url)

    Args:
        token: the Bearer token to accept; a random one when omitted (read it from ``emu.token``).
        db: SQLite database file, or ``":memory:"`` (the default). With a file, every acknowledged
            write survives a restart on the same file.
        host: interface to bind; loopback by default.
        port: TCP port; 0 picks a free one (read it from ``emu.url``).
        clock: time source for timestamps, state expiry and the delivery of scheduled events and messages
            (``ManualClock`` in tests).
        faults: fault injection, off by default: a :class:`FaultPlan` or its text form
            (``"429=0.05,503=0.03,reset=0.02,latency=0.05:200ms,commit502=0.01"``).
        fault_seed: seed of the fault draws, for reproducible runs.
        rate_limit: a sliding-window limit per bot, off by default: a :class:`RateLimit` or ``"50/s"``.

    Raises:
        ValueError: ``faults`` or ``rate_limit`` text that does not parse.
    """

    def __init__(
        self,
        token: str | None = None,
        db: str = ":memory:",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        *,
        faults: FaultPlan | str | None = None,
        fault_seed: int | None = None,
        rate_limit: RateLimit | str | None = None,
    ) -> None:
        self._token = token if token is not None else secrets.token_urlsafe(32)
        self._db_path = db
        self._host = host
        self._port = port
        self.clock = clock if clock is not None else Clock()
        self._actions: dict[str, ActionHandler] = {}
        self.faults = FaultPlan.parse(faults) if isinstance(faults, str) else faults
        self.rate_limit = RateLimit.parse(rate_limit) if isinstance(rate_limit, str) else rate_limit
        self._fault_seed = fault_seed
        self._runner: web.AppRunner | None = None
        self._state: EmulatorState | None = None
        self._bound_port: int | None = None

    def __repr__(self) -> str:
        where = self.url if self._bound_port is not None else "not started"
        return f"<Emulator {where} db={self._db_path!r}>"

    @property
    def token(self) -> str:
        """The Bearer token the emulator accepts."""
        return self._token

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321`` (no trailing slash).

        Raises:
            RuntimeError: the emulator is not started.
        """
        if self._bound_port is None:
            raise RuntimeError("the emulator is not started")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._bound_port}"

    def register_action(self, type: str, handler: ActionHandler) -> None:
        """Serve ``POST /v1/chat/actions`` calls of action ``type`` with ``handler``.

        Args:
            type: the action type (e.g. ``"slack:sendMessage"``).
            handler: ``handler(input: dict, context: ActionContext) -> dict`` (sync or async); its result is
                the call's ``output``. Raising ``EmulatorError`` answers that error; any other exception
                answers 400 Runtime.
        """
        self._actions[type] = handler

    async def start(self) -> None:
        """Open the database and start serving. Prefer ``async with``."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already started")
        db = store.connect(self._db_path)
        self._state = EmulatorState(db=db, clock=self.clock, token=self._token, actions=self._actions)
        # Rate limiting first: a refused request never reaches the fault draws.
        if self.rate_limit is not None:
            self._state.middlewares.append(rate_limit_middleware(self.rate_limit, self.clock))
        if self.faults is not None:
            self._state.middlewares.append(fault_middleware(self.faults, random.Random(self._fault_seed)))
        # Bodies are decoded by read_json, within each route's size limit (see _http._read_capped).
        runner = web.AppRunner(make_app(self._state), access_log=None, auto_decompress=False)
        try:
            await runner.setup()
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            db.close()
            self._state = None
            raise
        self._runner = runner
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self._bound_port = int(sockets[0].getsockname()[1]) if sockets else self._port

    async def stop(self) -> None:
        """Stop serving and close the database (idempotent)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        if self._state is not None:
            self._state.db.close()
            self._state = None
        self._bound_port = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
