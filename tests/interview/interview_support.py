"""A small programme in a fresh database, scripted executives, and an interview runner.

Used by the interview, coaching and feedback tests. The company, customers and people
are invented (customer names built from random syllables, like the demo's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from kambot.assistant.interview import InterviewService, InterviewTurn
from kambot.assistant.portfolio import open_store
from kambot.config import Settings
from kambot.domain.identity import Principal, Role
from kambot.domain.programme import (
    Capacity,
    Criterion,
    Objective,
    Person,
    Programme,
    StrategicCause,
    StrategicSegment,
)

EXECUTIVES = [
    Person(key="hvauclair", name="Hélène Vauclair", role="executive", title="CEO",
           industries=["automotive"], max_accounts=2),
    Person(key="mdelorme", name="Marc Delorme", role="executive", title="CFO",
           industries=["energy"], max_accounts=2),
    Person(key="skessler", name="Sabine Kessler", role="executive", title="COO",
           industries=["machinery"], max_accounts=3),
]
OTHERS = [
    Person(key="croussel", name="Camille Roussel", role="programme_lead"),
    Person(key="alefevre", name="Antoine Lefèvre", role="kam", max_accounts=2),
    Person(key="kvogel", name="Katrin Vogel", role="kam", max_accounts=2),
]
ACCOUNTS = [
    {"external_id": "C1", "name": "Quenolac Mobilité SA", "industry": "automotive"},
    {"external_id": "C2", "name": "Morennova S.p.A.", "industry": "rail"},
    {"external_id": "C3", "name": "Orsanova Maschinenbau GmbH & Co. KG",
     "industry": "machinery"},
    {"external_id": "C4", "name": "Rosesca Biscuiterie SAS", "industry": "food_beverage"},
    {"external_id": "C5", "name": "Sauemar Holding AG", "industry": "automotive"},
    {"external_id": "C6", "name": "Sauemar Auto Components Nederland B.V.",
     "industry": "automotive", "parent_external_id": "C5"},
    {"external_id": "C7", "name": "Calorton Paper S.A.", "industry": "pulp_paper"},
]
SEGMENTS = [
    StrategicSegment(key="mobility", name="Automotive and rail",
                     industries=["automotive", "rail"], value_proposition_fit=4.5),
    StrategicSegment(key="machine_builders", name="Machine builders",
                     industries=["machinery"], value_proposition_fit=4.0),
]
CRITERIA = [
    Criterion(key="potential", axis="attractiveness", weight=100),  # type: ignore[arg-type]
    Criterion(key="revenue_ttm", axis="strength", weight=100),  # type: ignore[arg-type]
]
OBJECTIVES = [Objective(cause=StrategicCause.CUSTOMER_FOCUS,
                        statement="Become a line-level partner of our key accounts.",
                        measure="key-account revenue growth")]

LEAD = Principal(user_id=1, username="croussel", role=Role.LEAD)
ADMIN = Principal(user_id=2, username="admin", role=Role.ADMIN)
HELENE = Principal(user_id=3, username="hvauclair", role=Role.EXECUTIVE)
MARC = Principal(user_id=4, username="mdelorme", role=Role.EXECUTIVE)
KAM = Principal(user_id=5, username="alefevre", role=Role.KAM, account_ids=frozenset({1}))
HR = Principal(user_id=6, username="jmarchand", role=Role.HR)


def programme(**changes: Any) -> Programme:
    """Return the test programme; keyword arguments replace fields."""
    base: dict[str, Any] = {
        "name": "Horizon test programme", "company": "Vauclair Test SA",
        "objectives": list(OBJECTIVES), "segments": list(SEGMENTS), "criteria": list(CRITERIA),
        "capacity": Capacity(max_key_accounts=4, min_key_accounts=2, accounts_per_kam=2),
        "people": [*EXECUTIVES, *OTHERS],
    }
    base.update(changes)
    return Programme(**base)


def save(engine: Engine, prog: Programme) -> None:
    """Store a programme."""
    from kambot.store.db import session_scope
    from kambot.store.repositories import save_programme

    with session_scope(engine, write=True) as session:
        save_programme(session, prog)


def upsert(engine: Engine, entity: str, rows: list[dict[str, Any]]) -> None:
    """Insert or update rows of one entity."""
    from kambot.store.db import transaction
    from kambot.store.writer import upsert_rows

    with transaction(engine, write=True) as conn:
        upsert_rows(conn, entity, rows)


def build_store(settings: Settings, *, with_programme: bool = True,
                with_accounts: bool = True) -> Engine:
    """Return a migrated database with the test programme and accounts."""
    engine = open_store(settings)
    if with_programme:
        save(engine, programme())
    if with_accounts:
        upsert(engine, "accounts", [dict(a) for a in ACCOUNTS if "parent_external_id" not in a])
        upsert(engine, "accounts", [dict(a) for a in ACCOUNTS if "parent_external_id" in a])
    return engine


# --- scripted executives ------------------------------------------------------------------

Script = Mapping[str, str]


@dataclass
class Run:
    """What happened during a scripted interview."""

    first: InterviewTurn
    turns: list[InterviewTurn] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    @property
    def last(self) -> InterviewTurn:
        """Return the last turn."""
        return self.turns[-1] if self.turns else self.first

    @property
    def probes(self) -> list[str]:
        """Return ``theme:reason`` of every probe asked."""
        return [a for a in self.asked if ":" in a]


def key_of(turn: InterviewTurn) -> str:
    """Return the script key of a pending question: its id, or ``theme:reason``."""
    if turn.probe:
        return f"{turn.theme}:{turn.probe_reason}"
    return str(turn.question_id)


def answer_all(service: InterviewService, principal: Principal, first: InterviewTurn,
               script: Script, default: str = "skip", limit: int = 60) -> Run:
    """Answer whatever is asked from ``script`` (by question id or ``theme:reason``)."""
    run = Run(first=first)
    turn = first
    for _ in range(limit):
        if turn.done:
            return run
        key = key_of(turn)
        run.asked.append(key)
        turn = service.answer(principal, turn.id, script.get(key, default))
        run.turns.append(turn)
    raise AssertionError(f"the interview did not end: {run.asked}")


EN_SCRIPT: dict[str, str] = {
    "battles": "Maybe growth.",
    "strategic_challenges:short": (
        "We must win three battles by 2028: move to services with recurring revenue, break "
        "the silos between Factory Automation and Services, and above all get closer to our "
        "customers."),
    "success": "Share of wallet on key accounts up from 22% to 35% within three years.",
    "key_customers": ("Quenolac Mobilité and Morennova, our automotive and rail customers, "
                      "because they buy across all our units."),
    "how_many": "About fifteen accounts, no more than that.",
    "commit": ("I can give two engineers from the innovation centre and half a day a month of "
               "my time, if the account plans are validated first."),
    "willing": "Yes, I will sponsor Quenolac and Morennova, gladly.",
    "worries": ("I worry the country managers will lose their bonus if revenue credit goes to "
                "the KAMs, like the failed attempt in 2019."),
    "oppose": ("If the programme takes the best customers away from the countries without "
               "their agreement, I would oppose it."),
    "cadence": "A monthly one-page note and a decision slot in the executive committee.",
    "who_else": "Talk to the head of Services.",
}
FR_SCRIPT: dict[str, str] = {
    "battles": ("D'ici 2028, nous devons gagner trois batailles : décloisonner nos business "
                "units, développer les contrats de service, et surtout casser les silos entre "
                "les pays pour présenter un seul visage au client."),
    "success": "Je ne sais pas, peut-être plus de ventes.",
    "expected_results:vague": ("La part de portefeuille de nos comptes clés doit passer de "
                               "20 % à 30 % en trois ans, avec une marge stable."),
    "key_customers": "Orsanova Maschinenbau et Calorton Paper, nos plus gros clients industriels.",
    "how_many": "Une douzaine de comptes, pas plus.",
    "commit": ("Je peux mettre deux ingénieurs et un budget de 50 k€ par an, à condition "
               "que les usines restent prioritaires."),
    "willing": "Oui, je veux bien parrainer Orsanova Maschinenbau.",
    "worries": ("Je crains une surcharge de travail avec le reporting, et que les directeurs "
                "pays perdent la main sur leurs clients."),
    "oppose": "Je m'opposerai si on retire les clients aux pays sans leur accord : ligne rouge.",
    "cadence": "Un point tous les trimestres en comité de direction, avec un tableau de bord.",
    "who_else": "Le directeur des opérations.",
}

SABINE_SCRIPT: dict[str, str] = {
    "battles": ("Above all we must break the silos between our business units by 2027, so that "
                "each large customer sees one face; innovation comes second."),
    "success": "Margin on key accounts up two points, and share of wallet at 30% in three years.",
    "key_customers": ("Quenolac Mobilité and Orsanova Maschinenbau, the machine builders who "
                      "buy everything from us."),
    "how_many": "Twelve at most, we must concentrate.",
    "commit": ("I will commit three project managers from operations and a budget of 200 k€ "
               "for the pilots."),
    "willing": "I would sponsor Quenolac if Hélène prefers to focus on rail.",
    "worries": ("Plants cannot prioritise customers without a clear rule; the service teams "
                "will be overloaded with reporting."),
    "oppose": "Nothing would make me oppose it, I am confident.",
    "cadence": "Every month, a short dashboard by e-mail.",
    "who_else": "The plant managers.",
}
