"""`declass users`, `declass backup`, `declass restore`, `declass audit`: running an
archive's accounts and keeping it safe. A thin shell over declass.accounts and
declass.backup; `commands()` gives them to the main command group."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from declass.accounts import tokens, users
from declass.accounts.records import Role
from declass.archive import Archive, Config

ACTOR = "cli"  # who the audit log names for changes made at the command line
ROLES = click.Choice([r.value for r in Role])


def _password(from_stdin: bool, prompt: str) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=True))


def commands(db_option: Callable[..., Any], home_option: Callable[..., Any]) -> list[click.Command]:
    """The commands, with the main group's --db and --home options."""

    def archive(db: str | None, home: Path | None) -> Archive:
        return Archive(Config.from_env(db=db, home=home))

    @click.group("users")
    def users_group() -> None:
        """Accounts: researchers, editors and administrators."""

    @users_group.command("add")
    @click.argument("name")
    @click.option("--role", type=ROLES, default="researcher", show_default=True)
    @click.option("--display-name", default="", help="Name shown with annotations.")
    @click.option("--email", default="")
    @click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
    @db_option
    @home_option
    def add(
        name: str,
        role: str,
        display_name: str,
        email: str,
        password_stdin: bool,
        db: str | None,
        home: Path | None,
    ) -> None:
        """Create an account (the password is asked twice, or read from stdin)."""
        password = _password(password_stdin, "Password")
        with archive(db, home) as a:
            account = users.add_user(
                a.store,
                name,
                password,
                Role(role),
                display_name=display_name,
                email=email,
                actor=ACTOR,
            )
        click.echo(f"Account {account.name} ({account.role.value}) created.")

    @users_group.command("role")
    @click.argument("name")
    @click.argument("role", type=ROLES)
    @db_option
    @home_option
    def role(name: str, role: str, db: str | None, home: Path | None) -> None:
        """Give an account another role (its sessions end)."""
        with archive(db, home) as a:
            users.set_role(a.store, name, Role(role), ACTOR)
        click.echo(f"{name} is now {role}.")

    @users_group.command("password")
    @click.argument("name")
    @click.option("--generate", is_flag=True, help="Make a password and print it.")
    @click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
    @db_option
    @home_option
    def password(
        name: str, generate: bool, password_stdin: bool, db: str | None, home: Path | None
    ) -> None:
        """Reset an account's password (its sessions end)."""
        given = None if generate else _password(password_stdin, "New password")
        with archive(db, home) as a:
            made = users.reset_password(a.store, name, given, ACTOR)
        click.echo(f"New password of {name}: {made}" if generate else f"Password of {name} reset.")

    @users_group.command("disable")
    @click.argument("name")
    @click.option("--enable", is_flag=True, help="Enable it again.")
    @db_option
    @home_option
    def disable(name: str, enable: bool, db: str | None, home: Path | None) -> None:
        """Stop an account from signing in (or let it again); nothing it wrote is lost."""
        with archive(db, home) as a:
            users.set_disabled(a.store, name, not enable, ACTOR)
        click.echo(f"{name} {'enabled' if enable else 'disabled'}.")

    @users_group.command("list")
    @db_option
    @home_option
    def list_users(db: str | None, home: Path | None) -> None:
        """Every account with its role."""
        table = Table("name", "role", "shown as", "since", "state")
        with archive(db, home) as a:
            for account in a.store.accounts():
                table.add_row(
                    account.name,
                    account.role.value,
                    account.display_name,
                    account.created_at[:10],
                    "disabled" if account.disabled else "active",
                )
        Console().print(table)

    @users_group.group("tokens")
    def tokens_group() -> None:
        """API tokens (Authorization: Bearer …) for scripts."""

    @tokens_group.command("add")
    @click.argument("name")
    @click.option("--label", default="script", show_default=True)
    @db_option
    @home_option
    def token_add(name: str, label: str, db: str | None, home: Path | None) -> None:
        """Make a token for an account; it is printed once."""
        with archive(db, home) as a:
            secret, token = tokens.issue_token(a.store, a.store.account(name), label, ACTOR)
        click.echo(secret)
        click.echo(f"(token {token.id} of {name}, {token.label}: shown once)", err=True)

    @tokens_group.command("list")
    @click.argument("name")
    @db_option
    @home_option
    def token_list(name: str, db: str | None, home: Path | None) -> None:
        """An account's tokens (never their secrets)."""
        table = Table("id", "label", "made", "revoked")
        with archive(db, home) as a:
            for t in a.store.tokens(a.store.account(name).id):
                table.add_row(str(t.id), t.label, t.created_at[:10], (t.revoked_at or "")[:10])
        Console().print(table)

    @tokens_group.command("revoke")
    @click.argument("name")
    @click.argument("token_id", type=int)
    @db_option
    @home_option
    def token_revoke(name: str, token_id: int, db: str | None, home: Path | None) -> None:
        """Revoke one token of an account."""
        with archive(db, home) as a:
            tokens.revoke_token(a.store, a.store.account(name), token_id, ACTOR)
        click.echo(f"Token {token_id} of {name} revoked.")

    @click.command("backup")
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    @db_option
    @home_option
    def backup_command(folder: Path, db: str | None, home: Path | None) -> None:
        """Copy the whole archive into FOLDER while it stays in use (SQLite: online
        backup; PostgreSQL: pg_dump)."""
        from declass.backup import backup

        report = backup(Config.from_env(db=db, home=home).db, folder)
        click.echo(
            f"Backed up {report.documents:,} documents ({report.versions:,} versions) to {folder}"
        )

    @click.command("restore")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Replace an archive that is already there.")
    @db_option
    @home_option
    def restore_command(folder: Path, force: bool, db: str | None, home: Path | None) -> None:
        """Put a backup back as the archive (its search index rebuilt)."""
        from declass.backup import restore

        report = restore(folder, Config.from_env(db=db, home=home).db, force)
        click.echo(
            f"Restored {report.documents:,} documents ({report.versions:,} versions),"
            f" as backed up at {report.created_at}"
        )

    @click.command("audit")
    @click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
    @click.option("--actor", default="", help="Only what this account did.")
    @db_option
    @home_option
    def audit_command(limit: int, actor: str, db: str | None, home: Path | None) -> None:
        """The audit log, newest first: sign-ins, account changes, edits, moderation."""
        table = Table("when (UTC)", "who", "what", "on", "detail", "from")
        with archive(db, home) as a:
            for e in a.store.audit_log(limit=limit, actor=actor):
                table.add_row(e.at, e.actor, e.action, e.target, e.detail, e.address)
        Console().print(table)

    return [users_group, backup_command, restore_command, audit_command]
