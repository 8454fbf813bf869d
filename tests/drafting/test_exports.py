"""Markdown and DOCX exports: layout, footnoted citations, escaping, re-opening."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest

from kambot.domain.documents import (
    Document,
    GuardVerdict,
    Section,
    SourceRef,
    Statement,
)
from kambot.exports.docx import RT_FOOTNOTES, read_footnotes, render_docx, write_docx
from kambot.exports.markdown import render_markdown


@pytest.fixture
def document() -> Document:
    return Document(
        kind="executive_summary", account_external_id="C1", account_name="Xylo SA",
        language="en", version=3, title="Executive summary — Xylo SA",
        sections=[
            Section(key="why_it_matters", title="Why this account matters", statements=[
                Statement(text="Revenue reached 8.57 M EUR.", citations=["acct:C1/kpi:rev"]),
                Statement(text="The note says [click](http://evil) <script>x</script> # no",
                          citations=["note:A1", "acct:C1/kpi:rev"]),
            ]),
            Section(key="figures", title="Key figures", statements=[
                Statement(text="Share of wallet is 12.3%.",
                          citations=["acct:C1/kpi:sow", "en/guide#figures"]),
            ]),
            Section(key="asks", title="What we ask of our executives", statements=[
                Statement(text="Validate the pilot.", citations=["acct:C1/initiative:I1"]),
            ]),
        ],
        sources=[
            SourceRef(id="acct:C1/kpi:rev", kind="fact", label="Revenue",
                      detail="Revenue over the last twelve months: 8.57 M EUR."),
            SourceRef(id="note:A1", kind="passage", label="Call", detail="Customer call.",
                      untrusted=True),
            SourceRef(id="acct:C1/kpi:sow", kind="fact", label="Share of wallet",
                      detail="Share of wallet: 12.3%."),
            SourceRef(id="en/guide#figures", kind="passage", label="Guide — Figures",
                      detail="Six to eight lines."),
            SourceRef(id="acct:C1/initiative:I1", kind="fact", label="Initiative",
                      detail="Initiative I1 «Pilot»: proposed."),
        ],
        input_fingerprint="f" * 64, as_of=date(2026, 10, 31),
        created_at=datetime(2026, 11, 1, tzinfo=UTC), writer="openai:test",
        fallback_used=True, fallback_reason="sections replaced by the offline writer: asks",
        guard=GuardVerdict(passed=True, statements=4, cited_statements=4,
                           repaired_sections=["asks"]),
    )


def test_markdown_has_sections_footnotes_and_provenance(document: Document) -> None:
    md = render_markdown(document)
    assert md.startswith("# Executive summary — Xylo SA\n")
    for title in ("## Why this account matters", "## Key figures",
                  "## What we ask of our executives"):
        assert title in md
    assert "- Revenue reached 8.57 M EUR.[^1]" in md
    assert "[^2][^1]" in md  # a source cited twice keeps its number
    assert "[^1]: Revenue over the last twelve months: 8.57 M EUR. `acct:C1/kpi:rev`" in md
    assert "(account note, quoted as data)" in md
    assert "Version 3 · Figures as of 2026-10-31" in md
    assert "fallback: sections replaced by the offline writer: asks" in md
    assert "100% cited" in md and "asks" in md


def test_markdown_escapes_what_writers_wrote(document: Document) -> None:
    md = render_markdown(document)
    assert "[click](http://evil)" not in md and "<script>" not in md
    assert r"\[click\](http://evil) \<script\>x\</script\> \# no" in md


def test_docx_has_real_footnotes_and_a_sources_annex(document: Document,
                                                     tmp_path: Path) -> None:
    path = write_docx(document, tmp_path / "summary.docx")
    data = path.read_bytes()
    opened = docx.Document(io.BytesIO(data))
    styles = [(p.style.name if p.style else "", p.text) for p in opened.paragraphs]
    assert ("Title", "Executive summary — Xylo SA") in styles
    assert [t for s, t in styles if s == "Heading 1"] == [
        "Why this account matters", "Key figures", "What we ask of our executives", "Sources"]
    assert [t for s, t in styles if s == "List Bullet"] == [
        st.text for st in document.statements()]
    assert len([t for s, t in styles if s == "List Number"]) == len(document.sources)
    assert opened.core_properties.title == document.title
    # One real footnote per statement, referenced from its paragraph.
    rel = next(r for r in opened.part.rels.values() if r.reltype == RT_FOOTNOTES)
    assert rel.target_part.partname == "/word/footnotes.xml"
    body = opened.element.body.xml
    assert body.count("w:footnoteReference") == 4
    notes = read_footnotes(data)
    assert len(notes) == 4
    assert notes[1] == ("Call (account note, quoted as data): Customer call. [note:A1]; "
                        "Revenue over the last twelve months: 8.57 M EUR. [acct:C1/kpi:rev]")
    assert "[en/guide#figures]" in notes[2]


def test_a_document_without_citations_exports_without_footnotes(document: Document) -> None:
    bare = document.model_copy(update={"sources": [], "sections": [
        Section(key="asks", title="Asks", statements=[Statement(text="Nothing pending.")])]})
    data = render_docx(bare)
    assert read_footnotes(data) == []
    assert "[^" not in render_markdown(bare)
