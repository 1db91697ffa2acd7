"""The client's beyond-1.70.2 arguments (what the official client 1.45 sends) against the emulator.

page_size, min/max_message_count, properties, patch expiry and observations.capture over real sockets:
the emulator serves them (``botpress_async/emulator/beyond_spec.py``), so each test checks the effect.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from botpress_async import Client
from botpress_async.emulator import Emulator, ManualClock
from botpress_async.errors import InvalidPayloadError, ResourceNotFoundError


async def test_page_size_5_gives_pages_of_5_until_the_last(botpress_client: Client) -> None:
    made = {(await botpress_client.users.create(tags={})).id for _ in range(12)}
    pages = [page.items async for page in botpress_client.users.list(page_size=5).pages()]
    assert [len(items) for items in pages] == [5, 5, 2]
    assert {user.id for items in pages for user in items} == made


async def test_page_size_applies_to_participants(botpress_client: Client) -> None:
    bp = botpress_client
    conversation = await bp.conversations.create(channel="dm", tags={})
    for _ in range(3):
        user = await bp.users.create(tags={})
        await bp.conversations.add_participant(conversation.id, user_id=user.id)
    listing = bp.conversations.list_participants(conversation.id, page_size=2)
    assert [len(page) async for page in listing.pages()] == [2, 1]


async def test_page_size_applies_to_tag_values(botpress_client: Client) -> None:
    for i in range(3):
        await botpress_client.users.create(tags={"team": f"t{i}"})
    listing = botpress_client.tags.list_values("team", type="user", page_size=2)
    assert [page.items async for page in listing.pages()] == [["t0", "t1"], ["t2"]]


async def test_min_and_max_message_count_filter_conversations(botpress_client: Client) -> None:
    bp = botpress_client
    user = await bp.users.create(tags={})
    quiet = await bp.conversations.create(channel="dm", tags={})
    busy = await bp.conversations.create(channel="dm", tags={})
    for text in ("a", "b"):
        await bp.messages.create(
            conversation_id=busy.id, user_id=user.id, type="text", payload={"text": text}, tags={}
        )
    at_least_one = await bp.conversations.list(min_message_count=1).collect()
    at_most_one = await bp.conversations.list(max_message_count=1).collect()
    assert [c.id for c in at_least_one] == [busy.id]
    assert [c.id for c in at_most_one] == [quiet.id]


async def test_user_properties_round_trip_and_a_null_removes_one(botpress_client: Client) -> None:
    bp = botpress_client
    created = await bp.users.create(tags={}, properties={"plan": "pro", "tier": "gold"})
    updated = await bp.users.update(created.id, properties={"plan": None})
    fetched = await bp.users.get(created.id)
    assert created.extra["properties"] == {"plan": "pro", "tier": "gold"}
    assert updated.extra["properties"] == {"tier": "gold"}
    assert fetched.extra["properties"] == {"tier": "gold"}


async def test_conversation_properties_round_trip_through_get_or_create(botpress_client: Client) -> None:
    bp = botpress_client
    made = await bp.conversations.get_or_create(
        channel="dm", tags={"thread": "t1"}, properties={"topic": "x"}
    )
    await bp.conversations.update(made.id, properties={"lang": "fr"})
    fetched = await bp.conversations.get(made.id)
    assert fetched.extra["properties"] == {"topic": "x", "lang": "fr"}


async def test_initialize_incoming_stores_nested_properties(botpress_client: Client) -> None:
    answer = await botpress_client.messages.initialize_incoming(
        user={"tags": {"ext": "u1"}, "discriminate_by_tags": ["ext"], "properties": {"plan": "free"}},
        conversation={
            "channel": "dm", "tags": {"ext": "c1"}, "discriminate_by_tags": ["ext"],
            "properties": {"topic": "billing"},
        },
    )
    user = await botpress_client.users.get(answer.user.id)
    conversation = await botpress_client.conversations.get(answer.conversation.id)
    assert user.extra["properties"] == {"plan": "free"}
    assert conversation.extra["properties"] == {"topic": "billing"}


async def test_observation_capture_is_answered_and_a_bad_one_is_refused(botpress_client: Client) -> None:
    answered = await botpress_client.observations.capture("llm.call", {"tokens": 12}, trace_id="trace_1")
    with pytest.raises(InvalidPayloadError, match="name"):
        await botpress_client.observations.capture("", {})
    assert answered is None


async def test_patch_expiry_makes_the_state_expire_once_idle_that_long(
    client_for: Callable[..., Client], botpress_bot_id: str
) -> None:
    clock = ManualClock()
    bot_id = botpress_bot_id
    async with Emulator(clock=clock) as emulator, client_for(emulator, bot_id) as bp:
        await bp.states.set("bot", bot_id, "cache", {"a": 1})
        patched = await bp.states.patch("bot", bot_id, "cache", {"b": 2}, expiry=1_000)
        clock.advance(1_001)
        with pytest.raises(ResourceNotFoundError):
            await bp.states.get("bot", bot_id, "cache")
    assert patched.payload == {"a": 1, "b": 2}
