"""Repositories: read and write the database in terms of domain objects.

Functions take an ORM :class:`Session` opened with ``kambot.store.db.session_scope``;
they flush but never commit (the scope does). Bulk writes from files go through
``kambot.store.writer`` instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session, aliased

from kambot.domain.accounts import (
    Account,
    Activity,
    Contact,
    Initiative,
    InvoiceLine,
    Opportunity,
)
from kambot.domain.programme import (
    Capacity,
    Criterion,
    Objective,
    Person,
    Programme,
    StrategicSegment,
    TierRule,
)
from kambot.errors import DataError, NotFoundError
from kambot.store import writer
from kambot.store.schema import (
    AccountRevenueRow,
    AccountRow,
    ActivityRow,
    AuditRow,
    ContactRow,
    CriterionRow,
    ImportRunRow,
    InitiativeRow,
    InvoiceLineRow,
    ObjectiveRow,
    OpportunityRow,
    PersonRow,
    ProgrammeRow,
    SegmentRow,
    TierRuleRow,
)

PROGRAMME_ID = 1
INIT_HINT = "kambot init --programme FILE"
# Programme fields stored in their own tables or columns; the other scalar fields go
# to the ``settings`` JSON column so that adding one needs no migration.
_PROGRAMME_COLUMNS = frozenset(
    {
        "name",
        "company",
        "currency",
        "objectives",
        "segments",
        "criteria",
        "capacity",
        "tier_rules",
        "people",
    }
)


def _validation_problems(exc: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
        for err in exc.errors()
    ]


# --- programme ---------------------------------------------------------------------------


def load_programme_file(path: Path | str) -> Programme:
    """Read and validate a programme definition from a YAML file.

    The file holds the :class:`Programme` fields at the top level, or under a single
    ``programme:`` key.

    Args:
        path: the YAML file.

    Returns:
        The validated programme.

    Raises:
        NotFoundError: the file does not exist.
        DataError: the file is not valid YAML or a field is invalid; the message names
            every invalid field (``criteria.2.weight: ...``).
    """
    import yaml

    file = Path(path)
    if not file.is_file():
        raise NotFoundError(
            f"programme file {file} does not exist",
            hint="give the path of a programme YAML file (see knowledge/ for an example)",
        )
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise DataError(
            f"programme file {file} is not UTF-8 text", hint="save it as UTF-8"
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(
            f"programme file {file} is not valid YAML{where}: {problem}",
            hint="fix the YAML syntax (indentation, colons, quotes)",
        ) from exc
    if isinstance(data, dict) and set(data) == {"programme"}:
        data = data["programme"]
    if not isinstance(data, dict):
        raise DataError(
            f"programme file {file} must hold a mapping of programme fields",
            hint="start the file with `name: ...` and the other programme fields",
        )
    try:
        return Programme.model_validate(data)
    except ValidationError as exc:
        problems = _validation_problems(exc)
        raise DataError(
            f"programme file {file} is invalid: {'; '.join(problems)}",
            hint="fix the fields named above",
            problems=problems,
        ) from exc


def save_programme(session: Session, programme: Programme) -> None:
    """Store the programme, replacing the previous definition.

    Objectives, segments, criteria and tier rules are replaced; people are upserted by
    ``key`` and never deleted here, because accounts refer to them as KAMs and sponsors.

    Args:
        session: an open session (committed by its scope).
        programme: the validated programme.
    """
    row = session.get(ProgrammeRow, PROGRAMME_ID)
    if row is None:
        row = ProgrammeRow(id=PROGRAMME_ID)
        session.add(row)
    row.name = programme.name
    row.company = programme.company
    row.currency = programme.currency
    row.capacity = programme.capacity.model_dump(mode="json")
    row.settings = programme.model_dump(mode="json", exclude=set(_PROGRAMME_COLUMNS))
    row.updated_at = datetime.now().astimezone()

    for table in (ObjectiveRow, SegmentRow, CriterionRow, TierRuleRow):
        session.execute(sa.delete(table))
    session.add_all(
        ObjectiveRow(position=i, cause=o.cause.value, statement=o.statement, measure=o.measure)
        for i, o in enumerate(programme.objectives)
    )
    session.add_all(
        SegmentRow(
            position=i,
            key=s.key,
            name=s.name,
            industries=list(s.industries),
            value_proposition_fit=s.value_proposition_fit,
        )
        for i, s in enumerate(programme.segments)
    )
    session.add_all(
        CriterionRow(
            position=i,
            key=c.key,
            label=c.label,
            axis=c.axis.value,
            weight=c.weight,
            normalisation=c.normalisation.value,
            scale_lo=c.scale[0] if c.scale else None,
            scale_hi=c.scale[1] if c.scale else None,
            higher_is_better=c.higher_is_better,
            missing=c.missing.value,
        )
        for i, c in enumerate(programme.criteria)
    )
    session.add_all(
        TierRuleRow(
            position=i,
            tier=r.tier,
            scope=r.scope,
            key_account=r.key_account,
            quadrants=list(r.quadrants) if r.quadrants is not None else None,
            min_revenue_ttm=r.min_revenue_ttm,
            min_potential=r.min_potential,
            label=r.label,
        )
        for i, r in enumerate(programme.tier_rules)
    )
    save_people(session, programme.people)
    session.flush()


def save_people(session: Session, people: Iterable[Person]) -> None:
    """Insert or update people by ``key``.

    Args:
        session: an open session.
        people: the people to store.
    """
    existing = {p.key: p for p in session.scalars(sa.select(PersonRow))}
    for person in people:
        row = existing.get(person.key)
        if row is None:
            row = PersonRow(key=person.key)
            session.add(row)
            existing[person.key] = row
        row.name = person.name
        row.role = person.role
        row.title = person.title
        row.industries = list(person.industries)
        row.max_accounts = person.max_accounts
        row.email = person.email
    session.flush()


def _person(row: PersonRow) -> Person:
    return Person(
        key=row.key,
        name=row.name,
        role=row.role,
        title=row.title,
        industries=list(row.industries or []),
        max_accounts=row.max_accounts,
        email=row.email,
    )


def list_people(session: Session, *, role: str | None = None) -> list[Person]:
    """List people ordered by key, optionally of one role (kam, executive...)."""
    stmt = sa.select(PersonRow).order_by(PersonRow.key)
    if role is not None:
        stmt = stmt.where(PersonRow.role == role)
    return [_person(row) for row in session.scalars(stmt)]


def load_programme(session: Session) -> Programme:
    """Load the stored programme.

    Args:
        session: an open session.

    Returns:
        The programme with all the people stored (programme file and imports).

    Raises:
        NotFoundError: no programme has been saved yet.
        DataError: the stored programme no longer validates.
    """
    row = session.get(ProgrammeRow, PROGRAMME_ID)
    if row is None:
        raise NotFoundError("no programme is defined yet", hint=f"run `{INIT_HINT}`")

    def ordered(table: Any) -> list[Any]:
        return list(session.scalars(sa.select(table).order_by(table.position)))

    try:
        return Programme(
            name=row.name,
            company=row.company,
            currency=row.currency,
            capacity=Capacity.model_validate(row.capacity),
            objectives=[
                Objective(cause=o.cause, statement=o.statement, measure=o.measure)  # type: ignore[arg-type]
                for o in ordered(ObjectiveRow)
            ],
            segments=[
                StrategicSegment(
                    key=s.key,
                    name=s.name,
                    industries=list(s.industries),
                    value_proposition_fit=s.value_proposition_fit,
                )
                for s in ordered(SegmentRow)
            ],
            criteria=[
                Criterion(
                    key=c.key,
                    label=c.label,
                    axis=c.axis,
                    weight=c.weight,
                    normalisation=c.normalisation,
                    scale=(c.scale_lo, c.scale_hi)
                    if c.scale_lo is not None and c.scale_hi is not None
                    else None,
                    higher_is_better=c.higher_is_better,
                    missing=c.missing,
                )
                for c in ordered(CriterionRow)
            ],
            tier_rules=[
                TierRule(
                    tier=r.tier,
                    scope=r.scope,
                    key_account=r.key_account,
                    quadrants=r.quadrants,
                    min_revenue_ttm=r.min_revenue_ttm,
                    min_potential=r.min_potential,
                    label=r.label,
                )
                for r in ordered(TierRuleRow)
            ],
            people=list_people(session),
            **dict(row.settings or {}),
        )
    except ValidationError as exc:
        raise DataError(
            f"the stored programme is invalid: {'; '.join(_validation_problems(exc))}",
            hint=f"save it again with `{INIT_HINT}`",
        ) from exc


# --- accounts ----------------------------------------------------------------------------


def _account_select() -> sa.Select[AccountRow, str, str, str]:
    parent = aliased(AccountRow)
    kam = aliased(PersonRow)
    sponsor = aliased(PersonRow)
    return (
        sa.select(AccountRow, parent.external_id, kam.key, sponsor.key)
        .outerjoin(parent, AccountRow.parent_id == parent.id)
        .outerjoin(kam, AccountRow.owner_kam_id == kam.id)
        .outerjoin(sponsor, AccountRow.sponsor_id == sponsor.id)
    )


def _account(row: AccountRow, parent: str | None, kam: str | None, sponsor: str | None) -> Account:
    try:
        return Account(
            id=row.id,
            external_id=row.external_id,
            name=row.name,
            parent_external_id=parent,
            industry=row.industry,
            segment=row.segment,
            country=row.country,
            business_unit=row.business_unit,
            employees=row.employees,
            annual_revenue=row.annual_revenue,
            margin_pct=row.margin_pct,
            potential=row.potential,
            potential_source=row.potential_source,  # type: ignore[arg-type]
            potential_method=row.potential_method,
            products=list(row.products or []),
            relationship_stage=row.relationship_stage,
            satisfaction=row.satisfaction,
            owner_kam=kam,
            sponsor=sponsor,
            is_key_account=row.is_key_account,
            selected_on=row.selected_on,
            plan_validated_on=row.plan_validated_on,
        )
    except ValidationError as exc:
        raise DataError(
            f"account {row.external_id!r} holds invalid values: "
            f"{'; '.join(_validation_problems(exc))}",
            hint="correct the source file and import it again",
        ) from exc


def list_accounts(
    session: Session,
    *,
    key_accounts_only: bool = False,
    owner_kam: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Account]:
    """List accounts ordered by name (then external id).

    Args:
        session: an open session.
        key_accounts_only: only accounts selected as key accounts.
        owner_kam: only accounts owned by this KAM (person key).
        limit: at most this many accounts.
        offset: skip this many first.
    """
    stmt = _account_select().order_by(AccountRow.name, AccountRow.external_id)
    if key_accounts_only:
        stmt = stmt.where(AccountRow.is_key_account.is_(True))
    if owner_kam is not None:
        stmt = stmt.where(
            AccountRow.owner_kam_id.in_(sa.select(PersonRow.id).where(PersonRow.key == owner_kam))
        )
    stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_account(*row) for row in session.execute(stmt)]


def suggest_accounts(session: Session, text: str, limit: int = 3) -> list[tuple[str, str]]:
    """Return the accounts whose external id or name is closest to ``text``.

    Args:
        session: an open session.
        text: what the user typed.
        limit: how many suggestions at most.

    Returns:
        (external_id, name) pairs, best first.
    """
    from rapidfuzz import fuzz, process, utils

    rows = session.execute(sa.select(AccountRow.external_id, AccountRow.name)).all()
    if not rows or not text.strip():
        return []
    names = {ext: name for ext, name in rows}
    scores: dict[str, float] = {}
    for choices in ({ext: ext for ext in names}, names):
        for _, score, ext in process.extract(
            text,
            choices,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=limit,
            score_cutoff=50,
        ):
            scores[ext] = max(scores.get(ext, 0.0), float(score))
    best = sorted(scores, key=lambda ext: (-scores[ext], ext))[:limit]
    return [(ext, names[ext]) for ext in best]


def _not_found(session: Session, ref: int | str) -> NotFoundError:
    suggestions = suggest_accounts(session, str(ref)) if isinstance(ref, str) else []
    if suggestions:
        listed = ", ".join(f"{ext!r} ({name})" for ext, name in suggestions)
        hint = f"did you mean {listed}?"
    else:
        hint = "check the external id; list the accounts to see the known ones"
    return NotFoundError(
        f"unknown account {ref!r}",
        hint=hint,
        suggestions=[ext for ext, _ in suggestions],
    )


def get_account(session: Session, ref: int | str) -> Account:
    """Return one account by database id (int) or external id (str).

    Raises:
        NotFoundError: no such account; the hint suggests the closest external ids
            and names.
    """
    stmt = _account_select()
    stmt = stmt.where(
        AccountRow.id == ref if isinstance(ref, int) else AccountRow.external_id == ref
    )
    row = session.execute(stmt).first()
    if row is None:
        raise _not_found(session, ref)
    return _account(*row)


def account_id(session: Session, ref: int | str) -> int:
    """Resolve an account reference (database id or external id) to its database id.

    Raises:
        NotFoundError: no such account (with suggestions).
    """
    column = AccountRow.id if isinstance(ref, int) else AccountRow.external_id
    found = session.scalar(sa.select(AccountRow.id).where(column == ref))
    if found is None:
        raise _not_found(session, ref)
    return int(found)


def _children(session: Session, table: Any, ref: int | str, order: Sequence[Any]) -> list[Any]:
    account = account_id(session, ref)
    external = session.scalar(sa.select(AccountRow.external_id).where(AccountRow.id == account))
    rows = session.scalars(sa.select(table).where(table.account_id == account).order_by(*order))
    return [(external, row) for row in rows]


def contacts_for(session: Session, ref: int | str) -> list[Contact]:
    """List an account's contacts, by name."""
    return [
        Contact(
            external_id=c.external_id,
            account_external_id=ext,
            name=c.name,
            title=c.title,
            role=c.role,  # type: ignore[arg-type]
            level=c.level,  # type: ignore[arg-type]
            email=c.email,
            last_contact=c.last_contact,
        )
        for ext, c in _children(session, ContactRow, ref, [ContactRow.name, ContactRow.id])
    ]


