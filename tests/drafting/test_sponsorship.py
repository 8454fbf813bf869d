"""The deterministic sponsor assignment (kambot.core.sponsorship)."""

from __future__ import annotations

import random

import pytest

from kambot.core.sponsorship import SponsorableAccount, SponsorshipConfig, assign_sponsors
from kambot.domain.documents import SponsorAssignment, SponsorshipPlan
from kambot.domain.programme import Person
from kambot.errors import DataError

EXECS = [
    Person(key="ceo", name="Ana Ceo", role="executive", industries=["automotive"],
           max_accounts=1),
    Person(key="cfo", name="Bo Cfo", role="executive", industries=["energy"], max_accounts=2),
    Person(key="coo", name="Cy Coo", role="executive", industries=["machinery", "metals"],
           max_accounts=None),
    Person(key="kam1", name="Di Kam", role="kam", industries=["automotive"], max_accounts=9),
]


def acc(x: str, tier: str = "gold", industry: str | None = None, sponsor: str | None = None,
        priority: float = 0.0, seg: tuple[str, ...] = (), met: dict[str, int] | None = None
        ) -> SponsorableAccount:
    return SponsorableAccount(external_id=x, name=f"Account {x}", tier=tier, industry=industry,
                              segment_industries=seg, current_sponsor=sponsor,
                              priority=priority, contacts=met or {})


def get(plan: SponsorshipPlan, x: str) -> SponsorAssignment:
    found = plan.assignment(x)
    assert found is not None
    return found


def codes(plan: SponsorshipPlan, x: str) -> list[str]:
    return [r.code for r in get(plan, x).reasons]


def test_existing_sponsors_are_kept_within_their_limit() -> None:
    plan = assign_sponsors([acc("A", sponsor="ceo", industry="energy", priority=5),
                            acc("B", sponsor="ceo", industry="automotive", priority=9)], EXECS)
    # B has the higher priority: it keeps the CEO; A is reassigned, and says why.
    assert get(plan, "B").sponsor == "ceo" and get(plan, "B").kept
    assert codes(plan, "B")[:2] == ["kept_existing", "industry_affinity"]
    a = get(plan, "A")
    assert a.sponsor == "cfo" and a.changed and not a.kept
    assert codes(plan, "A") == ["existing_over_capacity", "industry_affinity"]


def test_industry_then_segment_then_meetings_then_load_decide() -> None:
    plan = assign_sponsors([
        acc("M", industry="machinery", priority=3),
        acc("S", industry="steel", seg=("metals",), priority=2),
        acc("R", industry="retail", met={"cfo": 2}, priority=1),
    ], EXECS)
    assert get(plan, "M").sponsor == "coo"
    assert codes(plan, "M") == ["industry_affinity"]
    assert get(plan, "S").sponsor == "coo"
    assert codes(plan, "S") == ["segment_affinity"]
    assert get(plan, "R").sponsor == "cfo"
    assert codes(plan, "R") == ["relationship"]


def test_ties_go_to_the_lightest_load_and_are_explained() -> None:
    plan = assign_sponsors([acc("X", industry="retail", priority=2),
                            acc("Y", industry="retail", priority=1)], EXECS)
    first, second = get(plan, "X"), get(plan, "Y")
    assert first.sponsor != second.sponsor  # spread, not piled on one executive
    assert codes(plan, "X") == ["lowest_load"] and codes(plan, "Y") == ["lowest_load"]


def test_no_capacity_left_is_a_coverage_gap() -> None:
    accounts = [acc(f"A{i}", priority=10 - i) for i in range(7)]  # limits: 1 + 2 + 3
    plan = assign_sponsors(accounts, EXECS)
    assert plan.total_capacity == 6
    assert plan.unassigned == ["A6"]
    assert codes(plan, "A6") == ["no_capacity"]
    assert sum(lo.load for lo in plan.loads) == 6
    assert all(lo.load <= lo.capacity for lo in plan.loads)


def test_only_executives_sponsor_and_a_non_executive_sponsor_is_replaced() -> None:
    plan = assign_sponsors([acc("A", sponsor="kam1", industry="automotive")], EXECS)
    a = get(plan, "A")
    assert a.sponsor == "ceo" and a.previous_sponsor == "kam1"
    assert codes(plan, "A")[0] == "existing_not_executive"
    assert {lo.person for lo in plan.loads} == {"ceo", "cfo", "coo"}


def test_cadence_follows_the_tier_and_gold_goes_first() -> None:
    plan = assign_sponsors([acc("B", tier="bronze", priority=100), acc("G", tier="gold")],
                           EXECS, SponsorshipConfig(meetings_per_year={"gold": 6, "silver": 3,
                                                                      "bronze": 1}))
    assert [a.external_id for a in plan.assignments] == ["G", "B"]
    assert get(plan, "G").meetings_per_year == 6
    assert get(plan, "B").meetings_per_year == 1


def test_the_plan_does_not_depend_on_input_order() -> None:
    accounts = [acc(f"A{i}", tier=random.Random(i).choice(["gold", "silver", "bronze"]),
                    industry=random.Random(i + 9).choice(["energy", "machinery", None]),
                    sponsor=random.Random(i + 3).choice([None, "ceo", "cfo"]),
                    priority=float(i % 4)) for i in range(6)]
    base = assign_sponsors(accounts, EXECS)
    for seed in range(5):
        shuffled = accounts[:]
        random.Random(seed).shuffle(shuffled)
        people = EXECS[:]
        random.Random(seed).shuffle(people)
        assert assign_sponsors(shuffled, people) == base


def test_rerunning_after_an_executive_leaves_reassigns_their_accounts() -> None:
    accounts = [acc("A", sponsor="cfo", industry="energy"), acc("B", industry="machinery")]
    before = assign_sponsors(accounts, EXECS)
    after = assign_sponsors(accounts, [p for p in EXECS if p.key != "cfo"])
    assert get(before, "A").sponsor == "cfo"
    assert get(after, "A").sponsor in {"ceo", "coo"}
    assert codes(after, "A")[0] == "existing_not_executive"


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(DataError, match="unknown tier"):
        assign_sponsors([acc("A", tier="platinum")], EXECS)
    with pytest.raises(DataError, match="twice"):
        assign_sponsors([acc("A"), acc("A")], EXECS)
    with pytest.raises(DataError, match="bronze"):
        SponsorshipConfig(meetings_per_year={"gold": 4})


def test_an_executive_who_volunteered_outranks_an_industry_match() -> None:
    volunteered = SponsorableAccount(
        external_id="V", name="Volunteered", tier="gold", industry="automotive",
        volunteers=("cfo",))
    plan = assign_sponsors([volunteered], EXECS)
    assert get(plan, "V").sponsor == "cfo"
    assert "volunteered" in codes(plan, "V")
    # Without the offer, the industry match wins.
    plain = assign_sponsors([acc("V", industry="automotive")], EXECS)
    assert get(plain, "V").sponsor == "ceo"


def test_a_volunteer_who_is_not_an_executive_changes_nothing() -> None:
    offered = SponsorableAccount(external_id="V", name="V", tier="gold", industry="energy",
                                 volunteers=("kam1",))
    assert get(assign_sponsors([offered], EXECS), "V").sponsor == "cfo"
