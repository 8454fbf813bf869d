"""The offline router evaluation (evals/router) meets its thresholds on the demo."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from chat_support import Demo

ROOT = Path(__file__).resolve().parents[2]


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("router_eval_run",
                                                  ROOT / "evals" / "router" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


def test_router_accuracy_and_no_wrong_action_on_ambiguous(demo: Demo) -> None:
    run = _runner()
    cases = run.load_cases()
    assert len(cases) >= 100
    texts = [c["text"] for c in cases]
    assert len(set(texts)) == len(texts)
    assert sum(1 for c in cases if c["tool"] == "clarify") >= 15
    report = run.evaluate(demo.settings, cases)
    assert report.count("dev") > 30 and report.count("heldout") > 30
    assert report.accuracy() >= run.ACCURACY_TARGET, [
        (o.text, o.tool, o.args) for o in report.outcomes if not o.ok and o.split == "dev"]
    assert report.wrong_actions == []
    assert report.clarified_share == 1.0


def test_the_runner_fails_under_the_threshold(demo: Demo) -> None:
    run = _runner()
    cases = [{"text": "Show me the segmentation", "tool": "selection"},
             {"text": "KPIs", "tool": "clarify"}]
    report = run.evaluate(demo.settings, cases)
    assert report.accuracy() == 0.5
    assert report.wrong_actions == []
    wrong = run.evaluate(demo.settings, [{"text": "Show me the segmentation",
                                          "tool": "clarify"}])
    assert [o.tool for o in wrong.wrong_actions] == ["segmentation"]
