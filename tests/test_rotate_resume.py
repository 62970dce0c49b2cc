"""A rotation killed at any point and run again: one live successor that works, the old revoked.

The rotation runs in a child process, killed (SIGKILL: no cleanup) once the fake has carried
out a given number of its requests; the fake adds latency before each one, so the kill lands
after that request's effect and before the next one's. Killed after the create, the child
never saw the new secret: the run after it must find that successor and revoke it. A child can
also be killed in the middle of handing the secret over. Every run writes the secret it hands
over to the same file, so the file holds the one the user kept.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fastly_tokens import FastlyAsync
from fastly_tokens.testing import DEMO_PASSWORD, FakeFastly
from fastly_tokens.testing._records import FakeToken

CHILD = textwrap.dedent(
    """
    import asyncio, os, sys, time
    from fastly_tokens import FastlyAsync

    async def main(base_url, token_id, journal, handed, slow):
        def hand_over(secret):
            with open(handed, "w") as file:
                file.write(secret)
            if slow == "slow":
                print("handing over", flush=True)
                time.sleep(30)  # killed here, in the middle of the hand-over

        async with FastlyAsync(base_url=base_url) as c:
            await c.rotate_token(token_id, password=os.environ["PASSWORD"],
                                 hand_over=hand_over, journal=journal)
        print("finished", flush=True)

    asyncio.run(main(*sys.argv[1:]))
    """
)
LATENCY = 0.05
SERVICE = "SvcAAAAAAAAAAAAAAAAAAA"


@pytest.fixture
def fake() -> Iterator[FakeFastly]:
    with FakeFastly(latency=LATENCY).serve_in_thread() as server:
        yield server


def start_child(fake: FakeFastly, key: str, token_id: str, tmp: Path, *, slow: bool) -> Any:
    environ = {**os.environ, "FASTLY_API_TOKEN": key, "PASSWORD": DEMO_PASSWORD}
    return subprocess.Popen(  # noqa: S603 (our own interpreter and script)
        [
            sys.executable,
            "-c",
            CHILD,
            fake.base_url,
            token_id,
            str(tmp / "rotation.jsonl"),
            str(tmp / "secret"),
            "slow" if slow else "fast",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=environ,
    )


def kill_after_requests(fake: FakeFastly, child: subprocess.Popen[str], count: int) -> None:
    """Kill ``child`` once the fake carried out ``count`` requests (or when it ends)."""
    deadline = time.monotonic() + 60
    while len(fake.requests) < count and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    child.send_signal(signal.SIGKILL)  # no-op when it has ended
    child.wait(timeout=30)


def kill_in_hand_over(child: subprocess.Popen[str]) -> None:
    assert child.stdout is not None
    assert child.stdout.readline() == "handing over\n"
    child.send_signal(signal.SIGKILL)  # no-op when it has ended
    child.wait(timeout=30)


def settle(fake: FakeFastly) -> None:
    """Wait until the fake has answered every request the killed child had sent."""
    count, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < 3 * LATENCY:
        if len(fake.requests) != count:
            count, quiet_since = len(fake.requests), time.monotonic()
        time.sleep(0.01)


def old_token(fake: FakeFastly, kind: str) -> tuple[str, str]:
    """The token to rotate, and the key that rotates it."""
    if kind == "user":
        token = fake.add_token(name="deploy", scope="purge_all", services=[SERVICE])
        return token.id, fake.key
    automation = fake.add_automation_token(
        name="ci", role="engineer", services=[SERVICE], scope="global"
    )
    return automation.id, fake.superuser_key


def live_successors(fake: FakeFastly, before: set[str]) -> list[FakeToken]:
    return [t for t in fake.store.tokens.values() if t.id not in before and not t.revoked]


# A full rotation is 7 requests for a user token (the key's token, the old one as an automation
# token (404) then as a user token, sudo, the create, the new secret's proof, the revoke) and 8
# for an automation token (the key's, the old one, its services, the superuser check, sudo,
# the create, the proof, the revoke): every point between two of them, and the hand-over.
@pytest.mark.parametrize("kind", ["user", "automation"])
@pytest.mark.parametrize("point", [*range(9), "hand_over"])
async def test_a_killed_rotation_run_again_ends_with_one_working_successor(
    fake: FakeFastly, tmp_path: Path, kind: str, point: int | str
) -> None:
    old_id, key = old_token(fake, kind)
    before = set(fake.store.tokens)
    fake.reset_requests()
    child = start_child(fake, key, old_id, tmp_path, slow=point == "hand_over")
    try:
        if point == "hand_over":
            kill_in_hand_over(child)
        else:
            assert isinstance(point, int)
            kill_after_requests(fake, child, point)
    finally:
        assert child.stdout is not None
        child.stdout.close()
    settle(fake)

    secret_file = tmp_path / "secret"
    async with FastlyAsync(key, base_url=fake.base_url) as c:
        result = await c.rotate_token(
            old_id,
            password=DEMO_PASSWORD,
            hand_over=secret_file.write_text,
            journal=tmp_path / "rotation.jsonl",
        )

    assert result.state == "done"
    assert fake.is_revoked(old_id)
    (successor,) = live_successors(fake, before)  # exactly one: lost ones were revoked
    assert result.new_id == successor.id
    kept = fake.store.find_by_secret(secret_file.read_text())
    assert kept is not None
    assert kept.id == successor.id  # the secret the user kept is the live one
    assert successor.kind == kind
    assert successor.services == (SERVICE,)  # the old one's, not every service
    journal = (tmp_path / "rotation.jsonl").read_text()
    for token in fake.store.tokens.values():
        assert token.access_token not in journal
    assert DEMO_PASSWORD not in journal
