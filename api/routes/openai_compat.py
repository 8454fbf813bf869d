"""An OpenAI-compatible endpoint: any OpenAI SDK or chat front end can use kambot as a model.

- ``GET /v1/models`` lists ``kambot`` (answers in the question's language),
  ``kambot-fr`` and ``kambot-en`` (answers in that language); ``GET /v1/models/{id}``.
- ``POST /v1/chat/completions``, streamed (``stream: true``: Server-Sent Events
  ``data: {chat.completion.chunk}`` ... ``data: [DONE]``) or not.

Credentials: the API keys of the rest of the API (``Authorization: Bearer kb_...``,
which is what the SDKs send); the key's user, role and scope apply to every answer.

Mapping of a request: the last message must be the user's; it is one turn of the
kambot chat (:class:`kambot.assistant.chat.ChatService`), so tools, scopes, routing and
citations are exactly the web app's. The request is stateless, as OpenAI's API is: a
new chat session of the key's user is created for it, and the earlier ``user`` and
``assistant`` messages are stored in it as history, without being run again (a
configured model reads them; the offline rule-based router reads the last message
only). To continue a kambot session instead (its own memory of the account or
document in focus, and its pending confirmations), send ``X-Kambot-Session: <id>``:
only the last message is used then. Every answer names its session in the
``X-Kambot-Session`` response header and the ``session_id`` field. ``system`` and
``developer`` messages are accepted and ignored: kambot's behaviour and permissions are
set by the server, not by a prompt. Sampling parameters (temperature, max_tokens...)
are accepted and ignored: answers are composed from facts and passages and never cut,
so that no citation is lost.

Stored changes: a turn never confirms one (``confirm=False``). When the chat prepares a
change (a draft to save), a stateless answer says how to confirm it: continue the
session with the header and answer "yes", or use the web app.

Citations: ``[n]`` markers in the text (the chat's own numbers; any raw id marker such
as ``[en/segmentation#...]`` is numbered too), then a "Sources" list at the end of the
text; the same sources in the extra field ``citations``
(``[{number, id, kind, label, snippet}]``) of the response and of a stream's final chunk.

Errors answer in OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``,
so that SDKs raise their usual exceptions: 401 without a valid key, 404 for an unknown
model or session, 400 for an invalid request (FastAPI's 422 and kambot's data errors
included), 403, 503, 504 as elsewhere. An error after a stream has begun is sent as a
last ``data: {"error": {...}}`` event before ``data: [DONE]``. The security layer's own
refusals (413 body too large, 429 rate limit) keep the API-wide body
``{error, message, hint, details}``.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from api.deps import PrincipalDep
from api.errors import status_for
from api.routes.chat import chat_service
from api.stored_answers import stored_answer
from kambot import errors
from kambot.assistant.chat.service import MAX_MESSAGE_CHARS
from kambot.domain.identity import Principal
from kambot.errors import DataError, KambotError, LimitExceededError, NotFoundError

if TYPE_CHECKING:
    from kambot.assistant.chat import ChatService, ChatSession

Lang = Literal["fr", "en"]
MODELS: dict[str, Lang | None] = {"kambot": None, "kambot-fr": "fr", "kambot-en": "en"}
OWNER = "kambot"
CREATED = int(time.time())
MAX_MESSAGES = 200
MAX_CONTENT_CHARS = 32_000
# An unclosed "[" longer than this is plain text, not a citation marker still arriving.
MAX_MARKER_CHARS = 400
_ID = r"[^\[\]\s;,]*[/:#][^\[\]\s;,]*"
MARKER = re.compile(rf"\[({_ID}(?:\s*[;,]\s*{_ID})*)\]")
_TOKEN = re.compile(r"\w+|[^\w\s]")

_ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
    404: "not_found_error", 413: "invalid_request_error", 422: "invalid_request_error",
    429: "rate_limit_error", 503: "service_unavailable", 504: "timeout",
}


# --- schemas ------------------------------------------------------------------------------


class OpenAIErrorDetail(BaseModel):
    """What went wrong, in OpenAI's error shape."""

    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIError(BaseModel):
    """An error answer of the /v1 endpoints."""

    error: OpenAIErrorDetail


class Model(BaseModel):
    """A model kambot answers as."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    """The models of ``GET /v1/models``."""

    object: Literal["list"] = "list"
    data: list[Model]


class ContentPart(BaseModel):
    """One part of a message's content; only text parts are read."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(max_length=64)
    text: str | None = Field(default=None, max_length=MAX_CONTENT_CHARS)


