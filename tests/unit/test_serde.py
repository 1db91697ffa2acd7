"""The one converter: wire JSON ↔ models, request bodies, query parameters, datetimes."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from botpress_async._serde import (
    StructureError,
    body,
    camel,
    converter,
    format_datetime,
    parse_datetime,
    query,
    snake,
    structure,
    to_wire,
)
from botpress_async._types import UNSET
from botpress_async.models import (
    CallActionResponse,
    Event,
    GetTableResponse,
    GetUserResponse,
    ListUsersResponse,
    Table,
    TableJob,
    User,
)

USER_WIRE: dict[str, Any] = {
    "id": "user_01HAB0000000000000000000000",
    "createdAt": "2023-09-14T19:39:26.764Z",
    "updatedAt": "2023-11-07T05:31:56Z",
    "tags": {"email": "a@example.com"},
    "name": "Ada",
    "pictureUrl": "https://example.com/a.png",
}


def test_camel_and_snake_convert_between_wire_and_python_names() -> None:
    assert camel("picture_url") == "pictureUrl"
    assert camel("discriminate_by_tags") == "discriminateByTags"
    assert camel("id") == "id"
    assert snake("pictureUrl") == "picture_url"
    assert snake("fileURLKey") == "file_url_key"


def test_camelcase_wire_keys_become_snake_case_fields() -> None:
    user = structure(USER_WIRE, User)
    assert user.picture_url == "https://example.com/a.png"
    assert user.created_at == datetime(2023, 9, 14, 19, 39, 26, 764000, tzinfo=UTC)


def test_a_structured_model_goes_back_to_the_same_wire_dict() -> None:
    user = structure(USER_WIRE, User)
    wire = to_wire(user)
    assert wire == {**USER_WIRE, "updatedAt": "2023-11-07T05:31:56.000Z"}


def test_unknown_keys_are_kept_in_extra() -> None:
    user = structure({**USER_WIRE, "newField": {"x": 1}}, User)
    assert user.extra == {"newField": {"x": 1}}


def test_unknown_keys_of_a_nested_model_are_kept_in_its_extra() -> None:
    response = structure({"user": {**USER_WIRE, "mood": "happy"}, "traceId": "t1"}, GetUserResponse)
    assert response.user.extra == {"mood": "happy"}
    assert response.extra == {"traceId": "t1"}


def test_extra_keys_are_sent_back_by_to_wire() -> None:
    user = structure({**USER_WIRE, "mood": "happy"}, User)
    assert to_wire(user)["mood"] == "happy"


def test_a_model_without_unknown_keys_has_an_empty_extra() -> None:
    assert structure(USER_WIRE, User).extra == {}


def test_an_unknown_enum_value_is_kept_as_a_string() -> None:
    event = structure(
        {
            "id": "evt_01HAB000000000000000000000000",
            "createdAt": "2023-09-14T19:39:26.764Z",
            "type": "custom",
            "payload": {},
            "status": "teleported",
            "failureReason": None,
        },
        Event,
    )
    assert event.status == "teleported"


def test_a_missing_optional_key_becomes_none() -> None:
    wire = {k: v for k, v in USER_WIRE.items() if k != "name"}
    assert structure(wire, User).name is None


def test_a_missing_optional_key_with_a_spec_default_gets_the_default() -> None:
    table = structure(
        {"id": "t1", "name": "productsTable", "schema": {"type": "object", "properties": {}}},
        Table,
    )
    assert table.factor == 1


def test_the_table_schema_stays_the_raw_json_schema() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "x-zui": {"index": 0}}}}
    table = structure({"id": "t1", "name": "aTable", "schema": schema}, Table)
    assert table.schema == schema


def test_a_nullable_required_key_accepts_null() -> None:
    job = structure(
        {
            "id": "j1",
            "botId": "b1",
            "tableId": "t1",
            "type": "export",
            "status": "pending",
            "inputFileId": None,
            "outputFileId": None,
            "createdAt": "2023-09-14T19:39:26.764Z",
            "updatedAt": "2023-09-14T19:39:26.764Z",
        },
        TableJob,
    )
    assert job.input_file_id is None
    assert job.progress == 0


def test_list_meta_next_token_is_none_when_absent() -> None:
    response = structure({"users": [USER_WIRE], "meta": {}}, ListUsersResponse)
    assert response.meta.next_token is None
    assert response.users[0].name == "Ada"


def test_call_action_output_is_kept_as_a_plain_dict() -> None:
    response = structure({"output": {"aB": [1, 2]}, "meta": {"cached": False}}, CallActionResponse)
    assert response.output == {"aB": [1, 2]}
    assert response.meta.cached is False


def test_an_integral_float_count_is_structured_as_an_int() -> None:
    response = structure(
        {
            "table": {"id": "t1", "name": "aTable", "schema": {}},
            "rows": 3.0,
            "stale": 0,
            "indexing": 0,
        },
        GetTableResponse,
    )
    assert response.rows == 3
    assert type(response.rows) is int


@pytest.mark.parametrize(
    "text",
    ["2023-09-14T19:39:26.764Z", "2023-11-07T05:31:56Z", "2023-11-07T05:31:56+00:00"],
)
def test_iso_datetimes_parse_to_aware_utc(text: str) -> None:
    parsed = parse_datetime(text)
    assert parsed.tzinfo is not None
    assert parsed.utcoffset() == timedelta(0)


def test_a_datetime_with_an_offset_is_converted_to_utc() -> None:
    assert parse_datetime("2023-11-07T07:31:56.5+02:00") == datetime(
        2023, 11, 7, 5, 31, 56, 500000, tzinfo=UTC
    )


def test_a_datetime_without_offset_is_taken_as_utc() -> None:
    assert parse_datetime("2023-11-07T05:31:56").tzinfo is UTC


def test_a_datetime_serializes_to_exactly_24_characters() -> None:
    text = format_datetime(datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC))
    assert text == "2024-01-02T03:04:05.678Z"
    assert len(text) == 24


def test_a_datetime_in_another_zone_is_sent_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert format_datetime(datetime(2024, 1, 2, 4, 0, tzinfo=paris)) == "2024-01-02T03:00:00.000Z"


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2024, 1, 2))


def test_body_omits_unset_and_sends_none_as_null() -> None:
    assert body(picture_url=None, name=UNSET, discriminate_by_tags=["a"]) == {
        "pictureUrl": None,
        "discriminateByTags": ["a"],
    }


def test_body_never_renames_the_keys_of_plain_dicts() -> None:
    assert body(tags={"user_email": "a"}, payload={"some_key": 1}) == {
        "tags": {"user_email": "a"},
        "payload": {"some_key": 1},
    }


def test_body_drops_unset_inside_dicts() -> None:
    assert body(payload={"a": UNSET, "b": 1}) == {"payload": {"b": 1}}


def test_body_sends_datetimes_in_the_24_character_form() -> None:
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert body(schedule={"date_time": when}) == {"schedule": {"date_time": "2024-05-06T07:08:09.000Z"}}


def test_to_wire_sends_enum_values() -> None:
    class Direction(enum.Enum):
        ASC = "asc"

    assert to_wire([Direction.ASC]) == ["asc"]


def test_to_wire_omits_unset_fields_of_an_attrs_instance() -> None:
    @attrs.define
    class Patch:
        key_column: Any = UNSET
        frozen: Any = None

    assert to_wire(Patch()) == {"frozen": None}


def test_query_drops_unset_and_none_and_keeps_booleans() -> None:
    assert query(sort_field="createdAt", after_date=None, limit=UNSET, compress=True) == {
        "sortField": "createdAt",
        "compress": True,
    }


def test_query_sends_datetimes_in_the_24_character_form() -> None:
    assert query(after_date=datetime(2024, 1, 1, tzinfo=UTC)) == {"afterDate": "2024-01-01T00:00:00.000Z"}


def test_a_json_array_where_an_object_is_expected_raises_structure_error() -> None:
    with pytest.raises(StructureError, match="expected a JSON object"):
        structure([USER_WIRE], User)


def test_a_missing_required_key_raises_structure_error_naming_the_key() -> None:
    wire = {k: v for k, v in USER_WIRE.items() if k != "createdAt"}
    with pytest.raises(StructureError, match=r"User\.createdAt: missing required key"):
        structure({"user": wire}, GetUserResponse)


def test_a_value_of_the_wrong_type_raises_structure_error() -> None:
    with pytest.raises(StructureError, match=r"User\.name: expected a string"):
        structure({**USER_WIRE, "name": 42}, User)


def test_an_invalid_datetime_raises_structure_error() -> None:
    with pytest.raises(StructureError, match=r"User\.createdAt"):
        structure({**USER_WIRE, "createdAt": "yesterday"}, User)


def test_structure_error_is_not_a_cattrs_error() -> None:
    assert not issubclass(StructureError, cattrs.BaseValidationError)
    assert issubclass(StructureError, Exception)


def test_structure_handles_lists_of_models() -> None:
    users = structure([USER_WIRE, USER_WIRE], list[User])
    assert [u.name for u in users] == ["Ada", "Ada"]


def test_the_cattrs_converter_uses_the_same_hooks() -> None:
    user = converter.structure({**USER_WIRE, "mood": "ok"}, User)
    assert user.extra == {"mood": "ok"}
    assert converter.unstructure(user)["pictureUrl"] == "https://example.com/a.png"


def test_a_hand_written_attrs_class_is_structured_too() -> None:
    @attrs.define(kw_only=True)
    class Product:
        sku_code: str
        price: float
        added_at: datetime | None = None

    product = structure({"skuCode": "A1", "price": 3, "addedAt": "2024-01-01T00:00:00Z"}, Product)
    assert product == Product(sku_code="A1", price=3, added_at=datetime(2024, 1, 1, tzinfo=UTC))


def test_a_trailing_underscore_of_a_python_name_is_not_sent() -> None:
    assert body(type_="custom", from_user_id="u") == {"type": "custom", "fromUserId": "u"}


@given(st.datetimes(timezones=st.just(UTC)))
def test_a_formatted_datetime_parses_back_to_the_same_millisecond(dt: datetime) -> None:
    text = format_datetime(dt)
    assert len(text) == 24
    assert parse_datetime(text) == dt.replace(microsecond=dt.microsecond // 1000 * 1000)
