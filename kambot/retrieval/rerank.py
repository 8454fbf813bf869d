"""A cheap, deterministic re-ranking of the fused candidates by query coverage.

Reciprocal rank fusion only sees ranks. Two passages close in both rankings are often
told apart by something neither ranking weighs: whether the passage contains *all*
the question asks about or only repeats part of it, and whether its heading names the
subject. So the first :data:`RERANK_DEPTH` fused candidates are re-scored::

    score = rrf_k * fused + COVERAGE_WEIGHT * (coverage + HEADING_WEIGHT * heading)

``coverage`` is the idf-weighted share of the question's distinct stems found in the
passage (title, heading and text as indexed); ``heading`` the same share found in the
section heading alone. A stem counts as found when:

- the passage holds it, or a word of the same root the stemmer did not reduce alike
  (same first :data:`PREFIX_LEN` letters: "construire"/"construit",
  "recruiting"/"recruitment"), looked up in the BM25 postings, so nothing is
  re-analysed at query time but the few headings;
- or it belongs to a glossary concept of the question and the passage holds a term of
  that concept in either language, which is how an English question covers a French
  passage.

``rrf_k * fused`` puts the fused score on a 0..(sum of weights) scale whatever the RRF
constant, so that the coverage terms keep the same weight against it. Everything is
vectorised over the candidates; the cost is a few postings lookups per query stem.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from kambot.retrieval.text import Lang, analyse

if TYPE_CHECKING:
    from kambot.retrieval.glossary import Glossary
    from kambot.retrieval.models import Chunk
    from kambot.retrieval.search import QueryPlan

RERANK_DEPTH = 20
COVERAGE_WEIGHT = 1.0
HEADING_WEIGHT = 0.5
PREFIX_LEN = 6


@dataclass
class Lexicon:
    """The BM25 postings by token, and the index's tokens grouped by prefix.

    Attributes:
        vocab: token -> token id.
        indptr: start of each token's postings in ``indices`` (CSC layout of bm25s).
        indices: document positions, grouped by token.
        n_docs: number of documents.
        prefixes: first :data:`PREFIX_LEN` letters -> ids of the tokens starting so.
    """

    vocab: dict[str, int]
    indptr: npt.NDArray[Any]
    indices: npt.NDArray[Any]
    n_docs: int
    prefixes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    sorted_postings: bool = True
    _headings: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_bm25(cls, bm25: Any) -> Lexicon:
        """Read the postings of a bm25s index (no copy) and group its tokens by prefix."""
        vocab: dict[str, int] = bm25.vocab_dict
        prefixes: dict[str, list[int]] = {}
        for token, token_id in vocab.items():
            if len(token) >= PREFIX_LEN:
                prefixes.setdefault(token[:PREFIX_LEN], []).append(token_id)
        indptr = bm25.scores["indptr"]
        indices = bm25.scores["indices"]
        # bm25s fills each token's postings in document order; checked rather than
        # assumed, since membership tests below rely on it (else a slower exact test).
        steps = np.diff(indices.astype(np.int64))
        starts = np.asarray(indptr[1:-1], dtype=np.int64) - 1
        starts = starts[(starts >= 0) & (starts < len(steps))]
        steps[starts] = 0
        return cls(vocab, indptr, indices, int(bm25.scores["num_docs"]),
                   {k: tuple(v) for k, v in prefixes.items()}, bool((steps >= 0).all()))

    def variants(self, stem: str) -> tuple[int, ...]:
        """Return the ids of the stem itself and of the tokens sharing its root."""
        own = self.vocab.get(stem)
        if len(stem) < PREFIX_LEN:
            return () if own is None else (own,)
        related = self.prefixes.get(stem[:PREFIX_LEN], ())
        if own is not None and own not in related:
            return (own, *related)
        return related

    def holds(self, token_ids: Sequence[int],
              positions: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        """Return, per document position, whether it holds any of the tokens.

        A binary search in each token's postings: the cost depends on the few
        candidates, not on how common the token is.
        """
        found = np.zeros(len(positions), dtype=bool)
        for token_id in token_ids:
            if token_id + 1 >= len(self.indptr):
                continue  # bm25s lists "" in its vocabulary without postings
            column = self.indices[self.indptr[token_id]:self.indptr[token_id + 1]]
            if not len(column):
                continue
            if not self.sorted_postings:
                found |= np.isin(positions, column)
                continue
            at = np.searchsorted(column, positions)
            found |= column[np.minimum(at, len(column) - 1)] == positions
        return found

    def df(self, token_id: int) -> int:
        """Return how many documents hold a token."""
        if token_id + 1 >= len(self.indptr):
            return 0
        return int(self.indptr[token_id + 1] - self.indptr[token_id])

    def idf(self, stem: str, variants: Sequence[int]) -> float:
        """Return a stem's idf: its own, or that of its commonest variant (0 if none)."""
        own = self.vocab.get(stem)
        df = self.df(own) if own is not None else max((self.df(t) for t in variants),
                                                        default=0)
        if not df:
            return 0.0
        return math.log1p((self.n_docs - df + 0.5) / (df + 0.5))

    def heading_stems(self, heading: str, lang: str) -> frozenset[str]:
        """Return the analysed stems of a section heading (cached: headings repeat)."""
        key = (heading, lang)
        found = self._headings.get(key)
        if found is None:
            language: Lang = "fr" if lang == "fr" else "en"
            found = frozenset(analyse(heading, language).stems)
            if len(self._headings) > 50_000:
                self._headings.clear()
            self._headings[key] = found
        return found


