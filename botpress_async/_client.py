"""The Client: configuration, ownership of the connection pool, and the resource properties."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any

import aiohttp
import attrs

from botpress_async._config import ClientConfig
from botpress_async._limiter import RateLimitStats
from botpress_async._retry import RetryPolicy
from botpress_async._transport import Pool, Transport, warn_unclosed
from botpress_async._types import UNSET, Unset
from botpress_async.errors import ClientStateError
from botpress_async.resources import (
    Actions,
    Analytics,
    Conversations,
    Events,
    Files,
    Integrations,
    Messages,
    Observations,
    States,
    Tables,
    Tags,
    Tasks,
    Users,
    Workflows,
)

__all__ = ["Client"]


class Client:
    """An asyncio client for the Botpress runtime (chat) and Tables APIs.

    Create one per event loop and reuse it: it owns one aiohttp connection pool, created lazily
    inside the running loop on the first request. Close it with ``async with`` or
    ``await client.aclose()``.

    Args:
        token: bearer token; default ``$BP_TOKEN``. Never shown in repr, logs or errors.
        bot_id: sent as ``x-bot-id``; default ``$BP_BOT_ID``.
        integration_id: sent as ``x-integration-id``; default ``$BP_INTEGRATION_ID``.
        integration_alias: sent as ``x-integration-alias``.
        workspace_id: sent as ``x-workspace-id``; default ``$BP_WORKSPACE_ID``.
        base_url: API root; default ``$BP_API_URL``, else ``https://api.botpress.cloud``.
        timeout: seconds allowed for each attempt (default 60).
        deadline: seconds allowed for a whole call, retries and waits included (default none).
        retry: a :class:`~botpress_async.RetryPolicy` (default: 4 attempts; 429 always retried,
            502/503/504 and transport failures only for idempotent operations).
        max_concurrency: most requests in flight at once, across every task using this client
            (default 64).
        requests_per_second: optional cap on the request rate, shared by every task.
        pool_limit: connection pool size (default 100); ``pool_limit_per_host`` per host.
        max_response_bytes: larger answers raise ResponseDecodeError (default 100 MiB).
        headers: extra headers for every request.
        session: an aiohttp session you own; the client uses it and never closes it.
        environ: where the BP_* fallbacks are read (default ``os.environ``).

    Example::

        async with Client(token=..., bot_id=...) as bp:
            user = await bp.users.get("user_01H...")
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        bot_id: str | None = None,
        integration_id: str | None = None,
        integration_alias: str | None = None,
        workspace_id: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        deadline: float | None = None,
        retry: RetryPolicy | None = None,
        max_concurrency: int | None = None,
        requests_per_second: float | None = None,
        adaptive_rate_limit: bool | None = None,
        pool_limit: int | None = None,
        pool_limit_per_host: int | None = None,
        max_response_bytes: int | None = None,
        headers: Mapping[str, str] | None = None,
        session: aiohttp.ClientSession | None = None,
        environ: Mapping[str, str] | None = None,
        _clock: Callable[[], float] | None = None,
        _sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        # _clock/_sleep (monotonic seconds, and the coroutine every wait goes through) are for tests:
        # they let retry backoff, Retry-After and limiter pauses run without waiting.
        config = ClientConfig.resolve(
            environ,
            token=token,
            bot_id=bot_id,
            integration_id=integration_id,
            integration_alias=integration_alias,
            workspace_id=workspace_id,
            base_url=base_url,
            timeout=timeout,
            deadline=deadline,
            retry=retry,
            max_concurrency=max_concurrency,
            requests_per_second=requests_per_second,
            adaptive_rate_limit=adaptive_rate_limit,
            pool_limit=pool_limit,
            pool_limit_per_host=pool_limit_per_host,
            max_response_bytes=max_response_bytes,
            headers=headers,
        )
        self._init(config, Pool(config, session, clock=_clock, sleep=_sleep), parent=None)

    def _init(self, config: ClientConfig, pool: Pool, parent: Client | None) -> None:
        self._config = config
        self._pool = pool
        self._parent = parent
        self._transport = Transport(config, pool)

    @classmethod
    def from_config(cls, config: ClientConfig, *, session: aiohttp.ClientSession | None = None) -> Client:
        """A client from a ready :class:`ClientConfig` (no environment lookup)."""
        client = cls.__new__(cls)
        client._init(config, Pool(config, session), parent=None)
        return client

    @property
    def config(self) -> ClientConfig:
        """The resolved, read-only configuration."""
        return self._config

    @property
    def rate_limit_stats(self) -> RateLimitStats:
        """The client-wide limiter's counters and pace (shared with every ``with_options`` view).

        Returns:
            :class:`RateLimitStats`: 429s met, seconds waited, current pace (requests per second), the
            server's last advertised limit / remaining budget, the estimated window, the pause left.
        """
        return self._pool.limiter.stats

    @property
    def bot_id(self) -> str:
        """The bot this client acts for (``x-bot-id``), e.g. as the author of a bot's replies.

        Raises:
            ClientStateError: no bot id was given (argument or ``BP_BOT_ID``).
        """
        if not self._config.bot_id:
            raise ClientStateError("this Client has no bot_id: pass bot_id= or set BP_BOT_ID")
        return self._config.bot_id

    def with_options(
        self,
        *,
        timeout: float | None = None,
        deadline: float | Unset | None = UNSET,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Client:
        """A view of this client with other options, sharing the same connection pool and limiter.

        Use it for one call (``await bp.with_options(retry=NO_RETRY).users.get(id)``) or keep it.
        Closing the view does nothing; close the client it came from.

        Args:
            timeout: seconds per attempt.
            deadline: seconds for the whole call (None removes the deadline).
            retry: the retry policy.
            headers: headers merged over the client's extra headers.
        """
        changes: dict[str, Any] = {}
        if timeout is not None:
            changes["timeout"] = timeout
        if deadline is not UNSET:
            changes["deadline"] = deadline
        if retry is not None:
            changes["retry"] = retry
        if headers is not None:
            changes["headers"] = {**self._config.headers, **headers}
        view = Client.__new__(Client)
        view._init(attrs.evolve(self._config, **changes), self._pool, parent=self._parent or self)
        return view

    # Resources -----------------------------------------------------------------------------

    @functools.cached_property
    def users(self) -> Users:
        """Users: create, get, list, get_or_create, update, delete."""
        return Users(self._transport)

    @functools.cached_property
    def conversations(self) -> Conversations:
        """Conversations and their participants."""
        return Conversations(self._transport)

    @functools.cached_property
    def events(self) -> Events:
        """Events, including scheduled ones."""
        return Events(self._transport)

    @functools.cached_property
    def messages(self) -> Messages:
        """Messages of conversations."""
        return Messages(self._transport)

    @functools.cached_property
    def states(self) -> States:
        """States addressed by (type, id, name)."""
        return States(self._transport)

    @functools.cached_property
    def actions(self) -> Actions:
        """Call actions."""
        return Actions(self._transport)

    @functools.cached_property
    def tasks(self) -> Tasks:
        """Tasks."""
        return Tasks(self._transport)

    @functools.cached_property
    def workflows(self) -> Workflows:
        """Workflows."""
        return Workflows(self._transport)

    @functools.cached_property
    def tags(self) -> Tags:
        """Tag values."""
        return Tags(self._transport)

    @functools.cached_property
    def analytics(self) -> Analytics:
        """Analytics counters."""
        return Analytics(self._transport)

    @functools.cached_property
    def observations(self) -> Observations:
        """Observations captured for tracing (beyond the 1.70.2 spec, official client 1.45)."""
        return Observations(self._transport)

    @functools.cached_property
    def integrations(self) -> Integrations:
        """Integration configuration."""
        return Integrations(self._transport)

    @functools.cached_property
    def tables(self) -> Tables:
        """Tables, rows, find, bulk upsert."""
        return Tables(self._transport)

    @functools.cached_property
    def files(self) -> Files:
        """Files (what table import and export need)."""
        return Files(self._transport)

    # Escape hatch --------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = UNSET,
        params: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Call any API path through the same request path (headers, retries, errors).

        Args:
            method: HTTP method.
            path: the path, e.g. ``/v1/chat/users``; already percent-encoded.
            json: the JSON body (omitted: ``{}`` on POST/PUT/PATCH/DELETE).
            params: query parameters with wire (camelCase) names.
            idempotent: whether 5xx/transport failures may be retried (default by method).

        Returns:
            The decoded JSON answer (None for an empty body).

        Raises:
            APIError, APIConnectionError, APITimeoutError: as every call.
        """
        return await self._transport.request(method, path, json=json, params=params, idempotent=idempotent)

    # Lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool this client owns. Idempotent; a borrowed session stays open.

        On a ``with_options`` view this does nothing: the pool belongs to the original client.
        """
        if self._parent is None:
            await self._pool.aclose()

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` ran on the owning client."""
        return self._pool.closed

    def __repr__(self) -> str:
        c = self._config
        return f"Client(base_url={c.base_url!r}, bot_id={c.bot_id!r}, token={'***' if c.token else None})"

    __str__ = __repr__

    def __del__(self, _warn: Callable[[object], None] = warn_unclosed) -> None:
        # No async work here: only a warning when an owned pool was opened and never closed.
        try:
            pool = self._pool
            parent = self._parent
        except AttributeError:
            return
        if parent is None and pool.opened:
            _warn(self)
