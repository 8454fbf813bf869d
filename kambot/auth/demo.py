"""One user per role on the demo data, so that the web app can be tried at once."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from kambot.domain.identity import Role

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

DEMO_USERS: tuple[tuple[str, Role], ...] = (
    ("demo-kam", Role.KAM),
    ("demo-lead", Role.LEAD),
    ("demo-executive", Role.EXECUTIVE),
    ("demo-hr", Role.HR),
    ("demo-admin", Role.ADMIN),
)


def _accounts_of(engine: Engine, column: str) -> list[str]:
    """Return the accounts of the person owning (or sponsoring) the most accounts."""
    import sqlalchemy as sa

    from kambot.store.schema import AccountRow

    owner = getattr(AccountRow, column)
    with engine.connect() as conn:
        top = conn.execute(
            sa.select(owner, sa.func.count()).where(owner.is_not(None))
            .group_by(owner).order_by(sa.func.count().desc(), owner).limit(1)).first()
        if top is None:
            return []
        rows = conn.execute(sa.select(AccountRow.external_id).where(owner == top[0])
                            .order_by(AccountRow.external_id)).scalars().all()
    return [str(r) for r in rows]


def ensure_demo_users(engine: Engine) -> list[tuple[str, str, str]]:
    """Create the demo users that do not exist yet, one per role, with random passwords.

    The KAM gets the accounts of the demo KAM who owns the most; the executive those of
    the executive who sponsors the most. Existing demo users are left as they are
    (their passwords are not known any more).

    Returns:
        ``(username, role, password)`` of each user created now, for showing once.
    """
    from kambot.auth.users import create_user, user_ids_named

    existing = user_ids_named(engine, [name for name, _role in DEMO_USERS])
    created: list[tuple[str, str, str]] = []
    for username, role in DEMO_USERS:
        if username in existing:
            continue
        accounts: list[str] = []
        if role == Role.KAM:
            accounts = _accounts_of(engine, "owner_kam_id")
        elif role == Role.EXECUTIVE:
            accounts = _accounts_of(engine, "sponsor_id")
        password = secrets.token_urlsafe(12)
        create_user(engine, username, role, accounts=accounts, password=password)
        created.append((username, role.value, password))
    return created
