"""A job killed at any moment and resumed with its journal: nothing lost, nothing sent twice.

The job runs in a child process that is killed (SIGKILL: no cleanup, as a power cut or an OOM
kill) after a given number of progress events; the fake runs in this process, so its request
log shows what the child sent. The resumed run must revoke the rest, send no id that the first
run already revoked (Fastly would refuse such a write: so no write of the second run may be
refused), and report every id as the server has it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fastly_tokens import FastlyAsync, Outcome, Strategy
from fastly_tokens.testing import FakeFastly

JOB = textwrap.dedent(
    """
    import asyncio, json, sys
    from fastly_tokens import FastlyAsync

    async def main(base_url, key, ids_path, journal, strategy):
        ids = json.load(open(ids_path))
        async with FastlyAsync(key, base_url=base_url, max_concurrency=4) as c:
            def progress(p):
                print(p.done, flush=True)
            await c.tokens.revoke_many(ids, journal=journal, strategy=strategy, chunk_size=10,
                                       on_progress=progress)
        print("finished", flush=True)

    asyncio.run(main(*sys.argv[1:]))
    """
)


@pytest.fixture
def fake() -> Iterator[FakeFastly]:
    with FakeFastly(latency=0.003).serve_in_thread() as server:
        yield server


def settle(fake: FakeFastly) -> None:
    """Wait until the fake has answered everything the killed child had sent it."""
    count, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < 0.2:
        now = len(fake.requests)
        if now != count:
            count, quiet_since = now, time.monotonic()
        time.sleep(0.01)


def kill_after(fake: FakeFastly, ids_path: Path, journal: Path, strategy: str, events: int) -> None:
    child = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", JOB, fake.base_url, fake.key, str(ids_path), str(journal), strategy],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    try:
        for _ in range(events):
            if child.stdout.readline() in ("", "finished\n"):
                break
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.stdout.close()
        child.wait(timeout=30)
    settle(fake)


@pytest.mark.parametrize("strategy", ["batch", "each"])
@pytest.mark.parametrize("events", [0, 1, 3, 8])
async def test_a_killed_job_resumes_without_loss_or_resend(
    fake: FakeFastly, tmp_path: Path, strategy: Strategy, events: int
) -> None:
    count = 120 if strategy == "batch" else 40
    ids = [fake.add_token(name=f"t{i}").id for i in range(count)]
    ids_path, journal = tmp_path / "ids.json", tmp_path / "job.jsonl"
    ids_path.write_text(json.dumps(ids))
    kill_after(fake, ids_path, journal, strategy, events)
    first_writes = len(fake.requests_matching("DELETE", "/tokens*"))
    revoked_by_first = {t for t in ids if fake.is_revoked(t)}
    fake.reset_requests()

    async with FastlyAsync(fake.key, base_url=fake.base_url) as c:
        report = await c.tokens.revoke_many(ids, journal=journal, strategy=strategy, chunk_size=10)

    writes = fake.requests_matching("DELETE", "/tokens*")
    assert [w.status for w in writes if w.status != 204] == []  # no id sent twice
    assert all(fake.is_revoked(t) for t in ids)  # nothing lost
    assert report.ids(Outcome.REVOKED) == ids  # and the report says what the server did
    resumed = {r.token_id for r in report.results if r.resumed}
    assert resumed == revoked_by_first
    if strategy == "each":
        assert len(writes) == count - len(revoked_by_first)
    assert first_writes + len(writes) <= (count // 10 if strategy == "batch" else count) + 8
