"""An API error in words a person can act on: what a login refusal means and what to do.

Fastly refuses a wrong password on ``POST /tokens`` with a bare ``400 invalid_grant``, and a
sudo login with a 403; printed as they are, neither says what to try next. Pure: the error in,
one line out (the SDK's own description, then the advice). Any other error is described as the
SDK describes it.
"""

from __future__ import annotations

from .. import APIStatusError, FastlyError, PermissionDeniedError, Scope

__all__ = ["explain"]

_SCOPES = ", ".join(scope.value for scope in Scope)

_LOGIN_ADVICE = (
    "a user with two-factor authentication also needs --otp CODE, and an account that signs "
    "in with SSO cannot log in with a password (make its tokens in Fastly's web interface)"
)

_CODES = {
    "invalid_grant": "the login was refused: the password or the username is wrong; "
    + _LOGIN_ADVICE,
    "2fa.verify": "the login needs a current two-factor code: pass --otp CODE (a fresh one)",
    "account_locked": "the user's account is locked (too many failed logins?): unlock it in "
    "Fastly's web interface, or ask an administrator",
    "invalid_request": "the login was incomplete: it needs a password (and --username when given)",
    "invalid_scope": f"Fastly refused the scope: the scopes are {_SCOPES}",
}
"""The 400 codes of ``POST /tokens``' logins, and what each means for the person logging in."""

_LOGIN_PATHS = ("/tokens", "/sudo")


def _is_login(error: APIStatusError) -> bool:
    return error.method == "POST" and error.path.split("?", 1)[0] in _LOGIN_PATHS


def explain(error: FastlyError) -> str:
    """One line for ``error``: the SDK's description, and what to do for a refused login."""
    described = str(error)
    if not isinstance(error, APIStatusError) or not _is_login(error):
        return described
    advice = _CODES.get(error.msg.strip()) if error.status == 400 else None
    if advice is None and error.path == "/sudo" and type(error) is PermissionDeniedError:
        advice = _sudo_advice(error.msg.lower())
    return described if advice is None else f"{described}: {advice}"


def _sudo_advice(said: str) -> str:
    """Say what a refused ``POST /sudo`` (always a 403) means, from the words Fastly used."""
    if "two-factor" in said or "2fa" in said or "otp" in said:
        return _CODES["2fa.verify"]
    if "locked" in said:
        return _CODES["account_locked"]
    return (
        "sudo mode was refused: the password is not the key's user's (or --username names "
        "someone else); " + _LOGIN_ADVICE
    )
