"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ServiceDep, SettingsDep
from kambot import __version__

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """Service status."""

    status: str
    version: str
    database: str
    language: str


@router.get("/health", response_model=Health)
def health(settings: SettingsDep, service: ServiceDep) -> Health:
    """Tell whether the service and its database answer."""
    with service.engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    return Health(status="ok", version=__version__, database=service.engine.dialect.name,
                  language=settings.lang)
