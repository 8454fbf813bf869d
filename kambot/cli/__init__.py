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
    analysis = PortfolioService(settings).analysis()
    render.segments_table(analysis, lg)
    render.selection_table(analysis, lg, runners_up=3)
    render.tiers_tables(analysis, analysis.tier_summary(None), lg, per_account=False)
    render.programme_kpis(analysis, analysis.programme_kpis(), lg, top=5)
    render.next_steps(lg)
    if serve_after:
        _serve(settings)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
) -> None:
    """Serve the HTTP API (OpenAPI documentation at /docs)."""
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
