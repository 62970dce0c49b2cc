"""``--json`` is written whole or not at all: Ctrl-C during the write waits for its end."""

from __future__ import annotations

import io
import json
import signal
import threading
from collections.abc import Iterator
from types import FrameType

import pytest

from fastly_tokens.cli._run import run
from fastly_tokens.cli._streams import Streams
from fastly_tokens.cli._whole import write_whole
from fastly_tokens.testing import FakeFastly

from .support.cli import KEY, cli_environ

pytestmark = pytest.mark.fake_fastly(key=KEY, seed_tokens=300, seed=3)


class InterruptedStream(io.StringIO):
    """A stream that gets Ctrl-C (``interrupts`` times) within its first write, as a full pipe
    blocked in ``write(2)`` would."""

    def __init__(self, interrupts: int = 1) -> None:
        super().__init__()
        self.interrupts = interrupts
        self.interrupted = False

    def write(self, text: str) -> int:
        if self.interrupted or len(text) <= self.interrupts:
            return super().write(text)
        self.interrupted = True
        step = len(text) // (self.interrupts + 1)
        written = 0
        for _ in range(self.interrupts):
            written += super().write(text[written : written + step])
            signal.raise_signal(signal.SIGINT)
        return written + super().write(text[written:])


@pytest.fixture(autouse=True)
def python_sigint_handler() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_the_injected_interrupt_would_cut_an_unguarded_write_short() -> None:
    stream = InterruptedStream()
    with pytest.raises(KeyboardInterrupt):
        stream.write("x" * 100)
    assert stream.getvalue() == "x" * 50


def test_write_whole_finishes_the_write_then_raises() -> None:
    stream = InterruptedStream()
    with pytest.raises(KeyboardInterrupt):
        write_whole(stream, "x" * 100)
    assert stream.getvalue() == "x" * 100
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_write_whole_hands_the_interrupt_to_the_handler_in_place() -> None:
    seen: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        seen.append(signum)

    signal.signal(signal.SIGINT, handler)
    stream = InterruptedStream(interrupts=2)
    write_whole(stream, "y" * 10)
    assert stream.getvalue() == "y" * 10
    assert seen == [signal.SIGINT, signal.SIGINT]
    assert signal.getsignal(signal.SIGINT) is handler


def test_write_whole_without_an_interrupt_writes_once() -> None:
    stream = io.StringIO()
    write_whole(stream, "z" * 10)
    assert stream.getvalue() == "z" * 10
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_write_whole_off_the_main_thread_writes_unguarded() -> None:
    stream = io.StringIO()
    worker = threading.Thread(target=write_whole, args=(stream, "w" * 10))
    worker.start()
    worker.join()
    assert stream.getvalue() == "w" * 10


@pytest.mark.parametrize("interrupts", [1, 2])
def test_ctrl_c_during_the_json_write_leaves_whole_json_and_exits_130(
    fake_fastly: FakeFastly, interrupts: int
) -> None:
    # Within asyncio.run, the first Ctrl-C cancels the command and the second raises.
    out, err = InterruptedStream(interrupts), io.StringIO()
    environ = cli_environ(base_url=fake_fastly.base_url, token=KEY)
    code = run(["list", "--json"], Streams(io.StringIO(), out, err, environ))
    assert out.interrupted
    assert code == 130
    assert "interrupted" in err.getvalue()
    listed = json.loads(out.getvalue())
    assert {t["id"] for t in listed} == {t.id for t in fake_fastly.tokens_of(fake_fastly.user)}
