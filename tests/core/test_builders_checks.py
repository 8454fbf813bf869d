"""Frame construction from plain rows, and frame consistency checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from kambot.core.builders import build_portfolio
from kambot.core.checks import validate_portfolio
from kambot.core.frames import NO_DATE, OPP_WON, RevenueFrame, month_index
from kambot.core.synthetic import synthetic_portfolio
from kambot.errors import DataError


def test_build_portfolio_codes_labels_and_dates() -> None:
    pf = build_portfolio(
        date(2025, 1, 31),
        [
            {
                "external_id": "b",
                "country": "FR",
                "kam": "zoe",
                "sponsor": "al",
                "selected_on": date(2024, 1, 1),
            },
            {"external_id": "a", "name": "Alpha", "country": "DE", "parent": "b", "potential": 5},
        ],
        revenue=[{"account": "a", "month": date(2024, 12, 9), "amount": 3}],
        opportunities=[{"account": "b", "stage": "won", "value": 1}],
    )
    a = pf.accounts
    assert a.external_ids == ["b", "a"] and a.names == ["b", "Alpha"]
    assert a.ids.tolist() == [1, 2]
    assert a.country_labels == ["DE", "FR"] and a.country.tolist() == [1, 0]
    assert a.people_labels == ["al", "zoe"]
    assert a.kam.tolist() == [1, -1] and a.sponsor.tolist() == [0, -1]
    assert a.parent_idx.tolist() == [-1, 0]
    assert a.selected_on.tolist() == [date(2024, 1, 1).toordinal(), NO_DATE]
    assert np.isnan(a.potential[0]) and a.potential[1] == 5
    assert pf.revenue.month.tolist() == [month_index(date(2024, 12, 1))]
    assert pf.opportunities.stage.tolist() == [OPP_WON]
    validate_portfolio(pf)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"accounts": [{"external_id": "a", "turnover": 1}]}, "unknown account field"),
        ({"accounts": [{"external_id": "a"}, {"external_id": "a"}]}, "duplicate"),
        (
            {"revenue": [{"account": "zz", "month": date(2024, 1, 1), "amount": 1}]},
            "unknown account 'zz'",
        ),
        ({"opportunities": [{"account": "a", "stage": "pending"}]}, "unknown stage"),
        ({"contacts": [{"account": "a", "role": "boss"}]}, "unknown role"),
        ({"accounts": [{"external_id": "a", "parent": "nope"}]}, "parent 'nope'"),
    ],
)
def test_build_portfolio_refuses_bad_rows(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"accounts": [{"external_id": "a"}], **kwargs}
    with pytest.raises(DataError, match=message):
        build_portfolio(date(2025, 1, 1), **args)  # type: ignore[arg-type]


def test_validate_portfolio_catches_bad_frames() -> None:
    pf = synthetic_portfolio(20, 50, n_revenue=50, n_contacts=10, n_activities=10, n_initiatives=5)
    validate_portfolio(pf)
    bad_idx = replace(pf, revenue=RevenueFrame(np.array([25]), np.array([1]), np.array([1.0])))
    with pytest.raises(DataError, match=r"revenue\.account_idx"):
        validate_portfolio(bad_idx)
    short = replace(pf, revenue=RevenueFrame(np.array([1, 2]), np.array([1]), np.array([1.0])))
    with pytest.raises(DataError, match="different lengths"):
        validate_portfolio(short)
    inf = replace(pf, revenue=RevenueFrame(np.array([1]), np.array([1]), np.array([np.inf])))
    with pytest.raises(DataError, match="infinite"):
        validate_portfolio(inf)
    dup = replace(pf, accounts=replace(pf.accounts, external_ids=["x"] * 20))
    with pytest.raises(DataError, match="duplicates"):
        validate_portfolio(dup)
    bad_code = replace(pf, accounts=replace(pf.accounts, segment=np.full(20, 99)))
    with pytest.raises(DataError, match=r"accounts\.segment"):
        validate_portfolio(bad_code)
