"""Who a new fake starts with: the demo logins, and the records of the world it seeds.

Pure: the store holds a :class:`SeededWorld` once ``_seed.seed_world`` has made one, and takes
its defaults from it (the customer, user and creator a record gets when the caller names none).
"""

from __future__ import annotations

import attrs

from ._records import FakeCustomer, FakeToken, FakeUser

DEMO_USERNAME = "user@example.com"
DEMO_SUPERUSER = "admin@example.com"
DEMO_FOREIGN_USER = "someone@example.net"
# Fake by construction: documented so that demos can create tokens with it.
DEMO_PASSWORD = "fake-fastly-password"  # noqa: S105 - a published demo credential


@attrs.frozen
class SeededWorld:
    """What every new fake holds: two customers, three users, one API token each.

    Ours (``customer``): a regular ``user`` with ``token`` and a ``superuser`` with
    ``superuser_token``; and another customer's (``foreign_customer``, ``foreign_user``,
    ``foreign_token``), so a test always has someone else's token at hand. Every user's password
    is ``DEMO_PASSWORD``.
    """

    customer: FakeCustomer
    user: FakeUser
    token: FakeToken
    superuser: FakeUser
    superuser_token: FakeToken
    foreign_customer: FakeCustomer
    foreign_user: FakeUser
    foreign_token: FakeToken
