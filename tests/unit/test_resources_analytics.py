"""bp.analytics: the counter call on the wire."""

from __future__ import annotations

import pytest
from runtime_wire import assert_sent, only_call

from botpress_async import Client


async def test_track_posts_name_and_count(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/analytics", {})
    assert await bp.analytics.track("signup", 3) is None
    assert_sent(only_call(wire), "POST", "/v1/chat/analytics", {"name": "signup", "count": 3})


async def test_track_counts_one_by_default(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/analytics", {})
    await bp.analytics.track("signup")
    assert only_call(wire).json == {"name": "signup", "count": 1}


@pytest.mark.parametrize("count", [0, -1, 1.5, True])
async def test_track_refuses_a_count_below_one_or_not_an_integer(bp: Client, wire, count) -> None:
    with pytest.raises(ValueError, match="count"):
        await bp.analytics.track("signup", count)
    assert wire.calls == []
