"""Botpress Tables: tables, their rows, find/group/search, jobs, and bulk writes of any size.

Each method is one call through the transport, after local checks that refuse, with a ValueError and
nothing sent, what the API would refuse anyway (more than 1000 rows in one call, a row id outside
1..2147483647, NaN or Infinity, a search longer than 1024 UTF-16 code units). The bulk methods hand
their rows to the route-agnostic engine in ``botpress_async.bulk``, with this API's limits (rows per
call, bytes of a body around its rows) and one operation per route.
"""

from __future__ import annotations

import builtins
import itertools
import operator
from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar

import attrs

from botpress_async._json import RawJSON, dumps
from botpress_async._serde import body, query, to_wire
from botpress_async._transport import CallStats, Transport
from botpress_async._types import UNSET, Tags, Unset
from botpress_async.bulk import (
    DEFAULT_MAX_BYTES,
    BulkOperation,
    BulkResult,
    ChunkItems,
    ChunkReply,
    attribute_errors,
    run_bulk,
)
from botpress_async.errors import TableRowsError
from botpress_async.models import (
    CreateTableResponse,
    CreateTableRowsResponse,
    DeleteTableRowsResponse,
    DuplicateTableResponse,
    ExportTableResponse,
    FindTableRowsResponse,
    GetOrCreateTableResponse,
    GetTableJobsResponse,
    GetTableResponse,
    GetTableRowResponse,
    ImportTableResponse,
    ListTablesResponse,
    RenameTableColumnResponse,
    Row,
    Table,
    TableJob,
    UpdateTableResponse,
    UpdateTableRowsResponse,
    UpsertTableRowsResponse,
)
from botpress_async.models.rows import WireRows, columns
from botpress_async.pagination import OffsetPage, OffsetPaginator
from botpress_async.resources._base import Resource

__all__ = ["MAX_ROWS_PER_CALL", "MAX_ROW_ID", "Tables", "check_row_id"]

_TABLES = "/v1/tables"
_TABLE = "/v1/tables/{table}"
_DUPLICATE = "/v1/tables/{sourceTableId}/duplicate"
_EXPORT = "/v1/tables/{table}/export"
_JOBS = "/v1/tables/{table}/jobs"
_IMPORT = "/v1/tables/{table}/import"
_COLUMN = "/v1/tables/{table}/column"
_ROW = "/v1/tables/{table}/row"
_ROWS = "/v1/tables/{table}/rows"
_FIND = "/v1/tables/{table}/rows/find"
_UPSERT = "/v1/tables/{table}/rows/upsert"
_DELETE = "/v1/tables/{table}/rows/delete"

#: The most rows (or ids) one row call accepts.
MAX_ROWS_PER_CALL = 1000
#: The longest ``search``, in UTF-16 code units (the API counts JavaScript string length).
MAX_SEARCH_LENGTH = 1024
#: Bytes of JSON a row may hold per unit of the table's ``factor``.
ROW_BYTES_PER_FACTOR = 4096
#: The largest row id the Tables API accepts (a signed 32-bit integer).
MAX_ROW_ID = 2_147_483_647
# Bytes of a bulk chunk's body around its rows: ``{"rows":[`` … ``],"keyColumn":"<30 chars>"}`` at
# most (a key column name is 1..30 characters; ``{"ids":[`` … ``]}`` for bulk_delete is shorter).
_BULK_BODY_OVERHEAD = 96

_WriteResponse = TypeVar("_WriteResponse", CreateTableRowsResponse, UpdateTableRowsResponse)

Rows = Iterable[Mapping[str, Any]]
"""Rows to write: mappings of column name to value (Row objects included)."""


