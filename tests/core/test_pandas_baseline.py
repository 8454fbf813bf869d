"""The pandas baseline (benchmarks/pandas_baseline.py) and the numpy core agree."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from kambot.core.analyse import analyse_portfolio
from kambot.core.frames import INITIATIVE_CODES
from kambot.core.synthetic import synthetic_portfolio, synthetic_programme

pytest.importorskip("pandas")

BASELINE = Path(__file__).resolve().parents[2] / "benchmarks" / "pandas_baseline.py"


def _baseline() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kambot_pandas_baseline", BASELINE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


FLOAT_COLUMNS = (
    "revenue_ttm",
    "revenue_prev12",
    "revenue_growth",
    "share_of_wallet",
    "margin_ttm",
    "open_pipeline",
    "weighted_pipeline",
    "pipeline_coverage",
    "win_rate",
    "average_won_deal",
    "sales_cycle_days",
    "buying_centre_coverage",
    "days_since_executive_contact",
    "resources_requested",
    "resources_committed",
)
INT_COLUMNS = (
    "open_opportunities",
    "won",
    "lost",
    "open_escalations",
    "overdue_escalations",
    "escalations_resolved",
    "escalations_within_target",
    "sponsor_meetings_12m",
    "last_executive_contact",
)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pandas_and_core_agree_on_a_small_random_portfolio(seed: int) -> None:
    pf = synthetic_portfolio(
        400,
        4_000,
        n_revenue=4_000,
        n_contacts=1_200,
        n_activities=1_500,
        n_initiatives=300,
        n_key_accounts=10,
        seed=seed,
    )
    programme = synthetic_programme(max_key_accounts=12, kams=None)
    core = analyse_portfolio(pf, programme)
    pandas = _baseline().pandas_analyse(pf, programme)
    df = pandas.accounts
    k = core.kpis

    for column in FLOAT_COLUMNS:
        np.testing.assert_allclose(
            df[column].to_numpy(dtype=float), getattr(k, column), rtol=1e-9, err_msg=column
        )
    for column in INT_COLUMNS:
        np.testing.assert_array_equal(df[column].to_numpy(), getattr(k, column), err_msg=column)
    for j, year in enumerate(k.years):
        np.testing.assert_allclose(df[f"revenue_{year}"].to_numpy(), k.revenue_by_year[:, j])
    for j, status in enumerate(INITIATIVE_CODES):
        np.testing.assert_array_equal(df[f"initiatives_{status}"].to_numpy(), k.initiatives[:, j])

    np.testing.assert_array_equal(df.segment_of.to_numpy(), core.segments.segment_of)
    assert list(pandas.segments.key) == [r.key for r in core.segments.rankings]
    np.testing.assert_allclose(df.attractiveness.to_numpy(), core.matrix.attractiveness, atol=1e-9)
    np.testing.assert_allclose(df.strength.to_numpy(), core.matrix.strength, atol=1e-9)
    np.testing.assert_array_equal(df.quadrant.to_numpy(), core.matrix.quadrant)
    assert pandas.selected == [s.external_id for s in core.selection_result.selected]
    np.testing.assert_array_equal(df.tier.to_numpy(), core.tiers.tier)
