"""Listening after the launch: feedback stored, grouped by theme, in the review pack.

Public interface: :func:`record_feedback`, :func:`feedback_themes`, :func:`themes_for`
(with the role check), :func:`feedback_counts`, :func:`render_feedback_review`,
:func:`feedback_review_markdown`, and the models :class:`FeedbackItem` and
:class:`FeedbackTheme`.
"""

from kambot.assistant.feedback.service import (
    FeedbackItem,
    FeedbackTheme,
    feedback_counts,
    feedback_review_markdown,
    feedback_themes,
    group_feedback,
    record_feedback,
    render_feedback_review,
    themes_for,
)

__all__ = [
    "FeedbackItem",
    "FeedbackTheme",
    "feedback_counts",
    "feedback_review_markdown",
    "feedback_themes",
    "group_feedback",
    "record_feedback",
    "render_feedback_review",
    "themes_for",
]
