"""The one logger of the package, ``fastly_tokens``, with a ``NullHandler`` as a library's should.

Without it, an application that configured no logging would see our warnings (a job that
stopped, a long wait for the rate-limit reset) printed by logging's last-resort handler.
Configure ``logging.getLogger("fastly_tokens")`` to see them.
"""

from __future__ import annotations

import logging

__all__ = ["logger"]

logger = logging.getLogger("fastly_tokens")
logger.addHandler(logging.NullHandler())
