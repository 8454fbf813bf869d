"""Scripted conversations without a model: every ability, in French and in English."""

from __future__ import annotations

from chat_support import CORIVAR, FLAEVEL, HR, KAM_A, LEAD, QUENOLAC, Demo, say

from kambot.assistant.chat import ChatService
from kambot.assistant.drafting.storage import list_versions, load_document
from kambot.llm.formatting import fmt_money


def test_methodology_questions_cite_their_passages(chat: ChatService) -> None:
    session = chat.create_session(LEAD).id
    en = say(chat, LEAD, session, "How do we select key accounts?")
    assert (en.tool, en.lang) == ("ask_methodology", "en")
    assert en.citations and all(c["kind"] == "methodology" for c in en.citations)
    assert all(c["id"].startswith("en/") for c in en.citations)
    assert "[1]" in en.text
    fr = say(chat, LEAD, session, "Comment choisir les comptes clés ?")
    assert (fr.tool, fr.lang) == ("ask_methodology", "fr")
    assert fr.citations and all(c["id"].startswith("fr/") for c in fr.citations)


def test_account_figures_come_from_the_core(chat: ChatService, demo: Demo) -> None:
    session = chat.create_session(LEAD).id
    analysis = demo.service.analysis()
    en = say(chat, LEAD, session, "Show me the KPIs of Quenolac Mobilité")
    assert en.tool == "kpis" and en.lang == "en"
    revenue = analysis.account_kpis(QUENOLAC[1]).revenue_ttm
    assert f"Revenue over the last twelve months: {fmt_money(revenue, 'en')}" in en.text
    ids = {c["id"] for c in en.citations}
    assert f"acct:{QUENOLAC[1]}/kpi:revenue_ttm" in ids and f"acct:{QUENOLAC[1]}/tier" in ids
    scen = say(chat, LEAD, session, "and the scenarios?")
    assert scen.tool == "scenarios"
    base = next(s for s in analysis.account_scenarios(QUENOLAC[1]).scenarios
                if s.name == "base")
    assert fmt_money(base.total, "en") in scen.text
    fr = say(chat, LEAD, session, "Quels sont les indicateurs de Flaevel Boissons ?")
    assert (fr.tool, fr.lang) == ("kpis", "fr")
    revenue_fr = fmt_money(analysis.account_kpis(FLAEVEL[1]).revenue_ttm, "fr")
    assert f"Chiffre d'affaires des douze derniers mois : {revenue_fr}" in fr.text
    again = say(chat, LEAD, session, "et les scénarios ?")
    assert (again.tool, again.lang) == ("scenarios", "fr")
    assert FLAEVEL[2] in again.text and "Central" in again.text


def test_portfolio_analyses_in_both_languages(chat: ChatService, demo: Demo) -> None:
    session = chat.create_session(LEAD).id
    analysis = demo.service.analysis()
    seg = say(chat, LEAD, session, "Show me the segmentation")
    assert seg.tool == "segmentation"
    assert all(s.name in seg.text for s in analysis.segments.rankings)
    sel = say(chat, LEAD, session, "Quelle est la sélection des comptes clés ?")
    assert (sel.tool, sel.lang) == ("selection", "fr")
    selected = analysis.selection_result.selected
    assert f"{len(selected)} comptes clés sélectionnés" in sel.text
    assert all(s.external_id in sel.text for s in selected)
    plan = say(chat, LEAD, session, "which executive sponsors each key account?")
    assert plan.tool == "sponsorship_plan" and "Load per executive" in plan.text
    kpis = say(chat, LEAD, session, "Quels sont les indicateurs du programme ?")
    assert (kpis.tool, kpis.lang) == ("kpis", "fr")
    assert any(c["id"].startswith("prog:kpi:") for c in kpis.citations)
    outlook = say(chat, LEAD, session, "What are the programme's scenarios over three years?")
    assert outlook.tool == "scenarios" and "key accounts" in outlook.text


def test_a_kam_is_refused_portfolio_analyses_politely(chat: ChatService) -> None:
    session = chat.create_session(KAM_A).id
    turn = say(chat, KAM_A, session, "Show me the segmentation")
    assert turn.tool == "denied" and "your own accounts" in turn.text
    own = say(chat, KAM_A, session, "KPIs of Quenolac")
    assert own.tool == "kpis"


