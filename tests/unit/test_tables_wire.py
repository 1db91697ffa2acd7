"""bp.tables: every operation's request on the wire (as the official client sends it) and its answer."""

from __future__ import annotations

import inspect
import typing

import pytest
from runtime_wire import assert_sent, only_call
from tables_wire import TABLE_ID, job, row, table, table_answer

from botpress_async import Client, OffsetPage
from botpress_async.bulk import TableRowsError
from botpress_async.errors import ResourceNotFoundError
from botpress_async.models import Row, Table, TableJob
from botpress_async.resources.tables import Tables

T = "/v1/tables/airportsTable"


async def test_list_sends_tags_dotted_and_returns_tables(bp: Client, wire) -> None:
    wire.reply("GET", "/v1/tables", {"tables": [table()]})
    tables = await bp.tables.list(tags={"env": "prod"})
    assert_sent(only_call(wire), "GET", "/v1/tables?tags.env=prod")
    assert [t.name for t in tables] == ["airportsTable"]
    assert isinstance(tables[0], Table)


async def test_list_without_tags_sends_no_query(bp: Client, wire) -> None:
    wire.reply("GET", "/v1/tables", {"tables": []})
    assert await bp.tables.list() == []
    assert_sent(only_call(wire), "GET", "/v1/tables")


async def test_get_returns_the_table_and_its_counts(bp: Client, wire) -> None:
    wire.reply("GET", T, {"table": table(), "rows": 12, "stale": 1, "indexing": 2})
    info = await bp.tables.get("airportsTable")
    assert_sent(only_call(wire), "GET", T)
    assert (info.table.key_column, info.rows, info.stale, info.indexing) == ("iata", 12, 1, 2)


async def test_get_percent_encodes_the_table_name(bp: Client, wire) -> None:
    wire.reply("GET", "/v1/tables/a%20bTable", table_answer())
    await bp.tables.get("a bTable")
    assert only_call(wire).path == "/v1/tables/a%20bTable"


async def test_get_of_a_missing_table_raises_resource_not_found(bp: Client, wire) -> None:
    wire.reply("GET", T, status=404, payload={
        "id": "err_1", "code": 404, "type": "ResourceNotFound", "message": "Table not found"})
    with pytest.raises(ResourceNotFoundError):
        await bp.tables.get("airportsTable")


async def test_get_or_create_posts_schema_and_reports_created(bp: Client, wire) -> None:
    wire.reply("POST", T, {**table_answer(), "created": True})
    schema = {"type": "object", "properties": {"iata": {"type": "string"}}}
    result = await bp.tables.get_or_create(
        "airportsTable", schema=schema, key_column="iata", factor=2, tags={"a": "b"}, is_compute_enabled=False
    )
    assert_sent(only_call(wire), "POST", T, {
        "schema": schema, "keyColumn": "iata", "factor": 2, "tags": {"a": "b"}, "isComputeEnabled": False})
    assert result.created is True
    assert result.table.id == TABLE_ID


async def test_get_or_create_is_retried_after_503(bp: Client, wire) -> None:
    wire.reply("POST", T, status=503, body="busy")
    wire.reply("POST", T, {**table_answer(), "created": False})
    result = await bp.tables.get_or_create("airportsTable", schema={"iata": "x"})
    assert len(wire.calls) == 2
    assert result.created is False


