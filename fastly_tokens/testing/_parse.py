"""Validation of the two request bodies the API reads: the create form and the bulk body.

Pure functions from bytes and header values to plain values or an :class:`ApiError`.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import attrs

from ._errors import (
    MSG_BAD_REQUEST,
    MSG_INVALID_EXPIRY,
    MSG_TOO_MANY,
    MSG_UNSUPPORTED_MEDIA,
    ApiError,
)
from ._records import KNOWN_SCOPES

BULK_MEDIA_TYPE = "application/vnd.api+json"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


@attrs.frozen
class CreateForm:
    """The fields of a POST /tokens request, before any of them is judged.

    ``username`` and ``password`` are None when absent (or empty): which login the
    request is decides whether each is needed.
    """

    username: str | None
    password: str | None = attrs.field(repr=False)
    name: str | None
    scope: str | None
    services: tuple[str, ...]
    expires_at: str | None


@attrs.frozen
class SudoRequest:
    """The fields of a POST /sudo request: form (as go-fastly sends it) or JSON (the spec)."""

    username: str | None
    password: str | None = attrs.field(repr=False)
    expiry_time: str | None


def split_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """Split a Content-Type into its lower-cased media type and parameters."""
    if not value:
        return "", {}
    media, *raw_params = value.split(";")
    params: dict[str, str] = {}
    for raw in raw_params:
        key, sep, val = raw.partition("=")
        if sep:
            params[key.strip().lower()] = val.strip().strip('"')
    return media.strip().lower(), params


def _basic_credentials(authorization: str | None) -> tuple[str, str]:
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return "", ""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    username, _, password = decoded.partition(":")
    return username, password


def _form_pairs(body: bytes, content_type: str | None) -> list[tuple[str, str]]:
    media, _ = split_content_type(content_type)
    if media not in ("", FORM_MEDIA_TYPE):
        return []
    try:
        return parse_qsl(body.decode(), keep_blank_values=True)
    except UnicodeDecodeError:
        return []


def parse_create_form(
    body: bytes, content_type: str | None, authorization: str | None
) -> CreateForm:
    """Read the urlencoded form of POST /tokens; nothing in it is refused here.

    Credentials come from the form (what go-fastly and the Fastly CLI send) or, when the
    form has neither username nor password, from HTTP Basic (the spec's
    ``username_and_password`` scheme).
    """
    fields: dict[str, str] = {}
    services: list[str] = []
    for key, value in _form_pairs(body, content_type):
        if key in ("services[]", "services"):
            if value:
                services.append(value)
        else:
            fields.setdefault(key, value)
    username, password = fields.get("username", ""), fields.get("password", "")
    if not username and not password:
        username, password = _basic_credentials(authorization)
    return CreateForm(
        username=username or None,
        password=password or None,
        name=fields.get("name"),
        scope=fields.get("scope"),
        services=tuple(dict.fromkeys(services)),
        expires_at=fields.get("expires_at") or None,
    )


def _optional_string(document: dict[str, Any], name: str) -> str | None:
    value = document.get(name)
    if value is None or isinstance(value, str):
        return value or None
    raise _bad(f"'{name}' must be a string")


def parse_sudo_body(body: bytes, content_type: str | None) -> SudoRequest:
    """Read POST /sudo's form or JSON body (any other field, as go-fastly sends, is ignored)."""
    media, _ = split_content_type(content_type)
    if media == "application/json":
        document = load_json(body)
        if not isinstance(document, dict):
            raise _bad("Body must be a JSON object")
        return SudoRequest(
            username=_optional_string(document, "username"),
            password=_optional_string(document, "password"),
            expiry_time=_optional_string(document, "expiry_time"),
        )
    fields = dict(reversed(_form_pairs(body, content_type)))
    return SudoRequest(
        username=fields.get("username") or None,
        password=fields.get("password") or None,
        expiry_time=fields.get("expiry_time") or None,
    )


def parse_scopes(scope: str | None) -> tuple[str, ...]:
    """Split a space-joined scope (blank means ``global``); 400 ``invalid_scope``."""
    scopes = tuple(dict.fromkeys((scope or "").split()))
    if not scopes:
        return ("global",)
    if any(s not in KNOWN_SCOPES for s in scopes):
        raise ApiError.code("invalid_scope")
    return scopes


def parse_expiry(value: str | None, now: float) -> datetime | None:
    """Read an ISO-8601 ``expires_at`` (``Z`` or an offset; naive is UTC); 422 if bad."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError.msg(
            422, MSG_INVALID_EXPIRY, f"expires_at '{value}' is not an ISO 8601 timestamp"
        ) from None
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if parsed.timestamp() <= now:
        raise ApiError.msg(422, MSG_INVALID_EXPIRY, "expires_at must be in the future")
    return parsed


def check_bulk_content_type(content_type: str | None) -> None:
    """Require the JSON:API bulk extension media type; 415 otherwise."""
    media, params = split_content_type(content_type)
    if media != BULK_MEDIA_TYPE or params.get("ext") != "bulk":
        raise ApiError.msg(
            415, MSG_UNSUPPORTED_MEDIA, f"Content-Type must be '{BULK_MEDIA_TYPE}; ext=bulk'"
        )


def _bad(detail: str) -> ApiError:
    return ApiError.msg(400, MSG_BAD_REQUEST, detail)


def load_json(body: bytes) -> Any:
    """Parse a JSON request body; 400 for anything else, deep nesting included."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _bad("Body is not valid JSON") from None
    except RecursionError:
        # json's C decoder recurses per nesting level: 100,000 '[' exhaust the stack.
        raise _bad("Body is nested too deeply") from None


def parse_bulk_body(body: bytes, bulk_max: int | None) -> list[str]:
    """Read ``{"data": [{"type": "token", "id": ...}]}``; 400 if malformed, 413 if big."""
    document = load_json(body)
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list) or not data:
        raise _bad("Body must have a non-empty 'data' array")
    ids: list[str] = []
    for item in data:
        if not isinstance(item, dict) or item.get("type") != "token":
            raise _bad("Each item of 'data' must be {'type': 'token', 'id': ...}")
        token_id = item.get("id")
        if not isinstance(token_id, str) or not token_id:
            raise _bad("Each item of 'data' must have a string 'id'")
        ids.append(token_id)
    if bulk_max is not None and len(ids) > bulk_max:
        raise ApiError.msg(
            413, MSG_TOO_MANY, f"At most {bulk_max} tokens per request, got {len(ids)}"
        )
    return ids
