"""The error replies the fake sends, as one exception the handlers turn into JSON.

Messages are the ones seen from the real API where a source exists (see
``fastly-tokens-api.md`` section 3); the rest are marked as our own wording.
"""

from __future__ import annotations

from typing import Any

MSG_BAD_CREDENTIALS = "Provided credentials are missing or invalid"
MSG_READ_ONLY = "Read only tokens are not allowed to access this endpoint."
MSG_RATE_LIMITED = (
    "You have exceeded your hourly rate limit. "
    "Please contact support@fastly.com if you think this is a mistake."
)
MSG_NOT_FOUND = "Record not found"
MSG_SUDO_REQUIRED = "You must POST /sudo to access this endpoint"
# Our wording: Fastly's text for these cases is not recorded anywhere.
MSG_FORBIDDEN_TOKEN = "You are not authorized to access this token"  # noqa: S105 - a message
MSG_FORBIDDEN_CUSTOMER = "You are not authorized to access this customer's tokens"
MSG_BAD_REQUEST = "Bad request"
MSG_UNSUPPORTED_MEDIA = "Unsupported Media Type"
MSG_TOO_MANY = "Too many tokens in bulk request"
MSG_INVALID_EXPIRY = "Invalid expires_at"
MSG_SUDO_DENIED = "Invalid login credentials"
MSG_ACCOUNT_LOCKED = "User account is locked"
MSG_2FA_REQUIRED = "A valid two-factor authentication code is required"
MSG_SUPERUSER_ONLY = "Only superusers may manage automation tokens"
MSG_ENFORCED_LOGIN = (
    "Automation tokens cannot be created through the API for an account that enforces "
    "single sign-on or two-factor authentication"
)
MSG_FORBIDDEN_USERS = "You are not authorized to access this customer's users"
MSG_FORBIDDEN_EVENTS = "You are not authorized to access these events"
MSG_AUTOMATION_DELETE = "customer_id is required"


class ApiError(Exception):
    """A non-2xx reply: its status and the JSON body Fastly would send."""

    def __init__(
        self, status: int, body: dict[str, Any], content_type: str = "application/json"
    ) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.content_type = content_type

    @classmethod
    def msg(cls, status: int, msg: str, detail: str | None = None) -> ApiError:
        """Build the legacy ``{"msg", "detail"}`` shape the token endpoints use."""
        body: dict[str, Any] = {"msg": msg}
        if detail is not None:
            body["detail"] = detail
        return cls(status, body)

    @classmethod
    def code(cls, code: str) -> ApiError:
        """Build POST /tokens' 400 shape, ``{"code": ...}`` (``InlineResponse400``)."""
        return cls(400, {"code": code})

    @classmethod
    def not_found(cls, token_id: str) -> ApiError:
        """Build the 404 for a token that is gone, never existed, or is another customer's."""
        return cls.msg(404, MSG_NOT_FOUND, f"Cannot find token '{token_id}'")
