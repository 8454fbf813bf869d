"""Loading methodology Markdown: front matter validation and sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from kambot.errors import DataError
from kambot.retrieval.corpus import load_corpus, load_document, parse_document, split_sections

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "knowledge" / "methodology"

GOOD = """---
id: demo
title: Demo document
topic: selection
step: 1
language: en
version: 2
---
# Demo document

Intro text before any section.

## First section

Body one.

### A sub-heading stays inside

More body.

## Second section

Body two.
"""


def test_parses_front_matter_and_sections() -> None:
    document = parse_document(GOOD, Path("en/demo.md"), "en")
    assert (document.id, document.title, document.topic, document.step) == (
        "demo", "Demo document", "selection", "1")
    assert document.version == "2"
    assert [s.heading for s in document.sections] == ["", "First section", "Second section"]
    assert "### A sub-heading stays inside" in document.sections[1].body


def test_headings_inside_code_fences_are_not_sections() -> None:
    title, sections = split_sections("# T\n## A\n```\n## not a heading\n```\ntext\n## B\nx\n")
    assert title == "T"
    assert [s.heading for s in sections] == ["A", "B"]
    assert "## not a heading" in sections[0].body


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("# no front matter\n", "no front matter"),
        ("---\nid: demo\n", "not closed"),
        ("---\nid: [unclosed\n---\n## A\nx\n", "not valid YAML"),
        ("---\n- a list\n---\n## A\nx\n", "must be a mapping"),
        ("---\nid: demo\ntitle: T\ntopic: t\nstep: 1\nlanguage: en\n---\n## A\nx\n",
         "`version` is missing"),
        ("---\nid: other\ntitle: T\ntopic: t\nstep: 1\nlanguage: en\nversion: 1\n---\n## A\nx\n",
         "differs from the file name"),
        ("---\nid: demo\ntitle: T\ntopic: t\nstep: 1\nlanguage: de\nversion: 1\n---\n## A\nx\n",
         "is not fr or en"),
        ("---\nid: demo\ntitle: T\ntopic: t\nstep: 1\nlanguage: fr\nversion: 1\n---\n## A\nx\n",
         "en/ folder"),
        ("---\nid: demo\ntitle: T\ntopic: [a, b]\nstep: 1\nlanguage: en\nversion: 1\n---\n## A\n",
         "single value"),
        ("---\nid: demo\ntitle: T\ntopic: t\nstep: 1\nlanguage: en\nversion: 1\n---\n", "no text"),
    ],
)
def test_bad_front_matter_is_a_data_error_naming_the_file(text: str, fragment: str) -> None:
    with pytest.raises(DataError) as info:
        parse_document(text, Path("/k/methodology/en/demo.md"), "en")
    assert "/k/methodology/en/demo.md" in str(info.value)
    assert fragment in str(info.value)
    assert info.value.hint


def test_unreadable_file_is_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "demo.md"
    path.write_bytes(b"---\nid: demo\xff\xfe\n---\n")
    with pytest.raises(DataError, match="not UTF-8"):
        load_document(path)


def test_loads_the_fixture_corpus_in_both_languages() -> None:
    documents = load_corpus(FIXTURES)
    assert sorted((d.language, d.id) for d in documents) == [
        ("en", "segmentation"), ("en", "sponsorship"), ("fr", "segmentation")]


def test_load_corpus_of_missing_folder_is_empty(tmp_path: Path) -> None:
    assert load_corpus(tmp_path / "nothing") == []
