"""The ``fake_fastly`` pytest fixture, registered through the ``pytest11`` entry point.

pytest imports this module in every project where fastly-tokens is installed. It lives
outside the package because importing ``fastly_tokens.anything`` runs the package's
``__init__``, which loads the SDK and aiohttp (about 0.2 s); here nothing but pytest is
imported until a test asks for the fixture. (hypothesis ships its plugin the same way.)

The fake runs in a background thread with its own event loop, so the fixture needs
no async pytest plugin and serves sync code (the official SDK) and async tests alike.
Options go in a marker: ``@pytest.mark.fake_fastly(rate_limit=5, bulk_max=100)``
takes any ``FakeFastly`` keyword argument.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from fastly_tokens.testing import FakeFastly


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``fake_fastly`` marker (the suite may run with --strict-markers)."""
    config.addinivalue_line(
        "markers", "fake_fastly(**options): FakeFastly keyword arguments for the fixture"
    )


@pytest.fixture
def fake_fastly(request: pytest.FixtureRequest) -> Iterator[FakeFastly]:
    """Serve a fresh, seeded FakeFastly on loopback for one test; yield it running."""
    from fastly_tokens.testing import FakeFastly  # noqa: PLC0415 (lazy: see the docstring)

    marker = request.node.get_closest_marker("fake_fastly")
    options = dict(marker.kwargs) if marker is not None else {}
    with FakeFastly(**options).serve_in_thread() as fake:
        yield fake
