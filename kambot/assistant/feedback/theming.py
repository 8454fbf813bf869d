"""Give a piece of feedback its theme, deterministically (glossary concepts and terms).

The themes are data (``themes.yaml`` beside this module): each names glossary concepts
(``knowledge/glossary.yaml``, both languages) and terms of its own. Matching is done on
accent-folded, lower-cased text with :class:`~kambot.core.interview_coverage.TermSet`;
glossary terms also match simple endings (plurals, "-ing"). The theme with the highest
score wins, ties to the theme listed first; nothing found gives ``other``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kambot.core.interview_coverage import TermSet, fold
from kambot.domain.documents import Lang
from kambot.errors import ConfigError

THEMES_FILE = Path(__file__).resolve().parent / "themes.yaml"
OTHER = "other"
LANGS: tuple[Lang, ...] = ("en", "fr")


@dataclass(frozen=True)
class FeedbackThemeDef:
    """A theme: its id, labels, glossary concepts and compiled terms per language."""

    id: str
    label_en: str
    label_fr: str
    glossary: tuple[str, ...]
    own: dict[Lang, TermSet]

    def label(self, lang: Lang) -> str:
        """Return the theme's label in ``lang``."""
        return self.label_fr if lang == "fr" else self.label_en


@dataclass(frozen=True)
class Themes:
    """All themes, the glossary concepts they use, and the weights."""

    themes: tuple[FeedbackThemeDef, ...]
    concepts: TermSet
    glossary_weight: int
    term_weight: int
    other_en: str
    other_fr: str

    def label(self, theme_id: str, lang: Lang) -> str:
        """Return the label of a theme id (``other`` included)."""
        for t in self.themes:
            if t.id == theme_id:
                return t.label(lang)
        return self.other_fr if lang == "fr" else self.other_en

    @property
    def ids(self) -> tuple[str, ...]:
        """Return every theme id, ``other`` last."""
        return (*(t.id for t in self.themes), OTHER)

    def scores(self, text: str) -> dict[str, int]:
        """Return the score of each theme that matches a text (both languages' terms)."""
        folded = fold(text)
        concepts = set(self.concepts.find(folded))
        out: dict[str, int] = {}
        for t in self.themes:
            score = self.glossary_weight * len(concepts.intersection(t.glossary))
            own: set[str] = set()
            for lang in LANGS:
                own |= set(t.own[lang].matched_text(folded))
            score += self.term_weight * len(own)
            if score:
                out[t.id] = score
        return out

    def classify(self, text: str) -> tuple[str, dict[str, int]]:
        """Return the theme of a text and the scores behind it."""
        scores = self.scores(text)
        if not scores:
            return OTHER, {}
        order = [t.id for t in self.themes]
        best = max(scores, key=lambda k: (scores[k], -order.index(k)))
        return best, scores


def _glossary_terms(raw: Any, wanted: set[str], source: Path) -> dict[str, list[str]]:
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: expected a list of concepts",
                          hint="restore knowledge/glossary.yaml")
    out: dict[str, list[str]] = {}
    for entry in raw:
        if not isinstance(entry, dict) or entry.get("id") not in wanted:
            continue
        terms: list[str] = []
        for lang in LANGS:
            for term in entry.get(lang) or []:
                t = str(term).strip()
                # Simple endings (plurals, -ing) for words long enough not to over-match.
                last = t.split()[-1] if t.split() else ""
                terms.append(f"{t}*" if len(last) >= 4 and last.isalpha() else t)
        out[str(entry["id"])] = terms
    missing = sorted(wanted - set(out))
    if missing:
        raise ConfigError(f"the feedback themes use glossary concepts {', '.join(missing)} "
                          f"that {source} does not define",
                          hint="fix kambot/assistant/feedback/themes.yaml or the glossary")
    return out


@lru_cache(maxsize=4)
def _load(themes_path: str, themes_mtime: float, glossary_path: str,
          glossary_mtime: float) -> Themes:
    path = Path(themes_path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        glossary = yaml.safe_load(Path(glossary_path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the feedback themes: {exc}",
                          hint="check themes.yaml and knowledge/glossary.yaml") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("themes"), list):
        raise ConfigError(f"{path}: expected a mapping with a list of themes",
                          hint="see the comments at the top of the file")
    defs: list[FeedbackThemeDef] = []
    wanted: set[str] = set()
    for item in raw["themes"]:
        try:
            tid = str(item["id"])
            label = item["label"]
            if set(label) != {"en", "fr"}:
                raise ValueError(f"label must have exactly en and fr, not {sorted(label)}")
            concepts = tuple(str(c) for c in item.get("glossary") or [])
            terms = item["terms"]
            own = {lang: TermSet.build({tid: [str(t) for t in terms[lang]]}) for lang in LANGS}
            defs.append(FeedbackThemeDef(id=tid, label_en=str(label["en"]),
                                         label_fr=str(label["fr"]), glossary=concepts, own=own))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: theme {item!r} is invalid ({exc})",
                              hint="give id, label {en, fr}, glossary and terms {en, fr}"
                              ) from exc
        wanted |= set(concepts)
    if OTHER in {d.id for d in defs}:
        raise ConfigError(f"{path}: `{OTHER}` is reserved", hint="rename that theme")
    concepts_terms = _glossary_terms(glossary, wanted, Path(glossary_path))
    other = (raw.get("other") or {}).get("label") or {"en": "Other", "fr": "Autres"}
    return Themes(themes=tuple(defs), concepts=TermSet.build(concepts_terms),
                  glossary_weight=int(raw.get("glossary_weight", 2)),
                  term_weight=int(raw.get("term_weight", 2)),
                  other_en=str(other["en"]), other_fr=str(other["fr"]))


def load_themes(knowledge_dir: Path, themes_file: Path = THEMES_FILE) -> Themes:
    """Load the feedback themes and the glossary concepts they use (cached).

    Raises:
        ConfigError: a file is missing or invalid, or a theme names an unknown concept.
    """
    glossary = knowledge_dir / "glossary.yaml"
    for p in (themes_file, glossary):
        if not p.is_file():
            raise ConfigError(f"{p} is missing", hint="restore the file")
    return _load(str(themes_file), themes_file.stat().st_mtime, str(glossary),
                 glossary.stat().st_mtime)
