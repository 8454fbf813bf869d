"""The assessment use case end to end (offline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kambot.assistant.assessment import assess_file, assess_text, resolve_target
from kambot.assistant.assessment.rubric import load_rubric
from kambot.config import Settings
from kambot.domain.assessment import SourceKind, Trait
from kambot.errors import DataError, LimitExceededError

from .conftest import CVS
from .docs import make_docx, make_pdf


def test_interview_notes_add_evidence(settings: Settings) -> None:
    cv = (CVS / "fr_kam_entretien_cv.txt").read_text(encoding="utf-8")
    notes = (CVS / "fr_kam_entretien_notes.txt").read_text(encoding="utf-8")
    cv_only = assess_text(settings, cv, target="farmer", lang="fr",
                          candidate_name="Sophie Garnier")
    both = assess_text(settings, cv, target="farmer", lang="fr", interview_notes=notes,
                       candidate_name="Sophie Garnier")
    assert cv_only.score(Trait.LEADER).level is None
    assert both.score(Trait.LEADER).level == 4
    assert {e.source for e in both.evidence} == {SourceKind.CV, SourceKind.INTERVIEW}
    assert both.redactions.get("pronoun", 0) >= 4
    assert [s.kind for s in both.sources] == [SourceKind.CV, SourceKind.INTERVIEW]
    notes_only = assess_text(settings, None, target="farmer", lang="fr", interview_notes=notes)
    assert notes_only.score(Trait.LEADER).level == 4


def test_questions_for_traits_without_evidence(settings: Settings) -> None:
    text = (CVS / "en_service_rep.txt").read_text(encoding="utf-8")
    result = assess_text(settings, text, target="hunter", lang="en")
    asked = {q.trait for q in result.questions}
    assert {Trait.CHALLENGER, Trait.VISIONARY, Trait.INFLUENCER} <= asked
    assert all("Listen for" in q.question for q in result.questions)
    assert result.fit.assessed_weight == 30
    assert result.overall_recommendation is None


def test_edited_target_profile(settings: Settings) -> None:
    bundle = load_rubric(settings.knowledge_dir)
    edited = bundle.profile("hunter").adjust(
        "programme focused on share of wallet",
        weights={Trait.SELLER: 35, Trait.PLANNER: 5})
    text = (CVS / "en_hunter.txt").read_text(encoding="utf-8")
    result = assess_text(settings, text, target=edited, lang="en")
    assert result.target.adjustments == ["programme focused on share of wallet"]
    broken = edited.model_copy(update={"required_competencies": ["juggling"]})
    with pytest.raises(DataError, match="juggling"):
        resolve_target(bundle, broken)
    with pytest.raises(DataError, match="unknown target profile"):
        assess_text(settings, text, target="gardener")


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_same_levels_from_word_and_pdf(settings: Settings, engine, tmp_path: Path,
                                       fmt: str) -> None:
    source = CVS / "en_hunter.txt"
    lines = source.read_text(encoding="utf-8").split("\n")
    path = tmp_path / f"cv.{fmt}"
    path.write_bytes(make_docx(lines) if fmt == "docx" else make_pdf(lines))
    converted = assess_file(settings, engine, path, target="hunter", lang="en",
                            candidate_ref=f"C-{fmt}")
    plain = assess_file(settings, engine, source, target="hunter", lang="en",
                        candidate_ref="C-txt")
    assert converted.levels() == plain.levels()
    assert converted.sources[0].format == fmt


def test_inputs_are_checked(settings: Settings, engine, tmp_path: Path) -> None:
    small = settings.model_copy(update={"max_import_bytes": 100})
    with pytest.raises(LimitExceededError):
        assess_file(small, engine, CVS / "en_global_kam.md", target="hunter",
                    candidate_ref="C-1")
    with pytest.raises(DataError, match="reference"):
        assess_file(settings, engine, CVS / "en_global_kam.md", target="hunter",
                    candidate_ref=" ")
    with pytest.raises(DataError, match="nothing to assess"):
        assess_file(settings, engine, None, target="hunter", candidate_ref="C-1")
