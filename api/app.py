"""The HTTP API: `create_app(settings)` builds the FastAPI application."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from api.errors import install_error_handler
from api.routes import (
    accounts,
    ask,
    assessments,
    auth,
    chat,
    coaching,
    document_revisions,
    documents,
    feedback,
    health,
    interviews,
    openai_compat,
    portfolio,
    sources,
    users,
    web,
)
from api.security import install_security
from kambot import __version__
from kambot.config import Settings, load_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

# Every module here exposes `router`; add a module to this tuple to publish its routes.
ROUTE_MODULES = (
    auth,  # first: /auth/me is the lightest authenticated read, polled by the web app
    health,
    accounts,
    portfolio,
    ask,
    documents,
    web,
    users,
    assessments,
    interviews, coaching, feedback,
    openai_compat,
    chat, sources, document_revisions,
)


def create_app(settings: Settings) -> FastAPI:
    """Build the API for one data directory / database."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import logging
        import os

        from api.deps import service_for
        from kambot.assistant.operations.serving import prepare_serving

        # Startup checks (refuse to start with the fix), the SQLite single-writer claim,
        # and the search index shared by the routes (rebuilt by the index writer only).
        serving = prepare_serving(settings, environ=os.environ,
                                  engine=lambda: service_for(app).engine,
                                  log=logging.getLogger("kambot").warning)
        app.state.search_index = serving.index
        try:
            yield
        finally:
            serving.close()
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
    install_security(app)  # after every router: it documents and guards them all
    return app


def create_app_from_env() -> FastAPI:
    """Build the API from KAMBOT_* environment variables (for uvicorn --factory)."""
    return create_app(load_settings())
