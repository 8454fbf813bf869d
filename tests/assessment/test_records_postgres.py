"""The assessment records on PostgreSQL (skipped without a server)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from kambot.assistant.assessment.records import decide, erase_candidate, get_run, list_runs
from kambot.assistant.assessment.service import assess_file
from kambot.config import Settings
from kambot.domain.assessment import AssessmentStatus
from kambot.errors import DataError, NotFoundError

from .conftest import CVS

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine() -> Iterator[sa.Engine]:
    """Return a fresh PostgreSQL database with the schema and the assessment tables."""
    from kambot.store.assessment_schema import ASSESSMENT_TABLES
    from kambot.store.db import create_engine_for_url, migrate
    from kambot.store.schema import Base

    base_url = os.environ.get("KAMBOT_TEST_POSTGRES_URL")
    if not base_url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but KAMBOT_TEST_POSTGRES_URL is unset: PostgreSQL "
                        "did not start (is the postgresql package installed?)", pytrace=False)
        pytest.skip("no PostgreSQL server (KAMBOT_TEST_POSTGRES_URL unset)")
    name = f"kambot_assess_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(base_url).set(database=name)
    engine = create_engine_for_url(url.render_as_string(hide_password=False))
    try:
        migrate(engine)
        Base.metadata.create_all(engine, tables=list(ASSESSMENT_TABLES))
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_runs_decisions_and_erasure_on_postgresql(settings: Settings, pg_engine) -> None:
    run = assess_file(settings, pg_engine, CVS / "en_hunter.txt", target="hunter", lang="en",
                      candidate_ref="PG-1").run_id
    assert run is not None
    with pytest.raises(DataError):
        decide(pg_engine, run, decision="overridden", reviewer="hr", reason="")
    decide(pg_engine, run, decision="confirmed", reviewer="hr")
    assert get_run(pg_engine, run).status == AssessmentStatus.CONFIRMED
    with pg_engine.connect() as conn, pytest.raises(sa.exc.DatabaseError, match="append-only"):
        conn.execute(sa.text("update assessment_runs set model = 'x' where id = :id"),
                     {"id": run})
    report = erase_candidate(pg_engine, "PG-1")
    assert (report.runs_deleted, report.decisions_deleted, report.vacuumed) == (1, 1, False)
    assert list_runs(pg_engine) == []
    with pytest.raises(NotFoundError):
        get_run(pg_engine, run)
