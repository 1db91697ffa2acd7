"""The main job, end to end: ``botpress-async demo`` (and ``make demo``).

What it does, checking every step (any check that fails ends the run with exit code 1 and a one-line
reason):

1. loads ``airports.csv`` (3,376 US airports, shipped in :mod:`botpress_async.datasets`);
2. ``get_or_create`` the table ``airportsTable`` (key column ``iata``); a table of that name that
   already exists is checked against the columns the demo needs: missing columns are added
   (``tables.update`` with a schema patch), a column of another type or another key column stops the
   demo with the reason. Then ``bulk_upsert`` every airport keyed on ``iata`` with a progress bar,
   showing the server's warnings if any; a second run updates the rows instead of duplicating them
   (it reports 0 new rows);
3. queries: the airports of one state ordered by name (``async for`` over ``find_rows``), a group by
   state with counts (top 5), a search;
4. a chat flow as a bot runs it: get-or-create the user and the conversation, add the participant, an
   incoming user message, a bot reply computed from the table (authored by the bot itself: ``user_id``
   = the bot id, an outgoing message), the conversation state saved and read back, the transcript
   listed with ``async for``;
5. a short summary.

Target: an emulator embedded in this process (``botpress_async.emulator.Emulator``) on a SQLite file
under the user's cache directory, so a second run sees the first run's rows; or the API at
``BP_API_URL`` (Botpress Cloud, or an emulator you started) when ``BP_API_URL``, ``BP_TOKEN`` and
``BP_BOT_ID`` are all set. With only some of them set, it says so and uses the embedded emulator.
"""

from __future__ import annotations

import asyncio
import collections
import csv
import os
import re
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs

from botpress_async._client import Client
from botpress_async._config import DEFAULT_BASE_URL
from botpress_async.datasets import AIRPORTS_CSV, open_dataset
from botpress_async.errors import APIError
from botpress_async.models import Row, Table, columns, table_schema

__all__ = [
    "DEMO_BOT_ID",
    "TABLE_NAME",
    "DemoFailed",
    "DemoSummary",
    "answer_question",
    "default_db_path",
    "load_airports",
    "partial_target_hint",
    "progress_bar_available",
    "run",
    "run_demo",
    "schema_patch",
    "target_label",
    "warning_lines",
]

#: The table the demo fills.
TABLE_NAME = "airportsTable"
#: The bot id the demo uses against the embedded emulator (a UUID, as Botpress bot ids are).
DEMO_BOT_ID = "5f1c2a0e-7d3b-4c8e-9a61-0b7e4d2c9f10"
#: The question the demo user asks, and the state it is about.
QUESTION = "Which airports are in Alaska?"
QUERY_STATE = "AK"
SEARCH_TEXT = "Anchorage International"
SEARCH_EXPECTED_IATA = "ANC"
#: The columns searched (semantic search).
SEARCHABLE = ("name", "city")
#: How many of the server's warnings the report shows (all are counted).
WARNINGS_SHOWN = 3
#: The variables that point the demo at an API instead of the embedded emulator.
TARGET_VARIABLES = ("BP_API_URL", "BP_TOKEN", "BP_BOT_ID")

AIRPORT_COLUMNS: dict[str, str] = {
    "iata": "string",
    "name": "string",
    "city": "string",
    "state": "string",
    "country": "string",
    "latitude": "number",
    "longitude": "number",
}

# Two-letter codes of the states and territories in the dataset, for the bot to read questions.
STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana",
    "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
    "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
    "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah",
    "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico", "VI": "Virgin Islands", "GU": "Guam", "AS": "American Samoa",
}  # fmt: skip


class DemoFailed(Exception):
    """A step of the demo did not check out; the message is the one-line reason."""


def check(condition: bool, reason: str) -> None:
    """Raise :class:`DemoFailed` with ``reason`` unless ``condition`` holds."""
    if not condition:
        raise DemoFailed(reason)


@attrs.frozen
class DemoSummary:
    """What a demo run did.

    Attributes:
        target: where it ran ("embedded emulator (...)" or "Botpress Cloud (...)").
        rows: rows in the dataset.
        inserted, updated, failed: the bulk upsert's accounting.
        warnings: distinct warnings the server answered during the bulk upsert.
        seconds: wall time of the bulk upsert, in seconds.
        state_count: airports found for the queried state.
        top_states: the five states with most airports, (code, count).
        search_hits: iata codes the search returned, best first.
        answer: the bot's reply.
        transcript: messages in the conversation after this run.
    """

    target: str
    rows: int
    inserted: int
    updated: int
    failed: int
    warnings: int
    seconds: float
    state_count: int
    top_states: list[tuple[str, int]]
    search_hits: list[str]
    answer: str
    transcript: int

    @property
    def rows_per_second(self) -> float:
        """Upserted rows per second."""
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


