from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from fastly_tokens._errors import RateLimitError
from fastly_tokens._ratelimit import RateLimit, RateLimitGate
from fastly_tokens.testing import FakeClock

NOW = 1_700_000_000.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def gate(clock: FakeClock) -> RateLimitGate:
    return RateLimitGate(clock, clock.sleep, 60.0)


async def settle(rounds: int = 10) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


def start_writers(gate: RateLimitGate, n: int) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(gate.acquire("DELETE", f"/tokens/{i}")) for i in range(n)]


def admitted(tasks: list[asyncio.Task[None]]) -> int:
    return sum(t.done() and not t.cancelled() and t.exception() is None for t in tasks)


async def cancel_all(tasks: list[asyncio.Task[None]]) -> None:
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


# state


def test_snapshot_starts_unknown(gate: RateLimitGate) -> None:
    assert gate.snapshot() == RateLimit(remaining=None, reset_at=None)


def test_update_keeps_the_minimum_within_a_window(gate: RateLimitGate) -> None:
    gate.update(10, NOW + 100)
    gate.update(7, NOW + 100)
    gate.update(9, NOW + 100)  # an older answer arriving late
    gate.update(8, None)
    assert gate.snapshot().remaining == 7
    reset_at = gate.snapshot().reset_at
    assert reset_at == datetime.fromtimestamp(NOW + 100, UTC)
    assert reset_at is not None
    assert reset_at.tzinfo is UTC


def test_a_later_reset_starts_a_new_window(gate: RateLimitGate) -> None:
    gate.update(0, NOW + 100)
    gate.update(999, NOW + 3700)
    assert gate.snapshot().remaining == 999
    gate.update(0, NOW + 100)  # stale: from the window already over
    assert gate.snapshot() == RateLimit(999, datetime.fromtimestamp(NOW + 3700, UTC))


def test_arm_spends_the_budget(gate: RateLimitGate) -> None:
    gate.update(500, NOW + 100)
    gate.arm(NOW + 100)
    assert gate.snapshot().remaining == 0


# admission


async def test_unknown_budget_lets_one_probe_at_a_time(gate: RateLimitGate) -> None:
    tasks = start_writers(gate, 5)
    await settle()
    assert admitted(tasks) == 1
    assert gate.in_flight == 1
    gate.release()  # the probe failed without telling the budget: the next one probes
    await settle()
    assert admitted(tasks) == 2
    assert gate.in_flight == 1
    await cancel_all(tasks)


async def test_a_reported_budget_opens_the_gate(gate: RateLimitGate) -> None:
    tasks = start_writers(gate, 5)
    await settle()
    gate.update(999, NOW + 3600)
    gate.release()
    await settle()
    assert admitted(tasks) == 5
    assert gate.in_flight == 4


async def test_in_flight_writes_count_against_remaining(gate: RateLimitGate) -> None:
    gate.update(3, NOW + 100)
    tasks = start_writers(gate, 10)
    await settle()
    assert admitted(tasks) == 3
    # One returns; Fastly counted it: 2 left, and 2 are still in flight.
    gate.update(2, NOW + 100)
    gate.release()
    await settle()
    assert admitted(tasks) == 3
    # Another returns, but had been counted out of order: still no room.
    gate.update(0, NOW + 100)
    gate.release()
    await settle()
    assert admitted(tasks) == 3
    await cancel_all(tasks)


async def test_a_write_lost_in_flight_is_charged(gate: RateLimitGate) -> None:
    gate.update(2, NOW + 100)
    async with gate.slot("DELETE", "/tokens/a"):
        pass
    assert gate.snapshot().remaining == 2  # answered: the response already told the budget
    with pytest.raises(OSError, match="dropped"):
        async with gate.slot("DELETE", "/tokens/a"):
            raise OSError("dropped")
    assert gate.snapshot().remaining == 1
    assert gate.in_flight == 0


async def test_spent_budget_waits_for_the_reset_then_probes(
    gate: RateLimitGate, clock: FakeClock
) -> None:
    gate.update(0, NOW + 10)
    await gate.acquire("POST", "/tokens")
    assert clock.waits == [10.0]
    assert clock.now == NOW + 10
    assert gate.in_flight == 1
    second = asyncio.create_task(gate.acquire("POST", "/tokens"))
    await settle()
    assert not second.done()  # the window reset: the budget is unknown, one probe at a time
    gate.release()
    await second


