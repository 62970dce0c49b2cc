"""Structuring recorded token bodies: nulls, extra fields, space-joined scopes, bad timestamps."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import cattrs
import pytest

from fastly_tokens import CreatedToken, Event, Scope, Token
from fastly_tokens._converter import converter, strict_converter

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def test_recorded_list_structures_with_every_field() -> None:
    tokens = strict_converter.structure(sample("list_tokens.json"), list[Token])
    first, second = tokens
    assert first.id == "5Yo3XXnrQpjc20u0ybrf2g"
    assert first.created_at == datetime(2021, 1, 14, 11, 25, 39, tzinfo=UTC)
    assert first.ip == "127.17.202.173"
    assert second.last_used_at is None
    assert second.expires_at is None
    assert second.services == ("7i6HN3TK9wS159v2gPAZ8A",)
    assert second.sudo_expires_at == datetime(2021, 6, 1, 8, 5, tzinfo=UTC)


def test_space_joined_scope_becomes_a_set_of_scopes() -> None:
    second = converter.structure(sample("list_tokens.json")[1], Token)
    assert second.scope == {Scope.GLOBAL_READ, Scope.GLOBAL}
    assert "global:read" in second.scope
    assert second.scopes == ("global:read", "global")


def test_unknown_scope_is_kept_as_a_string() -> None:
    token = converter.structure({"id": "a1", "scope": "global purge_everything"}, Token)
    assert token.scope == {Scope.GLOBAL, "purge_everything"}
    assert not any(isinstance(s, Scope) and s.value == "purge_everything" for s in token.scope)


def test_every_field_but_id_may_be_null_or_missing() -> None:
    nulls = {name: None for name in attrs_fields(Token) if name != "id"}
    token = converter.structure({"id": "a1", **nulls}, Token)
    assert token == Token(id="a1")
    assert token.scope == frozenset()
    assert token.services == ()


def test_unknown_keys_are_ignored_by_the_client_converter_only() -> None:
    body = {"id": "a1", "brand_new_field": {"x": 1}}
    assert converter.structure(body, Token) == Token(id="a1")
    with pytest.raises(cattrs.ClassValidationError):
        strict_converter.structure(body, Token)


def test_none_is_not_turned_into_the_string_none() -> None:
    with pytest.raises(cattrs.ClassValidationError):
        converter.structure({"id": None}, Token)
    with pytest.raises(cattrs.ClassValidationError):
        converter.structure({"id": "a1", "name": 12}, Token)
    with pytest.raises(cattrs.ClassValidationError):
        converter.structure({"id": "a1", "services": ["svc1", None]}, Token)
    with pytest.raises(cattrs.ClassValidationError):
        converter.structure({"id": "a1", "scopes": [1]}, Token)


@pytest.mark.parametrize(
    "value", ["yesterday", "2021-13-01T00:00:00Z", 1635879600, "2021-01-14T25:00:00Z"]
)
def test_malformed_timestamp_is_an_error(value: object) -> None:
    with pytest.raises(cattrs.ClassValidationError):
        converter.structure({"id": "a1", "created_at": value}, Token)


def test_timestamps_are_aware_utc() -> None:
    token = converter.structure(
        {
            "id": "a1",
            "created_at": "2021-01-14T12:25:39+01:00",
            "expires_at": "2021-01-14T11:00:00",
        },
        Token,
    )
    assert token.created_at == datetime(2021, 1, 14, 11, 25, 39, tzinfo=UTC)
    assert token.created_at is not None
    assert token.created_at.tzinfo is UTC
    assert token.expires_at == datetime(2021, 1, 14, 11, tzinfo=UTC)


def test_created_token_hides_its_secret_from_repr() -> None:
    created = strict_converter.structure(sample("created_token.json"), CreatedToken)
    assert created.access_token == "mPS0Oq-4jXyXd2a0cJIavZ3dnzMD_eEf"
    assert created.access_token not in repr(created)
    assert created.updated_at == datetime(2021, 11, 2, 18, 46, 13, tzinfo=UTC)
    assert created.scope == {Scope.PURGE_SELECT, Scope.PURGE_ALL}


def test_is_expired_compares_with_the_given_time() -> None:
    token = Token(id="a1", expires_at=datetime(2021, 1, 1, tzinfo=UTC))
    assert token.is_expired(datetime(2021, 1, 1, tzinfo=UTC))
    assert not token.is_expired(datetime(2020, 12, 31, tzinfo=UTC))
    assert not Token(id="a2").is_expired()


def test_official_sdk_token_fields_all_appear_in_ours() -> None:
    # fastly==15.0.0: TokenResponse (Timestamps + Token + TokenResponseAllOf) and
    # TokenCreatedResponse, as listed in the facts file.
    official = {
        "created_at", "deleted_at", "updated_at", "name", "services", "scope",
        "id", "user_id", "last_used_at", "expires_at", "ip", "user_agent",
    }  # fmt: skip
    assert official <= set(attrs_fields(Token))
    assert {*official, "access_token"} <= set(attrs_fields(CreatedToken))


def attrs_fields(cls: type) -> list[str]:
    return [f.name for f in attrs.fields(cls)]


def test_an_event_resource_is_flattened_its_id_beside_its_attributes() -> None:
    resource = {
        "id": "ev1",
        "type": "event",
        "attributes": {"id": "not-this", "event_type": "token.create", "admin": False},
    }
    event = strict_converter.structure(resource, Event)
    assert event == Event(id="ev1", event_type="token.create", admin=False)
    assert converter.structure({"id": "ev2", "attributes": None}, Event) == Event(id="ev2")


@pytest.mark.parametrize("attributes", [[], "token.create", 3])
def test_event_attributes_that_are_not_an_object_are_an_error(attributes: object) -> None:
    with pytest.raises((cattrs.BaseValidationError, TypeError)):
        converter.structure({"id": "ev1", "attributes": attributes}, Event)
