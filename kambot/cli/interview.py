"""CLI: executive interviews, "what next?" and feedback.

``kambot interview start|answer|pause|resume|show|list|synthesis``, ``kambot next``,
``kambot feedback add|themes|review``. The CLI runs as the local operator (an
administrator), who may run interviews for any executive. Only typer is imported at
module level; each command imports what it needs. Importing this module registers
its commands on the ``kambot`` application.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from kambot.assistant.interview import InterviewService, InterviewTurn
    from kambot.config import Settings

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Language: fr or en.")]
IdArg = Annotated[int, typer.Argument(help="The interview id.")]

interview_app = typer.Typer(
    help="Executive alignment interviews: one question at a time, then the synthesis.",
    rich_markup_mode=None, no_args_is_help=True,
)
feedback_app = typer.Typer(
    help="Feedback after the launch: leave it, then read it grouped by theme.",
    rich_markup_mode=None, no_args_is_help=True,
)


def _settings(lang: str | None) -> tuple[Settings, Any]:
    from kambot.cli import _settings_and_lang

    return _settings_and_lang(lang)


def _service(settings: Settings) -> InterviewService:
    from kambot.assistant.interview import InterviewService
    from kambot.assistant.portfolio import open_store

    return InterviewService(settings, open_store(settings))


def _show_turn(turn: InterviewTurn, as_json: bool) -> None:
    from kambot.cli import render

    if as_json:
        render.json_out(turn.model_dump(mode="json"))
        return
    fr = turn.lang == "fr"
    if turn.preamble:
        render.console.print(turn.preamble, style="dim")
    if turn.flags:
        render.console.print(("Marqueurs d'injection relevés dans la réponse (conservée comme "
                              "donnée) : " if fr else "Injection markers found in the answer "
                              "(kept as data): ") + ", ".join(turn.flags), style="yellow")
    head = f"[{turn.id}] " + (f"{turn.theme_title}" if turn.theme_title else "")
    if turn.probe:
        head += " (relance)" if fr else " (follow-up)"
    if turn.status == "paused":
        head += " (en pause)" if fr else " (paused)"
    render.console.print(head, style="bold")
    render.console.print(turn.question)
    covered = sum(turn.coverage.values()) / max(1, len(turn.coverage))
    render.console.print(("Couverture : " if fr else "Coverage: ") + f"{covered:.0%}",
                         style="dim")


@interview_app.command("start")
def start(
    executive: Annotated[
        str | None, typer.Option("--executive", "-e", help="Name or person key of the executive.")
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Start an interview and print its first question."""
    from kambot.domain.identity import operator

    settings, lg = _settings(lang)
    turn = _service(settings).start(operator(), executive, lg)
    _show_turn(turn, as_json)


