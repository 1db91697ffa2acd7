"""The Mongo-like filter compiler, exercised through TableStore.find_rows on an in-memory database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from botpress_async.emulator import store
from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator.clock import ManualClock
from botpress_async.emulator.filters import FilterCompiler, canonical_datetime
from botpress_async.emulator.tables import TableStore

BOT = "bot_filters"
SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "n": {"type": "number"},
        "flag": {"type": "boolean"},
        "meta": {"type": "object"},
        "tags": {"type": "array"},
        "when": {"type": "string", "format": "date-time"},
        "text": {"type": "string"},
    },
}
ROWS: list[dict[str, Any]] = [
    {
        "name": "alpha",
        "n": 1,
        "flag": True,
        "meta": {"age": 30, "city": "Paris"},
        "tags": ["a", "b"],
        "when": "2024-01-01T00:00:00Z",
        "text": "1",
    },
    {
        "name": "Beta",
        "n": 2.5,
        "flag": False,
        "meta": {"age": 40},
        "tags": ["a"],
        "when": "2024-06-01T12:00:00.000Z",
        "text": "x",
    },
    {"name": "gamma", "n": 7, "meta": {"age": "40"}, "tags": [], "text": 'o\'brien "q"'},
    {"name": None, "n": -3},
]


@pytest.fixture
def tables() -> Iterator[TableStore]:
    db = store.connect(":memory:")
    try:
        ts = TableStore(db, ManualClock(1_700_000_000_000))
        ts.create_table(BOT, {"name": "itemsTable", "schema": SCHEMA})
        ts.create_rows(BOT, "itemsTable", ROWS)
        yield ts
    finally:
        db.close()


def names(ts: TableStore, filter: Any) -> list[Any]:
    return [r["name"] for r in ts.find_rows(BOT, "itemsTable", {"filter": filter})["rows"]]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"name": "alpha"}, ["alpha"]),
        ({"name": {"$eq": "Beta"}}, ["Beta"]),
        ({"n": {"$ne": 1}}, ["Beta", "gamma", None]),
        ({"n": {"$gt": 1}}, ["Beta", "gamma"]),
        ({"n": {"$gte": 2.5}}, ["Beta", "gamma"]),
        ({"n": {"$lt": 1}}, [None]),
        ({"n": {"$lte": 1}}, ["alpha", None]),
        ({"name": {"$in": ["alpha", "gamma", "zeta"]}}, ["alpha", "gamma"]),
        ({"name": {"$nin": ["alpha", "gamma"]}}, ["Beta", None]),
        ({"flag": {"$exists": True}}, ["alpha", "Beta"]),
        ({"flag": {"$exists": False}}, ["gamma", None]),
        ({"name": {"$regex": "^(al|ga)"}}, ["alpha", "gamma"]),
        ({"name": {"$regex": "^beta$", "$options": "i"}}, ["Beta"]),
        ({"name": {"$regex": "^beta$", "$options": "c"}}, []),
        ({"n": {"$mod": [2, 1]}}, ["alpha", "gamma"]),
        ({"tags": {"$size": 1}}, ["Beta"]),
        ({"tags": {"$size": 0}}, ["gamma"]),
        ({"$and": [{"n": {"$gt": 0}}, {"n": {"$lt": 5}}]}, ["alpha", "Beta"]),
        ({"$or": [{"name": "alpha"}, {"n": -3}]}, ["alpha", None]),
        ({"$not": {"name": "alpha"}}, ["Beta", "gamma", None]),
        ({"n": {"$not": {"$gt": 2}}}, ["alpha", None]),
        ({"meta.age": 40}, ["Beta"]),
        ({"meta.city": {"$exists": True}}, ["alpha"]),
        ({"name": None}, [None]),
        ({"name": {"$ne": None}}, ["alpha", "Beta", "gamma"]),
        ({"tags": ["a", "b"]}, ["alpha"]),
        ({"meta": {"age": 40}}, ["Beta"]),
        ({"id": {"$in": [1, 3]}}, ["alpha", "gamma"]),
        ({"id": {"$gt": 3}}, [None]),
        ({}, ["alpha", "Beta", "gamma", None]),
    ],
)
def test_each_operator_selects_the_expected_rows(
    tables: TableStore, filter: Any, expected: list[Any]
) -> None:
    assert names(tables, filter) == expected


def test_comparisons_are_type_strict_numbers_never_equal_strings(tables: TableStore) -> None:
    assert names(tables, {"meta.age": "40"}) == ["gamma"]
    assert names(tables, {"text": 1}) == []
    assert names(tables, {"n": "1"}) == []


def test_booleans_do_not_match_numbers(tables: TableStore) -> None:
    assert names(tables, {"flag": 1}) == []
    assert names(tables, {"flag": True}) == ["alpha"]


def test_ordering_operators_only_match_their_own_type(tables: TableStore) -> None:
    assert names(tables, {"name": {"$gt": 5}}) == []
    assert names(tables, {"n": {"$gt": "a"}}) == []


def test_a_string_never_matches_an_object_column(tables: TableStore) -> None:
    assert names(tables, {"meta": '{"age":40}'}) == []


def test_date_filters_compare_chronologically_across_iso_spellings(tables: TableStore) -> None:
    assert names(tables, {"when": {"$gt": "2024-03-01T00:00:00+00:00"}}) == ["Beta"]
    assert names(tables, {"when": "2024-01-01T00:00:00.000Z"}) == ["alpha"]


def test_created_at_is_filterable_as_a_date(tables: TableStore) -> None:
    assert len(names(tables, {"createdAt": {"$gte": "2023-11-14T22:13:20Z"}})) == 4
    assert names(tables, {"createdAt": {"$gt": "2023-11-15"}}) == []


def test_quotes_in_values_are_bound_not_injected(tables: TableStore) -> None:
    assert names(tables, {"text": 'o\'brien "q"'}) == ["gamma"]
    assert names(tables, {"name": "x' OR 1=1 --"}) == []


def test_quotes_in_nested_keys_are_rejected_as_invalid_query(tables: TableStore) -> None:
    with pytest.raises(EmulatorError) as info:
        names(tables, {'meta.a"); DROP TABLE bp_tables; --': 1})
    assert info.value.type == "InvalidQuery"
    assert tables.list_tables(BOT)["tables"]


def test_nested_keys_with_single_quotes_are_bound(tables: TableStore) -> None:
    assert names(tables, {"meta.it's": 1}) == []


@pytest.mark.parametrize(
    "filter",
    [
        {"name": {"$like": "a"}},
        {"$nor": [{"name": "a"}]},
        {"unknownColumn": 1},
        {"id.x": 1},
        {"$and": []},
        {"$or": {"name": "a"}},
        {"n": {"$in": "a"}},
        {"n": {"$mod": [0, 1]}},
        {"n": {"$mod": [2]}},
        {"tags": {"$size": -1}},
        {"name": {"$regex": "("}},
        {"name": {"$options": "i"}},
        {"name": {"$regex": "a", "$options": "z"}},
        {"n": {"$gt": None}},
        {"n": {"$exists": 1}},
        {"name": {"$eq": "a", "plain": 1}},
        {"n": {"$not": 3}},
        [1, 2],
    ],
)
def test_malformed_filters_are_invalid_query(tables: TableStore, filter: Any) -> None:
    with pytest.raises(EmulatorError) as info:
        tables.find_rows(BOT, "itemsTable", {"filter": filter})
    assert info.value.type == "InvalidQuery"


def test_plain_identifier_paths_are_inlined_so_an_index_can_serve_them() -> None:
    compiler = FilterCompiler({"iata": {"type": "string"}})
    sql = compiler.where({"iata": "SFO"})
    assert "json_extract(data, '$.iata') = :f0" in sql
    assert compiler.params == {"f0": "SFO"}


def test_other_paths_are_bound_parameters() -> None:
    compiler = FilterCompiler({"my col": {"type": "object"}})
    sql = compiler.where({"my col.x'y": 1})
    assert "'" not in sql.replace("'integer'", "").replace("'real'", "")
    assert '$."my col"."x\'y"' in compiler.params.values()


def test_filter_sql_runs_on_a_plain_connection() -> None:
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, created_at TEXT, updated_at TEXT, data TEXT)")
        db.execute("""INSERT INTO t (created_at, updated_at, data) VALUES ('a', 'a', '{"v": [1, 2, 3]}')""")
        compiler = FilterCompiler({"v": {"type": "array"}})
        sql = compiler.where({"v": {"$size": 3}})
        assert db.execute(f"SELECT COUNT(*) FROM t WHERE {sql}", compiler.params).fetchone()[0] == 1
    finally:
        db.close()


def test_canonical_datetime_normalizes_offsets_to_utc_milliseconds() -> None:
    assert canonical_datetime("2024-01-01T02:00:00+02:00") == "2024-01-01T00:00:00.000Z"
    assert canonical_datetime("2024-01-01") == "2024-01-01T00:00:00.000Z"
    assert canonical_datetime("yesterday") is None


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
)
_keys = st.sampled_from(
    [
        "name",
        "n",
        "flag",
        "meta",
        "meta.age",
        "tags",
        "id",
        "createdAt",
        "bogus",
        "$eq",
        "$gt",
        "$in",
        "$regex",
        "$options",
        "$mod",
        "$size",
        "$not",
        "$and",
        "$or",
        "$exists",
        "a'b",
        'q"',
    ]
)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filter=st.dictionaries(_keys, _json, max_size=3))
def test_any_filter_either_runs_or_is_invalid_query(tables: TableStore, filter: dict[str, Any]) -> None:
    try:
        result = tables.find_rows(BOT, "itemsTable", {"filter": filter})
    except EmulatorError as exc:
        assert exc.type == "InvalidQuery"
    else:
        assert len(result["rows"]) <= len(ROWS)


_ops = st.sampled_from(["key", "count", "sum", "avg", "min", "max", "unique", "median", ""])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    group=st.none() | st.dictionaries(_keys, _ops | st.lists(_ops, max_size=3), max_size=3),
    order_by=st.none() | _keys,
    select=st.none() | st.lists(_keys, max_size=3),
    search=st.none() | st.text(max_size=10),
)
def test_any_find_body_either_runs_or_is_a_catalogue_error(
    tables: TableStore, group: Any, order_by: Any, select: Any, search: Any
) -> None:
    body = {
        k: v
        for k, v in {"group": group, "orderBy": order_by, "select": select, "search": search}.items()
        if v is not None
    }
    try:
        result = tables.find_rows(BOT, "itemsTable", body)
    except EmulatorError as exc:
        assert exc.type in ("InvalidQuery", "InvalidPayload")
    else:
        assert isinstance(result["rows"], list)
