"""The security layer around every request: headers, size limits, identity, rate, audit.

:class:`SecurityMiddleware` is a plain ASGI middleware (no per-request task or body
copy, unlike Starlette's ``BaseHTTPMiddleware``). For each HTTP request it:

1. refuses a body over ``settings.max_request_bytes`` (``max_upload_bytes`` for
   multipart uploads) with 413, from ``Content-Length`` or while the body streams in;
2. resolves who is calling, from ``Authorization: Bearer kb_...`` or the
   ``kambot_session`` cookie, and puts it on ``request.state.principal`` (with
   ``identity``, ``auth_method``, ``csrf_token`` and ``auth_error``). It never refuses
   a request for missing or bad credentials: :func:`api.deps.get_principal` does, so
   that public routes stay public and tests can override that one dependency;
3. applies the rate limit of the caller (their key or session, else their address):
   429 with ``Retry-After``;
4. adds the security headers (strict Content-Security-Policy...) to every response;
5. records an audit entry for reads and changes of accounts, documents, candidates,
   assessments and users, and for every change anywhere.

:func:`install_security` also puts the OpenAPI schema behind credentials, removes the
Swagger and ReDoc pages (they load scripts from a CDN and run inline scripts, which the
policy forbids and an offline install cannot serve), and documents the error answers,
the error body and the two security schemes in the schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

import anyio

from api.deps import SESSION_COOKIE, get_principal, service_for
from kambot.auth.audit import AuditEntry, details_key, outcome_of, read_key
from kambot.auth.hashing import csrf_token_for
from kambot.auth.models import Identity
from kambot.auth.runtime import AuthRuntime
from kambot.config import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)
# Multipart framing around an uploaded file (boundaries, part headers, small fields).
MULTIPART_OVERHEAD = 64 * 1024
PUBLIC_PATHS: frozenset[str] = frozenset({"/health", "/auth/login", "/"})
PUBLIC_PREFIXES: tuple[str, ...] = ("/static",)

# Objects whose every read and change is audited, by the first segment of the route.
AUDITED_OBJECTS: dict[str, str] = {
    "accounts": "account",
    "documents": "document",
    "assessments": "candidate",
    "candidates": "candidate",
    "users": "user",
}
# Path parameters of these routes may identify a person (an HR reference): the trail
# records the ids the routes give it instead, even when a request fails validation.
PERSONAL_PATHS = frozenset({"assessments", "candidates"})
_VERBS = {"GET": "read", "HEAD": "read", "POST": "create", "PUT": "update",
          "PATCH": "update", "DELETE": "delete"}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class _BodyTooLargeError(Exception):
    pass


def _json_error(status: int, code: str, message: str, hint: str,
                headers: tuple[tuple[bytes, bytes], ...] = (),
                **details: Any) -> tuple[Message, Message]:
    body = json.dumps({"error": code, "message": message, "hint": hint,
                       "details": details}).encode()
    start: Message = {"type": "http.response.start", "status": status,
                      "headers": [(b"content-type", b"application/json"),
                                  (b"content-length", str(len(body)).encode()), *headers]}
    return start, {"type": "http.response.body", "body": body}


def is_public(path: str) -> bool:
    """Tell whether a path answers without credentials."""
    return path in PUBLIC_PATHS or any(path == p or path.startswith(p + "/")
                                       for p in PUBLIC_PREFIXES)


class SecurityMiddleware:
    """Apply limits, identity, rate limits, security headers and audit to each request."""

    def __init__(self, app: ASGIApp, runtime: AuthRuntime,
                 schema: Callable[[], dict[str, Any]] | None = None) -> None:
        self.app = app
        self.runtime = runtime
        self._schema = schema
        self._scalar_query: list[tuple[re.Pattern[str], str, frozenset[str]]] | None = None
        self._route_details: dict[str | None, object] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, self._lifespan_receive(receive), send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self._http(scope, receive, send)

    def _lifespan_receive(self, receive: Receive) -> Receive:
        async def wrapped() -> Message:
            message = await receive()
            if message.get("type") == "lifespan.shutdown":
                # Before the app disposes of its engine.
                await anyio.to_thread.run_sync(self.runtime.audit.close)
            return message

        return wrapped

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings = self.runtime.settings
        path: str = scope.get("path", "")
        static = _is_static(path)
        headers = _RequestHeaders(scope)
        multipart = headers.content_type.startswith("multipart/form-data")
        limit = (settings.max_upload_bytes + MULTIPART_OVERHEAD if multipart
                 else settings.max_request_bytes)
        length = headers.content_length
        if length is not None and length.isascii() and length.isdigit() and int(length) > limit:
            await self._too_large(send, static, int(length), limit, multipart)
            return

        query: bytes = scope.get("query_string", b"")
        if b"&" in query:
            repeated = self._repeated_scalars(scope.get("method", "GET"), path, query)
            if repeated:
                start, body = _json_error(
                    422, "data_error",
                    f"query parameter(s) given more than once: {', '.join(repeated)}",
                    "give each of these parameters once")
                await _reply(send, static, start, body)
                return

        identity, error, caller = await self._identify(scope, headers)
        state = scope.setdefault("state", {})
        state["identity"] = identity
        state["principal"] = identity.principal if identity else None
        state["auth_method"] = identity.method if identity else None
        state["auth_error"] = error
        if identity is not None and identity.method == "session":
            state["csrf_token"] = csrf_token_for(session_token(headers.cookie) or "")
        decision = self.runtime.limiter.hit(caller)
        if not decision.allowed:
            start, body = _json_error(
                429, "rate_limited",
                f"too many requests: the limit is {settings.rate_limit_per_minute} per minute",
                f"retry in {decision.retry_after_s} s",
                headers=((b"retry-after", str(decision.retry_after_s).encode()),),
                retry_after_s=decision.retry_after_s)
            await _reply(send, static, start, body)
            return

        received = 0
        too_large = False
        started = False
        status = 500

        async def counted_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _BodyTooLargeError
            return message

        async def watched_send(message: Message) -> None:
            # One wrapper (not two) on the app's answer: it is on every response's path.
            nonlocal started, status
            if too_large and not started:
                return  # the app's answer to a cut-off body is replaced by a 413
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
                _add_security_headers(message, static)
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except Exception:
            if not (too_large and not started):
                raise
        if too_large and not started:
            await self._too_large(send, static, received, limit, multipart)
            status = 413
        self._audit(scope, status)

    def _repeated_scalars(self, method: str, path: str, query: bytes) -> list[str]:
        """Return the single-valued query parameters this request repeats.

        FastAPI silently keeps the last of repeated values; a client that sends two is
        confused, and the schema says one: refuse rather than guess. Array parameters
        may repeat. Only requests whose query repeats a name pay for the lookup.
        """
        from urllib.parse import parse_qsl

        names = [k for k, _v in parse_qsl(query.decode("latin-1"), keep_blank_values=True)]
        repeated = {n for n in names if names.count(n) > 1}
        if not repeated or self._schema is None:
            return []
        if self._scalar_query is None:
            self._scalar_query = _scalar_query_params(self._schema())
        for pattern, verb, scalars in self._scalar_query:
            if verb == method.lower() and pattern.match(path):
                return sorted(repeated & scalars)
        return []

    async def _too_large(self, send: Send, static: bool, size: int, limit: int,
                         multipart: bool) -> None:
        setting = "KAMBOT_MAX_UPLOAD_BYTES" if multipart else "KAMBOT_MAX_REQUEST_BYTES"
        shown = limit - MULTIPART_OVERHEAD if multipart else limit
        start, body = _json_error(
            413, "limit_exceeded",
            f"the request body is over the limit of {shown:,} bytes",
            f"send a smaller {'file' if multipart else 'body'}, or raise {setting}",
            size=size, limit=shown)
        await _reply(send, static, start, body)

    async def _identify(self, scope: Scope,
                        headers: _RequestHeaders) -> tuple[Identity | None, str | None, str]:
        """Return the identity (or None), why credentials failed, and the rate bucket."""
        client = scope.get("client")
        address = f"ip:{client[0] if client else 'unknown'}"
        auth = self.runtime.authenticator
        authorization = headers.authorization
        if authorization:
            scheme, _, key = authorization.partition(" ")
            key = key.strip()
            if scheme.lower() != "bearer" or not key:
                return None, "use 'Authorization: Bearer <API key>'", address
            identity = auth.cached_key(key)
            if identity is None:
                if not auth.looks_like_key(key):
                    return None, "this is not a kambot API key (kb_...)", address
                if self.runtime.limiter.exhausted(address) is not None:
                    return None, "too many attempts", address
                identity = await anyio.to_thread.run_sync(auth.api_key, key)
            if identity is None:
                return None, "unknown or revoked API key", address
            return identity, None, f"key:{identity.key_id}"
        token = session_token(headers.cookie)
        if token:
            identity = auth.cached_session(token)
            if identity is None:
                identity = await anyio.to_thread.run_sync(auth.session, token)
            if identity is None:
                return None, "the session has expired or was ended: log in again", address
            return identity, None, f"session:{identity.session_id}"
        return None, None, address

    def _audit(self, scope: Scope, status: int) -> None:
        route = scope.get("route")
        template: str = getattr(route, "path", "") or ""
        method: str = scope.get("method", "GET")
        state: dict[str, Any] = scope.get("state") or {}
        explicit: dict[str, Any] | None = state.get("audit")
        segment = template.strip("/").split("/", 1)[0]
        object_type = AUDITED_OBJECTS.get(segment)
        if explicit is None and object_type is None and method not in UNSAFE_METHODS:
            return
        if explicit is None and not template:
            return  # no route matched: nothing was read or changed
        params: dict[str, Any] = scope.get("path_params") or {}
        # A route that names its object decides its id, even none (a candidate's
        # reference in the path must not reach the trail).
        object_id = (explicit.get("object_id") if explicit is not None
                     else None if segment in PERSONAL_PATHS
                     else next(iter(params.values()), None))
        principal = state.get("audit_principal") or state.get("principal")
        route_name: str | None = getattr(route, "name", None) if route is not None else None
        trail = self.runtime.audit
        if explicit is None and principal is not None and _VERBS.get(method) == "read":
            # A plain read: when an identical one is queued, count it without building
            # an entry (a client polling an account repeats the same read).
            details = self._route_details.get(route_name)
            if details is None:
                details = self._route_details[route_name] = details_key(
                    {"route": route_name} if route_name else {})
            key = read_key(principal.user_id, principal.username, principal.role.value,
                           object_type or segment or "api",
                           None if object_id is None else str(object_id), outcome_of(status),
                           status, method, template, details)
            if trail.count_again(key):
                return
        explicit = explicit or {}
        details_dict = dict(explicit.get("details") or {})
        if route_name:
            details_dict.setdefault("route", route_name)
        entry = AuditEntry.for_principal(
            principal,
            action=explicit.get("action") or _VERBS.get(method, method.lower()),
            object_type=explicit.get("object_type") or object_type or segment or "api",
            object_id=None if object_id is None else str(object_id),
            outcome=outcome_of(status), status=status, method=method,
            path=template or scope.get("path"), details=details_dict)
        trail.record(entry)


async def _reply(send: Send, static: bool, start: Message, body: Message) -> None:
    """Send an answer made by the security layer itself, with the security headers."""
    _add_security_headers(start, static)
    await send(start)
    await send(body)


_STATIC_PREFIXES = tuple(p + "/" for p in PUBLIC_PREFIXES)


def _is_static(path: str) -> bool:
    return path.startswith(_STATIC_PREFIXES)


# Answers depend on who asks: no shared or disk cache may keep them (static files aside).
_NO_STORE = (b"cache-control", b"no-store")
_WITH_NO_STORE = (*SECURITY_HEADERS, _NO_STORE)
_OWN_NAMES = frozenset(name for name, _value in _WITH_NO_STORE)


def _add_security_headers(message: Message, static: bool) -> None:
    """Add the security headers (and no-store, but on static files) to a response start.

    A header the app already set (a file's own cache policy, say) is kept as it is.
    """
    raw = list(message.get("headers", ()))
    for name, _value in raw:
        if name.lower() in _OWN_NAMES:
            break
    else:  # the usual case: none of ours is set
        raw.extend(SECURITY_HEADERS if static else _WITH_NO_STORE)
        message["headers"] = raw
        return
    present = {name.lower() for name, _value in raw}
    raw.extend(h for h in (SECURITY_HEADERS if static else _WITH_NO_STORE)
               if h[0] not in present)
    message["headers"] = raw


def _scalar_query_params(schema: dict[str, Any]) -> list[tuple[re.Pattern[str], str,
                                                                  frozenset[str]]]:
    """Index the single-valued query parameters of every operation of a schema."""
    index = []
    for template, operations in schema.get("paths", {}).items():
        pattern = re.compile("^" + re.sub(r"\\{[^}/]+\\}", "[^/]+", re.escape(template)) + "$")
        for verb, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            scalars = set()
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                spec = parameter.get("schema", {})
                kinds = [spec, *spec.get("anyOf", [])]
                if not any(k.get("type") == "array" for k in kinds):
                    scalars.add(str(parameter["name"]))
            index.append((pattern, verb, frozenset(scalars)))
    return index


class _RequestHeaders:
    """The few request headers the security layer reads, found in one pass."""

    __slots__ = ("authorization", "content_length", "content_type", "cookie")

    def __init__(self, scope: Scope) -> None:
        self.authorization: str | None = None
        self.content_length: str | None = None
        self.content_type = ""
        self.cookie: str | None = None
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                self.authorization = value.decode("latin-1")
            elif name == b"cookie":
                self.cookie = value.decode("latin-1")
            elif name == b"content-length":
                self.content_length = value.decode("latin-1")
            elif name == b"content-type":
                self.content_type = value.decode("latin-1")


def session_token(raw: str | None) -> str | None:
    """Return the session token from a Cookie header, if any."""
    if not raw or SESSION_COOKIE not in raw:
        return None
    from http.cookies import CookieError, SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel is not None and morsel.value else None


# --- installation ---------------------------------------------------------------------------


def build_runtime(app: FastAPI, settings: Settings) -> AuthRuntime:
    """Create the authenticator, rate limiter and audit trail of an app."""

    def engine() -> Any:
        return service_for(app).engine

    def unseen() -> Any:
        return service_for(app).write_unseen()

    return AuthRuntime.create(settings, engine, unseen=unseen)


def _protect_schema(app: FastAPI) -> None:
    from fastapi import Depends
    from fastapi.responses import JSONResponse, Response
    from starlette.routing import Route

    drop = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url, app.openapi_url}
    app.router.routes[:] = [r for r in app.router.routes
                            if not (isinstance(r, Route) and r.path in drop)]
    if not app.openapi_url:
        return

    # The schema does not change while the app runs: serialised once (about 7 ms each).
    serialised: list[bytes] = []

    async def openapi_schema() -> Response:
        if not serialised:
            body = await anyio.to_thread.run_sync(lambda: JSONResponse(app.openapi()).body)
            serialised[:] = [bytes(body)]
        return Response(serialised[0], media_type="application/json")

    app.add_api_route(app.openapi_url, openapi_schema, methods=["GET"],
                      include_in_schema=False, dependencies=[Depends(get_principal)])


# Declared by the routes that can answer them (`responses={409: {...}}`); the body is
# filled in here.
ROUTE_ERROR_STATUSES: dict[int, str] = {
    409: "The request clashes with what exists (e.g. a name already taken)",
    415: "The uploaded file is of a type this endpoint does not read",
}
ERROR_STATUSES: dict[int, str] = {
    401: "No valid credentials (missing, unknown, expired or revoked)",
    403: "The role may not use this endpoint, or the CSRF token is missing",
    404: "Unknown object, or outside the caller's scope",
    413: "The request body is over the size limit",
    422: "The request is invalid",
    429: "Too many requests: wait for the number of seconds in Retry-After",
    503: "A dependency (database, index, model) is unavailable",
    504: "The language model did not answer in time",
}
PUBLIC_ERRORS = (413, 422, 429, 503)
_ERROR_SCHEMA = {
    "title": "ErrorBody",
    "type": "object",
    "required": ["error", "message", "hint", "details"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "hint": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "details": {"type": "object"},
    },
}
_HTTP_ERROR_SCHEMA = {"type": "object", "required": ["detail"],
                      "properties": {"detail": {"type": "string"}}}
_VALIDATION_ERROR_REF = "#/components/schemas/HTTPValidationError"


def document_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the security schemes and the error answers to a generated OpenAPI schema."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["ErrorBody"] = _ERROR_SCHEMA
    components["securitySchemes"] = {
        "apiKey": {"type": "http", "scheme": "bearer",
                   "description": "An API key: `Authorization: Bearer kb_...`"},
        "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                    "description": "The web session from POST /auth/login (unsafe "
                    "methods also need the X-CSRF-Token header)"},
    }
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    for path, operations in schema.get("paths", {}).items():
        public = is_public(path)
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if not public:
                operation["security"] = [{"apiKey": []}, {"session": []}]
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation and "400" not in responses:
                # FastAPI's answer to a body it cannot parse (not JSON, broken form).
                responses["400"] = {"description": "The body cannot be parsed", "content": {
                    "application/json": {"schema": {"anyOf": [_HTTP_ERROR_SCHEMA, error_ref]}}}}
            codes = PUBLIC_ERRORS if public else tuple(ERROR_STATUSES)
            if path == "/auth/login":
                codes = (401, *codes)
            for code in codes:
                content: dict[str, Any] = {"application/json": {"schema": error_ref}}
                if code == 422:
                    # FastAPI's own validation errors, or a kambot DataError.
                    content = {"application/json": {"schema": {"anyOf": [
                        {"$ref": _VALIDATION_ERROR_REF}, error_ref]}}}
                    components["schemas"].setdefault("HTTPValidationError", {
                        "title": "HTTPValidationError", "type": "object",
                        "properties": {"detail": {"type": "array", "items": {}}}})
                existing = responses.get(str(code))
                if existing is None or code == 422:
                    response: dict[str, Any] = {"description": ERROR_STATUSES[code],
                                                "content": content}
                    if code == 429:
                        response["headers"] = {"Retry-After": {
                            "description": "Seconds to wait", "schema": {"type": "integer"}}}
                    responses[str(code)] = response
            for code, description in ROUTE_ERROR_STATUSES.items():
                declared = responses.get(str(code))
                if declared is not None and "content" not in declared:
                    declared.setdefault("description", description)
                    declared["content"] = {"application/json": {"schema": error_ref}}
    return schema


def _document_errors(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        # FastAPI caches the schema until routes change; document each new one once.
        schema = generate()
        if not schema.get("x-kambot-documented"):
            document_schema(schema)
            schema["x-kambot-documented"] = True
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_security(app: FastAPI) -> None:
    """Install the security layer on an app whose routers are all included."""
    settings: Settings = app.state.settings
    runtime = build_runtime(app, settings)
    app.state.auth = runtime
    _protect_schema(app)
    _document_errors(app)
    app.add_middleware(SecurityMiddleware, runtime=runtime, schema=app.openapi)
