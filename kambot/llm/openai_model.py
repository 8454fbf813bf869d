"""The OpenAI-compatible chat model, through LangChain's ``ChatOpenAI``.

This is the only module of kambot that imports ``langchain_openai`` or ``openai``, and
:func:`translate_error` is the one place where their errors become kambot errors:
timeouts become :class:`~kambot.errors.ModelTimeoutError`; rate limits, server errors,
refused keys, unknown models, unreachable servers and unusable answers (malformed JSON,
an object that does not fit the schema) become :class:`~kambot.errors.ModelError` with a
``reason`` detail (``rate_limited``, ``server_error``, ``auth``, ``not_found``,
``bad_request``, ``unreachable``, ``malformed``, ``validation``, ``unexpected``).

Works with OpenAI, Azure OpenAI's OpenAI-compatible endpoint, Ollama, vLLM, llama.cpp
server and LM Studio: give the base URL and the model name; a key is sent as a
placeholder when the server needs none. Chat completions are always used
(``use_responses_api=False``) because local servers do not implement the Responses API.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from kambot.errors import ModelError, ModelTimeoutError
from kambot.llm.model_writer import ChatMessage

T = TypeVar("T", bound=BaseModel)
Method = Literal["json_schema", "function_calling", "json_mode", "stream"]
PLACEHOLDER_KEY = "not-needed"


def translate_error(exc: BaseException) -> ModelError:
    """Return the kambot error for any error raised while calling the model."""
    import httpx
    import openai

    if isinstance(exc, ModelError):
        return exc
    if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException, TimeoutError)):
        return ModelTimeoutError("the language model did not answer in time",
                                 hint="raise KAMBOT_LLM_TIMEOUT_S or check the model server",
                                 reason="timeout")
    if isinstance(exc, openai.RateLimitError):
        return ModelError("the language model refused the request: rate limit or quota "
                          "reached (HTTP 429)",
                          hint="wait and retry, or check the account's quota",
                          reason="rate_limited", status=429)
    if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
        return ModelError("the language model server refused the API key",
                          hint="check KAMBOT_LLM_API_KEY", reason="auth",
                          status=getattr(exc, "status_code", None))
    if isinstance(exc, openai.NotFoundError):
        return ModelError("the language model server does not know this model or path",
                          hint="check KAMBOT_LLM_MODEL and KAMBOT_LLM_BASE_URL",
                          reason="not_found", status=404)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status >= 500:
            return ModelError(f"the language model server failed (HTTP {status})",
                              hint="retry later or check the model server's logs",
                              reason="server_error", status=status)
        return ModelError(f"the language model server rejected the request (HTTP {status})",
                          hint="the server may not support structured output; check the "
                               "model and server version",
                          reason="bad_request", status=status)
    if isinstance(exc, openai.APIConnectionError):
        return ModelError("cannot reach the language model server",
                          hint="check KAMBOT_LLM_BASE_URL and that the server is running",
                          reason="unreachable")
    if isinstance(exc, (json.JSONDecodeError, ValueError)) and not isinstance(
            exc, ValidationError):
        return ModelError("the language model answered malformed JSON",
                          hint="retry, or use a model that supports structured output",
                          reason="malformed")
    if isinstance(exc, ValidationError):
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return ModelError("the language model answered malformed JSON",
                              hint="retry, or use a model that supports structured output",
                              reason="malformed")
        return ModelError("the language model's answer does not fit the expected schema",
                          hint="retry, or use a model that supports structured output",
                          reason="validation")
    try:
        from langchain_core.exceptions import OutputParserException
    except ImportError:  # pragma: no cover - langchain-core ships with langchain-openai
        OutputParserException = ()  # type: ignore[assignment,misc]  # noqa: N806
    if isinstance(exc, OutputParserException):
        return ModelError("the language model answered malformed JSON",
                          hint="retry, or use a model that supports structured output",
                          reason="malformed")
    return ModelError(f"the language model call failed: {type(exc).__name__}: {exc}",
                      hint="check the model server", reason="unexpected")


class OpenAIChatModel:
    """A chat model reached through ``ChatOpenAI`` (any OpenAI-compatible server)."""

    def __init__(
        self,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 1,
        method: Method = "json_schema",
        temperature: float | None = 0.2,
    ) -> None:
        """Configure the client (nothing is imported nor contacted until the first call).

        Args:
            model: the model name.
            base_url: the server's ``/v1`` URL; None for api.openai.com.
            api_key: the key; a placeholder is sent when None (local servers).
            timeout: seconds to wait for an answer.
            max_retries: retries of the OpenAI client on 429, 5xx and timeouts.
            method: ``json_schema`` (strict structured output), ``function_calling``
                (a forced tool call), ``json_mode``, or ``stream`` (stream the answer
                over server-sent events and validate the JSON at the end).
            temperature: sampling temperature; None leaves the server's default.
        """
        self.model = model
        self.base_url = base_url
        self.api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.method: Method = method
        self.temperature = temperature
        self.name = f"openai:{model}"
        self._client: Any = None

    def _chat(self) -> Any:
        if self._client is None:
            from langchain_openai import ChatOpenAI

            kwargs: dict[str, Any] = {
                "model": self.model,
                "api_key": self.api_key or PLACEHOLDER_KEY,
                "timeout": self.timeout,
                "max_retries": self.max_retries,
                "use_responses_api": False,
            }
            if self.base_url:
                kwargs["base_url"] = self.base_url
            if self.temperature is not None:
                kwargs["temperature"] = self.temperature
            self._client = ChatOpenAI(**kwargs)
        return self._client

    @staticmethod
    def _messages(messages: Sequence[ChatMessage]) -> list[Any]:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        return [kinds[m.role](content=m.content) for m in messages]

    def complete(self, messages: Sequence[ChatMessage], schema: type[T]) -> T:
        """Return the model's answer parsed into ``schema``.

        Raises:
            ModelError: any failure, translated by :func:`translate_error`.
        """
        try:
            chat = self._chat()
            lc_messages = self._messages(messages)
            if self.method == "stream":
                text = "".join(self._stream_text(chat, lc_messages))
                return schema.model_validate_json(_strip_fences(text))
            structured = chat.with_structured_output(schema, method=self.method,
                                                     include_raw=True)
            result = structured.invoke(lc_messages)
        except Exception as exc:
            raise translate_error(exc) from exc
        if result.get("parsing_error") is not None:
            raise translate_error(result["parsing_error"]) from result["parsing_error"]
        parsed = result.get("parsed")
        if parsed is None:
            raise ModelError("the language model returned no structured answer",
                             hint="use a model that supports structured output",
                             reason="malformed")
        if isinstance(parsed, schema):
            return parsed
        try:
            return schema.model_validate(parsed)
        except ValidationError as exc:
            raise translate_error(exc) from exc

    @staticmethod
    def _stream_text(chat: Any, lc_messages: list[Any]) -> Iterator[str]:
        for chunk in chat.stream(lc_messages):
            content = chunk.content
            if isinstance(content, str):
                yield content
            elif isinstance(content, list):
                yield "".join(str(part.get("text", "")) if isinstance(part, dict) else str(part)
                              for part in content)

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        """Stream a free-text answer piece by piece (server-sent events).

        Raises:
            ModelError: any failure, translated by :func:`translate_error`.
        """
        try:
            chat = self._chat()
            yield from self._stream_text(chat, self._messages(messages))
        except Exception as exc:
            raise translate_error(exc) from exc


def _strip_fences(text: str) -> str:
    """Remove a Markdown code fence some servers put around JSON."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        if stripped.rstrip().endswith("```"):
            stripped = stripped.rstrip()[:-3]
    return stripped.strip()
