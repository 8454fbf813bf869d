"""Benchmark: segmentation, selection, tiers and all account KPIs read from the database.

Issue 2's figure: 100,000 accounts and 1,000,000 opportunities read from the embedded
database (SQLite) and analysed in at most 2 s (median), peak memory at most 1.5 GB, with
the ratio against a straightforward pandas implementation measured in the same run.

The database is built once (synthetic data through kambot's own writer) and kept in
``benchmarks/out/`` for later runs. Measured, in this process:

- kambot, warm: ``load_portfolio`` (derived snapshot, kept up to date by triggers) +
  ``analyse_portfolio``;
- kambot, cold: the same with the snapshot bypassed (every table read);
- pandas: ``pandas.read_sql`` of the same tables + the pandas baseline of
  ``benchmarks/pandas_baseline.py`` on the same frames.

Peak memory is the high-water mark of the resident set (``VmHWM``) of a child process
that runs only the kambot path.

Usage: uv run --frozen python benchmarks/bench_core.py [--accounts N] [--opportunities N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
TABLES = ("people.csv", "accounts.csv", "contacts.csv", "opportunities.csv",
          "invoice_lines.csv", "activities.csv", "initiatives.csv")


def _engine(path: Path) -> Any:
    from kambot.store.db import create_engine_for_url, migrate

    engine = create_engine_for_url(f"sqlite:///{path}")
    migrate(engine)
    return engine


def build_database(path: Path, accounts: int, opportunities: int, invoice_lines: int) -> None:
    """Fill a fresh SQLite database with a synthetic portfolio through kambot's writer."""
    from kambot.demo.synthetic import synthetic_portfolio_rows
    from kambot.store.db import session_scope, transaction
    from kambot.store.repositories import save_programme
    from kambot.store.writer import upsert_rows

    start = time.perf_counter()
    synth = synthetic_portfolio_rows(
        accounts, opportunities, invoice_lines, contacts=accounts * 3,
        activities=accounts * 3, seed=11,
    )
    engine = _engine(path)
    with session_scope(engine, write=True) as session:
        save_programme(session, synth.programme)
    with transaction(engine, write=True) as conn:
        for name in TABLES:
            if name not in synth.tables:
                continue
            rows = list(synth.rows(name))
            for i in range(0, len(rows), 200_000):
                upsert_rows(conn, name.removesuffix(".csv"), rows[i:i + 200_000])
            print(f"  {name}: {len(rows):,} rows", flush=True)
    engine.dispose()
    print(f"built {path.name} in {time.perf_counter() - start:.0f} s", flush=True)


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def kambot_path(engine: Any, programme: Any, *, snapshot: bool) -> Any:
    """Read the portfolio from the database and analyse it."""
    from kambot.core.analyse import analyse_portfolio
    from kambot.store.portfolio import load_portfolio

    return analyse_portfolio(load_portfolio(engine, use_snapshot=snapshot), programme)


def pandas_read(engine: Any) -> dict[str, Any]:
    """Read the tables the analysis needs with pandas.read_sql, as a pandas user would."""
    import pandas as pd

    queries = {
        "accounts": "SELECT * FROM accounts",
        "opportunities": "SELECT account_id, stage, value, probability, created_on, closed_on "
                         "FROM opportunities",
        "revenue": "SELECT account_id, month, amount FROM account_revenue",
        "contacts": "SELECT account_id, role, level, last_contact FROM contacts",
        "activities": "SELECT account_id, kind, occurred_on, resolved_on FROM activities",
        "initiatives": "SELECT account_id, status, expected_value, resources_requested, "
                       "resources_committed FROM initiatives",
    }
    with engine.connect() as conn:
        return {k: pd.read_sql_query(q, conn) for k, q in queries.items()}


def _peak_rss_kib() -> int:
    # VmHWM is this process's own high-water mark; ru_maxrss would also count the parent's
    # resident set at fork time, which Linux carries across exec.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _peak_mib(args: argparse.Namespace, path: str) -> float:
    child = subprocess.run(
        [sys.executable, __file__, "--memory-only", path, "--accounts", str(args.accounts),
         "--opportunities", str(args.opportunities), "--invoice-lines",
         str(args.invoice_lines)],
        capture_output=True, text=True, check=True)
    return int(child.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    """Build (once) and time the database-to-results path against pandas."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--invoice-lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory-only", choices=["warm", "cold"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    db = OUT / f"core_{args.accounts}_{args.opportunities}_{args.invoice_lines}.db"
    if not db.exists():
        tmp = db.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        build_database(tmp, args.accounts, args.opportunities, args.invoice_lines)
        tmp.rename(db)

    from kambot.store.db import session_scope
    from kambot.store.repositories import load_programme

    engine = _engine(db)
    with session_scope(engine) as session:
        programme = load_programme(session)

    if args.memory_only:
        kambot_path(engine, programme, snapshot=args.memory_only == "warm")
        print(_peak_rss_kib())
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pandas_baseline import pandas_analyse

    from kambot.store.portfolio import load_portfolio

    result = kambot_path(engine, programme, snapshot=True)  # warm-up, stores the snapshot
    warm = _median(lambda: kambot_path(engine, programme, snapshot=True), args.runs)
    cold = _median(lambda: kambot_path(engine, programme, snapshot=False), max(3, args.runs // 2))
    frame = load_portfolio(engine)
    read_pd = _median(lambda: pandas_read(engine), 3)
    compute_pd = _median(lambda: pandas_analyse(frame, programme), 3)
    same = pandas_analyse(frame, programme).selected == [
        s.external_id for s in result.selection_result.selected]
    peak_mib = {path: _peak_mib(args, path) for path in ("warm", "cold")}

    n = len(frame.accounts)
    print(f"{n:,} accounts, {len(frame.opportunities.account_idx):,} opportunities, "
          f"{len(frame.revenue.account_idx):,} monthly revenue rows, "
          f"{len(frame.contacts.account_idx):,} contacts (SQLite, {db.stat().st_size >> 20} MiB)")
    print(f"kambot warm (snapshot + analysis): median {warm * 1000:7.0f} ms  (target <= 2000)")
    print(f"kambot cold (every table read)   : median {cold * 1000:7.0f} ms")
    print(f"pandas read_sql + pandas analysis: median {(read_pd + compute_pd) * 1000:7.0f} ms "
          f"(read {read_pd * 1000:.0f} + compute {compute_pd * 1000:.0f})")
    print(f"ratio pandas / kambot warm: {(read_pd + compute_pd) / warm:.1f}x; "
          f"pandas / kambot cold: {(read_pd + compute_pd) / cold:.1f}x; same selection: {same}")
    print(f"peak memory (max RSS of a process running one path): warm {peak_mib['warm']:.0f} "
          f"MiB, cold {peak_mib['cold']:.0f} MiB (target <= 1536)")


if __name__ == "__main__":
    main()
