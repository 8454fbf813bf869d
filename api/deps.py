"""FastAPI dependencies as Annotated aliases."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from kambot.assistant.portfolio import PortfolioService
from kambot.config import Settings
from kambot.domain.identity import Principal
from kambot.errors import AuthenticationError

_lock = threading.Lock()


def get_settings(request: Request) -> Settings:
    """Return the application's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_service(request: Request) -> PortfolioService:
    """Return the application's portfolio service, opening the store on first use."""
    with _lock:
        service: PortfolioService | None = request.app.state.service
        if service is None:
            service = PortfolioService(request.app.state.settings)
            request.app.state.service = service
        return service


def get_principal(request: Request) -> Principal:
    """Return the authenticated principal of this request.

    The authentication layer puts it on ``request.state.principal``; a request without
    one is refused. Tests of routes may override this dependency.
    """
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise AuthenticationError(
            "this endpoint needs credentials",
            hint="send 'Authorization: Bearer <API key>' or log in at /auth/login",
        )
    return principal


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[PortfolioService, Depends(get_service)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
