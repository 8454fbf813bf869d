"""FastAPI dependencies as Annotated aliases."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from kambot.assistant.portfolio import PortfolioService
from kambot.auth import access
from kambot.auth.hashing import same_secret
from kambot.auth.models import Identity
from kambot.auth.runtime import AuthRuntime
from kambot.config import Settings
from kambot.domain.identity import Principal
from kambot.errors import AuthenticationError, PermissionDeniedError

if TYPE_CHECKING:
    from fastapi import FastAPI

_lock = threading.Lock()
# The dependencies below are `async def` although they do no I/O: FastAPI runs a plain
# `def` dependency in the thread pool, and a thread hop per dependency costs more than
# the dependency itself.

SESSION_COOKIE = "kambot_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_settings(request: Request) -> Settings:
    """Return the application's settings."""
    settings: Settings = request.app.state.settings
    return settings


def service_for(app: FastAPI) -> PortfolioService:
    """Return an app's portfolio service, opening (and migrating) the store on first use."""
    with _lock:
        service: PortfolioService | None = app.state.service
        if service is None:
            service = PortfolioService(app.state.settings)
            app.state.service = service
        return service


def get_service(request: Request) -> PortfolioService:
    """Return the application's portfolio service, opening the store on first use."""
    return service_for(request.app)


async def service_dependency(request: Request) -> PortfolioService:
    """Return the portfolio service without a thread hop once the store is open."""
    service: PortfolioService | None = request.app.state.service
    if service is not None:
        return service
    return await run_in_threadpool(service_for, request.app)


async def get_principal(request: Request) -> Principal:
    """Return the authenticated principal of this request.

    The security middleware (:mod:`api.security`) puts it on
    ``request.state.principal``; a request without one is refused here (401). A
    cookie-authenticated request with an unsafe method must also carry the session's
    CSRF token in ``X-CSRF-Token`` (403 otherwise); API-key requests need none, since
    a browser never adds a bearer key on its own. Tests of routes may override this
    dependency.

    Raises:
        AuthenticationError: no valid credentials.
        PermissionDeniedError: the CSRF token is missing or wrong.
    """
    # The scope's state dict is what `request.state` wraps, read without the wrapper.
    state: dict[str, Any] = request.scope.get("state") or {}
    principal: Principal | None = state.get("principal")
    if principal is None:
        reason: str | None = state.get("auth_error")
        raise AuthenticationError(
            reason or "this endpoint needs credentials",
            hint="send 'Authorization: Bearer <API key>' or log in at /auth/login",
        )
    if state.get("auth_method") == "session" and request.method not in SAFE_METHODS:
        expected: str = state.get("csrf_token") or ""
        sent = request.headers.get(CSRF_HEADER, "")
        if not expected or not sent or not same_secret(sent, expected):
            raise PermissionDeniedError(
                "missing or wrong CSRF token",
                hint=f"send the csrf_token given by /auth/login in the {CSRF_HEADER} header",
            )
    return principal


async def get_identity(request: Request) -> Identity | None:
    """Return how the caller authenticated (None under a test override)."""
    identity: Identity | None = getattr(request.state, "identity", None)
    return identity


async def get_auth(request: Request) -> AuthRuntime:
    """Return the app's security runtime (authenticator, limiter, audit trail)."""
    runtime: AuthRuntime = request.app.state.auth
    return runtime


async def require_account_reader(
    principal: Annotated[Principal, Depends(get_principal)],
) -> Principal:
    """Refuse HR, who sees no account (403)."""
    return access.require_account_reader(principal)


async def require_portfolio_reader(
    principal: Annotated[Principal, Depends(get_principal)],
) -> Principal:
    """Refuse roles that may not read portfolio-wide analyses (403)."""
    return access.require_portfolio_reader(principal)


async def require_document_reader(
    principal: Annotated[Principal, Depends(get_principal)],
) -> Principal:
    """Refuse roles that read no document (403)."""
    return access.require_document_reader(principal)


async def require_people_assessor(
    principal: Annotated[Principal, Depends(get_principal)],
) -> Principal:
    """Refuse anyone but HR (403)."""
    return access.require_people_assessor(principal)


async def require_user_manager(
    principal: Annotated[Principal, Depends(get_principal)],
) -> Principal:
    """Refuse anyone but admins (403)."""
    return access.require_user_manager(principal)


async def fresh_analysis(service: PortfolioService) -> Any:
    """Return the current portfolio analysis without a thread hop when nothing changed.

    The common case (no commit since the analysis was confirmed) is answered in memory;
    otherwise the check and any recomputation run in the thread pool.
    """
    analysis = service.cached_analysis()
    if analysis is None:
        analysis = await run_in_threadpool(service.analysis)
    return analysis


async def resolve_account_async(principal: Principal, service: PortfolioService, ref: str,
                                analysis: Any) -> str:
    """:func:`resolve_account_for` that leaves the event loop only for a fuzzy search."""
    found = _exact_in_scope(principal, analysis.portfolio.accounts, ref)
    if found is not None:
        return found
    return await run_in_threadpool(resolve_account_for, principal, service, ref, analysis)


