"""Coaching along the path: where the programme stands, and what to do next.

The store is read into a :class:`~kambot.core.programme_path.PathState` (programme,
key accounts and their sponsors, KAMs, plans and baselines, interviews, feedback); the
rules of :mod:`kambot.core.programme_path` decide each checkpoint; this module words
the evidence in French or English and picks the advice of the first checkpoint not met,
with the methodology passages it cites.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from kambot.assistant.coaching.path import Advice, load_path
from kambot.config import Settings
from kambot.core.programme_path import (
    CHECKPOINTS,
    CheckpointResult,
    KeyAccountState,
    PathState,
    evaluate_path,
    next_checkpoint,
)
from kambot.domain.documents import Lang
from kambot.domain.identity import Principal
from kambot.errors import NotFoundError, PermissionDeniedError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

DEFAULT_SPONSOR_LIMIT = 3  # as kambot.core.sponsorship.SponsorshipConfig


class CheckpointStatus(BaseModel):
    """One checkpoint of the path and whether the data shows it is met."""

    model_config = ConfigDict(extra="forbid")
    id: str
    step: int
    title: str
    done: bool
    evidence: str
    counts: dict[str, int] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=list)


class CoachingAdvice(BaseModel):
    """The answer to "what should I do next?".

    Attributes:
        checkpoint: the checkpoint id (``complete`` when every checkpoint is met).
        step: its step on the methodology's path.
        title: what to do.
        why: why it matters now.
        how: how to do it.
        citations: methodology chunk ids (``en/executive-interviews#...``).
        evidence: where the programme stands on it, from the data.
        text: all of it as one readable answer.
        done: checkpoints met.
        total: checkpoints in all.
    """

    model_config = ConfigDict(extra="forbid")
    checkpoint: str
    step: int
    title: str
    why: str
    how: str
    citations: list[str]
    evidence: str
    text: str
    done: int
    total: int


# --- reading the store ---------------------------------------------------------------------


def read_state(engine: Engine) -> PathState:
    """Read what the checkpoints need from the store (counts and short lists)."""
    import sqlalchemy as sa
    from sqlalchemy.orm import aliased

    from kambot.assistant.feedback.service import feedback_counts
    from kambot.assistant.interview.service import interview_status
    from kambot.store.db import session_scope
    from kambot.store.repositories import list_people, load_programme
    from kambot.store.schema import AccountRevenueRow, AccountRow, PersonRow

    with session_scope(engine) as session:
        try:
            programme = load_programme(session)
            people = list(programme.people)
            defined = True
        except NotFoundError:
            programme = None
            people = list_people(session)
            defined = False
        sponsor = aliased(PersonRow)
        kam = aliased(PersonRow)
        rows = session.execute(
            sa.select(AccountRow.id, AccountRow.external_id, AccountRow.name, sponsor.key,
                      sponsor.role, kam.key, kam.role, AccountRow.plan_validated_on,
                      AccountRow.potential)
            .outerjoin(sponsor, AccountRow.sponsor_id == sponsor.id)
            .outerjoin(kam, AccountRow.owner_kam_id == kam.id)
            .where(AccountRow.is_key_account.is_(True))
            .order_by(AccountRow.name, AccountRow.external_id)).all()
        last_month = session.execute(sa.select(sa.func.max(AccountRevenueRow.month))).scalar()
        with_revenue: set[int] = set()
        if last_month is not None and rows:
            with_revenue = set(session.execute(
                sa.select(AccountRevenueRow.account_id)
                .where(AccountRevenueRow.month > int(last_month) - 12,
                       AccountRevenueRow.account_id.in_([r[0] for r in rows]))
                .group_by(AccountRevenueRow.account_id)
                .having(sa.func.sum(AccountRevenueRow.amount) > 0)).scalars())
        assessments = int(session.execute(sa.text(
            "SELECT COUNT(*) FROM assessment_decisions")).scalar_one())
    interviews = interview_status(engine)
    feedback = feedback_counts(engine)
    executives = [p for p in people if p.role == "executive"]
    kams = [p for p in people if p.role == "kam"]
    per_kam = programme.capacity.accounts_per_kam if programme else 4
    return PathState(
        programme_defined=defined,
        executives=tuple((p.key, p.name) for p in executives),
        kams=len(kams),
        objectives=len(programme.objectives) if programme else 0,
        objectives_with_measure=sum(1 for o in programme.objectives if o.measure)
        if programme else 0,
        primary_cause=programme.objectives[0].cause.value
        if programme and programme.objectives else None,
        segments=len(programme.segments) if programme else 0,
        criteria_attractiveness=sum(1 for c in programme.criteria
                                    if c.axis.value == "attractiveness") if programme else 0,
        criteria_strength=sum(1 for c in programme.criteria if c.axis.value == "strength")
        if programme else 0,
        capacity_min=programme.capacity.min_key_accounts if programme else 0,
        capacity_max=programme.capacity.effective_max if programme else 0,
        key_accounts=tuple(KeyAccountState(
            external_id=r[1], name=r[2], sponsor=r[3], sponsor_is_executive=r[4] == "executive",
            kam=r[5], kam_is_kam=r[6] == "kam", plan_validated=r[7] is not None,
            has_potential=r[8] is not None and r[8] > 0, revenue_12m=r[0] in with_revenue)
            for r in rows),
        sponsor_limits={p.key: p.max_accounts if p.max_accounts is not None
                        else DEFAULT_SPONSOR_LIMIT for p in executives},
        kam_limits={p.key: p.max_accounts if p.max_accounts is not None else per_kam
                    for p in kams},
        interviewed_keys=frozenset(interviews["done_keys"]),
        interviewed_names=frozenset(interviews["done_names"]),
        interviews_in_progress=int(interviews["active"]) + int(interviews["paused"]),
        feedback_recent=feedback["recent"], feedback_total=feedback["total"],
        feedback_themes=feedback["themes"], assessments=assessments,
    )


# --- wording -------------------------------------------------------------------------------


def _listed(names: list[str] | tuple[str, ...], lang: Lang) -> str:
    return ", ".join(names) if names else ("aucun" if lang == "fr" else "none")


def evidence_text(result: CheckpointResult, state: PathState, lang: Lang) -> str:
    """Word the evidence of one checkpoint from its counts."""
    c = dict(result.counts)
    fr = lang == "fr"
    miss = list(result.missing)
    if result.id == "programme_defined":
        if not state.programme_defined:
            return "Aucun programme n'est encore enregistré." if fr else (
                "No programme is stored yet.")
        return (f"Programme enregistré avec {c['executives']} dirigeant(s) et {c['kams']} KAM."
                if fr else f"Programme stored with {c['executives']} executive(s) and "
                f"{c['kams']} KAM(s).")
    if result.id == "strategic_cause":
        text = (f"{c['objectives']} objectif(s), dont {c['with_measure']} avec une mesure."
                if fr else f"{c['objectives']} objective(s), {c['with_measure']} with a "
                "measure.")
        return text
    if result.id == "alignment_interviews":
        text = (f"{c['interviewed']} dirigeant(s) sur {c['executives']} interviewé(s)" if fr
                else f"{c['interviewed']} of {c['executives']} executive(s) interviewed")
        if miss:
            text += (f" ; reste à interviewer : {_listed(miss, lang)}" if fr else
                     f"; still to interview: {_listed(miss, lang)}")
        if c.get("in_progress"):
            text += (f" ; {c['in_progress']} interview(s) en cours" if fr else
                     f"; {c['in_progress']} interview(s) in progress")
        return text + "."
    if result.id == "segments_defined":
        return (f"{c['segments']} segment(s) stratégique(s) ; critères : {c['attractiveness']} "
                f"d'attractivité, {c['strength']} de force relative." if fr else
                f"{c['segments']} strategic segment(s); criteria: {c['attractiveness']} on "
                f"attractiveness, {c['strength']} on relative strength.")
    if result.id == "accounts_selected":
        high = c["max"] or "-"
        return (f"{c['key_accounts']} compte(s) clé(s) pour une capacité de {c['min']} à "
                f"{high}." if fr else f"{c['key_accounts']} key account(s) for a capacity of "
                f"{c['min']} to {high}.")
    if result.id == "sponsors_assigned":
        text = (f"{c['with_sponsor']} compte(s) clé(s) sur {c['key_accounts']} ont un sponsor "
                "au comité de direction" if fr else f"{c['with_sponsor']} of "
                f"{c['key_accounts']} key account(s) have an executive sponsor")
        if c.get("over_limit"):
            text += (f" ; {c['over_limit']} dirigeant(s) au-delà de leur limite" if fr else
                     f"; {c['over_limit']} executive(s) over their limit")
        if miss:
            text += (f" ; à traiter : {_listed(miss, lang)}" if fr else
                     f"; to handle: {_listed(miss, lang)}")
        return text + "."
    if result.id == "plans_validated":
        text = (f"{c['validated']} plan(s) de compte validé(s) sur {c['key_accounts']}" if fr
                else f"{c['validated']} of {c['key_accounts']} account plan(s) validated")
        if miss:
            text += (f" ; en attente : {_listed(miss, lang)}" if fr else
                     f"; waiting: {_listed(miss, lang)}")
        return text + "."
    if result.id == "kpis_live":
        text = (f"{c['with_baseline']} compte(s) clé(s) sur {c['key_accounts']} ont un chiffre "
                "d'affaires récent et une estimation du potentiel" if fr else
                f"{c['with_baseline']} of {c['key_accounts']} key account(s) have recent "
                "revenue and a potential estimate")
        if miss:
            text += (f" ; incomplets : {_listed(miss, lang)}" if fr else
                     f"; incomplete: {_listed(miss, lang)}")
        return text + "."
    if result.id == "casting_done":
        text = (f"{c['with_kam']} compte(s) clé(s) sur {c['key_accounts']} ont un KAM" if fr
                else f"{c['with_kam']} of {c['key_accounts']} key account(s) have a KAM")
        if c.get("over_limit"):
            text += (f" ; {c['over_limit']} KAM au-delà de leur charge" if fr else
                     f"; {c['over_limit']} KAM(s) over their load")
        if miss:
            text += (f" ; à traiter : {_listed(miss, lang)}" if fr else
                     f"; to handle: {_listed(miss, lang)}")
        if c.get("assessments"):
            text += (f" ; {c['assessments']} décision(s) d'évaluation enregistrée(s)" if fr else
                     f"; {c['assessments']} assessment decision(s) recorded")
        return text + "."
    return (f"{c['recent']} retour(s) ces 90 derniers jours ({c['total']} au total, "
            f"{c['themes']} thème(s))." if fr else f"{c['recent']} piece(s) of feedback in "
            f"the last 90 days ({c['total']} in all, {c['themes']} theme(s)).")


def _check(principal: Principal | None) -> None:
    if principal is not None and not principal.can_see_portfolio:
        raise PermissionDeniedError("the programme path is for the programme lead, "
                                    "executives and administrators",
                                    hint="ask the programme lead")


def path_status(settings: Settings, engine: Engine, lang: Lang | None = None, *,
                principal: Principal | None = None,
                state: PathState | None = None) -> list[CheckpointStatus]:
    """Return every checkpoint of the path, met or not, with the evidence from the data.

    Args:
        settings: the knowledge folder and the default language.
        engine: the engine.
        lang: fr or en (the settings' language by default).
        principal: when given, refused unless they may see portfolio-wide analyses.
        state: :func:`read_state` of ``engine`` when the caller holds it already.

    Raises:
        PermissionDeniedError: the principal may not see the programme path.
        ConfigError: the programme path file is missing or invalid.
    """
    _check(principal)
    lg: Lang = lang or settings.lang
    path = load_path(settings.knowledge_dir)
    state = read_state(engine) if state is None else state
    return [CheckpointStatus(id=r.id, step=path.get(r.id).step, title=path.get(r.id).title[lg],
                             done=r.done, evidence=evidence_text(r, state, lg),
                             counts=dict(r.counts), missing=list(r.missing))
            for r in evaluate_path(state)]


def _advice_text(advice: Advice, evidence: str, lang: Lang, done: int, total: int,
                 complete: bool) -> str:
    fr = lang == "fr"
    if complete:
        head = (f"Tous les points de passage sont franchis ({done}/{total}). "
                f"{advice.title[lang]}." if fr else
                f"Every checkpoint is met ({done}/{total}). {advice.title[lang]}.")
    else:
        head = (f"Prochaine étape ({done}/{total} points de passage franchis) : "
                f"{advice.title[lang]}." if fr else
                f"Next step ({done}/{total} checkpoints met): {advice.title[lang]}.")
    where = "Où vous en êtes" if fr else "Where you stand"
    why = "Pourquoi" if fr else "Why"
    how = "Comment" if fr else "How"
    sources = "Sources"
    sep = " : " if fr else ": "
    cites = " ".join(f"[{c}]" for c in advice.citations[lang])
    return "\n\n".join([head, f"{where}{sep}{evidence}", f"{why}{sep}{advice.why[lang]}",
                        f"{how}{sep}{advice.how[lang]}", f"{sources}{sep}{cites}"])


def next_step(settings: Settings, engine: Engine, lang: Lang | None = None, *,
              principal: Principal | None = None,
              state: PathState | None = None) -> CoachingAdvice:
    """Answer "what should I do next?": the first checkpoint not met, why and how.

    Args:
        settings: the knowledge folder and the default language.
        engine: the engine.
        lang: fr or en (the settings' language by default).
        principal: when given, refused unless they may see portfolio-wide analyses.
        state: :func:`read_state` of ``engine`` when the caller holds it already.

    Raises:
        PermissionDeniedError: the principal may not see the programme path.
        ConfigError: the programme path file is missing or invalid.
    """
    _check(principal)
    lg: Lang = lang or settings.lang
    path = load_path(settings.knowledge_dir)
    state = read_state(engine) if state is None else state
    results = evaluate_path(state)
    done = sum(1 for r in results if r.done)
    nxt = next_checkpoint(results)
    if nxt is None:
        advice = path.complete
        evidence = evidence_text(results[-1], state, lg)
    else:
        advice = path.get(nxt.id)
        evidence = evidence_text(nxt, state, lg)
    return CoachingAdvice(
        checkpoint=advice.id, step=advice.step, title=advice.title[lg], why=advice.why[lg],
        how=advice.how[lg], citations=list(advice.citations[lg]), evidence=evidence,
        text=_advice_text(advice, evidence, lg, done, len(CHECKPOINTS), nxt is None),
        done=done, total=len(CHECKPOINTS))


# --- citations -----------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _chunks(methodology_dir: str, stamp: tuple[float, ...]) -> dict[str, tuple[str, str, str]]:
    from kambot.retrieval.chunking import chunk_document
    from kambot.retrieval.corpus import load_corpus

    out: dict[str, tuple[str, str, str]] = {}
    for doc in load_corpus(Path(methodology_dir)):
        for chunk in chunk_document(doc):
            out[chunk.id] = (doc.title, chunk.section, chunk.text)
    return out


def methodology_chunks(settings: Settings) -> dict[str, tuple[str, str, str]]:
    """Return ``{chunk id: (document title, section, text)}`` of the methodology corpus."""
    folder = settings.knowledge_dir / "methodology"
    stamp = tuple(p.stat().st_mtime for p in sorted(folder.glob("*/*.md")))
    return _chunks(str(folder), stamp)


def methodology_citations(settings: Settings, ids: list[str],
                          snippet_chars: int = 240) -> list[dict[str, Any]]:
    """Return citations ``{id, kind, label, snippet}`` for methodology chunk ids.

    Ids that the corpus does not hold are left out.
    """
    chunks = methodology_chunks(settings)
    out = []
    for cid in ids:
        found = chunks.get(cid)
        if found is None:
            continue
        title, section, text = found
        flat = " ".join(text.split())
        snippet = flat if len(flat) <= snippet_chars else flat[: snippet_chars - 1] + "…"
        out.append({"id": cid, "kind": "methodology", "label": f"{title} — {section}",
                    "snippet": snippet})
    return out
