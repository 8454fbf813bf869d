"""A scripted model for tests, benchmarks and demos: a queue of answers, a prompt history.

``ScriptedModel`` implements :class:`~kambot.llm.model_writer.StructuredModel` without
any network: each call takes the next scripted answer (a pydantic object, a dict, a JSON
string, a callable building the answer from the prompt, or an exception to raise) and
records the messages it received. Malformed answers go through the same validation as
a real model's, so the failure paths of the drafting pipeline can be exercised.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, Union

from pydantic import BaseModel, ValidationError

from kambot.domain.documents import DocumentDraft
from kambot.errors import ModelError
from kambot.llm.model_writer import ChatMessage, DraftAnswer

T = TypeVar("T", bound=BaseModel)
Responder = Callable[[Sequence[ChatMessage], type[BaseModel]], Any]
Scripted = Union[BaseModel, dict[str, Any], str, BaseException, Responder]  # noqa: UP007


class ScriptedModel:
    """Answer from a queue; remember every prompt."""

    def __init__(self, answers: Iterable[Scripted] = (), *, name: str = "scripted",
                 repeat_last: bool = False) -> None:
        """Queue ``answers``; with ``repeat_last`` the last one answers every later call."""
        self.name = name
        self.answers: deque[Scripted] = deque(answers)
        self.history: list[list[ChatMessage]] = []
        self.repeat_last = repeat_last

    def queue(self, *answers: Scripted) -> None:
        """Add answers at the end of the queue."""
        self.answers.extend(answers)

    @property
    def calls(self) -> int:
        """Return how many times the model was asked."""
        return len(self.history)

    def last_user_message(self) -> str:
        """Return the user message of the last call."""
        return next(m.content for m in reversed(self.history[-1]) if m.role == "user")

    def complete(self, messages: Sequence[ChatMessage], schema: type[T]) -> T:
        """Return the next scripted answer, validated against ``schema``.

        Raises:
            ModelError: no answer left, or the answer does not fit the schema; any
                scripted exception is raised as is.
        """
        self.history.append(list(messages))
        if not self.answers:
            raise ModelError("the scripted model has no answer left",
                             hint="queue more answers", reason="exhausted")
        answer = self.answers[0] if self.repeat_last and len(self.answers) == 1 else (
            self.answers.popleft())
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer) and not isinstance(answer, BaseModel):
            answer = answer(messages, schema)
        try:
            if isinstance(answer, schema):
                return answer
            if isinstance(answer, BaseModel):
                return schema.model_validate(answer.model_dump())
            if isinstance(answer, str):
                return schema.model_validate_json(answer)
            return schema.model_validate(answer)
        except ValidationError as exc:
            if any(e.get("type") == "json_invalid" for e in exc.errors()):
                raise ModelError("the model answered malformed JSON", reason="malformed",
                                 hint="retry, or use a model that supports structured output"
                                 ) from exc
            raise ModelError("the model's answer does not fit the expected schema",
                             hint="retry, or use a model that supports structured output",
                             reason="validation") from exc


def answer_from_draft(draft: DocumentDraft) -> DraftAnswer:
    """Return a model answer that says exactly what a draft says (keys, statements)."""
    return DraftAnswer.model_validate({
        "sections": [
            {"key": s.key, "statements": [{"text": st.text, "citations": list(st.citations)}
                                          for st in s.statements]}
            for s in draft.sections
        ]
    })


def answer_json(draft: DocumentDraft) -> str:
    """Return :func:`answer_from_draft` as the JSON string a server would send."""
    return json.dumps(answer_from_draft(draft).model_dump(), ensure_ascii=False)