def default_db_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the embedded emulator keeps the demo's data: ``$XDG_CACHE_HOME/botpress-async/demo.db``.

    Args:
        environ: the environment to read (default ``os.environ``).

    Returns:
        The path (its directory is not created here).
    """
    env = os.environ if environ is None else environ
    cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "botpress-async" / "demo.db"


def load_airports() -> list[dict[str, Any]]:
    """The shipped airports dataset as table rows (latitude and longitude as floats).

    Returns:
        One dict per airport with the keys of :data:`AIRPORT_COLUMNS`.

    Raises:
        DemoFailed: the file does not hold the 3,376 airports with unique iata codes.
    """
    with open_dataset(AIRPORTS_CSV) as f:
        reader = csv.DictReader(f, strict=True)
        check(list(reader.fieldnames or []) == list(AIRPORT_COLUMNS), f"unexpected header in {AIRPORTS_CSV}")
        rows = [{**r, "latitude": float(r["latitude"]), "longitude": float(r["longitude"])} for r in reader]
    check(len(rows) == 3376, f"{AIRPORTS_CSV} has {len(rows)} rows, expected 3376")
    check(len({r["iata"] for r in rows}) == len(rows), f"{AIRPORTS_CSV} has duplicate iata codes")
    return rows


def schema_patch(table: Table, schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema patch that gives an existing table the columns of ``schema``, for ``tables.update``.

    ``get_or_create`` returns a table that already exists as it is, whatever schema it was asked
    for; rows written with columns the table lacks lose those values (the server only warns). This
    compares the table with the schema the demo needs.

    Args:
        table: the existing table.
        schema: the wanted JSON schema (from :func:`~botpress_async.models.table_schema`).

    Returns:
        Column name → column JSON schema, for each column the table lacks and each column of the
        right type that should be searchable but is not (neither change touches existing values);
        empty when the table has everything.

    Raises:
        DemoFailed: a column exists with another type (changing it would reset its values), named
            with both types.
    """
    have = columns(table)
    want = columns(schema)
    conflicts = [
        f"column {name!r} is {have[name].type}, the demo needs {column.type}"
        for name, column in want.items()
        if name in have and have[name].type != column.type
    ]
    check(
        not conflicts,
        f"{table.name} exists with other column types ({'; '.join(conflicts)}): delete it, "
        "or run the demo on another database (--db)",
    )
    wanted_properties: Mapping[str, Any] = schema["properties"]
    return {
        name: wanted_properties[name]
        for name, column in want.items()
        if name not in have or (column.searchable and not have[name].searchable)
    }


def state_in_question(text: str) -> str | None:
    """The two-letter state code a question is about ("airports in Alaska?" → "AK"), or None."""
    lowered = text.lower()
    # Longest names first, so "West Virginia" wins over "Virginia".
    for code, name in sorted(STATE_NAMES.items(), key=lambda item: -len(item[1])):
        if re.search(rf"\b{re.escape(name.lower())}\b", lowered):
            return code
    codes: list[str] = re.findall(r"\b[A-Z]{2}\b", text)
    return next((code for code in codes if code in STATE_NAMES), None)


async def answer_question(bp: Client, text: str) -> tuple[str, int]:
    """The bot's side: answer "which airports are in <state>?" from the table.

    Counts the state's airports with a group query and names the first five by name.

    Args:
        bp: the client.
        text: the user's message.

    Returns:
        (the reply text, the number of airports found; -1 when the question names no state).
    """
    code = state_in_question(text)
    if code is None:
        return "Ask me which airports are in a US state, e.g. 'Which airports are in Alaska?'", -1
    flt = {"state": {"$eq": code}}
    groups = await bp.tables.find_rows(TABLE_NAME, filter=flt, group={"state": "key", "iata": "count"})
    count = int(groups.rows[0]["iataCount"]) if groups.rows else 0
    first = await bp.tables.find_rows(TABLE_NAME, filter=flt, order_by="name", limit=5)
    names = ", ".join(f"{r['name']} ({r['iata']})" for r in first.rows)
    name = STATE_NAMES[code]
    if count == 0:
        return f"I know no airport in {name}.", 0
    return f"{name} ({code}) has {count} airports in {TABLE_NAME}. The first by name: {names}.", count


