"""Prepare one input for reading: hidden text out, protected attributes masked, units cut.

Order matters and is fixed: (1) characters a reader cannot see and HTML comments are
removed; (2) protected attributes are masked; (3) the text is cut into quotable units;
(4) instructions, stuffing, lists and duplicates are recognised. Only then do the
extractors (rules or a model) see the text, and only the redacted text.
"""

from __future__ import annotations

from dataclasses import dataclass

from kambot.assistant.assessment.gaming import (
    INSTRUCTION_FLAGS,
    UnitReview,
    build_flags,
    find_hidden,
    review_units,
    scan,
)
from kambot.assistant.assessment.intake import SourceDocument
from kambot.assistant.assessment.redact import redact
from kambot.assistant.assessment.text import LineIndex, TextView, fold, segment
from kambot.domain.assessment import Flag, SourceKind


@dataclass(frozen=True)
class PreparedSource:
    """One input ready for evidence extraction."""

    document: SourceDocument
    view: TextView  # redacted text, mapped to document.text
    folded: str
    units: list[tuple[int, int]]  # in view.text
    unit_spans: list[tuple[int, int]]  # the same units in document.text
    unit_lines: list[int]
    review: UnitReview
    flags: list[Flag]
    redactions: dict[str, int]

    @property
    def kind(self) -> SourceKind:
        """Return the kind of the source (CV or interview)."""
        return self.document.kind

    def quote(self, index: int) -> str:
        """Return the redacted text of a unit."""
        start, end = self.units[index]
        return self.view.text[start:end]


def prepare(document: SourceDocument, candidate_name: str | None = None) -> PreparedSource:
    """Run hidden-text removal, redaction, segmentation and gaming review on an input.

    Args:
        document: the extracted text of a CV or of interview notes.
        candidate_name: the person's name, masked wherever it appears.

    Returns:
        The prepared source, with the flags for the reviewer.
    """
    original = document.text
    hidden = find_hidden(original)
    visible = TextView.identity(original).apply(hidden.edits)
    redaction = redact(visible, candidate_name)
    view = redaction.view
    folded = fold(view.text)
    units = segment(view.text)
    lines = LineIndex.of(original)
    unit_spans = [view.to_original(s, e) for s, e in units]
    unit_lines = [lines.line(s) for s, _ in unit_spans]
    runs = [(r.text, r.reason) for r in document.hidden]
    scanned = scan(original, *(t for t, _ in runs), hidden_found=bool(hidden.edits))
    review, words = review_units(view.text, folded, units,
                                 suspicious=bool(INSTRUCTION_FLAGS.intersection(scanned)))
    flags = build_flags(document.kind, scanned=scanned, hidden=hidden, hidden_runs=runs,
                        text=view.text, units=units, unit_lines=unit_lines, review=review,
                        words=words)
    return PreparedSource(document, view, folded, units, unit_spans, unit_lines, review, flags,
                          redaction.counts)
