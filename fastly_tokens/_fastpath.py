"""Generated structuring functions for the shape Fastly sends, in front of cattrs' full path.

A list of 2,000 tokens spent most of its model-building time in per-field machinery: a hook
call per field, a keyword dict per model, attrs' frozen ``__init__``. Here each model gets one
function, generated from its fields, that reads the dict directly, checks each value's type
inline and sets the slots of a new instance. Anything it does not expect (a missing ``id``, a
wrong type, an unknown key for the strict converter, a timestamp it cannot read) hands the
same dict to cattrs' generated function, which builds the model or raises the error it always
did: the fast path changes what it costs, never what it returns or raises.
"""

from __future__ import annotations

import linecache
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

__all__ = ["InlineReads", "generate", "register_models"]

Hook = Callable[[Any, Any], Any]

_JUST_STR = frozenset({str})
_MISSING = object()


def _to_utc(parsed: datetime) -> datetime:
    """A parsed timestamp not in Fastly's own ``...Z`` form, as aware UTC (naive is UTC)."""
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _read(name: str, i: int, kind: str, has_default: bool) -> list[str]:
    """The lines that read field ``name`` into ``v{i}``, or return the full path."""
    v = f"v{i}"
    slow = "return slow(o, t)"
    if kind == "str":
        get = f"o[{name!r}]" if not has_default else f"get({name!r}, MISSING)"
        lines = [f"{v} = {get}"]
        if has_default:
            lines += [f"if {v} is MISSING:", f"    {v} = d{i}()", "el" + f"if type({v}) is not str:"]
        else:
            lines += [f"if type({v}) is not str:"]
        return [*lines, f"    {slow}"]
    lines = [f"{v} = get({name!r})"]
    if kind == "optional_str":
        return [*lines, f"if {v} is not None and type({v}) is not str:", f"    {slow}"]
    if kind == "optional_bool":
        return [*lines, f"if {v} is not None and type({v}) is not bool:", f"    {slow}"]
    if kind == "optional_datetime":
        return [
            *lines,
            f"if {v} is not None:",
            f"    if type({v}) is not str:",
            f"        {slow}",
            f"    if {v}:",
            f"        {v} = fromiso({v})",
            f"        if {v}.tzinfo is not UTC:",
            f"            {v} = to_utc({v})",
            "    else:",
            f"        {v} = None",
        ]
    if kind == "scope":
        return [
            *lines,
            f"if {v} is None:",
            f"    {v} = EMPTY_SCOPE",
            f"elif type({v}) is str:",
            f"    {v} = parse_scope({v})",
            "else:",
            f"    {slow}",
        ]
    if kind in ("strings", "optional_strings"):
        empty = "()" if kind == "strings" else "None"
        return [
            *lines,
            f"if {v} is None:",
            f"    {v} = {empty}",
            f"elif type({v}) is list:",
            f"    if {v} and set(map(type, {v})) != JUST_STR:",
            f"        {slow}",
            f"    {v} = tuple({v})",
            "else:",
            f"    {slow}",
        ]
    # Any other type: cattrs structures it (a nested model, a mapping), or the default.
    return [
        f"if {name!r} in o:",
        f"    {v} = structure(o[{name!r}], h{i})",
        *(["else:", f"    {v} = d{i}()"] if has_default else ["else:", f"    {slow}"]),
    ]


def _default_factory(field: attrs.Attribute[Any]) -> Callable[[], Any]:
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # attrs.Factory is a class
        if default.takes_self:  # pragma: no cover (no model's default reads the instance)
            raise TypeError("a default that takes self cannot be built before the instance")
        factory: Callable[[], Any] = default.factory
        return factory
    return lambda: default


def _reads_as_missing(kind: str, field: attrs.Attribute[Any]) -> bool:
    """Whether the inline read of a missing key (as null) gives ``field``'s own default."""
    if field.default is attrs.NOTHING:
        return False
    if kind in ("scope", "strings"):
        return field.default == (frozenset() if kind == "scope" else ())
    return field.default is None


def _settable(cls: type) -> bool:
    """Whether instances may be built by setting their slots (no validator, hook or init=False)."""
    return (
        "__slots__" in cls.__dict__
        and not hasattr(cls, "__attrs_post_init__")
        and not hasattr(cls, "__attrs_pre_init__")
        and all(
            f.init and f.validator is None and (f.converter is None or _plain(f.converter))
            for f in attrs.fields(cls)
        )
    )


def _plain(converter: object) -> bool:
    """A converter that is a function of the value alone (not attrs' ``Converter`` wrapper)."""
    wrapper: Any = getattr(attrs, "Converter", ())  # attrs >= 24.1
    return callable(converter) and not isinstance(converter, wrapper)