@interview_app.command("answer")
def answer(
    interview_id: IdArg,
    text: Annotated[
        str | None, typer.Argument(help="The answer; read from standard input when omitted.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer the pending question and print the next one."""
    from kambot.domain.identity import operator

    settings, _ = _settings(None)
    given = text if text is not None else sys.stdin.read()
    turn = _service(settings).answer(operator(), interview_id, given)
    _show_turn(turn, as_json)


@interview_app.command("pause")
def pause(interview_id: IdArg, as_json: JsonOpt = False) -> None:
    """Pause an interview; resume it later where it stopped."""
    from kambot.domain.identity import operator

    settings, _ = _settings(None)
    _show_turn(_service(settings).pause(operator(), interview_id), as_json)


@interview_app.command("resume")
def resume(interview_id: IdArg, as_json: JsonOpt = False) -> None:
    """Resume a paused interview and print its pending question."""
    from kambot.domain.identity import operator

    settings, _ = _settings(None)
    _show_turn(_service(settings).resume(operator(), interview_id), as_json)


@interview_app.command("show")
def show(interview_id: IdArg, as_json: JsonOpt = False) -> None:
    """Print an interview's transcript and structured record."""
    from kambot.cli import render
    from kambot.domain.identity import operator

    settings, _ = _settings(None)
    view = _service(settings).view(operator(), interview_id)
    if as_json:
        render.json_out(view.model_dump(mode="json"))
        return
    fr = view.record.lang == "fr"
    render.console.print(f"[{view.summary.id}] {view.summary.executive} "
                         f"({view.summary.status})", style="bold")
    for entry in view.transcript:
        who = "Q" if entry.speaker == "interviewer" else "R" if fr else "A"
        render.console.print(f"{who}: {entry.text}",
                             style="cyan" if entry.speaker == "interviewer" else None)
    render.console.print("")
    for pos in view.record.positions:
        render.console.print(f"- {pos.theme}: {pos.summary or '-'} "
                             f"({pos.coverage:.0%})")
    for c in view.record.commitments:
        render.console.print(f"  * {c.account_name or c.mentioned}: {c.status}")


@interview_app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """List the interviews, most recently updated first."""
    from kambot.cli import render
    from kambot.domain.identity import operator

    settings, _ = _settings(None)
    rows = _service(settings).list_interviews(operator())
    if as_json:
        render.json_out([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        render.console.print(f"[{r.id}] {r.executive}: {r.status}, {r.coverage:.0%}")


@interview_app.command("synthesis")
def synthesis(as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    """Print the synthesis of the completed interviews (Markdown)."""
    from kambot.cli import render
    from kambot.domain.identity import operator

    settings, lg = _settings(lang)
    service = _service(settings)
    result = service.synthesise(operator(), lg)
    if as_json:
        render.json_out(result.model_dump(mode="json"))
        return
    sys.stdout.write(service.render_synthesis(result, lg))


def next_command(as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    """Say what to do next on the programme's path, why and how, citing the methodology."""
    from kambot.assistant.coaching import next_step
    from kambot.assistant.portfolio import open_store
    from kambot.cli import render

    settings, lg = _settings(lang)
    advice = next_step(settings, open_store(settings), lg)
    if as_json:
        render.json_out(advice.model_dump(mode="json"))
        return
    sys.stdout.write(advice.text + "\n")


@feedback_app.command("add")
def feedback_add(
    text: Annotated[str, typer.Argument(help="The feedback or concern.")],
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Leave a piece of feedback; it is stored with its theme."""
    from kambot.assistant.feedback import record_feedback
    from kambot.assistant.portfolio import open_store
    from kambot.cli import render
    from kambot.domain.identity import operator

    settings, _ = _settings(None)
    item = record_feedback(open_store(settings), operator(), text,
                           lang if lang in ("fr", "en") else None,  # type: ignore[arg-type]
                           knowledge_dir=settings.knowledge_dir)
    if as_json:
        render.json_out(item.model_dump(mode="json"))
        return
    render.ok(f"[{item.id}] {item.theme_label}")


@feedback_app.command("themes")
def feedback_themes_command(as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    """Show the feedback grouped by theme, with representative quotes."""
    from kambot.assistant.feedback import feedback_themes
    from kambot.assistant.portfolio import open_store
    from kambot.cli import render

    settings, lg = _settings(lang)
    themes = feedback_themes(open_store(settings), lang=lg, knowledge_dir=settings.knowledge_dir)
    if as_json:
        render.json_out([t.model_dump(mode="json") for t in themes])
        return
    for t in themes:
        render.console.print(f"{t.label}: {t.count}", style="bold")
        for item in t.items[:3]:
            render.console.print(f"  > {item.text}")


@feedback_app.command("review")
def feedback_review(lang: LangOpt = None) -> None:
    """Print the feedback section of the programme review pack (Markdown)."""
    from kambot.assistant.feedback import feedback_review_markdown
    from kambot.assistant.portfolio import open_store

    settings, lg = _settings(lang)
    sys.stdout.write(feedback_review_markdown(open_store(settings), lg,
                                              knowledge_dir=settings.knowledge_dir))


def register(parent: typer.Typer) -> None:
    """Add ``interview``, ``feedback`` and ``next`` to the ``kambot`` application."""
    parent.add_typer(interview_app, name="interview")
    parent.add_typer(feedback_app, name="feedback")
    parent.command("next")(next_command)


def _register_on_import() -> None:
    from kambot.cli import app

    register(app)


_register_on_import()
