"""The grounding guard: reject statements that cite, state, name or promise beyond the data.

Checks on every statement of a draft (pure logic, no I/O):

1. **Citations exist**: it cites at least one id, and every id is among the facts and
   passages supplied to the writer (``missing_citation``, ``unknown_citation``).
2. **Figures match**: every number in the text equals, after format normalisation
   (:mod:`kambot.llm.figures`), the value of a fact it cites, a number written in a
   cited fact's text, or a number in a cited *methodology* passage; every date equals a
   cited date. Numbers in untrusted passages (notes) never justify a figure
   (``figure_mismatch``).
3. **Names exist**: a run of capitalised words that is not a known name (people of the
   programme, customer contacts, accounts, initiatives...) and is not a generic phrase
   (every word known from the methodology or the facts) is refused, as is a name after
   an honorific (``Mr``, ``Mme``...) or before a legal form (``SA``, ``GmbH``...)
   that is not in the data (``unknown_name``).
4. **Commitments come from initiatives**: a promise to the customer ("we will",
   "nous nous engageons", "by <date>", "guaranteed"...) must cite a recorded
   initiative that is not dropped (``uncited_commitment``).

The draft-level check adds missing and unknown sections (``missing_section``,
``unknown_section``).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from kambot.domain.documents import (
    DocumentDraft,
    Fact,
    GuardIssue,
    IssueCode,
    Passage,
    SectionSpec,
    Statement,
)
from kambot.llm.figures import find_dates, find_figures, numbers_in

INITIATIVE_ID = re.compile(r"^(acct:[^/]+/initiative:[^/]+)")

_HONORIFICS = frozenset({
    "M.", "Mme", "Mme.", "Mlle", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Dr", "Dr.", "Pr",
    "Pr.", "Prof", "Prof.", "Madame", "Monsieur", "Herr", "Frau",
})
_LEGAL_FORMS = frozenset({
    "sa", "sas", "sasu", "sarl", "sca", "gmbh", "ag", "kg", "se", "spa", "s.p.a.", "srl",
    "s.r.l.", "ltd", "ltd.", "plc", "inc", "inc.", "llc", "bv", "b.v.", "nv", "n.v.", "sl",
    "s.l.", "s.a.", "oy", "ab", "as", "a/s", "corp", "corp.",
})
_PARTICLES = frozenset({"de", "du", "des", "von", "van", "der", "den", "da", "di", "del",
                        "della", "le", "la", "y", "&"})
# Sentence starters and function words that are capitalised only by position.
_STOPWORD_TEXT = """
a an the our we us they their this that these those its it his her he she you your
for with from into onto at by in on of to and or but as if so not no nor all any each
every both one two three four five six seven eight nine ten first second third next
last then there here when while where what which who whom why how also only still yet
le la les l un une des du de d notre nos nous votre vos leur leurs ce cet cette ces
son sa ses il elle ils elles on en dans sur pour avec par chez au aux et ou mais donc
ni car si ne pas tout tous toute toutes chaque premier deuxieme troisieme puis ensuite
lors quand alors ici voici voila deux trois quatre cinq six sept huit neuf dix aussi
depuis apres avant selon entre sans sous vers contre
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_STATIC_TERMS = (
    "Key Account Management", "Key Account Manager", "Key Accounts", "Customer Executive "
    "Brief", "Executive Summary", "Executive Business Review", "Quarterly Business Review",
    "Steering Committee", "Executive Committee", "Comité Exécutif", "Comité de Direction",
    "Total Cost of Ownership", "Service Level Agreement", "Research and Development",
    "Gold Silver Bronze", "Chief Executive Officer", "Chief Financial Officer",
    "Chief Operating Officer", "Chief Technology Officer", "Chief Sales Officer",
    "Chief Procurement Officer", "Chief Information Officer", "Chief Human Resources Officer",
    "Head of Procurement", "Head of Engineering", "Head of Operations", "Plant Manager",
    "Purchasing Director", "Directeur Général", "Directrice Générale", "Directeur Financier",
    "Directeur des Achats", "Directeur Industriel", "Vice President", "Vice-President",
    "Woodburn Cranfield", "Year One Year Two Year Three", "Base Upside Downside",
    "January February March April May June July August September October November December",
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday", "Q1 Q2 Q3 Q4",
    "EUR USD GBP CHF", "R&D", "CEO CFO COO CTO CSO CIO CHRO KAM KPI KPIs CEB CRM ERP TTM",
)