def _print(out: TextIO, text: str = "") -> None:
    print(text, file=out, flush=True)


def _is_sorted_by_name(names: Sequence[str]) -> bool:
    # The emulator sorts by code point; a hosted database may use a locale collation.
    return list(names) == sorted(names) or list(names) == sorted(names, key=str.casefold)


async def run_demo(
    bp: Client,
    *,
    target: str,
    progress: bool = True,
    out: TextIO = sys.stdout,
) -> DemoSummary:
    """Run every step of the demo with a ready client.

    Args:
        bp: an open client (emulator or Botpress Cloud).
        target: how to name the target in the output.
        progress: show a progress bar during the bulk upsert (tqdm, on stderr).
        out: where the report goes.

    Returns:
        The :class:`DemoSummary`.

    Raises:
        DemoFailed: a step did not check out.
        BotpressError: a call failed (after the client's retries).
    """
    _print(out, f"botpress-async demo against {target}")

    # 1. The dataset.
    airports = load_airports()
    by_state = collections.Counter(a["state"] for a in airports)
    _print(out, f"[1/5] dataset: {len(airports):,} airports from {AIRPORTS_CSV} (vega_datasets 0.9.0)")

    # 2. The table and the bulk upsert.
    schema = table_schema(AIRPORT_COLUMNS, searchable=SEARCHABLE, key_column="iata")
    got = await bp.tables.get_or_create(TABLE_NAME, schema=schema, key_column="iata")
    before = int(got.rows)
    check(got.table.key_column == "iata", f"{TABLE_NAME} exists with key column {got.table.key_column!r}")
    _print(out, f"[2/5] table {TABLE_NAME}: {'created' if got.created else 'found'} ({before:,} rows)")
    patch = {} if got.created else schema_patch(got.table, schema)
    if patch:
        # An older table of that name (e.g. made by another script) lacks columns: add them.
        try:
            updated_table = (await bp.tables.update(TABLE_NAME, schema=patch)).table
        except APIError as exc:  # e.g. a frozen table
            raise DemoFailed(
                f"{TABLE_NAME} lacks columns the demo needs ({', '.join(patch)}) and could not be patched: "
                f"{exc.type}: {exc.message}"
            ) from None
        still = schema_patch(updated_table, schema)
        check(not still, f"{TABLE_NAME}: the schema patch did not add {', '.join(still)}")
        existing = columns(got.table)
        added = [n for n in patch if n not in existing]
        searchable = [n for n in patch if n in existing]
        changes = [
            *([f"added {', '.join(added)}"] if added else []),
            *([f"made {', '.join(searchable)} searchable"] if searchable else []),
        ]
        _print(out, f"      it lacked what the demo needs; patched with tables.update: {'; '.join(changes)}")
    _print(out, "      bulk_upsert keyed on iata …")
    started = time.perf_counter()
    result = await bp.tables.bulk_upsert(
        TABLE_NAME, airports, key_column="iata", concurrency=4, progress=progress and progress_bar_available()
    )
    seconds = time.perf_counter() - started
    inserted, updated = result.inserted, result.updated
    failures = [*result.failed, *result.uncertain]
    failed = len(failures)
    for line in warning_lines(result.warnings):
        _print(out, line)
    check(failed == 0, f"bulk_upsert: {failed} rows failed (first: {failures[0].error if failures else ''})")
    check(
        inserted + updated == len(airports),
        f"bulk_upsert accounted for {inserted + updated} rows of {len(airports)}",
    )
    after = int((await bp.tables.get(TABLE_NAME)).rows)
    check(
        after == before + inserted, f"table grew from {before} to {after} rows but {inserted} were inserted"
    )
    check(after == len(airports), f"{TABLE_NAME} holds {after} rows, expected {len(airports)} (duplicates?)")
    _print(
        out,
        f"      {inserted:,} new rows, {updated:,} updated, {failed} failed, "
        f"{len(result.warnings) + result.warnings_omitted} server warnings in {seconds:.2f} s "
        f"({len(airports) / max(seconds, 1e-9):,.0f} rows/s); the table holds {after:,} rows",
    )

    # 3. Queries.
    name = STATE_NAMES[QUERY_STATE]
    names: list[str] = []
    iatas: set[str] = set()
    async for row in bp.tables.find_rows(TABLE_NAME, filter={"state": {"$eq": QUERY_STATE}}, order_by="name"):
        names.append(row["name"])
        iatas.add(row["iata"])
    expected = {a["iata"] for a in airports if a["state"] == QUERY_STATE}
    check(
        iatas == expected, f"find_rows state={QUERY_STATE}: {len(iatas)} airports, expected {len(expected)}"
    )
    check(_is_sorted_by_name(names), f"find_rows state={QUERY_STATE} order_by=name: rows are not sorted")
    _print(
        out,
        f"[3/5] {name}: {len(names)} airports by name (async for over find_rows): {names[0]} … {names[-1]}",
    )

    groups = await bp.tables.find_rows(TABLE_NAME, group={"state": "key", "iata": "count"}, limit=1000)
    counts = {str(g["stateKey"]): int(g["iataCount"]) for g in groups.rows}
    check(counts == dict(by_state), "group by state: the counts differ from the dataset's")
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    check(top == sorted(by_state.items(), key=lambda kv: (-kv[1], kv[0]))[:5], "group by state: wrong top 5")
    _print(out, "      top 5 states (group by state, count): " + ", ".join(f"{s} {n}" for s, n in top))

    hits = await _search(bp, SEARCH_TEXT)
    check(SEARCH_EXPECTED_IATA in [h["iata"] for h in hits], f"search {SEARCH_TEXT!r}: ANC not in the top 5")
    best = hits[0]
    _print(
        out,
        f"      search {SEARCH_TEXT!r}: {best['iata']} {best.get('name')}, {best.get('city')} "
        f"(similarity {best.similarity if best.similarity is not None else 'n/a'}); {len(hits)} hits",
    )

    # 4. The chat flow, as a bot runs it.
    user = await bp.users.get_or_create(tags={"demo": "airports-traveller"}, name="Demo traveller")
    conv = await bp.conversations.get_or_create(channel="channel", tags={"demo": "airports"})
    await bp.conversations.add_participant(conv.id, user_id=user.id)
    participants = [p.id async for p in bp.conversations.list_participants(conv.id)]
    check(user.id in participants, "add_participant: the user is not a participant of the conversation")
    # An incoming message is recorded with get_or_create (as integrations do), keyed by a turn tag.
    incoming = await bp.messages.get_or_create(
        conversation_id=conv.id,
        user_id=user.id,
        type="text",
        payload={"text": QUESTION},
        tags={"turn": uuid.uuid4().hex},
    )
    reply_text, found = await answer_question(bp, str(incoming.payload["text"]))
    check(
        found == by_state[QUERY_STATE], f"the bot answered {found} airports, expected {by_state[QUERY_STATE]}"
    )
    # The bot replies as itself (user_id = its bot id): an outgoing message.
    reply = await bp.messages.create(
        conversation_id=conv.id, user_id=bp.bot_id, type="text", payload={"text": reply_text}, tags={}
    )
    check(
        (incoming.direction, reply.direction) == ("incoming", "outgoing"),
        f"message directions: the user's is {incoming.direction}, the bot's is {reply.direction}",
    )
    context = {"lastQuestion": QUESTION, "state": QUERY_STATE, "airports": found, "replyId": reply.id}
    await bp.states.set("conversation", conv.id, "context", payload=context, expiry=3_600_000)
    saved = await bp.states.get("conversation", conv.id, "context")
    check(saved.payload == context, "conversation state: the payload read back differs from the one saved")
    transcript = [m async for m in bp.messages.list(conversation_id=conv.id)]
    ids = [m.id for m in transcript]
    check(incoming.id in ids and reply.id in ids, "transcript: the new messages are not listed")
    _print(out, f"[4/5] chat: user {user.id}, conversation {conv.id} (participant added)")
    _print(out, f"      user> {QUESTION}")
    _print(out, f"      bot > {reply_text}")
    _print(out, f"      state conversation/context saved and read back: {saved.payload}")
    _print(out, f"      transcript (async for over messages.list): {len(transcript)} messages; the latest:")
    for m in reversed(transcript[:2]):  # newest first on the wire; shown oldest first
        text = str(m.payload.get("text", ""))
        _print(
            out,
            f"        {m.created_at:%H:%M:%S} {m.direction:<8} {text[:70]}{'…' if len(text) > 70 else ''}",
        )

    summary = DemoSummary(
        target=target,
        rows=len(airports),
        inserted=inserted,
        updated=updated,
        failed=failed,
        warnings=len(result.warnings) + result.warnings_omitted,
        seconds=seconds,
        state_count=len(names),
        top_states=top,
        search_hits=[h["iata"] for h in hits],
        answer=reply_text,
        transcript=len(transcript),
    )
    _print(
        out,
        f"[5/5] summary: {summary.rows:,} rows ({summary.inserted:,} new, {summary.updated:,} updated, "
        f"{summary.warnings} server warnings, {summary.rows_per_second:,.0f} rows/s); "
        f"answers: {name} {summary.state_count}, "
        f"top state {top[0][0]} {top[0][1]}, search → {summary.search_hits[0]}; "
        f"transcript {summary.transcript} messages. Every step checked out.",
    )
    return summary


