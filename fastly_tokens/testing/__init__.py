"""A faithful in-memory fake of the Fastly API around tokens, for tests, demos and benchmarks.

``FakeFastly`` serves, over real loopback HTTP with Fastly's status codes, bodies, headers
and hourly write budget: the eight user-token endpoints, ``POST /sudo``, the automation-token
endpoints, the users endpoints and the audit log (``GET /events``), plus switchable faults,
hostile ones included (``Faults``). Every INFERRED choice is a switch of ``Behaviour``. The
``fake_fastly`` pytest fixture and ``python -m fastly_tokens.testing`` serve one without any
async plumbing; ``fake.world`` (``SeededWorld``) is what a new one holds. ``FakeClock`` is one
epoch clock whose ``sleep`` takes no time (and can be held), to pass to the client (``clock=``,
``sleep=``) and to the fake (``clock=``) alike.

Layers, lowest first (none imports a higher one): records, world, parse, paging, events,
budget, faults, clock (pure); the store and its rules (``_state``, ``_login``, ``_automation``,
``_directory``, ``_audit``); rendering; the web app (``_http``, ``_edge``, ``_hostile``,
``_routes_*``, ``_app``); the ``FakeFastly`` facade and its helpers; the thread; ``__main__``.
"""

from ._budget import Budget, RateLimiter
from ._clock import FakeClock
from ._events import FakeEvent
from ._faults import Fault, FaultKind, Faults
from ._log import RecordedRequest
from ._records import FakeAutomationToken, FakeCustomer, FakeToken, FakeUser
from ._seed_account import SeededAccount
from ._server import FakeFastly
from ._settings import Behaviour
from ._world import DEMO_PASSWORD, DEMO_USERNAME, SeededWorld

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
    "SeededAccount",
    "SeededWorld",
]


def _as_public(name: str) -> None:
    # Report each public class as fastly_tokens.testing.<name>, as the SDK's are; its string
    # annotations are resolved where they were written first, so get_type_hints still works.
    import typing  # noqa: PLC0415 (once, and kept out of the package's namespace)

    cls = globals()[name]
    if isinstance(cls, type):
        written = vars(cls).get("__annotations__") or {}
        resolved = typing.get_type_hints(cls) if written else {}
        cls.__annotations__ = {field: resolved[field] for field in written}
        cls.__module__ = __name__


for _public in __all__:
    _as_public(_public)
del _public, _as_public
