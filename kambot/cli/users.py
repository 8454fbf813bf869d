"""CLI: ``kambot user add|list|revoke`` (users, account scopes and API keys).

The CLI runs as the local operator, who manages users. A new API key is printed once:
only its hash is stored. Only typer is imported at module level; importing this module
registers ``kambot user`` on the ``kambot`` application.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

user_app = typer.Typer(
    help="Users of the API and web app: roles, account scopes, API keys (shown once).",
    rich_markup_mode=None, no_args_is_help=True,
)


def _engine() -> Engine:
    from kambot.assistant.portfolio import open_store
    from kambot.cli import _ctx

    return open_store(_ctx.settings())


def _split(accounts: str | None) -> list[str]:
    return [a.strip() for a in (accounts or "").split(",") if a.strip()]


@user_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The user name (letters, digits, . _ - @).")],
    role: Annotated[
        str, typer.Option("--role", help="kam, lead, executive, hr or admin.")
    ],
    accounts: Annotated[
        str | None,
        typer.Option("--accounts", help="Accounts of a kam or executive: external ids, ids "
                     "or exact names, comma-separated."),
    ] = None,
    password_prompt: Annotated[
        bool, typer.Option("--password-prompt", help="Ask for a web-login password.")
    ] = False,
    no_key: Annotated[
        bool, typer.Option("--no-key", help="Issue no API key (web login only).")
    ] = False,
    label: Annotated[str | None, typer.Option("--label", help="A note on the key.")] = None,
) -> None:
    """Add a user; their API key is printed once (keep it: it cannot be shown again)."""
    from kambot.auth.users import create_user, issue_key
    from kambot.cli import render
    from kambot.errors import DataError

    password: str | None = None
    if password_prompt:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if no_key and password is None:
        raise DataError("a user with neither an API key nor a password could never log in",
                        hint="drop --no-key, or add --password-prompt")
    engine = _engine()
    user = create_user(engine, name, role, accounts=_split(accounts), password=password)
    scope = ", ".join(a.ref for a in user.accounts) or (
        "every account" if user.role.value in ("lead", "admin") else "none")
    render.ok(f"user {user.username} ({user.role.value}) added; accounts: {scope}")
    if not no_key:
        key = issue_key(engine, user.username, label=label)
        render.console.print(f"API key (shown once, store it now): {key.key}", soft_wrap=True,
                             highlight=False, markup=False)
        render.console.print(f"key id: {key.key_id}", highlight=False, markup=False)


@user_app.command("key")
def key(
    name: Annotated[str, typer.Argument(help="The user name.")],
    label: Annotated[str | None, typer.Option("--label", help="A note on the key.")] = None,
) -> None:
    """Issue another API key to a user (printed once)."""
    from kambot.auth.users import issue_key
    from kambot.cli import render

    issued = issue_key(_engine(), name, label=label)
    render.console.print(f"API key (shown once, store it now): {issued.key}", soft_wrap=True,
                         highlight=False, markup=False)
    render.console.print(f"key id: {issued.key_id}", highlight=False, markup=False)


@user_app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List users, their roles, scopes and keys (never the keys themselves)."""
    from kambot.auth.users import list_users
    from kambot.cli import render

    users = list_users(_engine())
    if as_json:
        render.json_out([{
            "username": u.username, "role": u.role.value, "active": u.active,
            "has_password": u.has_password, "accounts": [a.ref for a in u.accounts],
            "keys": [{"key_id": k.key_id, "label": k.label, "active": k.active,
                      "created_at": k.created_at.isoformat(),
                      "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None}
                     for k in u.keys]} for u in users])
        return
    from rich.table import Table

    table = Table(title="Users")
    for column in ("user", "role", "active", "accounts", "keys (id, active)"):
        table.add_column(column)
    for u in users:
        keys = ", ".join(f"{k.key_id}{'' if k.active else ' (revoked)'}" for k in u.keys)
        table.add_row(u.username, u.role.value, "yes" if u.active else "no",
                      ", ".join(a.ref for a in u.accounts) or "-", keys or "-")
    render.console.print(table)


@user_app.command("revoke")
def revoke(
    name: Annotated[str, typer.Argument(help="The user name.")],
    key_id: Annotated[
        str | None, typer.Option("--key", help="Revoke only this key (its id).")
    ] = None,
) -> None:
    """Revoke one API key, or all of a user's access (keys, sessions, login)."""
    from kambot.auth.users import revoke_key, revoke_user
    from kambot.cli import render

    engine = _engine()
    if key_id:
        revoke_key(engine, name, key_id)
        render.ok(f"key {key_id} of {name} revoked (running servers drop it within 30 s)")
        return
    report = revoke_user(engine, name)
    render.ok(f"{report.username}: access revoked ({report.keys_revoked} key(s), "
              f"{report.sessions_ended} session(s)); running servers drop it within 30 s")


def register(parent: typer.Typer) -> None:
    """Add ``user`` to the ``kambot`` application."""
    parent.add_typer(user_app, name="user")


def _register_on_import() -> None:
    from kambot.cli import app

    register(app)


_register_on_import()
