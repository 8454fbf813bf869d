"""Methodology questions answered offline, each sentence citing its passage."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.deps import PrincipalDep, ServiceDep, SettingsDep, account_ids_by_ref, resolve_account_for

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
def ask(body: AskRequest, request: Request, principal: PrincipalDep, settings: SettingsDep,
        service: ServiceDep) -> dict[str, Any]:
    """Answer with `answer`, `citations` (chunk id, document, section, text), `confidence`.

    Methodology questions are open to every role. With `account`, the account's notes
    are searched too: it must be in the caller's scope (404 otherwise, like an unknown
    account; HR sees no account).
    """
    from kambot.auth.access import retrieval_roles
    from kambot.retrieval.answer import answer_question
    from kambot.retrieval.models import Scope

    roles = retrieval_roles(principal)
    scope = Scope(account_ids=frozenset(), roles=roles)
    if body.account is not None:
        ext = resolve_account_for(principal, service, body.account)
        scope = Scope(account_ids=frozenset({account_ids_by_ref(service)[ext]}), roles=roles)
    result = answer_question(_index(request, settings, service), body.question, body.lang,
                             scope=scope)
    payload: dict[str, Any] = result.model_dump(mode="json")
    return payload
