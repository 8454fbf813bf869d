"""A straightforward pandas implementation of the core analysis, for a speed baseline.

It computes, from the same :class:`~kambot.core.frames.PortfolioFrame`, what
:func:`kambot.core.analyse.analyse_portfolio` computes -- account KPIs, strategic
segments, the attractiveness x strength matrix, the key-account selection and the
service tiers -- the way one would write it with DataFrames and ``groupby``, following
the definitions documented in ``kambot.core``. ``tests/core/test_pandas_baseline.py``
checks both agree; ``main()`` times both on a synthetic portfolio::

    .venv/bin/python benchmarks/pandas_baseline.py --accounts 100000 --opportunities 1000000
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from typing import Any

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
    PortfolioFrame,
    month_index,
)
from kambot.core.kpis import last_complete_month
from kambot.core.matrix import METRICS, resolve_criteria
from kambot.domain.programme import MissingPolicy, Normalisation, Programme

QUADRANT_NAMES = ("strategic", "star", "status", "streamline")
TIER_NAMES = ("gold", "silver", "bronze")
DEFAULT_OPEN_PROBABILITY = 0.3
REVENUE_YEARS = 4


@dataclass
class PandasResult:
    """What the pandas pipeline produces: one DataFrame row per account, plus lists."""

    accounts: Any  # pandas.DataFrame indexed by account position
    segments: Any  # pandas.DataFrame, one row per programme segment, ranked
    selected: list[str]


def _account_kpis(pf: PortfolioFrame, programme: Programme) -> Any:
    import pandas as pd

    a = pf.accounts
    n = len(a)
    as_ord = pf.as_of.toordinal()
    df = pd.DataFrame(
        {
            "external_id": a.external_ids,
            "potential": a.potential,
            "margin_pct": a.margin_pct,
            "annual_revenue": a.annual_revenue,
            "employees": a.employees,
            "relationship_stage": a.relationship_stage,
            "satisfaction": a.satisfaction,
            "products_count": a.products_count,
            "has_sponsor": a.sponsor >= 0,
        },
        index=pd.RangeIndex(n),
    )

    rev = pd.DataFrame(
        {"idx": pf.revenue.account_idx, "month": pf.revenue.month, "amount": pf.revenue.amount}
    ).dropna(subset=["amount"])
    last = last_complete_month(pf.as_of)
    ttm = rev[(rev.month > last - 12) & (rev.month <= last)].groupby("idx").amount.sum()
    prev = rev[(rev.month > last - 24) & (rev.month <= last - 12)].groupby("idx").amount.sum()
    df["revenue_ttm"] = ttm.reindex(df.index, fill_value=0.0)
    df["revenue_prev12"] = prev.reindex(df.index, fill_value=0.0)
    df["revenue_growth"] = np.where(
        df.revenue_prev12 > 0,
        df.revenue_ttm / df.revenue_prev12.where(df.revenue_prev12 > 0) - 1,
        np.nan,
    )
    first_year = pf.as_of.year - REVENUE_YEARS + 1
    rev["year"] = rev.month // 12
    in_years = rev[(rev.year >= first_year) & (rev.month <= month_index(pf.as_of))]
    by_year = in_years.pivot_table(index="idx", columns="year", values="amount", aggfunc="sum")
    for year in range(first_year, pf.as_of.year + 1):
        col = by_year[year] if year in by_year.columns else pd.Series(dtype=float)
        df[f"revenue_{year}"] = col.reindex(df.index).fillna(0.0)
    wallet = df.potential.where(df.potential > 0) / 3
    df["share_of_wallet"] = df.revenue_ttm / wallet
    df["margin_ttm"] = df.revenue_ttm * df.margin_pct / 100

    o = pf.opportunities
    opp = pd.DataFrame(
        {
            "idx": o.account_idx,
            "stage": o.stage,
            "value": o.value,
            "probability": o.probability,
            "created": o.created_on,
            "closed": o.closed_on,
        }
    )
    exists = (opp.created == NO_DATE) | (opp.created <= as_ord)
    closed_ok = (opp.closed == NO_DATE) | (opp.closed <= as_ord)
    open_ = opp[(opp.stage == OPP_OPEN) & exists].copy()
    open_["weighted"] = open_.value * open_.probability.fillna(DEFAULT_OPEN_PROBABILITY).clip(0, 1)
    g = open_.groupby("idx")
    df["open_opportunities"] = g.size().reindex(df.index, fill_value=0)
    df["open_pipeline"] = g.value.sum().reindex(df.index, fill_value=0.0)
    df["weighted_pipeline"] = g.weighted.sum().reindex(df.index, fill_value=0.0)
    target = programme.revenue_target_growth
    denominator = (df.revenue_ttm * target).where((df.revenue_ttm > 0) & (target > 0))
    df["pipeline_coverage"] = df.weighted_pipeline / denominator
    won = opp[(opp.stage == OPP_WON) & closed_ok]
    lost = opp[(opp.stage == OPP_LOST) & closed_ok]
    df["won"] = won.groupby("idx").size().reindex(df.index, fill_value=0)
    df["lost"] = lost.groupby("idx").size().reindex(df.index, fill_value=0)
    closed_count = (df.won + df.lost).astype(float)
    df["win_rate"] = df.won / closed_count.where(closed_count > 0)
    df["average_won_deal"] = won.groupby("idx").value.mean().reindex(df.index)
    dated = won[(won.created != NO_DATE) & (won.closed != NO_DATE) & (won.closed >= won.created)]
    cycle = (dated.closed - dated.created).groupby(dated.idx).median()
    df["sales_cycle_days"] = cycle.reindex(df.index)

    c = pf.contacts
    con = pd.DataFrame(
        {"idx": c.account_idx, "role": c.role, "level": c.level, "last": c.last_contact}
    )
    for role in ("decision_maker", "champion", "economic_buyer"):
        hit = con[con.role == ROLE_CODES.index(role)].idx.unique()
        df[f"has_{role}"] = df.index.isin(hit)
    df["buying_centre_coverage"] = (
        df[["has_sponsor", "has_decision_maker", "has_champion", "has_economic_buyer"]].sum(axis=1)
        / 4
    )
    exec_levels = [LEVEL_CODES.index("c_level"), LEVEL_CODES.index("vp")]
    exec_con = con[con.level.isin(exec_levels) & (con["last"] != NO_DATE) & (con["last"] <= as_ord)]
    v = pf.activities
    act = pd.DataFrame(
        {"idx": v.account_idx, "kind": v.kind, "occurred": v.occurred_on, "resolved": v.resolved_on}
    )
    act = act[(act.occurred != NO_DATE) & (act.occurred <= as_ord)]
    exec_kinds = [
        ACTIVITY_CODES.index("executive_meeting"),
        ACTIVITY_CODES.index("sponsor_meeting"),
    ]
    exec_act = act[act.kind.isin(exec_kinds)]
    last_exec = pd.concat(
        [exec_con.groupby("idx")["last"].max(), exec_act.groupby("idx").occurred.max()], axis=1
    ).max(axis=1)
    df["last_executive_contact"] = last_exec.reindex(df.index).fillna(NO_DATE).astype("int64")
    df["days_since_executive_contact"] = (as_ord - last_exec).reindex(df.index).astype(float)
    esc = act[act.kind == ACTIVITY_CODES.index("escalation")]
    unresolved = (esc.resolved == NO_DATE) | (esc.resolved > as_ord)
    days = programme.escalation_target_days
    df["open_escalations"] = esc[unresolved].groupby("idx").size().reindex(df.index, fill_value=0)
    overdue = esc[unresolved & (as_ord - esc.occurred > days)]
    df["overdue_escalations"] = overdue.groupby("idx").size().reindex(df.index, fill_value=0)
    resolved = esc[~unresolved]
    df["escalations_resolved"] = resolved.groupby("idx").size().reindex(df.index, fill_value=0)
    within = resolved[resolved.resolved - resolved.occurred <= days]
    df["escalations_within_target"] = within.groupby("idx").size().reindex(df.index, fill_value=0)
    meetings = act[
        (act.kind == ACTIVITY_CODES.index("sponsor_meeting")) & (act.occurred > as_ord - 365)
    ]
    df["sponsor_meetings_12m"] = meetings.groupby("idx").size().reindex(df.index, fill_value=0)

    i = pf.initiatives
    ini = pd.DataFrame(
        {
            "idx": i.account_idx,
            "status": i.status,
            "requested": i.resources_requested,
            "committed": i.resources_committed,
        }
    )
    counts = ini.groupby(["idx", "status"]).size().unstack(fill_value=0)
    for k, status in enumerate(INITIATIVE_CODES):
        col = counts[k] if k in counts.columns else pd.Series(dtype="int64")
        df[f"initiatives_{status}"] = col.reindex(df.index, fill_value=0)
    df["resources_requested"] = ini.groupby("idx").requested.sum().reindex(df.index, fill_value=0.0)
    df["resources_committed"] = ini.groupby("idx").committed.sum().reindex(df.index, fill_value=0.0)
    return df


def _segments(pf: PortfolioFrame, programme: Programme, df: Any) -> Any:
    import pandas as pd

    a = pf.accounts
    label_of: dict[str, int] = {}
    industry_of: dict[str, int] = {}
    for k, seg in enumerate(programme.segments):
        for name in (seg.key, seg.name):
            label_of.setdefault(name.strip().casefold(), k)
        for ind in seg.industries:
            industry_of.setdefault(ind.strip().casefold(), k)
    seg_label = pd.Series(a.segment).map(
        lambda c: label_of.get(a.segment_labels[c].strip().casefold(), -1) if c >= 0 else -1
    )
    ind_label = pd.Series(a.industry).map(
        lambda c: industry_of.get(a.industry_labels[c].strip().casefold(), -1) if c >= 0 else -1
    )
    df["segment_of"] = seg_label.where(seg_label >= 0, ind_label).to_numpy()
    rows = []
    for k, seg in enumerate(programme.segments):
        members = df[df.segment_of == k]
        rows.append(
            {
                "key": seg.key,
                "fit": seg.value_proposition_fit,
                "accounts": len(members),
                "potential": members.potential.fillna(0).sum(),
            }
        )
    segs = pd.DataFrame(rows, columns=["key", "fit", "accounts", "potential"])
    if len(segs):
        top = segs.potential.max()
        pot = segs.potential / top if top > 0 else 0.0
        segs["score"] = (0.5 * segs.fit / 5 + 0.5 * pot).round(12)
        segs = segs.sort_values(["score", "key"], ascending=[False, True]).reset_index()
        segs["rank"] = np.arange(1, len(segs) + 1)
        segs["strategic"] = True
    fit_by_segment = {k: s.value_proposition_fit for k, s in enumerate(programme.segments)}
    df["segment_fit"] = df.segment_of.map(fit_by_segment).astype(float)
    df["in_strategic"] = df.segment_of >= 0
    return segs


def _metric(df: Any, key: str) -> Any:
    if key == "whitespace":
        wallet = df.potential / 3
        return (wallet - df.revenue_ttm).clip(lower=0).where(wallet.notna())
    if key == "customer_revenue":
        return df.annual_revenue
    return df[key].astype(float)


def _normalise(x: Any, criterion: Any) -> Any:
    valued = x.dropna()
    method = criterion.normalisation
    if valued.empty:
        out = x.copy()
    elif method in (Normalisation.MINMAX, Normalisation.LOG_MINMAX):
        t = np.sign(x) * np.log1p(x.abs()) if method is Normalisation.LOG_MINMAX else x
        lo, hi = t.min(), t.max()
        out = (t - lo) / (hi - lo) if hi > lo else t * 0 + 0.5
    elif method is Normalisation.RANK:
        out = (x.rank(method="average") - 1) / (len(valued) - 1) if len(valued) > 1 else x * 0 + 0.5
    else:
        scale = criterion.scale or METRICS[criterion.key].natural_scale
        assert scale is not None, f"{criterion.key} needs a scale"
        lo, hi = scale
        out = ((x - lo) / (hi - lo)).clip(0, 1)
    if not criterion.higher_is_better:
        out = 1 - out
    return out


def _matrix(df: Any, programme: Programme, threshold: float = 0.5) -> None:
    import pandas as pd

    criteria, _ = resolve_criteria(programme)
    for axis in ("attractiveness", "strength"):
        on_axis = [c for c in criteria if c.axis.value == axis]
        values, weights = {}, {}
        for c in on_axis:
            s = _normalise(_metric(df, c.key), c)
            missing = s.isna()
            if c.missing is MissingPolicy.ZERO:
                s = s.fillna(0.0)
            elif c.missing is MissingPolicy.MEDIAN:
                s = s.fillna(s.median() if s.notna().any() else 0.0)
            values[c.key] = s
            weights[c.key] = pd.Series(c.weight, index=df.index).where(
                ~(missing & (c.missing is MissingPolicy.EXCLUDE)), 0.0
            )
        w = pd.DataFrame(weights)
        total = w.sum(axis=1)
        eff = w.div(total.where(total > 0), axis=0).fillna(0.0)
        score = (eff * pd.DataFrame(values).fillna(0.0)).sum(axis=1)
        df[axis] = score.clip(0, 1).round(12)
    high_a = df.attractiveness >= threshold
    high_s = df.strength >= threshold
    df["quadrant"] = np.select(
        [high_a & high_s, high_a & ~high_s, ~high_a & high_s], [0, 1, 2], default=3
    )


def _select(df: Any, programme: Programme) -> list[str]:
    eligible = df[df.in_strategic] if programme.segments else df
    ranked = eligible.sort_values(["attractiveness", "external_id"], ascending=[False, True])
    chosen = ranked.head(programme.capacity.effective_max)
    df["selected"] = df.index.isin(chosen.index)
    return list(chosen.external_id)


def _tiers(pf: PortfolioFrame, programme: Programme, df: Any) -> None:
    a = pf.accounts
    countries = np.array([a.country_labels[c].casefold() if c >= 0 else "" for c in a.country])
    units = np.array(
        [a.business_unit_labels[c].casefold() if c >= 0 else "" for c in a.business_unit]
    )
    tier = np.full(len(df), TIER_NAMES.index("bronze"))
    free = np.ones(len(df), dtype=bool)
    for rule in programme.tier_rules:
        match = free.copy()
        if rule.scope:
            prefix, _, value = rule.scope.partition(":")
            labels = countries if prefix.strip().casefold() == "country" else units
            match &= labels == value.strip().casefold()
        if rule.key_account is not None:
            match &= df.selected.to_numpy() == rule.key_account
        if rule.quadrants is not None:
            codes = [QUADRANT_NAMES.index(q) for q in rule.quadrants]
            match &= df.quadrant.isin(codes).to_numpy()
        if rule.min_revenue_ttm is not None:
            match &= (df.revenue_ttm >= rule.min_revenue_ttm).to_numpy()
        if rule.min_potential is not None:
            match &= (df.potential >= rule.min_potential).to_numpy()
        tier[match] = TIER_NAMES.index(rule.tier)
        free &= ~match
    df["tier"] = tier


def pandas_analyse(pf: PortfolioFrame, programme: Programme) -> PandasResult:
    """Run KPIs, segments, matrix, selection and tiers with pandas (default options)."""
    df = _account_kpis(pf, programme)
    segs = _segments(pf, programme, df)
    _matrix(df, programme)
    selected = _select(df, programme)
    _tiers(pf, programme, df)
    return PandasResult(accounts=df, segments=segs, selected=selected)


def _median_time(fn: Any, runs: int) -> tuple[float, float]:
    """Return the median wall time and the median CPU time of ``runs`` calls."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    """Time the numpy core against this pandas baseline on a synthetic portfolio."""
    from kambot.core.analyse import analyse_portfolio
    from kambot.core.synthetic import synthetic_portfolio, synthetic_programme

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--revenue", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=300_000)
    parser.add_argument("--activities", type=int, default=300_000)
    parser.add_argument("--initiatives", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pandas-runs", type=int, default=3)
    args = parser.parse_args()

    pf = synthetic_portfolio(
        args.accounts,
        args.opportunities,
        n_revenue=args.revenue,
        n_contacts=args.contacts,
        n_activities=args.activities,
        n_initiatives=args.initiatives,
        seed=1,
    )
    programme = synthetic_programme()
    analyse_portfolio(pf, programme)  # warm-up: imports, first-touch page faults
    core, core_cpu = _median_time(lambda: analyse_portfolio(pf, programme), args.runs)
    baseline, baseline_cpu = _median_time(lambda: pandas_analyse(pf, programme), args.pandas_runs)
    same = pandas_analyse(pf, programme).selected == [
        s.external_id for s in analyse_portfolio(pf, programme).selection_result.selected
    ]
    print(
        f"{args.accounts:,} accounts, {args.opportunities:,} opportunities, "
        f"{args.revenue:,} revenue rows, {args.contacts:,} contacts, "
        f"{args.activities:,} activities"
    )
    print(
        f"analyse_portfolio (numpy core): median {core * 1000:.0f} ms wall, "
        f"{core_cpu * 1000:.0f} ms CPU, {args.runs} runs"
    )
    print(
        f"pandas baseline: median {baseline * 1000:.0f} ms wall, "
        f"{baseline_cpu * 1000:.0f} ms CPU, {args.pandas_runs} runs"
    )
    print(f"ratio pandas / core (wall): {baseline / core:.1f}x; same selection: {same}")


if __name__ == "__main__":
    main()
