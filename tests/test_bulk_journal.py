"""The journal: locked, bound to its job, fsynced, and read without crashing whatever it holds."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fastly_tokens import (
    FastlyAsync,
    JournalError,
    JournalLockedError,
    JournalMismatchError,
    Outcome,
)
from fastly_tokens._bulk.journal import Entry, Journal
from fastly_tokens.testing import FakeFastly

HEADER = {"endpoint": "http://x", "customer_id": "c1", "user_id": "u1"}


def lines_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_second_job_on_a_locked_journal_fails_at_once(tmp_path: Path) -> None:
    first = Journal.open(tmp_path / "j.jsonl")
    try:
        with pytest.raises(JournalLockedError, match="in use by another job"):
            Journal.open(tmp_path / "j.jsonl")
    finally:
        first.close()
    Journal.open(tmp_path / "j.jsonl").close()  # released on close


@pytest.mark.parametrize("where", ["no/such/dir/j.jsonl", "."])
def test_an_unusable_path_is_a_journal_error(tmp_path: Path, where: str) -> None:
    with pytest.raises(JournalError, match="cannot open the journal") as info:
        Journal.open(tmp_path / where)
    assert info.value.path == str(tmp_path / where)


def test_a_journal_is_bound_to_its_endpoint_and_caller(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal.open(path)
    journal.bind(**HEADER)
    journal.write([{"id": "a1", "outcome": "revoked"}])
    journal.close()
    again = Journal.open(path)
    again.bind(**HEADER)  # the same job: accepted
    with pytest.raises(JournalMismatchError, match="user_id"):
        again.bind(**{**HEADER, "user_id": "someone-else"})
    with pytest.raises(JournalMismatchError, match="endpoint"):
        again.bind(**{**HEADER, "endpoint": "https://api.fastly.com"})
    again.close()
    assert lines_of(path)[0] == {
        "fastly_tokens_journal": 1,
        **HEADER,
        "created": lines_of(path)[0]["created"],
    }


def test_a_journal_with_entries_but_no_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    path.write_text('{"id": "a1", "outcome": "not_found"}\n')
    journal = Journal.open(path)
    with pytest.raises(JournalMismatchError, match="no header"):
        journal.bind(**HEADER)
    journal.close()


def test_any_bytes_are_skipped_with_a_warning_and_swallow_no_entry(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "j.jsonl"
    header = json.dumps({"fastly_tokens_journal": 1, **HEADER}).encode()
    path.write_bytes(
        header
        + b"\n"
        + b'{"id": "a1", "outcome": "revoked"}\n'
        + b"\xff\xfe not utf-8\n"
        + b"[" * 100_000
        + b"\n"
        + b'"a string"\n'
        + b'{"id": 5, "outcome": "revoked"}\n'
        + b'{"id": "b2", "outcome": "revoked"}\n'
        + b'{"id": "c3", "outc'  # torn by a power cut
    )
    journal = Journal.open(path)
    assert journal.entries == {"a1": Entry("revoked"), "b2": Entry("revoked")}
    reasons = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("not UTF-8" in r for r in reasons)
    assert any("nested too deeply" in r for r in reasons)
    assert any("torn line" in r for r in reasons)
    journal.bind(**HEADER)
    journal.write([{"id": "d4", "outcome": "revoked"}])
    journal.close()
    # The torn line was ended first: the entry written after it is whole and read back.
    assert Journal.open(path).entries["d4"] == Entry("revoked")


async def test_a_run_as_another_caller_is_refused_before_anything_is_sent(
    fake: FakeFastly, tmp_path: Path
) -> None:
    journal = tmp_path / "j.jsonl"
    ids = [fake.add_token(name=f"t{i}").id for i in range(3)]
    async with FastlyAsync(fake.world.foreign_token.access_token, base_url=fake.base_url) as wrong:
        first = await wrong.tokens.revoke_many(ids, journal=journal)
    assert first.counts[Outcome.NOT_FOUND] == 3  # another account's key sees none of them
    fake.reset_requests()
    async with FastlyAsync(fake.key, base_url=fake.base_url) as right:
        with pytest.raises(JournalMismatchError, match="user_id"):
            await right.tokens.revoke_many(ids, journal=journal)
    assert fake.requests_matching("DELETE", "/tokens*") == []
    assert not any(fake.is_revoked(t) for t in ids)


async def test_an_unusable_journal_fails_the_job_before_any_request(
    fake: FakeFastly, tmp_path: Path
) -> None:
    (token_id,) = [fake.add_token(name="t").id]
    async with FastlyAsync(fake.key, base_url=fake.base_url) as c:
        with pytest.raises(JournalError):
            await c.tokens.revoke_many([token_id], journal=tmp_path / "no" / "j.jsonl")
    assert fake.requests == []


async def test_each_entry_is_on_disk_when_the_request_is_sent(
    fake: FakeFastly, tmp_path: Path
) -> None:
    path = tmp_path / "j.jsonl"
    ids = [fake.add_token(name=f"t{i}").id for i in range(4)]
    seen: list[list[dict[str, object]]] = []

    def on_progress(_: object) -> None:
        seen.append(lines_of(path))  # read by another file handle: what a crash would leave

    async with FastlyAsync(fake.key, base_url=fake.base_url) as c:
        await c.tokens.revoke_many(
            ids, journal=path, chunk_size=2, concurrency=1, on_progress=on_progress
        )
    entries = [e for e in seen[-1] if "id" in e]
    assert [(e["id"], e["outcome"]) for e in entries] == [
        (ids[0], "pending"),
        (ids[1], "pending"),
        (ids[0], "revoked"),
        (ids[1], "revoked"),
        (ids[2], "pending"),
        (ids[3], "pending"),
        (ids[2], "revoked"),
        (ids[3], "revoked"),
    ]
    assert all(e.get("listed") is True for e in entries if e["outcome"] == "pending")


DISK_FULL = textwrap.dedent(
    """
    import asyncio, json, resource, signal, sys
    from fastly_tokens import FastlyAsync
    from fastly_tokens.testing import FakeFastly

    async def main(path):
        async with FakeFastly() as fake:
            ids = [fake.add_token(name=f"t{i}").id for i in range(60)]
            async with FastlyAsync(fake.key, base_url=fake.base_url) as c:
                # From now on the process may not write past 2 kB to any file: disk full.
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
                resource.setrlimit(resource.RLIMIT_FSIZE, (2048, hard))
                report = await c.tokens.revoke_many(ids, journal=path, chunk_size=5,
                                                    concurrency=1)
                resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))  # room again
                server_revoked = [t for t in ids if fake.is_revoked(t)]
                fake.reset_requests()
                again = await c.tokens.revoke_many(ids, journal=path, chunk_size=5)
            print(json.dumps({
                "stopped": report.stopped,
                "counts": {str(k): v for k, v in report.counts.items()},
                "reported_revoked": report.ids("revoked"),
                "server_revoked": server_revoked,
                "again_ok": again.ok,
                "again_all_revoked": all(fake.is_revoked(t) for t in ids),
                "again_resent": [
                    r.path for r in fake.requests_matching("DELETE", "/tokens*")
                ],
                "first_revoked": len(report.ids("revoked")),
                "again_writes": again.writes,
            }))

    asyncio.run(main(sys.argv[1]))
    """
)


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="RLIMIT_FSIZE")
def test_a_full_disk_stops_the_job_cleanly_and_the_next_run_resumes(
    fake: FakeFastly, tmp_path: Path
) -> None:
    path = tmp_path / "j.jsonl"
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", DISK_FULL, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(done.stdout)
    assert "cannot write to the journal" in result["stopped"]
    assert "File too large" in result["stopped"]
    counts = result["counts"]
    assert counts["not_attempted"] > 0  # it stopped: nothing more was sent
    assert counts["revoked"] + counts["not_attempted"] == 60
    # What it reports revoked is exactly what the server revoked: nothing lost, nothing claimed.
    assert result["reported_revoked"] == result["server_revoked"]
    assert "Traceback" not in done.stderr
    # The next run, with room on the disk, finishes the job and sends only what was left.
    assert result["again_ok"]
    assert result["again_all_revoked"]
    assert result["again_writes"] == -(-(60 - result["first_revoked"]) // 5)
