"""The MCP server: kambot's read-only tools for AI desktops and IDE agents.

Transports: stdio (the client starts ``kambot mcp`` itself) and streamable HTTP
(``kambot mcp --transport http``, endpoint ``/mcp``).

Who a call runs for (see :mod:`kambot.mcp_server.principal` for the process principal):

- over stdio, always the process principal;
- over HTTP, a request carrying ``Authorization: Bearer <API key>`` runs for that key's
  user (checked like the API does, with a short cache); a request without one runs for
  the process principal, which exists only when the server listens on a loopback
  interface. On any other interface every client must send its own key.

Errors: a kambot error becomes a tool error (``is_error``) with its message and hint;
an account outside the caller's scope reads exactly like an unknown one. Anything
unexpected becomes the SDK's generic "Error executing tool ..." with nothing of the
original text. Every call is recorded in the access audit (``method`` = ``MCP``).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from kambot import __version__
from kambot.config import Settings
from kambot.domain.identity import Principal
from kambot.errors import (
    AuthenticationError,
    KambotError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from kambot.mcp_server.tools import (
    AccountFigures,
    AccountList,
    DraftKind,
    DraftView,
    KambotTools,
    Lang,
    MethodologyAnswer,
    SegmentationView,
    SponsorshipView,
)

if TYPE_CHECKING:
    from kambot.auth.authenticator import Authenticator

log = logging.getLogger(__name__)
T = TypeVar("T")
Transport = Literal["stdio", "http"]
SERVER_NAME = "kambot"
HTTP_PATH = "/mcp"
INSTRUCTIONS = (
    "kambot answers questions about Key Account Management (KAM) and the user's KAM "
    "programme. Every figure comes from kambot's deterministic computations and every "
    "sentence of an answer or a draft cites its source (a methodology passage id such "
    "as en/segmentation#..., or a fact id such as acct:42/kpi:revenue_ttm): keep the "
    "citations when you quote. The tools are read-only and limited to the accounts the "
    "user may see; an account outside that scope is reported as unknown."
)
_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                             open_world_hint=False)

Question = Annotated[str, Field(min_length=1, max_length=2000,
                                description="the question, in French or English")]
AccountRef = Annotated[str, Field(min_length=1, max_length=200,
                                  description="account external id, database id or exact name")]
OptionalAccount = Annotated[str | None, Field(
    max_length=200,
    description="an account (external id, id or name) whose notes are searched too")]
LangArg = Annotated[Lang | None, Field(description="answer language: fr or en")]
Instructions = Annotated[str | None, Field(max_length=2000,
                                           description="what the user wants stressed")]


def is_loopback(host: str) -> bool:
    """Tell whether ``host`` names a loopback interface."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Gateway:
    """Resolve who each call runs for, run the tool, audit it, translate its errors.

    Args:
        tools: the toolset.
        principal: who a call without its own credentials runs for (None: such calls
            are refused).
    """

    # Failed key checks share one bucket: each costs an argon2 verification.
    FAILED_KEYS = "mcp:failed-keys"

    def __init__(self, tools: KambotTools, principal: Principal | None) -> None:
        """Keep the toolset and the default principal; rate-limit like the API."""
        from kambot.auth.authenticator import Authenticator
        from kambot.auth.ratelimit import RateLimiter

        self.tools = tools
        self.principal = principal
        engine = tools.service.engine
        self.authenticator: Authenticator = Authenticator(lambda: engine)
        self.limiter = RateLimiter(tools.settings.rate_limit_per_minute)

    def principal_for(self, headers: Any) -> Principal:
        """Return the principal of a call, from its HTTP headers or the default.

        Each key (or the default principal) may make ``rate_limit_per_minute`` calls a
        minute, as over the API.

        Raises:
            AuthenticationError: a wrong key, or no key and no default principal.
            RateLimitedError: too many calls, or too many failed keys, this minute.
        """
        authorization = headers.get("authorization") if headers is not None else None
        if authorization:
            scheme, _, key = str(authorization).partition(" ")
            if scheme.lower() != "bearer" or not key.strip():
                raise AuthenticationError("use 'Authorization: Bearer <API key>'")
            identity = self.authenticator.cached_key(key.strip())
            if identity is None:
                self._limit(self.FAILED_KEYS, peek=True)
                identity = self.authenticator.api_key(key.strip())
            if identity is None:
                self._limit(self.FAILED_KEYS)
                raise AuthenticationError("unknown or revoked API key",
                                          hint="ask an administrator for a new key")
            self._limit(f"key:{identity.key_id}")
            return identity.principal
        if self.principal is None:
            raise AuthenticationError(
                "this MCP server needs credentials",
                hint="send 'Authorization: Bearer <API key>' with every request")
        self._limit(f"user:{self.principal.username}")
        return self.principal

    def _limit(self, bucket: str, *, peek: bool = False) -> None:
        decision = self.limiter.exhausted(bucket) if peek else self.limiter.hit(bucket)
        if decision is not None and not decision.allowed:
            limit = self.tools.settings.rate_limit_per_minute
            raise RateLimitedError(
                f"too many calls: the limit is {limit} per minute",
                hint=f"retry in {decision.retry_after_s} s, or raise "
                     "KAMBOT_RATE_LIMIT_PER_MINUTE")

    def call(self, ctx: Context | None, tool: str, object_type: str, object_id: str | None,
             run: Callable[[Principal], T]) -> T:
        """Run one tool call for the caller of ``ctx``; kambot errors become tool errors."""
        headers = None
        if ctx is not None:
            try:
                headers = ctx.headers
            except ValueError:  # a context outside of a request: no headers
                headers = None
        principal: Principal | None = None
        try:
            principal = self.principal_for(headers)
            result = run(principal)
        except KambotError as exc:
            self._audit(principal, tool, object_type, object_id, _outcome(exc))
            raise ToolError(str(exc)) from exc
        except Exception:
            self._audit(principal, tool, object_type, object_id, "error")
            raise
        self._audit(principal, tool, object_type, object_id, "ok")
        return result

    def _audit(self, principal: Principal | None, tool: str, object_type: str,
               object_id: str | None, outcome: str) -> None:
        from kambot.auth.audit import AuditEntry, record_access

        entry = AuditEntry.for_principal(
            principal, action="read", object_type=object_type, object_id=object_id,
            outcome=outcome, method="MCP", path=f"mcp:{tool}", details={"tool": tool})
        try:
            record_access(self.tools.service.engine, [entry])
        except Exception:  # the audit must not turn a read into a failure; it is logged
            log.exception("could not record the audit entry of MCP tool %s", tool)