def warning_lines(warnings: Sequence[str], shown: int = WARNINGS_SHOWN) -> list[str]:
    """The report lines for the server's warnings: their count, then the first ``shown`` of them.

    Args:
        warnings: the distinct warnings (``BulkResult.warnings``).
        shown: how many to quote.

    Returns:
        No line when there is no warning.
    """
    if not warnings:
        return []
    more = f" (the first {shown})" if len(warnings) > shown else ""
    return [
        f"      the server answered {len(warnings):,} warnings{more}:",
        *(f"        warning: {w}" for w in warnings[:shown]),
    ]


async def _search(bp: Client, text: str) -> list[Row]:
    """The five best search hits, best first; waits a little for a hosted table's search index."""
    for attempt in range(10):
        page = await bp.tables.find_rows(TABLE_NAME, search=text, limit=5)
        hits = sorted(page.rows, key=lambda r: -(r.similarity or 0.0))
        if any(h["iata"] == SEARCH_EXPECTED_IATA for h in hits) or attempt == 9:
            return hits
        # Botpress Cloud indexes new rows for search in the background.
        await asyncio.sleep(2.0)
    return []  # pragma: no cover


def progress_bar_available() -> bool:
    """True when tqdm is installed (``bulk_upsert(progress=True)`` needs it: the ``progress`` extra)."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def cloud_configured(environ: Mapping[str, str]) -> bool:
    """True when ``BP_API_URL``, ``BP_TOKEN`` and ``BP_BOT_ID`` are all set (the demo then uses them)."""
    return all(environ.get(k) for k in TARGET_VARIABLES)


def target_label(base_url: str) -> str:
    """How the report names an API: "Botpress Cloud (URL)" for the Cloud's URL, else "the API at URL"."""
    if base_url.rstrip("/") == DEFAULT_BASE_URL:
        return f"Botpress Cloud ({DEFAULT_BASE_URL})"
    return f"the API at {base_url}"


