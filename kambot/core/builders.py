"""Build a :class:`~kambot.core.frames.PortfolioFrame` from plain Python rows.

For tests, notebooks and small imports: rows are mappings that name their account by
external id; labels become sorted integer codes, dates become ordinals, ``None``
becomes NaN / ``NO_DATE`` / -1 as the frame conventions say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np

from kambot.core.frames import (
    ACTIVITY_CODES,
    INITIATIVE_CODES,
    LEVEL_CODES,
    NO_DATE,
    ROLE_CODES,
    AccountFrame,
    ActivityFrame,
    ContactFrame,
    FloatArray,
    InitiativeFrame,
    IntArray,
    OpportunityFrame,
    PortfolioFrame,
    RevenueFrame,
    month_index,
)
from kambot.errors import DataError


def _f(values: object) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _i(values: object) -> IntArray:
    return np.asarray(values, dtype=np.int64)


_ACCOUNT_KEYS = frozenset(
    {
        "external_id", "name", "id", "parent", "segment", "industry", "country",
        "business_unit", "employees", "annual_revenue", "margin_pct", "potential",
        "relationship_stage", "satisfaction", "products_count", "kam", "sponsor",
        "is_key_account", "selected_on", "plan_validated_on",
    }
)  # fmt: skip
_ROW_KEYS = {
    "revenue": frozenset({"account", "month", "amount"}),
    "opportunities": frozenset(
        {"account", "stage", "value", "probability", "created_on", "closed_on"}
    ),
    "contacts": frozenset({"account", "role", "level", "last_contact"}),
    "activities": frozenset({"account", "kind", "occurred_on", "resolved_on"}),
    "initiatives": frozenset(
        {"account", "status", "expected_value", "resources_requested", "resources_committed"}
    ),
}
_OPP_STAGES = ("open", "won", "lost")


def _check_keys(kind: str, row: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(row) - allowed)
    if unknown:
        raise DataError(
            f"unknown {kind} field(s): {', '.join(unknown)}",
            hint=f"allowed: {', '.join(sorted(allowed))}",
        )


def _ordinal(value: date | None) -> int:
    return NO_DATE if value is None else value.toordinal()


def _num(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _labels(values: Sequence[str | None]) -> tuple[list[str], IntArray]:
    labels = sorted({v for v in values if v is not None})
    pos = {lbl: k for k, lbl in enumerate(labels)}
    return labels, _i([-1 if v is None else pos[v] for v in values])


def _code(kind: str, value: str, codes: Sequence[str]) -> int:
    if value not in codes:
        raise DataError(f"unknown {kind} {value!r}", hint=f"use one of: {', '.join(codes)}")
    return codes.index(value)


def build_portfolio(
    as_of: date,
    accounts: Sequence[Mapping[str, Any]],
    *,
    revenue: Sequence[Mapping[str, Any]] = (),
    opportunities: Sequence[Mapping[str, Any]] = (),
    contacts: Sequence[Mapping[str, Any]] = (),
    activities: Sequence[Mapping[str, Any]] = (),
    initiatives: Sequence[Mapping[str, Any]] = (),
) -> PortfolioFrame:
    """Build a :class:`PortfolioFrame` from plain Python rows (tests, small imports).

    Accounts are mappings with ``external_id`` and any of: name, id, parent (external
    id), segment, industry, country, business_unit, employees, annual_revenue,
    margin_pct, potential, relationship_stage, satisfaction, products_count, kam,
    sponsor (person labels), is_key_account, selected_on, plan_validated_on (dates).
    Other rows name their account by external id under ``account``: revenue
    (month: any date in the month, amount), opportunities (stage open/won/lost, value,
    probability, created_on, closed_on), contacts (role, level, last_contact),
    activities (kind, occurred_on, resolved_on), initiatives (status, expected_value,
    resources_requested, resources_committed). ``None`` means missing.

    Raises:
        DataError: for an unknown field, account, stage, role, level, kind or status.
    """
    for row in accounts:
        _check_keys("account", row, _ACCOUNT_KEYS)
    ext = [str(row["external_id"]) for row in accounts]
    pos = {e: k for k, e in enumerate(ext)}
    if len(pos) != len(ext):
        raise DataError("duplicate account external_id", hint="external ids must be unique")

    def idx(kind: str, row: Mapping[str, Any]) -> int:
        _check_keys(kind, row, _ROW_KEYS[kind])
        account = row.get("account")
        if account not in pos:
            raise DataError(
                f"{kind} row names unknown account {account!r}",
                hint="list the account in accounts first",
            )
        return pos[account]

    def col(key: str) -> list[Any]:
        return [row.get(key) for row in accounts]

    segment_labels, segment = _labels(col("segment"))
    industry_labels, industry = _labels(col("industry"))
    country_labels, country = _labels(col("country"))
    bu_labels, bu = _labels(col("business_unit"))
    people_labels, people = _labels(col("kam") + col("sponsor"))
    n = len(accounts)
    parents = col("parent")
    for p in parents:
        if p is not None and p not in pos:
            raise DataError(f"parent {p!r} is not an account of the portfolio")
    frame = AccountFrame(
        ids=_i([row.get("id", k + 1) for k, row in enumerate(accounts)]),
        external_ids=ext,
        names=[str(row.get("name") or row["external_id"]) for row in accounts],
        parent_idx=_i([-1 if p is None else pos[p] for p in parents]),
        segment=segment,
        segment_labels=segment_labels,
        industry=industry,
        industry_labels=industry_labels,
        country=country,
        country_labels=country_labels,
        business_unit=bu,
        business_unit_labels=bu_labels,
        employees=_f([_num(v) for v in col("employees")]),
        annual_revenue=_f([_num(v) for v in col("annual_revenue")]),
        margin_pct=_f([_num(v) for v in col("margin_pct")]),
        potential=_f([_num(v) for v in col("potential")]),
        relationship_stage=_f([_num(v) for v in col("relationship_stage")]),
        satisfaction=_f([_num(v) for v in col("satisfaction")]),
        products_count=_f([_num(v) for v in col("products_count")]),
        kam=people[:n],
        sponsor=people[n:],
        people_labels=people_labels,
        is_key_account=np.array([bool(v) for v in col("is_key_account")], dtype=np.bool_),
        selected_on=_i([_ordinal(v) for v in col("selected_on")]),
        plan_validated_on=_i([_ordinal(v) for v in col("plan_validated_on")]),
    )
    rev = RevenueFrame(
        account_idx=_i([idx("revenue", r) for r in revenue]),
        month=_i([month_index(r["month"]) for r in revenue]),
        amount=_f([_num(r.get("amount")) for r in revenue]),
    )
    opp = OpportunityFrame(
        account_idx=_i([idx("opportunities", r) for r in opportunities]),
        stage=_i([_code("stage", r.get("stage", "open"), _OPP_STAGES) for r in opportunities]),
        value=_f([_num(r.get("value")) for r in opportunities]),
        probability=_f([_num(r.get("probability")) for r in opportunities]),
        created_on=_i([_ordinal(r.get("created_on")) for r in opportunities]),
        closed_on=_i([_ordinal(r.get("closed_on")) for r in opportunities]),
    )
    con = ContactFrame(
        account_idx=_i([idx("contacts", r) for r in contacts]),
        role=_i([_code("role", r.get("role", "other"), ROLE_CODES) for r in contacts]),
        level=_i([_code("level", r.get("level", "staff"), LEVEL_CODES) for r in contacts]),
        last_contact=_i([_ordinal(r.get("last_contact")) for r in contacts]),
    )
    act = ActivityFrame(
        account_idx=_i([idx("activities", r) for r in activities]),
        kind=_i(
            [_code("activity kind", r.get("kind", "note"), ACTIVITY_CODES) for r in activities]
        ),
        occurred_on=_i([_ordinal(r.get("occurred_on")) for r in activities]),
        resolved_on=_i([_ordinal(r.get("resolved_on")) for r in activities]),
    )
    ini = InitiativeFrame(
        account_idx=_i([idx("initiatives", r) for r in initiatives]),
        status=_i(
            [
                _code("initiative status", r.get("status", "proposed"), INITIATIVE_CODES)
                for r in initiatives
            ]
        ),
        expected_value=_f([_num(r.get("expected_value")) for r in initiatives]),
        resources_requested=_f([_num(r.get("resources_requested")) for r in initiatives]),
        resources_committed=_f([_num(r.get("resources_committed")) for r in initiatives]),
    )
    return PortfolioFrame(
        as_of=as_of,
        accounts=frame,
        revenue=rev,
        opportunities=opp,
        contacts=con,
        activities=act,
        initiatives=ini,
    )
