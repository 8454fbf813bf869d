"""Load the methodology corpus: Markdown files with a YAML front matter.

Layout: ``knowledge/methodology/<lang>/<id>.md``. Each file starts with

```
---
id: segmentation
title: Segmenting the portfolio
topic: selection
step: 2
language: en
version: 1
---
# Segmenting the portfolio
## Less is more
...
```

The front matter is read with ``yaml.safe_load``; anything wrong with it is a
:class:`~kambot.errors.DataError` naming the file and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kambot.errors import DataError
from kambot.retrieval.text import LANGS, Lang

REQUIRED_FIELDS: tuple[str, ...] = ("id", "title", "topic", "step", "language", "version")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Section:
    """A ``##`` section (or the text before the first one, with an empty heading)."""

    heading: str
    body: str


@dataclass(frozen=True)
class Document:
    """A parsed methodology document."""

    id: str
    title: str
    topic: str
    step: str
    language: Lang
    version: str
    sections: tuple[Section, ...]
    path: Path
    extra: dict[str, Any]


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    """Separate the YAML front matter from the Markdown body.

    Args:
        text: the whole file.
        source: the file name, used in error messages.

    Returns:
        The parsed front matter and the body after it.

    Raises:
        DataError: when the front matter is missing, unterminated, not YAML or not a
            mapping.
    """
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise DataError(f"{source}: no front matter",
                        hint="start the file with a `---` line, the YAML fields, then `---`")
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        raise DataError(f"{source}: the front matter is not closed",
                        hint="end the YAML block with a `---` line")
    try:
        meta = yaml.safe_load("".join(lines[1:end]))
    except yaml.YAMLError as exc:
        raise DataError(f"{source}: the front matter is not valid YAML: {exc}",
                        hint="check quotes and colons in the `---` block") from exc
    if not isinstance(meta, dict):
        raise DataError(f"{source}: the front matter must be a mapping of fields",
                        hint=f"give {', '.join(REQUIRED_FIELDS)} as `key: value` lines")
    return meta, "".join(lines[end + 1 :])


def split_sections(body: str) -> tuple[str | None, list[Section]]:
    """Split a Markdown body into its ``# Title`` and ``##`` sections.

    Headings inside fenced code blocks are ignored; ``###`` and deeper stay inside
    their ``##`` section.

    Args:
        body: Markdown text without front matter.

    Returns:
        The first ``#`` heading (None if absent) and the sections, the text before the
        first ``##`` (if any) being a section with an empty heading.
    """
    title: str | None = None
    sections: list[Section] = []
    heading = ""
    lines: list[str] = []
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            if lines and "\n".join(lines).strip():
                sections.append(Section(heading, "\n".join(lines).strip()))
            elif heading:
                sections.append(Section(heading, ""))
            heading, lines = line[3:].strip().strip("#").strip(), []
            continue
        if not in_fence and title is None and line.startswith("# "):
            title = line[2:].strip().strip("#").strip()
            continue
        lines.append(line)
    if heading or "\n".join(lines).strip():
        sections.append(Section(heading, "\n".join(lines).strip()))
    return title, [s for s in sections if s.body]


def _field(meta: dict[str, Any], name: str, source: str) -> str:
    value = meta.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DataError(f"{source}: front matter field `{name}` is missing or empty",
                        hint=f"add `{name}: ...` between the `---` lines")
    if isinstance(value, dict | list):
        raise DataError(f"{source}: front matter field `{name}` must be a single value",
                        hint=f"write `{name}: value`")
    return str(value).strip()


def parse_document(text: str, path: Path, expected_language: str | None = None) -> Document:
    """Parse one methodology file.

    Args:
        text: the file contents.
        path: the file path (its stem must equal the front matter id).
        expected_language: the language of the folder the file sits in, if any.

    Returns:
        The document with its sections.

    Raises:
        DataError: on a bad front matter, an id that differs from the file name, a
            language other than fr/en or other than the folder's, or no content.
    """
    source = str(path)
    meta, body = split_front_matter(text, source)
    values = {name: _field(meta, name, source) for name in REQUIRED_FIELDS}
    if not _ID.match(values["id"]):
        raise DataError(f"{source}: id {values['id']!r} is not a lower-case slug",
                        hint="use letters, digits, '-', '_' or '.' only, e.g. `account-plan`")
    if values["id"] != path.stem:
        raise DataError(f"{source}: front matter id {values['id']!r} differs from the file name",
                        hint=f"rename the file to {values['id']}.md or fix the id")
    language = values["language"].lower()
    if language not in LANGS:
        raise DataError(f"{source}: language {values['language']!r} is not fr or en",
                        hint="write `language: fr` or `language: en`")
    if expected_language and language != expected_language:
        raise DataError(f"{source}: language {language!r} but the file is in the "
                        f"{expected_language}/ folder",
                        hint="move the file or fix its `language:`")
    title, sections = split_sections(body)
    if not sections:
        raise DataError(f"{source}: the document has no text after its front matter",
                        hint="add `## Section` headings with paragraphs")
    extra = {k: v for k, v in meta.items() if k not in REQUIRED_FIELDS}
    return Document(
        id=values["id"],
        title=values["title"] or title or values["id"],
        topic=values["topic"],
        step=values["step"],
        language=language,  # type: ignore[arg-type]
        version=values["version"],
        sections=tuple(sections),
        path=path,
        extra=extra,
    )


def load_document(path: Path, expected_language: str | None = None) -> Document:
    """Read and parse one methodology file.

    Args:
        path: the Markdown file.
        expected_language: the folder's language, checked against the front matter.

    Returns:
        The parsed document.

    Raises:
        DataError: when the file cannot be read as UTF-8 or does not parse.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text", hint="save the file as UTF-8") from exc
    except OSError as exc:
        raise DataError(f"{path}: cannot be read: {exc}", hint="check the file") from exc
    return parse_document(text, path, expected_language)


def methodology_files(methodology_dir: Path) -> list[tuple[Lang, Path]]:
    """List ``<lang>/*.md`` files under the methodology folder, sorted for stability."""
    found: list[tuple[Lang, Path]] = []
    for lang in LANGS:
        folder = methodology_dir / lang
        if folder.is_dir():
            found.extend((lang, p) for p in sorted(folder.glob("*.md")) if p.is_file())
    return found


def load_corpus(methodology_dir: Path) -> list[Document]:
    """Load every methodology document under ``methodology_dir/{fr,en}``.

    Args:
        methodology_dir: usually ``settings.knowledge_dir / "methodology"``.

    Returns:
        The documents, French then English, sorted by file name.

    Raises:
        DataError: on the first file that does not parse (the message names it).
    """
    return [load_document(path, lang) for lang, path in methodology_files(methodology_dir)]
