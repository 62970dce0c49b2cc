"""Rotation without downtime: a successor made, proven, handed over, then the old one revoked.

Fastly has no rotate endpoint. This does what teams do by hand each quarter, in an order that
never leaves a service without a working token: create the successor (same name plus a
suffix, or a new name; the same scope, services, role and expiry policy), prove its secret
works (``GET /tokens/self`` with it), hand the secret over once, and only then revoke the old
token, at once or after a grace period. Every step is journaled: a run killed anywhere and run
again finishes the rotation or says where it stands, and never leaves two live successors (a
successor whose secret was lost before it was handed over is revoked, then made anew).
"""

from __future__ import annotations

import contextlib
import inspect
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import attrs

from ._bulk.journal import Journal
from ._errors import FastlyError, NotFoundError, PermissionDeniedError
from ._facade import ClientLike
from ._models import AutomationToken, CreatedAutomationToken, CreatedToken, Token
from ._secrets import Secret

__all__ = ["RotationError", "RotationResult", "RotationStep", "rotate_token"]

StepName = Literal[
    "planned", "creating", "created", "verified", "handed_over", "discarded", "revoked_old", "done"
]
HandOver = Callable[[str], object]
"""Given the new secret, store it (a file, a vault, a deploy): called once, before the revoke.

It may be a coroutine function (what it returns is awaited when awaitable)."""

Successor = CreatedToken | CreatedAutomationToken
_ORPHAN_SLACK = timedelta(seconds=60)
_ROTATED = re.compile(r" \(rotated \d{4}-\d{2}-\d{2}\)$")
"""The suffix a default name ends with: a second rotation replaces it rather than adds one."""


class RotationError(FastlyError):
    """A rotation cannot go on: the journal records another, or the new secret failed."""


@attrs.frozen
class RotationStep:
    """One step this run took, for the one-line-a-step report."""

    step: StepName
    detail: str


@attrs.frozen(kw_only=True)
class RotationResult:
    """Where a rotation stands after this run."""

    old_id: str
    new_id: str | None
    state: Literal["done", "awaiting_grace"]
    revoke_after: datetime | None
    """When the old token is revoked (a grace period): run again after it, or ``wait=True``."""
    steps: tuple[RotationStep, ...]
    created: CreatedToken | CreatedAutomationToken | None = attrs.field(default=None, repr=False)
    """The successor with its secret, when this run made it (its repr hides the secret)."""


@attrs.frozen
class _Plan:
    old: Token
    name: str
    expires_at: datetime | None


async def rotate_token(
    client: ClientLike,
    token_id: str,
    *,
    password: str,
    hand_over: HandOver,
    username: str | None = None,
    otp: str | None = None,
    name: str | None = None,
    grace: timedelta = timedelta(0),
    wait: bool = False,
    journal: str | os.PathLike[str] | None = None,
) -> RotationResult:
    """Rotate one user or automation token; see the module for the order of the steps.

    ``password`` (and ``otp``) log in to create the successor: the key's user's, after sudo,
    for a user token (``username`` to log in as another user, without the key) and the
    superuser's for an automation token. ``name`` names the successor (default: the old name
    and ``" (rotated YYYY-MM-DD)"``). The old token is revoked once ``hand_over`` returned, or,
    with a ``grace`` period, by a run after it (``wait=True`` sleeps through it). ``journal``
    makes a killed rotation resumable: run the same call again.
    """
    if grace < timedelta(0):
        raise ValueError("grace must be a duration of 0 or more")
    if grace and not wait and journal is None:
        raise ValueError(
            "a grace period needs a journal (a later run revokes the old token) or wait=True"
        )
    rotation = _Rotation(
        client,
        token_id,
        password=Secret(password),
        username=username,
        otp=None if otp is None else Secret(otp),
    )
    del password, otp
    if journal is not None:
        rotation.journal = Journal.open(journal)
    try:
        return await rotation.run(hand_over, name=name, grace=grace, wait=wait)
    finally:
        if rotation.journal is not None:
            rotation.journal.close()


