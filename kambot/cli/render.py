"""Terminal output of the CLI: rich tables, progress bars, errors, JSON."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

from rich.console import Console
from rich.table import Table

from kambot.i18n import t

if TYPE_CHECKING:
    from kambot.config import Settings
    from kambot.core.analyse import PortfolioAnalysis
    from kambot.domain.analysis import ProgrammeKPIs, ScenarioSet, SensitivityReport, TierSummary
    from kambot.errors import KambotError
    from kambot.store.importers.report import ImportReport

Lang = Literal["fr", "en"]
console = Console()
err_console = Console(stderr=True)

__all__ = ["t"]


# --- formatting -------------------------------------------------------------------------


def money(value: float | None, lang: Lang) -> str:
    """Format an amount with thousands separators in the language's style."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{value:,.0f}"
    return text.replace(",", "\u202f") if lang == "fr" else text


def pct(value: float | None, lang: Lang, digits: int = 1) -> str:
    """Format a ratio (0.123) as a percentage."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{value * 100:.{digits}f}"
    return f"{text.replace('.', ',')}\u00a0%" if lang == "fr" else f"{text}%"


def num(value: float | None, lang: Lang, digits: int = 2) -> str:
    """Format a plain number."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "fr" else text


# --- plain output -----------------------------------------------------------------------


def ok(message: str) -> None:
    """Print a success line."""
    console.print(f"[green]✓[/green] {message}", highlight=False)


def lines(items: Sequence[str], style: str | None = None) -> None:
    """Print lines, the first one styled."""
    for k, line in enumerate(items):
        console.print(line, style=style if k == 0 else None, highlight=False, markup=False)


def json_out(payload: Any) -> None:
    """Print JSON (UTF-8, indented) to standard output."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def error(exc: KambotError, lang: Lang) -> None:
    """Print a kambot error and its hint on standard error."""
    err_console.print(f"[bold red]{t('error', lang)}:[/bold red] {exc.message}", highlight=False)
    if exc.hint:
        err_console.print(f"  {t('hint', lang)}: {exc.hint}", highlight=False, markup=False)


@contextmanager
def progress(
    label: str, lang: Lang, *, quiet: bool = False, total_label: bool = False
) -> Iterator[Callable[[int], None]]:
    """Show a live counter of rows (or documents) done; yield the callback to feed it."""
    if quiet or not console.is_terminal:
        yield lambda _done: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    rows = "lignes" if lang == "fr" else "rows"
    if total_label:
        rows = "documents"
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"),
        TextColumn("{task.completed:,} " + rows), TimeElapsedColumn(), console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done: bar.update(task, completed=done)


@contextmanager
def stage_progress(lang: Lang) -> Iterator[Callable[[str, int, int], None]]:
    """Show a progress bar per stage of a long job; yield ``step(stage, done, total)``."""
    if not console.is_terminal:
        yield lambda _stage, _done, _total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    tasks: dict[str, Any] = {}
    with Progress(*Progress.get_default_columns()[:2], BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        def step(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)

        yield step


def answer(result: Any) -> None:
    """Print a grounded answer, then the cited passages."""
    style = "yellow" if result.abstained else None
    console.print(result.answer, style=style, highlight=False, markup=False)
    if result.citations:
        console.print("")
        for c in result.citations:
            console.print(f"[dim][{c.chunk_id}][/dim] {c.title} — {c.section}", highlight=False)
    console.print(f"confidence {result.confidence:.2f}", style="dim")


def _table(title: str, columns: Sequence[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    for name, justify in columns:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    return table


# --- portfolio views --------------------------------------------------------------------


def segmentation_payload(analysis: PortfolioAnalysis) -> dict[str, Any]:
    """Return segments and every account's matrix position as JSON-ready data."""
    accounts = analysis.portfolio.accounts
    return {
        "segments": [r.model_dump(mode="json") for r in analysis.segments.rankings],
        "quadrants": analysis.matrix.quadrant_counts(),
        "missing": [m.model_dump(mode="json") for m in analysis.matrix.missing_summary()],
        "accounts": [analysis.account_score(x).model_dump(mode="json")
                     for x in accounts.external_ids],
    }


