"""Assign executive-committee members to key accounts as sponsors, deterministically.

The rules, in order (each assignment records the ones that decided it):

1. Accounts are handled by priority: gold before silver before bronze, then by
   ``priority`` (revenue or potential, higher first), then by external id.
2. A current sponsor who is an executive keeps the account while their load stays
   within their limit (continuity of the relationship is worth more than a better
   match). Otherwise the account is reassigned and the reason says why.
3. Other accounts go to the executive with capacity left who scores best:
   ``industry_weight`` when the account's industry is one of theirs,
   ``segment_weight`` when another industry of the account's segment is,
   ``contact_weight`` per recorded meeting with the customer (capped at
   ``max_contacts``), ``volunteer_weight`` when the executive offered, in an alignment
   interview, to sponsor this account. Ties go to the lightest relative load, then to
   the key.
4. When nobody has capacity left, the account is a coverage gap.

The limit of an executive is ``Person.max_accounts``; ``default_max_accounts`` when
unset. The meeting cadence comes from the account's tier. Running the function again
after accounts or executives change gives the new plan: nothing is stored here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kambot.domain.documents import (
    SponsorAssignment,
    SponsorLoad,
    SponsorReason,
    SponsorshipPlan,
)
from kambot.domain.programme import Person
from kambot.errors import DataError

TIER_ORDER = {"gold": 0, "silver": 1, "bronze": 2}


@dataclass(frozen=True)
class SponsorshipConfig:
    """Weights and limits of the assignment (documented defaults)."""

    meetings_per_year: Mapping[str, int] = field(
        default_factory=lambda: {"gold": 4, "silver": 2, "bronze": 1}
    )
    default_max_accounts: int = 3
    industry_weight: int = 3
    segment_weight: int = 1
    contact_weight: int = 1
    max_contacts: int = 3
    # An executive who volunteered is worth more than an industry match: the methodology
    # wants sponsors who are willing, not merely suitable.
    volunteer_weight: int = 4
    keep_existing: bool = True

    def __post_init__(self) -> None:
        missing = [t for t in TIER_ORDER if t not in self.meetings_per_year]
        if missing:
            raise DataError(
                f"meetings_per_year lacks the tier(s) {', '.join(missing)}",
                hint='give a count for gold, silver and bronze, e.g. {"gold": 4, ...}',
            )
        if self.default_max_accounts < 0:
            raise DataError("default_max_accounts cannot be negative", hint="use e.g. 3")


@dataclass(frozen=True)
class SponsorableAccount:
    """A key account as the assignment sees it.

    Attributes:
        external_id: the account's external id.
        name: its name.
        tier: gold, silver or bronze.
        industry: its industry, if known.
        segment_industries: the industries of its strategic segment.
        current_sponsor: the person key of its sponsor today, if any.
        priority: larger first among accounts of a tier (e.g. revenue TTM).
        contacts: recorded executive or sponsor meetings with this customer, per
            person key.
        volunteers: person keys of executives who offered to sponsor this account.
    """

    external_id: str
    name: str
    tier: str
    industry: str | None = None
    segment_industries: tuple[str, ...] = ()
    current_sponsor: str | None = None
    priority: float = 0.0
    contacts: Mapping[str, int] = field(default_factory=dict)
    volunteers: tuple[str, ...] = ()


def _score(
    account: SponsorableAccount, person: Person, config: SponsorshipConfig
) -> tuple[int, list[SponsorReason]]:
    score = 0
    reasons: list[SponsorReason] = []
    industries = set(person.industries)
    if account.industry and account.industry in industries:
        score += config.industry_weight
        reasons.append(SponsorReason(code="industry_affinity", person=person.key))
    elif industries.intersection(account.segment_industries):
        score += config.segment_weight
        reasons.append(SponsorReason(code="segment_affinity", person=person.key))
    met = int(account.contacts.get(person.key, 0))
    if met > 0:
        score += config.contact_weight * min(met, config.max_contacts)
        reasons.append(SponsorReason(code="relationship", person=person.key, value=met))
    if person.key in account.volunteers:
        score += config.volunteer_weight
        reasons.append(SponsorReason(code="volunteered", person=person.key))
    return score, reasons


def assign_sponsors(
    accounts: Sequence[SponsorableAccount],
    people: Sequence[Person],
    config: SponsorshipConfig | None = None,
) -> SponsorshipPlan:
    """Assign one executive sponsor to each key account, explaining every choice.

    Args:
        accounts: the key accounts.
        people: the programme's people; only those with role ``executive`` sponsor.
        config: weights, limits and cadence; documented defaults when None.

    Returns:
        The plan: one assignment per account (in priority order), the load of every
        executive, the accounts left without sponsor.

    Raises:
        DataError: for an unknown tier or a duplicate account.
    """
    cfg = config or SponsorshipConfig()
    seen: set[str] = set()
    for a in accounts:
        if a.tier not in TIER_ORDER:
            raise DataError(f"account {a.external_id} has unknown tier {a.tier!r}",
                            hint="use gold, silver or bronze")
        if a.external_id in seen:
            raise DataError(f"account {a.external_id} is listed twice")
        seen.add(a.external_id)
    execs = sorted((p for p in people if p.role == "executive"), key=lambda p: p.key)
    by_key = {p.key: p for p in execs}
    capacity = {
        p.key: p.max_accounts if p.max_accounts is not None else cfg.default_max_accounts
        for p in execs
    }
    load: dict[str, list[str]] = {p.key: [] for p in execs}
    ordered = sorted(
        accounts, key=lambda a: (TIER_ORDER[a.tier], -a.priority, a.external_id)
    )
    chosen: dict[str, tuple[str | None, int, list[SponsorReason], bool]] = {}

    # Pass 1: existing sponsors keep their accounts, highest priority first.
    pending: dict[str, list[SponsorReason]] = {}
    for a in ordered:
        current = a.current_sponsor
        if current is None:
            continue
        if current not in by_key:
            pending[a.external_id] = [SponsorReason(code="existing_not_executive", person=current)]
        elif not cfg.keep_existing or len(load[current]) >= capacity[current]:
            pending[a.external_id] = [SponsorReason(code="existing_over_capacity", person=current)]
        else:
            load[current].append(a.external_id)
            score, reasons = _score(a, by_key[current], cfg)
            why_kept = [SponsorReason(code="kept_existing", person=current), *reasons]
            chosen[a.external_id] = (current, score, why_kept, True)

    # Pass 2: every other account goes to the best executive with capacity left.
    for a in ordered:
        if a.external_id in chosen:
            continue
        prior = pending.get(a.external_id, [])
        scored = [(p, *_score(a, p, cfg)) for p in execs if len(load[p.key]) < capacity[p.key]]
        if not scored:
            chosen[a.external_id] = (None, 0, [*prior, SponsorReason(code="no_capacity")], False)
            continue
        top = max(score for _, score, _ in scored)
        tied = [(p, reasons) for p, score, reasons in scored if score == top]
        person, reasons = min(tied, key=lambda t: (len(load[t[0].key]) / capacity[t[0].key],
                                                   t[0].key))
        why = [*prior, *reasons]
        if len(tied) > 1:
            why.append(SponsorReason(code="lowest_load", person=person.key,
                                     value=len(load[person.key])))
        load[person.key].append(a.external_id)
        chosen[a.external_id] = (person.key, top, why, False)

    assignments = []
    for a in ordered:
        sponsor, score, reasons, kept = chosen[a.external_id]
        assignments.append(SponsorAssignment(
            external_id=a.external_id,
            name=a.name,
            tier=a.tier,
            industry=a.industry,
            previous_sponsor=a.current_sponsor,
            sponsor=sponsor,
            kept=kept,
            changed=sponsor != a.current_sponsor,
            score=score,
            meetings_per_year=int(cfg.meetings_per_year[a.tier]),
            reasons=reasons,
        ))
    loads = [
        SponsorLoad(person=p.key, name=p.name, accounts=list(load[p.key]),
                    capacity=capacity[p.key], load=len(load[p.key]))
        for p in execs
    ]
    return SponsorshipPlan(
        assignments=assignments,
        loads=loads,
        unassigned=[x.external_id for x in assignments if x.sponsor is None],
        total_capacity=sum(capacity.values()),
        meetings_per_year={k: int(v) for k, v in cfg.meetings_per_year.items()},
    )