class ChatMessage(BaseModel):
    """One message of the conversation."""

    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = Field(default=None, max_length=MAX_CONTENT_CHARS)
    name: str | None = Field(default=None, max_length=256)

    def text(self) -> str:
        """Return the message's text (text parts joined, other parts left out)."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content if p.type == "text" and p.text)


class StreamOptions(BaseModel):
    """Options of a streamed answer."""

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """The body of ``POST /v1/chat/completions`` (unknown fields are ignored)."""

    model: str = Field(max_length=128, description="kambot, kambot-fr or kambot-en")
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    n: int | None = Field(default=None, ge=1, le=1, description="kambot gives one answer")
    user: str | None = Field(default=None, max_length=256)
    temperature: float | None = Field(default=None, ge=0, le=2, description="ignored")
    top_p: float | None = Field(default=None, ge=0, le=1, description="ignored")
    max_tokens: int | None = Field(default=None, ge=1, description="ignored: never cut")
    max_completion_tokens: int | None = Field(default=None, ge=1, description="ignored")


class SourceCitation(BaseModel):
    """A numbered source of an answer: ``[number]`` in the text."""

    number: int
    id: str
    kind: str
    label: str
    snippet: str = ""


class AssistantMessage(BaseModel):
    """The answer."""

    role: Literal["assistant"] = "assistant"
    content: str
    refusal: str | None = None


class Choice(BaseModel):
    """The one answer of a completion."""

    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class Usage(BaseModel):
    """Sizes counted as words and punctuation marks (kambot has no tokenizer)."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    """A non-streamed answer, with its sources in ``citations``."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    citations: list[SourceCitation]
    session_id: int | None = Field(
        default=None, description="the kambot chat session (see the X-Kambot-Session header)")
    system_fingerprint: str | None = None


# --- errors in OpenAI's shape -------------------------------------------------------------


def openai_error(status: int, message: str, *, code: str | None = None,
                 param: str | None = None) -> dict[str, Any]:
    """Return an error body in OpenAI's shape."""
    detail = OpenAIErrorDetail(message=message, type=_ERROR_TYPES.get(status, "server_error"),
                               param=param, code=code)
    return OpenAIError(error=detail).model_dump()


def _kambot_error(exc: KambotError) -> tuple[int, dict[str, Any], dict[str, str]]:
    status = status_for(exc)
    if status in (413, 422):
        # OpenAI answers every invalid request, too long a prompt included, with 400.
        status = 400
    code = str(exc.details.get("openai_code") or exc.code)
    headers: dict[str, str] = {}
    retry = exc.details.get("retry_after_s")
    if status == 429 and retry is not None:
        headers["Retry-After"] = str(retry)
    return status, openai_error(status, str(exc), code=code), headers


def _validation_error(exc: RequestValidationError) -> dict[str, Any]:
    errors = list(exc.errors())
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p != "body"]
    message = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'body'}: {e.get('msg')}"
        for e in errors[:5]) or "invalid request"
    return openai_error(400, message, code="invalid_request", param=".".join(loc) or None)


class OpenAIRoute(APIRoute):
    """A route whose errors (credentials included) answer in OpenAI's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler so that kambot and validation errors become OpenAI errors."""
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except KambotError as exc:
                status, body, headers = _kambot_error(exc)
                return JSONResponse(body, status_code=status, headers=headers)
            except RequestValidationError as exc:
                return JSONResponse(_validation_error(exc), status_code=400)
            except HTTPException as exc:  # e.g. a body that is not JSON at all
                return JSONResponse(openai_error(exc.status_code, str(exc.detail),
                                                 code="invalid_request"),
                                    status_code=exc.status_code, headers=exc.headers)

        return route


_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": OpenAIError, "description": description} for code, description in (
        (400, "Invalid request (too long a message included)"),
        (401, "No valid API key"),
        (403, "The role may not use this"),
        (404, "Unknown model or session"),
        (503, "A dependency (database, index, model) is unavailable"),
        (504, "The language model did not answer in time"),
    )
}
# The security layer refuses these before the route runs, in the API-wide error shape.
_ERROR_RESPONSES[429] = {"description": "Too many requests: wait for Retry-After seconds",
                         "content": {"application/json": {"schema": {"anyOf": [
                             {"$ref": "#/components/schemas/OpenAIError"},
                             {"$ref": "#/components/schemas/ErrorBody"}]}}}}
router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIRoute,
                   responses=_ERROR_RESPONSES)


