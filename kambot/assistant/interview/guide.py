"""Load and validate the executive interview guide (``knowledge/interview_guide.yaml``).

The guide is data: themes in the order they are asked, their questions and probes in
French and English, what each theme wants from an answer, and the word lists that let
rules read answers (hedges, periods, cadences, theme tags and stances, strategic
causes). Loading checks every field and compiles the word lists once per language
into :class:`~kambot.core.interview_coverage.TermSet` objects; a problem is a
:class:`~kambot.errors.ConfigError` naming the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kambot.core.interview_coverage import WANTS, AnswerRules, TermSet, fold
from kambot.domain.documents import Lang
from kambot.domain.programme import StrategicCause
from kambot.errors import ConfigError

GUIDE_FILE = "interview_guide.yaml"
LANGS: tuple[Lang, ...] = ("en", "fr")
PROBE_REASONS: tuple[str, ...] = ("short", "vague", *[w for w in WANTS if w != "substance"])


@dataclass(frozen=True)
class Text:
    """A text in English and French."""

    en: str
    fr: str

    def get(self, lang: Lang) -> str:
        """Return the text in ``lang``."""
        return self.fr if lang == "fr" else self.en


@dataclass(frozen=True)
class Labelled:
    """A tag, a stance or a cause: a key, a bilingual label and terms per language."""

    key: str
    label: Text
    terms: Mapping[Lang, tuple[str, ...]]
    methodology: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """One question of a theme."""

    id: str
    text: Text
    targets: tuple[str, ...]
    optional: bool = False
    probe: bool = True
    records: str | None = None


def _term_set(items: Sequence[Labelled], lang: Lang) -> TermSet:
    return TermSet.build({i.key: i.terms.get(lang, ()) for i in items})


@dataclass(frozen=True)
class Theme:
    """A theme of the interview, asked in the guide's order."""

    id: str
    title: Text
    goal: Text
    methodology: tuple[str, ...]
    min_words: int
    wants: tuple[str, ...]
    questions: tuple[Question, ...]
    probes: Mapping[str, Text]
    tags: tuple[Labelled, ...] = ()
    stances: tuple[Labelled, ...] = ()
    tags_from: str | None = None
    stance_from: str | None = None
    stance_rule: str = "first"
    _tag_sets: dict[Lang, TermSet] = field(default_factory=dict, repr=False, compare=False)
    _stance_sets: dict[Lang, TermSet] = field(default_factory=dict, repr=False,
                                              compare=False)

    def question(self, question_id: str) -> Question:
        """Return a question of the theme by id.

        Raises:
            ConfigError: the theme has no such question (the guide changed under a
                stored interview).
        """
        for q in self.questions:
            if q.id == question_id:
                return q
        raise ConfigError(f"the interview guide has no question {question_id!r} in theme "
                          f"{self.id!r}", hint="the guide changed; start a new interview")

    def tag_set(self, lang: Lang) -> TermSet:
        """Return the theme's own tags compiled for ``lang``."""
        return self._tag_sets[lang]

    def stance_set(self, lang: Lang) -> TermSet:
        """Return the theme's stances compiled for ``lang``."""
        return self._stance_sets[lang]

    def pick_stance(self, hits: Sequence[tuple[str, int]]) -> str | None:
        """Return the stance among ``(label, matches)`` hits, following the theme's rule.

        ``first``: the earliest stance of the guide's list that was found (the list puts
        the most cautious first); ``dominant``: the most matched, ties to the earliest.
        """
        found = {label: count for label, count in hits if count > 0}
        order = [s.key for s in self.stances]
        ranked = [k for k in order if k in found]
        if not ranked:
            return None
        if self.stance_rule == "dominant":
            return max(ranked, key=lambda k: (found[k], -order.index(k)))
        return ranked[0]

    def label(self, key: str, lang: Lang) -> str | None:
        """Return the label of one of the theme's tags or stances."""
        for item in (*self.tags, *self.stances):
            if item.key == key:
                return item.label.get(lang)
        return None


