"""Sessions, the access audit and the demo users, in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kambot.auth.audit import (
    ANONYMOUS,
    AuditEntry,
    AuditTrail,
    ReadKey,
    coalesce_reads,
    details_key,
    list_access,
    outcome_of,
    read_key,
    record_access,
)
from kambot.auth.demo import DEMO_USERS, ensure_demo_users
from kambot.auth.sessions import create_session, end_session, purge_sessions, session_identity
from kambot.auth.tables import now
from kambot.auth.users import authenticate_password, create_user, get_user
from kambot.domain.identity import Principal, Role

PASSWORD = "a long enough passphrase"


def _login(engine: Engine, name: str = "alice", role: str = "kam") -> object:
    create_user(engine, name, role, accounts=["ACME"] if role == "kam" else [],
                password=PASSWORD)
    identity = authenticate_password(engine, name, PASSWORD)
    assert identity is not None
    return identity


def test_a_session_lives_until_its_expiry(engine: Engine) -> None:
    identity = _login(engine)
    token, session = create_session(engine, identity, 60)  # type: ignore[arg-type]
    found = session_identity(engine, token)
    assert found is not None
    assert found.principal == session.principal
    assert found.method == "session" and found.session_id == session.session_id
    assert session_identity(engine, token, at=now() + timedelta(seconds=61)) is None
    assert session_identity(engine, token + "x") is None
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM auth_sessions")).scalar_one()
    assert token not in stored and len(stored) == 64


def test_ending_and_purging_sessions(engine: Engine) -> None:
    identity = _login(engine)
    kept, _a = create_session(engine, identity, 3600)  # type: ignore[arg-type]
    ended, _b = create_session(engine, identity, 3600)  # type: ignore[arg-type]
    assert end_session(engine, ended)
    assert not end_session(engine, ended)
    assert session_identity(engine, ended) is None
    assert session_identity(engine, kept) is not None
    assert purge_sessions(engine) == 0
    assert purge_sessions(engine, at=now() + timedelta(hours=2)) == 1
    assert session_identity(engine, kept) is None


def test_audit_entries_are_written_and_listed(engine: Engine) -> None:
    kam = Principal(user_id=7, username="alice", role=Role.KAM)
    entries = [
        AuditEntry.for_principal(kam, action="read", object_type="account", object_id="ACME",
                                 outcome="ok", status=200, method="GET",
                                 path="/accounts/{account}"),
        AuditEntry.for_principal(kam, action="read", object_type="account",
                                 object_id="INITECH", outcome="not_found", status=404),
        AuditEntry.for_principal(None, action="login", object_type="session",
                                 object_id="mallory", outcome="unauthenticated", status=401),
    ]
    assert record_access(engine, entries) == 3
    listed = list_access(engine, object_type="account")
    assert [(e.object_id, e.outcome, e.username, e.role) for e in listed] == [
        ("INITECH", "not_found", "alice", "kam"), ("ACME", "ok", "alice", "kam")]
    assert list_access(engine, username="anonymous")[0].object_id == "mallory"
    assert list_access(engine, object_type="account", object_id="ACME")[0].status == 200


def test_the_audit_table_is_append_only(engine: Engine) -> None:
    record_access(engine, [AuditEntry(action="read", object_type="user", outcome="ok")])
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql("UPDATE access_audit SET outcome = 'denied'")
    assert list_access(engine)[0].outcome == "ok"


def test_the_trail_writes_batches_in_the_background(engine: Engine) -> None:
    trail = AuditTrail(lambda: engine, delay_s=0.05)
    for n in range(25):
        trail.record(AuditEntry(action="read", object_type="document", object_id=str(n),
                                outcome="ok"))
    deadline = time.monotonic() + 10
    while (trail.pending or len(list_access(engine)) < 25) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(list_access(engine, object_type="document", limit=100)) == 25
    trail.close()
    trail.record(AuditEntry(action="delete", object_type="user", outcome="ok"))
    assert trail.pending == 0  # after close, entries are written at once
    assert list_access(engine)[0].action == "delete"


@pytest.mark.parametrize(("status", "outcome"), [(200, "ok"), (204, "ok"), (401,
                         "unauthenticated"), (403, "denied"), (404, "not_found"),
                         (413, "invalid"), (422, "invalid"), (429, "limited"), (503, "error")])
def test_outcomes_follow_the_status(status: int, outcome: str) -> None:
    assert outcome_of(status) == outcome


def test_demo_users_one_per_role_created_once(engine: Engine) -> None:
    created = ensure_demo_users(engine)
    assert [(u, r) for u, r, _p in created] == [(u, r.value) for u, r in DEMO_USERS]
    for username, _role, password in created:
        assert authenticate_password(engine, username, password) is not None
    # The KAM gets alice's accounts (she owns the most); the executive bob's.
    assert [a.ref for a in get_user(engine, "demo-kam").accounts] == ["ACME", "GLOBEX"]
    assert [a.ref for a in get_user(engine, "demo-executive").accounts] == ["ACME"]
    assert get_user(engine, "demo-hr").accounts == ()
    assert ensure_demo_users(engine) == []
    first_password = created[0][2]
    assert authenticate_password(engine, "demo-kam", first_password) is not None


def test_identical_reads_of_a_batch_are_one_row_with_their_count(engine: Engine) -> None:
    def read(object_id: str, username: str = "kim", status: int = 200) -> AuditEntry:
        return AuditEntry(action="read", object_type="account", object_id=object_id,
                          outcome=outcome_of(status), username=username, status=status,
                          details={"route": "get_account"})

    change = AuditEntry(action="update", object_type="document", object_id="7", outcome="ok")
    batch = [read("A"), read("A"), change, change, read("B"), read("A"),
             read("A", username="lee"), read("A", status=404)]
    merged = coalesce_reads(batch)
    assert [(e.action, e.object_id, e.username, e.status) for e in merged] == [
        ("read", "A", "kim", 200), ("update", "7", ANONYMOUS, None),
        ("update", "7", ANONYMOUS, None), ("read", "B", "kim", 200),
        ("read", "A", "lee", 200), ("read", "A", "kim", 404)]
    assert merged[0].details == {"route": "get_account", "count": 3,
                                 "last_at": batch[5].at.isoformat()}
    assert "count" not in merged[3].details  # a single read stays as it was
    assert batch[0].details == {"route": "get_account"}  # the queued entries are untouched
    # Details merge only when equal, value types included, nested ones too.
    flagged = [AuditEntry(action="read", object_type="account", outcome="ok", details=d)
               for d in ({"n": 1}, {"n": True}, {"n": 1.0}, {"n": "1"}, {"n": 1},
                         {"ids": [1, 2]}, {"ids": [1, 2]}, {"ids": [2, 1]})]
    assert [e.details.get("count", 1) for e in coalesce_reads(flagged)] == [2, 1, 1, 1, 2, 1]

    trail = AuditTrail(lambda: engine, delay_s=60, max_queue=7)
    for entry in batch:
        trail.record(entry)
    assert trail.pending == 6  # merged as they arrive
    for _ in range(100):  # a flood of identical reads neither grows the queue nor flushes
        trail.record(read("B"))
    assert trail.pending == 6
    assert trail.flush() == 6
    counted = list_access(engine, object_type="account", object_id="A", username="kim")
    assert [e.details.get("count", 1) for e in counted] == [1, 3]  # newest first
    flooded = list_access(engine, object_type="account", object_id="B")
    assert [e.details.get("count", 1) for e in flooded] == [101]


def test_a_read_is_counted_again_by_its_key_without_an_entry(engine: Engine) -> None:
    trail = AuditTrail(lambda: engine, delay_s=60)

    def key(object_id: str, status: int = 200, route: str = "get_account") -> ReadKey:
        return read_key(None, ANONYMOUS, None, "account", object_id, outcome_of(status),
                        status, "GET", "/accounts/{account}", details_key({"route": route}))

    assert not trail.count_again(key("A"))  # nothing queued: the caller records an entry
    trail.record(AuditEntry(action="read", object_type="account", object_id="A",
                            outcome="ok", status=200, method="GET",
                            path="/accounts/{account}", details={"route": "get_account"}))
    assert trail.count_again(key("A")) and trail.count_again(key("A"))
    assert not trail.count_again(key("B"))
    assert not trail.count_again(key("A", status=404))
    assert not trail.count_again(key("A", route="account_scenarios"))
    assert trail.pending == 1
    trail.close()
    assert not trail.count_again(key("A"))  # closed: entries are written one by one
    [row] = list_access(engine, object_type="account", object_id="A")
    assert row.details["count"] == 3
