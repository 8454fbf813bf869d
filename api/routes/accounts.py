"""Accounts: list with quadrant, tier and headline KPIs; one account in full."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import (
    AccountReaderDep,
    PrincipalDep,
    ServiceDep,
    fresh_analysis,
    resolve_account_async,
    responses_for,
    service_dependency,
)
from api.schemas import AccountDetail, AccountPage, AccountSummary
from kambot.auth import access
from kambot.domain.analysis import ScenarioSet

router = APIRouter(prefix="/accounts", tags=["accounts"])


def _opt(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


@router.get("", response_model=AccountPage)
def list_accounts(
    principal: AccountReaderDep,
    service: ServiceDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    quadrant: str | None = None,
    tier: str | None = None,
    selected: bool | None = None,
) -> AccountPage:
    """List the accounts in the caller's scope by revenue, filtered by quadrant, tier or
    selection (HR sees no account: 403)."""
    from kambot.core.matrix import QUADRANTS
    from kambot.core.tiers import TIERS

    analysis = service.analysis()
    a = analysis.portfolio.accounts
    k = analysis.kpis
    order = sorted(range(len(a)), key=lambda i: (-float(k.revenue_ttm[i]), a.external_ids[i]))
    items: list[AccountSummary] = []
    for i in order:
        if not principal.can_see_account(int(a.ids[i])):
            continue
        q = QUADRANTS[int(analysis.matrix.quadrant[i])].value
        tr = TIERS[int(analysis.tiers.tier[i])].value
        sel = bool(analysis.selection.selected[i])
        if (quadrant and q != quadrant) or (tier and tr != tier) or (
            selected is not None and sel != selected
        ):
            continue
        items.append(AccountSummary(
            id=int(a.ids[i]), external_id=a.external_ids[i], name=a.names[i],
            segment=analysis.segments.segment_key(i), quadrant=q,
            attractiveness=float(analysis.matrix.attractiveness[i]),
            strength=float(analysis.matrix.strength[i]), tier=tr,
            key_account=bool(a.is_key_account[i]), selected=sel,
            revenue_ttm=float(k.revenue_ttm[i]), revenue_growth=_opt(k.revenue_growth[i]),
            share_of_wallet=_opt(k.share_of_wallet[i]), potential=_opt(a.potential[i]),
        ))
    return AccountPage(total=len(items), offset=offset, limit=limit,
                       items=items[offset:offset + limit])


@router.get("/{account}", response_model=AccountDetail)
async def get_account(account: str, request: Request, principal: PrincipalDep) -> Response:
    """Return one account's KPIs, matrix position and tier (by external id, id or name).

    An account outside the caller's scope answers 404, like an unknown one.
    """
    # The role check and the service are here rather than injected: on this hot path
    # each dependency FastAPI resolves costs about as much as the route's own work.
    access.require_account_reader(principal)
    service = await service_dependency(request)
    analysis = await fresh_analysis(service)
    ext = await resolve_account_async(principal, service, account, analysis)

    def build() -> bytes:
        return AccountDetail(kpis=analysis.account_kpis(ext), score=analysis.account_score(ext),
                             tier=analysis.tier_assignment(ext)).model_dump_json().encode()

    # Returned as bytes: the model was validated when built, once per data version.
    body = responses_for(request).get(analysis, ("detail", ext), build)
    return Response(body, media_type="application/json")


@router.get("/{account}/scenarios", response_model=ScenarioSet)
async def account_scenarios(account: str, request: Request, principal: PrincipalDep) -> Response:
    """Return the account's base, upside and downside over three years (404 out of scope)."""
    access.require_account_reader(principal)
    service = await service_dependency(request)
    analysis = await fresh_analysis(service)
    ext = await resolve_account_async(principal, service, account, analysis)
    body = responses_for(request).get(
        analysis, ("scenarios", ext),
        lambda: analysis.account_scenarios(ext).model_dump_json().encode())
    return Response(body, media_type="application/json")
