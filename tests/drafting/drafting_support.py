"""Helpers of the drafting tests: the demo programme loaded into a SQLite store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kambot.assistant.portfolio import PortfolioService, load_demo
from kambot.config import Settings


@dataclass(frozen=True)
class DemoStore:
    """Settings and portfolio service of a database holding the demo."""

    settings: Settings
    service: PortfolioService


def make_store(folder: Path) -> DemoStore:
    """Load the demo into a fresh database in ``folder`` and create the documents table."""
    from kambot.store.documents_schema import generated_documents
    from kambot.store.schema import Base

    settings = Settings(data_dir=folder, _env_file=None)  # type: ignore[call-arg]
    load_demo(settings)
    service = PortfolioService(settings)
    # The migration for this table is the integrator's; tests create it directly.
    Base.metadata.create_all(service.engine, tables=[generated_documents])
    return DemoStore(settings, service)
