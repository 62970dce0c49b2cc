"""What the command reports, as data: the ``--json`` documents and the words for outcomes.

Pure and free of rich: a token, a report or a dry run in, a JSON-ready dict out. Outcomes are
rendered from the :class:`Outcome` enum and the fields of :class:`RevocationResult` as they
are, so an outcome or a result field the SDK adds shows up without a change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .. import Outcome, RevocationPlan, RevocationReport, RevocationResult, Token
from .._converter import converter
from .._wire import TIME_FORMAT

__all__ = [
    "GONE",
    "counts_text",
    "describe_error",
    "dry_run_json",
    "label",
    "not_revoked",
    "plan_json",
    "report_json",
    "result_json",
    "token_json",
]

GONE = frozenset({Outcome.REVOKED, Outcome.NOT_FOUND})
"""The outcomes ``RevocationReport.ok`` accepts: the token is not usable any more."""

_RESULT_FIELDS = ("token_id", "outcome", "error")
"""The result fields rendered by name; every other field is copied as it is."""


def label(outcome: Outcome) -> str:
    """``not found`` for ``Outcome.NOT_FOUND``: the value, in words."""
    return outcome.value.replace("_", " ")


def token_json(token: Token) -> dict[str, Any]:
    """Render a token as JSON: timestamps ``...Z``, scope space-joined, as Fastly writes them.

    ``scopes`` (an automation token's list, as Fastly sent it) comes in the order ``scope``
    has: sorted.
    """
    data: dict[str, Any] = converter.unstructure(token)
    if isinstance(data.get("scopes"), list | tuple):
        data["scopes"] = sorted(data["scopes"])
    return data


def describe_error(error: BaseException | None) -> str:
    """One line naming an error's type and saying what it said (empty for none)."""
    if error is None:
        return ""
    return f"{type(error).__name__}: {error}"


def counts_text(counts: Mapping[Outcome, int]) -> str:
    """``revoked 3, not found 1``: revoked always, every other outcome once it has ids."""
    shown = [o for o in Outcome if o is Outcome.REVOKED or counts.get(o, 0)]
    return ", ".join(f"{label(o)} {counts.get(o, 0)}" for o in shown)


def not_revoked(results: Iterable[RevocationResult]) -> list[RevocationResult]:
    """List the results whose token may still work: any outcome but revoked and not found."""
    return [r for r in results if r.outcome not in GONE]


def result_json(result: RevocationResult) -> dict[str, Any]:
    """One id's outcome, its error (type, message, status) and the result's other fields."""
    error = result.error
    data: dict[str, Any] = {
        "id": result.token_id,
        "outcome": str(result.outcome),
        "error": describe_error(error) or None,
        "error_type": None if error is None else type(error).__name__,
        "status": getattr(error, "status", None),
    }
    for field in attrs.fields(type(result)):
        if field.name not in _RESULT_FIELDS:
            data[field.name] = _plain(getattr(result, field.name))
    return data


def _plain(value: object) -> object:
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def report_json(report: RevocationReport, plan: RevocationPlan | None = None) -> dict[str, Any]:
    """Render the report as JSON: the totals, then one result per id in input order."""
    counts = report.counts
    data: dict[str, Any] = {
        "ok": report.ok,
        "total": len(report.results),
        "counts": {str(o): counts.get(o, 0) for o in Outcome},
        "reads": report.reads,
        "writes": report.writes,
        "requests": report.requests,
        "elapsed": round(report.elapsed, 3),
        "stopped": report.stopped,
    }
    if plan is not None:
        data["listing"] = plan.listing
        data["partial_view"] = plan.partial_view
    data["results"] = [result_json(r) for r in report.results]
    return data


def plan_json(plan: RevocationPlan) -> dict[str, Any]:
    """Render a plan: what would be sent and what it would cost."""
    return {
        "to_send": list(plan.to_send),
        "current_last": plan.current_last,
        "not_found": list(plan.not_found),
        "invalid": list(plan.invalid),
        "resumed": list(plan.resumed),
        "writes": plan.writes,
        "reads": plan.reads,
        "listing": plan.listing,
        "partial_view": plan.partial_view,
        "remaining": plan.remaining,
        "reset_at": None if plan.reset_at is None else plan.reset_at.strftime(TIME_FORMAT),
        "fits_budget": plan.fits_budget,
    }


def dry_run_json(plan: RevocationPlan, tokens: list[Token] | None) -> dict[str, Any]:
    """Describe what a dry run would revoke: the plan, and the tokens a selection chose."""
    ids = [*plan.to_send, *([plan.current_last] if plan.current_last else [])]
    data: dict[str, Any] = {"dry_run": True, "count": len(ids), "ids": ids, **plan_json(plan)}
    if tokens is not None:
        data["tokens"] = [token_json(t) for t in tokens]
    return data
