"""Synthetic large portfolios for benchmarks: 100,000 accounts, a million opportunities.

Unlike the demo (:mod:`kambot.demo.generate`), nothing here aims at a story: columns are
drawn with numpy in one vectorised pass, with the same broad shape as real data (skewed
revenue, missing values, a few groups, key accounts with KAMs and sponsors). Three ways
to use a portfolio:

- :func:`synthetic_portfolio_files` writes kambot's native CSV files and a
  ``programme.yaml``, to benchmark the importers end to end;
- :func:`synthetic_portfolio_rows` returns the columns in memory
  (:class:`SyntheticPortfolio`), whose ``rows()`` feed a bulk database insert directly;
- :meth:`SyntheticPortfolio.frame` builds the core's :class:`~kambot.core.frames.PortfolioFrame`
  without any database, to benchmark the deterministic core alone.

:func:`synthetic_programme` returns the programme that matches (people, capacity).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel

from kambot.core.frames import (
    ACTIVITY_CODES,
    INITIATIVE_CODES,
    LEVEL_CODES,
    NO_DATE,
    ROLE_CODES,
    AccountFrame,
    ActivityFrame,
    ContactFrame,
    InitiativeFrame,
    OpportunityFrame,
    PortfolioFrame,
    RevenueFrame,
    empty_activities,
    empty_contacts,
    empty_initiatives,
    empty_opportunities,
    empty_revenue,
)
from kambot.demo import wordlists as w
from kambot.demo.generate import (
    SEGMENT_OF_INDUSTRY,
    csv_columns,
    demo_programme,
    programme_yaml,
)
from kambot.domain.accounts import (
    Account,
    Activity,
    Contact,
    Initiative,
    InvoiceLine,
    Opportunity,
)
from kambot.domain.programme import Capacity, Person, Programme
from kambot.errors import DataError

ColumnKind = Literal["str", "cat", "list", "float", "int", "date", "bool"]

AS_OF = date(2026, 10, 31)
HISTORY_DAYS = 4 * 365
DEFAULT_SEED = 20261031
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

INDUSTRY_KEYS = tuple(i[0] for i in w.INDUSTRIES)
COUNTRY_KEYS = tuple(c[0] for c in w.COUNTRIES)
PRODUCT_KEYS = tuple(p[0] for p in w.PRODUCTS)
SEGMENT_KEYS = tuple(dict.fromkeys(SEGMENT_OF_INDUSTRY.values()))
OPPORTUNITY_STAGES = ("open", "won", "lost")  # same order as OPP_OPEN/WON/LOST
POTENTIAL_SOURCES = ("entered", "estimated", "unknown")
_EXEC_TITLES = (
    "Chief Executive Officer", "Chief Financial Officer", "Chief Operating Officer",
    "Chief Technology Officer", "Chief Sales Officer", "Chief Human Resources Officer",
    "Executive Vice-President, Services",
)


@dataclass(frozen=True)
class SyntheticColumn:
    """One column of a synthetic table, stored the way numpy makes it fast.

    ``kind`` says how ``values`` is encoded:
    ``str`` object array with None for missing; ``cat`` integer codes into ``labels``
    (-1 missing); ``list`` codes into ``labels`` that hold ``;``-joined lists; ``float``
    float64 with nan for missing; ``int`` float64 holding whole numbers, nan for missing;
    ``date`` int64 ordinals (``date.toordinal()``), -1 for missing; ``bool`` booleans.
    """

    kind: ColumnKind
    values: npt.NDArray[Any]
    labels: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def to_python(self) -> list[object]:
        """Return the values as Python objects, as the domain models expect them."""
        v = self.values
        if self.kind == "str":
            return list(v.tolist())
        if self.kind == "cat":
            lookup = np.asarray([*self.labels, None], dtype=object)  # code -1 -> None
            return list(lookup[v].tolist())
        if self.kind == "list":
            lists = [[p for p in lab.split(";") if p] for lab in self.labels]
            return [list(lists[i]) for i in v.tolist()]
        if self.kind == "float":
            return [None if math.isnan(x) else x for x in v.tolist()]
        if self.kind == "int":
            return [None if math.isnan(x) else int(x) for x in v.tolist()]
        if self.kind == "date":
            table = _date_table(v)
            base = table[1]
            return [None if o < 0 else table[2][o - base] for o in v.tolist()]
        return [bool(x) for x in v.tolist()]

    def to_cells(self) -> list[str]:
        """Return the values formatted as native-CSV cells (empty string = missing)."""
        v = self.values
        if self.kind == "str":
            return ["" if x is None else _quote(str(x)) for x in v.tolist()]
        if self.kind in ("cat", "list"):
            lookup = np.asarray([*(_quote(lab) for lab in self.labels), ""], dtype=object)
            return list(lookup[v].tolist())
        if self.kind in ("float", "int"):
            present = ~np.isnan(v)
            if self.kind == "int":
                texts = list(map(str, np.round(v[present]).astype(np.int64).tolist()))
            else:
                texts = list(map("{:.2f}".format, v[present].tolist()))
            if bool(present.all()):
                return texts
            cells = np.full(v.shape[0], "", dtype=object)
            cells[present] = texts
            return list(cells.tolist())
        if self.kind == "date":
            table = _date_table(v)
            lookup = np.asarray([*table[0], ""], dtype=object)
            idx = np.where(v >= 0, v - table[1], len(table[0]))
            return list(lookup[idx].tolist())
        return ["true" if x else "false" for x in v.tolist()]


def _quote(text: str) -> str:
    """Quote a cell the way ``csv.QUOTE_MINIMAL`` does, for the fast string-join writer."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _date_table(v: npt.NDArray[Any]) -> tuple[list[str], int, list[date]]:
    """Return ISO strings and dates for every ordinal between the column's min and max."""
    valid = v[v >= 0]
    if valid.size == 0:
        return [], 0, []
    lo, hi = int(valid.min()), int(valid.max())
    dates = [date.fromordinal(o) for o in range(lo, hi + 1)]
    return [d.isoformat() for d in dates], lo, dates


