"""State semantics on the emulator's ManualClock: replace, delete, merge, keep-first, idle expiry, size."""

from __future__ import annotations

from emulator_helpers import Api, assert_error

from botpress_async.emulator import ManualClock
from botpress_async.emulator.runtime_states import MAX_PAYLOAD_BYTES


async def _conversation_state_path(api: Api, name: str = "ctx") -> str:
    _, body = await api.call("POST", "/v1/chat/conversations", json={"channel": "web", "tags": {}})
    return f"/v1/chat/states/conversation/{body['conversation']['id']}/{name}"


async def test_get_of_an_absent_state_is_404(api: Api) -> None:
    status, body = await api.call("GET", await _conversation_state_path(api))
    assert_error(status, body, "ResourceNotFound")


async def test_state_of_an_unknown_conversation_is_404(api: Api) -> None:
    path = "/v1/chat/states/conversation/conv_missing/ctx"
    status, body = await api.call("POST", path, json={"payload": {}})
    assert_error(status, body, "ResourceNotFound")


async def test_set_replaces_the_whole_payload(api: Api) -> None:
    path = await _conversation_state_path(api)
    await api.call("POST", path, json={"payload": {"a": 1, "b": 2}})
    _, body = await api.call("POST", path, json={"payload": {"c": 3}})
    assert body["state"]["payload"] == {"c": 3}


async def test_set_with_null_payload_deletes_the_state(api: Api) -> None:
    path = await _conversation_state_path(api)
    await api.call("POST", path, json={"payload": {"a": 1}})
    status, _ = await api.call("POST", path, json={"payload": None})
    assert status == 200
    status, body = await api.call("GET", path)
    assert_error(status, body, "ResourceNotFound")


async def test_patch_merges_top_level_keys(api: Api) -> None:
    path = await _conversation_state_path(api)
    await api.call("POST", path, json={"payload": {"a": 1, "nested": {"x": 1}}})
    _, body = await api.call("PATCH", path, json={"payload": {"nested": {"y": 2}, "b": 2}})
    assert body["state"]["payload"] == {"a": 1, "nested": {"y": 2}, "b": 2}


async def test_patch_of_an_absent_state_is_404(api: Api) -> None:
    status, body = await api.call("PATCH", await _conversation_state_path(api), json={"payload": {"a": 1}})
    assert_error(status, body, "ResourceNotFound")


async def test_get_or_set_keeps_the_first_value(api: Api) -> None:
    path = await _conversation_state_path(api)
    _, first = await api.call("POST", f"{path}/get-or-set", json={"payload": {"v": 1}})
    _, second = await api.call("POST", f"{path}/get-or-set", json={"payload": {"v": 2}})
    assert first["state"]["payload"] == second["state"]["payload"] == {"v": 1}
    assert second["meta"] == {"cached": False}


async def test_a_state_expires_after_being_idle_for_its_expiry(api: Api, clock: ManualClock) -> None:
    path = await _conversation_state_path(api)
    await api.call("POST", path, json={"payload": {"a": 1}, "expiry": 1000})
    clock.advance(999)
    assert (await api.call("GET", path))[0] == 200
    clock.advance(1000)
    status, body = await api.call("GET", path)
    assert_error(status, body, "ResourceNotFound")


async def test_each_access_restarts_the_idle_timer(api: Api, clock: ManualClock) -> None:
    path = await _conversation_state_path(api)
    await api.call("POST", path, json={"payload": {"a": 1}, "expiry": 1000})
    for _ in range(5):
        clock.advance(800)
        assert (await api.call("GET", path))[0] == 200


async def test_set_without_expiry_keeps_the_current_expiry(api: Api, clock: ManualClock) -> None:
    path = await _conversation_state_path(api)
    await api.call("POST", path, json={"payload": {"a": 1}, "expiry": 1000})
    await api.call("POST", path, json={"payload": {"a": 2}})
    clock.advance(1000)
    assert (await api.call("GET", path))[0] == 404


async def test_set_expiry_null_removes_the_expiry(api: Api, clock: ManualClock) -> None:
    path = await _conversation_state_path(api)
    await api.call("POST", path, json={"payload": {"a": 1}, "expiry": 1000})
    await api.call("POST", f"{path}/expiry", json={"expiry": None})
    clock.advance(10**9)
    assert (await api.call("GET", path))[0] == 200


async def test_get_or_set_after_expiry_sets_the_new_value(api: Api, clock: ManualClock) -> None:
    path = await _conversation_state_path(api)
    await api.call("POST", f"{path}/get-or-set", json={"payload": {"v": 1}, "expiry": 10})
    clock.advance(10)
    _, body = await api.call("POST", f"{path}/get-or-set", json={"payload": {"v": 2}})
    assert body["state"]["payload"] == {"v": 2}


async def test_a_payload_over_128_kb_is_413(api: Api) -> None:
    path = await _conversation_state_path(api)
    status, body = await api.call("POST", path, json={"payload": {"blob": "x" * MAX_PAYLOAD_BYTES}})
    assert_error(status, body, "PayloadTooLarge")


async def test_a_patch_that_grows_the_payload_over_128_kb_is_413(api: Api) -> None:
    path = await _conversation_state_path(api)
    await api.call("POST", path, json={"payload": {"a": "x" * 70_000}})
    status, body = await api.call("PATCH", path, json={"payload": {"b": "y" * 70_000}})
    assert_error(status, body, "PayloadTooLarge")


async def test_an_unknown_state_type_is_invalid_payload(api: Api) -> None:
    status, body = await api.call("POST", "/v1/chat/states/planet/earth/ctx", json={"payload": {}})
    assert_error(status, body, "InvalidPayload")
