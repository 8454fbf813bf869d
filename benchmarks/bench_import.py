"""Benchmark: import N invoice lines end to end (CSV -> validated -> SQLite).

Generates a UCI-Online-Retail-shaped CSV (float customer ids, cancellations with "C"
invoices and negative quantities, postage lines that the mapping skips, accounts created
from the lines) with a seeded generator in a temporary folder, then imports it with
``examples/mappings/uci_online_retail_invoices.yaml`` into a fresh SQLite database per
run, and prints the median time and rows per second. A dry run (read, map, validate,
check references; no writing) is timed too, to show where the time goes.

Usage::

    .venv/bin/python benchmarks/bench_import.py              # 1,000,000 lines, 3 runs
    .venv/bin/python benchmarks/bench_import.py --rows 20000 --runs 1
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "examples" / "mappings" / "uci_online_retail_invoices.yaml"
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
COUNTRIES = ("United Kingdom", "France", "Germany", "EIRE", "Spain", "Netherlands", "Belgium")


def generate(path: Path, rows: int, *, customers: int, seed: int) -> None:
    """Write ``rows`` invoice lines to ``path``, the same bytes for the same seed."""
    rng = random.Random(seed)
    start = datetime(2010, 12, 1, 8, 0)
    products = [
        (f"{20000 + i}", f"PRODUCT {i}", round(rng.uniform(0.2, 25.0), 2)) for i in range(3000)
    ]
    country_of = {c: COUNTRIES[rng.randrange(len(COUNTRIES))] for c in range(customers)}
    written = 0
    invoice = 536000
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        while written < rows:
            invoice += 1
            customer = rng.randrange(customers)
            cust_id = f"{12346 + customer}.0"
            country = country_of[customer]
            when = (start + timedelta(minutes=invoice - 536000)).strftime("%Y-%m-%d %H:%M:%S")
            cancelled = rng.random() < 0.02
            number = f"C{invoice}" if cancelled else str(invoice)
            lines = []
            for _ in range(min(rng.randint(1, 40), rows - written)):
                code, name, price = products[rng.randrange(len(products))]
                qty = rng.randint(1, 24) * (-1 if cancelled else 1)
                if rng.random() < 0.01:
                    code, name, price = "POST", "POSTAGE", 18.0
                quoted = f'"{name}, SET"' if rng.random() < 0.05 else name
                lines.append(f"{number},{code},{quoted},{qty},{when},{price},{cust_id},{country}\n")
            fh.write("".join(lines))
            written += len(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="invoice lines (1,000,000)")
    parser.add_argument("--runs", type=int, default=3, help="timed imports (median shown)")
    parser.add_argument("--customers", type=int, default=4_000, help="distinct customers")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--no-dry-run", action="store_true", help="skip the dry-run timing")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from kambot.config import Settings
    from kambot.store.db import create_engine_for_url, migrate
    from kambot.store.importers import import_file

    with tempfile.TemporaryDirectory(prefix="kambot-bench-") as tmp:
        folder = Path(tmp)
        data = folder / "invoice_lines.csv"
        t0 = time.perf_counter()
        generate(data, args.rows, customers=args.customers, seed=args.seed)
        size = data.stat().st_size
        took = time.perf_counter() - t0
        print(f"generated {args.rows:,} lines ({size / 2**20:.1f} MiB) in {took:.1f} s")

        def fresh(run: int) -> tuple[Settings, object]:
            settings = Settings(  # type: ignore[call-arg]
                data_dir=folder / f"db{run}", _env_file=None, max_import_bytes=max(size + 1, 2**20)
            )
            engine = create_engine_for_url(settings.resolved_database_url)
            migrate(engine)
            return settings, engine

        timings: list[float] = []
        cpu: list[float] = []
        dry: list[float] = []
        report = None
        for run in range(args.runs):
            settings, engine = fresh(run)
            if not args.no_dry_run:
                t0 = time.perf_counter()
                import_file(engine, settings, data, mapping=MAPPING, dry_run=True)  # type: ignore[arg-type]
                dry.append(time.perf_counter() - t0)
            t0, c0 = time.perf_counter(), time.process_time()
            report = import_file(engine, settings, data, mapping=MAPPING)  # type: ignore[arg-type]
            timings.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            engine.dispose()  # type: ignore[attr-defined]
            dry_text = f", dry run {dry[-1]:.2f} s" if dry else ""
            print(f"run {run + 1}: import {timings[-1]:.2f} s (CPU {cpu[-1]:.2f} s){dry_text}")
        assert report is not None
        median = statistics.median(timings)
        print(
            f"rows read {report.rows_read:,}, written {report.inserted:,}, skipped "
            f"{report.rows_skipped:,}, accounts created {report.accounts_created:,}"
        )
        print(f"import median: {median:.2f} s = {args.rows / median:,.0f} rows/s (end to end)")
        print(
            f"import CPU median: {statistics.median(cpu):.2f} s; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work slows wall time)"
        )
        if dry:
            d = statistics.median(dry)
            print(
                f"dry-run median: {d:.2f} s = {args.rows / d:,.0f} rows/s (read + map + validate)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