@dataclass(frozen=True)
class SyntheticTable:
    """A synthetic entity table: named columns of equal length, in CSV header order."""

    columns: dict[str, SyntheticColumn]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def rows(self) -> Iterator[dict[str, object]]:
        """Yield one dict per row, with the Python values the domain models accept."""
        names = list(self.columns)
        values = [self.columns[n].to_python() for n in names]
        for row in zip(*values, strict=True):
            yield dict(zip(names, row, strict=True))

    def write_csv(self, path: Path, *, chunk_rows: int = 200_000) -> int:
        """Write the table as a native CSV file and return the number of data rows.

        Cells are formatted and quoted column by column (``csv.QUOTE_MINIMAL`` rules),
        then joined: about twice as fast as ``csv.writer`` for a million rows.
        """
        names = list(self.columns)
        n = len(self)
        with path.open("w", encoding="utf-8", newline="") as fh:
            fh.write(",".join(_quote(name) for name in names) + "\n")
            for lo in range(0, n, chunk_rows):
                part = {k: SyntheticColumn(c.kind, c.values[lo:lo + chunk_rows], c.labels)
                        for k, c in self.columns.items()}
                cells = [part[k].to_cells() for k in names]
                fh.write("\n".join(map(",".join, zip(*cells, strict=True))))
                fh.write("\n")
        return n