async def test_create_posts_name_schema_and_null_key_column(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/tables", {"table": table()})
    created = await bp.tables.create("airportsTable", schema={"iata": "JFK"}, key_column=None, frozen=True)
    assert_sent(only_call(wire), "POST", "/v1/tables", {
        "name": "airportsTable", "schema": {"iata": "JFK"}, "keyColumn": None, "frozen": True})
    assert created.name == "airportsTable"


async def test_create_answered_503_is_sent_once(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/tables", status=503, body="busy", repeat=True)
    with pytest.raises(Exception):  # noqa: B017 - the point is the single request
        await bp.tables.create("airportsTable", schema={})
    assert len(wire.calls) == 1


async def test_duplicate_posts_to_the_source_table(bp: Client, wire) -> None:
    wire.reply("POST", f"/v1/tables/{TABLE_ID}/duplicate", {"table": table("copyTable"), "rows": 0})
    result = await bp.tables.duplicate(TABLE_ID, table_name="copyTable", schema_only=True, factor=3)
    assert_sent(only_call(wire), "POST", f"/v1/tables/{TABLE_ID}/duplicate",
                {"tableName": "copyTable", "schemaOnly": True, "factor": 3})
    assert result.table.name == "copyTable"
    assert result.rows == 0


async def test_update_sends_a_schema_patch_with_null_deleting_a_column(bp: Client, wire) -> None:
    wire.reply("PUT", T, {"table": table(), "staleColumns": ["name"]})
    result = await bp.tables.update(
        "airportsTable", schema={"old": None, "city": {"type": "string"}}, key_column=None, factor=2
    )
    assert_sent(only_call(wire), "PUT", T, {
        "schema": {"old": None, "city": {"type": "string"}}, "keyColumn": None, "factor": 2})
    assert result.stale_columns == ["name"]


async def test_update_with_nothing_given_sends_an_empty_object(bp: Client, wire) -> None:
    wire.reply("PUT", T, {"table": table()})
    await bp.tables.update("airportsTable")
    assert only_call(wire).json == {}


async def test_rename_column_puts_name_and_new_name(bp: Client, wire) -> None:
    wire.reply("PUT", f"{T}/column", {"table": table()})
    result = await bp.tables.rename_column("airportsTable", "name", "label")
    assert_sent(only_call(wire), "PUT", f"{T}/column", {"name": "name", "newName": "label"})
    assert isinstance(result, Table)


async def test_delete_sends_delete_with_an_empty_body(bp: Client, wire) -> None:
    wire.reply("DELETE", T, {})
    assert await bp.tables.delete("airportsTable") is None
    assert_sent(only_call(wire), "DELETE", T, {})


async def test_export_sends_format_and_compress_in_the_query(bp: Client, wire) -> None:
    wire.reply("GET", f"{T}/export", {"job": job()})
    result = await bp.tables.export("airportsTable", format="json", compress=False)
    assert_sent(only_call(wire), "GET", f"{T}/export?format=json&compress=false")
    assert isinstance(result, TableJob)
    assert result.type == "export"


async def test_import_posts_the_file_id(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/import", {"job": job("import", inputFileId="file_1")})
    result = await bp.tables.import_("airportsTable", "file_1")
    assert_sent(only_call(wire), "POST", f"{T}/import", {"fileId": "file_1"})
    assert result.input_file_id == "file_1"


async def test_jobs_returns_every_job(bp: Client, wire) -> None:
    wire.reply("GET", f"{T}/jobs", {"jobs": [job(status="completed", progress=1, outputFileId="file_2")]})
    jobs = await bp.tables.jobs("airportsTable")
    assert_sent(only_call(wire), "GET", f"{T}/jobs")
    assert [(j.status, j.output_file_id) for j in jobs] == [("completed", "file_2")]


async def test_get_row_sends_the_id_in_the_query(bp: Client, wire) -> None:
    wire.reply("GET", f"{T}/row", {"row": row(7, iata="JFK")})
    result = await bp.tables.get_row("airportsTable", 7)
    assert_sent(only_call(wire), "GET", f"{T}/row?id=7")
    assert isinstance(result, Row)
    assert (result.id, result["iata"]) == (7, "JFK")


async def test_find_rows_awaited_posts_every_argument_and_gives_one_page(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/find", {
        "rows": [row(1, iata="ANC")], "hasMore": True, "offset": 10, "limit": 1, "warnings": ["w"]})
    page = await bp.tables.find_rows(
        "airportsTable", filter={"state": {"$eq": "AK"}}, search="anchorage", select=["iata"],
        order_by="name", order_direction="desc", limit=1, offset=10,
    )
    assert_sent(only_call(wire), "POST", f"{T}/rows/find", {
        "filter": {"state": {"$eq": "AK"}}, "search": "anchorage", "select": ["iata"], "orderBy": "name",
        "orderDirection": "desc", "limit": 1, "offset": 10})
    assert isinstance(page, OffsetPage)
    assert (page.has_more, page.offset, page.limit, page.warnings) == (True, 10, 1, ["w"])
    assert page.rows[0]["iata"] == "ANC"


async def test_find_rows_without_arguments_sends_an_empty_object(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/find", {"rows": [], "hasMore": False, "offset": 0, "limit": 100})
    page = await bp.tables.find_rows("airportsTable")
    assert only_call(wire).json == {}
    assert page.rows == []


async def test_find_rows_iterated_fetches_pages_until_has_more_is_false(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/find", {"rows": [row(1), row(2)], "hasMore": True, "offset": 0, "limit": 2})
    wire.reply("POST", f"{T}/rows/find", {"rows": [row(3)], "hasMore": False, "offset": 2, "limit": 2})
    ids = [r.id async for r in bp.tables.find_rows("airportsTable", limit=2)]
    assert ids == [1, 2, 3]
    assert [c.json for c in wire.calls] == [{"limit": 2}, {"limit": 2, "offset": 2}]


async def test_find_rows_with_group_returns_named_aggregates(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/find", {"rows": [{"id": 1, "computed": {}, "stateKey": "AK", "idCount": 3}],
                                           "hasMore": False, "offset": 0, "limit": 100})
    page = await bp.tables.find_rows("airportsTable", group={"state": "key", "id": "count"})
    assert only_call(wire).json == {"group": {"state": "key", "id": "count"}}
    assert (page.rows[0]["stateKey"], page.rows[0]["idCount"]) == ("AK", 3)


async def test_find_rows_is_retried_after_503(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/find", status=503, body="busy")
    wire.reply("POST", f"{T}/rows/find", {"rows": [], "hasMore": False, "offset": 0, "limit": 100})
    await bp.tables.find_rows("airportsTable")
    assert len(wire.calls) == 2


async def test_create_rows_posts_rows_and_returns_rows_warnings_and_errors(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows", {"rows": [row(1, iata="JFK")], "warnings": ["column x ignored"],
                                      "errors": ["row 1: bad value"]})
    result = await bp.tables.create_rows("airportsTable", [{"iata": "JFK", "x": 1}, {"iata": 5}],
                                         wait_computed=True)
    assert_sent(only_call(wire), "POST", f"{T}/rows",
                {"rows": [{"iata": "JFK", "x": 1}, {"iata": 5}], "waitComputed": True})
    assert [r["iata"] for r in result.rows] == ["JFK"]
    assert result.warnings == ["column x ignored"]
    assert result.errors == ["row 1: bad value"]


async def test_create_rows_answered_503_is_sent_once(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows", status=503, body="busy", repeat=True)
    with pytest.raises(Exception):  # noqa: B017 - the point is the single request
        await bp.tables.create_rows("airportsTable", [{"iata": "JFK"}])
    assert len(wire.calls) == 1


async def test_create_rows_raise_on_errors_raises_with_the_rows_written(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows", {"rows": [row(1, iata="JFK")], "errors": ["row 1: bad value"]})
    with pytest.raises(TableRowsError) as caught:
        await bp.tables.create_rows("airportsTable", [{"iata": "JFK"}, {"iata": 5}], raise_on_errors=True)
    assert [r["iata"] for r in caught.value.rows] == ["JFK"]
    assert caught.value.errors == ["row 1: bad value"]


async def test_create_rows_raise_on_errors_without_errors_returns(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows", {"rows": [row(1, iata="JFK")]})
    result = await bp.tables.create_rows("airportsTable", [{"iata": "JFK"}], raise_on_errors=True)
    assert len(result.rows) == 1


async def test_update_rows_puts_rows_with_their_ids(bp: Client, wire) -> None:
    wire.reply("PUT", f"{T}/rows", {"rows": [row(3, iata="SFO")]})
    result = await bp.tables.update_rows("airportsTable", [{"id": 3, "iata": "SFO", "name": None}])
    assert_sent(only_call(wire), "PUT", f"{T}/rows", {"rows": [{"id": 3, "iata": "SFO", "name": None}]})
    assert result.rows[0].id == 3


async def test_upsert_rows_posts_key_column_and_returns_inserted_and_updated(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/upsert", {
        "inserted": [row(2, iata="LAX")], "updated": [row(1, iata="JFK")]})
    result = await bp.tables.upsert_rows(
        "airportsTable", [{"iata": "JFK"}, {"iata": "LAX"}], key_column="iata")
    assert_sent(only_call(wire), "POST", f"{T}/rows/upsert",
                {"rows": [{"iata": "JFK"}, {"iata": "LAX"}], "keyColumn": "iata"})
    assert ([r["iata"] for r in result.inserted], [r["iata"] for r in result.updated]) == (["LAX"], ["JFK"])


async def test_upsert_rows_keyed_is_retried_after_503(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/upsert", status=503, body="busy")
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [], "updated": [row(1, iata="JFK")]})
    await bp.tables.upsert_rows("airportsTable", [{"iata": "JFK"}], key_column="iata")
    assert len(wire.calls) == 2


async def test_upsert_rows_without_keys_is_not_retried_after_503(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/upsert", status=503, body="busy", repeat=True)
    with pytest.raises(Exception):  # noqa: B017 - the point is the single request
        await bp.tables.upsert_rows("airportsTable", [{"iata": "JFK"}])
    assert len(wire.calls) == 1


async def test_upsert_rows_raise_on_errors_carries_inserted_and_updated(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/upsert", {
        "inserted": [row(2)], "updated": [row(1)], "errors": ["row 2: x"]})
    with pytest.raises(TableRowsError) as caught:
        await bp.tables.upsert_rows("airportsTable", [{"id": 1}, {"a": 1}, {"a": 2}], raise_on_errors=True)
    assert [r.id for r in caught.value.rows] == [2, 1]


async def test_delete_rows_by_ids(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/delete", {"deletedRows": 2})
    assert await bp.tables.delete_rows("airportsTable", ids=[1, 2]) == 2
    assert_sent(only_call(wire), "POST", f"{T}/rows/delete", {"ids": [1, 2]})


async def test_delete_rows_by_filter(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/delete", {"deletedRows": 5})
    assert await bp.tables.delete_rows("airportsTable", filter={"state": "AK"}) == 5
    assert only_call(wire).json == {"filter": {"state": "AK"}}


async def test_delete_rows_all(bp: Client, wire) -> None:
    wire.reply("POST", f"{T}/rows/delete", {"deletedRows": 9})
    assert await bp.tables.delete_rows("airportsTable", delete_all_rows=True) == 9
    assert only_call(wire).json == {"deleteAllRows": True}


def test_every_tables_method_names_its_return_type_in_its_returns_section() -> None:
    undocumented = []
    for name, method in inspect.getmembers(Tables, inspect.isfunction):
        if name.startswith("_"):
            continue
        returned = typing.get_type_hints(method)["return"]
        if returned is type(None):
            continue
        doc = inspect.getdoc(method) or ""
        returns = doc.split("Returns:", 1)[1].split("Raises:", 1)[0] if "Returns:" in doc else ""
        shown = getattr(returned, "__name__", "")
        if not returns.strip() or (shown.endswith("Response") and shown not in returns):
            undocumented.append(name)
    assert undocumented == []
