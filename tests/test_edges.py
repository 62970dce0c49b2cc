"""Edges of the pure helpers that the end-to-end tests do not reach: each refuses or keeps what
its docstring says."""

from __future__ import annotations

import aiohttp
import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from fastly_tokens import APIConnectionError, FastlyAsync
from fastly_tokens._config import is_loopback, timeout_of
from fastly_tokens._failures import no_answer
from fastly_tokens._secrets import Redactor, Secret, check_secret, scrub

KEY = "k" * 32


@pytest.mark.parametrize("host", [None, ""])
def test_no_host_is_not_loopback(host: str | None) -> None:
    assert is_loopback(host) is False


@pytest.mark.parametrize("seconds", [0, -1.5])
def test_a_timeout_must_be_positive(seconds: float) -> None:
    with pytest.raises(ValueError, match="timeout must be positive"):
        timeout_of(seconds)
    with pytest.raises(ValueError, match="timeout must be positive"):
        FastlyAsync(KEY, timeout=seconds)


def test_a_token_that_is_not_a_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="token must be a str, not int"):
        FastlyAsync(12345)  # type: ignore[arg-type]  # the wrong type is the point


@pytest.mark.parametrize("value", ["", "  \n"])
def test_a_blank_secret_is_refused_by_name(value: str) -> None:
    with pytest.raises(ValueError, match=r"^password is empty$"):
        check_secret(value, "password")


def _throw(error: BaseException) -> None:
    raise error


def _raised(error: BaseException) -> BaseException:
    """``error`` after it was raised and caught, so it carries a traceback."""
    try:
        _throw(error)
    except BaseException as caught:
        return caught
    raise AssertionError("unreachable")


def test_scrub_drops_the_frames_of_every_member_of_a_group() -> None:
    inner = _raised(ValueError("inner"))
    group = _raised(BaseExceptionGroup("two", [inner, _raised(KeyError("k"))]))
    assert all(e.__traceback__ is not None for e in (group, inner))
    assert scrub(group) is group
    assert group.__traceback__ is None
    assert isinstance(group, BaseExceptionGroup)
    assert all(e.__traceback__ is None for e in group.exceptions)


def _no_answer(exc: BaseException) -> BaseException:
    return no_answer(
        exc,
        method="GET",
        path="/tokens/self",
        host="api.example",
        waited=2.0,
        redact=Redactor([Secret(KEY)]),
        closed=False,
    )


def test_an_error_holding_the_request_is_never_kept_as_the_cause() -> None:
    headers = CIMultiDictProxy(CIMultiDict({"Fastly-Key": KEY}))
    url = URL("https://api.example/tokens/self")
    info = aiohttp.RequestInfo(url, "GET", headers, url)
    held = aiohttp.ClientResponseError(info, (), status=502)
    lost = aiohttp.ClientPayloadError("cut short")
    lost.__context__ = held
    error = _no_answer(lost)
    assert isinstance(error, APIConnectionError)
    assert "api.example after 2.0 s" in str(error)
    assert error.__cause__ is None  # the chain led to the headers, so none is kept
    assert KEY not in repr(error)


def test_what_is_not_a_failure_of_the_call_is_raised_as_it_is() -> None:
    bug = _raised(AttributeError("a bug"))
    assert _no_answer(bug) is bug
    assert bug.__traceback__ is None
