"""Coaching along the programme path: the checkpoints, and what to do next.

For the roles that see portfolio-wide analyses (programme lead, executives,
administrators); a KAM or HR gets 403.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import PrincipalDep, ServiceDep, SettingsDep
from kambot.assistant.coaching import methodology_citations, next_step, path_status
from kambot.domain.documents import Lang

router = APIRouter(prefix="/programme", tags=["coaching"])


@router.get("/path")
async def path(principal: PrincipalDep, settings: SettingsDep, service: ServiceDep,
               lang: Annotated[Lang | None, Query()] = None) -> list[dict[str, Any]]:
    """Return every checkpoint of the path with whether the data shows it is met."""
    found = await run_in_threadpool(path_status, settings, service.engine, lang,
                                    principal=principal)
    return [c.model_dump(mode="json") for c in found]


@router.get("/next-step")
async def next_step_(principal: PrincipalDep, settings: SettingsDep, service: ServiceDep,
                     lang: Annotated[Lang | None, Query()] = None) -> dict[str, Any]:
    """Return the next checkpoint to meet, why and how, with methodology citations."""
    advice = await run_in_threadpool(next_step, settings, service.engine, lang,
                                     principal=principal)
    body = advice.model_dump(mode="json")
    body["citations"] = methodology_citations(settings, advice.citations)
    return body
