"""bp.users: every endpoint's request on the wire and the structured answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from runtime_wire import CONV_ID, CREATED_AT, USER_ID, USER_ID_2, assert_sent, only_call, user

from botpress_async import UNSET, Client
from botpress_async.errors import APIError, ResourceNotFoundError
from botpress_async.models import User


async def test_create_posts_tags_and_optional_fields_in_camel_case(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/users", {"user": user()}, status=201)
    result = await bp.users.create(tags={"email": "a@example.com"}, name="Ada", picture_url="https://p/a.png")
    assert_sent(
        only_call(wire), "POST", "/v1/chat/users",
        {"tags": {"email": "a@example.com"}, "name": "Ada", "pictureUrl": "https://p/a.png"},
    )
    assert isinstance(result, User)
    assert result.id == USER_ID
    assert result.created_at == CREATED_AT
    assert result.picture_url == "https://example.com/ada.png"


async def test_create_omits_arguments_not_given(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/users", {"user": user()}, status=201)
    await bp.users.create(tags={})
    assert only_call(wire).json == {"tags": {}}


async def test_create_answered_503_is_sent_once(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/users", status=503, body="busy", repeat=True)
    with pytest.raises(APIError):
        await bp.users.create(tags={})
    assert len(wire.calls) == 1


async def test_get_fetches_the_user_by_percent_encoded_id(bp: Client, wire) -> None:
    wire.reply("GET", "/v1/chat/users/user%2F1", {"user": user("user/1")})
    result = await bp.users.get("user/1")
    assert_sent(only_call(wire), "GET", "/v1/chat/users/user%2F1")
    assert result.id == "user/1"


async def test_get_of_a_missing_user_raises_resource_not_found(bp: Client, wire) -> None:
    wire.reply("GET", f"/v1/chat/users/{USER_ID}", status=404, payload={
        "id": "err_1", "code": 404, "type": "ResourceNotFound", "message": "User not found"})
    with pytest.raises(ResourceNotFoundError):
        await bp.users.get(USER_ID)


async def test_list_sends_every_filter_like_the_official_client(bp: Client, wire) -> None:
    wire.reply("GET", "/v1/chat/users", {"users": [user()], "meta": {}})
    page = await bp.users.list(
        tags={"slack:id": "U 1", "plan": "pro"},
        conversation_id=CONV_ID,
        after_date=datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        before_date="2024-02-01T00:00:00.000Z",
        range_field="createdAt",
        sort_field="updatedAt",
        sort_direction="desc",
    )
    assert_sent(
        only_call(wire), "GET",
        f"/v1/chat/users?conversationId={CONV_ID}&tags.slack%3Aid=U%201&tags.plan=pro"
        "&afterDate=2024-01-02T03%3A04%3A05.678Z"
        "&beforeDate=2024-02-01T00%3A00%3A00.000Z&rangeField=createdAt&sortField=updatedAt&sortDirection=desc",
    )
    assert [u.id for u in page.items] == [USER_ID]
    assert page.next_token is None


async def test_list_without_filters_sends_no_query_string(bp: Client, wire) -> None:
    wire.reply("GET", "/v1/chat/users", {"users": [], "meta": {}})
    await bp.users.list()
    assert only_call(wire).url.endswith("/v1/chat/users")


async def test_list_iterates_three_pages_with_the_next_token(bp: Client, wire) -> None:
    wire.reply("GET", "/v1/chat/users", {"users": [user("u1"), user("u2")], "meta": {"nextToken": "t2"}})
    wire.reply("GET", "/v1/chat/users", {"users": [user("u3")], "meta": {"nextToken": "t3"}})
    wire.reply("GET", "/v1/chat/users", {"users": [user("u4")], "meta": {}})
    ids = [u.id async for u in bp.users.list(conversation_id=CONV_ID)]
    assert ids == ["u1", "u2", "u3", "u4"]
    assert [c.query for c in wire.calls] == [
        f"conversationId={CONV_ID}",
        f"nextToken=t2&conversationId={CONV_ID}",
        f"nextToken=t3&conversationId={CONV_ID}",
    ]


async def test_list_collect_with_a_limit_fetches_no_further_page(bp: Client, wire) -> None:
    wire.reply("GET", "/v1/chat/users", {"users": [user("u1"), user("u2")], "meta": {"nextToken": "t2"}})
    wire.reply("GET", "/v1/chat/users", {"users": [user("u3")], "meta": {"nextToken": "t3"}})
    result = await bp.users.list().collect(limit=2)
    assert [u.id for u in result] == ["u1", "u2"]
    assert len(wire.calls) == 1


async def test_get_or_create_posts_discriminating_tags(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/users/get-or-create", {"user": user()})
    result = await bp.users.get_or_create(
        tags={"email": "a@example.com", "plan": "pro"}, discriminate_by_tags=["email"], name="Ada"
    )
    assert_sent(
        only_call(wire), "POST", "/v1/chat/users/get-or-create",
        {"tags": {"email": "a@example.com", "plan": "pro"}, "discriminateByTags": ["email"], "name": "Ada"},
    )
    assert result.tags == {"email": "a@example.com"}


async def test_get_or_create_answered_503_is_retried(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/users/get-or-create", status=503, body="busy")
    wire.reply("POST", "/v1/chat/users/get-or-create", {"user": user()})
    result = await bp.users.get_or_create(tags={"email": "a@example.com"})
    assert result.id == USER_ID
    assert len(wire.calls) == 2


async def test_update_sends_none_as_null_and_omits_unset(bp: Client, wire) -> None:
    wire.reply("PUT", f"/v1/chat/users/{USER_ID}", {"user": user(name=None, pictureUrl=None)})
    result = await bp.users.update(USER_ID, name=None, picture_url=None, tags=UNSET)
    assert_sent(only_call(wire), "PUT", f"/v1/chat/users/{USER_ID}", {"name": None, "pictureUrl": None})
    assert result.name is None


async def test_update_sends_new_tags(bp: Client, wire) -> None:
    wire.reply("PUT", f"/v1/chat/users/{USER_ID_2}", {"user": user(USER_ID_2)})
    await bp.users.update(USER_ID_2, tags={"plan": ""})
    assert only_call(wire).json == {"tags": {"plan": ""}}


async def test_delete_sends_an_empty_object(bp: Client, wire) -> None:
    wire.reply("DELETE", f"/v1/chat/users/{USER_ID}", {})
    result = await bp.users.delete(USER_ID)
    assert_sent(only_call(wire), "DELETE", f"/v1/chat/users/{USER_ID}", {})
    assert result is None


# -- beyond the 1.70.2 spec (official client 1.45) ---------------------------------------------------


async def test_list_sends_page_size_right_after_the_next_token_on_every_page(bp: Client, wire) -> None:
    wire.reply("GET", "/v1/chat/users", {"users": [user("u1")], "meta": {"nextToken": "t2"}})
    wire.reply("GET", "/v1/chat/users", {"users": [user("u2")], "meta": {}})
    ids = [u.id async for u in bp.users.list(conversation_id=CONV_ID, page_size=5)]
    assert ids == ["u1", "u2"]
    assert [c.query for c in wire.calls] == [
        f"pageSize=5&conversationId={CONV_ID}",
        f"nextToken=t2&pageSize=5&conversationId={CONV_ID}",
    ]


@pytest.mark.parametrize("page_size", [0, 101, -1, True, 2.5, "5"])
async def test_list_refuses_a_page_size_outside_1_to_100_before_sending(bp: Client, wire, page_size) -> None:
    with pytest.raises(ValueError, match="page_size must be an integer from 1 to 100"):
        bp.users.list(page_size=page_size)
    assert wire.calls == []


@pytest.mark.parametrize("page_size", [1, 100])
async def test_list_accepts_the_page_size_bounds(bp: Client, wire, page_size) -> None:
    wire.reply("GET", "/v1/chat/users", {"users": [], "meta": {}})
    await bp.users.list(page_size=page_size)
    assert only_call(wire).query == f"pageSize={page_size}"


async def test_create_sends_properties_and_the_answer_keeps_them_in_extra(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/users", {"user": user(properties={"plan": "pro"})}, status=201)
    result = await bp.users.create(tags={}, properties={"plan": "pro", "first_seen": "2024"})
    assert only_call(wire).json == {"tags": {}, "properties": {"plan": "pro", "first_seen": "2024"}}
    assert result.extra["properties"] == {"plan": "pro"}


async def test_get_or_create_sends_properties(bp: Client, wire) -> None:
    wire.reply("POST", "/v1/chat/users/get-or-create", {"user": user()})
    await bp.users.get_or_create(tags={"email": "a@example.com"}, properties={"plan": "pro"})
    assert only_call(wire).json == {"tags": {"email": "a@example.com"}, "properties": {"plan": "pro"}}


async def test_update_sends_a_null_property_to_remove_it(bp: Client, wire) -> None:
    wire.reply("PUT", f"/v1/chat/users/{USER_ID}", {"user": user()})
    await bp.users.update(USER_ID, properties={"plan": None, "tier": "gold"})
    assert only_call(wire).json == {"properties": {"plan": None, "tier": "gold"}}
