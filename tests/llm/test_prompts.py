"""Prompt files: every shipped prompt loads; broken ones are refused with a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from kambot.config import PROJECT_ROOT
from kambot.domain.documents import DOCUMENT_KINDS
from kambot.errors import ConfigError
from kambot.llm.prompts import load_all, load_prompt

PROMPTS = PROJECT_ROOT / "prompts"

VALID = """\
id: demo
version: 2
language: en
description: a test prompt
variables: [name, facts]
system: |
  You help {{ name }}.
user: |
  Facts: {{facts}}
"""


def test_every_shipped_prompt_loads_in_both_languages() -> None:
    prompts = load_all(PROMPTS)
    by_id: dict[str, dict[str, object]] = {}
    for p in prompts:
        by_id.setdefault(p.id, {})[p.language] = p
    assert by_id, "no prompt shipped"
    for pid, langs in by_id.items():
        assert set(langs) == {"fr", "en"}, f"{pid} lacks a language"
    draft = {lang: load_prompt(PROMPTS, "draft_document", lang) for lang in ("fr", "en")}
    assert draft["fr"].variables == draft["en"].variables
    for p in draft.values():
        assert set(p.kinds) == set(DOCUMENT_KINDS)
        assert "untrusted_data" in p.system  # untrusted text is declared as data
        system, user = p.render(**{v: f"<{v}>" for v in p.variables})
        assert "{{" not in system + user and "<facts>" in user


def _write(tmp_path: Path, text: str, lang: str = "en", name: str = "demo") -> Path:
    folder = tmp_path / lang
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_valid_prompt_renders_and_names_its_version(tmp_path: Path) -> None:
    prompt = load_prompt(_write(tmp_path, VALID), "demo", "en")
    assert prompt.ref == "demo@2/en"
    system, user = prompt.render(name="Ana", facts="[x] y")
    assert system == "You help Ana.\n" and user == "Facts: [x] y\n"


@pytest.mark.parametrize(("broken", "message"), [
    (VALID.replace("variables: [name, facts]", "variables: [name]"), "not declared"),
    (VALID.replace("variables: [name, facts]", "variables: [name, facts, extra]"),
     "never used"),
    (VALID.replace("version: 2\n", ""), "missing field"),
    (VALID.replace("id: demo", "id: other"), "differs from the file name"),
    (VALID.replace("language: en", "language: fr"), "must be fr or en and match"),
    (VALID.replace("Facts: {{facts}}", "Facts: {{facts}} {{ bad-name }}"), "malformed"),
    ("id: [unclosed", "not valid YAML"),
    ("- a list", "mapping"),
])
def test_broken_prompts_are_refused(tmp_path: Path, broken: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_prompt(_write(tmp_path, broken), "demo", "en")


def test_rendering_without_a_variable_is_an_error(tmp_path: Path) -> None:
    prompt = load_prompt(_write(tmp_path, VALID), "demo", "en")
    with pytest.raises(ConfigError, match="missing variable"):
        prompt.render(name="Ana")
    with pytest.raises(ConfigError, match="unknown variable"):
        prompt.render(name="Ana", facts="", other="x")


def test_a_missing_prompt_file_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_prompt(tmp_path, "draft_document", "fr")