_COMMITMENT_PATTERNS = (
    # English: first-person promises and deadlines
    r"\bwe(?:'ll|\s+will|\s+shall|\s+are\s+going\s+to)\b",
    r"\bwe\s+(?:commit|guarantee|promise|undertake|pledge|assure)\w*\b",
    r"\bour\s+(?:commitment|promise|pledge|guarantee)\b",
    r"\b(?:is|are)\s+guaranteed\b",
    r"\bguaranteed\s+(?:by|before|within|savings|delivery|price|discount)\b",
    r"\bno\s+later\s+than\b",
    r"\bby\s+(?:the\s+)?(?:end\s+of\s+|mid[- ]|early\s+|late\s+)?"
    r"(?:q[1-4]\b|h[12]\b|\d{4}\b|\d{1,2}\s+[a-z]+\s+\d{4}|"
    r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december)\b)",
    # French: engagements, first-person futures and deadlines
    r"\bnous\s+nous\s+engageons\b",
    r"\bnous\s+(?:garantissons|promettons|assurons\s+que|allons)\b",
    r"\bnous\s+[a-z]+(?:erons|irons|rons)\b",
    r"\bengagement\s+(?:ferme|contractuel)\b",
    r"\b(?:est|sont)\s+garanti(?:e|es|s)?\b",
    r"\bau\s+plus\s+tard\b",
    r"\bd'ici\s+(?:le\s+|la\s+fin\s+|fin\s+|a\s+la\s+fin\s+)?"
    r"(?:\d|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre"
    r"|decembre|t[1-4]\b|s[12]\b)",
)
_COMMITMENT = re.compile("|".join(f"(?:{p})" for p in _COMMITMENT_PATTERNS), re.IGNORECASE)

_WORD = re.compile(r"[^\W\d_][\w'’.&/-]*", re.UNICODE)


