"""Append-only runs, human decisions, explanation, erasure and retention."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from kambot.assistant.assessment import records
from kambot.assistant.assessment.records import (
    decide,
    erase_candidate,
    export_explanation,
    get_run,
    list_decisions,
    list_runs,
    months_before,
    purge,
)
from kambot.assistant.assessment.service import assess_file
from kambot.config import Settings
from kambot.domain.assessment import AssessmentStatus, DecisionKind, Trait
from kambot.errors import DataError, NotFoundError

from .conftest import CVS

TOKEN = "Zyxqwerty-Unique-Token-8841"


def _cv_with_token(tmp_path: Path) -> Path:
    path = tmp_path / "cv.txt"
    path.write_text(
        "Key Account Manager\n"
        f"- Led a cross-functional account team of 6 people for {TOKEN} Industries.\n"
        f"- Signed a 3-year framework agreement worth €4M with {TOKEN} Industries.\n"
        "- Ran quarterly business reviews with each customer.\n",
        encoding="utf-8",
    )
    return path


def _raw_bytes(settings: Settings) -> bytes:
    data = b""
    for path in settings.data_dir.glob("kambot.db*"):
        data += path.read_bytes()
    return data


def test_run_is_logged_and_reloaded(settings: Settings, engine) -> None:
    result = assess_file(settings, engine, CVS / "en_global_kam.md", target="hunter",
                         lang="en", candidate_ref="REQ-1/C-7", candidate_name="Alex Morgan")
    assert result.run_id is not None
    loaded = get_run(engine, result.run_id)
    assert loaded.status == AssessmentStatus.PROPOSAL
    assert loaded.levels() == result.levels()
    assert loaded.evidence == result.evidence
    assert loaded.input_sha256 == result.input_sha256 and len(loaded.input_sha256) == 64
    assert loaded.rubric_version == result.rubric_version
    assert loaded.model == "offline" and loaded.prompt_version == result.prompt_version
    assert [r.run_id for r in list_runs(engine)] == [result.run_id]
    with engine.connect() as conn:
        raw = conn.execute(sa.text("select external_ref from candidates")).scalar_one()
    assert raw == "REQ-1/C-7"
    assert b"Alex" not in _raw_bytes(settings)


def test_confirm_and_override(settings: Settings, engine) -> None:
    run = assess_file(settings, engine, CVS / "en_hunter.txt", target="hunter", lang="en",
                      candidate_ref="C-1").run_id
    assert run is not None
    with pytest.raises(DataError, match="reason"):
        decide(engine, run, decision="overridden", reviewer="hr.lead", reason="  ")
    with pytest.raises(DataError, match="reviewer"):
        decide(engine, run, decision="confirmed", reviewer="")
    with pytest.raises(DataError, match="unknown decision"):
        decide(engine, run, decision="approved", reviewer="hr.lead")
    with pytest.raises(NotFoundError):
        decide(engine, 999, decision="confirmed", reviewer="hr.lead")
    assert get_run(engine, run).status == AssessmentStatus.PROPOSAL
    decide(engine, run, decision=DecisionKind.CONFIRMED, reviewer="hr.lead",
           now=datetime(2026, 1, 5, tzinfo=UTC))
    decide(engine, run, decision="overridden", reviewer="panel.chair",
           reason="work sample showed planning at level 3", levels={Trait.PLANNER: 3},
           now=datetime(2026, 1, 6, tzinfo=UTC))
    loaded = get_run(engine, run)
    assert loaded.status == AssessmentStatus.OVERRIDDEN
    assert loaded.decision is not None and loaded.decision.levels == {Trait.PLANNER: 3}
    assert [d.kind for d in list_decisions(engine, run)] == [DecisionKind.CONFIRMED,
                                                             DecisionKind.OVERRIDDEN]
    assert list_runs(engine)[0].status == AssessmentStatus.OVERRIDDEN
    assert loaded.levels() == assess_file(settings, engine, CVS / "en_hunter.txt",
                                          target="hunter", lang="en",
                                          candidate_ref="C-1").levels()


def test_runs_are_append_only(settings: Settings, engine) -> None:
    public = [name for name, fn in inspect.getmembers(records, inspect.isfunction)
              if fn.__module__ == records.__name__ and not name.startswith("_")]
    assert not [n for n in public if n.startswith(("update", "edit", "set_", "delete"))]
    run = assess_file(settings, engine, CVS / "en_hunter.txt", target="hunter", lang="en",
                      candidate_ref="C-2").run_id
    with engine.connect() as conn, pytest.raises(sa.exc.DatabaseError, match="append-only"):
        conn.execute(sa.text("update assessment_runs set model = 'x' where id = :id"),
                     {"id": run})


def test_erasure_removes_every_byte_of_the_person(settings: Settings, engine,
                                                  tmp_path: Path) -> None:
    keep = assess_file(settings, engine, CVS / "en_hunter.txt", target="hunter", lang="en",
                       candidate_ref="C-keep")
    gone = assess_file(settings, engine, _cv_with_token(tmp_path), target="hunter", lang="en",
                       candidate_ref="C-gone")
    assert gone.run_id is not None and any(TOKEN in e.quote for e in gone.evidence)
    decide(engine, gone.run_id, decision="overridden", reviewer="hr",
           reason=f"checked with {TOKEN} references")
    assert TOKEN.encode() in _raw_bytes(settings)
    report = erase_candidate(engine, "C-gone", actor="hr.dpo")
    assert (report.runs_deleted, report.decisions_deleted, report.vacuumed) == (1, 1, True)
    engine.dispose()
    assert TOKEN.encode() not in _raw_bytes(settings)
    assert b"C-gone" not in _raw_bytes(settings)
    index_dir = settings.index_dir
    if index_dir.exists():
        for path in index_dir.rglob("*"):
            assert not path.is_file() or TOKEN.encode() not in path.read_bytes()
    with pytest.raises(NotFoundError):
        get_run(engine, gone.run_id)
    with pytest.raises(NotFoundError):
        erase_candidate(engine, "C-gone")
    assert keep.run_id is not None and get_run(engine, keep.run_id).candidate_ref == "C-keep"
    with engine.connect() as conn:
        audit = conn.execute(sa.text("select actor, action, object, details from audit_log "
                                     "where action = 'assessment.erase_candidate'")).one()
    assert audit.actor == "hr.dpo" and "C-gone" not in str(audit)


def test_retention_purge(settings: Settings, engine) -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    old = assess_file(settings, engine, CVS / "en_hunter.txt", target="hunter", lang="en",
                      candidate_ref="C-old")
    recent = assess_file(settings, engine, CVS / "en_hunter.txt", target="hunter", lang="en",
                         candidate_ref="C-recent")
    with engine.begin() as conn:
        conn.execute(sa.text("update candidates set last_contact = :t where external_ref = "
                             "'C-old'"), {"t": now - timedelta(days=800)})
        conn.execute(sa.text("drop trigger assessment_runs_append_only"))
        conn.execute(sa.text("update assessment_runs set created_at = :t where id = :id"),
                     {"t": now - timedelta(days=800), "id": old.run_id})
    with pytest.raises(DataError, match="at least 6"):
        purge(engine, now=now, keep_runs_months=3)
    with pytest.raises(DataError, match="shorter"):
        purge(engine, now=now, purge_after_months=5, keep_runs_months=6)
    report = purge(engine, now=now)
    assert (report.candidates_erased, report.runs_deleted) == (1, 1)
    assert report.cutoff == datetime(2024, 6, 1, tzinfo=UTC)
    assert [r.candidate_ref for r in list_runs(engine)] == ["C-recent"]
    assert recent.run_id is not None
    assert purge(engine, now=now).runs_deleted == 0


def test_months_before_clamps_the_day() -> None:
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28,
                                                                           tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 24) == datetime(2024, 1, 15,
                                                                            tzinfo=UTC)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_explanation_for_the_person(settings: Settings, engine, lang: str) -> None:
    run = assess_file(settings, engine, CVS / "fr_farmer_attributs.txt", target="farmer",
                      lang=lang, candidate_ref="C-9", candidate_name="Nadia Benali").run_id
    assert run is not None
    decide(engine, run, decision="overridden", reviewer="hr.lead",
           reason="entretien : *planification* confirmée", levels={Trait.PLANNER: 3})
    text = export_explanation(engine, run, lang=lang)  # type: ignore[arg-type]
    assert "C-9" in text
    assert "Benali" not in text and "Nadia" not in text and "marocaine" not in text
    assert "Plans de compte pluriannuels pour mes 5 comptes stratégiques" in text
    assert "\\*planification\\*" in text
    if lang == "fr":
        assert "contester" in text and "preuves insuffisantes" in text and "24 mois" in text
    else:
        assert "contest" in text and "not enough evidence" in text and "24 months" in text
