"""Load and validate the trait rubric, the archetype presets and the question bank.

Files (in ``settings.knowledge_dir / "rubrics"``): ``traits.yaml`` (six traits, five
anchored levels, indicators, extraction hints, competencies), ``archetypes.yaml``
(hunter, farmer, project-director presets) and ``interview_questions.yaml``. Any problem
is a :class:`~kambot.errors.DataError` naming the file and the key. Patterns are compiled
once per file version; in them ``.`` stands for an apostrophe.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kambot.assistant.assessment.fastre import Matcher, lower_literals
from kambot.assistant.assessment.text import fold_pattern
from kambot.domain.assessment import (
    TRAITS,
    LocalText,
    Rubric,
    TargetProfile,
    Trait,
)
from kambot.errors import DataError

RUBRIC_DIR = "rubrics"
TRAITS_FILE = "traits.yaml"
ARCHETYPES_FILE = "archetypes.yaml"
QUESTIONS_FILE = "interview_questions.yaml"


@dataclass(frozen=True)
class CompiledPattern:
    """A rubric extraction hint, ready to run on folded text."""

    owner: str  # trait or competency key
    lang: str
    index: int
    source: str
    matcher: Matcher

    @property
    def regex(self) -> re.Pattern[str]:
        """Return the compiled pattern (it runs on folded, lowercase text)."""
        return self.matcher.regex

    @property
    def ref(self) -> str:
        """Return a stable id such as ``leader.en.3``."""
        return f"{self.owner}.{self.lang}.{self.index}"


@dataclass(frozen=True)
class Question:
    """A structured-interview question and what the panel listens for."""

    text: LocalText
    probe: LocalText | None


@dataclass(frozen=True)
class RubricBundle:
    """Everything the assessment reads from the knowledge folder."""

    rubric: Rubric
    archetypes: dict[str, TargetProfile]
    questions: dict[Trait, list[Question]]
    trait_patterns: dict[Trait, list[CompiledPattern]]
    competency_patterns: dict[str, list[CompiledPattern]]
    version: str

    def profile(self, key: str) -> TargetProfile:
        """Return an archetype preset by key.

        Raises:
            DataError: no such archetype.
        """
        try:
            return self.archetypes[key]
        except KeyError:
            raise DataError(
                f"unknown target profile {key!r}",
                hint=f"use one of: {', '.join(sorted(self.archetypes))}",
            ) from None


def apostrophe_dots(pattern: str) -> str:
    """Turn the rubric's bare ``.`` (an apostrophe) into a plain apostrophe.

    Escaped dots and dots inside character classes keep their regex meaning. Text is
    folded before matching, so every apostrophe form reads as ``'``.
    """
    out: list[str] = []
    in_class = False
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            if ch == "]":
                in_class = False
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif ch == ".":
            out.append("'")
        else:
            out.append(ch)
    return "".join(out)


def _read_yaml(path: Path) -> tuple[Any, bytes]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read: {exc.strerror or exc}",
                        hint="check KAMBOT_KNOWLEDGE_DIR") from exc
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(raw, Loader=loader), raw
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: invalid YAML: {exc}", hint="fix the syntax") from exc


def _loc(parts: tuple[int | str, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


def _validation_error(path: Path, exc: ValidationError, prefix: str = "") -> DataError:
    first = exc.errors()[0]
    key = _loc(tuple(first["loc"]))
    where = f"{prefix}.{key}" if prefix and key != "(root)" else (prefix or key)
    return DataError(f"{path}: {where}: {first['msg']}",
                     hint="fix this key of the rubric file", file=str(path), key=where)


def _need(path: Path, data: Any, key: str, kind: type, where: str = "") -> Any:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, kind):
        shown = f"{where}.{key}" if where else key
        raise DataError(f"{path}: {shown}: missing or not a {kind.__name__}",
                        hint="compare with the rubric file shipped with kambot",
                        file=str(path), key=shown)
    return value


def _compile(path: Path, owner: str, patterns: dict[str, list[str]],
             where: str) -> list[CompiledPattern]:
    compiled: list[CompiledPattern] = []
    for lang, items in sorted(patterns.items()):
        for index, source in enumerate(items):
            try:
                # Text is folded to lowercase before matching: no IGNORECASE, which
                # would also defeat the literal pre-check.
                regex = re.compile(lower_literals(fold_pattern(apostrophe_dots(source))))
            except re.error as exc:
                key = f"{where}.patterns.{lang}[{index}]"
                raise DataError(f"{path}: {key}: invalid regular expression ({exc})",
                                hint="fix the pattern", file=str(path), key=key) from exc
            compiled.append(CompiledPattern(owner, lang, index, source, Matcher(regex)))
    return compiled


def _parse_rubric(path: Path, data: Any, digest: str) -> Rubric:
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected a mapping at the top", hint="check the file")
    scale = _need(path, data, "scale", dict)
    levels = _need(path, scale, "levels", list, "scale")
    labels: dict[int, Any] = {}
    for i, item in enumerate(levels):
        if not isinstance(item, dict) or "level" not in item or "label" not in item:
            raise DataError(f"{path}: scale.levels[{i}]: needs level and label",
                            hint="fix this key", file=str(path), key=f"scale.levels[{i}]")
        labels[item["level"]] = item["label"]
    insufficient = _need(path, scale, "insufficient_evidence", dict, "scale")
    payload = {
        "version": f"{data.get('version', '?')}+{digest[:12]}",
        "level_labels": labels,
        "insufficient_evidence": {k: insufficient.get(k) for k in ("en", "fr")},
        "policy": _need(path, data, "policy", dict),
        "traits": _need(path, data, "traits", list),
        "competencies": _need(path, data, "competencies", list),
    }
    try:
        return Rubric.model_validate(payload)
    except ValidationError as exc:
        raise _validation_error(path, exc) from exc


def _parse_archetypes(path: Path, data: Any, rubric: Rubric) -> dict[str, TargetProfile]:
    items = _need(path, data, "archetypes", list)
    known = set(rubric.competency_keys())
    profiles: dict[str, TargetProfile] = {}
    for i, item in enumerate(items):
        where = f"archetypes[{i}]"
        if not isinstance(item, dict):
            raise DataError(f"{path}: {where}: expected a mapping", hint="fix this key",
                            file=str(path), key=where)
        try:
            profile = TargetProfile.model_validate({
                "key": item.get("key"),
                "name": item.get("name"),
                "archetype": item.get("key"),
                "weights": item.get("weights"),
                "min_levels": item.get("min_levels") or {},
                "required_competencies": item.get("required_competencies") or [],
            })
        except ValidationError as exc:
            raise _validation_error(path, exc, where) from exc
        unknown = [c for c in profile.required_competencies if c not in known]
        if unknown:
            key = f"{where}.required_competencies"
            raise DataError(f"{path}: {key}: unknown competencies {unknown}",
                            hint=f"use keys of {TRAITS_FILE} competencies",
                            file=str(path), key=key)
        profiles[profile.key] = profile
    return profiles


def _parse_questions(path: Path, data: Any) -> dict[Trait, list[Question]]:
    traits = _need(path, data, "traits", dict)
    bank: dict[Trait, list[Question]] = {}
    for trait in TRAITS:
        items = traits.get(trait.value)
        if not isinstance(items, list) or not items:
            raise DataError(f"{path}: traits.{trait.value}: needs at least one question",
                            hint="add questions in English and French",
                            file=str(path), key=f"traits.{trait.value}")
        questions: list[Question] = []
        for i, item in enumerate(items):
            where = f"traits.{trait.value}[{i}]"
            try:
                text = LocalText.model_validate({"en": item.get("en"), "fr": item.get("fr")})
                probe = LocalText.model_validate(item["probe"]) if item.get("probe") else None
            except (ValidationError, AttributeError) as exc:
                raise DataError(f"{path}: {where}: needs en and fr texts",
                                hint="fix this question", file=str(path), key=where) from exc
            questions.append(Question(text, probe))
        bank[trait] = questions
    return bank


_CACHE: dict[tuple[str, ...], RubricBundle] = {}
_LOCK = threading.Lock()


def _stamp(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return f"{path}:missing"
    return f"{path}:{stat.st_mtime_ns}:{stat.st_size}"


def load_rubric(knowledge_dir: Path) -> RubricBundle:
    """Load, validate and compile the rubric files (cached until a file changes).

    Args:
        knowledge_dir: the knowledge folder (``settings.knowledge_dir``).

    Returns:
        The rubric, the archetype presets, the question bank and compiled patterns.

    Raises:
        DataError: a file is missing or invalid; the message names the file and key.
    """
    folder = knowledge_dir / RUBRIC_DIR
    paths = (folder / TRAITS_FILE, folder / ARCHETYPES_FILE, folder / QUESTIONS_FILE)
    key = tuple(_stamp(p) for p in paths)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    traits_data, traits_raw = _read_yaml(paths[0])
    digest = hashlib.sha256(traits_raw).hexdigest()
    rubric = _parse_rubric(paths[0], traits_data, digest)
    archetypes_data, _ = _read_yaml(paths[1])
    archetypes = _parse_archetypes(paths[1], archetypes_data, rubric)
    questions_data, _ = _read_yaml(paths[2])
    questions = _parse_questions(paths[2], questions_data)
    trait_patterns = {
        t.key: _compile(paths[0], t.key.value, {str(k): v for k, v in t.patterns.items()},
                        f"traits[{t.key.value}]")
        for t in rubric.traits
    }
    competency_patterns = {
        c.key: _compile(paths[0], c.key, {str(k): v for k, v in c.patterns.items()},
                        f"competencies[{c.key}]")
        for c in rubric.competencies
    }
    bundle = RubricBundle(rubric, archetypes, questions, trait_patterns, competency_patterns,
                          rubric.version)
    with _LOCK:
        _CACHE[key] = bundle
    return bundle
