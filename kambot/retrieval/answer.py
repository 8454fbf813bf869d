"""Grounded answers without a model: extract, cite, or abstain.

The answer is made of sentences taken verbatim (or trimmed at a word boundary, marked
with "…") from retrieved passages, each followed by the id of the passage it comes
from, e.g. ``... less is more. [en/segmentation#less-is-more]``. Nothing is paraphrased,
so every sentence is supported by its citation; :func:`unsupported_sentences` checks it.

Confidence is the share of the question's content (its terms weighted by idf, a term
also counting as covered when a glossary concept it belongs to appears in the passage,
which is how a French question is covered by an English passage) that the best passages
contain, blended with the dense similarity of the best passage. Under
:data:`ABSTAIN_THRESHOLD` the answer says it does not know, in the question's language,
and lists what it found. The threshold was calibrated on ``evals/retrieval``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kambot.retrieval.models import Answer, Citation, Hit, Scope
from kambot.retrieval.search import QueryPlan, plan_query, query_similarities
from kambot.retrieval.text import Lang, analyse, split_sentences

if TYPE_CHECKING:
    from kambot.retrieval.index import SearchIndex

# Calibrated on evals/retrieval/questions.yaml (see evals/run_retrieval.py --calibrate).
ABSTAIN_THRESHOLD = 0.45
MAX_SENTENCES = 5
MIN_SENTENCES = 3
RELATIVE_FLOOR = 0.6
MAX_SENTENCE_CHARS = 420
SEARCH_K = 8
ANSWER_CHUNKS = 3
DENSE_WEIGHT = 0.25
DENSE_SATURATION = 0.45
ELLIPSIS = "…"
_CITATION_ID = r"[^\[\]\s/]+/[^\[\]\s#]+#[^\[\]\s]+"
_CITATION = re.compile(rf"\s*\[({_CITATION_ID})\]\s*$")
_CITATION_END = re.compile(rf"\[{_CITATION_ID}\](?=\s|$)")

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "unknown": "I don't know: the indexed material does not answer this question.",
        "closest": "Closest passages found:",
        "nothing": "Nothing relevant was found.",
    },
    "fr": {
        "unknown": "Je ne sais pas : les documents indexés ne répondent pas à cette question.",
        "closest": "Passages les plus proches trouvés :",
        "nothing": "Rien de pertinent n'a été trouvé.",
    },
}


@dataclass(frozen=True)
class _Weighted:
    """Query terms with their weights and the concepts each belongs to."""

    weights: dict[str, float]
    concepts: dict[str, frozenset[str]]

    @property
    def total(self) -> float:
        return sum(self.weights.values())


def _term_weights(index: SearchIndex, plan: QueryPlan) -> _Weighted:
    """Weight each query stem by its idf over the index (unknown terms weigh most)."""
    state = index.state
    n = max(len(state.chunks), 1)
    bm25 = state.bm25
    vocab: dict[str, int] = bm25.vocab_dict if bm25 is not None else {}
    indptr = bm25.scores["indptr"] if bm25 is not None else None
    weights: dict[str, float] = {}
    for stem in dict.fromkeys(plan.analysis.stems):
        token = vocab.get(stem)
        df = 0
        if token is not None and indptr is not None:
            df = int(indptr[token + 1] - indptr[token])
        weights[stem] = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
    concepts: dict[str, set[str]] = {}
    for concept in plan.concepts:
        for term in index.glossary.terms_of(concept):
            for stem in term:
                if stem in weights:
                    concepts.setdefault(stem, set()).add(concept)
    return _Weighted(weights, {k: frozenset(v) for k, v in concepts.items()})


def _covered(weighted: _Weighted, stems: set[str], concepts: set[str]) -> set[str]:
    covered: set[str] = set()
    for term in weighted.weights:
        if term in stems or (weighted.concepts.get(term, frozenset()) & concepts):
            covered.add(term)
        elif len(term) >= 5 and any(s.startswith(term[:5]) for s in stems if len(s) >= 5):
            covered.add(term)  # same root, a form the stemmer did not reduce alike
    return covered


def _passage_terms(index: SearchIndex, text: str, language: str) -> tuple[set[str], set[str]]:
    lang: Lang = "fr" if language == "fr" else "en"
    analysis = analyse(text, lang)
    concepts = index.glossary.match(text, analysis=analysis)
    return set(analysis.stems), set(concepts)


def confidence(index: SearchIndex, plan: QueryPlan, hits: Sequence[Hit]) -> float:
    """Estimate how well the hits answer the query, from 0 to 1.

    Args:
        index: the index (for idf and the glossary).
        plan: the analysed query.
        hits: the retrieved passages, best first.

    Returns:
        ``(1 - DENSE_WEIGHT) * coverage + DENSE_WEIGHT * similarity``: coverage is the
        largest idf-weighted share of query terms one of the top passages contains
        (title and heading included), similarity the best cosine between the plain
        query vector and those passages, scaled to 0..1.
    """
    weighted = _term_weights(index, plan)
    if not hits or weighted.total <= 0:
        return 0.0
    best = 0.0
    for hit in hits[:ANSWER_CHUNKS]:
        meta = hit.metadata
        stems, concepts = _passage_terms(
            index, f"{meta.get('title', '')}\n{meta.get('section', '')}\n{hit.text}",
            str(meta.get("language", "en")))
        covered = _covered(weighted, stems, concepts)
        best = max(best, sum(weighted.weights[t] for t in covered) / weighted.total)
    plain = query_similarities(index.state, plan, [h.chunk_id for h in hits[:ANSWER_CHUNKS]])
    similarity = max(plain.values(), default=0.0)
    dense = min(1.0, max(0.0, similarity) / DENSE_SATURATION)
    return round((1 - DENSE_WEIGHT) * best + DENSE_WEIGHT * dense, 4)


def _trim(sentence: str) -> str:
    sentence = sentence.strip()
    if sentence.startswith(("- ", "* ", "+ ")):
        sentence = sentence[2:].strip()
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return sentence
    cut = sentence[:MAX_SENTENCE_CHARS].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + ELLIPSIS


def _select_sentences(index: SearchIndex, plan: QueryPlan,
                      hits: Sequence[Hit]) -> list[tuple[Hit, int, str]]:
    """Pick the sentences that best cover the query, as (hit, position, sentence)."""
    weighted = _term_weights(index, plan)
    scored: list[tuple[float, int, int, Hit, str]] = []
    for rank, hit in enumerate(hits[:ANSWER_CHUNKS]):
        language = str(hit.metadata.get("language", "en"))
        for position, sentence in enumerate(split_sentences(hit.text)):
            if len(sentence) < 25 or sentence.startswith("#"):
                continue
            stems, concepts = _passage_terms(index, sentence, language)
            covered = _covered(weighted, stems, concepts)
            gain = sum(weighted.weights[t] for t in covered) / max(weighted.total, 1e-9)
            if gain <= 0:
                continue
            # Earlier passages and a section's opening sentence are more likely on point.
            score = gain + 0.15 / (1 + rank) + (0.05 if position == 0 else 0.0)
            scored.append((score, rank, position, hit, sentence))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    if scored:
        # Keep only sentences nearly as relevant as the best one: a sentence sharing a
        # single generic word with the question is padding, not an answer.
        floor = RELATIVE_FLOOR * scored[0][0]
        scored = [item for item in scored if item[0] >= floor]
    chosen = scored[:MAX_SENTENCES]
    if len(chosen) < MIN_SENTENCES and hits:
        # Too few sentences carry the question's terms: add the best one's neighbours
        # in its passage (the following ones first), which usually continue its point.
        best_hit = chosen[0][3] if chosen else hits[0]
        start = chosen[0][2] if chosen else 0
        taken = {(c[3].chunk_id, c[2]) for c in chosen}
        sentences = split_sentences(best_hit.text)
        neighbours = sorted(range(len(sentences)),
                            key=lambda i: (abs(i - start) + (0.5 if i < start else 0.0)))
        for position in neighbours:
            if len(chosen) >= MIN_SENTENCES:
                break
            sentence = sentences[position]
            if (best_hit.chunk_id, position) in taken or len(sentence) < 25 \
                    or sentence.startswith("#"):
                continue
            chosen.append((0.0, 0, position, best_hit, sentence))
    order = {hit.chunk_id: rank for rank, hit in enumerate(hits)}
    chosen.sort(key=lambda item: (order[item[3].chunk_id], item[2]))
    return [(item[3], item[2], _trim(item[4])) for item in chosen]


def _citation(hit: Hit) -> Citation:
    meta = hit.metadata
    return Citation(chunk_id=hit.chunk_id, doc_id=str(meta.get("doc_id", "")),
                    title=str(meta.get("title", "")), section=str(meta.get("section", "")),
                    text=hit.text)


def _language_hits(index: SearchIndex, question: str, plan: QueryPlan, scope: Scope, k: int,
                   filters: dict[str, str | Sequence[str]] | None) -> list[Hit]:
    """Search, preferring passages written in the question's language."""
    wanted = dict(filters or {})
    if "language" not in wanted:
        same = index.search(question, k=k, scope=scope, language=plan.language,
                            filters={**wanted, "language": plan.language})
        if same:
            return same
    return index.search(question, k=k, scope=scope, language=plan.language, filters=wanted)


