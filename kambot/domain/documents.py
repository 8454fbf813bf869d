"""Generated documents: facts and passages in, cited statements out.

A document is a list of sections made of statements; every statement cites the data
facts (``acct:C10175/kpi:share_of_wallet``) and methodology passages
(``en/segmentation#less-is-more``) it rests on. The models here are shared by the
model seam (``kambot.llm``), the drafting use cases (``kambot.assistant.drafting``),
the store and the exporters, so that every writer returns the same shapes.

Also here: the result of the sponsorship assignment (``kambot.core.sponsorship``),
which the sponsorship plan documents.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Lang = Literal["fr", "en"]
DocumentKind = Literal[
    "account_strategy", "executive_summary", "sponsorship_plan", "ceb", "programme_review"
]
ACCOUNT_KINDS: tuple[DocumentKind, ...] = ("account_strategy", "executive_summary", "ceb")
PROGRAMME_KINDS: tuple[DocumentKind, ...] = ("sponsorship_plan", "programme_review")
DOCUMENT_KINDS: tuple[DocumentKind, ...] = (*ACCOUNT_KINDS, *PROGRAMME_KINDS)

FactUnit = Literal[
    "money",  # in the programme currency
    "ratio",  # 0..1, shown as a percentage
    "percent",  # already in percent (margin_pct)
    "points",  # difference of two ratios, shown in percentage points
    "count",
    "days",
    "date",  # ISO date string
    "score",  # 0..1 matrix score
    "number",  # any other plain number
    "text",
    "flag",
]
FactValue = bool | int | float | str | None
PassageKind = Literal["methodology", "account_note", "account_document"]

SCHEMA_VERSION = 1


def _digest(payload: object) -> str:
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- inputs ---------------------------------------------------------------------------


class Fact(_Frozen):
    """One figure or attribute computed by kambot, with its French and English phrasing.

    Attributes:
        id: stable id cited by statements, e.g. ``acct:C10175/kpi:share_of_wallet``.
        label: short English label (``Share of wallet``).
        value: the raw value (None when undefined for lack of data).
        unit: how the value reads (money, ratio, date...).
        text_fr: one French sentence or phrase stating the fact, figures formatted.
        text_en: the same in English.
    """

    id: str = Field(min_length=1)
    label: str
    value: FactValue
    unit: FactUnit = "text"
    text_fr: str
    text_en: str

    def text(self, lang: Lang) -> str:
        """Return the phrasing of the fact in ``lang``."""
        return self.text_fr if lang == "fr" else self.text_en

    @cached_property
    def _digest(self) -> str:
        return _digest([self.id, self.value, self.unit, self.text_fr, self.text_en])

    def digest(self) -> str:
        """Return a short hash of everything a document built on this fact depends on."""
        return self._digest

    def display(self) -> str:
        """Return the value as a short string (for staleness listings)."""
        if self.value is None:
            return "-"
        if isinstance(self.value, float):
            return f"{self.value:.6g}"
        return str(self.value)


class Passage(_Frozen):
    """A passage a document may cite: methodology (trusted) or account text (untrusted).

    Attributes:
        id: the chunk id (``en/segmentation#less-is-more``) or ``note:<activity id>``.
        text: the passage; for untrusted passages, hidden characters already removed.
        title: document title or note subject.
        kind: methodology, account_note or account_document.
        language: fr or en.
        ref: for methodology, ``<doc id>:<section number>``, the same in every language.
        untrusted: True for anything a customer, a colleague or a file wrote.
        flags: injection markers found in the original text.
        occurred_on: date of a note.
    """

    id: str = Field(min_length=1)
    text: str
    title: str = ""
    kind: PassageKind = "methodology"
    language: str = "en"
    ref: str | None = None
    untrusted: bool = False
    flags: tuple[str, ...] = ()
    occurred_on: date | None = None

    @cached_property
    def _digest(self) -> str:
        return _digest([self.id, self.text, self.title, list(self.flags)])

    def digest(self) -> str:
        """Return a short hash of the passage's content."""
        return self._digest


# --- outline --------------------------------------------------------------------------


class SectionSpec(_Frozen):
    """A section every document of a kind has, with its titles."""

    key: str
    title_en: str
    title_fr: str

    def title(self, lang: Lang) -> str:
        """Return the section title in ``lang``."""
        return self.title_fr if lang == "fr" else self.title_en


def _spec(key: str, en: str, fr: str) -> SectionSpec:
    return SectionSpec(key=key, title_en=en, title_fr=fr)


OUTLINES: dict[DocumentKind, tuple[SectionSpec, ...]] = {
    "account_strategy": (
        _spec("situation", "Account situation", "Situation du compte"),
        _spec("initiatives", "Strategic initiatives", "Initiatives stratégiques"),
        _spec("alignment", "Internal alignment", "Alignement interne"),
        _spec("account_team", "Account team", "Équipe de compte"),
        _spec("kpis_scenarios", "KPIs and three-year scenarios",
              "Indicateurs et scénarios à trois ans"),
        _spec("ownership", "Customer ownership", "Prise en charge du client"),
        _spec("executive_actions", "Executive actions", "Actions des dirigeants"),
    ),
    "executive_summary": (
        _spec("why_it_matters", "Why this account matters", "Pourquoi ce compte compte"),
        _spec("figures", "Key figures", "Chiffres clés"),
        _spec("asks", "What we ask of our executives", "Ce que nous demandons aux dirigeants"),
    ),
    "sponsorship_plan": (
        _spec("principles", "How sponsors are assigned", "Règles d'affectation des sponsors"),
        _spec("assignments", "Sponsor per key account", "Sponsor par compte clé"),
        _spec("loads", "Load per executive", "Charge par dirigeant"),
        _spec("cadence", "Meeting cadence by tier", "Rythme des rencontres par niveau"),
        _spec("gaps", "Coverage gaps", "Lacunes de couverture"),
    ),
    "ceb": (
        _spec("context", "Customer context and priorities", "Contexte et priorités du client"),
        _spec("history", "Relationship history", "Historique de la relation"),
        _spec("delivered", "What we delivered", "Ce que nous avons réalisé"),
        _spec("value_proposition", "Our value proposition", "Notre proposition de valeur"),
        _spec("objectives", "Meeting objectives and asks", "Objectifs et demandes de la rencontre"),
        _spec("talking_points", "Talking points", "Points à aborder"),
        _spec("risks", "Risks and sensitivities", "Risques et points sensibles"),
        _spec("attendees", "Attendees", "Participants"),
    ),
    "programme_review": (
        _spec("kpis", "Programme KPIs", "Indicateurs du programme"),
        _spec("maturity", "Programme maturity", "Maturité du programme"),
        _spec("selection", "Key-account selection", "Sélection des comptes clés"),
        _spec("sponsorship", "Sponsorship status", "Situation du sponsorship"),
        _spec("risks", "Risks", "Risques"),
        _spec("decisions", "Decisions to validate", "Décisions à valider"),
    ),
}

# Methodology behind each section: ``<doc id>:<section number>`` in knowledge/methodology
# (the same in French and English, whose documents have parallel sections).
METHOD_REFS: dict[DocumentKind, dict[str, tuple[str, ...]]] = {
    "account_strategy": {
        "situation": ("account-strategy:2", "account-strategy:4", "portfolio-matrix:5",
                      "relationship-stages:7"),
        "initiatives": ("account-strategy:6", "account-strategy:7"),
        "alignment": ("internal-alignment:2",),
        "account_team": ("account-team:1", "account-team:5"),
        "kpis_scenarios": ("tools-data-kpis:5", "kpis-per-block:3"),
        "ownership": ("customer-ownership:5", "customer-ownership:3"),
        "executive_actions": ("executive-action:4", "executive-sponsorship:4",
                              "executive-action:5"),
    },
    "executive_summary": {
        "why_it_matters": ("executive-summary-guide:3",),
        "figures": ("executive-summary-guide:4",),
        "asks": ("executive-summary-guide:5",),
    },
    "sponsorship_plan": {
        "principles": ("executive-sponsorship:3",),
        "assignments": ("executive-sponsorship:3",),
        "loads": ("executive-sponsorship:4",),
        "cadence": ("executive-sponsorship:4",),
        "gaps": ("executive-sponsorship:6",),
    },
    "ceb": {
        "context": ("guide-ceb:3",),
        "history": ("relationship-stages:7",),
        "delivered": ("guide-ceb:5",),
        "value_proposition": ("guide-ceb:4",),
        "objectives": ("guide-ceb:6",),
        "talking_points": ("guide-ceb:2",),
        "risks": ("guide-ceb:7",),
        "attendees": ("guide-sponsor-meeting:7",),
    },
    "programme_review": {
        "kpis": ("kpis-per-block:2",),
        "maturity": ("kpis-per-block:7",),
        "selection": ("segmentation:4",),
        "sponsorship": ("executive-sponsorship:6",),
        "risks": ("after-launch:7",),
        "decisions": ("executive-interviews:6",),
    },
}

KIND_TITLES: dict[DocumentKind, tuple[str, str]] = {
    "account_strategy": ("Account strategy", "Stratégie de compte"),
    "executive_summary": ("Executive summary", "Synthèse exécutive"),
    "sponsorship_plan": ("Sponsorship plan", "Plan de sponsorship"),
    "ceb": ("Customer Executive Brief", "Customer Executive Brief"),
    "programme_review": ("Programme review pack", "Dossier de revue du programme"),
}


def outline(kind: DocumentKind) -> tuple[SectionSpec, ...]:
    """Return the sections of a document kind, in order."""
    return OUTLINES[kind]


def document_title(kind: DocumentKind, lang: Lang, subject: str | None = None) -> str:
    """Return the title of a document: kind, then the account or programme name."""
    en, fr = KIND_TITLES[kind]
    base = fr if lang == "fr" else en
    return f"{base} — {subject}" if subject else base


# --- drafts ---------------------------------------------------------------------------


class Statement(_Model):
    """One sentence of a document and the sources it rests on."""

    text: str = Field(min_length=1)
    citations: list[str] = Field(default_factory=list)


class Section(_Model):
    """A titled list of statements."""

    key: str
    title: str
    statements: list[Statement] = Field(default_factory=list)


class DocumentDraft(_Model):
    """What a writer returns: sections in outline order (titles from the outline)."""

    title: str
    sections: list[Section]

    def section(self, key: str) -> Section | None:
        """Return the section with this key, if any."""
        return next((s for s in self.sections if s.key == key), None)


# --- grounding guard ------------------------------------------------------------------

IssueCode = Literal[
    "missing_citation",  # a statement cites nothing
    "unknown_citation",  # cites an id that was not supplied
    "figure_mismatch",  # a number matches none of the cited facts
    "unknown_name",  # names a person or organisation absent from the data
    "uncited_commitment",  # promises something without citing a recorded initiative
    "missing_section",  # a section of the outline is absent or empty
    "unknown_section",  # a section that is not in the outline
]


class GuardIssue(_Model):
    """One reason a statement or section fails the grounding guard."""

    code: IssueCode
    section: str
    statement: int | None = Field(default=None, description="index in the section")
    message: str
    text: str = ""


class GuardVerdict(_Model):
    """The grounding guard's verdict on a final document, with the repair history.

    ``issues`` are those left in the final document (none when ``passed``);
    ``first_issues`` those of the writer's first draft; ``retried`` says whether the
    writer was asked again with the errors; ``repaired_sections`` lists sections whose
    statements were replaced by the offline writer's.
    """

    passed: bool
    statements: int = 0
    cited_statements: int = 0
    issues: list[GuardIssue] = Field(default_factory=list)
    first_issues: list[GuardIssue] = Field(default_factory=list)
    retried: bool = False
    repaired_sections: list[str] = Field(default_factory=list)

    @property
    def citation_coverage(self) -> float:
        """Return the share of statements citing at least one source."""
        return 1.0 if self.statements == 0 else self.cited_statements / self.statements


# --- documents ------------------------------------------------------------------------


class SourceRef(_Model):
    """A cited source as the exports show it (so a document renders on its own)."""

    id: str
    kind: Literal["fact", "passage"]
    label: str
    detail: str = ""
    untrusted: bool = False


class InputStamp(_Model):
    """What a document knew of one input: its digest and, for facts, its value."""

    digest: str
    value: str | None = None
    cited: bool = False


class Document(_Model):
    """A drafted, guarded, versioned document."""

    schema_version: int = SCHEMA_VERSION
    kind: DocumentKind
    account_external_id: str | None = None
    account_name: str | None = None
    language: Lang
    version: int = Field(default=1, ge=1)
    parent_version: int | None = None
    title: str
    sections: list[Section]
    sources: list[SourceRef] = Field(default_factory=list)
    input_fingerprint: str
    inputs: dict[str, InputStamp] = Field(default_factory=dict)
    as_of: date
    created_at: datetime
    writer: str
    fallback_used: bool = False
    fallback_reason: str | None = None
    guard: GuardVerdict
    instructions: str | None = None
    revised_sections: list[str] = Field(default_factory=list)
    prompt_version: str | None = None
    options: dict[str, str] = Field(default_factory=dict)

    @property
    def key(self) -> str:
        """Return the identity shared by every version: kind, subject and language."""
        return document_key(self.kind, self.account_external_id, self.language, self.options)

    def section(self, key: str) -> Section | None:
        """Return the section with this key, if any."""
        return next((s for s in self.sections if s.key == key), None)

    def statements(self) -> list[Statement]:
        """Return every statement, in document order."""
        return [st for s in self.sections for st in s.statements]


def document_key(kind: DocumentKind, account: str | None, language: Lang,
                 options: dict[str, str] | None = None) -> str:
    """Return the key of a document's version line (``ceb/C10175/en/reader=hvauclair``)."""
    parts = [kind, account or "programme", language]
    parts += [f"{k}={v}" for k, v in sorted((options or {}).items())]
    return "/".join(parts)


def fingerprint_inputs(facts: list[Fact], passages: list[Passage]) -> str:
    """Return the fingerprint of a set of inputs, independent of their order."""
    items = sorted([(f.id, f.digest()) for f in facts] + [(p.id, p.digest()) for p in passages])
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()


class InputChange(_Model):
    """A fact or passage that differs between a document and the current data."""

    id: str
    change: Literal["changed", "added", "removed"]
    before: str | None = None
    after: str | None = None
    cited: bool = False


class Staleness(_Model):
    """Whether a document still matches the data it was drafted from."""

    stale: bool
    changes: list[InputChange] = Field(default_factory=list)

    @property
    def cited_changes(self) -> list[InputChange]:
        """Return the changes to inputs the document actually cites."""
        return [c for c in self.changes if c.cited]


class SectionDiff(_Model):
    """Statements added and removed in one section between two versions."""

    key: str
    title: str
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: int = 0


class VersionDiff(_Model):
    """What changed between two versions of a document."""

    key: str
    from_version: int
    to_version: int
    sections: list[SectionDiff]

    @property
    def changed(self) -> bool:
        """Tell whether any statement differs."""
        return any(s.added or s.removed for s in self.sections)


# --- sponsorship ----------------------------------------------------------------------

SponsorReasonCode = Literal[
    "kept_existing",  # the current sponsor is an executive with capacity left
    "industry_affinity",  # the account's industry is one of the executive's
    "segment_affinity",  # another industry of the account's segment is one of theirs
    "relationship",  # the executive already met this customer (recorded meetings)
    "volunteered",  # the executive offered to sponsor it in an alignment interview
    "lowest_load",  # chosen among equals for having the lightest load
    "existing_over_capacity",  # the current sponsor had no capacity left: reassigned
    "existing_not_executive",  # the current sponsor is not an executive: reassigned
    "no_capacity",  # no executive had capacity left: coverage gap
]


class SponsorReason(_Frozen):
    """One element of the explanation of an assignment."""

    code: SponsorReasonCode
    person: str | None = None
    value: int | None = None


class SponsorAssignment(_Model):
    """The sponsor given to one key account, and why."""

    external_id: str
    name: str
    tier: str
    industry: str | None
    previous_sponsor: str | None
    sponsor: str | None
    kept: bool
    changed: bool
    score: int
    meetings_per_year: int
    reasons: list[SponsorReason]


class SponsorLoad(_Model):
    """Accounts given to one executive against their limit."""

    person: str
    name: str
    accounts: list[str]
    capacity: int
    load: int


class SponsorshipPlan(_Model):
    """The deterministic assignment of executives to key accounts."""

    assignments: list[SponsorAssignment]
    loads: list[SponsorLoad]
    unassigned: list[str]
    total_capacity: int
    meetings_per_year: dict[str, int]

    def assignment(self, external_id: str) -> SponsorAssignment | None:
        """Return the assignment of one account, if it is a key account of the plan."""
        return next((a for a in self.assignments if a.external_id == external_id), None)