@dataclass(frozen=True)
class Guide:
    """The whole interview guide, validated."""

    version: str
    id: str
    title: Text
    methodology: tuple[str, ...]
    intro: Text
    closing: Text
    skipped: Text
    resumed: Text
    max_probes_per_theme: int
    consensus_share: float
    min_quote_chars: int
    max_answer_chars: int
    priority_themes: tuple[str, ...]
    themes: tuple[Theme, ...]
    causes: tuple[Labelled, ...]
    generic_probes: Mapping[str, Text]
    industries: Mapping[str, Mapping[Lang, tuple[str, ...]]]
    rules: Mapping[Lang, AnswerRules]
    emphasis: Mapping[Lang, TermSet]
    conditions: Mapping[Lang, TermSet]
    overall: Mapping[Lang, TermSet]
    cause_sets: Mapping[Lang, TermSet]
    path: str = ""

    def theme(self, theme_id: str) -> Theme:
        """Return a theme by id.

        Raises:
            ConfigError: no such theme.
        """
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise ConfigError(f"the interview guide has no theme {theme_id!r}",
                          hint="the guide changed; start a new interview")

    @property
    def theme_ids(self) -> tuple[str, ...]:
        """Return the theme ids in order."""
        return tuple(t.id for t in self.themes)

    def probe(self, theme: Theme, reason: str, lang: Lang) -> str:
        """Return the guide's probe for a reason: the theme's own, else the generic one."""
        text = theme.probes.get(reason) or self.generic_probes.get(reason)
        if text is None:
            text = self.generic_probes["short"]
        return text.get(lang)

    def cause_label(self, cause: str, lang: Lang) -> str:
        """Return the label of a strategic cause."""
        for c in self.causes:
            if c.key == cause:
                return c.label.get(lang)
        return cause.replace("_", " ")

    def citations(self) -> list[str]:
        """Return every methodology chunk id the guide cites."""
        ids = list(self.methodology)
        for t in self.themes:
            ids += t.methodology
        for c in self.causes:
            ids += c.methodology
        return list(dict.fromkeys(ids))


