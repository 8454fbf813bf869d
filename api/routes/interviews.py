"""Executive alignment interviews: one question at a time, records, synthesis.

Executives run and read their own interviews (another executive's answers 404, like a
missing one); programme leads and administrators run and read all of them; other roles
get 403. Answers are untrusted text: stored and read, never obeyed.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from api.deps import PrincipalDep, ServiceDep, SettingsDep
from api.stored_answers import stored_answer
from kambot.assistant.interview import (
    InterviewService,
    InterviewSummary,
    InterviewTurn,
    Synthesis,
)
from kambot.domain.documents import Lang

router = APIRouter(prefix="/interviews", tags=["interviews"])
_lock = threading.Lock()
# SQLite integers stop at 2**63-1; capped like the other ids of the API.
InterviewId = Annotated[int, Path(ge=1, le=2**31 - 1, description="an interview's id")]


def get_interviews(request: Request, settings: SettingsDep,
                   service: ServiceDep) -> InterviewService:
    """Return the application's interview service (one per app, created on first use)."""
    with _lock:
        found: InterviewService | None = getattr(request.app.state, "interviews", None)
        if found is None:
            found = InterviewService(settings, service.engine)
            request.app.state.interviews = found
        return found


InterviewsDep = Annotated[InterviewService, Depends(get_interviews)]


EXECUTIVE_SCHEMA: dict[str, Any] = {
    "type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S",
    "description": "the executive interviewed: name or person key (an executive may name "
                   "themselves, or leave it out: they are interviewed themselves)"}


class StartRequest(BaseModel):
    """Start an interview.

    The schema requires ``executive``, since a lead or an administrator must name who is
    interviewed (422 otherwise); an executive may still leave it out, as the web app does.
    """

    model_config = ConfigDict(json_schema_extra={"required": ["executive"]})

    executive: Annotated[str | None, WithJsonSchema(EXECUTIVE_SCHEMA)] = Field(
        default=None, max_length=200, pattern=r"\S")
    lang: Lang | None = None


class AnswerRequest(BaseModel):
    """An answer to the pending question ("skip" passes it)."""

    text: str = Field(min_length=1, max_length=20_000)


@router.post("", response_model=InterviewTurn)
async def start(body: StartRequest, principal: PrincipalDep,
                interviews: InterviewsDep) -> InterviewTurn:
    """Start an interview and return its first question."""
    return await run_in_threadpool(interviews.start, principal, body.executive, body.lang)


@stored_answer
@router.get("", response_model=list[InterviewSummary])
async def list_(principal: PrincipalDep, interviews: InterviewsDep) -> list[InterviewSummary]:
    """List the interviews the caller may see, most recently updated first."""
    return await run_in_threadpool(interviews.list_interviews, principal)


@stored_answer
@router.get("/synthesis", response_model=Synthesis)
async def synthesis(principal: PrincipalDep, interviews: InterviewsDep,
                    lang: Annotated[Lang | None, Query()] = None) -> Synthesis:
    """Synthesise the completed interviews the caller may see."""
    return await run_in_threadpool(interviews.synthesise, principal, lang)


@stored_answer
@router.get("/synthesis.md", response_class=Response, responses={200: {
    "description": "the synthesis as Markdown",
    "content": {"text/markdown": {"schema": {"type": "string"}}}}})
async def synthesis_markdown(principal: PrincipalDep, interviews: InterviewsDep,
                             lang: Annotated[Lang | None, Query()] = None) -> Response:
    """Return the synthesis as Markdown."""
    result = await run_in_threadpool(interviews.synthesise, principal, lang)
    return Response(interviews.render_synthesis(result),
                    media_type="text/markdown; charset=utf-8")


@stored_answer
@router.get("/{interview_id}")
async def get(interview_id: InterviewId, principal: PrincipalDep,
              interviews: InterviewsDep) -> dict[str, Any]:
    """Return an interview's record and transcript."""
    view = await run_in_threadpool(interviews.view, principal, interview_id)
    return view.model_dump(mode="json")


@stored_answer
@router.get("/{interview_id}/turn", response_model=InterviewTurn)
async def current(interview_id: InterviewId, principal: PrincipalDep,
                  interviews: InterviewsDep) -> InterviewTurn:
    """Return the pending question of an interview."""
    return await run_in_threadpool(interviews.current, principal, interview_id)


@router.post("/{interview_id}/answers", response_model=InterviewTurn)
async def answer(interview_id: InterviewId, body: AnswerRequest, principal: PrincipalDep,
                 interviews: InterviewsDep) -> InterviewTurn:
    """Record an answer and return the next question (a probe, the next one, or the end)."""
    return await run_in_threadpool(interviews.answer, principal, interview_id, body.text)


@router.post("/{interview_id}/pause", response_model=InterviewTurn)
async def pause(interview_id: InterviewId, principal: PrincipalDep,
                interviews: InterviewsDep) -> InterviewTurn:
    """Pause an interview; its pending question waits for the resume."""
    return await run_in_threadpool(interviews.pause, principal, interview_id)


@router.post("/{interview_id}/resume", response_model=InterviewTurn)
async def resume(interview_id: InterviewId, principal: PrincipalDep,
                 interviews: InterviewsDep) -> InterviewTurn:
    """Resume a paused interview and return its pending question."""
    return await run_in_threadpool(interviews.resume, principal, interview_id)
