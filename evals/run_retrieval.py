"""Evaluate retrieval and abstention on evals/retrieval/questions.yaml.

Builds an index of the knowledge folder in a temporary data directory (or the one
given), then for every answerable question measures whether an expected chunk is in
the top 5 (recall@5: the share of questions with at least one expected chunk among the
first five hits) and the reciprocal rank of the first expected chunk within the top 10
(MRR); for every unanswerable question, whether ``answer_question`` abstains. Exits
with status 1 when a figure is under its threshold.

Held-out split: questions with an even number (``q02``, ``q04``...) are the *tuning*
half, the ones retrieval changes may be studied against; odd-numbered ones are the
*held-out* half, only ever looked at as aggregate figures, so that a gap between the
two halves shows over-fitting. The split was fixed by id parity before any question
was read. ``--verbose`` lists the tuning half only unless ``--half all`` is given.

Usage::

    .venv/bin/python evals/run_retrieval.py [--verbose] [--half tune|holdout|all] [--calibrate]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from kambot.config import Settings  # noqa: E402
from kambot.retrieval.answer import ABSTAIN_THRESHOLD, answer_question  # noqa: E402
from kambot.retrieval.index import SearchIndex, open_index  # noqa: E402
from kambot.retrieval.models import Scope  # noqa: E402

QUESTIONS = Path(__file__).resolve().parent / "retrieval" / "questions.yaml"
THRESHOLDS = {"recall@5": 0.9, "mrr": 0.75, "abstention": 0.8}
KINDS = ("direct", "paraphrase", "cross", "unanswerable")
HALVES = ("tune", "holdout")


def half_of(case_id: str) -> str:
    """Return ``tune`` for an even-numbered question id, ``holdout`` for an odd one."""
    digits = "".join(ch for ch in case_id if ch.isdigit())
    if not digits:
        raise SystemExit(f"question id {case_id!r} has no number: cannot assign a half")
    return "tune" if int(digits) % 2 == 0 else "holdout"


@dataclass
class CaseResult:
    """The outcome of one question."""

    id: str
    kind: str
    lang: str
    question: str
    rank: int | None
    confidence: float
    abstained: bool
    top: list[str]


@dataclass
class EvalReport:
    """Aggregated figures."""

    cases: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0

    def _answerable(self) -> list[CaseResult]:
        return [c for c in self.cases if c.kind != "unanswerable"]

    @property
    def recall_at_5(self) -> float:
        """Return the share of answerable questions with an expected chunk in the top 5."""
        cases = self._answerable()
        return sum(1 for c in cases if c.rank is not None and c.rank <= 5) / max(len(cases), 1)

    @property
    def mrr(self) -> float:
        """Return the mean reciprocal rank (top 10) over answerable questions."""
        cases = self._answerable()
        return sum(1.0 / c.rank for c in cases if c.rank) / max(len(cases), 1)

    @property
    def abstention(self) -> float:
        """Return the share of unanswerable questions that were abstained on."""
        cases = [c for c in self.cases if c.kind == "unanswerable"]
        return sum(1 for c in cases if c.abstained) / max(len(cases), 1)

    @property
    def false_abstention(self) -> float:
        """Return the share of answerable questions wrongly abstained on."""
        cases = self._answerable()
        return sum(1 for c in cases if c.abstained) / max(len(cases), 1)

    def half(self, name: str) -> EvalReport:
        """Return the report restricted to one half (``tune`` or ``holdout``)."""
        return EvalReport([c for c in self.cases if half_of(c.id) == name], self.seconds)

    def figures(self) -> dict[str, float]:
        """Return the thresholded figures."""
        return {"recall@5": self.recall_at_5, "mrr": self.mrr, "abstention": self.abstention}

    def failures(self) -> list[str]:
        """Return the figures under their threshold, as messages."""
        return [f"{name} {value:.3f} < {THRESHOLDS[name]}"
                for name, value in self.figures().items() if value < THRESHOLDS[name]]

    def by_kind(self) -> dict[str, dict[str, float]]:
        """Return recall@5 and MRR per question kind (abstention for unanswerable)."""
        out: dict[str, dict[str, float]] = {}
        for kind in KINDS:
            cases = [c for c in self.cases if c.kind == kind]
            if not cases:
                continue
            if kind == "unanswerable":
                out[kind] = {"n": len(cases),
                             "abstention": sum(c.abstained for c in cases) / len(cases)}
            else:
                out[kind] = {
                    "n": len(cases),
                    "recall@5": sum(1 for c in cases if c.rank and c.rank <= 5) / len(cases),
                    "mrr": sum(1.0 / c.rank for c in cases if c.rank) / len(cases),
                }
        return out

    def calibrate(self) -> tuple[float, float]:
        """Return the abstention threshold with the best balanced accuracy, and that accuracy.

        Balanced accuracy = mean of (abstained on unanswerable) and (answered answerable).
        Among equally good thresholds the middle one is returned, for a safety margin.
        """
        answerable = [c.confidence for c in self._answerable()]
        unanswerable = [c.confidence for c in self.cases if c.kind == "unanswerable"]
        candidates = sorted({round(x, 4) for x in answerable + unanswerable} | {0.0, 1.01})
        scored: list[tuple[float, float]] = []
        for threshold in candidates:
            tnr = sum(1 for x in unanswerable if x < threshold) / max(len(unanswerable), 1)
            tpr = sum(1 for x in answerable if x >= threshold) / max(len(answerable), 1)
            scored.append((threshold, (tnr + tpr) / 2))
        best = max(score for _, score in scored)
        ties = [t for t, score in scored if score == best]
        return ties[len(ties) // 2], best


def load_cases(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    """Read and check the question file."""
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(cases, list) or not cases:
        raise SystemExit(f"{path}: expected a non-empty YAML list of questions")
    for case in cases:
        missing = {"id", "lang", "kind", "question", "expected"} - set(case)
        if missing:
            raise SystemExit(f"{path}: case {case.get('id')} lacks {sorted(missing)}")
        if case["kind"] not in KINDS:
            raise SystemExit(f"{path}: case {case['id']} has unknown kind {case['kind']!r}")
        if (case["kind"] == "unanswerable") != (not case["expected"]):
            raise SystemExit(f"{path}: case {case['id']}: only unanswerable cases have no "
                             "expected chunk")
    return cases


def evaluate(index: SearchIndex, cases: list[dict[str, Any]],
             threshold: float = ABSTAIN_THRESHOLD) -> EvalReport:
    """Run every case against an index.

    Raises:
        SystemExit: when an expected chunk id is not in the index (a stale question file).
    """
    report = EvalReport()
    started = time.perf_counter()
    known = {c.id for c in index.chunks}
    scope = Scope.public()
    for case in cases:
        expected = set(case["expected"])
        unknown = expected - known
        if unknown:
            raise SystemExit(f"case {case['id']}: expected chunks not in the corpus: "
                             f"{sorted(unknown)} (update evals/retrieval/questions.yaml)")
        filters = case.get("filters") or None
        hits = index.search(case["question"], k=10, scope=scope, filters=filters,
                            language=case["lang"])
        ids = [h.chunk_id for h in hits]
        rank = next((i for i, chunk_id in enumerate(ids, start=1) if chunk_id in expected),
                    None)
        answer = answer_question(index, case["question"], lang=case["lang"], scope=scope,
                                 filters=filters, threshold=threshold)
        report.cases.append(CaseResult(case["id"], case["kind"], case["lang"], case["question"],
                                       rank, answer.confidence, answer.abstained, ids[:5]))
    report.seconds = time.perf_counter() - started
    return report


def run(knowledge_dir: Path | None = None, data_dir: Path | None = None,
        questions: Path = QUESTIONS) -> EvalReport:
    """Build (or reuse) an index of the knowledge folder and evaluate it."""
    with tempfile.TemporaryDirectory(prefix="kambot-eval-") as tmp:
        values: dict[str, Any] = {"data_dir": data_dir or Path(tmp)}
        if knowledge_dir is not None:
            values["knowledge_dir"] = knowledge_dir
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        index = open_index(settings)
        return evaluate(index, load_cases(questions))


def _print_kinds(report: EvalReport, indent: str) -> None:
    for kind, figures in report.by_kind().items():
        shown = ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in figures.items())
        print(f"{indent}{kind:<13} {shown}")


def _print(report: EvalReport, verbose: bool, calibrate: bool, half: str = "tune") -> None:
    for name, value in report.figures().items():
        print(f"{name:<12} {value:.3f}  (threshold {THRESHOLDS[name]})")
    print(f"{'false abst.':<12} {report.false_abstention:.3f}  (answerable questions abstained on)")
    _print_kinds(report, "  ")
    for name in HALVES:
        part = report.half(name)
        shown = ", ".join(f"{k}={v:.3f}" for k, v in part.figures().items())
        label = "tuning half (even ids)" if name == "tune" else "held-out half (odd ids)"
        print(f"{label}: {len(part.cases)} questions, {shown}")
        _print_kinds(part, "    ")
    print(f"{len(report.cases)} questions in {report.seconds:.1f} s")
    if calibrate:
        answerable = [c.confidence for c in report.cases if c.kind != "unanswerable"]
        unanswerable = [c.confidence for c in report.cases if c.kind == "unanswerable"]
        threshold, accuracy = report.calibrate()
        print(f"confidence answerable: min {min(answerable):.3f} median "
              f"{statistics.median(answerable):.3f}; unanswerable: max {max(unanswerable):.3f} "
              f"median {statistics.median(unanswerable):.3f}")
        print(f"best threshold {threshold:.3f} (balanced accuracy {accuracy:.3f}); "
              f"in use {ABSTAIN_THRESHOLD}")
    if verbose:
        for case in report.cases if half == "all" else report.half(half).cases:
            ok = (case.abstained if case.kind == "unanswerable"
                  else case.rank is not None and case.rank <= 5)
            print(f"{'ok ' if ok else 'BAD'} {case.id} [{case.kind}/{case.lang}] rank={case.rank} "
                  f"conf={case.confidence:.3f} abst={case.abstained} :: {case.question}")
            if not ok:
                print(f"      top: {case.top}")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation from the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge-dir", type=Path, default=None)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="reuse an index directory instead of a temporary one")
    parser.add_argument("--verbose", action="store_true", help="print every question")
    parser.add_argument("--calibrate", action="store_true",
                        help="print confidences and the best abstention threshold")
    parser.add_argument("--half", choices=(*HALVES, "all"), default="tune",
                        help="which questions --verbose lists (default: the tuning half)")
    args = parser.parse_args(argv)
    report = run(args.knowledge_dir, args.data_dir)
    _print(report, args.verbose, args.calibrate, args.half)
    failures = report.failures()
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
