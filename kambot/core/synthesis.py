"""Synthesise executive interviews deterministically: priorities, consensus, divergence.

The interview use case turns each interview into positions per theme (a stance, tags,
verbatim quotes) and a ranking of the strategic causes the executive wants the
programme to serve. This module aggregates them the same way every time:

- **Priorities within one interview** (:func:`rank_interview_causes`): causes named in
  the strategic-challenges theme come first, then emphasised ones ("above all",
  "avant tout"), then by first mention, then by number of mentions.
- **Causes across interviews** (:func:`rank_causes`): a Borda count. With ``K``
  causes, the cause an executive ranks first gets ``K`` points, the second ``K - 1``...;
  causes an executive does not name get nothing. Ties go to the cause ranked first by
  more executives, then named by more executives, then to the order of the causes.
- **Consensus and divergence per theme** (:func:`theme_agreement`): with at least two
  executives who answered, a stance or a tag held by at least ``consensus_share`` of
  them (two thirds by default) is a consensus; stances that differ without such a
  majority are a divergence, and the minority stances beside a consensus are listed
  as minority divergences. Tags below the threshold are mentions, not disagreements.
- **Questions to settle** at the next progress meeting (:func:`questions_to_settle`):
  a primary cause not clearly ahead, each divergence, accounts two executives want to
  sponsor, conditions and red lines, themes hardly covered, executives not interviewed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

CONSENSUS_SHARE = 2 / 3


@dataclass(frozen=True)
class QuoteRef:
    """A verbatim quote of an executive, located by interview and theme."""

    interview_id: int
    theme: str
    text: str


@dataclass(frozen=True)
class PositionInput:
    """One executive's position on one theme.

    Attributes:
        theme: the theme id.
        stance: the stance label, if one was found.
        tags: the tag labels found, most important first.
        quotes: quotes backing the position.
        evidence: quotes per stance or tag label, when known.
        coverage: how well the theme was covered (0..1).
    """

    theme: str
    stance: str | None = None
    tags: tuple[str, ...] = ()
    quotes: tuple[QuoteRef, ...] = ()
    evidence: Mapping[str, tuple[QuoteRef, ...]] = field(default_factory=dict)
    coverage: float = 0.0

    @property
    def answered(self) -> bool:
        """Tell whether the position says anything (a stance, a tag or a quote)."""
        return bool(self.stance or self.tags or self.quotes)


@dataclass(frozen=True)
class CauseMention:
    """How one interview mentions one strategic cause."""

    cause: str
    first: int
    count: int = 1
    emphasised: bool = False
    in_primary_theme: bool = False


def rank_interview_causes(mentions: Sequence[CauseMention]) -> list[str]:
    """Rank the causes one executive named, most important first.

    Mentions of the same cause are merged (earliest position, summed counts, any
    emphasis, any mention in the primary theme).
    """
    merged: dict[str, CauseMention] = {}
    for m in mentions:
        prior = merged.get(m.cause)
        if prior is None:
            merged[m.cause] = m
        else:
            merged[m.cause] = CauseMention(
                cause=m.cause, first=min(prior.first, m.first), count=prior.count + m.count,
                emphasised=prior.emphasised or m.emphasised,
                in_primary_theme=prior.in_primary_theme or m.in_primary_theme)
    ordered = sorted(merged.values(), key=lambda m: (not m.in_primary_theme, not m.emphasised,
                                                     m.first, -m.count, m.cause))
    return [m.cause for m in ordered]


@dataclass(frozen=True)
class CauseScore:
    """A strategic cause ranked across interviews."""

    cause: str
    score: int
    rank: int
    interviews: int
    first_choices: int
    quotes: tuple[QuoteRef, ...] = ()


@dataclass(frozen=True)
class RankingInput:
    """One interview's ranked causes and the quotes backing each."""

    interview_id: int
    ranking: tuple[str, ...]
    quotes: Mapping[str, tuple[QuoteRef, ...]] = field(default_factory=dict)