def test_strategy_drafted_then_revised_three_times(chat: ChatService, demo: Demo) -> None:
    session = chat.create_session(LEAD, "fr").id
    draft = say(chat, LEAD, session, "Rédige la stratégie de compte de Corivar")
    assert (draft.tool, draft.lang) == ("draft_document", "fr")
    assert draft.confirm is not None and "version 1" in draft.confirm["summary"]
    key = f"account_strategy/{CORIVAR[1]}/fr"
    assert list_versions(demo.engine, key) == []  # nothing stored before the user agrees
    saved = say(chat, LEAD, session, "oui")
    assert saved.tool == "save_document" and saved.citations[0]["kind"] == "document"
    assert [v.version for v in list_versions(demo.engine, key)] == [1]

    revisions = [
        ("Rends l'initiative 2 plus ambitieuse", "initiatives"),
        ("Ajoute la décision dont nous avons besoin du directeur financier",
         "executive_actions"),
        ("Rends la situation du compte plus courte", "situation"),
    ]
    for number, (instruction, section) in enumerate(revisions, start=2):
        turn = say(chat, LEAD, session, instruction)
        assert turn.tool == "revise_section", instruction
        assert turn.confirm is not None and f"version {number}" in turn.confirm["summary"]
        done = say(chat, LEAD, session, "oui")
        assert done.tool == "save_document"
        stored = load_document(demo.engine, key, number)
        assert stored.revised_sections == [section]
        assert stored.instructions == instruction
        assert stored.parent_version == number - 1
        assert stored.guard.passed
    versions = say(chat, LEAD, session, "liste des versions")
    assert versions.tool == "list_versions" and "v4" in versions.text
    compare = say(chat, LEAD, session, "compare la version 1 et la version 4")
    assert compare.tool == "compare_versions" and "1" in compare.text and "4" in compare.text

    english = say(chat, LEAD, session, "In English please")
    assert english.tool == "set_language" and english.lang == "en"
    assert english.confirm is not None and "Account strategy" in english.text
    say(chat, LEAD, session, "yes")
    assert [v.version for v in list_versions(demo.engine,
                                             f"account_strategy/{CORIVAR[1]}/en")] == [1]
    later = say(chat, LEAD, session, "Quels sont les indicateurs de Corivar ?")
    assert later.lang == "en"  # the user asked for English: it sticks


def test_confirmations_yes_no_and_nothing_pending(chat: ChatService, demo: Demo) -> None:
    session = chat.create_session(LEAD).id
    idle = say(chat, LEAD, session, "yes")
    assert idle.tool == "clarify" and "nothing" in idle.text.lower()
    draft = say(chat, LEAD, session, "write an executive summary for Flaevel Boissons")
    assert draft.confirm is not None
    dropped = say(chat, LEAD, session, "no")
    assert dropped.tool == "cancel"
    assert list_versions(demo.engine, f"executive_summary/{FLAEVEL[1]}/en") == []
    assert chat.history(LEAD, session).pending is None
    direct = say(chat, LEAD, session, "write an executive summary for Flaevel Boissons",
                 confirm=True)
    assert direct.confirm is None and "Saved" in direct.text
    assert len(list_versions(demo.engine, f"executive_summary/{FLAEVEL[1]}/en")) == 1


def test_language_per_message_and_by_request(chat: ChatService) -> None:
    session = chat.create_session(LEAD, "en").id
    assert say(chat, LEAD, session, "Qu'est-ce qu'un sponsor exécutif ?").lang == "fr"
    assert say(chat, LEAD, session, "KPIs Quenolac").lang == "fr"  # too short: keeps fr
    assert say(chat, LEAD, session, "KPIs Quenolac", lang="en").lang == "en"
    assert say(chat, LEAD, session, "segmentation").lang == "fr"  # per message only
    combined = say(chat, LEAD, session, "KPIs of Corivar in English please")
    assert (combined.tool, combined.lang) == ("kpis", "en")


def test_coaching_what_next_and_where_we_stand(chat: ChatService) -> None:
    session = chat.create_session(LEAD).id
    nxt = say(chat, LEAD, session, "What should I do next?")
    assert nxt.tool == "next_step" and nxt.citations
    assert all(c["kind"] == "methodology" for c in nxt.citations)
    status = say(chat, LEAD, session, "Où en est le programme ?")
    assert (status.tool, status.lang) == ("programme_status", "fr")
    assert "✓" in status.text or "✗" in status.text
    kam = say(chat, KAM_A, chat.create_session(KAM_A).id, "What should I do next?")
    assert kam.tool == "denied"


ANSWERS = [
    "Our main challenge is growth with the automotive and rail customers: we lose share of "
    "wallet to two competitors, and the programme must serve customer focus first. We "
    "measure it by key-account revenue growth of 8% a year by 2028.",
    "I expect revenue growth of 8% a year on the key accounts and a share of wallet of 40% "
    "within three years, reviewed every quarter at the executive committee.",
    "The segments that matter are automotive and rail, then machine builders; Quenolac "
    "Mobilité and Corivar are the accounts I watch most closely.",
    "I will commit two engineers from my team and a budget of 300 k EUR per year for the "
    "joint initiatives, starting in January 2027.",
    "Yes, I will sponsor Quenolac Mobilité SA and meet their executives four times a year.",
    "My concern is that the KAMs lack time: if the programme adds reporting without removing "
    "other tasks, it will fail within a year.",
    "A quarterly review at the executive committee, with the KPIs of every key account, and "
    "a monthly call between the programme lead and me.",
]


