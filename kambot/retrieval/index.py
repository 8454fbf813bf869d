"""The search index: Chroma (dense vectors) plus bm25s (lexical), derived and rebuildable.

Layout under ``settings.index_dir``::

    manifest.json        what was built: source fingerprints, embedder, counts, paths
    index.lock           held while a process rebuilds or adds (one writer at a time)
    chroma/<generation>/ the embedded Chroma store (PersistentClient)
    bm25/<generation>/   the bm25s index and the chunk table (chunks.jsonl)
    embedding/<generation>/embedding_stats.npz
                         the local embedding's document frequencies

Every rebuild writes a new *generation* and then swaps ``manifest.json`` atomically:
a crash half-way leaves the previous index in use (and detected as stale next time),
a corrupt Chroma directory is never patched in place, and deleted account notes are
really gone (Chroma keeps deleted vectors in its files; a fresh directory does not).
Old generations are removed after the swap. With ``settings.chroma_url`` the vectors
live in a Chroma server instead, in a collection named per embedder and generation.

Chroma is not safe with several writer processes: kambot holds ``index.lock`` around
every write, so run one writer (the API server, or one ``kambot reindex``) at a time,
or use a Chroma server.

BM25 choice: one combined index, tokenised per chunk with the analyser of the chunk's
language (French or English stop words and stemmer). A single index gives one score
scale and one idf for fusion and filtering; cross-language matches come from the
glossary expansion of the query and from stems the two languages share
("segment", "strateg", "sponsor").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from kambot.errors import KambotError, RetrievalError
from kambot.retrieval.embeddings import (
    Embedder,
    FeatureStats,
    LocalHashEmbedder,
    make_embedder,
)
from kambot.retrieval.glossary import Glossary, load_glossary
from kambot.retrieval.models import Chunk, Hit, IndexStatus, ReindexReport, Scope
from kambot.retrieval.rerank import Lexicon
from kambot.retrieval.text import analyse, slugify

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.config import Settings

MANIFEST_FORMAT = 1
Progress = Callable[[str, int, int], None]
StatusCallback = Callable[[str], None]
LOCK_TIMEOUT_S = 600.0
BATCH = 2000
FILTER_FIELDS = ("language", "topic", "doc_id", "kind")
# Chroma's HNSW insertion dominates ingestion: ef_construction 64 instead of 100 adds
# ~30% more vectors per second, and ef_search 200 instead of 100 buys the recall back at
# query time for well under a millisecond (benchmarks/bench_retrieval.py prints the
# recall of the 50 nearest against an exact search).
HNSW_CONFIG: dict[str, Any] = {"space": "cosine", "ef_construction": 64, "ef_search": 200}


# --- helpers -------------------------------------------------------------------------


def fingerprint(chunks: Sequence[Chunk]) -> str:
    """Return a hash over chunk ids and content hashes (order-independent)."""
    digest = hashlib.sha256()
    for line in sorted(f"{c.id}\t{c.content_hash}" for c in chunks):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _fingerprints(chunks: Sequence[Chunk]) -> dict[str, str]:
    return {
        "all": fingerprint(chunks),
        "methodology": fingerprint([c for c in chunks if c.kind == "methodology"]),
        "accounts": fingerprint([c for c in chunks if c.kind != "methodology"]),
    }


def _noop_progress(stage: str, done: int, total: int) -> None:
    return None


@contextlib.contextmanager
def index_lock(index_dir: Path, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the index directory's write lock (one writer process at a time).

    Raises:
        RetrievalError: when another process keeps the lock longer than ``timeout_s``.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / "index.lock"
    with path.open("a+") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                _try_lock(handle)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RetrievalError(
                        f"the search index in {index_dir} is locked by another process",
                        hint="wait for the other `kambot reindex` or server to finish",
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            _unlock(handle)


def _try_lock(handle: Any) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(handle: Any) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    """Return the manifest, or None when there is none.

    Raises:
        RetrievalError: when the manifest exists but is unreadable or malformed.
    """
    path = index_dir / "manifest.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RetrievalError(f"the index manifest {path} is unreadable: {exc}",
                             hint="run `kambot reindex`") from exc
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise RetrievalError(f"the index manifest {path} has an unknown format",
                             hint="run `kambot reindex`")
    return data


# Server mode: collections this index created and may not have adopted yet (a reindex
# killed between creating its collection and writing the manifest leaves one behind).
PENDING_COLLECTIONS = "chroma-pending.json"


def _pending_collections(index_dir: Path) -> list[str]:
    try:
        data = json.loads((index_dir / PENDING_COLLECTIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    names = data.get("collections") if isinstance(data, dict) else None
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _note_pending_collection(index_dir: Path, name: str) -> None:
    """Write a collection's name down before creating it on the server."""
    names = _pending_collections(index_dir)
    if name not in names:
        index_dir.mkdir(parents=True, exist_ok=True)
        _write_json_atomic(index_dir / PENDING_COLLECTIONS, {"collections": [*names, name]})


