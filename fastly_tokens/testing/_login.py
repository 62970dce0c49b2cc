"""Logins: the two ways ``POST /tokens`` authenticates, ``POST /sudo``, and creating a token.

- **Keyless login** (no ``Fastly-Key``): ``username`` and ``password`` in the form, or HTTP
  Basic. 400 ``invalid_request`` if either is missing, ``invalid_grant`` if wrong,
  ``account_locked`` for a locked user, ``2fa.verify`` without the right ``Fastly-OTP``
  for a two-factor user. Never needs sudo. The write is charged to that user's budget.
- **Key login** (``Fastly-Key`` plus its user's ``password``; ``username`` optional, and if
  sent it must be the key's user's): the Fastly CLI's way. Needs the key's token in sudo
  mode (switch ``key_create_needs_sudo``, default on): 403 ``You must POST /sudo to access
  this endpoint``. Then the same 400 codes as above; ``Fastly-OTP`` is checked only with
  ``otp_with_key`` (default on). The write is charged to the key's budget.
- **Sudo** (``POST /sudo``, with a ``Fastly-Key``): the same password rules as the key login,
  but every refusal is a 403 (the docs: wrong login, 403); opens the asking token's sudo
  window (``sudo_seconds``, default five minutes, or the body's ``expiry_time``).

A wrong password for a known user, or a locked one, logs ``user.login_failure``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ._errors import (
    MSG_2FA_REQUIRED,
    MSG_ACCOUNT_LOCKED,
    MSG_BAD_REQUEST,
    MSG_SUDO_DENIED,
    MSG_SUDO_REQUIRED,
    ApiError,
)
from ._parse import CreateForm, SudoRequest, parse_expiry, parse_scopes
from ._records import FakeToken, FakeUser
from ._state import Store


def _login_failure(store: Store, user: FakeUser, token: FakeToken | None, ip: str | None) -> None:
    store.events.record(
        "user.login_failure",
        customer_id=user.customer_id,
        user_id=user.id,
        token_id=None if token is None else token.id,
        ip=ip,
        description=f"Failed login for {user.login}",
    )


def _check_password(
    store: Store,
    user: FakeUser | None,
    password: str | None,
    *,
    token: FakeToken | None,
    ip: str | None,
) -> FakeUser:
    """Return the user whose password this is; 400 ``invalid_grant``, ``account_locked``."""
    if user is None or password is None:
        raise ApiError.code("invalid_grant")
    if user.password != password:
        _login_failure(store, user, token, ip)
        raise ApiError.code("invalid_grant")
    if user.locked:
        _login_failure(store, user, token, ip)
        raise ApiError.code("account_locked")
    return user


def _check_otp(user: FakeUser, otp: str | None) -> None:
    if user.otp is not None and otp != user.otp:
        raise ApiError.code("2fa.verify")


def keyless_login(store: Store, form: CreateForm, otp: str | None, ip: str | None) -> FakeUser:
    """Check the username-and-password login of a POST /tokens sent with no key."""
    if form.username is None or form.password is None:
        raise ApiError.code("invalid_request")
    user = _check_password(
        store, store.user_by_login(form.username), form.password, token=None, ip=ip
    )
    _check_otp(user, otp)
    return user


def _key_user(store: Store, caller: FakeToken, username: str | None) -> FakeUser | None:
    """Return the key's user if the login names it (or names nobody), else None."""
    owner = store.owner(caller)
    if owner is None or (username is not None and username != owner.username):
        return None
    return owner


def key_login(
    store: Store, caller: FakeToken, form: CreateForm, otp: str | None, ip: str | None
) -> FakeUser:
    """Check the key-plus-password login of a POST /tokens sent with ``Fastly-Key``."""
    if store.behaviour.key_create_needs_sudo and not caller.in_sudo(store.clock()):
        raise ApiError.msg(403, MSG_SUDO_REQUIRED)
    if form.password is None:
        raise ApiError.code("invalid_request")
    user = _check_password(
        store, _key_user(store, caller, form.username), form.password, token=caller, ip=ip
    )
    if store.behaviour.otp_with_key:
        _check_otp(user, otp)
    return user


def enter_sudo(
    store: Store, caller: FakeToken, body: SudoRequest, otp: str | None, ip: str | None
) -> datetime:
    """Open the caller's sudo window after checking its user's password; every refusal 403."""
    try:
        user = _check_password(
            store, _key_user(store, caller, body.username), body.password, token=caller, ip=ip
        )
        if store.behaviour.otp_with_key:
            _check_otp(user, otp)
    except ApiError as error:
        code = error.body.get("code")
        msg = {"account_locked": MSG_ACCOUNT_LOCKED, "2fa.verify": MSG_2FA_REQUIRED}
        raise ApiError.msg(403, msg.get(str(code), MSG_SUDO_DENIED)) from None
    now = store.now()
    expires = now + timedelta(seconds=store.behaviour.sudo_seconds)
    if body.expiry_time is not None:
        try:
            expires = parse_expiry(body.expiry_time, now.timestamp()) or expires
        except ApiError:
            raise ApiError.msg(
                400, MSG_BAD_REQUEST, "expiry_time must be a future ISO 8601 timestamp"
            ) from None
    caller.sudo_expires_at = expires
    store.events.record(
        "user.sudo",
        customer_id=user.customer_id,
        user_id=user.id,
        token_id=caller.id,
        ip=ip,
        description=f"{user.login} entered sudo mode",
        metadata={"expiry_time": expires.isoformat()},
    )
    return expires


def create_user_token(
    store: Store, user: FakeUser, form: CreateForm, actor: FakeToken | None, ip: str | None
) -> FakeToken:
    """Apply POST /tokens for a logged-in user: scope, then expiry, then the token."""
    scopes = parse_scopes(form.scope)
    expires_at = parse_expiry(form.expires_at, store.clock())
    token = store.add_token(
        user, name=form.name or "", scope=scopes, services=form.services, expires_at=expires_at
    )
    store.events.token_event("token.create", actor, token, user.id, ip=ip)
    return token
