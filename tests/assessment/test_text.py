"""Offset-preserving views, folding and segmentation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kambot.assistant.assessment.text import LineIndex, TextView, fold, segment


def test_view_maps_edited_spans_back_to_the_original() -> None:
    original = "Call Jane Doe on 0612345678 about the €2M deal."
    view = TextView.identity(original).apply([(5, 13, "[name]"), (17, 27, "[phone]")])
    assert view.text == "Call [name] on [phone] about the €2M deal."
    start = view.text.index("about")
    o_start, o_end = view.to_original(start, len(view.text))
    assert original[o_start:o_end] == "about the €2M deal."
    name = view.text.index("[name]")
    assert view.to_original(name, name + 6) == (5, 13)


def test_views_compose() -> None:
    original = "a\u200bb c\u200bd Jane"
    first = TextView.identity(original).apply([(1, 2, ""), (5, 6, "")])
    assert first.text == "ab cd Jane"
    second = first.apply([(6, 10, "[name]")])
    assert second.text == "ab cd [name]"
    assert second.to_original(0, 5) == (0, 7)
    assert second.to_original(6, 12) == (8, 12)


@given(st.text(max_size=200))
def test_fold_keeps_length(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_fold_lowers_and_strips_accents_and_apostrophes() -> None:
    assert fold("Équipe d’ÉLITE – Ça") == "equipe d'elite - ca"


def test_segment_splits_lines_bullets_and_sentences() -> None:
    text = ("Sales Director\n"
            "- Led a team of 12. Exceeded quota by 20%.\n"
            "• Signed a €3M deal with M. Dupont, e.g. for 3 years.")
    units = [text[s:e] for s, e in segment(text)]
    assert units == ["Sales Director", "Led a team of 12.", "Exceeded quota by 20%.",
                     "Signed a €3M deal with M. Dupont, e.g. for 3 years."]


def test_segment_caps_unit_length() -> None:
    text = ", ".join(f"item number {i}" for i in range(100))
    spans = segment(text)
    assert len(spans) > 1
    assert all(e - s <= 400 for s, e in spans)


def test_line_index() -> None:
    index = LineIndex.of("a\nbb\n\nccc")
    assert [index.line(i) for i in (0, 2, 5, 6)] == [1, 2, 3, 4]
