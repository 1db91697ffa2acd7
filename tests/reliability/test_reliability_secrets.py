"""Secrets: with DEBUG logging everywhere, the integration flows never show the token.

One flow drives every resource the way an application does, against an emulator that refuses a fifth
of the requests with 429 (so retries and their log lines happen): users, conversations, messages,
states, tables, a bulk upsert, a 404, a 401 from a client holding a wrong token, and a transport
failure. Everything it produced is then searched for both tokens: the log records of every logger
(message, arguments and extra fields), and str/repr of the client, its config, its views, every result
and every error (args, attributes, chained causes and the formatted traceback).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator
from typing import Any

import attrs
import pytest
from reliability_helpers import TOKEN, bot_id, coded_rows, fast_client

from botpress_async.emulator import Emulator
from botpress_async.errors import (
    APIConnectionError,
    BotpressError,
    ResourceNotFoundError,
    UnauthorizedError,
)
from botpress_async.models import table_schema

WRONG_TOKEN = "bp_pat_WRONG_SECRET_9876543210zyxwvutsrqponmlkji"
SECRETS = (TOKEN, WRONG_TOKEN)


@attrs.define
class Flow:
    """What a run of the flow produced."""

    records: list[logging.LogRecord]
    objects: list[Any]
    errors: list[BaseException]
    rate_limited: int


def _shown(error: BaseException) -> str:
    """Everything an error can show: str, repr, args, attributes, the traceback, for it and its causes."""
    parts = ["".join(traceback.format_exception(error))]
    seen: BaseException | None = error
    while seen is not None:
        parts += [str(seen), repr(seen), repr(seen.args), repr(vars(seen))]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def _record_text(record: logging.LogRecord) -> str:
    return "\n".join([record.getMessage(), repr(record.args), repr(vars(record))])


async def _run_flow(emulator: Emulator, bot: str) -> tuple[list[Any], list[BaseException], int]:
    objects: list[Any] = []
    errors: list[BaseException] = []
    async with fast_client(emulator.url, emulator.token, bot) as bp:
        view = bp.with_options(timeout=5)
        objects += [emulator, bp, bp.config, view, view.config]
        user = await bp.users.create(tags={"email": "a@example.com"})
        conversation = await bp.conversations.create(channel="web", tags={})
        message = await bp.messages.create(conversation_id=conversation.id, user_id=user.id, type="text",
                                           payload={"text": "hello"}, tags={})
        state = await bp.states.set("user", user.id, "profile", {"step": 1})
        objects += [user, conversation, message, state, await bp.users.get(user.id)]
        objects += [u async for u in bp.users.list()] + [m async for m in bp.messages.list()]
        table = await bp.tables.create("secretsTable", schema=table_schema({"code": "string", "n": "number"}))
        rows = await bp.tables.upsert_rows("secretsTable", [{"code": "A", "n": 1}], key_column="code")
        bulk = await bp.tables.bulk_upsert("secretsTable", coded_rows(500), key_column="code", chunk_size=50)
        partial = await bp.tables.bulk_upsert("secretsTable", [{"code": "B", "n": float("nan")}],
                                              key_column="code")
        page = await bp.tables.find_rows("secretsTable", limit=10)
        objects += [table, rows, bulk, partial, *partial.failed, page, *page.rows, bp.rate_limit_stats]
        for call in (bp.users.get("user_01MISSINGMISSINGMISSING0000"), bp.tables.get("missingTable")):
            with pytest.raises(ResourceNotFoundError) as missing:
                await call
            errors.append(missing.value)
        rate_limited = bp.rate_limit_stats.rate_limited
    async with fast_client(emulator.url, WRONG_TOKEN, bot) as wrong:
        objects += [wrong, wrong.config]
        with pytest.raises(UnauthorizedError) as unauthorized:
            await wrong.users.create(tags={})
        errors.append(unauthorized.value)
    async with fast_client("http://127.0.0.1:9", TOKEN, bot) as nowhere:  # nothing listens on port 9
        with pytest.raises(APIConnectionError) as refused:
            await nowhere.users.get("user_x")
        errors.append(refused.value)
    return objects, errors, rate_limited


@pytest.fixture
async def flow(caplog: pytest.LogCaptureFixture) -> AsyncIterator[Flow]:
    caplog.set_level(logging.DEBUG)  # the root logger: aiohttp's, asyncio's and the emulator's records too
    caplog.set_level(logging.DEBUG, logger="botpress_async")
    async with Emulator(token=TOKEN, faults="429=0.2:1s", fault_seed=1) as emulator:
        objects, errors, rate_limited = await _run_flow(emulator, bot_id())
    yield Flow(list(caplog.records), objects, errors, rate_limited)


async def test_the_flow_really_ran_with_debug_logs_retried_429s_and_every_error(flow: Flow) -> None:
    assert flow.rate_limited > 0
    assert any(r.name == "botpress_async" and r.levelno == logging.DEBUG for r in flow.records)
    assert any(r.getMessage().startswith("retrying ") for r in flow.records)
    assert [type(e) for e in flow.errors] == [ResourceNotFoundError, ResourceNotFoundError, UnauthorizedError,
                                              APIConnectionError]


async def test_no_log_record_of_any_logger_holds_a_token(flow: Flow) -> None:
    for record in flow.records:
        text = _record_text(record)
        for secret in SECRETS:
            assert secret not in text, f"{record.name}: {record.getMessage()}"


async def test_no_repr_or_str_of_a_client_config_or_result_holds_a_token(flow: Flow) -> None:
    for thing in flow.objects:
        for secret in SECRETS:
            assert secret not in repr(thing) and secret not in str(thing), type(thing).__name__


async def test_no_error_shows_a_token_in_str_repr_args_attributes_or_traceback(flow: Flow) -> None:
    for error in flow.errors:
        assert isinstance(error, BotpressError)
        for secret in SECRETS:
            assert secret not in _shown(error), type(error).__name__
