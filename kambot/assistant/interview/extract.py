"""Read interview answers with rules: features, positions, priorities, commitments.

Offline and deterministic: the same transcript always gives the same record. Answers
are read in the language they are written in (detected per answer, the interview's
language when undecided), with the guide's word lists for that language. Quotes are
whole sentences cut from the answers, so they are verbatim by construction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from kambot.assistant.interview.accounts import AccountMatcher, AccountMention
from kambot.assistant.interview.guide import Guide, Theme
from kambot.assistant.interview.models import (
    CausePriority,
    CommitmentStatus,
    InterviewRecord,
    InterviewStatus,
    OverallStance,
    Quote,
    SponsorshipCommitment,
    ThemePosition,
)
from kambot.core.interview_coverage import (
    AnswerFeatures,
    TermSet,
    analyse_answer,
    find_names,
    fold,
    split_sentences,
    theme_coverage,
)
from kambot.core.synthesis import CauseMention, rank_interview_causes
from kambot.domain.documents import Lang
from kambot.domain.programme import StrategicCause, StrategicSegment

ACCOUNT_TAG = "acct:"
_STANCE_TO_STATUS: dict[str, CommitmentStatus] = {
    "willing": "committed", "conditional": "conditional", "unwilling": "declined"}
MAX_QUOTES = 3


@dataclass(frozen=True)
class AnswerItem:
    """An executive's answer as stored in the transcript."""

    position: int
    theme: str
    question_id: str | None
    text: str


@dataclass
class InterviewContext:
    """What reading answers needs besides the guide: the store's accounts and programme."""

    guide: Guide
    matcher: AccountMatcher
    segments: tuple[StrategicSegment, ...] = ()
    people_names: tuple[str, ...] = ()
    _segment_sets: dict[Lang, TermSet] = field(default_factory=dict)

    def segment_set(self, lang: Lang) -> TermSet:
        """Return the programme's strategic segments as tags (name and industry words)."""
        if lang not in self._segment_sets:
            terms: dict[str, list[str]] = {}
            for s in self.segments:
                items = [s.name]
                for industry in s.industries:
                    items.append(industry.replace("_", " "))
                    items += self.guide.industries.get(industry, {}).get(lang, ())
                terms[s.key] = items
            self._segment_sets[lang] = TermSet.build(terms)
        return self._segment_sets[lang]

    def tag_label(self, theme: Theme, tag: str, lang: Lang) -> str:
        """Return the human label of a tag of a theme."""
        if tag.startswith(ACCOUNT_TAG):
            ext = tag[len(ACCOUNT_TAG):]
            return next((a.name for a in self.matcher.accounts if a.external_id == ext), ext)
        if theme.tags_from == "causes" and tag in {c.value for c in StrategicCause}:
            return self.guide.cause_label(tag, lang)
        if theme.tags_from == "segments":
            seg = next((s for s in self.segments if s.key == tag), None)
            if seg is not None:
                return seg.name
        return theme.label(tag, lang) or tag.replace("_", " ")

    def stance_label(self, theme: Theme, stance: str | None, lang: Lang) -> str | None:
        """Return the human label of a stance (a cause for the priorities theme)."""
        if stance is None:
            return None
        if theme.stance_from == "priorities":
            return self.guide.cause_label(stance, lang)
        return theme.label(stance, lang) or stance.replace("_", " ")


def answer_lang(text: str, default: Lang) -> Lang:
    """Return the language an answer is written in (``default`` when undecided)."""
    from kambot.retrieval.text import detect_language

    return detect_language(text, default=default)


def _wants_accounts(theme: Theme) -> bool:
    return "name" in theme.wants or theme.tags_from == "segments"


