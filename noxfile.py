"""Test, lint and type-check sessions: `python3 -m nox` runs them all.

Interpreters for 3.11, 3.12 and 3.13 are found on PATH; where pyenv is installed, its builds
are added to PATH first, so a machine with pyenv needs no `pyenv global` set-up.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

PYTHONS = ["3.11", "3.12", "3.13"]
PYPROJECT = nox.project.load_toml("pyproject.toml")

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.default_venv_backend = "venv"
nox.options.error_on_missing_interpreters = True


def _add_pyenv_builds_to_path() -> None:
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if not root.is_dir():
        return
    bins = [str(p / "bin") for p in sorted(root.iterdir(), reverse=True) if (p / "bin").is_dir()]
    os.environ["PATH"] = os.pathsep.join([*bins, os.environ.get("PATH", "")])


_add_pyenv_builds_to_path()


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite against the in-memory fake over loopback HTTP."""
    session.install("-e", ".[cli]", *nox.project.dependency_groups(PYPROJECT, "test"))
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """Ruff's lints and its formatter, in check mode."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, the tests and the benchmarks."""
    session.install("-e", ".[cli]", *nox.project.dependency_groups(PYPROJECT, "typecheck"))
    session.run("mypy", "--strict", "fastly_tokens", "tests", "benchmarks")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """The benchmark suite (not run by default): `nox -s bench -- --quick` for a short run.

    Installs the official SDK and orjson, which only the benchmarks compare against.
    """
    session.install("-e", ".", "fastly==15.*", "orjson")
    session.run("python", "-m", "benchmarks", *session.posargs)
