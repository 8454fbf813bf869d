"""The HTTP API: `create_app(settings)` builds the FastAPI application."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from api.errors import install_error_handler
from api.response_cache import AnalysisResponses
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
from api.routing import dispatch_by_first_segment
from api.security import install_security
from api.stored_answers import new_store
from kambot import __version__
from kambot.config import Settings, load_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from fastapi import APIRouter

# Every module here exposes `router`; add a module to this tuple to publish its routes.
ROUTE_MODULES = (
    auth,
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


# FastAPI's native OpenTelemetry, off unless KAMBOT_OPENTELEMETRY=true.
_NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def add_routes_flat(app: FastAPI, router: APIRouter) -> None:
    """Register a router's routes on the app's own router, one by one.

    Since FastAPI 0.137, ``include_router`` keeps each included router as one node that
    every request resolves through, matching the path once to pick the router and
    again inside it (fastapi/fastapi#16159). With 16 routers that layer cost about a
    quarter of a light authenticated read (``benchmarks/bench_api_auth.py``). Adding
    each route to the app, as ``include_router`` did before, keeps one flat list; a
    route is re-created for the app, so the app's dependency overrides apply to it.
    """
    from fastapi.routing import APIRoute

    from api.stored_answers import is_stored_answer, stored_route_class

    for route in router.routes:
        if not isinstance(route, APIRoute):
            app.router.routes.append(route)  # mounts and plain routes: no dependencies
            continue
        app.router.add_api_route(
            route.path, route.endpoint, response_model=route.response_model,
            status_code=route.status_code, tags=route.tags, dependencies=route.dependencies,
            summary=route.summary, description=route.description,
            response_description=route.response_description, responses=route.responses,
            deprecated=route.deprecated, methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema, response_class=route.response_class,
            name=route.name, callbacks=route.callbacks,
            route_class_override=stored_route_class(type(route))
            if is_stored_answer(route.endpoint) else type(route),
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
        )


# The authenticated reads under load, matched first (see `hot_reads_first`).
HOT_READS = ("/accounts/{account}", "/accounts", "/auth/me", "/accounts/{account}/scenarios")


def hot_reads_first(app: FastAPI) -> None:
    """Move the hot GET routes to the front of the app's route list.

    Starlette tries routes in order and a FastAPI route's non-match costs about 1 µs,
    so each route ahead of a hot read is paid on every call. None of these paths can
    match another route's requests (no other route starts with ``/accounts/`` or is
    ``/auth/me``), so moving them changes no answer; ``tests/api/test_app.py`` checks
    that.
    """
    from fastapi.routing import APIRoute

    def rank(route: object) -> int:
        if isinstance(route, APIRoute) and route.path in HOT_READS \
                and "GET" in (route.methods or ()):
            return HOT_READS.index(route.path)
        return len(HOT_READS)

    app.router.routes.sort(key=rank)  # stable: every other route keeps its place


def _warm_up(app: FastAPI) -> None:
    """Compute the analysis before the first request, then freeze the start-up heap.

    ``gc.freeze()`` moves every object alive now (modules, routes, the analysis) out of
    the collector's reach, so that the collections a busy server runs no longer walk
    them again and again (measured: about 8% of a cached account read's CPU).
    """
    import gc
    import logging

    from api.deps import service_for
    from kambot.errors import KambotError

    try:
        service_for(app).analysis()
    except KambotError as exc:  # no data yet: the first request will say so
        logging.getLogger("kambot").info("no analysis to warm up: %s", exc)
    gc.collect()
    gc.freeze()


def create_app(settings: Settings, *, warm_up: bool = False) -> FastAPI:
    """Build the API for one data directory / database.

    Args:
        settings: the settings.
        warm_up: compute the analysis in the background as the server starts, then
            freeze the start-up heap (the served app does; tests need not).
    """

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
        if warm_up:
            import threading

            threading.Thread(target=_warm_up, args=(app,), name="kambot-warm-up",
                             daemon=True).start()
        try:
            yield
        finally:
            serving.close()
            service = getattr(app.state, "service", None)
            if service is not None:
                service.close()
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
        telemetry=None if settings.opentelemetry else _NO_TELEMETRY,
    )
    app.state.settings = settings
    app.state.service = None
    app.state.responses = AnalysisResponses()
    app.state.stored_answers = new_store()
    install_error_handler(app)
    for module in ROUTE_MODULES:
        add_routes_flat(app, module.router)
    hot_reads_first(app)
    install_security(app)  # after every router: it documents and guards them all
    dispatch_by_first_segment(app)
    return app


def create_app_from_env() -> FastAPI:
    """Build the API from KAMBOT_* environment variables (for uvicorn --factory).

    This is the served app, in the worker process before it starts any thread: the
    malloc arenas are limited here (see :mod:`kambot.assistant.operations.memory`).
    """
    import os

    from kambot.assistant.operations.memory import limit_malloc_arenas

    limit_malloc_arenas(os.environ)
    return create_app(load_settings(), warm_up=True)
