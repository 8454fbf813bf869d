"""Accounts: list with quadrant, tier and headline KPIs; one account in full."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request, Response

from api.deps import (
    PrincipalDep,
    analysis_answer,
    fresh_analysis,
    resolve_account_async,
    responses_for,
    service_dependency,
)
from api.params import documented, read_query
from api.schemas import AccountDetail, AccountListQuery, AccountPage, AccountSummary
from api.stored_answers import stored_answer
from kambot.auth import access
from kambot.domain.analysis import ScenarioSet
from kambot.domain.identity import Principal

router = APIRouter(prefix="/accounts", tags=["accounts"])


def _opt(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


@stored_answer
@router.get("", response_model=AccountPage,
            openapi_extra=documented(query=AccountListQuery))
async def list_accounts(request: Request, principal: PrincipalDep) -> Response:
    """List the accounts in the caller's scope by revenue, filtered by quadrant, tier or
    selection (HR sees no account: 403)."""
    access.require_account_reader(principal)
    # Read by one model here rather than as five declared parameters (api/params.py).
    query = read_query(request, AccountListQuery)
    # The page depends on the scope, not on who asks: callers with the same scope and
    # query (the same raw query string, once valid) share it until the data changes.
    scope: object = "all" if principal.sees_all_accounts else principal.account_ids
    key = ("list", scope, request.scope.get("query_string", b""))
    return await analysis_answer(
        request, key, lambda analysis: _account_page(analysis, principal, query))


def _account_page(analysis: Any, principal: Principal, query: AccountListQuery) -> bytes:
    """Serialise one page of the accounts a principal sees, by revenue."""
    from kambot.core.matrix import QUADRANTS
    from kambot.core.tiers import TIERS

    a = analysis.portfolio.accounts
    k = analysis.kpis
    if principal.sees_all_accounts:
        visible: list[int] = list(range(len(a)))
    else:  # a KAM's or an executive's few accounts, without a pass over all of them
        position = {int(x): i for i, x in enumerate(a.ids)}
        visible = [position[i] for i in principal.account_ids if i in position]
    order = sorted(visible, key=lambda i: (-float(k.revenue_ttm[i]), a.external_ids[i]))
    matching = []
    for i in order:
        q = QUADRANTS[int(analysis.matrix.quadrant[i])].value
        tr = TIERS[int(analysis.tiers.tier[i])].value
        sel = bool(analysis.selection.selected[i])
        if (query.quadrant and q != query.quadrant) or (query.tier and tr != query.tier) or (
            query.selected is not None and sel != query.selected
        ):
            continue
        matching.append((i, q, tr, sel))
    items = [AccountSummary(
        id=int(a.ids[i]), external_id=a.external_ids[i], name=a.names[i],
        segment=analysis.segments.segment_key(i), quadrant=q,
        attractiveness=float(analysis.matrix.attractiveness[i]),
        strength=float(analysis.matrix.strength[i]), tier=tr,
        key_account=bool(a.is_key_account[i]), selected=sel,
        revenue_ttm=float(k.revenue_ttm[i]), revenue_growth=_opt(k.revenue_growth[i]),
        share_of_wallet=_opt(k.share_of_wallet[i]), potential=_opt(a.potential[i]),
    ) for i, q, tr, sel in matching[query.offset:query.offset + query.limit]]
    page = AccountPage(total=len(matching), offset=query.offset, limit=query.limit, items=items)
    return page.model_dump_json().encode()


@stored_answer
@router.get("/{account}", response_model=AccountDetail,
            openapi_extra=documented(path=("account",)))
async def get_account(request: Request, principal: PrincipalDep) -> Response:
    """Return one account's KPIs, matrix position and tier (by external id, id or name).

    An account outside the caller's scope answers 404, like an unknown one.
    """
    # The role check, the service and the path parameter are read here rather than
    # injected: on this hot path each one FastAPI resolves costs about as much as the
    # route's own work (api/params.py).
    access.require_account_reader(principal)
    account: str = request.path_params["account"]
    service = await service_dependency(request)
    analysis = await fresh_analysis(service)
    ext = await resolve_account_async(principal, service, account, analysis)

    def build() -> bytes:
        return AccountDetail(kpis=analysis.account_kpis(ext), score=analysis.account_score(ext),
                             tier=analysis.tier_assignment(ext)).model_dump_json().encode()

    # Returned as bytes: the model was validated when built, once per data version.
    body = responses_for(request).get(analysis, ("detail", ext), build)
    return Response(body, media_type="application/json")


@stored_answer
@router.get("/{account}/scenarios", response_model=ScenarioSet,
            openapi_extra=documented(path=("account",)))
async def account_scenarios(request: Request, principal: PrincipalDep) -> Response:
    """Return the account's base, upside and downside over three years (404 out of scope)."""
    access.require_account_reader(principal)
    account: str = request.path_params["account"]
    service = await service_dependency(request)
    analysis = await fresh_analysis(service)
    ext = await resolve_account_async(principal, service, account, analysis)
    body = responses_for(request).get(
        analysis, ("scenarios", ext),
        lambda: analysis.account_scenarios(ext).model_dump_json().encode())
    return Response(body, media_type="application/json")
