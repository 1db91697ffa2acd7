"""The base of every resource: a holder of the transport, and the token-list helper.

A resource method is a signature, a docstring and one transport call: no retries, headers, JSON
or error mapping here (those live once, in ``_transport.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from botpress_async._transport import Transport
from botpress_async.pagination import Page, Paginator

__all__ = ["Resource"]

T = TypeVar("T")
R = TypeVar("R")


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
    ) -> Paginator[T]:
        """A paginator over a ``GET`` listing answered as ``{<items>, meta: {nextToken}}``.

        Args:
            path: the path template of the listing.
            cast: the response model (its ``meta.next_token`` is read for the next page).
            items: picks the list of items out of a structured response.
            params: the query parameters (wire names), ``nextToken`` excluded.
            path_params: values for the path template.
        """
        transport = self._transport
        base = dict(params or {})

        async def fetch(token: str | None) -> Page[T]:
            # The official client sends nextToken first (the spec's parameter order).
            query = {"nextToken": token, **base} if token else base
            response = await transport.request("GET", path, path_params=path_params, params=query, cast=cast)
            meta = getattr(response, "meta", None)
            next_token = getattr(meta, "next_token", None) or None
            return Page(items(response), next_token, response)

        return Paginator(fetch)