def test_a_full_interview_from_first_question_to_synthesis(chat: ChatService) -> None:
    session = chat.create_session(LEAD).id
    start = say(chat, LEAD, session, "Start an alignment interview with Marc Delorme")
    assert start.tool == "interview_start" and start.mode == "interview"
    assert "Marc Delorme" in start.text and "?" in start.text
    paused = say(chat, LEAD, session, "pause")
    assert paused.tool == "interview_pause" and paused.mode == "chat"
    resumed = say(chat, LEAD, session, "resume the interview")
    assert resumed.tool == "interview_resume" and resumed.mode == "interview"
    turn = resumed
    answered = 0
    while turn.mode == "interview" and answered < 40:
        turn = say(chat, LEAD, session, ANSWERS[min(answered, len(ANSWERS) - 1)])
        assert turn.tool == "interview_answer", turn.text
        answered += 1
    assert turn.mode == "chat" and answered >= 7
    assert "complete" in turn.text
    synthesis = say(chat, LEAD, session, "Show me the synthesis of the interviews")
    assert synthesis.tool == "interview_synthesis" and "Marc Delorme" in synthesis.text
    fr = say(chat, LEAD, session, "synthèse des entretiens")
    assert (fr.tool, fr.lang) == ("interview_synthesis", "fr")


def test_feedback_is_recorded_in_both_languages(chat: ChatService, demo: Demo) -> None:
    from kambot.assistant.feedback import feedback_themes

    before = sum(t.count for t in feedback_themes(demo.engine))
    session = chat.create_session(KAM_A).id
    en = say(chat, KAM_A, session, "Feedback: the weekly account reviews take too much time")
    assert en.tool == "give_feedback" and "Thank you" in en.text
    fr = say(chat, KAM_A, session, "Retour : les KAM manquent de temps pour préparer les revues")
    assert (fr.tool, fr.lang) == ("give_feedback", "fr")
    themes = feedback_themes(demo.engine)
    assert sum(t.count for t in themes) == before + 2
    texts = [i.text for t in themes for i in t.items]
    assert "the weekly account reviews take too much time" in texts


def test_candidate_summaries_are_for_hr_only(chat: ChatService, demo: Demo) -> None:
    from kambot.assistant.assessment import assess_text, create_run

    cv = ("Key account manager for eight years at an automation supplier. Grew the "
          "revenue of my three key accounts by 35% in three years by building a joint "
          "roadmap with their plant managers and CFOs. Led a cross-functional team of six.")
    assessment = assess_text(demo.settings, cv, target="farmer", lang="en",
                             candidate_ref="CAND-0042")
    create_run(demo.engine, assessment)
    hr = chat.create_session(HR).id
    summary = say(chat, HR, hr, "Show the assessment of candidate CAND-0042")
    assert summary.tool == "candidate_summary" and "CAND-0042" in summary.text
    assert "human decision" in summary.text
    fr = say(chat, HR, hr, "résumé de l'évaluation du candidat CAND-0042")
    assert (fr.tool, fr.lang) == ("candidate_summary", "fr")
    unknown = say(chat, HR, hr, "Show the assessment of candidate CAND-9999")
    assert unknown.tool == "candidate_summary" and "No assessment" in unknown.text
    assert say(chat, HR, hr, "KPIs of Quenolac").tool == "denied"
    lead = say(chat, LEAD, chat.create_session(LEAD).id,
               "Show the assessment of candidate CAND-0042")
    assert lead.tool == "denied" and "CAND-0042" not in lead.text


def test_help_lists_what_the_role_can_do(chat: ChatService) -> None:
    lead = say(chat, LEAD, chat.create_session(LEAD).id, "help")
    hr = say(chat, HR, chat.create_session(HR).id, "Que sais-tu faire ?")
    assert lead.tool == hr.tool == "help"
    assert "segmentation" in lead.text and "candidate" not in lead.text
    assert hr.lang == "fr" and "candidat" in hr.text and "segmentation" not in hr.text


def test_history_is_kept_per_user_and_resumable(chat: ChatService) -> None:
    from kambot.errors import NotFoundError

    session = chat.create_session(KAM_A).id
    say(chat, KAM_A, session, "KPIs of Quenolac")
    say(chat, KAM_A, session, "and the scenarios?")
    view = chat.history(KAM_A, session)
    assert [m.role for m in view.messages] == ["user", "assistant"] * 2
    assert view.messages[2].content == "and the scenarios?"
    assert view.messages[3].tool == "scenarios" and view.messages[3].citations
    assert view.title == "KPIs of Quenolac"
    assert session in [s.id for s in chat.list_sessions(KAM_A)]
    assert session not in [s.id for s in chat.list_sessions(LEAD)]
    try:
        chat.history(LEAD, session)
    except NotFoundError as exc:
        assert exc.message == f"no chat session {session}"
    else:
        raise AssertionError("another user's session must not open")
