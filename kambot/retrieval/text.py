"""Text analysis shared by the BM25 index, the local embedding and the answer composer.

One analyser per language (French, English): lower-case, split on anything that is not a
letter or a digit (French elisions such as ``l'`` fall out as stop words), drop stop
words, stem with Snowball (PyStemmer) and fold accents *after* stemming, so that
"stratégique" (French stem ``strateg``) and "strategic" (English stem ``strateg``) meet,
and a query typed without accents still matches. Stemmers are not thread-safe, hence
one per thread.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import Stemmer

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, Lang] = ("fr", "en")


def _word_set(block: str) -> frozenset[str]:
    """Return the whitespace-separated words of a block of text as a set."""
    return frozenset(block.split())


STOPWORDS_EN: frozenset[str] = _word_set(
    """
    a about above after again against all also am an and any are aren as at be because been
    before being below between both but by can cannot could couldn did didn do does doesn doing
    don down during each either else ever every few for from further had hadn has hasn have
    haven having he her here hers herself him himself his how however i if in into is isn it its
    itself just let ll me might more most must mustn my myself need no nor not now of off often
    on once one only or other ought our ours ourselves out over own per rather re s same shall
    shan she should shouldn so some such than that the their theirs them themselves then there
    these they this those through thus to too under until up upon us ve very via was wasn we
    were weren what when where whether which while who whom whose why will with within without
    won would wouldn yet you your yours yourself yourselves d t m o y ain isnt dont doesnt didnt
    cant wont its im ive many much lot lots get gets got please really thing things something
    anything way ways kind sort
    """
)

STOPWORDS_FR: frozenset[str] = _word_set(
    """
    a ai aie aient aies ait alors as au aucun aucune auquel aura aurai auraient aurais aurait
    auras aurez auriez aurions aurons auront aussi autre autres aux auxquelles auxquels avaient
    avais avait avant avec avez aviez avions avoir avons ayant ayez ayons c ça car ce ceci cela
    celle celles celui cependant certain certaine certaines certains ces cet cette ceux chacun
    chacune chaque chez ci comme comment d dans de des desquelles desquels dès doit donc dont du
    duquel elle elles en encore entre es est et été étaient étais était étant étiez étions être
    eu eue eues eûmes eurent eus eusse eussent eusses eussiez eussions eut eût eux fait faut
    furent fus fusse fussent fusses fussiez fussions fut fût ici il ils j je jusqu jusque l la
    laquelle le lequel les lesquelles lesquels leur leurs lors lorsqu lorsque lui m ma mais me
    même mêmes mes moi mon n ne ni nos notre nous on ont or ou où par parce pas peu peut plus
    pour pourquoi qu quand que quel quelle quelles quels qui quoi s sa sans se sera serai
    seraient serais serait seras serez seriez serions serons seront ses si sien sienne soi
    soient sois soit sommes son sont sous soyez soyons suis sur t ta te tes toi ton tous tout
    toute toutes très tu un une unes uns vers voici voilà vos votre vous y combien quelque
    quelques chose choses beaucoup bien plutôt
    """
)

STOPWORDS: dict[Lang, frozenset[str]] = {"fr": STOPWORDS_FR, "en": STOPWORDS_EN}
# Questions are short and sometimes mix languages: drop the function words of both.
QUERY_STOPWORDS: frozenset[str] = STOPWORDS_FR | STOPWORDS_EN

# Words that only one of the two languages uses as stop words: they decide the language.
_EXCLUSIVE: dict[Lang, frozenset[str]] = {
    "fr": STOPWORDS_FR - STOPWORDS_EN - {"a", "as", "on", "or", "me", "son", "t", "d", "s"},
    "en": STOPWORDS_EN - STOPWORDS_FR - {"a", "as", "on", "or", "me", "t", "d", "s"},
}
_FRENCH_MARKS = frozenset("éèêàùçôîâûëïœ")

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_STEMMER_NAMES: dict[Lang, str] = {"fr": "french", "en": "english"}
_local = threading.local()


def _fold_slow(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0xC0, 0x250):
        folded = _fold_slow(chr(code))
        if folded != chr(code) and folded.isascii():
            table[code] = folded
    table.update({ord("œ"): "oe", ord("Œ"): "oe", ord("æ"): "ae", ord("Æ"): "ae",
                  ord("ß"): "ss", ord("ø"): "o", ord("Ø"): "o", ord("ł"): "l"})
    for code in range(0x300, 0x370):  # stray combining marks of decomposed input
        table[code] = None
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Return text lower-cased with Latin accents removed (œ becomes oe)."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return unicodedata.normalize("NFC", lowered).translate(_FOLD)


def words(text: str) -> list[str]:
    """Split text into lower-case words (letters and digits), accents kept."""
    return _TOKEN.findall(text.lower().replace("’", "'"))


def _stemmer(lang: Lang) -> Stemmer.Stemmer:
    cache: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if cache is None:
        cache = {}
        _local.stemmers = cache
    stemmer = cache.get(lang)
    if stemmer is None:
        stemmer = Stemmer.Stemmer(_STEMMER_NAMES[lang])
        cache[lang] = stemmer
    return stemmer


def detect_language(text: str, default: Lang = "en") -> Lang:
    """Guess whether a text is French or English from its function words.

    Args:
        text: any text; a few words are enough for a question.
        default: the answer when nothing decides (no function word, a tie).

    Returns:
        ``"fr"`` or ``"en"``.
    """
    found = words(text)
    fr = sum(1 for w in found if w in _EXCLUSIVE["fr"])
    en = sum(1 for w in found if w in _EXCLUSIVE["en"])
    if any(ch in _FRENCH_MARKS for ch in text.lower()):
        fr += 1
    if fr > en:
        return "fr"
    if en > fr:
        return "en"
    return default


@dataclass(frozen=True, slots=True)
class Analysis:
    """A text analysed in one language.

    Attributes:
        lang: the analyser's language.
        surface: content words (stop words removed), folded, in text order.
        stems: the Snowball stem of each surface word, folded, same order.
        sequence: every word of the text in order, stop words included: the stem of a
            content word, the folded word itself for a stop word. Glossary terms that
            stop-word removal would gut ("follow-up", "less is more", "niveau Or") are
            matched on it.
    """

    lang: Lang
    surface: tuple[str, ...]
    stems: tuple[str, ...]
    sequence: tuple[str, ...] = ()


def analyse(text: str, lang: Lang, stop: frozenset[str] | None = None) -> Analysis:
    """Tokenise, drop stop words and stem a text with the analyser of ``lang``.

    Args:
        text: the text.
        lang: the analyser (stemmer and, by default, stop words) to use.
        stop: other stop words, e.g. :data:`QUERY_STOPWORDS` for a question.

    Returns:
        The content words and their stems (both accent-folded).
    """
    stop = STOPWORDS[lang] if stop is None else stop
    found = words(text)
    # None marks a content word, whose stem takes its place in ``sequence`` below.
    marks = [None if w not in stop and (len(w) > 1 or w.isdigit())
             else (w if w.isascii() else _fold_word(w)) for w in found]
    kept = [w for w, mark in zip(found, marks, strict=True) if mark is None]
    if not kept:
        return Analysis(lang, (), (), tuple(m for m in marks if m is not None))
    stems = _stemmer(lang).stemWords(kept)
    surface = tuple(w if w.isascii() else _fold_word(w) for w in kept)
    folded = tuple(w if w.isascii() else _fold_word(w) for w in stems)
    if len(kept) == len(found):
        return Analysis(lang, surface, folded, folded)
    next_stem = iter(folded).__next__
    sequence = tuple(next_stem() if mark is None else mark for mark in marks)
    return Analysis(lang, surface, folded, sequence)


_FOLDED_WORDS: dict[str, str] = {}


def _fold_word(word: str) -> str:
    found = _FOLDED_WORDS.get(word)
    if found is None:
        found = fold(word)
        if len(_FOLDED_WORDS) > 200_000:
            _FOLDED_WORDS.clear()
        _FOLDED_WORDS[word] = found
    return found


def tokens(text: str, lang: Lang) -> list[str]:
    """Return the BM25 tokens of a text (folded stems, stop words removed)."""
    return list(analyse(text, lang).stems)


def slugify(text: str, fallback: str = "section") -> str:
    """Turn a heading into a readable, stable anchor (``Less is more`` -> ``less-is-more``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:80].rstrip("-") or fallback


_SENTENCE_END = re.compile(r"[.!?…][\"'»”)\]]*(?=\s+[\"'«“(\[]?[A-ZÀ-ÖØ-Þ0-9])")
_ABBREVIATIONS = frozenset(("e.g.", "i.e.", "vs.", "cf.", "ex.", "M.", "Mr.", "Dr.", "St.",
                            "E.g.", "I.e.", "Cf.", "Ex.", "p.", "n°."))


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping each sentence's characters verbatim.

    Whitespace runs become single spaces; list items and lines of a Markdown block are
    sentences of their own.

    Args:
        text: a paragraph or a whole section.

    Returns:
        Non-empty sentences, stripped, in order.
    """
    out: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)", text):
        line = " ".join(block.split())
        start = 0
        for match in _SENTENCE_END.finditer(line):
            candidate = line[start : match.end()]
            if candidate.rsplit(None, 1)[-1] in _ABBREVIATIONS:
                continue
            out.append(line[start : match.end()].strip())
            start = match.end()
        out.append(line[start:].strip())
    return [s for s in out if s]


def join_words(parts: Sequence[str]) -> str:
    """Join non-empty strings with single spaces."""
    return " ".join(p for p in parts if p)
