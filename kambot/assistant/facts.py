"""Turn analysis results and account records into citable facts and passages.

Every figure a document may state is a :class:`~kambot.domain.documents.Fact` with a
stable id, its raw value and a French and an English phrasing. Ids:

- ``acct:<external id>/kpi:<name>``: account KPIs (``kpi:share_of_wallet``...);
- ``acct:X/name``, ``/industry``, ``/segment``, ``/potential``, ``/kam``, ``/sponsor``...;
- ``acct:X/tier``, ``acct:X/quadrant``, ``acct:X/score:attractiveness``,
  ``acct:X/criterion:<key>``, ``acct:X/selection``;
- ``acct:X/scenario:<base|upside|downside>:y1..y3`` and ``:total``;
- ``acct:X/initiative:<id>`` and its ``/status``, ``/expected_value``,
  ``/resources_requested``, ``/resources_committed``, ``/decided_on`` (recorded
  initiatives are the only source of commitments to a customer);
- ``acct:X/alignment:<profit centre>/requested|committed|gap``;
- ``acct:X/contact:<id>``, ``acct:X/buying_centre:<role>``;
- ``acct:X/sponsorship`` and ``acct:X/sponsorship:cadence`` (the proposed sponsor);
- ``person:<key>`` and ``person:<key>/load``; ``prog:kpi:<name>``, ``prog:target:*``,
  ``prog:maturity:*``, ``prog:selection:*``, ``prog:sponsorship:*``, ``prog:scenario:*``.

Account notes become untrusted :class:`~kambot.domain.documents.Passage` objects
(``note:<activity id>``): hidden characters removed, injection markers flagged.
Methodology passages come from the knowledge folder, by ``<doc id>:<section number>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kambot.domain.accounts import Account, Activity, Contact, Initiative
from kambot.domain.documents import (
    Fact,
    FactUnit,
    FactValue,
    Lang,
    Passage,
    SponsorshipPlan,
)
from kambot.domain.programme import Person, Programme
from kambot.llm.formatting import fmt_value

if TYPE_CHECKING:
    from kambot.core.analyse import PortfolioAnalysis
    from kambot.domain.analysis import ProgrammeKPIs

QUADRANT_TEXT: dict[str, tuple[str, str]] = {
    "strategic": ("the strategic quadrant (high attractiveness, high relative strength): "
                  "invest and build a partnership",
                  "le quadrant stratégique (attractivité forte, force relative forte) : "
                  "investir et construire un partenariat"),
    "star": ("the star quadrant (high attractiveness, low relative strength): invest to "
             "strengthen our position",
             "le quadrant étoile (attractivité forte, force relative faible) : investir pour "
             "renforcer notre position"),
    "status": ("the status quadrant (low attractiveness, high relative strength): maintain "
               "efficiently",
               "le quadrant acquis (attractivité faible, force relative forte) : entretenir "
               "avec efficacité"),
    "streamline": ("the streamline quadrant (low attractiveness, low relative strength): "
                   "serve at the lowest cost",
                   "le quadrant à rationaliser (attractivité faible, force relative faible) : "
                   "servir au moindre coût"),
}
STAGE_NAMES: dict[int, tuple[str, str]] = {
    1: ("exploratory", "exploratoire"),
    2: ("basic", "basique"),
    3: ("cooperative", "coopérative"),
    4: ("interdependent", "interdépendante"),
    5: ("integrated", "intégrée"),
}
ROLE_NAMES: dict[str, tuple[str, str]] = {
    "economic_buyer": ("economic buyer", "acheteur économique"),
    "decision_maker": ("decision maker", "décideur"),
    "champion": ("champion", "champion"),
    "influencer": ("influencer", "influenceur"),
    "detractor": ("detractor", "détracteur"),
    "user": ("user", "utilisateur"),
    "other": ("other role", "autre rôle"),
    "executive_sponsor": ("executive-level contact", "contact de niveau direction"),
}
LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "c_level": ("C-level", "comité de direction"),
    "vp": ("vice-president", "vice-président"),
    "director": ("director", "directeur"),
    "manager": ("manager", "manager"),
    "staff": ("staff", "collaborateur"),
}
STATUS_NAMES: dict[str, tuple[str, str]] = {
    "proposed": ("proposed", "proposée"),
    "validated": ("validated", "validée"),
    "in_progress": ("in progress", "en cours"),
    "done": ("done", "réalisée"),
    "dropped": ("dropped", "abandonnée"),
}
SIGNAL_NAMES: dict[str, tuple[str, str]] = {
    "open_escalation": ("an open escalation", "une escalade ouverte"),
    "low_satisfaction": ("low satisfaction", "une satisfaction faible"),
    "negative_growth": ("falling revenue", "un chiffre d'affaires en baisse"),
    "no_executive_contact": ("no recent executive contact",
                             "aucun contact récent au niveau direction"),
}
PHASE_NAMES_FR = {"A": "cadrage du KAM", "B": "introduction du KAM", "C": "ancrage du KAM",
                  "D": "optimisation de la valeur"}
_RATIO_CRITERIA = frozenset({"kam_assigned_share", "sponsor_share", "validated_plan_share",
                             "sponsor_meetings_ratio", "initiative_share",
                             "full_coverage_share", "escalations_within_target",
                             "resources_commitment"})
_MATURITY_FR = {
    "key_accounts": "comptes clés sélectionnés",
    "criteria_defined": "critères de sélection définis",
    "within_capacity": "comptes clés dans la limite de capacité",
    "kam_assigned_share": "un KAM pour au moins {p} %",
    "sponsor_share": "un sponsor de direction pour au moins {p} %",
    "validated_plan_share": "un plan validé pour au moins {p} %",
    "mean_coverage": "couverture moyenne du centre d'achat d'au moins {t}",
    "sponsor_meetings_ratio": "au moins {p} % des rencontres de sponsor prévues tenues",
    "initiative_share": "une initiative validée pour au moins {p} %",
    "full_coverage_share": "couverture complète du centre d'achat pour au moins {p} %",
    "escalations_within_target": "au moins {p} % des escalades résolues dans les délais",
    "resources_commitment": "au moins {p} % des ressources demandées engagées",
}
BUYING_ROLES = ("executive_sponsor", "decision_maker", "champion", "economic_buyer")
NOTE_LIMIT = 8
NOTE_MAX_CHARS = 700


def pick(lang: Lang, pair: tuple[str, str]) -> str:
    """Return the English (first) or French (second) text of a pair."""
    return pair[1] if lang == "fr" else pair[0]


def humanise(code: str | None) -> str:
    """Return an identifier such as ``food_beverage`` as words (``food beverage``)."""
    return (code or "").replace("_", " ").strip()


def slug(text: str) -> str:
    """Return a lower-case, dash-separated id fragment."""
    s = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return s or "none"


@dataclass(frozen=True)
class AccountRecords:
    """What the store knows about one account beyond the analysed figures."""

    account: Account
    contacts: tuple[Contact, ...] = ()
    initiatives: tuple[Initiative, ...] = ()
    activities: tuple[Activity, ...] = ()
    flags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class FactBook:
    """An ordered set of facts, with helpers to add them in both languages."""

    def __init__(self, currency: str = "EUR") -> None:
        """Start an empty book; money facts are in ``currency``."""
        self.currency = currency
        self._facts: dict[str, Fact] = {}

    def __contains__(self, fact_id: object) -> bool:
        """Tell whether a fact id is in the book."""
        return fact_id in self._facts

    def __len__(self) -> int:
        """Return the number of facts."""
        return len(self._facts)

    def get(self, fact_id: str) -> Fact | None:
        """Return a fact by id."""
        return self._facts.get(fact_id)

    def facts(self) -> list[Fact]:
        """Return the facts in insertion order."""
        return list(self._facts.values())

    def add(self, fact: Fact) -> Fact:
        """Add a fact (a later fact with the same id replaces the earlier one)."""
        self._facts[fact.id] = fact
        return fact

    def extend(self, facts: Iterable[Fact]) -> None:
        """Add several facts."""
        for f in facts:
            self.add(f)

    def value(self, fact_id: str, label: tuple[str, str], value: FactValue,
              unit: FactUnit) -> Fact:
        """Add a fact phrased ``<label>: <formatted value>.`` in both languages."""
        en = fmt_value(value, unit, "en", self.currency)
        fr = fmt_value(value, unit, "fr", self.currency)
        return self.add(Fact(id=fact_id, label=label[0], value=value, unit=unit,
                             text_en=f"{label[0]}: {en}.", text_fr=f"{label[1]} : {fr}."))

    def text(self, fact_id: str, label: str, value: FactValue, text_en: str, text_fr: str,
             unit: FactUnit = "text") -> Fact:
        """Add a fact with its own sentences."""
        return self.add(Fact(id=fact_id, label=label, value=value, unit=unit,
                             text_en=text_en, text_fr=text_fr))


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def person_name(programme: Programme, key: str | None) -> str | None:
    """Return the name of a person of the programme by key (the key when unknown)."""
    if key is None:
        return None
    return next((p.name for p in programme.people if p.key == key), key)


# --- people and programme -------------------------------------------------------------

_ROLE_LABELS = {
    "kam": ("key account manager", "key account manager"),
    "executive": ("executive-committee member", "membre du comité de direction"),
    "programme_lead": ("programme lead", "responsable du programme"),
    "hr": ("human resources", "ressources humaines"),
    "admin": ("administrator", "administrateur"),
}


def people_facts(book: FactBook, people: Sequence[Person]) -> None:
    """Add one ``person:<key>`` fact per person of the programme."""
    for p in people:
        role = _ROLE_LABELS.get(p.role, (p.role, p.role))
        title = f", {p.title}" if p.title else ""
        en = f"{p.name}{title} ({role[0]})."
        fr = f"{p.name}{title} ({role[1]})."
        if p.industries:
            inds = ", ".join(humanise(i) for i in p.industries)
            en = en[:-1] + f"; industries: {inds}."
            fr = fr[:-1] + f" ; secteurs : {inds}."
        if p.role == "executive" and p.max_accounts is not None:
            en = en[:-1] + f"; sponsors at most {p.max_accounts} key accounts."
            fr = fr[:-1] + f" ; parraine au plus {p.max_accounts} comptes clés."
        book.text(f"person:{p.key}", p.name, p.name, en, fr)


def programme_base_facts(book: FactBook, programme: Programme, as_of: date,
                         meetings_per_year: Mapping[str, int]) -> None:
    """Add the programme's name, date and targets (``prog:*``)."""
    book.text("prog:name", "Programme", programme.name,
              f"Programme: {programme.name}" + (f" ({programme.company})." if programme.company
                                                 else "."),
              f"Programme : {programme.name}" + (f" ({programme.company})."
                                                  if programme.company else "."))
    book.value("prog:as_of", ("Figures as of", "Chiffres au"), as_of.isoformat(), "date")
    book.text("prog:currency", "Currency", programme.currency,
              f"Amounts are in {programme.currency}.",
              f"Les montants sont en {programme.currency}.")
    book.value("prog:target:share_of_wallet", ("Share-of-wallet target",
                                               "Objectif de part de portefeuille"),
               programme.share_of_wallet_target, "ratio")
    book.value("prog:target:revenue_growth", ("Yearly revenue growth target",
                                              "Objectif de croissance annuelle du chiffre "
                                              "d'affaires"),
               programme.revenue_target_growth, "ratio")
    book.value("prog:target:escalation_days", ("Escalation resolution target",
                                               "Délai cible de résolution des escalades"),
               programme.escalation_target_days, "days")
    for tier in ("gold", "silver", "bronze"):
        n = int(meetings_per_year.get(tier, 0))
        book.text(f"prog:cadence:{tier}", f"Sponsor meetings per year, {tier}", n,
                  f"Sponsor meetings planned per year for a {tier.title()} account: {n}.",
                  f"Rencontres de sponsor prévues par an pour un compte {tier.title()} : {n}.",
                  unit="count")


