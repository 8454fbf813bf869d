"""Loading and validating the rubric, the archetype presets and the question bank."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kambot.assistant.assessment.rubric import apostrophe_dots, load_rubric
from kambot.assistant.assessment.text import fold
from kambot.domain.assessment import TRAITS
from kambot.errors import DataError

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


def _copy_knowledge(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE / "rubrics", target / "rubrics")
    return target


def test_shipped_rubric_loads_with_six_traits_and_three_presets(bundle) -> None:
    assert [t.key for t in bundle.rubric.traits] == list(TRAITS)
    assert set(bundle.archetypes) == {"hunter", "farmer", "project_director"}
    for profile in bundle.archetypes.values():
        assert sum(profile.weights.values()) == 100
        assert set(profile.required_competencies) <= set(bundle.rubric.competency_keys())
    assert bundle.version.startswith("1+")
    for trait in TRAITS:
        assert bundle.questions[trait], trait
        assert all(q.text.en and q.text.fr for q in bundle.questions[trait])


def test_patterns_compile_and_dot_reads_as_apostrophe(bundle) -> None:
    seller = {p.source: p for p in bundle.trait_patterns[TRAITS[2]]}
    club = seller["president.s\\s+club|top\\s+(performer|seller)"]
    assert club.regex.search(fold("President’s Club 2021"))
    assert club.regex.search(fold("president's club"))
    assert not club.regex.search(fold("presidents club"))
    assert apostrophe_dots(r"\d+(?:[.,]\d+)?\.x d.offres") == r"\d+(?:[.,]\d+)?\.x d'offres"


def test_rubric_is_cached_until_a_file_changes(tmp_path: Path) -> None:
    knowledge = _copy_knowledge(tmp_path)
    first = load_rubric(knowledge)
    assert load_rubric(knowledge) is first
    path = knowledge / "rubrics" / "archetypes.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert load_rubric(knowledge) is not first


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("traits.yaml", "      - level: 5\n        anchor:", "      - level: 4\n        anchor:",
         "traits.yaml: traits[0].levels"),
        ("traits.yaml", r"'\bteam\s+of\s+\d+", r"'\bteam\s+of\s+(\d+",
         "traits[leader].patterns.en"),
        ("archetypes.yaml", "      seller: 30\n", "      seller: 35\n", "archetypes[0]"),
        ("archetypes.yaml", "      - value_selling\n", "      - telepathy\n",
         "archetypes[0].required_competencies"),
        ("interview_questions.yaml", "  visionary:", "  visionnaire:", "traits.visionary"),
    ],
)
def test_invalid_files_raise_data_error_naming_file_and_key(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    knowledge = _copy_knowledge(tmp_path)
    path = knowledge / "rubrics" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_rubric(knowledge)
    assert expected in str(info.value)
    assert file in str(info.value)


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    knowledge = _copy_knowledge(tmp_path)
    (knowledge / "rubrics" / "interview_questions.yaml").unlink()
    with pytest.raises(DataError, match=r"interview_questions\.yaml"):
        load_rubric(knowledge)


def test_unknown_profile_lists_the_presets(bundle) -> None:
    with pytest.raises(DataError, match="farmer"):
        bundle.profile("gardener")
