"""Evaluate drafted documents: section completeness, citation coverage, figure accuracy.

The cases (``evals/drafting/cases.yaml``) name document kinds, accounts and languages.
The demo programme is loaded into a temporary database (or the one given), every
document is drafted, and each is measured from the document alone, independently of
the grounding guard's own code path:

- **section completeness**: sections of the outline present with at least one statement;
- **citation coverage**: statements citing at least one source;
- **figure accuracy**: figures and dates of each statement equal to a figure written in
  a *trusted* source it cites (the fact's sentence or a methodology passage, as stored
  in the document's source list; untrusted notes never count).

Offline (the default) the offline writer drafts, and CI runs it. ``--live`` drafts with
the model configured in the environment (``KAMBOT_LLM_PROVIDER=openai`` and friends)
and also reports how often the model's first draft was refused, retried or repaired:
it is opt-in and never runs in CI. Exits with status 1 when a threshold is missed.

Usage::

    .venv/bin/python evals/drafting/run.py [--live] [--data-dir DIR] [--json REPORT]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from kambot.config import Settings, load_settings  # noqa: E402
from kambot.domain.documents import Document, outline  # noqa: E402
from kambot.llm.figures import find_dates, find_figures, numbers_in  # noqa: E402

CASES = Path(__file__).resolve().parent / "cases.yaml"
METRICS = ("section_completeness", "citation_coverage", "figure_accuracy")


@dataclass(frozen=True)
class Case:
    """One evaluation case: a kind, its accounts, its languages and extra expectations."""

    id: str
    kind: str
    accounts: str | list[str] | None = None
    languages: tuple[str, ...] = ("en", "fr")
    options: dict[str, str] = field(default_factory=dict)
    expect_citations: tuple[str, ...] = ()


@dataclass
class DocumentScore:
    """The measures of one document."""

    case: str
    key: str
    sections: int
    sections_filled: int
    statements: int
    cited: int
    figures: int
    figures_ok: int
    missing_citations: list[str]
    guard_passed: bool
    first_draft_issues: int
    retried: bool
    repaired_sections: list[str]
    fallback_used: bool
    writer: str
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def section_completeness(self) -> float:
        """Return filled sections / outline sections."""
        return self.sections_filled / self.sections if self.sections else 1.0

    @property
    def citation_coverage(self) -> float:
        """Return cited statements / statements."""
        return self.cited / self.statements if self.statements else 1.0

    @property
    def figure_accuracy(self) -> float:
        """Return figures matching a cited source / figures."""
        return self.figures_ok / self.figures if self.figures else 1.0


def load_cases(path: Path = CASES) -> tuple[list[Case], dict[str, float]]:
    """Read the cases and thresholds file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = [Case(id=c["id"], kind=c["kind"], accounts=c.get("accounts"),
                  languages=tuple(c.get("languages") or ("en", "fr")),
                  options=dict(c.get("options") or {}),
                  expect_citations=tuple(c.get("expect_citations") or ()))
             for c in raw["cases"]]
    return cases, {k: float(v) for k, v in raw["thresholds"].items()}


def score_document(doc: Document, case: str = "", seconds: float = 0.0,
                   expect_citations: Sequence[str] = ()) -> DocumentScore:
    """Measure one document from its own content and source list."""
    sources = {s.id: s for s in doc.sources}
    statements = doc.statements()
    figures = figures_ok = 0
    problems: list[str] = []
    for st in statements:
        trusted = [sources[c].detail for c in st.citations
                   if c in sources and not sources[c].untrusted]
        refs = [v for text in trusted for v in numbers_in(text)]
        days = {(m.year, m.month, m.day) for text in trusted for m in find_dates(text)[0]}
        months = {(y, mo) for y, mo, _ in days}
        mentions, rest = find_dates(st.text)
        for m in mentions:
            figures += 1
            if (m.year, m.month, m.day) in days or (m.day is None and (m.year, m.month) in
                                                    months):
                figures_ok += 1
            else:
                problems.append(f"date {m.raw!r} not in cited sources: {st.text[:120]}")
        for fig in find_figures(rest, skip_dates=False):
            figures += 1
            if any(fig.matches(r) for r in refs):
                figures_ok += 1
            else:
                problems.append(f"figure {fig.raw!r} not in cited sources: {st.text[:120]}")
    cited_ids = {c for st in statements for c in st.citations}
    missing = [c for c in expect_citations if c not in cited_ids]
    specs = outline(doc.kind)
    filled = {s.key for s in doc.sections if s.statements}
    return DocumentScore(
        case=case, key=doc.key, sections=len(specs),
        sections_filled=sum(1 for s in specs if s.key in filled),
        statements=len(statements), cited=sum(1 for st in statements if st.citations),
        figures=figures, figures_ok=figures_ok, missing_citations=missing,
        guard_passed=doc.guard.passed, first_draft_issues=len(doc.guard.first_issues),
        retried=doc.guard.retried, repaired_sections=list(doc.guard.repaired_sections),
        fallback_used=doc.fallback_used, writer=doc.writer, seconds=seconds,
        problems=problems,
    )


