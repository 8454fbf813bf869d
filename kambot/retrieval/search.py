"""Hybrid search: BM25 and dense rankings fused by reciprocal rank fusion.

Scope is a hard filter applied inside the retriever, before fusion: the same boolean
mask (scope, roles and metadata filters over the chunk table) zeroes BM25 scores of
invisible chunks and removes invisible dense results, and every returned hit is checked
once more against the scope. Chroma's own ``where`` carries the same scope and filters
whenever Chroma is asked for filtered results.

Why the dense side rarely sends ``where`` to Chroma: measured on this kind of machine
(2 cores, 20,000 chunks, Chroma 1.5 embedded), a query with any ``where`` clause takes
25-70 ms against 3-6 ms without, which alone breaks the 15 ms median target. So an
unrestricted caller gets Chroma's HNSW search; a restricted caller who sees few chunks
(a KAM and their accounts) gets an exact search over exactly those chunks, using the
copy of the vectors kept beside the chunk table; a restricted caller who sees many gets
Chroma's unfiltered candidates, masked. ``chroma_where_mode="always"`` sends the scope as
a ``where`` clause instead. In every path only visible chunks can come out: the mask is
applied to every candidate, and each hit is checked against the scope once more.

The BM25 query is the question's tokens plus the glossary concepts it mentions: each
concept adds, at :data:`EXPANSION_WEIGHT`, its best-matching term in either language
(a French question also searches the English terms of its concepts, and the reverse).
The dense query is moved towards BM25's three best passages (pseudo-relevance
feedback) before the vector search. The first fused candidates are then re-scored by
how much of the question each covers (:mod:`kambot.retrieval.rerank`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from kambot.errors import KambotError, RetrievalError
from kambot.retrieval.models import Hit, Scope
from kambot.retrieval.rerank import COVERAGE_WEIGHT, HEADING_WEIGHT, RERANK_DEPTH, rerank
from kambot.retrieval.text import (
    LANGS,
    QUERY_STOPWORDS,
    Analysis,
    Lang,
    analyse,
    detect_language,
)

if TYPE_CHECKING:
    from kambot.retrieval.index import IndexState, SearchIndex

RRF_K = 60
CANDIDATES = 50
EXPANSION_WEIGHT = 0.35
DENSE_WEIGHT = 1.0
# Pseudo-relevance feedback for the dense query: the local embedding misses paraphrases
# that BM25's best passages share words with; moving the query vector halfway towards
# the mean of BM25's top 3 passages recovered them on evals/retrieval (recall@5
# 0.83 -> 0.87 on both halves of the set).
FEEDBACK_DOCS = 3
FEEDBACK_WEIGHT = 0.5
# Up to this many visible chunks, a restricted search scores them all exactly against
# the local vector copy (about 1 ms per 5,000 vectors of 768 floats) rather than asking
# Chroma, whose filtered queries cost 25-70 ms here.
EXACT_LIMIT = 5000
# Below this cosine the local hashing embedding is noise (unrelated texts land within
# about +-0.03); learned embeddings are compared with a threshold of 0.
LOCAL_MIN_SIMILARITY = 0.04
FILTER_FIELDS = ("language", "topic", "doc_id", "kind")


@dataclass(frozen=True)
class QueryPlan:
    """A query analysed for retrieval.

    Attributes:
        text: the query.
        language: its language (given or detected).
        analysis: its content words and stems.
        concepts: glossary concepts it mentions.
        expansion: stems of those concepts' terms (both languages) not in the query.
        concept_terms: per concept, its analysed terms (both languages) that are not
            already entirely in the query.
    """

    text: str
    language: Lang
    analysis: Analysis
    concepts: tuple[str, ...]
    expansion: tuple[str, ...]
    concept_terms: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = ()


def plan_query(index: SearchIndex, query: str, language: str | None = None) -> QueryPlan:
    """Analyse a query: language, stems, glossary concepts and expansion terms."""
    lang: Lang = language if language in LANGS else detect_language(  # type: ignore[assignment]
        query, index.settings.lang)
    analysis = analyse(query, lang, QUERY_STOPWORDS)
    concepts = index.glossary.match(query, lang)
    own = set(analysis.stems)
    expansion: dict[str, None] = {}
    concept_terms: list[tuple[str, tuple[tuple[str, ...], ...]]] = []
    for concept in sorted(concepts):
        terms = tuple(t for t in index.glossary.terms_of(concept) if not set(t) <= own)
        if terms:
            concept_terms.append((concept, terms))
        for term in terms:
            for stem in term:
                if stem not in own:
                    expansion[stem] = None
    return QueryPlan(query, lang, analysis, tuple(sorted(concepts)), tuple(expansion),
                     tuple(concept_terms))


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def visibility_mask(state: IndexState, scope: Scope,
                    filters: dict[str, str | Sequence[str]] | None = None) -> npt.NDArray[np.bool_]:
    """Return, for every chunk of the index, whether this caller may get it.

    Args:
        state: the index state.
        scope: who is asking.
        filters: optional ``language``, ``topic``, ``doc_id``, ``kind`` values (a value
            or a list of accepted values).

    Returns:
        A boolean array aligned with ``state.chunks``.

    Raises:
        RetrievalError: on an unknown filter field.
    """
    codes = state.codes
    allowed_scopes = [i for i, s in enumerate(codes.scope_values) if scope.allows(s)]
    if len(allowed_scopes) == len(codes.scope_values):
        mask = np.ones(len(state.chunks), dtype=bool)
    else:
        mask = np.isin(codes.scope_codes, np.asarray(allowed_scopes, dtype=np.int32))
    for position, roles in codes.restricted.items():
        if mask[position] and not scope.allows(state.chunks[position].scope, roles):
            mask[position] = False
    for name, value in (filters or {}).items():
        if name not in FILTER_FIELDS:
            raise RetrievalError(f"unknown search filter {name!r}",
                                 hint=f"filter on {', '.join(FILTER_FIELDS)}")
        wanted = set(_as_list(value))
        accepted = [i for i, v in enumerate(codes.values[name]) if v in wanted]
        mask &= np.isin(codes.codes[name], np.asarray(accepted, dtype=np.int32))
    return mask


def chroma_where(scope: Scope,
                 filters: dict[str, str | Sequence[str]] | None) -> dict[str, Any] | None:
    """Return the Chroma ``where`` clause for a scope and metadata filters."""
    clauses: list[dict[str, Any]] = []
    scope_clause = scope.chroma_where()
    if scope_clause is not None:
        clauses.append(scope_clause)
    for name, value in (filters or {}).items():
        values = _as_list(value)
        clauses.append({name: values[0]} if len(values) == 1 else {name: {"$in": values}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def bm25_ranking(state: IndexState, plan: QueryPlan, mask: npt.NDArray[np.bool_],
                 candidates: int = CANDIDATES, expansion_weight: float = EXPANSION_WEIGHT,
                 concept_presence: dict[str, npt.NDArray[np.bool_]] | None = None,
                 ) -> list[tuple[int, float]]:
    """Return ``(position, score)`` of the best visible chunks for the query, best first.

    Chunks with a zero score (no query term) are left out. When ``concept_presence`` is
    given, it receives, per glossary concept of the query, which chunks hold one of its
    expansion terms (the re-ranking reuses it).
    """
    bm25 = state.bm25
    if bm25 is None or not mask.any():
        return []
    vocab: dict[str, int] = bm25.vocab_dict
    own = list(dict.fromkeys(vocab[t] for t in plan.analysis.stems if t in vocab))
    scores = np.zeros(len(state.chunks), dtype=np.float32)
    if own:
        scores += bm25.get_scores_from_ids(own)
    if expansion_weight > 0 and plan.concept_terms:
        scores += expansion_weight * _concept_scores(bm25, vocab, plan, set(own),
                                                     concept_presence)
    scores[~mask] = 0.0
    positive = np.flatnonzero(scores > 0)
    if not len(positive):
        return []
    if len(positive) > candidates:
        top = positive[np.argpartition(-scores[positive], candidates - 1)[:candidates]]
    else:
        top = positive
    order = top[np.lexsort((top, -scores[top]))]
    return [(int(p), float(scores[p])) for p in order]


def _concept_scores(bm25: Any, vocab: dict[str, int], plan: QueryPlan, own: set[int],
                    presence: dict[str, npt.NDArray[np.bool_]] | None = None,
                    ) -> npt.NDArray[np.float32]:
    """Score each chunk by the glossary concepts of the query, once per concept.

    Each term of a concept matches a chunk only when all its words are there (its score
    is the sum of their BM25 scores) and is weighted by its own idf over the index, so
    a generic synonym ("budget", "rate") weighs little and a specific one ("share of
    wallet") a lot. A concept counts with its best term for each chunk, so a concept
    listed with ten synonyms weighs no more than one listed with two, and synonyms
    cannot drown the words the user actually typed.
    """
    n_docs = int(bm25.scores["num_docs"])
    max_idf = math.log1p((n_docs - 1 + 0.5) / 1.5) or 1.0
    per_token: dict[int, npt.NDArray[np.float32]] = {}

    def token_scores(token: int) -> npt.NDArray[np.float32]:
        found = per_token.get(token)
        if found is None:
            found = np.asarray(bm25.get_scores_from_ids([token]), dtype=np.float32)
            per_token[token] = found
        return found

    total = np.zeros(n_docs, dtype=np.float32)
    for concept, terms in plan.concept_terms:
        best: npt.NDArray[np.float32] | None = None
        for term in terms:
            if any(t not in vocab for t in term):
                continue  # a word of the term never occurs: the term cannot match
            arrays = [token_scores(vocab[t]) for t in dict.fromkeys(term)]
            present = np.logical_and.reduce([a > 0 for a in arrays])
            if presence is not None:
                found = presence.get(concept)
                presence[concept] = present if found is None else found | present
            df = int(np.count_nonzero(present))
            if not df:
                continue
            fresh = [a for t, a in zip(dict.fromkeys(term), arrays, strict=True)
                     if vocab[t] not in own]
            if not fresh:
                continue
            term_scores = np.where(present, np.sum(fresh, axis=0), 0.0).astype(np.float32)
            term_scores *= math.log1p((n_docs - df + 0.5) / (df + 0.5)) / max_idf
            best = term_scores if best is None else np.maximum(best, term_scores)
        if best is not None:
            total += best
    return total


def query_similarities(state: IndexState, plan: QueryPlan,
                       chunk_ids: Sequence[str]) -> dict[str, float]:
    """Return the cosine between the plain query vector and some chunks' vectors.

    The similarities of :func:`dense_ranking` are taken after pseudo-relevance feedback,
    which pulls every query towards *something*; confidence needs the plain one.
    """
    positions = [state.positions[c] for c in chunk_ids if c in state.positions]
    if state.vectors is None or not positions:
        return {}
    vector = state.embedder.embed_query(plan.text, plan.language)
    scores = np.asarray(state.vectors[positions]) @ vector
    return {state.chunks[p].id: float(score) for p, score in zip(positions, scores, strict=True)}


def _feedback_vector(state: IndexState, vector: npt.NDArray[np.float32],
                     feedback: Sequence[int], weight: float) -> npt.NDArray[np.float32]:
    """Move the query vector towards the passages BM25 ranks first (Rocchio feedback)."""
    if not feedback or weight <= 0 or state.vectors is None:
        return vector
    moved = vector + weight * np.asarray(state.vectors[list(feedback)]).mean(axis=0)
    norm = float(np.linalg.norm(moved))
    return (moved / norm).astype(np.float32) if norm else vector


def _exact_ranking(state: IndexState, vector: npt.NDArray[np.float32],
                   visible: npt.NDArray[np.intp], candidates: int,
                   min_similarity: float) -> list[tuple[int, float]]:
    """Score the visible chunks exactly against the vector copy; best first."""
    assert state.vectors is not None
    scores = np.asarray(state.vectors[visible]) @ vector
    if len(scores) > candidates:
        top = np.argpartition(-scores, candidates - 1)[:candidates]
    else:
        top = np.arange(len(scores))
    order = top[np.lexsort((visible[top], -scores[top]))]
    return [(int(visible[i]), float(scores[i])) for i in order if scores[i] >= min_similarity]


def dense_ranking(state: IndexState, plan: QueryPlan, mask: npt.NDArray[np.bool_],
                  scope: Scope, filters: dict[str, str | Sequence[str]] | None,
                  candidates: int = CANDIDATES, min_similarity: float | None = None,
                  where_mode: Literal["fallback", "always"] = "fallback",
                  feedback: Sequence[int] = (), feedback_weight: float = FEEDBACK_WEIGHT,
                  ) -> list[tuple[int, float]]:
    """Return ``(position, cosine similarity)`` of the nearest visible chunks, best first.

    Unrestricted callers query Chroma's HNSW index. When a scope or filters hide part
    of the index, the visible chunks are either few (under :data:`EXACT_LIMIT`) and
    scored exactly against the local copy of the vectors, or many, and Chroma is asked
    for unfiltered candidates that are then masked; if too few survive, the visible
    chunks are scored exactly after all. ``where_mode="always"`` instead sends the
    scope and filters to Chroma as a ``where`` clause.

    Args:
        state: the index state.
        plan: the analysed query.
        mask: visibility of every chunk (scope and filters).
        scope: who is asking (for the Chroma ``where`` clause).
        filters: the metadata filters (for the Chroma ``where`` clause).
        candidates: how many results to return.
        min_similarity: drop results under this cosine (a default per embedder).
        where_mode: ``fallback`` or ``always`` (see above).
        feedback: positions of visible chunks to move the query towards (pseudo-relevance
            feedback).
        feedback_weight: how far to move (0 disables it).
    """
    collection = state.collection
    total = len(state.chunks)
    visible_count = int(mask.sum())
    if not total or not visible_count or (collection is None and state.vectors is None):
        return []
    if min_similarity is None:
        min_similarity = (LOCAL_MIN_SIMILARITY if state.embedder.name == "local-hash" else -1.0)
    vector = state.embedder.embed_query(plan.text, plan.language)
    vector = _feedback_vector(state, vector, [p for p in feedback if mask[p]], feedback_weight)
    restricted = visible_count < total
    wanted = min(candidates, visible_count)
    exact_possible = state.vectors is not None

    def run(n_results: int, where: dict[str, Any] | None) -> list[tuple[int, float]]:
        assert collection is not None
        try:
            result = collection.query(query_embeddings=[vector], n_results=max(1, n_results),
                                      include=["distances"], where=where)
        except KambotError:
            raise
        except Exception as exc:  # Chroma and its HTTP client raise many types
            raise RetrievalError(f"the Chroma query failed: {exc}",
                                 hint="run `kambot reindex`; with a server, check it") from exc
        found: list[tuple[int, float]] = []
        for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True):
            position = state.positions.get(chunk_id)
            if position is None or not mask[position]:
                continue
            similarity = 1.0 - float(distance)
            if similarity >= min_similarity:
                found.append((position, similarity))
        return found

    if collection is None or (restricted and where_mode == "fallback" and exact_possible
                              and visible_count <= EXACT_LIMIT):
        return _exact_ranking(state, vector, np.flatnonzero(mask), candidates, min_similarity)
    if not restricted:
        return run(min(candidates, total), None)[:candidates]
    if where_mode == "fallback":
        fetch = min(total, max(candidates * 3, 60))
        found = run(fetch, None)
        if len(found) >= wanted or fetch >= total:
            return found[:candidates]
        if exact_possible:
            return _exact_ranking(state, vector, np.flatnonzero(mask), candidates,
                                  min_similarity)
    return run(wanted, chroma_where(scope, filters))[:candidates]


def fuse(rankings: Sequence[Sequence[tuple[int, float]]], rrf_k: int = RRF_K,
         weights: Sequence[float] | None = None) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: ``score = sum(weight / (rrf_k + rank))`` over the rankings.

    Args:
        rankings: lists of ``(position, raw score)``, best first.
        rrf_k: the RRF constant (60 in the original paper).
        weights: one weight per ranking (all 1 by default: plain RRF).

    Returns:
        ``(position, fused score)``, best first; ties keep the first ranking's order.
    """
    fused: dict[int, float] = {}
    first_seen: dict[int, tuple[int, int]] = {}
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    for which, ranking in enumerate(rankings):
        weight = weights[which]
        for rank, (position, _) in enumerate(ranking, start=1):
            fused[position] = fused.get(position, 0.0) + weight / (rrf_k + rank)
            first_seen.setdefault(position, (which, rank))
    return sorted(fused.items(), key=lambda item: (-item[1], first_seen[item[0]]))


def hybrid_search(index: SearchIndex, query: str, *, k: int = 5, scope: Scope | None = None,
                  filters: dict[str, str | Sequence[str]] | None = None,
                  language: str | None = None, rrf_k: int = RRF_K,
                  candidates: int = CANDIDATES, expansion_weight: float = EXPANSION_WEIGHT,
                  use_bm25: bool = True, use_dense: bool = True,
                  dense_weight: float = DENSE_WEIGHT, min_similarity: float | None = None,
                  feedback_docs: int = FEEDBACK_DOCS, feedback_weight: float = FEEDBACK_WEIGHT,
                  chroma_where_mode: Literal["fallback", "always"] = "fallback",
                  rerank_depth: int = RERANK_DEPTH, coverage_weight: float = COVERAGE_WEIGHT,
                  heading_weight: float = HEADING_WEIGHT,
                  ) -> list[Hit]:
    """Search the index for a query, within a scope.

    Args:
        index: the search index.
        query: the question or keywords (French or English).
        k: number of hits to return.
        scope: who is asking; defaults to :meth:`Scope.public` (methodology only).
        filters: ``language``, ``topic``, ``doc_id``, ``kind`` (a value or a list).
        language: the query language (detected when None).
        rrf_k: the RRF constant.
        candidates: how many results each retriever contributes to the fusion.
        expansion_weight: weight of the glossary expansion terms in BM25.
        use_bm25: whether to use the lexical ranking.
        use_dense: whether to use the vector ranking.
        dense_weight: weight of the vector ranking in the fusion (BM25 weighs 1).
        feedback_docs: how many of BM25's best passages steer the dense query.
        feedback_weight: how strongly they steer it (0: plain dense query).
        min_similarity: drop dense results under this cosine (a default per embedder).
        chroma_where_mode: ``fallback`` (default) or ``always`` (see the module doc).
        rerank_depth: how many fused candidates the coverage re-ranking re-scores.
        coverage_weight: weight of query coverage in the re-ranking (0: plain RRF).
        heading_weight: weight of the heading's coverage relative to the passage's.

    Returns:
        Up to ``k`` hits, best first, all visible to ``scope``.
    """
    scope = scope or Scope.public()
    state = index.state
    if not query.strip() or not state.chunks or k <= 0:
        return []
    plan = plan_query(index, query, language)
    mask = visibility_mask(state, scope, filters)
    presence: dict[str, npt.NDArray[np.bool_]] = {}
    bm25 = (bm25_ranking(state, plan, mask, candidates, expansion_weight, presence)
            if use_bm25 else [])
    feedback = [p for p, _ in bm25[:feedback_docs]]
    dense = (dense_ranking(state, plan, mask, scope, filters, candidates, min_similarity,
                           chroma_where_mode, feedback, feedback_weight) if use_dense else [])
    bm25_ranks = {p: (r, s) for r, (p, s) in enumerate(bm25, start=1)}
    dense_ranks = {p: (r, s) for r, (p, s) in enumerate(dense, start=1)}
    fused = fuse([bm25, dense], rrf_k, (1.0, dense_weight))
    lexicon = state.lexicon
    if lexicon is not None and coverage_weight > 0:
        ranked = rerank(lexicon, index.glossary, plan, state.chunks, fused, rrf_k,
                        max(rerank_depth, k), coverage_weight, heading_weight,
                        presence if use_bm25 and expansion_weight > 0 else None)
    else:
        ranked = [(p, s * rrf_k, -1.0) for p, s in fused]
    hits: list[Hit] = []
    for position, score, covered in ranked:
        chunk = state.chunks[position]
        if not scope.allows(chunk.scope, chunk.roles):  # second, independent check
            continue
        b = bm25_ranks.get(position)
        d = dense_ranks.get(position)
        hits.append(Hit(chunk_id=chunk.id, score=score, text=chunk.text,
                        metadata=chunk.metadata(), bm25_rank=b[0] if b else None,
                        dense_rank=d[0] if d else None, bm25_score=b[1] if b else 0.0,
                        dense_similarity=d[1] if d else None,
                        coverage=covered if covered >= 0 else None))
        if len(hits) >= k:
            break
    return hits
