"""Generated structuring functions for the shape Fastly sends, in front of cattrs' full path.

Why: a list of 2,000 tokens spent most of its model building in per-field machinery (a hook
call per field, a keyword dict per model, attrs' frozen ``__init__`` setting 16 slots through
``object.__setattr__``). Here each model gets one function, generated from its fields, that
reads the dict directly, checks each value's type inline and sets the slots of a new instance:
it takes about half of cattrs' time per token. It is generated (``exec``, as attrs and cattrs
do themselves) because the saving *is* the calls it leaves out: the same reads as a loop over
per-field reader functions, with no ``exec``, pay one Python call per field again: 70 % of
cattrs' time, and row 2 of the benchmarks at 1.31 to 1.36 against its target of 1.25 (the
figures are in ``benchmarks/README.md``, "Profiles").

Anything it does not expect (a missing ``id``, a wrong type, an unknown key for the strict
converter, a timestamp it cannot read, any exception at all) hands the same dict to cattrs'
own generated function, which builds the model or raises the error it always did: the fast
path changes what building costs, never what it returns or raises. A class it cannot build
exactly (a field left out of ``__init__``, a default that reads the instance) gets cattrs'
function alone; one with a validator or ``__attrs_post_init__`` is built by calling it.
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
_SHORT = 8
"""Lists shorter than this have their items checked one by one; longer ones in C (map, set)."""


@attrs.frozen
class InlineReads:
    """What the generated functions read inline: field types by kind, and the scope parser.

    ``kinds`` maps a field type to its kind (``str | None`` to ``"optional_str"``, ...);
    ``scope`` parses a space-joined scope string, ``empty_scope`` is a null scope's value.
    Each inline read must give what the converter's hook for that type gives: the tests
    hold every model to cattrs' own path on good and hostile bodies.
    """

    kinds: Mapping[Any, str]
    scope: Callable[[str], Any]
    empty_scope: Any


def _to_utc(parsed: datetime) -> datetime:
    """Bring a timestamp not in Fastly's own ``...Z`` form to aware UTC (naive is UTC)."""
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class _Fallback(Exception):
    """Raised inside a generated function to leave it for the full path."""


_GIVE_UP = "raise Fallback"
"""How a generated read gives up: the handler after it calls the full path, outside itself,
so its error chains to nothing and cattrs runs once (``return slow(...)`` in the ``try``
would run it twice on a failing body, the second time with the first error as context)."""


def _strings(v: str, empty: str) -> list[str]:
    """Lines that read an array of strings into a tuple (``empty`` for null)."""
    return [
        f"if {v} is None:",
        f"    {v} = {empty}",
        f"elif type({v}) is list:",
        f"    if len({v}) < SHORT:",
        f"        for x in {v}:",
        "            if type(x) is not str:",
        f"                {_GIVE_UP}",
        f"    elif set(map(type, {v})) != JUST_STR:",
        f"        {_GIVE_UP}",
        f"    {v} = tuple({v})",
        "else:",
        f"    {_GIVE_UP}",
    ]


_INLINE_CHECKS: dict[str, Callable[[str], list[str]]] = {
    "optional_str": lambda v: [f"if {v} is not None and type({v}) is not str:", f"    {_GIVE_UP}"],
    "optional_bool": lambda v: [
        f"if {v} is not None and type({v}) is not bool:",
        f"    {_GIVE_UP}",
    ],
    "optional_datetime": lambda v: [
        f"if {v} is not None:",
        f"    if type({v}) is not str:",
        f"        {_GIVE_UP}",
        f"    if {v}:",
        f"        {v} = fromiso({v})",
        f"        if {v}.tzinfo is not UTC:",
        f"            {v} = to_utc({v})",
        "    else:",
        f"        {v} = None",
    ],
    "scope": lambda v: [
        f"if {v} is None:",
        f"    {v} = EMPTY_SCOPE",
        f"elif type({v}) is str:",
        f"    {v} = parse_scope({v})",
        "else:",
        f"    {_GIVE_UP}",
    ],
    "strings": lambda v: _strings(v, "()"),
    "optional_strings": lambda v: _strings(v, "None"),
}
"""The checks of each kind read from a key that may be missing (read as null)."""

