"""The `kambot` command line.

Only typer is imported at start so that `kambot --help` stays fast; every command
imports what it needs. Errors become `error: ...` lines and a non-zero exit here, and
nowhere else.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

if TYPE_CHECKING:
    from kambot.config import Settings

app = typer.Typer(
    name="kambot",
    help=(
        "kambot: build and run a Key Account Management programme, offline.\n\n"
        "Start with `kambot demo` (loads a fictitious company), or `kambot init "
        "--programme FILE` then `kambot import FILE`. Settings come from KAMBOT_* "
        "environment variables (KAMBOT_DATA_DIR, KAMBOT_DATABASE_URL, KAMBOT_LANG...)."
    ),
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
)

Lang = Literal["fr", "en"]


@dataclass
class _Context:
    lang: Lang | None = None
    data_dir: Path | None = None

    def settings(self) -> Settings:
        from kambot.config import load_settings

        overrides: dict[str, Any] = {}
        if self.lang:
            overrides["lang"] = self.lang
        if self.data_dir:
            overrides["data_dir"] = self.data_dir
        return load_settings(**overrides)


_ctx = _Context()

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
LangOpt = Annotated[
    str | None, typer.Option("--lang", help="Language of the output: fr or en.")
]


def _set_lang(lang: str | None) -> None:
    if lang is None:
        return
    if lang not in ("fr", "en"):
        raise typer.BadParameter("choose fr or en", param_hint="--lang")
    _ctx.lang = lang  # type: ignore[assignment]


@app.callback()
def _options(
    lang: LangOpt = None,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Data directory (default: KAMBOT_DATA_DIR)."),
    ] = None,
) -> None:
    _set_lang(lang)
    _ctx.data_dir = data_dir


def _settings_and_lang(lang: str | None) -> tuple[Settings, Lang]:
    _set_lang(lang)
    settings = _ctx.settings()
    return settings, settings.lang


# --- setup ------------------------------------------------------------------------------


@app.command()
def init(
    programme: Annotated[
        Path | None,
        typer.Option("--programme", "-p", help="Programme YAML (segments, criteria, tiers...)."),
    ] = None,
    lang: LangOpt = None,
) -> None:
    """Create or upgrade the database, and load a programme definition."""
    from kambot.assistant.portfolio import initialise
    from kambot.cli import render

    settings, lg = _settings_and_lang(lang)
    initialise(settings, programme)
    render.ok(render.t("initialised", lg) + f": {settings.resolved_database_url}")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file, or a folder of native files.")],
    mapping: Annotated[
        str | None,
        typer.Option(
            "--mapping", "-m",
            help="Column-mapping YAML file or preset name (salesforce_opportunities, "
            "hubspot_companies, erp_invoice_lines...).",
        ),
    ] = None,
    entity: Annotated[
        str | None,
        typer.Option("--entity", "-e", help="What the file holds when it cannot be inferred."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate everything and write nothing.")
    ] = False,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Import accounts, contacts, opportunities, invoice lines... (all or nothing)."""
    from kambot.assistant.portfolio import open_store
    from kambot.cli import render
    from kambot.errors import ImportRejectedError
    from kambot.store.importers.runner import import_bundle, import_file

    settings, lg = _settings_and_lang(lang)
    engine = open_store(settings)
    try:
        with render.progress(f"{file.name}", lg, quiet=as_json) as tick:
            if file.is_dir():
                reports = import_bundle(engine, settings, file, dry_run=dry_run, progress=tick)
            else:
                reports = [
                    import_file(engine, settings, file, entity=entity, mapping=mapping,
                                dry_run=dry_run, progress=tick)
                ]
    except ImportRejectedError as exc:
        report = exc.details.get("report")
        if as_json and report is not None:
            render.json_out({"status": "rejected", "report": report.model_dump(mode="json")})
        elif report is not None:
            render.lines(report.summary_lines(lg), style="red")
        raise
    if not dry_run:
        from kambot.store.portfolio import refresh_portfolio_snapshot

        # Pay the full read of the tables now rather than at the next analysis.
        refresh_portfolio_snapshot(engine)
    if as_json:
        render.json_out([r.model_dump(mode="json") for r in reports])
        return
    for report in reports:
        render.lines(report.summary_lines(lg), style="green")


