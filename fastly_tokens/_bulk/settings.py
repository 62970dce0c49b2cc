"""A revocation job's options, defined once: their names, types, defaults and checks.

``revoke_many`` and ``revocation_job`` take them as keyword arguments typed by
:class:`RevocationOptions`; the command line builds the same dictionary. :class:`JobSettings`
is the checked, defaulted form the executor runs on.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Literal, TypedDict

import attrs

from .._config import DEFAULT_CHUNK_SIZE
from .._ids import check_id
from .outcomes import RevocationProgress

__all__ = ["DEFAULT_CHUNK_SIZE", "JobSettings", "RevocationOptions", "Strategy"]

Strategy = Literal["batch", "each"]
"""``batch``: ``DELETE /tokens`` per chunk; ``each``: one ``DELETE /tokens/{id}`` per id."""


class RevocationOptions(TypedDict, total=False):
    """The keyword options of ``revoke_many`` and ``revocation_job``; see :class:`JobSettings`."""

    strategy: Strategy
    chunk_size: int
    concurrency: int | None
    on_progress: Callable[[RevocationProgress], None] | None
    journal: str | os.PathLike[str] | None
    preflight: bool
    customer_id: str | None


def _count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{attribute.name} must be an int >= 1, not {value!r}")


def _optional_count(
    instance: object, attribute: attrs.Attribute[int | None], value: object
) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"{attribute.name} must be None or an int >= 1, not {value!r}")


def _strategy(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in ("batch", "each"):
        raise ValueError(f"strategy must be 'batch' or 'each', not {value!r}")


def _callback(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not callable(value):
        raise TypeError(f"on_progress must be callable, not {type(value).__name__}")


def _path(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, str | os.PathLike):
        raise TypeError(f"journal must be a path, not {type(value).__name__}")


def _customer(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check_id(value, "customer_id")


@attrs.frozen(kw_only=True)
class JobSettings:
    """How a revocation job runs. Every option, its default, and why.

    ``strategy="batch"`` (default) sends ``chunk_size`` ids (default 100) per ``DELETE
    /tokens``; ``"each"`` one ``DELETE /tokens/{id}`` per id. ``concurrency`` requests run at
    once (default: the client's ``max_concurrency``, which also caps it). ``on_progress`` is
    called as each request completes. ``journal`` names a JSON-lines file the job records its
    outcomes in and resumes from. ``preflight`` (default on) reads, for free, the tokens the
    caller can revoke before the first write, so that only ids found there are sent; off, every
    well-formed id is sent and refusals are bisected. ``customer_id`` names the customer whose
    listing the preflight reads (default: the caller's own, if the caller may read it).
    """

    strategy: Strategy = attrs.field(default="batch", validator=_strategy)
    chunk_size: int = attrs.field(default=DEFAULT_CHUNK_SIZE, validator=_count)
    concurrency: int | None = attrs.field(default=None, validator=_optional_count)
    on_progress: Callable[[RevocationProgress], None] | None = attrs.field(
        default=None, validator=_callback
    )
    journal: str | os.PathLike[str] | None = attrs.field(default=None, validator=_path)
    preflight: bool = True
    customer_id: str | None = attrs.field(default=None, validator=_customer)

    @classmethod
    def from_options(cls, options: RevocationOptions) -> JobSettings:
        """Check ``options`` (unknown names are a ``TypeError``) and fill in the defaults."""
        unknown = set(options) - set(attrs.fields_dict(cls))
        if unknown:
            raise TypeError(f"unknown revocation options: {', '.join(sorted(unknown))}")
        return cls(**options)
