"""The base of every resource: a holder of the transport, and the token-list helper (with ``pageSize``).

A resource method is a signature, a docstring and one transport call: no retries, headers, JSON
or error mapping here (those live once, in ``_transport.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from botpress_async._transport import Transport
from botpress_async._types import UNSET, Unset
from botpress_async.pagination import Page, Paginator

__all__ = ["MAX_PAGE_SIZE", "Resource"]

T = TypeVar("T")
R = TypeVar("R")

MAX_PAGE_SIZE = 100
"""The largest ``page_size`` a runtime list accepts (beyond the 1.70.2 spec: official client 1.45)."""


def _check_page_size(page_size: int | Unset) -> None:
    """Refuse a ``page_size`` the API would refuse (400 InvalidQuery), before anything is sent.

    Raises:
        ValueError: ``page_size`` is not an integer from 1 to :data:`MAX_PAGE_SIZE`.
    """
    if page_size is UNSET:
        return
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be an integer from 1 to {MAX_PAGE_SIZE}, got {page_size!r}")


class Resource:
    """A group of API operations sharing one transport."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def _list(
        self,
        path: str,
        *,
        cast: type[R],
        items: Callable[[R], list[T]],
        params: Mapping[str, Any] | None = None,
        path_params: Mapping[str, Any] | None = None,
        page_size: int | Unset = UNSET,
    ) -> Paginator[T]:
        """A paginator over a ``GET`` listing answered as ``{<items>, meta: {nextToken}}``.

        Args:
            path: the path template of the listing.
            cast: the response model (its ``meta.next_token`` is read for the next page).
            items: picks the list of items out of a structured response.
            params: the query parameters (wire names), ``nextToken`` excluded.
            path_params: values for the path template.
            page_size: items per page, 1 to :data:`MAX_PAGE_SIZE`, sent as ``pageSize`` with every
                page; UNSET sends none (the service's default, 20).

        Raises:
            ValueError: ``page_size`` out of 1 to :data:`MAX_PAGE_SIZE` (raised here: nothing is sent).
        """
        _check_page_size(page_size)
        transport = self._transport
        # The official client sends pageSize right after nextToken, before the operation's filters.
        base: dict[str, Any] = {} if page_size is UNSET else {"pageSize": page_size}
        base.update(params or {})

        async def fetch(token: str | None) -> Page[T]:
            # The official client sends nextToken first (the spec's parameter order).
            query = {"nextToken": token, **base} if token else base
            response = await transport.request("GET", path, path_params=path_params, params=query, cast=cast)
            meta = getattr(response, "meta", None)
            next_token = getattr(meta, "next_token", None) or None
            return Page(items(response), next_token, response)

        return Paginator(fetch)
