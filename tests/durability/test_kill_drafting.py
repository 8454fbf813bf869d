"""kill -9 during `kambot draft strategy --all`: every stored document is whole, none lost.

A drafting batch stores each document in its own transaction as it goes. After a kill
at a random moment: the database passes its integrity check; every stored version is a
whole document (its payload validates and agrees with its columns); each document's
versions run 1..n with no gap; every version stored before the round is still there,
unchanged; a batch that finished stored one new version per key account.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from durability_support import (
    assert_sound,
    more_rounds,
    pace,
    report,
    rng_for,
    run_and_kill,
    run_watching,
)
from sqlalchemy.engine import Engine

from kambot.assistant.portfolio import load_demo, open_store
from kambot.config import Settings
from kambot.domain.documents import Document

pytestmark = pytest.mark.slow

Stored = dict[int, tuple[str, int, str]]


def _stored(engine: Engine) -> Stored:
    """Return id -> (key, version, payload digest), checking every row is whole."""
    import sqlalchemy as sa

    from kambot.store.documents_schema import GeneratedDocumentRow as Row

    out: Stored = {}
    versions: dict[str, list[int]] = {}
    with engine.connect() as conn:
        rows = conn.execute(sa.select(Row.id, Row.doc_key, Row.version, Row.payload)
                            .order_by(Row.id)).all()
    for row_id, key, version, payload in rows:
        doc = Document.model_validate(payload)
        assert (doc.key, doc.version) == (key, version), row_id
        assert doc.sections, row_id
        versions.setdefault(key, []).append(version)
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        out[int(row_id)] = (key, int(version), digest)
    for key, numbers in versions.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
    return out


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT COUNT(*) FROM generated_documents")
                   .scalar_one())


def test_kill_9_during_a_drafting_batch(backend: str, backend_settings: Settings,
                                        tmp_path: Path) -> None:
    settings = backend_settings
    load_demo(settings)
    engine = open_store(settings)
    out = tmp_path / "drafts"
    args = ["draft", "strategy", "--all", "--format", "json", "--out", str(out)]
    calibration, stores = run_watching(settings, args, lambda: _count(engine))
    assert calibration.returncode == 0, calibration.stderr
    batch = len(list(out.glob("*.json")))
    assert batch > 5 and stores
    # The batch reads the portfolio first, then stores one document after another in
    # the last moments: the kills aim at that stretch (and a little around it).
    first, last = stores[0][0], stores[-1][0]
    rng = rng_for("drafting", backend)
    killed = 0
    finished: list[float] = []  # durations of runs that ended before their kill
    try:
        before = _stored(engine)
        assert len(before) == batch
        number = 0
        while more_rounds(backend, number, killed):
            number += 1
            at_s = rng.uniform(max(0.3, first - 0.5), last + 0.2) \
                * pace(calibration.after_s, finished)
            outcome = run_and_kill(settings, args, at_s=at_s)
            killed += outcome.killed
            if not outcome.killed:
                finished.append(outcome.after_s)
            assert_sound(engine)
            after = _stored(engine)
            lost = {i: v for i, v in before.items() if after.get(i) != v}
            assert not lost, f"stored versions lost or changed: {lost}"
            new = len(after) - len(before)
            assert 0 <= new <= batch
            if not outcome.killed:
                assert outcome.returncode == 0, outcome.stderr
                assert new == batch
            report("drafting", backend, number, at_s, outcome,
                   f"{new}/{batch} new versions stored, all whole")
            before = after
    finally:
        engine.dispose()
    assert killed, "no batch was interrupted: the test proved nothing"
