"""Build the core's columnar portfolio frames from the database, fast.

The frames (``kambot.core.frames``) are read with a handful of SQL queries on only the
needed columns, straight through the driver: codes (stages, roles...) and dates (as
``date.toordinal()`` numbers) are computed by the database, so no Python object is
made per value except the driver's own rows.

- SQLite: rows come through ``fetchall`` and one ``np.array`` per query. That costs
  a few seconds for millions of rows, so the result is also kept as a derived
  snapshot in the ``portfolio_snapshot`` table: triggers on every source table empty it
  in the same transaction as any change, so a stored snapshot always matches the data
  and the next load reads it back in a fraction of a second.
- PostgreSQL: the server packs every row into fixed-width binary and the rows into one
  value (``string_agg(int8send(a) || float8send(b) ...)``) that numpy reads as records
  at once; no snapshot is used (the tables are read on every load, about 2 s for
  100,000 accounts and 2 million rows on a small machine).

All queries of one load run in one transaction (one consistent view of the data).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

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
)
from kambot.errors import StoreError
from kambot.store.db import SQLITE_BUSY_TIMEOUT_MS

#: Bumped whenever the snapshot layout changes; older snapshots are then ignored.
SNAPSHOT_FORMAT = 1
_STAGE_CODES = ("open", "won", "lost")
# julianday('0001-01-01') is 1721425.5 and date(1, 1, 1).toordinal() is 1.
_JULIAN_OFFSET = 1721424.5

Arrays = dict[str, npt.NDArray[Any]]


@dataclass
class _Raw:
    """Everything a load produces before ``as_of`` is applied (what a snapshot stores)."""

    arrays: Arrays
    texts: dict[str, list[str]]
    data_as_of: int  # ordinal of the latest data date, NO_DATE when there is no data


# --- SQL helpers ------------------------------------------------------------------------


def _ordinal(dialect: str, column: str) -> str:
    if dialect == "sqlite":
        return f"CAST(julianday({column}) - {_JULIAN_OFFSET} AS INTEGER)"
    return f"({column} - DATE '0001-01-01' + 1)"


def _code(column: str, codes: Sequence[str]) -> str:
    whens = " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(codes))
    return f"CASE {column} {whens} ELSE -1 END"


def _fetch_numeric(
    conn: Connection, columns: Sequence[tuple[str, str, str]], source: str
) -> Arrays:
    """Run ``SELECT <columns> FROM <source>`` and return one numpy array per column.

    Args:
        conn: the connection (inside the load's transaction).
        columns: (name, SQL expression, kind) with kind ``i`` (NULL becomes -1) or
            ``f`` (NULL becomes nan).
        source: the FROM clause. Rows come in no particular order, the same for
            every column.
    """
    dialect = conn.dialect.name
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    if dialect == "postgresql":
        return _fetch_packed(dbapi, columns, source)
    select = ", ".join(
        f"COALESCE({expr}, -1)" if kind == "i" else expr for _, expr, kind in columns
    )
    cursor = dbapi.cursor()
    try:
        cursor.execute(f"SELECT {select} FROM {source}")
        rows = cursor.fetchall()
    finally:
        cursor.close()
    # One conversion for the whole result: None becomes nan, integers stay exact.
    table = (
        np.array(rows, dtype=np.float64) if rows else np.empty((0, len(columns)), dtype=np.float64)
    )
    out: Arrays = {}
    for j, (name, _, kind) in enumerate(columns):
        column = table[:, j]
        out[name] = column.astype(np.int64) if kind == "i" else np.ascontiguousarray(column)
    return out


def _fetch_packed(dbapi: Any, columns: Sequence[tuple[str, str, str]], source: str) -> Arrays:
    """Fetch PostgreSQL rows packed by the server into one binary string.

    Each row becomes the concatenation of its values' 8-byte big-endian encodings
    (``int8send`` / ``float8send``) and ``string_agg`` joins the rows: one value comes
    back whatever the table size, and numpy reads it as fixed-width records.
    """
    parts = []
    for _, expr, kind in columns:
        if kind == "i":
            parts.append(f"int8send(COALESCE(({expr})::int8, -1))")
        else:
            parts.append(f"float8send(COALESCE(({expr})::float8, 'NaN'))")
    packed = " || ".join(parts)
    cursor = dbapi.cursor(binary=True)
    try:
        cursor.execute(f"SELECT COALESCE(string_agg({packed}, ''::bytea), ''::bytea) FROM {source}")
        row = cursor.fetchone()
    finally:
        cursor.close()
    record = np.dtype([(name, ">i8" if kind == "i" else ">f8") for name, _, kind in columns])
    data = np.frombuffer(bytes(row[0]), dtype=record)
    return {
        name: data[name].astype(np.int64 if kind == "i" else np.float64)
        for name, _, kind in columns
    }


def _fetch_rows(conn: Connection, sql: str) -> list[tuple[Any, ...]]:
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cursor = dbapi.cursor()
    try:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _categorical(values: Sequence[str | None]) -> tuple[npt.NDArray[np.int64], list[str]]:
    labels = sorted({v for v in values if v is not None})
    index = {label: i for i, label in enumerate(labels)}
    codes = np.fromiter(
        (index[v] if v is not None else -1 for v in values), dtype=np.int64, count=len(values)
    )
    return codes, labels


def _positions(
    sorted_ids: npt.NDArray[np.int64], ids: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Map database ids to positions in ``sorted_ids``; -1 when absent."""
    if sorted_ids.size == 0:
        return np.full(ids.shape, -1, dtype=np.int64)
    pos = np.searchsorted(sorted_ids, ids)
    pos = np.minimum(pos, sorted_ids.size - 1)
    return np.where(sorted_ids[pos] == ids, pos, -1).astype(np.int64)


# --- building -------------------------------------------------------------------------


def _build(conn: Connection) -> _Raw:
    dialect = conn.dialect.name

    def ordinal(column: str) -> str:
        return _ordinal(dialect, column)

    acc = _fetch_numeric(
        conn,
        [
            ("id", "id", "i"),
            ("parent_id", "parent_id", "i"),
            ("employees", "employees", "f"),
            ("annual_revenue", "annual_revenue", "f"),
            ("margin_pct", "margin_pct", "f"),
            ("potential", "potential", "f"),
            ("relationship_stage", "relationship_stage", "f"),
            ("satisfaction", "satisfaction", "f"),
            ("products_count", "json_array_length(products)", "f"),
            ("owner_kam_id", "owner_kam_id", "i"),
            ("sponsor_id", "sponsor_id", "i"),
            ("is_key_account", "CASE WHEN is_key_account THEN 1 ELSE 0 END", "i"),
            ("selected_on", ordinal("selected_on"), "i"),
            ("plan_validated_on", ordinal("plan_validated_on"), "i"),
        ],
        "accounts",
    )
    by_id = np.argsort(acc["id"], kind="stable")
    acc = {name: values[by_id] for name, values in acc.items()}
    text_rows = _fetch_rows(
        conn,
        "SELECT external_id, name, segment, industry, country, business_unit "
        "FROM accounts ORDER BY id",
    )
    ids = acc["id"]
    if len(text_rows) != ids.size:
        raise StoreError("accounts changed while the portfolio was being read")
    columns = list(zip(*text_rows, strict=True)) if text_rows else [()] * 6
    arrays: Arrays = {"acc.id": ids, "acc.parent_idx": _positions(ids, acc["parent_id"])}
    texts: dict[str, list[str]] = {
        "acc.external_ids": [str(v) for v in columns[0]],
        "acc.names": [str(v) for v in columns[1]],
    }
    for j, name in ((2, "segment"), (3, "industry"), (4, "country"), (5, "business_unit")):
        codes, labels = _categorical(columns[j])
        arrays[f"acc.{name}"] = codes
        texts[f"acc.{name}_labels"] = labels
    for name in (
        "employees",
        "annual_revenue",
        "margin_pct",
        "potential",
        "relationship_stage",
        "satisfaction",
        "products_count",
        "is_key_account",
        "selected_on",
        "plan_validated_on",
    ):
        arrays[f"acc.{name}"] = acc[name]

    people = _fetch_rows(conn, "SELECT id, key FROM people ORDER BY key")
    people_ids = np.array([int(p[0]) for p in people], dtype=np.int64)
    order = np.argsort(people_ids, kind="stable")
    sorted_people = people_ids[order]
    for column, name in (("owner_kam_id", "kam"), ("sponsor_id", "sponsor")):
        pos = _positions(sorted_people, acc[column])
        if order.size:
            pos = np.where(pos >= 0, order[np.maximum(pos, 0)], -1)
        arrays[f"acc.{name}"] = pos.astype(np.int64)
    texts["people_labels"] = [str(p[1]) for p in people]

    def child(prefix: str, cols: list[tuple[str, str, str]], table: str) -> Arrays:
        got = _fetch_numeric(conn, [("account_id", "account_id", "i"), *cols], table)
        idx = _positions(ids, got.pop("account_id"))
        keep = idx >= 0  # only rows of accounts in the frame (always, with foreign keys on)
        out = {f"{prefix}.account_idx": idx[keep]}
        out.update({f"{prefix}.{k}": v[keep] for k, v in got.items()})
        return out

    arrays.update(
        child("rev", [("month", "month", "i"), ("amount", "amount", "f")], "account_revenue")
    )
    arrays.update(
        child(
            "opp",
            [
                ("stage", _code("stage", _STAGE_CODES), "i"),
                ("value", "value", "f"),
                ("probability", "probability", "f"),
                ("created_on", ordinal("created_on"), "i"),
                ("closed_on", ordinal("closed_on"), "i"),
            ],
            "opportunities",
        )
    )
    arrays.update(
        child(
            "con",
            [
                ("role", _code("role", ROLE_CODES), "i"),
                ("level", _code("level", LEVEL_CODES), "i"),
                ("last_contact", ordinal("last_contact"), "i"),
            ],
            "contacts",
        )
    )
    arrays.update(
        child(
            "act",
            [
                ("kind", _code("kind", ACTIVITY_CODES), "i"),
                ("occurred_on", ordinal("occurred_on"), "i"),
                ("resolved_on", ordinal("resolved_on"), "i"),
            ],
            "activities",
        )
    )
    arrays.update(
        child(
            "ini",
            [
                ("status", _code("status", INITIATIVE_CODES), "i"),
                ("expected_value", "expected_value", "f"),
                ("resources_requested", "resources_requested", "f"),
                ("resources_committed", "resources_committed", "f"),
            ],
            "initiatives",
        )
    )
    return _Raw(arrays, texts, _data_as_of(conn, arrays))


def _data_as_of(conn: Connection, arrays: Arrays) -> int:
    """Return the ordinal of the latest invoice date, opportunity creation or closing."""
    latest = conn.exec_driver_sql("SELECT MAX(invoiced_on) FROM invoice_lines").scalar()
    candidates: list[int] = []
    if latest is not None:
        day = latest if isinstance(latest, date) else date.fromisoformat(str(latest)[:10])
        candidates.append(day.toordinal())
    created = arrays["opp.created_on"]
    if created.size:
        candidates.append(int(created.max()))
        closed = arrays["opp.closed_on"][arrays["opp.stage"] > 0]  # won or lost only
        if closed.size:
            candidates.append(int(closed.max()))
    real = [c for c in candidates if c > 0]
    return max(real) if real else NO_DATE


# --- snapshot ---------------------------------------------------------------------------


def _compact(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    if values.dtype != np.int64 or values.size == 0:
        return values
    low, high = int(values.min()), int(values.max())
    for dtype in (np.int8, np.int16, np.int32):
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return values.astype(dtype)
    return values


def _encode(raw: _Raw) -> bytes:
    meta = json.dumps({"texts": raw.texts, "data_as_of": raw.data_as_of}, ensure_ascii=False)
    arrays = {name: _compact(values) for name, values in raw.arrays.items()}
    arrays["__meta__"] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def _decode(payload: bytes) -> _Raw:
    with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
        arrays: Arrays = {}
        meta: dict[str, Any] = {}
        for name in archive.files:
            values = archive[name]
            if name == "__meta__":
                meta = json.loads(values.tobytes().decode("utf-8"))
            elif values.dtype.kind == "i":
                arrays[name] = values.astype(np.int64)
            else:
                arrays[name] = values
    return _Raw(arrays, meta["texts"], int(meta["data_as_of"]))


def _read_snapshot(conn: Connection) -> _Raw | None:
    row = conn.exec_driver_sql(
        "SELECT format, payload FROM portfolio_snapshot ORDER BY id DESC LIMIT 1"
    ).first()
    if row is None or int(row[0]) != SNAPSHOT_FORMAT:
        return None
    return _decode(bytes(row[1]))


def _data_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())


def _store_snapshot(conn: Connection, raw: _Raw, version: int) -> bool:
    """Store a snapshot unless another connection committed since it was read.

    Best effort: when the database is locked by a writer or read-only, nothing is stored
    and the next load builds the frames again.
    """
    payload = _encode(raw)
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    # Never wait for another writer here: the snapshot is an optimisation.
    dbapi.execute("PRAGMA busy_timeout=0")
    try:
        conn.execution_options(kambot_write=True)
        with conn.begin():
            if _data_version(conn) != version:
                return False
            conn.exec_driver_sql("DELETE FROM portfolio_snapshot")
            conn.execute(
                sa.text("INSERT INTO portfolio_snapshot (id, format, payload) VALUES (1, :f, :p)"),
                {"f": SNAPSHOT_FORMAT, "p": payload},
            )
        return True
    except sa.exc.OperationalError:
        return False
    finally:
        conn.execution_options(kambot_write=False)
        dbapi.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


# --- public API -------------------------------------------------------------------------


def _assemble(raw: _Raw, as_of: date | None) -> PortfolioFrame:
    a, t = raw.arrays, raw.texts
    if as_of is None:
        today = date.today()
        as_of = min(date.fromordinal(raw.data_as_of), today) if raw.data_as_of > 0 else today
    accounts = AccountFrame(
        ids=a["acc.id"],
        external_ids=list(t["acc.external_ids"]),
        names=list(t["acc.names"]),
        parent_idx=a["acc.parent_idx"],
        segment=a["acc.segment"],
        segment_labels=list(t["acc.segment_labels"]),
        industry=a["acc.industry"],
        industry_labels=list(t["acc.industry_labels"]),
        country=a["acc.country"],
        country_labels=list(t["acc.country_labels"]),
        business_unit=a["acc.business_unit"],
        business_unit_labels=list(t["acc.business_unit_labels"]),
        employees=a["acc.employees"],
        annual_revenue=a["acc.annual_revenue"],
        margin_pct=a["acc.margin_pct"],
        potential=a["acc.potential"],
        relationship_stage=a["acc.relationship_stage"],
        satisfaction=a["acc.satisfaction"],
        products_count=np.where(np.isnan(a["acc.products_count"]), 0.0, a["acc.products_count"]),
        kam=a["acc.kam"],
        sponsor=a["acc.sponsor"],
        people_labels=list(t["people_labels"]),
        is_key_account=a["acc.is_key_account"].astype(bool),
        selected_on=a["acc.selected_on"],
        plan_validated_on=a["acc.plan_validated_on"],
    )
    return PortfolioFrame(
        as_of=as_of,
        accounts=accounts,
        revenue=RevenueFrame(a["rev.account_idx"], a["rev.month"], a["rev.amount"]),
        opportunities=OpportunityFrame(
            a["opp.account_idx"],
            a["opp.stage"],
            a["opp.value"],
            a["opp.probability"],
            a["opp.created_on"],
            a["opp.closed_on"],
        ),
        contacts=ContactFrame(
            a["con.account_idx"], a["con.role"], a["con.level"], a["con.last_contact"]
        ),
        activities=ActivityFrame(
            a["act.account_idx"], a["act.kind"], a["act.occurred_on"], a["act.resolved_on"]
        ),
        initiatives=InitiativeFrame(
            a["ini.account_idx"],
            a["ini.status"],
            a["ini.expected_value"],
            a["ini.resources_requested"],
            a["ini.resources_committed"],
        ),
    )


def load_portfolio(
    engine: Engine, as_of: date | None = None, *, use_snapshot: bool = True
) -> PortfolioFrame:
    """Load the whole portfolio as the core's numpy frames.

    Args:
        engine: the engine (schema migrated).
        as_of: the reference date of the analysis. None takes the latest data date (the
            last invoice date, opportunity creation or won/lost closing date), capped at
            today so that planned future dates do not move it; today when there is no
            data. Rows dated after ``as_of`` are kept: windows relative to ``as_of``
            are the core's business.
        use_snapshot: on SQLite, read and store the derived snapshot (see the module
            docstring); False always reads the tables.

    Returns:
        The frames. Accounts are ordered by database id; other rows come in storage
        order. ``people_labels`` are the people's keys, sorted.

    Raises:
        StoreError: the database cannot be read (for instance not initialised).
    """
    sqlite = engine.dialect.name == "sqlite"
    snapshots = sqlite and use_snapshot
    try:
        with engine.connect() as conn:
            if not sqlite:
                # One consistent view across the queries of this load.
                conn.execution_options(isolation_level="REPEATABLE READ")
            built = False
            version = 0
            with conn.begin():
                raw = _read_snapshot(conn) if snapshots else None
                if raw is None:
                    raw = _build(conn)
                    built = True
                    if snapshots:
                        version = _data_version(conn)
            if built and snapshots:
                _store_snapshot(conn, raw, version)
    except sa.exc.DBAPIError as exc:
        raise StoreError(
            f"cannot read the portfolio: {exc.orig or exc}",
            hint="run `kambot init` to create or upgrade the database",
        ) from exc
    return _assemble(raw, as_of)


def refresh_portfolio_snapshot(engine: Engine) -> bool:
    """Build and store the portfolio snapshot now (for instance right after an import).

    Args:
        engine: the engine.

    Returns:
        True when a snapshot is stored (SQLite only; PostgreSQL needs none).
    """
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as conn:
        with conn.begin():
            raw = _read_snapshot(conn)
            if raw is not None:
                return True
            raw = _build(conn)
            version = _data_version(conn)
        return _store_snapshot(conn, raw, version)
