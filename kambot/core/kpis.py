"""Account KPIs, vectorised over every account at once.

Definitions (all as of ``portfolio.as_of``; rows dated after it are ignored):

- **TTM revenue**: sum of the revenue of the twelve last *complete* calendar months. The
  month of ``as_of`` counts as complete only when ``as_of`` is its last day; otherwise
  the window ends with the previous month. **Previous 12 months**: the twelve before.
- **Revenue by year**: calendar-year totals for the ``revenue_years`` years ending with
  the year of ``as_of`` (the current year is year to date, up to the month of ``as_of``).
- **Growth**: TTM / previous 12 months - 1; undefined (None) when the previous 12 months
  are zero or negative.
- **Share of wallet**: TTM / (potential / 3) -- potential is the 3-year spend available
  to any supplier, so potential/3 is the yearly wallet. Undefined without a positive
  potential; not clipped (above 1 means the potential is underestimated).
- **Margin**: the account's margin percentage; ``margin_ttm`` = TTM x margin% / 100.
- **Open pipeline**: value of open opportunities created on or before ``as_of``
  (opportunities with no value are counted in ``open_without_value``, not summed).
  **Weighted pipeline**: value x probability; a missing probability takes
  ``KpiConfig.default_open_probability`` (0.3 by default, counted in
  ``probability_defaulted``). Won deals count 1 and lost deals 0 by definition, so only
  open opportunities carry a default.
- **Pipeline coverage**: weighted open pipeline / (TTM x programme.revenue_target_growth),
  i.e. how many times the pipeline covers the growth target; undefined when TTM or the
  target is not positive.
- **Win rate**: won / (won + lost), by count, over deals closed on or before ``as_of``
  (or with no close date). **Average won deal**: mean value of won deals with a value.
- **Sales cycle**: the *median* (default; ``sales_cycle="mean"`` for the mean) number of
  days from creation to close of won deals with both dates; the median resists the
  few deals that stay open for years.
- **Buying-centre coverage**: share of four roles covered -- executive sponsor assigned
  on our side, and a decision maker, a champion and an economic buyer mapped among
  the customer's contacts.
- **Last executive contact**: the latest of (a) ``last_contact`` of contacts whose level
  is c_level or vp and (b) executive_meeting / sponsor_meeting activities.
- **Open escalations**: escalation activities not resolved on or before ``as_of``;
  *overdue* when open for longer than ``programme.escalation_target_days``. Resolved
  ones are *within target* when resolved in at most that many days.
- **Sponsor meetings (12 months)**: sponsor_meeting activities in the 365 days to as_of.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Literal

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
    FloatArray,
    IntArray,
    PortfolioFrame,
    month_index,
)
from kambot.core.grouping import (
    BoolArray,
    code_counts,
    finite_or_none,
    group_count,
    group_max_int,
    group_mean,
    group_median_int,
    group_sum,
    in_codes,
    safe_div,
    weighted_bincount,
)
from kambot.domain.analysis import AccountKPIs, BuyingCentreCoverage
from kambot.domain.programme import Programme
from kambot.errors import DataError

ESCALATION = ACTIVITY_CODES.index("escalation")
SPONSOR_MEETING = ACTIVITY_CODES.index("sponsor_meeting")


@dataclass(frozen=True)
class KpiConfig:
    """Parameters of the account KPIs (defaults are the documented ones)."""

    default_open_probability: float = 0.3
    executive_levels: tuple[str, ...] = ("c_level", "vp")
    executive_activities: tuple[str, ...] = ("executive_meeting", "sponsor_meeting")
    sales_cycle: Literal["median", "mean"] = "median"
    revenue_years: int = 4
    sponsor_meeting_window_days: int = 365

    def __post_init__(self) -> None:
        if not 0.0 <= self.default_open_probability <= 1.0:
            raise DataError(
                f"default_open_probability is {self.default_open_probability}, not within 0..1",
                hint="give the probability of an open deal as a fraction, e.g. 0.3",
            )
        if self.revenue_years < 1:
            raise DataError("revenue_years must be at least 1", hint="use 4 for 3 full years + YTD")
        unknown = [x for x in self.executive_levels if x not in LEVEL_CODES]
        unknown += [x for x in self.executive_activities if x not in ACTIVITY_CODES]
        if unknown:
            raise DataError(
                f"unknown executive level or activity kind: {', '.join(unknown)}",
                hint=f"levels: {', '.join(LEVEL_CODES)}; activities: {', '.join(ACTIVITY_CODES)}",
            )


@dataclass(frozen=True)
class AccountKpiTable:
    """Account KPIs as numpy columns (one row per account, NaN = undefined).

    Use :meth:`row` for the pydantic view of one account, where NaN becomes None.
    """

    as_of: date
    ids: IntArray
    external_ids: list[str]
    names: list[str]
    ttm_months: tuple[int, int]  # first and last month index of the TTM window
    years: tuple[int, ...]
    revenue_ttm: FloatArray
    revenue_prev12: FloatArray
    revenue_growth: FloatArray
    revenue_by_year: FloatArray  # (n, len(years))
    share_of_wallet: FloatArray
    margin_pct: FloatArray
    margin_ttm: FloatArray
    open_opportunities: IntArray
    open_pipeline: FloatArray
    weighted_pipeline: FloatArray
    open_without_value: IntArray
    probability_defaulted: IntArray
    pipeline_coverage: FloatArray
    won: IntArray
    lost: IntArray
    win_rate: FloatArray
    average_won_deal: FloatArray
    sales_cycle_days: FloatArray
    has_sponsor: BoolArray
    has_decision_maker: BoolArray
    has_champion: BoolArray
    has_economic_buyer: BoolArray
    buying_centre_coverage: FloatArray
    last_executive_contact: IntArray  # ordinal or NO_DATE
    days_since_executive_contact: FloatArray
    relationship_stage: FloatArray
    satisfaction: FloatArray
    initiatives: IntArray  # (n, len(INITIATIVE_CODES))
    open_escalations: IntArray
    overdue_escalations: IntArray  # open for longer than the escalation target
    escalations_resolved: IntArray
    escalations_within_target: IntArray
    escalation_target_days: int
    sponsor_meetings_12m: IntArray
    resources_requested: FloatArray
    resources_committed: FloatArray
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.external_ids)

    def row(self, i: int) -> AccountKPIs:
        """Return the KPIs of the account at position ``i`` as a pydantic model."""
        last = int(self.last_executive_contact[i])
        days = self.days_since_executive_contact[i]
        return AccountKPIs(
            account_id=int(self.ids[i]),
            external_id=self.external_ids[i],
            name=self.names[i],
            as_of=self.as_of,
            revenue_ttm=float(self.revenue_ttm[i]),
            revenue_previous_12m=float(self.revenue_prev12[i]),
            revenue_growth=finite_or_none(self.revenue_growth[i]),
            revenue_by_year={
                y: float(self.revenue_by_year[i, k]) for k, y in enumerate(self.years)
            },
            share_of_wallet=finite_or_none(self.share_of_wallet[i]),
            margin_pct=finite_or_none(self.margin_pct[i]),
            margin_ttm=finite_or_none(self.margin_ttm[i]),
            open_opportunities=int(self.open_opportunities[i]),
            open_pipeline=float(self.open_pipeline[i]),
            weighted_pipeline=float(self.weighted_pipeline[i]),
            open_without_value=int(self.open_without_value[i]),
            probability_defaulted=int(self.probability_defaulted[i]),
            pipeline_coverage=finite_or_none(self.pipeline_coverage[i]),
            won=int(self.won[i]),
            lost=int(self.lost[i]),
            win_rate=finite_or_none(self.win_rate[i]),
            average_won_deal=finite_or_none(self.average_won_deal[i]),
            sales_cycle_days=finite_or_none(self.sales_cycle_days[i]),
            buying_centre=BuyingCentreCoverage(
                executive_sponsor=bool(self.has_sponsor[i]),
                decision_maker=bool(self.has_decision_maker[i]),
                champion=bool(self.has_champion[i]),
                economic_buyer=bool(self.has_economic_buyer[i]),
                coverage=float(self.buying_centre_coverage[i]),
            ),
            last_executive_contact=None if last == NO_DATE else date.fromordinal(last),
            days_since_executive_contact=None if np.isnan(days) else int(days),
            relationship_stage=finite_or_none(self.relationship_stage[i]),
            satisfaction=finite_or_none(self.satisfaction[i]),
            initiatives={s: int(self.initiatives[i, k]) for k, s in enumerate(INITIATIVE_CODES)},
            open_escalations=int(self.open_escalations[i]),
            overdue_escalations=int(self.overdue_escalations[i]),
            sponsor_meetings_12m=int(self.sponsor_meetings_12m[i]),
            resources_requested=float(self.resources_requested[i]),
            resources_committed=float(self.resources_committed[i]),
        )

    def index_of(self, external_id: str) -> int:
        """Return the position of an account by external id.

        Raises:
            DataError: when no account has that external id.
        """
        position = self._positions.get(external_id)
        if position is None:
            raise DataError(
                f"no account with external id {external_id!r} in this analysis",
                hint="check the id, or re-run the analysis after importing the account",
            )
        return position

    @cached_property
    def _positions(self) -> dict[str, int]:
        # Built once on first lookup: callers often look up every account in turn.
        return {ext: i for i, ext in enumerate(self.external_ids)}


def last_complete_month(as_of: date) -> int:
    """Return the month index of the last complete calendar month on ``as_of``."""
    last_day = calendar.monthrange(as_of.year, as_of.month)[1]
    current = month_index(as_of)
    return current if as_of.day == last_day else current - 1


def _revenue(
    portfolio: PortfolioFrame, config: KpiConfig
) -> tuple[FloatArray, FloatArray, FloatArray, tuple[int, ...], tuple[int, int]]:
    n = len(portfolio.accounts)
    rev = portfolio.revenue
    idx, month = rev.account_idx, rev.month
    amount = rev.amount
    if np.isnan(amount).any():
        amount = np.where(np.isnan(amount), 0.0, amount)

    # Rows outside a window go to a spare bin per account instead of being filtered
    # out: one bincount over all rows is cheaper than compacting them with masks.
    last = last_complete_month(portfolio.as_of)
    back = last - month
    bucket = np.where((back >= 0) & (back < 24), back // 12, 2)  # 0 TTM, 1 previous, 2 other
    both = weighted_bincount(idx * 3 + bucket, amount, 3 * n).reshape(n, 3)

    first_year = portfolio.as_of.year - config.revenue_years + 1
    years = tuple(range(first_year, portfolio.as_of.year + 1))
    n_years = len(years)
    year_off = month // 12 - first_year
    valid = (year_off >= 0) & (year_off < n_years) & (month <= month_index(portfolio.as_of))
    year_off = np.where(valid, year_off, n_years)
    width = n_years + 1
    by_year = weighted_bincount(idx * width + year_off, amount, n * width).reshape(n, width)
    return (
        both[:, 0].copy(),
        both[:, 1].copy(),
        np.ascontiguousarray(by_year[:, :n_years]),
        years,
        (last - 11, last),
    )


def compute_account_kpis(
    portfolio: PortfolioFrame, programme: Programme, config: KpiConfig | None = None
) -> AccountKpiTable:
    """Compute every account KPI for every account of the portfolio in one pass per frame.

    Args:
        portfolio: the columnar portfolio, as of its ``as_of`` date.
        programme: supplies ``revenue_target_growth`` and ``escalation_target_days``.
        config: KPI parameters; the documented defaults when None.

    Returns:
        An :class:`AccountKpiTable`; undefined figures are NaN there and None in
        :meth:`AccountKpiTable.row`.
    """
    cfg = config or KpiConfig()
    accounts = portfolio.accounts
    n = len(accounts)
    as_ord = portfolio.as_of.toordinal()
    notes: list[str] = []

    ttm, prev12, by_year, years, ttm_months = _revenue(portfolio, cfg)
    prev_ok = np.where(prev12 > 0, prev12, np.nan)
    growth = safe_div(ttm, prev_ok) - 1.0
    wallet = np.where(accounts.potential > 0, accounts.potential / 3.0, np.nan)
    share_of_wallet = safe_div(ttm, wallet)
    margin_ttm = ttm * accounts.margin_pct / 100.0

    # --- opportunities: one code per row (state x has value x has probability) so that
    # every count is one bincount; rows that do not count go to state 3.
    opp = portfolio.opportunities
    exists = (opp.created_on == NO_DATE) | (opp.created_on <= as_ord)
    closed_ok = (opp.closed_on == NO_DATE) | (opp.closed_on <= as_ord)
    is_open = (opp.stage == OPP_OPEN) & exists
    is_won = (opp.stage == OPP_WON) & closed_ok
    is_lost = (opp.stage == OPP_LOST) & closed_ok
    # OPP_OPEN/WON/LOST are 0/1/2, so the stage itself is the state when the row counts.
    state = np.where(is_open | is_won | is_lost, opp.stage, 3)
    has_value = ~np.isnan(opp.value)
    no_prob = np.isnan(opp.probability)
    code = state * 4 + has_value * 2 + no_prob
    counts = np.bincount(opp.account_idx * 16 + code, minlength=16 * n)[: 16 * n].reshape(n, 16)
    open_count = counts[:, 0:4].sum(axis=1)
    open_without_value = counts[:, 0] + counts[:, 1]
    prob_defaulted = counts[:, 1] + counts[:, 3]
    won = counts[:, 4:8].sum(axis=1)
    won_valued_count = counts[:, 6] + counts[:, 7]
    lost = counts[:, 8:12].sum(axis=1)

    value = np.where(has_value, opp.value, 0.0)
    prob = np.where(no_prob, cfg.default_open_probability, np.clip(opp.probability, 0.0, 1.0))
    by_state = opp.account_idx * 4 + state
    sums = weighted_bincount(by_state, value, 4 * n).reshape(n, 4)
    open_pipeline = sums[:, 0].copy()
    won_sum = sums[:, 1].copy()
    weighted = weighted_bincount(by_state, value * prob, 4 * n).reshape(n, 4)[:, 0].copy()

    target = programme.revenue_target_growth
    if target > 0:
        coverage_den = np.where(ttm > 0, ttm * target, np.nan)
        pipeline_coverage = safe_div(weighted, coverage_den)
    else:
        pipeline_coverage = np.full(n, np.nan)
        notes.append(
            "pipeline coverage is undefined: programme.revenue_target_growth is not positive"
        )

    win_rate = safe_div(won.astype(np.float64), (won + lost).astype(np.float64))
    average_won = safe_div(won_sum, won_valued_count.astype(np.float64))

    dated = (
        is_won
        & (opp.created_on != NO_DATE)
        & (opp.closed_on != NO_DATE)
        & (opp.closed_on >= opp.created_on)
    )
    cycle_idx = opp.account_idx[dated]
    cycle_days = opp.closed_on[dated] - opp.created_on[dated]
    if cfg.sales_cycle == "median":
        sales_cycle = group_median_int(cycle_idx, cycle_days, n)
    else:
        sales_cycle = group_mean(cycle_idx, cycle_days.astype(np.float64), n)

    # --- buying centre and executive contact
    con = portfolio.contacts
    roles = code_counts(con.account_idx, con.role, n, len(ROLE_CODES)) > 0
    has_dm = roles[:, ROLE_CODES.index("decision_maker")]
    has_champion = roles[:, ROLE_CODES.index("champion")]
    has_eb = roles[:, ROLE_CODES.index("economic_buyer")]
    has_sponsor = accounts.sponsor >= 0
    coverage = (
        has_sponsor.astype(np.float64)
        + has_dm.astype(np.float64)
        + has_champion.astype(np.float64)
        + has_eb.astype(np.float64)
    ) / 4.0

    exec_levels = np.array([LEVEL_CODES.index(x) for x in cfg.executive_levels], dtype=np.int64)
    exec_contact = (
        in_codes(con.level, exec_levels)
        & (con.last_contact != NO_DATE)
        & (con.last_contact <= as_ord)
    )
    last_exec = group_max_int(
        con.account_idx[exec_contact], con.last_contact[exec_contact], n, NO_DATE
    )

    act = portfolio.activities
    valid_act = (act.occurred_on != NO_DATE) & (act.occurred_on <= as_ord)
    exec_kinds = np.array(
        [ACTIVITY_CODES.index(x) for x in cfg.executive_activities], dtype=np.int64
    )
    exec_act = valid_act & in_codes(act.kind, exec_kinds)
    last_exec = np.maximum(
        last_exec,
        group_max_int(act.account_idx[exec_act], act.occurred_on[exec_act], n, NO_DATE),
    )
    days_since = np.where(last_exec == NO_DATE, np.nan, (as_ord - last_exec).astype(np.float64))

    # Escalations: 0 open, 1 open and overdue, 2 resolved within target, 3 resolved late,
    # 4 not an escalation -- one bincount for the four counts.
    escalation = valid_act & (act.kind == ESCALATION)
    unresolved = (act.resolved_on == NO_DATE) | (act.resolved_on > as_ord)
    target_days = programme.escalation_target_days
    overdue_row = as_ord - act.occurred_on > target_days
    within_row = act.resolved_on - act.occurred_on <= target_days
    esc_code = np.where(
        escalation,
        np.where(unresolved, np.where(overdue_row, 1, 0), np.where(within_row, 2, 3)),
        4,
    )
    esc = np.bincount(act.account_idx * 5 + esc_code, minlength=5 * n)[: 5 * n].reshape(n, 5)
    open_esc = esc[:, 0] + esc[:, 1]
    overdue = esc[:, 1].copy()
    esc_resolved = esc[:, 2] + esc[:, 3]
    esc_within = esc[:, 2].copy()
    sponsor_meet = (
        valid_act
        & (act.kind == SPONSOR_MEETING)
        & (act.occurred_on > as_ord - cfg.sponsor_meeting_window_days)
    )
    sponsor_meetings = group_count(act.account_idx, n, sponsor_meet)

    # --- initiatives
    ini = portfolio.initiatives
    initiatives = code_counts(ini.account_idx, ini.status, n, len(INITIATIVE_CODES))
    requested = group_sum(ini.account_idx, ini.resources_requested, n)
    committed = group_sum(ini.account_idx, ini.resources_committed, n)

    return AccountKpiTable(
        as_of=portfolio.as_of,
        ids=accounts.ids,
        external_ids=accounts.external_ids,
        names=accounts.names,
        ttm_months=ttm_months,
        years=years,
        revenue_ttm=ttm,
        revenue_prev12=prev12,
        revenue_growth=growth,
        revenue_by_year=by_year,
        share_of_wallet=share_of_wallet,
        margin_pct=accounts.margin_pct,
        margin_ttm=margin_ttm,
        open_opportunities=open_count,
        open_pipeline=open_pipeline,
        weighted_pipeline=weighted,
        open_without_value=open_without_value,
        probability_defaulted=prob_defaulted,
        pipeline_coverage=pipeline_coverage,
        won=won,
        lost=lost,
        win_rate=win_rate,
        average_won_deal=average_won,
        sales_cycle_days=sales_cycle,
        has_sponsor=has_sponsor,
        has_decision_maker=has_dm,
        has_champion=has_champion,
        has_economic_buyer=has_eb,
        buying_centre_coverage=coverage,
        last_executive_contact=last_exec,
        days_since_executive_contact=days_since,
        relationship_stage=accounts.relationship_stage,
        satisfaction=accounts.satisfaction,
        initiatives=initiatives,
        open_escalations=open_esc,
        overdue_escalations=overdue,
        escalations_resolved=esc_resolved,
        escalations_within_target=esc_within,
        escalation_target_days=target_days,
        sponsor_meetings_12m=sponsor_meetings,
        resources_requested=requested,
        resources_committed=committed,
        notes=notes,
    )
