"""Portfolio-wide results: segmentation, selection, tiers, programme KPIs, scenarios.

Each answer depends on the analysis alone (and its query), not on who asks: it is
serialised once per analysis and then served from memory (:func:`api.deps.analysis_answer`)
until the data changes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from api.deps import PortfolioReaderDep, analysis_answer
from api.schemas import Segmentation, Selection, Tiers
from api.stored_answers import stored_answer
from kambot.domain.analysis import ProgrammeKPIs, ScenarioSet

# Portfolio-wide analyses: executives, programme leads and admins (403 for KAM and HR).
router = APIRouter(tags=["portfolio"])


@stored_answer
@router.get("/segmentation", response_model=Segmentation)
async def segmentation(_: PortfolioReaderDep, request: Request) -> Response:
    """Rank strategic segments and count accounts per quadrant."""

    def build(analysis: Any) -> bytes:
        return Segmentation(segments=analysis.segments.rankings,
                            quadrants=analysis.matrix.quadrant_counts()
                            ).model_dump_json().encode()

    return await analysis_answer(request, ("segmentation",), build)


@stored_answer
@router.get("/selection", response_model=Selection)
async def selection(
    _: PortfolioReaderDep, request: Request, sensitivity: Annotated[bool, Query()] = False
) -> Response:
    """Return the key-account selection with rationale and runners-up."""

    def build(analysis: Any) -> bytes:
        return Selection(selection=analysis.selection_result,
                         sensitivity=analysis.sensitivity() if sensitivity else None
                         ).model_dump_json().encode()

    return await analysis_answer(request, ("selection", sensitivity), build)


@stored_answer
@router.get("/tiers", response_model=Tiers)
async def tiers(
    _: PortfolioReaderDep,
    request: Request,
    by: Annotated[Literal["country", "bu"] | None, Query()] = None,
    accounts: Annotated[bool, Query(description="include every account's tier")] = False,
) -> Response:
    """Return tier counts (overall, per country or per business unit)."""

    def build(analysis: Any) -> bytes:
        items = ([analysis.tier_assignment(x) for x in analysis.portfolio.accounts.external_ids]
                 if accounts else [])
        return Tiers(summary=analysis.tier_summary(by), accounts=items).model_dump_json().encode()

    return await analysis_answer(request, ("tiers", by, accounts), build)


@stored_answer
@router.get("/kpis", response_model=ProgrammeKPIs)
async def programme_kpis(_: PortfolioReaderDep, request: Request) -> Response:
    """Return the programme KPIs (performance, ramp-up, maturity, building blocks)."""
    return await analysis_answer(
        request, ("kpis",), lambda analysis: analysis.programme_kpis().model_dump_json().encode())


@stored_answer
@router.get("/scenarios", response_model=ScenarioSet)
async def programme_scenarios(_: PortfolioReaderDep, request: Request) -> Response:
    """Return the programme's base, upside and downside over three years."""
    return await analysis_answer(
        request, ("programme-scenarios",),
        lambda analysis: analysis.programme_scenarios().model_dump_json().encode())
