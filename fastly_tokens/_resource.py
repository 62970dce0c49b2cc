"""What an API resource (``TokensAPI``, and those to come) needs of the client: a Protocol.

Resources are handed the client but type against this, so no resource module imports the
client module (which imports them): no import circle, type-only ones included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from ._call import CallRecord
from ._ratelimit import RateLimit
from ._secrets import Secret
from ._sudo import SudoWindow

__all__ = ["Caller"]

_T = TypeVar("_T")


class Caller(Protocol):
    """The client, as a resource sees it: one call, and the figures a bulk job reads."""

    @property
    def base_url(self) -> str:
        """The API root."""
        ...

    @property
    def max_concurrency(self) -> int:
        """The most requests the client keeps in flight."""
        ...

    @property
    def rate_limit(self) -> RateLimit:
        """The write budget as last reported."""
        ...

    _clock: Callable[[], float]
    """The client's clock (epoch seconds): injected in tests."""

    @property
    def _sudo(self) -> SudoWindow:
        """The client's sudo window."""
        ...

    async def _ensure_sudo(
        self, password: Secret, *, username: str | None, otp: Secret | None
    ) -> None:
        """Enter sudo mode unless its window is open."""
        ...

    async def _call(
        self,
        method: str,
        path: str,
        model: type[_T],
        *,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
        record: CallRecord | None = None,
        secrets: tuple[Secret, ...] = (),
        secret_body: bool = False,
        with_key: bool = True,
    ) -> _T:
        """Send one call; return ``model`` from the answer or raise its typed error."""
        ...
