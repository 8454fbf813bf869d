"""Run an import: read, map, validate, then write everything or nothing.

Policy:
- a file with a missing required column is refused before any row is read;
- if ANY row is rejected, the import is refused (:class:`ImportRejectedError`, the
  report in ``details['report']``) and the database is unchanged: rows are written in
  one transaction as they are validated, and that transaction is rolled back;
- otherwise every accepted row is upserted by its natural key (``external_id``, or
  ``key`` for people) in that one transaction: importing the same file twice leaves the
  same database;
- a dry run validates everything (references included) and writes no data.

Every attempt that gets as far as the header is recorded in ``import_runs`` (with its
report), dry runs and refused imports included; that bookkeeping row is the only thing
a dry run or a refused import writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kambot.config import Settings
from kambot.errors import DataError, ImportRejectedError, StoreError
from kambot.store.importers.compiled import CompiledMapping, FieldConversionError
from kambot.store.importers.entities import ENTITY_ORDER, EntityDef, EntityName, entity
from kambot.store.importers.fastpath import compile_fast_row, compile_prelude
from kambot.store.importers.mapping import (
    Mapping,
    infer_entity,
    load_mapping,
    native_mapping,
    preset_names,
)
from kambot.store.importers.reader import TableSource, extra_cells, open_table
from kambot.store.importers.report import ImportIssue, ImportReport
from kambot.store.importers.untrusted import scan_text
from kambot.store.importers.validate import (
    FieldProblem,
    KnownKeys,
    check_header,
    describe_missing_columns,
    row_validator,
)

Progress = Callable[[int], None]

#: Rows handed to the writer at once: large enough for fast executemany, small enough
#: to keep memory flat on a million-line file.
BATCH_ROWS = 20_000
PROGRESS_EVERY = 10_000

_TABULAR = (".csv", ".tsv", ".xlsx")


def import_file(
    engine: Engine,
    settings: Settings,
    path: Path | str,
    *,
    entity: str | None = None,
    mapping: Path | str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one CSV or XLSX file, all or nothing.

    Args:
        engine: the database (schema already migrated).
        settings: import limits (``max_import_bytes``, ``max_import_rows``).
        path: the file.
        entity: what the file holds (``accounts``, ``invoice_lines``...); inferred from
            the mapping, or from the header of a native-format file, when omitted.
        mapping: a mapping YAML file or a preset name (see ``preset_names()``); None
            for kambot's native format.
        dry_run: validate everything and write no data.
        progress: called with the number of rows read so far, every few thousand rows.

    Returns:
        The report (status ``imported`` or ``dry_run``).

    Raises:
        ImportRejectedError: a column is missing or a row is invalid; nothing was
            written; ``details['report']`` holds the full report.
        LimitExceededError: the file is over ``KAMBOT_MAX_IMPORT_BYTES`` or
            ``KAMBOT_MAX_IMPORT_ROWS``.
        DataError: the file cannot be read (empty, binary, undecodable, no header), the
            mapping is invalid, or the entity cannot be determined.
        StoreError: the database cannot be read or written.
    """
    plan = _plan(Path(path), settings, entity, mapping)
    with plan.source:
        return _run([plan], engine, dry_run=dry_run, progress=progress)[0]


