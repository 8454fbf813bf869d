"""Scope is a hard filter: another account's or role's chunks are never returned."""

from __future__ import annotations

import pytest

from kambot.retrieval.answer import answer_question
from kambot.retrieval.index import SearchIndex
from kambot.retrieval.models import Scope
from kambot.retrieval.search import bm25_ranking, dense_ranking, plan_query, visibility_mask

PLANTED = "zorbulax"
QUERIES = [PLANTED, f"{PLANTED} tender", f"What about the {PLANTED} price review?",
           f"appel d'offres {PLANTED}", "tender price review March buyer",
           "confidential assessment notes account team"]

OUTSIDERS = [
    Scope.public(),
    Scope.for_accounts({2}),
    Scope.for_accounts({2, 4}, {"kam"}),
    Scope.for_accounts(set(), {"admin"}),
    Scope(account_ids=None, roles=frozenset({"kam"}), include_public=True),  # all accounts,
]


def _planted(index: SearchIndex, ids: list[str]) -> list[str]:
    return [i for i in ids if PLANTED in (index.get_chunk(i) or pytest.fail(i)).text]


@pytest.mark.parametrize("mode", ["fallback", "always"])
@pytest.mark.parametrize("scope", OUTSIDERS[:4])
def test_planted_token_never_leaks_to_other_accounts(shared_index: SearchIndex, scope: Scope,
                                                     mode: str) -> None:
    for query in QUERIES:
        hits = shared_index.search(query, k=20, scope=scope, chroma_where_mode=mode)
        assert _planted(shared_index, [h.chunk_id for h in hits]) == [], (query, scope)
        for hit in hits:
            assert scope.allows(hit.metadata["scope"], tuple(hit.metadata["roles"]))


def test_role_restricted_document_needs_the_role(shared_index: SearchIndex) -> None:
    # account_ids=None sees every account, but the HR file is restricted to "hr".
    kam_everywhere = OUTSIDERS[4]
    hits = shared_index.search(f"confidential assessment notes {PLANTED}", k=20,
                               scope=kam_everywhere)
    assert "account-3/doc-9#text" not in [h.chunk_id for h in hits]
    # The planted token of account 1 is visible to this all-accounts scope, the HR one not.
    assert [h.chunk_id for h in hits if PLANTED in h.text] == ["account-1/activity-1#text"]
    hr = Scope.for_accounts({3}, {"hr"})
    assert "account-3/doc-9#text" in [h.chunk_id for h in shared_index.search(
        "confidential assessment notes", k=5, scope=hr)]
    assert "account-3/doc-9#text" in [h.chunk_id for h in shared_index.search(
        "confidential assessment notes", k=5, scope=Scope.everything())]


def test_the_owner_account_finds_its_note(shared_index: SearchIndex) -> None:
    hits = shared_index.search(PLANTED, k=3, scope=Scope.for_accounts({1}))
    assert hits[0].chunk_id == "account-1/activity-1#text"
    assert hits[0].metadata["account_id"] == 1


def test_no_public_chunks_when_excluded(shared_index: SearchIndex) -> None:
    scope = Scope(account_ids=frozenset({2}), include_public=False)
    hits = shared_index.search("share of wallet", k=10, scope=scope)
    assert hits and all(h.metadata["scope"] == "account:2" for h in hits)


def test_retrievers_are_masked_before_fusion(shared_index: SearchIndex) -> None:
    state = shared_index.state
    scope = Scope.for_accounts({2})
    mask = visibility_mask(state, scope)
    plan = plan_query(shared_index, f"{PLANTED} tender")
    for ranking in (bm25_ranking(state, plan, mask, 50),
                    dense_ranking(state, plan, mask, scope, None, 50, min_similarity=-1.0)):
        assert all(mask[p] for p, _ in ranking)
        assert all(PLANTED not in state.chunks[p].text for p, _ in ranking)


def test_chroma_where_clause_matches_the_mask(shared_index: SearchIndex) -> None:
    state = shared_index.state
    collection = state.collection
    for scope in [*OUTSIDERS, Scope.for_accounts({1}), Scope.for_accounts({3}, {"hr"})]:
        where = scope.chroma_where()
        got = collection.get(where=where)["ids"] if where else collection.get()["ids"]
        mask = visibility_mask(state, scope)
        expected = {c.id for c, visible in zip(state.chunks, mask, strict=True) if visible}
        assert set(got) == expected, scope


def test_answers_respect_the_scope(shared_index: SearchIndex) -> None:
    answer = answer_question(shared_index, f"What did the buyer say about {PLANTED}?",
                             scope=Scope.for_accounts({2}))
    assert PLANTED not in answer.answer
    assert all(PLANTED not in h.text for h in answer.found)