_NULL_READS_AS: dict[str, Any] = {"strings": ()}
"""What a kind reads a null as, where that is not ``None`` (a scope: ``empty_scope``)."""


def _read(name: str, i: int, kind: str, has_default: bool) -> list[str]:
    """Write the lines that read field ``name`` into ``v{i}``, or return the full path."""
    v = f"v{i}"
    if kind == "str":  # no null to read: a missing key is the default, or the full path
        if not has_default:
            return [f"{v} = o[{name!r}]", f"if type({v}) is not str:", f"    {_GIVE_UP}"]
        return [
            f"{v} = get({name!r}, MISSING)",
            f"if {v} is MISSING:",
            f"    {v} = d{i}()",
            f"elif type({v}) is not str:",
            f"    {_GIVE_UP}",
        ]
    if kind in _INLINE_CHECKS:  # a required field's missing key: KeyError, the full path
        read = f"get({name!r})" if has_default else f"o[{name!r}]"
        return [f"{v} = {read}", *_INLINE_CHECKS[kind](v)]
    # Any other type: cattrs structures it (a nested model, a mapping), or the default.
    return [
        f"if {name!r} in o:",
        f"    {v} = structure(o[{name!r}], h{i})",
        "else:",
        f"    {v} = d{i}()" if has_default else f"    {_GIVE_UP}",
    ]


def _kind(reads: InlineReads, field: attrs.Attribute[Any], type_: Any) -> str:
    """How ``field`` is read: inline when its type is known and a missing key gives its default."""
    kind = next((k for t, k in reads.kinds.items() if type_ == t), "other")
    if kind in ("str", "other") or field.default is attrs.NOTHING:
        return kind  # without a default, a missing key is the full path's (cattrs' error)
    if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]  # Factory is a class
        return "other"
    null = reads.empty_scope if kind == "scope" else _NULL_READS_AS.get(kind)
    same = field.default is None if null is None else field.default == null
    return kind if same else "other"  # a default the inline read of null would not give


def _default(field: attrs.Attribute[Any]) -> Callable[[], Any]:
    """Give ``field``'s default as ``__init__`` would: a factory's is made anew each time."""
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # Factory is a class
        factory: Callable[[], Any] = default.factory
        return factory
    return lambda: default


def _exact(cls: type) -> bool:
    """Whether a generated function can give what cattrs' does for ``cls`` (else: cattrs').

    A field outside ``__init__`` (cattrs leaves it out too) or a default computed from the
    instance cannot be read before the instance exists, so such a class is left to cattrs.
    """
    return all(f.init and not _takes_self(f.default) for f in attrs.fields(cls))


def _takes_self(default: Any) -> bool:
    return isinstance(default, attrs.Factory) and default.takes_self  # type: ignore[arg-type]  # Factory is a class


def _settable(cls: type) -> bool:
    """Whether an instance may be made by setting its slots, with what ``__init__`` would do.

    Only when ``__init__`` does nothing else: every slot is a field (no cached hash, no
    ``__dict__``), no validator, no ``__attrs_pre_init__``/``__attrs_post_init__``, and every
    converter a plain function of the value (not attrs' ``Converter``, which may take more).
    """
    slots = {s for c in cls.__mro__[:-1] for s in c.__dict__.get("__slots__", ("__dict__",))}
    fields = attrs.fields(cls)
    wrapper: Any = getattr(attrs, "Converter", ())  # attrs >= 24.1
    return (
        slots - {"__weakref__"} == {f.name for f in fields}
        and not hasattr(cls, "__attrs_post_init__")
        and not hasattr(cls, "__attrs_pre_init__")
        and all(
            f.validator is None and (f.converter is None or not isinstance(f.converter, wrapper))
            for f in fields
        )
    )


