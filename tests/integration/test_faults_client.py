"""The client against real sockets on loopback, talking to servers that misbehave on purpose.

Each server here is a few lines of aiohttp.web (or, where HTTP itself must break, of asyncio streams):
half a body then silence, keep-alive connections closed under the client, proxy HTML, empty and
truncated answers, a JSON array, an error inside a 2xx, a 50 MB body, and thousands of requests
cancelled at random. What must hold: typed errors only, no write sent twice, no connection left
acquired, no ResourceWarning, and a client that keeps working afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import json
import logging
import random
import time
import traceback
import warnings
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import attrs
import pytest
from aiohttp import web

from botpress_async import NO_RETRY, Client, RetryPolicy
from botpress_async.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    BotpressError,
    ResourceNotFoundError,
    ResponseDecodeError,
    UnknownError,
)

TOKEN = "bp_pat_faults_test_token_never_shown_0123456789"
MB = 1024 * 1024
FAST_RETRY = RetryPolicy(backoff_base=0.001, backoff_max=0.005)


@attrs.define(kw_only=True)
class Thing:
    id: str


def _client(base_url: str, **options: Any) -> Client:
    return Client(token=TOKEN, bot_id="bot_faults", base_url=base_url, environ={}, **options)


def _acquired(bp: Client) -> int:
    session = bp._pool._session
    assert session is not None
    connector = session.connector
    assert isinstance(connector, aiohttp.BaseConnector)
    return len(connector._acquired)


# -- an aiohttp.web server that misbehaves on request -------------------------------------------


class Misbehaving:
    """Routes that each break the HTTP contract one way; ``hits`` counts requests per (method, path)."""

    def __init__(self) -> None:
        self.hits: Counter[tuple[str, str]] = Counter()
        self.stop = asyncio.Event()
        self.fail_first: dict[str, int] = {}

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._count])
        app.router.add_get("/html-502", self.html_502)
        app.router.add_get("/empty-200", self.empty_200)
        app.router.add_get("/truncated-json", self.truncated_json)
        app.router.add_get("/cut-off-body", self.cut_off_body)
        app.router.add_get("/json-array", self.json_array)
        app.router.add_get("/error-in-2xx", self.error_in_2xx)
        app.router.add_get("/big", self.big)
        app.router.add_get("/big-chunked", self.big_chunked)
        app.router.add_get("/half-body-stall", self.half_body_stall)
        app.router.add_route("*", "/flaky/{n}", self.flaky)
        app.router.add_get("/item/{n}", self.item)
        app.router.add_post("/items", self.create)
        return app

    @web.middleware
    async def _count(self, request: web.Request, handler: Callable[[web.Request], Awaitable[Any]]) -> Any:
        self.hits[(request.method, request.path)] += 1
        return await handler(request)

    async def html_502(self, request: web.Request) -> web.Response:
        html = "<html><h1>502 Bad Gateway</h1></html>"
        return web.Response(status=502, text=html, content_type="text/html")

    async def empty_200(self, request: web.Request) -> web.Response:
        return web.Response(status=200, body=b"")

    async def truncated_json(self, request: web.Request) -> web.Response:
        return web.Response(status=200, text='{"user": {"id": "us', content_type="application/json")

    async def cut_off_body(self, request: web.Request) -> web.StreamResponse:
        # Announces 1000 bytes, sends 20, then closes the connection.
        response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        response.content_length = 1000
        await response.prepare(request)
        await response.write(b'{"user": {"id": "us')
        assert request.transport is not None
        request.transport.close()
        return response

    async def json_array(self, request: web.Request) -> web.Response:
        return web.json_response([{"id": "a"}, {"id": "b"}])

    async def error_in_2xx(self, request: web.Request) -> web.Response:
        body = {"id": "err_1", "code": 404, "type": "ResourceNotFound", "message": "no such thing"}
        return web.json_response(body, status=200)

    async def big(self, request: web.Request) -> web.Response:
        return web.Response(status=200, body=b"x" * (50 * MB), content_type="application/json")

    async def big_chunked(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"x" * MB
        with contextlib.suppress(ConnectionError):
            for _ in range(50):
                await response.write(chunk)
        return response

    async def half_body_stall(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        response.content_length = 200
        await response.prepare(request)
        await response.write(b'{"id": "' + b"x" * 90)
        await self.stop.wait()  # never finishes while the test runs
        return response

    async def flaky(self, request: web.Request) -> web.Response:
        key = request.match_info["n"]
        left = self.fail_first.get(key, 0)
        if left:
            self.fail_first[key] = left - 1
            return web.Response(status=503, text="busy")
        return web.json_response({"id": key})

    async def item(self, request: web.Request) -> web.Response:
        await asyncio.sleep(random.random() * 0.004)
        if random.random() < 0.03:
            return web.Response(status=503, text="busy")
        return web.json_response({"id": request.match_info["n"]})

    async def create(self, request: web.Request) -> web.Response:
        return web.json_response({"id": "created"}, status=201)


@contextlib.asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.base_events.Server)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


Served = tuple[Misbehaving, str]


@pytest.fixture
async def misbehaving() -> AsyncIterator[Served]:
    server = Misbehaving()
    async with serving(server.app()) as base_url:
        try:
            yield server, base_url
        finally:
            server.stop.set()


# -- malformed answers ---------------------------------------------------------------------------


async def test_an_html_502_is_an_api_error_with_the_html_attached(misbehaving: Served) -> None:
    _, url = misbehaving
    async with _client(url, retry=NO_RETRY) as bp:
        with pytest.raises(UnknownError) as caught:
            await bp.request("GET", "/html-502")
    assert caught.value.status == 502
    assert caught.value.raw == "<html><h1>502 Bad Gateway</h1></html>"


async def test_an_empty_200_where_a_body_is_expected_is_a_response_decode_error(
    misbehaving: Served,
) -> None:
    _, url = misbehaving
    async with _client(url) as bp:
        with pytest.raises(ResponseDecodeError, match="expected a JSON object"):
            await bp._transport.request("GET", "/empty-200", cast=Thing)


async def test_truncated_json_is_a_response_decode_error_with_the_raw_text(
    misbehaving: Served,
) -> None:
    _, url = misbehaving
    async with _client(url) as bp:
        with pytest.raises(ResponseDecodeError) as caught:
            await bp.request("GET", "/truncated-json")
    assert caught.value.raw == '{"user": {"id": "us'


async def test_a_body_cut_off_by_a_closed_connection_is_an_api_connection_error(
    misbehaving: Served,
) -> None:
    server, url = misbehaving
    async with _client(url, retry=RetryPolicy(max_attempts=2, backoff_base=0.001)) as bp:
        with pytest.raises(APIConnectionError) as caught:
            await bp.request("GET", "/cut-off-body")
        assert _acquired(bp) == 0
    assert caught.value.attempts == 2
    assert server.hits[("GET", "/cut-off-body")] == 2


async def test_a_json_array_instead_of_an_object_is_a_response_decode_error(
    misbehaving: Served,
) -> None:
    _, url = misbehaving
    async with _client(url) as bp:
        with pytest.raises(ResponseDecodeError, match="got list"):
            await bp._transport.request("GET", "/json-array", cast=Thing)


async def test_a_2xx_carrying_an_error_body_raises_the_error(misbehaving: Served) -> None:
    _, url = misbehaving
    async with _client(url) as bp:
        with pytest.raises(ResourceNotFoundError, match="no such thing"):
            await bp.request("GET", "/error-in-2xx")


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
async def test_a_50_mb_body_over_the_limit_is_refused_and_the_connection_dropped(
    misbehaving: Served, path: str
) -> None:
    server, url = misbehaving
    async with _client(url, max_response_bytes=8 * MB) as bp:
        with pytest.raises(ResponseDecodeError, match="exceeds max_response_bytes"):
            await bp.request("GET", path)
        assert _acquired(bp) == 0
    assert server.hits[("GET", path)] == 1


async def test_a_50_mb_body_that_is_not_json_is_a_response_decode_error_with_a_short_raw(
    misbehaving: Served,
) -> None:
    _, url = misbehaving
    async with _client(url) as bp:
        with pytest.raises(ResponseDecodeError, match="not valid JSON") as caught:
            await bp.request("GET", "/big")
    assert caught.value.raw is not None
    assert len(caught.value.raw) <= 2000


# -- stalls and deadlines -----------------------------------------------------------------------


async def test_half_a_body_then_silence_is_an_api_timeout_error_within_the_timeout(
    misbehaving: Served,
) -> None:
    _, url = misbehaving
    async with _client(url, timeout=1.0, retry=NO_RETRY) as bp:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="within 1s"):
            await bp.request("GET", "/half-body-stall")
        elapsed = time.monotonic() - started
        assert _acquired(bp) == 0
    assert 1.0 <= elapsed <= 1.0 * 1.1


async def test_the_deadline_caps_the_total_time_across_retries_of_a_stalled_get(
    misbehaving: Served,
) -> None:
    server, url = misbehaving
    policy = RetryPolicy(max_attempts=10, backoff_base=0.05, backoff_max=0.05)
    async with _client(url, timeout=0.4, deadline=1.0, retry=policy) as bp:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await bp.request("GET", "/half-body-stall")
        elapsed = time.monotonic() - started
    assert elapsed <= 1.0 * 1.1
    assert server.hits[("GET", "/half-body-stall")] >= 2


# -- retries on real connections -----------------------------------------------------------------


async def test_a_get_answered_503_then_200_is_retried_on_the_wire(misbehaving: Served) -> None:
    server, url = misbehaving
    server.fail_first["a"] = 1
    async with _client(url, retry=FAST_RETRY) as bp:
        assert await bp.request("GET", "/flaky/a") == {"id": "a"}
    assert server.hits[("GET", "/flaky/a")] == 2


async def test_a_create_answered_503_reaches_the_server_exactly_once(misbehaving: Served) -> None:
    server, url = misbehaving
    server.fail_first["b"] = 1
    async with _client(url, retry=FAST_RETRY) as bp:
        with pytest.raises(APIError):
            await bp.request("POST", "/flaky/b", json={"tags": {}})
    assert server.hits[("POST", "/flaky/b")] == 1


async def test_cancelling_during_a_backoff_sleep_leaves_no_connection_acquired(
    misbehaving: Served,
) -> None:
    server, url = misbehaving
    server.fail_first["c"] = 100
    sleeping = asyncio.Event()
    acquired_while_sleeping: list[int] = []

    async def blocking_sleep(seconds: float) -> None:
        acquired_while_sleeping.append(_acquired(bp))
        sleeping.set()
        await asyncio.Event().wait()

    bp = _client(url, _sleep=blocking_sleep)
    async with bp:
        task = asyncio.create_task(bp.request("GET", "/flaky/c"))
        await sleeping.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert _acquired(bp) == 0
        assert bp._pool.limiter.in_flight == 0
        server.fail_first["c"] = 0
        assert await bp.request("GET", "/flaky/c") == {"id": "c"}
    assert acquired_while_sleeping == [0]


# -- keep-alive connections closed by the server ---------------------------------------------------


class KeepAliveServer:
    """An HTTP/1.1 server on asyncio streams that can close a kept-alive connection under the client.

    ``mode``: ``"close-when-idle"`` answers with keep-alive and closes the connection right after;
    ``"drop-second"`` answers the first request of each connection and closes the connection on
    the second without answering (the client sees the close as its request is sent: the race of
    a server's idle timeout). ``received`` counts every request that reached the server.
    """

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.received: Counter[str] = Counter()
        self.connections = 0
        self._writers: set[asyncio.StreamWriter] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            for n in itertools.count(1):
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                method = request_line.split(" ")[0]
                headers = dict(line.split(":", 1) for line in header_lines if ":" in line)
                length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
                await reader.readexactly(length)
                self.received[method] += 1
                if self.mode == "drop-second" and n == 2:
                    return
                body = json.dumps({"method": method, "n": n}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                await writer.drain()
                if self.mode == "close-when-idle":
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            self._writers.discard(writer)


@contextlib.asynccontextmanager
async def keep_alive_server(mode: str) -> AsyncIterator[tuple[KeepAliveServer, str]]:
    server = KeepAliveServer(mode)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        listener.close()
        for writer in list(server._writers):
            writer.close()
        await listener.wait_closed()


async def test_a_keep_alive_connection_closed_while_idle_is_replaced_without_any_error() -> None:
    async with keep_alive_server("close-when-idle") as (server, url), _client(url) as bp:
        assert (await bp.request("GET", "/a"))["n"] == 1
        await asyncio.sleep(0.05)  # the server's close reaches the idle pooled connection
        assert (await bp.request("GET", "/a"))["n"] == 1
        assert (await bp.request("POST", "/items", json={"x": 1}))["method"] == "POST"
    assert server.received == {"GET": 2, "POST": 1}
    assert server.connections == 3


async def test_a_get_on_a_connection_the_server_just_closed_is_transparently_retried() -> None:
    async with keep_alive_server("drop-second") as (server, url), _client(url, retry=FAST_RETRY) as bp:
        await bp.request("GET", "/a")
        answer = await bp.request("GET", "/a")  # reuses the pooled connection, which the server drops
        assert _acquired(bp) == 0
    assert answer == {"method": "GET", "n": 1}
    assert server.received == {"GET": 3}
    assert server.connections == 2


async def test_a_create_on_a_connection_the_server_just_closed_is_not_sent_twice() -> None:
    async with keep_alive_server("drop-second") as (server, url), _client(url, retry=FAST_RETRY) as bp:
        await bp.request("GET", "/a")
        with pytest.raises(APIConnectionError) as caught:
            await bp.request("POST", "/items", json={"name": "only once"})
        assert _acquired(bp) == 0
    assert caught.value.attempts == 1
    assert server.received == {"GET": 1, "POST": 1}


@contextlib.asynccontextmanager
async def garbage_server() -> AsyncIterator[str]:
    """A server that answers every request with a line that is not HTTP; yields its base URL."""

    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"THIS IS NOT HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    listener = await asyncio.start_server(garbage, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}"
    finally:
        listener.close()
        await listener.wait_closed()


def _error_chain(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    link: BaseException | None = error
    while link is not None:
        chain.append(link)
        link = link.__cause__ or link.__context__
    return chain


async def test_a_server_speaking_garbage_is_an_api_connection_error_that_hides_the_token() -> None:
    async with garbage_server() as base_url, _client(base_url, retry=NO_RETRY) as bp:
        with pytest.raises(APIConnectionError, match="Bad status line") as caught:
            await bp.request("GET", "/x")
    # aiohttp's error for this keeps the request headers (Authorization included) in its repr.
    shown = "".join(traceback.format_exception(caught.value)) + "".join(map(repr, _error_chain(caught.value)))
    assert TOKEN not in shown


async def test_a_transport_error_never_shows_the_query_string_it_was_sent_with() -> None:
    async with garbage_server() as base_url, _client(base_url, retry=NO_RETRY) as bp:
        with pytest.raises(APIConnectionError) as caught:
            tags = {"email": "secret-pii@example.com"}
            await bp.request("GET", "/v1/chat/users", params={"tags": tags})
        with pytest.raises(APIConnectionError) as transfer:
            await bp._transport.transfer("GET", f"{base_url}/f?X-Amz-Signature=SIGSECRET")
    for error in (caught.value, transfer.value):
        shown = "".join(f"{e}{e!r}{e.args}" for e in _error_chain(error))
        assert "secret-pii" not in shown
        assert "SIGSECRET" not in shown


async def test_a_compressed_body_is_measured_by_its_decoded_size() -> None:
    import gzip

    payload = gzip.compress(b'{"a":"' + b"x" * (4 * 1024 * 1024) + b'"}')

    async def handler(_: web.Request) -> web.Response:
        return web.Response(
            body=payload, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
        )

    app = web.Application()
    app.router.add_get("/big", handler)
    async with serving(app) as base_url:
        assert len(payload) < 64 * 1024
        async with _client(base_url, retry=NO_RETRY, max_response_bytes=1024 * 1024) as bp:
            with pytest.raises(ResponseDecodeError, match="max_response_bytes"):
                await bp.request("GET", "/big")


async def test_a_refused_connection_is_an_api_connection_error_even_for_a_create() -> None:
    listener = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    listener.close()
    await listener.wait_closed()
    policy = RetryPolicy(max_attempts=2, backoff_base=0.001)
    async with _client(f"http://127.0.0.1:{port}", retry=policy) as bp:
        with pytest.raises(APIConnectionError, match="could not connect") as caught:
            await bp.request("POST", "/items", json={})
    assert caught.value.attempts == 2  # nothing reached a server: safe to try again


# -- many requests, cancelled at random -----------------------------------------------------------


async def test_2000_requests_cancelled_at_random_leave_the_client_clean_and_working(
    misbehaving: Served, caplog: pytest.LogCaptureFixture
) -> None:
    _, url = misbehaving
    rng = random.Random(7)
    outcomes: Counter[str] = Counter()
    caplog.set_level(logging.DEBUG)

    async def one(bp: Client, n: int) -> None:
        style = rng.random()
        try:
            if style < 0.3:
                async with asyncio.timeout(rng.random() * 0.01):
                    await bp.request("GET", f"/item/{n}")
            elif style < 0.6:
                task = asyncio.create_task(bp.request("GET", f"/item/{n}"))
                await asyncio.sleep(rng.random() * 0.01)
                task.cancel()
                await task
            else:
                await bp.request("GET", f"/item/{n}")
            outcomes["ok"] += 1
        except TimeoutError:
            outcomes["timeout"] += 1
        except asyncio.CancelledError:
            outcomes["cancelled"] += 1
        except BotpressError:
            outcomes["error"] += 1

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with _client(url, retry=FAST_RETRY, max_concurrency=32) as bp:
            await asyncio.gather(*(one(bp, n) for n in range(2000)))
            assert _acquired(bp) == 0
            assert bp._pool.limiter.in_flight == 0
            after = await asyncio.gather(*(bp.request("GET", f"/item/{n}") for n in range(100)))
            assert _acquired(bp) == 0
        del bp
        gc.collect()
    assert sum(outcomes.values()) == 2000
    assert outcomes["ok"] > 0 and outcomes["cancelled"] > 0 and outcomes["timeout"] > 0
    assert after == [{"id": str(n)} for n in range(100)]
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert TOKEN not in caplog.text
