"""The bounded-concurrency engine behind ``tables.bulk_upsert``, ``bulk_create`` and ``bulk_delete``.

It reads rows from any iterable or async iterable one at a time, checks and encodes each row once (the
chunk's body is assembled from those encoded rows: nothing is encoded twice), packs rows into chunks
bounded by a row count AND an encoded JSON size, and hands the chunks to at most ``concurrency``
workers through a bounded queue: memory stays at about ``concurrency + 2`` chunks (one per call in
flight, one ready, one being built), never the whole input. Each chunk is one API call through the
client's transport, so retries (429, and 5xx for idempotent chunks) and the client-wide limiter apply
as to any other call; the run's own calls are counted through a
:class:`~botpress_async._transport.CallStats` the operation passes to each of them.

Every row read is accounted for exactly once, in :class:`BulkResult`: inserted, updated (or deleted /
not found), failed (with its input index and the error), or uncertain (a non-idempotent chunk whose
outcome is unknown after a transport failure: it may or may not have been written, so it is neither
re-sent nor counted as written). The engine checks that invariant before returning.

This module sends no HTTP itself and knows no route: the operations
(``botpress_async.resources.tables``) supply ``prepare`` (per-row check and wire form) and ``send``
(one chunk, one call), and the caller of :func:`run_bulk` supplies the limits of the API it writes to
(the most rows per call, the bytes of a request body around its rows). What it does assume of the
service is how a write answers: per-row ``errors`` and ``warnings`` as text that may name the row
by its position in the call ("row 3: …", "rows[3]", "Row #3", "index 3"): :func:`attribute_errors`
and :func:`input_row_message` read those positions (the Tables API answers so; a message naming no
row is kept as it is and its rows reported uncertain).

``TableRowsError`` (raised by the single-call row writes, not by this engine) lives in
:mod:`botpress_async.errors`; it is re-exported here for code that imported it from this module.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping, Sequence, Sized
from typing import Any, Protocol

import attrs

from botpress_async._json import piece_encoder, utf8_size
from botpress_async._transport import CallStats, Transport
from botpress_async.errors import (
    APIConnectionError,
    APIError,
    BotpressError,
    ResponseDecodeError,
    TableRowsError,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_WARNINGS",
    "BulkError",
    "BulkOperation",
    "BulkResult",
    "ChunkItems",
    "ChunkReply",
    "FailedRow",
    "RowRejectedError",
    "RowTooLargeError",
    "RowWarning",
    "TableRowsError",
    "attribute_errors",
    "input_row_message",
    "run_bulk",
]

#: Default upper bound of one chunk's JSON body, in bytes: far below the Tables API's 40 MB body limit,
#: so a chunk is never refused for its size and a retried chunk stays cheap.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024

#: The most warnings a :class:`BulkResult` keeps (the others are counted in ``warnings_omitted``).
MAX_WARNINGS = 1000

# Statuses after which a write may have been applied although the call failed: the gateway or the
# service gave up after (or while) the write committed. 429 and 4xx prove it was not applied.
_OUTCOME_UNKNOWN_STATUSES = frozenset({500, 502, 503, 504})

# Per-row entries of a write's ``errors`` naming a row by its position in the call: "row 3: ...",
# "rows[3] ...", "Row #3", "index 3" (the forms the Tables API and its emulator write).
_ROW_INDEX = re.compile(
    r"\brows?\s*(?:\[\s*(\d+)\s*\]|\.(\d+)|#\s*(\d+)|\s+(\d+))|\bindex\s*:?\s*(\d+)", re.IGNORECASE
)


# The leading row reference of one server message (or of one "; "-joined part of it): "row 3: …".
_LEADING_ROW = re.compile(
    r"(^|;\s*)rows?\s*(?:\[\s*(\d+)\s*\]|\.(\d+)|#\s*(\d+)|\s+(\d+))", re.IGNORECASE
)


def input_row_message(message: str, positions: Sequence[int]) -> tuple[str, int | None]:
    """Rewrite the leading "row N" of a server message about row N of a chunk to "input row <index>".

    Args:
        message: the server's message (parts joined by "; " are rewritten each).
        positions: the input index of each row of the chunk, by position in the chunk.

    Returns:
        ``(text, index)``: the message with each leading in-chunk position replaced by the input
        index (the rest verbatim), and the input index of the first such reference (None if none).
    """
    first: list[int] = []

    def replace(match: re.Match[str]) -> str:
        position = int(next(group for group in match.groups()[1:] if group is not None))
        if not 0 <= position < len(positions):
            return match.group(0)
        index = positions[position]
        if not first:
            first.append(index)
        return f"{match.group(1)}input row {index}"

    text = _LEADING_ROW.sub(replace, message)
    return text, (first[0] if first else None)


class RowRejectedError(BotpressError):
    """The server refused one row of a chunk (an entry of the answer's ``errors``).

    Attributes:
        message: the server's message for that row.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RowWarning(str):
    """One server warning of a bulk run, as text (a ``str``), with the input row it is about.

    The server numbers rows within one call ("row 897: column 'extra' does not exist …; ignored");
    the engine rewrites that leading "row N" to the row's input position ("input row 2897: …", the
    rest verbatim) and keeps the position in :attr:`input_index`. A warning that names no row of the
    chunk keeps the server's text and has ``input_index`` None. (Not ``index``: that is ``str.index``.)

    Attributes:
        input_index: the 0-based input index of the row the warning is about, or None.
    """

    input_index: int | None

    def __new__(cls, message: str, input_index: int | None = None) -> RowWarning:
        warning = super().__new__(cls, message)
        warning.input_index = input_index
        return warning

    def __reduce__(self) -> tuple[Any, ...]:
        return (RowWarning, (str(self), self.input_index))


class RowTooLargeError(BotpressError, ValueError):
    """A row too large to send: more than 4 KB × the table's factor, or more than a whole chunk."""


class BulkError(BotpressError):
    """A bulk run stopped early (``fail_fast=True``) at its first failed row.

    ``__cause__`` is the error of that row; ``result`` accounts for every row read so far (rows that
    were read but not sent are in ``failed``).

    Attributes:
        result: the :class:`BulkResult` of the rows read before the stop.
    """

    def __init__(self, message: str, result: BulkResult) -> None:
        super().__init__(message)
        self.result = result


@attrs.frozen
class FailedRow:
    """One input row that was not written, or whose outcome is unknown.

    Attributes:
        index: the row's 0-based position in the input.
        row: the row as given (a mapping, or an id for bulk_delete).
        error: why: an APIError for the whole chunk, a RowRejectedError for this row, a ValueError or
            RowTooLargeError from the local checks, an APIConnectionError for an unknown outcome.
    """

    index: int
    row: Any = attrs.field(repr=False)
    error: BaseException = attrs.field(eq=False)


@attrs.define(kw_only=True)
class BulkResult:
    """What a bulk run did with every row it read.

    ``inserted + updated + deleted + not_found + len(failed) + len(uncertain) == total``, always.

    Attributes:
        total: rows read from the input.
        inserted: rows created.
        updated: rows updated (upsert only).
        deleted: rows deleted (bulk_delete only).
        not_found: ids sent to bulk_delete that matched no row.
        failed: rows not written, each with its input index and error, in input order.
        uncertain: rows of a non-idempotent chunk (bulk_create, or an upsert of rows without a key)
            whose call failed after it may have reached the service (a 5xx, a dropped connection, a
            timeout), or of any chunk cancelled in flight by a fail_fast stop: they may or may not be
            in the table. They are not re-sent, so that nothing is ever written twice.
        warnings: the server's distinct warnings (unknown columns dropped …), in order of arrival,
            at most :data:`MAX_WARNINGS` of them. Each is a :class:`RowWarning`: a ``str`` whose
            leading "row N" (the server's position within its call) reads "input row <index>", with
            that input index in ``.input_index`` (None for a warning about no particular row).
        warnings_omitted: warnings that arrived after :data:`MAX_WARNINGS` were kept, counted only
            (a warning per row of a million-row input would otherwise all be held in memory).
        chunks: chunk calls made (one per chunk; a retried chunk is still one call).
        retries: attempts beyond the first, over this run's chunk calls only (after 429s, and after
            retried 5xx answers and transport failures).
        rate_limited: 429 answers this run's chunk calls met (other traffic of the client, even
            concurrent, is not counted).
        waited_seconds: seconds this run's chunk calls spent waiting, summed over the calls (so it
            can exceed ``elapsed`` when calls wait concurrently): for a slot of the client-wide
            limiter (max_concurrency, pacing, 429 pauses) and in backoff before their retries.
        elapsed: wall time of the run, seconds.
    """

    total: int = 0
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    not_found: int = 0
    failed: list[FailedRow] = attrs.field(factory=list)
    uncertain: list[FailedRow] = attrs.field(factory=list)
    warnings: list[str] = attrs.field(factory=list)
    warnings_omitted: int = 0
    chunks: int = 0
    retries: int = 0
    rate_limited: int = 0
    waited_seconds: float = 0.0
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no row failed and no outcome is uncertain."""
        return not self.failed and not self.uncertain

    @property
    def accounted(self) -> int:
        """Rows with an outcome: equal to :attr:`total` at the end of a run."""
        written = self.inserted + self.updated + self.deleted + self.not_found
        return written + len(self.failed) + len(self.uncertain)


@attrs.define(kw_only=True)
class ChunkReply:
    """What one chunk's answer says about its rows (positions are 0-based within the chunk).

    Attributes:
        inserted, updated, deleted, not_found: counts of rows with that outcome.
        failed: position → the server's message, for rows the server refused.
        unattributed: the answer reports failures that cannot be tied to rows: every row not in
            ``failed`` is then reported uncertain and the counts above are ignored.
        warnings: the server's warnings.
    """

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    not_found: int = 0
    failed: dict[int, str] = attrs.field(factory=dict)
    unattributed: str | None = None
    warnings: list[str] = attrs.field(factory=list)


class ChunkItems(list[Any]):
    """The wire forms of one chunk's rows (a list, in input order), encoded once by the engine.

    Attributes:
        json: the items as one compact UTF-8 JSON array (``b"[...]"``), NaN already refused: the
            operation builds its request body around it instead of encoding the rows again.
        idempotent: what the operation's ``idempotent`` said of these items.
    """

    __slots__ = ("idempotent", "json")

    def __init__(self, items: Iterable[Any], json: bytes, idempotent: bool) -> None:
        super().__init__(items)
        self.json = json
        self.idempotent = idempotent


class BulkOperation(Protocol):
    """One kind of bulk write: how a row is checked and encoded, and how a chunk is sent."""

    def prepare(self, row: Any) -> Any:
        """The wire form of ``row``; raises ValueError/TypeError for a row that cannot be sent."""
        ...

    def idempotent(self, items: list[Any]) -> bool:
        """Whether sending these wire rows twice has the effect of sending them once."""
        ...

    async def send(self, transport: Transport, items: ChunkItems, stats: CallStats) -> ChunkReply:
        """Send one chunk of wire rows (``items.json`` is their encoded array) and say what happened.

        Every call made for the chunk must pass ``stats=stats`` to ``transport.request``: that is how
        the run's retries, 429s and waits are counted.
        """
        ...


def attribute_errors(
    count: int,
    succeeded: int,
    errors: list[str],
    *,
    keys: list[Any] | None = None,
    succeeded_keys: set[Any] | None = None,
) -> tuple[dict[int, str], str | None]:
    """Tie a write answer's ``errors`` to rows of the chunk.

    Args:
        count: rows sent.
        succeeded: rows the answer lists as written.
        errors: the answer's ``errors`` entries.
        keys: the key value of each row sent (keyed upserts), to find the unwritten rows by key when
            the messages carry no row index.
        succeeded_keys: the key values of the rows written.

    Returns:
        ``(failed, unattributed)``: position → message for each refused row, and a message when the
        failures cannot be tied to rows (then only ``failed`` is certain).
    """
    expected = count - succeeded
    if expected <= 0:
        return {}, None
    failed: dict[int, str] = {}
    for message in errors:
        match = _ROW_INDEX.search(message)
        if match is None:
            continue
        position = int(next(group for group in match.groups() if group is not None))
        if 0 <= position < count:
            failed[position] = f"{failed[position]}; {message}" if position in failed else message
    if len(failed) == expected:
        return failed, None
    if keys is not None and succeeded_keys is not None:
        by_key = {
            position: failed.get(position) or "; ".join(errors) or "the row was not written"
            for position, key in enumerate(keys)
            if key is not None and key not in succeeded_keys
        }
        if len(by_key) == expected:
            return by_key, None
    summary = "; ".join(errors[:5]) or "no error message"
    return failed, (
        f"{expected} of {count} rows were not written and the answer does not say which: {summary}"
    )


def outcome_unknown(error: BaseException) -> bool:
    """True when a failed call may still have been applied by the service."""
    if isinstance(error, ResponseDecodeError):
        return error.status < 400 or error.status in _OUTCOME_UNKNOWN_STATUSES
    if isinstance(error, APIError):
        return error.status in _OUTCOME_UNKNOWN_STATUSES
    if isinstance(error, APIConnectionError):
        # The transport knows when no attempt can have been acted on (never sent, or refused 4xx).
        return error.request_sent
    return False


class _Stop(Exception):
    """Raised by a task of a fail-fast run to stop the others (never escapes the engine)."""


class _Chunk:
    """Rows of one chunk, in parallel lists (no tuple per row): input index, row as given, wire form."""

    __slots__ = ("indexes", "items", "pieces", "rows", "size")

    def __init__(self, overhead: int) -> None:
        self.indexes: list[int] = []
        self.rows: list[Any] = []
        self.items: list[Any] = []
        self.pieces: list[str] = []  # each item as JSON text, encoded once
        self.size = overhead  # bytes of the body around the rows

    def entries(self) -> Iterable[tuple[int, Any]]:
        """(input index, row as given) of each row."""
        return zip(self.indexes, self.rows, strict=True)


class _Progress:
    """Calls ``on_progress(done, total)`` and drives an optional tqdm bar."""

    def __init__(
        self,
        on_progress: Callable[[int, int | None], Any] | None,
        progress: bool,
        total: int | None,
        desc: str,
    ) -> None:
        self._callback = on_progress
        self._bar: Any = None
        self._shown = 0
        self.total = total
        if progress:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                raise ImportError(
                    "progress=True needs tqdm: pip install 'botpress-async[progress]' "
                    "(or pass on_progress=callback instead)"
                ) from None
            self._bar = tqdm(total=total, desc=desc, unit="row")

    def update(self, done: int) -> None:
        if done == self._shown:
            return
        if self._bar is not None:
            self._bar.update(done - self._shown)
        self._shown = done
        if self._callback is not None:
            self._callback(done, self.total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class _Run:
    """One bulk run: its queue, workers, counters and result."""

    def __init__(
        self,
        operation: BulkOperation,
        transport: Transport,
        *,
        chunk_size: int,
        max_bytes: int,
        max_row_bytes: int | None,
        body_overhead: int,
        concurrency: int,
        fail_fast: bool,
        progress: _Progress,
    ) -> None:
        self.operation = operation
        self.chunk_size = chunk_size
        self.body_overhead = body_overhead
        self.max_bytes = max_bytes
        self.max_row_bytes = max_row_bytes
        self.concurrency = concurrency
        self.fail_fast = fail_fast
        self.progress = progress
        self.result = BulkResult()
        self.first_error: BaseException | None = None
        self.building = _Chunk(body_overhead)
        # Chunks complete but not yet queued (the producer queues them at its next await).
        self.ready: list[_Chunk] = []
        self.in_flight: dict[int, _Chunk] = {}
        self._encode = piece_encoder()
        # The largest encoded row accepted: at most max_row_bytes, and a chunk's body must hold it.
        self._largest_row = min(
            max_bytes - body_overhead, max_row_bytes if max_row_bytes is not None else max_bytes
        )
        # One chunk waits ready for the next free worker: the producer builds the next one in about a
        # millisecond, and every row held costs memory (and, on a fresh heap, page faults).
        self.queue: asyncio.Queue[_Chunk | None] = asyncio.Queue(maxsize=1)
        self._seen_warnings: set[str] = set()
        self.transport = transport
        # This run's calls only: the transport counts into it for each call it is passed to.
        self.stats = CallStats()

    # -- accounting -------------------------------------------------------------------------------

    def _fail(self, index: int, row: Any, error: BaseException) -> None:
        self.result.failed.append(FailedRow(index, row, error))
        if self.first_error is None:
            self.first_error = error

    def _uncertain(self, index: int, row: Any, error: BaseException) -> None:
        self.result.uncertain.append(FailedRow(index, row, error))
        if self.first_error is None:
            self.first_error = error

    def _warn(self, warnings: Iterable[str], positions: Sequence[int]) -> None:
        """Keep the distinct warnings of a chunk whose rows have these input indexes."""
        result = self.result
        for message in warnings:
            text, index = input_row_message(message, positions)
            if text in self._seen_warnings:
                continue
            if len(result.warnings) >= MAX_WARNINGS:
                result.warnings_omitted += 1
                continue
            self._seen_warnings.add(text)
            result.warnings.append(RowWarning(text, index))

    def _stop_if_failed(self) -> None:
        if self.fail_fast and self.first_error is not None:
            raise _Stop

    # -- producer ---------------------------------------------------------------------------------

    async def produce(self, rows: Iterable[Any] | AsyncIterable[Any]) -> None:
        if isinstance(rows, AsyncIterable):
            iterator = aiter(rows)
            try:
                async for row in iterator:
                    self._take(iter((row,)))
                    await self._queue_ready()
            finally:
                close = getattr(iterator, "aclose", None)
                if close is not None:
                    await close()
        else:
            # Runs of rows with no await between them: an await only when a chunk is complete, and
            # a yield every 1000 rows, so a long synchronous input cannot starve the workers.
            sync = iter(rows)
            since_yield = 0
            while read := self._take(itertools.islice(sync, 1000 - since_yield)):
                await self._queue_ready()
                since_yield += read
                if since_yield >= 1000:
                    since_yield = 0
                    await asyncio.sleep(0)
        if self.building.indexes:
            self.ready.append(self.building)
            self.building = _Chunk(self.body_overhead)
        await self._queue_ready()
        for _ in range(self.concurrency):
            await self.queue.put(None)

    def _take(self, rows: Iterator[Any]) -> int:
        """Read rows: check and encode each, add it to the chunk being built. Returns the rows read.

        Stops after a row that completes a chunk (the caller queues ``ready`` before reading on).
        The hot loop of a run: its state lives in locals, written back when it ends (even by an error).
        """
        result = self.result
        prepare = self.operation.prepare
        encode = self._encode
        chunk_size = self.chunk_size
        max_bytes = self.max_bytes
        largest = self._largest_row
        ready = self.ready
        chunk = self.building
        used = chunk.size
        read = 0
        total = result.total
        try:
            for row in rows:
                read += 1
                index = total
                total += 1
                try:
                    item = prepare(row)
                except (ValueError, TypeError) as exc:
                    result.total = total
                    self._refuse(index, row, exc)
                    continue
                try:
                    piece = encode(item)
                except ValueError:
                    result.total = total
                    self._refuse(index, row, ValueError(
                        "the row holds NaN or Infinity, which JSON cannot carry: it was not sent"
                    ))
                    continue
                except TypeError as exc:
                    result.total = total
                    self._refuse(index, row, exc)
                    continue
                size = len(piece) if piece.isascii() else utf8_size(piece)
                if size > largest:
                    result.total = total
                    self._refuse(index, row, self._too_large(index, size))
                    continue
                if used + size + 1 > max_bytes and chunk.indexes:
                    ready.append(chunk)
                    chunk.size = used
                    chunk = self.building = _Chunk(self.body_overhead)
                    used = chunk.size
                used += size + 1
                chunk.indexes.append(index)
                chunk.rows.append(row)
                chunk.items.append(item)
                chunk.pieces.append(piece)
                if len(chunk.pieces) >= chunk_size:
                    ready.append(chunk)
                    self.building = _Chunk(self.body_overhead)
                if ready:
                    break
        finally:
            result.total = total
            chunk.size = used
        return read

    def _too_large(self, index: int, size: int) -> RowTooLargeError:
        if self.max_row_bytes is not None and size > self.max_row_bytes:
            return RowTooLargeError(
                f"row {index} is {size} bytes of JSON, more than the table allows per row "
                f"({self.max_row_bytes} bytes = 4 KB × the table's factor): it was not sent"
            )
        return RowTooLargeError(
            f"row {index} is {size} bytes of JSON, more than max_bytes={self.max_bytes}: it was not sent"
        )

    def _refuse(self, index: int, row: Any, error: BaseException) -> None:
        """Fail a row locally (nothing sent); raises _Stop on fail_fast."""
        self._fail(index, row, error)
        self.progress.update(self.result.accounted)
        self._stop_if_failed()

    async def _queue_ready(self) -> None:
        ready = self.ready
        while ready:
            await self.queue.put(ready[0])
            # Only now is the chunk owned by the queue: until then a stop still finds it in ``ready``.
            del ready[0]

    # -- workers ----------------------------------------------------------------------------------

    async def work(self) -> None:
        while True:
            chunk = await self.queue.get()
            if chunk is None:
                return
            await self._send(chunk)
            self.progress.update(self.result.accounted)
            self._stop_if_failed()

    async def _send(self, chunk: _Chunk) -> None:
        idempotent = self.operation.idempotent(chunk.items)
        items = ChunkItems(chunk.items, ("[" + ",".join(chunk.pieces) + "]").encode(), idempotent)
        chunk.pieces = chunk.items = []  # the chunk's body and items hold them now
        key = id(chunk)
        self.in_flight[key] = chunk
        self.result.chunks += 1
        try:
            reply = await self.operation.send(self.transport, items, self.stats)
        except (BotpressError, ValueError, TypeError) as exc:
            del self.in_flight[key]
            unknown = not idempotent and outcome_unknown(exc)
            for index, row in chunk.entries():
                (self._uncertain if unknown else self._fail)(index, row, exc)
            return
        del self.in_flight[key]
        self._warn(reply.warnings, chunk.indexes)
        for position, message in sorted(reply.failed.items()):
            text, _ = input_row_message(message, chunk.indexes)
            self._fail(chunk.indexes[position], chunk.rows[position], RowRejectedError(text))
        if reply.unattributed is not None:
            error = RowRejectedError(reply.unattributed)
            for position, (index, row) in enumerate(chunk.entries()):
                if position not in reply.failed:
                    self._uncertain(index, row, error)
            return
        self.result.inserted += reply.inserted
        self.result.updated += reply.updated
        self.result.deleted += reply.deleted
        self.result.not_found += reply.not_found

    # -- after a fail-fast stop ---------------------------------------------------------------------

    def account_unsent(self) -> None:
        """Give an outcome to every row read but left without one by a fail-fast stop."""
        stopped = RuntimeError("not sent: the run stopped at its first failed row (fail_fast=True)")
        cancelled = APIConnectionError("cancelled in flight when the run stopped (fail_fast=True)")
        for chunk in self.in_flight.values():
            # Cancelled mid-call: the service may or may not have applied it.
            for index, row in chunk.entries():
                self.result.uncertain.append(FailedRow(index, row, cancelled))
        self.in_flight.clear()
        pending: list[_Chunk] = [*self.ready]
        self.ready.clear()
        while not self.queue.empty():
            queued = self.queue.get_nowait()
            if queued is not None:
                pending.append(queued)
        pending.append(self.building)
        self.building = _Chunk(self.body_overhead)
        for chunk in pending:
            for index, row in chunk.entries():
                self.result.failed.append(FailedRow(index, row, stopped))


async def run_bulk(
    rows: Iterable[Any] | AsyncIterable[Any],
    operation: BulkOperation,
    transport: Transport,
    *,
    chunk_size: int,
    max_rows_per_call: int,
    max_bytes: int,
    body_overhead: int,
    max_row_bytes: int | None,
    concurrency: int,
    on_progress: Callable[[int, int | None], Any] | None = None,
    progress: bool = False,
    fail_fast: bool = False,
    description: str = "rows",
) -> BulkResult:
    """Run ``operation`` over ``rows`` in chunks, at most ``concurrency`` calls in flight.

    Args:
        rows: the input; read once, lazily. A sized input gives ``on_progress`` its total.
        operation: how rows are checked, encoded and sent.
        transport: the client's transport (its pool, limiter and retry policy are used).
        chunk_size: the most rows per call, 1..``max_rows_per_call``.
        max_rows_per_call: the API's limit of rows (or ids) per call, which ``chunk_size`` may not
            exceed (the Tables API's is 1000).
        max_bytes: the most bytes of JSON body per call.
        body_overhead: bytes of the body around a chunk's rows (``{"rows":[`` … ``]}`` and any other
            field the operation adds), counted against ``max_bytes``.
        max_row_bytes: rows whose JSON is larger fail locally; None for no per-row limit.
        concurrency: the most calls in flight at once.
        on_progress: called as ``on_progress(done, total_or_None)`` after each chunk.
        progress: show a tqdm bar (needs the ``progress`` extra).
        fail_fast: stop at the first failed row and raise :class:`BulkError`.
        description: the bar's label.

    Returns:
        The :class:`BulkResult`; every row read is in exactly one of its outcomes.

    Raises:
        BulkError: ``fail_fast=True`` and a row failed (its ``result`` accounts for the rows read).
        ImportError: ``progress=True`` without tqdm installed.
        asyncio.CancelledError: the caller was cancelled; in-flight calls are cancelled and awaited,
            and the error is re-raised as it came (no result): chunks already sent may still be
            applied by the service. ``on_progress`` is the way to follow how far a run got.
    """
    if not 1 <= chunk_size <= max_rows_per_call:
        raise ValueError(
            f"chunk_size must be in 1..{max_rows_per_call} (the API's limit per call), got {chunk_size}"
        )
    if not 0 <= body_overhead < max_bytes:
        raise ValueError(f"body_overhead must be in 0..max_bytes-1, got {body_overhead}")
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    if max_bytes < 1024:
        raise ValueError(f"max_bytes must be at least 1024, got {max_bytes}")
    if isinstance(rows, (str, bytes, Mapping)):
        raise TypeError(f"rows must be an iterable of rows, not a single {type(rows).__name__}")
    total = len(rows) if isinstance(rows, Sized) else None
    reporter = _Progress(on_progress, progress, total, description)
    started = time.monotonic()
    run = _Run(
        operation, transport, chunk_size=chunk_size, max_bytes=max_bytes, max_row_bytes=max_row_bytes,
        body_overhead=body_overhead, concurrency=concurrency, fail_fast=fail_fast, progress=reporter,
    )
    stopped = False
    try:
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(concurrency):
                    group.create_task(run.work())
                group.create_task(run.produce(rows))
        except BaseExceptionGroup as errors:
            _, rest = errors.split(_Stop)
            if rest is not None:
                # An error of the input (a generator that raised) or of on_progress: the caller's own.
                error = rest.exceptions[0] if len(rest.exceptions) == 1 else rest
                raise error from error.__cause__
            stopped = True
            run.account_unsent()
        result = run.result
        result.failed.sort(key=lambda failure: failure.index)
        result.uncertain.sort(key=lambda failure: failure.index)
        result.retries = run.stats.retries
        result.rate_limited = run.stats.rate_limited
        result.waited_seconds = run.stats.waited
        result.elapsed = time.monotonic() - started
        if result.accounted != result.total:
            raise AssertionError(
                f"bulk accounting broken: {result.accounted} outcomes for {result.total} rows read"
            )
        reporter.update(result.accounted)
    finally:
        reporter.close()
    if stopped:
        cause = run.first_error
        raise BulkError(
            f"bulk run stopped at its first failed row (fail_fast=True): {cause}", result
        ) from cause
    return result
