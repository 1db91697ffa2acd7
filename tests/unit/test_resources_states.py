"""bp.states: every endpoint's request on the wire, expiry limits, retries of idempotent writes."""

from __future__ import annotations

import pytest
from runtime_wire import BOT_ID, CONV_ID, CREATED_AT, assert_sent, only_call, state

from botpress_async import Client
from botpress_async.models import State
from botpress_async.resources.states import MAX_STATE_EXPIRY_MS

_STATE = f"/v1/chat/states/conversation/{CONV_ID}/context"


async def test_get_fetches_the_state_by_type_id_and_name(bp: Client, wire) -> None:
    wire.reply("GET", _STATE, {"state": state(), "meta": {"cached": True}})
    result = await bp.states.get("conversation", CONV_ID, "context")
    assert_sent(only_call(wire), "GET", _STATE)
    assert isinstance(result, State)
    assert result.payload == {"step": 1}
    assert result.bot_id == BOT_ID
    assert result.created_at == CREATED_AT


async def test_get_percent_encodes_a_plugin_state_name(bp: Client, wire) -> None:
    answer = {"state": state(), "meta": {"cached": False}}
    wire.reply("GET", f"/v1/chat/states/bot/{BOT_ID}/crm%23cache", answer)
    await bp.states.get("bot", BOT_ID, "crm#cache")
    assert only_call(wire).path == f"/v1/chat/states/bot/{BOT_ID}/crm%23cache"


async def test_set_posts_payload_and_expiry_in_milliseconds(bp: Client, wire) -> None:
    wire.reply("POST", _STATE, {"state": state(payload={"step": 2})})
    result = await bp.states.set("conversation", CONV_ID, "context", {"step": 2}, expiry=3_600_000)
    assert_sent(only_call(wire), "POST", _STATE, {"payload": {"step": 2}, "expiry": 3_600_000})
    assert result.payload == {"step": 2}


async def test_set_with_none_payload_and_expiry_sends_nulls(bp: Client, wire) -> None:
    wire.reply("POST", _STATE, {"state": state()})
    await bp.states.set("conversation", CONV_ID, "context", None, expiry=None)
    assert only_call(wire).json == {"payload": None, "expiry": None}


async def test_set_without_expiry_omits_it(bp: Client, wire) -> None:
    wire.reply("POST", _STATE, {"state": state()})
    await bp.states.set("conversation", CONV_ID, "context", {"step": 1})
    assert only_call(wire).json == {"payload": {"step": 1}}


async def test_set_answered_503_is_retried_as_idempotent(bp: Client, wire) -> None:
    wire.reply("POST", _STATE, status=503, body="busy")
    wire.reply("POST", _STATE, {"state": state()})
    await bp.states.set("conversation", CONV_ID, "context", {"step": 1})
    assert len(wire.calls) == 2


async def test_get_or_set_posts_to_get_or_set(bp: Client, wire) -> None:
    wire.reply("POST", f"{_STATE}/get-or-set", {"state": state(), "meta": {"cached": False}})
    result = await bp.states.get_or_set("conversation", CONV_ID, "context", {"step": 0}, expiry=1)
    assert_sent(only_call(wire), "POST", f"{_STATE}/get-or-set", {"payload": {"step": 0}, "expiry": 1})
    assert result.payload == {"step": 1}


async def test_get_or_set_answered_502_is_retried(bp: Client, wire) -> None:
    wire.reply("POST", f"{_STATE}/get-or-set", status=502, body="<html>bad gateway</html>")
    wire.reply("POST", f"{_STATE}/get-or-set", {"state": state(), "meta": {"cached": False}})
    await bp.states.get_or_set("conversation", CONV_ID, "context", {})
    assert len(wire.calls) == 2


async def test_patch_sends_the_keys_to_merge(bp: Client, wire) -> None:
    wire.reply("PATCH", _STATE, {"state": state(payload={"step": 1, "lang": "fr"})})
    result = await bp.states.patch("conversation", CONV_ID, "context", {"lang": "fr"})
    assert_sent(only_call(wire), "PATCH", _STATE, {"payload": {"lang": "fr"}})
    assert result.payload == {"step": 1, "lang": "fr"}


async def test_patch_answered_503_is_retried_as_idempotent(bp: Client, wire) -> None:
    wire.reply("PATCH", _STATE, status=503, body="busy")
    wire.reply("PATCH", _STATE, {"state": state()})
    await bp.states.patch("conversation", CONV_ID, "context", {"lang": "fr"})
    assert len(wire.calls) == 2


async def test_set_expiry_posts_milliseconds(bp: Client, wire) -> None:
    wire.reply("POST", f"{_STATE}/expiry", {"state": state()})
    result = await bp.states.set_expiry("conversation", CONV_ID, "context", MAX_STATE_EXPIRY_MS)
    assert_sent(only_call(wire), "POST", f"{_STATE}/expiry", {"expiry": 2_592_000_000})
    assert result.name == "context"


async def test_set_expiry_none_sends_null_to_remove_it(bp: Client, wire) -> None:
    wire.reply("POST", f"{_STATE}/expiry", {"state": state()})
    await bp.states.set_expiry("conversation", CONV_ID, "context", None)
    assert only_call(wire).json == {"expiry": None}


@pytest.mark.parametrize("expiry", [MAX_STATE_EXPIRY_MS + 1, 0, -5, 1.5, True])
async def test_set_expiry_out_of_range_raises_value_error_and_sends_nothing(bp: Client, wire, expiry) -> None:
    with pytest.raises(ValueError, match="expiry"):
        await bp.states.set_expiry("conversation", CONV_ID, "context", expiry)
    assert wire.calls == []


async def test_set_with_an_expiry_over_30_days_sends_nothing(bp: Client, wire) -> None:
    with pytest.raises(ValueError, match="2592000000"):
        await bp.states.set("user", "u", "prefs", {}, expiry=MAX_STATE_EXPIRY_MS + 1)
    with pytest.raises(ValueError, match="2592000000"):
        await bp.states.get_or_set("user", "u", "prefs", {}, expiry=MAX_STATE_EXPIRY_MS + 1)
    assert wire.calls == []


async def test_patch_sends_expiry_in_milliseconds(bp: Client, wire) -> None:
    wire.reply("PATCH", _STATE, {"state": state()})
    await bp.states.patch("conversation", CONV_ID, "context", {"lang": "fr"}, expiry=60_000)
    assert only_call(wire).json == {"payload": {"lang": "fr"}, "expiry": 60_000}


async def test_patch_with_expiry_none_sends_null_to_remove_it(bp: Client, wire) -> None:
    wire.reply("PATCH", _STATE, {"state": state()})
    await bp.states.patch("conversation", CONV_ID, "context", {}, expiry=None)
    assert only_call(wire).json == {"payload": {}, "expiry": None}


@pytest.mark.parametrize("expiry", [MAX_STATE_EXPIRY_MS + 1, 0, 1.5])
async def test_patch_with_an_expiry_out_of_range_raises_value_error_and_sends_nothing(
    bp: Client, wire, expiry
) -> None:
    with pytest.raises(ValueError, match="expiry"):
        await bp.states.patch("conversation", CONV_ID, "context", {}, expiry=expiry)
    assert wire.calls == []
