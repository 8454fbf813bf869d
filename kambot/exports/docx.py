"""Render a document as DOCX (python-docx), its citations as real Word footnotes.

python-docx has no footnote API, so the footnotes part (``word/footnotes.xml``) is
written here: the two separator footnotes Word expects, then one footnote per
statement listing the sources it cites (label, what the source says, and its id). The
statement ends with the footnote's reference mark. A numbered "Sources" annex repeats
every cited source once, so a reader whose tool ignores footnotes still sees them.

python-docx opens the file again (the footnotes part is kept as a generic part); Word
and LibreOffice show the footnotes at the foot of each page.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from kambot.domain.documents import Document, Lang, SourceRef, Statement
from kambot.exports.markdown import header_lines, label, source_text

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_URI = "/word/footnotes.xml"
CT_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
RT_FOOTNOTES = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                "footnotes")


def _source_text(src: SourceRef, lang: Lang) -> str:
    return f"{source_text(src, lang)} [{src.id}]"


def _footnote_xml(number: int, text: str) -> str:
    return (
        f'<w:footnote w:id="{number}"><w:p><w:pPr><w:spacing w:after="0"/></w:pPr>'
        '<w:r><w:rPr><w:vertAlign w:val="superscript"/><w:sz w:val="16"/></w:rPr>'
        '<w:footnoteRef/></w:r>'
        f'<w:r><w:rPr><w:sz w:val="16"/></w:rPr><w:t xml:space="preserve"> {xml_escape(text)}'
        "</w:t></w:r></w:p></w:footnote>"
    )


def _footnotes_part_xml(notes: list[str]) -> bytes:
    separators = (
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        "</w:footnote>"
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        "<w:continuationSeparator/></w:r></w:p></w:footnote>"
    )
    body = "".join(_footnote_xml(n, text) for n, text in enumerate(notes, start=1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:footnotes xmlns:w="{W_NS}">{separators}{body}</w:footnotes>').encode()


def _add_reference(paragraph: Any, number: int) -> None:
    from docx.oxml import parse_xml

    run = parse_xml(
        f'<w:r xmlns:w="{W_NS}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
        f'<w:footnoteReference w:id="{number}"/></w:r>'
    )
    paragraph._p.append(run)


def _statement_note(st: Statement, sources: dict[str, SourceRef], lang: Lang) -> str:
    parts = [_source_text(sources[c], lang) for c in dict.fromkeys(st.citations) if c in sources]
    return "; ".join(parts)


def build_docx(document: Document) -> Any:
    """Return the python-docx ``Document`` of a kambot document (footnotes included)."""
    import docx
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.shared import Pt

    lang = document.language
    out = docx.Document()
    normal = out.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    out.core_properties.title = document.title
    out.core_properties.subject = document.kind
    out.core_properties.language = lang
    # Style ids set directly: python-docx resolves a style by scanning every style on
    # each paragraph, which costs more than the rest of the export.
    ids = {name: out.styles[name].style_id
           for name in ("Title", "Heading 1", "List Bullet", "List Number")}

    def para(text: str, style: str | None = None) -> Any:
        p = out.add_paragraph(text)
        if style is not None:
            p._p.get_or_add_pPr().style = ids[style]
        return p

    para(document.title, "Title")
    for line in header_lines(document):
        run = para("").add_run(line)
        run.italic = True
        run.font.size = Pt(9)
    sources = {s.id: s for s in document.sources}
    notes: list[str] = []
    for section in document.sections:
        para(section.title, "Heading 1")
        for st in section.statements:
            p = para(st.text, "List Bullet")
            note = _statement_note(st, sources, lang)
            if note:
                notes.append(note)
                _add_reference(p, len(notes))
    if document.sources:
        para(label("sources", lang), "Heading 1")
        for src in document.sources:
            para("", "List Number").add_run(_source_text(src, lang)).font.size = Pt(9)
    if notes:
        part = Part(PackURI(FOOTNOTES_URI), CT_FOOTNOTES, _footnotes_part_xml(notes),
                    out.part.package)
        out.part.relate_to(part, RT_FOOTNOTES)
    return out


def render_docx(document: Document) -> bytes:
    """Return the DOCX file of a document as bytes."""
    buffer = BytesIO()
    build_docx(document).save(buffer)
    return buffer.getvalue()


def write_docx(document: Document, path: Path) -> Path:
    """Write the DOCX file of a document and return its path."""
    path.write_bytes(render_docx(document))
    return path


def read_footnotes(data: bytes) -> list[str]:
    """Return the texts of the numbered footnotes of a DOCX file (for checks and tests)."""
    import docx
    from lxml import etree

    opened = docx.Document(BytesIO(data))
    for rel in opened.part.rels.values():
        if rel.reltype == RT_FOOTNOTES:
            root = etree.fromstring(rel.target_part.blob)
            texts = []
            for note in root.findall(f"{{{W_NS}}}footnote"):
                if note.get(f"{{{W_NS}}}type") in ("separator", "continuationSeparator"):
                    continue
                texts.append("".join(t.text or "" for t in note.iter(f"{{{W_NS}}}t")).strip())
            return texts
    return []