def opportunities_for(session: Session, ref: int | str) -> list[Opportunity]:
    """List an account's opportunities, newest first."""
    order = [OpportunityRow.created_on.desc(), OpportunityRow.id.desc()]
    return [
        Opportunity(
            external_id=o.external_id,
            account_external_id=ext,
            name=o.name,
            product=o.product,
            stage=o.stage,  # type: ignore[arg-type]
            crm_stage=o.crm_stage,
            value=o.value,
            probability=o.probability,
            created_on=o.created_on,
            closed_on=o.closed_on,
            owner=o.owner,
        )
        for ext, o in _children(session, OpportunityRow, ref, order)
    ]


def invoice_lines_for(session: Session, ref: int | str, limit: int = 1000) -> list[InvoiceLine]:
    """List an account's latest invoice lines, newest first (at most ``limit``)."""
    order = [InvoiceLineRow.invoiced_on.desc(), InvoiceLineRow.id.desc()]
    rows = _children(session, InvoiceLineRow, ref, order)[:limit]
    return [
        InvoiceLine(
            external_id=line.external_id,
            invoice=line.invoice,
            account_external_id=ext,
            invoiced_on=line.invoiced_on,
            product=line.product,
            quantity=line.quantity,
            amount=line.amount,
            cancelled=line.cancelled,
        )
        for ext, line in rows
    ]


