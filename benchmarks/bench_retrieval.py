"""Benchmark the retrieval layer on 20,000 synthetic chunks.

The chunks are made of real corpus sentences, shuffled: 1,000 public (methodology-like)
chunks and 19,000 account notes spread over 200 accounts, half French, half English.
Printed figures (medians over the queries):

- ingestion: chunks per second for a full build (local embedding, Chroma, BM25, chunk
  table), the targets being >= 500 chunks/s;
- hybrid search latency (p50 / p95) for an all-accounts caller and for a KAM who sees
  5 accounts, the targets being p50 <= 15 ms and p95 <= 40 ms, and the same all-accounts
  search without the coverage re-ranking, to show what that step costs;
- Chroma's own query time alone (vector given), without and with a scope ``where``, as
  the baseline.

Usage::

    .venv/bin/python benchmarks/bench_retrieval.py [--chunks 20000] [--queries 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kambot.config import Settings  # noqa: E402
from kambot.retrieval.glossary import load_glossary  # noqa: E402
from kambot.retrieval.index import SearchIndex, build_state, index_lock  # noqa: E402
from kambot.retrieval.models import Chunk, IndexStatus, Scope, account_scope  # noqa: E402
from kambot.retrieval.search import plan_query  # noqa: E402
from kambot.retrieval.sources import methodology_chunks  # noqa: E402
from kambot.retrieval.text import split_sentences  # noqa: E402

QUERIES = [
    "How many key accounts should a KAM carry?", "Comment calculer la part de portefeuille ?",
    "What does an executive sponsor do?", "Quels sont les pièges de la matrice ?",
    "escalation path for late deliveries", "plan de compte et initiatives stratégiques",
    "relationship stages from exploratory to integrated", "comment préparer la réunion sponsor",
    "share of wallet target for the next three years", "niveaux de service or argent bronze",
]


def synthetic_chunks(knowledge_dir: Path, total: int, public: int, accounts: int,
                     seed: int = 7) -> list[Chunk]:
    """Build ``total`` chunks of shuffled corpus sentences (``public`` of them public)."""
    rng = random.Random(seed)
    sentences: dict[str, list[str]] = {"fr": [], "en": []}
    titles: dict[str, list[tuple[str, str]]] = {"fr": [], "en": []}
    for chunk in methodology_chunks(knowledge_dir):
        sentences[chunk.language].extend(s for s in split_sentences(chunk.text) if len(s) > 30)
        titles[chunk.language].append((chunk.title, chunk.section))
    if not sentences["en"] or not sentences["fr"]:
        raise SystemExit("the knowledge folder has no methodology text in both languages")
    chunks: list[Chunk] = []
    for n in range(total):
        lang = "en" if n % 2 else "fr"
        title, section = rng.choice(titles[lang])
        text = " ".join(rng.sample(sentences[lang], rng.randint(4, 8)))
        if n < public:
            chunks.append(Chunk(id=f"{lang}/synthetic-{n}#part", text=text, title=title,
                                section=section, doc_id=f"synthetic-{n}", language=lang,
                                kind="methodology", topic="synthetic", step="0",
                                source="synthetic"))
        else:
            account = n % accounts + 1
            chunks.append(Chunk(id=f"account-{account}/note-{n}#text", text=text,
                                title=title, section=section, doc_id=f"note-{n}",
                                language=lang, kind="account_note",
                                scope=account_scope(account), account_id=account,
                                source=f"note-{n}"))
    return chunks


def _cpu_seconds() -> float:
    """Return CPU seconds used by this process and its finished children."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return time.process_time()
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(label: str, runs: list[float]) -> str:
    return (f"{label}: p50 {statistics.median(runs) * 1000:.1f} ms, "
            f"p95 {_percentile(runs, 0.95) * 1000:.1f} ms (n={len(runs)})")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=20_000)
    parser.add_argument("--public", type=int, default=1_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="full builds to time")
    parser.add_argument("--knowledge-dir", type=Path, default=ROOT / "knowledge")
    args = parser.parse_args(argv)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, load average {load:.2f} at start")
    chunks = synthetic_chunks(args.knowledge_dir, args.chunks, args.public, args.accounts)
    mean_chars = statistics.mean(len(c.text) for c in chunks)
    print(f"synthetic corpus: {len(chunks)} chunks, mean {mean_chars:.0f} chars, "
          f"{args.public} public, {args.accounts} accounts")
    with tempfile.TemporaryDirectory(prefix="kambot-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp), knowledge_dir=args.knowledge_dir,
                            _env_file=None)  # type: ignore[call-arg]
        glossary = load_glossary(settings.knowledge_dir / "glossary.yaml")
        import bm25s  # noqa: F401
        import chromadb  # noqa: F401 - imported before timing, as a running server has it

        stages: dict[str, float] = {}
        first_seen: dict[str, float] = {}

        def progress(stage: str, done: int, total: int) -> None:
            now = time.perf_counter()
            stages[stage] = now - first_seen.setdefault(stage, now)

        rates: list[float] = []
        for _ in range(max(1, args.repeat)):
            started = time.perf_counter()
            cpu_started = _cpu_seconds()
            with index_lock(settings.index_dir):
                state, _ = build_state(settings, glossary, chunks, progress)
            elapsed = time.perf_counter() - started
            cpu_used = _cpu_seconds() - cpu_started
            rates.append(len(chunks) / elapsed)
            print(f"  build: {rates[-1]:.0f} chunks/s ({elapsed:.1f} s wall; embed "
                  f"{stages.get('embed', 0):.1f} s, chroma {stages.get('chroma', 0):.1f} s; "
                  f"{cpu_used:.1f} s CPU in all processes)")
            stages.clear()
            first_seen.clear()
        print(f"ingestion: {statistics.median(rates):.0f} chunks/s (median of {len(rates)} "
              f"builds of {len(chunks)} chunks)")
        index = SearchIndex(settings, glossary, state, IndexStatus(state="ready"))

        rng = random.Random(11)
        queries = [QUERIES[i % len(QUERIES)] for i in range(args.queries)]
        for query in QUERIES:  # warm caches (stemmers, hashes, Chroma's HNSW pages)
            index.search(query, k=5, scope=Scope.everything())
        everyone = Scope.everything()
        kam_scopes = [Scope.for_accounts({rng.randint(1, args.accounts) for _ in range(5)},
                                         {"kam"}) for _ in queries]
        labels = ("all", "all_plain", "kam", "kam_where")
        results: dict[str, list[float]] = {label: [] for label in labels}
        cpu: dict[str, list[float]] = {label: [] for label in labels}
        for query, kam in zip(queries, kam_scopes, strict=True):
            runs: tuple[tuple[str, Scope, str, float | None], ...] = (
                ("all", everyone, "fallback", None), ("all_plain", everyone, "fallback", 0.0),
                ("kam", kam, "fallback", None), ("kam_where", kam, "always", None))
            for label, scope, mode, weight in runs:
                t0, c0 = time.perf_counter(), time.process_time()
                if weight is None:
                    index.search(query, k=5, scope=scope, chroma_where_mode=mode)
                else:
                    index.search(query, k=5, scope=scope, chroma_where_mode=mode,
                                 coverage_weight=weight)
                results[label].append(time.perf_counter() - t0)
                cpu[label].append(time.process_time() - c0)
        for label, title in (("all", "all accounts"),
                             ("all_plain", "all accounts, no coverage re-ranking"),
                             ("kam", "KAM scope (5 accounts)"),
                             ("kam_where", "KAM scope, Chroma where always")):
            print(_timed(f"hybrid search, {title}", results[label])
                  + f"; CPU p50 {statistics.median(cpu[label]) * 1000:.1f} ms")

        collection = state.collection
        assert collection is not None
        vectors = [state.embedder.embed_query(q, plan_query(index, q).language) for q in queries]
        plain: list[float] = []
        scoped: list[float] = []
        for vector, kam in zip(vectors, kam_scopes, strict=True):
            t0 = time.perf_counter()
            collection.query(query_embeddings=[vector], n_results=50, include=["distances"])
            plain.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            collection.query(query_embeddings=[vector], n_results=50, include=["distances"],
                             where=kam.chroma_where())
            scoped.append(time.perf_counter() - t0)
        overlap: list[float] = []
        if state.vectors is not None:
            import numpy as np

            matrix = np.asarray(state.vectors)
            for vector in vectors[:50]:
                exact = set(np.argsort(-(matrix @ vector))[:50].tolist())
                found = collection.query(query_embeddings=[vector], n_results=50,
                                         include=["distances"])["ids"][0]
                overlap.append(len({state.positions[i] for i in found} & exact) / 50)
            print(f"HNSW recall of the 50 nearest vs exact search: "
                  f"{statistics.mean(overlap):.3f} (mean over {len(overlap)} queries)")
        print(_timed("Chroma query alone (50 nearest, no filter)", plain))
        print(_timed("Chroma query alone (50 nearest, scope where)", scoped))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.2f} at the end (other processes share the 2 cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