def _concept_presence(lexicon: Lexicon, terms: Sequence[tuple[str, ...]],
                      positions: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
    """Return, per candidate, whether it holds every word of one of the terms."""
    present = np.zeros(len(positions), dtype=bool)
    for term in terms:
        ids = [lexicon.vocab.get(stem) for stem in dict.fromkeys(term)]
        if any(i is None for i in ids):
            continue
        holds = ~present
        for token_id in ids:
            assert token_id is not None
            holds &= lexicon.holds([token_id], positions)
        present |= holds
    return present


def coverage(lexicon: Lexicon, glossary: Glossary, plan: QueryPlan,
             chunks: Sequence[Chunk], positions: Sequence[int],
             concept_presence: Mapping[str, npt.NDArray[np.bool_]] | None = None,
             ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return, per candidate, the share of the query it covers: whole passage, heading.

    Args:
        lexicon: postings of the index.
        glossary: the glossary (concept terms).
        plan: the analysed query.
        chunks: the chunk table (for headings and languages).
        positions: the candidates' positions in the chunk table.
        concept_presence: per concept, which chunks of the whole index hold one of its
            expansion terms, as the BM25 ranking found (computed here when missing).

    Returns:
        Two arrays aligned with ``positions``, each in 0..1.
    """
    where = np.asarray(positions, dtype=np.intp)
    body = np.zeros(len(where), dtype=np.float64)
    head = np.zeros(len(where), dtype=np.float64)
    if not len(where):
        return body, head
    stems = list(dict.fromkeys(plan.analysis.stems))
    # A stem of the query is also covered by the other terms of a concept it names
    # (terms wholly made of query words are covered by those words themselves).
    concepts_of: dict[str, list[str]] = {}
    expansion = dict(plan.concept_terms)
    for concept in expansion:
        for term in glossary.terms_of(concept):
            for stem in term:
                if stem in stems and concept not in concepts_of.get(stem, []):
                    concepts_of.setdefault(stem, []).append(concept)
    presence: dict[str, npt.NDArray[np.bool_]] = {}
    if concept_presence is not None:
        presence = {c: np.asarray(a)[where] for c, a in concept_presence.items()}
    headings = [lexicon.heading_stems(chunks[p].section, chunks[p].language) for p in where]
    total = 0.0
    for stem in stems:
        variants = lexicon.variants(stem)
        weight = lexicon.idf(stem, variants)
        if weight <= 0:
            if stem not in concepts_of:
                continue  # found nowhere: it cannot tell candidates apart
            # Absent in this language but named by a concept ("parrain" in an English
            # index): as rare as a word can be.
            weight = math.log1p((lexicon.n_docs + 0.5) / 0.5)
        total += weight
        found = lexicon.holds(variants, where)
        for concept in concepts_of.get(stem, ()):
            if concept not in presence:
                presence[concept] = _concept_presence(lexicon, expansion[concept], where)
            found |= presence[concept]
        body += weight * found
        root = stem[:PREFIX_LEN] if len(stem) >= PREFIX_LEN else None
        in_heading = np.fromiter(
            (stem in h or (root is not None and any(s.startswith(root) for s in h))
             for h in headings), dtype=bool, count=len(headings))
        head += weight * in_heading
    if total <= 0:
        return body, head
    return body / total, head / total


def rerank(lexicon: Lexicon, glossary: Glossary, plan: QueryPlan, chunks: Sequence[Chunk],
           fused: Sequence[tuple[int, float]], rrf_k: int, depth: int = RERANK_DEPTH,
           coverage_weight: float = COVERAGE_WEIGHT, heading_weight: float = HEADING_WEIGHT,
           concept_presence: Mapping[str, npt.NDArray[np.bool_]] | None = None,
           ) -> list[tuple[int, float, float]]:
    """Re-score the first ``depth`` fused candidates by query coverage.

    Args:
        lexicon: postings of the index.
        glossary: the glossary.
        plan: the analysed query.
        chunks: the chunk table.
        fused: ``(position, fused score)``, best first (visible chunks only).
        rrf_k: the RRF constant the fused scores were computed with.
        depth: how many candidates to re-score; the rest keep their order after them.
        coverage_weight: weight of the coverage terms (0 keeps the fused order).
        heading_weight: weight of the heading coverage relative to the passage's.
        concept_presence: see :func:`coverage`.

    Returns:
        ``(position, score, coverage)`` best first; candidates beyond ``depth`` keep
        their fused order and a coverage of -1 (not computed).
    """
    head = list(fused[:depth])
    tail = [(p, s * rrf_k, -1.0) for p, s in fused[depth:]]
    if not head or coverage_weight <= 0:
        return [(p, s * rrf_k, -1.0) for p, s in head] + tail
    body_cov, heading_cov = coverage(lexicon, glossary, plan, chunks, [p for p, _ in head],
                                     concept_presence)
    scored = [(p, s * rrf_k + coverage_weight * (float(b) + heading_weight * float(h)), float(b))
              for (p, s), b, h in zip(head, body_cov, heading_cov, strict=True)]
    order = sorted(range(len(scored)), key=lambda i: (-scored[i][1], i))
    ranked = [scored[i] for i in order]
    floor = ranked[-1][1] if ranked else 0.0
    # The tail stays after the re-scored head, whatever its own scale.
    return ranked + [(p, min(s, floor), c) for p, s, c in tail]
