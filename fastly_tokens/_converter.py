"""The one cattrs converter that turns Fastly's JSON into our models.

Its primitive hooks are strict: cattrs would otherwise turn ``None`` into ``'None'`` for a
``str`` field, or ``12`` into ``'12'``. ``strict_converter`` is its twin that also forbids
unknown keys; the test suite structures the fake's fixtures with it so they cannot drift from
the models, while users get the tolerant one.

Models are built by the functions :mod:`._fastpath` generates from their fields and the
inline reads below (``_INLINE``, which must read each type as its hook here does), in front
of cattrs' own functions, which take every body they do not expect.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import attrs
import cattrs

from ._fastpath import InlineReads, register_models
from ._models import AutomationToken, CreatedAutomationToken, Event, ScopeSet, as_scope

__all__ = ["converter", "make_converter", "strict_converter"]


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _structure_optional_str(value: Any, _: type) -> str | None:
    if value is None or type(value) is str:
        return value
    return _structure_str(value, str)


_JUST_STR = frozenset({str})


def _structure_strings(value: Any, _: type) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected an array of strings, got {type(value).__name__}")
    # The item check runs in C (map, set): lists of service ids are long and many.
    if value and set(map(type, value)) != _JUST_STR:
        raise TypeError("expected an array of strings, got other items in it")
    return tuple(value)


def _structure_optional_strings(value: Any, _: type) -> tuple[str, ...] | None:
    return None if value is None else _structure_strings(value, tuple)


@functools.lru_cache(maxsize=256)
def _parse_scope(value: str) -> ScopeSet:
    # A list of thousands of tokens holds a handful of distinct scope strings: parse each once.
    return frozenset(map(as_scope, value.split()))


def _structure_scope(value: Any, _: type) -> ScopeSet:
    """Parse Fastly's space-joined scope string, keeping scopes we do not know as ``str``."""
    if value is None:
        return frozenset()
    if isinstance(value, list | tuple):
        return frozenset(as_scope(_structure_str(v, str)) for v in value)
    return _parse_scope(_structure_str(value, str))


def _structure_datetime(value: Any, _: type) -> datetime:
    """Read an ISO-8601 timestamp (Fastly sends ``...Z``) as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value if type(value) is str else _structure_str(value, str))
    if parsed.tzinfo is UTC:  # Fastly's own "...Z" form: nothing to convert
        return parsed
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _structure_optional_datetime(value: Any, _: type) -> datetime | None:
    if value is None or value == "":
        return None
    return _structure_datetime(value, datetime)


def _structure_optional_bool(value: Any, _: type) -> bool | None:
    if value is None or type(value) is bool:
        return value
    raise TypeError(f"expected true or false, got {type(value).__name__}")


def _automation_shape(value: Any, *, created: bool) -> Any:
    """Bring an automation-token body to one shape.

    ``scopes`` becomes a list (list items send a space-joined string), ``scope`` is filled in
    from it, and ``access_token: ""`` (no secret) is dropped from answers that are not a create's.
    """
    if not isinstance(value, dict):
        return value
    shaped = dict(value)
    scopes = shaped.get("scopes")
    if isinstance(scopes, str):
        shaped["scopes"] = scopes.split()
    if shaped.get("scope") is None and shaped.get("scopes") is not None:
        shaped["scope"] = shaped["scopes"]
    if not created and shaped.get("access_token") == "":
        del shaped["access_token"]
    return shaped


def _event_shape(value: Any) -> Any:
    """Flatten a JSON:API event resource: its ``attributes`` beside its ``id`` (``type`` goes)."""
    if not isinstance(value, dict) or "attributes" not in value:
        return value
    attributes = value["attributes"]
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, dict):
        raise TypeError(f"expected the attributes to be an object, got {type(attributes).__name__}")
    return {**attributes, "id": value.get("id")}


_SHAPES: dict[type, Callable[[Any], Any]] = {
    AutomationToken: functools.partial(_automation_shape, created=False),
    CreatedAutomationToken: functools.partial(_automation_shape, created=True),
    Event: _event_shape,
}
"""Models whose bodies are brought to their fields' shape before cattrs structures them."""


_INLINE = InlineReads(
    kinds={
        str: "str",
        str | None: "optional_str",
        datetime | None: "optional_datetime",
        tuple[str, ...]: "strings",
        tuple[str, ...] | None: "optional_strings",
        ScopeSet: "scope",
        bool | None: "optional_bool",
    },
    scope=_parse_scope,
    empty_scope=frozenset(),
)
"""The field types the generated functions read inline, as the hooks above do."""


def _ours(type_: Any) -> bool:
    """One of the package's models (the fake's own classes are not structured here)."""
    module = getattr(type_, "__module__", "")
    return (
        isinstance(type_, type)
        and attrs.has(type_)
        and module.partition(".")[0] == "fastly_tokens"
        and not module.startswith("fastly_tokens.testing")
    )


def make_converter(*, forbid_extra_keys: bool = False, fast: bool = True) -> cattrs.Converter:
    """Build a converter with our strict hooks; ``forbid_extra_keys`` makes the test twin.

    Models are built by functions generated for the shape Fastly sends (:mod:`._fastpath`),
    which hand anything else to cattrs' own; ``fast=False`` uses cattrs' alone, the reference
    the tests hold the generated functions to.
    """
    conv = cattrs.Converter(forbid_extra_keys=forbid_extra_keys)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(datetime, _structure_datetime)
    exact: dict[Any, Any] = {
        str | None: _structure_optional_str,
        datetime | None: _structure_optional_datetime,
        tuple[str, ...]: _structure_strings,
        tuple[str, ...] | None: _structure_optional_strings,
        ScopeSet: _structure_scope,
        bool | None: _structure_optional_bool,
    }
    for type_, hook in exact.items():
        # Generic aliases are not classes, so they dispatch on equality, not singledispatch.
        conv.register_structure_hook_func(_is(type_), hook)
    register_models(
        conv,
        _ours,
        _INLINE,
        prepare=_SHAPES,
        fast=fast,
    )
    conv.register_unstructure_hook(datetime, _unstructure_datetime)
    conv.register_unstructure_hook_func(_is(ScopeSet), _unstructure_scope)
    return conv


def _is(expected: Any) -> Callable[[Any], bool]:
    return lambda type_: bool(type_ == expected)


def _unstructure_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unstructure_scope(scopes: ScopeSet) -> str:
    """Write scopes back as Fastly does: one space-joined string."""
    return " ".join(sorted(scopes))


converter = make_converter()
"""The tolerant converter the client uses: unknown keys are ignored."""

strict_converter = make_converter(forbid_extra_keys=True)
"""The test twin: unknown keys are an error, so fixtures cannot drift from the models."""
