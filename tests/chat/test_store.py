"""Chat sessions in the database: owners, one-query history, a long session loads fast."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from chat_support import KAM_A, KAM_B, LEAD, Demo

from kambot.assistant.chat import Citation, store
from kambot.assistant.chat.scope import owner_key
from kambot.domain.identity import Principal, Role, operator
from kambot.errors import NotFoundError

CITATION = Citation(id="en/segmentation#less-is-more", kind="methodology", label="Less is more",
                    snippet="Concentrate resources on a few accounts.")


def _fill(demo: Demo, owner: str, turns: int) -> int:
    session = store.create_session(demo.engine, owner, "someone", "en")
    change = store.SessionChange(title="long", lang="en", mode="chat", interview_id=None,
                                 pending=None, context={})
    for k in range(turns):
        store.record_turn(demo.engine, owner, session.id, [
            store.NewMessage(role="user", content=f"question {k}", lang="en"),
            store.NewMessage(role="assistant", content=f"answer {k} " * 40, lang="en",
                             tool="ask_methodology", citations=(CITATION,)),
        ], change)
    return session.id


def test_owner_keys_separate_users_and_the_operator() -> None:
    assert owner_key(KAM_A) == "user:3"
    assert owner_key(operator()) == "name:operator"
    same_name = Principal(user_id=None, username="alefevre", role=Role.KAM)
    assert owner_key(same_name) != owner_key(KAM_A)


def test_a_200_turn_session_loads_in_one_query_well_under_50_ms(demo: Demo) -> None:
    owner = owner_key(KAM_A)
    session = _fill(demo, owner, 200)
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sa.event.listen(demo.engine, "before_cursor_execute", count)
    try:
        view = store.session_view(demo.engine, owner, session)
    finally:
        sa.event.remove(demo.engine, "before_cursor_execute", count)
    assert [s for s in statements if s.lstrip().upper().startswith("SELECT")] and \
        len([s for s in statements if "chat_messages" in s]) == 1
    assert len(view.messages) == 400 and view.messages[-1].citations == [CITATION]
    assert [m.content for m in view.messages[:2]] == ["question 0", "answer 0 " * 40]
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        store.session_view(demo.engine, owner, session)
        timings.append(time.perf_counter() - start)
    # The benchmark measures the 50 ms target; a loaded CI machine gets some slack here.
    assert min(timings) < 0.15
    with demo.engine.connect() as conn:
        plan = " ".join(str(r) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM chat_messages WHERE session_id = 1 ORDER BY id"))
    assert "ix_chat_messages_session_id_id" in plan


def test_the_json_history_says_exactly_what_the_model_says(demo: Demo) -> None:
    import json

    from kambot.assistant.chat import PendingAction

    owner = owner_key(KAM_B)
    session = _fill(demo, owner, 3)
    pending = PendingAction(action="save_document", summary="Enregistrer « X » v2.",
                            tool="draft_document", payload={"document": {"title": "X é"}})
    store.record_turn(demo.engine, owner, session, [
        store.NewMessage(role="user", content="Rédige « la stratégie »\nsvp", lang="fr")],
        store.SessionChange(title="Stratégie — Corivar", lang="fr", mode="interview",
                            interview_id=7, pending=pending, context={}))
    view = store.session_view(demo.engine, owner, session)
    raw = store.session_view_json(demo.engine, owner, session)
    assert json.loads(raw) == json.loads(view.model_dump_json())
    assert json.loads(raw)["pending"]["payload"] == {"document": {"title": "X é"}}
    with pytest.raises(NotFoundError):
        store.session_view_json(demo.engine, owner_key(KAM_A), session)


def test_sessions_of_others_are_not_found(demo: Demo) -> None:
    mine = store.create_session(demo.engine, owner_key(KAM_A), KAM_A.username, "fr")
    for reader in (KAM_B, LEAD):
        with pytest.raises(NotFoundError, match=f"no chat session {mine.id}"):
            store.session_view(demo.engine, owner_key(reader), mine.id)
        with pytest.raises(NotFoundError):
            store.load_session(demo.engine, owner_key(reader), mine.id)
        with pytest.raises(NotFoundError):
            store.record_turn(demo.engine, owner_key(reader), mine.id, [], store.SessionChange(
                title=None, lang="en", mode="chat", interview_id=None, pending=None,
                context={}))
    assert store.load_session(demo.engine, owner_key(KAM_A), mine.id).lang == "fr"
    assert mine.id in [s.id for s in store.list_sessions(demo.engine, owner_key(KAM_A))]


def test_titles_are_one_short_line() -> None:
    assert store.title_from("  KPIs of\nQuenolac  ") == "KPIs of Quenolac"
    long = store.title_from("word " * 40)
    assert len(long) <= 60 and long.endswith("…")


@pytest.mark.postgres
def test_sessions_and_turns_on_postgresql(postgres_database: str) -> None:
    import json

    from kambot.store.db import create_engine_for_url, migrate

    engine = create_engine_for_url(postgres_database)
    try:
        migrate(engine)
        owner = owner_key(KAM_A)
        session = store.create_session(engine, owner, KAM_A.username, "fr")
        change = store.SessionChange(title="t", lang="fr", mode="chat", interview_id=None,
                                     pending=None, context={"account": "C1"})
        ids = store.record_turn(engine, owner, session.id, [
            store.NewMessage(role="user", content="bonjour", lang="fr"),
            store.NewMessage(role="assistant", content="réponse", lang="fr",
                             tool="help", citations=(CITATION,))], change)
        assert ids == sorted(ids) and len(ids) == 2
        view = store.session_view(engine, owner, session.id)
        assert [m.id for m in view.messages] == ids
        assert view.messages[1].citations == [CITATION]
        raw = store.session_view_json(engine, owner, session.id)
        assert json.loads(raw) == json.loads(view.model_dump_json())
        assert store.load_session(engine, owner, session.id).context == {"account": "C1"}
        with pytest.raises(NotFoundError):
            store.session_view(engine, owner_key(KAM_B), session.id)
    finally:
        engine.dispose()
