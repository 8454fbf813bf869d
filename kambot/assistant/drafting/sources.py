"""Where drafting reads its data: the store (through the portfolio service) or memory.

A :class:`DraftingSource` gives the analysed portfolio, the programme and, per account,
the records documents quote (contacts, initiatives, notes). :class:`StoreSource` wraps
:class:`~kambot.assistant.portfolio.PortfolioService`; :class:`MemorySource` holds
domain objects in memory (evaluations, benchmarks, notebooks) and builds the frame
with :func:`kambot.core.builders.build_portfolio`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from kambot.assistant.facts import AccountRecords
from kambot.domain.accounts import (
    Account,
    Activity,
    Contact,
    Initiative,
    InvoiceLine,
    Opportunity,
)
from kambot.domain.programme import Programme
from kambot.errors import NotFoundError

if TYPE_CHECKING:
    from kambot.assistant.portfolio import PortfolioService
    from kambot.core.analyse import PortfolioAnalysis
    from kambot.demo.generate import DemoData


@runtime_checkable
class DraftingSource(Protocol):
    """What drafting needs to read."""

    def analysis(self) -> PortfolioAnalysis:
        """Return the analysed portfolio."""
        ...

    def programme(self) -> Programme:
        """Return the programme."""
        ...

    def resolve_account(self, ref: str) -> str:
        """Return the external id of the account named by ``ref`` (NotFoundError if none)."""
        ...

    def records(self, external_ids: Sequence[str]) -> dict[str, AccountRecords]:
        """Return the records of the given accounts."""
        ...


class StoreSource:
    """Read drafting inputs from the database through the portfolio service."""

    def __init__(self, service: PortfolioService) -> None:
        """Wrap a portfolio service (its analysis cache is shared)."""
        self.service = service

    def analysis(self) -> PortfolioAnalysis:
        """Return the service's (cached) analysis."""
        return self.service.analysis()

    def programme(self) -> Programme:
        """Return the stored programme."""
        return self.service.programme()

    def resolve_account(self, ref: str) -> str:
        """Resolve an account reference through the service."""
        return self.service.resolve_account(ref)

    def records(self, external_ids: Sequence[str]) -> dict[str, AccountRecords]:
        """Read accounts, contacts, initiatives, activities and stored flags."""
        from kambot.store.db import session_scope
        from kambot.store.repositories import (
            activities_for,
            activity_flags,
            contacts_for,
            get_account,
            initiatives_for,
        )

        out: dict[str, AccountRecords] = {}
        with session_scope(self.service.engine) as session:
            for ext in dict.fromkeys(external_ids):
                flags = activity_flags(session, ext)
                out[ext] = AccountRecords(
                    account=get_account(session, ext),
                    contacts=tuple(contacts_for(session, ext)),
                    initiatives=tuple(initiatives_for(session, ext)),
                    activities=tuple(activities_for(session, ext)),
                    flags={k: tuple(v) for k, v in flags.items()},
                )
        return out

    def volunteers(self) -> dict[str, list[str]]:
        """Return, per account, the executives who offered to sponsor it in an interview."""
        from kambot.assistant.interview import committed_sponsors, sponsorship_commitments

        return committed_sponsors(
            sponsorship_commitments(self.service.settings, self.service.engine))

    def interviews_version(self) -> tuple[object, ...]:
        """Return a fingerprint of the interviews (sponsorship offers change the plan)."""
        with self.service.engine.connect() as conn:
            return tuple(conn.exec_driver_sql(
                "SELECT COUNT(*), MAX(updated_at) FROM interviews").one())


def _month_start(d: date) -> date:
    return date(d.year, d.month, 1)


