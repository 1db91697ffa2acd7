"""Wire samples of Tables API objects (JSON exactly as the service sends it)."""

from __future__ import annotations

from typing import Any

from runtime_wire import CREATED, UPDATED
from wire_recorder import BOT_ID

TABLE_ID = "table_01HAB0000000000000000000001"


def table(name: str = "airportsTable", **over: Any) -> dict[str, Any]:
    return {
        "id": TABLE_ID,
        "name": name,
        "factor": 1,
        "keyColumn": "iata",
        "frozen": False,
        "schema": {
            "type": "object",
            "properties": {
                "iata": {"type": "string", "x-zui": {"index": 0, "searchable": False}},
                "name": {"type": "string", "x-zui": {"index": 1, "searchable": True}},
            },
            "additionalProperties": True,
        },
        "tags": {},
        "createdAt": CREATED,
        "updatedAt": UPDATED,
        **over,
    }


def row(id: int = 1, **columns: Any) -> dict[str, Any]:
    return {"id": id, "createdAt": CREATED, "updatedAt": UPDATED, "computed": {}, **columns}


def job(type: str = "export", status: str = "pending", **over: Any) -> dict[str, Any]:
    return {
        "id": "job_1", "botId": BOT_ID, "tableId": TABLE_ID, "type": type, "status": status, "progress": 0,
        "inputFileId": None, "outputFileId": None, "createdAt": CREATED, "updatedAt": UPDATED, **over,
    }


def table_answer(**over: Any) -> dict[str, Any]:
    return {"table": table(**over), "rows": 0, "stale": 0, "indexing": 0}