def collection_name(embedder_name: str, generation: str | None = None) -> str:
    """Return the Chroma collection name for an embedder (and generation, server mode)."""
    base = f"kambot_chunks_{slugify(embedder_name, 'embedder').replace('-', '_')}"
    name = f"{base}_{generation}" if generation else base
    return name[:500]


def _chroma_client(settings: Settings, path: Path | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url if "://" in settings.chroma_url
                       else f"http://{settings.chroma_url}")
        if not url.hostname:
            raise RetrievalError(f"KAMBOT_CHROMA_URL {settings.chroma_url!r} has no host",
                                 hint="use e.g. http://127.0.0.1:8000")
        ssl = url.scheme == "https"
        port = url.port or (443 if ssl else 8000)
        try:
            return chromadb.HttpClient(host=url.hostname, port=port, ssl=ssl,
                                       settings=chroma_settings)
        except Exception as exc:  # connection errors of several libraries
            raise RetrievalError(f"cannot reach the Chroma server at {settings.chroma_url}: "
                                 f"{exc}", hint="start it (`chroma run`) or unset "
                                 "KAMBOT_CHROMA_URL to use the embedded store") from exc
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _release_chroma(path: Path) -> None:
    """Drop Chroma's cached in-process system for a directory about to be deleted."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        systems = SharedSystemClient._identifier_to_system
        system = systems.pop(str(path), None)
        if system is not None:
            system.stop()
    except Exception:  # best effort: a leftover handle only delays the cleanup
        return


# --- in-memory state -----------------------------------------------------------------


@dataclass
class _Codes:
    """Per-chunk integer codes of the filterable fields, for vectorised masks."""

    values: dict[str, list[str]]
    codes: dict[str, npt.NDArray[np.int32]]
    scope_values: list[str]
    scope_codes: npt.NDArray[np.int32]
    restricted: dict[int, tuple[str, ...]]

    @classmethod
    def build(cls, chunks: Sequence[Chunk]) -> _Codes:
        values: dict[str, list[str]] = {}
        codes: dict[str, npt.NDArray[np.int32]] = {}
        for name in FILTER_FIELDS:
            table: dict[str, int] = {}
            column = [table.setdefault(str(getattr(c, name)), len(table)) for c in chunks]
            values[name] = list(table)
            codes[name] = np.asarray(column, dtype=np.int32)
        scope_table: dict[str, int] = {}
        scope_column = [scope_table.setdefault(c.scope, len(scope_table)) for c in chunks]
        restricted = {i: c.roles for i, c in enumerate(chunks) if c.roles}
        return cls(values, codes, list(scope_table), np.asarray(scope_column, dtype=np.int32),
                   restricted)


@dataclass
class IndexState:
    """Everything a search reads; replaced as a whole when the index changes."""

    chunks: list[Chunk]
    positions: dict[str, int]
    embedder: Embedder
    bm25: Any | None
    collection: Any | None
    codes: _Codes
    manifest: dict[str, Any]
    chroma_path: Path | None = None
    bm25_path: Path | None = None
    vectors: npt.NDArray[np.float32] | None = None
    _lexicon: Lexicon | None = field(default=None, repr=False)

    @property
    def count(self) -> int:
        """Return the number of chunks."""
        return len(self.chunks)

    @property
    def lexicon(self) -> Lexicon | None:
        """Return the BM25 postings grouped for re-ranking (built on first use)."""
        if self._lexicon is None and self.bm25 is not None:
            # Two threads may both build it; they build the same thing.
            self._lexicon = Lexicon.from_bm25(self.bm25)
        return self._lexicon


@dataclass
class SearchIndex:
    """Hybrid search over the methodology corpus and account documents.

    Build with :func:`open_index` (checks freshness, rebuilds when needed) or
    :func:`reindex`; search with :meth:`search`.
    """

    settings: Settings
    glossary: Glossary
    state: IndexState
    status: IndexStatus = field(default_factory=lambda: IndexStatus(state="ready"))
    _swap: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # -- reading ----------------------------------------------------------------------

    @property
    def chunks(self) -> list[Chunk]:
        """Return the indexed chunks."""
        return self.state.chunks

    @property
    def embedder(self) -> Embedder:
        """Return the embedder the vectors were made with."""
        return self.state.embedder

    @property
    def manifest(self) -> dict[str, Any]:
        """Return the manifest of the index in use."""
        return self.state.manifest

    def __len__(self) -> int:
        return self.state.count

    def get_chunk(self, chunk_id: str) -> Chunk | None:
        """Return a chunk by id, or None."""
        state = self.state
        position = state.positions.get(chunk_id)
        return None if position is None else state.chunks[position]

    def search(self, query: str, *, k: int = 5, scope: Scope | None = None,
               filters: dict[str, str | Sequence[str]] | None = None,
               language: str | None = None, **options: Any) -> list[Hit]:
        """Run a hybrid (BM25 + dense, RRF-fused) search; see :func:`hybrid_search`."""
        from kambot.retrieval.search import hybrid_search

        return hybrid_search(self, query, k=k, scope=scope, filters=filters,
                             language=language, **options)

    # -- writing ----------------------------------------------------------------------

    def rebuild(self, sources: Sequence[Chunk], progress: Progress | None = None,
                reason: str | None = None) -> ReindexReport:
        """Rebuild Chroma and BM25 from ``sources`` into a new generation, then swap.

        Args:
            sources: every chunk to index (methodology and account documents).
            progress: called as ``progress(stage, done, total)``.
            reason: why the rebuild happens (kept in the report).

        Returns:
            What was built.
        """
        with index_lock(self.settings.index_dir):
            state, report = build_state(self.settings, self.glossary, sources, progress, reason)
            with self._swap:
                old = self.state
                self.state = state
            _cleanup_generations(self.settings, keep=state, old_manifest=old.manifest)
        return report

    def add_chunks(self, chunks: Sequence[Chunk], progress: Progress | None = None) -> int:
        """Add or replace chunks (e.g. a new note or an uploaded document) in place.

        The vectors are computed with the index's embedder and statistics; BM25 is
        rebuilt over all chunks (bm25s cannot add documents) into a new directory.

        Args:
            chunks: chunks to upsert (same id = replaced).
            progress: called as ``progress(stage, done, total)``.

        Returns:
            The number of chunks in the index afterwards.
        """
        if not chunks:
            return len(self)
        progress = progress or _noop_progress
        with index_lock(self.settings.index_dir), self._swap:
            state = self.state
            new_ids = {c.id for c in chunks}
            if len(new_ids) != len(chunks):
                raise RetrievalError("add_chunks got two chunks with the same id",
                                     hint="deduplicate the chunks first")
            kept = [i for i, c in enumerate(state.chunks) if c.id not in new_ids]
            merged = [state.chunks[i] for i in kept] + list(chunks)
            vectors = _embed_batches(state.embedder, list(chunks), progress)
            if state.vectors is not None and kept:
                all_vectors = np.vstack([np.asarray(state.vectors[kept]), vectors])
            else:
                all_vectors = vectors
            if state.collection is not None:
                _chroma_write(state.collection, list(chunks), vectors, progress, upsert=True)
            generation = _new_generation()
            bm25_path = self.settings.index_dir / "bm25" / generation
            bm25 = _build_bm25(merged, bm25_path, progress)
            _write_chunk_table(bm25_path, merged, all_vectors)
            manifest = dict(state.manifest)
            manifest.update(_manifest_counts(merged, state.collection))
            manifest["bm25"] = {"path": str(bm25_path.relative_to(self.settings.index_dir))}
            manifest["updated_at"] = datetime.now(UTC).isoformat()
            _write_json_atomic(self.settings.index_dir / "manifest.json", manifest)
            self.state = IndexState(
                chunks=merged, positions={c.id: i for i, c in enumerate(merged)},
                embedder=state.embedder, bm25=bm25, collection=state.collection,
                codes=_Codes.build(merged), manifest=manifest, chroma_path=state.chroma_path,
                bm25_path=bm25_path, vectors=all_vectors)
            if state.bm25_path is not None and state.bm25_path != bm25_path:
                shutil.rmtree(state.bm25_path, ignore_errors=True)
        return len(self)


# --- building ------------------------------------------------------------------------


def _new_generation() -> str:
    return datetime.now(UTC).strftime("g%Y%m%dT%H%M%S") + uuid.uuid4().hex[:6]


def _bm25_document(chunk: Chunk, stems: Sequence[str] | None = None) -> list[str]:
    """Return a chunk's BM25 tokens: title, heading and text, the heading counted twice.

    Headings summarise their section in a few words and questions often echo them, so
    their words weigh a little more (a poor man's BM25F).
    """
    lang = chunk.language
    if stems is None:
        stems = analyse(chunk.index_text, lang).stems  # type: ignore[arg-type]
    heading = analyse(chunk.section, lang).stems  # type: ignore[arg-type]
    return [*stems, *heading] or [""]


def _bm25_tokens(chunks: Sequence[Chunk]) -> list[list[str]]:
    return [_bm25_document(c) for c in chunks]


def _build_bm25(chunks: Sequence[Chunk], path: Path, progress: Progress,
                tokens: list[list[str]] | None = None) -> Any | None:
    path.mkdir(parents=True, exist_ok=True)
    if not chunks:
        return None
    import bm25s

    progress("bm25", 0, len(chunks))
    corpus_tokens = tokens if tokens is not None else _bm25_tokens(chunks)
    retriever = bm25s.BM25()
    retriever.index(corpus_tokens, show_progress=False)
    retriever.save(str(path))
    progress("bm25", len(chunks), len(chunks))
    return retriever


def _write_chunk_table(path: Path, chunks: Sequence[Chunk],
                       vectors: npt.NDArray[np.float32] | None = None) -> None:
    """Write the chunk table and, aligned with it, a copy of the vectors (vectors.npy).

    The copy serves exact searches over the few chunks a restricted scope lets through,
    and the feedback and confidence computations, without a round trip to Chroma.
    """
    path.mkdir(parents=True, exist_ok=True)
    with (path / "chunks.jsonl").open("w", encoding="utf-8") as handle:
        for chunk in chunks:
            handle.write(json.dumps(chunk.to_json(), ensure_ascii=False))
            handle.write("\n")
    if vectors is not None:
        np.save(path / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32))


def _read_vectors(path: Path, count: int) -> npt.NDArray[np.float32] | None:
    file = path / "vectors.npy"
    if not count:
        return None
    try:
        vectors = np.load(file, mmap_mode="r")
    except (OSError, ValueError) as exc:
        raise RetrievalError(f"the vector copy {file} is unreadable: {exc}",
                             hint="run `kambot reindex`") from exc
    if vectors.ndim != 2 or vectors.shape[0] != count or vectors.dtype != np.float32:
        raise RetrievalError(f"the vector copy {file} has shape {vectors.shape} for {count} "
                             "chunks", hint="run `kambot reindex`")
    return vectors  # type: ignore[no-any-return]


def _read_chunk_table(path: Path) -> list[Chunk]:
    chunks: list[Chunk] = []
    with (path / "chunks.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                chunk = Chunk.from_json(json.loads(line))
                if chunk.compute_hash() != chunk.content_hash:
                    raise RetrievalError(f"chunk {chunk.id} in {path} does not match its hash",
                                         hint="run `kambot reindex`")
                chunks.append(chunk)
    return chunks


def _embed_batches(embedder: Embedder, chunks: list[Chunk],
                   progress: Progress) -> npt.NDArray[np.float32]:
    parts: list[npt.NDArray[np.float32]] = []
    for start in range(0, len(chunks), BATCH):
        batch = chunks[start : start + BATCH]
        parts.append(embedder.embed_documents([c.index_text for c in batch],
                                              [c.language for c in batch]))
        progress("embed", start + len(batch), len(chunks))
    if not parts:
        return np.zeros((0, 1), dtype=np.float32)
    return np.vstack(parts)


def _chroma_write(collection: Any, chunks: list[Chunk], vectors: npt.NDArray[np.float32],
                  progress: Progress, upsert: bool = False) -> None:
    """Write vectors and filter metadata to Chroma in batches (no documents: our chunk
    table holds the text, and Chroma's full-text index would slow every insert)."""
    batch = 5000
    try:
        max_batch = int(collection._client.get_max_batch_size())
        batch = max(1, min(batch, max_batch))
    except Exception:  # older clients: keep the default batch
        batch = 5000
    write = collection.upsert if upsert else collection.add
    for start in range(0, len(chunks), batch):
        part = chunks[start : start + batch]
        try:
            write(ids=[c.id for c in part], embeddings=vectors[start : start + len(part)],
                  metadatas=[c.filter_metadata() for c in part])  # type: ignore[misc]
        except KambotError:
            raise
        except Exception as exc:  # Chroma raises many types (ValueError, Rust errors)
            raise RetrievalError(f"writing to Chroma failed: {exc}",
                                 hint="run `kambot reindex`; with a server, check it") from exc
        progress("chroma", start + len(part), len(chunks))


def _manifest_counts(chunks: Sequence[Chunk], collection: Any | None) -> dict[str, Any]:
    return {
        "fingerprints": _fingerprints(chunks),
        "counts": {
            "chunks": len(chunks),
            "methodology": sum(1 for c in chunks if c.kind == "methodology"),
            "accounts": sum(1 for c in chunks if c.kind != "methodology"),
            "flagged": sum(1 for c in chunks if c.flagged),
            "chroma": int(collection.count()) if collection is not None else 0,
        },
    }


def _open_collection(settings: Settings, client: Any, name: str, embedder: Embedder,
                     create: bool) -> Any:
    from kambot.retrieval.chroma_ef import chroma_embedding_function

    function = chroma_embedding_function(embedder)
    if create:
        with contextlib.suppress(Exception):  # absent collection: nothing to drop
            client.delete_collection(name)
        return client.create_collection(name, embedding_function=function,
                                        configuration={"hnsw": HNSW_CONFIG})
    return client.get_collection(name, embedding_function=function)


def _parallel_write(pool: Any, stats_path: Path, chunks: list[Chunk], collection: Any,
                    dim: int, progress: Progress,
                    ) -> tuple[npt.NDArray[np.float32], list[list[str]]]:
    """Embed in worker processes and write each batch to Chroma as it arrives."""
    from concurrent.futures.process import BrokenProcessPool

    vectors = np.zeros((len(chunks), dim), dtype=np.float32)
    tokens: list[list[str]] = [[] for _ in chunks]
    done = 0
    try:
        for batch in pool.embed(stats_path, [c.index_text for c in chunks],
                                [c.language for c in chunks], [c.section for c in chunks]):
            end = batch.start + len(batch.vectors)
            vectors[batch.start : end] = batch.vectors
            tokens[batch.start : end] = [t or [""] for t in batch.tokens]
            _chroma_write(collection, chunks[batch.start : end], batch.vectors, _noop_progress)
            done += len(batch.vectors)
            progress("embed", done, len(chunks))
            progress("chroma", done, len(chunks))
    except BrokenProcessPool as exc:
        raise RetrievalError(
            f"an embedding worker process died: {exc}",
            hint="a script starting the rebuild needs `if __name__ == '__main__':`; "
                 "or rebuild with workers=0") from exc
    return vectors, tokens


def build_state(settings: Settings, glossary: Glossary, sources: Sequence[Chunk],
                progress: Progress | None = None, reason: str | None = None,
                workers: int | None = None) -> tuple[IndexState, ReindexReport]:
    """Build a new index generation from chunks and write its manifest.

    The caller holds :func:`index_lock`.

    Args:
        settings: where to write, which embedder, which Chroma.
        glossary: the glossary of the local embedding.
        sources: all chunks.
        progress: called as ``progress(stage, done, total)``.
        reason: why (stored in the report).
        workers: embedding processes for a large corpus with the local embedding
            (default: one per core, up to 4; 0 or 1 embeds in this process).

    Returns:
        The new state and a report.

    Raises:
        RetrievalError: on duplicate chunk ids or a failing store or endpoint.
    """
    started = time.perf_counter()
    progress = progress or _noop_progress
    chunks = list(sources)
    ids = [c.id for c in chunks]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise RetrievalError(f"two sources produce the chunk id {dup!r}",
                             hint="document ids must be unique per language")
    generation = _new_generation()
    (settings.index_dir / "bm25" / generation).mkdir(parents=True, exist_ok=True)
    embedder = make_embedder(settings, glossary)
    from kambot.retrieval.parallel import PARALLEL_MIN, EmbeddingPool, worker_count

    workers = worker_count() if workers is None else workers
    pool: EmbeddingPool | None = None
    if isinstance(embedder, LocalHashEmbedder) and workers >= 2 and len(chunks) >= PARALLEL_MIN:
        pool = EmbeddingPool(embedder, workers)
    with contextlib.ExitStack() as stack:
        if pool is not None:
            stack.enter_context(pool)
        return _build_state(settings, chunks, embedder, generation, pool, progress, reason,
                            started)


def _build_state(settings: Settings, chunks: list[Chunk], embedder: Embedder, generation: str,
                 pool: Any, progress: Progress, reason: str | None,
                 started: float) -> tuple[IndexState, ReindexReport]:
    index_dir = settings.index_dir
    bm25_path = index_dir / "bm25" / generation
    texts = [c.index_text for c in chunks]
    langs = [c.language for c in chunks]
    tokens: list[list[str]] | None = None
    vectors: npt.NDArray[np.float32] | None = None
    parallel = pool is not None
    if isinstance(embedder, LocalHashEmbedder):
        progress("embed", 0, len(chunks))
        stats_path = index_dir / "embedding" / generation / "embedding_stats.npz"
        stats_path.parent.mkdir(parents=True, exist_ok=True)
        if pool is not None:
            from kambot.retrieval.parallel import sample_stats

            # Vectors are computed below, by workers, while Chroma is being written.
            stats = sample_stats(embedder, texts, langs)
        else:
            fitted, vectors, analysed = embedder.fit_tokens(texts, langs)
            stats = fitted.stats
            tokens = [_bm25_document(c, t) for c, t in zip(chunks, analysed, strict=True)]
            progress("embed", len(chunks), len(chunks))
        stats.save(stats_path)
        embedder = embedder.with_stats(stats, str(stats_path))
    else:
        vectors = _embed_batches(embedder, chunks, progress)

    if settings.chroma_url:
        chroma_path = None
        name = collection_name(embedder.name, generation)
        _note_pending_collection(index_dir, name)
    else:
        chroma_path = index_dir / "chroma" / generation
        name = collection_name(embedder.name)
    try:
        client = _chroma_client(settings, chroma_path)
        collection = _open_collection(settings, client, name, embedder, create=True)
    except KambotError:
        raise
    except Exception as exc:
        raise RetrievalError(f"cannot create the Chroma collection {name}: {exc}",
                             hint="check the index folder or the Chroma server") from exc
    if pool is not None:
        assert isinstance(embedder, LocalHashEmbedder) and embedder.stats_path
        vectors, tokens = _parallel_write(pool, Path(embedder.stats_path), chunks, collection,
                                          embedder.dim, progress)
    assert vectors is not None
    bm25_holder: dict[str, Any] = {}

    def _bm25_job() -> None:
        try:
            bm25_holder["bm25"] = _build_bm25(chunks, bm25_path, _noop_progress, tokens)
        except Exception as exc:  # re-raised in the caller's thread
            bm25_holder["error"] = exc

    # BM25 (numpy, mostly outside the GIL) overlaps with Chroma's writes.
    worker = threading.Thread(target=_bm25_job, name="kambot-bm25", daemon=True)
    worker.start()
    try:
        if chunks and not parallel:
            _chroma_write(collection, chunks, vectors, progress)
    finally:
        worker.join()
    if "error" in bm25_holder:
        raise RetrievalError(f"building the BM25 index failed: {bm25_holder['error']}",
                             hint="run `kambot reindex` again") from bm25_holder["error"]
    progress("bm25", len(chunks), len(chunks))
    _write_chunk_table(bm25_path, chunks, vectors if chunks else None)

    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "generation": generation,
        "built_at": datetime.now(UTC).isoformat(),
        "embedder": {"name": embedder.name, "identity": embedder.identity(),
                     "dim": int(vectors.shape[1]) if chunks else None,
                     "stats_path": (str(Path(embedder.stats_path).relative_to(index_dir))
                                    if isinstance(embedder, LocalHashEmbedder)
                                    and embedder.stats_path else None)},
        "chroma": {
            "mode": "http" if settings.chroma_url else "embedded",
            "url": settings.chroma_url,
            "path": str(chroma_path.relative_to(index_dir)) if chroma_path else None,
            "collection": name,
        },
        "bm25": {"path": str(bm25_path.relative_to(index_dir))},
    }
    manifest.update(_manifest_counts(chunks, collection))
    if manifest["counts"]["chroma"] != len(chunks):
        raise RetrievalError(
            f"Chroma holds {manifest['counts']['chroma']} vectors for {len(chunks)} chunks",
            hint="run `kambot reindex` again")
    _write_json_atomic(index_dir / "manifest.json", manifest)
    state = IndexState(
        chunks=chunks, positions={c.id: i for i, c in enumerate(chunks)}, embedder=embedder,
        bm25=bm25_holder.get("bm25"), collection=collection, codes=_Codes.build(chunks),
        manifest=manifest, chroma_path=chroma_path, bm25_path=bm25_path,
        vectors=vectors if chunks else None)
    report = ReindexReport(
        chunks=len(chunks),
        methodology_chunks=manifest["counts"]["methodology"],
        account_chunks=manifest["counts"]["accounts"],
        flagged_chunks=manifest["counts"]["flagged"],
        embedder=embedder.name,
        fingerprint=manifest["fingerprints"]["all"],
        seconds=round(time.perf_counter() - started, 3),
        chroma=f"{manifest['chroma']['mode']}:{name}",
        reason=reason,
    )
    return state, report


def _cleanup_generations(settings: Settings, keep: IndexState,
                         old_manifest: dict[str, Any] | None) -> None:
    """Delete every generation but the one in use (best effort)."""
    index_dir = settings.index_dir
    stats = keep.embedder.stats_path if isinstance(keep.embedder, LocalHashEmbedder) else None
    current_paths = {
        "chroma": keep.chroma_path,
        "bm25": keep.bm25_path,
        "embedding": Path(stats).parent if stats else None,
    }
    for sub, current in current_paths.items():
        folder = index_dir / sub
        if not folder.is_dir():
            continue
        for child in folder.iterdir():
            if current is not None and child.resolve() == current.resolve():
                continue
            if sub == "chroma":
                _release_chroma(child)
            shutil.rmtree(child, ignore_errors=True)
    if settings.chroma_url and keep.collection is not None:
        from chromadb.errors import NotFoundError

        # The previous generation's collection, and any a killed reindex left behind.
        new_name = keep.manifest["chroma"]["collection"]
        old_name = ((old_manifest or {}).get("chroma") or {}).get("collection")
        pending = _pending_collections(index_dir)
        left = []
        for name in dict.fromkeys([*pending, *([old_name] if old_name else [])]):
            if name == new_name:
                continue
            try:
                keep.collection._client.delete_collection(name)
            except NotFoundError:
                pass  # never created, or already gone
            except Exception:  # the server is down or refuses: tried after the next reindex
                left.append(name)
        if pending or left:
            _write_json_atomic(index_dir / PENDING_COLLECTIONS, {"collections": left})


# --- opening -------------------------------------------------------------------------


def load_state(settings: Settings, glossary: Glossary, manifest: dict[str, Any]) -> IndexState:
    """Open the generation a manifest describes and check it is whole.

    Raises:
        RetrievalError: with the reason when a file is missing or unreadable, the counts
            disagree or the embedder differs from the one settings ask for.
    """
    index_dir = settings.index_dir
    wanted = make_embedder(settings, glossary)
    built = manifest.get("embedder", {})
    if built.get("identity") != wanted.identity():
        raise RetrievalError(
            f"the index was built with embedder {built.get('name')!r} "
            f"({built.get('identity')}) but settings ask for {wanted.name!r} "
            f"({wanted.identity()})", hint="run `kambot reindex`")
    mode = "http" if settings.chroma_url else "embedded"
    if manifest.get("chroma", {}).get("mode") != mode:
        raise RetrievalError(f"the index was built for a {manifest.get('chroma', {}).get('mode')}"
                             f" Chroma, settings ask for {mode}", hint="run `kambot reindex`")
    try:
        bm25_path = index_dir / manifest["bm25"]["path"]
        counts = manifest["counts"]
        expected = int(counts["chunks"])
        collection_label = manifest["chroma"]["collection"]
    except (KeyError, TypeError, ValueError) as exc:
        raise RetrievalError(f"the index manifest is incomplete ({exc})",
                             hint="run `kambot reindex`") from exc
    try:
        chunks = _read_chunk_table(bm25_path)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise RetrievalError(f"the chunk table is unreadable: {exc}",
                             hint="run `kambot reindex`") from exc
    if len(chunks) != expected:
        raise RetrievalError(f"the chunk table holds {len(chunks)} chunks, the manifest "
                             f"{expected}", hint="run `kambot reindex`")
    if fingerprint(chunks) != manifest.get("fingerprints", {}).get("all"):
        raise RetrievalError("the chunk table does not match the manifest fingerprint",
                             hint="run `kambot reindex`")
    embedder: Embedder = wanted
    if isinstance(wanted, LocalHashEmbedder):
        stats_rel = built.get("stats_path")
        if not stats_rel:
            raise RetrievalError("the manifest does not say where the embedding statistics are",
                                 hint="run `kambot reindex`")
        stats_path = index_dir / stats_rel
        embedder = wanted.with_stats(FeatureStats.load(stats_path), str(stats_path))
    bm25: Any | None = None
    if chunks:
        import bm25s

        try:
            bm25 = bm25s.BM25.load(str(bm25_path), load_corpus=False)
            bm25_docs = int(bm25.scores["num_docs"])
        except Exception as exc:  # bm25s raises OSError, ValueError, JSON errors...
            raise RetrievalError(f"the BM25 index is unreadable: {exc}",
                                 hint="run `kambot reindex`") from exc
        if bm25_docs != len(chunks):
            raise RetrievalError(f"the BM25 index holds {bm25_docs} documents for "
                                 f"{len(chunks)} chunks", hint="run `kambot reindex`")
    chroma_rel = manifest["chroma"].get("path")
    chroma_path = index_dir / chroma_rel if chroma_rel else None
    if chroma_path is not None and not (chroma_path / "chroma.sqlite3").is_file():
        raise RetrievalError(f"the Chroma store {chroma_path} is missing",
                             hint="run `kambot reindex`")
    try:
        client = _chroma_client(settings, chroma_path)
        collection = _open_collection(settings, client, collection_label, embedder, create=False)
        stored = int(collection.count())
    except KambotError:
        raise
    except Exception as exc:  # Chroma raises many types on damaged stores
        raise RetrievalError(f"the Chroma collection {collection_label} cannot be opened: "
                             f"{exc}", hint="run `kambot reindex`") from exc
    if stored != len(chunks):
        raise RetrievalError(f"Chroma holds {stored} vectors for {len(chunks)} chunks",
                             hint="run `kambot reindex`")
    vectors = _read_vectors(bm25_path, len(chunks))
    return IndexState(chunks=chunks, positions={c.id: i for i, c in enumerate(chunks)},
                      embedder=embedder, bm25=bm25, collection=collection,
                      codes=_Codes.build(chunks), manifest=manifest, chroma_path=chroma_path,
                      bm25_path=bm25_path, vectors=vectors)


def gather_sources(settings: Settings, engine: Engine | None,
                   previous: Sequence[Chunk] | None = None) -> tuple[list[Chunk], str | None]:
    """Collect the chunks an index should hold now.

    Args:
        settings: gives the knowledge folder.
        engine: the database; when None, account chunks are carried over from
            ``previous`` (the index in use) since there is nothing else to read them from.
        previous: chunks of the index in use.

    Returns:
        The chunks and a note to show when account chunks were carried over.
    """
    from kambot.retrieval.sources import account_chunks_from_db, methodology_chunks

    chunks = methodology_chunks(settings.knowledge_dir)
    if engine is not None:
        return chunks + account_chunks_from_db(engine, settings.lang), None
    kept = [c for c in previous or () if c.kind != "methodology"]
    note = (f"{len(kept)} account chunks kept from the previous index (no database given)"
            if kept else None)
    return chunks + kept, note


def _stale_reason(manifest: dict[str, Any], sources: Sequence[Chunk],
                  check_accounts: bool) -> str | None:
    prints = manifest.get("fingerprints", {})
    current = _fingerprints(sources)
    if prints.get("methodology") != current["methodology"]:
        return "is stale: the methodology corpus changed"
    if check_accounts and prints.get("accounts") != current["accounts"]:
        return "is stale: account notes or documents changed"
    return None


def open_index(settings: Settings, engine: Engine | None = None,
               on_status: StatusCallback | None = None, *, rebuild: bool = True,
               progress: Progress | None = None) -> SearchIndex:
    """Open the search index, rebuilding it when missing, stale or corrupt.

    Freshness: the manifest's fingerprints are compared with the knowledge folder (and
    with the database's account notes and documents when ``engine`` is given); the
    embedder settings must match; the chunk table, BM25 files and Chroma collection must
    open and agree on counts.

    Args:
        settings: the settings (index folder, knowledge folder, embedder, Chroma URL).
        engine: the database, to check and index account documents.
        on_status: called with a one-line message when the index is rebuilt and why
            (e.g. ``print`` in the CLI).
        rebuild: when False, a missing, stale or corrupt index raises instead.
        progress: called as ``progress(stage, done, total)`` during a rebuild.

    Returns:
        A ready index; ``index.status`` tells whether it was rebuilt and why.

    Raises:
        RetrievalError: when the index is unusable and ``rebuild`` is False, or the
            rebuild fails.
        DataError: when the methodology corpus does not parse.
    """
    say = on_status or (lambda message: None)
    glossary = load_glossary(settings.knowledge_dir / "glossary.yaml")
    reason: str | None = None
    state: IndexState | None = None
    previous_chunks: list[Chunk] | None = None
    try:
        manifest = read_manifest(settings.index_dir)
    except RetrievalError as exc:
        manifest, reason = None, f"is corrupt: {exc.message}"
    if manifest is None and reason is None:
        reason = "is missing"
    if manifest is not None:
        try:
            state = load_state(settings, glossary, manifest)
            previous_chunks = state.chunks
        except RetrievalError as exc:
            reason = f"is unusable: {exc.message}"
            with contextlib.suppress(Exception):
                previous_chunks = _read_chunk_table(settings.index_dir
                                                    / manifest["bm25"]["path"])
    sources, note = gather_sources(settings, engine, previous_chunks)
    if state is not None and manifest is not None:
        reason = _stale_reason(manifest, sources, check_accounts=engine is not None)
        if reason is None:
            return SearchIndex(settings, glossary, state, IndexStatus(state="ready"))
    assert reason is not None
    if not rebuild:
        raise RetrievalError(f"the search index {reason}", hint="run `kambot reindex`")
    message = f"search index {reason}; rebuilding ({len(sources)} chunks)"
    say(message + (f"; {note}" if note else ""))
    with index_lock(settings.index_dir):
        new_state, report = build_state(settings, glossary, sources, progress, reason)
        _cleanup_generations(settings, keep=new_state, old_manifest=manifest)
    say(f"search index rebuilt: {report.chunks} chunks ({report.methodology_chunks} "
        f"methodology, {report.account_chunks} account) in {report.seconds:.1f} s")
    return SearchIndex(settings, glossary, new_state,
                       IndexStatus(state="rebuilt", reason=reason, report=report))


def reindex(settings: Settings, engine: Engine | None = None,
            progress: Progress | None = None) -> ReindexReport:
    """Rebuild both indexes from the knowledge folder and the database (`kambot reindex`).

    Args:
        settings: the settings.
        engine: the database holding account notes and documents; None indexes the
            methodology only.
        progress: called as ``progress(stage, done, total)``.

    Returns:
        What was built.
    """
    from kambot.retrieval.sources import account_chunks_from_db, methodology_chunks

    glossary = load_glossary(settings.knowledge_dir / "glossary.yaml")
    sources = methodology_chunks(settings.knowledge_dir)
    if engine is not None:
        sources += account_chunks_from_db(engine, settings.lang)
    with index_lock(settings.index_dir):
        try:
            old_manifest = read_manifest(settings.index_dir)
        except RetrievalError:
            old_manifest = None
        state, report = build_state(settings, glossary, sources, progress, "requested")
        _cleanup_generations(settings, keep=state, old_manifest=old_manifest)
    return report
