"""`kambot chat`: talk to kambot in the terminal; answers stream as they are written.

Registered on the main app by importing this module (see the marker in
``kambot/cli/__init__.py``). Only typer is imported at module top, so that
``kambot --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from kambot.cli import app

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.engine import Engine

    from kambot.assistant.chat import ChatEvent, ChatService
    from kambot.domain.identity import Principal

QUIT = frozenset({"/quit", "/exit", "/q", ":q"})
HISTORY_SHOWN = 6


def principal_for(engine: Engine, username: str | None) -> Principal:
    """Return who the chat runs for: a stored user, or the local operator.

    With ``--user`` and a user store in the database, the user's role and account
    scope apply (an unknown or deactivated user is refused); without a user store, or
    without ``--user``, the local operator (admin) is used.

    Raises:
        NotFoundError: no such user. PermissionDeniedError: the user is deactivated.
    """
    import sqlalchemy as sa

    from kambot.domain.identity import Principal, Role, operator
    from kambot.errors import PermissionDeniedError

    if username is None or not sa.inspect(engine).has_table("users"):
        return operator()
    from kambot.auth.users import get_user

    info = get_user(engine, username)
    if not info.active:
        raise PermissionDeniedError(f"the user {username!r} is deactivated",
                                    hint="ask an administrator")
    scoped = info.role in (Role.KAM, Role.EXECUTIVE)
    return Principal(user_id=info.id, username=info.username, role=info.role,
                     account_ids=frozenset(a.id for a in info.accounts) if scoped
                     else frozenset())


def _render_turn(console: Console, events: Any) -> None:
    """Print a turn's events as they come: text, then sources and any confirmation."""
    from rich.markup import escape

    citations: list[dict[str, Any]] = []
    confirm: dict[str, Any] | None = None
    for event in events:
        chat_event: ChatEvent = event
        if chat_event.event == "token":
            console.print(chat_event.data["text"], end="", markup=False, highlight=False,
                          soft_wrap=True)
            console.file.flush()
        elif chat_event.event == "citation":
            citations.append(chat_event.data)
        elif chat_event.event == "confirm":
            confirm = chat_event.data
        elif chat_event.event == "error":
            console.print(f"\n[bold red]error:[/bold red] {escape(chat_event.data['message'])}",
                          highlight=False)
            if chat_event.data.get("hint"):
                console.print(f"  {chat_event.data['hint']}", highlight=False, markup=False)
            return
    console.print()
    if citations:
        console.print()
        for number, cite in enumerate(citations, start=1):
            console.print(f"[dim]\\[{number}] {escape(cite['label'])} ({escape(cite['id'])})"
                          "[/dim]", highlight=False)
    if confirm is not None:
        console.print(f"[yellow]? {escape(confirm['summary'])}[/yellow]", highlight=False)


def _resume(console: Console, service: ChatService, principal: Principal,
            session_id: int) -> None:
    from rich.markup import escape

    view = service.history(principal, session_id)
    console.print(f"[dim]Resuming session {view.id}: {escape(view.title or '')}[/dim]",
                  highlight=False)
    for message in view.messages[-HISTORY_SHOWN:]:
        who = "you" if message.role == "user" else "kambot"
        first = message.content.splitlines()[0] if message.content else ""
        console.print(f"[dim]{who}> {escape(first[:160])}[/dim]", highlight=False)


def _ask(console: Console) -> str | None:
    try:
        return console.input("[bold cyan]you>[/bold cyan] ")
    except (EOFError, KeyboardInterrupt):
        return None


@app.command("chat")
def chat(
    lang: Annotated[str | None, typer.Option(
        "--lang", help="Answer in fr or en (otherwise the language you write in).")] = None,
    session: Annotated[int | None, typer.Option(
        "--session", help="Resume this conversation (its id).")] = None,
    user: Annotated[str | None, typer.Option(
        "--user", help="Talk as this user of the user store (their role and accounts); "
        "the local operator by default.")] = None,
    message: Annotated[list[str] | None, typer.Option(
        "--message", "-m", help="Send this message, print the answer and exit "
        "(repeatable); otherwise read messages from the terminal.")] = None,
) -> None:
    """Talk to kambot: methodology, KPIs, documents, coaching, interviews (streamed)."""
    from rich.console import Console

    from kambot.assistant.chat import ChatService
    from kambot.assistant.portfolio import open_store
    from kambot.cli import _set_lang, _settings_and_lang

    if lang is not None:
        _set_lang(lang)
    settings, _ = _settings_and_lang(None)
    turn_lang = settings.lang if lang is not None else None
    console = Console(highlight=False)
    engine = open_store(settings)
    try:
        principal = principal_for(engine, user)
        service = ChatService(settings, engine)
        if session is None:
            session = service.create_session(principal, turn_lang).id
            if message is None:
                console.print(f"[dim]kambot chat — session {session} (resume with "
                              f"--session {session}); /quit to leave[/dim]", highlight=False)
        elif message is None:
            _resume(console, service, principal, session)
        else:
            service.history(principal, session)
        queue = list(message or [])
        while True:
            text = queue.pop(0) if message is not None and queue else (
                None if message is not None else _ask(console))
            if text is None or text.strip() in QUIT:
                break
            if not text.strip():
                continue
            if message is None:
                console.print("[bold green]kambot>[/bold green] ", end="")
            _render_turn(console, service.turn(principal, session, text, lang=turn_lang))
    finally:
        engine.dispose()
