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