# --- one account ----------------------------------------------------------------------

_KPI_FIELDS: tuple[tuple[str, str, str, FactUnit], ...] = (
    ("revenue_ttm", "Revenue over the last twelve months",
     "Chiffre d'affaires des douze derniers mois", "money"),
    ("revenue_previous_12m", "Revenue over the twelve months before",
     "Chiffre d'affaires des douze mois précédents", "money"),
    ("revenue_growth", "Revenue growth", "Croissance du chiffre d'affaires", "ratio"),
    ("share_of_wallet", "Share of wallet", "Part de portefeuille", "ratio"),
    ("margin_pct", "Margin rate", "Taux de marge", "percent"),
    ("margin_ttm", "Margin over the last twelve months", "Marge des douze derniers mois",
     "money"),
    ("open_opportunities", "Open opportunities", "Opportunités ouvertes", "count"),
    ("open_pipeline", "Open pipeline", "Pipeline ouvert", "money"),
    ("weighted_pipeline", "Weighted pipeline", "Pipeline pondéré", "money"),
    ("pipeline_coverage", "Pipeline coverage of the growth target",
     "Couverture de l'objectif de croissance par le pipeline", "number"),
    ("won", "Deals won", "Affaires gagnées", "count"),
    ("lost", "Deals lost", "Affaires perdues", "count"),
    ("win_rate", "Win rate", "Taux de transformation", "ratio"),
    ("average_won_deal", "Average deal won", "Affaire gagnée moyenne", "money"),
    ("sales_cycle_days", "Sales cycle", "Cycle de vente", "days"),
    ("days_since_executive_contact", "Time since the last executive contact",
     "Temps écoulé depuis le dernier contact de direction", "days"),
    ("last_executive_contact", "Last executive contact", "Dernier contact de direction",
     "date"),
    ("satisfaction", "Satisfaction (out of ten)", "Satisfaction (sur dix)", "number"),
    ("open_escalations", "Open escalations", "Escalades ouvertes", "count"),
    ("overdue_escalations", "Overdue escalations", "Escalades en retard", "count"),
    ("sponsor_meetings_12m", "Sponsor meetings in the last twelve months",
     "Rencontres de sponsor des douze derniers mois", "count"),
    ("resources_requested", "Resources requested (recorded units)",
     "Ressources demandées (unités saisies)", "number"),
    ("resources_committed", "Resources committed (recorded units)",
     "Ressources engagées (unités saisies)", "number"),
)


