"""Web login and logout, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import (
    SESSION_COOKIE,
    AuthDep,
    PrincipalDep,
    SettingsDep,
    audit_object,
    service_dependency,
)
from kambot.assistant.portfolio import PortfolioService
from kambot.auth.hashing import csrf_token_for
from kambot.auth.models import Identity
from kambot.domain.identity import Principal, Role

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginRequest(BaseModel):
    """A user name and a password."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class LoginResult(BaseModel):
    """Who logged in, and the token to send in X-CSRF-Token on unsafe requests."""

    username: str
    role: Role
    csrf_token: str


class AccountOut(BaseModel):
    """An account in the caller's scope."""

    id: int
    ref: str
    name: str


class Me(BaseModel):
    """The caller, their role and the accounts they see."""

    username: str
    role: Role
    auth_method: str | None = Field(description="api_key, session, or null when unknown")
    all_accounts: bool = Field(description="true for the roles that see every account")
    accounts: list[AccountOut] = Field(description="the account scope of a kam or executive")
    csrf_token: str | None = Field(
        default=None, description="for a web session: the token to send in X-CSRF-Token")


@router.post("/login", response_model=LoginResult)
def login(body: LoginRequest, request: Request, response: Response, settings: SettingsDep,
          auth: AuthDep) -> LoginResult:
    """Check a user name and password and open a web session (cookie `kambot_session`).

    Wrong credentials answer 401, with the same message whether or not the name exists.
    """
    audit_object(request, "session", body.username, action="login")
    token, identity = auth.authenticator.login(body.username, body.password,
                                               settings.session_ttl_s)
    request.state.audit_principal = identity.principal
    response.set_cookie(SESSION_COOKIE, token, max_age=settings.session_ttl_s, path="/",
                        httponly=True, samesite="strict",
                        secure=settings.session_cookie_secure)
    principal = identity.principal
    return LoginResult(username=principal.username, role=principal.role,
                       csrf_token=csrf_token_for(token))


@router.post("/logout", status_code=204, response_class=Response)
def logout(request: Request, principal: PrincipalDep, settings: SettingsDep,
           auth: AuthDep) -> Response:
    """End the web session (an API-key caller has none: nothing happens)."""
    audit_object(request, "session", principal.username, action="logout")
    token = request.cookies.get(SESSION_COOKIE)
    if token and getattr(request.state, "auth_method", None) == "session":
        auth.authenticator.logout(token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=settings.session_cookie_secure)
    return response


def _scope_of(service: PortfolioService, principal: Principal) -> list[AccountOut]:
    from kambot.auth.tables import reading, tables

    if not principal.account_ids:
        return []
    db = tables()
    a = db.accounts
    with reading(service.engine) as conn:
        rows = conn.execute(db.sa.select(a.c.id, a.c.external_id, a.c.name)
                            .where(a.c.id.in_(sorted(principal.account_ids)))
                            .order_by(a.c.external_id)).all()
    return [AccountOut(id=int(r.id), ref=str(r.external_id), name=str(r.name)) for r in rows]


@router.get("/me", response_model=Me)
async def me(request: Request, principal: PrincipalDep) -> Response:
    """Return the caller's name, role and account scope (and CSRF token for a session)."""
    # Read from the request rather than through more dependencies: this is the
    # lightest authenticated read, polled by the web app, and each dependency costs.
    state = request.scope.get("state") or {}
    identity: Identity | None = state.get("identity")
    csrf: str | None = state.get("csrf_token")
    if identity is not None and (identity.principal is principal
                                 or identity.principal == principal):
        return Response(_me_of(identity, csrf), media_type="application/json")
    # A principal given by a test override: read the scope's names.
    service = await service_dependency(request)
    accounts = await run_in_threadpool(_scope_of, service, principal)
    me = Me(username=principal.username, role=principal.role, auth_method=None,
            all_accounts=principal.sees_all_accounts, accounts=accounts, csrf_token=csrf)
    return Response(me.model_dump_json(), media_type="application/json")


# The answer for each identity the authenticator holds (an identity never changes; the
# authenticator hands out the same object until it re-checks the key or session).
_ME: dict[int, tuple[Identity, str | None, bytes]] = {}
_ME_MAX = 4096


def _me_of(identity: Identity, csrf: str | None) -> bytes:
    """Return the serialised ``Me`` of an identity, built once per identity object."""
    known = _ME.get(id(identity))
    if known is not None and known[0] is identity and known[1] == csrf:
        return known[2]
    principal = identity.principal
    # Serialised here: returning the model would make FastAPI validate it a second time.
    body = Me(username=principal.username, role=principal.role, auth_method=identity.method,
              all_accounts=principal.sees_all_accounts,
              accounts=[AccountOut(id=a.id, ref=a.ref, name=a.name)
                        for a in identity.accounts],
              csrf_token=csrf).model_dump_json().encode()
    if len(_ME) >= _ME_MAX:
        _ME.clear()
    _ME[id(identity)] = (identity, csrf, body)  # the reference keeps the id unique
    return body
