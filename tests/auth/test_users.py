"""Users, scopes and API keys in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kambot.auth.hashing import parse_api_key
from kambot.auth.users import (
    authenticate_key,
    authenticate_password,
    create_user,
    get_user,
    issue_key,
    list_users,
    revoke_key,
    revoke_user,
    set_accounts,
    set_password,
)
from kambot.domain.identity import Role
from kambot.errors import DataError, NotFoundError

PASSWORD = "a long enough passphrase"


def _account_ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT external_id, id FROM accounts").all()
    return {str(r[0]): int(r[1]) for r in rows}


def test_a_kam_sees_the_accounts_of_their_scope(engine: Engine) -> None:
    user = create_user(engine, "alice", "kam", accounts=["ACME", "Globex Industries"])
    ids = _account_ids(engine)
    assert user.role == Role.KAM
    assert [a.ref for a in user.accounts] == ["ACME", "GLOBEX"]
    key = issue_key(engine, "alice")
    identity = authenticate_key(engine, key.key)
    assert identity is not None
    principal = identity.principal
    assert principal.account_ids == {ids["ACME"], ids["GLOBEX"]}
    assert principal.can_see_account(ids["ACME"])
    assert not principal.can_see_account(ids["INITECH"])
    assert identity.method == "api_key" and identity.key_id == key.key_id


def test_the_key_is_shown_once_and_only_its_hash_is_stored(engine: Engine) -> None:
    create_user(engine, "bob", "lead")
    key = issue_key(engine, "bob", label="laptop")
    parsed = parse_api_key(key.key)
    assert parsed is not None
    listed = get_user(engine, "bob").keys
    assert [(k.key_id, k.label, k.active) for k in listed] == [(key.key_id, "laptop", True)]
    assert key.key not in repr(list_users(engine))
    with engine.connect() as conn:
        rows = [tuple(str(v) for v in r) for r in conn.exec_driver_sql("SELECT * FROM api_keys")]
    stored = " ".join(" ".join(r) for r in rows)
    assert parsed[1] not in stored
    assert key.key_id in stored
    assert "$argon2id$" in stored


def test_a_wrong_or_unknown_key_authenticates_nobody(engine: Engine) -> None:
    create_user(engine, "carol", "admin")
    key = issue_key(engine, "carol")
    key_id, secret = parse_api_key(key.key)  # type: ignore[misc]
    assert authenticate_key(engine, f"kb_{key_id}_{'x' * len(secret)}") is None
    assert authenticate_key(engine, f"kb_{'0' * 12}_{secret}") is None
    assert authenticate_key(engine, "not a key") is None


def test_a_revoked_key_stops_working_and_others_keep_working(engine: Engine) -> None:
    create_user(engine, "dave", "executive", accounts=["ACME"])
    first, second = issue_key(engine, "dave"), issue_key(engine, "dave")
    revoked = revoke_key(engine, "dave", first.key_id)
    assert revoked.revoked_at is not None and not revoked.active
    assert authenticate_key(engine, first.key) is None
    assert authenticate_key(engine, second.key) is not None
    again = revoke_key(engine, "dave", first.key_id)
    assert again.revoked_at == revoked.revoked_at
    with pytest.raises(NotFoundError):
        revoke_key(engine, "dave", "0123456789ab")
    create_user(engine, "erin", "lead")
    with pytest.raises(NotFoundError):  # another user's key is not theirs to revoke
        revoke_key(engine, "erin", second.key_id)


def test_revoking_a_user_ends_every_key_and_session(engine: Engine) -> None:
    from kambot.auth.sessions import create_session, session_identity

    create_user(engine, "frank", "kam", accounts=["INITECH"], password=PASSWORD)
    key = issue_key(engine, "frank")
    login = authenticate_password(engine, "frank", PASSWORD)
    assert login is not None
    token, _session = create_session(engine, login, 3600)
    report = revoke_user(engine, "frank")
    assert (report.keys_revoked, report.sessions_ended, report.deactivated) == (1, 1, True)
    assert authenticate_key(engine, key.key) is None
    assert session_identity(engine, token) is None
    assert authenticate_password(engine, "frank", PASSWORD) is None
    assert not get_user(engine, "frank").active
    with pytest.raises(DataError, match="no access"):
        issue_key(engine, "frank")


def test_passwords_are_argon2_hashed_and_checked(engine: Engine) -> None:
    create_user(engine, "grace", "hr", password=PASSWORD)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM users")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    identity = authenticate_password(engine, "grace", PASSWORD)
    assert identity is not None and identity.principal.role == Role.HR
    assert authenticate_password(engine, "grace", PASSWORD + "!") is None
    assert authenticate_password(engine, "nobody", PASSWORD) is None
    set_password(engine, "grace", "another long passphrase")
    assert authenticate_password(engine, "grace", PASSWORD) is None
    assert authenticate_password(engine, "grace", "another long passphrase") is not None


@pytest.mark.parametrize(("name", "role", "accounts", "password", "error"), [
    ("x", "kam", [], None, DataError),
    ("bad name", "kam", [], None, DataError),
    ("henry", "boss", [], None, DataError),
    ("henry", "hr", ["ACME"], None, DataError),
    ("henry", "lead", ["ACME"], None, DataError),
    ("henry", "kam", ["NOPE"], None, NotFoundError),
    ("henry", "kam", [], "short", DataError),
])
def test_invalid_users_are_refused_with_a_reason(engine: Engine, name: str, role: str,
                                                 accounts: list[str], password: str | None,
                                                 error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        create_user(engine, name, role, accounts=accounts, password=password)
    assert getattr(caught.value, "hint", None)
    assert list_users(engine) == []


def test_a_name_is_taken_once(engine: Engine) -> None:
    from kambot.errors import ConflictError

    create_user(engine, "ivy", "kam")
    with pytest.raises(ConflictError, match="taken"):
        create_user(engine, "ivy", "lead")


def test_a_scope_can_be_replaced(engine: Engine) -> None:
    create_user(engine, "jack", "kam", accounts=["ACME"])
    user = set_accounts(engine, "jack", ["INITECH", "GLOBEX"])
    assert [a.ref for a in user.accounts] == ["GLOBEX", "INITECH"]
    with pytest.raises(NotFoundError, match="'Acme', 'NOPE'"):
        set_accounts(engine, "jack", ["Acme", "acme corporation", "NOPE"])
    assert [a.ref for a in get_user(engine, "jack").accounts] == ["GLOBEX", "INITECH"]
    assert [a.ref for a in set_accounts(engine, "jack", ["acme corporation"]).accounts] == [
        "ACME"]


def test_deleting_an_account_removes_it_from_scopes(engine: Engine) -> None:
    create_user(engine, "kate", "kam", accounts=["ACME", "GLOBEX"])
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM accounts WHERE external_id = 'ACME'")
    assert [a.ref for a in get_user(engine, "kate").accounts] == ["GLOBEX"]
