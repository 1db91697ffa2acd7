"""Paginators: every list method returns one.

``await paginator`` gives the first page; ``async for item in paginator`` yields every item of
every page, fetching a page only when the previous one is used up (memory stays at one page);
``paginator.pages()`` yields pages; ``await paginator.collect(limit=None)`` gathers items.

Two kinds, one interface:

- :class:`Paginator`: the runtime API's ``nextToken`` pages. A missing or empty token ends the
  listing; a token the server already handed out raises :class:`PaginationLoopError` instead of
  looping forever.
- :class:`OffsetPaginator`: ``findTableRows``'s ``offset``/``limit``/``hasMore`` pages.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Sequence
from contextlib import aclosing
from typing import Any, Generic, Protocol, TypeVar

import attrs

from botpress_async.errors import PaginationLoopError

__all__ = ["OffsetPage", "OffsetPaginator", "Page", "Paginator"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class _ItemsPage(Protocol[T_co]):
    """What :class:`_Listing` needs of a page: its items, in order."""

    @property
    def items(self) -> Sequence[T_co]: ...


class _Listing(ABC, Generic[T]):
    """The item-level half of a paginator: iteration and ``collect`` over the pages of :meth:`pages`."""

    @abstractmethod
    def pages(self) -> AsyncGenerator[_ItemsPage[T], None]:
        """Yield each page in turn, starting from the first."""

    async def __aiter__(self) -> AsyncGenerator[T, None]:
        async with aclosing(self.pages()) as pages:
            async for page in pages:
                for item in page.items:
                    yield item

    async def collect(self, limit: int | None = None) -> list[T]:
        """Every item (or the first ``limit``), fetching no page beyond what ``limit`` needs."""
        out: list[T] = []
        if limit is not None and limit <= 0:
            return out
        async with aclosing(self.__aiter__()) as items:
            async for item in items:
                out.append(item)
                if limit is not None and len(out) >= limit:
                    break
        return out


@attrs.frozen
class Page(Generic[T]):
    """One page of a token-paginated listing.

    Attributes:
        items: the items of this page.
        next_token: the token of the next page, or None on the last page.
        response: the whole structured response (for fields beside the items).
    """

    items: list[T]
    next_token: str | None
    response: Any = attrs.field(default=None, repr=False, eq=False)

    @property
    def has_more(self) -> bool:
        """True when another page follows."""
        return bool(self.next_token)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Any:
        return iter(self.items)


class Paginator(_Listing[T]):
    """A lazy listing over ``nextToken`` pages. Awaitable (first page) and async-iterable (items).

    Args:
        fetch: a coroutine function taking the page token (None for the first page) and
            returning the :class:`Page`.
    """

    def __init__(self, fetch: Callable[[str | None], Awaitable[Page[T]]]) -> None:
        self._fetch = fetch

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self._fetch(None).__await__()

    async def pages(self) -> AsyncGenerator[Page[T], None]:
        """Yield each page in turn, starting from the first."""
        seen: set[str] = set()
        token: str | None = None
        while True:
            page = await self._fetch(token)
            yield page
            token = page.next_token
            if not token:
                return
            if token in seen:
                raise PaginationLoopError(
                    f"the server returned page token {token[:40]!r} a second time; stopping to avoid a loop"
                )
            seen.add(token)


@attrs.frozen
class OffsetPage(Generic[T]):
    """One page of rows from ``findTableRows``.

    Attributes:
        rows: the rows of this page.
        has_more: True when rows follow this page.
        offset: the offset this page starts at.
        limit: the page size asked for.
        warnings: the server's warnings for this query.
        response: the whole structured response.
    """

    rows: list[T]
    has_more: bool
    offset: int
    limit: int
    warnings: list[str] = attrs.field(factory=list)
    response: Any = attrs.field(default=None, repr=False, eq=False)

    @property
    def items(self) -> list[T]:
        """The rows (the same name as :class:`Page` has)."""
        return self.rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Any:
        return iter(self.rows)


class OffsetPaginator(_Listing[T]):
    """A lazy listing over ``offset``/``limit``/``hasMore`` pages.

    Args:
        fetch: a coroutine function taking ``(offset, limit)`` and returning an :class:`OffsetPage`.
        offset: where the first page starts.
        limit: the page size (the API allows 1 to 1000).
    """

    def __init__(
        self, fetch: Callable[[int, int], Awaitable[OffsetPage[T]]], *, offset: int = 0, limit: int = 100
    ) -> None:
        self._fetch = fetch
        self._offset = offset
        self._limit = limit

    def __await__(self) -> Generator[Any, None, OffsetPage[T]]:
        return self._fetch(self._offset, self._limit).__await__()

    async def pages(self) -> AsyncGenerator[OffsetPage[T], None]:
        """Yield each page in turn, until one says it has no more rows (or is empty)."""
        offset = self._offset
        while True:
            page = await self._fetch(offset, self._limit)
            yield page
            if not page.has_more or not page.rows:
                return
            offset += len(page.rows)
