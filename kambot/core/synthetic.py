"""Synthetic portfolios for benchmarks and property tests (seeded, no I/O).

The figures are plausible, not realistic: skewed (log-normal) potentials and revenues,
a Zipf-like concentration of revenue rows and opportunities on the larger accounts,
and some missing values in every column that allows them, so that every code path of
the core (missing policies, defaulted probabilities, accounts with no data) runs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from kambot.core.frames import (
    ACTIVITY_CODES,
    INITIATIVE_CODES,
    LEVEL_CODES,
    NO_DATE,
    OPP_LOST,
    OPP_OPEN,
    OPP_WON,
    ROLE_CODES,
    AccountFrame,
    ActivityFrame,
    ContactFrame,
    InitiativeFrame,
    IntArray,
    OpportunityFrame,
    PortfolioFrame,
    RevenueFrame,
    month_index,
)
from kambot.domain.programme import Capacity, Programme, StrategicSegment, TierRule

SEGMENTS = ("healthcare", "energy", "retail", "manufacturing", "finance", "public")
INDUSTRIES = (
    "hospitals",
    "pharma",
    "utilities",
    "oil_gas",
    "grocery",
    "fashion",
    "automotive",
    "machinery",
    "banking",
    "insurance",
    "government",
    "education",
)
COUNTRIES = ("FR", "DE", "ES", "IT", "UK", "BE", "NL", "CH")
BUSINESS_UNITS = ("Industrial", "Services", "Digital", "Energy")


def _weights(n: int, rng: np.random.Generator) -> np.typing.NDArray[np.float64]:
    w = rng.pareto(1.2, n) + 1.0
    out: np.typing.NDArray[np.float64] = w / w.sum()
    return out


def synthetic_portfolio(
    n_accounts: int = 1_000,
    n_opportunities: int = 10_000,
    *,
    n_revenue: int = 10_000,
    n_contacts: int = 3_000,
    n_activities: int = 3_000,
    n_initiatives: int = 500,
    n_key_accounts: int = 25,
    seed: int = 0,
    as_of: date = date(2025, 6, 30),
) -> PortfolioFrame:
    """Return a seeded synthetic portfolio of the requested size."""
    rng = np.random.default_rng(seed)
    n = n_accounts
    if n == 0:  # no account, no row can belong to one
        n_opportunities = n_revenue = n_contacts = n_activities = n_initiatives = 0
    as_ord = as_of.toordinal()
    people = [f"kam{k:02d}" for k in range(40)] + [f"exec{k:02d}" for k in range(20)]

    potential = np.round(rng.lognormal(13.0, 1.5, n), 0)
    potential[rng.random(n) < 0.08] = np.nan
    stage = rng.integers(1, 6, n).astype(np.float64)
    stage[rng.random(n) < 0.1] = np.nan
    satisfaction = np.round(rng.uniform(2, 10, n), 1)
    satisfaction[rng.random(n) < 0.2] = np.nan
    margin = np.round(rng.normal(25, 8, n), 1)
    margin[rng.random(n) < 0.05] = np.nan
    annual = np.round(rng.lognormal(17.0, 1.8, n), 0)
    annual[rng.random(n) < 0.1] = np.nan
    employees = np.round(rng.lognormal(6.0, 1.5, n), 0)

    weights = _weights(n, rng)
    key_idx = np.argsort(-weights, kind="stable")[: min(n_key_accounts, n)]
    is_key = np.zeros(n, dtype=np.bool_)
    is_key[key_idx] = True
    kam = np.full(n, -1, dtype=np.int64)
    kam[key_idx] = rng.integers(0, 8, key_idx.size)
    sponsor = np.full(n, -1, dtype=np.int64)
    with_sponsor = key_idx[rng.random(key_idx.size) < 0.7]
    sponsor[with_sponsor] = 40 + rng.integers(0, 20, with_sponsor.size)
    selected_on = np.full(n, NO_DATE, dtype=np.int64)
    selected_on[key_idx] = as_ord - rng.integers(100, 700, key_idx.size)
    plan = np.full(n, NO_DATE, dtype=np.int64)
    planned = key_idx[rng.random(key_idx.size) < 0.6]
    plan[planned] = selected_on[planned] + rng.integers(20, 200, planned.size)
    plan[plan > as_ord] = as_ord

    accounts = AccountFrame(
        ids=np.arange(1, n + 1, dtype=np.int64),
        external_ids=[f"ACC{k:06d}" for k in range(n)],
        names=[f"Account {k}" for k in range(n)],
        parent_idx=np.full(n, -1, dtype=np.int64),
        segment=np.where(rng.random(n) < 0.15, -1, rng.integers(0, len(SEGMENTS), n)),
        segment_labels=list(SEGMENTS),
        industry=rng.integers(0, len(INDUSTRIES), n),
        industry_labels=list(INDUSTRIES),
        country=rng.integers(0, len(COUNTRIES), n),
        country_labels=list(COUNTRIES),
        business_unit=rng.integers(0, len(BUSINESS_UNITS), n),
        business_unit_labels=list(BUSINESS_UNITS),
        employees=employees,
        annual_revenue=annual,
        margin_pct=margin,
        potential=potential,
        relationship_stage=stage,
        satisfaction=satisfaction,
        products_count=rng.integers(0, 9, n).astype(np.float64),
        kam=kam,
        sponsor=sponsor,
        people_labels=people,
        is_key_account=is_key,
        selected_on=selected_on,
        plan_validated_on=plan,
    )

    def pick(size: int) -> IntArray:
        if size == 0:
            return np.zeros(0, dtype=np.int64)
        return rng.choice(n, size=size, p=weights).astype(np.int64)

    last_month = month_index(as_of)
    revenue = RevenueFrame(
        account_idx=pick(n_revenue),
        month=last_month - rng.integers(0, 48, n_revenue),
        amount=np.round(rng.lognormal(9.0, 1.2, n_revenue), 2),
    )

    m = n_opportunities
    opp_stage = rng.choice(np.array([OPP_OPEN, OPP_WON, OPP_LOST]), size=m, p=[0.4, 0.35, 0.25])
    created = as_ord - rng.integers(0, 1_100, m)
    closed = np.where(
        opp_stage == OPP_OPEN, NO_DATE, np.minimum(created + rng.integers(5, 400, m), as_ord)
    )
    value = np.round(rng.lognormal(10.0, 1.3, m), 0)
    value[rng.random(m) < 0.03] = np.nan
    probability = np.round(rng.uniform(0.05, 0.95, m), 2)
    probability[rng.random(m) < 0.1] = np.nan
    opportunities = OpportunityFrame(
        account_idx=pick(m),
        stage=opp_stage.astype(np.int64),
        value=value,
        probability=probability,
        created_on=created.astype(np.int64),
        closed_on=closed.astype(np.int64),
    )

    c = n_contacts
    last_contact = as_ord - rng.integers(0, 720, c)
    last_contact[rng.random(c) < 0.1] = NO_DATE
    contacts = ContactFrame(
        account_idx=pick(c),
        role=rng.integers(0, len(ROLE_CODES), c),
        level=rng.integers(0, len(LEVEL_CODES), c),
        last_contact=last_contact.astype(np.int64),
    )

    a = n_activities
    kind = rng.integers(0, len(ACTIVITY_CODES), a)
    occurred = as_ord - rng.integers(0, 720, a)
    resolved = np.where(
        (kind == ACTIVITY_CODES.index("escalation")) & (rng.random(a) < 0.8),
        np.minimum(occurred + rng.integers(0, 30, a), as_ord),
        NO_DATE,
    )
    activities = ActivityFrame(
        account_idx=pick(a),
        kind=kind.astype(np.int64),
        occurred_on=occurred.astype(np.int64),
        resolved_on=resolved.astype(np.int64),
    )

    k = n_initiatives
    requested = np.round(rng.uniform(0, 50, k), 1)
    ini_idx = pick(k)
    if key_idx.size:
        # Half of the initiatives belong to key accounts, as in a running programme.
        on_key = rng.random(k) < 0.5
        ini_idx[on_key] = key_idx[rng.integers(0, key_idx.size, int(on_key.sum()))]
    initiatives = InitiativeFrame(
        account_idx=ini_idx,
        status=rng.integers(0, len(INITIATIVE_CODES), k),
        expected_value=np.round(rng.lognormal(11.0, 1.0, k), 0),
        resources_requested=requested,
        resources_committed=np.round(requested * rng.uniform(0.3, 1.1, k), 1),
    )
    return PortfolioFrame(
        as_of=as_of,
        accounts=accounts,
        revenue=revenue,
        opportunities=opportunities,
        contacts=contacts,
        activities=activities,
        initiatives=initiatives,
    )


def synthetic_programme(max_key_accounts: int = 25, kams: int | None = 8) -> Programme:
    """Return a programme matching the labels of :func:`synthetic_portfolio`."""
    return Programme(
        name="Synthetic programme",
        segments=[
            StrategicSegment(
                key="healthcare",
                name="Healthcare",
                industries=["hospitals", "pharma"],
                value_proposition_fit=4.5,
            ),
            StrategicSegment(
                key="energy",
                name="Energy",
                industries=["utilities", "oil_gas"],
                value_proposition_fit=4.0,
            ),
            StrategicSegment(
                key="manufacturing",
                name="Manufacturing",
                industries=["automotive", "machinery"],
                value_proposition_fit=3.5,
            ),
            StrategicSegment(
                key="retail", name="Retail", industries=["grocery"], value_proposition_fit=2.0
            ),
        ],
        capacity=Capacity(max_key_accounts=max_key_accounts, accounts_per_kam=4, kams=kams),
        tier_rules=[
            TierRule(
                tier="gold",
                key_account=True,
                quadrants=["strategic", "star"],
                label="key, attractive",
            ),
            TierRule(tier="silver", key_account=True, label="other key accounts"),
            TierRule(tier="silver", scope="country:FR", min_potential=2_000_000, label="large FR"),
            TierRule(tier="silver", min_revenue_ttm=250_000, label="large revenue"),
        ],
    )


def shuffle_portfolio(portfolio: PortfolioFrame, seed: int = 0) -> PortfolioFrame:
    """Return the same portfolio with accounts and every frame's rows in another order.

    Used to check that results do not depend on row order: account positions are
    permuted and every ``account_idx`` / ``parent_idx`` is remapped accordingly.
    """
    rng = np.random.default_rng(seed)
    a = portfolio.accounts
    n = len(a)
    perm = rng.permutation(n)  # new position k holds old account perm[k]
    new_pos = np.empty(n, dtype=np.int64)
    new_pos[perm] = np.arange(n)
    parent = np.where(a.parent_idx >= 0, new_pos[np.maximum(a.parent_idx, 0)], -1)
    accounts = replace(
        a,
        ids=a.ids[perm],
        external_ids=[a.external_ids[i] for i in perm],
        names=[a.names[i] for i in perm],
        parent_idx=parent[perm],
        segment=a.segment[perm],
        industry=a.industry[perm],
        country=a.country[perm],
        business_unit=a.business_unit[perm],
        employees=a.employees[perm],
        annual_revenue=a.annual_revenue[perm],
        margin_pct=a.margin_pct[perm],
        potential=a.potential[perm],
        relationship_stage=a.relationship_stage[perm],
        satisfaction=a.satisfaction[perm],
        products_count=a.products_count[perm],
        kam=a.kam[perm],
        sponsor=a.sponsor[perm],
        is_key_account=a.is_key_account[perm],
        selected_on=a.selected_on[perm],
        plan_validated_on=a.plan_validated_on[perm],
    )

    def rows(size: int) -> IntArray:
        return rng.permutation(size)

    r = portfolio.revenue
    o = portfolio.opportunities
    c = portfolio.contacts
    v = portfolio.activities
    i = portfolio.initiatives
    pr, po, pc, pv, pi = (
        rows(r.account_idx.size),
        rows(o.account_idx.size),
        rows(c.account_idx.size),
        rows(v.account_idx.size),
        rows(i.account_idx.size),
    )
    return PortfolioFrame(
        as_of=portfolio.as_of,
        accounts=accounts,
        revenue=RevenueFrame(new_pos[r.account_idx[pr]], r.month[pr], r.amount[pr]),
        opportunities=OpportunityFrame(
            new_pos[o.account_idx[po]],
            o.stage[po],
            o.value[po],
            o.probability[po],
            o.created_on[po],
            o.closed_on[po],
        ),
        contacts=ContactFrame(
            new_pos[c.account_idx[pc]], c.role[pc], c.level[pc], c.last_contact[pc]
        ),
        activities=ActivityFrame(
            new_pos[v.account_idx[pv]], v.kind[pv], v.occurred_on[pv], v.resolved_on[pv]
        ),
        initiatives=InitiativeFrame(
            new_pos[i.account_idx[pi]],
            i.status[pi],
            i.expected_value[pi],
            i.resources_requested[pi],
            i.resources_committed[pi],
        ),
    )