def segments_table(analysis: PortfolioAnalysis, lang: Lang) -> None:
    """Print the ranking of strategic segments."""
    table = _table(t("strategic_segments", lang), [
        (t("rank", lang), "right"), (t("segment", lang), "left"), (t("fit", lang), "right"),
        (t("accounts", lang), "right"), (t("potential", lang), "right"),
        (t("revenue_ttm", lang), "right"), ("", "left"),
    ])
    for r in analysis.segments.rankings:
        mark = "★" if r.strategic else ""
        table.add_row(str(r.rank), r.name, num(r.value_proposition_fit, lang, 1),
                      str(r.accounts), money(r.aggregate_potential, lang),
                      money(r.revenue_ttm, lang), mark)
    console.print(table)


def matrix_summary(analysis: PortfolioAnalysis, lang: Lang) -> None:
    """Print quadrant counts and missing-data counts of the matrix."""
    table = _table(t("portfolio_matrix", lang), [(t("quadrant", lang), "left"),
                                                 (t("accounts", lang), "right")])
    for quadrant, count in analysis.matrix.quadrant_counts().items():
        table.add_row(quadrant, str(count))
    console.print(table)
    for m in analysis.matrix.missing_summary():
        if m.missing:
            console.print(
                f"  {m.key}: {m.missing}/{m.accounts} {t('missing', lang)} ({m.policy.value})",
                highlight=False,
            )


def selection_table(analysis: PortfolioAnalysis, lang: Lang, runners_up: int = 10) -> None:
    """Print the selected key accounts with their rationale, then the runners-up."""
    res = analysis.selection_result
    title = f"{t('selected', lang)}: {len(res.selected)} ({t('capacity', lang)} {res.capacity})"
    table = _table(title, [
        ("#", "right"), (t("account", lang), "left"), (t("segment", lang), "left"),
        (t("attractiveness", lang), "right"), (t("strength", lang), "right"),
        (t("quadrant", lang), "left"), (t("reason", lang), "left"),
    ])
    for s in res.selected:
        why = ", ".join(f"{c.label} +{num(c.contribution, lang)}" for c in s.top_criteria[:3])
        table.add_row(str(s.rank), s.name, s.segment or "–", num(s.attractiveness, lang),
                      num(s.strength, lang), s.quadrant.value, why)
    console.print(table)
    console.print(res.capacity_reason, style="dim", highlight=False)
    if res.runners_up and runners_up:
        table = _table(t("runners_up", lang), [
            ("#", "right"), (t("account", lang), "left"), (t("reason", lang), "left")])
        for r in res.runners_up[:runners_up]:
            table.add_row(str(r.rank), r.name, "; ".join(r.reasons))
        console.print(table)


def sensitivity_table(report: SensitivityReport, lang: Lang) -> None:
    """Print which accounts enter or leave the selection when weights move."""
    changed = [v for v in report.variants if v.entered or v.left]
    if not changed:
        console.print(t("stable", lang))
        return
    table = _table(t("sensitivity_title", lang), [
        ("criterion", "left"), ("±", "right"), (t("enters", lang), "left"),
        (t("leaves", lang), "left")])
    for v in changed:
        table.add_row(v.criterion, f"{v.change:+.0%}", ", ".join(v.entered), ", ".join(v.left))
    console.print(table)
    if report.fragile:
        console.print(f"fragile: {', '.join(report.fragile)}", highlight=False)


