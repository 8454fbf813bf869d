"""Gather the facts and passages of one document, sharing the work across a batch.

A :class:`DraftingContext` holds what every document of one data version needs: the
analysis, the programme, the programme KPIs, the sponsorship plan and the records of
the key accounts. :meth:`DraftingContext.inputs` then selects, per document kind, the
facts and passages a writer receives, with the names and terms the guard accepts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from kambot.assistant.drafting.sources import DraftingSource
from kambot.assistant.facts import (
    AccountRecords,
    FactBook,
    account_facts,
    methodology_passages,
    note_passages,
    people_facts,
    programme_base_facts,
    programme_facts,
    sponsorship_facts,
)
from kambot.config import Settings
from kambot.domain.documents import (
    ACCOUNT_KINDS,
    DOCUMENT_KINDS,
    METHOD_REFS,
    DocumentKind,
    Fact,
    Lang,
    Passage,
    SponsorshipPlan,
)
from kambot.domain.programme import Programme
from kambot.errors import DataError, NotFoundError

if TYPE_CHECKING:
    from kambot.core.analyse import PortfolioAnalysis
    from kambot.domain.analysis import ProgrammeKPIs

T = TypeVar("T")
_EXEC_MEETINGS = ("executive_meeting", "sponsor_meeting")
_LEVEL_RANK = {"c_level": 0, "vp": 1, "director": 2, "manager": 3, "staff": 4}
_ROLE_RANK = {"economic_buyer": 0, "decision_maker": 1, "champion": 2, "influencer": 3,
              "user": 4, "other": 5, "detractor": 6}


@dataclass(frozen=True)
class DocumentInputs:
    """Everything one document is drafted from."""

    kind: DocumentKind
    lang: Lang
    account: str | None
    account_name: str | None
    facts: list[Fact]
    passages: list[Passage]
    names: list[str]
    terms: list[str]
    options: dict[str, str]
    as_of: date


@dataclass
class DraftingContext:
    """Shared, lazily computed inputs of the documents of one data version."""

    settings: Settings
    source: DraftingSource
    analysis: PortfolioAnalysis
    programme: Programme
    _records: dict[str, AccountRecords] = field(default_factory=dict)
    _kpis: ProgrammeKPIs | None = None
    _plan: SponsorshipPlan | None = None
    _pieces: dict[object, list[Any]] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def create(cls, settings: Settings, source: DraftingSource) -> DraftingContext:
        """Read the analysis and the programme once."""
        return cls(settings=settings, source=source, analysis=source.analysis(),
                   programme=source.programme())

    # -- shared pieces -----------------------------------------------------------------

    def key_accounts(self) -> list[str]:
        """Return the key accounts (the flags when any is set, else the selection)."""
        mask = self.analysis.key_mask()
        ext = self.analysis.portfolio.accounts.external_ids
        return [ext[i] for i in range(len(ext)) if mask[i]]

    def records(self, external_ids: Sequence[str]) -> dict[str, AccountRecords]:
        """Return account records, reading the missing ones in one go."""
        with self._lock:
            missing = [x for x in dict.fromkeys(external_ids) if x not in self._records]
            if missing:
                self._records.update(self.source.records(missing))
            return {x: self._records[x] for x in external_ids}

    def programme_kpis(self) -> ProgrammeKPIs:
        """Return the programme KPIs (computed once)."""
        with self._lock:
            if self._kpis is None:
                self._kpis = self.analysis.programme_kpis()
            return self._kpis

    def meetings_per_year(self) -> dict[str, int]:
        """Return the sponsor-meeting cadence per tier."""
        from kambot.core.programme_kpis import ProgrammeKpiConfig

        return dict(ProgrammeKpiConfig().sponsor_meetings_per_year)

    def sponsorship_plan(self) -> SponsorshipPlan:
        """Return the deterministic sponsor assignment of the key accounts (computed once)."""
        from kambot.core.sponsorship import (
            SponsorableAccount,
            SponsorshipConfig,
            assign_sponsors,
        )

        with self._lock:
            if self._plan is not None:
                return self._plan
            keys = self.key_accounts()
            records = self.records(keys)
            segments = {s.key: tuple(s.industries) for s in self.programme.segments}
            execs = {p.key for p in self.programme.people if p.role == "executive"}
            offers = getattr(self.source, "volunteers", None)
            volunteers: dict[str, list[str]] = offers() if callable(offers) else {}
            accounts = []
            for x in keys:
                rec = records[x]
                acc = rec.account
                met: dict[str, int] = {}
                for act in rec.activities:
                    if act.kind.value in _EXEC_MEETINGS and act.author in execs:
                        met[act.author] = met.get(act.author, 0) + 1
                accounts.append(SponsorableAccount(
                    external_id=x, name=acc.name,
                    tier=self.analysis.tier_assignment(x).tier.value,
                    industry=acc.industry,
                    segment_industries=segments.get(acc.segment or "", ()),
                    current_sponsor=acc.sponsor,
                    priority=float(self.analysis.account_kpis(x).revenue_ttm),
                    contacts=met,
                    volunteers=tuple(volunteers.get(x, ())),
                ))
            config = SponsorshipConfig(meetings_per_year=self.meetings_per_year())
            self._plan = assign_sponsors(accounts, self.programme.people, config)
            return self._plan

    # -- per document ------------------------------------------------------------------

    def inputs(self, kind: DocumentKind, lang: Lang, account: str | None = None,
               options: dict[str, str] | None = None) -> DocumentInputs:
        """Select the facts and passages of one document.

        Args:
            kind: the document kind.
            lang: fr or en.
            account: the account external id (account documents only).
            options: for a CEB, ``reader`` (person key of our executive) and
                ``counterpart`` (customer contact id); defaults are chosen otherwise.

        Raises:
            DataError: an account document without an account, or a programme document
                with one, or an unknown kind.
            NotFoundError: an unknown reader or counterpart.
        """
        if kind not in DOCUMENT_KINDS:
            raise DataError(f"unknown document kind {kind!r}",
                            hint=f"use one of: {', '.join(DOCUMENT_KINDS)}")
        if kind in ACCOUNT_KINDS and account is None:
            raise DataError(f"a {kind} is about one account", hint="name the account")
        if kind not in ACCOUNT_KINDS and account is not None:
            raise DataError(f"a {kind} covers the whole programme",
                            hint="do not name an account")
        plan = self.sponsorship_plan()
        people = list(self.programme.people)
        book = FactBook(self.programme.currency)
        book.extend(self._cached("base", self._base_facts))
        passages: list[Passage] = []
        opts = dict(options or {})
        name: str | None = None
        names = [p.name for p in people]
        terms = [s.name for s in self.programme.segments]
        terms += [p.title for p in people if p.title]
        terms += [r.label for r in self.programme.tier_rules if r.label]
        if self.programme.company:
            names.append(self.programme.company)
        names.append(self.programme.name)

        if account is not None:
            rec = self.records([account])[account]
            name = rec.account.name
            book.extend(self._cached(("account", account),
                                     lambda: self._account_facts(rec, plan)))
            names.append(rec.account.name)
            names += [c.name for c in rec.contacts]
            terms += [c.title for c in rec.contacts if c.title]
            terms += [i.title for i in rec.initiatives]
            terms += [i.profit_centre for i in rec.initiatives if i.profit_centre]
            wanted = self._people_of_account(rec, plan)
            if kind == "ceb":
                opts = self._ceb_options(rec, plan, opts)
                wanted.add(opts["reader"])
                for lo in plan.loads:
                    if lo.person == opts["reader"]:
                        book.text(f"person:{lo.person}/load", "Sponsored accounts", lo.load,
                                  f"{lo.name} would sponsor {lo.load} key accounts for a "
                                  f"limit of {lo.capacity}.",
                                  f"{lo.name} parrainerait {lo.load} comptes clés pour une "
                                  f"limite de {lo.capacity}.", unit="count")
                passages += self._cached(("notes", account), lambda: note_passages(rec))
            people = [p for p in people if p.key in wanted]
        else:
            keys = self.key_accounts()
            records = self.records(keys)
            book.extend(self._cached("programme", lambda: self._programme_facts(keys, plan)))
            names += [records[x].account.name for x in keys]
            if kind == "programme_review":
                book.extend(self._cached("review", self._review_facts))
                names += [s.name for s in self.analysis.selection_result.selected]
            people = [p for p in people if p.role in ("executive", "kam")]
        people_book = FactBook(self.programme.currency)
        people_facts(people_book, people)
        book.extend(people_book.facts())
        passages = self._cached(("method", kind, lang), lambda: methodology_passages(
            self.settings.knowledge_dir, lang,
            [r for refs in METHOD_REFS[kind].values() for r in refs])) + passages
        return DocumentInputs(
            kind=kind, lang=lang, account=account, account_name=name, facts=book.facts(),
            passages=passages, names=sorted(set(names)), terms=sorted(set(terms)),
            options=opts if kind == "ceb" else {}, as_of=self.analysis.portfolio.as_of,
        )

    # -- cached pieces (the inputs of one data version never change) -----------------

    def _cached(self, key: object, build: Callable[[], list[T]]) -> list[T]:
        with self._lock:
            found = self._pieces.get(key)
            if found is None:
                found = build()
                self._pieces[key] = found
            return list(found)

    def _base_facts(self) -> list[Fact]:
        book = FactBook(self.programme.currency)
        programme_base_facts(book, self.programme, self.analysis.portfolio.as_of,
                             self.meetings_per_year())
        return book.facts()

    def _account_facts(self, rec: AccountRecords, plan: SponsorshipPlan) -> list[Fact]:
        book = FactBook(self.programme.currency)
        account_facts(book, self.analysis, rec, self.programme, plan=plan)
        return book.facts()

    def _programme_facts(self, keys: list[str], plan: SponsorshipPlan) -> list[Fact]:
        book = FactBook(self.programme.currency)
        records = self.records(keys)
        for x in keys:
            account_facts(book, self.analysis, records[x], self.programme, plan=plan,
                          detail=False)
        sponsorship_facts(book, plan, self.programme)
        return book.facts()

    def _review_facts(self) -> list[Fact]:
        book = FactBook(self.programme.currency)
        programme_facts(book, self.analysis, self.programme_kpis())
        return book.facts()

    def _people_of_account(self, rec: AccountRecords, plan: SponsorshipPlan) -> set[str]:
        wanted = {k for k in (rec.account.owner_kam, rec.account.sponsor) if k}
        assignment = plan.assignment(rec.account.external_id)
        if assignment is not None and assignment.sponsor:
            wanted.add(assignment.sponsor)
        return wanted

    def _ceb_options(self, rec: AccountRecords, plan: SponsorshipPlan,
                     options: dict[str, str]) -> dict[str, str]:
        """Resolve the CEB's reader (our executive) and counterpart (their executive)."""
        out = dict(options)
        people = {p.key: p for p in self.programme.people}
        reader = out.get("reader")
        if reader is None:
            assignment = plan.assignment(rec.account.external_id)
            reader = (assignment.sponsor if assignment and assignment.sponsor else
                      rec.account.sponsor)
        if reader is None:
            reader = next((p.key for p in self.programme.people if p.role == "executive"), None)
        if reader is None or reader not in people:
            raise NotFoundError(
                f"unknown reader {reader!r} for the Customer Executive Brief",
                hint="give the person key of one of our executives "
                     f"({', '.join(k for k, p in people.items() if p.role == 'executive')})")
        out["reader"] = reader
        contacts = {c.external_id: c for c in rec.contacts}
        counterpart = out.get("counterpart")
        if counterpart is not None and counterpart not in contacts:
            raise NotFoundError(
                f"unknown customer contact {counterpart!r} at {rec.account.name}",
                hint="give the contact id of one of: "
                     + ", ".join(f"{c.external_id} ({c.name})" for c in rec.contacts[:8]))
        if counterpart is None and rec.contacts:
            best = min(rec.contacts, key=lambda c: (_LEVEL_RANK.get(c.level.value, 9),
                                                    _ROLE_RANK.get(c.role.value, 9),
                                                    c.external_id))
            counterpart = best.external_id
        if counterpart is not None:
            out["counterpart"] = counterpart
        return out
