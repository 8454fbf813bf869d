"""What the API does at start and stop for operations: checks, SQLite claim, shared index.

:func:`prepare_serving` is called by the API's lifespan: it refuses to start on a
failed startup check (:func:`~.startup_checks.assert_startable`), claims the SQLite
database for this process when the linked SQLite has the WAL-reset bug
(:func:`~.startup_checks.claim_sqlite_server`) and prepares the search index every
route shares (:class:`~.live_index.LiveIndex`: built by the index writer, followed by
the other workers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.assistant.operations.live_index import LiveIndex
    from kambot.assistant.operations.startup_checks import CheckResult, ServerClaim
    from kambot.config import Settings


@dataclass
class Serving:
    """The operations state of a running API process."""

    index: LiveIndex
    workers: int
    warnings: list[CheckResult] = field(default_factory=list)
    claim: ServerClaim | None = None

    def close(self) -> None:
        """Release the SQLite claim (the index needs no closing)."""
        if self.claim is not None:
            self.claim.release()
            self.claim = None


def prepare_serving(settings: Settings, *, environ: Mapping[str, str],
                    engine: Callable[[], Engine],
                    log: Callable[[str], None] | None = None) -> Serving:
    """Check that the API may start, claim SQLite if needed, and prepare the index.

    Args:
        settings: the API's settings.
        environ: the process environment (``WEB_CONCURRENCY``, ``KAMBOT_API_WORKERS``).
        engine: returns the API's engine (the index writer indexes account notes).
        log: where to write the warnings (one line each).

    Returns:
        The state to keep until shutdown (:meth:`Serving.close`).

    Raises:
        ConfigError: a configuration problem, or another API process serves this
            SQLite database.
        StoreError: the data directory is not writable, the database does not answer,
            or several workers would apply pending migrations.
    """
    from kambot.assistant.operations.live_index import LiveIndex
    from kambot.assistant.operations.startup_checks import (
        assert_startable,
        claim_sqlite_server,
        declared_api_workers,
    )

    say = log or (lambda _line: None)
    workers = declared_api_workers(settings, environ)
    warnings = assert_startable(settings, workers=workers)
    claim = claim_sqlite_server(settings)
    for warning in warnings:
        say(f"kambot: {warning.name}: {warning.message}"
            + (f" (fix: {warning.fix})" if warning.fix else ""))
    return Serving(index=LiveIndex(settings, engine, on_status=say), workers=workers,
                   warnings=warnings, claim=claim)
