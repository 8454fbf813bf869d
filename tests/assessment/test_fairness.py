"""Counterfactual pairs and the four-fifths rule."""

from __future__ import annotations

from kambot.assistant.assessment.fairness import counterfactuals, fairness_check, swap_gender
from kambot.config import Settings
from kambot.core.fairness import fit_difference, impact_ratios, level_differences, shortlist
from kambot.domain.assessment import Trait

from .conftest import Case


def test_counterfactuals_change_exactly_one_attribute(cases: list[Case]) -> None:
    case = next(c for c in cases if c.file == "en_markdown_attributes.md")
    text = case.path.read_text(encoding="utf-8")
    pairs = {p.attribute: p for p in counterfactuals(text, case.name, "en")}
    assert set(pairs) == {"name", "gender", "age", "nationality"}
    assert "David" not in pairs["name"].variant and "Chen" not in pairs["name"].variant
    assert "She managed a team of 7" in pairs["gender"].variant
    assert "Ms. David Chen" in pairs["gender"].variant
    assert "Age: 27" in pairs["age"].variant
    assert "Nationality: French" in pairs["nationality"].variant
    for pair in pairs.values():
        assert pair.base != pair.variant


def test_missing_attributes_are_inserted_on_both_sides(cases: list[Case]) -> None:
    case = next(c for c in cases if c.file == "en_service_rep.txt")
    text = case.path.read_text(encoding="utf-8")
    pairs = {p.attribute: p for p in counterfactuals(text, None, "en")}
    assert pairs["age"].base.startswith("Age: 29") and pairs["age"].variant.startswith("Age: 58")
    assert pairs["gender"].base.startswith("Mr ") and pairs["gender"].variant.startswith("Ms ")


def test_gender_swap_covers_french_forms() -> None:
    assert swap_gender("Elle est directrice, née en 1980.") == "Il est directeur, né en 1980."
    assert swap_gender("He and his team") == "She and her team"


def test_zero_score_difference_on_swaps(settings: Settings, cases: list[Case]) -> None:
    report = fairness_check(settings, [c.path for c in cases],
                            names={c.stem: c.name for c in cases},
                            groups={c.stem: ("A" if i % 2 else "B") for i, c in enumerate(cases)},
                            target="hunter")
    assert len(report.pairs) == 4 * len(cases)
    assert report.pairs_with_difference == 0, [p for p in report.pairs if p.differs]
    assert report.max_fit_difference == 0.0
    assert len(report.shortlist) == (len(cases) + 1) // 2
    assert {r.group for r in report.rates} == {"A", "B"}
    assert "counterfactual pairs" in report.summary()[0]


def test_differences_are_reported_when_they_exist() -> None:
    base = {Trait.LEADER: 3, Trait.SELLER: None}
    variant = {Trait.LEADER: 4, Trait.SELLER: None}
    diffs = level_differences(base, variant)
    assert [(d.trait, d.base, d.variant) for d in diffs] == [(Trait.LEADER, 3, 4)]
    assert fit_difference(70.0, 62.5) == 7.5
    assert fit_difference(None, 40.0) == 40.0


def test_four_fifths_rule() -> None:
    groups = {f"a{i}": "A" for i in range(10)} | {f"b{i}": "B" for i in range(10)}
    selected = [f"a{i}" for i in range(5)] + [f"b{i}" for i in range(3)]
    rates = {r.group: r for r in impact_ratios(groups, selected)}
    assert rates["A"].rate == 0.5 and rates["A"].impact_ratio == 1.0
    assert rates["B"].impact_ratio == 0.6 and rates["B"].below_four_fifths
    assert not rates["A"].below_four_fifths
    nobody = impact_ratios(groups, [])
    assert all(r.impact_ratio is None and not r.below_four_fifths for r in nobody)


def test_shortlist_is_stable() -> None:
    ranked = [("c", (80.0, 100)), ("a", (80.0, 100)), ("b", (90.0, 50)), ("d", (80.0, 60))]
    assert shortlist(ranked, 3) == ["b", "a", "c"]
