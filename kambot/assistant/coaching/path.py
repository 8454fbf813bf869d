"""Load the ordered path of checkpoints (``knowledge/programme_path.yaml``).

Each checkpoint has a title, why it matters and how to meet it in French and English,
and the methodology chunk ids it cites per language. The ids must match the rules of
:mod:`kambot.core.programme_path`, in the same order; a mismatch is a ConfigError.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kambot.core.programme_path import CHECKPOINTS
from kambot.domain.documents import Lang
from kambot.errors import ConfigError

PATH_FILE = "programme_path.yaml"
LANGS: tuple[Lang, ...] = ("en", "fr")


@dataclass(frozen=True)
class Advice:
    """Title, why, how and citations of a checkpoint (or of the final advice)."""

    id: str
    step: int
    title: dict[Lang, str]
    why: dict[Lang, str]
    how: dict[Lang, str]
    citations: dict[Lang, tuple[str, ...]]


@dataclass(frozen=True)
class ProgrammePath:
    """The checkpoints in order, and the advice once they are all met."""

    checkpoints: tuple[Advice, ...]
    complete: Advice
    methodology: dict[Lang, tuple[str, ...]]

    def get(self, checkpoint_id: str) -> Advice:
        """Return a checkpoint's advice by id.

        Raises:
            ConfigError: unknown id.
        """
        for c in self.checkpoints:
            if c.id == checkpoint_id:
                return c
        raise ConfigError(f"the programme path has no checkpoint {checkpoint_id!r}",
                          hint="check knowledge/programme_path.yaml")

    def cited(self) -> list[str]:
        """Return every chunk id the path cites."""
        ids: list[str] = []
        for advice in (*self.checkpoints, self.complete):
            for lang in LANGS:
                ids += advice.citations[lang]
        for lang in LANGS:
            ids += self.methodology[lang]
        return list(dict.fromkeys(ids))


def _fail(path: Path, where: str, message: str) -> ConfigError:
    return ConfigError(f"programme path {path}: {where}: {message}",
                       hint="fix the file; see the comments at its top")


def _text(raw: Any, path: Path, where: str) -> dict[Lang, str]:
    if not isinstance(raw, dict) or set(raw) - set(LANGS):
        raise _fail(path, where, "expected {en: ..., fr: ...} (quote texts with commas)")
    out: dict[Lang, str] = {}
    for lang in LANGS:
        value = raw.get(lang)
        if not isinstance(value, str) or not value.strip():
            raise _fail(path, where, f"missing the {lang} text")
        out[lang] = " ".join(value.split())
    return out


def _ids(raw: Any, path: Path, where: str) -> dict[Lang, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise _fail(path, where, "expected {en: [chunk ids], fr: [chunk ids]}")
    out: dict[Lang, tuple[str, ...]] = {}
    for lang in LANGS:
        items = raw.get(lang)
        if not isinstance(items, list) or not items:
            raise _fail(path, where, f"cite at least one {lang} chunk id")
        bad = [i for i in items if not str(i).startswith(f"{lang}/")]
        if bad:
            raise _fail(path, where, f"{', '.join(map(str, bad))} is not a {lang}/ chunk id")
        out[lang] = tuple(str(i) for i in items)
    return out


def _advice(raw: Any, path: Path, where: str, default_id: str, step: int) -> Advice:
    if not isinstance(raw, dict):
        raise _fail(path, where, "expected a mapping")
    return Advice(id=str(raw.get("id", default_id)), step=int(raw.get("step", step)),
                  title=_text(raw.get("title"), path, f"{where}.title"),
                  why=_text(raw.get("why"), path, f"{where}.why"),
                  how=_text(raw.get("how"), path, f"{where}.how"),
                  citations=_ids(raw.get("citations"), path, f"{where}.citations"))


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> ProgrammePath:
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"programme path {p}: not valid YAML ({exc})",
                          hint="fix the YAML syntax") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("checkpoints"), list):
        raise _fail(p, "top level", "expected a mapping with a list of checkpoints")
    checkpoints = tuple(_advice(c, p, f"checkpoints[{i}]", "", 0)
                        for i, c in enumerate(raw["checkpoints"]))
    ids = tuple(c.id for c in checkpoints)
    if ids != CHECKPOINTS:
        raise _fail(p, "checkpoints", f"expected the ids {', '.join(CHECKPOINTS)} in this order")
    last = max(c.step for c in checkpoints) + 1
    return ProgrammePath(checkpoints=checkpoints,
                         complete=_advice(raw.get("complete"), p, "complete", "complete", last),
                         methodology=_ids(raw.get("methodology"), p, "methodology"))


def load_path(knowledge_dir: Path) -> ProgrammePath:
    """Load ``<knowledge_dir>/programme_path.yaml`` (cached until the file changes).

    Raises:
        ConfigError: the file is missing or invalid.
    """
    path = knowledge_dir / PATH_FILE
    if not path.is_file():
        raise ConfigError(f"the programme path {path} is missing",
                          hint="restore knowledge/programme_path.yaml")
    return _load(str(path), path.stat().st_mtime)