@dataclass
class MemorySource:
    """Drafting inputs held in memory as domain objects."""

    programme_: Programme
    accounts: list[Account]
    as_of: date
    contacts: list[Contact] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)
    invoice_lines: list[InvoiceLine] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    revision: int = 0
    _analysis: PortfolioAnalysis | None = None

    def changed(self) -> None:
        """Say that the records were edited: the next analysis and drafts use the edits."""
        self.revision += 1
        self._analysis = None

    @classmethod
    def from_demo(cls, data: DemoData, as_of: date | None = None) -> MemorySource:
        """Build a source from the demo generator's output (``build_demo()``)."""
        from kambot.demo.generate import AS_OF

        return cls(programme_=data.programme, accounts=list(data.accounts),
                   as_of=as_of or AS_OF, contacts=list(data.contacts),
                   opportunities=list(data.opportunities),
                   invoice_lines=list(data.invoice_lines), activities=list(data.activities),
                   initiatives=list(data.initiatives))

    def programme(self) -> Programme:
        """Return the programme."""
        return self.programme_

    def analysis(self) -> PortfolioAnalysis:
        """Build the frame from the records and analyse it (once)."""
        if self._analysis is None:
            from kambot.core.analyse import analyse_portfolio
            from kambot.core.builders import build_portfolio

            revenue: dict[tuple[str, date], float] = defaultdict(float)
            for line in self.invoice_lines:
                revenue[(line.account_external_id, _month_start(line.invoiced_on))] += line.amount
            rows: list[dict[str, Any]] = [
                {
                    "external_id": a.external_id, "name": a.name, "id": k + 1,
                    "parent": a.parent_external_id, "segment": a.segment,
                    "industry": a.industry, "country": a.country,
                    "business_unit": a.business_unit, "employees": a.employees,
                    "annual_revenue": a.annual_revenue, "margin_pct": a.margin_pct,
                    "potential": a.potential, "relationship_stage": a.relationship_stage,
                    "satisfaction": a.satisfaction, "products_count": len(a.products),
                    "kam": a.owner_kam, "sponsor": a.sponsor,
                    "is_key_account": a.is_key_account, "selected_on": a.selected_on,
                    "plan_validated_on": a.plan_validated_on,
                }
                for k, a in enumerate(self.accounts)
            ]
            frame = build_portfolio(
                self.as_of,
                rows,
                revenue=[{"account": x, "month": m, "amount": v}
                         for (x, m), v in sorted(revenue.items())],
                opportunities=[{"account": o.account_external_id, "stage": o.stage.value,
                                "value": o.value, "probability": o.probability,
                                "created_on": o.created_on, "closed_on": o.closed_on}
                               for o in self.opportunities],
                contacts=[{"account": c.account_external_id, "role": c.role.value,
                           "level": c.level.value, "last_contact": c.last_contact}
                          for c in self.contacts],
                activities=[{"account": a.account_external_id, "kind": a.kind.value,
                             "occurred_on": a.occurred_on, "resolved_on": a.resolved_on}
                            for a in self.activities],
                initiatives=[{"account": i.account_external_id, "status": i.status.value,
                              "expected_value": i.expected_value,
                              "resources_requested": i.resources_requested,
                              "resources_committed": i.resources_committed}
                             for i in self.initiatives],
            )
            self._analysis = analyse_portfolio(frame, self.programme_)
        return self._analysis

    def resolve_account(self, ref: str) -> str:
        """Find an account by external id or exact name."""
        wanted = ref.strip()
        for a in self.accounts:
            if wanted in (a.external_id, a.name):
                return a.external_id
        lowered = wanted.casefold()
        for a in self.accounts:
            if a.name.casefold() == lowered:
                return a.external_id
        raise NotFoundError(f"unknown account {ref!r}", hint="use the external id")

    def records(self, external_ids: Sequence[str]) -> dict[str, AccountRecords]:
        """Group the records of the given accounts."""
        wanted = set(external_ids)
        by_account: dict[str, dict[str, list[Any]]] = {
            x: {"contacts": [], "initiatives": [], "activities": []} for x in wanted
        }

        def collect(kind: str, rows: Iterable[Contact | Initiative | Activity]) -> None:
            for r in rows:
                if r.account_external_id in wanted:
                    by_account[r.account_external_id][kind].append(r)

        collect("contacts", self.contacts)
        collect("initiatives", self.initiatives)
        collect("activities", self.activities)
        accounts = {a.external_id: a for a in self.accounts if a.external_id in wanted}
        missing = wanted - set(accounts)
        if missing:
            raise NotFoundError(f"unknown account(s): {', '.join(sorted(missing))}")
        return {
            x: AccountRecords(
                account=accounts[x],
                contacts=tuple(sorted(by_account[x]["contacts"], key=lambda c: c.name)),
                initiatives=tuple(by_account[x]["initiatives"]),
                activities=tuple(sorted(by_account[x]["activities"],
                                        key=lambda a: (a.occurred_on, a.external_id),
                                        reverse=True)),
            )
            for x in dict.fromkeys(external_ids)
        }


def as_source(service: PortfolioService | DraftingSource) -> DraftingSource:
    """Return a drafting source for a portfolio service or an existing source."""
    from kambot.assistant.portfolio import PortfolioService

    if isinstance(service, PortfolioService):
        return StoreSource(service)
    return service
