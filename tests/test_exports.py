"""The public surface: what ``__all__`` names exists, is documented, and reports its public path.

As httpx's ``test_exported_members``: a name added to a package's namespace but not to
``__all__`` (or the reverse) fails here, and so does a public name no page mentions.
"""

from __future__ import annotations

import importlib
import pickle
import re
import subprocess
import sys
import traceback
import typing
from pathlib import Path
from types import ModuleType

import pytest

import fastly_tokens
import fastly_tokens.testing

T = typing.TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [fastly_tokens, fastly_tokens.testing]

# Public names that neither the README nor docs/ mention yet: each is a question for the docs
# (document it, or take it out of __all__). The list may only shrink: a name documented since
# fails test_undocumented_names_are_still_undocumented until it is taken off.
UNDOCUMENTED = {
    "fastly_tokens": {
        "DEFAULT_BASE_URL",
        "DEFAULT_TIMEOUT",
        "ScopeSet",
        "__version__",
    },
    "fastly_tokens.testing": set(),
}


def public_classes(package: ModuleType) -> list[type]:
    return [obj for name in package.__all__ if isinstance(obj := getattr(package, name), type)]


def round_trip(obj: T) -> T:
    copy: T = pickle.loads(pickle.dumps(obj))  # noqa: S301 (bytes this test made a moment ago)
    return copy


def documentation() -> str:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def mentioned(name: str, text: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) is not None


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_all_names_exactly_the_public_members(package: ModuleType) -> None:
    for name in package.__all__:  # fastly_tokens loads its names on first use
        getattr(package, name)
    members = {
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert len(package.__all__) == len(set(package.__all__))
    assert set(package.__all__) - {"__version__"} == members


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_every_public_name_is_documented(package: ModuleType) -> None:
    text = documentation()
    missing = {name for name in package.__all__ if not mentioned(name, text)}
    assert missing <= UNDOCUMENTED[package.__name__], sorted(missing)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_undocumented_names_are_still_undocumented(package: ModuleType) -> None:
    text = documentation()
    listed = UNDOCUMENTED[package.__name__]
    assert listed <= set(package.__all__), sorted(listed - set(package.__all__))
    assert not {name for name in listed if mentioned(name, text)}


def test_the_package_loads_every_public_name_from_where_it_is_defined() -> None:
    where = fastly_tokens._WHERE
    assert set(where) == set(fastly_tokens.__all__)
    for name, module in where.items():
        assert getattr(fastly_tokens, name) is getattr(
            importlib.import_module(module, "fastly_tokens"), name
        )


def test_importing_the_package_loads_none_of_the_sdk() -> None:
    """``fastly-tokens --help`` imports the package first: it must not pay for aiohttp."""
    code = (
        "import sys, fastly_tokens; "
        "print(sorted(m for m in sys.modules if m.startswith(('aiohttp', 'fastly_tokens.'))))"
    )
    done = subprocess.run(  # noqa: S603 (this interpreter, our own code)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_sdk_classes_report_the_public_module() -> None:
    wrong = {c.__qualname__: c.__module__ for c in public_classes(fastly_tokens)}
    assert {name: module for name, module in wrong.items() if module != "fastly_tokens"} == {}


def test_fake_classes_report_the_public_module() -> None:
    wrong = {c.__qualname__: c.__module__ for c in public_classes(fastly_tokens.testing)}
    assert {name: m for name, m in wrong.items() if m != "fastly_tokens.testing"} == {}


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_classes_are_found_where_they_say_they_live(package: ModuleType) -> None:
    """What pickle, copy and the docs do: look a class up by ``__module__`` and ``__qualname__``."""
    for cls in public_classes(package):
        assert getattr(importlib.import_module(cls.__module__), cls.__qualname__) is cls
        assert round_trip(cls) is cls


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.__name__)
def test_annotations_still_resolve(package: ModuleType) -> None:
    """Moving ``__module__`` must not leave string annotations naming the wrong globals."""
    for cls in public_classes(package):
        typing.get_type_hints(cls)


def test_models_round_trip_through_pickle() -> None:
    token = fastly_tokens.Token(id="abc", scope=frozenset({fastly_tokens.Scope.GLOBAL}))
    assert round_trip(token) == token
    revoked = fastly_tokens.Outcome.REVOKED
    assert round_trip(revoked) is revoked


def test_a_traceback_names_the_public_path() -> None:
    error = fastly_tokens.NotFoundError(status=404, method="GET", path="/tokens/abc", msg="gone")
    (line,) = traceback.format_exception_only(error)
    assert line == "fastly_tokens.NotFoundError: GET /tokens/abc -> 404: gone\n"


def test_errors_without_arguments_round_trip_through_pickle() -> None:
    error = round_trip(fastly_tokens.ClientClosedError("closed"))
    assert type(error) is fastly_tokens.ClientClosedError
    assert str(error) == "closed"


def test_status_errors_round_trip_through_pickle() -> None:
    error = fastly_tokens.NotFoundError(status=404, method="GET", path="/tokens/abc", msg="gone")
    copy = round_trip(error)
    assert (type(copy), copy.status, copy.msg) == (fastly_tokens.NotFoundError, 404, "gone")