# --- parsing ----------------------------------------------------------------------------


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> ConfigError:
        return ConfigError(f"interview guide {self.path}: {where}: {message}",
                           hint="fix the file; see the comments at its top for the format")

    def mapping(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(where, "expected a mapping")
        return raw

    def text(self, raw: Any, where: str) -> Text:
        data = self.mapping(raw, where)
        extra = sorted(str(k) for k in data if k not in LANGS)
        if extra:
            # Usually an unquoted comma in a {en: ..., fr: ...} flow mapping.
            raise self.fail(where, f"unexpected key(s) {', '.join(extra)}; quote texts "
                                   "that contain commas")
        values = {}
        for lang in LANGS:
            value = data.get(lang)
            if not isinstance(value, str) or not value.strip():
                raise self.fail(where, f"missing the {lang} text")
            values[lang] = " ".join(value.split())
        return Text(en=values["en"], fr=values["fr"])

    def terms(self, raw: Any, where: str) -> dict[Lang, tuple[str, ...]]:
        data = self.mapping(raw, where)
        out: dict[Lang, tuple[str, ...]] = {}
        for lang in LANGS:
            items = data.get(lang)
            if not isinstance(items, list) or not items or not all(
                    isinstance(i, str) and i.strip() for i in items):
                raise self.fail(where, f"{lang} must be a non-empty list of terms")
            out[lang] = tuple(items)
        return out

    def int_(self, raw: Any, where: str, low: int) -> int:
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < low:
            raise self.fail(where, f"expected a whole number >= {low}")
        return raw

    def labelled(self, raw: Any, where: str) -> tuple[Labelled, ...]:
        data = self.mapping(raw, where)
        out = []
        for key, value in data.items():
            item = self.mapping(value, f"{where}.{key}")
            methodology = item.get("methodology") or []
            if not isinstance(methodology, list):
                raise self.fail(f"{where}.{key}.methodology", "expected a list of chunk ids")
            out.append(Labelled(key=str(key), label=self.text(item.get("label"),
                                                               f"{where}.{key}.label"),
                                terms=self.terms(item.get("terms"), f"{where}.{key}.terms"),
                                methodology=tuple(str(m) for m in methodology)))
        return tuple(out)


def _compile(reader: _Reader, where: str, terms: Mapping[str, Sequence[str]]) -> TermSet:
    try:
        return TermSet.build(terms)
    except ValueError as exc:
        raise reader.fail(where, str(exc)) from exc


def _theme(reader: _Reader, raw: Any, index: int, causes: tuple[Labelled, ...]) -> Theme:
    where = f"themes[{index}]"
    data = reader.mapping(raw, where)
    theme_id = data.get("id")
    if not isinstance(theme_id, str) or not theme_id:
        raise reader.fail(where, "missing id")
    where = f"theme {theme_id}"
    wants = data.get("wants") or []
    if not isinstance(wants, list) or any(w not in WANTS for w in wants):
        raise reader.fail(f"{where}.wants", f"use only: {', '.join(WANTS)}")
    questions = []
    for q_index, q_raw in enumerate(data.get("questions") or []):
        q = reader.mapping(q_raw, f"{where}.questions[{q_index}]")
        targets = q.get("targets") or []
        if not isinstance(targets, list) or any(t not in wants for t in targets):
            raise reader.fail(f"{where}.questions[{q_index}].targets",
                              "targets must be among the theme's wants")
        if not isinstance(q.get("id"), str):
            raise reader.fail(f"{where}.questions[{q_index}]", "missing id")
        records = q.get("records")
        if records not in (None, "commitments"):
            raise reader.fail(f"{where}.{q['id']}.records", "use commitments")
        questions.append(Question(id=q["id"], text=reader.text(q.get("text"),
                                                               f"{where}.{q['id']}.text"),
                                  targets=tuple(targets), optional=bool(q.get("optional")),
                                  probe=q.get("probe", True) is not False, records=records))
    if not questions:
        raise reader.fail(where, "a theme needs at least one question")
    if questions[0].optional:
        raise reader.fail(where, "the first question of a theme cannot be optional")
    probes_raw = reader.mapping(data.get("probes") or {}, f"{where}.probes")
    probes = {}
    for reason, text in probes_raw.items():
        if reason not in PROBE_REASONS:
            raise reader.fail(f"{where}.probes", f"unknown reason {reason!r}; use "
                                                 f"{', '.join(PROBE_REASONS)}")
        probes[reason] = reader.text(text, f"{where}.probes.{reason}")
    tags_from = data.get("tags_from")
    if tags_from not in (None, "causes", "segments"):
        raise reader.fail(f"{where}.tags_from", "use causes or segments")
    stance_from = data.get("stance_from")
    if stance_from not in (None, "priorities"):
        raise reader.fail(f"{where}.stance_from", "use priorities")
    stance_rule = data.get("stance_rule", "first")
    if stance_rule not in ("first", "dominant"):
        raise reader.fail(f"{where}.stance_rule", "use first or dominant")
    tags = reader.labelled(data.get("tags") or {}, f"{where}.tags")
    stances = reader.labelled(data.get("stances") or {}, f"{where}.stances")
    if "tags" in wants and not tags and tags_from is None:
        raise reader.fail(where, "wants tags but declares none")
    if "stance" in wants and not stances and stance_from is None:
        raise reader.fail(where, "wants a stance but declares none")
    methodology = data.get("methodology") or []
    if not isinstance(methodology, list) or not methodology:
        raise reader.fail(f"{where}.methodology", "cite at least one methodology chunk id")
    theme = Theme(
        id=theme_id, title=reader.text(data.get("title"), f"{where}.title"),
        goal=reader.text(data.get("goal"), f"{where}.goal"),
        methodology=tuple(str(m) for m in methodology),
        min_words=reader.int_(data.get("min_words", 8), f"{where}.min_words", 1),
        wants=tuple(wants), questions=tuple(questions), probes=probes, tags=tags,
        stances=stances, tags_from=tags_from, stance_from=stance_from,
        stance_rule=stance_rule,
    )
    for lang in LANGS:
        own = _compile(reader, f"{where}.tags", {t.key: t.terms[lang] for t in tags})
        if tags_from == "causes":
            own = own.merged(_compile(reader, "causes", {c.key: c.terms[lang] for c in causes}))
        theme._tag_sets[lang] = own
        theme._stance_sets[lang] = _compile(reader, f"{where}.stances",
                                            {s.key: s.terms[lang] for s in stances})
    return theme


def parse_guide(raw: Any, path: Path) -> Guide:
    """Validate the parsed YAML of the guide and build it.

    Raises:
        ConfigError: for any problem, naming the field.
    """
    r = _Reader(path)
    data = r.mapping(raw, "top level")
    settings = r.mapping(data.get("settings") or {}, "settings")
    answers = r.mapping(data.get("answers"), "answers")
    causes = r.labelled(data.get("causes"), "causes")
    known = {c.value for c in StrategicCause}
    if {c.key for c in causes} != known:
        raise r.fail("causes", f"list exactly the causes {', '.join(sorted(known))}")
    generic = {k: r.text(v, f"generic_probes.{k}")
               for k, v in r.mapping(data.get("generic_probes"), "generic_probes").items()}
    if "short" not in generic:
        raise r.fail("generic_probes", "needs at least a `short` probe")
    industries: dict[str, Mapping[Lang, tuple[str, ...]]] = {
        str(k): r.terms(v, f"industries.{k}")
        for k, v in r.mapping(data.get("industries") or {}, "industries").items()}
    not_names = frozenset(fold(str(w)) for w in answers.get("not_names") or [])

    def per_lang(name: str) -> dict[Lang, TermSet]:
        terms = r.terms(answers.get(name), f"answers.{name}")
        return {lang: _compile(r, f"answers.{name}", {name: terms[lang]}) for lang in LANGS}

    lists = {name: per_lang(name) for name in ("hedges", "generic", "skip", "number_words",
                                               "periods", "frequencies", "emphasis",
                                               "conditions")}
    limit = r.int_(answers.get("hedge_words_limit", 30), "answers.hedge_words_limit", 1)
    rules = {lang: AnswerRules(hedges=lists["hedges"][lang], generic=lists["generic"][lang],
                               skip=lists["skip"][lang],
                               number_words=lists["number_words"][lang],
                               periods=lists["periods"][lang],
                               frequencies=lists["frequencies"][lang], not_names=not_names,
                               hedge_words_limit=limit) for lang in LANGS}
    overall_raw = r.mapping(data.get("overall_stance"), "overall_stance")
    overall_terms = {k: r.terms(v, f"overall_stance.{k}") for k, v in overall_raw.items()}
    overall = {lang: _compile(r, "overall_stance", {k: v[lang] for k, v in
                                                    overall_terms.items()}) for lang in LANGS}
    cause_sets = {lang: _compile(r, "causes", {c.key: c.terms[lang] for c in causes})
                  for lang in LANGS}
    themes_raw = data.get("themes")
    if not isinstance(themes_raw, list) or not themes_raw:
        raise r.fail("themes", "expected a non-empty list")
    themes = tuple(_theme(r, t, i, causes) for i, t in enumerate(themes_raw))
    ids = [t.id for t in themes]
    if len(set(ids)) != len(ids):
        raise r.fail("themes", "two themes share an id")
    share = settings.get("consensus_share", 0.67)
    if not isinstance(share, int | float) or not 0.5 < float(share) <= 1:
        raise r.fail("settings.consensus_share", "expected a share above 0.5 and at most 1")
    methodology = data.get("methodology") or []
    priority_themes = settings.get("priority_themes") or [
        t.id for t in themes if t.stance_from == "priorities"]
    if not isinstance(priority_themes, list) or any(p not in ids for p in priority_themes):
        raise r.fail("settings.priority_themes", "list theme ids of this guide")
    return Guide(
        version=str(data.get("version", "1")), id=str(data.get("id", "interview")),
        title=r.text(data.get("title"), "title"),
        methodology=tuple(str(m) for m in methodology),
        intro=r.text(data.get("intro"), "intro"), closing=r.text(data.get("closing"), "closing"),
        skipped=r.text(data.get("skipped"), "skipped"),
        resumed=r.text(data.get("resumed"), "resumed"),
        max_probes_per_theme=r.int_(settings.get("max_probes_per_theme", 2),
                                    "settings.max_probes_per_theme", 0),
        consensus_share=float(share),
        min_quote_chars=r.int_(settings.get("min_quote_chars", 12), "settings.min_quote_chars",
                               1),
        max_answer_chars=r.int_(settings.get("max_answer_chars", 6000),
                                "settings.max_answer_chars", 100),
        priority_themes=tuple(str(p) for p in priority_themes),
        themes=themes, causes=causes, generic_probes=generic, industries=industries,
        rules=rules, emphasis={lang: lists["emphasis"][lang] for lang in LANGS},
        conditions={lang: lists["conditions"][lang] for lang in LANGS}, overall=overall,
        cause_sets=cause_sets, path=str(path),
    )


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Guide:
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"interview guide {p}: not valid YAML ({exc})",
                          hint="fix the YAML syntax") from exc
    return parse_guide(raw, p)


def load_guide(knowledge_dir: Path) -> Guide:
    """Load ``<knowledge_dir>/interview_guide.yaml`` (cached until the file changes).

    Raises:
        ConfigError: the file is missing or invalid.
    """
    path = knowledge_dir / GUIDE_FILE
    if not path.is_file():
        raise ConfigError(f"the interview guide {path} is missing",
                          hint="restore knowledge/interview_guide.yaml or set "
                               "KAMBOT_KNOWLEDGE_DIR")
    return _load(str(path), path.stat().st_mtime)
