"""Errors of the identity use cases that the shared exception tree lacks.

:class:`ConflictError` is a :class:`~kambot.errors.DataError` (so callers catching data
errors still catch it) that the API answers with 409: the request is valid but clashes
with what exists (a user name already taken).
"""

from __future__ import annotations

from kambot.errors import DataError


class ConflictError(DataError):
    """The request clashes with the current state (e.g. a name already taken)."""

    code = "conflict"