def import_bundle(
    engine: Engine,
    settings: Settings,
    folder: Path | str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> list[ImportReport]:
    """Import a folder of native-format files in dependency order, in ONE transaction.

    The folder holds files named after the entities (``people.csv``, ``accounts.csv``,
    ``contacts.csv``, ``opportunities.csv``, ``invoice_lines.csv``, ``activities.csv``,
    ``initiatives.csv``, or ``.xlsx``); any subset, read in that order so that each
    file may refer to the ones before it. Other tables in the folder are refused
    (a misnamed file would otherwise be silently left out).

    Args:
        engine: the database (schema already migrated).
        settings: import limits.
        folder: the folder.
        dry_run: validate everything and write no data.
        progress: called with the rows read so far in the current file.

    Returns:
        One report per file, in import order.

    Raises:
        ImportRejectedError: a file has an issue; nothing at all was written;
            ``details['report']`` is that file's report, ``details['reports']`` all
            reports so far.
        DataError: the folder is missing, holds no entity file, or holds a table
            whose name is not an entity.
    """
    root = Path(folder)
    if not root.is_dir():
        raise DataError(f"not a folder: {root}", hint="give the folder holding the CSV files")
    found: dict[str, Path] = {}
    strangers: list[str] = []
    for child in sorted(root.iterdir()):
        if not child.is_file() or child.suffix.lower() not in _TABULAR:
            continue
        if child.stem in ENTITY_ORDER:
            if child.stem in found:
                raise DataError(
                    f"two files for {child.stem} in {root}: {found[child.stem].name} and "
                    f"{child.name}",
                    hint="keep one of them",
                )
            found[child.stem] = child
        else:
            strangers.append(child.name)
    if strangers:
        raise DataError(
            f"{root} holds table(s) that are not named after an entity: {', '.join(strangers)}",
            hint=f"name each file after what it holds: {', '.join(ENTITY_ORDER)}",
        )
    if not found:
        raise DataError(
            f"{root} holds no file to import",
            hint=f"expected files named {', '.join(n + '.csv' for n in ENTITY_ORDER)}",
        )
    plans: list[_Plan] = []
    try:
        for name in ENTITY_ORDER:
            if name in found:
                plans.append(_plan(found[name], settings, name, None))
        return _run(plans, engine, dry_run=dry_run, progress=progress)
    finally:
        for p in plans:
            p.source.close()


# --- planning ----------------------------------------------------------------------------


@dataclass
class _Plan:
    """An opened file with its mapping, ready to import."""

    source: TableSource
    mapping_name: str
    mapping: Mapping
    target: EntityDef


def _plan(
    path: Path, settings: Settings, entity_name: str | None, mapping_ref: Path | str | None
) -> _Plan:
    mapping: Mapping | None = None
    mapping_name = "native"
    if mapping_ref is not None:
        mapping = load_mapping(mapping_ref)
        is_preset = isinstance(mapping_ref, str) and mapping_ref in preset_names()
        mapping_name = str(mapping_ref) if is_preset else Path(mapping_ref).name
        if entity_name is not None and entity_name != mapping.entity:
            raise DataError(
                f"the mapping {mapping_name} is for {mapping.entity}, not {entity_name}",
                hint="drop the entity option or use a mapping for that entity",
            )
    target = entity(entity_name) if entity_name is not None else None
    options = mapping.source if mapping is not None else None
    source = open_table(
        path,
        settings,
        encoding=options.encoding if options else None,
        delimiter=options.delimiter if options else None,
        sheet=options.sheet if options else None,
    )
    try:
        if mapping is None:
            if target is None:
                target = infer_entity(source.header)
            mapping = native_mapping(target, source.header)
    except BaseException:
        source.close()
        raise
    return _Plan(source, mapping_name, mapping, entity(mapping.entity))


# --- running -------------------------------------------------------------------------


def _db_errors(action: str) -> StoreError:
    return StoreError(
        f"the database could not {action}",
        hint="check that the database exists and is up to date (`kambot init`)",
    )


@contextmanager
def _connection(engine: Engine, *, dry_run: bool) -> Iterator[Connection]:
    """Yield one connection in one transaction; a dry run's transaction is rolled back."""
    try:
        with engine.connect() as conn, _sqlite_cache(conn, enabled=not dry_run):
            if not dry_run:
                conn.execution_options(kambot_write=True)  # BEGIN IMMEDIATE on SQLite
            with conn.begin() as tx:
                yield conn
                if dry_run:
                    tx.rollback()
    except sa.exc.DBAPIError as exc:
        raise _db_errors(f"complete the import: {exc.orig or exc}") from exc


#: SQLite page cache for the import's connection (KiB). A million-line import in one
#: transaction updates indexes all over the file; with SQLite's default 2 MiB cache the
#: pages spill to the WAL again and again and the import becomes disk-bound.
IMPORT_CACHE_KIB = 256 * 1024


@contextmanager
def _sqlite_cache(conn: Connection, *, enabled: bool) -> Iterator[None]:
    if not enabled or conn.dialect.name != "sqlite":
        yield
        return
    # Straight to the driver: through SQLAlchemy the pragma would open a transaction.
    raw = conn.connection.driver_connection
    assert raw is not None
    previous = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        # The connection returns to the pool: give the memory back.
        raw.execute(f"PRAGMA cache_size = {int(previous)}")
        raw.execute("PRAGMA shrink_memory")


class _RefusedError(Exception):
    """Internal: unwinds the transaction when an import is refused."""


def _run(
    plans: list[_Plan], engine: Engine, *, dry_run: bool, progress: Progress | None
) -> list[ImportReport]:
    reports: list[ImportReport] = []
    try:
        with _connection(engine, dry_run=dry_run) as conn:
            known = KnownKeys(lambda name: _load_keys(conn, name))
            for plan in plans:
                report = _import_one(plan, conn, known, dry_run=dry_run, progress=progress)
                reports.append(report)
                if report.rejected:
                    raise _RefusedError
            if not dry_run:
                for report in reports:
                    _record_run(conn, report)
    except _RefusedError:
        failed = reports[-1]
        for report in reports:
            report.status = "rejected"
        _record_runs(engine, reports)
        missing = [i for i in failed.issues if i.code == "missing_column"]
        if missing:
            header = plans[len(reports) - 1].source.header
            message = f"{failed.file}: {describe_missing_columns(missing, header)}"
        else:
            rows = f"{failed.rows_rejected} row(s) rejected, " if failed.rows_rejected else ""
            message = (
                f"{failed.file}: {rows}{failed.issues_total} issue(s); first: "
                f"{failed.issues[0].describe()}"
            )
        raise ImportRejectedError(
            message,
            hint="nothing was written; fix the rows listed in the report and import again",
            report=failed,
            reports=reports,
        ) from None
    if dry_run:
        _record_runs(engine, reports)
    return reports


def _load_keys(conn: Connection, name: EntityName) -> set[str]:
    from kambot.store.schema import AccountRow, PersonRow

    column = {"accounts": AccountRow.external_id, "people": PersonRow.key}.get(name)
    if column is None:  # only accounts and people are referred to
        return set()
    try:
        return {str(v) for v in conn.execute(sa.select(column)).scalars()}
    except sa.exc.DBAPIError as exc:
        raise _db_errors(f"read the existing {name}: {exc.orig or exc}") from exc


def _record_run(conn: Connection, report: ImportReport) -> None:
    from kambot.store.writer import record_import_run

    record_import_run(
        conn,
        kind=report.entity,
        source_name=report.file,
        sha256=report.sha256,
        started_at=report.started_at,
        rows_accepted=report.rows_accepted,
        rows_rejected=report.rows_rejected,
        dry_run=report.dry_run,
        report=report.model_dump(mode="json"),
    )


def _record_runs(engine: Engine, reports: list[ImportReport]) -> None:
    """Record refused or dry-run attempts in their own small transaction."""
    if not reports:
        return
    try:
        with engine.connect() as conn:
            conn.execution_options(kambot_write=True)
            with conn.begin():
                for report in reports:
                    _record_run(conn, report)
    except sa.exc.DBAPIError as exc:
        raise _db_errors(f"record the import attempt: {exc.orig or exc}") from exc


# --- one file ------------------------------------------------------------------------


class _Writer:
    """Hands accepted rows to the store's writer in batches, accounts first.

    Revenue roll-ups wait for :meth:`finish`: rolling up after each batch would re-sum
    the same accounts' lines once per batch. A refusal by the store becomes an issue of
    the report and stops the writing: the transaction is then rolled back.

    (Writing from a second thread, to overlap the database's work with reading, was
    measured: on a busy two-core machine the two threads fight over Python's global
    lock and the import got slower, so batches are written in line.)
    """

    def __init__(
        self, conn: Connection, entity: EntityName, report: ImportReport, *, enabled: bool
    ) -> None:
        self.conn = conn
        self.entity = entity
        self.report = report
        self.enabled = enabled
        self.rows: list[dict[str, Any]] = []
        self.accounts: list[dict[str, Any]] = []
        self.inserted = self.updated = self.unchanged = 0
        self.touched_accounts: set[int] = set()

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write the pending rows (the lists are emptied in place)."""
        if self.enabled and (self.rows or self.accounts):
            self._write()
        self.rows.clear()
        self.accounts.clear()

    def finish(self) -> None:
        """Write what is left and roll revenue up for the accounts whose lines changed."""
        self.flush()
        if not self.enabled or not self.touched_accounts:
            return
        from kambot.store.writer import rollup_revenue

        rollup_revenue(self.conn, self.touched_accounts)

    def _write(self) -> None:
        from kambot.store.writer import upsert_rows

        try:
            if self.accounts:
                upsert_rows(self.conn, "accounts", self.accounts)
            if self.rows:
                done = upsert_rows(self.conn, self.entity, self.rows, rollup=False)
                self.inserted += done.inserted
                self.updated += done.updated
                self.unchanged += done.unchanged
                if self.entity == "invoice_lines":
                    self.touched_accounts |= done.account_ids
        except DataError as exc:
            self.enabled = False
            self.report.add_issue(
                ImportIssue(row=None, column=None, reason=str(exc), code="write_failed")
            )


def _import_one(
    plan: _Plan,
    conn: Connection,
    known: KnownKeys,
    *,
    dry_run: bool,
    progress: Progress | None,
) -> ImportReport:
    started = time.perf_counter()
    source = plan.source
    info = source.info
    target = plan.target
    report = ImportReport(
        file=info.path.name,
        entity=target.name,
        mapping=plan.mapping_name,
        format=info.format,
        encoding=info.encoding,
        delimiter=info.delimiter,
        sheet=info.sheet,
        sha256=info.sha256,
        dry_run=dry_run,
        status="dry_run" if dry_run else "imported",
        notes=list(info.notes),
    )
    for issue in check_header(plan.mapping, source.header, source.header_row):
        report.add_issue(issue)
    if report.rejected:
        report.duration_s = time.perf_counter() - started
        return report
    compiled = CompiledMapping(plan.mapping, source.header, comma_hint=info.delimiter == ";")
    writer = _Writer(conn, target.name, report, enabled=not dry_run)
    try:
        _import_rows(
            source,
            compiled,
            target,
            known=known,
            writer=writer,
            report=report,
            progress=progress,
        )
        if not report.rejected:
            writer.finish()
    except sa.exc.DBAPIError as exc:
        raise _db_errors(f"write {target.name}: {exc.orig or exc}") from exc
    if not dry_run and not report.rejected:
        report.inserted = writer.inserted
        report.updated = writer.updated
        report.unchanged = writer.unchanged
    report.duration_s = time.perf_counter() - started
    return report


def _import_rows(
    source: TableSource,
    compiled: CompiledMapping,
    target: EntityDef,
    *,
    known: KnownKeys,
    writer: _Writer,
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Read, map and validate every row; hand accepted rows to the writer.

    The loop is the hot path of a million-line import: the usual row (valid, known
    references) takes the straight path, anything else goes through helpers.
    """
    validate = row_validator(target)
    fast_row = compile_fast_row(compiled, target)
    key_field = target.key
    key_column = compiled.column_of(key_field)
    references = [
        (r.field, r.target, known.keys(r.target))
        for r in target.references
        if r.field in compiled.by_name
    ]
    auto_accounts = compiled.account_fields is not None
    is_accounts = target.name == "accounts"
    remember = target.name in ("accounts", "people")
    scan_fields = target.text_fields
    deferred: list[tuple[int, dict[str, Any]]] = []
    prelude = compile_prelude(compiled)
    convert = compiled.convert
    width = len(source.header)
    first_row: dict[Any, int] = {}
    pending = writer.rows
    rows_read = accepted = rejected = 0
    add_issue = report.add_issue

    def reject(problems: list[ImportIssue]) -> None:
        nonlocal rejected
        rejected += 1
        for issue in problems:
            add_issue(issue)
        writer.enabled = False  # the transaction will be rolled back: stop writing

    for row, record in source.records():
        rows_read += 1
        if progress is not None and not rows_read % PROGRESS_EVERY:
            progress(rows_read)
        extra = None
        cells = record
        if len(record) != width:
            extra = extra_cells(record, width)
            short = width - len(record)
            cells = record[:width] if short < 0 else record + [None] * short
        if prelude is not None:
            reason = prelude(cells)
            if reason is not None:
                report.add_skip(reason)
                continue
        clean = fast_row(cells) if fast_row is not None and not extra else None
        if clean is None:
            values, errors = convert(cells)
            clean, field_problems = validate(values)
            if extra or errors or clean is None:
                reject(_row_problems(row, cells, compiled, values, errors, field_problems, extra))
                continue
        key = clean[key_field]
        first = first_row.setdefault(key, row)
        if first != row:
            reject([_duplicate(row, key_field, key_column, key, first)])
            continue
        problems: list[ImportIssue] | None = None
        defer = False
        for ref_field, ref_target, keys in references:
            ref = clean[ref_field]
            if ref is None or ref in keys:
                continue  # the store writes a batch's parents before their children
            problem: ImportIssue | None
            if is_accounts and ref_field == "parent_external_id":
                if ref != key:
                    defer = True  # the parent may come later in the file
                    continue
                problem = ImportIssue(
                    row=row,
                    column=compiled.column_of(ref_field),
                    value=ref,
                    reason="an account cannot be its own parent",
                    code="unknown_reference",
                )
            elif auto_accounts and ref_field == "account_external_id":
                problem = _create_account(row, cells, ref, compiled, writer, report)
                if problem is None:
                    keys.add(ref)
                    continue
            else:
                problem = _unknown_reference(row, compiled, ref_field, ref_target, ref)
            problems = [*(problems or []), problem]
        if problems:
            reject(problems)
            continue
        if scan_fields:
            scan = scan_text(*(clean.get(f) for f in scan_fields))
            clean["flagged_injection"] = scan.flagged
            clean["flags"] = scan.as_text()
            if scan.flagged:
                report.flagged_rows += 1
        if defer:
            deferred.append((row, clean))
            continue
        accepted += 1
        if remember:
            known.add(target.name, key)
        pending.append(clean)
        if len(pending) >= BATCH_ROWS:
            writer.flush()
    if deferred:
        accepted += _resolve_parents(
            deferred,
            compiled,
            known=known,
            writer=writer,
            reject=lambda _row, problems: reject(problems),
        )
    if progress is not None:
        progress(rows_read)
    report.rows_read = rows_read
    report.rows_accepted = accepted
    report.rows_rejected = rejected


def _row_problems(
    row: int,
    cells: list[Any],
    compiled: CompiledMapping,
    values: dict[str, Any],
    errors: list[FieldConversionError],
    field_problems: list[FieldProblem],
    extra: list[Any] | None,
) -> list[ImportIssue]:
    """Describe everything wrong with one row, each problem with its source column."""
    problems: list[ImportIssue] = []
    if extra:
        problems.append(
            ImportIssue(
                row=row,
                column=None,
                value=", ".join(str(v) for v in extra[:3]),
                reason=f"the row has {len(extra)} filled cell(s) beyond the last column "
                "of the header",
                code="extra_cells",
            )
        )
    failed = {err.field for err in errors}
    problems.extend(
        ImportIssue(
            row=row,
            column=err.column,
            value=None if err.value is None else str(err.value),
            reason=err.reason,
            code="invalid_value",
        )
        for err in errors
    )
    for name, reason, code in field_problems:
        if name in failed:
            continue  # the conversion error says it better than "missing"
        problems.append(
            ImportIssue(
                row=row,
                column=compiled.column_of(name),
                value=compiled.source_value(name, cells, values.get(name)),
                reason=reason,
                code=code,
            )
        )
    return problems


def _duplicate(
    row: int, key_field: str, key_column: str | None, key: str, first: int
) -> ImportIssue:
    return ImportIssue(
        row=row,
        column=key_column,
        value=key,
        reason=f"duplicate {key_field} {key!r}: also on row {first}",
        code="duplicate_id",
        related_rows=[first],
    )


def _create_account(
    row: int,
    cells: list[Any],
    ref: str,
    compiled: CompiledMapping,
    writer: _Writer,
    report: ImportReport,
) -> ImportIssue | None:
    """Queue an account for an unknown reference (create_missing_accounts)."""
    account, errors = compiled.account_values(cells, ref)
    if errors:
        e = errors[0]
        return ImportIssue(
            row=row,
            column=e.column,
            value=None if e.value is None else str(e.value),
            reason=f"{e.reason} (for the account created for {ref!r})",
            code="invalid_value",
        )
    writer.accounts.append(account)
    report.accounts_created += 1
    return None


def _unknown_reference(
    row: int, compiled: CompiledMapping, ref_field: str, ref_target: EntityName, ref: str
) -> ImportIssue:
    what = "account" if ref_target == "accounts" else "person"
    hint = (
        "import the accounts first, or set create_missing_accounts in the mapping"
        if ref_target == "accounts"
        else "import the people first"
    )
    return ImportIssue(
        row=row,
        column=compiled.column_of(ref_field),
        value=ref,
        reason=f"unknown {what} {ref!r}: not in the database nor in this import ({hint})",
        code="unknown_reference",
    )


def _resolve_parents(
    deferred: list[tuple[int, dict[str, Any]]],
    compiled: CompiledMapping,
    *,
    known: KnownKeys,
    writer: _Writer,
    reject: Callable[[int, list[ImportIssue]], None],
) -> int:
    """Write child accounts whose parent came later in the file, parents first."""
    keys = known.keys("accounts")
    accepted = 0
    waiting = deferred
    while waiting:
        writer.flush()  # parents accepted so far go to the database before their children
        ready = [(r, a) for r, a in waiting if a["parent_external_id"] in keys]
        if not ready:
            break
        waiting = [(r, a) for r, a in waiting if a["parent_external_id"] not in keys]
        for _, account in ready:
            keys.add(account["external_id"])
            writer.add(account)
            accepted += 1
    in_cycle = {a["external_id"] for _, a in waiting}
    for row, account in waiting:
        parent = account["parent_external_id"]
        if parent in in_cycle:
            issue = ImportIssue(
                row=row,
                column=compiled.column_of("parent_external_id"),
                value=parent,
                reason=f"parent account {parent!r} is itself, through other rows, a child of "
                "this account (a cycle)",
                code="unknown_reference",
            )
        else:
            issue = _unknown_reference(row, compiled, "parent_external_id", "accounts", parent)
        reject(row, [issue])
    return accepted
