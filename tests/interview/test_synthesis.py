"""Synthesis across interviews: consensus, divergence, causes, commitments, questions."""

from __future__ import annotations

import pytest
from interview_support import (
    EN_SCRIPT,
    FR_SCRIPT,
    HELENE,
    LEAD,
    SABINE_SCRIPT,
    answer_all,
    programme,
    save,
)
from sqlalchemy.engine import Engine

from kambot.assistant.facts import FactBook
from kambot.assistant.interview import (
    InterviewService,
    Synthesis,
    commitment_facts,
    committed_sponsors,
    render_synthesis,
    sponsorship_commitments,
)
from kambot.config import Settings
from kambot.domain.programme import StrategicCause
from kambot.errors import PermissionDeniedError


@pytest.fixture
def three(service: InterviewService) -> InterviewService:
    """Return the service after three completed interviews (EN, FR, EN)."""
    for who, lang, script in (("Hélène Vauclair", "en", EN_SCRIPT),
                              ("Marc Delorme", "fr", FR_SCRIPT),
                              ("Sabine Kessler", "en", SABINE_SCRIPT)):
        first = service.start(LEAD, who, lang)  # type: ignore[arg-type]
        assert answer_all(service, LEAD, first, script).last.done
    return service


def theme(s: Synthesis, theme_id: str):  # type: ignore[no-untyped-def]
    return next(t for t in s.themes if t.theme == theme_id)


def test_three_interviews_consensus_divergence_and_causes(three: InterviewService) -> None:
    s = three.synthesise(LEAD, "en")
    assert s.interviews == 3 and s.not_interviewed == []
    assert s.executives == ["Hélène Vauclair", "Marc Delorme", "Sabine Kessler"]
    # Two of three put breaking silos first; Hélène puts customer focus first.
    assert s.causes[0].cause == StrategicCause.BREAKING_SILOS
    assert s.causes[0].first_choices == 2 and s.causes[0].interviews == 3
    assert s.causes[0].quotes and all(q.text for q in s.causes[0].quotes)
    strategic = theme(s, "strategic_challenges")
    assert [(p.value, p.count, p.of) for p in strategic.consensus if p.kind == "stance"] == [
        ("breaking_silos", 2, 3)]
    assert [(p.value, p.minority) for p in strategic.divergence] == [("customer_focus", True)]
    assert strategic.consensus[0].label == "breaking internal silos (first priority)"
    results = theme(s, "expected_results")
    assert ("share_of_wallet", 3) in [(p.value, p.count) for p in results.consensus]
    governance = theme(s, "governance")
    assert [(p.value, p.count) for p in governance.consensus if p.kind == "stance"] == [
        ("monthly", 2)]
    assert [p.value for p in governance.divergence] == ["quarterly"]
    concerns = theme(s, "concerns")
    assert ("red_line", 2) in [(p.value, p.count) for p in concerns.consensus]
    assert [p.value for p in concerns.divergence] == ["no_concern"]
    # Quotes stay anonymous: interview ids only, and every quote is verbatim.
    for t in s.themes:
        for p in (*t.consensus, *t.divergence, *t.mentions):
            for q in p.quotes:
                view = three.view(LEAD, q.interview_id)
                assert any(q.text in e.text for e in view.transcript
                           if e.speaker == "executive")


def test_commitments_contested_accounts_and_questions(three: InterviewService) -> None:
    s = three.synthesise(LEAD, "en")
    got = {(c.executive_key, c.account_external_id, c.status) for c in s.commitments}
    assert got == {("hvauclair", "C1", "committed"), ("hvauclair", "C2", "committed"),
                   ("mdelorme", "C3", "committed"), ("skessler", "C1", "conditional")}
    assert s.contested_accounts == {"C1": ["Hélène Vauclair", "Sabine Kessler"]}
    kinds = [q.kind for q in s.questions]
    assert "contested_account" in kinds and "conditions" in kinds and "red_line" in kinds
    contested = next(q for q in s.questions if q.kind == "contested_account")
    assert contested.text.startswith("Quenolac Mobilité SA: Hélène Vauclair and Sabine "
                                     "Kessler")
    assert committed_sponsors(s.commitments) == {
        "C1": ["hvauclair", "skessler"], "C2": ["hvauclair"], "C3": ["mdelorme"]}
    book = FactBook()
    commitment_facts(book, s.commitments)
    fact = book.get("acct:C1/sponsorship:interview:skessler")
    assert fact is not None and fact.value == "conditional"
    assert "on conditions" in fact.text_en and "sous conditions" in fact.text_fr
    assert s.stance_map["supporter"] + s.stance_map["neutral"] + s.stance_map["sceptic"] == 3


def test_markdown_in_both_languages(three: InterviewService) -> None:
    en = render_synthesis(three.synthesise(LEAD, "en"))
    assert en.startswith("# Synthesis of the executive interviews")
    for part in ("## Strategic causes, ranked", "**Consensus**", "**Divergence**",
                 "## Sponsorship commitments", "| Sabine Kessler | Quenolac Mobilité SA | on "
                 "conditions |", "## Questions to settle at the next progress meeting",
                 "## Proposed programme objectives", "1. **breaking internal silos**: "):
        assert part in en
    fr = three.render_synthesis(three.synthesise(LEAD, "fr"))
    assert fr.startswith("# Synthèse des interviews des dirigeants")
    for part in ("## Causes stratégiques, classées", "**Divergences**",
                 "1. **casser les silos internes** : ", "| Marc Delorme | Orsanova "
                 "Maschinenbau GmbH & Co. KG | engagé |", "« "):
        assert part in fr
    # Quotes are anonymous: no executive name in front of a quote.
    assert not any(line.startswith("  > ") and "Vauclair" in line for line in fr.splitlines())


def test_objectives_feed_the_programme(three: InterviewService, engine: Engine) -> None:
    s = three.synthesise(LEAD, "en")
    proposed = s.proposed_objectives
    assert proposed[0].cause == StrategicCause.BREAKING_SILOS
    assert "2 of the 3 executives interviewed rank it first" in proposed[0].statement
    assert proposed[0].measure and "share of wallet" in proposed[0].measure
    with pytest.raises(PermissionDeniedError):
        three.adopt_objectives(HELENE)
    save(engine, programme(objectives=[]))
    objectives = three.adopt_objectives(LEAD, "en")
    assert [o.cause for o in objectives] == [o.cause for o in proposed]
    again = three.adopt_objectives(LEAD, "en")  # nothing added twice
    assert len(again) == len(objectives)


def test_an_executive_synthesises_only_their_own(three: InterviewService,
                                                 settings: Settings, engine: Engine) -> None:
    mine = three.synthesise(HELENE, "en")
    assert mine.interviews == 1 and mine.executives == ["Hélène Vauclair"]
    assert mine.not_interviewed == []  # the committee's list is for the lead
    assert {c.executive_key for c in mine.commitments} == {"hvauclair"}
    assert len(sponsorship_commitments(settings, engine)) == 4


def test_no_interview_yet(service: InterviewService) -> None:
    s = service.synthesise(LEAD, "fr")
    assert s.interviews == 0 and s.causes == [] and s.commitments == []
    assert s.not_interviewed == ["Hélène Vauclair", "Marc Delorme", "Sabine Kessler"]
    assert s.questions[-1].kind == "not_interviewed"
    md = render_synthesis(s)
    assert "Aucune interview n'est encore terminée." in md and "Sabine Kessler" in md
