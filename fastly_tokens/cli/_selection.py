"""Reading the selection criteria of ``revoke``: flags, ``--where`` clauses, dates, ``Nd``.

``--expired``, ``--unused-since DATE``, ``--name GLOB`` and ``--scope SCOPE`` (and the older
``--where KIND VALUE``) become :class:`Selection` fields, all to hold at once. Pure: the time
is passed in, nothing is sent; a bad value is a :class:`UsageError` naming the option.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from .. import Scope, Selection
from .._models import as_scope
from ._grammar import WHERE_KINDS, UsageError

__all__ = [
    "Clause",
    "build_selections",
    "checked_scopes",
    "criteria",
    "parse_moment",
    "parse_where",
]

Clause = tuple[str, Any]
"""One criterion as the ``Selection`` field it sets and the value."""

_DAYS_AGO = re.compile(r"(\d+)d")


def parse_moment(text: str, option: str, *, now: datetime) -> datetime:
    """Read an ISO date or date-time (UTC unless it says otherwise), or ``Nd`` (days before now)."""
    days = _DAYS_AGO.fullmatch(text.strip())
    if days:
        return now - timedelta(days=int(days.group(1)))
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{option}: not an ISO date or date-time (such as 2025-01-31 or "
            f"2025-01-31T12:00:00Z), nor Nd (days ago): {text!r}"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def checked_scopes(values: Sequence[str] | None) -> str | None:
    """Join the scopes ``create --scope`` was given (repeated or space-joined); None for none.

    Each must be one Fastly documents: anything else is a usage error before anything is
    sent (Fastly would refuse it with ``invalid_scope`` after the login).
    """
    if values is None:
        return None
    words = [word for value in values for word in value.split()]
    known = ", ".join(scope.value for scope in Scope)
    if not words:
        raise UsageError(f"--scope is empty: the scopes are {known}")
    for word in words:
        if not isinstance(as_scope(word), Scope):
            raise UsageError(f"--scope {word!r} is not a scope: the scopes are {known}")
    return " ".join(dict.fromkeys(words))


def parse_where(clauses: Sequence[Sequence[str]], *, now: datetime) -> list[Clause]:
    """Turn ``--where`` clauses into the ``Selection`` fields they set.

    A clause is ``expired``, ``unused-since DATE``, ``name GLOB`` or ``scope SCOPE``; the value
    may also come in the same word, as ``unused-since=DATE`` or ``"name ci *"``.
    """
    parsed: list[Clause] = []
    for words in clauses:
        parts = list(words)
        if len(parts) == 1:
            parts = re.split(r"[=\s]", parts[0].strip(), maxsplit=1)
        kind = parts[0]
        if kind not in WHERE_KINDS:
            known = ", ".join(WHERE_KINDS)
            raise UsageError(f"--where {' '.join(words)!r}: unknown clause {kind!r} ({known})")
        values = parts[1:]
        if len(values) != WHERE_KINDS[kind]:
            wanted = "no value" if not WHERE_KINDS[kind] else "one value"
            raise UsageError(f"--where {kind} takes {wanted}, got {' '.join(words)!r}")
        if kind == "expired":
            parsed.append(("expired", True))
        elif kind == "unused-since":
            parsed.append(
                ("unused_since", parse_moment(values[0], "--where unused-since", now=now))
            )
        else:
            parsed.append((kind, as_scope(values[0]) if kind == "scope" else values[0]))
    return parsed


def criteria(args: argparse.Namespace, *, now: datetime) -> list[Clause]:
    """Collect every criterion of ``revoke``'s flags and ``--where`` clauses, in that order."""
    found: list[Clause] = [("expired", True)] if args.expired else []
    found += [
        ("unused_since", parse_moment(v, "--unused-since", now=now)) for v in args.unused_since
    ]
    found += [
        ("created_before", parse_moment(v, "--created-before", now=now))
        for v in args.created_before
    ]
    found += [("name", glob) for glob in args.names]
    found += [("scope", as_scope(scope)) for scope in args.scopes]
    found += parse_where(args.where, now=now)
    if getattr(args, "kind", None):
        found.append(("kind", args.kind))
    if getattr(args, "role", None):
        found.append(("role", args.role))
    if getattr(args, "all_tokens", False):
        found.append(("all_tokens", True))
    return found


def build_selections(
    clauses: list[Clause], *, owner: str | None, include_current: bool
) -> tuple[Selection, list[Selection]]:
    """Build the selection for ``select_tokens`` and those matched after it.

    The first criterion of each kind goes into the main selection, with the owner and the
    current-token rule; a second one of a kind (``--name 'ci*' --name '*deploy'``) becomes a
    selection of its own, which must match too.
    """
    fields: dict[str, Any] = {"owner": owner, "include_current": include_current}
    extra: list[Selection] = []
    for field, value in clauses:
        if field == "all_tokens" or field not in fields or fields[field] is None:
            fields[field] = value
        else:
            extra.append(Selection(include_current=True, **{field: value}))
    return Selection(**fields), extra
