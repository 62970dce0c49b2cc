"""The official clients, the Fastly CLI and fastly-js, driven at the standalone fake.

Both come from the npm registry at pinned versions, installed once into a cache outside the
git tree; without node, npm or the registry these tests skip. Each test starts its own
``python -m fastly_tokens.testing`` and checks the fake's state over its HTTP API.
What the clients send is in the notes on real clients (see tests/real_clients).
"""

from __future__ import annotations

import platform
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.real_clients import _npm
from tests.real_clients._fake import FakeProcess
from tests.real_clients._runners import Cli, Js, step
from tests.real_clients._stub import WELL_KNOWN_PATH, CliStub, Seen

SERVICES = ("SvcAAAAAAAAAAAAAAAAAAA", "SvcBBBBBBBBBBBBBBBBBBB")


# -- the clients, the fake and the stub ---------------------------------------------------


def _installed(package: tuple[str, str]) -> _npm.Installed:
    try:
        _npm.require_tool("node")
        return _npm.install(*package)
    except _npm.Unavailable as error:
        pytest.skip(f"{package[0]}@{package[1]} is unavailable: {error}")


@pytest.fixture(scope="session")
def fastly_binary() -> Path:
    if not sys.platform.startswith("linux") or platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("@fastly/cli-linux-x64 ships a Linux x86-64 binary only")
    return _installed(_npm.FASTLY_CLI).package_dir / "fastly"


@pytest.fixture(scope="session")
def fastly_js_prefix() -> Path:
    return _installed(_npm.FASTLY_JS).prefix


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeProcess]:
    process = FakeProcess.start(tmp_path / "fake.log", "--tokens", "3")
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def stub() -> Iterator[CliStub]:
    with CliStub() as server:
        yield server


@pytest.fixture
def cli(fastly_binary: Path, fake: FakeProcess, stub: CliStub, tmp_path: Path) -> Cli:
    home = tmp_path / "home"
    home.mkdir()
    return Cli(fastly_binary, fake, stub, home)


@pytest.fixture
def js(fastly_js_prefix: Path, fake: FakeProcess) -> Js:
    return Js(_npm.require_tool("node"), fastly_js_prefix, fake)


def _login(fake: FakeProcess, *, superuser: bool = False) -> tuple[str, str]:
    username = fake.banner["superuser_username" if superuser else "username"]
    return username, fake.banner["password"]


def _sudo_request(fake: FakeProcess, *, superuser: bool = False) -> dict[str, str]:
    username, password = _login(fake, superuser=superuser)
    return {"username": username, "password": password}


# -- fastly auth-token ----------------------------------------------------------------------


def test_cli_describe_shows_the_calling_token(cli: Cli, fake: FakeProcess) -> None:
    token_id = fake.banner["token_id"]
    run = cli("auth-token", "describe")
    described = cli("auth-token", "describe", "--json")
    token = fake.get(f"/tokens/{token_id}", fake.superuser_key).body
    assert run.code == 0, run.err
    assert f"ID: {token_id}\nName: {token['name']}\nUser ID: {token['user_id']}" in run.out
    assert described.code == 0, described.err
    assert described.json()["TokenID"] == token_id
    assert token["user_agent"].startswith("FastlyCLI/v16.1.0")


def test_cli_fetches_the_stub_openid_document_and_its_update_check_is_refused(
    cli: Cli, stub: CliStub
) -> None:
    run = cli("auth-token", "describe")
    assert run.code == 0, run.err
    assert stub.seen == [Seen("GET", WELL_KNOWN_PATH), Seen("CONNECT", "developer.fastly.com:443")]
    assert "new version" not in run.out + run.err


def test_cli_list_shows_every_token_of_the_user(cli: Cli, fake: FakeProcess) -> None:
    expected = fake.token_ids("/tokens", fake.key)
    listed = cli("auth-token", "list", "--json")
    table = cli("auth-token", "list")
    assert listed.code == 0, listed.err
    assert sorted(token["TokenID"] for token in listed.json()) == sorted(expected)
    assert len(expected) == 4
    assert table.code == 0, table.err
    assert all(token_id in table.out for token_id in expected)


