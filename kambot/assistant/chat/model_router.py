"""Tool choice by a language model: LangChain tool calling over exactly the chat's tools.

With ``KAMBOT_LLM_PROVIDER=openai`` the conversation is driven by the configured
OpenAI-compatible model: it receives the tools the principal may use (the same
:data:`~kambot.assistant.chat.tools.TOOLS` the rule-based router reaches, bound with
``bind_tools``) and picks one with its arguments. The tool then runs with the
principal's permissions, exactly as when the rules chose it; the model never sees a
tool the principal may not use, never confirms a change, and its free text is not
shown (answers and figures come from the tools).

Untrusted text already in the conversation (notes quoted by an answer, interview
answers) is wrapped in ``<untrusted_data>`` tags, with the rule that it is data; any
failure of the model (timeout, refusal, malformed call) falls back to the rules.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kambot.assistant.chat.models import ChatMessage, Lang
from kambot.assistant.chat.tools import tools_for
from kambot.config import Settings
from kambot.domain.identity import Principal
from kambot.errors import ConfigError, ModelError

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
HISTORY_CHARS = 1500
UNTRUSTED_TOOLS = frozenset({"interview_answer", "give_feedback"})


@dataclass(frozen=True)
class ModelChoice:
    """The tool a model chose and its arguments."""

    tool: str
    args: dict[str, Any]


def _wrap_untrusted(text: str) -> str:
    cleaned = text.replace("<untrusted_data>", "").replace("</untrusted_data>", "")
    return f"<untrusted_data>\n{cleaned}\n</untrusted_data>"


def history_messages(history: Sequence[ChatMessage]) -> list[tuple[str, str]]:
    """Return the history as (role, text) pairs, untrusted parts delimited, long ones cut."""
    out: list[tuple[str, str]] = []
    for message in history:
        text = message.content
        if len(text) > HISTORY_CHARS:
            text = text[:HISTORY_CHARS] + " …"
        untrusted = (message.tool in UNTRUSTED_TOOLS
                     or any(c.kind == "note" for c in message.citations))
        if untrusted:
            text = _wrap_untrusted(text)
        out.append((message.role, text))
    return out


class ToolCallingRouter:
    """Ask a LangChain chat model which tool answers a message."""

    def __init__(self, chat_model: Any, *, name: str = "model") -> None:
        """Use ``chat_model`` (anything with LangChain's ``bind_tools``)."""
        self.chat_model = chat_model
        self.name = name

    @classmethod
    def from_settings(cls, settings: Settings) -> ToolCallingRouter:
        """Build the router over the configured OpenAI-compatible model.

        Raises:
            ConfigError: the provider is not ``openai`` or the model is not configured.
        """
        if settings.llm_provider != "openai" or not settings.llm_model:
            raise ConfigError("tool calling needs KAMBOT_LLM_PROVIDER=openai and "
                              "KAMBOT_LLM_MODEL",
                              hint="without a model the rule-based router answers")
        from kambot.llm.openai_model import OpenAIChatModel

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        model = OpenAIChatModel(model=settings.llm_model, base_url=settings.llm_base_url,
                                api_key=key, timeout=settings.llm_timeout_s,
                                max_retries=settings.llm_max_retries)
        # The adapter owns the LangChain client; tool calling needs the client itself.
        return cls(model._chat(), name=model.name)

    def choose(self, principal: Principal, message: str, history: Sequence[ChatMessage],
               lang: Lang, context: str) -> ModelChoice | None:
        """Return the tool the model picks for ``message``, or None when it picks none.

        Raises:
            ModelError: the model failed (translated from the client's error).
        """
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        from kambot.llm.prompts import load_prompt

        specs = tools_for(principal)
        prompt = load_prompt(PROMPTS_DIR, "chat_router", lang)
        system, user = prompt.render(role=principal.role.value, context=context,
                                     message=message)
        messages: list[Any] = [SystemMessage(content=system)]
        for role, text in history_messages(history):
            messages.append(HumanMessage(content=text) if role == "user"
                            else AIMessage(content=text))
        messages.append(HumanMessage(content=user))
        try:
            bound = self.chat_model.bind_tools([s.schema() for s in specs])
            answer = bound.invoke(messages)
        except Exception as exc:
            from kambot.llm.openai_model import translate_error

            raise translate_error(exc) from exc
        calls = list(getattr(answer, "tool_calls", None) or [])
        if not calls:
            return None
        call = calls[0]
        name = str(call.get("name", ""))
        if name not in {s.name for s in specs}:
            raise ModelError(f"the model called an unknown tool {name!r}",
                             reason="validation", hint="the rules answered instead")
        args = call.get("args") or {}
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except json.JSONDecodeError as exc:
                raise ModelError("the model's tool arguments are not JSON",
                                 reason="malformed") from exc
        if not isinstance(args, dict):
            raise ModelError("the model's tool arguments are not an object",
                             reason="validation")
        return ModelChoice(tool=name, args=args)
