"""kill -9 during `kambot reindex` (ingestion): the database is untouched, the index recovers.

A rebuild writes a new generation and swaps the manifest at the end; a kill before the
swap leaves the previous generation in use, a kill after it the new one. Either way
the next `open_index` serves an index that holds exactly the database's notes (rebuilt
automatically when the one on disk is incomplete), on embedded Chroma and on a Chroma
server alike.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from durability_support import (
    assert_sound,
    more_rounds,
    report,
    rng_for,
    run_and_kill,
    with_small_knowledge,
)
from sqlalchemy.engine import Engine

from kambot.assistant.portfolio import open_store
from kambot.config import Settings

pytestmark = pytest.mark.slow

NOTES = int(os.environ.get("KAMBOT_DURABILITY_NOTES", "2500"))


def _fill(engine: Engine, settings: Settings, folder: Path) -> None:
    from kambot.store.importers.runner import import_bundle

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.csv").write_text(
        "external_id,name\n" + "".join(f"K{i:03d},Customer {i}\n" for i in range(50)),
        encoding="utf-8")
    words = ("tender", "pricing", "sponsor", "logistics", "quality", "forecast", "renewal")
    with (folder / "activities.csv").open("w", encoding="utf-8") as handle:
        handle.write("external_id,account_external_id,kind,occurred_on,subject,text\n")
        for i in range(NOTES):
            handle.write(f"N{i},K{i % 50:03d},meeting,2025-{1 + i % 12:02d}-10,Visit {i},"
                         f"Discussed the {words[i % 7]} and the {words[(i * 3) % 7]} plan "
                         f"with the buyer; next step {i} agreed for the {words[(i * 5) % 7]} "
                         "review.\n")
    import_bundle(engine, settings, folder)


def _generations(settings: Settings) -> int:
    bm25 = settings.index_dir / "bm25"
    return sum(1 for _ in bm25.iterdir()) if bm25.is_dir() else 0


def test_kill_9_during_reindex(backend: str, backend_settings: Settings, tmp_path: Path) -> None:
    from kambot.retrieval.index import open_index
    from kambot.retrieval.sources import account_chunks_from_db

    settings = with_small_knowledge(backend_settings, tmp_path)
    engine = open_store(settings)
    _fill(engine, settings, tmp_path / "csv")
    calibration = run_and_kill(settings, ["reindex"], at_s=600)
    assert calibration.returncode == 0, calibration.stderr
    window = calibration.after_s
    wanted = {c.id for c in account_chunks_from_db(engine)}
    assert len(wanted) == NOTES
    rng = rng_for("reindex", backend)
    killed = 0
    try:
        number = 0
        while more_rounds(backend, number, killed):
            number += 1
            at_s = rng.uniform(0.3, 0.95 * window)
            outcome = run_and_kill(settings, ["reindex"], at_s=at_s)
            killed += outcome.killed
            if not outcome.killed:
                assert outcome.returncode == 0, outcome.stderr
            assert_sound(engine)
            left = _generations(settings)
            messages: list[str] = []
            index = open_index(settings, engine, on_status=messages.append)
            assert index.status.state in ("ready", "rebuilt"), messages
            assert {c.id for c in index.chunks if c.kind != "methodology"} == wanted
            assert index.search("sponsor plan review", k=3), messages
            assert open_index(settings, engine).status.state == "ready"
            report("reindex", backend, number, at_s, outcome,
                   f"{left} generation(s) on disk after the kill; index {index.status.state}"
                   + (f" ({index.status.reason})" if index.status.reason else ""))
    finally:
        engine.dispose()
    assert killed, "no rebuild was interrupted: the test proved nothing"
