"""Evaluate the offline chat router on labelled utterances (evals/router/utterances.yaml).

Loads the demo company into a temporary data directory, routes every utterance as a
programme lead (who sees every account) and prints:

- tool-choice accuracy (tool and the labelled arguments: account, document kind,
  section, language, executive), on the dev half, the held-out half and overall;
- on the ambiguous utterances (labelled ``clarify``), the share answered with a
  clarifying question (or the help text) rather than an action.

The split is a hash of each utterance's text, so nobody picks the held-out half; the
router's rules were written looking only at the dev half's failures (``--show dev``).

Usage: ``python evals/router/run.py [--check] [--show dev|heldout|all] [--data-dir DIR]``
(``--check`` exits 1 when accuracy < 90% or an ambiguous utterance triggers an action).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CASES = HERE / "utterances.yaml"
ACCURACY_TARGET = 0.90
ARG_KEYS = ("account", "kind", "section", "lang", "executive")
NOT_ACTIONS = frozenset({"clarify", "help"})


@dataclass
class Outcome:
    """One routed utterance."""

    text: str
    split: str
    expected: dict[str, Any]
    tool: str
    args: dict[str, Any]
    ok: bool


@dataclass
class Report:
    """Accuracy per split and the behaviour on ambiguous utterances."""

    outcomes: list[Outcome] = field(default_factory=list)

    def accuracy(self, split: str | None = None) -> float:
        """Return the share of correct outcomes (in one split, or overall)."""
        chosen = [o for o in self.outcomes if split is None or o.split == split]
        return sum(o.ok for o in chosen) / len(chosen) if chosen else 0.0

    def count(self, split: str | None = None) -> int:
        """Return how many utterances (in one split, or overall)."""
        return sum(1 for o in self.outcomes if split is None or o.split == split)

    @property
    def ambiguous(self) -> list[Outcome]:
        """Return the outcomes of the utterances labelled ``clarify``."""
        return [o for o in self.outcomes if o.expected["tool"] == "clarify"]

    @property
    def clarified_share(self) -> float:
        """Return the share of ambiguous utterances answered without acting."""
        cases = self.ambiguous
        return sum(o.tool in NOT_ACTIONS for o in cases) / len(cases) if cases else 1.0

    @property
    def wrong_actions(self) -> list[Outcome]:
        """Return the ambiguous utterances that triggered an action."""
        return [o for o in self.ambiguous if o.tool not in NOT_ACTIONS]


def split_of(text: str) -> str:
    """Return ``dev`` or ``heldout`` from a hash of the text (nobody chooses)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "dev" if digest[0] % 2 == 0 else "heldout"


def load_cases(path: Path = CASES) -> list[dict[str, Any]]:
    """Return the labelled utterances."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases: list[dict[str, Any]] = data["cases"]
    return cases


def _matches(expected: dict[str, Any], tool: str, args: dict[str, Any]) -> bool:
    if tool != expected["tool"]:
        return False
    for key in ARG_KEYS:
        if key in expected and args.get(key) != expected[key]:
            return False
    # kpis and scenarios without a labelled account are about the whole programme.
    return not (tool in ("kpis", "scenarios") and "account" not in expected
                and args.get("account") is not None)


def evaluate(settings: Any, cases: list[dict[str, Any]] | None = None) -> Report:
    """Route every case over the demo loaded in ``settings`` and score the choices."""
    from kambot.assistant.chat.router import DocumentRef, Person, RouteContext, route
    from kambot.assistant.chat.scope import AccountDirectory
    from kambot.assistant.portfolio import PortfolioService
    from kambot.domain.identity import Principal, Role

    service = PortfolioService(settings)
    try:
        analysis = service.analysis()
        people = [Person(p.key, p.name) for p in service.programme().people
                  if p.role == "executive"]
    finally:
        service.engine.dispose()
    accounts = analysis.portfolio.accounts
    lead = Principal(user_id=1, username="lead", role=Role.LEAD)
    directory = AccountDirectory.build(lead, [int(i) for i in accounts.ids],
                                       list(accounts.external_ids), list(accounts.names))
    report = Report()
    for case in cases if cases is not None else load_cases():
        context = case.get("context") or {}
        document = None
        if "document" in context:
            kind, _, account = str(context["document"]).partition("/")
            document = DocumentRef(kind=kind, account=account or None)  # type: ignore[arg-type]
        ctx = RouteContext(directory=directory, people=people, account=context.get("account"),
                           document=document, last_tool=context.get("last_tool"))
        decision = route(case["text"], ctx)
        args = dict(decision.args)
        if decision.lang is not None:
            args.setdefault("lang", decision.lang)
        report.outcomes.append(Outcome(
            text=case["text"], split=split_of(case["text"]), expected=case,
            tool=decision.tool, args=args, ok=_matches(case, decision.tool, args)))
    return report


def print_report(report: Report, show: str | None = None) -> None:
    """Print the figures (and the failures of the split asked for)."""
    for split in ("dev", "heldout"):
        print(f"{split:8s} accuracy: {report.accuracy(split):6.1%}  "
              f"({sum(o.ok for o in report.outcomes if o.split == split)}"
              f"/{report.count(split)})")
    print(f"overall  accuracy: {report.accuracy():6.1%}  "
          f"({sum(o.ok for o in report.outcomes)}/{report.count()})")
    amb = report.ambiguous
    print(f"ambiguous: clarify rather than wrong action: {report.clarified_share:6.1%} "
          f"({len(amb) - len(report.wrong_actions)}/{len(amb)}); "
          f"wrong actions: {len(report.wrong_actions)}")
    if show:
        for o in report.outcomes:
            if not o.ok and show in ("all", o.split):
                wanted = {k: o.expected[k] for k in ("tool", *ARG_KEYS) if k in o.expected}
                print(f"  FAIL [{o.split}] {o.text!r}: got {o.tool} {o.args}, want {wanted}")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; with --check, fail under the thresholds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 under the thresholds")
    parser.add_argument("--show", choices=("dev", "heldout", "all"), default=None,
                        help="print the failures of this split")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="a data directory already holding the demo (else a temporary one)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parents[1]))
    from kambot.config import Settings

    with tempfile.TemporaryDirectory(prefix="kambot-router-eval-") as tmp:
        data = args.data_dir or Path(tmp) / "data"
        settings = Settings(data_dir=data, _env_file=None)  # type: ignore[call-arg]
        if args.data_dir is None:
            from kambot.assistant.portfolio import load_demo

            load_demo(settings)
        report = evaluate(settings)
    print_report(report, args.show)
    if args.check and (report.accuracy() < ACCURACY_TARGET or report.wrong_actions):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
