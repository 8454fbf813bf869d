"""The HTTP API: `create_app(settings)` builds the FastAPI application."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from api.errors import install_error_handler
from api.routes import accounts, ask, documents, health, portfolio
from kambot import __version__
from kambot.config import Settings, load_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

# Every module here exposes `router`; add a module to this tuple to publish its routes.
ROUTE_MODULES = (
    health,
    accounts,
    portfolio,
    ask,
    documents,
)


def create_app(settings: Settings) -> FastAPI:
    """Build the API for one data directory / database."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        service = getattr(app.state, "service", None)
        if service is not None:
            service.engine.dispose()

    app = FastAPI(
        title="kambot API",
        version=__version__,
        description=(
            "Key Account Management programme: segmentation, key-account selection, "
            "service tiers, account and programme KPIs, growth scenarios. Every number "
            "comes from kambot's deterministic core."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = None
    install_error_handler(app)
    for module in ROUTE_MODULES:
        app.include_router(module.router)
    return app


def create_app_from_env() -> FastAPI:
    """Build the API from KAMBOT_* environment variables (for uvicorn --factory)."""
    return create_app(load_settings())