def check_row_id(value: Any, what: str = "row id") -> int:
    """Return ``value`` if it is a Tables row id: an int (not a bool) in 1..2147483647.

    Raises:
        ValueError: anything else (nothing is sent).
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be an int in 1..{MAX_ROW_ID}, got {type(value).__name__} {value!r}")
    if not 1 <= value <= MAX_ROW_ID:
        raise ValueError(f"{what} must be in 1..{MAX_ROW_ID}, got {value}")
    return value


def _rows(rows: Iterable[Any], operation: str, *, need_id: bool) -> list[dict[str, Any]]:
    """The wire form of 1..1000 rows, checked; raises ValueError/TypeError with nothing sent."""
    if isinstance(rows, (str, bytes, Mapping)):
        raise TypeError(f"{operation}: rows must be a list of rows, not a single {type(rows).__name__}")
    taken = list(itertools.islice(rows, MAX_ROWS_PER_CALL + 1))
    if len(taken) > MAX_ROWS_PER_CALL:
        raise ValueError(
            f"{operation} takes at most {MAX_ROWS_PER_CALL} rows per call (got more): use "
            "bp.tables.bulk_upsert / bulk_create, which chunk, send concurrently and report every row"
        )
    if not taken:
        raise ValueError(f"{operation} needs at least one row")
    return [_row(row, position, need_id=need_id) for position, row in enumerate(taken)]


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _row(row: Any, position: int | None, *, need_id: bool) -> dict[str, Any]:
    """The wire form of one row; checks its id (required or optional)."""
    what = "row" if position is None else f"row {position}"
    cls = row.__class__
    if cls is Row or (cls is dict and _JSON_SCALARS.issuperset(map(type, row.values()))):
        wire = dict(row)  # already its wire form (what to_wire would give): a copy, not a walk
    else:
        if not isinstance(row, Mapping) and not hasattr(row, "__attrs_attrs__"):
            raise TypeError(f"{what} must be a mapping of column name to value, got {type(row).__name__}")
        wire = to_wire(row)
        if not isinstance(wire, dict):
            raise TypeError(f"{what} must be a mapping of column name to value")
    if "id" in wire and (need_id or wire["id"] is not None):
        check_row_id(wire["id"], f"{what}: id")
    elif need_id:
        raise ValueError(f"{what} has no 'id': updating a row needs its id (an int in 1..2147483647)")
    return wire


def _bulk_row(row: Any) -> dict[str, Any]:
    """The wire form of one row of a bulk write (``_row`` without a position), plain dicts inline."""
    if row.__class__ is dict and _JSON_SCALARS.issuperset(map(type, row.values())):
        wire = row.copy()
        if wire.get("id") is not None:
            check_row_id(wire["id"], "row: id")
        return wire
    return _row(row, None, need_id=False)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _raise_on_errors(response: Any, rows: list[Row], operation: str) -> None:
    errors: list[str] = response.errors or []
    if errors:
        shown = "; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")
        raise TableRowsError(
            f"{operation}: {len(errors)} row error(s), {len(rows)} row(s) written: {shown}",
            errors=errors,
            warnings=response.warnings or [],
            rows=rows,
            response=response,
        )


class Tables(Resource):
    """Botpress Tables: tables, rows, find, group, search, import/export jobs and bulk writes.

    ``table`` arguments take a table's name (``"airportsTable"``) or its id (``"table_..."``);
    :meth:`create` takes ``name`` instead, since no table exists yet to refer to (it is the ``name`` of
    the API's body).

    What a method returns is the simplest value that carries the API's whole answer:

    - the answer is one object and nothing else: that object (``create``, ``rename_column`` →
      :class:`Table`; ``get_row`` → :class:`Row`; ``export``, ``import_`` → :class:`TableJob`);
    - the answer is one list (not paginated) or one count: that list or int (``list`` →
      ``list[Table]``, ``jobs`` → ``list[TableJob]``, ``delete_rows`` → ``int``);
    - the answer carries more than the table (row counts, ``created``, ``stale_columns``): the
      response model, with the :class:`Table` in ``.table`` (``get`` → :class:`GetTableResponse`,
      ``get_or_create`` → :class:`GetOrCreateTableResponse`, ``duplicate`` →
      :class:`DuplicateTableResponse`, ``update`` → :class:`UpdateTableResponse`), for example
      ``info = await bp.tables.get("airportsTable"); info.table.key_column, info.rows``;
    - row writes return their response model (rows written, ``warnings``, ``errors``), bulk writes
      a :class:`~botpress_async.bulk.BulkResult`, ``find_rows`` a paginator.
    """

    # -- tables -----------------------------------------------------------------------------------

    async def list(self, *, tags: Tags | Unset = UNSET) -> list[Table]:
        """List the bot's tables, all of them in one call.

        The API does not paginate this route (no ``nextToken``): the whole list comes in one answer,
        so this returns a plain list rather than a paginator.

        Args:
            tags: only tables having all these tags (``{key: value}``).

        Returns:
            ``list[Table]``: every table of the bot (having ``tags``, when given).

        Raises:
            APIError: an error answer; APIConnectionError: the request could not complete.

        API: ``GET /v1/tables``
        """
        response = await self._transport.request(
            "GET", _TABLES, params=query(tags=tags), cast=ListTablesResponse
        )
        return response.tables

    async def get(self, table: str) -> GetTableResponse:
        """Fetch a table and its row counts.

        Args:
            table: the table's name or id.

        Returns:
            A :class:`GetTableResponse`, not the bare :class:`Table`, because the answer also carries
            counts: ``.table`` (the :class:`Table`), ``.rows`` (row count), ``.stale`` (rows awaiting
            recomputation of computed columns) and ``.indexing`` (rows awaiting search indexing).
            For example ``info = await bp.tables.get("airportsTable"); info.table.factor, info.rows``.

        Raises:
            ResourceNotFoundError: no such table; APIError, APIConnectionError: as any call.

        API: ``GET /v1/tables/{table}``
        """
        return await self._transport.request(
            "GET", _TABLE, path_params={"table": table}, cast=GetTableResponse
        )

    async def get_or_create(
        self,
        table: str,
        *,
        schema: Mapping[str, Any],
        factor: int | Unset = UNSET,
        frozen: bool | Unset = UNSET,
        key_column: str | Unset | None = UNSET,
        tags: Tags | Unset = UNSET,
        is_compute_enabled: bool | Unset = UNSET,
    ) -> GetOrCreateTableResponse:
        """Return the table named ``table``, creating it with these settings if it does not exist.

        An existing table is returned as it is: its schema and settings are not changed, even when
        ``schema`` lists columns it lacks (rows written with those columns then lose their values,
        with a warning). To detect that, compare ``columns(result.table)``
        (:func:`botpress_async.models.columns`) with the columns you need; :meth:`update` with a
        ``schema`` patch adds missing ones. Safe to retry (it is idempotent by name).

        Args:
            table: the table's name (letters, digits, ``_``; ending in ``Table``).
            schema: the JSON schema of the columns (see :func:`botpress_async.models.table_schema`), or
                an example row whose values give the column types.
            factor: storage factor 1..30: each row may hold 4 KB × factor of JSON (default 1).
            frozen: forbid later changes to the name and schema.
            key_column: a column whose values must be unique (the default upsert key); None is sent
                as null (no key column); UNSET (the default) sends nothing.
            tags: the table's tags.
            is_compute_enabled: enable computed columns.

        Returns:
            A :class:`GetOrCreateTableResponse` (not the bare :class:`Table`: the answer also says
            whether it was created, and the counts): ``.table``, ``.created`` (True when this call
            created it), ``.rows``, ``.stale``, ``.indexing`` (as in :meth:`get`).

        Raises:
            InvalidPayloadError, InvalidJsonSchemaError: a bad name or schema; APIError,
            APIConnectionError: as any call.

        API: ``POST /v1/tables/{table}``
        """
        json = body(
            schema=schema, factor=factor, frozen=frozen, key_column=key_column, tags=tags,
            is_compute_enabled=is_compute_enabled,
        )
        return await self._transport.request(
            "POST", _TABLE, path_params={"table": table}, json=json, cast=GetOrCreateTableResponse,
            idempotent=True,
        )

    async def create(
        self,
        name: str,
        *,
        schema: Mapping[str, Any],
        factor: int | Unset = UNSET,
        frozen: bool | Unset = UNSET,
        key_column: str | Unset | None = UNSET,
        tags: Tags | Unset = UNSET,
        is_compute_enabled: bool | Unset = UNSET,
    ) -> Table:
        """Create a table.

        Not retried after a 5xx or a lost connection (use :meth:`get_or_create` for a retry-safe
        create).

        Args:
            name: the table's name (letters, digits, ``_``; ending in ``Table``).
            schema: the JSON schema of the columns, or an example row (at most 20 columns).
            factor: storage factor 1..30 (4 KB of JSON per row per unit; default 1).
            frozen: forbid later changes to the name and schema.
            key_column: a column whose values must be unique; None is sent as null (no key column);
                UNSET (the default) sends nothing.
            tags: the table's tags.
            is_compute_enabled: enable computed columns.

        Returns:
            The new :class:`Table` (the API's answer holds nothing else).

        Raises:
            AlreadyExistsError: a table of that name exists; InvalidPayloadError,
            InvalidJsonSchemaError: a bad name or schema; APIError, APIConnectionError: as any call.

        API: ``POST /v1/tables``
        """
        json = body(
            name=name, schema=schema, factor=factor, frozen=frozen, key_column=key_column, tags=tags,
            is_compute_enabled=is_compute_enabled,
        )
        response = await self._transport.request("POST", _TABLES, json=json, cast=CreateTableResponse)
        return response.table

    async def duplicate(
        self,
        table: str,
        *,
        table_name: str | Unset = UNSET,
        schema_only: bool | Unset = UNSET,
        factor: int | Unset = UNSET,
    ) -> DuplicateTableResponse:
        """Copy a table (its schema, and its rows unless ``schema_only``).

        Args:
            table: the source table's id or name.
            table_name: the copy's name.
            schema_only: copy the schema without the rows.
            factor: the copy's storage factor 1..30 (default: the source's).

        Returns:
            A :class:`DuplicateTableResponse` (not the bare :class:`Table`: the answer also counts the
            rows copied): ``.table`` (the copy) and ``.rows`` (rows copied; 0 with ``schema_only``).

        Raises:
            ResourceNotFoundError: no such table; AlreadyExistsError: the name is taken; APIError,
            APIConnectionError: as any call.

        API: ``POST /v1/tables/{sourceTableId}/duplicate``
        """
        json = body(table_name=table_name, schema_only=schema_only, factor=factor)
        return await self._transport.request(
            "POST", _DUPLICATE, path_params={"sourceTableId": table}, json=json, cast=DuplicateTableResponse
        )

    async def update(
        self,
        table: str,
        *,
        name: str | Unset = UNSET,
        frozen: bool | Unset = UNSET,
        key_column: str | Unset | None = UNSET,
        schema: Mapping[str, Any] | Unset = UNSET,
        tags: Tags | Unset = UNSET,
        is_compute_enabled: bool | Unset = UNSET,
        factor: int | Unset = UNSET,
    ) -> UpdateTableResponse:
        """Change a table's settings; only the arguments given are sent.

        Args:
            table: the table's name or id.
            name: a new name (ending in ``Table``).
            frozen: freeze or unfreeze the name and schema.
            key_column: the unique key column; None is sent as null and removes it; UNSET (the
                default) leaves it as it is.
            schema: a patch of the columns: each listed column is added or replaced (its JSON schema
                or an example value), a column set to None is deleted with its values, unlisted
                columns are kept. A column whose type changes is reset to null in every row.
            tags: tags to set (an empty value removes a tag).
            is_compute_enabled: enable or disable computed columns.
            factor: a higher storage factor (it can only increase), 1..30.

        Returns:
            An :class:`UpdateTableResponse` (not the bare :class:`Table`: the answer also names the
            stale columns): ``.table`` (the updated table) and ``.stale_columns`` (the columns reset
            or awaiting recomputation, or None).

        Raises:
            ForbiddenError: the table is frozen; InvalidPayloadError: a bad value; APIError,
            APIConnectionError: as any call.

        API: ``PUT /v1/tables/{table}``
        """
        json = body(
            name=name, frozen=frozen, key_column=key_column, schema=schema, tags=tags,
            is_compute_enabled=is_compute_enabled, factor=factor,
        )
        return await self._transport.request(
            "PUT", _TABLE, path_params={"table": table}, json=json, cast=UpdateTableResponse
        )

    async def rename_column(self, table: str, name: str, new_name: str) -> Table:
        """Rename a column, keeping its values, type and settings.

        Args:
            table: the table's name or id.
            name: the column's current name.
            new_name: its new name, 1 to 30 characters.

        Returns:
            The updated :class:`Table` (the API's answer holds nothing else).

        Raises:
            ValueError: ``new_name`` is empty or longer than 30 characters (nothing sent).
            ForbiddenError: the table is frozen; InvalidPayloadError: no such column or the name is
            taken; APIError, APIConnectionError: as any call.

        API: ``PUT /v1/tables/{table}/column``
        """
        if not 1 <= len(new_name) <= 30:
            raise ValueError(f"new_name must be 1 to 30 characters, got {len(new_name)}")
        response = await self._transport.request(
            "PUT", _COLUMN, path_params={"table": table}, json=body(name=name, new_name=new_name),
            cast=RenameTableColumnResponse,
        )
        return response.table

    async def delete(self, table: str) -> None:
        """Delete a table and all its rows.

        Args:
            table: the table's name or id.

        Raises:
            ResourceNotFoundError: no such table; APIError, APIConnectionError: as any call.

        API: ``DELETE /v1/tables/{table}``
        """
        await self._transport.request("DELETE", _TABLE, path_params={"table": table})

    async def export(
        self,
        table: str,
        *,
        format: Literal["csv", "json"] | Unset = UNSET,
        compress: bool | Unset = UNSET,
    ) -> TableJob:
        """Start exporting a table to a file; follow the job with :meth:`jobs`.

        The job's ``output_file_id`` names the file once it is ``completed`` (download it with
        ``bp.files.download``).

        Args:
            table: the table's name or id.
            format: ``"csv"`` (rows only) or ``"json"`` (schema and rows).
            compress: gzip the file (the API's default is True).

        Returns:
            The export job.

        Raises:
            ResourceNotFoundError: no such table; APIError, APIConnectionError: as any call.

        API: ``GET /v1/tables/{table}/export``
        """
        response = await self._transport.request(
            "GET", _EXPORT, path_params={"table": table}, params=query(format=format, compress=compress),
            cast=ExportTableResponse,
        )
        return response.job

    async def import_(self, table: str, file_id: str) -> TableJob:
        """Start importing rows from a file (CSV or JSON, gzipped or not) into an existing table.

        The table's rows are kept; its schema must fit the file. Upload the file first with
        ``bp.files.upload``. (Named ``import_`` because ``import`` is a Python keyword.)

        Args:
            table: the table's name or id.
            file_id: the id of the uploaded file.

        Returns:
            The import job.

        Raises:
            ResourceNotFoundError: no such table or file; APIError, APIConnectionError: as any call.

        API: ``POST /v1/tables/{table}/import``
        """
        response = await self._transport.request(
            "POST", _IMPORT, path_params={"table": table}, json=body(file_id=file_id),
            cast=ImportTableResponse,
        )
        return response.job

    async def jobs(self, table: str) -> builtins.list[TableJob]:
        """List a table's jobs (exports, imports, column clears), not paginated.

        Args:
            table: the table's name or id.

        Returns:
            The jobs, each with ``status`` (pending, in_progress, finalizing, completed, failed) and
            ``progress``.

        Raises:
            ResourceNotFoundError: no such table; APIError, APIConnectionError: as any call.

        API: ``GET /v1/tables/{table}/jobs``
        """
        response = await self._transport.request(
            "GET", _JOBS, path_params={"table": table}, cast=GetTableJobsResponse
        )
        return response.jobs

    # -- rows ---------------------------------------------------------------------------------------

    async def get_row(self, table: str, id: int) -> Row:
        """Fetch one row.

        Args:
            table: the table's name or id.
            id: the row id, an int in 1..2147483647.

        Returns:
            The row (``row["column"]``, ``row.id``, ``row.created_at`` …).

        Raises:
            ValueError: ``id`` is not an int in 1..2147483647 (nothing sent).
            ResourceNotFoundError: no such table or row; APIError, APIConnectionError: as any call.

        API: ``GET /v1/tables/{table}/row?id=<id>``
        """
        check_row_id(id)
        response = await self._transport.request(
            "GET", _ROW, path_params={"table": table}, params=query(id=id), cast=GetTableRowResponse
        )
        return response.row

    def find_rows(
        self,
        table: str,
        *,
        filter: Mapping[str, Any] | Unset = UNSET,
        group: Mapping[str, Any] | Unset = UNSET,
        search: str | Unset = UNSET,
        select: Sequence[str] | Unset = UNSET,
        order_by: str | Unset = UNSET,
        order_direction: Literal["asc", "desc"] | Unset = UNSET,
        limit: int | Unset = UNSET,
        offset: int | Unset = UNSET,
    ) -> OffsetPaginator[Row]:
        """Find rows: filter, group, semantic search, projection, ordering and paging.

        Nothing is fetched until the paginator is used: ``await`` it for one page
        (``.rows``, ``.has_more``, ``.offset``, ``.limit``, ``.warnings``); ``async for row in`` it for
        every row of every page from ``offset`` on, ``limit`` rows per call.

        Args:
            table: the table's name or id.
            filter: a Mongo-like filter: ``{"price": {"$gte": 10}, "$or": [...]}`` (``$eq $ne $gt $gte
                $lt $lte $in $nin $exists $mod $size $regex $options $and $or $not``).
            group: ``{column: op | [ops]}`` with ops ``key count sum avg min max unique``; each result
                row holds ``<column><Op>`` keys (``stateKey``, ``priceAvg``, ``idCount``).
            search: a semantic search over the searchable columns, at most 1024 UTF-16 code units;
                rows carry ``similarity``.
            select: the columns to return (dot paths); system columns always come back.
            order_by: a column or ``id``/``createdAt``/``updatedAt`` (the API's default is ``id``).
            order_direction: ``"asc"`` (default) or ``"desc"``.
            limit: rows per page, 1..1000 (the API's default is 100).
            offset: rows to skip before the first page (default 0).

        Returns:
            An :class:`OffsetPaginator` of :class:`Row`.

        Raises:
            ValueError: a search too long, a limit outside 1..1000, a negative offset, a bad
                order_direction (raised here, nothing sent).
            InvalidQueryError: a filter, group or order_by the API refuses (when a page is fetched).
            APIError, APIConnectionError: as any call, when a page is fetched.

        API: ``POST /v1/tables/{table}/rows/find`` (idempotent, so retried like a GET)
        """
        if search is not UNSET and _utf16_length(search) > MAX_SEARCH_LENGTH:
            raise ValueError(
                f"search is {_utf16_length(search)} UTF-16 code units long; the API allows at most "
                f"{MAX_SEARCH_LENGTH}"
            )
        if limit is not UNSET and (isinstance(limit, bool) or not 1 <= limit <= MAX_ROWS_PER_CALL):
            raise ValueError(f"limit must be in 1..{MAX_ROWS_PER_CALL}, got {limit!r}")
        if offset is not UNSET and (isinstance(offset, bool) or offset < 0):
            raise ValueError(f"offset must be 0 or more, got {offset!r}")
        if order_direction is not UNSET and order_direction not in ("asc", "desc"):
            raise ValueError(f"order_direction must be 'asc' or 'desc', got {order_direction!r}")
        base = body(
            filter=filter, group=group, search=search, select=select, order_by=order_by,
            order_direction=order_direction,
        )
        first_offset = 0 if offset is UNSET else offset
        transport = self._transport

        async def fetch(page_offset: int, page_limit: int) -> OffsetPage[Row]:
            json = dict(base)
            # Send paging fields only when asked for or past the first page, as the official client does.
            if limit is not UNSET:
                json["limit"] = page_limit
            if offset is not UNSET or page_offset != first_offset:
                json["offset"] = page_offset
            response = await transport.request(
                "POST", _FIND, path_params={"table": table}, json=json, cast=FindTableRowsResponse,
                idempotent=True,
            )
            return OffsetPage(
                rows=response.rows,
                has_more=response.has_more,
                offset=response.offset,
                limit=response.limit,
                warnings=response.warnings or [],
                response=response,
            )

        return OffsetPaginator(fetch, offset=first_offset, limit=100 if limit is UNSET else limit)

    async def create_rows(
        self,
        table: str,
        rows: Rows,
        *,
        wait_computed: bool | Unset = UNSET,
        raise_on_errors: bool = False,
    ) -> CreateTableRowsResponse:
        """Insert 1 to 1000 rows. Rows the service refuses are reported, the others are written.

        Not retried after a 5xx or a lost connection (a retry could insert the rows twice); use
        :meth:`bulk_create` for more rows, with every row's outcome reported.

        Args:
            table: the table's name or id.
            rows: the rows, mappings of column name to value; ``id``/``createdAt``/``updatedAt`` are
                assigned by the service.
            wait_computed: wait until computed columns are computed before answering.
            raise_on_errors: raise :class:`TableRowsError` when the answer lists row errors.

        Returns:
            A :class:`CreateTableRowsResponse`: ``.rows`` (the rows written, with their ids),
            ``.warnings`` and ``.errors`` (None when there are none).

        Raises:
            ValueError: no row, more than 1000 rows, a bad id, NaN or Infinity (nothing sent).
            TableRowsError: ``raise_on_errors=True`` and some rows were refused (``.rows`` holds the
                rows written).
            InvalidDataFormatError: no row could be written; APIError, APIConnectionError: as any call.

        API: ``POST /v1/tables/{table}/rows``
        """
        return await self._write_rows(
            "POST", table, rows, CreateTableRowsResponse, wait_computed=wait_computed,
            raise_on_errors=raise_on_errors,
        )

    async def update_rows(
        self,
        table: str,
        rows: Rows,
        *,
        wait_computed: bool | Unset = UNSET,
        raise_on_errors: bool = False,
    ) -> UpdateTableRowsResponse:
        """Change 1 to 1000 rows, each named by its ``id``; only the columns given change.

        Args:
            table: the table's name or id.
            rows: the rows, each with ``"id"`` (an int in 1..2147483647) and the columns to change
                (None clears a column).
            wait_computed: wait until computed columns are recomputed before answering.
            raise_on_errors: raise :class:`TableRowsError` when the answer lists row errors.

        Returns:
            An :class:`UpdateTableRowsResponse`: ``.rows`` (the updated rows), ``.warnings`` and
            ``.errors``.

        Raises:
            ValueError: no row, more than 1000, a missing or bad id, NaN or Infinity (nothing sent).
            TableRowsError: ``raise_on_errors=True`` and some rows were refused.
            APIError, APIConnectionError: as any call.

        API: ``PUT /v1/tables/{table}/rows``
        """
        return await self._write_rows(
            "PUT", table, rows, UpdateTableRowsResponse, wait_computed=wait_computed,
            raise_on_errors=raise_on_errors,
        )

    async def _write_rows(
        self,
        method: Literal["POST", "PUT"],
        table: str,
        rows: Rows,
        cast: type[_WriteResponse],
        *,
        wait_computed: bool | Unset,
        raise_on_errors: bool,
    ) -> _WriteResponse:
        """create_rows (POST) and update_rows (PUT, every row with its id): one call, same answer shape."""
        operation = "create_rows" if method == "POST" else "update_rows"
        json = body(rows=_rows(rows, operation, need_id=method == "PUT"), wait_computed=wait_computed)
        response = await self._transport.request(
            method, _ROWS, path_params={"table": table}, json=json, cast=cast
        )
        if raise_on_errors:
            _raise_on_errors(response, response.rows, operation)
        return response

    async def upsert_rows(
        self,
        table: str,
        rows: Rows,
        *,
        key_column: str | Unset = UNSET,
        wait_computed: bool | Unset = UNSET,
        raise_on_errors: bool = False,
    ) -> UpsertTableRowsResponse:
        """Insert or update 1 to 1000 rows, matched on a key column.

        A row whose key matches one row updates it; a row with no match (or no key value) is
        inserted; a key matching several rows is a row error. Retried like a PUT when every row
        carries its key (sending it twice has the effect of once).

        Args:
            table: the table's name or id.
            rows: the rows, mappings of column name to value.
            key_column: the column to match on, 1..30 characters (default: the table's key column,
                else ``id``).
            wait_computed: wait until computed columns are computed before answering.
            raise_on_errors: raise :class:`TableRowsError` when the answer lists row errors.

        Returns:
            An :class:`UpsertTableRowsResponse`: ``.inserted`` and ``.updated`` (rows), ``.warnings``
            and ``.errors``.

        Raises:
            ValueError: no row, more than 1000, a bad id, NaN or Infinity (nothing sent).
            TableRowsError: ``raise_on_errors=True`` and some rows were refused (``.rows``: the
                inserted then the updated rows).
            APIError, APIConnectionError: as any call.

        API: ``POST /v1/tables/{table}/rows/upsert``
        """
        wire = _rows(rows, "upsert_rows", need_id=False)
        json = body(rows=wire, key_column=key_column, wait_computed=wait_computed)
        response = await self._transport.request(
            "POST", _UPSERT, path_params={"table": table}, json=json, cast=UpsertTableRowsResponse,
            idempotent=_keyed(wire, None if key_column is UNSET else key_column),
        )
        if raise_on_errors:
            _raise_on_errors(response, [*response.inserted, *response.updated], "upsert_rows")
        return response

    async def delete_rows(
        self,
        table: str,
        *,
        ids: Sequence[int] | Unset = UNSET,
        filter: Mapping[str, Any] | Unset = UNSET,
        delete_all_rows: bool = False,
    ) -> int:
        """Delete rows by id, by filter, or all of them: exactly one of the three.

        Args:
            table: the table's name or id.
            ids: 1 to 1000 row ids (ints in 1..2147483647); use :meth:`bulk_delete` for more.
            filter: a non-empty filter (as in :meth:`find_rows`); every matching row is deleted.
            delete_all_rows: True to delete every row of the table.

        Returns:
            ``int``: the number of rows deleted (the API's answer holds nothing else).

        Raises:
            ValueError: not exactly one of ids / filter / delete_all_rows=True, an empty filter (it
                would match every row: say delete_all_rows=True), no id or more than 1000, a bad id
                (nothing sent).
            InvalidQueryError: a filter the API refuses; APIError, APIConnectionError: as any call.

        API: ``POST /v1/tables/{table}/rows/delete``
        """
        given = sum((ids is not UNSET, filter is not UNSET, bool(delete_all_rows)))
        if given != 1:
            raise ValueError("delete_rows needs exactly one of ids=, filter= or delete_all_rows=True")
        if filter is not UNSET and not filter:
            raise ValueError(
                "an empty filter matches every row: pass delete_all_rows=True to delete them all"
            )
        if ids is not UNSET:
            if isinstance(ids, (str, bytes)):
                raise TypeError("ids must be a list of ints")
            id_list = [check_row_id(value) for value in ids]
            if not id_list:
                raise ValueError("ids is empty: give 1 to 1000 row ids")
            if len(id_list) > MAX_ROWS_PER_CALL:
                raise ValueError(
                    f"delete_rows takes at most {MAX_ROWS_PER_CALL} ids per call, got {len(id_list)}: "
                    "use bp.tables.bulk_delete"
                )
            json = body(ids=id_list)
        elif filter is not UNSET:
            json = body(filter=filter)
        else:
            json = body(delete_all_rows=True)
        response = await self._transport.request(
            "POST", _DELETE, path_params={"table": table}, json=json, cast=DeleteTableRowsResponse,
            idempotent=True,
        )
        return int(response.deleted_rows)

    # -- bulk ---------------------------------------------------------------------------------------

    async def bulk_upsert(
        self,
        table: str,
        rows: Iterable[Mapping[str, Any]] | AsyncIterable[Mapping[str, Any]],
        *,
        key_column: str | Unset = UNSET,
        chunk_size: int = MAX_ROWS_PER_CALL,
        max_bytes: int = DEFAULT_MAX_BYTES,
        concurrency: int = 8,
        on_progress: Callable[[int, int | None], Any] | None = None,
        progress: bool = False,
        fail_fast: bool = False,
    ) -> BulkResult:
        """Upsert any number of rows: chunked, sent concurrently, every row's outcome reported.

        Rows are read lazily (a generator of millions of rows is fine: memory stays about
        ``concurrency + 2`` chunks). Chunks hold at most ``chunk_size`` rows and ``max_bytes`` of JSON.
        Each chunk is one :meth:`upsert_rows` call through the client's retry policy and limiter; a
        chunk that still fails is recorded in the result (each of its rows failed with the error),
        not raised, unless ``fail_fast``. The table is fetched once, for its ``factor``: a row over
        4 KB × factor of JSON is reported failed without being sent.

        Server warnings and per-row errors name the row by its input position: the service's
        "row N" (its position within one call) becomes "input row <index>" (see
        :class:`~botpress_async.bulk.RowWarning`).

        Cancellation: cancelling the task running this (``task.cancel()``, a timeout, Ctrl-C) cancels
        the chunk calls in flight and re-raises ``asyncio.CancelledError`` unchanged; no
        ``BulkResult`` is returned. A chunk whose request was already sent may still be written by
        the service after the cancel, so the table can hold rows of chunks that were in flight (never
        rows of chunks not yet sent). Keyed upserts (every row carries the key) are safe to run
        again over the whole input; for how far a run got, count with ``on_progress``, which is
        called with the rows accounted for after each chunk.

        Args:
            table: the table's name or id.
            rows: an iterable or async iterable of rows (mappings of column name to value).
            key_column: the column to match on, sent with every chunk; UNSET (the default) sends none,
                so the service matches on the table's key column, else ``id``. Chunks whose rows all
                carry that key are retried on 5xx; others are not (see ``uncertain``).
            chunk_size: rows per call, 1..1000.
            max_bytes: the most bytes of JSON per call (default 8 MiB, well under the API's 40 MB).
            concurrency: the most calls in flight at once (the client's max_concurrency also applies).
            on_progress: called as ``on_progress(done, total)`` after each chunk; ``total`` is
                ``len(rows)`` when rows has a length, else None.
            progress: show a tqdm progress bar (``pip install 'botpress-async[progress]'``).
            fail_fast: stop at the first failed row and raise :class:`~botpress_async.bulk.BulkError`.

        Returns:
            A :class:`~botpress_async.bulk.BulkResult`: ``inserted``, ``updated``, ``failed`` (input
            index, row, error), ``uncertain``, ``warnings``, ``chunks``, ``retries``,
            ``rate_limited``, ``waited_seconds``, ``elapsed``; inserted + updated + failed + uncertain
            equals the rows read.

        Raises:
            ValueError: chunk_size outside 1..1000, concurrency < 1, max_bytes < 1024, or a
                ``key_column`` that is neither ``id`` nor a column of the table (checked against the
                table fetched first; nothing sent, no row read).
            ResourceNotFoundError: no such table (raised before any row is read).
            BulkError: ``fail_fast=True`` and a row failed (``.result`` has the partial accounting).
            ImportError: ``progress=True`` without tqdm.

        API: ``GET /v1/tables/{table}`` once, then ``POST /v1/tables/{table}/rows/upsert`` per chunk.
        """
        return await self._bulk_write(
            table, rows, lambda info: _UpsertChunks(table, key_column, _upsert_key(key_column, info)),
            chunk_size=chunk_size, max_bytes=max_bytes, concurrency=concurrency, on_progress=on_progress,
            progress=progress, fail_fast=fail_fast, description="upsert",
        )

    async def bulk_create(
        self,
        table: str,
        rows: Iterable[Mapping[str, Any]] | AsyncIterable[Mapping[str, Any]],
        *,
        chunk_size: int = MAX_ROWS_PER_CALL,
        max_bytes: int = DEFAULT_MAX_BYTES,
        concurrency: int = 8,
        on_progress: Callable[[int, int | None], Any] | None = None,
        progress: bool = False,
        fail_fast: bool = False,
    ) -> BulkResult:
        """Insert any number of rows: chunked, sent concurrently, every row's outcome reported.

        As :meth:`bulk_upsert`, with :meth:`create_rows` per chunk. A create is never re-sent after a
        5xx or a lost connection (that could insert it twice): such a chunk's rows are reported in
        ``result.uncertain`` with their input indexes, to check (for example with find_rows) before
        sending them again. Rows are never silently duplicated or lost.

        Cancellation is as in :meth:`bulk_upsert` (``CancelledError`` re-raised, no result): rows of
        chunks in flight may still be inserted, and running the input again would insert them a
        second time; track progress with ``on_progress`` and check what landed before re-sending.

        Args:
            table: the table's name or id.
            rows: an iterable or async iterable of rows.
            chunk_size, max_bytes, concurrency, on_progress, progress, fail_fast: as in
                :meth:`bulk_upsert`.

        Returns:
            A :class:`~botpress_async.bulk.BulkResult` (``updated`` stays 0).

        Raises:
            ValueError, ResourceNotFoundError, BulkError, ImportError: as :meth:`bulk_upsert`.

        API: ``GET /v1/tables/{table}`` once, then ``POST /v1/tables/{table}/rows`` per chunk.
        """
        return await self._bulk_write(
            table, rows, lambda info: _CreateChunks(table),
            chunk_size=chunk_size, max_bytes=max_bytes, concurrency=concurrency, on_progress=on_progress,
            progress=progress, fail_fast=fail_fast, description="create",
        )

    async def _bulk_write(
        self,
        table: str,
        rows: Iterable[Any] | AsyncIterable[Any],
        operation_for: Callable[[Table], BulkOperation],
        **options: Any,
    ) -> BulkResult:
        """Fetch the table once (its factor bounds a row's size), then run the bulk engine."""
        info = await self.get(table)
        return await run_bulk(
            rows, operation_for(info.table), self._transport, max_rows_per_call=MAX_ROWS_PER_CALL,
            body_overhead=_BULK_BODY_OVERHEAD, max_row_bytes=ROW_BYTES_PER_FACTOR * int(info.table.factor),
            **options,
        )

    async def bulk_delete(
        self,
        table: str,
        ids: Iterable[int] | AsyncIterable[int],
        *,
        chunk_size: int = MAX_ROWS_PER_CALL,
        concurrency: int = 8,
        on_progress: Callable[[int, int | None], Any] | None = None,
        progress: bool = False,
        fail_fast: bool = False,
    ) -> BulkResult:
        """Delete any number of rows by id, in chunks of up to 1000 ids, concurrently.

        Cancellation is as in :meth:`bulk_upsert` (``CancelledError`` re-raised, no result): ids of
        chunks in flight may still be deleted. Deleting again is safe (an id already gone counts in
        ``not_found``); track progress with ``on_progress``.

        Args:
            table: the table's name or id.
            ids: row ids (ints in 1..2147483647), from an iterable or async iterable; a bad id is
                reported failed, not sent.
            chunk_size, concurrency, on_progress, progress, fail_fast: as in :meth:`bulk_upsert`.

        Returns:
            A :class:`~botpress_async.bulk.BulkResult` with ``deleted`` and ``not_found`` (ids sent
            that matched no row); deleted + not_found + failed == ids read.

        Raises:
            ValueError, BulkError, ImportError: as :meth:`bulk_upsert`.

        API: ``POST /v1/tables/{table}/rows/delete`` per chunk.
        """
        return await run_bulk(
            ids, _DeleteChunks(table), self._transport, chunk_size=chunk_size,
            max_rows_per_call=MAX_ROWS_PER_CALL, max_bytes=DEFAULT_MAX_BYTES,
            body_overhead=_BULK_BODY_OVERHEAD, max_row_bytes=None, concurrency=concurrency,
            on_progress=on_progress, progress=progress, fail_fast=fail_fast, description="delete",
        )


def _upsert_key(key_column: str | Unset, table: Table) -> str:
    """The column an upsert matches on: the one given, else the table's key column, else ``id``.

    Raises:
        ValueError: the key column given is neither ``id`` nor a column of ``table``.
    """
    if key_column is not UNSET:
        if key_column != "id" and key_column not in (known := columns(table)):
            shown = ", ".join(known) or "none"
            raise ValueError(
                f"key_column {key_column!r} is not a column of table {table.name!r} (its columns: {shown}; "
                "or 'id'): nothing was sent"
            )
        return key_column
    return table.key_column or "id"


def _keyed(rows: list[dict[str, Any]], key_column: str | None) -> bool:
    """True when every row names the row it upserts, so sending it twice equals sending it once.

    Without an explicit key the rows must carry ``id`` (a table key column unknown here could be the
    real key: then the call is simply not retried on 5xx, which is safe).
    """
    return None not in map(operator.methodcaller("get", key_column or "id"), rows)


@attrs.define(slots=True, kw_only=True)
class _UpsertReply:
    """What a bulk chunk needs of upsertTableRows' answer: its rows are checked, not copied into Rows."""

    inserted: WireRows
    updated: WireRows
    warnings: list[str] | None = None
    errors: list[str] | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


@attrs.define(slots=True, kw_only=True)
class _CreateReply:
    """What a bulk chunk needs of createTableRows' answer: its rows are checked, not copied into Rows."""

    rows: WireRows
    warnings: list[str] | None = None
    errors: list[str] | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)


class _UpsertChunks:
    """bulk_upsert's operation: one upsertTableRows call per chunk."""

    def __init__(self, table: str, key_column: str | Unset, key: str) -> None:
        self.table = table
        self.key_column = key_column
        self.key = key  # the key the service matches on, to tie unindexed errors to rows
        # The body after the rows, as the official client orders it: ``,"keyColumn":"sku"}``.
        self._tail = b"}" if key_column is UNSET else b',"keyColumn":' + dumps(key_column) + b"}"

    prepare = staticmethod(_bulk_row)

    def idempotent(self, items: list[Any]) -> bool:
        # The table was fetched, so the key the service matches on is known even when not given.
        return _keyed(items, self.key)

    async def send(self, transport: Transport, items: ChunkItems, stats: CallStats) -> ChunkReply:
        reply = await transport.request(
            "POST", _UPSERT, path_params={"table": self.table},
            json=RawJSON(b'{"rows":' + items.json + self._tail), cast=_UpsertReply,
            idempotent=items.idempotent,
            stats=stats,
        )
        written = len(reply.inserted) + len(reply.updated)
        errors = reply.errors or []
        if written < len(items):
            # Only a short answer needs the key values, to find by key the rows not written.
            failed, unattributed = attribute_errors(
                len(items), written, errors,
                keys=[_hashable(item.get(self.key)) for item in items],
                succeeded_keys={_hashable(row.get(self.key)) for row in (*reply.inserted, *reply.updated)},
            )
        else:
            failed, unattributed = attribute_errors(len(items), written, errors)
        return ChunkReply(
            inserted=len(reply.inserted), updated=len(reply.updated), failed=failed,
            unattributed=unattributed, warnings=reply.warnings or [],
        )


class _CreateChunks:
    """bulk_create's operation: one createTableRows call per chunk (never retried on 5xx)."""

    def __init__(self, table: str) -> None:
        self.table = table

    prepare = staticmethod(_bulk_row)

    def idempotent(self, items: list[Any]) -> bool:
        return False

    async def send(self, transport: Transport, items: ChunkItems, stats: CallStats) -> ChunkReply:
        reply = await transport.request(
            "POST", _ROWS, path_params={"table": self.table}, json=RawJSON(b'{"rows":' + items.json + b"}"),
            cast=_CreateReply,
            stats=stats,
        )
        failed, unattributed = attribute_errors(len(items), len(reply.rows), reply.errors or [])
        return ChunkReply(
            inserted=len(reply.rows), failed=failed, unattributed=unattributed,
            warnings=reply.warnings or [],
        )


class _DeleteChunks:
    """bulk_delete's operation: one deleteTableRows call per chunk of ids."""

    def __init__(self, table: str) -> None:
        self.table = table

    def prepare(self, row: Any) -> int:
        return check_row_id(row)

    def idempotent(self, items: list[Any]) -> bool:
        return True

    async def send(self, transport: Transport, items: ChunkItems, stats: CallStats) -> ChunkReply:
        response = await transport.request(
            "POST", _DELETE, path_params={"table": self.table}, json=RawJSON(b'{"ids":' + items.json + b"}"),
            cast=DeleteTableRowsResponse, idempotent=True, stats=stats,
        )
        deleted = min(int(response.deleted_rows), len(items))
        return ChunkReply(deleted=deleted, not_found=len(items) - deleted)


def _hashable(value: Any) -> Any:
    """A key value usable in a set (lists and dicts are keys only in odd schemas)."""
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value
