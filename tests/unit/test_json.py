"""JSON bodies: the encoder, the per-row piece encoder, pre-encoded bodies, and the optional orjson path."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from fakes import make_client
from hypothesis import given, settings
from hypothesis import strategies as st
from tables_wire import table_answer
from wire_recorder import WireMock

from botpress_async import _json
from botpress_async._json import RawJSON, dumps, piece_encoder, utf8_size
from botpress_async.errors import ResponseDecodeError

USERS = "/v1/chat/users"

# JSON values as the standard library decodes them (ints of any size, finite floats, any text).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)


def reference(value: Any) -> bytes:
    """What the transport sent before pieces and orjson existed."""
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return json.dumps(value, allow_nan=False, separators=(",", ":")).encode()


# -- dumps and pieces --------------------------------------------------------------------------------


def test_dumps_is_compact_utf8_and_escapes_a_lone_surrogate() -> None:
    assert dumps({"a": [1, "é"]}) == '{"a":[1,"é"]}'.encode()
    assert dumps({"a": "\ud83d"}) == b'{"a":"\\ud83d"}'


@pytest.mark.parametrize("accelerated", [False, True])
@given(value=json_values)
@settings(max_examples=300, deadline=None)
def test_a_piece_means_exactly_what_dumps_sends(accelerated: bool, value: Any) -> None:
    text = piece_encoder(accelerated=accelerated)(value)
    assert json.loads(text) == json.loads(reference(value))
    assert utf8_size(text) == len(text.encode())


@pytest.mark.parametrize("accelerated", [False, True])
@pytest.mark.parametrize(
    "row", [{"n": 2**70}, {"n": -(2**63) - 1}, {"s": "\udc00"}, {"s": None}, {"x": 1.5e300}, {1: "int key"}]
)
def test_rows_orjson_would_encode_differently_get_the_standard_encoding(accelerated: bool, row: Any) -> None:
    assert piece_encoder(accelerated=accelerated)(row).encode() == reference(row)


@pytest.mark.parametrize("accelerated", [False, True])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_piece_refuses_nan_and_infinity(accelerated: bool, bad: float) -> None:
    with pytest.raises(ValueError):
        piece_encoder(accelerated=accelerated)({"score": bad})


def test_a_piece_encoder_still_works_after_a_refused_value() -> None:
    encode = piece_encoder(accelerated=False)
    row: dict[str, Any] = {"nested": {"score": math.nan}}
    with pytest.raises(ValueError):
        encode(row)
    row["nested"]["score"] = 1.0  # the same containers again: no stale "circular reference"
    assert encode(row) == '{"nested":{"score":1.0}}'


def test_a_piece_encoder_refuses_a_circular_value() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(ValueError, match="Circular"):
        piece_encoder(accelerated=False)(loop)


# -- pre-encoded bodies ------------------------------------------------------------------------------


async def test_a_raw_json_body_is_sent_byte_for_byte(wire: WireMock) -> None:
    wire.reply("POST", USERS, {"user": {}})
    body = b'{"tags":{},"name":"x"}'
    async with make_client() as bp:
        await bp._transport.request("POST", USERS, json=RawJSON(body))
    assert wire.calls[0].data == body
    assert wire.calls[0].headers["Content-Type"] == "application/json"


def test_a_raw_json_body_shows_its_size_not_its_content() -> None:
    assert repr(RawJSON(b'{"secret":"x"}')) == "RawJSON(14 bytes)"


# -- decoding ----------------------------------------------------------------------------------------

needs_orjson = pytest.mark.skipif(not _json.ORJSON, reason="orjson is not installed (or turned off)")


@needs_orjson
@given(value=json_values)
@settings(max_examples=300, deadline=None)
def test_orjson_decoding_gives_what_json_loads_gives(value: Any) -> None:
    body = json.dumps(value).encode()
    decoded = _json.loads(body)
    assert decoded == json.loads(body)
    assert repr(decoded) == repr(json.loads(body))  # ints stay ints, floats floats


@needs_orjson
@pytest.mark.parametrize(
    "body",
    [
        b'{"n": 123456789012345678901234567890}',
        b'{"n": -9223372036854775809}',
        b'{"n": 18446744073709551616}',
        b'{"s": "\\ud800"}',
        b'[NaN, Infinity, -Infinity]',
        b'{"n": 1e400}',
        '{"s": "é"}'.encode("utf-16"),
    ],
)
def test_bodies_orjson_reads_differently_are_decoded_by_json(body: bytes) -> None:
    assert repr(_json.loads(body)) == repr(json.loads(body))


@needs_orjson
def test_invalid_json_is_still_a_value_error() -> None:
    with pytest.raises(ValueError):
        _json.loads(b'{"a": ')


# -- bulk chunk bodies -------------------------------------------------------------------------------

T = "/v1/tables/airportsTable"


async def test_a_bulk_chunk_body_carries_its_rows_as_the_transport_would_encode_them(wire: WireMock) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [], "updated": []}, repeat=True)
    rows = [{"iata": "YUL", "name": "Montréal–Trudeau", "n": 2**70, "ok": True, "none": None, "x": 0.1},
            {"iata": "\ud83d", "nested": {"a": [1, 2]}}]
    async with make_client() as bp:
        await bp.tables.bulk_upsert("airportsTable", rows, key_column="iata")
    sent = wire.calls[1].data or b""
    assert json.loads(sent) == {"rows": rows, "keyColumn": "iata"}
    assert sent.startswith(b'{"rows":[') and sent.endswith(b'],"keyColumn":"iata"}')
    # Only the row holding a lone surrogate is escaped; the first row is sent as the transport would.
    assert reference(rows[0]) in sent


async def test_a_bulk_reply_whose_rows_are_not_objects_fails_the_chunk(wire: WireMock) -> None:
    wire.reply("GET", T, table_answer())
    wire.reply("POST", f"{T}/rows/upsert", {"inserted": [1, 2], "updated": []})
    async with make_client() as bp:
        result = await bp.tables.bulk_upsert("airportsTable", [{"iata": "A"}, {"iata": "B"}])
    assert [f.index for f in result.failed] == [0, 1]
    assert all(isinstance(f.error, ResponseDecodeError) for f in result.failed)
