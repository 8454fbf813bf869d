"""Hybrid search: fusion, filters, cross-language expansion."""

from __future__ import annotations

import itertools

import pytest

from kambot.errors import RetrievalError
from kambot.retrieval.index import SearchIndex
from kambot.retrieval.models import Scope
from kambot.retrieval.search import fuse, plan_query


def test_rrf_rewards_agreement_between_rankings() -> None:
    bm25 = [(1, 9.0), (2, 5.0), (3, 1.0)]
    dense = [(2, 0.9), (4, 0.8), (5, 0.1)]
    fused = fuse([bm25, dense], rrf_k=60)
    assert [p for p, _ in fused] == [2, 1, 4, 3, 5]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[1][1] == pytest.approx(1 / 61)


def test_rrf_ties_keep_the_first_ranking_order() -> None:
    fused = fuse([[(7, 1.0)], [(8, 1.0)]], rrf_k=60)
    assert [p for p, _ in fused] == [7, 8]
    assert fuse([[], []]) == []


def test_rrf_constant_changes_the_balance() -> None:
    bm25 = [(1, 1.0), (2, 1.0)]
    dense = [(2, 1.0), (3, 1.0)]
    small = dict(fuse([bm25, dense], rrf_k=1))
    large = dict(fuse([bm25, dense], rrf_k=1000))
    # A small constant favours being first somewhere; a large one, being in both lists.
    assert small[1] / small[2] > large[1] / large[2]
    assert large[1] / large[2] == pytest.approx(0.5, abs=1e-3)


def test_hits_carry_both_ranks_and_metadata(shared_index: SearchIndex) -> None:
    hits = shared_index.search("share of wallet total spend", k=3)
    top = hits[0]
    assert top.chunk_id == "en/segmentation#share-of-wallet"
    assert top.bm25_rank == 1 and top.dense_rank == 1
    assert top.metadata["doc_id"] == "segmentation" and top.metadata["language"] == "en"
    assert top.metadata["topic"] == "selection"
    assert "Share of wallet" in top.text
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))


def test_french_question_reaches_english_text_through_the_glossary(
        shared_index: SearchIndex) -> None:
    plan = plan_query(shared_index, "Qui est le parrain du compte ?")
    assert plan.language == "fr" and "executive-sponsor" in plan.concepts
    assert "sponsor" in plan.expansion
    lexical = shared_index.search("Qui est le parrain du compte ?", k=1,
                                  filters={"language": "en"}, use_dense=False)
    assert [h.chunk_id for h in lexical] == ["en/sponsorship#what-a-sponsor-does"]
    # The dense side meets the sponsorship passages through the shared concept.
    dense = shared_index.search("Qui est le parrain du compte ?", k=1,
                                filters={"language": "en"}, use_bm25=False,
                                feedback_weight=0.0)
    assert dense[0].metadata["doc_id"] == "sponsorship"
    assert dense[0].dense_similarity and dense[0].dense_similarity > 0.05


def test_filters_restrict_results(shared_index: SearchIndex) -> None:
    everything = Scope.everything()
    french = shared_index.search("part de portefeuille", k=10, filters={"language": "fr"})
    assert french and all(h.metadata["language"] == "fr" for h in french)
    topic = shared_index.search("sponsor", k=10, filters={"topic": ["executives"]})
    assert {h.metadata["doc_id"] for h in topic} == {"sponsorship"}
    notes = shared_index.search("share of wallet", k=10, scope=everything,
                                filters={"kind": "account_note"})
    assert notes and all(h.metadata["kind"] == "account_note" for h in notes)
    one_doc = shared_index.search("share of wallet", k=10, filters={"doc_id": "sponsorship"})
    assert all(h.metadata["doc_id"] == "sponsorship" for h in one_doc)


def test_unknown_filter_is_an_error(shared_index: SearchIndex) -> None:
    with pytest.raises(RetrievalError, match="unknown search filter"):
        shared_index.search("x", filters={"colour": "red"})


def test_nothing_for_empty_or_unknown_words(shared_index: SearchIndex) -> None:
    assert shared_index.search("   ") == []
    assert shared_index.search("xylophone quasar", k=5, use_dense=False) == []
