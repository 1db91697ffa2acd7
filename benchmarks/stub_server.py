"""A canned-JSON stand-in for the Botpress API, for measuring clients rather than a server.

Run in a process of its own on loopback (``python -m benchmarks.stub_server --port 0``); it prints
``PORT <n>`` once listening and serves until killed or until its stdin closes.

Routes (any token is accepted; nothing is stored):

- ``GET /v1/chat/users/{id}``: one user, the same bytes every time.
- ``GET /v1/chat/users``: pages of 20 users out of ``--users`` (default 100 000), ``nextToken`` paging.
- ``POST /v1/tables/{table}/rows/find``: 1000 rows, the same bytes every time.
- ``POST /v1/tables/{table}/rows/upsert`` and ``POST /v1/tables/{table}/rows``: the rows sent, with ids,
  as ``inserted`` (the real API's answer shape).
- ``POST /v1/tables/{table}`` / ``GET /v1/tables/{table}``: a table (for clients that look it up first).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys

from aiohttp import web

from benchmarks import canned

_JSON = "application/json"


def make_app(total_users: int) -> web.Application:
    """The stub application serving ``total_users`` users."""
    user_body = canned.get_user_body()
    find_body = canned.find_rows_body()
    first_page = canned.list_users_body(0, total_users)
    table_body = json.dumps(
        {
            "table": {
                "id": "table_bench",
                "name": canned.TABLE,
                "schema": canned.TABLE_SCHEMA,
                "createdAt": canned.STAMP,
                "updatedAt": canned.STAMP,
                "factor": 1,
            },
            "rows": 0,
            "stale": 0,
            "indexing": 0,
            "created": False,
        }
    ).encode()
    ids = itertools.count(1)

    async def get_user(request: web.Request) -> web.Response:
        return web.Response(body=user_body, content_type=_JSON)

    async def list_users(request: web.Request) -> web.Response:
        token = request.query.get("nextToken")
        if not token:
            return web.Response(body=first_page, content_type=_JSON)
        return web.Response(body=canned.list_users_body(int(token), total_users), content_type=_JSON)

    async def find_rows(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=find_body, content_type=_JSON)

    async def upsert_rows(request: web.Request) -> web.Response:
        rows = json.loads(await request.read())["rows"]
        for row in rows:
            row["id"] = next(ids)
        return web.Response(body=json.dumps({"inserted": rows, "updated": []}).encode(), content_type=_JSON)

    async def create_rows(request: web.Request) -> web.Response:
        rows = json.loads(await request.read())["rows"]
        for row in rows:
            row["id"] = next(ids)
        return web.Response(body=json.dumps({"rows": rows}).encode(), content_type=_JSON)

    async def table(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=table_body, content_type=_JSON)

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_get("/v1/chat/users/{id}", get_user)
    app.router.add_get("/v1/chat/users", list_users)
    app.router.add_post("/v1/tables/{table}/rows/find", find_rows)
    app.router.add_post("/v1/tables/{table}/rows/upsert", upsert_rows)
    app.router.add_post("/v1/tables/{table}/rows", create_rows)
    app.router.add_post("/v1/tables/{table}", table)
    app.router.add_get("/v1/tables/{table}", table)
    return app


async def serve(port: int, total_users: int) -> None:
    """Serve on 127.0.0.1:``port`` until stdin closes; print ``PORT <n>`` when listening."""
    runner = web.AppRunner(make_app(total_users), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"PORT {bound}", flush=True)
    try:
        await wait_for_stdin_close()
    finally:
        await runner.cleanup()


async def wait_for_stdin_close() -> None:
    """Return when the parent closes our stdin (the parent's way of saying stop)."""
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--users", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.users))


if __name__ == "__main__":
    main()
