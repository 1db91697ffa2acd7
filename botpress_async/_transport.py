"""THE request path: the only code in botpress_async that sends HTTP.

URL (percent-encoded path parameters, query encoded like the official client), headers, JSON body
(NaN/Infinity refused before anything is sent), the limiter slot, the attempt loop with the
retry policy, decoding, mapping errors to the catalogue classes, structuring into models.

Rules kept here and nowhere else:

- ``asyncio.CancelledError`` is never caught: only aiohttp's errors and timeouts are.
- Each response is read and released inside ``async with`` before any wait, so no connection is
  held while sleeping, and none is leaked by cancellation.
- The token only ever appears in the Authorization header: never in logs or errors.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar, overload

import aiohttp
from yarl import URL

from botpress_async import _json
from botpress_async._config import ClientConfig
from botpress_async._json import RawJSON
from botpress_async._limiter import Limiter
from botpress_async._query import encode_path, encode_query
from botpress_async._retry import IDEMPOTENT_METHODS
from botpress_async._serde import StructureError, structure
from botpress_async._types import UNSET
from botpress_async.errors import (
    CATALOGUE,
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientStateError,
    ResponseDecodeError,
    make_api_error,
)

__all__ = ["CallStats", "Pool", "Transport"]

T = TypeVar("T")

logger = logging.getLogger("botpress_async")

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# aiohttp >= 3.10 tells a timeout while connecting apart from one while waiting for the answer.
_CONNECT_TIMEOUT: tuple[type[Exception], ...] = tuple(
    cls for cls in (getattr(aiohttp, "ConnectionTimeoutError", None),) if isinstance(cls, type)
)
_JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class Pool:
    """The connection pool one Client owns (or borrows) and shares with its views.

    The aiohttp session is created lazily, inside the running loop, on first use; the loop it
    was created in is the only loop it may be used from. The pool also holds what every view
    shares: the limiter, and the clock and sleep the retry loop and the limiter wait with.

    Args:
        config: the owning client's configuration (pool sizes, limiter settings).
        session: a session the caller owns, used as it is and never closed; None to own one.
        clock: monotonic seconds; injectable so tests can run waits without waiting.
        sleep: the coroutine used for every wait (retry backoff, limiter pauses).
    """

    def __init__(
        self,
        config: ClientConfig,
        session: aiohttp.ClientSession | None,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self._config = config
        self._session = session
        self.owned = session is None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = False
        self.clock: Callable[[], float] = clock or time.monotonic
        self.sleep: Callable[[float], Awaitable[None]] = sleep or asyncio.sleep
        self.limiter = Limiter(
            config.max_concurrency,
            config.requests_per_second,
            adaptive=config.adaptive_rate_limit,
            clock=self.clock,
            sleep=self.sleep,
        )

    @property
    def opened(self) -> bool:
        """True once an owned session exists and has not been closed."""
        return self.owned and self._session is not None and not self.closed

    def _check_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise ClientStateError(
                "this Client is bound to the event loop it was first used in and cannot be used from "
                "another loop; create one Client per event loop (for example one per test)"
            )

    def session(self) -> aiohttp.ClientSession:
        """The session to use from the current loop (created on first use).

        Raises:
            ClientStateError: the client is closed, a borrowed session was closed by its owner,
                or the current event loop is not the one the client was first used in.
        """
        if self.closed:
            raise ClientStateError("this Client is closed; create a new one")
        self._check_loop()
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._config.pool_limit, limit_per_host=self._config.pool_limit_per_host
            )
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=True)
        elif self._session.closed:
            raise ClientStateError("the aiohttp session given as session= was closed by its owner")
        return self._session

    async def aclose(self) -> None:
        """Close the session if this pool owns it. Idempotent; a borrowed session stays open.

        Raises:
            ClientStateError: called from another event loop than the one the client was used in
                (its connections belong to that loop and cannot be closed from here).
        """
        if self.closed:
            return
        if self.opened:
            self._check_loop()
        self.closed = True
        if self.owned and self._session is not None and not self._session.closed:
            await self._session.close()


class CallStats:
    """What calls cost, counted by :meth:`Transport.request` for each call it is given to (``stats=``).

    Give one object to several calls (every chunk of one bulk run, say) to total them: only those
    calls are counted, never the client's other traffic.

    Attributes:
        calls: calls made with it.
        retries: attempts beyond each call's first (after 429s, 5xx answers, transport failures).
        rate_limited: 429 answers those calls met.
        waited: seconds those calls spent waiting, on the pool's clock: for a limiter slot (the
            client-wide max_concurrency, request pacing and 429 pauses) and in backoff before retries.
    """

    __slots__ = ("calls", "rate_limited", "retries", "waited")

    def __init__(self) -> None:
        self.calls = 0
        self.retries = 0
        self.rate_limited = 0
        self.waited = 0.0

    def __repr__(self) -> str:
        return (
            f"CallStats(calls={self.calls}, retries={self.retries}, rate_limited={self.rate_limited}, "
            f"waited={self.waited:.3f})"
        )


class Transport:
    """Sends requests for one Client (or view): its config, retry policy and shared pool."""

    def __init__(self, config: ClientConfig, pool: Pool) -> None:
        self.config = config
        self.pool = pool
        self._base = config.base_url
        self._headers = config.auth_headers()
        self._json_headers = {**_JSON_HEADERS, **self._headers}
        self._timeout = aiohttp.ClientTimeout(total=config.timeout)

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, Any] | None = ...,
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        cast: type[T],
        idempotent: bool | None = ...,
        stats: CallStats | None = ...,
    ) -> T: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, Any] | None = ...,
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        cast: None = ...,
        idempotent: bool | None = ...,
        stats: CallStats | None = ...,
    ) -> Any: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = UNSET,
        cast: type[T] | None = None,
        idempotent: bool | None = None,
        stats: CallStats | None = None,
    ) -> T | Any:
        """Send one API call, with retries, and return its decoded (and structured) answer.

        Args:
            method: HTTP method, upper case.
            path: the path template, e.g. ``/v1/chat/users/{id}``.
            path_params: values for the template's placeholders (percent-encoded here).
            params: query parameters with wire (camelCase) names; None values are omitted.
            json: the JSON body; UNSET sends ``{}`` on POST/PUT/PATCH/DELETE like the official
                client, and nothing on GET; a :class:`~botpress_async._json.RawJSON` is sent as it is
                (already encoded, NaN already refused).
            cast: the model to structure the answer into; None returns the decoded JSON.
            idempotent: whether the call may be retried after a 5xx, a reset or a timeout;
                default: True for GET, PUT, DELETE.
            stats: a :class:`CallStats` this call adds its retries, 429s and waits to.

        Raises:
            ValueError: the body holds NaN or Infinity, or a path parameter is empty (nothing sent).
            APIError: the API answered with an error (the catalogue subclass for its type).
            ResponseDecodeError: the answer could not be decoded into what was expected.
            APIConnectionError, APITimeoutError: the request could not complete in time.
        """
        method = method.upper()
        url_path = encode_path(path, path_params)
        query = encode_query(params)
        url = URL(self._base + url_path + ("?" + query if query else ""), encoded=True)
        if json is UNSET:
            data = b"{}" if method in _BODY_METHODS else None
        elif json.__class__ is RawJSON:
            data = json.data
        else:
            data = _dump(json, method, url_path)
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        decoded = await self._send(method, url, url_path, data, idempotent, stats=stats)
        if cast is None:
            return decoded
        return _structure(decoded, cast, method, url_path)

    async def transfer(
        self,
        method: str,
        url: str,
        *,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> bytes:
        """Send one request to a presigned transfer URL (file upload or download) and return the bytes.

        The API's headers (Authorization included) are NOT sent: the URL's signature authorizes it.
        The URL's query string (the signature) never appears in logs or errors. Bytes (or no body)
        are retried like any idempotent call; a streamed body is sent once, since it cannot be rewound.

        Args:
            method: ``PUT`` (upload) or ``GET`` (download).
            url: the absolute presigned URL the API returned.
            data: bytes, or an async iterable / file object aiohttp can stream.
            headers: the transfer's own headers (e.g. ``Content-Type``).

        Raises:
            APIError: the storage answered an error status (the raw text attached).
            APIConnectionError, APITimeoutError: the transfer could not complete.
        """
        method = method.upper()
        target = URL(url, encoded=True)
        path = str(target.with_query(None))
        resendable = data is None or isinstance(data, (bytes, bytearray))
        body: bytes = await self._send(
            method, target, path, data, idempotent=resendable and method in IDEMPOTENT_METHODS,
            headers=dict(headers or {}), raw=True, single_attempt=not resendable,
        )
        return body

    async def _send(
        self,
        method: str,
        url: URL,
        path: str,
        data: Any,
        idempotent: bool,
        *,
        headers: Mapping[str, str] | None = None,
        raw: bool = False,
        single_attempt: bool = False,
        stats: CallStats | None = None,
    ) -> Any:
        session = self.pool.session()
        limiter = self.pool.limiter
        clock = self.pool.clock
        policy = self.config.retry
        if headers is None:
            headers = self._json_headers if data is not None else self._headers
        deadline = self.config.deadline
        started = clock()
        waits = None
        attempt = 0
        # Whether an earlier attempt may have been acted on (it left, and was not refused with a 4xx).
        maybe_applied = False
        if stats is not None:
            stats.calls += 1
        while True:
            attempt += 1
            timeout = self._timeout
            remaining: float | None = None
            if deadline is not None:
                remaining = deadline - (clock() - started)
                if remaining <= 0:
                    raise APITimeoutError(
                        f"deadline of {deadline:g}s exceeded", method=method, path=path, attempts=attempt - 1,
                        request_sent=maybe_applied,
                    )
                if remaining < self.config.timeout:
                    timeout = aiohttp.ClientTimeout(total=remaining)
            queued = clock() if stats is not None else 0.0
            if remaining is None:
                await limiter.acquire()
            else:
                await _acquire(limiter, remaining, method, path, attempt - 1, maybe_applied)
            if stats is not None:
                stats.waited += clock() - queued
            retry_error: BaseException | None = None
            retryable = False
            # Whether this attempt may have been acted on by the service.
            sent = True
            status = 0
            resp_headers: Mapping[str, str] = {}
            body = b""
            t0 = clock()
            try:
                status, resp_headers, body = await self._attempt(session, method, url, headers, data, timeout)
            except _TooBig as exc:
                _log(method, path, exc.status, attempt, clock() - t0)
                raise ResponseDecodeError(
                    f"response body of at least {exc.size} bytes exceeds max_response_bytes="
                    f"{self.config.max_response_bytes}",
                    status=exc.status, method=method, path=path, attempts=attempt, headers=exc.headers,
                ) from None
            except _CONNECT_TIMEOUT as exc:
                # Raised while connecting: the request never left, so any method may be sent again.
                retry_error = APITimeoutError(
                    f"could not connect to {_origin(url)} within {timeout.total:g}s",
                    method=method, path=path, attempts=attempt,
                )
                retry_error.__cause__ = _safe_cause(exc)
                sent = False
                retryable = policy.should_retry_transport(idempotent=idempotent, connect_failed=True)
            except TimeoutError:
                retry_error = APITimeoutError(
                    f"no complete answer within {timeout.total:g}s",
                    method=method, path=path, attempts=attempt,
                )
                retryable = policy.should_retry_transport(idempotent=idempotent, connect_failed=False)
            except aiohttp.ClientConnectorError as exc:
                retry_error = APIConnectionError(
                    f"could not connect to {_origin(url)}: {exc.os_error or exc}",
                    method=method, path=path, attempts=attempt,
                )
                retry_error.__cause__ = _safe_cause(exc)
                sent = False
                retryable = policy.should_retry_transport(idempotent=idempotent, connect_failed=True)
            except aiohttp.ClientError as exc:
                retry_error = APIConnectionError(
                    f"connection failed: {_describe(exc, url)}", method=method, path=path, attempts=attempt,
                )
                retry_error.__cause__ = _safe_cause(exc)
                sent = not _request_not_sent(exc)
                retryable = policy.should_retry_transport(idempotent=idempotent, connect_failed=not sent)
            finally:
                limiter.release()
            _log(method, path, status, attempt, clock() - t0)
            server_wait: float | None = None
            if retry_error is None:
                if status >= 400:  # a success's RateLimit-* headers are read by the limiter itself
                    server_wait = policy.server_wait(resp_headers)
                limiter.observe(status, resp_headers, server_wait)
                if status == 429 and stats is not None:
                    stats.rate_limited += 1
                if status < 400:
                    if raw:
                        return body
                    return self._decode_ok(status, resp_headers, body, method, path, attempt)
                retry_error = make_api_error(
                    status,
                    body.decode("utf-8", "replace"),
                    method=method,
                    path=path,
                    attempts=attempt,
                    headers=resp_headers,
                )
                # A 4xx answer (429 included) proves the service did not act on the request.
                sent = status >= 500
                retryable = policy.should_retry_status(status, idempotent=idempotent)
            maybe_applied = maybe_applied or sent
            if isinstance(retry_error, APIConnectionError):
                retry_error.request_sent = maybe_applied
            if not retryable or single_attempt or attempt >= policy.max_attempts:
                raise retry_error
            if waits is None:
                waits = policy.waits()
            wait = server_wait if server_wait is not None else next(waits)
            if deadline is not None and (clock() - started) + wait >= deadline:
                raise retry_error
            logger.info(
                "retrying %s %s after %s (attempt %d of %d) in %.2fs",
                method, path, _reason(retry_error), attempt, policy.max_attempts, wait,
            )
            if stats is not None:
                stats.retries += 1
                stats.waited += wait
            await self.pool.sleep(wait)

    async def _attempt(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: URL,
        headers: Mapping[str, str],
        data: Any,
        client_timeout: aiohttp.ClientTimeout,
    ) -> tuple[int, Mapping[str, str], bytes]:
        limit = self.config.max_response_bytes
        async with session.request(
            method, url, data=data, headers=headers, timeout=client_timeout, allow_redirects=False
        ) as resp:
            # Content-Length counts the bytes on the wire: for a compressed body it says nothing
            # about the decoded size, so such bodies are counted as they are inflated.
            length = None if resp.headers.get("Content-Encoding") else resp.content_length
            if length is not None and length > limit:
                raise _TooBig(resp.status, resp.headers, length)
            if length is not None:
                body = await resp.read()
            else:
                chunks = []
                size = 0
                async for chunk in resp.content.iter_chunked(65536):
                    size += len(chunk)
                    if size > limit:
                        raise _TooBig(resp.status, resp.headers, size)
                    chunks.append(chunk)
                body = b"".join(chunks)
            return resp.status, resp.headers, body

    def _decode_ok(
        self, status: int, headers: Mapping[str, str], body: bytes, method: str, path: str, attempt: int
    ) -> Any:
        if not body:
            return None
        try:
            decoded = _json.loads(body)
        except ValueError as exc:
            raise ResponseDecodeError(
                f"HTTP {status} answer is not valid JSON: {exc}",
                status=status, method=method, path=path, attempts=attempt, headers=headers,
                raw=body[:2000].decode("utf-8", "replace"),
            ) from None
        if isinstance(decoded, dict) and _looks_like_error(decoded):
            # Some proxies answer 200 with the service's error body: it is still an error.
            code = decoded.get("code")
            raise make_api_error(
                code if isinstance(code, int) and code >= 400 else 500,
                body.decode("utf-8", "replace"),
                method=method, path=path, attempts=attempt, headers=headers,
            )
        return decoded


class _TooBig(Exception):
    """Raised inside ``async with`` so the oversized response is dropped, not pooled."""

    def __init__(self, status: int, headers: Mapping[str, str], size: int) -> None:
        self.status = status
        self.headers = headers
        self.size = size


def _safe_cause(exc: BaseException) -> BaseException | None:
    """The aiohttp error to chain to ours, unless it holds the headers we sent.

    ``ClientResponseError`` (a malformed status line or headers, a bad content type) keeps the
    request's ``RequestInfo``, whose repr shows the Authorization header: our message already
    carries its status and text, so it is not chained.
    """
    return None if isinstance(exc, (aiohttp.ClientResponseError, aiohttp.InvalidURL)) else exc


def _describe(exc: aiohttp.ClientError, url: URL) -> str:
    """A transport error as text without the request's query string.

    aiohttp's messages may embed the full URL, whose query can hold a presigned signature or user
    data (``tags.email=…``); errors name the method and path only.
    """
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"{type(exc).__name__}: {exc.status} {exc.message}"
    if isinstance(exc, aiohttp.InvalidURL):
        return type(exc).__name__
    text = str(exc)
    if url.raw_query_string:
        text = text.replace(url.raw_query_string, "…").replace(url.query_string, "…")
    return f"{type(exc).__name__}: {text}"


def _request_not_sent(exc: aiohttp.ClientError) -> bool:
    """True when aiohttp could not write the request itself, so no server can have acted on it.

    The usual cause: a pooled keep-alive connection the server closed while it sat idle, noticed
    only once the request is being written. The body never arrived whole, and an HTTP server does
    not act on an incomplete request, so even a create may be sent again on a fresh connection.
    """
    return isinstance(exc, aiohttp.ClientOSError) and str(exc.strerror or "").startswith(
        "Can not write request body"
    )



def _looks_like_error(body: dict[str, Any]) -> bool:
    return (
        isinstance(body.get("type"), str)
        and body["type"] in CATALOGUE
        and isinstance(body.get("message"), str)
        and isinstance(body.get("code"), int)
        and body["code"] >= 400
        and len(body) <= 8
    )


def _dump(value: Any, method: str, path: str) -> bytes:
    try:
        return _json.dumps(value)
    except ValueError as exc:
        raise ValueError(
            f"the body of {method} {path} holds NaN or Infinity, which JSON cannot carry: nothing was sent"
        ) from exc
    except TypeError as exc:
        raise TypeError(f"the body of {method} {path} is not JSON-serializable: {exc}") from exc


def _structure(decoded: Any, cast: type[T], method: str, path: str) -> T:
    if not isinstance(decoded, dict):
        raise ResponseDecodeError(
            f"expected a JSON object from {method} {path}, got {type(decoded).__name__}",
            status=200, method=method, path=path, body=decoded,
        )
    try:
        result: T = structure(decoded, cast)
    except StructureError as exc:
        raise ResponseDecodeError(
            f"unexpected answer shape from {method} {path}: {exc}",
            status=200, method=method, path=path, body=decoded,
        ) from None
    return result


def _origin(url: URL) -> str:
    """``scheme://host:port`` of a URL, to name the server in connection errors (no path, no query)."""
    return f"{url.scheme}://{url.host}:{url.port}" if url.host else str(url.with_query(None))