def account_facts(
    book: FactBook,
    analysis: PortfolioAnalysis,
    records: AccountRecords,
    programme: Programme,
    *,
    plan: SponsorshipPlan | None = None,
    detail: bool = True,
) -> None:
    """Add the facts of one account: identity, KPIs, matrix, tier, scenarios, records.

    Args:
        book: the book to fill.
        analysis: the portfolio analysis.
        records: the account's record, contacts, initiatives and activities.
        programme: the programme (people, segments, targets).
        plan: the sponsorship plan, for the proposed sponsor and cadence.
        detail: False adds only identity, tier, quadrant and headline KPIs (for
            programme-level documents).
    """
    acc = records.account
    x = acc.external_id
    p = f"acct:{x}"
    kpis = analysis.account_kpis(x)
    score = analysis.account_score(x)
    tier = analysis.tier_assignment(x)
    book.text(f"{p}/name", "Account", acc.name, f"Account {acc.name} ({x}).",
              f"Compte {acc.name} ({x}).")
    industry = humanise(acc.industry) or None
    book.text(f"{p}/industry", "Industry", acc.industry,
              f"Industry of {acc.name}: {industry or 'not recorded'}.",
              f"Secteur de {acc.name} : {industry or 'non renseigné'}.")
    seg = next((s for s in programme.segments if s.key == (score.segment or acc.segment)), None)
    if seg is not None:
        book.text(f"{p}/segment", "Segment", seg.name,
                  f"{acc.name} belongs to the strategic segment {seg.name}, whose "
                  f"value-proposition fit is {fmt_value(seg.value_proposition_fit, 'number', 'en')}"
                  " out of five.",
                  f"{acc.name} appartient au segment stratégique {seg.name}, dont l'adéquation "
                  f"de l'offre est de {fmt_value(seg.value_proposition_fit, 'number', 'fr')} "
                  "sur cinq.")
    book.value(f"{p}/employees", ("Employees", "Effectif"), acc.employees, "count")
    book.value(f"{p}/annual_revenue", ("Customer's own turnover", "Chiffre d'affaires du client"),
               acc.annual_revenue, "money")
    book.value(f"{p}/potential", ("Potential over three years (all suppliers)",
                                  "Potentiel sur trois ans (tous fournisseurs)"),
               acc.potential, "money")
    tier_name = tier.tier.value.title()
    rule = f" ({tier.rule_label})" if tier.rule_label else ""
    book.text(f"{p}/tier", "Service tier", tier.tier.value,
              f"Service tier of {acc.name}: {tier_name}{rule}.",
              f"Niveau de service de {acc.name} : {tier_name}{rule}.")
    q = score.quadrant.value
    book.text(f"{p}/quadrant", "Quadrant", q,
              f"{acc.name} sits in {pick('en', QUADRANT_TEXT[q])}.",
              f"{acc.name} se situe dans {pick('fr', QUADRANT_TEXT[q])}.")
    for label, value in (("attractiveness", score.attractiveness),
                         ("strength", score.strength)):
        fr_label = "Attractivité" if label == "attractiveness" else "Force relative"
        book.value(f"{p}/score:{label}", (f"{label.title()} score (0 to 1)",
                                          f"{fr_label} (de 0 à 1)"), value, "score")
    stage = acc.relationship_stage
    if stage is not None:
        names = STAGE_NAMES[stage]
        book.text(f"{p}/relationship_stage", "Relationship stage", stage,
                  f"Relationship stage: {stage} of five ({names[0]}).",
                  f"Stade de la relation : {stage} sur cinq ({names[1]}).", unit="number")
    else:
        book.text(f"{p}/relationship_stage", "Relationship stage", None,
                  "Relationship stage: not assessed.", "Stade de la relation : non évalué.")
    for field_name, en, fr, unit in _KPI_FIELDS:
        raw: FactValue | date = getattr(kpis, field_name)
        book.value(f"{p}/kpi:{field_name}", (en, fr),
                   raw.isoformat() if isinstance(raw, date) else raw, unit)
    for kam_or_sponsor, person_key in (("kam", acc.owner_kam), ("sponsor", acc.sponsor)):
        name = person_name(programme, person_key)
        en_label = "Key account manager" if kam_or_sponsor == "kam" else "Executive sponsor"
        fr_label = "Key account manager" if kam_or_sponsor == "kam" else "Sponsor"
        book.text(f"{p}/{kam_or_sponsor}", en_label, person_key,
                  f"{en_label} of {acc.name}: {name or 'none'}.",
                  f"{fr_label} de {acc.name} : {name or 'aucun'}.")
    if plan is not None and (a := plan.assignment(x)) is not None:
        who = person_name(programme, a.sponsor)
        book.text(f"{p}/sponsorship", "Proposed sponsor", a.sponsor,
                  f"Proposed sponsor for {acc.name}: {who or 'none available'}.",
                  f"Sponsor proposé pour {acc.name} : {who or 'aucun disponible'}.")
        book.text(f"{p}/sponsorship:cadence", "Sponsor meetings per year",
                  a.meetings_per_year,
                  f"Sponsor meetings planned per year with {acc.name}: {a.meetings_per_year}.",
                  f"Rencontres de sponsor prévues par an avec {acc.name} : "
                  f"{a.meetings_per_year}.", unit="count")
    if not detail:
        return
    _account_details(book, analysis, records, programme, score_contribs=score.contributions)


