"""Scripted conversations against the loopback OpenAI-compatible server (tool calling).

The model picks the tool and its arguments; the tools run with the user's permissions
exactly as when the rules pick them. Documents are written by the model writer through
the same server (structured output), under the grounding guard.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from chat_server import ChatModelServer, Say, ServerState, ToolCall
from chat_support import KAM_A, LEAD, QUENOLAC, Demo, say

from kambot.assistant.chat import ChatService, tools_for
from kambot.assistant.drafting import draft_document, drafting_context
from kambot.assistant.drafting.storage import list_versions, load_document
from kambot.config import Settings
from kambot.domain.documents import DocumentDraft
from kambot.llm.offline import OfflineWriter
from kambot.llm.testing import answer_json


def model_settings(demo: Demo, server: ChatModelServer) -> Settings:
    return demo.settings.model_copy(update={
        "llm_provider": "openai", "llm_base_url": server.base_url, "llm_model": "test-model",
        "llm_timeout_s": 10.0, "llm_max_retries": 0})


@pytest.fixture
def model_chat(demo: Demo, chat_index: Any, model_server: ChatModelServer
               ) -> Iterator[ChatService]:
    yield ChatService(model_settings(demo, model_server), demo.engine, service=demo.service,
                      index=lambda: chat_index)


def tool_names(request: dict[str, Any]) -> set[str]:
    return {t["function"]["name"] for t in request["tools"]}


def test_every_ability_is_reached_through_tool_calls(model_chat: ChatService,
                                                     server_state: ServerState) -> None:
    session = model_chat.create_session(LEAD).id
    script: list[tuple[str, ToolCall, str]] = [
        ("How do we select key accounts?",
         ToolCall("ask_methodology", {"question": "How do we select key accounts?"}),
         "ask_methodology"),
        ("How is Quenolac doing?", ToolCall("kpis", {"account": "Quenolac"}), "kpis"),
        ("growth outlook for corivar", ToolCall("scenarios", {"account": "corivar"}),
         "scenarios"),
        ("show me the matrix", ToolCall("segmentation"), "segmentation"),
        ("who made the cut?", ToolCall("selection"), "selection"),
        ("who sponsors what", ToolCall("sponsorship_plan"), "sponsorship_plan"),
        ("where are we", ToolCall("programme_status"), "programme_status"),
        ("and now?", ToolCall("next_step"), "next_step"),
        ("the reviews take too long",
         ToolCall("give_feedback", {"text": "the reviews take too long"}), "give_feedback"),
        ("what can you do", ToolCall("help"), "help"),
    ]
    for text, call, tool in script:
        server_state.tool_calls.append(call)
        turn = say(model_chat, LEAD, session, text)
        assert (turn.tool, turn.router) == (tool, "model"), (text, turn.text)
    requests = server_state.routing_requests()
    assert len(requests) == len(script)
    offered = {s.name for s in tools_for(LEAD)}
    assert all(tool_names(r) == offered for r in requests)
    assert "interview_answer" not in offered and "candidate_summary" not in offered
    first = requests[0]["messages"]
    assert first[0]["role"] == "system" and "untrusted_data" in first[0]["content"]
    assert first[-1]["role"] == "user"
    assert first[-1]["content"].strip() == "How do we select key accounts?"


def test_french_conversation_through_tool_calls(model_chat: ChatService,
                                                server_state: ServerState) -> None:
    session = model_chat.create_session(LEAD).id
    server_state.tool_calls.extend([
        ToolCall("ask_methodology", {"question": "Qu'est-ce qu'un sponsor exécutif ?"}),
        ToolCall("kpis", {"account": "Flaevel Boissons"}),
        ToolCall("next_step"),
    ])
    method = say(model_chat, LEAD, session, "Qu'est-ce qu'un sponsor exécutif ?")
    assert (method.tool, method.lang, method.router) == ("ask_methodology", "fr", "model")
    assert all(c["id"].startswith("fr/") for c in method.citations)
    kpis = say(model_chat, LEAD, session, "Donne-moi les chiffres de Flaevel Boissons")
    assert (kpis.tool, kpis.lang) == ("kpis", "fr") and "Chiffre d'affaires" in kpis.text
    nxt = say(model_chat, LEAD, session, "Quelle est la prochaine étape ?")
    assert nxt.tool == "next_step" and nxt.lang == "fr"
    system = server_state.routing_requests()[0]["messages"][0]["content"]
    assert "Réponds en français" in system


def _revision(section: str, previous: DocumentDraft, fact_id: str, text: str) -> str:
    statements = [{"text": st.text, "citations": st.citations}
                  for st in previous.sections[[s.key for s in previous.sections].index(
                      section)].statements]
    statements.append({"text": text, "citations": [fact_id]})
    return json.dumps({"sections": [{"key": section, "statements": statements}]},
                      ensure_ascii=False)


def test_strategy_drafted_by_the_model_then_revised_three_times(
        model_chat: ChatService, server_state: ServerState, demo: Demo) -> None:
    account = QUENOLAC[1]
    offline = draft_document(demo.settings, demo.service, "account_strategy", account, "en",
                             OfflineWriter(), save=False)
    facts = {f.id: f for f in drafting_context(demo.settings, demo.service).inputs(
        "account_strategy", "en", account).facts}
    session = model_chat.create_session(LEAD).id
    server_state.tool_calls.append(ToolCall("draft_document", {"kind": "account_strategy",
                                                               "account": "Quenolac"}))
    server_state.contents.append(answer_json(DocumentDraft(title=offline.title,
                                                           sections=offline.sections)))
    drafted = say(model_chat, LEAD, session, "Draft the strategy for Quenolac")
    assert drafted.tool == "draft_document" and drafted.confirm is not None
    assert "openai:test-model" in drafted.text and "grounding check passed" in drafted.text
    say(model_chat, LEAD, session, "yes")
    key = f"account_strategy/{account}/en"
    base = len(list_versions(demo.engine, key))
    current = DocumentDraft(title=offline.title, sections=offline.sections)
    steps = [
        ("initiatives", "Make initiative 2 more ambitious", "kpi:share_of_wallet"),
        ("executive_actions", "Add the decision we need from the CFO", "kpi:open_pipeline"),
        ("situation", "Make the situation shorter", "kpi:win_rate"),
    ]
    for section, instruction, fact in steps:
        fact_id = f"acct:{account}/{fact}"
        server_state.tool_calls.append(ToolCall("revise_section", {
            "section": section, "instruction": instruction}))
        server_state.contents.append(_revision(section, current, fact_id,
                                               facts[fact_id].text("en")))
        turn = say(model_chat, LEAD, session, instruction)
        assert turn.tool == "revise_section" and "1 statement(s) added" in turn.text, turn.text
        assert turn.confirm is not None
        say(model_chat, LEAD, session, "yes")
        stored = load_document(demo.engine, key)
        assert stored.writer == "openai:test-model" and stored.guard.passed
        assert stored.instructions == instruction and stored.revised_sections == [section]
        current = DocumentDraft(title=stored.title, sections=stored.sections)
    versions = [v.version for v in list_versions(demo.engine, key)]
    assert len(versions) == base + 3
    server_state.tool_calls.append(ToolCall("compare_versions", {
        "from_version": versions[-4], "to_version": versions[-1]}))
    diff = say(model_chat, LEAD, session, "what changed since the first draft?")
    assert diff.tool == "compare_versions"
    for _, _, fact in steps:
        assert "+ " + facts[f"acct:{account}/{fact}"].text("en") in diff.text


def test_a_failing_or_silent_model_falls_back_to_the_rules(model_chat: ChatService,
                                                           server_state: ServerState) -> None:
    session = model_chat.create_session(LEAD).id
    server_state.tool_calls.append(500)
    failed = say(model_chat, LEAD, session, "KPIs of Corivar")
    assert (failed.tool, failed.router) == ("kpis", "rules")
    assert "language model failed" in failed.text
    server_state.tool_calls.append(Say("Corivar is doing great, revenue 99 M EUR!"))
    silent = say(model_chat, LEAD, session, "scenarios for Corivar")
    assert (silent.tool, silent.router) == ("scenarios", "rules")
    assert "99 M EUR" not in silent.text  # a model's own figures are never shown


def test_the_model_reaches_nothing_outside_the_users_scope(model_chat: ChatService,
                                                          server_state: ServerState,
                                                          demo: Demo) -> None:
    session = model_chat.create_session(KAM_A).id
    server_state.tool_calls.extend([
        ToolCall("kpis", {"account": "Valovel Logistik Bremen AG"}),
        ToolCall("kpis", {"account": "Zorbatron Industries"}),
        ToolCall("draft_document", {"kind": "account_strategy", "account": "C10102"}),
        ToolCall("segmentation"),
    ])
    hidden = say(model_chat, KAM_A, session, "KPIs of the Bremen logistics customer")
    unknown = say(model_chat, KAM_A, session, "KPIs of Zorbatron")
    assert hidden.text.replace("Valovel Logistik Bremen AG", "X") == \
        unknown.text.replace("Zorbatron Industries", "X")
    draft = say(model_chat, KAM_A, session, "draft a strategy")
    assert draft.confirm is None and "don't know" in draft.text
    assert list_versions(demo.engine, "account_strategy/C10102/en") == []
    # A tool the KAM is not offered is refused, and the rules answer instead.
    seg = say(model_chat, KAM_A, session, "show me the segmentation")
    assert seg.router == "rules" and seg.tool == "denied"
    offered = tool_names(server_state.routing_requests()[0])
    assert "segmentation" not in offered and "selection" not in offered
    assert "kpis" in offered and "draft_document" in offered