def _reason(error: BaseException) -> str:
    if isinstance(error, APIError):
        return f"{error.status} {error.type}"
    return type(error).__name__


async def _acquire(
    limiter: Limiter, remaining: float, method: str, path: str, attempts: int, request_sent: bool
) -> None:
    """Take a limiter slot, waiting no longer than what is left of the deadline."""
    try:
        async with asyncio.timeout(remaining):
            await limiter.acquire()
    except TimeoutError:
        raise APITimeoutError(
            "deadline exceeded while waiting for a free slot (max_concurrency, rate limit or 429 pause)",
            method=method, path=path, attempts=attempts, request_sent=request_sent,
        ) from None


def _log(method: str, path: str, status: int, attempt: int, seconds: float) -> None:
    # Method, path (never the query string) and outcome only: no header we sent is ever logged.
    if logger.isEnabledFor(logging.DEBUG):
        duration_ms = round(seconds * 1000, 1)
        logger.debug(
            "%s %s -> %s attempt=%d %.1fms",
            method, path, status or "no answer", attempt, duration_ms,
            extra={"method": method, "path": path, "status": status, "attempt": attempt,
                   "duration_ms": duration_ms},
        )


def warn_unclosed(owner: object) -> None:
    """Emit the ResourceWarning of a client garbage-collected with its pool still open."""
    warnings.warn(
        f"{type(owner).__name__} was never closed: use `async with Client(...)` or `await client.aclose()`",
        ResourceWarning,
        stacklevel=2,
        source=owner,
    )