# --- portfolio --------------------------------------------------------------------------


def _service(settings: Settings) -> Any:
    from kambot.assistant.portfolio import PortfolioService

    return PortfolioService(settings)


@app.command()
def segment(as_json: JsonOpt = False, lang: LangOpt = None) -> None:
    """Rank strategic segments, then place every account on the portfolio matrix."""
    from kambot.cli import render

    settings, lg = _settings_and_lang(lang)
    analysis = _service(settings).analysis()
    if as_json:
        render.json_out(render.segmentation_payload(analysis))
        return
    render.segments_table(analysis, lg)
    render.matrix_summary(analysis, lg)


@app.command()
def select(
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity", help="Move each weight by ±20% and show changes.")
    ] = False,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Select key accounts under capacity, with a rationale each and the runners-up."""
    from kambot.cli import render

    settings, lg = _settings_and_lang(lang)
    analysis = _service(settings).analysis()
    report = analysis.sensitivity() if sensitivity else None
    if as_json:
        payload: dict[str, Any] = {"selection": analysis.selection_result.model_dump(mode="json")}
        if report is not None:
            payload["sensitivity"] = report.model_dump(mode="json")
        render.json_out(payload)
        return
    render.selection_table(analysis, lg)
    if report is not None:
        render.sensitivity_table(report, lg)


@app.command()
def tiers(
    by: Annotated[
        str | None, typer.Option("--by", help="Summarise per 'country' or 'bu'.")
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Give every account its service tier (Gold / Silver / Bronze) and say why."""
    from kambot.cli import render

    settings, lg = _settings_and_lang(lang)
    analysis = _service(settings).analysis()
    summary = analysis.tier_summary(by)
    if as_json:
        accounts = analysis.portfolio.accounts
        render.json_out({
            "summary": [s.model_dump(mode="json") for s in summary],
            "accounts": [analysis.tier_assignment(x).model_dump(mode="json")
                         for x in accounts.external_ids],
        })
        return
    render.tiers_tables(analysis, summary, lg)


