"""Lint, type-check, test, coverage and docs sessions: `python3 -m nox` runs them all.

The test sessions' Pythons are read from pyproject's classifiers; `nox -s tests-3.12` runs one.
Interpreters are found on PATH; where pyenv is installed, its builds are put on PATH first, so
a machine with pyenv needs no `pyenv global` set-up. Virtualenvs are made with uv when it is
installed (`pip install 'nox[uv]'`), else with virtualenv.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

# Coverage gates, in percent of statements and branches (`coverage report --fail-under`):
# the whole package, then the SDK core alone (everything but the command line and the fake).
# Each is the figure the suite reached when it was set, rounded down: raise them with tests.
COVERAGE_GATE = 96
CORE_COVERAGE_GATE = 97
NOT_CORE = "fastly_tokens/cli/*,fastly_tokens/testing/*,_fastly_tokens_pytest.py"

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHONS = nox.project.python_versions(PYPROJECT)
# The test sessions that measure coverage. Tracing doubles the suite's time on 3.11 and costs
# 2.5 times on 3.12 and 3.13 (sys.monitoring measures branches only from 3.14), and no module
# has code that depends on the Python version, so the oldest Python measures for all.
COVERAGE_PYTHONS = PYTHONS[:1]

nox.needs_version = ">=2025.5.1"
nox.options.sessions = ["lint", "typecheck", "tests", "coverage", "docs"]
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.error_on_missing_interpreters = True
# uv leaves bytecode uncompiled unless told; where PYTHONDONTWRITEBYTECODE is set, every
# subprocess the tests start would then recompile aiohttp and rich from source.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")


def _add_pyenv_builds_to_path() -> None:
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if not root.is_dir():
        return
    bins = [str(p / "bin") for p in sorted(root.iterdir(), reverse=True) if (p / "bin").is_dir()]
    os.environ["PATH"] = os.pathsep.join([*bins, os.environ.get("PATH", "")])


_add_pyenv_builds_to_path()


class _ThisRun:
    """What the sessions of one `nox` invocation share."""

    coverage_erased = False


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite against the in-memory fake over loopback HTTP.

    On COVERAGE_PYTHONS it runs under coverage, subprocesses included (the command line, the
    standalone fake, the benchmarks: pyproject's `[tool.coverage.run] patch`), and the
    `coverage` session follows to report and gate. A partial run (`-- -k name`) is not gated.
    """
    session.install("-e", ".[cli]", *nox.project.dependency_groups(PYPROJECT, "test"))
    if session.python not in COVERAGE_PYTHONS:
        session.run("pytest", *session.posargs)
        return
    if not _ThisRun.coverage_erased:  # no data from an earlier, interrupted run is combined
        session.run("coverage", "erase")
        _ThisRun.coverage_erased = True
    if not session.posargs:
        session.notify("coverage")
    session.run("coverage", "run", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHONS[0])
def coverage(session: nox.Session) -> None:
    """Combine the test sessions' coverage data, report it, and fail under the gates."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "coverage"))
    session.run("coverage", "combine", "--quiet")
    session.run("coverage", "report", f"--fail-under={COVERAGE_GATE}")
    session.log("The SDK core: all but the command line, the fake and its pytest plugin.")
    session.run("coverage", "report", f"--omit={NOT_CORE}", f"--fail-under={CORE_COVERAGE_GATE}")


@nox.session(python=PYTHONS[0])
def lint(session: nox.Session) -> None:
    """Ruff's lints and its formatter, in check mode."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHONS[0])
def typecheck(session: nox.Session) -> None:
    """Mypy, strict, over what pyproject's `[tool.mypy] files` names (tests/typing included)."""
    session.install("-e", ".[cli]", *nox.project.dependency_groups(PYPROJECT, "typecheck"))
    session.run("mypy")


@nox.session(python=PYTHONS[0])
def docs(session: nox.Session) -> None:
    """Build the documentation site (mkdocs.yml) into site/, warnings as errors.

    `nox -s docs -- serve` runs `mkdocs serve` instead (live reload on http://127.0.0.1:8000);
    any other arguments are passed to mkdocs likewise. The API reference is read from the
    source by mkdocstrings, so the package itself is not installed.
    """
    session.install(*nox.project.dependency_groups(PYPROJECT, "docs"))
    # Material prints a banner about its successor on every build; it is not a warning.
    env = {"NO_MKDOCS_2_WARNING": "1"}
    session.run("mkdocs", *(session.posargs or ["build", "--strict"]), env=env)


@nox.session(python=PYTHONS[0])
def bench(session: nox.Session) -> None:
    """The benchmark suite (not run by default): `nox -s bench -- --quick` for a short run.

    Installs the official SDK and orjson, which only the benchmarks compare against.
    """
    session.install("-e", ".", "fastly==15.*", "orjson")
    session.run("python", "-m", "benchmarks", *session.posargs)
