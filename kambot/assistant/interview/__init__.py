"""Executive alignment interviews: guide, one question at a time, records, synthesis.

Public interface (used by the chat tools, the API and the CLI):

- :class:`InterviewService` (``start``, ``answer``, ``pause``, ``resume``, ``current``,
  ``record``, ``transcript``, ``view``, ``list_interviews``, ``synthesise``,
  ``render_synthesis``, ``commitments``, ``adopt_objectives``);
- :func:`render_synthesis`, :func:`committed_sponsors`, :func:`commitment_facts`,
  :func:`sponsorship_commitments`;
- the models of :mod:`kambot.assistant.interview.models`.

Nothing heavy is imported here: SQLAlchemy, rapidfuzz and the model client load when
they are first used.
"""

from kambot.assistant.interview.models import (
    CausePriority,
    InterviewRecord,
    InterviewSummary,
    InterviewTurn,
    InterviewView,
    Quote,
    RankedCause,
    SettleItem,
    SponsorshipCommitment,
    Synthesis,
    SynthesisPoint,
    ThemePosition,
    ThemeSynthesis,
    TranscriptEntry,
)
from kambot.assistant.interview.service import (
    InterviewService,
    interview_status,
    sponsorship_commitments,
)
from kambot.assistant.interview.synthesis import (
    commitment_facts,
    committed_sponsors,
    render_synthesis,
)

__all__ = [
    "CausePriority",
    "InterviewRecord",
    "InterviewService",
    "InterviewSummary",
    "InterviewTurn",
    "InterviewView",
    "Quote",
    "RankedCause",
    "SettleItem",
    "SponsorshipCommitment",
    "Synthesis",
    "SynthesisPoint",
    "ThemePosition",
    "ThemeSynthesis",
    "TranscriptEntry",
    "commitment_facts",
    "committed_sponsors",
    "interview_status",
    "render_synthesis",
    "sponsorship_commitments",
]