def fold(text: str) -> str:
    """Return text casefolded with accents removed (for name and pattern matching)."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=65536)
def _norm_word(word: str) -> str:
    w = fold(word).replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.strip("'.-/,;:")


def _words(text: str) -> list[str]:
    return list(_text_words(text))


@lru_cache(maxsize=4096)
def _text_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in (_norm_word(m.group(0)) for m in _WORD.finditer(text)) if w)


def _is_cap(word: str) -> bool:
    return bool(word) and word[0].isupper()


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and len(letters) <= 5


@dataclass(frozen=True)
class _Candidate:
    words: tuple[str, ...]  # original spelling
    honorific: bool = False
    legal_form: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)


def _candidates(text: str) -> list[_Candidate]:
    """Find runs of capitalised words that could name a person or an organisation."""
    out: list[_Candidate] = []
    sentences = re.split(r"(?<=[.!?:;])\s+|[\n(\[«»\"“”]", text)
    for sentence in sentences:
        raws: list[str] = []
        breaks: list[bool] = []
        for m in _WORD.finditer(sentence):
            raw = m.group(0).rstrip("'’")
            if not raw.rstrip("."):
                continue
            raws.append(raw)
            # A comma, a colon or a bracket ends a name: "Gold, Quenolac SA" is two things.
            breaks.append(sentence[m.end():].lstrip(" ")[:1] in (",", ";", ":", ")", "/"))
        tokens = [t.rstrip(".") for t in raws]
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            honorific = raws[i] in _HONORIFICS
            if not _is_cap(tok) and not honorific:
                i += 1
                continue
            run = [tok]
            j = i + 1
            while j < len(tokens) and not breaks[j - 1]:
                nxt = tokens[j]
                if raws[j] in _HONORIFICS:
                    break  # "Ask Mme Dupuis": the honorific starts a name of its own
                if _is_cap(nxt):
                    run.append(nxt)
                    j += 1
                elif (fold(nxt) in _PARTICLES and j + 1 < len(tokens) and not breaks[j]
                      and _is_cap(tokens[j + 1])):
                    run += [nxt, tokens[j + 1]]
                    j += 2
                else:
                    break
            i = j
            if honorific:
                names = run[1:]
                if names:
                    out.append(_Candidate(tuple(names), honorific=True))
                continue
            while run and fold(run[0]) in _STOPWORDS:
                run = run[1:]
            legal = bool(run) and fold(run[-1]) in _LEGAL_FORMS
            core = [w for w in run if not _is_acronym(w) or fold(w) in _LEGAL_FORMS]
            if legal and len(run) >= 2:
                out.append(_Candidate(tuple(run), legal_form=True))
            elif len(core) >= 2:
                out.append(_Candidate(tuple(core)))
    return out


@dataclass
class GuardContext:
    """What a draft may rely on: the supplied facts and passages, and known names."""

    facts: dict[str, Fact]
    passages: dict[str, Passage]
    names: list[str] = field(default_factory=list)
    _known_blob: str = ""
    _name_words: frozenset[str] = frozenset()
    _generic_words: frozenset[str] = frozenset()
    _commitment_ids: frozenset[str] = frozenset()
    _fact_numbers: dict[str, list[float]] = field(default_factory=dict)
    _fact_dates: dict[str, list[date]] = field(default_factory=dict)
    _passage_numbers: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        facts: Iterable[Fact],
        passages: Iterable[Passage],
        *,
        names: Iterable[str] = (),
        terms: Iterable[str] = (),
    ) -> GuardContext:
        """Prepare the guard for one set of inputs.

        Args:
            facts: the facts supplied to the writer.
            passages: the passages supplied to the writer.
            names: names of people, contacts and accounts in the data (any language).
            terms: other capitalised phrases that may appear (segment names, titles...).
        """
        fact_map = {f.id: f for f in facts}
        passage_map = {p.id: p for p in passages}
        name_list = sorted({n for n in names if n and n.strip()})
        known: list[str] = list(name_list) + list(terms) + list(_STATIC_TERMS)
        vocabulary: set[str] = set(_STOPWORDS)
        for t in _STATIC_TERMS:
            vocabulary.update(_words(t))
        for p in passage_map.values():
            if not p.untrusted:
                known += [p.title, p.text]
                vocabulary.update(_words(p.text))
                vocabulary.update(_words(p.title))
        name_words = {w for n in name_list for w in _words(n)} - vocabulary
        generic = set(vocabulary)
        for f in fact_map.values():
            for text in (f.text_en, f.text_fr, f.label):
                known.append(text)
                generic.update(_words(text))
            if isinstance(f.value, str):
                known.append(f.value)
        generic -= name_words
        blob = "\n".join(" " + " ".join(_words(k)) + " " for k in known)
        status = {fid.rsplit("/status", 1)[0]: f.value for fid, f in fact_map.items()
                  if INITIATIVE_ID.match(fid) and fid.endswith("/status")}
        commit = {fid for fid in fact_map
                  if (m := INITIATIVE_ID.match(fid)) and status.get(m.group(1)) != "dropped"}
        ctx = cls(facts=fact_map, passages=passage_map, names=name_list)
        ctx._known_blob = blob
        ctx._name_words = frozenset(name_words)
        ctx._generic_words = frozenset(generic)
        ctx._commitment_ids = frozenset(commit)
        return ctx

    # -- references --------------------------------------------------------------------

    def _numbers_of_fact(self, fact_id: str) -> list[float]:
        cached = self._fact_numbers.get(fact_id)
        if cached is None:
            f = self.facts[fact_id]
            cached = []
            if isinstance(f.value, (int, float)) and not isinstance(f.value, bool):
                cached.append(float(f.value))
                if f.unit in ("ratio", "points"):
                    cached.append(float(f.value) * 100.0)
            for text in (f.text_en, f.text_fr):
                cached += numbers_in(text)
            if isinstance(f.value, str):
                cached += numbers_in(f.value)
            self._fact_numbers[fact_id] = cached
        return cached

    def _dates_of_fact(self, fact_id: str) -> list[date]:
        cached = self._fact_dates.get(fact_id)
        if cached is None:
            f = self.facts[fact_id]
            cached = []
            if f.unit == "date" and isinstance(f.value, str):
                with contextlib.suppress(ValueError):
                    cached.append(date.fromisoformat(f.value))
            for text in (f.text_en, f.text_fr):
                for d in find_dates(text)[0]:
                    if d.day is not None:
                        cached.append(date(d.year, d.month, d.day))
            self._fact_dates[fact_id] = cached
        return cached

    def _numbers_of_passage(self, passage_id: str) -> list[float]:
        cached = self._passage_numbers.get(passage_id)
        if cached is None:
            p = self.passages[passage_id]
            cached = [] if p.untrusted else numbers_in(p.text)
            self._passage_numbers[passage_id] = cached
        return cached

    def _date_known(self, mention_year: int, mention_month: int, day: int | None,
                    cited_facts: Sequence[str], cited_passages: Sequence[str]) -> bool:
        for fid in cited_facts:
            for d in self._dates_of_fact(fid):
                if (d.year, d.month) == (mention_year, mention_month) and day in (None, d.day):
                    return True
        for pid in cited_passages:
            p = self.passages[pid]
            if p.untrusted:
                continue
            for m in find_dates(p.text)[0]:
                if (m.year, m.month, m.day) == (mention_year, mention_month, day):
                    return True
        return False

    def _known_run(self, words: Sequence[str]) -> bool:
        return f" {' '.join(words)} " in self._known_blob

    def _name_known(self, cand: _Candidate) -> bool:
        """Tell whether a run of capitalised words names only what the data knows.

        The run is cut into the longest known phrases (names, titles, terms of the
        methodology); what remains are single words. Two unexplained words side by side
        (an unknown word, or a name word outside its known name) make an unknown name:
        "Jean Dupont", or "Marc Vauclair" built from two real people.
        """
        words = [w for w in (_norm_word(x) for x in cand.words) if w]
        if not words:
            return True
        if self._known_run(words):
            return True
        if cand.honorific or cand.legal_form:
            return False
        unexplained_before = False
        i = 0
        while i < len(words):
            j = next((k for k in range(len(words), i + 1, -1) if self._known_run(words[i:k])),
                     None)
            if j is not None:
                unexplained_before = False
                i = j
                continue
            unexplained = words[i] not in self._generic_words
            if unexplained and unexplained_before:
                return False
            unexplained_before = unexplained
            i += 1
        return True

    # -- checks ------------------------------------------------------------------------

    def check_statement(self, statement: Statement, section: str, index: int) -> list[GuardIssue]:
        """Return the issues of one statement (empty when it passes)."""
        issues: list[GuardIssue] = []
        text = statement.text

        def issue(code: IssueCode, message: str) -> None:
            issues.append(GuardIssue(code=code, section=section, statement=index,
                                     message=message, text=text[:300]))

        if not statement.citations:
            issue("missing_citation", "the statement cites no fact and no passage")
        unknown = [c for c in statement.citations if c not in self.facts and c not in self.passages]
        for c in unknown:
            issue("unknown_citation", f"cites {c!r}, which is not among the supplied sources")
        cited_facts = [c for c in statement.citations if c in self.facts]
        cited_passages = [c for c in statement.citations if c in self.passages]

        mentions, rest = find_dates(text)
        for m in mentions:
            if not self._date_known(m.year, m.month, m.day, cited_facts, cited_passages):
                issue("figure_mismatch", f"the date {m.raw!r} is not a date of a cited fact")
        references: list[float] = []
        for fid in cited_facts:
            references += self._numbers_of_fact(fid)
        for pid in cited_passages:
            references += self._numbers_of_passage(pid)
        for fig in find_figures(rest, skip_dates=False):
            if not any(fig.matches(r) for r in references):
                issue("figure_mismatch",
                      f"the figure {fig.raw!r} matches none of the cited facts"
                      + (f" ({', '.join(cited_facts)})" if cited_facts else ""))

        for cand in _candidates(text):
            if not self._name_known(cand):
                issue("unknown_name",
                      f"{cand.text!r} is not a person, contact or account of the data")

        if is_commitment(text) and not any(c in self._commitment_ids
                                                      for c in statement.citations):
            issue("uncited_commitment",
                  "promises something to the customer without citing a recorded initiative")
        return issues

    def check_draft(
        self, draft: DocumentDraft, outline: Sequence[SectionSpec] | None = None
    ) -> list[GuardIssue]:
        """Return every issue of a draft: statements, then missing or unknown sections."""
        issues: list[GuardIssue] = []
        for section in draft.sections:
            for i, st in enumerate(section.statements):
                issues += self.check_statement(st, section.key, i)
        if outline is not None:
            expected = {s.key for s in outline}
            present = {s.key for s in draft.sections if s.statements}
            for spec in outline:
                if spec.key not in present:
                    issues.append(GuardIssue(code="missing_section", section=spec.key,
                                             message=f"the section {spec.key!r} is missing "
                                                     "or empty"))
            for s in draft.sections:
                if s.key not in expected:
                    issues.append(GuardIssue(code="unknown_section", section=s.key,
                                             message=f"{s.key!r} is not a section of this "
                                                     "document"))
        return issues


def is_commitment(text: str) -> bool:
    """Tell whether a text promises something to the customer (see the module doc)."""
    return bool(_COMMITMENT.search(fold(text).replace("’", "'")))
