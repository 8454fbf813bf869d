"""What the interview use case returns: turns, transcripts, records, syntheses.

These pydantic models are the interface other parts use (the chat tools, the API, the
CLI); the deterministic aggregation behind them lives in :mod:`kambot.core.synthesis`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kambot.domain.documents import Lang
from kambot.domain.programme import Objective, StrategicCause

InterviewStatus = Literal["active", "paused", "done"]
CommitmentStatus = Literal["committed", "conditional", "declined"]
OverallStance = Literal["supporter", "neutral", "sceptic"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InterviewTurn(_Model):
    """Where an interview stands: the question to answer now, and the coverage so far.

    Attributes:
        id: the interview id.
        status: active, paused or done.
        executive: who is interviewed.
        lang: the interview's language.
        theme: the theme of the question (None once done).
        theme_title: its title.
        question: the question to answer (the closing words once done).
        question_id: the guide's question id (None for a probe or the closing words).
        probe: the question is a follow-up on the previous answer.
        probe_reason: why it probes (short, vague, figure, name, period...).
        generated: the follow-up was written by the configured model.
        preamble: words said before the question (the introduction, an acknowledgement).
        coverage: per theme, the share of what the guide wants that is covered (0..1).
        done: every theme has been asked.
        flags: injection markers found in the answer just given (it was kept as data).
    """

    id: int
    status: InterviewStatus
    executive: str
    lang: Lang
    theme: str | None
    theme_title: str | None = None
    question: str
    question_id: str | None = None
    probe: bool = False
    probe_reason: str | None = None
    generated: bool = False
    preamble: str | None = None
    coverage: dict[str, float]
    done: bool = False
    flags: list[str] = Field(default_factory=list)


class TranscriptEntry(_Model):
    """One line of the transcript."""

    position: int
    speaker: Literal["interviewer", "executive"]
    kind: Literal["question", "probe", "answer", "closing"]
    theme: str | None
    question_id: str | None = None
    text: str
    generated: bool = False
    flags: list[str] = Field(default_factory=list)
    created_at: datetime


class Quote(_Model):
    """A verbatim quote of an executive."""

    interview_id: int
    theme: str
    text: str
    position: int | None = Field(default=None, description="transcript position of the answer")


class ThemePosition(_Model):
    """An executive's position on one theme."""

    theme: str
    stance: str | None = None
    stance_label: str | None = None
    tags: list[str] = Field(default_factory=list)
    tag_labels: list[str] = Field(default_factory=list)
    summary: str = ""
    quotes: list[Quote] = Field(default_factory=list)
    coverage: float = 0.0
    source: Literal["rules", "model"] = "rules"


class CausePriority(_Model):
    """A strategic cause as one executive ranks it."""

    cause: StrategicCause
    rank: int
    emphasised: bool = False
    mentions: int = 0
    quotes: list[Quote] = Field(default_factory=list)


class SponsorshipCommitment(_Model):
    """An executive's stated willingness (or refusal) to sponsor an account.

    ``account_external_id`` is set when the account said was matched (fuzzily) with a
    stored account; ``mentioned`` is how the executive said it.
    """

    interview_id: int
    executive: str
    executive_key: str | None = None
    account_external_id: str | None = None
    account_name: str | None = None
    mentioned: str
    match_score: float = 0.0
    status: CommitmentStatus
    quote: Quote


class InterviewRecord(_Model):
    """The structured record of one interview."""

    interview_id: int
    executive: str
    executive_key: str | None = None
    lang: Lang
    status: InterviewStatus
    complete: bool
    extracted_by: str = "rules"
    overall_stance: OverallStance = "neutral"
    positions: list[ThemePosition]
    priorities: list[CausePriority]
    commitments: list[SponsorshipCommitment]
    coverage: dict[str, float]
    flags: dict[str, int] = Field(default_factory=dict)

    def position(self, theme: str) -> ThemePosition | None:
        """Return the position on one theme."""
        return next((p for p in self.positions if p.theme == theme), None)


class InterviewSummary(_Model):
    """One interview in a listing."""

    id: int
    executive: str
    executive_key: str | None = None
    owner: str
    status: InterviewStatus
    lang: Lang
    coverage: float
    created_at: datetime
    updated_at: datetime


class InterviewView(_Model):
    """An interview's record and transcript."""

    summary: InterviewSummary
    record: InterviewRecord
    transcript: list[TranscriptEntry]


class SynthesisPoint(_Model):
    """A stance or a tag on one theme and how many executives hold it."""

    kind: Literal["stance", "tag"]
    value: str
    label: str
    count: int
    of: int
    minority: bool = False
    quotes: list[Quote] = Field(default_factory=list)


class ThemeSynthesis(_Model):
    """Consensus, divergence and other points raised on one theme."""

    theme: str
    title: str
    answered: int
    coverage: float
    consensus: list[SynthesisPoint] = Field(default_factory=list)
    divergence: list[SynthesisPoint] = Field(default_factory=list)
    mentions: list[SynthesisPoint] = Field(default_factory=list)


class RankedCause(_Model):
    """A strategic cause ranked across interviews (Borda count)."""

    cause: StrategicCause
    label: str
    rank: int
    score: int
    interviews: int
    first_choices: int
    quotes: list[Quote] = Field(default_factory=list)


class SettleItem(_Model):
    """A question to settle at the next progress meeting."""

    kind: str
    theme: str | None = None
    text: str


class Synthesis(_Model):
    """The synthesis of the executive interviews."""

    lang: Lang
    interviews: int
    executives: list[str]
    not_interviewed: list[str] = Field(default_factory=list)
    stance_map: dict[str, int] = Field(default_factory=dict)
    themes: list[ThemeSynthesis]
    causes: list[RankedCause]
    commitments: list[SponsorshipCommitment]
    contested_accounts: dict[str, list[str]] = Field(default_factory=dict)
    questions: list[SettleItem]
    proposed_objectives: list[Objective] = Field(default_factory=list)
