"""bp.integrations: configure on the wire."""

from __future__ import annotations

from runtime_wire import assert_sent, only_call

from botpress_async import Client


async def test_configure_posts_camel_case_fields(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/integrations/configure", {})
    result = await bp.integrations.configure(
        identifier="T123", schedule_register_call="bi-weekly", sandbox_identifiers={"team": "T9"}
    )
    assert_sent(only_call(wire), "POST", "/v1/chat/integrations/configure",
                {"identifier": "T123", "scheduleRegisterCall": "bi-weekly",
                 "sandboxIdentifiers": {"team": "T9"}})
    assert result is None


async def test_configure_sends_null_to_clear_and_omits_the_rest(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/integrations/configure", {})
    await bp.integrations.configure(identifier=None, sandbox_identifiers=None)
    assert only_call(wire).json == {"identifier": None, "sandboxIdentifiers": None}
