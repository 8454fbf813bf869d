"""Run regular expressions only where they can match.

Python's ``re`` tries every position of a text; a pattern starting with ``\\b`` or an
alternation of words cannot use its fast literal search, and the assessment runs a few
hundred patterns per CV. Each pattern therefore carries the literal strings one of which
every match must start with (derived from the parsed pattern). A substring test rules
the pattern out when none occurs; otherwise the pattern is tried only at the positions
where one occurs (``str.find`` is fast), which gives the same matches as ``finditer``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

try:  # Python 3.11+: the parser moved into the re package
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older interpreters
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_C: Any = _sre_parse
MIN_PREFIX = 1
# Past this many candidate positions per character, a plain scan is as fast.
MAX_POSITION_SHARE = 0.2


def _prefixes(items: Any) -> list[str] | None:
    acc = ""
    for op, av in items:
        if op is _C.AT:
            if acc:
                break
            continue
        if op is _C.LITERAL:
            acc += chr(av)
            continue
        if op is _C.SUBPATTERN:
            inner = _prefixes(av[-1].data)
            if inner is None:
                return [acc] if acc else None
            return [acc + p for p in inner]
        if op is _C.BRANCH:
            found: list[str] = []
            for alternative in av[1]:
                sub = _prefixes(alternative)
                if sub is None:
                    return [acc] if acc else None
                found.extend(acc + p for p in sub)
            return found
        break
    return [acc] if acc else None


def literal_prefixes(pattern: str, min_len: int = MIN_PREFIX) -> tuple[str, ...] | None:
    """Return strings one of which every match of a pattern starts with, if known.

    Args:
        pattern: a regular expression (without case-insensitive matching).
        min_len: below this length a prefix rules too little out: give up.

    Returns:
        The distinct prefixes, or None when the pattern gives no usable prefix.
    """
    try:
        parsed = _sre_parse.parse(pattern)
    except re.error:
        return None
    found = _prefixes(parsed.data)
    if not found or any(len(p) < min_len for p in found):
        return None
    return tuple(sorted(set(found)))


class Matcher:
    """A compiled pattern with a substring pre-check."""

    __slots__ = ("prefixes", "regex")

    def __init__(self, regex: re.Pattern[str], prefixes: tuple[str, ...] | None = None) -> None:
        self.regex = regex
        self.prefixes = prefixes if prefixes is not None else (
            None if regex.flags & re.IGNORECASE else literal_prefixes(regex.pattern)
        )

    @classmethod
    def compile(cls, pattern: str, flags: int = 0) -> Matcher:
        """Compile a pattern and derive its prefixes."""
        return cls(re.compile(pattern, flags))

    def possible(self, text: str) -> bool:
        """Tell whether the pattern may match (False means it certainly does not)."""
        return self.prefixes is None or any(p in text for p in self.prefixes)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Iterate over the matches ``regex.finditer`` would give, trying fewer positions."""
        if self.prefixes is None:
            yield from self.regex.finditer(text)
            return
        positions: set[int] = set()
        budget = max(int(len(text) * MAX_POSITION_SHARE), 64)
        for prefix in self.prefixes:
            at = text.find(prefix)
            while at != -1:
                positions.add(at)
                at = text.find(prefix, at + 1)
            if len(positions) > budget:
                yield from self.regex.finditer(text)
                return
        end = -1
        for at in sorted(positions):
            if at < end:
                continue  # inside the previous match: finditer would not start here
            match = self.regex.match(text, at)
            if match is not None:
                end = max(match.end(), at + 1)
                yield match

    def search(self, text: str) -> re.Match[str] | None:
        """Return the first match, if any."""
        return next(self.finditer(text), None)


def lower_literals(pattern: str) -> str:
    """Lowercase a pattern's literal letters, leaving escapes (``\\S``, ``\\B``) intact."""
    out: list[str] = []
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        else:
            out.append(ch.lower())
    return "".join(out)