class _Rotation:
    def __init__(
        self,
        client: ClientLike,
        token_id: str,
        *,
        password: Secret,
        username: str | None,
        otp: Secret | None,
    ) -> None:
        self.client = client
        self.token_id = token_id
        self._password = password
        self._username = username
        self._otp = otp
        self.journal: Journal | None = None
        self.steps: list[RotationStep] = []
        self._own_key = False
        """The old token is the key this client sends: once revoked, the client is done."""
        self._records: list[dict[str, Any]] = []
        """Every step's record: the journal's of earlier runs, then this run's."""

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.client._clock(), UTC)

    def _note(self, step: StepName, detail: str, **record: Any) -> None:
        self.steps.append(RotationStep(step, detail))
        self._records.append({"step": step, **record})
        if self.journal is not None:
            self.journal.write([{"step": step, **record}])

    def _last(self) -> dict[str, dict[str, Any]]:
        """Map each step the journal holds to its last record."""
        last: dict[str, dict[str, Any]] = {}
        for record in self._records:
            last[str(record.get("step"))] = record
        return last

    async def run(
        self, hand_over: HandOver, *, name: str | None, grace: timedelta, wait: bool
    ) -> RotationResult:
        current = await self.client.tokens.get_token_current()
        self._own_key = current.id == self.token_id
        if self.journal is not None:
            self.journal.bind(
                endpoint=self.client.base_url,
                customer_id=current.customer_id,
                user_id=current.user_id,
            )
            self._records = list(self.journal.records)
        done = self._last()
        planned = done.get("planned")
        if planned is not None and planned.get("old") != self.token_id:
            raise RotationError(f"the journal records the rotation of {planned.get('old')}")
        if "done" in done or "revoked_old" in done:
            return self._result(done, "done")
        if "handed_over" in done:
            return await self._finish(done, wait=wait)
        plan = await self._plan(done, name=name)
        await self._discard(done, plan)
        created = await self._create(plan)
        await self._verify(created)
        await self._hand_over(created, hand_over)
        revoke_after = self._now() + grace
        self._note(
            "handed_over",
            "the new secret was handed over",
            new=created.id,
            revoke_after=revoke_after.timestamp(),
        )
        result = await self._finish(self._last() | _handed(created.id, revoke_after), wait=wait)
        return attrs.evolve(result, created=created)

    async def _plan(self, done: dict[str, dict[str, Any]], *, name: str | None) -> _Plan:
        old = await self._read_old()
        planned = done.get("planned")
        if planned is not None:
            return _Plan(old, str(planned["name"]), _expiry_of(old, self._now()))
        chosen = name or f"{_ROTATED.sub('', old.name or old.id)} (rotated {self._now():%Y-%m-%d})"
        self._note(
            "planned",
            f"rotating {old.kind} token {old.id} ({old.name})",
            old=old.id,
            kind=old.kind,
            name=chosen,
        )
        return _Plan(old, chosen, _expiry_of(old, self._now()))

    async def _read_old(self) -> Token:
        """Read the old token as what it is; an automation token's services come apart.

        ``GET /tokens/{id}`` answers for automation tokens too, in the user-token shape (no
        role), so the automation read goes first: a 404 (not one) or a 403 (the caller is no
        superuser, who alone manages them) sends it to the user-token read.
        """
        automation = self.client.automation_tokens
        try:
            token = await automation.get_automation_token(self.token_id)
        except (NotFoundError, PermissionDeniedError):
            return await self.client.tokens.get_token(self.token_id)
        services = tuple(await automation.list_automation_token_services(self.token_id))
        return attrs.evolve(token, services=services)  # its get sends null for them

    async def _discard(self, done: dict[str, dict[str, Any]], plan: _Plan) -> None:
        """Revoke successors made by an earlier run whose secrets were never handed over."""
        orphans: list[str] = []
        made = done.get("created")
        if made is not None:
            orphans.append(str(made["new"]))
        creating = done.get("creating")
        if creating is not None:
            since = datetime.fromtimestamp(float(creating["at_epoch"]), UTC) - _ORPHAN_SLACK
            orphans += [
                t.id for t in await self._same_name(plan) if (t.created_at or since) >= since
            ]
        for orphan in dict.fromkeys(orphans):
            with contextlib.suppress(NotFoundError):  # gone already: either way not live
                await self.client.tokens.revoke_token(orphan)
            self._note("discarded", f"revoked {orphan}: made, but its secret was lost", new=orphan)

    async def _same_name(self, plan: _Plan) -> list[Token]:
        if isinstance(plan.old, AutomationToken):
            listed: list[Token] = [*await self.client.automation_tokens.list_automation_tokens()]
        else:
            listed = [*await self.client.tokens.list_tokens_user()]
        return [t for t in listed if t.name == plan.name and t.id != plan.old.id]

    async def _create(self, plan: _Plan) -> Successor:
        self._note("creating", f"creating {plan.name!r}", at_epoch=self._now().timestamp())
        old = plan.old
        otp = None if self._otp is None else self._otp.reveal()
        created: Successor
        if isinstance(old, AutomationToken):
            created = await self.client.automation_tokens.create_automation_token(
                name=plan.name,
                role=old.role,
                roles=[r.id for r in old.roles],
                services=old.services,
                scope=old.scope or None,
                expires_at=plan.expires_at,
                tls_access=old.tls_access,
                password=self._password.reveal(),
                username=self._username,
                otp=otp,
            )
        else:
            created = await self.client.tokens.create_token(
                name=plan.name,
                scope=old.scope or "global",
                services=old.services,
                expires_at=plan.expires_at,
                password=self._password.reveal(),
                username=self._username,
                otp=otp,
            )
        self._note("created", f"created {created.id}", new=created.id)
        return created

    async def _verify(self, created: Successor) -> None:
        """Prove the new secret works; if not, revoke the successor (the old one stays)."""
        try:
            async with self.client.with_key(created.access_token) as probe:
                seen = await probe.tokens.get_token_current()
        except FastlyError as exc:
            failure = f"the new secret does not work: {exc}"
        else:
            if seen.id == created.id:
                self._note("verified", f"the new secret works (GET /tokens/self is {created.id})")
                return
            failure = f"the new secret authenticates as {seen.id}, not {created.id}"
        with contextlib.suppress(NotFoundError):
            await self.client.tokens.revoke_token(created.id)
        self._note("discarded", f"revoked {created.id}: {failure}", new=created.id)
        raise RotationError(f"{failure}; it was revoked, and the old token still works")

    async def _hand_over(self, created: Successor, hand_over: HandOver) -> None:
        try:
            outcome = hand_over(created.access_token)
            if inspect.isawaitable(outcome):
                await outcome
        except BaseException:
            await self.client.tokens.revoke_token(created.id)  # unusable: its secret is lost
            self._note(
                "discarded", f"revoked {created.id}: handing its secret over failed", new=created.id
            )
            raise

    async def _finish(self, done: dict[str, dict[str, Any]], *, wait: bool) -> RotationResult:
        handed = done["handed_over"]
        revoke_after = datetime.fromtimestamp(float(handed["revoke_after"]), UTC)
        left = (revoke_after - self._now()).total_seconds()
        if left > 0 and not wait:
            return self._result(done, "awaiting_grace", revoke_after=revoke_after)
        if left > 0:
            await self.client._sleep(left)
        try:
            await self.client.tokens.revoke_token(self.token_id)
            detail = f"revoked the old token {self.token_id}"
            if self._own_key:
                detail += " (this client's own key: use the new secret from now on)"
        except NotFoundError:
            detail = f"the old token {self.token_id} is gone already"
        self._note("revoked_old", detail, old=self.token_id)
        self._note("done", f"rotated: {handed.get('new')} replaces {self.token_id}")
        return self._result(self._last(), "done")

    def _result(
        self,
        done: dict[str, dict[str, Any]],
        state: Literal["done", "awaiting_grace"],
        revoke_after: datetime | None = None,
    ) -> RotationResult:
        new = done.get("handed_over", done.get("created", {})).get("new")
        return RotationResult(
            old_id=self.token_id,
            new_id=None if new is None else str(new),
            state=state,
            revoke_after=revoke_after,
            steps=tuple(self.steps),
        )


def _handed(new_id: str, revoke_after: datetime) -> dict[str, dict[str, Any]]:
    return {"handed_over": {"new": new_id, "revoke_after": revoke_after.timestamp()}}


def _expiry_of(old: Token, now: datetime) -> datetime | None:
    """Give the successor the old token's lifetime again, from now (none for none)."""
    if old.expires_at is None or old.created_at is None:
        return None
    return now.replace(microsecond=0) + (old.expires_at - old.created_at)