@dataclass(frozen=True)
class SyntheticPortfolio:
    """A synthetic portfolio in memory, keyed by native file name (``accounts.csv``...)."""

    as_of: date
    programme: Programme
    tables: dict[str, SyntheticTable] = field(default_factory=dict)

    def rows(self, file_name: str) -> Iterator[dict[str, object]]:
        """Yield the rows of one table (``"accounts.csv"``, ``"opportunities.csv"``...)."""
        if file_name not in self.tables:
            raise DataError(f"the synthetic portfolio has no table {file_name!r}",
                            hint=f"use one of {', '.join(self.tables)}")
        return self.tables[file_name].rows()

    def frame(self) -> PortfolioFrame:
        """Build the core's columnar portfolio directly, without a database.

        Account ids are 1..n in file order; cancelled invoice lines are left out of the
        monthly revenue, as the store does.
        """
        acc = self.tables["accounts.csv"].columns
        n = len(acc["external_id"])
        ext = [str(x) for x in acc["external_id"].values.tolist()]
        index = {e: i for i, e in enumerate(ext)}
        parents = acc["parent_external_id"].values.tolist()
        parent_idx = np.asarray([-1 if p is None else index[p] for p in parents], dtype=np.int64)
        people = [p.key for p in self.programme.people]
        kam = acc["owner_kam"]
        sponsor = acc["sponsor"]
        # owner_kam and sponsor share one label list (people keys) in the frame
        kam_codes = _recode(kam, people)
        sponsor_codes = _recode(sponsor, people)
        products = acc["products"]
        counts = np.asarray([lab.count(";") + 1 if lab else 0 for lab in products.labels]
                            + [0], dtype=np.float64)
        accounts = AccountFrame(
            ids=np.arange(1, n + 1, dtype=np.int64),
            external_ids=ext,
            names=[str(x) for x in acc["name"].values.tolist()],
            parent_idx=parent_idx,
            segment=acc["segment"].values.astype(np.int64),
            segment_labels=list(acc["segment"].labels),
            industry=acc["industry"].values.astype(np.int64),
            industry_labels=list(acc["industry"].labels),
            country=acc["country"].values.astype(np.int64),
            country_labels=list(acc["country"].labels),
            business_unit=acc["business_unit"].values.astype(np.int64),
            business_unit_labels=list(acc["business_unit"].labels),
            employees=acc["employees"].values.astype(np.float64),
            annual_revenue=acc["annual_revenue"].values.astype(np.float64),
            margin_pct=acc["margin_pct"].values.astype(np.float64),
            potential=acc["potential"].values.astype(np.float64),
            relationship_stage=acc["relationship_stage"].values.astype(np.float64),
            satisfaction=acc["satisfaction"].values.astype(np.float64),
            products_count=counts[products.values],
            kam=kam_codes,
            sponsor=sponsor_codes,
            people_labels=people,
            is_key_account=acc["is_key_account"].values.astype(np.bool_),
            selected_on=acc["selected_on"].values.astype(np.int64),
            plan_validated_on=acc["plan_validated_on"].values.astype(np.int64),
        )
        revenue = empty_revenue()
        opportunities = empty_opportunities()
        contacts = empty_contacts()
        activities = empty_activities()
        initiatives = empty_initiatives()
        if "invoice_lines.csv" in self.tables:
            revenue = _revenue_frame(self.tables["invoice_lines.csv"], index)
        if "opportunities.csv" in self.tables:
            o = self.tables["opportunities.csv"].columns
            opportunities = OpportunityFrame(
                account_idx=_account_idx(o["account_external_id"], index),
                stage=o["stage"].values.astype(np.int64),
                value=o["value"].values.astype(np.float64),
                probability=o["probability"].values.astype(np.float64),
                created_on=o["created_on"].values.astype(np.int64),
                closed_on=o["closed_on"].values.astype(np.int64),
            )
        if "contacts.csv" in self.tables:
            c = self.tables["contacts.csv"].columns
            contacts = ContactFrame(
                account_idx=_account_idx(c["account_external_id"], index),
                role=c["role"].values.astype(np.int64),
                level=c["level"].values.astype(np.int64),
                last_contact=c["last_contact"].values.astype(np.int64),
            )
        if "activities.csv" in self.tables:
            a = self.tables["activities.csv"].columns
            activities = ActivityFrame(
                account_idx=_account_idx(a["account_external_id"], index),
                kind=a["kind"].values.astype(np.int64),
                occurred_on=a["occurred_on"].values.astype(np.int64),
                resolved_on=a["resolved_on"].values.astype(np.int64),
            )
        if "initiatives.csv" in self.tables:
            t = self.tables["initiatives.csv"].columns
            initiatives = InitiativeFrame(
                account_idx=_account_idx(t["account_external_id"], index),
                status=t["status"].values.astype(np.int64),
                expected_value=t["expected_value"].values.astype(np.float64),
                resources_requested=t["resources_requested"].values.astype(np.float64),
                resources_committed=t["resources_committed"].values.astype(np.float64),
            )
        return PortfolioFrame(as_of=self.as_of, accounts=accounts, revenue=revenue,
                              opportunities=opportunities, contacts=contacts,
                              activities=activities, initiatives=initiatives)


def _recode(col: SyntheticColumn, labels: list[str]) -> npt.NDArray[np.int64]:
    pos = {lab: i for i, lab in enumerate(labels)}
    mapping = np.asarray([pos.get(lab, -1) for lab in col.labels] + [-1], dtype=np.int64)
    return mapping[col.values.astype(np.int64)]


def _account_idx(col: SyntheticColumn, index: dict[str, int]) -> npt.NDArray[np.int64]:
    if col.kind == "cat":  # codes into a label list: map the labels once
        mapping = np.asarray([index[lab] for lab in col.labels] + [-1], dtype=np.int64)
        return mapping[col.values.astype(np.int64)]
    return np.asarray([index[str(x)] for x in col.values.tolist()], dtype=np.int64)


