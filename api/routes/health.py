"""Liveness and readiness."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.deps import SettingsDep, service_dependency
from kambot import __version__
from kambot.assistant.portfolio import PortfolioService

router = APIRouter(tags=["health"])

# A database that answered this recently is taken as up: probes arriving together (a
# load balancer, a dashboard, a test harness) share one round trip instead of queueing
# one each in the thread pool.
PING_TRUST_S = 1.0


class Health(BaseModel):
    """Service status."""

    status: str
    version: str
    database: str
    language: str


def _ping(service: PortfolioService) -> None:
    with service.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")


@router.get("/health", response_model=Health)
async def health(request: Request, settings: SettingsDep) -> Health:
    """Tell whether the service and its database answer (asked at most once a second)."""
    service = await service_dependency(request)
    state = request.app.state
    last: float | None = getattr(state, "database_answered_at", None)
    if last is None or time.monotonic() - last >= PING_TRUST_S:
        await run_in_threadpool(_ping, service)  # raises when the database does not answer
        state.database_answered_at = time.monotonic()
    return Health(status="ok", version=__version__, database=service.engine.dialect.name,
                  language=settings.lang)
