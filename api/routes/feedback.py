"""Listening after the launch: anyone signed in leaves feedback; the lead reads the themes.

POST /feedback is open to every role; the themes and the review section are for the
programme lead and administrators (403 otherwise), and show no author.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import PrincipalDep, ServiceDep, SettingsDep
from api.stored_answers import stored_answer
from kambot.assistant.feedback import record_feedback, render_feedback_review, themes_for
from kambot.domain.documents import Lang

router = APIRouter(prefix="/feedback", tags=["feedback"])


class FeedbackRequest(BaseModel):
    """A piece of feedback or a concern about the programme."""

    text: str = Field(min_length=1, max_length=20_000)
    lang: Lang | None = None


@router.post("", status_code=201)
async def add(body: FeedbackRequest, principal: PrincipalDep, settings: SettingsDep,
              service: ServiceDep) -> dict[str, Any]:
    """Store a piece of feedback and return its theme."""
    item = await run_in_threadpool(record_feedback, service.engine, principal, body.text,
                                   body.lang, knowledge_dir=settings.knowledge_dir)
    return {"id": item.id, "theme": item.theme, "theme_label": item.theme_label,
            "lang": item.lang, "flags": item.flags}


@stored_answer
@router.get("/themes")
async def themes(principal: PrincipalDep, settings: SettingsDep, service: ServiceDep,
                 lang: Annotated[Lang | None, Query()] = None) -> list[dict[str, Any]]:
    """Return the feedback grouped by theme, biggest first, most telling items first."""
    found = await run_in_threadpool(themes_for, service.engine, principal,
                                    lang=lang or settings.lang,
                                    knowledge_dir=settings.knowledge_dir)
    return [t.model_dump(mode="json") for t in found]


@stored_answer
@router.get("/review.md", response_class=Response, responses={200: {
    "description": "the review section as Markdown",
    "content": {"text/markdown": {"schema": {"type": "string"}}}}})
async def review(principal: PrincipalDep, settings: SettingsDep, service: ServiceDep,
                 lang: Annotated[Lang | None, Query()] = None) -> Response:
    """Return the feedback section of the programme review pack, as Markdown."""
    lg: Lang = lang or settings.lang
    found = await run_in_threadpool(themes_for, service.engine, principal, lang=lg,
                                    knowledge_dir=settings.knowledge_dir)
    return Response(render_feedback_review(found, lg), media_type="text/markdown; charset=utf-8")
