"""One entry point for the portfolio analysis: segments, matrix, selection, tiers, KPIs.

:func:`analyse_portfolio` runs, in this order: the account KPIs (revenue, pipeline,
coverage... -- the matrix criteria use them), the segmentation (strategic segments
first), the attractiveness x strength matrix, the key-account selection under capacity
and the service tiers. It returns a :class:`PortfolioAnalysis` holding columnar results
for bulk use, with methods giving pydantic views of one account, and the slower extras
(weight sensitivity, programme KPIs, scenarios) on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kambot.core.checks import validate_portfolio
from kambot.core.frames import PortfolioFrame
from kambot.core.grouping import BoolArray
from kambot.core.kpis import AccountKpiTable, KpiConfig, compute_account_kpis
from kambot.core.matrix import MatrixTable, build_matrix
from kambot.core.programme_kpis import ProgrammeKpiConfig, compute_programme_kpis
from kambot.core.scenarios import ScenarioConfig, ScenarioTable, project_scenarios
from kambot.core.segmentation import SegmentationConfig, SegmentTable, rank_segments
from kambot.core.selection import SelectionConfig, SelectionTable, select_key_accounts
from kambot.core.sensitivity import weight_sensitivity
from kambot.core.tiers import TierTable, assign_tiers, summarise_tiers
from kambot.domain.analysis import (
    AccountKPIs,
    AccountScore,
    ProgrammeKPIs,
    ScenarioSet,
    SelectionResult,
    SensitivityReport,
    TierAssignment,
    TierSummary,
)
from kambot.domain.programme import Programme

KeySource = Literal["current", "selection"]


@dataclass(frozen=True)
class AnalysisOptions:
    """Parameters of :func:`analyse_portfolio` (documented defaults everywhere)."""

    segmentation: SegmentationConfig = field(default_factory=SegmentationConfig)
    matrix_threshold: float = 0.5
    selection: SelectionConfig = field(default_factory=SelectionConfig)
    kpis: KpiConfig = field(default_factory=KpiConfig)
    tier_key_accounts: KeySource = "selection"
    validate: bool = True


@dataclass(frozen=True)
class PortfolioAnalysis:
    """Everything :func:`analyse_portfolio` computed, as columns, with per-account views."""

    portfolio: PortfolioFrame
    programme: Programme
    options: AnalysisOptions
    kpis: AccountKpiTable
    segments: SegmentTable
    matrix: MatrixTable
    selection: SelectionTable
    selection_result: SelectionResult
    tiers: TierTable
    notes: list[str]

    def index_of(self, external_id: str) -> int:
        """Return the position of an account by external id.

        Raises:
            DataError: when no account has that external id.
        """
        return self.kpis.index_of(external_id)

    def key_mask(self, source: KeySource | None = None) -> BoolArray:
        """Return the key-account mask: the frame's flags or the proposed selection.

        ``None`` means the frame's flags when any account is flagged, else the selection.
        """
        if (source or self._default_key_source()) == "current":
            return self.portfolio.accounts.is_key_account.astype(bool)
        return self.selection.selected

    def _default_key_source(self) -> KeySource:
        return "current" if self.portfolio.accounts.is_key_account.any() else "selection"

    def account_score(self, external_id: str) -> AccountScore:
        """Return one account's matrix position with every criterion's contribution."""
        i = self.index_of(external_id)
        return self.matrix.account_score(i, self.segments.segment_key(i))

    def account_kpis(self, external_id: str) -> AccountKPIs:
        """Return one account's KPIs."""
        return self.kpis.row(self.index_of(external_id))

    def tier_assignment(self, external_id: str) -> TierAssignment:
        """Return one account's service tier and the rule that gave it."""
        i = self.index_of(external_id)
        a = self.portfolio.accounts
        return self.tiers.assignment(i, int(a.ids[i]), a.external_ids[i], a.names[i])

    def tier_summary(self, by: str | None = None) -> list[TierSummary]:
        """Return tier counts overall or per ``country`` / ``bu``."""
        return summarise_tiers(self.tiers, self.portfolio.accounts, by)

    def sensitivity(self, step: float = 0.2) -> SensitivityReport:
        """Return which accounts enter or leave the selection when weights move by step."""
        return weight_sensitivity(
            self.matrix, self.selection, self.options.selection.strength_blend, step
        )

    def programme_kpis(
        self, key_accounts: KeySource | None = None, config: ProgrammeKpiConfig | None = None
    ) -> ProgrammeKPIs:
        """Return the programme KPIs over the current key accounts or the selection.

        ``None`` means the frame's key-account flags when any account is flagged, else the
        selection. Tiers follow the same key accounts, so that sponsor meetings are planned
        by the tiers those accounts would have.
        """
        source = key_accounts or self._default_key_source()
        mask = self.key_mask(source)
        tiers = self.tiers
        if source != self.options.tier_key_accounts:
            tiers = assign_tiers(
                self.portfolio.accounts,
                self.programme.tier_rules,
                mask,
                self.matrix.quadrant,
                self.kpis.revenue_ttm,
            )
        return compute_programme_kpis(
            self.portfolio,
            self.programme,
            self.kpis,
            tiers,
            key_mask=mask,
            key_source=source,
            config=config,
        )

    def scenarios(self, config: ScenarioConfig | None = None) -> ScenarioTable:
        """Return the base / upside / downside projections of every account."""
        return project_scenarios(
            self.kpis,
            self.portfolio.accounts.potential,
            self.programme.share_of_wallet_target,
            config,
        )

    def account_scenarios(
        self, external_id: str, config: ScenarioConfig | None = None
    ) -> ScenarioSet:
        """Return one account's scenarios with their assumptions."""
        return self.scenarios(config).account(self.index_of(external_id))

    def programme_scenarios(
        self, key_accounts: KeySource | None = None, config: ScenarioConfig | None = None
    ) -> ScenarioSet:
        """Return the scenarios summed over the key accounts."""
        return self.scenarios(config).aggregate(self.key_mask(key_accounts), "programme")


