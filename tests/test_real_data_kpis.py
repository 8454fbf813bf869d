"""KPIs of real public exports, recomputed independently with plain Python.

The files are imported through the example mappings, analysed by the deterministic
core, and each KPI is recomputed here from the raw CSV with nothing but the csv module.
Skips when ../shared/data is absent.
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest

from kambot.assistant.portfolio import PortfolioService, open_store
from kambot.config import Settings
from kambot.domain.programme import Programme
from kambot.store.db import session_scope
from kambot.store.importers import import_file
from kambot.store.repositories import save_programme

pytestmark = pytest.mark.shared_data

MAPPINGS = Path(__file__).resolve().parents[1] / "examples" / "mappings"
NOT_PRODUCTS = {"POST", "DOT", "C2", "M", "D", "S", "B", "CRUK", "PADS", "AMAZONFEE",
                "BANK CHARGES"}


def _service(settings: Settings) -> PortfolioService:
    engine = open_store(settings)
    with session_scope(engine, write=True) as session:
        save_programme(session, Programme(name="Real data"))
    return PortfolioService(settings, engine)


def test_maven_crm_pipeline_kpis(settings: Settings, shared_data: Path) -> None:
    folder = shared_data / "maven-crm-sales-opportunities"
    service = _service(settings)
    for file, mapping in (("sales_teams.csv", "maven_crm_people.yaml"),
                          ("accounts.csv", "maven_crm_accounts.yaml"),
                          ("sales_pipeline.csv", "maven_crm_opportunities.yaml")):
        import_file(service.engine, settings, folder / file, mapping=MAPPINGS / mapping)
    analysis = service.analysis()

    won: dict[str, list[float]] = defaultdict(list)
    lost: dict[str, int] = defaultdict(int)
    cycles: dict[str, list[int]] = defaultdict(list)
    with (folder / "sales_pipeline.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            account = row["account"]
            if not account:
                continue
            if row["deal_stage"] == "Won":
                won[account].append(float(row["close_value"]))
                days = (date.fromisoformat(row["close_date"])
                        - date.fromisoformat(row["engage_date"])).days
                cycles[account].append(days)
            elif row["deal_stage"] == "Lost":
                lost[account] += 1

    assert won, "the file should hold won deals"
    for account in set(won) | set(lost):
        k = analysis.account_kpis(account)
        assert k.won == len(won[account])
        assert k.lost == lost[account]
        assert k.win_rate == pytest.approx(len(won[account]) / (len(won[account]) + lost[account]))
        if won[account]:
            assert k.average_won_deal == pytest.approx(statistics.fmean(won[account]))
            assert k.sales_cycle_days == pytest.approx(statistics.median(cycles[account]))


def test_uci_online_retail_revenue_kpis(settings: Settings, shared_data: Path) -> None:
    path = shared_data / "uci-online-retail" / "online_retail_non_uk_customers.csv"
    service = _service(settings)
    import_file(service.engine, settings, path,
                mapping=MAPPINGS / "uci_online_retail_invoices.yaml")
    analysis = service.analysis()
    as_of = analysis.portfolio.as_of

    by_month: dict[str, dict[tuple[int, int], float]] = defaultdict(lambda: defaultdict(float))
    last_day = date.min
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if not row["CustomerID"] or row["StockCode"] in NOT_PRODUCTS:
                continue
            when = datetime.strptime(row["InvoiceDate"], "%Y-%m-%d %H:%M:%S").date()
            last_day = max(last_day, when)
            customer = str(int(float(row["CustomerID"])))
            amount = float(row["Quantity"]) * float(row["UnitPrice"])
            by_month[customer][(when.year, when.month)] += amount

    assert as_of == last_day
    # The trailing twelve months are the twelve last complete months before as_of.
    end = as_of.year * 12 + as_of.month - 2
    window = {((m // 12), (m % 12) + 1) for m in range(end - 11, end + 1)}
    for customer, months in by_month.items():
        k = analysis.account_kpis(customer)
        ttm = sum(v for ym, v in months.items() if ym in window)
        assert k.revenue_ttm == pytest.approx(ttm, abs=0.01)
        yearly: dict[int, float] = defaultdict(float)
        for (year, _), v in months.items():
            yearly[year] += v
        for year, value in yearly.items():
            assert k.revenue_by_year.get(year, 0.0) == pytest.approx(value, abs=0.01)