async def test_beyond_max_wait_fails_without_waiting(gate: RateLimitGate, clock: FakeClock) -> None:
    gate.update(0, NOW + 3600)
    with pytest.raises(RateLimitError) as info:
        await gate.acquire("DELETE", "/tokens/abc")
    err = info.value
    assert clock.waits == []
    assert (err.status, err.method, err.path) == (429, "DELETE", "/tokens/abc")
    assert err.remaining == 0
    assert err.reset_at == datetime.fromtimestamp(NOW + 3600, UTC)
    assert err.retry_after == 3600.0
    assert "budget spent" in str(err)
    assert gate.in_flight == 0


async def test_a_reset_after_the_deadline_fails_without_waiting(
    gate: RateLimitGate, clock: FakeClock
) -> None:
    gate.update(0, NOW + 30)
    with pytest.raises(RateLimitError, match="deadline"):
        await gate.acquire("DELETE", "/tokens/abc", deadline=NOW + 20)
    assert clock.waits == []


async def test_many_writers_share_one_wait(gate: RateLimitGate, clock: FakeClock) -> None:
    gate.arm(NOW + 10)
    tasks = start_writers(gate, 50)
    await settle()
    assert clock.waits == [10.0]
    assert admitted(tasks) == 1  # after the reset, one probe
    gate.update(999, NOW + 3610)
    gate.release()
    await settle()
    assert admitted(tasks) == 50
    assert clock.waits == [10.0]


async def test_reads_bypass_the_gate(gate: RateLimitGate, clock: FakeClock) -> None:
    gate.update(0, NOW + 3600)
    async with gate.slot("GET", "/tokens"):
        assert gate.in_flight == 0
    async with gate.slot("head", "/tokens"):
        pass
    assert clock.waits == []


async def test_an_unmetered_server_opens_the_gate(gate: RateLimitGate) -> None:
    gate.note_unmetered()
    tasks = start_writers(gate, 20)
    await settle()
    assert admitted(tasks) == 20
    gate.arm(NOW + 5)  # metering after all
    assert gate.snapshot().remaining == 0


# cancellation


async def test_cancelling_one_waiter_keeps_the_shared_wait(
    gate: RateLimitGate, clock: FakeClock
) -> None:
    clock.hold()
    gate.arm(NOW + 10)
    tasks = start_writers(gate, 3)
    await settle()
    assert clock.waits == [10.0]
    tasks[0].cancel()
    await settle()
    assert tasks[0].cancelled()
    assert not tasks[1].done()
    clock.release()
    await settle()
    assert admitted(tasks) == 1
    assert clock.waits == [10.0]
    assert gate.in_flight == 1
    await cancel_all(tasks)


async def test_cancelling_every_waiter_stops_the_timer(
    gate: RateLimitGate, clock: FakeClock
) -> None:
    clock.hold()
    gate.arm(NOW + 10)
    tasks = start_writers(gate, 3)
    await settle()
    await cancel_all(tasks)
    assert gate.in_flight == 0
    # A new writer starts a fresh wait; the gate still works.
    clock.release()
    await gate.acquire("DELETE", "/tokens/x")
    assert clock.waits == [10.0, 10.0]
    assert gate.in_flight == 1


async def test_cancelling_a_queued_writer_leaves_counts_right(gate: RateLimitGate) -> None:
    probe = asyncio.create_task(gate.acquire("DELETE", "/tokens/a"))
    queued = start_writers(gate, 2)
    await settle()
    assert probe.done()
    queued[0].cancel()
    await settle()
    gate.release()
    await settle()
    assert queued[0].cancelled()
    assert queued[1].done()
    assert gate.in_flight == 1


async def test_cancelling_inside_a_slot_releases_it(gate: RateLimitGate) -> None:
    gate.update(5, NOW + 100)
    entered = asyncio.Event()

    async def write() -> None:
        async with gate.slot("DELETE", "/tokens/a"):
            entered.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(write())
    await entered.wait()
    assert gate.in_flight == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert gate.in_flight == 0
    assert gate.snapshot().remaining == 4  # it may have reached Fastly
