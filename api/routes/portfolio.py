"""Portfolio-wide results: segmentation, selection, tiers, programme KPIs, scenarios."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import PortfolioReaderDep, ServiceDep
from api.schemas import Segmentation, Selection, Tiers
from kambot.domain.analysis import ProgrammeKPIs, ScenarioSet

# Portfolio-wide analyses: executives, programme leads and admins (403 for KAM and HR).
router = APIRouter(tags=["portfolio"])


@router.get("/segmentation", response_model=Segmentation)
def segmentation(_: PortfolioReaderDep, service: ServiceDep) -> Segmentation:
    """Rank strategic segments and count accounts per quadrant."""
    analysis = service.analysis()
    return Segmentation(segments=analysis.segments.rankings,
                        quadrants=analysis.matrix.quadrant_counts())


@router.get("/selection", response_model=Selection)
def selection(
    _: PortfolioReaderDep,
    service: ServiceDep, sensitivity: Annotated[bool, Query()] = False
) -> Selection:
    """Return the key-account selection with rationale and runners-up."""
    analysis = service.analysis()
    return Selection(selection=analysis.selection_result,
                     sensitivity=analysis.sensitivity() if sensitivity else None)


@router.get("/tiers", response_model=Tiers)
def tiers(
    _: PortfolioReaderDep,
    service: ServiceDep,
    by: Annotated[Literal["country", "bu"] | None, Query()] = None,
    accounts: Annotated[bool, Query(description="include every account's tier")] = False,
) -> Tiers:
    """Return tier counts (overall, per country or per business unit)."""
    analysis = service.analysis()
    items = ([analysis.tier_assignment(x) for x in analysis.portfolio.accounts.external_ids]
             if accounts else [])
    return Tiers(summary=analysis.tier_summary(by), accounts=items)


@router.get("/kpis", response_model=ProgrammeKPIs)
def programme_kpis(_: PortfolioReaderDep, service: ServiceDep) -> ProgrammeKPIs:
    """Return the programme KPIs (performance, ramp-up, maturity, building blocks)."""
    return service.analysis().programme_kpis()


@router.get("/scenarios", response_model=ScenarioSet)
def programme_scenarios(_: PortfolioReaderDep, service: ServiceDep) -> ScenarioSet:
    """Return the programme's base, upside and downside over three years."""
    return service.analysis().programme_scenarios()