def rank_causes(
    rankings: Sequence[RankingInput], causes: Sequence[str], max_quotes: int = 3
) -> list[CauseScore]:
    """Aggregate the executives' rankings of strategic causes with a Borda count.

    Args:
        rankings: one ranking per interview (unknown causes are ignored).
        causes: every cause, in the order that breaks the last ties.
        max_quotes: quotes kept per cause (one per interview first).

    Returns:
        The causes named at least once, best first, ranks 1, 2, 3...
    """
    k = len(causes)
    order = {c: i for i, c in enumerate(causes)}
    score = dict.fromkeys(causes, 0)
    firsts = dict.fromkeys(causes, 0)
    named = dict.fromkeys(causes, 0)
    quotes: dict[str, list[QuoteRef]] = {c: [] for c in causes}
    for r in sorted(rankings, key=lambda r: r.interview_id):
        seen: list[str] = []
        for cause in r.ranking:
            if cause in order and cause not in seen:
                seen.append(cause)
        for position, cause in enumerate(seen):
            score[cause] += k - position
            named[cause] += 1
            if position == 0:
                firsts[cause] += 1
            quotes[cause].extend(r.quotes.get(cause, ())[:1])
    for r in sorted(rankings, key=lambda r: r.interview_id):
        for cause, refs in r.quotes.items():
            if cause in quotes:
                quotes[cause].extend(q for q in refs[1:] if q not in quotes[cause])
    ranked = sorted((c for c in causes if named[c]),
                    key=lambda c: (-score[c], -firsts[c], -named[c], order[c]))
    return [CauseScore(cause=c, score=score[c], rank=i, interviews=named[c],
                       first_choices=firsts[c], quotes=tuple(quotes[c][:max_quotes]))
            for i, c in enumerate(ranked, start=1)]


@dataclass(frozen=True)
class Point:
    """A stance or a tag and the executives who hold it.

    Attributes:
        kind: ``stance`` or ``tag``.
        value: the label.
        count: how many executives hold it.
        of: how many executives answered the theme.
        interview_ids: the interviews holding it.
        quotes: quotes backing it (anonymous: interview ids only).
        minority: a minority stance listed beside a consensus.
    """

    kind: Literal["stance", "tag"]
    value: str
    count: int
    of: int
    interview_ids: tuple[int, ...]
    quotes: tuple[QuoteRef, ...] = ()
    minority: bool = False


@dataclass(frozen=True)
class ThemeAgreement:
    """Consensus, divergence and mentions on one theme."""

    theme: str
    answered: int
    consensus: tuple[Point, ...] = ()
    divergence: tuple[Point, ...] = ()
    mentions: tuple[Point, ...] = ()
    coverage: float = 0.0


def _quotes_for(label: str, holders: Sequence[tuple[int, PositionInput]],
                max_quotes: int) -> tuple[QuoteRef, ...]:
    picked: list[QuoteRef] = []
    # One quote per executive first, so a talkative one does not fill the list.
    for _, pos in holders:
        refs = pos.evidence.get(label) or pos.quotes
        if refs and refs[0] not in picked:
            picked.append(refs[0])
    for _, pos in holders:
        for ref in pos.evidence.get(label) or pos.quotes:
            if ref not in picked:
                picked.append(ref)
    return tuple(picked[:max_quotes])


def theme_agreement(
    theme: str,
    positions: Sequence[tuple[int, PositionInput]],
    *,
    consensus_share: float = CONSENSUS_SHARE,
    max_quotes: int = 2,
) -> ThemeAgreement:
    """Find the consensus and the divergences of the executives on one theme.

    Args:
        theme: the theme id.
        positions: ``(interview id, position)`` pairs; positions that say nothing are
            not counted.
        consensus_share: share of the executives who answered that makes a consensus.
        max_quotes: quotes kept per point.
    """
    answered = sorted(((i, p) for i, p in positions if p.answered), key=lambda t: t[0])
    n = len(answered)
    coverage = sum(p.coverage for _, p in positions) / len(positions) if positions else 0.0
    if n == 0:
        return ThemeAgreement(theme=theme, answered=0, coverage=coverage)

    def point(kind: Literal["stance", "tag"], label: str,
              holders: list[tuple[int, PositionInput]], minority: bool = False) -> Point:
        return Point(kind=kind, value=label, count=len(holders), of=n,
                     interview_ids=tuple(i for i, _ in holders),
                     quotes=_quotes_for(label, holders, max_quotes), minority=minority)

    consensus: list[Point] = []
    divergence: list[Point] = []
    mentions: list[Point] = []

    by_stance: dict[str, list[tuple[int, PositionInput]]] = {}
    for i, p in answered:
        if p.stance:
            by_stance.setdefault(p.stance, []).append((i, p))
    stance_order = sorted(by_stance, key=lambda s: (-len(by_stance[s]), s))
    if n >= 2 and stance_order:
        top = stance_order[0]
        if len(by_stance[top]) / n >= consensus_share:
            consensus.append(point("stance", top, by_stance[top]))
            divergence += [point("stance", s, by_stance[s], minority=True)
                           for s in stance_order[1:]]
        elif len(stance_order) >= 2:
            divergence += [point("stance", s, by_stance[s]) for s in stance_order]
        else:
            mentions.append(point("stance", top, by_stance[top]))
    else:
        mentions += [point("stance", s, by_stance[s]) for s in stance_order]

    by_tag: dict[str, list[tuple[int, PositionInput]]] = {}
    first_seen: dict[str, tuple[int, int]] = {}
    for i, p in answered:
        for rank, tag in enumerate(p.tags):
            by_tag.setdefault(tag, []).append((i, p))
            first_seen.setdefault(tag, (rank, i))
    for tag in sorted(by_tag, key=lambda t: (-len(by_tag[t]), first_seen[t], t)):
        holders = by_tag[tag]
        if n >= 2 and len(holders) / n >= consensus_share:
            consensus.append(point("tag", tag, holders))
        else:
            mentions.append(point("tag", tag, holders))
    return ThemeAgreement(theme=theme, answered=n, consensus=tuple(consensus),
                          divergence=tuple(divergence), mentions=tuple(mentions),
                          coverage=coverage)


