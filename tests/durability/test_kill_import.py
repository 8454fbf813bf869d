"""kill -9 during `kambot import`: all or nothing, nothing committed lost, index follows.

Each round imports a folder (one transaction): invoice lines (the bulk) and account
notes, all with ids unique to the round, and is killed at a random moment. After each
kill: the database passes its integrity check; every round's rows are either all there
or none (and all there exactly when its import is recorded as committed); rounds that
finished keep their rows; the search index opened afterwards holds exactly the notes of
the database (rebuilt automatically when needed).
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

ACCOUNTS = 40
LINES = int(os.environ.get("KAMBOT_DURABILITY_LINES", "30000"))
NOTES = 25
LINE_HEADER = ("external_id,invoice,account_external_id,invoiced_on,product,quantity,amount,"
               "cancelled")
NOTE_HEADER = "external_id,account_external_id,kind,occurred_on,resolved_on,subject,text,author"


def _seed(engine: Engine, settings: Settings, folder: Path) -> None:
    from kambot.store.importers.runner import import_file

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "accounts.csv"
    rows = [f"K{i:03d},Customer {i},industry {i % 5},FR" for i in range(ACCOUNTS)]
    path.write_text("external_id,name,industry,country\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    import_file(engine, settings, path)


def _bundle(root: Path, number: int) -> Path:
    """Write round ``number``'s folder: LINES invoice lines and NOTES notes."""
    folder = root / f"round-{number}"
    folder.mkdir(parents=True)
    with (folder / "invoice_lines.csv").open("w", encoding="utf-8") as handle:
        handle.write(LINE_HEADER + "\n")
        for i in range(LINES):
            handle.write(f"R{number}-{i},INV{number}-{i // 4},K{i % ACCOUNTS:03d},"
                         f"2025-{1 + i % 12:02d}-{1 + i % 28:02d},robotics,{1 + i % 3},"
                         f"{100 + (i * 37) % 900}.25,false\n")
    with (folder / "activities.csv").open("w", encoding="utf-8") as handle:
        handle.write(NOTE_HEADER + "\n")
        for i in range(NOTES):
            handle.write(f"N{number}-{i},K{i % ACCOUNTS:03d},note,2025-06-{1 + i % 28:02d},,"
                         f"Round {number},Round {number} note {i}: the wombat{number} tender "
                         f"and a price review,tester\n")
    return folder


def _state(engine: Engine, number: int) -> tuple[int, int]:
    import sqlalchemy as sa

    with engine.connect() as conn:
        lines = conn.execute(sa.text(
            "SELECT COUNT(*) FROM invoice_lines WHERE external_id LIKE :p"),
            {"p": f"R{number}-%"}).scalar_one()
        notes = conn.execute(sa.text(
            "SELECT COUNT(*) FROM activities WHERE external_id LIKE :p"),
            {"p": f"N{number}-%"}).scalar_one()
    return int(lines), int(notes)


def _committed(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {str(v) for v in conn.exec_driver_sql(
            "SELECT sha256 FROM import_runs WHERE dry_run = false").scalars()}


def _index_follows(settings: Settings, engine: Engine) -> str:
    from kambot.retrieval.index import open_index
    from kambot.retrieval.sources import account_chunks_from_db

    index = open_index(settings, engine)
    indexed = {c.id for c in index.chunks if c.kind != "methodology"}
    assert indexed == {c.id for c in account_chunks_from_db(engine)}
    assert open_index(settings, engine).status.state == "ready"
    return f"index {index.status.state} ({len(indexed)} notes)"


def test_kill_9_during_import(backend: str, backend_settings: Settings, tmp_path: Path) -> None:
    import hashlib

    settings = with_small_knowledge(backend_settings, tmp_path)
    engine = open_store(settings)
    _seed(engine, settings, tmp_path / "seed")
    # Round 0 runs to the end: it measures how long an import takes and its rows must
    # survive every later kill.
    calibration = run_and_kill(settings, ["import", str(_bundle(tmp_path, 0))], at_s=600)
    assert calibration.returncode == 0, calibration.stderr
    window = calibration.after_s
    finished = {0}
    sha = {0: hashlib.sha256((tmp_path / "round-0" / "invoice_lines.csv").read_bytes())
           .hexdigest()}
    rng = rng_for("import", backend)
    killed = 0
    try:
        number = 0
        while more_rounds(backend, number, killed):
            number += 1
            folder = _bundle(tmp_path, number)
            sha[number] = hashlib.sha256((folder / "invoice_lines.csv").read_bytes()).hexdigest()
            # Mostly mid-import; now and then after the commit (during the snapshot refresh).
            at_s = rng.uniform(0.2, 1.05 * window)
            outcome = run_and_kill(settings, ["import", str(folder)], at_s=at_s)
            if not outcome.killed:
                assert outcome.returncode == 0, outcome.stderr
                finished.add(number)
            killed += outcome.killed
            assert_sound(engine)
            committed = _committed(engine)
            for seen in range(number + 1):
                lines, notes = _state(engine, seen)
                assert (lines, notes) in ((0, 0), (LINES, NOTES)), (seen, lines, notes)
                assert (lines == LINES) == (sha[seen] in committed), seen
                if seen in finished:
                    assert lines == LINES, f"round {seen} finished but lost its rows"
            found = _index_follows(settings, engine)
            done = "committed" if sha[number] in committed else "nothing visible"
            report("import", backend, number, at_s, outcome, f"{done}; {found}")
    finally:
        engine.dispose()
    assert killed, "no import was interrupted: the test proved nothing"