def _account_details(book: FactBook, analysis: PortfolioAnalysis, records: AccountRecords,
                     programme: Programme, score_contribs: Sequence[object]) -> None:
    from kambot.domain.analysis import CriterionContribution

    acc = records.account
    x = acc.external_id
    p = f"acct:{x}"
    kpis = analysis.account_kpis(x)
    for c in score_contribs:
        assert isinstance(c, CriterionContribution)
        raw = "-" if c.raw_value is None else fmt_value(c.raw_value, "number", "en")
        raw_fr = "-" if c.raw_value is None else fmt_value(c.raw_value, "number", "fr")
        axis_en = "attractiveness" if c.axis.value == "attractiveness" else "relative strength"
        axis_fr = "attractivité" if c.axis.value == "attractiveness" else "force relative"
        book.text(f"{p}/criterion:{c.key}", c.label, round(c.contribution, 4),
                  f"Criterion {c.label} ({axis_en}, weight {fmt_value(c.weight, 'number', 'en')}"
                  f"): value {raw}, contribution {fmt_value(c.contribution, 'score', 'en')}.",
                  f"Critère {c.label} ({axis_fr}, poids {fmt_value(c.weight, 'number', 'fr')}) "
                  f": valeur {raw_fr}, contribution {fmt_value(c.contribution, 'score', 'fr')}.",
                  unit="score")
    sel = next((s for s in analysis.selection_result.selected if s.external_id == x), None)
    if sel is not None:
        n = len(analysis.selection_result.selected)
        book.text(f"{p}/selection", "Selection rank", sel.rank,
                  f"{acc.name} ranks {sel.rank} of the {n} accounts proposed for the "
                  "programme.",
                  f"{acc.name} est au rang {sel.rank} des {n} comptes proposés pour le "
                  "programme.", unit="count")
    else:
        book.text(f"{p}/selection", "Selection rank", None,
                  f"{acc.name} is not among the accounts the selection proposes.",
                  f"{acc.name} ne figure pas parmi les comptes que la sélection propose.")
    coverage = kpis.buying_centre
    for role in BUYING_ROLES:
        covered = bool(getattr(coverage, role))
        names = ROLE_NAMES[role]
        book.text(f"{p}/buying_centre:{role}", f"Buying centre: {names[0]}", covered,
                  f"Buying centre of {acc.name}, {names[0]}: "
                  + ("covered." if covered else "not covered."),
                  f"Centre d'achat de {acc.name}, {names[1]} : "
                  + ("couvert." if covered else "non couvert."), unit="flag")
    book.value(f"{p}/kpi:buying_centre_coverage", ("Buying-centre coverage",
                                                   "Couverture du centre d'achat"),
               coverage.coverage, "ratio")
    for year, amount in sorted(kpis.revenue_by_year.items()):
        book.value(f"{p}/kpi:revenue_{year}", (f"Revenue {year}", f"Chiffre d'affaires {year}"),
                   amount, "money")
    scen = analysis.account_scenarios(x)
    for s in scen.scenarios:
        fr_name = {"base": "central", "upside": "haut", "downside": "bas"}[s.name]
        for k, v in enumerate(s.years, start=1):
            book.value(f"{p}/scenario:{s.name}:y{k}",
                       (f"{s.name.title()} scenario, year {k} revenue",
                        f"Scénario {fr_name}, chiffre d'affaires de l'année {k}"), v, "money")
        book.value(f"{p}/scenario:{s.name}:total",
                   (f"{s.name.title()} scenario, three-year revenue",
                    f"Scénario {fr_name}, chiffre d'affaires cumulé sur trois ans"),
                   s.total, "money")
    signals = scen.risk_signals
    book.text(f"{p}/scenario:risks", "Risk signals", ", ".join(signals) or None,
              "Risk signals in the downside scenario: "
              + (", ".join(pick("en", SIGNAL_NAMES[s]) for s in signals) or "none") + ".",
              "Signaux de risque du scénario bas : "
              + (", ".join(pick("fr", SIGNAL_NAMES[s]) for s in signals) or "aucun") + ".")
    _contact_facts(book, records)
    _initiative_facts(book, records)
    if acc.products:
        products = ", ".join(humanise(x) for x in acc.products)
        book.text(f"{p}/products", "Product lines bought", len(acc.products),
                  f"{acc.name} buys {len(acc.products)} of our product lines: {products}.",
                  f"{acc.name} achète {len(acc.products)} de nos gammes : {products}.",
                  unit="count")
    if acc.selected_on:
        book.value(f"{p}/selected_on", ("Selected as a key account on",
                                        "Sélectionné comme compte clé le"),
                   acc.selected_on.isoformat(), "date")
    book.value(f"{p}/plan_validated_on", ("Account plan validated on",
                                          "Plan de compte validé le"),
               _iso(acc.plan_validated_on), "date")
    flagged = sum(1 for a in records.activities if note_flags(a, records))
    book.text(f"{p}/notes:flagged", "Notes with injection markers", flagged,
              f"Notes of {acc.name} carrying injection markers (treated as data only): "
              f"{flagged}.",
              f"Notes de {acc.name} porteuses de marqueurs d'injection (traitées comme "
              f"simples données) : {flagged}.", unit="count")


