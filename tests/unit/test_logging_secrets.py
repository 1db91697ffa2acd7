"""DEBUG logs carry method, path, status, attempt and duration; the token is never logged or shown."""

from __future__ import annotations

import logging
import re
import traceback

import aiohttp
import pytest
from fakes import FakeClock, make_client
from wire_recorder import BASE_URL, TOKEN, WireMock

from botpress_async import NO_RETRY
from botpress_async.errors import BotpressError

USER = "/v1/chat/users/user_1"


def _core_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "botpress_async" and r.levelno == logging.DEBUG]


def _everything_shown(error: BaseException) -> str:
    """str, repr and the formatted traceback of an error and of every error it chains to."""
    parts = ["".join(traceback.format_exception(error))]
    seen: BaseException | None = error
    while seen is not None:
        parts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


async def test_each_attempt_is_logged_at_debug_with_method_path_status_attempt_and_duration(
    wire: WireMock, caplog: pytest.LogCaptureFixture
) -> None:
    wire.reply("GET", USER, status=503, body="busy")
    wire.reply("GET", USER, {"user": {}})
    caplog.set_level(logging.DEBUG)
    async with make_client(FakeClock()) as bp:
        await bp.request("GET", USER, params={"secretish": "query-value"})
    records = _core_records(caplog)
    assert [(r.method, r.path, r.status, r.attempt) for r in records] == [  # type: ignore[attr-defined]
        ("GET", USER, 503, 1), ("GET", USER, 200, 2),
    ]
    assert all(isinstance(r.duration_ms, float) for r in records)  # type: ignore[attr-defined]
    assert re.fullmatch(rf"GET {USER} -> 200 attempt=2 \d+\.\dms", records[1].getMessage())
    assert "query-value" not in caplog.text  # the path is logged, never the query string


async def test_a_failed_attempt_without_an_answer_is_logged_as_such(
    wire: WireMock, caplog: pytest.LogCaptureFixture
) -> None:
    wire.add(re.compile(re.escape(BASE_URL + USER)), "GET", exception=aiohttp.ServerDisconnectedError())
    caplog.set_level(logging.DEBUG)
    async with make_client(retry=NO_RETRY) as bp:
        with pytest.raises(BotpressError):
            await bp.request("GET", USER)
    [record] = _core_records(caplog)
    assert "-> no answer attempt=1" in record.getMessage()


async def test_the_token_never_appears_in_logs_or_errors_across_every_outcome(
    wire: WireMock, caplog: pytest.LogCaptureFixture
) -> None:
    pattern = re.compile(re.escape(BASE_URL + USER))
    wire.reply("GET", USER, {"user": {}})
    unauthorized = {"id": "e", "code": 401, "type": "Unauthorized", "message": "bad token"}
    wire.reply("POST", USER, unauthorized, status=401)
    wire.reply("PUT", USER, status=503, body="<html>busy</html>", repeat=True)
    wire.add(pattern, "DELETE", exception=aiohttp.ServerDisconnectedError())
    wire.add(pattern, "PATCH", exception=TimeoutError())
    wire.reply("GET", USER + "/broken", status=200, body='{"trunc')
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    async with make_client(FakeClock(), headers={"x-custom": "fine"}) as bp:
        await bp.request("GET", USER)
        for method, path in [("POST", USER), ("PUT", USER), ("DELETE", USER), ("PATCH", USER),
                             ("GET", USER + "/broken")]:
            with pytest.raises(BotpressError) as caught:
                await bp.request(method, path, json={"x": 1} if method != "GET" else None)
            errors.append(caught.value)
        shown = [repr(bp), str(bp), repr(bp.config), repr(bp.with_options(timeout=1))]
    assert len(errors) == 5
    assert len(_core_records(caplog)) >= 9
    assert TOKEN not in caplog.text
    for error in errors:
        assert TOKEN not in _everything_shown(error)
    for text in shown:
        assert TOKEN not in text


def test_the_config_repr_hides_the_token_and_extra_headers() -> None:
    bp = make_client(headers={"x-api-key": "another-secret"})
    assert TOKEN not in repr(bp.config)
    assert "another-secret" not in repr(bp.config)
    assert "bot_id='bot_unit_test'" in repr(bp.config)
