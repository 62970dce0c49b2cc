"""The ``fake_fastly`` pytest fixture, registered through the ``pytest11`` entry point.

The fake runs in a background thread with its own event loop, so the fixture needs
no async pytest plugin and serves sync code (the official SDK) and async tests alike.
Options go in a marker: ``@pytest.mark.fake_fastly(rate_limit=5, bulk_max=100)``
takes any :class:`FakeFastly` keyword argument.

pytest loads this module in every project where the package is installed, so it imports
the fake (and aiohttp) only when a test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._server import FakeFastly


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``fake_fastly`` marker (the suite may run with --strict-markers)."""
    config.addinivalue_line(
        "markers", "fake_fastly(**options): FakeFastly keyword arguments for the fixture"
    )


@pytest.fixture
def fake_fastly(request: pytest.FixtureRequest) -> Iterator[FakeFastly]:
    """Serve a fresh, seeded FakeFastly on loopback for one test; yield it running."""
    from ._server import FakeFastly  # noqa: PLC0415 (lazy: see the module docstring)

    marker = request.node.get_closest_marker("fake_fastly")
    options = dict(marker.kwargs) if marker is not None else {}
    with FakeFastly(**options).serve_in_thread() as fake:
        yield fake
