"""Language detection, language requests, and plain yes / no replies."""

from __future__ import annotations

import pytest

from kambot.assistant.chat.lang import detect_language, is_no, is_yes, requested_language


@pytest.mark.parametrize("text, lang", [
    ("Quels sont les indicateurs de Flaevel Boissons ?", "fr"),
    ("Rédige la stratégie de compte de Corivar", "fr"),
    ("qu'est-ce qu'un sponsor exécutif", "fr"),
    ("Show me the KPIs of the account", "en"),
    ("What should I do next?", "en"),
    ("how is the programme performing overall?", "en"),
])
def test_detects_french_and_english(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["Quenolac KPIs", "C10175", "ok", "segmentation", ""])
def test_says_nothing_when_the_evidence_is_thin(text: str) -> None:
    assert detect_language(text) is None


@pytest.mark.parametrize("text, lang", [
    ("In English please", "en"), ("answer in english", "en"), ("en anglais stp", "en"),
    ("en français s'il te plaît", "fr"), ("in French please", "fr"),
    ("switch to French", "fr"), ("Parlez français", "fr"),
])
def test_language_requests(text: str, lang: str) -> None:
    assert requested_language(text) == lang


def test_no_language_request_in_an_ordinary_message() -> None:
    assert requested_language("What is the English market share?") is None
    assert requested_language("in English or en français?") is None


@pytest.mark.parametrize("text", ["yes", "Yes!", "oui", "OK", "go ahead", "d'accord",
                                  "vas-y", "Je confirme."])
def test_yes(text: str) -> None:
    assert is_yes(text) and not is_no(text)


@pytest.mark.parametrize("text", ["no", "Non.", "cancel", "annule", "non merci"])
def test_no(text: str) -> None:
    assert is_no(text) and not is_yes(text)


@pytest.mark.parametrize("text", ["yes, and show me the KPIs of Corivar",
                                  "oui mais change d'abord la section",
                                  "the customer said yes"])
def test_a_longer_message_is_not_a_confirmation(text: str) -> None:
    assert not is_yes(text) and not is_no(text)
