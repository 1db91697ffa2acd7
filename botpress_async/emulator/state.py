"""The one object every emulator route shares: database, clock, token and registered actions.

It is stored on the aiohttp application under :data:`STATE_KEY`; a handler reaches it with
``request.app[STATE_KEY]``. It holds no HTTP logic.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from botpress_async.emulator.clock import Clock

#: An action handler: ``handler(input, context)`` returning the output object, sync or async.
ActionHandler = Callable[[dict[str, Any], "ActionContext"], "dict[str, Any] | Awaitable[dict[str, Any]]"]


@dataclass(frozen=True)
class ActionContext:
    """What an action handler learns about the call besides its input.

    Attributes:
        bot_id: the ``x-bot-id`` of the caller.
        type: the action type that was called.
        integration_id: the ``x-integration-id`` header, when sent.
    """

    bot_id: str
    type: str
    integration_id: str | None = None


@dataclass(eq=False)
class EmulatorState:
    """Shared state of one running emulator.

    Attributes:
        db: the SQLite connection (autocommit mode; writes go through ``store.transaction``).
        clock: the time source for timestamps, state expiry and scheduled events.
        token: the one Bearer token the emulator accepts. Never logged or shown in ``repr``.
        actions: action type -> handler, filled by ``Emulator.register_action``.
        middlewares: extra aiohttp middlewares run after authentication, in order (fault
            injection and rate limiting plug in here).
    """

    db: sqlite3.Connection
    clock: Clock
    token: str = field(repr=False)
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    middlewares: list[Middleware] = field(default_factory=list)


STATE_KEY = web.AppKey("botpress_emulator_state", EmulatorState)
