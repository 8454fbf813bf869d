"""Records of assessments: append-only runs, human decisions, explanation, erasure, purge.

Every run is logged once and never changed (the table refuses UPDATE); what a human
decides is appended as a decision (an override needs a written reason). The only ways
rows leave are :func:`erase_candidate` (the person's right to erasure) and :func:`purge`
(retention). Both delete, then ``VACUUM`` and checkpoint SQLite so that the deleted text
leaves the database file. CV text is never indexed in the search indexes (Chroma,
BM25), so there is no index to rebuild; only evidence quotes are stored, in the runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from kambot.domain.assessment import (
    Assessment,
    AssessmentStatus,
    CompetencyEvidence,
    Decision,
    DecisionKind,
    Evidence,
    Fit,
    Flag,
    Gap,
    InterviewQuestion,
    Lang,
    Recommendation,
    SourceInfo,
    TargetProfile,
    Trait,
    TraitScore,
)
from kambot.errors import DataError, NotFoundError, StoreError
from kambot.exports.assessment_report import escape_markdown

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection, Engine

MIN_KEEP_RUNS_MONTHS = 6
DEFAULT_PURGE_AFTER_MONTHS = 24



@dataclass(frozen=True)
class _Db:
    """SQLAlchemy and the assessment tables, imported on first use."""

    sa: Any
    cand: Table
    runs: Table
    dec: Table
    audit: Table


@lru_cache(maxsize=1)
def _db() -> _Db:
    """Import SQLAlchemy and the tables: the CLI loads this module only when an
    assessment command runs, and nothing heavy is imported before."""
    import sqlalchemy

    from kambot.store.assessment_schema import ASSESSMENT_DECISIONS, ASSESSMENT_RUNS, CANDIDATES
    from kambot.store.schema import AuditRow

    audit: Table = AuditRow.__table__  # type: ignore[assignment]
    return _Db(sqlalchemy, CANDIDATES, ASSESSMENT_RUNS, ASSESSMENT_DECISIONS, audit)


@dataclass(frozen=True)
class RunSummary:
    """One logged run, as listed for reviewers."""

    run_id: int
    candidate_ref: str
    created_at: datetime
    target: str
    model: str
    status: AssessmentStatus
    fit_pct: float | None
    flags: int


@dataclass(frozen=True)
class ErasureReport:
    """What erasing a person removed."""

    candidate_id: int
    runs_deleted: int
    decisions_deleted: int
    vacuumed: bool
    indexes_rebuilt: tuple[str, ...] = ()


@dataclass(frozen=True)
class PurgeReport:
    """What a retention purge removed."""

    candidates_erased: int
    runs_deleted: int
    decisions_deleted: int
    cutoff: datetime
    vacuumed: bool


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _now(now: datetime | None) -> datetime:
    return _utc(now) or datetime.now(UTC)


def months_before(moment: datetime, months: int) -> datetime:
    """Return the same day and time ``months`` calendar months earlier (clamped)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    days = [31, 29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return moment.replace(year=year, month=month, day=min(moment.day, days))


def _audit(conn: Connection, actor: str, action: str, obj: str, details: dict[str, Any]) -> None:
    db = _db()
    conn.execute(db.sa.insert(db.audit).values(at=datetime.now(UTC), actor=actor, action=action,
                                          object=obj, details=details))


def _candidate_id(conn: Connection, ref: str, now: datetime) -> int:
    db = _db()
    row = conn.execute(db.sa.select(db.cand.c.id, db.cand.c.erased)
                       .where(db.cand.c.external_ref == ref)).first()
    if row is not None:
        conn.execute(db.sa.update(db.cand).where(db.cand.c.id == row.id)
                     .values(last_contact=now))
        return int(row.id)
    result = conn.execute(db.sa.insert(db.cand).values(external_ref=ref, created_at=now,
                                                        last_contact=now, erased=False))
    return _new_id(result)


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every table here has an integer key
        raise StoreError("the database returned no id for a new row")
    return int(key[0])


def _transaction(engine: Engine) -> Any:
    from kambot.store.db import transaction

    return transaction(engine, write=True)


def create_run(engine: Engine, assessment: Assessment) -> int:
    """Log an assessment run (append-only) and record the contact with the person.

    Args:
        engine: the database.
        assessment: the proposal to log.

    Returns:
        The run id.

    Raises:
        DataError: the candidate reference is empty.
        StoreError: the assessment tables are missing.
    """
    db = _db()
    ref = assessment.candidate_ref.strip()
    if not ref:
        raise DataError("a candidate reference is needed", hint="pass the HR reference")
    now = _utc(assessment.created_at) or datetime.now(UTC)
    scores: dict[str, Any] = {
        "traits": [s.model_dump(mode="json") for s in assessment.scores],
        "fit": assessment.fit.model_dump(mode="json"),
        "gaps": [g.model_dump(mode="json") for g in assessment.gaps],
        "overall": assessment.overall_recommendation,
        "alternative": assessment.alternative_profile,
        "questions": [q.model_dump(mode="json") for q in assessment.questions],
        "redactions": assessment.redactions,
        "sources": [s.model_dump(mode="json") for s in assessment.sources],
    }
    try:
        with _transaction(engine) as conn:
            candidate = _candidate_id(conn, ref, now)
            result = conn.execute(db.sa.insert(db.runs).values(
                candidate_id=candidate,
                created_at=now,
                input_sha256=assessment.input_sha256,
                rubric_version=assessment.rubric_version,
                prompt_version=assessment.prompt_version,
                model=assessment.model,
                lang=assessment.lang,
                target=assessment.target.model_dump(mode="json"),
                evidence={
                    "items": [e.model_dump(mode="json") for e in assessment.evidence],
                    "competencies": [c.model_dump(mode="json")
                                     for c in assessment.competency_evidence],
                },
                scores=scores,
                flags={"items": [f.model_dump(mode="json") for f in assessment.flags]},
            ))
            return _new_id(result)
    except db.sa.exc.OperationalError as exc:
        raise StoreError(f"cannot log the assessment run: {exc.orig}",
                         hint="run `kambot init` to create the assessment tables") from exc


def _decision(row: Any) -> Decision:
    return Decision(kind=DecisionKind(row.decision), reviewer=row.reviewer, reason=row.reason,
                    levels={Trait(k): v for k, v in (row.levels or {}).items()},
                    at=_utc(row.at) or datetime.now(UTC))


def _decisions(conn: Connection, run_id: int) -> list[Decision]:
    db = _db()
    rows = conn.execute(db.sa.select(db.dec).where(db.dec.c.run_id == run_id)
                        .order_by(db.dec.c.at, db.dec.c.id)).all()
    return [_decision(r) for r in rows]


def decide(
    engine: Engine,
    run_id: int,
    *,
    decision: DecisionKind | str,
    reviewer: str,
    reason: str | None = None,
    levels: dict[Trait, int | None] | None = None,
    now: datetime | None = None,
) -> Decision:
    """Record a human decision on a run: confirm it, or override it with a reason.

    Args:
        engine: the database.
        run_id: the run decided on.
        decision: ``confirmed`` or ``overridden``.
        reviewer: who decides (an HR user).
        reason: why the proposal is overridden (required for an override).
        levels: the reviewer's levels for the traits they change (override only).
        now: the decision time (defaults to now).

    Returns:
        The decision recorded; the run itself is not changed.

    Raises:
        DataError: unknown decision, no reviewer, an override without a reason, or
            levels given with a confirmation.
        NotFoundError: no such run.
    """
    db = _db()
    try:
        kind = DecisionKind(decision)
    except ValueError:
        raise DataError(f"unknown decision {decision!r}",
                        hint="use confirmed or overridden") from None
    if not reviewer or not reviewer.strip():
        raise DataError("a decision needs the reviewer's name", hint="pass --reviewer")
    if kind == DecisionKind.OVERRIDDEN and not (reason or "").strip():
        raise DataError("an override needs a written reason",
                        hint="say why the panel departs from the proposal")
    if kind == DecisionKind.CONFIRMED and levels:
        raise DataError("a confirmation keeps the proposed levels",
                        hint="use overridden, with a reason, to change levels")
    at = _now(now)
    try:
        made = Decision(kind=kind, reviewer=reviewer.strip(),
                        reason=(reason or "").strip() or None, levels=levels or {}, at=at)
    except ValueError as exc:
        raise DataError(f"invalid decision: {exc}", hint="check the levels (1..5)") from exc
    with _transaction(engine) as conn:
        exists = conn.execute(db.sa.select(db.runs.c.id).where(db.runs.c.id == run_id)).first()
        if exists is None:
            raise NotFoundError(f"no assessment run {run_id}", hint="list runs with "
                                "`kambot assess list`")
        conn.execute(db.sa.insert(db.dec).values(
            run_id=run_id, reviewer=made.reviewer, decision=made.kind.value,
            reason=made.reason, levels={k.value: v for k, v in made.levels.items()}, at=at))
    return made


def _status(decision: Decision | None) -> AssessmentStatus:
    if decision is None:
        return AssessmentStatus.PROPOSAL
    return (AssessmentStatus.CONFIRMED if decision.kind == DecisionKind.CONFIRMED
            else AssessmentStatus.OVERRIDDEN)


def _assessment(row: Any, ref: str, decision: Decision | None) -> Assessment:
    scores = row.scores or {}
    evidence = row.evidence or {}
    overall = scores.get("overall")
    return Assessment(
        run_id=int(row.id),
        candidate_ref=ref,
        status=_status(decision),
        lang=row.lang,
        target=TargetProfile.model_validate(row.target),
        scores=[TraitScore.model_validate(s) for s in scores.get("traits", [])],
        evidence=[Evidence.model_validate(e) for e in evidence.get("items", [])],
        competency_evidence=[CompetencyEvidence.model_validate(c)
                             for c in evidence.get("competencies", [])],
        fit=Fit.model_validate(scores.get("fit") or {"assessed_weight": 0}),
        gaps=[Gap.model_validate(g) for g in scores.get("gaps", [])],
        overall_recommendation=Recommendation(overall) if overall else None,
        alternative_profile=scores.get("alternative"),
        questions=[InterviewQuestion.model_validate(q) for q in scores.get("questions", [])],
        flags=[Flag.model_validate(f) for f in (row.flags or {}).get("items", [])],
        redactions=dict(scores.get("redactions") or {}),
        sources=[SourceInfo.model_validate(s) for s in scores.get("sources", [])],
        input_sha256=row.input_sha256,
        rubric_version=row.rubric_version,
        prompt_version=row.prompt_version,
        model=row.model,
        created_at=_utc(row.created_at) or datetime.now(UTC),
        decision=decision,
    )


def get_run(engine: Engine, run_id: int) -> Assessment:
    """Load a logged run with its latest decision.

    Raises:
        NotFoundError: no such run (or the person was erased).
    """
    db = _db()
    with engine.connect() as conn:
        row = conn.execute(
            db.sa.select(db.runs, db.cand.c.external_ref)
            .join(db.cand, db.cand.c.id == db.runs.c.candidate_id)
            .where(db.runs.c.id == run_id)
        ).first()
        if row is None:
            raise NotFoundError(f"no assessment run {run_id}",
                                hint="list runs with `kambot assess list`")
        decisions = _decisions(conn, run_id)
    return _assessment(row, row.external_ref, decisions[-1] if decisions else None)


def list_decisions(engine: Engine, run_id: int) -> list[Decision]:
    """Return every decision on a run, oldest first (the last one counts)."""
    with engine.connect() as conn:
        return _decisions(conn, run_id)


def list_runs(engine: Engine, *, candidate_ref: str | None = None,
              limit: int = 100) -> list[RunSummary]:
    """List logged runs, newest first, optionally for one person."""
    db = _db()
    stmt = (db.sa.select(db.runs.c.id, db.runs.c.created_at, db.runs.c.target, db.runs.c.model,
                      db.runs.c.scores, db.runs.c.flags, db.cand.c.external_ref)
            .join(db.cand, db.cand.c.id == db.runs.c.candidate_id)
            .order_by(db.runs.c.created_at.desc(), db.runs.c.id.desc()).limit(limit))
    if candidate_ref is not None:
        stmt = stmt.where(db.cand.c.external_ref == candidate_ref)
    summaries: list[RunSummary] = []
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
        latest: dict[int, str] = {}
        if rows:
            decided = conn.execute(
                db.sa.select(db.dec.c.run_id, db.dec.c.decision)
                .where(db.dec.c.run_id.in_([r.id for r in rows]))
                .order_by(db.dec.c.at, db.dec.c.id)).all()
            latest = {int(d.run_id): d.decision for d in decided}
    for row in rows:
        kind = latest.get(int(row.id))
        status = (AssessmentStatus.PROPOSAL if kind is None else
                  AssessmentStatus.CONFIRMED if kind == DecisionKind.CONFIRMED.value
                  else AssessmentStatus.OVERRIDDEN)
        fit = (row.scores or {}).get("fit") or {}
        summaries.append(RunSummary(
            run_id=int(row.id), candidate_ref=row.external_ref,
            created_at=_utc(row.created_at) or datetime.now(UTC),
            target=str((row.target or {}).get("key", "")), model=row.model, status=status,
            fit_pct=fit.get("score_pct"), flags=len((row.flags or {}).get("items", []))))
    return summaries


def _vacuum(engine: Engine) -> bool:
    """Rewrite an SQLite file so that deleted rows leave no trace in its bytes."""
    if engine.dialect.name != "sqlite":
        return False
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        if driver is None:  # pragma: no cover - pysqlite always exposes it
            return False
        if getattr(driver, "in_transaction", False):
            driver.commit()
        driver.execute("VACUUM")
        # In WAL mode the rewritten pages sit in the -wal file until a checkpoint.
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    return True


def _delete_runs(conn: Connection, run_ids: list[int]) -> tuple[int, int]:
    db = _db()
    if not run_ids:
        return 0, 0
    decisions = conn.execute(db.sa.delete(db.dec).where(db.dec.c.run_id.in_(run_ids)))
    runs = conn.execute(db.sa.delete(db.runs).where(db.runs.c.id.in_(run_ids)))
    return int(runs.rowcount or 0), int(decisions.rowcount or 0)


def _erase(conn: Connection, candidate_id: int, now: datetime) -> tuple[int, int]:
    db = _db()
    run_ids = [int(r.id) for r in conn.execute(
        db.sa.select(db.runs.c.id).where(db.runs.c.candidate_id == candidate_id))]
    runs, decisions = _delete_runs(conn, run_ids)
    # A tombstone keeps the erasure on record; the reference may itself identify the
    # person, so it is replaced.
    conn.execute(db.sa.update(db.cand).where(db.cand.c.id == candidate_id).values(
        external_ref=f"erased-{candidate_id}", last_contact=None, erased=True, erased_at=now))
    return runs, decisions


def erase_candidate(
    engine: Engine,
    candidate_ref: str,
    *,
    actor: str = "cli",
    vacuum: bool = True,
    now: datetime | None = None,
) -> ErasureReport:
    """Erase a person: their runs, evidence and decisions, then compact the database.

    Args:
        engine: the database.
        candidate_ref: the person's HR reference.
        actor: who asked (written to the audit log, with no personal data).
        vacuum: rewrite the SQLite file afterwards (leave True outside tests of it).
        now: the erasure time.

    Returns:
        What was removed. CV text is never indexed, so no search index is rebuilt.

    Raises:
        NotFoundError: no such person.
    """
    db = _db()
    at = _now(now)
    with _transaction(engine) as conn:
        row = conn.execute(db.sa.select(db.cand.c.id).where(
            db.cand.c.external_ref == candidate_ref,
            db.cand.c.erased == db.sa.false())).first()
        if row is None:
            raise NotFoundError(f"no candidate with reference {candidate_ref!r}",
                                hint="check the reference (erased people are not listed)")
        candidate_id = int(row.id)
        runs, decisions = _erase(conn, candidate_id, at)
        _audit(conn, actor, "assessment.erase_candidate", f"candidate:{candidate_id}",
               {"runs_deleted": runs, "decisions_deleted": decisions})
    vacuumed = _vacuum(engine) if vacuum else False
    return ErasureReport(candidate_id, runs, decisions, vacuumed)


def purge(
    engine: Engine,
    *,
    now: datetime | None = None,
    purge_after_months: int = DEFAULT_PURGE_AFTER_MONTHS,
    keep_runs_months: int = MIN_KEEP_RUNS_MONTHS,
    actor: str = "retention",
    vacuum: bool = True,
) -> PurgeReport:
    """Apply the retention rule: nothing older than ``purge_after_months`` survives.

    People without contact for ``purge_after_months`` are erased (tombstone kept), and
    runs older than that are deleted for everyone else. Logs are always kept at least
    ``keep_runs_months`` (six months minimum, the AI Act's floor for automatic logs).

    Args:
        engine: the database.
        now: the reference time (defaults to now).
        purge_after_months: delay after the last contact (24 months by default).
        keep_runs_months: the minimum age of any run deleted (at least 6).
        actor: recorded in the audit log.
        vacuum: rewrite the SQLite file afterwards.

    Returns:
        What was removed.

    Raises:
        DataError: the delays are below the six-month floor or contradict each other.
    """
    db = _db()
    if keep_runs_months < MIN_KEEP_RUNS_MONTHS:
        raise DataError(f"runs must be kept at least {MIN_KEEP_RUNS_MONTHS} months, "
                        f"got {keep_runs_months}", hint="raise keep_runs_months")
    if purge_after_months < keep_runs_months:
        raise DataError(f"purge_after_months ({purge_after_months}) is shorter than "
                        f"keep_runs_months ({keep_runs_months})",
                        hint="purge after at least the log retention period")
    at = _now(now)
    cutoff = months_before(at, purge_after_months)
    erased = runs_total = decisions_total = 0
    with _transaction(engine) as conn:
        stale = [int(r.id) for r in conn.execute(db.sa.select(db.cand.c.id).where(
            db.cand.c.erased == db.sa.false(), db.cand.c.last_contact < cutoff))]
        for candidate_id in stale:
            runs, decisions = _erase(conn, candidate_id, at)
            erased += 1
            runs_total += runs
            decisions_total += decisions
        old_runs = [int(r.id) for r in conn.execute(
            db.sa.select(db.runs.c.id).where(db.runs.c.created_at < cutoff))]
        runs, decisions = _delete_runs(conn, old_runs)
        runs_total += runs
        decisions_total += decisions
        _audit(conn, actor, "assessment.purge", "assessment_runs",
               {"cutoff": cutoff.isoformat(), "candidates_erased": erased,
                "runs_deleted": runs_total, "decisions_deleted": decisions_total})
    vacuumed = _vacuum(engine) if vacuum and (erased or runs_total) else False
    return PurgeReport(erased, runs_total, decisions_total, cutoff, vacuumed)


_EXPLAIN: dict[str, tuple[str, str]] = {
    "title": ("Explanation of your assessment", "Explication de votre évaluation"),
    "what": ("What was assessed", "Ce qui a été évalué"),
    "what_text": (
        "Documents read: your {sources}. They were compared with the target profile "
        "**{profile}** of a key account management programme, on six observable traits. "
        "Only job-related evidence was used. Your name, age, gender, nationality, family "
        "situation, health, photo and contact details were masked before anything was "
        "read, and were not used. No emotion, face or voice analysis was performed.",
        "Documents lus : votre {sources}. Ils ont été comparés au profil cible **{profile}** "
        "d'un programme de gestion des comptes clés, sur six traits observables. Seules des "
        "preuves liées au poste ont été utilisées. Vos nom, âge, genre, nationalité, "
        "situation familiale, santé, photo et coordonnées ont été masqués avant toute "
        "lecture et n'ont pas été utilisés. Aucune analyse des émotions, du visage ou de la "
        "voix n'a été pratiquée."),
    "how": ("How levels were set", "Comment les niveaux ont été fixés"),
    "how_text": (
        "Each trait is rated from 1 (limited) to 5 (exemplary) on a scale where every level "
        "is described by concrete behaviours. A level needs two independent facts from your "
        "documents, or one quantified fact; when nothing speaks to a trait, the result is "
        "\"not enough evidence\", which is not a low score. The levels are a proposal: a "
        "person from HR reviewed them and took the decision below.",
        "Chaque trait est noté de 1 (limité) à 5 (exemplaire) sur une échelle dont chaque "
        "niveau est décrit par des comportements concrets. Un niveau exige deux faits "
        "indépendants tirés de vos documents, ou un fait chiffré ; quand rien ne renseigne "
        "un trait, le résultat est « preuves insuffisantes », ce qui n'est pas une note "
        "basse. Les niveaux sont une proposition : une personne des RH les a examinés et a "
        "pris la décision ci-dessous."),
    "results": ("Results and the evidence behind them", "Résultats et preuves retenues"),
    "nee": ("not enough evidence", "preuves insuffisantes"),
    "level": ("level {level} of 5", "niveau {level} sur 5"),
    "line": ("line {line} of your {source}", "ligne {line} de votre {source}"),
    "no_quote": ("no quote supports this trait", "aucune citation ne soutient ce trait"),
    "decision": ("Decision", "Décision"),
    "pending": ("No decision has been taken yet: the assessment is still a proposal.",
                "Aucune décision n'a encore été prise : l'évaluation reste une proposition."),
    "confirmed": ("The proposal was confirmed by {reviewer} on {date}.",
                  "La proposition a été confirmée par {reviewer} le {date}."),
    "overridden": ("The proposal was changed by {reviewer} on {date}, for this reason: {reason}",
                   "La proposition a été modifiée par {reviewer} le {date}, pour la raison "
                   "suivante : {reason}"),
    "changed": ("Levels set by the reviewer: {levels}.", "Niveaux fixés par l'examinateur : "
                "{levels}."),
    "excluded": ("Text that was not taken into account", "Texte non pris en compte"),
    "excluded_text": (
        "Some parts of your documents were left out because they could not be read as "
        "evidence: {kinds}. They did not lower or raise any level.",
        "Certaines parties de vos documents ont été écartées car elles ne pouvaient pas "
        "servir de preuve : {kinds}. Elles n'ont ni baissé ni relevé aucun niveau."),
    "contest": ("How to ask questions or contest", "Comment poser des questions ou contester"),
    "contest_text": (
        "If a quote is wrong, taken out of context, or if evidence is missing, write to the "
        "HR team with the reference **{ref}** and the line concerned; the evidence will be "
        "checked and the assessment reviewed by a person. You may also ask for a copy of "
        "your data, its correction or its erasure. The records of this assessment are kept "
        "for {months} months after your last contact with us, then deleted.",
        "Si une citation est inexacte, sortie de son contexte, ou si une preuve manque, "
        "écrivez à l'équipe RH en indiquant la référence **{ref}** et la ligne concernée ; "
        "les preuves seront vérifiées et l'évaluation réexaminée par une personne. Vous "
        "pouvez aussi demander une copie de vos données, leur rectification ou leur "
        "effacement. Les traces de cette évaluation sont conservées {months} mois après "
        "votre dernier contact avec nous, puis supprimées."),
    "cv": ("CV", "CV"),
    "interview": ("interview notes", "notes d'entretien"),
    "and": (" and ", " et "),
}

_FLAG_NAMES: dict[str, tuple[str, str]] = {
    "zero_width": ("invisible characters", "caractères invisibles"),
    "unicode_tags": ("invisible characters carrying text", "caractères invisibles porteurs de "
                     "texte"),
    "bidi_override": ("text-direction control characters", "caractères de contrôle de sens"),
    "hidden_text": ("text that is hidden when the document is displayed",
                    "texte masqué à l'affichage du document"),
    "instruction_to_assessor": ("sentences addressed to the assessor or to software",
                                "phrases adressées à l'évaluateur ou à un logiciel"),
    "keyword_stuffing": ("repeated keywords", "mots-clés répétés"),
    "duplicated_section": ("repeated passages (counted once)", "passages répétés (comptés une "
                           "fois)"),
}


def _x(key: str, lang: Lang, **values: object) -> str:
    en, fr = _EXPLAIN[key]
    return (fr if lang == "fr" else en).format(**values)


def explanation_markdown(
    assessment: Assessment,
    *,
    trait_names: dict[Trait, str] | None = None,
    lang: Lang | None = None,
    retention_months: int = DEFAULT_PURGE_AFTER_MONTHS,
) -> str:
    """Write the explanation owed to the person assessed, in Markdown.

    It says what was assessed and how, every level with the quotes it rests on, the
    human decision, what was left out, and how to contest. It shows everything the
    decision used: there is no hidden score.
    """
    lang = lang or assessment.lang
    names = trait_names or {}
    kinds = sorted({s.kind.value for s in assessment.sources}) or ["cv"]
    sources = _x("and", lang).join(_x(k, lang) for k in kinds)
    lines = [f"# {_x('title', lang)}", "",
             f"{'Référence' if lang == 'fr' else 'Reference'}: {assessment.candidate_ref} · "
             f"{assessment.created_at:%Y-%m-%d}", "",
             f"## {_x('what', lang)}", "",
             _x("what_text", lang, sources=sources, profile=assessment.target.name.get(lang)),
             "", f"## {_x('how', lang)}", "", _x("how_text", lang), "",
             f"## {_x('results', lang)}", ""]
    evidence = {e.id: e for e in assessment.evidence}
    for score in assessment.scores:
        name = names.get(score.trait, score.trait.value.capitalize())
        shown = (_x("level", lang, level=score.level) if score.level is not None
                 else _x("nee", lang))
        lines.append(f"### {name}: {shown}")
        lines.append("")
        quotes = [evidence[i] for i in score.evidence_ids if i in evidence]
        if not quotes:
            lines.append(f"- {_x('no_quote', lang)}")
        for item in quotes:
            where = _x("line", lang, line=item.line, source=_x(item.source.value, lang))
            quote = escape_markdown(item.quote)
            lines.append(f"- « {quote} » ({where})" if lang == "fr"
                         else f"- \"{quote}\" ({where})")
        lines.append("")
    lines += [f"## {_x('decision', lang)}", ""]
    decision = assessment.decision
    if decision is None:
        lines.append(_x("pending", lang))
    elif decision.kind == DecisionKind.CONFIRMED:
        lines.append(_x("confirmed", lang, reviewer=escape_markdown(decision.reviewer),
                        date=f"{decision.at:%Y-%m-%d}"))
    else:
        lines.append(_x("overridden", lang, reviewer=escape_markdown(decision.reviewer),
                        date=f"{decision.at:%Y-%m-%d}",
                        reason=escape_markdown(decision.reason or "")))
        if decision.levels:
            changed = ", ".join(
                f"{names.get(t, t.value.capitalize())} "
                f"{v if v is not None else _x('nee', lang)}" for t, v in decision.levels.items())
            lines.append("")
            lines.append(_x("changed", lang, levels=changed))
    lines.append("")
    flag_kinds = sorted({f.kind.value for f in assessment.flags if f.kind.value in _FLAG_NAMES})
    if flag_kinds:
        shown_kinds = "; ".join(
            (_FLAG_NAMES[k][1] if lang == "fr" else _FLAG_NAMES[k][0]) for k in flag_kinds)
        lines += [f"## {_x('excluded', lang)}", "", _x("excluded_text", lang, kinds=shown_kinds),
                  ""]
    lines += [f"## {_x('contest', lang)}", "",
              _x("contest_text", lang, ref=assessment.candidate_ref, months=retention_months), ""]
    return "\n".join(lines)


def export_explanation(
    engine: Engine,
    run_id: int,
    *,
    lang: Lang | None = None,
    trait_names: dict[Trait, str] | None = None,
    retention_months: int = DEFAULT_PURGE_AFTER_MONTHS,
) -> str:
    """Load a run and write the explanation for the person assessed (Markdown).

    Raises:
        NotFoundError: no such run.
    """
    assessment = get_run(engine, run_id)
    return explanation_markdown(assessment, trait_names=trait_names, lang=lang,
                                retention_months=retention_months)