def test_cli_list_customer_id_shows_the_account_to_a_superuser(cli: Cli, fake: FakeProcess) -> None:
    customer_id = fake.banner["customer_id"]
    expected = fake.token_ids(f"/customer/{customer_id}/tokens", fake.superuser_key)
    by_flag = cli(
        "auth-token", "list", "--customer-id", customer_id, "--json", key=fake.superuser_key
    )
    by_env = cli(
        "auth-token",
        "list",
        "--json",
        key=fake.superuser_key,
        env={"FASTLY_CUSTOMER_ID": customer_id},
    )
    assert by_flag.code == 0, by_flag.err
    assert by_env.code == 0, by_env.err
    assert sorted(t["TokenID"] for t in by_flag.json()) == sorted(expected)
    assert sorted(t["TokenID"] for t in by_env.json()) == sorted(expected)
    assert {fake.banner["token_id"], fake.get("/tokens/self", fake.superuser_key).body["id"]} <= {
        t["TokenID"] for t in by_flag.json()
    }


def test_cli_list_customer_id_is_refused_to_an_ordinary_user(cli: Cli, fake: FakeProcess) -> None:
    run = cli("auth-token", "list", "--customer-id", fake.banner["customer_id"])
    assert run.code == 1
    assert "ERROR: the Fastly API returned 403 Forbidden" in run.err


