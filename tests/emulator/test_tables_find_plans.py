"""findTableRows speed-ups keep the answers: schema-typed filters, the plan switch, the statistics.

The filter compiler trusts a top-level string/number/boolean column to hold only values of its type (no
per-row json_type check, an index-friendly predicate); TableStore runs SQLite's plan under a CPU budget
and switches to the other plan (order walk <-> filter lookup then sort) past it; it ANALYZEs a rows
table once it is big enough. Each must return exactly the rows the plain, always-checking SQL returns.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from botpress_async.emulator import store
from botpress_async.emulator import tables as tables_module
from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator.clock import ManualClock
from botpress_async.emulator.filters import FilterCompiler
from botpress_async.emulator.tables import TableStore

BOT = "bot_plans"
SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "state": {"type": "string"},
        "elevation": {"type": "number"},
        "open": {"type": "boolean"},
        "when": {"type": "string", "format": "date-time"},
        "meta": {"type": "object"},
    },
}
ROW_COUNT = 400


def _rows(count: int) -> list[dict[str, Any]]:
    rnd = random.Random(3)
    rows = []
    for i in range(count):
        row: dict[str, Any] = {
            "code": f"C{i:04d}",
            "state": rnd.choice(["CA", "TX", "NY", "1", "true", ""]),
            "elevation": rnd.choice([rnd.randint(-50, 5000), rnd.random() * 10, 0, 1, None]),
            "open": rnd.choice([True, False, None]),
            "when": f"2024-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}T00:00:00Z",
            "meta": {"n": rnd.choice([1, "1", True, None])},
        }
        if i % 7 == 0:
            del row["elevation"]  # missing, not null
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def tables() -> Iterator[TableStore]:
    db = store.connect(":memory:")
    try:
        ts = TableStore(db, ManualClock(1_700_000_000_000))
        ts.create_table(BOT, {"name": "placesTable", "schema": SCHEMA})
        ts.create_rows(BOT, "placesTable", _rows(ROW_COUNT))
        yield ts
    finally:
        db.close()


def _ids(ts: TableStore, filter: Any, *, trust: bool) -> list[int]:
    record = ts.table(BOT, "placesTable")
    compiler = FilterCompiler(record.columns, trust_column_types=trust)
    where = compiler.where(filter)
    sql = f"SELECT id FROM {record.rows_table} WHERE {where} ORDER BY id"
    return [row[0] for row in ts.db.execute(sql, compiler.params)]


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, 1, -1, 0.5, 1000, 4999.5, 10**20]),
    st.sampled_from(["CA", "1", "true", "", "2024-05-15", "2024-03-10T00:00:00.000Z", "C0042"]),
)
_columns = st.sampled_from(["code", "state", "elevation", "open", "when", "meta.n"])
_condition = st.one_of(
    _values,
    st.dictionaries(
        st.sampled_from(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]), _values, min_size=1, max_size=2
    ),
    st.dictionaries(st.sampled_from(["$in", "$nin"]), st.lists(_values, max_size=4), min_size=1, max_size=1),
    st.dictionaries(st.just("$exists"), st.booleans(), min_size=1, max_size=1),
    st.dictionaries(st.just("$mod"), st.just([2, 1]), min_size=1, max_size=1),
)
_filters = st.dictionaries(_columns, _condition, min_size=1, max_size=2)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filter=_filters)
def test_schema_typed_filters_select_the_same_rows_as_per_row_type_checks(
    tables: TableStore, filter: dict[str, Any]
) -> None:
    try:
        expected = _ids(tables, filter, trust=False)
    except Exception as exc:  # an invalid filter must be invalid both ways
        with pytest.raises(type(exc)):
            _ids(tables, filter, trust=True)
        return
    assert _ids(tables, filter, trust=True) == expected


def test_a_range_on_a_number_column_compiles_to_a_bare_indexable_comparison() -> None:
    compiler = FilterCompiler({"elevation": {"type": "number"}})
    sql = compiler.where({"elevation": {"$gt": 1000}})
    assert sql.strip("()") == "json_extract(data, '$.elevation') > :f0"


def test_a_value_of_another_type_than_the_column_never_matches() -> None:
    compiler = FilterCompiler({"elevation": {"type": "number"}, "code": {"type": "string"}})
    assert compiler.where({"elevation": "1000"}).strip("()") == "0"
    assert compiler.where({"code": {"$gt": 5}}).strip("()") == "0"


def test_in_on_a_typed_column_is_one_sql_in_list_of_the_matching_operands() -> None:
    compiler = FilterCompiler({"state": {"type": "string"}})
    sql = compiler.where({"state": {"$in": ["CA", 1, "TX"]}})
    assert sql.strip("()") == "json_extract(data, '$.state') IN (:f0, :f1"
    assert compiler.params == {"f0": "CA", "f1": "TX"}


def test_a_boolean_column_equality_uses_the_indexed_value() -> None:
    compiler = FilterCompiler({"open": {"type": "boolean"}})
    assert compiler.where({"open": True}).strip("()") == "json_extract(data, '$.open') = 1"


def test_nested_paths_keep_the_per_row_type_check() -> None:
    compiler = FilterCompiler({"meta": {"type": "object"}})
    assert "json_type" in compiler.where({"meta.n": 1})


_typed_condition = st.one_of(
    st.sampled_from(["CA", "TX", "1", True, 1, 1000, None]),
    st.dictionaries(
        st.sampled_from(["$gt", "$gte", "$lt", "$lte"]),
        st.sampled_from([0, 1, 10, 1000, 4990, "T"]),
        min_size=1,
        max_size=2,
    ),
    st.dictionaries(
        st.just("$in"), st.lists(st.sampled_from(["CA", "NY", "", 1, 0]), max_size=3), min_size=1, max_size=1
    ),
)
_bodies = st.fixed_dictionaries(
    {
        "filter": st.one_of(
            _filters,
            st.dictionaries(
                st.sampled_from(["state", "elevation", "open", "code"]),
                _typed_condition,
                min_size=1,
                max_size=2,
            ),
        )
    },
    optional={
        "orderBy": st.sampled_from(["id", "code", "state", "elevation", "createdAt", "updatedAt", "meta.n"]),
        "orderDirection": st.sampled_from(["asc", "desc"]),
        "limit": st.integers(1, 50),
        "offset": st.integers(0, 300),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bodies)
def test_switching_to_the_other_plan_returns_the_same_page(
    tables: TableStore, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(tables_module, "_PLAN_BUDGET_S", 3600.0)  # SQLite's own plan, never interrupted
        try:
            expected = tables.find_rows(BOT, "placesTable", body)
        except EmulatorError:
            return  # an invalid filter: nothing to plan
        patch.setattr(tables_module, "_PLAN_BUDGET_S", -1.0)  # interrupted at once: the other plan
        patch.setattr(tables_module, "_PLAN_CHECK_STEPS", 1)
        assert tables.find_rows(BOT, "placesTable", body) == expected


def _traced(ts: TableStore, body: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    statements: list[str] = []
    ts.db.set_trace_callback(statements.append)
    try:
        return ts.find_rows(BOT, "placesTable", body), statements
    finally:
        ts.db.set_trace_callback(None)


def test_a_selective_range_walked_in_id_order_past_the_budget_is_looked_up_in_the_index(
    tables: TableStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables_module, "_PLAN_BUDGET_S", -1.0)
    body = {"filter": {"elevation": {"$gt": 4900}}}
    answer, statements = _traced(tables, body)
    finds = [s for s in statements if s.startswith("SELECT id FROM")]
    assert len(finds) == 2 and "ORDER BY +id ASC" in finds[1]
    assert all(row["elevation"] > 4900 for row in answer["rows"])


def test_a_find_ends_with_no_progress_handler_left_on_the_connection(
    tables: TableStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables_module, "_PLAN_BUDGET_S", -1.0)
    tables.find_rows(BOT, "placesTable", {"filter": {"elevation": {"$gt": 4900}}})
    # A handler left behind would interrupt this unrelated long statement.
    count = tables.db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
        "SELECT COUNT(*) FROM n"
    ).fetchone()[0]
    assert count == 200000


def test_a_rows_table_gets_planner_statistics_once_it_is_big_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables_module, "_ANALYZE_MIN_ROWS", 100)
    db = store.connect(":memory:")
    try:
        ts = TableStore(db, ManualClock(1_700_000_000_000))
        ts.create_table(BOT, {"name": "placesTable", "schema": SCHEMA})
        ts.create_rows(BOT, "placesTable", _rows(50))
        ts.find_rows(BOT, "placesTable", {"filter": {"state": "CA"}})
        assert _stat_rows(db) == 0
        ts.create_rows(BOT, "placesTable", _rows(60))
        ts.find_rows(BOT, "placesTable", {"filter": {"state": "CA"}})
        assert _stat_rows(db) > 0
    finally:
        db.close()


def _stat_rows(db: sqlite3.Connection) -> int:
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() is None:
        return 0
    return int(db.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl LIKE 'bp_rows_%'").fetchone()[0])
