"""Evaluate the offline assessment on real resumes, printing aggregate figures only.

Usage: uv run --frozen python evals/assessment/run_resumes.py [--data DIR] [--target hunter]

Reads ``../shared/data/resumes-eval-only/selected/*.txt`` when present (evaluation only:
nothing from those files is written, committed or printed, only counts, distributions
and timings). Prints, per trait, the distribution of proposed levels and of the evidence
count, how often each flag kind fires, what was redacted, and the time per CV.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "resumes-eval-only" / "selected"


def _read_quietly(reader: Any, path: Path, limit: int) -> Any:
    try:
        return reader(path, limit)
    except Exception:
        return None


def main(argv: list[str] | None = None) -> int:
    """Run the offline assessment over the evaluation resumes and print aggregates."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--target", default="hunter")
    parser.add_argument("--lang", default="en", choices=("en", "fr"))
    args = parser.parse_args(argv)
    files = sorted(args.data.glob("*.txt")) if args.data.is_dir() else []
    if not files:
        print(f"no resumes found in {args.data}: nothing to evaluate")
        return 0

    from kambot.assistant.assessment.intake import read_path
    from kambot.assistant.assessment.rubric import load_rubric
    from kambot.assistant.assessment.service import assess_documents
    from kambot.config import Settings
    from kambot.domain.assessment import TRAITS, SourceKind

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    bundle = load_rubric(settings.knowledge_dir)
    levels: dict[str, Counter[str]] = {t.value: Counter() for t in TRAITS}
    evidence_counts: dict[str, list[int]] = {t.value: [] for t in TRAITS}
    flags: Counter[str] = Counter()
    redactions: Counter[str] = Counter()
    times: list[float] = []
    fits: list[float] = []
    errors = 0
    # Warm-up outside the timings: the first call imports the injection scanner.
    warm = [d for d in [_read_quietly(read_path, files[0], settings.max_import_bytes)] if d]
    if warm:
        assess_documents(bundle, warm, target=args.target, lang=args.lang, candidate_ref="eval")
    for path in files:
        try:
            document = read_path(path, settings.max_import_bytes, SourceKind.CV)
        except Exception as exc:
            errors += 1
            print(f"unreadable input ({type(exc).__name__})", file=sys.stderr)
            continue
        start = time.perf_counter()
        assessment = assess_documents(bundle, [document], target=args.target, lang=args.lang,
                                      candidate_ref="eval")
        times.append(time.perf_counter() - start)
        for score in assessment.scores:
            shown = str(score.level) if score.level is not None else "NEE"
            levels[score.trait.value][shown] += 1
            evidence_counts[score.trait.value].append(
                sum(1 for e in assessment.evidence if e.trait == score.trait and e.level))
        for flag in assessment.flags:
            flags[flag.kind.value] += 1
        redactions.update(assessment.redactions)
        if assessment.fit.score_pct is not None:
            fits.append(assessment.fit.score_pct)

    print(f"resumes assessed: {len(times)} (unreadable: {errors}), target {args.target}")
    order = ["NEE", "1", "2", "3", "4", "5"]
    print(f"{'trait':<12}" + "".join(f"{k:>6}" for k in order) + "   evidence/CV median  max")
    for trait, counter in levels.items():
        counts = evidence_counts[trait]
        print(f"{trait:<12}" + "".join(f"{counter.get(k, 0):>6}" for k in order)
              + f"   {statistics.median(counts) if counts else 0:>12}  {max(counts, default=0):>4}")
    if fits:
        print(f"fit to target: median {statistics.median(fits):.1f} %, "
              f"min {min(fits):.1f}, max {max(fits):.1f}")
    print("flags (CVs x kind): " + (", ".join(f"{k}={v}" for k, v in flags.most_common())
                                    or "none"))
    print("redactions (spans): " + (", ".join(f"{k}={v}" for k, v in redactions.most_common())
                                    or "none"))
    if times:
        ms = sorted(t * 1000 for t in times)
        print(f"time per CV: median {statistics.median(ms):.1f} ms, "
              f"p90 {ms[int(0.9 * (len(ms) - 1))]:.1f} ms, max {ms[-1]:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
