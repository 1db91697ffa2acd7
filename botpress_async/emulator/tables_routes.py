"""HTTP routes of the Tables API (``/v1/tables...``): decode, validate against the spec, call the store.

Each handler reads the body with ``read_json`` (Tables limit: 40 MB), validates it (and the query) against
the packaged 1.70.2 Tables spec, then calls :class:`~botpress_async.emulator.tables.TableStore` or the
export/import jobs (:mod:`botpress_async.emulator.table_jobs`), and answers JSON. Every Tables operation
answers 200 (the spec declares no 201 for Tables). The rules themselves live in ``tables.py``; this module
must not hold any.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from botpress_async.emulator import files, table_jobs
from botpress_async.emulator._http import TABLES_MAX_BYTES, bot_id, json_response, read_json
from botpress_async.emulator.state import EmulatorState
from botpress_async.emulator.tables import TableStore
from botpress_async.emulator.validation import operation, validate_body, validate_query

__all__ = ["ROUTES", "TABLES_KEY", "add_routes"]

#: Where the application keeps its TableStore.
TABLES_KEY = web.AppKey("botpress_tables_store", TableStore)

Handler = Callable[[web.Request], Awaitable[web.Response]]


async def _body(request: web.Request, operation_id: str) -> dict[str, Any]:
    body = await read_json(request, max_bytes=TABLES_MAX_BYTES)
    validate_body("tables", operation_id, body)
    return body


def _tables(request: web.Request) -> TableStore:
    return request.app[TABLES_KEY]


async def list_tables(request: web.Request) -> web.Response:
    query = validate_query("tables", "listTables", request.query)
    return json_response(_tables(request).list_tables(bot_id(request), query.get("tags")))


async def create_table(request: web.Request) -> web.Response:
    body = await _body(request, "createTable")
    return json_response(_tables(request).create_table(bot_id(request), body))


async def get_table(request: web.Request) -> web.Response:
    return json_response(_tables(request).get_table(bot_id(request), request.match_info["table"]))


async def get_or_create_table(request: web.Request) -> web.Response:
    body = await _body(request, "getOrCreateTable")
    name = request.match_info["table"]
    return json_response(_tables(request).get_or_create_table(bot_id(request), name, body))


async def update_table(request: web.Request) -> web.Response:
    body = await _body(request, "updateTable")
    return json_response(_tables(request).update_table(bot_id(request), request.match_info["table"], body))


async def delete_table(request: web.Request) -> web.Response:
    await read_json(request, max_bytes=TABLES_MAX_BYTES)  # the official client sends {}
    return json_response(_tables(request).delete_table(bot_id(request), request.match_info["table"]))


async def duplicate_table(request: web.Request) -> web.Response:
    body = await _body(request, "duplicateTable")
    source = request.match_info["sourceTableId"]
    return json_response(_tables(request).duplicate_table(bot_id(request), source, body))


async def rename_table_column(request: web.Request) -> web.Response:
    body = await _body(request, "renameTableColumn")
    table = request.match_info["table"]
    return json_response(
        _tables(request).rename_column(bot_id(request), table, body["name"], body["newName"])
    )


async def get_table_row(request: web.Request) -> web.Response:
    query = validate_query("tables", "getTableRow", request.query)
    return json_response(_tables(request).get_row(bot_id(request), request.match_info["table"], query["id"]))


async def find_table_rows(request: web.Request) -> web.Response:
    body = await _body(request, "findTableRows")
    return json_response(_tables(request).find_rows(bot_id(request), request.match_info["table"], body))


async def create_table_rows(request: web.Request) -> web.Response:
    body = await _body(request, "createTableRows")
    table = request.match_info["table"]
    return json_response(_tables(request).create_rows(bot_id(request), table, body["rows"]))


async def update_table_rows(request: web.Request) -> web.Response:
    body = await _body(request, "updateTableRows")
    table = request.match_info["table"]
    return json_response(_tables(request).update_rows(bot_id(request), table, body["rows"]))


async def upsert_table_rows(request: web.Request) -> web.Response:
    body = await _body(request, "upsertTableRows")
    table = request.match_info["table"]
    result = _tables(request).upsert_rows(bot_id(request), table, body["rows"], body.get("keyColumn"))
    return json_response(result)


async def delete_table_rows(request: web.Request) -> web.Response:
    body = await _body(request, "deleteTableRows")
    return json_response(_tables(request).delete_rows(bot_id(request), request.match_info["table"], body))


async def export_table(request: web.Request) -> web.Response:
    query = validate_query("tables", "exportTable", request.query)
    job = request.app[table_jobs.JOBS_KEY].start_export(
        bot_id(request),
        request.match_info["table"],
        format=query.get("format", "json"),
        compress=query.get("compress", True),
    )
    return json_response({"job": job})


async def import_table(request: web.Request) -> web.Response:
    body = await _body(request, "importTable")
    job = request.app[table_jobs.JOBS_KEY].start_import(
        bot_id(request), request.match_info["table"], body["fileId"]
    )
    return json_response({"job": job})


async def get_table_jobs(request: web.Request) -> web.Response:
    jobs = request.app[table_jobs.JOBS_KEY].list_jobs(bot_id(request), request.match_info["table"])
    return json_response({"jobs": jobs})


#: operationId -> handler; method and path come from the spec.
ROUTES: dict[str, Handler] = {
    "listTables": list_tables,
    "createTable": create_table,
    "getTable": get_table,
    "getOrCreateTable": get_or_create_table,
    "updateTable": update_table,
    "deleteTable": delete_table,
    "duplicateTable": duplicate_table,
    "exportTable": export_table,
    "getTableJobs": get_table_jobs,
    "importTable": import_table,
    "renameTableColumn": rename_table_column,
    "getTableRow": get_table_row,
    "findTableRows": find_table_rows,
    "createTableRows": create_table_rows,
    "updateTableRows": update_table_rows,
    "deleteTableRows": delete_table_rows,
    "upsertTableRows": upsert_table_rows,
}


def add_routes(app: web.Application, state: EmulatorState) -> None:
    """Register every ``/v1/tables`` route (and the files routes table import/export need) on ``app``.

    Creates the application's :class:`TableStore` (its SQLite tables on ``state.db``), the file store and
    the job runner.
    """
    tables = TableStore(state.db, state.clock)
    app[TABLES_KEY] = tables
    file_store = files.add_routes(app, state)
    table_jobs.install(app, tables, file_store, state.clock)
    for operation_id, handler in ROUTES.items():
        method, path, _ = operation("tables", operation_id)
        app.router.add_route(method, path, handler)
