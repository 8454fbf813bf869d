"""FastAPI dependencies as Annotated aliases."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from kambot.assistant.portfolio import PortfolioService
from kambot.config import Settings

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


SettingsDep = Annotated[Settings, Depends(get_settings)]
ServiceDep = Annotated[PortfolioService, Depends(get_service)]
