"""bp.actions, bp.analytics, bp.integrations and bp.tags: requests on the wire and answers."""

from __future__ import annotations

import pytest
from runtime_wire import assert_sent, only_call

from botpress_async import APIError, Client
from botpress_async.models import CallActionResponse


async def test_call_posts_type_and_input_and_returns_the_output(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/actions", {"output": {"ok": True}, "meta": {"cached": False}})
    output = await bp.actions.call("slack:addReaction", {"name": "tada", "ts": None})
    assert_sent(only_call(wire), "POST", "/v1/chat/actions",
                {"type": "slack:addReaction", "input": {"name": "tada", "ts": None}})
    assert output == {"ok": True}


async def test_call_with_meta_returns_the_cached_flag(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/actions", {"output": {}, "meta": {"cached": True}})
    response = await bp.actions.call_with_meta("crm:lookup", {})
    assert isinstance(response, CallActionResponse)
    assert response.meta.cached is True


async def test_call_answered_503_is_not_retried(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/actions", status=503, body="busy", repeat=True)
    with pytest.raises(APIError):
        await bp.actions.call("slack:addReaction", {})
    assert len(wire.calls) == 1
