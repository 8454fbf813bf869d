"""The write side used by importers: fast, idempotent upserts keyed by external ids.

Contract:
- Rows are dicts keyed by the domain field names (``kambot.domain.accounts`` and
  ``kambot.domain.programme.Person``), already parsed to Python values by the importer
  (str, int, float, bool, ``datetime.date``, list[str], enum members). References are
  external keys: ``account_external_id`` / ``parent_external_id`` name accounts,
  ``owner_kam`` / ``sponsor`` name people by ``key``. They are resolved to database ids
  here; unknown references raise :class:`DataError` listing them and nothing is written.
- Records are matched on ``external_id`` (``key`` for people). Re-importing the same rows
  changes nothing: a row is only rewritten when one of its values differs.
- Fields absent from the rows are left untouched on existing records (and take their
  default on new ones); every row of one call must carry the same fields.
- Writers take a :class:`Connection` (or a Session) inside the caller's transaction and
  never commit: an import is atomic because the caller runs it in one transaction
  (``kambot.store.db.transaction(engine, write=True)``).
- Statements are compiled once by SQLAlchemy (``insert().on_conflict_do_update()``) and
  run in chunks without per-row ORM or type-processing overhead: SQLite gets the rows
  through the driver's ``executemany``; PostgreSQL through ``COPY`` into a temporary
  staging table and one ``INSERT ... SELECT ... ON CONFLICT`` per chunk.
- References are resolved with one dict lookup per row; the id maps are read once per
  transaction and kept on the connection.
- Counts: ``inserted`` counts rows whose id is above the table's highest id before the
  call (ids only grow); on PostgreSQL, rows inserted by a concurrent transaction during
  the call would be counted too.
"""

from __future__ import annotations

import json
import math
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from kambot.domain.accounts import (
    ActivityKind,
    BuyingRole,
    ExecutiveLevel,
    InitiativeStatus,
    OpportunityStage,
    PotentialSource,
)
from kambot.errors import DataError
from kambot.store import schema

CHUNK_ROWS = 5_000
PG_CHUNK_ROWS = 50_000
_STAGE = "kambot_stage"  # PostgreSQL staging table (temporary, per connection)
_MAX_LISTED = 10
PERSON_ROLES = ("kam", "executive", "programme_lead", "hr", "admin")


@dataclass(frozen=True)
class UpsertResult:
    """What an upsert did.

    Attributes:
        inserted: new records.
        updated: existing records with at least one changed value.
        unchanged: existing records whose values were all equal already.
        account_ids: database ids of the accounts whose child records (invoice lines
            and the like) were inserted or changed, including the former account of a
            record that moved; for ``accounts`` the ids of inserted or changed accounts.
            Feed it to :func:`rollup_revenue` when upserting invoice lines with
            ``rollup=False``.
    """

    inserted: int
    updated: int
    unchanged: int = 0
    account_ids: frozenset[int] = field(default_factory=frozenset)

    def __add__(self, other: UpsertResult) -> UpsertResult:
        """Add two results (for imports written in several calls)."""
        return UpsertResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.account_ids | other.account_ids,
        )


# --- entity descriptions --------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str  # domain field name in the rows
    column: str  # table column
    kind: str  # str | int | float | bool | date | json_list | enum | flags | account | person
    required: bool = False
    none_as: Any = None  # value stored when the row says None (NOT NULL columns)
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Entity:
    table: sa.Table
    key: str  # matching field (= column)
    fields: tuple[_Field, ...]
    touch_updated_at: bool = False

    def by_name(self) -> dict[str, _Field]:
        return {f.name: f for f in self.fields}


def _table(row_class: type[schema.Base]) -> sa.Table:
    return cast(sa.Table, row_class.__table__)


