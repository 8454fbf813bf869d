"""Listening after the launch: store feedback, group it by theme, bring it to the review.

Anyone signed in may leave feedback (a KAM, a country manager, an executive, HR); only a
programme lead or an administrator reads the themes, since feedback is often candid.
The text is untrusted: hidden characters are removed and injection markers flagged,
and nothing it says changes anything but its own theme. Themes are computed again
when read, so that an improved theme list applies to older feedback too; quotes in the
review pack are anonymous.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from kambot.assistant.feedback.theming import OTHER, Themes, load_themes
from kambot.domain.documents import Lang
from kambot.domain.identity import Principal
from kambot.errors import DataError, LimitExceededError, PermissionDeniedError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

MAX_FEEDBACK_CHARS = 4000
REPRESENTATIVE = 3
RECENT_DAYS = 90


def _default_knowledge_dir() -> Path:
    from kambot.config import PROJECT_ROOT

    return PROJECT_ROOT / "knowledge"


class FeedbackItem(BaseModel):
    """A piece of feedback, without its author (feedback is read anonymously)."""

    model_config = ConfigDict(extra="forbid")
    id: int
    theme: str
    theme_label: str
    text: str
    lang: Lang
    role: str
    created_at: datetime
    flags: list[str] = Field(default_factory=list)


class FeedbackTheme(BaseModel):
    """A theme, how many pieces of feedback it gathers, and the most telling ones first."""

    model_config = ConfigDict(extra="forbid")
    theme: str
    label: str
    count: int
    share: float
    items: list[FeedbackItem]


def record_feedback(engine: Engine, principal: Principal, text: str, lang: Lang | None = None,
                    *, knowledge_dir: Path | None = None) -> FeedbackItem:
    """Store a piece of feedback and return it with its theme.

    Args:
        engine: the engine.
        principal: who leaves it (any signed-in role).
        text: the feedback (untrusted).
        lang: its language; detected from the text when None.
        knowledge_dir: where the glossary is (the package's ``knowledge/`` by default).

    Raises:
        DataError: the text is empty.
        LimitExceededError: the text is too long.
    """
    import sqlalchemy as sa

    from kambot.retrieval.injection import scan_untrusted, strip_hidden
    from kambot.retrieval.text import detect_language
    from kambot.store.db import transaction
    from kambot.store.interview_schema import feedback

    cleaned = strip_hidden(text).strip()
    if not cleaned:
        raise DataError("the feedback is empty", hint="say what works or what does not")
    if len(cleaned) > MAX_FEEDBACK_CHARS:
        raise LimitExceededError(f"the feedback has {len(cleaned)} characters, over the limit "
                                 f"of {MAX_FEEDBACK_CHARS}", hint="shorten it or split it")
    themes = load_themes(knowledge_dir or _default_knowledge_dir())
    theme, scores = themes.classify(cleaned)
    lg: Lang = lang or detect_language(cleaned)
    flags = scan_untrusted(text)
    at = datetime.now(UTC)
    with transaction(engine, write=True) as conn:
        new_id = conn.execute(sa.insert(feedback).values(
            author=principal.username, role=principal.role.value, text=cleaned, lang=lg,
            theme=theme, scores=scores, flags=flags, created_at=at,
        ).returning(feedback.c.id)).scalar_one()
    return FeedbackItem(id=int(new_id), theme=theme, theme_label=themes.label(theme, lg),
                        text=cleaned, lang=lg, role=principal.role.value, created_at=at,
                        flags=flags)


def _rows(engine: Engine, since: datetime | None) -> list[tuple[int, str, str, str, datetime,
                                                                  list[str]]]:
    import sqlalchemy as sa

    from kambot.store.db import transaction
    from kambot.store.interview_schema import feedback

    stmt = sa.select(feedback.c.id, feedback.c.text, feedback.c.lang, feedback.c.role,
                     feedback.c.created_at, feedback.c.flags).order_by(feedback.c.id)
    if since is not None:
        stmt = stmt.where(feedback.c.created_at >= since)
    with transaction(engine) as conn:
        return [(r[0], r[1], r[2], r[3], _aware(r[4]), list(r[5] or []))
                for r in conn.execute(stmt)]


def _aware(value: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were written in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def group_feedback(themes: Themes, rows: list[tuple[int, str, str, str, datetime, list[str]]],
                   lang: Lang, limit: int = 20) -> list[FeedbackTheme]:
    """Group feedback rows by theme: biggest themes first, most telling items first.

    An item is more telling when it scores higher on its theme; ties go to the newest.
    Themes are ordered by count, then by the order of the theme list (``other`` last).
    """
    by_theme: dict[str, list[tuple[int, FeedbackItem]]] = {}
    for rid, text, item_lang, role, created, flags in rows:
        theme, scores = themes.classify(text)
        item = FeedbackItem(id=rid, theme=theme, theme_label=themes.label(theme, lang),
                            text=text, lang="fr" if item_lang == "fr" else "en", role=role,
                            created_at=created, flags=flags)
        by_theme.setdefault(theme, []).append((scores.get(theme, 0), item))
    total = sum(len(v) for v in by_theme.values())
    order = list(themes.ids)
    out = []
    for theme in sorted(by_theme, key=lambda t: (t == OTHER, -len(by_theme[t]),
                                                 order.index(t))):
        ranked = sorted(by_theme[theme], key=lambda si: (-si[0], -si[1].id))
        out.append(FeedbackTheme(theme=theme, label=themes.label(theme, lang),
                                 count=len(ranked), share=round(len(ranked) / total, 4),
                                 items=[item for _, item in ranked[:limit]]))
    return out


def feedback_themes(engine: Engine, *, lang: Lang = "en", since: datetime | None = None,
                    limit: int = 20, knowledge_dir: Path | None = None) -> list[FeedbackTheme]:
    """Return the feedback grouped by theme (no scope check: see :func:`themes_for`).

    Args:
        engine: the engine.
        lang: language of the theme labels.
        since: only feedback recorded from then on.
        limit: items kept per theme, most telling first.
        knowledge_dir: where the glossary is.
    """
    themes = load_themes(knowledge_dir or _default_knowledge_dir())
    return group_feedback(themes, _rows(engine, since), lang, limit)


def themes_for(engine: Engine, principal: Principal, *, lang: Lang = "en",
               since: datetime | None = None, knowledge_dir: Path | None = None
               ) -> list[FeedbackTheme]:
    """Return the feedback themes for a programme lead or an administrator.

    Raises:
        PermissionDeniedError: any other role.
    """
    if not principal.can_manage_programme:
        raise PermissionDeniedError("feedback themes are for the programme lead and "
                                    "administrators", hint="ask the programme lead")
    return feedback_themes(engine, lang=lang, since=since, knowledge_dir=knowledge_dir)


def feedback_counts(engine: Engine, *, recent_days: int = RECENT_DAYS) -> dict[str, int]:
    """Return how much feedback there is: in total, recently, and how many themes."""
    since = datetime.now(UTC) - timedelta(days=recent_days)
    rows = _rows(engine, None)
    recent = sum(1 for r in rows if r[4] >= since)
    themes = {t.theme for t in feedback_themes(engine, limit=1)} if rows else set()
    return {"total": len(rows), "recent": recent, "themes": len(themes)}


_TEXT: dict[str, tuple[str, str]] = {
    "title": ("What we heard after the launch", "Ce que nous avons entendu après le lancement"),
    "none": ("No feedback recorded yet.", "Aucun retour enregistré pour l'instant."),
    "total": ("pieces of feedback", "retours"),
    "themes": ("themes", "thèmes"),
    "theme": ("Theme", "Thème"),
    "count": ("Count", "Nombre"),
    "share": ("Share", "Part"),
    "quotes": ("Representative quotes (anonymous)", "Citations représentatives (anonymes)"),
}


def _t(key: str, lang: Lang) -> str:
    en, fr = _TEXT[key]
    return fr if lang == "fr" else en


def render_feedback_review(themes: list[FeedbackTheme], lang: Lang,
                           heading_level: int = 2) -> str:
    """Render the feedback themes as a Markdown section of the programme review pack.

    Args:
        themes: grouped feedback (see :func:`feedback_themes`).
        lang: fr or en.
        heading_level: Markdown level of the section's heading.
    """
    h = "#" * heading_level
    out = [f"{h} {_t('title', lang)}", ""]
    total = sum(t.count for t in themes)
    if not total:
        return "\n".join([*out, _t("none", lang)]) + "\n"
    out.append(f"{total} {_t('total', lang)}, {len(themes)} {_t('themes', lang)}.")
    out += ["", f"| {_t('theme', lang)} | {_t('count', lang)} | {_t('share', lang)} |",
            "|---|---:|---:|"]
    for t in themes:
        share = f"{t.share * 100:.0f}\u00a0%" if lang == "fr" else f"{t.share * 100:.0f}%"
        out.append(f"| {t.label} | {t.count} | {share} |")
    for t in themes:
        out += ["", f"{h}# {t.label} ({t.count})", "", f"_{_t('quotes', lang)}_", ""]
        for item in t.items[:REPRESENTATIVE]:
            text = " ".join(item.text.split())
            out.append(f"> « {text} »" if lang == "fr" else f"> \u201c{text}\u201d")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def feedback_review_markdown(engine: Engine, lang: Lang, *, since: datetime | None = None,
                             knowledge_dir: Path | None = None) -> str:
    """Return the feedback section of the programme review pack, as Markdown."""
    return render_feedback_review(
        feedback_themes(engine, lang=lang, since=since, knowledge_dir=knowledge_dir), lang)
