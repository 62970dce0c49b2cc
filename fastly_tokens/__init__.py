"""An asyncio-native SDK for Fastly's API tokens: user and automation tokens, in bulk too.

``async with FastlyAsync(token) as c:`` then ``await c.tokens.list_tokens_user()``; see the
README for the rest. Everything public is re-exported here from private modules.
"""

from ._automation import AutomationTokensAPI
from ._bulk import (
    DEFAULT_CHUNK_SIZE,
    JournalError,
    JournalLockedError,
    JournalMismatchError,
    Outcome,
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
from ._select import Selection
from ._tokens import TokensAPI
from ._users import User, UsersAPI
from ._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_TIMEOUT",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "AutomationRole",
    "AutomationToken",
    "AutomationTokensAPI",
    "BadRequestError",
    "ClientClosedError",
    "ClientLoopError",
    "CreatedAutomationToken",
    "CreatedToken",
    "FastlyAsync",
    "FastlyError",
    "InternalServerError",
    "JournalError",
    "JournalLockedError",
    "JournalMismatchError",
    "LoginEnforcedError",
    "NotFoundError",
    "NotSuperuserError",
    "Outcome",
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
