"""Benchmark drafting: one account strategy, a batch of 100, kambot's overhead, CEB prompt size.

Loads the demo into a temporary SQLite database, then measures (warm process):

1. the offline draft of one account strategy, saved as the API would
   (``draft_document``), p50/p95 over every key account and several rounds
   (target: p95 <= 300 ms through the API; this measures the function the API calls);
2. a batch of 100 documents (strategies, summaries and CEBs in both languages, then the
   programme documents, cycled), saved (target: <= 30 s);
3. kambot's own time per document around a zero-latency scripted model (prompt
   building, answer validation, grounding guard, assembly, storage), the answers being
   prepared beforehand (target: <= 50 ms per document);
4. the size of the prompt of each Customer Executive Brief, in tokens with tiktoken's
   ``o200k_base`` when its file is already in the local cache, otherwise estimated as
   characters / 4 (nothing is downloaded).

Usage: .venv/bin/python benchmarks/bench_drafting.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kambot.config import Settings  # noqa: E402

TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"


def token_counter() -> tuple[Callable[[str], int], str]:
    """Return a token counter: tiktoken if its encoding is cached locally, else chars/4."""
    cache = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR") or (
        str(Path(tempfile.gettempdir()) / "data-gym-cache"))
    cached = Path(cache) / hashlib.sha1(TIKTOKEN_URL.encode()).hexdigest()
    if cached.is_file():
        try:
            import tiktoken

            encoding = tiktoken.get_encoding("o200k_base")
            return (lambda text: len(encoding.encode(text))), "tiktoken o200k_base"
        except Exception:
            pass
    return (lambda text: round(len(text) / 4)), "estimate: characters / 4"


def pct(values: list[float], q: float) -> float:
    """Return the q-quantile (0..1) of values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def main() -> None:
    """Run the four measures and print them against their targets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from kambot.assistant.drafting import draft_document, drafting_context
    from kambot.assistant.portfolio import PortfolioService, load_demo
    from kambot.llm.base import DraftContext
    from kambot.llm.model_writer import ModelWriter, build_messages
    from kambot.llm.offline import OfflineWriter
    from kambot.llm.testing import ScriptedModel, answer_from_draft
    from kambot.store.documents_schema import generated_documents
    from kambot.store.schema import Base

    folder = Path(tempfile.mkdtemp(prefix="kambot-bench-"))
    settings = Settings(data_dir=folder, _env_file=None)  # type: ignore[call-arg]
    start = time.perf_counter()
    load_demo(settings)
    service = PortfolioService(settings)
    Base.metadata.create_all(service.engine, tables=[generated_documents])
    context = drafting_context(settings, service)
    keys = context.key_accounts()
    print(f"setup (demo load, analysis): {time.perf_counter() - start:.1f} s; "
          f"{len(keys)} key accounts")
    draft_document(settings, service, "account_strategy", keys[0], "en")  # warm caches

    # 1. one account strategy, through the function the API calls
    times = []
    for r in range(args.rounds):
        for account in keys:
            t = time.perf_counter()
            draft_document(settings, service, "account_strategy", account,
                           "fr" if r % 2 else "en")
            times.append(time.perf_counter() - t)
    print(f"1. account strategy, offline, saved: p50 {pct(times, .5) * 1000:.0f} ms, "
          f"p95 {pct(times, .95) * 1000:.0f} ms over {len(times)} drafts "
          "(target p95 <= 300 ms)")

    # 1b. the same through the HTTP API (FastAPI app in process, real routing and JSON)
    from fastapi.testclient import TestClient

    from api.app import create_app

    api_times = []
    with TestClient(create_app(settings)) as client:
        client.post("/documents", json={"kind": "account_strategy", "account": keys[0]})
        for r in range(args.rounds):
            for account in keys:
                t = time.perf_counter()
                response = client.post("/documents", json={
                    "kind": "account_strategy", "account": account,
                    "lang": "fr" if r % 2 else "en"})
                api_times.append(time.perf_counter() - t)
                response.raise_for_status()
    print(f"1b. account strategy through POST /documents: p50 "
          f"{pct(api_times, .5) * 1000:.0f} ms, p95 {pct(api_times, .95) * 1000:.0f} ms over "
          f"{len(api_times)} requests (target p95 <= 300 ms)")

    # 2. a batch of 100 documents
    plan: list[tuple[str, str | None, str]] = []
    kinds = ("account_strategy", "executive_summary", "ceb")
    while len(plan) < 100:
        for lang in ("en", "fr"):
            for kind in kinds:
                plan += [(kind, a, lang) for a in keys]
            plan += [("sponsorship_plan", None, lang), ("programme_review", None, lang)]
    plan = plan[:100]
    t = time.perf_counter()
    for kind, subject, language in plan:
        draft_document(settings, service, kind, subject, language)  # type: ignore[arg-type]
    batch = time.perf_counter() - t
    print(f"2. batch of {len(plan)} documents, offline, saved: {batch:.1f} s "
          f"({batch / len(plan) * 1000:.0f} ms each; target <= 30 s)")

    # 3. overhead around a zero-latency model: answers prepared beforehand
    offline = OfflineWriter()
    answers = []
    jobs = [(k, a, lang) for lang in ("en", "fr") for k in kinds for a in keys]
    for kind, account, lang in jobs:
        inputs = context.inputs(kind, lang, account)  # type: ignore[arg-type]
        ctx = DraftContext(account=account, options=inputs.options, names=tuple(inputs.names),
                           terms=tuple(inputs.terms))
        answers.append(answer_from_draft(offline.draft(kind, inputs.facts,  # type: ignore[arg-type]
                                                       inputs.passages, lang,  # type: ignore[arg-type]
                                                       context=ctx)))
    model = ScriptedModel(answers, name="zero-latency")
    writer = ModelWriter(model, settings.prompts_dir)
    overhead = []
    for kind, account, lang in jobs:
        t = time.perf_counter()
        doc = draft_document(settings, service, kind, account, lang, writer)  # type: ignore[arg-type]
        overhead.append(time.perf_counter() - t)
        assert doc.writer == "zero-latency" and not doc.guard.retried, doc.key
    print(f"3. kambot overhead around a zero-latency model: mean "
          f"{statistics.mean(overhead) * 1000:.0f} ms, p95 {pct(overhead, .95) * 1000:.0f} ms "
          f"per document over {len(overhead)} (target <= 50 ms)")

    # 4. prompt size per CEB
    count, method = token_counter()
    sizes = []
    for lang in ("en", "fr"):
        for account in keys:
            inputs = context.inputs("ceb", lang, account)  # type: ignore[arg-type]
            ctx = DraftContext(account=account, options=inputs.options)
            messages, _ = build_messages(settings.prompts_dir, "ceb", inputs.facts,
                                         inputs.passages, lang, None, ctx)  # type: ignore[arg-type]
            sizes.append(sum(count(m.content) for m in messages))
    print(f"4. CEB prompt size ({method}): mean {statistics.mean(sizes):.0f}, "
          f"min {min(sizes)}, max {max(sizes)} tokens over {len(sizes)} prompts")


if __name__ == "__main__":
    main()