def revenue_for(session: Session, ref: int | str) -> list[tuple[int, float]]:
    """Return an account's monthly revenue as (month index, amount), oldest first.

    The month index is ``year * 12 + month - 1`` (``kambot.core.frames.month_index``).
    """
    account = account_id(session, ref)
    stmt = (
        sa.select(AccountRevenueRow.month, AccountRevenueRow.amount)
        .where(AccountRevenueRow.account_id == account)
        .order_by(AccountRevenueRow.month)
    )
    return [(int(m), float(a)) for m, a in session.execute(stmt)]


def activities_for(
    session: Session, ref: int | str, *, include_flagged: bool = True
) -> list[Activity]:
    """List an account's activities, newest first.

    ``text`` is untrusted; activities whose text was flagged as a possible prompt
    injection at import can be left out (see :func:`activity_flags`).
    """
    order = [ActivityRow.occurred_on.desc(), ActivityRow.id.desc()]
    return [
        Activity(
            external_id=a.external_id,
            account_external_id=ext,
            kind=a.kind,  # type: ignore[arg-type]
            occurred_on=a.occurred_on,
            resolved_on=a.resolved_on,
            subject=a.subject,
            text=a.text,
            author=a.author,
        )
        for ext, a in _children(session, ActivityRow, ref, order)
        if include_flagged or not a.flagged_injection
    ]


