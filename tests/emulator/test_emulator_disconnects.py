"""A client that disconnects mid-request is normal (a debug line, no traceback); a real emulator bug is
still logged once, as an error."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from unittest import mock
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from emulator_helpers import BOT_A, Api

from botpress_async.emulator import Emulator
from botpress_async.emulator._http import error_middleware

LOGGER = "botpress_async.emulator"


async def send_half_a_request_then_hang_up(emulator: Emulator) -> None:
    """Headers announcing 100 bytes of body, 8 of them, then close: the route's body read fails."""
    address = urlsplit(emulator.url)
    _, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write(
        f"POST /v1/chat/users HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer {emulator.token}\r\n"
        f"x-bot-id: {BOT_A}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        '{"tags":'.encode()
    )
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.005)


def disconnect_logged(caplog: pytest.LogCaptureFixture) -> bool:
    return any("closed the connection" in record.getMessage() for record in caplog.records)


async def test_a_client_hanging_up_mid_body_logs_no_error(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    await send_half_a_request_then_hang_up(emulator)
    await until(lambda: disconnect_logged(caplog))
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_client_hanging_up_is_logged_at_debug_level_without_traceback(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    await send_half_a_request_then_hang_up(emulator)
    await until(lambda: disconnect_logged(caplog))
    record = next(r for r in caplog.records if "closed the connection" in r.getMessage())
    assert (record.levelno, record.exc_info) == (logging.DEBUG, None)


async def test_the_emulator_serves_the_next_request_after_a_hang_up(
    emulator: Emulator, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    await send_half_a_request_then_hang_up(emulator)
    await until(lambda: disconnect_logged(caplog))
    status, _ = await api.call("POST", "/v1/chat/users", json={"tags": {}})
    assert status == 201


def connected_request() -> web.Request:
    transport = mock.Mock()
    transport.is_closing.return_value = False
    return make_mocked_request("POST", "/v1/chat/users", transport=transport)


async def test_an_unexpected_exception_is_logged_once_as_an_error(caplog: pytest.LogCaptureFixture) -> None:
    async def broken(request: web.Request) -> web.StreamResponse:
        raise RuntimeError("bug")

    caplog.set_level(logging.DEBUG, logger=LOGGER)
    response = await error_middleware(connected_request(), broken)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert response.status == 500 and len(errors) == 1 and errors[0].exc_info is not None


async def test_a_connection_reset_while_the_client_is_still_connected_is_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def resets(request: web.Request) -> web.StreamResponse:
        raise ConnectionResetError("from somewhere else")

    caplog.set_level(logging.DEBUG, logger=LOGGER)
    response = await error_middleware(connected_request(), resets)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert response.status == 500 and len(errors) == 1
