"""The drafting evaluation (evals/drafting) runs offline and its evaluators can fail."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from types import ModuleType

import pytest
from drafting_support import DemoStore

from kambot.assistant.drafting import draft_document
from kambot.config import PROJECT_ROOT
from kambot.domain.documents import Statement


@pytest.fixture(scope="module")
def evals() -> ModuleType:
    path = PROJECT_ROOT / "evals" / "drafting" / "run.py"
    spec = importlib.util.spec_from_file_location("kambot_drafting_evals", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_offline_evaluation_meets_its_thresholds(evals: ModuleType,
                                                     demo_store: DemoStore) -> None:
    cases, thresholds = evals.load_cases()
    assert thresholds["citation_coverage"] >= 0.95 and thresholds["figure_accuracy"] == 1.0
    kinds = {c.kind for c in cases}
    assert kinds == {"account_strategy", "executive_summary", "ceb", "sponsorship_plan",
                     "programme_review"}
    # Two accounts per account case keep the test short; the script runs them all.
    small = [replace(c, accounts=["C10175", "C12249"]) if c.accounts == "key" else c
             for c in cases]
    scores = evals.run_cases(demo_store.settings, demo_store.service, small)
    summary = evals.summarise(scores, thresholds)
    assert summary["passed"], summary
    assert summary["figures_checked"] > 200
    assert summary["documents"] == 2 * 2 * 3 + 2 + 2 + 2


def test_the_evaluators_catch_bad_documents(evals: ModuleType, demo_store: DemoStore) -> None:
    doc = draft_document(demo_store.settings, demo_store.service, "executive_summary",
                         "C10175", "en", save=False)
    good = evals.score_document(doc, expect_citations=["acct:C10175/tier"])
    assert good.figure_accuracy == 1.0 and good.citation_coverage == 1.0
    broken = doc.model_copy(deep=True)
    broken.sections[1].statements.append(Statement(
        text="Revenue will double to 17.14 M EUR.",
        citations=["acct:C10175/kpi:revenue_ttm"]))
    broken.sections[2].statements = []
    broken.sections[0].statements.append(Statement(text="This account matters a lot."))
    bad = evals.score_document(broken, expect_citations=["person:nobody"])
    assert bad.figure_accuracy < 1.0 and bad.citation_coverage < 1.0
    assert bad.section_completeness < 1.0 and bad.missing_citations == ["person:nobody"]
    _, thresholds = evals.load_cases()
    assert evals.document_passes(good, thresholds)
    assert not evals.document_passes(bad, thresholds)
    assert not evals.summarise([bad], thresholds)["passed"]