def activity_flags(session: Session, ref: int | str) -> dict[str, list[str]]:
    """Map the external ids of an account's flagged activities to their flags."""
    return {
        a.external_id: [f for f in (a.flags or "").split(",") if f]
        for _, a in _children(session, ActivityRow, ref, [ActivityRow.id])
        if a.flagged_injection
    }


def initiatives_for(session: Session, ref: int | str) -> list[Initiative]:
    """List an account's strategic initiatives in creation order."""
    return [
        Initiative(
            external_id=i.external_id,
            account_external_id=ext,
            title=i.title,
            status=i.status,  # type: ignore[arg-type]
            expected_value=i.expected_value,
            profit_centre=i.profit_centre,
            resources_requested=i.resources_requested,
            resources_committed=i.resources_committed,
            decided_on=i.decided_on,
        )
        for ext, i in _children(session, InitiativeRow, ref, [InitiativeRow.id])
    ]


def rollup_revenue(session: Session, account_ids: Iterable[int] | None = None) -> int:
    """Recompute ``account_revenue`` from ``invoice_lines`` (all accounts when None).

    Every invoice line adds its signed amount, cancelled or not: a cancellation is a
    line of its own with a negative amount, so the sum nets it out.

    Returns:
        The number of (account, month) rows inserted, changed or deleted.
    """
    return writer.rollup_revenue(session, account_ids)


