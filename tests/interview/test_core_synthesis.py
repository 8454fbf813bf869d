"""Deterministic aggregation of interviews (kambot.core.synthesis)."""

from __future__ import annotations

from kambot.core.synthesis import (
    CauseMention,
    Claim,
    PositionInput,
    QuoteRef,
    RankingInput,
    contested_accounts,
    questions_to_settle,
    rank_causes,
    rank_interview_causes,
    theme_agreement,
)

CAUSES = ["innovation", "customer_focus", "breaking_silos", "portfolio_value",
          "business_model_change"]


def q(i: int, theme: str, text: str) -> QuoteRef:
    return QuoteRef(interview_id=i, theme=theme, text=text)


def test_priorities_within_one_interview() -> None:
    ranked = rank_interview_causes([
        CauseMention("innovation", first=10, in_primary_theme=True),
        CauseMention("breaking_silos", first=50, emphasised=True, in_primary_theme=True),
        CauseMention("portfolio_value", first=1),  # said early, but in another theme
        CauseMention("innovation", first=90, count=2, in_primary_theme=True),
        CauseMention("customer_focus", first=30, in_primary_theme=True),
    ])
    assert ranked == ["breaking_silos", "innovation", "customer_focus", "portfolio_value"]


def test_borda_count_with_tie_breaks() -> None:
    scores = rank_causes([
        RankingInput(1, ("breaking_silos", "innovation"),
                     {"breaking_silos": (q(1, "t", "silos first"),)}),
        RankingInput(2, ("innovation", "breaking_silos")),
        RankingInput(3, ("customer_focus",)),
        RankingInput(4, ("unknown_cause", "innovation")),
    ], CAUSES)
    # Five causes: first place is worth 5, second 4. innovation: 4 + 5 + 5 (the unknown
    # cause of interview 4 is ignored, so innovation is its first choice).
    assert [(s.cause, s.score, s.rank) for s in scores] == [
        ("innovation", 14, 1), ("breaking_silos", 9, 2), ("customer_focus", 5, 3)]
    assert scores[0].first_choices == 2 and scores[0].interviews == 3
    assert scores[1].quotes == (q(1, "t", "silos first"),)
    tie = rank_causes([RankingInput(1, ("portfolio_value",)), RankingInput(2, ("innovation",))],
                      CAUSES)
    assert [s.cause for s in tie] == ["innovation", "portfolio_value"]  # cause order breaks it


def test_consensus_divergence_minority_and_mentions() -> None:
    def pos(stance: str | None, *tags: str, cov: float = 1.0) -> PositionInput:
        return PositionInput(theme="governance", stance=stance, tags=tags,
                             quotes=(q(0, "governance", f"{stance} {tags}"),), coverage=cov)

    three = theme_agreement("governance", [
        (1, pos("monthly", "committee")), (2, pos("monthly", "committee", "written")),
        (3, pos("quarterly", "committee"))])
    assert [(p.value, p.count, p.of) for p in three.consensus] == [
        ("monthly", 2, 3), ("committee", 3, 3)]
    assert [(p.value, p.minority) for p in three.divergence] == [("quarterly", True)]
    assert [p.value for p in three.mentions] == ["written"]
    split = theme_agreement("governance", [(1, pos("monthly")), (2, pos("quarterly"))])
    assert not split.consensus
    assert {p.value for p in split.divergence} == {"monthly", "quarterly"}
    assert not any(p.minority for p in split.divergence)
    alone = theme_agreement("governance", [(1, pos("monthly", "written"))])
    assert alone.answered == 1 and not alone.consensus and not alone.divergence
    assert [p.value for p in alone.mentions] == ["monthly", "written"]
    silent = theme_agreement("governance", [(1, PositionInput(theme="governance"))])
    assert silent.answered == 0 and silent.coverage == 0.0


def test_point_quotes_come_one_per_executive_first() -> None:
    a = PositionInput(theme="t", stance="x", quotes=(q(1, "t", "a1"), q(1, "t", "a2")))
    b = PositionInput(theme="t", stance="x", quotes=(q(2, "t", "b1"),),
                      evidence={"x": (q(2, "t", "b-evidence"),)})
    ag = theme_agreement("t", [(1, a), (2, b)], max_quotes=2)
    assert [r.text for r in ag.consensus[0].quotes] == ["a1", "b-evidence"]


def test_contested_accounts_and_questions() -> None:
    claims = [Claim("C1", "Ana", 1, "committed"), Claim("C1", "Bo", 2, "conditional"),
              Claim("C2", "Ana", 1, "committed"), Claim("C2", "Cy", 3, "declined")]
    contested = contested_accounts(claims)
    assert contested == {"C1": ("Ana", "Bo")}
    causes = rank_causes([RankingInput(1, ("innovation",)), RankingInput(2, ("breaking_silos",))],
                         CAUSES)
    res = theme_agreement("resources", [
        (1, PositionInput(theme="resources", stance="conditional", tags=("people",),
                          coverage=1.0)),
        (2, PositionInput(theme="resources", stance="committed", tags=("people",),
                          coverage=1.0))])
    gov = theme_agreement("governance", [(1, PositionInput(theme="governance", coverage=0.2))])
    out = questions_to_settle([res, gov], causes, contested,
                              flagged_stances={"conditional": "conditions"},
                              not_interviewed=["Dee"])
    assert [x.kind for x in out] == ["primary_cause", "divergence", "contested_account",
                                     "conditions", "uncovered_theme", "not_interviewed"]
    assert out[0].values == ("innovation", "breaking_silos")
    assert out[2].values == ("C1", "Ana", "Bo")
    assert out[-1].values == ("Dee",)
    clear = rank_causes([RankingInput(1, ("innovation",)), RankingInput(2, ("innovation",))],
                        CAUSES)
    assert questions_to_settle([], clear, {}) == []