@dataclass(frozen=True)
class Claim:
    """An executive's stated willingness to sponsor one account."""

    account: str
    executive: str
    interview_id: int
    status: Literal["committed", "conditional", "declined"]


def contested_accounts(claims: Sequence[Claim]) -> dict[str, tuple[str, ...]]:
    """Return the accounts that two or more executives offered to sponsor.

    The methodology wants one sponsor per key account, never two: each of these is a
    question for the committee. Declined claims do not count.

    Returns:
        ``{account: (executives, sorted)}`` in account order.
    """
    by_account: dict[str, set[str]] = {}
    for c in claims:
        if c.status != "declined":
            by_account.setdefault(c.account, set()).add(c.executive)
    return {a: tuple(sorted(e)) for a, e in sorted(by_account.items()) if len(e) >= 2}


@dataclass(frozen=True)
class SettleQuestion:
    """A question for the next progress meeting, as data (the caller words it).

    Attributes:
        kind: ``primary_cause``, ``divergence``, ``contested_account``, ``conditions``,
            ``red_line``, ``uncovered_theme`` or ``not_interviewed``.
        theme: the theme concerned, if any.
        values: the labels, accounts or names concerned.
        counts: how many executives hold each value (same order), when it applies.
    """

    kind: str
    theme: str | None = None
    values: tuple[str, ...] = ()
    counts: tuple[int, ...] = ()


def questions_to_settle(
    agreements: Sequence[ThemeAgreement],
    causes: Sequence[CauseScore],
    contested: Mapping[str, Sequence[str]],
    *,
    flagged_stances: Mapping[str, str] | None = None,
    not_interviewed: Sequence[str] = (),
    low_coverage: float = 0.5,
    close_share: float = 0.9,
    cause_theme: str | None = None,
) -> list[SettleQuestion]:
    """List what the committee must decide, in a stable order.

    Args:
        agreements: the per-theme results, in theme order.
        causes: the ranked causes.
        contested: accounts claimed by several executives.
        flagged_stances: stance label -> question kind, e.g. ``{"conditional":
            "conditions", "red_line": "red_line"}``: every theme where executives hold
            such a stance gets a question.
        not_interviewed: executives of the committee not interviewed yet.
        low_coverage: themes covered less than this on average are to be explored.
        close_share: the primary cause is open when the second scores at least this
            share of the first.
        cause_theme: the theme whose stance is the primary cause (its divergence is
            already asked as the primary-cause question).
    """
    out: list[SettleQuestion] = []
    if len(causes) >= 2 and causes[1].score >= close_share * causes[0].score:
        out.append(SettleQuestion(kind="primary_cause", theme=cause_theme,
                                  values=(causes[0].cause, causes[1].cause),
                                  counts=(causes[0].score, causes[1].score)))
    for ag in agreements:
        split = [p for p in ag.divergence if p.kind == "stance"]
        if split and not (ag.theme == cause_theme and out and out[0].kind == "primary_cause"):
            values = [p.value for p in ag.consensus if p.kind == "stance"] + [
                p.value for p in split]
            counts = [p.count for p in ag.consensus if p.kind == "stance"] + [
                p.count for p in split]
            out.append(SettleQuestion(kind="divergence", theme=ag.theme, values=tuple(values),
                                      counts=tuple(counts)))
    for account, executives in contested.items():
        out.append(SettleQuestion(kind="contested_account", values=(account, *executives)))
    for stance, kind in (flagged_stances or {}).items():
        for ag in agreements:
            held = [p for p in (*ag.consensus, *ag.divergence, *ag.mentions)
                    if p.kind == "stance" and p.value == stance]
            if held:
                out.append(SettleQuestion(kind=kind, theme=ag.theme, values=(stance,),
                                          counts=(held[0].count,)))
    for ag in agreements:
        if ag.coverage < low_coverage:
            out.append(SettleQuestion(kind="uncovered_theme", theme=ag.theme))
    if not_interviewed:
        out.append(SettleQuestion(kind="not_interviewed", values=tuple(not_interviewed)))
    return out