def _outcome(exc: KambotError) -> str:
    if isinstance(exc, AuthenticationError):
        return "unauthenticated"
    if isinstance(exc, PermissionDeniedError):
        return "denied"
    if isinstance(exc, NotFoundError):
        return "not_found"
    if isinstance(exc, RateLimitedError):
        return "limited"
    return "invalid"


def build_server(tools: KambotTools, principal: Principal | None) -> MCPServer:
    """Build the MCP server over a toolset.

    Args:
        tools: the read-only use cases over one data directory.
        principal: who calls without their own API key run for (stdio, or HTTP on a
            loopback interface); None makes every call need a key (HTTP only).

    Returns:
        The server, ready for ``run_stdio_async`` or ``streamable_http_app``, or for an
        in-process ``mcp.Client``.
    """
    gateway = Gateway(tools, principal)
    server: MCPServer = MCPServer(SERVER_NAME, title="kambot",
                                  description="Key Account Management assistant (read-only)",
                                  instructions=INSTRUCTIONS, version=__version__,
                                  log_level="WARNING")

    @server.tool(annotations=_READ_ONLY)
    def ask_methodology(question: Question, ctx: Context, lang: LangArg = None,
                        account: OptionalAccount = None) -> MethodologyAnswer:
        """Answer a question about the KAM methodology, citing every sentence.

        Each sentence of the answer is taken from a passage of the methodology (or of
        the account's notes when an account is given) and ends with the passage id in
        brackets. When the material does not answer, `abstained` is true and the answer
        says so, listing the closest passages.
        """
        return gateway.call(ctx, "ask_methodology", "account" if account else "methodology",
                            account, lambda p: tools.ask_methodology(p, question, lang, account))

    @server.tool(annotations=_READ_ONLY)
    def list_accounts(ctx: Context) -> AccountList:
        """List the accounts the user may see, by revenue, with quadrant and tier."""
        return gateway.call(ctx, "list_accounts", "account", None, tools.list_accounts)

    @server.tool(annotations=_READ_ONLY)
    def account_kpis(account: AccountRef, ctx: Context) -> AccountFigures:
        """Return one account's KPIs, its position on the portfolio matrix and its tier.

        Revenue (trailing 12 months and growth), share of wallet, margin, pipeline, win
        rate, buying-centre coverage, last executive contact, escalations; the
        attractiveness and strength scores with each criterion's contribution; the
        service tier and why.
        """
        return gateway.call(ctx, "account_kpis", "account", account,
                            lambda p: tools.account_kpis(p, account))

    @server.tool(annotations=_READ_ONLY)
    def segmentation(ctx: Context) -> SegmentationView:
        """Rank the strategic segments and count accounts per matrix quadrant.

        For executives, programme leads and admins (portfolio-wide).
        """
        return gateway.call(ctx, "segmentation", "portfolio", "segmentation",
                            tools.segmentation)

    @server.tool(annotations=_READ_ONLY)
    def draft_document(kind: DraftKind, ctx: Context, account: OptionalAccount = None,
                       lang: LangArg = None,
                       instructions: Instructions = None) -> DraftView:
        """Draft a grounded document and return it as Markdown, without saving it.

        Kinds: account_strategy, executive_summary and ceb (Customer Executive Brief)
        are about one account (give `account`); sponsorship_plan and programme_review
        cover the programme. Every statement cites a methodology passage or a fact; the
        draft is not stored, so nothing changes in kambot.
        """
        return gateway.call(ctx, "draft_document", "document",
                            f"{kind}/{account}" if account else kind,
                            lambda p: tools.draft_document(p, kind, account, lang,
                                                           instructions))

    @server.tool(annotations=_READ_ONLY)
    def sponsorship_plan(ctx: Context) -> SponsorshipView:
        """Return the executive-sponsor assignment of the key accounts, with reasons.

        Each key account gets an executive sponsor (kept when the current one fits),
        within each executive's capacity; the meeting cadence per tier is included.
        For executives, programme leads and admins.
        """
        return gateway.call(ctx, "sponsorship_plan", "portfolio", "sponsorship",
                            tools.sponsorship_plan)

    return server