def document_passes(score: DocumentScore, thresholds: dict[str, float]) -> bool:
    """Tell whether one document meets every per-document threshold."""
    return (all(getattr(score, m) >= thresholds[m] for m in METRICS)
            and not score.missing_citations and score.guard_passed)


def run_cases(settings: Settings, service: Any, cases: Sequence[Case],
              writer: Any = None) -> list[DocumentScore]:
    """Draft every document of the cases (not saved) and score it."""
    from kambot.assistant.drafting import draft_document, drafting_context

    context = drafting_context(settings, service)
    scores: list[DocumentScore] = []
    for case in cases:
        if case.accounts == "key":
            accounts: list[str | None] = list(context.key_accounts())
        elif isinstance(case.accounts, list):
            accounts = list(case.accounts)
        else:
            accounts = [None]
        for lang in case.languages:
            for account in accounts:
                start = time.perf_counter()
                doc = draft_document(settings, service, case.kind,  # type: ignore[arg-type]
                                     account, lang, writer,  # type: ignore[arg-type]
                                     options=case.options or None, save=False)
                scores.append(score_document(doc, case.id, time.perf_counter() - start,
                                             case.expect_citations))
    return scores


def summarise(scores: Sequence[DocumentScore], thresholds: dict[str, float]) -> dict[str, Any]:
    """Return the aggregate figures of a run and whether it meets the thresholds."""
    n = len(scores) or 1
    statements = sum(s.statements for s in scores) or 1
    figures = sum(s.figures for s in scores) or 1
    summary: dict[str, Any] = {
        "documents": len(scores),
        "section_completeness": sum(s.sections_filled for s in scores)
        / (sum(s.sections for s in scores) or 1),
        "citation_coverage": sum(s.cited for s in scores) / statements,
        "figure_accuracy": sum(s.figures_ok for s in scores) / figures,
        "figures_checked": sum(s.figures for s in scores),
        "pass_rate": sum(1 for s in scores if document_passes(s, thresholds)) / n,
        "first_drafts_refused": sum(1 for s in scores if s.first_draft_issues) / n,
        "retried": sum(1 for s in scores if s.retried) / n,
        "repaired": sum(1 for s in scores if s.repaired_sections) / n,
        "fallback": sum(1 for s in scores if s.fallback_used) / n,
        "mean_seconds": sum(s.seconds for s in scores) / n,
    }
    summary["passed"] = all(summary[k] >= thresholds[k] for k in (*METRICS, "pass_rate"))
    return summary


def _service(data_dir: Path | None, live: bool) -> tuple[Settings, Any, Any]:
    from kambot.assistant.portfolio import PortfolioService, load_demo

    base = load_settings() if live else Settings(_env_file=None)  # type: ignore[call-arg]
    folder = data_dir or Path(tempfile.mkdtemp(prefix="kambot-eval-"))
    settings = base.model_copy(update={"data_dir": folder, "database_url": None})
    if not (folder / "kambot.db").exists():
        load_demo(settings)
    service = PortfolioService(settings)
    writer = None
    if live:
        from kambot.llm.factory import make_writer

        writer = make_writer(settings)
    else:
        from kambot.llm.offline import OfflineWriter

        writer = OfflineWriter()
    return settings, service, writer


def main(argv: Sequence[str] | None = None) -> int:
    """Run the drafting evaluation; print the figures; return 1 under a threshold."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--live", action="store_true",
                        help="draft with the model configured in KAMBOT_LLM_* (opt-in)")
    parser.add_argument("--data-dir", type=Path, help="reuse a data directory with the demo")
    parser.add_argument("--json", type=Path, help="write the full report to this file")
    parser.add_argument("--verbose", action="store_true", help="list every problem found")
    args = parser.parse_args(argv)
    if args.live:
        configured = load_settings()
        if configured.llm_provider != "openai":
            print("--live needs a configured model: set KAMBOT_LLM_PROVIDER=openai, "
                  "KAMBOT_LLM_MODEL and KAMBOT_LLM_BASE_URL / KAMBOT_LLM_API_KEY")
            return 2
    cases, thresholds = load_cases()
    settings, service, writer = _service(args.data_dir, args.live)
    scores = run_cases(settings, service, cases, writer)
    summary = summarise(scores, thresholds)
    for key, value in summary.items():
        shown = f"{value:.3f}" if isinstance(value, float) else value
        print(f"{key:22} {shown}")
    if args.verbose:
        for s in scores:
            for problem in s.problems + [f"missing citation {c}" for c in s.missing_citations]:
                print(f"  {s.key}: {problem}")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "thresholds": thresholds,
                                         "documents": [asdict(s) for s in scores]},
                                        indent=2, default=str), encoding="utf-8")
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
