"""An asyncio-native SDK for Fastly's API tokens: user and automation tokens, in bulk too.

``async with FastlyAsync(token) as c:`` then ``await c.tokens.list_tokens_user()``; see the
README for the rest. Everything public is re-exported here from private modules.
"""

from ._audit import RULES, AuditPolicy, AuditReport, Finding, Rule, audit, load_policy
from ._automation import AutomationTokensAPI
from ._bulk import (
    DEFAULT_CHUNK_SIZE,
    JournalError,
    JournalLockedError,
    JournalMismatchError,
    Outcome,
    OutcomeCounts,
    RevocationJob,
    RevocationOptions,
    RevocationPlan,
    RevocationProgress,
    RevocationReport,
    RevocationResult,
    Strategy,
)
from ._client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, FastlyAsync
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ClientLoopError,
    FastlyError,
    InternalServerError,
    LoginEnforcedError,
    NotFoundError,
    NotSuperuserError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ResponseValidationError,
    SudoRequiredError,
    UnprocessableEntityError,
)
from ._events import Event, EventsAPI
from ._inventory import Inventory, InventoryEntry, OwnerStatus
from ._leak import LeakResponse
from ._middleware import DEFAULT_MAX_BODY_SIZE
from ._models import (
    AutomationRole,
    AutomationToken,
    CreatedAutomationToken,
    CreatedToken,
    Scope,
    ScopeSet,
    Token,
    TokenKind,
)
from ._ratelimit import RateLimit
from ._retry import RetryPolicy
from ._rotate import HandOver, RotationError, RotationResult, RotationStep
from ._select import Selection
from ._tokens import TokensAPI
from ._users import User, UsersAPI
from ._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_TIMEOUT",
    "RULES",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuditPolicy",
    "AuditReport",
    "AuthenticationError",
    "AutomationRole",
    "AutomationToken",
    "AutomationTokensAPI",
    "BadRequestError",
    "ClientClosedError",
    "ClientLoopError",
    "CreatedAutomationToken",
    "CreatedToken",
    "Event",
    "EventsAPI",
    "FastlyAsync",
    "FastlyError",
    "Finding",
    "HandOver",
    "InternalServerError",
    "Inventory",
    "InventoryEntry",
    "JournalError",
    "JournalLockedError",
    "JournalMismatchError",
    "LeakResponse",
    "LoginEnforcedError",
    "NotFoundError",
    "NotSuperuserError",
    "Outcome",
    "OutcomeCounts",
    "OwnerStatus",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "RetryPolicy",
    "RevocationJob",
    "RevocationOptions",
    "RevocationPlan",
    "RevocationProgress",
    "RevocationReport",
    "RevocationResult",
    "RotationError",
    "RotationResult",
    "RotationStep",
    "Rule",
    "Scope",
    "ScopeSet",
    "Selection",
    "Strategy",
    "SudoRequiredError",
    "Token",
    "TokenKind",
    "TokensAPI",
    "UnprocessableEntityError",
    "User",
    "UsersAPI",
    "__version__",
    "audit",
    "load_policy",
]


def _publish(cls: type) -> None:
    """Report ``cls`` as ``fastly_tokens.<name>``: reprs, tracebacks and pickles use that path.

    ``typing.get_type_hints`` (and so cattrs) looks a class's string annotations up in the
    module its ``__module__`` names, so they are resolved in the defining module first.
    """
    import typing  # noqa: PLC0415 (used once, and kept out of the package's namespace)

    own = vars(cls).get("__annotations__")
    if own:
        hints = typing.get_type_hints(cls, include_extras=True)
        cls.__annotations__ = {name: hints[name] for name in own}
    cls.__module__ = __name__


for _name in __all__:
    if isinstance(_obj := globals()[_name], type):
        _publish(_obj)
del _name, _obj, _publish
