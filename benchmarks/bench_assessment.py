"""Benchmark: offline assessment of one two-page CV, and of 1,000 CVs.

Usage: uv run --frozen python benchmarks/bench_assessment.py [--runs 30] [--cvs 1000]

Targets (issue 6): one two-page CV in at most 200 ms; 1,000 CVs in at most 2 minutes
(with a progress bar). The CVs are built from the fictitious ones of
tests/assessment/fixtures: each is several of them joined until it reaches the length of
a dense two-page CV (about 7,000 characters), with its bullets shuffled, so that no two
are alike. Everything runs offline: read, hidden-text removal,
redaction, gaming review, rule extraction and scoring.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "assessment" / "fixtures" / "cvs"


def _corpus() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.*"))
            if p.suffix in (".txt", ".md")]


def _two_pages(texts: list[str]) -> str:
    joined = ""
    for text in texts:
        joined += text + "\n"
        if len(joined) >= 7000:
            break
    return joined


def _variant(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    bullets = [i for i, line in enumerate(lines) if line.lstrip().startswith(("-", "•", "*"))]
    moved = [lines[i] for i in bullets]
    rng.shuffle(moved)
    for i, line in zip(bullets, moved, strict=True):
        lines[i] = line
    return "\n".join(lines)


def main() -> None:
    """Time the offline assessment and print medians against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cvs", type=int, default=1000)
    args = parser.parse_args()

    from rich.progress import Progress

    from kambot.assistant.assessment.intake import text_document
    from kambot.assistant.assessment.rubric import load_rubric
    from kambot.assistant.assessment.service import assess_documents
    from kambot.config import Settings
    from kambot.domain.assessment import SourceKind

    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    start = time.perf_counter()
    bundle = load_rubric(settings.knowledge_dir)
    print(f"rubric load (first call): {(time.perf_counter() - start) * 1000:.0f} ms")
    texts = _corpus()
    if not texts:
        print(f"no fixture CVs in {FIXTURES}")
        sys.exit(1)
    two_pages = _two_pages(sorted(texts, key=len, reverse=True))

    def assess(text: str, ref: str) -> None:
        document = text_document(text, name="cv.txt", kind=SourceKind.CV)
        assess_documents(bundle, [document], target="hunter", lang="en", candidate_ref=ref)

    assess(two_pages, "warm-up")
    single: list[float] = []
    single_cpu: list[float] = []
    for run in range(args.runs):
        start, cpu = time.perf_counter(), time.process_time()
        assess(two_pages, f"single-{run}")
        single.append(time.perf_counter() - start)
        single_cpu.append(time.process_time() - cpu)
    print(f"one two-page CV ({len(two_pages):,} chars): median "
          f"{statistics.median(single) * 1000:.1f} ms wall, "
          f"{statistics.median(single_cpu) * 1000:.1f} ms CPU, max "
          f"{max(single) * 1000:.1f} ms wall (target <= 200 ms)")

    rng = random.Random(6)
    batch = []
    for _ in range(args.cvs):
        parts = rng.sample(texts, len(texts))
        batch.append(_variant(_two_pages(parts), rng))
    per_cv: list[float] = []
    start, cpu_start = time.perf_counter(), time.process_time()
    with Progress(transient=False) as progress:
        task = progress.add_task(f"assessing {args.cvs} CVs", total=args.cvs)
        for index, text in enumerate(batch):
            t0 = time.perf_counter()
            assess(text, f"batch-{index}")
            per_cv.append(time.perf_counter() - t0)
            progress.advance(task)
    total = time.perf_counter() - start
    cpu_total = time.process_time() - cpu_start
    print(f"{args.cvs} CVs: {total:.1f} s wall, {cpu_total:.1f} s CPU in total "
          f"(target <= 120 s); per CV median "
          f"{statistics.median(per_cv) * 1000:.1f} ms, p90 "
          f"{sorted(per_cv)[int(0.9 * (len(per_cv) - 1))] * 1000:.1f} ms")
    if hasattr(os, "getloadavg"):
        print(f"machine load average during the run: {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores (wall times grow with other processes' load)")


if __name__ == "__main__":
    main()
