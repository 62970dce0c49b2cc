"""The bulk revocation engine: pure decisions apart from the I/O that carries them out.

::

    settings    the job's options, defined once: defaults and checks
    outcomes    Outcome, RevocationResult, RevocationProgress, RevocationReport
    planner     pure: chunks, what each answer means, what a journal entry settles, the cost
    journal     the JSON-lines record a killed job resumes from: locked, bound, fsynced
    preflight   which free listings say what this caller can revoke
    ports       the two small Protocols the executor drives (no TokensAPI, no client)
    ledger      what happened: each id's outcome, the ids in flight, the journal, progress
    executor    RevocationJob: workers over the ports, sending what the planner decides

Nothing here imports the client or ``TokensAPI``: they hand the executor a ``Revoker`` and a
``Lister``.
"""

from .executor import RevocationJob
from .journal import JournalError, JournalLockedError, JournalMismatchError
from .outcomes import (
    Outcome,
    OutcomeCounts,
    RevocationPlan,
    RevocationProgress,
    RevocationReport,
    RevocationResult,
)
from .ports import Lister, Revoker
from .settings import DEFAULT_CHUNK_SIZE, RevocationOptions, Strategy

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "JournalError",
    "JournalLockedError",
    "JournalMismatchError",
    "Lister",
    "Outcome",
    "OutcomeCounts",
    "RevocationJob",
    "RevocationOptions",
    "RevocationPlan",
    "RevocationProgress",
    "RevocationReport",
    "RevocationResult",
    "Revoker",
    "Strategy",
]
