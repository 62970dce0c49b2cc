"""Error bodies in each of Fastly's shapes become the right typed error with Fastly's words."""

from __future__ import annotations

import copy
import json
import pickle
from datetime import UTC, datetime

import pytest

from fastly_tokens import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ClientLoopError,
    FastlyError,
    InternalServerError,
    NotFoundError,
    Outcome,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    RevocationReport,
    RevocationResult,
    UnprocessableEntityError,
)
from fastly_tokens._answers import status_error

from .support.errors import roundtrip


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


# -- every error pickles and copies with its fields (issue 8, item 10) ------------------------

EXAMPLES = [
    FastlyError("boom"),
    ClientClosedError("closed"),
    ClientLoopError("another loop"),
    APIConnectionError("refused", method="GET", path="/tokens"),
    APITimeoutError("timed out", method="GET", path="/tokens/self"),
    ResponseValidationError("not JSON", method="GET", path="/tokens", body="<html>"),
    ResponseTooLargeError(method="GET", path="/tokens", limit=1024),
    status_error(status=404, method="DELETE", path="/tokens/x", body='{"msg":"Record not found"}'),
    status_error(status=400, method="POST", path="/tokens", body='{"code":"invalid_grant"}'),
    status_error(status=503, method="GET", path="/tokens", body="<html>503</html>"),
    status_error(status=418, method="GET", path="/tokens", body="{}"),
    RateLimitError(
        status=429,
        method="DELETE",
        path="/tokens",
        msg="spent",
        remaining=0,
        reset_at=datetime(2026, 12, 1, 11, tzinfo=UTC),
        retry_after=30.0,
        maybe_applied=True,
    ),
]


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_every_error_pickles_and_copies_with_its_fields(error: FastlyError) -> None:
    restored = roundtrip(error)
    assert type(restored) is type(error)
    assert vars(restored) == vars(error)
    assert str(restored) == str(error)
    assert repr(restored) == repr(error)
    assert copy.deepcopy(error).args == error.args


def test_a_report_with_errors_pickles() -> None:
    results = tuple(RevocationResult(f"id{i}", Outcome.FAILED, e) for i, e in enumerate(EXAMPLES))
    report = RevocationReport(results, reads=1, writes=3, elapsed=0.5)
    restored = pickle.loads(pickle.dumps(report))  # noqa: S301 (our own bytes)
    assert [type(r.error) for r in restored.results] == [type(e) for e in EXAMPLES]
    assert restored.counts == report.counts


def test_a_huge_message_is_cut_and_says_so() -> None:
    body = json.dumps({"msg": "m" * 5_000_000, "detail": "d" * 5_000_000})
    error = status_error(status=400, method="POST", path="/tokens", body=body)
    assert len(str(error)) < 1200
    assert error.msg.endswith("(4999500 more characters)")
    assert len(APIConnectionError("x" * 10**6, method="GET", path="/").args[0]) < 600


def test_an_absurd_retry_after_is_described_briefly() -> None:
    error = RateLimitError(status=429, method="GET", path="/", retry_after=1e308)
    assert str(error).endswith("(retry after more than a day)")
