"""Users: who may list a customer's users and read one user's record.

INFERRED, switch ``users_visible_to`` (default ``"superuser"``): the customer's superusers list
its users and read any of them; with ``"customer"``, every user and automation token of the
customer may. Anyone reads their own record (``GET /current_user``, ``GET /user/{own id}``).
An automation token's ``user_id`` is no user's: 404, as Fastly answers. Users with
``deleted_at`` set are neither listed nor found.
"""

from __future__ import annotations

from ._errors import MSG_FORBIDDEN_USERS, ApiError
from ._records import FakeToken, FakeUser
from ._state import Store


def _may_see_colleagues(store: Store, caller: FakeToken) -> bool:
    return store.behaviour.users_visible_to == "customer" or store.is_superuser(caller)


def _not_found(user_id: str) -> ApiError:
    return ApiError.msg(404, "Record not found", f"Cannot find user '{user_id}'")


def customer_users(store: Store, caller: FakeToken, customer_id: str) -> list[FakeUser]:
    """Return the customer's current users, in creation order; 403 for others."""
    if caller.customer_id != customer_id or not _may_see_colleagues(store, caller):
        raise ApiError.msg(403, MSG_FORBIDDEN_USERS)
    return [
        u for u in store.users.values() if u.customer_id == customer_id and u.deleted_at is None
    ]


def current_user(store: Store, caller: FakeToken) -> FakeUser:
    """Return the caller's own user; 404 for an automation token."""
    owner = store.owner(caller)
    if owner is None or owner.deleted_at is not None:
        raise _not_found(caller.user_id)
    return owner


def user(store: Store, caller: FakeToken, user_id: str) -> FakeUser:
    """Return one user of the caller's customer; 404 for nobody's id, 403 for a colleague."""
    found = store.users.get(user_id)
    if found is None or found.deleted_at is not None or found.customer_id != caller.customer_id:
        raise _not_found(user_id)
    if found.id != caller.user_id and not _may_see_colleagues(store, caller):
        raise ApiError.msg(403, MSG_FORBIDDEN_USERS)
    return found
