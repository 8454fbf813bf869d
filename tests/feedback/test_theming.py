"""Deterministic theming of feedback, in French and English."""

from __future__ import annotations

from pathlib import Path

import pytest

from kambot.assistant.feedback.theming import OTHER, THEMES_FILE, load_themes
from kambot.config import Settings
from kambot.errors import ConfigError

KNOWLEDGE = Settings(_env_file=None).knowledge_dir  # type: ignore[call-arg]

CASES = [
    ("The account plan template takes three hours to fill in, too many fields.", "workload"),
    ("Le reporting mensuel nous prend deux jours, c'est de la paperasse.", "workload"),
    ("My bonus depends on local revenue, so why would I help the KAM?", "incentives"),
    ("Ma prime dépend du chiffre d'affaires local : pourquoi aider le KAM ?", "incentives"),
    ("Le sponsor a encore annulé la réunion avec le client.", "sponsors"),
    ("Our executive sponsor postponed the customer meeting twice.", "sponsors"),
    ("Nos demandes de ressources restent sans réponse depuis six semaines.", "resources"),
    ("Resource requests approved but never staffed by the profit centres.", "resources"),
    ("Gold customers jump the queue at the plant and escalations pile up.", "service"),
    ("Le CRM affiche des chiffres faux pour le groupe, plein de doublons.", "tools_data"),
    ("Nobody told us what changes for the country teams; it is unclear.", "communication"),
    ("Pourquoi ce compte a-t-il été retiré de la liste des comptes clés ?", "selection"),
    ("Who owns the customer now, me or the country manager?", "roles"),
    ("Customers complain that they now get two contacts instead of one.", "customers"),
    ("Great lunch today.", OTHER),
]


@pytest.mark.parametrize(("text", "theme"), CASES, ids=[c[1] + str(i) for i, c in
                                                        enumerate(CASES)])
def test_feedback_gets_its_theme(text: str, theme: str) -> None:
    themes = load_themes(KNOWLEDGE)
    got, scores = themes.classify(text)
    assert got == theme, scores
    if theme != OTHER:
        assert scores[theme] == max(scores.values())


def test_glossary_concepts_count_in_both_languages() -> None:
    themes = load_themes(KNOWLEDGE)
    # "revenue crediting" is a glossary concept of the incentives theme (no own term).
    assert themes.scores("Revenue crediting between countries")["incentives"] >= 2
    assert themes.label("incentives", "fr") == "Incitations et affectation du chiffre d'affaires"
    assert themes.label(OTHER, "en") == "Other"
    assert themes.ids[-1] == OTHER


def test_an_unknown_glossary_concept_is_refused(tmp_path: Path) -> None:
    text = THEMES_FILE.read_text(encoding="utf-8").replace("[revenue-crediting, incentives]",
                                                           "[no-such-concept]")
    bad = tmp_path / "themes.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="no-such-concept"):
        load_themes(KNOWLEDGE, bad)


def test_an_unquoted_comma_in_a_label_is_refused(tmp_path: Path) -> None:
    text = THEMES_FILE.read_text(encoding="utf-8").replace(
        'label: {en: "Tools, data and KPIs", fr: "Outils, données et indicateurs"}',
        "label: {en: Tools, data and KPIs, fr: Outils, données et indicateurs}")
    bad = tmp_path / "themes.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="exactly en and fr"):
        load_themes(KNOWLEDGE, bad)