def _values(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(str(m.value) for m in enum)


def _account_ref(name: str = "account_external_id", column: str = "account_id") -> _Field:
    return _Field(name, column, "account", required=column == "account_id")


_ENTITIES: dict[str, _Entity] = {
    "people": _Entity(
        _table(schema.PersonRow),
        "key",
        (
            _Field("key", "key", "str", required=True),
            _Field("name", "name", "str", required=True),
            _Field("role", "role", "enum", required=True, choices=PERSON_ROLES),
            _Field("title", "title", "str"),
            _Field("industries", "industries", "json_list", none_as=[]),
            _Field("max_accounts", "max_accounts", "int"),
            _Field("email", "email", "str"),
        ),
    ),
    "accounts": _Entity(
        _table(schema.AccountRow),
        "external_id",
        (
            _Field("external_id", "external_id", "str", required=True),
            _Field("name", "name", "str", required=True),
            _account_ref("parent_external_id", "parent_id"),
            _Field("industry", "industry", "str"),
            _Field("segment", "segment", "str"),
            _Field("country", "country", "str"),
            _Field("business_unit", "business_unit", "str"),
            _Field("employees", "employees", "int"),
            _Field("annual_revenue", "annual_revenue", "float"),
            _Field("margin_pct", "margin_pct", "float"),
            _Field("potential", "potential", "float"),
            _Field(
                "potential_source",
                "potential_source",
                "enum",
                none_as="unknown",
                choices=_values(PotentialSource),
            ),
            _Field("potential_method", "potential_method", "str"),
            _Field("products", "products", "json_list", none_as=[]),
            _Field("relationship_stage", "relationship_stage", "int"),
            _Field("satisfaction", "satisfaction", "float"),
            _Field("owner_kam", "owner_kam_id", "person"),
            _Field("sponsor", "sponsor_id", "person"),
            _Field("is_key_account", "is_key_account", "bool", none_as=False),
            _Field("selected_on", "selected_on", "date"),
            _Field("plan_validated_on", "plan_validated_on", "date"),
        ),
        touch_updated_at=True,
    ),
    "contacts": _Entity(
        _table(schema.ContactRow),
        "external_id",
        (
            _Field("external_id", "external_id", "str", required=True),
            _account_ref(),
            _Field("name", "name", "str", required=True),
            _Field("title", "title", "str"),
            _Field("role", "role", "enum", none_as="other", choices=_values(BuyingRole)),
            _Field("level", "level", "enum", none_as="staff", choices=_values(ExecutiveLevel)),
            _Field("email", "email", "str"),
            _Field("last_contact", "last_contact", "date"),
        ),
    ),
    "opportunities": _Entity(
        _table(schema.OpportunityRow),
        "external_id",
        (
            _Field("external_id", "external_id", "str", required=True),
            _account_ref(),
            _Field("name", "name", "str"),
            _Field("product", "product", "str"),
            _Field("stage", "stage", "enum", none_as="open", choices=_values(OpportunityStage)),
            _Field("crm_stage", "crm_stage", "str"),
            _Field("value", "value", "float"),
            _Field("probability", "probability", "float"),
            _Field("created_on", "created_on", "date"),
            _Field("closed_on", "closed_on", "date"),
            _Field("owner", "owner", "str"),
        ),
    ),
    "invoice_lines": _Entity(
        _table(schema.InvoiceLineRow),
        "external_id",
        (
            _Field("external_id", "external_id", "str", required=True),
            _Field("invoice", "invoice", "str", required=True),
            _account_ref(),
            _Field("invoiced_on", "invoiced_on", "date", required=True),
            _Field("product", "product", "str"),
            _Field("quantity", "quantity", "float", none_as=0.0),
            _Field("amount", "amount", "float", required=True),
            _Field("cancelled", "cancelled", "bool", none_as=False),
        ),
    ),
    "activities": _Entity(
        _table(schema.ActivityRow),
        "external_id",
        (
            _Field("external_id", "external_id", "str", required=True),
            _account_ref(),
            _Field("kind", "kind", "enum", none_as="note", choices=_values(ActivityKind)),
            _Field("occurred_on", "occurred_on", "date", required=True),
            _Field("resolved_on", "resolved_on", "date"),
            _Field("subject", "subject", "str"),
            _Field("text", "text", "str"),
            _Field("author", "author", "str"),
            _Field("flagged_injection", "flagged_injection", "bool", none_as=False),
            _Field("flags", "flags", "flags"),
        ),
    ),
    "initiatives": _Entity(
        _table(schema.InitiativeRow),
        "external_id",
        (
            _Field("external_id", "external_id", "str", required=True),
            _account_ref(),
            _Field("title", "title", "str", required=True),
            _Field(
                "status",
                "status",
                "enum",
                none_as="proposed",
                choices=_values(InitiativeStatus),
            ),
            _Field("expected_value", "expected_value", "float"),
            _Field("profit_centre", "profit_centre", "str"),
            _Field("resources_requested", "resources_requested", "float"),
            _Field("resources_committed", "resources_committed", "float"),
            _Field("decided_on", "decided_on", "date"),
        ),
    ),
}

ENTITIES: tuple[str, ...] = tuple(_ENTITIES)


def entity_fields(entity: str) -> tuple[str, ...]:
    """Return the field names :func:`upsert_rows` accepts for an entity.

    Args:
        entity: one of :data:`ENTITIES`.

    Returns:
        The domain field names, the matching key first.
    """
    return tuple(f.name for f in _get_entity(entity).fields)


def _get_entity(entity: str) -> _Entity:
    try:
        return _ENTITIES[entity]
    except KeyError:
        raise DataError(
            f"unknown entity {entity!r}", hint=f"use one of: {', '.join(ENTITIES)}"
        ) from None


# --- value conversion -------------------------------------------------------------------


def _listed(values: Iterable[object], total: int | None = None) -> str:
    """Quote the first values and say how many more there are."""
    everything = list(values)
    shown = everything[:_MAX_LISTED]
    text = ", ".join(repr(v) for v in shown)
    count = len(everything) if total is None else total
    if count > len(shown):
        text += f" and {count - len(shown)} more"
    return text


def _bad_value(entity: str, fld: _Field, index: int, value: object, expected: str) -> DataError:
    return DataError(
        f"{entity}: row {index + 1}: field {fld.name!r} must be {expected}, got {value!r}",
        hint="fix the importer's conversion of this column",
        entity=entity,
        field=fld.name,
        row=index + 1,
    )


_NONE = type(None)


def _convert_str(entity: str, fld: _Field, col: list[Any]) -> list[Any]:
    if set(map(type, col)) <= {str, _NONE}:
        return col
    out = col
    for i, v in enumerate(col):
        if v is None or type(v) is str:
            continue
        if isinstance(v, str | int) and not isinstance(v, bool):
            if out is col:
                out = list(col)
            out[i] = str(v.value) if isinstance(v, Enum) else str(v)
            continue
        raise _bad_value(entity, fld, i, v, "text")
    return out


def _convert_int(entity: str, fld: _Field, col: list[Any]) -> list[Any]:
    out = col
    for i, v in enumerate(col):
        if v is None or type(v) is int:
            continue
        if isinstance(v, float) and v.is_integer():
            converted: int | None = int(v)
        elif isinstance(v, float) and math.isnan(v):
            converted = None
        elif hasattr(v, "__index__") and not isinstance(v, bool):
            converted = int(v)  # numpy integers
        else:
            raise _bad_value(entity, fld, i, v, "a whole number")
        if out is col:
            out = list(col)
        out[i] = converted
    return out


def _convert_float(entity: str, fld: _Field, col: list[Any]) -> list[Any]:
    types = set(map(type, col))
    if types <= {float, int, _NONE}:
        if float not in types:
            return col
        nans = [i for i, v in enumerate(col) if v != v]  # noqa: PLR0124 - NaN test
        if not nans:
            return col
    out = col
    for i, v in enumerate(col):
        t = type(v)
        if v is None or t is int or (t is float and not math.isnan(v)):
            continue
        if isinstance(v, bool | str | bytes):
            raise _bad_value(entity, fld, i, v, "a number")
        try:
            number = float(v)  # numpy scalars, Decimal, NaN
        except (TypeError, ValueError):
            raise _bad_value(entity, fld, i, v, "a number") from None
        if out is col:
            out = list(col)
        # NaN means "missing": SQLite would store NULL but PostgreSQL a NaN value.
        out[i] = None if math.isnan(number) else number
    return out


def _convert_bool(entity: str, fld: _Field, col: list[Any]) -> list[Any]:
    if set(map(type, col)) <= {bool, _NONE}:
        return col
    for i, v in enumerate(col):
        if v is not None and type(v) is not bool:
            raise _bad_value(entity, fld, i, v, "true or false")
    return col


def _to_date(entity: str, fld: _Field, i: int, v: object) -> date | None:
    if v is None or type(v) is date:
        return v  # type: ignore[return-value]
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return date(v.year, v.month, v.day)
    if isinstance(v, str):
        try:
            return date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise _bad_value(entity, fld, i, v, "a date (YYYY-MM-DD)")


def _convert_date(entity: str, fld: _Field, col: list[Any]) -> list[Any]:
    if set(map(type, col)) <= {date, _NONE}:
        return col
    return [_to_date(entity, fld, i, v) for i, v in enumerate(col)]


def _convert_json_list(entity: str, fld: _Field, col: list[Any]) -> list[Any]:
    out: list[Any] = []
    for i, v in enumerate(col):
        if v is None:
            out.append(None)
            continue
        if not isinstance(v, list | tuple) or not all(isinstance(x, str) for x in v):
            raise _bad_value(entity, fld, i, v, "a list of texts")
        out.append(json.dumps([str(x) for x in v], ensure_ascii=False))
    return out


def _convert_enum(entity: str, fld: _Field, col: list[Any]) -> list[Any]:
    allowed = set(fld.choices)
    if set(map(type, col)) <= {str, _NONE} and set(col) - {None} <= allowed:
        return col
    out = col
    for i, v in enumerate(col):
        if v is None:
            continue
        value = v.value if isinstance(v, Enum) else v
        if value not in allowed:
            raise _bad_value(entity, fld, i, v, f"one of {', '.join(fld.choices)}")
        if type(value) is not str:
            value = str(value)
        if value is not v:
            if out is col:
                out = list(col)
            out[i] = value
    return out


def _convert_flags(entity: str, fld: _Field, col: list[Any]) -> list[Any]:
    out: list[Any] = []
    for i, v in enumerate(col):
        if v is None or isinstance(v, str):
            out.append(v or None)
        elif isinstance(v, list | tuple) and all(isinstance(x, str) for x in v):
            out.append(",".join(v) or None)
        else:
            raise _bad_value(entity, fld, i, v, "a list of flag names")
    return out


_CONVERTERS: dict[str, Callable[[str, _Field, list[Any]], list[Any]]] = {
    "str": _convert_str,
    "int": _convert_int,
    "float": _convert_float,
    "bool": _convert_bool,
    "date": _convert_date,
    "json_list": _convert_json_list,
    "enum": _convert_enum,
    "flags": _convert_flags,
    "account": _convert_str,
    "person": _convert_str,
}


# --- helpers ---------------------------------------------------------------------------


def _connection(conn_or_session: Connection | Session) -> Connection:
    if isinstance(conn_or_session, Session):
        conn_or_session.flush()
        return conn_or_session.connection()
    return conn_or_session


_DIALECTS: dict[str, sa.Dialect] = {}


def _dbapi_dialect(conn: Connection) -> sa.Dialect:
    """Return a dialect compiling positional ``%s``/``?`` parameters for executemany."""
    name = conn.dialect.name
    if name not in _DIALECTS:
        if name == "postgresql":
            _DIALECTS[name] = postgresql.psycopg.dialect(paramstyle="format")  # type: ignore[no-untyped-call]
        elif name == "sqlite":
            _DIALECTS[name] = sqlite.pysqlite.dialect(paramstyle="qmark")
        else:
            raise DataError(f"unsupported database {name!r}")
    return _DIALECTS[name]


def _distinct(conn: Connection) -> str:
    return "IS NOT" if conn.dialect.name == "sqlite" else "IS DISTINCT FROM"


_KEY_MAPS = "kambot.writer.key_maps"


def _key_map(conn: Connection, table: str, key: str, wanted: Iterable[str]) -> dict[str, int]:
    """Return a map of external keys to ids that covers every ``wanted`` key present.

    The whole table is read once per transaction and kept on the connection, so an
    import written in many batches resolves references with one dict lookup per row.
    Keys missing from the kept map are looked up again before being called unknown
    (another statement of the transaction may have added them).
    """
    # Keyed on the innermost transaction: a rolled-back savepoint cannot leave ids behind.
    tx = conn.get_nested_transaction() or conn.get_transaction()
    maps: dict[str, tuple[Any, dict[str, int]]] = conn.info.setdefault(_KEY_MAPS, {})
    entry = maps.get(table)
    if tx is not None and entry is not None and entry[0]() is tx:
        mapping = entry[1]
    else:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            cursor.execute(f"SELECT {key}, id FROM {table}")
            mapping = {str(k): int(i) for k, i in cursor.fetchall()}
        finally:
            cursor.close()
        if tx is not None:
            maps[table] = (weakref.ref(tx), mapping)
        return mapping
    missing = sorted({k for k in wanted if k not in mapping})
    tbl = sa.table(table, sa.column("id"), sa.column(key))
    for start in range(0, len(missing), 500):
        stmt = sa.select(tbl.c[key], tbl.c.id).where(tbl.c[key].in_(missing[start : start + 500]))
        mapping.update((str(k), int(i)) for k, i in conn.execute(stmt))
    return mapping


def _resolve(
    entity: str,
    fld: _Field,
    col: list[Any],
    mapping: Mapping[str, int],
    what: str,
    hint: str,
) -> list[int | None]:
    get = mapping.get
    out: list[int | None] = [None if v is None else get(v, -1) for v in col]
    missing = sorted({col[i] for i, v in enumerate(out) if v == -1})
    if missing:
        raise DataError(
            f"{entity}: {len(missing)} unknown {what} in {fld.name!r}: {_listed(missing)}",
            hint=hint,
            entity=entity,
            field=fld.name,
            unknown=missing,
        )
    return out


def _check_fields(entity: str, spec: _Entity, rows: Sequence[Mapping[str, Any]]) -> list[_Field]:
    first = rows[0]
    names = list(first.keys())
    known = spec.by_name()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise DataError(
            f"{entity}: unknown field(s) {_listed(unknown)}",
            hint=f"fields for {entity}: {', '.join(known)}",
            entity=entity,
        )
    missing = [f.name for f in spec.fields if f.required and f.name not in first]
    if missing:
        raise DataError(
            f"{entity}: required field(s) missing: {', '.join(missing)}",
            hint="map these columns in the import",
            entity=entity,
        )
    # Same number of fields on every row; a row lacking one of them is caught when the
    # columns are read (see _column).
    width = len(first)
    odd = next((i for i, row in enumerate(rows) if len(row) != width), None)
    if odd is not None:
        raise _odd_row(entity, rows, odd)
    return [known[n] for n in names]


def _odd_row(entity: str, rows: Sequence[Mapping[str, Any]], index: int) -> DataError:
    return DataError(
        f"{entity}: row {index + 1} has fields {sorted(rows[index])} "
        f"but row 1 has {sorted(rows[0])}",
        hint="give every row of one call the same fields",
        entity=entity,
    )


def _column(entity: str, rows: Sequence[Mapping[str, Any]], name: str) -> list[Any]:
    try:
        return [row[name] for row in rows]
    except KeyError:
        index = next(i for i, row in enumerate(rows) if name not in row)
        raise _odd_row(entity, rows, index) from None


def _check_duplicates(entity: str, key: str, keys: list[Any]) -> None:
    if len(set(keys)) == len(keys):
        return
    dupes = sorted(k for k, n in Counter(keys).items() if n > 1)
    raise DataError(
        f"{entity}: {len(dupes)} duplicate {key}(s) in the rows: {_listed(dupes)}",
        hint=f"each {key} must appear once per import; fix or deduplicate the source file",
        entity=entity,
        duplicates=dupes,
    )


def _upsert_statement(
    conn: Connection, spec: _Entity, columns: list[str], *, from_stage: bool = False
) -> tuple[str, list[str]]:
    """Compile the upsert; return its SQL and the columns in parameter order.

    With ``from_stage`` (PostgreSQL) the rows come from the staging table instead of
    parameters, and the columns keep their given order.
    """
    table = spec.table
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    if from_stage:
        stage = sa.table(_STAGE, *(sa.column(c) for c in columns))
        stmt = insert(table).from_select(columns, sa.select(*stage.c))
    else:
        stmt = insert(table).inline().values({c: sa.bindparam(c) for c in columns})
    updatable = [c for c in columns if c != spec.key]
    if not updatable:
        final: Any = stmt.on_conflict_do_nothing(index_elements=[spec.key])
    else:
        set_: dict[str, Any] = {c: stmt.excluded[c] for c in updatable}
        if spec.touch_updated_at:
            set_["updated_at"] = sa.func.now()
        changed = []
        for c in updatable:
            old: sa.ColumnElement[Any] = table.c[c]
            new: sa.ColumnElement[Any] = stmt.excluded[c]
            if isinstance(old.type, sa.JSON):
                # PostgreSQL's json type has no equality operator; we write canonical text.
                old, new = sa.cast(old, sa.Text), sa.cast(new, sa.Text)
            changed.append(old.is_distinct_from(new))
        final = stmt.on_conflict_do_update(
            index_elements=[spec.key], set_=set_, where=sa.or_(*changed)
        )
    compiled = final.compile(dialect=_dbapi_dialect(conn))
    if from_stage:
        return str(compiled), list(columns)
    order = list(compiled.positiontup or [])
    if sorted(order) != sorted(columns):
        raise DataError(f"internal error: unexpected parameters {order} for {columns}")
    return str(compiled), order


def _max_id(conn: Connection, table: str) -> int:
    return int(conn.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}").scalar_one())


def _count_new(conn: Connection, table: str, after_id: int) -> int:
    """Count rows inserted in this transaction: ids only grow (rowid, sequence)."""
    return int(
        conn.exec_driver_sql(
            f"SELECT COUNT(*) FROM {table} WHERE id > {int(after_id)}"
        ).scalar_one()
    )


# --- the upsert ------------------------------------------------------------------------


def upsert_rows(
    conn_or_session: Connection | Session,
    entity: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    rollup: bool = True,
    chunk_rows: int = CHUNK_ROWS,
) -> UpsertResult:
    """Insert or update records of one entity, matched on their external key.

    Args:
        conn_or_session: a connection (or session) inside the caller's transaction;
            nothing is committed here.
        entity: one of :data:`ENTITIES` (people, accounts, contacts, opportunities,
            invoice_lines, activities, initiatives).
        rows: dicts keyed by domain field names (see the module docstring); every row
            carries the same fields. Fields left out are not touched on existing records.
        rollup: for invoice lines, recompute the ``account_revenue`` cells (account x
            month) the call touched; its cost follows the size of the call, so writing
            an import in batches stays linear. Pass False to skip it and call
            :func:`rollup_revenue` once at the end with the summed ``account_ids``.
        chunk_rows: rows per ``executemany`` batch.

    Returns:
        Counts of inserted, updated and unchanged records and the affected accounts.

    Raises:
        DataError: unknown entity or field, missing required field, a value of the
            wrong type, duplicate keys in ``rows``, unknown account or person
            references, or an account hierarchy cycle. The caller's transaction must
            then be rolled back (nothing of the call is kept if it is).
    """
    spec = _get_entity(entity)
    if not rows:
        return UpsertResult(0, 0)
    conn = _connection(conn_or_session)
    fields = _check_fields(entity, spec, rows)
    names = [f.name for f in fields]

    data: dict[str, list[Any]] = {}
    for fld in fields:
        col = _column(entity, rows, fld.name)
        if fld.required:
            empty = [i for i, v in enumerate(col) if v is None or v == ""]
            if empty:
                raise DataError(
                    f"{entity}: field {fld.name!r} is empty on {len(empty)} row(s) "
                    f"(first: row {empty[0] + 1})",
                    hint="reject these rows in the import or fill the column",
                    entity=entity,
                    field=fld.name,
                )
        converter = _CONVERTERS.get(fld.kind)
        if converter is not None:
            col = converter(entity, fld, col)
        if fld.none_as is not None:
            default = json.dumps(fld.none_as) if fld.kind == "json_list" else fld.none_as
            col = [default if v is None else v for v in col]
        data[fld.name] = col

    keys: list[str] = data[spec.key]
    _check_duplicates(entity, spec.key, keys)

    person_fields = [f for f in fields if f.kind == "person"]
    if person_fields:
        wanted = {v for f in person_fields for v in data[f.name] if v is not None}
        people = _key_map(conn, "people", "key", wanted)
        for fld in person_fields:
            data[fld.name] = _resolve(
                entity,
                fld,
                data[fld.name],
                people,
                "person key(s)",
                "add these people to the programme (kambot init --programme FILE) "
                "or import them first",
            )

    if entity == "invoice_lines":
        data["month"] = [d.year * 12 + d.month - 1 for d in data["invoiced_on"]]
        names.append("month")

    if entity == "accounts":
        return _upsert_accounts(conn, spec, fields, data, chunk_rows)

    account_field = next((f for f in fields if f.kind == "account"), None)
    if account_field is not None:
        wanted = {v for v in data[account_field.name] if v is not None}
        accounts = _key_map(conn, "accounts", "external_id", wanted)
        data[account_field.name] = _resolve(
            entity,
            account_field,
            data[account_field.name],
            accounts,
            "account(s)",
            "import the accounts first, or fix the account column of this file",
        )
    written = _write(conn, spec, fields, names, data, range(len(keys)), chunk_rows)
    if entity == "invoice_lines" and rollup and written.cells:
        _rollup_cells(conn, written.cells)
    return written.result


@dataclass
class _Written:
    result: UpsertResult
    changed_rows: list[int]  # positions into the rows of the chunks that changed something
    cells: set[tuple[int, int]]  # (account_id, month) of changed invoice-line chunks


def _write(
    conn: Connection,
    spec: _Entity,
    fields: list[_Field],
    names: list[str],
    data: dict[str, list[Any]],
    indexes: Sequence[int],
    chunk_rows: int,
) -> _Written:
    """Upsert the selected rows of ``data`` in chunks.

    What changed is tracked per chunk (the driver only reports counts): the rows,
    accounts and revenue cells of a chunk that changed anything are all reported,
    together with the former account and month of its records that already existed.
    """
    column_of = {f.name: f.column for f in fields}
    column_of["month"] = "month"
    columns = [column_of[n] for n in names]
    table = spec.table.name
    if len(indexes) == len(data[spec.key]):
        picked = {n: data[n] for n in names}
    else:
        picked = {n: [data[n][i] for i in indexes] for n in names}
    if conn.dialect.name == "sqlite":
        # SQLAlchemy's Date type stores ISO text on SQLite; write the same.
        for fld in fields:
            if fld.kind == "date":
                picked[fld.name] = [None if v is None else v.isoformat() for v in picked[fld.name]]
    postgres = conn.dialect.name == "postgresql"
    sql, order = _upsert_statement(conn, spec, columns, from_stage=postgres)
    name_of = dict(zip(columns, names, strict=True))
    names = [name_of[c] for c in order]
    columns = order
    params = list(zip(*(picked[n] for n in names), strict=True))
    if postgres:
        # COPY into a staging table then one INSERT ... SELECT: executemany costs a
        # round of parameter handling per row on PostgreSQL.
        chunk_rows = max(chunk_rows, PG_CHUNK_ROWS)
        _create_stage(conn, table, columns)

    account_pos = columns.index("account_id") if "account_id" in columns else -1
    month_pos = columns.index("month") if "month" in columns else -1
    old_columns = ["account_id"] + (["month"] if month_pos >= 0 else [])
    before = _max_id(conn, table)
    key_pos = columns.index(spec.key)
    accounts: set[int] = set()
    cells: set[tuple[int, int]] = set()
    changed_rows: list[int] = []
    changed = 0
    for start in range(0, len(params), chunk_rows):
        chunk = params[start : start + chunk_rows]
        old: list[tuple[Any, ...]] = []
        if postgres:
            _fill_stage(conn, columns, chunk)
        if account_pos >= 0 and before:
            # A record may move to another account or month: the former one changes too.
            if postgres:
                old = _old_values_staged(conn, table, spec.key, old_columns)
            else:
                keys = [p[key_pos] for p in chunk]
                old = _old_values(conn, table, spec.key, keys, old_columns)
        if postgres:
            count = conn.exec_driver_sql(sql).rowcount
        else:
            count = conn.exec_driver_sql(sql, chunk).rowcount  # type: ignore[arg-type]
        if count <= 0:
            continue
        changed += count
        changed_rows.extend(indexes[start : start + chunk_rows])
        if account_pos >= 0:
            accounts.update(p[account_pos] for p in chunk)
            accounts.update(int(o[0]) for o in old)
        if month_pos >= 0:
            cells.update((p[account_pos], p[month_pos]) for p in chunk)
            cells.update((int(o[0]), int(o[1])) for o in old)
    if postgres:
        conn.exec_driver_sql(f"DROP TABLE {_STAGE}")
    inserted = _count_new(conn, table, before)
    result = UpsertResult(
        inserted=inserted,
        updated=changed - inserted,
        unchanged=len(params) - changed,
        account_ids=frozenset(accounts),
    )
    return _Written(result, changed_rows, cells)


def _create_stage(conn: Connection, table: str, columns: list[str]) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_STAGE}")
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {_STAGE} AS SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
    )


