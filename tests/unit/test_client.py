"""Client lifecycle and configuration: async with / aclose, BP_* fallbacks, the pool, views, headers."""

from __future__ import annotations

import asyncio
import gc
import warnings

import aiohttp
import pytest
from fakes import FakeClock, make_client
from wire_recorder import BASE_URL, BOT_ID, TOKEN, WireMock

from botpress_async import NO_RETRY, Client, ClientConfig, RetryPolicy, __version__
from botpress_async.errors import ClientStateError, UnknownError

USERS = "/v1/chat/users"


def _resource_warnings(caught: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    return [w for w in caught if issubclass(w.category, ResourceWarning)]


# -- lifecycle ----------------------------------------------------------------------------------


async def test_async_with_closes_the_pool_it_opened(wire: WireMock) -> None:
    wire.reply("GET", USERS, {"users": []})
    async with make_client() as bp:
        await bp.request("GET", USERS)
        session = bp._pool._session
        assert session is not None and not session.closed
    assert session.closed
    assert bp.closed


async def test_aclose_is_idempotent(wire: WireMock) -> None:
    wire.reply("GET", USERS, {"users": []})
    bp = make_client()
    await bp.request("GET", USERS)
    await bp.aclose()
    await bp.aclose()
    assert bp.closed


async def test_a_closed_client_refuses_new_requests(wire: WireMock) -> None:
    bp = make_client()
    await bp.aclose()
    with pytest.raises(ClientStateError, match="closed"):
        await bp.request("GET", USERS)
    assert wire.calls == []


async def test_closing_a_client_that_never_sent_anything_creates_no_session() -> None:
    bp = make_client()
    await bp.aclose()
    assert bp._pool._session is None


def test_client_built_outside_a_loop_creates_its_session_lazily_inside_the_running_loop() -> None:
    bp = make_client()
    assert bp._pool._session is None

    async def use() -> asyncio.AbstractEventLoop:
        with WireMock() as wire:
            wire.reply("GET", USERS, {"users": []})
            await bp.request("GET", USERS)
        session = bp._pool._session
        assert session is not None
        await bp.aclose()
        return asyncio.get_running_loop()

    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(use()) is loop
        assert bp._pool._loop is loop
    finally:
        loop.close()


async def test_borrowed_session_is_used_and_never_closed(wire: WireMock) -> None:
    wire.reply("GET", USERS, {"users": []})
    async with aiohttp.ClientSession() as session:
        async with make_client(session=session) as bp:
            await bp.request("GET", USERS)
            assert bp._pool._session is session
        assert not session.closed
    assert len(wire.calls) == 1


async def test_borrowed_session_closed_by_its_owner_raises_client_state_error(wire: WireMock) -> None:
    session = aiohttp.ClientSession()
    await session.close()
    bp = make_client(session=session)
    with pytest.raises(ClientStateError, match="session="):
        await bp.request("GET", USERS)
    assert wire.calls == []


def test_use_from_another_event_loop_raises_client_state_error() -> None:
    bp = make_client()
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        with WireMock() as mock:
            mock.get(BASE_URL + USERS, payload={"users": []}, repeat=True)
            first.run_until_complete(bp.request("GET", USERS))
            with pytest.raises(ClientStateError, match="event loop"):
                second.run_until_complete(bp.request("GET", USERS))
            with pytest.raises(ClientStateError, match="event loop"):
                second.run_until_complete(bp.aclose())
            first.run_until_complete(bp.aclose())
        assert bp.closed
    finally:
        first.close()
        second.close()


async def test_no_resource_warning_after_async_with(wire: WireMock) -> None:
    wire.reply("GET", USERS, {"users": []})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with make_client() as bp:
            await bp.request("GET", USERS)
        del bp
        gc.collect()
    assert _resource_warnings(caught) == []


async def test_client_never_closed_warns_and_does_no_async_work_when_collected(wire: WireMock) -> None:
    wire.reply("GET", USERS, {"users": []})
    bp = make_client()
    await bp.request("GET", USERS)
    session = bp._pool._session
    assert session is not None
    with pytest.warns(ResourceWarning, match="never closed"):
        del bp
        gc.collect()
    # __del__ only warned: closing is async work, so the session is still open until we close it.
    assert not session.closed
    await session.close()


async def test_client_never_used_emits_no_resource_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bp = make_client()
        del bp
        gc.collect()
    assert _resource_warnings(caught) == []


# -- configuration ------------------------------------------------------------------------------


def test_config_falls_back_to_the_official_bp_environment_variables() -> None:
    bp = Client(
        environ={
            "BP_TOKEN": "env-token",
            "BP_BOT_ID": "env-bot",
            "BP_INTEGRATION_ID": "env-integration",
            "BP_WORKSPACE_ID": "env-workspace",
            "BP_API_URL": "http://localhost:3000/",
        }
    )
    config = bp.config
    assert (config.token, config.bot_id, config.integration_id, config.workspace_id) == (
        "env-token", "env-bot", "env-integration", "env-workspace",
    )
    assert config.base_url == "http://localhost:3000"


def test_config_reads_os_environ_when_no_mapping_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BP_TOKEN", "from-os-environ")
    monkeypatch.setenv("BP_BOT_ID", "bot-from-os-environ")
    config = Client().config
    assert config.token == "from-os-environ"
    assert config.bot_id == "bot-from-os-environ"


def test_arguments_win_over_environment_variables() -> None:
    bp = Client("arg-token", bot_id="arg-bot", base_url="http://arg", environ={
        "BP_TOKEN": "env-token", "BP_BOT_ID": "env-bot", "BP_API_URL": "http://env"})
    assert (bp.config.token, bp.config.bot_id, bp.config.base_url) == ("arg-token", "arg-bot", "http://arg")


def test_defaults_without_arguments_or_environment() -> None:
    config = Client(environ={}).config
    assert config.token is None
    assert config.base_url == "https://api.botpress.cloud"
    assert config.timeout == 60.0
    assert config.deadline is None


def test_empty_environment_variable_is_treated_as_unset() -> None:
    assert Client(environ={"BP_API_URL": "", "BP_BOT_ID": ""}).config.base_url == "https://api.botpress.cloud"


def test_token_with_a_trailing_newline_is_refused_without_showing_it() -> None:
    with pytest.raises(ValueError, match="token contains a line break") as caught:
        Client(environ={"BP_TOKEN": TOKEN + "\n"})
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize("option", [{"timeout": 0}, {"deadline": -1}, {"max_concurrency": 0}])
def test_invalid_numbers_are_refused_when_the_client_is_built(option: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Client(environ={}, **option)


# -- headers ------------------------------------------------------------------------------------


async def test_headers_are_those_of_the_official_client_plus_our_user_agent(wire: WireMock) -> None:
    wire.reply("GET", USERS, {"users": []})
    identities = {"integration_id": "intg_1", "integration_alias": "alias-1", "workspace_id": "wkspace_1"}
    async with make_client(**identities) as bp:
        await bp.request("GET", USERS)
    assert wire.calls[0].headers == {
        "Authorization": f"Bearer {TOKEN}",
        "x-bot-id": BOT_ID,
        "x-integration-id": "intg_1",
        "x-integration-alias": "alias-1",
        "x-workspace-id": "wkspace_1",
        "User-Agent": f"botpress-async/{__version__} (python; aiohttp)",
    }


async def test_unset_identities_send_no_header(wire: WireMock) -> None:
    wire.reply("GET", USERS, {"users": []})
    async with make_client(token=None, bot_id=None) as bp:
        await bp.request("GET", USERS)
    sent = wire.calls[0].headers
    assert set(sent) == {"User-Agent"}


async def test_a_body_adds_the_json_content_type(wire: WireMock) -> None:
    wire.reply("POST", USERS, {"user": {}}, status=201)
    async with make_client() as bp:
        await bp.request("POST", USERS, json={"tags": {}})
    assert wire.calls[0].headers["Content-Type"] == "application/json"
    assert wire.calls[0].headers["Authorization"] == f"Bearer {TOKEN}"


async def test_extra_headers_are_sent_and_win_over_built_in_ones(wire: WireMock) -> None:
    wire.reply("GET", USERS, {"users": []})
    async with make_client(headers={"x-bot-id": "override", "x-trace": "t1"}) as bp:
        await bp.request("GET", USERS)
    assert wire.calls[0].headers["x-bot-id"] == "override"
    assert wire.calls[0].headers["x-trace"] == "t1"


# -- with_options -------------------------------------------------------------------------------


async def test_with_options_shares_the_pool_and_the_limiter(wire: WireMock) -> None:
    wire.reply("GET", USERS, {"users": []}, repeat=True)
    async with make_client() as bp:
        view = bp.with_options(timeout=5)
        await view.request("GET", USERS)
        await bp.request("GET", USERS)
        assert view._pool is bp._pool
        assert view._transport.pool.limiter is bp._transport.pool.limiter
        assert view._pool._session is bp._pool._session


async def test_with_options_overrides_timeout_retry_and_headers_without_touching_the_client(
    wire: WireMock,
) -> None:
    wire.reply("GET", USERS, {"users": []})
    policy = RetryPolicy(max_attempts=2)
    async with make_client(headers={"x-a": "client"}) as bp:
        view = bp.with_options(timeout=5, deadline=30, retry=policy, headers={"x-b": "view"})
        await view.request("GET", USERS)
        assert (view.config.timeout, view.config.deadline, view.config.retry) == (5, 30, policy)
        assert (bp.config.timeout, bp.config.deadline, bp.config.retry.max_attempts) == (60, None, 4)
        assert view._transport._timeout.total == 5
    assert wire.calls[0].headers["x-a"] == "client"
    assert wire.calls[0].headers["x-b"] == "view"


async def test_with_options_retry_applies_to_calls_through_the_view(wire: WireMock) -> None:
    wire.reply("GET", USERS, status=503, body="busy", repeat=True)
    clock = FakeClock()
    async with make_client(clock) as bp:
        with pytest.raises(UnknownError):
            await bp.with_options(retry=NO_RETRY).request("GET", USERS)
    assert len(wire.calls) == 1


async def test_with_options_can_remove_the_deadline() -> None:
    async with make_client(deadline=10) as bp:
        assert bp.with_options(deadline=None).config.deadline is None
        assert bp.with_options(timeout=1).config.deadline == 10


async def test_closing_a_view_leaves_the_client_usable(wire: WireMock) -> None:
    wire.reply("GET", USERS, {"users": []}, repeat=True)
    async with make_client() as bp:
        view = bp.with_options(timeout=5)
        await view.request("GET", USERS)
        await view.aclose()
        assert not bp.closed
        assert await bp.request("GET", USERS) == {"users": []}


async def test_a_view_of_a_closed_client_is_closed_too() -> None:
    bp = make_client()
    view = bp.with_options(timeout=5)
    await bp.aclose()
    assert view.closed
    with pytest.raises(ClientStateError):
        await view.request("GET", USERS)


# -- repr ---------------------------------------------------------------------------------------


def test_repr_and_str_never_show_the_token() -> None:
    bp = make_client(headers={"x-secret": TOKEN})
    view = bp.with_options(timeout=3)
    for text in (repr(bp), str(bp), repr(view), repr(bp.config), str(bp.config)):
        assert TOKEN not in text
    assert "token=***" in repr(bp)
    assert "bot_id='bot_unit_test'" in repr(bp)


def test_config_from_config_uses_no_environment() -> None:
    config = ClientConfig(token="t", bot_id="b")
    bp = Client.from_config(config)
    assert bp.config is config
