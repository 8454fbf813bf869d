"""Several writers saving versions of one document at once, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from drafting_support import DemoStore

from kambot.assistant.drafting import draft_document
from kambot.assistant.drafting.storage import list_versions, save_document
from kambot.assistant.portfolio import open_store
from kambot.config import Settings

WRITERS = 6
SAVES_EACH = 4


def test_concurrent_saves_of_one_document_get_distinct_versions(
        demo_store: DemoStore, backend_settings: Settings) -> None:
    doc = draft_document(demo_store.settings, demo_store.service, "sponsorship_plan", None,
                         "en", save=False)
    engine = open_store(backend_settings)
    try:
        def write(_writer: int) -> list[int]:
            return [save_document(engine, doc).version for _ in range(SAVES_EACH)]

        with ThreadPoolExecutor(WRITERS) as pool:
            versions = [v for batch in pool.map(write, range(WRITERS)) for v in batch]
        total = WRITERS * SAVES_EACH
        assert sorted(versions) == list(range(1, total + 1))
        stored = [v.version for v in list_versions(engine, doc.key)]
        assert sorted(stored) == list(range(1, total + 1))
    finally:
        engine.dispose()
