"""Answers to reads that depend on the database alone, replayed until it changes.

Lists and objects read from the store (documents, interviews, conversations,
assessments, users, the programme path) cost a thread hop, a few queries and a
serialisation per request, for an answer that stays the same until something is
committed. A route whose endpoint is marked with :func:`stored_answer` keeps each
successful GET answer, keyed by:

- the route, the path and the raw query string;
- the caller's whole :class:`~kambot.domain.identity.Principal` (user, role and scope):
  an answer is only ever replayed to a principal equal to the one it was built for;
- today's date (for answers that compare with it);

and valid under the database's change token (see
:meth:`kambot.assistant.portfolio.PortfolioService.trusted_token`). A replay skips the
dependencies and the endpoint. That keeps authorization exact: the answer was built
through every dependency for an equal principal, and what those dependencies decide
from (the principal and the database) has not changed since. Anything else (no
principal, a cached answer missing, a token that moved) runs the route as usual.

What is kept: a 200 with a body (no stream, no file, no cookie, no background task).
What the endpoint told the audit trail (``request.state.audit``) is kept with it and
told again on each replay, so the trail is the same with or without the replay.

Only mark an endpoint whose answer depends on the request, the principal and the
database alone (:func:`stored_answer`), or on those and something cheap to ask whether
it changed, such as the methodology files or the search index's generation
(:func:`stored_answer_also`); not on the model writer's mood or the time of day.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Hashable
from datetime import date
from typing import Any, NamedTuple, TypeVar

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse

from api.response_cache import AnswersByOwner

E = TypeVar("E", bound=Callable[..., Any])
_MARK = "__kambot_stored_answer__"
_ALSO = "__kambot_stored_answer_also__"


def stored_answer(endpoint: E) -> E:
    """Mark a GET endpoint whose answers may be replayed until the database changes."""
    setattr(endpoint, _MARK, True)
    return endpoint


def stored_answer_also(depends: Callable[[Any], Hashable]) -> Callable[[E], E]:
    """Mark a GET endpoint like :func:`stored_answer` whose answers also depend on
    ``depends(app)`` (say, the methodology files): its value joins the key.

    ``depends`` runs in the event loop on every request: it must be cheap and not wait.
    """

    def mark(endpoint: E) -> E:
        setattr(endpoint, _ALSO, depends)
        return stored_answer(endpoint)

    return mark


def is_stored_answer(endpoint: Callable[..., Any]) -> bool:
    """Tell whether an endpoint was marked with :func:`stored_answer`."""
    return bool(getattr(endpoint, _MARK, False))


class StoredAnswer(NamedTuple):
    """One kept answer: the body, the route's headers and what it told the audit trail."""

    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]
    audit: dict[str, Any] | None


def _weigh(answer: StoredAnswer) -> int:
    return len(answer.body) + 64 * len(answer.headers) + 256


def new_store(max_entries: int = 4096, max_bytes: int = 32 * 1024 * 1024
              ) -> AnswersByOwner[StoredAnswer]:
    """Return an empty store of answers (one per app, on ``app.state.stored_answers``)."""
    return AnswersByOwner(_weigh, max_entries, max_bytes)


class _Replay(Response):
    """A kept answer sent again (its headers copied: later layers may append to them)."""

    def __init__(self, answer: StoredAnswer) -> None:
        self.status_code = 200
        self.body = answer.body
        self.background = None
        self.raw_headers = list(answer.headers)


def _keepable(response: Response) -> bool:
    if response.status_code != 200 or response.background is not None \
            or isinstance(response, StreamingResponse | FileResponse):
        return False
    if not isinstance(getattr(response, "body", None), bytes):
        return False
    return all(name != b"set-cookie" for name, _ in response.raw_headers)


Handler = Callable[[Request], Coroutine[Any, Any, Response]]
Building = dict[tuple[object, ...], tuple[object, "asyncio.Future[StoredAnswer | None]"]]


class StoredAnswerRoute(APIRoute):
    """A route whose GET answers are replayed while the database is unchanged."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if "GET" not in (self.methods or ()) or not is_stored_answer(self.endpoint):
            return handler
        route_key = (self.path, id(self))
        also: Callable[[Any], Hashable] | None = getattr(self.endpoint, _ALSO, None)
        # Answers being built, by key: the token they are built under and their future
        # answer (None when it cannot be kept). Event-loop state, one per route.
        building: Building = {}

        async def replay_or_run(request: Request) -> Response:
            scope = request.scope
            state: dict[str, Any] = scope.get("state") or {}
            principal = state.get("principal")
            app_state = request.app.state
            service = app_state.service
            if principal is None or service is None or scope["method"] != "GET":
                return await handler(request)
            store: AnswersByOwner[StoredAnswer] = app_state.stored_answers
            token = service.trusted_token()  # before building: a commit after moves it
            key = (route_key, scope["path"], scope["query_string"], principal, date.today(),
                   None if also is None else also(request.app))
            kept = store.peek(token, key)
            if kept is None:
                # The same answer being built already (clients polling the same list
                # after a change): wait for it rather than build it once more.
                started = building.get(key)
                if started is not None and started[0] is token:
                    kept = await asyncio.shield(started[1])
            if kept is not None:
                if kept.audit is not None:
                    state["audit"] = dict(kept.audit)
                return _Replay(kept)
            return await _build(request, handler, store, building, token, key, state)

        return replay_or_run


async def _build(request: Request, handler: Handler, store: AnswersByOwner[StoredAnswer],
                 building: Building, token: object, key: tuple[object, ...],
                 state: dict[str, Any]) -> Response:
    """Run the route, keep its answer when it can be kept, and hand it to the waiters."""
    future: asyncio.Future[StoredAnswer | None] = asyncio.get_running_loop().create_future()
    building[key] = (token, future)
    kept: StoredAnswer | None = None
    try:
        response = await handler(request)
        if _keepable(response):
            audit = state.get("audit")
            kept = StoredAnswer(bytes(response.body), tuple(response.raw_headers),
                                None if audit is None else dict(audit))
            store.put(token, key, kept)
        return response
    finally:
        future.set_result(kept)  # None: each waiter runs the route itself
        if key in building and building[key][1] is future:
            del building[key]


_ROUTE_CLASSES: dict[type[APIRoute], type[APIRoute]] = {}


def stored_route_class(route_class: type[APIRoute]) -> type[APIRoute]:
    """Return a route class that replays stored answers around ``route_class``'s own
    handler (which keeps its behaviour, e.g. the OpenAI routes' error shape)."""
    if issubclass(route_class, StoredAnswerRoute):
        return route_class
    found = _ROUTE_CLASSES.get(route_class)
    if found is None:
        found = _ROUTE_CLASSES[route_class] = type(
            f"Stored{route_class.__name__}", (StoredAnswerRoute, route_class), {})
    return found
