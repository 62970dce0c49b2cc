"""The wire, as pure functions: Fastly's headers, timestamps, the bodies sent, and decipher."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
from multidict import CIMultiDict

from fastly_tokens._wire import parse_rate_limit, retry_after, server_wait

from .support.inputs import headers_of

NOW = 1_700_000_000.0


# parse_rate_limit


def test_parse_rate_limit() -> None:
    headers = CIMultiDict(
        {"Fastly-RateLimit-Remaining": "955", "Fastly-RateLimit-Reset": str(int(NOW) + 600)}
    )
    assert parse_rate_limit(headers, NOW) == (955, float(int(NOW) + 600))
    assert parse_rate_limit(CIMultiDict({"fastly-ratelimit-remaining": " 7 "}), NOW) == (7, None)
    assert parse_rate_limit(CIMultiDict(), NOW) == (None, None)


@pytest.mark.parametrize(
    ("remaining", "reset", "expected"),
    [
        ("lots", "soon", (None, None)),
        ("9.5", "", (None, None)),
        ("-3", "-1", (0, None)),
        ("", "nan", (None, None)),
        ("1", "inf", (1, None)),
        ("2", "0", (2, None)),
    ],
)
def test_parse_rate_limit_tolerates_garbage(
    remaining: str, reset: str, expected: tuple[int | None, float | None]
) -> None:
    headers = CIMultiDict(
        {"Fastly-RateLimit-Remaining": remaining, "Fastly-RateLimit-Reset": reset}
    )
    assert parse_rate_limit(headers, NOW) == expected


def test_server_wait_retry_after_seconds() -> None:
    assert server_wait(headers_of(Retry_After="7"), NOW) == 7.0
    assert server_wait(headers_of(**{"retry-after": " 2.5 "}), NOW) == 2.5


def test_server_wait_retry_after_http_date() -> None:
    when = datetime.fromtimestamp(NOW + 30, UTC)
    assert server_wait(headers_of(Retry_After=format_datetime(when, usegmt=True)), NOW) == 30.0
    past = datetime.fromtimestamp(NOW - 30, UTC)
    assert server_wait(headers_of(Retry_After=format_datetime(past, usegmt=True)), NOW) == 0.0


def test_server_wait_reset_header() -> None:
    assert server_wait(headers_of(Fastly_RateLimit_Reset=str(int(NOW) + 600)), NOW) == 600.0
    assert server_wait(headers_of(Fastly_RateLimit_Reset=str(int(NOW) - 5)), NOW) == 0.0


def test_retry_after_wins_over_reset() -> None:
    headers = headers_of(Retry_After="3", Fastly_RateLimit_Reset=str(int(NOW) + 600))
    assert server_wait(headers, NOW) == 3.0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Retry-After": "soon"},
        {"Retry-After": "-4"},
        {"Retry-After": "nan"},
        {"Retry-After": "inf"},
        {"Retry-After": ""},
        {"Fastly-RateLimit-Reset": "tomorrow"},
        {"Fastly-RateLimit-Reset": "inf"},
        {"Retry-After": "Mon, 99 Foo 20xx"},
    ],
)
def test_server_wait_garbage_is_none(headers: dict[str, str]) -> None:
    assert server_wait(CIMultiDict(headers), NOW) is None


def test_garbage_retry_after_falls_back_to_reset() -> None:
    headers = headers_of(Retry_After="soon", Fastly_RateLimit_Reset=str(int(NOW) + 9))
    assert server_wait(headers, NOW) == 9.0
    assert retry_after(headers, NOW) is None
