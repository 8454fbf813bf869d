"""Grounded answers: every sentence cited and supported, or an abstention."""

from __future__ import annotations

import re

from kambot.retrieval.answer import answer_question, split_answer, unsupported_sentences
from kambot.retrieval.index import SearchIndex
from kambot.retrieval.models import Answer, Citation, Scope


def test_english_answer_sentences_are_cited_and_supported(shared_index: SearchIndex) -> None:
    answer = answer_question(shared_index, "How many key accounts can one KAM lead?")
    assert not answer.abstained and answer.language == "en"
    sentences = split_answer(answer.answer)
    assert 1 <= len(sentences) <= 6
    assert all(re.search(r"\[en/segmentation#less-is-more\]$", s) for s in sentences)
    assert "two to four accounts" in answer.answer
    assert unsupported_sentences(answer) == []
    assert [c.chunk_id for c in answer.citations] == ["en/segmentation#less-is-more"]
    dumped = answer.model_dump()
    assert {"answer", "citations", "confidence"} <= dumped.keys()
    assert 0 < dumped["confidence"] <= 1


def test_french_question_gets_a_french_answer(shared_index: SearchIndex) -> None:
    answer = answer_question(shared_index, "Comment calcule-t-on la part de portefeuille ?")
    assert not answer.abstained and answer.language == "fr"
    assert all(c.chunk_id.startswith("fr/") for c in answer.citations)
    assert unsupported_sentences(answer) == []


def test_language_can_be_forced(shared_index: SearchIndex) -> None:
    answer = answer_question(shared_index, "part de portefeuille", lang="en")
    assert answer.language == "en"
    assert answer.citations and answer.citations[0].chunk_id == "en/segmentation#share-of-wallet"


def test_unrelated_questions_abstain_in_their_language(shared_index: SearchIndex) -> None:
    english = answer_question(shared_index, "What will the weather be in Lyon tomorrow?")
    assert english.abstained and english.citations == []
    assert english.answer.startswith("I don't know")
    french = answer_question(shared_index, "Quel est le taux de cotisation retraite en 2025 ?")
    assert french.abstained and french.answer.startswith("Je ne sais pas")
    assert french.confidence < 0.55


def test_abstention_lists_what_was_found(shared_index: SearchIndex) -> None:
    answer = answer_question(shared_index, "sponsor weather forecast rainfall", threshold=1.01)
    assert answer.abstained and answer.found
    assert f"[{answer.found[0].chunk_id}]" in answer.answer


def test_checker_flags_unsupported_sentences() -> None:
    citation = Citation(chunk_id="en/doc#a", doc_id="doc", title="T", section="A",
                        text="Pick fewer key accounts.  Each KAM leads two to four accounts.")
    good = Answer(answer="Pick fewer key accounts. [en/doc#a] Each KAM leads two to four "
                         "accounts. [en/doc#a]", citations=[citation])
    assert unsupported_sentences(good) == []
    trimmed = Answer(answer="Each KAM leads two… [en/doc#a]", citations=[citation])
    assert unsupported_sentences(trimmed) == []
    altered = Answer(answer="Each KAM leads ten accounts. [en/doc#a]", citations=[citation])
    assert unsupported_sentences(altered) == ["Each KAM leads ten accounts. [en/doc#a]"]
    uncited = Answer(answer="Pick fewer key accounts. [en/doc#a] And trust me.",
                     citations=[citation])
    assert unsupported_sentences(uncited) == ["And trust me."]
    unknown = Answer(answer="Pick fewer key accounts. [en/other#b]", citations=[citation])
    assert unsupported_sentences(unknown) == ["Pick fewer key accounts. [en/other#b]"]


def test_account_notes_answer_for_their_account(shared_index: SearchIndex) -> None:
    answer = answer_question(shared_index, "What does Globex want to review?",
                             scope=Scope.for_accounts({2}))
    assert not answer.abstained
    assert any(c.chunk_id.startswith("account-2/") for c in answer.citations)
    assert unsupported_sentences(answer) == []
