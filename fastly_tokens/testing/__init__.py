"""A faithful in-memory fake of the Fastly tokens API, for tests, demos and benchmarks.

``FakeFastly`` serves the eight user-token endpoints over real loopback HTTP with
Fastly's status codes, bodies, headers and hourly write budget, plus switchable
faults. The ``fake_fastly`` pytest fixture and ``python -m fastly_tokens.testing``
serve one without any async plumbing. ``FakeClock`` is one epoch clock with an instant
``sleep``, to pass to the client (``clock=``, ``sleep=``) and to the fake (``clock=``) alike.
"""

from ._budget import Budget, RateLimiter
from ._clock import FakeClock
from ._events import FakeEvent
from ._faults import Fault, FaultKind, Faults
from ._log import RecordedRequest
from ._records import FakeAutomationToken, FakeCustomer, FakeToken, FakeUser
from ._seed import DEMO_PASSWORD, DEMO_USERNAME
from ._server import FakeFastly
from ._settings import Behaviour

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "Behaviour",
    "Budget",
    "FakeAutomationToken",
    "FakeClock",
    "FakeCustomer",
    "FakeEvent",
    "FakeFastly",
    "FakeToken",
    "FakeUser",
    "Fault",
    "FaultKind",
    "Faults",
    "RateLimiter",
    "RecordedRequest",
]
