"""What an API process keeps for identity and access: checks, rate limits, audit trail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kambot.auth.audit import AuditTrail, WriteUnseen
from kambot.auth.authenticator import Authenticator
from kambot.auth.ratelimit import RateLimiter
from kambot.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@dataclass
class AuthRuntime:
    """The authenticator, the rate limiter and the audit trail of one process."""

    settings: Settings
    authenticator: Authenticator
    limiter: RateLimiter
    audit: AuditTrail

    @classmethod
    def create(cls, settings: Settings, engine: Callable[[], Engine], *,
               unseen: Callable[[], WriteUnseen | None] | None = None) -> AuthRuntime:
        """Build the runtime for settings and a (lazy) engine.

        ``unseen`` returns how the audit trail writes without moving the database's
        change token (see :class:`~kambot.auth.audit.AuditTrail`).
        """
        return cls(settings=settings, authenticator=Authenticator(engine),
                   limiter=RateLimiter(settings.rate_limit_per_minute),
                   audit=AuditTrail(engine, unseen=unseen))

    def forget_user(self, user_id: int | None) -> None:
        """Drop the remembered credentials of a user whose access just changed."""
        self.authenticator.forget_user(user_id)
