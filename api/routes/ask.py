"""Methodology questions answered offline, each sentence citing its passage."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.deps import ServiceDep, SettingsDep

router = APIRouter(tags=["methodology"])
_lock = threading.Lock()


class AskRequest(BaseModel):
    """A question, optionally about one account's notes too."""

    question: str = Field(min_length=1, max_length=2000)
    lang: str | None = Field(default=None, pattern="^(fr|en)$")
    account: str | None = Field(default=None, description="external id, id or name")


def _index(request: Request, settings: Any, service: Any) -> Any:
    from kambot.retrieval.index import open_index

    with _lock:
        index = getattr(request.app.state, "search_index", None)
        if index is None:
            index = open_index(settings, service.engine)
            request.app.state.search_index = index
        return index


@router.post("/ask")
def ask(body: AskRequest, request: Request, settings: SettingsDep,
        service: ServiceDep) -> dict[str, Any]:
    """Answer with `answer`, `citations` (chunk id, document, section, text), `confidence`."""
    from kambot.retrieval.answer import answer_question
    from kambot.retrieval.models import Scope

    scope = Scope.public()
    if body.account is not None:
        from kambot.store.db import session_scope
        from kambot.store.repositories import account_id

        with session_scope(service.engine) as session:
            scope = Scope(account_ids=frozenset({account_id(session, body.account)}))
    result = answer_question(_index(request, settings, service), body.question, body.lang,
                             scope=scope)
    payload: dict[str, Any] = result.model_dump(mode="json")
    return payload
