"""Embed a large corpus with the local embedding in worker processes.

Chroma's ``add`` holds the GIL, so threads cannot overlap embedding with writing. Worker
processes can: while the main process writes one batch of vectors to Chroma, the
workers compute the next ones. Two passes are needed because the vectors use document
frequencies over the whole corpus:

1. the main process counts feature document frequencies (over an evenly spaced sample
   of 5,000 texts for a larger corpus, see :func:`sample_stats`) while the workers
   start;
2. workers embed batches with those frequencies and return, per batch, the vectors and
   the BM25 tokens (as ids into a small per-batch vocabulary, which is far cheaper to
   send between processes than millions of strings).

Up to 5,000 texts the result is identical to :meth:`LocalHashEmbedder.fit_tokens`
(hashing is deterministic and the counts exact); a test checks it. Workers are started with
the ``spawn`` method, which is safe whatever threads the main process runs. As with any
``spawn`` pool, a *script* that triggers a large build must keep its top-level code under
``if __name__ == "__main__":`` (console scripts, servers and pytest do); otherwise pass
``workers=0`` to :func:`kambot.retrieval.index.build_state`.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kambot.retrieval.embeddings import DF_BUCKETS, FeatureStats, LocalHashEmbedder
from kambot.retrieval.glossary import Glossary
from kambot.retrieval.text import analyse

PARALLEL_MIN = 4000  # below this, starting processes costs more than it saves
BATCH = 1000
STATS_SAMPLE = 5000

_WORKER: dict[str, Any] = {}


@dataclass(frozen=True)
class Batch:
    """One embedded batch, in corpus order from ``start``."""

    start: int
    vectors: npt.NDArray[np.float32]
    tokens: list[list[str]]


def worker_count() -> int:
    """Return how many worker processes to use (0: embed in this process)."""
    cores = os.cpu_count() or 1
    return min(cores, 4) if cores >= 2 else 0


def _init(glossary: Glossary, dim: int, language: str) -> None:
    _WORKER["embedder"] = LocalHashEmbedder(glossary, dim=dim,
                                            default_language=language)  # type: ignore[arg-type]


def _ready() -> bool:
    return True


def sample_stats(embedder: LocalHashEmbedder, texts: Sequence[str], langs: Sequence[str],
                 limit: int = STATS_SAMPLE) -> FeatureStats:
    """Count feature document frequencies, over an evenly spaced sample when large.

    Exact up to ``limit`` texts. Beyond, the counts of ``limit`` evenly spaced texts are
    scaled to the corpus size: idf changes slowly with the counts, so the estimate
    moves the vectors very little, and counting every text would add a pass over the
    whole corpus before the first vector can be written.
    """
    total = len(texts)
    picked = range(total) if total <= limit else [i * total // limit for i in range(limit)]
    df = np.zeros(DF_BUCKETS, dtype=np.int32)
    for i in picked:
        embedder.count_features(embedder.features(texts[i], embedder.language_of(texts[i],
                                                                                 langs[i])), df)
    if total > limit:
        df = np.rint(df.astype(np.float64) * (total / limit)).astype(np.int32)
    return FeatureStats(total, df)


def _embed(stats_path: str, start: int, texts: Sequence[str], langs: Sequence[str],
           headings: Sequence[str]) -> tuple[int, npt.NDArray[np.float32], list[str],
                                             npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    embedder: LocalHashEmbedder = _WORKER["embedder"]
    if embedder.stats_path != stats_path:
        # The statistics travel through the file the main process saved, once per worker.
        embedder = embedder.with_stats(FeatureStats.load(Path(stats_path)), stats_path)
        _WORKER["embedder"] = embedder
    vocab: dict[str, int] = {}
    ids: list[int] = []
    lengths: list[int] = []
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for row, (text, lang, heading) in enumerate(zip(texts, langs, headings, strict=True)):
        language = embedder.language_of(text, lang)
        features = embedder.features(text, language)
        vectors[row] = embedder.vector(features)
        document = [*features.stems, *analyse(heading, language).stems]
        ids.extend(vocab.setdefault(token, len(vocab)) for token in document)
        lengths.append(len(document))
    return (start, vectors, list(vocab), np.asarray(ids, dtype=np.int32),
            np.asarray(lengths, dtype=np.int32))


def _decode(vocab: list[str], ids: npt.NDArray[np.int32],
            lengths: npt.NDArray[np.int32]) -> list[list[str]]:
    tokens: list[list[str]] = []
    offset = 0
    for length in lengths.tolist():
        tokens.append([vocab[i] for i in ids[offset : offset + length].tolist()])
        offset += length
    return tokens


class EmbeddingPool:
    """Worker processes embedding with one :class:`LocalHashEmbedder` configuration.

    Use as a context manager; :meth:`embed` (once the statistics were saved to a file)
    yields embedded batches.
    """

    def __init__(self, embedder: LocalHashEmbedder, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init,
            initargs=(embedder.glossary, embedder.dim, embedder.default_language))
        # Start the workers now: they import while the caller counts frequencies.
        self._ready = [self._pool.submit(_ready) for _ in range(self.workers)]

    def __enter__(self) -> EmbeddingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


    def embed(self, stats_path: Path, texts: Sequence[str], langs: Sequence[str],
              headings: Sequence[str]) -> Iterator[Batch]:
        """Embed texts with the statistics saved at ``stats_path``, batch by batch.

        Batches are yielded as they complete (not necessarily in order), so that the
        caller can write each one while the workers carry on.

        Yields:
            Batches covering every text once; their tokens are the BM25 tokens of the
            texts (stems of the text, then of the heading).
        """
        pending: list[Future[Any]] = [
            self._pool.submit(_embed, str(stats_path), i, texts[i : i + BATCH],
                              langs[i : i + BATCH], headings[i : i + BATCH])
            for i in range(0, len(texts), BATCH)
        ]
        for future in as_completed(pending):
            start, vectors, vocab, ids, lengths = future.result()
            yield Batch(start, vectors, _decode(vocab, ids, lengths))
