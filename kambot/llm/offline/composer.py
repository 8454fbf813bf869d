"""Helpers the offline templates share: read facts, phrase them, cite them.

A :class:`Composer` wraps one request's facts and passages. Every statement it builds
cites the facts whose values it shows, so the grounding guard passes by construction;
statements built from untrusted notes are checked with the guard before use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kambot.domain.documents import Fact, FactValue, Lang, Passage, Statement
from kambot.llm.formatting import fmt_value
from kambot.llm.guard import GuardContext, is_commitment

_SENTENCE_END = (". ", "? ", "! ")


def first_sentences(text: str) -> list[str]:
    """Split a passage into sentences (simple rules, enough for methodology prose)."""
    out: list[str] = []
    current = ""
    for piece in text.replace("\n", " ").split(" "):
        current = f"{current} {piece}".strip()
        if current.endswith((".", "?", "!")) and len(current) > 40:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


class Composer:
    """Read one request's facts and passages and build cited statements."""

    def __init__(self, facts: Sequence[Fact], passages: Sequence[Passage], lang: Lang,
                 account: str | None = None, *, names: Sequence[str] = (),
                 terms: Sequence[str] = ()) -> None:
        """Index the inputs of one document."""
        self.lang: Lang = lang
        self.account = account
        self.facts = {f.id: f for f in facts}
        self.by_ref = {p.ref: p for p in passages if p.ref}
        self.notes = [p for p in passages if p.untrusted]
        currency = self.facts.get("prog:currency")
        self.currency = str(currency.value) if currency and currency.value else "EUR"
        self._guard: GuardContext | None = None
        self._all_facts = facts
        self._passages = passages
        self._names = names
        self._terms = terms

    # -- reading -----------------------------------------------------------------------

    def acct(self, suffix: str, account: str | None = None) -> str:
        """Return the id of an account fact (``acct:<account>/<suffix>``)."""
        return f"acct:{account or self.account}/{suffix}"

    def has(self, fact_id: str) -> bool:
        """Tell whether the fact exists and has a value."""
        f = self.facts.get(fact_id)
        return f is not None and f.value is not None

    def v(self, fact_id: str) -> FactValue:
        """Return a fact's raw value (None when absent)."""
        f = self.facts.get(fact_id)
        return None if f is None else f.value

    def num(self, fact_id: str) -> float | None:
        """Return a fact's value as a number (None when absent or not numeric)."""
        value = self.v(fact_id)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value)

    def f(self, fact_id: str) -> str:
        """Return a fact's value formatted for its unit in the document's language."""
        fact = self.facts[fact_id]
        return fmt_value(fact.value, fact.unit, self.lang, self.currency)

    def text(self, fact_id: str) -> str:
        """Return a fact's own sentence in the document's language."""
        return self.facts[fact_id].text(self.lang)

    def clause(self, fact_id: str) -> str:
        """Return a fact's sentence without its final full stop."""
        return self.text(fact_id).rstrip(". ")

    def ids(self, prefix: str, *, suffix: str | None = None) -> list[str]:
        """Return the ids of facts starting with ``prefix`` (and ending with ``suffix``)."""
        return [i for i in self.facts if i.startswith(prefix) and
                (suffix is None or i.endswith(suffix))]

    def person(self, key: str | None) -> str | None:
        """Return a person's name by key (from the ``person:<key>`` fact)."""
        if not key:
            return None
        f = self.facts.get(f"person:{key}")
        return str(f.value) if f is not None else None

    # -- writing -----------------------------------------------------------------------

    def pick(self, en: str, fr: str) -> str:
        """Return the text of the document's language."""
        return fr if self.lang == "fr" else en

    def say(self, en: str, fr: str, *cite: str | None) -> Statement:
        """Return a statement citing the given ids that exist among the inputs."""
        known = [c for c in dict.fromkeys(cite) if c and (c in self.facts or
                                                        self._passage_id(c) is not None)]
        return Statement(text=self.pick(en, fr), citations=[self._passage_id(c) or c
                                                              for c in known])

    def fact(self, fact_id: str, *also: str | None) -> Statement:
        """Return a statement made of a fact's own sentence."""
        return Statement(text=self.text(fact_id), citations=self._cite(fact_id, *also))

    def _cite(self, *ids: str | None) -> list[str]:
        out = []
        for c in dict.fromkeys(ids):
            if not c:
                continue
            if c in self.facts:
                out.append(c)
            elif (pid := self._passage_id(c)) is not None:
                out.append(pid)
        return out

    def _passage_id(self, ref_or_id: str) -> str | None:
        """Return the passage id of a ``<doc>:<n>`` ref, or the id itself if it is one."""
        p = self.by_ref.get(ref_or_id)
        if p is not None:
            return p.id
        if any(x.id == ref_or_id for x in self._passages):
            return ref_or_id
        return None

    def p(self, ref: str) -> str | None:
        """Return the passage id of a methodology ref (None when not supplied)."""
        passage = self.by_ref.get(ref)
        return passage.id if passage else None

    def method(self, ref: str) -> Statement | None:
        """Return the first sentence of a methodology passage that promises nothing."""
        passage = self.by_ref.get(ref)
        if passage is None:
            return None
        for sentence in first_sentences(passage.text)[:3]:
            if not is_commitment(sentence) and not sentence.endswith(":"):
                return Statement(text=sentence, citations=[passage.id])
        return None

    def guard(self) -> GuardContext:
        """Return a guard on this request's inputs (to vet sentences taken from notes)."""
        if self._guard is None:
            names = [str(f.value) for f in self._all_facts
                     if isinstance(f.value, str) and (f.id.startswith("person:") or
                                                      "/contact:" in f.id or
                                                      f.id.endswith("/name"))]
            self._guard = GuardContext.build(self._all_facts, self._passages,
                                             names=[*names, *self._names], terms=self._terms)
        return self._guard

    def safe(self, statement: Statement) -> bool:
        """Tell whether a statement passes the grounding guard."""
        return not self.guard().check_statement(statement, "check", 0)


def compact(statements: Iterable[Statement | None]) -> list[Statement]:
    """Drop the absent statements of a list."""
    return [s for s in statements if s is not None]
