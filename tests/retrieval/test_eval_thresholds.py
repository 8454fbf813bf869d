"""The retrieval evaluation on the real corpus meets its thresholds (runs in CI)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
METHODOLOGY = ROOT / "knowledge" / "methodology"


def _runner() -> ModuleType:
    path = ROOT / "evals" / "run_retrieval.py"
    spec = importlib.util.spec_from_file_location("run_retrieval", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_retrieval"] = module
    spec.loader.exec_module(module)
    return module


# Issue 3 asks for recall@5 >= 0.9 and MRR >= 0.75 on answerable questions and 80%
# correct abstention (the runner's THRESHOLDS, which make `python evals/run_retrieval.py`
# exit non-zero); CI holds the retrieval to exactly those figures.
CI_FLOOR = {"recall@5": 0.9, "mrr": 0.75, "abstention": 0.8}


@pytest.mark.slow
def test_retrieval_eval_meets_the_issue_thresholds(tmp_path: Path) -> None:
    assert any(METHODOLOGY.glob("*/*.md")), "knowledge/methodology is empty"
    runner = _runner()
    report = runner.run(data_dir=tmp_path)
    figures = report.figures()
    by_kind = report.by_kind()
    under = {k: v for k, v in figures.items() if v < CI_FLOOR[k]}
    assert not under, f"under the CI floor {CI_FLOOR}: {under} ({figures}; {by_kind})"
    # The offline answer must stay grounded: no abstention figure without answers.
    assert report.false_abstention < 0.25, figures


def test_question_file_is_well_formed() -> None:
    runner = _runner()
    cases = runner.load_cases()
    assert len(cases) >= 60
    langs = [c["lang"] for c in cases]
    assert abs(langs.count("fr") - langs.count("en")) <= 2
    kinds = {c["kind"] for c in cases}
    assert kinds == {"direct", "paraphrase", "cross", "unanswerable"}
    assert len({c["id"] for c in cases}) == len(cases)
    assert all(c["filters"]["language"] != c["lang"] for c in cases if c["kind"] == "cross")


def test_questions_split_into_a_tuning_and_a_held_out_half() -> None:
    runner = _runner()
    assert runner.half_of("q02") == "tune" and runner.half_of("q13") == "holdout"
    cases = runner.load_cases()
    halves = {name: [c for c in cases if runner.half_of(c["id"]) == name]
              for name in runner.HALVES}
    assert sum(len(v) for v in halves.values()) == len(cases)
    for members in halves.values():  # each half is a usable evaluation on its own
        assert {c["kind"] for c in members} == {"direct", "paraphrase", "cross",
                                                "unanswerable"}
        assert {c["lang"] for c in members} == {"fr", "en"}
    report = runner.EvalReport([runner.CaseResult("q02", "direct", "en", "?", 1, 1.0,
                                                  False, []),
                                runner.CaseResult("q03", "direct", "en", "?", None, 0.1,
                                                  True, [])])
    assert report.half("tune").recall_at_5 == 1.0
    assert report.half("holdout").recall_at_5 == 0.0