def analyse_portfolio(
    portfolio: PortfolioFrame, programme: Programme, options: AnalysisOptions | None = None
) -> PortfolioAnalysis:
    """Run account KPIs, segmentation, matrix, selection and tiers in one go.

    Args:
        portfolio: the columnar portfolio as of a date.
        programme: the programme (segments, criteria, capacity, tier rules, targets).
        options: parameters of every step; documented defaults when None.

    Returns:
        The :class:`PortfolioAnalysis`.

    Raises:
        DataError: for an inconsistent frame or an unusable programme setting (unknown
            metric, scale criterion without scale, bad tier scope...).
    """
    opts = options or AnalysisOptions()
    if opts.validate:
        validate_portfolio(portfolio)
    accounts = portfolio.accounts
    kpis = compute_account_kpis(portfolio, programme, opts.kpis)
    segments = rank_segments(accounts, programme, kpis.revenue_ttm, opts.segmentation)
    matrix = build_matrix(accounts, programme, kpis, segments.fit, opts.matrix_threshold)
    selection, result = select_key_accounts(matrix, segments, programme.capacity, opts.selection)
    key = selection.selected if opts.tier_key_accounts == "selection" else accounts.is_key_account
    tiers = assign_tiers(
        accounts, programme.tier_rules, key.astype(bool), matrix.quadrant, kpis.revenue_ttm
    )
    notes = [*kpis.notes, *matrix.notes, *result.notes, *tiers.notes]
    return PortfolioAnalysis(
        portfolio=portfolio,
        programme=programme,
        options=opts,
        kpis=kpis,
        segments=segments,
        matrix=matrix,
        selection=selection,
        selection_result=result,
        tiers=tiers,
        notes=notes,
    )
