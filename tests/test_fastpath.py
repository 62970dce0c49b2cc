"""The generated structuring functions give exactly what cattrs' own path gives.

``make_converter(fast=False)`` is cattrs alone, the reference. Every model the package
structures is built by both, tolerant and strict, from the recorded samples, from what the fake
serves and from a table of hostile variations, and the two must agree: the same value (its
types, time zones and scope members included) or the same error type and the same
``cattrs.transform_error`` text. The hostile table itself is in ``tests/support/hostile_bodies``.
"""

from __future__ import annotations

import collections
import copy
import importlib
import json
import pkgutil
import subprocess
import sys
import traceback
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import cattrs
import pytest
from cattrs.gen import make_dict_structure_fn

import fastly_tokens
from fastly_tokens import (
    AutomationRole,
    AutomationToken,
    CreatedAutomationToken,
    CreatedToken,
    Event,
    FastlyAsync,
    ScopeSet,
    Token,
    User,
    _converter,
    _fastpath,
)
from fastly_tokens._automation import _create_body
from fastly_tokens._converter import make_converter
from fastly_tokens._events import _Document
from fastly_tokens._paging import Page, PageMeta
from fastly_tokens._secrets import Secret
from fastly_tokens._sudo import SudoAnswer
from fastly_tokens._wire import FORM_CONTENT_TYPE, create_form, sudo_form
from fastly_tokens.testing import DEMO_PASSWORD, FakeClock, FakeFastly

from .support.hostile_bodies import BASES, variations

SAMPLES = Path(__file__).parent / "samples"
CONVERTERS = {
    strict: (
        make_converter(forbid_extra_keys=strict),
        make_converter(forbid_extra_keys=strict, fast=False),
    )
    for strict in (False, True)
}
"""For each strictness: (the generated path, the reference)."""


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def shape(value: Any) -> Any:
    """Everything a value is made of, types included (``==`` takes +02:00 for Z, str for Scope)."""
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value), tuple((f.name, shape(getattr(value, f.name))) for f in fields))
    if isinstance(value, datetime):
        return (datetime, value.isoformat(), repr(value.tzinfo))
    if isinstance(value, frozenset | set):
        return (type(value), sorted((shape(v) for v in value), key=repr))
    if isinstance(value, list | tuple):
        return (type(value), [shape(v) for v in value])
    if isinstance(value, Mapping):
        return (type(value), sorted(((k, shape(v)) for k, v in value.items()), key=repr))
    return (type(value), value)


def outcome(conv: cattrs.Converter, body: Any, model: Any) -> tuple[Any, ...]:
    """What structuring ``body`` gives: its value's shape, or its error's type and text."""
    given = copy.deepcopy(body)
    try:
        value = conv.structure(given, model)
    except Exception as exc:  # any error is an outcome to compare
        validation = isinstance(exc, cattrs.BaseValidationError)
        text = cattrs.transform_error(exc) if validation else str(exc)
        chained = (type(exc.__context__), type(exc.__cause__))
        return ("error", type(exc), text, chained, given == body)
    return ("value", shape(value), given == body)  # the body left as it was, too


def agreed(body: Any, model: Any, *, strict: bool) -> tuple[Any, ...]:
    """Structure ``body`` both ways; fail unless they agree; return the outcome."""
    fast, reference = CONVERTERS[strict]
    got, expected = outcome(fast, body, model), outcome(reference, body, model)
    assert got == expected, (model, body)
    return got


@pytest.mark.parametrize("strict", [False, True])
def test_the_recorded_samples_agree(strict: bool) -> None:
    listed, created = sample("list_tokens.json"), sample("created_token.json")
    assert agreed(listed, list[Token], strict=strict)[0] == "value"
    assert agreed(created, CreatedToken, strict=strict)[0] == "value"
    kinds = collections.Counter(
        agreed(body, model, strict=strict)[0]
        for body in [*listed, created]
        for model in (Token, CreatedToken, AutomationToken, CreatedAutomationToken, User, Event)
    )
    assert kinds["value"] > 0  # both outcomes were compared
    assert kinds["error"] > 0


