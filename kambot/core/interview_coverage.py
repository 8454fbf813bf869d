"""Read an interview answer deterministically: length, hedges, figures, names, coverage.

The executive-interview use case (``kambot.assistant.interview``) asks one question at
a time and must decide, without a model, whether an answer is enough or deserves a
follow-up probe. Everything here is pure: the word lists (hedges, periods, theme tags...)
come from the interview guide in ``knowledge/`` and are compiled once into
:class:`TermSet` objects; an answer becomes :class:`AnswerFeatures`; the features of the
answers given on one theme decide which of the theme's *wants* are satisfied.

Wants a theme can declare:

- ``substance``: at least ``min_words`` words over the theme and one answer that is
  neither short nor vague;
- ``figure``: a number, a percentage, an amount or a number word ("a dozen");
- ``name``: a proper name (a customer, a segment, a person), or a known name found in
  the answer by the caller (store accounts);
- ``period``: a time frame ("by 2027", "within two years");
- ``frequency``: a cadence ("every quarter", "une fois par mois");
- ``tags``: one of the theme's tags (a strategic cause, a measure, a resource type...);
- ``stance``: one of the theme's stances (willing, conditional, unwilling...).

Term syntax (after accent folding and lower-casing): a plain term matches whole words
(``share of wallet``), a trailing ``*`` on a word matches any ending of that word
(``innov*``, ``contrat* de service*``), and
``re:<pattern>`` is a raw regular expression.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

WANTS: tuple[str, ...] = ("substance", "figure", "name", "period", "frequency", "tags",
                          "stance")
#: Probe reasons in the order they are tried: a short or vague answer first, then the
#: theme's missing wants in the order the theme lists them.
ANSWER_REASONS: tuple[str, ...] = ("short", "vague")

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*", re.UNICODE)
_DIGIT_FIGURE = re.compile(
    r"(?<![\w])(?:[€$£]\s?)?\d+(?:[.,\u202f\u00a0 ]\d+)*(?:\s?(?:%|k€|m€|€|k|m|bn|md|keur|meur|"
    r"eur|x))?(?![\w])", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def fold(text: str) -> str:
    """Return text lower-cased, with accents removed and apostrophes made straight."""
    lowered = text.translate(_APOSTROPHES).lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return folded.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")


def _term_pattern(term: str) -> str:
    raw = term.strip()
    if raw.startswith("re:"):
        return raw[3:]
    words = fold(raw).split()
    # A trailing * on any word of the term lets that word end in any way.
    parts = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in words]
    pattern = r"\s+".join(parts)
    first, last = words[0], words[-1]
    start = r"(?<![\w])" if first[:1].isalnum() else ""
    end = "" if last.endswith("*") else (r"(?![\w])" if last[-1:].isalnum() else "")
    return start + pattern + end


@dataclass(frozen=True)
class TermSet:
    """Labelled term lists compiled into one pattern per label, in a fixed order.

    Attributes:
        labels: the labels in the order given (it breaks ties: earlier wins).
        patterns: one compiled alternation per label, matched on folded text.
    """

    labels: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def build(cls, terms: Mapping[str, Iterable[str]]) -> TermSet:
        """Compile ``{label: [terms]}``; labels without any term are left out.

        Raises:
            ValueError: a ``re:`` term is not a valid regular expression.
        """
        labels: list[str] = []
        patterns: list[re.Pattern[str]] = []
        for label, items in terms.items():
            parts = [_term_pattern(t) for t in items if t and t.strip()]
            if not parts:
                continue
            # Longer alternatives first, so "share of wallet" wins over "share".
            parts.sort(key=len, reverse=True)
            try:
                patterns.append(re.compile("|".join(f"(?:{p})" for p in parts)))
            except re.error as exc:
                raise ValueError(f"invalid term for {label!r}: {exc}") from exc
            labels.append(label)
        return cls(tuple(labels), tuple(patterns))

    def __bool__(self) -> bool:
        """Tell whether the set has at least one label."""
        return bool(self.labels)

    def merged(self, other: TermSet) -> TermSet:
        """Return this set followed by the labels of ``other`` it does not have."""
        labels = list(self.labels)
        patterns = list(self.patterns)
        for label, pattern in zip(other.labels, other.patterns, strict=True):
            if label not in labels:
                labels.append(label)
                patterns.append(pattern)
        return TermSet(tuple(labels), tuple(patterns))

    def find(self, folded: str) -> dict[str, list[int]]:
        """Return ``{label: [start offsets]}`` for every label found in folded text."""
        found: dict[str, list[int]] = {}
        for label, pattern in zip(self.labels, self.patterns, strict=True):
            starts = [m.start() for m in pattern.finditer(folded)]
            if starts:
                found[label] = starts
        return found

    def first(self, folded: str) -> list[str]:
        """Return the labels found, ordered by their first occurrence, then label order."""
        found = self.find(folded)
        return sorted(found, key=lambda lb: (found[lb][0], self.labels.index(lb)))

    def matched_text(self, folded: str) -> list[str]:
        """Return the matched pieces of folded text, in text order."""
        hits: list[tuple[int, str]] = []
        for pattern in self.patterns:
            hits.extend((m.start(), m.group(0)) for m in pattern.finditer(folded))
        return [text for _, text in sorted(hits)]

    def dominant(self, folded: str) -> str | None:
        """Return the label with the most matches (ties: earlier label), None if none."""
        found = self.find(folded)
        if not found:
            return None
        return max(found, key=lambda lb: (len(found[lb]), -self.labels.index(lb)))


@dataclass(frozen=True)
class AnswerRules:
    """The word lists that make an answer vague, short, skipped or specific.

    Attributes:
        hedges: hedging phrases ("maybe", "je ne sais pas").
        generic: empty phrases ("the usual", "des choses").
        skip: what an executive types to pass a question ("next question").
        number_words: numbers written as words ("a dozen", "une dizaine").
        periods: time frames ("next year", "d'ici").
        frequencies: cadences ("every quarter", "par mois").
        not_names: capitalised words that are not names (I, KAM, CEO...), folded.
        hedge_words_limit: an answer with one hedge, fewer words than this and nothing
            concrete (no figure, name, tag or stance) is vague; two hedges always are.
    """

    hedges: TermSet = field(default_factory=TermSet)
    generic: TermSet = field(default_factory=TermSet)
    skip: TermSet = field(default_factory=TermSet)
    number_words: TermSet = field(default_factory=TermSet)
    periods: TermSet = field(default_factory=TermSet)
    frequencies: TermSet = field(default_factory=TermSet)
    not_names: frozenset[str] = frozenset()
    hedge_words_limit: int = 30


@dataclass(frozen=True)
class AnswerFeatures:
    """What an answer contains, as far as rules can tell.

    Attributes:
        words: number of words.
        hedges: hedging phrases found (folded).
        generic: empty phrases found (folded).
        figures: numbers and number words found.
        names: proper names found (as written), then known names the caller added.
        periods: time frames found.
        frequencies: cadences found.
        tags: the theme's tags found, by first occurrence.
        stances: the theme's stances found with their number of matches.
        skip: the executive passed the question.
        short: fewer words than the theme wants for one answer.
        vague: hedged or empty rather than specific.
    """

    words: int
    hedges: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()
    frequencies: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    stances: tuple[tuple[str, int], ...] = ()
    skip: bool = False
    short: bool = False
    vague: bool = False

    @property
    def specific(self) -> bool:
        """Tell whether the answer holds a figure, a name, a period or a cadence."""
        return bool(self.figures or self.names or self.periods or self.frequencies)


def count_words(text: str) -> int:
    """Return the number of words (letters or digits, apostrophes and hyphens inside)."""
    return len(_WORD.findall(text))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the sentences of a text, whitespace trimmed.

    Sentences end at ``. ! ?`` or ``;`` followed by white space, or at a line break (a
    colon does not end one: "three battles: A, B and C" stays whole).
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out: list[tuple[int, int]] = []
    for start, end in spans:
        a, b = start, end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def find_names(text: str, not_names: Collection[str] = ()) -> list[str]:
    """Return runs of capitalised words that are not at the start of a sentence.

    A run is one or more consecutive words starting with an upper-case letter (or an
    all-capitals acronym of two letters or more); a run whose every word is in
    ``not_names`` (folded) is ignored. A sentence's first word counts only when the
    next word is capitalised too ("Quenolac Mobilité is...").

    Args:
        text: the answer.
        not_names: folded words that are capitalised without being names.

    Returns:
        The runs as written, in text order, without duplicates.
    """
    found: list[str] = []
    for a, b in split_sentences(text):
        tokens = [(m.group(0), m.start()) for m in _WORD.finditer(text, a, b)]
        run: list[str] = []
        runs: list[tuple[int, list[str]]] = []
        for index, (token, _) in enumerate(tokens):
            if token[:1].isupper():
                if not run:
                    runs.append((index, run))
                run.append(token)
            else:
                run = []
        for index, words_ in runs:
            kept = [w for w in words_ if len(w) > 1 and fold(w) not in not_names]
            if not kept:
                continue
            if index == 0 and len(kept) < 2:
                continue
            name = " ".join(kept)
            if name not in found:
                found.append(name)
    return found


def analyse_answer(
    text: str,
    rules: AnswerRules,
    *,
    min_words: int = 8,
    tags: TermSet | None = None,
    stances: TermSet | None = None,
    extra_names: Sequence[str] = (),
) -> AnswerFeatures:
    """Read one answer: its length, hedges, figures, names, time frames, tags, stances.

    Args:
        text: the answer (untrusted; only read).
        rules: the word lists of the guide.
        min_words: fewer words than this is a short answer.
        tags: the theme's tags.
        stances: the theme's stances.
        extra_names: names the caller found itself (e.g. store accounts, fuzzy-matched).

    Returns:
        The features; ``short`` and ``vague`` decide the generic probes.
    """
    folded = fold(text)
    words = count_words(text)
    hedges = tuple(rules.hedges.matched_text(folded))
    generic = tuple(rules.generic.matched_text(folded))
    skip = bool(rules.skip.find(folded)) and words <= 6
    # A bare year is a time frame, not a figure.
    figures = [m.group(0).strip() for m in _DIGIT_FIGURE.finditer(text)
               if not _YEAR.fullmatch(m.group(0).strip())]
    figures += rules.number_words.matched_text(folded)
    periods = rules.periods.matched_text(folded)
    periods += [m.group(0) for m in _YEAR.finditer(text) if m.group(0) not in periods]
    frequencies = rules.frequencies.matched_text(folded)
    names = find_names(text, rules.not_names)
    for extra in extra_names:
        if extra not in names:
            names.append(extra)
    tag_labels = tuple(tags.first(folded)) if tags else ()
    stance_hits: tuple[tuple[str, int], ...] = ()
    if stances:
        found = stances.find(folded)
        stance_hits = tuple((lb, len(found[lb])) for lb in stances.labels if lb in found)
    short = words < min_words
    # One hedge in an answer that names, counts or dates something is a manner of speaking.
    concrete = bool(figures or names or tag_labels or stance_hits)
    hedged = len(hedges) >= 2 or (bool(hedges) and words < rules.hedge_words_limit
                                  and not concrete)
    empty = bool(generic) and not (figures or names or tag_labels)
    vague = not skip and (hedged or empty)
    return AnswerFeatures(
        words=words, hedges=hedges, generic=generic, figures=tuple(figures),
        names=tuple(names), periods=tuple(periods), frequencies=tuple(frequencies),
        tags=tag_labels, stances=stance_hits, skip=skip, short=short, vague=vague,
    )


def satisfied_wants(
    answers: Sequence[AnswerFeatures], wants: Sequence[str], min_words: int = 8
) -> set[str]:
    """Return which of a theme's wants the answers given on it satisfy.

    Args:
        answers: the features of every answer given on the theme (skips included).
        wants: the theme's wants (see the module docstring).
        min_words: the theme's minimum number of words.

    Raises:
        ValueError: an unknown want.
    """
    unknown = [w for w in wants if w not in WANTS]
    if unknown:
        raise ValueError(f"unknown want(s): {', '.join(unknown)}")
    given = [a for a in answers if not a.skip]
    done: set[str] = set()
    if given and sum(a.words for a in given) >= min_words and any(
            not a.short and not a.vague for a in given):
        done.add("substance")
    for a in given:
        present = {"figure": a.figures, "name": a.names, "period": a.periods,
                   "frequency": a.frequencies, "tags": a.tags, "stance": a.stances}
        done.update(want for want, found in present.items() if found)
    return {w for w in wants if w in done}


def theme_coverage(
    answers: Sequence[AnswerFeatures], wants: Sequence[str], min_words: int = 8
) -> float:
    """Return the share of a theme's wants the answers satisfy (0 when none answered).

    A theme without wants counts as covered once any answer is given.
    """
    if not wants:
        return 1.0 if any(not a.skip for a in answers) else 0.0
    return len(satisfied_wants(answers, wants, min_words)) / len(wants)


def missing_wants(
    answers: Sequence[AnswerFeatures], wants: Sequence[str], min_words: int = 8
) -> list[str]:
    """Return the theme's wants not yet satisfied, in the theme's order."""
    done = satisfied_wants(answers, wants, min_words)
    return [w for w in wants if w not in done]


def probe_reason(
    last: AnswerFeatures,
    missing: Sequence[str],
    targets: Collection[str],
    used: Collection[str],
) -> str | None:
    """Choose why to probe after an answer, or None to move on.

    A skipped question is never probed. A short or vague answer is probed first (a short
    answer that gives what the question targets, "about fifteen", is not short); then
    the first missing want the current question targets. A reason already used on the
    theme is not used again, so a probe never repeats itself.

    Args:
        last: the features of the answer just given.
        missing: the theme's missing wants, in order.
        targets: the wants the current question is meant to obtain.
        used: the reasons already used on the theme.
    """
    if last.skip:
        return None
    specific = [t for t in targets if t != "substance"]
    gave = satisfied_wants([last], specific, 1) if specific else set()
    candidates: list[str] = []
    if last.short and not gave:
        candidates.append("short")
    if last.vague:
        candidates.append("vague")
    candidates += [w for w in missing if w in targets and w != "substance"]
    if "substance" in missing and "substance" in targets and not (last.short or last.vague):
        candidates.append("short")
    for reason in candidates:
        if reason not in used:
            return reason
    return None


def sentences_with(
    text: str, wanted: TermSet, *, min_chars: int = 12
) -> list[tuple[int, int, list[str]]]:
    """Return the sentences of a text that contain labels of ``wanted``.

    Args:
        text: the answer.
        wanted: the labels looked for.
        min_chars: shorter sentences are left out.

    Returns:
        ``(start, end, labels)`` per sentence, in text order.
    """
    out: list[tuple[int, int, list[str]]] = []
    for a, b in split_sentences(text):
        if b - a < min_chars:
            continue
        labels = wanted.first(fold(text[a:b]))
        if labels:
            out.append((a, b, labels))
    return out
