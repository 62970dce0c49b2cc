"""The leaked-secret response: revoke a secret whose id nobody knows, then see what it did.

The secret itself says which token it is (``GET /tokens/self`` sent with it) and revokes it
(``DELETE /tokens/self`` sent with it), as the Fastly CLI's ``auth revoke --token-value`` does;
a 401 or a 404 means Fastly no longer takes it (already revoked or expired). Then, with the
caller's own key, the owner and the audit log's events of that token since it was created.
The leaked secret is held as a :class:`Secret` and appears in no output, error or log line.
"""

from __future__ import annotations

from typing import Literal

import attrs

from ._errors import AuthenticationError, FastlyError, NotFoundError
from ._events import Event
from ._facade import ClientLike
from ._ids import is_valid_id
from ._models import Token
from ._users import User

__all__ = ["LeakResponse", "revoke_leaked_secret"]


@attrs.frozen(kw_only=True)
class LeakResponse:
    """What the response to one leaked secret found and did."""

    outcome: Literal["revoked", "already_revoked"]
    """``revoked``: Fastly answered 204 to the secret's own ``DELETE /tokens/self``;
    ``already_revoked``: Fastly no longer takes the secret (401 or 404)."""
    token: Token | None
    """What the secret was, read with it before the revoke (None when already revoked)."""
    owner: User | None = None
    events: tuple[Event, ...] = ()
    """What the token did (the audit log's events with its id), oldest first."""
    events_error: str | None = None
    """Why the events could not be read (the caller may not read the audit log), if not."""
    created_tokens: tuple[str, ...] = ()
    """Tokens the leaked one created (its ``token.create`` events): whoever held the secret
    may hold these too. Read from each event's ``metadata.token_id`` (INFERRED: Fastly
    documents no metadata keys), so an empty tuple is no proof that it made none."""


async def revoke_leaked_secret(client: ClientLike, secret: str) -> LeakResponse:
    """Identify and revoke the token whose secret is ``secret``; report its owner and events.

    ``client`` is the caller's own (its key reads the owner and the audit log). The leaked
    secret gets a client of its own, on the same endpoint, used for two requests. Between them,
    the caller's key asks whether it is an automation token (``/tokens/self`` does not say,
    and a revoked token can no longer be read): one free read, a round trip before the revoke.
    """
    leaked_client = client.with_key(secret)
    del secret
    async with leaked_client as leaked:
        try:
            token: Token | None = await leaked.tokens.get_token_current()
        except (AuthenticationError, NotFoundError):
            token = None
        outcome: Literal["revoked", "already_revoked"] = "already_revoked"
        if token is not None:
            token = await _as_automation(client, token)  # one read first: it goes with the revoke
            try:
                await leaked.tokens.revoke_token_current()
                outcome = "revoked"
            except (AuthenticationError, NotFoundError):
                outcome = "already_revoked"
    if token is None:
        return LeakResponse(outcome=outcome, token=None)
    owner = await _owner(client, token)
    try:
        events = tuple(await client.events.list_events(token_id=token.id, since=token.created_at))
        error = None
    except FastlyError as exc:
        events, error = (), str(exc)
    return LeakResponse(
        outcome=outcome,
        token=token,
        owner=owner,
        events=events,
        events_error=error,
        created_tokens=_created_by(events),
    )


def _created_by(events: tuple[Event, ...]) -> tuple[str, ...]:
    made = (e.metadata.get("token_id") for e in events if e.event_type == "token.create")
    return tuple(dict.fromkeys(t for t in made if isinstance(t, str) and is_valid_id(t)))


async def _as_automation(client: ClientLike, token: Token) -> Token:
    """Read the token again as an automation token, if it is one (``/tokens/self`` tells not).

    Only a superuser may read automation tokens; anyone else (a 403), or a user token (a 404),
    keeps what the secret itself read.
    """
    try:
        return await client.automation_tokens.get_automation_token(token.id)
    except FastlyError:
        return token


async def _owner(client: ClientLike, token: Token) -> User | None:
    if token.kind == "automation" or not token.user_id:
        return None
    try:
        return await client.users.get_user(token.user_id)
    except FastlyError:
        return None  # not visible to the caller, or gone
