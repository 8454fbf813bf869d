"""The real public data sets import with the example mappings, and the numbers add up.

Revenue per customer and month is recomputed here with nothing but the csv module and
compared with what the database rolled up.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kambot.config import Settings
from kambot.store.importers import import_file, load_mapping

pytestmark = pytest.mark.shared_data

MAPPINGS = Path(__file__).resolve().parents[3] / "examples" / "mappings"


def test_uci_online_retail_sample(engine: Engine, settings: Settings, shared_data: Path) -> None:
    path = shared_data / "uci-online-retail" / "online_retail_customer_sample_10pct.csv"
    mapping = load_mapping(MAPPINGS / "uci_online_retail_invoices.yaml")
    not_products = set(next(r for r in mapping.skip if r.in_).in_ or [])

    expected: dict[tuple[str, int], float] = defaultdict(float)
    read = skipped = 0
    cancelled = 0
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            read += 1
            if not row["CustomerID"].strip() or row["StockCode"].strip() in not_products:
                skipped += 1
                continue
            customer = str(int(float(row["CustomerID"])))
            year, month = int(row["InvoiceDate"][:4]), int(row["InvoiceDate"][5:7])
            expected[customer, year * 12 + month - 1] += float(row["Quantity"]) * float(
                row["UnitPrice"]
            )
            cancelled += row["InvoiceNo"].startswith("C")

    report = import_file(
        engine, settings, path, mapping=MAPPINGS / "uci_online_retail_invoices.yaml"
    )
    assert report.rows_read == read == 38_256
    assert report.rows_skipped == skipped and report.rows_rejected == 0
    assert report.inserted == read - skipped
    customers = {c for c, _ in expected}
    assert report.accounts_created == len(customers)

    with engine.connect() as conn:
        got = {
            (ext, month): amount
            for ext, month, amount in conn.execute(
                sa.text(
                    "SELECT a.external_id, r.month, r.amount FROM account_revenue r "
                    "JOIN accounts a ON a.id = r.account_id"
                )
            )
        }
        n_cancelled = conn.execute(
            sa.text("SELECT COUNT(*) FROM invoice_lines WHERE cancelled")
        ).scalar_one()
        countries: dict[str, str] = dict(
            conn.execute(sa.text("SELECT external_id, country FROM accounts")).all()
        )
    assert set(got) == set(expected)
    for key, amount in expected.items():
        assert got[key] == pytest.approx(amount, rel=1e-9, abs=1e-6), key
    assert n_cancelled == cancelled
    assert countries["16098"] == "United Kingdom"

    again = import_file(
        engine, settings, path, mapping=MAPPINGS / "uci_online_retail_invoices.yaml"
    )
    assert (again.inserted, again.updated, again.accounts_created) == (0, 0, 0)


def test_maven_crm(engine: Engine, settings: Settings, shared_data: Path) -> None:
    folder = shared_data / "maven-crm-sales-opportunities"
    people = import_file(
        engine, settings, folder / "sales_teams.csv", mapping=MAPPINGS / "maven_crm_people.yaml"
    )
    accounts = import_file(
        engine, settings, folder / "accounts.csv", mapping=MAPPINGS / "maven_crm_accounts.yaml"
    )
    opportunities = import_file(
        engine,
        settings,
        folder / "sales_pipeline.csv",
        mapping=MAPPINGS / "maven_crm_opportunities.yaml",
    )
    assert (people.inserted, accounts.inserted) == (35, 85)

    with (folder / "sales_pipeline.csv").open(newline="", encoding="utf-8") as fh:
        pipeline = list(csv.DictReader(fh))
    linked = [r for r in pipeline if r["account"]]
    assert opportunities.rows_read == len(pipeline) == 8_800
    assert opportunities.rows_skipped == len(pipeline) - len(linked)
    assert opportunities.skipped == {"open deal not linked to an account yet": 1_425}
    assert opportunities.inserted == len(linked)

    stages = Counter({"Won": "won", "Lost": "lost"}.get(r["deal_stage"], "open") for r in linked)
    won_value = sum(float(r["close_value"]) for r in linked if r["deal_stage"] == "Won")
    with engine.connect() as conn:
        got_stages: dict[str, int] = dict(
            conn.execute(sa.text("SELECT stage, COUNT(*) FROM opportunities GROUP BY stage")).all()
        )
        got_won = conn.execute(
            sa.text("SELECT SUM(value) FROM opportunities WHERE stage = 'won'")
        ).scalar_one()
        probabilities = conn.execute(
            sa.text("SELECT COUNT(*) FROM opportunities WHERE probability IS NOT NULL")
        ).scalar_one()
        products = {
            p for (p,) in conn.execute(sa.text("SELECT DISTINCT product FROM opportunities"))
        }
        industries = {i for (i,) in conn.execute(sa.text("SELECT DISTINCT industry FROM accounts"))}
        countries = {c for (c,) in conn.execute(sa.text("SELECT DISTINCT country FROM accounts"))}
        parent = conn.execute(
            sa.text(
                "SELECT p.external_id FROM accounts a JOIN accounts p ON p.id = a.parent_id "
                "WHERE a.external_id = 'Bluth Company'"
            )
        ).scalar_one()
        revenue = conn.execute(
            sa.text("SELECT annual_revenue FROM accounts WHERE external_id = 'Acme Corporation'")
        ).scalar_one()
    assert got_stages == dict(stages)
    assert got_won == pytest.approx(won_value)
    assert probabilities == 0
    assert "GTXPro" not in products and "GTX Pro" in products
    assert "technolgy" not in industries and "technology" in industries
    assert "Philipines" not in countries and "Philippines" in countries
    assert parent == "Acme Corporation"
    assert revenue == pytest.approx(1_100.04e6)


def test_maven_open_deals_without_account_are_rejected_without_the_skip_rule(
    engine: Engine, settings: Settings, shared_data: Path, tmp_path: Path
) -> None:
    folder = shared_data / "maven-crm-sales-opportunities"
    import_file(
        engine, settings, folder / "accounts.csv", mapping=MAPPINGS / "maven_crm_accounts.yaml"
    )
    strict = tmp_path / "strict.yaml"
    text = (MAPPINGS / "maven_crm_opportunities.yaml").read_text(encoding="utf-8")
    strict.write_text(text.split("skip:")[0], encoding="utf-8")
    from kambot.errors import ImportRejectedError

    with pytest.raises(ImportRejectedError) as info:
        import_file(engine, settings, folder / "sales_pipeline.csv", mapping=strict)
    report = info.value.details["report"]
    assert report.rows_rejected == 1_425
    assert report.issue_counts == {"missing_value": 1_425}
    first = report.issues[0]
    assert first.column == "account" and first.row is not None and first.row > 1
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM opportunities")).scalar_one() == 0