def analyse_item(ctx: InterviewContext, theme: Theme, text: str, lang: Lang
                 ) -> AnswerFeatures:
    """Read one answer on one theme (its own language's word lists).

    Accounts of the store named in the answer count as names; on the customer theme
    they are also tags (``acct:<external id>``), as are the programme's segments.
    """
    alang = answer_lang(text, lang)
    tags = theme.tag_set(alang)
    if theme.tags_from == "segments":
        tags = tags.merged(ctx.segment_set(alang))
    mentions: list[AccountMention] = ctx.matcher.find(text) if _wants_accounts(theme) else []
    features = analyse_answer(text, ctx.guide.rules[alang], min_words=theme.min_words,
                              tags=tags, stances=theme.stance_set(alang),
                              extra_names=[m.mentioned for m in mentions])
    extra: list[str] = []
    if theme.tags_from == "segments":
        extra = [f"{ACCOUNT_TAG}{m.external_id}" for m in mentions]
        if features.tags and not features.names:
            features = dataclasses.replace(features, names=tuple(
                ctx.tag_label(theme, t, lang) for t in features.tags))
    if extra:
        features = dataclasses.replace(features, tags=features.tags + tuple(
            t for t in extra if t not in features.tags))
    return features


def coverage_of(ctx: InterviewContext, theme: Theme, texts: Sequence[str], lang: Lang
                ) -> float:
    """Return the coverage of a theme from the answers given on it."""
    feats = [analyse_item(ctx, theme, t, lang) for t in texts]
    return round(theme_coverage(feats, theme.wants, theme.min_words), 4)


# --- sentences and quotes ----------------------------------------------------------------


@dataclass(frozen=True)
class _Sentence:
    item: AnswerItem
    start: int
    end: int
    labels: tuple[str, ...]
    specifics: int

    @property
    def text(self) -> str:
        return self.item.text[self.start:self.end]

    def quote(self, interview_id: int) -> Quote:
        return Quote(interview_id=interview_id, theme=self.item.theme, text=self.text,
                     position=self.item.position)


def _sentences(ctx: InterviewContext, theme: Theme, items: Sequence[AnswerItem],
               lang: Lang) -> list[_Sentence]:
    out: list[_Sentence] = []
    for item in items:
        alang = answer_lang(item.text, lang)
        for a, b in split_sentences(item.text):
            if b - a < ctx.guide.min_quote_chars:
                continue
            piece = item.text[a:b]
            feats = analyse_item(ctx, theme, piece, lang)
            labels = list(feats.tags) + [s for s, _ in feats.stances]
            if theme.stance_from == "priorities":
                labels += [c for c in ctx.guide.cause_sets[alang].first(fold(piece))
                           if c not in labels]
            specifics = len(feats.figures) + len(feats.names) + len(feats.periods) + len(
                feats.frequencies)
            out.append(_Sentence(item, a, b, tuple(labels), specifics))
    return out


def _best_quotes(sentences: Sequence[_Sentence], interview_id: int,
                 vague: frozenset[int] = frozenset()) -> list[Quote]:
    # Sentences from hedged answers come last: they are what the probes were for.
    ranked = sorted(range(len(sentences)), key=lambda i: (
        sentences[i].item.position in vague,
        -(len(sentences[i].labels) + sentences[i].specifics), i))
    picked = [i for i in ranked if sentences[i].labels or sentences[i].specifics][:MAX_QUOTES]
    if not picked and sentences:
        picked = [0]
    return [sentences[i].quote(interview_id) for i in sorted(picked)]


# --- the record ----------------------------------------------------------------------------


def _emphasised(found: dict[str, list[int]], marks: Sequence[int]) -> set[str]:
    """Return the causes an emphasis ("above all") points at: the nearest mention to each."""
    out: set[str] = set()
    for mark in marks:
        nearest = min(((abs(start - mark), start, cause) for cause, starts in found.items()
                       for start in starts), default=None)
        if nearest is not None:
            out.add(nearest[2])
    return out


