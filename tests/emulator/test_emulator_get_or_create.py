"""get-or-create matching: sent tags (or the discriminateByTags subset), extra stored tags allowed,
an empty tag set never matches; tag updates with an empty value unset the key."""

from __future__ import annotations

from typing import Any

from emulator_helpers import Api


async def _user(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    status, answer = await api.call("POST", "/v1/chat/users/get-or-create", json=body)
    assert status == 200, answer
    return answer["user"]


async def test_same_tags_return_the_same_user(api: Api) -> None:
    first = await _user(api, {"tags": {"email": "a@x"}})
    again = await _user(api, {"tags": {"email": "a@x"}})
    assert again["id"] == first["id"]


async def test_different_tag_values_create_another_user(api: Api) -> None:
    first = await _user(api, {"tags": {"email": "a@x"}})
    other = await _user(api, {"tags": {"email": "b@x"}})
    assert other["id"] != first["id"]


async def test_extra_stored_tags_still_match(api: Api) -> None:
    _, created = await api.call("POST", "/v1/chat/users", json={"tags": {"id": "42", "email": "a@x"}})
    found = await _user(api, {"tags": {"id": "42"}})
    assert found["id"] == created["user"]["id"]


async def test_discriminate_by_tags_compares_only_the_listed_keys(api: Api) -> None:
    first = await _user(api, {"tags": {"id": "42", "email": "old@x"}, "discriminateByTags": ["id"]})
    again = await _user(api, {"tags": {"id": "42", "email": "new@x"}, "discriminateByTags": ["id"]})
    assert again["id"] == first["id"]
    assert again["tags"]["email"] == "old@x"  # the existing record comes back unchanged


async def test_without_discriminate_by_tags_every_sent_tag_must_match(api: Api) -> None:
    first = await _user(api, {"tags": {"id": "42", "email": "old@x"}})
    other = await _user(api, {"tags": {"id": "42", "email": "new@x"}})
    assert other["id"] != first["id"]


async def test_an_empty_tag_set_never_matches(api: Api) -> None:
    first = await _user(api, {"tags": {}})
    second = await _user(api, {"tags": {}})
    assert first["id"] != second["id"]


async def test_discriminating_on_an_absent_key_never_matches(api: Api) -> None:
    first = await _user(api, {"tags": {"a": "1"}, "discriminateByTags": ["missing"]})
    second = await _user(api, {"tags": {"a": "1"}, "discriminateByTags": ["missing"]})
    assert first["id"] != second["id"]


async def test_conversations_match_only_within_their_channel(api: Api) -> None:
    body = {"channel": "web", "tags": {"thread": "t1"}}
    _, web = await api.call("POST", "/v1/chat/conversations/get-or-create", json=body)
    _, sms = await api.call("POST", "/v1/chat/conversations/get-or-create", json={**body, "channel": "sms"})
    _, web_again = await api.call("POST", "/v1/chat/conversations/get-or-create", json=body)
    assert web["conversation"]["id"] == web_again["conversation"]["id"] != sms["conversation"]["id"]


async def test_messages_match_only_within_their_conversation(api: Api) -> None:
    _, user = await api.call("POST", "/v1/chat/users", json={"tags": {}})
    ids = []
    for _ in range(2):
        _, conversation = await api.call("POST", "/v1/chat/conversations", json={"channel": "c", "tags": {}})
        body = {"conversationId": conversation["conversation"]["id"], "userId": user["user"]["id"],
                "type": "text", "payload": {}, "tags": {"ext": "m1"}}
        _, first = await api.call("POST", "/v1/chat/messages/get-or-create", json=body)
        _, again = await api.call("POST", "/v1/chat/messages/get-or-create", json=body)
        assert first["message"]["id"] == again["message"]["id"]
        ids.append(first["message"]["id"])
    assert ids[0] != ids[1]


async def test_workflow_status_group_separates_finished_from_active(api: Api) -> None:
    body = {"name": "sync", "status": "pending", "tags": {"k": "1"}, "discriminateByStatusGroup": "active"}
    _, active = await api.call("POST", "/v1/chat/workflows/get-or-create", json=body)
    workflow_id = active["workflow"]["id"]
    _, same = await api.call("POST", "/v1/chat/workflows/get-or-create", json=body)
    assert same["workflow"]["id"] == workflow_id
    await api.call("PUT", f"/v1/chat/workflows/{workflow_id}", json={"status": "completed"})
    _, fresh = await api.call("POST", "/v1/chat/workflows/get-or-create", json=body)
    assert fresh["workflow"]["id"] != workflow_id
    _, finished = await api.call("POST", "/v1/chat/workflows/get-or-create",
                                 json={**body, "discriminateByStatusGroup": "finished"})
    assert finished["workflow"]["id"] == workflow_id


async def test_update_with_an_empty_tag_value_unsets_that_key(api: Api) -> None:
    body = {"channel": "c", "tags": {"a": "1", "b": "2"}}
    _, created = await api.call("POST", "/v1/chat/conversations", json=body)
    conversation_id = created["conversation"]["id"]
    _, updated = await api.call("PUT", f"/v1/chat/conversations/{conversation_id}", json={"tags": {"a": ""}})
    assert updated["conversation"]["tags"] == {"b": "2"}


async def test_create_with_an_empty_tag_value_stores_no_such_tag(api: Api) -> None:
    _, created = await api.call("POST", "/v1/chat/users", json={"tags": {"a": "", "b": "2"}})
    assert created["user"]["tags"] == {"b": "2"}


async def test_a_tag_key_with_quotes_and_dots_is_matched_exactly(api: Api) -> None:
    tags = {'we"ird.key$': "v", "slack:id": "U 1"}
    first = await _user(api, {"tags": tags})
    again = await _user(api, {"tags": tags})
    listed = (await api.call("GET", "/v1/chat/users", params={"tags.slack:id": "U 1"}))[1]["users"]
    assert again["id"] == first["id"] and [u["id"] for u in listed] == [first["id"]]
