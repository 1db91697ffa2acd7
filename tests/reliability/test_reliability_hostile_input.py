"""The emulator under hostile input, beyond tests/emulator/test_emulator_hostile_input.py: the Tables
routes, compressed bodies (undecodable, and bombs), deep and wide filters, numbers past 64 bits,
lone surrogates in paths and Tables bodies, and text from every plane round-tripping intact.

What must hold: never a 5xx, every failure in the error shape ``{id, code, type, message, description,
status}``; what is valid is stored and returned unchanged.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import bot_id, fast_client

from botpress_async import Client
from botpress_async.emulator import Emulator

MB = 1024 * 1024
ERROR_KEYS = {"id", "code", "type", "message", "description", "status"}
JSON = {"Content-Type": "application/json"}
T = "hostileTable"
TABLE_BODY = {"name": T, "schema": {"type": "object", "properties": {
    "s": {"type": "string"}, "o": {"type": "object"}, "n": {"type": "number"}}}}
# Text from the supplementary planes (4-byte UTF-8), right-to-left scripts with bidi controls, a
# combining sequence and a zero-width joiner sequence.
WORLD = "שלום עולם 👋🏽 مرحبا \u202eRTL\u202c 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 e\u0301 👩‍👩‍👧 𠜎"


class Raw:
    """Raw requests as one bot, returning (status, decoded body or raw bytes)."""

    def __init__(self, session: aiohttp.ClientSession, bot: str) -> None:
        self.session = session
        self.bot = bot

    async def call(self, method: str, path: str | aiohttp.client.URL, **kwargs: Any) -> tuple[int, Any]:
        headers = {"x-bot-id": self.bot, **kwargs.pop("headers", {})}
        async with self.session.request(method, path, headers=headers, **kwargs) as response:
            raw = await response.read()
            try:
                return response.status, await response.json(content_type=None)
            except ValueError:
                return response.status, raw

    async def refused(self, method: str, path: str | aiohttp.client.URL, **kwargs: Any) -> dict[str, Any]:
        """Send a request that must fail cleanly: a 4xx in the error shape (returned)."""
        status, body = await self.call(method, path, **kwargs)
        assert 400 <= status < 500, (status, body)
        assert isinstance(body, dict) and set(body) == ERROR_KEYS, body
        assert body["status"] == body["code"] == status
        return body

    async def not_5xx(self, method: str, path: str | aiohttp.client.URL, **kwargs: Any) -> tuple[int, Any]:
        """Send a request whose answer may be a success, or a failure in the error shape; never a 5xx."""
        status, body = await self.call(method, path, **kwargs)
        assert status < 500, (status, body)
        if status >= 400:
            assert isinstance(body, dict) and set(body) == ERROR_KEYS, body
        return status, body


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator() as emu:
        yield emu


@pytest.fixture
async def raw(emulator: Emulator) -> AsyncIterator[Raw]:
    headers = {"Authorization": f"Bearer {emulator.token}"}
    async with aiohttp.ClientSession(emulator.url, headers=headers) as session:
        api = Raw(session, bot_id())
        status, _ = await api.call("POST", "/v1/tables", json=TABLE_BODY)
        assert status == 200
        yield api


@pytest.fixture
async def bp(emulator: Emulator) -> AsyncIterator[Client]:
    async with fast_client(emulator.url, emulator.token, bot_id()) as client:
        yield client


def encoded(path: str) -> aiohttp.client.URL:
    """A path sent exactly as written (percent-escapes that are not UTF-8 stay on the wire)."""
    return aiohttp.client.URL(path, encoded=True)


# -- sizes ------------------------------------------------------------------------------------------


async def test_a_tables_body_over_40_mb_is_413_payload_too_large(raw: Raw) -> None:
    big = b'{"rows": [{"s": "' + b"x" * (40 * MB) + b'"}]}'
    body = await raw.refused("POST", f"/v1/tables/{T}/rows", data=io.BytesIO(big), headers=JSON)
    assert body["type"] == "PayloadTooLarge"


async def test_a_chunked_tables_body_over_40_mb_is_413_while_it_is_read(raw: Raw) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"rows": [{"s": "'
        for _ in range(41):
            yield b"x" * MB
        yield b'"}]}'

    body = await raw.refused("POST", f"/v1/tables/{T}/rows", data=chunks(), headers=JSON)
    assert body["type"] == "PayloadTooLarge"


async def test_a_tables_body_of_2_mb_is_accepted_where_the_runtime_would_refuse_it(raw: Raw) -> None:
    rows = json.dumps({"rows": [{"s": "y" * 2100, "n": i} for i in range(1000)]}).encode()  # 1000 a call
    status, body = await raw.call("POST", f"/v1/tables/{T}/rows", data=io.BytesIO(rows), headers=JSON)
    assert status == 200 and len(body["rows"]) == 1000, body
    user = json.dumps({"tags": {"k": "v"}, "name": "y" * (2 * MB)}).encode()
    refused = await raw.refused("POST", "/v1/chat/users", data=io.BytesIO(user), headers=JSON)
    assert refused["type"] == "PayloadTooLarge"


@pytest.mark.parametrize("path", ["/v1/chat/users", f"/v1/tables/{T}/rows"])
async def test_a_gzip_bomb_is_413_by_its_decompressed_size(raw: Raw, path: str) -> None:
    bomb = gzip.compress(b'{"rows": [{"s": "' + b"x" * (60 * MB) + b'"}]}')
    assert len(bomb) < MB
    body = await raw.refused("POST", path, data=bomb, headers={**JSON, "Content-Encoding": "gzip"})
    assert body["type"] == "PayloadTooLarge"


async def test_a_gzip_encoded_body_is_decoded(raw: Raw) -> None:
    status, body = await raw.call("POST", "/v1/chat/users", data=gzip.compress(b'{"tags": {"k": "gz"}}'),
                                  headers={**JSON, "Content-Encoding": "gzip"})
    assert status == 201 and body["user"]["tags"] == {"k": "gz"}


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
@pytest.mark.parametrize("path", ["/v1/chat/users", f"/v1/tables/{T}/rows"])
async def test_a_body_whose_content_encoding_does_not_decode_is_400_invalid_payload(
    raw: Raw, encoding: str, path: str
) -> None:
    body = await raw.refused("POST", path, data=b"this is not compressed at all",
                             headers={**JSON, "Content-Encoding": encoding})
    assert body["type"] == "InvalidPayload"


async def test_a_truncated_deflate_body_is_400_invalid_payload(raw: Raw) -> None:
    cut = zlib.compress(b'{"tags": {"k": "' + b"v" * 5000 + b'"}}')[:40]
    headers = {**JSON, "Content-Encoding": "deflate"}
    body = await raw.refused("POST", "/v1/chat/users", data=cut, headers=headers)
    assert body["type"] == "InvalidPayload"


# -- nesting and width ------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [10, 100, 900, 5_000, 100_000])
async def test_deeply_nested_values_in_tables_rows_and_state_payloads_never_give_5xx(
    raw: Raw, depth: int
) -> None:
    nest = b"[" * depth + b"]" * depth
    await raw.not_5xx("POST", f"/v1/tables/{T}/rows", data=b'{"rows": [{"o": {"x": ' + nest + b"}}]}",
                      headers=JSON)
    await raw.not_5xx("POST", f"/v1/tables/{T}/rows/upsert",
                      data=b'{"rows": [{"id": 1, "o": {"x": ' + nest + b"}}]}", headers=JSON)
    await raw.not_5xx("POST", f"/v1/chat/states/bot/{raw.bot}/deep",
                      data=b'{"payload": {"x": ' + nest + b"}}", headers=JSON)
    await raw.not_5xx("POST", f"/v1/tables/{T}/rows/find", data=b'{"filter": {"o": ' + nest + b"}}",
                      headers=JSON)


@pytest.mark.parametrize("operator", ["$not", "$and", "$or"])
@pytest.mark.parametrize("depth", [3, 16, 40, 200, 2_000])
async def test_deeply_nested_filter_operators_are_answered_never_5xx(
    raw: Raw, operator: str, depth: int
) -> None:
    inner = '{"s": "a"}'
    if operator == "$not":
        text = '{"$not": ' * depth + inner + "}" * depth
    else:
        text = f'{{"{operator}": [' * depth + inner + "]}" * depth
    for route in ("find", "delete"):
        await raw.not_5xx("POST", f"/v1/tables/{T}/rows/{route}", data=f'{{"filter": {text}}}', headers=JSON)


async def test_shallow_nested_filters_still_select_the_right_rows(raw: Raw) -> None:
    await raw.call("POST", f"/v1/tables/{T}/rows", json={"rows": [{"s": "a"}, {"s": "b"}]})
    text = '{"$not": ' * 6 + '{"s": "a"}' + "}" * 6  # an even number of $not: the filter itself
    status, body = await raw.call("POST", f"/v1/tables/{T}/rows/find", data=f'{{"filter": {text}}}',
                                  headers=JSON)
    assert status == 200 and [row["s"] for row in body["rows"]] == ["a"]


async def test_an_in_filter_with_1000_values_finds_its_rows(raw: Raw) -> None:
    await raw.call("POST", f"/v1/tables/{T}/rows", json={"rows": [{"s": f"v{i}"} for i in range(0, 2000, 2)]})
    wanted = [f"v{i}" for i in range(1000)]
    status, body = await raw.call("POST", f"/v1/tables/{T}/rows/find",
                                  json={"filter": {"s": {"$in": wanted}}, "limit": 1000})
    assert status == 200, body
    assert sorted(row["s"] for row in body["rows"]) == sorted(f"v{i}" for i in range(0, 1000, 2))


async def test_an_in_filter_with_1500_values_on_a_nested_path_finds_its_rows(raw: Raw) -> None:
    rows = [{"o": {"k": i}} for i in range(0, 3000, 3)]
    await raw.call("POST", f"/v1/tables/{T}/rows", json={"rows": rows})
    status, body = await raw.call("POST", f"/v1/tables/{T}/rows/find",
                                  json={"filter": {"o.k": {"$in": list(range(1500))}}, "limit": 1000})
    assert status == 200, body
    assert sorted(row["o"]["k"] for row in body["rows"]) == list(range(0, 1500, 3))


async def test_an_or_of_1000_conditions_finds_its_rows(raw: Raw) -> None:
    await raw.call("POST", f"/v1/tables/{T}/rows", json={"rows": [{"n": i} for i in range(10)]})
    status, body = await raw.call("POST", f"/v1/tables/{T}/rows/find",
                                  json={"filter": {"$or": [{"n": i} for i in range(5, 1005)]}})
    assert status == 200, body
    assert [row["n"] for row in body["rows"]] == [5, 6, 7, 8, 9]


def wide_finds(width: int) -> list[dict[str, Any]]:
    values = [str(i) for i in range(width)]
    return [{"filter": {"s": {"$in": values}}}, {"filter": {"s": {"$nin": values}}},
            {"filter": {"$or": [{"s": v} for v in values]}}, {"filter": {"$and": [{"s": "a"}] * width}},
            {"filter": {f"o.k{i}": 1 for i in range(width)}},
            {"group": {f"o.k{i}": "count" for i in range(width)}},
            {"select": [f"o.k{i}" for i in range(width)]}]


async def test_wide_filters_and_groups_of_a_thousand_terms_are_answered_never_5xx(raw: Raw) -> None:
    for body in wide_finds(1000):
        await raw.not_5xx("POST", f"/v1/tables/{T}/rows/find", json=body)
    await raw.not_5xx("POST", f"/v1/tables/{T}/rows/delete",
                      json={"filter": {"$or": [{"s": str(i)} for i in range(1000)]}})


async def test_filters_of_40000_terms_are_refused_at_once_with_invalid_query(raw: Raw) -> None:
    for body in wide_finds(40_000)[:-1]:  # select is a projection, not SQL: any width is fine
        refused = await raw.refused("POST", f"/v1/tables/{T}/rows/find", json=body)
        assert refused["type"] == "InvalidQuery"
    refused = await raw.refused("POST", f"/v1/tables/{T}/rows/delete",
                                json={"filter": {"$or": [{"s": str(i)} for i in range(40_000)]}})
    assert refused["type"] == "InvalidQuery"


# -- numbers --------------------------------------------------------------------------------------

BIG = b"9" * 400


@pytest.mark.parametrize("body", [
    b'{"filter": {"n": {"$gt": ' + BIG + b"}}}",
    b'{"filter": {"n": {"$lt": -' + BIG + b"}}}",
    b'{"filter": {"n": ' + BIG + b"}}",
    b'{"filter": {"n": {"$in": [' + BIG + b", 1]}}}",
    b'{"filter": {"n": {"$mod": [' + BIG + b", 1]}}}",
    b'{"filter": {"id": {"$gte": ' + BIG + b"}}}",
    b'{"offset": ' + BIG + b"}",
    b'{"offset": 9223372036854775808}',
    b'{"limit": ' + BIG + b"}",
])
async def test_numbers_past_64_bits_in_a_find_are_answered_never_5xx(raw: Raw, body: bytes) -> None:
    await raw.not_5xx("POST", f"/v1/tables/{T}/rows/find", data=body, headers=JSON)


async def test_a_filter_past_the_largest_float_matches_nothing_rather_than_failing(raw: Raw) -> None:
    await raw.call("POST", f"/v1/tables/{T}/rows", json={"rows": [{"n": 1e308}]})
    status, body = await raw.call("POST", f"/v1/tables/{T}/rows/find",
                                  data=b'{"filter": {"n": {"$gte": ' + BIG + b"}}}", headers=JSON)
    assert status == 200 and body["rows"] == []
    status, body = await raw.call("POST", f"/v1/tables/{T}/rows/find",
                                  data=b'{"filter": {"n": {"$gt": -' + BIG + b"}}}", headers=JSON)
    assert status == 200 and len(body["rows"]) == 1


@pytest.mark.parametrize(("path", "body"), [
    ("/v1/chat/analytics", b'{"name": "x", "count": ' + BIG + b"}"),
    ("/v1/chat/analytics", b'{"name": "x", "count": 9223372036854775807}'),
    ("/v1/tables/" + T + "/rows", b'{"rows": [{"n": ' + BIG + b"}]}"),
    ("/v1/tables/" + T + "/rows/delete", b'{"ids": [' + BIG + b"]}"),
    ("/v1/tables/" + T + "/rows/upsert", b'{"rows": [{"id": ' + BIG + b', "n": 1}]}'),
    ("/v1/chat/states/bot/b/big", b'{"payload": {"n": ' + BIG + b'}, "expiry": ' + BIG + b"}"),
    ("/v1/chat/events", b'{"type": "t", "payload": {}, "schedule": {"delay": ' + BIG + b"}}"),
])
async def test_numbers_past_64_bits_in_writes_are_answered_never_5xx(
    raw: Raw, path: str, body: bytes
) -> None:
    await raw.not_5xx("POST", path, data=body, headers=JSON)


async def test_analytics_counts_that_overflow_when_summed_are_answered_never_5xx(raw: Raw) -> None:
    for _ in range(3):
        await raw.not_5xx("POST", "/v1/chat/analytics", json={"name": "x", "count": 2**62})


# -- lone surrogates and other text ---------------------------------------------------------------


@pytest.mark.parametrize("body", [
    b'{"name": "x\\ud800Table", "schema": {}}',
    b'{"name": "okTable", "schema": {"type": "object", "properties": {"\\udfff": {"type": "string"}}}}',
])
async def test_a_lone_surrogate_in_a_table_definition_is_400(raw: Raw, body: bytes) -> None:
    await raw.refused("POST", "/v1/tables", data=body, headers=JSON)


@pytest.mark.parametrize(("route", "body"), [
    ("rows", b'{"rows": [{"s": "\\udfff"}]}'),
    ("rows/upsert", b'{"rows": [{"s": "a\\ud83d"}], "keyColumn": "s"}'),
    ("rows/find", b'{"filter": {"s": "\\ud800"}}'),
    ("rows/find", b'{"search": "\\udc00 text"}'),
    ("rows/find", b'{"filter": {"\\ud800": 1}}'),
    ("rows/find", b'{"select": ["\\ud800"]}'),
])
async def test_a_lone_surrogate_in_a_rows_body_is_400_invalid_payload(
    raw: Raw, route: str, body: bytes
) -> None:
    refused = await raw.refused("POST", f"/v1/tables/{T}/{route}", data=body, headers=JSON)
    assert refused["type"] == "InvalidPayload"


@pytest.mark.parametrize("path", [
    "/v1/chat/users/%ED%A0%80", "/v1/chat/users/%FF%FE", "/v1/chat/conversations/%ED%B0%80",
    "/v1/chat/messages/%C0%AF", "/v1/chat/states/bot/%ED%A0%80/name", "/v1/chat/states/user/u/%FF",
    "/v1/tables/%ED%A0%80", "/v1/tables/%FFTable/rows/find", f"/v1/tables/{T}/row?id=%ED%A0%80",
    "/v1/chat/users?tags.k=%ED%A0%80", "/v1/chat/users?tags.%FF=1", "/v1/chat/users?nextToken=%ED%A0%80",
    "/v1/chat/tags/%ED%A0%80/values?type=user", "/v1/chat/messages?conversationId=%FF", "/v1/chat/users/%00",
])
async def test_undecodable_percent_escapes_in_paths_and_queries_never_give_5xx(raw: Raw, path: str) -> None:
    method = "POST" if path.endswith("/find") else "GET"
    await raw.not_5xx(method, encoded(path), json={} if method == "POST" else None)
    await raw.not_5xx("POST", encoded(path.split("?")[0]), json={"payload": {}})
    await raw.not_5xx("DELETE", encoded(path.split("?")[0]))


async def test_text_from_every_plane_round_trips_through_tags_payloads_states_and_rows(bp: Client) -> None:
    user = await bp.users.create(tags={"name": WORLD}, name=WORLD)
    conversation = await bp.conversations.create(channel="web", tags={"topic": WORLD})
    message = await bp.messages.create(conversation_id=conversation.id, user_id=user.id, type="text",
                                       payload={"text": WORLD, WORLD: [WORLD]}, tags={"t": WORLD})
    state = await bp.states.set("conversation", conversation.id, "ctx", {WORLD: WORLD})
    assert (await bp.users.get(user.id)).tags == {"name": WORLD}
    assert (await bp.users.get(user.id)).name == WORLD
    assert (await bp.conversations.get(conversation.id)).tags == {"topic": WORLD}
    fetched = await bp.messages.get(message.id)
    assert fetched.payload == {"text": WORLD, WORLD: [WORLD]} and fetched.tags == {"t": WORLD}
    again = await bp.states.get("conversation", conversation.id, "ctx")
    assert state.payload == again.payload == {WORLD: WORLD}
    assert [u.id async for u in bp.users.list(tags={"name": WORLD})] == [user.id]


async def test_text_from_every_plane_round_trips_through_table_rows_filters_and_search(bp: Client) -> None:
    await bp.tables.create("worldTable", schema={"type": "object", "properties": {
        "s": {"type": "string", "x-zui": {"searchable": True}}, "o": {"type": "object"}}})
    await bp.tables.create_rows("worldTable", [{"s": WORLD, "o": {WORLD: WORLD}}, {"s": "plain"}])
    [row] = (await bp.tables.find_rows("worldTable", filter={"s": WORLD})).rows
    assert row["s"] == WORLD and row["o"] == {WORLD: WORLD}
    [row] = (await bp.tables.find_rows("worldTable", filter={"s": {"$regex": "👋🏽"}})).rows
    assert row["s"] == WORLD
    found = (await bp.tables.find_rows("worldTable", search="שלום")).rows
    assert found[0]["s"] == WORLD
    upserted = await bp.tables.upsert_rows("worldTable", [{"s": WORLD, "o": {"v": 2}}], key_column="s")
    assert [r["o"] for r in upserted.updated] == [{"v": 2}]


# -- random input on the Tables routes ------------------------------------------------------------

TABLE_ROUTES = [("POST", "/v1/tables"), ("POST", f"/v1/tables/{T}/rows"), ("PUT", f"/v1/tables/{T}/rows"),
                ("POST", f"/v1/tables/{T}/rows/upsert"), ("POST", f"/v1/tables/{T}/rows/find"),
                ("POST", f"/v1/tables/{T}/rows/delete"), ("PUT", f"/v1/tables/{T}"),
                ("POST", f"/v1/tables/{T}/duplicate"), ("PUT", f"/v1/tables/{T}/column")]
_text = st.text(st.characters(codec="utf-8"), max_size=12)
_floats = st.floats(allow_nan=False, allow_infinity=False)
_scalars = st.none() | st.booleans() | st.integers() | _floats | _text
_json: Any = st.recursive(_scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(
    _text | st.sampled_from(["s", "o", "n", "$in", "$or", "$not", "$gt", "$regex", "$mod", "id"]), c,
    max_size=4), max_leaves=25)
_keys = st.sampled_from(["rows", "filter", "group", "select", "search", "orderBy", "limit", "offset", "ids",
                         "keyColumn", "name", "schema", "factor", "deleteAllRows", "tags", "frozen"])
_SETTINGS = settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


@_SETTINGS
@given(route=st.sampled_from(TABLE_ROUTES), body=st.dictionaries(_keys, _json, max_size=5))
async def test_random_json_on_the_tables_routes_never_gives_5xx(
    raw: Raw, route: tuple[str, str], body: dict[str, Any]
) -> None:
    await raw.not_5xx(*route, json=body)


@_SETTINGS
@given(route=st.sampled_from(TABLE_ROUTES), data=st.binary(max_size=300))
async def test_random_bytes_on_the_tables_routes_never_give_5xx(
    raw: Raw, route: tuple[str, str], data: bytes
) -> None:
    await raw.not_5xx(*route, data=data, headers=JSON)
