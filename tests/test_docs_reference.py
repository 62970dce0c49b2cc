"""The API reference pages (docs/reference/) show every public name, and only public names."""

from __future__ import annotations

import re
from pathlib import Path

import fastly_tokens
import fastly_tokens.testing

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference"
DIRECTIVE = re.compile(r"^::: (?P<path>[\w.]+)$", re.MULTILINE)


def _documented() -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(REFERENCE.glob("*.md")))
    return DIRECTIVE.findall(text)


def test_every_public_name_has_its_entry_once() -> None:
    public = [f"fastly_tokens.{name}" for name in fastly_tokens.__all__]
    public += [f"fastly_tokens.testing.{name}" for name in fastly_tokens.testing.__all__]
    public.append("_fastly_tokens_pytest.fake_fastly")
    documented = _documented()
    assert sorted(documented) == sorted(public)
    assert len(documented) == len(set(documented))
