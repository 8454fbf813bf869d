"""Interviews, feedback and the path on PostgreSQL (skipped without a server)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from interview_support import EN_SCRIPT, KAM, LEAD, answer_all, build_store

from kambot.assistant.coaching import next_step
from kambot.assistant.feedback import feedback_themes, record_feedback
from kambot.assistant.interview import InterviewService
from kambot.assistant.interview.storage import load_interview, save_step
from kambot.config import Settings
from kambot.errors import DataError

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_settings(settings: Settings) -> Iterator[Settings]:
    base_url = os.environ.get("KAMBOT_TEST_POSTGRES_URL")
    if not base_url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but KAMBOT_TEST_POSTGRES_URL is unset", pytrace=False)
        pytest.skip("no PostgreSQL server (KAMBOT_TEST_POSTGRES_URL unset)")
    name = f"kambot_interview_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield settings.model_copy(update={"database_url": url})
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_interview_feedback_and_path_on_postgresql(pg_settings: Settings) -> None:
    engine = build_store(pg_settings)
    try:
        service = InterviewService(pg_settings, engine)
        first = service.start(LEAD, "Hélène Vauclair", "en")
        stale = load_interview(engine, first.id)
        run = answer_all(service, LEAD, first, EN_SCRIPT)
        assert run.last.done
        with pytest.raises(DataError, match="changed"):
            save_step(engine, stale, status="paused")
        record = service.record(LEAD, first.id)
        assert {c.account_external_id for c in record.commitments} == {"C1", "C2"}
        assert service.synthesise(LEAD, "en").causes[0].cause.value == "customer_focus"
        record_feedback(engine, KAM, "The account plan template takes three hours.",
                        knowledge_dir=pg_settings.knowledge_dir)
        assert feedback_themes(engine, knowledge_dir=pg_settings.knowledge_dir)[0].theme == \
            "workload"
        assert next_step(pg_settings, engine, "en").checkpoint == "alignment_interviews"
    finally:
        engine.dispose()