# --- citations ----------------------------------------------------------------------------


class CitationNumberer:
    """Number the sources of an answer and turn id markers into ``[n]`` as text streams in.

    Sources are numbered in the order they become known: a citation of the chat (whose
    own ``[n]`` markers follow the order of its citations, so they keep their meaning)
    or an id marker in the text (``[en/segmentation#less-is-more]``, ``[acct:42/tier]``),
    which is replaced by its number. A ``[`` that may open a marker is held back until
    its ``]`` arrives (or until it clearly is not a marker), so that a stream never
    shows half a marker.
    """

    def __init__(self) -> None:
        """Start with no text and no source."""
        self._pending = ""
        self._numbers: dict[str, int] = {}
        self._known: dict[str, dict[str, Any]] = {}

    def add_citation(self, citation: dict[str, Any]) -> None:
        """Record a cited source (id, kind, label, snippet); number it if it is new."""
        cid = str(citation.get("id", ""))
        if cid:
            self._known.setdefault(cid, citation)
            self._number(cid)

    def _number(self, cid: str) -> int:
        if cid not in self._numbers:
            self._numbers[cid] = len(self._numbers) + 1
        return self._numbers[cid]

    def _replace(self, inner: str) -> str:
        ids = [part.strip() for part in re.split(r"[;,]", inner) if part.strip()]
        return "".join(f"[{self._number(cid)}]" for cid in ids)

    def feed(self, text: str) -> str:
        """Return the text that can be shown now, id markers numbered."""
        out: list[str] = []
        pending = self._pending + text
        while pending:
            start = pending.find("[")
            if start < 0:
                out.append(pending)
                pending = ""
                break
            out.append(pending[:start])
            pending = pending[start:]
            end = pending.find("]")
            if end < 0:
                if len(pending) > MAX_MARKER_CHARS:
                    out.append(pending[0])
                    pending = pending[1:]
                    continue
                break
            match = MARKER.fullmatch(pending[: end + 1])
            if match is None:
                out.append(pending[0])
                pending = pending[1:]
                continue
            out.append(self._replace(match.group(1)))
            pending = pending[end + 1:]
        self._pending = pending
        return "".join(out)

    def sources(self) -> list[SourceCitation]:
        """Return every source with its number, in number order."""
        out = []
        for cid, number in sorted(self._numbers.items(), key=lambda item: item[1]):
            known = self._known.get(cid, {})
            out.append(SourceCitation(number=number, id=cid, kind=str(known.get("kind", "")),
                                      label=str(known.get("label") or cid),
                                      snippet=str(known.get("snippet", ""))))
        return out

    def finish(self) -> str:
        """Return the text still held back, then the "Sources" list."""
        rest = self._pending
        self._pending = ""
        sources = self.sources()
        if not sources:
            return rest
        lines = [f"[{s.number}] {s.label}" + (f" ({s.id})" if s.label != s.id else "")
                 for s in sources]
        return rest + "\n\nSources:\n" + "\n".join(lines)


def approx_tokens(text: str) -> int:
    """Count words and punctuation marks: kambot's stand-in for a tokenizer's count."""
    return len(_TOKEN.findall(text))


# --- turns --------------------------------------------------------------------------------

Event = tuple[str, dict[str, Any]]


def _question_of(messages: list[ChatMessage]) -> str:
    last = messages[-1]
    if last.role != "user":
        raise DataError("the last message must be the user's question",
                        hint="end `messages` with a message of role 'user'",
                        openai_code="invalid_request")
    question = last.text().strip()
    if not question:
        raise DataError("the last user message has no text",
                        hint="kambot reads text: send the question as text content",
                        openai_code="invalid_request")
    if len(question) > MAX_MESSAGE_CHARS:
        # Checked before a session is created for it (the chat checks it again).
        raise LimitExceededError(
            f"the last message has {len(question)} characters, more than {MAX_MESSAGE_CHARS}",
            hint="ask a shorter question", openai_code="context_length_exceeded")
    return question


def _context_of(messages: list[ChatMessage]) -> list[tuple[str, str]]:
    """Return the earlier user and assistant turns, oldest first, as (role, text)."""
    return [(m.role, m.text()) for m in messages[:-1]
            if m.role in ("user", "assistant") and m.text().strip()]


def _model_lang(model: str) -> Lang | None:
    if model not in MODELS:
        raise NotFoundError(f"the model {model!r} does not exist",
                            hint="use one of: " + ", ".join(MODELS),
                            openai_code="model_not_found")
    return MODELS[model]


