"""The interview guide, the prompts and the methodology they cite."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kambot.assistant.interview.guide import LANGS, load_guide, parse_guide
from kambot.config import Settings
from kambot.domain.programme import StrategicCause
from kambot.errors import ConfigError
from kambot.retrieval.chunking import chunk_document
from kambot.retrieval.corpus import load_corpus

KNOWLEDGE = Settings(_env_file=None).knowledge_dir  # type: ignore[call-arg]
BRIEF_THEMES = ("strategic_challenges", "expected_results", "customer_segments", "resources",
                "sponsorship", "concerns", "governance")


def chunk_ids() -> set[str]:
    return {c.id for d in load_corpus(KNOWLEDGE / "methodology") for c in chunk_document(d)}


def test_guide_covers_the_themes_in_both_languages() -> None:
    guide = load_guide(KNOWLEDGE)
    assert guide.theme_ids == BRIEF_THEMES
    assert {c.key for c in guide.causes} == {c.value for c in StrategicCause}
    for theme in guide.themes:
        assert theme.questions and not theme.questions[0].optional
        for lang in LANGS:
            assert theme.title.get(lang) and theme.goal.get(lang)
            for q in theme.questions:
                assert q.text.get(lang).endswith("?"), (theme.id, q.id, lang)
            for reason in (*theme.wants, "short", "vague"):
                if reason != "substance":
                    assert "?" in guide.probe(theme, reason, lang)
    assert guide.intro.get("fr") != guide.intro.get("en")
    sponsorship = guide.theme("sponsorship")
    assert any(q.records == "commitments" for q in sponsorship.questions)


def test_every_cited_chunk_exists() -> None:
    ids = chunk_ids()
    cited = load_guide(KNOWLEDGE).citations()
    assert len(cited) >= 14
    assert [c for c in cited if c not in ids] == []
    assert {c.split("/")[0] for c in cited} == {"en", "fr"}


def test_a_broken_guide_is_refused_with_the_field(tmp_path: Path) -> None:
    raw = yaml.safe_load((KNOWLEDGE / "interview_guide.yaml").read_text(encoding="utf-8"))
    del raw["themes"][1]["questions"][0]["text"]["fr"]
    with pytest.raises(ConfigError, match=r"expected_results.*missing the fr text"):
        parse_guide(raw, tmp_path / "g.yaml")
    raw = yaml.safe_load((KNOWLEDGE / "interview_guide.yaml").read_text(encoding="utf-8"))
    raw["themes"][0]["wants"].append("colour")
    with pytest.raises(ConfigError, match="wants"):
        parse_guide(raw, tmp_path / "g.yaml")
    raw = yaml.safe_load((KNOWLEDGE / "interview_guide.yaml").read_text(encoding="utf-8"))
    raw["causes"].pop("innovation")
    with pytest.raises(ConfigError, match="causes"):
        parse_guide(raw, tmp_path / "g.yaml")
    with pytest.raises(ConfigError, match="missing"):
        load_guide(tmp_path)


def test_prompts_load_in_both_languages() -> None:
    from kambot.assistant.interview.model import PROBE_PROMPT, PROMPTS_DIR, RECORD_PROMPT
    from kambot.llm.prompts import load_prompt

    for lang in LANGS:
        probe = load_prompt(PROMPTS_DIR, PROBE_PROMPT, lang)
        assert set(probe.variables) == {"theme", "goal", "reason", "question", "answers"}
        assert "untrusted_data" in probe.system
        assert {"short", "vague", "figure", "name", "tags", "stance"} <= set(probe.kinds)
        record = load_prompt(PROMPTS_DIR, RECORD_PROMPT, lang)
        assert set(record.variables) == {"themes", "causes", "transcript"}
        assert "untrusted_data" in record.system
