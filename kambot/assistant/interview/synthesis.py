"""The synthesis across interviews: consensus, divergence, causes, commitments, questions.

The aggregation is :mod:`kambot.core.synthesis` (deterministic); this module feeds it
the interview records, words the results in French or English, renders them as
Markdown and turns them into what the rest of kambot uses: proposed programme
objectives, and sponsorship commitments for the sponsorship plan and the drafting
facts. Quotes stay anonymous (the methodology promises that no remark is attributed
by name); commitments name the executive, since a sponsor is named by definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kambot.assistant.interview.extract import InterviewContext, labels_in
from kambot.assistant.interview.models import (
    InterviewRecord,
    Quote,
    RankedCause,
    SettleItem,
    SponsorshipCommitment,
    Synthesis,
    SynthesisPoint,
    ThemeSynthesis,
)
from kambot.core.synthesis import (
    Claim,
    PositionInput,
    QuoteRef,
    RankingInput,
    SettleQuestion,
    ThemeAgreement,
    contested_accounts,
    questions_to_settle,
    rank_causes,
    theme_agreement,
)
from kambot.domain.documents import Lang
from kambot.domain.programme import Objective, StrategicCause

if TYPE_CHECKING:
    from kambot.assistant.facts import FactBook
    from kambot.core.synthesis import Point

FLAGGED_STANCES = {"conditional": "conditions", "red_line": "red_line"}


def _ref(q: Quote) -> QuoteRef:
    return QuoteRef(interview_id=q.interview_id, theme=q.theme, text=q.text)


def _quote(ref: QuoteRef) -> Quote:
    return Quote(interview_id=ref.interview_id, theme=ref.theme, text=ref.text)


def _positions(ctx: InterviewContext, theme_id: str, records: Sequence[InterviewRecord]
               ) -> list[tuple[int, PositionInput]]:
    theme = ctx.guide.theme(theme_id)
    out = []
    for r in records:
        pos = r.position(theme_id)
        if pos is None:
            continue
        evidence: dict[str, list[QuoteRef]] = {}
        for q in pos.quotes:
            for label in labels_in(ctx, theme, q.text, r.lang):
                evidence.setdefault(label, []).append(_ref(q))
        if pos.stance and pos.stance not in evidence:
            cause = next((p for p in r.priorities if p.cause.value == pos.stance), None)
            if cause is not None and cause.quotes:
                evidence[pos.stance] = [_ref(q) for q in cause.quotes]
        out.append((r.interview_id, PositionInput(
            theme=theme_id, stance=pos.stance, tags=tuple(pos.tags),
            quotes=tuple(_ref(q) for q in pos.quotes),
            evidence={k: tuple(v) for k, v in evidence.items()}, coverage=pos.coverage)))
    return out


def _point(ctx: InterviewContext, theme_id: str, p: Point, lang: Lang) -> SynthesisPoint:
    theme = ctx.guide.theme(theme_id)
    if p.kind == "stance":
        label = ctx.stance_label(theme, p.value, lang) or p.value
        if theme.stance_from == "priorities":
            label += " (première priorité)" if lang == "fr" else " (first priority)"
    else:
        label = ctx.tag_label(theme, p.value, lang)
    return SynthesisPoint(kind=p.kind, value=p.value, label=label, count=p.count, of=p.of,
                          minority=p.minority, quotes=[_quote(q) for q in p.quotes])


def _theme_synthesis(ctx: InterviewContext, ag: ThemeAgreement, lang: Lang) -> ThemeSynthesis:
    theme = ctx.guide.theme(ag.theme)
    return ThemeSynthesis(
        theme=ag.theme, title=theme.title.get(lang), answered=ag.answered,
        coverage=round(ag.coverage, 4),
        consensus=[_point(ctx, ag.theme, p, lang) for p in ag.consensus],
        divergence=[_point(ctx, ag.theme, p, lang) for p in ag.divergence],
        mentions=[_point(ctx, ag.theme, p, lang) for p in ag.mentions])


def _account_label(commitments: Sequence[SponsorshipCommitment], key: str) -> str:
    for c in commitments:
        if (c.account_external_id or c.mentioned) == key:
            return c.account_name or c.mentioned
    return key


def _word_question(ctx: InterviewContext, q: SettleQuestion, lang: Lang,
                   commitments: Sequence[SponsorshipCommitment]) -> SettleItem:
    fr = lang == "fr"
    title = ctx.guide.theme(q.theme).title.get(lang) if q.theme else ""
    theme = ctx.guide.theme(q.theme) if q.theme else None
    if q.kind == "primary_cause":
        a, b = (ctx.guide.cause_label(v, lang) for v in q.values)
        sa, sb = q.counts
        text = (f"Choisir la cause stratégique principale du programme : « {a} » ({sa} points) "
                f"et « {b} » ({sb} points) sont au coude-à-coude." if fr else
                f"Choose the programme's primary strategic cause: \"{a}\" ({sa} points) and "
                f"\"{b}\" ({sb} points) are close.")
    elif q.kind == "divergence" and theme is not None:
        parts = ", ".join(f"{ctx.stance_label(theme, v, lang) or v} : {c}" if fr else
                          f"{ctx.stance_label(theme, v, lang) or v}: {c}"
                          for v, c in zip(q.values, q.counts, strict=True))
        text = (f"{title} : les dirigeants divergent ({parts}) ; décider de la position que "
                "retient le programme." if fr else
                f"{title}: the executives disagree ({parts}); decide which position the "
                "programme takes.")
    elif q.kind == "contested_account":
        account = _account_label(commitments, q.values[0])
        who = " et ".join(q.values[1:]) if fr else " and ".join(q.values[1:])
        text = (f"{account} : {who} se proposent tous pour le parrainer ; un seul sponsor par "
                "compte clé, choisir lequel." if fr else
                f"{account}: {who} all offered to sponsor it; one sponsor per key account, "
                "choose one.")
    elif q.kind == "conditions":
        n = q.counts[0]
        text = (f"{title} : {n} dirigeant(s) posent des conditions ; les lister et convenir "
                "de ce que le programme peut tenir." if fr else
                f"{title}: {n} executive(s) set conditions; list them and agree on what the "
                "programme can meet.")
    elif q.kind == "red_line":
        n = q.counts[0]
        text = (f"{title} : {n} dirigeant(s) posent une ligne rouge ; vérifier la conception "
                "du programme au regard de celle-ci avant la décision." if fr else
                f"{title}: {n} executive(s) stated a red line; check the programme's design "
                "against it before the decision.")
    elif q.kind == "uncovered_theme":
        text = (f"{title} : les interviews en disent peu ; l'approfondir en réunion ou lors "
                "d'un échange complémentaire." if fr else
                f"{title}: the interviews say little about it; explore it at the meeting or "
                "in a follow-up conversation.")
    else:
        names = ", ".join(q.values)
        text = (f"Interviewer {names} avant la décision : oublier un membre du comité, c'est "
                "souvent le retrouver plus tard parmi les opposants." if fr else
                f"Interview {names} before the decision: leaving out a committee member "
                "usually means meeting them later as an opponent.")
    return SettleItem(kind=q.kind, theme=q.theme, text=text)


def proposed_objectives(ctx: InterviewContext, causes: Sequence[RankedCause],
                        themes: Sequence[ThemeSynthesis], interviews: int,
                        lang: Lang) -> list[Objective]:
    """Propose the programme's objectives from the ranked causes.

    One primary cause, and at most one secondary cause when it scores at least half of
    the first (the methodology warns that five causes at once amount to none). The
    measure comes from the results executives agree on (or mention most).
    """
    if not causes:
        return []
    measures: list[str] = []
    results = next((t for t in themes if t.theme == "expected_results"), None)
    if results is not None:
        measures = [p.label for p in results.consensus if p.kind == "tag"]
        if not measures:
            measures = [p.label for p in results.mentions if p.kind == "tag"][:2]
    measure = "; ".join(measures) or None
    picked = [causes[0]]
    if len(causes) > 1 and causes[1].score * 2 >= causes[0].score:
        picked.append(causes[1])
    out = []
    for i, c in enumerate(picked):
        label = ctx.guide.cause_label(c.cause.value, lang)
        if lang == "fr":
            role = "d'abord" if i == 0 else "en second"
            statement = (f"Le programme grands comptes sert {role} l'enjeu « {label} » : "
                         f"{c.first_choices} des {interviews} dirigeants interviewés le placent "
                         f"en tête, {c.interviews} le citent.")
        else:
            role = "first" if i == 0 else "second"
            statement = (f"The key account programme serves \"{label}\" {role}: "
                         f"{c.first_choices} of the {interviews} executives interviewed rank it "
                         f"first, {c.interviews} name it.")
        out.append(Objective(cause=c.cause, statement=statement, measure=measure))
    return out


def build_synthesis(
    ctx: InterviewContext,
    records: Sequence[InterviewRecord],
    lang: Lang,
    *,
    not_interviewed: Sequence[str] = (),
) -> Synthesis:
    """Synthesise interview records (deterministic aggregation, worded in ``lang``).

    Args:
        ctx: guide, accounts and programme.
        records: the records to synthesise (usually the completed interviews).
        lang: language of labels and questions.
        not_interviewed: executives of the committee without a completed interview.
    """
    guide = ctx.guide
    ordered = sorted(records, key=lambda r: r.interview_id)
    agreements = [theme_agreement(t.id, _positions(ctx, t.id, ordered),
                                  consensus_share=guide.consensus_share)
                  for t in guide.themes]
    themes = [_theme_synthesis(ctx, ag, lang) for ag in agreements]
    scores = rank_causes(
        [RankingInput(interview_id=r.interview_id,
                      ranking=tuple(p.cause.value for p in r.priorities),
                      quotes={p.cause.value: tuple(_ref(q) for q in p.quotes)
                              for p in r.priorities}) for r in ordered],
        [c.value for c in StrategicCause])
    causes = [RankedCause(cause=StrategicCause(s.cause), label=guide.cause_label(s.cause, lang),
                          rank=s.rank, score=s.score, interviews=s.interviews,
                          first_choices=s.first_choices, quotes=[_quote(q) for q in s.quotes])
              for s in scores]
    commitments = [c for r in ordered for c in r.commitments]
    contested = contested_accounts([
        Claim(account=c.account_external_id or c.mentioned, executive=c.executive,
              interview_id=c.interview_id, status=c.status) for c in commitments])
    cause_theme = next((t.id for t in guide.themes if t.stance_from == "priorities"), None)
    settle = questions_to_settle(agreements, scores, contested, flagged_stances=FLAGGED_STANCES,
                                 not_interviewed=not_interviewed, cause_theme=cause_theme)
    stance_map = {"supporter": 0, "neutral": 0, "sceptic": 0}
    for r in ordered:
        stance_map[r.overall_stance] += 1
    return Synthesis(
        lang=lang, interviews=len(ordered), executives=[r.executive for r in ordered],
        not_interviewed=list(not_interviewed), stance_map=stance_map, themes=themes,
        causes=causes, commitments=commitments,
        contested_accounts={k: list(v) for k, v in contested.items()},
        questions=[_word_question(ctx, q, lang, commitments) for q in settle],
        proposed_objectives=proposed_objectives(ctx, causes, themes, len(ordered), lang),
    )


# --- rendering -------------------------------------------------------------------------------

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("Synthesis of the executive interviews", "Synthèse des interviews des dirigeants"),
    "none": ("No interview is complete yet.", "Aucune interview n'est encore terminée."),
    "interviews": ("Interviews", "Interviews"),
    "executives": ("Executives interviewed", "Dirigeants interviewés"),
    "missing": ("Not interviewed yet", "Pas encore interviewés"),
    "stance": ("Stance towards the programme", "Position envers le programme"),
    "supporter": ("supporters", "soutiens"),
    "neutral": ("neutral", "neutres"),
    "sceptic": ("sceptics", "sceptiques"),
    "causes": ("Strategic causes, ranked", "Causes stratégiques, classées"),
    "points": ("points", "points"),
    "first": ("ranked first by", "classée en tête par"),
    "named": ("named by", "citée par"),
    "themes": ("Positions per theme", "Positions par thème"),
    "consensus": ("Consensus", "Consensus"),
    "divergence": ("Divergence", "Divergences"),
    "mentions": ("Also raised", "Également évoqué"),
    "minority": ("minority view", "avis minoritaire"),
    "nothing": ("Nothing said on this theme yet.", "Rien n'a encore été dit sur ce thème."),
    "commitments": ("Sponsorship commitments", "Engagements de parrainage"),
    "no_commitments": ("No executive has offered to sponsor an account yet.",
                       "Aucun dirigeant ne s'est encore proposé pour parrainer un compte."),
    "executive": ("Executive", "Dirigeant"),
    "account": ("Account", "Compte"),
    "status": ("Status", "Statut"),
    "said": ("As said", "Tel que dit"),
    "committed": ("committed", "engagé"),
    "conditional": ("on conditions", "sous conditions"),
    "declined": ("declined", "refusé"),
    "unmatched": ("not among the stored accounts", "absent des comptes enregistrés"),
    "questions": ("Questions to settle at the next progress meeting",
                  "Questions à trancher à la prochaine réunion d'avancement"),
    "no_questions": ("Nothing to settle.", "Rien à trancher."),
    "objectives": ("Proposed programme objectives", "Objectifs de programme proposés"),
    "measure": ("Measure", "Mesure"),
    "anonymous": ("Quotes are anonymous.", "Les citations sont anonymes."),
}


def _t(key: str, lang: Lang) -> str:
    en, fr = _TEXT[key]
    return fr if lang == "fr" else en


def _md_quote(q: Quote, lang: Lang) -> str:
    text = " ".join(q.text.split())
    return f"  > « {text} »" if lang == "fr" else f"  > \u201c{text}\u201d"


def _md_point(p: SynthesisPoint, lang: Lang) -> list[str]:
    extra = f", {_t('minority', lang)}" if p.minority else ""
    lines = [f"- {p.label} ({p.count}/{p.of}{extra})"]
    lines += [_md_quote(q, lang) for q in p.quotes]
    return lines


def render_synthesis(synthesis: Synthesis, lang: Lang | None = None) -> str:
    """Render a synthesis as Markdown, in ``lang`` (the synthesis' language by default).

    Labels come from the synthesis itself: render in the language it was built in for
    labels and questions to match.
    """
    lg: Lang = lang or synthesis.lang
    sep = " : " if lg == "fr" else ": "
    out = [f"# {_t('title', lg)}", ""]
    if synthesis.interviews == 0:
        out.append(_t("none", lg))
        if synthesis.not_interviewed:
            out += ["", f"- {_t('missing', lg)}{sep}{', '.join(synthesis.not_interviewed)}"]
        if synthesis.questions:
            out += ["", f"## {_t('questions', lg)}", ""]
            out += [f"{i}. {q.text}" for i, q in enumerate(synthesis.questions, start=1)]
        return "\n".join(out) + "\n"
    out.append(f"- {_t('interviews', lg)}{sep}{synthesis.interviews}")
    out.append(f"- {_t('executives', lg)}{sep}{', '.join(synthesis.executives)}")
    if synthesis.not_interviewed:
        out.append(f"- {_t('missing', lg)}{sep}{', '.join(synthesis.not_interviewed)}")
    sm = synthesis.stance_map
    out.append(f"- {_t('stance', lg)}{sep}" + ", ".join(
        f"{_t(k, lg)} {sm.get(k, 0)}" for k in ("supporter", "neutral", "sceptic")))
    out += ["", f"_{_t('anonymous', lg)}_", "", f"## {_t('causes', lg)}", ""]
    for c in synthesis.causes:
        out.append(f"{c.rank}. **{c.label}**{sep}{c.score} {_t('points', lg)}, "
                   f"{_t('first', lg)} {c.first_choices}/{synthesis.interviews}, "
                   f"{_t('named', lg)} {c.interviews}/{synthesis.interviews}")
        out += [_md_quote(q, lg) for q in c.quotes[:2]]
    out += ["", f"## {_t('themes', lg)}"]
    for theme in synthesis.themes:
        out += ["", f"### {theme.title}", ""]
        if not (theme.consensus or theme.divergence or theme.mentions):
            out.append(_t("nothing", lg))
            continue
        for key, points in (("consensus", theme.consensus), ("divergence", theme.divergence),
                            ("mentions", theme.mentions)):
            if points:
                out.append(f"**{_t(key, lg)}**")
                out.append("")
                for p in points:
                    out += _md_point(p, lg)
                out.append("")
    out += ["", f"## {_t('commitments', lg)}", ""]
    if synthesis.commitments:
        out.append(f"| {_t('executive', lg)} | {_t('account', lg)} | {_t('status', lg)} | "
                   f"{_t('said', lg)} |")
        out.append("|---|---|---|---|")
        for sc in synthesis.commitments:
            account = sc.account_name or f"{sc.mentioned} ({_t('unmatched', lg)})"
            said = " ".join(sc.quote.text.split()).replace("|", "/")
            out.append(f"| {sc.executive} | {account} | {_t(sc.status, lg)} | {said} |")
    else:
        out.append(_t("no_commitments", lg))
    out += ["", f"## {_t('questions', lg)}", ""]
    if synthesis.questions:
        out += [f"{i}. {q.text}" for i, q in enumerate(synthesis.questions, start=1)]
    else:
        out.append(_t("no_questions", lg))
    if synthesis.proposed_objectives:
        out += ["", f"## {_t('objectives', lg)}", ""]
        for o in synthesis.proposed_objectives:
            measure = f" ({_t('measure', lg)}{sep}{o.measure})" if o.measure else ""
            out.append(f"- {o.statement}{measure}")
    return "\n".join(out).rstrip() + "\n"


# --- feeding the sponsorship plan and the drafting facts ------------------------------------


def committed_sponsors(commitments: Sequence[SponsorshipCommitment]) -> dict[str, list[str]]:
    """Return, per stored account, the executives (person keys) willing to sponsor it.

    Committed executives come before those with conditions; declined offers, accounts
    the store does not know and executives without a person key are left out. This is
    what the sponsorship plan can prefer when it assigns sponsors.
    """
    out: dict[str, list[str]] = {}
    for status in ("committed", "conditional"):
        for c in commitments:
            if c.status != status or not c.account_external_id or not c.executive_key:
                continue
            keys = out.setdefault(c.account_external_id, [])
            if c.executive_key not in keys:
                keys.append(c.executive_key)
    return dict(sorted(out.items()))


def commitment_facts(book: FactBook, commitments: Sequence[SponsorshipCommitment]) -> None:
    """Add one ``acct:<external id>/sponsorship:interview:<person>`` fact per commitment.

    Only commitments matched with a stored account are added; the sentences say who
    offered (or declined) to sponsor which account in the executive interviews.
    """
    for c in commitments:
        if not c.account_external_id:
            continue
        who = c.executive_key or c.executive
        name = c.account_name or c.mentioned
        en = {"committed": f"In the executive interviews, {c.executive} offered to sponsor "
                           f"{name}.",
              "conditional": f"In the executive interviews, {c.executive} offered to sponsor "
                             f"{name} on conditions.",
              "declined": f"In the executive interviews, {c.executive} declined to sponsor "
                          f"{name}."}[c.status]
        fr = {"committed": f"Lors des interviews des dirigeants, {c.executive} s'est proposé "
                           f"pour parrainer {name}.",
              "conditional": f"Lors des interviews des dirigeants, {c.executive} s'est proposé "
                             f"pour parrainer {name} sous conditions.",
              "declined": f"Lors des interviews des dirigeants, {c.executive} a décliné le "
                          f"parrainage de {name}."}[c.status]
        book.text(f"acct:{c.account_external_id}/sponsorship:interview:{who}",
                  "Sponsorship offered in interview", c.status, en, fr)