def _contact_facts(book: FactBook, records: AccountRecords) -> None:
    p = f"acct:{records.account.external_id}"
    book.value(f"{p}/contacts", ("Customer contacts recorded", "Contacts client enregistrés"),
               len(records.contacts), "count")
    for c in records.contacts:
        role = ROLE_NAMES.get(c.role.value, (c.role.value, c.role.value))
        level = LEVEL_NAMES.get(c.level.value, (c.level.value, c.level.value))
        title = f", {c.title}" if c.title else ""
        last_en = f"; last contact {fmt_value(_iso(c.last_contact), 'date', 'en')}" if (
            c.last_contact) else ""
        last_fr = f" ; dernier contact le {fmt_value(_iso(c.last_contact), 'date', 'fr')}" if (
            c.last_contact) else ""
        book.text(f"{p}/contact:{c.external_id}", "Contact", c.name,
                  f"{c.name}{title} ({level[0]}): {role[0]}{last_en}.",
                  f"{c.name}{title} ({level[1]}) : {role[1]}{last_fr}.")


def _initiative_facts(book: FactBook, records: AccountRecords) -> None:
    p = f"acct:{records.account.external_id}"
    cur = book.currency
    centres: dict[str, list[Initiative]] = {}
    for ini in records.initiatives:
        base = f"{p}/initiative:{ini.external_id}"
        status = STATUS_NAMES[ini.status.value]
        value_en = (f", expected value {fmt_value(ini.expected_value, 'money', 'en', cur)}"
                    if ini.expected_value is not None else ", expected value not estimated")
        value_fr = (f", valeur attendue {fmt_value(ini.expected_value, 'money', 'fr', cur)}"
                    if ini.expected_value is not None else ", valeur attendue non estimée")
        centre = f", profit centre {ini.profit_centre}" if ini.profit_centre else ""
        centre_fr = f", centre de profit {ini.profit_centre}" if ini.profit_centre else ""
        book.text(base, "Strategic initiative", ini.title,
                  f"Initiative {ini.external_id} «{ini.title}»: {status[0]}{value_en}{centre}.",
                  f"Initiative {ini.external_id} « {ini.title} » : {status[1]}{value_fr}"
                  f"{centre_fr}.")
        book.text(f"{base}/status", "Initiative status", ini.status.value,
                  f"Status of initiative {ini.external_id}: {status[0]}.",
                  f"Statut de l'initiative {ini.external_id} : {status[1]}.")
        book.value(f"{base}/expected_value", ("Expected value", "Valeur attendue"),
                   ini.expected_value, "money")
        book.value(f"{base}/resources_requested", ("Resources requested",
                                                   "Ressources demandées"),
                   ini.resources_requested, "number")
        book.value(f"{base}/resources_committed", ("Resources committed",
                                                   "Ressources engagées"),
                   ini.resources_committed, "number")
        if ini.decided_on:
            book.value(f"{base}/decided_on", ("Decided on", "Décidée le"),
                       ini.decided_on.isoformat(), "date")
        if ini.status.value != "dropped":
            centres.setdefault(ini.profit_centre or "-", []).append(ini)
    for centre_name, items in sorted(centres.items()):
        req = sum(i.resources_requested or 0.0 for i in items)
        com = sum(i.resources_committed or 0.0 for i in items)
        base = f"{p}/alignment:{slug(centre_name)}"
        label = centre_name if centre_name != "-" else "no profit centre"
        label_fr = centre_name if centre_name != "-" else "sans centre de profit"
        book.text(base, "Profit centre", centre_name,
                  f"Profit centre {label}: {len(items)} active initiatives.",
                  f"Centre de profit {label_fr} : {len(items)} initiatives actives.",
                  unit="text")
        book.value(f"{base}/requested", (f"Resources requested from {label}",
                                         f"Ressources demandées à {label_fr}"), req, "number")
        book.value(f"{base}/committed", (f"Resources committed by {label}",
                                         f"Ressources engagées par {label_fr}"), com, "number")
        book.value(f"{base}/gap", (f"Resources still to commit by {label}",
                                   f"Ressources restant à engager par {label_fr}"),
                   max(req - com, 0.0), "number")


