"""An asyncio-native SDK for Fastly's API tokens: user and automation tokens, in bulk too.

``async with FastlyAsync(token) as c:`` then ``await c.tokens.list_tokens_user()``; see the
README for the rest. Everything public is re-exported here from private modules.

The package loads them on first use of any public name, not at ``import fastly_tokens``: the
command line's ``--help`` imports this package (its parent) and needs none of the SDK, so its
start-up is argparse's, not aiohttp's and cattrs' (benchmarks row 9). The first public name
asked for loads them all, and publishes every class as ``fastly_tokens.<name>``, as before.
"""

TYPE_CHECKING = False
"""Read by type checkers as true: they see the imports the package makes on first use."""

if TYPE_CHECKING:
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
del TYPE_CHECKING

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


_WHERE = {
    "AuditPolicy": "._audit",
    "AuditReport": "._audit",
    "Finding": "._audit",
    "RULES": "._audit",
    "Rule": "._audit",
    "audit": "._audit",
    "load_policy": "._audit",
    "AutomationTokensAPI": "._automation",
    "DEFAULT_CHUNK_SIZE": "._bulk",
    "JournalError": "._bulk",
    "JournalLockedError": "._bulk",
    "JournalMismatchError": "._bulk",
    "Outcome": "._bulk",
    "OutcomeCounts": "._bulk",
    "RevocationJob": "._bulk",
    "RevocationOptions": "._bulk",
    "RevocationPlan": "._bulk",
    "RevocationProgress": "._bulk",
    "RevocationReport": "._bulk",
    "RevocationResult": "._bulk",
    "Strategy": "._bulk",
    "DEFAULT_BASE_URL": "._client",
    "DEFAULT_TIMEOUT": "._client",
    "FastlyAsync": "._client",
    "APIConnectionError": "._errors",
    "APIStatusError": "._errors",
    "APITimeoutError": "._errors",
    "AuthenticationError": "._errors",
    "BadRequestError": "._errors",
    "ClientClosedError": "._errors",
    "ClientLoopError": "._errors",
    "FastlyError": "._errors",
    "InternalServerError": "._errors",
    "LoginEnforcedError": "._errors",
    "NotFoundError": "._errors",
    "NotSuperuserError": "._errors",
    "PermissionDeniedError": "._errors",
    "RateLimitError": "._errors",
    "ResponseTooLargeError": "._errors",
    "ResponseValidationError": "._errors",
    "SudoRequiredError": "._errors",
    "UnprocessableEntityError": "._errors",
    "Event": "._events",
    "EventsAPI": "._events",
    "Inventory": "._inventory",
    "InventoryEntry": "._inventory",
    "OwnerStatus": "._inventory",
    "LeakResponse": "._leak",
    "DEFAULT_MAX_BODY_SIZE": "._middleware",
    "AutomationRole": "._models",
    "AutomationToken": "._models",
    "CreatedAutomationToken": "._models",
    "CreatedToken": "._models",
    "Scope": "._models",
    "ScopeSet": "._models",
    "Token": "._models",
    "TokenKind": "._models",
    "RateLimit": "._ratelimit",
    "RetryPolicy": "._retry",
    "HandOver": "._rotate",
    "RotationError": "._rotate",
    "RotationResult": "._rotate",
    "RotationStep": "._rotate",
    "Selection": "._select",
    "TokensAPI": "._tokens",
    "User": "._users",
    "UsersAPI": "._users",
    "__version__": "._version",
}
"""Each public name and the private module it is defined in (as imported above)."""


def _load() -> None:
    """Import every public name into this namespace and publish its classes (once)."""
    import importlib  # noqa: PLC0415 (only on first use, kept out of the namespace)

    found = {
        name: getattr(importlib.import_module(module, __name__), name)
        for name, module in _WHERE.items()
    }
    for value in found.values():
        if isinstance(value, type):
            _publish(value)
    globals().update(found)


def __getattr__(name: str) -> object:
    """Load the SDK on the first use of a public name (PEP 562)."""
    if name in __all__:
        _load()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