@attrs.frozen
class InlineReads:
    """What the generated functions read inline: field types by kind, and the scope parser.

    ``kinds`` maps a field type to its kind (``str | None`` to ``"optional_str"``, ...);
    ``scope`` parses a space-joined scope string, ``empty_scope`` is a null scope's value.
    Each inline read must give what the converter's hook for that type gives.
    """

    kinds: Mapping[Any, str]
    scope: Callable[[str], Any]
    empty_scope: Any


def generate(cls: type, conv: cattrs.Converter, reads: InlineReads) -> Hook:
    """Generate ``cls``'s structuring function, with cattrs' own for it as the full path."""
    slow = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=conv.forbid_extra_keys)
    fields = attrs.fields(cls)
    hints = typing.get_type_hints(cls)
    namespace: dict[str, Any] = {
        "MISSING": _MISSING,
        "JUST_STR": _JUST_STR,
        "UTC": UTC,
        "EMPTY_SCOPE": reads.empty_scope,
        "fromiso": datetime.fromisoformat,
        "to_utc": _to_utc,
        "parse_scope": reads.scope,
        "structure": conv.structure,
        "cls": cls,
        "new": object.__new__,
        "slow": slow,
        "KNOWN": frozenset(f.name for f in fields),
    }
    body: list[str] = []
    for i, field in enumerate(fields):
        kind = _kind(reads.kinds, hints[field.name])
        if kind not in ("str", "other") and not _reads_as_missing(kind, field):
            kind = "other"  # a default the inline read would not give for a missing key
        has_default = field.default is not attrs.NOTHING
        if has_default:
            namespace[f"d{i}"] = _default_factory(field)
        namespace[f"h{i}"] = hints[field.name]
        body += _read(field.name, i, kind, has_default)
    body += _build(cls, fields, namespace)
    head = ["if type(o) is not dict:", "    return slow(o, t)"]
    if conv.forbid_extra_keys:
        head += ["if not o.keys() <= KNOWN:", "    return slow(o, t)"]
    lines = [
        "def fast(o, t):",
        *(f"    {line}" for line in head),
        "    try:",
        "        get = o.get",
        *(f"        {line}" for line in body),
        "    except Exception:",  # whatever went wrong, the full path says it properly
        "        return slow(o, t)",
    ]
    source = "\n".join(lines) + "\n"
    strict = " strict" if conv.forbid_extra_keys else ""
    filename = f"<fastly_tokens{strict} structure {cls.__qualname__}>"
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 (our own generated code)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    fast: Hook = namespace["fast"]
    return fast


def _kind(kinds: Mapping[Any, str], type_: Any) -> str:
    for known, name in kinds.items():
        if type_ == known:
            return name
    return "other"


def _build(cls: type, fields: Sequence[attrs.Attribute[Any]], namespace: dict[str, Any]) -> list[str]:
    """The lines that make the instance from ``v0``, ``v1``, ...: its slots set one by one.

    That is what attrs' frozen ``__init__`` does, less its call; a class with a validator, an
    ``__attrs_post_init__`` or a field left out of ``__init__`` is built by calling it.
    """
    if not _settable(cls):
        args = ", ".join(f"{f.alias}=v{i}" for i, f in enumerate(fields))
        return [f"return cls({args})"]
    lines = ["inst = new(cls)"]
    for i, field in enumerate(fields):
        namespace[f"set{i}"] = getattr(cls, field.name).__set__
        value = f"v{i}"
        if field.converter is not None:
            namespace[f"c{i}"] = field.converter
            value = f"c{i}({value})"
        lines.append(f"set{i}(inst, {value})")
    return [*lines, "return inst"]


def register_models(
    conv: cattrs.Converter,
    models: Callable[[Any], bool],
    reads: InlineReads,
    *,
    prepare: Mapping[type, Callable[[Any], Any]] | None = None,
    fast: bool = True,
) -> None:
    """Have ``conv`` build every class ``models`` accepts through its generated function.

    Each function is generated on the first use of its class (importing the package generates
    nothing), for that exact class: a subclass gets its own. ``prepare`` maps a class to the
    shaping its bodies need first. ``fast=False`` registers cattrs' own functions instead: the
    reference the tests hold the generated ones to.
    """
    shapes = dict(prepare or {})

    def factory(type_: Any) -> Hook:
        made = (
            generate(type_, conv, reads)
            if fast
            else make_dict_structure_fn(
                type_, conv, _cattrs_forbid_extra_keys=conv.forbid_extra_keys
            )
        )
        shape = shapes.get(type_)
        if shape is None:
            return made

        def shaped(value: Any, type_: Any) -> Any:
            return made(shape(value), type_)

        return shaped

    conv.register_structure_hook_factory(models, factory)
