"""No token or password in any repr, message, chain, frame local or pickle (issue 8, item 4).

Every error path is driven for real (refused connection, dropped connection, timeout, each
status, an echoing proxy, a spent budget, a bad body, a closed client, create's login), and
what a reporter could show of the error is searched for the secrets: ``repr`` and ``str`` of
every link of the chain, the traceback formatted with its frame locals (as Sentry, ``pytest
-l`` or rich's ``show_locals`` print it) and the pickle of every link.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from fastly_tokens import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    FastlyAsync,
    InternalServerError,
    NotFoundError,
    Outcome,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
)
from fastly_tokens._secrets import MaskedHeaders, Redactor, Secret, SecretBytes, check_secret
from fastly_tokens.testing import DEMO_PASSWORD, FakeClock, FakeFastly

from .support.errors import assert_no_secret, capture
from .support.hostile import HostileServer, echo_headers, raw

KEY = "Kz9_secret-key-value-000000000001"
PASSWORD = "correct horse battery staple"
ONCE = RetryPolicy(attempts=1)


@pytest.fixture
async def echo() -> AsyncIterator[HostileServer]:
    async with HostileServer(echo_headers(400)).running() as server:
        yield server


def client_for(base_url: str, **kwargs: object) -> FastlyAsync:
    return FastlyAsync(KEY, base_url=base_url, retry=ONCE, sleep=FakeClock().sleep, **kwargs)  # type: ignore[arg-type]  # test-only pass-through


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 429, 500, 503])
async def test_an_echoed_key_is_masked_in_every_status_error(
    echo: HostileServer, status: int
) -> None:
    echo.answer = echo_headers(status)
    async with client_for(echo.base_url) as c:
        error = await capture(c.tokens.get_token("5Yo3XXnrQpjc20u0ybrf2g"))
    assert error.__class__.__name__.endswith("Error")
    assert "Fastly-Key" in str(error)  # the echo did arrive, masked
    assert_no_secret(error, [KEY])


async def test_create_masks_the_password_and_the_key_that_a_server_echoes(
    echo: HostileServer,
) -> None:
    async with client_for(echo.base_url) as c:
        error = await capture(
            c.tokens.create_token(username="me@example.com", password=PASSWORD, otp="123456")
        )
    assert isinstance(error, BadRequestError)
    assert_no_secret(error, [KEY, PASSWORD, "correct+horse+battery+staple", "123456"])


async def test_create_errors_from_the_fake_keep_no_password() -> None:
    async with FakeFastly() as fake, client_for(fake.base_url) as c:
        wrong = await capture(
            c.tokens.create_token(username=fake.user.username, password=PASSWORD + "x")
        )
        assert isinstance(wrong, BadRequestError | AuthenticationError)
        assert_no_secret(wrong, [KEY, PASSWORD, fake.key])


async def test_a_refused_connection_keeps_no_key() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with client_for(f"http://127.0.0.1:{port}") as c:
        error = await capture(c.tokens.get_token_current())
    assert isinstance(error, APIConnectionError)
    assert error.__cause__ is not None  # aiohttp's error is kept, without its frames
    assert_no_secret(error, [KEY])


async def test_a_dropped_connection_keeps_no_key() -> None:
    async def drop(request: web.Request) -> web.StreamResponse:
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    async with HostileServer(drop).running() as server, client_for(server.base_url) as c:
        error = await capture(c.tokens.revoke_token("5Yo3XXnrQpjc20u0ybrf2g"))
    assert isinstance(error, APIConnectionError)
    assert_no_secret(error, [KEY])


async def test_a_timeout_keeps_no_key() -> None:
    release = asyncio.Event()

    async def hang(request: web.Request) -> web.StreamResponse:
        await release.wait()
        return web.Response()

    async with HostileServer(hang).running() as server:
        async with client_for(server.base_url, timeout=0.05) as c:
            error = await capture(c.tokens.get_token_current())
        release.set()
    assert isinstance(error, APITimeoutError)
    assert_no_secret(error, [KEY])


async def test_a_budget_refused_by_the_gate_keeps_no_key() -> None:
    # The gate raises inside the middleware, so the error passes through aiohttp's frames.
    clock = FakeClock()
    async with (
        FakeFastly(rate_limit=1, clock=clock) as fake,
        FastlyAsync(
            fake.key,
            base_url=fake.base_url,
            retry=RetryPolicy(max_wait=0),
            clock=clock,
            sleep=clock.sleep,
        ) as c,
    ):
        await c.tokens.revoke_token(fake.add_token(name="a").id)
        error = await capture(c.tokens.revoke_token(fake.add_token(name="b").id))
        sent = len(fake.requests_matching("DELETE", "/tokens/*"))
    assert isinstance(error, RateLimitError)
    assert sent == 1  # refused without sending
    assert_no_secret(error, [fake.key])


@pytest.mark.parametrize(
    "body", [b'{"id": "Kz9_secret-key-value-000000000001', b'{"id": 1, "name": "%s"}']
)
async def test_a_body_that_does_not_fit_keeps_no_key(body: bytes) -> None:
    handler = raw(body.replace(b"%s", KEY.encode()))
    async with HostileServer(handler).running() as server, client_for(server.base_url) as c:
        error = await capture(c.tokens.get_token_current())
    assert isinstance(error, ResponseValidationError)
    assert_no_secret(error, [KEY])


async def test_a_created_token_body_that_does_not_fit_keeps_its_secret_out() -> None:
    new_secret = "NEW-secret-of-the-created-token-01"
    body = f'{{"id": "x", "created_at": "{new_secret}", "access_token": "{new_secret}"}}'
    server = HostileServer(raw(body.encode()))
    async with server.running(), client_for(server.base_url) as c:
        error = await capture(c.tokens.create_token(username="me", password=PASSWORD))
    assert isinstance(error, ResponseValidationError)
    assert_no_secret(error, [KEY, PASSWORD, new_secret])


async def test_a_client_closed_mid_call_keeps_no_key() -> None:
    release, arrived = asyncio.Event(), asyncio.Event()

    async def hang(request: web.Request) -> web.StreamResponse:
        arrived.set()
        await release.wait()
        return web.Response()

    async with HostileServer(hang).running() as server:
        c = client_for(server.base_url)
        call = asyncio.ensure_future(c.tokens.get_token_current())
        await arrived.wait()
        await c.close()
        error = await capture(call)
        release.set()
    assert isinstance(error, ClientClosedError)
    assert_no_secret(error, [KEY])


async def test_errors_kept_in_a_report_keep_no_key(echo: HostileServer) -> None:
    echo.answer = echo_headers(500)
    async with client_for(echo.base_url) as c:
        report = await c.tokens.revoke_many(["5Yo3XXnrQpjc20u0ybrf2g", "2JVEnF2nTNiC0CQSFqH7Ql"])
    assert report.counts[Outcome.FAILED] == 2
    for result in report.results:
        assert isinstance(result.error, InternalServerError)
        assert_no_secret(result.error, [KEY])
    group = await capture(_raise_for_failures(report.raise_for_failures))
    assert_no_secret(group, [KEY])


async def _raise_for_failures(raise_for_failures: object) -> None:
    assert callable(raise_for_failures)
    raise_for_failures()


async def test_the_fake_sees_the_key_so_the_checks_above_can_fail() -> None:
    # The negative control: the echo really carries the key before the client masks it.
    async with HostileServer(echo_headers(404)).running() as server:
        import aiohttp  # noqa: PLC0415 (only this control needs the raw client)

        async with (
            aiohttp.ClientSession() as session,
            session.get(server.base_url + "/tokens/self", headers={"Fastly-Key": KEY}) as resp,
        ):
            assert KEY in await resp.text()
    async with FakeFastly() as fake, client_for(fake.base_url) as c:
        error = await capture(c.tokens.get_token("5Yo3XXnrQpjc20u0ybrf2g"))
    assert isinstance(error, AuthenticationError | NotFoundError)


# -- the pieces ------------------------------------------------------------------------------


def test_secret_wrappers_show_nothing_and_refuse_pickling() -> None:
    secret = Secret(KEY)
    assert KEY not in repr(secret) + str(secret)
    assert secret.reveal() == KEY
    with pytest.raises(TypeError):
        __import__("pickle").dumps(secret)
    headers = MaskedHeaders({"Fastly-Key": KEY, "fastly-otp": "123456", "Accept": "x"})
    assert KEY not in repr(headers)
    assert "123456" not in repr(headers)
    assert "'Accept': 'x'" in repr(headers)
    body = SecretBytes(f"password={PASSWORD}".encode())
    assert PASSWORD not in repr(body) + str(body)
    assert bytes(body) == f"password={PASSWORD}".encode()


def test_redactor_masks_longest_first_and_ignores_short_values() -> None:
    redact = Redactor([Secret("abcd"), Secret("abcdefgh")]).with_secrets([Secret("xy")])
    assert redact("abcdefgh abcd xy") == "*** *** xy"
    assert KEY not in repr(Redactor([Secret(KEY)]))


@pytest.mark.parametrize(
    ("value", "kept"), [(f"{KEY}\n", KEY), (f"  {KEY}\t", KEY), ("\ufeffabc", None)]
)
def test_check_secret_strips_whitespace_and_refuses_the_rest(value: str, kept: str | None) -> None:
    if kept is not None:
        assert check_secret(value, "token") == kept
    else:
        with pytest.raises(ValueError, match="token"):
            check_secret(value, "token")


@pytest.mark.parametrize("bad", [f"{KEY}\x00", "a\x1bb", "two words", "ключ"])
def test_a_key_with_a_control_character_is_refused_at_construction(bad: str) -> None:
    with pytest.raises(ValueError, match="token") as info:
        FastlyAsync(bad)
    assert bad.strip() not in str(info.value)


async def test_a_key_read_from_a_file_with_its_newline_works() -> None:
    async with FakeFastly() as fake, FastlyAsync(fake.key + "\n", base_url=fake.base_url) as c:
        assert (await c.tokens.get_token_current()).id == fake.token_id


async def test_an_otp_with_a_control_character_is_refused_before_sending() -> None:
    async with FakeFastly() as fake, client_for(fake.base_url) as c:
        with pytest.raises(ValueError, match="otp"):
            await c.tokens.create_token(
                username=fake.user.username, password=DEMO_PASSWORD, otp="123\r\n456"
            )
        assert fake.requests == []
