"""One exception tree for kambot.

Errors carry a message saying what is wrong and, where possible, a hint saying how to
fix it. They become user-facing text only at the edges (CLI, API).
"""

from __future__ import annotations

from typing import Any


class KambotError(Exception):
    """Base of every error kambot raises on purpose."""

    code: str = "kambot_error"

    def __init__(self, message: str, *, hint: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details: dict[str, Any] = details

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class ConfigError(KambotError):
    """Settings are missing, contradictory or invalid."""

    code = "config_error"


class DataError(KambotError):
    """Input data is malformed, inconsistent or refused."""

    code = "data_error"


class ConflictError(DataError):
    """The request is valid but clashes with what exists (e.g. a user name already taken)."""

    code = "conflict"


class UnsupportedMediaTypeError(DataError):
    """A file or an uploaded part is of a type that is not read here."""

    code = "unsupported_media_type"


class ImportRejectedError(DataError):
    """An import was refused; nothing was written. ``details['report']`` holds the report."""

    code = "import_rejected"


class LimitExceededError(DataError):
    """An input is over a configured size or count limit."""

    code = "limit_exceeded"


class NotFoundError(KambotError):
    """A referenced object (account, document, person) does not exist."""

    code = "not_found"


class PermissionDeniedError(KambotError):
    """The caller may not see or change this object."""

    code = "permission_denied"


class AuthenticationError(KambotError):
    """No valid credentials: missing, unknown, expired or revoked key or session."""

    code = "authentication_required"


class RateLimitedError(KambotError):
    """Too many requests for one key in the current window."""

    code = "rate_limited"


class StoreError(KambotError):
    """The database cannot be opened, migrated or written."""

    code = "store_error"


class RetrievalError(KambotError):
    """The search indexes are missing, stale or unusable."""

    code = "retrieval_error"


class ModelError(KambotError):
    """The configured language model failed or answered something unusable."""

    code = "model_error"


class ModelTimeoutError(ModelError):
    """The configured language model did not answer in time."""

    code = "model_timeout"


class GroundingError(KambotError):
    """A draft cites sources or figures that do not exist among its inputs."""

    code = "grounding_error"
