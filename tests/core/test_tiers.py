"""Service tiers: first matching rule wins, scopes, default bronze."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from kambot.core.builders import build_portfolio
from kambot.core.frames import AccountFrame
from kambot.core.tiers import TIERS, assign_tiers, describe_rule, summarise_tiers
from kambot.domain.analysis import Tier
from kambot.domain.programme import TierRule
from kambot.errors import DataError

ACCOUNTS: list[dict[str, Any]] = [
    {"external_id": "k1", "country": "FR", "business_unit": "Industrial", "potential": 5e6},
    {"external_id": "k2", "country": "DE", "business_unit": "Services", "potential": 1e6},
    {"external_id": "n1", "country": "FR", "business_unit": "Industrial", "potential": 3e6},
    {"external_id": "n2", "country": "DE", "business_unit": "Industrial"},
    {"external_id": "n3", "country": "ES", "business_unit": "Services", "potential": 9e6},
]
KEY = np.array([True, True, False, False, False])
QUAD = np.array([0, 2, 1, 3, 0])  # strategic, status, star, streamline, strategic
TTM = np.array([100.0, 50.0, 500.0, 0.0, 10.0])


def _accounts() -> AccountFrame:
    return build_portfolio(date(2025, 6, 15), ACCOUNTS).accounts


def _tiers(rules: list[TierRule]) -> list[str]:
    table = assign_tiers(_accounts(), rules, KEY, QUAD, TTM)
    return [TIERS[t].value for t in table.tier]


RULES = [
    TierRule(
        tier="gold", key_account=True, quadrants=["strategic", "star"], label="key attractive"
    ),
    TierRule(tier="silver", key_account=True),
    TierRule(tier="silver", scope="country:fr", min_potential=2e6),
    TierRule(tier="gold", min_revenue_ttm=400),  # never reached for n1: silver matched first
    TierRule(tier="silver", scope="bu:Services", key_account=False),
]


def test_first_matching_rule_wins_and_the_rest_is_bronze() -> None:
    assert _tiers(RULES) == ["gold", "silver", "silver", "bronze", "silver"]


def test_every_account_gets_exactly_one_tier_with_its_rule() -> None:
    table = assign_tiers(_accounts(), RULES, KEY, QUAD, TTM)
    assert table.rule.tolist() == [0, 1, 2, -1, 4]
    assert sum(table.counts().values()) == len(ACCOUNTS)
    a = table.assignment(0, 1, "k1", "K1")
    assert a.tier is Tier.GOLD and a.rule_index == 0 and a.rule_label == "key attractive"
    assert "rule 1 matched first" in a.reason and "key account" in a.reason
    d = table.assignment(3, 4, "n2", "N2")
    assert d.tier is Tier.BRONZE and d.rule_index is None and "default" in d.reason


def test_no_rules_means_bronze_everywhere_with_a_note() -> None:
    table = assign_tiers(_accounts(), [], KEY, QUAD, TTM)
    assert set(table.tier.tolist()) == {TIERS.index(Tier.BRONZE)}
    assert any("no tier rules" in n for n in table.notes)


def test_scopes_give_tiers_per_country_and_business_unit() -> None:
    rules = [
        TierRule(tier="gold", scope="country:DE"),
        TierRule(tier="silver", scope="bu:industrial"),
    ]
    assert _tiers(rules) == ["silver", "gold", "silver", "gold", "bronze"]
    table = assign_tiers(_accounts(), rules, KEY, QUAD, TTM)
    by_country = {
        s.scope: (s.gold, s.silver, s.bronze)
        for s in summarise_tiers(table, _accounts(), "country")
    }
    assert by_country == {"country:DE": (2, 0, 0), "country:ES": (0, 0, 1), "country:FR": (0, 2, 0)}
    by_bu = summarise_tiers(table, _accounts(), "bu")
    assert [s.scope for s in by_bu] == ["bu:Industrial", "bu:Services"]
    overall = summarise_tiers(table, _accounts())
    assert (overall[0].gold, overall[0].silver, overall[0].bronze) == (2, 2, 1)


def test_scope_matching_no_account_is_noted() -> None:
    table = assign_tiers(_accounts(), [TierRule(tier="gold", scope="country:JP")], KEY, QUAD, TTM)
    assert any("matches no account" in n for n in table.notes)


@pytest.mark.parametrize("scope", ["region:EU", "country:", "FR"])
def test_bad_scope_is_refused(scope: str) -> None:
    with pytest.raises(DataError, match="scope"):
        assign_tiers(_accounts(), [TierRule(tier="gold", scope=scope)], KEY, QUAD, TTM)


def test_unknown_quadrant_is_refused() -> None:
    with pytest.raises(DataError, match="unknown quadrant"):
        assign_tiers(_accounts(), [TierRule(tier="gold", quadrants=["cash_cow"])], KEY, QUAD, TTM)


def test_bad_summary_dimension_is_refused() -> None:
    table = assign_tiers(_accounts(), [], KEY, QUAD, TTM)
    with pytest.raises(DataError, match="cannot summarise"):
        summarise_tiers(table, _accounts(), "industry")


def test_describe_rule() -> None:
    assert describe_rule(TierRule(tier="bronze")) == "any account -> bronze"
    text = describe_rule(TierRule(tier="gold", scope="bu:X", min_revenue_ttm=1000, min_potential=5))
    assert text == "scope bu:X and TTM revenue >= 1,000 and potential >= 5 -> gold"
