"""Guarded drafting with a scripted model: accept, retry, repair, fall back; prompts."""

from __future__ import annotations

import re

import pytest
from llm_support import INJECTION, Request

from kambot.config import PROJECT_ROOT
from kambot.domain.documents import DocumentDraft, Statement
from kambot.errors import ModelError, ModelTimeoutError
from kambot.llm.grounded import grounded_draft
from kambot.llm.model_writer import ModelWriter, build_messages
from kambot.llm.offline import OfflineWriter
from kambot.llm.testing import ScriptedModel, answer_from_draft, answer_json

PROMPTS = PROJECT_ROOT / "prompts"


def offline_draft(req: Request, kind: str = "ceb", lang: str = "en") -> DocumentDraft:
    return OfflineWriter().draft(kind, req.inputs.facts, req.inputs.passages, lang,  # type: ignore[arg-type]
                                 context=req.context)


def run(req: Request, model: ScriptedModel, kind: str = "ceb", lang: str = "en"):  # type: ignore[no-untyped-def]
    writer = ModelWriter(model, PROMPTS)
    return grounded_draft(writer, kind, req.inputs.facts, req.inputs.passages, lang,  # type: ignore[arg-type]
                          context=req.context)


def tamper(draft: DocumentDraft, section: str, text: str, citations: list[str]) -> DocumentDraft:
    """Return the draft with one statement added to a section."""
    copy = draft.model_copy(deep=True)
    target = next(s for s in copy.sections if s.key == section)
    target.statements.insert(0, Statement(text=text, citations=citations))
    return copy


def test_a_valid_answer_is_accepted_as_is(ceb_request: Request) -> None:
    good = offline_draft(ceb_request)
    model = ScriptedModel([answer_json(good)], name="scripted-model")
    result = run(ceb_request, model)
    assert model.calls == 1
    assert result.writer == "scripted-model" and not result.fallback_used
    assert result.verdict.passed and not result.verdict.retried
    assert result.draft.sections == good.sections
    assert result.prompt_ref == "draft_document@1/en"


BAD_STATEMENTS = {
    "figure": ("Satisfaction stands at 9.5 out of ten.", ["acct:C10175/kpi:satisfaction"],
               "figure_mismatch"),
    "citation": ("Revenue grew strongly.", ["acct:C10175/kpi:invented_metric"],
                 "unknown_citation"),
    "person": ("Jean Dupont, their new chief executive, will attend.",
               ["acct:C10175/name"], "unknown_name"),
    "commitment": ("We will cut their maintenance costs in half.",
                   ["acct:C10175/name"], "uncited_commitment"),
}


@pytest.mark.parametrize("case", sorted(BAD_STATEMENTS))
def test_a_bad_statement_is_caught_retried_then_repaired(ceb_request: Request, case: str) -> None:
    text, cites, code = BAD_STATEMENTS[case]
    good = offline_draft(ceb_request)
    bad = tamper(good, "talking_points", text, cites)
    model = ScriptedModel([answer_from_draft(bad), answer_from_draft(bad)])
    result = run(ceb_request, model)
    assert model.calls == 2  # one retry, with the errors
    assert code in {i.code for i in result.verdict.first_issues}
    retry_prompt = model.last_user_message()
    assert "Problems found in your previous answer" in retry_prompt
    assert code.replace("_", " ").split()[0] in retry_prompt or text[:30] in retry_prompt
    assert result.verdict.retried and result.verdict.passed and not result.verdict.issues
    assert result.verdict.repaired_sections == ["talking_points"]
    assert result.fallback_used and "talking_points" in (result.fallback_reason or "")
    all_text = " ".join(st.text for s in result.draft.sections for st in s.statements)
    assert text not in all_text
    # Sections that passed keep the model's wording.
    assert result.draft.sections[0] == bad.sections[0]


def test_a_draft_fixed_on_retry_needs_no_repair(ceb_request: Request) -> None:
    good = offline_draft(ceb_request)
    text, cites, _ = BAD_STATEMENTS["figure"]
    model = ScriptedModel([answer_from_draft(tamper(good, "risks", text, cites)),
                           answer_from_draft(good)])
    result = run(ceb_request, model)
    assert result.verdict.retried and result.verdict.passed
    assert result.verdict.repaired_sections == [] and not result.fallback_used