def tiers_tables(
    analysis: PortfolioAnalysis, summary: list[TierSummary], lang: Lang,
    *, per_account: bool = True,
) -> None:
    """Print tier counts per scope, then (optionally) the Gold and Silver accounts."""
    table = _table(t("tiers_title", lang), [("scope", "left"), ("Gold", "right"),
                                            ("Silver", "right"), ("Bronze", "right")])
    for s in summary:
        table.add_row(s.scope, str(s.gold), str(s.silver), str(s.bronze))
    console.print(table)
    if not per_account:
        return
    accounts = analysis.portfolio.accounts
    detail = _table("Gold / Silver", [(t("account", lang), "left"), (t("tier", lang), "left"),
                                      (t("reason", lang), "left")])
    for x in accounts.external_ids:
        a = analysis.tier_assignment(x)
        if a.tier.value != "bronze":
            detail.add_row(a.name, a.tier.value, a.reason)
    console.print(detail)


def account_kpis(analysis: PortfolioAnalysis, external_id: str, lang: Lang) -> None:
    """Print every KPI of one account, its matrix position and tier."""
    k = analysis.account_kpis(external_id)
    score = analysis.account_score(external_id)
    tier = analysis.tier_assignment(external_id)
    cur = analysis.programme.currency
    table = _table(f"{t('kpis_title', lang)}: {k.name} ({k.external_id}), {k.as_of}",
                   [(t("metric", lang), "left"), (t("value", lang), "right")])
    rows: list[tuple[str, str]] = [
        (t("revenue_ttm", lang), f"{money(k.revenue_ttm, lang)} {cur}"),
        (t("growth", lang), pct(k.revenue_growth, lang)),
        *[(f"{t('year', lang)} {y}", f"{money(v, lang)} {cur}")
          for y, v in sorted(k.revenue_by_year.items())],
        (t("share_of_wallet", lang), pct(k.share_of_wallet, lang)),
        ("margin %", num(k.margin_pct, lang, 1)),
        ("open pipeline", f"{money(k.open_pipeline, lang)} {cur} ({k.open_opportunities})"),
        ("weighted pipeline", f"{money(k.weighted_pipeline, lang)} {cur}"),
        ("pipeline coverage", num(k.pipeline_coverage, lang)),
        ("win rate", pct(k.win_rate, lang)),
        ("average won deal", money(k.average_won_deal, lang)),
        ("sales cycle (days)", num(k.sales_cycle_days, lang, 0)),
        ("buying-centre coverage", pct(k.buying_centre.coverage, lang, 0)),
        ("days since executive contact", num(k.days_since_executive_contact, lang, 0)),
        ("relationship stage", num(k.relationship_stage, lang, 0)),
        ("satisfaction", num(k.satisfaction, lang, 1)),
        ("initiatives", ", ".join(f"{s}: {n}" for s, n in k.initiatives.items() if n) or "–"),
        ("open escalations", str(k.open_escalations)),
        (t("quadrant", lang), f"{score.quadrant.value} "
         f"({num(score.attractiveness, lang)} / {num(score.strength, lang)})"),
        (t("tier", lang), f"{tier.tier.value}: {tier.reason}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


def programme_kpis(
    analysis: PortfolioAnalysis, prog: ProgrammeKPIs, lang: Lang, top: int = 15
) -> None:
    """Print the programme KPIs and the largest accounts' headline KPIs."""
    b = prog.building_blocks
    table = _table(f"{t('programme_kpis_title', lang)} ({prog.as_of})",
                   [(t("metric", lang), "left"), (t("value", lang), "right")])
    for name, value in [
        ("key accounts", f"{prog.key_accounts} / {prog.accounts} ({prog.key_source})"),
        ("key accounts' share of revenue", pct(prog.key_revenue_share, lang)),
        ("growth: key accounts / rest", f"{pct(prog.key_growth, lang)} / "
         f"{pct(prog.rest_growth, lang)}"),
        ("validated plan", pct(prog.share_validated_plan, lang, 0)),
        ("executive sponsor", pct(prog.share_with_sponsor, lang, 0)),
        ("full buying-centre coverage", pct(prog.share_full_coverage, lang, 0)),
        ("ramp-up, median days to validated plan", num(prog.ramp_up_median_days, lang, 0)),
        ("maturity", f"{prog.maturity.phase.value}: {prog.maturity.phase_name}"),
        ("initiatives validated", f"{b.initiatives_validated} / {b.initiatives_total}"),
        ("resources committed / requested", pct(b.resources_commitment_ratio, lang, 0)),
        ("escalations within target", pct(b.escalations_within_target_share, lang, 0)),
        ("sponsor meetings held / planned", pct(b.sponsor_meetings_ratio, lang, 0)),
        ("KAM load (mean / max)", f"{num(prog.kam_load.mean_load, lang, 1)} / "
         f"{prog.kam_load.max_load}"),
    ]:
        table.add_row(name, value)
    console.print(table)
    k = analysis.kpis
    order = sorted(range(len(k)), key=lambda i: (-float(k.revenue_ttm[i]), k.external_ids[i]))
    top_table = _table(t("kpis_title", lang), [
        (t("account", lang), "left"), (t("revenue_ttm", lang), "right"),
        (t("growth", lang), "right"), (t("share_of_wallet", lang), "right"),
        ("pipeline", "right")])
    for i in order[:top]:
        top_table.add_row(
            k.names[i], money(float(k.revenue_ttm[i]), lang),
            pct(_none(k.revenue_growth[i]), lang), pct(_none(k.share_of_wallet[i]), lang),
            money(float(k.weighted_pipeline[i]), lang))
    console.print(top_table)


def _none(value: Any) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


def scenarios_table(result: ScenarioSet, lang: Lang, currency: str) -> None:
    """Print base, upside and downside over the years, with their assumptions."""
    n = max(len(s.years) for s in result.scenarios)
    table = _table(f"{t('scenarios_title', lang)}: {result.scope}", [
        ("", "left"), *[(f"+{y + 1}", "right") for y in range(n)], ("Σ", "right")])
    for s in result.scenarios:
        table.add_row(t(s.name, lang), *[money(v, lang) for v in s.years], money(s.total, lang))
    console.print(table)
    console.print(f"{t('revenue_ttm', lang)}: {money(result.revenue_ttm, lang)} {currency}",
                  highlight=False)
    for s in result.scenarios:
        console.print(f"[bold]{t(s.name, lang)}[/bold] — {t('assumptions', lang)}:")
        for a in s.assumptions:
            console.print(f"  • {a}", highlight=False, markup=False)
    if result.risk_signals:
        console.print("risk: " + "; ".join(result.risk_signals), highlight=False, markup=False)


def demo_loaded(settings: Settings, reports: list[ImportReport], lang: Lang) -> None:
    """Print what the demo import loaded."""
    counts = ", ".join(f"{r.entity} {r.rows_accepted}" for r in reports)
    ok(f"{t('demo_loaded', lang)}: {counts}")
    console.print(f"  {settings.resolved_database_url}", style="dim", highlight=False)


def next_steps(lang: Lang) -> None:
    """Print the commands worth trying next."""
    console.print(f"\n[bold]{t('next_steps', lang)}[/bold]")
    for cmd in ("kambot select --sensitivity", "kambot kpis ACCOUNT", "kambot scenarios",
                "kambot tiers --by country", "kambot chat", "kambot next", "kambot serve"):
        console.print(f"  {cmd}", highlight=False)


def demo_users(created: Sequence[tuple[str, str, str]], lang: Lang) -> None:
    """Print the demo users created now, with their passwords (shown this once)."""
    if not created:
        console.print(t("demo_users_exist", lang), highlight=False)
        return
    table = Table(title=t("demo_users_title", lang))
    for column in ("user", "role", "password"):
        table.add_column(t(f"demo_users_{column}", lang))
    for username, role, password in created:
        table.add_row(username, role, password)
    console.print(table)
    console.print(t("demo_users_once", lang), highlight=False)