# --- sponsorship and programme ----------------------------------------------------------

_REASON_TEXT: dict[str, tuple[str, str]] = {
    "kept_existing": ("current sponsor kept", "sponsor actuel conservé"),
    "industry_affinity": ("industry affinity", "affinité sectorielle"),
    "segment_affinity": ("affinity with the segment", "affinité avec le segment"),
    "relationship": ("already met the customer", "a déjà rencontré le client"),
    "volunteered": ("volunteered in the alignment interview",
                    "volontaire lors de l'entretien d'alignement"),
    "lowest_load": ("lightest load among equals", "charge la plus légère à égalité"),
    "existing_over_capacity": ("current sponsor has no capacity left",
                               "le sponsor actuel n'a plus de capacité"),
    "existing_not_executive": ("current sponsor is not on the executive committee",
                               "le sponsor actuel n'est pas au comité de direction"),
    "no_capacity": ("no executive has capacity left", "aucun dirigeant n'a de capacité"),
}


def sponsorship_facts(book: FactBook, plan: SponsorshipPlan, programme: Programme) -> None:
    """Add the plan's facts: per account, per executive and overall (``prog:sponsorship:*``)."""
    for a in plan.assignments:
        p = f"acct:{a.external_id}"
        who = person_name(programme, a.sponsor)
        before = person_name(programme, a.previous_sponsor)
        why_en = "; ".join(pick("en", _REASON_TEXT[r.code]) for r in a.reasons)
        why_fr = "; ".join(pick("fr", _REASON_TEXT[r.code]) for r in a.reasons)
        en = (f"Proposed sponsor for {a.name}: {who} ({why_en})." if who else
              f"No sponsor available for {a.name} ({why_en}).")
        fr = (f"Sponsor proposé pour {a.name} : {who} ({why_fr})." if who else
              f"Aucun sponsor disponible pour {a.name} ({why_fr}).")
        book.text(f"{p}/sponsorship", "Proposed sponsor", a.sponsor, en, fr)
        book.text(f"{p}/sponsorship:previous", "Current sponsor", a.previous_sponsor,
                  f"Current sponsor of {a.name}: {before or 'none'}.",
                  f"Sponsor actuel de {a.name} : {before or 'aucun'}.")
        book.text(f"{p}/sponsorship:cadence", "Sponsor meetings per year", a.meetings_per_year,
                  f"Sponsor meetings planned per year with {a.name}: {a.meetings_per_year}.",
                  f"Rencontres de sponsor prévues par an avec {a.name} : "
                  f"{a.meetings_per_year}.", unit="count")
    for load in plan.loads:
        book.text(f"person:{load.person}/load", "Sponsored accounts", load.load,
                  f"{load.name} would sponsor {load.load} key accounts for a limit of "
                  f"{load.capacity}.",
                  f"{load.name} parrainerait {load.load} comptes clés pour une limite de "
                  f"{load.capacity}.", unit="count")
    changed = sum(1 for a in plan.assignments if a.changed)
    book.value("prog:sponsorship:accounts", ("Key accounts to sponsor",
                                             "Comptes clés à parrainer"),
               len(plan.assignments), "count")
    book.value("prog:sponsorship:capacity", ("Total sponsoring capacity",
                                             "Capacité totale de parrainage"),
               plan.total_capacity, "count")
    book.value("prog:sponsorship:unassigned", ("Key accounts without a sponsor",
                                               "Comptes clés sans sponsor"),
               len(plan.unassigned), "count")
    book.value("prog:sponsorship:changed", ("Sponsor changes proposed",
                                            "Changements de sponsor proposés"),
               changed, "count")
    idle = [lo.name for lo in plan.loads if lo.load == 0]
    book.text("prog:sponsorship:idle", "Executives without an account", len(idle),
              f"Executives sponsoring no key account ({len(idle)}): "
              + (", ".join(idle) or "none") + ".",
              f"Dirigeants ne parrainant aucun compte clé ({len(idle)}) : "
              + (", ".join(idle) or "aucun") + ".", unit="count")


