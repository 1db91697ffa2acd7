"""TableStore rules (tables and rows), directly on an in-memory database with a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from botpress_async.emulator import store
from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator.clock import ManualClock
from botpress_async.emulator.tables import MAX_ROW_ID, TableStore

BOT = "bot_a"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_700_000_000_000)


@pytest.fixture
def ts(clock: ManualClock) -> Iterator[TableStore]:
    db = store.connect(":memory:")
    try:
        yield TableStore(db, clock)
    finally:
        db.close()


def make(ts: TableStore, name: str = "itemsTable", **body: Any) -> dict[str, Any]:
    body.setdefault("schema", {"sku": "a", "price": 1.0, "qty": 1})
    table: dict[str, Any] = ts.create_table(BOT, {"name": name, **body})["table"]
    return table


def error_type(call: Any, *args: Any) -> str:
    with pytest.raises(EmulatorError) as info:
        call(*args)
    return info.value.type


# -- tables ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["items", "1itemsTable", "my-itemsTable", "a" * 31 + "Table", "itemstable", "", "Table"]
)
def test_table_names_breaking_the_rule_are_invalid_payload(ts: TableStore, name: str) -> None:
    assert error_type(ts.create_table, BOT, {"name": name, "schema": {"a": "x"}}) == "InvalidPayload"


@pytest.mark.parametrize("name", ["_xTable", "a" * 30 + "Table", "t1_Table"])
def test_table_names_following_the_rule_are_accepted(ts: TableStore, name: str) -> None:
    assert make(ts, name)["name"] == name


def test_a_second_table_with_the_same_name_already_exists(ts: TableStore) -> None:
    make(ts)
    assert error_type(make, ts) == "AlreadyExists"


def test_more_than_twenty_columns_exceed_the_limit(ts: TableStore) -> None:
    schema = {f"c{i}": "x" for i in range(21)}
    assert error_type(ts.create_table, BOT, {"name": "wideTable", "schema": schema}) == "LimitExceeded"


@pytest.mark.parametrize("column", ["id", "createdAt", "updatedAt", "a" * 31, "a.b", 'q"uote'])
def test_reserved_or_malformed_column_names_are_invalid_payload(ts: TableStore, column: str) -> None:
    assert error_type(ts.create_table, BOT, {"name": "xTable", "schema": {column: "x"}}) == "InvalidPayload"


def test_an_example_object_schema_infers_column_types_and_indexes(ts: TableStore) -> None:
    table = make(ts, schema={"s": "x", "n": 2, "b": True, "o": {"k": 1}, "l": ["x"]})
    props = table["schema"]["properties"]
    assert {k: v["type"] for k, v in props.items()} == {
        "s": "string",
        "n": "number",
        "b": "boolean",
        "o": "object",
        "l": "array",
    }
    assert [v["x-zui"]["index"] for v in props.values()] == [0, 1, 2, 3, 4]
    assert props["l"]["items"] == {"type": "string"}


def test_a_json_schema_is_normalized_to_the_stored_shape(ts: TableStore) -> None:
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "default": 3},
            "s": {"type": ["string", "null"], "x-zui": {"index": 9, "searchable": True}},
            "d": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
        },
        "required": ["n"],
    }
    stored = make(ts, schema=schema)["schema"]
    assert stored["properties"]["n"] == {"type": "number", "x-zui": {"index": 0}}
    assert stored["properties"]["s"] == {
        "type": "string",
        "nullable": True,
        "x-zui": {"searchable": True, "index": 1},
    }
    assert stored["properties"]["d"]["format"] == "date-time"
    assert stored["required"] == ["n"] and stored["additionalProperties"] is True


def test_an_unsupported_column_type_is_invalid_json_schema(ts: TableStore) -> None:
    schema = {"type": "object", "properties": {"x": {"type": "date"}}}
    assert error_type(ts.create_table, BOT, {"name": "xTable", "schema": schema}) == "InvalidJsonSchema"


def test_tables_are_found_by_id_or_name_and_isolated_per_bot(ts: TableStore) -> None:
    table = make(ts)
    assert ts.get_table(BOT, table["id"])["table"]["name"] == "itemsTable"
    assert ts.get_table(BOT, "itemsTable")["rows"] == 0
    assert error_type(ts.get_table, "bot_b", "itemsTable") == "ResourceNotFound"
    assert ts.list_tables("bot_b") == {"tables": []}


def test_list_tables_filters_on_every_given_tag(ts: TableStore) -> None:
    make(ts, "aTable", tags={"env": "dev", "team": "x"})
    make(ts, "bTable", tags={"env": "prod"})
    assert [t["name"] for t in ts.list_tables(BOT, {"env": "dev"})["tables"]] == ["aTable"]
    assert ts.list_tables(BOT, {"env": "dev", "team": "y"})["tables"] == []


def test_get_or_create_returns_an_existing_table_unaltered(ts: TableStore) -> None:
    make(ts)
    result = ts.get_or_create_table(BOT, "itemsTable", {"schema": {"other": 1}, "factor": 5})
    assert result["created"] is False
    assert result["table"]["factor"] == 1 and "other" not in result["table"]["schema"]["properties"]
    created = ts.get_or_create_table(BOT, "newTable", {"schema": {"a": "x"}})
    assert created["created"] is True and created["rows"] == 0 and created["indexing"] == 0


def test_frozen_tables_refuse_renames_and_schema_changes(ts: TableStore) -> None:
    make(ts, frozen=True)
    assert error_type(ts.update_table, BOT, "itemsTable", {"name": "otherTable"}) == "Forbidden"
    assert error_type(ts.update_table, BOT, "itemsTable", {"schema": {"x": 1}}) == "Forbidden"
    assert error_type(ts.update_table, BOT, "itemsTable", {"frozen": False}) == "Forbidden"
    assert error_type(ts.rename_column, BOT, "itemsTable", "sku", "code") == "Forbidden"
    assert ts.update_table(BOT, "itemsTable", {"tags": {"a": "b"}})["table"]["tags"] == {"a": "b"}


def test_factor_can_only_increase(ts: TableStore) -> None:
    make(ts, factor=3)
    assert ts.update_table(BOT, "itemsTable", {"factor": 4})["table"]["factor"] == 4
    assert error_type(ts.update_table, BOT, "itemsTable", {"factor": 2}) == "InvalidPayload"


def test_table_tag_updates_merge_and_an_empty_value_removes_a_key(ts: TableStore) -> None:
    make(ts, tags={"a": "1", "b": "2"})
    tags = ts.update_table(BOT, "itemsTable", {"tags": {"b": "", "c": "3"}})["table"]["tags"]
    assert tags == {"a": "1", "c": "3"}


def test_rename_table_moves_updated_at_with_the_clock(ts: TableStore, clock: ManualClock) -> None:
    make(ts)
    clock.advance(1500)
    table = ts.update_table(BOT, "itemsTable", {"name": "goodsTable"})["table"]
    assert table["name"] == "goodsTable"
    assert (
        table["updatedAt"] == "2023-11-14T22:13:21.500Z" and table["createdAt"] == "2023-11-14T22:13:20.000Z"
    )


def test_schema_patch_adds_deletes_and_clears_retyped_columns(ts: TableStore) -> None:
    make(ts)
    ts.create_rows(BOT, "itemsTable", [{"sku": "a", "price": 2, "qty": 3}])
    result = ts.update_table(
        BOT, "itemsTable", {"schema": {"qty": None, "price": {"type": "string"}, "note": "x"}}
    )
    assert list(result["table"]["schema"]["properties"]) == ["sku", "price", "note"]
    assert result["staleColumns"] == ["price"]
    row = ts.get_row(BOT, "itemsTable", 1)["row"]
    assert row["price"] is None and "qty" not in row and row["sku"] == "a"


def test_rename_column_keeps_values_and_follows_the_key_column(ts: TableStore) -> None:
    make(ts, keyColumn="sku")
    ts.create_rows(BOT, "itemsTable", [{"sku": "a", "price": {"not": "a number"}}, {"sku": "b", "price": 4}])
    table = ts.rename_column(BOT, "itemsTable", "sku", "code")["table"]
    assert table["keyColumn"] == "code" and "code" in table["schema"]["properties"]
    assert [r["code"] for r in ts.find_rows(BOT, "itemsTable", {"filter": {"code": "b"}})["rows"]] == ["b"]


def test_renaming_a_column_to_its_own_name_keeps_its_values(ts: TableStore) -> None:
    make(ts)
    ts.create_rows(BOT, "itemsTable", [{"sku": "a"}])
    ts.rename_column(BOT, "itemsTable", "sku", "sku")
    assert ts.get_row(BOT, "itemsTable", 1)["row"]["sku"] == "a"


def test_renaming_to_an_existing_column_is_invalid_payload(ts: TableStore) -> None:
    make(ts)
    assert error_type(ts.rename_column, BOT, "itemsTable", "sku", "qty") == "InvalidPayload"


def test_renaming_a_missing_column_is_not_found(ts: TableStore) -> None:
    make(ts)
    assert error_type(ts.rename_column, BOT, "itemsTable", "nope", "x") == "ResourceNotFound"


def test_duplicate_copies_rows_or_only_the_schema(ts: TableStore) -> None:
    make(ts, frozen=True)
    ts.create_rows(BOT, "itemsTable", [{"sku": "a"}, {"sku": "b"}])
    copy = ts.duplicate_table(BOT, "itemsTable", {})
    assert (
        copy["table"]["name"] == "itemsCopyTable" and copy["rows"] == 2 and copy["table"]["frozen"] is False
    )
    empty = ts.duplicate_table(
        BOT, "itemsTable", {"tableName": "emptyTable", "schemaOnly": True, "factor": 2}
    )
    assert empty["rows"] == 0 and empty["table"]["factor"] == 2
    assert ts.duplicate_table(BOT, "itemsTable", {})["table"]["name"] == "itemsCopy2Table"


def test_delete_table_removes_it(ts: TableStore) -> None:
    make(ts)
    assert ts.delete_table(BOT, "itemsTable") == {}
    assert error_type(ts.get_table, BOT, "itemsTable") == "ResourceNotFound"


# -- rows ------------------------------------------------------------------------------------------------


def test_created_rows_have_system_fields_and_every_column(ts: TableStore) -> None:
    make(ts)
    row = ts.create_rows(BOT, "itemsTable", [{"sku": "a"}])["rows"][0]
    assert row == {
        "id": 1,
        "createdAt": "2023-11-14T22:13:20.000Z",
        "updatedAt": "2023-11-14T22:13:20.000Z",
        "computed": {},
        "stale": [],
        "sku": "a",
        "price": None,
        "qty": None,
    }


def test_unknown_columns_become_warnings_and_invalid_rows_errors(ts: TableStore) -> None:
    make(ts)
    result = ts.create_rows(BOT, "itemsTable", [{"sku": "a", "bogus": 1}, {"sku": 5}, {"sku": "c"}])
    assert [r["sku"] for r in result["rows"]] == ["a", "c"]
    assert result["warnings"] == ["row 0: column 'bogus' does not exist in table 'itemsTable'; ignored"]
    assert len(result["errors"]) == 1 and result["errors"][0].startswith("row 1: column 'sku'")


def test_a_request_where_every_row_fails_is_invalid_data_format(ts: TableStore) -> None:
    make(ts)
    assert error_type(ts.create_rows, BOT, "itemsTable", [{"sku": 5}]) == "InvalidDataFormat"
    assert ts.get_table(BOT, "itemsTable")["rows"] == 0


def test_rows_larger_than_4kb_times_factor_are_row_errors(ts: TableStore) -> None:
    make(ts)
    make(ts, "bigTable", factor=2)
    big = {"sku": "é" * 2100}  # 4200 UTF-8 bytes
    result = ts.create_rows(BOT, "itemsTable", [big, {"sku": "ok"}])
    assert "bytes" in result["errors"][0] and len(result["rows"]) == 1
    assert "errors" not in ts.create_rows(BOT, "bigTable", [big])


def test_key_column_values_are_unique(ts: TableStore) -> None:
    make(ts, keyColumn="sku")
    result = ts.create_rows(BOT, "itemsTable", [{"sku": "a"}, {"sku": "a"}, {"price": 1}, {"price": 2}])
    assert [r["sku"] for r in result["rows"]] == ["a", None, None]
    assert "already exists" in result["errors"][0]


def test_setting_a_key_column_over_duplicates_is_invalid_payload(ts: TableStore) -> None:
    make(ts)
    ts.create_rows(BOT, "itemsTable", [{"sku": "a"}, {"sku": "a"}])
    assert error_type(ts.update_table, BOT, "itemsTable", {"keyColumn": "sku"}) == "InvalidPayload"
    assert error_type(ts.update_table, BOT, "itemsTable", {"keyColumn": "nope"}) == "InvalidPayload"


def test_row_ids_stop_at_the_32_bit_limit(ts: TableStore) -> None:
    make(ts)
    ts.create_rows(BOT, "itemsTable", [{"sku": "a"}])
    rows_table = ts.table(BOT, "itemsTable").rows_table
    ts.db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", (MAX_ROW_ID - 1, rows_table))
    result = ts.create_rows(BOT, "itemsTable", [{"sku": "b"}, {"sku": "c"}])
    assert [r["id"] for r in result["rows"]] == [MAX_ROW_ID]
    assert "largest row id" in result["errors"][0]


def test_required_columns_must_be_present_on_insert(ts: TableStore) -> None:
    make(
        ts,
        schema={
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "number"}},
            "required": ["a"],
        },
    )
    result = ts.create_rows(BOT, "itemsTable", [{"b": 1}, {"a": "x"}])
    assert len(result["rows"]) == 1 and "required column 'a'" in result["errors"][0]


def test_date_time_values_are_stored_canonically(ts: TableStore) -> None:
    make(ts, schema={"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}})
    result = ts.create_rows(BOT, "itemsTable", [{"at": "2024-05-01T10:00:00+02:00"}, {"at": "soon"}])
    assert result["rows"][0]["at"] == "2024-05-01T08:00:00.000Z"
    assert "ISO 8601" in result["errors"][0]


def test_update_rows_changes_only_given_columns_and_reports_unknown_ids(
    ts: TableStore, clock: ManualClock
) -> None:
    make(ts)
    ts.create_rows(BOT, "itemsTable", [{"sku": "a", "price": 1}])
    clock.advance(10)
    result = ts.update_rows(BOT, "itemsTable", [{"id": 1, "price": 2}, {"id": 99, "price": 3}, {"id": "1"}])
    row = result["rows"][0]
    assert (row["sku"], row["price"], row["updatedAt"]) == ("a", 2, "2023-11-14T22:13:20.010Z")
    assert result["errors"] == [
        "row 1: row 99 does not exist",
        "row 2: id must be an integer from 1 to 2147483647",
    ]


def test_upsert_updates_matches_and_inserts_the_rest(ts: TableStore) -> None:
    make(ts, keyColumn="sku")
    ts.create_rows(BOT, "itemsTable", [{"sku": "a", "qty": 1}])
    result = ts.upsert_rows(BOT, "itemsTable", [{"sku": "a", "qty": 2}, {"sku": "b"}, {"qty": 9}])
    assert [(r["sku"], r["qty"]) for r in result["updated"]] == [("a", 2)]
    assert [(r["sku"], r["qty"]) for r in result["inserted"]] == [("b", None), (None, 9)]


def test_upsert_key_defaults_to_id_without_a_key_column(ts: TableStore) -> None:
    make(ts)
    ts.create_rows(BOT, "itemsTable", [{"sku": "a"}])
    result = ts.upsert_rows(BOT, "itemsTable", [{"id": 1, "sku": "z"}, {"id": 50, "sku": "n"}])
    assert [r["sku"] for r in result["updated"]] == ["z"]
    assert [r["id"] for r in result["inserted"]] == [2]


def test_upsert_key_matching_several_rows_is_a_row_error(ts: TableStore) -> None:
    make(ts)
    ts.create_rows(BOT, "itemsTable", [{"sku": "a"}, {"sku": "a"}])
    result = ts.upsert_rows(BOT, "itemsTable", [{"sku": "a", "qty": 1}, {"sku": "b"}], key_column="sku")
    assert "more than one row" in result["errors"][0] and len(result["inserted"]) == 1


def test_upsert_with_an_unknown_key_column_is_invalid_payload(ts: TableStore) -> None:
    make(ts)
    assert error_type(ts.upsert_rows, BOT, "itemsTable", [{"sku": "a"}], "nope") == "InvalidPayload"


@pytest.mark.parametrize(
    "body",
    [{}, {"ids": [1], "deleteAllRows": True}, {"deleteAllRows": False}, {"ids": [1], "filter": {"sku": "a"}}],
)
def test_delete_rows_needs_exactly_one_selector(ts: TableStore, body: dict[str, Any]) -> None:
    make(ts)
    assert error_type(ts.delete_rows, BOT, "itemsTable", body) == "InvalidPayload"


def test_delete_rows_by_ids_filter_or_all(ts: TableStore) -> None:
    make(ts)
    ts.create_rows(BOT, "itemsTable", [{"sku": s} for s in "abcde"])
    assert ts.delete_rows(BOT, "itemsTable", {"ids": [1, 2, 77]}) == {"deletedRows": 2}
    assert ts.delete_rows(BOT, "itemsTable", {"filter": {"sku": "c"}}) == {"deletedRows": 1}
    assert ts.delete_rows(BOT, "itemsTable", {"deleteAllRows": True}) == {"deletedRows": 2}


def test_get_row_of_a_missing_id_is_not_found(ts: TableStore) -> None:
    make(ts)
    assert error_type(ts.get_row, BOT, "itemsTable", 3) == "ResourceNotFound"
    assert error_type(ts.get_row, BOT, "itemsTable", 10**30) == "ResourceNotFound"


def test_integers_beyond_64_bits_are_stored_and_filtered_without_error(ts: TableStore) -> None:
    make(ts)
    ts.create_rows(BOT, "itemsTable", [{"qty": 10**30}, {"qty": 1}])
    found = ts.find_rows(BOT, "itemsTable", {"filter": {"qty": {"$gt": 10**20}}})["rows"]
    assert [r["id"] for r in found] == [1]


def test_writes_survive_reopening_the_database_file(tmp_path: Any, clock: ManualClock) -> None:
    path = str(tmp_path / "emulator.db")
    db = store.connect(path)
    TableStore(db, clock).create_table(BOT, {"name": "keptTable", "schema": {"a": "x"}})
    TableStore(db, clock).create_rows(BOT, "keptTable", [{"a": "kept"}])
    db.close()
    db = store.connect(path)
    try:
        assert TableStore(db, clock).get_row(BOT, "keptTable", 1)["row"]["a"] == "kept"
    finally:
        db.close()


# -- find ------------------------------------------------------------------------------------------------


@pytest.fixture
def filled(ts: TableStore, clock: ManualClock) -> TableStore:
    make(ts, schema={"state": "AK", "city": "x", "price": 1, "info": {"k": 1}})
    rows = [
        {"state": "AK", "city": "Anchorage airport", "price": 10, "info": {"k": 1}},
        {"state": "CA", "city": "Los Angeles international airport", "price": 30},
        {"state": "AK", "city": "Juneau", "price": 20},
        {"state": "CA", "city": "San Diego", "price": None},
        {"state": "NY", "city": "New York airport", "price": 5},
    ]
    for row in rows:
        clock.advance(1000)
        ts.create_rows(BOT, "itemsTable", [row])
    return ts


def find(ts: TableStore, **body: Any) -> dict[str, Any]:
    return ts.find_rows(BOT, "itemsTable", body)


def test_find_pages_with_limit_offset_and_has_more(filled: TableStore) -> None:
    first = find(filled, limit=2)
    assert [r["id"] for r in first["rows"]] == [1, 2] and first["hasMore"] is True
    last = find(filled, limit=2, offset=4)
    assert [r["id"] for r in last["rows"]] == [5] and last["hasMore"] is False
    assert (last["offset"], last["limit"]) == (4, 2)


@pytest.mark.parametrize("body", [{"limit": 0}, {"limit": 1001}, {"offset": -1}, {"orderDirection": "up"}])
def test_find_rejects_out_of_range_paging(filled: TableStore, body: dict[str, Any]) -> None:
    assert error_type(filled.find_rows, BOT, "itemsTable", body) == "InvalidPayload"


def test_find_orders_by_a_column_or_a_system_column(filled: TableStore) -> None:
    assert [r["price"] for r in find(filled, orderBy="price", orderDirection="desc")["rows"]] == [
        30,
        20,
        10,
        5,
        None,
    ]
    assert [r["id"] for r in find(filled, orderBy="createdAt", orderDirection="desc")["rows"]] == [
        5,
        4,
        3,
        2,
        1,
    ]
    assert error_type(filled.find_rows, BOT, "itemsTable", {"orderBy": "nope"}) == "InvalidQuery"


def test_find_select_keeps_system_columns_and_selected_paths(filled: TableStore) -> None:
    result = find(filled, select=["city", "info.k", "nope"], limit=1)
    assert set(result["rows"][0]) == {"id", "createdAt", "updatedAt", "computed", "stale", "city", "info"}
    assert result["rows"][0]["info"] == {"k": 1}
    assert result["warnings"] == ["select: unknown column 'nope' ignored"]


def test_group_outputs_are_named_column_plus_operation(filled: TableStore) -> None:
    rows = find(
        filled, group={"state": "key", "price": ["sum", "avg", "min", "max", "count"], "id": "count"}
    )["rows"]
    assert [(r["stateKey"], r["priceSum"], r["priceCount"], r["idCount"]) for r in rows] == [
        ("AK", 30, 2, 2),
        ("CA", 30, 1, 2),
        ("NY", 5, 1, 1),
    ]
    assert rows[0]["priceAvg"] == 15 and rows[0]["priceMin"] == 10 and rows[0]["priceMax"] == 20


def test_group_without_a_key_is_one_summary_row_after_the_filter(filled: TableStore) -> None:
    rows = find(filled, filter={"state": {"$ne": "NY"}}, group={"price": "max", "state": "unique"})["rows"]
    assert len(rows) == 1
    assert rows[0]["priceMax"] == 30 and sorted(rows[0]["stateUnique"]) == ["AK", "CA"]


def test_group_with_an_unknown_operation_is_invalid_query(filled: TableStore) -> None:
    assert error_type(filled.find_rows, BOT, "itemsTable", {"group": {"price": "median"}}) == "InvalidQuery"


def test_search_orders_rows_by_similarity(filled: TableStore) -> None:
    rows = find(filled, search="los angeles airport")["rows"]
    assert rows[0]["city"] == "Los Angeles international airport" and rows[0]["similarity"] == 1.0
    assert [r["similarity"] for r in rows] == sorted((r["similarity"] for r in rows), reverse=True)
    assert rows[1]["similarity"] == pytest.approx(1 / 3)


def test_search_combines_with_a_filter(filled: TableStore) -> None:
    rows = find(filled, search="airport", filter={"state": "AK"})["rows"]
    assert [(r["city"], r["similarity"]) for r in rows] == [("Anchorage airport", 1.0), ("Juneau", 0.0)]
