"""Text plumbing of the assessment: an edited view that remembers the original offsets,
a length-preserving folded form for matching, and segmentation into quotable units.

Hidden characters are removed and protected attributes masked before anything reads a
CV; quotes must still be located in the document the person wrote. :class:`TextView`
keeps, for each character of the edited text, the span of the original it comes from,
so that a unit found in the edited text maps back to exact original offsets.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

Edit = tuple[int, int, str]  # (start, end, replacement) in the view's own coordinates


@dataclass(frozen=True)
class TextView:
    """A text derived from an original by replacements, with its offset map.

    ``starts[i]``/``ends[i]`` are the original offsets where character ``i`` of ``text``
    begins and ends. A replacement's characters all map to the whole replaced span.
    ``None`` maps mean the identity (no edit yet).
    """

    text: str
    original_len: int
    starts: list[int] | None = None
    ends: list[int] | None = None

    @classmethod
    def identity(cls, text: str) -> TextView:
        """Return a view equal to its original."""
        return cls(text, len(text))

    def _start(self, i: int) -> int:
        if i >= len(self.text):
            return self.original_len
        return i if self.starts is None else self.starts[i]

    def _end(self, i: int) -> int:
        return i + 1 if self.ends is None else self.ends[i]

    def apply(self, edits: Sequence[Edit]) -> TextView:
        """Return the view with replacements applied (edits must not overlap).

        Args:
            edits: ``(start, end, replacement)`` in this view's coordinates; an empty
                replacement deletes.

        Returns:
            The new view, still mapped to the same original.
        """
        if not edits:
            return self
        ordered = sorted(edits, key=lambda e: (e[0], e[1]))
        n = len(self.text)
        starts = list(range(n)) if self.starts is None else self.starts
        ends = list(range(1, n + 1)) if self.ends is None else self.ends
        parts: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        pos = 0
        for start, end, replacement in ordered:
            if start < pos or end < start or end > n:
                raise ValueError(f"overlapping or invalid edit ({start}, {end})")
            parts.append(self.text[pos:start])
            new_starts.extend(starts[pos:start])
            new_ends.extend(ends[pos:start])
            if replacement:
                if start < end:
                    o_start, o_end = starts[start], ends[end - 1]
                else:
                    o_start = o_end = self._start(start)
                parts.append(replacement)
                new_starts.extend([o_start] * len(replacement))
                new_ends.extend([o_end] * len(replacement))
            pos = end
        parts.append(self.text[pos:])
        new_starts.extend(starts[pos:])
        new_ends.extend(ends[pos:])
        return TextView("".join(parts), self.original_len, new_starts, new_ends)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of this view to the span of the original it covers."""
        if end <= start:
            point = self._start(start)
            return point, point
        return self._start(start), self._end(end - 1)


@dataclass(frozen=True)
class LineIndex:
    """Turns character offsets of a text into 1-based line numbers."""

    line_starts: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, text: str) -> LineIndex:
        """Index the line starts of a text."""
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", text))
        return cls(starts)

    def line(self, offset: int) -> int:
        """Return the 1-based line holding an offset."""
        return bisect.bisect_right(self.line_starts, offset)


_APOSTROPHES = "\u2019\u2018\u02bc\u0060\u00b4\u2032"
_SPACES = "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    if ch in _SPACES:
        return " "
    if ch in _DASHES:
        return "-"
    lowered = ch.lower()
    if len(lowered) != 1:
        lowered = ch
    base = unicodedata.normalize("NFD", lowered)[:1]
    return base if base else lowered


def fold(text: str) -> str:
    """Return a same-length form for matching: lowercase, no accents, plain apostrophes.

    Offsets in the folded text are offsets in ``text``: matches found on it are located
    in the source without any mapping.
    """
    if text.isascii():
        return text.lower()
    table = {ord(ch): _fold_char(ch) for ch in set(text) if not ch.isascii()}
    folded = text.translate(table).lower()
    if len(folded) != len(text):  # a rare character whose lowercase is longer
        folded = "".join(_fold_char(ch) for ch in text)
    return folded


def fold_pattern(pattern: str) -> str:
    """Fold a regular expression's literal characters like :func:`fold` folds text."""
    if pattern.isascii():
        return pattern
    return "".join(ch if ch.isascii() else _fold_char(ch) for ch in pattern)


# --- segmentation ---------------------------------------------------------------------

_BULLET = re.compile(
    r"(?:^|(?<=\s))(?:[\u2022\u25aa\u25e6\u25cf\u25a0\u25ba\u25b8\u2023\u2043\u2219\u00b7"
    r"\u27a2\u2756\u2713\u2714]|\*|-(?=\s)|\u2013(?=\s)|\u2014(?=\s))\s+"
)
_SENTENCE_END = re.compile(
    r"[.!?](?=[\s\"'\u201d\u00bb)]*\s+[\"'\u201c\u00ab(]?[A-Z\u00c0-\u00de0-9\u2022*<#\[])"
)
_ABBREVIATIONS = frozenset({
    "e.g", "i.e", "etc", "vs", "approx", "inc", "ltd", "co", "corp", "no", "nos", "st", "mr",
    "mrs", "ms", "dr", "m", "mme", "mlle", "p", "pp", "cf", "ex", "resp", "dept", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "fig", "sr", "jr",
    "av", "bd", "ca", "env", "n°", "min", "max", "mgr", "ave", "est",
})
MAX_UNIT_CHARS = 400


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    while end - start > MAX_UNIT_CHARS:
        window = text[start : start + MAX_UNIT_CHARS]
        cut = max(window.rfind(", "), window.rfind("; "), window.rfind(" - "))
        if cut < MAX_UNIT_CHARS // 3:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = MAX_UNIT_CHARS
        spans.append((start, start + cut + 1))
        start += cut + 1
    spans.append((start, end))
    return spans


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\r\f|;,:-*#>_":
        start += 1
    while end > start and text[end - 1] in " \t\r\f|;,*_":
        end -= 1
    return start, end


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    piece = text[start:end]
    cursor = 0
    for match in _SENTENCE_END.finditer(piece):
        dot = match.start()
        word_start = dot
        while word_start > 0 and not piece[word_start - 1].isspace():
            word_start -= 1
        token = piece[word_start:dot].lower().strip("(\"'")
        if piece[dot] == "." and (token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())):
            continue
        spans.append((start + cursor, start + dot + 1))
        cursor = dot + 1
    spans.append((start + cursor, end))
    return spans


def segment(text: str) -> list[tuple[int, int]]:
    """Split a text into quotable units: lines, then bullets, then sentences.

    Args:
        text: the (redacted) text to split.

    Returns:
        ``(start, end)`` spans of non-empty units, in order, stripped of bullet marks
        and surrounding blanks; no unit is longer than ``MAX_UNIT_CHARS``.
    """
    units: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        pieces: list[tuple[int, int]] = []
        cursor = line_start
        for match in _BULLET.finditer(text, line_start, line_end):
            pieces.append((cursor, match.start()))
            cursor = match.end()
        pieces.append((cursor, line_end))
        for p_start, p_end in pieces:
            for s_start, s_end in _sentences(text, p_start, p_end):
                a, b = _strip_span(text, s_start, s_end)
                if b - a < 2:
                    continue
                units.extend(_split_long(text, a, b))
        line_start = line_end + 1
    return units
