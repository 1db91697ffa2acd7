"""Property: whatever two bots do on one emulator, neither ever sees the other's data.

Hypothesis draws a sequence of operations, each by bot A or bot B: users, conversations and messages
(with tags drawn from a tiny alphabet, so both bots use the same tags), bot and user states under the
same names, tables with the same names and rows with the same keys, get-or-create by the same tags, and
reads of the other bot's ids. A model of what each bot wrote is kept; at the end every list, get and
find of each bot must show exactly its own model, and every id of the other bot must be 404.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import bot_id, fast_client

from botpress_async import Client, ResourceNotFoundError
from botpress_async.emulator import Emulator
from botpress_async.models import table_schema

_value = st.sampled_from(["x", "y", "שלום", "👋🏽"])
_name = st.sampled_from(["a", "b"])
_table = st.sampled_from(["sharedTable", "otherTable"])
_bot = st.sampled_from([0, 1])
_ops = st.one_of(
    st.tuples(st.just("user"), _bot, _value),
    st.tuples(st.just("get_or_create_user"), _bot, _value),
    st.tuples(st.just("conversation"), _bot, _value),
    st.tuples(st.just("message"), _bot, _value),
    st.tuples(st.just("bot_state"), _bot, _name, _value),
    st.tuples(st.just("user_state"), _bot, _name, _value),
    st.tuples(st.just("row"), _bot, _table, _value),
    st.tuples(st.just("peek"), _bot, _value),
)
SCHEMA = table_schema({"code": "string"})


@attrs.define
class Model:
    """What one bot wrote."""

    users: dict[str, str] = attrs.field(factory=dict)  # id -> tag value
    conversations: list[str] = attrs.field(factory=list)
    messages: dict[str, str] = attrs.field(factory=dict)  # id -> conversation id
    bot_states: dict[str, str] = attrs.field(factory=dict)  # name -> payload value
    user_states: dict[tuple[str, str], str] = attrs.field(factory=dict)  # (user id, name) -> value
    tables: dict[str, set[str]] = attrs.field(factory=dict)  # name -> codes


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator() as emu:
        yield emu


async def _apply(op: tuple[Any, ...], bp: Client, mine: Model, theirs: Model) -> None:
    kind, _, *args = op
    if kind == "user":
        user = await bp.users.create(tags={"k": args[0]})
        mine.users[user.id] = args[0]
    elif kind == "get_or_create_user":
        user = await bp.users.get_or_create(tags={"k": args[0]})
        assert user.id not in theirs.users
        if user.id in mine.users:
            assert mine.users[user.id] == args[0]
        mine.users[user.id] = args[0]
    elif kind == "conversation":
        conversation = await bp.conversations.create(channel="web", tags={"k": args[0]})
        mine.conversations.append(conversation.id)
    elif kind == "message":
        if not mine.users or not mine.conversations:
            return
        user_id, conversation_id = next(iter(mine.users)), mine.conversations[-1]
        message = await bp.messages.create(conversation_id=conversation_id, user_id=user_id, type="text",
                                           payload={"text": args[0]}, tags={"k": args[0]})
        mine.messages[message.id] = conversation_id
    elif kind == "bot_state":
        # Both bots use the same owner id and names: only x-bot-id tells them apart.
        await bp.states.set("bot", "shared", args[0], {"v": args[1]})
        mine.bot_states[args[0]] = args[1]
    elif kind == "user_state":
        if mine.users:
            user_id = next(iter(mine.users))
            await bp.states.set("user", user_id, args[0], {"v": args[1]})
            mine.user_states[(user_id, args[0])] = args[1]
    elif kind == "row":
        table, value = args
        await bp.tables.get_or_create(table, schema=SCHEMA)
        await bp.tables.upsert_rows(table, [{"code": value}], key_column="code")
        mine.tables.setdefault(table, set()).add(value)
    elif kind == "peek":
        await _assert_unreachable(bp, theirs, mine)


async def _assert_unreachable(bp: Client, theirs: Model, mine: Model) -> None:
    """Every id the other bot made is 404 for this one, and so are its tables."""
    for user_id in list(theirs.users)[-2:]:
        with pytest.raises(ResourceNotFoundError):
            await bp.users.get(user_id)
        for (owner, name) in theirs.user_states:
            if owner == user_id:
                with pytest.raises(ResourceNotFoundError):
                    await bp.states.get("user", owner, name)
    for conversation_id in theirs.conversations[-2:]:
        with pytest.raises(ResourceNotFoundError):
            await bp.conversations.get(conversation_id)
    for message_id in list(theirs.messages)[-2:]:
        with pytest.raises(ResourceNotFoundError):
            await bp.messages.get(message_id)
    for table in theirs.tables.keys() - mine.tables.keys():
        with pytest.raises(ResourceNotFoundError):
            await bp.tables.get(table)


async def _assert_sees_exactly(bp: Client, mine: Model) -> None:
    assert {u.id: u.tags.get("k") async for u in bp.users.list()} == mine.users
    assert {c.id async for c in bp.conversations.list()} == set(mine.conversations)
    assert {m.id: m.conversation_id async for m in bp.messages.list()} == mine.messages
    for value in ("x", "👋🏽"):
        tagged = {u.id async for u in bp.users.list(tags={"k": value})}
        assert tagged == {user_id for user_id, v in mine.users.items() if v == value}
    for name in ("a", "b"):
        if name in mine.bot_states:
            assert (await bp.states.get("bot", "shared", name)).payload == {"v": mine.bot_states[name]}
        else:
            with pytest.raises(ResourceNotFoundError):
                await bp.states.get("bot", "shared", name)
    for (owner, name), value in mine.user_states.items():
        assert (await bp.states.get("user", owner, name)).payload == {"v": value}
    assert {t.name for t in await bp.tables.list()} == mine.tables.keys()
    for table, codes in mine.tables.items():
        found = [r["code"] async for r in bp.tables.find_rows(table)]
        assert sorted(found) == sorted(codes)  # each code once: both bots' upserts never merge


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(_ops, min_size=1, max_size=25))
async def test_two_bots_never_see_each_others_data(emulator: Emulator, ops: list[tuple[Any, ...]]) -> None:
    bots = [bot_id(), bot_id()]  # fresh bots for each example: the emulator is shared between examples
    models = [Model(), Model()]
    async with fast_client(emulator.url, emulator.token, bots[0]) as a, \
            fast_client(emulator.url, emulator.token, bots[1]) as b:
        clients = [a, b]
        for op in ops:
            who = op[1]
            await _apply(op, clients[who], models[who], models[1 - who])
        for who in (0, 1):
            await _assert_sees_exactly(clients[who], models[who])
            await _assert_unreachable(clients[who], models[1 - who], models[who])
