"""botpress_async: an asyncio-native client for the Botpress Cloud runtime (chat) and Tables APIs.

    async with Client(token=..., bot_id=...) as bp:
        user = await bp.users.get_or_create(tags={"email": "a@example.com"})
"""

from botpress_async import errors
from botpress_async._client import Client
from botpress_async._config import ClientConfig
from botpress_async._limiter import RateLimitStats
from botpress_async._retry import DEFAULT_RETRY, NO_RETRY, RetryPolicy
from botpress_async._types import UNSET
from botpress_async._version import __version__
from botpress_async.bulk import BulkError, BulkResult, FailedRow
from botpress_async.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    BotpressError,
    ResourceNotFoundError,
    TableRowsError,
)
from botpress_async.pagination import OffsetPage, OffsetPaginator, Page, Paginator

__all__ = [
    "DEFAULT_RETRY",
    "NO_RETRY",
    "UNSET",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "BotpressError",
    "BulkError",
    "BulkResult",
    "Client",
    "ClientConfig",
    "FailedRow",
    "OffsetPage",
    "OffsetPaginator",
    "Page",
    "Paginator",
    "RateLimitStats",
    "ResourceNotFoundError",
    "RetryPolicy",
    "TableRowsError",
    "__version__",
    "errors",
]