def partial_target_hint(environ: Mapping[str, str]) -> str | None:
    """A note when some but not all of BP_API_URL, BP_TOKEN, BP_BOT_ID are set, else None."""
    present = [k for k in TARGET_VARIABLES if environ.get(k)]
    if not present or len(present) == len(TARGET_VARIABLES):
        return None
    missing = [k for k in TARGET_VARIABLES if k not in present]
    return (
        f"note: {' and '.join(present)} set but not {' and '.join(missing)}: using the embedded emulator "
        f"(set all of {', '.join(TARGET_VARIABLES)} to run against an API, e.g. "
        f"BP_API_URL={DEFAULT_BASE_URL})"
    )


async def run(
    *,
    db: Path | None = None,
    progress: bool = True,
    environ: Mapping[str, str] | None = None,
    out: TextIO = sys.stdout,
) -> DemoSummary:
    """Run the demo against the API at BP_API_URL (all BP_* set) or an embedded emulator on ``db``.

    Args:
        db: the emulator's SQLite file (default :func:`default_db_path`); its directory is created.
        progress: show a progress bar during the bulk upsert.
        environ: the environment (default ``os.environ``).
        out: where the report goes.

    Returns:
        The :class:`DemoSummary`.

    Raises:
        DemoFailed: a step did not check out.
        BotpressError, OSError: a call or the database failed.
    """
    env = os.environ if environ is None else environ
    if cloud_configured(env):
        async with Client(environ=env) as bp:
            return await run_demo(bp, target=target_label(env["BP_API_URL"]), progress=progress, out=out)
    hint = partial_target_hint(env)
    if hint is not None:
        _print(out, hint)

    from botpress_async.emulator import Emulator

    path = db if db is not None else default_db_path(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    async with (
        Emulator(db=str(path)) as emu,
        Client(token=emu.token, bot_id=DEMO_BOT_ID, base_url=emu.url, environ={}) as bp,
    ):
        return await run_demo(
            bp, target=f"the embedded emulator at {emu.url} (db {path})", progress=progress, out=out
        )
