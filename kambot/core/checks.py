"""Consistency checks of a :class:`PortfolioFrame` before the core computes on it.

The store builds frames that should always pass; the checks exist so that a frame built
by hand (tests, notebooks, another importer) fails with a clear :class:`DataError`
instead of an ``IndexError`` deep inside a ``bincount``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kambot.core.frames import (
    ACTIVITY_CODES,
    INITIATIVE_CODES,
    LEVEL_CODES,
    OPP_LOST,
    ROLE_CODES,
    IntArray,
    PortfolioFrame,
)
from kambot.errors import DataError


def _same_length(name: str, columns: Sequence[tuple[str, object]]) -> int:
    lengths = {col: len(values) for col, values in columns}  # type: ignore[arg-type]
    distinct = set(lengths.values())
    if len(distinct) > 1:
        listed = ", ".join(f"{c}={n}" for c, n in lengths.items())
        raise DataError(
            f"the {name} frame has columns of different lengths ({listed})",
            hint="build every column of a frame from the same rows",
        )
    return distinct.pop() if distinct else 0


def _codes_in_range(
    frame: str, column: str, codes: IntArray, size: int, allow_missing: bool
) -> None:
    if codes.size == 0:
        return
    low = -1 if allow_missing else 0
    if int(codes.min()) < low or int(codes.max()) >= size:
        raise DataError(
            f"{frame}.{column} holds codes outside {low}..{size - 1}",
            hint=f"codes index into the {frame} labels; -1 means missing where allowed",
        )


def validate_portfolio(portfolio: PortfolioFrame) -> None:
    """Check lengths and index ranges of every frame of the portfolio.

    Raises:
        DataError: when a column has the wrong length or an index or code is out of range.
    """
    a = portfolio.accounts
    n = _same_length(
        "accounts",
        [
            ("ids", a.ids),
            ("external_ids", a.external_ids),
            ("names", a.names),
            ("parent_idx", a.parent_idx),
            ("segment", a.segment),
            ("industry", a.industry),
            ("country", a.country),
            ("business_unit", a.business_unit),
            ("employees", a.employees),
            ("annual_revenue", a.annual_revenue),
            ("margin_pct", a.margin_pct),
            ("potential", a.potential),
            ("relationship_stage", a.relationship_stage),
            ("satisfaction", a.satisfaction),
            ("products_count", a.products_count),
            ("kam", a.kam),
            ("sponsor", a.sponsor),
            ("is_key_account", a.is_key_account),
            ("selected_on", a.selected_on),
            ("plan_validated_on", a.plan_validated_on),
        ],
    )
    if len(set(a.external_ids)) != n:
        raise DataError(
            "accounts.external_ids holds duplicates",
            hint="every account needs a unique external id: it breaks ties and names results",
        )
    _codes_in_range("accounts", "parent_idx", a.parent_idx, n, True)
    _codes_in_range("accounts", "segment", a.segment, len(a.segment_labels), True)
    _codes_in_range("accounts", "industry", a.industry, len(a.industry_labels), True)
    _codes_in_range("accounts", "country", a.country, len(a.country_labels), True)
    _codes_in_range("accounts", "business_unit", a.business_unit, len(a.business_unit_labels), True)
    _codes_in_range("accounts", "kam", a.kam, len(a.people_labels), True)
    _codes_in_range("accounts", "sponsor", a.sponsor, len(a.people_labels), True)

    r = portfolio.revenue
    _same_length(
        "revenue", [("account_idx", r.account_idx), ("month", r.month), ("amount", r.amount)]
    )
    _codes_in_range("revenue", "account_idx", r.account_idx, n, False)

    o = portfolio.opportunities
    _same_length(
        "opportunities",
        [
            ("account_idx", o.account_idx),
            ("stage", o.stage),
            ("value", o.value),
            ("probability", o.probability),
            ("created_on", o.created_on),
            ("closed_on", o.closed_on),
        ],
    )
    _codes_in_range("opportunities", "account_idx", o.account_idx, n, False)
    _codes_in_range("opportunities", "stage", o.stage, OPP_LOST + 1, False)

    c = portfolio.contacts
    _same_length(
        "contacts",
        [
            ("account_idx", c.account_idx),
            ("role", c.role),
            ("level", c.level),
            ("last_contact", c.last_contact),
        ],
    )
    _codes_in_range("contacts", "account_idx", c.account_idx, n, False)
    _codes_in_range("contacts", "role", c.role, len(ROLE_CODES), True)
    _codes_in_range("contacts", "level", c.level, len(LEVEL_CODES), True)

    v = portfolio.activities
    _same_length(
        "activities",
        [
            ("account_idx", v.account_idx),
            ("kind", v.kind),
            ("occurred_on", v.occurred_on),
            ("resolved_on", v.resolved_on),
        ],
    )
    _codes_in_range("activities", "account_idx", v.account_idx, n, False)
    _codes_in_range("activities", "kind", v.kind, len(ACTIVITY_CODES), False)

    i = portfolio.initiatives
    _same_length(
        "initiatives",
        [
            ("account_idx", i.account_idx),
            ("status", i.status),
            ("expected_value", i.expected_value),
            ("resources_requested", i.resources_requested),
            ("resources_committed", i.resources_committed),
        ],
    )
    _codes_in_range("initiatives", "account_idx", i.account_idx, n, False)
    _codes_in_range("initiatives", "status", i.status, len(INITIATIVE_CODES), False)
    floats = {
        "accounts.employees": a.employees,
        "accounts.annual_revenue": a.annual_revenue,
        "accounts.margin_pct": a.margin_pct,
        "accounts.potential": a.potential,
        "accounts.relationship_stage": a.relationship_stage,
        "accounts.satisfaction": a.satisfaction,
        "accounts.products_count": a.products_count,
        "revenue.amount": r.amount,
        "opportunities.value": o.value,
        "opportunities.probability": o.probability,
        "initiatives.expected_value": i.expected_value,
        "initiatives.resources_requested": i.resources_requested,
        "initiatives.resources_committed": i.resources_committed,
    }
    for column, values in floats.items():
        if np.isinf(values).any():
            raise DataError(
                f"{column} holds an infinite value",
                hint="use NaN for an unknown figure",
            )
