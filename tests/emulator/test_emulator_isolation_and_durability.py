"""Bots never see each other's data; with a database file, acknowledged writes survive a restart."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from emulator_helpers import BOT_A, Api, assert_error

from botpress_async.emulator import Emulator


async def test_bot_b_cannot_get_bot_a_user(api: Api, api_b: Api) -> None:
    _, body = await api.call("POST", "/v1/chat/users", json={"tags": {"k": "v"}})
    status, answer = await api_b.call("GET", f"/v1/chat/users/{body['user']['id']}")
    assert_error(status, answer, "ResourceNotFound")


async def test_bot_b_lists_none_of_bot_a_records(api: Api, api_b: Api) -> None:
    await api.call("POST", "/v1/chat/users", json={"tags": {"k": "v"}})
    await api.call("POST", "/v1/chat/conversations", json={"channel": "web", "tags": {"k": "v"}})
    for path, key in (("/v1/chat/users", "users"), ("/v1/chat/conversations", "conversations")):
        _, body = await api_b.call("GET", path)
        assert body[key] == []
    _, values = await api_b.call("GET", "/v1/chat/tags/k/values", params={"type": "user"})
    assert values["tags"] == []


async def test_get_or_create_does_not_cross_bots(api: Api, api_b: Api) -> None:
    body = {"tags": {"email": "a@x"}}
    _, a = await api.call("POST", "/v1/chat/users/get-or-create", json=body)
    _, b = await api_b.call("POST", "/v1/chat/users/get-or-create", json=body)
    assert a["user"]["id"] != b["user"]["id"]


async def test_bot_states_are_per_bot(api: Api, api_b: Api) -> None:
    path = "/v1/chat/states/bot/shared/config"
    await api.call("POST", path, json={"payload": {"owner": "A"}})
    status, body = await api_b.call("GET", path)
    assert_error(status, body, "ResourceNotFound")


async def test_bot_b_cannot_delete_bot_a_conversation(api: Api, api_b: Api) -> None:
    _, body = await api.call("POST", "/v1/chat/conversations", json={"channel": "web", "tags": {}})
    conversation_id = body["conversation"]["id"]
    status, _ = await api_b.call("DELETE", f"/v1/chat/conversations/{conversation_id}")
    assert status == 404
    assert (await api.call("GET", f"/v1/chat/conversations/{conversation_id}"))[0] == 200


async def test_acknowledged_writes_survive_a_restart_on_the_same_file(tmp_path: Path) -> None:
    db = str(tmp_path / "emulator.db")
    written = []
    async with Emulator(db=db, token="t") as emulator, aiohttp.ClientSession(emulator.url) as http:
        api = Api(http, BOT_A)
        for index in range(5):
            status, body = await api.call("POST", "/v1/chat/users", json={"tags": {"n": str(index)}},
                                          headers={"Authorization": "Bearer t"})
            assert status == 201
            written.append(body["user"]["id"])
        status, _ = await api.call("POST", f"/v1/chat/states/bot/{BOT_A}/cfg", json={"payload": {"x": 1}},
                                   headers={"Authorization": "Bearer t"})
        assert status == 200
    async with Emulator(db=db, token="t") as emulator, aiohttp.ClientSession(emulator.url) as http:
        api = Api(http, BOT_A)
        _, body = await api.call("GET", "/v1/chat/users", headers={"Authorization": "Bearer t"})
        _, state = await api.call("GET", f"/v1/chat/states/bot/{BOT_A}/cfg",
                                  headers={"Authorization": "Bearer t"})
    assert sorted(u["id"] for u in body["users"]) == sorted(written)
    assert state["state"]["payload"] == {"x": 1}


async def test_a_database_file_uses_wal_with_full_sync(tmp_path: Path) -> None:
    from botpress_async.emulator import store

    db = store.connect(str(tmp_path / "x.db"))
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    finally:
        db.close()