def _priorities(ctx: InterviewContext, items: Sequence[AnswerItem], lang: Lang,
                interview_id: int) -> list[CausePriority]:
    primary = next((t.id for t in ctx.guide.themes if t.stance_from == "priorities"), None)
    mentions: list[CauseMention] = []
    quotes: dict[str, list[Quote]] = {}
    counts: dict[str, int] = {}
    emphasised: set[str] = set()
    for item in items:
        if item.theme not in ctx.guide.priority_themes:
            continue
        alang = answer_lang(item.text, lang)
        causes = ctx.guide.cause_sets[alang]
        for a, b in split_sentences(item.text):
            piece = fold(item.text[a:b])
            found = causes.find(piece)
            if not found:
                continue
            marks = [x for xs in ctx.guide.emphasis[alang].find(piece).values() for x in xs]
            stressed = _emphasised(found, marks)
            for cause, starts in found.items():
                order = item.position * 100_000 + a + starts[0]
                emph = cause in stressed
                mentions.append(CauseMention(cause=cause, first=order, count=len(starts),
                                             emphasised=emph,
                                             in_primary_theme=item.theme == primary))
                counts[cause] = counts.get(cause, 0) + len(starts)
                if emph:
                    emphasised.add(cause)
                if b - a >= ctx.guide.min_quote_chars:
                    q = Quote(interview_id=interview_id, theme=item.theme,
                              text=item.text[a:b], position=item.position)
                    bucket = quotes.setdefault(cause, [])
                    # Quotes from the primary theme go first.
                    if item.theme == primary:
                        bucket.insert(sum(1 for x in bucket if x.theme == primary), q)
                    else:
                        bucket.append(q)
    ranking = rank_interview_causes(mentions)
    return [CausePriority(cause=StrategicCause(c), rank=i, emphasised=c in emphasised,
                          mentions=counts.get(c, 0), quotes=quotes.get(c, [])[:2])
            for i, c in enumerate(ranking, start=1)]


def _overall(ctx: InterviewContext, items: Sequence[AnswerItem], lang: Lang) -> OverallStance:
    support = sceptic = 0
    for item in items:
        found = ctx.guide.overall[answer_lang(item.text, lang)].find(fold(item.text))
        support += len(found.get("supporter", []))
        sceptic += len(found.get("sceptic", []))
    if sceptic > support:
        return "sceptic"
    if support > sceptic:
        return "supporter"
    return "neutral"


def _commitments(ctx: InterviewContext, theme: Theme, items: Sequence[AnswerItem],
                 lang: Lang, interview_id: int, executive: str, executive_key: str | None,
                 theme_stance: str | None) -> list[SponsorshipCommitment]:
    recording = {q.id for q in theme.questions if q.records == "commitments"}
    people = {fold(w) for name in ctx.people_names for w in name.split()}
    segment_words = {fold(w) for s in ctx.segments for w in s.name.split()}
    out: list[SponsorshipCommitment] = []
    seen: set[str] = set()
    for item in items:
        if item.question_id not in recording:
            continue
        alang = answer_lang(item.text, lang)
        stances = theme.stance_set(alang)
        for a, b in split_sentences(item.text):
            piece = item.text[a:b]
            found = stances.find(fold(piece))
            stance = theme.pick_stance([(k, len(v)) for k, v in found.items()]) or theme_stance
            if stance not in _STANCE_TO_STATUS:
                continue
            status = _STANCE_TO_STATUS[stance]
            quote = Quote(interview_id=interview_id, theme=theme.id, text=piece,
                          position=item.position)
            mentions = ctx.matcher.find(piece)
            for m in mentions:
                if m.external_id in seen:
                    continue
                seen.add(m.external_id)
                out.append(SponsorshipCommitment(
                    interview_id=interview_id, executive=executive, executive_key=executive_key,
                    account_external_id=m.external_id, account_name=m.name,
                    mentioned=m.mentioned, match_score=round(m.score, 1), status=status,
                    quote=quote))
            if status == "declined" or not found:
                continue
            # Names the store does not know (a prospect, a new group) are kept unmatched.
            said = {fold(m.mentioned) for m in mentions}
            for name in find_names(piece, ctx.guide.rules[alang].not_names):
                words = {fold(w) for w in name.split()}
                if fold(name) in said or any(fold(name) in s or s in fold(name) for s in said):
                    continue
                if words <= people or words <= segment_words:
                    continue
                key = f"?{fold(name)}"
                if key in seen:
                    continue
                seen.add(key)
                out.append(SponsorshipCommitment(
                    interview_id=interview_id, executive=executive, executive_key=executive_key,
                    mentioned=name, status=status, quote=quote))
    return out


