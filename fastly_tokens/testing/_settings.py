"""The fake's switches: every choice the facts leave open, in one mutable object.

``FakeFastly(**options)`` sets them; ``fake.behaviour`` changes them while it runs. Each
INFERRED choice (see ``fastly-tokens-api.md`` and ``fastly-account-api.md``) has a switch
here, and its default is the one stated below.

- ``bulk_partial`` (default False): a bulk ``DELETE /tokens`` with an id the caller may not
  revoke fails whole with that id's error (INFERRED); True revokes what it may.
- ``bulk_max`` (default None): the largest bulk batch, 413 beyond (none documented).
- ``retry_after`` (default False): a 429 carries no ``Retry-After`` (as observed).
- ``key_create_needs_sudo`` (default True): ``POST /tokens`` with a ``Fastly-Key`` (the
  second login: key plus password) needs the key's token in sudo mode, 403 ``You must POST
  /sudo to access this endpoint`` otherwise, as go-fastly and the Fastly CLI both ``POST
  /sudo`` first (INFERRED). The keyless login (username and password) never needs sudo.
- ``otp_with_key`` (default True): a two-factor user's ``Fastly-OTP`` is checked wherever
  their password is: the keyless login, the key login and ``POST /sudo`` (INFERRED; False
  checks it on the keyless login only, as the docs describe).
- ``sudo_seconds`` (default 300): the sudo window, five minutes as observed.
- ``bulk_revokes_automation`` (default True): a bulk ``DELETE /tokens`` revokes automation
  tokens too (undocumented; the facts file's decision).
- ``automation_delete_works`` (default False): ``DELETE /automation-tokens/{id}`` answers 400
  and revokes nothing, as reported (go-fastly PR #547: it wants a ``customer_id`` nobody can
  send); True answers 200 with the token, as the spec says.
- ``automation_own_budget`` (default True): an automation token's writes are charged to its
  own budget ("each user account or automation token", INFERRED); False charges its creator.
- ``users_visible_to`` (default ``"superuser"``): who may list a customer's users and read a
  colleague's record (INFERRED): its superusers only; ``"customer"``: every user and
  automation token of that customer. Anyone may read their own record.
- ``events_visible_to`` (default ``"superuser"``): who may read ``GET /events`` (INFERRED):
  the customer's superusers, every event of the customer; ``"own"``: anyone, events they
  performed themselves (``user_id`` theirs), superusers still everything.
- ``locked_tokens_work`` (default True): a locked user cannot log in (create, sudo: 400
  ``account_locked`` / 403), but their tokens keep working, which is why an audit flags them
  (INFERRED: Fastly locks logins); False refuses their tokens with a 401.
- ``latency`` (default 0): seconds added to every response.
"""

from __future__ import annotations

from typing import Literal, get_args

import attrs

UsersVisibleTo = Literal["superuser", "customer"]
EventsVisibleTo = Literal["superuser", "own"]


@attrs.define
class Behaviour:
    """The switches of one fake; change them at any time, even while it serves."""

    bulk_max: int | None = None
    bulk_partial: bool = False
    retry_after: bool = False
    latency: float = 0.0
    key_create_needs_sudo: bool = True
    otp_with_key: bool = True
    sudo_seconds: float = 300.0
    bulk_revokes_automation: bool = True
    automation_delete_works: bool = False
    automation_own_budget: bool = True
    users_visible_to: UsersVisibleTo = attrs.field(
        default="superuser", validator=attrs.validators.in_(get_args(UsersVisibleTo))
    )
    events_visible_to: EventsVisibleTo = attrs.field(
        default="superuser", validator=attrs.validators.in_(get_args(EventsVisibleTo))
    )
    locked_tokens_work: bool = True
