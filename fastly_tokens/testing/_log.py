"""The request log: what reached the fake, how it ended, and which token sent it."""

from __future__ import annotations

import attrs


@attrs.frozen
class RecordedRequest:
    """One request the fake received.

    ``status`` is None when the connection was dropped without an answer; ``token_id``
    is the token whose secret was in ``Fastly-Key`` (None if absent or unknown);
    ``fault`` is the kind of fault that hit the request, if one did.
    """

    method: str
    path: str
    status: int | None
    token_id: str | None
    fault: str | None = None

    @property
    def dropped(self) -> bool:
        """Whether the fake closed the connection instead of answering."""
        return self.status is None
