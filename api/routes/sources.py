"""Open a citation: the text behind a citation id, within the caller's scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.deps import PrincipalDep, ServiceDep, SettingsDep, knowledge_version
from api.stored_answers import stored_answer_also
from kambot.assistant.chat.models import Lang
from kambot.assistant.chat.sources import SourceView, open_source

router = APIRouter(tags=["chat"])


@stored_answer_also(knowledge_version)
@router.get("/sources", response_model=SourceView)
def get_source(
    request: Request,
    principal: PrincipalDep,
    settings: SettingsDep,
    service: ServiceDep,
    id: Annotated[str, Query(min_length=1, max_length=400,
                             description="a citation id given by an answer or a document")],
    lang: Lang | None = None,
) -> SourceView:
    """Return `{id, kind, title, text, lang}` of a methodology passage, a note, a fact or a
    document section; anything unknown or outside your scope answers 404."""
    from api.routes.chat import search_index

    return open_source(settings, service, principal, id, lang,
                       index=lambda: search_index(request.app))
