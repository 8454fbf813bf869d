"""The coverage re-ranking: postings lookups, coverage shares, re-scoring."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from kambot.config import Settings
from kambot.retrieval.index import SearchIndex, open_index
from kambot.retrieval.rerank import Lexicon, coverage, rerank
from kambot.retrieval.search import fuse, plan_query


def _doc(root: Path, lang: str, doc_id: str, title: str, sections: dict[str, str]) -> None:
    body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections.items())
    path = root / "methodology" / lang / f"{doc_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(f"""\
        ---
        id: {doc_id}
        title: {title}
        topic: test
        step: 1
        language: {lang}
        version: 1
        ---

        # {title}

        """) + body + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    """Return an index over a small corpus built for coverage questions."""
    root = tmp_path_factory.mktemp("rerank")
    knowledge = root / "knowledge"
    _doc(knowledge, "en", "interviews", "Executive interviews", {
        "Why interview the executives": (
            "Interview every executive. An interview per executive, each interview "
            "recorded: the interview is where executives speak."),
        "Preparing the interviews": (
            "Prepare each interview: read the annual report and the executive "
            "committee minutes, then write five open questions."),
        "Budget": "The budget of the programme is set every year by the committee.",
    })
    _doc(knowledge, "en", "sponsors", "Sponsorship", {
        "What a sponsor does": "A sponsor backs one key account and meets its leadership.",
    })
    _doc(knowledge, "fr", "programme", "Le programme", {
        "Le chemin ordonné": "Un programme se construit étape par étape, chaque étape validée.",
        "Les outils": "Le programme choisit ses outils et ses tableaux de bord.",
    })
    (knowledge / "glossary.yaml").write_text(
        '- id: sponsor\n  en: ["sponsor", "executive sponsor"]\n  fr: ["parrain", "sponsor"]\n',
        encoding="utf-8")
    settings = Settings(_env_file=None, data_dir=root / "data",  # type: ignore[call-arg]
                        knowledge_dir=knowledge)
    return open_index(settings)


def _lexicon(index: SearchIndex) -> Lexicon:
    lexicon = index.state.lexicon
    assert lexicon is not None
    return lexicon


def test_lexicon_membership_agrees_with_a_plain_set_test(index: SearchIndex) -> None:
    lexicon = _lexicon(index)
    assert lexicon.sorted_postings  # bm25s writes postings in document order
    positions = np.arange(len(index.chunks), dtype=np.intp)
    for token, token_id in lexicon.vocab.items():
        if not token:
            continue  # bm25s's placeholder for empty documents has no postings
        column = lexicon.indices[lexicon.indptr[token_id]:lexicon.indptr[token_id + 1]]
        assert lexicon.holds([token_id], positions).tolist() == np.isin(
            positions, column).tolist(), token
        assert lexicon.df(token_id) == len(column)


def test_unsorted_postings_are_detected_and_still_answered_exactly() -> None:
    vocab = {"alpha": 0, "beta": 1}
    # Postings of token 0 out of order: [3, 1]; token 1: [0, 2].
    fake = SimpleNamespace(vocab_dict=vocab, scores={
        "indptr": np.array([0, 2, 4]), "indices": np.array([3, 1, 0, 2]), "num_docs": 4})
    lexicon = Lexicon.from_bm25(fake)
    assert not lexicon.sorted_postings
    positions = np.arange(4, dtype=np.intp)
    assert lexicon.holds([0], positions).tolist() == [False, True, False, True]
    assert lexicon.holds([0, 1], positions).tolist() == [True, True, True, True]
    sorted_ = Lexicon(vocab, np.array([0, 2, 4]), np.array([1, 3, 0, 2]), 4)
    assert sorted_.holds([0], positions).tolist() == [False, True, False, True]


def test_variants_share_a_root_and_short_stems_match_exactly() -> None:
    vocab = {"construir": 0, "construit": 1, "constant": 2, "kam": 3, "kams": 4}
    lexicon = Lexicon.from_bm25(SimpleNamespace(vocab_dict=vocab, scores={
        "indptr": np.array([0, 1, 2, 3, 4, 5]), "indices": np.array([0, 1, 2, 3, 4]),
        "num_docs": 5}))
    assert set(lexicon.variants("construir")) == {0, 1}
    assert set(lexicon.variants("construct")) == {0, 1}  # unknown stem, same root
    assert lexicon.variants("kam") == (3,)  # too short to guess a root
    assert lexicon.variants("zzz") == ()
    assert lexicon.idf("zzz", ()) == 0.0
    assert lexicon.idf("construir", (0, 1)) > 0


def test_coverage_counts_words_roots_headings_and_concepts(index: SearchIndex) -> None:
    state = index.state
    lexicon = _lexicon(index)
    positions = {c.id: state.positions[c.id] for c in state.chunks}

    def shares(query: str, lang: str, ids: list[str]) -> list[tuple[float, float]]:
        plan = plan_query(index, query, lang)
        body, head = coverage(lexicon, index.glossary, plan, state.chunks,
                              [positions[i] for i in ids])
        return [(round(float(b), 3), round(float(h), 3)) for b, h in zip(body, head, strict=True)]

    why = "en/interviews#why-interview-the-executives"
    prep = "en/interviews#preparing-the-interviews"
    (why_body, why_head), (prep_body, prep_head) = shares(
        "How to prepare executive interviews?", "en", [why, prep])
    assert prep_body == 1.0 and why_body < 1.0  # "prepare" is only in the second
    assert prep_head > 0 and why_head > 0 and prep_head > why_head
    # A form the stemmer does not reduce alike ("construire" / "construit").
    [(path_body, _), (tools_body, _)] = shares(
        "Comment construire le programme ?", "fr",
        ["fr/programme#le-chemin-ordonne", "fr/programme#les-outils"])
    assert path_body == 1.0 and tools_body < 1.0
    # A French question covers an English passage through a glossary concept.
    [(sponsor_body, _), (budget_body, _)] = shares(
        "Que fait le parrain ?", "fr", ["en/sponsors#what-a-sponsor-does", "en/interviews#budget"])
    assert sponsor_body > budget_body


def test_rerank_rescores_the_head_and_keeps_the_tail_after_it(index: SearchIndex) -> None:
    state = index.state
    lexicon = _lexicon(index)
    plan = plan_query(index, "How to prepare executive interviews?", "en")
    why = state.positions["en/interviews#why-interview-the-executives"]
    prep = state.positions["en/interviews#preparing-the-interviews"]
    budget = state.positions["en/interviews#budget"]
    sponsor = state.positions["en/sponsors#what-a-sponsor-does"]
    fused = fuse([[(why, 3.0), (prep, 2.0), (budget, 1.0), (sponsor, 0.5)]], rrf_k=60)
    plain = rerank(lexicon, index.glossary, plan, state.chunks, fused, 60, depth=3,
                   coverage_weight=0.0)
    assert [p for p, _, _ in plain] == [why, prep, budget, sponsor]
    assert plain[0][1] == pytest.approx(60 / 61)  # rrf_k x fused score
    ranked = rerank(lexicon, index.glossary, plan, state.chunks, fused, 60, depth=3)
    assert [p for p, _, _ in ranked][:2] == [prep, why]
    assert ranked[-1][0] == sponsor and ranked[-1][2] == -1.0  # beyond depth: not scored
    assert all(a[1] >= b[1] for a, b in itertools.pairwise(ranked))
    assert rerank(lexicon, index.glossary, plan, state.chunks, [], 60) == []


def test_search_hits_carry_coverage_and_stay_sorted(index: SearchIndex) -> None:
    hits = index.search("How to prepare executive interviews?", k=3)
    assert hits[0].chunk_id == "en/interviews#preparing-the-interviews"
    assert hits[0].coverage == pytest.approx(1.0)
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
    plain = index.search("How to prepare executive interviews?", k=3, coverage_weight=0)
    assert all(h.coverage is None for h in plain)
