"""Coaching along the programme path: the checkpoints, and what to do next.

For the roles that see portfolio-wide analyses (programme lead, executives,
administrators); a KAM or HR gets 403.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import PrincipalDep, ServiceDep, SettingsDep
from api.stored_answers import stored_answer
from kambot.assistant.coaching import (
    CheckpointStatus,
    CoachingAdvice,
    methodology_citations,
    next_step,
    path_status,
    read_state,
)
from kambot.assistant.portfolio import PortfolioService
from kambot.core.programme_path import PathState
from kambot.domain.documents import Lang

router = APIRouter(prefix="/programme", tags=["coaching"])


def _state(service: PortfolioService) -> PathState:
    """The path's state (about 17 queries), read again only once the data changed."""
    return service.memo("programme-path-state", lambda: read_state(service.engine))


@stored_answer
@router.get("/path")
async def path(principal: PrincipalDep, settings: SettingsDep, service: ServiceDep,
               lang: Annotated[Lang | None, Query()] = None) -> list[dict[str, Any]]:
    """Return every checkpoint of the path with whether the data shows it is met."""

    def status() -> list[CheckpointStatus]:
        return path_status(settings, service.engine, lang, principal=principal,
                           state=_state(service))

    return [c.model_dump(mode="json") for c in await run_in_threadpool(status)]


@stored_answer
@router.get("/next-step")
async def next_step_(principal: PrincipalDep, settings: SettingsDep, service: ServiceDep,
                     lang: Annotated[Lang | None, Query()] = None) -> dict[str, Any]:
    """Return the next checkpoint to meet, why and how, with methodology citations."""

    def advise() -> CoachingAdvice:
        return next_step(settings, service.engine, lang, principal=principal,
                         state=_state(service))

    advice = await run_in_threadpool(advise)
    body = advice.model_dump(mode="json")
    body["citations"] = methodology_citations(settings, advice.citations)
    return body
