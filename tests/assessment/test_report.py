"""The HR report in Markdown and DOCX."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from kambot.domain.assessment import Decision, DecisionKind, Trait
from kambot.exports.assessment_report import (
    assessment_docx,
    assessment_markdown,
    escape_markdown,
)

from .conftest import Case
from .test_levels import assess_case


def _decided(bundle, cases: list[Case]):
    case = next(c for c in cases if c.file == "en_global_kam.md")
    assessment = assess_case(bundle, case, target="hunter")
    decision = Decision(kind=DecisionKind.OVERRIDDEN, reviewer="panel.chair",
                        reason="work sample shows level 5 planning", levels={Trait.PLANNER: 5},
                        at=datetime(2026, 2, 1, tzinfo=UTC))
    return assessment.model_copy(update={"decision": decision})


def test_markdown_report_shows_scores_evidence_and_decision(bundle, cases: list[Case]) -> None:
    assessment = _decided(bundle, cases)
    names = {t.key: t.name.en for t in bundle.rubric.traits}
    text = assessment_markdown(assessment, trait_names=names)
    assert "# Assessment of en\\_global\\_kam against the Hunter profile" in text
    assert "**OVERRIDDEN**" in text
    assert "| Influencer | 15 | 4 | - | 4 |" in text
    assert "Led a virtual account team of 18 people across 6 countries" in text
    assert "work sample shows level 5 planning" in text
    assert "Planner 5" in text
    assert assessment.input_sha256 in text
    assert "Overall:" in text


def test_french_report(bundle, cases: list[Case]) -> None:
    case = next(c for c in cases if c.file == "fr_kam_confirme.txt")
    assessment = assess_case(bundle, case, target="farmer")
    text = assessment_markdown(assessment, lang="fr")
    assert "PROPOSITION" in text and "Preuves" in text and "Questions d'entretien" in text


def test_untrusted_quotes_cannot_inject_markdown() -> None:
    hostile = "[click](http://evil.example) <script>alert(1)</script> # Heading | cell"
    escaped = escape_markdown(hostile)
    assert "](" not in escaped.replace("\\]\\(", "")
    assert "<script>" not in escaped
    assert escaped.startswith("\\[click\\]")


def test_docx_report_opens_and_holds_the_evidence(bundle, cases: list[Case], tmp_path) -> None:
    import docx

    assessment = _decided(bundle, cases)
    path = tmp_path / "report.docx"
    data = assessment_docx(assessment, path)
    assert path.read_bytes() == data
    document = docx.Document(io.BytesIO(data))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Led a virtual account team of 18 people across 6 countries" in body
    assert "panel.chair" in body
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:2] == ["Trait", "Weight"]
    assert len(table.rows) == 7
