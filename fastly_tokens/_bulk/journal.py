"""The journal: a JSON-lines record of a revocation job that a killed run resumes from.

Kept as a database keeps its log. It is opened and locked before anything is sent (a second
job on the same journal fails at once); its first line binds it to one endpoint and caller
(customer and user ids, never the key), and a run as anyone else is refused. Each request's
entries are written and fsynced before the request counts as done. Any bytes in the file are
read without crashing: a line that is not UTF-8, not JSON, nested too deep or torn by a power
cut is skipped with a warning, and a torn last line is ended before anything is appended, so it
cannot swallow the next entry.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from .._errors import FastlyError
from .._log import logger

try:  # POSIX; elsewhere journals are not locked (said in the README)
    import fcntl
except ImportError:  # pragma: no cover (Windows)
    fcntl = None  # type: ignore[assignment]  # the module is optional

__all__ = [
    "Entry",
    "Journal",
    "JournalError",
    "JournalLockedError",
    "JournalMismatchError",
]

_logger = logger
_MAGIC = "fastly_tokens_journal"
_VERSION = 1
_OUTCOMES = frozenset(
    {"pending", "revoked", "not_found", "invalid", "failed", "not_attempted", "unconfirmed"}
)
_WARNINGS_SHOWN = 10


class JournalError(FastlyError):
    """The journal cannot be used: the path is unusable, or writing to it failed."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class JournalLockedError(JournalError):
    """Another job holds the journal's lock: two jobs on one journal would both send all."""


class JournalMismatchError(JournalError):
    """The journal records a job of another endpoint or caller (or has no header)."""


@attrs.frozen
class Entry:
    """The last thing a journal says of one id."""

    outcome: str
    listed: bool = False
    """The job that wrote it had seen the token live (in its preflight listing) before sending."""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


class Journal:
    """One open, locked journal file. Use :meth:`open`; :meth:`close` releases the lock."""

    def __init__(self, path: str, fd: int, header: dict[str, Any] | None, torn: bool) -> None:
        self.path = path
        self._fd: int | None = fd
        self.header = header
        self.records: list[dict[str, Any]] = []
        """Every readable line after the header, in order (a rotation's steps, say)."""
        self.entries: dict[str, Entry] = {}
        """A revocation job's view of the records: the last outcome of each id."""
        self._needs_newline = torn

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Journal:
        """Open (creating it) and lock the journal, and read what it holds."""
        name = os.fspath(path)
        try:
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as exc:
            raise JournalError(f"cannot open the journal {name}: {_why(exc)}", path=name) from None
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise JournalLockedError(
                        f"the journal {name} is in use by another job (it is locked); "
                        "wait for that job, or give this one another journal",
                        path=name,
                    ) from None
            data = _read_all(fd, name)
            journal = cls(name, fd, None, torn=bool(data) and not data.endswith(b"\n"))
            journal._load(data)
        except BaseException:
            os.close(fd)
            raise
        return journal

    def _load(self, data: bytes) -> None:
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        bad = 0
        for number, raw in enumerate(lines, 1):
            entry = _parse(raw)
            if isinstance(entry, str):
                bad += 1
                if bad <= _WARNINGS_SHOWN:
                    _logger.warning("%s:%d: journal line skipped (%s)", self.path, number, entry)
                continue
            if entry.get(_MAGIC) is not None:
                if self.header is None:
                    self.header = entry
                continue
            self.records.append(entry)
            token_id, outcome = entry.get("id"), entry.get("outcome")
            if "step" in entry:
                continue  # a rotation's record, not a revocation's
            if not isinstance(token_id, str) or outcome not in _OUTCOMES:
                bad += 1
                continue
            self.entries[token_id] = Entry(str(outcome), entry.get("listed") is True)
        if bad > _WARNINGS_SHOWN:
            _logger.warning("%s: %d unreadable journal lines skipped in all", self.path, bad)

    def bind(self, *, endpoint: str, customer_id: str | None, user_id: str | None) -> None:
        """Tie the journal to this endpoint and caller, or refuse it if it records another."""
        mine = {"endpoint": endpoint, "customer_id": customer_id, "user_id": user_id}
        if self.header is None:
            if self.records:
                raise JournalMismatchError(
                    f"the journal {self.path} has entries but no header saying whose job it "
                    "records (an older version or another tool wrote it): start a new journal",
                    path=self.path,
                )
            self._append([{_MAGIC: _VERSION, **mine, "created": _now()}])
            self.header = {_MAGIC: _VERSION, **mine}
            return
        theirs = {key: self.header.get(key) for key in mine}
        if theirs != mine:
            differs = " and ".join(k for k in mine if theirs[k] != mine[k])
            raise JournalMismatchError(
                f"the journal {self.path} records a job of another {differs}: use the key and "
                "endpoint of that job, or a new journal",
                path=self.path,
            )

    def write(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Append entries and fsync them; ``JournalError`` if the disk refuses."""
        at = _now()
        self._append([{**entry, "at": at} for entry in entries])

    def _append(self, entries: list[Mapping[str, Any]]) -> None:
        if self._fd is None:
            raise JournalError(f"the journal {self.path} is closed", path=self.path)
        text = "".join(json.dumps(entry, separators=(",", ":")) + "\n" for entry in entries)
        data = ("\n" if self._needs_newline else "").encode() + text.encode()
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fsync(self._fd)
        except OSError as exc:
            raise JournalError(
                f"cannot write to the journal {self.path}: {_why(exc)}", path=self.path
            ) from None
        self._needs_newline = False

    def close(self) -> None:
        """Release the lock and close the file; safe to call twice."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the flock


def _read_all(fd: int, path: str) -> bytes:
    chunks: list[bytes] = []
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    except OSError as exc:
        raise JournalError(f"cannot read the journal {path}: {_why(exc)}", path=path) from None
    return b"".join(chunks)


def _parse(raw: bytes) -> dict[str, Any] | str:
    """One line as a JSON object, or why it is not one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    try:
        value = json.loads(text)
    except RecursionError:
        return "nested too deeply"
    except ValueError:
        return "not JSON (a torn line?)"
    if not isinstance(value, dict):
        return "not a JSON object"
    return value
