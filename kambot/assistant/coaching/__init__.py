"""Coaching along the programme path: checkpoints from the data, and what to do next.

Public interface: :func:`path_status` (every checkpoint, met or not, with evidence),
:func:`next_step` (the first checkpoint not met, why and how, citing the methodology),
:func:`methodology_citations`, :func:`read_state`, and the models
:class:`CheckpointStatus` and :class:`CoachingAdvice`.
"""

from kambot.assistant.coaching.service import (
    CheckpointStatus,
    CoachingAdvice,
    methodology_citations,
    next_step,
    path_status,
    read_state,
)

__all__ = [
    "CheckpointStatus",
    "CoachingAdvice",
    "methodology_citations",
    "next_step",
    "path_status",
    "read_state",
]