def programme_facts(book: FactBook, analysis: PortfolioAnalysis, kpis: ProgrammeKPIs) -> None:
    """Add the programme KPIs, maturity, selection and scenarios (``prog:*``)."""
    values: tuple[tuple[str, tuple[str, str], FactValue, FactUnit], ...] = (
        ("accounts", ("Accounts in the portfolio", "Comptes du portefeuille"),
         kpis.accounts, "count"),
        ("key_accounts", ("Key accounts", "Comptes clés"), kpis.key_accounts, "count"),
        ("key_revenue_share", ("Key accounts' share of revenue",
                               "Part du chiffre d'affaires des comptes clés"),
         kpis.key_revenue_share, "ratio"),
        ("key_growth", ("Revenue growth of key accounts",
                        "Croissance du chiffre d'affaires des comptes clés"),
         kpis.key_growth, "ratio"),
        ("rest_growth", ("Revenue growth of other accounts",
                         "Croissance du chiffre d'affaires des autres comptes"),
         kpis.rest_growth, "ratio"),
        ("growth_gap", ("Growth gap, key accounts against the rest",
                        "Écart de croissance entre comptes clés et autres comptes"),
         kpis.growth_gap, "points"),
        ("share_validated_plan", ("Key accounts with a validated plan",
                                  "Comptes clés dotés d'un plan validé"),
         kpis.share_validated_plan, "ratio"),
        ("share_with_sponsor", ("Key accounts with an executive sponsor",
                                "Comptes clés dotés d'un sponsor"),
         kpis.share_with_sponsor, "ratio"),
        ("share_full_coverage", ("Key accounts with a fully covered buying centre",
                                 "Comptes clés au centre d'achat entièrement couvert"),
         kpis.share_full_coverage, "ratio"),
        ("ramp_up_median_days", ("Median time from selection to validated plan",
                                 "Délai médian entre sélection et plan validé"),
         kpis.ramp_up_median_days, "days"),
        ("kam_mean_load", ("Key accounts per KAM, mean", "Comptes clés par KAM, moyenne"),
         kpis.kam_load.mean_load, "number"),
        ("kam_max_load", ("Key accounts per KAM, maximum", "Comptes clés par KAM, maximum"),
         kpis.kam_load.max_load, "count"),
        ("accounts_per_kam", ("Planned key accounts per KAM", "Comptes clés prévus par KAM"),
         kpis.kam_load.accounts_per_kam, "count"),
        ("unassigned_key_accounts", ("Key accounts without a KAM", "Comptes clés sans KAM"),
         kpis.kam_load.unassigned_key_accounts, "count"),
    )
    for key, label, value, unit in values:
        book.value(f"prog:kpi:{key}", label, value, unit)
    overloaded = kpis.kam_load.overloaded
    book.text("prog:kpi:kams_overloaded", "Overloaded KAMs", len(overloaded),
              f"KAMs above the planned load ({len(overloaded)}): "
              + (", ".join(overloaded) or "none") + ".",
              f"KAM au-delà de la charge prévue ({len(overloaded)}) : "
              + (", ".join(overloaded) or "aucun") + ".", unit="count")
    bb = kpis.building_blocks
    blocks: tuple[tuple[str, tuple[str, str], FactValue, FactUnit], ...] = (
        ("initiatives_total", ("Strategic initiatives recorded",
                               "Initiatives stratégiques enregistrées"),
         bb.initiatives_total, "count"),
        ("initiatives_validated", ("Strategic initiatives validated",
                                   "Initiatives stratégiques validées"),
         bb.initiatives_validated, "count"),
        ("initiatives_validated_share", ("Share of initiatives validated",
                                         "Part des initiatives validées"),
         bb.initiatives_validated_share, "ratio"),
        ("resources_commitment_ratio", ("Resources committed against requested",
                                        "Ressources engagées rapportées aux demandes"),
         bb.resources_commitment_ratio, "ratio"),
        ("kam_staffing_share", ("Key accounts staffed with a KAM",
                                "Comptes clés pourvus d'un KAM"),
         bb.kam_staffing_share, "ratio"),
        ("escalations_within_target_share", ("Escalations resolved within target",
                                             "Escalades résolues dans le délai cible"),
         bb.escalations_within_target_share, "ratio"),
        ("open_escalations", ("Open escalations on key accounts",
                              "Escalades ouvertes sur les comptes clés"),
         bb.open_escalations, "count"),
        ("overdue_escalations", ("Overdue escalations on key accounts",
                                 "Escalades en retard sur les comptes clés"),
         bb.overdue_escalations, "count"),
        ("sponsor_meetings_ratio", ("Planned sponsor meetings held",
                                    "Rencontres de sponsor prévues et tenues"),
         bb.sponsor_meetings_ratio, "ratio"),
    )
    for key, label, value, unit in blocks:
        book.value(f"prog:kpi:{key}", label, value, unit)
    for tier, sat in sorted(bb.satisfaction_by_tier.items()):
        book.value(f"prog:kpi:satisfaction_{tier}",
                   (f"Mean satisfaction of {tier.title()} accounts",
                    f"Satisfaction moyenne des comptes {tier.title()}"), sat, "number")
    m = kpis.maturity
    phase_fr = PHASE_NAMES_FR.get(m.phase.value, m.phase_name)
    book.text("prog:maturity:phase", "Maturity phase", m.phase.value,
              f"The programme is in maturity phase {m.phase.value} ({m.phase_name}).",
              f"Le programme est en phase de maturité {m.phase.value} ({phase_fr}).")
    for c in m.criteria:
        state_en = "met" if c.met else "not met"
        state_fr = "atteint" if c.met else "non atteint"
        ratio = c.threshold < 1 or c.key in _RATIO_CRITERIA
        shown: FactUnit = "ratio" if ratio else "number"
        value_en, value_fr = fmt_value(c.value, shown, "en"), fmt_value(c.value, shown, "fr")
        thr_en, thr_fr = fmt_value(c.threshold, shown, "en"), fmt_value(c.threshold, shown, "fr")
        desc_fr = _MATURITY_FR.get(c.key, c.description).format(
            p=fmt_value(c.threshold * 100, "number", "fr"),
            t=fmt_value(c.threshold, "number", "fr"))
        book.text(f"prog:maturity:{c.phase.value}:{c.key}", c.description, c.met,
                  f"Phase {c.phase.value} criterion «{c.description}»: {value_en} for a "
                  f"threshold of {thr_en}, {state_en}.",
                  f"Critère de la phase {c.phase.value} « {desc_fr} » : {value_fr} pour un "
                  f"seuil de {thr_fr}, {state_fr}.", unit="flag")
    sel = analysis.selection_result
    book.value("prog:selection:capacity", ("Key-account capacity", "Capacité en comptes clés"),
               sel.capacity, "count")
    book.value("prog:selection:proposed", ("Accounts proposed by the selection",
                                           "Comptes proposés par la sélection"),
               len(sel.selected), "count")
    current = set(analysis.portfolio.accounts.external_ids[i]
                  for i in range(len(analysis.portfolio.accounts))
                  if analysis.portfolio.accounts.is_key_account[i])
    proposed = [s.external_id for s in sel.selected]
    entering = [x for x in proposed if x not in current]
    leaving = sorted(current - set(proposed))
    names = dict(zip(analysis.portfolio.accounts.external_ids,
                     analysis.portfolio.accounts.names, strict=True))
    book.text("prog:selection:entering", "Accounts entering", len(entering),
              f"Accounts the selection proposes that are not key accounts yet ({len(entering)}): "
              + (", ".join(names[x] for x in entering) or "none") + ".",
              "Comptes proposés par la sélection qui ne sont pas encore comptes clés "
              f"({len(entering)}) : " + (", ".join(names[x] for x in entering) or "aucun") + ".",
              unit="count")
    book.text("prog:selection:leaving", "Accounts leaving", len(leaving),
              f"Key accounts the selection no longer proposes ({len(leaving)}): "
              + (", ".join(names[x] for x in leaving) or "none") + ".",
              f"Comptes clés que la sélection ne propose plus ({len(leaving)}) : "
              + (", ".join(names[x] for x in leaving) or "aucun") + ".", unit="count")
    scen = analysis.programme_scenarios()
    for s in scen.scenarios:
        fr_name = {"base": "central", "upside": "haut", "downside": "bas"}[s.name]
        book.value(f"prog:scenario:{s.name}:total",
                   (f"{s.name.title()} scenario for the key accounts, three-year revenue",
                    f"Scénario {fr_name} des comptes clés, chiffre d'affaires cumulé sur trois "
                    "ans"), s.total, "money")
    book.value("prog:scenario:revenue_ttm", ("Key accounts' revenue over the last twelve "
                                             "months",
                                             "Chiffre d'affaires des comptes clés sur douze "
                                             "mois"), scen.revenue_ttm, "money")