@app.command()
def kpis(
    account: Annotated[
        str | None, typer.Argument(help="Account name or id; omit for the whole programme.")
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Show one account's KPIs, or the programme KPIs and the top accounts."""
    from kambot.cli import render

    settings, lg = _settings_and_lang(lang)
    service = _service(settings)
    analysis = service.analysis()
    if account is not None:
        ext = service.resolve_account(account)
        row = analysis.account_kpis(ext)
        if as_json:
            payload = row.model_dump(mode="json")
            payload["score"] = analysis.account_score(ext).model_dump(mode="json")
            payload["tier"] = analysis.tier_assignment(ext).model_dump(mode="json")
            render.json_out(payload)
            return
        render.account_kpis(analysis, ext, lg)
        return
    prog = analysis.programme_kpis()
    if as_json:
        render.json_out(prog.model_dump(mode="json"))
        return
    render.programme_kpis(analysis, prog, lg)


@app.command()
def scenarios(
    account: Annotated[
        str | None, typer.Argument(help="Account name or id; omit for the programme.")
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Project revenue over 3 years: base, upside and downside, assumptions stated."""
    from kambot.cli import render

    settings, lg = _settings_and_lang(lang)
    service = _service(settings)
    analysis = service.analysis()
    if account is not None:
        result = analysis.account_scenarios(service.resolve_account(account))
    else:
        result = analysis.programme_scenarios()
    if as_json:
        render.json_out(result.model_dump(mode="json"))
        return
    render.scenarios_table(result, lg, analysis.programme.currency)


# --- methodology search -----------------------------------------------------------------


@app.command()
def reindex(lang: LangOpt = None) -> None:
    """Rebuild the search indexes (Chroma + BM25) from the knowledge folder and notes."""
    from kambot.assistant.portfolio import open_store
    from kambot.cli import render
    from kambot.retrieval.index import reindex as rebuild

    settings, lg = _settings_and_lang(lang)
    engine = open_store(settings)
    with render.stage_progress(lg) as step:
        report = rebuild(settings, engine, progress=step)
    render.ok(f"{report.chunks} chunks ({report.methodology_chunks} methodology, "
              f"{report.account_chunks} account) in {report.seconds:.1f} s")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question about the KAM methodology.")],
    account: Annotated[
        str | None,
        typer.Option("--account", "-a", help="Also search this account's notes."),
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Answer from the methodology (and account notes), every sentence cited, offline."""
    from kambot.assistant.portfolio import open_store
    from kambot.cli import render
    from kambot.retrieval.answer import answer_question
    from kambot.retrieval.index import open_index
    from kambot.retrieval.models import Scope

    settings, _ = _settings_and_lang(None)
    engine = open_store(settings)
    scope = Scope.public()
    if account is not None:
        from kambot.store.db import session_scope
        from kambot.store.repositories import account_id

        with session_scope(engine) as session:
            scope = Scope(account_ids=frozenset({account_id(session, account)}))
    say = (lambda _m: None) if as_json else (lambda m: render.console.print(m, style="dim"))
    index = open_index(settings, engine, on_status=say)
    answer = answer_question(index, question, lang, scope=scope)
    if as_json:
        render.json_out(answer.model_dump(mode="json"))
        return
    render.answer(answer)


# --- drafting ---------------------------------------------------------------------------

_DRAFT_KINDS = {
    "strategy": "account_strategy",
    "summary": "executive_summary",
    "ceb": "ceb",
    "sponsorship": "sponsorship_plan",
    "review": "programme_review",
}


@app.command()
def draft(
    kind: Annotated[
        str, typer.Argument(help="strategy | summary | ceb (per account), sponsorship | review.")
    ],
    account: Annotated[
        str | None, typer.Argument(help="Account name or id (strategy, summary, ceb).")
    ] = None,
    all_accounts: Annotated[
        bool, typer.Option("--all", help="Draft for every key account, with a progress bar.")
    ] = False,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="md, docx or json.")
    ] = "md",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File (or folder with --all) to write.")
    ] = None,
    lang: LangOpt = None,
) -> None:
    """Draft a grounded document: every statement cites a passage or a fact."""
    from kambot.assistant.drafting import draft_all, draft_document
    from kambot.cli import render
    from kambot.errors import DataError

    if kind not in _DRAFT_KINDS:
        raise DataError(f"unknown document kind {kind!r}",
                        hint="choose one of " + ", ".join(_DRAFT_KINDS))
    if fmt not in ("md", "docx", "json"):
        raise DataError(f"unknown format {fmt!r}", hint="choose md, docx or json")
    settings, lg = _settings_and_lang(lang)
    service = _service(settings)
    doc_kind: Any = _DRAFT_KINDS[kind]
    if all_accounts:
        with render.progress(kind, lg, total_label=True) as tick:
            docs = draft_all(settings, service, doc_kind, lg,
                             progress=lambda done, _total: tick(done))
        folder = out or Path(".")
        folder.mkdir(parents=True, exist_ok=True)
        for doc in docs:
            _write_document(doc, fmt, folder / f"{doc.key.replace('/', '_')}.{fmt}")
        render.ok(f"{len(docs)} → {folder}")
        return
    doc = draft_document(settings, service, doc_kind, account, lg)
    if out is not None:
        _write_document(doc, fmt, out)
        render.ok(f"{doc.key} v{doc.version} → {out}")
        return
    if fmt == "docx":
        raise DataError("a DOCX document needs a file", hint="add --out FILE.docx")
    if fmt == "json":
        render.json_out(doc.model_dump(mode="json"))
        return
    from kambot.exports.markdown import render_markdown

    sys.stdout.write(render_markdown(doc))


def _write_document(doc: Any, fmt: str, path: Path) -> None:
    if fmt == "docx":
        from kambot.exports.docx import write_docx

        write_docx(doc, path)
    elif fmt == "json":
        path.write_text(doc.model_dump_json(indent=2), encoding="utf-8")
    else:
        from kambot.exports.markdown import render_markdown

        path.write_text(render_markdown(doc), encoding="utf-8")


# --- HR assessment ----------------------------------------------------------------------

assess_app = typer.Typer(
    help="Assess a KAM profile against the six traits (a proposal until HR decides).",
    rich_markup_mode=None, no_args_is_help=True,
)
app.add_typer(assess_app, name="assess")


@assess_app.command("run")
def assess_run(
    cv: Annotated[Path, typer.Argument(help="CV file: txt, md, docx or pdf.")],
    candidate: Annotated[str, typer.Option("--candidate", help="HR reference (not a name).")],
    target: Annotated[
        str, typer.Option("--target", help="hunter, farmer or project_director.")
    ] = "farmer",
    name: Annotated[
        str | None, typer.Option("--name", help="Candidate's name, only to mask it.")
    ] = None,
    notes: Annotated[
        Path | None, typer.Option("--notes", help="Structured-interview notes (text file).")
    ] = None,
    as_json: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Propose trait levels from verified evidence; the run is logged."""
    from kambot.assistant.assessment import assess_file
    from kambot.assistant.portfolio import open_store
    from kambot.exports.assessment_report import assessment_markdown

    settings, lg = _settings_and_lang(lang)
    engine = open_store(settings)
    result = assess_file(settings, engine, cv, target=target, lang=lg, candidate_ref=candidate,
                         candidate_name=name, interview_notes=notes)
    if as_json:
        from kambot.cli import render

        render.json_out(result.model_dump(mode="json"))
        return
    sys.stdout.write(assessment_markdown(result, lang=lg))


@assess_app.command("decide")
def assess_decide(
    run_id: Annotated[int, typer.Argument(help="The assessment run.")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who decides (HR).")],
    override: Annotated[
        bool, typer.Option("--override", help="Override the proposal (needs --reason).")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
) -> None:
    """Confirm or override a proposed assessment."""
    from kambot.assistant.assessment import decide
    from kambot.assistant.portfolio import open_store
    from kambot.cli import render

    settings = _ctx.settings()
    decision = decide(open_store(settings), run_id,
                      decision="overridden" if override else "confirmed",
                      reviewer=reviewer, reason=reason)
    render.ok(f"run {run_id}: {decision.kind} by {decision.reviewer}")


@assess_app.command("explain")
def assess_explain(
    run_id: Annotated[int, typer.Argument(help="The assessment run.")],
    lang: LangOpt = None,
) -> None:
    """Print the explanation owed to the person assessed (Markdown)."""
    from kambot.assistant.assessment import export_explanation
    from kambot.assistant.portfolio import open_store

    settings, lg = _settings_and_lang(lang)
    sys.stdout.write(export_explanation(open_store(settings), run_id, lang=lg))


@assess_app.command("erase")
def assess_erase(
    candidate: Annotated[str, typer.Argument(help="HR reference of the person to erase.")],
) -> None:
    """Erase a person's assessment data everywhere (and vacuum the database)."""
    from kambot.assistant.assessment import erase_candidate
    from kambot.assistant.portfolio import open_store
    from kambot.cli import render

    report = erase_candidate(open_store(_ctx.settings()), candidate)
    render.ok(f"erased: {report.runs_deleted} runs, {report.decisions_deleted} decisions")


@assess_app.command("purge")
def assess_purge(
    months: Annotated[
        int, typer.Option("--after-months", help="Erase people not contacted for this long.")
    ] = 24,
) -> None:
    """Apply the retention period (24 months after last contact by default)."""
    from kambot.assistant.assessment import purge
    from kambot.assistant.portfolio import open_store
    from kambot.cli import render

    report = purge(open_store(_ctx.settings()), purge_after_months=months)
    render.ok(f"purged {report.candidates_erased} people, {report.runs_deleted} runs "
              f"(cut-off {report.cutoff:%Y-%m-%d})")


@assess_app.command("fairness")
def assess_fairness(
    cvs: Annotated[list[Path], typer.Argument(help="CV files to swap attributes in.")],
    target: Annotated[str, typer.Option("--target")] = "farmer",
) -> None:
    """Run counterfactual pairs (names, gender, age, nationality swapped) and report."""
    from kambot.assistant.assessment import fairness_check
    from kambot.cli import render

    report = fairness_check(_ctx.settings(), list(cvs), target=target)
    render.lines(report.summary())


# --- demo and service -------------------------------------------------------------------


@app.command()
def demo(
    force: Annotated[
        bool, typer.Option("--force", help="Load even if the database holds another programme.")
    ] = False,
    serve_after: Annotated[
        bool, typer.Option("--serve", help="Start the API on the demo afterwards.")
    ] = False,
    lang: LangOpt = None,
) -> None:
    """Load the fictitious demo company and show what kambot computes from it."""
    from kambot.assistant.portfolio import PortfolioService, load_demo
    from kambot.cli import render

    settings, lg = _settings_and_lang(lang)
    with render.progress("demo", lg) as tick:
        reports = load_demo(settings, force=force, progress=tick)
    render.demo_loaded(settings, reports, lg)
    service = PortfolioService(settings)
    analysis = service.analysis()
    render.segments_table(analysis, lg)
    render.selection_table(analysis, lg, runners_up=3)
    render.tiers_tables(analysis, analysis.tier_summary(None), lg, per_account=False)
    render.programme_kpis(analysis, analysis.programme_kpis(), lg, top=5)
    from kambot.auth import ensure_demo_users

    render.demo_users(ensure_demo_users(service.engine), lg)
    render.next_steps(lg)
    if serve_after:
        _serve(settings)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
) -> None:
    """Serve the web app at / and the HTTP API (schema at /openapi.json, with a key)."""
    settings = _ctx.settings()
    if host:
        settings = settings.model_copy(update={"api_host": host})
    if port:
        settings = settings.model_copy(update={"api_port": port})
    _serve(settings)


def _serve(settings: Settings) -> None:
    import os

    import uvicorn

    # The API is an edge of its own: the library never imports it, uvicorn loads it by
    # name and rebuilds the settings from the environment.
    os.environ["KAMBOT_DATA_DIR"] = str(settings.data_dir)
    os.environ["KAMBOT_LANG"] = settings.lang
    uvicorn.run(
        "api.app:create_app_from_env", factory=True, host=settings.api_host,
        port=settings.api_port,
    )


# --- sub-commands defined in their own modules (each imports only typer at module top) ---
from kambot.cli import chat as _chat  # noqa: E402, F401  (registers `kambot chat`)
from kambot.cli import interview as _interview  # noqa: E402, F401  (interview, next, feedback)
from kambot.cli import mcp as _mcp  # noqa: E402, F401  (registers `kambot mcp`)
from kambot.cli import ops as _ops  # noqa: E402, F401  (backup, restore, doctor)
from kambot.cli import users as _users  # noqa: E402, F401  (registers `kambot user`)


def main() -> None:
    """Run the command line, turning kambot errors into readable messages."""
    from kambot.errors import KambotError

    try:
        app()
    except KambotError as exc:
        from kambot.cli import render

        lang: Lang = _ctx.lang or "en"
        render.error(exc, lang)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
