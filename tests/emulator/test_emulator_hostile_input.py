"""Property: whatever arrives (random JSON, random bytes, odd query strings), the emulator never answers
5xx and every failure is the error shape."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp
from emulator_helpers import BOT_A, assert_error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from botpress_async.emulator import Emulator

ENDPOINTS = [
    ("POST", "/v1/chat/users"),
    ("POST", "/v1/chat/users/get-or-create"),
    ("PUT", "/v1/chat/users/user_01ABCDEFGHJKMNPQRSTVWXYZ01"),
    ("POST", "/v1/chat/conversations"),
    ("POST", "/v1/chat/messages"),
    ("POST", "/v1/chat/events"),
    ("POST", "/v1/chat/states/user/user_x/ctx"),
    ("PATCH", "/v1/chat/states/bot/b/ctx"),
    ("POST", "/v1/chat/states/bot/b/ctx/expiry"),
    ("POST", "/v1/chat/workflows/get-or-create"),
    ("POST", "/v1/chat/tasks"),
    ("POST", "/v1/chat/initialize-incoming-message"),
    ("POST", "/v1/chat/messages/import-messages"),
    ("POST", "/v1/chat/actions"),
    ("POST", "/v1/chat/analytics"),
]
QUERY_ENDPOINTS = ["/v1/chat/users", "/v1/chat/conversations", "/v1/chat/events", "/v1/chat/tasks",
                   "/v1/chat/workflows", "/v1/chat/tags/k/values", "/v1/chat/messages"]

_text = st.text(st.characters(codec="utf-8"), max_size=20)
_json: Any = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=20,
)
_keys = st.sampled_from(["tags", "channel", "payload", "type", "userId", "conversationId", "name", "status",
                         "expiry", "input", "count", "schedule", "discriminateByTags", "messages", "user"])
_bodies = st.dictionaries(_keys | _text, _json, max_size=6)

_SETTINGS = settings(max_examples=100, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


async def _post(emulator: Emulator, method: str, path: str, **kwargs: Any) -> None:
    headers = {"Authorization": f"Bearer {emulator.token}", "x-bot-id": BOT_A, **kwargs.pop("headers", {})}
    async with aiohttp.ClientSession(emulator.url) as http, http.request(method, path, headers=headers,
                                                                         **kwargs) as response:
        body = await response.json(content_type=None)
    assert response.status < 500, body
    if response.status >= 400:
        assert_error(response.status, body)


@_SETTINGS
@given(endpoint=st.sampled_from(ENDPOINTS), body=_bodies)
async def test_random_json_bodies_never_give_5xx(
    emulator: Emulator, endpoint: tuple[str, str], body: Any
) -> None:
    await _post(emulator, *endpoint, json=body)


@_SETTINGS
@given(endpoint=st.sampled_from(ENDPOINTS), raw=st.binary(max_size=200))
async def test_random_bytes_never_give_5xx(emulator: Emulator, endpoint: tuple[str, str], raw: bytes) -> None:
    await _post(emulator, *endpoint, data=raw, headers={"Content-Type": "application/json"})


@_SETTINGS
@given(path=st.sampled_from(QUERY_ENDPOINTS),
       query=st.lists(st.tuples(st.sampled_from(["nextToken", "tags.k", "tags[k]", "type", "sortField",
                                                 "participantIds", "status", "statuses", "afterDate",
                                                 "beforeDate", "rangeField", "conversationId"]) | _text,
                                _text), max_size=5))
async def test_random_query_strings_never_give_5xx(emulator: Emulator, path: str,
                                                   query: list[tuple[str, str]]) -> None:
    await _post(emulator, "GET", path, params=query)


_tags = st.dictionaries(_text, _text, max_size=4)


@_SETTINGS
@given(tags=_tags, discriminate=st.none() | st.lists(_text, max_size=3), query_tags=_tags)
async def test_random_valid_tags_round_trip_without_5xx(
    emulator: Emulator, tags: dict[str, str], discriminate: list[str] | None, query_tags: dict[str, str]
) -> None:
    body: dict[str, Any] = {"tags": tags}
    if discriminate is not None:
        body["discriminateByTags"] = discriminate
    await _post(emulator, "POST", "/v1/chat/users/get-or-create", json=body)
    await _post(emulator, "GET", "/v1/chat/users", params={f"tags.{k}": v for k, v in query_tags.items()})


@_SETTINGS
@given(owner=_text.filter(bool), name=_text.filter(bool), payload=st.dictionaries(_text, _json, max_size=4))
async def test_random_state_paths_and_payloads_never_give_5xx(
    emulator: Emulator, owner: str, name: str, payload: dict[str, Any]
) -> None:
    path = f"/v1/chat/states/bot/{quote(owner, safe='')}/{quote(name, safe='')}"
    await _post(emulator, "POST", path, json={"payload": payload})
    await _post(emulator, "PATCH", path, json={"payload": payload})
    await _post(emulator, "GET", path)