# --- passages -------------------------------------------------------------------------


def note_flags(activity: Activity, records: AccountRecords) -> tuple[str, ...]:
    """Return the injection markers of a note: stored at import, or found now."""
    stored = records.flags.get(activity.external_id, ())
    found = _scan(activity.subject, activity.text)
    return tuple(dict.fromkeys((*stored, *found)))


@lru_cache(maxsize=16384)
def _scan(subject: str | None, text: str | None) -> tuple[str, ...]:
    from kambot.store.importers.untrusted import scan_text

    return scan_text(subject, text).flags


def note_passages(records: AccountRecords, *, limit: int = NOTE_LIMIT,
                  max_chars: int = NOTE_MAX_CHARS) -> list[Passage]:
    """Return the account's most recent notes as untrusted passages (``note:<id>``).

    Hidden characters are removed and markers recorded; the text itself is kept as
    data, never rewritten into instructions. Open escalations are always included.
    """
    from kambot.retrieval.injection import strip_hidden

    with_text = [a for a in records.activities if a.text and a.text.strip()]
    recent = sorted(with_text, key=lambda a: (a.occurred_on, a.external_id), reverse=True)
    chosen = recent[:limit]
    chosen += [a for a in recent[limit:] if a.kind.value == "escalation" and a.resolved_on is None]
    out: list[Passage] = []
    for a in chosen:
        text = strip_hidden(a.text or "").strip()
        if len(text) > max_chars:
            text = text[: max_chars - 1].rsplit(" ", 1)[0] + "…"
        subject = strip_hidden(a.subject or "").strip() or humanise(a.kind.value)
        out.append(Passage(
            id=f"note:{a.external_id}", text=text, title=subject, kind="account_note",
            language="fr" if _looks_french(text) else "en", untrusted=True,
            flags=note_flags(a, records), occurred_on=a.occurred_on,
        ))
    return out


def _looks_french(text: str) -> bool:
    words = set(re.findall(r"[a-zàâçéèêëîïôûùüÿœ']+", text.casefold()))
    fr = len(words & {"le", "la", "les", "des", "et", "une", "avec", "pour", "sur", "est"})
    en = len(words & {"the", "and", "with", "for", "on", "is", "a", "to", "of", "we"})
    return fr > en


@dataclass(frozen=True)
class _MethodIndex:
    by_ref: dict[tuple[str, str], Passage]


@lru_cache(maxsize=4)
def _method_index(knowledge_dir: str, stamp: float) -> _MethodIndex:
    from kambot.retrieval.sources import methodology_chunks

    by_ref: dict[tuple[str, str], Passage] = {}
    position: dict[tuple[str, str], int] = {}
    for chunk in methodology_chunks(Path(knowledge_dir)):
        if chunk.part != 1:
            continue
        key = (chunk.language, chunk.doc_id)
        position[key] = position.get(key, 0) + 1
        ref = f"{chunk.doc_id}:{position[key]}"
        by_ref[(chunk.language, ref)] = Passage(
            id=chunk.id, text=chunk.text, title=f"{chunk.title} — {chunk.section}",
            kind="methodology", language=chunk.language, ref=ref,
        )
    return _MethodIndex(by_ref)


def methodology_passages(knowledge_dir: Path, lang: Lang, refs: Iterable[str]) -> list[Passage]:
    """Return the methodology passages named by ``<doc id>:<section number>`` refs.

    Refs absent from the corpus are skipped (a corpus without that document drafts
    without its passage). The corpus is read once per process and re-read when a
    file of the methodology folder changes.
    """
    folder = knowledge_dir / "methodology"
    stamp = max((p.stat().st_mtime for p in folder.rglob("*.md")), default=0.0)
    index = _method_index(str(knowledge_dir), stamp)
    out: list[Passage] = []
    for ref in dict.fromkeys(refs):
        passage = index.by_ref.get((lang, ref))
        if passage is not None:
            out.append(passage)
    return out