def _theme_position(ctx: InterviewContext, theme: Theme, items: Sequence[AnswerItem],
                    lang: Lang, interview_id: int, primary_cause: str | None
                    ) -> ThemePosition:
    feats = [analyse_item(ctx, theme, i.text, lang) for i in items]
    coverage = round(theme_coverage(feats, theme.wants, theme.min_words), 4) if items else 0.0
    given = [f for f in feats if not f.skip]
    tags: list[str] = []
    for f in given:
        tags += [t for t in f.tags if t not in tags]
    if theme.stance_from == "priorities":
        stance = primary_cause
    else:
        totals: dict[str, int] = {}
        for f in given:
            for label, count in f.stances:
                totals[label] = totals.get(label, 0) + count
        stance = theme.pick_stance(list(totals.items()))
    sentences = _sentences(ctx, theme, [i for i, f in zip(items, feats, strict=True)
                                        if not f.skip], lang)
    vague = frozenset(i.position for i, f in zip(items, feats, strict=True) if f.vague)
    quotes = _best_quotes(sentences, interview_id, vague)
    tag_labels = [ctx.tag_label(theme, t, lang) for t in tags]
    stance_label = ctx.stance_label(theme, stance, lang)
    summary = "; ".join(dict.fromkeys(x for x in [stance_label, *tag_labels[:5]] if x))
    return ThemePosition(theme=theme.id, stance=stance, stance_label=stance_label, tags=tags,
                         tag_labels=tag_labels, summary=summary, quotes=quotes,
                         coverage=coverage, source="rules")


def evidence_for(ctx: InterviewContext, theme: Theme, items: Sequence[AnswerItem], lang: Lang,
                 interview_id: int) -> dict[str, list[Quote]]:
    """Return, per tag or stance label of a theme, the sentences that show it."""
    out: dict[str, list[Quote]] = {}
    for s in _sentences(ctx, theme, items, lang):
        for label in s.labels:
            out.setdefault(label, []).append(s.quote(interview_id))
    return out


def extract_record(
    ctx: InterviewContext,
    items: Sequence[AnswerItem],
    *,
    interview_id: int,
    executive: str,
    executive_key: str | None,
    lang: Lang,
    status: InterviewStatus,
) -> InterviewRecord:
    """Build the structured record of an interview from its answers, with rules only.

    Args:
        ctx: guide, accounts and programme.
        items: the executive's answers, in transcript order.
        interview_id: the interview's id (quotes carry it).
        executive: who was interviewed.
        executive_key: their person key, if known.
        lang: the interview's language (labels are in it).
        status: the interview's status.
    """
    priorities = _priorities(ctx, items, lang, interview_id)
    primary = priorities[0].cause.value if priorities else None
    positions: list[ThemePosition] = []
    commitments: list[SponsorshipCommitment] = []
    for theme in ctx.guide.themes:
        mine = [i for i in items if i.theme == theme.id]
        position = _theme_position(ctx, theme, mine, lang, interview_id, primary)
        positions.append(position)
        if any(q.records == "commitments" for q in theme.questions):
            commitments += _commitments(ctx, theme, mine, lang, interview_id, executive,
                                        executive_key, position.stance)
    return InterviewRecord(
        interview_id=interview_id, executive=executive, executive_key=executive_key, lang=lang,
        status=status, complete=status == "done", extracted_by="rules",
        overall_stance=_overall(ctx, items, lang), positions=positions, priorities=priorities,
        commitments=commitments, coverage={p.theme: p.coverage for p in positions},
    )


def labels_in(ctx: InterviewContext, theme: Theme, text: str, lang: Lang) -> list[str]:
    """Return the tag, stance and (for the priorities theme) cause labels a text shows."""
    feats = analyse_item(ctx, theme, text, lang)
    labels = list(feats.tags) + [s for s, _ in feats.stances if s not in feats.tags]
    if theme.stance_from == "priorities":
        alang = answer_lang(text, lang)
        labels += [c for c in ctx.guide.cause_sets[alang].first(fold(text)) if c not in labels]
    return labels
