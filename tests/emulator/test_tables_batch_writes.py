"""Batched row writes (one key lookup, one INSERT/UPDATE per kind) answer exactly as the row-by-row path:
each scenario runs twice on fresh stores, once with the batch path disabled, and the answers and the
stored rows must be equal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from botpress_async.emulator import store
from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator.clock import ManualClock
from botpress_async.emulator.tables import TableStore

BOT = "bot_a"
SCHEMA = {
    "type": "object",
    "properties": {
        "sku": {"type": "string"},
        "qty": {"type": "number"},
        "active": {"type": "boolean"},
        "at": {"type": "string", "format": "date-time"},
        "note": {"type": "string"},
    },
    "required": ["note"],
}
SEED = [
    {"sku": "a", "qty": 1, "active": True, "at": "2024-01-01T00:00:00Z", "note": "x"},
    {"sku": "b", "qty": 2, "active": False, "at": "2024-01-02T00:00:00Z", "note": "y"},
    {"sku": "b", "qty": 3, "active": False, "note": "dup"},
]


def run(scenario: Callable[[TableStore], Any], *, batched: bool) -> tuple[Any, list[Any]]:
    """The scenario's answer (or error type) and every stored row afterwards."""
    db = store.connect(":memory:")
    try:
        ts = TableStore(db, ManualClock(1_700_000_000_000))
        if not batched:
            ts._write_batch = lambda *args, **kwargs: None  # type: ignore[method-assign]
        ts.create_table(BOT, {"name": "itemsTable", "schema": SCHEMA})
        ts.create_rows(BOT, "itemsTable", SEED)
        try:
            answer = scenario(ts)
        except EmulatorError as exc:
            answer = (exc.type, str(exc))
        rows = [dict(r) for r in db.execute(f"SELECT * FROM {ts.table(BOT, 'itemsTable').rows_table}")]
        return answer, rows
    finally:
        db.close()


def upsert(rows: list[Any], key: str | None = None) -> Callable[[TableStore], Any]:
    return lambda ts: ts.upsert_rows(BOT, "itemsTable", rows, key)


def create(rows: list[Any], key_column: str | None = None) -> Callable[[TableStore], Any]:
    def scenario(ts: TableStore) -> Any:
        if key_column is not None:
            ts.db.execute("DELETE FROM " + ts.table(BOT, "itemsTable").rows_table + " WHERE id = 3")
            ts.update_table(BOT, "itemsTable", {"keyColumn": key_column})
        return ts.create_rows(BOT, "itemsTable", rows)

    return scenario


SCENARIOS: dict[str, Callable[[TableStore], Any]] = {
    "update, insert, several matches and no key": upsert(
        [
            {"sku": "a", "qty": 9, "note": "u"},
            {"sku": "new", "note": "n"},
            {"sku": "b", "note": "?"},
            {"note": "k"},
        ],
        "sku",
    ),
    "a key written twice in one request": upsert(
        [
            {"sku": "c", "qty": 1, "note": "1"},
            {"sku": "c", "qty": 2},
            {"sku": "a", "note": "2"},
            {"sku": "a"},
        ],
        "sku",
    ),
    "invalid rows, unknown columns, size and required": upsert(
        [
            {"sku": 5, "note": "n"},
            {"sku": "d", "zzz": 1},
            {"sku": "e", "note": "é" * 2100},
            {"sku": "f"},
            "row",
        ],
        "sku",
    ),
    "number and boolean keys": upsert([{"qty": 2.0, "note": "two"}, {"qty": 7, "note": "seven"}], "qty"),
    "boolean key": upsert([{"active": True, "note": "t"}], "active"),
    "date-time key in another form": upsert(
        [{"at": "2024-01-01T01:00:00+01:00", "note": "same instant"}], "at"
    ),
    "id key: known, unknown, fresh id reused, non-numbers": upsert(
        [
            {"id": 1, "note": "one"},
            {"id": 99, "note": "new"},
            {"id": 4, "qty": 4},
            {"id": "2", "note": "s"},
            {"id": 2.0, "qty": 5},
            {"id": True, "note": "b"},
        ],
    ),
    "nothing written": upsert([{"sku": 1}, {"sku": "z"}], "sku"),
    "huge key falls back": upsert([{"qty": 2**70, "note": "big"}], "qty"),
    "create without key column": create([{"sku": "a", "note": "n"}, {"note": "m"}, {"qty": "x"}]),
    "create with key column clashes": create(
        [{"sku": "a", "note": "n"}, {"sku": "z", "note": "1"}, {"sku": "z", "note": "2"}, {"note": "3"}],
        "sku",
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_batched_writes_answer_and_store_as_row_by_row_writes(name: str) -> None:
    scenario = SCENARIOS[name]
    assert run(scenario, batched=True) == run(scenario, batched=False)


def test_a_key_inserted_earlier_in_the_request_is_updated_by_a_later_row() -> None:
    answer, rows = run(
        upsert([{"sku": "c", "qty": 1, "note": "1"}, {"sku": "c", "qty": 2}], "sku"), batched=True
    )
    assert [r["qty"] for r in answer["inserted"]] == [2] and [r["qty"] for r in answer["updated"]] == [2]
    assert len(rows) == 4


def test_upsert_rows_look_keys_up_once_not_once_per_row() -> None:
    statements: list[str] = []

    def scenario(ts: TableStore) -> Any:
        ts.db.set_trace_callback(statements.append)
        rows = [{"sku": "a", "note": "u"}] + [{"sku": f"n{i}", "note": "n"} for i in range(50)]
        return ts.upsert_rows(BOT, "itemsTable", rows, "sku")

    answer, _ = run(scenario, batched=True)
    assert len(answer["inserted"]) == 50 and len(answer["updated"]) == 1
    assert sum(s.lstrip().upper().startswith("SELECT") for s in statements) < 10
