"""Render a document as Markdown, its citations as footnotes.

Each cited source gets one footnote (``[^n]``) in order of first citation; the
footnote gives the source's label, its id and what it says (the fact's sentence, or an
excerpt of the passage). Untrusted passages (account notes) are marked as such. Text
coming from writers is escaped so that it cannot inject links, HTML or headings.
"""

from __future__ import annotations

import re

from kambot.domain.documents import Document, Lang, SourceRef

_LABELS: dict[str, tuple[str, str]] = {
    "account": ("Account", "Compte"),
    "programme": ("Programme", "Programme"),
    "version": ("Version", "Version"),
    "as_of": ("Figures as of", "Chiffres au"),
    "writer": ("Written by", "Rédigé par"),
    "fallback": ("fallback", "repli"),
    "guard": ("Grounding check", "Contrôle des sources"),
    "passed": ("passed", "réussi"),
    "failed": ("failed", "échoué"),
    "statements": ("statements", "affirmations"),
    "cited": ("cited", "sourcées"),
    "repaired": ("sections rewritten from the data", "sections réécrites à partir des données"),
    "sources": ("Sources", "Sources"),
    "untrusted": ("account note, quoted as data", "note du compte, citée comme donnée"),
    "revised": ("revised section(s)", "section(s) révisée(s)"),
}
_ESCAPE = re.compile(r"([\\`*_\[\]<>#|])")


def label(key: str, lang: Lang) -> str:
    """Return an export label in ``lang``."""
    en, fr = _LABELS[key]
    return fr if lang == "fr" else en


def escape(text: str) -> str:
    """Escape the Markdown and HTML syntax in a writer's text."""
    return _ESCAPE.sub(r"\\\1", text.replace("\n", " "))


def source_text(src: SourceRef, lang: Lang) -> str:
    """Return what a footnote says of a source (without its id).

    A fact's sentence already names it; a passage shows its title, then an excerpt.
    """
    if src.kind == "fact":
        return src.detail or src.label
    note = f" ({label('untrusted', lang)})" if src.untrusted else ""
    return f"{src.label}{note}: {src.detail}" if src.detail else f"{src.label}{note}"


def header_lines(document: Document) -> list[str]:
    """Return the metadata lines shown under the title (shared with the DOCX export)."""
    lang = document.language
    colon = " : " if lang == "fr" else ": "
    lines = []
    if document.account_name:
        lines.append(f"{label('account', lang)}{colon}{document.account_name} "
                     f"({document.account_external_id})")
    writer = document.writer
    if document.fallback_used:
        writer += f" ({label('fallback', lang)}{colon}{document.fallback_reason or '-'})"
    lines.append(f"{label('version', lang)} {document.version} · {label('as_of', lang)} "
                 f"{document.as_of.isoformat()} · {label('writer', lang)}{colon}{writer}")
    g = document.guard
    coverage = round(100 * g.citation_coverage)
    state = label("passed" if g.passed else "failed", lang)
    percent = f"{coverage}\u00a0%" if lang == "fr" else f"{coverage}%"
    line = (f"{label('guard', lang)}{colon}{state} ({g.statements} "
            f"{label('statements', lang)}, {percent} {label('cited', lang)})")
    if g.repaired_sections:
        line += f"; {label('repaired', lang)}{colon}{', '.join(g.repaired_sections)}"
    lines.append(line)
    if document.revised_sections:
        lines.append(f"{label('revised', lang)}{colon}{', '.join(document.revised_sections)}")
    return lines


def render_markdown(document: Document) -> str:
    """Return the document as Markdown with footnoted citations."""
    lang = document.language
    numbers = {s.id: n for n, s in enumerate(document.sources, start=1)}
    out = [f"# {escape(document.title)}", ""]
    out += [f"*{escape(line)}*  " for line in header_lines(document)]
    out.append("")
    for section in document.sections:
        out += [f"## {escape(section.title)}", ""]
        for st in section.statements:
            refs = "".join(f"[^{numbers[c]}]" for c in dict.fromkeys(st.citations)
                           if c in numbers)
            out.append(f"- {escape(st.text)}{refs}")
        out.append("")
    if document.sources:
        out += ["---", "", f"**{label('sources', lang)}**", ""]
        for n, src in enumerate(document.sources, start=1):
            out.append(f"[^{n}]: {escape(source_text(src, lang))} `{src.id}`")
        out.append("")
    return "\n".join(out)
