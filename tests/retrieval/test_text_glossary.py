"""Text analysis and the bilingual glossary."""

from __future__ import annotations

from pathlib import Path

import pytest

from kambot.errors import DataError
from kambot.retrieval.glossary import load_glossary, parse_glossary
from kambot.retrieval.text import analyse, detect_language, fold, slugify, split_sentences

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "knowledge"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Comment choisir les comptes clés ?", "fr"),
        ("Quelle est la part de portefeuille du client", "fr"),
        ("How do we choose our key accounts?", "en"),
        ("What is the share of wallet of this customer", "en"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_detect_language_falls_back_to_the_default() -> None:
    assert detect_language("KAM", default="fr") == "fr"
    assert detect_language("", default="en") == "en"


def test_analysis_drops_stop_words_stems_and_folds_accents() -> None:
    french = analyse("L'entreprise stratégique des comptes clés", "fr")
    assert french.surface == ("entreprise", "strategique", "comptes", "cles")
    assert french.stems == ("entrepris", "strateg", "compt", "cle")
    english = analyse("The strategic accounts of the company", "en")
    assert english.stems == ("strateg", "account", "compani")
    # A query typed without accents meets the accented corpus.
    assert analyse("strategique", "fr").stems == french.stems[1:2]


def test_fold_and_slugify() -> None:
    assert fold("Œuvre Élève ÇA naïve") == "oeuvre eleve ca naive"
    assert fold("e\u0301te\u0301") == "ete"  # decomposed input
    assert slugify("Less is more: l'écart à 90 %") == "less-is-more-l-ecart-a-90"
    assert slugify("!!!", "fallback") == "fallback"


def test_split_sentences_keeps_text_verbatim() -> None:
    text = ('Pick few accounts. E.g. eight to fifteen is common! Ask "why?" Then act.'
            "\n- one item\n- two")
    sentences = split_sentences(text)
    assert sentences == ["Pick few accounts.", "E.g. eight to fifteen is common!",
                         'Ask "why?"', "Then act.", "- one item", "- two"]


def test_glossary_matches_inflections_in_both_languages() -> None:
    glossary = load_glossary(FIXTURES / "glossary.yaml")
    assert len(glossary) == 4
    assert glossary.match("Nos Grands Comptes et leurs parrains") == {
        "key-account": 1, "executive-sponsor": 1}
    assert "share-of-wallet" in glossary.match("What wallet share do we have?")
    expansion = glossary.expansion(["share-of-wallet"])
    assert ("share", "wallet") in expansion["en"]
    assert ("part", "portefeuill") in expansion["fr"]


def test_glossary_fingerprint_changes_with_terms() -> None:
    one = parse_glossary([{"id": "a", "en": ["alpha"]}])
    two = parse_glossary([{"id": "a", "en": ["alpha", "alef"]}])
    assert one.fingerprint != two.fingerprint
    assert one.fingerprint == parse_glossary([{"id": "a", "en": ["alpha"]}]).fingerprint


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"id": "a"}, "must be a YAML list"),
        ([{"en": ["x"]}], "has no id"),
        ([{"id": "a", "en": ["x"]}, {"id": "a", "fr": ["y"]}], "repeated"),
        ([{"id": "a"}], "has no term"),
        ([{"id": "a", "en": [1, ""]}], "non-empty strings"),
    ],
)
def test_bad_glossary_is_a_data_error(raw: object, fragment: str) -> None:
    with pytest.raises(DataError, match=fragment):
        parse_glossary(raw, "glossary.yaml")


def test_glossary_file_errors(tmp_path: Path) -> None:
    assert len(load_glossary(tmp_path / "missing.yaml")) == 0
    bad = tmp_path / "glossary.yaml"
    bad.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid YAML"):
        load_glossary(bad)


def test_analysis_keeps_the_full_word_sequence() -> None:
    english = analyse("The follow-up of accounts", "en")
    assert english.stems == ("follow", "account")
    # Content words as stems, stop words as themselves, in text order.
    assert english.sequence == ("the", "follow", "up", "of", "account")
    french = analyse("Le niveau Or", "fr")
    assert french.stems == ("niveau",)
    assert french.sequence == ("le", "niveau", "or")
    assert analyse("of the", "en").sequence == ("of", "the")
    assert analyse("accounts", "en").sequence == analyse("accounts", "en").stems


def test_terms_gutted_by_stop_words_match_on_the_word_sequence() -> None:
    glossary = parse_glossary([
        {"id": "follow-up", "en": ["follow-up"], "fr": ["suivi"]},
        {"id": "less-is-more", "en": ["less is more"]},
        {"id": "gold", "en": ["Gold tier"], "fr": ["niveau Or"]},
        {"id": "board", "en": ["the board"]},
        {"id": "raci", "en": ["who does what"]},
    ])
    # Nothing is left out; a phrase made only of stop words matches as a phrase.
    assert glossary.skipped == []
    assert parse_glossary([{"id": "x", "en": ["the"]}]).skipped == [("x", "en", "the")]
    assert glossary.match("Agree who does what, then act", "en") == {"raci": 1}
    assert glossary.match("What does who want?", "en") == {}
    assert glossary.match("Who owns the follow-up after the review?", "en") == {"follow-up": 1}
    assert glossary.match("We follow up next week", "en") == {"follow-up": 1}
    assert glossary.match("Follow the plan; up to you", "en") == {}
    assert glossary.match("Less is more: pick a few accounts", "en") == {"less-is-more": 1}
    assert glossary.match("less work for the team", "en") == {}
    assert glossary.match("Le client passe au niveau Or", "fr") == {"gold": 1}
    assert glossary.match("Le niveau de service", "fr") == {}
    # A French text meets the English term, a question (both languages' stop words) too.
    assert glossary.match("Le follow-up du compte", "fr") == {"follow-up": 1}
    assert glossary.match("What is the follow-up?") == {"follow-up": 1}
    # A leading determiner still simply drops: "the board" is "board".
    assert glossary.match("Ask the board", "en") == {"board": 1}


def test_gutted_terms_are_not_used_as_one_word_expansions() -> None:
    glossary = parse_glossary([{"id": "follow-up", "en": ["follow-up", "action log"],
                                "fr": ["suivi"]}])
    # ("follow",) alone would expand a query with every "follow" of the corpus.
    assert ("follow",) not in glossary.terms_of("follow-up")
    assert ("action", "log") in glossary.terms_of("follow-up")