def serve(settings: Settings, *, transport: Transport = "stdio", host: str = "127.0.0.1",
          port: int = 8765, user: str | None = None, api_key: str | None = None) -> None:
    """Run the MCP server until the client disconnects (stdio) or the process stops (HTTP).

    Raises:
        ConfigError: no principal while users exist (stdio), or no user store to check
            keys against on a non-loopback interface.
        AuthenticationError: a bad ``api_key``.
        NotFoundError: an unknown ``user``.
    """
    import anyio

    from kambot.errors import ConfigError
    from kambot.mcp_server.principal import resolve_principal, users_exist

    tools = KambotTools(settings)
    engine = tools.service.engine
    if transport == "http" and not is_loopback(host):
        if user is not None or api_key is not None:
            raise ConfigError(
                f"--user and --api-key would let anyone reaching {host} act as that user",
                hint="on a network interface every MCP client sends its own "
                "'Authorization: Bearer <API key>'; drop --user/--api-key")
        if not users_exist(engine):
            raise ConfigError(
                f"no kambot user exists, so nobody could authenticate on {host}",
                hint="create users and keys first (`kambot user add`), or listen on 127.0.0.1")
        principal: Principal | None = None
    elif transport == "http" and user is None and api_key is None and users_exist(engine):
        principal = None  # every HTTP client then sends its own key
    else:
        principal = resolve_principal(engine, user=user, api_key=api_key)
    server = build_server(tools, principal)
    if transport == "stdio":
        anyio.run(server.run_stdio_async)
        return
    import uvicorn

    app = server.streamable_http_app(streamable_http_path=HTTP_PATH, host=host)
    uvicorn.run(app, host=host, port=port, log_level="warning")
