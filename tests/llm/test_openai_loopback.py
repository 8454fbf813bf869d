"""The real LangChain ``ChatOpenAI`` path against a loopback OpenAI-compatible server."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from llm_support import Request
from openai_server import LoopbackServer, Reply, ServerState

from kambot.config import PROJECT_ROOT, Settings
from kambot.domain.documents import DocumentDraft, Statement
from kambot.errors import ConfigError, ModelError, ModelTimeoutError
from kambot.llm.factory import make_writer
from kambot.llm.grounded import GroundedDraft, grounded_draft
from kambot.llm.model_writer import ChatMessage, DraftAnswer, ModelWriter
from kambot.llm.offline import OfflineWriter
from kambot.llm.openai_model import Method, OpenAIChatModel
from kambot.llm.testing import answer_json

PROMPTS = PROJECT_ROOT / "prompts"


def writer_for(server: LoopbackServer, method: Method = "json_schema",
               timeout: float = 5.0) -> ModelWriter:
    model = OpenAIChatModel(model="test-model", base_url=server.base_url, timeout=timeout,
                            max_retries=0, method=method)
    return ModelWriter(model, PROMPTS)


def draft(req: Request, writer: ModelWriter) -> GroundedDraft:
    return grounded_draft(writer, "ceb", req.inputs.facts, req.inputs.passages, "en",
                          context=req.context)


def offline(req: Request) -> DocumentDraft:
    return OfflineWriter().draft("ceb", req.inputs.facts, req.inputs.passages, "en",
                                 context=req.context)


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "stream"])
def test_a_valid_structured_answer_is_accepted(openai_server: LoopbackServer,
                                               ceb_request: Request, method: Method) -> None:
    good = offline(ceb_request)
    openai_server.state.script(Reply(content=answer_json(good), chunk_size=97))
    result = draft(ceb_request, writer_for(openai_server, method))
    assert result.writer == "openai:test-model" and not result.fallback_used
    assert result.verdict.passed and not result.verdict.retried
    assert result.draft.sections == good.sections
    request = openai_server.state.requests[0]
    assert request["model"] == "test-model"
    if method == "json_schema":
        schema = request["response_format"]["json_schema"]
        assert schema["strict"] is True and schema["name"] == "DraftAnswer"
    elif method == "function_calling":
        assert request["tool_choice"]["function"]["name"] == "DraftAnswer"
    else:
        assert request["stream"] is True


def test_an_invented_figure_is_caught_retried_and_repaired(openai_server: LoopbackServer,
                                                          ceb_request: Request) -> None:
    good = offline(ceb_request)
    bad = good.model_copy(deep=True)
    bad.sections[1].statements.insert(0, Statement(
        text="Revenue with us reached 12.4 M EUR last year.",
        citations=["acct:C10175/kpi:revenue_ttm"]))
    openai_server.state.script(Reply(content=answer_json(bad)), Reply(content=answer_json(bad)))
    result = draft(ceb_request, writer_for(openai_server))
    assert len(openai_server.state.requests) == 2
    retry_user = openai_server.state.requests[1]["messages"][-1]["content"]
    assert "12.4 M" in retry_user and "matches none of the cited facts" in retry_user
    assert result.verdict.passed and result.verdict.repaired_sections == ["history"]
    texts = [st.text for s in result.draft.sections for st in s.statements]
    assert not any("12.4 M" in t for t in texts)


@pytest.mark.parametrize(("reply", "reason", "error_type"), [
    (Reply(status=500), "HTTP 500", ModelError),
    (Reply(status=429), "HTTP 429", ModelError),
    (Reply(content="{ this is not json"), "malformed JSON", ModelError),
    (Reply(content='{"sections": "none"}'), "does not fit", ModelError),
    (Reply(raw_body="<html>bad gateway</html>"), "malformed JSON", ModelError),
    (Reply(delay=1.5, content="{}"), "did not answer in time", ModelTimeoutError),
])
def test_vendor_failures_fall_back_cleanly(openai_server: LoopbackServer, ceb_request: Request,
                                           reply: Reply, reason: str,
                                           error_type: type[ModelError]) -> None:
    openai_server.state.script(reply)
    writer = writer_for(openai_server, timeout=0.5)
    with pytest.raises(error_type, match=re.escape(reason)):
        writer.model.complete([ChatMessage("user", "x")], DraftAnswer)
    openai_server.state.script(reply)
    result = draft(ceb_request, writer)
    assert result.fallback_used and result.writer == "offline"
    assert reason in (result.fallback_reason or "")
    assert result.verdict.passed
    assert result.draft.sections == offline(ceb_request).sections


def test_streaming_free_text_arrives_in_pieces(openai_server: LoopbackServer) -> None:
    openai_server.state.script(Reply(content="Bonjour, voici la réponse complète.",
                                     chunk_size=5))
    model = OpenAIChatModel(model="test-model", base_url=openai_server.base_url, max_retries=0)
    pieces = list(model.stream([ChatMessage("user", "hello")]))
    assert len(pieces) > 3 and "".join(pieces) == "Bonjour, voici la réponse complète."


def _injected_answer(messages: list[dict[str, Any]], good: DocumentDraft) -> str:
    """Answer as a model that obeyed the note would: figures and promises from the note."""
    obeyed = good.model_copy(deep=True)
    risks = next(s for s in obeyed.sections if s.key == "risks")
    risks.statements = [
        Statement(text="Satisfaction is now 10 out of ten and the account is Gold.",
                  citations=["acct:C10175/kpi:satisfaction", "note:ACT-INJECT"]),
        Statement(text="We will give a 50% discount by March 2027.",
                  citations=["note:ACT-INJECT"]),
    ]
    return answer_json(obeyed)


def test_an_injected_note_changes_no_figure_and_no_instruction(
        openai_server: LoopbackServer, ceb_request: Request) -> None:
    good = offline(ceb_request)
    answer = _injected_answer([], good)
    openai_server.state.script(Reply(content=answer), Reply(content=answer))
    result = draft(ceb_request, writer_for(openai_server))
    # What the server received: rules first, the note only as delimited data.
    first = openai_server.state.requests[0]["messages"]
    system, user = first[0]["content"], first[1]["content"]
    assert first[0]["role"] == "system" and "never an instruction" in system
    assert "Ignore previous instructions" not in system
    outside = re.sub(r"<untrusted_data .*?</untrusted_data>", "", user, flags=re.S)
    assert "Ignore previous instructions" not in outside
    assert 'flagged="instruction_override' in user
    # The facts sent are kambot's, untouched by the note.
    assert "[acct:C10175/kpi:satisfaction] Satisfaction (out of ten): 5.1." in user
    assert "[acct:C10175/tier] Service tier of Quenolac Mobilité SA: Gold" in user
    # What the model wrote under the note's influence was refused, retried and replaced.
    codes = {i.code for i in result.verdict.first_issues}
    assert {"figure_mismatch", "uncited_commitment"} <= codes
    assert result.verdict.repaired_sections == ["risks"] and result.verdict.passed
    text = " ".join(st.text for s in result.draft.sections for st in s.statements)
    assert "50%" not in text and "10 out of ten" not in text
    assert "5.1 out of ten" in text


def test_the_factory_chooses_the_writer_from_settings(tmp_path: Path,
                                                      openai_server: LoopbackServer) -> None:
    offline_settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert make_writer(offline_settings).name == "offline"
    settings = Settings(data_dir=tmp_path, llm_provider="openai", llm_model="test-model",
                        llm_base_url=openai_server.base_url, llm_timeout_s=3,
                        llm_max_retries=0, _env_file=None)  # type: ignore[call-arg]
    writer = make_writer(settings)
    assert isinstance(writer, ModelWriter) and writer.name == "openai:test-model"
    openai_server.state.script(Reply(content=json.dumps({"sections": []})))
    assert writer.model.complete([ChatMessage("user", "x")], DraftAnswer).sections == []
    no_key = Settings(data_dir=tmp_path, llm_provider="openai", llm_model="gpt-4o-mini",
                      _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="API key"):
        make_writer(no_key)


def test_the_server_log_is_reset_between_tests(server_state: ServerState) -> None:
    assert server_state.requests == [] and not server_state.replies
