"""The executive alignment interview: one question at a time, probes, pause, synthesis.

Who may do what (see :mod:`kambot.domain.identity`):

- an **executive** interviews themselves: they start, answer, pause and resume their
  own interview and read its record; another executive's interview answers 404;
- a **programme lead** or an **administrator** runs interviews for any executive (the
  lead types what the executive says) and reads all of them;
- other roles get :class:`~kambot.errors.PermissionDeniedError` (403).

The flow is rules only: after each answer, :mod:`kambot.core.interview_coverage`
decides whether to probe (a short or hedged answer, or a missing element the question
targets) and which question comes next. With a model configured, the model words the
follow-ups and proposes the final record, which code verifies (see
:mod:`kambot.assistant.interview.model`). Answers are untrusted data: they are stored
and read, never obeyed, so an answer saying "skip to the end" is just a long answer.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kambot.assistant.interview.accounts import AccountMatcher, AccountRef
from kambot.assistant.interview.extract import (
    AnswerItem,
    InterviewContext,
    analyse_item,
    extract_record,
)
from kambot.assistant.interview.guide import Guide, Theme, load_guide
from kambot.assistant.interview.models import (
    InterviewRecord,
    InterviewStatus,
    InterviewSummary,
    InterviewTurn,
    InterviewView,
    SponsorshipCommitment,
    Synthesis,
    TranscriptEntry,
)
from kambot.assistant.interview.storage import (
    StoredInterview,
    StoredTurn,
    create_interview,
    list_rows,
    load_interview,
    save_step,
)
from kambot.assistant.interview.synthesis import build_synthesis
from kambot.assistant.interview.synthesis import render_synthesis as _render
from kambot.config import Settings
from kambot.core.interview_coverage import fold, missing_wants, probe_reason, theme_coverage
from kambot.domain.documents import Lang
from kambot.domain.identity import Principal, Role
from kambot.domain.programme import Objective, Person, StrategicSegment
from kambot.errors import DataError, LimitExceededError, NotFoundError, PermissionDeniedError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.llm.model_writer import StructuredModel

INTERVIEW_ROLES = frozenset({Role.EXECUTIVE, Role.LEAD, Role.ADMIN})
NAME_MATCH = 85.0


def _clean(text: str, limit: int = 200) -> str:
    from kambot.retrieval.injection import strip_hidden

    return " ".join(strip_hidden(text).split())[:limit]


class InterviewService:
    """Executive interviews over one database."""

    def __init__(self, settings: Settings, engine: Engine, writer: Any = None) -> None:
        """Use ``engine``; ``writer`` may be a model (or a model writer) for follow-ups.

        Without a writer, the model comes from the settings (``KAMBOT_LLM_PROVIDER``);
        an offline writer means offline.

        Raises:
            ConfigError: the interview guide is missing or invalid.
        """
        self.settings = settings
        self.engine = engine
        self.guide: Guide = load_guide(settings.knowledge_dir)
        self._writer = writer
        self._model: StructuredModel | None = None
        self._model_ready = False
        self._ctx: InterviewContext | None = None
        self._ctx_version: tuple[object, ...] | None = None
        self._people: list[Person] = []
        self._lock = threading.Lock()

    # -- collaborators -------------------------------------------------------------------

    @property
    def model(self) -> StructuredModel | None:
        """Return the model that words follow-ups and proposes records (None offline)."""
        if not self._model_ready:
            from kambot.assistant.interview.model import resolve_model

            self._model = resolve_model(self.settings, self._writer)
            self._model_ready = True
        return self._model

    def _data_version(self) -> tuple[object, ...]:
        with self.engine.connect() as conn:
            accounts = conn.exec_driver_sql("SELECT COUNT(*), MAX(id) FROM accounts").one()
            people = conn.exec_driver_sql("SELECT COUNT(*), MAX(id) FROM people").one()
            programme = conn.exec_driver_sql("SELECT MAX(updated_at) FROM programme").one()
        return (*accounts, *people, *programme)

    def context(self) -> InterviewContext:
        """Return the guide with the store's accounts, segments and people (cached)."""
        version = self._data_version()
        with self._lock:
            if self._ctx is not None and self._ctx_version == version:
                return self._ctx
            import sqlalchemy as sa

            from kambot.store.db import session_scope
            from kambot.store.repositories import list_people, load_programme
            from kambot.store.schema import AccountRow

            segments: tuple[StrategicSegment, ...] = ()
            with session_scope(self.engine) as session:
                try:
                    programme = load_programme(session)
                    segments = tuple(programme.segments)
                    people = list(programme.people)
                except NotFoundError:
                    people = list_people(session)
                rows = session.execute(sa.select(
                    AccountRow.external_id, AccountRow.name, AccountRow.is_key_account,
                    AccountRow.parent_id)).all()
            matcher = AccountMatcher([AccountRef(r[0], r[1], bool(r[2]), r[3] is None)
                                      for r in rows])
            self._people = people
            self._ctx = InterviewContext(guide=self.guide, matcher=matcher, segments=segments,
                                         people_names=tuple(p.name for p in people))
            self._ctx_version = version
            return self._ctx

    def people(self) -> list[Person]:
        """Return the programme's people (as of the last context load)."""
        self.context()
        return list(self._people)

    # -- access ---------------------------------------------------------------------------

    @staticmethod
    def _check_role(principal: Principal) -> None:
        if principal.role not in INTERVIEW_ROLES:
            raise PermissionDeniedError(
                "executive interviews are for executives, programme leads and administrators",
                hint="ask the programme lead")

    @staticmethod
    def _visible(principal: Principal, row: StoredInterview) -> bool:
        if principal.role in (Role.LEAD, Role.ADMIN):
            return True
        return principal.username in (row.owner, row.executive_key)

    def _load(self, principal: Principal, interview_id: int) -> StoredInterview:
        self._check_role(principal)
        try:
            row = load_interview(self.engine, interview_id)
        except NotFoundError:
            row = None
        if row is None or not self._visible(principal, row):
            # Another executive's interview answers exactly like a missing one.
            raise NotFoundError(f"no interview {interview_id}",
                                hint="list the interviews you can see with GET /interviews")
        return row

    def _match_person(self, text: str, *, fuzzy: bool = True) -> Person | None:
        from rapidfuzz import fuzz, process

        people = self.people()
        wanted = fold(text.strip())
        for p in people:
            if fold(p.key) == wanted or fold(p.name) == wanted:
                return p
        if not fuzzy:
            return None
        execs = [p for p in people if p.role == "executive"] or people
        if not execs:
            return None
        hit = process.extractOne(wanted, [fold(p.name) for p in execs], scorer=fuzz.WRatio,
                                 score_cutoff=NAME_MATCH)
        return execs[hit[2]] if hit is not None else None

    def _executive(self, principal: Principal, executive: str | None) -> tuple[str, str | None]:
        if principal.role == Role.EXECUTIVE:
            # Who the executive is must not be guessed: their username is their person key
            # (or their exact name).
            me = self._match_person(principal.username, fuzzy=False)
            key = me.key if me is not None else principal.username
            if executive is not None and executive.strip():
                target = self._match_person(executive)
                mine = (target is not None and target.key == key) or fold(
                    executive.strip()) in (fold(principal.username), fold(key))
                if not mine:
                    raise PermissionDeniedError(
                        "an executive can only start their own interview",
                        hint="leave the executive out, or ask the programme lead to run it")
            return (me.name if me is not None else principal.username), key
        if executive is None or not executive.strip():
            raise DataError("name the executive to interview",
                            hint="give their name or person key, e.g. executive='Marc Delorme'")
        person = self._match_person(executive)
        if person is not None:
            return person.name, person.key
        return _clean(executive), None

    # -- turns ------------------------------------------------------------------------------

    def _coverage(self, state: dict[str, Any]) -> dict[str, float]:
        cov = state.get("coverage") or {}
        return {t: float(cov.get(t, 0.0)) for t in self.guide.theme_ids}

    def _turn(self, row: StoredInterview, state: dict[str, Any], status: str, *,
              preamble: str | None = None, flags: Sequence[str] = ()) -> InterviewTurn:
        pending = state.get("pending") or {}
        lang: Lang = "fr" if row.lang == "fr" else "en"
        theme_id = pending.get("theme")
        title = self.guide.theme(theme_id).title.get(lang) if theme_id else None
        done = status == "done"
        return InterviewTurn(
            id=row.id, status=status, executive=row.executive,  # type: ignore[arg-type]
            lang=lang, theme=None if done else theme_id, theme_title=None if done else title,
            question=str(pending.get("text", "")),
            question_id=pending.get("question_id") if pending.get("kind") == "question" else None,
            probe=pending.get("kind") == "probe", probe_reason=pending.get("reason"),
            generated=bool(pending.get("generated")), preamble=preamble,
            coverage=self._coverage(state), done=done, flags=list(flags))

    def start(self, principal: Principal, executive: str | None = None,
              lang: Lang | None = None) -> InterviewTurn:
        """Start an interview and return its first question.

        Args:
            principal: who starts it (an executive for themselves, or a lead/admin).
            executive: the executive interviewed (name or person key); an executive
                starting their own interview may leave it out.
            lang: fr or en (the settings' language by default).

        Raises:
            PermissionDeniedError: the role may not run interviews, or an executive
                names someone else.
            DataError: a lead or admin did not name the executive.
        """
        self._check_role(principal)
        lg: Lang = lang or self.settings.lang
        name, key = self._executive(principal, executive)
        theme = self.guide.themes[0]
        question = theme.questions[0]
        text = question.text.get(lg)
        state: dict[str, Any] = {
            "theme": 0, "question": 0, "probes": 0, "used": [], "coverage": {},
            "pending": {"theme": theme.id, "question_id": question.id, "kind": "question",
                        "reason": None, "text": text, "generated": False},
        }
        first = StoredTurn(position=0, speaker="interviewer", kind="question", theme=theme.id,
                           question_id=question.id, text=text)
        new_id = create_interview(self.engine, owner=principal.username, executive=name,
                                  executive_key=key, lang=lg, guide_version=self.guide.version,
                                  state=state, first=first)
        row = load_interview(self.engine, new_id)
        return self._turn(row, row.state, "active", preamble=self.guide.intro.get(lg))

    def current(self, principal: Principal, interview_id: int) -> InterviewTurn:
        """Return where an interview stands (its pending question) without changing it."""
        row = self._load(principal, interview_id)
        return self._turn(row, row.state, row.status)

    def _probe_text(self, ctx: InterviewContext, theme: Theme, reason: str, question: str,
                    answers: Sequence[str], lang: Lang) -> tuple[str, bool]:
        model = self.model
        if model is not None:
            from kambot.assistant.interview.model import generate_probe

            worded = generate_probe(model, ctx, theme, reason, question, answers, lang)
            if worded is not None:
                return worded, True
        return self.guide.probe(theme, reason, lang), False

    def _next(self, theme_index: int, question_index: int, missing: Sequence[str],
              skipped: bool) -> tuple[int, int] | None:
        theme = self.guide.themes[theme_index]
        j = question_index + 1
        while j < len(theme.questions):
            q = theme.questions[j]
            if q.optional and (skipped or not any(t in missing for t in q.targets)):
                j += 1
                continue
            return theme_index, j
        if theme_index + 1 >= len(self.guide.themes):
            return None
        return theme_index + 1, 0

    def answer(self, principal: Principal, interview_id: int, text: str) -> InterviewTurn:
        """Record an answer and return the next question (a probe, the next one, or the end).

        Args:
            principal: who answers.
            interview_id: the interview.
            text: the executive's answer (untrusted; "skip" passes the question).

        Raises:
            NotFoundError: no such interview in the principal's scope.
            DataError: the interview is paused or complete, the answer is empty, or
                another answer was recorded meanwhile.
            LimitExceededError: the answer is longer than the guide allows.
        """
        from kambot.retrieval.injection import scan_untrusted, strip_hidden

        row = self._load(principal, interview_id)
        if row.status == "done":
            raise DataError(f"interview {interview_id} is complete",
                            hint="read its record, or the synthesis of all interviews")
        if row.status == "paused":
            raise DataError(f"interview {interview_id} is paused", hint="resume it first")
        cleaned = strip_hidden(text).strip()
        if not cleaned:
            raise DataError("the answer is empty",
                            hint="answer the question, or type 'skip' to pass it")
        if len(cleaned) > self.guide.max_answer_chars:
            raise LimitExceededError(
                f"the answer has {len(cleaned)} characters, over the limit of "
                f"{self.guide.max_answer_chars}", hint="split it over several answers")
        flags = scan_untrusted(text)
        lang: Lang = "fr" if row.lang == "fr" else "en"
        state = copy.deepcopy(row.state)
        pending = state["pending"]
        ti, qi = int(state["theme"]), int(state["question"])
        theme = self.guide.themes[ti]
        question = theme.question(pending["question_id"])
        ctx = self.context()
        given = [t.text for t in row.turns if t.kind == "answer" and t.theme == theme.id]
        texts = [*given, cleaned]
        feats = [analyse_item(ctx, theme, t, lang) for t in texts]
        last = feats[-1]
        missing = missing_wants(feats, theme.wants, theme.min_words)
        state.setdefault("coverage", {})[theme.id] = round(
            theme_coverage(feats, theme.wants, theme.min_words), 4)
        position = row.next_position
        turns = [StoredTurn(position=position, speaker="executive", kind="answer",
                            theme=theme.id, question_id=question.id, text=cleaned,
                            flags=tuple(flags))]
        reason = None
        if question.probe and int(state["probes"]) < self.guide.max_probes_per_theme:
            reason = probe_reason(last, missing, question.targets, state["used"])
        preamble = None
        status: InterviewStatus = "active"
        record = None
        if reason is not None:
            worded, generated = self._probe_text(ctx, theme, reason, question.text.get(lang),
                                                 texts, lang)
            state["probes"] = int(state["probes"]) + 1
            state["used"] = [*state["used"], reason]
            state["pending"] = {"theme": theme.id, "question_id": question.id, "kind": "probe",
                                "reason": reason, "text": worded, "generated": generated}
            turns.append(StoredTurn(position=position + 1, speaker="interviewer", kind="probe",
                                    theme=theme.id, question_id=question.id, text=worded,
                                    generated=generated))
        else:
            if last.skip:
                preamble = self.guide.skipped.get(lang)
            nxt = self._next(ti, qi, missing, last.skip)
            if nxt is None:
                status = "done"
                closing = self.guide.closing.get(lang)
                state["pending"] = {"theme": None, "question_id": None, "kind": "closing",
                                    "reason": None, "text": closing, "generated": False}
                turns.append(StoredTurn(position=position + 1, speaker="interviewer",
                                        kind="closing", theme=None, question_id=None,
                                        text=closing))
                record = self._final_record(ctx, row, [*row.turns, *turns])
            else:
                nti, nqi = nxt
                if nti != ti:
                    state["probes"], state["used"] = 0, []
                state["theme"], state["question"] = nti, nqi
                ntheme = self.guide.themes[nti]
                nq = ntheme.questions[nqi]
                worded = nq.text.get(lang)
                state["pending"] = {"theme": ntheme.id, "question_id": nq.id, "kind": "question",
                                    "reason": None, "text": worded, "generated": False}
                turns.append(StoredTurn(position=position + 1, speaker="interviewer",
                                        kind="question", theme=ntheme.id, question_id=nq.id,
                                        text=worded))
        save_step(self.engine, row, turns=turns, state=state, status=status,
                  record=record.model_dump(mode="json") if record is not None else None)
        return self._turn(row, state, status, preamble=preamble, flags=flags)

    def pause(self, principal: Principal, interview_id: int) -> InterviewTurn:
        """Pause an interview; it keeps its pending question for when it resumes.

        Raises:
            NotFoundError: no such interview in the principal's scope.
            DataError: the interview is complete.
        """
        row = self._load(principal, interview_id)
        if row.status == "done":
            raise DataError(f"interview {interview_id} is complete", hint="nothing to pause")
        if row.status != "paused":
            save_step(self.engine, row, status="paused")
        return self._turn(row, row.state, "paused")

    def resume(self, principal: Principal, interview_id: int) -> InterviewTurn:
        """Resume a paused interview and return its pending question again.

        Raises:
            NotFoundError: no such interview in the principal's scope.
            DataError: the interview is complete.
        """
        row = self._load(principal, interview_id)
        if row.status == "done":
            raise DataError(f"interview {interview_id} is complete",
                            hint="read its record, or start a new interview")
        lang: Lang = "fr" if row.lang == "fr" else "en"
        preamble = None
        if row.status == "paused":
            save_step(self.engine, row, status="active")
            preamble = self.guide.resumed.get(lang)
        return self._turn(row, row.state, "active", preamble=preamble)

    # -- records ---------------------------------------------------------------------------

    @staticmethod
    def _items(turns: Sequence[StoredTurn]) -> list[AnswerItem]:
        return [AnswerItem(position=t.position, theme=t.theme or "", question_id=t.question_id,
                           text=t.text) for t in turns if t.kind == "answer"]

    def _offline_record(self, ctx: InterviewContext, row: StoredInterview,
                        turns: Sequence[StoredTurn], status: InterviewStatus
                        ) -> InterviewRecord:
        lang: Lang = "fr" if row.lang == "fr" else "en"
        return extract_record(ctx, self._items(turns), interview_id=row.id,
                              executive=row.executive, executive_key=row.executive_key,
                              lang=lang, status=status)

    def _final_record(self, ctx: InterviewContext, row: StoredInterview,
                      turns: Sequence[StoredTurn]) -> InterviewRecord:
        offline = self._offline_record(ctx, row, turns, "done")
        model = self.model
        if model is None:
            return offline
        from kambot.assistant.interview.model import extract_with_model

        questions = [(t.position, t.theme or "", t.text) for t in turns
                     if t.speaker == "interviewer" and t.kind in ("question", "probe")]
        return extract_with_model(model, ctx, offline, self._items(turns), questions)

    def record(self, principal: Principal, interview_id: int) -> InterviewRecord:
        """Return an interview's structured record (provisional while it runs).

        Raises:
            NotFoundError: no such interview in the principal's scope.
        """
        row = self._load(principal, interview_id)
        if row.status == "done" and row.record:
            return InterviewRecord.model_validate(row.record)
        status: InterviewStatus = "paused" if row.status == "paused" else "active"
        return self._offline_record(self.context(), row, row.turns, status)

    def transcript(self, principal: Principal, interview_id: int) -> list[TranscriptEntry]:
        """Return an interview's transcript.

        Raises:
            NotFoundError: no such interview in the principal's scope.
        """
        row = self._load(principal, interview_id)
        return self._entries(row)

    @staticmethod
    def _entries(row: StoredInterview) -> list[TranscriptEntry]:
        return [TranscriptEntry(
            position=t.position, speaker=t.speaker,  # type: ignore[arg-type]
            kind=t.kind,  # type: ignore[arg-type]
            theme=t.theme, question_id=t.question_id, text=t.text, generated=t.generated,
            flags=list(t.flags), created_at=t.created_at) for t in row.turns]

    def _summary(self, row: StoredInterview) -> InterviewSummary:
        cov = self._coverage(row.state)
        return InterviewSummary(
            id=row.id, executive=row.executive, executive_key=row.executive_key,
            owner=row.owner, status=row.status,  # type: ignore[arg-type]
            lang="fr" if row.lang == "fr" else "en",
            coverage=round(sum(cov.values()) / len(cov), 4) if cov else 0.0,
            created_at=row.created_at, updated_at=row.updated_at)

    def view(self, principal: Principal, interview_id: int) -> InterviewView:
        """Return an interview's summary, record and transcript.

        Raises:
            NotFoundError: no such interview in the principal's scope.
        """
        row = self._load(principal, interview_id)
        if row.status == "done" and row.record:
            record = InterviewRecord.model_validate(row.record)
        else:
            status: InterviewStatus = "paused" if row.status == "paused" else "active"
            record = self._offline_record(self.context(), row, row.turns, status)
        return InterviewView(summary=self._summary(row), record=record,
                             transcript=self._entries(row))

    def list_interviews(self, principal: Principal) -> list[InterviewSummary]:
        """List the interviews the principal may see, most recently updated first.

        Raises:
            PermissionDeniedError: the role may not use interviews.
        """
        self._check_role(principal)
        scope = None if principal.role in (Role.LEAD, Role.ADMIN) else principal.username
        return [self._summary(r) for r in list_rows(self.engine, visible_to=scope)]

    def _done_records(self, principal: Principal | None) -> list[InterviewRecord]:
        scope = None
        if principal is not None:
            self._check_role(principal)
            if principal.role not in (Role.LEAD, Role.ADMIN):
                scope = principal.username
        rows = list_rows(self.engine, visible_to=scope, status="done")
        return [InterviewRecord.model_validate(r.record) for r in rows if r.record]

    def synthesise(self, principal: Principal, lang: Lang | None = None) -> Synthesis:
        """Synthesise the completed interviews the principal may see.

        A lead or an administrator gets every interview and the list of executives of
        the programme not interviewed yet; an executive gets the synthesis of their own.

        Raises:
            PermissionDeniedError: the role may not use interviews.
        """
        lg: Lang = lang or self.settings.lang
        records = self._done_records(principal)
        ctx = self.context()
        missing: list[str] = []
        if principal.role in (Role.LEAD, Role.ADMIN):
            done_keys = {r.executive_key for r in records if r.executive_key}
            done_names = {fold(r.executive) for r in records}
            missing = [p.name for p in self.people() if p.role == "executive"
                       and p.key not in done_keys and fold(p.name) not in done_names]
        return build_synthesis(ctx, records, lg, not_interviewed=missing)

    def render_synthesis(self, synthesis: Synthesis, lang: Lang | None = None) -> str:
        """Render a synthesis as Markdown (French or English)."""
        return _render(synthesis, lang)

    def commitments(self, principal: Principal | None = None) -> list[SponsorshipCommitment]:
        """Return the sponsorship commitments of the completed interviews.

        Args:
            principal: restricts to what they may see; None reads every interview (for
                internal use, e.g. the sponsorship plan).
        """
        return [c for r in self._done_records(principal) for c in r.commitments]

    def adopt_objectives(self, principal: Principal, lang: Lang | None = None
                         ) -> list[Objective]:
        """Add the synthesis' proposed objectives to the stored programme.

        Objectives whose cause the programme already serves are left as they are.

        Returns:
            The programme's objectives after the change.

        Raises:
            PermissionDeniedError: only a lead or an administrator changes the programme.
            NotFoundError: no programme is stored yet.
        """
        if not principal.can_manage_programme:
            raise PermissionDeniedError("only a programme lead or an administrator changes "
                                        "the programme's objectives",
                                        hint="ask the programme lead")
        synthesis = self.synthesise(principal, lang)
        from kambot.store.db import session_scope
        from kambot.store.repositories import load_programme, save_programme

        with session_scope(self.engine, write=True) as session:
            programme = load_programme(session)
            served = {o.cause for o in programme.objectives}
            added = [o for o in synthesis.proposed_objectives if o.cause not in served]
            if added:
                programme = programme.model_copy(
                    update={"objectives": [*programme.objectives, *added]})
                save_programme(session, programme)
            return list(programme.objectives)


def sponsorship_commitments(settings: Settings, engine: Engine) -> list[SponsorshipCommitment]:
    """Return every sponsorship commitment of the completed interviews (no scope check).

    For internal use by the sponsorship plan and the drafting facts; use
    :meth:`InterviewService.commitments` on behalf of a user.
    """
    return InterviewService(settings, engine).commitments(None)


def interview_status(engine: Engine) -> dict[str, Any]:
    """Return counts per status and the person keys and names of interviewed executives."""
    rows = list_rows(engine)
    done = [r for r in rows if r.status == "done"]
    return {
        "total": len(rows),
        "done": len(done),
        "active": sum(1 for r in rows if r.status == "active"),
        "paused": sum(1 for r in rows if r.status == "paused"),
        "done_keys": sorted({r.executive_key for r in done if r.executive_key}),
        "done_names": sorted({r.executive for r in done}),
    }
