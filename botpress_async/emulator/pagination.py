"""Keyset pagination for the runtime list endpoints: 20 items a page, opaque ``nextToken``.

A token is standard base64 (so it may contain ``+``, ``/`` and ``=``) of a small JSON cursor: the sort
field and direction it was made for, plus the last item's sort value and id. The next page starts strictly
after that ``(sort value, id)`` pair, so rows inserted meanwhile never shift or repeat the pages that
follow. A token that does not decode, or was made for another sort, is 400 InvalidQuery.
"""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from collections.abc import Sequence
from typing import Any, Literal

from botpress_async.emulator._errors import EmulatorError
from botpress_async.emulator._json import dumps

__all__ = ["PAGE_SIZE", "decode_token", "encode_token", "fetch_page"]

#: Items per page (the service's default page size).
PAGE_SIZE = 20

Direction = Literal["asc", "desc"]


def encode_token(sort_field: str, direction: Direction, value: Any, id: str) -> str:
    """The ``nextToken`` for the page after the item ``(value, id)``."""
    cursor = {"f": sort_field, "d": direction, "v": value, "i": id}
    return base64.b64encode(dumps(cursor).encode("utf-8")).decode("ascii")


def decode_token(token: str, sort_field: str, direction: Direction) -> tuple[Any, str]:
    """``(sort value, id)`` from a ``nextToken``.

    Raises:
        EmulatorError: InvalidQuery when the token is malformed or was made for another sort.
    """
    try:
        cursor = json.loads(base64.b64decode(token.encode("ascii"), validate=True))
    except (UnicodeError, binascii.Error, ValueError):
        raise EmulatorError("InvalidQuery", "query.nextToken: not a token this endpoint issued") from None
    if (
        not isinstance(cursor, dict)
        or not isinstance(cursor.get("i"), str)
        or not isinstance(cursor.get("v"), int | str)
        or isinstance(cursor.get("v"), bool)
    ):
        raise EmulatorError("InvalidQuery", "query.nextToken: not a token this endpoint issued")
    if cursor.get("f") != sort_field or cursor.get("d") != direction:
        raise EmulatorError(
            "InvalidQuery", "query.nextToken: made for another sortField/sortDirection than this request's"
        )
    return cursor["v"], cursor["i"]


def fetch_page(
    db: sqlite3.Connection,
    *,
    select: str,
    source: str,
    where: Sequence[str],
    params: Sequence[Any],
    sort_column: str,
    id_column: str,
    sort_field: str,
    direction: Direction,
    next_token: str | None,
    page_size: int = PAGE_SIZE,
) -> tuple[list[sqlite3.Row], str | None]:
    """One page of ``SELECT select FROM source WHERE where...`` in ``(sort_column, id_column)`` order.

    Args:
        db: the connection.
        select: the column list to return.
        source: the FROM clause (tables and joins).
        where: SQL conditions, ANDed; ``params`` fills their ``?`` in order.
        params: parameters of ``where``.
        sort_column, id_column: SQL expressions of the keyset (the id breaks ties).
        sort_field: the wire name of the sort (bound into the token).
        direction: ``"desc"`` (newest first) or ``"asc"``.
        next_token: the token from the previous page, if any.
        page_size: items per page.

    Returns:
        The rows of this page and the token of the next one (None on the last page).

    Raises:
        EmulatorError: InvalidQuery for a bad ``next_token``.
    """
    conditions = list(where)
    values = list(params)
    if next_token is not None:
        value, last_id = decode_token(next_token, sort_field, direction)
        comparison = "<" if direction == "desc" else ">"
        conditions.append(f"({sort_column}, {id_column}) {comparison} (?, ?)")
        values += [value, last_id]
    order = "DESC" if direction == "desc" else "ASC"
    sql = (
        f"SELECT {select}, {sort_column} AS _sort, {id_column} AS _id FROM {source}"
        f" WHERE {' AND '.join(conditions) or '1'}"
        f" ORDER BY {sort_column} {order}, {id_column} {order} LIMIT ?"
    )
    rows = db.execute(sql, [*values, page_size + 1]).fetchall()
    if len(rows) <= page_size:
        return rows, None
    last = rows[page_size - 1]
    return rows[:page_size], encode_token(sort_field, direction, last["_sort"], last["_id"])
