"""Build Word and PDF test documents from text lines (no binary fixtures in the repo)."""

from __future__ import annotations

import io
from collections.abc import Sequence

HiddenRun = tuple[int, str, str]  # (paragraph index, text, "white" | "tiny" | "vanish")


def make_docx(lines: Sequence[str], hidden: Sequence[HiddenRun] = ()) -> bytes:
    """Return a .docx whose paragraphs are ``lines``, with hidden runs appended."""
    import docx
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    for index, line in enumerate(lines):
        paragraph = document.add_paragraph()
        paragraph.add_run(line)
        for at, text, how in hidden:
            if at != index:
                continue
            run = paragraph.add_run(" " + text)
            if how == "white":
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            elif how == "tiny":
                run.font.size = Pt(1)
            else:
                run.font.hidden = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(lines: Sequence[str]) -> bytes:
    """Return a one-page PDF showing ``lines`` in Helvetica (WinAnsi text)."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    shown = " ".join(f"({esc(line)}) '" for line in lines)
    content = f"BT /F1 10 Tf 40 800 Td 13 TL {shown} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content.encode('cp1252', 'replace'))} >>\nstream\n{content}\n"
        "endstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("cp1252", "replace"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()