def test_cli_create_makes_a_token_whose_secret_works(cli: Cli, fake: FakeProcess) -> None:
    before = fake.token_ids("/tokens", fake.key)
    expires = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    run = cli(
        "auth-token",
        "create",
        "--password",
        fake.banner["password"],
        "--name",
        "made by the cli",
        "--scope",
        "global",
        "--scope",
        "purge_all",
        "--services",
        ",".join(SERVICES),
        "--expires",
        expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    assert run.code == 0, run.err
    shown = re.search(
        r"Created token '([\w-]+)' \(name: made by the cli, id: (\w+), scope: global purge_all, "
        + re.escape(f"expires: {expires:%Y-%m-%d %H:%M:%S} +0000 UTC)"),
        run.out,
    )
    assert shown is not None, run.out
    secret, token_id = shown.groups()
    token = fake.get("/tokens/self", secret).body
    assert token["id"] == token_id
    assert token["user_id"] == fake.get("/tokens/self", fake.key).body["user_id"]
    assert (token["name"], token["scope"], token["services"]) == (
        "made by the cli",
        "global purge_all",
        list(SERVICES),
    )
    assert token["expires_at"] == expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sorted(fake.token_ids("/tokens", fake.key)) == sorted([*before, token_id])


def test_cli_create_with_only_a_password_makes_a_global_token(cli: Cli, fake: FakeProcess) -> None:
    run = cli("auth-token", "create", "--password", fake.banner["password"])
    assert run.code == 0, run.err
    shown = re.search(
        r"Created token '([\w-]+)' \(name: , id: (\w+), scope: global, expires: never\)", run.out
    )
    assert shown is not None, run.out
    token = fake.get("/tokens/self", shown.group(1)).body
    assert (token["id"], token["scope"], token["expires_at"]) == (shown.group(2), "global", None)


def test_cli_create_with_a_wrong_password_is_refused_and_makes_nothing(
    cli: Cli, fake: FakeProcess
) -> None:
    before = fake.token_ids("/tokens", fake.key)
    run = cli("auth-token", "create", "--password", "not the password")
    assert run.code == 1
    assert "ERROR: the Fastly API returned 403 Forbidden" in run.err
    assert fake.token_ids("/tokens", fake.key) == before


def test_cli_delete_id_revokes_that_token_only(cli: Cli, fake: FakeProcess) -> None:
    victim_id, victim_secret = fake.create_token("victim")
    run = cli("auth-token", "delete", "--id", victim_id)
    assert run.code == 0, run.err
    assert f"SUCCESS: Deleted token '{victim_id}'" in run.out
    assert not fake.authenticates(victim_secret)
    assert fake.authenticates(fake.key)
    assert victim_id not in fake.token_ids("/tokens", fake.key)


def test_cli_delete_file_revokes_every_listed_token(
    cli: Cli, fake: FakeProcess, tmp_path: Path
) -> None:
    victims = [fake.create_token(f"victim {n}") for n in range(2)]
    listing = tmp_path / "ids.txt"
    listing.write_text("".join(f"{victim_id}\n" for victim_id, _ in victims))
    run = cli("auth-token", "delete", "--file", str(listing))
    assert run.code == 0, run.err
    assert "SUCCESS: Deleted tokens" in run.out
    assert [fake.authenticates(secret) for _, secret in victims] == [False, False]
    assert fake.authenticates(fake.key)


def test_cli_delete_current_revokes_the_calling_token(cli: Cli, fake: FakeProcess) -> None:
    victim_id, victim_secret = fake.create_token("victim")
    run = cli("auth-token", "delete", "--current", key=victim_secret)
    assert run.code == 0, run.err
    assert "SUCCESS: Deleted current token" in run.out
    assert not fake.authenticates(victim_secret)
    assert fake.authenticates(fake.key)
    assert victim_id not in fake.token_ids("/tokens", fake.key)


# -- fastly-js TokensApi -------------------------------------------------------------------


def test_js_get_token_current_reads_the_calling_token(js: Js, fake: FakeProcess) -> None:
    [result] = js(step("TokensApi", "getTokenCurrent"))
    assert (result["ok"], result["status"]) == (True, 200), result
    assert result["data"]["id"] == fake.banner["token_id"]
    token = fake.get(f"/tokens/{fake.banner['token_id']}", fake.superuser_key).body
    assert token["user_agent"] == "fastly-js/13.0.0"


def test_js_list_tokens_user_lists_every_token_of_the_user(js: Js, fake: FakeProcess) -> None:
    [result] = js(step("TokensApi", "listTokensUser"))
    assert (result["ok"], result["status"]) == (True, 200), result
    assert sorted(t["id"] for t in result["data"]) == sorted(fake.token_ids("/tokens", fake.key))


def test_js_list_tokens_customer_lists_the_account_for_a_superuser_only(
    js: Js, fake: FakeProcess
) -> None:
    customer_id = fake.banner["customer_id"]
    listing = step("TokensApi", "listTokensCustomer", customer_id=customer_id)
    [superuser] = js(listing, key=fake.superuser_key)
    [ordinary] = js(listing)
    expected = fake.token_ids(f"/customer/{customer_id}/tokens", fake.superuser_key)
    assert (superuser["ok"], superuser["status"]) == (True, 200), superuser
    assert sorted(t["id"] for t in superuser["data"]) == sorted(expected)
    assert (ordinary["ok"], ordinary["status"]) == (False, 403), ordinary


def test_js_get_token_reads_one_token(js: Js, fake: FakeProcess) -> None:
    token_id = fake.token_ids("/tokens", fake.key)[-1]
    [result] = js(step("TokensApi", "getToken", token_id=token_id))
    expected = fake.get(f"/tokens/{token_id}", fake.key).body
    assert (result["ok"], result["status"]) == (True, 200), result
    fields = ("id", "name", "scope", "services", "created_at", "expires_at")
    assert {f: result["data"][f] for f in fields} == {f: expected[f] for f in fields}


def test_js_create_token_with_a_basic_login_makes_a_working_token(
    js: Js, fake: FakeProcess
) -> None:
    [result] = js(step("TokensApi", "createToken"), use_key=False, basic=_login(fake))
    assert (result["ok"], result["status"]) == (True, 200), result
    assert fake.authenticates(result["data"]["access_token"])
    assert result["data"]["id"] in fake.token_ids("/tokens", fake.key)


def test_js_sudo_then_create_token_with_key_and_basic_login(js: Js, fake: FakeProcess) -> None:
    sudo, created = js(
        step("SudoApi", "requestSudoAccess", sudo_request=_sudo_request(fake)),
        step("TokensApi", "createToken"),
        basic=_login(fake),
    )
    assert (sudo["ok"], sudo["status"]) == (True, 200), sudo
    assert datetime.fromisoformat(sudo["body"]["expiry_time"]) > datetime.now(UTC)
    assert (created["ok"], created["status"]) == (True, 200), created
    assert fake.authenticates(created["data"]["access_token"])


def test_js_revoke_token_revokes_that_token(js: Js, fake: FakeProcess) -> None:
    victim_id, victim_secret = fake.create_token("victim")
    [result] = js(step("TokensApi", "revokeToken", token_id=victim_id))
    assert (result["ok"], result["status"]) == (True, 204), result
    assert not fake.authenticates(victim_secret)
    assert fake.authenticates(fake.key)


def test_js_revoke_token_current_revokes_the_calling_token(js: Js, fake: FakeProcess) -> None:
    _, victim_secret = fake.create_token("victim")
    [result] = js(step("TokensApi", "revokeTokenCurrent"), key=victim_secret)
    assert (result["ok"], result["status"]) == (True, 204), result
    assert not fake.authenticates(victim_secret)
    assert fake.authenticates(fake.key)


def test_js_bulk_revoke_tokens_revokes_the_batch(js: Js, fake: FakeProcess) -> None:
    victims = [fake.create_token(f"victim {n}") for n in range(2)]
    batch = {"data": [{"type": "token", "id": victim_id} for victim_id, _ in victims]}
    [result] = js(step("TokensApi", "bulkRevokeTokens", request_body=batch))
    assert (result["ok"], result["status"]) == (True, 204), result
    assert [fake.authenticates(secret) for _, secret in victims] == [False, False]
    assert fake.authenticates(fake.key)


# -- fastly-js AutomationTokensApi -----------------------------------------------------------


def test_js_automation_token_create_get_services_and_revoke(js: Js, fake: FakeProcess) -> None:
    body = {"name": "made by fastly-js", "role": "engineer", "scope": "global"}
    sudo, created = js(
        step("SudoApi", "requestSudoAccess", sudo_request=_sudo_request(fake, superuser=True)),
        step("AutomationTokensApi", "createAutomationToken", automation_token_create_request=body),
        key=fake.superuser_key,
    )
    assert (sudo["ok"], created["ok"], created["status"]) == (True, True, 200), created
    token_id, secret = created["body"]["id"], created["body"]["access_token"]
    got, services, revoked = js(
        step("AutomationTokensApi", "getAutomationTokenId", id=token_id),
        step("AutomationTokensApi", "getAutomationTokensIdServices", id=token_id),
        step("TokensApi", "revokeToken", token_id=token_id),
        key=fake.superuser_key,
    )
    assert (got["status"], got["body"]["id"], got["body"]["name"]) == (200, token_id, body["name"])
    assert (services["status"], services["body"]["data"]) == (200, [])
    assert (revoked["ok"], revoked["status"]) == (True, 204), revoked
    assert not fake.authenticates(secret)


def test_js_list_automation_tokens_cannot_read_the_recorded_page_shape(
    js: Js, fake: FakeProcess
) -> None:
    # fastly-js 13 types the answer as an array; Fastly answers {"data": [...], "meta": {...}}.
    [result] = js(
        step("AutomationTokensApi", "listAutomationTokens", page=1, per_page=100),
        key=fake.superuser_key,
    )
    assert result == {
        "ok": False,
        "status": None,
        "body": None,
        "error": "TypeError: data.map is not a function",
    }
