"""A handful of runs through the real entry points, as a user starts them, in subprocesses.

Everything else about the commands is tested in-process (``test_cli_commands.py``); these check
what only a real process shows: ``python -m fastly_tokens``, the installed script, the demo,
the command without rich, and that ``--help`` stays cheap.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fastly_tokens.testing import FakeFastly

from .support.cli import KEY, run_cli, run_subprocess

pytestmark = pytest.mark.fake_fastly(key=KEY, seed_tokens=40, seed=11)

PROGRESS_LINE = re.compile(r"^revoking (\d+)/(\d+) \(revoked (\d+)(?:, [a-z ]+ \d+)*; writes")


def test_python_dash_m(fake_fastly: FakeFastly) -> None:
    run = run_subprocess("current", "--json", base_url=fake_fastly.base_url)
    assert run.code == 0, run.err
    assert run.json()["id"] == fake_fastly.token_id
    run = run_subprocess("revoke", "--expired", "--dry-run", base_url=fake_fastly.base_url)
    assert run.code == 0, run.err
    assert "Would revoke" in run.out
    assert fake_fastly.requests_matching("DELETE", "/tokens*") == []


def test_the_installed_console_script(fake_fastly: FakeFastly) -> None:
    script = shutil.which("fastly-tokens") or str(Path(sys.executable).with_name("fastly-tokens"))
    if not Path(script).exists():
        pytest.skip("the fastly-tokens console script is not installed")
    run = run_subprocess("current", "--json", base_url=fake_fastly.base_url, command=[script])
    assert run.code == 0, run.err
    assert run.json()["id"] == fake_fastly.token_id
    assert run_subprocess("revoke", base_url=fake_fastly.base_url, command=[script]).code == 2


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_rich_a_command_prints_a_hint_and_help_still_works() -> None:
    block = "import sys; sys.modules['rich'] = None\nfrom fastly_tokens.cli import main\n"
    done = _python(block + "raise SystemExit(main(['current']))")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "fastly-tokens: the command needs the 'cli' extra: pip install 'fastly-tokens[cli]'"
    )
    done = _python(block + "raise SystemExit(main(['revoke', '--help']))")
    assert done.returncode == 0, done.stderr
    assert "--unused-since DATE" in done.stdout


def test_help_and_usage_errors_import_no_rich() -> None:
    code = (
        "import sys\n"
        "from fastly_tokens.cli import main\n"
        "assert main(['--help']) == 0\n"
        "assert main(['revoke', '--strategy', 'sometimes']) == 2\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'rich')\n"
        "assert not loaded, loaded\n"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert "invalid choice" in done.stderr


def test_help_imports_neither_the_client_nor_the_job_engine() -> None:
    """``--help`` is argparse's: the SDK loads on first use, which help never makes."""
    code = (
        "import sys\n"
        "from fastly_tokens.cli import main\n"
        "assert main(['--help']) == 0\n"
        "assert main(['revoke', '--help']) == 0\n"
        "heavy = ('cattrs', 'fastly_tokens._bulk', 'fastly_tokens._client', 'fastly_tokens._mod')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(heavy))\n"
        "assert not loaded, loaded\n"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert "--chunk-size N" in done.stdout


def test_the_chunk_size_help_names_the_sdk_default() -> None:
    from fastly_tokens import DEFAULT_CHUNK_SIZE  # noqa: PLC0415 (after the test above's check)

    done = _python("from fastly_tokens.cli import main; main(['revoke', '--help'])")
    assert f"(default: the SDK's, {DEFAULT_CHUNK_SIZE})" in " ".join(done.stdout.split())


def test_against_a_standalone_fake_server() -> None:
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "fastly_tokens.testing",
            "--port",
            "0",
            "--key",
            KEY,
            "--tokens",
            "60",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        banner: dict[str, str] = {}
        while "password" not in banner:
            line = server.stdout.readline()
            assert line, "the fake server exited"
            name, _, value = line.strip().partition(": ")
            banner[name] = value
        assert banner["key"] == KEY
        started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        run = run_cli("revoke", "--expired", "--json", "--yes", base_url=banner["base_url"])
        assert run.code == 0, run.err
        assert run.json()["counts"]["revoked"] > 0
        left = run_cli("list", "--json", base_url=banner["base_url"]).json()
        assert not [t for t in left if t["expires_at"] and t["expires_at"] < started]
        assert banner["token_id"] in {t["id"] for t in left}
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()


def test_the_demo_exits_0_explains_the_foreign_ids_and_ends_with_the_audit() -> None:
    run = run_subprocess("demo", token=None)
    assert run.code == 0, run.out + run.err
    assert "3000 seeded tokens" in run.out
    assert "Revocation report" in run.out
    assert "someone else's token, ended not_found" in run.out
    assert "never sent them (not found, at no cost)" in run.out
    assert "OK: all" in run.out
    audit = run.out[run.out.index("7. Audit a realistic account") :]
    assert "Each rule flagged exactly the tokens the seed made to break it" in audit
    for rule in ("expires_soon", "never_used", "owner_locked_or_gone"):
        assert rule in audit
    assert "OK: every check passed" in audit
    assert PROGRESS_LINE.search(run.err.splitlines()[-1])
