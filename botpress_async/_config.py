"""Client configuration: one frozen attrs class, with the official client's BP_* fallbacks.

The token is held here and nowhere else; it is excluded from ``repr`` and ``str``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs

from botpress_async._retry import DEFAULT_RETRY, RetryPolicy
from botpress_async._version import __version__

__all__ = ["DEFAULT_BASE_URL", "ClientConfig"]

DEFAULT_BASE_URL = "https://api.botpress.cloud"

# The official client's variables (src/common/config.ts): used when the argument is not given.
ENV_VARS = {
    "token": "BP_TOKEN",
    "bot_id": "BP_BOT_ID",
    "integration_id": "BP_INTEGRATION_ID",
    "workspace_id": "BP_WORKSPACE_ID",
    "base_url": "BP_API_URL",
}


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value > 0:
        raise ValueError(f"{attribute.name} must be a positive number of seconds, got {value!r}")


def _headers(value: Mapping[str, str] | None) -> dict[str, str]:
    return dict(value or {})


def _header_safe(_inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    # A value read from a file often ends with a newline: aiohttp would refuse it later, deep in a
    # request, with a bare ValueError. Refuse it here, naming the field and never showing the value.
    values = value.items() if isinstance(value, Mapping) else [(attribute.name, value)]
    for name, text in values:
        if isinstance(text, str) and any(ch in text for ch in "\r\n\x00"):
            raise ValueError(
                f"{name} contains a line break or NUL character, which cannot be sent in an HTTP header "
                "(strip the value you read from the environment or a file)"
            )


@attrs.frozen(kw_only=True)
class ClientConfig:
    """Everything a :class:`~botpress_async.Client` needs to reach the API.

    Attributes:
        token: the bearer token (personal access token or bot token). Never shown in repr.
        bot_id: sent as ``x-bot-id`` (required by the runtime and Tables APIs).
        integration_id: sent as ``x-integration-id``.
        integration_alias: sent as ``x-integration-alias``.
        workspace_id: sent as ``x-workspace-id``.
        base_url: the API root, default ``https://api.botpress.cloud``.
        timeout: seconds allowed for one attempt (connect, send and read the whole body).
        deadline: seconds allowed for the whole call, every retry and wait included; None for
            no limit beyond ``timeout × attempts``.
        retry: the :class:`RetryPolicy`.
        max_concurrency: the most requests this client (and its views) has in flight at once.
        requests_per_second: an optional cap on the request rate, shared by every task.
        adaptive_rate_limit: pace requests from the server's RateLimit-* headers when it sends them.
        pool_limit: the connection pool's total size (aiohttp ``TCPConnector(limit=)``).
        pool_limit_per_host: the pool's size per host.
        max_response_bytes: a larger response body is refused with ResponseDecodeError.
        headers: extra headers sent with every request (they win over the built-in ones).
    """

    token: str | None = attrs.field(default=None, repr=False, validator=_header_safe)
    bot_id: str | None = attrs.field(default=None, validator=_header_safe)
    integration_id: str | None = attrs.field(default=None, validator=_header_safe)
    integration_alias: str | None = attrs.field(default=None, validator=_header_safe)
    workspace_id: str | None = attrs.field(default=None, validator=_header_safe)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = attrs.field(default=60.0, validator=_positive)
    deadline: float | None = attrs.field(default=None, validator=_positive)
    retry: RetryPolicy = DEFAULT_RETRY
    max_concurrency: int = attrs.field(default=64, validator=attrs.validators.ge(1))
    requests_per_second: float | None = attrs.field(default=None, validator=_positive)
    adaptive_rate_limit: bool = True
    pool_limit: int = attrs.field(default=100, validator=attrs.validators.ge(0))
    pool_limit_per_host: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    max_response_bytes: int = 100 * 1024 * 1024
    headers: dict[str, str] = attrs.field(
        factory=dict, converter=_headers, repr=False, validator=_header_safe
    )

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    @classmethod
    def resolve(cls, environ: Mapping[str, str] | None = None, **given: Any) -> ClientConfig:
        """Build a config from the arguments given, falling back to the BP_* variables.

        Only arguments that are not None are taken; for token, bot_id, integration_id,
        workspace_id and base_url a missing argument is read from BP_TOKEN, BP_BOT_ID,
        BP_INTEGRATION_ID, BP_WORKSPACE_ID and BP_API_URL.
        """
        env = os.environ if environ is None else environ
        values = {key: value for key, value in given.items() if value is not None}
        for name, var in ENV_VARS.items():
            if name not in values and env.get(var):
                values[name] = env[var]
        return cls(**values)

    def auth_headers(self) -> dict[str, str]:
        """The headers sent with every request, as the official client sends them."""
        headers = {"User-Agent": f"botpress-async/{__version__} (python; aiohttp)"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.bot_id:
            headers["x-bot-id"] = self.bot_id
        if self.integration_id:
            headers["x-integration-id"] = self.integration_id
        if self.integration_alias:
            headers["x-integration-alias"] = self.integration_alias
        if self.workspace_id:
            headers["x-workspace-id"] = self.workspace_id
        headers.update(self.headers)
        return headers

    def __str__(self) -> str:
        return repr(self)
