"""Error bodies in each of Fastly's shapes become the right typed error with Fastly's words."""

from __future__ import annotations

import pytest

from fastly_tokens import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from fastly_tokens._wire import status_error


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_status_maps_to_its_class(status: int, cls: type[APIStatusError]) -> None:
    error = status_error(status=status, method="GET", path="/tokens", body="{}")
    assert type(error) is cls
    assert error.status == status


def test_legacy_msg_and_detail_are_kept() -> None:
    error = status_error(
        status=404,
        method="GET",
        path="/tokens/abc",
        body='{"msg": "Record not found", "detail": "Cannot find token abc"}',
    )
    assert error.msg == "Record not found"
    assert error.detail == "Cannot find token abc"
    assert str(error) == "GET /tokens/abc -> 404: Record not found: Cannot find token abc"


def test_create_error_code_is_the_message() -> None:
    error = status_error(status=400, method="POST", path="/tokens", body='{"code": "2fa.verify"}')
    assert error.msg == "2fa.verify"


def test_json_api_errors_array_is_read() -> None:
    body = '{"errors": [{"title": "Bad thing", "detail": "very bad", "status": "400"}]}'
    error = status_error(status=400, method="DELETE", path="/tokens", body=body)
    assert (error.msg, error.detail) == ("Bad thing", "very bad")


def test_html_body_from_the_edge_is_kept_as_raw_text() -> None:
    body = "<html><body><h1>503 Service Unavailable</h1></body></html>"
    error = status_error(status=503, method="GET", path="/tokens", body=body)
    assert error.msg == ""
    assert error.text == body
    assert "503 Service Unavailable" in str(error)


def test_rate_limit_error_carries_its_figures() -> None:
    error = status_error(
        status=429, method="DELETE", path="/tokens/a", body='{"msg": "hourly"}', remaining=0,
        retry_after=120.0,
    )  # fmt: skip
    assert isinstance(error, RateLimitError)
    assert error.remaining == 0
    assert error.retry_after == 120.0
    assert "retry after 120 s" in str(error)