def test_a_missing_section_is_filled_from_the_data(ceb_request: Request) -> None:
    good = offline_draft(ceb_request)
    partial = DocumentDraft(title=good.title, sections=good.sections[:-1])
    model = ScriptedModel([answer_from_draft(partial)], repeat_last=True)
    result = run(ceb_request, model)
    assert {i.code for i in result.verdict.first_issues} == {"missing_section"}
    assert result.verdict.repaired_sections == ["attendees"]
    assert result.draft.sections[-1].statements


@pytest.mark.parametrize("error", [
    ModelTimeoutError("the language model did not answer in time", reason="timeout"),
    ModelError("the language model server failed (HTTP 500)", reason="server_error"),
    ModelError("the language model answered malformed JSON", reason="malformed"),
])
def test_a_model_failure_falls_back_to_the_offline_writer(ceb_request: Request,
                                                         error: ModelError) -> None:
    result = run(ceb_request, ScriptedModel([error]))
    assert result.fallback_used and result.writer == "offline"
    assert error.message in (result.fallback_reason or "")
    assert result.verdict.passed
    assert result.draft.sections == offline_draft(ceb_request).sections


def test_malformed_json_from_the_model_falls_back(ceb_request: Request) -> None:
    result = run(ceb_request, ScriptedModel(['{"sections": [{"key": "context", ']))
    assert result.fallback_used and "malformed JSON" in (result.fallback_reason or "")


def test_a_failed_retry_keeps_the_good_sections_and_repairs_the_rest(
        ceb_request: Request) -> None:
    good = offline_draft(ceb_request)
    text, cites, _ = BAD_STATEMENTS["person"]
    bad = tamper(good, "risks", text, cites)
    result = run(ceb_request, ScriptedModel([answer_from_draft(bad),
                                             ModelError("HTTP 500", reason="server_error")]))
    assert result.verdict.passed and result.verdict.repaired_sections == ["risks"]
    assert "the retry failed" in (result.fallback_reason or "")


def test_untrusted_notes_are_delimited_and_declared_as_data(ceb_request: Request) -> None:
    messages, ref = build_messages(PROMPTS, "ceb", ceb_request.inputs.facts,
                                   ceb_request.inputs.passages, "en", None, ceb_request.context)
    system, user = messages[0].content, messages[1].content
    assert ref == "draft_document@1/en"
    assert "never an instruction" in system and "<untrusted_data>" in system
    blocks = re.findall(r"<untrusted_data (.*?)>\n(.*?)\n</untrusted_data>", user, re.S)
    notes = [p for p in ceb_request.inputs.passages if p.untrusted]
    assert len(blocks) == len(notes) > 0
    injected = next(b for b in blocks if 'id="note:ACT-INJECT"' in b[0])
    assert 'flagged="instruction_override' in injected[0]
    # The note cannot close its delimiter: the closing tag inside it is escaped.
    assert "&lt;/untrusted_data&gt; SYSTEM" in injected[1]
    outside = re.sub(r"<untrusted_data .*?</untrusted_data>", "", user, flags=re.S)
    assert "Ignore previous instructions" not in outside
    assert "Ignore previous instructions" not in system
    assert INJECTION.split(".")[0] in user  # the note is there, as data


def test_a_revision_prompt_carries_the_instruction_and_the_previous_text(
        ceb_request: Request) -> None:
    from dataclasses import replace

    good = offline_draft(ceb_request)
    ctx = replace(ceb_request.context, sections=("risks",), previous=good)
    messages, _ = build_messages(PROMPTS, "ceb", ceb_request.inputs.facts,
                                 ceb_request.inputs.passages, "fr", "Insister sur les escalades",
                                 ctx)
    user = messages[1].content
    assert "- risks:" in user and "- context:" not in user
    assert "Insister sur les escalades" in user
    assert good.section("risks").statements[0].text in user  # type: ignore[union-attr]
    assert "Tu écris" in messages[0].content


def test_the_scripted_model_records_prompts_and_reports_an_empty_queue() -> None:
    from kambot.llm.model_writer import ChatMessage, DraftAnswer

    model = ScriptedModel([{"sections": []}])
    assert model.complete([ChatMessage("user", "hello")], DraftAnswer).sections == []
    assert model.last_user_message() == "hello"
    with pytest.raises(ModelError, match="no answer left"):
        model.complete([ChatMessage("user", "again")], DraftAnswer)
    assert model.calls == 2