async def served(fake: FakeFastly, admin: FastlyAsync) -> list[tuple[Any, Any]]:
    """Every kind of body the fake serves, each with the model the client reads it as."""
    services = ["7i6HN3TK9wS159v2gPAZ8A", "SU1Z0isxPaozGVKXdv0eY"]
    fake.add_automation_token(name="deploy", roles=["tls_admin"], services=services)
    customer, superuser = fake.world.customer.id, fake.world.superuser_token.id

    async def answer(method: str, path: str, model: Any, **kwargs: Any) -> tuple[Any, Any]:
        got = await admin._request(method, path, **kwargs)
        assert got.status in (200, 201), (path, got.status)
        return json.loads(got.body), model

    bodies = [
        await answer("GET", "/tokens", list[Token]),
        await answer("GET", "/tokens/self", Token),
        await answer("GET", f"/tokens/{superuser}", Token),
        await answer("GET", f"/customer/{customer}/tokens", list[Token]),
        await answer("GET", f"/customer/{customer}/users", list[User]),
        await answer("GET", "/current_user", User),
        await answer("GET", f"/user/{fake.user.id}", User),
        await answer("GET", "/automation-tokens?page=1&per_page=100", Page[AutomationToken]),
    ]
    automation = bodies[-1][0]["data"][-1]["id"]
    bodies += [
        await answer("GET", f"/automation-tokens/{automation}", AutomationToken),
        await answer("GET", f"/automation-tokens/{automation}/services?page=1", Page[str]),
    ]
    password = Secret(DEMO_PASSWORD)
    form = {"Content-Type": FORM_CONTENT_TYPE}
    login = sudo_form(username=None, password=password)
    bodies.append(await answer("POST", "/sudo", SudoAnswer, data=login, headers=form))
    created = create_form(
        username=None,
        password=password,
        name="fast",
        scope="global:read purge_all",
        services=[],
        expires_at=None,
    )
    bodies.append(await answer("POST", "/tokens", CreatedToken, data=created, headers=form))
    made = _create_body(
        name="ci",
        role=None,
        roles=["engineer"],
        services=[],
        scope="global",
        expires_at=None,
        tls_access=None,
    )
    json_type = {"Content-Type": "application/json"}
    automation_created = ("POST", "/automation-tokens", CreatedAutomationToken)
    bodies.append(await answer(*automation_created, data=made, headers=json_type))
    events = "/events?sort=created_at&page[number]=1&page[size]=100"  # the creates are in it
    bodies.append(await answer("GET", events, _Document))
    return bodies


async def test_what_the_fake_serves_agrees_and_fits(clock: FakeClock) -> None:
    async with (
        FakeFastly(clock=clock, seed_tokens=40, seed_account=True) as fake,
        FastlyAsync(fake.superuser_key, base_url=fake.base_url, clock=clock) as admin,
    ):
        bodies = await served(fake, admin)
    models = {model for _, model in bodies}
    assert len(models) == 11  # every model the client reads a body as
    for body, model in bodies:
        if isinstance(body, dict) and "data" in body:
            assert body["data"], model  # a page with something in it
        for strict in (False, True):
            assert agreed(body, model, strict=strict)[0] == "value", (model, strict)


@pytest.mark.parametrize("name", sorted(BASES))
@pytest.mark.parametrize("strict", [False, True])
def test_hostile_variations_agree(name: str, strict: bool) -> None:
    base, model = BASES[name]
    kinds = collections.Counter(
        agreed(body, model, strict=strict)[0] for body in variations(base, model)
    )
    assert kinds["error"] > 5  # the table reached cattrs' errors ...
    assert kinds["value"] > 5  # ... and the values it reads


@attrs.frozen(kw_only=True)
class Tagged(Token):
    """A subclass: its own fields, its own function."""

    tag: str | None = None
    labels: tuple[str, ...] = ()


def test_a_subclass_gets_its_own_function() -> None:
    fast, reference = CONVERTERS[False]
    body = {"id": "a1", "tag": "blue", "labels": ["x"], "scope": "global"}
    made = _fastpath.generate(Tagged, fast, _converter._INLINE)(body, Tagged)
    assert type(made) is Tagged
    assert (made.tag, made.labels) == ("blue", ("x",))
    full: Any = make_dict_structure_fn(Tagged, reference)
    assert shape(made) == shape(full(body, Tagged))
    assert type(fast.structure(body, Token)) is Token  # Token's own function is not Tagged's
    assert fast.get_structure_hook(CreatedToken) is not fast.get_structure_hook(Token)
    created = fast.structure(sample("created_token.json"), CreatedToken)
    assert type(created) is CreatedToken
    assert created.access_token == sample("created_token.json")["access_token"]


@attrs.frozen(cache_hash=True)
class _CachedHash:
    x: str = "a"


@attrs.frozen
class _Validated:
    x: str = attrs.field(default="a", validator=attrs.validators.min_len(1))


@attrs.frozen
class _PostInit:
    x: str = "a"
    seen: list[str] = attrs.field(factory=list, eq=False)

    def __attrs_post_init__(self) -> None:
        self.seen.append(self.x)


@attrs.frozen
class _NotInInit:
    x: str = "a"
    y: str = attrs.field(default="fixed", init=False)


@attrs.frozen
class _ReadsSelf:
    x: str = "a"
    y: str = attrs.field(default=attrs.Factory(lambda self: self.x * 2, takes_self=True))