def _build(
    cls: type, fields: Sequence[attrs.Attribute[Any]], namespace: dict[str, Any]
) -> list[str]:
    """Write the lines that make the instance from ``v0``, ``v1``, ...: its slots set in turn.

    That is what attrs' frozen ``__init__`` does (converters included), less the call, the
    keyword arguments and ``object.__setattr__``'s name lookups; a class that is not
    :func:`_settable` is built by calling it with the values.
    """
    if not _settable(cls):
        args = ", ".join(f"{f.alias}=v{i}" for i, f in enumerate(fields))
        return [f"return cls({args})"]
    lines = ["inst = new(cls)"]
    for i, field in enumerate(fields):
        namespace[f"set{i}"] = getattr(cls, field.name).__set__  # the slot's own descriptor
        value = f"v{i}"
        if field.converter is not None:
            namespace[f"c{i}"] = field.converter
            value = f"c{i}({value})"
        lines.append(f"set{i}(inst, {value})")
    return [*lines, "return inst"]


def generate(cls: type, conv: cattrs.Converter, reads: InlineReads) -> Hook:
    """Generate ``cls``'s structuring function, with cattrs' own for it as the full path."""
    slow: Hook = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=conv.forbid_extra_keys)
    if not _exact(cls):
        return slow
    fields = attrs.fields(cls)
    hints = typing.get_type_hints(cls)
    namespace: dict[str, Any] = {
        "MISSING": _MISSING,
        "JUST_STR": _JUST_STR,
        "SHORT": _SHORT,
        "UTC": UTC,
        "EMPTY_SCOPE": reads.empty_scope,
        "fromiso": datetime.fromisoformat,
        "to_utc": _to_utc,
        "parse_scope": reads.scope,
        "structure": conv.structure,
        "cls": cls,
        "new": object.__new__,
        "slow": slow,
        "Fallback": _Fallback,
        "KNOWN": frozenset(f.name for f in fields),
    }
    body: list[str] = []
    for i, field in enumerate(fields):
        has_default = field.default is not attrs.NOTHING
        if has_default:
            namespace[f"d{i}"] = _default(field)
        namespace[f"h{i}"] = hints[field.name]
        body += _read(field.name, i, _kind(reads, field, hints[field.name]), has_default)
    body += _build(cls, fields, namespace)
    test = "type(o) is dict" + (" and o.keys() <= KNOWN" if conv.forbid_extra_keys else "")
    lines = [
        "def fast(o, t):",
        f"    if {test}:",
        "        try:",
        "            get = o.get",
        *(f"            {line}" for line in body),
        "        except Exception:",  # whatever went wrong, the full path says it properly
        "            pass",
        "    return slow(o, t)",
    ]
    source = "\n".join(lines) + "\n"
    filename = _filename(cls, source, strict=conv.forbid_extra_keys)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 (our own generated code)
    fast: Hook = namespace["fast"]
    return fast


def _filename(cls: type, source: str, *, strict: bool) -> str:
    """Name ``source`` for tracebacks, and register it with ``linecache`` so they show it.

    One name per class and strictness; a different source under a taken name (a class of the
    same name elsewhere) gets a number, so no traceback shows another function's lines.
    """
    strictness = " strict" if strict else ""
    base = f"<fastly_tokens{strictness} structure {cls.__module__}.{cls.__qualname__}"
    lines = source.splitlines(True)
    filename, n = f"{base}>", 1
    # An entry is (size, mtime, lines, name), or (loader,) for a lazy one: both are "taken".
    while (taken := linecache.cache.get(filename)) is not None and taken[-2:-1] != (lines,):
        n += 1
        filename = f"{base}-{n}>"
    linecache.cache[filename] = (len(source), None, lines, filename)  # no mtime: never evicted
    return filename


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
        made: Hook = (
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