def _fill_stage(conn: Connection, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    conn.exec_driver_sql(f"TRUNCATE {_STAGE}")
    cursor = dbapi.cursor()
    try:
        with cursor.copy(f"COPY {_STAGE} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def _old_values_staged(
    conn: Connection, table: str, key: str, columns: list[str]
) -> list[tuple[Any, ...]]:
    listed = ", ".join(f"t.{c}" for c in columns)
    sql = f"SELECT DISTINCT {listed} FROM {table} t JOIN {_STAGE} s ON s.{key} = t.{key}"
    return [tuple(row) for row in conn.exec_driver_sql(sql)]


def _old_values(
    conn: Connection, table: str, key: str, keys: list[Any], columns: list[str]
) -> list[tuple[Any, ...]]:
    # Plain driver SQL: compiling an expanding IN of thousands of values in SQLAlchemy
    # costs more than the lookup itself.
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    marks = ", ".join([mark] * len(keys))
    sql = f"SELECT DISTINCT {', '.join(columns)} FROM {table} WHERE {key} IN ({marks})"
    return [tuple(row) for row in conn.exec_driver_sql(sql, tuple(keys))]


def _upsert_accounts(
    conn: Connection,
    spec: _Entity,
    fields: list[_Field],
    data: dict[str, list[Any]],
    chunk_rows: int,
) -> UpsertResult:
    """Upsert accounts, new parents before their new children."""
    names = [f.name for f in fields]
    keys: list[str] = data["external_id"]
    parent_field = next((f for f in fields if f.kind == "account"), None)
    if parent_field is None:
        written = _write(conn, spec, fields, names, data, range(len(keys)), chunk_rows)
        return _with_account_ids(conn, written.result, [keys[i] for i in written.changed_rows])

    parents: list[str | None] = data[parent_field.name]
    known = _key_map(conn, "accounts", "external_id", {p for p in parents if p} | set(keys))
    in_batch = set(keys)
    missing = sorted({p for p in parents if p is not None and p not in known and p not in in_batch})
    if missing:
        raise DataError(
            f"accounts: {len(missing)} unknown account(s) in 'parent_external_id': "
            f"{_listed(missing)}",
            hint="import the parent accounts too, or leave parent_external_id empty",
            entity="accounts",
            field="parent_external_id",
            unknown=missing,
        )
    self_parent = [k for k, p in zip(keys, parents, strict=True) if p == k]
    if self_parent:
        raise DataError(
            f"accounts: {len(self_parent)} account(s) are their own parent: {_listed(self_parent)}",
            hint="leave parent_external_id empty for top-level accounts",
            entity="accounts",
            field="parent_external_id",
        )

    total = UpsertResult(0, 0)
    all_changed: list[int] = []
    pending = list(range(len(keys)))
    while pending:
        # A row is ready once its parent has an id: parents new in this batch first.
        ready = [i for i in pending if parents[i] is None or parents[i] in known]
        if not ready:
            stuck = sorted(keys[i] for i in pending)
            raise DataError(
                f"accounts: parent links form a cycle among {_listed(stuck, len(stuck))}",
                hint="an account cannot be its own ancestor; fix parent_external_id",
                entity="accounts",
                field="parent_external_id",
            )
        data[parent_field.name] = [None if p is None else known.get(p) for p in parents]
        written = _write(conn, spec, fields, names, data, ready, chunk_rows)
        total = total + written.result
        all_changed.extend(written.changed_rows)
        new_keys = {keys[i] for i in ready if keys[i] not in known}
        if new_keys:
            known.update(_key_map(conn, "accounts", "external_id", new_keys))
        ready_set = set(ready)
        pending = [i for i in pending if i not in ready_set]
    _check_hierarchy(conn)
    return _with_account_ids(conn, total, [keys[i] for i in all_changed])


def _with_account_ids(conn: Connection, result: UpsertResult, keys: list[str]) -> UpsertResult:
    if not keys:
        return result
    ids = _key_map(conn, "accounts", "external_id", set(keys))
    return UpsertResult(result.inserted, result.updated, result.unchanged, frozenset(ids.values()))


def _check_hierarchy(conn: Connection) -> None:
    """Refuse account hierarchies with cycles (they would loop group roll-ups)."""
    parent = {
        int(i): int(p)
        for i, p in conn.exec_driver_sql(
            "SELECT id, parent_id FROM accounts WHERE parent_id IS NOT NULL"
        )
    }
    state: dict[int, int] = {}  # 1 = on the current path, 2 = done
    for start in parent:
        path: list[int] = []
        node: int | None = start
        while node is not None and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = parent.get(node)
        if node is not None and state.get(node) == 1:
            cycle_ids = path[path.index(node) :]
            names = conn.execute(
                sa.select(schema.AccountRow.external_id).where(schema.AccountRow.id.in_(cycle_ids))
            ).scalars()
            listed = sorted(names)
            raise DataError(
                f"accounts: parent links form a cycle: {_listed(listed, len(listed))}",
                hint="an account cannot be its own ancestor; fix parent_external_id",
                entity="accounts",
                field="parent_external_id",
            )
        for visited in path:
            state[visited] = 2


# --- revenue roll-up --------------------------------------------------------------------


def rollup_revenue(
    conn_or_session: Connection | Session, account_ids: Iterable[int] | None = None
) -> int:
    """Recompute ``account_revenue`` (account x month) from ``invoice_lines``.

    Every line adds its signed amount, cancelled or not: a cancellation is a line of its
    own with a negative amount, so summing all lines nets it out (the ``cancelled`` flag
    is informative). Only cells whose value changes are written, so re-running it on
    unchanged data writes nothing.

    Args:
        conn_or_session: a connection (or session) inside the caller's transaction.
        account_ids: database ids of the accounts to recompute; None recomputes all.

    Returns:
        The number of (account, month) rows inserted, changed or deleted.
    """
    conn = _connection(conn_or_session)
    distinct = _distinct(conn)
    scope_lines = scope_revenue = ""
    ids: list[int] | None = None
    if account_ids is not None:
        ids = sorted({int(a) for a in account_ids})
        if not ids:
            return 0
        conn.exec_driver_sql("DROP TABLE IF EXISTS kambot_rollup_ids")
        conn.exec_driver_sql("CREATE TEMPORARY TABLE kambot_rollup_ids (id INTEGER PRIMARY KEY)")
        placeholder = "?" if conn.dialect.name == "sqlite" else "%s"
        conn.exec_driver_sql(
            f"INSERT INTO kambot_rollup_ids (id) VALUES ({placeholder})",
            [(i,) for i in ids],  # type: ignore[arg-type]
        )
        scope_lines = "AND l.account_id IN (SELECT id FROM kambot_rollup_ids)"
        scope_revenue = "AND account_revenue.account_id IN (SELECT id FROM kambot_rollup_ids)"
    # "WHERE 1 = 1" keeps SQLite from reading ON CONFLICT as a join constraint.
    upserted = conn.exec_driver_sql(
        "INSERT INTO account_revenue (account_id, month, amount) "
        "SELECT l.account_id, l.month, SUM(l.amount) FROM invoice_lines l "
        f"WHERE 1 = 1 {scope_lines} GROUP BY l.account_id, l.month "
        "ON CONFLICT (account_id, month) DO UPDATE SET amount = excluded.amount "
        f"WHERE account_revenue.amount {distinct} excluded.amount"
    ).rowcount
    deleted = conn.exec_driver_sql(
        f"DELETE FROM account_revenue WHERE 1 = 1 {scope_revenue} AND NOT EXISTS ("
        "SELECT 1 FROM invoice_lines l WHERE l.account_id = account_revenue.account_id "
        "AND l.month = account_revenue.month)"
    ).rowcount
    if ids is not None:
        # On error the caller rolls back, which drops the temporary table too.
        conn.exec_driver_sql("DROP TABLE kambot_rollup_ids")
    return max(upserted, 0) + max(deleted, 0)


def _rollup_cells(conn: Connection, cells: set[tuple[int, int]]) -> int:
    """Recompute the given (account, month) cells of ``account_revenue``.

    Cost follows the size of the batch rather than of the whole ledger, so an import
    written in many batches stays linear.
    """
    distinct = _distinct(conn)
    placeholder = "?, ?" if conn.dialect.name == "sqlite" else "%s, %s"
    conn.exec_driver_sql("DROP TABLE IF EXISTS kambot_rollup_cells")
    conn.exec_driver_sql(
        "CREATE TEMPORARY TABLE kambot_rollup_cells "
        "(account_id INTEGER NOT NULL, month INTEGER NOT NULL, PRIMARY KEY (account_id, month))"
    )
    conn.exec_driver_sql(
        f"INSERT INTO kambot_rollup_cells (account_id, month) VALUES ({placeholder})",
        list(cells),  # type: ignore[arg-type]
    )
    upserted = conn.exec_driver_sql(
        "INSERT INTO account_revenue (account_id, month, amount) "
        "SELECT l.account_id, l.month, SUM(l.amount) FROM kambot_rollup_cells c "
        "JOIN invoice_lines l ON l.account_id = c.account_id AND l.month = c.month "
        "WHERE 1 = 1 GROUP BY l.account_id, l.month "
        "ON CONFLICT (account_id, month) DO UPDATE SET amount = excluded.amount "
        f"WHERE account_revenue.amount {distinct} excluded.amount"
    ).rowcount
    # Driven by the (small) cell table, so a batch never scans the whole revenue table.
    deleted = conn.exec_driver_sql(
        "DELETE FROM account_revenue WHERE (account_id, month) IN ("
        "SELECT c.account_id, c.month FROM kambot_rollup_cells c WHERE NOT EXISTS ("
        "SELECT 1 FROM invoice_lines l WHERE l.account_id = c.account_id AND l.month = c.month))"
    ).rowcount
    # On error the caller rolls back, which drops the temporary table too.
    conn.exec_driver_sql("DROP TABLE kambot_rollup_cells")
    return max(upserted, 0) + max(deleted, 0)


# --- import runs -------------------------------------------------------------------------


def record_import_run(
    conn_or_session: Connection | Session,
    *,
    kind: str,
    source_name: str,
    sha256: str,
    started_at: datetime,
    finished_at: datetime | None = None,
    rows_accepted: int = 0,
    rows_rejected: int = 0,
    dry_run: bool = False,
    report: Mapping[str, Any] | None = None,
) -> int:
    """Record one import attempt and return its id.

    A dry run's import transaction is rolled back, so record it in a transaction of
    its own (after the rollback) to keep a trace of it.

    Args:
        conn_or_session: a connection (or session) in a transaction.
        kind: what was imported (accounts, invoice_lines...).
        source_name: the file name as given by the user (no directory needed).
        sha256: hex digest of the file's bytes.
        started_at: when the import began (timezone-aware preferably).
        finished_at: when it ended; defaults to now.
        rows_accepted: rows written (or that would be, on a dry run).
        rows_rejected: rows refused.
        dry_run: nothing was written.
        report: the import report (JSON-serialisable).

    Returns:
        The id of the ``import_runs`` row.
    """
    conn = _connection(conn_or_session)
    table = _table(schema.ImportRunRow)
    stmt = sa.insert(table).values(
        kind=kind,
        source_name=source_name,
        sha256=sha256,
        started_at=started_at,
        finished_at=finished_at or datetime.now(UTC),
        rows_accepted=rows_accepted,
        rows_rejected=rows_rejected,
        dry_run=dry_run,
        report=dict(report or {}),
    )
    return int(conn.execute(stmt.returning(table.c.id)).scalar_one())
