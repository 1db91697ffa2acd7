"""Wire samples of runtime API objects and the assertion every resource wire test makes.

Samples are JSON exactly as the service sends it (camelCase, 24-character timestamps).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from wire_recorder import BASE_URL, BOT_ID, TOKEN, WireCall, WireMock

CREATED = "2023-09-14T19:39:26.764Z"
CREATED_AT = datetime(2023, 9, 14, 19, 39, 26, 764000, tzinfo=UTC)
UPDATED = "2023-11-07T05:31:56.000Z"

USER_ID = "user_01HAB00000000000000000000001"
USER_ID_2 = "user_01HAB00000000000000000000002"
CONV_ID = "conv_01HAB00000000000000000000001"
MSG_ID = "msg_01HAB000000000000000000000001"
EVENT_ID = "evt_01HAB000000000000000000000001"
TASK_ID = "task_01HAB00000000000000000000001"
WORKFLOW_ID = "wfl_01HAB000000000000000000000001"

_NO_BODY = object()


def user(id: str = USER_ID, **over: Any) -> dict[str, Any]:
    return {"id": id, "createdAt": CREATED, "updatedAt": UPDATED, "tags": {"email": "a@example.com"},
            "name": "Ada", "pictureUrl": "https://example.com/ada.png", **over}


def conversation(id: str = CONV_ID, **over: Any) -> dict[str, Any]:
    return {"id": id, "createdAt": CREATED, "updatedAt": UPDATED, "channel": "channel",
            "integration": "webchat", "tags": {"thread": "t1"}, **over}


def event(id: str = EVENT_ID, **over: Any) -> dict[str, Any]:
    return {"id": id, "createdAt": CREATED, "type": "reminder", "payload": {"n": 1},
            "conversationId": CONV_ID, "status": "pending", "failureReason": None, **over}


def message(id: str = MSG_ID, **over: Any) -> dict[str, Any]:
    return {"id": id, "createdAt": CREATED, "updatedAt": UPDATED, "type": "text", "payload": {"text": "hi"},
            "direction": "outgoing", "userId": USER_ID, "conversationId": CONV_ID, "tags": {}, **over}


def state(**over: Any) -> dict[str, Any]:
    return {"id": "state_01HAB0000000000000000000001", "createdAt": CREATED, "updatedAt": UPDATED,
            "botId": BOT_ID, "conversationId": CONV_ID, "name": "context", "type": "conversation",
            "payload": {"step": 1}, **over}


def task(id: str = TASK_ID, **over: Any) -> dict[str, Any]:
    return {"id": id, "title": "Call back", "description": "", "type": "callback", "data": {},
            "status": "pending", "conversationId": CONV_ID, "timeoutAt": UPDATED, "createdAt": CREATED,
            "updatedAt": UPDATED, "tags": {}, **over}


def workflow(id: str = WORKFLOW_ID, **over: Any) -> dict[str, Any]:
    return {"id": id, "name": "onboarding", "status": "pending", "input": {}, "output": {},
            "createdAt": CREATED, "updatedAt": UPDATED, "timeoutAt": UPDATED, "tags": {}, **over}


def only_call(wire: WireMock) -> WireCall:
    """The one request sent (fails when there were none or several)."""
    assert len(wire.calls) == 1, [c.url for c in wire.calls]
    return wire.calls[0]


def assert_sent(call: WireCall, method: str, url: str, json: Any = _NO_BODY) -> None:
    """``call`` is ``method`` on ``BASE_URL + url`` exactly, with the auth headers and ``json`` as its body.

    ``json`` omitted means no body at all (what a GET sends).
    """
    assert call.method == method
    assert call.url == BASE_URL + url
    assert call.headers["Authorization"] == f"Bearer {TOKEN}"
    assert call.headers["x-bot-id"] == BOT_ID
    assert call.headers["User-Agent"].startswith("botpress-async/")
    if json is _NO_BODY:
        assert call.data is None
    else:
        assert call.headers["Content-Type"] == "application/json"
        assert call.json == json
