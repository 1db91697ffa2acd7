"""Every Tables operation (and the files endpoints import/export use) over a real socket, each answer
validated against the 1.70.2 spec."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import aiohttp
from emulator_helpers import Api, assert_conforms, assert_error

from botpress_async.emulator.tables_routes import ROUTES
from botpress_async.emulator.validation import _spec

SCHEMA = {"sku": "a", "price": 1.5, "stock": 3}


async def ok(
    api: Api, method: str, path: str, operation_id: str, *, spec: str = "tables", **kwargs: Any
) -> Any:
    status, body = await api.call(method, path, **kwargs)
    assert status == 200, (status, body)
    assert_conforms(spec, operation_id, status, body)  # type: ignore[arg-type]
    return body


async def make_table(api: Api, name: str = "productsTable", **extra: Any) -> dict[str, Any]:
    body = await ok(api, "POST", "/v1/tables", "createTable", json={"name": name, "schema": SCHEMA, **extra})
    table: dict[str, Any] = body["table"]
    return table


async def add_rows(api: Api, rows: list[dict[str, Any]], table: str = "productsTable") -> Any:
    return await ok(api, "POST", f"/v1/tables/{table}/rows", "createTableRows", json={"rows": rows})


def test_every_tables_operation_of_the_spec_has_a_route() -> None:
    spec_ops = {
        op["operationId"]
        for item in _spec("tables")["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert spec_ops == set(ROUTES)


async def test_table_lifecycle_answers_conform_to_the_spec(api: Api) -> None:
    table = await make_table(api, keyColumn="sku", tags={"env": "test"})
    assert table["schema"]["properties"]["price"]["x-zui"]["index"] == 1
    listed = await ok(api, "GET", "/v1/tables?tags.env=test", "listTables")
    assert [t["id"] for t in listed["tables"]] == [table["id"]]
    got = await ok(api, "GET", f"/v1/tables/{table['id']}", "getTable")
    assert (got["rows"], got["stale"], got["indexing"]) == (0, 0, 0)
    again = await ok(api, "POST", "/v1/tables/productsTable", "getOrCreateTable", json={"schema": {"x": 1}})
    assert again["created"] is False and again["table"]["id"] == table["id"]
    updated = await ok(
        api, "PUT", "/v1/tables/productsTable", "updateTable", json={"schema": {"stock": None, "note": "x"}}
    )
    assert list(updated["table"]["schema"]["properties"]) == ["sku", "price", "note"]
    renamed = await ok(
        api,
        "PUT",
        "/v1/tables/productsTable/column",
        "renameTableColumn",
        json={"name": "note", "newName": "memo"},
    )
    assert "memo" in renamed["table"]["schema"]["properties"]
    copy = await ok(api, "POST", f"/v1/tables/{table['id']}/duplicate", "duplicateTable", json={})
    assert copy["table"]["name"] == "productsCopyTable"
    assert await ok(api, "DELETE", "/v1/tables/productsCopyTable", "deleteTable", json={}) == {}


async def test_row_operations_answer_conform_to_the_spec(api: Api) -> None:
    await make_table(api, keyColumn="sku")
    created = await add_rows(api, [{"sku": "a", "price": 2}, {"sku": "b", "extra": 1}, {"sku": 3}])
    assert [r["sku"] for r in created["rows"]] == ["a", "b"]
    assert len(created["warnings"]) == 1 and len(created["errors"]) == 1
    row = await ok(api, "GET", "/v1/tables/productsTable/row?id=1", "getTableRow")
    assert row["row"]["price"] == 2
    updated = await ok(
        api, "PUT", "/v1/tables/productsTable/rows", "updateTableRows", json={"rows": [{"id": 2, "price": 9}]}
    )
    assert updated["rows"][0]["price"] == 9
    upserted = await ok(
        api,
        "POST",
        "/v1/tables/productsTable/rows/upsert",
        "upsertTableRows",
        json={"rows": [{"sku": "a", "stock": 1}, {"sku": "c"}]},
    )
    assert [r["sku"] for r in upserted["updated"]] == ["a"] and [r["sku"] for r in upserted["inserted"]] == [
        "c"
    ]
    found = await ok(
        api,
        "POST",
        "/v1/tables/productsTable/rows/find",
        "findTableRows",
        json={"filter": {"price": {"$gte": 2}}, "orderBy": "price", "orderDirection": "desc", "limit": 1},
    )
    assert [r["sku"] for r in found["rows"]] == ["b"] and found["hasMore"] is True
    grouped = await ok(
        api,
        "POST",
        "/v1/tables/productsTable/rows/find",
        "findTableRows",
        json={"group": {"price": ["sum", "count"]}},
    )
    assert grouped["rows"][0]["priceSum"] == 11 and grouped["rows"][0]["priceCount"] == 2
    searched = await ok(
        api, "POST", "/v1/tables/productsTable/rows/find", "findTableRows", json={"search": "c"}
    )
    assert searched["rows"][0]["sku"] == "c" and searched["rows"][0]["similarity"] == 1
    deleted = await ok(
        api, "POST", "/v1/tables/productsTable/rows/delete", "deleteTableRows", json={"ids": [1, 2]}
    )
    assert deleted == {"deletedRows": 2}


async def test_an_unknown_table_is_resource_not_found(api: Api) -> None:
    status, body = await api.call("GET", "/v1/tables/missingTable")
    assert_error(status, body, "ResourceNotFound")


async def test_an_unknown_filter_operator_is_400_invalid_query(api: Api) -> None:
    await make_table(api)
    status, body = await api.call(
        "POST", "/v1/tables/productsTable/rows/find", json={"filter": {"sku": {"$like": "a"}}}
    )
    assert_error(status, body, "InvalidQuery")


async def test_a_find_limit_over_1000_is_400_invalid_payload(api: Api) -> None:
    await make_table(api)
    status, body = await api.call("POST", "/v1/tables/productsTable/rows/find", json={"limit": 1001})
    assert_error(status, body, "InvalidPayload")
    assert "limit" in body["message"]


async def test_a_bad_table_name_is_400_invalid_payload(api: Api) -> None:
    status, body = await api.call("POST", "/v1/tables", json={"name": "products", "schema": SCHEMA})
    assert_error(status, body, "InvalidPayload")


async def test_delete_rows_without_a_selector_is_400(api: Api) -> None:
    await make_table(api)
    status, body = await api.call("POST", "/v1/tables/productsTable/rows/delete", json={})
    assert_error(status, body, "InvalidPayload")


async def test_a_row_id_that_is_not_an_integer_is_400_invalid_query(api: Api) -> None:
    await make_table(api)
    status, body = await api.call("GET", "/v1/tables/productsTable/row?id=abc")
    assert_error(status, body, "InvalidQuery")


async def test_tables_are_isolated_per_bot(api: Api, api_b: Api) -> None:
    await make_table(api)
    status, body = await api_b.call("GET", "/v1/tables/productsTable")
    assert_error(status, body, "ResourceNotFound")
    assert (await ok(api_b, "GET", "/v1/tables", "listTables")) == {"tables": []}


async def wait_for_job(api: Api, table: str, job_id: str) -> dict[str, Any]:
    for _ in range(200):
        jobs = await ok(api, "GET", f"/v1/tables/{table}/jobs", "getTableJobs")
        job: dict[str, Any] = next(j for j in jobs["jobs"] if j["id"] == job_id)
        if job["status"] in ("completed", "failed"):
            return job
        await asyncio.sleep(0.01)
    raise AssertionError(f"job {job_id} did not finish")


async def test_export_then_import_round_trips_a_table_through_files(
    api: Api, session: aiohttp.ClientSession
) -> None:
    await make_table(api)
    await add_rows(api, [{"sku": "a", "price": 1.25, "stock": 2}, {"sku": 'b, "quoted"', "price": None}])
    started = await ok(api, "GET", "/v1/tables/productsTable/export?format=csv", "exportTable")
    assert started["job"]["type"] == "export"
    job = await wait_for_job(api, "productsTable", started["job"]["id"])
    assert job["status"] == "completed" and job["progress"] == 100
    file = (await ok(api, "GET", f"/v1/files/{job['outputFileId']}", "getFile", spec="files"))["file"]
    async with session.get(file["url"]) as download:  # a signed URL: no Authorization needed, but harmless
        exported = gzip.decompress(await download.read()).decode()
    assert exported.splitlines()[0] == "id,createdAt,updatedAt,sku,price,stock"

    await make_table(api, "copyTable")
    upload = (
        await ok(
            api, "PUT", "/v1/files", "upsertFile", spec="files", json={"key": "in.csv", "size": len(exported)}
        )
    )["file"]
    async with aiohttp.ClientSession() as anonymous, anonymous.put(upload["uploadUrl"], data=exported) as put:
        assert put.status == 200
    imported = await ok(
        api, "POST", "/v1/tables/copyTable/import", "importTable", json={"fileId": upload["id"]}
    )
    job = await wait_for_job(api, "copyTable", imported["job"]["id"])
    assert job["status"] == "completed" and job["inputFileId"] == upload["id"]
    rows = (await ok(api, "POST", "/v1/tables/copyTable/rows/find", "findTableRows", json={}))["rows"]
    assert [(r["sku"], r["price"], r["stock"]) for r in rows] == [("a", 1.25, 2), ('b, "quoted"', None, None)]


async def test_a_json_export_holds_the_schema_and_rows(api: Api, session: aiohttp.ClientSession) -> None:
    await make_table(api)
    await add_rows(api, [{"sku": "a"}])
    started = await ok(
        api, "GET", "/v1/tables/productsTable/export?format=json&compress=false", "exportTable"
    )
    job = await wait_for_job(api, "productsTable", started["job"]["id"])
    file = (await ok(api, "GET", f"/v1/files/{job['outputFileId']}", "getFile", spec="files"))["file"]
    async with session.get(file["url"]) as download:
        document = json.loads(await download.read())
    assert document["table"]["name"] == "productsTable" and document["rows"][0]["sku"] == "a"


async def test_transfer_urls_refuse_a_wrong_signature(api: Api) -> None:
    upload = (await ok(api, "PUT", "/v1/files", "upsertFile", spec="files", json={"key": "k", "size": 1}))[
        "file"
    ]
    forged = upload["uploadUrl"].split("?")[0] + "?sig=0000"
    async with aiohttp.ClientSession() as anonymous, anonymous.put(forged, data=b"x") as put:
        assert put.status == 403


async def test_files_can_be_listed_and_deleted(api: Api) -> None:
    upload = (await ok(api, "PUT", "/v1/files", "upsertFile", spec="files", json={"key": "k", "size": 1}))[
        "file"
    ]
    listed = await ok(api, "GET", "/v1/files", "listFiles", spec="files")
    assert [f["id"] for f in listed["files"]] == [upload["id"]]
    assert await ok(api, "DELETE", f"/v1/files/{upload['id']}", "deleteFile", spec="files", json={}) == {}
    status, body = await api.call("GET", f"/v1/files/{upload['id']}")
    assert_error(status, body, "ResourceNotFound")


async def test_importing_an_unknown_file_is_resource_not_found(api: Api) -> None:
    await make_table(api)
    status, body = await api.call("POST", "/v1/tables/productsTable/import", json={"fileId": "file_nope"})
    assert_error(status, body, "ResourceNotFound")


async def test_a_date_filter_that_leaves_the_years_1_to_9999_in_utc_is_compared_as_text_not_a_500(
    api: Api,
) -> None:
    await make_table(api)
    await add_rows(api, [{"sku": "a"}])
    body = await ok(
        api, "POST", "/v1/tables/productsTable/rows/find", "findTableRows",
        json={"filter": {"createdAt": {"$gt": "0001-01-01T00:00:00+01:00"}}},
    )
    assert [row["sku"] for row in body["rows"]] == ["a"]