def _seed(chat: ChatService, principal: Principal, session: ChatSession,
          context: list[tuple[str, str]]) -> None:
    """Store the conversation so far in a fresh session, as the history a model reads.

    Nothing is run again: the earlier messages become history only. The rule-based
    router reads no history; a configured model reads the last turns.
    """
    from kambot.assistant.chat import store
    from kambot.assistant.chat.scope import owner_key

    keep = context[-2 * chat.settings.chat_history_turns:]
    if not keep:
        return
    messages = [store.NewMessage(role=role, content=text[:MAX_CONTENT_CHARS],
                                 lang=session.lang) for role, text in keep]
    first_user = next((text for role, text in keep if role == "user"), keep[0][1])
    store.record_turn(chat.engine, owner_key(principal), session.id, messages,
                      store.SessionChange(title=store.title_from(first_user),
                                          lang=session.lang, mode=session.mode,
                                          interview_id=None, pending=None, context={}))


def _turn_events(request: Request, principal: Principal, question: str,
                 context: list[tuple[str, str]], lang: Lang | None,
                 session_id: int | None, on_session: Callable[[int], None]
                 ) -> Iterator[Event]:
    """Run one chat turn for the principal and yield its events (token, citation...).

    Raises (at the first ``next``):
        NotFoundError: the session named by the header is unknown or another user's.
        DataError, LimitExceededError: the question is empty or too long.
    """
    chat = chat_service(request)
    if session_id is None:
        session = chat.create_session(principal, lang)
        _seed(chat, principal, session, context)
        session_id = session.id
    on_session(session_id)
    for event in chat.turn(principal, session_id, question, lang=lang, confirm=False):
        yield event.event, event.data


# --- routes -------------------------------------------------------------------------------

SESSION_HEADER = "X-Kambot-Session"


def _model(model_id: str) -> Model:
    return Model(id=model_id, created=CREATED, owned_by=OWNER)


_MODEL_LIST: list[bytes] = []  # the list never changes while the server runs


# `async def`: no I/O here, and a plain `def` would cost a thread hop per request.
@stored_answer
@router.get("/models", response_model=ModelList)
async def list_models(_: PrincipalDep) -> Response:
    """List the models: kambot (question's language), kambot-fr, kambot-en."""
    if not _MODEL_LIST:
        _MODEL_LIST.append(
            ModelList(data=[_model(m) for m in MODELS]).model_dump_json().encode())
    return Response(_MODEL_LIST[0], media_type="application/json")


@stored_answer
@router.get("/models/{model_id}", response_model=Model)
async def get_model(model_id: str, _: PrincipalDep) -> Model:
    """Describe one model (404 in OpenAI's shape when unknown)."""
    _model_lang(model_id)
    return _model(model_id)


def _sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


