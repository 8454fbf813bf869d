"""The bilingual glossary: concepts named by French and English terms.

``knowledge/glossary.yaml`` is a YAML list of ``{id, en: [terms], fr: [terms]}``. Two
things use it: the local embedding adds a shared ``concept:<id>`` feature whenever a
term of a concept occurs in a text (so a French question meets English content and
synonyms listed together meet), and the BM25 query is expanded with the terms of every
concept the question mentions, in both languages.

Terms are matched on analysed token sequences (stop words removed, stemmed, accents
folded) with the analyser of the term's own language, so "compte clé", "comptes clés"
and "Comptes-Clés" are the same term. A several-word term that stop-word removal would
reduce to one word ("follow-up", "less is more", "buy-in", "niveau Or") is matched on
the text's full word sequence instead, stop words included, so it keeps its meaning
without matching every "follow" or every "niveau".
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kambot.errors import DataError
from kambot.retrieval.text import (
    LANGS,
    QUERY_STOPWORDS,
    STOPWORDS,
    Analysis,
    Lang,
    analyse,
    words,
)


@dataclass
class _Node:
    """A node of the term trie: concepts ending here and longer terms going on."""

    ids: tuple[str, ...] = ()
    children: dict[str, _Node] = field(default_factory=dict)


@dataclass(frozen=True)
class Concept:
    """One glossary concept and its terms per language."""

    id: str
    terms: Mapping[Lang, tuple[str, ...]]


@dataclass
class Glossary:
    """Concepts with a term index for fast matching in analysed text."""

    concepts: tuple[Concept, ...] = ()
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    _index: dict[Lang, dict[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict, repr=False
    )
    _max_len: dict[Lang, int] = field(default_factory=dict, repr=False)
    _trie: dict[Lang, dict[str, _Node]] = field(default_factory=dict, repr=False)
    # Terms gutted by stop-word removal, keyed on their full word sequence.
    _raw_trie: dict[Lang, dict[str, _Node]] = field(default_factory=dict, repr=False)
    _stems: dict[str, dict[Lang, tuple[tuple[str, ...], ...]]] = field(
        default_factory=dict, repr=False
    )
    _all_terms: dict[Lang, dict[str, list[tuple[str, ...]]]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        # Each analyser indexes the terms of *both* languages, analysed its own way, so
        # that a text is analysed once (in its language) and still meets the other
        # language's terms it contains ("key account" in a French note).
        for lang in LANGS:
            index: dict[tuple[str, ...], list[str]] = {}
            raw: dict[tuple[str, ...], list[str]] = {}
            for concept in self.concepts:
                own: list[tuple[str, ...]] = []
                for term_lang in LANGS:
                    for term in concept.terms.get(term_lang, ()):
                        stems = _term_stems(term, lang)
                        if not stems:
                            sequences = _term_sequences(term, lang)
                            for sequence in sequences:
                                _add(raw, sequence, concept.id)
                            if term_lang == lang and not sequences:
                                self.skipped.append((concept.id, lang, term))
                            continue
                        if term_lang == lang:
                            own.append(stems)
                        _add(index, stems, concept.id)
                self._stems.setdefault(concept.id, {})[lang] = tuple(own)
            self._index[lang] = {k: tuple(v) for k, v in index.items()}
            self._max_len[lang] = max((len(k) for k in index), default=0)
            self._trie[lang] = _build_trie(self._index[lang])
            self._raw_trie[lang] = _build_trie({k: tuple(v) for k, v in raw.items()})
            self._all_terms[lang] = {}
            for key, concept_ids in self._index[lang].items():
                for concept_id in concept_ids:
                    self._all_terms[lang].setdefault(concept_id, []).append(key)

    def __len__(self) -> int:
        return len(self.concepts)

    @property
    def fingerprint(self) -> str:
        """Return a short hash of the concepts (part of the local embedding's identity)."""
        payload = [[c.id, {lang: list(c.terms.get(lang, ())) for lang in LANGS}]
                   for c in self.concepts]
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def match_analysis(self, analysis: Analysis) -> Counter[str]:
        """Count the concepts whose terms (of either language) occur in an analysed text."""
        found: Counter[str] = Counter()
        root = self._trie.get(analysis.lang)
        if root:
            _walk(root, analysis.stems, found)
        raw = self._raw_trie.get(analysis.lang)
        if raw and analysis.sequence:
            _walk(raw, analysis.sequence, found)
        return found

    def match(self, text: str, lang: Lang | None = None,
              analysis: Analysis | None = None) -> Counter[str]:
        """Count the concepts mentioned in a text, with terms of either language.

        Args:
            text: the text.
            lang: its language; when None it is analysed both ways and the larger count
                of each concept is kept.
            analysis: the text already analysed (in ``lang``), to avoid doing it twice.

        Returns:
            Concept id -> number of term occurrences.
        """
        if analysis is not None:
            return self.match_analysis(analysis)
        if lang is not None:
            return self.match_analysis(analyse(text, lang))
        found: Counter[str] = Counter()
        for each in LANGS:
            for concept_id, count in self.match_analysis(analyse(text, each)).items():
                found[concept_id] = max(found[concept_id], count)
        return found

    def terms_of(self, concept_id: str) -> list[tuple[str, ...]]:
        """Return a concept's terms as both analysers see them (no repeats).

        A French passage is tokenised by the French analyser, an English one by the
        English analyser: to find a concept's terms in either, the query needs both
        forms of every term.
        """
        found: dict[tuple[str, ...], None] = {}
        for lang in LANGS:
            for stems in self._all_terms.get(lang, {}).get(concept_id, []):
                found[stems] = None
        return list(found)

    def expansion(self, concept_ids: Iterable[str]) -> dict[Lang, list[tuple[str, ...]]]:
        """Return the analysed terms of the given concepts, per language."""
        out: dict[Lang, list[tuple[str, ...]]] = {lang: [] for lang in LANGS}
        for concept_id in concept_ids:
            for lang, term_stems in self._stems.get(concept_id, {}).items():
                out[lang].extend(term_stems)
        return out


def _term_stems(term: str, lang: Lang) -> tuple[str, ...]:
    """Return a term's analysed stems, or () when stop-word removal guts it.

    Stop words are dropped in the text as well, so "part de portefeuille" still matches
    and "the board" becomes "board". But a several-word term reduced to a single word by
    losing a stop word at its edge means something else: French "niveau Or" (gold
    level) would become "niveau" and match every level of anything, "after launch"
    would match every launch. Such a term is left out (see :attr:`Glossary.skipped`).
    """
    stems = analyse(term, lang).stems
    raw = words(term)
    if not stems or not raw:
        return ()
    stop = STOPWORDS[lang]
    if len(stems) == 1 and len(raw) > 1 and (
            raw[-1] in stop or (raw[0] in stop and raw[0] not in _DETERMINERS)):
        return ()
    return stems


def _term_sequences(term: str, lang: Lang) -> list[tuple[str, ...]]:
    """Return the full word sequences (stop words kept) of a term gutted by stop words.

    A text is analysed with its language's stop words and a question with those of
    both languages; a function word may be a stop word in one and not the other, so
    both forms are returned when they differ. A single word gives nothing: only
    several words together are specific enough.
    """
    out: list[tuple[str, ...]] = []
    for stop in (STOPWORDS[lang], QUERY_STOPWORDS):
        sequence = analyse(term, lang, stop).sequence
        if len(sequence) > 1 and sequence not in out:
            out.append(sequence)
    return out


def _add(index: dict[tuple[str, ...], list[str]], key: tuple[str, ...], concept_id: str) -> None:
    ids = index.setdefault(key, [])
    if concept_id not in ids:
        ids.append(concept_id)


def _build_trie(index: Mapping[tuple[str, ...], tuple[str, ...]]) -> dict[str, _Node]:
    root: dict[str, _Node] = {}
    for key, concept_ids in index.items():
        level = root
        node: _Node | None = None
        for token in key:
            node = level.get(token)
            if node is None:
                node = _Node()
                level[token] = node
            level = node.children
        if node is not None:
            node.ids = concept_ids
    return root


def _walk(root: dict[str, _Node], tokens: tuple[str, ...], found: Counter[str]) -> None:
    """Count every term of a trie that occurs in a token sequence."""
    for start in range(len(tokens)):
        node = root.get(tokens[start])
        position = start
        while node is not None:
            if node.ids:
                found.update(node.ids)
            position += 1
            if position == len(tokens):
                break
            node = node.children.get(tokens[position])


# A leading determiner carries no meaning of its own: "the board" is "board".
_DETERMINERS = frozenset(words(
    "the a an our your their my this these those le la les l un une des du de notre nos "
    "votre vos leur leurs mon ma mes ce cet cette ces"))


def _terms(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(t, str) and t.strip() for t in raw):
        raise DataError(
            f"{where}: terms must be a list of non-empty strings",
            hint="write e.g. `en: [key account, strategic account]`",
        )
    return tuple(t.strip() for t in raw)


def parse_glossary(raw: Any, source: str = "glossary") -> Glossary:
    """Validate the parsed YAML of a glossary and build the term index.

    Args:
        raw: the value ``yaml.safe_load`` returned.
        source: a name for the file, used in error messages.

    Returns:
        The glossary.

    Raises:
        DataError: when the structure is not a list of ``{id, en, fr}`` mappings.
    """
    if raw is None:
        return Glossary()
    if not isinstance(raw, list):
        raise DataError(
            f"{source}: the glossary must be a YAML list of concepts",
            hint="each item: `- {id: key-account, en: [key account], fr: [compte clé]}`",
        )
    concepts: list[Concept] = []
    seen: set[str] = set()
    for position, item in enumerate(raw, start=1):
        where = f"{source}: concept #{position}"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
            raise DataError(f"{where} has no id", hint="give every concept an `id:`")
        concept_id = str(item["id"]).strip()
        if not concept_id or concept_id in seen:
            raise DataError(f"{where}: id {concept_id!r} is empty or repeated",
                            hint="concept ids must be unique")
        seen.add(concept_id)
        terms: dict[Lang, tuple[str, ...]] = {
            lang: _terms(item.get(lang), f"{where} ({concept_id}).{lang}") for lang in LANGS
        }
        if not any(terms.values()):
            raise DataError(f"{where} ({concept_id}) has no term",
                            hint="list at least one `en:` or `fr:` term")
        concepts.append(Concept(concept_id, terms))
    return Glossary(tuple(concepts))


_CACHE: dict[str, tuple[tuple[int, int], Glossary]] = {}


def load_glossary(path: Path) -> Glossary:
    """Read ``glossary.yaml``; a missing file gives an empty glossary.

    Parsed glossaries are cached per file (keyed on modification time and size):
    Chroma rebuilds embedding functions from their config more often than one would
    expect, and each rebuild would otherwise parse the file again.

    Args:
        path: the glossary file.

    Returns:
        The glossary (empty when the file does not exist).

    Raises:
        DataError: when the file is not valid YAML or not a list of concepts.
    """
    if not path.is_file():
        return Glossary()
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    cached = _CACHE.get(str(path))
    if cached is not None and cached[0] == key:
        return cached[1]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not valid YAML: {exc}",
                        hint="fix the glossary file's syntax") from exc
    glossary = parse_glossary(raw, str(path))
    _CACHE[str(path)] = (key, glossary)
    return glossary
