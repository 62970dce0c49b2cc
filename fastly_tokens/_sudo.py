"""Sudo mode: the elevated window Fastly asks for before a token is created with a key.

``POST /sudo`` with the password of the key's user (a write: it costs one request of the
budget) opens a window of about five minutes on the token that asked. The client keeps the end
of it and reuses the window until shortly before then, so a burst of creates costs one sudo.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

import attrs

from ._secrets import MaskedHeaders, Secret
from ._wire import FORM_CONTENT_TYPE, sudo_form

__all__ = ["SUDO_MARGIN", "SudoAnswer", "SudoWindow"]

SUDO_MARGIN = 30.0
"""Seconds before its end a sudo window is no longer reused: the next call enters it again."""


@attrs.frozen
class SudoAnswer:
    """The answer of ``POST /sudo``: when the window closes."""

    expiry_time: datetime


_T = TypeVar("_T")


class _Call(Protocol):
    """The client's ``_call``, as sudo needs it."""

    async def __call__(
        self,
        method: str,
        path: str,
        model: type[_T],
        *,
        data: Any = ...,
        headers: Mapping[str, str] | None = ...,
        secrets: tuple[Secret, ...] = ...,
    ) -> _T: ...


class SudoWindow:
    """When this client's sudo window closes, as Fastly said; ``clock`` is epoch seconds."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock: asyncio.Lock | None = None
        self.expires_at: datetime | None = None

    async def ensure(
        self, call: _Call, password: Secret, *, username: str | None, otp: Secret | None
    ) -> None:
        """Enter sudo mode unless the window is open; concurrent callers share one entry."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if not self.is_open():
                await self.enter(call, password, username=username, otp=otp)

    async def enter(
        self, call: _Call, password: Secret, *, username: str | None, otp: Secret | None
    ) -> datetime:
        """Send ``POST /sudo`` with the password (and code); return when the window closes."""
        headers = MaskedHeaders({"Content-Type": FORM_CONTENT_TYPE})
        secrets: tuple[Secret, ...] = (password,)
        if otp is not None:
            headers["Fastly-OTP"] = otp.reveal()
            secrets = (password, otp)
        answer = await call(
            "POST",
            "/sudo",
            SudoAnswer,
            data=sudo_form(username=username, password=password),
            headers=headers,
            secrets=secrets,
        )
        return self.opened(answer)

    def __repr__(self) -> str:
        state = "closed" if not self.is_open() else f"open until {self.expires_at:%H:%M:%S} UTC"
        return f"<SudoWindow {state}>"

    def is_open(self) -> bool:
        """Whether the window is open for at least :data:`SUDO_MARGIN` more seconds."""
        if self.expires_at is None:
            return False
        return self.expires_at.timestamp() - SUDO_MARGIN > self._clock()

    def opened(self, answer: SudoAnswer) -> datetime:
        """Take in Fastly's answer; return when the window closes."""
        self.expires_at = answer.expiry_time
        return answer.expiry_time

    def close(self) -> None:
        """Forget the window (Fastly said it is closed)."""
        self.expires_at = None
