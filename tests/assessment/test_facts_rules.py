"""Facts read from a sentence, and the levels the rules derive from them."""

from __future__ import annotations

import pytest

from kambot.assistant.assessment.facts import money, read_facts
from kambot.assistant.assessment.fastre import Matcher, literal_prefixes
from kambot.assistant.assessment.rules import RULES
from kambot.assistant.assessment.text import fold


@pytest.mark.parametrize(
    ("text", "amount"),
    [("signed a €12M deal", 12e6), ("contrat de 2,5 M€", 2.5e6), ("$3.5 million", 3.5e6),
     ("EUR 500k", 5e5), ("$2,000,000 pipeline", 2e6), ("1,2 Md€", 1.2e9),
     ("500 000 € de CA", 5e5), ("12 millions d'euros", 12e6), ("a team of 12", None)],
)
def test_money(text: str, amount: float | None) -> None:
    assert money(fold(text)) == amount


def test_facts_of_a_leadership_sentence() -> None:
    facts = read_facts(fold("Led a cross-functional team of 12 people across 4 countries "
                            "without formal authority."))
    assert facts.team_size == 12
    assert facts.countries == 4
    assert facts.cross_functional and facts.virtual
    assert facts.quantified and facts.strong


def test_facts_of_targets_and_growth() -> None:
    exceeded = read_facts(fold("Exceeded quota by 25% three years running (2019-2021)."))
    assert exceeded.attainment == 125.0
    assert exceeded.repeat == 3
    bare = read_facts(fold("Exceeded target in 2022 (115%)."))
    assert bare.attainment == 115.0
    growth = read_facts(fold("Hausse de 35 % du chiffre d'affaires du compte"))
    assert growth.growth == 35.0
    doubled = read_facts(fold("Doubled revenue with the account"))
    assert doubled.growth == 100.0


def test_executive_markers_ignore_job_titles_and_clubs() -> None:
    assert read_facts(fold("Met the customer's CFO every quarter")).executive
    assert not read_facts(fold("Account Executive for SMB customers")).executive
    assert not read_facts(fold("President's Club 2021")).executive


def _level(rule_id: str, sentence: str) -> int | None:
    rule = next(r for r in RULES if r.id == rule_id)
    unit = fold(sentence)
    if not rule.regex.search(unit):
        return None
    return rule.level(read_facts(unit), unit)


@pytest.mark.parametrize(
    ("rule", "sentence", "level"),
    [
        ("leader.team", "Managed a team of 2 interns.", 2),
        ("leader.team", "Led a cross-functional account team of 6 people.", 3),
        ("leader.team", "Led a team of 25 engineers across 5 countries.", 4),
        ("leader.team", "Led a global organisation of 120 people in 15 countries.", 5),
        ("leader.team", "Direction d'une équipe projet de 35 personnes sur 4 pays.", 4),
        ("leader.mentoring", "Coached other key account managers on account planning.", 5),
        ("leader.mentoring", "Coached by my manager on negotiation.", 2),
        ("seller.deal", "Closed 35 small deals with the support of my manager.", 2),
        ("seller.deal", "Signed a €600k contract.", 3),
        ("seller.deal", "Signed a 5-year framework agreement worth €28M.", 4),
        ("seller.deal", "Won the largest contract in the company's history.", 5),
        ("seller.deal", "Contrat pluriannuel de 6 M€ signé avec un laboratoire.", 4),
        ("seller.target", "Reached target in some years.", 2),
        ("seller.target", "Exceeded quota in 2022.", 3),
        ("seller.target", "Objectifs dépassés chaque année de 2019 à 2022.", 4),
        ("seller.top_performer", "President's Club three times (2019, 2021, 2023).", 5),
        ("planner.account_plan", "Filled in the account-plan template for the annual review.", 2),
        ("planner.account_plan", "Plans de compte annuels revus chaque trimestre.", 3),
        ("planner.account_plan", "Wrote three-year strategic account plans.", 4),
        ("planner.forecast", "Forecast accuracy of 92% on a monthly basis.", 3),
        ("visionary.transformation",
         "Launched a digital transformation programme with a top-3 customer.", 5),
        ("influencer.executives", "Regular meetings with the customer's CFO and COO.", 4),
        ("influencer.executives", "Presented once to the customer's CEO.", 3),
        ("influencer.trusted", "Trusted advisor to the customer's CEO.", 5),
        ("challenger.reframe", "Redefined the customer's requirements around uptime.", 4),
    ],
)
def test_rule_levels(rule: str, sentence: str, level: int) -> None:
    assert _level(rule, sentence) == level


def test_job_title_delegue_is_not_delegation() -> None:
    assert _level("leader.delegation", "Délégué pharmaceutique, Medisupply") is None
    assert _level("leader.delegation", "Delegated account reviews to two juniors.") == 3


def test_literal_prefixes_rule_out_impossible_patterns() -> None:
    assert literal_prefixes(r"\b(?:led|lead|manag(?:e|ed))\s+team|account\s+plan") == (
        "account", "lead", "led", "manage")
    assert literal_prefixes(r"\b\d{2}\s?%") is None
    matcher = Matcher.compile(r"\baccount\s+plans?\b")
    assert not matcher.possible("led a team")
    assert [m.group(0) for m in matcher.finditer("an account plan")] == ["account plan"]


def test_every_rule_matcher_finds_what_its_regex_finds() -> None:
    sentences = [fold(s) for s in (
        "Led a virtual team of 18 people across 6 countries without hierarchical authority.",
        "Exceeded quota three years running (112%, 118% and 125% of target).",
        "Plans de compte pluriannuels pour mes 5 comptes stratégiques, validés par la direction.",
        "Trusted advisor to the CEO; organised top-to-top meetings between both CEOs.",
        "Originated a co-development programme approved by both executive committees.",
    )]
    for rule in RULES:
        matcher = Matcher(rule.regex)
        for sentence in sentences:
            assert bool(matcher.search(sentence)) == bool(rule.regex.search(sentence)), rule.id
