"""Accounts and their guards: Argon2 passwords, throttled sign-in, server-side
sessions with HttpOnly/SameSite/Secure cookies, CSRF on forms and cookie-borne API
calls, API tokens, roles, the `declass users` CLI, and rate limits on costly work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from declass.accounts import passwords, throttle
from declass.accounts.reader import ANONYMOUS, Reader
from declass.accounts.records import Role
from declass.accounts.users import add_user, authenticate
from declass.archive import Archive, Config
from declass.cli import cli
from declass.errors import TooManyRequests, Unauthorized
from declass.model import Document, DocumentType
from declass.web import create_app

PASSWORD = "a-long-enough-secret-1"


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    a = Archive(Config(home=tmp_path, db=str(tmp_path / "archive.sqlite3")))
    a.store.put(Document("synthetic:doc", "SYNTHETIC document", DocumentType.MEMORANDUM))
    add_user(a.store, "rita", PASSWORD, Role.RESEARCHER)
    add_user(a.store, "eddie", PASSWORD, Role.EDITOR)
    yield a
    a.close()


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def _sign_in(client: TestClient, name: str, password: str = PASSWORD) -> object:
    token = _token(client.get("/login").text)
    return client.post(
        "/login",
        data={"csrf_token": token, "name": name, "password": password},
        follow_redirects=False,
    )


def test_passwords_are_argon2_hashes_and_weak_ones_are_refused(archive: Archive) -> None:
    account = archive.store.account("rita")
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash
    assert passwords.verify_password(account.password_hash, PASSWORD)
    for weak in ("short", "rita-rita-rita-1"):
        with pytest.raises(passwords.WeakPassword):
            add_user(archive.store, "rita2" if "rita" not in weak else "rita", weak)


def test_sign_in_is_throttled_per_account_and_answers_alike_for_unknown_names(
    archive: Archive,
) -> None:
    store = archive.store
    with pytest.raises(Unauthorized) as unknown:
        authenticate(store, "nobody", PASSWORD, "10.0.0.1")
    for _ in range(4):
        with pytest.raises(Unauthorized) as wrong:
            authenticate(store, "rita", "not the password", "10.0.0.1")
    assert str(unknown.value) == str(wrong.value)
    with pytest.raises(Unauthorized):
        authenticate(store, "rita", "not the password", "10.0.0.2")
    with pytest.raises(TooManyRequests):
        authenticate(store, "rita", PASSWORD, "10.0.0.3")  # even the right password now
    assert authenticate(store, "eddie", PASSWORD, "10.0.0.1").name == "eddie"
    actions = [e.action for e in store.audit_log(limit=20)]
    assert actions.count("sign-in.failed") == 6 and "sign-in.throttled" in actions


def test_session_cookies_are_http_only_same_site_and_secure_over_tls(archive: Archive) -> None:
    app = create_app(archive)
    with TestClient(app) as plain:
        cookie = _sign_in(plain, "rita").headers["set-cookie"]  # type: ignore[attr-defined]
        assert "declass_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie
        assert plain.get("/api/me").json()["name"] == "rita"
    with TestClient(app, base_url="https://testserver") as tls:
        cookie = _sign_in(tls, "rita").headers["set-cookie"]  # type: ignore[attr-defined]
        assert "Secure" in cookie
    # The store keeps the hash of the cookie's secret, never the secret.
    secret = re.search(r"declass_session=([^;]+)", cookie).group(1)  # type: ignore[union-attr]
    assert archive.store.session(secret) is None


def test_every_state_change_made_with_a_session_needs_its_csrf_token(archive: Archive) -> None:
    with TestClient(create_app(archive)) as client:
        assert _sign_in(client, "eddie").status_code == 303  # type: ignore[attr-defined]
        token = client.get("/api/me").json()["csrf_token"]
        form = {"label": "a script"}
        assert client.post("/account/tokens", data=form).status_code == 403
        assert (
            client.post("/account/tokens", data={**form, "csrf_token": "forged"}).status_code == 403
        )
        made = client.post("/account/tokens", data={**form, "csrf_token": token})
        assert made.status_code == 200
        secret = re.search(r"dcl_[A-Za-z0-9_-]+", made.text).group(0)  # type: ignore[union-attr]
        patch = {"changes": {"place": "Geneva"}, "reason": "place"}
        headers = {"if-match": '"v1"'}
        assert (
            client.patch("/api/documents/synthetic:doc", json=patch, headers=headers).status_code
            == 403
        )
        ok = client.patch(
            "/api/documents/synthetic:doc", json=patch, headers={**headers, "x-csrf-token": token}
        )
        assert ok.status_code == 200 and ok.headers["etag"] == '"v2"'
        # The sign-in form itself carries a token too (no login CSRF).
        with TestClient(create_app(archive)) as other:
            refused = other.post("/login", data={"name": "rita", "password": PASSWORD})
            assert refused.status_code == 403
    # An API token is no ambient credential: no CSRF token needed, cookies ignored.
    with TestClient(create_app(archive)) as script:
        bearer = {"authorization": f"Bearer {secret}", "if-match": '"v2"'}
        done = script.patch(
            "/api/documents/synthetic:doc",
            json={**patch, "changes": {"place": "Bern"}},
            headers=bearer,
        )
        assert done.status_code == 200, done.text
        assert (
            script.get("/api/me", headers={"authorization": "Bearer dcl_forged"}).status_code == 401
        )


def test_a_role_change_ends_the_accounts_sessions(archive: Archive) -> None:
    with TestClient(create_app(archive)) as client:
        _sign_in(client, "eddie")
        assert client.get("/api/me").json()["audience"] == "staff"
        runner = CliRunner()
        result = runner.invoke(
            cli, ["users", "role", "eddie", "researcher", "--db", archive.config.db]
        )
        assert result.exit_code == 0, result.output
        assert client.get("/api/me").json()["signed_in"] is False


def test_users_cli_adds_lists_resets_and_issues_tokens(archive: Archive) -> None:
    runner = CliRunner()
    db = ["--db", archive.config.db]
    added = runner.invoke(
        cli,
        ["users", "add", "ada", "--role", "admin", "--password-stdin", *db],
        input="keeps-the-accounts-1\n",
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli, ["users", "list", *db])
    assert "ada" in listed.output and "admin" in listed.output
    reset = runner.invoke(cli, ["users", "password", "ada", "--generate", *db])
    new = reset.output.rsplit(": ", 1)[1].strip()
    assert authenticate(archive.store, "ada", new).name == "ada"
    issued = runner.invoke(cli, ["users", "tokens", "add", "ada", "--label", "harvester", *db])
    secret = issued.stdout.strip().splitlines()[0]
    with TestClient(create_app(archive)) as script:
        me = script.get("/api/me", headers={"authorization": f"Bearer {secret}"}).json()
        assert me["name"] == "ada" and me["role"] == "admin"
        token_id = archive.store.tokens(archive.store.account("ada").id)[0].id
        runner.invoke(cli, ["users", "tokens", "revoke", "ada", str(token_id), *db])
        assert (
            script.get("/api/me", headers={"authorization": f"Bearer {secret}"}).status_code == 401
        )
    disabled = runner.invoke(cli, ["users", "disable", "ada", *db])
    assert disabled.exit_code == 0
    with pytest.raises(Unauthorized):
        authenticate(archive.store, "ada", new)
    audit = runner.invoke(cli, ["audit", *db])
    assert "token.revoke" in audit.output and "account.disable" in audit.output


def test_costly_requests_are_limited_per_account_and_address(archive: Archive) -> None:
    rule = throttle.RateLimit("parallels", limit=2, window=600)
    rita = Reader(archive.store.account("rita"))
    for _ in range(2):
        throttle.charge(archive.store, rule, rita, "10.0.0.9")
    with pytest.raises(TooManyRequests) as over:
        throttle.charge(archive.store, rule, rita, "10.0.0.8")  # another address, same account
    assert over.value.retry_after == 600
    throttle.charge(archive.store, rule, ANONYMOUS, "10.0.0.7")  # someone else entirely
    app = create_app(archive)
    app.state.limits["parallels"] = throttle.RateLimit("parallels", limit=0, window=60)
    with TestClient(app) as client:
        answer = client.post(
            "/api/parallels", json={"text": "Gromyko in Geneva, 1959.", "mode": "fulltext"}
        )
        assert answer.status_code == 429 and answer.headers["retry-after"] == "60"
