"""Tables of identity and access: users, their account scopes, API keys, sessions, audit.

- ``users``: one row per person who may use the service, with one role
  (:class:`kambot.domain.identity.Role` value) and an optional argon2 password hash
  (for the web login); ``active`` is cleared when access is revoked (the row stays, so
  that audit entries keep a name to point to).
- ``user_accounts``: the accounts a KAM or an executive sees (ignored for the
  portfolio-wide roles, and for HR who sees no account).
- ``api_keys``: ``kb_<key_id>_<secret>`` keys; ``key_id`` is short, not secret and
  unique, so that a presented key is checked with one argon2 verification of
  ``secret_hash``, never by scanning. Revoked keys keep their row (``revoked_at``).
- ``auth_sessions``: web sessions; only the sha256 of the random cookie token is stored.
- ``access_audit``: append-only record of who read or changed what, when, and with
  which outcome (a trigger refuses UPDATE).
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kambot.store.schema import Base, JsonDict


class UserRow(Base):
    """A user of the service."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    role: Mapped[str] = mapped_column(sa.String(16))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())


class UserAccountRow(Base):
    """One account in a user's scope."""

    __tablename__ = "user_accounts"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ApiKeyRow(Base):
    """An API key: its public id and the argon2 hash of its secret part."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(sa.String(16), unique=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    secret_hash: Mapped[str] = mapped_column(sa.String(255))
    label: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class SessionRow(Base):
    """A web session, known by the sha256 of its cookie token."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class AccessAuditRow(Base):
    """One access to a protected object: who, when, what, and how it ended."""

    __tablename__ = "access_audit"
    __table_args__ = (
        sa.Index("ix_access_audit_object_type_object_id", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    # No foreign key: the trail outlives the users it names.
    user_id: Mapped[int | None]
    username: Mapped[str] = mapped_column(sa.String(64))
    role: Mapped[str | None] = mapped_column(sa.String(16))
    action: Mapped[str] = mapped_column(sa.String(32))
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[str | None] = mapped_column(sa.String(200))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[int | None]
    method: Mapped[str | None] = mapped_column(sa.String(8))
    path: Mapped[str | None] = mapped_column(sa.String(400))
    details: Mapped[JsonDict] = mapped_column(server_default="{}")


USERS = cast(sa.Table, UserRow.__table__)
USER_ACCOUNTS = cast(sa.Table, UserAccountRow.__table__)
API_KEYS = cast(sa.Table, ApiKeyRow.__table__)
SESSIONS = cast(sa.Table, SessionRow.__table__)
ACCESS_AUDIT = cast(sa.Table, AccessAuditRow.__table__)
AUTH_TABLES: tuple[sa.Table, ...] = (USERS, USER_ACCOUNTS, API_KEYS, SESSIONS, ACCESS_AUDIT)

AUDIT_APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS access_audit_append_only BEFORE UPDATE ON "
    "access_audit BEGIN SELECT RAISE(ABORT, 'access_audit is append-only'); END"
)
AUDIT_APPEND_ONLY_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION access_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'access_audit is append-only'; END; $$ LANGUAGE plpgsql; "
    "DROP TRIGGER IF EXISTS access_audit_append_only ON access_audit; "
    "CREATE TRIGGER access_audit_append_only BEFORE UPDATE ON access_audit "
    "FOR EACH ROW EXECUTE FUNCTION access_audit_append_only()"
)

sa.event.listen(
    ACCESS_AUDIT,
    "after_create",
    sa.DDL(AUDIT_APPEND_ONLY_SQLITE).execute_if(dialect="sqlite"),  # type: ignore[no-untyped-call]
)
sa.event.listen(
    ACCESS_AUDIT,
    "after_create",
    sa.DDL(AUDIT_APPEND_ONLY_POSTGRESQL).execute_if(  # type: ignore[no-untyped-call]
        dialect="postgresql"),
)