def _blank_is_none(value: str | None) -> str | None:
    return value or None


@attrs.frozen
class _Converted:
    x: str | None = attrs.field(default=None, converter=_blank_is_none)


@attrs.frozen(kw_only=True)
class _OddDefaults:
    """Defaults a null would not read as, and a nullable field that is required."""

    x: str | None
    labels: tuple[str, ...] = ("x",)
    flag: bool | None = True
    when: datetime | None = datetime(2021, 1, 1, tzinfo=UTC)
    scope: ScopeSet = frozenset({"global"})


@pytest.mark.parametrize(
    "cls", [_CachedHash, _Validated, _PostInit, _NotInInit, _ReadsSelf, _Converted, _OddDefaults]
)
def test_classes_the_slot_setting_cannot_build_are_built_as_cattrs_builds_them(cls: type) -> None:
    fast, reference = CONVERTERS[False]
    generated = _fastpath.generate(cls, fast, _converter._INLINE)
    full: Any = make_dict_structure_fn(cls, reference)
    bodies: list[Any] = [{}, {"x": "b"}, {"x": ""}, {"x": 1}, {"x": None}, {"y": "z"}, []]
    for body in bodies:
        assert outcome_of(generated, body, cls) == outcome_of(full, body, cls), body
    made = generated({"x": "b"}, cls)
    assert hash(made) == hash(full({"x": "b"}, cls))  # a cached hash is a hash of this value


def outcome_of(hook: Any, body: Any, cls: type) -> tuple[Any, ...]:
    try:
        return ("value", shape(hook(copy.deepcopy(body), cls)))
    except Exception as exc:  # any error is an outcome to compare
        text = cattrs.transform_error(exc) if isinstance(exc, cattrs.BaseValidationError) else ""
        return ("error", type(exc), text)


def test_good_bodies_never_reach_cattrs_and_a_bad_one_reaches_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    full: collections.Counter[type] = collections.Counter()

    def counted(cls: Any, *args: Any, **kwargs: Any) -> Any:
        slow: Any = make_dict_structure_fn(cls, *args, **kwargs)

        def counting(value: Any, type_: Any) -> Any:
            full[cls] += 1
            return slow(value, type_)

        return counting

    monkeypatch.setattr(_fastpath, "make_dict_structure_fn", counted)
    conv = make_converter()
    conv.structure(sample("list_tokens.json"), list[Token])
    conv.structure(sample("created_token.json"), CreatedToken)
    for name in ("automation", "created_automation", "user", "event", "document", "page"):
        conv.structure(*BASES[name])
    assert full == {}
    with pytest.raises(cattrs.ClassValidationError):
        conv.structure({"id": 12}, Token)
    assert full == {Token: 1}


def test_generated_source_shows_in_tracebacks_and_chains_nothing() -> None:
    with pytest.raises(cattrs.ClassValidationError) as caught:
        make_converter().structure({"id": 12}, Token)
    text = "".join(traceback.format_exception(caught.value))
    assert f'File "<fastly_tokens structure {Token.__module__}.Token>"' in text
    assert "    return slow(o, t)\n" in text  # the line itself, read from linecache
    assert caught.value.__context__ is None


def test_importing_the_package_generates_nothing() -> None:
    probe = (
        "import linecache, sys, fastly_tokens, fastly_tokens.cli, fastly_tokens.testing\n"
        "if sys.argv[1:]:\n"
        "    from fastly_tokens._converter import converter\n"
        "    converter.structure({'id': 'a'}, fastly_tokens.Token)\n"
        "print([k for k in linecache.cache if k.startswith('<fastly_tokens')])\n"
    )
    for extra, expected in (([], "[]"), (["use"], "['<fastly_tokens structure")):
        done = subprocess.run(  # noqa: S603 (our own interpreter, our own probe)
            [sys.executable, "-c", probe, *extra],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert done.stdout.startswith(expected), done.stdout


def test_every_model_the_package_defines_agrees_on_small_bodies() -> None:
    found = _package_models()
    assert {Token, AutomationRole, PageMeta, _Document, SudoAnswer} <= found
    for cls in found:
        bodies: list[Any] = [{}, {"id": "a"}, {"id": None}, None, []]
        for body in bodies:
            for strict in (False, True):
                agreed(body, cls, strict=strict)


def _package_models() -> set[type]:
    found: set[type] = set()
    for info in pkgutil.walk_packages(fastly_tokens.__path__, "fastly_tokens."):
        module = importlib.import_module(info.name)
        found |= {
            value
            for value in vars(module).values()
            if _converter._ours(value) and not getattr(value, "__parameters__", ())
        }
    return found