def _revenue_frame(lines: SyntheticTable, index: dict[str, int]) -> RevenueFrame:
    c = lines.columns
    keep = ~c["cancelled"].values.astype(np.bool_)
    acc = _account_idx(c["account_external_id"], index)[keep]
    days = c["invoiced_on"].values.astype(np.int64)[keep] - _EPOCH_ORDINAL
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    amount = c["amount"].values.astype(np.float64)[keep]
    if acc.size == 0:
        return RevenueFrame(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    lo = int(months.min())
    span = int(months.max()) - lo + 1
    key = acc * span + (months - lo)
    uniq, inverse = np.unique(key, return_inverse=True)
    sums = np.bincount(inverse, weights=amount).astype(np.float64)
    return RevenueFrame(account_idx=(uniq // span).astype(np.int64),
                        month=(uniq % span + lo).astype(np.int64), amount=sums)


# --- programme -----------------------------------------------------------------------


def synthetic_programme(kams: int = 50, accounts_per_kam: int = 4) -> Programme:
    """Return a programme matching a synthetic portfolio: demo criteria, ``kams`` KAMs.

    Args:
        kams: number of key account managers (``kam0001``...).
        accounts_per_kam: key accounts each KAM can carry.

    Returns:
        The demo programme's objectives, segments, criteria and tier rules, with the
        synthetic people and a capacity of ``kams * accounts_per_kam`` key accounts.
    """
    if kams < 1:
        raise DataError(f"a synthetic programme needs at least one KAM, not {kams}",
                        hint="pass kams >= 1")
    base = demo_programme()
    execs = [
        Person(key=f"exec{i + 1:02d}", name=f"Executive {i + 1:02d}", role="executive",
               title=title, industries=[INDUSTRY_KEYS[(2 * i + j) % len(INDUSTRY_KEYS)]
                                        for j in range(2)],
               max_accounts=max(2, kams * accounts_per_kam // 10))
        for i, title in enumerate(_EXEC_TITLES)
    ]
    kam_people = [
        Person(key=f"kam{i + 1:04d}", name=f"Key Account Manager {i + 1:04d}", role="kam",
               title="Key Account Manager",
               industries=[INDUSTRY_KEYS[i % len(INDUSTRY_KEYS)]],
               max_accounts=accounts_per_kam)
        for i in range(kams)
    ]
    lead = Person(key="lead", name="Programme Lead", role="programme_lead",
                  title="Key Account Programme Director")
    capacity = Capacity(max_key_accounts=kams * accounts_per_kam,
                        min_key_accounts=0, accounts_per_kam=accounts_per_kam, kams=kams)
    return base.model_copy(update={
        "name": "Synthetic benchmark programme",
        "company": "Synthetic Industries",
        "capacity": capacity,
        "people": [*execs, lead, *kam_people],
    })


# --- generation ----------------------------------------------------------------------


def _cat(codes: npt.NDArray[np.generic], labels: tuple[str, ...] | list[str]) -> SyntheticColumn:
    return SyntheticColumn("cat", codes.astype(np.int64), tuple(labels))


def _ids(prefix: str, n: int, width: int) -> npt.NDArray[np.object_]:
    return np.asarray([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _with_missing(rng: np.random.Generator, values: npt.NDArray[Any],
                  p: float) -> npt.NDArray[np.float64]:
    out = values.astype(np.float64, copy=True)
    out[rng.random(out.shape[0]) < p] = np.nan
    return out


def synthetic_portfolio_rows(
    accounts: int = 100_000,
    opportunities: int = 1_000_000,
    invoice_lines: int = 0,
    seed: int = DEFAULT_SEED,
    *,
    contacts: int = 0,
    activities: int = 0,
    kams: int | None = None,
) -> SyntheticPortfolio:
    """Generate a synthetic portfolio in memory, as numpy columns.

    Args:
        accounts: number of accounts (about 1% are group parents, 4% subsidiaries).
        opportunities: number of opportunities, spread with the accounts' size.
        invoice_lines: number of invoice lines over four years (0 = no revenue table).
        seed: seed of numpy's random generator; the same arguments give the same data.
        contacts: number of customer contacts (0 = no contact table).
        activities: number of activities (0 = no activity table).
        kams: number of KAMs; default one per 2,000 accounts, at least 6.

    Returns:
        The portfolio, with ``programme`` from :func:`synthetic_programme` and tables keyed
        by native file name. Initiatives (three per key account) are always included.
    """
    if accounts < 1:
        raise DataError(f"a synthetic portfolio needs at least one account, not {accounts}",
                        hint="pass accounts >= 1")
    if min(opportunities, invoice_lines, contacts, activities) < 0:
        raise DataError("row counts of a synthetic portfolio cannot be negative",
                        hint="pass 0 to leave a table out")
    n_kams = kams if kams is not None else max(6, accounts // 2000)
    programme = synthetic_programme(n_kams)
    rng = np.random.default_rng(seed)
    tables: dict[str, SyntheticTable] = {}
    as_of_ord = AS_OF.toordinal()
    start_ord = as_of_ord - HISTORY_DAYS + 1
    n = accounts

    # -- accounts ------------------------------------------------------------------
    ext = _ids("S", n, 7)
    ind_w = np.asarray([i[1] for i in w.INDUSTRIES])
    industry = rng.choice(len(INDUSTRY_KEYS), size=n, p=ind_w / ind_w.sum())
    industry[rng.random(n) < 0.02] = -1
    seg_of = np.asarray([SEGMENT_KEYS.index(SEGMENT_OF_INDUSTRY[k])
                         if k in SEGMENT_OF_INDUSTRY else -1 for k in INDUSTRY_KEYS] + [-1])
    segment = seg_of[industry]
    cw = np.asarray([c[1] for c in w.COUNTRIES])
    country = rng.choice(len(COUNTRY_KEYS), size=n, p=cw / cw.sum())
    bu_of = np.asarray([w.BUSINESS_UNITS.index(i[2]) for i in w.INDUSTRIES] + [0])
    business_unit = np.where(rng.random(n) < 0.1, 2, bu_of[industry])
    revenue = np.exp(np.log(130_000.0) + 1.6 * rng.standard_normal(n))  # ours, per year
    rank = np.empty(n)
    rank[np.argsort(revenue)] = np.arange(n) / max(1, n - 1)
    share = 1.0 / (1.0 + np.exp(-rng.normal(-0.75 + 1.3 * rank, 0.75)))
    share = np.clip(share, 0.03, 0.85)
    spend = np.asarray([i[3] for i in w.INDUSTRIES] + [0.008])[industry]
    turnover = np.round(revenue / share / spend * np.exp(rng.normal(0, 0.25, n)), -3)
    per_emp = np.asarray([i[4] for i in w.INDUSTRIES] + [300_000.0])[industry]
    employees = np.maximum(4.0, np.round(turnover / per_emp))
    src_roll = rng.random(n)
    source = np.where(src_roll < 0.12, 2, np.where(src_roll < 0.62, 0, 1))
    potential = np.where(source == 2, np.nan,
                         np.round(3.0 * revenue / share * np.exp(rng.normal(0, 0.15, n)), -3))
    margin = np.round(rng.normal(27.0 - 5.0 * rank, 5.0), 1)
    stage = np.clip(np.round(1.0 + 3.2 * (0.55 * share / 0.85 + 0.45 * rank)
                             + rng.normal(0, 0.6, n)), 1, 5)
    satisfaction = np.round(np.clip(rng.normal(7.1 + 0.4 * rank, 1.2), 1, 10), 1)
    n_products = np.clip(1 + rng.poisson(0.4 + 6.5 * rank**2), 1, len(PRODUCT_KEYS))
    # A product mask per account: random bits, then enough extra bits to reach the count.
    scores = rng.random((n, len(PRODUCT_KEYS)))
    order = np.argsort(scores, axis=1)
    bits = np.zeros((n, len(PRODUCT_KEYS)), dtype=bool)
    cols = np.arange(len(PRODUCT_KEYS))
    bits[np.arange(n)[:, None], order] = cols[None, :] < n_products[:, None]
    mask = (bits * (1 << cols)).sum(axis=1)
    mask[rng.random(n) < 0.03] = 0  # no product in the last two years
    combos = tuple(";".join(PRODUCT_KEYS[b] for b in range(len(PRODUCT_KEYS)) if m >> b & 1)
                   for m in range(1 << len(PRODUCT_KEYS)))

    # Groups: parents are large accounts; children never have children of their own.
    n_parents = max(1, n // 100) if n >= 20 else 0
    by_size = np.argsort(-revenue, kind="stable")
    parents = by_size[: n_parents * 3][rng.permutation(min(n, n_parents * 3))[:n_parents]]
    parent_idx = np.full(n, -1, dtype=np.int64)
    if n_parents:
        others = np.setdiff1d(np.arange(n), parents)
        children = rng.choice(others, size=min(others.size, n_parents * 4), replace=False)
        parent_idx[children] = parents[rng.integers(0, n_parents, children.size)]
    parent_ext = np.asarray([None] * n, dtype=object)
    parent_ext[parent_idx >= 0] = ext[parent_idx[parent_idx >= 0]]

    # Key accounts: the largest non-subsidiaries, up to the programme's capacity.
    capacity = programme.capacity.effective_max
    candidates = by_size[parent_idx[by_size] < 0]
    n_key = min(candidates.size, max(1, capacity * 4 // 5))
    key_idx = np.sort(candidates[:n_key])
    is_key = np.zeros(n, dtype=bool)
    is_key[key_idx] = True
    kam_keys = [p.key for p in programme.people if p.role == "kam"]
    exec_keys = [p.key for p in programme.people if p.role == "executive"]
    owner = np.full(n, -1, dtype=np.int64)
    owner[key_idx] = np.arange(n_key) % len(kam_keys)
    sponsor = np.full(n, -1, dtype=np.int64)
    with_sponsor = key_idx[rng.random(n_key) < 0.8]
    sponsor[with_sponsor] = rng.integers(0, len(exec_keys), with_sponsor.size)
    selected = np.full(n, NO_DATE, dtype=np.int64)
    selected[key_idx] = date(2025, 1, 15).toordinal() + rng.integers(0, 400, n_key)
    validated = np.full(n, NO_DATE, dtype=np.int64)
    val_mask = rng.random(n_key) < 0.6
    validated[key_idx[val_mask]] = np.minimum(
        as_of_ord, selected[key_idx[val_mask]] + rng.integers(60, 150, int(val_mask.sum())))

    name_roots = [s + m + e for s in w.NAME_START for m in w.NAME_MIDDLE for e in w.NAME_END]
    roots = rng.integers(0, len(name_roots), n).tolist()
    names = np.asarray([f"{name_roots[r]} Industries {i + 1:07d}" for i, r in enumerate(roots)],
                       dtype=object)
    method = np.asarray([None] * n, dtype=object)
    method[source == 1] = "3 years x automation spend ratio of customer turnover"
    tables["accounts.csv"] = SyntheticTable({
        "external_id": SyntheticColumn("str", ext),
        "name": SyntheticColumn("str", names),
        "parent_external_id": SyntheticColumn("str", parent_ext),
        "industry": _cat(industry, INDUSTRY_KEYS),
        "segment": _cat(segment, SEGMENT_KEYS),
        "country": _cat(country, COUNTRY_KEYS),
        "business_unit": _cat(business_unit, w.BUSINESS_UNITS),
        "employees": SyntheticColumn("int", _with_missing(rng, employees, 0.07)),
        "annual_revenue": SyntheticColumn("int", _with_missing(rng, turnover, 0.06)),
        "margin_pct": SyntheticColumn("float", _with_missing(rng, margin, 0.04)),
        "potential": SyntheticColumn("int", potential),
        "potential_source": _cat(source, POTENTIAL_SOURCES),
        "potential_method": SyntheticColumn("str", method),
        "products": SyntheticColumn("list", mask.astype(np.int64), combos),
        "relationship_stage": SyntheticColumn("int", _with_missing(rng, stage, 0.05)),
        "satisfaction": SyntheticColumn("float", _with_missing(rng, satisfaction, 0.2)),
        "owner_kam": _cat(owner, kam_keys),
        "sponsor": _cat(sponsor, exec_keys),
        "is_key_account": SyntheticColumn("bool", is_key),
        "selected_on": SyntheticColumn("date", selected),
        "plan_validated_on": SyntheticColumn("date", validated),
    })
    account_labels = tuple(str(x) for x in ext.tolist())
    team_labels = tuple(f"sales-{c.lower()}" for c in COUNTRY_KEYS)
    owner_labels = (*kam_keys, *team_labels)
    # Owner of an account's deals and notes: its KAM, else the country's sales team.
    owner_code = np.where(owner >= 0, owner, len(kam_keys) + country)
    size_p = np.sqrt(revenue)
    size_p /= size_p.sum()

    # -- opportunities ---------------------------------------------------------------
    if opportunities:
        m = opportunities
        acc = rng.choice(n, size=m, p=size_p)
        created = start_ord + rng.integers(0, HISTORY_DAYS, m)
        cycle = np.exp(rng.normal(np.log(80), 0.6, m)).astype(np.int64)
        closed_at = created + cycle
        is_open = (closed_at > as_of_ord) | (rng.random(m) < 0.02)
        won = rng.random(m) < 0.32 + 0.18 * is_key[acc] + 0.1 * rank[acc]
        stage_code = np.where(is_open, 0, np.where(won, 1, 2))
        crm_labels = ("Qualification", "Needs analysis", "Proposal", "Negotiation",
                      "Closed Won", "Closed Lost")
        progress = np.clip(((as_of_ord - created) / np.maximum(cycle, 1) * 3.5).astype(np.int64),
                           0, 3)
        crm = np.where(stage_code == 0, progress, np.where(stage_code == 1, 4, 5))
        prob = np.where(stage_code == 0,
                        np.round(np.clip(np.asarray([0.1, 0.25, 0.5, 0.75])[progress]
                                         + rng.normal(0, 0.06, m), 0.05, 0.95), 2), np.nan)
        prob[(stage_code == 0) & (rng.random(m) < 0.1)] = np.nan
        value = np.round(np.exp(rng.normal(np.log(np.maximum(6_000.0, 0.18 * revenue[acc])),
                                           0.8)), -2)
        value = _with_missing(rng, value, 0.03)
        product = rng.integers(0, len(PRODUCT_KEYS), m)
        tables["opportunities.csv"] = SyntheticTable({
            "external_id": SyntheticColumn("str", _ids("SO", m, 8)),
            "account_external_id": _cat(acc, account_labels),
            "name": _cat(product, tuple(f"{p[1][0].upper()}{p[1][1:]} project"
                                        for p in w.PRODUCTS)),
            "product": _cat(product, PRODUCT_KEYS),
            "stage": _cat(stage_code, OPPORTUNITY_STAGES),
            "crm_stage": _cat(crm, crm_labels),
            "value": SyntheticColumn("float", value),
            "probability": SyntheticColumn("float", prob),
            "created_on": SyntheticColumn("date", created),
            "closed_on": SyntheticColumn("date", np.where(stage_code == 0, NO_DATE,
                                                          np.minimum(closed_at, as_of_ord))),
            "owner": _cat(owner_code[acc], owner_labels),
        })

    # -- invoice lines ---------------------------------------------------------------
    if invoice_lines:
        k = invoice_lines
        p_rev = revenue / revenue.sum()
        acc = np.sort(rng.choice(n, size=k, p=p_rev))
        day = start_ord + rng.integers(0, HISTORY_DAYS, k)
        order = np.lexsort((day, acc))
        acc, day = acc[order], day[order]
        per_account = np.bincount(acc, minlength=n).astype(np.float64)
        amount = np.round(revenue[acc] * 4.0 / per_account[acc]
                          * np.exp(rng.normal(-0.045, 0.3, k)), 2)
        product = rng.integers(0, len(PRODUCT_KEYS), k)
        prices = np.asarray([p[2] for p in w.PRODUCTS])[product]
        quantity = np.maximum(1.0, np.round(amount / prices))
        new_invoice = np.ones(k, dtype=bool)
        new_invoice[1:] = (acc[1:] != acc[:-1]) | (day[1:] != day[:-1])
        invoice_no = np.cumsum(new_invoice)
        line_no = np.arange(k) - np.flatnonzero(new_invoice)[invoice_no - 1] + 1
        invoice = np.asarray([f"SI{i:09d}" for i in invoice_no.tolist()], dtype=object)
        line_ids = np.asarray([f"{inv}-{j}" for inv, j in zip(invoice.tolist(), line_no.tolist(),
                                                               strict=True)], dtype=object)
        tables["invoice_lines.csv"] = SyntheticTable({
            "external_id": SyntheticColumn("str", line_ids),
            "invoice": SyntheticColumn("str", invoice),
            "account_external_id": _cat(acc, account_labels),
            "invoiced_on": SyntheticColumn("date", day),
            "product": _cat(product, PRODUCT_KEYS),
            "quantity": SyntheticColumn("int", quantity),
            "amount": SyntheticColumn("float", amount),
            "cancelled": SyntheticColumn("bool", rng.random(k) < 0.008),
        })

    # -- contacts --------------------------------------------------------------------
    if contacts:
        c = contacts
        acc = np.sort(rng.choice(n, size=c, p=size_p))
        role = rng.choice(len(ROLE_CODES), size=c, p=[0.2, 0.22, 0.16, 0.14, 0.04, 0.16, 0.08])
        level = np.clip(np.asarray([0, 1, 2, 3, 3, 4, 4])[role] + rng.integers(0, 2, c), 0, 4)
        last = as_of_ord - np.minimum(1300, np.exp(rng.normal(np.log(150), 0.9, c))).astype(
            np.int64)
        last[rng.random(c) < 0.1] = NO_DATE
        tables["contacts.csv"] = SyntheticTable({
            "external_id": SyntheticColumn("str", _ids("SP", c, 8)),
            "account_external_id": _cat(acc, account_labels),
            "name": SyntheticColumn("str", np.asarray(
                [f"Contact {i:08d}" for i in range(1, c + 1)], dtype=object)),
            "title": _cat(role, tuple(w.TITLES[r][0][1] for r in ROLE_CODES)),
            "role": _cat(role, ROLE_CODES),
            "level": _cat(level, LEVEL_CODES),
            "email": SyntheticColumn("str", np.asarray(
                [f"contact.{i:08d}@synthetic.example" for i in range(1, c + 1)], dtype=object)),
            "last_contact": SyntheticColumn("date", last),
        })

    # -- activities ------------------------------------------------------------------
    if activities:
        a = activities
        acc = rng.choice(n, size=a, p=size_p)
        kind = rng.choice(len(ACTIVITY_CODES), size=a, p=[0.4, 0.03, 0.02, 0.3, 0.2, 0.05])
        occurred = np.sort(start_ord + rng.integers(0, HISTORY_DAYS, a))
        resolved = np.where(kind == ACTIVITY_CODES.index("escalation"),
                            np.minimum(as_of_ord, occurred
                                       + np.exp(rng.normal(np.log(7), 0.8, a)).astype(np.int64)),
                            NO_DATE)
        resolved[(resolved == as_of_ord) | (rng.random(a) < 0.03)] = NO_DATE
        texts = (*w.CALL_TEXT["en"], *w.NOTE_TEXT["en"], *w.CALL_TEXT["fr"], *w.NOTE_TEXT["fr"])
        plain = tuple(t.replace("{", "").replace("}", "") for t in texts)
        tables["activities.csv"] = SyntheticTable({
            "external_id": SyntheticColumn("str", _ids("SA", a, 8)),
            "account_external_id": _cat(acc, account_labels),
            "kind": _cat(kind, ACTIVITY_CODES),
            "occurred_on": SyntheticColumn("date", occurred),
            "resolved_on": SyntheticColumn("date", resolved),
            "subject": _cat(kind, tuple(k.replace("_", " ").capitalize()
                                        for k in ACTIVITY_CODES)),
            "text": _cat(rng.integers(0, len(plain), a), plain),
            "author": _cat(owner_code[acc], owner_labels),
        })

    # -- initiatives (three per key account) -----------------------------------------
    t = n_key * 3
    acc = np.repeat(key_idx, 3)
    status = rng.choice(len(INITIATIVE_CODES), size=t, p=[0.25, 0.25, 0.25, 0.15, 0.1])
    requested = rng.integers(4, 50, t).astype(np.float64) * 5
    committed = np.where(status == 0, np.nan, np.round(requested * rng.uniform(0.35, 1.0, t)))
    decided = np.where(status == 0, NO_DATE, np.maximum(selected[acc], as_of_ord - 300)
                       + rng.integers(0, 250, t))
    titles = tuple(s.format(site="the main plant", country="national", year=AS_OF.year + 1,
                            line=3) for s in w.INITIATIVES)
    tables["initiatives.csv"] = SyntheticTable({
        "external_id": SyntheticColumn("str", _ids("SN", t, 6)),
        "account_external_id": _cat(acc, account_labels),
        "title": _cat(rng.integers(0, len(titles), t), titles),
        "status": _cat(status, INITIATIVE_CODES),
        "expected_value": SyntheticColumn("int", np.round(
            np.exp(rng.normal(np.log(np.maximum(60_000.0, 0.08 * revenue[acc])), 0.6)), -4)),
        "profit_centre": _cat(rng.integers(0, len(w.BUSINESS_UNITS), t), w.BUSINESS_UNITS),
        "resources_requested": SyntheticColumn("int", requested),
        "resources_committed": SyntheticColumn("int", committed),
        "decided_on": SyntheticColumn("date", np.minimum(decided, as_of_ord)),
    })
    _check_columns(tables)
    return SyntheticPortfolio(as_of=AS_OF, programme=programme, tables=tables)


_MODELS: dict[str, type[BaseModel]] = {
    "accounts.csv": Account,
    "opportunities.csv": Opportunity,
    "invoice_lines.csv": InvoiceLine,
    "contacts.csv": Contact,
    "activities.csv": Activity,
    "initiatives.csv": Initiative,
}


def _check_columns(tables: dict[str, SyntheticTable]) -> None:
    # The native format's header is the domain model: fail loudly if a model changes.
    for name, table in tables.items():
        expected = csv_columns(_MODELS[name])
        if list(table.columns) != expected:
            raise DataError(f"synthetic {name} columns {list(table.columns)} do not match the "
                            f"domain model {expected}",
                            hint="update kambot/demo/synthetic.py after a domain model change")


def synthetic_portfolio_files(
    out_dir: Path,
    accounts: int = 100_000,
    opportunities: int = 1_000_000,
    invoice_lines: int = 0,
    seed: int = DEFAULT_SEED,
    *,
    contacts: int = 0,
    activities: int = 0,
    kams: int | None = None,
) -> dict[str, int]:
    """Write a synthetic portfolio as native-format CSV files plus ``programme.yaml``.

    Args:
        out_dir: folder to write into (created if needed).
        accounts: number of accounts.
        opportunities: number of opportunities.
        invoice_lines: number of invoice lines (0 = no ``invoice_lines.csv``).
        seed: seed of numpy's random generator.
        contacts: number of contacts (0 = no ``contacts.csv``).
        activities: number of activities (0 = no ``activities.csv``).
        kams: number of KAMs; default one per 2,000 accounts, at least 6.

    Returns:
        Data rows written per CSV file name, ``people.csv`` included.
    """
    portfolio = synthetic_portfolio_rows(accounts, opportunities, invoice_lines, seed,
                                         contacts=contacts, activities=activities, kams=kams)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    people = portfolio.programme.people
    person_cols = csv_columns(Person)
    with (out_dir / "people.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(person_cols)
        for p in people:
            writer.writerow([
                p.key, p.name, p.role, p.title or "", ";".join(p.industries),
                "" if p.max_accounts is None else str(p.max_accounts), p.email or "",
            ])
    counts["people.csv"] = len(people)
    for name, table in portfolio.tables.items():
        counts[name] = table.write_csv(out_dir / name)
    (out_dir / "programme.yaml").write_text(programme_yaml(portfolio.programme),
                                            encoding="utf-8")
    return counts