class _Completion:
    """One answer being produced: ids, the numberer, the text so far."""

    def __init__(self, model: str, prompt_tokens: int, stateless: bool) -> None:
        self.id = "chatcmpl-" + uuid.uuid4().hex
        self.created = int(time.time())
        self.model = model
        self.prompt_tokens = prompt_tokens
        self.stateless = stateless
        self.session_id: int | None = None
        self.numberer = CitationNumberer()
        self.parts: list[str] = []

    def set_session(self, session_id: int) -> None:
        self.session_id = session_id

    def absorb(self, kind: str, data: dict[str, Any]) -> str:
        """Take one chat event; return the text it adds to the answer."""
        text = ""
        if kind == "token":
            text = self.numberer.feed(str(data.get("text", "")))
        elif kind == "citation":
            self.numberer.add_citation(data)
        elif kind == "done":
            for citation in data.get("citations") or ():
                if isinstance(citation, dict):
                    self.numberer.add_citation(citation)
        elif kind == "confirm" and self.stateless:
            # The chat asks for a "yes" that a stateless request can never send.
            text = self.numberer.feed(
                "\n\n(Nothing is stored yet. To store it, continue this conversation "
                f"with the header {SESSION_HEADER}: {self.session_id} and answer yes, or "
                "use the kambot web app.)")
        self.parts.append(text)
        return text

    def finish(self) -> str:
        """Return the last text (held-back text and the sources list)."""
        text = self.numberer.finish()
        self.parts.append(text)
        return text

    def usage(self) -> Usage:
        completion = approx_tokens("".join(self.parts))
        return Usage(prompt_tokens=self.prompt_tokens, completion_tokens=completion,
                     total_tokens=self.prompt_tokens + completion)

    def chunk(self, delta: dict[str, Any], finish: str | None = None,
              **extra: Any) -> dict[str, Any]:
        return {"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                "model": self.model, "system_fingerprint": None,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                             "logprobs": None}], **extra}


def _error_classes() -> dict[str, type[KambotError]]:
    found: dict[str, type[KambotError]] = {}
    todo: list[type[KambotError]] = [KambotError]
    while todo:
        cls = todo.pop()
        found.setdefault(cls.code, cls)
        todo += cls.__subclasses__()
    return found


def _error_event(kind: str, data: dict[str, Any]) -> KambotError | None:
    """Return the kambot error an ``error`` event reports (None for other events)."""
    if kind != "error":
        return None
    cls = _error_classes().get(str(data.get("error")), errors.KambotError)
    return cls(str(data.get("message") or "the chat failed"), hint=data.get("hint"))


def _stream(completion: _Completion, first: Event | None, events: Iterator[Event],
            include_usage: bool) -> Iterator[str]:
    yield _sse(completion.chunk({"role": "assistant", "content": ""}))
    try:
        for kind, data in _chain(first, events):
            failure = _error_event(kind, data)
            if failure is not None:
                raise failure
            text = completion.absorb(kind, data)
            if text:
                yield _sse(completion.chunk({"content": text}))
        tail = completion.finish()
        if tail:
            yield _sse(completion.chunk({"content": tail}))
        sources = [s.model_dump() for s in completion.numberer.sources()]
        yield _sse(completion.chunk({}, "stop", citations=sources,
                                    session_id=completion.session_id))
        if include_usage:
            yield _sse({"id": completion.id, "object": "chat.completion.chunk",
                        "created": completion.created, "model": completion.model,
                        "choices": [], "usage": completion.usage().model_dump()})
    except KambotError as exc:
        _status, body, _headers = _kambot_error(exc)
        yield _sse(body)
    yield "data: [DONE]\n\n"


def _chain(first: Event | None, rest: Iterator[Event]) -> Iterator[Event]:
    if first is not None:
        yield first
    yield from rest


def _session_header(value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    if not value.strip().isdigit():
        raise DataError(f"the {SESSION_HEADER} header must be a chat session id",
                        hint="send the id a previous answer gave, or leave the header out",
                        openai_code="invalid_request")
    return int(value.strip())


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={200: {
        "content": {"text/event-stream": {"schema": {
            "type": "string", "description": "chat.completion.chunk events, then [DONE]"}}},
        "headers": {SESSION_HEADER: {"description": "the chat session of this answer",
                                     "schema": {"type": "integer"}}},
    }},
)
def chat_completions(
    body: ChatCompletionRequest,
    request: Request,
    principal: PrincipalDep,
    x_kambot_session: Annotated[str | None, Header(
        alias=SESSION_HEADER, max_length=20,
        description="continue this kambot chat session (yours) instead of a new one")] = None,
) -> Response:
    """Answer the conversation's last user message as a kambot chat turn.

    With `stream: true`, Server-Sent Events of `chat.completion.chunk` objects, the
    last one carrying `finish_reason` and `citations`, then `data: [DONE]`.
    """
    lang = _model_lang(body.model)
    question = _question_of(body.messages)
    session_id = _session_header(x_kambot_session)
    prompt_tokens = sum(approx_tokens(m.text()) for m in body.messages)
    completion = _Completion(body.model, prompt_tokens, stateless=session_id is None)
    context = _context_of(body.messages) if session_id is None else []
    events = _turn_events(request, principal, question, context, lang, session_id,
                          completion.set_session)
    # The first event is computed before answering, so that a refusal (unknown session,
    # too long a message, a failed tool) gets its HTTP status, not an error in a 200.
    first = next(events, None)
    if first is not None:
        failure = _error_event(*first)
        if failure is not None:
            raise failure
    headers = {SESSION_HEADER: str(completion.session_id)}
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return StreamingResponse(_stream(completion, first, events, include_usage),
                                 media_type="text/event-stream", headers=headers)
    for kind, data in _chain(first, events):
        failure = _error_event(kind, data)
        if failure is not None:
            raise failure
        completion.absorb(kind, data)
    completion.finish()
    result = ChatCompletion(
        id=completion.id, created=completion.created, model=body.model,
        choices=[Choice(message=AssistantMessage(content="".join(completion.parts)))],
        usage=completion.usage(), citations=completion.numberer.sources(),
        session_id=completion.session_id)
    return JSONResponse(result.model_dump(mode="json"), headers=headers)