def responses_for(request: Request) -> Any:
    """Return the app's cache of serialised per-analysis answers."""
    return request.app.state.responses


async def analysis_answer(request: Request, key: tuple[object, ...],
                          build: Callable[[Any], bytes]) -> Response:
    """Answer with JSON derived from the current analysis alone, built once per analysis.

    ``key`` names the answer among those of one analysis (route and whatever else it
    depends on: a scope, a query); ``build(analysis)`` serialises it, in a worker thread
    (these are the portfolio-wide answers, milliseconds to build). Until the data
    changes, the same key is answered from memory without leaving the event loop.
    """
    analysis = await fresh_analysis(await service_dependency(request))
    responses = responses_for(request)
    body: bytes | None = responses.peek(analysis, key)
    if body is None:
        body = await run_in_threadpool(build, analysis)
        responses.put(analysis, key, body)
    return Response(body, media_type="application/json")


def resolve_account_for(principal: Principal, service: PortfolioService, ref: str,
                        analysis: Any = None) -> str:
    """Find an account the principal may see; return its external id.

    ``analysis`` saves a second freshness check when the caller already holds one.
    Resolution runs over the accounts in the principal's scope only (every account for
    the portfolio-wide roles), and an account outside it answers the same 404 as an
    unknown one, with suggestions drawn from the scope.

    Raises:
        NotFoundError: unknown or outside the scope.
    """
    accounts = (analysis or service.analysis()).portfolio.accounts
    found = _exact_in_scope(principal, accounts, ref)
    if found is not None:
        return found
    return access.resolve_in_scope(principal, ref, accounts.ids.tolist(),
                                   list(accounts.external_ids), list(accounts.names))


def _exact_in_scope(principal: Principal, accounts: Any, ref: str) -> str | None:
    """Return ``ref`` when it is the external id of an account in scope (one lookup)."""
    position = _positions(accounts).get(ref.strip())
    if position is not None and principal.can_see_account(int(accounts.ids[position])):
        return str(accounts.external_ids[position])
    return None


# One entry: the account frame of the latest analysis and its id -> position map.
_positions_cache: list[tuple[Any, dict[str, int]]] = []


def _positions(accounts: Any) -> dict[str, int]:
    """Map external ids to positions, once per analysed portfolio."""
    if _positions_cache and _positions_cache[0][0] is accounts:
        return _positions_cache[0][1]
    positions = {str(x): i for i, x in enumerate(accounts.external_ids)}
    _positions_cache[:] = [(accounts, positions)]
    return positions


# One entry: the account frame of the latest analysis and its external id -> id map.
_ids_cache: list[tuple[Any, dict[str, int]]] = []


def account_ids_by_ref(service: PortfolioService) -> dict[str, int]:
    """Map every account's external id to its database id (empty without accounts).

    Built once per analysed portfolio (read it, do not change it).
    """
    from kambot.errors import DataError

    try:
        accounts = service.analysis().portfolio.accounts
    except DataError:
        return {}
    if _ids_cache and _ids_cache[0][0] is accounts:
        return _ids_cache[0][1]
    ids = {str(x): int(i) for x, i in zip(accounts.external_ids, accounts.ids, strict=True)}
    _ids_cache[:] = [(accounts, ids)]
    return ids


def knowledge_version(app: FastAPI) -> tuple[object, ...]:
    """Return what answers drawn from the methodology and the search index depend on,
    beyond the database: the corpus files' latest change time (looked up every few
    seconds) and the generation of the index in use (None before it is opened)."""
    from kambot.assistant.chat.sources import corpus_stamp

    index = getattr(app.state, "search_index", None)
    manifest: dict[str, Any] = index.manifest if index is not None else {}
    return (corpus_stamp(app.state.settings.knowledge_dir), manifest.get("generation"),
            manifest.get("updated_at"))


def audit_object(request: Request, object_type: str, object_id: Any = None,
                 action: str | None = None, **details: Any) -> None:
    """Name the object this request reads or changes, for the audit trail.

    Without it, the middleware audits accounts, documents, candidates and users by the
    first path parameter, and every change under its first path segment. With it, the
    object id is the one given here (None: no id recorded).
    """
    request.state.audit = {"object_type": object_type,
                           "object_id": None if object_id is None else str(object_id),
                           "action": action, "details": details}


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[PortfolioService, Depends(service_dependency)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
AccountReaderDep = Annotated[Principal, Depends(require_account_reader)]
PortfolioReaderDep = Annotated[Principal, Depends(require_portfolio_reader)]
DocumentReaderDep = Annotated[Principal, Depends(require_document_reader)]
HRDep = Annotated[Principal, Depends(require_people_assessor)]
AdminDep = Annotated[Principal, Depends(require_user_manager)]
IdentityDep = Annotated[Identity | None, Depends(get_identity)]
AuthDep = Annotated[AuthRuntime, Depends(get_auth)]
