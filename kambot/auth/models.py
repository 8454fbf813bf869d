"""What the identity use cases return: users, keys, identities (no secrets but new keys)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from kambot.domain.identity import Principal, Role

AuthMethod = Literal["api_key", "session"]


@dataclass(frozen=True)
class AccountRef:
    """An account as a scope lists it."""

    id: int
    ref: str  # the external id
    name: str


@dataclass(frozen=True)
class ApiKeyInfo:
    """An API key as listings show it (never its secret)."""

    key_id: str
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Tell whether the key still opens the API."""
        return self.revoked_at is None


@dataclass(frozen=True)
class UserInfo:
    """A user, their scope and their keys."""

    id: int
    username: str
    role: Role
    active: bool
    has_password: bool
    created_at: datetime
    accounts: tuple[AccountRef, ...] = ()
    keys: tuple[ApiKeyInfo, ...] = ()


@dataclass(frozen=True)
class NewApiKey:
    """A key just issued: ``key`` is shown once and never stored."""

    username: str
    key_id: str
    key: str
    created_at: datetime


@dataclass(frozen=True)
class RevokeReport:
    """What revoking a user's access removed."""

    username: str
    keys_revoked: int
    sessions_ended: int
    deactivated: bool


@dataclass(frozen=True)
class Identity:
    """An authenticated caller: the principal and how they proved who they are."""

    principal: Principal
    method: AuthMethod
    accounts: tuple[AccountRef, ...] = ()
    key_id: str | None = None
    session_id: int | None = None
    expires_at: datetime | None = field(default=None, compare=False)
