"""bp.files: the API calls on the wire, and the transfers to presigned URLs (never with the token)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from runtime_wire import CREATED, UPDATED, assert_sent, only_call
from wire_recorder import BOT_ID, TOKEN

from botpress_async import Client
from botpress_async.errors import APIError, ResourceNotFoundError
from botpress_async.models import File

FILE_ID = "file_01HAB000000000000000000000001"
UPLOAD_URL = "https://storage.test/_files/file_1?sig=abc"
DOWNLOAD_URL = "https://storage.test/_files/file_1?sig=def"


def file(**over: Any) -> dict[str, Any]:
    return {
        "id": FILE_ID, "botId": BOT_ID, "key": "rows.csv", "url": DOWNLOAD_URL, "size": 5,
        "contentType": "text/csv", "tags": {}, "metadata": {}, "createdAt": CREATED, "updatedAt": UPDATED,
        "accessPolicies": [], "index": False, "status": "upload_completed", "owner": {"type": "bot"}, **over,
    }


def expect_upload(wire, **over: Any) -> None:
    pending = {**file(status="upload_pending", **over), "uploadUrl": UPLOAD_URL}
    wire.reply("PUT", "/v1/files", {"file": pending})
    wire.add(re.compile(re.escape("https://storage.test/_files/file_1") + r"\?.*"), "PUT", body="")
    wire.reply("GET", f"/v1/files/{FILE_ID}", {"file": file(**over)})


async def test_upload_declares_the_file_then_puts_the_bytes_without_the_token(bp: Client, wire) -> None:
    expect_upload(wire)
    result = await bp.files.upload("rows.csv", b"a,b\n1", content_type="text/csv", tags={"kind": "import"})
    declare, transfer, fetch = wire.calls
    assert_sent(declare, "PUT", "/v1/files",
                {"key": "rows.csv", "size": 5, "contentType": "text/csv", "tags": {"kind": "import"}})
    assert (transfer.method, transfer.url) == ("PUT", UPLOAD_URL)
    assert transfer.data == b"a,b\n1"
    assert transfer.headers == {"Content-Type": "text/csv"}
    assert TOKEN not in str(transfer.headers)
    assert_sent(fetch, "GET", f"/v1/files/{FILE_ID}")
    assert isinstance(result, File)
    assert result.status == "upload_completed"


async def test_upload_of_text_sends_utf8_and_its_byte_size(bp: Client, wire) -> None:
    expect_upload(wire)
    await bp.files.upload("rows.csv", "é")
    assert wire.calls[0].json["size"] == 2


async def test_upload_of_public_content_tags_the_object_public(bp: Client, wire) -> None:
    expect_upload(wire)
    await bp.files.upload("rows.csv", b"x", access_policies=["public_content"])
    assert wire.calls[0].json["accessPolicies"] == ["public_content"]
    assert wire.calls[1].headers["x-amz-tagging"] == "public=true"


async def test_upload_of_an_async_stream_without_size_measures_it(bp: Client, wire) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"abc"
        yield b"de"

    expect_upload(wire)
    await bp.files.upload("rows.csv", chunks())
    assert wire.calls[0].json["size"] == 5
    assert wire.calls[1].data == b"abcde"


async def test_upload_refused_by_the_storage_raises_api_error(bp: Client, wire) -> None:
    wire.reply("PUT", "/v1/files", {"file": {**file(status="upload_pending"), "uploadUrl": UPLOAD_URL}})
    wire.add(re.compile(re.escape("https://storage.test/_files/file_1") + r"\?.*"), "PUT", status=403,
             body="<Error>expired</Error>")
    with pytest.raises(APIError) as caught:
        await bp.files.upload("rows.csv", b"x")
    assert caught.value.status == 403
    assert "sig=" not in str(caught.value)


async def test_get_fetches_the_file(bp: Client, wire) -> None:
    wire.reply("GET", f"/v1/files/{FILE_ID}", {"file": file()})
    result = await bp.files.get(FILE_ID)
    assert_sent(only_call(wire), "GET", f"/v1/files/{FILE_ID}")
    assert (result.key, result.url) == ("rows.csv", DOWNLOAD_URL)


async def test_list_sends_filters_like_the_official_client(bp: Client, wire) -> None:
    wire.reply("GET", "/v1/files", {"files": [file()], "meta": {}})
    page = await bp.files.list(tags={"kind": "import"}, ids=["a", "b"], sort_field="createdAt",
                               sort_direction="desc")
    assert_sent(only_call(wire), "GET",
                "/v1/files?tags.kind=import&ids=a&ids=b&sortField=createdAt&sortDirection=desc")
    assert [f.id for f in page.items] == [FILE_ID]


def test_list_refuses_more_than_50_ids(bp: Client) -> None:
    with pytest.raises(ValueError, match="50"):
        bp.files.list(ids=[str(i) for i in range(51)])


async def test_delete_sends_delete(bp: Client, wire) -> None:
    wire.reply("DELETE", f"/v1/files/{FILE_ID}", {})
    assert await bp.files.delete(FILE_ID) is None
    assert_sent(only_call(wire), "DELETE", f"/v1/files/{FILE_ID}", {})


async def test_download_gets_the_content_from_the_file_url_without_the_token(bp: Client, wire) -> None:
    wire.reply("GET", f"/v1/files/{FILE_ID}", {"file": file()})
    wire.add(re.compile(re.escape("https://storage.test/_files/file_1") + r"\?.*"), "GET", status=200,
             body=b"a,b\n1")
    content = await bp.files.download(FILE_ID)
    assert content == b"a,b\n1"
    assert wire.calls[1].url == DOWNLOAD_URL
    assert "Authorization" not in wire.calls[1].headers


async def test_download_of_a_missing_file_raises_resource_not_found(bp: Client, wire) -> None:
    wire.reply("GET", f"/v1/files/{FILE_ID}", status=404, payload={
        "id": "e", "code": 404, "type": "ResourceNotFound", "message": "no file"})
    with pytest.raises(ResourceNotFoundError):
        await bp.files.download(FILE_ID)