# --- audit and import runs ---------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: datetime
    actor: str
    action: str
    object: str
    details: dict[str, Any]


def append_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    object: str,
    details: dict[str, Any] | None = None,
) -> int:
    """Append an entry to the audit log (which is never updated nor deleted).

    Args:
        session: an open session.
        actor: who acted (user name, ``cli``, ``api:<user>``).
        action: what was done (``import``, ``select_key_accounts``...).
        object: what it was done to (``account:ACC-1``, ``programme``...).
        details: JSON-serialisable facts; dates and other values become text.

    Returns:
        The id of the entry.
    """
    safe = json.loads(json.dumps(details or {}, default=str))
    row = AuditRow(actor=actor, action=action, object=object, details=safe)
    session.add(row)
    session.flush()
    return int(row.id)


def list_audit(
    session: Session,
    *,
    object: str | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """List audit entries, newest first, optionally about one object."""
    stmt = sa.select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if object is not None:
        stmt = stmt.where(AuditRow.object == object)
    return [
        AuditEntry(r.id, r.at, r.actor, r.action, r.object, dict(r.details or {}))
        for r in session.scalars(stmt)
    ]


@dataclass(frozen=True)
class ImportRun:
    """One recorded import attempt."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    source_name: str
    sha256: str
    kind: str
    rows_accepted: int
    rows_rejected: int
    dry_run: bool
    report: dict[str, Any]


def list_import_runs(
    session: Session, *, sha256: str | None = None, limit: int = 20
) -> list[ImportRun]:
    """List recorded imports, newest first, optionally of one file content (sha256)."""
    stmt = sa.select(ImportRunRow).order_by(ImportRunRow.id.desc()).limit(limit)
    if sha256 is not None:
        stmt = stmt.where(ImportRunRow.sha256 == sha256)
    return [
        ImportRun(
            r.id,
            r.started_at,
            r.finished_at,
            r.source_name,
            r.sha256,
            r.kind,
            r.rows_accepted,
            r.rows_rejected,
            r.dry_run,
            dict(r.report or {}),
        )
        for r in session.scalars(stmt)
    ]
