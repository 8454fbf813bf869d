"""Spot prompt-injection markers in untrusted free text (meeting notes, uploaded files).

The text is never changed nor executed: it is stored as data and flagged, so that the
assistant can delimit it, warn, or leave it out of a prompt. The detector is small and
deliberately conservative; a flag is a reason to look, not a verdict.

Markers looked for:
- ``zero_width``: zero-width spaces and joiners, word joiner, soft hyphen, BOM inside
  text (used to hide words from a human reader);
- ``unicode_tags``: characters of the Unicode tag block U+E0000..U+E007F (invisible
  ASCII look-alikes that models still read);
- ``bidi_override``: bidirectional embeddings, overrides and isolates (text that reads
  differently from how it is stored);
- ``instruction_override``: "ignore previous instructions" and its equivalents in
  English, French, German and Spanish;
- ``system_prompt``: mentions of the system prompt or developer mode;
- ``role_marker``: chat-template role markers such as ``### system``, ``<|im_start|>``,
  ``[INST]``, or a line starting with ``system:`` / ``assistant:``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u00ad\ufeff\u180e")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_TAG_FIRST, _TAG_LAST = 0xE0000, 0xE007F

# Each pattern needs the word that makes a sentence an instruction to a model ("previous",
# "all", "your"...): "the customer ignored the safety instructions" is a normal note.
_OVERRIDE_PATTERNS = (
    # English
    r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:\w+\s+){0,2}?"
    r"(?:previous|prior|above|earlier|preceding|all|any|your)\s+(?:\w+\s+){0,2}?"
    r"(?:instructions?|prompts?|rules|directions|directives|guidelines)\b",
    r"\bnew\s+instructions?\s*:",
    r"\byou\s+are\s+now\s+(?:a|an|the)\s+(?:\w+\s+){0,2}?"
    r"(?:assistant|ai|model|bot|chatbot|llm|dan)\b",
    # French (accents are folded before matching)
    r"\b(?:ignore[sz]?|oublie[sz]?|ne\s+(?:tiens|tenez)\s+pas\s+compte\s+d\S*)\s+"
    r"(?:\S+\s+){0,3}?(?:instructions?|consignes?|regles|directives)\s+(?:\S+\s+){0,2}?"
    r"(?:precedent\w*|anterieur\w*|ci-dessus|plus\s+haut)",
    r"\b(?:ignore[sz]?|oublie[sz]?)\s+(?:toutes\s+(?:les\s+)?|tes\s+|vos\s+)"
    r"(?:\w+\s+)?(?:instructions?|consignes?|regles|directives)\b",
    r"\bnouvelles?\s+(?:instructions?|consignes?)\s*:",
    # German
    r"\b(?:ignorier\w*|vergiss\w*|missachte\w*)\s+(?:\w+\s+){0,2}?"
    r"(?:alle|deine|ihre|vorherig\w*|bisherig\w*|obig\w*|vorangegangen\w*|frueher\w*)\s+"
    r"(?:\w+\s+)?(?:anweisung\w*|instruktion\w*|befehl\w*|regeln|vorgaben)\b",
    r"\bneue\s+anweisung\w*\s*:",
    # Spanish
    r"\b(?:ignora\w*|olvida\w*|omite\w*|descarta\w*)\s+(?:\w+\s+){0,2}?"
    r"(?:todas|tus|sus)\s+(?:\w+\s+)?(?:instrucciones|indicaciones|ordenes|reglas)\b",
    r"\b(?:ignora\w*|olvida\w*|omite\w*|descarta\w*)\s+(?:\w+\s+){0,3}?"
    r"(?:instrucciones|indicaciones|ordenes|reglas)\s+(?:anteriores|previas|de\s+arriba)\b",
    r"\bnuevas\s+instrucciones\s*:",
)

_SYSTEM_PATTERNS = (
    r"\bsystem\s*[- ]?\s*prompts?\b",
    r"\b(?:reveal|print|show|repeat)\s+(?:your|the)\s+(?:system\s+)?(?:prompt|instructions)\b",
    r"\bdeveloper\s+mode\b",
    r"\bjailbreak\w*\b",
    r"\b(?:prompt|invite|consigne)\s+(?:du\s+)?systeme\b",
    r"\bsystem[- ]?(?:prompt|anweisung\w*|nachricht)\b",
    r"\b(?:prompt|indicaciones|instrucciones)\s+del\s+sistema\b",
)

_ROLE_PATTERNS = (
    r"^\s*#{2,}\s*(?:system|assistant|user|developer|instruction|instructions)\b",
    r"(?:^|(?<=[.!?;]))\s*(?:system|assistant|developer)\s*:",
    r"<\|\s*(?:im_start|im_end|system|assistant|user|endoftext|eot_id|start_header_id)\s*\|>",
    r"\[/?(?:INST|SYS)\]",
    r"<<\s*/?SYS\s*>>",
    r"</?\s*(?:system|assistant)\s*>",
)

_OVERRIDE = re.compile("|".join(f"(?:{p})" for p in _OVERRIDE_PATTERNS), re.IGNORECASE)
_SYSTEM = re.compile("|".join(f"(?:{p})" for p in _SYSTEM_PATTERNS), re.IGNORECASE)
_ROLE = re.compile("|".join(f"(?:{p})" for p in _ROLE_PATTERNS), re.IGNORECASE | re.MULTILINE)

FLAG_ORDER = (
    "zero_width",
    "unicode_tags",
    "bidi_override",
    "instruction_override",
    "system_prompt",
    "role_marker",
)


@dataclass(frozen=True)
class InjectionScan:
    """The markers found in one text (empty when none)."""

    flags: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        """Tell whether any marker was found."""
        return bool(self.flags)

    def as_text(self) -> str | None:
        """Return the flags comma-separated (the ``flags`` column), or None."""
        return ",".join(self.flags) or None


def _visible_form(text: str) -> str:
    """Return text as a reader would see it: hidden characters dropped, accents folded."""
    kept = "".join(
        ch
        for ch in text
        if ch not in _ZERO_WIDTH and ch not in _BIDI and not _TAG_FIRST <= ord(ch) <= _TAG_LAST
    )
    folded = unicodedata.normalize("NFKD", kept)
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def scan_text(*texts: str | None) -> InjectionScan:
    """Look for injection markers in one or more texts (None is skipped).

    Args:
        texts: the untrusted texts of one record, e.g. an activity's subject and text.

    Returns:
        The markers found, in a stable order.
    """
    found: set[str] = set()
    for text in texts:
        if not text:
            continue
        if text.isascii():
            plain = text
        else:
            chars = set(text)
            if chars & _ZERO_WIDTH:
                found.add("zero_width")
            if chars & _BIDI:
                found.add("bidi_override")
            tags = [ch for ch in text if _TAG_FIRST <= ord(ch) <= _TAG_LAST]
            if tags:
                found.add("unicode_tags")
                # Tag characters mirror ASCII: read the hidden message as well.
                plain = _visible_form(text) + "\n" + "".join(chr(ord(c) - _TAG_FIRST) for c in tags)
            else:
                plain = _visible_form(text)
        if _OVERRIDE.search(plain):
            found.add("instruction_override")
        if _SYSTEM.search(plain):
            found.add("system_prompt")
        if _ROLE.search(plain):
            found.add("role_marker")
    return InjectionScan(tuple(f for f in FLAG_ORDER if f in found))
