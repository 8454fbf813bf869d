"""Users and API keys, for admins: create, list, issue and revoke keys, revoke access."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AdminDep, AuthDep, ServiceDep, audit_object
from api.stored_answers import stored_answer
from kambot.auth.models import NewApiKey, UserInfo
from kambot.domain.identity import Role

router = APIRouter(prefix="/users", tags=["users"])

Username = Path(min_length=1, max_length=64, description="the user's name")


class AccountOut(BaseModel):
    """An account in a user's scope."""

    id: int
    ref: str
    name: str


class KeyOut(BaseModel):
    """An API key as listed (never its secret)."""

    key_id: str
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool


class UserOut(BaseModel):
    """A user, their scope and their keys."""

    username: str
    role: Role
    active: bool
    has_password: bool
    created_at: datetime
    accounts: list[AccountOut]
    keys: list[KeyOut]


class NewKeyOut(BaseModel):
    """A new API key: `key` is shown here once and never again."""

    username: str
    key_id: str
    key: str
    created_at: datetime


class _NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]+$")
    password: str | None = Field(default=None, min_length=12, max_length=1024,
                                 description="for the web login; none: API keys only")
    api_key: bool = Field(default=True, description="issue a first API key")


class ScopedUserCreate(_NewUser):
    """A new kam or executive, who sees the accounts listed."""

    role: Literal[Role.KAM, Role.EXECUTIVE]
    accounts: list[str] = Field(default_factory=list, max_length=1000,
                                description="external ids, ids or exact names")


class WideUserCreate(_NewUser):
    """A new lead or admin (who see every account) or HR user (who sees none)."""

    role: Literal[Role.LEAD, Role.ADMIN, Role.HR]
    accounts: list[str] = Field(default_factory=list, max_length=0,
                                description="always empty for these roles")


UserCreate = Annotated[ScopedUserCreate | WideUserCreate, Field(discriminator="role")]


class UserCreated(BaseModel):
    """The user created, and their first API key (shown once) when asked for."""

    user: UserOut
    api_key: NewKeyOut | None


class KeyCreate(BaseModel):
    """What to note about a new key."""

    label: str | None = Field(default=None, max_length=200)


class RevokeOut(BaseModel):
    """What revoking a user's access removed."""

    username: str
    keys_revoked: int
    sessions_ended: int
    deactivated: bool


def _user_out(user: UserInfo) -> UserOut:
    return UserOut(
        username=user.username, role=user.role, active=user.active,
        has_password=user.has_password, created_at=user.created_at,
        accounts=[AccountOut(id=a.id, ref=a.ref, name=a.name) for a in user.accounts],
        keys=[KeyOut(key_id=k.key_id, label=k.label, created_at=k.created_at,
                     last_used_at=k.last_used_at, revoked_at=k.revoked_at, active=k.active)
              for k in user.keys])


def _key_out(key: NewApiKey) -> NewKeyOut:
    return NewKeyOut(username=key.username, key_id=key.key_id, key=key.key,
                     created_at=key.created_at)


CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "The name is taken, or the user's access was revoked"}}


@router.post("", status_code=201, response_model=UserCreated, responses=CONFLICT)
def create(body: UserCreate, request: Request, _: AdminDep, service: ServiceDep) -> UserCreated:
    """Create a user with a role, an account scope, a password and/or a first API key."""
    from kambot.auth.users import create_user, get_user, issue_key

    audit_object(request, "user", body.username, role=body.role.value)
    user = create_user(service.engine, body.username, body.role, accounts=body.accounts,
                       password=body.password)
    key = issue_key(service.engine, user.username, label="first key") if body.api_key else None
    if key is not None:
        user = get_user(service.engine, user.username)
    return UserCreated(user=_user_out(user), api_key=_key_out(key) if key else None)


@stored_answer
@router.get("", response_model=list[UserOut])
def list_(_: AdminDep, service: ServiceDep) -> list[UserOut]:
    """List every user with their scope and keys."""
    from kambot.auth.users import list_users

    return [_user_out(u) for u in list_users(service.engine)]


@stored_answer
@router.get("/{username}", response_model=UserOut)
def get(_: AdminDep, service: ServiceDep, username: str = Username) -> UserOut:
    """Return one user."""
    from kambot.auth.users import get_user

    return _user_out(get_user(service.engine, username))


@router.post("/{username}/keys", status_code=201, response_model=NewKeyOut, responses=CONFLICT)
def new_key(_: AdminDep, service: ServiceDep, body: KeyCreate | None = None,
            username: str = Username) -> NewKeyOut:
    """Issue a new API key to a user (the key is in this answer only)."""
    from kambot.auth.users import issue_key

    return _key_out(issue_key(service.engine, username, label=body.label if body else None))


@router.delete("/{username}/keys/{key_id}", status_code=204, response_class=Response)
async def revoke_key(request: Request, _: AdminDep, service: ServiceDep, auth: AuthDep,
                     username: str = Username,
                     key_id: str = Path(min_length=1, max_length=16)) -> Response:
    """Revoke one API key (it stops working at once in this server)."""
    from kambot.auth.users import get_user
    from kambot.auth.users import revoke_key as revoke

    audit_object(request, "user", username, action="revoke_key", key_id=key_id)
    await run_in_threadpool(revoke, service.engine, username, key_id)
    user = await run_in_threadpool(get_user, service.engine, username)
    auth.forget_user(user.id)
    return Response(status_code=204)


@router.delete("/{username}", response_model=RevokeOut)
async def revoke_user(request: Request, _: AdminDep, service: ServiceDep, auth: AuthDep,
                      username: str = Username) -> RevokeOut:
    """Revoke all of a user's access: keys, sessions, and the account itself."""
    from kambot.auth.users import get_user
    from kambot.auth.users import revoke_user as revoke

    audit_object(request, "user", username, action="revoke")
    report = await run_in_threadpool(revoke, service.engine, username)
    user = await run_in_threadpool(get_user, service.engine, username)
    auth.forget_user(user.id)
    return RevokeOut(username=report.username, keys_revoked=report.keys_revoked,
                     sessions_ended=report.sessions_ended, deactivated=report.deactivated)
