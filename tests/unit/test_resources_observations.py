"""bp.observations (captureObservation, beyond the 1.70.2 spec): the call on the wire."""

from __future__ import annotations

import pytest
from runtime_wire import CONV_ID, EVENT_ID, MSG_ID, USER_ID, assert_sent, only_call

from botpress_async import Client
from botpress_async.errors import APIError, InvalidPayloadError

_OBSERVATIONS = "/v1/chat/observations"


async def test_capture_posts_name_and_data_and_returns_none(bp: Client, wire) -> None:
    wire.reply("POST", _OBSERVATIONS, {})
    result = await bp.observations.capture("llm.call", {"model": "x", "tokens": 12})
    expected = {"name": "llm.call", "data": {"model": "x", "tokens": 12}}
    assert_sent(only_call(wire), "POST", _OBSERVATIONS, expected)
    assert result is None


async def test_capture_sends_the_links_in_camel_case(bp: Client, wire) -> None:
    wire.reply("POST", _OBSERVATIONS, {})
    await bp.observations.capture(
        "step", {}, id="ctx-1", message_id=MSG_ID, event_id=EVENT_ID, conversation_id=CONV_ID,
        user_id=USER_ID, error_id="err_1", trace_id="trace_1",
    )
    assert only_call(wire).json == {
        "id": "ctx-1", "name": "step", "data": {}, "messageId": MSG_ID, "eventId": EVENT_ID,
        "conversationId": CONV_ID, "userId": USER_ID, "errorId": "err_1", "traceId": "trace_1",
    }


async def test_capture_answered_503_is_sent_once(bp: Client, wire) -> None:
    wire.reply("POST", _OBSERVATIONS, status=503, body="busy", repeat=True)
    with pytest.raises(APIError):
        await bp.observations.capture("step", {})
    assert len(wire.calls) == 1


async def test_capture_answered_400_raises_invalid_payload(bp: Client, wire) -> None:
    wire.reply("POST", _OBSERVATIONS, status=400, payload={
        "id": "err_1", "code": 400, "type": "InvalidPayload", "message": "body.name: too short"})
    with pytest.raises(InvalidPayloadError, match=r"body\.name"):
        await bp.observations.capture("", {})


def test_the_client_holds_one_observations_resource(bp: Client) -> None:
    assert bp.observations is bp.observations