def answer_question(index: SearchIndex, question: str, lang: str | None = None,
                    scope: Scope | None = None, k: int = SEARCH_K, *,
                    filters: dict[str, str | Sequence[str]] | None = None,
                    threshold: float = ABSTAIN_THRESHOLD) -> Answer:
    """Answer a question from the indexed passages, citing each sentence, or abstain.

    Args:
        index: the search index.
        question: the question, French or English.
        lang: the answer language; detected from the question when None.
        scope: who is asking (default: methodology only).
        k: how many passages to retrieve.
        filters: metadata filters passed to the search.
        threshold: under this confidence the answer abstains.

    Returns:
        The answer with its citations, confidence and the passages found.
    """
    scope = scope or Scope.public()
    plan = plan_query(index, question, lang)
    texts = _TEXTS[plan.language]
    hits = _language_hits(index, question, plan, scope, k, filters) if question.strip() else []
    score = confidence(index, plan, hits)
    if score < threshold or not hits:
        lines = [texts["unknown"]]
        if hits:
            lines.append(texts["closest"])
            lines += [f"- {h.metadata.get('title', '')} — {h.metadata.get('section', '')} "
                      f"[{h.chunk_id}]" for h in hits[:3]]
        else:
            lines.append(texts["nothing"])
        return Answer(answer="\n".join(lines), citations=[], confidence=score,
                      language=plan.language, abstained=True, found=hits)
    selected = _select_sentences(index, plan, hits)
    if not selected:
        return Answer(answer=texts["unknown"], citations=[], confidence=score,
                      language=plan.language, abstained=True, found=hits)
    sentences = [f"{sentence} [{hit.chunk_id}]" for hit, _, sentence in selected]
    cited: dict[str, Citation] = {}
    for hit, _, _ in selected:
        cited.setdefault(hit.chunk_id, _citation(hit))
    return Answer(answer=" ".join(sentences), citations=list(cited.values()), confidence=score,
                  language=plan.language, abstained=False, found=hits)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def split_answer(answer_text: str) -> list[str]:
    """Split an answer into its cited sentences (each ending with ``[chunk id]``)."""
    parts: list[str] = []
    start = 0
    for match in _CITATION_END.finditer(answer_text):
        parts.append(answer_text[start : match.end()])
        start = match.end()
    parts.append(answer_text[start:])
    return [p.strip() for p in parts if p.strip()]


def unsupported_sentences(answer: Answer) -> list[str]:
    """Return the sentences of an answer that its citations do not support.

    A sentence is supported when it ends with ``[chunk id]``, that id is among the
    answer's citations, and the sentence (without the citation, and without a final
    "…" when trimmed) appears verbatim, up to whitespace, in the cited passage. An
    abstention makes no claim and has no unsupported sentence.

    Args:
        answer: the answer to check.

    Returns:
        The offending sentences (empty when everything is supported).
    """
    if answer.abstained:
        return []
    passages = {c.chunk_id: _normalise(c.text) for c in answer.citations}
    bad: list[str] = []
    for sentence in split_answer(answer.answer):
        match = _CITATION.search(sentence)
        if not match or match.group(1) not in passages:
            bad.append(sentence)
            continue
        claim = _normalise(sentence[: match.start()])
        if claim.endswith(ELLIPSIS):
            claim = claim[: -len(ELLIPSIS)].rstrip()
        if not claim or claim not in passages[match.group(1)]:
            bad.append(sentence)
    return bad
