"""The emulator's aiohttp application: middlewares in order, then every part's routes.

``make_app`` wires; it holds no route logic. Runtime (chat) routes live in ``runtime.py``, Tables routes
in ``tables_routes.py``; each exposes ``add_routes(app, state)``.
"""

from __future__ import annotations

import importlib

from aiohttp import web

from botpress_async.emulator import runtime
from botpress_async.emulator._http import TABLES_MAX_BYTES, auth_middleware, error_middleware
from botpress_async.emulator.state import STATE_KEY, EmulatorState

__all__ = ["make_app"]


def make_app(state: EmulatorState) -> web.Application:
    """Build the application serving the runtime (chat) and Tables APIs from ``state``.

    Middlewares, outermost first: the error body, authentication (+ unknown routes + ``x-bot-id``),
    then ``state.middlewares`` (fault injection, rate limiting) in their order.
    """
    app = web.Application(
        middlewares=[error_middleware, auth_middleware, *state.middlewares],
        # read_json enforces each route's own limit; this only stops aiohttp's readers earlier.
        client_max_size=TABLES_MAX_BYTES + 1,
    )
    app[STATE_KEY] = state
    runtime.add_routes(app, state)
    try:
        # Built in parallel by the Tables engineer; import normally once tables_routes.py exists.
        tables_routes = importlib.import_module("botpress_async.emulator.tables_routes")
    except ModuleNotFoundError as exc:
        if exc.name != "botpress_async.emulator.tables_routes":
            raise
    else:
        add_tables_routes = getattr(tables_routes, "add_routes", None)
        if add_tables_routes is not None:
            add_tables_routes(app, state)
    return app
